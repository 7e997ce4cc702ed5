/*
 * The EndpointSlice controller through the C API, with pods made ready by a
 * stand-in node agent (ep_test.h).
 */
#include <time.h>
#include "ep_test.h"

TestSuite(endpointslice, .init = ep_setup, .fini = ep_teardown);

#define WEB_SVC "apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {tier: front}}\n" \
	"spec:\n  clusterIP: 10.43.0.50\n  selector: {app: web}\n" \
	"  ports:\n  - {name: http, port: 80, targetPort: http}\n"

/* The service's slices (a List's items), sorted by name. */
static json_t *slices(const char *svc)
{
	char sel[256], *out = NULL;
	json_t *list, *items;

	snprintf(sel, sizeof(sel), "kubernetes.io/service-name=%s", svc);
	cr_assert_eq(kube_list(c, "endpointslices", "default", sel, NULL, &out), 0);
	list = json_loads(out, 0, NULL);
	kube_free(out);
	items = json_incref(json_object_get(list, "items"));
	json_decref(list);
	return items;
}

static size_t total_endpoints(const json_t *items)
{
	size_t n = 0, i;
	json_t *s;

	json_array_foreach(items, i, s)
		n += json_array_size(json_object_get(s, "endpoints"));
	return n;
}

/* Wait (5 s at most) until the service has @p nslices slices with @p neps endpoints. */
static json_t *wait_slices(const char *svc, size_t nslices, size_t neps)
{
	struct timespec pause = { 0, 2000000 };

	for (int i = 0; i < 2500; i++) {
		json_t *items = slices(svc);

		if (json_array_size(items) == nslices && total_endpoints(items) == neps)
			return items;
		json_decref(items);
		nanosleep(&pause, NULL);
	}
	cr_assert_fail("service %s never had %zu slices with %zu endpoints", svc, nslices, neps);
	return NULL;
}

static const json_t *endpoint_for(const json_t *items, const char *pod)
{
	size_t i, j;
	json_t *s, *ep;

	json_array_foreach(items, i, s)
		json_array_foreach(json_object_get(s, "endpoints"), j, ep)
			if (!strcmp(json_string_value(json_object_get(json_object_get(ep, "targetRef"), "name")), pod))
				return ep;
	return NULL;
}

Test(endpointslice, one_slice_with_conditions)
{
	json_t *items, *s, *meta;
	char want[1024];
	const char *name;

	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	pod("web-2", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	set_status("web-2", "10.42.0.12", false);
	items = wait_slices("web", 1, 2);
	s = json_array_get(items, 0);
	meta = json_object_get(s, "metadata");
	name = json_string_value(json_object_get(meta, "name"));
	cr_assert(!strncmp(name, "web-", 4) && strlen(name) == 9, "name %s", name);
	cr_assert_str_eq(json_string_value(json_object_get(meta, "generateName")), "web-");
	assert_json(json_object_get(meta, "labels"),
		    "{\"tier\":\"front\",\"kubernetes.io/service-name\":\"web\","
		    "\"endpointslice.kubernetes.io/managed-by\":\"endpointslice-controller.k8s.io\"}");
	snprintf(want, sizeof(want), "[{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"name\":\"web\","
		 "\"uid\":\"%s\",\"controller\":true,\"blockOwnerDeletion\":true}]", uid_of("services", "web"));
	assert_json(json_object_get(meta, "ownerReferences"), want);
	cr_assert_str_eq(json_string_value(json_object_get(s, "addressType")), "IPv4");
	assert_json(json_object_get(s, "ports"), "[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]");
	snprintf(want, sizeof(want),
		 "{\"addresses\":[\"10.42.0.11\"],\"conditions\":{\"ready\":true,\"serving\":true,"
		 "\"terminating\":false},\"nodeName\":\"node-1\",\"targetRef\":{\"kind\":\"Pod\","
		 "\"namespace\":\"default\",\"name\":\"web-1\",\"uid\":\"%s\"}}", uid_of("pods", "web-1"));
	assert_json(endpoint_for(items, "web-1"), want);
	assert_json(json_object_get(endpoint_for(items, "web-2"), "conditions"),
		    "{\"ready\":false,\"serving\":false,\"terminating\":false}");
	json_decref(items);
}

Test(endpointslice, hundred_per_slice)
{
	char name[32], ip[32];
	json_t *items;
	size_t i, sizes[3];

	apply(WEB_SVC);
	for (int n = 0; n < 250; n++) {
		snprintf(name, sizeof(name), "web-%03d", n);
		snprintf(ip, sizeof(ip), "10.42.%d.%d", n / 200, n % 200 + 1);
		pod(name, "web", 8080);
		set_status(name, ip, true);
	}
	items = wait_slices("web", 3, 250);
	for (i = 0; i < 3; i++)
		sizes[i] = json_array_size(json_object_get(json_array_get(items, i), "endpoints"));
	cr_assert(sizes[0] <= 100 && sizes[1] <= 100 && sizes[2] <= 100);
	json_decref(items);
	/* a changed pod stays in its slice: no slice is added or emptied */
	set_status("web-007", "10.42.0.8", false);
	items = wait_slices("web", 3, 250);
	json_decref(items);
}

Test(endpointslice, placeholder_when_no_pods)
{
	json_t *items;

	apply(WEB_SVC);
	items = wait_slices("web", 1, 0);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(items, 0), "ports")), 0);
	json_decref(items);
	pod("web-1", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	items = wait_slices("web", 1, 1);
	json_decref(items);
}

Test(endpointslice, terminating_pod_serves_but_is_not_ready)
{
	json_t *items;

	apply(WEB_SVC);
	apply("apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, labels: {app: web}, finalizers: [test/hold]}\n"
	      "spec:\n  containers:\n  - {name: c, image: nginx:1.27, ports: [{name: http, containerPort: 8080}]}\n");
	set_status("web-1", "10.42.0.11", true);
	items = wait_slices("web", 1, 1);
	json_decref(items);
	cr_assert_eq(kube_delete(c, "pods", "default", "web-1", KUBE_PROPAGATION_DEFAULT), 0);
	for (int i = 0; i < 2500; i++) {
		items = slices("web");
		if (json_is_true(json_object_get(json_object_get(endpoint_for(items, "web-1"), "conditions"),
						 "terminating")))
			break;
		json_decref(items);
		items = NULL;
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
	cr_assert_not_null(items, "the endpoint never turned terminating");
	assert_json(json_object_get(endpoint_for(items, "web-1"), "conditions"),
		    "{\"ready\":false,\"serving\":true,\"terminating\":true}");
	json_decref(items);
}

Test(endpointslice, deleted_with_service)
{
	json_t *items;

	apply(WEB_SVC);
	pod("web-1", "web", 8080);
	set_status("web-1", "10.42.0.11", true);
	items = wait_slices("web", 1, 1);
	json_decref(items);
	cr_assert_eq(kube_delete(c, "services", "default", "web", KUBE_PROPAGATION_DEFAULT), 0);
	items = wait_slices("web", 0, 0);
	json_decref(items);
}
