/*
 * Service: SetDefaults_Service (plus the clusterIP/clusterIPs sync and the
 * single-stack IP family fields the REST layer fills upstream) and
 * ValidateService. Allocation of cluster IPs and node ports is the
 * networking layer's, after validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/kinds/podspec.h"

static bool is_type(const json_t *spec, const char *t)
{
	return !strcmp(kinds_str(spec, "type"), t);
}

static void port_defaults(json_t *ports)
{
	size_t i;
	json_t *p, *tp;

	json_array_foreach(ports, i, p) {
		if (!json_is_object(p))
			continue;
		kube__jdefault_str(p, "protocol", "TCP");
		tp = json_object_get(p, "targetPort");
		if (!tp || json_is_null(tp) || (json_is_integer(tp) && !json_integer_value(tp)) ||
		    (json_is_string(tp) && !*json_string_value(tp)))
			json_object_set(p, "targetPort", json_object_get(p, "port"));
	}
}

/* clusterIP and clusterIPs name the same thing; fill whichever is missing. */
static void sync_cluster_ips(json_t *spec)
{
	const char *ip = kinds_str(spec, "clusterIP");
	json_t *ips = kube__jarr(spec, "clusterIPs");

	if (*ip && json_array_size(ips) == 0)
		json_object_set_new(spec, "clusterIPs", json_pack("[s]", ip));
	else if (!*ip && json_is_string(json_array_get(ips, 0)))
		json_object_set(spec, "clusterIP", json_array_get(ips, 0));
}

void kube__service_defaults(json_t *obj)
{
	json_t *spec = kube__jobj(obj, "spec"), *aff;

	if (!spec)
		return;
	kube__jdefault_str(spec, "sessionAffinity", "None");
	kube__jdefault_str(spec, "type", "ClusterIP");
	port_defaults(kube__jarr(spec, "ports"));
	if (is_type(spec, "NodePort") || is_type(spec, "LoadBalancer"))
		kube__jdefault_str(spec, "externalTrafficPolicy", "Cluster");
	if (is_type(spec, "NodePort") || is_type(spec, "LoadBalancer") || is_type(spec, "ClusterIP"))
		kube__jdefault_str(spec, "internalTrafficPolicy", "Cluster");
	if (is_type(spec, "LoadBalancer"))
		kube__jdefault(spec, "allocateLoadBalancerNodePorts", json_true());
	if (!strcmp(kinds_str(spec, "sessionAffinity"), "ClientIP")) {
		aff = kube__jobj(kube__jobj(spec, "sessionAffinityConfig"), "clientIP");
		if (!aff || !json_object_get(aff, "timeoutSeconds"))
			json_object_set_new(spec, "sessionAffinityConfig",
					    json_pack("{s:{s:i}}", "clientIP", "timeoutSeconds", 10800));
	}
	if (is_type(spec, "ExternalName"))
		return;
	sync_cluster_ips(spec);
	kube__jdefault_str(spec, "ipFamilyPolicy", "SingleStack");
	if (json_array_size(kube__jarr(spec, "ipFamilies")) == 0)
		json_object_set_new(spec, "ipFamilies", json_pack("[s]", "IPv4"));
}

static bool is_headless(const json_t *spec)
{
	return !strcmp(kinds_str(spec, "clusterIP"), "None");
}

static void validate_port(const json_t *sp, bool require_name, json_t *names, const char *ip,
			  json_t *causes)
{
	const char *name = kinds_str(sp, "name");
	char p[KUBE_PATH_MAX];
	json_int_t port = json_integer_value(json_object_get(sp, "port"));

	kube__path_child(p, ip, "name");
	if (require_name && !*name) {
		kube__err_required(causes, p, NULL);
	} else if (*name) {
		kube__check_fmt(causes, p, name, kube__fmt_dns1123_label);
		if (json_object_get(names, name))
			kube__err_duplicate_str(causes, p, name);
		else
			json_object_set_new(names, name, json_true());
	}
	if (port < 1 || port > 65535)
		kube__err_invalid_int(causes, kube__path_child(p, ip, "port"), port,
				      "must be between 1 and 65535, inclusive");
	kube__check_protocol(causes, sp, ip);
	kube__check_port_num_or_name(causes, json_object_get(sp, "targetPort"),
				     kube__path_child(p, ip, "targetPort"));
	if (json_is_string(json_object_get(sp, "appProtocol")))
		kube__check_fmt(causes, kube__path_child(p, ip, "appProtocol"),
				kinds_str(sp, "appProtocol"), kube__fmt_qualified_name);
}

