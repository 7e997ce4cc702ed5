/*
 * The process runtime: containers are real child processes; exit codes,
 * logs (tail, timestamps, previous) and stopping on deletion.
 */
#include "runtime_fixture.h"

Test(process_runtime, runs_the_command_and_captures_logs)
{
	kube_cluster *c = start_cluster(false);
	kube_log_options lo = { .tail_lines = -1 };
	json_t *p, *n;
	char *out;

	add_node(c, "proc", "process");
	n = get_obj(c, "nodes", NULL, "proc");
	cr_assert_str_eq(str_at(n, "status.nodeInfo.containerRuntimeVersion"), "process://1.0");
	cr_assert_str_eq(str_at(n, "status.addresses.0.address"), "127.0.0.1");
	json_decref(n);
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: sh}\n"
		  "spec:\n  nodeName: proc\n  restartPolicy: Never\n  containers:\n  - name: sh\n"
		  "    image: ignored\n    command: [/bin/sh, -c]\n"
		  "    args: ['echo hi; echo \"v=$GREETING\"; echo oops >&2; exit 3']\n"
		  "    env: [{name: GREETING, value: hello}]\n");
	p = wait_obj(c, "pods", "default", "sh", has, "status.phase=Failed");
	cr_assert_eq(json_integer_value(tu_at(p, "status.containerStatuses.0.state.terminated.exitCode")), 3);
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.terminated.reason"), "Error");
	cr_assert(!strncmp(str_at(p, "status.containerStatuses.0.containerID"), "process://", 10));
	json_decref(p);
	cr_assert_eq(kube_pod_logs(c, "default", "sh", &lo, &out), 0, "%s", kube_last_status());
	cr_assert_str_eq(out, "hi\nv=hello\noops\n");
	kube_free(out);
	lo.tail_lines = 1;
	cr_assert_eq(kube_pod_logs(c, "default", "sh", &lo, &out), 0);
	cr_assert_str_eq(out, "oops\n");
	kube_free(out);
	lo.timestamps = 1;
	cr_assert_eq(kube_pod_logs(c, "default", "sh", &lo, &out), 0);
	cr_assert(strlen(out) > 30 && out[4] == '-' && out[10] == 'T' && !strcmp(out + strlen(out) - 6, " oops\n"),
		  "%s", out);
	kube_free(out);
	lo.previous = 1;
	cr_assert_eq(kube_pod_logs(c, "default", "sh", &lo, &out), KUBE_EINVAL);
	lo.previous = 0;
	lo.container = "nope";
	cr_assert_eq(kube_pod_logs(c, "default", "sh", &lo, &out), KUBE_ENOTFOUND);
	kube_cluster_free(c);
}

Test(process_runtime, restarts_keep_the_previous_log)
{
	kube_cluster *c = start_cluster(false);
	kube_log_options lo = { .tail_lines = -1, .previous = 1 };
	json_t *p;
	char *out;

	add_node(c, "proc", "process");
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: r}\n"
		  "spec:\n  nodeName: proc\n  restartPolicy: OnFailure\n  containers:\n  - name: c\n"
		  "    image: x\n    command: [/bin/sh, -c, 'echo run; exit 1']\n");
	p = wait_obj(c, "pods", "default", "r", has, "status.containerStatuses.0.restartCount=1");
	json_decref(p);
	cr_assert_eq(kube_pod_logs(c, "default", "r", &lo, &out), 0, "%s", kube_last_status());
	cr_assert_str_eq(out, "run\n");
	kube_free(out);
	kube_cluster_free(c);
}

Test(process_runtime, deletion_stops_the_process)
{
	kube_cluster *c = start_cluster(false);
	json_t *p;

	add_node(c, "proc", "process");
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: sleeper}\n"
		  "spec:\n  nodeName: proc\n  containers:\n  - name: c\n    image: x\n"
		  "    command: [/bin/sleep, '300']\n");
	p = wait_obj(c, "pods", "default", "sleeper", pod_ready, NULL);
	cr_assert_str_eq(str_at(p, "status.phase"), "Running");
	json_decref(p);
	/* sleep dies of SIGTERM: the pod goes well before its 30 s grace period */
	cr_assert_eq(kube_delete(c, "pods", "default", "sleeper", KUBE_PROPAGATION_DEFAULT), 0);
	wait_obj(c, "pods", "default", "sleeper", NULL, NULL);
	kube_cluster_free(c);
}

Test(process_runtime, no_command_cannot_run)
{
	kube_cluster *c = start_cluster(false);
	json_t *p;

	add_node(c, "proc", "process");
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: nocmd}\n"
		  "spec: {nodeName: proc, restartPolicy: Never, containers: [{name: c, image: nginx}]}\n");
	p = wait_obj(c, "pods", "default", "nocmd", has, "status.phase=Failed");
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.state.terminated.reason"), "ContainerCannotRun");
	cr_assert(strstr(str_at(p, "status.containerStatuses.0.state.terminated.message"), "no command"));
	json_decref(p);
	kube_cluster_free(c);
}
