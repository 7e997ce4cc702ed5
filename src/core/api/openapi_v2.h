/*
 * OpenAPI v2 at /openapi/v2: the Swagger 2.0 document kube-apiserver
 * serves, built at build time from the v3 documents (tools/openapi_v2gen.c)
 * and embedded in two forms, the JSON text and the gnostic
 * openapi_v2.Document protobuf, each one gzip member. kubectl fetches the
 * protobuf for client-side validation (a `kind: List`, or when the v3
 * fieldValidation check fails). See docs/internals/discovery.md.
 */
#ifndef KUBE_CORE_API_OPENAPI_V2_H
#define KUBE_CORE_API_OPENAPI_V2_H

#include <stddef.h>

/* One embedded form of the document (written by tools/openapi_v2gen.c). */
struct kube_openapi_v2_blob {
	const unsigned char *gz; /* the bytes as one gzip member */
	size_t gz_len;           /* bytes in gz */
	size_t len;              /* bytes once inflated */
};

extern const struct kube_openapi_v2_blob kube__openapi_v2_json; /* compact JSON text */
extern const struct kube_openapi_v2_blob kube__openapi_v2_pb;   /* openapi.v2.Document */
/* Upper-case hex SHA-512 of the JSON text, kube-openapi's computeETag; the
 * ETag header of both forms, quoted. */
extern const char kube__openapi_v2_etag[];

/* The forms a client can ask for. */
enum kube_openapi_v2_form {
	KUBE_OPENAPI_V2_JSON,     /* application/json */
	KUBE_OPENAPI_V2_PROTOBUF, /* application/com.github.proto-openapi.spec.v2.v1.0+protobuf */
};

/*
 * Pick the form an Accept header asks for, as kube-openapi's handler does:
 * clauses by falling q (exact types before wildcards), the first that
 * matches application/json, the deprecated
 * com.github.proto-openapi.spec.v2@v1.0+protobuf or
 * com.github.proto-openapi.spec.v2.v1.0+protobuf wins. NULL or "" means
 * any. Returns the form and sets *ctype (static) to the Content-Type to
 * answer with (the protobuf always under its current name), or
 * KUBE_EUNSUPPORTED when nothing matches (upstream answers 406).
 */
int kube__openapi_v2_negotiate(const char *accept, const char **ctype);

/* The embedded blob of @p form (static). */
const struct kube_openapi_v2_blob *kube__openapi_v2_doc(enum kube_openapi_v2_form form);

/*
 * The bytes of @p form inflated, in a buffer the caller free()s (a NUL
 * follows them, not counted in *len_out). KUBE_ENOMEM, or KUBE_EINTERNAL
 * should the embedded member not inflate to its recorded size.
 */
int kube__openapi_v2_inflate(enum kube_openapi_v2_form form, char **out, size_t *len_out);

struct kube_api_call;

/*
 * Answer GET /openapi/v2 on @p a and free it: the negotiated form with
 * "Vary: Accept" and the quoted ETag, the stored gzip member as is when the
 * client accepts gzip, 304 for a matching If-None-Match, 406 with no body
 * when the Accept header names no form served.
 */
void kube__rest_serve_openapi_v2(struct kube_api_call *a);

#endif
