/*
 * openapi_v2gen: build the OpenAPI v2 (Swagger 2.0) document kube-apiserver
 * serves at /openapi/v2 from the upstream OpenAPI v3 documents, and write it
 * into a C file in the two forms kube-openapi's handler serves: the JSON
 * text and the gnostic openapi_v2.Document protobuf (what kubectl asks
 * for), each as one gzip member, plus the ETag (upper-case hex SHA-512 of
 * the JSON text, as kube-openapi's computeETag).
 *
 *   openapi_v2gen OUT.c DIR/api__v1.json DIR/apis__apps__v1.json ...
 *
 * v3 to v2: components.schemas become definitions and every
 * "#/components/schemas/X" reference "#/definitions/X"; an allOf holding
 * one $ref (how v3 puts a description or default beside a reference)
 * becomes that $ref with its siblings, as the v2 builder writes it; oneOf
 * over primitive types (IntOrString, Quantity) becomes "type": "string";
 * requestBody becomes a "body" parameter and "consumes", response content
 * becomes "produces" and one schema per response; parameters carry their
 * schema's type inline. Any keyword this does not know stops the build
 * rather than being dropped in silence.
 *
 * The protobuf follows gnostic's OpenAPIv2.proto (package openapi.v2):
 * fields in field-number order as Go's proto.Marshal writes them; vendor
 * extensions are NamedAny{name, Any{yaml}} whose YAML is the value in JSON
 * flow form (JSON is YAML), which kube-openapi reads with yaml.Unmarshal.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <zlib.h>

#define V3_REF "#/components/schemas/"
#define V2_REF "#/definitions/"

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "openapi_v2gen: %s %s%s%s\n", what, arg ? arg : "", errno ? ": " : "",
		errno ? strerror(errno) : "");
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory", NULL);
	return p;
}

static void put(json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v))
		die("out of memory building", key);
}

static int is_ext(const char *key)
{
	return !strncmp(key, "x-", 2);
}

/* Stop on a keyword of @p obj that is neither an extension nor in @p known
 * (NULL-terminated). */
static void check_keys(json_t *obj, const char *const *known, const char *what)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		int ok = is_ext(key);

		for (int i = 0; !ok && known[i]; i++)
			ok = !strcmp(key, known[i]);
		if (!ok) {
			fprintf(stderr, "openapi_v2gen: unhandled keyword \"%s\" in %s\n", key, what);
			exit(1);
		}
	}
}

static void copy_exts(json_t *to, json_t *from)
{
	const char *key;
	json_t *v;

	json_object_foreach(from, key, v)
		if (is_ext(key))
			put(to, key, json_deep_copy(v));
}

