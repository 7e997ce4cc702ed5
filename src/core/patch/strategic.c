/*
 * Strategic merge patch, following k8s.io/apimachinery/pkg/util/strategicpatch
 * (mergeMap with MergeParallelList and IgnoreUnmatchedNulls, as the API
 * server applies it), with the patch metadata read from the OpenAPI schema
 * instead of Go struct tags.
 *
 * Both trees are deep copies owned here, so merging mutates them freely.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch_int.h"
#include "core/status.h"

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ORDER "$setElementOrder"
#define DELETE_PRIMITIVE "$deleteFromPrimitiveList"

/* mergepatch's errors the API server answers with 400 BadRequest. */
#define ERR_PRIMITIVE_LIST "invalid patch format of primitive list"
#define ERR_RETAIN_KEYS "invalid patch format of retainKeys"
#define ERR_SET_ORDER "invalid patch format of setElementOrder list"

/* The first failure of a merge. */
struct smp {
	int err;   /* KUBE_EINVAL (400), KUBE_EINVALID (422) or KUBE_EINTERNAL (500) */
	char *msg; /* upstream's error text */
};

static bool failf(struct smp *m, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool failf(struct smp *m, int err, const char *fmt, ...)
{
	va_list ap;

	if (m->err)
		return false;
	m->err = err;
	va_start(ap, fmt);
	if (vasprintf(&m->msg, fmt, ap) < 0)
		m->msg = NULL;
	va_end(ap);
	return false;
}

/* mergepatch.ErrNoMergeKey */
static bool fail_no_key(struct smp *m, const json_t *item, const char *key)
{
	char *s = kube__go_string(item);

	failf(m, KUBE_EINTERNAL, "map: %s does not contain declared merge key: %s", s ? s : "", key);
	free(s);
	return false;
}

/* mergepatch.ErrBadArgType for an expected map or list */
static bool fail_arg_type(struct smp *m, json_type want, const json_t *got)
{
	return failf(m, KUBE_EINTERNAL, "expected a %s, but received a %s",
		     want == JSON_OBJECT ? "map[string]interface {}" : "[]interface {}",
		     kube__go_type(got));
}

static bool prefixed(const char *key, const char *prefix)
{
	return !strncmp(key, prefix, strlen(prefix));
}

/* extractKey: "<prefix>/<key>" -> key, or NULL with the format error. */
static const char *extract_key(const char *key, const char *prefix, struct smp *m)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n) || key[n] != '/')
		return failf(m, KUBE_EINVAL, "%s", !strcmp(prefix, SET_ORDER) ? ERR_SET_ORDER :
			     ERR_PRIMITIVE_LIST), NULL;
	return key + n + 1;
}

/* The strategy besides retainKeys ("merge", "replace" or ""). */
static const char *strategy_of(const struct kube_schema *fs)
{
	const char *ps = kube__schema_patch_strategy(fs);

	if (!strncmp(ps, "merge", 5))
		return "merge";
	if (!strncmp(ps, "replace", 7))
		return "replace";
	return "";
}

static void discard_nulls(json_t *v)
{
	const char *key;
	json_t *c;
	void *tmp;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, key, c) {
			if (json_is_null(c))
				json_object_del(v, key);
			else
				discard_nulls(c);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			discard_nulls(c);
	}
}

static json_t *copy_no_nulls(const json_t *v)
{
	json_t *c = json_deep_copy(v);

	discard_nulls(c);
	return c;
}

/* ---- element order ------------------------------------------------------ */

/* Go's == on the merge key values (maps) or on the items (scalars). */
static bool same_item(const json_t *a, const json_t *b, const char *mk)
{
	if (*mk) {
		a = json_object_get(a, mk);
		b = json_object_get(b, mk);
	}
	if (!a || !b)
		return a == b;
	return json_equal(a, b);
}

static long index_of(const json_t *list, const json_t *item, const char *mk)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (same_item(v, item, mk))
			return (long)i;
	return -1;
}

/* normalizeSliceOrder: a stable sort of @p items by their place in @p order. */
static json_t *sort_by(const json_t *items, const json_t *order, const char *mk)
{
	json_t *out = json_array(), *v;
	size_t i, j;

	json_array_foreach(items, i, v) {
		long iv = index_of(order, v, mk);

		for (j = json_array_size(out); j > 0; j--) {
			long jv = index_of(order, json_array_get(out, j - 1), mk);

			if (iv < 0 || jv < 0 || jv <= iv)
				break;
		}
		json_array_insert(out, j, v);
	}
	return out;
}

