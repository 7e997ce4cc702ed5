/*
 * Quota evaluators (quota.h), as pkg/quota/v1/evaluator/core computes usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission/quota.h"
#include "core/admission/plugin_util.h"
#include "core/jsonutil.h"
#include "core/ops.h"

static void put_int(json_t *list, const char *name, long long n)
{
	json_object_set_new(list, name, json_sprintf("%lld", n));
}

/* Finished pods use nothing (QuotaV1Pod: terminal phase). */
static bool pod_counts(const json_t *pod)
{
	const char *phase = kube__jstr0(pod, "status.phase");

	return strcmp(phase, "Succeeded") && strcmp(phase, "Failed");
}


void kube__quota_container_usage(json_t *out, const json_t *requests, const json_t *limits)
{
	static const char *const plain[] = { "cpu", "memory", "ephemeral-storage", NULL };
	struct kube_quantity q;
	const char *k;
	char name[300];
	json_t *v;

	for (int i = 0; plain[i]; i++) {
		if (kube__rl_get(requests, plain[i], &q)) {
			kube__rl_set(out, plain[i], &q);
			snprintf(name, sizeof(name), "requests.%s", plain[i]);
			kube__rl_set(out, name, &q);
		}
		if (kube__rl_get(limits, plain[i], &q)) {
			snprintf(name, sizeof(name), "limits.%s", plain[i]);
			kube__rl_set(out, name, &q);
		}
	}
	json_object_foreach((json_t *)requests, k, v) {
		bool huge = !strncmp(k, "hugepages-", 10);
		bool extended = strchr(k, '/') && strncmp(k, "kubernetes.io/", 14) &&
				strncmp(k, "requests.", 9);

		if (!(huge || extended) || !kube__rl_get(requests, k, &q))
			continue;
		if (huge)
			kube__rl_set(out, k, &q);
		snprintf(name, sizeof(name), "requests.%s", k);
		kube__rl_set(out, name, &q);
	}
}

static void pod_usage(json_t *out, const json_t *pod)
{
	const json_t *spec = json_object_get(pod, "spec");
	json_t *req, *lim;

	if (!pod_counts(pod))
		return;
	put_int(out, "pods", 1);
	req = kube__pod_resources(spec, "requests");
	lim = kube__pod_resources(spec, "limits");
	kube__quota_container_usage(out, req, lim);
	json_decref(req);
	json_decref(lim);
}

static void service_usage(json_t *out, const json_t *svc)
{
	const json_t *spec = json_object_get(svc, "spec"), *p;
	const char *type = kube__jstr0(svc, "spec.type");
	size_t ports = json_array_size(json_object_get(spec, "ports")), i, explicit = 0;

	put_int(out, "services", 1);
	put_int(out, "services.loadbalancers", 0);
	put_int(out, "services.nodeports", 0);
	if (!strcmp(type, "NodePort"))
		put_int(out, "services.nodeports", (long long)ports);
	if (strcmp(type, "LoadBalancer"))
		return;
	put_int(out, "services.loadbalancers", 1);
	if (!json_is_false(json_object_get(spec, "allocateLoadBalancerNodePorts"))) {
		put_int(out, "services.nodeports", (long long)ports);
		return;
	}
	json_array_foreach(json_object_get(spec, "ports"), i, p)
		explicit += json_integer_value(json_object_get(p, "nodePort")) != 0;
	put_int(out, "services.nodeports", (long long)explicit);
}

static void pvc_usage(json_t *out, const json_t *pvc)
{
	const json_t *spec = json_object_get(pvc, "spec");
	const char *sc = json_string_value(json_object_get(spec, "storageClassName"));
	struct kube_quantity q;
	char name[300];
	bool has = kube__rl_get(json_object_get(json_object_get(spec, "resources"), "requests"),
				"storage", &q);

	put_int(out, "persistentvolumeclaims", 1);
	if (has)
		kube__rl_set(out, "requests.storage", &q);
	if (!sc || !*sc)
		return;
	snprintf(name, sizeof(name), "%s.storageclass.storage.k8s.io/persistentvolumeclaims", sc);
	put_int(out, name, 1);
	snprintf(name, sizeof(name), "%s.storageclass.storage.k8s.io/requests.storage", sc);
	if (has)
		kube__rl_set(out, name, &q);
}

json_t *kube__quota_usage_of(const struct kube_kind *k, const json_t *obj)
{
	static const char *const legacy[] = { "configmaps", "secrets", "replicationcontrollers",
					      "resourcequotas", NULL };
	json_t *out = json_object();
	char name[300];
	bool core = !*k->group;

	if (core && !strcmp(k->kind, "Pod") && !pod_counts(obj))
		return out;
	if (core)
		snprintf(name, sizeof(name), "count/%s", k->plural);
	else
		snprintf(name, sizeof(name), "count/%s.%s", k->plural, k->group);
	put_int(out, name, 1);
	if (!core)
		return out;
	if (!strcmp(k->kind, "Pod"))
		pod_usage(out, obj);
	else if (!strcmp(k->kind, "Service"))
		service_usage(out, obj);
	else if (!strcmp(k->kind, "PersistentVolumeClaim"))
		pvc_usage(out, obj);
	for (int i = 0; legacy[i]; i++)
		if (!strcmp(k->plural, legacy[i]))
			put_int(out, legacy[i], 1);
	return out;
}

/* ---- scopes -------------------------------------------------------------- */

