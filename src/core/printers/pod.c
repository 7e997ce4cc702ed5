/*
 * The Pod table: printPod from upstream's printers.go, including the STATUS
 * reason logic (Init:x/y, Init:<reason>, CrashLoopBackOff, Completed,
 * NotReady, Terminating, Unknown for NodeLost, SchedulingGated) and
 * RESTARTS with the time of the last restart ("3 (5m ago)").
 */
#include <stdio.h>
#include <string.h>
#include "core/printers/printers.h"
#include "core/printers/docs.h"

static const struct kube_column pod_columns[] = {
	{ "Name", "string", "name", KUBE_DOC_META_NAME, 0 },
	{ "Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0 },
	{ "Status", "string", "", "The aggregate status of the containers in this pod.", 0 },
	{ "Restarts", "string", "", "The number of times the containers in this pod have been restarted "
	  "and when the last container in this pod has restarted.", 0 },
	{ "Age", "string", "", KUBE_DOC_META_CREATED, 0 },
	{ "IP", "string", "", KUBE_DOC_POD_IP, 1 },
	{ "Node", "string", "", KUBE_DOC_POD_NODE, 1 },
	{ "Nominated Node", "string", "", KUBE_DOC_POD_NOMINATED, 1 },
	{ "Readiness Gates", "string", "", KUBE_DOC_POD_GATES, 1 },
};

/* What printPod accumulates while walking the container statuses. */
struct pod_summary {
	const json_t *pod;
	char reason[256];             /* the STATUS cell */
	json_int_t restarts;          /* counted restarts */
	json_int_t sidecar_restarts;  /* restarts of restartable init containers */
	int64_t last_restart;         /* latest lastState.terminated.finishedAt */
	int64_t last_sidecar_restart; /* the same over restartable init containers */
	int ready;                    /* ready containers */
	int total;                    /* containers, sidecars included */
};

/* podutil.IsRestartableInitContainer for the init container named @p name. */
static bool is_sidecar(const json_t *pod, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(kube__jget(pod, "spec.initContainers"), i, c)
		if (name && !strcmp(kube__jstr0(c, "name"), name))
			return !strcmp(kube__jstr0(c, "restartPolicy"), "Always");
	return false;
}

static bool has_condition(const json_t *pod, const char *type)
{
	const json_t *c;
	size_t i;

	json_array_foreach(kube__jget(pod, "status.conditions"), i, c)
		if (!strcmp(kube__jstr0(c, "type"), type))
			return !strcmp(kube__jstr0(c, "status"), "True");
	return false;
}

/* Count a status's restarts and raise *last to its last termination time. */
static void count_restarts(const json_t *cs, json_int_t *restarts, int64_t *last)
{
	const json_t *term = kube__jget(cs, "lastState.terminated");

	*restarts += kube__jint(cs, "restartCount", 0);
	if (term) {
		int64_t t = kube__parse_time(kube__jstr(term, "finishedAt"));
		if (*last < t)
			*last = t;
	}
}

/* The reason of a terminated state without one: "<prefix>Signal:n" or "<prefix>ExitCode:n". */
static void exit_reason(struct pod_summary *p, const char *prefix, const json_t *term)
{
	json_int_t sig = kube__jint(term, "signal", 0);

	if (sig)
		snprintf(p->reason, sizeof(p->reason), "%sSignal:%lld", prefix, (long long)sig);
	else
		snprintf(p->reason, sizeof(p->reason), "%sExitCode:%lld", prefix,
			 (long long)kube__jint(term, "exitCode", 0));
}

/* One init container status; true when it stops the walk (still initializing). */
static bool init_status(struct pod_summary *p, const json_t *cs, size_t i)
{
	const json_t *term = kube__jget(cs, "state.terminated"), *wait = kube__jget(cs, "state.waiting");
	const char *wreason = kube__jstr0(wait, "reason");
	bool sidecar = is_sidecar(p->pod, kube__jstr(cs, "name"));

	count_restarts(cs, &p->restarts, &p->last_restart);
	if (sidecar)
		count_restarts(cs, &p->sidecar_restarts, &p->last_sidecar_restart);
	if (term && kube__jint(term, "exitCode", 0) == 0)
		return false;
	if (sidecar && json_is_true(kube__jget(cs, "started"))) {
		p->ready += json_is_true(kube__jget(cs, "ready"));
		return false;
	}
	if (term && *kube__jstr0(term, "reason"))
		snprintf(p->reason, sizeof(p->reason), "Init:%s", kube__jstr(term, "reason"));
	else if (term)
		exit_reason(p, "Init:", term);
	else if (wait && *wreason && strcmp(wreason, "PodInitializing"))
		snprintf(p->reason, sizeof(p->reason), "Init:%s", wreason);
	else
		snprintf(p->reason, sizeof(p->reason), "Init:%zu/%zu", i,
			 kube__jlen(p->pod, "spec.initContainers"));
	return true;
}

/* One regular container status (walked last to first, so the first wins). */
static bool container_status(struct pod_summary *p, const json_t *cs)
{
	const json_t *term = kube__jget(cs, "state.terminated"), *wait = kube__jget(cs, "state.waiting");

	count_restarts(cs, &p->restarts, &p->last_restart);
	if (wait && *kube__jstr0(wait, "reason"))
		snprintf(p->reason, sizeof(p->reason), "%s", kube__jstr(wait, "reason"));
	else if (term && *kube__jstr0(term, "reason"))
		snprintf(p->reason, sizeof(p->reason), "%s", kube__jstr(term, "reason"));
	else if (term)
		exit_reason(p, "", term);
	else if (json_is_true(kube__jget(cs, "ready")) && kube__jget(cs, "state.running")) {
		p->ready++;
		return true;
	}
	return false;
}

static void walk_containers(struct pod_summary *p)
{
	const json_t *statuses = kube__jget(p->pod, "status.containerStatuses");
	bool running = false;

	p->restarts = p->sidecar_restarts;
	p->last_restart = p->last_sidecar_restart;
	for (size_t i = json_array_size(statuses); i-- > 0;)
		running |= container_status(p, json_array_get(statuses, i));
	/* A pod with a container still running is not Completed. */
	if (running && !strcmp(p->reason, "Completed"))
		snprintf(p->reason, sizeof(p->reason), "%s",
			 has_condition(p->pod, "Ready") ? "Running" : "NotReady");
}

static void initial_reason(struct pod_summary *p)
{
	const char *reason = kube__jstr0(p->pod, "status.reason");
	const json_t *c;
	size_t i;

	snprintf(p->reason, sizeof(p->reason), "%s", *reason ? reason : kube__jstr0(p->pod, "status.phase"));
	json_array_foreach(kube__jget(p->pod, "status.conditions"), i, c)
		if (!strcmp(kube__jstr0(c, "type"), "PodScheduled") &&
		    !strcmp(kube__jstr0(c, "reason"), "SchedulingGated"))
			snprintf(p->reason, sizeof(p->reason), "SchedulingGated");
}

static void count_total(struct pod_summary *p)
{
	const json_t *c;
	size_t i;

	p->total = (int)kube__jlen(p->pod, "spec.containers");
	json_array_foreach(kube__jget(p->pod, "spec.initContainers"), i, c)
		p->total += !strcmp(kube__jstr0(c, "restartPolicy"), "Always");
}

static void summarize(struct pod_summary *p)
{
	const json_t *cs;
	const char *phase = kube__jstr0(p->pod, "status.phase");
	bool initializing = false, deleting = kube__jget(p->pod, "metadata.deletionTimestamp") != NULL;
	size_t i;

	initial_reason(p);
	count_total(p);
	json_array_foreach(kube__jget(p->pod, "status.initContainerStatuses"), i, cs)
		if ((initializing = init_status(p, cs, i)))
			break;
	if (!initializing || has_condition(p->pod, "Initialized"))
		walk_containers(p);
	if (deleting && !strcmp(kube__jstr0(p->pod, "status.reason"), "NodeLost"))
		snprintf(p->reason, sizeof(p->reason), "Unknown");
	else if (deleting && strcmp(phase, "Succeeded") && strcmp(phase, "Failed"))
		snprintf(p->reason, sizeof(p->reason), "Terminating");
}

static int cell_restarts(json_t *cells, const struct pod_summary *p, int64_t now_ms)
{
	char buf[96], age[32];

	if (p->restarts && p->last_restart != KUBE_TIME_ZERO)
		snprintf(buf, sizeof(buf), "%lld (%s ago)", (long long)p->restarts,
			 kube__human_duration(now_ms - p->last_restart, age, sizeof(age)));
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)p->restarts);
	return kube__cell_str(cells, buf);
}

