#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "core/registry.h"

static void assert_finds(const char *name, const char *group, const char *kind)
{
	const struct kube_kind *k = kube__registry_find(name);

	cr_assert_not_null(k, "%s not found", name);
	cr_assert_str_eq(k->group, group, "%s: group %s", name, k->group);
	cr_assert_str_eq(k->kind, kind, "%s: kind %s", name, k->kind);
}

Test(registry, every_name_form)
{
	static const char *const forms[] = { "deployments", "deployment", "Deployment", "DEPLOYMENT",
					     "deploy", "deployments.apps", "deploy.apps",
					     "deployments.v1.apps", "deploy.v1.apps", "Deployment.apps" };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		assert_finds(forms[i], "apps", "Deployment");
	assert_finds("po", "", "Pod");
	assert_finds("pods", "", "Pod");
	assert_finds("svc", "", "Service");
	assert_finds("quota", "", "ResourceQuota");
	assert_finds("limits", "", "LimitRange");
	assert_finds("endpoints", "", "Endpoints");
	assert_finds("ep", "", "Endpoints");
	assert_finds("persistentvolumeclaim", "", "PersistentVolumeClaim");
	assert_finds("cj", "batch", "CronJob");
	assert_finds("netpol", "networking.k8s.io", "NetworkPolicy");
	assert_finds("ingresses.networking.k8s.io", "networking.k8s.io", "Ingress");
	assert_finds("ing.v1.networking.k8s.io", "networking.k8s.io", "Ingress");
	assert_finds("pc", "scheduling.k8s.io", "PriorityClass");
	assert_finds("pdb", "policy", "PodDisruptionBudget");
	assert_finds("sc", "storage.k8s.io", "StorageClass");
	assert_finds("clusterrolebindings", "rbac.authorization.k8s.io", "ClusterRoleBinding");
	assert_finds("lease", "coordination.k8s.io", "Lease");
	assert_finds("EndpointSlice", "discovery.k8s.io", "EndpointSlice");
	assert_finds("pods.", "", "Pod"); /* NAME.GROUP with the core group */
}

Test(registry, ambiguous_names_prefer_core)
{
	assert_finds("events", "", "Event");
	assert_finds("ev", "", "Event");
	assert_finds("Event", "", "Event");
	assert_finds("events.events.k8s.io", "events.k8s.io", "Event");
	assert_finds("ev.events.k8s.io", "events.k8s.io", "Event");
	assert_finds("event.v1.events.k8s.io", "events.k8s.io", "Event");
}

Test(registry, unknown_names)
{
	static const char *const bad[] = { "", "pod s", "widgets", "deployments.v1", "deploy.v2.apps",
					   "deployments.batch", "binding", "bindings", "componentstatuses",
					   "po.apps", NULL };

	for (size_t i = 0; bad[i]; i++)
		cr_assert_null(kube__registry_find(bad[i]), "%s resolved", bad[i]);
	cr_assert_null(kube__registry_find(NULL));
}

Test(registry, by_gvk_and_gvr)
{
	const struct kube_kind *k = kube__registry_by_gvk("apps/v1", "Deployment");
	char buf[64];

	cr_assert_not_null(k);
	cr_assert_eq(k, kube__registry_find("deploy"));
	cr_assert_eq(kube__registry_by_gvk("v1", "Pod"), kube__registry_find("po"));
	cr_assert_str_eq(kube__registry_by_gvk("events.k8s.io/v1", "Event")->group, "events.k8s.io");
	cr_assert_str_eq(kube__registry_by_gvk("v1", "Event")->group, "");
	cr_assert_null(kube__registry_by_gvk("apps/v2", "Deployment"));
	cr_assert_null(kube__registry_by_gvk("v1", "Deployment"));
	cr_assert_null(kube__registry_by_gvk("apps/v1", "deployment")); /* kinds are case-sensitive */
	cr_assert_null(kube__registry_by_gvk("app/v1", "Deployment"));
	cr_assert_eq(kube__registry_by_gvr("apps", "v1", "deployments"), k);
	cr_assert_eq(kube__registry_by_gvr("", "v1", "pods"), kube__registry_find("pods"));
	cr_assert_null(kube__registry_by_gvr("apps", "v1", "deployment"));
	cr_assert_null(kube__registry_by_gvr("", "v1", "deployments"));
	cr_assert_str_eq(kube__kind_api_version(k, buf, sizeof(buf)), "apps/v1");
	cr_assert_str_eq(kube__kind_qualified(k, buf, sizeof(buf)), "deployments.apps");
	k = kube__registry_find("svc");
	cr_assert_str_eq(kube__kind_api_version(k, buf, sizeof(buf)), "v1");
	cr_assert_str_eq(kube__kind_qualified(k, buf, sizeof(buf)), "services");
}

