/*
 * Core group tables from upstream's printers.go: Node, Namespace, Service,
 * Endpoints, ConfigMap, Secret, ServiceAccount, ReplicationController,
 * ResourceQuota; and the API server's default table for kinds without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

#define COL_NAME { "Name", "string", "name", KUBE_DOC_META_NAME, 0 }
#define COL_AGE { "Age", "string", "", KUBE_DOC_META_CREATED, 0 }

/* ---- Node ---- */

static const struct kube_column node_columns[] = {
	COL_NAME,
	{ "Status", "string", "", "The status of the node", 0 },
	{ "Roles", "string", "", "The roles of the node", 0 },
	COL_AGE,
	{ "Version", "string", "", KUBE_DOC_NODE_KUBELET, 0 },
	{ "Internal-IP", "string", "", KUBE_DOC_NODE_ADDRESSES, 1 },
	{ "External-IP", "string", "", KUBE_DOC_NODE_ADDRESSES, 1 },
	{ "OS-Image", "string", "", KUBE_DOC_NODE_OSIMAGE, 1 },
	{ "Kernel-Version", "string", "", KUBE_DOC_NODE_KERNEL, 1 },
	{ "Container-Runtime", "string", "", KUBE_DOC_NODE_RUNTIME, 1 },
};

/* "Ready", "NotReady" or "Unknown" from the Ready condition, then
 * ",SchedulingDisabled" for a cordoned node. */
