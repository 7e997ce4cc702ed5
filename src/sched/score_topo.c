/*
 * The topology-aware scores: PodTopologySpread (ScheduleAnyway constraints,
 * or the system defaults for pods of an owner) and InterPodAffinity
 * (preferred terms both ways, and existing pods' required affinity with
 * hardPodAffinityWeight). Both sum matcher per-node counts into domains.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A soft constraint to score, explicit or a system default. */
struct soft {
	int matcher, topo, max_skew;
	bool honor_affinity, honor_taints;
};

static int soft_constraints(struct sched *s, const struct sched_pod *p, struct soft *out)
{
	int n = 0;

	if (p->nspread) {
		for (int i = 0; i < p->nspread; i++) {
			const struct sched_spread *c = &p->spread[i];
			if (!c->hard)
				out[n++] = (struct soft){c->matcher, c->topo, c->max_skew,
							 c->honor_affinity, c->honor_taints};
		}
		return n;
	}
	if (p->owner_matcher < 0)
		return 0;
	out[n++] = (struct soft){p->owner_matcher, s->s_hostname, 3, true, false};
	out[n++] = (struct soft){p->owner_matcher, s->s_zone, 5, true, false};
	return n;
}

static bool has_keys(const struct sched_node *n, const struct soft *c, int nc)
{
	for (int i = 0; i < nc; i++)
		if (sched_node_label(n, c[i].topo) < 0)
			return false;
	return true;
}

/* Count matching pods per domain over all nodes the policies include. */
static int soft_doms(struct sched *s, struct sched_pod *p, const struct soft *c, int nc,
		     bool require_all, int *dom)
{
	bool *ok = calloc((size_t)s->nslots + 1, sizeof(bool));
	int dummy;

	if (!ok)
		return KUBE_ENOMEM;
	for (int k = 0; k < nc; k++) {
		for (int i = 0; i < s->nslots; i++) {
			const struct sched_node *n = &s->nodes[i];
			ok[i] = n->has_obj && (!require_all || has_keys(n, c, nc)) &&
				(!c[k].honor_affinity || sched_node_affinity_ok(s, p, n)) &&
				(!c[k].honor_taints || sched_taints_ok(p, n, false, &dummy));
		}
		if ((dom[k] = sched_dom_new(s, c[k].topo, s->matchers[c[k].matcher]->cnt)) < 0)
			break;
		sched_dom_fill(s, &s->cyc.d[dom[k]], ok);
	}
	free(ok);
	return nc && dom[nc - 1] < 0 ? KUBE_ENOMEM : 0;
}

/* log(domains + 2) per constraint, domains counted among the scored nodes;
 * as upstream, nodes lacking a key form one "" domain of their own. */
static void topo_sizes(struct sched *s, const int *nodes, int n, const bool *ignored,
		       const struct soft *c, int nc, int *seen, double *norm)
{
	for (int k = 0; k < nc; k++) {
		int size = 0;
		bool missing = false;
		for (int i = 0; i < n; i++) {
			int v = sched_node_label(&s->nodes[nodes[i]], c[k].topo);
			if (ignored[i])
				continue;
			if (c[k].topo == s->s_hostname)
				size++;
			else if (v < 0 && !missing)
				size += missing = true;
			else if (v >= 0 && !seen[v]++)
				size++;
		}
		for (int i = 0; i < n; i++) {
			int v = sched_node_label(&s->nodes[nodes[i]], c[k].topo);
			if (v >= 0)
				seen[v] = 0;
		}
		norm[k] = log(size + 2);
	}
}

static void spread_normalize(int64_t *sc, const bool *ignored, int n)
{
	int64_t min = INT64_MAX, max = 0;

	for (int i = 0; i < n; i++) {
		if (ignored[i])
			continue;
		min = sc[i] < min ? sc[i] : min;
		max = sc[i] > max ? sc[i] : max;
	}
	for (int i = 0; i < n; i++)
		sc[i] = ignored[i] ? 0 : !max ? SCHED_MAX_SCORE
			: SCHED_MAX_SCORE * (max + min - sc[i]) / max;
}

