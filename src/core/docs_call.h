/*
 * A blocking public call that admits the documents of one manifest in order
 * (kube_apply, kube_create, kube_update, kube_server_side_apply...): parse on
 * the calling thread, then on the loop hand each document to the call's
 * `each` function, which starts one write finishing in kube__docs_done().
 * The first failure ends the call; earlier documents stay written.
 */
#ifndef KUBE_CORE_DOCS_CALL_H
#define KUBE_CORE_DOCS_CALL_H

#include <stdbool.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/registry.h"

struct kube_docs_call;

/* Start the write of @p doc (borrowed) of kind @p k, with kube__docs_done
 * and @p d as its kube_op_cb and data. */
typedef void (*kube_doc_fn)(struct kube_docs_call *d, const struct kube_kind *k, json_t *doc);

struct kube_docs_call {
	struct kube_call call; /* the blocking call; first, as call is cast back to this */
	kube_doc_fn each;  /* what to do with each document */
	void *data;        /* for `each` */
	json_t *docs;      /* parsed documents (owned) */
	size_t next;       /* the document being admitted */
	json_t *results;   /* stored objects, deep copies (owned) */
};

/* A kube_op_cb: record the stored object and go on with the next document. */
void kube__docs_done(int err, const json_t *obj, const json_t *st, void *data);

/*
 * Run @p d over @p manifest (one object, several documents or a List; with
 * @p single exactly one). On success *out (when non-NULL) is the stored
 * object, or a List of them, as JSON (free with kube_free). Returns 0 or the
 * first failure, with kube_last_status() set.
 */
int kube__docs_run(kube_cluster *c, struct kube_docs_call *d, const char *manifest, bool single,
		   char **out);

#endif
