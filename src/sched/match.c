/*
 * Matchers and held terms: the incremental topology counts behind
 * InterPodAffinity and PodTopologySpread.
 *
 * A matcher is "the pods a term selects" (label selector + namespaces, or
 * the pods of one owner). Identical terms share one matcher, and each
 * matcher keeps, per node slot, the number of accounted pods it selects:
 * binding or removing a pod updates every matcher once, so the plugins
 * aggregate per-domain counts from per-node counts without touching pods.
 * A held group is a term carried by accounted pods (their required
 * anti-affinity, required affinity, preferred terms) keyed by matcher,
 * topology key and kind, with a per-node count or weight sum; incoming pods
 * the matcher selects are subject to it.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Canonical text of a term's selection, so equal terms share a matcher. */
static char *matcher_ident(struct sched *s, const json_t *sel, const json_t *nss,
			   const json_t *ns_sel, int own_ns, bool nothing)
{
	char *seltxt = nothing ? NULL : json_dumps(sel, JSON_SORT_KEYS | JSON_COMPACT);
	char *nsseltxt = ns_sel ? json_dumps(ns_sel, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	size_t n = json_array_size(nss), len = 64, i;
	const char *names[n + 1];
	char *out = NULL;
	FILE *f;

	for (i = 0; i < n; i++)
		names[i] = json_string_value(json_array_get(nss, i)) ?: "";
	if (!n && !ns_sel)
		names[n++] = s->str.str[own_ns];
	qsort(names, n, sizeof(char *), str_cmp);
	f = open_memstream(&out, &len);
	if (f) {
		fprintf(f, "S%s|", seltxt ? seltxt : "<nothing>");
		for (i = 0; i < n; i++)
			fprintf(f, "%s,", names[i]);
		fprintf(f, "|%s", nsseltxt ? nsseltxt : "");
		if (fclose(f))
			out = NULL;
	}
	free(seltxt);
	free(nsseltxt);
	return out;
}

static int matcher_slot(struct sched *s)
{
	if (s->nfreem)
		return s->free_matchers[--s->nfreem];
	if (sched_grow(&s->matchers, &s->capmatchers, s->nmatchers + 1, sizeof(void *)))
		return KUBE_ENOMEM;
	return s->nmatchers++;
}

static void matcher_free(struct sched_matcher *m)
{
	if (!m)
		return;
	free(m->ident);
	kube__labelsel_free(m->sel);
	kube__labelsel_free(m->ns_sel);
	free(m->owner_uid);
	free(m->sub);
	free(m->ns);
	free(m->cnt);
	free(m);
}

static void recount(struct sched *s, struct sched_matcher *m)
{
	memset(m->cnt, 0, (size_t)s->capslots * sizeof(int));
	for (int i = 0; i < s->nslots; i++)
		for (int j = 0; j < s->nodes[i].npods; j++)
			if (sched_matcher_match(s, m, s->nodes[i].pods[j]))
				m->cnt[i]++;
}

/* Register a new matcher @p m (ident set) and count the pods it selects.
 * Returns its id, or KUBE_ENOMEM (m freed). */
static int matcher_add(struct sched *s, struct sched_matcher *m)
{
	int id;

	m->refs = 1;
	m->cnt = calloc((size_t)s->capslots + 1, sizeof(int));
	if (!m->cnt || (id = matcher_slot(s)) < 0)
		goto free_matcher;
	if (sched_map_put(&s->matcher_by_ident, m->ident, (void *)(intptr_t)(id + 1))) {
		s->free_matchers[s->nfreem++] = id;   /* just popped or appended: room */
		goto free_matcher;
	}
	s->matchers[id] = m;
	recount(s, m);
	return id;
free_matcher:
	matcher_free(m);
	return KUBE_ENOMEM;
}

static int existing(struct sched *s, const char *ident)
{
	int id = (int)(intptr_t)sched_map_get(&s->matcher_by_ident, ident) - 1;

	if (id >= 0)
		s->matchers[id]->refs++;
	return id;
}

static int fill_namespaces(struct sched *s, struct sched_matcher *m, const json_t *nss,
			   const json_t *ns_sel, int own_ns)
{
	size_t i;
	json_t *v;

	m->ns = calloc(json_array_size(nss) + 1, sizeof(int));
	if (!m->ns)
		return KUBE_ENOMEM;
	json_array_foreach(nss, i, v)
		if ((m->ns[m->nns++] = sched_intern_id(&s->str, json_string_value(v) ?: "")) < 0)
			return KUBE_ENOMEM;
	if (!m->nns && !ns_sel)
		m->ns[m->nns++] = own_ns;
	if (ns_sel && !json_object_size(ns_sel))
		m->all_ns = true;
	else if (ns_sel)
		m->ns_sel = kube__labelsel_from_json(ns_sel, (char[256]){0}, 256);
	return 0;
}

/*
 * The matcher of a PodAffinityTerm / spread constraint: label selector
 * @p sel (NULL with @p nil_is_nothing: selects no pod), namespaces @p nss
 * and namespaceSelector @p ns_sel (neither: the owner's namespace
 * @p own_ns). A reference is taken; drop it with sched_matcher_put.
 * Returns the id or KUBE_ENOMEM. A selector upstream would reject selects
 * nothing.
 */
int sched_matcher_get(struct sched *s, const json_t *sel, const json_t *nss,
		      const json_t *ns_sel, int own_ns, bool nil_is_nothing)
{
	bool nothing = !sel && nil_is_nothing;
	char *ident = matcher_ident(s, sel, nss, ns_sel, own_ns, nothing);
	struct sched_matcher *m;
	int id;

	if (!ident)
		return KUBE_ENOMEM;
	if ((id = existing(s, ident)) >= 0) {
		free(ident);
		return id;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		free(ident);
		return KUBE_ENOMEM;
	}
	m->ident = ident;
	m->mode = nothing ? MM_NOTHING : MM_SELECTOR;
	if (!nothing && !(m->sel = kube__labelsel_from_json(sel, (char[256]){0}, 256)))
		m->mode = MM_NOTHING;
	if (fill_namespaces(s, m, nss, ns_sel, own_ns)) {
		matcher_free(m);
		return KUBE_ENOMEM;
	}
	return matcher_add(s, m);
}

/* The matcher of the pods whose first ownerReference has @p uid. */
int sched_matcher_owner(struct sched *s, const char *uid)
{
	char buf[300];
	struct sched_matcher *m;
	int id;

	snprintf(buf, sizeof(buf), "O%s", uid);
	if ((id = existing(s, buf)) >= 0)
		return id;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->ident = strdup(buf)) || !(m->owner_uid = strdup(uid))) {
		matcher_free(m);
		return KUBE_ENOMEM;
	}
	m->mode = MM_OWNER;
	return matcher_add(s, m);
}

