/*
 * The writes of the admission path: create, update (and status), delete.
 * Each ends in exactly one call of the caller's kube_op_cb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission.h"
#include "core/ops.h"
#include "core/patch/patch.h"
#include "core/schema.h"
#include "core/status.h"
#include "runtime/agents.h"

/* What a write needs after the store acknowledges it. */
struct op_ctx {
	kube_op_cb cb;
	void *data;
	const struct kube_kind *k;
};

static void op_reply(kube_op_cb cb, void *data, int err, const json_t *obj, json_t *st)
{
	if (err && !st)
		st = kube__status_new(err, kube_strerror(err), NULL);
	if (cb)
		cb(err, err ? NULL : obj, st, data);
	json_decref(st);
}

static void op_done(int err, const json_t *obj, void *data)
{
	struct op_ctx *x = data;

	op_reply(x->cb, x->data, err, obj, NULL);
	free(x);
}

static struct op_ctx *op_ctx_new(const struct kube_kind *k, kube_op_cb cb, void *data)
{
	struct op_ctx *x = malloc(sizeof(*x));

	if (x) {
		x->cb = cb;
		x->data = data;
		x->k = k;
	}
	return x;
}

/* Put the object in its namespace: the request's, the object's, or "default". */
static int place_namespace(const struct kube_kind *k, json_t *meta, const char *ns, json_t **st)
{
	const char *own = json_string_value(json_object_get(meta, "namespace"));

	if (!k->namespaced) {
		json_object_del(meta, "namespace");
		return 0;
	}
	if (ns && *ns && own && *own && strcmp(ns, own))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "the namespace of the provided object does not match the "
				  "namespace sent on the request");
	if (!own || !*own)
		json_object_set_new(meta, "namespace", json_string(ns && *ns ? ns : "default"));
	return 0;
}

/* The namespace must exist and not be terminating (upstream's NamespaceLifecycle). */
static int check_namespace(kube_cluster *c, const struct kube_kind *k, const json_t *meta,
			   json_t **st)
{
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const struct kube_kind *nsk;
	const json_t *nso;

	if (!k->namespaced || !ns)
		return 0;
	nsk = kube__registry_by_gvk("v1", "Namespace");
	nso = kube__op_get(c, nsk, NULL, ns, st);
	if (!nso)
		return KUBE_ENOTFOUND;
	if (json_object_get(json_object_get(nso, "metadata"), "deletionTimestamp"))
		return kube__fail(st, KUBE_EFORBIDDEN, k->group, k->plural,
				  json_string_value(json_object_get(meta, "name")),
				  "unable to create new content in namespace %s because it is "
				  "being terminated", ns);
	return 0;
}

