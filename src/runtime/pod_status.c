/*
 * The pod status a node agent reports, as the kubelet's generateAPIPodStatus:
 * phase by upstream's getPhase, the kubelet-owned conditions with upstream's
 * reasons and messages (pkg/kubelet/status/generate.go), container statuses
 * with state and lastState, IPs, startTime and qosClass. Fields others own
 * (other conditions, nominatedNodeName, ...) are kept from the stored status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "core/ops.h"
#include "core/quantity.h"
#include "runtime/node.h"

/* How a container shows, as getPhase sorts container statuses. */
enum shown { SHOWN_WAITING, SHOWN_WAITING_AFTER_EXIT, SHOWN_RUNNING, SHOWN_TERMINATED };

static enum shown shown(const struct pod_ctr *pc)
{
	if (!pc->cur || pc->cur->state == KUBE_RT_CREATED)
		return pc->prev ? SHOWN_WAITING_AFTER_EXIT : SHOWN_WAITING;
	if (pc->cur->state == KUBE_RT_RUNNING)
		return SHOWN_RUNNING;
	return pc->backing_off ? SHOWN_WAITING_AFTER_EXIT : SHOWN_TERMINATED;
}

/* The exit code of the terminated state a status shows (state or lastState). */
static int shown_exit(const struct pod_ctr *pc)
{
	return pc->cur && pc->cur->state == KUBE_RT_EXITED ? pc->cur->exit_code
	       : pc->prev ? pc->prev->exit_code : 0;
}

static bool ctr_ready(const struct pod_ctr *pc)
{
	if (pc->init)
		return shown(pc) == SHOWN_TERMINATED && pc->cur->exit_code == 0;
	return shown(pc) == SHOWN_RUNNING && pc->cur->ready;
}

static bool any_regular_started(const struct pod_worker *w)
{
	for (int i = w->ninit; i < w->nctrs; i++)
		if (shown(&w->ctrs[i]) == SHOWN_RUNNING || shown(&w->ctrs[i]) == SHOWN_TERMINATED)
			return true;
	return false;
}

const char *kube__pod_phase(struct pod_worker *w, bool terminal)
{
	int pending = 0, failed_init = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
	const char *policy = json_string_value(json_object_get(json_object_get(w->pod, "spec"),
							       "restartPolicy"));

	policy = policy ? policy : "Always";
	for (int i = 0; i < w->nctrs; i++) {
		const struct pod_ctr *pc = &w->ctrs[i];
		enum shown s = shown(pc);

		if (pc->init) {
			if (s == SHOWN_RUNNING || s == SHOWN_WAITING)
				pending++;
			else if (shown_exit(pc))
				failed_init++;
		} else if (pc->sidecar) {
			if (s == SHOWN_RUNNING)
				running++;
			else if (s == SHOWN_WAITING)
				pending++, waiting++;
		} else if (s == SHOWN_RUNNING) {
			running++;
		} else if (s == SHOWN_TERMINATED) {
			stopped++;
			succeeded += pc->cur->exit_code == 0;
		} else if (s == SHOWN_WAITING_AFTER_EXIT) {
			stopped++;
		} else {
			waiting++;
		}
	}
	if (failed_init && !strcmp(policy, "Never"))
		return "Failed";
	if ((pending && !any_regular_started(w)) || waiting)
		return "Pending";
	if (running)
		return "Running";
	if (!stopped)
		return "Pending";
	if (terminal)
		return stopped == succeeded ? "Succeeded" : "Failed";
	if (!strcmp(policy, "Always"))
		return "Running";
	if (stopped == succeeded)
		return "Succeeded";
	return !strcmp(policy, "Never") ? "Failed" : "Running";
}

const char *kube__pod_desc(const struct pod_worker *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%s(%s)", kube__meta_str(w->pod, "name"),
		 kube__meta_str(w->pod, "namespace"), w->uid);
	return buf;
}

