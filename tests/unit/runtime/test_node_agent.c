/*
 * Node agents: what a Node looks like when registered, the Lease and its
 * renewal on the cluster clock, stopping and starting an agent, removing a
 * node, and the configuration errors.
 */
#include "runtime_fixture.h"

static const char *cond_field(const json_t *node, const char *type, const char *field)
{
	json_t *c;
	size_t i;

	json_array_foreach(tu_at(node, "status.conditions"), i, c)
		if (!strcmp(str_at(c, "type"), type))
			return str_at(c, field);
	return NULL;
}

Test(node_agent, registers_node_as_the_kubelet)
{
	kube_cluster *c = start_cluster(true);
	json_t *n1, *n2;

	add_node(c, "node-1", NULL);
	add_node(c, "node-2", NULL);
	n1 = get_obj(c, "nodes", NULL, "node-1");
	n2 = get_obj(c, "nodes", NULL, "node-2");
	cr_assert(n1 && n2);
	cr_assert_str_eq(json_string_value(json_object_get(tu_at(n1, "metadata.labels"), "kubernetes.io/hostname")), "node-1");
	cr_assert_str_eq(json_string_value(json_object_get(tu_at(n1, "metadata.labels"), "kubernetes.io/os")), "linux");
	cr_assert(json_object_get(tu_at(n1, "metadata.labels"), "kubernetes.io/arch"));
	cr_assert_str_eq(json_string_value(json_object_get(tu_at(n1, "metadata.labels"),
			 "node-role.kubernetes.io/control-plane")), "");
	cr_assert_null(json_object_get(tu_at(n2, "metadata.labels"), "node-role.kubernetes.io/control-plane"));
	cr_assert_null(tu_at(n1, "spec.taints"), "no control-plane taint unless asked");
	cr_assert_str_eq(str_at(n1, "spec.podCIDR"), "10.42.0.0/24");
	cr_assert_str_eq(str_at(n2, "spec.podCIDR"), "10.42.1.0/24");
	cr_assert_str_eq(str_at(n1, "status.capacity.pods"), "110");
	cr_assert_str_eq(str_at(n1, "status.allocatable.cpu"), "8");
	cr_assert_str_eq(str_at(n1, "status.capacity.memory"), "32Gi");
	cr_assert_str_eq(str_at(n1, "status.capacity.ephemeral-storage"), "100Gi");
	cr_assert_str_eq(cond_field(n1, "Ready", "status"), "True");
	cr_assert_str_eq(cond_field(n1, "Ready", "reason"), "KubeletReady");
	cr_assert_str_eq(cond_field(n1, "Ready", "message"), "kubelet is posting ready status");
	cr_assert_str_eq(cond_field(n1, "MemoryPressure", "reason"), "KubeletHasSufficientMemory");
	cr_assert_str_eq(cond_field(n1, "MemoryPressure", "status"), "False");
	cr_assert_str_eq(cond_field(n1, "DiskPressure", "reason"), "KubeletHasNoDiskPressure");
	cr_assert_str_eq(cond_field(n1, "PIDPressure", "message"), "kubelet has sufficient PID available");
	cr_assert_str_eq(cond_field(n1, "Ready", "lastHeartbeatTime"), "2026-01-01T00:00:00Z");
	cr_assert_str_eq(str_at(n1, "status.addresses.0.type"), "InternalIP");
	cr_assert_str_eq(str_at(n1, "status.addresses.1.type"), "Hostname");
	cr_assert_str_eq(str_at(n1, "status.addresses.1.address"), "node-1");
	cr_assert_str_eq(str_at(n1, "status.nodeInfo.kubeletVersion"), "v1.32.0");
	cr_assert_str_eq(str_at(n1, "status.nodeInfo.containerRuntimeVersion"), "simulated://1.0");
	cr_assert_str_eq(str_at(n1, "status.nodeInfo.operatingSystem"), "linux");
	cr_assert(str_at(n1, "status.nodeInfo.kernelVersion") && str_at(n1, "status.nodeInfo.osImage"));
	json_decref(n1);
	json_decref(n2);
	kube_cluster_free(c);
}

