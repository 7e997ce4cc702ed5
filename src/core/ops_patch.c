/*
 * PATCH on the admission path: read the object, apply the patch (see
 * src/core/patch/), check the name as upstream's patcher does, record the
 * field manager, then write through kube__op_update (kube__op_create when
 * an apply creates), so a patched object is defaulted, validated and
 * version-checked like any other write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "core/patch/patch.h"
#include "core/status.h"

/* What one patch request carries through its steps. */
struct patch_req {
	kube_cluster *c;
	const struct kube_kind *k;
	const char *ns;            /* the request's namespace ("" for cluster-scoped) */
	const char *name;
	enum kube_patch_type type;
	const struct kube_op_opts *o;
	const char *manager;       /* may be NULL for non-apply patches */
	bool force;
	struct kube_ssa_ctx x;     /* for apply and managedFields */
	char api_version[64];
};

/* ValidatePatchOptions: 422 on PatchOptions.meta.k8s.io. */
static int check_options(const struct patch_req *r, json_t **st)
{
	json_t *causes;

	if (r->type != KUBE_PATCH_APPLY && r->force) {
		causes = json_array();
		kube__cause_add(causes, "FieldValueForbidden", "force",
				"Forbidden: may not be specified for non-apply patch");
		return kube__fail_invalid(st, "meta.k8s.io", "PatchOptions", "", causes);
	}
	if (r->type == KUBE_PATCH_APPLY && (!r->manager || !*r->manager)) {
		causes = json_array();
		kube__cause_add(causes, "FieldValueRequired", "fieldManager",
				"Required value: is required for apply patch");
		return kube__fail_invalid(st, "meta.k8s.io", "PatchOptions", "", causes);
	}
	return 0;
}

/* The patch document: YAML or JSON for apply, JSON for the others. */
static json_t *parse_patch(const struct patch_req *r, const char *text, size_t len, json_t **st)
{
	json_error_t e;
	json_t *docs, *doc;

	if (r->type != KUBE_PATCH_APPLY) {
		doc = json_loadb(text ? text : "", len, JSON_DECODE_ANY, &e);
		if (!doc)
			kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "error decoding patch: %s", e.text);
		return doc;
	}
	docs = kube__parse_docs(text ? text : "", len, st);
	if (!docs)
		return NULL;
	doc = json_incref(json_array_get(docs, 0));
	if (json_array_size(docs) != 1 || !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			   "error decoding YAML: exactly one object must be applied");
	}
	json_decref(docs);
	return doc;
}

/* The patched object (new) or NULL with *st, for the non-apply types. */
static json_t *patched(const struct patch_req *r, const json_t *live, const json_t *patch,
		       int *err, json_t **st)
{
	json_t *out = NULL;

	switch (r->type) {
	case KUBE_PATCH_JSON:
		if (json_array_size(patch) > KUBE_JSON_PATCH_MAX_OPS) {
			*err = kube__fail(st, KUBE_ETOOLARGE, NULL, NULL, NULL,
					  "The allowed maximum operations in a JSON patch is %d, got %zu",
					  KUBE_JSON_PATCH_MAX_OPS, json_array_size(patch));
			return NULL;
		}
		out = json_deep_copy(live);
		*err = kube__json_patch(out, patch, NULL);
		if (*err == KUBE_EINVAL)
			kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "json: cannot unmarshal %s into "
				   "Go value of type jsonpatch.Patch", json_is_array(patch) ?
				   "array" : "object");
		else if (*err)
			*st = kube__patch_status_unprocessable();
		break;
	case KUBE_PATCH_MERGE:
		out = kube__merge_patch(live, patch);
		*err = out ? 0 : kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "Invalid JSON Patch");
		break;
	default:
		*err = kube__strategic_patch(live, patch, r->x.schema, &out, st);
		break;
	}
	if (*err) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

/* checkName: the patch may not rename or move the object. */
static int check_name(const struct patch_req *r, const json_t *obj, json_t **st)
{
	const char *name = kube__meta_str(obj, "name"), *ns = kube__meta_str(obj, "namespace");

	if (!name || strcmp(name, r->name))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "the name of the object (%s) "
				  "does not match the name on the URL (%s)", name ? name : "", r->name);
	if (r->k->namespaced && ns && *ns && strcmp(ns, r->ns))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "the namespace of the object "
				  "(%s) does not match the namespace on the URL (%s)", ns, r->ns);
	return 0;
}

/* Compute what to write; *create when an apply makes a new object. */
static json_t *build(struct patch_req *r, const json_t *patch, bool *create, int *err,
		     json_t **st)
{
	const json_t *live = kube__op_get(r->c, r->k, r->ns, r->name, NULL);
	json_t *obj = NULL;

	*create = false;
	if (!live && r->type != KUBE_PATCH_APPLY) {
		*err = kube__fail_notfound(st, r->k->group, r->k->plural, r->name);
		return NULL;
	}
	if (r->type == KUBE_PATCH_APPLY) {
		*create = !live;
		*err = kube__ssa_apply(live, patch, &r->x, r->force, &obj, st);
	} else {
		obj = patched(r, live, patch, err, st);
		if (obj && r->manager)
			kube__managed_update(live, obj, &r->x);
	}
	if (obj && (*err = check_name(r, obj, st))) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}

void kube__op_patch(kube_cluster *c, const struct kube_kind *k, const char *ns,
		    const char *name, enum kube_patch_type type, const char *patch_text,
		    size_t len, const struct kube_op_opts *o, const char *field_manager,
		    bool force, kube_op_cb cb, void *data)
{
	struct patch_req r = { .c = c, .k = k, .ns = k->namespaced ? (ns && *ns ? ns : "default") : "",
			       .name = name ? name : "", .type = type, .o = o,
			       .manager = field_manager, .force = force };
	json_t *st = NULL, *patch = NULL, *obj = NULL;
	bool create;
	int err;

	r.x = (struct kube_ssa_ctx){
		.schema = kube__schema_find(k->schema),
		.api_version = kube__kind_api_version(k, r.api_version, sizeof(r.api_version)),
		.manager = field_manager, .status = o && o->status,
		.ignore_status = (k->subresources & KUBE_SUB_STATUS) != 0, .now_ms = kube__now_ms(c),
	};
	err = check_options(&r, &st);
	if (!err && !(patch = parse_patch(&r, patch_text, len, &st)))
		err = st ? kube__errno_of_status(st) : KUBE_ENOMEM;
	if (!err && !(obj = build(&r, patch, &create, &err, &st)) && !err)
		err = KUBE_ENOMEM;
	json_decref(patch);
	if (err) {
		if (cb)
			cb(err, NULL, st, data);
		json_decref(st);
		return;
	}
	if (create)
		kube__op_create(c, k, r.ns, obj, o, cb, data);
	else
		kube__op_update(c, k, r.ns, obj, o, cb, data);
}
