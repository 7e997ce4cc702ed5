/*
 * apps/v1 tables from upstream's printers.go: Deployment, ReplicaSet,
 * StatefulSet, DaemonSet, ControllerRevision.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

#define COL_NAME { "Name", "string", "name", KUBE_DOC_META_NAME, 0 }
#define COL_AGE { "Age", "string", "", KUBE_DOC_META_CREATED, 0 }
#define COL_CONTAINERS { "Containers", "string", "", "Names of each container in the template.", 1 }
#define COL_IMAGES { "Images", "string", "", "Images referenced by each container in the template.", 1 }

/* "ready/desired"; spec.replicas defaults to 1. */
static int ready_cell(json_t *cells, const json_t *obj)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%lld/%lld", (long long)kube__jint(obj, "status.readyReplicas", 0),
		 (long long)kube__jint(obj, "spec.replicas", 1));
	return kube__cell_str(cells, buf);
}

/* ---- Deployment ---- */

static const struct kube_column deployment_columns[] = {
	COL_NAME,
	{ "Ready", "string", "", "Number of the pod with ready state", 0 },
	{ "Up-to-date", "string", "", KUBE_DOC_DEPLOY_UPDATED, 0 },
	{ "Available", "string", "", KUBE_DOC_DEPLOY_AVAILABLE, 0 },
	COL_AGE,
	COL_CONTAINERS,
	COL_IMAGES,
	{ "Selector", "string", "", KUBE_DOC_DEPLOY_SELECTOR, 1 },
};

/* The selector as LabelSelectorAsSelector(...).String(): "" when empty,
 * "<invalid>" when it does not convert. */
static int deployment_selector_cell(json_t *cells, const json_t *d)
{
	struct kube_sb sb = { 0 };

	if (kube__format_selector(&sb, kube__jget(d, "spec.selector")) < 0)
		kube__sb_puts(&sb, "<invalid>");
	return kube__sb_cell(cells, &sb);
}

static int deployment_row(const json_t *d, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, d);

	failed |= ready_cell(cells, d);
	failed |= kube__cell_int(cells, kube__jint(d, "status.updatedReplicas", 0));
	failed |= kube__cell_int(cells, kube__jint(d, "status.availableReplicas", 0));
	failed |= kube__cell_age(cells, d, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(d, "spec.template.spec.containers"));
	failed |= deployment_selector_cell(cells, d);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_deployment = KUBE_PRINTER(deployment_columns, deployment_row);

/* ---- ReplicaSet ---- */

static const struct kube_column replicaset_columns[] = {
	COL_NAME,
	{ "Desired", "integer", "", KUBE_DOC_RS_SPEC_REPLICAS, 0 },
	{ "Current", "integer", "", KUBE_DOC_RS_STATUS_REPLICAS, 0 },
	{ "Ready", "integer", "", KUBE_DOC_RS_READY, 0 },
	COL_AGE,
	COL_CONTAINERS,
	COL_IMAGES,
	{ "Selector", "string", "", KUBE_DOC_RS_SELECTOR, 1 },
};

