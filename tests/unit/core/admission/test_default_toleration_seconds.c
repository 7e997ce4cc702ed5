/*
 * DefaultTolerationSeconds: not-ready and unreachable NoExecute tolerations
 * for 300 s, unless the pod tolerates those taints already.
 */
#include "admission_test.h"

TestSuite(default_toleration_seconds, .init = adm_setup, .fini = adm_teardown);

Test(default_toleration_seconds, added)
{
	json_t *pod = apply(NGINX_POD("p"));
	json_t *want = json_loads("[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\","
				  "\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
				  "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\","
				  "\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]", 0, NULL);

	cr_assert(json_equal(at(pod, "spec.tolerations"), want));
	json_decref(want);
	json_decref(pod);
}

Test(default_toleration_seconds, own_toleration_kept)
{
	json_t *pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			    "  containers: [{name: nginx, image: nginx:1.27}]\n  tolerations:\n"
			    "  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute,"
			    " tolerationSeconds: 6000}\n");

	cr_assert_eq(json_array_size(at(pod, "spec.tolerations")), 2);
	cr_assert_eq(json_integer_value(at(pod, "spec.tolerations[0].tolerationSeconds")), 6000);
	cr_assert_str_eq(str_at(pod, "spec.tolerations[1].key"), "node.kubernetes.io/not-ready");
	json_decref(pod);
}

Test(default_toleration_seconds, tolerate_everything)
{
	json_t *pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			    "  containers: [{name: nginx, image: nginx:1.27}]\n"
			    "  tolerations: [{operator: Exists}]\n");

	cr_assert_eq(json_array_size(at(pod, "spec.tolerations")), 1);
	json_decref(pod);
}

Test(default_toleration_seconds, reapply_is_accepted)
{
	json_decref(apply(NGINX_POD("p")));
	json_decref(apply(NGINX_POD("p")));
}
