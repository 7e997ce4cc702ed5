/*
 * Schema lookups over the generated tables, and the strict decoding check.
 *
 * kube__schema_check reports what the API server's decoder
 * (sigs.k8s.io/json, UnmarshalStrict into the Go types) reports:
 * - unknown fields, with the path the strict decoder builds: keys joined by
 *   ".", list elements as "[i]", map keys as path segments
 *   ("spec.template.spec.containers[0].imagee", "metadata.labels.a.b");
 *   at most 100 of them, as upstream;
 * - values the Go types cannot hold, each as a FieldValueTypeInvalid cause
 *   whose message is the decoder's own error text, e.g. `json: cannot
 *   unmarshal string into Go struct field DeploymentSpec.spec.replicas of
 *   type int32` (Go's field path leaves out list indices and map keys).
 * JSON null is accepted anywhere, as Go decodes it to the zero value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/schema.h"
#include "core/schema_table.h"
#include "core/schema_values.h"
#include "core/status.h"

#define MAX_UNKNOWN 100 /* upstream stops collecting strict errors here */
#define PATH_MAX_LEN 2048

#define STR(off) (kube__schema_strings + (off))

/* Where a reference's body (type, properties, items) lives. */
static const struct kube_schema *body(const struct kube_schema *s)
{
	return s->ref >= 0 ? &kube__schema_nodes[s->ref] : s;
}

