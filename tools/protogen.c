/*
 * protogen: turn the upstream Kubernetes generated.proto files (compiled by
 * protoc into a FileDescriptorSet) into the static C tables of
 * src/core/api/protobuf_table.h, so that libkube decodes protobuf request
 * bodies without protoc, libprotobuf or any parsing of .proto files at run
 * time.
 *
 *   protogen OUT.c DESCRIPTORS.pb POINTERS.txt [OPENAPI.json ...]
 *
 * DESCRIPTORS.pb is `protoc --descriptor_set_out=X --include_imports`.
 * The protobuf encoding of a Go object writes every non-pointer field, even
 * a zero one, while Go's JSON omits zero `omitempty` fields; the decoder
 * drops zero scalars unless the field is marked KEEP_ZERO, which it is when
 * the Go field is a pointer (listed in POINTERS.txt: lines
 * "<full message name> <field> [<field> ...]", '#' comments) or has no
 * omitempty (it is "required" in the OpenAPI documents). Every name in
 * POINTERS.txt must exist, so the list cannot silently go stale.
 *
 * The descriptor set is read with a small wire-format reader: the few
 * descriptor.proto fields used are numbered in the enums below.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

/* Field numbers of google/protobuf/descriptor.proto. */
enum { FDS_FILE = 1 };
enum { FILE_PACKAGE = 2, FILE_MESSAGE = 4 };
enum { MSG_NAME = 1, MSG_FIELD = 2, MSG_NESTED = 3, MSG_OPTIONS = 7 };
enum { MSGOPT_MAP_ENTRY = 7 };
enum { FLD_NAME = 1, FLD_NUMBER = 3, FLD_LABEL = 4, FLD_TYPE = 5, FLD_TYPE_NAME = 6 };
enum { LABEL_REPEATED = 3 };
enum { TYPE_MESSAGE = 11 };

/* Mirrors of core/api/protobuf_table.h; the generator builds on its own. */
enum { K_OBJECT, K_MAP_ENTRY, K_INT_OR_STRING, K_QUANTITY, K_TIME, K_MICRO_TIME,
       K_RAW_JSON, K_ITEMS };
#define F_REPEATED 0x1
#define F_KEEP_ZERO 0x2
#define F_INLINE 0x4

struct field {
	char *name, *json, *type_name; /* proto name, JSON name, ".pkg.Message" */
	uint32_t number;
	int type, flags, msg;
};

struct msg {
	char *name;
	struct field *fields;
	size_t nfields;
	int kind, api;
};

static struct msg *msgs;
static size_t nmsgs, capmsgs;
static json_t *defs; /* OpenAPI definition name -> its schema */

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "protogen: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory", NULL);
	return p;
}

/* --- wire format ------------------------------------------------------------ */

struct rd {
	const uint8_t *p, *end;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			die("truncated descriptor set", NULL);
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	die("bad varint in descriptor set", NULL);
	return 0;
}

/* The next field of a message: its number, and its value as a varint (*v) or
 * a length-delimited payload (*sub). Returns 0 at the end of the message. */
static int rd_next(struct rd *r, uint32_t *num, uint64_t *v, struct rd *sub)
{
	uint64_t tag;

	if (r->p >= r->end)
		return 0;
	tag = rd_varint(r);
	*num = (uint32_t)(tag >> 3);
	switch (tag & 7) {
	case 0:
		*v = rd_varint(r);
		break;
	case 1:
	case 5:
		if ((size_t)(r->end - r->p) < ((tag & 7) == 1 ? 8u : 4u))
			die("truncated descriptor set", NULL);
		r->p += (tag & 7) == 1 ? 8 : 4;
		*num = 0; /* no descriptor field used here is fixed-size */
		break;
	case 2:
		*v = rd_varint(r);
		if (*v > (uint64_t)(r->end - r->p))
			die("truncated descriptor set", NULL);
		sub->p = r->p;
		sub->end = r->p + *v;
		r->p += *v;
		break;
	default:
		die("unexpected wire type in descriptor set", NULL);
	}
	return 1;
}

