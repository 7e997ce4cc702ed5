/*
 * The one admission path: every write, from the C API, the REST server or a
 * controller, goes through these functions (decode is the caller's; here:
 * identity, defaulting, validation, namespace checks, concurrency, the store).
 *
 * Writes are asynchronous: the callback runs exactly once, on the loop,
 * after the write is durable or has failed (failures found before the store
 * is touched are reported from inside the call).
 */
#ifndef KUBE_CORE_OPS_H
#define KUBE_CORE_OPS_H

#include <stdbool.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/registry.h"
#include "core/validate.h"

/*
 * Result of a write: @p err 0 or KUBE_E*; @p obj the stored object
 * (borrowed; for delete: the object as deleted or, when deletion is
 * deferred by finalizers, as updated); @p status the Status on failure
 * (borrowed). Both valid only during the call.
 */
typedef void (*kube_op_cb)(int err, const json_t *obj, const json_t *status, void *data);

/* Options shared by the writes. Zero-initialised means the defaults. */
struct kube_op_opts {
	bool dry_run;                       /* admit but do not store */
	bool status;                        /* the status subresource */
	enum kube_field_validation fv;      /* STRICT by default */
	kube_propagation propagation;       /* delete only */
	const char *precondition_uid;       /* delete only: must match */
	int64_t precondition_rev;           /* delete only: must match (0: any) */
	const int64_t *grace_period;        /* delete only: DeleteOptions.gracePeriodSeconds, NULL unset */
	json_t *warnings;                   /* when non-NULL, warnings are appended */
	const char *field_manager;          /* create/update: record an Update in managedFields */
};

/* The store key of an object: "<group>/<plural>/<ns>/<name>". */
char *kube__key(const struct kube_kind *k, const char *ns, const char *name);

/* The key prefix for listing (ns NULL or "" = all namespaces). */
char *kube__key_prefix(const struct kube_kind *k, const char *ns);

/*
 * Resolve the kind of @p obj from its apiVersion and kind. On failure
 * returns NULL with *st set (400 for missing fields, 404-style
 * `no matches for kind "X" in version "Y"` otherwise).
 */
const struct kube_kind *kube__kind_of(const json_t *obj, json_t **st);

/* Create @p obj (stolen) of kind @p k in namespace @p ns (NULL: the object's or "default"). */
void kube__op_create(kube_cluster *c, const struct kube_kind *k, const char *ns,
		     json_t *obj, const struct kube_op_opts *o, kube_op_cb cb, void *data);

/* Replace an object (or, with o->status, its status) by @p obj (stolen). */
void kube__op_update(kube_cluster *c, const struct kube_kind *k, const char *ns,
		     json_t *obj, const struct kube_op_opts *o, kube_op_cb cb, void *data);

/*
 * Delete an object, honouring finalizers and propagation. An object bound
 * to a node that a node agent runs (spec.nodeName, not in a terminal
 * status.phase) is deleted gracefully, as upstream deletes pods: it gets
 * deletionTimestamp (now + grace) and deletionGracePeriodSeconds (from
 * o->grace_period, else spec.terminationGracePeriodSeconds) and the agent
 * finishes the delete with grace 0 once its containers stopped. Everything
 * else (and grace 0) goes at once unless finalizers hold it.
 */
void kube__op_delete(kube_cluster *c, const struct kube_kind *k, const char *ns,
		     const char *name, const struct kube_op_opts *o, kube_op_cb cb, void *data);

/* The stored object (borrowed) or NULL with *st a 404 Status. */
const json_t *kube__op_get(kube_cluster *c, const struct kube_kind *k, const char *ns,
			   const char *name, json_t **st);

/*
 * A new List ({kind: <Kind>List, apiVersion, metadata.resourceVersion,
 * items}) of the objects matching the selectors (strings, may be NULL).
 * The items are the stored objects themselves: read them, never change them.
 * NULL with *st on a bad selector.
 */
json_t *kube__op_list(kube_cluster *c, const struct kube_kind *k, const char *ns,
		      const char *label_selector, const char *field_selector, json_t **st);

/* 0 when every field of @p sel can select @p k's objects; otherwise 400
 * `field label not supported: X` in *st (fieldselectors.c). */
struct kube_fieldsel;
int kube__fieldsel_check(const struct kube_kind *k, const struct kube_fieldsel *sel, json_t **st);

/* Small helpers for reading objects. */
const char *kube__meta_str(const json_t *obj, const char *field);
json_t *kube__meta(json_t *obj); /* metadata, created when missing */

#endif
