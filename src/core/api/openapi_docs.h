/*
 * The OpenAPI v3 documents embedded at build time: tools/openapi_embed.c
 * writes one entry per upstream document into the generated openapi_docs.c,
 * sorted by path. Read only by openapi.c.
 */
#ifndef KUBE_CORE_API_OPENAPI_DOCS_H
#define KUBE_CORE_API_OPENAPI_DOCS_H

#include <stddef.h>

struct kube_openapi_doc {
	const char *path;        /* "api/v1", "apis/apps/v1": the URL below /openapi/v3/ */
	const unsigned char *gz; /* the document as one gzip member */
	size_t gz_len;           /* bytes in gz */
	size_t len;              /* bytes of the JSON text once inflated */
	const char *hash;        /* upper-case hex SHA-512 of the JSON text, as kube-openapi's */
};

extern const struct kube_openapi_doc kube__openapi_docs[]; /* sorted by path (strcmp) */
extern const int kube__openapi_ndocs;

#endif
