/*
 * Kubernetes protobuf request bodies to JSON trees: a wire-format walker
 * driven by the message tables tools/protogen generates from the upstream
 * generated.proto files (core/api/protobuf_table.h). Errors carry the texts
 * of the gogo-generated Unmarshal code upstream runs, so a client sees the
 * same message from libkube as from a real API server.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/api/protobuf.h"
#include "core/api/protobuf_table.h"
#include "core/status.h"

#define PB_MAX_DEPTH 100 /* nesting bound: no recursion on hostile input */
#define UNKNOWN_MSG "k8s.io.apimachinery.pkg.runtime.Unknown"
#define SCHEME "pkg/api/legacyscheme/scheme.go:30"

/* One decode: the error text of the first failure, and the nesting depth. */
struct pb_ctx {
	char err[512];
	int depth;
};

/* A window of the input. */
struct pb_rd {
	const uint8_t *p, *end;
};

/* One field read off the wire. */
struct pb_val {
	uint32_t num;         /* field number */
	int wt;               /* wire type */
	uint64_t v;           /* varint, fixed32 or fixed64 value */
	const uint8_t *p;     /* length-delimited payload */
	size_t n;             /* its length */
};

typedef int (*pb_visit_fn)(struct pb_ctx *c, const struct kube_proto_field *f,
			   const struct pb_val *v, void *arg);

