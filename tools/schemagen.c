/*
 * schemagen: turn the upstream OpenAPI v3 documents into the static C tables
 * of src/core/schema_table.h, so that libkube never parses a schema at run
 * time.
 *
 *   schemagen OUT.c DOC1.json [DOC2.json ...]
 *
 * Every definition under components.schemas of every document becomes one
 * node (definitions found in several documents are taken once, from the
 * first); inline schemas of properties, items and additionalProperties
 * become further nodes, shared when identical. The output depends only on
 * the documents' content, never on the order of hash iteration.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

/* Mirrors of the run-time enums (core/schema.h, core/schema_table.h);
 * the generator does not include libkube headers so it builds on its own. */
enum { T_ANY, T_OBJECT, T_MAP, T_ARRAY, T_STRING, T_INTEGER, T_NUMBER, T_BOOLEAN,
       T_INT_OR_STRING, T_QUANTITY, T_TIME };
enum { F_NONE, F_INT32, F_INT64, F_DATE_TIME, F_BYTE, F_DOUBLE };
#define FL_PRESERVE 0x1
#define FL_INT_OR_STRING 0x2

struct node {
	int type, format, flags, ref, items;
	uint32_t name, merge_key, strategy, list_type;
	int map_keys;
	uint32_t props, nprops, required, nrequired;
};

struct prop {
	uint32_t name;
	int node;
};

/* A growable array of fixed-size elements. */
struct vec {
	void *v;
	size_t n, cap, size;
};

static void *vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 256;
		a->v = realloc(a->v, a->cap * a->size);
		if (!a->v) {
			perror("schemagen");
			exit(1);
		}
	}
	return memset((char *)a->v + a->n++ * a->size, 0, a->size);
}

#define VEC(type) { NULL, 0, 0, sizeof(type) }
#define AT(a, type, i) (((type *)(a).v)[i])

static struct vec pool = VEC(char);       /* string bytes */
static struct vec nodes = VEC(struct node);
static struct vec props = VEC(struct prop);
static struct vec required = VEC(uint32_t);
static struct vec keys = VEC(int64_t);    /* string offsets, -1 for the NULL terminator */
static json_t *strtab;                    /* string -> offset */
static json_t *defs;                      /* name -> schema, merged from all documents */
static const char **names;                /* definition names, sorted */
static size_t ndefs;

