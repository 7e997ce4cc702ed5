/*
 * A pod worker: runs one pod on its node as the kubelet's pod worker does.
 * Each sync decides what the containers need (start the sandbox, the init
 * containers in order, sidecars, the containers; restart by the restart
 * policy with CrashLoopBackOff; stop them when the pod is deleted or done)
 * and then reports the pod's status, at most one write in flight, skipped
 * when nothing changed. Runtime callbacks that arrive during a sync make it
 * run once more instead of nesting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/events.h"
#include "core/ops.h"
#include "runtime/node.h"

static const struct kube_kind *pod_kind(void)
{
	return kube__registry_by_gvk("v1", "Pod");
}

static const char *restart_policy(const struct pod_worker *w)
{
	const char *p = json_string_value(json_object_get(json_object_get(w->pod, "spec"),
							  "restartPolicy"));

	return p ? p : "Always";
}

static bool is_terminal_phase(const json_t *pod)
{
	const char *p = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	return p && (!strcmp(p, "Succeeded") || !strcmp(p, "Failed"));
}

static void event(struct pod_worker *w, const char *type, const char *reason, const char *fmt,
		  const char *a1, const char *a2)
{
	kube__event(w->a->c, w->pod, "kubelet", w->a->name, type, reason, fmt, a1, a2);
}

/* Point every container (and instance) at the spec inside @p pod. */
static void bind_specs(struct pod_worker *w)
{
	json_t *spec = json_object_get(w->pod, "spec");
	json_t *init = json_object_get(spec, "initContainers"), *main = json_object_get(spec, "containers");

	for (int i = 0; i < w->nctrs; i++) {
		struct pod_ctr *pc = &w->ctrs[i];
		json_t *s = i < w->ninit ? json_array_get(init, (size_t)i)
					 : json_array_get(main, (size_t)(i - w->ninit));

		pc->spec = s;
		pc->name = json_string_value(json_object_get(s, "name"));
		for (struct kube_rt_ctr *r = pc->cur; r; r = r == pc->cur ? pc->prev : NULL) {
			r->pod = w->pod;
			r->spec = s;
			r->name = pc->name;
		}
	}
}

struct pod_worker *kube__worker_new(struct node_agent *a, const char *key, const json_t *pod)
{
	struct pod_worker *w = calloc(1, sizeof(*w));
	json_t *spec = json_object_get(pod, "spec");
	size_t ninit = json_array_size(json_object_get(spec, "initContainers"));
	size_t n = ninit + json_array_size(json_object_get(spec, "containers"));

	if (!w)
		return NULL;
	w->a = a;
	w->key = strdup(key);
	w->uid = strdup(kube__meta_str(pod, "uid") ?: "");
	w->pod = json_incref((json_t *)pod);
	w->ctrs = calloc(n ? n : 1, sizeof(*w->ctrs));
	w->nctrs = (int)n;
	w->ninit = (int)ninit;
	w->start_ms = kube__now_ms(a->c);
	w->terminal = is_terminal_phase(pod);
	if (!w->key || !w->uid || !w->ctrs) {
		free(w->key);
		free(w->uid);
		free(w->ctrs);
		json_decref(w->pod);
		free(w);
		return NULL;
	}
	for (int i = 0; i < w->nctrs; i++)
		w->ctrs[i].w = w;
	bind_specs(w);
	for (int i = 0; i < w->ninit; i++) {
		const char *rp = json_string_value(json_object_get(w->ctrs[i].spec, "restartPolicy"));

		w->ctrs[i].sidecar = rp && !strcmp(rp, "Always");
		w->ctrs[i].init = !w->ctrs[i].sidecar;
	}
	return w;
}

void kube__worker_update(struct pod_worker *w, const json_t *pod)
{
	json_t *old = w->pod;

	w->pod = json_incref((json_t *)pod);
	bind_specs(w);
	if (w->sandbox)
		w->sb.pod = w->pod;
	json_decref(old);
}

/* ------------------------------------------------------------ containers -- */