/* The matcher selecting pods that all of @p ids select (it holds refs on them). */
int sched_matcher_and(struct sched *s, const int *ids, int n)
{
	char *buf = malloc((size_t)n * 12 + 2);
	struct sched_matcher *m;
	size_t off = 1;
	int id;

	if (!buf)
		return KUBE_ENOMEM;
	buf[0] = 'A';
	buf[1] = 0;
	for (int i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "%d,", ids[i]);
	if ((id = existing(s, buf)) >= 0) {
		free(buf);
		return id;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->sub = malloc(n * sizeof(int)))) {
		free(buf);
		matcher_free(m);
		return KUBE_ENOMEM;
	}
	m->ident = buf;
	m->mode = MM_AND;
	memcpy(m->sub, ids, n * sizeof(int));
	m->nsub = n;
	if ((id = matcher_add(s, m)) < 0)
		return id;
	for (int i = 0; i < n; i++)
		s->matchers[ids[i]]->refs++;
	return id;
}

/* Drop a reference; the last one frees the matcher. */
void sched_matcher_put(struct sched *s, int id)
{
	struct sched_matcher *m = s->matchers[id];

	if (--m->refs > 0)
		return;
	for (int i = 0; i < m->nsub; i++)
		sched_matcher_put(s, m->sub[i]);
	sched_map_del(&s->matcher_by_ident, m->ident);
	matcher_free(m);
	s->matchers[id] = NULL;
	if (!sched_grow(&s->free_matchers, &s->capfreem, s->nfreem + 1, sizeof(int)))
		s->free_matchers[s->nfreem++] = id;
}

static bool ns_match(const struct sched *s, const struct sched_matcher *m, int ns)
{
	if (m->all_ns)
		return true;
	for (int i = 0; i < m->nns; i++)
		if (m->ns[i] == ns)
			return true;
	if (m->ns_sel) {
		const json_t *labels = sched_map_get(&s->ns_labels, s->str.str[ns]);
		return labels && kube__labelsel_match(m->ns_sel, labels);
	}
	return false;
}

/* True when matcher @p m selects pod @p p. */
bool sched_matcher_match(const struct sched *s, const struct sched_matcher *m,
			 const struct sched_pod *p)
{
	switch (m->mode) {
	case MM_NOTHING:
		return false;
	case MM_OWNER:
		return p->owner_uid && !strcmp(p->owner_uid, m->owner_uid);
	case MM_AND:
		for (int i = 0; i < m->nsub; i++)
			if (!sched_matcher_match(s, s->matchers[m->sub[i]], p))
				return false;
		return true;
	default:
		return ns_match(s, m, p->ns_id) && kube__labelsel_match(m->sel, p->labels);
	}
}

/* Add @p delta to the count of every matcher selecting @p p on its node. */
void sched_matchers_count(struct sched *s, struct sched_pod *p, int delta)
{
	for (int i = 0; i < s->nmatchers; i++) {
		struct sched_matcher *m = s->matchers[i];
		if (m && sched_matcher_match(s, m, p))
			m->cnt[p->node] += delta;
	}
}

static int grow_counts(int **arr, int oldcap, int cap)
{
	int *n = realloc(*arr, ((size_t)cap + 1) * sizeof(int));

	if (!n)
		return KUBE_ENOMEM;
	memset(n + oldcap, 0, ((size_t)(cap - oldcap) + 1) * sizeof(int));
	*arr = n;
	return 0;
}

