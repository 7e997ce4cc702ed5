/*
 * The DaemonSet controller through the public API, on Node objects made
 * directly (the node agent is another slice): a pod per eligible node,
 * nodes added later, nodeSelector, node affinity, taints and tolerations,
 * rolling updates within maxUnavailable / maxSurge at every moment,
 * OnDelete, revisions and status.
 */
#include <pthread.h>
#include <unistd.h>
#include "sets_test.h"

#define NEW_IMAGE "nginx:1.25"

static void add_node(kube_cluster *c, const char *name, json_t *labels, json_t *taints)
{
	json_t *node = json_pack("{s:s, s:s, s:{s:s, s:o}, s:{s:o}}", "apiVersion", "v1",
				 "kind", "Node", "metadata", "name", name, "labels",
				 labels ? labels : json_object(), "spec", "taints",
				 taints ? taints : json_array());
	json_t *got;
	char *text;

	apply_obj(c, node);
	got = get_obj(c, "nodes", name);
	json_object_set_new(got, "status", json_pack("{s:[{s:s, s:s}]}", "conditions", "type",
						     "Ready", "status", "True"));
	text = json_dumps(got, JSON_COMPACT);
	cr_assert_eq(kube_update_status(c, text, NULL), 0);
	free(text);
	json_decref(got);
	json_decref(node);
}

static json_t *taint(const char *key, const char *value, const char *effect)
{
	return json_pack("[{s:s, s:s, s:s}]", "key", key, "value", value, "effect", effect);
}

static json_t *ds_pods(kube_cluster *c)
{
	return list_objs(c, "pods", "name=webserver-ds");
}

static const char *target(const json_t *pod)
{
	return json_string_value(json_array_get(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(pod, "spec"), "affinity"), "nodeAffinity"),
		"requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms"), 0),
		"matchFields"), 0), "values"), 0));
}

static const char *image(const json_t *pod)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(json_object_get(
		pod, "spec"), "containers"), 0), "image"));
}

/* The sorted targets of the live daemon pods, "node-1,node-2". */
static void targets(kube_cluster *c, char *out, size_t len)
{
	json_t *l = ds_pods(c), *pod;
	char *names[16];
	size_t i, n = 0;

	*out = '\0';
	json_array_foreach(json_object_get(l, "items"), i, pod)
		if (n < 16 && !json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
			names[n++] = strdup(target(pod));
	for (i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];

				names[i] = names[j];
				names[j] = t;
			}
	for (i = 0; i < n; i++) {
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "," : "", names[i]);
		free(names[i]);
	}
	json_decref(l);
}

/* Poll (a few ms at a time) until the pods' targets are @p want. */
static void wait_targets(kube_cluster *c, const char *want)
{
	char have[256];

	for (int i = 0; i < 1000; i++) {
		targets(c, have, sizeof(have));
		if (!strcmp(have, want))
			return;
		usleep(2000);
	}
	cr_assert_str_eq(have, want);
}

/* Mark every daemon pod Running and Ready (the node agent's job). */
static int ready_all(kube_cluster *c)
{
	json_t *l = ds_pods(c), *pod;
	int n = 0;
	size_t i;

	json_array_foreach(json_object_get(l, "items"), i, pod) {
		const char *phase = json_string_value(json_object_get(json_object_get(pod, "status"),
								      "phase"));

		if (strcmp(phase, "Running")) {
			ready_pod(c, meta_s(pod, NULL, "name"));
			n++;
		}
	}
	json_decref(l);
	return n;
}

static json_t *webserver_ds(void)
{
	return fixture("daemonset-webserver.yaml");
}

static void ds_set(json_t *ds, const char *path1, const char *field, json_t *v)
{
	json_t *o = json_object_get(ds, "spec");

	if (path1)
		o = json_object_get(o, path1);
	json_object_set_new(o, field, v);
}

static json_t *tmpl_spec(json_t *ds)
{
	return json_object_get(json_object_get(json_object_get(ds, "spec"), "template"), "spec");
}