/* PodTopologySpread Score + NormalizeScore; *used false when it skips. */
int sched_spread_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
		       int64_t *sc, bool *used)
{
	struct soft c[p->nspread + 2];
	int nc = soft_constraints(s, p, c), dom[p->nspread + 2], scratch;
	bool require_all = p->nspread > 0, ignored[n];
	double norm[p->nspread + 2];

	*used = nc > 0;
	if (!nc)
		return 0;
	if (soft_doms(s, p, c, nc, require_all, dom) || (scratch = sched_dom_new(s, 0, NULL)) < 0)
		return KUBE_ENOMEM;
	for (int i = 0; i < n; i++)
		ignored[i] = require_all && !has_keys(&s->nodes[nodes[i]], c, nc);
	topo_sizes(s, nodes, n, ignored, c, nc, s->cyc.d[scratch].present, norm);
	for (int i = 0; i < n; i++) {
		const struct sched_node *nd = &s->nodes[nodes[i]];
		double score = 0;
		for (int k = 0; !ignored[i] && k < nc; k++) {
			const struct sched_dom *d = &s->cyc.d[dom[k]];
			int v = sched_node_label(nd, c[k].topo);
			int64_t cnt;
			if (v < 0)
				continue;
			cnt = c[k].topo == s->s_hostname ? d->pernode[nodes[i]] : d->v[v];
			score += (double)cnt * norm[k] + (c[k].max_skew - 1);
		}
		sc[i] = (int64_t)llround(score);
	}
	spread_normalize(sc, ignored, n);
	return 0;
}

/* InterPodAffinity PreScore: a domain table per term that can score. */
static int ipa_terms(struct sched *s, struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;
	int d;

	c->score0 = c->nd;
	for (int i = 0; i < p->nppref; i++) {
		if ((d = sched_dom_new(s, p->ppref[i].topo, s->matchers[p->ppref[i].matcher]->cnt)) < 0)
			return d;
		c->d[d].weight = p->ppref[i].weight;
		sched_dom_fill(s, &c->d[d], NULL);
	}
	for (int i = 0; i < s->nheldg; i++) {
		const struct sched_held *h = s->held[i];
		if (!h || h->kind == HELD_REQ_ANTI ||
		    (h->kind == HELD_REQ_AFF && !s->cfg.hard_pod_affinity_weight) ||
		    !sched_matcher_match(s, s->matchers[h->matcher], p))
			continue;
		if ((d = sched_dom_new(s, h->topo, h->sum)) < 0)
			return d;
		c->d[d].weight = h->kind == HELD_REQ_AFF ? s->cfg.hard_pod_affinity_weight : 1;
		sched_dom_fill(s, &c->d[d], NULL);
	}
	c->nscore = c->nd - c->score0;
	return 0;
}

/* InterPodAffinity Score + NormalizeScore (min-max); *used false: skipped. */
int sched_ipa_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
		    int64_t *sc, bool *used)
{
	const struct sched_cycle *c = &s->cyc;
	int64_t min = INT64_MAX, max = INT64_MIN;
	int rc;

	*used = false;
	if (!p->nppref && !s->nheldg)
		return 0;
	if ((rc = ipa_terms(s, p)))
		return rc;
	if (!c->nscore)
		return 0;
	*used = true;
	for (int i = 0; i < n; i++) {
		sc[i] = 0;
		for (int k = c->score0; k < c->score0 + c->nscore; k++)
			sc[i] += (int64_t)c->d[k].weight * sched_dom_at(&c->d[k], &s->nodes[nodes[i]]);
		min = sc[i] < min ? sc[i] : min;
		max = sc[i] > max ? sc[i] : max;
	}
	for (int i = 0; i < n; i++)
		sc[i] = max > min ? (int64_t)(SCHED_MAX_SCORE * ((double)(sc[i] - min) / (max - min))) : 0;
	return 0;
}
