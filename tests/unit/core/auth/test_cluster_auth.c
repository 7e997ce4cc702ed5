/*
 * Authorization and tokens in a real in-memory cluster: the bootstrap
 * policy, kube__authorize from the rbac controller's index, the course
 * ClusterRoles applied as YAML, ClusterRole aggregation, the default
 * ServiceAccount of every namespace, and ServiceAccount tokens (issue,
 * authenticate, expiry, tampering, audiences, deleted accounts).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "libkube/libkube.h"
#include "core/auth/auth.h"
#include "core/ops.h"

#define MANIFESTS KUBE_SHARED_DIR "/manifests/"

/* ---- running internal functions on the loop ---------------------------- */

struct onloop {
	struct kube_call call;
	void (*fn)(kube_cluster *c, void *arg);
	void *arg;
};

static void onloop_run(struct kube_call *call)
{
	struct onloop *o = (struct onloop *)call;

	o->fn(call->c, o->arg);
	kube__call_finish(call, 0, NULL);
}

static void on_loop(kube_cluster *c, void (*fn)(kube_cluster *, void *), void *arg)
{
	struct onloop o = { .call.run = onloop_run, .fn = fn, .arg = arg };

	cr_assert_eq(kube__call(c, &o.call), 0);
}

static int64_t fake_now_ms = 0;

static int64_t fake_clock(void *data)
{
	(void)data;
	return fake_now_ms;
}

static void do_bootstrap(kube_cluster *c, void *arg)
{
	*(int *)arg = kube__auth_bootstrap(c);
}

static kube_cluster *start(bool fake_time)
{
	kube_config cfg;
	kube_cluster *c;
	int err = -1;

	kube_config_init(&cfg);
	cr_assert_eq(kube_cluster_new(&c, &cfg), 0);
	if (fake_time) {
		fake_now_ms = 1767225600000; /* 2026-01-01T00:00:00Z */
		c->clock = fake_clock;
	}
	cr_assert_eq(kube_cluster_start(c), 0);
	on_loop(c, do_bootstrap, &err);
	cr_assert_eq(err, 0);
	return c;
}

