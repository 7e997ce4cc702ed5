/*
 * The selection of a list or watch: a label selector and a field selector
 * (restricted to the fields the kind supports), and how a watch on a
 * selection reports a change, as upstream's watch cache does: an object
 * modified into the selection is ADDED, modified out of it DELETED.
 */
#ifndef KUBE_CORE_OBJFILTER_H
#define KUBE_CORE_OBJFILTER_H

#include <stdbool.h>
#include <jansson.h>
#include "core/registry.h"
#include "storage/store.h"

struct kube_objfilter {
	struct kube_labelsel *ls;  /* NULL: every label set */
	struct kube_fieldsel *fs;  /* NULL: every object */
};

/*
 * Parse the selectors (NULL or "" select everything) for objects of @p k.
 * Returns 0, or KUBE_EINVAL with a 400 Status in *st (syntax, or
 * `field label not supported: X`); nothing to free then.
 */
int kube__objfilter_parse(struct kube_objfilter *f, const struct kube_kind *k,
			  const char *labels, const char *fields, json_t **st);

/* Free what the filter holds (it may be zeroed or already freed). */
void kube__objfilter_free(struct kube_objfilter *f);

/* True when @p obj (NULL: false) is selected. */
bool kube__objfilter_match(const struct kube_objfilter *f, const json_t *obj);

/* The watch event type ("ADDED", "MODIFIED", "DELETED") a filtered watch
 * reports for a store event, or NULL when it reports nothing. */
const char *kube__objfilter_event(const struct kube_objfilter *f, enum store_event type,
				  const json_t *obj, const json_t *prev);

#endif
