/*
 * What discovery describes, built from the registry plus the few resources
 * the REST server answers without storing them (the review APIs): groups in
 * the aggregator's priority order, versions in kube-aware order, and per
 * group version the APIResource entries kube-apiserver's installer makes,
 * subresources included, sorted by path as the installer registers them.
 * discovery_legacy.c and discovery_aggregated.c write the two formats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/api/discovery_int.h"

/*
 * Resources served by the REST server beyond the registry's kinds: create-
 * only reviews, never stored. A group appears in discovery only when it has
 * a resource (autoscaling is absent: no HorizontalPodAutoscaler).
 */
static const struct virtual_res {
	const char *group, *version, *plural, *singular, *kind;
	bool namespaced;
	unsigned verbs;
} virtual_resources[] = {
	{ "authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview",
	  "SelfSubjectReview", false, KUBE_VERB_CREATE },
	{ "authentication.k8s.io", "v1", "tokenreviews", "tokenreview", "TokenReview", false,
	  KUBE_VERB_CREATE },
	{ "authorization.k8s.io", "v1", "localsubjectaccessreviews", "localsubjectaccessreview",
	  "LocalSubjectAccessReview", true, KUBE_VERB_CREATE },
	{ "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview",
	  "SelfSubjectAccessReview", false, KUBE_VERB_CREATE },
	{ "authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview",
	  "SelfSubjectRulesReview", false, KUBE_VERB_CREATE },
	{ "authorization.k8s.io", "v1", "subjectaccessreviews", "subjectaccessreview",
	  "SubjectAccessReview", false, KUBE_VERB_CREATE },
};
#define NVIRTUAL (int)(sizeof(virtual_resources) / sizeof(virtual_resources[0]))

#define V_GPU (KUBE_VERB_GET | KUBE_VERB_PATCH | KUBE_VERB_UPDATE)
#define V_CONNECT (KUBE_VERB_CREATE | KUBE_VERB_GET)
/* Proxy connects GET, POST, PUT, PATCH, DELETE (HEAD and OPTIONS map to no verb). */
#define V_PROXY (V_CONNECT | KUBE_VERB_UPDATE | KUBE_VERB_PATCH | KUBE_VERB_DELETE)

/* Each subresource as upstream's storage defines it: the kind it answers
 * with (the parent's, a fixed one, or the parent's plus a suffix) and its
 * verbs (connect methods mapped as the installer maps them). */
static const struct sub_def {
	unsigned bit;
	const char *name;
	const char *group, *version; /* NULL: the parent's group version */
	const char *kind;            /* NULL: the parent's kind (+ suffix) */
	const char *suffix;          /* appended to the parent's kind */
	unsigned verbs;
} sub_defs[] = {
	{ KUBE_SUB_STATUS, "status", NULL, NULL, NULL, "", V_GPU },
	{ KUBE_SUB_SCALE, "scale", "autoscaling", "v1", "Scale", NULL, V_GPU },
	{ KUBE_SUB_BINDING, "binding", NULL, NULL, "Binding", NULL, KUBE_VERB_CREATE },
	{ KUBE_SUB_EVICTION, "eviction", "policy", "v1", "Eviction", NULL, KUBE_VERB_CREATE },
	{ KUBE_SUB_LOG, "log", NULL, NULL, NULL, "", KUBE_VERB_GET },
	{ KUBE_SUB_EXEC, "exec", NULL, NULL, "PodExecOptions", NULL, V_CONNECT },
	{ KUBE_SUB_TOKEN, "token", "authentication.k8s.io", "v1", "TokenRequest", NULL,
	  KUBE_VERB_CREATE },
	{ KUBE_SUB_PROXY, "proxy", NULL, NULL, NULL, "ProxyOptions", V_PROXY },
	{ KUBE_SUB_EPHEMERAL, "ephemeralcontainers", NULL, NULL, NULL, "", V_GPU },
	{ KUBE_SUB_ATTACH, "attach", NULL, NULL, "PodAttachOptions", NULL, V_CONNECT },
	{ KUBE_SUB_PORTFORWARD, "portforward", NULL, NULL, "PodPortForwardOptions", NULL, V_CONNECT },
};
#define NSUBS (int)(sizeof(sub_defs) / sizeof(sub_defs[0]))

