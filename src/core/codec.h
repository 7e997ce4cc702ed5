/*
 * Text <-> JSON trees. YAML through libyaml, JSON through jansson.
 */
#ifndef KUBE_CORE_CODEC_H
#define KUBE_CORE_CODEC_H

#include <stddef.h>
#include <jansson.h>

/*
 * Parse YAML or JSON text into a JSON array of documents (a new reference).
 * Multi-document YAML gives one element per non-empty document; a document
 * that is `kind: List` (or `*List` with items) is expanded into its items.
 * YAML is read as Kubernetes reads it (sigs.k8s.io/yaml, YAML 1.1 scalars
 * as JSON types): unquoted true/false/yes/no?/null/~/ints/floats resolve to
 * JSON values, quoted scalars stay strings; anchors and aliases are expanded;
 * map keys are strings; duplicate keys are an error.
 * On a syntax error returns NULL and, when st is non-NULL, a 400 BadRequest
 * Status whose message names line and column, e.g.
 * "error converting YAML to JSON: yaml: line 3, column 5: mapping values are not allowed in this context".
 */
json_t *kube__parse_docs(const char *text, size_t len, json_t **st);

/* Serialize @p v as YAML the way kubectl -o yaml prints it (keys in the
 * object's order, 2-space indent, block style, strings quoted only when
 * needed). Returns a malloc'd string or NULL on allocation failure. */
char *kube__emit_yaml(const json_t *v);

/* Serialize as compact JSON (malloc'd). */
char *kube__emit_json(const json_t *v);

/* What the manifest calls (kube_create, kube_apply, kube_server_side_apply...)
 * return: the one object of @p items as compact JSON, or a v1 List of them
 * (metadata.resourceVersion ""). @p items is only referenced. Returns a
 * malloc'd string or NULL on allocation failure. */
char *kube__emit_json_items(json_t *items);

#endif