static int pb_fail(struct pb_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int pb_fail(struct pb_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->err[0]) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

#define ERR_EOF "unexpected EOF"
#define ERR_OVERFLOW "proto: integer overflow"
#define ERR_LENGTH "proto: negative length found during unmarshaling"

/* --- tables ------------------------------------------------------------------ */

static int cmp_msg_name(const void *key, const void *m)
{
	return strcmp(key, ((const struct kube_proto_msg *)m)->name);
}

static const struct kube_proto_msg *msg_find(const char *name)
{
	return bsearch(name, kube__proto_msgs, (size_t)kube__proto_nmsgs,
		       sizeof(kube__proto_msgs[0]), cmp_msg_name);
}

static const struct kube_proto_field *field_find(const struct kube_proto_msg *m, uint32_t num)
{
	const struct kube_proto_field *f = &kube__proto_fields[m->fields];
	size_t lo = 0, hi = m->nfields;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f[mid].number == num)
			return &f[mid];
		if (f[mid].number < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The Go type name gogo's errors use: the last component of the proto name. */
static const char *go_type(const struct kube_proto_msg *m)
{
	const char *dot = strrchr(m->name, '.');

	return dot ? dot + 1 : m->name;
}

/* --- wire format --------------------------------------------------------------- */

static int rd_varint(struct pb_ctx *c, struct pb_rd *r, uint64_t *v)
{
	*v = 0;
	for (int shift = 0;; shift += 7) {
		if (shift >= 64)
			return pb_fail(c, ERR_OVERFLOW);
		if (r->p >= r->end)
			return pb_fail(c, ERR_EOF);
		*v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return 0;
	}
}

static int rd_fixed(struct pb_ctx *c, struct pb_rd *r, size_t n, uint64_t *v)
{
	if ((size_t)(r->end - r->p) < n)
		return pb_fail(c, ERR_EOF);
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return 0;
}

/* A length-delimited payload, checked as gogo checks it (a length that is
 * negative as a Go int is ERR_LENGTH; past the end is EOF). */
static int rd_bytes(struct pb_ctx *c, struct pb_rd *r, const uint8_t **p, size_t *n)
{
	uint64_t len;

	if (rd_varint(c, r, &len) < 0)
		return -1;
	if (len > (uint64_t)INT64_MAX)
		return pb_fail(c, ERR_LENGTH);
	if (len > (uint64_t)(r->end - r->p))
		return pb_fail(c, ERR_EOF);
	*p = r->p;
	*n = (size_t)len;
	r->p += len;
	return 0;
}

/* Read the value of wire type @p wt into @p v. */
static int rd_value(struct pb_ctx *c, struct pb_rd *r, struct pb_val *v)
{
	switch (v->wt) {
	case 0:
		return rd_varint(c, r, &v->v);
	case 1:
		return rd_fixed(c, r, 8, &v->v);
	case 5:
		return rd_fixed(c, r, 4, &v->v);
	case 2:
		return rd_bytes(c, r, &v->p, &v->n);
	default:
		return pb_fail(c, "proto: illegal wireType %d", v->wt);
	}
}

/* Skip an unknown field starting at its tag, as gogo's skipGenerated does
 * (groups are skipped whole). */
static int rd_skip(struct pb_ctx *c, struct pb_rd *r)
{
	int depth = 0;
	uint64_t tag;

	do {
		struct pb_val v;
		if (rd_varint(c, r, &tag) < 0)
			return -1;
		v.wt = (int)(tag & 7);
		if (v.wt == 3) {
			depth++;
		} else if (v.wt == 4) {
			if (depth == 0)
				return pb_fail(c, "proto: unexpected end of group");
			depth--;
		} else if (rd_value(c, r, &v) < 0) {
			return -1;
		}
	} while (depth > 0 && r->p < r->end);
	return depth > 0 ? pb_fail(c, ERR_EOF) : 0;
}

/* The wire type a field of proto type @p type is written with. */
static int wire_type(int type)
{
	switch (type) {
	case KUBE_PROTO_FIXED64: case KUBE_PROTO_SFIXED64: case KUBE_PROTO_DOUBLE:
		return 1;
	case KUBE_PROTO_FIXED32: case KUBE_PROTO_SFIXED32: case KUBE_PROTO_FLOAT:
		return 5;
	case KUBE_PROTO_STRING: case KUBE_PROTO_BYTES: case KUBE_PROTO_MESSAGE:
		return 2;
	case KUBE_PROTO_GROUP:
		return 3;
	default:
		return 0;
	}
}

/* gogo names the Go field in its errors: the proto name, first letter raised. */
static int fail_wire_type(struct pb_ctx *c, const struct kube_proto_field *f, int wt)
{
	char go[128];

	snprintf(go, sizeof(go), "%s", f->proto);
	if (go[0] >= 'a' && go[0] <= 'z')
		go[0] = (char)(go[0] - 'a' + 'A');
	return pb_fail(c, "proto: wrong wireType = %d for field %s", wt, go);
}

/*
 * Walk the fields of message @p m in [p, p+n), calling @p visit for each
 * known field with its value; unknown fields are skipped, as upstream does.
 * A repeated scalar may come packed (wire type 2): each element is visited.
 */
static int pb_walk(struct pb_ctx *c, const struct kube_proto_msg *m, const uint8_t *p,
		   size_t n, pb_visit_fn visit, void *arg)
{
	struct pb_rd r = { p, p + n };

	while (r.p < r.end) {
		const struct kube_proto_field *f;
		const uint8_t *start = r.p;
		struct pb_val v = { 0 };
		uint64_t tag;
		int32_t num;

		if (rd_varint(c, &r, &tag) < 0)
			return -1;
		num = (int32_t)(tag >> 3);
		v.wt = (int)(tag & 7);
		v.num = (uint32_t)num;
		if (v.wt == 4)
			return pb_fail(c, "proto: %s: wiretype end group for non-group", go_type(m));
		if (num <= 0)
			return pb_fail(c, "proto: %s: illegal tag %d (wire type %d)", go_type(m),
				       num, v.wt);
		f = field_find(m, v.num);
		if (!f) {
			r.p = start;
			if (rd_skip(c, &r) < 0)
				return -1;
			continue;
		}
		if (v.wt != wire_type(f->type) &&
		    !(v.wt == 2 && (f->flags & KUBE_PROTO_F_REPEATED) && wire_type(f->type) != 3))
			return fail_wire_type(c, f, v.wt);
		if (rd_value(c, &r, &v) < 0)
			return -1;
		if (v.wt == 2 && wire_type(f->type) != 2) {
			/* packed: a run of values without tags */
			struct pb_rd in = { v.p, v.p + v.n };
			while (in.p < in.end) {
				struct pb_val e = { v.num, wire_type(f->type), 0, NULL, 0 };
				if (rd_value(c, &in, &e) < 0 || visit(c, f, &e, arg) < 0)
					return -1;
			}
			continue;
		}
		if (visit(c, f, &v, arg) < 0)
			return -1;
	}
	return 0;
}

/* --- scalars --------------------------------------------------------------------- */

/* Go's encoding/json writes each byte of invalid UTF-8 as U+FFFD. */
static json_t *json_utf8(const uint8_t *s, size_t n)
{
	json_t *j = json_stringn((const char *)s, n);
	char *buf, *w;
	size_t i = 0;

	if (j)
		return j;
	if (!(buf = w = malloc(3 * n + 1)))
		return NULL;
	while (i < n) {
		size_t len = s[i] < 0x80 ? 1 : s[i] >= 0xc2 && s[i] < 0xe0 ? 2 :
			     s[i] >= 0xe0 && s[i] < 0xf0 ? 3 : s[i] >= 0xf0 && s[i] < 0xf5 ? 4 : 0;
		bool ok = len > 0 && i + len <= n;
		for (size_t k = 1; ok && k < len; k++)
			ok = (s[i + k] & 0xc0) == 0x80;
		if (ok && len > 1) { /* overlong forms and surrogates: jansson knows them */
			json_t *probe = json_stringn((const char *)s + i, len);
			ok = probe != NULL;
			json_decref(probe);
		}
		if (ok) {
			memcpy(w, s + i, len);
			w += len;
			i += len;
		} else {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			i++;
		}
	}
	j = json_stringn(buf, (size_t)(w - buf));
	free(buf);
	return j;
}

/* Go's encoding/json writes []byte as standard base64 with padding. */
static json_t *json_base64(const uint8_t *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *buf = malloc(4 * ((n + 2) / 3) + 1), *w = buf;
	json_t *j;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		*w++ = tab[v >> 18 & 63];
		*w++ = tab[v >> 12 & 63];
		*w++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*w++ = i + 2 < n ? tab[v & 63] : '=';
	}
	j = json_stringn(buf, (size_t)(w - buf));
	free(buf);
	return j;
}

/* The JSON of a scalar field's value; *zero tells whether it is the type's
 * zero value (which Go's omitempty leaves out). */
static json_t *scalar_json(const struct kube_proto_field *f, const struct pb_val *v, bool *zero)
{
	double d;
	float fl;

	*zero = v->v == 0;
	switch (f->type) {
	case KUBE_PROTO_STRING:
		*zero = v->n == 0;
		return json_utf8(v->p, v->n);
	case KUBE_PROTO_BYTES:
		*zero = v->n == 0;
		return json_base64(v->p, v->n);
	case KUBE_PROTO_BOOL:
		return json_boolean(v->v != 0);
	case KUBE_PROTO_INT32: case KUBE_PROTO_SFIXED32: case KUBE_PROTO_ENUM:
		*zero = (int32_t)v->v == 0;
		return json_integer((int32_t)v->v);
	case KUBE_PROTO_UINT32: case KUBE_PROTO_FIXED32:
		*zero = (uint32_t)v->v == 0;
		return json_integer((uint32_t)v->v);
	case KUBE_PROTO_SINT32:
		*zero = (uint32_t)v->v == 0;
		return json_integer((int32_t)((uint32_t)v->v >> 1) ^ -(int32_t)(v->v & 1));
	case KUBE_PROTO_SINT64:
		return json_integer((json_int_t)((v->v >> 1) ^ -(v->v & 1)));
	case KUBE_PROTO_DOUBLE:
		memcpy(&d, &v->v, sizeof(d));
		*zero = d == 0;
		return json_real(d);
	case KUBE_PROTO_FLOAT:
		fl = 0;
		memcpy(&fl, &v->v, sizeof(fl)); /* little-endian hosts only, as the table */
		*zero = fl == 0;
		return json_real(fl);
	default: /* INT64, UINT64, FIXED64, SFIXED64 */
		return json_integer((json_int_t)v->v);
	}
}

/* --- messages ---------------------------------------------------------------------- */

static json_t *msg_json(struct pb_ctx *c, const struct kube_proto_msg *m, const uint8_t *p,
			size_t n);
static int msg_into(struct pb_ctx *c, const struct kube_proto_msg *m, const uint8_t *p,
		    size_t n, json_t *obj);

static int oom(struct pb_ctx *c)
{
	return pb_fail(c, "out of memory");
}

/* The value of a field as JSON: a scalar, or a message in its JSON form. */
static json_t *value_json(struct pb_ctx *c, const struct kube_proto_field *f,
			  const struct pb_val *v, bool *zero)
{
	json_t *j;

	*zero = false;
	if (f->type == KUBE_PROTO_MESSAGE)
		return msg_json(c, &kube__proto_msgs[f->msg], v->p, v->n);
	if (!(j = scalar_json(f, v, zero)))
		oom(c);
	return j;
}

/* Collects the key and value of one map entry. */
struct map_entry {
	json_t *key, *value;
};

static int visit_entry(struct pb_ctx *c, const struct kube_proto_field *f,
		       const struct pb_val *v, void *arg)
{
	struct map_entry *e = arg;
	json_t **slot = f->number == 1 ? &e->key : f->number == 2 ? &e->value : NULL;
	bool zero;

	if (!slot)
		return 0;
	json_decref(*slot);
	*slot = value_json(c, f, v, &zero);
	return *slot ? 0 : -1;
}

/* A map entry absent value is the Go zero value of the value type. */
static json_t *entry_default(struct pb_ctx *c, const struct kube_proto_msg *em)
{
	const struct kube_proto_field *vf = field_find(em, 2);
	struct pb_val none = { 2, 0, 0, (const uint8_t *)"", 0 };
	bool zero;

	return vf ? value_json(c, vf, &none, &zero) : json_null();
}

static int add_map_entry(struct pb_ctx *c, const struct kube_proto_field *f,
			 const struct pb_val *v, json_t *obj)
{
	const struct kube_proto_msg *em = &kube__proto_msgs[f->msg];
	struct map_entry e = { NULL, NULL };
	json_t *map = json_object_get(obj, f->name);
	int rc = -1;

	if (pb_walk(c, em, v->p, v->n, visit_entry, &e) < 0)
		goto free_entry;
	if (!e.value && !(e.value = entry_default(c, em)))
		goto free_entry;
	if (!json_is_object(map) && json_object_set_new(obj, f->name, map = json_object()) < 0)
		goto free_entry;
	if (e.key && !json_is_string(e.key)) {
		char *k = json_dumps(e.key, JSON_ENCODE_ANY);
		json_decref(e.key);
		e.key = k ? json_string(k) : NULL;
		free(k);
	}
	rc = json_object_setn(map, e.key ? json_string_value(e.key) : "",
			      e.key ? json_string_length(e.key) : 0, e.value);
free_entry:
	json_decref(e.key);
	json_decref(e.value);
	return rc < 0 && !c->err[0] ? oom(c) : rc;
}

static int append(struct pb_ctx *c, json_t *obj, const char *name, json_t *item)
{
	json_t *arr = json_object_get(obj, name);

	if (!item)
		return -1;
	if (!json_is_array(arr) && json_object_set_new(obj, name, arr = json_array()) < 0) {
		json_decref(item);
		return oom(c);
	}
	return json_array_append_new(arr, item) < 0 ? oom(c) : 0;
}

/* Set one field on the JSON object @p arg as Go's JSON would show it. */
static int visit_object(struct pb_ctx *c, const struct kube_proto_field *f,
			const struct pb_val *v, void *arg)
{
	const struct kube_proto_msg *sub = f->msg >= 0 ? &kube__proto_msgs[f->msg] : NULL;
	json_t *obj = arg, *cur = json_object_get(obj, f->name), *j;
	bool zero;

	if (f->flags & KUBE_PROTO_F_INLINE)
		return msg_into(c, sub, v->p, v->n, obj);
	if (sub && sub->kind == KUBE_PROTO_MAP_ENTRY)
		return add_map_entry(c, f, v, obj);
	if (f->flags & KUBE_PROTO_F_REPEATED)
		return append(c, obj, f->name, value_json(c, f, v, &zero));
	/* a message field seen twice merges, as gogo's Unmarshal does */
	if (sub && sub->kind == KUBE_PROTO_OBJECT && json_is_object(cur))
		return msg_into(c, sub, v->p, v->n, cur);
	if (!(j = value_json(c, f, v, &zero)))
		return -1;
	if (zero && !(f->flags & KUBE_PROTO_F_KEEP_ZERO)) {
		json_decref(j);
		json_object_del(obj, f->name); /* the last occurrence wins */
		return 0;
	}
	return json_object_set_new(obj, f->name, j) < 0 ? oom(c) : 0;
}

static int msg_into(struct pb_ctx *c, const struct kube_proto_msg *m, const uint8_t *p,
		    size_t n, json_t *obj)
{
	int rc;

	if (++c->depth > PB_MAX_DEPTH)
		return pb_fail(c, "proto: %s: nesting deeper than %d messages", go_type(m),
			       PB_MAX_DEPTH);
	rc = pb_walk(c, m, p, n, visit_object, obj);
	c->depth--;
	return rc;
}

/* --- Kubernetes types with their own JSON form ------------------------------------ */

/* metav1.Time and MicroTime: RFC 3339 in UTC (MicroTime with six fraction
 * digits); Go's zero time is null. */
static json_t *time_json(struct pb_ctx *c, int64_t sec, int64_t nsec, bool micro)
{
	char buf[64];
	struct tm tm;
	time_t t;

	sec += nsec / 1000000000;
	nsec %= 1000000000;
	if (nsec < 0)
		sec--, nsec += 1000000000;
	if (sec == -62135596800LL && nsec == 0) /* 0001-01-01T00:00:00Z */
		return json_null();
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		pb_fail(c, "Time.MarshalJSON: year outside of range [0,9999]");
		return NULL;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (micro)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06dZ",
			 (int)(nsec / 1000));
	else
		strcat(buf, "Z");
	return json_string(buf);
}

