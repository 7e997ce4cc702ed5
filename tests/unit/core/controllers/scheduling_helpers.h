/*
 * Test helpers shared by the scheduling tests (scheduler wiring, node
 * lifecycle, taint eviction, disruption): clusters, Node and Lease objects
 * made by hand (the node agent is another slice), JSON reads, and waits.
 * Each test file is its own program; everything here is static.
 */
#ifndef TEST_SCHEDULING_HELPERS_H
#define TEST_SCHEDULING_HELPERS_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libkube/libkube.h"

/* A started in-memory cluster; @p manual_ms non-zero: manual clock from then. */
static __attribute__((unused)) kube_cluster *sh_start(int64_t manual_ms)
{
	kube_cluster *c;

	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	if (manual_ms)
		kube_cluster_use_manual_clock(c, manual_ms);
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

/* Apply a manifest (YAML or JSON); fails the test on error. */
static __attribute__((unused)) void sh_apply(kube_cluster *c, const char *manifest)
{
	int err = kube_apply(c, manifest, NULL);

	cr_assert_eq(err, 0, "apply failed (%d): %s\n%s", err, kube_last_status() ?: "", manifest);
}

/* The object as JSON (owned), or NULL when absent. */
static __attribute__((unused)) json_t *sh_get(kube_cluster *c, const char *res, const char *ns, const char *name)
{
	char *out = NULL;
	json_t *j;

	if (kube_get(c, res, ns, name, &out))
		return NULL;
	j = json_loads(out, 0, NULL);
	kube_free(out);
	return j;
}

/* A string at a dotted path ("spec.nodeName") of a fresh read, copied into buf ("" when absent). */
static __attribute__((unused)) const char *sh_str(kube_cluster *c, const char *res, const char *ns, const char *name,
			  const char *path, char *buf, size_t len)
{
	json_t *j = sh_get(c, res, ns, name), *v = j;
	char p[256], *save = NULL, *part;

	snprintf(p, sizeof(p), "%s", path);
	for (part = strtok_r(p, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
		v = json_object_get(v, part);
	snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "");
	json_decref(j);
	return buf;
}

/* Condition @p type of an object (copied), or NULL. */
static __attribute__((unused)) json_t *sh_condition(kube_cluster *c, const char *res, const char *ns, const char *name,
			    const char *type)
{
	json_t *j = sh_get(c, res, ns, name), *cond, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(j, "status"), "conditions"), i, cond)
		if (!strcmp(json_string_value(json_object_get(cond, "type")) ?: "", type))
			found = json_incref(cond);
	json_decref(j);
	return found;
}

/* Update the status of an object: @p status_json replaces status. */
static __attribute__((unused)) void sh_set_status(kube_cluster *c, const char *res, const char *ns, const char *name,
			  json_t *status)
{
	json_t *j = sh_get(c, res, ns, name);
	char *text;

	cr_assert(j, "%s %s not found", res, name);
	json_object_set_new(j, "status", status);
	json_object_del(json_object_get(j, "metadata"), "resourceVersion");
	text = json_dumps(j, 0);
	cr_assert_eq(kube_update_status(c, text, NULL), 0, "update_status %s", name);
	free(text);
	json_decref(j);
}

/*
 * A Node made by hand, Ready, with @p cpu and @p memory allocatable, labels
 * and taints as JSON texts (NULL: none). Also its Lease in kube-node-lease,
 * renewed "now" (cluster time @p now_rfc3339, NULL: no Lease).
 */
static __attribute__((unused)) void sh_node(kube_cluster *c, const char *name, const char *cpu, const char *memory,
		    const char *labels, const char *taints, const char *now_rfc3339)
{
	char buf[4096];
	json_t *res;

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\","
		 "\"labels\":%s},\"spec\":{\"taints\":%s}}", name, labels ? labels : "{}",
		 taints ? taints : "[]");
	sh_apply(c, buf);
	res = json_pack("{s:s, s:s, s:s}", "cpu", cpu, "memory", memory, "pods", "110");
	sh_set_status(c, "nodes", NULL, name,
		      json_pack("{s:O, s:O, s:[{s:s, s:s, s:s, s:s, s:s?, s:s?}]}", "capacity", res,
				"allocatable", res, "conditions", "type", "Ready", "status", "True",
				"reason", "KubeletReady", "message", "kubelet is posting ready status",
				"lastHeartbeatTime", now_rfc3339, "lastTransitionTime", now_rfc3339));
	json_decref(res);
	if (!now_rfc3339)
		return;
	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":"
		 "{\"name\":\"%s\",\"namespace\":\"kube-node-lease\"},\"spec\":{\"holderIdentity\":"
		 "\"%s\",\"leaseDurationSeconds\":40,\"renewTime\":\"%s\"}}", name, name, now_rfc3339);
	sh_apply(c, buf);
}

/* A bare pod (busybox) with extra spec JSON members (e.g. "\"nodeSelector\":{...}"). */
static __attribute__((unused)) void sh_pod(kube_cluster *c, const char *ns, const char *name, const char *cpu,
		   const char *extra_spec)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"%s\",\"labels\":{\"app\":\"%s\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
		 "\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"%s\"}}}]%s%s}}",
		 name, ns, name, cpu, extra_spec ? "," : "", extra_spec ? extra_spec : "");
	sh_apply(c, buf);
}

/* Wait until jsonpath @p path of the object equals @p value. */
static __attribute__((unused)) int sh_wait(kube_cluster *c, const char *res, const char *ns, const char *name,
		   const char *path, const char *value)
{
	char cond[256];

	snprintf(cond, sizeof(cond), "jsonpath={.%s}=%s", path, value);
	return kube_wait(c, res, ns, name, cond, 5000);
}

/* The message of the newest Event with @p reason about object @p name ("" if none), into buf. */
static __attribute__((unused)) const char *sh_event(kube_cluster *c, const char *ns, const char *name, const char *reason,
			    char *buf, size_t len)
{
	char *out = NULL;
	json_t *list, *ev;
	size_t i;

	buf[0] = 0;
	if (kube_list(c, "events", ns, NULL, NULL, &out))
		return buf;
	list = json_loads(out, 0, NULL);
	kube_free(out);
	json_array_foreach(json_object_get(list, "items"), i, ev) {
		const json_t *io = json_object_get(ev, "involvedObject");

		if (!strcmp(json_string_value(json_object_get(io, "name")) ?: "", name) &&
		    !strcmp(json_string_value(json_object_get(ev, "reason")) ?: "", reason))
			snprintf(buf, len, "%s", json_string_value(json_object_get(ev, "message")) ?: "");
	}
	json_decref(list);
	return buf;
}

/* Poll (briefly) until an event with @p reason about @p name exists; its message. */
static __attribute__((unused)) const char *sh_wait_event(kube_cluster *c, const char *ns, const char *name,
				 const char *reason, char *buf, size_t len)
{
	for (int i = 0; i < 500 && !*sh_event(c, ns, name, reason, buf, len); i++)
		usleep(2000);
	return buf;
}

#endif
