/*
 * What the RBAC index offers the authorizer (private to src/core/auth).
 */
#ifndef KUBE_CORE_AUTH_RBAC_INDEX_H
#define KUBE_CORE_AUTH_RBAC_INDEX_H

#include "core/auth/auth.h"

/* A RoleBinding or ClusterRoleBinding as the index keeps it. */
struct kube_rbac_binding {
	char *ns;        /* "" for a ClusterRoleBinding */
	char *name;      /* metadata.name */
	char *role_kind; /* roleRef.kind: "Role" or "ClusterRole" */
	char *role_name; /* roleRef.name */
	json_t *subjects; /* copy of .subjects (array) */
};

/* The rules (borrowed array) of the Role @p ns/@p name or the ClusterRole
 * @p name (@p kind "ClusterRole"), or NULL when there is none. */
const json_t *kube__rbac_role_rules(const struct kube_rbac_index *ix, const char *kind,
				    const char *ns, const char *name);

/*
 * The bindings that may apply to @p u: ClusterRoleBindings, then (when @p ns
 * is non-empty) RoleBindings in @p ns, naming the user, one of its groups
 * or (as a user name) its ServiceAccount; each once, by name. *out is a new
 * array of borrowed bindings (free() it), valid until the index changes.
 * Returns 0 or KUBE_ENOMEM.
 */
int kube__rbac_bindings_for(const struct kube_rbac_index *ix, const struct kube_user *u,
			    const char *ns, struct kube_rbac_binding ***out, size_t *n);

/* Append @p s to the string in @p buf (size @p len) quoted as Go's %q does
 * ("\"" and "\\" escaped, control characters as \n, \t, \xNN); truncates. */
void kube__go_quote(char *buf, size_t len, const char *s);

#endif
