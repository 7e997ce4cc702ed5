/*
 * ServiceAccount: the default account, the projected token volume and its
 * mounts, automount switched off, unknown accounts refused.
 */
#include "admission_test.h"

TestSuite(service_account, .init = adm_setup, .fini = adm_teardown);

Test(service_account, default_account_and_token_volume)
{
	json_t *pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			    "  initContainers: [{name: init, image: busybox:1.36}]\n"
			    "  containers: [{name: nginx, image: nginx:1.27}]\n");
	const char *vol = str_at(pod, "spec.volumes[0].name");
	json_t *want = json_loads(
		"{\"defaultMode\":420,\"sources\":[{\"serviceAccountToken\":{\"expirationSeconds\":3607,"
		"\"path\":\"token\"}},{\"configMap\":{\"name\":\"kube-root-ca.crt\",\"items\":[{\"key\":"
		"\"ca.crt\",\"path\":\"ca.crt\"}]}},{\"downwardAPI\":{\"items\":[{\"path\":\"namespace\","
		"\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.namespace\"}}]}}]}", 0, NULL);

	cr_assert_str_eq(str_at(pod, "spec.serviceAccountName"), "default");
	cr_assert_str_eq(str_at(pod, "spec.serviceAccount"), "default");
	cr_assert(!strncmp(vol, "kube-api-access-", 16) && strlen(vol) == 21, "volume %s", vol);
	cr_assert(json_equal(at(pod, "spec.volumes[0].projected"), want));
	cr_assert_str_eq(str_at(pod, "spec.containers[0].volumeMounts[0].name"), vol);
	cr_assert_str_eq(str_at(pod, "spec.containers[0].volumeMounts[0].mountPath"),
			 "/var/run/secrets/kubernetes.io/serviceaccount");
	cr_assert(json_is_true(at(pod, "spec.containers[0].volumeMounts[0].readOnly")));
	cr_assert_str_eq(str_at(pod, "spec.initContainers[0].volumeMounts[0].name"), vol);
	json_decref(want);
	json_decref(pod);
	/* the same manifest again: what admission added stays */
	json_decref(apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			  "  initContainers: [{name: init, image: busybox:1.36}]\n"
			  "  containers: [{name: nginx, image: nginx:1.27}]\n"));
}

Test(service_account, named_account_must_exist)
{
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			 "  serviceAccountName: robot\n  containers: [{name: nginx, image: nginx:1.27}]\n",
			 "pods \"p\" is forbidden: error looking up service account default/robot: "
			 "serviceaccount \"robot\" not found");
}

Test(service_account, named_account_and_pull_secrets)
{
	json_t *pod;

	json_decref(apply("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: robot}\n"
			  "imagePullSecrets: [{name: regcred}]\n"));
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		    "  serviceAccountName: robot\n  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_str_eq(str_at(pod, "spec.serviceAccount"), "robot");
	cr_assert_str_eq(str_at(pod, "spec.imagePullSecrets[0].name"), "regcred");
	json_decref(pod);
}

Test(service_account, automount_off)
{
	json_t *pod;

	json_decref(apply("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet}\n"
			  "automountServiceAccountToken: false\n"));
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		    "  serviceAccountName: quiet\n  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_null(at(pod, "spec.volumes"));
	cr_assert_null(at(pod, "spec.containers[0].volumeMounts"));
	json_decref(pod);
	/* the pod's own setting wins over the account's */
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n"
		    "  serviceAccountName: quiet\n  automountServiceAccountToken: true\n"
		    "  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_not_null(at(pod, "spec.volumes[0].projected"));
	json_decref(pod);
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: r}\nspec:\n"
		    "  automountServiceAccountToken: false\n"
		    "  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_null(at(pod, "spec.volumes"));
	json_decref(pod);
}

Test(service_account, own_mount_at_token_path_kept)
{
	json_t *pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			    "  volumes: [{name: mine, emptyDir: {}}]\n  containers:\n"
			    "  - name: nginx\n    image: nginx:1.27\n    volumeMounts:\n"
			    "    - {name: mine, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}\n");

	cr_assert_eq(json_array_size(at(pod, "spec.volumes")), 1);
	cr_assert_eq(json_array_size(at(pod, "spec.containers[0].volumeMounts")), 1);
	json_decref(pod);
}
