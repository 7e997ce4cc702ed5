/*
 * The simulated runtime (as KWOK): nothing executes. A container runs from
 * the moment it starts until the pod's annotations say otherwise; each
 * annotation applies to every container, or to one with ".<container>"
 * appended to the key (which wins):
 *
 *   sim.libkube.io/exit-after: "5s"   exit this long after starting
 *   sim.libkube.io/exit-code: "1"     with this code (default 0)
 *   sim.libkube.io/crash: "true"      exit 1 at once, on every start
 *   sim.libkube.io/ready: "false"     run, but never pass readiness
 *   sim.libkube.io/stop-after: "10s"  take this long to exit after SIGTERM
 *                                     (default: at once, code 0); killed with
 *                                     137 when the grace period is shorter
 *   sim.libkube.io/logs: "a\nb"       lines written to stdout at start
 *
 * Regular init containers, and the containers of pods a Job owns, exit
 * with their exit-code at once unless exit-after says otherwise (KWOK's
 * pod-complete stage does the same for Job pods).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/ops.h"
#include "runtime/runtime.h"

#define SIM_PREFIX "sim.libkube.io/"

struct sim_ctr {
	struct kube_timer exit_timer;  /* exit-after, or the end of a stop */
	int stop_code;                 /* what the pending exit reports */
	const char *stop_reason;
};

struct sim {
	kube_cluster *c;
};

/* The annotation @p key for container @p name: "<key>.<name>" first. */
static const char *sim_annotation(const json_t *pod, const char *key, const char *name)
{
	json_t *ann = json_object_get(json_object_get(pod, "metadata"), "annotations");
	char full[320];
	const char *v;

	snprintf(full, sizeof(full), SIM_PREFIX "%s.%s", key, name);
	v = json_string_value(json_object_get(ann, full));
	if (v)
		return v;
	snprintf(full, sizeof(full), SIM_PREFIX "%s", key);
	return json_string_value(json_object_get(ann, full));
}

static bool owned_by_job(const json_t *pod)
{
	json_t *ref;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(pod, "metadata"), "ownerReferences"), i, ref) {
		const char *kind = json_string_value(json_object_get(ref, "kind"));

		if (kind && !strcmp(kind, "Job"))
			return true;
	}
	return false;
}

static int sim_open(kube_cluster *c, const char *node, void **state)
{
	struct sim *s = calloc(1, sizeof(*s));

	(void)node;
	if (!s)
		return KUBE_ENOMEM;
	s->c = c;
	*state = s;
	return 0;
}

static void sim_close(void *state)
{
	free(state);
}

static void on_exit_timer(struct kube_timer *t, void *data)
{
	struct kube_rt_ctr *ctr = data;
	struct sim_ctr *sc = ctr->priv;

	(void)t;
	kube__rt_exited(ctr, sc->stop_code, sc->stop_reason);
}

static void write_logs(struct kube_rt_ctr *ctr)
{
	const char *logs = sim_annotation(ctr->pod, "logs", ctr->name);

	if (!logs)
		return;
	kube__rt_log_append(&ctr->log, 0, logs, strlen(logs), ctr->started_ms);
	kube__rt_log_flush(&ctr->log, ctr->started_ms);
}

/* When the container exits by itself: ms after its start, or -1 for never. */
static int64_t exit_after(const struct kube_rt_ctr *ctr)
{
	const char *v = sim_annotation(ctr->pod, "exit-after", ctr->name);

	if (v)
		return kube__rt_duration_ms(v);
	if (ctr->init || owned_by_job(ctr->pod))
		return 0;
	return -1;
}

static int sim_start(void *state, struct kube_rt_ctr *ctr, kube_rt_done_cb cb, void *data)
{
	struct sim_ctr *sc = calloc(1, sizeof(*sc));
	const char *crash = sim_annotation(ctr->pod, "crash", ctr->name);
	const char *ready = sim_annotation(ctr->pod, "ready", ctr->name);
	const char *code = sim_annotation(ctr->pod, "exit-code", ctr->name);
	int64_t after;

	(void)state;
	if (!sc)
		return KUBE_ENOMEM;
	ctr->priv = sc;
	kube__rt_new_id(ctr->id);
	ctr->state = KUBE_RT_RUNNING;
	ctr->started_ms = kube__now_ms(ctr->c);
	ctr->ready = !(ready && !strcmp(ready, "false"));
	write_logs(ctr);
	sc->stop_code = code ? atoi(code) : 0;
	after = exit_after(ctr);
	cb(0, data);
	if (crash && !strcmp(crash, "true")) {
		kube__rt_exited(ctr, 1, NULL);
		return 0;
	}
	if (after == 0)
		kube__rt_exited(ctr, sc->stop_code, NULL);
	else if (after > 0)
		kube__timer_start(ctr->c, &sc->exit_timer, after, on_exit_timer, ctr);
	return 0;
}

static void sim_stop(void *state, struct kube_rt_ctr *ctr, int64_t grace_ms)
{
	struct sim_ctr *sc = ctr->priv;
	int64_t after = kube__rt_duration_ms(sim_annotation(ctr->pod, "stop-after", ctr->name));

	(void)state;
	if (ctr->state != KUBE_RT_RUNNING || !sc)
		return;
	if (after <= 0) {
		kube__timer_stop(&sc->exit_timer);
		kube__rt_exited(ctr, 0, NULL);
		return;
	}
	/* SIGKILL at the end of the grace period: 128 + 9 */
	sc->stop_code = after < grace_ms ? 0 : 137;
	sc->stop_reason = NULL;
	kube__timer_start(ctr->c, &sc->exit_timer, after < grace_ms ? after : grace_ms,
			  on_exit_timer, ctr);
}

static void sim_remove(void *state, struct kube_rt_ctr *ctr)
{
	struct sim_ctr *sc = ctr->priv;

	(void)state;
	if (!sc)
		return;
	kube__timer_release(&sc->exit_timer);
	free(sc);
	ctr->priv = NULL;
}

const struct kube_runtime_ops kube__runtime_simulated = {
	.name = "simulated",
	.version = "simulated://1.0",
	.id_scheme = "simulated",
	.open = sim_open,
	.close = sim_close,
	.sandbox_create = kube__rt_sandbox_id_only,
	.sandbox_remove = kube__rt_sandbox_id_forget,
	.start = sim_start,
	.stop = sim_stop,
	.exec = NULL,
	.remove = sim_remove,
};
