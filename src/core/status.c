/*
 * Kubernetes Status documents, the result code table and the thread-local
 * "last Status" behind kube_last_status().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/status.h"

struct errno_info {
	int err;
	int http;
	const char *reason;
	const char *text;
};

static const struct errno_info errno_table[] = {
	{ KUBE_EINVAL, 400, "BadRequest", "invalid argument" },
	{ KUBE_ENOMEM, 500, "InternalError", "out of memory" },
	{ KUBE_ENOTFOUND, 404, "NotFound", "not found" },
	{ KUBE_EEXIST, 409, "AlreadyExists", "already exists" },
	{ KUBE_ECONFLICT, 409, "Conflict", "conflict" },
	{ KUBE_EINVALID, 422, "Invalid", "invalid object" },
	{ KUBE_EGONE, 410, "Expired", "resource version expired" },
	{ KUBE_EFORBIDDEN, 403, "Forbidden", "forbidden" },
	{ KUBE_ETIMEDOUT, 504, "Timeout", "timed out" },
	{ KUBE_EIO, 500, "InternalError", "storage error" },
	{ KUBE_ESTOPPED, 503, "ServiceUnavailable", "cluster is not running" },
	{ KUBE_EMETHOD, 405, "MethodNotAllowed", "method not allowed" },
	{ KUBE_EUNAUTHORIZED, 401, "Unauthorized", "unauthorized" },
	{ KUBE_ETOOLARGE, 413, "RequestEntityTooLarge", "request entity too large" },
	{ KUBE_EUNSUPPORTED, 415, "UnsupportedMediaType", "unsupported media type" },
	{ KUBE_EINTERNAL, 500, "InternalError", "internal error" },
	{ KUBE_ETOOMANY, 429, "TooManyRequests", "too many requests" },
};

static const struct errno_info *errno_find(int err)
{
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].err == err)
			return &errno_table[i];
	return NULL;
}

const char *kube_strerror(int err)
{
	const struct errno_info *e;

	if (err == 0)
		return "success";
	e = errno_find(err);
	return e ? e->text : "unknown error";
}

int kube__errno_http(int err)
{
	const struct errno_info *e = errno_find(err);

	return e ? e->http : 500;
}

const char *kube__errno_reason(int err)
{
	const struct errno_info *e = errno_find(err);

	return e ? e->reason : "InternalError";
}

int kube__errno_of_status(const json_t *st)
{
	const char *reason = json_string_value(json_object_get(st, "reason"));
	int code = (int)json_integer_value(json_object_get(st, "code"));

	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (reason && !strcmp(errno_table[i].reason, reason) &&
		    errno_table[i].http == code)
			return errno_table[i].err;
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].http == code)
			return errno_table[i].err;
	return KUBE_EINTERNAL;
}

json_t *kube__status_new(int err, const char *msg, json_t *details)
{
	json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}",
			       "kind", "Status", "apiVersion", "v1", "metadata",
			       "status", "Failure", "message", msg ? msg : "",
			       "reason", kube__errno_reason(err),
			       "code", kube__errno_http(err));
	if (!st) {
		json_decref(details);
		return NULL;
	}
	if (details) {
		/* upstream puts details before code */
		json_object_del(st, "code");
		json_object_set_new(st, "details", details);
		json_object_set_new(st, "code", json_integer(kube__errno_http(err)));
	}
	return st;
}

static json_t *details_new(const char *group, const char *kind, const char *name)
{
	json_t *d = json_object();

	if (name)
		json_object_set_new(d, "name", json_string(name));
	if (group && *group)
		json_object_set_new(d, "group", json_string(group));
	if (kind)
		json_object_set_new(d, "kind", json_string(kind));
	return d;
}

static int fail_v(json_t **st, int err, const char *group, const char *kind,
		  const char *name, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (!st)
		return err;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	*st = kube__status_new(err, msg ? msg : kube_strerror(err),
			       name || kind ? details_new(group, kind, name) : NULL);
	free(msg);
	return err;
}

int kube__fail(json_t **st, int err, const char *group, const char *kind,
	       const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(st, err, group, kind, name, fmt, ap);
	va_end(ap);
	return err;
}

