/*
 * Volumes, probes and resources of a pod spec (ValidateVolumes,
 * validateProbe/validateHandler, ValidateResourceRequirements).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/kinds/podspec.h"

static const char *const volume_sources[] = {
	"emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore",
	"secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume",
	"cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap",
	"vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
	"portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image", NULL,
};

void kube__check_local_path(json_t *causes, const char *s, const char *path)
{
	char *copy, *part, *save = NULL;

	if (s[0] == '/') {
		kube__err_invalid_str(causes, path, s, "must be a relative path");
		return;
	}
	copy = strdup(s);
	for (part = copy ? strtok_r(copy, "/", &save) : NULL; part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "..")) {
			kube__err_invalid_str(causes, path, s, "must not contain '..'");
			break;
		}
	}
	free(copy);
}

static void host_path(const json_t *hp, const char *base, json_t *causes)
{
	static const char *const types[] = {
		"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
		"FileOrCreate", "Socket", NULL,
	};
	const char *path = kinds_str(hp, "path"), *type = kinds_str(hp, "type");
	char p[KUBE_PATH_MAX], *copy, *part, *save = NULL;
	int i;

	kube__path_child(p, base, "path");
	if (!*path) {
		kube__err_required(causes, p, NULL);
		return;
	}
	copy = strdup(path);
	for (part = copy ? strtok_r(copy, "/", &save) : NULL; part; part = strtok_r(NULL, "/", &save))
		if (!strcmp(part, "..")) {
			kube__err_invalid_str(causes, p, path, "must not contain '..'");
			break;
		}
	free(copy);
	for (i = 0; types[i] && strcmp(types[i], type); i++)
		;
	if (!types[i])
		kube__err_unsupported(causes, kube__path_child(p, base, "type"), type, types);
}

static void file_mode(const json_t *src, const char *key, const char *base, json_t *causes)
{
	json_t *m = json_object_get(src, key);
	char p[KUBE_PATH_MAX];

	if (json_is_integer(m) && (json_integer_value(m) < 0 || json_integer_value(m) > 0777))
		kube__err_invalid_int(causes, kube__path_child(p, base, key), json_integer_value(m),
				      "must be a number between 0 and 0777 (octal), both inclusive");
}

/* The one source a volume names, checked; returns the number of sources. */
static void volume_source(const json_t *vol, const char *base, json_t *causes)
{
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	int n = 0;
	json_t *src;

	for (int i = 0; volume_sources[i]; i++) {
		src = kube__jobj(vol, volume_sources[i]);
		if (!src)
			continue;
		kube__path_child(p, base, volume_sources[i]);
		if (n++ > 0) {
			kube__err_forbidden(causes, p, "may not specify more than 1 volume type");
			continue;
		}
		if (!strcmp(volume_sources[i], "hostPath"))
			host_path(src, p, causes);
		else if (!strcmp(volume_sources[i], "secret") && !*kinds_str(src, "secretName"))
			kube__err_required(causes, kube__path_child(q, p, "secretName"), NULL);
		else if (!strcmp(volume_sources[i], "configMap") && !*kinds_str(src, "name"))
			kube__err_required(causes, kube__path_child(q, p, "name"), NULL);
		else if (!strcmp(volume_sources[i], "persistentVolumeClaim") &&
			 !*kinds_str(src, "claimName"))
			kube__err_required(causes, kube__path_child(q, p, "claimName"), NULL);
		else if (!strcmp(volume_sources[i], "nfs")) {
			if (!*kinds_str(src, "server"))
				kube__err_required(causes, kube__path_child(q, p, "server"), NULL);
			if (!*kinds_str(src, "path"))
				kube__err_required(causes, kube__path_child(q, p, "path"), NULL);
		}
		file_mode(src, "defaultMode", p, causes);
	}
	if (n == 0)
		kube__err_required(causes, base, "must specify a volume type");
}