/* The offset of @p s in the string pool, adding it on first use. */
static uint32_t str(const char *s)
{
	json_t *o;
	size_t len, i;
	uint32_t off;

	if (!s || !*s)
		return 0;
	o = json_object_get(strtab, s);
	if (o)
		return (uint32_t)json_integer_value(o);
	off = (uint32_t)pool.n;
	len = strlen(s);
	for (i = 0; i <= len; i++)
		*(char *)vec_push(&pool) = s[i];
	json_object_set_new(strtab, s, json_integer(off));
	return off;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index of definition @p name, or -1 (exits: a dangling $ref is a broken document). */
static int def_index(const char *name)
{
	const char **p = bsearch(&name, names, ndefs, sizeof(*names), cmp_str);

	if (!p) {
		fprintf(stderr, "schemagen: $ref to unknown definition %s\n", name);
		exit(1);
	}
	return (int)(p - names);
}

/* "$ref" directly or as the only element of allOf (the v3 documents wrap refs
 * that way to attach a description or default). */
static const char *ref_of(const json_t *s)
{
	const char *r = json_string_value(json_object_get(s, "$ref"));
	const json_t *all = json_object_get(s, "allOf");

	if (!r && json_array_size(all) == 1)
		r = json_string_value(json_object_get(json_array_get(all, 0), "$ref"));
	if (r && strncmp(r, "#/components/schemas/", 21) == 0)
		return r + 21;
	return r;
}

/* Definitions the API server decodes with their own unmarshalers. */
static const struct { const char *name; int type; } special[] = {
	{ "io.k8s.apimachinery.pkg.util.intstr.IntOrString", T_INT_OR_STRING },
	{ "io.k8s.apimachinery.pkg.api.resource.Quantity", T_QUANTITY },
	{ "io.k8s.apimachinery.pkg.apis.meta.v1.Time", T_TIME },
	{ "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", T_TIME },
	{ "io.k8s.apimachinery.pkg.runtime.RawExtension", T_ANY },
	{ "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON", T_ANY },
	{ "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", T_ANY },
	{ "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", T_ANY },
};

static int special_type(const char *name)
{
	for (size_t i = 0; name && i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(special[i].name, name) == 0)
			return special[i].type;
	return -1;
}

static int format_of(const json_t *s)
{
	static const char *const fmts[] = { "", "int32", "int64", "date-time", "byte", "double" };
	const char *f = json_string_value(json_object_get(s, "format"));

	for (int i = 1; f && i < (int)(sizeof(fmts) / sizeof(fmts[0])); i++)
		if (strcmp(f, fmts[i]) == 0)
			return i;
	return F_NONE;
}

/* The type of a schema without $ref. */
static int type_of(const json_t *s)
{
	const char *t = json_string_value(json_object_get(s, "type"));
	const json_t *ap = json_object_get(s, "additionalProperties");

	if (json_is_true(json_object_get(s, "x-kubernetes-int-or-string")))
		return T_INT_OR_STRING;
	if (json_is_true(json_object_get(s, "x-kubernetes-preserve-unknown-fields")) &&
	    !json_object_get(s, "properties"))
		return T_ANY;
	if (!t)
		return T_ANY;
	if (strcmp(t, "object") == 0)
		return !json_object_get(s, "properties") && (json_is_object(ap) || json_is_true(ap))
		       ? T_MAP : T_OBJECT;
	if (strcmp(t, "array") == 0)
		return T_ARRAY;
	if (strcmp(t, "string") == 0)
		return T_STRING;
	if (strcmp(t, "integer") == 0)
		return T_INTEGER;
	if (strcmp(t, "number") == 0)
		return T_NUMBER;
	if (strcmp(t, "boolean") == 0)
		return T_BOOLEAN;
	return T_ANY;
}

static int def_type(const char *name)
{
	int t = special_type(name);

	return t >= 0 ? t : type_of(json_object_get(defs, name));
}

/* x-kubernetes-list-map-keys as a NULL-terminated run in keys, or -1. */
static int map_keys_of(const json_t *s)
{
	const json_t *a = json_object_get(s, "x-kubernetes-list-map-keys"), *k;
	size_t i;
	int first = (int)keys.n;

	if (!json_array_size(a))
		return -1;
	json_array_foreach(a, i, k)
		*(int64_t *)vec_push(&keys) = str(json_string_value(k));
	*(int64_t *)vec_push(&keys) = -1;
	return first;
}

static int build(const json_t *s);

/* Properties in name order, each with its schema node. */
static void build_props(struct node *n, const json_t *s)
{
	const json_t *p = json_object_get(s, "properties"), *r;
	const char **pn;
	const char *k;
	json_t *v;
	size_t i = 0, cnt = json_object_size(p);
	int *child;

	pn = calloc(cnt + 1, sizeof(*pn));
	child = calloc(cnt + 1, sizeof(*child));
	json_object_foreach((json_t *)p, k, v)
		pn[i++] = k;
	qsort(pn, cnt, sizeof(*pn), cmp_str);
	for (i = 0; i < cnt; i++)
		child[i] = build(json_object_get(p, pn[i]));
	n->props = (uint32_t)props.n;
	n->nprops = (uint32_t)cnt;
	for (i = 0; i < cnt; i++) {
		struct prop *e = vec_push(&props);

		e->name = str(pn[i]);
		e->node = child[i];
	}
	n->required = (uint32_t)required.n;
	json_array_foreach(json_object_get(s, "required"), i, r) {
		*(uint32_t *)vec_push(&required) = str(json_string_value(r));
		n->nrequired++;
	}
	free(pn);
	free(child);
}

/* Fill @p n from schema @p s; children are built first. */
static void fill(struct node *n, const json_t *s)
{
	const char *ref = ref_of(s);
	const json_t *items = json_object_get(s, "items");
	const json_t *ap = json_object_get(s, "additionalProperties");

	n->ref = ref ? def_index(ref) : -1;
	n->type = ref ? def_type(ref) : type_of(s);
	n->format = format_of(s);
	n->flags = (json_is_true(json_object_get(s, "x-kubernetes-preserve-unknown-fields")) ?
		    FL_PRESERVE : 0) |
		   (json_is_true(json_object_get(s, "x-kubernetes-int-or-string")) ?
		    FL_INT_OR_STRING : 0);
	n->merge_key = str(json_string_value(json_object_get(s, "x-kubernetes-patch-merge-key")));
	n->strategy = str(json_string_value(json_object_get(s, "x-kubernetes-patch-strategy")));
	n->list_type = str(json_string_value(json_object_get(s, "x-kubernetes-list-type")));
	n->map_keys = map_keys_of(s);
	n->items = -1;
	if (ref)
		return;
	if (n->type == T_ARRAY && json_is_object(items))
		n->items = build(items);
	else if (n->type == T_MAP)
		n->items = json_is_object(ap) ? build(ap) : build(NULL);
	if (n->type == T_OBJECT)
		build_props(n, s);
}

/* Identical inline nodes are shared: key is the node's fields as text. */
static json_t *shared;

static int build(const json_t *s)
{
	static const json_t *empty;
	struct node n;
	char key[160];
	json_t *hit;

	if (!s)
		s = empty ? empty : (empty = json_object());
	memset(&n, 0, sizeof(n));
	fill(&n, s);
	snprintf(key, sizeof(key), "%d/%d/%d/%d/%d/%u/%u/%u/%d/%u/%u/%u/%u", n.type, n.format,
		 n.flags, n.ref, n.items, n.merge_key, n.strategy, n.list_type, n.map_keys,
		 n.props, n.nprops, n.required, n.nrequired);
	hit = json_object_get(shared, key);
	if (hit && n.map_keys < 0)
		return (int)json_integer_value(hit);
	*(struct node *)vec_push(&nodes) = n;
	json_object_set_new(shared, key, json_integer((json_int_t)nodes.n - 1));
	return (int)nodes.n - 1;
}

static void load(const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err), *schemas, *v;
	const char *k;

	if (!doc) {
		fprintf(stderr, "schemagen: %s:%d: %s\n", path, err.line, err.text);
		exit(1);
	}
	schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	json_object_foreach(schemas, k, v)
		if (!json_object_get(defs, k))
			json_object_set(defs, k, v);
	json_decref(doc);
}

