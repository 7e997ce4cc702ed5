/*
 * Container validation (validateContainerCommon and what it calls in
 * pkg/apis/core/validation/validation.go): names, image, ports, env,
 * volume mounts, pull policy, resources and probes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/kinds/podspec.h"

static const char *const protocols[] = { "SCTP", "TCP", "UDP", NULL };

static void port_num(json_t *causes, const char *path, int64_t n)
{
	if (n < 1 || n > 65535)
		kube__err_invalid_int(causes, path, n, "must be between 1 and 65535, inclusive");
}

void kube__check_port_num_or_name(json_t *causes, const json_t *v, const char *path)
{
	if (json_is_string(v))
		kube__check_fmt(causes, path, json_string_value(v), kube__fmt_port_name);
	else
		port_num(causes, path, json_integer_value(v));
}

void kube__check_protocol(json_t *causes, const json_t *obj, const char *base)
{
	char p[KUBE_PATH_MAX];
	const char *proto = kinds_str(obj, "protocol");

	kube__path_child(p, base, "protocol");
	if (!*proto)
		kube__err_required(causes, p, NULL);
	else if (strcmp(proto, "TCP") && strcmp(proto, "UDP") && strcmp(proto, "SCTP"))
		kube__err_unsupported(causes, p, proto, protocols);
}

static void validate_ports(const json_t *ports, const char *base, json_t *causes)
{
	json_t *names = json_object(), *port, *hp;
	char ip[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	size_t i;

	json_array_foreach(ports, i, port) {
		const char *name = kinds_str(port, "name");
		const char *msgs[KUBE_MSGS_MAX];

		kube__path_index(ip, base, i);
		kube__path_child(p, ip, "name");
		if (*name && kube__fmt_port_name(name, msgs))
			kube__err_invalid_msgs(causes, p, name, msgs);
		else if (*name && json_object_get(names, name))
			kube__err_duplicate_str(causes, p, name);
		else if (*name)
			json_object_set_new(names, name, json_true());
		kube__path_child(p, ip, "containerPort");
		if (!json_integer_value(json_object_get(port, "containerPort")))
			kube__err_required(causes, p, NULL);
		else
			port_num(causes, p, json_integer_value(json_object_get(port, "containerPort")));
		hp = json_object_get(port, "hostPort");
		if (json_integer_value(hp))
			port_num(causes, kube__path_child(p, ip, "hostPort"), json_integer_value(hp));
		kube__check_protocol(causes, port, ip);
	}
	json_decref(names);
}

static const char *const env_field_paths[] = {
	"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
	"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
	"status.podIPs", NULL,
};

/* Paths ConvertDownwardAPIFieldLabel accepts for v1 (a wider set than env allows). */
static const char *const convertible_paths[] = {
	"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
	"metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
	"spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs",
	"status.podIP", "status.podIPs", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static void validate_field_ref(const json_t *ref, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX], msg[300];
	const char *fp = kinds_str(ref, "fieldPath");

	if (!*kinds_str(ref, "apiVersion")) {
		kube__err_required(causes, kube__path_child(p, base, "apiVersion"), NULL);
		return;
	}
	kube__path_child(p, base, "fieldPath");
	if (!*fp) {
		kube__err_required(causes, p, NULL);
		return;
	}
	if (strcmp(kinds_str(ref, "apiVersion"), "v1")) {
		snprintf(msg, sizeof(msg), "error converting fieldPath: unsupported pod version: %s",
			 kinds_str(ref, "apiVersion"));
		kube__err_invalid_str(causes, p, fp, msg);
		return;
	}
	if (!strncmp(fp, "metadata.labels[", 16) || !strncmp(fp, "metadata.annotations[", 21))
		return;
	if (!in_list(convertible_paths, fp)) {
		snprintf(msg, sizeof(msg), "error converting fieldPath: field label not supported: %s", fp);
		kube__err_invalid_str(causes, p, fp, msg);
	} else if (!in_list(env_field_paths, fp)) {
		kube__err_unsupported(causes, p, fp, env_field_paths);
	}
}

static void validate_key_ref(const json_t *ref, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	const char *key = kinds_str(ref, "key");

	kube__check_fmt(causes, kube__path_child(p, base, "name"), kinds_str(ref, "name"),
			kube__fmt_dns1123_subdomain);
	kube__path_child(p, base, "key");
	if (!*key)
		kube__err_required(causes, p, NULL);
	else
		kube__check_fmt(causes, p, key, kube__fmt_config_key);
}

