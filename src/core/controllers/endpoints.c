/*
 * The Endpoints controller, as upstream's pkg/controller/endpoint: every
 * Service with a selector gets an Endpoints object of the same name listing
 * the addresses of the pods it selects, ready ones in `addresses` and the
 * others in `notReadyAddresses` (all in `addresses` with
 * publishNotReadyAddresses), grouped into subsets by the ports they serve
 * (repackSubsets). Services without a selector are left to their owners;
 * a deleted Service's Endpoints are deleted.
 *
 * State: a work queue of service keys "ns/name". A pod change queues only
 * the services of its namespace whose selector matches its old or new
 * labels; a service or Endpoints change queues that service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/controllers/endpointutil.h"
#include "core/controllers/podutil.h"
#include "core/ops.h"
#include "core/workqueue.h"

#define TRIGGER_ANNOTATION "endpoints.kubernetes.io/last-change-trigger-time"
#define HEADLESS_LABEL "service.kubernetes.io/headless"

struct epc {
	struct kube__ep_ctl base; /* the queue of services and the watch; first */
	const struct kube_kind *ep_kind; /* v1 Endpoints */
};

/* ---- subsets ------------------------------------------------------------- */

/*
 * What repackSubsets works from: for each port (its JSON text, "" for a
 * headless service without ports) the addresses offering it, keyed by
 * "ip/uid", each {addr, ready}.
 */
static void offer(json_t *by_port, const json_t *port, const json_t *addr, bool ready)
{
	char *pk = port ? json_dumps(port, JSON_SORT_KEYS | JSON_COMPACT) : strdup("");
	json_t *set = json_object_get(by_port, pk ? pk : "");
	char ak[256];

	if (!set) {
		set = json_object();
		json_object_set_new(by_port, pk ? pk : "", set);
	}
	snprintf(ak, sizeof(ak), "%s/%s", json_string_value(json_object_get(addr, "ip")),
		 json_string_value(json_object_get(json_object_get(addr, "targetRef"), "uid")) ?: "");
	json_object_set_new(set, ak, json_pack("{s:O, s:b}", "addr", addr, "ready", ready));
	free(pk);
}

static int cmp_addr(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	const char *xi = json_string_value(json_object_get(x, "ip"));
	const char *yi = json_string_value(json_object_get(y, "ip"));
	int r = strcmp(xi, yi);

	return r ? r : strcmp(json_string_value(json_object_get(json_object_get(x, "targetRef"), "uid")) ?: "",
			      json_string_value(json_object_get(json_object_get(y, "targetRef"), "uid")) ?: "");
}

/* Sort an array of addresses by IP then pod uid (addrsByIPAndUID). */
static json_t *sorted(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof(*v), cmp_addr);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(arr);
	return out;
}

