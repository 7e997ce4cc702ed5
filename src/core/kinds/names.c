/*
 * The name and value formats of k8s.io/apimachinery/pkg/util/validation, with
 * upstream's messages word for word. Hand-written matchers stand in for the
 * regular expressions each message quotes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"

#define LABEL_MSG "a lowercase RFC 1123 label must consist of lower case alphanumeric " \
	"characters or '-', and must start and end with an alphanumeric character (e.g. " \
	"'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG "a lowercase RFC 1123 subdomain must consist of lower case " \
	"alphanumeric characters, '-' or '.', and must start and end with an alphanumeric " \
	"character (e.g. 'example.com', regex used for validation is " \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG "a DNS-1035 label must consist of lower case alphanumeric characters " \
	"or '-', start with an alphabetic character, and end with an alphanumeric character " \
	"(e.g. 'my-name',  or 'abc-123', regex used for validation is " \
	"'[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_MSG "name part must consist of alphanumeric characters, '-', '_' or '.', and " \
	"must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  " \
	"or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABELVAL_MSG "a valid label must be an empty string or consist of alphanumeric " \
	"characters, '-', '_' or '.', and must start and end with an alphanumeric character " \
	"(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is " \
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define CONFIGKEY_MSG "a valid config key must consist of alphanumeric characters, '-', '_' " \
	"or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation " \
	"is '[-._a-zA-Z0-9]+')"
#define PERCENT_MSG "a valid percent string must be a numeric string followed by an ending " \
	"'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

static bool is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n). */
static bool match_label(const char *s, size_t n)
{
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool match_subdomain(const char *s)
{
	const char *p = s, *dot;

	do {
		dot = strchr(p, '.');
		if (!match_label(p, dot ? (size_t)(dot - p) : strlen(p)))
			return false;
		p = dot + 1;
	} while (dot);
	return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n). */
static bool match_qname_part(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

static int finish(const char **msgs, int n)
{
	msgs[n] = NULL;
	return n;
}

static const char *maxlen_msg(int n)
{
	switch (n) {
	case 15: return "must be no more than 15 characters";
	case 63: return "must be no more than 63 characters";
	default: return "must be no more than 253 characters";
	}
}

int kube__fmt_dns1123_label(const char *s, const char **msgs)
{
	int n = 0;

	if (strlen(s) > 63)
		msgs[n++] = maxlen_msg(63);
	if (!match_label(s, strlen(s)))
		msgs[n++] = match_subdomain(s) ? "must not contain dots" : LABEL_MSG;
	return finish(msgs, n);
}

int kube__fmt_dns1123_subdomain(const char *s, const char **msgs)
{
	int n = 0;

	if (strlen(s) > 253)
		msgs[n++] = maxlen_msg(253);
	if (!match_subdomain(s))
		msgs[n++] = SUBDOMAIN_MSG;
	return finish(msgs, n);
}

int kube__fmt_dns1035_label(const char *s, const char **msgs)
{
	int n = 0;
	size_t len = strlen(s);

	if (len > 63)
		msgs[n++] = maxlen_msg(63);
	if (!match_label(s, len) || !(s[0] >= 'a' && s[0] <= 'z'))
		msgs[n++] = DNS1035_MSG;
	return finish(msgs, n);
}

int kube__fmt_qualified_name(const char *s, const char **msgs)
{
	static __thread char prefix_msg[512];
	const char *slash = strchr(s, '/'), *name = s;
	int n = 0;

	if (slash) {
		if (strchr(slash + 1, '/')) {
			msgs[n++] = "a qualified name must consist of alphanumeric characters, '-', '_' "
				    "or '.', and must start and end with an alphanumeric character "
				    "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
				    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
				    "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
			return finish(msgs, n);
		}
		char prefix[300];
		size_t plen = (size_t)(slash - s);

		if (plen == 0) {
			msgs[n++] = "prefix part must be non-empty";
		} else if (plen < sizeof(prefix)) {
			memcpy(prefix, s, plen);
			prefix[plen] = '\0';
			if (plen > 253 || !match_subdomain(prefix)) {
				snprintf(prefix_msg, sizeof(prefix_msg), "prefix part %s",
					 plen > 253 ? maxlen_msg(253) : SUBDOMAIN_MSG);
				msgs[n++] = prefix_msg;
			}
		}
		name = slash + 1;
	}
	if (!*name)
		msgs[n++] = "name part must be non-empty";
	else if (strlen(name) > 63)
		msgs[n++] = "name part must be no more than 63 characters";
	if (!match_qname_part(name, strlen(name)))
		msgs[n++] = QNAME_MSG;
	return finish(msgs, n);
}

int kube__fmt_label_value(const char *s, const char **msgs)
{
	int n = 0;

	if (strlen(s) > 63)
		msgs[n++] = maxlen_msg(63);
	if (*s && !match_qname_part(s, strlen(s)))
		msgs[n++] = LABELVAL_MSG;
	return finish(msgs, n);
}

int kube__fmt_port_name(const char *s, const char **msgs)
{
	size_t len = strlen(s);
	bool charset = len > 0, letter = false;
	int n = 0;

	for (size_t i = 0; i < len; i++) {
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			charset = false;
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
	}
	if (len > 15)
		msgs[n++] = maxlen_msg(15);
	if (!charset)
		msgs[n++] = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
	if (!letter)
		msgs[n++] = "must contain at least one letter (a-z)";
	if (strstr(s, "--"))
		msgs[n++] = "must not contain consecutive hyphens";
	if (len > 0 && (s[0] == '-' || s[len - 1] == '-'))
		msgs[n++] = "must not begin or end with a hyphen";
	return finish(msgs, n);
}

/* hasChDirPrefix. */
static int chdir_prefix(const char *s, const char **msgs, int n)
{
	if (!strcmp(s, "."))
		msgs[n++] = "must not be '.'";
	else if (!strcmp(s, ".."))
		msgs[n++] = "must not be '..'";
	else if (!strncmp(s, "..", 2))
		msgs[n++] = "must not start with '..'";
	return n;
}

int kube__fmt_config_key(const char *s, const char **msgs)
{
	int n = 0;
	bool ok = *s != '\0';

	if (strlen(s) > 253)
		msgs[n++] = maxlen_msg(253);
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._", *p))
			ok = false;
	if (!ok)
		msgs[n++] = CONFIGKEY_MSG;
	return finish(msgs, chdir_prefix(s, msgs, n));
}

int kube__fmt_env_name(const char *s, const char **msgs)
{
	int n = 0;

	if (!*s)
		msgs[n++] = "environment variable name must be non-empty";
	for (const char *p = s; *p; p++) {
		if (*p < ' ' || *p > '~' || *p == '=') {
			msgs[n++] = "a valid environment variable name must consist only of printable "
				    "ASCII characters other than '='";
			break;
		}
	}
	return finish(msgs, n);
}

int kube__fmt_path_segment(const char *s, const char **msgs)
{
	int n = 0;

	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		msgs[n++] = !strcmp(s, ".") ? "may not be '.'" : "may not be '..'";
		return finish(msgs, n);
	}
	if (strchr(s, '/'))
		msgs[n++] = "may not contain '/'";
	if (strchr(s, '%'))
		msgs[n++] = "may not contain '%'";
	return finish(msgs, n);
}

int kube__fmt_percent(const char *s, const char **msgs)
{
	size_t len = strlen(s);
	bool ok = len >= 2 && s[len - 1] == '%';

	for (size_t i = 0; ok && i + 1 < len; i++)
		if (!isdigit((unsigned char)s[i]))
			ok = false;
	if (!ok) {
		msgs[0] = PERCENT_MSG;
		return finish(msgs, 1);
	}
	return finish(msgs, 0);
}

int kube__ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return 6;
	return 0;
}

int kube__cidr_parse(const char *s, unsigned char addr[16], int *prefix)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	char *end;
	long p;
	int fam;

	if (!slash || (size_t)(slash - s) >= sizeof(ip) || !slash[1])
		return 0;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	fam = kube__ip_family(ip);
	if (!fam)
		return 0;
	p = strtol(slash + 1, &end, 10);
	if (*end || !isdigit((unsigned char)slash[1]) || p < 0 || p > (fam == 4 ? 32 : 128))
		return 0;
	memset(addr, 0, 16);
	inet_pton(fam == 4 ? AF_INET : AF_INET6, ip, addr);
	*prefix = (int)p;
	return fam;
}