/* to[key] = from[key] when from has it. */
static void copy_key(json_t *to, json_t *from, const char *key)
{
	json_t *v = json_object_get(from, key);

	if (v)
		put(to, key, json_deep_copy(v));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of @p obj with its keys in sorted order, as Go marshals a map. */
static json_t *sorted_copy(json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = xrealloc(NULL, n * sizeof(*keys));
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach(obj, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		put(out, keys[i], json_incref(json_object_get(obj, keys[i])));
	free(keys);
	return out;
}

/* ---- v3 to v2 ------------------------------------------------------------ */

static json_t *conv_schema(json_t *s);

static json_t *conv_ref(json_t *ref)
{
	const char *r = json_string_value(ref);

	if (!r || strncmp(r, V3_REF, strlen(V3_REF)))
		die("reference outside components.schemas:", r);
	return json_sprintf(V2_REF "%s", r + strlen(V3_REF));
}

/* The one $ref of an allOf that only wraps a reference, or NULL. */
static json_t *wrapped_ref(json_t *s)
{
	json_t *all = json_object_get(s, "allOf"), *one = json_array_get(all, 0);

	if (json_array_size(all) != 1 || json_object_size(one) != 1)
		return NULL;
	return json_object_get(one, "$ref");
}

/* "string" when every oneOf branch is a primitive type, as the v2 builder
 * types IntOrString and Quantity; stops on anything else. */
static json_t *oneof_type(json_t *one, json_t *s)
{
	size_t i;
	json_t *b;

	if (json_object_get(s, "type"))
		die("oneOf beside a type", NULL);
	json_array_foreach(one, i, b) {
		const char *t = json_string_value(json_object_get(b, "type"));

		if (json_object_size(b) != 1 || !t || !strcmp(t, "object") || !strcmp(t, "array"))
			die("oneOf over non-primitive types", NULL);
	}
	return json_string("string");
}

static json_t *conv_props(json_t *props)
{
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach(props, key, v)
		put(out, key, conv_schema(v));
	return out;
}

static json_t *conv_schema(json_t *s)
{
	static const char *const known[] = { "$ref", "allOf", "oneOf", "nullable", "description", "type",
					     "format", "default", "required", "enum", "properties",
					     "items", "additionalProperties", "title", NULL };
	json_t *out = json_object(), *ref = wrapped_ref(s), *v;
	const char *key;

	check_keys(s, known, "a schema");
	if (ref)
		put(out, "$ref", conv_ref(ref));
	json_object_foreach(s, key, v) {
		if (!strcmp(key, "$ref"))
			put(out, key, conv_ref(v));
		else if (!strcmp(key, "allOf") && !ref)
			die("allOf that is not one $ref", NULL);
		else if (!strcmp(key, "allOf"))
			continue; /* written as its $ref above */
		else if (!strcmp(key, "oneOf"))
			put(out, "type", oneof_type(v, s));
		else if (!strcmp(key, "nullable"))
			continue; /* v2 has no null */
		else if (!strcmp(key, "properties"))
			put(out, key, conv_props(v));
		else if ((!strcmp(key, "items") || !strcmp(key, "additionalProperties")) && json_is_object(v))
			put(out, key, conv_schema(v));
		else
			put(out, key, json_deep_copy(v));
	}
	return out;
}

/* {in, name, schema: {type, uniqueItems}} -> {in, name, type, uniqueItems}:
 * v2 types a non-body parameter inline. */
static json_t *conv_param(json_t *p)
{
	static const char *const known[] = { "description", "in", "name", "required", "schema", NULL };
	static const char *const schema_known[] = { "type", "format", "uniqueItems", NULL };
	json_t *out = json_object(), *schema = json_object_get(p, "schema"), *v;
	const char *key;

	check_keys(p, known, "a parameter");
	check_keys(schema, schema_known, "a parameter's schema");
	json_object_foreach(p, key, v)
		if (strcmp(key, "schema"))
			put(out, key, json_deep_copy(v));
	json_object_foreach(schema, key, v)
		put(out, key, json_deep_copy(v));
	return out;
}

static json_t *conv_params(json_t *params)
{
	json_t *out = json_array(), *p;
	size_t i;

	json_array_foreach(params, i, p)
		if (json_array_append_new(out, conv_param(p)))
			die("out of memory", NULL);
	return out;
}

/* Append the content types of @p content to @p list, skipping repeats. */
static void add_types(json_t *list, json_t *content)
{
	const char *type, *have;
	json_t *v, *h;
	size_t i;

	json_object_foreach(content, type, v) {
		int seen = 0;

		json_array_foreach(list, i, h)
			if ((have = json_string_value(h)) && !strcmp(have, type))
				seen = 1;
		if (!seen && json_array_append_new(list, json_string(type)))
			die("out of memory", NULL);
	}
}

/* The one schema all of @p content's media types share, converted. */
static json_t *content_schema(json_t *content)
{
	void *it = json_object_iter(content);

	if (!it)
		die("empty content", NULL);
	return conv_schema(json_object_get(json_object_iter_value(it), "schema"));
}

/* requestBody -> {"in": "body", "name": "body", "required", "schema"}. */
static json_t *body_param(json_t *rb)
{
	static const char *const known[] = { "content", "required", NULL };
	json_t *p = json_pack("{s:s, s:s}", "in", "body", "name", "body");

	check_keys(rb, known, "a requestBody");
	if (json_is_true(json_object_get(rb, "required")))
		put(p, "required", json_true());
	put(p, "schema", content_schema(json_object_get(rb, "content")));
	return p;
}

static json_t *conv_responses(json_t *responses, json_t *produces)
{
	static const char *const known[] = { "description", "content", NULL };
	json_t *out = json_object(), *r;
	const char *code;

	json_object_foreach(responses, code, r) {
		json_t *v2 = json_pack("{s:O}", "description", json_object_get(r, "description"));
		json_t *content = json_object_get(r, "content");

		check_keys(r, known, "a response");
		if (content) {
			put(v2, "schema", content_schema(content));
			add_types(produces, content);
		}
		put(out, code, v2);
	}
	return out;
}

/* One operation: v2 lists the body first, then the v3 parameters; every
 * operation of kube-apiserver's v2 names "consumes" (any type when it takes no
 * body) and "schemes": ["https"]. */
static json_t *conv_op(json_t *op)
{
	static const char *const known[] = { "description", "operationId", "parameters", "requestBody",
					     "responses", "tags", "summary", "deprecated", NULL };
	json_t *out = json_object(), *rb = json_object_get(op, "requestBody");
	json_t *params = conv_params(json_object_get(op, "parameters"));
	json_t *consumes = json_array(), *produces = json_array(), *responses;

	check_keys(op, known, "an operation");
	if (rb) {
		add_types(consumes, json_object_get(rb, "content"));
		json_array_insert_new(params, 0, body_param(rb));
	} else {
		json_array_append_new(consumes, json_string("*/*"));
	}
	responses = conv_responses(json_object_get(op, "responses"), produces);
	put(out, "consumes", consumes);
	copy_key(out, op, "description");
	copy_key(out, op, "operationId");
	if (json_array_size(params))
		put(out, "parameters", params);
	else
		json_decref(params);
	if (json_array_size(produces))
		put(out, "produces", produces);
	else
		json_decref(produces);
	put(out, "responses", responses);
	put(out, "schemes", json_pack("[s]", "https"));
	copy_key(out, op, "summary");
	copy_key(out, op, "tags");
	copy_key(out, op, "deprecated");
	copy_exts(out, op);
	return out;
}

static const char *const methods[] = { "get", "put", "post", "delete", "options", "head", "patch", NULL };

static json_t *conv_path_item(json_t *pi)
{
	static const char *const known[] = { "get", "put", "post", "delete", "options", "head", "patch",
					     "parameters", NULL };
	json_t *out = json_object(), *v;
	const char *key;

	check_keys(pi, known, "a path item");
	json_object_foreach(pi, key, v) {
		if (!strcmp(key, "parameters"))
			put(out, key, conv_params(v));
		else if (!is_ext(key))
			put(out, key, conv_op(v));
	}
	copy_exts(out, pi);
	return out;
}

/* Add @p v3's schemas and paths to @p defs and @p paths. Schemas shared by
 * several documents (ObjectMeta, Status, ...) must be identical. */
static void merge_doc(json_t *defs, json_t *paths, json_t *v3, const char *file)
{
	json_t *schemas = json_object_get(json_object_get(v3, "components"), "schemas"), *s, *have;
	const char *name;

	if (!json_is_object(schemas) || !json_is_object(json_object_get(v3, "paths")))
		die("no components.schemas or paths in", file);
	json_object_foreach(schemas, name, s) {
		json_t *v2 = conv_schema(s);

		have = json_object_get(defs, name);
		if (have && !json_equal(have, v2))
			die("documents disagree on the schema", name);
		put(defs, name, v2);
	}
	json_object_foreach(json_object_get(v3, "paths"), name, s) {
		if (json_object_get(paths, name))
			die("path in two documents:", name);
		put(paths, name, conv_path_item(s));
	}
}

/* The v2 document: swagger, info, paths, definitions, security as the
 * v2 builder lays them out, maps sorted by key. */
static json_t *build_v2(int n, char **files)
{
	json_t *defs = json_object(), *paths = json_object(), *doc;

	for (int i = 0; i < n; i++) {
		json_error_t err;
		json_t *v3 = json_load_file(files[i], 0, &err);

		if (!v3)
			die(err.text, files[i]);
		merge_doc(defs, paths, v3, files[i]);
		json_decref(v3);
	}
	doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:o, s:{s:{s:s, s:s, s:s, s:s}}, s:[{s:[]}]}",
			"swagger", "2.0", "info", "title", "Kubernetes", "version", "v1.32.0",
			"paths", sorted_copy(paths), "definitions", sorted_copy(defs),
			"securityDefinitions", "BearerToken", "description", "Bearer Token authentication",
			"in", "header", "name", "authorization", "type", "apiKey",
			"security", "BearerToken");
	if (!doc)
		die("out of memory", NULL);
	json_decref(defs);
	json_decref(paths);
	return doc;
}

