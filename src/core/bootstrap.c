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
		err = kube__priority_bootstrap(c);
	if (store_flush(c->store) < 0 && !err)
		err = KUBE_EIO;
	if (!err)
		err = kube__auth_bootstrap(c);
	return err;
}
