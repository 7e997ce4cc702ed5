/*
 * Deployment controller through the public API, with a kubelet stand-in
 * marking pods Ready: ReplicaSet naming and annotations, status and
 * conditions, events, rolling-update bounds observed at every pod event,
 * Recreate, history limit, undo, pause, progress deadline, scaling, scale.
 */
#include "workload_test.h"

static void apply_deploy(kube_cluster *c, const char *name, int replicas, const char *strategy,
			 const char *image, const char *extra)
{
	char yaml[2048];

	snprintf(yaml, sizeof(yaml),
		 "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  replicas: %d\n"
		 "  selector: {matchLabels: {app: %s}}\n  strategy: %s\n%s"
		 "  template:\n    metadata: {labels: {app: %s}}\n"
		 "    spec: {containers: [{name: app, image: '%s'}]}\n",
		 name, replicas, name, strategy, extra ? extra : "", name, image);
	wl_apply(c, yaml);
}

static const char *cond_field(const json_t *obj, const char *type, const char *field)
{
	json_t *cond;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, cond)
		if (!strcmp(json_string_value(json_object_get(cond, "type")), type))
			return json_string_value(json_object_get(cond, field));
	return NULL;
}

static int64_t st_int(const json_t *obj, const char *field)
{
	return json_integer_value(json_object_get(json_object_get(obj, "status"), field));
}

static const char *annotation(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(obj, "metadata"),
								  "annotations"), key));
}

static const char *name_of(const json_t *obj)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
}

/* The ReplicaSet of @p d with revision @p rev (borrowed from @p list). */
static json_t *rs_with_revision(json_t *list, const char *rev)
{
	json_t *rs;
	size_t i;

	json_array_foreach(json_object_get(list, "items"), i, rs)
		if (annotation(rs, "deployment.kubernetes.io/revision") &&
		    !strcmp(annotation(rs, "deployment.kubernetes.io/revision"), rev))
			return rs;
	return NULL;
}

static void wait_complete(kube_cluster *c, const char *name, int replicas)
{
	char cond[96];

	snprintf(cond, sizeof(cond), "jsonpath={.status.updatedReplicas}=%d", replicas);
	wl_wait(c, "deployments", name, cond);
	snprintf(cond, sizeof(cond), "jsonpath={.status.availableReplicas}=%d", replicas);
	wl_wait(c, "deployments", name, cond);
	snprintf(cond, sizeof(cond), "jsonpath={.status.replicas}=%d", replicas);
	wl_wait(c, "deployments", name, cond);
	wl_wait_reason(c, "deployments", name, "Progressing", "NewReplicaSetAvailable");
}

Test(deployment, creates_hashed_replicaset_with_annotations_status_and_events)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	json_t *d, *l, *rs;
	char *ev, want[128];
	const char *hash;

	wl_readier_start(&r, c);
	apply_deploy(c, "web", 3, "{}", "nginx:1.27", "  minReadySeconds: 0\n");
	wait_complete(c, "web", 3);
	l = wl_list(c, "replicasets", "app=web");
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 1);
	rs = json_array_get(json_object_get(l, "items"), 0);
	hash = json_string_value(json_object_get(json_object_get(json_object_get(rs, "metadata"),
								 "labels"), "pod-template-hash"));
	cr_assert(hash && strlen(hash) >= 6);
	snprintf(want, sizeof(want), "web-%s", hash);
	cr_assert_str_eq(name_of(rs), want);
	cr_assert_str_eq(annotation(rs, "deployment.kubernetes.io/revision"), "1");
	cr_assert_str_eq(annotation(rs, "deployment.kubernetes.io/desired-replicas"), "3");
	cr_assert_str_eq(annotation(rs, "deployment.kubernetes.io/max-replicas"), "4");
	cr_assert_eq(wl_count(c, "pods", "pod-template-hash"), 3);
	d = wl_get(c, "deployments", "web");
	cr_assert_str_eq(annotation(d, "deployment.kubernetes.io/revision"), "1");
	cr_assert_eq(st_int(d, "readyReplicas"), 3);
	cr_assert_eq(st_int(d, "observedGeneration"), 1);
	cr_assert_null(json_object_get(json_object_get(d, "status"), "unavailableReplicas"));
	cr_assert_str_eq(cond_field(d, "Available", "reason"), "MinimumReplicasAvailable");
	cr_assert_str_eq(cond_field(d, "Available", "message"), "Deployment has minimum availability.");
	snprintf(want, sizeof(want), "ReplicaSet \"web-%s\" has successfully progressed.", hash);
	cr_assert_str_eq(cond_field(d, "Progressing", "message"), want);
	ev = wl_events(c, "web");
	snprintf(want, sizeof(want), "ScalingReplicaSet: Scaled up replica set web-%s from 0 to 3\n", hash);
	cr_assert(strstr(ev, want), "%s", ev);
	free(ev);
	json_decref(d);
	json_decref(l);
	kube_watch_stop(r.w);
	kube_cluster_free(c);
}

