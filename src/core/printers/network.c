/*
 * Service networking tables from upstream's printers.go: Service, Endpoints,
 * EndpointSlice, Ingress, IngressClass, NetworkPolicy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

#define COL_NAME { "Name", "string", "name", KUBE_DOC_META_NAME, 0 }
#define COL_AGE { "Age", "string", "", KUBE_DOC_META_CREATED, 0 }

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* loadBalancerStatusStringer (wide): ingress IPs, else hostnames, sorted and
 * deduplicated, joined by ",". */
static void lb_ingress(struct kube_sb *sb, const json_t *ingress)
{
	const char **v = calloc(json_array_size(ingress) + 1, sizeof(*v));
	const json_t *e;
	size_t i, n = 0;

	if (!v) {
		sb->failed = true;
		return;
	}
	json_array_foreach(ingress, i, e) {
		const char *ip = kube__jstr0(e, "ip"), *host = kube__jstr0(e, "hostname");
		if (*ip || *host)
			v[n++] = *ip ? ip : host;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			kube__sb_printf(sb, "%s%s", i ? "," : "", v[i]);
	free(v);
}

static void join_strings(struct kube_sb *sb, const json_t *arr, const char *sep)
{
	const json_t *s;
	size_t i;

	json_array_foreach(arr, i, s)
		kube__sb_printf(sb, "%s%s", i ? sep : "", json_string_value(s) ?: "");
}

/* ---- Service ---- */

static const struct kube_column service_columns[] = {
	COL_NAME,
	{ "Type", "string", "", KUBE_DOC_SVC_TYPE, 0 },
	{ "Cluster-IP", "string", "", KUBE_DOC_SVC_CLUSTERIP, 0 },
	{ "External-IP", "string", "", KUBE_DOC_SVC_EXTERNALIPS, 0 },
	{ "Port(s)", "string", "", KUBE_DOC_SVC_PORTS, 0 },
	COL_AGE,
	{ "Selector", "string", "", KUBE_DOC_SVC_SELECTOR, 1 },
};

/* getServiceExternalIP; spec.type defaults to ClusterIP. */
static void service_external_ip(struct kube_sb *sb, const json_t *svc)
{
	const char *type = kube__jstr(svc, "spec.type") ?: "ClusterIP";
	const json_t *ext = kube__jget(svc, "spec.externalIPs");
	size_t before;

	if (!strcmp(type, "ClusterIP") || !strcmp(type, "NodePort")) {
		if (json_array_size(ext))
			join_strings(sb, ext, ",");
		else
			kube__sb_puts(sb, "<none>");
	} else if (!strcmp(type, "LoadBalancer")) {
		before = sb->len;
		lb_ingress(sb, kube__jget(svc, "status.loadBalancer.ingress"));
		if (json_array_size(ext)) {
			if (sb->len != before)
				kube__sb_puts(sb, ",");
			join_strings(sb, ext, ",");
		} else if (sb->len == before) {
			kube__sb_puts(sb, "<pending>");
		}
	} else if (!strcmp(type, "ExternalName")) {
		kube__sb_puts(sb, kube__jstr0(svc, "spec.externalName"));
	} else {
		kube__sb_puts(sb, "<unknown>");
	}
}

/* makePortString: "80/TCP,8080:30080/TCP"; protocol defaults to TCP. */
static void service_ports(struct kube_sb *sb, const json_t *ports)
{
	const json_t *p;
	size_t i;

	json_array_foreach(ports, i, p) {
		const char *proto = kube__jstr(p, "protocol") ?: "TCP";
		json_int_t node_port = kube__jint(p, "nodePort", 0);
		if (i)
			kube__sb_puts(sb, ",");
		if (node_port > 0)
			kube__sb_printf(sb, "%lld:%lld/%s", (long long)kube__jint(p, "port", 0),
					(long long)node_port, proto);
		else
			kube__sb_printf(sb, "%lld/%s", (long long)kube__jint(p, "port", 0), proto);
	}
	if (!sb->len)
		kube__sb_puts(sb, "<none>");
}

/* spec.clusterIPs[0] (the internal ClusterIPs, which conversion fills from
 * clusterIP when absent), "<none>" without one. */
static const char *service_cluster_ip(const json_t *svc)
{
	const char *ip = json_string_value(json_array_get(kube__jget(svc, "spec.clusterIPs"), 0));

	if (!ip || !*ip)
		ip = kube__jstr(svc, "spec.clusterIP");
	return ip && *ip ? ip : "<none>";
}

static int service_row(const json_t *svc, int64_t now_ms, json_t *cells)
{
	struct kube_sb ext = { 0 }, ports = { 0 }, sel = { 0 };
	int failed = kube__cell_name(cells, svc);

	failed |= kube__cell_str(cells, kube__jstr(svc, "spec.type") ?: "ClusterIP");
	failed |= kube__cell_str(cells, service_cluster_ip(svc));
	service_external_ip(&ext, svc);
	failed |= kube__sb_cell(cells, &ext);
	service_ports(&ports, kube__jget(svc, "spec.ports"));
	failed |= kube__sb_cell(cells, &ports);
	failed |= kube__cell_age(cells, svc, now_ms);
	kube__format_labels(&sel, kube__jget(svc, "spec.selector"));
	failed |= kube__sb_cell(cells, &sel);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_service = KUBE_PRINTER(service_columns, service_row);

/* ---- Endpoints ---- */

static const struct kube_column endpoints_columns[] = {
	COL_NAME,
	{ "Endpoints", "string", "", KUBE_DOC_EP_SUBSETS, 0 },
	COL_AGE,
};

/* What formatEndpoints collects: the first three addresses and the total. */
struct ep_list {
	struct kube_sb sb; /* up to max entries joined by "," */
	int shown;         /* entries in sb */
	int count;         /* entries in all */
	bool more;         /* some were left out */
};

static void ep_add(struct ep_list *l, const char *ip, json_int_t port, bool with_port)
{
	if (l->shown == 3) {
		l->more = true;
		return;
	}
	kube__sb_puts(&l->sb, l->shown++ ? "," : "");
	if (!with_port)
		kube__sb_puts(&l->sb, ip);
	else if (strchr(ip, ':'))
		kube__sb_printf(&l->sb, "[%s]:%lld", ip, (long long)port); /* net.JoinHostPort */
	else
		kube__sb_printf(&l->sb, "%s:%lld", ip, (long long)port);
}

/* formatEndpoints with all ports: "ip:port,... + N more...", "<none>". */
static void format_endpoints(struct ep_list *l, const json_t *subsets)
{
	const json_t *ss, *port, *addr;
	size_t i, j, k;

	json_array_foreach(subsets, i, ss) {
		const json_t *addrs = kube__jget(ss, "addresses"), *ports = kube__jget(ss, "ports");
		if (!json_array_size(ports)) {
			/* headless services may have no ports */
			l->count += (int)json_array_size(addrs);
			json_array_foreach(addrs, k, addr)
				ep_add(l, kube__jstr0(addr, "ip"), 0, false);
			continue;
		}
		json_array_foreach(ports, j, port) {
			l->count += (int)json_array_size(addrs);
			json_array_foreach(addrs, k, addr)
				ep_add(l, kube__jstr0(addr, "ip"), kube__jint(port, "port", 0), true);
		}
	}
}

static int endpoints_row(const json_t *ep, int64_t now_ms, json_t *cells)
{
	const json_t *subsets = kube__jget(ep, "subsets");
	struct ep_list l = { 0 };
	int failed = kube__cell_name(cells, ep);

	if (!json_array_size(subsets))
		kube__sb_puts(&l.sb, "<none>");
	format_endpoints(&l, subsets);
	if (l.more)
		kube__sb_printf(&l.sb, " + %d more...", l.count - 3);
	failed |= kube__sb_cell(cells, &l.sb);
	failed |= kube__cell_age(cells, ep, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_endpoints = KUBE_PRINTER(endpoints_columns, endpoints_row);

/* ---- EndpointSlice ---- */

static const struct kube_column endpointslice_columns[] = {
	COL_NAME,
	{ "AddressType", "string", "", KUBE_DOC_EPS_ADDRTYPE, 0 },
	{ "Ports", "string", "", KUBE_DOC_EPS_PORTS, 0 },
	{ "Endpoints", "string", "", KUBE_DOC_EPS_ENDPOINTS, 0 },
	COL_AGE,
};

/* listWithMoreString's ending: " + N more..." or "<unset>" for nothing. */
static int more_cell(json_t *cells, struct ep_list *l)
{
	if (l->more)
		kube__sb_printf(&l->sb, " + %d more...", l->count - 3);
	else if (!l->sb.len)
		kube__sb_puts(&l->sb, "<unset>");
	return kube__sb_cell(cells, &l->sb);
}

/* formatDiscoveryPorts: port numbers, else names, else "*". */
static int slice_ports_cell(json_t *cells, const json_t *ports)
{
	struct ep_list l = { 0 };
	const json_t *p;
	char buf[32];
	size_t i;

	json_array_foreach(ports, i, p) {
		const char *v = kube__jstr(p, "name") ?: "*";
		if (json_is_integer(kube__jget(p, "port"))) {
			snprintf(buf, sizeof(buf), "%lld", (long long)kube__jint(p, "port", 0));
			v = buf;
		}
		ep_add(&l, v, 0, false);
		l.count++;
	}
	return more_cell(cells, &l);
}

/* formatDiscoveryEndpoints: every address of every endpoint. */
static int slice_endpoints_cell(json_t *cells, const json_t *endpoints)
{
	struct ep_list l = { 0 };
	const json_t *e, *a;
	size_t i, j;

	json_array_foreach(endpoints, i, e)
		json_array_foreach(kube__jget(e, "addresses"), j, a) {
			ep_add(&l, json_string_value(a) ?: "", 0, false);
			l.count++;
		}
	return more_cell(cells, &l);
}

static int endpointslice_row(const json_t *eps, int64_t now_ms, json_t *cells)
{
	int failed = kube__cell_name(cells, eps);

	failed |= kube__cell_str(cells, kube__jstr(eps, "addressType"));
	failed |= slice_ports_cell(cells, kube__jget(eps, "ports"));
	failed |= slice_endpoints_cell(cells, kube__jget(eps, "endpoints"));
	failed |= kube__cell_age(cells, eps, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_endpointslice =
	KUBE_PRINTER(endpointslice_columns, endpointslice_row);

/* ---- Ingress, IngressClass, NetworkPolicy ---- */

static const struct kube_column ingress_columns[] = {
	COL_NAME,
	{ "Class", "string", "", "The name of the IngressClass resource that should be used for additional configuration", 0 },
	{ "Hosts", "string", "", "Hosts that incoming requests are matched against before the ingress rule", 0 },
	{ "Address", "string", "", "Address is a list containing ingress points for the load-balancer", 0 },
	{ "Ports", "string", "", "Ports of TLS configurations that open", 0 },
	COL_AGE,
};

/* formatHosts: the first three rule hosts, "*" when no rule has one. */
static int ingress_hosts_cell(json_t *cells, const json_t *rules)
{
	struct kube_sb sb = { 0 };
	const json_t *r;
	size_t i, n = 0, total = json_array_size(rules);

	json_array_foreach(rules, i, r) {
		if (n == 3)
			break;
		if (*kube__jstr0(r, "host"))
			kube__sb_printf(&sb, "%s%s", n++ ? "," : "", kube__jstr(r, "host"));
	}
	if (!n)
		kube__sb_puts(&sb, "*");
	else if (i < total && n == 3)
		kube__sb_printf(&sb, " + %zu more...", total - 3);
	return kube__sb_cell(cells, &sb);
}

static int ingress_row(const json_t *ing, int64_t now_ms, json_t *cells)
{
	struct kube_sb addr = { 0 };
	int failed = kube__cell_name(cells, ing);

	failed |= kube__cell_str(cells, kube__jstr(ing, "spec.ingressClassName") ?: "<none>");
	failed |= ingress_hosts_cell(cells, kube__jget(ing, "spec.rules"));
	lb_ingress(&addr, kube__jget(ing, "status.loadBalancer.ingress"));
	failed |= kube__sb_cell(cells, &addr);
	failed |= kube__cell_str(cells, kube__jlen(ing, "spec.tls") ? "80, 443" : "80");
	failed |= kube__cell_age(cells, ing, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_ingress = KUBE_PRINTER(ingress_columns, ingress_row);

static const struct kube_column ingressclass_columns[] = {
	COL_NAME,
	{ "Controller", "string", "", "Controller that is responsible for handling this class", 0 },
	{ "Parameters", "string", "", "A reference to a resource with additional parameters", 0 },
	COL_AGE,
};

static int ingressclass_row(const json_t *ic, int64_t now_ms, json_t *cells)
{
	const json_t *params = kube__jget(ic, "spec.parameters");
	struct kube_sb sb = { 0 };
	int failed = kube__cell_name(cells, ic);

	failed |= kube__cell_str(cells, kube__jstr(ic, "spec.controller"));
	if (!params) {
		kube__sb_puts(&sb, "<none>");
	} else {
		kube__sb_puts(&sb, kube__jstr0(params, "kind"));
		if (kube__jstr(params, "apiGroup"))
			kube__sb_printf(&sb, ".%s", kube__jstr(params, "apiGroup"));
		kube__sb_printf(&sb, "/%s", kube__jstr0(params, "name"));
	}
	failed |= kube__sb_cell(cells, &sb);
	failed |= kube__cell_age(cells, ic, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_ingressclass = KUBE_PRINTER(ingressclass_columns, ingressclass_row);

static const struct kube_column networkpolicy_columns[] = {
	COL_NAME,
	{ "Pod-Selector", "string", "", KUBE_DOC_NETPOL_PODSELECTOR, 0 },
	COL_AGE,
};

static int networkpolicy_row(const json_t *np, int64_t now_ms, json_t *cells)
{
	struct kube_sb sel = { 0 };
	int failed = kube__cell_name(cells, np);

	kube__format_label_selector(&sel, kube__jget(np, "spec.podSelector"));
	failed |= kube__sb_cell(cells, &sel);
	failed |= kube__cell_age(cells, np, now_ms);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_networkpolicy =
	KUBE_PRINTER(networkpolicy_columns, networkpolicy_row);
