/*
 * OpenAPI v2: the embedded protobuf, read back with a small wire-format
 * reader, is the openapi.v2.Document kubectl decodes (gnostic's field
 * numbers): every v3 schema is a definition that kube-openapi's
 * NewOpenAPIData would accept, the kinds carry x-kubernetes-group-version-
 * kind as YAML, references point at #/definitions/, and the PATCH
 * operations name fieldValidation. The JSON form says the same, its SHA-512
 * is the ETag, and Accept negotiation picks forms as kube-openapi does.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <jansson.h>
#include "core/api/openapi_v2.h"
#include "libkube/errors.h"

#define DOCS_DIR KUBE_SHARED_DIR "/openapi/v3"

/* A protobuf message: bytes to read fields from. */
struct msg {
	const unsigned char *p;
	size_t len;
};

static uint64_t varint(struct msg m, size_t *off)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		cr_assert_lt(*off, m.len, "varint runs past the message");
		v |= (uint64_t)(m.p[*off] & 0x7f) << shift;
		if (!(m.p[(*off)++] & 0x80))
			return v;
	}
	cr_assert_fail("varint longer than 10 bytes");
	return 0;
}

/* The next field at *off: its number (0 at the end), with its varint value
 * or its length-delimited bytes. Only the wire types gnostic's messages
 * use (varint, length-delimited, 64-bit for doubles) are accepted. */
static int next_field(struct msg m, size_t *off, uint64_t *value, struct msg *bytes)
{
	uint64_t key, n;

	if (*off >= m.len)
		return 0;
	key = varint(m, off);
	switch (key & 7) {
	case 0:
		*value = varint(m, off);
		break;
	case 1:
		cr_assert_leq(*off + 8, m.len);
		*off += 8;
		break;
	case 2:
		n = varint(m, off);
		cr_assert_leq(n, m.len - *off, "field %d runs past its message", (int)(key >> 3));
		bytes->p = m.p + *off;
		bytes->len = n;
		*off += n;
		break;
	default:
		cr_assert_fail("wire type %d", (int)(key & 7));
	}
	cr_assert_gt(key >> 3, 0);
	return (int)(key >> 3);
}

/* The @p nth (from 0) occurrence of length-delimited @p field. */
static bool get_nth(struct msg m, int field, size_t nth, struct msg *out)
{
	size_t off = 0;
	uint64_t v;
	struct msg b;
	int f;

	while ((f = next_field(m, &off, &v, &b)))
		if (f == field && !nth--) {
			*out = b;
			return true;
		}
	return false;
}

static bool get(struct msg m, int field, struct msg *out)
{
	return get_nth(m, field, 0, out);
}

static size_t count(struct msg m, int field)
{
	size_t n = 0, off = 0;
	uint64_t v;
	struct msg b;
	int f;

	while ((f = next_field(m, &off, &v, &b)))
		n += f == field;
	return n;
}

static bool str_eq(struct msg m, const char *s)
{
	return m.len == strlen(s) && !memcmp(m.p, s, m.len);
}

/* The string @p field of @p m, or "" (proto3's default). Static buffer. */
static const char *str(struct msg m, int field)
{
	static char buf[4096];
	struct msg s = { 0 };

	get(m, field, &s);
	cr_assert_lt(s.len, sizeof(buf));
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	return buf;
}

/* In repeated @p field of Named* messages (name = 1, value = 2), the value
 * called @p name. */
static bool named(struct msg m, int field, const char *name, struct msg *value)
{
	struct msg entry, n;

	for (size_t i = 0; get_nth(m, field, i, &entry); i++)
		if (get(entry, 1, &n) && str_eq(n, name)) {
			*value = (struct msg){ 0 };
			get(entry, 2, value);
			return true;
		}
	return false;
}

static char *gunzip(const struct kube_openapi_v2_blob *b)
{
	char *out;
	size_t len;

	cr_assert_eq(kube__openapi_v2_inflate(b == &kube__openapi_v2_pb ? KUBE_OPENAPI_V2_PROTOBUF
									  : KUBE_OPENAPI_V2_JSON,
					      &out, &len),
		     0);
	cr_assert_eq(len, b->len);
	return out;
}

static struct msg document(char **buf)
{
	*buf = gunzip(&kube__openapi_v2_pb);
	return (struct msg){ (const unsigned char *)*buf, kube__openapi_v2_pb.len };
}

