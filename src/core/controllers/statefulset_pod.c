/*
 * StatefulSet pods and their claims, as upstream's stateful_set_utils.go and
 * stateful_pod_control.go: stable names <set>-<ordinal>, identity labels,
 * hostname and subdomain, volumes bound to claims <template>-<set>-<ordinal>,
 * and claim owner references following persistentVolumeClaimRetentionPolicy.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/controller_revision.h"
#include "core/controllers/podutil.h"
#include "core/controllers/statefulset.h"
#include "core/events.h"

/* ---- names and phases ---------------------------------------------------- */

int kube__sts_ordinal(const char *name, size_t *parent_len)
{
	size_t n = name ? strlen(name) : 0, i = n;
	long v = 0;

	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i == n || i < 2 || name[i - 1] != '-' || n - i > 9)
		return -1;
	for (size_t j = i; j < n; j++)
		v = v * 10 + (name[j] - '0');
	if (parent_len)
		*parent_len = i - 1;
	return (int)v;
}

bool kube__sts_member(const json_t *set, const json_t *pod)
{
	const char *sname = kube__meta_str(set, "name"), *pname = kube__meta_str(pod, "name");
	size_t plen;

	return kube__sts_ordinal(pname, &plen) >= 0 && strlen(sname) == plen &&
	       !strncmp(sname, pname, plen);
}

static const char *label(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(obj, "metadata"),
								 "labels"), key));
}

const char *kube__sts_pod_revision(const json_t *pod)
{
	const char *r = label(pod, KUBE_REVISION_HASH_LABEL);

	return r ? r : "";
}

static const char *phase_of(const json_t *pod)
{
	const char *p = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	return p ? p : "";
}

bool kube__sts_created(const json_t *pod)
{
	return *phase_of(pod) != '\0';
}

bool kube__sts_phase(const json_t *pod, const char *phase)
{
	return !strcmp(phase_of(pod), phase);
}

bool kube__sts_terminating(const json_t *pod)
{
	return json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") != NULL;
}

bool kube__sts_running_ready(const json_t *pod)
{
	return kube__sts_phase(pod, "Running") && kube__pod_ready(pod);
}

bool kube__sts_available(struct sts_sync *y, const json_t *pod)
{
	if (!kube__sts_running_ready(pod))
		return false;
	if (kube__pod_available(pod, y->min_ready, kube__now_ms(y->s->c)))
		return true;
	/* ready but not yet for minReadySeconds: look again when it may be */
	if (!y->resync_ms || y->min_ready * 1000 < y->resync_ms)
		y->resync_ms = y->min_ready * 1000;
	return false;
}

/* ---- claims -------------------------------------------------------------- */

static const char *retention(const json_t *set, const char *which)
{
	const char *v = json_string_value(json_object_get(json_object_get(json_object_get(set,
				"spec"), "persistentVolumeClaimRetentionPolicy"), which));

	return v ? v : "Retain";
}

static bool in_range(const json_t *set, int ordinal)
{
	const json_t *spec = json_object_get(set, "spec");
	int64_t start = json_integer_value(json_object_get(json_object_get(spec, "ordinals"), "start"));
	int64_t n = json_integer_value(json_object_get(spec, "replicas"));

	return ordinal >= start && ordinal < start + n;
}

/* The claim of template @p t for ordinal @p ordinal (getPersistentVolumeClaims). */
static json_t *claim_for(const json_t *set, const json_t *t, int ordinal)
{
	json_t *claim = json_deep_copy(t), *meta = kube__meta(claim), *labels, *ml, *v;
	const char *key;
	char name[512];

	snprintf(name, sizeof(name), "%s-%s-%d", kube__meta_str(t, "name"),
		 kube__meta_str(set, "name"), ordinal);
	json_object_set_new(claim, "apiVersion", json_string("v1"));
	json_object_set_new(claim, "kind", json_string("PersistentVolumeClaim"));
	json_object_del(claim, "status");
	json_object_set_new(meta, "name", json_string(name));
	json_object_set_new(meta, "namespace", json_string(kube__meta_str(set, "namespace")));
	labels = json_object_get(meta, "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(meta, "labels", labels);
	}
	ml = json_object_get(json_object_get(json_object_get(set, "spec"), "selector"), "matchLabels");
	json_object_foreach(ml, key, v)
		json_object_set(labels, key, v);
	return claim;
}

