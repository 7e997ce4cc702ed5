/*
 * Controller expectations (controller_expectations.h).
 */
#include "core/controllers/controller_expectations.h"
#include "libkube/errors.h"

int kube__exp_init(struct kube_expectations *e)
{
	e->by_owner = json_object();
	return e->by_owner ? 0 : KUBE_ENOMEM;
}

void kube__exp_free(struct kube_expectations *e)
{
	json_decref(e->by_owner);
	e->by_owner = NULL;
}

static json_t *entry(struct kube_expectations *e, const char *owner, int64_t now_ms)
{
	json_t *x = json_object_get(e->by_owner, owner);

	if (!x) {
		x = json_pack("{s:i, s:{}, s:I}", "add", 0, "dels", "at", (json_int_t)now_ms);
		json_object_set_new(e->by_owner, owner, x);
	}
	return x;
}

bool kube__exp_satisfied(struct kube_expectations *e, const char *owner, int64_t now_ms)
{
	json_t *x = json_object_get(e->by_owner, owner);

	if (!x)
		return true;
	if (json_integer_value(json_object_get(x, "add")) <= 0 &&
	    !json_object_size(json_object_get(x, "dels")))
		return true;
	return now_ms - json_integer_value(json_object_get(x, "at")) > KUBE_EXPECTATIONS_TIMEOUT_MS;
}

void kube__exp_expect_creations(struct kube_expectations *e, const char *owner, int n,
				int64_t now_ms)
{
	json_t *x = entry(e, owner, now_ms);

	json_object_set_new(x, "add", json_integer(n));
	json_object_set_new(x, "at", json_integer(now_ms));
}

void kube__exp_expect_deletions(struct kube_expectations *e, const char *owner,
				const json_t *pod_keys, int64_t now_ms)
{
	json_t *x = entry(e, owner, now_ms), *dels = json_object(), *k;
	size_t i;

	json_array_foreach(pod_keys, i, k)
		json_object_set_new(dels, json_string_value(k), json_true());
	json_object_set_new(x, "dels", dels);
	json_object_set_new(x, "at", json_integer(now_ms));
}

void kube__exp_creation_observed(struct kube_expectations *e, const char *owner)
{
	json_t *x = json_object_get(e->by_owner, owner);

	if (x)
		json_object_set_new(x, "add",
				    json_integer(json_integer_value(json_object_get(x, "add")) - 1));
}

void kube__exp_deletion_observed(struct kube_expectations *e, const char *owner,
				 const char *pod_key)
{
	json_t *x = json_object_get(e->by_owner, owner);

	if (x)
		json_object_del(json_object_get(x, "dels"), pod_key);
}

void kube__exp_delete(struct kube_expectations *e, const char *owner)
{
	json_object_del(e->by_owner, owner);
}
