/*
 * The public patch calls (include/libkube/patch.h): blocking kube__calls
 * into kube__op_patch, built as objects_api.c builds the object calls.
 */
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "core/docs_call.h"
#include "core/patch/patch.h"
#include "core/status.h"

/* One kube_patch() call. */
struct patch_call {
	struct kube_call call;
	const char *resource, *ns, *name, *patch;
	kube_patch_type type;
	char *text;       /* the stored object, JSON (result) */
};

static void patch_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct patch_call *p = data;

	if (!err && !(p->text = kube__emit_json(obj)))
		err = KUBE_ENOMEM;
	kube__call_finish(&p->call, err, err ? json_deep_copy(st) : NULL);
}

static void patch_run(struct kube_call *call)
{
	struct patch_call *p = (struct patch_call *)call;
	const struct kube_kind *k = p->resource ? kube__registry_find(p->resource) : NULL;
	bool apply = p->type == KUBE_PATCH_APPLY;

	if (!k) {
		kube__call_finish(call, KUBE_ENOTFOUND,
				  kube__status_new(KUBE_ENOTFOUND,
						   "the server could not find the requested resource",
						   NULL));
		return;
	}
	kube__op_patch(call->c, k, p->ns, p->name, p->type, p->patch, strlen(p->patch), NULL,
		       apply ? "kubectl" : "kubectl-patch", false, patch_done, p);
}

int kube_patch(kube_cluster *c, const char *resource, const char *ns, const char *name,
	       kube_patch_type type, const char *patch, char **out)
{
	struct patch_call p = { .call.run = patch_run, .resource = resource, .ns = ns,
				.name = name, .patch = patch, .type = type };
	int err;

	if (out)
		*out = NULL;
	if (!patch || !name || type < KUBE_PATCH_JSON || type > KUBE_PATCH_APPLY) {
		kube__set_last_status(kube__status_new(KUBE_EINVAL, "no patch given", NULL));
		return KUBE_EINVAL;
	}
	err = kube__call(c, &p.call);
	if (!err && out)
		*out = p.text;
	else
		free(p.text);
	return err;
}

/* ------------------------------------------------- kube_server_side_apply -- */

/* The options of one kube_server_side_apply() call. */
struct apply_opts {
	const char *manager;
	bool force;
};

/* One document: patch it in as an apply (which creates it when missing). */
static void apply_doc(struct kube_docs_call *d, const struct kube_kind *k, json_t *doc)
{
	const struct apply_opts *a = d->data;
	char *text = kube__emit_json(doc);

	if (!text) {
		kube__call_finish(&d->call, KUBE_ENOMEM, NULL);
		return;
	}
	kube__op_patch(d->call.c, k, kube__meta_str(doc, "namespace"), kube__meta_str(doc, "name"),
		       KUBE_PATCH_APPLY, text, strlen(text), NULL, a->manager, a->force,
		       kube__docs_done, d);
	free(text);
}

int kube_server_side_apply(kube_cluster *c, const char *manifest, const char *field_manager,
			   int force, char **out)
{
	struct apply_opts a = { .manager = field_manager, .force = force };
	struct kube_docs_call d = { .each = apply_doc, .data = &a };

	return kube__docs_run(c, &d, manifest, false, out);
}