/* Name the object from generateName when it has no name. */
static void generate_name(json_t *meta)
{
	const char *gen = json_string_value(json_object_get(meta, "generateName"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	char suffix[6], *full = NULL;

	if ((name && *name) || !gen || !*gen)
		return;
	kube__random_suffix(suffix, 5);
	/* upstream trims the base so the result stays within 63 characters */
	if (asprintf(&full, "%.*s%s", (int)(strlen(gen) > 58 ? 58 : strlen(gen)), gen, suffix) >= 0)
		json_object_set_new(meta, "name", json_string(full));
	free(full);
}

/* Identity and bookkeeping a new object gets (upstream's BeforeCreate). */
static void stamp_new(kube_cluster *c, const struct kube_kind *k, json_t *obj, json_t *meta)
{
	char uid[37], ts[32];

	kube__uuid(uid);
	json_object_set_new(meta, "uid", json_string(uid));
	json_object_set_new(meta, "creationTimestamp",
			    json_string(kube__rfc3339(kube__now_ms(c), ts, sizeof(ts))));
	json_object_del(meta, "deletionTimestamp");
	json_object_del(meta, "deletionGracePeriodSeconds");
	json_object_del(meta, "resourceVersion");
	if (k->spec_generation)
		json_object_set_new(meta, "generation", json_integer(1));
	else
		json_object_del(meta, "generation");
	if (k->subresources & KUBE_SUB_STATUS)
		json_object_set_new(obj, "status", json_object());
}

/* managedFields: the write's field manager takes the fields it changed. */
static void track_fields(kube_cluster *c, const struct kube_kind *k, const json_t *old,
			 json_t *obj, const struct kube_op_opts *o)
{
	char av[96];
	struct kube_ssa_ctx x = {
		.schema = kube__schema_find(k->schema),
		.api_version = kube__kind_api_version(k, av, sizeof(av)),
		.manager = o->field_manager,
		.status = o->status,
		.ignore_status = (k->subresources & KUBE_SUB_STATUS) != 0,
		.now_ms = kube__now_ms(c),
	};

	if (o->field_manager && x.schema)
		kube__managed_update(old, obj, &x);
}

static int admit_new(kube_cluster *c, const struct kube_kind *k, const char *ns, json_t *obj,
		     const struct kube_op_opts *o, json_t **st)
{
	json_t *meta = kube__meta(obj);
	struct kube_admission adm;
	int err;

	err = place_namespace(k, meta, ns, st);
	if (err)
		return err;
	if (kube__meta_str(obj, "resourceVersion") && *kube__meta_str(obj, "resourceVersion"))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "resourceVersion should not be set on objects to be created");
	generate_name(meta);
	stamp_new(c, k, obj, meta);
	if (k->defaults)
		k->defaults(obj);
	track_fields(c, k, NULL, obj, o);
	adm = (struct kube_admission){ .c = c, .k = k, .op = KUBE_ADMIT_CREATE, .obj = obj,
				       .dry_run = o->dry_run };
	err = check_namespace(c, k, meta, st);
	if (!err)
		err = kube__admit_mutate(&adm, st);
	if (!err)
		err = kube__validate_object(k, obj, NULL, o->fv, o->warnings, st);
	if (!err)
		err = kube__admit_validate(&adm, st);
	return err;
}

void kube__op_create(kube_cluster *c, const struct kube_kind *k, const char *ns,
		     json_t *obj, const struct kube_op_opts *o, kube_op_cb cb, void *data)
{
	static const struct kube_op_opts none;
	json_t *st = NULL;
	struct op_ctx *x;
	char *key;
	int err;

	o = o ? o : &none;
	err = admit_new(c, k, ns, obj, o, &st);
	if (err)
		goto fail;
	if (o->dry_run) {
		op_reply(cb, data, 0, obj, NULL);
		json_decref(obj);
		return;
	}
	key = kube__key(k, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"));
	x = op_ctx_new(k, cb, data);
	if (!key || !x) {
		free(key);
		free(x);
		err = KUBE_ENOMEM;
		goto fail;
	}
	/* the store steals obj: keep the name for the message */
	json_incref(obj);
	err = store_create(c->store, key, obj, op_done, x);
	free(key);
	if (err) {
		free(x);
		if (err == KUBE_EEXIST)
			kube__fail_exists(&st, k->group, k->plural, kube__meta_str(obj, "name"));
		json_decref(obj);
		op_reply(cb, data, err, NULL, st);
		return;
	}
	json_decref(obj);
	return;
fail:
	json_decref(obj);
	op_reply(cb, data, err, NULL, st);
}

/* -------------------------------------------------------------- update -- */

/* True when anything but metadata and status differs (a spec change). */
static bool spec_changed(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)a, key, v) {
		if (!strcmp(key, "metadata") || !strcmp(key, "status"))
			continue;
		if (!json_equal(v, json_object_get(b, key)))
			return true;
	}
	json_object_foreach((json_t *)b, key, v) {
		if (strcmp(key, "metadata") && strcmp(key, "status") && !json_object_get(a, key))
			return true;
	}
	return false;
}

static void copy_field(json_t *to, const json_t *from, const char *field)
{
	json_t *v = json_object_get(from, field);

	if (v)
		json_object_set_new(to, field, json_deep_copy(v));
	else
		json_object_del(to, field);
}

static bool has_finalizers(const json_t *obj)
{
	return json_array_size(json_object_get(json_object_get(obj, "metadata"), "finalizers")) ||
	       json_array_size(json_object_get(json_object_get(obj, "spec"), "finalizers"));
}