/* The key of an address set: its members with their readiness, in key order. */
static char *set_key(const json_t *set)
{
	json_t *keys = json_object();
	const char *k;
	json_t *v;
	char *out;

	json_object_foreach((json_t *)set, k, v)
		json_object_set(keys, k, json_object_get(v, "ready"));
	out = json_dumps(keys, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(keys);
	return out;
}

static json_t *subset_of(const json_t *set, json_t *ports)
{
	json_t *ready = json_array(), *not_ready = json_array(), *v, *ss = json_object();
	const char *k;

	json_object_foreach((json_t *)set, k, v)
		json_array_append(json_is_true(json_object_get(v, "ready")) ? ready : not_ready,
				  json_object_get(v, "addr"));
	ready = sorted(ready);
	not_ready = sorted(not_ready);
	if (json_array_size(ready))
		json_object_set(ss, "addresses", ready);
	if (json_array_size(not_ready))
		json_object_set(ss, "notReadyAddresses", not_ready);
	if (json_array_size(ports))
		json_object_set(ss, "ports", ports);
	json_decref(ready);
	json_decref(not_ready);
	json_decref(ports);
	return ss;
}

/*
 * repackSubsets: ports offered by the same set of addresses share a subset.
 * Subsets and their ports come out in port-key order (upstream orders them
 * by a hash, which is no more meaningful).
 */
static json_t *repack(const json_t *by_port)
{
	json_t *groups = json_object(), *sets = json_object(), *out = json_array(), *set, *g;
	const char *pk, *gk;

	json_object_foreach((json_t *)by_port, pk, set) {
		char *key = set_key(set);

		g = json_object_get(groups, key);
		if (!g) {
			g = json_array();
			json_object_set_new(groups, key, g);
			json_object_set(sets, key, set);
		}
		if (*pk)
			json_array_append_new(g, json_loads(pk, 0, NULL));
		free(key);
	}
	json_object_foreach(groups, gk, g)
		json_array_append_new(out, subset_of(json_object_get(sets, gk), json_incref(g)));
	json_decref(groups);
	json_decref(sets);
	return out;
}

static json_t *address_of(const json_t *pod, const json_t *svc)
{
	const char *node = json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
	const char *host = kube__ep_hostname(pod, svc);
	json_t *a = json_pack("{s:O}", "ip", json_object_get(json_object_get(pod, "status"), "podIP"));

	if (host)
		json_object_set_new(a, "hostname", json_string(host));
	if (node && *node)
		json_object_set_new(a, "nodeName", json_string(node));
	json_object_set_new(a, "targetRef", kube__ep_target_ref(pod));
	return a;
}

/* Each service port the pod serves: {name?, port, protocol, appProtocol?}. */
static void offer_pod(json_t *by_port, const json_t *pod, const json_t *svc, bool tolerate)
{
	const json_t *spec = json_object_get(svc, "spec"), *sp;
	const char *cip = json_string_value(json_object_get(spec, "clusterIP"));
	bool ready = tolerate || kube__pod_ready(pod);
	json_t *addr = address_of(pod, svc);
	size_t i;

	if (!json_array_size(json_object_get(spec, "ports")) && cip && !strcmp(cip, "None"))
		offer(by_port, NULL, addr, ready);
	json_array_foreach(json_object_get(spec, "ports"), i, sp) {
		int num = kube__ep_find_port(pod, sp);
		json_t *port;

		if (num < 0)
			continue;
		port = json_object();
		if (json_object_get(sp, "name") && *json_string_value(json_object_get(sp, "name")))
			json_object_set(port, "name", json_object_get(sp, "name"));
		json_object_set_new(port, "port", json_integer(num));
		json_object_set_new(port, "protocol", json_string(json_string_value(
				json_object_get(sp, "protocol")) ?: "TCP"));
		if (json_object_get(sp, "appProtocol"))
			json_object_set(port, "appProtocol", json_object_get(sp, "appProtocol"));
		offer(by_port, port, addr, ready);
		json_decref(port);
	}
	json_decref(addr);
}

static json_t *subsets_for(const json_t *svc, const json_t *pods)
{
	bool tolerate = json_is_true(json_object_get(json_object_get(svc, "spec"),
						     "publishNotReadyAddresses"));
	json_t *by_port = json_object(), *pod, *out;
	size_t i;

	json_array_foreach(pods, i, pod)
		if (kube__ep_pod_included(pod, tolerate))
			offer_pod(by_port, pod, svc, tolerate);
	out = repack(by_port);
	json_decref(by_port);
	return out;
}

/* ---- sync ---------------------------------------------------------------- */

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	/* a conflict comes with an Endpoints event, which queues the service again */
	(void)err, (void)obj, (void)st, (void)data;
}

/* Service labels, plus service.kubernetes.io/headless for a headless service. */
static json_t *labels_for(const json_t *svc)
{
	json_t *l = json_deep_copy(json_object_get(json_object_get(svc, "metadata"), "labels"));
	const char *cip = json_string_value(json_object_get(json_object_get(svc, "spec"), "clusterIP"));

	if (!json_is_object(l)) {
		json_decref(l);
		l = json_object();
	}
	if (!cip || !*cip || !strcmp(cip, "None"))
		json_object_set_new(l, HEADLESS_LABEL, json_string(""));
	else
		json_object_del(l, HEADLESS_LABEL);
	return l;
}

static bool same(const json_t *a, const json_t *b)
{
	return json_equal(a ? a : json_null(), b ? b : json_null());
}

