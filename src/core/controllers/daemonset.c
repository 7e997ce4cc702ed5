/*
 * The DaemonSet controller, as upstream's pkg/controller/daemon: watch
 * DaemonSets, their pods and every Node, and per DaemonSet ("ns/name"):
 * find or snapshot the current revision (ControllerRevision <ds>-<hash>),
 * make sure every eligible node has exactly one daemon pod (manage), run the
 * rolling update when nothing else is in flight, trim the history and write
 * the status. Daemon pods are pinned to their node by node affinity
 * (matchFields metadata.name) and bound by the scheduler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/controller_revision.h"
#include "core/controllers/daemonset.h"
#include "core/controllers/podutil.h"
#include "core/events.h"
#include "core/workqueue.h"

#define DS_PREFIX "apps/daemonsets/"

struct ds_timer {
	struct kube_timer t;      /* on the cluster clock */
	struct dsc *d;
	char *key;                /* the DaemonSet to resync */
	struct ds_timer *next;
};

/* ---- queueing and writes ------------------------------------------------- */

static void enqueue(struct dsc *d, const char *ns, const char *name)
{
	char key[512];

	if (!ns || !name)
		return;
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	kube__wq_add(d->queue, key);
}

static void on_timer(struct kube_timer *t, void *data)
{
	struct ds_timer *dt = data;

	(void)t;
	kube__wq_add(dt->d->queue, dt->key);
}

static void resync_after(struct dsc *d, const char *key, int64_t ms)
{
	struct ds_timer *dt;

	for (dt = d->timers; dt; dt = dt->next)
		if (!strcmp(dt->key, key))
			break;
	if (dt && dt->t.armed && dt->t.due <= kube__now_ms(d->c) + ms)
		return;
	if (!dt) {
		dt = calloc(1, sizeof(*dt));
		if (!dt || !(dt->key = strdup(key))) {
			free(dt);
			return;
		}
		dt->d = d;
		dt->next = d->timers;
		d->timers = dt;
	}
	kube__timer_start(d->c, &dt->t, ms, on_timer, dt);
}

enum ds_verb { DS_QUIET, DS_CREATE, DS_DELETE };

struct ds_write {
	struct dsc *d;
	enum ds_verb verb;
	char *name;               /* the pod being deleted */
	char key[];               /* the DaemonSet's "ns/name" */
};

static const json_t *ds_by_key(struct dsc *d, const char *key)
{
	const char *slash = strchr(key, '/');
	char ns[256];

	if (!slash || (size_t)(slash - key) >= sizeof(ns))
		return NULL;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
	return kube__op_get(d->c, d->ds_kind, ns, slash + 1, NULL);
}

static void record(struct ds_write *w, int err, const json_t *obj, const json_t *st)
{
	const json_t *ds = ds_by_key(w->d, w->key);
	const char *msg = json_string_value(json_object_get(st, "message"));

	msg = msg ? msg : kube_strerror(err);
	if (!ds || w->verb == DS_QUIET)
		return;
	if (w->verb == DS_CREATE && !err)
		kube__event(w->d->c, ds, DS_COMPONENT, NULL, "Normal", "SuccessfulCreate",
			    "Created pod: %s", kube__meta_str(obj, "name"));
	else if (w->verb == DS_CREATE)
		kube__event(w->d->c, ds, DS_COMPONENT, NULL, "Warning", "FailedCreate",
			    "Error creating: %s", msg);
	else if (!err)
		kube__event(w->d->c, ds, DS_COMPONENT, NULL, "Normal", "SuccessfulDelete",
			    "Deleted pod: %s", w->name);
	else if (err != KUBE_ENOTFOUND)
		kube__event(w->d->c, ds, DS_COMPONENT, NULL, "Warning", "FailedDelete",
			    "Error deleting: %s", msg);
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct ds_write *w = data;
	struct dsc *d;

	if (!w)
		return;    /* history trimming: nothing to report */
	d = w->d;
	if (!d->stopped) {
		record(w, err, obj, st);
		if (err && err != KUBE_ENOTFOUND) {
			if (d->syncing && !strcmp(d->syncing, w->key))
				d->sync_failed = true;
			else
				kube__wq_add(d->queue, w->key);
		}
	}
	free(w->name);
	free(w);
	if (!--d->writes && d->stopped)
		free(d);
}