static void remove_instance(struct pod_worker *w, struct kube_rt_ctr *r)
{
	if (!r)
		return;
	w->a->rt->remove(w->a->rt_state, r);
	kube__rt_log_free(&r->log);
	free(r->message);
	free(r);
}

static void on_ctr_exit(struct kube_rt_ctr *ctr, void *data)
{
	struct pod_ctr *pc = data;

	if (pc->cur == ctr && !pc->w->gone)
		kube__worker_sync(pc->w);
}

static void on_ctr_started(int err, void *data)
{
	struct kube_rt_ctr *ctr = data;
	struct pod_ctr *pc = ctr->exit_data;

	if (!err && pc->cur == ctr && !pc->w->gone)
		event(pc->w, "Normal", "Started", "Started container %s", pc->name, NULL);
}

static void start_ctr(struct pod_ctr *pc)
{
	struct pod_worker *w = pc->w;
	struct kube_rt_ctr *r = calloc(1, sizeof(*r));
	const char *image = json_string_value(json_object_get(pc->spec, "image"));

	if (!r)
		return;
	*r = (struct kube_rt_ctr){ .c = w->a->c, .pod = w->pod, .spec = pc->spec, .name = pc->name,
				   .init = pc->init, .on_exit = on_ctr_exit, .exit_data = pc };
	if (pc->cur) {
		remove_instance(w, pc->prev);
		pc->prev = pc->cur;
		pc->restarts++;
	}
	pc->cur = r;
	pc->backing_off = false;
	event(w, "Normal", "Pulled", "Container image \"%s\" already present on machine",
	      image ? image : "", NULL);
	event(w, "Normal", "Created", "Created container: %s", pc->name, NULL);
	w->a->rt->start(w->a->rt_state, r, on_ctr_started, r);
}

static void on_backoff_done(struct kube_timer *t, void *data)
{
	struct pod_ctr *pc = data;

	(void)t;
	kube__worker_sync(pc->w);
}

/* Restart an exited container unless it is in back-off (upstream's
 * flowcontrol.Backoff keyed by pod and container: 10 s doubling to 5 min,
 * forgotten when the container ran for more than 10 min). */
static void restart_ctr(struct pod_ctr *pc)
{
	struct pod_worker *w = pc->w;
	int64_t now = kube__now_ms(w->a->c), fin = pc->cur->finished_ms;
	bool expired = fin - pc->bo_last > 2 * BACKOFF_MAX_MS;
	char desc[512];

	if (pc->bo_last && !expired && now - fin < pc->bo_delay) {
		if (!pc->backing_off) {
			pc->backing_off = true;
			kube__pod_desc(w, desc, sizeof(desc));
			event(w, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s",
			      pc->name, desc);
			kube__timer_start(w->a->c, &pc->bo_timer, fin + pc->bo_delay - now,
					  on_backoff_done, pc);
		}
		return;
	}
	if (!pc->bo_last || expired)
		pc->bo_delay = BACKOFF_INITIAL_MS;
	else
		pc->bo_delay = pc->bo_delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : pc->bo_delay * 2;
	pc->bo_last = now;
	start_ctr(pc);
}

static bool wants_restart(const struct pod_ctr *pc, const char *policy)
{
	int code = pc->cur->exit_code;

	if (pc->sidecar)
		return true;
	if (pc->init)
		return code != 0 && strcmp(policy, "Never");
	return !strcmp(policy, "Always") || (!strcmp(policy, "OnFailure") && code != 0);
}

static bool running(const struct pod_ctr *pc)
{
	return pc->cur && pc->cur->state == KUBE_RT_RUNNING;
}

static bool ever_started(const struct pod_ctr *pc)
{
	return pc->cur && (pc->restarts || pc->cur->state != KUBE_RT_CREATED);
}

/* One init container's turn; true when the next may go. */
static bool step_init(struct pod_worker *w, struct pod_ctr *pc, const char *policy)
{
	if (!pc->cur)
		start_ctr(pc);
	if (!pc->cur)
		return false;
	if (pc->cur->state == KUBE_RT_EXITED && !pc->done) {
		if (!pc->sidecar && pc->cur->exit_code == 0)
			pc->done = true;
		else if (wants_restart(pc, policy))
			restart_ctr(pc);
		else
			pc->done = true;
	}
	if (pc->sidecar)
		return ever_started(pc);
	return pc->done && pc->cur->exit_code == 0;
}