/*
 * Where a kind is stored when not under its own group version: the
 * storageVersionHash names the storage kind. events.k8s.io Events share
 * the core Events' storage (cohabiting resources).
 */
static const struct {
	const char *group, *kind;        /* the served kind */
	const char *s_group, *s_version; /* its storage group version */
} storage_overrides[] = {
	{ "events.k8s.io", "Event", "", "v1" },
};

static int cmp_group(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int px = kube__group_priority(x), py = kube__group_priority(y);

	return px != py ? py - px : strcmp(x, y);
}

static int add_unique(const char **list, int n, int max, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return n;
	if (n < max)
		list[n++] = s;
	return n;
}

/* The served groups, priority order; fills out, returns the count. */
int kube__disc_groups(const char **out)
{
	int n = 0;

	for (int i = 0; i < kube__registry_count(); i++)
		if (*kube__registry_at(i)->group)
			n = add_unique(out, n, KUBE_DISC_MAX_GROUPS, kube__registry_at(i)->group);
	for (int i = 0; i < NVIRTUAL; i++)
		n = add_unique(out, n, KUBE_DISC_MAX_GROUPS, virtual_resources[i].group);
	qsort(out, (size_t)n, sizeof(*out), cmp_group);
	return n;
}

/* A version's place in kube-aware order: GA, then beta, then alpha, each by
 * descending major then minor ("v2" > "v1" > "v1beta2" > "v1beta1" > "v1alpha1");
 * names not of that form come last. */
static void version_rank(const char *v, int rank[3])
{
	char stage[8] = "";
	int major = 0, minor = 0, used = 0;

	rank[0] = rank[1] = rank[2] = -1;
	if (sscanf(v, "v%d%n", &major, &used) != 1 || major <= 0)
		return;
	if (!v[used]) {
		rank[0] = 3;
	} else if (sscanf(v + used, "%7[a-z]%d", stage, &minor) == 2 && minor > 0 &&
		   (!strcmp(stage, "beta") || !strcmp(stage, "alpha"))) {
		rank[0] = strcmp(stage, "beta") ? 1 : 2;
	} else {
		return;
	}
	rank[1] = major;
	rank[2] = minor;
}

static int cmp_version(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int rx[3], ry[3];

	version_rank(x, rx);
	version_rank(y, ry);
	for (int i = 0; i < 3; i++)
		if (rx[i] != ry[i])
			return ry[i] - rx[i];
	return strcmp(x, y);
}

/* The served versions of @p group, most preferred first; 0 if unserved. */
int kube__disc_versions(const char *group, const char **out)
{
	int n = 0;

	for (int i = 0; i < kube__registry_count(); i++)
		if (!strcmp(kube__registry_at(i)->group, group))
			n = add_unique(out, n, KUBE_DISC_MAX_VERSIONS, kube__registry_at(i)->version);
	for (int i = 0; i < NVIRTUAL; i++)
		if (!strcmp(virtual_resources[i].group, group))
			n = add_unique(out, n, KUBE_DISC_MAX_VERSIONS, virtual_resources[i].version);
	qsort(out, (size_t)n, sizeof(*out), cmp_version);
	return n;
}

/* discovery.StorageVersionHash: base64 of the first 8 bytes of
 * SHA-256("group/version/kind") of the kind's storage version. */
static void storage_hash(const struct kube_kind *k, char out[16])
{
	const char *g = k->group, *v = k->version;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char gvk[256];
	int len;

	for (size_t i = 0; i < sizeof(storage_overrides) / sizeof(storage_overrides[0]); i++)
		if (!strcmp(storage_overrides[i].group, g) && !strcmp(storage_overrides[i].kind, k->kind)) {
			g = storage_overrides[i].s_group;
			v = storage_overrides[i].s_version;
		}
	out[0] = '\0';
	len = snprintf(gvk, sizeof(gvk), "%s/%s/%s", g, v, k->kind);
	if (len <= 0 || (size_t)len >= sizeof(gvk) ||
	    !EVP_Digest(gvk, (size_t)len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 8)
		return;
	EVP_EncodeBlock((unsigned char *)out, md, 8);
}

static void kind_entry(struct kube_disc_res *r, const struct kube_kind *k)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", k->plural);
	r->singular = k->singular;
	snprintf(r->kind, sizeof(r->kind), "%s", k->kind);
	r->namespaced = k->namespaced;
	r->verbs = k->verbs;
	r->short_names = k->short_names;
	r->categories = k->categories;
	storage_hash(k, r->storage_hash);
}

