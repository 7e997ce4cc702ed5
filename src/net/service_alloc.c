/*
 * Service cluster IPs and node ports, allocated when a Service is written,
 * as upstream's service REST storage does: a free address from the service
 * CIDR (10.43.0.0/16; 10.43.0.1 is the `kubernetes` Service's) unless the
 * Service is headless or ExternalName, and a free node port (30000-32767)
 * for every port of a NodePort or LoadBalancer Service that has none.
 * Requested values must be in range and free. Updates keep what was
 * allocated (upstream's patchAllocatedValues). Runs as an admission plugin.
 *
 * What is in use is read from the stored Services, so nothing can leak and
 * a restart needs no allocator state of its own.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission.h"
#include "core/ops.h"
#include "core/status.h"

#define SERVICE_CIDR_BASE 0x0a2b0000u   /* 10.43.0.0 */
#define SERVICE_CIDR_SIZE 65536u
#define NODE_PORT_MIN 30000
#define NODE_PORT_MAX 32767

struct used {
	const json_t *self;            /* the Service being written (not "in use") */
	unsigned char *ips;            /* one byte per address of the CIDR */
	unsigned char ports[NODE_PORT_MAX - NODE_PORT_MIN + 1];
};

static bool same_object(const json_t *a, const json_t *b)
{
	const char *na = kube__meta_str(a, "name"), *nb = kube__meta_str(b, "name");
	const char *sa = kube__meta_str(a, "namespace"), *sb = kube__meta_str(b, "namespace");

	return na && nb && sa && sb && !strcmp(na, nb) && !strcmp(sa, sb);
}

/* The offset of @p ip in the CIDR, or -1 when it is not in it. */
static long cidr_offset(const char *ip)
{
	struct in_addr a;
	uint32_t h;

	if (!ip || inet_pton(AF_INET, ip, &a) != 1)
		return -1;
	h = ntohl(a.s_addr);
	return h - SERVICE_CIDR_BASE < SERVICE_CIDR_SIZE ? (long)(h - SERVICE_CIDR_BASE) : -1;
}

static int mark_used(const char *key, const json_t *svc, void *data)
{
	struct used *u = data;
	const json_t *spec = json_object_get(svc, "spec");
	json_t *p;
	size_t i;
	long off;

	(void)key;
	if (same_object(svc, u->self))
		return 0;
	off = cidr_offset(json_string_value(json_object_get(spec, "clusterIP")));
	if (off >= 0)
		u->ips[off] = 1;
	json_array_foreach(json_object_get(spec, "ports"), i, p) {
		json_int_t np = json_integer_value(json_object_get(p, "nodePort"));

		if (np >= NODE_PORT_MIN && np <= NODE_PORT_MAX)
			u->ports[np - NODE_PORT_MIN] = 1;
	}
	return 0;
}

static bool wants_ip(const json_t *spec)
{
	const char *type = json_string_value(json_object_get(spec, "type"));
	const char *ip = json_string_value(json_object_get(spec, "clusterIP"));

	return !(type && !strcmp(type, "ExternalName")) && !(ip && !strcmp(ip, "None"));
}

