/*
 * A small string -> pointer hash map for the node agents' indexes (pods by
 * key, agents by node name): O(1) lookups, keys copied, values borrowed.
 */
#ifndef KUBE_RUNTIME_STRMAP_H
#define KUBE_RUNTIME_STRMAP_H

#include <stddef.h>

struct strmap_entry {
	char *key;                   /* owned copy */
	void *value;                 /* borrowed */
	struct strmap_entry *next;   /* same bucket */
};

struct strmap {
	struct strmap_entry **buckets; /* nbuckets heads, a power of two */
	size_t nbuckets;             /* heads in buckets */
	size_t count;                /* entries held */
};

/* The value under @p key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);

/* Set @p key (copied) to @p value; 0 or KUBE_ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *value);

/* Remove @p key; returns its value or NULL. */
void *strmap_del(struct strmap *m, const char *key);

/* Call @p fn for every entry; @p fn must not change the map. */
void strmap_each(const struct strmap *m, void (*fn)(const char *key, void *value, void *data),
		 void *data);

/* Every value into a new array (*out, freed with free()); returns the count. */
size_t strmap_values(const struct strmap *m, void ***out);

/* Free the map's own memory (not the values). */
void strmap_free(struct strmap *m);

#endif
