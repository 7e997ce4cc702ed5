/*
 * Cluster IPs and node ports are allocated as upstream allocates them.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/libkube.h"

static kube_cluster *c;

static void setup(void)
{
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	int err = kube_cluster_start(c);
	cr_assert_eq(err, 0, "start: %d %s", err, kube_last_status());
}

static void teardown(void)
{
	kube_cluster_free(c);
}

TestSuite(service_alloc, .init = setup, .fini = teardown);

static json_t *spec_of(const char *name)
{
	char *out;
	json_t *o, *spec;

	cr_assert_eq(kube_get(c, "svc", "default", name, &out), 0, "%s", kube_last_status());
	o = json_loads(out, 0, NULL);
	kube_free(out);
	spec = json_incref(json_object_get(o, "spec"));
	json_decref(o);
	return spec;
}

static char *manifest(const char *name)
{
	char path[512], *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/manifests/%s", KUBE_SHARED_DIR, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	cr_assert(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	return text;
}

Test(service_alloc, kubernetes_service_has_the_first_address)
{
	json_t *spec = spec_of("kubernetes");

	cr_assert_str_eq(json_string_value(json_object_get(spec, "clusterIP")), "10.43.0.1");
	json_decref(spec);
}

Test(service_alloc, cluster_ip_and_node_ports_from_the_course)
{
	char *m = manifest("service-nodeport.yaml");
	json_t *spec, *p;
	size_t i;

	cr_assert_eq(kube_apply(c, m, NULL), 0, "%s", kube_last_status());
	free(m);
	spec = spec_of("webserver-np");
	cr_assert_str_eq(json_string_value(json_object_get(spec, "clusterIP")), "10.43.0.2");
	json_array_foreach(json_object_get(spec, "ports"), i, p) {
		json_int_t np = json_integer_value(json_object_get(p, "nodePort"));

		cr_assert(np >= 30000 && np <= 32767, "nodePort %lld", (long long)np);
	}
	json_decref(spec);
	/* applying it again keeps what was allocated */
	m = manifest("service-nodeport.yaml");
	cr_assert_eq(kube_apply(c, m, NULL), 0, "%s", kube_last_status());
	free(m);
	spec = spec_of("webserver-np");
	cr_assert_str_eq(json_string_value(json_object_get(spec, "clusterIP")), "10.43.0.2");
	json_decref(spec);
}

Test(service_alloc, headless_and_taken_addresses)
{
	json_t *spec;

	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Service\nmetadata: {name: h}\n"
				"spec: {clusterIP: None, selector: {a: b}, ports: [{port: 80}]}\n", NULL), 0,
		     "%s", kube_last_status());
	spec = spec_of("h");
	cr_assert_str_eq(json_string_value(json_object_get(spec, "clusterIP")), "None");
	json_decref(spec);
	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n"
				"spec: {clusterIP: 10.43.0.1, ports: [{port: 80}]}\n", NULL), KUBE_EINVALID);
	cr_assert(strstr(kube_last_status(), "provided IP is already allocated"), "%s", kube_last_status());
	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Service\nmetadata: {name: y}\n"
				"spec: {clusterIP: 192.168.1.1, ports: [{port: 80}]}\n", NULL), KUBE_EINVALID);
	cr_assert(strstr(kube_last_status(), "is not in the valid range"), "%s", kube_last_status());
	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Service\nmetadata: {name: n1}\n"
				"spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n", NULL), 0);
	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Service\nmetadata: {name: n2}\n"
				"spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n", NULL), KUBE_EINVALID);
	cr_assert(strstr(kube_last_status(), "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"),
		  "%s", kube_last_status());
}
