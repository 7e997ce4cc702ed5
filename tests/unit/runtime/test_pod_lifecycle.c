/*
 * Pods on simulated nodes: status as the kubelet reports it, exit codes and
 * restart policies, CrashLoopBackOff timing on the manual clock, init
 * containers in order, sidecars, readiness, graceful deletion, events.
 */
#include "runtime_fixture.h"

static kube_cluster *cluster_with_node(void)
{
	kube_cluster *c = start_cluster(true);

	add_node(c, "node-1", NULL);
	return c;
}

Test(pod_lifecycle, running_and_ready_in_one_status_write)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;
	int64_t rev;
	char *ev;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\n"
		  "spec:\n  nodeName: node-1\n  containers:\n  - name: nginx\n    image: nginx:1.23\n"
		  "    resources: {limits: {cpu: 100m, memory: 64Mi}}\n");
	p = wait_obj(c, "pods", "default", "web", pod_ready, NULL);
	rev = strtoll(str_at(p, "metadata.resourceVersion"), NULL, 10);
	cr_assert_str_eq(str_at(p, "status.phase"), "Running");
	cr_assert_str_eq(str_at(p, "status.qosClass"), "Guaranteed");
	cr_assert_str_eq(str_at(p, "status.hostIP"), "172.18.0.2");
	cr_assert_str_eq(str_at(p, "status.hostIPs.0.ip"), "172.18.0.2");
	cr_assert_str_eq(str_at(p, "status.podIP"), "10.42.0.2");
	cr_assert_str_eq(str_at(p, "status.podIPs.0.ip"), "10.42.0.2");
	cr_assert_str_eq(str_at(p, "status.startTime"), "2026-01-01T00:00:00Z");
	cr_assert_str_eq(cond_status(p, "PodReadyToStartContainers"), "True");
	cr_assert_str_eq(cond_status(p, "Initialized"), "True");
	cr_assert_str_eq(cond_status(p, "ContainersReady"), "True");
	cr_assert_str_eq(cond_status(p, "PodScheduled"), "True");
	cr_assert_str_eq(str_at(p, "status.conditions.0.type"), "PodReadyToStartContainers");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.name"), "nginx");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.image"), "docker.io/library/nginx:1.23");
	cr_assert(!strncmp(str_at(p, "status.containerStatuses.0.imageID"), "docker.io/library/nginx@sha256:", 31));
	cr_assert(!strncmp(str_at(p, "status.containerStatuses.0.containerID"), "simulated://", 12));
	cr_assert(json_is_true(tu_at(p, "status.containerStatuses.0.ready")));
	cr_assert(json_is_true(tu_at(p, "status.containerStatuses.0.started")));
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.restartCount")), 0);
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.running.startedAt"), "2026-01-01T00:00:00Z");
	cr_assert_eq(json_object_size(tu_at(p, "status.containerStatuses.0.lastState")), 0);
	json_decref(p);

	/* one create plus one status write (events are other objects) */
	p = get_obj(c, "pods", "default", "web");
	cr_assert_eq(strtoll(str_at(p, "metadata.resourceVersion"), NULL, 10), rev);
	json_decref(p);
	ev = events_of(c, "web", "Pulled");
	cr_assert_str_eq(ev, "Container image \"nginx:1.23\" already present on machine|");
	free(ev);
	ev = events_of(c, "web", "Created");
	cr_assert_str_eq(ev, "Created container: nginx|");
	free(ev);
	ev = events_of(c, "web", "Started");
	cr_assert_str_eq(ev, "Started container nginx|");
	free(ev);
	kube_cluster_free(c);
}

Test(pod_lifecycle, qos_classes_and_ips_per_pod)
{
	kube_cluster *c = cluster_with_node();
	json_t *a, *b;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
		  "spec: {nodeName: node-1, containers: [{name: c, image: busybox}]}\n");
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n"
		  "spec: {nodeName: node-1, containers: [{name: c, image: busybox, "
		  "resources: {requests: {cpu: 100m}}}]}\n");
	a = wait_obj(c, "pods", "default", "a", pod_ready, NULL);
	b = wait_obj(c, "pods", "default", "b", pod_ready, NULL);
	cr_assert_str_eq(str_at(a, "status.qosClass"), "BestEffort");
	cr_assert_str_eq(str_at(b, "status.qosClass"), "Burstable");
	cr_assert_str_neq(str_at(a, "status.podIP"), str_at(b, "status.podIP"));
	cr_assert_str_eq(str_at(a, "status.containerStatuses.0.image"), "docker.io/library/busybox:latest");
	json_decref(a);
	json_decref(b);
	kube_cluster_free(c);
}