static char *rd_str(const struct rd *s)
{
	size_t n = (size_t)(s->end - s->p);
	char *str = xrealloc(NULL, n + 1);

	memcpy(str, s->p, n);
	str[n] = '\0';
	return str;
}

/* --- descriptors ------------------------------------------------------------- */

static void parse_field(struct msg *m, struct rd r)
{
	struct field *f;
	struct rd sub;
	uint32_t num;
	uint64_t v;

	m->fields = xrealloc(m->fields, (m->nfields + 1) * sizeof(*m->fields));
	f = memset(&m->fields[m->nfields++], 0, sizeof(*f));
	f->msg = -1;
	while (rd_next(&r, &num, &v, &sub)) {
		if (num == FLD_NAME)
			f->name = rd_str(&sub);
		else if (num == FLD_NUMBER)
			f->number = (uint32_t)v;
		else if (num == FLD_LABEL && v == LABEL_REPEATED)
			f->flags |= F_REPEATED;
		else if (num == FLD_TYPE)
			f->type = (int)v;
		else if (num == FLD_TYPE_NAME)
			f->type_name = rd_str(&sub);
	}
	if (!f->name || !f->number || !f->type)
		die("incomplete field descriptor in", m->name);
}

static void parse_message(const char *scope, struct rd r)
{
	struct rd sub, name = { NULL, NULL };
	struct msg *m;
	size_t idx;
	uint32_t num;
	uint64_t v;

	for (struct rd s = r; rd_next(&s, &num, &v, &sub);)
		if (num == MSG_NAME)
			name = sub;
	if (!name.p)
		die("message without a name in", scope);
	if (nmsgs == capmsgs) {
		capmsgs = capmsgs ? 2 * capmsgs : 256;
		msgs = xrealloc(msgs, capmsgs * sizeof(*msgs));
	}
	idx = nmsgs++;
	m = memset(&msgs[idx], 0, sizeof(*m));
	m->name = xrealloc(NULL, strlen(scope) + (size_t)(name.end - name.p) + 2);
	sprintf(m->name, "%s.%.*s", scope, (int)(name.end - name.p), (const char *)name.p);
	while (rd_next(&r, &num, &v, &sub)) {
		if (num == MSG_FIELD) {
			parse_field(&msgs[idx], sub);
		} else if (num == MSG_NESTED) {
			char *outer = strdup(msgs[idx].name);
			parse_message(outer, sub); /* may move msgs */
			free(outer);
		} else if (num == MSG_OPTIONS) {
			struct rd o;
			uint32_t on;
			uint64_t ov;
			while (rd_next(&sub, &on, &ov, &o))
				if (on == MSGOPT_MAP_ENTRY && ov)
					msgs[idx].kind = K_MAP_ENTRY;
		}
	}
}

static void parse_file(struct rd r)
{
	struct rd sub;
	char *pkg = NULL;
	uint32_t num;
	uint64_t v;

	for (struct rd s = r; rd_next(&s, &num, &v, &sub);)
		if (num == FILE_PACKAGE)
			pkg = rd_str(&sub);
	if (!pkg)
		die("a file without a package", NULL);
	while (rd_next(&r, &num, &v, &sub))
		if (num == FILE_MESSAGE)
			parse_message(pkg, sub);
	free(pkg);
}

static void load_descriptors(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, got;
	struct rd r, sub;
	uint32_t num;
	uint64_t v;

	if (!f)
		die(path, strerror(errno));
	do {
		buf = xrealloc(buf, n + 65536);
		got = fread(buf + n, 1, 65536, f);
		n += got;
	} while (got > 0);
	fclose(f);
	r.p = buf;
	r.end = buf + n;
	while (rd_next(&r, &num, &v, &sub))
		if (num == FDS_FILE)
			parse_file(sub);
	free(buf);
}

