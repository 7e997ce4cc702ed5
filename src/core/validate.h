/*
 * Validation the API server applies to every object before it is stored:
 * strict schema decoding, metadata rules, then the kind's own checks.
 */
#ifndef KUBE_CORE_VALIDATE_H
#define KUBE_CORE_VALIDATE_H

#include <stdbool.h>
#include <jansson.h>
#include "core/registry.h"

/* fieldValidation: what to do with unknown or duplicate fields. */
enum kube_field_validation {
	KUBE_FIELD_STRICT = 0, /* 400 BadRequest naming every unknown field (kubectl's default) */
	KUBE_FIELD_WARN,       /* accept, drop them, and return warnings */
	KUBE_FIELD_IGNORE,     /* accept and drop them silently */
};

/*
 * Validate @p obj (already defaulted) of kind @p k; @p old is the stored
 * object on update, NULL on create.
 * - Unknown fields: with STRICT, fails with 400 BadRequest and message
 *   `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding
 *   error: unknown field "spec.ClusterIP"[, unknown field "..."]`; with WARN,
 *   appends `unknown field "spec.ClusterIP"` strings to @p warnings (may be NULL).
 *   In both WARN and IGNORE the unknown fields are removed from @p obj.
 * - Everything else (types, metadata, kind rules) fails with 422 Invalid and
 *   one cause per bad field, all found in one pass.
 * Returns 0, KUBE_EINVAL (400) or KUBE_EINVALID (422), with *st set when st is non-NULL.
 */
int kube__validate_object(const struct kube_kind *k, json_t *obj, const json_t *old,
			  enum kube_field_validation fv, json_t *warnings, json_t **st);

/*
 * Metadata rules (ObjectMeta): name (or generateName) present and valid for
 * the kind, namespace valid, labels (qualified-name keys, label values) and
 * annotations (qualified-name keys, total size <= 256 KiB), ownerReferences
 * (apiVersion, kind, name, uid present), finalizers (qualified names).
 * On update: immutable name, namespace, uid, creationTimestamp,
 * deletionTimestamp, deletionGracePeriodSeconds; generation not decremented;
 * no new finalizers once deletionTimestamp is set.
 * Appends causes with paths under "metadata.".
 *
 * Name rules, as each kind's upstream validation picks them (a table in
 * validate_meta.c keyed by group and kind):
 *   Namespace                               DNS-1123 label (NameIsDNSLabel)
 *   Service                                 DNS-1035 label (NameIsDNS1035Label:
 *                                           must start with a letter)
 *   Role, ClusterRole, RoleBinding,
 *   ClusterRoleBinding (rbac)               path segment (no '/', '%', not '.', '..')
 *   CronJob                                 DNS-1123 subdomain, at most 52 characters
 *   every other kind                        DNS-1123 subdomain (NameIsDNSSubdomain)
 * generateName is checked as a prefix (a trailing '-' allowed).
 */
void kube__validate_meta(const struct kube_kind *k, const json_t *obj, const json_t *old,
			 json_t *causes);

/* The name rules, as upstream's apimachinery validation functions. Each
 * returns NULL when valid, or the first upstream error detail (static, or
 * thread-local until the thread's next call), e.g.
 * "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric
 * characters, '-' or '.', and must start and end with an alphanumeric
 * character (e.g. 'example.com', regex used for validation is
 * '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')". */
const char *kube__check_dns1123_subdomain(const char *s);
const char *kube__check_dns1123_label(const char *s);
const char *kube__check_qualified_name(const char *s);   /* label / annotation keys */
const char *kube__check_label_value(const char *s);      /* label values */

#endif
