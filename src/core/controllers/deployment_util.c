/*
 * Deployment helpers (upstream deployment/util/deployment_util.go).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/controllers/deployment_internal.h"

/* ---- small JSON helpers -------------------------------------------------- */

static json_t *walk(const json_t *obj, const char *path, char *last, size_t len)
{
	const char *dot;
	char part[64];

	while ((dot = strchr(path, '.'))) {
		snprintf(part, sizeof(part), "%.*s", (int)(dot - path), path);
		obj = json_object_get(obj, part);
		path = dot + 1;
	}
	snprintf(last, len, "%s", path);
	return (json_t *)obj;
}

int64_t kube__d_int(const json_t *obj, const char *path)
{
	char last[64];

	return json_integer_value(json_object_get(walk(obj, path, last, sizeof(last)), last));
}

void kube__d_set_int(json_t *obj, const char *path, int64_t v)
{
	char last[64];
	json_t *parent = walk(obj, path, last, sizeof(last));

	if (json_is_object(parent))
		json_object_set_new(parent, last, json_integer(v));
}

const char *kube__d_annotation(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(obj, "metadata"),
								  "annotations"), key));
}

void kube__d_set_annotation(json_t *obj, const char *key, const char *value)
{
	json_t *meta = kube__meta(obj), *a = json_object_get(meta, "annotations");

	if (!json_is_object(a)) {
		a = json_object();
		json_object_set_new(meta, "annotations", a);
	}
	json_object_set_new(a, key, json_string(value));
}

/* ---- fenceposts ------------------------------------------------------------ */

bool kube__d_rolling(const json_t *d)
{
	const char *t = json_string_value(json_object_get(json_object_get(json_object_get(d, "spec"),
								      "strategy"), "type"));

	return t && !strcmp(t, "RollingUpdate");
}

/* GetScaledValueFromIntOrPercent: a number, or a percentage of @p total rounded. */
int64_t kube__d_scaled(const json_t *v, int64_t total, bool round_up)
{
	const char *s = json_string_value(v);
	int64_t pct;

	if (!s)
		return json_integer_value(v);
	pct = strtoll(s, NULL, 10);
	if (round_up)
		return (pct * total + 99) / 100;
	return pct * total / 100;
}

static const json_t *rolling_params(const json_t *d)
{
	return json_object_get(json_object_get(json_object_get(d, "spec"), "strategy"),
			       "rollingUpdate");
}

/* ResolveFenceposts: surge rounds up, unavailable down; both zero means one unavailable. */
void kube__d_fenceposts(const json_t *d, int64_t *surge, int64_t *unavailable)
{
	const json_t *ru = rolling_params(d);
	int64_t desired = kube__d_int(d, "spec.replicas");

	*surge = kube__d_scaled(json_object_get(ru, "maxSurge"), desired, true);
	*unavailable = kube__d_scaled(json_object_get(ru, "maxUnavailable"), desired, false);
	if (!*surge && !*unavailable)
		*unavailable = 1;
}

int64_t kube__d_max_surge(const json_t *d)
{
	int64_t surge, unavailable;

	if (!kube__d_rolling(d))
		return 0;
	kube__d_fenceposts(d, &surge, &unavailable);
	return surge;
}

int64_t kube__d_max_unavailable(const json_t *d)
{
	int64_t surge, unavailable, replicas = kube__d_int(d, "spec.replicas");

	if (!kube__d_rolling(d) || !replicas)
		return 0;
	kube__d_fenceposts(d, &surge, &unavailable);
	return unavailable > replicas ? replicas : unavailable;
}

/* ---- pod-template-hash -------------------------------------------------- */

/*
 * ComputeHash: FNV-32a of the template, then of collisionCount as four
 * little-endian bytes when set, printed in decimal and passed through
 * SafeEncodeString. Upstream hashes the Go struct with a deep printer; here
 * the template is hashed as canonical JSON (sorted keys, compact), which is
 * just as stable: the same template always gives the same hash.
 */
void kube__d_template_hash(const json_t *tmpl, const json_t *collision, char out[16])
{
	static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
	char *text = json_dumps(tmpl, JSON_COMPACT | JSON_SORT_KEYS), num[16];
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; text && text[i]; i++)
		h = (h ^ (unsigned char)text[i]) * 16777619u;
	free(text);
	if (json_is_integer(collision)) {
		uint32_t cc = (uint32_t)json_integer_value(collision);

		for (i = 0; i < 4; i++)
			h = (h ^ ((cc >> (8 * i)) & 0xff)) * 16777619u;
	}
	snprintf(num, sizeof(num), "%u", h);
	for (i = 0; num[i]; i++)
		out[i] = alphanums[(unsigned char)num[i] % (sizeof(alphanums) - 1)];
	out[i] = '\0';
}

/* A template copy without the hash label (and without an empty label map). */
static json_t *strip_hash(const json_t *tmpl)
{
	json_t *copy = json_deep_copy(tmpl), *meta = json_object_get(copy, "metadata");
	json_t *labels = json_object_get(meta, "labels");

	json_object_del(labels, DEPLOY_HASH_LABEL);
	if (labels && !json_object_size(labels))
		json_object_del(meta, "labels");
	if (json_is_null(json_object_get(meta, "creationTimestamp")))
		json_object_del(meta, "creationTimestamp");
	if (meta && !json_object_size(meta))
		json_object_del(copy, "metadata");
	return copy;
}