static void validate_value_from(const json_t *e, const char *base, json_t *causes)
{
	json_t *from = kube__jobj(e, "valueFrom"), *ref;
	char p[KUBE_PATH_MAX];
	int n = 0;

	if (!from)
		return;
	if ((ref = kube__jobj(from, "fieldRef")) && ++n)
		validate_field_ref(ref, kube__path_child(p, base, "fieldRef"), causes);
	if (kube__jobj(from, "resourceFieldRef"))
		n++;
	if ((ref = kube__jobj(from, "configMapKeyRef")) && ++n)
		validate_key_ref(ref, kube__path_child(p, base, "configMapKeyRef"), causes);
	if ((ref = kube__jobj(from, "secretKeyRef")) && ++n)
		validate_key_ref(ref, kube__path_child(p, base, "secretKeyRef"), causes);
	if (n == 0)
		kube__err_invalid_str(causes, base, "", "must specify one of: `fieldRef`, "
				      "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
	else if (*kinds_str(e, "value"))
		kube__err_invalid_str(causes, base, "", "may not be specified when `value` is not empty");
	else if (n > 1)
		kube__err_invalid_str(causes, base, "",
				      "may not have more than one field specified at a time");
}

static void validate_env(const json_t *env, const char *base, json_t *causes)
{
	char ip[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	size_t i;
	json_t *e;

	json_array_foreach(env, i, e) {
		const char *name = kinds_str(e, "name");

		kube__path_index(ip, base, i);
		kube__path_child(p, ip, "name");
		if (!*name)
			kube__err_required(causes, p, NULL);
		else
			kube__check_fmt(causes, p, name, kube__fmt_env_name);
		validate_value_from(e, kube__path_child(p, ip, "valueFrom"), causes);
	}
}

static void validate_mounts(const json_t *mounts, const json_t *vols, const char *base,
			    json_t *causes)
{
	json_t *seen = json_object(), *m;
	char ip[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	size_t i;

	json_array_foreach(mounts, i, m) {
		const char *name = kinds_str(m, "name"), *mp = kinds_str(m, "mountPath");

		kube__path_index(ip, base, i);
		kube__path_child(p, ip, "name");
		if (!*name)
			kube__err_required(causes, p, NULL);
		if (!json_object_get(vols, name))
			kube__err_notfound(causes, p, name);
		kube__path_child(p, ip, "mountPath");
		if (!*mp)
			kube__err_required(causes, p, NULL);
		if (json_object_get(seen, mp))
			kube__err_invalid_str(causes, p, mp, "must be unique");
		json_object_set_new(seen, mp, json_true());
		if (*kinds_str(m, "subPath"))
			kube__check_local_path(causes, kinds_str(m, "subPath"),
					       kube__path_child(p, base, "subPath"));
	}
	json_decref(seen);
}

static void validate_pull_policy(const json_t *c, const char *base, json_t *causes)
{
	static const char *const policies[] = { "Always", "IfNotPresent", "Never", NULL };
	const char *pp = kinds_str(c, "imagePullPolicy");
	char p[KUBE_PATH_MAX];

	kube__path_child(p, base, "imagePullPolicy");
	if (!*pp)
		kube__err_required(causes, p, NULL);
	else if (!in_list(policies, pp))
		kube__err_unsupported(causes, p, pp, policies);
}

static void validate_termination_policy(const json_t *c, const char *base, json_t *causes)
{
	const char *tp = kinds_str(c, "terminationMessagePolicy");
	char p[KUBE_PATH_MAX];

	kube__path_child(p, base, "terminationMessagePolicy");
	if (!*tp)
		kube__err_required(causes, p, "must be 'File' or 'FallbackToLogsOnError'");
	else if (strcmp(tp, "File") && strcmp(tp, "FallbackToLogsOnError"))
		kube__err_invalid_str(causes, p, tp, "must be 'File' or 'FallbackToLogsOnError'");
}

void kube__validate_container_common(const json_t *c, const json_t *vols, const char *base,
				     json_t *causes)
{
	char p[KUBE_PATH_MAX];
	const char *name = kinds_str(c, "name");

	kube__path_child(p, base, "name");
	if (!*name)
		kube__err_required(causes, p, NULL);
	else
		kube__check_fmt(causes, p, name, kube__fmt_dns1123_label);
	if (!*kinds_str(c, "image"))
		kube__err_required(causes, kube__path_child(p, base, "image"), NULL);
	validate_termination_policy(c, base, causes);
	validate_ports(kube__jarr(c, "ports"), kube__path_child(p, base, "ports"), causes);
	validate_env(kube__jarr(c, "env"), kube__path_child(p, base, "env"), causes);
	validate_mounts(kube__jarr(c, "volumeMounts"), vols,
			kube__path_child(p, base, "volumeMounts"), causes);
	validate_pull_policy(c, base, causes);
	kube__validate_resources(kube__jobj(c, "resources"),
				 kube__path_child(p, base, "resources"), causes);
}