/* Create or update the Endpoints unless its subsets and labels are already right. */
static void write_endpoints(struct epc *e, const json_t *svc, const json_t *cur, json_t *subsets,
			    const char *trigger)
{
	json_t *labels = labels_for(svc), *ep, *meta, *ann;
	const json_t *cur_labels = json_object_get(json_object_get(cur, "metadata"), "labels");

	if (cur && same(json_object_get(cur, "subsets"), json_array_size(subsets) ? subsets : NULL) &&
	    same(cur_labels && json_object_size(cur_labels) ? cur_labels : NULL,
		 json_object_size(labels) ? labels : NULL)) {
		json_decref(labels);
		json_decref(subsets);
		return;
	}
	ep = cur ? json_deep_copy(cur) :
		   json_pack("{s:s, s:s, s:{s:O, s:O}}", "apiVersion", "v1", "kind", "Endpoints",
			     "metadata", "name", json_object_get(json_object_get(svc, "metadata"), "name"),
			     "namespace", json_object_get(json_object_get(svc, "metadata"), "namespace"));
	meta = kube__meta(ep);
	if (json_object_size(labels))
		json_object_set(meta, "labels", labels);
	else
		json_object_del(meta, "labels");
	ann = json_object_get(meta, "annotations");
	if (!json_is_object(ann)) {
		ann = json_object();
		json_object_set_new(meta, "annotations", ann);
	}
	if (trigger)
		json_object_set_new(ann, TRIGGER_ANNOTATION, json_string(trigger));
	else
		json_object_del(ann, TRIGGER_ANNOTATION);
	if (!json_object_size(ann))
		json_object_del(meta, "annotations");
	if (json_array_size(subsets))
		json_object_set(ep, "subsets", subsets);
	else
		json_object_del(ep, "subsets");
	if (cur)
		kube__op_update(e->base.c, e->ep_kind, NULL, ep, NULL, write_done, NULL);
	else
		kube__op_create(e->base.c, e->ep_kind, NULL, ep, NULL, write_done, NULL);
	json_decref(labels);
	json_decref(subsets);
}

static int sync_service(const char *key, void *data)
{
	struct epc *e = data;
	kube_cluster *c = e->base.c;
	char ns[256];
	const json_t *svc, *cur;
	const char *name = kube__ep_ctl_service(&e->base, key, ns, sizeof(ns), &svc);
	json_t *pods;

	if (!name)
		return 0;
	cur = kube__op_get(c, e->ep_kind, ns, name, NULL);
	if (!svc) {
		if (cur)
			kube__op_delete(c, e->ep_kind, ns, name, NULL, write_done, NULL);
		return 0;
	}
	if (!kube__ep_selector(svc))
		return 0;
	pods = kube__ep_selected_pods(c, ns, kube__ep_selector(svc));
	write_endpoints(e, svc, cur, subsets_for(svc, pods), kube__ep_trigger_time(svc, pods));
	json_decref(pods);
	return 0;
}

/* ---- events -------------------------------------------------------------- */

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct epc *e = data;

	(void)rev;
	/* as upstream, only a deleted Endpoints matters: it is made again */
	if (!strncmp(key, "/services/", 10) ||
	    (!strncmp(key, "/endpoints/", 11) && type == STORE_DELETED)) {
		kube__ep_ctl_queue_key(&e->base, key);
		return;
	}
	if (!strncmp(key, "/pods/", 6))
		kube__ep_ctl_on_pod(&e->base, type, obj, prev);
}

static void epc_stop(void *state)
{
	struct epc *e = state;

	kube__ep_ctl_stop(&e->base);
	free(e);
}

static int epc_start(kube_cluster *c, void **state)
{
	struct epc *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return KUBE_ENOMEM;
	e->ep_kind = kube__registry_by_gvk("v1", "Endpoints");
	err = kube__ep_ctl_start(&e->base, c, "/", sync_service, on_event, e);
	if (err) {
		free(e);
		return err;
	}
	/* checkLeftoverEndpoints: those of services deleted while stopped go */
	kube__ep_ctl_scan(&e->base, "/endpoints/");
	*state = e;
	return 0;
}

const struct kube_controller_ops kube__endpoints_controller = {
	.name = "endpoints",
	.start = epc_start,
	.stop = epc_stop,
};
