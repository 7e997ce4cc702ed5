/*
 * The EndpointSlice controller, as upstream's pkg/controller/endpointslice:
 * every Service with a selector gets EndpointSlices (generateName
 * "<service>-", labels kubernetes.io/service-name and
 * endpointslice.kubernetes.io/managed-by, owned by the Service so the
 * garbage collector removes them with it) holding its pods' endpoints with
 * their ready/serving/terminating conditions, at most 100 per slice, one
 * group of slices per distinct set of ports. A service without endpoints
 * keeps one empty placeholder slice.
 *
 * The reconciler keeps churn low as upstream's does: endpoints stay in the
 * slice that holds them, new ones fill existing slices before new slices
 * are made, and only slices that change are written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/controllers/endpointutil.h"
#include "core/controllers/podutil.h"
#include "core/ops.h"
#include "core/workqueue.h"

#define CONTROLLER_NAME "endpointslice-controller.k8s.io"
#define LABEL_SERVICE "kubernetes.io/service-name"
#define LABEL_MANAGED_BY "endpointslice.kubernetes.io/managed-by"
#define HEADLESS_LABEL "service.kubernetes.io/headless"
#define TRIGGER_ANNOTATION "endpoints.kubernetes.io/last-change-trigger-time"
#define MAX_ENDPOINTS_PER_SLICE 100

struct esc {
	struct kube__ep_ctl base; /* the queue of services and the watch; first */
	const struct kube_kind *slice_kind; /* discovery.k8s.io/v1 EndpointSlice */
};

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	/* a failed write is retried when the slice's event queues the service again */
	(void)err, (void)obj, (void)st, (void)data;
}

/* ---- desired state ------------------------------------------------------- */

/* podToEndpoint for an IPv4 pod address. */
static json_t *endpoint_of(const json_t *pod, const json_t *svc)
{
	const json_t *status = json_object_get(pod, "status");
	const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
	const char *host = kube__ep_hostname(pod, svc);
	bool serving = kube__pod_ready(pod);
	bool terminating = json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp") != NULL;
	bool pnra = json_is_true(json_object_get(json_object_get(svc, "spec"), "publishNotReadyAddresses"));
	json_t *ep;

	/* a terminating pod is never "ready" unless the service publishes everything */
	ep = json_pack("{s:[O], s:{s:b, s:b, s:b}}", "addresses", json_object_get(status, "podIP"),
		       "conditions", "ready", pnra || (serving && !terminating), "serving", serving,
		       "terminating", terminating);
	if (host)
		json_object_set_new(ep, "hostname", json_string(host));
	if (node && *node)
		json_object_set_new(ep, "nodeName", json_string(node));
	json_object_set_new(ep, "targetRef", kube__ep_target_ref(pod));
	return ep;
}

/* The pod's endpoint ports for the service's ports (getEndpointPorts). */
static json_t *ports_of(const json_t *pod, const json_t *svc)
{
	json_t *out = json_array(), *sp;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(svc, "spec"), "ports"), i, sp) {
		int num = kube__ep_find_port(pod, sp);
		const char *name = json_string_value(json_object_get(sp, "name"));
		const char *proto = json_string_value(json_object_get(sp, "protocol"));
		json_t *p;

		if (num < 0)
			continue;
		p = json_pack("{s:s, s:i, s:s}", "name", name ? name : "", "port", num, "protocol",
			      proto ? proto : "TCP");
		if (json_object_get(sp, "appProtocol"))
			json_object_set(p, "appProtocol", json_object_get(sp, "appProtocol"));
		json_array_append_new(out, p);
	}
	return out;
}

