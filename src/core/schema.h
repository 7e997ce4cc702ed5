/*
 * OpenAPI schemas, generated at build time from the upstream OpenAPI v3
 * documents (../shared/openapi/v3) into compact C tables by tools/schemagen.
 * Used for strict field validation, type checks and (later) strategic merge
 * patch: each object field knows its type, its element/definition, and the
 * x-kubernetes list-type / merge key / patch strategy.
 */
#ifndef KUBE_CORE_SCHEMA_H
#define KUBE_CORE_SCHEMA_H

#include <stdbool.h>
#include <jansson.h>

/* What a schema node accepts. */
enum kube_schema_type {
	KUBE_SCHEMA_ANY = 0,     /* no constraint (x-kubernetes-preserve-unknown-fields, RawExtension) */
	KUBE_SCHEMA_OBJECT,      /* fixed properties; unknown ones are errors */
	KUBE_SCHEMA_MAP,         /* additionalProperties: string keys, one value type */
	KUBE_SCHEMA_ARRAY,
	KUBE_SCHEMA_STRING,
	KUBE_SCHEMA_INTEGER,
	KUBE_SCHEMA_NUMBER,
	KUBE_SCHEMA_BOOLEAN,
	KUBE_SCHEMA_INT_OR_STRING, /* IntOrString */
	KUBE_SCHEMA_QUANTITY,      /* resource.Quantity: string or number */
	KUBE_SCHEMA_TIME,          /* metav1.Time: RFC 3339 string (or null) */
};

struct kube_schema;

/* The schema of a definition by its OpenAPI name ("io.k8s.api.core.v1.Pod"); NULL if unknown. */
const struct kube_schema *kube__schema_find(const char *definition);

/* The OpenAPI definition a node is or refers to ("io.k8s.api.core.v1.PodSpec"),
 * "" for an inline schema. */
const char *kube__schema_name(const struct kube_schema *s);

/* A node's type. */
enum kube_schema_type kube__schema_type(const struct kube_schema *s);

/* For OBJECT: the schema of property @p name, NULL if no such property. */
const struct kube_schema *kube__schema_prop(const struct kube_schema *s, const char *name);

/* For ARRAY and MAP: the element schema. */
const struct kube_schema *kube__schema_items(const struct kube_schema *s);

/* For a field of type ARRAY: x-kubernetes-patch-merge-key (or "" ), patch strategy ("merge", "replace", "retainKeys", "merge,retainKeys" or ""), list-type ("atomic", "set", "map" or ""), list-map-keys (NULL-terminated or NULL). */
const char *kube__schema_merge_key(const struct kube_schema *s);
const char *kube__schema_patch_strategy(const struct kube_schema *s);
const char *kube__schema_list_type(const struct kube_schema *s);
const char *const *kube__schema_list_map_keys(const struct kube_schema *s);

/*
 * Check @p obj against definition @p s the way the API server's strict
 * decoder (sigs.k8s.io/json into the Go types) does. Appends the path
 * ("spec.ClusterIP", "spec.template.spec.containers[0].imagePullPolicyy",
 * "metadata.labels.x" for map keys) of each unknown field to @p unknown (a
 * JSON array of strings, at most 100 as upstream), and a
 * FieldValueTypeInvalid cause (status.h) for each value the Go types cannot
 * hold to @p causes, in document order. The cause's field is the strict path
 * and its message the decoder's error text, which the API server returns as
 * a 400 BadRequest (it never reaches field validation):
 *   `json: cannot unmarshal string into Go struct field
 *    DeploymentSpec.spec.replicas of type int32`
 *   `quantities must match the regular expression '...'` (bad Quantity)
 *   `parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`
 *   `illegal base64 data at input byte 4` (format: byte, e.g. Secret data)
 * JSON null is accepted anywhere. Named Go string and int types (v1.Protocol)
 * are reported by their underlying type. Either array may be NULL to skip
 * that report.
 */
void kube__schema_check(const struct kube_schema *s, const json_t *obj,
			json_t *unknown, json_t *causes);

/* Remove from @p obj every field kube__schema_check would report as unknown
 * (fieldValidation Warn and Ignore: the decoder drops them). */
void kube__schema_prune(const struct kube_schema *s, json_t *obj);

#endif
