/*
 * Event, Lease, Endpoints, EndpointSlice, ResourceQuota, LimitRange and
 * ControllerRevision: the smaller kinds' defaults and validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/kinds/podspec.h"

/* ---- Event (core/v1) ---------------------------------------------------------- */

void kube__event_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const char *ns = kinds_str(kube__jobj(obj, "metadata"), "namespace");
	const char *ins = kinds_str(kube__jobj(obj, "involvedObject"), "namespace");
	bool series = *kinds_str(obj, "eventTime");

	if (!series) {
		if ((!*ins && *ns && strcmp(ns, "default")) || (*ins && strcmp(ns, ins)))
			kube__err_invalid_str(causes, "involvedObject.namespace", ins,
					      "does not match event.namespace");
		return;
	}
	if (!*ins && strcmp(ns, "default") && strcmp(ns, "kube-system"))
		kube__err_invalid_str(causes, "involvedObject.namespace", ins,
				      "does not match event.namespace");
	if (!*kinds_str(obj, "reportingComponent"))
		kube__err_required(causes, "reportingComponent", NULL);
	kube__check_fmt(causes, "reportingComponent", kinds_str(obj, "reportingComponent"),
			kube__fmt_qualified_name);
	if (!*kinds_str(obj, "reportingInstance"))
		kube__err_required(causes, "reportingInstance", NULL);
	if (!*kinds_str(obj, "action"))
		kube__err_required(causes, "action", NULL);
	if (!*kinds_str(obj, "reason"))
		kube__err_required(causes, "reason", NULL);
}

/* ---- Lease ------------------------------------------------------------------------ */

void kube__lease_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	const json_t *spec = kube__jobj(obj, "spec");
	json_t *d = json_object_get(spec, "leaseDurationSeconds");
	json_t *t = json_object_get(spec, "leaseTransitions");

	if (json_is_integer(d) && json_integer_value(d) <= 0)
		kube__err_invalid_int(causes, "spec.leaseDurationSeconds", json_integer_value(d),
				      "must be greater than 0");
	if (json_is_integer(t) && json_integer_value(t) < 0)
		kube__err_invalid_int(causes, "spec.leaseTransitions", json_integer_value(t),
				      "must be greater than or equal to 0");
}

/* ---- Endpoints ----------------------------------------------------------------- */

void kube__endpoints_defaults(json_t *obj)
{
	size_t i, j;
	json_t *s, *p;

	json_array_foreach(kube__jarr(obj, "subsets"), i, s)
		json_array_foreach(kube__jarr(s, "ports"), j, p)
			if (json_is_object(p))
				kube__jdefault_str(p, "protocol", "TCP");
}

/* ValidateEndpointIP: not unspecified, loopback or link-local. */
static void endpoint_ip(const char *ip, const char *path, json_t *causes)
{
	int fam = kube__ip_family(ip);

	if (!fam) {
		kube__err_invalid_str(causes, path, ip,
				      "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
		return;
	}
	if (!strcmp(ip, "0.0.0.0") || !strcmp(ip, "::"))
		kube__err_invalid_str(causes, path, ip, "may not be unspecified (0.0.0.0)");
	else if ((fam == 4 && !strncmp(ip, "127.", 4)) || !strcmp(ip, "::1"))
		kube__err_invalid_str(causes, path, ip,
				      "may not be in the loopback range (127.0.0.0/8, ::1/128)");
	else if ((fam == 4 && !strncmp(ip, "169.254.", 8)) || !strncasecmp(ip, "fe80:", 5))
		kube__err_invalid_str(causes, path, ip,
				      "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
	else if ((fam == 4 && !strncmp(ip, "224.0.0.", 8)) || !strncasecmp(ip, "ff02:", 5))
		kube__err_invalid_str(causes, path, ip, "may not be in the link-local multicast "
				      "range (224.0.0.0/24, ff02::/10)");
}

static void subset(const json_t *s, const char *base, json_t *causes)
{
	static const char *const lists[] = { "addresses", "notReadyAddresses", NULL };
	json_t *ports = kube__jarr(s, "ports"), *a, *port;
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX], r[KUBE_PATH_MAX];
	size_t i;

	for (int l = 0; lists[l]; l++) {
		kube__path_child(p, base, lists[l]);
		json_array_foreach(kube__jarr(s, lists[l]), i, a) {
			kube__path_index(q, p, i);
			endpoint_ip(kinds_str(a, "ip"), kube__path_child(r, q, "ip"), causes);
			if (*kinds_str(a, "hostname"))
				kube__check_fmt(causes, kube__path_child(r, q, "hostname"),
						kinds_str(a, "hostname"), kube__fmt_dns1123_label);
		}
	}
	kube__path_child(p, base, "ports");
	json_array_foreach(ports, i, port) {
		json_int_t n = json_integer_value(json_object_get(port, "port"));

		kube__path_index(q, p, i);
		kube__path_child(r, q, "name");
		if (json_array_size(ports) > 1 && !*kinds_str(port, "name"))
			kube__err_required(causes, r, NULL);
		else if (*kinds_str(port, "name"))
			kube__check_fmt(causes, r, kinds_str(port, "name"), kube__fmt_dns1123_label);
		if (n < 1 || n > 65535)
			kube__err_invalid_int(causes, kube__path_child(r, q, "port"), n,
					      "must be between 1 and 65535, inclusive");
		kube__check_protocol(causes, port, q);
	}
}

void kube__endpoints_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	size_t i;
	json_t *s;

	json_array_foreach(kube__jarr(obj, "subsets"), i, s)
		subset(s, kube__path_index(p, "subsets", i), causes);
}

