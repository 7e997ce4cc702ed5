/*
 * metadata.managedFields: decoding the entries into field sets, encoding
 * them back in upstream's order, and the bookkeeping of non-apply writes
 * (structured-merge-diff's Updater.Update as the API server's field
 * manager drives it).
 */
#include <stdlib.h>
#include <string.h>
#include "core/patch/managed.h"

/* Paths upstream's stripMetaManager keeps out of every set (members only). */
static const char *const stripped_meta[] = {
	"f:name", "f:namespace", "f:creationTimestamp", "f:selfLink", "f:uid",
	"f:clusterName", "f:generation", "f:managedFields", "f:resourceVersion", NULL,
};

void kube__managed_strip(json_t *set, const struct kube_ssa_ctx *x)
{
	json_t *meta = json_object_get(set, "f:metadata"), *n;

	json_object_del(json_object_get(set, "f:apiVersion"), ".");
	json_object_del(json_object_get(set, "f:kind"), ".");
	json_object_del(meta, ".");
	for (int i = 0; stripped_meta[i]; i++)
		if ((n = json_object_get(meta, stripped_meta[i])))
			json_object_del(n, ".");
	json_object_del(meta, "f:managedFields");
	/* fields the write resets (ResetFieldsStrategy) are nobody's */
	if (x->status)
		json_object_del(set, "f:spec");
	else if (x->ignore_status)
		json_object_del(set, "f:status");
	n = kube__fieldset_diff(set, NULL);
	json_object_clear(set);
	json_object_update(set, n);
	json_decref(n);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

json_t *kube__managed_decode(const json_t *obj)
{
	const json_t *mf = json_object_get(json_object_get(obj, "metadata"), "managedFields");
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(mf, i, e) {
		json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
				      "manager", str(e, "manager"), "operation", str(e, "operation"),
				      "apiVersion", str(e, "apiVersion"), "time", str(e, "time"),
				      "subresource", str(e, "subresource"),
				      "set", kube__fieldset_decode(json_object_get(e, "fieldsV1")));

		if (m)
			json_array_append_new(out, m);
	}
	return out;
}

bool kube__managed_same(const json_t *a, const char *manager, const char *op,
			const char *api_version, const char *subresource)
{
	return !strcmp(str(a, "manager"), manager) && !strcmp(str(a, "operation"), op) &&
	       !strcmp(str(a, "subresource"), subresource) &&
	       (!strcmp(op, "Apply") || !strcmp(str(a, "apiVersion"), api_version));
}

json_t *kube__managed_find(json_t *managers, const char *manager, const char *op,
			   const char *api_version, const char *subresource)
{
	size_t i;
	json_t *m;

	json_array_foreach(managers, i, m)
		if (kube__managed_same(m, manager, op, api_version, subresource))
			return m;
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "manager", manager, "operation", op,
		      "apiVersion", api_version, "time", "", "subresource", subresource,
		      "set", json_object());
	json_array_append_new(managers, m);
	return m;
}

/* sortEncodedManagedFields: operation, time, manager, apiVersion, subresource. */
static int entry_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	int64_t ta = *str(a, "time") ? kube__parse_rfc3339(str(a, "time")) / 1000 : 0;
	int64_t tb = *str(b, "time") ? kube__parse_rfc3339(str(b, "time")) / 1000 : 0;
	int c = strcmp(str(a, "operation"), str(b, "operation"));

	if (c)
		return c;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if ((c = strcmp(str(a, "manager"), str(b, "manager"))))
		return c;
	if ((c = strcmp(str(a, "apiVersion"), str(b, "apiVersion"))))
		return c;
	return strcmp(str(a, "subresource"), str(b, "subresource"));
}

static json_t *encode_entry(const json_t *m)
{
	json_t *e = json_pack("{s:s, s:s, s:s}", "manager", str(m, "manager"), "operation",
			      str(m, "operation"), "apiVersion", str(m, "apiVersion"));

	if (*str(m, "time"))
		json_object_set_new(e, "time", json_string(str(m, "time")));
	json_object_set_new(e, "fieldsType", json_string("FieldsV1"));
	json_object_set_new(e, "fieldsV1", kube__fieldset_encode(json_object_get(m, "set")));
	if (*str(m, "subresource"))
		json_object_set_new(e, "subresource", json_string(str(m, "subresource")));
	return e;
}

void kube__managed_encode(json_t *obj, const json_t *managers)
{
	size_t n = json_array_size(managers), i, k = 0;
	const json_t **v = calloc(n + 1, sizeof(*v));
	json_t *list = json_array(), *meta = kube__meta(obj);

	for (i = 0; v && i < n; i++)
		if (!kube__fieldset_empty(json_object_get(json_array_get(managers, i), "set")))
			v[k++] = json_array_get(managers, i);
	if (v)
		qsort(v, k, sizeof(*v), entry_cmp);
	for (i = 0; i < k; i++)
		json_array_append_new(list, encode_entry(v[i]));
	free(v);
	if (json_array_size(list))
		json_object_set_new(meta, "managedFields", list);
	else {
		json_object_del(meta, "managedFields");
		json_decref(list);
	}
}

/* Take @p gone (stolen) away from every manager's set. */
void kube__managed_take(json_t *managers, const json_t *skip, json_t *gone)
{
	size_t i;
	json_t *m;

	json_array_foreach(managers, i, m) {
		if (m == skip)
			continue;
		json_object_set_new(m, "set", kube__fieldset_diff(json_object_get(m, "set"), gone));
	}
	json_decref(gone);
}

void kube__managed_update(const json_t *live, json_t *obj, const struct kube_ssa_ctx *x)
{
	const json_t *src = json_object_get(json_object_get(obj, "metadata"), "managedFields") ?
			    obj : live;
	json_t *managers = kube__managed_decode(src), *mod, *add, *rem, *me, *changed;
	const char *sub = x->status ? "status" : "";
	char ts[32];

	kube__fieldset_compare(live, obj, x->schema, &mod, &add, &rem);
	kube__managed_strip(mod, x);
	kube__managed_strip(add, x);
	kube__managed_strip(rem, x);
	changed = kube__fieldset_union(mod, add);
	/* an update takes what it changed from everyone, itself included */
	kube__managed_take(managers, NULL, json_incref(changed));
	kube__managed_take(managers, NULL, json_incref(rem));
	if (!kube__fieldset_empty(changed)) {
		me = kube__managed_find(managers, x->manager, "Update", x->api_version, sub);
		json_object_set_new(me, "set", kube__fieldset_union(json_object_get(me, "set"), changed));
		json_object_set_new(me, "time", json_string(kube__rfc3339(x->now_ms, ts, sizeof(ts))));
	}
	kube__managed_encode(obj, managers);
	json_decref(changed);
	json_decref(mod);
	json_decref(add);
	json_decref(rem);
	json_decref(managers);
}
