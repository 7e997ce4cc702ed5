/*
 * Static pods: manifests in a node's directory run there as mirror pods.
 */
#include "runtime_fixture.h"

Test(static_pods, mirror_pod_owned_by_the_node_and_made_again)
{
	kube_cluster *c = start_cluster(true);
	kube_node_config cfg;
	json_t *p, *n;

	kube_node_config_init(&cfg);
	cfg.name = "node-1";
	cfg.static_pod_dir = KUBE_SOURCE_DIR "/tests/unit/runtime/data/manifests";
	cr_assert_eq(kube_node_add(c, &cfg), 0, "%s", kube_last_status());
	p = wait_obj(c, "pods", "kube-system", "etcd-node-1", pod_ready, NULL);
	n = get_obj(c, "nodes", NULL, "node-1");
	cr_assert_str_eq(str_at(p, "spec.nodeName"), "node-1");
	cr_assert_str_eq(json_string_value(json_object_get(tu_at(p, "metadata.labels"), "component")), "etcd");
	cr_assert(json_object_get(tu_at(p, "metadata.annotations"), "kubernetes.io/config.mirror"));
	cr_assert_str_eq(json_string_value(json_object_get(tu_at(p, "metadata.annotations"),
			 "kubernetes.io/config.source")), "file");
	cr_assert_str_eq(str_at(p, "metadata.ownerReferences.0.kind"), "Node");
	cr_assert_str_eq(str_at(p, "metadata.ownerReferences.0.uid"), str_at(n, "metadata.uid"));
	cr_assert_str_eq(str_at(p, "status.containerStatuses.0.image"), "registry.k8s.io/etcd:3.5.16-0");
	char uid[64];
	snprintf(uid, sizeof(uid), "%s", str_at(p, "metadata.uid"));
	json_decref(p);
	json_decref(n);
	/* deleted through the API, the mirror pod comes back */
	cr_assert_eq(kube_delete(c, "pods", "kube-system", "etcd-node-1", KUBE_PROPAGATION_DEFAULT), 0);
	for (int i = 0; i < 2000; i++) {
		p = get_obj(c, "pods", "kube-system", "etcd-node-1");
		if (p && strcmp(str_at(p, "metadata.uid"), uid) && pod_ready(p, NULL))
			break;
		json_decref(p);
		p = NULL;
		usleep(2000);
	}
	cr_assert_not_null(p, "the mirror pod is made again");
	json_decref(p);
	kube_cluster_free(c);
}
