/*
 * The public object calls (objects.h): text in, text out, each a blocking
 * kube_call into the admission path (ops.h). Text is parsed and printed on
 * the calling thread; only the admission itself runs on the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "core/docs_call.h"
#include "core/ops.h"
#include "core/status.h"

enum doc_mode { DOC_CREATE, DOC_APPLY, DOC_UPDATE, DOC_STATUS };

/* Apply without server-side apply: replace everything but status and the
 * fields the cluster owns (identity, finalizers and owners when not given). */
static json_t *apply_merge(const json_t *old, const json_t *in)
{
	json_t *new = json_deep_copy(old), *v, *meta, *inmeta = json_object_get(in, "metadata");
	const char *key;
	void *tmp;
	static const char *const replaced[] = { "labels", "annotations", NULL };
	static const char *const kept[] = { "ownerReferences", "finalizers", NULL };

	json_object_foreach_safe(new, tmp, key, v)
		if (strcmp(key, "metadata") && strcmp(key, "status") && !json_object_get(in, key))
			json_object_del(new, key);
	json_object_foreach((json_t *)in, key, v)
		if (strcmp(key, "metadata") && strcmp(key, "status"))
			json_object_set_new(new, key, json_deep_copy(v));
	meta = kube__meta(new);
	json_object_del(meta, "resourceVersion");
	for (int i = 0; replaced[i]; i++) {
		v = json_object_get(inmeta, replaced[i]);
		if (v)
			json_object_set_new(meta, replaced[i], json_deep_copy(v));
		else
			json_object_del(meta, replaced[i]);
	}
	for (int i = 0; kept[i]; i++) {
		v = json_object_get(inmeta, kept[i]);
		if (v)
			json_object_set_new(meta, kept[i], json_deep_copy(v));
	}
	return new;
}

/* One document of kube_create/apply/update/update_status (mode in d->data). */
static void admit_doc(struct kube_docs_call *d, const struct kube_kind *k, json_t *obj)
{
	enum doc_mode mode = *(enum doc_mode *)d->data;
	struct kube_op_opts o = { .status = mode == DOC_STATUS };
	kube_cluster *c = d->call.c;
	const json_t *old;

	if (mode == DOC_CREATE) {
		kube__op_create(c, k, NULL, json_incref(obj), &o, kube__docs_done, d);
		return;
	}
	if (mode != DOC_APPLY) {
		kube__op_update(c, k, NULL, json_incref(obj), &o, kube__docs_done, d);
		return;
	}
	old = kube__op_get(c, k, kube__meta_str(obj, "namespace") ?: "default",
			   kube__meta_str(obj, "name") ?: "", NULL);
	if (old)
		kube__op_update(c, k, NULL, apply_merge(old, obj), &o, kube__docs_done, d);
	else
		kube__op_create(c, k, NULL, json_incref(obj), &o, kube__docs_done, d);
}

static int run_docs(kube_cluster *c, enum doc_mode mode, const char *manifest, char **out)
{
	struct kube_docs_call d = { .each = admit_doc, .data = &mode };

	return kube__docs_run(c, &d, manifest, mode == DOC_UPDATE || mode == DOC_STATUS, out);
}

int kube_create(kube_cluster *c, const char *manifest, char **out)
{
	return run_docs(c, DOC_CREATE, manifest, out);
}

int kube_apply(kube_cluster *c, const char *manifest, char **out)
{
	return run_docs(c, DOC_APPLY, manifest, out);
}

int kube_update(kube_cluster *c, const char *manifest, char **out)
{
	return run_docs(c, DOC_UPDATE, manifest, out);
}

int kube_update_status(kube_cluster *c, const char *manifest, char **out)
{
	return run_docs(c, DOC_STATUS, manifest, out);
}

/* ------------------------------------------------------------ reads -- */

struct read_call {
	struct kube_call call;
	const char *resource, *ns, *name, *labels, *fields;
	kube_propagation propagation;
	char *text;       /* result */
};

/* The kind a resource name denotes, or NULL with a 404 Status finished. */
static const struct kube_kind *resolve(struct read_call *r)
{
	const struct kube_kind *k = r->resource ? kube__registry_find(r->resource) : NULL;

	if (!k)
		kube__call_finish(&r->call, KUBE_ENOTFOUND,
				  kube__status_new(KUBE_ENOTFOUND,
						   "the server could not find the requested resource",
						   NULL));
	return k;
}

