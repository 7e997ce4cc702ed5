/*
 * The RBAC authorizer on a bare in-memory store: the request matrix in
 * data/rbac-matrix.json (verbs, groups, resources, subresources,
 * resourceNames, nonResourceURLs, RoleBindings to Roles and ClusterRoles,
 * ServiceAccount and group subjects, reasons), the course ClusterRoles, the
 * index following watch events, and the 403 Status texts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "core/auth/auth.h"
#include "storage/store.h"

#define DATA KUBE_SOURCE_DIR "/tests/unit/core/auth/data/"

struct fx {
	uv_loop_t loop;
	kube_store *s;
	struct kube_rbac_index *ix;
	int pending;
};

static void acked(int err, const json_t *obj, void *data)
{
	struct fx *f = data;

	(void)obj;
	cr_assert_eq(err, 0);
	f->pending--;
}

static void drain(struct fx *f)
{
	while (f->pending > 0)
		uv_run(&f->loop, UV_RUN_ONCE);
	/* watch events follow the acknowledgements */
	uv_run(&f->loop, UV_RUN_NOWAIT);
}

static void key_of(char *key, size_t len, const json_t *obj)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const json_t *meta = json_object_get(obj, "metadata");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *plural = !strcmp(kind, "Role") ? "roles" :
			     !strcmp(kind, "RoleBinding") ? "rolebindings" :
			     !strcmp(kind, "ClusterRole") ? "clusterroles" : "clusterrolebindings";

	snprintf(key, len, "rbac.authorization.k8s.io/%s/%s/%s", plural, ns ? ns : "", name);
}

static void put(struct fx *f, const json_t *obj)
{
	char key[512];

	key_of(key, sizeof(key), obj);
	f->pending++;
	cr_assert_eq(store_create(f->s, key, json_deep_copy(obj), acked, f), 0, "%s", key);
}

static void del(struct fx *f, const json_t *obj)
{
	char key[512];

	key_of(key, sizeof(key), obj);
	f->pending++;
	cr_assert_eq(store_delete(f->s, key, 0, acked, f), 0);
}

static void fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	cr_assert_eq(uv_loop_init(&f->loop), 0);
	cr_assert_eq(store_open(&f->s, &f->loop, NULL, 1000), 0);
}

static void fx_index(struct fx *f)
{
	cr_assert_eq(kube__rbac_index_new(f->s, &f->ix), 0);
}

static void fx_close(struct fx *f)
{
	kube__rbac_index_free(f->ix);
	store_close(f->s);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	cr_assert_eq(uv_loop_close(&f->loop), 0, "loop left with open handles");
}

static json_t *load(const char *file)
{
	json_error_t e;
	json_t *j = json_load_file(file, 0, &e);

	cr_assert_not_null(j, "%s: %s", file, e.text);
	return j;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Run one case of the matrix; returns the authorizer's result. */
static void check_case(struct fx *f, const json_t *c, size_t idx)
{
	const char *groups[8];
	size_t ng = 0, i;
	json_t *g;
	struct kube_user u = { .name = str(c, "user") };
	struct kube_authz_attrs a = {
		.verb = str(c, "verb"), .api_group = str(c, "group"),
		.resource = str(c, "resource"), .subresource = str(c, "subresource"),
		.namespace = str(c, "namespace"), .name = str(c, "name"),
		.path = str(c, "path"), .is_resource_request = !json_object_get(c, "path"),
	};
	char *reason = NULL;
	const char *want = str(c, "reason");
	int err;

	json_array_foreach(json_object_get(c, "groups"), i, g)
		groups[ng++] = json_string_value(g);
	u.groups = groups;
	u.ngroups = ng;
	err = kube__rbac_authorize(f->ix, &u, &a, &reason);
	cr_expect_eq(err, json_is_true(json_object_get(c, "allowed")) ? 0 : KUBE_EFORBIDDEN,
		     "case %zu (%s %s %s/%s %s): got %d, reason %s", idx, u.name, a.verb,
		     a.resource ? a.resource : a.path, a.subresource ? a.subresource : "",
		     a.namespace ? a.namespace : "", err, reason ? reason : "(none)");
	if (want && !*want)
		cr_expect_null(reason, "case %zu: reason %s", idx, reason);
	else if (want)
		cr_expect_str_eq(reason ? reason : "(none)", want, "case %zu", idx);
	free(reason);
}

Test(rbac, matrix)
{
	struct fx f;
	json_t *m = load(DATA "rbac-matrix.json"), *o;
	size_t i;

	fx_open(&f);
	json_array_foreach(json_object_get(m, "objects"), i, o)
		put(&f, o);
	drain(&f);
	fx_index(&f);
	json_array_foreach(json_object_get(m, "cases"), i, o)
		check_case(&f, o, i);
	json_decref(m);
	fx_close(&f);
}

static json_t *binding(const char *kind, const char *ns, const char *name,
		       const char *role_kind, const char *role, const char *user)
{
	json_t *b = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:s}]}",
			      "apiVersion", "rbac.authorization.k8s.io/v1", "kind", kind,
			      "metadata", "name", name, "roleRef", "apiGroup",
			      "rbac.authorization.k8s.io", "kind", role_kind, "name", role,
			      "subjects", "apiGroup", "rbac.authorization.k8s.io", "kind", "User",
			      "name", user);

	if (ns)
		json_object_set_new(json_object_get(b, "metadata"), "namespace", json_string(ns));
	return b;
}

