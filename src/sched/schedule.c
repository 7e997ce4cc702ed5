/*
 * One scheduling cycle (upstream schedulePod): PreFilter, the nominated
 * node first, Filter over a rotating window of nodes until enough are
 * feasible (percentageOfNodesToScore), Score, pick the best (random among
 * ties), assume. When nothing fits: the FitError message and PostFilter
 * (preemption).
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdlib.h>
#include <string.h>

/* Upstream numFeasibleNodesToFind, over the nodes PreFilter left. */
static int nodes_to_find(const struct sched *s)
{
	int all = s->cyc.restricted ? s->cyc.nonly : s->nnodes, pct = s->cfg.percentage_of_nodes_to_score, n;

	if (all < 100 || pct >= 100)
		return all;
	if (pct <= 0) {
		pct = 50 - all / 125;
		pct = pct < 5 ? 5 : pct;
	}
	n = (int)((int64_t)all * pct / 100);
	return n < 100 ? 100 : n;
}

/* Size the per-node scratch arrays to the node slots. */
static int scratch(struct sched *s)
{
	int need = s->nslots + 1;

	if (sched_grow(&s->st, &s->capst, need, sizeof(*s->st)) ||
	    sched_grow(&s->feasible, &s->capfeas, need, sizeof(int)) ||
	    sched_grow(&s->scores, &s->capscores, need, sizeof(int64_t)) ||
	    sched_grow(&s->total, &s->captotal, need, sizeof(int64_t)))
		return KUBE_ENOMEM;
	return 0;
}

/* Filter from the rotating start until enough feasible nodes. */
static int find_feasible(struct sched *s, struct sched_pod *p)
{
	int want = nodes_to_find(s), nf = 0, k;

	if (want < 1)
		want = 1;      /* visit every node so each gets its status */

	for (k = 0; k < s->nslots && nf < want; k++) {
		int slot = (s->next_start + k) % s->nslots;
		if (!s->nodes[slot].has_obj) {
			s->st[slot].code = R_OK;
			continue;
		}
		if (s->cyc.restricted && !s->only[slot]) {
			s->st[slot].code = R_NOT_IN_RESULT;
			continue;
		}
		if (sched_filter(s, p, slot, &s->st[slot]))
			s->feasible[nf++] = slot;
	}
	s->next_start = s->nslots ? (s->next_start + k) % s->nslots : 0;
	return nf;
}

/* The best-scoring feasible node; ties broken at random (reservoir). */
static int select_host(struct sched *s, int n)
{
	int best = 0, ties = 1;

	for (int i = 1; i < n; i++) {
		if (s->total[i] > s->total[best]) {
			best = i;
			ties = 1;
		} else if (s->total[i] == s->total[best] &&
			   sched_rand(&s->rng) % (uint64_t)++ties == 0) {
			best = i;
		}
	}
	return s->feasible[best];
}

static int decide_bind(struct sched *s, struct sched_pod *p, int slot, struct sched_decision *d)
{
	int rc = sched_node_account(s, p, slot);

	if (rc)
		return rc;
	sched_nominate(s, p, "");          /* a placed pod holds no reservation */
	p->state = POD_ASSUMED;
	d->kind = SCHED_BIND;
	return (d->node = strdup(s->nodes[slot].name)) ? 0 : KUBE_ENOMEM;
}

static int decide_failure(struct sched *s, struct sched_pod *p, struct sched_decision *d)
{
	char *post = NULL;
	int rc = sched_preempt(s, p, d, &post);

	if (rc < 0) {
		free(post);
		return rc;
	}
	d->message = sched_fit_message(s, p, s->st, s->cyc.prefilter, rc ? NULL : post);
	free(post);
	if (!d->message)
		return KUBE_ENOMEM;
	if (rc) {
		if ((rc = sched_nominate(s, p, d->node)))
			return rc;
	} else {
		d->kind = SCHED_UNSCHEDULABLE;
	}
	return sched_park(s, p);
}

/* A PreFilter rejected the pod: every node gets that (unresolvable) status,
 * so preemption reports it cannot help. */
static int prefilter_failure(struct sched *s, struct sched_pod *p, struct sched_decision *d)
{
	for (int i = 0; i < s->nslots; i++)
		s->st[i] = (struct sched_status){ .code = R_PREFILTER, .text = s->cyc.prefilter };
	return decide_failure(s, p, d);
}

static int nominated_first(struct sched *s, struct sched_pod *p)
{
	int slot = p->nominated;

	if (slot < 0 || !s->nodes[slot].has_obj || !sched_filter(s, p, slot, &s->st[slot]))
		return -1;
	return slot;
}

static int schedule_one(struct sched *s, struct sched_pod *p, struct sched_decision *d)
{
	int rc, nf, slot;

	if (!(d->ns = strdup(p->ns)) || !(d->name = strdup(p->name)))
		return KUBE_ENOMEM;
	if (!s->nnodes) {
		d->kind = SCHED_UNSCHEDULABLE;
		d->message = strdup("no nodes available to schedule pods");
		return d->message ? sched_park(s, p) : KUBE_ENOMEM;
	}
	if ((rc = scratch(s)) || (rc = sched_cycle_init(s, p)))
		return rc;
	free(s->cyc.prefilter);
	s->cyc.prefilter = NULL;
	if ((rc = sched_names_prefilter(s, p)) ||
	    (!s->cyc.prefilter && !s->cfg.volume_filter && (rc = sched_volume_prefilter(s, p))))
		return rc;
	if (s->cyc.prefilter)
		return prefilter_failure(s, p, d);
	if ((slot = nominated_first(s, p)) >= 0)
		return decide_bind(s, p, slot, d);
	nf = find_feasible(s, p);
	if (!nf)
		return decide_failure(s, p, d);
	if (nf > 1 && (rc = sched_score(s, p, s->feasible, nf, s->total)))
		return rc;
	return decide_bind(s, p, nf > 1 ? select_host(s, nf) : s->feasible[0], d);
}

int sched_schedule_next(struct sched *s, struct sched_decision *out)
{
	struct sched_pod *p = sched_heap_pop(s);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return 0;
	rc = schedule_one(s, p, out);
	sched_cycle_done(s);
	if (rc < 0) {
		sched_decision_clear(out);
		if (p->state == POD_ACTIVE && p->heap_idx < 0)
			sched_park(s, p);      /* retried on the next relevant change */
		return rc;
	}
	return 1;
}

int sched_run(struct sched *s, int budget, sched_decision_cb cb, void *ud)
{
	struct sched_decision d;
	int n = 0, rc;

	while (budget <= 0 || n < budget) {
		if ((rc = sched_schedule_next(s, &d)) <= 0)
			return rc < 0 ? rc : n;
		if (cb)
			cb(ud, &d);
		sched_decision_clear(&d);
		n++;
	}
	return n;
}

int sched_bind_failed(struct sched *s, const char *ns, const char *name)
{
	char key[512];
	struct sched_pod *p;
	int slot;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	p = sched_map_get(&s->pod_by_key, key);
	if (!p || p->state != POD_ASSUMED)
		return KUBE_ENOTFOUND;
	slot = p->node;
	sched_node_unaccount(s, p);
	sched_node_release_if_empty(s, slot);
	return sched_heap_push(s, p) ?: sched_unpark_all(s, false);
}