/* --- resolution -------------------------------------------------------------- */

static int cmp_msg(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->name, ((const struct msg *)b)->name);
}

static int cmp_field(const void *a, const void *b)
{
	const struct field *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static int find_msg(const char *name)
{
	struct msg key = { .name = (char *)name };
	struct msg *m = bsearch(&key, msgs, nmsgs, sizeof(*msgs), cmp_msg);

	return m ? (int)(m - msgs) : -1;
}

static struct field *find_field(struct msg *m, const char *name)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (!strcmp(m->fields[i].name, name))
			return &m->fields[i];
	return NULL;
}

/* The Kubernetes types whose JSON form is not an object of their fields. */
static int special_kind(const struct msg *m)
{
	static const struct {
		const char *name;
		int kind;
	} table[] = {
		{ "k8s.io.apimachinery.pkg.util.intstr.IntOrString", K_INT_OR_STRING },
		{ "k8s.io.apimachinery.pkg.api.resource.Quantity", K_QUANTITY },
		{ "k8s.io.apimachinery.pkg.api.resource.QuantityValue", K_QUANTITY },
		{ "k8s.io.apimachinery.pkg.apis.meta.v1.Time", K_TIME },
		{ "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime", K_MICRO_TIME },
		{ "k8s.io.apimachinery.pkg.runtime.RawExtension", K_RAW_JSON },
		{ "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1", K_RAW_JSON },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(m->name, table[i].name))
			return table[i].kind;
	if (m->kind == K_MAP_ENTRY)
		return K_MAP_ENTRY;
	/* go-to-protobuf wraps named slice types (type ExtraValue []string)
	 * in a message whose only field is `repeated items`; List kinds also
	 * have metadata, so they never match. */
	if (m->nfields == 1 && !strcmp(m->fields[0].name, "items") &&
	    (m->fields[0].flags & F_REPEATED) && m->fields[0].type != TYPE_MESSAGE)
		return K_ITEMS;
	return K_OBJECT;
}

/* The OpenAPI definition of the same Go type, NULL if there is none. */
static json_t *openapi_def(const struct msg *m)
{
	static const char prefix[] = "k8s.io.";
	char def[512];

	if (strncmp(m->name, prefix, sizeof(prefix) - 1))
		return NULL;
	snprintf(def, sizeof(def), "io.k8s.%s", m->name + sizeof(prefix) - 1);
	return json_object_get(defs, def);
}

/*
 * Take JSON names and required fields from the OpenAPI definition of the
 * same type. go-to-protobuf names a field after its Go name with the first
 * letter lowered where that differs from the JSON tag (aPIGroup for
 * apiGroup, uID for uid), and an embedded struct (`json:",inline"`, e.g.
 * Volume.volumeSource) is a field of its own in protobuf but flattened into
 * the parent in JSON.
 */
static void apply_openapi(struct msg *m)
{
	json_t *def = openapi_def(m), *props, *v;
	const char *k;
	size_t i;

	for (i = 0; i < m->nfields; i++)
		m->fields[i].json = m->fields[i].name;
	props = json_object_get(def, "properties");
	if (!props)
		return;
	for (i = 0; i < m->nfields; i++) {
		struct field *f = &m->fields[i];
		if (json_object_get(props, f->name))
			continue;
		json_object_foreach(props, k, v)
			if (!strcasecmp(k, f->name))
				f->json = strdup(k);
		if (f->json != f->name)
			continue;
		if (f->type != TYPE_MESSAGE)
			die("a field without a JSON name", f->name);
		f->flags |= F_INLINE;
	}
	json_array_foreach(json_object_get(def, "required"), i, v) {
		for (size_t j = 0; j < m->nfields; j++)
			if (!strcmp(m->fields[j].json, json_string_value(v)))
				m->fields[j].flags |= F_KEEP_ZERO;
	}
}