static int decide(struct fx *f, const char *user, const char *verb, const char *group,
		  const char *res, const char *ns)
{
	struct kube_user u = { .name = user };
	struct kube_authz_attrs a = { .verb = verb, .api_group = group, .resource = res,
				      .namespace = ns, .is_resource_request = true };

	return kube__rbac_authorize(f->ix, &u, &a, NULL);
}

/* kubectl create rolebinding x --clusterrole createlist --user student -n team */
Test(rbac, course_createlist_via_rolebinding)
{
	struct fx f;
	json_t *cr = load(DATA "clusterrole-createlist.json");
	json_t *rb = binding("RoleBinding", "team", "x", "ClusterRole", "createlist", "student");
	static const char *const apps[] = { "deployments", "statefulsets", "daemonsets" };

	fx_open(&f);
	put(&f, cr);
	put(&f, rb);
	drain(&f);
	fx_index(&f);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(decide(&f, "student", "create", "apps", apps[i], "team"), 0);
		cr_expect_eq(decide(&f, "student", "list", "apps", apps[i], "team"), 0);
		cr_expect_eq(decide(&f, "student", "get", "apps", apps[i], "team"), KUBE_EFORBIDDEN);
		cr_expect_eq(decide(&f, "student", "create", "apps", apps[i], "default"),
			     KUBE_EFORBIDDEN);
		cr_expect_eq(decide(&f, "student", "list", "apps", apps[i], ""), KUBE_EFORBIDDEN);
	}
	cr_expect_eq(decide(&f, "student", "create", "", "pods", "team"), 0);
	cr_expect_eq(decide(&f, "student", "list", "", "services", "team"), 0);
	cr_expect_eq(decide(&f, "student", "delete", "", "pods", "team"), KUBE_EFORBIDDEN);
	cr_expect_eq(decide(&f, "student", "create", "", "deployments", "team"), KUBE_EFORBIDDEN);
	cr_expect_eq(decide(&f, "student", "create", "", "configmaps", "team"), KUBE_EFORBIDDEN);
	cr_expect_eq(decide(&f, "someone", "create", "", "pods", "team"), KUBE_EFORBIDDEN);
	json_decref(cr);
	json_decref(rb);
	fx_close(&f);
}

/* apiGroups ["networking.k8s.io/v1"] names no group: nothing on ingresses. */
Test(rbac, course_ingress_grants_nothing)
{
	struct fx f;
	json_t *cr = load(DATA "clusterrole-ingress.json");
	json_t *crb = binding("ClusterRoleBinding", NULL, "ing", "ClusterRole", "ingress-cr", "student");
	static const char *const verbs[] = { "get", "list", "watch", "create", "update", "delete" };

	fx_open(&f);
	put(&f, cr);
	put(&f, crb);
	drain(&f);
	fx_index(&f);
	for (int i = 0; i < 6; i++) {
		cr_expect_eq(decide(&f, "student", verbs[i], "networking.k8s.io", "ingresses", "team"),
			     KUBE_EFORBIDDEN);
		cr_expect_eq(decide(&f, "student", verbs[i], "extensions", "ingresses", ""),
			     KUBE_EFORBIDDEN);
	}
	/* the literal group string is matched as such (no group is ever called that) */
	cr_expect_eq(decide(&f, "student", "get", "networking.k8s.io/v1", "ingresses", "team"), 0);
	json_decref(cr);
	json_decref(crb);
	fx_close(&f);
}

/* The index follows creates, updates and deletes of roles and bindings. */
Test(rbac, index_follows_watch)
{
	struct fx f;
	json_t *role = json_pack("{s:s, s:s, s:{s:s, s:s}, s:[{s:[s], s:[s], s:[s]}]}",
				 "apiVersion", "rbac.authorization.k8s.io/v1", "kind", "Role",
				 "metadata", "name", "r", "namespace", "dev", "rules", "apiGroups", "",
				 "resources", "secrets", "verbs", "get");
	json_t *rb = binding("RoleBinding", "dev", "b", "Role", "r", "kim");
	json_t *upd;

	fx_open(&f);
	fx_index(&f);
	cr_expect_eq(decide(&f, "kim", "get", "", "secrets", "dev"), KUBE_EFORBIDDEN);
	put(&f, rb);
	drain(&f);
	cr_expect_eq(decide(&f, "kim", "get", "", "secrets", "dev"), KUBE_EFORBIDDEN,
		     "binding to a missing role");
	put(&f, role);
	drain(&f);
	cr_expect_eq(decide(&f, "kim", "get", "", "secrets", "dev"), 0);
	/* rebinding the same binding to someone else */
	upd = binding("RoleBinding", "dev", "b", "Role", "r", "lee");
	f.pending++;
	cr_assert_eq(store_update(f.s, "rbac.authorization.k8s.io/rolebindings/dev/b", upd, 0,
				  acked, &f), 0);
	drain(&f);
	cr_expect_eq(decide(&f, "kim", "get", "", "secrets", "dev"), KUBE_EFORBIDDEN);
	cr_expect_eq(decide(&f, "lee", "get", "", "secrets", "dev"), 0);
	del(&f, role);
	drain(&f);
	cr_expect_eq(decide(&f, "lee", "get", "", "secrets", "dev"), KUBE_EFORBIDDEN);
	put(&f, role);
	del(&f, rb);
	drain(&f);
	cr_expect_eq(decide(&f, "lee", "get", "", "secrets", "dev"), KUBE_EFORBIDDEN);
	json_decref(role);
	json_decref(rb);
	fx_close(&f);
}