/* mergeSortedSlice: interleave server-only items (@p left) into the patch
 * items (@p right), a left item first only when the live order says so. */
static json_t *merge_sorted(const json_t *left, const json_t *right, const json_t *order,
			    const char *mk)
{
	json_t *out = json_array();
	size_t i = 0, j = 0, nl = json_array_size(left), nr = json_array_size(right);

	while (i < nl || j < nr) {
		if (i < nl && j < nr) {
			long li = index_of(order, json_array_get(left, i), mk);
			long ri = index_of(order, json_array_get(right, j), mk);

			if (li >= 0 && ri >= 0 && li < ri)
				json_array_append(out, json_array_get(left, i++));
			else
				json_array_append(out, json_array_get(right, j++));
		} else if (i < nl) {
			json_array_append(out, json_array_get(left, i++));
		} else {
			json_array_append(out, json_array_get(right, j++));
		}
	}
	return out;
}

static bool keys_present(const json_t *list, const char *mk, struct smp *m)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		if (!json_is_object(v))
			return fail_arg_type(m, JSON_OBJECT, v);
		if (!json_object_get(v, mk))
			return fail_no_key(m, v, mk);
	}
	return true;
}

/*
 * Partition @p merged into the items present in @p by and the server-only
 * rest, sort each by its own order and interleave them (partition*ByPresentInList
 * + normalizeElementOrder).
 */
static json_t *order_items(const json_t *merged, const json_t *by, const json_t *server_order,
			   const char *mk, bool maps, struct smp *m)
{
	json_t *in = json_array(), *only = json_array(), *a, *b, *out = NULL, *v;
	size_t i;

	if (maps && (!keys_present(merged, mk, m) || !keys_present(by, mk, m) ||
		     !keys_present(server_order, mk, m)))
		goto out;
	json_array_foreach(merged, i, v)
		json_array_append(index_of(by, v, maps ? mk : "") >= 0 ? in : only, v);
	a = sort_by(in, by, maps ? mk : "");
	b = sort_by(only, server_order, maps ? mk : "");
	out = merge_sorted(b, a, server_order, maps ? mk : "");
	json_decref(a);
	json_decref(b);
out:
	json_decref(in);
	json_decref(only);
	return out;
}

/* ---- lists --------------------------------------------------------------- */

/* sliceElementType: one JSON type for all elements, never a list. */
static int element_type(const json_t *a, const json_t *b, struct smp *m)
{
	const json_t *lists[2] = { a, b };
	int type = -1;
	size_t i;
	json_t *v;

	for (int l = 0; l < 2; l++) {
		json_array_foreach(lists[l], i, v) {
			int t = json_is_boolean(v) ? JSON_TRUE : (int)json_typeof(v);

			if (type < 0 && t == JSON_ARRAY)
				return failf(m, KUBE_EINVALID, "lists of lists are not supported"), -2;
			if (type >= 0 && t != type) {
				char *sa = kube__go_string(a), *sb = kube__go_string(b);

				failf(m, KUBE_EINTERNAL, "list element types are not identical: [%s %s]",
				      sa ? sa : "", sb ? sb : "");
				free(sa);
				free(sb);
				return -2;
			}
			type = t;
		}
	}
	if (type < 0)
		failf(m, KUBE_EINTERNAL, "no elements in any of the given slices");
	return type;
}

static json_t *merge_map(json_t *orig, json_t *patch, const struct kube_schema *s, struct smp *m);

/* Drop every item whose merge key equals @p val (deleteMatchingEntries). */
static bool delete_matching(json_t *list, const char *mk, const json_t *val, struct smp *m)
{
	size_t i = 0;

	while (i < json_array_size(list)) {
		json_t *v = json_array_get(list, i);

		if (!json_is_object(v))
			return failf(m, KUBE_EINTERNAL, "value for key %zu is not a map.", i);
		if (json_object_get(v, mk) && json_equal(json_object_get(v, mk), val))
			json_array_remove(list, i);
		else
			i++;
	}
	return true;
}