Test(deployment, template_hash_is_deterministic)
{
	char *names[2];

	for (int i = 0; i < 2; i++) {
		kube_cluster *c = wl_start(false);
		json_t *l;

		apply_deploy(c, "web", 1, "{}", "nginx:1.27", NULL);
		wl_wait(c, "deployments", "web", "jsonpath={.status.replicas}=1");
		l = wl_list(c, "replicasets", "app=web");
		names[i] = strdup(name_of(json_array_get(json_object_get(l, "items"), 0)));
		json_decref(l);
		kube_cluster_free(c);
	}
	cr_assert_str_eq(names[0], names[1]);
	free(names[0]);
	free(names[1]);
}

/* ---- rolling update bounds -------------------------------------------------- */

struct bounds {
	json_t *pods;        /* {name: ready?} of live pods */
	int max_live, min_ready;
	bool armed;          /* the update started */
};

static void track(const char *type, const char *object, void *data)
{
	struct bounds *b = data;
	json_t *pod = json_loads(object, 0, NULL), *v;
	const char *name = name_of(pod), *k;
	int live = 0, ready = 0;

	if (!strcmp(type, "DELETED") ||
	    json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
		json_object_del(b->pods, name);
	else
		json_object_set_new(b->pods, name, json_boolean(wl_ready(pod)));
	json_object_foreach(b->pods, k, v) {
		live++;
		ready += json_is_true(v);
	}
	if (b->armed) {
		if (live > b->max_live)
			b->max_live = live;
		if (ready < b->min_ready)
			b->min_ready = ready;
	}
	json_decref(pod);
}

static void rolling_bounds(int surge, int unavailable)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	struct bounds b = { .pods = json_object(), .min_ready = 1000 };
	kube_watch *w;
	char strat[128];
	json_t *l;

	snprintf(strat, sizeof(strat), "{type: RollingUpdate, rollingUpdate: {maxSurge: %d, "
		 "maxUnavailable: %d}}", surge, unavailable);
	wl_readier_start(&r, c);
	cr_assert_eq(kube_watch_start(c, "pods", "default", "app=web", NULL, "0", track, &b, &w), 0);
	apply_deploy(c, "web", 6, strat, "nginx:1.26", NULL);
	wait_complete(c, "web", 6);
	b.armed = true;
	apply_deploy(c, "web", 6, strat, "nginx:1.27", NULL);
	wl_wait_annotation(c, "deployments", "web", "deployment.kubernetes.io/revision", "2");
	wait_complete(c, "web", 6);
	kube_watch_stop(w);
	kube_watch_stop(r.w);
	cr_assert_leq(b.max_live, 6 + surge, "max live %d", b.max_live);
	cr_assert_geq(b.min_ready, 6 - unavailable, "min ready %d", b.min_ready);
	cr_assert_eq(json_object_size(b.pods), 6);
	l = wl_list(c, "replicasets", "app=web");
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 2);
	cr_assert_eq(st_int(rs_with_revision(l, "1"), "replicas"), 0);
	cr_assert_eq(st_int(rs_with_revision(l, "2"), "replicas"), 6);
	json_decref(l);
	json_decref(b.pods);
	kube_cluster_free(c);
}

Test(deployment, rolling_update_3_3_within_bounds) { rolling_bounds(3, 3); }
Test(deployment, rolling_update_3_0_surges_first) { rolling_bounds(3, 0); }
Test(deployment, rolling_update_0_3_deletes_first) { rolling_bounds(0, 3); }

Test(deployment, percentages_round_surge_up_and_unavailable_down)
{
	kube_cluster *c = wl_start(false);
	json_t *l;

	apply_deploy(c, "web", 10, "{type: RollingUpdate, rollingUpdate: {maxSurge: '25%', "
		     "maxUnavailable: '25%'}}", "nginx:1.27", NULL);
	wl_wait(c, "deployments", "web", "jsonpath={.status.replicas}=10");
	l = wl_list(c, "replicasets", "app=web");
	/* surge ceil(2.5) = 3 */
	cr_assert_str_eq(annotation(json_array_get(json_object_get(l, "items"), 0),
				    "deployment.kubernetes.io/max-replicas"), "13");
	json_decref(l);
	kube_cluster_free(c);
}

