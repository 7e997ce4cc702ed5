/*
 * The node cache: one slot per node, with the pods accounted on it and the
 * running sums the filters read (requests, pod count, host ports), updated
 * on every bind and removal rather than re-summed.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdlib.h>
#include <string.h>

/* The slot of node @p name, or -1. */
int sched_node_slot(const struct sched *s, const char *name)
{
	intptr_t v = (intptr_t)sched_map_get(&s->node_by_name, name);

	return (int)v - 1;
}

/* The slot of @p name, creating an empty placeholder. Slot or KUBE_ENOMEM. */
int sched_node_ensure(struct sched *s, const char *name)
{
	int slot = sched_node_slot(s, name);
	struct sched_node *n;

	if (slot >= 0)
		return slot;
	if (s->nfree) {
		slot = s->free_slots[--s->nfree];
	} else {
		int cap = s->capslots;
		if (sched_grow(&s->nodes, &s->capslots, s->nslots + 1, sizeof(*s->nodes)))
			return KUBE_ENOMEM;
		if (cap != s->capslots && sched_matchers_grow(s, cap, s->capslots)) {
			s->capslots = cap;       /* keep every per-slot array the same size */
			return KUBE_ENOMEM;
		}
		slot = s->nslots++;
	}
	n = &s->nodes[slot];
	memset(n, 0, sizeof(*n));
	n->name = strdup(name);
	n->name_id = sched_intern_id(&s->str, name);
	if (!n->name || n->name_id < 0 ||
	    sched_map_put(&s->node_by_name, name, (void *)(intptr_t)(slot + 1))) {
		free(n->name);
		n->name = NULL;
		if (!sched_grow(&s->free_slots, &s->capfree, s->nfree + 1, sizeof(int)))
			s->free_slots[s->nfree++] = slot;
		return KUBE_ENOMEM;
	}
	return slot;
}

