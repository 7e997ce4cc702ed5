/*
 * Name formats, as k8s.io/apimachinery/pkg/util/validation and
 * .../api/validation/path check them, with upstream's exact messages.
 * Each kube__names_* function fills up to KUBE_NAME_MAX_ERRS messages
 * (static strings or text in the caller's buffer) and returns how many.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/validate.h"
#include "core/validate_names.h"

#define LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define SUBDOMAIN_FMT LABEL_FMT "(\\." LABEL_FMT ")*"
#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"

#define DNS1123_LABEL_MSG "a lowercase RFC 1123 label must consist of lower case alphanumeric " \
	"characters or '-', and must start and end with an alphanumeric character (e.g. " \
	"'my-name',  or '123-abc', regex used for validation is '" LABEL_FMT "')"
#define DNS1123_SUBDOMAIN_MSG "a lowercase RFC 1123 subdomain must consist of lower case " \
	"alphanumeric characters, '-' or '.', and must start and end with an alphanumeric " \
	"character (e.g. 'example.com', regex used for validation is '" SUBDOMAIN_FMT "')"
#define DNS1035_LABEL_MSG "a DNS-1035 label must consist of lower case alphanumeric " \
	"characters or '-', start with an alphabetic character, and end with an alphanumeric " \
	"character (e.g. 'my-name',  or 'abc-123', regex used for validation is " \
	"'[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_MSG "must consist of alphanumeric characters, '-', '_' or '.', and must start " \
	"and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " \
	"regex used for validation is '" QNAME_FMT "')"
#define LABEL_VALUE_MSG "a valid label must be an empty string or consist of alphanumeric " \
	"characters, '-', '_' or '.', and must start and end with an alphanumeric character " \
	"(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(" \
	QNAME_FMT ")?')"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return isalnum((unsigned char)c) && !(c & 0x80);
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool is_label(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool is_subdomain(const char *s)
{
	const char *dot;

	do {
		dot = strchr(s, '.');
		if (!is_label(s, dot ? (size_t)(dot - s) : strlen(s)))
			return false;
		s = dot + 1;
	} while (dot);
	return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool is_qname_part(const char *s, size_t n)
{
	if (n == 0 || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static int add(struct kube_name_errs *e, const char *msg)
{
	if (e->n < KUBE_NAME_MAX_ERRS)
		e->msg[e->n++] = msg;
	return e->n;
}

/* "must be no more than N characters" in the next free buffer slot. */
static int add_maxlen(struct kube_name_errs *e, const char *prefix, int max)
{
	char *b = e->buf[e->n < KUBE_NAME_MAX_ERRS ? e->n : 0];

	snprintf(b, sizeof(e->buf[0]), "%smust be no more than %d characters", prefix, max);
	return add(e, b);
}

int kube__names_dns1123_label(const char *s, struct kube_name_errs *e)
{
	size_t n = strlen(s);

	if (n > 63)
		add_maxlen(e, "", 63);
	if (!is_label(s, n))
		add(e, is_subdomain(s) ? "must not contain dots" : DNS1123_LABEL_MSG);
	return e->n;
}

int kube__names_dns1123_subdomain(const char *s, struct kube_name_errs *e)
{
	if (strlen(s) > 253)
		add_maxlen(e, "", 253);
	if (!is_subdomain(s))
		add(e, DNS1123_SUBDOMAIN_MSG);
	return e->n;
}

int kube__names_dns1035_label(const char *s, struct kube_name_errs *e)
{
	size_t n = strlen(s);

	if (n > 63)
		add_maxlen(e, "", 63);
	if (!is_label(s, n) || !(s[0] >= 'a' && s[0] <= 'z'))
		add(e, DNS1035_LABEL_MSG);
	return e->n;
}

int kube__names_path_segment(const char *s, bool prefix, struct kube_name_errs *e)
{
	if (!prefix && strcmp(s, ".") == 0)
		return add(e, "may not be '.'");
	if (!prefix && strcmp(s, "..") == 0)
		return add(e, "may not be '..'");
	if (strchr(s, '/'))
		add(e, "may not contain '/'");
	if (strchr(s, '%'))
		add(e, "may not contain '%'");
	return e->n;
}

/* The prefix part of a qualified name: each subdomain message, prefixed. */
static void qname_prefix(const char *p, size_t n, struct kube_name_errs *e)
{
	char *pre;

	if (n == 0) {
		add(e, "prefix part must be non-empty");
		return;
	}
	if (n > 253)
		add_maxlen(e, "prefix part ", 253);
	pre = strndup(p, n);
	if (!pre || !is_subdomain(pre))
		add(e, "prefix part " DNS1123_SUBDOMAIN_MSG);
	free(pre);
}

int kube__names_qualified(const char *s, struct kube_name_errs *e)
{
	const char *slash = strchr(s, '/'), *name = s;

	if (slash && strchr(slash + 1, '/'))
		return add(e, "a qualified name " QNAME_MSG " with an optional DNS subdomain "
			   "prefix and '/' (e.g. 'example.com/MyName')");
	if (slash) {
		qname_prefix(s, (size_t)(slash - s), e);
		name = slash + 1;
	}
	if (!*name)
		add(e, "name part must be non-empty");
	else if (strlen(name) > 63)
		add_maxlen(e, "name part ", 63);
	if (!is_qname_part(name, strlen(name)))
		add(e, "name part " QNAME_MSG);
	return e->n;
}

int kube__names_label_value(const char *s, struct kube_name_errs *e)
{
	size_t n = strlen(s);

	if (n > 63)
		add_maxlen(e, "", 63);
	if (n && !is_qname_part(s, n))
		add(e, LABEL_VALUE_MSG);
	return e->n;
}

/* The first message of a check, or NULL; static storage for the length
 * message since callers of the single-message API keep no buffer. */
static const char *first(int (*fn)(const char *, struct kube_name_errs *), const char *s)
{
	static __thread struct kube_name_errs e;

	e.n = 0;
	if (!s || fn(s, &e) == 0)
		return NULL;
	return e.msg[0];
}

const char *kube__check_dns1123_subdomain(const char *s)
{
	return first(kube__names_dns1123_subdomain, s);
}

const char *kube__check_dns1123_label(const char *s)
{
	return first(kube__names_dns1123_label, s);
}

const char *kube__check_qualified_name(const char *s)
{
	return first(kube__names_qualified, s);
}

const char *kube__check_label_value(const char *s)
{
	return first(kube__names_label_value, s);
}
