/*
 * Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), the
 * one-request form kubectl 1.32 and client-go ask for first. Written from
 * the same APIResource entries as the legacy lists, converted as upstream's
 * ConvertGroupVersionIntoToDiscovery does: subresources fold into their
 * parent, and responseKind copies the entry's group and version, which are
 * empty unless the kind belongs to another group version (Scale, Eviction).
 */
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/api/discovery_int.h"

static json_t *response_kind(const struct kube_disc_res *r)
{
	return json_pack("{s:s, s:s, s:s}", "group", r->group ? r->group : "", "version",
			 r->version ? r->version : "", "kind", r->kind);
}

/* An APIResourceDiscovery, "subresources" left for the caller to add. */
static json_t *resource_discovery(const struct kube_disc_res *r)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:o}", "resource", r->name, "responseKind",
			      response_kind(r), "scope", r->namespaced ? "Namespaced" : "Cluster",
			      "singularResource", r->singular, "verbs", kube__disc_verbs(r->verbs));

	if (o && (kube__disc_set_strings(o, "shortNames", r->short_names) ||
		  kube__disc_set_strings(o, "categories", r->categories))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Append "res/sub" entry @p r to its parent's subresources; the parents
 * sort before their subresources, so the parent is already in @p list. */
static int add_subresource(json_t *list, const struct kube_disc_res *r, const char *slash)
{
	size_t plen = (size_t)(slash - r->name), i;
	json_t *parent, *subs, *sub;

	json_array_foreach(list, i, parent) {
		const char *name = json_string_value(json_object_get(parent, "resource"));

		if (strlen(name) != plen || strncmp(name, r->name, plen))
			continue;
		subs = json_object_get(parent, "subresources");
		if (!subs && json_object_set_new(parent, "subresources", subs = json_array()))
			return -1;
		sub = json_pack("{s:s, s:o, s:o}", "subresource", slash + 1, "responseKind",
				response_kind(r), "verbs", kube__disc_verbs(r->verbs));
		return json_array_append_new(subs, sub);
	}
	return -1;
}

/* {"version":"v1","resources":[...],"freshness":"Current"}; NULL on failure. */
static json_t *version_discovery(const char *group, const char *version)
{
	int n;
	struct kube_disc_res *res = kube__disc_resources(group, version, &n);
	json_t *list = json_array(), *doc = NULL;

	if (!res || !list)
		goto free_res;
	for (int i = 0; i < n; i++) {
		const char *slash = strchr(res[i].name, '/');

		if (slash ? add_subresource(list, &res[i], slash)
			  : json_array_append_new(list, resource_discovery(&res[i])))
			goto free_res;
	}
	doc = json_pack("{s:s, s:O, s:s}", "version", version, "resources", list, "freshness",
			"Current");
free_res:
	json_decref(list);
	free(res);
	return doc;
}

/* An APIGroupDiscovery; the core group's metadata has no name. Go's
 * zero creationTimestamp marshals as null, and clients expect the key. */
static json_t *group_discovery(const char *group)
{
	const char *versions[KUBE_DISC_MAX_VERSIONS];
	int n = kube__disc_versions(group, versions);
	json_t *list = json_array();
	json_t *meta = *group ? json_pack("{s:s, s:n}", "name", group, "creationTimestamp")
			      : json_pack("{s:n}", "creationTimestamp");
	json_t *doc = json_pack("{s:o, s:o}", "metadata", meta, "versions", list);

	for (int i = 0; doc && i < n; i++)
		if (json_array_append_new(list, version_discovery(group, versions[i]))) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}

/*
 * The APIGroupDiscoveryList for /api (@p core: the one core group) or /apis
 * (every other served group, in upstream's priority order). NULL on
 * allocation failure.
 */
json_t *kube__discovery_aggregated(bool core)
{
	const char *groups[KUBE_DISC_MAX_GROUPS];
	int n = core ? 1 : kube__disc_groups(groups);
	json_t *items = json_array();
	json_t *doc = json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
				"apidiscovery.k8s.io/v2", "metadata", "items", items);

	if (core)
		groups[0] = "";
	for (int i = 0; doc && i < n; i++)
		if (json_array_append_new(items, group_discovery(groups[i]))) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}