Test(daemonset, course_manifest_runs_on_every_node)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds(), *l, *pod, *tols, *rev;
	char want[128];
	size_t i;

	add_node(c, "node-1", NULL, NULL);
	add_node(c, "node-2", NULL, NULL);
	apply_obj(c, ds);
	wait_targets(c, "node-1,node-2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.desiredNumberScheduled}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.currentNumberScheduled}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberUnavailable}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.updatedNumberScheduled}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.observedGeneration}=1");
	l = ds_pods(c);
	json_array_foreach(json_object_get(l, "items"), i, pod) {
		cr_assert_str_eq(meta_s(pod, NULL, "generateName"), "websever-ds-");
		cr_assert_eq(strlen(meta_s(pod, NULL, "name")), strlen("websever-ds-") + 5);
		snprintf(want, sizeof(want), "Created pod: %s", meta_s(pod, NULL, "name"));
		wait_event(c, "SuccessfulCreate", want);
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
			json_object_get(pod, "metadata"), "ownerReferences"), 0), "kind")), "DaemonSet");
		tols = json_object_get(json_object_get(pod, "spec"), "tolerations");
		cr_assert_eq(json_array_size(tols), 6);
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(tols, 0), "key")),
				 "node.kubernetes.io/not-ready");
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(tols, 0), "effect")),
				 "NoExecute");
		cr_assert_null(json_object_get(json_array_get(tols, 0), "tolerationSeconds"));
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(tols, 5), "key")),
				 "node.kubernetes.io/unschedulable");
		snprintf(want, sizeof(want), "websever-ds-%s",
			 meta_s(pod, "labels", "controller-revision-hash"));
		rev = get_obj(c, "controllerrevisions", want);
		cr_assert_not_null(rev, "%s", want);
		cr_assert_eq(json_integer_value(json_object_get(rev, "revision")), 1);
		json_decref(rev);
	}
	json_decref(l);
	ready_all(c);
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberReady}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberAvailable}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberUnavailable}=0");
	json_decref(ds);
	kube_cluster_free(c);
}

Test(daemonset, host_network_tolerates_network_unavailable)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds(), *l, *tols;

	json_object_set_new(tmpl_spec(ds), "hostNetwork", json_true());
	add_node(c, "node-1", NULL, taint("node.kubernetes.io/network-unavailable", "", "NoSchedule"));
	apply_obj(c, ds);
	wait_targets(c, "node-1");
	l = ds_pods(c);
	tols = json_object_get(json_object_get(json_array_get(json_object_get(l, "items"), 0), "spec"),
			       "tolerations");
	cr_assert_eq(json_array_size(tols), 7);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(tols, 6), "key")),
			 "node.kubernetes.io/network-unavailable");
	json_decref(l);
	json_decref(ds);
	kube_cluster_free(c);
}

Test(daemonset, node_added_later_and_removed)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds();

	add_node(c, "node-1", NULL, NULL);
	apply_obj(c, ds);
	wait_targets(c, "node-1");
	add_node(c, "node-2", NULL, NULL);
	wait_targets(c, "node-1,node-2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.desiredNumberScheduled}=2");
	/* an unbound pod for a node that is gone is deleted */
	cr_assert_eq(kube_delete(c, "nodes", NULL, "node-2", KUBE_PROPAGATION_DEFAULT), 0);
	wait_targets(c, "node-1");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.desiredNumberScheduled}=1");
	json_decref(ds);
	kube_cluster_free(c);
}

Test(daemonset, node_selector_and_required_affinity)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds(), *node;
	char *text;

	add_node(c, "node-1", json_pack("{s:s, s:s}", "disk", "ssd", "zone", "a"), NULL);
	add_node(c, "node-2", json_pack("{s:s}", "zone", "a"), NULL);
	add_node(c, "node-3", json_pack("{s:s, s:s}", "disk", "ssd", "zone", "b"), NULL);
	json_object_set_new(tmpl_spec(ds), "nodeSelector", json_pack("{s:s}", "disk", "ssd"));
	apply_obj(c, ds);
	wait_targets(c, "node-1,node-3");
	/* required affinity narrows it further (nodeSelector AND terms) */
	json_object_set_new(tmpl_spec(ds), "affinity", json_pack(
		"{s:{s:{s:[{s:[{s:s, s:s, s:[s]}]}]}}}", "nodeAffinity",
		"requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
		"matchExpressions", "key", "zone", "operator", "In", "values", "a"));
	apply_obj(c, ds);
	wait_targets(c, "node-1");
	/* a label change on a node moves the daemon */
	node = get_obj(c, "nodes", "node-2");
	json_object_set_new(json_object_get(json_object_get(node, "metadata"), "labels"), "disk",
			    json_string("ssd"));
	text = json_dumps(node, JSON_COMPACT);
	cr_assert_eq(kube_update(c, text, NULL), 0);
	free(text);
	json_decref(node);
	wait_targets(c, "node-1,node-2");
	json_decref(ds);
	kube_cluster_free(c);
}

