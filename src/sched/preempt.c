/*
 * DefaultPreemption: for a pod no node fits, find nodes where evicting
 * lower-priority pods makes it fit, keep as many of those pods as possible
 * (PDB-protected ones first), and pick the node upstream's way: fewest PDB
 * violations, lowest highest victim priority, lowest priority sum, fewest
 * victims, latest start among the top victims. Evictions are simulated on
 * the live node state and undone before returning.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cand {
	int slot;
	int nvictims, nviol;
	struct sched_pod **victims;      /* most important first */
};

static bool more_important(const struct sched_pod *a, const struct sched_pod *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (!a->start_time || !b->start_time)
		return a->start_time != NULL;  /* started before a pod not started */
	return strcmp(a->start_time, b->start_time) < 0;
}

static int importance_cmp(const void *x, const void *y)
{
	const struct sched_pod *a = *(struct sched_pod *const *)x, *b = *(struct sched_pod *const *)y;

	return more_important(a, b) ? -1 : more_important(b, a) ? 1 : 0;
}

static bool needs_refresh(const struct sched *s, const struct sched_pod *p)
{
	return p->naff || p->nanti || p->nspread || s->nreq_anti_held;
}

/* Run the filters on @p slot with the node state as it is now. */
static int refilter(struct sched *s, struct sched_pod *p, int slot, struct sched_status *st)
{
	if (needs_refresh(s, p)) {
		sched_cycle_done(s);
		if (sched_cycle_init(s, p))
			return KUBE_ENOMEM;
	}
	return sched_filter(s, p, slot, st) ? 1 : 0;
}

/* Would evicting @p v violate a PDB? Consumes the budget's allowance if not. */
static bool violates_pdb(struct sched *s, const struct sched_pod *v, int64_t *allowed)
{
	bool viol = false;

	for (size_t i = 0; i < s->pdbs.nslot; i++) {
		struct sched_pdb *b;
		if (!s->pdbs.key[i] || s->pdbs.key[i] == (char *)1)
			continue;
		b = s->pdbs.val[i];
		if (b->ns != v->ns_id || !b->sel || !kube__labelsel_match(b->sel, v->labels))
			continue;
		if (allowed[i] <= 0)
			viol = true;
		else
			allowed[i]--;
	}
	return viol;
}

static int reaccount(struct sched *s, struct sched_pod **pods, int n, int slot)
{
	for (int i = 0; i < n; i++)
		if (sched_node_account(s, pods[i], slot))
			return KUBE_ENOMEM;
	return 0;
}

/* Reprieve pods in order while the preemptor still fits; the rest are
 * victims (counted as violating when @p viol). */
static int reprieve(struct sched *s, struct sched_pod *p, int slot, struct sched_pod **pods,
		    int n, bool viol, struct cand *c)
{
	struct sched_status st;
	int rc;

	for (int i = 0; i < n; i++) {
		if (sched_node_account(s, pods[i], slot))
			return KUBE_ENOMEM;
		if ((rc = refilter(s, p, slot, &st)) < 0)
			return rc;
		if (rc)
			continue;
		sched_node_unaccount(s, pods[i]);
		c->victims[c->nvictims++] = pods[i];
		c->nviol += viol;
	}
	return 0;
}

/* Split @p pods (sorted) into PDB violating first, then the others. */
static void split_pdb(struct sched *s, struct sched_pod **pods, int n, int *nviol)
{
	int64_t allowed[s->pdbs.nslot + 1];
	struct sched_pod *tmp[n + 1];
	int a = 0, b = 0;
	bool flag[n + 1];

	for (size_t i = 0; i < s->pdbs.nslot; i++)
		allowed[i] = s->pdbs.key[i] && s->pdbs.key[i] != (char *)1 ?
			     ((struct sched_pdb *)s->pdbs.val[i])->allowed : 0;
	for (int i = 0; i < n; i++)
		if ((flag[i] = violates_pdb(s, pods[i], allowed)))
			a++;
	*nviol = a;
	for (int i = 0; i < n; i++)
		tmp[flag[i] ? b++ : a++] = pods[i];
	memcpy(pods, tmp, n * sizeof(*pods));
}

/* Upstream SelectVictimsOnNode on @p slot. Returns 1 with @p c filled, 0
 * with @p st saying why not, or KUBE_ENOMEM. Node state is restored. */
static int select_victims(struct sched *s, struct sched_pod *p, int slot, struct cand *c,
			  struct sched_status *st)
{
	struct sched_node *n = &s->nodes[slot];
	struct sched_pod **pods = calloc((size_t)n->npods + 1, sizeof(*pods));
	int np = 0, nviol, rc;

	c->victims = calloc((size_t)n->npods + 1, sizeof(*pods));
	if (!pods || !c->victims)
		goto nomem;
	for (int i = 0; i < n->npods; i++)
		if (n->pods[i]->prio < p->prio)
			pods[np++] = n->pods[i];
	if (!np) {
		st->code = R_NO_VICTIMS;
		free(pods);
		return 0;
	}
	for (int i = 0; i < np; i++)
		sched_node_unaccount(s, pods[i]);
	if ((rc = refilter(s, p, slot, st)) <= 0) {
		rc = reaccount(s, pods, np, slot) ?: rc;
		free(pods);
		return rc;
	}
	qsort(pods, np, sizeof(*pods), importance_cmp);
	split_pdb(s, pods, np, &nviol);
	if (reprieve(s, p, slot, pods, nviol, true, c) ||
	    reprieve(s, p, slot, pods + nviol, np - nviol, false, c))
		goto nomem;
	qsort(c->victims, c->nvictims, sizeof(*pods), importance_cmp);
	free(pods);
	if (reaccount(s, c->victims, c->nvictims, slot))
		return KUBE_ENOMEM;
	c->slot = slot;
	return c->nvictims > 0;
nomem:
	free(pods);
	return KUBE_ENOMEM;
}