static int cell_readiness_gates(json_t *cells, const json_t *pod)
{
	const json_t *gates = kube__jget(pod, "spec.readinessGates"), *g, *c;
	size_t i, j, n = json_array_size(gates), true_count = 0;
	char buf[48];

	if (!n)
		return kube__cell_str(cells, "<none>");
	json_array_foreach(gates, i, g)
		json_array_foreach(kube__jget(pod, "status.conditions"), j, c)
			if (!strcmp(kube__jstr0(c, "type"), kube__jstr0(g, "conditionType"))) {
				true_count += !strcmp(kube__jstr0(c, "status"), "True");
				break;
			}
	snprintf(buf, sizeof(buf), "%zu/%zu", true_count, n);
	return kube__cell_str(cells, buf);
}

/* First of status.podIPs (what the internal PodIPs holds), else status.podIP. */
static const char *pod_ip(const json_t *pod)
{
	const char *ip = kube__jstr(json_array_get(kube__jget(pod, "status.podIPs"), 0), "ip");

	if (!ip || !*ip)
		ip = kube__jstr(pod, "status.podIP");
	return ip && *ip ? ip : "<none>";
}

static const char *or_none(const char *s)
{
	return s && *s ? s : "<none>";
}

static int pod_row(const json_t *pod, int64_t now_ms, json_t *cells)
{
	struct pod_summary p = { .pod = pod, .last_restart = KUBE_TIME_ZERO,
				 .last_sidecar_restart = KUBE_TIME_ZERO };
	char ready[48];
	int failed;

	summarize(&p);
	snprintf(ready, sizeof(ready), "%d/%d", p.ready, p.total);
	failed = kube__cell_name(cells, pod);
	failed |= kube__cell_str(cells, ready);
	failed |= kube__cell_str(cells, p.reason);
	failed |= cell_restarts(cells, &p, now_ms);
	failed |= kube__cell_age(cells, pod, now_ms);
	failed |= kube__cell_str(cells, pod_ip(pod));
	failed |= kube__cell_str(cells, or_none(kube__jstr(pod, "spec.nodeName")));
	failed |= kube__cell_str(cells, or_none(kube__jstr(pod, "status.nominatedNodeName")));
	failed |= cell_readiness_gates(cells, pod);
	return kube__cells_done(failed);
}

const struct kube_printer kube__printer_pod = KUBE_PRINTER(pod_columns, pod_row);