Test(pod_lifecycle, readiness_annotation)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: nr, annotations: {sim.libkube.io/ready.b: 'false'}}\n"
		  "spec: {nodeName: node-1, containers: [{name: a, image: x}, {name: b, image: x}]}\n");
	p = wait_obj(c, "pods", "default", "nr", has, "status.phase=Running");
	cr_assert_str_eq(cond_status(p, "Ready"), "False");
	cr_assert_str_eq(str_at(p, "status.conditions.2.reason"), "ContainersNotReady");
	cr_assert_str_eq(str_at(p, "status.conditions.2.message"), "containers with unready status: [b]");
	cr_assert_str_eq(str_at(p, "status.conditions.3.type"), "ContainersReady");
	cr_assert(json_is_true(tu_at(p, "status.containerStatuses.0.ready")));
	cr_assert(json_is_false(tu_at(p, "status.containerStatuses.1.ready")));
	json_decref(p);
	kube_cluster_free(c);
}

Test(pod_lifecycle, exit_code_with_restart_policy_never)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: j, annotations: "
		  "{sim.libkube.io/exit-after: 5s, sim.libkube.io/exit-code: '3'}}\n"
		  "spec: {nodeName: node-1, restartPolicy: Never, containers: [{name: c, image: x}]}\n");
	json_decref(wait_obj(c, "pods", "default", "j", has, "status.phase=Running"));
	cr_assert_eq(kube_cluster_advance_clock(c, 5000), 0);
	p = wait_obj(c, "pods", "default", "j", has, "status.phase=Failed");
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.state.terminated.exitCode")), 3);
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.terminated.reason"), "Error");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.terminated.finishedAt"), "2026-01-01T00:00:05Z");
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.restartCount")), 0);
	cr_assert_str_eq(cond_status(p, "Ready"), "False");
	cr_assert_str_eq(str_at(p, "status.conditions.2.reason"), "PodFailed");
	json_decref(p);
	kube_cluster_free(c);
}

Test(pod_lifecycle, success_with_on_failure_and_job_pods_complete)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, annotations: {sim.libkube.io/exit-after: 1s}}\n"
		  "spec: {nodeName: node-1, restartPolicy: OnFailure, containers: [{name: c, image: x}]}\n");
	cr_assert_eq(kube_cluster_advance_clock(c, 1000), 0);
	p = wait_obj(c, "pods", "default", "ok", has, "status.phase=Succeeded");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.terminated.reason"), "Completed");
	cr_assert_str_eq(str_at(p, "status.conditions.1.reason"), "PodCompleted");
	json_decref(p);

	/* a Job's pod completes at once by default (KWOK's pod-complete stage);
	 * the Job is suspended so that no job controller makes pods of its own */
	create(c, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {suspend: true, template: "
		  "{spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}}\n");
	json_t *job = get_obj(c, "jobs", "default", "j");
	char pod[1024];

	snprintf(pod, sizeof(pod), "apiVersion: v1\nkind: Pod\nmetadata: {name: jp, ownerReferences: "
		 "[{apiVersion: batch/v1, kind: Job, name: j, uid: %s}]}\n"
		 "spec: {nodeName: node-1, restartPolicy: Never, containers: [{name: c, image: x}]}\n",
		 str_at(job, "metadata.uid"));
	json_decref(job);
	create(c, pod);
	json_decref(wait_obj(c, "pods", "default", "jp", has, "status.phase=Succeeded"));
	kube_cluster_free(c);
}

Test(pod_lifecycle, on_failure_restarts_failed_containers)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: r, annotations: "
		  "{sim.libkube.io/exit-after: 30s, sim.libkube.io/exit-code: '2'}}\n"
		  "spec: {nodeName: node-1, restartPolicy: OnFailure, containers: [{name: c, image: x}]}\n");
	json_decref(wait_obj(c, "pods", "default", "r", pod_ready, NULL));
	cr_assert_eq(kube_cluster_advance_clock(c, 30000), 0);
	/* the first restart is at once */
	p = wait_obj(c, "pods", "default", "r", has, "status.containerStatuses.0.restartCount=1");
	cr_assert_str_eq(str_at(p, "status.phase"), "Running");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.running.startedAt"), "2026-01-01T00:00:30Z");
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.lastState.terminated.exitCode")), 2);
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.lastState.terminated.reason"), "Error");
	json_decref(p);
	kube_cluster_free(c);
}

