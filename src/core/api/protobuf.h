/*
 * Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf)
 * to JSON trees.
 *
 * A body is the magic "k8s\0" followed by a runtime.Unknown whose typeMeta
 * names the object's apiVersion and kind and whose raw field holds the
 * object encoded with the upstream generated.proto messages. Decoding gives
 * the JSON the same object would have had through Go's encoding/json (what
 * kubectl sends when it speaks JSON), so everything after the decode takes
 * the ordinary JSON path. See docs/internals/protobuf.md.
 */
#ifndef KUBE_CORE_API_PROTOBUF_H
#define KUBE_CORE_API_PROTOBUF_H

#include <stddef.h>
#include <jansson.h>

/*
 * Decode a protobuf request body. Returns a new JSON object with kind and
 * apiVersion from the body's typeMeta, or NULL and, when st is non-NULL, a
 * new 400 BadRequest Status in *st (owned by the caller) whose message is the
 * API server's for a body its protobuf serializer rejects:
 *   provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]
 *   unexpected EOF                       (the envelope itself is cut short)
 *   ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field Metadata
 *   Foo in version "v1" cannot be handled as a Foo: no kind "Foo" is registered
 *     for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"
 * (NULL with no Status only on allocation failure.)
 */
json_t *kube__proto_decode(const void *body, size_t len, json_t **st);

/*
 * As kube__proto_decode, for a request to an endpoint serving @p api_version
 * and @p kind (either may be NULL): they fill in a typeMeta that lacks them,
 * as upstream's decoder defaults from the endpoint's kind, and name the
 * expected kind in errors the way the API server does:
 *   Pod in version "v1" cannot be handled as a ConfigMap: ...
 *   the object provided is unrecognized (must be of type ConfigMap): unexpected EOF (6b3873000a0f...)
 * The result's kind may still differ from @p kind; the caller checks that.
 */
json_t *kube__proto_decode_as(const void *body, size_t len, const char *api_version,
			      const char *kind, json_t **st);

/* 1 if objects of @p api_version ("v1", "apps/v1") and @p kind ("Deployment")
 * can be decoded from protobuf, 0 otherwise (a custom resource, an unknown
 * kind): the API server answers such a body with 415 as upstream does for
 * custom resources. */
int kube__proto_is_supported(const char *api_version, const char *kind);

#endif
