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
	const char *blocking;   /* name of a PDB allowing no disruption */
};

static int check_pdb(const char *key, const json_t *pdb, void *data)
{
	struct pdb_check *p = data;
	char err[256];
	struct kube_labelsel *sel;
	bool hit;

	(void)key;
	sel = kube__labelsel_from_json(json_object_get(json_object_get(pdb, "spec"), "selector"),
				       err, sizeof(err));
	hit = sel && kube__labelsel_match(sel, json_object_get(json_object_get(p->pod, "metadata"), "labels"));
	kube__labelsel_free(sel);
	if (hit && json_integer_value(json_object_get(json_object_get(pdb, "status"),
						      "disruptionsAllowed")) <= 0) {
		p->blocking = kube__meta_str(pdb, "name");
		return 1;
	}
	return 0;
}

/* pods/eviction: 429 when a PodDisruptionBudget allows no disruption. */
static void evict(struct kube_api_call *a)
{
	const struct kube_kind *pdbk = kube__registry_by_gvk("policy/v1", "PodDisruptionBudget");
	json_t *st = NULL;
	const json_t *pod = kube__op_get(a->c, a->t.kind, a->t.ns, a->t.name, &st);
	struct pdb_check p = { .pod = pod };
	char *prefix;

	if (!pod) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	prefix = kube__key_prefix(pdbk, a->t.ns);
	store_list(a->c->store, prefix, check_pdb, &p);
	free(prefix);
	if (p.blocking) {
		kube__fail(&st, KUBE_ETOOMANY, NULL, NULL, NULL,
			   "Cannot evict pod as it would violate the pod's disruption budget.");
		json_object_set_new(st, "details", json_pack("{s:[{s:s, s:s}]}", "causes", "reason",
					"DisruptionBudget", "message",
					"The disruption budget needs more healthy pods to allow this."));
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	kube__op_delete(a->c, a->t.kind, a->t.ns, a->t.name, NULL, reply_created, a);
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