/* EqualIgnoreHash. */
bool kube__d_equal_ignore_hash(const json_t *a, const json_t *b)
{
	json_t *x = strip_hash(a), *y = strip_hash(b);
	bool eq = json_equal(x, y);

	json_decref(x);
	json_decref(y);
	return eq;
}

/* ---- annotations ---------------------------------------------------------- */

int64_t kube__d_revision(const json_t *rs)
{
	const char *v = kube__d_annotation(rs, DEPLOY_REVISION);

	return v ? strtoll(v, NULL, 10) : 0;
}

static bool set_if_differs(json_t *rs, const char *key, int64_t v)
{
	char buf[32];
	const char *cur = kube__d_annotation(rs, key);

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	if (cur && !strcmp(cur, buf))
		return false;
	kube__d_set_annotation(rs, key, buf);
	return true;
}

bool kube__d_set_replicas_annotations(json_t *rs, int64_t desired, int64_t max)
{
	bool a = set_if_differs(rs, DEPLOY_DESIRED, desired);
	bool b = set_if_differs(rs, DEPLOY_MAX, max);

	return a || b;
}

bool kube__d_replicas_annotations_need_update(const json_t *rs, int64_t desired, int64_t max)
{
	char d[32], m[32];
	const char *cd = kube__d_annotation(rs, DEPLOY_DESIRED), *cm = kube__d_annotation(rs, DEPLOY_MAX);

	snprintf(d, sizeof(d), "%lld", (long long)desired);
	snprintf(m, sizeof(m), "%lld", (long long)max);
	return !cd || strcmp(cd, d) || !cm || strcmp(cm, m);
}

/* annotationsToSkip: never copied between a Deployment and its ReplicaSets. */
static bool skip_annotation(const char *k)
{
	static const char *const skip[] = {
		"kubectl.kubernetes.io/last-applied-configuration", DEPLOY_REVISION,
		DEPLOY_REVISION_HISTORY, DEPLOY_DESIRED, DEPLOY_MAX,
		"deprecated.deployment.rollback.to", NULL,
	};

	for (int i = 0; skip[i]; i++)
		if (!strcmp(k, skip[i]))
			return true;
	return false;
}

static bool copy_annotations(const json_t *d, json_t *rs)
{
	json_t *da = json_object_get(json_object_get(d, "metadata"), "annotations"), *v;
	const char *k;
	bool changed = false;

	json_object_foreach(da, k, v) {
		const char *cur = kube__d_annotation(rs, k);

		if (skip_annotation(k) || !json_is_string(v) ||
		    (cur && !strcmp(cur, json_string_value(v))))
			continue;
		kube__d_set_annotation(rs, k, json_string_value(v));
		changed = true;
	}
	return changed;
}

/* Upstream caps revision-history at 2000 characters, dropping the oldest entries. */
#define MAX_REV_HISTORY_CHARS 2000

static void append_history(json_t *rs, const char *old)
{
	const char *hist = kube__d_annotation(rs, DEPLOY_REVISION_HISTORY);
	const char *start;
	size_t total;
	char *joined;

	if (!hist || !*hist) {
		kube__d_set_annotation(rs, DEPLOY_REVISION_HISTORY, old);
		return;
	}
	/* drop the oldest entries until the result fits */
	total = strlen(hist) + strlen(old) + 1;
	start = hist;
	while (total > MAX_REV_HISTORY_CHARS && start) {
		const char *comma = strchr(start, ',');

		total -= (comma ? (size_t)(comma - start) : strlen(start)) + 1;
		start = comma ? comma + 1 : NULL;
	}
	if (total > MAX_REV_HISTORY_CHARS)
		return;
	if (asprintf(&joined, "%s%s%s", start ? start : "", start && *start ? "," : "", old) < 0)
		return;
	kube__d_set_annotation(rs, DEPLOY_REVISION_HISTORY, joined);
	free(joined);
}

/* SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision. */
bool kube__d_set_new_rs_annotations(const json_t *d, json_t *rs, int64_t revision, bool exists)
{
	bool changed = copy_annotations(d, rs);
	const char *oldtext = kube__d_annotation(rs, DEPLOY_REVISION);
	char *old = oldtext ? strdup(oldtext) : NULL, buf[32];
	int64_t oldrev = old ? strtoll(old, NULL, 10) : 0;
	int64_t replicas = kube__d_int(d, "spec.replicas");

	if (oldrev < revision) {
		snprintf(buf, sizeof(buf), "%lld", (long long)revision);
		kube__d_set_annotation(rs, DEPLOY_REVISION, buf);
		changed = true;
		if (old)
			append_history(rs, old);
	}
	free(old);
	if (!exists && kube__d_set_replicas_annotations(rs, replicas,
						       replicas + kube__d_max_surge(d)))
		changed = true;
	return changed;
}