Test(daemonset, taints_and_tolerations)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds(), *node;
	char *text;

	add_node(c, "node-1", NULL, taint("dedicated", "infra", "NoSchedule"));
	add_node(c, "node-2", NULL, NULL);
	add_node(c, "node-3", NULL, taint("node.kubernetes.io/unschedulable", "", "NoSchedule"));
	add_node(c, "node-4", NULL, taint("node.kubernetes.io/not-ready", "", "NoExecute"));
	apply_obj(c, ds);
	/* the automatic tolerations cover node-3 and node-4, nothing covers node-1 */
	wait_targets(c, "node-2,node-3,node-4");
	json_object_set_new(tmpl_spec(ds), "tolerations", json_pack("[{s:s, s:s, s:s, s:s}]",
		"key", "dedicated", "operator", "Equal", "value", "infra", "effect", "NoSchedule"));
	apply_obj(c, ds);
	wait_targets(c, "node-1,node-2,node-3,node-4");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.updatedNumberScheduled}=4");
	ready_all(c);
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberAvailable}=4");
	/* a NoSchedule taint leaves the running pod (misscheduled)... */
	node = get_obj(c, "nodes", "node-2");
	json_object_set_new(json_object_get(node, "spec"), "taints",
			    taint("maintenance", "soon", "NoSchedule"));
	text = json_dumps(node, JSON_COMPACT);
	cr_assert_eq(kube_update(c, text, NULL), 0);
	free(text);
	json_decref(node);
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberMisscheduled}=1");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.desiredNumberScheduled}=3");
	wait_targets(c, "node-1,node-2,node-3,node-4");
	/* ...an untolerated NoExecute taint evicts it */
	node = get_obj(c, "nodes", "node-2");
	json_object_set_new(json_object_get(node, "spec"), "taints",
			    taint("maintenance", "now", "NoExecute"));
	text = json_dumps(node, JSON_COMPACT);
	cr_assert_eq(kube_update(c, text, NULL), 0);
	free(text);
	json_decref(node);
	wait_targets(c, "node-1,node-3,node-4");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberMisscheduled}=0");
	json_decref(ds);
	kube_cluster_free(c);
}

/* ---- rolling updates, watched event by event ----------------------------- */

struct tracker {
	pthread_mutex_t lock;
	json_t *pods;        /* {name: {"node", "ready", "fresh"}} of live pods */
	int nodes;
	int max_unavailable; /* most nodes without a ready pod at any moment */
	int max_pods;        /* most live pods at any moment */
	bool armed;          /* the initial state is loaded */
};

static void track(const char *type, const char *object, void *data)
{
	struct tracker *t = data;
	json_t *pod = json_loads(object, 0, NULL), *p;
	json_t *ready_nodes = json_object();
	const char *name = meta_s(pod, NULL, "name"), *key;
	bool gone = !strcmp(type, "DELETED") ||
		    json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp");
	const char *phase = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
	int live;

	pthread_mutex_lock(&t->lock);
	if (gone)
		json_object_del(t->pods, name);
	else
		json_object_set_new(t->pods, name, json_pack("{s:s, s:b}", "node", target(pod),
			"ready", phase && !strcmp(phase, "Running")));
	json_object_foreach(t->pods, key, p)
		if (json_is_true(json_object_get(p, "ready")))
			json_object_set_new(ready_nodes, json_string_value(json_object_get(p, "node")),
					    json_true());
	live = (int)json_object_size(t->pods);
	if (t->armed && t->nodes - (int)json_object_size(ready_nodes) > t->max_unavailable)
		t->max_unavailable = t->nodes - (int)json_object_size(ready_nodes);
	if (live > t->max_pods)
		t->max_pods = live;
	pthread_mutex_unlock(&t->lock);
	json_decref(ready_nodes);
	json_decref(pod);
}

/* Four ready nodes and pods, then the template changes; drive the rollout
 * (marking new pods ready) until every pod runs NEW_IMAGE. */
static void rollout(json_t *ds, struct tracker *t)
{
	kube_cluster *c = sets_start();
	kube_watch *w;
	json_t *l, *pod;
	char name[16];
	int fresh = 0;
	size_t i;

	for (int i = 1; i <= 4; i++) {
		snprintf(name, sizeof(name), "node-%d", i);
		add_node(c, name, NULL, NULL);
	}
	apply_obj(c, ds);
	wait_targets(c, "node-1,node-2,node-3,node-4");
	ready_all(c);
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberAvailable}=4");
	pthread_mutex_init(&t->lock, NULL);
	t->pods = json_object();
	t->nodes = 4;
	/* the state now, then every change after it */
	l = ds_pods(c);
	json_array_foreach(json_object_get(l, "items"), i, pod) {
		char *text = json_dumps(pod, JSON_COMPACT);

		track("ADDED", text, t);
		free(text);
	}
	t->armed = true;
	cr_assert_eq(kube_watch_start(c, "pods", "default", NULL, NULL,
				      meta_s(l, NULL, "resourceVersion"), track, t, &w), 0);
	json_decref(l);
	json_object_set_new(json_array_get(json_object_get(tmpl_spec(ds), "containers"), 0),
			    "image", json_string(NEW_IMAGE));
	apply_obj(c, ds);
	for (int round = 0; round < 2000 && fresh < 4; round++) {
		l = ds_pods(c);
		ready_all(c);
		fresh = 0;
		json_array_foreach(json_object_get(l, "items"), i, pod)
			fresh += !strcmp(image(pod), NEW_IMAGE) &&
				 !strcmp(json_string_value(json_object_get(json_object_get(pod,
						"status"), "phase")), "Running") &&
				 json_array_size(json_object_get(l, "items")) == 4;
		json_decref(l);
		usleep(2000);
	}
	cr_assert_eq(fresh, 4, "the rollout did not finish");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.updatedNumberScheduled}=4");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.numberAvailable}=4");
	cr_assert_eq(count_objs(c, "controllerrevisions", NULL), 2);
	kube_watch_stop(w);
	json_decref(t->pods);
	kube_cluster_free(c);
}

