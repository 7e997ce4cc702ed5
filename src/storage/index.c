/*
 * The key index: a chained hash map answers get in O(1), a skiplist over the
 * same nodes gives key order, so a prefix list seeks in O(log n) and touches
 * only the keys under the prefix.
 *
 * Nodes removed while a store_list visit runs are not freed but kept in a
 * graveyard with their forward pointers intact, so the visit can step off a
 * node its callback deleted; the last visit to end frees them.
 */
#include <stdlib.h>
#include <string.h>
#include "libkube/errors.h"
#include "storage/store_int.h"

#define INDEX_MIN_BUCKETS 64

static uint32_t key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

static int random_level(struct store_index *ix)
{
	uint64_t x = ix->rng;
	int level = 1;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	ix->rng = x;
	/* two bits per level: each level holds a quarter of the one below */
	while (level < STORE_SKIP_MAX && (x & 3) == 0) {
		level++;
		x >>= 2;
	}
	return level;
}

/* Prepare an empty index. 0 or KUBE_ENOMEM. */
int store__index_init(struct store_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	ix->buckets = calloc(INDEX_MIN_BUCKETS, sizeof(*ix->buckets));
	if (!ix->buckets)
		return KUBE_ENOMEM;
	ix->mask = INDEX_MIN_BUCKETS - 1;
	ix->level = 1;
	ix->rng = 0x9e3779b97f4a7c15ull;
	return 0;
}

static void node_free(struct store_node *n)
{
	json_decref(n->obj);
	free(n);
}

/* Free every node and object; the index must not be visited. */
void store__index_free(struct store_index *ix)
{
	struct store_node *n = ix->head[0], *next;

	for (; n; n = next) {
		next = n->next[0];
		node_free(n);
	}
	store__index_reap(ix);
	free(ix->buckets);
	memset(ix, 0, sizeof(*ix));
}

/* The live node for @p key, or NULL. */
struct store_node *store__index_get(const struct store_index *ix, const char *key)
{
	uint32_t h = key_hash(key);
	struct store_node *n = ix->buckets[h & ix->mask];

	for (; n; n = n->hnext)
		if (n->hash == h && strcmp(n->key, key) == 0)
			return n;
	return NULL;
}

/* Fill @p update with the last node before @p key on each level (NULL for
 * the head) and return the first node at or after it. */
static struct store_node *skip_find(const struct store_index *ix, const char *key,
				    struct store_node **update)
{
	struct store_node *x = NULL, *next;
	int i;

	for (i = ix->level - 1; i >= 0; i--) {
		for (;;) {
			next = x ? x->next[i] : ix->head[i];
			if (!next || strcmp(next->key, key) >= 0)
				break;
			x = next;
		}
		if (update)
			update[i] = x;
	}
	return x ? x->next[0] : ix->head[0];
}

static void hash_grow(struct store_index *ix)
{
	size_t size = (ix->mask + 1) * 2, i;
	struct store_node **b = calloc(size, sizeof(*b)), *n, *next;

	if (!b)
		return; /* longer chains, still correct */
	for (i = 0; i <= ix->mask; i++) {
		for (n = ix->buckets[i]; n; n = next) {
			next = n->hnext;
			n->hnext = b[n->hash & (size - 1)];
			b[n->hash & (size - 1)] = n;
		}
	}
	free(ix->buckets);
	ix->buckets = b;
	ix->mask = size - 1;
}

static int node_insert(struct store_index *ix, const char *key, uint32_t h, json_t *obj)
{
	struct store_node *update[STORE_SKIP_MAX], *n;
	size_t klen = strlen(key);
	int level = random_level(ix), i;

	n = malloc(sizeof(*n) + level * sizeof(n->next[0]) + klen + 1);
	if (!n)
		return KUBE_ENOMEM;
	n->obj = obj;
	n->hash = h;
	n->level = (uint8_t)level;
	n->dead = false;
	n->key = (char *)&n->next[level];
	memcpy(n->key, key, klen + 1);
	skip_find(ix, key, update);
	for (i = ix->level; i < level; i++)
		update[i] = NULL;
	if (level > ix->level)
		ix->level = level;
	for (i = 0; i < level; i++) {
		struct store_node **link = update[i] ? &update[i]->next[i] : &ix->head[i];

		n->next[i] = *link;
		*link = n;
	}
	n->hnext = ix->buckets[h & ix->mask];
	ix->buckets[h & ix->mask] = n;
	if (++ix->count > ix->mask + 1)
		hash_grow(ix);
	return 0;
}

/* Set @p key to @p obj (reference stolen on success), replacing any object
 * there. 0 or KUBE_ENOMEM (nothing changed, @p obj not taken). */
int store__index_put(struct store_index *ix, const char *key, json_t *obj)
{
	struct store_node *n = store__index_get(ix, key);

	if (n) {
		json_decref(n->obj);
		n->obj = obj;
		return 0;
	}
	return node_insert(ix, key, key_hash(key), obj);
}

/* Remove @p key and return its object (the index's reference), or NULL. */
json_t *store__index_take(struct store_index *ix, const char *key)
{
	struct store_node *update[STORE_SKIP_MAX], *n, **link;
	uint32_t h = key_hash(key);
	json_t *obj;
	int i;

	n = skip_find(ix, key, update);
	if (!n || strcmp(n->key, key) != 0)
		return NULL;
	for (i = 0; i < n->level; i++) {
		link = update[i] ? &update[i]->next[i] : &ix->head[i];
		*link = n->next[i];
	}
	for (link = &ix->buckets[h & ix->mask]; *link != n; link = &(*link)->hnext)
		;
	*link = n->hnext;
	ix->count--;
	obj = n->obj;
	n->obj = NULL;
	if (ix->visiting) {
		n->dead = true;
		n->hnext = ix->grave;
		ix->grave = n;
	} else {
		free(n);
	}
	return obj;
}

/* The first node whose key is at or after @p prefix (may be past it). */
struct store_node *store__index_seek(const struct store_index *ix, const char *prefix)
{
	return skip_find(ix, prefix, NULL);
}

/* Free the nodes removed during visits; call when none is running. */
void store__index_reap(struct store_index *ix)
{
	struct store_node *n, *next;

	for (n = ix->grave; n; n = next) {
		next = n->hnext;
		free(n);
	}
	ix->grave = NULL;
}