/* mergeSliceWithSpecialElements: apply $patch items; the rest in *plain. */
static bool special_items(json_t **orig, const json_t *patch, const char *mk, json_t **plain,
			  struct smp *m)
{
	bool replace = false;
	size_t i;
	json_t *v, *rest = json_array();

	json_array_foreach(patch, i, v) {
		const json_t *d = json_object_get(v, DIRECTIVE);
		const char *ds = json_string_value(d);

		if (!d) {
			json_array_append(rest, v);
		} else if (ds && !strcmp(ds, "delete")) {
			if (!json_object_get(v, mk))
				goto no_key;
			if (!delete_matching(*orig, mk, json_object_get(v, mk), m))
				goto fail;
		} else if (ds && !strcmp(ds, "replace")) {
			replace = true;
		} else if (ds && !strcmp(ds, "merge")) {
			failf(m, KUBE_EINTERNAL, "merging lists cannot yet be specified in the patch");
			goto fail;
		} else {
			char *sd = kube__go_string(d), *sv = kube__go_string(v);

			failf(m, KUBE_EINTERNAL, "unknown patch type: %s in map: %s", sd ? sd : "",
			      sv ? sv : "");
			free(sd);
			free(sv);
			goto fail;
		}
	}
	if (replace) {
		json_decref(*orig);
		*orig = rest;
		*plain = json_array();
	} else {
		*plain = rest;
	}
	return true;
no_key:
	fail_no_key(m, v, mk);
fail:
	json_decref(rest);
	return false;
}

/* mergeSliceWithoutSpecialElements: merge items by key, append new ones. */
static bool merge_items(json_t *orig, const json_t *patch, const char *mk,
			const struct kube_schema *es, struct smp *m)
{
	size_t i, j;
	json_t *v, *o;

	json_array_foreach(patch, i, v) {
		const json_t *key = json_object_get(v, mk);
		bool found = false;

		if (!key)
			return fail_no_key(m, v, mk);
		json_array_foreach(orig, j, o) {
			if (!json_is_object(o))
				return failf(m, KUBE_EINTERNAL, "value for key %zu is not a map.", j);
			if (json_object_get(o, mk) && json_equal(json_object_get(o, mk), key)) {
				json_t *merged = merge_map(o, (json_t *)v, es, m);

				if (!merged)
					return false;
				json_array_set_new(orig, j, merged);
				found = true;
				break;
			}
		}
		if (!found)
			json_array_append_new(orig, copy_no_nulls(v));
	}
	return true;
}

/* deleteFromSlice: $deleteFromPrimitiveList */
static json_t *delete_values(const json_t *cur, const json_t *gone)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(cur, i, v)
		if (index_of(gone, v, "") < 0)
			json_array_append(out, v);
	return out;
}

static json_t *merge_slice(json_t *orig, json_t *patch, const struct kube_schema *es,
			   const char *mk, bool del_list, struct smp *m)
{
	json_t *o, *plain = NULL, *out = NULL, *v;
	int type;
	size_t i;

	if (!json_array_size(orig) && !json_array_size(patch))
		return json_incref(orig);
	type = element_type(orig, patch, m);
	if (type < 0)
		return NULL;
	o = json_deep_copy(orig);
	if (type != JSON_OBJECT) {
		if (del_list) {
			out = delete_values(orig, patch);
			goto done;
		}
		json_array_foreach(patch, i, v)
			if (index_of(o, v, "") < 0)
				json_array_append(o, v);
		out = order_items(o, patch, orig, "", false, m);
		goto done;
	}
	if (!*mk) {
		failf(m, KUBE_EINTERNAL, "cannot merge lists without merge key for %s",
		      kube__schema_name(es));
		goto done;
	}
	if (!special_items(&o, patch, mk, &plain, m))
		goto done;
	{
		json_t *server = json_deep_copy(o);

		if (merge_items(o, plain, mk, es, m))
			out = order_items(o, plain, server, mk, true, m);
		json_decref(server);
	}
done:
	json_decref(plain);
	json_decref(o);
	return out;
}

/* mergeSliceHandler: only lists with the merge strategy merge. */
static json_t *merge_list_field(json_t *orig, json_t *patch, const struct kube_schema *fs,
				bool del_list, struct smp *m)
{
	if (strcmp(strategy_of(fs), "merge"))
		return json_deep_copy(patch);
	return merge_slice(orig, patch, kube__schema_items(fs), kube__schema_merge_key(fs), del_list,
			   m);
}

