/*
 * Pod, Namespace and PodDisruptionBudget feeds.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"
#include "core/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sched_pod *pod_new(struct sched *s, const char *ns, const char *name)
{
	struct sched_pod *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->node = p->nominated = p->heap_idx = p->park_idx = -1;
	p->aff_all = p->owner_matcher = -1;
	p->ns = strdup(ns);
	p->name = strdup(name);
	p->ns_id = sched_intern_id(&s->str, ns);
	if (!p->ns || !p->name || p->ns_id < 0 || asprintf(&p->key, "%s/%s", ns, name) < 0) {
		p->key = NULL;
		free(p->ns);
		free(p->name);
		free(p);
		return NULL;
	}
	return p;
}

/* A bound pod the scheduler assumed there already: confirm it in place. */
static bool confirm_assumed(struct sched_pod *old, const json_t *obj, const char *node,
			    const struct sched *s)
{
	const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");

	if (!old || old->node < 0 || strcmp(s->nodes[old->node].name, node))
		return false;
	/* labels changed (absent counts as empty): re-account with the new ones */
	if (labels ? !json_equal(old->labels, labels) : json_object_size(old->labels) != 0)
		return false;
	old->state = POD_BOUND;
	return true;
}

static int place_bound(struct sched *s, struct sched_pod *p, const char *node)
{
	int slot = sched_node_ensure(s, node), rc;

	if (slot < 0)
		return slot;
	if ((rc = sched_node_account(s, p, slot)))
		return rc;
	p->state = POD_BOUND;
	/* A bound pod can satisfy affinity or lift a spread minimum. */
	return sched_unpark_all(s, true);
}

static int place_pending(struct sched *s, struct sched_pod *p, const json_t *obj, uint64_t seq)
{
	const char *nom = kube__jstr(obj, "status.nominatedNodeName");
	int rc;

	if (!p->nspread && p->owner_uid && s->cfg.default_spreading &&
	    (p->owner_matcher = sched_matcher_owner(s, p->owner_uid)) < 0)
		return KUBE_ENOMEM;
	p->seq = seq ? seq : ++s->seq;
	if (nom && *nom && (rc = sched_nominate(s, p, nom)))
		return rc;
	return sched_heap_push(s, p);
}

/* Hash of what scheduling reads (spec, labels, owners); 0 on ENOMEM. */
static uint64_t spec_hash(const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	json_t *v = json_pack("{sO?sO?sO?}", "s", json_object_get(obj, "spec"),
			      "l", json_object_get(meta, "labels"),
			      "o", json_object_get(meta, "ownerReferences"));
	char *txt = v ? json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	uint64_t h = txt ? sched_hash(txt) : 0;

	free(txt);
	json_decref(v);
	return h;
}

/* An update that cannot change the decision (status writes, a pod being
 * bound by us): keep the pod where it is, take a new nomination. */
static bool unchanged(struct sched *s, struct sched_pod *old, const json_t *obj, uint64_t h)
{
	const char *nom = kube__jstr(obj, "status.nominatedNodeName");

	if (old->state == POD_ASSUMED)
		return true;           /* the bind is in flight; its confirmation follows */
	if ((old->state != POD_ACTIVE && old->state != POD_PARKED) || !h || h != old->spec_hash)
		return false;
	if (nom && *nom && (old->nominated < 0 || strcmp(s->nodes[old->nominated].name, nom)))
		sched_nominate(s, old, nom);
	return true;
}