Test(daemonset, rolling_update_max_unavailable_one)
{
	json_t *ds = webserver_ds();
	struct tracker t = { 0 };

	rollout(ds, &t);
	cr_assert_eq(t.max_unavailable, 1, "unavailable %d pods %d", t.max_unavailable, t.max_pods);
	cr_assert_eq(t.max_pods, 4);
	json_decref(ds);
}

Test(daemonset, rolling_update_max_unavailable_two)
{
	json_t *ds = webserver_ds();
	struct tracker t = { 0 };

	ds_set(ds, NULL, "updateStrategy", json_pack("{s:s, s:{s:i}}", "type", "RollingUpdate",
						     "rollingUpdate", "maxUnavailable", 2));
	rollout(ds, &t);
	cr_assert_eq(t.max_unavailable, 2);
	cr_assert_eq(t.max_pods, 4);
	json_decref(ds);
}

Test(daemonset, rolling_update_max_surge)
{
	json_t *ds = webserver_ds();
	struct tracker t = { 0 };

	ds_set(ds, NULL, "updateStrategy", json_pack("{s:s, s:{s:s, s:i}}", "type", "RollingUpdate",
						     "rollingUpdate", "maxSurge", "25%",
						     "maxUnavailable", 0));
	rollout(ds, &t);
	/* surge first: never a node without a ready pod, at most one extra pod */
	cr_assert_eq(t.max_unavailable, 0);
	cr_assert_eq(t.max_pods, 5);
	json_decref(ds);
}

Test(daemonset, on_delete_replaces_only_deleted_pods)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds(), *l, *pod;
	char victim[64];
	size_t i;
	int fresh = 0;

	ds_set(ds, NULL, "updateStrategy", json_pack("{s:s}", "type", "OnDelete"));
	add_node(c, "node-1", NULL, NULL);
	add_node(c, "node-2", NULL, NULL);
	apply_obj(c, ds);
	wait_targets(c, "node-1,node-2");
	ready_all(c);
	json_object_set_new(json_array_get(json_object_get(tmpl_spec(ds), "containers"), 0),
			    "image", json_string(NEW_IMAGE));
	apply_obj(c, ds);
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.observedGeneration}=2");
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.updatedNumberScheduled}=0");
	l = ds_pods(c);
	snprintf(victim, sizeof(victim), "%s",
		 meta_s(json_array_get(json_object_get(l, "items"), 0), NULL, "name"));
	json_decref(l);
	cr_assert_eq(kube_delete(c, "pods", "default", victim, KUBE_PROPAGATION_DEFAULT), 0);
	wait_for(c, "daemonsets", "websever-ds", "jsonpath={.status.updatedNumberScheduled}=1");
	l = ds_pods(c);
	json_array_foreach(json_object_get(l, "items"), i, pod)
		fresh += !strcmp(image(pod), NEW_IMAGE);
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 2);
	cr_assert_eq(fresh, 1);
	json_decref(l);
	json_decref(ds);
	kube_cluster_free(c);
}

Test(daemonset, failed_pod_is_replaced)
{
	kube_cluster *c = sets_start();
	json_t *ds = webserver_ds(), *l;
	char name[64], want[160];

	add_node(c, "node-1", NULL, NULL);
	apply_obj(c, ds);
	wait_targets(c, "node-1");
	l = ds_pods(c);
	snprintf(name, sizeof(name), "%s",
		 meta_s(json_array_get(json_object_get(l, "items"), 0), NULL, "name"));
	json_decref(l);
	mark_pod(c, name, "Failed", false, T0_MS);
	wait_for(c, "pods", name, "delete");
	wait_targets(c, "node-1");
	snprintf(want, sizeof(want),
		 "Found failed daemon pod default/%s on node node-1, will try to kill it", name);
	wait_event(c, "FailedDaemonPod", want);
	snprintf(want, sizeof(want), "Deleted pod: %s", name);
	wait_event(c, "SuccessfulDelete", want);
	json_decref(ds);
	kube_cluster_free(c);
}