/* ---- protobuf (gnostic openapiv2/OpenAPIv2.proto) ------------------------ */

/* A growing buffer holding one encoded message. */
struct pb {
	unsigned char *p; /* bytes */
	size_t len;       /* bytes used */
	size_t cap;       /* bytes allocated */
};

static void pb_put(struct pb *b, const void *d, size_t n)
{
	if (!n)
		return;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	unsigned char buf[10];
	size_t n = 0;

	do {
		buf[n] = v & 0x7f;
		v >>= 7;
		if (v)
			buf[n] |= 0x80;
		n++;
	} while (v);
	pb_put(b, buf, n);
}

static void pb_key(struct pb *b, int field, int wire)
{
	pb_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

static void pb_bytes(struct pb *b, int field, const void *d, size_t n)
{
	pb_key(b, field, 2);
	pb_varint(b, n);
	pb_put(b, d, n);
}

/* Append @p sub as message field @p field (present even when empty, as Go
 * writes a non-nil message) and release it. */
static void pb_msg(struct pb *b, int field, struct pb *sub)
{
	pb_bytes(b, field, sub->p, sub->len);
	free(sub->p);
	memset(sub, 0, sizeof(*sub));
}

static void pb_bool(struct pb *b, int field, json_t *v)
{
	if (v && !json_is_boolean(v))
		die("not a boolean", NULL);
	if (json_is_true(v)) {
		pb_key(b, field, 0);
		pb_varint(b, 1);
	}
}

/* A singular string field: proto3 leaves "" out. */
static void pb_cstr(struct pb *b, int field, const char *s)
{
	if (s && *s)
		pb_bytes(b, field, s, strlen(s));
}

static void pb_str(struct pb *b, int field, json_t *v)
{
	if (v && !json_is_string(v))
		die("not a string", NULL);
	pb_cstr(b, field, json_string_value(v));
}

/* A repeated string field: every element, "" included. */
static void pb_strs(struct pb *b, int field, json_t *arr)
{
	size_t i;
	json_t *v;

	if (arr && !json_is_array(arr))
		die("not an array of strings", NULL);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			die("not an array of strings", NULL);
		pb_bytes(b, field, json_string_value(v), json_string_length(v));
	}
}

