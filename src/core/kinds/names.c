/*
 * The name and value formats of k8s.io/apimachinery/pkg/util/validation, with
 * upstream's messages word for word, in the msgs-array form kinds/ uses. The
 * DNS, qualified-name, label-value and path-segment checks are validate_names.c's
 * (the ones metadata validation uses); the formats only kinds need are here.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/validate_names.h"

#define CONFIGKEY_MSG "a valid config key must consist of alphanumeric characters, '-', '_' " \
	"or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation " \
	"is '[-._a-zA-Z0-9]+')"
#define PERCENT_MSG "a valid percent string must be a numeric string followed by an ending " \
	"'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

static bool is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
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

/* The messages of a validate_names.c check copied into @p msgs. The length
 * messages it formats stay in thread-local storage until this thread's next
 * check; every caller turns them into causes at once. */
static int from_names(int (*check)(const char *, struct kube_name_errs *), const char *s,
		      const char **msgs)
{
	static __thread struct kube_name_errs e;

	e.n = 0;
	check(s, &e);
	for (int i = 0; i < e.n; i++)
		msgs[i] = e.msg[i];
	return finish(msgs, e.n);
}

int kube__fmt_dns1123_label(const char *s, const char **msgs)
{
	return from_names(kube__names_dns1123_label, s, msgs);
}

int kube__fmt_dns1123_subdomain(const char *s, const char **msgs)
{
	return from_names(kube__names_dns1123_subdomain, s, msgs);
}

int kube__fmt_dns1035_label(const char *s, const char **msgs)
{
	return from_names(kube__names_dns1035_label, s, msgs);
}

int kube__fmt_qualified_name(const char *s, const char **msgs)
{
	return from_names(kube__names_qualified, s, msgs);
}

int kube__fmt_label_value(const char *s, const char **msgs)
{
	return from_names(kube__names_label_value, s, msgs);
}

static int path_segment_name(const char *s, struct kube_name_errs *e)
{
	return kube__names_path_segment(s, false, e);
}

int kube__fmt_path_segment(const char *s, const char **msgs)
{
	return from_names(path_segment_name, s, msgs);
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
