/*
 * Shared pieces of the Endpoints and EndpointSlice controllers (endpointutil.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/endpointutil.h"
#include "core/controllers/podutil.h"
#include "core/jsonutil.h"
#include "core/ops.h"

const json_t *kube__ep_selector(const json_t *svc)
{
	const json_t *sel = json_object_get(json_object_get(svc, "spec"), "selector");

	return json_is_object(sel) && json_object_size(sel) ? sel : NULL;
}

bool kube__ep_selects(const json_t *selector, const json_t *labels)
{
	const char *k;
	json_t *v;

	if (!selector)
		return false;
	json_object_foreach((json_t *)selector, k, v)
		if (!json_equal(v, json_object_get(labels, k)))
			return false;
	return true;
}

bool kube__ep_pod_included(const json_t *pod, bool include_terminating)
{
	const char *ip = kube__jstr(pod, "status.podIP");
	const char *rp = kube__jstr(pod, "spec.restartPolicy");
	const char *phase = kube__jstr(pod, "status.phase");

	if (!ip || !*ip)
		return false;
	if (!include_terminating && json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
		return false;
	phase = phase ? phase : "";
	if (rp && !strcmp(rp, "Never"))
		return strcmp(phase, "Failed") && strcmp(phase, "Succeeded");
	if (rp && !strcmp(rp, "OnFailure"))
		return strcmp(phase, "Succeeded");
	return true;
}

static int port_by_name(const json_t *containers, const char *name, const char *proto,
			bool sidecars_only)
{
	size_t i, j;
	json_t *c, *p;

	json_array_foreach(containers, i, c) {
		const char *rp = json_string_value(json_object_get(c, "restartPolicy"));

		if (sidecars_only && !(rp && !strcmp(rp, "Always")))
			continue;
		json_array_foreach(json_object_get(c, "ports"), j, p) {
			const char *pn = json_string_value(json_object_get(p, "name"));
			const char *pp = json_string_value(json_object_get(p, "protocol"));

			if (pn && !strcmp(pn, name) && !strcmp(pp ? pp : "TCP", proto))
				return (int)json_integer_value(json_object_get(p, "containerPort"));
		}
	}
	return -1;
}

int kube__ep_find_port(const json_t *pod, const json_t *svc_port)
{
	const json_t *tp = json_object_get(svc_port, "targetPort");
	const json_t *spec = json_object_get(pod, "spec");
	const char *proto = json_string_value(json_object_get(svc_port, "protocol"));
	int port;

	if (json_is_integer(tp) && json_integer_value(tp) > 0)
		return (int)json_integer_value(tp);
	if (!json_is_string(tp) || !*json_string_value(tp))
		return (int)json_integer_value(json_object_get(svc_port, "port"));
	proto = proto ? proto : "TCP";
	port = port_by_name(json_object_get(spec, "containers"), json_string_value(tp), proto, false);
	if (port < 0)
		port = port_by_name(json_object_get(spec, "initContainers"), json_string_value(tp),
				    proto, true);
	return port;
}

const char *kube__ep_hostname(const json_t *pod, const json_t *svc)
{
	const char *host = kube__jstr(pod, "spec.hostname"), *sub = kube__jstr(pod, "spec.subdomain");
	const char *name = kube__meta_str(svc, "name");
	const char *pns = kube__meta_str(pod, "namespace"), *sns = kube__meta_str(svc, "namespace");

	if (!host || !*host || !sub || !name || strcmp(sub, name) || !pns || !sns || strcmp(pns, sns))
		return NULL;
	return host;
}

json_t *kube__ep_target_ref(const json_t *pod)
{
	const json_t *m = json_object_get(pod, "metadata");

	return json_pack("{s:s, s:O, s:O, s:O}", "kind", "Pod", "namespace",
			 json_object_get(m, "namespace"), "name", json_object_get(m, "name"),
			 "uid", json_object_get(m, "uid"));
}

const char *kube__ep_trigger_time(const json_t *svc, const json_t *pods)
{
	const char *best = kube__meta_str(svc, "creationTimestamp");
	int64_t best_ms = best ? kube__parse_rfc3339(best) : -1;
	size_t i;
	json_t *pod;

	json_array_foreach(pods, i, pod) {
		const char *t = json_string_value(json_object_get(kube__condition(pod, "Ready"),
								  "lastTransitionTime"));
		int64_t ms = t ? kube__parse_rfc3339(t) : -1;

		if (ms > best_ms)
			best = t, best_ms = ms;
	}
	return best_ms >= 0 ? best : NULL;
}

struct select_ctx {
	const json_t *selector;
	json_t *out;
};

static int select_one(const char *key, const json_t *pod, void *data)
{
	struct select_ctx *s = data;

	(void)key;
	if (kube__ep_selects(s->selector, json_object_get(json_object_get(pod, "metadata"), "labels")))
		json_array_append(s->out, (json_t *)pod);
	return 0;
}

json_t *kube__ep_selected_pods(kube_cluster *c, const char *ns, const json_t *selector)
{
	struct select_ctx s = { selector, json_array() };
	char prefix[512];

	/* the store keys pods by namespace: this lists one namespace's pods only */
	snprintf(prefix, sizeof(prefix), "/pods/%s/", ns);
	store_list(c->store, prefix, select_one, &s);
	return s.out;
}

