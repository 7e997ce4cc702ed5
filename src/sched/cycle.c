/*
 * PreFilter: what one scheduling cycle computes once for its pod before the
 * per-node filters run: per-domain counts of the pods its affinity terms,
 * anti-affinity terms and spread constraints select, and the domains that
 * existing pods' anti-affinity closes to it. Each is one pass over the node
 * slots summing the matchers' per-node counts; pods are never re-scanned.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdlib.h>
#include <string.h>

static int *pool_get(struct sched *s)
{
	if (!s->usedpool && s->dompool_size < s->str.n + 1) {  /* more values: resize */
		for (int i = 0; i < s->ndompool; i++)
			free(s->dompool[i]);
		s->ndompool = 0;
		s->dompool_size = s->str.n + 1024;
	}
	if (s->usedpool == s->ndompool) {
		if (sched_grow(&s->dompool, &s->capdompool, s->ndompool + 1, sizeof(int *)))
			return NULL;
		if (!(s->dompool[s->ndompool] = calloc((size_t)s->dompool_size, sizeof(int))))
			return NULL;
		s->ndompool++;
	}
	return s->dompool[s->usedpool++];
}

/* A new zeroed domain table for @p topo in the cycle; its index, or ENOMEM. */
int sched_dom_new(struct sched *s, int topo, const int *pernode)
{
	struct sched_cycle *c = &s->cyc;
	struct sched_dom *d;

	if (sched_grow(&c->d, &c->capd, c->nd + 1, sizeof(*c->d)))
		return KUBE_ENOMEM;
	d = &c->d[c->nd];
	memset(d, 0, sizeof(*d));
	d->topo = topo;
	d->pernode = pernode;
	if (!(d->v = pool_get(s)) || !(d->present = pool_get(s)))
		return KUBE_ENOMEM;
	return c->nd++;
}

/* Sum the per-node counts into domains over the nodes with the key (and,
 * when @p eligible is given, only the eligible ones). */
void sched_dom_fill(struct sched *s, struct sched_dom *d, const bool *eligible)
{
	for (int i = 0; i < s->nslots; i++) {
		const struct sched_node *n = &s->nodes[i];
		int v;
		if (!n->has_obj || (eligible && !eligible[i]))
			continue;
		if ((v = sched_node_label(n, d->topo)) < 0)
			continue;
		if (!d->present[v]++)
			d->ndomains++;
		d->v[v] += d->pernode[i];
	}
}

/* The domain sum for node @p n (0 when it lacks the key). */
int sched_dom_at(const struct sched_dom *d, const struct sched_node *n)
{
	int v = sched_node_label(n, d->topo);

	return v < 0 ? 0 : d->v[v];
}

/* True when @p n matches the pod's nodeSelector and required node affinity. */
bool sched_node_affinity_ok(const struct sched *s, const struct sched_pod *p,
			    const struct sched_node *n)
{
	if (p->node_sel.nreq && !sched_term_match(s, &p->node_sel, n))
		return false;
	if (!p->has_sel_terms)
		return true;
	for (int i = 0; i < p->nsel_terms; i++)
		if (sched_term_match(s, &p->sel_terms[i], n))
			return true;
	return false;
}

/* True when toleration @p t tolerates taint @p tt (upstream ToleratesTaint). */
bool sched_tolerates(const struct sched_toleration *t, const struct sched_taint *tt)
{
	if (t->effect != EFF_ALL && t->effect != tt->effect)
		return false;
	if (t->key < 0)
		return t->exists;            /* empty key: only Exists tolerates all */
	if (t->key != tt->key)
		return false;
	return t->exists || t->value == tt->value;
}

/* True when the pod tolerates every taint of @p n with the effects checked
 * (@p prefer: PreferNoSchedule, else NoSchedule and NoExecute); *which gets
 * the first untolerated taint (filter) or the untolerated count (prefer). */