static int node_status_cell(json_t *cells, const json_t *node)
{
	const json_t *c, *ready = NULL;
	struct kube_sb sb = { 0 };
	size_t i;

	/* upstream keeps the last condition of each type */
	json_array_foreach(kube__jget(node, "status.conditions"), i, c)
		if (!strcmp(kube__jstr0(c, "type"), "Ready"))
			ready = c;
	if (!ready)
		kube__sb_puts(&sb, "Unknown");
	else
		kube__sb_puts(&sb, strcmp(kube__jstr0(ready, "status"), "True") ? "NotReady" : "Ready");
	if (json_is_true(kube__jget(node, "spec.unschedulable")))
		kube__sb_puts(&sb, ",SchedulingDisabled");
	return kube__sb_cell(cells, &sb);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* findNodeRoles: node-role.kubernetes.io/<role> keys and a kubernetes.io/role
 * value, sorted and deduplicated, joined by ","; "<none>" when there are none. */
static int node_roles_cell(json_t *cells, const json_t *node)
{
	const json_t *labels = kube__jget(node, "metadata.labels");
	const char **roles = calloc(json_object_size(labels) + 1, sizeof(*roles)), *k;
	struct kube_sb sb = { 0 };
	size_t n = 0;
	json_t *v;

	if (!roles)
		return -1;
	json_object_foreach((json_t *)labels, k, v) {
		if (!strncmp(k, "node-role.kubernetes.io/", 24) && k[24])
			roles[n++] = k + 24;
		else if (!strcmp(k, "kubernetes.io/role") && *(json_string_value(v) ?: ""))
			roles[n++] = json_string_value(v);
	}
	qsort(roles, n, sizeof(*roles), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(roles[i], roles[i - 1]))
			kube__sb_printf(&sb, "%s%s", sb.len ? "," : "", roles[i]);
	if (!n)
		kube__sb_puts(&sb, "<none>");
	free(roles);
	return kube__sb_cell(cells, &sb);
}

static const char *node_address(const json_t *node, const char *type)
{
	const json_t *a;
	size_t i;

	json_array_foreach(kube__jget(node, "status.addresses"), i, a)
		if (!strcmp(kube__jstr0(a, "type"), type))
			return kube__jstr0(a, "address");
	return "<none>";
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "<unknown>";
}

static int node_row(const json_t *node, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, node);

	failed |= node_status_cell(cells, node);
	failed |= node_roles_cell(cells, node);
	failed |= kube__cell_age(cells, node, now_ms);
	failed |= kube__cell_str(cells, kube__jstr(node, "status.nodeInfo.kubeletVersion"));
	failed |= kube__cell_str(cells, node_address(node, "InternalIP"));
	failed |= kube__cell_str(cells, node_address(node, "ExternalIP"));
	failed |= kube__cell_str(cells, or_unknown(kube__jstr(node, "status.nodeInfo.osImage")));
	failed |= kube__cell_str(cells, or_unknown(kube__jstr(node, "status.nodeInfo.kernelVersion")));
	failed |= kube__cell_str(cells, or_unknown(kube__jstr(node, "status.nodeInfo.containerRuntimeVersion")));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_node = KUBE_PRINTER(node_columns, node_row);

/* ---- Namespace, ConfigMap, Secret, ServiceAccount ---- */

static const struct kube_column namespace_columns[] = {
	COL_NAME,
	{ "Status", "string", "", "The status of the namespace", 0 },
	COL_AGE,
};

static int namespace_row(const json_t *ns, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, ns);

	failed |= kube__cell_str(cells, kube__jstr(ns, "status.phase"));
	failed |= kube__cell_age(cells, ns, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_namespace = KUBE_PRINTER(namespace_columns, namespace_row);

static const struct kube_column configmap_columns[] = {
	COL_NAME,
	{ "Data", "string", "", KUBE_DOC_CM_DATA, 0 },
	COL_AGE,
};

static int configmap_row(const json_t *cm, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, cm);

	failed |= kube__cell_int(cells, (json_int_t)(kube__jlen(cm, "data") + kube__jlen(cm, "binaryData")));
	failed |= kube__cell_age(cells, cm, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_configmap = KUBE_PRINTER(configmap_columns, configmap_row);

static const struct kube_column secret_columns[] = {
	COL_NAME,
	{ "Type", "string", "", KUBE_DOC_SECRET_TYPE, 0 },
	{ "Data", "string", "", KUBE_DOC_SECRET_DATA, 0 },
	COL_AGE,
};

static int secret_row(const json_t *s, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, s);

	failed |= kube__cell_str(cells, kube__jstr(s, "type"));
	failed |= kube__cell_int(cells, (json_int_t)kube__jlen(s, "data"));
	failed |= kube__cell_age(cells, s, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_secret = KUBE_PRINTER(secret_columns, secret_row);

static const struct kube_column serviceaccount_columns[] = {
	COL_NAME,
	{ "Secrets", "string", "", KUBE_DOC_SA_SECRETS, 0 },
	COL_AGE,
};

static int serviceaccount_row(const json_t *sa, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, sa);

	failed |= kube__cell_int(cells, (json_int_t)kube__jlen(sa, "secrets"));
	failed |= kube__cell_age(cells, sa, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_serviceaccount =
	KUBE_PRINTER(serviceaccount_columns, serviceaccount_row);

/* ---- ReplicationController ---- */

static const struct kube_column rc_columns[] = {
	COL_NAME,
	{ "Desired", "integer", "", KUBE_DOC_RC_SPEC_REPLICAS, 0 },
	{ "Current", "integer", "", KUBE_DOC_RC_STATUS_REPLICAS, 0 },
	{ "Ready", "integer", "", KUBE_DOC_RC_READY, 0 },
	COL_AGE,
	{ "Containers", "string", "", "Names of each container in the template.", 1 },
	{ "Images", "string", "", "Images referenced by each container in the template.", 1 },
	{ "Selector", "string", "", KUBE_DOC_RC_SELECTOR, 1 },
};

static int rc_row(const json_t *rc, int64_t now_ms, json_t *cells)
{
	struct kube_sb sel = { 0 };
	int failed = kube__cell_name(cells, rc);

	/* spec.replicas defaults to 1 */
	failed |= kube__cell_int(cells, kube__jint(rc, "spec.replicas", 1));
	failed |= kube__cell_int(cells, kube__jint(rc, "status.replicas", 0));
	failed |= kube__cell_int(cells, kube__jint(rc, "status.readyReplicas", 0));
	failed |= kube__cell_age(cells, rc, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(rc, "spec.template.spec.containers"));
	kube__format_labels(&sel, kube__jget(rc, "spec.selector"));
	failed |= kube__sb_cell(cells, &sel);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_rc = KUBE_PRINTER(rc_columns, rc_row);

/* ---- ResourceQuota ---- */

static const struct kube_column resourcequota_columns[] = {
	COL_NAME,
	{ "Request", "string", "", "Request represents a minimum amount of cpu/memory that a container may consume.", 0 },
	{ "Limit", "string", "", "Limits control the maximum amount of cpu/memory that a container may use "
	  "independent of contention on the node.", 0 },
	COL_AGE,
};

/* "<resource>: <used>/<hard>, ..." over status.hard in name order; resources
 * named limits.* go to the Limit column. Quantities print as stored (the API
 * keeps them canonical); a resource with no usage yet shows "0". */
static int resourcequota_row(const json_t *rq, int64_t now_ms, json_t *cells)
{
	const json_t *hard = kube__jget(rq, "status.hard"), *used = kube__jget(rq, "status.used");
	const char **keys = calloc(json_object_size(hard) + 1, sizeof(*keys)), *k;
	struct kube_sb req = { 0 }, lim = { 0 };
	size_t n = 0;
	json_t *v;
	int failed;

	if (!keys)
		return kube__cells_done(1);
	json_object_foreach((json_t *)hard, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct kube_sb *w = strncmp(keys[i], "limits.", 7) ? &req : &lim;
		kube__sb_printf(w, "%s%s: %s/%s", w->len ? ", " : "", keys[i],
				json_string_value(json_object_get(used, keys[i])) ?: "0",
				json_string_value(json_object_get(hard, keys[i])) ?: "0");
	}
	free(keys);
	failed = kube__cell_name(cells, rq);
	failed |= kube__sb_cell(cells, &req);
	failed |= kube__sb_cell(cells, &lim);
	failed |= kube__cell_age(cells, rq, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_resourcequota =
	KUBE_PRINTER(resourcequota_columns, resourcequota_row);

/* ---- the default table ---- */

static const struct kube_column default_columns[] = {
	COL_NAME,
	{ "Created At", "date", "", KUBE_DOC_META_CREATED, 0 },
};

/* creationTimestamp as Time.UTC().Format(time.RFC3339); Go's zero time
 * when absent. */
static int default_row(const json_t *obj, int64_t now_ms, json_t *cells)
{
	int64_t t = kube__parse_time(kube__jstr(obj, "metadata.creationTimestamp"));
	char buf[64] = "0001-01-01T00:00:00Z";
	int failed = kube__cell_name(cells, obj);

	if (t != KUBE_TIME_ZERO) {
		/* floor to whole seconds, also before 1970 */
		time_t secs = (time_t)((t - ((t % 1000) + 1000) % 1000) / 1000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	failed |= kube__cell_str(cells, buf);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_default = KUBE_PRINTER(default_columns, default_row);
