/*
 * ValidatePodSpec and ValidatePodTemplateSpec: the container lists, spec-level
 * policies, tolerations and names, in upstream's order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/kinds/podspec.h"

static void validate_containers(const json_t *list, const json_t *vols, const char *base,
				json_t *causes)
{
	json_t *names = json_object(), *c;
	char ip[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	size_t i;

	if (json_array_size(list) == 0) {
		kube__err_required(causes, base, NULL);
		json_decref(names);
		return;
	}
	json_array_foreach(list, i, c) {
		const char *name = kinds_str(c, "name");

		kube__path_index(ip, base, i);
		kube__validate_container_common(c, vols, ip, causes);
		if (json_object_get(names, name))
			kube__err_duplicate_str(causes, kube__path_child(p, ip, "name"), name);
		json_object_set_new(names, name, json_true());
		kube__validate_probe(kube__jobj(c, "livenessProbe"),
				     kube__path_child(p, ip, "livenessProbe"), true, causes);
		kube__validate_probe(kube__jobj(c, "readinessProbe"),
				     kube__path_child(p, ip, "readinessProbe"), false, causes);
		kube__validate_probe(kube__jobj(c, "startupProbe"),
				     kube__path_child(p, ip, "startupProbe"), true, causes);
		if (json_object_get(c, "restartPolicy"))
			kube__err_forbidden(causes, kube__path_child(p, ip, "restartPolicy"),
					    "may not be set for non-init containers");
	}
	json_decref(names);
}

static bool has_name(const json_t *list, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(list, i, c)
		if (!strcmp(kinds_str(c, "name"), name))
			return true;
	return false;
}

/* Init containers without restartPolicy Always may not have probes or lifecycle. */
static void init_container_extras(const json_t *c, const char *ip, json_t *causes)
{
	static const char *const fields[] = {
		"lifecycle", "livenessProbe", "readinessProbe", "startupProbe", NULL,
	};
	static const char *const always[] = { "Always", NULL };
	const char *rp = kinds_str(c, "restartPolicy");
	char p[KUBE_PATH_MAX];

	if (json_object_get(c, "restartPolicy") && strcmp(rp, "Always"))
		kube__err_unsupported(causes, kube__path_child(p, ip, "restartPolicy"), rp, always);
	if (!strcmp(rp, "Always")) {
		kube__validate_probe(kube__jobj(c, "livenessProbe"),
				     kube__path_child(p, ip, "livenessProbe"), true, causes);
		kube__validate_probe(kube__jobj(c, "readinessProbe"),
				     kube__path_child(p, ip, "readinessProbe"), false, causes);
		kube__validate_probe(kube__jobj(c, "startupProbe"),
				     kube__path_child(p, ip, "startupProbe"), true, causes);
		return;
	}
	for (int i = 0; fields[i]; i++)
		if (json_object_get(c, fields[i]))
			kube__err_forbidden(causes, kube__path_child(p, ip, fields[i]),
					    "may not be set for init containers without restartPolicy=Always");
}

