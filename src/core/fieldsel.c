/*
 * Field selectors as k8s.io/apimachinery/pkg/fields.ParseSelector reads
 * them: comma-separated (AND) terms field=value, field==value,
 * field!=value, with \, \= and \\ escapes in values. Matching reads the
 * dotted path from the object; a missing field is "".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/selector.h"

struct term {
	char *field; /* dotted path, e.g. "status.phase" */
	char *value; /* unescaped value */
	bool neq;    /* != rather than = / == */
};

struct kube_fieldsel {
	struct term *terms; /* ANDed terms, in upstream's (sorted) order */
	int n;
};

/* splitTerms: cut at commas not escaped by a backslash. */
static char **split_terms(const char *s, int *n)
{
	size_t len = strlen(s), start = 0;
	char **parts = calloc(len + 2, sizeof(*parts));
	bool slash = false;

	*n = 0;
	if (!parts)
		return NULL;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && (slash || s[i] != ',')) {
			slash = !slash && s[i] == '\\';
			continue;
		}
		if (!(parts[(*n)++] = strndup(s + start, i - start)))
			return parts;
		start = i + 1;
	}
	return parts;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* UnescapeValue into @p out (as long as @p s); 0, or -1 with err set. */
static int unescape(const char *s, char *out, char *err, size_t errlen)
{
	bool slash = false;

	for (; *s; s++) {
		if (slash) {
			if (!strchr("\\,=", *s)) {
				snprintf(err, errlen, "invalid field selector: invalid escape sequence: \\%c", *s);
				return -1;
			}
			*out++ = *s;
			slash = false;
		} else if (*s == '\\') {
			slash = true;
		} else if (*s == ',' || *s == '=') {
			/* Go prints the rune with %v: its code point */
			snprintf(err, errlen, "invalid field selector: unescaped character in value: %d", *s);
			return -1;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	if (slash) {
		snprintf(err, errlen, "invalid field selector: invalid escape sequence: \\");
		return -1;
	}
	return 0;
}

/* splitTerm: the first "!=", "==" or "=" splits field from value. */
static int parse_term(const char *sel, const char *part, struct term *t, char *err, size_t errlen)
{
	for (const char *p = part; *p; p++) {
		size_t oplen = strncmp(p, "!=", 2) == 0 || strncmp(p, "==", 2) == 0 ? 2 : *p == '=';
		if (!oplen)
			continue;
		t->neq = *p == '!';
		t->field = strndup(part, (size_t)(p - part));
		t->value = malloc(strlen(p + oplen) + 1);
		if (!t->field || !t->value) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return unescape(p + oplen, t->value, err, errlen);
	}
	snprintf(err, errlen, "invalid selector: '%s'; can't understand '%s'", sel, part);
	return -1;
}

struct kube_fieldsel *kube__fieldsel_parse(const char *s, char *err, size_t errlen)
{
	struct kube_fieldsel *sel = calloc(1, sizeof(*sel));
	char **parts = NULL;
	int n = 0, rc = 0;

	if (!sel)
		goto nomem;
	if (!s || !*s)
		return sel;
	if (!(parts = split_terms(s, &n)) || !(sel->terms = calloc((size_t)n, sizeof(*sel->terms))))
		goto nomem;
	for (int i = 0; i < n; i++)
		if (!parts[i])
			goto nomem;
	qsort(parts, (size_t)n, sizeof(*parts), str_cmp);
	for (int i = 0; i < n && rc == 0; i++) {
		if (parts[i][0] == '\0')
			continue;
		rc = parse_term(s, parts[i], &sel->terms[sel->n++], err, errlen);
	}
	for (int i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
	if (rc == 0)
		return sel;
	kube__fieldsel_free(sel);
	return NULL;
nomem:
	for (int i = 0; parts && i < n; i++)
		free(parts[i]);
	free(parts);
	snprintf(err, errlen, "out of memory");
	kube__fieldsel_free(sel);
	return NULL;
}

/* The field's value as the API server's field sets render it. */
static const char *field_value(const json_t *obj, const char *path, char *buf, size_t len)
{
	const json_t *v = obj;
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		v = json_object_getn(v, p, n);
		p += n + (dot != NULL);
	}
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return "";
}

bool kube__fieldsel_match(const struct kube_fieldsel *sel, const json_t *obj)
{
	char buf[32];

	for (int i = 0; i < sel->n; i++) {
		const struct term *t = &sel->terms[i];
		bool eq = strcmp(field_value(obj, t->field, buf, sizeof(buf)), t->value) == 0;
		if (eq == t->neq)
			return false;
	}
	return true;
}

int kube__fieldsel_count(const struct kube_fieldsel *sel)
{
	return sel->n;
}

const char *kube__fieldsel_field(const struct kube_fieldsel *sel, int i)
{
	return i >= 0 && i < sel->n ? sel->terms[i].field : NULL;
}

void kube__fieldsel_free(struct kube_fieldsel *sel)
{
	if (!sel)
		return;
	for (int i = 0; i < sel->n; i++) {
		free(sel->terms[i].field);
		free(sel->terms[i].value);
	}
	free(sel->terms);
	free(sel);
}