Test(registry, kind_details)
{
	const struct kube_kind *ns = kube__registry_find("ns"), *pod = kube__registry_find("po");
	const struct kube_kind *deploy = kube__registry_find("deploy"), *sa = kube__registry_find("sa");

	cr_assert(!ns->namespaced);
	cr_assert(pod->namespaced);
	cr_assert_eq(ns->verbs & KUBE_VERB_DELETECOLLECTION, 0);
	cr_assert_eq(pod->verbs, KUBE_VERBS_ALL);
	cr_assert(pod->subresources & KUBE_SUB_EPHEMERAL);
	cr_assert(pod->subresources & KUBE_SUB_PORTFORWARD);
	cr_assert_eq(pod->subresources & KUBE_SUB_SCALE, 0);
	cr_assert_eq(deploy->subresources, KUBE_SUB_STATUS | KUBE_SUB_SCALE);
	cr_assert_eq(sa->subresources, KUBE_SUB_TOKEN);
	cr_assert_str_eq(pod->categories[0], "all");
	cr_assert_null(pod->categories[1]);
	cr_assert_null(kube__registry_find("secrets")->short_names);
	cr_assert_null(kube__registry_find("configmaps")->categories);
	cr_assert_str_eq(deploy->schema, "io.k8s.api.apps.v1.Deployment");
	cr_assert(deploy->spec_generation);
	cr_assert(!kube__registry_find("cm")->spec_generation);
}

/* The kinds in the "all" category, as `kubectl get all` shows them. */
Test(registry, category_all)
{
	static const char *const expect[] = { "cronjobs", "daemonsets", "deployments", "jobs", "pods",
					      "replicasets", "replicationcontrollers", "services",
					      "statefulsets" };
	size_t found = 0;

	for (int i = 0; i < kube__registry_count(); i++) {
		const struct kube_kind *k = kube__registry_at(i);
		if (!k->categories || strcmp(k->categories[0], "all"))
			continue;
		found++;
		bool listed = false;
		for (size_t j = 0; j < sizeof(expect) / sizeof(expect[0]); j++)
			listed |= !strcmp(expect[j], k->plural);
		cr_assert(listed, "%s in category all", k->plural);
	}
	cr_assert_eq(found, sizeof(expect) / sizeof(expect[0]));
	cr_assert_null(kube__registry_at(kube__registry_count()));
	cr_assert_null(kube__registry_at(-1));
}

Test(registry, every_kind_is_printable_and_distinct)
{
	int n = kube__registry_count();

	cr_assert_geq(n, 34);
	for (int i = 0; i < n; i++) {
		const struct kube_kind *k = kube__registry_at(i);
		json_t *obj = json_pack("{s:{s:s}}", "metadata", "name", "x"), *cells = json_array();
		int names = 0;

		cr_assert_not_null(k->row, "%s", k->kind);
		for (int c = 0; c < k->ncolumns; c++)
			names += !strcmp(k->columns[c].format, "name");
		cr_assert_eq(names, 1, "%s has one name column", k->kind);
		/* a bare object prints a full row: every field has its zero value */
		cr_assert_eq(k->row(obj, 0, cells), 0);
		cr_assert_eq((int)json_array_size(cells), k->ncolumns, "%s", k->kind);
		for (int j = 0; j < i; j++) {
			const struct kube_kind *o = kube__registry_at(j);
			cr_assert(strcmp(o->kind, k->kind) || strcmp(o->group, k->group));
			cr_assert(strcmp(o->plural, k->plural) || strcmp(o->group, k->group));
		}
		json_decref(obj);
		json_decref(cells);
	}
}

/* Every kube__kind_hooks entry names a registered kind and is attached to it. */
Test(registry, hooks_attach)
{
	for (const struct kube_kind_hooks *h = kube__kind_hooks; h->kind; h++) {
		const struct kube_kind *k = NULL;
		for (int i = 0; i < kube__registry_count(); i++)
			if (!strcmp(kube__registry_at(i)->group, h->group) &&
			    !strcmp(kube__registry_at(i)->kind, h->kind))
				k = kube__registry_at(i);
		cr_assert_not_null(k, "hook for %s/%s", h->group, h->kind);
		cr_assert_eq(k->defaults, h->defaults);
		cr_assert_eq(k->validate, h->validate);
	}
}

/* ---- the registry against upstream's OpenAPI documents ---- */

