/*
 * Resource verbs: get, list, create, update, delete, deletecollection, and
 * the status and scale subresources. Each turns the request into one call of
 * the admission path and replies from its callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "core/printers/printers.h"
#include "core/status.h"

static void reply_written(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_api_call *a = data;

	if (err)
		kube__rest_fail(a, st);
	else
		kube__rest_reply(a, !strcmp(a->verb, "create") ? 201 : 200, obj);
}

static enum kube_field_validation field_validation(const struct kube_api_call *a)
{
	const char *fv = a->q.field_validation;

	/* upstream's default when the client says nothing is Warn; kubectl sends Strict */
	if (!fv || !strcmp(fv, "Warn"))
		return KUBE_FIELD_WARN;
	return !strcmp(fv, "Ignore") ? KUBE_FIELD_IGNORE : KUBE_FIELD_STRICT;
}

/* The field manager of a write: the fieldManager parameter or, as upstream,
 * the User-Agent's program name ("kubectl" from "kubectl/v1.32.4 (...)"). */
static const char *field_manager(struct kube_api_call *a)
{
	const char *ua = kube__http_req_header(a->req, "User-Agent");
	size_t n;

	if (a->q.field_manager && *a->q.field_manager)
		return a->q.field_manager;
	if (!ua || !*ua)
		return "unknown";
	n = strcspn(ua, "/ ");
	if (n >= sizeof(a->manager_buf))
		n = sizeof(a->manager_buf) - 1;
	memcpy(a->manager_buf, ua, n);
	a->manager_buf[n] = '\0';
	return a->manager_buf;
}

static void write_opts(struct kube_api_call *a, struct kube_op_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->dry_run = a->q.dry_run;
	o->fv = field_validation(a);
	o->warnings = a->warnings;
	o->status = a->t.subresource && !strcmp(a->t.subresource, "status");
	o->field_manager = field_manager(a);
}

/* The body must be of the kind the URL names; fill in what it leaves out. */
static json_t *body_object(struct kube_api_call *a)
{
	const struct kube_kind *k = a->t.kind;
	json_t *st = NULL, *obj = kube__rest_decode_body(a, &st);
	const char *av, *kind;
	char want[96];

	if (!obj) {
		kube__rest_fail(a, st);
		json_decref(st);
		return NULL;
	}
	kube__kind_api_version(k, want, sizeof(want));
	av = json_string_value(json_object_get(obj, "apiVersion"));
	kind = json_string_value(json_object_get(obj, "kind"));
	if (av && *av && strcmp(av, want)) {
		kube__rest_failf(a, KUBE_EINVAL, "the API version in the data (%s) does not match "
				 "the expected API version (%s)", av, want);
		json_decref(obj);
		return NULL;
	}
	if (kind && *kind && strcmp(kind, k->kind)) {
		kube__rest_failf(a, KUBE_EINVAL, "%s in version \"%s\" cannot be handled as a %s: "
				 "the object provided is unrecognized (kind %s)", kind, k->version,
				 k->kind, kind);
		json_decref(obj);
		return NULL;
	}
	json_object_set_new(obj, "apiVersion", json_string(want));
	json_object_set_new(obj, "kind", json_string(k->kind));
	return obj;
}

static void do_create(struct kube_api_call *a)
{
	struct kube_op_opts o;
	json_t *obj = body_object(a);

	if (!obj)
		return;
	write_opts(a, &o);
	o.status = false;
	kube__op_create(a->c, a->t.kind, a->t.ns, obj, &o, reply_written, a);
}

static void do_update(struct kube_api_call *a)
{
	struct kube_op_opts o;
	json_t *obj = body_object(a);
	const char *name;

	if (!obj)
		return;
	name = kube__meta_str(obj, "name");
	if (name && strcmp(name, a->t.name)) {
		kube__rest_failf(a, KUBE_EINVAL, "the name of the object (%s) does not match the "
				 "name on the URL (%s)", name, a->t.name);
		json_decref(obj);
		return;
	}
	json_object_set_new(kube__meta(obj), "name", json_string(a->t.name));
	write_opts(a, &o);
	kube__op_update(a->c, a->t.kind, a->t.ns, obj, &o, reply_written, a);
}

static void do_get(struct kube_api_call *a)
{
	json_t *st = NULL;
	const json_t *obj = kube__op_get(a->c, a->t.kind, a->t.ns, a->t.name, &st);

	if (!obj) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	kube__rest_reply(a, 200, obj);
}

/* ------------------------------------------------------------ delete -- */

