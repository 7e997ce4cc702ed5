/*
 * Table conversion for `kubectl get` (Accept ...;as=Table;v=v1;g=meta.k8s.io):
 * what the apiserver's TableConvertor and handlers.asTable produce from the
 * kind's printer. The registry's row functions always print wide, so every
 * column definition, priority 1 ones included, has a cell in every row.
 */
#include <string.h>
#include "core/api/apimeta.h"

static json_t *column_definitions(const struct kube_kind *k)
{
	json_t *cols = json_array();

	for (int i = 0; cols && i < k->ncolumns; i++) {
		const struct kube_column *c = &k->columns[i];
		json_t *def = json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", c->name, "type", c->type,
					"format", c->format ? c->format : "", "description",
					c->description ? c->description : "", "priority", c->priority);

		if (json_array_append_new(cols, def)) {
			json_decref(cols);
			return NULL;
		}
	}
	return cols;
}

/* The row's "object" for the includeObject policy: PartialObjectMetadata
 * (the whole ObjectMeta, as meta.AsPartialObjectMetadata copies it), the
 * object itself, or null (Go marshals an empty RawExtension as null). */
static json_t *row_object(const json_t *obj, const char *include)
{
	json_t *meta;

	if (!strcmp(include, "Object"))
		return json_deep_copy(obj);
	if (!strcmp(include, "None"))
		return json_null();
	meta = json_object_get(obj, "metadata");
	meta = meta ? json_deep_copy(meta) : json_object();
	return json_pack("{s:s, s:s, s:o}", "kind", "PartialObjectMetadata", "apiVersion",
			 "meta.k8s.io/v1", "metadata", meta);
}

static json_t *table_row(const struct kube_kind *k, const json_t *obj, const char *include,
			 int64_t now_ms)
{
	json_t *cells = json_array();
	json_t *row = json_pack("{s:o, s:o}", "cells", cells, "object", row_object(obj, include));

	if (row && k->row(obj, now_ms, cells)) {
		json_decref(row);
		return NULL;
	}
	return row;
}

/* Copy the ListMeta fields upstream's TableConvertor takes over (a single
 * object lends only its resourceVersion); 0, or -1 on allocation failure. */
static int table_meta(json_t *meta, const json_t *objs, bool is_list)
{
	static const char *const list_keys[] = { "resourceVersion", "continue", "remainingItemCount" };
	const json_t *src = json_object_get(objs, "metadata");

	for (int i = 0; i < (is_list ? 3 : 1); i++) {
		json_t *v = json_object_get(src, list_keys[i]);

		if (v && !(json_is_string(v) && !*json_string_value(v)) &&
		    json_object_set(meta, list_keys[i], v))
			return -1;
	}
	return 0;
}

/*
 * A meta.k8s.io/v1 Table of @p objs (one object, or a List with items) for
 * kind @p k. @p include_object is "Metadata" (also for NULL or ""), "Object"
 * or "None"; NULL is returned for any other value (the caller answers 400
 * `unrecognized includeObject value: "X"` first, as upstream), when a row
 * cannot be printed, or on allocation failure.
 */
json_t *kube__table_from(const struct kube_kind *k, const json_t *objs, const char *include_object,
			 int64_t now_ms)
{
	const char *include = include_object && *include_object ? include_object : "Metadata";
	const json_t *items = json_object_get(objs, "items");
	json_t *rows = json_array(), *table;
	bool is_list = json_is_array(items);

	if (strcmp(include, "Metadata") && strcmp(include, "Object") && strcmp(include, "None")) {
		json_decref(rows);
		return NULL;
	}
	table = json_pack("{s:s, s:s, s:{}, s:o, s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1",
			  "metadata", "columnDefinitions", column_definitions(k), "rows", rows);
	if (!table || table_meta(json_object_get(table, "metadata"), objs, is_list))
		goto free_table;
	for (size_t i = 0; i < (is_list ? json_array_size(items) : 1); i++) {
		const json_t *obj = is_list ? json_array_get(items, i) : objs;

		if (json_array_append_new(rows, table_row(k, obj, include, now_ms)))
			goto free_table;
	}
	return table;

free_table:
	json_decref(table);
	return NULL;
}
