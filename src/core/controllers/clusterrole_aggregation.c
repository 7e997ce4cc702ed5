/*
 * ClusterRole aggregation, as upstream's clusterroleaggregation controller:
 * a ClusterRole with aggregationRule.clusterRoleSelectors gets as rules the
 * union of the rules of every other ClusterRole matching any selector
 * (selectors in order, roles by name, duplicates dropped), rewritten
 * whenever any ClusterRole changes.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/ops.h"
#include "core/selector.h"
#include "core/workqueue.h"

#define CR_PREFIX "rbac.authorization.k8s.io/clusterroles/"

struct agg {
	kube_cluster *c;
	const struct kube_kind *kind;   /* ClusterRole */
	struct store_watch *watch;
	struct kube_workqueue *queue;   /* names of aggregated ClusterRoles */
};

static int enqueue_aggregated(const char *key, const json_t *obj, void *data)
{
	struct agg *a = data;

	(void)key;
	if (json_object_get(obj, "aggregationRule"))
		kube__wq_add(a->queue, kube__meta_str(obj, "name"));
	return 0;
}

/* Any ClusterRole change may change what any aggregated role selects. */
static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct agg *a = data;

	(void)type, (void)rev, (void)key, (void)obj, (void)prev;
	store_list(a->c->store, CR_PREFIX, enqueue_aggregated, a);
}

/* A rule as Go serialises a PolicyRule: empty lists omitted (so that
 * equality is upstream's semantic equality, nil == empty). */
static json_t *norm_rule(const json_t *rule)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)rule, k, v)
		if (!(json_is_array(v) && !json_array_size(v)) && !json_is_null(v))
			json_object_set(out, k, v);
	return out;
}

static bool has_rule(const json_t *rules, const json_t *rule)
{
	size_t i;
	json_t *r;

	json_array_foreach(rules, i, r)
		if (json_equal(r, rule))
			return true;
	return false;
}

static void add_rules(json_t *into, const json_t *rules)
{
	size_t i;
	json_t *r;

	json_array_foreach(rules, i, r) {
		json_t *n = norm_rule(r);

		if (!has_rule(into, n))
			json_array_append(into, n);
		json_decref(n);
	}
}

struct collect {
	const char *self;
	const struct kube_labelsel *sel;
	json_t *rules;
};

static int collect_one(const char *key, const json_t *obj, void *data)
{
	struct collect *col = data;
	const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");

	(void)key;
	if (strcmp(kube__meta_str(obj, "name"), col->self) &&
	    kube__labelsel_match(col->sel, labels))
		add_rules(col->rules, json_object_get(obj, "rules"));
	return 0;
}

/* The aggregated rules of @p role (new array), or NULL on a bad selector. */
static json_t *aggregate(struct agg *a, const json_t *role)
{
	const json_t *sels = json_object_get(json_object_get(role, "aggregationRule"),
					     "clusterRoleSelectors");
	struct collect col = { .self = kube__meta_str(role, "name"), .rules = json_array() };
	size_t i;
	json_t *s;
	char err[256];

	json_array_foreach(sels, i, s) {
		struct kube_labelsel *sel = kube__labelsel_from_json(s, err, sizeof(err));

		if (!sel) {
			kube__log(a->c, "clusterrole-aggregation: %s: %s", col.self, err);
			json_decref(col.rules);
			return NULL;
		}
		col.sel = sel;
		store_list(a->c->store, CR_PREFIX, collect_one, &col);
		kube__labelsel_free(sel);
	}
	return col.rules;
}

static bool same_rules(const json_t *have, const json_t *want)
{
	json_t *norm = json_array();
	bool same;

	add_rules(norm, have);
	same = json_equal(norm, want);
	json_decref(norm);
	return same;
}

static void written(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)err, (void)obj, (void)st, (void)data;
	/* a conflict means the role changed: its watch event queues it again */
}

static int process(const char *name, void *data)
{
	struct agg *a = data;
	const json_t *role = kube__op_get(a->c, a->kind, NULL, name, NULL);
	json_t *rules, *copy;

	if (!role || !json_object_get(role, "aggregationRule"))
		return 0;
	rules = aggregate(a, role);
	if (!rules)
		return 0; /* a bad selector does not heal by retrying */
	if (same_rules(json_object_get(role, "rules"), rules)) {
		json_decref(rules);
		return 0;
	}
	copy = json_deep_copy(role);
	json_object_set_new(copy, "rules", rules);
	kube__op_update(a->c, a->kind, NULL, copy, NULL, written, NULL);
	return 0;
}

static void agg_stop(void *state)
{
	struct agg *a = state;

	store_watch_cancel(a->watch);
	kube__wq_free(a->queue);
	free(a);
}

static int agg_start(kube_cluster *c, void **state)
{
	struct agg *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return KUBE_ENOMEM;
	a->c = c;
	a->kind = kube__registry_by_gvk("rbac.authorization.k8s.io/v1", "ClusterRole");
	a->queue = kube__wq_new(c->loop, process, a);
	err = !a->kind ? KUBE_EINTERNAL : !a->queue ? KUBE_ENOMEM : 0;
	if (err) {
		if (a->queue)
			kube__wq_free(a->queue);
		free(a);
		return err;
	}
	store_list(c->store, CR_PREFIX, enqueue_aggregated, a);
	err = store_watch(c->store, CR_PREFIX, store_revision(c->store), on_event, a, &a->watch);
	if (err) {
		kube__wq_free(a->queue);
		free(a);
		return err;
	}
	*state = a;
	return 0;
}

const struct kube_controller_ops kube__clusterrole_aggregation_controller = {
	.name = "clusterrole-aggregation",
	.start = agg_start,
	.stop = agg_stop,
};