static struct ds_write *new_write(struct ds_sync *y, enum ds_verb verb, const char *name)
{
	size_t n = strlen(y->key) + 1;
	struct ds_write *w = calloc(1, sizeof(*w) + n);

	w->d = y->d;
	w->verb = verb;
	w->name = name ? strdup(name) : NULL;
	memcpy(w->key, y->key, n);
	y->d->writes++;
	return w;
}

/* ---- history ------------------------------------------------------------- */

/* A revision named like ours holds other data: bump status.collisionCount
 * so the next sync hashes differently (snapshot's collision handling). */
static void bump_collision(struct ds_sync *y)
{
	json_t *copy = json_deep_copy(y->ds), *st = json_object_get(copy, "status");
	struct kube_op_opts o = { .status = true };

	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(copy, "status", st);
	}
	json_object_set_new(st, "collisionCount", json_integer(
		json_integer_value(json_object_get(st, "collisionCount")) + 1));
	kube__op_update(y->d->c, y->d->ds_kind, NULL, copy, &o, write_done,
			new_write(y, DS_QUIET, NULL));
	y->d->sync_failed = true;
}

/* constructHistory: the revision matching the template (creating it, or
 * renumbering it to the newest). NULL after a collision. */
static json_t *current_revision(struct ds_sync *y, const json_t *revs)
{
	json_t *data = kube__revision_data(y->ds), *cur = NULL, *r;
	const json_t *tmpl = json_object_get(json_object_get(y->ds, "spec"), "template");
	const json_t *cc = json_object_get(json_object_get(y->ds, "status"), "collisionCount");
	int64_t next = 1, collision = json_integer_value(cc);
	size_t i;

	json_array_foreach(revs, i, r) {
		if (kube__revision_matches(r, data))
			cur = r;    /* sorted: the last match has the highest revision */
		else if (kube__revision_number(r) + 1 > next)
			next = kube__revision_number(r) + 1;
	}
	if (cur && kube__revision_number(cur) < next) {
		cur = json_deep_copy(cur);
		json_object_set_new(cur, "revision", json_integer(next));
		kube__op_update(y->d->c, y->d->rev_kind, NULL, json_incref(cur), NULL, write_done,
				new_write(y, DS_QUIET, NULL));
	} else if (cur) {
		json_incref(cur);
	} else {
		const json_t *have;

		kube__revision_hash(tmpl, cc ? &collision : NULL, KUBE_FNV1A, y->hash,
				    sizeof(y->hash));
		cur = kube__revision_new(y->ds, json_object_get(json_object_get(tmpl, "metadata"),
						"labels"), data, next, y->hash);
		have = kube__op_get(y->d->c, y->d->rev_kind, kube__meta_str(y->ds, "namespace"),
				    kube__revision_name(cur), NULL);
		if (have && !kube__revision_matches(have, data)) {
			bump_collision(y);
			json_decref(cur);
			cur = NULL;
		} else if (have) {
			json_decref(cur);
			cur = json_incref((json_t *)have);
		} else {
			kube__op_create(y->d->c, y->d->rev_kind, NULL, json_deep_copy(cur), NULL,
					write_done, new_write(y, DS_QUIET, NULL));
		}
	}
	json_decref(data);
	if (cur)
		snprintf(y->hash, sizeof(y->hash), "%s", json_string_value(json_object_get(
			json_object_get(json_object_get(cur, "metadata"), "labels"),
			KUBE_REVISION_HASH_LABEL)) ?: "");
	return cur;
}

