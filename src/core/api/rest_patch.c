/*
 * PATCH: the content type picks the patch type; the status and scale
 * subresources patch only what they expose.
 */
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "core/patch/patch.h"
#include "core/status.h"

static int patch_type(const char *ctype, enum kube_patch_type *t)
{
	static const struct {
		const char *ctype;
		enum kube_patch_type type;
	} types[] = {
		{ "application/json-patch+json", KUBE_PATCH_JSON },
		{ "application/merge-patch+json", KUBE_PATCH_MERGE },
		{ "application/strategic-merge-patch+json", KUBE_PATCH_STRATEGIC },
		{ "application/apply-patch+yaml", KUBE_PATCH_APPLY },
	};

	for (size_t i = 0; ctype && i < sizeof(types) / sizeof(types[0]); i++) {
		if (!strncmp(ctype, types[i].ctype, strlen(types[i].ctype))) {
			*t = types[i].type;
			return 0;
		}
	}
	return -1;
}

static void patched(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_api_call *a = data;

	if (err)
		kube__rest_fail(a, st);
	else
		kube__rest_reply(a, 200, obj);
}

/* PATCH .../scale: patch the Scale, then write its replicas to the workload. */
static void patch_scale(struct kube_api_call *a, enum kube_patch_type type, const char *body,
			size_t len)
{
	json_t *st = NULL, *patch, *scale, *next = NULL, *copy, *replicas;
	const json_t *obj = kube__op_get(a->c, a->t.kind, a->t.ns, a->t.name, &st);
	struct kube_op_opts o = { .dry_run = a->q.dry_run };
	char *why = NULL;

	if (!obj) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	patch = json_loadb(body, len, 0, NULL);
	scale = kube__rest_scale_of(obj);
	if (patch && type == KUBE_PATCH_JSON) {
		next = json_deep_copy(scale);
		if (kube__json_patch(next, patch, &why)) {
			json_decref(next);
			next = NULL;
		}
	} else if (patch && type != KUBE_PATCH_APPLY) {
		next = kube__merge_patch(scale, patch);
	}
	replicas = json_object_get(json_object_get(next, "spec"), "replicas");
	if (!json_is_integer(replicas)) {
		kube__rest_failf(a, KUBE_EINVAL, "%s", why ? why : "the patch does not give spec.replicas");
	} else {
		copy = json_deep_copy(obj);
		json_object_set(json_object_get(copy, "spec"), "replicas", replicas);
		kube__op_update(a->c, a->t.kind, a->t.ns, copy, &o, kube__rest_reply_scale, a);
	}
	free(why);
	json_decref(next);
	json_decref(scale);
	json_decref(patch);
}

void kube__rest_serve_patch(struct kube_api_call *a)
{
	const char *ctype = kube__http_req_header(a->req, "Content-Type");
	enum kube_patch_type type;
	struct kube_op_opts o = { 0 };
	size_t len = 0;
	const char *body = kube__http_req_body(a->req, &len);
	const char *fv = a->q.field_validation;

	if (patch_type(ctype, &type))
		return kube__rest_failf(a, KUBE_EUNSUPPORTED, "the body of the request was in an "
					"unknown format - accepted media types include: "
					"application/json-patch+json, application/merge-patch+json, "
					"application/apply-patch+yaml, application/strategic-merge-patch+json");
	if (a->t.subresource && !strcmp(a->t.subresource, "scale"))
		return patch_scale(a, type, body ? body : "", len);
	if (a->t.subresource && strcmp(a->t.subresource, "status"))
		return kube__rest_failf(a, KUBE_EMETHOD, "the server does not allow this method on "
					"the requested resource");
	o.dry_run = a->q.dry_run;
	o.status = a->t.subresource != NULL;
	o.warnings = a->warnings;
	o.fv = !fv || !strcmp(fv, "Warn") ? KUBE_FIELD_WARN
	       : !strcmp(fv, "Ignore") ? KUBE_FIELD_IGNORE : KUBE_FIELD_STRICT;
	kube__op_patch(a->c, a->t.kind, a->t.ns, a->t.name, type, body ? body : "", len, &o,
		       a->q.field_manager, a->q.force, patched, a);
}