/* ---- EndpointSlice --------------------------------------------------------------- */

void kube__endpointslice_defaults(json_t *obj)
{
	size_t i;
	json_t *p;

	json_array_foreach(kube__jarr(obj, "ports"), i, p) {
		if (!json_is_object(p))
			continue;
		kube__jdefault(p, "name", json_string(""));
		kube__jdefault_str(p, "protocol", "TCP");
	}
}

static void slice_endpoints(const json_t *obj, const char *type, json_t *causes)
{
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	size_t i, j;
	json_t *e, *a;

	json_array_foreach(kube__jarr(obj, "endpoints"), i, e) {
		snprintf(p, sizeof(p), "endpoints[%zu].addresses", i);
		if (json_array_size(kube__jarr(e, "addresses")) == 0)
			kube__err_required(causes, p, "must contain at least 1 address");
		json_array_foreach(kube__jarr(e, "addresses"), j, a) {
			const char *s = json_string_value(a) ? json_string_value(a) : "";

			kube__path_index(q, p, j);
			if (!strcmp(type, "IPv4") && kube__ip_family(s) != 4)
				kube__err_invalid_str(causes, q, s, "must be a valid IPv4 address");
			else if (!strcmp(type, "IPv6") && kube__ip_family(s) != 6)
				kube__err_invalid_str(causes, q, s, "must be a valid IPv6 address");
			else if (!strcmp(type, "IPv4") || !strcmp(type, "IPv6"))
				endpoint_ip(s, q, causes);
			else if (!strcmp(type, "FQDN"))
				kube__check_fmt(causes, q, s, kube__fmt_dns1123_subdomain);
		}
	}
}

void kube__endpointslice_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	static const char *const types[] = { "FQDN", "IPv4", "IPv6", NULL };
	const char *type = kinds_str(obj, "addressType");
	json_t *names = json_object(), *port;
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	size_t i;

	slice_endpoints(obj, type, causes);
	json_array_foreach(kube__jarr(obj, "ports"), i, port) {
		const char *name = kinds_str(port, "name");

		kube__path_index(p, "ports", i);
		kube__path_child(q, p, "name");
		if (*name)
			kube__check_fmt(causes, q, name, kube__fmt_dns1123_label);
		if (json_object_get(names, name))
			kube__err_duplicate_str(causes, q, name);
		json_object_set_new(names, name, json_true());
		kube__check_protocol(causes, port, p);
	}
	json_decref(names);
	if (!old && !*type)
		kube__err_required(causes, "addressType", NULL);
	else if (!old && strcmp(type, "FQDN") && strcmp(type, "IPv4") && strcmp(type, "IPv6"))
		kube__err_unsupported(causes, "addressType", type, types);
	if (old && strcmp(type, kinds_str(old, "addressType")))
		kube__err_invalid_str(causes, "addressType", type, "field is immutable");
}

/* ---- ResourceQuota ------------------------------------------------------------------- */

void kube__resourcequota_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	json_t *hard = kube__jobj(kube__jobj(obj, "spec"), "hard"), *q;
	char p[KUBE_PATH_MAX];
	const char *name;

	json_object_foreach(hard, name, q) {
		kube__path_key(p, "spec.hard", name);
		kube__check_fmt(causes, p, name, kube__fmt_qualified_name);
		kinds_check_quantity(causes, q, p, kube__resource_is_integer(name));
	}
}

/* ---- LimitRange ---------------------------------------------------------------------- */

