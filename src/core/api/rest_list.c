/*
 * Collections: list with limit/continue and deletecollection.
 *
 * A continue token is, as upstream's, base64 of
 * {"v":"meta.k8s.io/v1","rv":N,"start":"<key after the last item>"}; the
 * next page is read from the current state starting at that key (our state
 * is in memory, so pages are not a snapshot of revision N; a token older
 * than the history window is 410 Expired, as upstream's compacted ones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "core/status.h"

static char *b64(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

static char *unb64(const char *s)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(n + 1);
	int len;

	if (!out)
		return NULL;
	len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	while (len > 0 && n > 0 && s[--n] == '=')
		len--;
	out[len] = '\0';
	return (char *)out;
}

static const char *item_key(const json_t *it, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", kube__meta_str(it, "namespace") ?: "",
		 kube__meta_str(it, "name") ?: "");
	return buf;
}

/* Keep only the page after @p start, at most @p limit items. */
static int paginate(struct kube_api_call *a, json_t *list, json_t **st)
{
	json_t *items = json_object_get(list, "items"), *page = json_array(), *tok, *it;
	const char *start = NULL;
	char *decoded = NULL, key[512];
	size_t i, taken = 0, rest = 0;
	int64_t rv = strtoll(kube__meta_str(list, "resourceVersion") ?: "0", NULL, 10);

	if (a->q.cont && *a->q.cont) {
		decoded = unb64(a->q.cont);
		tok = decoded ? json_loads(decoded, 0, NULL) : NULL;
		start = json_string_value(json_object_get(tok, "start"));
		if (!start) {
			json_decref(tok);
			free(decoded);
			json_decref(page);
			return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
					  "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
		}
		if (json_integer_value(json_object_get(tok, "rv")) < store_oldest(a->c->store)) {
			json_decref(tok);
			free(decoded);
			json_decref(page);
			return kube__fail(st, KUBE_EGONE, NULL, NULL, NULL,
					  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
		}
		start = strdup(start);
		json_decref(tok);
		free(decoded);
	}
	json_array_foreach(items, i, it) {
		if (start && strcmp(item_key(it, key, sizeof(key)), start) < 0)
			continue;
		if (a->q.limit > 0 && (int64_t)taken == a->q.limit) {
			rest++;
			continue;
		}
		json_array_append(page, it);
		taken++;
	}
	if (rest) {
		json_t *next = json_array_get(page, taken - 1);
		char *text, *enc, after[520];

		snprintf(after, sizeof(after), "%s\x01", item_key(next, key, sizeof(key)));
		tok = json_pack("{s:s, s:I, s:s}", "v", "meta.k8s.io/v1", "rv", (json_int_t)rv, "start", after);
		text = json_dumps(tok, JSON_COMPACT);
		enc = b64(text);
		json_object_set_new(json_object_get(list, "metadata"), "continue", json_string(enc));
		json_object_set_new(json_object_get(list, "metadata"), "remainingItemCount",
				    json_integer((json_int_t)rest));
		free(enc);
		free(text);
		json_decref(tok);
	}
	json_object_set_new(list, "items", page);
	free((char *)start);
	return 0;
}

void kube__rest_serve_list(struct kube_api_call *a)
{
	json_t *st = NULL, *list;
	const char *rv = a->q.resource_version;

	if (rv && *rv && strcmp(rv, "0")) {
		char *end;
		long long want = strtoll(rv, &end, 10);

		if (*end || want < 0)
			return kube__rest_failf(a, KUBE_EINVAL, "invalid resource version: %s", rv);
		if (want > store_revision(a->c->store))
			return kube__rest_failf(a, KUBE_ETIMEDOUT, "Too large resource version: %lld, "
						"current: %lld", want, (long long)store_revision(a->c->store));
	}
	list = kube__op_list(a->c, a->t.kind, a->t.ns, a->q.label_selector, a->q.field_selector, &st);
	if (list && (a->q.limit > 0 || a->q.cont) && paginate(a, list, &st)) {
		json_decref(list);
		list = NULL;
	}
	if (!list) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	kube__rest_reply(a, 200, list);
	json_decref(list);
}

/* deletecollection: one delete per selected object, then reply with them all. */
struct sweep {
	struct kube_api_call *a;
	json_t *deleted;
	size_t pending;
	int err;
	json_t *st;
};

static void sweep_done(struct sweep *s)
{
	json_t *list;
	char kind[128];

	if (--s->pending)
		return;
	if (s->err) {
		kube__rest_fail(s->a, s->st);
	} else {
		snprintf(kind, sizeof(kind), "%sList", s->a->t.kind->kind);
		list = json_pack("{s:s, s:s, s:{s:s}, s:O}", "kind", kind, "apiVersion", "v1",
				 "metadata", "resourceVersion", "", "items", s->deleted);
		kube__rest_reply(s->a, 200, list);
		json_decref(list);
	}
	json_decref(s->deleted);
	json_decref(s->st);
	free(s);
}

static void one_deleted(int err, const json_t *obj, const json_t *st, void *data)
{
	struct sweep *s = data;

	if (err && err != KUBE_ENOTFOUND && !s->err) {
		s->err = err;
		s->st = json_deep_copy(st);
	} else if (!err) {
		json_array_append_new(s->deleted, json_deep_copy(obj));
	}
	sweep_done(s);
}

void kube__rest_serve_deletecollection(struct kube_api_call *a)
{
	json_t *st = NULL, *list, *it;
	struct sweep *s;
	struct kube_op_opts o = { .dry_run = a->q.dry_run };
	size_t i;

	list = kube__op_list(a->c, a->t.kind, a->t.ns, a->q.label_selector, a->q.field_selector, &st);
	if (!list) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	s = calloc(1, sizeof(*s));
	s->a = a;
	s->deleted = json_array();
	s->pending = 1; /* held until every delete is issued */
	if (a->q.propagation && !strcmp(a->q.propagation, "Foreground"))
		o.propagation = KUBE_PROPAGATION_FOREGROUND;
	else if (a->q.propagation && !strcmp(a->q.propagation, "Orphan"))
		o.propagation = KUBE_PROPAGATION_ORPHAN;
	json_array_foreach(json_object_get(list, "items"), i, it) {
		s->pending++;
		kube__op_delete(a->c, a->t.kind, kube__meta_str(it, "namespace"),
				kube__meta_str(it, "name"), &o, one_deleted, s);
	}
	json_decref(list);
	sweep_done(s);
}
