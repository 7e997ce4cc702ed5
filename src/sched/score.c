/*
 * Score plugins with upstream's formulas and normalisation: TaintToleration,
 * NodeAffinity, NodeResourcesFit (LeastAllocated / MostAllocated),
 * PodTopologySpread (ScheduleAnyway and the system defaults),
 * InterPodAffinity, NodeResourcesBalancedAllocation and ImageLocality.
 * A plugin that would give every node the same score is skipped: it cannot
 * change the choice.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MB (1024LL * 1024)

/* Upstream DefaultNormalizeScore. */
static void normalize(int64_t *sc, int n, bool reverse)
{
	int64_t max = 0;

	for (int i = 0; i < n; i++)
		if (sc[i] > max)
			max = sc[i];
	for (int i = 0; i < n; i++) {
		int64_t v = max ? SCHED_MAX_SCORE * sc[i] / max : 0;
		sc[i] = reverse ? SCHED_MAX_SCORE - v : v;
	}
}

static void add(int64_t *total, const int64_t *sc, int n, int weight)
{
	for (int i = 0; i < n; i++)
		total[i] += weight * sc[i];
}

static bool taint_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
			int64_t *sc)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		int cnt;
		sched_taints_ok(p, &s->nodes[nodes[i]], true, &cnt);
		sc[i] = cnt;
		any |= cnt > 0;
	}
	if (any)
		normalize(sc, n, true);
	return any;
}

static bool affinity_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
			   int64_t *sc)
{
	if (!p->npref)
		return false;
	for (int i = 0; i < n; i++) {
		sc[i] = 0;
		for (int j = 0; j < p->npref; j++)
			if (sched_term_match(s, &p->pref[j], &s->nodes[nodes[i]]))
				sc[i] += p->pref[j].weight;
	}
	normalize(sc, n, false);
	return true;
}

/* One resource's LeastAllocated / MostAllocated score. */
static int64_t alloc_score(int64_t req, int64_t cap, bool most)
{
	if (cap <= 0)
		return 0;
	if (most)
		return (req > cap ? cap : req) * SCHED_MAX_SCORE / cap;
	return req > cap ? 0 : (cap - req) * SCHED_MAX_SCORE / cap;
}

static bool fit_score(struct sched *s, struct sched_pod *p, const int *nodes, int n, int64_t *sc)
{
	bool most = s->cfg.strategy == SCHED_MOST_ALLOCATED;
	int64_t wc = s->cfg.cpu_weight, wm = s->cfg.memory_weight;

	for (int i = 0; i < n; i++) {
		const struct sched_node *nd = &s->nodes[nodes[i]];
		int64_t c = alloc_score(nd->nz_cpu + p->nz_cpu, nd->alloc.cpu, most);
		int64_t m = alloc_score(nd->nz_mem + p->nz_mem, nd->alloc.mem, most);
		sc[i] = wc + wm ? (c * wc + m * wm) / (wc + wm) : 0;
	}
	return true;
}

static bool balanced_score(struct sched *s, struct sched_pod *p, const int *nodes, int n,
			   int64_t *sc)
{
	if (!p->req.cpu && !p->req.mem)
		return false;              /* best-effort: PreScore skips */
	for (int i = 0; i < n; i++) {
		const struct sched_node *nd = &s->nodes[nodes[i]];
		double fc, fm;
		if (!nd->alloc.cpu || !nd->alloc.mem) {   /* one fraction: no deviation */
			sc[i] = SCHED_MAX_SCORE;
			continue;
		}
		fc = fmin(1, (double)(nd->req.cpu + p->req.cpu) / nd->alloc.cpu);
		fm = fmin(1, (double)(nd->req.mem + p->req.mem) / nd->alloc.mem);
		sc[i] = (int64_t)((1 - fabs(fc - fm) / 2) * SCHED_MAX_SCORE);
	}
	return true;
}

static int64_t image_size_on(const struct sched_node *n, int img)
{
	int lo = 0, hi = n->nimages - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (n->images[mid].name == img)
			return n->images[mid].size;
		if (n->images[mid].name < img)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static bool image_score(struct sched *s, struct sched_pod *p, const int *nodes, int n, int64_t *sc)
{
	int64_t lo = 23 * MB, hi = 1000 * MB * (p->ncontainers ? p->ncontainers : 1);
	bool any = false;

	for (int i = 0; i < n; i++) {
		const struct sched_node *nd = &s->nodes[nodes[i]];
		int64_t sum = 0;
		for (int j = 0; j < p->nimages && nd->nimages; j++) {
			int64_t size = image_size_on(nd, p->images[j]);
			if (size >= 0)     /* scaled by how widely the image is spread */
				sum += (int64_t)((double)size * s->img_nodes[p->images[j]] / s->nnodes);
		}
		sum = sum < lo ? lo : sum > hi ? hi : sum;
		sc[i] = SCHED_MAX_SCORE * (sum - lo) / (hi - lo);
		any |= sc[i] > 0;
	}
	return any;
}

/*
 * Score the feasible @p nodes (slots) for @p p into @p total (n entries,
 * weighted sums). 0 or KUBE_ENOMEM.
 */
int sched_score(struct sched *s, struct sched_pod *p, const int *nodes, int n, int64_t *total)
{
	const struct sched_weights *w = &s->cfg.weights;
	int64_t *sc = s->scores;
	bool used;
	int rc;

	memset(total, 0, (size_t)n * sizeof(*total));
	if (w->taint_toleration && taint_score(s, p, nodes, n, sc))
		add(total, sc, n, w->taint_toleration);
	if (w->node_affinity && affinity_score(s, p, nodes, n, sc))
		add(total, sc, n, w->node_affinity);
	if (w->resources_fit && fit_score(s, p, nodes, n, sc))
		add(total, sc, n, w->resources_fit);
	if (w->pod_topology_spread) {
		if ((rc = sched_spread_score(s, p, nodes, n, sc, &used)))
			return rc;
		if (used)
			add(total, sc, n, w->pod_topology_spread);
	}
	if (w->inter_pod_affinity) {
		if ((rc = sched_ipa_score(s, p, nodes, n, sc, &used)))
			return rc;
		if (used)
			add(total, sc, n, w->inter_pod_affinity);
	}
	if (w->balanced_allocation && balanced_score(s, p, nodes, n, sc))
		add(total, sc, n, w->balanced_allocation);
	if (w->image_locality && image_score(s, p, nodes, n, sc))
		add(total, sc, n, w->image_locality);
	return 0;
}