/* ---- maps ---------------------------------------------------------------- */

static json_t *map_directive(const json_t *d, json_t *patch, struct smp *m)
{
	const char *ds = json_string_value(d);
	char *sd, *sp;
	json_t *out;

	if (ds && !strcmp(ds, "replace")) {
		out = json_deep_copy(patch);
		json_object_del(out, DIRECTIVE);
		return out;
	}
	if (ds && !strcmp(ds, "delete"))
		return json_object();
	sd = kube__go_string(d);
	sp = kube__go_string(patch);
	failf(m, KUBE_EINTERNAL, "unknown patch type: %s in map: %s", sd ? sd : "", sp ? sp : "");
	free(sd);
	free(sp);
	return NULL;
}

/* applyRetainKeysDirective */
static bool retain_keys(json_t *orig, json_t *patch, struct smp *m)
{
	json_t *keep = json_object_get(patch, RETAIN_KEYS), *v;
	const char *key;
	void *tmp;
	size_t i;

	if (!keep)
		return true;
	keep = json_incref(keep);
	json_object_del(patch, RETAIN_KEYS);
	if (!json_is_array(keep))
		goto bad;
	json_object_foreach(patch, key, v) {
		bool found = false;
		json_t *k;

		if (json_is_null(v) || prefixed(key, DELETE_PRIMITIVE) || prefixed(key, SET_ORDER))
			continue;
		json_array_foreach(keep, i, k)
			found = found || (json_is_string(k) && !strcmp(json_string_value(k), key));
		if (!found)
			goto bad;
	}
	json_object_foreach_safe(orig, tmp, key, v) {
		bool found = false;
		json_t *k;

		json_array_foreach(keep, i, k)
			found = found || (json_is_string(k) && !strcmp(json_string_value(k), key));
		if (!found)
			json_object_del(orig, key);
	}
	json_decref(keep);
	return true;
bad:
	json_decref(keep);
	return failf(m, KUBE_EINVAL, ERR_RETAIN_KEYS);
}

/* validatePatchWithSetOrderList */
static bool check_order_list(const json_t *plist, const json_t *order, const char *mk,
			     struct smp *m)
{
	size_t pi = 0, oi = 0, n;
	json_t *items = json_array(), *v;

	json_array_foreach(plist, n, v) {
		const char *d = json_string_value(json_object_get(v, DIRECTIVE));

		if (!*mk || !d || strcmp(d, "delete"))
			json_array_append(items, v);
	}
	n = json_array_size(items);
	while (pi < n && oi < json_array_size(order)) {
		json_t *p = json_array_get(items, pi), *o = json_array_get(order, oi);

		if (json_object_get(p, DIRECTIVE)) {
			pi++;
			continue;
		}
		if (*mk && (!json_is_object(p) || !json_is_object(o))) {
			json_decref(items);
			return fail_arg_type(m, JSON_OBJECT, json_is_object(p) ? o : p);
		}
		if (*mk && (!json_object_get(p, mk) || !json_object_get(o, mk))) {
			json_decref(items);
			return fail_no_key(m, json_object_get(p, mk) ? o : p, mk);
		}
		if (same_item(p, o, mk))
			pi++;
		oi++;
	}
	json_decref(items);
	if (pi < n && oi >= json_array_size(order)) {
		char *sp = kube__go_string(plist), *so = kube__go_string(order);

		failf(m, KUBE_EINTERNAL, "The order in patch list:\n%s\n doesn't match %s list:\n%s\n",
		      sp ? sp : "", SET_ORDER, so ? so : "");
		free(sp);
		free(so);
		return false;
	}
	return true;
}

/* One $setElementOrder/<key> directive (mergePatchIntoOriginal). */
static bool set_order_one(json_t *orig, json_t *patch, const char *key, const json_t *order,
			  const struct kube_schema *s, struct smp *m)
{
	const char *ok = extract_key(key, SET_ORDER, m);
	const struct kube_schema *fs;
	json_t *ol, *pl, *merged, *both;
	const char *mk;
	int type;

	if (!ok)
		return false;
	ol = json_object_get(orig, ok);
	pl = json_object_get(patch, ok);
	if (ol && !json_is_array(ol))
		return fail_arg_type(m, JSON_ARRAY, ol);
	if (pl && !json_is_array(pl))
		return fail_arg_type(m, JSON_ARRAY, pl);
	fs = kube__child_schema(s, ok);
	mk = kube__schema_merge_key(fs);
	if (pl && !check_order_list(pl, order, mk, m))
		return false;
	if (!ol && !pl)
		return true;
	merged = !pl ? json_incref(ol) : !ol ? json_incref(pl) : merge_list_field(ol, pl, fs, false, m);
	if (!merged)
		return false;
	type = element_type(ol, pl, m);
	both = type < 0 ? NULL : order_items(merged, order, ol ? ol : pl, mk, type == JSON_OBJECT, m);
	json_decref(merged);
	if (!both)
		return false;
	json_object_set_new(orig, ok, both);
	json_object_del(patch, ok);
	return true;
}

