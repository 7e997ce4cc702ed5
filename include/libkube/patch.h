/**
 * @file patch.h
 * @brief Patching objects: the four PATCH types of the Kubernetes API and
 *        server-side apply.
 *
 * As the other object calls (objects.h), results are JSON text freed with
 * kube_free(); on failure *out is NULL and kube_last_status() holds the
 * Kubernetes Status (e.g. 404 NotFound, 422 Invalid, 409 Conflict with
 * FieldManagerConflict causes).
 */
#ifndef LIBKUBE_PATCH_H
#define LIBKUBE_PATCH_H

#include "libkube/cluster.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a patch document is read (`kubectl patch --type`). */
typedef enum kube_patch_type {
	KUBE_PATCH_JSON = 0,   /**< RFC 6902 operations (application/json-patch+json) */
	KUBE_PATCH_MERGE,      /**< RFC 7386 merge (application/merge-patch+json) */
	KUBE_PATCH_STRATEGIC,  /**< strategic merge (application/strategic-merge-patch+json), kubectl's default */
	KUBE_PATCH_APPLY,      /**< server-side apply of a full or partial object (application/apply-patch+yaml) */
} kube_patch_type;

/**
 * Patch one object, as `kubectl patch` does.
 * @param c the cluster.
 * @param resource as in objects.h ("deployments", "deploy", "pods", ...).
 * @param ns the namespace; NULL or "" means "default" (ignored for
 *        cluster-scoped resources).
 * @param name the object's name.
 * @param type how @p patch is read.
 * @param patch the patch document: JSON for JSON, merge and strategic
 *        patches; YAML or JSON for KUBE_PATCH_APPLY (which then uses the
 *        field manager "kubectl" and no force; see kube_server_side_apply()).
 * @param[out] out JSON: the object as stored. May be NULL.
 * @return 0; KUBE_ENOTFOUND when the object does not exist (apply creates
 *         it instead); KUBE_EINVAL for a malformed patch (400);
 *         KUBE_EINVALID when a JSON patch does not apply or the result is
 *         not a valid object (422); KUBE_ECONFLICT on apply conflicts (409).
 * Other patches record their changes under the field manager "kubectl-patch".
 */
KUBE_EXTERN int kube_patch(kube_cluster *c, const char *resource, const char *ns,
			   const char *name, kube_patch_type type, const char *patch,
			   char **out);

/**
 * Server-side apply each object in @p manifest (YAML or JSON, several
 * documents or a List allowed), as `kubectl apply --server-side` does:
 * objects that do not exist are created; for the others the fields the
 * manifest sets are merged in and owned by @p field_manager, and fields it
 * applied before but no longer sets are removed unless another manager owns
 * them. Ownership is recorded in metadata.managedFields.
 * @param c the cluster.
 * @param manifest the objects to apply, whole or partial.
 * @param field_manager the manager name (required, e.g. "kubectl").
 * @param force nonzero to take ownership of fields other managers own
 *        (`--force-conflicts`); zero fails such applies with KUBE_ECONFLICT.
 * @param[out] out JSON: the object stored, or a v1 List for several. May be NULL.
 * @return 0; on the first failing document its code (earlier ones stay applied).
 */
KUBE_EXTERN int kube_server_side_apply(kube_cluster *c, const char *manifest,
				       const char *field_manager, int force, char **out);

#ifdef __cplusplus
}
#endif
#endif