/* cleanupHistory: old revisions no pod uses, beyond revisionHistoryLimit. */
static void cleanup_history(struct ds_sync *y, const json_t *revs, const json_t *cur)
{
	const json_t *limit = json_object_get(json_object_get(y->ds, "spec"),
					      "revisionHistoryLimit");
	json_t *live = json_object(), *pods, *pod;
	const char *node;
	char name[320];
	size_t i;

	json_object_set_new(live, kube__revision_name(cur), json_true());
	json_object_foreach(y->node_pods, node, pods) {
		json_array_foreach(pods, i, pod) {
			const char *h = json_string_value(json_object_get(json_object_get(
				json_object_get(pod, "metadata"), "labels"), KUBE_REVISION_HASH_LABEL));

			snprintf(name, sizeof(name), "%.223s-%s", kube__meta_str(y->ds, "name"),
				 h ? h : "");
			json_object_set_new(live, name, json_true());
		}
	}
	kube__revisions_truncate(y->d->c, revs, live, limit ? json_integer_value(limit) : 10,
				 write_done, NULL);
	json_decref(live);
}

/* ---- nodes and pods ------------------------------------------------------ */

static int add_node(const char *key, const json_t *node, void *data)
{
	(void)key;
	json_array_append(data, (json_t *)node);
	return 0;
}

struct pod_scan {
	struct ds_sync *y;
	json_t *by_node;
};