/* Document.definitions (9) -> Definitions.additional_properties (1). */
static struct msg definition(struct msg doc, const char *name)
{
	struct msg defs, s;

	cr_assert(get(doc, 9, &defs));
	cr_assert(named(defs, 1, name, &s), "no definition %s", name);
	return s;
}

/* A vendor extension (Schema field 31, Operation 13) parsed from its YAML;
 * the generator writes JSON flow YAML, which jansson reads. */
static json_t *extension(struct msg m, int field, const char *name)
{
	struct msg any, yaml;
	json_t *v;

	cr_assert(named(m, field, name, &any), "no %s", name);
	cr_assert(get(any, 2, &yaml), "%s has no yaml", name);
	v = json_loadb((const char *)yaml.p, yaml.len, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(v, "%s: %.*s", name, (int)yaml.len, yaml.p);
	return v;
}

static void expect_gvk(struct msg doc, const char *def, const char *group, const char *version,
		       const char *kind)
{
	json_t *got = extension(definition(doc, def), 31, "x-kubernetes-group-version-kind");
	json_t *want = json_pack("[{s:s, s:s, s:s}]", "group", group, "kind", kind, "version", version);
	char *text = json_dumps(got, JSON_COMPACT);

	cr_expect(json_equal(got, want), "%s: %s", def, text);
	free(text);
	json_decref(got);
	json_decref(want);
}

/* Schema.properties (25) -> the property @p name. */
static struct msg property(struct msg schema, const char *name)
{
	struct msg props, p;

	cr_assert(get(schema, 25, &props));
	cr_assert(named(props, 1, name, &p), "no property %s", name);
	return p;
}

/* Schema.type (22) -> TypeItem.value (1), "" when untyped. */
static const char *type_of(struct msg schema)
{
	struct msg t;

	return get(schema, 22, &t) ? str(t, 1) : "";
}

Test(openapi_v2, document_header)
{
	char *buf;
	struct msg doc = document(&buf), info, sd, item, key;

	cr_expect_str_eq(str(doc, 1), "2.0");
	cr_assert(get(doc, 2, &info));
	cr_expect_str_eq(str(info, 1), "Kubernetes");
	cr_expect_str_eq(str(info, 2), "v1.32.0");
	cr_assert(get(doc, 13, &sd));
	cr_assert(named(sd, 1, "BearerToken", &item));
	cr_assert(get(item, 2, &key), "BearerToken is not an api_key_security");
	cr_expect_str_eq(str(key, 1), "apiKey");
	cr_expect_str_eq(str(key, 2), "authorization");
	cr_expect_str_eq(str(key, 3), "header");
	cr_expect_eq(count(doc, 12), 1);
	free(buf);
}

Test(openapi_v2, kinds_carry_their_gvk)
{
	char *buf;
	struct msg doc = document(&buf);

	expect_gvk(doc, "io.k8s.api.core.v1.ConfigMap", "", "v1", "ConfigMap");
	expect_gvk(doc, "io.k8s.api.apps.v1.Deployment", "apps", "v1", "Deployment");
	expect_gvk(doc, "io.k8s.api.core.v1.Service", "", "v1", "Service");
	expect_gvk(doc, "io.k8s.api.rbac.v1.ClusterRole", "rbac.authorization.k8s.io", "v1", "ClusterRole");
	free(buf);
}

Test(openapi_v2, references_and_fields)
{
	char *buf;
	struct msg doc = document(&buf), deploy = definition(doc, "io.k8s.api.apps.v1.Deployment");
	struct msg spec = property(deploy, "spec"), svc = definition(doc, "io.k8s.api.core.v1.ServiceSpec");
	struct msg ios = definition(doc, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
	struct msg cm = definition(doc, "io.k8s.api.core.v1.ConfigMap"), data, add, ports, items, props;

	cr_expect_str_eq(type_of(deploy), "object");
	/* v3 wraps it as allOf: [{$ref}]; v2 has the $ref itself, untyped */
	cr_expect_str_eq(str(spec, 1), "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
	cr_expect_str_eq(type_of(spec), "");
	cr_expect_eq(count(spec, 24), 0);
	cr_expect_str_eq(type_of(property(svc, "clusterIP")), "string");
	cr_assert(get(svc, 25, &props));
	cr_expect(!named(props, 1, "ClusterIP", &add));
	ports = property(svc, "ports");
	cr_expect_str_eq(type_of(ports), "array");
	cr_assert(get(ports, 23, &items));
	cr_expect_eq(count(items, 1), 1);
	/* oneOf integer/string becomes a string, as the v2 builder types it */
	cr_expect_str_eq(type_of(ios), "string");
	cr_expect_str_eq(str(ios, 2), "int-or-string");
	data = property(cm, "data");
	cr_expect_str_eq(type_of(data), "object");
	cr_assert(get(data, 21, &add));
	cr_assert(get(add, 1, &add), "additionalProperties is not a schema");
	cr_expect_str_eq(type_of(add), "string");
	free(buf);
}

/* What kube-openapi's ParseSchema rejects: a $ref with a type or
 * properties or to no definition, several types, an array without exactly
 * one items schema, an unknown primitive type. */
static void check_schema(struct msg doc, struct msg s, const char *where)
{
	struct msg ref, t, items, sub, entry, defs;
	const char *type;

	cr_assert_leq(count(s, 22), 1);
	if (get(s, 22, &t))
		cr_expect_leq(count(t, 1), 1, "%s: several types", where);
	type = type_of(s);
	if (get(s, 1, &ref)) {
		char name[512];

		cr_expect(!type[0] && count(s, 25) == 0, "%s: $ref with a type or properties", where);
		cr_assert(ref.len > 14 && ref.len < sizeof(name) + 14 && !memcmp(ref.p, "#/definitions/", 14),
			  "%s: reference outside #/definitions/", where);
		memcpy(name, ref.p + 14, ref.len - 14);
		name[ref.len - 14] = '\0';
		cr_assert(get(doc, 9, &defs));
		cr_expect(named(defs, 1, name, &sub), "%s: dangling reference to %s", where, name);
	}
	cr_expect(!type[0] || !strcmp(type, "object") || !strcmp(type, "array") || !strcmp(type, "string") ||
			  !strcmp(type, "integer") || !strcmp(type, "number") || !strcmp(type, "boolean"),
		  "%s: type %s", where, type);
	if (!strcmp(type, "array")) {
		cr_assert(get(s, 23, &items), "%s: array without items", where);
		cr_expect_eq(count(items, 1), 1, "%s", where);
	}
	for (size_t i = 0; get(s, 23, &items) && get_nth(items, 1, i, &sub); i++)
		check_schema(doc, sub, where);
	if (get(s, 21, &sub) && get(sub, 1, &sub))
		check_schema(doc, sub, where);
	for (size_t i = 0; get_nth(s, 24, i, &sub); i++)
		check_schema(doc, sub, where);
	for (size_t i = 0; get(s, 25, &sub) && get_nth(sub, 1, i, &entry); i++)
		if (get(entry, 2, &entry))
			check_schema(doc, entry, where);
}

/* The names of every components.schemas entry of the v3 documents. */
static json_t *v3_schema_names(void)
{
	json_t *names = json_object();
	DIR *dir = opendir(DOCS_DIR);
	struct dirent *de;

	cr_assert_not_null(dir, "%s", DOCS_DIR);
	while ((de = readdir(dir))) {
		char file[1024];
		json_t *doc, *v;
		const char *name;

		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", DOCS_DIR, de->d_name);
		doc = json_load_file(file, 0, NULL);
		cr_assert_not_null(doc, "%s", file);
		json_object_foreach(json_object_get(json_object_get(doc, "components"), "schemas"), name, v)
			json_object_set_new(names, name, json_true());
		json_decref(doc);
	}
	closedir(dir);
	return names;
}

Test(openapi_v2, every_v3_schema_is_a_valid_definition)
{
	char *buf;
	struct msg doc = document(&buf), defs, entry, name, value;
	json_t *want = v3_schema_names();
	size_t n = 0;

	cr_assert(get(doc, 9, &defs));
	for (; get_nth(defs, 1, n, &entry); n++) {
		char key[512];

		cr_assert(get(entry, 1, &name) && name.len < sizeof(key));
		memcpy(key, name.p, name.len);
		key[name.len] = '\0';
		cr_expect_not_null(json_object_get(want, key), "%s is no v3 schema", key);
		cr_assert(get(entry, 2, &value), "%s has no schema", key);
		check_schema(doc, value, key);
	}
	cr_expect_eq(n, json_object_size(want));
	cr_expect_gt(n, 400);
	json_decref(want);
	free(buf);
}

/* cli-runtime's v2 QueryParamVerifier: the PATCH operation whose
 * x-kubernetes-group-version-kind is the kind lists a query parameter
 * named fieldValidation. */
Test(openapi_v2, patch_names_field_validation)
{
	char *buf;
	struct msg doc = document(&buf), paths, item, patch, p, param, nonbody, query;
	json_t *gvk, *want = json_pack("{s:s, s:s, s:s}", "group", "apps", "kind", "Deployment", "version", "v1");
	bool found = false;

	cr_assert(get(doc, 8, &paths));
	cr_assert(named(paths, 2, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", &item));
	cr_assert(get(item, 8, &patch));
	gvk = extension(patch, 13, "x-kubernetes-group-version-kind");
	cr_expect(json_equal(gvk, want));
	for (size_t i = 0; get_nth(patch, 8, i, &p); i++) {
		if (get(p, 1, &param) && get(param, 2, &nonbody) && get(nonbody, 3, &query) &&
		    !strcmp(str(query, 4), "fieldValidation")) {
			cr_expect_str_eq(str(query, 2), "query");
			cr_expect_str_eq(str(query, 6), "string");
			found = true;
		}
	}
	cr_expect(found, "no fieldValidation query parameter");
	/* the body comes first, a Patch */
	cr_assert(get_nth(patch, 8, 0, &p) && get(p, 1, &param) && get(param, 1, &param));
	cr_expect_str_eq(str(param, 3), "body");
	cr_expect(get(param, 5, &p));
	cr_expect_str_eq(str(p, 1), "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
	/* the namespace and name come from the path item */
	cr_expect_geq(count(item, 9), 2);
	json_decref(gvk);
	json_decref(want);
	free(buf);
}

Test(openapi_v2, json_form_matches_and_hashes_to_the_etag)
{
	char *text = gunzip(&kube__openapi_v2_json), hex[129];
	json_t *doc = json_loads(text, 0, NULL), *want = v3_schema_names(), *deploy;
	unsigned char md[64];
	unsigned int n = 0;

	cr_assert_not_null(doc);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "swagger")), "2.0");
	cr_expect_eq(json_object_size(json_object_get(doc, "definitions")), json_object_size(want));
	deploy = json_object_get(json_object_get(doc, "definitions"), "io.k8s.api.apps.v1.Deployment");
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(deploy, "properties"), "spec"), "$ref")),
			 "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
	cr_expect_null(strstr(text, "#/components/"));
	cr_assert(EVP_Digest(text, strlen(text), md, &n, EVP_sha512(), NULL));
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
	cr_expect_str_eq(kube__openapi_v2_etag, hex);
	json_decref(want);
	json_decref(doc);
	free(text);
}

