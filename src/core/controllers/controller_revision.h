/*
 * ControllerRevision history shared by the StatefulSet and DaemonSet
 * controllers, as upstream's pkg/controller/history plus the getPatch /
 * revision helpers both controllers repeat: a revision records the pod
 * template of its owner as {"spec":{"template":{..., "$patch":"replace"}}},
 * is named <owner>-<hash>, carries the hash in the controller-revision-hash
 * label, and has an increasing revision number.
 *
 * Everything here runs on the cluster loop and reads the store directly.
 */
#ifndef KUBE_CORE_CONTROLLERS_CONTROLLER_REVISION_H
#define KUBE_CORE_CONTROLLERS_CONTROLLER_REVISION_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/ops.h"

/* The label holding a revision's hash (apps/v1 ControllerRevisionHashLabelKey). */
#define KUBE_REVISION_HASH_LABEL "controller-revision-hash"

/* Which FNV variant a hash uses: StatefulSet revisions hash with FNV-1
 * (history.HashControllerRevision), DaemonSets with FNV-1a (ComputeHash). */
enum kube_revision_fnv { KUBE_FNV1, KUBE_FNV1A };

/*
 * The revision data of workload @p owner: a new object
 * {"spec":{"template":<copy of spec.template>, "$patch":"replace"}}
 * (getPatch). NULL when the owner has no template.
 */
json_t *kube__revision_data(const json_t *owner);

/* The pod template a revision records (a new copy without "$patch"), or NULL. */
json_t *kube__revision_template(const json_t *rev);

/*
 * The hash of @p v (compact JSON with sorted keys) followed by the decimal
 * of @p collision when non-NULL, encoded as upstream's rand.SafeEncodeString
 * of the decimal 32-bit sum, into @p out (>= 16 bytes).
 */
void kube__revision_hash(const json_t *v, const int64_t *collision, enum kube_revision_fnv fnv,
			 char *out, size_t len);

/*
 * A new ControllerRevision (not stored) owned by @p owner (a controller
 * reference), named <owner name>-<hash>, labelled with @p labels (copied;
 * may be NULL) plus controller-revision-hash=<hash>, annotated with the
 * owner's annotations, holding @p data (copied) and @p revision.
 */
json_t *kube__revision_new(const json_t *owner, const json_t *labels, const json_t *data,
			   int64_t revision, const char *hash);

/*
 * The ControllerRevisions controlled by @p owner, sorted as
 * history.SortControllerRevisions does (revision, then creation time, then
 * name): a new array holding references to the stored objects.
 */
json_t *kube__revisions_of(kube_cluster *c, const json_t *owner);

/* The largest revision number in @p revs (0 when empty). */
int64_t kube__revisions_max(const json_t *revs);

/* True when revision @p rev records exactly @p data. */
bool kube__revision_matches(const json_t *rev, const json_t *data);

/* The revision's name and number. */
const char *kube__revision_name(const json_t *rev);
int64_t kube__revision_number(const json_t *rev);

/*
 * Delete the oldest revisions of @p revs (sorted) whose names are not keys
 * of @p live until at most @p limit non-live ones remain (a negative limit
 * keeps everything). Each delete reports to @p cb. Returns how many were
 * deleted.
 */
int kube__revisions_truncate(kube_cluster *c, const json_t *revs, const json_t *live,
			     int64_t limit, kube_op_cb cb, void *data);

#endif
