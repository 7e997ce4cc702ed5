/*
 * Parsing a Pod once into the compact struct sched_pod the plugins read:
 * requests (with init containers, sidecars and overhead), host ports,
 * tolerations, node selector and affinity, pod (anti-)affinity terms and
 * spread constraints as shared matchers, images and claims.
 */
#include "sched/sched_int.h"
#include "core/jsonutil.h"
#include "core/quantity.h"
#include "libkube/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upstream's IsScalarResourceName: extended, hugepages-, attachable-volumes-. */
static bool is_scalar(const char *name)
{
	if (!strncmp(name, "hugepages-", 10) || !strncmp(name, "attachable-volumes-", 19))
		return true;
	if (!strchr(name, '/') || !strncmp(name, "requests.", 9))
		return false;
	return strncmp(name, "kubernetes.io/", 14) != 0 && !strstr(name, ".kubernetes.io/");
}

/* Add one ResourceList (requests, allocatable) into @p r; pods count, when
 * asked, goes to *pods. KUBE_EINVAL for a bad quantity. */
int sched_res_from_list(struct sched *s, const json_t *list, struct sched_res *r,
			int64_t *pods)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)list, name, v) {
		struct kube_quantity q;
		char num[64];
		const char *txt = json_string_value(v);
		/* YAML `nvidia.com/gpu: 1` may arrive as a number: a quantity too */
		if (json_is_integer(v))
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else if (json_is_real(v))
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		txt = json_is_number(v) ? num : txt;
		if (!txt || kube__quantity_parse(txt, &q))
			return KUBE_EINVAL;
		if (!strcmp(name, "cpu"))
			r->cpu += kube__quantity_milli(&q);
		else if (!strcmp(name, "memory"))
			r->mem += kube__quantity_value(&q);
		else if (!strcmp(name, "ephemeral-storage"))
			r->eph += kube__quantity_value(&q);
		else if (!strcmp(name, "pods")) {
			if (pods)
				*pods += kube__quantity_value(&q);
		} else if (is_scalar(name)) {
			int id = sched_intern_id(&s->str, name);
			if (id < 0 || sched_res_add_scalar(r, id, kube__quantity_value(&q)))
				return KUBE_ENOMEM;
		}
	}
	return 0;
}

static int res_max(struct sched_res *dst, const struct sched_res *src)
{
	if (src->cpu > dst->cpu) dst->cpu = src->cpu;
	if (src->mem > dst->mem) dst->mem = src->mem;
	if (src->eph > dst->eph) dst->eph = src->eph;
	for (int i = 0; i < src->nscalar; i++) {
		int64_t cur = sched_res_scalar(dst, src->scalar[i].name);
		if (src->scalar[i].val > cur &&
		    sched_res_add_scalar(dst, src->scalar[i].name, src->scalar[i].val - cur))
			return KUBE_ENOMEM;
	}
	return 0;
}

/* One container's requests; @p nonzero fills the scoring defaults for a
 * missing cpu or memory request (upstream's NonMissingContainerRequests). */
static int container_req(struct sched *s, const json_t *c, bool nonzero, struct sched_res *r)
{
	const json_t *req = json_object_get(json_object_get(c, "resources"), "requests");
	int rc;

	memset(r, 0, sizeof(*r));
	rc = sched_res_from_list(s, req, r, NULL);
	if (nonzero && !json_object_get(req, "cpu"))
		r->cpu = SCHED_DEFAULT_MILLI_CPU;
	if (nonzero && !json_object_get(req, "memory"))
		r->mem = SCHED_DEFAULT_MEMORY;
	return rc;
}

/* Init containers per upstream PodRequests: sidecars (restartPolicy Always)
 * add to the total and to every later init container's peak. */