static bool ref_is(const json_t *ref, const char *kind, const json_t *obj)
{
	const char *k = json_string_value(json_object_get(ref, "kind"));
	const char *n = json_string_value(json_object_get(ref, "name"));

	return k && n && !strcmp(k, kind) && !strcmp(n, kube__meta_str(obj, "name"));
}

static bool ref_uid_differs(const json_t *ref, const json_t *obj)
{
	const char *u = json_string_value(json_object_get(ref, "uid"));
	const char *ou = kube__meta_str(obj, "uid");

	return !u || !ou || strcmp(u, ou);
}

/* A controller reference that is neither ours nor the pod's (or a stale one
 * of ours): such a claim is left alone (hasUnexpectedController). */
static bool unexpected_controller(const json_t *claim, const json_t *set, const json_t *pod)
{
	json_t *ref;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(claim, "metadata"), "ownerReferences"),
			   i, ref) {
		if (ref_is(ref, "StatefulSet", set)) {
			if (ref_uid_differs(ref, set))
				return true;
		} else if (ref_is(ref, "Pod", pod)) {
			if (ref_uid_differs(ref, pod))
				return true;
		} else if (json_is_true(json_object_get(ref, "controller"))) {
			return true;
		}
	}
	return false;
}

/*
 * The owner references @p claim should have (updateClaimOwnerRefForSetAndPod):
 * whenDeleted=Delete -> the set controls it while the pod is in range;
 * whenScaled=Delete -> the pod controls it once the pod is scaled away.
 * A new array, or NULL when the claim is someone else's to manage.
 */
static json_t *wanted_refs(const json_t *claim, const json_t *set, const json_t *pod)
{
	json_t *refs = json_array(), *ref;
	bool scaled_down = !in_range(set, kube__sts_ordinal(kube__meta_str(pod, "name"), NULL));
	size_t i;

	if (unexpected_controller(claim, set, pod)) {
		json_decref(refs);
		return NULL;
	}
	json_array_foreach(json_object_get(json_object_get(claim, "metadata"), "ownerReferences"),
			   i, ref)
		if (!ref_is(ref, "StatefulSet", set) && !ref_is(ref, "Pod", pod))
			json_array_append(refs, ref);
	if (!strcmp(retention(set, "whenScaled"), "Delete") && scaled_down &&
	    kube__meta_str(pod, "uid"))
		json_array_append_new(refs, kube__new_controller_ref(pod));
	if (!strcmp(retention(set, "whenDeleted"), "Delete") && !scaled_down)
		json_array_append_new(refs, kube__new_controller_ref(set));
	return refs;
}

/* ---- writes with events -------------------------------------------------- */

struct sts_write {
	struct stsc *s;
	char *key;       /* the set's "ns/name" */
	const char *verb; /* "create", "update", "delete" */
	char *claim;     /* claim name for claim events, or NULL */
	char *pod;       /* pod name */
};

static const json_t *set_by_key(struct stsc *s, const char *key)
{
	const char *slash = strchr(key, '/');
	char ns[256];

	if (!slash || (size_t)(slash - key) >= sizeof(ns))
		return NULL;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
	return kube__op_get(s->c, s->set_kind, ns, slash + 1, NULL);
}