static int parse_propagation(struct kube_api_call *a, const char *prop, kube_propagation *out)
{
	static const struct {
		const char *name;
		kube_propagation value;
	} names[] = {
		{ "Foreground", KUBE_PROPAGATION_FOREGROUND },
		{ "Background", KUBE_PROPAGATION_BACKGROUND },
		{ "Orphan", KUBE_PROPAGATION_ORPHAN },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(prop, names[i].name)) {
			*out = names[i].value;
			return 0;
		}
	}
	kube__rest_failf(a, KUBE_EINVAL, "propagationPolicy: Unsupported value: \"%s\": supported "
			 "values: \"Foreground\", \"Background\", \"Orphan\"", prop);
	return -1;
}

/* DeleteOptions from the body and the query (the query wins, as upstream). */
static int delete_options(struct kube_api_call *a, struct kube_op_opts *o)
{
	size_t len = 0;
	json_t *opts = NULL, *pre, *st = NULL;
	const char *prop;
	int err = 0;

	memset(o, 0, sizeof(*o));
	o->dry_run = a->q.dry_run;
	kube__http_req_body(a->req, &len);
	if (len && !(opts = kube__rest_decode_body(a, &st))) {
		kube__rest_fail(a, st);
		json_decref(st);
		return -1;
	}
	pre = json_object_get(opts, "preconditions");
	if (json_string_value(json_object_get(pre, "uid")))
		o->precondition_uid = strdup(json_string_value(json_object_get(pre, "uid")));
	if (json_string_value(json_object_get(pre, "resourceVersion")))
		o->precondition_rev = strtoll(json_string_value(json_object_get(pre, "resourceVersion")), NULL, 10);
	if (json_array_size(json_object_get(opts, "dryRun")))
		o->dry_run = true;
	if (json_is_boolean(json_object_get(opts, "orphanDependents")))
		o->propagation = json_is_true(json_object_get(opts, "orphanDependents"))
				 ? KUBE_PROPAGATION_ORPHAN : KUBE_PROPAGATION_BACKGROUND;
	if (a->q.orphan_dependents_set)
		o->propagation = a->q.orphan_dependents ? KUBE_PROPAGATION_ORPHAN : KUBE_PROPAGATION_BACKGROUND;
	if (json_is_integer(json_object_get(opts, "gracePeriodSeconds"))) {
		a->grace = json_integer_value(json_object_get(opts, "gracePeriodSeconds"));
		o->grace_period = &a->grace;
	}
	if (a->q.grace_period >= 0) {
		a->grace = a->q.grace_period;
		o->grace_period = &a->grace;
	}
	prop = a->q.propagation ? a->q.propagation : json_string_value(json_object_get(opts, "propagationPolicy"));
	if (prop)
		err = parse_propagation(a, prop, &o->propagation);
	json_decref(opts);
	if (err)
		free((char *)o->precondition_uid);
	return err;
}

/* Gone at once: a success Status, as upstream; deferred: the object. */
static void reply_deleted(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_api_call *a = data;
	json_t *ok;

	if (err) {
		kube__rest_fail(a, st);
		return;
	}
	if (json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp") &&
	    kube__op_get(a->c, a->t.kind, a->t.ns, a->t.name, NULL)) {
		kube__rest_reply(a, 200, obj);
		return;
	}
	ok = json_pack("{s:s, s:s, s:{}, s:s, s:{s:s, s:s, s:s}}", "kind", "Status",
		       "apiVersion", "v1", "metadata", "status", "Success", "details",
		       "name", a->t.name, "kind", a->t.resource, "uid",
		       kube__meta_str(obj, "uid") ?: "");
	if (*a->t.group)
		json_object_set_new(json_object_get(ok, "details"), "group", json_string(a->t.group));
	kube__rest_reply(a, 200, ok);
	json_decref(ok);
}

static void do_delete(struct kube_api_call *a)
{
	struct kube_op_opts o;

	if (delete_options(a, &o))
		return;
	kube__op_delete(a->c, a->t.kind, a->t.ns, a->t.name, &o, reply_deleted, a);
	free((char *)o.precondition_uid);
}

/* ------------------------------------------------------------ scale -- */

json_t *kube__rest_scale_of(const json_t *obj)
{
	const json_t *m = json_object_get(obj, "metadata");
	struct kube_sb sel = { 0 };
	json_t *s = json_pack("{s:s, s:s, s:{s:O, s:O, s:O, s:O, s:O}, s:{s:I}, s:{s:I, s:s}}",
			      "kind", "Scale", "apiVersion", "autoscaling/v1", "metadata",
			      "name", json_object_get(m, "name"), "namespace", json_object_get(m, "namespace"),
			      "uid", json_object_get(m, "uid"), "resourceVersion", json_object_get(m, "resourceVersion"),
			      "creationTimestamp", json_object_get(m, "creationTimestamp"), "spec", "replicas",
			      (json_int_t)json_integer_value(json_object_get(json_object_get(obj, "spec"), "replicas")),
			      "status", "replicas",
			      (json_int_t)json_integer_value(json_object_get(json_object_get(obj, "status"), "replicas")),
			      "selector", "");

	/* status.selector is labels.Selector.String() of spec.selector */
	if (kube__format_selector(&sel, json_object_get(json_object_get(obj, "spec"), "selector")) == 0 &&
	    sel.s && !sel.failed)
		json_object_set_new(json_object_get(s, "status"), "selector", json_string(sel.s));
	free(sel.s);
	return s;
}