const struct kube_schema *kube__schema_find(const char *definition)
{
	int lo = 0, hi = kube__schema_ndefs - 1;

	while (definition && lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int c = strcmp(definition, STR(kube__schema_nodes[mid].name));

		if (c == 0)
			return &kube__schema_nodes[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

enum kube_schema_type kube__schema_type(const struct kube_schema *s)
{
	return s ? (enum kube_schema_type)s->type : KUBE_SCHEMA_ANY;
}

const struct kube_schema *kube__schema_prop(const struct kube_schema *s, const char *name)
{
	const struct kube_schema *b;
	uint32_t lo, hi;

	if (!s || !name || s->type != KUBE_SCHEMA_OBJECT)
		return NULL;
	b = body(s);
	lo = b->props;
	hi = b->props + b->nprops;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, STR(kube__schema_props[mid].name));

		if (c == 0)
			return &kube__schema_nodes[kube__schema_props[mid].node];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct kube_schema *kube__schema_items(const struct kube_schema *s)
{
	const struct kube_schema *b;

	if (!s || (s->type != KUBE_SCHEMA_ARRAY && s->type != KUBE_SCHEMA_MAP))
		return NULL;
	b = body(s);
	return b->items >= 0 ? &kube__schema_nodes[b->items] : NULL;
}

const char *kube__schema_merge_key(const struct kube_schema *s)
{
	return s ? STR(s->merge_key) : "";
}

const char *kube__schema_patch_strategy(const struct kube_schema *s)
{
	return s ? STR(s->strategy) : "";
}

const char *kube__schema_list_type(const struct kube_schema *s)
{
	return s ? STR(s->list_type) : "";
}

const char *const *kube__schema_list_map_keys(const struct kube_schema *s)
{
	return s && s->map_keys >= 0 ? &kube__schema_keys[s->map_keys] : NULL;
}

const char *kube__schema_name(const struct kube_schema *s)
{
	return s ? STR(body(s)->name) : "";
}

/* ---- the strict decoding walk ------------------------------------------- */

/* A path under construction: a buffer and the current length. */
struct path {
	char buf[PATH_MAX_LEN];
	size_t len;
};

struct walk {
	json_t *unknown;       /* unknown field paths, or NULL */
	json_t *causes;        /* type errors, or NULL */
	struct path strict;    /* the strict decoder's path: "spec.ports[0].foo" */
	struct path go;        /* Go's field stack: "spec.ports.foo" */
	const char *go_struct; /* the Go struct whose field is being decoded */
	bool prune;            /* delete unknown fields instead of reporting them */
};

/* Append @p n bytes of @p s to @p p, as many as fit. */
static void path_add(struct path *p, const char *s, size_t n)
{
	size_t room = sizeof(p->buf) - 1 - p->len;

	if (n > room)
		n = room;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

/* Append to @p p (truncated to fit); returns the old length for path_pop.
 * Runs for every field of every object written, hence no snprintf. */
static size_t path_push(struct path *p, const char *sep, const char *seg)
{
	size_t old = p->len;

	if (p->len)
		path_add(p, sep, strlen(sep));
	path_add(p, seg, strlen(seg));
	return old;
}

static void path_pop(struct path *p, size_t old)
{
	p->len = old;
	p->buf[old] = '\0';
}

/* "DeploymentSpec" from "io.k8s.api.apps.v1.DeploymentSpec"; with_pkg gives
 * "v1.DeploymentSpec", as Go's reflect.Type names it. */
static const char *go_name(const char *def, bool with_pkg, char *buf, size_t len)
{
	const char *last = strrchr(def, '.'), *pkg = last;

	if (!last)
		return def;
	if (!with_pkg)
		return last + 1;
	while (pkg > def && pkg[-1] != '.')
		pkg--;
	snprintf(buf, len, "%s", pkg);
	return buf;
}

/* The Go type a node decodes into, as reflect.Type.String() writes it. */
static void go_type(const struct kube_schema *s, char *buf, size_t len)
{
	const struct kube_schema *b = body(s);
	char elem[256];

	switch (s->type) {
	case KUBE_SCHEMA_OBJECT:
		if (b->name)
			go_name(STR(b->name), true, buf, len);
		else
			snprintf(buf, len, "map[string]interface {}");
		return;
	case KUBE_SCHEMA_ARRAY:
	case KUBE_SCHEMA_MAP:
		if (b->items >= 0)
			go_type(&kube__schema_nodes[b->items], elem, sizeof(elem));
		else
			snprintf(elem, sizeof(elem), "interface {}");
		snprintf(buf, len, "%s%s", s->type == KUBE_SCHEMA_ARRAY ? "[]" : "map[string]", elem);
		return;
	case KUBE_SCHEMA_STRING:
		snprintf(buf, len, "%s", s->format == KUBE_SCHEMA_FMT_BYTE ? "[]uint8" : "string");
		return;
	case KUBE_SCHEMA_INTEGER:
		snprintf(buf, len, "%s", s->format == KUBE_SCHEMA_FMT_INT32 ? "int32" :
			 s->format == KUBE_SCHEMA_FMT_INT64 ? "int64" : "int");
		return;
	case KUBE_SCHEMA_NUMBER:
		snprintf(buf, len, "float64");
		return;
	case KUBE_SCHEMA_BOOLEAN:
		snprintf(buf, len, "bool");
		return;
	case KUBE_SCHEMA_INT_OR_STRING:
		/* IntOrString decodes non-strings into its int32 */
		snprintf(buf, len, "int32");
		return;
	default:
		snprintf(buf, len, "interface {}");
		return;
	}
}

/* How Go's UnmarshalTypeError describes the JSON value: "string", "bool",
 * "object", "array", "number", or "number 1.5" where Go parsed the literal. */
static void go_value(const json_t *v, bool with_literal, char *buf, size_t len)
{
	char *lit;

	switch (json_typeof(v)) {
	case JSON_STRING: snprintf(buf, len, "string"); return;
	case JSON_TRUE:
	case JSON_FALSE: snprintf(buf, len, "bool"); return;
	case JSON_OBJECT: snprintf(buf, len, "object"); return;
	case JSON_ARRAY: snprintf(buf, len, "array"); return;
	default: break;
	}
	lit = with_literal ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
	snprintf(buf, len, "number%s%s", lit ? " " : "", lit ? lit : "");
	free(lit);
}

static void type_error_text(struct walk *w, const char *text)
{
	if (w->causes)
		kube__cause_add(w->causes, "FieldValueTypeInvalid", w->strict.buf, text);
}

/* `json: cannot unmarshal <value> into Go struct field <S>.<path> of type <T>` */
static void type_error(struct walk *w, const struct kube_schema *s, const json_t *v,
		       bool with_literal)
{
	char val[96], type[320], *msg = NULL;

	go_value(v, with_literal, val, sizeof(val));
	go_type(s, type, sizeof(type));
	if (w->go_struct && w->go.len) {
		if (asprintf(&msg, "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
			     val, w->go_struct, w->go.buf, type) < 0)
			msg = NULL;
	} else if (asprintf(&msg, "json: cannot unmarshal %s into Go value of type %s", val,
			    type) < 0) {
		msg = NULL;
	}
	type_error_text(w, msg ? msg : "json: cannot unmarshal");
	free(msg);
}

static void check(struct walk *w, const struct kube_schema *s, const json_t *v);

static void unknown_field(struct walk *w, const char *key)
{
	size_t old;

	if (!w->unknown || json_array_size(w->unknown) >= MAX_UNKNOWN)
		return;
	old = path_push(&w->strict, ".", key);
	json_array_append_new(w->unknown, json_string(w->strict.buf));
	path_pop(&w->strict, old);
}

static void check_object(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	const struct kube_schema *b = body(s);
	const char *key, *outer = w->go_struct;
	char name[256];
	json_t *val;
	void *tmp;

	if (!json_is_object(v)) {
		type_error(w, s, v, false);
		return;
	}
	json_object_foreach_safe((json_t *)v, tmp, key, val) {
		const struct kube_schema *p = kube__schema_prop(s, key);
		size_t so, go;

		if (!p) {
			if (b->flags & KUBE_SCHEMA_F_PRESERVE_UNKNOWN)
				continue;
			if (w->prune)
				json_object_del((json_t *)v, key);
			else
				unknown_field(w, key);
			continue;
		}
		so = path_push(&w->strict, ".", key);
		go = path_push(&w->go, ".", key);
		w->go_struct = b->name ? go_name(STR(b->name), false, name, sizeof(name)) : outer;
		check(w, p, val);
		w->go_struct = outer;
		path_pop(&w->go, go);
		path_pop(&w->strict, so);
	}
}

static void check_map(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	const struct kube_schema *item = kube__schema_items(s);
	const char *key;
	json_t *val;

	if (!json_is_object(v)) {
		type_error(w, s, v, false);
		return;
	}
	json_object_foreach((json_t *)v, key, val) {
		size_t so = path_push(&w->strict, ".", key);

		if (item)
			check(w, item, val);
		path_pop(&w->strict, so);
	}
}

static void check_array(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	const struct kube_schema *item = kube__schema_items(s);
	char idx[32];
	size_t i;
	json_t *val;

	if (!json_is_array(v)) {
		type_error(w, s, v, false);
		return;
	}
	json_array_foreach(v, i, val) {
		size_t so;

		snprintf(idx, sizeof(idx), "[%zu]", i);
		so = path_push(&w->strict, "", idx);
		if (item)
			check(w, item, val);
		path_pop(&w->strict, so);
	}
}

/* Integers must be whole and fit the Go type (int32 for format int32). */
static void check_integer(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	json_int_t n;

	if (!json_is_number(v)) {
		type_error(w, s, v, false);
		return;
	}
	if (!json_is_integer(v)) {
		type_error(w, s, v, true);
		return;
	}
	n = json_integer_value(v);
	if (s->format == KUBE_SCHEMA_FMT_INT32 && (n < INT32_MIN || n > INT32_MAX))
		type_error(w, s, v, true);
}

static void check_string(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	char buf[128];
	const char *err;

	if (!json_is_string(v)) {
		type_error(w, s, v, false);
		return;
	}
	if (s->format == KUBE_SCHEMA_FMT_BYTE) {
		err = kube__check_base64(json_string_value(v), buf, sizeof(buf));
		if (err)
			type_error_text(w, err);
	}
}

static void check_int_or_string(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	if (!json_is_string(v))
		check_integer(w, s, v);
}

static void check_quantity(struct walk *w, const json_t *v)
{
	const char *err = NULL;
	char *text;

	if (json_is_string(v)) {
		err = kube__check_quantity(json_string_value(v));
	} else if (json_is_number(v)) {
		text = json_dumps(v, JSON_ENCODE_ANY);
		err = text ? kube__check_quantity(text) : NULL;
		free(text);
	} else {
		err = kube__check_quantity("");
	}
	if (err)
		type_error_text(w, err);
}

static void check_time(struct walk *w, const json_t *v)
{
	char buf[512];
	const char *err;

	if (!json_is_string(v)) {
		/* metav1.Time.UnmarshalJSON: strconv.Unquote of a non-string */
		type_error_text(w, "invalid syntax");
		return;
	}
	err = kube__check_rfc3339(json_string_value(v), buf, sizeof(buf));
	if (err)
		type_error_text(w, err);
}

static void check(struct walk *w, const struct kube_schema *s, const json_t *v)
{
	if (!v || json_is_null(v))
		return;
	switch (s->type) {
	case KUBE_SCHEMA_OBJECT: check_object(w, s, v); break;
	case KUBE_SCHEMA_MAP: check_map(w, s, v); break;
	case KUBE_SCHEMA_ARRAY: check_array(w, s, v); break;
	case KUBE_SCHEMA_STRING: check_string(w, s, v); break;
	case KUBE_SCHEMA_INTEGER: check_integer(w, s, v); break;
	case KUBE_SCHEMA_NUMBER:
		if (!json_is_number(v))
			type_error(w, s, v, false);
		break;
	case KUBE_SCHEMA_BOOLEAN:
		if (!json_is_boolean(v))
			type_error(w, s, v, false);
		break;
	case KUBE_SCHEMA_INT_OR_STRING: check_int_or_string(w, s, v); break;
	case KUBE_SCHEMA_QUANTITY: check_quantity(w, v); break;
	case KUBE_SCHEMA_TIME: check_time(w, v); break;
	default: break;
	}
}

static void walk_run(const struct kube_schema *s, const json_t *obj, json_t *unknown,
		     json_t *causes, bool prune)
{
	/* Two paths: too big for a loop thread's stack, and a fresh 4 KiB
	 * allocation per write made malloc consolidate its fast bins every
	 * time. One per thread; a walk never starts another. */
	static _Thread_local struct walk tls;
	struct walk *w = &tls;

	if (!s || !obj)
		return;
	*w = (struct walk){ .unknown = unknown, .causes = causes, .prune = prune };
	check(w, s, obj);
}

void kube__schema_check(const struct kube_schema *s, const json_t *obj,
			json_t *unknown, json_t *causes)
{
	walk_run(s, obj, unknown, causes, false);
}

void kube__schema_prune(const struct kube_schema *s, json_t *obj)
{
	walk_run(s, obj, NULL, NULL, true);
}
