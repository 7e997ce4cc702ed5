/*
 * The objects a fresh cluster starts with.
 */
#include "core/bootstrap.h"
#include "core/admission/priority.h"
#include "core/auth/auth.h"
#include "core/ops.h"

static const char *const builtin_namespaces[] = {
	"default", "kube-system", "kube-public", "kube-node-lease", NULL,
};

static void created(int err, const json_t *obj, const json_t *st, void *data)
{
	int *first = data;

	(void)obj, (void)st;
	if (err && err != KUBE_EEXIST && !*first)
		*first = err;
}

/* The `kubernetes` Service in default: the API's first service address. */
static int bootstrap_kubernetes_service(kube_cluster *c)
{
	const struct kube_kind *svc = kube__registry_by_gvk("v1", "Service");
	int err = 0;

	if (kube__op_get(c, svc, "default", "kubernetes", NULL))
		return 0;
	kube__op_create(c, svc, "default",
			json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s}}, s:{s:s, s:s, s:[{s:s, s:i, s:s, s:i}]}}",
				  "apiVersion", "v1", "kind", "Service", "metadata", "name", "kubernetes",
				  "labels", "component", "apiserver", "provider", "kubernetes", "spec",
				  "type", "ClusterIP", "clusterIP", "10.43.0.1", "ports", "name", "https",
				  "port", 443, "protocol", "TCP", "targetPort", 6443),
			NULL, created, &err);
	return err;
}

int kube__bootstrap(kube_cluster *c)
{
	const struct kube_kind *nsk = kube__registry_by_gvk("v1", "Namespace");
	int err = 0;

	for (int i = 0; builtin_namespaces[i]; i++) {
		if (kube__op_get(c, nsk, NULL, builtin_namespaces[i], NULL))
			continue;
		kube__op_create(c, nsk, NULL,
				json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
					  "Namespace", "metadata", "name", builtin_namespaces[i]),
				NULL, created, &err);
	}
	if (!err)
		err = bootstrap_kubernetes_service(c);
	if (!err)
		err = kube__priority_bootstrap(c);
	if (store_flush(c->store) < 0 && !err)
		err = KUBE_EIO;
	if (!err)
		err = kube__auth_bootstrap(c);
	return err;
}
