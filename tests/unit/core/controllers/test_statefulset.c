/*
 * The StatefulSet controller through the public API: stable identities,
 * OrderedReady and Parallel, scale-down order, rolling updates with a
 * partition, OnDelete, claims that outlive their pods, the retention
 * policy, revisions and their history, and status.
 */
#include <unistd.h>
#include "sets_test.h"

static json_t *web(int replicas)
{
	json_t *sts = fixture("statefulset-web.yaml");

	json_object_set_new(json_object_get(sts, "spec"), "replicas", json_integer(replicas));
	return sts;
}

static void set_spec(json_t *sts, const char *field, json_t *v)
{
	json_object_set_new(json_object_get(sts, "spec"), field, v);
}

static void set_image(json_t *sts, const char *image)
{
	json_t *ctr = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(
				sts, "spec"), "template"), "spec"), "containers"), 0);

	json_object_set_new(ctr, "image", json_string(image));
}

static char *status_str(kube_cluster *c, const char *name, const char *field)
{
	json_t *sts = get_obj(c, "statefulsets", name);
	const char *v = json_string_value(json_object_get(json_object_get(sts, "status"), field));
	char *out = v ? strdup(v) : NULL;

	json_decref(sts);
	return out;
}

static void wait_rev(kube_cluster *c, const char *pod, const char *rev)
{
	char cond[256];

	snprintf(cond, sizeof(cond), "jsonpath={.metadata.labels.controller-revision-hash}=%s", rev);
	wait_for(c, "pods", pod, cond);
}

static char *pod_rev(kube_cluster *c, const char *pod)
{
	json_t *p = get_obj(c, "pods", pod);
	char *r = strdup(meta_s(p, "labels", "controller-revision-hash"));

	json_decref(p);
	return r;
}

static void assert_rev(kube_cluster *c, const char *pod, const char *rev)
{
	char *r = pod_rev(c, pod);

	cr_assert_str_eq(r, rev, "%s at %s, not %s", pod, r, rev);
	free(r);
}

/* Bring web up with @p n ready pods, in order. */
static void ready_set(kube_cluster *c, json_t *sts, int n)
{
	char name[32];

	apply_obj(c, sts);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "web-%d", i);
		wait_for(c, "pods", name, "create");
		ready_pod(c, name);
	}
	wait_for(c, "statefulsets", "web", "jsonpath={.status.readyReplicas}=3");
}