/* Build what an update stores, from the stored object and the request. */
static json_t *merge_update(kube_cluster *c, const struct kube_kind *k, const json_t *old,
			    json_t *obj, const struct kube_op_opts *o)
{
	json_t *new, *meta;
	const json_t *om = json_object_get(old, "metadata");
	int64_t gen;

	if (o->status) {
		new = json_deep_copy(old);
		copy_field(new, obj, "status");
		return new;
	}
	new = json_incref(obj);
	meta = kube__meta(new);
	copy_field(meta, om, "uid");
	copy_field(meta, om, "creationTimestamp");
	copy_field(meta, om, "deletionTimestamp");
	copy_field(meta, om, "deletionGracePeriodSeconds");
	copy_field(meta, om, "namespace");
	copy_field(meta, om, "generation");
	copy_field(meta, om, "resourceVersion");
	/* a PUT that leaves managedFields out keeps the stored ones (upstream) */
	if (!json_object_get(meta, "managedFields") && json_object_get(om, "managedFields"))
		copy_field(meta, om, "managedFields");
	if (k->subresources & KUBE_SUB_STATUS)
		copy_field(new, old, "status");
	if (k->defaults)
		k->defaults(new);
	gen = json_integer_value(json_object_get(meta, "generation"));
	if (k->spec_generation && spec_changed(new, old))
		json_object_set_new(meta, "generation", json_integer(gen + 1));
	(void)c;
	return new;
}

static int check_update_preconditions(const struct kube_kind *k, const json_t *old,
				      const json_t *obj, int64_t *expect, json_t **st)
{
	const char *rv = kube__meta_str(obj, "resourceVersion");
	const char *uid = kube__meta_str(obj, "uid");
	const char *name = kube__meta_str(old, "name");

	*expect = 0;
	if (uid && *uid && strcmp(uid, kube__meta_str(old, "uid")))
		return kube__fail(st, KUBE_ECONFLICT, k->group, k->plural, name,
				  "Operation cannot be fulfilled on %s%s%s \"%s\": Precondition "
				  "failed: UID in precondition: %s, UID in object meta: %s",
				  k->plural, *k->group ? "." : "", k->group, name, uid,
				  kube__meta_str(old, "uid"));
	if (rv && *rv) {
		char *end;

		*expect = strtoll(rv, &end, 10);
		if (*end || *expect <= 0)
			return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
					  "invalid resource version: %s", rv);
		if (*expect != store_obj_rev(old))
			return kube__fail_conflict(st, k->group, k->plural, name);
	}
	return 0;
}

/* Terminating objects may lose finalizers, never gain them (upstream). */
static int check_finalizers(const struct kube_kind *k, const json_t *old, const json_t *new,
			    json_t **st)
{
	json_t *nf = json_object_get(json_object_get(new, "metadata"), "finalizers");
	json_t *of = json_object_get(json_object_get(old, "metadata"), "finalizers");
	size_t i, j;
	json_t *f, *g, *causes;

	if (!json_object_get(json_object_get(old, "metadata"), "deletionTimestamp"))
		return 0;
	json_array_foreach(nf, i, f) {
		bool found = false;

		json_array_foreach(of, j, g)
			found = found || json_equal(f, g);
		if (found)
			continue;
		causes = json_array();
		kube__cause_add(causes, "FieldValueForbidden", "metadata.finalizers",
				"Forbidden: no new finalizers can be added if the object is being deleted");
		return kube__fail_invalid(st, k->group, k->kind, kube__meta_str(old, "name"), causes);
	}
	return 0;
}

static void finish_delete(kube_cluster *c, const struct kube_kind *k, const char *key,
			  int64_t expect, kube_op_cb cb, void *data);

/* A graceful deletion still running (deletionGracePeriodSeconds > 0): the
 * node agent ends it, updates do not (upstream's ShouldDeleteDuringUpdate). */
static bool grace_pending(const json_t *obj)
{
	return json_integer_value(json_object_get(json_object_get(obj, "metadata"),
						  "deletionGracePeriodSeconds")) > 0;
}