static int init_reqs(struct sched *s, const json_t *spec, bool nonzero, struct sched_res *total)
{
	struct sched_res side = {0}, peak = {0}, c;
	size_t i;
	json_t *ic;
	int rc = 0;

	json_array_foreach(json_object_get(spec, "initContainers"), i, ic) {
		if ((rc = container_req(s, ic, nonzero, &c)))
			break;
		if (!strcmp(kube__jstr(ic, "restartPolicy") ? kube__jstr(ic, "restartPolicy") : "", "Always")) {
			rc = sched_res_add(total, &c, 1) ?: sched_res_add(&side, &c, 1);
			sched_res_free(&c);
			rc = rc ?: res_max(&peak, &side);
		} else {
			rc = sched_res_add(&c, &side, 1) ?: res_max(&peak, &c);
			sched_res_free(&c);
		}
		if (rc)
			break;
	}
	rc = rc ?: res_max(total, &peak);
	sched_res_free(&side);
	sched_res_free(&peak);
	return rc;
}

static int pod_requests(struct sched *s, const json_t *spec, bool nonzero, struct sched_res *r)
{
	size_t i;
	json_t *c;
	struct sched_res one;
	int rc;

	memset(r, 0, sizeof(*r));
	json_array_foreach(json_object_get(spec, "containers"), i, c) {
		if ((rc = container_req(s, c, nonzero, &one)))
			return rc;
		rc = sched_res_add(r, &one, 1);
		sched_res_free(&one);
		if (rc)
			return rc;
	}
	if ((rc = init_reqs(s, spec, nonzero, r)))
		return rc;
	return sched_res_from_list(s, json_object_get(spec, "overhead"), r, NULL);
}

static int parse_resources(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	struct sched_res nz;
	int rc = pod_requests(s, spec, false, &p->req);

	if (rc)
		return rc;
	if ((rc = pod_requests(s, spec, true, &nz)))
		return rc;
	p->nz_cpu = nz.cpu;
	p->nz_mem = nz.mem;
	sched_res_free(&nz);
	return 0;
}

static int parse_ports(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	size_t i, j;
	json_t *c, *port;
	int cap = 0;

	json_array_foreach(json_object_get(spec, "containers"), i, c) {
		json_array_foreach(json_object_get(c, "ports"), j, port) {
			int hp = (int)json_integer_value(json_object_get(port, "hostPort"));
			const char *ip = kube__jstr(port, "hostIP"), *proto = kube__jstr(port, "protocol");
			struct sched_port *pp;
			if (hp <= 0)
				continue;
			if (sched_grow(&p->ports, &cap, p->nports + 1, sizeof(*p->ports)))
				return KUBE_ENOMEM;
			pp = &p->ports[p->nports++];
			pp->port = hp;
			pp->ip = ip && *ip ? sched_intern_id(&s->str, ip) : s->s_any_ip;
			pp->proto = proto && *proto ? sched_intern_id(&s->str, proto) : s->s_tcp;
			if (pp->ip < 0 || pp->proto < 0)
				return KUBE_ENOMEM;
		}
	}
	return 0;
}

static enum sched_effect parse_effect(const char *e)
{
	if (!e || !*e) return EFF_ALL;
	if (!strcmp(e, "NoSchedule")) return EFF_NOSCHEDULE;
	if (!strcmp(e, "PreferNoSchedule")) return EFF_PREFERNOSCHEDULE;
	return EFF_NOEXECUTE;
}

static int parse_tolerations(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	const json_t *arr = json_object_get(spec, "tolerations");
	size_t i;
	json_t *t;

	if (!json_array_size(arr))
		return 0;
	p->tol = calloc(json_array_size(arr), sizeof(*p->tol));
	if (!p->tol)
		return KUBE_ENOMEM;
	json_array_foreach(arr, i, t) {
		struct sched_toleration *tl = &p->tol[p->ntol++];
		const char *key = kube__jstr(t, "key"), *val = kube__jstr(t, "value"), *op = kube__jstr(t, "operator");
		tl->key = key && *key ? sched_intern_id(&s->str, key) : -1;
		tl->value = sched_intern_id(&s->str, val ? val : "");
		tl->exists = op && !strcmp(op, "Exists");
		tl->effect = parse_effect(kube__jstr(t, "effect"));
		if (tl->value < 0 || (key && *key && tl->key < 0))
			return KUBE_ENOMEM;
	}
	return 0;
}

