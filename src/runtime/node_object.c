/*
 * The Node and Lease objects a node agent registers, as the kubelet writes
 * them: labels, taints, capacity, conditions with the kubelet's reasons and
 * messages, addresses and nodeInfo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "core/ops.h"
#include "core/quantity.h"
#include "core/status.h"
#include "runtime/node.h"

const char *kube__microtime(int64_t ms, char *buf, size_t len)
{
	char sec[32];

	kube__rfc3339(ms - ms % 1000, sec, sizeof(sec));
	sec[strlen(sec) - 1] = '\0';
	snprintf(buf, len, "%s.%03d000Z", sec, (int)(ms % 1000));
	return buf;
}

static const char *go_arch(const char *machine)
{
	if (!strcmp(machine, "x86_64"))
		return "amd64";
	if (!strcmp(machine, "aarch64"))
		return "arm64";
	if (!strncmp(machine, "arm", 3))
		return "arm";
	return machine;
}

/* PRETTY_NAME from /etc/os-release, as the kubelet reads it. */
static void os_image(char *buf, size_t len)
{
	FILE *f = fopen("/etc/os-release", "r");
	char line[256];

	snprintf(buf, len, "Linux");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "PRETTY_NAME=", 12))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + 12 + (line[12] == '"'));
		if (buf[0] && buf[strlen(buf) - 1] == '"')
			buf[strlen(buf) - 1] = '\0';
	}
	if (f)
		fclose(f);
}

static json_t *node_info(struct node_agent *a)
{
	struct utsname u;
	char os[256], boot[37], machine[37];

	uname(&u);
	os_image(os, sizeof(os));
	kube__uuid(boot);
	kube__uuid(machine);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "architecture", go_arch(u.machine), "bootID", boot,
			 "containerRuntimeVersion", a->rt->version, "kernelVersion", u.release,
			 "kubeProxyVersion", "", "kubeletVersion", KUBELET_VERSION,
			 "machineID", machine, "operatingSystem", "linux", "osImage", os,
			 "systemUUID", machine);
}

static json_t *condition(const char *type, const char *status, const char *reason,
			 const char *msg, const char *now)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "lastHeartbeatTime", now,
			 "lastTransitionTime", now, "message", msg, "reason", reason,
			 "status", status, "type", type);
}

static json_t *conditions(const char *now)
{
	return json_pack("[o, o, o, o]",
		condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
			  "kubelet has sufficient memory available", now),
		condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
			  "kubelet has no disk pressure", now),
		condition("PIDPressure", "False", "KubeletHasSufficientPID",
			  "kubelet has sufficient PID available", now),
		condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now));
}

void kube__node_heartbeat(struct node_agent *a, json_t *node)
{
	json_t *cond;
	size_t i;
	char now[32];

	kube__rfc3339(kube__now_ms(a->c), now, sizeof(now));
	json_array_foreach(json_object_get(json_object_get(node, "status"), "conditions"), i, cond)
		json_object_set_new(cond, "lastHeartbeatTime", json_string(now));
}

static int quantity(json_t *res, const char *name, const char *given, const char *def,
		    json_t **st)
{
	struct kube_quantity q;
	const char *v = given ? given : def;

	if (kube__quantity_parse(v, &q))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "node %s: invalid quantity \"%s\"", name, v);
	json_object_set_new(res, name, json_string(v));
	return 0;
}

static json_t *capacity(struct node_agent *a, const kube_node_config *cfg, json_t **st)
{
	json_t *res = json_object();
	char cpu[32], mem[48];
	bool host = !strcmp(a->rt->name, "process");

	snprintf(cpu, sizeof(cpu), "%u", host ? uv_available_parallelism() : 8);
	snprintf(mem, sizeof(mem), host ? "%lluKi" : "32Gi",
		 (unsigned long long)(uv_get_total_memory() / 1024));
	if (quantity(res, "cpu", cfg->cpu, cpu, st) ||
	    quantity(res, "ephemeral-storage", cfg->ephemeral_storage, "100Gi", st) ||
	    quantity(res, "memory", cfg->memory, mem, st) ||
	    quantity(res, "pods", cfg->pods, "110", st)) {
		json_decref(res);
		return NULL;
	}
	json_object_set_new(res, "hugepages-1Gi", json_string("0"));
	json_object_set_new(res, "hugepages-2Mi", json_string("0"));
	return res;
}