static void record(struct sts_write *w, const json_t *set, int err, const json_t *st)
{
	const char *msg = json_string_value(json_object_get(st, "message"));
	const char *sname = kube__meta_str(set, "name");
	char reason[32];
	bool ok = !err;

	snprintf(reason, sizeof(reason), "%s%c%s", ok ? "Successful" : "Failed",
		 toupper((unsigned char)w->verb[0]), w->verb + 1);
	if (w->claim && ok)
		kube__event(w->s->c, set, STS_COMPONENT, NULL, "Normal", reason,
			    "%s Claim %s Pod %s in StatefulSet %s success", w->verb, w->claim,
			    w->pod, sname);
	else if (w->claim)
		kube__event(w->s->c, set, STS_COMPONENT, NULL, "Warning", reason,
			    "%s Claim %s for Pod %s in StatefulSet %s failed error: %s", w->verb,
			    w->claim, w->pod, sname, msg ? msg : kube_strerror(err));
	else if (ok)
		kube__event(w->s->c, set, STS_COMPONENT, NULL, "Normal", reason,
			    "%s Pod %s in StatefulSet %s successful", w->verb, w->pod, sname);
	else
		kube__event(w->s->c, set, STS_COMPONENT, NULL, "Warning", reason,
			    "%s Pod %s in StatefulSet %s failed error: %s", w->verb, w->pod, sname,
			    msg ? msg : kube_strerror(err));
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct sts_write *w = data;
	bool sink = err == KUBE_ENOTFOUND && !strcmp(w->verb, "delete");
	const json_t *set;

	(void)obj;
	if (kube__sts_release(w->s)) {
		set = set_by_key(w->s, w->key);
		/* AlreadyExists is sunk without an event, as CreateStatefulPod does */
		if (set && err != KUBE_EEXIST && !sink)
			record(w, set, err, st);
		if (err && !sink)
			kube__sts_write_failed(w->s, w->key, err);
	}
	free(w->key);
	free(w->claim);
	free(w->pod);
	free(w);
}

static struct sts_write *new_write(struct sts_sync *y, const char *verb, const char *claim,
				   const char *pod)
{
	struct sts_write *w = calloc(1, sizeof(*w));

	w->s = y->s;
	kube__sts_hold(y->s);
	w->key = strdup(y->key);
	w->verb = verb;
	w->claim = claim ? strdup(claim) : NULL;
	w->pod = strdup(pod);
	return w;
}

/* A write that only matters for retries (claim owner references). */
static void quiet_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct sts_write *w = data;

	(void)obj, (void)st;
	if (kube__sts_release(w->s) && err && err != KUBE_ENOTFOUND)
		kube__sts_write_failed(w->s, w->key, err);
	free(w->key);
	free(w->claim);
	free(w->pod);
	free(w);
}

/* ---- pods ---------------------------------------------------------------- */

static json_t *templates_of(const json_t *set)
{
	return json_object_get(json_object_get(set, "spec"), "volumeClaimTemplates");
}

/* Point the pod's volumes at its claims (updateStorage). */
static void update_storage(const json_t *set, json_t *pod, int ordinal)
{
	json_t *spec = json_object_get(pod, "spec"), *vols = json_array(), *t, *v;
	json_t *old = json_object_get(spec, "volumes");
	size_t i, j;
	char claim[512];

	json_array_foreach(templates_of(set), i, t) {
		snprintf(claim, sizeof(claim), "%s-%s-%d", kube__meta_str(t, "name"),
			 kube__meta_str(set, "name"), ordinal);
		json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name",
						      kube__meta_str(t, "name"),
						      "persistentVolumeClaim", "claimName", claim));
	}
	json_array_foreach(old, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));
		bool templated = false;

		json_array_foreach(templates_of(set), j, t)
			templated |= n && !strcmp(n, kube__meta_str(t, "name"));
		if (!templated)
			json_array_append(vols, v);
	}
	if (json_array_size(vols))
		json_object_set_new(spec, "volumes", vols);
	else
		json_decref(vols);
}

static void update_identity(const json_t *set, json_t *pod, int ordinal)
{
	json_t *meta = kube__meta(pod), *labels = json_object_get(meta, "labels");
	char idx[16];

	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(meta, "labels", labels);
	}
	json_object_set_new(meta, "namespace", json_string(kube__meta_str(set, "namespace")));
	json_object_set_new(labels, STS_POD_NAME_LABEL, json_string(kube__meta_str(pod, "name")));
	snprintf(idx, sizeof(idx), "%d", ordinal);
	json_object_set_new(labels, STS_POD_INDEX_LABEL, json_string(idx));
}