void kube__rest_reply_scale(int err, const json_t *obj, const json_t *st, void *data)
{
	struct kube_api_call *a = data;
	json_t *s;

	if (err) {
		kube__rest_fail(a, st);
		return;
	}
	s = kube__rest_scale_of(obj);
	a->t.kind = NULL; /* a Scale is not a Table of the workload */
	kube__rest_reply(a, 200, s);
	json_decref(s);
}

static void do_scale(struct kube_api_call *a, bool write)
{
	json_t *st = NULL, *body, *copy, *replicas;
	const json_t *obj = kube__op_get(a->c, a->t.kind, a->t.ns, a->t.name, &st);
	struct kube_op_opts o;
	const char *rv;

	if (!obj) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	if (!write)
		return kube__rest_reply_scale(0, obj, NULL, a);
	body = kube__rest_decode_body(a, &st);
	if (!body) {
		kube__rest_fail(a, st);
		json_decref(st);
		return;
	}
	copy = json_deep_copy(obj);
	replicas = json_object_get(json_object_get(body, "spec"), "replicas");
	json_object_set_new(json_object_get(copy, "spec"), "replicas",
			    replicas ? json_incref(replicas) : json_integer(0));
	rv = kube__meta_str(body, "resourceVersion");
	if (rv && *rv)
		json_object_set_new(kube__meta(copy), "resourceVersion", json_string(rv));
	json_decref(body);
	write_opts(a, &o);
	o.status = false;
	kube__op_update(a->c, a->t.kind, a->t.ns, copy, &o, kube__rest_reply_scale, a);
}

/* ---------------------------------------------------------- dispatch -- */

static bool has_sub(const struct kube_kind *k, const char *sub)
{
	static const struct {
		const char *name;
		unsigned bit;
	} subs[] = {
		{ "status", KUBE_SUB_STATUS }, { "scale", KUBE_SUB_SCALE },
		{ "binding", KUBE_SUB_BINDING }, { "eviction", KUBE_SUB_EVICTION },
		{ "log", KUBE_SUB_LOG }, { "token", KUBE_SUB_TOKEN },
	};

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(sub, subs[i].name))
			return k->subresources & subs[i].bit;
	return false;
}

static void method_not_allowed(struct kube_api_call *a)
{
	kube__rest_failf(a, KUBE_EMETHOD, "the server does not allow this method on the requested resource");
}

void kube__rest_serve_resource(struct kube_api_call *a)
{
	const char *m = kube__http_req_method(a->req);
	const char *sub = a->t.subresource;
	const struct kube_kind *k = a->t.kind;

	if (!k || (a->t.ns && !k->namespaced) || (sub && !has_sub(k, sub)))
		return kube__rest_failf(a, KUBE_ENOTFOUND, "the server could not find the requested resource");
	if (k->namespaced && a->t.name && !a->t.ns)
		return kube__rest_failf(a, KUBE_ENOTFOUND, "the server could not find the requested resource");
	if (!strcmp(m, "GET") && !a->t.name)
		return a->q.watch ? kube__rest_serve_watch(a) : kube__rest_serve_list(a);
	if (!strcmp(m, "POST") && !a->t.name)
		return do_create(a);
	if (!strcmp(m, "DELETE") && !a->t.name)
		return kube__rest_serve_deletecollection(a);
	if (!a->t.name)
		return method_not_allowed(a);
	if (sub && !strcmp(sub, "scale") && (!strcmp(m, "GET") || !strcmp(m, "PUT")))
		return do_scale(a, m[0] == 'P');
	if (!strcmp(m, "GET") && sub && !strcmp(sub, "log"))
		return kube__rest_serve_log(a);
	if (!strcmp(m, "GET") && (!sub || !strcmp(sub, "status")))
		return do_get(a);
	if (!strcmp(m, "PUT") && (!sub || !strcmp(sub, "status")))
		return do_update(a);
	if (!strcmp(m, "DELETE") && !sub)
		return do_delete(a);
	if (!strcmp(m, "PATCH"))
		return kube__rest_serve_patch(a);
	if (!strcmp(m, "POST") && sub)
		return kube__rest_serve_action(a);
	method_not_allowed(a);
}
