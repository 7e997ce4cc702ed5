/*
 * The StatefulSet controller, as upstream's pkg/controller/statefulset:
 * watch sets and their pods, and per set (one work queue key "ns/name"):
 * find or create the update revision (ControllerRevision <set>-<hash>),
 * run the replica algorithm (statefulset_control.c), write the status and
 * trim the revision history to spec.revisionHistoryLimit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/controller_revision.h"
#include "core/controllers/podutil.h"
#include "core/controllers/statefulset.h"
#include "core/workqueue.h"

#define SETS_PREFIX "apps/statefulsets/"

struct sts_timer {
	struct kube_timer t;      /* on the cluster clock */
	struct stsc *s;
	char *key;                /* the set to resync */
	struct sts_timer *next;
};

/* ---- queueing ------------------------------------------------------------ */

static void enqueue(struct stsc *s, const char *ns, const char *name)
{
	char key[512];

	if (!ns || !name)
		return;
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	kube__wq_add(s->queue, key);
}

static void on_timer(struct kube_timer *t, void *data)
{
	struct sts_timer *st = data;

	(void)t;
	kube__wq_add(st->s->queue, st->key);
}

/* Sync @p key again after @p ms of cluster time (an earlier resync wins). */
static void resync_after(struct stsc *s, const char *key, int64_t ms)
{
	struct sts_timer *st;

	for (st = s->timers; st; st = st->next)
		if (!strcmp(st->key, key))
			break;
	if (st && st->t.armed && st->t.due <= kube__now_ms(s->c) + ms)
		return;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st || !(st->key = strdup(key))) {
			free(st);
			return;
		}
		st->s = s;
		st->next = s->timers;
		s->timers = st;
	}
	kube__timer_start(s->c, &st->t, ms, on_timer, st);
}

void kube__sts_hold(struct stsc *s)
{
	s->writes++;
}

bool kube__sts_release(struct stsc *s)
{
	s->writes--;
	if (!s->stopped)
		return true;
	if (!s->writes)
		free(s);
	return false;
}

void kube__sts_write_failed(struct stsc *s, const char *key, int err)
{
	(void)err;
	if (s->syncing && !strcmp(s->syncing, key))
		s->sync_failed = true;
	else
		kube__wq_add(s->queue, key);
}

static void enqueue_owner(struct stsc *s, const json_t *obj)
{
	const json_t *ref = kube__controller_ref(obj);
	const char *kind = json_string_value(json_object_get(ref, "kind"));

	if (kind && !strcmp(kind, "StatefulSet"))
		enqueue(s, kube__meta_str(obj, "namespace"),
			json_string_value(json_object_get(ref, "name")));
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct stsc *s = data;

	(void)type, (void)rev;
	if (!strncmp(key, SETS_PREFIX, strlen(SETS_PREFIX))) {
		enqueue(s, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"));
	} else if (!strncmp(key, "/pods/", 6) || !strncmp(key, "/persistentvolumeclaims/", 24)) {
		enqueue_owner(s, obj);
		if (prev)
			enqueue_owner(s, prev);
	}
}

/* ---- revisions ----------------------------------------------------------- */

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct stsc *s;
	char *key;

	(void)obj, (void)st;
	if (!data)
		return;
	s = *(struct stsc **)data;
	key = (char *)data + sizeof(struct stsc *);
	if (kube__sts_release(s) && err && err != KUBE_ENOTFOUND)
		kube__sts_write_failed(s, key, err);
	free(data);
}

/* Callback data for a write of this sync: the controller and the set key. */
static void *wctx(struct sts_sync *y)
{
	size_t n = strlen(y->key) + 1;
	char *d = malloc(sizeof(struct stsc *) + n);

	kube__sts_hold(y->s);
	memcpy(d, &y->s, sizeof(struct stsc *));
	memcpy(d + sizeof(struct stsc *), y->key, n);
	return d;
}

/* Create the revision for @p data, stepping the collision count past names
 * taken by different data (CreateControllerRevision). A new reference. */
