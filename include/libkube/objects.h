/**
 * @file objects.h
 * @brief Object calls: the verbs of the Kubernetes API on YAML or JSON text.
 *
 * Input text may be YAML or JSON, one document, several YAML documents, or a
 * `kind: List`. Returned text is JSON unless the call says otherwise, and is
 * freed with kube_free(). On failure *out is left NULL and
 * kube_last_status() holds the Kubernetes Status.
 *
 * A resource is named as kubectl names it: plural ("deployments"), singular
 * ("deployment"), kind ("Deployment"), short name ("deploy"), or qualified by
 * group ("deployments.apps"). @p ns is ignored for cluster-scoped resources;
 * NULL or "" means "default" for namespaced ones in single-object calls and
 * "all namespaces" in kube_list() and kube_watch().
 */
#ifndef LIBKUBE_OBJECTS_H
#define LIBKUBE_OBJECTS_H

#include <stdint.h>
#include "libkube/cluster.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What happens to an object's dependents when it is deleted. */
typedef enum kube_propagation {
	KUBE_PROPAGATION_DEFAULT = 0,  /**< the kind's default: Background */
	KUBE_PROPAGATION_BACKGROUND,   /**< delete now, collect dependents after */
	KUBE_PROPAGATION_FOREGROUND,   /**< delete dependents first, then the owner */
	KUBE_PROPAGATION_ORPHAN,       /**< delete the owner, leave the dependents */
} kube_propagation;

/**
 * Create each object in @p manifest, or replace the spec, metadata (labels,
 * annotations, ownerReferences, finalizers) and data of one that exists.
 * @param c the cluster.
 * @param manifest YAML or JSON text: one object, several documents or a List.
 * @param[out] out JSON: the object stored, or a v1 List of them for several
 *             documents. May be NULL if the caller does not want it.
 * @return 0; on the first failing document its code (earlier ones stay applied).
 */
KUBE_EXTERN int kube_apply(kube_cluster *c, const char *manifest, char **out);

/** Create each object in @p manifest; KUBE_EEXIST if one exists. @p out as kube_apply(). */
KUBE_EXTERN int kube_create(kube_cluster *c, const char *manifest, char **out);

/**
 * Replace one object (metadata.resourceVersion, when given, must match:
 * KUBE_ECONFLICT otherwise). Status is kept from the stored object.
 */
KUBE_EXTERN int kube_update(kube_cluster *c, const char *manifest, char **out);

/** Replace only the status of one object (the status subresource). */
KUBE_EXTERN int kube_update_status(kube_cluster *c, const char *manifest, char **out);

/** Read one object as JSON into @p out. */
KUBE_EXTERN int kube_get(kube_cluster *c, const char *resource, const char *ns,
			 const char *name, char **out);

/**
 * List objects as a JSON List (`items` always present, metadata.resourceVersion
 * set to the revision the list was read at).
 * @param c the cluster.
 * @param resource the resource, as kubectl names it.
 * @param ns the namespace; NULL or "" for all namespaces.
 * @param label_selector e.g. "app=web,tier in (a,b),!canary"; NULL for all.
 * @param field_selector e.g. "status.phase=Running"; NULL for all.
 * @param[out] out JSON: the List, freed with kube_free().
 * @return 0, or KUBE_ENOTFOUND for an unknown resource, KUBE_EINVAL for a
 *         malformed selector.
 */
KUBE_EXTERN int kube_list(kube_cluster *c, const char *resource, const char *ns,
			  const char *label_selector, const char *field_selector,
			  char **out);

/**
 * Delete one object. With finalizers (or Foreground propagation) the object
 * first gets a deletionTimestamp and goes away when they are cleared.
 */
KUBE_EXTERN int kube_delete(kube_cluster *c, const char *resource, const char *ns,
			    const char *name, kube_propagation propagation);

/** A running watch. Opaque; ended with kube_watch_stop(). */
typedef struct kube_watch kube_watch;

/**
 * Called on the cluster loop for each event, in revision order.
 * @param type "ADDED", "MODIFIED", "DELETED", or "ERROR" (then @p object is a
 *        Status, e.g. 410 Expired, and no further event follows).
 * @param object the object as JSON text, valid only during the call.
 * @param data the @p data given to kube_watch_start().
 * Callbacks may call any libkube function (it runs directly) except
 * kube_cluster_stop().
 */
typedef void (*kube_watch_cb)(const char *type, const char *object, void *data);

/**
 * Watch objects of one resource.
 * @param c the cluster.
 * @param resource the resource, as kubectl names it.
 * @param ns the namespace; NULL or "" for all namespaces.
 * @param label_selector as kube_list(); NULL for all.
 * @param field_selector as kube_list(); NULL for all.
 * @param resource_version "" or NULL for "from now"; "0" for "the current
 *        state as ADDED events, then changes"; otherwise every change after
 *        that revision. A revision older than the history window fails with
 *        KUBE_EGONE.
 * @param cb called for each event (kube_watch_cb).
 * @param data handed to @p cb, still owned by the caller.
 * @param[out] out the watch, to end with kube_watch_stop().
 */
KUBE_EXTERN int kube_watch_start(kube_cluster *c, const char *resource, const char *ns,
				 const char *label_selector, const char *field_selector,
				 const char *resource_version, kube_watch_cb cb, void *data,
				 kube_watch **out);

/** End a watch; no callback runs after this returns. NULL is a no-op. */
KUBE_EXTERN void kube_watch_stop(kube_watch *w);

/**
 * Wait for one object to reach a state, as `kubectl wait` does.
 * @param c the cluster.
 * @param resource the resource, as kubectl names it.
 * @param ns the namespace; NULL or "" for "default".
 * @param name the object's name.
 * @param condition "condition=Ready" (status.conditions[type=Ready].status
 *        == "True"), "condition=Available=false" (an explicit value),
 *        "delete" (the object is gone), "create" (it exists) or
 *        "jsonpath={.status.phase}=Running".
 * @param timeout_ms how long to wait; KUBE_ETIMEDOUT after it.
 */
KUBE_EXTERN int kube_wait(kube_cluster *c, const char *resource, const char *ns,
			  const char *name, const char *condition, int64_t timeout_ms);

/**
 * Convert YAML or JSON text (several documents become a List) to JSON.
 * @return 0 or KUBE_EINVAL with the line and column in kube_last_status().
 */
KUBE_EXTERN int kube_to_json(const char *text, char **out);

/** Convert YAML or JSON text to YAML (a List becomes a multi-document stream). */
KUBE_EXTERN int kube_to_yaml(const char *text, char **out);

#ifdef __cplusplus
}
#endif
#endif
