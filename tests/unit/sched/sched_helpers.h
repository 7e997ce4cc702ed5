/*
 * Helpers for the scheduler tests: Node and Pod JSON built from short
 * specs, and a one-decision driver.
 */
#ifndef KUBE_TEST_SCHED_HELPERS_H
#define KUBE_TEST_SCHED_HELPERS_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sched/sched.h"

/* Parse JSON text; the test fails on a syntax error. */
static inline json_t *js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	cr_assert(j, "bad test JSON: %s: %s", e.text, text);
	return j;
}

/* A Ready node with allocatable cpu/memory/pods, extra labels (JSON object
 * members, may be ""), and a spec JSON object text (may be "{}"). */
static inline void add_node(struct sched *s, const char *name, const char *cpu, const char *mem,
			    const char *labels, const char *spec)
{
	char buf[4096];
	json_t *n;

	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"kubernetes.io/hostname\":\"%s\"%s%s}},"
		 "\"spec\":%s,\"status\":{\"allocatable\":{\"cpu\":\"%s\",\"memory\":\"%s\",\"pods\":\"110\"}}}",
		 name, name, *labels ? "," : "", labels, spec, cpu, mem);
	n = js(buf);
	cr_assert_eq(sched_node_upsert(s, n), 0);
	json_decref(n);
}

/* A pod with one container requesting cpu/memory ("" for none), labels
 * (members), and extra spec members (may be ""). */
static inline json_t *mkpod(const char *name, const char *cpu, const char *mem,
			    const char *labels, const char *spec)
{
	char buf[8192], req[256] = "";

	if (*cpu || *mem)
		snprintf(req, sizeof(req), "\"resources\":{\"requests\":{%s%s%s%s%s%s%s}}",
			 *cpu ? "\"cpu\":\"" : "", cpu, *cpu ? "\"" : "", *cpu && *mem ? "," : "",
			 *mem ? "\"memory\":\"" : "", mem, *mem ? "\"" : "");
	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"labels\":{%s}},"
		 "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"%s%s}]%s%s}}",
		 name, labels, *req ? "," : "", req, *spec ? "," : "", spec);
	return js(buf);
}

static inline void add_pod(struct sched *s, const char *name, const char *cpu, const char *mem,
			   const char *labels, const char *spec)
{
	json_t *p = mkpod(name, cpu, mem, labels, spec);

	cr_assert_eq(sched_pod_upsert(s, p), 0);
	json_decref(p);
}

/* A pod already bound to @p node. */
static inline void add_bound(struct sched *s, const char *name, const char *node, const char *cpu,
			     const char *mem, const char *labels, const char *spec)
{
	char sp[4096];

	snprintf(sp, sizeof(sp), "\"nodeName\":\"%s\"%s%s", node, *spec ? "," : "", spec);
	add_pod(s, name, cpu, mem, labels, sp);
}

/* Schedule the next pod (a BIND stays assumed, accounted as bound). */
static inline void next(struct sched *s, struct sched_decision *d)
{
	cr_assert_eq(sched_schedule_next(s, d), 1, "expected a decision");
}

static inline struct sched *new_sched(void)
{
	struct sched_config cfg;

	sched_config_default(&cfg);
	cfg.seed = 42;
	return sched_new(&cfg);
}

#endif