/* ---- Recreate ------------------------------------------------------------------- */

struct hashes {
	json_t *live;   /* {pod name: hash} */
	bool mixed;     /* two templates' pods alive at once */
};

static void track_hash(const char *type, const char *object, void *data)
{
	struct hashes *h = data;
	json_t *pod = json_loads(object, 0, NULL), *v;
	const char *hash = json_string_value(json_object_get(json_object_get(json_object_get(pod,
						"metadata"), "labels"), "pod-template-hash")), *k;

	if (!strcmp(type, "DELETED"))
		json_object_del(h->live, name_of(pod));
	else
		json_object_set_new(h->live, name_of(pod), json_string(hash ? hash : ""));
	json_object_foreach(h->live, k, v)
		if (strcmp(json_string_value(v), hash ? hash : ""))
			h->mixed = true;
	json_decref(pod);
}

Test(deployment, recreate_removes_old_pods_before_new_ones)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	struct hashes h = { .live = json_object() };
	kube_watch *w;
	char *ev;

	wl_readier_start(&r, c);
	apply_deploy(c, "web", 4, "{type: Recreate}", "nginx:1.26", NULL);
	wait_complete(c, "web", 4);
	cr_assert_eq(kube_watch_start(c, "pods", "default", "app=web", NULL, "0", track_hash, &h, &w), 0);
	apply_deploy(c, "web", 4, "{type: Recreate}", "nginx:1.27", NULL);
	wl_wait_annotation(c, "deployments", "web", "deployment.kubernetes.io/revision", "2");
	wait_complete(c, "web", 4);
	kube_watch_stop(w);
	cr_assert_not(h.mixed);
	ev = wl_events(c, "web");
	cr_assert(strstr(ev, "from 4 to 0"), "%s", ev);
	free(ev);
	json_decref(h.live);
	kube_watch_stop(r.w);
	kube_cluster_free(c);
}

/* ---- history ---------------------------------------------------------------------- */

Test(deployment, revision_history_limit_cleans_old_replicasets)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	const char *images[] = { "nginx:1.24", "nginx:1.25", "nginx:1.26", "nginx:1.27" };
	char cond[128];

	wl_readier_start(&r, c);
	for (int i = 0; i < 4; i++) {
		apply_deploy(c, "web", 2, "{}", images[i], "  revisionHistoryLimit: 1\n");
		snprintf(cond, sizeof(cond), "%d", i + 1);
		wl_wait_annotation(c, "deployments", "web", "deployment.kubernetes.io/revision", cond);
		wait_complete(c, "web", 2);
	}
	for (int i = 0; i < 200 && wl_count(c, "replicasets", "app=web") != 2; i++)
		usleep(10000);
	cr_assert_eq(wl_count(c, "replicasets", "app=web"), 2);
	kube_watch_stop(r.w);
	kube_cluster_free(c);
}

Test(deployment, undo_bumps_the_old_replicaset_revision)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	json_t *l, *rs;
	char first[128];

	wl_readier_start(&r, c);
	apply_deploy(c, "web", 2, "{}", "nginx:1.26", NULL);
	wait_complete(c, "web", 2);
	l = wl_list(c, "replicasets", "app=web");
	snprintf(first, sizeof(first), "%s", name_of(json_array_get(json_object_get(l, "items"), 0)));
	json_decref(l);
	apply_deploy(c, "web", 2, "{}", "nginx:1.27", NULL);
	wl_wait_annotation(c, "deployments", "web", "deployment.kubernetes.io/revision", "2");
	wait_complete(c, "web", 2);
	/* kubectl rollout undo: the template of revision 1 goes back into the Deployment */
	apply_deploy(c, "web", 2, "{}", "nginx:1.26", NULL);
	wl_wait_annotation(c, "deployments", "web", "deployment.kubernetes.io/revision", "3");
	wait_complete(c, "web", 2);
	l = wl_list(c, "replicasets", "app=web");
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 2);
	rs = rs_with_revision(l, "3");
	cr_assert_not_null(rs);
	cr_assert_str_eq(name_of(rs), first);
	cr_assert_str_eq(annotation(rs, "deployment.kubernetes.io/revision-history"), "1");
	cr_assert_eq(st_int(rs, "replicas"), 2);
	json_decref(l);
	kube_watch_stop(r.w);
	kube_cluster_free(c);
}

