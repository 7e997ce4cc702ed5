/*
 * Walking a manifest's documents through the admission path (docs_call.h).
 */
#include <stdlib.h>
#include <string.h>
#include "core/codec.h"
#include "core/docs_call.h"
#include "core/ops.h"
#include "core/status.h"

static void next_doc(struct kube_docs_call *d)
{
	json_t *doc, *st = NULL;
	const struct kube_kind *k;

	if (d->next >= json_array_size(d->docs)) {
		kube__call_finish(&d->call, 0, NULL);
		return;
	}
	doc = json_array_get(d->docs, d->next);
	k = kube__kind_of(doc, &st);
	if (!k) {
		kube__call_finish(&d->call, kube__errno_of_status(st), st);
		return;
	}
	d->each(d, k, doc);
}

void kube__docs_done(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_docs_call *d = data;

	if (err) {
		kube__call_finish(&d->call, err, json_deep_copy(st));
		return;
	}
	json_array_append_new(d->results, json_deep_copy(obj));
	d->next++;
	next_doc(d);
}

static void docs_run(struct kube_call *call)
{
	next_doc((struct kube_docs_call *)call);
}

int kube__docs_run(kube_cluster *c, struct kube_docs_call *d, const char *manifest, bool single,
		   char **out)
{
	json_t *st = NULL;
	int err;

	if (out)
		*out = NULL;
	if (!manifest) {
		kube__set_last_status(kube__status_new(KUBE_EINVAL, "no manifest given", NULL));
		return KUBE_EINVAL;
	}
	d->docs = kube__parse_docs(manifest, strlen(manifest), &st);
	if (!d->docs) {
		kube__set_last_status(st);
		return KUBE_EINVAL;
	}
	if (single && json_array_size(d->docs) != 1) {
		json_decref(d->docs);
		kube__set_last_status(kube__status_new(KUBE_EINVAL,
						       "exactly one object must be given", NULL));
		return KUBE_EINVAL;
	}
	d->call.run = docs_run;
	d->next = 0;
	d->results = json_array();
	err = kube__call(c, &d->call);
	if (!err && out && !(*out = kube__emit_json_items(d->results)))
		err = KUBE_ENOMEM;
	json_decref(d->docs);
	json_decref(d->results);
	return err;
}