Test(statefulset, course_manifest_identity_and_revision)
{
	kube_cluster *c = sets_start();
	json_t *sts = fixture("statefulset-webserver.yaml"), *pod, *rev, *ref;
	char *upd;

	apply_obj(c, sts);
	wait_for(c, "pods", "websever-sts-0", "create");
	wait_for(c, "statefulsets", "websever-sts", "jsonpath={.status.replicas}=1");
	pod = get_obj(c, "pods", "websever-sts-0");
	upd = status_str(c, "websever-sts", "updateRevision");
	cr_assert_not_null(upd);
	cr_assert_str_eq(meta_s(pod, "labels", "statefulset.kubernetes.io/pod-name"), "websever-sts-0");
	cr_assert_str_eq(meta_s(pod, "labels", "apps.kubernetes.io/pod-index"), "0");
	cr_assert_str_eq(meta_s(pod, "labels", "controller-revision-hash"), upd);
	cr_assert_str_eq(meta_s(pod, "labels", "type"), "backend");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(pod, "spec"), "hostname")),
			 "websever-sts-0");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(pod, "spec"), "subdomain")),
			 "webserver");
	cr_assert_str_eq(meta_s(pod, NULL, "generateName"), "websever-sts-");
	ref = json_array_get(json_object_get(json_object_get(pod, "metadata"), "ownerReferences"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(ref, "kind")), "StatefulSet");
	cr_assert(json_is_true(json_object_get(ref, "controller")));
	/* the revision: <set>-<hash>, revision 1, hash label, template recorded */
	rev = get_obj(c, "controllerrevisions", upd);
	cr_assert_not_null(rev);
	cr_assert_eq(json_integer_value(json_object_get(rev, "revision")), 1);
	cr_assert_str_eq(upd + strlen("websever-sts-"),
			 meta_s(rev, "labels", "controller-revision-hash"));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(
		json_object_get(rev, "data"), "spec"), "template"), "$patch")), "replace");
	wait_event(c, "SuccessfulCreate",
		   "create Pod websever-sts-0 in StatefulSet websever-sts successful");
	free(upd);
	json_decref(rev);
	json_decref(pod);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, ordered_ready_creates_one_at_a_time)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3), *pvc;

	apply_obj(c, sts);
	wait_for(c, "pods", "web-0", "create");
	/* the controller has seen web-0 (counted) and still made nothing else */
	wait_for(c, "statefulsets", "web", "jsonpath={.status.replicas}=1");
	cr_assert_eq(count_objs(c, "pods", NULL), 1);
	mark_pod(c, "web-0", "Running", false, T0_MS);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.readyReplicas}=0");
	cr_assert_eq(count_objs(c, "pods", NULL), 1);
	ready_pod(c, "web-0");
	wait_for(c, "pods", "web-1", "create");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.replicas}=2");
	cr_assert_eq(count_objs(c, "pods", NULL), 2);
	ready_pod(c, "web-1");
	wait_for(c, "pods", "web-2", "create");
	ready_pod(c, "web-2");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.readyReplicas}=3");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.availableReplicas}=3");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.currentReplicas}=3");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.updatedReplicas}=3");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=1");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.collisionCount}=0");
	/* each pod has its claim www-web-N, labelled with the selector */
	for (int i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "www-web-%d", i);
		pvc = get_obj(c, "persistentvolumeclaims", name);
		cr_assert_not_null(pvc, "%s", name);
		cr_assert_str_eq(meta_s(pvc, "labels", "app"), "nginx");
		cr_assert_null(json_object_get(json_object_get(pvc, "metadata"), "ownerReferences"));
		json_decref(pvc);
	}
	pvc = get_obj(c, "pods", "web-1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(
		json_object_get(json_object_get(pvc, "spec"), "volumes"), 0),
		"persistentVolumeClaim"), "claimName")), "www-web-1");
	json_decref(pvc);
	wait_event(c, "SuccessfulCreate", "create Claim www-web-0 Pod web-0 in StatefulSet web success");
	wait_event(c, "SuccessfulCreate", "create Pod web-2 in StatefulSet web successful");
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, scale_down_from_highest_waiting_for_termination)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3), *pod;

	ready_set(c, sts, 3);
	set_finalizer(c, "pods", "web-2", true);
	json_object_set_new(json_object_get(sts, "spec"), "replicas", json_integer(1));
	apply_obj(c, sts);
	wait_for(c, "pods", "web-2", "jsonpath={.metadata.finalizers[0]}=example.com/hold");
	/* web-2 terminating holds the scale-down: web-1 stays */
	for (int i = 0; i < 50; i++) {
		pod = get_obj(c, "pods", "web-2");
		bool terminating = json_object_get(json_object_get(pod, "metadata"),
						   "deletionTimestamp") != NULL;
		json_decref(pod);
		if (terminating)
			break;
		usleep(5000);
	}
	wait_for(c, "statefulsets", "web", "jsonpath={.status.currentReplicas}=2");
	pod = get_obj(c, "pods", "web-1");
	cr_assert_not_null(pod);
	cr_assert_null(json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"));
	json_decref(pod);
	set_finalizer(c, "pods", "web-2", false);
	wait_for(c, "pods", "web-2", "delete");
	wait_for(c, "pods", "web-1", "delete");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.replicas}=1");
	cr_assert(exists(c, "pods", "web-0"));
	/* Retain: the claims outlive the scale-down */
	cr_assert_eq(count_objs(c, "persistentvolumeclaims", NULL), 3);
	wait_event(c, "SuccessfulDelete", "delete Pod web-2 in StatefulSet web successful");
	wait_event(c, "SuccessfulDelete", "delete Pod web-1 in StatefulSet web successful");
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, parallel_creates_and_deletes_at_once)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3);

	set_spec(sts, "podManagementPolicy", json_string("Parallel"));
	apply_obj(c, sts);
	wait_for(c, "pods", "web-0", "create");
	wait_for(c, "pods", "web-1", "create");
	wait_for(c, "pods", "web-2", "create");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.replicas}=3");
	cr_assert_eq(count_objs(c, "persistentvolumeclaims", NULL), 3);
	set_spec(sts, "replicas", json_integer(0));
	apply_obj(c, sts);
	wait_for(c, "pods", "web-0", "delete");
	wait_for(c, "pods", "web-1", "delete");
	wait_for(c, "pods", "web-2", "delete");
	cr_assert_eq(count_objs(c, "persistentvolumeclaims", NULL), 3);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, rolling_update_with_partition)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3);
	char *old_rev, *new_rev;

	ready_set(c, sts, 3);
	old_rev = status_str(c, "web", "currentRevision");
	set_spec(sts, "updateStrategy", json_pack("{s:s, s:{s:i}}", "type", "RollingUpdate",
						  "rollingUpdate", "partition", 2));
	set_image(sts, "registry.k8s.io/nginx-slim:0.9");
	apply_obj(c, sts);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=2");
	new_rev = status_str(c, "web", "updateRevision");
	cr_assert_str_neq(new_rev, old_rev);
	wait_rev(c, "web-2", new_rev);
	ready_pod(c, "web-2");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.updatedReplicas}=1");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.readyReplicas}=3");
	/* below the partition the old revision stays */
	assert_rev(c, "web-1", old_rev);
	assert_rev(c, "web-0", old_rev);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.currentReplicas}=2");
	/* partition 0: web-1, then (once web-1 is ready) web-0 */
	set_spec(sts, "updateStrategy", json_pack("{s:s, s:{s:i}}", "type", "RollingUpdate",
						  "rollingUpdate", "partition", 0));
	apply_obj(c, sts);
	wait_rev(c, "web-1", new_rev);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.updatedReplicas}=2");
	assert_rev(c, "web-0", old_rev);
	ready_pod(c, "web-1");
	wait_rev(c, "web-0", new_rev);
	ready_pod(c, "web-0");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.updatedReplicas}=3");
	{
		char cond[256];

		snprintf(cond, sizeof(cond), "jsonpath={.status.currentRevision}=%s", new_rev);
		wait_for(c, "statefulsets", "web", cond);
	}
	wait_for(c, "statefulsets", "web", "jsonpath={.status.currentReplicas}=3");
	free(old_rev);
	free(new_rev);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, on_delete_updates_only_deleted_pods)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3);
	char *old_rev, *new_rev;

	set_spec(sts, "updateStrategy", json_pack("{s:s}", "type", "OnDelete"));
	ready_set(c, sts, 3);
	old_rev = status_str(c, "web", "currentRevision");
	set_image(sts, "registry.k8s.io/nginx-slim:0.9");
	apply_obj(c, sts);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=2");
	new_rev = status_str(c, "web", "updateRevision");
	cr_assert_str_neq(new_rev, old_rev);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.updatedReplicas}=0");
	for (int i = 0; i < 3; i++) {
		char name[16], *r;

		snprintf(name, sizeof(name), "web-%d", i);
		r = pod_rev(c, name);
		cr_assert_str_eq(r, old_rev);
		free(r);
	}
	cr_assert_eq(kube_delete(c, "pods", "default", "web-1", KUBE_PROPAGATION_DEFAULT), 0);
	wait_rev(c, "web-1", new_rev);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.updatedReplicas}=1");
	assert_rev(c, "web-2", old_rev);
	free(old_rev);
	free(new_rev);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, claim_outlives_deleted_pod)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3), *pvc, *pod;
	char *pvc_uid, *pod_uid;

	ready_set(c, sts, 3);
	pvc = get_obj(c, "persistentvolumeclaims", "www-web-0");
	pod = get_obj(c, "pods", "web-0");
	pvc_uid = strdup(meta_s(pvc, NULL, "uid"));
	pod_uid = strdup(meta_s(pod, NULL, "uid"));
	json_decref(pvc);
	json_decref(pod);
	cr_assert_eq(kube_delete(c, "pods", "default", "web-0", KUBE_PROPAGATION_DEFAULT), 0);
	/* recreated with the same name, a new uid, and the same claim */
	for (int i = 0; i < 200; i++) {
		pod = get_obj(c, "pods", "web-0");
		bool fresh = pod && strcmp(meta_s(pod, NULL, "uid"), pod_uid);

		json_decref(pod);
		if (fresh)
			break;
		usleep(5000);
	}
	pod = get_obj(c, "pods", "web-0");
	cr_assert_str_neq(meta_s(pod, NULL, "uid"), pod_uid);
	pvc = get_obj(c, "persistentvolumeclaims", "www-web-0");
	cr_assert_str_eq(meta_s(pvc, NULL, "uid"), pvc_uid);
	free(pvc_uid);
	free(pod_uid);
	json_decref(pvc);
	json_decref(pod);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, retention_policy_delete)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(3), *pvc, *ref;

	set_spec(sts, "persistentVolumeClaimRetentionPolicy",
		 json_pack("{s:s, s:s}", "whenDeleted", "Delete", "whenScaled", "Delete"));
	ready_set(c, sts, 3);
	pvc = get_obj(c, "persistentvolumeclaims", "www-web-0");
	ref = json_array_get(json_object_get(json_object_get(pvc, "metadata"), "ownerReferences"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(ref, "kind")), "StatefulSet");
	cr_assert_str_eq(json_string_value(json_object_get(ref, "name")), "web");
	json_decref(pvc);
	/* scale-down: the removed pods' claims go with them */
	set_spec(sts, "replicas", json_integer(2));
	apply_obj(c, sts);
	wait_for(c, "pods", "web-2", "delete");
	wait_for(c, "persistentvolumeclaims", "www-web-2", "delete");
	cr_assert(exists(c, "persistentvolumeclaims", "www-web-1"));
	/* deleting the set takes the remaining claims */
	cr_assert_eq(kube_delete(c, "statefulsets", "default", "web", KUBE_PROPAGATION_DEFAULT), 0);
	wait_for(c, "persistentvolumeclaims", "www-web-0", "delete");
	wait_for(c, "persistentvolumeclaims", "www-web-1", "delete");
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, retention_policy_default_keeps_claims_when_set_deleted)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(1);

	apply_obj(c, sts);
	wait_for(c, "pods", "web-0", "create");
	wait_for(c, "persistentvolumeclaims", "www-web-0", "create");
	cr_assert_eq(kube_delete(c, "statefulsets", "default", "web", KUBE_PROPAGATION_DEFAULT), 0);
	wait_for(c, "pods", "web-0", "delete");
	cr_assert(exists(c, "persistentvolumeclaims", "www-web-0"));
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, revision_history_and_rollback)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(0), *rev;
	char *first, *second, cond[256];

	apply_obj(c, sts);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=1");
	first = status_str(c, "web", "updateRevision");
	set_image(sts, "registry.k8s.io/nginx-slim:0.9");
	apply_obj(c, sts);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=2");
	second = status_str(c, "web", "updateRevision");
	cr_assert_str_neq(first, second);
	rev = get_obj(c, "controllerrevisions", second);
	cr_assert_eq(json_integer_value(json_object_get(rev, "revision")), 2);
	json_decref(rev);
	/* back to the first template: its revision is reused, numbered 3 */
	set_image(sts, "registry.k8s.io/nginx-slim:0.8");
	apply_obj(c, sts);
	snprintf(cond, sizeof(cond), "jsonpath={.status.updateRevision}=%s", first);
	wait_for(c, "statefulsets", "web", cond);
	wait_for(c, "controllerrevisions", first, "jsonpath={.revision}=3");
	cr_assert_eq(count_objs(c, "controllerrevisions", NULL), 2);
	free(first);
	free(second);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, revision_history_limit)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(0);
	char *first;

	set_spec(sts, "revisionHistoryLimit", json_integer(1));
	apply_obj(c, sts);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=1");
	first = status_str(c, "web", "updateRevision");
	set_image(sts, "registry.k8s.io/nginx-slim:0.9");
	apply_obj(c, sts);
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=2");
	cr_assert_eq(count_objs(c, "controllerrevisions", NULL), 2);
	set_image(sts, "registry.k8s.io/nginx-slim:0.10");
	apply_obj(c, sts);
	/* one live revision plus one of history: the oldest goes */
	wait_for(c, "controllerrevisions", first, "delete");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.observedGeneration}=3");
	cr_assert_eq(count_objs(c, "controllerrevisions", NULL), 2);
	free(first);
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, min_ready_seconds_gates_next_pod)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(2);

	set_spec(sts, "minReadySeconds", json_integer(10));
	apply_obj(c, sts);
	wait_for(c, "pods", "web-0", "create");
	ready_pod(c, "web-0");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.readyReplicas}=1");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.availableReplicas}=0");
	cr_assert_eq(count_objs(c, "pods", NULL), 1);
	cr_assert_eq(kube_cluster_advance_clock(c, 10000), 0);
	wait_for(c, "pods", "web-1", "create");
	wait_for(c, "statefulsets", "web", "jsonpath={.status.availableReplicas}=1");
	json_decref(sts);
	kube_cluster_free(c);
}

Test(statefulset, failed_pod_is_replaced)
{
	kube_cluster *c = sets_start();
	json_t *sts = web(1), *pod;
	char *uid;

	apply_obj(c, sts);
	wait_for(c, "pods", "web-0", "create");
	pod = get_obj(c, "pods", "web-0");
	uid = strdup(meta_s(pod, NULL, "uid"));
	json_decref(pod);
	mark_pod(c, "web-0", "Failed", false, T0_MS);
	for (int i = 0; i < 200; i++) {
		pod = get_obj(c, "pods", "web-0");
		bool fresh = pod && strcmp(meta_s(pod, NULL, "uid"), uid);

		json_decref(pod);
		if (fresh)
			break;
		usleep(5000);
	}
	pod = get_obj(c, "pods", "web-0");
	cr_assert_str_neq(meta_s(pod, NULL, "uid"), uid);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(pod, "status"), "phase")),
			 "Pending");
	free(uid);
	json_decref(pod);
	json_decref(sts);
	kube_cluster_free(c);
}