static int64_t prio_sum(const struct cand *c)
{
	int64_t sum = 0;

	for (int i = 0; i < c->nvictims; i++)
		sum += (int64_t)c->victims[i]->prio + INT32_MAX + 1;
	return sum;
}

/* The earliest start among the highest-priority victims ("" if none). */
static const char *top_start(const struct cand *c)
{
	const char *e = NULL;

	for (int i = 0; i < c->nvictims && c->victims[i]->prio == c->victims[0]->prio; i++)
		if (c->victims[i]->start_time && (!e || strcmp(c->victims[i]->start_time, e) < 0))
			e = c->victims[i]->start_time;
	return e ? e : "";
}

/* True when candidate @p a is better than @p b (pickOneNodeForPreemption). */
static bool better(const struct cand *a, const struct cand *b)
{
	int64_t sa, sb;

	if (a->nviol != b->nviol)
		return a->nviol < b->nviol;
	if (a->victims[0]->prio != b->victims[0]->prio)
		return a->victims[0]->prio < b->victims[0]->prio;
	if ((sa = prio_sum(a)) != (sb = prio_sum(b)))
		return sa < sb;
	if (a->nvictims != b->nvictims)
		return a->nvictims < b->nvictims;
	return strcmp(top_start(a), top_start(b)) > 0;
}

static int fill_decision(struct sched *s, struct sched_pod *p, const struct cand *c,
			 struct sched_decision *d)
{
	d->kind = SCHED_PREEMPT;
	d->victims = calloc((size_t)c->nvictims, sizeof(*d->victims));
	if (!d->victims || !(d->node = strdup(s->nodes[c->slot].name)))
		return KUBE_ENOMEM;
	for (; d->nvictims < c->nvictims; d->nvictims++) {
		struct sched_victim *v = &d->victims[d->nvictims];
		v->ns = strdup(c->victims[d->nvictims]->ns);
		v->name = strdup(c->victims[d->nvictims]->name);
		if (!v->ns || !v->name) {
			d->nvictims++;
			return KUBE_ENOMEM;
		}
	}
	return 0;
}

/* Upstream calculateNumCandidates: 10% of the nodes, at least 100. */
static int num_candidates(int nodes)
{
	int n = nodes / 10;

	n = n < 100 ? 100 : n;
	return n > nodes ? nodes : n;
}

/* Dry-run the potential nodes from a random offset until enough
 * candidates; statuses in @p pst; the best candidate in @p best. */
static int dry_run(struct sched *s, struct sched_pod *p, struct sched_status *pst,
		   struct cand *best)
{
	int want = num_candidates(s->nnodes), found = 0, off = s->nslots ?
		(int)(sched_rand(&s->rng) % (uint64_t)s->nslots) : 0;

	for (int k = 0; k < s->nslots && found < want; k++) {
		int slot = (off + k) % s->nslots, rc;
		struct cand c = {0};
		if (!s->nodes[slot].has_obj)
			continue;
		if (!sched_reason_resolvable(s->st[slot].code)) {
			pst[slot].code = R_NOT_HELPFUL;
			continue;
		}
		if ((rc = select_victims(s, p, slot, &c, &pst[slot])) < 0)
			return free(c.victims), rc;
		if (rc && (!found || better(&c, best))) {
			free(best->victims);
			*best = c;
		} else {
			free(c.victims);
		}
		found += rc;
		pst[slot].code = rc ? R_OK : pst[slot].code;
	}
	return found;
}

/*
 * PostFilter for @p p that fits nowhere (s->st holds every node's status).
 * Returns 1 with a PREEMPT decision in @p d (pod nominated), 0 with the
 * " preemption: ..." message in *post_msg (may stay NULL), or KUBE_ENOMEM.
 */
int sched_preempt(struct sched *s, struct sched_pod *p, struct sched_decision *d,
		  char **post_msg)
{
	struct sched_status *pst;
	struct cand best = {0};
	char *inner;
	int rc;

	if (p->never_preempt)
		return (*post_msg = strdup("preemption: not eligible due to preemptionPolicy=Never."))
			? 0 : KUBE_ENOMEM;
	if (!(pst = calloc((size_t)s->nslots + 1, sizeof(*pst))))
		return KUBE_ENOMEM;
	rc = dry_run(s, p, pst, &best);
	if (rc > 0) {
		rc = fill_decision(s, p, &best, d) ?: 1;
	} else if (rc == 0) {
		inner = sched_fit_message(s, p, pst, NULL, NULL);
		if (!inner || asprintf(post_msg, "preemption: %s", inner) < 0)
			rc = KUBE_ENOMEM;
		free(inner);
	}
	if (needs_refresh(s, p)) {        /* leave the cycle as the real state */
		sched_cycle_done(s);
		rc = sched_cycle_init(s, p) ?: rc;
	}
	free(best.victims);
	free(pst);
	return rc;
}

void sched_pdb_free(struct sched_pdb *b)
{
	if (!b)
		return;
	free(b->key);
	kube__labelsel_free(b->sel);
	free(b);
}
