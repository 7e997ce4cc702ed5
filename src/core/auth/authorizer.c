/*
 * The RBAC authorizer, as upstream's plugin/pkg/auth/authorizer/rbac: visit
 * the rules of every binding that applies to the user (ClusterRoleBindings,
 * then RoleBindings in the request's namespace) until one allows the
 * request; collect role resolution errors for the denial reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth/rbac_index.h"

/* Distinct error messages met while resolving roles, in order. */
struct errs {
	char msg[8][256];
	int n;
};

static void errs_add(struct errs *e, const char *msg)
{
	for (int i = 0; i < e->n; i++)
		if (!strcmp(e->msg[i], msg))
			return;
	if (e->n < 8)
		snprintf(e->msg[e->n++], sizeof(e->msg[0]), "%s", msg);
}

/* "RBAC: <msg>" or "RBAC: [<m1>, <m2>]" as utilerrors.NewAggregate prints. */
static char *errs_reason(const struct errs *e)
{
	char buf[2400] = "RBAC: ";

	if (!e->n)
		return NULL;
	if (e->n > 1)
		strcat(buf, "[");
	for (int i = 0; i < e->n; i++) {
		if (i)
			strcat(buf, ", ");
		strcat(buf, e->msg[i]);
	}
	if (e->n > 1)
		strcat(buf, "]");
	return strdup(buf);
}

static bool has_group(const struct kube_user *u, const char *g)
{
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] && !strcmp(u->groups[i], g))
			return true;
	return false;
}

/* upstream's appliesToUser for one subject of a binding in @p ns. */
static bool subject_applies(const json_t *s, const struct kube_user *u, const char *ns)
{
	const char *kind = json_string_value(json_object_get(s, "kind"));
	const char *name = json_string_value(json_object_get(s, "name"));
	const char *sans = json_string_value(json_object_get(s, "namespace"));
	const char *uname = u->name ? u->name : "";
	char sa[1024];

	if (!kind || !name)
		return false;
	if (!strcmp(kind, "User"))
		return !strcmp(uname, name);
	if (!strcmp(kind, "Group"))
		return has_group(u, name);
	if (strcmp(kind, "ServiceAccount"))
		return false;
	if (!sans || !*sans)
		sans = ns;
	if (!*sans)
		return false;
	snprintf(sa, sizeof(sa), "system:serviceaccount:%s:%s", sans, name);
	return !strcmp(uname, sa);
}

/* The first subject of @p b that applies to @p u, or NULL. */
static const json_t *applies(const struct kube_rbac_binding *b, const struct kube_user *u)
{
	size_t i;
	json_t *s;

	json_array_foreach(b->subjects, i, s)
		if (subject_applies(s, u, b->ns))
			return s;
	return NULL;
}

/* "ClusterRoleBinding "x" of ClusterRole "y" to Group "z"" (upstream's describers). */
static char *describe(const struct kube_rbac_binding *b, const json_t *subject)
{
	const char *kind = json_string_value(json_object_get(subject, "kind"));
	const char *name = json_string_value(json_object_get(subject, "name"));
	const char *sans = json_string_value(json_object_get(subject, "namespace"));
	char buf[2048] = "RBAC: allowed by ", tmp[600];

	strcat(buf, *b->ns ? "RoleBinding " : "ClusterRoleBinding ");
	snprintf(tmp, sizeof(tmp), "%s%s%s", b->name, *b->ns ? "/" : "", b->ns);
	kube__go_quote(buf, sizeof(buf), tmp);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " of %s ", b->role_kind);
	kube__go_quote(buf, sizeof(buf), b->role_name);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " to %s ", kind);
	if (!strcmp(kind, "ServiceAccount"))
		snprintf(tmp, sizeof(tmp), "%s/%s", name, sans && *sans ? sans : b->ns);
	else
		snprintf(tmp, sizeof(tmp), "%s", name);
	kube__go_quote(buf, sizeof(buf), tmp);
	return strdup(buf);
}

