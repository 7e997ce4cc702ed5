/*
 * networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy
 * (pkg/apis/networking/v1/defaults.go, pkg/apis/networking/validation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"

static void backend(const json_t *b, const char *base, json_t *causes)
{
	json_t *svc = kube__jobj(b, "service"), *port = kube__jobj(svc, "port");
	const char *pname = kinds_str(port, "name");
	json_int_t num = json_integer_value(json_object_get(port, "number"));
	char p[KUBE_PATH_MAX];

	if (kube__jobj(b, "resource") && svc) {
		kube__err_invalid_str(causes, base, "", "cannot set both resource and service backends");
		return;
	}
	if (kube__jobj(b, "resource"))
		return;
	if (!svc) {
		kube__err_invalid_str(causes, base, "", "resource or service backend is required");
		return;
	}
	snprintf(p, sizeof(p), "%s.service.name", base);
	if (!*kinds_str(svc, "name"))
		kube__err_required(causes, p, NULL);
	else
		kube__check_fmt(causes, p, kinds_str(svc, "name"), kube__fmt_dns1035_label);
	if (*pname && num) {
		kube__err_invalid_str(causes, base, "", "cannot set both port name & port number");
	} else if (*pname) {
		snprintf(p, sizeof(p), "%s.service.port.name", base);
		kube__check_fmt(causes, p, pname, kube__fmt_port_name);
	} else if (num) {
		snprintf(p, sizeof(p), "%s.service.port.number", base);
		if (num < 1 || num > 65535)
			kube__err_invalid_int(causes, p, num, "must be between 1 and 65535, inclusive");
	} else {
		kube__err_required(causes, base, "port name or number is required");
	}
}

static void http_path(const json_t *hp, const char *base, json_t *causes)
{
	static const char *const types[] = { "Exact", "ImplementationSpecific", "Prefix", NULL };
	static const char *const bad_seq[] = { "//", "/./", "/../", "%2f", "%2F", NULL };
	static const char *const bad_suffix[] = { "/..", "/.", NULL };
	const char *type = kinds_str(hp, "pathType"), *path = kinds_str(hp, "path");
	char p[KUBE_PATH_MAX], msg[64];
	size_t n = strlen(path);

	if (!json_object_get(hp, "pathType")) {
		kube__err_required(causes, kube__path_child(p, base, "pathType"), "pathType must be specified");
		return;
	}
	kube__path_child(p, base, "path");
	if (!strcmp(type, "Exact") || !strcmp(type, "Prefix")) {
		if (path[0] != '/')
			kube__err_invalid_str(causes, p, path, "must be an absolute path");
		for (int i = 0; n && bad_seq[i]; i++)
			if (strstr(path, bad_seq[i])) {
				snprintf(msg, sizeof(msg), "must not contain '%s'", bad_seq[i]);
				kube__err_invalid_str(causes, p, path, msg);
			}
		for (int i = 0; n && bad_suffix[i]; i++)
			if (n >= strlen(bad_suffix[i]) && !strcmp(path + n - strlen(bad_suffix[i]), bad_suffix[i])) {
				snprintf(msg, sizeof(msg), "cannot end with '%s'", bad_suffix[i]);
				kube__err_invalid_str(causes, p, path, msg);
			}
	} else if (!strcmp(type, "ImplementationSpecific")) {
		if (n && path[0] != '/')
			kube__err_invalid_str(causes, p, path, "must be an absolute path");
	} else {
		kube__err_unsupported(causes, kube__path_child(p, base, "pathType"), type, types);
	}
	backend(kube__jobj(hp, "backend"), kube__path_child(p, base, "backend"), causes);
}

static void rule(const json_t *r, const char *base, json_t *causes)
{
	const char *host = kinds_str(r, "host");
	json_t *http = kube__jobj(r, "http"), *hp;
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX], pp[KUBE_PATH_MAX], h[300];
	size_t i;

	kube__path_child(p, base, "host");
	if (*host && kube__ip_family(host))
		kube__err_invalid_str(causes, p, host, "must be a DNS name, not an IP address");
	if (*host && !strncmp(host, "*.", 2)) {
		snprintf(h, sizeof(h), "x%s", host + 1);
		if (strchr(host + 1, '*') || kube__fmt_dns1123_subdomain(h, (const char *[KUBE_MSGS_MAX]){ 0 }))
			kube__err_invalid_str(causes, p, host, "a wildcard DNS-1123 subdomain must start "
					      "with '*.', followed by a valid DNS subdomain, which must consist "
					      "of lower case alphanumeric characters, '-' or '.' and end with an "
					      "alphanumeric character (e.g. '*.example.com', regex used for "
					      "validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
					      "([-a-z0-9]*[a-z0-9])?)*')");
	} else if (*host) {
		kube__check_fmt(causes, p, host, kube__fmt_dns1123_subdomain);
	}
	if (!http)
		return;
	kube__path_child(p, base, "http");
	if (json_array_size(kube__jarr(http, "paths")) == 0)
		kube__err_required(causes, kube__path_child(q, p, "paths"), NULL);
	kube__path_child(pp, p, "paths");
	json_array_foreach(kube__jarr(http, "paths"), i, hp)
		http_path(hp, kube__path_index(q, pp, i), causes);
}

void kube__ingress_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *rules = kube__jarr(spec, "rules"), *r, *cls = json_object_get(spec, "ingressClassName");
	char p[KUBE_PATH_MAX];
	size_t i;

	if (json_array_size(rules) == 0 && !kube__jobj(spec, "defaultBackend"))
		kube__err_invalid_raw(causes, "spec", "[]networking.IngressRule(nil)",
				      "either `defaultBackend` or `rules` must be specified");
	if (kube__jobj(spec, "defaultBackend"))
		backend(kube__jobj(spec, "defaultBackend"), "spec.defaultBackend", causes);
	json_array_foreach(rules, i, r)
		rule(r, kube__path_index(p, "spec.rules", i), causes);
	if (json_is_string(cls))
		kube__check_fmt(causes, "spec.ingressClassName", json_string_value(cls),
				kube__fmt_dns1123_subdomain);
}

void kube__ingressclass_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const char *ctl = kinds_str(kube__jobj(obj, "spec"), "controller");
	const char *slash = strchr(ctl, '/');
	char host[300];

	if (strlen(ctl) > 250)
		kube__err_toolong(causes, "spec.controller", 250);
	if (!*ctl) {
		kube__err_required(causes, "spec.controller", NULL);
	} else if (!slash || slash == ctl || !slash[1]) {
		kube__err_invalid_str(causes, "spec.controller", ctl,
				      "must be a domain-prefixed path (such as \"acme.io/foo\")");
	} else {
		snprintf(host, sizeof(host), "%.*s", (int)(slash - ctl), ctl);
		kube__check_fmt(causes, "spec.controller", host, kube__fmt_dns1123_subdomain);
	}
	if (old && strcmp(ctl, kinds_str(kube__jobj(old, "spec"), "controller")))
		kube__err_invalid_str(causes, "spec.controller", ctl, "field is immutable");
}

void kube__networkpolicy_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *types, *rule, *port;
	static const char *const dirs[] = { "ingress", "egress", NULL };
	size_t i, j;

	if (!spec)
		return;
	for (int d = 0; dirs[d]; d++)
		json_array_foreach(kube__jarr(spec, dirs[d]), i, rule)
			json_array_foreach(kube__jarr(rule, "ports"), j, port)
				if (json_is_object(port))
					kube__jdefault_str(port, "protocol", "TCP");
	if (json_array_size(kube__jarr(spec, "policyTypes")))
		return;
	types = json_pack("[s]", "Ingress");
	if (json_array_size(kube__jarr(spec, "egress")))
		json_array_append_new(types, json_string("Egress"));
	json_object_set_new(spec, "policyTypes", types);
}

static void np_port(const json_t *port, const char *base, json_t *causes)
{
	static const char *const protos[] = { "TCP", "UDP", "SCTP", NULL };
	json_t *pv = json_object_get(port, "port"), *end = json_object_get(port, "endPort");
	const char *proto = kinds_str(port, "protocol");
	char p[KUBE_PATH_MAX];

	if (json_object_get(port, "protocol") && strcmp(proto, "TCP") && strcmp(proto, "UDP") &&
	    strcmp(proto, "SCTP"))
		kube__err_unsupported(causes, kube__path_child(p, base, "protocol"), proto, protos);
	if (json_is_integer(pv)) {
		json_int_t n = json_integer_value(pv), e = json_integer_value(end);

		if (n < 1 || n > 65535)
			kube__err_invalid_int(causes, kube__path_child(p, base, "port"), n,
					      "must be between 1 and 65535, inclusive");
		kube__path_child(p, base, "endPort");
		if (end && e < n)
			kube__err_invalid_int(causes, p, n, "must be greater than or equal to `port`");
		if (end && (e < 1 || e > 65535))
			kube__err_invalid_int(causes, p, e, "must be between 1 and 65535, inclusive");
	} else if (json_is_string(pv)) {
		if (end)
			kube__err_invalid_int(causes, kube__path_child(p, base, "endPort"),
					      json_integer_value(end), "may not be specified when `port` is non-numeric");
		kube__check_fmt(causes, kube__path_child(p, base, "port"), json_string_value(pv),
				kube__fmt_port_name);
	} else if (end) {
		kube__err_invalid_int(causes, kube__path_child(p, base, "endPort"), json_integer_value(end),
				      "may not be specified when `port` is not specified");
	}
}

static void ip_block(const json_t *ipb, const char *base, json_t *causes)
{
	const char *cidr = kinds_str(ipb, "cidr");
	unsigned char net[16], ex[16];
	int plen, elen, fam;
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	size_t i;
	json_t *e;

	if (!*cidr) {
		kube__err_required(causes, kube__path_child(p, base, "cidr"), NULL);
		return;
	}
	if (!(fam = kube__cidr_parse(cidr, net, &plen))) {
		kube__err_invalid_str(causes, kube__path_child(p, base, "cidr"), cidr, "not a valid CIDR");
		return;
	}
	kube__path_child(p, base, "except");
	json_array_foreach(kube__jarr(ipb, "except"), i, e) {
		const char *s = json_string_value(e) ? json_string_value(e) : "";
		int efam = kube__cidr_parse(s, ex, &elen), bits = plen;
		bool inside = efam == fam;

		kube__path_index(q, p, i);
		if (!efam) {
			kube__err_invalid_str(causes, q, s, "not a valid CIDR");
			return;
		}
		for (int b = 0; inside && b < bits; b++)
			inside = ((net[b / 8] ^ ex[b / 8]) & (0x80 >> (b % 8))) == 0;
		if (!inside || plen >= elen)
			kube__err_invalid_str(causes, q, s, "must be a strict subset of `cidr`");
	}
}

static void np_peer(const json_t *peer, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	int n = 0;

	if (kube__jobj(peer, "podSelector") && ++n)
		kube__validate_label_selector(causes, kube__jobj(peer, "podSelector"),
					      kube__path_child(p, base, "podSelector"));
	if (kube__jobj(peer, "namespaceSelector") && ++n)
		kube__validate_label_selector(causes, kube__jobj(peer, "namespaceSelector"),
					      kube__path_child(p, base, "namespaceSelector"));
	if (kube__jobj(peer, "ipBlock") && ++n)
		ip_block(kube__jobj(peer, "ipBlock"), kube__path_child(p, base, "ipBlock"), causes);
	if (n == 0)
		kube__err_required(causes, base, "must specify a peer");
	else if (n > 1 && kube__jobj(peer, "ipBlock"))
		kube__err_forbidden(causes, base, "may not specify both ipBlock and another peer");
}

static void np_rules(const json_t *spec, const char *dir, const char *peers, json_t *causes)
{
	char rp[KUBE_PATH_MAX], p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	size_t i, j;
	json_t *r, *v;

	json_array_foreach(kube__jarr(spec, dir), i, r) {
		snprintf(rp, sizeof(rp), "spec.%s[%zu]", dir, i);
		kube__path_child(p, rp, "ports");
		json_array_foreach(kube__jarr(r, "ports"), j, v)
			np_port(v, kube__path_index(q, p, j), causes);
		kube__path_child(p, rp, peers);
		json_array_foreach(kube__jarr(r, peers), j, v)
			np_peer(v, kube__path_index(q, p, j), causes);
	}
}

void kube__networkpolicy_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const types[] = { "Ingress", "Egress", NULL };
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *pt = kube__jarr(spec, "policyTypes"), *t;
	char p[KUBE_PATH_MAX], *raw;
	size_t i;

	kube__validate_label_selector(causes, kube__jobj(spec, "podSelector"), "spec.podSelector");
	np_rules(spec, "ingress", "from", causes);
	np_rules(spec, "egress", "to", causes);
	if (json_array_size(pt) > 2) {
		raw = kube__go_string_slice(pt);
		kube__err_invalid_raw(causes, "spec.policyTypes", raw ? raw : "",
				      "may not specify more than two policyTypes");
		free(raw);
		return;
	}
	json_array_foreach(pt, i, t) {
		const char *s = json_string_value(t) ? json_string_value(t) : "";

		if (strcmp(s, "Ingress") && strcmp(s, "Egress"))
			kube__err_unsupported(causes, kube__path_index(p, "spec.policyTypes", i), s, types);
	}
}