static enum sched_op parse_op(const char *op)
{
	static const char *const names[] = {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"};

	for (int i = 0; op && i < 6; i++)
		if (!strcmp(op, names[i]))
			return (enum sched_op)i;
	return OP_NONE;
}

/* One NodeSelectorRequirement; @p field: a matchFields entry. */
static int parse_req(struct sched *s, const json_t *e, bool field, struct sched_req *r)
{
	const json_t *vals = json_object_get(e, "values");
	const char *key = kube__jstr(e, "key");
	size_t i;
	json_t *v;

	r->op = parse_op(kube__jstr(e, "operator"));
	r->key = field ? -1 : sched_intern_id(&s->str, key ? key : "");
	if (field && (!key || strcmp(key, "metadata.name") || (r->op != OP_IN && r->op != OP_NOTIN)))
		r->op = OP_NONE;       /* upstream rejects other fields: never matches */
	if (r->op == OP_GT || r->op == OP_LT) {
		const char *t = json_string_value(json_array_get(vals, 0));
		char *end;
		r->num = t ? strtoll(t, &end, 10) : 0;
		if (!t || !*t || *end || json_array_size(vals) != 1)
			r->op = OP_NONE;
		return 0;
	}
	r->val = calloc(json_array_size(vals) + 1, sizeof(int));
	if (!r->val)
		return KUBE_ENOMEM;
	json_array_foreach(vals, i, v) {
		int id = sched_intern_id(&s->str, json_string_value(v) ? json_string_value(v) : "");
		if (id < 0)
			return KUBE_ENOMEM;
		r->val[r->nval++] = id;
	}
	return 0;
}

/* A NodeSelectorTerm (matchExpressions AND matchFields). 0 / KUBE_ENOMEM;
 * release with sched_term_free even on failure. */
int sched_term_parse(struct sched *s, const json_t *term, struct sched_term *t)
{
	const json_t *ex = json_object_get(term, "matchExpressions");
	const json_t *fl = json_object_get(term, "matchFields");
	size_t n = json_array_size(ex) + json_array_size(fl), i;
	json_t *e;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!n)
		return 0;
	t->req = calloc(n, sizeof(*t->req));
	if (!t->req)
		return KUBE_ENOMEM;
	json_array_foreach(ex, i, e)
		if ((rc = parse_req(s, e, false, &t->req[t->nreq++])))
			return rc;
	json_array_foreach(fl, i, e)
		if ((rc = parse_req(s, e, true, &t->req[t->nreq++])))
			return rc;
	return 0;
}

void sched_term_free(struct sched_term *t)
{
	for (int i = 0; i < t->nreq; i++)
		free(t->req[i].val);
	free(t->req);
	memset(t, 0, sizeof(*t));
}

static bool has_val(const struct sched_req *r, int v)
{
	for (int i = 0; i < r->nval; i++)
		if (r->val[i] == v)
			return true;
	return false;
}

static bool req_match(const struct sched *s, const struct sched_req *r, const struct sched_node *n)
{
	int v = r->key < 0 ? n->name_id : sched_node_label(n, r->key);
	char *end;
	long long num;

	switch (r->op) {
	case OP_IN: return v >= 0 && has_val(r, v);
	case OP_NOTIN: return v < 0 || !has_val(r, v);
	case OP_EXISTS: return v >= 0;
	case OP_DOESNOTEXIST: return v < 0;
	case OP_GT:
	case OP_LT:
		if (v < 0)
			return false;
		num = strtoll(s->str.str[v], &end, 10);
		if (!*s->str.str[v] || *end)
			return false;
		return r->op == OP_GT ? num > r->num : num < r->num;
	default: return false;
	}
}

/* True when every requirement of @p t matches @p n (an empty term: false). */
bool sched_term_match(const struct sched *s, const struct sched_term *t,
		      const struct sched_node *n)
{
	if (!t->nreq)
		return false;
	for (int i = 0; i < t->nreq; i++)
		if (!req_match(s, &t->req[i], n))
			return false;
	return true;
}