/* {ports key: {"ports": [...], "endpoints": {pod uid: endpoint}}} of the service's pods. */
static json_t *desired_for(const json_t *svc, const json_t *pods)
{
	json_t *groups = json_object(), *pod;
	size_t i;

	json_array_foreach(pods, i, pod) {
		const char *ip = json_string_value(json_object_get(json_object_get(pod, "status"), "podIP"));
		json_t *ports, *g;
		char *key;

		if (!kube__ep_pod_included(pod, true) || strchr(ip, ':'))
			continue;
		ports = ports_of(pod, svc);
		key = json_dumps(ports, JSON_COMPACT | JSON_SORT_KEYS);
		g = json_object_get(groups, key);
		if (!g) {
			g = json_pack("{s:O, s:{}}", "ports", ports, "endpoints");
			json_object_set_new(groups, key, g);
		}
		json_object_set_new(json_object_get(g, "endpoints"), kube__meta_str(pod, "uid"),
				    endpoint_of(pod, svc));
		free(key);
		json_decref(ports);
	}
	return groups;
}

/* setEndpointSliceLabels: the service's own labels, then the reserved ones. */
static json_t *labels_for(const json_t *svc)
{
	json_t *l = json_deep_copy(json_object_get(json_object_get(svc, "metadata"), "labels"));
	const char *cip = json_string_value(json_object_get(json_object_get(svc, "spec"), "clusterIP"));

	if (!json_is_object(l)) {
		json_decref(l);
		l = json_object();
	}
	json_object_set_new(l, LABEL_SERVICE, json_string(kube__meta_str(svc, "name")));
	json_object_set_new(l, LABEL_MANAGED_BY, json_string(CONTROLLER_NAME));
	if (!cip || !*cip || !strcmp(cip, "None"))
		json_object_set_new(l, HEADLESS_LABEL, json_string(""));
	else
		json_object_del(l, HEADLESS_LABEL);
	return l;
}

/* ---- reconcile ----------------------------------------------------------- */

struct plan {
	struct esc *e;
	const json_t *svc;
	json_t *groups;     /* desired_for(); each group gains "slices": [{slice, endpoints}] */
	json_t *deletes;    /* existing slices to delete */
	json_t *placed;     /* {pod uid: true} already in a kept slice */
	const char *trigger;
	size_t writes;      /* slices kept with endpoints or created */
};

static char *ports_key(const json_t *slice)
{
	json_t *ports = json_object_get(slice, "ports");

	return json_dumps(json_is_array(ports) ? ports : json_array(), JSON_COMPACT | JSON_SORT_KEYS);
}

/* Keep what still belongs in an existing slice, in its order, refreshed. */
static void keep_existing(struct plan *p, const json_t *slice)
{
	char *key = ports_key(slice);
	json_t *g = json_object_get(p->groups, key), *eps, *ep;
	const char *type = json_string_value(json_object_get(slice, "addressType"));
	size_t i;

	free(key);
	if (!g || !type || strcmp(type, "IPv4")) {
		json_array_append(p->deletes, (json_t *)slice);
		return;
	}
	eps = json_array();
	json_array_foreach(json_object_get(slice, "endpoints"), i, ep) {
		const char *uid = json_string_value(json_object_get(json_object_get(ep, "targetRef"), "uid"));
		json_t *want = uid ? json_object_get(json_object_get(g, "endpoints"), uid) : NULL;

		if (!want || json_object_get(p->placed, uid))
			continue;
		json_array_append(eps, want);
		json_object_set_new(p->placed, uid, json_true());
	}
	if (!json_object_get(g, "slices"))
		json_object_set_new(g, "slices", json_array());
	json_array_append_new(json_object_get(g, "slices"),
			      json_pack("{s:O, s:o}", "slice", slice, "endpoints", eps));
}

