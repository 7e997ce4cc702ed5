/*
 * Helpers shared by the files of src/core/patch only.
 */
#ifndef KUBE_CORE_PATCH_PATCH_INT_H
#define KUBE_CORE_PATCH_PATCH_INT_H

#include <stdio.h>
#include <jansson.h>
#include "core/patch/patch.h"

/* Print @p v as Go's %v prints the value json.Unmarshal gives for it. */
void kube__go_print(FILE *f, const json_t *v);

/* The same into a malloc'd string (NULL on allocation failure). */
char *kube__go_string(const json_t *v);

/* The Go type name of the decoded value ("map[string]interface {}", "string", ...). */
const char *kube__go_type(const json_t *v);

/*
 * How a list is merged, as structured-merge-diff reads the schema: "map"
 * (associative, keyed by *keys), "set" (scalars by value) or "atomic".
 * Lists with a patch merge key and no list-type count as "map" keyed by it.
 */
enum kube_list_kind { KUBE_LIST_ATOMIC, KUBE_LIST_MAP, KUBE_LIST_SET };
#define KUBE_LIST_MAX_KEYS 8
/* How the list schema @p s merges (ATOMIC also for NULL or a non-array);
 * for MAP, fills @p keys with its key field names (NULL-terminated, owned by
 * the schema). Never fails. */
enum kube_list_kind kube__list_kind(const struct kube_schema *s,
				    const char *keys[KUBE_LIST_MAX_KEYS]);

/* The schema of child @p key of a node typed @p s (NULL: untyped). */
const struct kube_schema *kube__child_schema(const struct kube_schema *s, const char *key);

/* The path element of list item @p item of a list typed @p s: "k:{...}"
 * (key fields sorted, compact JSON), "v:<json>" or "i:<index>"; malloc'd. */
char *kube__list_item_pe(const struct kube_schema *s, const json_t *item, size_t index);

/* The child node for path element @p pe, created when missing (borrowed). */
json_t *kube__fieldset_child(json_t *node, const char *pe);

/* Mark @p node a member of its set. */
void kube__fieldset_mark(json_t *node);

#endif