Test(openapi_v2, negotiation)
{
	static const struct {
		const char *accept;
		int form;
	} cases[] = {
		{ NULL, KUBE_OPENAPI_V2_JSON },
		{ "", KUBE_OPENAPI_V2_JSON },
		{ "*/*", KUBE_OPENAPI_V2_JSON },
		{ "application/json", KUBE_OPENAPI_V2_JSON },
		{ "application/*", KUBE_OPENAPI_V2_JSON },
		{ "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", KUBE_OPENAPI_V2_PROTOBUF },
		{ "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", KUBE_OPENAPI_V2_PROTOBUF },
		{ "application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
		  KUBE_OPENAPI_V2_PROTOBUF },
		{ "*/*;q=0.1, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", KUBE_OPENAPI_V2_PROTOBUF },
		{ "text/html, application/json ; q=0.9", KUBE_OPENAPI_V2_JSON },
		{ "text/html", KUBE_EUNSUPPORTED },
		{ "application/yaml, text/*", KUBE_EUNSUPPORTED },
		{ "garbage", KUBE_EUNSUPPORTED },
	};
	const char *ctype;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctype = NULL;
		cr_expect_eq(kube__openapi_v2_negotiate(cases[i].accept, &ctype), cases[i].form, "%s",
			     cases[i].accept ? cases[i].accept : "(none)");
		if (cases[i].form == KUBE_OPENAPI_V2_JSON)
			cr_expect_str_eq(ctype, "application/json");
		else if (cases[i].form == KUBE_OPENAPI_V2_PROTOBUF) /* the current name, even when asked by the old */
			cr_expect_str_eq(ctype, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
	}
}