/* Duplicate (protocol, port) pairs and node ports, as upstream's key structs print. */
static void port_duplicates(const json_t *ports, json_t *causes)
{
	json_t *seen = json_object(), *nps = json_object(), *sp;
	char key[64], p[KUBE_PATH_MAX], raw[300];
	size_t i;

	json_array_foreach(ports, i, sp) {
		const char *proto = kinds_str(sp, "protocol");
		json_int_t port = json_integer_value(json_object_get(sp, "port"));
		json_int_t np = json_integer_value(json_object_get(sp, "nodePort"));

		if (np) {
			snprintf(key, sizeof(key), "%s/%lld", proto, (long long)np);
			snprintf(p, sizeof(p), "spec.ports[%zu].nodePort", i);
			if (json_object_get(nps, key))
				kube__err_duplicate_raw(causes, p, key + strlen(proto) + 1);
			json_object_set_new(nps, key, json_true());
		}
		snprintf(key, sizeof(key), "%s/%lld", proto, (long long)port);
		snprintf(p, sizeof(p), "spec.ports[%zu]", i);
		snprintf(raw, sizeof(raw), "core.ServicePort{Name:\"\", Protocol:\"%s\", "
			 "AppProtocol:(*string)(nil), Port:%lld, TargetPort:intstr.IntOrString{Type:0, "
			 "IntVal:0, StrVal:\"\"}, NodePort:0}", proto, (long long)port);
		if (json_object_get(seen, key))
			kube__err_duplicate_raw(causes, p, raw);
		json_object_set_new(seen, key, json_true());
	}
	json_decref(seen);
	json_decref(nps);
}

static void validate_type_rules(const json_t *spec, json_t *causes)
{
	const char *first = json_string_value(json_array_get(kube__jarr(spec, "clusterIPs"), 0));
	size_t i;
	json_t *sp;
	char p[KUBE_PATH_MAX];

	if (is_type(spec, "LoadBalancer") || is_type(spec, "NodePort")) {
		if (is_headless(spec))
			kube__err_invalid_str(causes, "spec.clusterIPs[0]", first ? first : "None",
					      is_type(spec, "NodePort") ?
					      "may not be set to 'None' for NodePort services" :
					      "may not be set to 'None' for LoadBalancer services");
		json_array_foreach(kube__jarr(spec, "ports"), i, sp)
			if (is_type(spec, "LoadBalancer") &&
			    json_integer_value(json_object_get(sp, "port")) == 10250)
				kube__err_invalid_int(causes, kube__path_index(p, "spec.ports", i), 10250,
						      "may not expose port 10250 externally since it "
						      "is used by kubelet");
	} else if (is_type(spec, "ExternalName")) {
		char cname[300];
		const char *en = kinds_str(spec, "externalName");
		size_t n = strlen(en);

		if (json_array_size(kube__jarr(spec, "clusterIPs")) > 0 || *kinds_str(spec, "clusterIP"))
			kube__err_forbidden(causes, "spec.clusterIPs", "may not be set for ExternalName services");
		if (json_array_size(kube__jarr(spec, "ipFamilies")) > 0)
			kube__err_forbidden(causes, "spec.ipFamilies", "may not be set for ExternalName services");
		if (json_object_get(spec, "ipFamilyPolicy"))
			kube__err_forbidden(causes, "spec.ipFamilyPolicy", "may not be set for ExternalName services");
		snprintf(cname, sizeof(cname), "%.*s", (int)(n && en[n - 1] == '.' ? n - 1 : n), en);
		if (*cname)
			kube__check_fmt(causes, "spec.externalName", cname, kube__fmt_dns1123_subdomain);
		else
			kube__err_required(causes, "spec.externalName", NULL);
	}
}

static void validate_affinity(const json_t *spec, json_t *causes)
{
	static const char *const aff[] = { "ClientIP", "None", NULL };
	const char *sa = kinds_str(spec, "sessionAffinity");
	json_t *cfg = kube__jobj(spec, "sessionAffinityConfig");
	json_t *t = json_object_get(kube__jobj(cfg, "clientIP"), "timeoutSeconds");

	if (!*sa)
		kube__err_required(causes, "spec.sessionAffinity", NULL);
	else if (strcmp(sa, "ClientIP") && strcmp(sa, "None"))
		kube__err_unsupported(causes, "spec.sessionAffinity", sa, aff);
	if (!strcmp(sa, "ClientIP")) {
		if (!cfg)
			kube__err_required(causes, "spec.sessionAffinityConfig",
					   "when session affinity type is ClientIP");
		else if (json_is_integer(t) && (json_integer_value(t) <= 0 ||
						json_integer_value(t) > 86400))
			kube__err_invalid_int(causes, "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
					      json_integer_value(t),
					      "must be greater than 0 and less than 86400");
	} else if (!strcmp(sa, "None") && cfg) {
		kube__err_forbidden(causes, "spec.sessionAffinityConfig",
				    "must not be set when session affinity is None");
	}
}