static int add_pod(const char *key, const json_t *pod, void *data)
{
	struct pod_scan *p = data;
	const char *node = kube__ds_target_node(pod);
	const char *phase = json_string_value(json_object_get(json_object_get(pod, "status"),
							      "phase"));
	bool terminal = phase && (!strcmp(phase, "Failed") || !strcmp(phase, "Succeeded"));
	json_t *list;

	(void)key;
	if (!node || !kube__controlled_by(pod, kube__meta_str(p->y->ds, "uid")))
		return 0;
	if (terminal && json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
		return 0;
	list = json_object_get(p->by_node, node);
	if (!list) {
		list = json_array();
		json_object_set_new(p->by_node, node, list);
	}
	json_array_append(list, (json_t *)pod);
	return 0;
}

/* getNodesToDaemonPods, read again after each round of writes. */
static void scan_pods(struct ds_sync *y)
{
	struct pod_scan p = { .y = y, .by_node = json_object() };
	char *prefix = kube__key_prefix(y->d->pod_kind, kube__meta_str(y->ds, "namespace"));

	store_list(y->d->c->store, prefix, add_pod, &p);
	free(prefix);
	json_decref(y->node_pods);
	y->node_pods = p.by_node;
}

bool kube__ds_should_run_on(struct ds_sync *y, const char *name)
{
	json_t *node;
	size_t i;

	json_array_foreach(y->nodes, i, node) {
		bool run, cont;

		if (strcmp(kube__meta_str(node, "name"), name))
			continue;
		kube__ds_node_should_run(y->ds, node, &run, &cont);
		return run;
	}
	return false;
}

bool kube__ds_available(struct ds_sync *y, const json_t *pod)
{
	int64_t mrs = json_integer_value(json_object_get(json_object_get(y->ds, "spec"),
							 "minReadySeconds"));

	if (kube__pod_available(pod, mrs, kube__now_ms(y->d->c)))
		return true;
	if (kube__pod_ready(pod) && (!y->resync_ms || mrs * 1000 < y->resync_ms))
		y->resync_ms = mrs * 1000;
	return false;
}

void kube__ds_sync_nodes(struct ds_sync *y, const json_t *del, const json_t *create)
{
	json_t *v;
	size_t i;

	json_array_foreach(create, i, v)
		kube__op_create(y->d->c, y->d->pod_kind, NULL,
				kube__ds_new_pod(y->ds, json_string_value(v), y->hash), NULL,
				write_done, new_write(y, DS_CREATE, NULL));
	json_array_foreach(del, i, v) {
		struct kube_op_opts o = { .precondition_uid = kube__meta_str(v, "uid") };

		kube__op_delete(y->d->c, y->d->pod_kind, kube__meta_str(v, "namespace"),
				kube__meta_str(v, "name"), &o, write_done,
				new_write(y, DS_DELETE, kube__meta_str(v, "name")));
	}
}

/* ---- sync ---------------------------------------------------------------- */

static bool rolling(const json_t *ds)
{
	const char *t = json_string_value(json_object_get(json_object_get(json_object_get(ds,
					  "spec"), "updateStrategy"), "type"));

	return t && !strcmp(t, "RollingUpdate");
}

static void sync_ds(struct dsc *d, const char *key, const json_t *ds)
{
	struct ds_sync y = { .d = d, .key = key, .ds = json_incref((json_t *)ds),
			     .nodes = json_array() };
	json_t *revs, *cur;
	unsigned before;

	if (json_object_get(json_object_get(ds, "metadata"), "deletionTimestamp"))
		goto out;
	revs = kube__revisions_of(d->c, ds);
	cur = current_revision(&y, revs);
	if (!cur) {
		json_decref(revs);
		goto out;
	}
	store_list(d->c->store, "/nodes/", add_node, y.nodes);
	scan_pods(&y);
	before = d->writes;
	kube__ds_manage(&y);
	/* like upstream's expectations: update only once manage has settled */
	if (d->writes == before && !d->sync_failed && rolling(ds)) {
		scan_pods(&y);
		kube__ds_rolling_update(&y);
	}
	scan_pods(&y);
	cleanup_history(&y, revs, cur);
	kube__ds_status(&y);
	if (y.resync_ms > 0)
		resync_after(d, key, y.resync_ms);
	json_decref(cur);
	json_decref(revs);
out:
	json_decref(y.node_pods);
	json_decref(y.nodes);
	json_decref(y.ds);
}

static int process(const char *key, void *data)
{
	struct dsc *d = data;
	const json_t *ds = ds_by_key(d, key);

	if (!ds)
		return 0;
	d->syncing = key;
	d->sync_failed = false;
	sync_ds(d, key, ds);
	d->syncing = NULL;
	return d->sync_failed;
}

/* ---- events -------------------------------------------------------------- */

static int enqueue_ds(const char *key, const json_t *obj, void *data)
{
	(void)key;
	enqueue(data, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"));
	return 0;
}

static void enqueue_owner(struct dsc *d, const json_t *obj)
{
	const json_t *ref = kube__controller_ref(obj);
	const char *kind = json_string_value(json_object_get(ref, "kind"));

	if (kind && !strcmp(kind, "DaemonSet"))
		enqueue(d, kube__meta_str(obj, "namespace"),
			json_string_value(json_object_get(ref, "name")));
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct dsc *d = data;

	(void)type, (void)rev;
	if (!strncmp(key, DS_PREFIX, strlen(DS_PREFIX))) {
		enqueue(d, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"));
	} else if (!strncmp(key, "/pods/", 6)) {
		enqueue_owner(d, obj);
		if (prev)
			enqueue_owner(d, prev);
	} else if (!strncmp(key, "/nodes/", 7)) {
		/* a node came, went or changed labels, taints or conditions */
		store_list(d->c->store, DS_PREFIX, enqueue_ds, d);
	}
}

static void ds_stop(void *state)
{
	struct dsc *d = state;

	store_watch_cancel(d->watch);
	kube__wq_free(d->queue);
	while (d->timers) {
		struct ds_timer *t = d->timers;

		d->timers = t->next;
		kube__timer_release(&t->t);
		free(t->key);
		free(t);
	}
	json_decref(d->backoff);
	d->stopped = true;
	if (!d->writes)
		free(d);
}

static int ds_start(kube_cluster *c, void **state)
{
	struct dsc *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return KUBE_ENOMEM;
	d->c = c;
	d->ds_kind = kube__registry_by_gvk("apps/v1", "DaemonSet");
	d->pod_kind = kube__registry_by_gvk("v1", "Pod");
	d->rev_kind = kube__registry_by_gvk("apps/v1", "ControllerRevision");
	d->node_kind = kube__registry_by_gvk("v1", "Node");
	d->backoff = json_object();
	d->queue = kube__wq_new(c->loop, process, d);
	store_list(c->store, DS_PREFIX, enqueue_ds, d);
	err = store_watch(c->store, "", store_revision(c->store), on_event, d, &d->watch);
	if (err) {
		kube__wq_free(d->queue);
		json_decref(d->backoff);
		free(d);
		return err;
	}
	*state = d;
	return 0;
}

const struct kube_controller_ops kube__daemonset_controller = {
	.name = "daemonset",
	.start = ds_start,
	.stop = ds_stop,
};