Test(node_agent, taints_labels_and_capacity_from_the_config)
{
	kube_cluster *c = start_cluster(true);
	const char *labels[] = { "disk=ssd", NULL };
	const char *taints[] = { "dedicated=gpu:NoExecute", "spot:PreferNoSchedule", NULL };
	kube_node_config cfg;
	json_t *n;

	kube_node_config_init(&cfg);
	cfg.name = "cp";
	cfg.labels = labels;
	cfg.taints = taints;
	cfg.taint_control_plane = 1;
	cfg.cpu = "2";
	cfg.memory = "4Gi";
	cfg.pods = "20";
	cr_assert_eq(kube_node_add(c, &cfg), 0, "%s", kube_last_status());
	n = get_obj(c, "nodes", NULL, "cp");
	cr_assert_str_eq(json_string_value(json_object_get(tu_at(n, "metadata.labels"), "disk")), "ssd");
	cr_assert_str_eq(str_at(n, "spec.taints.0.key"), "node-role.kubernetes.io/control-plane");
	cr_assert_str_eq(str_at(n, "spec.taints.0.effect"), "NoSchedule");
	cr_assert_str_eq(str_at(n, "spec.taints.1.key"), "dedicated");
	cr_assert_str_eq(str_at(n, "spec.taints.1.value"), "gpu");
	cr_assert_str_eq(str_at(n, "spec.taints.1.effect"), "NoExecute");
	cr_assert_str_eq(str_at(n, "spec.taints.2.key"), "spot");
	cr_assert_null(tu_at(n, "spec.taints.2.value"));
	cr_assert_str_eq(str_at(n, "status.capacity.cpu"), "2");
	cr_assert_str_eq(str_at(n, "status.allocatable.memory"), "4Gi");
	cr_assert_str_eq(str_at(n, "status.capacity.pods"), "20");
	json_decref(n);
	kube_cluster_free(c);
}

Test(node_agent, config_errors)
{
	kube_cluster *c = start_cluster(true);
	const char *bad_taint[] = { "x=y:Sometimes", NULL };
	kube_node_config cfg;

	kube_node_config_init(&cfg);
	cfg.name = "n";
	cfg.runtime = "native";
	cr_assert_eq(kube_node_add(c, &cfg), KUBE_EINVAL);
	cr_assert(strstr(kube_last_status(), "the native runtime is not available in this build"));
	cfg.runtime = "docker";
	cr_assert_eq(kube_node_add(c, &cfg), KUBE_EINVAL);
	cfg.runtime = "simulated";
	cfg.taints = bad_taint;
	cr_assert_eq(kube_node_add(c, &cfg), KUBE_EINVAL);
	cfg.taints = NULL;
	cfg.memory = "lots";
	cr_assert_eq(kube_node_add(c, &cfg), KUBE_EINVAL);
	cfg.memory = NULL;
	cr_assert_eq(kube_node_add(c, &cfg), 0);
	cr_assert_eq(kube_node_add(c, &cfg), KUBE_EEXIST);
	cr_assert_eq(kube_node_stop(c, "nope"), KUBE_ENOTFOUND);
	cr_assert_null(get_obj(c, "nodes", NULL, "docker"));
	kube_cluster_free(c);
}