static int parse_node_selector(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	const json_t *ns = json_object_get(spec, "nodeSelector");
	const char *k;
	json_t *v;

	if (!json_object_size(ns))
		return 0;
	p->node_sel.req = calloc(json_object_size(ns), sizeof(struct sched_req));
	if (!p->node_sel.req)
		return KUBE_ENOMEM;
	json_object_foreach((json_t *)ns, k, v) {
		struct sched_req *r = &p->node_sel.req[p->node_sel.nreq++];
		r->op = OP_IN;
		r->key = sched_intern_id(&s->str, k);
		r->val = malloc(sizeof(int));
		if (r->key < 0 || !r->val)
			return KUBE_ENOMEM;
		r->val[0] = sched_intern_id(&s->str, json_string_value(v) ? json_string_value(v) : "");
		r->nval = 1;
		if (r->val[0] < 0)
			return KUBE_ENOMEM;
	}
	return 0;
}

static int parse_terms(struct sched *s, const json_t *arr, bool weighted,
		       struct sched_term **out, int *n)
{
	size_t i;
	json_t *e;
	int rc;

	if (!json_array_size(arr))
		return 0;
	*out = calloc(json_array_size(arr), sizeof(**out));
	if (!*out)
		return KUBE_ENOMEM;
	json_array_foreach(arr, i, e) {
		struct sched_term *t = &(*out)[(*n)++];
		if ((rc = sched_term_parse(s, weighted ? json_object_get(e, "preference") : e, t)))
			return rc;
		t->weight = weighted ? (int)json_integer_value(json_object_get(e, "weight")) : 0;
	}
	return 0;
}

static int parse_node_affinity(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	const json_t *na = json_object_get(json_object_get(spec, "affinity"), "nodeAffinity");
	const json_t *req = json_object_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
	int rc = parse_node_selector(s, p, spec);

	if (rc)
		return rc;
	if (req) {
		p->has_sel_terms = true;
		rc = parse_terms(s, json_object_get(req, "nodeSelectorTerms"), false,
				 &p->sel_terms, &p->nsel_terms);
		if (rc)
			return rc;
	}
	return parse_terms(s, json_object_get(na, "preferredDuringSchedulingIgnoredDuringExecution"),
			   true, &p->pref, &p->npref);
}

/* PodAffinityTerms of one list into pterms; @p sign: +1 affinity, -1 anti. */
static int parse_pterms(struct sched *s, struct sched_pod *p, const json_t *arr, bool weighted,
			int sign, struct sched_pterm **out, int *n)
{
	size_t i;
	json_t *e;

	if (!json_array_size(arr))
		return 0;
	if (sched_grow(out, &(int){*n}, *n + (int)json_array_size(arr), sizeof(**out)))
		return KUBE_ENOMEM;
	json_array_foreach(arr, i, e) {
		const json_t *t = weighted ? json_object_get(e, "podAffinityTerm") : e;
		const char *key = kube__jstr(t, "topologyKey");
		struct sched_pterm *pt = &(*out)[*n];
		pt->matcher = sched_matcher_get(s, json_object_get(t, "labelSelector"),
						json_object_get(t, "namespaces"),
						json_object_get(t, "namespaceSelector"), p->ns_id, true);
		if (pt->matcher < 0)
			return KUBE_ENOMEM;
		(*n)++;
		pt->topo = sched_intern_id(&s->str, key ? key : "");
		pt->weight = weighted ? sign * (int)json_integer_value(json_object_get(e, "weight")) : sign;
		if (pt->topo < 0)
			return KUBE_ENOMEM;
	}
	return 0;
}