json_t *kube__sts_new_pod(const json_t *set, int ordinal, const char *revision)
{
	const json_t *tmpl = json_object_get(json_object_get(set, "spec"), "template");
	const json_t *tm = json_object_get(tmpl, "metadata");
	const char *svc = json_string_value(json_object_get(json_object_get(set, "spec"),
							    "serviceName"));
	json_t *pod, *meta, *spec;
	char name[300], prefix[300];

	snprintf(name, sizeof(name), "%s-%d", kube__meta_str(set, "name"), ordinal);
	snprintf(prefix, sizeof(prefix), "%s-", kube__meta_str(set, "name"));
	spec = json_deep_copy(json_object_get(tmpl, "spec"));
	pod = json_pack("{s:s, s:s, s:{s:s, s:s, s:[o]}, s:o}", "apiVersion", "v1", "kind", "Pod",
			"metadata", "name", name, "generateName", prefix, "ownerReferences",
			kube__new_controller_ref(set), "spec", spec ? spec : json_object());
	meta = json_object_get(pod, "metadata");
	json_object_set_new(meta, "labels", json_is_object(json_object_get(tm, "labels")) ?
			    json_deep_copy(json_object_get(tm, "labels")) : json_object());
	if (json_object_get(tm, "annotations"))
		json_object_set_new(meta, "annotations", json_deep_copy(json_object_get(tm,
										   "annotations")));
	if (json_object_get(tm, "finalizers"))
		json_object_set_new(meta, "finalizers", json_deep_copy(json_object_get(tm,
										  "finalizers")));
	update_identity(set, pod, ordinal);
	/* hostname and subdomain are set once, at creation (initIdentity) */
	json_object_set_new(json_object_get(pod, "spec"), "hostname", json_string(name));
	if (svc && *svc)
		json_object_set_new(json_object_get(pod, "spec"), "subdomain", json_string(svc));
	update_storage(set, pod, ordinal);
	json_object_set_new(json_object_get(meta, "labels"), KUBE_REVISION_HASH_LABEL,
			    json_string(revision));
	return pod;
}

bool kube__sts_identity_ok(const json_t *set, const json_t *pod)
{
	size_t plen;
	int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), &plen);
	const char *ns = kube__meta_str(pod, "namespace"), *pn = label(pod, STS_POD_NAME_LABEL);
	const char *pi = label(pod, STS_POD_INDEX_LABEL);
	char idx[16];

	snprintf(idx, sizeof(idx), "%d", ord);
	return ord >= 0 && kube__sts_member(set, pod) && ns &&
	       !strcmp(ns, kube__meta_str(set, "namespace")) && pn &&
	       !strcmp(pn, kube__meta_str(pod, "name")) && pi && !strcmp(pi, idx);
}

bool kube__sts_storage_ok(const json_t *set, const json_t *pod)
{
	int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), NULL);
	json_t *t, *v;
	size_t i, j;
	char claim[512];

	if (ord < 0)
		return false;
	json_array_foreach(templates_of(set), i, t) {
		bool found = false;

		snprintf(claim, sizeof(claim), "%s-%s-%d", kube__meta_str(t, "name"),
			 kube__meta_str(set, "name"), ord);
		json_array_foreach(json_object_get(json_object_get(pod, "spec"), "volumes"), j, v) {
			const char *cn = json_string_value(json_object_get(
				json_object_get(v, "persistentVolumeClaim"), "claimName"));

			if (!strcmp(json_string_value(json_object_get(v, "name")) ?: "",
				    kube__meta_str(t, "name")))
				found = cn && !strcmp(cn, claim);
		}
		if (!found)
			return false;
	}
	return true;
}

static const json_t *stored_claim(struct sts_sync *y, const json_t *claim)
{
	return kube__op_get(y->s->c, y->s->pvc_kind, kube__meta_str(claim, "namespace"),
			    kube__meta_str(claim, "name"), NULL);
}

/* Create the claims the pod lacks (createPersistentVolumeClaims). Non-zero
 * when one is being deleted or a create failed at once. */