static json_t *create_revision(struct sts_sync *y, const json_t *data, int64_t number)
{
	const json_t *labels = json_object_get(json_object_get(json_object_get(json_object_get(
				y->set, "spec"), "template"), "metadata"), "labels");
	const json_t *have;
	json_t *rev;
	char hash[16];

	for (;;) {
		kube__revision_hash(data, &y->collision, KUBE_FNV1, hash, sizeof(hash));
		rev = kube__revision_new(y->set, labels, data, number, hash);
		have = kube__op_get(y->s->c, y->s->rev_kind, kube__meta_str(y->set, "namespace"),
				    kube__revision_name(rev), NULL);
		if (!have)
			break;
		if (kube__revision_matches(have, data)) {
			json_decref(rev);
			return json_incref((json_t *)have);
		}
		json_decref(rev);
		y->collision++;
	}
	kube__op_create(y->s->c, y->s->rev_kind, NULL, json_deep_copy(rev), NULL, write_done,
			wctx(y));
	return rev;
}

/* Find or make the update revision; pick the current one (getStatefulSetRevisions).
 * Sets y->current_rev / update_rev and the two set views; returns the
 * revisions to keep references alive in @p keep. */
static void pick_revisions(struct sts_sync *y, json_t *revs, json_t *keep)
{
	json_t *data = kube__revision_data(y->set), *upd = NULL, *cur = NULL, *r;
	size_t n = json_array_size(revs), i;
	const char *cur_name = json_string_value(json_object_get(json_object_get(y->set, "status"),
								 "currentRevision"));
	json_t *last = n ? json_array_get(revs, n - 1) : NULL, *equal = NULL;

	json_array_foreach(revs, i, r)
		if (kube__revision_matches(r, data))
			equal = r;
	if (equal && equal == last) {
		upd = json_incref(last);
	} else if (equal) {
		/* a rollback: the old revision becomes the newest again */
		upd = json_deep_copy(equal);
		json_object_set_new(upd, "revision", json_integer(kube__revisions_max(revs) + 1));
		kube__op_update(y->s->c, y->s->rev_kind, NULL, json_deep_copy(upd), NULL,
				write_done, wctx(y));
	} else {
		upd = create_revision(y, data, kube__revisions_max(revs) + 1);
	}
	json_array_foreach(revs, i, r)
		if (cur_name && !strcmp(kube__revision_name(r), cur_name))
			cur = r;
	cur = cur ? cur : upd;
	json_array_append_new(keep, upd);
	json_array_append(keep, cur);
	y->update_rev = kube__revision_name(upd);
	y->current_rev = kube__revision_name(cur);
	y->current_set = json_deep_copy(y->set);
	y->update_set = json_deep_copy(y->set);
	json_object_set_new(json_object_get(y->current_set, "spec"), "template",
			    kube__revision_template(cur));
	json_object_set_new(json_object_get(y->update_set, "spec"), "template",
			    kube__revision_template(upd));
	json_decref(data);
}

/* ---- pods ---------------------------------------------------------------- */

struct pod_scan {
	struct sts_sync *y;
	json_t *pods;
};

static int scan_pod(const char *key, const json_t *pod, void *data)
{
	struct pod_scan *p = data;

	(void)key;
	if (kube__controlled_by(pod, kube__meta_str(p->y->set, "uid")) &&
	    kube__sts_member(p->y->set, pod))
		json_array_append(p->pods, (json_t *)pod);
	return 0;
}

static int by_ordinal_desc(const void *a, const void *b)
{
	int x = kube__sts_ordinal(kube__meta_str(*(json_t *const *)a, "name"), NULL);
	int z = kube__sts_ordinal(kube__meta_str(*(json_t *const *)b, "name"), NULL);

	return z - x;
}