static json_int_t int_field(const json_t *obj, const char *name)
{
	return json_integer_value(json_object_get(obj, name));
}

/* The JSON form of a message of a special kind, from the object of its
 * fields (@p obj, stolen); @p n is its encoded length (a Time encoded
 * empty is Go's zero time). */
static json_t *special_json(struct pb_ctx *c, const struct kube_proto_msg *m, json_t *obj,
			    size_t n)
{
	json_t *j = NULL, *s;

	switch (m->kind) {
	case KUBE_PROTO_INT_OR_STRING:
		s = json_object_get(obj, "strVal");
		j = int_field(obj, "type") == 1 ? (s ? json_incref(s) : json_string(""))
						 : json_integer(int_field(obj, "intVal"));
		break;
	case KUBE_PROTO_QUANTITY:
		s = json_object_get(obj, "string");
		j = s ? json_incref(s) : json_string("0");
		break;
	case KUBE_PROTO_TIME: /* upstream keeps only the seconds */
		j = n ? time_json(c, int_field(obj, "seconds"), 0, false) : json_null();
		break;
	case KUBE_PROTO_MICRO_TIME:
		j = n ? time_json(c, int_field(obj, "seconds"), int_field(obj, "nanos"), true)
		      : json_null();
		break;
	case KUBE_PROTO_ITEMS: /* a nil Go slice is null */
		s = json_object_get(obj, "items");
		j = s ? json_incref(s) : json_null();
		break;
	}
	json_decref(obj);
	if (!j)
		pb_fail(c, "out of memory");
	return j;
}

