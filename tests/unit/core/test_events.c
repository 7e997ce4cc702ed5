/*
 * The event recorder: deduplication into one Event with a count, the
 * per-object rate limit, and a new series after the dedup window.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/events.h"
#include "core/ops.h"

static kube_cluster *c;
static const int64_t T0 = 1800000000000;

static void setup(void)
{
	cr_assert_eq(kube_cluster_new(&c, NULL), 0);
	kube_cluster_use_manual_clock(c, T0);
	cr_assert_eq(kube_cluster_start(c), 0);
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: about}\n", NULL), 0);
}

static void teardown(void)
{
	kube_cluster_free(c);
}

TestSuite(events, .init = setup, .fini = teardown);

struct record_call {
	struct kube_call call;
	int times;
	const char *reason;
};

/* Record on the loop, as components do. */
static void record_run(struct kube_call *call)
{
	struct record_call *r = (struct record_call *)call;
	const json_t *cm = kube__op_get(call->c, kube__registry_find("configmaps"), "default",
					"about", NULL);

	for (int i = 0; i < r->times; i++)
		kube__event(call->c, cm, "test-controller", NULL, "Normal", r->reason,
			    "something happened");
	kube__call_finish(call, 0, NULL);
}

static void record(int times, const char *reason)
{
	struct record_call r = { .call.run = record_run, .times = times, .reason = reason };

	cr_assert_eq(kube__call(c, &r.call), 0);
}

static json_t *events(void)
{
	char *out;
	json_t *l;

	cr_assert_eq(kube_list(c, "events", "default", NULL, "involvedObject.name=about", &out), 0);
	l = json_loads(out, 0, NULL);
	kube_free(out);
	return l;
}

Test(events, same_event_is_one_with_a_count)
{
	json_t *l, *ev;

	record(3, "Happened");
	l = events();
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 1);
	ev = json_array_get(json_object_get(l, "items"), 0);
	cr_assert_eq(json_integer_value(json_object_get(ev, "count")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "reason")), "Happened");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "involvedObject"), "kind")),
			 "ConfigMap");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "source"), "component")),
			 "test-controller");
	json_decref(l);
}

Test(events, spam_is_limited_per_object)
{
	json_t *l;
	json_int_t total = 0;
	json_t *ev;
	size_t i;

	/* 40 different reasons: a burst of 25, then one per 5 minutes */
	for (int i = 0; i < 40; i++) {
		char reason[16];

		snprintf(reason, sizeof(reason), "R%d", i);
		record(1, reason);
	}
	l = events();
	json_array_foreach(json_object_get(l, "items"), i, ev)
		total += json_integer_value(json_object_get(ev, "count"));
	cr_assert_eq(total, 25);
	json_decref(l);
	cr_assert_eq(kube_cluster_advance_clock(c, 5 * 60 * 1000), 0);
	record(1, "Later");
	l = events();
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 26);
	json_decref(l);
}

Test(events, a_new_series_after_the_window)
{
	json_t *l;

	record(1, "Again");
	cr_assert_eq(kube_cluster_advance_clock(c, 11 * 60 * 1000), 0);
	record(1, "Again");
	l = events();
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 2);
	json_decref(l);
}

struct many_call {
	struct kube_call call;
	size_t dedup_size;
};

/* 200 objects x 25 events each, all on the loop; report the dedup table size. */
static void many_run(struct kube_call *call)
{
	struct many_call *m = (struct many_call *)call;
	const struct kube_kind *cm = kube__registry_find("configmaps");
	const json_t *about = kube__op_get(call->c, cm, "default", "about", NULL);

	for (int o = 0; o < 200; o++) {
		json_t *obj = json_deep_copy(about);
		char uid[16];

		snprintf(uid, sizeof(uid), "uid-%d", o);
		json_object_set_new(json_object_get(obj, "metadata"), "uid", json_string(uid));
		for (int i = 0; i < 25; i++)
			kube__event(call->c, obj, "test-controller", NULL, "Normal", "Many",
				    "message %d", i);
		json_decref(obj);
	}
	m->dedup_size = json_object_size(json_object_get(call->c->events, "dedup"));
	kube__call_finish(call, 0, NULL);
}

static void dedup_size_run(struct kube_call *call)
{
	struct many_call *m = (struct many_call *)call;

	m->dedup_size = json_object_size(json_object_get(call->c->events, "dedup"));
	kube__call_finish(call, 0, NULL);
}

Test(events, old_series_are_forgotten)
{
	struct many_call m = { .call.run = many_run };

	cr_assert_eq(kube__call(c, &m.call), 0);
	cr_assert_geq(m.dedup_size, 4096, "dedup entries %zu", m.dedup_size);
	cr_assert_eq(kube_cluster_advance_clock(c, 11 * 60 * 1000), 0);
	record(1, "Fresh");
	m.call.run = dedup_size_run;
	cr_assert_eq(kube__call(c, &m.call), 0);
	cr_assert_eq(m.dedup_size, 1, "dedup entries %zu after the window", m.dedup_size);
}
