/*
 * Storage tables from upstream's printers.go: PersistentVolume,
 * PersistentVolumeClaim, StorageClass.
 */
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

#define COL_NAME { "Name", "string", "name", KUBE_DOC_META_NAME, 0 }
#define COL_AGE { "Age", "string", "", KUBE_DOC_META_CREATED, 0 }

/* The beta annotation that still wins over spec.storageClassName. */
#define BETA_STORAGE_CLASS "volume.beta.kubernetes.io/storage-class"

static bool has_mode(const json_t *modes, const char *mode)
{
	const json_t *m;
	size_t i;

	json_array_foreach(modes, i, m)
		if (!strcmp(json_string_value(m) ?: "", mode))
			return true;
	return false;
}

/* helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that order. */
static int access_modes_cell(json_t *cells, const json_t *modes)
{
	static const char *const names[][2] = {
		{ "ReadWriteOnce", "RWO" }, { "ReadOnlyMany", "ROX" },
		{ "ReadWriteMany", "RWX" }, { "ReadWriteOncePod", "RWOP" },
	};
	struct kube_sb sb = { 0 };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (has_mode(modes, names[i][0]))
			kube__sb_printf(&sb, "%s%s", sb.len ? "," : "", names[i][1]);
	return kube__sb_cell(cells, &sb);
}

/* GetPersistentVolume(Claim)Class: the beta annotation, else spec.storageClassName. */
static const char *storage_class(const json_t *obj)
{
	const json_t *ann = kube__jget(obj, "metadata.annotations");
	const char *beta = json_string_value(json_object_get(ann, BETA_STORAGE_CLASS));

	return beta ? beta : kube__jstr0(obj, "spec.storageClassName");
}

static const char *phase(const json_t *obj)
{
	if (kube__jget(obj, "metadata.deletionTimestamp"))
		return "Terminating";
	return kube__jstr0(obj, "status.phase");
}

/* ---- PersistentVolume ---- */

static const struct kube_column pv_columns[] = {
	COL_NAME,
	{ "Capacity", "string", "", KUBE_DOC_PV_CAPACITY, 0 },
	{ "Access Modes", "string", "", KUBE_DOC_PV_MODES, 0 },
	{ "Reclaim Policy", "string", "", KUBE_DOC_PV_RECLAIM, 0 },
	{ "Status", "string", "", KUBE_DOC_PV_PHASE, 0 },
	{ "Claim", "string", "", KUBE_DOC_PV_CLAIM, 0 },
	{ "StorageClass", "string", "", "StorageClass of the pv", 0 },
	{ "VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pv", 0 },
	{ "Reason", "string", "", KUBE_DOC_PV_REASON, 0 },
	COL_AGE,
	{ "VolumeMode", "string", "", KUBE_DOC_PV_VOLUMEMODE, 1 },
};

static int pv_claim_cell(json_t *cells, const json_t *pv)
{
	const json_t *ref = kube__jget(pv, "spec.claimRef");
	struct kube_sb sb = { 0 };

	if (ref)
		kube__sb_printf(&sb, "%s/%s", kube__jstr0(ref, "namespace"), kube__jstr0(ref, "name"));
	return kube__sb_cell(cells, &sb);
}

/* Quantities print as stored (the API keeps them canonical); a missing one
 * is the zero Quantity, "0". */
static int pv_row(const json_t *pv, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, pv);

	failed |= kube__cell_str(cells, kube__jstr(pv, "spec.capacity.storage") ?: "0");
	failed |= access_modes_cell(cells, kube__jget(pv, "spec.accessModes"));
	failed |= kube__cell_str(cells, kube__jstr(pv, "spec.persistentVolumeReclaimPolicy"));
	failed |= kube__cell_str(cells, phase(pv));
	failed |= pv_claim_cell(cells, pv);
	failed |= kube__cell_str(cells, storage_class(pv));
	failed |= kube__cell_str(cells, kube__jstr(pv, "spec.volumeAttributesClassName") ?: "<unset>");
	failed |= kube__cell_str(cells, kube__jstr(pv, "status.reason"));
	failed |= kube__cell_age(cells, pv, now_ms);
	failed |= kube__cell_str(cells, kube__jstr(pv, "spec.volumeMode") ?: "<unset>");
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_pv = KUBE_PRINTER(pv_columns, pv_row);