/* Collects the one bytes field of a RawExtension or FieldsV1. */
struct raw_field {
	const uint8_t *p;
	size_t n;
};

static int visit_raw(struct pb_ctx *c, const struct kube_proto_field *f,
		     const struct pb_val *v, void *arg)
{
	struct raw_field *raw = arg;

	if (f->number == 1 && f->type == KUBE_PROTO_BYTES) {
		raw->p = v->p;
		raw->n = v->n;
	}
	return 0;
}

/* RawExtension and FieldsV1 hold JSON text, which is their JSON form. */
static json_t *raw_json(struct pb_ctx *c, const struct kube_proto_msg *m, const uint8_t *p,
			size_t n)
{
	struct raw_field raw = { NULL, 0 };
	json_error_t err;
	json_t *j;

	if (pb_walk(c, m, p, n, visit_raw, &raw) < 0)
		return NULL;
	if (!raw.p || raw.n == 0)
		return json_null();
	j = json_loadb((const char *)raw.p, raw.n, JSON_DECODE_ANY, &err);
	if (!j)
		pb_fail(c, "json: error calling MarshalJSON for type *%s: %s",
			strstr(m->name, "runtime.") ? "runtime.RawExtension" : "v1.FieldsV1", err.text);
	return j;
}

static json_t *msg_json(struct pb_ctx *c, const struct kube_proto_msg *m, const uint8_t *p,
			size_t n)
{
	json_t *obj;

	if (m->kind == KUBE_PROTO_RAW_JSON)
		return raw_json(c, m, p, n);
	if (!(obj = json_object())) {
		oom(c);
		return NULL;
	}
	if (msg_into(c, m, p, n, obj) < 0) {
		json_decref(obj);
		return NULL;
	}
	if (m->kind == KUBE_PROTO_OBJECT || m->kind == KUBE_PROTO_MAP_ENTRY)
		return obj;
	return special_json(c, m, obj, n);
}