/* The OpenAPI v3 document serving @p k's group version. */
static json_t *openapi_doc(const struct kube_kind *k)
{
	char path[512];
	json_t *doc;

	if (*k->group)
		snprintf(path, sizeof(path), "%s/openapi/v3/apis__%s__%s.json", KUBE_SHARED_DIR, k->group,
			 k->version);
	else
		snprintf(path, sizeof(path), "%s/openapi/v3/api__%s.json", KUBE_SHARED_DIR, k->version);
	doc = json_load_file(path, 0, NULL);
	cr_assert_not_null(doc, "%s", path);
	return doc;
}

static unsigned verb_bit(const char *action)
{
	static const struct { const char *action; unsigned bit; } map[] = {
		{ "get", KUBE_VERB_GET }, { "list", KUBE_VERB_LIST }, { "watch", KUBE_VERB_WATCH },
		{ "watchlist", KUBE_VERB_WATCH }, { "post", KUBE_VERB_CREATE }, { "put", KUBE_VERB_UPDATE },
		{ "patch", KUBE_VERB_PATCH }, { "delete", KUBE_VERB_DELETE },
		{ "deletecollection", KUBE_VERB_DELETECOLLECTION },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].action, action))
			return map[i].bit;
	return 0;
}

static unsigned sub_bit(const char *sub)
{
	static const struct { const char *name; unsigned bit; } map[] = {
		{ "status", KUBE_SUB_STATUS }, { "scale", KUBE_SUB_SCALE }, { "binding", KUBE_SUB_BINDING },
		{ "eviction", KUBE_SUB_EVICTION }, { "log", KUBE_SUB_LOG }, { "exec", KUBE_SUB_EXEC },
		{ "token", KUBE_SUB_TOKEN }, { "proxy", KUBE_SUB_PROXY },
		{ "ephemeralcontainers", KUBE_SUB_EPHEMERAL }, { "attach", KUBE_SUB_ATTACH },
		{ "portforward", KUBE_SUB_PORTFORWARD },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, sub))
			return map[i].bit;
	return 0; /* finalize, resize: not served */
}

/* What the document's paths say about @p k: verbs of the resource, its
 * subresources, and whether it lives under namespaces/{namespace}. */
static void scan_paths(const json_t *doc, const struct kube_kind *k, unsigned *verbs, unsigned *subs,
		       bool *namespaced)
{
	const char *path, *method;
	json_t *item, *op;
	char rest[256];

	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		const char *p = strncmp(path, "/api/", 5) ? strchr(strchr(path + 6, '/') + 1, '/') + 1
							  : strchr(path + 5, '/') + 1;
		if (!strncmp(p, "watch/", 6))
			p += 6;
		if (!strncmp(p, "namespaces/{namespace}/", 23)) {
			p += 23;
			*namespaced |= !strncmp(p, k->plural, strlen(k->plural)) && (p[strlen(k->plural)] == '/' ||
										      !p[strlen(k->plural)]);
		}
		snprintf(rest, sizeof(rest), "%s", p);
		char *res = strtok(rest, "/"), *name = strtok(NULL, "/"), *sub = strtok(NULL, "/");
		if (!res || strcmp(res, k->plural))
			continue;
		json_object_foreach(item, method, op) {
			const char *action = json_string_value(json_object_get(op, "x-kubernetes-action"));
			if (!action)
				continue;
			if (sub && name)
				*subs |= sub_bit(sub);
			else
				*verbs |= verb_bit(action);
		}
	}
}

Test(registry, matches_upstream_openapi)
{
	for (int i = 0; i < kube__registry_count(); i++) {
		const struct kube_kind *k = kube__registry_at(i);
		json_t *doc = openapi_doc(k);
		json_t *schema = json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), k->schema);
		json_t *gvk = json_array_get(json_object_get(schema, "x-kubernetes-group-version-kind"), 0);
		unsigned verbs = 0, subs = 0;
		bool namespaced = false;

		cr_assert_not_null(gvk, "%s", k->schema);
		cr_assert_str_eq(json_string_value(json_object_get(gvk, "group")), k->group);
		cr_assert_str_eq(json_string_value(json_object_get(gvk, "version")), k->version);
		cr_assert_str_eq(json_string_value(json_object_get(gvk, "kind")), k->kind);
		scan_paths(doc, k, &verbs, &subs, &namespaced);
		cr_assert_eq(verbs, k->verbs, "%s verbs %#x, upstream %#x", k->plural, k->verbs, verbs);
		cr_assert_eq(subs, k->subresources, "%s subresources %#x, upstream %#x", k->plural,
			     k->subresources, subs);
		cr_assert_eq(namespaced, k->namespaced, "%s namespaced", k->plural);
		json_decref(doc);
	}
}