/* Resize the per-slot arrays after the node slots grew from @p oldcap. */
int sched_matchers_grow(struct sched *s, int oldcap, int cap)
{
	for (int i = 0; i < s->nmatchers; i++)
		if (s->matchers[i] && grow_counts(&s->matchers[i]->cnt, oldcap, cap))
			return KUBE_ENOMEM;
	for (int i = 0; i < s->nheldg; i++)
		if (s->held[i] && grow_counts(&s->held[i]->sum, oldcap, cap))
			return KUBE_ENOMEM;
	return 0;
}

/* Namespace labels changed: recount matchers with a namespaceSelector. */
void sched_matchers_recount_ns(struct sched *s)
{
	for (int i = 0; i < s->nmatchers; i++)
		if (s->matchers[i] && s->matchers[i]->ns_sel)
			recount(s, s->matchers[i]);
}

static int held_get(struct sched *s, const struct sched_pterm *t, enum sched_held_kind kind)
{
	char buf[64];
	int id;
	struct sched_held *h;

	snprintf(buf, sizeof(buf), "%d:%d:%d", kind, t->matcher, t->topo);
	id = (int)(intptr_t)sched_map_get(&s->held_by_ident, buf) - 1;
	if (id >= 0)
		return id;
	for (id = 0; id < s->nheldg && s->held[id]; id++)
		;
	if (id == s->nheldg &&
	    sched_grow(&s->held, &s->capheldg, s->nheldg + 1, sizeof(void *)))
		return KUBE_ENOMEM;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->sum = calloc((size_t)s->capslots + 1, sizeof(int))) ||
	    sched_map_put(&s->held_by_ident, buf, (void *)(intptr_t)(id + 1))) {
		if (h)
			free(h->sum);
		free(h);
		return KUBE_ENOMEM;
	}
	h->matcher = t->matcher;
	h->topo = t->topo;
	h->kind = kind;
	s->matchers[t->matcher]->refs++;
	s->held[id] = h;
	if (id == s->nheldg)
		s->nheldg++;
	return id;
}

static void held_put(struct sched *s, int id, int node, int amount)
{
	struct sched_held *h = s->held[id];
	char buf[64];

	h->sum[node] -= amount;
	if (--h->refs > 0)
		return;
	snprintf(buf, sizeof(buf), "%d:%d:%d", h->kind, h->matcher, h->topo);
	sched_map_del(&s->held_by_ident, buf);
	sched_matcher_put(s, h->matcher);
	free(h->sum);
	free(h);
	s->held[id] = NULL;
}

/* The i-th held term of @p p: required anti-affinity, required affinity,
 * then preferred terms; *amount is what it adds to its group's node sum. */
static const struct sched_pterm *held_term(const struct sched_pod *p, int i,
					   enum sched_held_kind *kind, int *amount)
{
	*amount = 1;
	if (i < p->nanti) {
		*kind = HELD_REQ_ANTI;
		return &p->anti[i];
	}
	if ((i -= p->nanti) < p->naff) {
		*kind = HELD_REQ_AFF;
		return &p->aff[i];
	}
	i -= p->naff;
	*kind = HELD_PREF;
	*amount = p->ppref[i].weight;
	return &p->ppref[i];
}

/* Register the terms accounted pod @p p holds (p->node set). 0 / ENOMEM. */
int sched_held_add(struct sched *s, struct sched_pod *p)
{
	int n = p->nanti + p->naff + p->nppref, i, amount, id;
	enum sched_held_kind kind;

	if (!n)
		return 0;
	p->held = calloc(n, sizeof(int));
	if (!p->held)
		return KUBE_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct sched_pterm *t = held_term(p, i, &kind, &amount);
		if ((id = held_get(s, t, kind)) < 0)
			goto undo_terms;
		p->held[i] = id;
		s->held[id]->refs++;
		s->held[id]->sum[p->node] += amount;
	}
	s->nreq_anti_held += p->nanti > 0;
	return 0;
undo_terms:
	while (i-- > 0) {
		held_term(p, i, &kind, &amount);
		held_put(s, p->held[i], p->node, amount);
	}
	free(p->held);
	p->held = NULL;
	return KUBE_ENOMEM;
}

/* Undo sched_held_add. */
void sched_held_remove(struct sched *s, struct sched_pod *p)
{
	int n = p->nanti + p->naff + p->nppref, amount;
	enum sched_held_kind kind;

	if (!p->held)
		return;
	for (int i = 0; i < n; i++) {
		held_term(p, i, &kind, &amount);
		held_put(s, p->held[i], p->node, amount);
	}
	s->nreq_anti_held -= p->nanti > 0;
	free(p->held);
	p->held = NULL;
}

void sched_matchers_free(struct sched *s)
{
	for (int i = 0; i < s->nheldg; i++)
		if (s->held[i]) {
			free(s->held[i]->sum);
			free(s->held[i]);
		}
	for (int i = 0; i < s->nmatchers; i++)
		matcher_free(s->matchers[i]);
	free(s->held);
	free(s->matchers);
	free(s->free_matchers);
	sched_map_free(&s->held_by_ident);
	sched_map_free(&s->matcher_by_ident);
}