/* ---- PersistentVolumeClaim ---- */

static const struct kube_column pvc_columns[] = {
	COL_NAME,
	{ "Status", "string", "", KUBE_DOC_PVC_PHASE, 0 },
	{ "Volume", "string", "", KUBE_DOC_PVC_VOLUME, 0 },
	{ "Capacity", "string", "", KUBE_DOC_PVC_CAPACITY, 0 },
	{ "Access Modes", "string", "", KUBE_DOC_PVC_MODES, 0 },
	{ "StorageClass", "string", "", "StorageClass of the pvc", 0 },
	{ "VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pvc", 0 },
	COL_AGE,
	{ "VolumeMode", "string", "", KUBE_DOC_PVC_VOLUMEMODE, 1 },
};

/* Capacity and access modes show only once the claim is bound to a volume. */
static int pvc_row(const json_t *pvc, int64_t now_ms, json_t *cells)
{
	const char *volume = kube__jstr0(pvc, "spec.volumeName");
	int failed = kube__cell_name(cells, pvc);

	failed |= kube__cell_str(cells, phase(pvc));
	failed |= kube__cell_str(cells, volume);
	if (*volume) {
		failed |= kube__cell_str(cells, kube__jstr(pvc, "status.capacity.storage") ?: "0");
		failed |= access_modes_cell(cells, kube__jget(pvc, "status.accessModes"));
	} else {
		failed |= kube__cell_str(cells, "");
		failed |= kube__cell_str(cells, "");
	}
	failed |= kube__cell_str(cells, storage_class(pvc));
	failed |= kube__cell_str(cells, kube__jstr(pvc, "spec.volumeAttributesClassName") ?: "<unset>");
	failed |= kube__cell_age(cells, pvc, now_ms);
	failed |= kube__cell_str(cells, kube__jstr(pvc, "spec.volumeMode") ?: "<unset>");
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_pvc = KUBE_PRINTER(pvc_columns, pvc_row);

/* ---- StorageClass ---- */

static const struct kube_column storageclass_columns[] = {
	COL_NAME,
	{ "Provisioner", "string", "", KUBE_DOC_SC_PROVISIONER, 0 },
	{ "ReclaimPolicy", "string", "", KUBE_DOC_SC_RECLAIM, 0 },
	{ "VolumeBindingMode", "string", "", KUBE_DOC_SC_BINDING, 0 },
	{ "AllowVolumeExpansion", "string", "", KUBE_DOC_SC_EXPANSION, 0 },
	COL_AGE,
};

/* storageutil.IsDefaultAnnotation: the GA or beta annotation set to "true". */
static bool is_default_class(const json_t *sc)
{
	const json_t *ann = kube__jget(sc, "metadata.annotations");
	const char *ga = json_string_value(json_object_get(ann, "storageclass.kubernetes.io/is-default-class"));
	const char *beta = json_string_value(json_object_get(ann, "storageclass.beta.kubernetes.io/is-default-class"));

	return (ga && !strcmp(ga, "true")) || (beta && !strcmp(beta, "true"));
}

static int storageclass_row(const json_t *sc, int64_t now_ms, json_t *cells)
{
	struct kube_sb name = { 0 };
	int failed;

	kube__sb_puts(&name, kube__jstr0(sc, "metadata.name"));
	if (is_default_class(sc))
		kube__sb_puts(&name, " (default)");
	failed = kube__sb_cell(cells, &name);
	failed |= kube__cell_str(cells, kube__jstr(sc, "provisioner"));
	failed |= kube__cell_str(cells, kube__jstr(sc, "reclaimPolicy") ?: "Delete");
	failed |= kube__cell_str(cells, kube__jstr(sc, "volumeBindingMode") ?: "Immediate");
	failed |= kube__cell_bool(cells, json_is_true(kube__jget(sc, "allowVolumeExpansion")));
	failed |= kube__cell_age(cells, sc, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_storageclass = KUBE_PRINTER(storageclass_columns, storageclass_row);
