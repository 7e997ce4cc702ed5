/*
 * Helpers for the cluster-level scheduler tests: a cluster (optionally with
 * a KubeSchedulerConfiguration), simulated nodes through kube_node_add,
 * pods from short YAML specs, and waits for the scheduling outcome.
 */
#ifndef KUBE_TEST_SCHED_CLUSTER_HELPERS_H
#define KUBE_TEST_SCHED_CLUSTER_HELPERS_H

#include "../core/controllers/scheduling_helpers.h"

#define NS "default"

/* A started in-memory cluster whose scheduler reads @p sched_config (NULL: defaults). */
static __attribute__((unused)) kube_cluster *ch_start(const char *sched_config)
{
	kube_config cfg;
	kube_cluster *c;

	kube_config_init(&cfg);
	cfg.scheduler_config = sched_config;
	cr_assert_eq(kube_cluster_new(&c, &cfg), 0, "%s", kube_last_status() ?: "");
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

/* A simulated worker node; @p labels and @p taints NULL-terminated or NULL. */
static __attribute__((unused)) void ch_node(kube_cluster *c, const char *name, const char *cpu,
					    const char *const *labels, const char *const *taints)
{
	kube_node_config nc;

	kube_node_config_init(&nc);
	nc.name = name;
	nc.cpu = cpu;
	nc.role = KUBE_NODE_ROLE_WORKER;
	nc.labels = labels;
	nc.taints = taints;
	cr_assert_eq(kube_node_add(c, &nc), 0, "node %s: %s", name, kube_last_status() ?: "");
}

/*
 * A pod in @p ns labelled app=<app> (app NULL: the pod's name) with one
 * busybox container requesting @p cpu, and @p spec extra spec lines (YAML,
 * two-space indented, may be NULL).
 */
static __attribute__((unused)) void ch_pod(kube_cluster *c, const char *ns, const char *name,
					   const char *app, const char *cpu, const char *spec)
{
	char buf[8192];

	snprintf(buf, sizeof(buf),
		 "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n"
		 "  labels: {app: %s}\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
		 "    resources: {requests: {cpu: \"%s\"}}\n%s",
		 name, ns, app ? app : name, cpu, spec ? spec : "");
	sh_apply(c, buf);
}

/* Wait until the pod is bound; its node into buf. */
static __attribute__((unused)) const char *ch_bound(kube_cluster *c, const char *ns,
						    const char *name, char *buf, size_t len)
{
	cr_assert_eq(kube_wait(c, "pods", ns, name, "condition=PodScheduled", 5000), 0,
		     "%s/%s not scheduled", ns, name);
	return sh_str(c, "pods", ns, name, "spec.nodeName", buf, len);
}

/* Wait until the pod is found unschedulable; the condition's message into buf. */
static __attribute__((unused)) const char *ch_unsched(kube_cluster *c, const char *ns,
						      const char *name, char *buf, size_t len)
{
	json_t *cond;

	cr_assert_eq(kube_wait(c, "pods", ns, name, "condition=PodScheduled=false", 5000), 0,
		     "%s/%s not found unschedulable", ns, name);
	cond = sh_condition(c, "pods", ns, name, "PodScheduled");
	cr_assert_str_eq(json_string_value(json_object_get(cond, "reason")), "Unschedulable");
	snprintf(buf, len, "%s", json_string_value(json_object_get(cond, "message")) ?: "");
	json_decref(cond);
	return buf;
}

/* The node of a bound pod, as a short assertion. */
#define ASSERT_ON(c, ns, name, node)                                               \
	do {                                                                       \
		char b_[128];                                                      \
		cr_assert_str_eq(ch_bound(c, ns, name, b_, sizeof(b_)), node, "%s", name); \
	} while (0)

#define ASSERT_UNSCHED(c, ns, name, msg)                                           \
	do {                                                                       \
		char b_[1024];                                                     \
		cr_assert_str_eq(ch_unsched(c, ns, name, b_, sizeof(b_)), msg, "%s", name); \
	} while (0)

#endif