bool sched_taints_ok(const struct sched_pod *p, const struct sched_node *n,
		     bool prefer, int *which)
{
	int bad = 0;

	for (int i = 0; i < n->ntaints; i++) {
		const struct sched_taint *tt = &n->taints[i];
		bool ok = false;
		if ((tt->effect == EFF_PREFERNOSCHEDULE) != prefer)
			continue;
		for (int j = 0; j < p->ntol && !ok; j++)
			ok = (!prefer || p->tol[j].effect == EFF_ALL ||
			      p->tol[j].effect == EFF_PREFERNOSCHEDULE) && sched_tolerates(&p->tol[j], tt);
		if (ok)
			continue;
		if (!prefer) {
			*which = i;
			return false;
		}
		bad++;
	}
	*which = bad;
	return bad == 0;
}

static int add_affinity(struct sched *s, struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;
	const struct sched_matcher *all = s->matchers[p->aff_all];

	c->aff0 = c->nd;
	for (int i = 0; i < p->naff; i++) {
		int d = sched_dom_new(s, p->aff[i].topo, all->cnt);
		if (d < 0)
			return d;
		sched_dom_fill(s, &c->d[d], NULL);
		for (int j = 0; j < s->nslots && !c->aff_any; j++)
			c->aff_any = s->nodes[j].has_obj && all->cnt[j] &&
				     sched_node_label(&s->nodes[j], p->aff[i].topo) >= 0;
	}
	c->naff = p->naff;
	c->aff_self = sched_matcher_match(s, all, p);
	return 0;
}

static int add_anti(struct sched *s, struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;

	c->anti0 = c->nd;
	for (int i = 0; i < p->nanti; i++) {
		int d = sched_dom_new(s, p->anti[i].topo, s->matchers[p->anti[i].matcher]->cnt);
		if (d < 0)
			return d;
		sched_dom_fill(s, &c->d[d], NULL);
	}
	c->nanti = p->nanti;
	return 0;
}

static int add_existing_anti(struct sched *s, struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;

	c->exist0 = c->nd;
	for (int i = 0; s->nreq_anti_held && i < s->nheldg; i++) {
		const struct sched_held *h = s->held[i];
		int d;
		if (!h || h->kind != HELD_REQ_ANTI || !sched_matcher_match(s, s->matchers[h->matcher], p))
			continue;
		if ((d = sched_dom_new(s, h->topo, h->sum)) < 0)
			return d;
		sched_dom_fill(s, &c->d[d], NULL);
		c->nexist++;
	}
	return 0;
}

/* The nodes counted for the hard spread constraints (inclusion policies,
 * all constraint keys present); NULL when out of memory. */
static bool *spread_eligible(struct sched *s, struct sched_pod *p, const struct sched_spread *sc)
{
	bool *ok = calloc((size_t)s->nslots + 1, sizeof(bool));
	int dummy;

	for (int i = 0; ok && i < s->nslots; i++) {
		const struct sched_node *n = &s->nodes[i];
		ok[i] = n->has_obj;
		for (int j = 0; ok[i] && j < p->nspread; j++)
			if (p->spread[j].hard)
				ok[i] = sched_node_label(n, p->spread[j].topo) >= 0;
		if (ok[i] && sc->honor_affinity)
			ok[i] = sched_node_affinity_ok(s, p, n);
		if (ok[i] && sc->honor_taints)
			ok[i] = sched_taints_ok(p, n, false, &dummy);
	}
	return ok;
}

static int add_spread(struct sched *s, struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;

	c->spread0 = c->nd;
	for (int i = 0; i < p->nspread; i++) {
		const struct sched_spread *sc = &p->spread[i];
		struct sched_dom *d;
		bool *ok;
		int di;
		if (!sc->hard)
			continue;
		if ((di = sched_dom_new(s, sc->topo, s->matchers[sc->matcher]->cnt)) < 0 ||
		    !(ok = spread_eligible(s, p, sc)))
			return KUBE_ENOMEM;
		d = &c->d[di];
		d->sc = sc;
		d->max_skew = sc->max_skew;
		d->self = sched_matcher_match(s, s->matchers[sc->matcher], p);
		sched_dom_fill(s, d, ok);
		d->min = d->ndomains < sc->min_domains ? 0 : INT32_MAX;
		for (int j = 0; j < s->nslots && d->min; j++) {
			int v = ok[j] ? sched_node_label(&s->nodes[j], sc->topo) : -1;
			if (v >= 0 && d->v[v] < d->min)
				d->min = d->v[v];
		}
		if (d->min == INT32_MAX)
			d->min = 0;
		free(ok);
		c->nspread++;
	}
	return 0;
}

