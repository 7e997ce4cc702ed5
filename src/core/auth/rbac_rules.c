/*
 * PolicyRule matching (upstream's rbac.RuleAllows and the v1 evaluation
 * helpers) and the API server's 403 Status for a denied request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth/rbac_index.h"
#include "core/status.h"

static const char *s_or_empty(const char *s)
{
	return s ? s : "";
}

/* True when the string array @p arr holds "*" (when @p star) or @p want. */
static bool list_has(const json_t *arr, const char *want, bool star)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (!s)
			continue;
		if ((star && !strcmp(s, "*")) || !strcmp(s, want))
			return true;
	}
	return false;
}

/* "*", exact "res" or "res/sub", or "*\/sub" when the request has a subresource. */
static bool resource_matches(const json_t *rule, const char *combined, const char *sub)
{
	size_t i, sublen = strlen(sub);
	json_t *v;

	json_array_foreach(json_object_get(rule, "resources"), i, v) {
		const char *r = json_string_value(v);

		if (!r)
			continue;
		if (!strcmp(r, "*") || !strcmp(r, combined))
			return true;
		if (sublen && strlen(r) == sublen + 2 && !strncmp(r, "*/", 2) && !strcmp(r + 2, sub))
			return true;
	}
	return false;
}

static bool name_matches(const json_t *rule, const char *name)
{
	const json_t *names = json_object_get(rule, "resourceNames");

	if (json_array_size(names) == 0)
		return true;
	return list_has(names, name, false);
}

/* Exact, "*", or a prefix match for URLs ending in "*" (all trailing stars trimmed). */
static bool url_matches(const json_t *rule, const char *path)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(rule, "nonResourceURLs"), i, v) {
		const char *u = json_string_value(v);
		size_t n;

		if (!u)
			continue;
		if (!strcmp(u, "*") || !strcmp(u, path))
			return true;
		n = strlen(u);
		if (n && u[n - 1] == '*') {
			while (n && u[n - 1] == '*')
				n--;
			if (!strncmp(path, u, n))
				return true;
		}
	}
	return false;
}

bool kube__rule_allows(const json_t *rule, const struct kube_authz_attrs *a)
{
	const char *verb = s_or_empty(a->verb), *sub = s_or_empty(a->subresource);
	char combined[512];

	if (!list_has(json_object_get(rule, "verbs"), verb, true))
		return false;
	if (!a->is_resource_request)
		return url_matches(rule, s_or_empty(a->path));
	if (*sub)
		snprintf(combined, sizeof(combined), "%s/%s", s_or_empty(a->resource), sub);
	else
		snprintf(combined, sizeof(combined), "%s", s_or_empty(a->resource));
	return list_has(json_object_get(rule, "apiGroups"), s_or_empty(a->api_group), true) &&
	       resource_matches(rule, combined, sub) &&
	       name_matches(rule, s_or_empty(a->name));
}

void kube__go_quote(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);

	if (o + 1 >= len)
		return;
	buf[o++] = '"';
	for (; *s && o + 5 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			o += snprintf(buf + o, len - o, "\\%c", ch);
		else if (ch == '\n')
			o += snprintf(buf + o, len - o, "\\n");
		else if (ch == '\t')
			o += snprintf(buf + o, len - o, "\\t");
		else if (ch == '\r')
			o += snprintf(buf + o, len - o, "\\r");
		else if (ch < 0x20 || ch == 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	if (o + 1 < len)
		buf[o++] = '"';
	buf[o] = '\0';
}

static void append(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);

	snprintf(buf + o, len - o, "%s", s);
}

/* upstream's forbiddenMessage(): "User %q cannot %s resource %q in API group %q ..." */
static void forbidden_message(char *m, size_t len, const struct kube_user *u,
			      const struct kube_authz_attrs *a)
{
	const char *ns = s_or_empty(a->namespace);
	char res[512];

	m[0] = '\0';
	append(m, len, "User ");
	kube__go_quote(m, len, u ? s_or_empty(u->name) : "");
	append(m, len, " cannot ");
	append(m, len, s_or_empty(a->verb));
	if (!a->is_resource_request) {
		append(m, len, " path ");
		kube__go_quote(m, len, s_or_empty(a->path));
		return;
	}
	snprintf(res, sizeof(res), "%s%s%s", s_or_empty(a->resource),
		 a->subresource && *a->subresource ? "/" : "", s_or_empty(a->subresource));
	append(m, len, " resource ");
	kube__go_quote(m, len, res);
	append(m, len, " in API group ");
	kube__go_quote(m, len, s_or_empty(a->api_group));
	if (*ns) {
		append(m, len, " in the namespace ");
		kube__go_quote(m, len, ns);
	} else {
		append(m, len, " at the cluster scope");
	}
}

json_t *kube__forbidden_status(const struct kube_user *u, const struct kube_authz_attrs *a,
			       const char *reason)
{
	const char *group = s_or_empty(a->api_group), *res = s_or_empty(a->resource);
	const char *name = s_or_empty(a->name);
	char msg[2048], full[4096], qual[512];
	json_t *details = json_object();

	forbidden_message(msg, sizeof(msg), u, a);
	if (reason && *reason) {
		append(msg, sizeof(msg), ": ");
		append(msg, sizeof(msg), reason);
	}
	/* NewForbidden(GroupResource, name, err): an empty GroupResource is "forbidden: ..." */
	snprintf(qual, sizeof(qual), "%s%s%s", res, *group ? "." : "", group);
	full[0] = '\0';
	if (!*res && !*group) {
		snprintf(full, sizeof(full), "forbidden: %s", msg);
	} else if (!*name) {
		snprintf(full, sizeof(full), "%s is forbidden: %s", qual, msg);
	} else {
		append(full, sizeof(full), qual);
		append(full, sizeof(full), " ");
		kube__go_quote(full, sizeof(full), name);
		append(full, sizeof(full), " is forbidden: ");
		append(full, sizeof(full), msg);
	}
	if (*name)
		json_object_set_new(details, "name", json_string(name));
	if (*group)
		json_object_set_new(details, "group", json_string(group));
	if (*res)
		json_object_set_new(details, "kind", json_string(res));
	return kube__status_new(KUBE_EFORBIDDEN, full, details);
}