static void stop(kube_cluster *c)
{
	cr_assert_eq(kube_cluster_stop(c), 0);
	kube_cluster_free(c);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	cr_assert_not_null(f, "%s", path);
	fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static json_t *get(kube_cluster *c, const char *res, const char *ns, const char *name)
{
	char *out = NULL;
	json_t *j;

	if (kube_get(c, res, ns, name, &out))
		return NULL;
	j = json_loads(out, 0, NULL);
	kube_free(out);
	return j;
}

/* ---- authorize through the cluster ------------------------------------- */

struct authz {
	const struct kube_user *u;
	struct kube_authz_attrs a;
	int err;
	char *reason;
	json_t *status;
};

static void do_authorize(kube_cluster *c, void *arg)
{
	struct authz *z = arg;

	z->err = kube__authorize(c, z->u, &z->a, &z->reason);
	z->status = z->err ? kube__forbidden_status(z->u, &z->a, z->reason) : NULL;
}

static int can(kube_cluster *c, const char *user, const char *group_of_user, const char *verb,
	       const char *group, const char *res, const char *ns, char **msg)
{
	const char *groups[] = { group_of_user };
	struct kube_user u = { .name = user, .groups = groups, .ngroups = group_of_user ? 1 : 0 };
	struct authz z = { .u = &u, .a = { .verb = verb, .api_group = group, .resource = res,
					   .namespace = ns, .is_resource_request = true } };

	on_loop(c, do_authorize, &z);
	if (msg)
		*msg = z.status ? strdup(json_string_value(json_object_get(z.status, "message")))
				: NULL;
	free(z.reason);
	json_decref(z.status);
	return z.err;
}

static int can_path(kube_cluster *c, const char *group_of_user, const char *path)
{
	const char *groups[] = { group_of_user };
	struct kube_user u = { .name = "someone", .groups = groups, .ngroups = 1 };
	struct authz z = { .u = &u, .a = { .verb = "get", .path = path } };

	on_loop(c, do_authorize, &z);
	free(z.reason);
	json_decref(z.status);
	return z.err;
}

Test(cluster_auth, bootstrap_policy)
{
	kube_cluster *c = start(false);
	static const char *const roles[] = { "cluster-admin", "admin", "edit", "view",
		"system:aggregate-to-admin", "system:aggregate-to-edit", "system:aggregate-to-view",
		"system:basic-user", "system:discovery", "system:public-info-viewer", NULL };
	int err = -1;

	for (int i = 0; roles[i]; i++) {
		json_t *r = get(c, "clusterroles", NULL, roles[i]);
		json_t *meta = json_object_get(r, "metadata");

		cr_assert_not_null(r, "%s", roles[i]);
		cr_expect_str_eq(json_string_value(json_object_get(json_object_get(meta, "labels"),
				 "kubernetes.io/bootstrapping")), "rbac-defaults");
		cr_expect_str_eq(json_string_value(json_object_get(json_object_get(meta,
				 "annotations"), "rbac.authorization.kubernetes.io/autoupdate")), "true");
		json_decref(r);
	}
	for (int i = 0; i < 4; i++) {
		static const char *const b[] = { "cluster-admin", "system:basic-user",
						 "system:discovery", "system:public-info-viewer" };
		json_t *r = get(c, "clusterrolebindings", NULL, b[i]);

		cr_expect_not_null(r, "%s", b[i]);
		json_decref(r);
	}
	on_loop(c, do_bootstrap, &err);
	cr_expect_eq(err, 0, "bootstrap again leaves existing objects alone");
	stop(c);
}

Test(cluster_auth, defaults_authorize)
{
	kube_cluster *c = start(false);
	char *msg = NULL;

	cr_expect_eq(can(c, "root", "system:masters", "delete", "apps", "deployments", "x", NULL), 0);
	cr_expect_eq(can(c, "root", "system:masters", "create", "", "namespaces", "", NULL), 0);
	cr_expect_eq(can(c, "alice", "system:authenticated", "list", "", "pods", "default", &msg),
		     KUBE_EFORBIDDEN);
	cr_expect_str_eq(msg, "pods is forbidden: User \"alice\" cannot list resource \"pods\" "
			      "in API group \"\" in the namespace \"default\"");
	free(msg);
	cr_expect_eq(can(c, "alice", "system:authenticated", "create", "authorization.k8s.io",
			 "selfsubjectaccessreviews", "", NULL), 0);
	cr_expect_eq(can_path(c, "system:authenticated", "/version"), 0);
	cr_expect_eq(can_path(c, "system:authenticated", "/apis/apps/v1"), 0);
	cr_expect_eq(can_path(c, "system:unauthenticated", "/healthz"), 0);
	cr_expect_eq(can_path(c, "system:unauthenticated", "/api"), KUBE_EFORBIDDEN);
	cr_expect_eq(can_path(c, "system:authenticated", "/metrics"), KUBE_EFORBIDDEN);
	stop(c);
}

/* Poll (the controllers work on the loop after our calls return). */
static bool eventually(kube_cluster *c, int (*check)(kube_cluster *c, void *arg), void *arg)
{
	for (int i = 0; i < 400; i++) {
		if (check(c, arg))
			return true;
		usleep(5000);
	}
	return false;
}

static int viewer_can(kube_cluster *c, void *arg)
{
	const char *res = arg;

	return can(c, "v", "viewers", "get", "example.com", res, "default", NULL) == 0;
}

static int viewer_cannot(kube_cluster *c, void *arg)
{
	return !viewer_can(c, arg);
}

Test(cluster_auth, aggregation_extends_view)
{
	kube_cluster *c = start(false);
	json_t *view;

	cr_assert_eq(kube_create(c, "apiVersion: rbac.authorization.k8s.io/v1\n"
				    "kind: ClusterRoleBinding\nmetadata: {name: viewers}\n"
				    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n"
				    "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: viewers}]\n",
				 NULL), 0);
	/* view aggregates the upstream read rules */
	for (int i = 0; i < 400 && can(c, "v", "viewers", "list", "", "pods", "default", NULL); i++)
		usleep(5000);
	cr_expect_eq(can(c, "v", "viewers", "list", "", "pods", "default", NULL), 0);
	cr_expect_eq(can(c, "v", "viewers", "get", "apps", "deployments", "default", NULL), 0);
	cr_expect_eq(can(c, "v", "viewers", "get", "", "secrets", "default", NULL), KUBE_EFORBIDDEN);
	cr_expect_eq(can(c, "v", "viewers", "get", "example.com", "widgets", "default", NULL),
		     KUBE_EFORBIDDEN);
	cr_assert_eq(kube_create(c, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
				    "metadata:\n  name: widget-viewer\n  labels:\n"
				    "    rbac.authorization.k8s.io/aggregate-to-view: \"true\"\n"
				    "rules:\n- apiGroups: [example.com]\n  resources: [widgets]\n"
				    "  verbs: [get, list, watch]\n", NULL), 0);
	cr_expect(eventually(c, viewer_can, "widgets"), "view did not gain the widget rules");
	view = get(c, "clusterroles", NULL, "view");
	cr_expect_eq(json_array_size(json_object_get(view, "rules")), 11,
		     "10 upstream rules + 1: %s", json_dumps(json_object_get(view, "rules"), 0));
	json_decref(view);
	/* edit and admin aggregate view and edit in turn */
	cr_expect_eq(kube_create(c, "apiVersion: rbac.authorization.k8s.io/v1\n"
				    "kind: ClusterRoleBinding\nmetadata: {name: admins}\n"
				    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}\n"
				    "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: adm}]\n",
				 NULL), 0);
	for (int i = 0; i < 400 && can(c, "adm", NULL, "get", "example.com", "widgets", "d", NULL); i++)
		usleep(5000);
	cr_expect_eq(can(c, "adm", NULL, "get", "example.com", "widgets", "d", NULL), 0);
	cr_expect_eq(can(c, "adm", NULL, "create", "rbac.authorization.k8s.io", "rolebindings", "d",
			 NULL), 0);
	cr_assert_eq(kube_delete(c, "clusterroles", NULL, "widget-viewer", KUBE_PROPAGATION_BACKGROUND), 0);
	cr_expect(eventually(c, viewer_cannot, "widgets"), "view kept the rules of a deleted role");
	stop(c);
}