static void validate_init_containers(const json_t *list, const json_t *regular,
				     const json_t *vols, const char *base, json_t *causes)
{
	json_t *names = json_object(), *c;
	char ip[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	size_t i;

	json_array_foreach(list, i, c) {
		const char *name = kinds_str(c, "name");

		kube__path_index(ip, base, i);
		kube__validate_container_common(c, vols, ip, causes);
		if (json_object_get(names, name) || has_name(regular, name))
			kube__err_duplicate_str(causes, kube__path_child(p, ip, "name"), name);
		if (*name)
			json_object_set_new(names, name, json_true());
		init_container_extras(c, ip, causes);
	}
	json_decref(names);
}

/* AccumulateUniqueHostPorts over the regular containers. */
static void host_port_conflicts(const json_t *list, const char *base, json_t *causes)
{
	json_t *seen = json_object(), *c, *port;
	char p[KUBE_PATH_MAX], key[300];
	size_t i, j;

	json_array_foreach(list, i, c) {
		json_array_foreach(kube__jarr(c, "ports"), j, port) {
			json_int_t hp = json_integer_value(json_object_get(port, "hostPort"));

			if (!hp)
				continue;
			snprintf(key, sizeof(key), "%s/%s/%lld", kinds_str(port, "hostIP"),
				 kinds_str(port, "protocol"), (long long)hp);
			snprintf(p, sizeof(p), "%s[%zu].ports[%zu].hostPort", base, i, j);
			if (json_object_get(seen, key))
				kube__err_duplicate_str(causes, p, key);
			json_object_set_new(seen, key, json_true());
		}
	}
	json_decref(seen);
}

static void validate_enum(const json_t *spec, const char *key, const char *const *values,
			  const char *base, json_t *causes)
{
	const char *v = kinds_str(spec, key);
	char p[KUBE_PATH_MAX];

	kube__path_child(p, base, key);
	if (!*v) {
		kube__err_required(causes, p, NULL);
		return;
	}
	for (int i = 0; values[i]; i++)
		if (!strcmp(values[i], v))
			return;
	kube__err_unsupported(causes, p, v, values);
}

static char *toleration_text(const json_t *t)
{
	char *s = NULL;
	json_t *secs = json_object_get(t, "tolerationSeconds");
	char sbuf[40];

	if (json_is_integer(secs))
		snprintf(sbuf, sizeof(sbuf), "(*int64)(%lld)", (long long)json_integer_value(secs));
	else
		snprintf(sbuf, sizeof(sbuf), "(*int64)(nil)");
	if (asprintf(&s, "core.Toleration{Key:\"%s\", Operator:\"%s\", Value:\"%s\", Effect:\"%s\", "
		     "TolerationSeconds:%s}", kinds_str(t, "key"), kinds_str(t, "operator"),
		     kinds_str(t, "value"), kinds_str(t, "effect"), sbuf) < 0)
		return NULL;
	return s;
}

static void validate_toleration(const json_t *t, const char *ip, json_t *causes)
{
	static const char *const ops[] = { "Equal", "Exists", NULL };
	static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute", NULL };
	const char *key = kinds_str(t, "key"), *op = kinds_str(t, "operator");
	const char *effect = kinds_str(t, "effect"), *msgs[KUBE_MSGS_MAX];
	char p[KUBE_PATH_MAX], *raw;

	if (*key)
		kube__check_fmt(causes, kube__path_child(p, ip, "key"), key, kube__fmt_qualified_name);
	kube__path_child(p, ip, "operator");
	if (!*key && strcmp(op, "Exists"))
		kube__err_invalid_str(causes, p, op, "operator must be Exists when `key` is empty, "
				      "which means \"match all values and all keys\"");
	if (json_object_get(t, "tolerationSeconds") && strcmp(effect, "NoExecute"))
		kube__err_invalid_str(causes, kube__path_child(p, ip, "effect"), effect,
				      "effect must be 'NoExecute' when `tolerationSeconds` is set");
	kube__path_child(p, ip, "operator");
	if (!*op || !strcmp(op, "Equal")) {
		int n = kube__fmt_label_value(kinds_str(t, "value"), msgs);

		if (n)
			kube__err_invalid_str(causes, p, kinds_str(t, "value"), msgs[0]);
	} else if (!strcmp(op, "Exists")) {
		if (*kinds_str(t, "value") && (raw = toleration_text(t))) {
			kube__err_invalid_raw(causes, p, raw, "value must be empty when `operator` is 'Exists'");
			free(raw);
		}
	} else {
		kube__err_unsupported(causes, p, op, ops);
	}
	if (*effect && strcmp(effect, "NoSchedule") && strcmp(effect, "PreferNoSchedule") &&
	    strcmp(effect, "NoExecute"))
		kube__err_unsupported(causes, kube__path_child(p, ip, "effect"), effect, effects);
}

static void validate_names(const json_t *spec, const char *base, json_t *causes)
{
	static const struct { const char *key; int (*fn)(const char *, const char **); } names[] = {
		{ "serviceAccountName", kube__fmt_dns1123_subdomain },
		{ "nodeName", kube__fmt_dns1123_subdomain },
		{ "hostname", kube__fmt_dns1123_label },
		{ "subdomain", kube__fmt_dns1123_label },
		{ "priorityClassName", kube__fmt_dns1123_subdomain },
	};
	char p[KUBE_PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = kinds_str(spec, names[i].key);

		if (*v)
			kube__check_fmt(causes, kube__path_child(p, base, names[i].key), v, names[i].fn);
	}
}

static void validate_spec_scalars(const json_t *spec, const char *base, json_t *causes)
{
	json_t *ads = json_object_get(spec, "activeDeadlineSeconds"), *t;
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	size_t i;

	validate_names(spec, base, causes);
	if (json_is_integer(ads) && (json_integer_value(ads) < 1 ||
				     json_integer_value(ads) > 2147483647))
		kube__err_invalid_int(causes, kube__path_child(p, base, "activeDeadlineSeconds"),
				      json_integer_value(ads),
				      "must be between 1 and 2147483647, inclusive");
	kube__path_child(p, base, "tolerations");
	json_array_foreach(kube__jarr(spec, "tolerations"), i, t)
		validate_toleration(t, kube__path_index(q, p, i), causes);
	kube__check_nonneg(causes, spec, "terminationGracePeriodSeconds", base);
}

void kube__podspec_validate(const json_t *spec, const char *base, json_t *causes)
{
	static const char *const restart[] = { "Always", "OnFailure", "Never", NULL };
	static const char *const dns[] = {
		"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", NULL,
	};
	char p[KUBE_PATH_MAX];
	json_t *vols;

	vols = kube__validate_volumes(kube__jarr(spec, "volumes"),
				      kube__path_child(p, base, "volumes"), causes);
	validate_containers(kube__jarr(spec, "containers"), vols,
			    kube__path_child(p, base, "containers"), causes);
	validate_init_containers(kube__jarr(spec, "initContainers"), kube__jarr(spec, "containers"),
				 vols, kube__path_child(p, base, "initContainers"), causes);
	host_port_conflicts(kube__jarr(spec, "containers"), kube__path_child(p, base, "containers"),
			    causes);
	json_decref(vols);
	validate_enum(spec, "restartPolicy", restart, base, causes);
	validate_enum(spec, "dnsPolicy", dns, base, causes);
	kube__validate_labels(causes, kube__jobj(spec, "nodeSelector"),
			      kube__path_child(p, base, "nodeSelector"));
	validate_spec_scalars(spec, base, causes);
}

void kube__podtemplate_validate_spec(const json_t *tmpl, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	json_t *meta = kube__jobj(tmpl, "metadata");

	kube__validate_labels(causes, kube__jobj(meta, "labels"),
			      kube__path_child(q, kube__path_child(p, base, "metadata"), "labels"));
	kube__podspec_validate(kube__jobj(tmpl, "spec"), kube__path_child(p, base, "spec"), causes);
}
