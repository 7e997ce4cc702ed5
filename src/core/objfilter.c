/*
 * Selections of lists and watches (objfilter.h).
 */
#include <string.h>
#include "core/objfilter.h"
#include "core/ops.h"
#include "core/selector.h"
#include "core/status.h"

int kube__objfilter_parse(struct kube_objfilter *f, const struct kube_kind *k,
			  const char *labels, const char *fields, json_t **st)
{
	char err[256];

	memset(f, 0, sizeof(*f));
	if (labels && *labels && !(f->ls = kube__labelsel_parse(labels, err, sizeof(err))))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "%s", err);
	if (fields && *fields && !(f->fs = kube__fieldsel_parse(fields, err, sizeof(err)))) {
		kube__objfilter_free(f);
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "%s", err);
	}
	if (kube__fieldsel_check(k, f->fs, st)) {
		kube__objfilter_free(f);
		return KUBE_EINVAL;
	}
	return 0;
}

void kube__objfilter_free(struct kube_objfilter *f)
{
	kube__labelsel_free(f->ls);
	kube__fieldsel_free(f->fs);
	f->ls = NULL;
	f->fs = NULL;
}

bool kube__objfilter_match(const struct kube_objfilter *f, const json_t *obj)
{
	if (!obj)
		return false;
	if (f->ls && !kube__labelsel_match(f->ls, json_object_get(json_object_get(obj, "metadata"), "labels")))
		return false;
	return !f->fs || kube__fieldsel_match(f->fs, obj);
}

const char *kube__objfilter_event(const struct kube_objfilter *f, enum store_event type,
				  const json_t *obj, const json_t *prev)
{
	bool now = kube__objfilter_match(f, obj), before = kube__objfilter_match(f, prev);

	if (type == STORE_ADDED)
		return now ? "ADDED" : NULL;
	if (type == STORE_DELETED)
		return now || before ? "DELETED" : NULL;
	if (now)
		return before ? "MODIFIED" : "ADDED";
	return before ? "DELETED" : NULL;
}