/* ---- conditions ---------------------------------------------------------- */

json_t *kube__d_condition(const json_t *status, const char *type)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(status, "conditions"), i, c) {
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t && !strcmp(t, type))
			return c;
	}
	return NULL;
}

json_t *kube__d_new_condition(kube_cluster *c, const char *type, const char *status,
			      const char *reason, const char *message)
{
	char ts[32];

	kube__rfc3339(kube__now_ms(c), ts, sizeof(ts));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type, "status", status,
			 "lastUpdateTime", ts, "lastTransitionTime", ts, "reason", reason,
			 "message", message);
}

static const char *cstr(const json_t *c, const char *f)
{
	return json_string_value(json_object_get(c, f)) ?: "";
}

void kube__d_remove_condition(json_t *status, const char *type)
{
	json_t *conds = json_object_get(status, "conditions"), *c;
	size_t i;

	json_array_foreach(conds, i, c) {
		if (!strcmp(cstr(c, "type"), type)) {
			json_array_remove(conds, i);
			break;
		}
	}
	if (conds && !json_array_size(conds))
		json_object_del(status, "conditions");
}

/* SetDeploymentCondition (steals @p cond): same status and reason is no change. */
void kube__d_set_condition(json_t *status, json_t *cond)
{
	json_t *cur = kube__d_condition(status, cstr(cond, "type")), *conds;

	if (cur && !strcmp(cstr(cur, "status"), cstr(cond, "status")) &&
	    !strcmp(cstr(cur, "reason"), cstr(cond, "reason"))) {
		json_decref(cond);
		return;
	}
	if (cur && !strcmp(cstr(cur, "status"), cstr(cond, "status")))
		json_object_set(cond, "lastTransitionTime", json_object_get(cur, "lastTransitionTime"));
	kube__d_remove_condition(status, cstr(cond, "type"));
	conds = json_object_get(status, "conditions");
	if (!json_is_array(conds)) {
		conds = json_array();
		json_object_set_new(status, "conditions", conds);
	}
	json_array_append_new(conds, cond);
}

/* ---- ReplicaSet lists ------------------------------------------------------ */

int64_t kube__d_sum(const json_t *rss, const char *path)
{
	int64_t n = 0;
	json_t *rs;
	size_t i;

	json_array_foreach(rss, i, rs)
		n += kube__d_int(rs, path);
	return n;
}

static int64_t created(const json_t *rs)
{
	const char *ts = kube__meta_str(rs, "creationTimestamp");

	return ts ? kube__parse_rfc3339(ts) : 0;
}

/* ReplicaSetsByCreationTimestamp: older first, ties by name. */
static int by_creation(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int64_t ta = created(a), tb = created(b);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(kube__meta_str(a, "name"), kube__meta_str(b, "name"));
}

static int by_creation_desc(const void *pa, const void *pb)
{
	return -by_creation(pa, pb);
}

/* ReplicaSetsByRevision: lower revision first, ties by creation. */
static int by_revision(const void *pa, const void *pb)
{
	int64_t ra = kube__d_revision(*(json_t *const *)pa), rb = kube__d_revision(*(json_t *const *)pb);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return by_creation(pa, pb);
}

/* ReplicaSetsBySizeNewer / BySizeOlder: larger first, then newer (older) first. */
static int by_size_newer(const void *pa, const void *pb)
{
	int64_t a = kube__d_int(*(json_t *const *)pa, "spec.replicas");
	int64_t b = kube__d_int(*(json_t *const *)pb, "spec.replicas");

	if (a != b)
		return a > b ? -1 : 1;
	return by_creation_desc(pa, pb);
}

static int by_size_older(const void *pa, const void *pb)
{
	int64_t a = kube__d_int(*(json_t *const *)pa, "spec.replicas");
	int64_t b = kube__d_int(*(json_t *const *)pb, "spec.replicas");

	if (a != b)
		return a > b ? -1 : 1;
	return by_creation(pa, pb);
}

static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr), i;
	json_t **items = calloc(n ? n : 1, sizeof(*items));

	if (!items)
		return;
	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	qsort(items, n, sizeof(*items), cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	free(items);
}

void kube__d_sort_by_creation(json_t *rss, bool newest_first)
{
	sort_array(rss, newest_first ? by_creation_desc : by_creation);
}

void kube__d_sort_by_revision(json_t *rss)
{
	sort_array(rss, by_revision);
}

void kube__d_sort_by_size(json_t *rss, bool newer_first)
{
	sort_array(rss, newer_first ? by_size_newer : by_size_older);
}

/* FilterActiveReplicaSets over @p rss plus @p extra (may be NULL): spec.replicas > 0. */
json_t *kube__d_active(const json_t *rss, const json_t *extra)
{
	json_t *out = json_array(), *rs;
	size_t i;

	json_array_foreach(rss, i, rs)
		if (kube__d_int(rs, "spec.replicas") > 0)
			json_array_append(out, rs);
	if (extra && kube__d_int(extra, "spec.replicas") > 0)
		json_array_append(out, (json_t *)extra);
	return out;
}