static int parse_pod_affinity(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	const json_t *aff = json_object_get(spec, "affinity");
	const json_t *pa = json_object_get(aff, "podAffinity");
	const json_t *pn = json_object_get(aff, "podAntiAffinity");
	const char *req = "requiredDuringSchedulingIgnoredDuringExecution";
	const char *pref = "preferredDuringSchedulingIgnoredDuringExecution";
	int rc;

	p->aff_all = -1;
	if ((rc = parse_pterms(s, p, json_object_get(pa, req), false, 1, &p->aff, &p->naff)) ||
	    (rc = parse_pterms(s, p, json_object_get(pn, req), false, 1, &p->anti, &p->nanti)) ||
	    (rc = parse_pterms(s, p, json_object_get(pa, pref), true, 1, &p->ppref, &p->nppref)) ||
	    (rc = parse_pterms(s, p, json_object_get(pn, pref), true, -1, &p->ppref, &p->nppref)))
		return rc;
	if (p->naff) {
		int ids[p->naff];
		for (int i = 0; i < p->naff; i++)
			ids[i] = p->aff[i].matcher;
		p->aff_all = p->naff == 1 ? ids[0] : sched_matcher_and(s, ids, p->naff);
		if (p->aff_all < 0)
			return KUBE_ENOMEM;
		if (p->naff == 1)
			s->matchers[ids[0]]->refs++;
	}
	return 0;
}

static int parse_one_spread(struct sched *s, struct sched_pod *p, const json_t *c,
			    struct sched_spread *sc)
{
	const char *key = kube__jstr(c, "topologyKey"), *when = kube__jstr(c, "whenUnsatisfiable");
	const char *nap = kube__jstr(c, "nodeAffinityPolicy"), *ntp = kube__jstr(c, "nodeTaintsPolicy");
	json_t *ns = json_pack("[s]", p->ns);
	json_int_t md = json_integer_value(json_object_get(c, "minDomains"));

	if (!ns)
		return KUBE_ENOMEM;
	sc->matcher = sched_matcher_get(s, json_object_get(c, "labelSelector"), ns, NULL,
					p->ns_id, true);
	json_decref(ns);
	if (sc->matcher < 0)
		return KUBE_ENOMEM;
	sc->topo = sched_intern_id(&s->str, key ? key : "");
	sc->max_skew = (int)json_integer_value(json_object_get(c, "maxSkew"));
	sc->hard = !when || strcmp(when, "ScheduleAnyway") != 0;
	sc->min_domains = md > 0 ? (int)md : 1;
	sc->honor_affinity = !nap || strcmp(nap, "Ignore") != 0;
	sc->honor_taints = ntp && !strcmp(ntp, "Honor");
	return sc->topo < 0 ? KUBE_ENOMEM : 0;
}

static int parse_spread(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	const json_t *arr = json_object_get(spec, "topologySpreadConstraints");
	size_t i;
	json_t *c;
	int rc;

	if (!json_array_size(arr))
		return 0;
	p->spread = calloc(json_array_size(arr), sizeof(*p->spread));
	if (!p->spread)
		return KUBE_ENOMEM;
	json_array_foreach(arr, i, c) {
		if ((rc = parse_one_spread(s, p, c, &p->spread[p->nspread])))
			return rc;
		p->nspread++;
	}
	return 0;
}

/* Upstream ImageLocality's normalizedImageName: ":latest" when untagged. */
static int image_id(struct sched *s, const char *img)
{
	const char *colon = strrchr(img, ':'), *slash = strrchr(img, '/');
	char buf[512];

	if (colon && (!slash || colon > slash))
		return sched_intern_id(&s->str, img);
	snprintf(buf, sizeof(buf), "%s:latest", img);
	return sched_intern_id(&s->str, buf);
}

int sched_image_id(struct sched *s, const char *img)
{
	return image_id(s, img);
}