/* newVersionedStatefulSetPod: below the partition a new pod gets the current revision. */
static json_t *placeholder(struct sts_sync *y, int ord)
{
	const json_t *us = json_object_get(json_object_get(y->set, "spec"), "updateStrategy");
	const json_t *ru = json_object_get(us, "rollingUpdate");
	const char *type = json_string_value(json_object_get(us, "type"));
	int64_t cur = json_integer_value(json_object_get(json_object_get(y->set, "status"),
							 "currentReplicas"));
	bool old = (type && !strcmp(type, "RollingUpdate") && !ru && ord < y->start + cur) ||
		   (ru && ord < y->start + json_integer_value(json_object_get(ru, "partition")));

	return old ? kube__sts_new_pod(y->current_set, ord, y->current_rev)
		   : kube__sts_new_pod(y->update_set, ord, y->update_rev);
}

static void partition_pods(struct sts_sync *y)
{
	struct pod_scan p = { .y = y, .pods = json_array() };
	char *prefix = kube__key_prefix(y->s->pod_kind, kube__meta_str(y->set, "namespace"));
	json_t *pod, **v;
	size_t i, n;

	store_list(y->s->c->store, prefix, scan_pod, &p);
	free(prefix);
	y->replicas = calloc((size_t)y->count + 1, sizeof(*y->replicas));
	y->condemned = json_array();
	json_array_foreach(p.pods, i, pod) {
		int ord = kube__sts_ordinal(kube__meta_str(pod, "name"), NULL);

		if (ord >= y->start && ord < y->start + y->count)
			y->replicas[ord - y->start] = json_incref(pod);
		else if (ord >= 0)
			json_array_append(y->condemned, pod);
	}
	json_decref(p.pods);
	for (int k = 0; k < y->count; k++)
		if (!y->replicas[k])
			y->replicas[k] = placeholder(y, y->start + k);
	n = json_array_size(y->condemned);
	v = n ? malloc(n * sizeof(*v)) : NULL;
	for (i = 0; v && i < n; i++)
		v[i] = json_incref(json_array_get(y->condemned, i));
	if (v) {
		qsort(v, n, sizeof(*v), by_ordinal_desc);
		json_array_clear(y->condemned);
		for (i = 0; i < n; i++)
			json_array_append_new(y->condemned, v[i]);
	}
	free(v);
}

/* ---- status -------------------------------------------------------------- */

static bool status_changed(const json_t *old, const json_t *cur)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)cur, key, v)
		if (!json_equal(v, json_object_get(old, key)))
			return true;
	return false;
}

static void write_status(struct sts_sync *y)
{
	const json_t *old = json_object_get(y->set, "status");
	const char *type = json_string_value(json_object_get(json_object_get(json_object_get(
				y->set, "spec"), "updateStrategy"), "type"));
	json_t *st = y->status, *copy, *merged;
	struct kube_op_opts o = { .status = true };
	int64_t reps = json_integer_value(json_object_get(st, "replicas"));

	json_object_set_new(st, "observedGeneration",
			    json_integer(json_integer_value(json_object_get(json_object_get(
				    y->set, "metadata"), "generation"))));
	json_object_set_new(st, "currentRevision", json_string(y->current_rev));
	json_object_set_new(st, "updateRevision", json_string(y->update_rev));
	json_object_set_new(st, "collisionCount", json_integer(y->collision));
	/* completeRollingUpdate */
	if (type && !strcmp(type, "RollingUpdate") &&
	    json_integer_value(json_object_get(st, "updatedReplicas")) == reps &&
	    json_integer_value(json_object_get(st, "readyReplicas")) == reps) {
		json_object_set(st, "currentReplicas", json_object_get(st, "updatedReplicas"));
		json_object_set_new(st, "currentRevision", json_string(y->update_rev));
	}
	if (!status_changed(old, st))
		return;
	copy = json_deep_copy(y->set);
	merged = json_is_object(old) ? json_deep_copy(old) : json_object();
	json_object_update(merged, st);
	json_object_set_new(copy, "status", merged);
	kube__op_update(y->s->c, y->s->set_kind, NULL, copy, &o, write_done, wctx(y));
}

