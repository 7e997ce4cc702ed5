/*
 * ReplicaSet and ReplicationController controllers through the public API:
 * pods from the template, adoption and release, scale down order, status
 * with minReadySeconds on the manual clock, events, and 1000 replicas.
 */
#include <regex.h>
#include "workload_test.h"

static void assert_pod_from_template(const json_t *pod, const char *owner, const char *kind)
{
	const json_t *meta = json_object_get(pod, "metadata");
	const json_t *ref = json_array_get(json_object_get(meta, "ownerReferences"), 0);
	const char *name = json_string_value(json_object_get(meta, "name"));
	char pattern[128];
	regex_t re;

	snprintf(pattern, sizeof(pattern), "^%s-[bcdfghjklmnpqrstvwxz2456789]{5}$", owner);
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_eq(regexec(&re, name, 0, NULL, 0), 0, "pod name %s", name);
	regfree(&re);
	cr_assert_str_eq(json_string_value(json_object_get(ref, "kind")), kind);
	cr_assert_str_eq(json_string_value(json_object_get(ref, "name")), owner);
	cr_assert(json_is_true(json_object_get(ref, "controller")));
	cr_assert(json_is_true(json_object_get(ref, "blockOwnerDeletion")));
}

Test(replicaset, creates_pods_from_template_with_owner_and_events)
{
	kube_cluster *c = wl_start(false);
	json_t *l, *pod, *rs;
	char *ev;
	size_t i;

	wl_apply_file(c, "rs-web.yaml");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.replicas}=3");
	l = wl_list(c, "pods", "app=web");
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 3);
	json_array_foreach(json_object_get(l, "items"), i, pod) {
		const json_t *meta = json_object_get(pod, "metadata");

		assert_pod_from_template(pod, "web", "ReplicaSet");
		cr_assert_str_eq(json_string_value(json_object_get(json_object_get(meta, "labels"), "tier")),
				 "front");
		cr_assert_str_eq(json_string_value(json_object_get(json_object_get(meta, "annotations"),
								   "note")), "copied");
	}
	rs = wl_get(c, "replicasets", "web");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(rs, "status"),
							"fullyLabeledReplicas")), 3);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(rs, "status"),
							"observedGeneration")), 1);
	cr_assert_null(json_object_get(json_object_get(rs, "status"), "readyReplicas"));
	ev = wl_events(c, "web");
	json_array_foreach(json_object_get(l, "items"), i, pod) {
		char want[128];

		snprintf(want, sizeof(want), "SuccessfulCreate: Created pod: %s\n",
			 json_string_value(json_object_get(json_object_get(pod, "metadata"), "name")));
		cr_assert(strstr(ev, want), "events: %s", ev);
	}
	free(ev);
	json_decref(rs);
	json_decref(l);
	kube_cluster_free(c);
}

Test(replicaset, replaces_deleted_pod_and_counts_ready)
{
	kube_cluster *c = wl_start(false);
	struct readier r = { 0 };
	json_t *l;
	const char *victim;

	wl_readier_start(&r, c);
	wl_apply_file(c, "rs-web.yaml");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.availableReplicas}=3");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.readyReplicas}=3");
	l = wl_list(c, "pods", "app=web");
	victim = json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(l, "items"), 0), "metadata"), "name"));
	cr_assert_eq(kube_delete(c, "pods", "default", victim, KUBE_PROPAGATION_DEFAULT), 0);
	wl_wait(c, "pods", victim, "delete");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.readyReplicas}=3");
	cr_assert_eq(wl_count(c, "pods", "app=web"), 3);
	kube_watch_stop(r.w);
	json_decref(l);
	kube_cluster_free(c);
}

Test(replicaset, scale_down_deletes_unready_pods_first)
{
	kube_cluster *c = wl_start(false);
	json_t *l, *pod;
	char *ev, *ready_name = NULL;
	size_t i;

	wl_apply_file(c, "rs-web.yaml");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.replicas}=3");
	l = wl_list(c, "pods", "app=web");
	pod = json_array_get(json_object_get(l, "items"), 1);
	ready_name = strdup(json_string_value(json_object_get(json_object_get(pod, "metadata"), "name")));
	wl_mark_ready(c, pod, 0);
	json_decref(l);
	wl_wait(c, "replicasets", "web", "jsonpath={.status.readyReplicas}=1");
	wl_apply(c, "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n  replicas: 1\n"
		    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n"
		    "      labels: {app: web, tier: front}\n      annotations: {note: copied}\n"
		    "    spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.replicas}=1");
	l = wl_list(c, "pods", "app=web");
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(l, "items"), 0), "metadata"), "name")), ready_name);
	ev = wl_events(c, "web");
	cr_assert(strstr(ev, "SuccessfulDelete: Deleted pod: web-"), "%s", ev);
	json_array_foreach(json_object_get(l, "items"), i, pod)
		cr_assert(wl_ready(pod));
	free(ev);
	free(ready_name);
	json_decref(l);
	kube_cluster_free(c);
}

