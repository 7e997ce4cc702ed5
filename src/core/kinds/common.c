/*
 * Field paths, JSON access and the upstream field.Error forms used by every
 * kind's validation (see kinds.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/status.h"

const char *kube__path_child(char *out, const char *base, const char *name)
{
	snprintf(out, KUBE_PATH_MAX, "%s%s%s", base, *base ? "." : "", name);
	return out;
}

const char *kube__path_index(char *out, const char *base, size_t i)
{
	snprintf(out, KUBE_PATH_MAX, "%s[%zu]", base, i);
	return out;
}

const char *kube__path_key(char *out, const char *base, const char *key)
{
	snprintf(out, KUBE_PATH_MAX, "%s[%s]", base, key);
	return out;
}

const char *kinds_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

json_t *kube__jobj(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_object(v) ? v : NULL;
}

json_t *kube__jarr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_array(v) ? v : NULL;
}

json_t *kube__jpath(const json_t *obj, const char *dotted)
{
	const json_t *v = kube__jget(obj, dotted);

	return json_is_null(v) ? NULL : (json_t *)v;
}

json_t *kube__jensure_obj(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_object(v))
		return v;
	v = json_object();
	json_object_set_new(obj, key, v);
	return v;
}

void kube__jdefault(json_t *obj, const char *key, json_t *value)
{
	json_t *cur = json_object_get(obj, key);

	if (!json_is_object(obj) || (cur && !json_is_null(cur))) {
		json_decref(value);
		return;
	}
	json_object_set_new(obj, key, value);
}

void kube__jdefault_str(json_t *obj, const char *key, const char *value)
{
	json_t *cur = json_object_get(obj, key);

	if (!json_is_object(obj))
		return;
	if (cur && !json_is_null(cur) && !(json_is_string(cur) && !*json_string_value(cur)))
		return;
	json_object_set_new(obj, key, json_string(value));
}

bool kube__jnonempty(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return (json_is_array(v) && json_array_size(v) > 0) ||
	       (json_is_object(v) && json_object_size(v) > 0);
}

/* Append "<kind>: <value>[: <detail>]" as one cause of @p reason. */
static void add_fmt(json_t *causes, const char *reason, const char *path, const char *kind,
		    const char *value, const char *detail)
{
	char *msg = NULL;
	int rc;

	if (value)
		rc = asprintf(&msg, "%s: %s%s%s", kind, value, detail && *detail ? ": " : "",
			      detail ? detail : "");
	else
		rc = asprintf(&msg, "%s%s%s", kind, detail && *detail ? ": " : "",
			      detail ? detail : "");
	kube__cause_add(causes, reason, path, rc < 0 ? kind : msg);
	if (rc >= 0)
		free(msg);
}

/* Go's %q of a string, close enough for the names and values we print. */
static char *quote(const char *s)
{
	json_t *j = json_string(s);
	char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	json_decref(j);
	return q ? q : strdup("\"\"");
}

void kube__err_required(json_t *causes, const char *path, const char *detail)
{
	add_fmt(causes, "FieldValueRequired", path, "Required value", NULL, detail);
}

void kube__err_invalid_str(json_t *causes, const char *path, const char *s, const char *detail)
{
	char *q = quote(s);

	add_fmt(causes, "FieldValueInvalid", path, "Invalid value", q, detail);
	free(q);
}

void kube__err_invalid_int(json_t *causes, const char *path, int64_t n, const char *detail)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)n);
	add_fmt(causes, "FieldValueInvalid", path, "Invalid value", buf, detail);
}

void kube__err_invalid_raw(json_t *causes, const char *path, const char *raw, const char *detail)
{
	add_fmt(causes, "FieldValueInvalid", path, "Invalid value", raw, detail);
}

void kube__err_unsupported(json_t *causes, const char *path, const char *s,
			   const char *const *supported)
{
	char *q = quote(s);

	kube__err_unsupported_raw(causes, path, q, supported);
	free(q);
}

void kube__err_unsupported_raw(json_t *causes, const char *path, const char *raw,
			       const char *const *supported)
{
	char *list = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&list, &len);

	if (f) {
		fputs("supported values: ", f);
		for (int i = 0; supported && supported[i]; i++) {
			char *sq = quote(supported[i]);

			fprintf(f, "%s%s", i ? ", " : "", sq);
			free(sq);
		}
		fclose(f);
	}
	add_fmt(causes, "FieldValueNotSupported", path, "Unsupported value", raw, list);
	free(list);
}

void kube__err_duplicate_str(json_t *causes, const char *path, const char *s)
{
	char *q = quote(s);

	add_fmt(causes, "FieldValueDuplicate", path, "Duplicate value", q, NULL);
	free(q);
}

void kube__err_duplicate_raw(json_t *causes, const char *path, const char *raw)
{
	add_fmt(causes, "FieldValueDuplicate", path, "Duplicate value", raw, NULL);
}

void kube__err_forbidden(json_t *causes, const char *path, const char *detail)
{
	add_fmt(causes, "FieldValueForbidden", path, "Forbidden", NULL, detail);
}

void kube__err_notfound(json_t *causes, const char *path, const char *s)
{
	char *q = quote(s);

	add_fmt(causes, "FieldValueNotFound", path, "Not found", q, NULL);
	free(q);
}

void kube__err_toolong(json_t *causes, const char *path, long max)
{
	char detail[64];

	snprintf(detail, sizeof(detail), "may not be more than %ld byte%s", max, max == 1 ? "" : "s");
	add_fmt(causes, "FieldValueTooLong", path, "Too long", NULL, detail);
}

void kube__err_invalid_msgs(json_t *causes, const char *path, const char *s,
			    const char *const *msgs)
{
	for (int i = 0; msgs[i]; i++)
		kube__err_invalid_str(causes, path, s, msgs[i]);
}

void kube__check_fmt(json_t *causes, const char *path, const char *s,
		     int (*check)(const char *, const char **))
{
	const char *msgs[KUBE_MSGS_MAX];

	if (check(s, msgs))
		kube__err_invalid_msgs(causes, path, s, msgs);
}

void kube__check_nonneg(json_t *causes, const json_t *obj, const char *key, const char *base)
{
	json_t *v = json_object_get(obj, key);
	char p[KUBE_PATH_MAX];

	if (json_is_integer(v) && json_integer_value(v) < 0)
		kube__err_invalid_int(causes, kube__path_child(p, base, key), json_integer_value(v),
				      "must be greater than or equal to 0");
}

bool kube__changed(const json_t *a, const json_t *b)
{
	if (json_is_null(a))
		a = NULL;
	if (json_is_null(b))
		b = NULL;
	if (!a || !b)
		return a != b;
	return !json_equal(a, b);
}
