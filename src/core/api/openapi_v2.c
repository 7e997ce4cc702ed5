/*
 * OpenAPI v2 serving: content negotiation as kube-openapi's handler does it
 * (goautoneg's ordering of Accept clauses) over the two embedded forms of
 * the document tools/openapi_v2gen.c builds from the v3 documents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/api/openapi_v2.h"
#include "core/api/rest.h"
#include "libkube/errors.h"

#define PB_SUBTYPE "com.github.proto-openapi.spec.v2.v1.0+protobuf"
#define PB_SUBTYPE_DEPRECATED "com.github.proto-openapi.spec.v2@v1.0+protobuf"
#define MAX_CLAUSES 16

/* One media range of an Accept header. */
struct clause {
	char type[64];     /* "application", "*" */
	char subtype[128]; /* "json", "*" */
	double q;          /* quality, 1 unless given */
};

/* The forms in the order kube-openapi tries them for each clause. */
static const struct {
	const char *subtype;
	enum kube_openapi_v2_form form;
} served[] = {
	{ "json", KUBE_OPENAPI_V2_JSON },
	{ PB_SUBTYPE_DEPRECATED, KUBE_OPENAPI_V2_PROTOBUF },
	{ PB_SUBTYPE, KUBE_OPENAPI_V2_PROTOBUF },
};

/* Copy [s, e) trimmed of spaces into @p out (truncated to @p size). */
static void trim_copy(char *out, size_t size, const char *s, const char *e)
{
	size_t n;

	while (s < e && *s == ' ')
		s++;
	while (e > s && e[-1] == ' ')
		e--;
	n = (size_t)(e - s) < size - 1 ? (size_t)(e - s) : size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Parse one clause [s, e): "type/subtype;q=0.5;k=v". 0, or -1 to skip it
 * (goautoneg drops a range that is neither "*" nor "type/subtype"). */
static int parse_clause(const char *s, const char *e, struct clause *c)
{
	const char *semi = memchr(s, ';', (size_t)(e - s)), *end = semi ? semi : e;
	const char *slash = memchr(s, '/', (size_t)(end - s));

	c->q = 1.0;
	trim_copy(c->type, sizeof(c->type), s, slash ? slash : end);
	if (slash && memchr(slash + 1, '/', (size_t)(end - slash - 1)))
		return -1;
	if (slash)
		trim_copy(c->subtype, sizeof(c->subtype), slash + 1, end);
	else if (!strcmp(c->type, "*"))
		strcpy(c->subtype, "*");
	else
		return -1;
	for (const char *p = semi; p && p < e; p = memchr(p + 1, ';', (size_t)(e - p - 1))) {
		char param[32];
		const char *eq = memchr(p + 1, '=', (size_t)(e - p - 1));

		if (!eq)
			continue;
		trim_copy(param, sizeof(param), p + 1, eq);
		if (!strcmp(param, "q"))
			c->q = strtod(eq + 1, NULL);
	}
	return 0;
}

/* goautoneg's order: higher q first, then concrete types before "*". */
static bool before(const struct clause *a, const struct clause *b)
{
	if (a->q != b->q)
		return a->q > b->q;
	if (strcmp(a->type, "*") && !strcmp(b->type, "*"))
		return true;
	return strcmp(a->subtype, "*") && !strcmp(b->subtype, "*");
}

/* Split @p accept into at most MAX_CLAUSES clauses, sorted (stable). */
static size_t parse_accept(const char *accept, struct clause *cs)
{
	size_t n = 0;

	for (const char *s = accept; s && n < MAX_CLAUSES;) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);
		struct clause c;

		if (!parse_clause(s, e, &c)) {
			size_t i = n++;

			for (; i > 0 && before(&c, &cs[i - 1]); i--)
				cs[i] = cs[i - 1];
			cs[i] = c;
		}
		s = comma ? comma + 1 : NULL;
	}
	return n;
}

static bool matches(const char *want, const char *have)
{
	return !strcmp(want, "*") || !strcmp(want, have);
}

int kube__openapi_v2_negotiate(const char *accept, const char **ctype)
{
	struct clause cs[MAX_CLAUSES];
	size_t n = parse_accept(accept && *accept ? accept : "*/*", cs);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < sizeof(served) / sizeof(served[0]); j++) {
			if (!matches(cs[i].type, "application") || !matches(cs[i].subtype, served[j].subtype))
				continue;
			*ctype = served[j].form == KUBE_OPENAPI_V2_JSON ? "application/json"
									: "application/" PB_SUBTYPE;
			return served[j].form;
		}
	}
	return KUBE_EUNSUPPORTED;
}

const struct kube_openapi_v2_blob *kube__openapi_v2_doc(enum kube_openapi_v2_form form)
{
	return form == KUBE_OPENAPI_V2_PROTOBUF ? &kube__openapi_v2_pb : &kube__openapi_v2_json;
}

int kube__openapi_v2_inflate(enum kube_openapi_v2_form form, char **out, size_t *len_out)
{
	const struct kube_openapi_v2_blob *d = kube__openapi_v2_doc(form);

	return kube__openapi_gunzip(d->gz, d->gz_len, d->len, out, len_out);
}

static bool accepts_gzip(struct kube_api_call *a)
{
	const char *enc = kube__http_req_header(a->req, "Accept-Encoding");

	return enc && strstr(enc, "gzip");
}

/* The body in the negotiated form: stored gzip when the client takes it. */
static void send_form(struct kube_api_call *a, enum kube_openapi_v2_form form, const char *ctype)
{
	const struct kube_openapi_v2_blob *d = kube__openapi_v2_doc(form);
	char *body;
	size_t len;

	kube__http_add_header(a->req, "Vary", "Accept-Encoding");
	if (accepts_gzip(a)) {
		kube__http_add_header(a->req, "Content-Encoding", "gzip");
		kube__http_respond(a->req, 200, ctype, d->gz, d->gz_len);
	} else if (!kube__openapi_v2_inflate(form, &body, &len)) {
		kube__http_respond(a->req, 200, ctype, body, len);
		free(body);
	} else {
		return kube__rest_failf(a, KUBE_EINTERNAL, "cannot read the OpenAPI document");
	}
	kube__rest_call_free(a);
}

void kube__rest_serve_openapi_v2(struct kube_api_call *a)
{
	const char *ctype, *inm = kube__http_req_header(a->req, "If-None-Match");
	int form = kube__openapi_v2_negotiate(kube__http_req_header(a->req, "Accept"), &ctype);
	char etag[160];

	kube__http_add_header(a->req, "Vary", "Accept");
	if (form < 0) {
		kube__http_respond(a->req, 406, NULL, "", 0);
		return kube__rest_call_free(a);
	}
	snprintf(etag, sizeof(etag), "\"%s\"", kube__openapi_v2_etag);
	kube__http_add_header(a->req, "Etag", etag);
	if (inm && !strcmp(inm, etag)) {
		kube__http_respond(a->req, 304, NULL, "", 0);
		return kube__rest_call_free(a);
	}
	send_form(a, (enum kube_openapi_v2_form)form, ctype);
}