Test(replicaset, adopts_orphans_and_releases_mismatched_pods)
{
	kube_cluster *c = wl_start(false);
	json_t *pod, *refs;

	wl_apply(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: stray, labels: {app: web}}\n"
		    "spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n");
	wl_apply_file(c, "rs-web.yaml");
	wl_wait(c, "replicasets", "web", "jsonpath={.status.replicas}=3");
	cr_assert_eq(wl_count(c, "pods", "app=web"), 3);
	pod = wl_get(c, "pods", "stray");
	refs = json_object_get(json_object_get(pod, "metadata"), "ownerReferences");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(refs, 0), "name")), "web");
	json_decref(pod);
	/* relabel it: released, and replaced */
	wl_apply(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: stray, labels: {app: other}}\n"
		    "spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n");
	wl_wait(c, "pods", "stray", "jsonpath={.metadata.labels.app}=other");
	for (int i = 0; i < 200 && wl_count(c, "pods", "app=web") != 3; i++)
		usleep(10000);
	cr_assert_eq(wl_count(c, "pods", "app=web"), 3);
	for (int i = 0; i < 200; i++) {
		pod = wl_get(c, "pods", "stray");
		refs = json_object_get(json_object_get(pod, "metadata"), "ownerReferences");
		json_decref(pod);
		if (!json_array_size(refs))
			break;
		usleep(10000);
	}
	pod = wl_get(c, "pods", "stray");
	cr_assert_null(json_object_get(json_object_get(pod, "metadata"), "ownerReferences"));
	json_decref(pod);
	kube_cluster_free(c);
}

Test(replicaset, min_ready_seconds_delays_availability)
{
	kube_cluster *c = wl_start(true);
	json_t *rs;

	wl_apply(c, "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: slow}\nspec:\n  replicas: 2\n"
		    "  minReadySeconds: 10\n  selector: {matchLabels: {app: slow}}\n  template:\n"
		    "    metadata: {labels: {app: slow}}\n"
		    "    spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n");
	wl_wait(c, "replicasets", "slow", "jsonpath={.status.replicas}=2");
	wl_ready_all(c, "app=slow", MANUAL_START_MS);
	wl_wait(c, "replicasets", "slow", "jsonpath={.status.readyReplicas}=2");
	rs = wl_get(c, "replicasets", "slow");
	cr_assert_null(json_object_get(json_object_get(rs, "status"), "availableReplicas"));
	json_decref(rs);
	cr_assert_eq(kube_cluster_advance_clock(c, 9000), 0);
	usleep(50000);
	rs = wl_get(c, "replicasets", "slow");
	cr_assert_null(json_object_get(json_object_get(rs, "status"), "availableReplicas"));
	json_decref(rs);
	cr_assert_eq(kube_cluster_advance_clock(c, 2000), 0);
	wl_wait(c, "replicasets", "slow", "jsonpath={.status.availableReplicas}=2");
	kube_cluster_free(c);
}

Test(replicationcontroller, manages_pods_like_a_replicaset)
{
	kube_cluster *c = wl_start(false);
	json_t *l, *pod;
	char *ev;
	size_t i;

	wl_apply_file(c, "rc-web.yaml");
	wl_wait(c, "replicationcontrollers", "legacy", "jsonpath={.status.replicas}=2");
	l = wl_list(c, "pods", "app=legacy");
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 2);
	json_array_foreach(json_object_get(l, "items"), i, pod)
		assert_pod_from_template(pod, "legacy", "ReplicationController");
	ev = wl_events(c, "legacy");
	cr_assert(strstr(ev, "SuccessfulCreate: Created pod: legacy-"), "%s", ev);
	free(ev);
	json_decref(l);
	kube_cluster_free(c);
}

Test(replicaset, thousand_replicas_quickly)
{
	kube_cluster *c = wl_start(false);
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	wl_apply(c, "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: big}\nspec:\n  replicas: 1000\n"
		    "  selector: {matchLabels: {app: big}}\n  template:\n    metadata: {labels: {app: big}}\n"
		    "    spec: {containers: [{name: app, image: 'nginx:1.27'}]}\n");
	wl_wait(c, "replicasets", "big", "jsonpath={.status.replicas}=1000");
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert_eq(wl_count(c, "pods", "app=big"), 1000);
	cr_assert_lt((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000, 15000);
	kube_cluster_free(c);
}