static void bind_student(kube_cluster *c, const char *kind, const char *ns, const char *role)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 "apiVersion: rbac.authorization.k8s.io/v1\nkind: %s\nmetadata:\n  name: student-%s\n%s%s%s"
		 "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}\n"
		 "subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: student}]\n",
		 kind, role, ns ? "  namespace: " : "", ns ? ns : "", ns ? "\n" : "", role);
	cr_assert_eq(kube_create(c, yaml, NULL), 0, "%s", kube_last_status());
}

Test(cluster_auth, course_clusterroles)
{
	kube_cluster *c = start(false);
	char *createlist = slurp(MANIFESTS "clusterrole-createlist.yaml");
	char *ingress = slurp(MANIFESTS "clusterrole-ingress.yaml");
	char *msg = NULL;

	cr_assert_eq(kube_apply(c, createlist, NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_apply(c, ingress, NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n", NULL), 0);
	bind_student(c, "RoleBinding", "team", "createlist");
	bind_student(c, "ClusterRoleBinding", NULL, "ingress-cr");
	cr_expect_eq(can(c, "student", NULL, "create", "apps", "deployments", "team", NULL), 0);
	cr_expect_eq(can(c, "student", NULL, "list", "apps", "statefulsets", "team", NULL), 0);
	cr_expect_eq(can(c, "student", NULL, "list", "", "services", "team", NULL), 0);
	cr_expect_eq(can(c, "student", NULL, "create", "", "pods", "team", NULL), 0);
	cr_expect_eq(can(c, "student", NULL, "delete", "", "pods", "team", NULL), KUBE_EFORBIDDEN);
	cr_expect_eq(can(c, "student", NULL, "create", "apps", "deployments", "default", &msg),
		     KUBE_EFORBIDDEN);
	cr_expect_str_eq(msg, "deployments.apps is forbidden: User \"student\" cannot create "
			      "resource \"deployments\" in API group \"apps\" in the namespace \"default\"");
	free(msg);
	cr_expect_eq(can(c, "student", NULL, "list", "networking.k8s.io", "ingresses", "team", &msg),
		     KUBE_EFORBIDDEN);
	cr_expect_str_eq(msg, "ingresses.networking.k8s.io is forbidden: User \"student\" cannot "
			      "list resource \"ingresses\" in API group \"networking.k8s.io\" in the "
			      "namespace \"team\"");
	free(msg);
	free(createlist);
	free(ingress);
	stop(c);
}

Test(cluster_auth, default_serviceaccounts)
{
	kube_cluster *c = start(false);
	json_t *sa, *again;

	cr_expect_eq(kube_wait(c, "serviceaccounts", "default", "default", "create", 2000), 0);
	cr_expect_eq(kube_wait(c, "serviceaccounts", "kube-system", "default", "create", 2000), 0);
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n", NULL), 0);
	cr_assert_eq(kube_wait(c, "serviceaccounts", "team", "default", "create", 2000), 0);
	sa = get(c, "serviceaccounts", "team", "default");
	cr_assert_eq(kube_delete(c, "serviceaccounts", "team", "default", KUBE_PROPAGATION_BACKGROUND), 0);
	cr_assert_eq(kube_wait(c, "serviceaccounts", "team", "default", "create", 2000), 0,
		     "not re-created");
	again = get(c, "serviceaccounts", "team", "default");
	cr_expect_str_neq(json_string_value(json_object_get(json_object_get(sa, "metadata"), "uid")),
			  json_string_value(json_object_get(json_object_get(again, "metadata"), "uid")));
	json_decref(sa);
	json_decref(again);
	stop(c);
}

/* ---- tokens ------------------------------------------------------------ */

struct tok {
	EVP_PKEY *key;
	const char *ns, *name;
	json_t *req, *out, *st, *auds;
	const char *token;
	int err;
	struct kube_user *user;
	char *reason;
};

static void do_issue(kube_cluster *c, void *arg)
{
	struct tok *t = arg;

	t->err = kube__sa_token_issue(c, t->key, t->ns, t->name, t->req, &t->out, &t->st);
}

static void do_authn(kube_cluster *c, void *arg)
{
	struct tok *t = arg;

	free(t->user);
	free(t->reason);
	t->user = NULL;
	t->reason = NULL;
	t->err = kube__sa_token_authenticate(c, t->key, t->token, t->auds, &t->user, &t->reason);
}

static char *issue(kube_cluster *c, EVP_PKEY *k, const char *json_req)
{
	struct tok t = { .key = k, .ns = "team", .name = "default" };
	const json_t *status;
	char *tok;

	t.req = json_loads(json_req, 0, NULL);
	on_loop(c, do_issue, &t);
	cr_assert_eq(t.err, 0, "%s", json_dumps(t.st, 0));
	status = json_object_get(t.out, "status");
	tok = strdup(json_string_value(json_object_get(status, "token")));
	json_decref(t.req);
	json_decref(t.out);
	return tok;
}

Test(cluster_auth, serviceaccount_tokens)
{
	kube_cluster *c = start(true);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct tok t = { .key = k, .ns = "team", .name = "default" };
	char *tok, *vault, saved;
	json_t *vaud = json_pack("[s]", "vault");

	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n", NULL), 0);
	cr_assert_eq(kube_wait(c, "serviceaccounts", "team", "default", "create", 2000), 0);
	/* kubectl create token default -n team */
	t.req = json_loads("{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
			   "\"spec\":{\"audiences\":null,\"expirationSeconds\":3600}}", 0, NULL);
	on_loop(c, do_issue, &t);
	cr_assert_eq(t.err, 0);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(t.out, "status"),
			 "expirationTimestamp")), "2026-01-01T01:00:00Z");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(t.out, "metadata"),
			 "name")), "default");
	tok = strdup(json_string_value(json_object_get(json_object_get(t.out, "status"), "token")));
	json_decref(t.out);
	json_decref(t.req);

	t.token = tok;
	on_loop(c, do_authn, &t);
	cr_assert_eq(t.err, 0, "%s", t.reason);
	cr_expect_str_eq(t.user->name, "system:serviceaccount:team:default");
	cr_expect_eq(t.user->ngroups, 3);
	cr_expect_str_eq(t.user->groups[0], "system:serviceaccounts");
	cr_expect_str_eq(t.user->groups[1], "system:serviceaccounts:team");
	cr_expect_str_eq(t.user->groups[2], "system:authenticated");

	/* wrong audience */
	t.auds = vaud;
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, KUBE_EUNAUTHORIZED);
	t.auds = NULL;
	vault = issue(c, k, "{\"spec\":{\"audiences\":[\"vault\"]}}");
	t.token = vault;
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, KUBE_EUNAUTHORIZED, "a vault token is no API token");
	t.auds = vaud;
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, 0);
	t.auds = NULL;

	/* tampered */
	t.token = tok;
	saved = tok[strlen(tok) - 3];
	tok[strlen(tok) - 3] = saved == 'A' ? 'B' : 'A';
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, KUBE_EUNAUTHORIZED);
	tok[strlen(tok) - 3] = saved;

	/* expiry: valid through the 60 s leeway, then not */
	fake_now_ms += 3660 * 1000;
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, 0, "%s", t.reason);
	fake_now_ms += 2000;
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, KUBE_EUNAUTHORIZED);
	cr_expect_str_eq(t.reason, "service account token has expired");
	fake_now_ms -= 3662 * 1000;

	/* the account deleted (and re-created by the controller with a new uid) */
	cr_assert_eq(kube_delete(c, "serviceaccounts", "team", "default", KUBE_PROPAGATION_BACKGROUND), 0);
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, KUBE_EUNAUTHORIZED);
	cr_assert_eq(kube_wait(c, "serviceaccounts", "team", "default", "create", 2000), 0);
	on_loop(c, do_authn, &t);
	cr_expect_eq(t.err, KUBE_EUNAUTHORIZED);
	cr_expect(!strncmp(t.reason, "service account UID (", 21), "%s", t.reason);

	free(t.user);
	free(t.reason);
	free(tok);
	free(vault);
	json_decref(vaud);
	EVP_PKEY_free(k);
	stop(c);
}

Test(cluster_auth, token_request_errors)
{
	kube_cluster *c = start(false);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct tok t = { .key = k, .ns = "default", .name = "nobody" };

	t.req = json_loads("{\"spec\":{}}", 0, NULL);
	on_loop(c, do_issue, &t);
	cr_expect_eq(t.err, KUBE_ENOTFOUND);
	cr_expect_str_eq(json_string_value(json_object_get(t.st, "message")),
			 "serviceaccounts \"nobody\" not found");
	json_decref(t.st);
	json_decref(t.req);
	cr_assert_eq(kube_wait(c, "serviceaccounts", "default", "default", "create", 2000), 0);
	t.name = "default";
	t.st = NULL;
	t.req = json_loads("{\"spec\":{\"expirationSeconds\":60}}", 0, NULL);
	on_loop(c, do_issue, &t);
	cr_expect_eq(t.err, KUBE_EINVALID);
	cr_expect_str_eq(json_string_value(json_object_get(t.st, "message")),
			 "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: "
			 "Invalid value: 60: may not specify a duration less than 10 minutes");
	cr_expect_null(t.out);
	json_decref(t.st);
	json_decref(t.req);
	EVP_PKEY_free(k);
	stop(c);
}
