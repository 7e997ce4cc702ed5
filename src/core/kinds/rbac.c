/*
 * rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and
 * ClusterRoleBinding: pkg/apis/rbac/v1/defaults.go and
 * pkg/apis/rbac/validation. API groups in rules are free text upstream
 * ("networking.k8s.io/v1" is accepted and simply matches no group).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"

static void validate_rule(const json_t *rule, bool namespaced, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX], *raw;
	json_t *urls = kube__jarr(rule, "nonResourceURLs");

	if (json_array_size(kube__jarr(rule, "verbs")) == 0)
		kube__err_required(causes, kube__path_child(p, base, "verbs"),
				   "verbs must contain at least one value");
	if (json_array_size(urls) > 0) {
		kube__path_child(p, base, "nonResourceURLs");
		raw = kube__go_string_slice(urls);
		if (namespaced && raw)
			kube__err_invalid_raw(causes, p, raw,
					      "namespaced rules cannot apply to non-resource URLs");
		if (raw && (kube__jnonempty(rule, "apiGroups") || kube__jnonempty(rule, "resources") ||
			    kube__jnonempty(rule, "resourceNames")))
			kube__err_invalid_raw(causes, p, raw, "rules cannot apply to both regular "
					      "resources and non-resource URLs");
		free(raw);
		return;
	}
	if (json_array_size(kube__jarr(rule, "apiGroups")) == 0)
		kube__err_required(causes, kube__path_child(p, base, "apiGroups"),
				   "resource rules must supply at least one api group");
	if (json_array_size(kube__jarr(rule, "resources")) == 0)
		kube__err_required(causes, kube__path_child(p, base, "resources"),
				   "resource rules must supply at least one resource");
}

static void validate_rules(const json_t *obj, bool namespaced, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	size_t i;
	json_t *rule;

	json_array_foreach(kube__jarr(obj, "rules"), i, rule)
		validate_rule(rule, namespaced, kube__path_index(p, "rules", i), causes);
}

void kube__role_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	validate_rules(obj, true, causes);
}

void kube__clusterrole_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	json_t *agg = kube__jobj(obj, "aggregationRule"), *sel;
	char p[KUBE_PATH_MAX];
	size_t i;

	validate_rules(obj, false, causes);
	if (!agg)
		return;
	if (json_array_size(kube__jarr(agg, "clusterRoleSelectors")) == 0)
		kube__err_required(causes, "aggregationRule.clusterRoleSelectors",
				   "at least one clusterRoleSelector required if aggregationRule is non-nil");
	json_array_foreach(kube__jarr(agg, "clusterRoleSelectors"), i, sel)
		kube__validate_label_selector(causes, sel,
					      kube__path_index(p, "aggregationRule.clusterRoleSelectors", i));
}

/* SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject. */
static void binding_defaults(json_t *obj)
{
	json_t *ref = kube__jobj(obj, "roleRef"), *s;
	size_t i;

	if (ref)
		kube__jdefault_str(ref, "apiGroup", RBAC_GROUP);
	json_array_foreach(kube__jarr(obj, "subjects"), i, s) {
		const char *kind = kinds_str(s, "kind");

		if (json_is_object(s) && (!strcmp(kind, "User") || !strcmp(kind, "Group")))
			kube__jdefault_str(s, "apiGroup", RBAC_GROUP);
	}
}

void kube__rolebinding_defaults(json_t *obj)
{
	binding_defaults(obj);
}

void kube__clusterrolebinding_defaults(json_t *obj)
{
	binding_defaults(obj);
}

static void validate_subject(const json_t *s, bool namespaced, const char *base, json_t *causes)
{
	static const char *const kinds[] = { "ServiceAccount", "User", "Group", NULL };
	static const char *const rbac_group[] = { RBAC_GROUP, NULL };
	static const char *const core_group[] = { "", NULL };
	const char *name = kinds_str(s, "name"), *kind = kinds_str(s, "kind");
	const char *group = kinds_str(s, "apiGroup");
	char p[KUBE_PATH_MAX];

	if (!*name)
		kube__err_required(causes, kube__path_child(p, base, "name"), NULL);
	if (!strcmp(kind, "ServiceAccount")) {
		if (*name)
			kube__check_fmt(causes, kube__path_child(p, base, "name"), name,
					kube__fmt_dns1123_subdomain);
		if (*group)
			kube__err_unsupported(causes, kube__path_child(p, base, "apiGroup"), group, core_group);
		if (!namespaced && !*kinds_str(s, "namespace"))
			kube__err_required(causes, kube__path_child(p, base, "namespace"), NULL);
	} else if (!strcmp(kind, "User") || !strcmp(kind, "Group")) {
		if (strcmp(group, RBAC_GROUP))
			kube__err_unsupported(causes, kube__path_child(p, base, "apiGroup"), group, rbac_group);
	} else {
		kube__err_unsupported(causes, kube__path_child(p, base, "kind"), kind, kinds);
	}
}

static void validate_binding(const json_t *obj, const json_t *old, bool namespaced,
			     json_t *causes)
{
	static const char *const groups[] = { RBAC_GROUP, NULL };
	static const char *const kinds[] = { "Role", "ClusterRole", NULL };
	json_t *ref = kube__jobj(obj, "roleRef"), *s;
	const char *kind = kinds_str(ref, "kind"), *name = kinds_str(ref, "name");
	char p[KUBE_PATH_MAX], raw[600];
	size_t i;

	if (strcmp(kinds_str(ref, "apiGroup"), RBAC_GROUP))
		kube__err_unsupported(causes, "roleRef.apiGroup", kinds_str(ref, "apiGroup"), groups);
	if (strcmp(kind, "Role") && strcmp(kind, "ClusterRole"))
		kube__err_unsupported(causes, "roleRef.kind", kind, kinds);
	if (!*name)
		kube__err_required(causes, "roleRef.name", NULL);
	else
		kube__check_fmt(causes, "roleRef.name", name, kube__fmt_path_segment);
	json_array_foreach(kube__jarr(obj, "subjects"), i, s)
		validate_subject(s, namespaced, kube__path_index(p, "subjects", i), causes);
	if (old && kube__changed(ref, kube__jobj(old, "roleRef"))) {
		snprintf(raw, sizeof(raw), "rbac.RoleRef{APIGroup:\"%s\", Kind:\"%s\", Name:\"%s\"}",
			 kinds_str(ref, "apiGroup"), kind, name);
		kube__err_invalid_raw(causes, "roleRef", raw, "cannot change roleRef");
	}
}

void kube__rolebinding_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	validate_binding(obj, old, true, causes);
}

void kube__clusterrolebinding_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	validate_binding(obj, old, false, causes);
}