static json_t *new_slice(struct plan *p, const json_t *ports, json_t *endpoints)
{
	const json_t *m = json_object_get(p->svc, "metadata");
	char gen[300];
	json_t *s;

	snprintf(gen, sizeof(gen), "%s-", json_string_value(json_object_get(m, "name")));
	s = json_pack("{s:s, s:s, s:{s:s, s:O, s:o, s:[o]}, s:s, s:o, s:O}",
		      "apiVersion", "discovery.k8s.io/v1", "kind", "EndpointSlice",
		      "metadata", "generateName", gen, "namespace", json_object_get(m, "namespace"),
		      "labels", labels_for(p->svc), "ownerReferences", kube__new_controller_ref(p->svc),
		      "addressType", "IPv4", "endpoints", endpoints, "ports", ports);
	if (p->trigger)
		json_object_set_new(kube__meta(s), "annotations",
				    json_pack("{s:s}", TRIGGER_ANNOTATION, p->trigger));
	return s;
}

static void write_slice(struct plan *p, const json_t *cur, json_t *endpoints)
{
	json_t *labels = labels_for(p->svc), *s, *ann;

	if (json_equal(json_object_get(cur, "endpoints") ?: json_null(), endpoints) &&
	    json_equal(json_object_get(json_object_get(cur, "metadata"), "labels"), labels)) {
		json_decref(labels);
		json_decref(endpoints);
		return;
	}
	s = json_deep_copy(cur);
	json_object_set_new(kube__meta(s), "labels", labels);
	json_object_set_new(s, "endpoints", endpoints);
	if (p->trigger) {
		ann = json_object_get(kube__meta(s), "annotations");
		if (!json_is_object(ann)) {
			ann = json_object();
			json_object_set_new(kube__meta(s), "annotations", ann);
		}
		json_object_set_new(ann, TRIGGER_ANNOTATION, json_string(p->trigger));
	}
	kube__op_update(p->e->base.c, p->e->slice_kind, NULL, s, NULL, write_done, NULL);
}

/* Fill kept slices up to the limit with unplaced endpoints, then make new slices. */
static void place_group(struct plan *p, json_t *g)
{
	json_t *left = json_array(), *ep, *ks;
	const char *uid;
	size_t i, next = 0;

	json_object_foreach(json_object_get(g, "endpoints"), uid, ep)
		if (!json_object_get(p->placed, uid))
			json_array_append(left, ep);
	json_array_foreach(json_object_get(g, "slices"), i, ks) {
		json_t *eps = json_object_get(ks, "endpoints");

		while (next < json_array_size(left) && json_array_size(eps) < MAX_ENDPOINTS_PER_SLICE)
			json_array_append(eps, json_array_get(left, next++));
		if (!json_array_size(eps)) {
			json_array_append(p->deletes, json_object_get(ks, "slice"));
			continue;
		}
		p->writes++;
		write_slice(p, json_object_get(ks, "slice"), json_incref(eps));
	}
	while (next < json_array_size(left)) {
		json_t *chunk = json_array();

		while (next < json_array_size(left) && json_array_size(chunk) < MAX_ENDPOINTS_PER_SLICE)
			json_array_append(chunk, json_array_get(left, next++));
		p->writes++;
		kube__op_create(p->e->base.c, p->e->slice_kind, NULL,
				new_slice(p, json_object_get(g, "ports"), chunk), NULL, write_done, NULL);
	}
	json_decref(left);
}

static bool is_placeholder(const json_t *slice)
{
	return !json_array_size(json_object_get(slice, "endpoints")) &&
	       !json_array_size(json_object_get(slice, "ports"));
}

/* No endpoints at all: one empty slice stays (or is made) for the service. */
static void placeholder(struct plan *p)
{
	json_t *s;
	size_t i;

	json_array_foreach(p->deletes, i, s) {
		if (is_placeholder(s)) {
			json_array_remove(p->deletes, i);
			return;
		}
	}
	s = json_array();
	kube__op_create(p->e->base.c, p->e->slice_kind, NULL, new_slice(p, s, json_array()),
			NULL, write_done, NULL);
	json_decref(s);
}

struct existing {
	const char *name;
	json_t *list;
};