/* "pods" or "deployments.apps", as upstream's GroupResource.String(). */
static void qualified(char *buf, size_t len, const char *group, const char *res)
{
	if (group && *group)
		snprintf(buf, len, "%s.%s", res, group);
	else
		snprintf(buf, len, "%s", res);
}

int kube__fail_notfound(json_t **st, const char *group, const char *res, const char *name)
{
	char q[256];

	qualified(q, sizeof(q), group, res);
	return kube__fail(st, KUBE_ENOTFOUND, group, res, name, "%s \"%s\" not found", q, name);
}

int kube__fail_exists(json_t **st, const char *group, const char *res, const char *name)
{
	char q[256];

	qualified(q, sizeof(q), group, res);
	return kube__fail(st, KUBE_EEXIST, group, res, name, "%s \"%s\" already exists", q, name);
}

int kube__fail_conflict(json_t **st, const char *group, const char *res, const char *name)
{
	char q[256];

	qualified(q, sizeof(q), group, res);
	return kube__fail(st, KUBE_ECONFLICT, group, res, name,
			  "Operation cannot be fulfilled on %s \"%s\": the object has been "
			  "modified; please apply your changes to the latest version and try again",
			  q, name);
}

void kube__cause_add(json_t *causes, const char *reason, const char *field,
		     const char *message)
{
	json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason", reason,
						"message", message, "field", field));
}

void kube__cause_required(json_t *causes, const char *field)
{
	kube__cause_add(causes, "FieldValueRequired", field, "Required value");
}

/* How upstream's field.Invalid prints a value: strings quoted, others as JSON. */
static char *value_text(const json_t *v)
{
	if (!v || json_is_null(v))
		return strdup("null");
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

void kube__cause_invalid(json_t *causes, const char *field, const json_t *value,
			 const char *detail)
{
	char *val = value_text(value), *msg = NULL;

	if (asprintf(&msg, "Invalid value: %s%s%s", val ? val : "null",
		     detail && *detail ? ": " : "", detail ? detail : "") < 0)
		msg = NULL;
	kube__cause_add(causes, "FieldValueInvalid", field, msg ? msg : "Invalid value");
	free(msg);
	free(val);
}

static const char *cause_str(const json_t *c, const char *key)
{
	const char *s = json_string_value(json_object_get(c, key));

	return s ? s : "";
}

int kube__fail_invalid(json_t **st, const char *group, const char *kind,
		       const char *name, json_t *causes)
{
	char *msg = NULL, *list = NULL;
	size_t len = 0, i, n = json_array_size(causes);
	FILE *f;
	json_t *c, *d;

	if (!st) {
		json_decref(causes);
		return KUBE_EINVALID;
	}
	f = open_memstream(&list, &len);
	if (!f) {
		json_decref(causes);
		*st = kube__status_new(KUBE_EINVALID, "invalid object", NULL);
		return KUBE_EINVALID;
	}
	if (n > 1)
		fputc('[', f);
	json_array_foreach(causes, i, c) {
		const char *field = cause_str(c, "field");

		fprintf(f, "%s%s%s%s", i ? ", " : "", field, *field ? ": " : "",
			cause_str(c, "message"));
	}
	if (n > 1)
		fputc(']', f);
	fclose(f);
	/* upstream prints the GroupKind: "Deployment.apps", or "Service" for core */
	if (asprintf(&msg, "%s%s%s \"%s\" is invalid: %s", kind, group && *group ? "." : "",
		     group && *group ? group : "", name ? name : "", list) < 0)
		msg = NULL;
	d = details_new(group, kind, name ? name : "");
	json_object_set_new(d, "causes", causes);
	*st = kube__status_new(KUBE_EINVALID, msg ? msg : "invalid object", d);
	free(msg);
	free(list);
	return KUBE_EINVALID;
}

static __thread char *last_status;

void kube__set_last_status(json_t *st)
{
	free(last_status);
	last_status = st ? json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(st);
}

const char *kube_last_status(void)
{
	return last_status;
}