static const char *single_ns(const char *ns)
{
	return ns && *ns ? ns : "default";
}

static void get_run(struct kube_call *call)
{
	struct read_call *r = (struct read_call *)call;
	const struct kube_kind *k = resolve(r);
	const json_t *obj;
	json_t *st = NULL;

	if (!k)
		return;
	obj = kube__op_get(call->c, k, single_ns(r->ns), r->name ? r->name : "", &st);
	if (obj && !(r->text = kube__emit_json(obj)))
		kube__call_finish(call, KUBE_ENOMEM, NULL);
	else
		kube__call_finish(call, obj ? 0 : KUBE_ENOTFOUND, st);
}

static void list_run(struct kube_call *call)
{
	struct read_call *r = (struct read_call *)call;
	const struct kube_kind *k = resolve(r);
	json_t *st = NULL, *list;

	if (!k)
		return;
	list = kube__op_list(call->c, k, r->ns, r->labels, r->fields, &st);
	if (list)
		r->text = kube__emit_json(list);
	json_decref(list);
	kube__call_finish(call, list ? 0 : KUBE_EINVAL, st);
}

static void delete_done(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)obj;
	kube__call_finish(data, err, json_deep_copy(st));
}

static void delete_run(struct kube_call *call)
{
	struct read_call *r = (struct read_call *)call;
	const struct kube_kind *k = resolve(r);
	struct kube_op_opts o = { .propagation = r->propagation };

	if (k)
		kube__op_delete(call->c, k, single_ns(r->ns), r->name ? r->name : "", &o,
				delete_done, call);
}

int kube_get(kube_cluster *c, const char *resource, const char *ns, const char *name,
	     char **out)
{
	struct read_call r = { .call.run = get_run, .resource = resource, .ns = ns, .name = name };
	int err = kube__call(c, &r.call);

	*out = err ? NULL : r.text;
	if (err)
		free(r.text);
	return err;
}

int kube_list(kube_cluster *c, const char *resource, const char *ns, const char *label_selector,
	      const char *field_selector, char **out)
{
	struct read_call r = { .call.run = list_run, .resource = resource, .ns = ns,
			       .labels = label_selector, .fields = field_selector };
	int err = kube__call(c, &r.call);

	*out = err ? NULL : r.text;
	if (err)
		free(r.text);
	return err;
}

int kube_delete(kube_cluster *c, const char *resource, const char *ns, const char *name,
		kube_propagation propagation)
{
	struct read_call r = { .call.run = delete_run, .resource = resource, .ns = ns,
			       .name = name, .propagation = propagation };

	return kube__call(c, &r.call);
}

/* ------------------------------------------------------- conversion -- */

/* Several documents as one YAML stream, separated by "---". */
static char *yaml_stream(const json_t *docs)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	json_t *doc;

	if (!f)
		return NULL;
	json_array_foreach(docs, i, doc) {
		char *y = kube__emit_yaml(doc);

		fprintf(f, "%s%s", i ? "---\n" : "", y ? y : "");
		free(y);
	}
	fclose(f);
	return buf;
}

static int convert(const char *text, char **out, bool yaml)
{
	json_t *st = NULL, *docs = text ? kube__parse_docs(text, strlen(text), &st) : NULL;
	json_t *v;

	*out = NULL;
	if (!docs) {
		kube__set_last_status(st ? st : kube__status_new(KUBE_EINVAL, "no text given", NULL));
		return KUBE_EINVAL;
	}
	if (yaml && json_array_size(docs) != 1) {
		*out = yaml_stream(docs);
	} else {
		if (json_array_size(docs) == 1)
			v = json_incref(json_array_get(docs, 0));
		else
			v = json_pack("{s:s, s:s, s:{s:s}, s:O}", "apiVersion", "v1", "kind",
				      "List", "metadata", "resourceVersion", "", "items", docs);
		*out = yaml ? kube__emit_yaml(v) : kube__emit_json(v);
		json_decref(v);
	}
	json_decref(docs);
	kube__set_last_status(NULL);
	return *out ? 0 : KUBE_ENOMEM;
}

int kube_to_json(const char *text, char **out)
{
	return convert(text, out, false);
}

int kube_to_yaml(const char *text, char **out)
{
	return convert(text, out, true);
}
