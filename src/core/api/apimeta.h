/*
 * What the API server says about itself, built from the registry: version,
 * discovery documents (aggregated and legacy), the OpenAPI documents, and
 * Table conversion for `kubectl get`. Pure functions; no I/O on the loop.
 */
#ifndef KUBE_CORE_API_APIMETA_H
#define KUBE_CORE_API_APIMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/registry.h"

/* /version: a Kubernetes 1.32 version.Info (major "1", minor "32", gitVersion "v1.32.x", ...). */
json_t *kube__api_version_info(void);

/*
 * Aggregated discovery (Accept application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList):
 * for /api (core=true) or /apis (core=false), an APIGroupDiscoveryList with every
 * resource: resource, responseKind {group, version, kind}, scope
 * (Namespaced/Cluster), singularResource, verbs, shortNames, categories,
 * subresources (each with responseKind and verbs; scale's responseKind is
 * autoscaling/v1 Scale, status's the kind itself, ...).
 */
json_t *kube__discovery_aggregated(bool core);

/* Legacy discovery: /api -> APIVersions, /apis -> APIGroupList,
 * /api/v1 or /apis/GROUP/VERSION -> APIResourceList (resources and
 * "res/sub" entries, with namespaced, kind, verbs, shortNames, categories,
 * singularName, storageVersionHash may be omitted). NULL when the group
 * version is unknown. */
json_t *kube__discovery_api_versions(void);
json_t *kube__discovery_group_list(void);
json_t *kube__discovery_resource_list(const char *group, const char *version);
/* /apis/GROUP -> APIGroup; NULL when unknown. */
json_t *kube__discovery_group(const char *group);

/*
 * OpenAPI v3: the index at /openapi/v3 ({"paths": {"api/v1": {"serverRelativeURL":
 * "/openapi/v3/api/v1?hash=..."}, ...}}) and each document by its path
 * ("api/v1", "apis/apps/v1"). The documents are embedded gzip-compressed at
 * build time from the upstream files. *gz_out and *gz_len give the compressed
 * bytes (static, not to be freed) for a client that accepts gzip, *etag the
 * document's hash (static; the index's ?hash= value, which upstream sends
 * quoted as the ETag header); kube__openapi_v3_inflate gives the JSON text
 * (malloc'd, free()).
 * Return 0 or KUBE_ENOTFOUND.
 */
json_t *kube__openapi_v3_index(void);
int kube__openapi_v3_gzip(const char *path, const void **gz_out, size_t *gz_len,
			  const char **etag);
int kube__openapi_v3_inflate(const char *path, char **json_out, size_t *len_out);

/* Inflate an embedded document (v3 or v2): one gzip member of @p gz_len
 * bytes that must inflate to exactly @p len bytes. *out is malloc'd and
 * NUL-terminated (free()), *len_out (may be NULL) set to @p len. Returns 0,
 * KUBE_ENOMEM, or KUBE_EINTERNAL when the member does not inflate to @p len
 * (a broken build). */
int kube__openapi_gunzip(const void *gz, size_t gz_len, size_t len, char **out,
			 size_t *len_out);

/*
 * Table conversion (Accept ...;as=Table;v=v1;g=meta.k8s.io): a meta.k8s.io/v1
 * Table with columnDefinitions from the kind's columns and one row per object
 * (cells from the kind's row function; object as PartialObjectMetadata
 * {kind: PartialObjectMetadata, apiVersion: meta.k8s.io/v1, metadata} when
 * include_object is "Metadata" (the default), the full object for "Object",
 * none for "None"). @p objs is one object or a List (items). The Table's
 * metadata carries the list's resourceVersion (and continue, when given).
 * NULL on allocation failure.
 */
json_t *kube__table_from(const struct kube_kind *k, const json_t *objs, const char *include_object,
			 int64_t now_ms);

#endif