/* --- the runtime.Unknown envelope and the public entry points ---------------------- */

/* The API groups served from protobuf, and their generated.proto package. */
static const char *group_package(const char *group)
{
	static const char *const groups[][2] = {
		{ "", "core" }, { "apps", "apps" }, { "batch", "batch" },
		{ "autoscaling", "autoscaling" }, { "policy", "policy" },
		{ "rbac.authorization.k8s.io", "rbac" },
		{ "authentication.k8s.io", "authentication" },
		{ "authorization.k8s.io", "authorization" },
		{ "networking.k8s.io", "networking" }, { "scheduling.k8s.io", "scheduling" },
		{ "coordination.k8s.io", "coordination" }, { "discovery.k8s.io", "discovery" },
		{ "storage.k8s.io", "storage" }, { "events.k8s.io", "events" },
		{ "node.k8s.io", "node" },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(groups[i][0], group))
			return groups[i][1];
	return NULL;
}

/* A group/version/kind; apiVersion "apps/v1" or "v1". */
struct gvk {
	char group[128], version[64], kind[128];
};

/* schema.FromAPIVersionAndKind: an apiVersion that does not parse leaves
 * group and version empty. */
static void gvk_parse(struct gvk *g, const char *api_version, const char *kind)
{
	const char *slash = strchr(api_version, '/');

	memset(g, 0, sizeof(*g));
	snprintf(g->kind, sizeof(g->kind), "%s", kind);
	if (!slash) {
		snprintf(g->version, sizeof(g->version), "%s", api_version);
	} else if (!strchr(slash + 1, '/')) {
		snprintf(g->group, sizeof(g->group), "%.*s", (int)(slash - api_version),
			 api_version);
		snprintf(g->version, sizeof(g->version), "%s", slash + 1);
	}
}