/* Any{yaml = 2}: the value as YAML; JSON flow form is YAML. */
static void pb_any(struct pb *b, int field, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	struct pb any = { 0 };
	size_t n;

	if (!text)
		die("cannot encode a value", NULL);
	n = strlen(text);
	text = xrealloc(text, n + 2);
	memcpy(text + n, "\n", 2);
	pb_bytes(&any, 2, text, n + 1);
	free(text);
	pb_msg(b, field, &any);
}

/* The x- keys of @p obj as repeated NamedAny{name = 1, value = 2}. */
static void pb_exts(struct pb *b, int field, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		struct pb na = { 0 };

		if (!is_ext(key))
			continue;
		pb_cstr(&na, 1, key);
		pb_any(&na, 2, v);
		pb_msg(b, field, &na);
	}
}

static void pb_schema(struct pb *b, json_t *s);

static void pb_schema_field(struct pb *b, int field, json_t *s)
{
	struct pb sub = { 0 };

	pb_schema(&sub, s);
	pb_msg(b, field, &sub);
}

/* A map of schemas as repeated NamedSchema{name = 1, value = 2}. */
static void pb_named_schemas(struct pb *b, int field, json_t *map)
{
	const char *key;
	json_t *v;

	json_object_foreach(map, key, v) {
		struct pb ns = { 0 };

		pb_cstr(&ns, 1, key);
		pb_schema_field(&ns, 2, v);
		pb_msg(b, field, &ns);
	}
}