void kube__op_update(kube_cluster *c, const struct kube_kind *k, const char *ns,
		     json_t *obj, const struct kube_op_opts *o, kube_op_cb cb, void *data)
{
	static const struct kube_op_opts none;
	json_t *st = NULL, *new = NULL, *meta = kube__meta(obj);
	struct kube_admission adm;
	const json_t *old;
	struct op_ctx *x;
	int64_t expect;
	char *key = NULL;
	int err;

	o = o ? o : &none;
	err = place_namespace(k, meta, ns, &st);
	if (err)
		goto fail;
	if (!kube__meta_str(obj, "name") || !*kube__meta_str(obj, "name")) {
		err = kube__fail(&st, KUBE_EINVAL, NULL, NULL, NULL,
				 "name is required for update");
		goto fail;
	}
	key = kube__key(k, kube__meta_str(obj, "namespace"), kube__meta_str(obj, "name"));
	old = key ? store_get(c->store, key) : NULL;
	if (!old) {
		err = kube__fail_notfound(&st, k->group, k->plural, kube__meta_str(obj, "name"));
		goto fail;
	}
	err = check_update_preconditions(k, old, obj, &expect, &st);
	if (err)
		goto fail;
	new = merge_update(c, k, old, obj, o);
	track_fields(c, k, old, new, o);
	adm = (struct kube_admission){ .c = c, .k = k, .op = KUBE_ADMIT_UPDATE, .obj = new,
				       .old = old, .status = o->status, .dry_run = o->dry_run };
	err = kube__admit_mutate(&adm, &st);
	if (!err)
		err = kube__validate_object(k, new, old, o->fv, o->warnings, &st);
	if (!err)
		err = check_finalizers(k, old, new, &st);
	if (!err && !json_equal(new, old))
		err = kube__admit_validate(&adm, &st);
	if (err)
		goto fail;
	if (json_equal(new, old) || o->dry_run) {
		/* a no-op update writes nothing, as upstream's GuaranteedUpdate */
		op_reply(cb, data, 0, o->dry_run ? new : old, NULL);
		goto out;
	}
	if (json_object_get(json_object_get(new, "metadata"), "deletionTimestamp") &&
	    !has_finalizers(new) && !grace_pending(new)) {
		finish_delete(c, k, key, store_obj_rev(old), cb, data);
		goto out;
	}
	x = op_ctx_new(k, cb, data);
	if (!x) {
		err = KUBE_ENOMEM;
		goto fail;
	}
	err = store_update(c->store, key, json_incref(new), store_obj_rev(old), op_done, x);
	if (err) {
		free(x);
		goto fail;
	}
	goto out;
fail:
	op_reply(cb, data, err, NULL, st);
out:
	json_decref(new);
	json_decref(obj);
	free(key);
}

/* -------------------------------------------------------------- delete -- */

struct delete_ctx {
	kube_op_cb cb;
	void *data;
	json_t *last;   /* the object as it was, reported on success */
};

static void delete_done(int err, const json_t *obj, void *data)
{
	struct delete_ctx *d = data;

	(void)obj;
	op_reply(d->cb, d->data, err, d->last, NULL);
	json_decref(d->last);
	free(d);
}

static void finish_delete(kube_cluster *c, const struct kube_kind *k, const char *key,
			  int64_t expect, kube_op_cb cb, void *data)
{
	struct delete_ctx *d = calloc(1, sizeof(*d));
	const json_t *cur = store_get(c->store, key);
	int err;

	if (!d || !cur) {
		free(d);
		op_reply(cb, data, cur ? KUBE_ENOMEM : KUBE_ENOTFOUND, NULL, NULL);
		return;
	}
	d->cb = cb;
	d->data = data;
	/* stored objects are never changed in place (a write stores a new
	 * tree), so the reply can share it instead of copying it */
	d->last = json_incref((json_t *)cur);
	err = store_delete(c->store, key, expect, delete_done, d);
	if (err) {
		json_t *st = NULL;

		if (err == KUBE_ECONFLICT)
			kube__fail_conflict(&st, k->group, k->plural, kube__meta_str(cur, "name"));
		json_decref(d->last);
		free(d);
		op_reply(cb, data, err, NULL, st);
	}
}

static void add_finalizer(json_t *meta, const char *name)
{
	json_t *fin = json_object_get(meta, "finalizers"), *f;
	size_t i;

	if (!json_is_array(fin)) {
		fin = json_array();
		json_object_set_new(meta, "finalizers", fin);
	}
	json_array_foreach(fin, i, f)
		if (json_is_string(f) && !strcmp(json_string_value(f), name))
			return;
	json_array_append_new(fin, json_string(name));
}

