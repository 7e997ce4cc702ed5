/*
 * Small containers of the scheduler: interned strings, a string map, array
 * growth, the resource vector and the tie-breaking random generator.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;        /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* FNV-1a of @p s, for change detection. */
uint64_t sched_hash(const char *s)
{
	return hash_str(s);
}

/* Grow *arrp (an array of elem-sized items) to hold need items. */
int sched_grow(void *arrp, int *cap, int need, size_t elem)
{
	void **arr = arrp;
	int ncap = *cap ? *cap : 8;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, (size_t)ncap * elem);
	if (!n)
		return KUBE_ENOMEM;
	memset((char *)n + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

static int intern_rehash(struct sched_intern *t)
{
	size_t n = t->nslot ? t->nslot * 2 : 1024;
	int *slot = malloc(n * sizeof(*slot));

	if (!slot)
		return KUBE_ENOMEM;
	memset(slot, 0xff, n * sizeof(*slot));
	for (int id = 0; id < t->n; id++) {
		size_t i = hash_str(t->str[id]) & (n - 1);
		while (slot[i] >= 0)
			i = (i + 1) & (n - 1);
		slot[i] = id;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = n;
	return 0;
}

/* The id of @p s, or -1 when it was never interned. */
int sched_intern_find(const struct sched_intern *t, const char *s)
{
	if (!t->nslot)
		return -1;
	for (size_t i = hash_str(s) & (t->nslot - 1);; i = (i + 1) & (t->nslot - 1)) {
		int id = t->slot[i];
		if (id < 0)
			return -1;
		if (strcmp(t->str[id], s) == 0)
			return id;
	}
}

/* The id of @p s, interning a copy when new; -1 when out of memory. */
int sched_intern_id(struct sched_intern *t, const char *s)
{
	int id = sched_intern_find(t, s);
	size_t i;

	if (id >= 0)
		return id;
	if ((size_t)(t->n + 1) * 2 > t->nslot && intern_rehash(t))
		return -1;
	if (sched_grow(&t->str, &t->cap, t->n + 1, sizeof(char *)))
		return -1;
	t->str[t->n] = strdup(s);
	if (!t->str[t->n])
		return -1;
	for (i = hash_str(s) & (t->nslot - 1); t->slot[i] >= 0; i = (i + 1) & (t->nslot - 1))
		;
	t->slot[i] = t->n;
	return t->n++;
}

void sched_intern_free(struct sched_intern *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

#define TOMB ((char *)1)

static size_t map_find(const struct sched_map *m, const char *key, bool *found)
{
	size_t i = hash_str(key) & (m->nslot - 1), tomb = (size_t)-1;

	for (;; i = (i + 1) & (m->nslot - 1)) {
		if (!m->key[i]) {
			*found = false;
			return tomb != (size_t)-1 ? tomb : i;
		}
		if (m->key[i] == TOMB) {
			if (tomb == (size_t)-1)
				tomb = i;
		} else if (strcmp(m->key[i], key) == 0) {
			*found = true;
			return i;
		}
	}
}

void *sched_map_get(const struct sched_map *m, const char *key)
{
	bool found;
	size_t i;

	if (!m->nslot)
		return NULL;
	i = map_find(m, key, &found);
	return found ? m->val[i] : NULL;
}

static int map_rehash(struct sched_map *m)
{
	struct sched_map n = {0};

	n.nslot = 64;
	while (n.nslot < (m->live + 1) * 4)
		n.nslot *= 2;
	n.key = calloc(n.nslot, sizeof(char *));
	n.val = calloc(n.nslot, sizeof(void *));
	if (!n.key || !n.val) {
		free(n.key);
		free(n.val);
		return KUBE_ENOMEM;
	}
	for (size_t i = 0; i < m->nslot; i++) {
		bool found;
		size_t j;
		if (!m->key[i] || m->key[i] == TOMB)
			continue;
		j = map_find(&n, m->key[i], &found);
		n.key[j] = m->key[i];
		n.val[j] = m->val[i];
		n.used++;
		n.live++;
	}
	free(m->key);
	free(m->val);
	*m = n;
	return 0;
}

/* Insert or replace; the map keeps its own copy of a new key. */
int sched_map_put(struct sched_map *m, const char *key, void *val)
{
	bool found;
	size_t i;

	if ((m->used + 1) * 2 > m->nslot && map_rehash(m))
		return KUBE_ENOMEM;
	i = map_find(m, key, &found);
	if (!found) {
		char *k = strdup(key);
		if (!k)
			return KUBE_ENOMEM;
		if (!m->key[i])
			m->used++;
		m->key[i] = k;
		m->live++;
	}
	m->val[i] = val;
	return 0;
}

void *sched_map_del(struct sched_map *m, const char *key)
{
	bool found;
	size_t i;
	void *v;

	if (!m->nslot)
		return NULL;
	i = map_find(m, key, &found);
	if (!found)
		return NULL;
	v = m->val[i];
	free(m->key[i]);
	m->key[i] = TOMB;
	m->val[i] = NULL;
	m->live--;
	return v;
}

void sched_map_free(struct sched_map *m)
{
	for (size_t i = 0; i < m->nslot; i++)
		if (m->key[i] && m->key[i] != TOMB)
			free(m->key[i]);
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* xorshift64*: cheap, seedable, good enough to break score ties. */
uint64_t sched_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ULL;
}

int64_t sched_res_scalar(const struct sched_res *r, int name)
{
	for (int i = 0; i < r->nscalar; i++)
		if (r->scalar[i].name == name)
			return r->scalar[i].val;
	return 0;
}

/* Add @p delta to the named scalar, creating it. 0 or KUBE_ENOMEM. */
int sched_res_add_scalar(struct sched_res *r, int name, int64_t delta)
{
	for (int i = 0; i < r->nscalar; i++) {
		if (r->scalar[i].name == name) {
			r->scalar[i].val += delta;
			return 0;
		}
	}
	if (sched_grow(&r->scalar, &r->capscalar, r->nscalar + 1, sizeof(*r->scalar)))
		return KUBE_ENOMEM;
	r->scalar[r->nscalar].name = name;
	r->scalar[r->nscalar++].val = delta;
	return 0;
}

/* dst += sign * src. 0 or KUBE_ENOMEM (dst then partly updated). */
int sched_res_add(struct sched_res *dst, const struct sched_res *src, int sign)
{
	dst->cpu += sign * src->cpu;
	dst->mem += sign * src->mem;
	dst->eph += sign * src->eph;
	for (int i = 0; i < src->nscalar; i++)
		if (sched_res_add_scalar(dst, src->scalar[i].name, sign * src->scalar[i].val))
			return KUBE_ENOMEM;
	return 0;
}

void sched_res_free(struct sched_res *r)
{
	free(r->scalar);
	memset(r, 0, sizeof(*r));
}
