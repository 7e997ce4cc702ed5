/*
 * The Endpoints controller through the C API: services select pods, pods
 * get IPs and readiness from a stand-in node agent (ep_test.h).
 */
#include "ep_test.h"

TestSuite(endpoints, .init = ep_setup, .fini = ep_teardown);

#define WEB_SVC "apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {tier: front}}\n" \
	"spec:\n  clusterIP: 10.43.0.50\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: http}\n"

Test(endpoints, ready_and_not_ready_addresses)
{
	char want[2048];
	json_t *ep;

	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	pod("web-2", "web", 8080);
	pod("web-3", "web", 8080);   /* no IP yet: left out */
	pod("db-1", "db", 8080);     /* not selected */
	set_status("web-1", "10.42.0.11", true);
	set_status("web-2", "10.42.0.12", false);
	set_status("db-1", "10.42.0.20", true);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].notReadyAddresses[0].ip}=10.42.0.12");
	ep = get("endpoints", "web");
	snprintf(want, sizeof(want),
		 "[{\"addresses\":[{\"ip\":\"10.42.0.11\",\"nodeName\":\"node-1\",\"targetRef\":"
		 "{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"web-1\",\"uid\":\"%s\"}}],"
		 "\"notReadyAddresses\":[{\"ip\":\"10.42.0.12\",\"nodeName\":\"node-1\",\"targetRef\":"
		 "{\"kind\":\"Pod\",\"namespace\":\"default\",\"name\":\"web-2\",\"uid\":\"%s\"}}],"
		 "\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]}]",
		 uid_of("pods", "web-1"), uid_of("pods", "web-2"));
	assert_json(json_object_get(ep, "subsets"), want);
	assert_json(json_object_get(json_object_get(ep, "metadata"), "labels"), "{\"tier\":\"front\"}");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(ep, "metadata"),
		"annotations"), "endpoints.kubernetes.io/last-change-trigger-time")), "2030-01-01T00:00:05Z");
	json_decref(ep);
}

Test(endpoints, readiness_change_moves_address)
{
	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	set_status("web-1", "10.42.0.11", false);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].notReadyAddresses[0].ip}=10.42.0.11");
	set_status("web-1", "10.42.0.11", true);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].addresses[0].ip}=10.42.0.11");
}

Test(endpoints, named_port_numbers_split_subsets)
{
	json_t *ep, *ss;

	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	pod("web-2", "web", 9090);
	set_status("web-1", "10.42.0.11", true);
	set_status("web-2", "10.42.0.12", true);
	wait_for("endpoints", "web", "jsonpath={.subsets[1].addresses[0].nodeName}=node-1");
	ep = get("endpoints", "web");
	ss = json_object_get(ep, "subsets");
	cr_assert_eq(json_array_size(ss), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *s = json_array_get(ss, i);
		json_int_t port = json_integer_value(json_object_get(json_array_get(json_object_get(s, "ports"), 0), "port"));
		const char *ip = json_string_value(json_object_get(json_array_get(json_object_get(s, "addresses"), 0), "ip"));

		cr_assert_eq(json_array_size(json_object_get(s, "addresses")), 1);
		cr_assert_str_eq(ip, port == 8080 ? "10.42.0.11" : "10.42.0.12", "port %lld", (long long)port);
	}
	json_decref(ep);
}

Test(endpoints, publish_not_ready_and_hostname)
{
	json_t *ep;

	apply("apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  clusterIP: None\n"
	      "  publishNotReadyAddresses: true\n  selector: {app: db}\n  ports:\n  - {port: 5432}\n");
	apply("apiVersion: v1\nkind: Pod\nmetadata: {name: db-0, labels: {app: db}}\n"
	      "spec:\n  hostname: db-0\n  subdomain: db\n  containers: [{name: c, image: postgres:16}]\n");
	set_status("db-0", "10.42.0.30", false);
	wait_for("endpoints", "db", "jsonpath={.subsets[0].addresses[0].hostname}=db-0");
	ep = get("endpoints", "db");
	cr_assert_null(json_object_get(json_array_get(json_object_get(ep, "subsets"), 0), "notReadyAddresses"));
	assert_json(json_object_get(json_array_get(json_object_get(ep, "subsets"), 0), "ports"),
		    "[{\"port\":5432,\"protocol\":\"TCP\"}]");
	assert_json(json_object_get(json_object_get(ep, "metadata"), "labels"),
		    "{\"service.kubernetes.io/headless\":\"\"}");
	json_decref(ep);
}

Test(endpoints, headless_without_ports)
{
	apply("apiVersion: v1\nkind: Service\nmetadata: {name: h}\nspec:\n  clusterIP: None\n"
	      "  selector: {app: web}\n");
	pod("web-1", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	wait_for("endpoints", "h", "jsonpath={.subsets[0].addresses[0].ip}=10.42.0.11");
}

Test(endpoints, selectorless_service_left_alone)
{
	json_t *ep;

	apply("apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  ports: [{port: 80}]\n");
	apply("apiVersion: v1\nkind: Endpoints\nmetadata: {name: ext}\n"
	      "subsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 80}]}]\n");
	/* a selected-pods sync of another service runs after anything queued for ext */
	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].addresses[0].ip}=10.42.0.11");
	ep = get("endpoints", "ext");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(ep, "subsets"), 0), "addresses"), 0), "ip")), "192.0.2.10");
	json_decref(ep);
}

Test(endpoints, deleted_pod_and_service)
{
	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	pod("web-2", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	set_status("web-2", "10.42.0.12", true);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].addresses[1].ip}=10.42.0.12");
	cr_assert_eq(kube_delete(c, "pods", "default", "web-1", KUBE_PROPAGATION_DEFAULT), 0);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].addresses[0].ip}=10.42.0.12");
	cr_assert_eq(kube_delete(c, "services", "default", "web", KUBE_PROPAGATION_DEFAULT), 0);
	wait_for("endpoints", "web", "delete");
}

Test(endpoints, relabelled_pod_leaves)
{
	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	wait_for("endpoints", "web", "jsonpath={.subsets[0].addresses[0].ip}=10.42.0.11");
	pod("web-1", "other", 8080);
	wait_for("endpoints", "web", "jsonpath={.metadata.labels.tier}=front");
	cr_assert_eq(kube_wait(c, "endpoints", "default", "web",
			       "jsonpath={.subsets[0].addresses[0].ip}=10.42.0.11", 0), KUBE_ETIMEDOUT);
}
