/*
 * NodeResourcesFit, NodePorts and VolumeBinding through the cluster on
 * simulated nodes: init containers' peak, sidecars (restartable init
 * containers), pod overhead, extended resources (nvidia.com/gpu), host
 * ports, and PVCs bound to node-local PVs.
 */
#include "cluster_helpers.h"

#define NO_VICTIMS_1 "preemption: 0/1 nodes are available: 1 No preemption victims found " \
	"for incoming pod."
#define INSUFFICIENT(what) "0/1 nodes are available: 1 Insufficient " what ". " NO_VICTIMS_1

/* Fill what the first pod leaves on a 2-cpu node: @p over must not fit, @p fit must. */
static void check_room(kube_cluster *c, const char *over, const char *fit)
{
	ch_pod(c, NS, "over", NULL, over, NULL);
	ASSERT_UNSCHED(c, NS, "over", INSUFFICIENT("cpu"));
	ch_pod(c, NS, "fit", NULL, fit, NULL);
	ASSERT_ON(c, NS, "fit", "r1");
}

Test(cluster_resources, init_containers_peak)
{
	kube_cluster *c = ch_start(NULL);

	ch_node(c, "r1", "2", NULL, NULL);
	/* max(containers 100m, init 1500m) = 1500m */
	ch_pod(c, NS, "init", NULL, "100m",
	       "  initContainers:\n  - {name: i, image: busybox,"
	       " resources: {requests: {cpu: 1500m}}}\n");
	ASSERT_ON(c, NS, "init", "r1");
	check_room(c, "501m", "500m");
	kube_cluster_free(c);
}

Test(cluster_resources, sidecars_run_beside_the_containers)
{
	kube_cluster *c = ch_start(NULL);

	ch_node(c, "r1", "2", NULL, NULL);
	/* containers 500m + sidecar 300m = 800m; the init container after the
	 * sidecar runs beside it: 1000m + 300m; max = 1300m */
	ch_pod(c, NS, "side", NULL, "500m",
	       "  initContainers:\n"
	       "  - {name: s, image: busybox, restartPolicy: Always,"
	       " resources: {requests: {cpu: 300m}}}\n"
	       "  - {name: i, image: busybox, resources: {requests: {cpu: 1000m}}}\n");
	ASSERT_ON(c, NS, "side", "r1");
	check_room(c, "701m", "700m");
	kube_cluster_free(c);
}

Test(cluster_resources, pod_overhead_counts)
{
	kube_cluster *c = ch_start(NULL);

	ch_node(c, "r1", "2", NULL, NULL);
	ch_pod(c, NS, "heavy", NULL, "1", "  overhead: {cpu: 500m}\n");
	ASSERT_ON(c, NS, "heavy", "r1");
	check_room(c, "501m", "500m");
	kube_cluster_free(c);
}

/* Advertise @p n GPUs on node @p node, as a device plugin makes the kubelet do. */
static void add_gpus(kube_cluster *c, const char *node, const char *n)
{
	json_t *obj = sh_get(c, "nodes", NULL, node), *st = json_object_get(obj, "status");

	json_object_set_new(json_object_get(st, "capacity"), "nvidia.com/gpu", json_string(n));
	json_object_set_new(json_object_get(st, "allocatable"), "nvidia.com/gpu", json_string(n));
	sh_set_status(c, "nodes", NULL, node, json_incref(st));
	json_decref(obj);
}

static void gpu_pod(kube_cluster *c, const char *name)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: default}\nspec:\n"
		 "  containers:\n  - name: cuda\n    image: cuda\n"
		 "    resources: {limits: {nvidia.com/gpu: 1}}\n", name);
	sh_apply(c, buf);
}

Test(cluster_resources, extended_resources)
{
	kube_cluster *c = ch_start(NULL);

	ch_node(c, "r1", "8", NULL, NULL);
	gpu_pod(c, "g0");
	ASSERT_UNSCHED(c, NS, "g0", INSUFFICIENT("nvidia.com/gpu"));
	add_gpus(c, "r1", "2");         /* node changed: g0 is retried */
	ASSERT_ON(c, NS, "g0", "r1");
	gpu_pod(c, "g1");
	ASSERT_ON(c, NS, "g1", "r1");
	gpu_pod(c, "g2");
	ASSERT_UNSCHED(c, NS, "g2", INSUFFICIENT("nvidia.com/gpu"));
	cr_assert_eq(kube_delete(c, "pods", NS, "g0", 0), 0);
	ASSERT_ON(c, NS, "g2", "r1");
	kube_cluster_free(c);
}

