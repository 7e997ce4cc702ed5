/*
 * Filter plugins, in the default profile's order: NodeUnschedulable,
 * NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
 * VolumeBinding, PodTopologySpread, InterPodAffinity. As upstream, the first
 * failing plugin decides a node's status; reason strings are upstream's.
 */
#include "sched/sched_int.h"

#include <stdio.h>
#include <string.h>

enum { RB_CPU = 1u << 0, RB_MEM = 1u << 1, RB_EPH = 1u << 2, RB_PODS = 1u << 3, RB_SCALAR0 = 4 };

static bool unschedulable_ok(const struct sched *s, const struct sched_pod *p,
			     const struct sched_node *n)
{
	struct sched_taint t = {s->s_unsched_taint, s->s_empty, EFF_NOSCHEDULE};

	if (!n->unschedulable)
		return true;
	for (int i = 0; i < p->ntol; i++)
		if (sched_tolerates(&p->tol[i], &t))
			return true;
	return false;
}

static bool ports_ok(const struct sched *s, const struct sched_pod *p, const struct sched_node *n)
{
	for (int i = 0; i < p->nports; i++) {
		const struct sched_port *a = &p->ports[i];
		for (int j = 0; j < n->nports; j++) {
			const struct sched_port *b = &n->ports[j];
			if (a->port == b->port && a->proto == b->proto &&
			    (a->ip == b->ip || a->ip == s->s_any_ip || b->ip == s->s_any_ip))
				return false;
		}
	}
	return true;
}

/* Requested on @p n plus pods nominated there that outrank (or tie) @p p:
 * preemption reserved their room. */
static void nominated_load(const struct sched_pod *p, const struct sched_node *n,
			   struct sched_res *extra, int *npods)
{
	for (int i = 0; i < n->nnom; i++) {
		const struct sched_pod *q = n->nom[i];
		if (q == p || q->prio < p->prio)
			continue;
		extra->cpu += q->req.cpu;
		extra->mem += q->req.mem;
		extra->eph += q->req.eph;
		(*npods)++;
	}
}

/* NodeResourcesFit: a bit per insufficient resource, 0 when it fits. */
static uint32_t resources_fit(const struct sched_pod *p, const struct sched_node *n)
{
	struct sched_res extra = {0};
	int npods = n->npods + 1;
	uint32_t bad = 0;

	if (n->nnom)
		nominated_load(p, n, &extra, &npods);
	if (npods > n->alloc_pods)
		bad |= RB_PODS;
	if (!p->req.cpu && !p->req.mem && !p->req.eph && !p->req.nscalar)
		return bad;
	if (p->req.cpu > 0 && p->req.cpu > n->alloc.cpu - n->req.cpu - extra.cpu)
		bad |= RB_CPU;
	if (p->req.mem > 0 && p->req.mem > n->alloc.mem - n->req.mem - extra.mem)
		bad |= RB_MEM;
	if (p->req.eph > 0 && p->req.eph > n->alloc.eph - n->req.eph - extra.eph)
		bad |= RB_EPH;
	for (int i = 0; i < p->req.nscalar && i < 28; i++) {
		const struct sched_scalar *r = &p->req.scalar[i];
		if (r->val > 0 && r->val > sched_res_scalar(&n->alloc, r->name) -
					    sched_res_scalar(&n->req, r->name))
			bad |= 1u << (RB_SCALAR0 + i);
	}
	return bad;
}

/* PodTopologySpread Filter over the hard constraints' domain counts. */
static int spread_filter(const struct sched *s, const struct sched_node *n)
{
	const struct sched_cycle *c = &s->cyc;

	for (int i = c->spread0; i < c->spread0 + c->nspread; i++) {
		const struct sched_dom *d = &c->d[i];
		int v = sched_node_label(n, d->topo);
		if (v < 0)
			return R_SPREAD_LABEL;
		if (d->v[v] + d->self - d->min > d->max_skew)
			return R_SPREAD_SKEW;
	}
	return R_OK;
}

static bool affinity_ok(const struct sched *s, const struct sched_node *n)
{
	const struct sched_cycle *c = &s->cyc;
	bool exist = true;

	for (int i = c->aff0; i < c->aff0 + c->naff; i++) {
		int v = sched_node_label(n, c->d[i].topo);
		if (v < 0)
			return false;          /* all topology labels must exist */
		if (c->d[i].v[v] <= 0)
			exist = false;
	}
	/* The first pod of a group with affinity to itself may go anywhere. */
	return exist || (!c->aff_any && c->aff_self);
}

/* InterPodAffinity Filter. */
static int ipa_filter(const struct sched *s, const struct sched_node *n)
{
	const struct sched_cycle *c = &s->cyc;

	if (c->naff && !affinity_ok(s, n))
		return R_IPA_AFF;
	for (int i = c->anti0; i < c->anti0 + c->nanti; i++)
		if (sched_dom_at(&c->d[i], n) > 0)
			return R_IPA_ANTI;
	for (int i = c->exist0; i < c->exist0 + c->nexist; i++)
		if (sched_dom_at(&c->d[i], n) > 0)
			return R_IPA_EXISTING;
	return R_OK;
}

