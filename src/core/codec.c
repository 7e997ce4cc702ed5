/*
 * YAML and JSON text -> JSON trees, read the way Kubernetes reads them.
 *
 * YAML goes through libyaml's event API rather than its document API
 * because only events say whether a scalar carried an explicit tag
 * (`!!str 80` must stay a string, plain `80` must not). The tree is built
 * with an explicit stack, so nesting depth costs no C stack. Scalars
 * resolve as go-yaml v2 does (codec_scalar.c); aliases expand to copies;
 * `<<` merges follow the YAML merge-key spec (explicit keys win, earlier
 * merge sources win over later ones); duplicate keys are an error, as in
 * sigs.k8s.io/yaml's strict mode.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/codec.h"
#include "core/codec_int.h"
#include "core/status.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define MAX_DEPTH 10000

struct frame {
	json_t *node;        /* object or array under construction */
	json_t *key;         /* mapping: the key awaiting its value, or NULL */
	yaml_mark_t key_mark;/* mapping: where that key starts */
	bool merge;          /* mapping: the pending key is `<<` */
	json_t *merges;      /* mapping: `<<` sources, applied at the end */
	char *anchor;        /* anchor to define when the node ends, or NULL */
	size_t start;        /* nodes decoded before this one (alias accounting) */
	yaml_mark_t mark;    /* where the collection starts, for errors */
};

struct anchor {
	char *name;    /* anchor name */
	json_t *value; /* NULL while the anchored node is still open */
	size_t size;   /* nodes in the anchored value */
};

struct builder {
	struct frame *stack;     /* open collections, innermost last */
	int depth, cap;
	struct anchor *anchors;  /* this document's anchors */
	size_t nanchors, acap;
	json_t *root;            /* the finished document node */
	size_t decoded, aliased; /* go-yaml's decodeCount / aliasCount */
	char err[512];           /* "yaml: line L, column C: ..." on failure */
};

