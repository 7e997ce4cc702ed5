#include "kinds_test.h"

Test(deployment, course_manifest_defaults)
{
	json_t *d = kt_load("manifests/deployment-webserver.yaml");

	kt_valid(d, NULL);
	kt_field(d, "spec.strategy", "{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
		 "{\"maxUnavailable\":\"25%\",\"maxSurge\":\"25%\"}}");
	kt_field(d, "spec.revisionHistoryLimit", "10");
	kt_field(d, "spec.progressDeadlineSeconds", "600");
	kt_field(d, "spec.template.spec.restartPolicy", "\"Always\"");
	kt_field(d, "spec.template.spec.containers.1.terminationMessagePolicy", "\"File\"");
	json_decref(d);
}

Test(deployment, selector_mismatch_and_strategy)
{
	json_t *d = kt_load("manifests/deployment-webserver.yaml");

	json_object_set_new(kube__jpath(d, "spec.selector.matchLabels"), "type", json_string("frontend"));
	json_object_set_new(kube__jpath(d, "spec"), "replicas", json_integer(-1));
	json_object_set_new(kube__jpath(d, "spec"), "strategy",
			    json_pack("{s:s,s:{s:i,s:s}}", "type", "RollingUpdate", "rollingUpdate",
				      "maxSurge", 0, "maxUnavailable", "0%"));
	json_object_set_new(kube__jpath(d, "spec.template.spec"), "restartPolicy", json_string("Never"));
	KT_CHECK(d, NULL,
		 "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
		 "spec.template.metadata.labels: Invalid value: map[string]string{\"name\":\"webserver\", "
		 "\"type\":\"backend\"}: `selector` does not match template `labels`",
		 "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
		 "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0");
	json_decref(d);
}

Test(deployment, selector_expressions_match_template)
{
	json_t *d = kt_load("manifests/deployment-webserver.yaml");
	json_t *sel = kube__jpath(d, "spec.selector");

	json_object_set_new(sel, "matchExpressions", json_pack(
		"[{s:s,s:s,s:[s,s]},{s:s,s:s,s:[s]},{s:s,s:s},{s:s,s:s}]",
		"key", "type", "operator", "In", "values", "frontend", "backend",
		"key", "tier", "operator", "NotIn", "values", "db",
		"key", "name", "operator", "Exists",
		"key", "canary", "operator", "DoesNotExist"));
	kt_valid(d, NULL);
	json_object_set_new(json_array_get(json_object_get(sel, "matchExpressions"), 1),
			    "values", json_pack("[s]", "backend"));
	json_object_set_new(json_array_get(json_object_get(sel, "matchExpressions"), 1),
			    "key", json_string("type"));
	KT_CHECK(d, NULL,
		 "spec.template.metadata.labels: Invalid value: map[string]string{\"name\":\"webserver\", "
		 "\"type\":\"backend\"}: `selector` does not match template `labels`");
	json_decref(d);
}

Test(deployment, selector_required_and_immutable)
{
	json_t *old = kt_load("manifests/deployment-webserver.yaml");
	json_t *d = kt_load("manifests/deployment-webserver.yaml");

	json_object_set_new(kube__jpath(d, "spec.selector"), "matchLabels",
			    json_pack("{s:s}", "name", "webserver"));
	KT_CHECK(d, old, "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string"
		 "{\"name\":\"webserver\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
	json_object_del(kube__jpath(d, "spec"), "selector");
	KT_CHECK(d, NULL, "spec.selector: Required value");
	json_decref(old);
	json_decref(d);
}

Test(statefulset, course_manifest_as_statefulset)
{
	json_t *s = kt_load("manifests/statefulset-webserver.yaml");

	json_object_set_new(s, "kind", json_string("StatefulSet"));
	kt_valid(s, NULL);
	kt_field(s, "spec.podManagementPolicy", "\"OrderedReady\"");
	kt_field(s, "spec.updateStrategy", "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}");
	kt_field(s, "spec.persistentVolumeClaimRetentionPolicy",
		 "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}");
	kt_field(s, "spec.revisionHistoryLimit", "10");
	json_decref(s);
}

Test(statefulset, forbidden_update_and_policy)
{
	json_t *old = kt_load("manifests/statefulset-webserver.yaml");
	json_t *s = kt_load("manifests/statefulset-webserver.yaml");

	json_object_set_new(old, "kind", json_string("StatefulSet"));
	json_object_set_new(s, "kind", json_string("StatefulSet"));
	json_object_set_new(kube__jpath(s, "spec"), "serviceName", json_string("other"));
	json_object_set_new(kube__jpath(s, "spec"), "podManagementPolicy", json_string("Random"));
	KT_CHECK(s, old,
		 "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
		 "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
		 "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
		 "are forbidden");
	json_decref(old);
	json_decref(s);
}

Test(daemonset, course_manifest_and_strategy)
{
	json_t *d = kt_load("manifests/daemonset-webserver.yaml");

	kt_valid(d, NULL);
	kt_field(d, "spec.updateStrategy", "{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
		 "{\"maxUnavailable\":1,\"maxSurge\":0}}");
	json_object_set_new(kube__jpath(d, "spec.updateStrategy.rollingUpdate"), "maxSurge", json_integer(1));
	KT_CHECK(d, NULL, "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set "
		 "when maxUnavailable is non-zero");
	json_decref(d);
}

Test(replicationcontroller, selector_defaults_from_template)
{
	json_t *rc = kt_parse("apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n"
			      "  template:\n    metadata: {labels: {app: web}}\n"
			      "    spec: {containers: [{name: c, image: nginx}]}\n");

	kt_valid(rc, NULL);
	kt_field(rc, "spec.selector", "{\"app\":\"web\"}");
	kt_field(rc, "metadata.labels", "{\"app\":\"web\"}");
	kt_field(rc, "spec.replicas", "1");
	json_decref(rc);
}