/* Schema fields 21-25: additionalProperties, type, items, allOf, properties. */
static void pb_schema_nested(struct pb *b, json_t *s)
{
	json_t *v, *e;
	struct pb sub = { 0 };
	size_t i;

	if ((v = json_object_get(s, "additionalProperties"))) {
		if (json_is_boolean(v)) { /* oneof: present even when false */
			pb_key(&sub, 2, 0);
			pb_varint(&sub, json_is_true(v));
		} else {
			pb_schema_field(&sub, 1, v);
		}
		pb_msg(b, 21, &sub);
	}
	if ((v = json_object_get(s, "type"))) {
		if (json_is_string(v))
			pb_str(&sub, 1, v);
		else
			pb_strs(&sub, 1, v);
		pb_msg(b, 22, &sub);
	}
	if ((v = json_object_get(s, "items"))) {
		if (json_is_object(v))
			pb_schema_field(&sub, 1, v);
		json_array_foreach(v, i, e)
			pb_schema_field(&sub, 1, e);
		pb_msg(b, 23, &sub);
	}
	json_array_foreach(json_object_get(s, "allOf"), i, e)
		pb_schema_field(b, 24, e);
	if ((v = json_object_get(s, "properties"))) {
		pb_named_schemas(&sub, 1, v);
		pb_msg(b, 25, &sub);
	}
}

static void pb_schema(struct pb *b, json_t *s)
{
	static const char *const known[] = { "$ref", "format", "title", "description", "default", "required",
					     "enum", "additionalProperties", "type", "items", "allOf",
					     "properties", NULL };
	json_t *v;
	size_t i;

	check_keys(s, known, "a v2 schema");
	pb_str(b, 1, json_object_get(s, "$ref"));
	pb_str(b, 2, json_object_get(s, "format"));
	pb_str(b, 3, json_object_get(s, "title"));
	pb_str(b, 4, json_object_get(s, "description"));
	if ((v = json_object_get(s, "default")))
		pb_any(b, 5, v);
	pb_strs(b, 19, json_object_get(s, "required"));
	json_array_foreach(json_object_get(s, "enum"), i, v)
		pb_any(b, 20, v);
	pb_schema_nested(b, s);
	pb_exts(b, 31, s);
}

/* Field numbers of the non-body parameter messages, by "in". */
static const struct {
	const char *in; /* "query", ... */
	int oneof;      /* its field in NonBodyParameter */
	int type, format, unique, ext;
} nonbody[] = {
	{ "header", 1, 5, 6, 19, 22 },
	{ "formData", 2, 6, 7, 20, 23 },
	{ "query", 3, 6, 7, 20, 23 },
	{ "path", 4, 5, 6, 19, 22 },
};

/* NonBodyParameter: required = 1, in = 2, description = 3, name = 4, then
 * the fields that differ between its four messages. */
static void pb_nonbody(struct pb *b, json_t *p, const char *in)
{
	struct pb sub = { 0 };

	for (size_t i = 0; i < sizeof(nonbody) / sizeof(nonbody[0]); i++) {
		if (strcmp(in, nonbody[i].in))
			continue;
		pb_bool(&sub, 1, json_object_get(p, "required"));
		pb_cstr(&sub, 2, in);
		pb_str(&sub, 3, json_object_get(p, "description"));
		pb_str(&sub, 4, json_object_get(p, "name"));
		pb_str(&sub, nonbody[i].type, json_object_get(p, "type"));
		pb_str(&sub, nonbody[i].format, json_object_get(p, "format"));
		pb_bool(&sub, nonbody[i].unique, json_object_get(p, "uniqueItems"));
		pb_exts(&sub, nonbody[i].ext, p);
		pb_msg(b, nonbody[i].oneof, &sub);
		return;
	}
	die("parameter in", in);
}

/* ParametersItem{parameter = 1: Parameter{body_parameter = 1 |
 * non_body_parameter = 2}}. */
static void pb_param(struct pb *b, int field, json_t *p)
{
	static const char *const known[] = { "description", "in", "name", "required", "schema",
					     "type", "format", "uniqueItems", NULL };
	const char *in = json_string_value(json_object_get(p, "in"));
	struct pb sub = { 0 }, param = { 0 }, item = { 0 };

	check_keys(p, known, "a v2 parameter");
	if (!in)
		die("parameter without \"in\"", NULL);
	if (!strcmp(in, "body")) {
		pb_str(&sub, 1, json_object_get(p, "description"));
		pb_str(&sub, 2, json_object_get(p, "name"));
		pb_cstr(&sub, 3, in);
		pb_bool(&sub, 4, json_object_get(p, "required"));
		pb_schema_field(&sub, 5, json_object_get(p, "schema"));
		pb_exts(&sub, 6, p);
		pb_msg(&param, 1, &sub);
	} else {
		pb_nonbody(&sub, p, in);
		pb_msg(&param, 2, &sub);
	}
	pb_msg(&item, 1, &param);
	pb_msg(b, field, &item);
}

