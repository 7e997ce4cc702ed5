/*
 * PersistentVolume, PersistentVolumeClaim and StorageClass defaults and
 * validation (pkg/apis/core/validation, pkg/apis/storage/validation).
 */
#include <string.h>
#include "core/kinds/kinds.h"

static const char *const access_modes[] = {
	"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod", NULL,
};
static const char *const volume_modes[] = { "Block", "Filesystem", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static void check_modes(const json_t *spec, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	json_t *m, *vm = json_object_get(spec, "volumeMode");
	size_t i;

	kube__path_child(p, base, "accessModes");
	json_array_foreach(kube__jarr(spec, "accessModes"), i, m)
		if (!in_list(access_modes, json_string_value(m) ? json_string_value(m) : ""))
			kube__err_unsupported(causes, p, json_string_value(m) ? json_string_value(m) : "",
					      access_modes);
	if (json_is_string(vm) && !in_list(volume_modes, json_string_value(vm)))
		kube__err_unsupported(causes, kube__path_child(p, base, "volumeMode"),
				      json_string_value(vm), volume_modes);
	if (*kinds_str(spec, "storageClassName"))
		kube__check_fmt(causes, kube__path_child(p, base, "storageClassName"),
				kinds_str(spec, "storageClassName"), kube__fmt_dns1123_subdomain);
}

void kube__pvc_spec_defaults(json_t *spec)
{
	if (json_is_object(spec))
		kube__jdefault_str(spec, "volumeMode", "Filesystem");
}

void kube__pvc_spec_validate(const json_t *spec, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	json_t *storage = kube__jpath(spec, "resources.requests.storage");

	if (json_array_size(kube__jarr(spec, "accessModes")) == 0)
		kube__err_required(causes, kube__path_child(p, base, "accessModes"),
				   "at least 1 access mode is required");
	kube__validate_label_selector(causes, kube__jobj(spec, "selector"),
				      kube__path_child(p, base, "selector"));
	kube__path_key(q, kube__path_child(p, base, "resources"), "storage");
	if (!storage)
		kube__err_required(causes, q, NULL);
	else
		kinds_check_quantity_positive(causes, storage, q);
	check_modes(spec, base, causes);
}

void kube__pvc_defaults(json_t *obj)
{
	kube__pvc_spec_defaults(kube__jobj(obj, "spec"));
	kube__jdefault_str(kube__jensure_obj(obj, "status"), "phase", "Pending");
}

void kube__pvc_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	kube__pvc_spec_validate(kube__jobj(obj, "spec"), "spec", causes);
}

void kube__pv_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec");

	if (spec) {
		kube__jdefault_str(spec, "persistentVolumeReclaimPolicy", "Retain");
		kube__jdefault_str(spec, "volumeMode", "Filesystem");
	}
	kube__jdefault_str(kube__jensure_obj(obj, "status"), "phase", "Pending");
}

static const char *const pv_sources[] = {
	"hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs",
	"rbd", "quobyte", "cinder", "cephfs", "azureFile", "vsphereVolume", "azureDisk",
	"photonPersistentDisk", "portworxVolume", "scaleIO", "local", "storageos", "csi", "fc",
	"iscsi", "flexVolume", NULL,
};

void kube__pv_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const reclaim[] = { "Delete", "Recycle", "Retain", NULL };
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *cap = kube__jobj(spec, "capacity"), *q;
	const char *rp = kinds_str(spec, "persistentVolumeReclaimPolicy"), *name;
	char p[KUBE_PATH_MAX];
	int n = 0;

	if (json_array_size(kube__jarr(spec, "accessModes")) == 0)
		kube__err_required(causes, "spec.accessModes", NULL);
	if (!cap || json_object_size(cap) == 0)
		kube__err_required(causes, "spec.capacity", NULL);
	if (!json_object_get(cap, "storage") || json_object_size(cap) > 1)
		kube__err_unsupported(causes, "spec.capacity", "", (const char *const[]){ "storage", NULL });
	json_object_foreach(cap, name, q)
		kinds_check_quantity_positive(causes, q, kube__path_key(p, "spec.capacity", name));
	if (*rp && !in_list(reclaim, rp))
		kube__err_unsupported(causes, "spec.persistentVolumeReclaimPolicy", rp, reclaim);
	check_modes(spec, "spec", causes);
	for (int i = 0; pv_sources[i]; i++)
		if (kube__jobj(spec, pv_sources[i]) && n++ > 0)
			kube__err_forbidden(causes, kube__path_child(p, "spec", pv_sources[i]),
					    "may not specify more than 1 volume type");
	if (n == 0)
		kube__err_required(causes, "spec", "must specify a volume type");
}

void kube__storageclass_defaults(json_t *obj)
{
	kube__jdefault_str(obj, "reclaimPolicy", "Delete");
	kube__jdefault_str(obj, "volumeBindingMode", "Immediate");
}

void kube__storageclass_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const reclaim[] = { "Delete", "Retain", NULL };
	static const char *const binding[] = { "Immediate", "WaitForFirstConsumer", NULL };
	const char *prov = kinds_str(obj, "provisioner"), *rp = kinds_str(obj, "reclaimPolicy");
	const char *vbm = kinds_str(obj, "volumeBindingMode");
	char lower[300];
	size_t i;

	if (!*prov)
		kube__err_required(causes, "provisioner", NULL);
	for (i = 0; prov[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)((prov[i] >= 'A' && prov[i] <= 'Z') ? prov[i] + 32 : prov[i]);
	lower[i] = '\0';
	if (*prov)
		kube__check_fmt(causes, "provisioner", lower, kube__fmt_qualified_name);
	if (*rp && !in_list(reclaim, rp))
		kube__err_unsupported(causes, "reclaimPolicy", rp, reclaim);
	if (!*vbm)
		kube__err_required(causes, "volumeBindingMode", NULL);
	else if (!in_list(binding, vbm))
		kube__err_unsupported(causes, "volumeBindingMode", vbm, binding);
	if (!old)
		return;
	if (kube__changed(json_object_get(obj, "parameters"), json_object_get(old, "parameters")))
		kube__err_forbidden(causes, "parameters", "updates to parameters are forbidden.");
	if (strcmp(prov, kinds_str(old, "provisioner")))
		kube__err_forbidden(causes, "provisioner", "updates to provisioner are forbidden.");
	if (strcmp(rp, kinds_str(old, "reclaimPolicy")))
		kube__err_forbidden(causes, "reclaimPolicy", "updates to reclaimPolicy are forbidden.");
	if (strcmp(vbm, kinds_str(old, "volumeBindingMode")))
		kube__err_invalid_str(causes, "volumeBindingMode", vbm, "field is immutable");
}
