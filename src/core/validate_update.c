/*
 * Metadata rules on update (ValidateObjectMetaAccessorUpdate): fields the
 * API server never lets a client change, with Go's rendering of the value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/schema_values.h"
#include "core/status.h"
#include "core/validate_names.h"

#define IMMUTABLE "field is immutable"

/* Go's time.Time.String() of an RFC 3339 timestamp in the server's zone
 * (UTC): "2024-01-01 10:00:00 +0000 UTC"; the zero time when absent. */
static void go_time(const json_t *v, char *buf, size_t len)
{
	const char *s = json_string_value(v);
	char err[256];
	struct tm tm = { 0 };
	int off_h = 0, off_m = 0;
	char sign = 'Z';
	time_t t;

	if (!s || kube__check_rfc3339(s, err, sizeof(err))) {
		snprintf(buf, len, "0001-01-01 00:00:00 +0000 UTC");
		return;
	}
	sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	       &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	s = strpbrk(s + 19, "Z+-");
	if (s && *s != 'Z' && sscanf(s, "%c%2d:%2d", &sign, &off_h, &off_m) == 3) {
		int secs = off_h * 3600 + off_m * 60;

		tm.tm_sec -= sign == '-' ? -secs : secs;
	}
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
}

static void immutable_value(json_t *causes, const char *field, const char *text)
{
	char *msg = NULL;

	if (asprintf(&msg, "Invalid value: %s: " IMMUTABLE, text) >= 0)
		kube__cause_add(causes, "FieldValueInvalid", field, msg);
	free(msg);
}

/* Strings and numbers print as field.Invalid prints them; an absent value
 * is the Go zero value ("" or null). */
/* Strings and numbers print as field.Invalid prints them; an absent value
 * is the Go zero value ("" or null). Times compare as instants. */
static void immutable(json_t *causes, const json_t *md, const json_t *old_md,
		      const char *key, bool is_time, bool pointer)
{
	const json_t *n = json_object_get(md, key), *o = json_object_get(old_md, key);
	char field[64], text[64], old_text[64];

	if (json_is_null(n))
		n = NULL;
	if (json_is_null(o))
		o = NULL;
	if ((!n && !o) || (n && o && json_equal((json_t *)n, (json_t *)o)))
		return;
	snprintf(field, sizeof(field), "metadata.%s", key);
	if (is_time && n && o) {
		go_time(n, text, sizeof(text));
		go_time(o, old_text, sizeof(old_text));
		if (strcmp(text, old_text) == 0)
			return;
	}
	if (is_time && (n || !pointer)) {
		go_time(n, text, sizeof(text));
		immutable_value(causes, field, text);
	} else if (!n && pointer) {
		immutable_value(causes, field, "null");
	} else {
		json_t *v = n ? json_incref((json_t *)n) : json_string("");

		kube__cause_invalid(causes, field, v, IMMUTABLE);
		json_decref(v);
	}
}

static bool contains(const json_t *list, const char *s)
{
	size_t i;
	const json_t *v;

	json_array_foreach(list, i, v)
		if (json_string_value(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static bool seen(const char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Forbidden: `no new finalizers can be added if the object is being deleted,
 * found new finalizers []string{"a", "b"}` (sorted, as sets.String.List()). */
static void no_new_finalizers(const json_t *md, const json_t *old_md, json_t *causes)
{
	const json_t *fins = json_object_get(md, "finalizers"), *old = json_object_get(old_md, "finalizers"), *f;
	const char **extra = calloc(json_array_size(fins) + 1, sizeof(*extra));
	size_t i, n = 0;
	char *msg = NULL, *list = NULL;
	size_t len = 0;
	FILE *out;

	json_array_foreach(fins, i, f) {
		const char *s = json_string_value(f);

		if (extra && s && !contains(old, s) && !seen(extra, n, s))
			extra[n++] = s;
	}
	if (n && (out = open_memstream(&list, &len))) {
		qsort(extra, n, sizeof(*extra), cmp_str);
		fputs("[]string{", out);
		for (i = 0; i < n; i++)
			fprintf(out, "%s\"%s\"", i ? ", " : "", extra[i]);
		fputs("}", out);
		fclose(out);
		if (asprintf(&msg, "Forbidden: no new finalizers can be added if the object is "
			     "being deleted, found new finalizers %s", list) >= 0)
			kube__cause_add(causes, "FieldValueForbidden", "metadata.finalizers", msg);
	}
	free(msg);
	free(list);
	free(extra);
}

void kube__validate_meta_update(const json_t *md, const json_t *old_md, json_t *causes)
{
	json_int_t gen = json_integer_value(json_object_get(md, "generation"));

	if (json_object_get(old_md, "deletionTimestamp") &&
	    !json_is_null(json_object_get(old_md, "deletionTimestamp")))
		no_new_finalizers(md, old_md, causes);
	if (gen < json_integer_value(json_object_get(old_md, "generation"))) {
		json_t *v = json_integer(gen);

		kube__cause_invalid(causes, "metadata.generation", v, "must not be decremented");
		json_decref(v);
	}
	immutable(causes, md, old_md, "name", false, false);
	immutable(causes, md, old_md, "namespace", false, false);
	immutable(causes, md, old_md, "uid", false, false);
	immutable(causes, md, old_md, "creationTimestamp", true, false);
	immutable(causes, md, old_md, "deletionTimestamp", true, true);
	immutable(causes, md, old_md, "deletionGracePeriodSeconds", false, true);
}
