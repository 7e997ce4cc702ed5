/*
 * managedFields entries as the patch files handle them: a JSON array of
 * {manager, operation, apiVersion, time, subresource, set} where set is a
 * field set in the internal form of patch.h. Used by managed.c and ssa.c.
 */
#ifndef KUBE_CORE_PATCH_MANAGED_H
#define KUBE_CORE_PATCH_MANAGED_H

#include "core/patch/patch_int.h"

/* The entries of obj's metadata.managedFields (a new array; [] when none). */
json_t *kube__managed_decode(const json_t *obj);

/* Write @p managers into obj's metadata.managedFields in upstream's order,
 * leaving out empty sets (and the key when nothing is left). */
void kube__managed_encode(json_t *obj, const json_t *managers);

/* True when entry @p a is the manager identified by the rest (the API
 * version counts for Update managers only, as BuildManagerIdentifier). */
bool kube__managed_same(const json_t *a, const char *manager, const char *op,
			const char *api_version, const char *subresource);

/* The entry for that manager (borrowed), appended empty when missing. */
json_t *kube__managed_find(json_t *managers, const char *manager, const char *op,
			   const char *api_version, const char *subresource);

/* Remove @p gone (stolen) from every entry's set except @p skip. */
void kube__managed_take(json_t *managers, const json_t *skip, json_t *gone);

/* Drop from @p set what no manager may own: apiVersion, kind, the
 * server-set metadata (stripMetaManager) and the fields the write resets
 * (status for the main resource, spec for the status subresource). */
void kube__managed_strip(json_t *set, const struct kube_ssa_ctx *x);

#endif