static bool fail(struct sched_status *st, int code, uint32_t detail)
{
	st->code = (uint8_t)code;
	st->detail = detail;
	return false;
}

/* Run the filters for pod @p p (cycle initialised) on node @p slot. True
 * when it passes; otherwise @p st says why. */
bool sched_filter(struct sched *s, struct sched_pod *p, int slot, struct sched_status *st)
{
	const struct sched_node *n = &s->nodes[slot];
	uint32_t bad;
	int which, code;

	if (!unschedulable_ok(s, p, n))
		return fail(st, R_UNSCHEDULABLE, 0);
	if (n->ntaints && !sched_taints_ok(p, n, false, &which))
		return fail(st, R_TAINT, (uint32_t)which);
	if (!sched_node_affinity_ok(s, p, n))
		return fail(st, R_AFFINITY, 0);
	if (p->nports && !ports_ok(s, p, n))
		return fail(st, R_PORTS, 0);
	if ((bad = resources_fit(p, n)))
		return fail(st, R_RESOURCES, bad);
	if (p->nclaims) {
		st->text = s->cfg.volume_filter
			? s->cfg.volume_filter(s->cfg.volume_ud, p->ns,
					       (const char *const *)p->claims, p->nclaims, n->name)
			: sched_volume_filter(s, n);
		if (st->text)
			return fail(st, R_VOLUME, 0);
	}
	if ((code = spread_filter(s, n)) || (code = ipa_filter(s, n)))
		return fail(st, code, 0);
	st->code = R_OK;
	return true;
}

/* Whether evicting pods can cure a node's status (upstream: Unschedulable
 * rather than UnschedulableAndUnresolvable). */
bool sched_reason_resolvable(int code)
{
	return code == R_PORTS || code == R_RESOURCES || code == R_SPREAD_SKEW ||
	       code == R_IPA_ANTI || code == R_IPA_EXISTING;
}

static const char *const plain[] = {
	[R_UNSCHEDULABLE] = "node(s) were unschedulable",
	[R_NODENAME] = "node(s) didn't match the requested node name",
	[R_AFFINITY] = "node(s) didn't match Pod's node affinity/selector",
	[R_PORTS] = "node(s) didn't have free ports for the requested pod ports",
	[R_SPREAD_LABEL] = "node(s) didn't match pod topology spread constraints (missing required label)",
	[R_SPREAD_SKEW] = "node(s) didn't match pod topology spread constraints",
	[R_IPA_AFF] = "node(s) didn't match pod affinity rules",
	[R_IPA_ANTI] = "node(s) didn't match pod anti-affinity rules",
	[R_IPA_EXISTING] = "node(s) didn't satisfy existing pods anti-affinity rules",
	[R_NOT_HELPFUL] = "Preemption is not helpful for scheduling",
	[R_NO_VICTIMS] = "No preemption victims found for incoming pod",
	[R_NOT_IN_RESULT] = "node(s) didn't satisfy plugin(s) [NodeAffinity]",
};

static int resource_reasons(const struct sched *s, const struct sched_pod *p, uint32_t bad,
			    char (*out)[160], int max)
{
	int n = 0;

	if ((bad & RB_PODS) && n < max)
		snprintf(out[n++], 160, "Too many pods");
	if ((bad & RB_CPU) && n < max)
		snprintf(out[n++], 160, "Insufficient cpu");
	if ((bad & RB_MEM) && n < max)
		snprintf(out[n++], 160, "Insufficient memory");
	if ((bad & RB_EPH) && n < max)
		snprintf(out[n++], 160, "Insufficient ephemeral-storage");
	for (int i = 0; i < p->req.nscalar && i < 28 && n < max; i++)
		if (bad & (1u << (RB_SCALAR0 + i)))
			snprintf(out[n++], 160, "Insufficient %s", s->str.str[p->req.scalar[i].name]);
	return n;
}

/* The reason strings of status @p st of node @p slot into @p out; count. */
int sched_reasons(const struct sched *s, const struct sched_pod *p, int slot,
		  const struct sched_status *st, char (*out)[160], int max)
{
	const struct sched_taint *t;

	switch (st->code) {
	case R_OK:
		return 0;
	case R_TAINT:
		t = &s->nodes[slot].taints[st->detail];
		snprintf(out[0], 160, "node(s) had untolerated taint {%s: %s}",
			 s->str.str[t->key], s->str.str[t->value]);
		return 1;
	case R_RESOURCES:
		return resource_reasons(s, p, st->detail, out, max);
	case R_VOLUME:
	case R_PREFILTER:
		snprintf(out[0], 160, "%s", st->text);
		return 1;
	default:
		snprintf(out[0], 160, "%s", plain[st->code]);
		return 1;
	}
}