/* The value id of label @p key on @p n, or -1 (binary search: sorted keys). */
int sched_node_label(const struct sched_node *n, int key)
{
	int lo = 0, hi = n->nlabels - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (n->lkey[mid] == key)
			return n->lval[mid];
		if (n->lkey[mid] < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int parse_labels(struct sched *s, struct sched_node *n, const json_t *labels)
{
	size_t cnt = json_object_size(labels);
	const char *k;
	json_t *v;

	n->lkey = calloc(cnt + 1, sizeof(int));
	n->lval = calloc(cnt + 1, sizeof(int));
	if (!n->lkey || !n->lval)
		return KUBE_ENOMEM;
	json_object_foreach((json_t *)labels, k, v) {
		int kid = sched_intern_id(&s->str, k);
		int vid = sched_intern_id(&s->str, json_string_value(v) ? json_string_value(v) : "");
		int i = n->nlabels++;
		if (kid < 0 || vid < 0)
			return KUBE_ENOMEM;
		for (; i > 0 && n->lkey[i - 1] > kid; i--) {   /* insertion sort */
			n->lkey[i] = n->lkey[i - 1];
			n->lval[i] = n->lval[i - 1];
		}
		n->lkey[i] = kid;
		n->lval[i] = vid;
	}
	return 0;
}

static int parse_taints(struct sched *s, struct sched_node *n, const json_t *arr)
{
	size_t i;
	json_t *t;

	if (!json_array_size(arr))
		return 0;
	n->taints = calloc(json_array_size(arr), sizeof(*n->taints));
	if (!n->taints)
		return KUBE_ENOMEM;
	json_array_foreach(arr, i, t) {
		const char *k = json_string_value(json_object_get(t, "key"));
		const char *v = json_string_value(json_object_get(t, "value"));
		const char *e = json_string_value(json_object_get(t, "effect"));
		struct sched_taint *tt = &n->taints[n->ntaints++];
		tt->key = sched_intern_id(&s->str, k ? k : "");
		tt->value = sched_intern_id(&s->str, v ? v : "");
		tt->effect = !e ? EFF_NOSCHEDULE : !strcmp(e, "PreferNoSchedule") ? EFF_PREFERNOSCHEDULE
			   : !strcmp(e, "NoExecute") ? EFF_NOEXECUTE : EFF_NOSCHEDULE;
		if (tt->key < 0 || tt->value < 0)
			return KUBE_ENOMEM;
	}
	return 0;
}

static int image_cmp(const void *a, const void *b)
{
	return ((const struct sched_image *)a)->name - ((const struct sched_image *)b)->name;
}

static int parse_images(struct sched *s, struct sched_node *n, const json_t *arr)
{
	size_t i, j, total = 0;
	json_t *img, *nm;

	json_array_foreach(arr, i, img)
		total += json_array_size(json_object_get(img, "names"));
	if (!total)
		return 0;
	n->images = calloc(total, sizeof(*n->images));
	if (!n->images)
		return KUBE_ENOMEM;
	json_array_foreach(arr, i, img) {
		int64_t size = json_integer_value(json_object_get(img, "sizeBytes"));
		json_array_foreach(json_object_get(img, "names"), j, nm) {
			int id = json_string_value(nm) ? sched_image_id(s, json_string_value(nm)) : -1;
			if (id >= 0) {
				n->images[n->nimages].name = id;
				n->images[n->nimages++].size = size;
			}
		}
	}
	qsort(n->images, n->nimages, sizeof(*n->images), image_cmp);
	return 0;
}

/* Parse the Node fields the plugins read into @p n (zeroed). 0, KUBE_EINVAL
 * (bad quantity), KUBE_ENOMEM; release with sched_node_free on failure. */
int sched_node_parse(struct sched *s, struct sched_node *n, const json_t *obj)
{
	const json_t *spec = json_object_get(obj, "spec");
	const json_t *status = json_object_get(obj, "status");
	int rc;

	n->unschedulable = json_is_true(json_object_get(spec, "unschedulable"));
	if ((rc = parse_labels(s, n, json_object_get(json_object_get(obj, "metadata"), "labels"))) ||
	    (rc = parse_taints(s, n, json_object_get(spec, "taints"))) ||
	    (rc = parse_images(s, n, json_object_get(status, "images"))))
		return rc;
	return sched_res_from_list(s, json_object_get(status, "allocatable"), &n->alloc,
				   &n->alloc_pods);
}

/* Free a node slot's contents (not the slot). */
void sched_node_free(struct sched_node *n)
{
	free(n->name);
	free(n->lkey);
	free(n->lval);
	free(n->taints);
	sched_res_free(&n->alloc);
	sched_res_free(&n->req);
	free(n->ports);
	free(n->images);
	free(n->pods);
	free(n->nom);
	memset(n, 0, sizeof(*n));
}

/* Free the slot when it holds neither a Node nor pods. */
void sched_node_release_if_empty(struct sched *s, int slot)
{
	struct sched_node *n = &s->nodes[slot];

	if (n->has_obj || n->npods || n->nnom || !n->name)
		return;
	sched_map_del(&s->node_by_name, n->name);
	sched_node_free(n);
	if (sched_grow(&s->free_slots, &s->capfree, s->nfree + 1, sizeof(int)) == 0)
		s->free_slots[s->nfree++] = slot;
}

static int ports_add(struct sched_node *n, const struct sched_pod *p, int delta)
{
	for (int i = 0; i < p->nports; i++) {
		const struct sched_port *pp = &p->ports[i];
		int j;
		for (j = 0; j < n->nports; j++)
			if (n->ports[j].port == pp->port && n->ports[j].proto == pp->proto &&
			    n->ports[j].ip == pp->ip)
				break;
		if (j == n->nports) {
			if (delta < 0)
				continue;
			if (sched_grow(&n->ports, &n->capports, n->nports + 1, sizeof(*n->ports)))
				return KUBE_ENOMEM;
			n->ports[n->nports] = *pp;
			n->ports[n->nports++].refs = 0;
		}
		n->ports[j].refs += delta;
		if (!n->ports[j].refs)
			n->ports[j] = n->ports[--n->nports];
	}
	return 0;
}

/* Account pod @p p on node slot @p slot: requests, ports, pod list, the
 * matcher counts and the terms it holds. 0 or KUBE_ENOMEM (nothing done). */
int sched_node_account(struct sched *s, struct sched_pod *p, int slot)
{
	struct sched_node *n = &s->nodes[slot];

	p->node = slot;
	if (sched_grow(&n->pods, &n->cappods, n->npods + 1, sizeof(*n->pods)) ||
	    sched_held_add(s, p)) {
		p->node = -1;
		return KUBE_ENOMEM;
	}
	if (sched_res_add(&n->req, &p->req, 1) || ports_add(n, p, 1)) {
		sched_held_remove(s, p);
		p->node = -1;
		return KUBE_ENOMEM;
	}
	n->nz_cpu += p->nz_cpu;
	n->nz_mem += p->nz_mem;
	p->node_idx = n->npods;
	n->pods[n->npods++] = p;
	sched_matchers_count(s, p, 1);
	return 0;
}

/* Undo sched_node_account. */
void sched_node_unaccount(struct sched *s, struct sched_pod *p)
{
	struct sched_node *n = &s->nodes[p->node];

	sched_matchers_count(s, p, -1);
	sched_held_remove(s, p);
	sched_res_add(&n->req, &p->req, -1);     /* names exist: cannot fail */
	ports_add(n, p, -1);
	n->nz_cpu -= p->nz_cpu;
	n->nz_mem -= p->nz_mem;
	n->pods[p->node_idx] = n->pods[--n->npods];
	n->pods[p->node_idx]->node_idx = p->node_idx;
	p->node = -1;
}