static int fail_at(struct builder *b, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct builder *b, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(b->err, sizeof(b->err), "yaml: line %zu, column %zu: ",
			 m.line + 1, m.column + 1);

	va_start(ap, fmt);
	vsnprintf(b->err + n, sizeof(b->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* go-yaml's shortTag: "tag:yaml.org,2002:int" -> "!!int". */
static void short_tag(const char *tag, char *out, size_t len)
{
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0)
		snprintf(out, len, "!!%s", tag + strlen(TAG_PREFIX));
	else
		snprintf(out, len, "%s", tag);
}

static const char *type_tag(enum codec_type t)
{
	switch (t) {
	case CODEC_NULL: return "!!null";
	case CODEC_BOOL: return "!!bool";
	case CODEC_INT: case CODEC_UINT: return "!!int";
	case CODEC_FLOAT: return "!!float";
	case CODEC_TIMESTAMP: return "!!timestamp";
	default: return "!!str";
	}
}

/* A float as sigs.k8s.io/yaml's JSON shows it: integral values print as
 * integers there ("1.0" becomes 1), so they become JSON integers here. */
static json_t *float_json(struct builder *b, yaml_mark_t m, double f)
{
	if (isnan(f) || isinf(f)) {
		fail_at(b, m, "json: unsupported value: %s",
			isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
		return NULL;
	}
	if (f == floor(f) && fabs(f) < 9.2e18)
		return json_integer((json_int_t)f);
	return json_real(f);
}

static json_t *scalar_json(struct builder *b, yaml_mark_t m, const struct codec_scalar *r,
			   const char *s, size_t len)
{
	switch (r->type) {
	case CODEC_NULL: return json_null();
	case CODEC_BOOL: return json_boolean(r->b);
	case CODEC_INT: return json_integer(r->i);
	case CODEC_UINT: return json_real((double)r->u);
	case CODEC_FLOAT: return float_json(b, m, r->f);
	default: return json_stringn(s, len);
	}
}

static int base64_value(unsigned char c)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(set, c) : NULL;

	return p ? (int)(p - set) : -1;
}

/* !!binary: Go's base64.StdEncoding, which skips line breaks. */
static json_t *binary_json(struct builder *b, yaml_mark_t m, const char *s, size_t len)
{
	char *text = malloc(len + 1), *out = malloc(len / 4 * 3 + 3);
	size_t n = 0, o = 0;
	json_t *v = NULL;

	if (!text || !out)
		goto cleanup;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\r' && s[i] != '\n')
			text[n++] = s[i];
	if (n % 4 != 0)
		goto bad;
	for (size_t i = 0; i < n; i += 4) {
		int d[4];
		for (int k = 0; k < 4; k++) {
			bool last = i + 4 == n;
			d[k] = base64_value((unsigned char)text[i + k]);
			if (text[i + k] == '=' && last && k >= 2 && (k == 3 || text[i + 3] == '='))
				d[k] = -2;
			else if (d[k] < 0)
				goto bad;
		}
		out[o++] = (char)(d[0] << 2 | d[1] >> 4);
		if (d[2] >= 0)
			out[o++] = (char)((d[1] & 0xf) << 4 | d[2] >> 2);
		if (d[2] >= 0 && d[3] >= 0)
			out[o++] = (char)((d[2] & 0x3) << 6 | d[3]);
		else if (d[2] < 0 && d[3] >= 0)
			goto bad;
	}
	/* JSON strings are UTF-8; arbitrary bytes have no JSON form */
	if (!(v = json_stringn(out, o)))
		fail_at(b, m, "!!binary value is not valid UTF-8");
	goto cleanup;
bad:
	fail_at(b, m, "!!binary value contains invalid base64 data");
cleanup:
	free(text);
	free(out);
	return v;
}

/* A scalar with an explicit tag: go-yaml resolves it as plain and then
 * requires the result to be of the tag's type (ints may become floats). */
static json_t *tagged_json(struct builder *b, const yaml_event_t *ev, const char *tag)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct codec_scalar r;
	char want[128];

	if (strcmp(tag, "!") == 0 || strcmp(tag, TAG_PREFIX "str") == 0 ||
	    strcmp(tag, TAG_PREFIX "timestamp") == 0)
		return json_stringn(s, len);
	if (strcmp(tag, TAG_PREFIX "binary") == 0)
		return binary_json(b, ev->start_mark, s, len);
	codec_resolve_plain(s, len, &r);
	short_tag(tag, want, sizeof(want));
	if (strcmp(want, "!!float") == 0 && r.type == CODEC_INT) {
		r.type = CODEC_FLOAT;
		r.f = (double)r.i;
	}
	if (strcmp(want, type_tag(r.type)) != 0 || r.type == CODEC_STR) {
		fail_at(b, ev->start_mark, "cannot decode %s `%.*s` as a %s",
			type_tag(r.type), (int)(len > 64 ? 64 : len), s, want);
		return NULL;
	}
	return scalar_json(b, ev->start_mark, &r, s, len);
}

static json_t *scalar_event_json(struct builder *b, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	struct codec_scalar r;

	if (tag)
		return tagged_json(b, ev, tag);
	if (!ev->data.scalar.plain_implicit)
		return json_stringn(s, len);
	codec_resolve_plain(s, len, &r);
	return scalar_json(b, ev->start_mark, &r, s, len);
}

/* The map key text sigs.k8s.io/yaml gives a non-string key. */
static json_t *key_string(struct builder *b, yaml_mark_t m, const json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_stringn(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(buf);
	case JSON_REAL:
		codec_format_float(json_real_value(v), 'g', 32, buf);
		return json_string(buf);
	case JSON_TRUE:
	case JSON_FALSE:
		return json_string(json_is_true(v) ? "true" : "false");
	default:
		fail_at(b, m, "unsupported map key of type %s",
			json_is_null(v) ? "null" : json_is_object(v) ? "map" : "sequence");
		return NULL;
	}
}

static struct anchor *find_anchor(struct builder *b, const char *name)
{
	for (size_t i = b->nanchors; i-- > 0;)
		if (strcmp(b->anchors[i].name, name) == 0)
			return &b->anchors[i];
	return NULL;
}

/* Open (value NULL) or redefine an anchor; later definitions shadow. */
static int anchor_open(struct builder *b, yaml_mark_t m, const char *name)
{
	if (b->nanchors == b->acap) {
		size_t cap = b->acap ? b->acap * 2 : 8;
		struct anchor *a = realloc(b->anchors, cap * sizeof(*a));
		if (!a)
			return fail_at(b, m, "out of memory");
		b->anchors = a;
		b->acap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return fail_at(b, m, "out of memory");
	b->anchors[b->nanchors++] = (struct anchor){copy, NULL, 0};
	return 0;
}

static void anchor_close(struct builder *b, const char *name, json_t *v, size_t size)
{
	struct anchor *a = find_anchor(b, name);

	a->value = json_incref(v);
	a->size = size;
}

static void anchors_clear(struct builder *b)
{
	for (size_t i = 0; i < b->nanchors; i++) {
		free(b->anchors[i].name);
		json_decref(b->anchors[i].value);
	}
	b->nanchors = 0;
}

/* go-yaml v2's guard against alias bombs ("billion laughs"). */
static bool excessive_aliasing(const struct builder *b)
{
	double ratio, d = (double)b->decoded;

	if (b->aliased <= 100 || b->decoded <= 1000)
		return false;
	if (d <= 400000)
		ratio = 0.99;
	else if (d >= 4000000)
		ratio = 0.10;
	else
		ratio = 0.99 - 0.89 * ((d - 400000) / (4000000 - 400000));
	return (double)b->aliased / d > ratio;
}

/* Merge the `<<` sources into @p obj: only keys it does not have yet. */
static int apply_merges(struct builder *b, yaml_mark_t m, json_t *obj, json_t *merges)
{
	size_t i;
	json_t *src;

	json_array_foreach(merges, i, src) {
		const char *k;
		json_t *v;
		json_object_foreach(src, k, v) {
			if (!json_object_get(obj, k) && json_object_set(obj, k, v) != 0)
				return fail_at(b, m, "out of memory");
		}
	}
	return 0;
}

/* Record a `<<` value: a mapping or a sequence of mappings. */
static int add_merge(struct builder *b, struct frame *f, yaml_mark_t m, json_t *v)
{
	size_t i;
	json_t *e;

	if (!f->merges && !(f->merges = json_array()))
		return fail_at(b, m, "out of memory");
	if (json_is_object(v))
		return json_array_append(f->merges, v) == 0 ? 0 : fail_at(b, m, "out of memory");
	if (!json_is_array(v))
		goto bad;
	json_array_foreach(v, i, e) {
		if (!json_is_object(e))
			goto bad;
		if (json_array_append(f->merges, e) != 0)
			return fail_at(b, m, "out of memory");
	}
	return 0;
bad:
	return fail_at(b, m, "map merge requires map or sequence of maps as the value");
}

/* A finished key or value goes into the mapping frame @p f (steals v). */
static int mapping_add(struct builder *b, struct frame *f, yaml_mark_t m, json_t *v, bool merge_key)
{
	int rc = 0;

	if (!f->key) {
		if (merge_key) {
			f->merge = true;
			f->key = json_string("<<");
		} else if ((f->key = key_string(b, m, v))) {
			if (json_object_get(f->node, json_string_value(f->key)))
				rc = fail_at(b, m, "key \"%s\" already set in map",
					     json_string_value(f->key));
		} else {
			rc = -1;
		}
		f->key_mark = m;
		json_decref(v);
		return rc;
	}
	if (f->merge)
		rc = add_merge(b, f, m, v);
	else if (json_object_set(f->node, json_string_value(f->key), v) != 0)
		rc = fail_at(b, m, "out of memory");
	json_decref(v);
	json_decref(f->key);
	f->key = NULL;
	f->merge = false;
	return rc;
}

/* A node is complete: define its anchor and hand it to its parent (steals v). */
static int node_done(struct builder *b, yaml_mark_t m, json_t *v, const char *anchor,
		     size_t start, bool merge_key)
{
	if (!v)
		return b->err[0] ? -1 : fail_at(b, m, "out of memory");
	b->decoded++;
	if (anchor)
		anchor_close(b, anchor, v, b->decoded - start);
	if (b->depth == 0) {
		b->root = v;
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (json_is_array(f->node)) {
		int rc = json_array_append_new(f->node, v);
		return rc == 0 ? 0 : fail_at(b, m, "out of memory");
	}
	return mapping_add(b, f, m, v, merge_key);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const char *anchor = (const char *)ev->data.scalar.anchor;
	const char *tag = (const char *)ev->data.scalar.tag;
	bool merge = ev->data.scalar.length == 2 && memcmp(ev->data.scalar.value, "<<", 2) == 0 &&
		     (tag ? strcmp(tag, TAG_PREFIX "merge") == 0 : ev->data.scalar.plain_implicit);
	json_t *v;

	if (anchor && anchor_open(b, ev->start_mark, anchor) != 0)
		return -1;
	if (merge) {
		struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
		/* `<<` only merges in key position; elsewhere it is the string */
		merge = f && json_is_object(f->node) && !f->key;
	}
	v = merge ? json_null() : scalar_event_json(b, ev);
	return node_done(b, ev->start_mark, v, anchor, b->decoded, merge);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = find_anchor(b, name);

	if (!a)
		return fail_at(b, ev->start_mark, "unknown anchor '%s' referenced", name);
	if (!a->value)
		return fail_at(b, ev->start_mark, "anchor '%s' value contains itself", name);
	b->decoded += a->size - 1;
	b->aliased += a->size;
	if (excessive_aliasing(b))
		return fail_at(b, ev->start_mark, "document contains excessive aliasing");
	return node_done(b, ev->start_mark, json_deep_copy(a->value), NULL, b->decoded, false);
}

static int on_collection_start(struct builder *b, const yaml_event_t *ev, bool mapping)
{
	const char *anchor = (const char *)(mapping ? ev->data.mapping_start.anchor
						    : ev->data.sequence_start.anchor);

	if (b->depth >= MAX_DEPTH)
		return fail_at(b, ev->start_mark, "exceeded max depth of %d", MAX_DEPTH);
	if (b->depth == b->cap) {
		int cap = b->cap ? b->cap * 2 : 16;
		struct frame *s = realloc(b->stack, (size_t)cap * sizeof(*s));
		if (!s)
			return fail_at(b, ev->start_mark, "out of memory");
		b->stack = s;
		b->cap = cap;
	}
	if (anchor && anchor_open(b, ev->start_mark, anchor) != 0)
		return -1;
	struct frame *f = &b->stack[b->depth];
	*f = (struct frame){.node = mapping ? json_object() : json_array(),
			       .start = b->decoded, .mark = ev->start_mark};
	if (anchor && !(f->anchor = strdup(anchor)))
		return fail_at(b, ev->start_mark, "out of memory");
	b->depth++;
	return f->node ? 0 : fail_at(b, ev->start_mark, "out of memory");
}

static void frame_release(struct frame *f)
{
	json_decref(f->node);
	json_decref(f->key);
	json_decref(f->merges);
	free(f->anchor);
}

static int on_collection_end(struct builder *b, const yaml_event_t *ev)
{
	struct frame f = b->stack[--b->depth];
	int rc = 0;

	if (f.merges)
		rc = apply_merges(b, ev->start_mark, f.node, f.merges);
	if (rc == 0)
		rc = node_done(b, f.mark, json_incref(f.node), f.anchor, f.start, false);
	frame_release(&f);
	return rc;
}

static void builder_reset(struct builder *b)
{
	while (b->depth > 0)
		frame_release(&b->stack[--b->depth]);
	anchors_clear(b);
	json_decref(b->root);
	b->root = NULL;
	b->decoded = b->aliased = 0;
}

static void builder_free(struct builder *b)
{
	builder_reset(b);
	free(b->stack);
	free(b->anchors);
}

/* The "line N" go-yaml prints for a libyaml error (1-based for scanner
 * errors, the 0-based mark line for parser errors: upstream's quirk, kept
 * so messages match kubectl), plus a 1-based column. */
static void parser_error(const yaml_parser_t *p, const char *text, char *out, size_t len)
{
	const char *problem = p->problem ? p->problem : "unknown problem parsing YAML content";
	size_t line = 0, col;

	if (p->error == YAML_READER_ERROR) {
		size_t bol = 0;
		line = 1;
		for (size_t i = 0; i < p->problem_offset; i++)
			if (text[i] == '\n') {
				line++;
				bol = i + 1;
			}
		col = p->problem_offset - bol + 1;
	} else {
		if (p->problem_mark.line != 0)
			line = p->problem_mark.line + (p->error == YAML_SCANNER_ERROR);
		else if (p->context_mark.line != 0)
			line = p->context_mark.line;
		if (line == 0)
			line = p->problem_mark.line + 1;
		col = p->problem_mark.column + 1;
	}
	snprintf(out, len, "yaml: line %zu, column %zu: %s", line, col, problem);
}

/* Append a document, expanding a List (any kind ending in "List" that has
 * an items array) into its items, as kubectl's resource builder does. */
static int add_doc(json_t *docs, json_t *doc)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	json_t *items = json_object_get(doc, "items"), *item;
	size_t n = kind ? strlen(kind) : 0, i;

	if (n < 4 || strcmp(kind + n - 4, "List") != 0 || !json_is_array(items))
		return json_array_append(docs, doc);
	json_array_foreach(items, i, item) {
		if (add_doc(docs, item) != 0)
			return -1;
	}
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev, json_t *docs)
{
	int rc = 0;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		builder_reset(b);
		break;
	case YAML_DOCUMENT_END_EVENT:
		/* a document of only comments is null: kubectl skips it */
		if (b->root && !json_is_null(b->root) && add_doc(docs, b->root) != 0)
			rc = fail_at(b, ev->start_mark, "out of memory");
		builder_reset(b);
		break;
	case YAML_SCALAR_EVENT:
		rc = on_scalar(b, ev);
		break;
	case YAML_ALIAS_EVENT:
		rc = on_alias(b, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		rc = on_collection_start(b, ev, ev->type == YAML_MAPPING_START_EVENT);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		rc = on_collection_end(b, ev);
		break;
	default:
		break;
	}
	return rc;
}

static int parse_yaml(const char *text, size_t len, json_t *docs, char *err, size_t errlen)
{
	struct builder b = {0};
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = 0;
	bool end = false;

	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (rc == 0 && !end) {
		if (!yaml_parser_parse(&p, &ev)) {
			parser_error(&p, text, err, errlen);
			rc = -1;
			break;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		if ((rc = on_event(&b, &ev, docs)) != 0)
			snprintf(err, errlen, "%s", b.err);
		yaml_event_delete(&ev);
	}
	builder_free(&b);
	yaml_parser_delete(&p);
	return rc;
}

/* JSON "1.0" is the float 1 to Go, which prints it back as 1; keep JSON
 * input consistent with YAML input by making integral reals integers. */
static void integral_reals(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			if (json_is_real(e) && json_real_value(e) == floor(json_real_value(e)) &&
			    fabs(json_real_value(e)) < 9.2e18)
				json_object_set_new(v, k, json_integer((json_int_t)json_real_value(e)));
			else
				integral_reals(e);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_real(e) && json_real_value(e) == floor(json_real_value(e)) &&
			    fabs(json_real_value(e)) < 9.2e18)
				json_array_set_new(v, i, json_integer((json_int_t)json_real_value(e)));
			else
				integral_reals(e);
		}
	}
}