static int replicaset_row(const json_t *rs, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, rs);

	failed |= kube__cell_int(cells, kube__jint(rs, "spec.replicas", 1));
	failed |= kube__cell_int(cells, kube__jint(rs, "status.replicas", 0));
	failed |= kube__cell_int(cells, kube__jint(rs, "status.readyReplicas", 0));
	failed |= kube__cell_age(cells, rs, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(rs, "spec.template.spec.containers"));
	failed |= kube__cell_selector(cells, kube__jget(rs, "spec.selector"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_replicaset = KUBE_PRINTER(replicaset_columns, replicaset_row);

/* ---- StatefulSet ---- */

static const struct kube_column statefulset_columns[] = {
	COL_NAME,
	{ "Ready", "string", "", "Number of the pod with ready state", 0 },
	COL_AGE,
	COL_CONTAINERS,
	COL_IMAGES,
};

static int statefulset_row(const json_t *sts, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, sts);

	failed |= ready_cell(cells, sts);
	failed |= kube__cell_age(cells, sts, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(sts, "spec.template.spec.containers"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_statefulset = KUBE_PRINTER(statefulset_columns, statefulset_row);

/* ---- DaemonSet ---- */

static const struct kube_column daemonset_columns[] = {
	COL_NAME,
	{ "Desired", "integer", "", KUBE_DOC_DS_DESIRED, 0 },
	{ "Current", "integer", "", KUBE_DOC_DS_CURRENT, 0 },
	{ "Ready", "integer", "", KUBE_DOC_DS_READY, 0 },
	{ "Up-to-date", "integer", "", KUBE_DOC_DS_UPDATED, 0 },
	{ "Available", "integer", "", KUBE_DOC_DS_AVAILABLE, 0 },
	{ "Node Selector", "string", "", KUBE_DOC_POD_NODESELECTOR, 0 },
	COL_AGE,
	COL_CONTAINERS,
	COL_IMAGES,
	{ "Selector", "string", "", KUBE_DOC_DS_SELECTOR, 1 },
};

static int daemonset_row(const json_t *ds, int64_t now_ms, json_t *cells)
{
	static const char *const counts[] = {
		"status.desiredNumberScheduled", "status.currentNumberScheduled", "status.numberReady",
		"status.updatedNumberScheduled", "status.numberAvailable",
	};
	struct kube_sb nodesel = { 0 };
	int failed = kube__cell_name(cells, ds);

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		failed |= kube__cell_int(cells, kube__jint(ds, counts[i], 0));
	kube__format_labels(&nodesel, kube__jget(ds, "spec.template.spec.nodeSelector"));
	failed |= kube__sb_cell(cells, &nodesel);
	failed |= kube__cell_age(cells, ds, now_ms);
	failed |= kube__cells_containers(cells, kube__jget(ds, "spec.template.spec.containers"));
	failed |= kube__cell_selector(cells, kube__jget(ds, "spec.selector"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_daemonset = KUBE_PRINTER(daemonset_columns, daemonset_row);

/* ---- ControllerRevision ---- */

static const struct kube_column controllerrevision_columns[] = {
	COL_NAME,
	{ "Controller", "string", "", "Controller of the object", 0 },
	{ "Revision", "string", "", KUBE_DOC_CR_REVISION, 0 },
	COL_AGE,
};

/* The controlling owner as "kind.group/name" lower-cased ("daemonset.apps/x"),
 * "<none>" without one. */
static int controller_cell(json_t *cells, const json_t *obj)
{
	const json_t *ref, *owner = NULL;
	struct kube_sb sb = { 0 };
	const char *api, *slash;
	size_t i;

	json_array_foreach(kube__jget(obj, "metadata.ownerReferences"), i, ref)
		if (json_is_true(kube__jget(ref, "controller"))) {
			owner = ref;
			break;
		}
	if (!owner)
		return kube__cell_str(cells, "<none>");
	api = kube__jstr0(owner, "apiVersion");
	slash = strchr(api, '/');
	if (!*kube__jstr0(owner, "kind") && (!slash || slash == api))
		return kube__cell_str(cells, kube__jstr0(owner, "name")); /* an empty GroupKind */
	for (const char *k = kube__jstr0(owner, "kind"); *k; k++)
		kube__sb_printf(&sb, "%c", tolower((unsigned char)*k));
	if (slash && slash != api)
		for (const char *g = api; g < slash; g++)
			kube__sb_printf(&sb, "%s%c", g == api ? "." : "", tolower((unsigned char)*g));
	kube__sb_printf(&sb, "/%s", kube__jstr0(owner, "name"));
	return kube__sb_cell(cells, &sb);
}

static int controllerrevision_row(const json_t *cr, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, cr);

	failed |= controller_cell(cells, cr);
	failed |= kube__cell_int(cells, kube__jint(cr, "revision", 0));
	failed |= kube__cell_age(cells, cr, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_controllerrevision =
	KUBE_PRINTER(controllerrevision_columns, controllerrevision_row);