static bool init_failed(const struct pod_worker *w)
{
	for (int i = 0; i < w->ninit; i++)
		if (w->ctrs[i].init && w->ctrs[i].done && w->ctrs[i].cur->exit_code)
			return true;
	return false;
}

static void step_main(struct pod_worker *w, const char *policy)
{
	for (int i = w->ninit; i < w->nctrs; i++) {
		struct pod_ctr *pc = &w->ctrs[i];

		if (!pc->cur)
			start_ctr(pc);
		else if (pc->cur->state == KUBE_RT_EXITED && !pc->done) {
			if (wants_restart(pc, policy))
				restart_ctr(pc);
			else
				pc->done = true;
		}
	}
}

static int64_t grace_ms(const struct pod_worker *w)
{
	const json_t *g = json_object_get(json_object_get(w->pod, "metadata"),
					  "deletionGracePeriodSeconds");

	if (!json_is_integer(g))
		g = json_object_get(json_object_get(w->pod, "spec"), "terminationGracePeriodSeconds");
	return json_is_integer(g) ? json_integer_value(g) * 1000 : 30000;
}

/* Ask the running containers of @p w matching @p sidecars_only to stop. */
static void stop_ctrs(struct pod_worker *w, bool sidecars_only)
{
	int64_t grace = grace_ms(w);

	for (int i = 0; i < w->nctrs; i++) {
		struct pod_ctr *pc = &w->ctrs[i];

		kube__timer_stop(&pc->bo_timer);
		if (sidecars_only && !pc->sidecar)
			continue;
		pc->backing_off = false;
		pc->done = true;
		if (!running(pc) || pc->stopping)
			continue;
		pc->stopping = true;
		event(w, "Normal", "Killing", "Stopping container %s", pc->name, NULL);
		w->a->rt->stop(w->a->rt_state, pc->cur, grace);
	}
}