/* ---- pause, deadline, scaling --------------------------------------------------------- */

Test(deployment, paused_deployment_does_not_roll_out)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	json_t *d;

	wl_readier_start(&r, c);
	apply_deploy(c, "web", 2, "{}", "nginx:1.26", NULL);
	wait_complete(c, "web", 2);
	apply_deploy(c, "web", 2, "{}", "nginx:1.26", "  paused: true\n");
	wl_wait_reason(c, "deployments", "web", "Progressing", "DeploymentPaused");
	d = wl_get(c, "deployments", "web");
	cr_assert_str_eq(cond_field(d, "Progressing", "status"), "Unknown");
	cr_assert_str_eq(cond_field(d, "Progressing", "message"), "Deployment is paused");
	json_decref(d);
	apply_deploy(c, "web", 2, "{}", "nginx:1.27", "  paused: true\n");
	wl_wait(c, "deployments", "web", "jsonpath={.status.observedGeneration}=3");
	cr_assert_eq(wl_count(c, "replicasets", "app=web"), 1);
	apply_deploy(c, "web", 2, "{}", "nginx:1.27", "  paused: false\n");
	wl_wait_annotation(c, "deployments", "web", "deployment.kubernetes.io/revision", "2");
	wait_complete(c, "web", 2);
	cr_assert_eq(wl_count(c, "replicasets", "app=web"), 2);
	kube_watch_stop(r.w);
	kube_cluster_free(c);
}

Test(deployment, progress_deadline_exceeded)
{
	kube_cluster *c = wl_start(true);
	json_t *d, *l;
	char want[128];

	apply_deploy(c, "web", 2, "{}", "nginx:1.27", "  progressDeadlineSeconds: 30\n");
	wl_wait(c, "deployments", "web", "jsonpath={.status.replicas}=2");
	d = wl_get(c, "deployments", "web");
	cr_assert_str_eq(cond_field(d, "Available", "reason"), "MinimumReplicasUnavailable");
	cr_assert_str_eq(cond_field(d, "Available", "message"),
			 "Deployment does not have minimum availability.");
	cr_assert_eq(st_int(d, "unavailableReplicas"), 2);
	json_decref(d);
	cr_assert_eq(kube_cluster_advance_clock(c, 35000), 0);
	wl_wait_reason(c, "deployments", "web", "Progressing", "ProgressDeadlineExceeded");
	d = wl_get(c, "deployments", "web");
	l = wl_list(c, "replicasets", "app=web");
	snprintf(want, sizeof(want), "ReplicaSet \"%s\" has timed out progressing.",
		 name_of(json_array_get(json_object_get(l, "items"), 0)));
	cr_assert_str_eq(cond_field(d, "Progressing", "message"), want);
	cr_assert_str_eq(cond_field(d, "Progressing", "status"), "False");
	json_decref(l);
	json_decref(d);
	kube_cluster_free(c);
}

Test(deployment, scaling_event_resizes_replicaset)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	json_t *l;
	char *ev, want[128];

	wl_readier_start(&r, c);
	apply_deploy(c, "web", 3, "{}", "nginx:1.27", NULL);
	wait_complete(c, "web", 3);
	apply_deploy(c, "web", 5, "{}", "nginx:1.27", NULL);
	wait_complete(c, "web", 5);
	l = wl_list(c, "replicasets", "app=web");
	cr_assert_str_eq(annotation(json_array_get(json_object_get(l, "items"), 0),
				    "deployment.kubernetes.io/desired-replicas"), "5");
	snprintf(want, sizeof(want), "ScalingReplicaSet: Scaled up replica set %s from 3 to 5\n",
		 name_of(json_array_get(json_object_get(l, "items"), 0)));
	ev = wl_events(c, "web");
	cr_assert(strstr(ev, want), "%s", ev);
	free(ev);
	json_decref(l);
	kube_watch_stop(r.w);
	kube_cluster_free(c);
}

Test(deployment, thousand_replicas_quickly)
{
	kube_cluster *c = wl_start(false);
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	apply_deploy(c, "big", 1000, "{}", "nginx:1.27", NULL);
	wl_wait(c, "deployments", "big", "jsonpath={.status.replicas}=1000");
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert_eq(wl_count(c, "pods", "app=big"), 1000);
	cr_assert_lt((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000, 15000);
	kube_cluster_free(c);
}