static void port_pod(kube_cluster *c, const char *name, const char *port)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: default}\nspec:\n"
		 "  containers:\n  - name: c\n    image: busybox\n    ports: [%s]\n", name, port);
	sh_apply(c, buf);
}

Test(cluster_resources, host_ports)
{
	kube_cluster *c = ch_start(NULL);
	const char *taken = "0/1 nodes are available: 1 node(s) didn't have free ports for the "
			    "requested pod ports. " NO_VICTIMS_1;

	ch_node(c, "r1", "8", NULL, NULL);
	port_pod(c, "tcp", "{containerPort: 80, hostPort: 8080}");
	ASSERT_ON(c, NS, "tcp", "r1");
	port_pod(c, "udp", "{containerPort: 80, hostPort: 8080, protocol: UDP}");
	ASSERT_ON(c, NS, "udp", "r1");
	port_pod(c, "other-port", "{containerPort: 80, hostPort: 8081}");
	ASSERT_ON(c, NS, "other-port", "r1");
	port_pod(c, "same", "{containerPort: 80, hostPort: 8080}");
	ASSERT_UNSCHED(c, NS, "same", taken);
	/* a specific hostIP still clashes with the wildcard one */
	port_pod(c, "loopback", "{containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1}");
	ASSERT_UNSCHED(c, NS, "loopback", taken);
	cr_assert_eq(kube_delete(c, "pods", NS, "tcp", 0), 0);
	cr_assert_eq(kube_wait(c, "pods", NS, "same", "condition=PodScheduled", 5000) &&
		     kube_wait(c, "pods", NS, "loopback", "condition=PodScheduled", 5000), 0,
		     "one of the waiting pods takes the freed port");
	kube_cluster_free(c);
}

static void claim_pod(kube_cluster *c, const char *name, const char *claim)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: default}\nspec:\n"
		 "  containers:\n  - {name: c, image: busybox, volumeMounts: [{name: d, mountPath: /d}]}\n"
		 "  volumes: [{name: d, persistentVolumeClaim: {claimName: %s}}]\n", name, claim);
	sh_apply(c, buf);
}

/* A local PV on @p host and a claim bound to it. */
static void local_volume(kube_cluster *c, const char *pv, const char *host, const char *claim)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: %s}\nspec:\n"
		 "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
		 "  storageClassName: local\n  local: {path: /mnt/disk}\n"
		 "  nodeAffinity:\n    required:\n      nodeSelectorTerms:\n"
		 "      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [%s]}]\n",
		 pv, host);
	sh_apply(c, buf);
	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: %s, namespace: default}\n"
		 "spec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: local\n"
		 "  volumeName: %s\n  resources: {requests: {storage: 1Gi}}\n", claim, pv);
	sh_apply(c, buf);
}

Test(cluster_resources, pvc_on_a_node_local_pv)
{
	kube_cluster *c = ch_start(NULL);
	const char *not_helpful = " preemption: 0/3 nodes are available: 3 Preemption is not "
				  "helpful for scheduling.";
	char want[512];

	ch_node(c, "v1", "8", NULL, NULL);
	ch_node(c, "v2", "8", NULL, NULL);
	ch_node(c, "v3", "8", NULL, NULL);
	local_volume(c, "disk-v2", "v2", "data");
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "db-%d", i);
		claim_pod(c, name, "data");
		ASSERT_ON(c, NS, name, "v2");
	}
	local_volume(c, "disk-gone", "gone", "far");
	claim_pod(c, "far-pod", "far");
	snprintf(want, sizeof(want), "0/3 nodes are available: 3 node(s) had volume node affinity "
		 "conflict.%s", not_helpful);
	ASSERT_UNSCHED(c, NS, "far-pod", want);
	/* the claim is missing: upstream's PreFilter message, retried when it appears */
	claim_pod(c, "early", "later");
	snprintf(want, sizeof(want), "0/3 nodes are available: persistentvolumeclaim \"later\" "
		 "not found.%s", not_helpful);
	ASSERT_UNSCHED(c, NS, "early", want);
	local_volume(c, "disk-v3", "v3", "later");
	ASSERT_ON(c, NS, "early", "v3");
	kube_cluster_free(c);
}