static void sub_entry(struct kube_disc_res *r, const struct kube_kind *k, const struct sub_def *s)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s/%s", k->plural, s->name);
	r->singular = "";
	r->group = s->group;
	r->version = s->version;
	if (s->kind)
		snprintf(r->kind, sizeof(r->kind), "%s", s->kind);
	else
		snprintf(r->kind, sizeof(r->kind), "%s%s", k->kind, s->suffix);
	r->namespaced = k->namespaced;
	r->verbs = s->verbs;
}

static void virtual_entry(struct kube_disc_res *r, const struct virtual_res *v)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", v->plural);
	r->singular = v->singular;
	snprintf(r->kind, sizeof(r->kind), "%s", v->kind);
	r->namespaced = v->namespaced;
	r->verbs = v->verbs;
}

static int cmp_res(const void *a, const void *b)
{
	return strcmp(((const struct kube_disc_res *)a)->name, ((const struct kube_disc_res *)b)->name);
}

static bool in_gv(const char *g, const char *v, const char *group, const char *version)
{
	return !strcmp(g, group) && !strcmp(v, version);
}

/* The group version's APIResource entries sorted by name (malloc'd, free());
 * NULL with *n 0 when nothing is served there, *n -1 when out of memory. */
struct kube_disc_res *kube__disc_resources(const char *group, const char *version, int *n)
{
	int cap = (kube__registry_count() * (NSUBS + 1)) + NVIRTUAL;
	struct kube_disc_res *res = calloc((size_t)cap, sizeof(*res));

	*n = res ? 0 : -1;
	if (!res)
		return NULL;
	for (int i = 0; i < kube__registry_count(); i++) {
		const struct kube_kind *k = kube__registry_at(i);

		if (!in_gv(k->group, k->version, group, version))
			continue;
		kind_entry(&res[(*n)++], k);
		for (int s = 0; s < NSUBS; s++)
			if (k->subresources & sub_defs[s].bit)
				sub_entry(&res[(*n)++], k, &sub_defs[s]);
	}
	for (int i = 0; i < NVIRTUAL; i++)
		if (in_gv(virtual_resources[i].group, virtual_resources[i].version, group, version))
			virtual_entry(&res[(*n)++], &virtual_resources[i]);
	if (!*n) {
		free(res);
		return NULL;
	}
	qsort(res, (size_t)*n, sizeof(*res), cmp_res);
	return res;
}

/* Sorted as the installer sorts them (sort.Strings of the verb names). */
static const struct {
	unsigned bit;
	const char *name;
} verb_names[] = {
	{ KUBE_VERB_CREATE, "create" }, { KUBE_VERB_DELETE, "delete" },
	{ KUBE_VERB_DELETECOLLECTION, "deletecollection" }, { KUBE_VERB_GET, "get" },
	{ KUBE_VERB_LIST, "list" }, { KUBE_VERB_PATCH, "patch" },
	{ KUBE_VERB_UPDATE, "update" }, { KUBE_VERB_WATCH, "watch" },
};

/* The verbs of a kube_verb mask as a sorted JSON array; NULL when out of memory. */
json_t *kube__disc_verbs(unsigned verbs)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(verb_names) / sizeof(verb_names[0]); i++)
		if ((verbs & verb_names[i].bit) && json_array_append_new(a, json_string(verb_names[i].name))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* obj[key] = list as an array unless empty; 0, or -1 when out of memory. */
int kube__disc_set_strings(json_t *obj, const char *key, const char *const *list)
{
	json_t *a;

	if (!list || !*list)
		return 0;
	a = json_array();
	if (json_object_set_new(obj, key, a))
		return -1;
	for (; *list; list++)
		if (json_array_append_new(a, json_string(*list)))
			return -1;
	return 0;
}