static void gvk_api_version(const struct gvk *g, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", g->group, g->group[0] ? "/" : "", g->version);
}

static const struct kube_proto_msg *api_msg(const struct gvk *g)
{
	const char *pkg = group_package(g->group);
	const struct kube_proto_msg *m;
	char name[320];

	if (!pkg || !g->version[0] || !g->kind[0])
		return NULL;
	snprintf(name, sizeof(name), "k8s.io.api.%s.%s.%s", pkg, g->version, g->kind);
	m = msg_find(name);
	return m && m->api ? m : NULL;
}

int kube__proto_is_supported(const char *api_version, const char *kind)
{
	struct gvk g;

	if (!api_version || !kind)
		return 0;
	gvk_parse(&g, api_version, kind);
	return api_msg(&g) != NULL;
}

/* What the envelope holds. */
struct unknown {
	json_t *type_meta;    /* {apiVersion, kind} as decoded */
	const uint8_t *raw;   /* the object's encoding */
	size_t nraw;
};

static int visit_unknown(struct pb_ctx *c, const struct kube_proto_field *f,
			 const struct pb_val *v, void *arg)
{
	struct unknown *u = arg;

	if (f->number == 1)
		return msg_into(c, &kube__proto_msgs[f->msg], v->p, v->n, u->type_meta);
	if (f->number == 2) {
		u->raw = v->p;
		u->nraw = v->n;
	}
	return 0; /* contentEncoding, contentType: upstream ignores them too */
}

/* The API server's 400 for a body it could not type (transformDecodeError
 * with no kind): the error, and the first 30 bytes of the body. */
static json_t *fail_untyped(json_t **st, const char *into, const uint8_t *body, size_t len,
			    const char *err)
{
	char summary[128] = "", *w = summary;
	size_t n = len > 30 ? 30 : len;

	if (st && into) {
		if (len == 0)
			snprintf(summary, sizeof(summary), "<empty>");
		else if (body[0] == '{')
			snprintf(summary, sizeof(summary), "%.*s", (int)n, (const char *)body);
		else
			for (size_t i = 0; i < n; i++)
				w += sprintf(w, "%02x", body[i]);
		if (len > 30)
			strcat(summary, " ...");
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			   "the object provided is unrecognized (must be of type %s): %s (%s)",
			   into, err, summary);
	} else if (st) {
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "%s", err);
	}
	return NULL;
}