static bool set_element_orders(json_t *orig, json_t *patch, const struct kube_schema *s,
			       struct smp *m)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(patch, tmp, key, v) {
		char *k;
		bool ok;

		if (!prefixed(key, SET_ORDER))
			continue;
		if (!json_is_array(v))
			return fail_arg_type(m, JSON_ARRAY, v);
		k = strdup(key);
		json_incref(v);
		json_object_del(patch, key);
		ok = k && set_order_one(orig, patch, k, v, s, m);
		json_decref(v);
		free(k);
		if (!ok)
			return false;
		/* the patch changed under the iteration: start over */
		return set_element_orders(orig, patch, s, m);
	}
	return true;
}

/* One key of the patch merged into @p orig. */
static bool merge_key(json_t *orig, const char *key, json_t *pv, const struct kube_schema *s,
		      struct smp *m)
{
	bool del_list = prefixed(key, DELETE_PRIMITIVE);
	const struct kube_schema *fs;
	json_t *cur, *v;

	if (del_list && !(key = extract_key(key, DELETE_PRIMITIVE, m)))
		return false;
	if (json_is_null(pv)) {
		json_object_del(orig, key);
		return true;
	}
	cur = json_object_get(orig, key);
	if (!cur || json_typeof(cur) != json_typeof(pv) ||
	    (!json_is_object(cur) && !json_is_array(cur))) {
		if (!del_list)
			json_object_set_new(orig, key, copy_no_nulls(pv));
		return true;
	}
	fs = kube__child_schema(s, key);
	if (json_is_object(cur))
		v = !strcmp(strategy_of(fs), "replace") ? json_deep_copy(pv) :
			merge_map(cur, pv, fs, m);
	else
		v = merge_list_field(cur, pv, fs, del_list, m);
	if (!v)
		return false;
	json_object_set_new(orig, key, v);
	return true;
}

/* mergeMap: returns a new reference, NULL on failure (m says why). */
static json_t *merge_map(json_t *orig, json_t *patch, const struct kube_schema *s, struct smp *m)
{
	const json_t *d = json_object_get(patch, DIRECTIVE);
	json_t *out, *pv, *p;
	const char *key;

	if (d)
		return map_directive(d, patch, m);
	out = orig ? json_deep_copy(orig) : json_object();
	p = json_deep_copy(patch);
	if (!retain_keys(out, p, m) || !set_element_orders(out, p, s, m))
		goto fail;
	json_object_foreach(p, key, pv)
		if (!merge_key(out, key, pv, s, m))
			goto fail;
	json_decref(p);
	return out;
fail:
	json_decref(p);
	json_decref(out);
	return NULL;
}

int kube__strategic_patch(const json_t *doc, const json_t *patch, const struct kube_schema *s,
			  json_t **out, json_t **st)
{
	struct smp m = { 0 };

	*out = NULL;
	if (!json_is_object(patch)) {
		m.err = KUBE_EINVAL;
		m.msg = strdup("invalid JSON document");
	} else {
		*out = merge_map((json_t *)doc, (json_t *)patch, s, &m);
	}
	if (*out)
		return 0;
	if (!m.err)
		m.err = KUBE_ENOMEM;
	if (st && m.err == KUBE_EINVALID) {
		*st = kube__patch_status_unprocessable();
	} else if (st) {
		*st = kube__status_new(m.err, m.msg ? m.msg : kube_strerror(m.err), NULL);
		/* a plain Go error becomes a 500 without a reason (StatusReasonUnknown) */
		if (m.err == KUBE_EINTERNAL)
			json_object_del(*st, "reason");
	}
	free(m.msg);
	return m.err;
}