/* The CrashLoopBackOff message for the current wait. */
static bool backoff_msg(const json_t *p, const void *arg)
{
	const char *m = str_at(p, "status.containerStatuses.0.state.waiting.message");

	return m && !strncmp(m, arg, strlen(arg));
}

Test(pod_lifecycle, crash_loop_backoff_doubles_to_five_minutes)
{
	static const struct { int64_t wait_s; const char *msg; } steps[] = {
		{ 10, "back-off 20s " }, { 20, "back-off 40s " }, { 40, "back-off 1m20s " },
		{ 80, "back-off 2m40s " }, { 160, "back-off 5m0s " }, { 300, "back-off 5m0s " },
	};
	kube_cluster *c = cluster_with_node();
	json_t *p;
	char *ev, want[256];
	int restarts = 1;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: crash, annotations: {sim.libkube.io/crash: 'true'}}\n"
		  "spec: {nodeName: node-1, containers: [{name: app, image: x}]}\n");
	/* crash, restart at once, crash again: back-off 10 s */
	p = wait_obj(c, "pods", "default", "crash", backoff_msg, "back-off 10s ");
	snprintf(want, sizeof(want), "back-off 10s restarting failed container=app pod=crash_default(%s)",
		 str_at(p, "metadata.uid"));
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.waiting.message"), want);
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.waiting.reason"), "CrashLoopBackOff");
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.restartCount")), 1);
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.lastState.terminated.exitCode")), 1);
	cr_assert_str_eq(str_at(p, "status.phase"), "Running");
	cr_assert_str_eq(cond_status(p, "Ready"), "False");
	snprintf(want, sizeof(want), "Back-off restarting failed container app in pod crash_default(%s)|",
		 str_at(p, "metadata.uid"));
	ev = events_of(c, "crash", "BackOff");
	cr_assert_str_eq(ev, want);
	free(ev);
	json_decref(p);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char count[64];

		cr_assert_eq(kube_cluster_advance_clock(c, steps[i].wait_s * 1000 - 1), 0);
		snprintf(count, sizeof(count), "status.containerStatuses.0.restartCount=%d", restarts);
		json_decref(wait_obj(c, "pods", "default", "crash", has, count));
		cr_assert_eq(kube_cluster_advance_clock(c, 1), 0);
		restarts++;
		snprintf(count, sizeof(count), "status.containerStatuses.0.restartCount=%d", restarts);
		json_decref(wait_obj(c, "pods", "default", "crash", has, count));
		json_decref(wait_obj(c, "pods", "default", "crash", backoff_msg, steps[i].msg));
	}
	kube_cluster_free(c);
}

Test(pod_lifecycle, backoff_forgotten_after_ten_minutes_running)
{
	kube_cluster *c = cluster_with_node();

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: slow, annotations: {sim.libkube.io/exit-after: 11m}}\n"
		  "spec: {nodeName: node-1, containers: [{name: app, image: x}]}\n");
	json_decref(wait_obj(c, "pods", "default", "slow", pod_ready, NULL));
	cr_assert_eq(kube_cluster_advance_clock(c, 11 * 60000), 0);
	json_decref(wait_obj(c, "pods", "default", "slow", has, "status.containerStatuses.0.restartCount=1"));
	/* ran 11 minutes since the last back-off step: restarted at once again */
	cr_assert_eq(kube_cluster_advance_clock(c, 11 * 60000), 0);
	json_t *p = wait_obj(c, "pods", "default", "slow", has, "status.containerStatuses.0.restartCount=2");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.running.startedAt"), "2026-01-01T00:22:00Z");
	json_decref(p);
	kube_cluster_free(c);
}