json_t *kube__validate_volumes(const json_t *vols, const char *base, json_t *causes)
{
	json_t *names = json_object(), *vol;
	char ip[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	size_t i;

	json_array_foreach(vols, i, vol) {
		const char *name = kinds_str(vol, "name");
		json_t *el = json_array();

		kube__path_index(ip, base, i);
		kube__path_child(p, ip, "name");
		volume_source(vol, ip, el);
		if (!*name)
			kube__err_required(el, p, NULL);
		else
			kube__check_fmt(el, p, name, kube__fmt_dns1123_label);
		if (json_object_get(names, name))
			kube__err_duplicate_str(el, p, name);
		if (json_array_size(el) == 0)
			json_object_set_new(names, name, json_true());
		json_array_extend(causes, el);
		json_decref(el);
	}
	return names;
}

/* validateHandler: exactly one of exec, httpGet, tcpSocket, grpc, sleep. */
static void probe_handler(const json_t *h, const char *base, json_t *causes)
{
	static const char *const kinds[] = { "exec", "httpGet", "tcpSocket", "grpc", "sleep", NULL };
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	int n = 0;
	json_t *a;

	for (int i = 0; kinds[i]; i++) {
		if (!(a = kube__jobj(h, kinds[i])))
			continue;
		kube__path_child(p, base, kinds[i]);
		if (n++ > 0) {
			kube__err_forbidden(causes, p, "may not specify more than 1 handler type");
			continue;
		}
		if (i == 0 && json_array_size(kube__jarr(a, "command")) == 0)
			kube__err_required(causes, kube__path_child(q, p, "command"), NULL);
		if (i == 1) {
			static const char *const schemes[] = { "HTTP", "HTTPS", NULL };
			const char *scheme = kinds_str(a, "scheme");

			if (!*kinds_str(a, "path"))
				kube__err_required(causes, kube__path_child(q, p, "path"), NULL);
			kube__check_port_num_or_name(causes, json_object_get(a, "port"),
						     kube__path_child(q, p, "port"));
			if (strcmp(scheme, "HTTP") && strcmp(scheme, "HTTPS"))
				kube__err_unsupported(causes, kube__path_child(q, p, "scheme"), scheme,
						      schemes);
		}
		if (i == 2)
			kube__check_port_num_or_name(causes, json_object_get(a, "port"),
						     kube__path_child(q, p, "port"));
	}
	if (n == 0)
		kube__err_required(causes, base, "must specify a handler type");
}

void kube__validate_probe(const json_t *probe, const char *base, bool success_must_be_1,
			  json_t *causes)
{
	static const char *const fields[] = {
		"initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
		"failureThreshold", NULL,
	};
	char p[KUBE_PATH_MAX];
	json_t *v;

	if (!json_is_object(probe))
		return;
	probe_handler(probe, base, causes);
	for (int i = 0; fields[i]; i++)
		kube__check_nonneg(causes, probe, fields[i], base);
	v = json_object_get(probe, "terminationGracePeriodSeconds");
	if (json_is_integer(v) && json_integer_value(v) <= 0)
		kube__err_invalid_int(causes, kube__path_child(p, base, "terminationGracePeriodSeconds"),
				      json_integer_value(v), "must be greater than 0");
	v = json_object_get(probe, "successThreshold");
	if (success_must_be_1 && json_integer_value(v) != 1)
		kube__err_invalid_int(causes, kube__path_child(p, base, "successThreshold"),
				      json_integer_value(v), "must be 1");
}

/* Native resources live in no domain or in *kubernetes.io; the rest are extended. */
static bool is_native(const char *name)
{
	return !strchr(name, '/') || strstr(name, "kubernetes.io/");
}

static bool overcommit_allowed(const char *name)
{
	return is_native(name) && strncmp(name, "hugepages-", 10) != 0;
}

static void resource_name(const char *name, const char *path, json_t *causes)
{
	kube__check_fmt(causes, path, name, kube__fmt_qualified_name);
	if (!strchr(name, '/')) {
		if (strcmp(name, "cpu") && strcmp(name, "memory") &&
		    strcmp(name, "ephemeral-storage") && strncmp(name, "hugepages-", 10))
			kube__err_invalid_str(causes, path, name,
					      "must be a standard resource for containers");
	}
}

static void request_vs_limit(const char *name, const json_t *req, const json_t *limits,
			     const char *req_path, const char *lim_path, json_t *causes)
{
	json_t *lim = json_object_get(limits, name);
	char rq[64], lq[64], msg[256];
	int cmp;

	if (!lim) {
		if (!overcommit_allowed(name))
			kube__err_required(causes, lim_path,
					   "Limit must be set for non overcommitable resources");
		return;
	}
	cmp = kube__quantity_json_cmp(req, lim);
	if (cmp == -2)
		return;
	kube__quantity_json_text(req, rq, sizeof(rq));
	kube__quantity_json_text(lim, lq, sizeof(lq));
	if (cmp != 0 && !overcommit_allowed(name)) {
		snprintf(msg, sizeof(msg), "must be equal to %s limit of %s", name, lq);
		kube__err_invalid_str(causes, req_path, rq, msg);
	} else if (cmp > 0) {
		snprintf(msg, sizeof(msg), "must be less than or equal to %s limit of %s", name, lq);
		kube__err_invalid_str(causes, req_path, rq, msg);
	}
}

void kube__validate_resources(const json_t *res, const char *base, json_t *causes)
{
	char lim_path[KUBE_PATH_MAX], req_path[KUBE_PATH_MAX], p[KUBE_PATH_MAX];
	json_t *limits = kube__jobj(res, "limits"), *requests = kube__jobj(res, "requests"), *q;
	const char *name;

	kube__path_child(lim_path, base, "limits");
	kube__path_child(req_path, base, "requests");
	json_object_foreach(limits, name, q) {
		kube__path_key(p, lim_path, name);
		resource_name(name, p, causes);
		kinds_check_quantity(causes, q, p, !is_native(name));
	}
	json_object_foreach(requests, name, q) {
		kube__path_key(p, req_path, name);
		resource_name(name, p, causes);
		kinds_check_quantity(causes, q, p, !is_native(name));
		request_vs_limit(name, q, limits, req_path, lim_path, causes);
	}
}