Test(node_agent, lease_renews_every_10s_until_stopped)
{
	kube_cluster *c = start_cluster(true);
	json_t *l;

	add_node(c, "node-1", NULL);
	l = wait_obj(c, "leases", "kube-node-lease", "node-1", has,
		     "spec.renewTime=2026-01-01T00:00:00.000000Z");
	cr_assert_str_eq(str_at(l, "spec.holderIdentity"), "node-1");
	cr_assert_eq(json_integer_value(tu_at(l, "spec.leaseDurationSeconds")), 40);
	cr_assert_str_eq(str_at(l, "metadata.ownerReferences.0.kind"), "Node");
	json_decref(l);

	cr_assert_eq(kube_cluster_advance_clock(c, 9999), 0);
	json_decref(wait_obj(c, "leases", "kube-node-lease", "node-1", has,
			     "spec.renewTime=2026-01-01T00:00:00.000000Z"));
	cr_assert_eq(kube_cluster_advance_clock(c, 1), 0);
	json_decref(wait_obj(c, "leases", "kube-node-lease", "node-1", has,
			     "spec.renewTime=2026-01-01T00:00:10.000000Z"));
	cr_assert_eq(kube_cluster_advance_clock(c, 10000), 0);
	json_decref(wait_obj(c, "leases", "kube-node-lease", "node-1", has,
			     "spec.renewTime=2026-01-01T00:00:20.000000Z"));

	/* a stopped agent renews nothing */
	cr_assert_eq(kube_node_stop(c, "node-1"), 0);
	cr_assert_eq(kube_cluster_advance_clock(c, 60000), 0);
	l = get_obj(c, "leases", "kube-node-lease", "node-1");
	cr_assert_str_eq(str_at(l, "spec.renewTime"), "2026-01-01T00:00:20.000000Z");
	json_decref(l);

	/* started again, it renews at once and reports Ready with a fresh heartbeat */
	cr_assert_eq(kube_node_start(c, "node-1"), 0);
	json_decref(wait_obj(c, "leases", "kube-node-lease", "node-1", has,
			     "spec.renewTime=2026-01-01T00:01:20.000000Z"));
	json_decref(wait_obj(c, "nodes", NULL, "node-1", has,
			     "status.conditions.3.lastHeartbeatTime=2026-01-01T00:01:20Z"));
	kube_cluster_free(c);
}

Test(node_agent, heartbeat_in_node_status_every_5_minutes)
{
	kube_cluster *c = start_cluster(true);

	add_node(c, "node-1", NULL);
	cr_assert_eq(kube_cluster_advance_clock(c, 299000), 0);
	json_decref(wait_obj(c, "nodes", NULL, "node-1", has,
			     "status.conditions.3.lastHeartbeatTime=2026-01-01T00:00:00Z"));
	cr_assert_eq(kube_cluster_advance_clock(c, 1000), 0);
	json_t *n = wait_obj(c, "nodes", NULL, "node-1", has,
			     "status.conditions.3.lastHeartbeatTime=2026-01-01T00:05:00Z");
	/* the transition time stays: Ready did not change */
	cr_assert_str_eq(str_at(n, "status.conditions.3.lastTransitionTime"), "2026-01-01T00:00:00Z");
	json_decref(n);
	kube_cluster_free(c);
}

Test(node_agent, remove_deletes_node_and_its_pods)
{
	kube_cluster *c = start_cluster(true);

	add_node(c, "node-1", NULL);
	add_node(c, "node-2", NULL);
	create(c, "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
		  "spec: {nodeName: node-2, containers: [{name: c, image: nginx}]}\n");
	json_decref(wait_obj(c, "pods", "default", "a", has, "status.phase=Running"));
	cr_assert_eq(kube_node_remove(c, "node-2"), 0);
	wait_obj(c, "pods", "default", "a", NULL, NULL);
	wait_obj(c, "nodes", NULL, "node-2", NULL, NULL);
	cr_assert_eq(kube_node_remove(c, "node-2"), KUBE_ENOTFOUND);
	/* its pod CIDR is free again */
	add_node(c, "node-3", NULL);
	json_t *n = get_obj(c, "nodes", NULL, "node-3");
	cr_assert_str_eq(str_at(n, "spec.podCIDR"), "10.42.1.0/24");
	json_decref(n);
	kube_cluster_free(c);
}

Test(node_agent, node_calls_need_a_running_cluster)
{
	kube_cluster *c;
	kube_node_config cfg;

	kube_node_config_init(&cfg);
	cfg.name = "n";
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	cr_assert_eq(kube_node_add(c, &cfg), KUBE_ESTOPPED);
	kube_cluster_free(c);
}

/* The count of the one Event with @p reason about node @p name, checking it
 * comes from the kubelet on that host with the node's name as UID. */