Test(pod_lifecycle, init_containers_run_in_order)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: init, annotations: "
		  "{sim.libkube.io/exit-after.first: 5s, sim.libkube.io/exit-after.second: 5s}}\n"
		  "spec:\n  nodeName: node-1\n  initContainers:\n  - {name: first, image: busybox}\n"
		  "  - {name: second, image: busybox}\n  containers:\n  - {name: app, image: nginx}\n");
	p = wait_obj(c, "pods", "default", "init", has, "status.initContainerStatuses.0.state.running.startedAt=2026-01-01T00:00:00Z");
	cr_assert_str_eq(str_at(p, "status.phase"), "Pending");
	cr_assert_str_eq(str_at(p, "status.initContainerStatuses.1.state.waiting.reason"), "PodInitializing");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.waiting.reason"), "PodInitializing");
	cr_assert_str_eq(cond_status(p, "Initialized"), "False");
	cr_assert_str_eq(str_at(p, "status.conditions.1.reason"), "ContainersNotInitialized");
	cr_assert_str_eq(str_at(p, "status.conditions.1.message"), "containers with incomplete status: [first second]");
	json_decref(p);
	cr_assert_eq(kube_cluster_advance_clock(c, 5000), 0);
	p = wait_obj(c, "pods", "default", "init", has, "status.initContainerStatuses.1.state.running.startedAt=2026-01-01T00:00:05Z");
	cr_assert_str_eq(str_at(p, "status.initContainerStatuses.0.state.terminated.reason"), "Completed");
	cr_assert(json_is_true(tu_at(p, "status.initContainerStatuses.0.ready")));
	cr_assert_str_eq(str_at(p, "status.conditions.1.message"), "containers with incomplete status: [second]");
	json_decref(p);
	cr_assert_eq(kube_cluster_advance_clock(c, 5000), 0);
	p = wait_obj(c, "pods", "default", "init", pod_ready, NULL);
	cr_assert_str_eq(str_at(p, "status.phase"), "Running");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.running.startedAt"), "2026-01-01T00:00:10Z");
	json_decref(p);
	kube_cluster_free(c);
}

Test(pod_lifecycle, failed_init_container_with_never_fails_the_pod)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: bad, annotations: {sim.libkube.io/exit-code.setup: '1'}}\n"
		  "spec:\n  nodeName: node-1\n  restartPolicy: Never\n  initContainers:\n  - {name: setup, image: busybox}\n"
		  "  containers:\n  - {name: app, image: nginx}\n");
	p = wait_obj(c, "pods", "default", "bad", has, "status.phase=Failed");
	cr_assert_eq(json_integer_value(tu_at(p, "status.initContainerStatuses.0.state.terminated.exitCode")), 1);
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.waiting.reason"), "PodInitializing");
	json_decref(p);
	kube_cluster_free(c);
}

Test(pod_lifecycle, sidecar_starts_first_and_keeps_running)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: sc, annotations: {sim.libkube.io/exit-after.main: 3s}}\n"
		  "spec:\n  nodeName: node-1\n  restartPolicy: Never\n  initContainers:\n"
		  "  - {name: proxy, image: envoy, restartPolicy: Always}\n"
		  "  containers:\n  - {name: main, image: app}\n");
	p = wait_obj(c, "pods", "default", "sc", pod_ready, NULL);
	cr_assert_str_eq(str_at(p, "status.initContainerStatuses.0.name"), "proxy");
	cr_assert(json_is_true(tu_at(p, "status.initContainerStatuses.0.started")));
	cr_assert(json_is_true(tu_at(p, "status.initContainerStatuses.0.ready")));
	cr_assert(tu_at(p, "status.initContainerStatuses.0.state.running"));
	cr_assert_str_eq(cond_status(p, "Initialized"), "True");
	json_decref(p);
	/* the main container ends: the sidecar is stopped and the pod succeeds */
	cr_assert_eq(kube_cluster_advance_clock(c, 3000), 0);
	p = wait_obj(c, "pods", "default", "sc", has, "status.phase=Succeeded");
	cr_assert(tu_at(p, "status.initContainerStatuses.0.state.terminated"));
	json_decref(p);
	char *ev = events_of(c, "sc", "Killing");
	cr_assert_str_eq(ev, "Stopping container proxy|");
	free(ev);
	kube_cluster_free(c);
}

