/*
 * String -> pointer hash map (strmap.h): chained buckets, FNV-1a, doubling
 * when the load passes one entry per bucket.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/errors.h"
#include "runtime/strmap.h"

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static struct strmap_entry **slot(const struct strmap *m, const char *key)
{
	struct strmap_entry **p = &m->buckets[hash(key) & (m->nbuckets - 1)];

	while (*p && strcmp((*p)->key, key))
		p = &(*p)->next;
	return p;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry **p;

	if (!m->nbuckets)
		return NULL;
	p = slot(m, key);
	return *p ? (*p)->value : NULL;
}

static int grow(struct strmap *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : 16;
	struct strmap_entry **b = calloc(n, sizeof(*b));

	if (!b)
		return KUBE_ENOMEM;
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct strmap_entry *e = m->buckets[i], *next;

		for (; e; e = next) {
			size_t h = hash(e->key) & (n - 1);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_entry **p, *e;

	if (m->count >= m->nbuckets && grow(m))
		return KUBE_ENOMEM;
	p = slot(m, key);
	if (*p) {
		(*p)->value = value;
		return 0;
	}
	e = malloc(sizeof(*e));
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return KUBE_ENOMEM;
	}
	e->value = value;
	e->next = NULL;
	*p = e;
	m->count++;
	return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct strmap_entry **p, *e;
	void *v;

	if (!m->nbuckets)
		return NULL;
	p = slot(m, key);
	if (!(e = *p))
		return NULL;
	*p = e->next;
	v = e->value;
	free(e->key);
	free(e);
	m->count--;
	return v;
}

void strmap_each(const struct strmap *m, void (*fn)(const char *key, void *value, void *data),
		 void *data)
{
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct strmap_entry *e = m->buckets[i]; e; e = e->next)
			fn(e->key, e->value, data);
}

size_t strmap_values(const struct strmap *m, void ***out)
{
	size_t n = 0;

	*out = calloc(m->count + 1, sizeof(void *));
	if (!*out)
		return 0;
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct strmap_entry *e = m->buckets[i]; e; e = e->next)
			(*out)[n++] = e->value;
	return n;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct strmap_entry *e = m->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	}
	free(m->buckets);
	memset(m, 0, sizeof(*m));
}
