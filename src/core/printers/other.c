/*
 * Tables of the smaller groups from upstream's printers.go: RoleBinding and
 * ClusterRoleBinding (rbac), Lease (coordination), PriorityClass
 * (scheduling), PodDisruptionBudget (policy).
 */
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

#define COL_NAME { "Name", "string", "name", KUBE_DOC_META_NAME, 0 }
#define COL_AGE { "Age", "string", "", KUBE_DOC_META_CREATED, 0 }

/* ---- RoleBinding, ClusterRoleBinding ---- */

static const struct kube_column rolebinding_columns[] = {
	COL_NAME,
	{ "Role", "string", "", KUBE_DOC_RB_ROLEREF, 0 },
	COL_AGE,
	{ "Users", "string", "", "Users in the roleBinding", 1 },
	{ "Groups", "string", "", "Groups in the roleBinding", 1 },
	{ "ServiceAccounts", "string", "", "ServiceAccounts in the roleBinding", 1 },
};

static const struct kube_column clusterrolebinding_columns[] = {
	COL_NAME,
	{ "Role", "string", "", KUBE_DOC_CRB_ROLEREF, 0 },
	COL_AGE,
	{ "Users", "string", "", "Users in the clusterRoleBinding", 1 },
	{ "Groups", "string", "", "Groups in the clusterRoleBinding", 1 },
	{ "ServiceAccounts", "string", "", "ServiceAccounts in the clusterRoleBinding", 1 },
};

/* rbac.SubjectsStrings: users, groups and "namespace/name" service
 * accounts, each list joined by ", ". */
static int subjects_cells(json_t *cells, const json_t *subjects)
{
	struct kube_sb users = { 0 }, groups = { 0 }, sas = { 0 };
	const json_t *s;
	size_t i;
	int failed;

	json_array_foreach(subjects, i, s) {
		const char *kind = kube__jstr0(s, "kind"), *name = kube__jstr0(s, "name");
		if (!strcmp(kind, "ServiceAccount"))
			kube__sb_printf(&sas, "%s%s/%s", sas.len ? ", " : "", kube__jstr0(s, "namespace"), name);
		else if (!strcmp(kind, "User"))
			kube__sb_printf(&users, "%s%s", users.len ? ", " : "", name);
		else if (!strcmp(kind, "Group"))
			kube__sb_printf(&groups, "%s%s", groups.len ? ", " : "", name);
	}
	failed = kube__sb_cell(cells, &users);
	failed |= kube__sb_cell(cells, &groups);
	failed |= kube__sb_cell(cells, &sas);
	return failed;
}

static int rolebinding_row(const json_t *rb, int64_t now_ms, json_t *cells)
{
	struct kube_sb role = { 0 };
	int failed = kube__cell_name(cells, rb);

	kube__sb_printf(&role, "%s/%s", kube__jstr0(rb, "roleRef.kind"), kube__jstr0(rb, "roleRef.name"));
	failed |= kube__sb_cell(cells, &role);
	failed |= kube__cell_age(cells, rb, now_ms);
	failed |= subjects_cells(cells, kube__jget(rb, "subjects"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_rolebinding = KUBE_PRINTER(rolebinding_columns, rolebinding_row);
const struct kube_printer kube__printer_clusterrolebinding =
	KUBE_PRINTER(clusterrolebinding_columns, rolebinding_row);

/* ---- Lease ---- */

static const struct kube_column lease_columns[] = {
	COL_NAME,
	{ "Holder", "string", "", KUBE_DOC_LEASE_HOLDER, 0 },
	COL_AGE,
};

static int lease_row(const json_t *l, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, l);

	failed |= kube__cell_str(cells, kube__jstr(l, "spec.holderIdentity"));
	failed |= kube__cell_age(cells, l, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_lease = KUBE_PRINTER(lease_columns, lease_row);

/* ---- PriorityClass ---- */

static const struct kube_column priorityclass_columns[] = {
	COL_NAME,
	{ "Value", "integer", "", KUBE_DOC_PC_VALUE, 0 },
	{ "Global-Default", "boolean", "", KUBE_DOC_PC_GLOBAL, 0 },
	COL_AGE,
	{ "PreemptionPolicy", "string", "", KUBE_DOC_PC_PREEMPTION, 0 },
};

static int priorityclass_row(const json_t *pc, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, pc);

	failed |= kube__cell_int(cells, kube__jint(pc, "value", 0));
	failed |= kube__cell_bool(cells, json_is_true(kube__jget(pc, "globalDefault")));
	failed |= kube__cell_age(cells, pc, now_ms);
	failed |= kube__cell_str(cells, kube__jstr(pc, "preemptionPolicy"));
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_priorityclass = KUBE_PRINTER(priorityclass_columns, priorityclass_row);

/* ---- PodDisruptionBudget ---- */

static const struct kube_column pdb_columns[] = {
	COL_NAME,
	{ "Min Available", "string", "", "The minimum number of pods that must be available.", 0 },
	{ "Max Unavailable", "string", "", "The maximum number of pods that may be unavailable.", 0 },
	{ "Allowed Disruptions", "integer", "", "Calculated number of pods that may be disrupted at this time.", 0 },
	COL_AGE,
};

static int pdb_row(const json_t *pdb, int64_t now_ms, json_t *cells)
{
	char min[32], max[32];
	const char *minv = kube__int_or_string(kube__jget(pdb, "spec.minAvailable"), min, sizeof(min));
	const char *maxv = kube__int_or_string(kube__jget(pdb, "spec.maxUnavailable"), max, sizeof(max));
	int failed = kube__cell_name(cells, pdb);

	failed |= kube__cell_str(cells, minv ? minv : "N/A");
	failed |= kube__cell_str(cells, maxv ? maxv : "N/A");
	failed |= kube__cell_int(cells, kube__jint(pdb, "status.disruptionsAllowed", 0));
	failed |= kube__cell_age(cells, pdb, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_pdb = KUBE_PRINTER(pdb_columns, pdb_row);