/* The name-In requirement of a required node affinity term, or NULL. */
static const struct sched_req *name_in(const struct sched_term *t)
{
	for (int i = 0; i < t->nreq; i++)
		if (t->req[i].key < 0 && t->req[i].op == OP_IN)
			return &t->req[i];
	return NULL;
}

/* Whether every name-In requirement of @p t lists node name @p v. */
static bool term_names(const struct sched_term *t, int v)
{
	for (int i = 0; i < t->nreq; i++) {
		const struct sched_req *r = &t->req[i];
		bool has = false;
		if (r->key >= 0 || r->op != OP_IN)
			continue;
		for (int j = 0; j < r->nval && !has; j++)
			has = r->val[j] == v;
		if (!has)
			return false;
	}
	return true;
}

/*
 * NodeAffinity PreFilter (upstream): when every required term names nodes
 * (matchFields metadata.name In), only the union of those names is
 * filtered: s->only[] and cyc.restricted; names that conflict within every
 * term reject the pod ("pod affinity terms conflict"). 0 or KUBE_ENOMEM.
 */
int sched_names_prefilter(struct sched *s, const struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;
	int names = 0;

	c->restricted = false;
	for (int i = 0; i < p->nsel_terms; i++)
		if (!name_in(&p->sel_terms[i]))
			return 0;
	if (!p->has_sel_terms || !p->nsel_terms)
		return 0;
	if (sched_grow(&s->only, &s->caponly, s->nslots + 1, sizeof(bool)))
		return KUBE_ENOMEM;
	memset(s->only, 0, (size_t)s->nslots * sizeof(bool));
	c->restricted = true;
	c->nonly = 0;
	for (int i = 0; i < p->nsel_terms; i++) {
		const struct sched_req *r = name_in(&p->sel_terms[i]);
		for (int j = 0; j < r->nval; j++) {
			int slot;
			if (!term_names(&p->sel_terms[i], r->val[j]))
				continue;
			names++;
			slot = sched_node_slot(s, s->str.str[r->val[j]]);
			if (slot >= 0 && s->nodes[slot].has_obj && !s->only[slot]) {
				s->only[slot] = true;
				c->nonly++;
			}
		}
	}
	if (!names && !(c->prefilter = strdup("pod affinity terms conflict")))
		return KUBE_ENOMEM;
	return 0;
}

/* PreFilter for @p p. 0 or KUBE_ENOMEM (call sched_cycle_done either way). */
int sched_cycle_init(struct sched *s, struct sched_pod *p)
{
	struct sched_cycle *c = &s->cyc;
	int rc;

	c->pod = p;
	c->nd = c->naff = c->nanti = c->nexist = c->nspread = c->nscore = c->nsoft = 0;
	c->aff_any = c->aff_self = false;
	if ((p->naff && (rc = add_affinity(s, p))) || (rc = add_anti(s, p)) ||
	    (rc = add_existing_anti(s, p)) || (rc = add_spread(s, p)))
		return rc;
	return 0;
}

/* Zero the domain tables the cycle used, for the next one. */
void sched_cycle_done(struct sched *s)
{
	size_t bytes = (size_t)s->dompool_size * sizeof(int);

	for (int i = 0; i < s->usedpool; i++)
		memset(s->dompool[i], 0, bytes);
	s->usedpool = 0;
	s->cyc.nd = 0;
	s->cyc.pod = NULL;

}