static json_t *labels(struct node_agent *a, const kube_node_config *cfg, bool cp, json_t **st)
{
	struct utsname u;
	json_t *l;

	uname(&u);
	l = json_pack("{s:s, s:s, s:s, s:s, s:s}", "beta.kubernetes.io/arch", go_arch(u.machine),
		      "beta.kubernetes.io/os", "linux", "kubernetes.io/arch", go_arch(u.machine),
		      "kubernetes.io/hostname", a->name, "kubernetes.io/os", "linux");
	if (cp)
		json_object_set_new(l, "node-role.kubernetes.io/control-plane", json_string(""));
	for (int i = 0; cfg->labels && cfg->labels[i]; i++) {
		const char *eq = strchr(cfg->labels[i], '=');
		char *key;

		if (!eq || eq == cfg->labels[i]) {
			json_decref(l);
			return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
					  "node label \"%s\" is not key=value", cfg->labels[i]), NULL;
		}
		key = strndup(cfg->labels[i], (size_t)(eq - cfg->labels[i]));
		json_object_set_new(l, key, json_string(eq + 1));
		free(key);
	}
	return l;
}

/* "key=value:Effect" or "key:Effect" as a Taint. */
static json_t *taint(const char *s, json_t **st)
{
	const char *colon = strrchr(s, ':'), *eq = strchr(s, '=');
	json_t *t;

	if (!colon || colon == s || (strcmp(colon + 1, "NoSchedule") &&
	    strcmp(colon + 1, "PreferNoSchedule") && strcmp(colon + 1, "NoExecute")))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "invalid taint spec: %s, unsupported taint effect", s), NULL;
	if (eq && eq > colon)
		eq = NULL;
	t = json_object();
	json_object_set_new(t, "key", json_stringn(s, (size_t)((eq ? eq : colon) - s)));
	if (eq)
		json_object_set_new(t, "value", json_stringn(eq + 1, (size_t)(colon - eq - 1)));
	json_object_set_new(t, "effect", json_string(colon + 1));
	return t;
}

static json_t *taints(const kube_node_config *cfg, bool cp, json_t **st)
{
	json_t *arr = json_array(), *t;

	if (cp && cfg->taint_control_plane)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "key",
			"node-role.kubernetes.io/control-plane", "effect", "NoSchedule"));
	for (int i = 0; cfg->taints && cfg->taints[i]; i++) {
		if (!(t = taint(cfg->taints[i], st))) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, t);
	}
	return arr;
}

static json_t *node_status(struct node_agent *a, json_t *cap)
{
	char now[32];

	kube__rfc3339(kube__now_ms(a->c), now, sizeof(now));
	return json_pack("{s:O, s:o, s:o, s:[{s:s, s:s}, {s:s, s:s}], s:{s:{s:i}}, s:o}",
			 "capacity", cap, "allocatable", json_deep_copy(cap),
			 "conditions", conditions(now),
			 "addresses", "type", "InternalIP", "address", a->address,
			 "type", "Hostname", "address", a->name,
			 "daemonEndpoints", "kubeletEndpoint", "Port", 10250,
			 "nodeInfo", node_info(a));
}

json_t *kube__node_object(struct node_agent *a, const kube_node_config *cfg, bool first,
			  json_t **st)
{
	bool cp = cfg->role == KUBE_NODE_ROLE_CONTROL_PLANE ||
		  (cfg->role == KUBE_NODE_ROLE_AUTO && first);
	json_t *l = labels(a, cfg, cp, st), *t = l ? taints(cfg, cp, st) : NULL;
	json_t *cap = t ? capacity(a, cfg, st) : NULL, *node;
	char cidr[32];

	if (!cap) {
		json_decref(l);
		json_decref(t);
		return NULL;
	}
	snprintf(cidr, sizeof(cidr), "10.42.%d.0/24", a->index);
	node = json_pack("{s:s, s:s, s:{s:s, s:o, s:{s:s, s:s}}, s:{s:s, s:[s]}, s:o}",
			 "apiVersion", "v1", "kind", "Node",
			 "metadata", "name", a->name, "labels", l, "annotations",
			 "node.alpha.kubernetes.io/ttl", "0",
			 "volumes.kubernetes.io/controller-managed-attach-detach", "true",
			 "spec", "podCIDR", cidr, "podCIDRs", cidr,
			 "status", node_status(a, cap));
	if (json_array_size(t))
		json_object_set_new(json_object_get(node, "spec"), "taints", t);
	else
		json_decref(t);
	json_decref(cap);
	return node;
}

json_t *kube__node_lease(struct node_agent *a)
{
	char now[40];

	kube__microtime(kube__now_ms(a->c), now, sizeof(now));
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:[{s:s, s:s, s:s, s:s}]},"
			 " s:{s:s, s:i, s:s}}",
			 "apiVersion", "coordination.k8s.io/v1", "kind", "Lease",
			 "metadata", "name", a->name, "namespace", "kube-node-lease",
			 "ownerReferences", "apiVersion", "v1", "kind", "Node", "name", a->name,
			 "uid", a->node_uid ? a->node_uid : "",
			 "spec", "holderIdentity", a->name, "leaseDurationSeconds", NODE_LEASE_SECONDS,
			 "renewTime", now);
}