Test(pod_lifecycle, graceful_deletion_waits_for_the_containers)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;
	char *ev;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: g, annotations: {sim.libkube.io/stop-after: 20s}}\n"
		  "spec: {nodeName: node-1, terminationGracePeriodSeconds: 60, containers: [{name: c, image: x}]}\n");
	json_decref(wait_obj(c, "pods", "default", "g", pod_ready, NULL));
	cr_assert_eq(kube_delete(c, "pods", "default", "g", KUBE_PROPAGATION_DEFAULT), 0);
	p = get_obj(c, "pods", "default", "g");
	cr_assert_not_null(p, "a pod on a node is deleted gracefully");
	cr_assert_eq(json_integer_value(tu_at(p, "metadata.deletionGracePeriodSeconds")), 60);
	cr_assert_str_eq(str_at(p, "metadata.deletionTimestamp"), "2026-01-01T00:01:00Z");
	json_decref(p);
	cr_assert_eq(kube_cluster_advance_clock(c, 19999), 0);
	usleep(20000);
	p = get_obj(c, "pods", "default", "g");
	cr_assert_not_null(p, "still terminating");
	json_decref(p);
	cr_assert_eq(kube_cluster_advance_clock(c, 1), 0);
	wait_obj(c, "pods", "default", "g", NULL, NULL);
	ev = events_of(c, "g", "Killing");
	cr_assert_str_eq(ev, "Stopping container c|");
	free(ev);
	kube_cluster_free(c);
}

Test(pod_lifecycle, grace_period_ends_with_a_kill)
{
	kube_cluster *c = cluster_with_node();

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: k, annotations: {sim.libkube.io/stop-after: 5m}}\n"
		  "spec: {nodeName: node-1, containers: [{name: c, image: x}]}\n");
	json_decref(wait_obj(c, "pods", "default", "k", pod_ready, NULL));
	cr_assert_eq(kube_delete(c, "pods", "default", "k", KUBE_PROPAGATION_DEFAULT), 0);
	cr_assert_eq(kube_cluster_advance_clock(c, 29000), 0);
	usleep(20000);
	json_t *p = get_obj(c, "pods", "default", "k");
	cr_assert_not_null(p);
	json_decref(p);
	cr_assert_eq(kube_cluster_advance_clock(c, 1000), 0);
	wait_obj(c, "pods", "default", "k", NULL, NULL);
	kube_cluster_free(c);
}

Test(pod_lifecycle, pods_without_an_agent_go_at_once)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: u}\nspec: {containers: [{name: c, image: x}]}\n");
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: elsewhere}\n"
		  "spec: {nodeName: no-agent, containers: [{name: c, image: x}]}\n");
	cr_assert_eq(kube_delete(c, "pods", "default", "u", KUBE_PROPAGATION_DEFAULT), 0);
	cr_assert_eq(kube_delete(c, "pods", "default", "elsewhere", KUBE_PROPAGATION_DEFAULT), 0);
	cr_assert_null(p = get_obj(c, "pods", "default", "u"));
	cr_assert_null(p = get_obj(c, "pods", "default", "elsewhere"));
	kube_cluster_free(c);
}

Test(pod_lifecycle, stopped_node_reports_nothing_until_started)
{
	kube_cluster *c = cluster_with_node();
	json_t *p;

	cr_assert_eq(kube_node_stop(c, "node-1"), 0);
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: s}\n"
		  "spec: {nodeName: node-1, containers: [{name: c, image: x}]}\n");
	usleep(50000);
	p = get_obj(c, "pods", "default", "s");
	cr_assert_str_eq(str_at(p, "status.phase"), "Pending");
	cr_assert_null(tu_at(p, "status.containerStatuses"), "a stopped agent starts and reports nothing");
	json_decref(p);
	cr_assert_eq(kube_delete(c, "pods", "default", "s", KUBE_PROPAGATION_DEFAULT), 0);
	usleep(20000);
	p = get_obj(c, "pods", "default", "s");
	cr_assert_not_null(p, "the delete waits for the agent");
	json_decref(p);
	cr_assert_eq(kube_node_start(c, "node-1"), 0);
	wait_obj(c, "pods", "default", "s", NULL, NULL);
	kube_cluster_free(c);
}

Test(pod_lifecycle, recreated_pod_gets_a_new_worker)
{
	kube_cluster *c = cluster_with_node();
	const char *pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: again}\n"
			  "spec: {nodeName: node-1, terminationGracePeriodSeconds: 0, containers: [{name: c, image: x}]}\n";

	create(c, pod);
	json_decref(wait_obj(c, "pods", "default", "again", pod_ready, NULL));
	cr_assert_eq(kube_delete(c, "pods", "default", "again", KUBE_PROPAGATION_DEFAULT), 0);
	wait_obj(c, "pods", "default", "again", NULL, NULL);
	create(c, pod);
	json_t *p = wait_obj(c, "pods", "default", "again", pod_ready, NULL);
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.restartCount")), 0);
	json_decref(p);
	kube_cluster_free(c);
}
