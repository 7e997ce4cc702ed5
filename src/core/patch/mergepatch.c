/*
 * RFC 7386 JSON merge patch, as evanphx/json-patch's MergePatch: objects
 * merge key by key, null deletes, every other value replaces. A value that
 * lands where there was nothing to merge with (or no object) has the nulls
 * in its objects pruned, arrays keep theirs.
 */
#include "core/patch/patch.h"

static void prune_nulls(json_t *v)
{
	const char *key;
	json_t *child;
	void *tmp;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, key, child) {
			if (json_is_null(child))
				json_object_del(v, key);
			else
				prune_nulls(child);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			prune_nulls(child);
	}
}

static void merge_into(json_t *doc, const json_t *patch);

/* merge(): only two objects merge; otherwise the patch value wins. */
static json_t *merge_value(json_t *cur, const json_t *patch)
{
	json_t *v;

	if (!json_is_object(cur)) {
		v = json_deep_copy(patch);
		prune_nulls(v);
		return v;
	}
	if (!json_is_object(patch))
		return json_deep_copy(patch);
	v = json_incref(cur);
	merge_into(v, patch);
	return v;
}

static void merge_into(json_t *doc, const json_t *patch)
{
	const char *key;
	json_t *pv, *cur;

	json_object_foreach((json_t *)patch, key, pv) {
		cur = json_object_get(doc, key);
		if (json_is_null(pv)) {
			json_object_del(doc, key);
		} else if (!cur || json_is_null(cur)) {
			json_t *v = json_deep_copy(pv);

			prune_nulls(v);
			json_object_set_new(doc, key, v);
		} else {
			json_object_set_new(doc, key, merge_value(cur, pv));
		}
	}
}

json_t *kube__merge_patch(const json_t *doc, const json_t *patch)
{
	json_t *out;

	if (!json_is_object(patch))
		return NULL;
	out = json_is_object(doc) ? json_deep_copy(doc) : json_object();
	if (out)
		merge_into(out, patch);
	return out;
}
