/*
 * JSON trees -> text: YAML as kubectl -o yaml prints it (go-yaml v2 through
 * sigs.k8s.io/yaml), and compact JSON as Go's encoding/json prints it.
 *
 * YAML goes through libyaml's emitter, the same state machine go-yaml
 * ported, so indentation, indentless sequences under keys, line folding at
 * 80 columns and the fallback to quoting all match; we only choose each
 * scalar's requested style the way go-yaml's encoder does.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/codec.h"
#include "core/codec_int.h"

struct outbuf {
	char *data; /* NUL-terminated text so far */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
	bool oom;   /* an allocation failed; data is unusable */
};

static void out_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *d = realloc(o->data, cap);
		if (!d) {
			o->oom = true;
			return;
		}
		o->data = d;
		o->cap = cap;
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
	o->data[o->len] = '\0';
}

static void out_str(struct outbuf *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* The finished text, or NULL (and nothing leaked) after a failure. */
static char *out_finish(struct outbuf *o, bool ok)
{
	if (ok && !o->oom && !o->data)
		out_put(o, "", 0);
	if (!ok || o->oom) {
		free(o->data);
		return NULL;
	}
	return o->data;
}

static int yaml_write(void *data, unsigned char *buffer, size_t size)
{
	struct outbuf *o = data;

	out_put(o, (const char *)buffer, size);
	return !o->oom;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, size_t len, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style))
		return -1;
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

/* go-yaml's stringv: literal block for multi-line text, plain when the text
 * reads back as a string, double quotes otherwise. libyaml downgrades plain
 * to single quotes when the text cannot be plain (": ", leading "*", ...). */
static int emit_string(yaml_emitter_t *e, const char *s, size_t len)
{
	yaml_scalar_style_t style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;

	if (memchr(s, '\n', len))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (codec_plain_is_str(s, len))
		style = YAML_PLAIN_SCALAR_STYLE;
	return emit_scalar(e, s, len, style);
}

static int emit_node(yaml_emitter_t *e, const json_t *v);

static int emit_object(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	const char *k;
	json_t *item;

	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	json_object_foreach((json_t *)v, k, item) {
		if (emit_string(e, k, strlen(k)) != 0 || emit_node(e, item) != 0)
			return -1;
	}
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int emit_array(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	json_t *item;
	size_t i;

	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	json_array_foreach(v, i, item) {
		if (emit_node(e, item) != 0)
			return -1;
	}
	yaml_sequence_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int emit_node(yaml_emitter_t *e, const json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return emit_object(e, v);
	case JSON_ARRAY:
		return emit_array(e, v);
	case JSON_STRING:
		return emit_string(e, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		codec_format_float(json_real_value(v), 'g', 64, buf);
		break;
	case JSON_TRUE:
		strcpy(buf, "true");
		break;
	case JSON_FALSE:
		strcpy(buf, "false");
		break;
	default:
		strcpy(buf, "null");
		break;
	}
	return emit_scalar(e, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

static int emit_document(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(e, &ev) || emit_node(e, v) != 0)
		return -1;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	yaml_stream_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

char *kube__emit_yaml(const json_t *v)
{
	struct outbuf o = {0};
	yaml_emitter_t e;
	int rc;

	if (!v || !yaml_emitter_initialize(&e))
		return NULL;
	yaml_emitter_set_output(&e, yaml_write, &o);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	rc = emit_document(&e, v);
	yaml_emitter_delete(&e);
	return out_finish(&o, rc == 0);
}

/* encoding/json's string escaping, HTML-safe as json.Marshal is. */
static void json_string_out(struct outbuf *o, const char *s, size_t n)
{
	char esc[8];
	size_t run = 0;

	out_put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\r')
			rep = "\\r";
		else if (c == '\t')
			rep = "\\t";
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			rep = (snprintf(esc, sizeof(esc), "\\u%04x", c), esc);
		else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			/* U+2028 / U+2029 break JavaScript string literals */
			rep = (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
			out_put(o, s + i - run, run);
			out_str(o, rep);
			run = 0;
			i += 2;
			continue;
		}
		if (!rep) {
			run++;
			continue;
		}
		out_put(o, s + i - run, run);
		out_str(o, rep);
		run = 0;
	}
	out_put(o, s + n - run, run);
	out_put(o, "\"", 1);
}

/* encoding/json's float form: %f-style, or %e-style outside [1e-6, 1e21),
 * with "e-07" shortened to "e-7". */
static void json_real_out(struct outbuf *o, double f)
{
	char buf[64];
	double a = fabs(f);
	bool exp = a != 0 && (a < 1e-6 || a >= 1e21);

	codec_format_float(f, exp ? 'e' : 'f', 64, buf);
	size_t n = strlen(buf);
	if (exp && n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
		buf[n - 2] = buf[n - 1];
		buf[n - 1] = '\0';
	}
	out_str(o, buf);
}

static void json_out(struct outbuf *o, const json_t *v)
{
	char buf[32];
	const char *k;
	json_t *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		out_put(o, "{", 1);
		i = 0;
		json_object_foreach((json_t *)v, k, item) {
			if (i++)
				out_put(o, ",", 1);
			json_string_out(o, k, strlen(k));
			out_put(o, ":", 1);
			json_out(o, item);
		}
		out_put(o, "}", 1);
		break;
	case JSON_ARRAY:
		out_put(o, "[", 1);
		json_array_foreach(v, i, item) {
			if (i)
				out_put(o, ",", 1);
			json_out(o, item);
		}
		out_put(o, "]", 1);
		break;
	case JSON_STRING:
		json_string_out(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		out_str(o, buf);
		break;
	case JSON_REAL:
		json_real_out(o, json_real_value(v));
		break;
	case JSON_TRUE:
		out_str(o, "true");
		break;
	case JSON_FALSE:
		out_str(o, "false");
		break;
	default:
		out_str(o, "null");
		break;
	}
}

char *kube__emit_json(const json_t *v)
{
	struct outbuf o = {0};

	if (!v)
		return NULL;
	json_out(&o, v);
	return out_finish(&o, true);
}

char *kube__emit_json_items(json_t *items)
{
	json_t *list;
	char *text;

	if (json_array_size(items) == 1)
		return kube__emit_json(json_array_get(items, 0));
	list = json_pack("{s:s, s:s, s:{s:s}, s:O}", "apiVersion", "v1", "kind", "List",
			 "metadata", "resourceVersion", "", "items", items);
	text = kube__emit_json(list);
	json_decref(list);
	return text;
}
