/*
 * Kubernetes Status documents for failed operations.
 *
 * Internal functions report failure as a negative KUBE_E* code plus, when the
 * caller passed a non-NULL `json_t **st`, a new Status object in *st (owned by
 * the caller). The message forms are upstream's, e.g.
 *   pods "x" not found                         (404 NotFound)
 *   deployments.apps "x" already exists        (409 AlreadyExists)
 *   Operation cannot be fulfilled on pods "x": the object has been modified;
 *     please apply your changes to the latest version and try again (409 Conflict)
 *   Service "x" is invalid: spec.ports[0].port: Invalid value: 0: must be
 *     between 1 and 65535, inclusive           (422 Invalid, with causes)
 */
#ifndef KUBE_CORE_STATUS_H
#define KUBE_CORE_STATUS_H

#include <jansson.h>
#include "libkube/errors.h"

/* The HTTP code and Status reason a KUBE_E* code maps to. */
int kube__errno_http(int err);
const char *kube__errno_reason(int err);

/*
 * A new Status: {"kind":"Status","apiVersion":"v1","metadata":{},
 * "status":"Failure","message":msg,"reason":...,"code":...}; details, when
 * non-NULL, is stolen. Returns NULL only on allocation failure.
 */
json_t *kube__status_new(int err, const char *msg, json_t *details);

/*
 * Store a Status built from printf-style @p fmt in *st when st is non-NULL,
 * with details {name, group, kind} when name is non-NULL. Returns @p err so a
 * caller can `return kube__fail(st, KUBE_ENOTFOUND, ...)`.
 */
int kube__fail(json_t **st, int err, const char *group, const char *kind,
	       const char *name, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The upstream messages for the store's errors on resource @p res
 * ("pods", "deployments.apps"): not found, already exists, conflict. */
int kube__fail_notfound(json_t **st, const char *group, const char *res, const char *name);
int kube__fail_exists(json_t **st, const char *group, const char *res, const char *name);
int kube__fail_conflict(json_t **st, const char *group, const char *res, const char *name);

/*
 * Field errors for a 422 Invalid. A cause is {"reason", "message", "field"}
 * as upstream's field.Error renders it: reason FieldValueRequired ("Required
 * value"), FieldValueInvalid ("Invalid value: <v>: <detail>"),
 * FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden,
 * FieldValueTooLong, FieldValueTypeInvalid.
 */
void kube__cause_required(json_t *causes, const char *field);
void kube__cause_invalid(json_t *causes, const char *field, const json_t *value,
			 const char *detail);
void kube__cause_add(json_t *causes, const char *reason, const char *field,
		     const char *message);

/*
 * Turn collected causes (stolen) into a 422 Invalid Status for the object
 * of @p kind (e.g. "Service", group "" or "apps") named @p name. The message
 * is `Kind "name" is invalid: <field>: <message>` for one cause and
 * `Kind "name" is invalid: [<f1>: <m1>, <f2>: <m2>]` for several.
 * Returns KUBE_EINVALID.
 */
int kube__fail_invalid(json_t **st, const char *group, const char *kind,
		       const char *name, json_t *causes);

/* The KUBE_E* code a Status stands for (from its reason and code). */
int kube__errno_of_status(const json_t *st);

/* Thread-local "last Status" behind kube_last_status(); st is stolen (NULL clears). */
void kube__set_last_status(json_t *st);

#endif