static int create_claims(struct sts_sync *y, const json_t *pod)
{
	int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), NULL);
	bool before = y->s->sync_failed;
	int err = 0;
	json_t *t;
	size_t i;

	y->s->sync_failed = false;
	json_array_foreach(templates_of(y->set), i, t) {
		json_t *claim = claim_for(y->update_set, t, ord), *refs;
		const json_t *have = stored_claim(y, claim);

		if (have) {
			if (kube__sts_terminating(have))
				err = KUBE_ECONFLICT;    /* "pvc %s is being deleted" */
			json_decref(claim);
			continue;
		}
		refs = wanted_refs(claim, y->set, pod);
		if (refs && json_array_size(refs))
			json_object_set(kube__meta(claim), "ownerReferences", refs);
		json_decref(refs);
		kube__op_create(y->s->c, y->s->pvc_kind, NULL, claim, NULL, write_done,
				new_write(y, "create", kube__meta_str(claim, "name"),
					  kube__meta_str(pod, "name")));
	}
	if (y->s->sync_failed)
		err = KUBE_EINVAL;
	y->s->sync_failed |= before || err;
	return err;
}

int kube__sts_create_pod(struct sts_sync *y, const json_t *pod, bool create_pod)
{
	int err = create_claims(y, pod);

	if (err || !create_pod)
		return err;
	kube__op_create(y->s->c, y->s->pod_kind, NULL, json_deep_copy(pod), NULL, write_done,
			new_write(y, "create", NULL, kube__meta_str(pod, "name")));
	return 0;
}

bool kube__sts_claim_stale(struct sts_sync *y, const json_t *pod)
{
	int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), NULL);
	bool stale = false;
	json_t *t, *ref;
	size_t i, j;

	if (!strcmp(retention(y->set, "whenScaled"), "Retain"))
		return false;    /* claims are meant to be reused */
	json_array_foreach(templates_of(y->set), i, t) {
		json_t *claim = claim_for(y->set, t, ord);
		const json_t *have = stored_claim(y, claim);

		json_array_foreach(json_object_get(json_object_get(have, "metadata"),
						   "ownerReferences"), j, ref)
			if (ref_is(ref, "Pod", pod) && ref_uid_differs(ref, pod))
				stale = true;
		json_decref(claim);
	}
	return stale;
}

bool kube__sts_fix_claims(struct sts_sync *y, const json_t *pod)
{
	int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), NULL);
	bool matched = true;
	json_t *t;
	size_t i;

	json_array_foreach(templates_of(y->set), i, t) {
		json_t *claim = claim_for(y->set, t, ord), *refs, *copy;
		const json_t *have = stored_claim(y, claim);
		json_t *cur;

		json_decref(claim);
		if (!have || !(refs = wanted_refs(have, y->update_set, pod)))
			continue;
		cur = json_object_get(json_object_get(have, "metadata"), "ownerReferences");
		if (json_equal(refs, cur) || (!cur && !json_array_size(refs))) {
			json_decref(refs);
			continue;
		}
		matched = false;
		copy = json_deep_copy(have);
		if (json_array_size(refs))
			json_object_set_new(kube__meta(copy), "ownerReferences", refs);
		else {
			json_decref(refs);
			json_object_del(kube__meta(copy), "ownerReferences");
		}
		kube__op_update(y->s->c, y->s->pvc_kind, NULL, copy, NULL, quiet_done,
				new_write(y, "update", kube__meta_str(have, "name"),
					  kube__meta_str(pod, "name")));
	}
	return matched;
}

void kube__sts_update_pod(struct sts_sync *y, const json_t *pod)
{
	int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), NULL);
	json_t *copy = json_deep_copy(pod);
	bool dirty = false;

	if (!kube__sts_identity_ok(y->update_set, pod)) {
		update_identity(y->update_set, copy, ord);
		dirty = true;
	}
	if (!kube__sts_storage_ok(y->update_set, pod)) {
		update_storage(y->update_set, copy, ord);
		create_claims(y, pod);
		dirty = true;
	}
	kube__sts_fix_claims(y, pod);
	if (!dirty) {
		json_decref(copy);
		return;
	}
	kube__op_update(y->s->c, y->s->pod_kind, NULL, copy, NULL, write_done,
			new_write(y, "update", NULL, kube__meta_str(pod, "name")));
}

void kube__sts_delete_pod(struct sts_sync *y, const json_t *pod)
{
	struct kube_op_opts o = { .precondition_uid = kube__meta_str(pod, "uid") };

	kube__op_delete(y->s->c, y->s->pod_kind, kube__meta_str(pod, "namespace"),
			kube__meta_str(pod, "name"), &o, write_done,
			new_write(y, "delete", NULL, kube__meta_str(pod, "name")));
}
