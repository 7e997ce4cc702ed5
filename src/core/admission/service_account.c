/*
 * ServiceAccount, as upstream's plugin: a new pod runs as the service
 * account it names (spec.serviceAccountName, "default" when unset), which
 * must exist; unless automounting is switched off (on the pod, else on the
 * service account) every container mounts the projected API token volume
 * kube-api-access-<5> at /var/run/secrets/kubernetes.io/serviceaccount;
 * a pod without imagePullSecrets gets the service account's.
 *
 * Upstream waits up to about a second for a missing "default" service
 * account, which the serviceaccounts controller creates for every active
 * namespace right after the namespace; admission here cannot wait on the
 * loop, so a missing "default" in an active namespace is taken as that
 * controller's pending "default" (no automount setting, no pull secrets).
 */
#include <stdio.h>
#include <string.h>
#include "core/admission/plugin_util.h"
#include "core/ops.h"

#define TOKEN_MOUNT_PATH "/var/run/secrets/kubernetes.io/serviceaccount"
#define TOKEN_VOLUME_PREFIX "kube-api-access-"
#define MIRROR_ANNOTATION "kubernetes.io/config.mirror"

static bool is_mirror(const json_t *pod)
{
	return json_object_get(json_object_get(json_object_get(pod, "metadata"), "annotations"),
			       MIRROR_ANNOTATION) != NULL;
}

/* Projected token, kube-root-ca.crt and the namespace, as TokenVolumeSource(). */
static json_t *token_volume(const char *name)
{
	return json_pack("{s:s, s:{s:i, s:[{s:{s:I, s:s}}, {s:{s:s, s:[{s:s, s:s}]}},"
			 " {s:{s:[{s:s, s:{s:s, s:s}}]}}]}}",
			 "name", name, "projected", "defaultMode", 0644, "sources",
			 "serviceAccountToken", "expirationSeconds", (json_int_t)3607, "path", "token",
			 "configMap", "name", "kube-root-ca.crt", "items", "key", "ca.crt", "path",
			 "ca.crt",
			 "downwardAPI", "items", "path", "namespace", "fieldRef", "apiVersion", "v1",
			 "fieldPath", "metadata.namespace");
}

static bool mounts_path(const json_t *container)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(container, "volumeMounts"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "mountPath")) ?: "", TOKEN_MOUNT_PATH))
			return true;
	return false;
}

static bool has_volume(const json_t *volumes, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(volumes, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "name")) ?: "", name))
			return true;
	return false;
}

/* Add the mount to every container without one at the path; true if any got it. */
static bool add_mounts(json_t *containers, const char *volume)
{
	bool added = false;
	size_t i;
	json_t *c, *mounts;

	json_array_foreach(containers, i, c) {
		if (!json_is_object(c) || mounts_path(c))
			continue;
		mounts = json_object_get(c, "volumeMounts");
		if (!json_is_array(mounts)) {
			mounts = json_array();
			json_object_set_new(c, "volumeMounts", mounts);
		}
		json_array_append_new(mounts, json_pack("{s:s, s:b, s:s}", "name", volume, "readOnly", 1,
							"mountPath", TOKEN_MOUNT_PATH));
		added = true;
	}
	return added;
}

static void mount_token(json_t *spec)
{
	json_t *volumes = json_object_get(spec, "volumes"), *v;
	char name[64] = "";
	size_t i;
	bool init, regular, had;

	json_array_foreach(volumes, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));

		if (n && !strncmp(n, TOKEN_VOLUME_PREFIX, strlen(TOKEN_VOLUME_PREFIX))) {
			snprintf(name, sizeof(name), "%s", n);
			break;
		}
	}
	had = *name;
	if (!had) {
		char suffix[6];

		kube__random_suffix(suffix, 5);
		snprintf(name, sizeof(name), TOKEN_VOLUME_PREFIX "%s", suffix);
	}
	init = add_mounts(json_object_get(spec, "initContainers"), name);
	regular = add_mounts(json_object_get(spec, "containers"), name);
	if (had || !(init || regular))
		return;
	if (!json_is_array(volumes)) {
		volumes = json_array();
		json_object_set_new(spec, "volumes", volumes);
	}
	json_array_append_new(volumes, token_volume(name));
}

/* The pod's own setting wins over the service account's; default true. */
static bool should_automount(const json_t *sa, const json_t *spec)
{
	json_t *p = json_object_get(spec, "automountServiceAccountToken");
	json_t *s = json_object_get(sa, "automountServiceAccountToken");

	if (json_is_boolean(p))
		return json_is_true(p);
	if (json_is_boolean(s))
		return json_is_true(s);
	return true;
}

/* A missing "default" in an active namespace is the controller's, pending. */
static bool default_pending(struct kube_admission *a, const char *name)
{
	const struct kube_kind *nsk = kube__registry_by_gvk("v1", "Namespace");
	const json_t *nso = kube__op_get(a->c, nsk, NULL, kube__meta_str(a->obj, "namespace"), NULL);

	return !strcmp(name, "default") && nso &&
	       !json_object_get(json_object_get(nso, "metadata"), "deletionTimestamp");
}