bool kube__ep_pod_changed(const json_t *old, const json_t *cur)
{
	static const char *const spec_fields[] = { "nodeName", "hostname", "subdomain", NULL };
	static const char *const status_fields[] = { "podIP", "podIPs", "phase", NULL };
	const json_t *om = json_object_get(old, "metadata"), *cm = json_object_get(cur, "metadata");

	if (!old || !cur)
		return true;
	if (!json_equal(json_object_get(om, "labels") ?: json_null(), json_object_get(cm, "labels") ?: json_null()) ||
	    !json_object_get(om, "deletionTimestamp") != !json_object_get(cm, "deletionTimestamp") ||
	    kube__pod_ready(old) != kube__pod_ready(cur))
		return true;
	for (int i = 0; spec_fields[i]; i++)
		if (!json_equal(json_object_get(json_object_get(old, "spec"), spec_fields[i]) ?: json_null(),
				json_object_get(json_object_get(cur, "spec"), spec_fields[i]) ?: json_null()))
			return true;
	for (int i = 0; status_fields[i]; i++)
		if (!json_equal(json_object_get(json_object_get(old, "status"), status_fields[i]) ?: json_null(),
				json_object_get(json_object_get(cur, "status"), status_fields[i]) ?: json_null()))
			return true;
	return false;
}

struct for_ctx {
	const json_t *labels;
	void (*fn)(const char *key, void *data);
	void *data;
};

static int service_one(const char *key, const json_t *svc, void *data)
{
	struct for_ctx *f = data;
	char k[512];

	(void)key;
	if (!kube__ep_selects(kube__ep_selector(svc), f->labels))
		return 0;
	snprintf(k, sizeof(k), "%s/%s", kube__meta_str(svc, "namespace"), kube__meta_str(svc, "name"));
	f->fn(k, f->data);
	return 0;
}

void kube__ep_services_for(kube_cluster *c, const json_t *pod,
			   void (*fn)(const char *key, void *data), void *data)
{
	struct for_ctx f = { json_object_get(json_object_get(pod, "metadata"), "labels"), fn, data };
	char prefix[512];

	snprintf(prefix, sizeof(prefix), "/services/%s/", kube__meta_str(pod, "namespace"));
	store_list(c->store, prefix, service_one, &f);
}

/* ---- the controllers' queue and watch ------------------------------------ */

static int scan_one(const char *key, const json_t *obj, void *data)
{
	(void)obj;
	kube__ep_ctl_queue_key(data, key);
	return 0;
}

int kube__ep_ctl_start(struct kube__ep_ctl *b, kube_cluster *c, const char *prefix,
		       kube_work_fn sync, store_watch_cb on_event, void *data)
{
	int err;

	b->c = c;
	b->queue = kube__wq_new(c->loop, sync, data);
	if (!b->queue)
		return KUBE_ENOMEM;
	err = store_watch(c->store, prefix, store_revision(c->store), on_event, data, &b->watch);
	if (err) {
		kube__wq_free(b->queue);
		return err;
	}
	kube__ep_ctl_scan(b, "/services/");
	return 0;
}

void kube__ep_ctl_stop(struct kube__ep_ctl *b)
{
	store_watch_cancel(b->watch);
	kube__wq_free(b->queue);
}

void kube__ep_ctl_scan(struct kube__ep_ctl *b, const char *prefix)
{
	store_list(b->c->store, prefix, scan_one, b);
}

void kube__ep_ctl_queue_key(struct kube__ep_ctl *b, const char *store_key)
{
	const char *rest = strchr(store_key + 1, '/');

	if (rest)
		kube__wq_add(b->queue, rest + 1);
}

static void queue_service(const char *key, void *data)
{
	kube__wq_add(((struct kube__ep_ctl *)data)->queue, key);
}

void kube__ep_ctl_on_pod(struct kube__ep_ctl *b, enum store_event type, const json_t *obj,
			 const json_t *prev)
{
	if (type == STORE_MODIFIED && !kube__ep_pod_changed(prev, obj))
		return;
	kube__ep_services_for(b->c, obj, queue_service, b);
	if (prev)
		kube__ep_services_for(b->c, prev, queue_service, b);
}

const char *kube__ep_ctl_service(const struct kube__ep_ctl *b, const char *key, char *ns,
				 size_t ns_size, const json_t **svc)
{
	const char *slash = strchr(key, '/');
	char svc_key[600];

	if (!slash)
		return NULL;
	snprintf(ns, ns_size, "%.*s", (int)(slash - key), key);
	snprintf(svc_key, sizeof(svc_key), "/services/%s", key);
	*svc = store_get(b->c->store, svc_key);
	return slash + 1;
}
