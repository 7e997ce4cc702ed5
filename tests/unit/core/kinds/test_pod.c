#include "kinds_test.h"

Test(pod, course_manifest_gets_upstream_defaults)
{
	json_t *pod = kt_load("manifests/pod-probes.yaml");

	kt_valid(pod, NULL);
	kt_field(pod, "spec.restartPolicy", "\"Always\"");
	kt_field(pod, "spec.dnsPolicy", "\"ClusterFirst\"");
	kt_field(pod, "spec.schedulerName", "\"default-scheduler\"");
	kt_field(pod, "spec.terminationGracePeriodSeconds", "10");
	kt_field(pod, "spec.securityContext", "{}");
	kt_field(pod, "spec.enableServiceLinks", "true");
	kt_field(pod, "spec.containers.0.imagePullPolicy", "\"IfNotPresent\"");
	kt_field(pod, "spec.containers.0.terminationMessagePath", "\"/dev/termination-log\"");
	kt_field(pod, "spec.containers.0.terminationMessagePolicy", "\"File\"");
	kt_field(pod, "spec.containers.0.resources", "{}");
	kt_field(pod, "spec.containers.0.startupProbe.failureThreshold", "18");
	kt_field(pod, "spec.containers.0.readinessProbe.httpGet.scheme", "\"HTTP\"");
	kt_field(pod, "spec.volumes.2.emptyDir", "{}");
	kt_field(pod, "spec.volumes.0.hostPath.type", "\"DirectoryOrCreate\"");
	kt_field(pod, "status.phase", "\"Pending\"");
	kt_field(pod, "status.qosClass", "\"BestEffort\"");
	json_decref(pod);
}

Test(pod, probe_and_pull_policy_defaults)
{
	json_t *pod = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
			       "\"spec\":{\"volumes\":[{\"name\":\"v\"},{\"name\":\"h\",\"hostPath\":{\"path\":\"/x\"}}],"
			       "\"containers\":[{\"name\":\"a\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}],"
			       "\"livenessProbe\":{\"httpGet\":{\"port\":80}},"
			       "\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}},"
			       "{\"name\":\"b\",\"image\":\"reg:5000/busybox:latest\"},"
			       "{\"name\":\"c\",\"image\":\"reg:5000/busybox\"}]}}");

	kt_valid(pod, NULL);
	kt_field(pod, "spec.containers.0.imagePullPolicy", "\"Always\"");
	kt_field(pod, "spec.containers.1.imagePullPolicy", "\"Always\"");
	kt_field(pod, "spec.containers.2.imagePullPolicy", "\"Always\"");
	kt_field(pod, "spec.containers.0.ports.0.protocol", "\"TCP\"");
	kt_field(pod, "spec.containers.0.livenessProbe",
		 "{\"httpGet\":{\"port\":80,\"path\":\"/\",\"scheme\":\"HTTP\"},\"timeoutSeconds\":1,"
		 "\"periodSeconds\":10,\"successThreshold\":1,\"failureThreshold\":3}");
	kt_field(pod, "spec.containers.0.resources.requests", "{\"cpu\":\"1\",\"memory\":\"1Gi\"}");
	kt_field(pod, "spec.volumes.0.emptyDir", "{}");
	kt_field(pod, "spec.volumes.1.hostPath.type", "\"\"");
	kt_field(pod, "status.qosClass", "\"Burstable\"");
	json_decref(pod);
}

Test(pod, every_error_with_upstream_path_and_message)
{
	json_t *pod = kt_load("data/pod-bad.yaml");

	KT_CHECK(pod, NULL,
		 "spec.volumes[1].hostPath.path: Invalid value: \"/srv/../etc\": must not contain '..'",
		 "spec.volumes[1].hostPath.type: Unsupported value: \"Folder\": supported values: \"\", "
		 "\"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
		 "\"FileOrCreate\", \"Socket\"",
		 "spec.volumes[1].name: Duplicate value: \"data\"",
		 "spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type",
		 "spec.volumes[2].name: Invalid value: \"Two_Sources\": a lowercase RFC 1123 label must "
		 "consist of lower case alphanumeric characters or '-', and must start and end with an "
		 "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
		 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
		 "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must "
		 "consist of lower case alphanumeric characters or '-', and must start and end with an "
		 "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
		 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
		 "spec.containers[0].ports[0].containerPort: Required value",
		 "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 "
		 "and 65535, inclusive",
		 "spec.containers[0].ports[1].protocol: Unsupported value: \"HTTP\": supported values: "
		 "\"SCTP\", \"TCP\", \"UDP\"",
		 "spec.containers[0].ports[2].name: Duplicate value: \"http\"",
		 "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable "
		 "name must consist only of printable ASCII characters other than '='",
		 "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: "
		 "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
		 "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
		 "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/m\": must be unique",
		 "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or "
		 "equal to cpu limit of 500m",
		 "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 "
		 "handler type",
		 "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
		 "spec.containers[1].name: Invalid value: \"Web\": a lowercase RFC 1123 label must "
		 "consist of lower case alphanumeric characters or '-', and must start and end with an "
		 "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
		 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
		 "spec.containers[1].image: Required value",
		 "spec.containers[1].name: Duplicate value: \"Web\"",
		 "spec.containers[1].readinessProbe: Required value: must specify a handler type",
		 "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
		 "\"OnFailure\", \"Never\"");
	json_decref(pod);
}

Test(pod, no_containers)
{
	json_t *pod = kt_parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
			       "\"spec\":{\"containers\":[]}}");

	KT_CHECK(pod, NULL, "spec.containers: Required value");
	json_decref(pod);
}

Test(pod, update_may_change_image_only)
{
	json_t *old = kt_load("manifests/pod-volumes.yaml"), *pod = kt_load("manifests/pod-volumes.yaml");

	json_object_set_new(json_array_get(kube__jpath(pod, "spec.containers"), 0), "image",
			    json_string("mysql:8.1"));
	kt_valid(pod, old);
	json_object_set_new(json_array_get(kube__jpath(pod, "spec.containers"), 0), "command",
			    json_pack("[s]", "sh"));
	KT_CHECK(pod, old, "spec: Forbidden: pod updates may not change fields other than "
		 "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
		 "`spec.tolerations` (only additions to existing tolerations),"
		 "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");
	json_decref(old);
	json_decref(pod);
}