static void validate_cluster_ips(const json_t *spec, json_t *causes)
{
	static const char *const fams[] = { "IPv4", "IPv6", NULL };
	static const char *const pols[] = { "PreferDualStack", "RequireDualStack", "SingleStack", NULL };
	json_t *ips = kube__jarr(spec, "clusterIPs"), *v;
	const char *pol = kinds_str(spec, "ipFamilyPolicy");
	char p[KUBE_PATH_MAX], *raw;
	size_t i;

	if (is_type(spec, "ExternalName"))
		return;
	if (json_array_size(ips) > 1 && is_headless(spec) && (raw = kube__go_string_slice(ips))) {
		kube__err_invalid_raw(causes, "spec.clusterIPs", raw, "'None' must be the first and only value");
		free(raw);
	}
	json_array_foreach(ips, i, v) {
		const char *ip = json_string_value(v) ? json_string_value(v) : "";

		if ((i == 0 && !strcmp(ip, "None")) || kube__ip_family(ip))
			continue;
		kube__err_invalid_str(causes, kube__path_index(p, "spec.clusterIPs", i), ip,
				      "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
	}
	json_array_foreach(kube__jarr(spec, "ipFamilies"), i, v) {
		const char *f = json_string_value(v) ? json_string_value(v) : "";

		if (strcmp(f, "IPv4") && strcmp(f, "IPv6"))
			kube__err_unsupported(causes, kube__path_index(p, "spec.ipFamilies", i), f, fams);
	}
	if (*pol && strcmp(pol, "SingleStack") && strcmp(pol, "PreferDualStack") &&
	    strcmp(pol, "RequireDualStack"))
		kube__err_unsupported(causes, "spec.ipFamilyPolicy", pol, pols);
}

static void validate_traffic(const json_t *spec, json_t *causes)
{
	static const char *const pols[] = { "Cluster", "Local", NULL };
	const char *etp = kinds_str(spec, "externalTrafficPolicy");
	const char *itp = kinds_str(spec, "internalTrafficPolicy");
	bool external = is_type(spec, "NodePort") || is_type(spec, "LoadBalancer");

	if (!external && *etp && !(is_type(spec, "ClusterIP") &&
				   json_array_size(kube__jarr(spec, "externalIPs"))))
		kube__err_invalid_str(causes, "spec.externalTrafficPolicy", etp,
				      "may only be set for externally-accessible services");
	else if (external && !*etp)
		kube__err_required(causes, "spec.externalTrafficPolicy", NULL);
	else if (*etp && strcmp(etp, "Cluster") && strcmp(etp, "Local"))
		kube__err_unsupported(causes, "spec.externalTrafficPolicy", etp, pols);
	if (!*itp && (external || is_type(spec, "ClusterIP")))
		kube__err_required(causes, "spec.internalTrafficPolicy", NULL);
	else if (*itp && strcmp(itp, "Cluster") && strcmp(itp, "Local"))
		kube__err_unsupported(causes, "spec.internalTrafficPolicy", itp, pols);
}

void kube__service_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const types[] = { "ClusterIP", "ExternalName", "LoadBalancer", "NodePort", NULL };
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *ports = kube__jarr(spec, "ports"), *names = json_object(), *sp;
	const char *type = kinds_str(spec, "type");
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	size_t i;

	if (json_array_size(ports) == 0 && !is_headless(spec) && !is_type(spec, "ExternalName"))
		kube__err_required(causes, "spec.ports", NULL);
	validate_type_rules(spec, causes);
	json_array_foreach(ports, i, sp)
		validate_port(sp, json_array_size(ports) > 1, names, kube__path_index(p, "spec.ports", i),
			      causes);
	json_decref(names);
	kube__validate_labels(causes, kube__jobj(spec, "selector"), "spec.selector");
	validate_affinity(spec, causes);
	validate_cluster_ips(spec, causes);
	if (!*type)
		kube__err_required(causes, "spec.type", NULL);
	else if (strcmp(type, "ClusterIP") && strcmp(type, "ExternalName") &&
		 strcmp(type, "LoadBalancer") && strcmp(type, "NodePort"))
		kube__err_unsupported(causes, "spec.type", type, types);
	if (is_type(spec, "ClusterIP"))
		json_array_foreach(ports, i, sp)
			if (json_integer_value(json_object_get(sp, "nodePort")))
				kube__err_forbidden(causes, kube__path_child(q, kube__path_index(p, "spec.ports", i),
									  "nodePort"),
						    "may not be used when `type` is 'ClusterIP'");
	port_duplicates(ports, causes);
	validate_traffic(spec, causes);
}