static bool ours(const struct sched *s, const json_t *obj)
{
	const json_t *spec = json_object_get(obj, "spec");
	const char *sn = kube__jstr(spec, "schedulerName");

	if (json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp"))
		return false;
	return !strcmp(sn && *sn ? sn : "default-scheduler", s->name);  /* API default */
}

int sched_pod_upsert(struct sched *s, const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *ns = kube__jstr(meta, "namespace"), *name = kube__jstr(meta, "name");
	const char *node = kube__jstr(obj, "spec.nodeName");
	const char *phase = kube__jstr(obj, "status.phase");
	struct sched_pod *old, *p;
	char key[512];
	uint64_t seq = 0, h;
	int rc;

	if (!name || !*name)
		return KUBE_EINVAL;
	ns = ns && *ns ? ns : "default";
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	old = sched_map_get(&s->pod_by_key, key);
	if (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")))
		return old ? sched_pod_remove(s, ns, name) : 0;
	if (node && *node && confirm_assumed(old, obj, node, s))
		return 0;
	h = node && *node ? 0 : spec_hash(obj);
	if (old && !(node && *node) && unchanged(s, old, obj, h))
		return 0;
	if (old) {
		seq = old->state == POD_ACTIVE || old->state == POD_PARKED ? old->seq : 0;
		if (sched_drop_pod(s, old) && (rc = sched_unpark_all(s, false)))
			return rc;
	}
	if (!(p = pod_new(s, ns, name)))
		return KUBE_ENOMEM;
	if ((rc = sched_pod_parse(s, p, obj)) || (rc = sched_map_put(&s->pod_by_key, p->key, p))) {
		sched_pod_release(s, p);
		free(p->ns);
		free(p->name);
		free(p->key);
		free(p);
		return rc;
	}
	p->spec_hash = h;
	if (node && *node)
		rc = place_bound(s, p, node);
	else if (ours(s, obj))
		rc = place_pending(s, p, obj, seq);
	else
		p->state = POD_IGNORED;
	if (rc)
		sched_drop_pod(s, p);
	return rc;
}

int sched_namespace_upsert(struct sched *s, const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *name = kube__jstr(meta, "name");
	json_t *labels = json_object_get(meta, "labels");
	json_t *old;

	if (!name)
		return KUBE_EINVAL;
	labels = labels ? json_incref(labels) : json_object();
	if (!labels)
		return KUBE_ENOMEM;
	old = sched_map_get(&s->ns_labels, name);
	if (old && json_equal(old, labels)) {
		json_decref(labels);
		return 0;
	}
	if (sched_intern_id(&s->str, name) < 0 || sched_map_put(&s->ns_labels, name, labels)) {
		json_decref(labels);
		return KUBE_ENOMEM;
	}
	json_decref(old);
	sched_matchers_recount_ns(s);
	return sched_unpark_all(s, false);
}

int sched_namespace_remove(struct sched *s, const char *name)
{
	json_t *old = sched_map_del(&s->ns_labels, name);

	if (!old)
		return KUBE_ENOTFOUND;
	json_decref(old);
	sched_matchers_recount_ns(s);
	return 0;
}

int sched_pdb_upsert(struct sched *s, const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata");
	const char *ns = kube__jstr(meta, "namespace"), *name = kube__jstr(meta, "name");
	const json_t *sel = json_object_get(json_object_get(obj, "spec"), "selector");
	struct sched_pdb *b;
	char key[512];

	if (!name)
		return KUBE_EINVAL;
	ns = ns && *ns ? ns : "default";
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	if (!(b = calloc(1, sizeof(*b))) || !(b->key = strdup(key)) ||
	    (b->ns = sched_intern_id(&s->str, ns)) < 0)
		goto free_pdb;
	if (sel)      /* a selector upstream rejects selects nothing */
		b->sel = kube__labelsel_from_json(sel, (char[256]){0}, 256);
	if (b->sel && kube__labelsel_empty(b->sel)) {   /* empty selects nothing here */
		kube__labelsel_free(b->sel);
		b->sel = NULL;
	}
	b->allowed = json_integer_value(json_object_get(json_object_get(obj, "status"),
							"disruptionsAllowed"));
	sched_pdb_free(sched_map_get(&s->pdbs, key));
	if (sched_map_put(&s->pdbs, key, b))
		goto free_pdb;
	return 0;
free_pdb:
	sched_map_del(&s->pdbs, key);
	sched_pdb_free(b);
	return KUBE_ENOMEM;
}

int sched_pdb_remove(struct sched *s, const char *ns, const char *name)
{
	char key[512];
	struct sched_pdb *b;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	if (!(b = sched_map_del(&s->pdbs, key)))
		return KUBE_ENOTFOUND;
	sched_pdb_free(b);
	return 0;
}
