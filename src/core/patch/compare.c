/*
 * The difference between two versions of an object as field sets, as
 * structured-merge-diff's TypedValue.Compare reports it: Modified leaves,
 * Added and Removed nodes (whole subtrees).
 */
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch_int.h"

struct cmp {
	json_t *modified, *added, *removed; /* the sets being built */
};

/* Every node of @p v's subtree into @p node (Added or Removed). Struct
 * nodes with content are containers only, as upstream records them. */
static void subtree(const json_t *v, const struct kube_schema *s, json_t *node)
{
	const char *keys[KUBE_LIST_MAX_KEYS];
	const char *key;
	json_t *c;
	size_t i;
	char *pe;

	if (kube__schema_type(s) != KUBE_SCHEMA_OBJECT || !json_object_size(v))
		kube__fieldset_mark(node);
	if (json_is_object(v) && kube__schema_type(s) <= KUBE_SCHEMA_MAP) {
		json_object_foreach((json_t *)v, key, c) {
			if (asprintf(&pe, "f:%s", key) < 0)
				continue;
			subtree(c, kube__child_schema(s, key), kube__fieldset_child(node, pe));
			free(pe);
		}
	} else if (json_is_array(v) && kube__list_kind(s, keys) != KUBE_LIST_ATOMIC) {
		json_array_foreach(v, i, c) {
			if (!(pe = kube__list_item_pe(s, c, i)))
				continue;
			subtree(c, kube__schema_items(s), kube__fieldset_child(node, pe));
			free(pe);
		}
	}
}

static void walk(const json_t *l, const json_t *r, const struct kube_schema *s, struct cmp *x);

/* Descend into child @p pe of the three sets, compare, come back. */
static void descend(const json_t *l, const json_t *r, const struct kube_schema *s,
		    struct cmp *x, const char *pe)
{
	struct cmp sub = {
		kube__fieldset_child(x->modified, pe),
		kube__fieldset_child(x->added, pe),
		kube__fieldset_child(x->removed, pe),
	};

	walk(l, r, s, &sub);
}

static void walk_objects(const json_t *l, const json_t *r, const struct kube_schema *s,
			 struct cmp *x)
{
	const char *key;
	json_t *v;
	char *pe;

	json_object_foreach((json_t *)l, key, v) {
		if (asprintf(&pe, "f:%s", key) < 0)
			continue;
		descend(v, json_object_get(r, key), kube__child_schema(s, key), x, pe);
		free(pe);
	}
	json_object_foreach((json_t *)r, key, v) {
		if (json_object_get(l, key) || asprintf(&pe, "f:%s", key) < 0)
			continue;
		descend(NULL, v, kube__child_schema(s, key), x, pe);
		free(pe);
	}
}

/* The item of @p list whose path element is @p pe, or NULL. */
static const json_t *item_by_pe(const json_t *list, const struct kube_schema *s, const char *pe)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		char *p = kube__list_item_pe(s, v, i);
		bool same = p && !strcmp(p, pe);

		free(p);
		if (same)
			return v;
	}
	return NULL;
}

static void walk_lists(const json_t *l, const json_t *r, const struct kube_schema *s,
		       struct cmp *x)
{
	const struct kube_schema *es = kube__schema_items(s);
	size_t i;
	json_t *v;

	json_array_foreach(l, i, v) {
		char *pe = kube__list_item_pe(s, v, i);

		if (pe)
			descend(v, item_by_pe(r, s, pe), es, x, pe);
		free(pe);
	}
	json_array_foreach(r, i, v) {
		char *pe = kube__list_item_pe(s, v, i);

		if (pe && !item_by_pe(l, s, pe))
			descend(NULL, v, es, x, pe);
		free(pe);
	}
}

static void walk(const json_t *l, const json_t *r, const struct kube_schema *s, struct cmp *x)
{
	const char *keys[KUBE_LIST_MAX_KEYS];
	bool granular_obj = json_is_object(l) && json_is_object(r) &&
			    kube__schema_type(s) <= KUBE_SCHEMA_MAP &&
			    (json_object_size(l) || json_object_size(r));
	bool granular_list = json_is_array(l) && json_is_array(r) &&
			     kube__list_kind(s, keys) != KUBE_LIST_ATOMIC;

	if (!l && r)
		subtree(r, s, x->added);
	else if (l && !r)
		subtree(l, s, x->removed);
	else if (granular_obj)
		walk_objects(l, r, s, x);
	else if (granular_list)
		walk_lists(l, r, s, x);
	else if (!json_equal(l, r))
		kube__fieldset_mark(x->modified);
}

void kube__fieldset_compare(const json_t *old, const json_t *new, const struct kube_schema *s,
			    json_t **modified, json_t **added, json_t **removed)
{
	struct cmp x = { json_object(), json_object(), json_object() };
	json_t *empty = json_object();

	walk_objects(old ? old : empty, new ? new : empty, s, &x);
	json_t *sets[3] = { x.modified, x.added, x.removed }, **outs[3] = { modified, added, removed };

	json_decref(empty);
	for (int i = 0; i < 3; i++) {
		json_t *clean = kube__fieldset_diff(sets[i], NULL);

		json_decref(sets[i]);
		if (outs[i])
			*outs[i] = clean;
		else
			json_decref(clean);
	}
}
