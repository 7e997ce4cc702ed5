/*
 * LimitRanger, as upstream's plugin: on pod create the LimitRanges of the
 * namespace give containers (and init containers) their default limits
 * (`default`) and requests (`defaultRequest`), noted in the annotation
 * kubernetes.io/limit-ranger; then every Container, Pod and
 * PersistentVolumeClaim item's min, max and maxLimitRequestRatio is
 * enforced, all violations reported in one 403.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission/plugin_util.h"
#include "core/ops.h"
#include "core/kinds/kinds.h"

#define ANNOTATION "kubernetes.io/limit-ranger"
#define MAX_MILLI_VALUE (INT64_MAX / 1000)

/* An aggregate of error messages, as utilerrors.NewAggregate prints them. */
struct errs {
	json_t *list;   /* array of message strings */
};

static void err_add(struct errs *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_add(struct errs *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(e->list, json_string(msg));
}

/* ---- defaults ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fill missing entries of @p have from @p defaults; "a, b <what> for <who> <name>". */
static void merge(json_t *res, const char *field, const json_t *defaults, const char *what,
		  const char *who, const char *cname, json_t *notes)
{
	json_t *have = kube__jensure_obj(res, field), *v;
	const char *k, *set[64];
	size_t n = 0;
	char note[1024] = "";

	json_object_foreach((json_t *)defaults, k, v) {
		if (json_object_get(have, k))
			continue;
		json_object_set(have, k, v);
		if (n < 64)
			set[n++] = k;
	}
	if (!json_object_size(have))
		json_object_del(res, field);
	if (!n)
		return;
	qsort(set, n, sizeof(*set), cmp_str);
	for (size_t i = 0; i < n; i++) {
		strncat(note, set[i], sizeof(note) - strlen(note) - 1);
		if (i + 1 < n)
			strncat(note, ", ", sizeof(note) - strlen(note) - 1);
	}
	snprintf(note + strlen(note), sizeof(note) - strlen(note), " %s for %s %s", what, who, cname);
	json_array_append_new(notes, json_string(note));
}

static void merge_containers(json_t *list, const json_t *lim, const json_t *req,
			     const char *who, json_t *notes)
{
	size_t i;
	json_t *c;

	json_array_foreach(list, i, c) {
		json_t *res = kube__jensure_obj(c, "resources");
		const char *name = kinds_str(c, "name");

		/* upstream notes requests before limits for each container */
		json_t *mark = json_array();

		merge(res, "limits", lim, "limit", who, name, mark);
		merge(res, "requests", req, "request", who, name, notes);
		json_array_extend(notes, mark);
		json_decref(mark);
	}
}

/* defaultContainerResourceRequirements + mergePodResourceRequirements. */
static void apply_defaults(const json_t *lr, json_t *spec, json_t *notes)
{
	json_t *lim = json_object(), *req = json_object(), *item;
	size_t i;

	json_array_foreach(kube__jarr(kube__jobj(lr, "spec"), "limits"), i, item) {
		if (strcmp(kinds_str(item, "type"), "Container"))
			continue;
		if (kube__jobj(item, "defaultRequest"))
			json_object_update(req, kube__jobj(item, "defaultRequest"));
		if (kube__jobj(item, "default"))
			json_object_update(lim, kube__jobj(item, "default"));
	}
	merge_containers(kube__jarr(spec, "containers"), lim, req, "container", notes);
	merge_containers(kube__jarr(spec, "initContainers"), lim, req, "init container", notes);
	json_decref(lim);
	json_decref(req);
}

/* ---- constraints --------------------------------------------------------- */

/* requestLimitEnforcedValues: milli precision unless a value would overflow it. */
static bool use_milli(const struct kube_quantity *a, const struct kube_quantity *b,
		      const struct kube_quantity *c)
{
	return kube__quantity_value(a) <= MAX_MILLI_VALUE && kube__quantity_value(b) <= MAX_MILLI_VALUE &&
	       kube__quantity_value(c) <= MAX_MILLI_VALUE;
}

static int64_t val(const struct kube_quantity *q, bool milli)
{
	return milli ? kube__quantity_milli(q) : kube__quantity_value(q);
}

/* The three values a constraint compares (absent ones are zero). */
struct observed {
	struct kube_quantity req, lim, enf;
	bool has_req, has_lim;
	int64_t r, l, e;
	char rs[64], ls[64], es[64];
};

static void observe(struct observed *o, const char *res, const json_t *enforced,
		    const json_t *requests, const json_t *limits)
{
	static const struct kube_quantity zero = { .scale = -9, .format = 'D' };
	bool milli;

	o->req = o->lim = o->enf = zero;
	o->has_req = kube__rl_get(requests, res, &o->req);
	o->has_lim = kube__rl_get(limits, res, &o->lim);
	kube__rl_get(enforced, res, &o->enf);
	milli = use_milli(&o->req, &o->lim, &o->enf);
	o->r = val(&o->req, milli);
	o->l = val(&o->lim, milli);
	o->e = val(&o->enf, milli);
	kube__quantity_format(&o->req, o->rs, sizeof(o->rs));
	kube__quantity_format(&o->lim, o->ls, sizeof(o->ls));
	kube__quantity_format(&o->enf, o->es, sizeof(o->es));
}

static void min_constraint(struct errs *e, const char *type, const char *res, const json_t *min,
			   const json_t *requests, const json_t *limits)
{
	struct observed o;

	observe(&o, res, min, requests, limits);
	if (!o.has_req)
		err_add(e, "minimum %s usage per %s is %s.  No request is specified", res, type, o.es);
	else if (o.r < o.e)
		err_add(e, "minimum %s usage per %s is %s, but request is %s", res, type, o.es, o.rs);
	else if (o.has_lim && o.l < o.e)
		err_add(e, "minimum %s usage per %s is %s, but limit is %s", res, type, o.es, o.ls);
}

static void max_constraint(struct errs *e, const char *type, const char *res, const json_t *max,
			   const json_t *requests, const json_t *limits)
{
	struct observed o;

	observe(&o, res, max, requests, limits);
	if (!o.has_lim)
		err_add(e, "maximum %s usage per %s is %s.  No limit is specified", res, type, o.es);
	else if (o.l > o.e)
		err_add(e, "maximum %s usage per %s is %s, but limit is %s", res, type, o.es, o.ls);
	else if (o.has_req && o.r > o.e)
		err_add(e, "maximum %s usage per %s is %s, but request is %s", res, type, o.es, o.rs);
}

/* maxRequestConstraint: PVCs have only requests. */
static void max_request_constraint(struct errs *e, const char *type, const char *res,
				   const json_t *max, const json_t *requests)
{
	struct observed o;

	observe(&o, res, max, requests, NULL);
	if (!o.has_req)
		err_add(e, "maximum %s usage per %s is %s.  No request is specified", res, type, o.es);
	else if (o.r > o.e)
		err_add(e, "maximum %s usage per %s is %s, but request is %s", res, type, o.es, o.rs);
}

static void ratio_constraint(struct errs *e, const char *type, const char *res, const json_t *ratio,
			     const json_t *requests, const json_t *limits)
{
	struct observed o;
	double observed, display, max;

	observe(&o, res, ratio, requests, limits);
	if (!o.has_req || !o.r) {
		err_add(e, "%s max limit to request ratio per %s is %s, but no request is specified "
			"or request is 0", res, type, o.es);
		return;
	}
	if (!o.has_lim || !o.l) {
		err_add(e, "%s max limit to request ratio per %s is %s, but no limit is specified "
			"or limit is 0", res, type, o.es);
		return;
	}
	observed = display = (double)o.l / (double)o.r;
	max = (double)kube__quantity_value(&o.enf);
	if (kube__quantity_value(&o.enf) <= MAX_MILLI_VALUE) {
		observed *= 1000;
		max = (double)kube__quantity_milli(&o.enf);
	}
	if (observed > max)
		err_add(e, "%s max limit to request ratio per %s is %s, but provided ratio is %f",
			res, type, o.es, display);
}

/* min, max and maxLimitRequestRatio of one item against one set of values. */
static void check_item(struct errs *e, const json_t *item, const json_t *requests,
		       const json_t *limits)
{
	const char *type = kinds_str(item, "type"), *res;
	json_t *v;

	json_object_foreach(kube__jobj(item, "min"), res, v)
		min_constraint(e, type, res, kube__jobj(item, "min"), requests, limits);
	json_object_foreach(kube__jobj(item, "max"), res, v)
		max_constraint(e, type, res, kube__jobj(item, "max"), requests, limits);
	json_object_foreach(kube__jobj(item, "maxLimitRequestRatio"), res, v)
		ratio_constraint(e, type, res, kube__jobj(item, "maxLimitRequestRatio"), requests, limits);
}

static void check_containers(struct errs *e, const json_t *item, const json_t *list)
{
	size_t i;
	json_t *c;

	json_array_foreach(list, i, c) {
		json_t *res = kube__jobj(c, "resources");

		check_item(e, item, kube__jobj(res, "requests"), kube__jobj(res, "limits"));
	}
}

static void check_pod(struct errs *e, const json_t *lr, const json_t *spec)
{
	size_t i;
	json_t *item;

	json_array_foreach(kube__jarr(kube__jobj(lr, "spec"), "limits"), i, item) {
		const char *type = kinds_str(item, "type");

		if (!strcmp(type, "Container")) {
			check_containers(e, item, kube__jarr(spec, "containers"));
			check_containers(e, item, kube__jarr(spec, "initContainers"));
		} else if (!strcmp(type, "Pod")) {
			json_t *req = kube__pod_resources(spec, "requests"), *lim = kube__pod_resources(spec, "limits");

			check_item(e, item, req, lim);
			json_decref(req);
			json_decref(lim);
		}
	}
}

static void check_pvc(struct errs *e, const json_t *lr, const json_t *spec)
{
	const json_t *requests = kube__jobj(kube__jobj(spec, "resources"), "requests");
	const char *res;
	size_t i;
	json_t *item, *v;

	json_array_foreach(kube__jarr(kube__jobj(lr, "spec"), "limits"), i, item) {
		if (strcmp(kinds_str(item, "type"), "PersistentVolumeClaim"))
			continue;
		json_object_foreach(kube__jobj(item, "min"), res, v)
			min_constraint(e, "PersistentVolumeClaim", res, kube__jobj(item, "min"),
				       requests, NULL);
		json_object_foreach(kube__jobj(item, "max"), res, v)
			max_request_constraint(e, "PersistentVolumeClaim", res,
					       kube__jobj(item, "max"), requests);
	}
}

/* ---- the plugin ---------------------------------------------------------- */

/* Pods on create; claims on create and update (SupportsAttributes). */
static bool handles(const struct kube_admission *a)
{
	if (kube__admit_is(a, "Pod"))
		return a->op == KUBE_ADMIT_CREATE;
	if (!kube__admit_is(a, "PersistentVolumeClaim"))
		return false;
	return !a->old || !json_object_get(json_object_get(a->old, "metadata"), "deletionTimestamp");
}

struct ranges {
	const json_t *items[64];
	size_t n;
};

static int collect(const char *key, const json_t *lr, void *data)
{
	struct ranges *r = data;

	(void)key;
	if (r->n < 64)
		r->items[r->n++] = lr;
	return 0;
}

static void ranges_of(struct kube_admission *a, struct ranges *r)
{
	const struct kube_kind *k = kube__registry_by_gvk("v1", "LimitRange");
	char *prefix = kube__key_prefix(k, kube__meta_str(a->obj, "namespace"));

	r->n = 0;
	if (prefix)
		store_list(a->c->store, prefix, collect, r);
	free(prefix);
}

/* The QoS class was computed when the pod was defaulted; defaults may change it. */
static void recompute_qos(const struct kube_admission *a)
{
	json_t *status = json_object_get(a->obj, "status");

	json_object_del(status, "qosClass");
	json_object_del(status, "phase");
	if (a->k->defaults)
		a->k->defaults(a->obj);
}

/* The old container's resource entries a new one of that name lacks. */
static void keep_resources(json_t *containers, const json_t *old_containers)
{
	static const char *const fields[] = { "limits", "requests", NULL };
	size_t i, j;
	json_t *c, *o;

	json_array_foreach(containers, i, c) {
		json_array_foreach(old_containers, j, o) {
			if (!json_equal(json_object_get(c, "name"), json_object_get(o, "name")))
				continue;
			for (int f = 0; fields[f]; f++) {
				json_t *from = kube__jobj(kube__jobj(o, "resources"), fields[f]), *v;
				const char *k;

				json_object_foreach(from, k, v) {
					json_t *to = kube__jensure_obj(kube__jensure_obj(c, "resources"), fields[f]);

					if (!json_object_get(to, k))
						json_object_set(to, k, v);
				}
			}
		}
	}
}

/*
 * An update that replaces a defaulted pod's spec wholesale (kube_apply)
 * leaves out the defaults set on create; as kubectl apply's patch would,
 * keep them and their annotation, since a pod's resources may not change.
 */
static void keep_on_update(struct kube_admission *a)
{
	const json_t *old_ann = kube__jobj(json_object_get(a->old, "metadata"), "annotations");
	const json_t *note = json_object_get(old_ann, ANNOTATION);
	json_t *spec = json_object_get(a->obj, "spec"), *old = json_object_get(a->old, "spec");
	json_t *ann;

	if (!note || !json_is_object(spec))
		return;
	keep_resources(kube__jarr(spec, "containers"), kube__jarr(old, "containers"));
	keep_resources(kube__jarr(spec, "initContainers"), kube__jarr(old, "initContainers"));
	ann = kube__jensure_obj(kube__meta(a->obj), "annotations");
	if (!json_object_get(ann, ANNOTATION))
		json_object_set(ann, ANNOTATION, (json_t *)note);
}

static int lr_mutate(struct kube_admission *a, json_t **st)
{
	struct ranges r;
	json_t *notes, *spec = json_object_get(a->obj, "spec");

	(void)st;
	if (kube__admit_is(a, "Pod") && a->op == KUBE_ADMIT_UPDATE)
		keep_on_update(a);
	if (!handles(a) || !kube__admit_is(a, "Pod") || !json_is_object(spec))
		return 0;
	ranges_of(a, &r);
	if (!r.n)
		return 0;
	notes = json_array();
	for (size_t i = 0; i < r.n; i++)
		apply_defaults(r.items[i], spec, notes);
	if (json_array_size(notes)) {
		char val[4096] = "LimitRanger plugin set: ";
		json_t *n;
		size_t i;

		json_array_foreach(notes, i, n) {
			if (i)
				strncat(val, "; ", sizeof(val) - strlen(val) - 1);
			strncat(val, json_string_value(n), sizeof(val) - strlen(val) - 1);
		}
		json_object_set_new(kube__jensure_obj(kube__meta(a->obj), "annotations"), ANNOTATION,
				    json_string(val));
		recompute_qos(a);
	}
	json_decref(notes);
	return 0;
}

/* utilerrors.NewAggregate(errs).Error(): duplicates once, several in brackets. */
static int forbid_aggregate(struct kube_admission *a, json_t **st, const json_t *list)
{
	char msg[4096] = "";
	size_t i, j, seen = 0;
	json_t *m;

	json_array_foreach(list, i, m) {
		bool dup = false;

		for (j = 0; j < i; j++)
			dup = dup || json_equal(m, json_array_get(list, j));
		if (dup)
			continue;
		if (seen++)
			strncat(msg, ", ", sizeof(msg) - strlen(msg) - 1);
		strncat(msg, json_string_value(m), sizeof(msg) - strlen(msg) - 1);
	}
	if (seen == 1)
		return kube__admit_forbidden(a, st, "%s", msg);
	return kube__admit_forbidden(a, st, "[%s]", msg);
}

/* Every violation of one LimitRange in one message; the first range failing wins. */
static int lr_validate(struct kube_admission *a, json_t **st)
{
	struct ranges r;
	json_t *spec = json_object_get(a->obj, "spec");
	bool pod = kube__admit_is(a, "Pod");
	int err = 0;

	if (!handles(a) || !json_is_object(spec))
		return 0;
	ranges_of(a, &r);
	for (size_t i = 0; i < r.n && !err; i++) {
		struct errs e = { json_array() };

		if (pod)
			check_pod(&e, r.items[i], spec);
		else
			check_pvc(&e, r.items[i], spec);
		if (json_array_size(e.list))
			err = forbid_aggregate(a, st, e.list);
		json_decref(e.list);
	}
	return err;
}

const struct kube_admission_plugin kube__admission_limit_ranger = {
	.name = "LimitRanger",
	.mutate = lr_mutate,
	.validate = lr_validate,
};