static void load_pointers(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], *tok, *save;
	int lineno = 0;

	if (!f)
		die(path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		int mi;

		lineno++;
		if ((tok = strchr(line, '#')))
			*tok = '\0';
		if (!(tok = strtok_r(line, " \t\r\n", &save)))
			continue;
		if ((mi = find_msg(tok)) < 0) {
			fprintf(stderr, "protogen: %s:%d: ", path, lineno);
			die("no such message", tok);
		}
		while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
			struct field *fl = find_field(&msgs[mi], tok);
			if (!fl) {
				fprintf(stderr, "protogen: %s:%d: %s: ", path, lineno, msgs[mi].name);
				die("no such field", tok);
			}
			fl->flags |= F_KEEP_ZERO;
		}
	}
	fclose(f);
}

static void load_openapi(const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err), *schemas, *v;
	const char *k;

	if (!doc)
		die(path, err.text);
	schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	json_object_foreach(schemas, k, v)
		if (!json_object_get(defs, k))
			json_object_set(defs, k, v);
	json_decref(doc);
}

static void resolve(void)
{
	int meta;

	qsort(msgs, nmsgs, sizeof(*msgs), cmp_msg);
	meta = find_msg("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta");
	if (meta < 0)
		die("the descriptor set lacks meta.v1.ObjectMeta", NULL);
	for (size_t i = 0; i < nmsgs; i++) {
		struct msg *m = &msgs[i];
		struct field *md;

		if (m->nfields)
			qsort(m->fields, m->nfields, sizeof(*m->fields), cmp_field);
		for (size_t j = 0; j < m->nfields; j++) {
			struct field *f = &m->fields[j];
			if (f->type != TYPE_MESSAGE)
				continue;
			if (!f->type_name || (f->msg = find_msg(f->type_name + 1)) < 0)
				die("unresolved message type", f->type_name);
		}
		m->kind = special_kind(m);
		apply_openapi(m);
		md = find_field(m, "metadata");
		m->api = md && md->msg == meta;
	}
}

/* --- output ------------------------------------------------------------------ */

static void emit(FILE *f)
{
	size_t first = 0;

	fprintf(f, "const struct kube_proto_field kube__proto_fields[] = {\n");
	for (size_t i = 0; i < nmsgs; i++)
		for (size_t j = 0; j < msgs[i].nfields; j++) {
			const struct field *fl = &msgs[i].fields[j];
			fprintf(f, "\t{ \"%s\", \"%s\", %u, %d, %d, %d },\n", fl->json, fl->name,
				fl->number, fl->type, fl->flags, fl->msg);
		}
	fprintf(f, "\t{ NULL, NULL, 0, 0, 0, -1 },\n};\n\n"
		   "const struct kube_proto_msg kube__proto_msgs[] = {\n");
	for (size_t i = 0; i < nmsgs; i++) {
		fprintf(f, "\t{ \"%s\", %zu, %zu, %d, %d },\n", msgs[i].name, first,
			msgs[i].nfields, msgs[i].kind, msgs[i].api);
		first += msgs[i].nfields;
	}
	fprintf(f, "};\n\nconst int kube__proto_nmsgs = %zu;\n", nmsgs);
}

int main(int argc, char **argv)
{
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: protogen OUT.c DESCRIPTORS.pb POINTERS.txt [OPENAPI.json...]\n");
		return 2;
	}
	defs = json_object();
	load_descriptors(argv[2]);
	for (int i = 4; i < argc; i++)
		load_openapi(argv[i]);
	resolve();
	if (nmsgs > INT16_MAX)
		die("too many message types for the table layout", NULL);
	load_pointers(argv[3]);
	f = fopen(argv[1], "w");
	if (!f)
		die(argv[1], strerror(errno));
	fprintf(f, "/* Generated by tools/protogen from %s. Do not edit. */\n"
		   "#include <stddef.h>\n#include \"core/api/protobuf_table.h\"\n\n", argv[2]);
	emit(f);
	if (fclose(f) != 0)
		die(argv[1], strerror(errno));
	return 0;
}
