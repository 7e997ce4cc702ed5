/*
 * Priority: class name to priority and preemptionPolicy, the global
 * default, unknown classes refused, one default only, built-in classes.
 */
#include "admission_test.h"
#include "core/admission/priority.h"

TestSuite(priority, .init = adm_setup, .fini = adm_teardown);

Test(priority, no_class_is_zero)
{
	json_t *pod = apply(NGINX_POD("p"));

	cr_assert_eq(json_integer_value(at(pod, "spec.priority")), 0);
	cr_assert_str_eq(str_at(pod, "spec.preemptionPolicy"), "PreemptLowerPriority");
	cr_assert_null(at(pod, "spec.priorityClassName"));
	json_decref(pod);
}

Test(priority, class_resolved)
{
	json_t *pod;

	apply_file("priorityclasses.yaml");
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		    "  priorityClassName: high\n  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_eq(json_integer_value(at(pod, "spec.priority")), 1000000);
	cr_assert_str_eq(str_at(pod, "spec.preemptionPolicy"), "Never");
	json_decref(pod);
}

Test(priority, global_default)
{
	json_t *pod;

	apply_file("priorityclasses.yaml");
	pod = apply(NGINX_POD("p"));
	cr_assert_str_eq(str_at(pod, "spec.priorityClassName"), "low");
	cr_assert_eq(json_integer_value(at(pod, "spec.priority")), 10);
	json_decref(pod);
	/* re-applying the manifest keeps what admission set */
	json_decref(apply(NGINX_POD("p")));
}

Test(priority, missing_class_forbidden)
{
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			 "  priorityClassName: nope\n  containers: [{name: nginx, image: nginx:1.27}]\n",
			 "pods \"p\" is forbidden: no PriorityClass with name nope was found");
}

Test(priority, given_priority_must_match)
{
	apply_file("priorityclasses.yaml");
	expect_forbidden("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			 "  priorityClassName: high\n  priority: 5\n"
			 "  containers: [{name: nginx, image: nginx:1.27}]\n",
			 "pods \"p\" is forbidden: the integer value of priority (5) must not be provided "
			 "in pod spec; priority admission controller computed 1000000 from the given "
			 "PriorityClass name");
}

Test(priority, one_global_default)
{
	apply_file("priorityclasses.yaml");
	expect_forbidden("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: other}\n"
			 "value: 5\nglobalDefault: true\n",
			 "priorityclasses.scheduling.k8s.io \"other\" is forbidden: PriorityClass low is "
			 "already marked as default. Only one default can exist");
}

struct boot_call {
	struct kube_call call;
};

static void run_boot(struct kube_call *call)
{
	kube__call_finish(call, kube__priority_bootstrap(call->c), NULL);
}

Test(priority, builtin_classes)
{
	struct kube_call call = { .run = run_boot, .c = c };
	json_t *pod;

	pthread_cond_init(&call.cond, NULL);
	cr_assert_eq(kube__call(c, &call), 0);
	pthread_cond_destroy(&call.cond);
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n"
		    "  priorityClassName: system-node-critical\n"
		    "  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_eq(json_integer_value(at(pod, "spec.priority")), 2000001000);
	json_decref(pod);
	pod = apply("apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: kube-system}\nspec:\n"
		    "  priorityClassName: system-cluster-critical\n"
		    "  containers: [{name: nginx, image: nginx:1.27}]\n");
	cr_assert_eq(json_integer_value(at(pod, "spec.priority")), 2000000000);
	json_decref(pod);
}
