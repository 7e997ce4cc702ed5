/*
 * The public patch calls (include/libkube/patch.h): blocking kube__calls
 * into kube__op_patch, built as objects_api.c builds the object calls.
 */
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
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

/* An apply working through the documents of one manifest in order. */
struct apply_call {
	struct kube_call call;
	json_t *docs;          /* parsed documents (owned) */
	size_t next;           /* the document being applied */
	json_t *results;       /* stored objects (owned) */
	const char *manager;
	bool force;
};

static void apply_next(struct apply_call *a);

static void apply_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct apply_call *a = data;

	if (err) {
		kube__call_finish(&a->call, err, json_deep_copy(st));
		return;
	}
	json_array_append_new(a->results, json_deep_copy(obj));
	a->next++;
	apply_next(a);
}

static void apply_next(struct apply_call *a)
{
	json_t *doc, *st = NULL;
	const struct kube_kind *k;
	char *text;

	if (a->next >= json_array_size(a->docs)) {
		kube__call_finish(&a->call, 0, NULL);
		return;
	}
	doc = json_array_get(a->docs, a->next);
	k = kube__kind_of(doc, &st);
	if (!k) {
		kube__call_finish(&a->call, kube__errno_of_status(st), st);
		return;
	}
	text = kube__emit_json(doc);
	if (!text) {
		kube__call_finish(&a->call, KUBE_ENOMEM, NULL);
		return;
	}
	kube__op_patch(a->call.c, k, kube__meta_str(doc, "namespace"),
		       kube__meta_str(doc, "name"), KUBE_PATCH_APPLY, text, strlen(text), NULL,
		       a->manager, a->force, apply_done, a);
	free(text);
}

static void apply_run(struct kube_call *call)
{
	apply_next((struct apply_call *)call);
}

int kube_server_side_apply(kube_cluster *c, const char *manifest, const char *field_manager,
			   int force, char **out)
{
	struct apply_call a = { .call.run = apply_run, .manager = field_manager, .force = force };
	json_t *st = NULL;
	int err;

	if (out)
		*out = NULL;
	if (!manifest) {
		kube__set_last_status(kube__status_new(KUBE_EINVAL, "no manifest given", NULL));
		return KUBE_EINVAL;
	}
	a.docs = kube__parse_docs(manifest, strlen(manifest), &st);
	if (!a.docs) {
		kube__set_last_status(st);
		return KUBE_EINVAL;
	}
	a.results = json_array();
	err = kube__call(c, &a.call);
	if (!err && out && !(*out = kube__emit_json_items(a.results)))
		err = KUBE_ENOMEM;
	json_decref(a.docs);
	json_decref(a.results);
	return err;
}