/* Deletion that has to wait: mark the object and let finalizers run. */
static void defer_delete(kube_cluster *c, const struct kube_kind *k, const char *key,
			 const json_t *old, kube_propagation prop, int64_t grace,
			 kube_op_cb cb, void *data)
{
	json_t *new = json_deep_copy(old), *meta = kube__meta(new);
	json_t *had = json_object_get(meta, "deletionGracePeriodSeconds");
	struct op_ctx *x;
	char ts[32];
	int err;

	/* a second delete may shorten the grace period, never lengthen it */
	if (!json_object_get(meta, "deletionTimestamp") ||
	    (json_is_integer(had) && grace < json_integer_value(had))) {
		json_object_set_new(meta, "deletionTimestamp",
				    json_string(kube__rfc3339(kube__now_ms(c) + grace * 1000, ts, sizeof(ts))));
		json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace));
	}
	if (prop == KUBE_PROPAGATION_FOREGROUND)
		add_finalizer(meta, "foregroundDeletion");
	else if (prop == KUBE_PROPAGATION_ORPHAN)
		add_finalizer(meta, "orphan");
	if (json_equal(new, old)) {
		op_reply(cb, data, 0, old, NULL);
		json_decref(new);
		return;
	}
	x = op_ctx_new(k, cb, data);
	err = x ? store_update(c->store, key, new, store_obj_rev(old), op_done, x) : KUBE_ENOMEM;
	if (err) {
		free(x);
		op_reply(cb, data, err, NULL, NULL);
	}
}

/* Seconds the deletion of @p obj waits for its node agent (0: none). */
static int64_t grace_period(kube_cluster *c, const json_t *obj, const struct kube_op_opts *o)
{
	const json_t *spec = json_object_get(obj, "spec");
	const char *node = json_string_value(json_object_get(spec, "nodeName"));
	const char *phase = json_string_value(json_object_get(json_object_get(obj, "status"), "phase"));
	const json_t *term = json_object_get(spec, "terminationGracePeriodSeconds");

	if (!node || !*node || !kube__node_agent_exists(c, node) ||
	    (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))))
		return 0;
	if (o->grace_period)
		return *o->grace_period < 0 ? 1 : *o->grace_period;  /* upstream: negative means 1 */
	return json_is_integer(term) ? json_integer_value(term) : 0;
}

void kube__op_delete(kube_cluster *c, const struct kube_kind *k, const char *ns,
		     const char *name, const struct kube_op_opts *o, kube_op_cb cb, void *data)
{
	static const struct kube_op_opts none;
	json_t *st = NULL;
	const json_t *old;
	char *key;
	kube_propagation prop;
	int64_t grace;
	int err;

	o = o ? o : &none;
	key = kube__key(k, ns && *ns ? ns : "default", name);
	old = key ? store_get(c->store, key) : NULL;
	if (!old) {
		err = kube__fail_notfound(&st, k->group, k->plural, name);
		goto fail;
	}
	if ((o->precondition_uid && strcmp(o->precondition_uid, kube__meta_str(old, "uid"))) ||
	    (o->precondition_rev && o->precondition_rev != store_obj_rev(old))) {
		err = kube__fail(&st, KUBE_ECONFLICT, k->group, k->plural, name,
			   "Operation cannot be fulfilled on %s%s%s \"%s\": Precondition failed: "
			   "UID or ResourceVersion in precondition does not match", k->plural,
			   *k->group ? "." : "", k->group, name);
		goto fail;
	}
	if (o->dry_run) {
		op_reply(cb, data, 0, old, NULL);
		free(key);
		return;
	}
	prop = o->propagation ? o->propagation : KUBE_PROPAGATION_BACKGROUND;
	grace = grace_period(c, old, o);
	if (prop == KUBE_PROPAGATION_BACKGROUND && !has_finalizers(old) && grace == 0)
		finish_delete(c, k, key, store_obj_rev(old), cb, data);
	else
		defer_delete(c, k, key, old, prop, grace, cb, data);
	free(key);
	return;
fail:
	free(key);
	op_reply(cb, data, err, NULL, st);
}