static bool wants_node_ports(const json_t *spec)
{
	const char *type = json_string_value(json_object_get(spec, "type"));

	return type && (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer"));
}

static void set_ip(json_t *spec, const char *ip)
{
	/* ip may be the very string the first set replaces: make both from one copy */
	json_t *v = json_string(ip);

	json_object_set_new(spec, "clusterIPs", json_pack("[O]", v));
	json_object_set_new(spec, "clusterIP", v);
}

static int allocate_ip(struct used *u, json_t *spec, json_t *causes)
{
	const char *want = json_string_value(json_object_get(spec, "clusterIP"));
	struct in_addr a;
	char buf[INET_ADDRSTRLEN], detail[128];
	long off;

	if (want && *want) {
		off = cidr_offset(want);
		if (off < 0 || off == 0 || off == SERVICE_CIDR_SIZE - 1)
			snprintf(detail, sizeof(detail), "failed to allocate IP %s: the provided IP (%s) "
				 "is not in the valid range. The range of valid IPs is 10.43.0.0/16",
				 want, want);
		else if (u->ips[off])
			snprintf(detail, sizeof(detail), "failed to allocate IP %s: provided IP is "
				 "already allocated", want);
		else
			return set_ip(spec, want), 0;
		kube__cause_invalid(causes, "spec.clusterIPs", json_object_get(spec, "clusterIPs")
				    ?: json_object_get(spec, "clusterIP"), detail);
		return KUBE_EINVALID;
	}
	for (off = 1; off < (long)SERVICE_CIDR_SIZE - 1; off++) {
		if (u->ips[off])
			continue;
		a.s_addr = htonl(SERVICE_CIDR_BASE + (uint32_t)off);
		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		set_ip(spec, buf);
		u->ips[off] = 1;
		return 0;
	}
	kube__cause_add(causes, "FieldValueInvalid", "spec.clusterIPs",
			"Internal error: range is full");
	return KUBE_EINVALID;
}

static int allocate_ports(struct used *u, json_t *spec, json_t *causes)
{
	json_t *p;
	size_t i;
	int err = 0;

	json_array_foreach(json_object_get(spec, "ports"), i, p) {
		json_t *np = json_object_get(p, "nodePort");
		char field[64];

		snprintf(field, sizeof(field), "spec.ports[%zu].nodePort", i);
		if (json_integer_value(np)) {
			json_int_t v = json_integer_value(np);

			if (v < NODE_PORT_MIN || v > NODE_PORT_MAX) {
				kube__cause_invalid(causes, field, np, "provided port is not in the "
						    "valid range. The range of valid ports is 30000-32767");
				err = KUBE_EINVALID;
			} else if (u->ports[v - NODE_PORT_MIN]) {
				kube__cause_invalid(causes, field, np, "provided port is already allocated");
				err = KUBE_EINVALID;
			} else {
				u->ports[v - NODE_PORT_MIN] = 1;
			}
			continue;
		}
		for (int port = NODE_PORT_MIN; port <= NODE_PORT_MAX; port++) {
			if (!u->ports[port - NODE_PORT_MIN]) {
				u->ports[port - NODE_PORT_MIN] = 1;
				json_object_set_new(p, "nodePort", json_integer(port));
				break;
			}
		}
	}
	return err;
}

/* On update: keep the stored IP and the node port of each same port. */
static void keep_allocated(json_t *spec, const json_t *old)
{
	const json_t *ospec = json_object_get(old, "spec");
	const char *ip = json_string_value(json_object_get(spec, "clusterIP"));
	json_t *p, *q;
	size_t i, j;

	if ((!ip || !*ip) && wants_ip(spec) && json_object_get(ospec, "clusterIP") && wants_ip(ospec)) {
		json_object_set(spec, "clusterIP", json_object_get(ospec, "clusterIP"));
		json_object_set(spec, "clusterIPs", json_object_get(ospec, "clusterIPs"));
	}
	if (!wants_node_ports(spec))
		return;
	json_array_foreach(json_object_get(spec, "ports"), i, p) {
		if (json_integer_value(json_object_get(p, "nodePort")))
			continue;
		json_array_foreach(json_object_get(ospec, "ports"), j, q) {
			if (json_integer_value(json_object_get(q, "port")) ==
			    json_integer_value(json_object_get(p, "port")) &&
			    json_integer_value(json_object_get(q, "nodePort")))
				json_object_set(p, "nodePort", json_object_get(q, "nodePort"));
		}
	}
}

static int allocate(struct kube_admission *a, json_t **st)
{
	json_t *spec = json_object_get(a->obj, "spec"), *causes;
	struct used u = { .self = a->obj };
	int err = 0;

	if (strcmp(a->k->kind, "Service") || *a->k->group || a->status || !json_is_object(spec))
		return 0;
	if (a->old)
		keep_allocated(spec, a->old);
	if (!wants_ip(spec) && !wants_node_ports(spec))
		return 0;
	u.ips = calloc(SERVICE_CIDR_SIZE, 1);
	if (!u.ips)
		return kube__fail(st, KUBE_ENOMEM, NULL, NULL, NULL, "out of memory");
	store_list(a->c->store, "/services/", mark_used, &u);
	causes = json_array();
	if (wants_ip(spec)) {
		const char *ip = json_string_value(json_object_get(spec, "clusterIP"));
		bool kept = a->old && ip && !strcmp(ip, json_string_value(json_object_get(
						json_object_get(a->old, "spec"), "clusterIP")) ?: "");

		if (!kept)
			err = allocate_ip(&u, spec, causes);
	}
	if (wants_node_ports(spec) && allocate_ports(&u, spec, causes))
		err = KUBE_EINVALID;
	free(u.ips);
	if (err)
		return kube__fail_invalid(st, "", "Service", kube__meta_str(a->obj, "name"), causes);
	json_decref(causes);
	return 0;
}

const struct kube_admission_plugin kube__admission_service_allocation = {
	.name = "ServiceAllocation",
	.mutate = allocate,
};