void kube__image_ref(const char *image, char *buf, size_t len)
{
	const char *slash = strchr(image, '/'), *last = strrchr(image, '/');
	bool host = slash && (memchr(image, '.', (size_t)(slash - image)) ||
			      memchr(image, ':', (size_t)(slash - image)) ||
			      !strncmp(image, "localhost/", 10));
	bool tagged = strchr(last ? last : image, ':') || strchr(image, '@');

	snprintf(buf, len, "%s%s%s%s", host ? "" : "docker.io/", !slash ? "library/" : "", image,
		 tagged ? "" : ":latest");
}

/* "<repository>@sha256:<digest>" standing in for the image's digest. */
static void image_id(const char *ref, char *buf, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[65];
	const char *last = strrchr(ref, '/'), *colon = strchr(last ? last : ref, ':');
	int repo = colon ? (int)(colon - ref) : (int)strlen(ref);

	EVP_Digest(ref, strlen(ref), md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	snprintf(buf, len, "%.*s@sha256:%s", repo, ref, hex);
}

static json_t *terminated(const struct pod_worker *w, const struct kube_rt_ctr *r)
{
	char started[32], finished[32], id[128];
	json_t *t;

	snprintf(id, sizeof(id), "%s://%s", w->a->rt->id_scheme, r->id);
	t = json_pack("{s:s, s:i, s:s, s:s, s:s}", "containerID", id, "exitCode", r->exit_code,
		      "finishedAt", kube__rfc3339(r->finished_ms, finished, sizeof(finished)),
		      "reason", r->reason ? r->reason : "Error",
		      "startedAt", kube__rfc3339(r->started_ms, started, sizeof(started)));
	if (r->message)
		json_object_set_new(t, "message", json_string(r->message));
	return json_pack("{s:o}", "terminated", t);
}

static json_t *state(const struct pod_worker *w, const struct pod_ctr *pc)
{
	char ts[32], desc[512], msg[700];

	switch (shown(pc)) {
	case SHOWN_RUNNING:
		return json_pack("{s:{s:s}}", "running", "startedAt",
				 kube__rfc3339(pc->cur->started_ms, ts, sizeof(ts)));
	case SHOWN_TERMINATED:
		return terminated(w, pc->cur);
	case SHOWN_WAITING_AFTER_EXIT:
		if (pc->backing_off) {
			int64_t s = pc->bo_delay / 1000;

			kube__pod_desc(w, desc, sizeof(desc));
			/* Go's Duration.String(): 10s, 1m20s, 5m0s */
			if (s < 60)
				snprintf(msg, sizeof(msg), "back-off %llds restarting failed container=%s pod=%s",
					 (long long)s, pc->name, desc);
			else
				snprintf(msg, sizeof(msg), "back-off %lldm%llds restarting failed container=%s pod=%s",
					 (long long)(s / 60), (long long)(s % 60), pc->name, desc);
			return json_pack("{s:{s:s, s:s}}", "waiting", "message", msg,
					 "reason", "CrashLoopBackOff");
		}
		/* fall through */
	default:
		return json_pack("{s:{s:s}}", "waiting", "reason",
				 w->ninit ? "PodInitializing" : "ContainerCreating");
	}
}

static json_t *ctr_status(const struct pod_worker *w, const struct pod_ctr *pc)
{
	const char *image = json_string_value(json_object_get(pc->spec, "image"));
	char ref[512], iid[640], id[128];
	enum shown s = shown(pc);
	const struct kube_rt_ctr *last = s == SHOWN_RUNNING || s == SHOWN_TERMINATED ? pc->prev
					 : pc->cur && pc->cur->state == KUBE_RT_EXITED ? pc->cur
					 : pc->prev;
	json_t *st;

	kube__image_ref(image ? image : "", ref, sizeof(ref));
	image_id(ref, iid, sizeof(iid));
	st = json_pack("{s:s, s:s, s:o, s:s, s:b, s:i, s:b, s:o}", "image", ref, "imageID", iid,
		       "lastState", last ? terminated(w, last) : json_object(), "name", pc->name,
		       "ready", ctr_ready(pc), "restartCount", pc->restarts,
		       "started", s == SHOWN_RUNNING, "state", state(w, pc));
	if (pc->cur && pc->cur->id[0]) {
		snprintf(id, sizeof(id), "%s://%s", w->a->rt->id_scheme, pc->cur->id);
		json_object_set_new(st, "containerID", json_string(id));
	}
	return st;
}

/* ------------------------------------------------------------ conditions -- */

/* "[a b]", as Go prints a []string. */
static void names_list(char *buf, size_t len, const char *const *names, int n)
{
	size_t at = (size_t)snprintf(buf, len, "[");

	for (int i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "", names[i]);
	if (at < len)
		snprintf(buf + at, len - at, "]");
}

static json_t *cond(const char *type, bool ok, const char *reason, const char *msg)
{
	json_t *c = json_pack("{s:s, s:s}", "type", type, "status", ok ? "True" : "False");

	if (reason)
		json_object_set_new(c, "reason", json_string(reason));
	if (msg)
		json_object_set_new(c, "message", json_string(msg));
	return c;
}

static json_t *initialized(const struct pod_worker *w, const char *phase)
{
	const char *incomplete[64];
	char msg[1024], list[900];
	int n = 0;

	if (!strcmp(phase, "Succeeded"))
		return cond("Initialized", true, "PodCompleted", NULL);
	if (any_regular_started(w))
		return cond("Initialized", true, NULL, NULL);
	for (int i = 0; i < w->ninit && n < 64; i++) {
		const struct pod_ctr *pc = &w->ctrs[i];

		if (pc->sidecar ? shown(pc) != SHOWN_RUNNING : !ctr_ready(pc))
			incomplete[n++] = pc->name;
	}
	if (!n)
		return cond("Initialized", true, NULL, NULL);
	names_list(list, sizeof(list), incomplete, n);
	snprintf(msg, sizeof(msg), "containers with incomplete status: %s", list);
	return cond("Initialized", false, "ContainersNotInitialized", msg);
}

static json_t *containers_ready(const struct pod_worker *w, const char *phase, const char *type)
{
	const char *unready[64];
	char msg[1024], list[900];
	int n = 0;

	if (!strcmp(phase, "Succeeded"))
		return cond(type, false, "PodCompleted", NULL);
	if (!strcmp(phase, "Failed"))
		return cond(type, false, "PodFailed", NULL);
	for (int i = 0; i < w->nctrs && n < 64; i++)
		if (!w->ctrs[i].init && !ctr_ready(&w->ctrs[i]))
			unready[n++] = w->ctrs[i].name;
	if (!n)
		return cond(type, true, NULL, NULL);
	names_list(list, sizeof(list), unready, n);
	snprintf(msg, sizeof(msg), "containers with unready status: %s", list);
	return cond(type, false, "ContainersNotReady", msg);
}

/* Ready: ContainersReady, then the readiness gates (conditions others set). */
static json_t *pod_ready(const struct pod_worker *w, const char *phase, const json_t *old)
{
	json_t *c = containers_ready(w, phase, "Ready"), *gate, *have;
	size_t i, j;
	char msg[512];

	if (strcmp(json_string_value(json_object_get(c, "status")), "True"))
		return c;
	json_array_foreach(json_object_get(json_object_get(w->pod, "spec"), "readinessGates"), i, gate) {
		const char *t = json_string_value(json_object_get(gate, "conditionType"));
		const char *s = NULL;

		json_array_foreach(json_object_get(old, "conditions"), j, have)
			if (t && !strcmp(json_string_value(json_object_get(have, "type")) ?: "", t))
				s = json_string_value(json_object_get(have, "status"));
		if (s && !strcmp(s, "True"))
			continue;
		if (s)
			snprintf(msg, sizeof(msg), "the status of pod readiness gate \"%s\" is not \"True\", but %s", t, s);
		else
			snprintf(msg, sizeof(msg), "corresponding condition of pod readiness gate \"%s\" does not exist.", t);
		json_decref(c);
		return cond("Ready", false, "ReadinessGatesNotReady", msg);
	}
	return c;
}

static bool kubelet_owned(const char *type)
{
	static const char *const owned[] = { "PodScheduled", "Ready", "Initialized",
		"ContainersReady", "PodReadyToStartContainers", NULL };

	for (int i = 0; type && owned[i]; i++)
		if (!strcmp(type, owned[i]))
			return true;
	return false;
}

/* Others' conditions, then ours with their transition times kept when the
 * status did not change. */
static json_t *conditions(const struct pod_worker *w, const char *phase, const json_t *old)
{
	json_t *out = json_array(), *c, *o;
	json_t *ours = json_pack("[o, o, o, o, o]", cond("PodReadyToStartContainers", w->sandbox, NULL, NULL),
				 initialized(w, phase), pod_ready(w, phase, old),
				 containers_ready(w, phase, "ContainersReady"),
				 cond("PodScheduled", true, NULL, NULL));
	size_t i, j;
	char now[32];

	kube__rfc3339(kube__now_ms(w->a->c), now, sizeof(now));
	json_array_foreach(json_object_get(old, "conditions"), i, o)
		if (!kubelet_owned(json_string_value(json_object_get(o, "type"))))
			json_array_append(out, o);
	json_array_foreach(ours, i, c) {
		json_object_set_new(c, "lastProbeTime", json_null());
		json_object_set_new(c, "lastTransitionTime", json_string(now));
		json_array_foreach(json_object_get(old, "conditions"), j, o) {
			if (json_equal(json_object_get(o, "type"), json_object_get(c, "type")) &&
			    json_equal(json_object_get(o, "status"), json_object_get(c, "status")))
				json_object_set(c, "lastTransitionTime", json_object_get(o, "lastTransitionTime"));
		}
		json_array_append(out, c);
	}
	json_decref(ours);
	return out;
}

/* ------------------------------------------------------------------ QoS -- */

static const char *qos_class(const json_t *spec)
{
	static const char *const lists[] = { "initContainers", "containers", NULL };
	static const char *const res[] = { "cpu", "memory", NULL };
	bool any = false, guaranteed = true;
	json_t *c;
	size_t i;

	for (int l = 0; lists[l]; l++) {
		json_array_foreach(json_object_get(spec, lists[l]), i, c) {
			json_t *r = json_object_get(c, "resources");

			for (int k = 0; res[k]; k++) {
				const char *lim = json_string_value(json_object_get(json_object_get(r, "limits"), res[k]));
				const char *req = json_string_value(json_object_get(json_object_get(r, "requests"), res[k]));
				struct kube_quantity ql, qr;

				any = any || lim || req;
				req = req ? req : lim;
				if (!lim || kube__quantity_parse(lim, &ql) || kube__quantity_parse(req, &qr) ||
				    kube__quantity_cmp(&ql, &qr))
					guaranteed = false;
			}
		}
	}
	return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
}

/* --------------------------------------------------------------- status -- */

json_t *kube__pod_status(struct pod_worker *w, const json_t *old)
{
	json_t *st = json_is_object(old) ? json_deep_copy(old) : json_object();
	json_t *init = json_array(), *main = json_array();
	const char *phase = kube__pod_phase(w, w->terminal);
	const char *was = json_string_value(json_object_get(old, "phase"));
	char ts[32];

	/* pods never leave a terminal phase */
	if (was && (!strcmp(was, "Succeeded") || !strcmp(was, "Failed")))
		phase = !strcmp(was, "Succeeded") ? "Succeeded" : "Failed";
	w->phase = phase;
	for (int i = 0; i < w->nctrs; i++)
		json_array_append_new(i < w->ninit ? init : main, ctr_status(w, &w->ctrs[i]));
	json_object_set_new(st, "phase", json_string(phase));
	json_object_set_new(st, "conditions", conditions(w, phase, old));
	json_object_set_new(st, "hostIP", json_string(w->a->address));
	json_object_set_new(st, "hostIPs", json_pack("[{s:s}]", "ip", w->a->address));
	if (w->sandbox && w->ip[0]) {
		json_object_set_new(st, "podIP", json_string(w->ip));
		json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", w->ip));
	}
	if (!json_object_get(st, "startTime"))
		json_object_set_new(st, "startTime",
				    json_string(kube__rfc3339(w->start_ms, ts, sizeof(ts))));
	json_object_set_new(st, "qosClass", json_string(qos_class(json_object_get(w->pod, "spec"))));
	if (w->ninit)
		json_object_set_new(st, "initContainerStatuses", init);
	else
		json_decref(init);
	json_object_set_new(st, "containerStatuses", main);
	return st;
}
