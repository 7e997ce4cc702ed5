/*
 * Replies: JSON objects and Status documents, Tables when the client asks
 * for them (Accept: ...;as=Table;v=v1;g=meta.k8s.io), and warnings as
 * `Warning: 299 - "..."` headers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/api/rest.h"
#include "core/codec.h"
#include "core/status.h"

static void add_warnings(struct kube_api_call *a)
{
	json_t *w;
	size_t i;

	json_array_foreach(a->warnings, i, w) {
		char *h = NULL;

		if (asprintf(&h, "299 - \"%s\"", json_string_value(w)) > 0)
			kube__http_add_header(a->req, "Warning", h);
		free(h);
	}
}

static void send_json(struct kube_api_call *a, int code, const json_t *v)
{
	char *body = kube__emit_json(v);
	size_t len;
	const char *kind = json_string_value(json_object_get(v, "kind"));
	const char *ctype = kind && !strcmp(kind, "Table")
			    ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";

	add_warnings(a);
	if (!body) {
		kube__http_respond(a->req, 500, "text/plain", "out of memory", 13);
		return;
	}
	/* Go's JSON encoder ends every document with a newline; clients compare bodies */
	len = strlen(body);
	body = realloc(body, len + 2);
	body[len++] = '\n';
	kube__http_respond(a->req, code, ctype, body, len);
	free(body);
}

/* Lists as the API server sends them: items without kind and apiVersion. */
static json_t *wire_form(const json_t *obj)
{
	json_t *items = json_object_get(obj, "items"), *copy, *it;
	size_t i;

	if (!json_is_array(items))
		return json_incref((json_t *)obj);
	copy = json_copy((json_t *)obj);
	items = json_array();
	json_array_foreach(json_object_get(obj, "items"), i, it) {
		json_t *c = json_copy(it);

		json_object_del(c, "kind");
		json_object_del(c, "apiVersion");
		json_array_append_new(items, c);
	}
	json_object_set_new(copy, "items", items);
	return copy;
}

void kube__rest_reply(struct kube_api_call *a, int code, const json_t *obj)
{
	json_t *out;

	if (a->table && a->t.kind &&
	    strcmp(json_string_value(json_object_get(obj, "kind")) ?: "", "Status"))
		out = kube__table_from(a->t.kind, obj, a->table_include, kube__now_ms(a->c));
	else
		out = wire_form(obj);
	send_json(a, code, out);
	json_decref(out);
	kube__rest_call_free(a);
}

void kube__rest_fail(struct kube_api_call *a, const json_t *st)
{
	int code = (int)json_integer_value(json_object_get(st, "code"));

	send_json(a, code ? code : 500, st);
	kube__rest_call_free(a);
}

void kube__rest_failf(struct kube_api_call *a, int err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	json_t *st;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	st = kube__status_new(err, msg ? msg : kube_strerror(err), NULL);
	if (!st) /* a message jansson refused (not UTF-8) */
		st = kube__status_new(err, kube_strerror(err), NULL);
	free(msg);
	kube__rest_fail(a, st);
	json_decref(st);
}