/* The API server's 400 for a body of a known kind it could not decode. */
static json_t *fail_typed(json_t **st, const struct gvk *g, const char *into, const char *err)
{
	if (st)
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
			   "%s in version \"%s\" cannot be handled as a %s: %s", g->kind,
			   g->version, into ? into : g->kind, err);
	return NULL;
}

/* copyKindDefaults: the endpoint's kind and group/version fill in a body
 * that lacks them. */
static void gvk_default(struct gvk *g, const char *api_version, const char *kind)
{
	struct gvk d;

	gvk_parse(&d, api_version ? api_version : "", kind ? kind : "");
	if (!g->kind[0])
		memcpy(g->kind, d.kind, sizeof(g->kind));
	if (!g->version[0] && d.version[0]) {
		memcpy(g->group, d.group, sizeof(g->group));
		memcpy(g->version, d.version, sizeof(g->version));
	}
}

/* Type the decoded envelope: the gvk from its typeMeta and the defaults. */
static const struct kube_proto_msg *unknown_type(struct unknown *u, struct gvk *g,
						 const char *def_av, const char *def_kind,
						 char *err, size_t errlen)
{
	const char *av = json_string_value(json_object_get(u->type_meta, "apiVersion"));
	const char *kind = json_string_value(json_object_get(u->type_meta, "kind"));
	const struct kube_proto_msg *m;
	char gv[200];

	gvk_parse(g, av ? av : "", kind ? kind : "");
	gvk_default(g, def_av, def_kind);
	if (!g->kind[0] || !g->version[0]) {
		snprintf(err, errlen, "Object '%s' is missing in "
			 "'runtime.TypeMeta{APIVersion:\"%s\", Kind:\"%s\"}'",
			 g->kind[0] ? "apiVersion" : "Kind", av ? av : "", kind ? kind : "");
		return NULL;
	}
	if (!(m = api_msg(g))) {
		gvk_api_version(g, gv, sizeof(gv));
		snprintf(err, errlen, "no kind \"%s\" is registered for version \"%s\" in scheme \"%s\"",
			 g->kind, gv, SCHEME);
	}
	return m;
}

json_t *kube__proto_decode_as(const void *body, size_t len, const char *api_version,
			      const char *kind, json_t **st)
{
	static const uint8_t magic[4] = { 'k', '8', 's', 0 };
	const struct kube_proto_msg *m;
	struct unknown u = { NULL, NULL, 0 };
	struct pb_ctx c = { "", 0 };
	json_t *obj = NULL;
	char gv[200];
	struct gvk g;

	if (len == 0)
		return fail_untyped(st, kind, body, len, "empty data");
	if (len < 4 || memcmp(body, magic, 4))
		return fail_untyped(st, kind, body, len, "provided data does not appear to be "
				    "a protobuf message, expected prefix [107 56 115 0]");
	if (len == 4)
		return fail_untyped(st, kind, body, len, "empty body");
	if (!(u.type_meta = json_object()))
		return NULL;
	if (pb_walk(&c, msg_find(UNKNOWN_MSG), (const uint8_t *)body + 4, len - 4,
		    visit_unknown, &u) < 0) {
		fail_untyped(st, kind, body, len, c.err);
		goto free_type_meta;
	}
	if (!(m = unknown_type(&u, &g, api_version, kind, c.err, sizeof(c.err)))) {
		if (g.kind[0])
			fail_typed(st, &g, kind, c.err);
		else
			fail_untyped(st, kind, body, len, c.err);
		goto free_type_meta;
	}
	gvk_api_version(&g, gv, sizeof(gv));
	if (!(obj = json_pack("{s:s, s:s}", "kind", g.kind, "apiVersion", gv)))
		goto free_type_meta;
	if (msg_into(&c, m, u.raw, u.nraw, obj) < 0) {
		json_decref(obj);
		obj = fail_typed(st, &g, kind, c.err);
	}
free_type_meta:
	json_decref(u.type_meta);
	return obj;
}

json_t *kube__proto_decode(const void *body, size_t len, json_t **st)
{
	return kube__proto_decode_as(body, len, NULL, NULL, st);
}