/* The rules @p b refers to, or NULL with an error recorded (GetRoleReferenceRules). */
static const json_t *role_rules(const struct kube_rbac_index *ix,
				const struct kube_rbac_binding *b, struct errs *e)
{
	const json_t *rules;
	char msg[600] = "";

	if (strcmp(b->role_kind, "Role") && strcmp(b->role_kind, "ClusterRole")) {
		strcat(msg, "unsupported role reference kind: ");
		kube__go_quote(msg, sizeof(msg), b->role_kind);
		errs_add(e, msg);
		return NULL;
	}
	rules = kube__rbac_role_rules(ix, b->role_kind, b->ns, b->role_name);
	if (rules)
		return rules;
	snprintf(msg, sizeof(msg), "%s.rbac.authorization.k8s.io ",
		 strcmp(b->role_kind, "Role") ? "clusterrole" : "role");
	kube__go_quote(msg, sizeof(msg), b->role_name);
	strcat(msg, " not found");
	errs_add(e, msg);
	return NULL;
}

/* The allowing subject of @p b, or NULL. */
static const json_t *binding_allows(const struct kube_rbac_index *ix,
				    const struct kube_rbac_binding *b, const struct kube_user *u,
				    const struct kube_authz_attrs *a, struct errs *e)
{
	const json_t *subject = applies(b, u), *rules, *rule;
	size_t i;

	if (!subject || !(rules = role_rules(ix, b, e)))
		return NULL;
	json_array_foreach(rules, i, rule)
		if (kube__rule_allows(rule, a))
			return subject;
	return NULL;
}

int kube__rbac_authorize(const struct kube_rbac_index *ix, const struct kube_user *u,
			 const struct kube_authz_attrs *a, char **reason)
{
	struct kube_rbac_binding **bs;
	struct errs e = { .n = 0 };
	size_t n;
	int err = KUBE_EFORBIDDEN;

	if (reason)
		*reason = NULL;
	if (kube__rbac_bindings_for(ix, u, a->namespace, &bs, &n))
		return KUBE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const json_t *subject = binding_allows(ix, bs[i], u, a, &e);

		if (subject) {
			if (reason)
				*reason = describe(bs[i], subject);
			err = 0;
			break;
		}
	}
	if (err && reason)
		*reason = errs_reason(&e);
	free(bs);
	return err;
}

/* ---- the controller that keeps the cluster's index --------------------- */

static int rbac_start(kube_cluster *c, void **state)
{
	return kube__rbac_index_new(c->store, (struct kube_rbac_index **)state);
}

static void rbac_stop(void *state)
{
	kube__rbac_index_free(state);
}

const struct kube_controller_ops kube__rbac_controller = {
	.name = "rbac",
	.start = rbac_start,
	.stop = rbac_stop,
};

int kube__authorize(kube_cluster *c, const struct kube_user *u,
		    const struct kube_authz_attrs *a, char **reason)
{
	if (reason)
		*reason = NULL;
	for (struct kube_controller *k = c->controllers; k; k = k->next)
		if (k->ops == &kube__rbac_controller)
			return kube__rbac_authorize(k->state, u, a, reason);
	return KUBE_ESTOPPED;
}

struct kube_user *kube__user_new(const char *name, const char *uid,
				 const char *const *groups, size_t ngroups)
{
	size_t size = sizeof(struct kube_user) + ngroups * sizeof(char *);
	struct kube_user *u;
	char **gv, *p;

	size += strlen(name) + 1 + (uid ? strlen(uid) + 1 : 0);
	for (size_t i = 0; i < ngroups; i++)
		size += strlen(groups[i]) + 1;
	u = calloc(1, size);
	if (!u)
		return NULL;
	gv = (char **)(u + 1);
	p = (char *)(gv + ngroups);
	u->name = p;
	p = stpcpy(p, name) + 1;
	if (uid) {
		u->uid = p;
		p = stpcpy(p, uid) + 1;
	}
	for (size_t i = 0; i < ngroups; i++) {
		gv[i] = p;
		p = stpcpy(p, groups[i]) + 1;
	}
	u->groups = (const char *const *)gv;
	u->ngroups = ngroups;
	return u;
}