static int admit_pod(struct kube_admission *a, json_t **st)
{
	json_t *spec = json_object_get(a->obj, "spec");
	const char *name = json_string_value(json_object_get(spec, "serviceAccountName"));
	const char *old = json_string_value(json_object_get(spec, "serviceAccount"));
	const char *ns = kube__meta_str(a->obj, "namespace");
	const json_t *sa;

	/* v1's deprecated serviceAccount names the account when serviceAccountName does not */
	if (!name || !*name)
		name = old && *old ? old : "default";
	json_object_set_new(spec, "serviceAccountName", json_string(name));
	name = json_string_value(json_object_get(spec, "serviceAccountName"));
	json_object_set_new(spec, "serviceAccount", json_string(name));
	sa = kube__op_get(a->c, kube__registry_by_gvk("v1", "ServiceAccount"), ns, name, NULL);
	if (!sa && !default_pending(a, name))
		return kube__admit_forbidden(a, st, "error looking up service account %s/%s: "
					     "serviceaccount \"%s\" not found", ns, name, name);
	if (should_automount(sa, spec))
		mount_token(spec);
	if (sa && !json_array_size(json_object_get(spec, "imagePullSecrets")) &&
	    json_array_size(json_object_get(sa, "imagePullSecrets")))
		json_object_set(spec, "imagePullSecrets", json_object_get(sa, "imagePullSecrets"));
	return 0;
}

/* The old container's token mount, for a new one of that name lacking it. */
static void keep_mounts(json_t *containers, const json_t *old_containers, const char *volume)
{
	size_t i, j, k;
	json_t *c, *o, *m;

	json_array_foreach(containers, i, c) {
		json_array_foreach(old_containers, j, o) {
			if (!json_equal(json_object_get(c, "name"), json_object_get(o, "name")) || mounts_path(c))
				continue;
			json_array_foreach(json_object_get(o, "volumeMounts"), k, m) {
				if (strcmp(json_string_value(json_object_get(m, "name")) ?: "", volume))
					continue;
				if (!json_is_array(json_object_get(c, "volumeMounts")))
					json_object_set_new(c, "volumeMounts", json_array());
				json_array_append(json_object_get(c, "volumeMounts"), m);
			}
		}
	}
}

/*
 * An update that replaces the spec wholesale (kube_apply, a PUT of the
 * manifest) leaves out what this plugin set on create; as kubectl apply's
 * patch would, keep it, since a pod's spec may not change.
 */
static void keep_on_update(struct kube_admission *a, json_t *spec)
{
	const json_t *old = json_object_get(a->old, "spec"), *v;
	static const char *const fields[] = { "serviceAccountName", "serviceAccount", NULL };
	size_t i;

	for (int f = 0; fields[f]; f++)
		if (!json_object_get(spec, fields[f]) && json_object_get(old, fields[f]))
			json_object_set(spec, fields[f], json_object_get(old, fields[f]));
	json_array_foreach(json_object_get(old, "volumes"), i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));

		if (!n || strncmp(n, TOKEN_VOLUME_PREFIX, strlen(TOKEN_VOLUME_PREFIX)))
			continue;
		if (!json_is_array(json_object_get(spec, "volumes")))
			json_object_set_new(spec, "volumes", json_array());
		if (!has_volume(json_object_get(spec, "volumes"), n))
			json_array_append(json_object_get(spec, "volumes"), (json_t *)v);
		keep_mounts(json_object_get(spec, "containers"), json_object_get(old, "containers"), n);
		keep_mounts(json_object_get(spec, "initContainers"), json_object_get(old, "initContainers"), n);
	}
}

static int sa_mutate(struct kube_admission *a, json_t **st)
{
	if (!kube__admit_is(a, "Pod") || !json_is_object(json_object_get(a->obj, "spec")))
		return 0;
	if (a->op == KUBE_ADMIT_UPDATE) {
		keep_on_update(a, json_object_get(a->obj, "spec"));
		return 0;
	}
	if (is_mirror(a->obj))
		return 0;
	return admit_pod(a, st);
}

/* Mirror pods come from a node's manifests: they may not use the API's identities. */
static int sa_validate(struct kube_admission *a, json_t **st)
{
	json_t *spec = json_object_get(a->obj, "spec");
	const char *name = json_string_value(json_object_get(spec, "serviceAccountName"));

	if (!kube__admit_is(a, "Pod") || a->op != KUBE_ADMIT_CREATE || !is_mirror(a->obj))
		return 0;
	if (name && *name)
		return kube__admit_forbidden(a, st, "a mirror pod may not reference service accounts");
	return 0;
}

const struct kube_admission_plugin kube__admission_service_account = {
	.name = "ServiceAccount",
	.mutate = sa_mutate,
	.validate = sa_validate,
};