static bool any_running(const struct pod_worker *w)
{
	for (int i = 0; i < w->nctrs; i++)
		if (running(&w->ctrs[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ the sync -- */

static void maybe_free(struct pod_worker *w)
{
	if (!w->gone || w->refs)
		return;
	free(w->ctrs);
	json_decref(w->pod);
	free(w->key);
	free(w->uid);
	free(w);
}

static void deleted(int err, const json_t *obj, const json_t *st, void *data)
{
	struct pod_worker *w = data;

	(void)obj;
	w->refs--;
	if (err && err != KUBE_ENOTFOUND && !w->gone) {
		kube__log(w->a->c, "node %s: deleting pod %s: %s", w->a->name, w->key,
			  json_string_value(json_object_get(st, "message")));
		w->deleting = false;
	}
	maybe_free(w);
}

/* Every container stopped: finish the graceful deletion the API began. */
static void finish_delete(struct pod_worker *w)
{
	static const int64_t zero = 0;
	struct kube_op_opts o = { .grace_period = &zero, .precondition_uid = w->uid };

	if (w->deleting)
		return;
	w->deleting = true;
	w->refs++;
	kube__op_delete(w->a->c, pod_kind(), kube__meta_str(w->pod, "namespace"),
			kube__meta_str(w->pod, "name"), &o, deleted, w);
}

static void on_sandbox(int err, void *data)
{
	struct pod_worker *w = data;

	if (!err && !w->gone) {
		w->sandbox = true;
		kube__worker_sync(w);
	}
}

static void start_sandbox(struct pod_worker *w)
{
	const json_t *hn = json_object_get(json_object_get(w->pod, "spec"), "hostNetwork");

	if (w->ip[0])
		return;
	if (json_is_true(hn)) {
		snprintf(w->ip, sizeof(w->ip), "%s", w->a->address);
	} else {
		kube__agent_ip_take(w->a, w->ip, sizeof(w->ip));
		w->own_ip = true;
	}
	w->sb.pod = w->pod;
	w->a->rt->sandbox_create(w->a->rt_state, &w->sb, on_sandbox, w);
}

/* The pod's containers are done for good: stop the sidecars, then the pod
 * is terminal (upstream's podIsTerminal). */
static void check_done(struct pod_worker *w, const char *policy)
{
	bool done = init_failed(w);

	if (!done && strcmp(policy, "Always")) {
		done = w->nctrs > w->ninit;
		for (int i = w->ninit; i < w->nctrs; i++)
			done = done && w->ctrs[i].done;
	}
	if (!done)
		return;
	stop_ctrs(w, true);
	if (!any_running(w))
		w->terminal = true;
}

static void step(struct pod_worker *w)
{
	const char *policy = restart_policy(w);
	const json_t *meta = json_object_get(w->pod, "metadata");

	if (json_object_get(meta, "deletionTimestamp") && !w->terminating) {
		w->terminating = true;
		stop_ctrs(w, false);
	}
	if (w->terminating) {
		if (!any_running(w))
			finish_delete(w);
		return;
	}
	if (w->terminal)
		return;
	if (!w->sandbox) {
		start_sandbox(w);
		if (!w->sandbox)
			return;
	}
	for (int i = 0; i < w->ninit; i++)
		if (!step_init(w, &w->ctrs[i], policy)) {
			check_done(w, policy);
			return;
		}
	step_main(w, policy);
	check_done(w, policy);
}

static void report(struct pod_worker *w);

static void status_written(int err, const json_t *obj, const json_t *st, void *data)
{
	struct pod_worker *w = data;

	(void)obj;
	w->refs--;
	w->writing = false;
	if (w->gone) {
		maybe_free(w);
		return;
	}
	if (err)
		kube__log(w->a->c, "node %s: pod %s status: %s", w->a->name, w->key,
			  json_string_value(json_object_get(st, "message")));
	else
		report(w);
}

/* Write the pod's status when it differs from the stored one. */
static void report(struct pod_worker *w)
{
	const json_t *stored = store_get(w->a->c->store, w->key);
	const json_t *old = json_object_get(stored, "status");
	struct kube_op_opts o = { .status = true };
	json_t *status, *body;

	if (w->gone || w->writing || w->deleting || !w->a->running || !stored ||
	    strcmp(kube__meta_str(stored, "uid") ?: "", w->uid))
		return;
	status = kube__pod_status(w, old);
	if (json_equal(status, old)) {
		json_decref(status);
		return;
	}
	body = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "apiVersion", "v1", "kind", "Pod",
			 "metadata", "name", kube__meta_str(stored, "name"), "namespace",
			 kube__meta_str(stored, "namespace"), "uid", w->uid, "status", status);
	w->writing = true;
	w->refs++;
	kube__op_update(w->a->c, pod_kind(), kube__meta_str(stored, "namespace"), body, &o,
			status_written, w);
}

void kube__worker_sync(struct pod_worker *w)
{
	if (w->gone || !w->a->running)
		return;
	if (w->in_sync) {
		w->again = true;
		return;
	}
	w->in_sync = true;
	w->refs++;
	do {
		w->again = false;
		step(w);
	} while (w->again && !w->gone);
	w->in_sync = false;
	w->refs--;
	if (!w->gone && !w->terminating)
		report(w);
	maybe_free(w);
}

void kube__worker_teardown(struct pod_worker *w)
{
	struct node_agent *a = w->a;

	if (w->gone)
		return;
	if (strmap_get(&a->pods, w->key) == w)
		strmap_del(&a->pods, w->key);
	w->gone = true;
	for (int i = 0; i < w->nctrs; i++) {
		struct pod_ctr *pc = &w->ctrs[i];

		kube__timer_release(&pc->bo_timer);
		remove_instance(w, pc->cur);
		remove_instance(w, pc->prev);
		pc->cur = pc->prev = NULL;
	}
	if (w->sandbox)
		a->rt->sandbox_remove(a->rt_state, &w->sb);
	if (w->own_ip)
		kube__agent_ip_release(a, w->ip);
	maybe_free(w);
}