/* Responses{response_code = 1: NamedResponseValue{name, ResponseValue{
 * response = 1: Response{description = 1, schema = 2: SchemaItem{schema = 1}}}}}. */
static void pb_responses(struct pb *b, int field, json_t *rs)
{
	static const char *const known[] = { "description", "schema", NULL };
	struct pb out = { 0 };
	const char *code;
	json_t *r;

	json_object_foreach(rs, code, r) {
		struct pb resp = { 0 }, value = { 0 }, named = { 0 }, item = { 0 };

		check_keys(r, known, "a v2 response");
		pb_str(&resp, 1, json_object_get(r, "description"));
		if (json_object_get(r, "schema")) {
			pb_schema_field(&item, 1, json_object_get(r, "schema"));
			pb_msg(&resp, 2, &item);
		}
		pb_exts(&resp, 5, r);
		pb_msg(&value, 1, &resp);
		pb_cstr(&named, 1, code);
		pb_msg(&named, 2, &value);
		pb_msg(&out, 1, &named);
	}
	pb_exts(&out, 2, rs);
	pb_msg(b, field, &out);
}

static void pb_op(struct pb *b, int field, json_t *op)
{
	static const char *const known[] = { "tags", "summary", "description", "operationId", "produces",
					     "consumes", "parameters", "responses", "schemes",
					     "deprecated", NULL };
	struct pb o = { 0 };
	json_t *p;
	size_t i;

	check_keys(op, known, "a v2 operation");
	pb_strs(&o, 1, json_object_get(op, "tags"));
	pb_str(&o, 2, json_object_get(op, "summary"));
	pb_str(&o, 3, json_object_get(op, "description"));
	pb_str(&o, 5, json_object_get(op, "operationId"));
	pb_strs(&o, 6, json_object_get(op, "produces"));
	pb_strs(&o, 7, json_object_get(op, "consumes"));
	json_array_foreach(json_object_get(op, "parameters"), i, p)
		pb_param(&o, 8, p);
	if (json_object_get(op, "responses"))
		pb_responses(&o, 9, json_object_get(op, "responses"));
	pb_strs(&o, 10, json_object_get(op, "schemes"));
	pb_bool(&o, 11, json_object_get(op, "deprecated"));
	pb_exts(&o, 13, op);
	pb_msg(b, field, &o);
}

/* Paths{path = 2: NamedPathItem{name, PathItem{get = 2, put, post, delete,
 * options, head, patch = 8, parameters = 9, vendor_extension = 10}}}. */
static void pb_paths(struct pb *b, int field, json_t *paths)
{
	struct pb out = { 0 };
	const char *name;
	json_t *pi, *p;
	size_t i;

	json_object_foreach(paths, name, pi) {
		struct pb item = { 0 }, named = { 0 };

		for (int m = 0; methods[m]; m++)
			if (json_object_get(pi, methods[m]))
				pb_op(&item, m + 2, json_object_get(pi, methods[m]));
		json_array_foreach(json_object_get(pi, "parameters"), i, p)
			pb_param(&item, 9, p);
		pb_exts(&item, 10, pi);
		pb_cstr(&named, 1, name);
		pb_msg(&named, 2, &item);
		pb_msg(&out, 2, &named);
	}
	pb_msg(b, field, &out);
}

/* security = 12: SecurityRequirement{NamedStringArray{name, StringArray}};
 * security_definitions = 13: SecurityDefinitions{NamedSecurityDefinitionsItem{
 * name, SecurityDefinitionsItem{api_key_security = 2}}}. */
