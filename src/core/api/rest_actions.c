/*
 * POST to subresources: pods/binding (assign a node), pods/eviction
 * (delete unless a PodDisruptionBudget forbids it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "core/ops_bind.h"
#include "core/selector.h"
#include "core/status.h"

static void reply_created(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_api_call *a = data;
	json_t *ok;

	(void)obj;
	if (err) {
		kube__rest_fail(a, st);
		return;
	}
	ok = json_pack("{s:s, s:s, s:{}, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
		       "metadata", "status", "Success", "code", 201);
	a->t.kind = NULL;
	kube__rest_reply(a, 201, ok);
	json_decref(ok);
}

/* pods/binding: upstream's assignPod, shared with the scheduler. */
static void bind_pod(struct kube_api_call *a, json_t *body)
{
	const json_t *meta = json_object_get(body, "metadata");
	const char *node = json_string_value(json_object_get(json_object_get(body, "target"), "name"));

	kube__bind_pod(a->c, a->t.ns, a->t.name, node, json_object_get(meta, "annotations"),
		       json_string_value(json_object_get(meta, "uid")), reply_created, a);
}

struct pdb_check {
	const json_t *pod;
	const json_t *pdb;      /* the one budget covering the pod */
	int matches;            /* how many budgets cover it */
};

static int check_pdb(const char *key, const json_t *pdb, void *data)
{
	struct pdb_check *p = data;
	char err[256];
	struct kube_labelsel *sel;

	(void)key;
	sel = kube__labelsel_from_json(json_object_get(json_object_get(pdb, "spec"), "selector"),
				       err, sizeof(err));
	if (sel && kube__labelsel_match(sel, json_object_get(json_object_get(p->pod, "metadata"), "labels"))) {
		p->pdb = pdb;
		p->matches++;
	}
	kube__labelsel_free(sel);
	return 0;
}

static void evict_fail(struct kube_api_call *a, int err, const char *msg, const char *cause)
{
	json_t *st = NULL;

	kube__fail(&st, err, NULL, NULL, NULL, "%s", msg);
	if (cause)
		json_object_set_new(st, "details", json_pack("{s:[{s:s, s:s}]}", "causes", "reason",
							     "DisruptionBudget", "message", cause));
	kube__rest_fail(a, st);
	json_decref(st);
}

static void budget_taken(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_api_call *a = data;

	(void)obj;
	if (err)
		return kube__rest_fail(a, st);
	kube__op_delete(a->c, a->t.kind, a->t.ns, a->t.name, NULL, reply_created, a);
}

/* pods/eviction, as upstream's: 429 when the pod's PodDisruptionBudget allows
 * no disruption; otherwise take one disruption from the budget (status
 * disruptionsAllowed - 1, disruptedPods[pod]) and delete the pod. */
static void evict(struct kube_api_call *a)
{
	const struct kube_kind *pdbk = kube__registry_by_gvk("policy/v1", "PodDisruptionBudget");
	json_t *st = NULL, *budget, *status, *disrupted;
	const json_t *pod = kube__op_get(a->c, a->t.kind, a->t.ns, a->t.name, &st);
	struct pdb_check p = { .pod = pod };
	struct kube_op_opts o = { .status = true, .dry_run = a->q.dry_run };
	char *prefix, ts[32];

	if (!pod) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	prefix = kube__key_prefix(pdbk, a->t.ns);
	store_list(a->c->store, prefix, check_pdb, &p);
	free(prefix);
	if (!p.matches)
		return kube__op_delete(a->c, a->t.kind, a->t.ns, a->t.name, NULL, reply_created, a);
	if (p.matches > 1)
		return evict_fail(a, KUBE_EINTERNAL, "This pod has more than one PodDisruptionBudget, "
				  "which the eviction subresource does not support.", NULL);
	status = json_object_get(p.pdb, "status");
	if (json_integer_value(json_object_get(status, "disruptionsAllowed")) <= 0) {
		char cause[512];

		snprintf(cause, sizeof(cause), "The disruption budget %s needs %lld healthy pods and has "
			 "%lld currently", kube__meta_str(p.pdb, "name"),
			 (long long)json_integer_value(json_object_get(status, "desiredHealthy")),
			 (long long)json_integer_value(json_object_get(status, "currentHealthy")));
		return evict_fail(a, KUBE_ETOOMANY, "Cannot evict pod as it would violate the pod's "
				  "disruption budget.", cause);
	}
	budget = json_deep_copy(p.pdb);
	status = json_object_get(budget, "status");
	json_object_set_new(status, "disruptionsAllowed",
			    json_integer(json_integer_value(json_object_get(status, "disruptionsAllowed")) - 1));
	disrupted = json_object_get(status, "disruptedPods");
	if (!json_is_object(disrupted)) {
		disrupted = json_object();
		json_object_set_new(status, "disruptedPods", disrupted);
	}
	json_object_set_new(disrupted, a->t.name, json_string(kube__rfc3339(kube__now_ms(a->c), ts, sizeof(ts))));
	kube__op_update(a->c, pdbk, a->t.ns, budget, &o, budget_taken, a);
}

void kube__rest_serve_action(struct kube_api_call *a)
{
	json_t *st = NULL, *body;

	if (!strcmp(a->t.subresource, "eviction"))
		return evict(a);
	body = kube__rest_decode_body(a, &st);
	if (!body) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	if (!strcmp(a->t.subresource, "binding"))
		bind_pod(a, body);
	else if (!strcmp(a->t.subresource, "token"))
		kube__rest_serve_token(a, body);
	else
		kube__rest_failf(a, KUBE_EMETHOD, "the server does not allow this method on the requested resource");
	json_decref(body);
}
