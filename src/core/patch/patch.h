/*
 * Patches: the four PATCH content types of the Kubernetes API as pure
 * functions on jansson trees, plus the managedFields bookkeeping of
 * server-side apply. See docs/internals/patch.md.
 *
 *   application/json-patch+json             kube__json_patch      (RFC 6902)
 *   application/merge-patch+json            kube__merge_patch     (RFC 7386)
 *   application/strategic-merge-patch+json  kube__strategic_patch (schema driven)
 *   application/apply-patch+yaml            kube__ssa_apply       (server-side apply)
 *
 * Errors: each function returns 0 or a negative KUBE_E* code and, when the
 * caller passes a non-NULL `json_t **st`, the Status the API server sends
 * for that failure (owned by the caller).
 */
#ifndef KUBE_CORE_PATCH_PATCH_H
#define KUBE_CORE_PATCH_PATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "libkube/patch.h"
#include "core/ops.h"
#include "core/schema.h"

/* Upstream's cap on operations in one JSON patch (maxJSONPatchOperations). */
#define KUBE_JSON_PATCH_MAX_OPS 10000

/*
 * Apply the RFC 6902 operations @p ops (a JSON array) to *doc in place, as
 * evanphx/json-patch v4 (the library the API server uses) does, including
 * its quirks: negative array indices count from the end, "replace" of a
 * missing object key adds it, a test against a missing key passes for null.
 * On failure *doc is unspecified, @p why (when non-NULL) gets the library's
 * error text (malloc'd, e.g. `testing value /spec/replicas failed: test
 * failed`) and the result is KUBE_EINVALID: the API server answers a 422
 * Invalid whose message is the generic `the server rejected our request due
 * to an error in our request` (see kube__patch_status_unprocessable()).
 * KUBE_EINVAL when @p ops is not an array of objects.
 */
int kube__json_patch(json_t *doc, const json_t *ops, char **why);

/*
 * RFC 7386 merge of @p patch into @p doc as evanphx/json-patch MergePatch
 * does: objects merge recursively, null deletes, anything else replaces;
 * nulls inside replacing values are dropped from objects. Returns a new
 * tree, or NULL when @p patch is not an object (`Invalid JSON Patch`).
 */
json_t *kube__merge_patch(const json_t *doc, const json_t *patch);

/*
 * Strategic merge patch of @p patch into @p doc (a new tree in *out), driven
 * by the OpenAPI schema @p s of the document's kind: lists with patch
 * strategy "merge" merge by their patchMergeKey (scalar lists as sets),
 * other lists are replaced; the directives $patch (replace/delete/merge),
 * $retainKeys, $setElementOrder/<list> and $deleteFromPrimitiveList/<list>
 * are honoured; null deletes. Errors are upstream's (mergepatch errors as
 * 400 BadRequest, list-of-lists as 422, others as 500 with the text).
 */
int kube__strategic_patch(const json_t *doc, const json_t *patch, const struct kube_schema *s,
			  json_t **out, json_t **st);

/* The 422 Status the API server sends when a JSON patch does not apply. */
json_t *kube__patch_status_unprocessable(void);

/* ---- field sets (fieldsV1) -------------------------------------------- */

/*
 * A field set is kept as a JSON tree in the FieldsV1 form with membership
 * always explicit: each key is a path element ("f:<field>",
 * "k:{<key fields>}", "v:<value>", "i:<index>"), and a node belongs to the
 * set when it has a "." child. kube__fieldset_encode() turns it into the
 * wire form (a member without children becomes {}), kube__fieldset_decode()
 * back.
 */

/* The set of fields @p obj sets, typed by @p s, as upstream's ToFieldSet. */
json_t *kube__fieldset_of(const json_t *obj, const struct kube_schema *s);

/* a ∪ b, a − b (members only), a ∩ b: new trees. */
json_t *kube__fieldset_union(const json_t *a, const json_t *b);
json_t *kube__fieldset_diff(const json_t *a, const json_t *b);
json_t *kube__fieldset_inter(const json_t *a, const json_t *b);
bool kube__fieldset_empty(const json_t *set);

/* Wire form <-> internal form (new trees). */
json_t *kube__fieldset_encode(const json_t *set);
json_t *kube__fieldset_decode(const json_t *fields_v1);

/*
 * Append the paths of the members of @p set to @p out (a JSON array of
 * strings) in upstream's Path.String() form: `.spec.replicas`,
 * `.spec.template.spec.containers[name="nginx"].image`, `.metadata.finalizers[="x"]`.
 */
void kube__fieldset_paths(const json_t *set, json_t *out);

/*
 * The changes from @p old to @p new as structured-merge-diff's Compare
 * finds them: leaves whose values differ (*modified), nodes only in new
 * (*added), nodes only in old (*removed). Any of the outputs may be NULL.
 */
void kube__fieldset_compare(const json_t *old, const json_t *new, const struct kube_schema *s,
			    json_t **modified, json_t **added, json_t **removed);

/* ---- server-side apply and managedFields ------------------------------ */

/* What an apply or a tracked update needs to know besides the objects. */
struct kube_ssa_ctx {
	const struct kube_schema *schema; /* the kind's definition */
	const char *api_version;          /* "apps/v1": recorded in entries */
	const char *manager;              /* the field manager */
	bool status;                      /* the status subresource */
	bool ignore_status;               /* kinds whose status the main resource resets */
	int64_t now_ms;                   /* entry timestamps */
};

/*
 * Server-side apply of @p config to @p live (NULL or an object without uid:
 * create): merge, take ownership of the configured fields, drop fields this
 * manager applied before and no longer sets (unless others own them), and
 * record metadata.managedFields. With @p force, conflicting fields change
 * owner; without, conflicts fail with upstream's 409 (`Apply failed with 1
 * conflict: conflict with "m" using apps/v1: .spec.replicas`, causes of type
 * FieldManagerConflict). On success *out is the object to store (new tree).
 */
int kube__ssa_apply(const json_t *live, const json_t *config, const struct kube_ssa_ctx *x,
		    bool force, json_t **out, json_t **st);

/*
 * Record an Update by x->manager from @p live (NULL on create) to @p obj in
 * obj's metadata.managedFields, as upstream's field manager does for every
 * non-apply write: the manager takes the fields it changed (from other
 * managers too) and its entry's time is set when it changed anything.
 * An object without managedFields gets none unless something changed.
 */
void kube__managed_update(const json_t *live, json_t *obj, const struct kube_ssa_ctx *x);

/* ---- the admission-path operation ------------------------------------- */

/*
 * Patch an object through the admission path: read it (404 when missing,
 * except KUBE_PATCH_APPLY, which creates), apply @p patch_text (JSON; YAML
 * too for apply), then kube__op_update (kube__op_create on apply-create) so
 * defaulting, validation and resourceVersion checks happen as for any write.
 * With o->status only the status changes. @p field_manager is required for
 * apply; for the other types it names the Update manager (NULL: none
 * recorded). @p force only for apply. @p cb as kube__op_update's.
 */
void kube__op_patch(kube_cluster *c, const struct kube_kind *k, const char *ns,
		    const char *name, enum kube_patch_type type, const char *patch_text,
		    size_t len, const struct kube_op_opts *o, const char *field_manager,
		    bool force, kube_op_cb cb, void *data);

#endif
