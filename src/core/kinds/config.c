/*
 * ConfigMap and Secret: key formats, the 1 MiB size limit, Secret types'
 * required keys, immutability, and stringData folded into data as the v1
 * conversion does.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/kinds/kinds.h"

#define MAX_SECRET_SIZE (1024L * 1024L)

/* Decoded length of base64 text, and the bytes themselves (malloc'd, NUL
 * terminated) when @p out is non-NULL. -1 when it is not base64. */
static long b64_decode(const char *s, unsigned char **out)
{
	size_t n = strlen(s);
	unsigned char *buf = malloc(n / 4 * 3 + 4);
	int len;

	if (!buf)
		return -1;
	len = n ? EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) : 0;
	if (len < 0) {
		free(buf);
		return -1;
	}
	if (n >= 1 && s[n - 1] == '=')
		len--;
	if (n >= 2 && s[n - 2] == '=')
		len--;
	buf[len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	return len;
}

static json_t *b64_encode(const char *s)
{
	size_t n = strlen(s);
	unsigned char *buf = malloc(4 * ((n + 2) / 3) + 1);
	json_t *j;

	if (!buf)
		return NULL;
	EVP_EncodeBlock(buf, (const unsigned char *)s, (int)n);
	j = json_string((char *)buf);
	free(buf);
	return j;
}

static long check_keys(const json_t *map, const char *field, const json_t *other,
		       const char *other_field, bool b64, json_t *causes)
{
	char p[KUBE_PATH_MAX], msg[64];
	const char *key;
	json_t *v;
	long total = 0, n;

	json_object_foreach((json_t *)map, key, v) {
		kube__path_key(p, field, key);
		kube__check_fmt(causes, p, key, kube__fmt_config_key);
		if (other && json_object_get(other, key)) {
			snprintf(msg, sizeof(msg), "duplicate of key present in %s", other_field);
			kube__err_invalid_str(causes, p, key, msg);
		}
		n = b64 ? b64_decode(json_string_value(v) ? json_string_value(v) : "", NULL)
			: (long)strlen(json_string_value(v) ? json_string_value(v) : "");
		total += n > 0 ? n : 0;
	}
	return total;
}

void kube__configmap_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	json_t *data = kube__jobj(obj, "data"), *bin = kube__jobj(obj, "binaryData");
	long total;

	total = check_keys(data, "data", bin, "binaryData", false, causes);
	total += check_keys(bin, "binaryData", data, "data", true, causes);
	if (total > MAX_SECRET_SIZE)
		kube__err_toolong(causes, "", MAX_SECRET_SIZE);
	if (!old || !json_is_true(json_object_get(old, "immutable")))
		return;
	if (!json_is_true(json_object_get(obj, "immutable")))
		kube__err_forbidden(causes, "immutable", "field is immutable when `immutable` is set");
	if (kube__changed(data, kube__jobj(old, "data")))
		kube__err_forbidden(causes, "data", "field is immutable when `immutable` is set");
	if (kube__changed(bin, kube__jobj(old, "binaryData")))
		kube__err_forbidden(causes, "binaryData", "field is immutable when `immutable` is set");
}

void kube__secret_defaults(json_t *obj)
{
	json_t *sd = kube__jobj(obj, "stringData"), *v, *data;
	const char *key;

	kube__jdefault_str(obj, "type", "Opaque");
	if (!sd)
		return;
	data = kube__jensure_obj(obj, "data");
	json_object_foreach(sd, key, v)
		if (json_is_string(v))
			json_object_set_new(data, key, b64_encode(json_string_value(v)));
	json_object_del(obj, "stringData");
}

/* A dockercfg payload must decode to a JSON object. */
static void docker_json(const json_t *data, const char *key, json_t *causes)
{
	char p[KUBE_PATH_MAX];
	unsigned char *raw = NULL;
	json_t *doc;
	json_error_t err;

	kube__path_key(p, "data", key);
	if (!json_object_get(data, key)) {
		kube__err_required(causes, p, NULL);
		return;
	}
	if (b64_decode(kinds_str(data, key), &raw) < 0)
		return;
	doc = json_loads((char *)raw, JSON_DECODE_ANY, &err);
	if (!json_is_object(doc))
		kube__err_invalid_str(causes, p, "<secret contents redacted>",
				      doc ? "json: cannot unmarshal into Go value of type map[string]interface {}"
					  : err.text);
	json_decref(doc);
	free(raw);
}

static void secret_type_rules(const json_t *obj, const json_t *data, json_t *causes)
{
	const char *type = kinds_str(obj, "type");
	const char *sa = kinds_str(kube__jpath(obj, "metadata.annotations"),
				    "kubernetes.io/service-account.name");

	if (!strcmp(type, "kubernetes.io/service-account-token") && !*sa)
		kube__err_required(causes, "metadata.annotations[kubernetes.io/service-account.name]", NULL);
	else if (!strcmp(type, "kubernetes.io/dockercfg"))
		docker_json(data, ".dockercfg", causes);
	else if (!strcmp(type, "kubernetes.io/dockerconfigjson"))
		docker_json(data, ".dockerconfigjson", causes);
	else if (!strcmp(type, "kubernetes.io/basic-auth") && !json_object_get(data, "username") &&
		 !json_object_get(data, "password")) {
		kube__err_required(causes, "data[username]", NULL);
		kube__err_required(causes, "data[password]", NULL);
	} else if (!strcmp(type, "kubernetes.io/ssh-auth") && !*kinds_str(data, "ssh-privatekey")) {
		kube__err_required(causes, "data[ssh-privatekey]", NULL);
	} else if (!strcmp(type, "kubernetes.io/tls")) {
		if (!json_object_get(data, "tls.crt"))
			kube__err_required(causes, "data[tls.crt]", NULL);
		if (!json_object_get(data, "tls.key"))
			kube__err_required(causes, "data[tls.key]", NULL);
	}
}

void kube__secret_validate(const json_t *obj, const json_t *old, json_t *causes)
{
	json_t *data = kube__jobj(obj, "data");

	if (check_keys(data, "data", NULL, NULL, true, causes) > MAX_SECRET_SIZE)
		kube__err_toolong(causes, "data", MAX_SECRET_SIZE);
	secret_type_rules(obj, data, causes);
	if (!old)
		return;
	if (strcmp(kinds_str(obj, "type"), kinds_str(old, "type")))
		kube__err_invalid_str(causes, "type", kinds_str(obj, "type"), "field is immutable");
	if (!json_is_true(json_object_get(old, "immutable")))
		return;
	if (!json_is_true(json_object_get(obj, "immutable")))
		kube__err_forbidden(causes, "immutable", "field is immutable when `immutable` is set");
	if (kube__changed(data, kube__jobj(old, "data")))
		kube__err_forbidden(causes, "data", "field is immutable when `immutable` is set");
}