static void copy_missing(json_t *to, const json_t *from)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)from, k, v)
		if (!json_object_get(to, k))
			json_object_set(to, k, v);
}

void kube__limitrange_defaults(json_t *obj)
{
	size_t i;
	json_t *item, *def, *req;

	json_array_foreach(kube__jarr(kube__jobj(obj, "spec"), "limits"), i, item) {
		if (strcmp(kinds_str(item, "type"), "Container"))
			continue;
		def = kube__jensure_obj(item, "default");
		req = kube__jensure_obj(item, "defaultRequest");
		copy_missing(def, kube__jobj(item, "max"));
		copy_missing(req, def);
		copy_missing(req, kube__jobj(item, "min"));
	}
}

/* One "a value X is greater than b value Y" comparison, if both exist. */
static void lr_order(const json_t *item, const char *k, const char *lo, const char *hi,
		     const char *at, bool show_lo, const char *base, const char *fmt, json_t *causes)
{
	json_t *a = json_object_get(kube__jobj(item, lo), k), *b = json_object_get(kube__jobj(item, hi), k);
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX], at_s[64], as[64], bs[64], msg[256];

	if (!a || !b || kube__quantity_json_cmp(a, b) != 1)
		return;
	kube__quantity_json_text(a, as, sizeof(as));
	kube__quantity_json_text(b, bs, sizeof(bs));
	snprintf(msg, sizeof(msg), fmt, as, bs);
	kube__quantity_json_text(show_lo ? a : b, at_s, sizeof(at_s));
	kube__path_key(q, kube__path_child(p, base, at), k);
	kube__err_invalid_raw(causes, q, at_s, msg);
}

static void lr_item(const json_t *item, const char *base, json_t *causes)
{
	static const char *const maps[] = { "max", "min", "default", "defaultRequest",
					    "maxLimitRequestRatio", NULL };
	bool pod = !strcmp(kinds_str(item, "type"), "Pod");
	json_t *keys = json_object(), *v;
	char p[KUBE_PATH_MAX];
	const char *k;

	for (int m = 0; maps[m]; m++)
		json_object_foreach(kube__jobj(item, maps[m]), k, v)
			json_object_set_new(keys, k, json_true());
	if (pod && kube__jnonempty(item, "default"))
		kube__err_forbidden(causes, kube__path_child(p, base, "default"),
				    "may not be specified when `type` is 'Pod'");
	if (pod && kube__jnonempty(item, "defaultRequest"))
		kube__err_forbidden(causes, kube__path_child(p, base, "defaultRequest"),
				    "may not be specified when `type` is 'Pod'");
	if (!strcmp(kinds_str(item, "type"), "PersistentVolumeClaim") &&
	    !json_object_get(kube__jobj(item, "min"), "storage") &&
	    !json_object_get(kube__jobj(item, "max"), "storage"))
		kube__err_required(causes, kube__path_child(p, base, "limits"), "either minimum or "
				   "maximum storage value is required, but neither was provided");
	json_object_foreach(keys, k, v) {
		lr_order(item, k, "min", "max", "min", true, base, "min value %s is greater than max value %s", causes);
		lr_order(item, k, "min", "defaultRequest", "defaultRequest", false, base,
			 "min value %s is greater than default request value %s", causes);
		lr_order(item, k, "defaultRequest", "max", "defaultRequest", true, base,
			 "default request value %s is greater than max value %s", causes);
		lr_order(item, k, "defaultRequest", "default", "defaultRequest", true, base,
			 "default request value %s is greater than default limit value %s", causes);
		lr_order(item, k, "min", "default", "default", true, base,
			 "min value %s is greater than default value %s", causes);
		lr_order(item, k, "default", "max", "default", false, base,
			 "default value %s is greater than max value %s", causes);
	}
	json_decref(keys);
}

void kube__limitrange_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	size_t i;
	json_t *item;

	json_array_foreach(kube__jarr(kube__jobj(obj, "spec"), "limits"), i, item)
		lr_item(item, kube__path_index(p, "spec.limits", i), causes);
}

/* ---- ControllerRevision -------------------------------------------------------------- */

void kube__controllerrevision_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	json_t *data = json_object_get(obj, "data");

	if (!data || json_is_null(data))
		kube__err_required(causes, "data", "data is mandatory");
	kube__check_nonneg(causes, obj, "revision", "");
	if (old && kube__changed(data, json_object_get(old, "data")))
		kube__err_invalid_raw(causes, "data", "runtime.Object", "field is immutable");
}
