/*
 * The cluster clock and its timers. Every timeout, backoff and schedule in
 * libkube reads kube__now_ms() and waits with these timers, so a test that
 * replaces the clock (kube_cluster_set_clock / kube_cluster_advance_clock)
 * runs five-minute behaviours in milliseconds.
 *
 * With the real clock a timer is a uv_timer. With a manual clock, timers
 * fire only when the clock is advanced past their due time, in due order.
 */
#ifndef KUBE_CORE_CLOCK_H
#define KUBE_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "core/cluster_internal.h"

struct kube_timer;
typedef void (*kube_timer_cb)(struct kube_timer *t, void *data);

/* A one-shot timer on the cluster clock. Embed it or allocate it; it must
 * stay valid until it fired or was stopped. */
struct kube_timer {
	kube_cluster *c;          /* whose clock */
	int64_t due;              /* cluster time (ms) it fires at */
	kube_timer_cb cb;         /* called once when due */
	void *data;               /* cb's argument */
	bool armed;               /* started and not yet fired or stopped */
	uv_timer_t *uv;           /* the real-clock handle, or NULL */
	struct kube_timer *next;  /* manual-clock list, sorted by due */
};

/* (Re)arm @p t to fire after @p delay_ms of cluster time. Runs on the loop. */
void kube__timer_start(kube_cluster *c, struct kube_timer *t, int64_t delay_ms,
		       kube_timer_cb cb, void *data);

/* Disarm; no callback after this. Safe on a timer never started. */
void kube__timer_stop(struct kube_timer *t);

/* Release what the timer holds (its uv handle closes asynchronously). */
void kube__timer_release(struct kube_timer *t);

/* Manual clock: fire every timer due at or before the current time. */
void kube__timers_run_due(kube_cluster *c);

#endif
