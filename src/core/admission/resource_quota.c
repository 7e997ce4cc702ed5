/*
 * ResourceQuota, as upstream's plugin (the last in the chain): a write that
 * adds usage in a namespace with quotas is refused when the usage it adds,
 * on top of what the namespace uses now, exceeds a quota's hard limit
 * ("exceeded quota: ..."), or when a pod leaves a constrained compute
 * resource unspecified ("failed quota: ..."). Usage is computed from the
 * store at admission (quota.h), so there is nothing to record: a dry run
 * and a real write are judged alike, and status.used follows from the
 * resourcequota controller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission/plugin_util.h"
#include "core/admission/quota.h"
#include "core/ops.h"

static bool is_core(const struct kube_admission *a, const char *kind)
{
	return !*a->k->group && !strcmp(a->k->kind, kind);
}

/* Evaluator.Handles: pods and counted objects on create; services and claims on update too. */
static bool handles(const struct kube_admission *a)
{
	if (a->status || !a->k->namespaced)
		return false;
	if (a->op == KUBE_ADMIT_CREATE)
		return true;
	return is_core(a, "Service") || is_core(a, "PersistentVolumeClaim");
}

/* The pod evaluator's Constraints: each container names every constrained compute resource. */
static const char *const validation_set[] = {
	"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", NULL,
};

static void container_missing(const json_t *c, const json_t *hard, json_t *missing)
{
	json_t *r = json_object_get(c, "resources"), *usage = json_object(), *names;
	const char *name = json_string_value(json_object_get(c, "name"));

	kube__quota_container_usage(usage, json_object_get(r, "requests"), json_object_get(r, "limits"));
	for (int i = 0; validation_set[i]; i++) {
		if (!json_object_get(hard, validation_set[i]) || json_object_get(usage, validation_set[i]))
			continue;
		names = json_object_get(missing, validation_set[i]);
		if (!names) {
			names = json_object();
			json_object_set_new(missing, validation_set[i], names);
		}
		json_object_set_new(names, name ? name : "", json_true());
	}
	json_decref(usage);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted keys of @p obj joined by @p sep into buf. */
static void join_keys(const json_t *obj, const char *sep, char *buf, size_t len)
{
	const char *keys[256], *k;
	size_t n = 0;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
		if (n < 256)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	*buf = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strncat(buf, sep, len - strlen(buf) - 1);
		strncat(buf, keys[i], len - strlen(buf) - 1);
	}
}

static int check_constraints(struct kube_admission *a, const json_t *quota, const json_t *hard,
			     json_t **st)
{
	static const char *const lists[] = { "containers", "initContainers", NULL };
	json_t *spec = json_object_get(a->obj, "spec"), *missing = json_object(), *c, *names;
	char msg[2048] = "", names_s[1024];
	const char *res;
	size_t i;
	int err = 0;

	for (int l = 0; lists[l]; l++)
		json_array_foreach(json_object_get(spec, lists[l]), i, c)
			container_missing(c, hard, missing);
	if (json_object_size(missing)) {
		char order[512];
		char *save, *tok;

		join_keys(missing, "\n", order, sizeof(order));
		for (tok = strtok_r(order, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			res = tok;
			names = json_object_get(missing, res);
			join_keys(names, ",", names_s, sizeof(names_s));
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s%s for: %s",
				 *msg ? "; " : "", res, names_s);
		}
		err = kube__admit_forbidden(a, st, "failed quota: %s: must specify %s",
					    kube__meta_str(quota, "name"), msg);
	}
	json_decref(missing);
	return err;
}

/* Usage the write adds: all of it on create, the growth on update. */
static json_t *delta_usage(const struct kube_admission *a)
{
	json_t *delta = kube__quota_usage_of(a->k, a->obj), *prev, *v;
	struct kube_quantity q, p;
	const char *res;
	void *tmp;

	if (a->op != KUBE_ADMIT_UPDATE)
		return delta;
	prev = kube__quota_usage_of(a->k, a->old);
	json_object_foreach_safe(delta, tmp, res, v) {
		if (!kube__rl_get(delta, res, &q))
			continue;
		if (kube__rl_get(prev, res, &p))
			kube__quantity_sub(&q, &p);
		if (q.num <= 0)
			json_object_del(delta, res);
		else
			kube__rl_set(delta, res, &q);
	}
	json_decref(prev);
	return delta;
}

/* used + delta <= hard for every limited resource the write uses. */
static int check_quota(struct kube_admission *a, const json_t *quota, const json_t *delta,
		       json_t **st)
{
	const json_t *hard = json_object_get(json_object_get(quota, "spec"), "hard");
	json_t *used, *req, *usedm, *hardm, *v;
	struct kube_quantity q, u, h;
	const char *res;
	int err = 0;

	if (is_core(a, "Pod") && a->op == KUBE_ADMIT_CREATE) {
		err = check_constraints(a, quota, hard, st);
		if (err)
			return err;
	}
	used = kube__quota_used(a->c, kube__meta_str(a->obj, "namespace"), quota, hard);
	req = json_object(), usedm = json_object(), hardm = json_object();
	json_object_foreach((json_t *)delta, res, v) {
		if (!kube__rl_get(hard, res, &h) || !kube__rl_get(delta, res, &q))
			continue;
		if (!kube__rl_get(used, res, &u))
			kube__quantity_parse("0", &u);
		kube__quantity_add(&u, &q);
		if (kube__quantity_cmp(&u, &h) <= 0)
			continue;
		json_object_set(req, res, v);
		json_object_set(usedm, res, json_object_get(used, res));
		json_object_set(hardm, res, json_object_get(hard, res));
	}
	if (json_object_size(req)) {
		char *r = kube__rl_pretty(req), *us = kube__rl_pretty(usedm), *hs = kube__rl_pretty(hardm);

		err = kube__admit_forbidden(a, st, "exceeded quota: %s, requested: %s, used: %s, "
					    "limited: %s", kube__meta_str(quota, "name"), r ? r : "",
					    us ? us : "", hs ? hs : "");
		free(r), free(us), free(hs);
	}
	json_decref(used), json_decref(req), json_decref(usedm), json_decref(hardm);
	return err;
}

struct quotas {
	const json_t *items[64];
	size_t n;
};

static int collect(const char *key, const json_t *q, void *data)
{
	struct quotas *qs = data;

	(void)key;
	if (qs->n < 64)
		qs->items[qs->n++] = q;
	return 0;
}

static int rq_validate(struct kube_admission *a, json_t **st)
{
	const struct kube_kind *rqk = kube__registry_by_gvk("v1", "ResourceQuota");
	struct quotas qs = { .n = 0 };
	char *prefix;
	json_t *delta;
	int err = 0;

	if (!handles(a))
		return 0;
	prefix = kube__key_prefix(rqk, kube__meta_str(a->obj, "namespace"));
	if (prefix)
		store_list(a->c->store, prefix, collect, &qs);
	free(prefix);
	if (!qs.n)
		return 0;
	delta = delta_usage(a);
	for (size_t i = 0; i < qs.n && !err; i++) {
		if (!json_object_size(delta) && !is_core(a, "Pod"))
			break;
		if (kube__quota_selects(qs.items[i], a->k, a->obj))
			err = check_quota(a, qs.items[i], delta, st);
	}
	json_decref(delta);
	return err;
}

const struct kube_admission_plugin kube__admission_resource_quota = {
	.name = "ResourceQuota",
	.validate = rq_validate,
};