static size_t skip_space(const char *text, size_t off, size_t len)
{
	while (off < len && isspace((unsigned char)text[off]))
		off++;
	return off;
}

/* One or more concatenated JSON values (as kubectl's JSON stream decoder). */
static int parse_json(const char *text, size_t len, json_t *docs, char *err, size_t errlen)
{
	size_t off = skip_space(text, 0, len);

	while (off < len) {
		json_error_t e;
		json_t *v = json_loadb(text + off, len - off,
				       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &e);
		if (!v) {
			int line = e.line;
			for (size_t i = 0; i < off; i++)
				line += text[i] == '\n';
			snprintf(err, errlen, "line %d, column %d: %s", line, e.column, e.text);
			return -1;
		}
		integral_reals(v);
		int rc = json_is_null(v) ? 0 : add_doc(docs, v);
		json_decref(v);
		if (rc != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		off = skip_space(text, off + e.position, len);
	}
	return 0;
}

json_t *kube__parse_docs(const char *text, size_t len, json_t **st)
{
	char err[600], msg[700];
	json_t *docs = json_array();
	size_t off = skip_space(text, 0, len);
	bool json = off < len && (text[off] == '{' || text[off] == '[');
	int rc;

	if (!docs)
		goto nomem;
	if (json && parse_json(text, len, docs, err, sizeof(err)) == 0)
		return docs;
	if (json) {
		/* not JSON after all: maybe YAML flow style ({a: b}) */
		json_array_clear(docs);
		char jerr[600];
		memcpy(jerr, err, sizeof(jerr));
		if (parse_yaml(text, len, docs, err, sizeof(err)) == 0)
			return docs;
		snprintf(msg, sizeof(msg), "error parsing JSON: %s", jerr);
		goto invalid;
	}
	rc = parse_yaml(text, len, docs, err, sizeof(err));
	if (rc == 0)
		return docs;
	snprintf(msg, sizeof(msg), "error converting YAML to JSON: %s", err);
invalid:
	json_decref(docs);
	if (st)
		*st = kube__status_new(KUBE_EINVAL, msg, NULL);
	return NULL;
nomem:
	if (st)
		*st = kube__status_new(KUBE_ENOMEM, "out of memory", NULL);
	return NULL;
}