/* Definitions take nodes 0..ndefs-1 in name order; inline nodes follow. */
static void build_defs(void)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	ndefs = json_object_size(defs);
	names = calloc(ndefs + 1, sizeof(*names));
	json_object_foreach(defs, k, v)
		names[i++] = k;
	qsort(names, ndefs, sizeof(*names), cmp_str);
	for (i = 0; i < ndefs; i++)
		vec_push(&nodes);
	for (i = 0; i < ndefs; i++) {
		struct node n;
		int st = special_type(names[i]);

		memset(&n, 0, sizeof(n));
		if (st >= 0) {
			n.type = st;
			n.ref = n.items = n.map_keys = -1;
		} else {
			fill(&n, json_object_get(defs, names[i]));
		}
		n.name = str(names[i]);
		AT(nodes, struct node, i) = n;
	}
}

static void emit_strings(FILE *f)
{
	size_t i = 0;

	fprintf(f, "const char kube__schema_strings[] =\n");
	while (i < pool.n) {
		const char *s = &AT(pool, char, i);

		fputs("\t\"", f);
		for (const char *c = s; *c; c++)
			fprintf(f, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
		fputs("\\0\"\n", f);
		i += strlen(s) + 1;
	}
	fprintf(f, "\t;\n\n");
}

static void emit_nodes(FILE *f)
{
	fprintf(f, "const int kube__schema_ndefs = %zu;\n\n", ndefs);
	fprintf(f, "const struct kube_schema kube__schema_nodes[] = {\n");
	for (size_t i = 0; i < nodes.n; i++) {
		const struct node *n = &AT(nodes, struct node, i);

		fprintf(f, "\t{ %d, %d, %d, %d, %d, %u, %u, %u, %u, %d, %u, %u, %u, %u },\n",
			n->type, n->format, n->flags, n->ref, n->items, n->name, n->merge_key,
			n->strategy, n->list_type, n->map_keys, n->props, n->nprops,
			n->required, n->nrequired);
	}
	fprintf(f, "};\n\n");
}

static void emit_rest(FILE *f)
{
	size_t i;

	fprintf(f, "const struct kube_schema_prop kube__schema_props[] = {\n");
	for (i = 0; i < props.n; i++)
		fprintf(f, "\t{ %u, %d },\n", AT(props, struct prop, i).name,
			AT(props, struct prop, i).node);
	fprintf(f, "\t{ 0, -1 },\n};\n\nconst uint32_t kube__schema_required[] = {\n");
	for (i = 0; i < required.n; i++)
		fprintf(f, "\t%u,\n", AT(required, uint32_t, i));
	fprintf(f, "\t0,\n};\n\nconst char *const kube__schema_keys[] = {\n");
	for (i = 0; i < keys.n; i++) {
		int64_t k = AT(keys, int64_t, i);

		if (k < 0)
			fprintf(f, "\tNULL,\n");
		else
			fprintf(f, "\tkube__schema_strings + %lld,\n", (long long)k);
	}
	fprintf(f, "\tNULL,\n};\n");
}

int main(int argc, char **argv)
{
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: schemagen OUT.c DOC.json...\n");
		return 2;
	}
	strtab = json_object();
	defs = json_object();
	shared = json_object();
	*(char *)vec_push(&pool) = '\0'; /* offset 0 is "" */
	for (int i = 2; i < argc; i++)
		load(argv[i]);
	build_defs();
	f = fopen(argv[1], "w");
	if (!f) {
		fprintf(stderr, "schemagen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fprintf(f, "/* Generated by tools/schemagen from %d OpenAPI documents. Do not edit. */\n"
		   "#include <stddef.h>\n#include \"core/schema_table.h\"\n\n", argc - 2);
	emit_strings(f);
	emit_nodes(f);
	emit_rest(f);
	if (fclose(f) != 0) {
		fprintf(stderr, "schemagen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