static void pb_security(struct pb *b, json_t *doc)
{
	json_t *req, *v;
	const char *name;
	size_t i;

	json_array_foreach(json_object_get(doc, "security"), i, req) {
		struct pb sr = { 0 };

		json_object_foreach(req, name, v) {
			struct pb named = { 0 }, arr = { 0 };

			pb_cstr(&named, 1, name);
			pb_strs(&arr, 1, v);
			pb_msg(&named, 2, &arr);
			pb_msg(&sr, 1, &named);
		}
		pb_msg(b, 12, &sr);
	}
	if ((req = json_object_get(doc, "securityDefinitions"))) {
		struct pb defs = { 0 };

		json_object_foreach(req, name, v) {
			struct pb key = { 0 }, item = { 0 }, named = { 0 };

			if (strcmp(json_string_value(json_object_get(v, "type")), "apiKey"))
				die("security definition not of type apiKey:", name);
			pb_str(&key, 1, json_object_get(v, "type"));
			pb_str(&key, 2, json_object_get(v, "name"));
			pb_str(&key, 3, json_object_get(v, "in"));
			pb_str(&key, 4, json_object_get(v, "description"));
			pb_exts(&key, 5, v);
			pb_msg(&item, 2, &key);
			pb_cstr(&named, 1, name);
			pb_msg(&named, 2, &item);
			pb_msg(&defs, 1, &named);
		}
		pb_msg(b, 13, &defs);
	}
}

/* Document{swagger = 1, info = 2, paths = 8, definitions = 9, security = 12,
 * security_definitions = 13}. */
static struct pb pb_document(json_t *doc)
{
	static const char *const known[] = { "swagger", "info", "paths", "definitions", "security",
					     "securityDefinitions", NULL };
	json_t *info = json_object_get(doc, "info");
	struct pb b = { 0 }, sub = { 0 };

	check_keys(doc, known, "the v2 document");
	pb_str(&b, 1, json_object_get(doc, "swagger"));
	pb_str(&sub, 1, json_object_get(info, "title"));
	pb_str(&sub, 2, json_object_get(info, "version"));
	pb_msg(&b, 2, &sub);
	pb_paths(&b, 8, json_object_get(doc, "paths"));
	pb_named_schemas(&sub, 1, json_object_get(doc, "definitions"));
	pb_msg(&b, 9, &sub);
	pb_security(&b, doc);
	return b;
}

/* ---- output -------------------------------------------------------------- */

/* @p len bytes of @p raw as one gzip member (level 9), in *out. */
static size_t gzip(const void *raw, size_t len, unsigned char **out)
{
	z_stream z = { 0 };
	uLong cap;

	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2 failed", NULL);
	cap = deflateBound(&z, (uLong)len) + 64;
	*out = xrealloc(NULL, cap);
	z.next_in = (unsigned char *)raw;
	z.avail_in = (uInt)len;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		die("deflate did not finish", NULL);
	deflateEnd(&z);
	return z.total_out;
}

static void sha512_hex(const void *data, size_t len, char hex[129])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha512(), NULL) || n != 64)
		die("SHA-512 failed", NULL);
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
}

/* One kube_openapi_v2_blob named @p name holding @p raw gzip-compressed. */
static void write_blob(FILE *out, const char *name, const void *raw, size_t len)
{
	unsigned char *gz;
	size_t n = gzip(raw, len, &gz);

	fprintf(out, "static const unsigned char %s_gz[%zu] = {", name, n);
	for (size_t j = 0; j < n; j++)
		fprintf(out, "%s%u,", j % 24 ? "" : "\n", gz[j]);
	fprintf(out, "\n};\n\nconst struct kube_openapi_v2_blob kube__openapi_v2_%s = { %s_gz, %zu, %zu };\n\n",
		name, name, n, len);
	fprintf(stderr, "openapi_v2gen: %s: %zu bytes, %zu gzip-compressed\n", name, len, n);
	free(gz);
}

int main(int argc, char **argv)
{
	json_t *doc;
	char *text, hash[129];
	struct pb pb;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: openapi_v2gen OUT.c DOC.json...\n");
		return 2;
	}
	doc = build_v2(argc - 2, argv + 2);
	text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		die("cannot encode the v2 document", NULL);
	pb = pb_document(doc);
	sha512_hex(text, strlen(text), hash);
	out = fopen(argv[1], "w");
	if (!out)
		die("cannot write", argv[1]);
	fprintf(out, "/* Generated by tools/openapi_v2gen.c from the upstream OpenAPI v3 documents. */\n"
		     "#include \"core/api/openapi_v2.h\"\n\n");
	write_blob(out, "json", text, strlen(text));
	write_blob(out, "pb", pb.p, pb.len);
	fprintf(out, "const char kube__openapi_v2_etag[] = \"%s\";\n", hash);
	if (fclose(out))
		die("cannot write", argv[1]);
	free(pb.p);
	free(text);
	json_decref(doc);
	return 0;
}