static int collect(const char *key, const json_t *s, void *data)
{
	struct existing *x = data;
	const json_t *l = json_object_get(json_object_get(s, "metadata"), "labels");
	const char *svc = json_string_value(json_object_get(l, LABEL_SERVICE));
	const char *by = json_string_value(json_object_get(l, LABEL_MANAGED_BY));

	(void)key;
	if (svc && by && !strcmp(svc, x->name) && !strcmp(by, CONTROLLER_NAME))
		json_array_append(x->list, (json_t *)s);
	return 0;
}

static void reconcile(struct esc *e, const json_t *svc, const json_t *pods, const char *ns)
{
	struct plan p = { .e = e, .svc = svc, .deletes = json_array(), .placed = json_object(),
			  .trigger = kube__ep_trigger_time(svc, pods) };
	struct existing x = { kube__meta_str(svc, "name"), json_array() };
	char *prefix = kube__key_prefix(e->slice_kind, ns);
	const char *key;
	json_t *s, *g;
	size_t i;

	if (prefix)
		store_list(e->base.c->store, prefix, collect, &x);
	free(prefix);
	p.groups = desired_for(svc, pods);
	json_array_foreach(x.list, i, s)
		keep_existing(&p, s);
	json_object_foreach(p.groups, key, g)
		place_group(&p, g);
	if (!p.writes)
		placeholder(&p);
	json_array_foreach(p.deletes, i, s)
		kube__op_delete(e->base.c, e->slice_kind, ns, kube__meta_str(s, "name"), NULL, write_done, NULL);
	json_decref(p.groups);
	json_decref(p.deletes);
	json_decref(p.placed);
	json_decref(x.list);
}

static int sync_service(const char *key, void *data)
{
	struct esc *e = data;
	char ns[256];
	const json_t *svc;
	json_t *pods;

	/* a deleted service's slices go with it: the garbage collector follows their owner */
	if (!kube__ep_ctl_service(&e->base, key, ns, sizeof(ns), &svc) || !svc ||
	    !kube__ep_selector(svc))
		return 0;
	pods = kube__ep_selected_pods(e->base.c, ns, kube__ep_selector(svc));
	reconcile(e, svc, pods, ns);
	json_decref(pods);
	return 0;
}

/* ---- events -------------------------------------------------------------- */

/* A managed slice changed by someone else (or deleted): its service again. */
static void on_slice(struct esc *e, const json_t *slice)
{
	const json_t *l = json_object_get(json_object_get(slice, "metadata"), "labels");
	const char *svc = json_string_value(json_object_get(l, LABEL_SERVICE));
	const char *by = json_string_value(json_object_get(l, LABEL_MANAGED_BY));
	char key[600];

	if (!svc || !by || strcmp(by, CONTROLLER_NAME))
		return;
	snprintf(key, sizeof(key), "%s/%s", kube__meta_str(slice, "namespace"), svc);
	kube__wq_add(e->base.queue, key);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct esc *e = data;

	(void)rev;
	if (!strncmp(key, "discovery.k8s.io/endpointslices/", 32)) {
		on_slice(e, obj);
		return;
	}
	if (!strncmp(key, "/services/", 10)) {
		kube__ep_ctl_queue_key(&e->base, key);
		return;
	}
	if (!strncmp(key, "/pods/", 6))
		kube__ep_ctl_on_pod(&e->base, type, obj, prev);
}

static void esc_stop(void *state)
{
	struct esc *e = state;

	kube__ep_ctl_stop(&e->base);
	free(e);
}

static int esc_start(kube_cluster *c, void **state)
{
	struct esc *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return KUBE_ENOMEM;
	e->slice_kind = kube__registry_by_gvk("discovery.k8s.io/v1", "EndpointSlice");
	err = kube__ep_ctl_start(&e->base, c, "", sync_service, on_event, e);
	if (err) {
		free(e);
		return err;
	}
	*state = e;
	return 0;
}

const struct kube_controller_ops kube__endpointslice_controller = {
	.name = "endpointslice",
	.start = esc_start,
	.stop = esc_stop,
};