static int node_event_count(kube_cluster *c, const char *name, const char *reason, const char *msg)
{
	char *out = NULL;
	json_t *list, *ev;
	size_t i;
	int count = 0;

	for (int tries = 0; tries < 500 && !count; tries++, usleep(2000)) {
		cr_assert_eq(kube_list(c, "events", "default", NULL, NULL, &out), 0);
		list = json_loads(out, 0, NULL);
		kube_free(out);
		json_array_foreach(json_object_get(list, "items"), i, ev) {
			if (strcmp(str_at(ev, "involvedObject.name"), name) ||
			    strcmp(str_at(ev, "reason"), reason))
				continue;
			cr_assert_str_eq(str_at(ev, "message"), msg);
			cr_assert_str_eq(str_at(ev, "involvedObject.kind"), "Node");
			cr_assert_str_eq(str_at(ev, "involvedObject.uid"), name);
			cr_assert_str_eq(str_at(ev, "source.component"), "kubelet");
			cr_assert_str_eq(str_at(ev, "source.host"), name);
			cr_assert_eq(count, 0, "one event per reason");
			count = (int)json_integer_value(json_object_get(ev, "count"));
		}
		json_decref(list);
	}
	return count;
}

Test(node_agent, node_events_on_registration_and_recovery)
{
	kube_cluster *c = start_cluster(true);

	add_node(c, "node-1", NULL);
	cr_assert_eq(node_event_count(c, "node-1", "Starting", "Starting kubelet."), 1);
	cr_assert_eq(node_event_count(c, "node-1", "NodeAllocatableEnforced",
				      "Updated Node Allocatable limit across pods"), 1);
	cr_assert_eq(node_event_count(c, "node-1", "NodeHasSufficientMemory",
				      "Node node-1 status is now: NodeHasSufficientMemory"), 1);
	cr_assert_eq(node_event_count(c, "node-1", "NodeHasNoDiskPressure",
				      "Node node-1 status is now: NodeHasNoDiskPressure"), 1);
	cr_assert_eq(node_event_count(c, "node-1", "NodeHasSufficientPID",
				      "Node node-1 status is now: NodeHasSufficientPID"), 1);
	cr_assert_eq(node_event_count(c, "node-1", "NodeReady",
				      "Node node-1 status is now: NodeReady"), 1);

	/* heartbeats change no condition: no new event */
	cr_assert_eq(kube_cluster_advance_clock(c, 300000), 0);
	json_decref(wait_obj(c, "nodes", NULL, "node-1", has,
			     "status.conditions.3.lastHeartbeatTime=2026-01-01T00:05:00Z"));
	cr_assert_eq(node_event_count(c, "node-1", "NodeReady",
				      "Node node-1 status is now: NodeReady"), 1);

	/* the node controller turns a silent node Unknown; back, it is Ready again */
	cr_assert_eq(kube_node_stop(c, "node-1"), 0);
	for (int i = 0; i < 12; i++) {
		cr_assert_eq(kube_cluster_advance_clock(c, 5000), 0);
		usleep(5000);
	}
	json_decref(wait_obj(c, "nodes", NULL, "node-1", has, "status.conditions.3.status=Unknown"));
	cr_assert_eq(kube_node_start(c, "node-1"), 0);
	json_decref(wait_obj(c, "nodes", NULL, "node-1", has, "status.conditions.3.status=True"));
	for (int i = 0; i < 500 && node_event_count(c, "node-1", "NodeReady",
				"Node node-1 status is now: NodeReady") < 2; i++)
		usleep(2000);
	cr_assert_eq(node_event_count(c, "node-1", "NodeReady",
				      "Node node-1 status is now: NodeReady"), 2);
	cr_assert_eq(node_event_count(c, "node-1", "NodeHasSufficientMemory",
				      "Node node-1 status is now: NodeHasSufficientMemory"), 2);
	cr_assert_eq(node_event_count(c, "node-1", "Starting", "Starting kubelet."), 1);
	kube_cluster_free(c);
}