/* Many bindings: a check reads only those naming the user or its groups. */
Test(rbac, many_bindings)
{
	struct fx f;
	json_t *cr = load(DATA "clusterrole-createlist.json");
	char name[32], user[32];

	fx_open(&f);
	put(&f, cr);
	for (int i = 0; i < 2000; i++) {
		json_t *b;

		snprintf(name, sizeof(name), "b%d", i);
		snprintf(user, sizeof(user), "user%d", i);
		b = binding("RoleBinding", i % 2 ? "odd" : "even", name, "ClusterRole", "createlist", user);
		put(&f, b);
		json_decref(b);
	}
	drain(&f);
	fx_index(&f);
	cr_expect_eq(decide(&f, "user1999", "list", "", "pods", "odd"), 0);
	cr_expect_eq(decide(&f, "user1999", "list", "", "pods", "even"), KUBE_EFORBIDDEN);
	cr_expect_eq(decide(&f, "user1998", "list", "", "pods", "even"), 0);
	json_decref(cr);
	fx_close(&f);
}

static json_t *forbidden(const char *user, struct kube_authz_attrs *a, const char *reason)
{
	struct kube_user u = { .name = user };

	return kube__forbidden_status(&u, a, reason);
}

static void expect_status(json_t *st, const char *msg, const char *details)
{
	json_t *want = json_loads(details, 0, NULL);

	cr_expect_str_eq(str(st, "message"), msg);
	cr_expect_str_eq(str(st, "reason"), "Forbidden");
	cr_expect_str_eq(str(st, "status"), "Failure");
	cr_expect_eq(json_integer_value(json_object_get(st, "code")), 403);
	cr_expect(json_equal(json_object_get(st, "details"), want), "details %s",
		  json_dumps(json_object_get(st, "details"), JSON_COMPACT));
	json_decref(want);
	json_decref(st);
}

Test(rbac, forbidden_status_texts)
{
	struct kube_authz_attrs list = { .verb = "list", .api_group = "", .resource = "pods",
					 .namespace = "default", .is_resource_request = true };
	struct kube_authz_attrs log = { .verb = "get", .api_group = "", .resource = "pods",
					.subresource = "log", .namespace = "default",
					.name = "web", .is_resource_request = true };
	struct kube_authz_attrs nodes = { .verb = "list", .api_group = "", .resource = "nodes",
					  .is_resource_request = true };
	struct kube_authz_attrs dep = { .verb = "create", .api_group = "apps",
					.resource = "deployments", .namespace = "team",
					.is_resource_request = true };
	struct kube_authz_attrs path = { .verb = "get", .path = "/metrics" };

	expect_status(forbidden("alice", &list, NULL),
		      "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
		      "{\"kind\":\"pods\"}");
	expect_status(forbidden("alice", &log, NULL),
		      "pods \"web\" is forbidden: User \"alice\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\"",
		      "{\"name\":\"web\",\"kind\":\"pods\"}");
	expect_status(forbidden("system:serviceaccount:default:default", &nodes, NULL),
		      "nodes is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
		      "{\"kind\":\"nodes\"}");
	expect_status(forbidden("bob", &dep, "RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found"),
		      "deployments.apps is forbidden: User \"bob\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"team\": RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found",
		      "{\"group\":\"apps\",\"kind\":\"deployments\"}");
	expect_status(forbidden("bob", &path, NULL),
		      "forbidden: User \"bob\" cannot get path \"/metrics\"", "{}");
	expect_status(forbidden("we\"ird", &path, NULL),
		      "forbidden: User \"we\\\"ird\" cannot get path \"/metrics\"", "{}");
}

Test(rbac, user_new_one_block)
{
	const char *groups[] = { "a", "system:authenticated" };
	struct kube_user *u = kube__user_new("n", "uid-1", groups, 2);

	cr_assert_not_null(u);
	cr_expect_str_eq(u->name, "n");
	cr_expect_str_eq(u->uid, "uid-1");
	cr_expect_eq(u->ngroups, 2);
	cr_expect_str_eq(u->groups[1], "system:authenticated");
	free(u);
}
