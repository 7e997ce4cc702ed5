/*
 * Name format checks returning every upstream message (a name can be both
 * too long and malformed). Private to src/core: validate*.c, labelsel.c
 * and kinds/names.c (which wraps them for kinds/); the single-message
 * forms are in core/validate.h.
 */
#ifndef KUBE_CORE_VALIDATE_NAMES_H
#define KUBE_CORE_VALIDATE_NAMES_H

#include <stdbool.h>
#include <jansson.h>

#define KUBE_NAME_MAX_ERRS 4

/* Messages found so far; msg[i] points to a static string or into buf. */
struct kube_name_errs {
	int n;                                /* number of messages */
	const char *msg[KUBE_NAME_MAX_ERRS];  /* the messages, upstream's order */
	char buf[KUBE_NAME_MAX_ERRS][64];     /* room for "must be no more than N characters" */
};

/* Each appends the messages for @p s to @p e and returns e->n. */
int kube__names_dns1123_label(const char *s, struct kube_name_errs *e);
int kube__names_dns1123_subdomain(const char *s, struct kube_name_errs *e);
int kube__names_dns1035_label(const char *s, struct kube_name_errs *e);
int kube__names_qualified(const char *s, struct kube_name_errs *e);
int kube__names_label_value(const char *s, struct kube_name_errs *e);
/* IsValidPathSegmentName, or IsValidPathSegmentPrefix when @p prefix. */
int kube__names_path_segment(const char *s, bool prefix, struct kube_name_errs *e);

/* ValidateObjectMetaAccessorUpdate: the immutable metadata of @p md (new)
 * against @p old_md, generation not decremented, no new finalizers while
 * the object is being deleted. */
void kube__validate_meta_update(const json_t *md, const json_t *old_md, json_t *causes);

#endif
