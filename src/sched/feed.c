/*
 * The cluster feeds: nodes, pods, namespaces and PDBs arrive as API
 * objects; each updates the caches incrementally and, when the change can
 * make a parked pod fit, moves parked pods back to the active queue.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"
#include "core/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_res(const struct sched_res *a, const struct sched_res *b)
{
	if (a->cpu != b->cpu || a->mem != b->mem || a->eph != b->eph || a->nscalar != b->nscalar)
		return false;
	for (int i = 0; i < a->nscalar; i++)
		if (sched_res_scalar(b, a->scalar[i].name) != a->scalar[i].val)
			return false;
	return true;
}

/* Whether a node update can change what fits there. */
static bool node_changed(const struct sched_node *o, const struct sched_node *n)
{
	return !o->has_obj || o->unschedulable != n->unschedulable ||
	       o->alloc_pods != n->alloc_pods || !same_res(&o->alloc, &n->alloc) ||
	       o->nlabels != n->nlabels || o->ntaints != n->ntaints || o->nimages != n->nimages ||
	       memcmp(o->lkey, n->lkey, n->nlabels * sizeof(int)) ||
	       memcmp(o->lval, n->lval, n->nlabels * sizeof(int)) ||
	       (n->ntaints && memcmp(o->taints, n->taints, n->ntaints * sizeof(*n->taints))) ||
	       (n->nimages && memcmp(o->images, n->images, n->nimages * sizeof(*n->images)));
}

static int count_images(struct sched *s, const struct sched_node *n, int delta)
{
	int cap = s->capimg;

	if (s->str.n > s->capimg) {
		if (sched_grow(&s->img_nodes, &cap, s->str.n, sizeof(int)))
			return KUBE_ENOMEM;
		s->capimg = cap;
	}
	for (int i = 0; i < n->nimages; i++)
		s->img_nodes[n->images[i].name] += delta;
	return 0;
}

/* Swap the parsed fields of @p tmp into slot node @p n (tmp gets the old). */
static void swap_parsed(struct sched_node *n, struct sched_node *tmp)
{
	struct sched_node old = *n;

	n->unschedulable = tmp->unschedulable;
	n->nlabels = tmp->nlabels; n->lkey = tmp->lkey; n->lval = tmp->lval;
	n->ntaints = tmp->ntaints; n->taints = tmp->taints;
	n->alloc = tmp->alloc; n->alloc_pods = tmp->alloc_pods;
	n->nimages = tmp->nimages; n->images = tmp->images;
	memset(tmp, 0, sizeof(*tmp));
	tmp->lkey = old.lkey; tmp->lval = old.lval; tmp->taints = old.taints;
	tmp->alloc = old.alloc; tmp->images = old.images;
}

int sched_node_upsert(struct sched *s, const json_t *obj)
{
	const char *name = kube__jstr(obj, "metadata.name");
	struct sched_node tmp = {0};
	struct sched_node *n;
	bool changed;
	int slot, rc;

	if (!name || !*name)
		return KUBE_EINVAL;
	if ((rc = sched_node_parse(s, &tmp, obj)))
		goto free_tmp;
	if ((slot = sched_node_ensure(s, name)) < 0) {
		rc = slot;
		goto free_tmp;
	}
	n = &s->nodes[slot];
	changed = node_changed(n, &tmp);
	if (n->has_obj)
		count_images(s, n, -1);
	swap_parsed(n, &tmp);
	if ((rc = count_images(s, n, 1)))
		goto free_tmp;
	if (!n->has_obj)
		s->nnodes++;
	n->has_obj = true;
	rc = changed ? sched_unpark_all(s, false) : 0;
free_tmp:
	sched_node_free(&tmp);
	return rc;
}

int sched_node_remove(struct sched *s, const char *name)
{
	int slot = sched_node_slot(s, name);
	struct sched_node *n, tmp = {0};

	if (slot < 0 || !s->nodes[slot].has_obj)
		return KUBE_ENOTFOUND;
	n = &s->nodes[slot];
	count_images(s, n, -1);
	swap_parsed(n, &tmp);
	sched_node_free(&tmp);
	for (int i = 0; i < n->nnom; i++)
		n->nom[i]->nominated = -1;
	n->nnom = 0;
	n->has_obj = false;
	s->nnodes--;
	sched_node_release_if_empty(s, slot);
	return 0;
}

static void nom_del(struct sched *s, struct sched_pod *p)
{
	struct sched_node *n;

	if (p->nominated < 0)
		return;
	n = &s->nodes[p->nominated];
	for (int i = 0; i < n->nnom; i++)
		if (n->nom[i] == p) {
			n->nom[i] = n->nom[--n->nnom];
			break;
		}
	p->nominated = -1;
	sched_node_release_if_empty(s, n - s->nodes);
}

/* Reserve room on node @p name for pod @p p nominated there. */
int sched_nominate(struct sched *s, struct sched_pod *p, const char *name)
{
	int slot = sched_node_slot(s, name);
	struct sched_node *n;

	nom_del(s, p);
	if (slot < 0)
		return 0;
	n = &s->nodes[slot];
	if (sched_grow(&n->nom, &n->capnom, n->nnom + 1, sizeof(*n->nom)))
		return KUBE_ENOMEM;
	n->nom[n->nnom++] = p;
	p->nominated = slot;
	return 0;
}

/* Forget @p p entirely: queue, node accounting, nomination, memory.
 * Returns whether it was accounted on a node. */
bool sched_drop_pod(struct sched *s, struct sched_pod *p)
{
	bool accounted = p->node >= 0;

	sched_map_del(&s->pod_by_key, p->key);
	sched_dequeue(s, p);
	nom_del(s, p);
	if (accounted) {
		int slot = p->node;
		sched_node_unaccount(s, p);
		sched_node_release_if_empty(s, slot);
	}
	sched_pod_release(s, p);
	free(p->ns);
	free(p->name);
	free(p->key);
	free(p);
	return accounted;
}

int sched_pod_remove(struct sched *s, const char *ns, const char *name)
{
	char key[512];
	struct sched_pod *p;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	if (!(p = sched_map_get(&s->pod_by_key, key)))
		return KUBE_ENOTFOUND;
	return sched_drop_pod(s, p) ? sched_unpark_all(s, false) : 0;
}
