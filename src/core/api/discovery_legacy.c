/*
 * Legacy (unaggregated) discovery, the documents kube-apiserver serves
 * without the apidiscovery Accept header: APIVersions at /api, APIGroupList
 * at /apis, APIGroup at /apis/GROUP and APIResourceList at /api/v1 and
 * /apis/GROUP/VERSION. Keys in upstream's field order; the core documents
 * carry no apiVersion, as upstream's do not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/api/discovery_int.h"

/*
 * {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":
 * [{"clientCIDR":"0.0.0.0/0","serverAddress":""}]}: the caller, which knows
 * the address it listens on, sets serverAddress ("host:port"). NULL on
 * allocation failure.
 */
json_t *kube__discovery_api_versions(void)
{
	const char *versions[KUBE_DISC_MAX_VERSIONS];
	int n = kube__disc_versions("", versions);
	json_t *list = json_array(), *doc;

	doc = json_pack("{s:s, s:o, s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", list,
			"serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress", "");
	for (int i = 0; doc && i < n; i++)
		if (json_array_append_new(list, json_string(versions[i]))) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}

/* {"groupVersion":"apps/v1","version":"v1"} */
static json_t *gv_for_discovery(const char *group, const char *version)
{
	json_t *gv = json_sprintf("%s/%s", group, version);

	return gv ? json_pack("{s:o, s:s}", "groupVersion", gv, "version", version) : NULL;
}

/* An APIGroup's fields (name, versions, preferredVersion) added to @p doc;
 * 0, or -1 on allocation failure. */
static int add_group_fields(json_t *doc, const char *group, const char *const *versions, int n)
{
	json_t *list = json_array();

	if (json_object_set_new(doc, "name", json_string(group)) ||
	    json_object_set_new(doc, "versions", list))
		return -1;
	for (int i = 0; i < n; i++)
		if (json_array_append_new(list, gv_for_discovery(group, versions[i])))
			return -1;
	return json_object_set_new(doc, "preferredVersion", gv_for_discovery(group, versions[0]));
}

/*
 * {"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"apps",
 * "versions":[...],"preferredVersion":{...}}, ...]}, groups in priority
 * order. NULL on allocation failure.
 */
json_t *kube__discovery_group_list(void)
{
	const char *groups[KUBE_DISC_MAX_GROUPS], *versions[KUBE_DISC_MAX_VERSIONS];
	int ngroups = kube__disc_groups(groups);
	json_t *list = json_array();
	json_t *doc = json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1",
				"groups", list);

	for (int i = 0; doc && i < ngroups; i++) {
		json_t *g = json_object();
		int nv = kube__disc_versions(groups[i], versions);

		if (json_array_append_new(list, g) || add_group_fields(g, groups[i], versions, nv)) {
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}

/* {"kind":"APIGroup","apiVersion":"v1","name":...}; NULL when the group is
 * not served (the core group included: it has no /apis/ document) or on
 * allocation failure. */
json_t *kube__discovery_group(const char *group)
{
	const char *versions[KUBE_DISC_MAX_VERSIONS];
	int n = group && *group ? kube__disc_versions(group, versions) : 0;
	json_t *doc;

	if (!n)
		return NULL;
	doc = json_pack("{s:s, s:s}", "kind", "APIGroup", "apiVersion", "v1");
	if (doc && add_group_fields(doc, group, versions, n)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* One APIResource in upstream's field order; omitempty fields left out. */
static json_t *api_resource(const struct kube_disc_res *r)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "name", r->name, "singularName", r->singular,
			      "namespaced", r->namespaced);

	if (!o)
		return NULL;
	if ((r->group && (json_object_set_new(o, "group", json_string(r->group)) ||
			  json_object_set_new(o, "version", json_string(r->version)))) ||
	    json_object_set_new(o, "kind", json_string(r->kind)) ||
	    json_object_set_new(o, "verbs", kube__disc_verbs(r->verbs)) ||
	    kube__disc_set_strings(o, "shortNames", r->short_names) ||
	    kube__disc_set_strings(o, "categories", r->categories) ||
	    (*r->storage_hash &&
	     json_object_set_new(o, "storageVersionHash", json_string(r->storage_hash)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The APIResourceList of @p group ("" for core) / @p version, or NULL when
 * that group version is not served or on allocation failure.
 */
json_t *kube__discovery_resource_list(const char *group, const char *version)
{
	int n;
	struct kube_disc_res *res = kube__disc_resources(group, version, &n);
	json_t *doc = NULL, *list = json_array(), *gv;

	if (!res)
		goto free_list;
	gv = *group ? json_sprintf("%s/%s", group, version) : json_string(version);
	doc = *group ? json_pack("{s:s, s:s, s:o, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
				 "groupVersion", gv, "resources", list)
		     : json_pack("{s:s, s:o, s:o}", "kind", "APIResourceList", "groupVersion", gv,
				 "resources", list);
	list = NULL; /* owned by doc, or freed by json_pack's failure */
	for (int i = 0; doc && i < n; i++)
		if (json_array_append_new(json_object_get(doc, "resources"), api_resource(&res[i]))) {
			json_decref(doc);
			doc = NULL;
		}
	free(res);
free_list:
	json_decref(list);
	return doc;
}