static int parse_images_claims(struct sched *s, struct sched_pod *p, const json_t *spec)
{
	const char *lists[] = {"initContainers", "containers"};
	size_t i, n = json_array_size(json_object_get(spec, "containers")) +
		      json_array_size(json_object_get(spec, "initContainers"));
	json_t *c, *v;

	p->images = calloc(n + 1, sizeof(int));
	p->claims = calloc(json_array_size(json_object_get(spec, "volumes")) + 1, sizeof(char *));
	if (!p->images || !p->claims)
		return KUBE_ENOMEM;
	for (int l = 0; l < 2; l++) {
		json_array_foreach(json_object_get(spec, lists[l]), i, c) {
			const char *img = kube__jstr(c, "image");
			p->ncontainers++;
			if (img && (p->images[p->nimages] = image_id(s, img)) >= 0)
				p->nimages++;
		}
	}
	json_array_foreach(json_object_get(spec, "volumes"), i, v) {
		const char *claim = kube__jstr(v, "persistentVolumeClaim.claimName");
		if (claim && !(p->claims[p->nclaims++] = strdup(claim)))
			return KUBE_ENOMEM;
	}
	return 0;
}

static int parse_meta(struct sched *s, struct sched_pod *p, const json_t *obj)
{
	const json_t *meta = json_object_get(obj, "metadata"), *spec = json_object_get(obj, "spec");
	const char *pol = kube__jstr(spec, "preemptionPolicy");
	const char *st = kube__jstr(obj, "status.startTime");
	const char *uid = kube__jstr(json_array_get(json_object_get(meta, "ownerReferences"), 0), "uid");
	json_t *labels = json_object_get(meta, "labels");

	p->prio = (int32_t)json_integer_value(json_object_get(spec, "priority"));
	p->never_preempt = pol && !strcmp(pol, "Never");
	p->labels = labels ? json_incref(labels) : json_object();
	if (!p->labels || (st && !(p->start_time = strdup(st))) ||
	    (uid && !(p->owner_uid = strdup(uid))))
		return KUBE_ENOMEM;
	return 0;
}

/*
 * Fill @p p (zeroed, with ns, name, ns_id set) from the Pod @p obj. Returns
 * 0, KUBE_EINVAL for a bad quantity, KUBE_ENOMEM; on failure the caller
 * still releases @p p with sched_pod_release.
 */
int sched_pod_parse(struct sched *s, struct sched_pod *p, const json_t *obj)
{
	const json_t *spec = json_object_get(obj, "spec");
	int rc;

	p->aff_all = -1;
	p->owner_matcher = -1;
	if ((rc = parse_meta(s, p, obj)) || (rc = parse_resources(s, p, spec)) ||
	    (rc = parse_ports(s, p, spec)) || (rc = parse_tolerations(s, p, spec)) ||
	    (rc = parse_node_affinity(s, p, spec)) || (rc = parse_pod_affinity(s, p, spec)) ||
	    (rc = parse_spread(s, p, spec)) || (rc = parse_images_claims(s, p, spec)))
		return rc;
	return 0;
}

static void put_pterms(struct sched *s, struct sched_pterm *t, int n)
{
	for (int i = 0; i < n; i++)
		sched_matcher_put(s, t[i].matcher);
	free(t);
}

/* Free what sched_pod_parse filled (not ns, name, key) and drop matcher refs. */
void sched_pod_release(struct sched *s, struct sched_pod *p)
{
	sched_res_free(&p->req);
	free(p->ports);
	free(p->tol);
	sched_term_free(&p->node_sel);
	for (int i = 0; i < p->nsel_terms; i++)
		sched_term_free(&p->sel_terms[i]);
	free(p->sel_terms);
	for (int i = 0; i < p->npref; i++)
		sched_term_free(&p->pref[i]);
	free(p->pref);
	if (p->aff_all >= 0)
		sched_matcher_put(s, p->aff_all);
	if (p->owner_matcher >= 0)
		sched_matcher_put(s, p->owner_matcher);
	put_pterms(s, p->aff, p->naff);
	put_pterms(s, p->anti, p->nanti);
	put_pterms(s, p->ppref, p->nppref);
	for (int i = 0; i < p->nspread; i++)
		sched_matcher_put(s, p->spread[i].matcher);
	free(p->spread);
	free(p->images);
	for (int i = 0; i < p->nclaims; i++)
		free(p->claims[i]);
	free(p->claims);
	free(p->start_time);
	free(p->owner_uid);
	json_decref(p->labels);
	free(p->held);
}
