/*
 * Shared pieces of the admission path: store keys, kind resolution, reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/objfilter.h"
#include "core/status.h"

char *kube__key(const struct kube_kind *k, const char *ns, const char *name)
{
	char *key = NULL;

	if (asprintf(&key, "%s/%s/%s/%s", k->group, k->plural,
		     k->namespaced && ns ? ns : "", name) < 0)
		return NULL;
	return key;
}

char *kube__key_prefix(const struct kube_kind *k, const char *ns)
{
	char *key = NULL;
	int r;

	if (k->namespaced && ns && *ns)
		r = asprintf(&key, "%s/%s/%s/", k->group, k->plural, ns);
	else
		r = asprintf(&key, "%s/%s/", k->group, k->plural);
	return r < 0 ? NULL : key;
}

const char *kube__meta_str(const json_t *obj, const char *field)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), field));
}

json_t *kube__meta(json_t *obj)
{
	json_t *m = json_object_get(obj, "metadata");

	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(obj, "metadata", m);
	}
	return m;
}

const struct kube_kind *kube__kind_of(const json_t *obj, json_t **st)
{
	const char *av = json_string_value(json_object_get(obj, "apiVersion"));
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const struct kube_kind *k;

	if (!json_is_object(obj)) {
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			   "the object provided is not a JSON object");
		return NULL;
	}
	if (!kind || !*kind) {
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "Object 'Kind' is missing in '%s'",
			   av ? av : "{}");
		return NULL;
	}
	if (!av || !*av) {
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			   "Object 'apiVersion' is missing in object of kind '%s'", kind);
		return NULL;
	}
	k = kube__registry_by_gvk(av, kind);
	if (!k)
		kube__fail(st, KUBE_ENOTFOUND, NULL, NULL, NULL,
			   "no matches for kind \"%s\" in version \"%s\"", kind, av);
	return k;
}

const json_t *kube__op_get(kube_cluster *c, const struct kube_kind *k, const char *ns,
			   const char *name, json_t **st)
{
	char *key = kube__key(k, ns, name);
	const json_t *obj = key ? store_get(c->store, key) : NULL;

	free(key);
	if (!obj)
		kube__fail_notfound(st, k->group, k->plural, name);
	return obj;
}

struct list_ctx {
	struct kube_objfilter sel;
	json_t *items;
};

static int list_visit(const char *key, const json_t *obj, void *data)
{
	struct list_ctx *l = data;

	(void)key;
	/* stored objects are never changed in place: share them */
	if (kube__objfilter_match(&l->sel, obj))
		json_array_append_new(l->items, json_incref((json_t *)obj));
	return 0;
}

json_t *kube__op_list(kube_cluster *c, const struct kube_kind *k, const char *ns,
		      const char *label_selector, const char *field_selector, json_t **st)
{
	struct list_ctx l = { 0 };
	char rv[32], av[64], kind[128], *prefix;
	json_t *list;

	if (kube__objfilter_parse(&l.sel, k, label_selector, field_selector, st))
		return NULL;
	prefix = kube__key_prefix(k, ns);
	l.items = json_array();
	store_list(c->store, prefix, list_visit, &l);
	free(prefix);
	snprintf(rv, sizeof(rv), "%lld", (long long)store_revision(c->store));
	snprintf(kind, sizeof(kind), "%sList", k->kind);
	list = json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", kind, "apiVersion",
			 kube__kind_api_version(k, av, sizeof(av)), "metadata",
			 "resourceVersion", rv, "items", l.items);
	kube__objfilter_free(&l.sel);
	return list;
}