static bool best_effort(const json_t *pod)
{
	static const char *const lists[] = { "containers", "initContainers", NULL };
	const json_t *spec = json_object_get(pod, "spec"), *c;
	size_t i;

	for (int l = 0; lists[l]; l++) {
		json_array_foreach(json_object_get(spec, lists[l]), i, c) {
			const json_t *r = json_object_get(c, "resources");

			if (json_object_get(json_object_get(r, "requests"), "cpu") ||
			    json_object_get(json_object_get(r, "requests"), "memory") ||
			    json_object_get(json_object_get(r, "limits"), "cpu") ||
			    json_object_get(json_object_get(r, "limits"), "memory"))
				return false;
		}
	}
	return true;
}

static bool in_values(const json_t *values, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(values, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* podMatchesScopeFunc for one scope (and its selector operator, when given). */
static bool pod_scope(const json_t *pod, const char *scope, const char *op, const json_t *values)
{
	const json_t *spec = json_object_get(pod, "spec");
	bool terminating = json_integer_value(json_object_get(spec, "activeDeadlineSeconds")) > 0;
	const char *pc = kube__jstr0(pod, "spec.priorityClassName");

	if (!strcmp(scope, "Terminating"))
		return terminating;
	if (!strcmp(scope, "NotTerminating"))
		return !terminating;
	if (!strcmp(scope, "BestEffort"))
		return best_effort(pod);
	if (!strcmp(scope, "NotBestEffort"))
		return !best_effort(pod);
	if (!strcmp(scope, "PriorityClass")) {
		if (!op || !strcmp(op, "Exists"))
			return *pc != '\0';
		if (!strcmp(op, "DoesNotExist"))
			return !*pc;
		if (!strcmp(op, "In"))
			return in_values(values, pc);
		if (!strcmp(op, "NotIn"))
			return !in_values(values, pc);
	}
	return false;
}

bool kube__quota_selects(const json_t *quota, const struct kube_kind *k, const json_t *obj)
{
	const json_t *spec = json_object_get(quota, "spec"), *s;
	const json_t *exprs = json_object_get(json_object_get(spec, "scopeSelector"), "matchExpressions");
	bool pod = !*k->group && !strcmp(k->kind, "Pod");
	size_t i;

	json_array_foreach(json_object_get(spec, "scopes"), i, s)
		if (!pod || !json_is_string(s) || !pod_scope(obj, json_string_value(s), NULL, NULL))
			return false;
	json_array_foreach(exprs, i, s) {
		const char *scope = json_string_value(json_object_get(s, "scopeName"));
		const char *op = json_string_value(json_object_get(s, "operator"));

		if (!pod || !scope || !pod_scope(obj, scope, op, json_object_get(s, "values")))
			return false;
	}
	return true;
}

/* ---- a namespace's usage ------------------------------------------------- */

/* Which kinds a hard resource name is counted from. */
static const struct kube_kind *kind_for(const char *res)
{
	static const struct { const char *prefix; const char *kind; } map[] = {
		{ "services", "Service" }, { "persistentvolumeclaims", "PersistentVolumeClaim" },
		{ "requests.storage", "PersistentVolumeClaim" }, { "configmaps", "ConfigMap" },
		{ "secrets", "Secret" }, { "replicationcontrollers", "ReplicationController" },
		{ "resourcequotas", "ResourceQuota" },
	};
	char plural[256];
	const char *dot;

	if (!strncmp(res, "count/", 6)) {
		res += 6;
		dot = strchr(res, '.');
		snprintf(plural, sizeof(plural), "%.*s", dot ? (int)(dot - res) : (int)strlen(res), res);
		for (int i = 0; i < kube__registry_count(); i++) {
			const struct kube_kind *k = kube__registry_at(i);

			if (!strcmp(k->plural, plural) && !strcmp(k->group, dot ? dot + 1 : ""))
				return k;
		}
		return NULL;
	}
	if (strstr(res, ".storageclass.storage.k8s.io/"))
		return kube__registry_by_gvk("v1", "PersistentVolumeClaim");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(res, map[i].prefix, strlen(map[i].prefix)))
			return kube__registry_by_gvk("v1", map[i].kind);
	return kube__registry_by_gvk("v1", "Pod");
}

struct tally {
	const struct kube_kind *k;
	const json_t *quota;
	json_t *used;      /* the sums, keyed as hard */
};

static int tally_one(const char *key, const json_t *obj, void *data)
{
	struct tally *t = data;
	json_t *u, *v;
	const char *res;
	struct kube_quantity q;

	(void)key;
	if (!kube__quota_selects(t->quota, t->k, obj))
		return 0;
	u = kube__quota_usage_of(t->k, obj);
	json_object_foreach(u, res, v)
		if (json_object_get(t->used, res) && kube__rl_get(u, res, &q))
			kube__rl_add(t->used, res, &q);
	json_decref(u);
	return 0;
}

json_t *kube__quota_used(kube_cluster *c, const char *ns, const json_t *quota, const json_t *hard)
{
	struct tally t = { .quota = quota, .used = json_object() };
	const struct kube_kind *seen[64];
	size_t nseen = 0;
	const char *res;
	json_t *v;

	json_object_foreach((json_t *)hard, res, v)
		put_int(t.used, res, 0);
	json_object_foreach((json_t *)hard, res, v) {
		const struct kube_kind *k = kind_for(res);
		bool dup = false;
		char *prefix;

		for (size_t i = 0; i < nseen; i++)
			dup = dup || seen[i] == k;
		if (!k || dup || !k->namespaced || nseen == 64)
			continue;
		seen[nseen++] = k;
		t.k = k;
		prefix = kube__key_prefix(k, ns);
		if (prefix)
			store_list(c->store, prefix, tally_one, &t);
		free(prefix);
	}
	return t.used;
}