static void trim_history(struct sts_sync *y, const json_t *revs)
{
	json_t *live = json_object(), *pod;
	const json_t *limit = json_object_get(json_object_get(y->set, "spec"),
					      "revisionHistoryLimit");
	size_t i;

	json_object_set_new(live, y->current_rev, json_true());
	json_object_set_new(live, y->update_rev, json_true());
	for (int k = 0; k < y->count; k++)
		json_object_set_new(live, kube__sts_pod_revision(y->replicas[k]), json_true());
	json_array_foreach(y->condemned, i, pod)
		json_object_set_new(live, kube__sts_pod_revision(pod), json_true());
	kube__revisions_truncate(y->s->c, revs, live, limit ? json_integer_value(limit) : 10,
				 write_done, NULL);
	json_decref(live);
}

/* ---- sync ---------------------------------------------------------------- */

static void sync_free(struct sts_sync *y)
{
	for (int k = 0; y->replicas && k < y->count; k++)
		json_decref(y->replicas[k]);
	free(y->replicas);
	json_decref(y->condemned);
	json_decref(y->current_set);
	json_decref(y->update_set);
	json_decref(y->status);
	json_decref(y->set);
}

static void sync_set(struct stsc *s, const char *key, const json_t *set)
{
	const json_t *spec = json_object_get(set, "spec");
	struct sts_sync y = {
		.s = s, .key = key, .set = json_incref((json_t *)set), .status = json_object(),
		.min_ready = json_integer_value(json_object_get(spec, "minReadySeconds")),
		.count = (int)json_integer_value(json_object_get(spec, "replicas")),
		.start = (int)json_integer_value(json_object_get(json_object_get(spec, "ordinals"),
								 "start")),
		.collision = json_integer_value(json_object_get(json_object_get(set, "status"),
								"collisionCount")),
	};
	const char *pmp = json_string_value(json_object_get(spec, "podManagementPolicy"));
	json_t *revs = kube__revisions_of(s->c, set), *keep = json_array();

	y.monotonic = !pmp || strcmp(pmp, "Parallel");
	pick_revisions(&y, revs, keep);
	partition_pods(&y);
	kube__sts_update_replicas(&y);
	write_status(&y);
	trim_history(&y, revs);
	if (y.resync_ms > 0)
		resync_after(s, key, y.resync_ms);
	json_decref(revs);
	json_decref(keep);
	sync_free(&y);
}

static int process(const char *key, void *data)
{
	struct stsc *s = data;
	const char *slash = strchr(key, '/');
	const json_t *set;
	char ns[256];

	if (!slash || (size_t)(slash - key) >= sizeof(ns))
		return 0;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
	set = kube__op_get(s->c, s->set_kind, ns, slash + 1, NULL);
	if (!set)
		return 0;
	s->syncing = key;
	s->sync_failed = false;
	sync_set(s, key, set);
	s->syncing = NULL;
	return s->sync_failed;
}

static int scan_set(const char *key, const json_t *obj, void *data)
{
	(void)key;
	enqueue(data, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"));
	return 0;
}

static void sts_stop(void *state)
{
	struct stsc *s = state;

	store_watch_cancel(s->watch);
	kube__wq_free(s->queue);
	while (s->timers) {
		struct sts_timer *t = s->timers;

		s->timers = t->next;
		kube__timer_release(&t->t);
		free(t->key);
		free(t);
	}
	s->stopped = true;
	if (!s->writes)
		free(s);
}

static int sts_start(kube_cluster *c, void **state)
{
	struct stsc *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return KUBE_ENOMEM;
	s->c = c;
	s->set_kind = kube__registry_by_gvk("apps/v1", "StatefulSet");
	s->pod_kind = kube__registry_by_gvk("v1", "Pod");
	s->pvc_kind = kube__registry_by_gvk("v1", "PersistentVolumeClaim");
	s->rev_kind = kube__registry_by_gvk("apps/v1", "ControllerRevision");
	s->queue = kube__wq_new(c->loop, process, s);
	store_list(c->store, SETS_PREFIX, scan_set, s);
	err = store_watch(c->store, "", store_revision(c->store), on_event, s, &s->watch);
	if (err) {
		kube__wq_free(s->queue);
		free(s);
		return err;
	}
	*state = s;
	return 0;
}

const struct kube_controller_ops kube__statefulset_controller = {
	.name = "statefulset",
	.start = sts_start,
	.stop = sts_stop,
};
