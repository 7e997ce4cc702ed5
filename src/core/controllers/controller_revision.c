/*
 * ControllerRevision history helpers (controller_revision.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/controller_revision.h"
#include "core/controllers/podutil.h"

/* upstream's rand.SafeEncodeString alphabet: no vowels, no confusable digits */
static const char safe_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

json_t *kube__revision_data(const json_t *owner)
{
	json_t *tmpl = json_object_get(json_object_get(owner, "spec"), "template");

	if (!json_is_object(tmpl))
		return NULL;
	tmpl = json_deep_copy(tmpl);
	json_object_set_new(tmpl, "$patch", json_string("replace"));
	return json_pack("{s:{s:o}}", "spec", "template", tmpl);
}

json_t *kube__revision_template(const json_t *rev)
{
	json_t *tmpl = json_object_get(json_object_get(json_object_get(rev, "data"), "spec"),
				       "template");

	if (!json_is_object(tmpl))
		return NULL;
	tmpl = json_deep_copy(tmpl);
	json_object_del(tmpl, "$patch");
	return tmpl;
}

static uint32_t fnv_bytes(uint32_t h, const char *s, enum kube_revision_fnv fnv)
{
	for (; *s; s++) {
		if (fnv == KUBE_FNV1A)
			h = (h ^ (unsigned char)*s) * 16777619u;
		else
			h = (h * 16777619u) ^ (unsigned char)*s;
	}
	return h;
}

void kube__revision_hash(const json_t *v, const int64_t *collision, enum kube_revision_fnv fnv,
			 char *out, size_t len)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	uint32_t h = 2166136261u;
	char dec[24];
	size_t i;

	if (text)
		h = fnv_bytes(h, text, fnv);
	free(text);
	if (collision) {
		snprintf(dec, sizeof(dec), "%lld", (long long)*collision);
		h = fnv_bytes(h, dec, fnv);
	}
	snprintf(dec, sizeof(dec), "%u", h);
	for (i = 0; dec[i] && i + 1 < len; i++)
		out[i] = safe_alphabet[(unsigned char)dec[i] % (sizeof(safe_alphabet) - 1)];
	out[i] = '\0';
}

json_t *kube__revision_new(const json_t *owner, const json_t *labels, const json_t *data,
			   int64_t revision, const char *hash)
{
	const json_t *om = json_object_get(owner, "metadata");
	const char *oname = json_string_value(json_object_get(om, "name"));
	json_t *ann = json_object_get(om, "annotations");
	json_t *lab = json_is_object(labels) ? json_deep_copy(labels) : json_object();
	char name[300];

	/* ControllerRevisionName keeps the prefix within 223 characters */
	snprintf(name, sizeof(name), "%.223s-%s", oname ? oname : "", hash);
	json_object_set_new(lab, KUBE_REVISION_HASH_LABEL, json_string(hash));
	return json_pack("{s:s, s:s, s:{s:s, s:O, s:o, s:o, s:[o]}, s:O, s:I}",
			 "apiVersion", "apps/v1", "kind", "ControllerRevision",
			 "metadata", "name", name, "namespace", json_object_get(om, "namespace"),
			 "labels", lab, "annotations",
			 json_is_object(ann) ? json_deep_copy(ann) : json_object(),
			 "ownerReferences", kube__new_controller_ref(owner),
			 "data", data, "revision", (json_int_t)revision);
}

const char *kube__revision_name(const json_t *rev)
{
	return json_string_value(json_object_get(json_object_get(rev, "metadata"), "name"));
}

int64_t kube__revision_number(const json_t *rev)
{
	return json_integer_value(json_object_get(rev, "revision"));
}

struct collect {
	const char *uid;
	json_t *out;
};

static int collect_one(const char *key, const json_t *obj, void *data)
{
	struct collect *k = data;

	(void)key;
	if (kube__controlled_by(obj, k->uid))
		json_array_append(k->out, (json_t *)obj);
	return 0;
}

static int cmp_revisions(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t rx = kube__revision_number(x), ry = kube__revision_number(y);
	const char *tx, *ty;
	int d;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	tx = kube__meta_str(x, "creationTimestamp");
	ty = kube__meta_str(y, "creationTimestamp");
	d = strcmp(tx ? tx : "", ty ? ty : "");
	return d ? d : strcmp(kube__revision_name(x), kube__revision_name(y));
}

json_t *kube__revisions_of(kube_cluster *c, const json_t *owner)
{
	const struct kube_kind *k = kube__registry_by_gvk("apps/v1", "ControllerRevision");
	struct collect col = { .uid = kube__meta_str(owner, "uid"), .out = json_array() };
	char *prefix = kube__key_prefix(k, kube__meta_str(owner, "namespace"));
	size_t n = 0;
	json_t **v;

	if (prefix)
		store_list(c->store, prefix, collect_one, &col);
	free(prefix);
	n = json_array_size(col.out);
	v = n ? malloc(n * sizeof(*v)) : NULL;
	if (!v)
		return col.out;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(col.out, i));
	qsort(v, n, sizeof(*v), cmp_revisions);
	json_array_clear(col.out);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(col.out, v[i]);
	free(v);
	return col.out;
}

int64_t kube__revisions_max(const json_t *revs)
{
	int64_t max = 0;
	json_t *r;
	size_t i;

	json_array_foreach(revs, i, r)
		if (kube__revision_number(r) > max)
			max = kube__revision_number(r);
	return max;
}

bool kube__revision_matches(const json_t *rev, const json_t *data)
{
	return json_equal(json_object_get(rev, "data"), (json_t *)data);
}

int kube__revisions_truncate(kube_cluster *c, const json_t *revs, const json_t *live,
			     int64_t limit, kube_op_cb cb, void *data)
{
	const struct kube_kind *k = kube__registry_by_gvk("apps/v1", "ControllerRevision");
	int64_t history = 0, excess;
	int deleted = 0;
	json_t *r;
	size_t i;

	json_array_foreach(revs, i, r)
		if (!json_object_get(live, kube__revision_name(r)))
			history++;
	if (limit < 0 || history <= limit)
		return 0;
	excess = history - limit;
	json_array_foreach(revs, i, r) {
		if (deleted >= excess)
			break;
		if (json_object_get(live, kube__revision_name(r)))
			continue;
		kube__op_delete(c, k, kube__meta_str(r, "namespace"), kube__revision_name(r), NULL,
				cb, data);
		deleted++;
	}
	return deleted;
}
