/*
 * Cluster behaviour across calls: watches, wait, garbage collection,
 * namespace deletion, many threads at once, restart from a data directory,
 * and running on a host-owned loop.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>
#include "libkube/libkube.h"

static kube_cluster *start(const char *dir)
{
	kube_config cfg;
	kube_cluster *c;

	kube_config_init(&cfg);
	cfg.data_dir = dir;
	cr_assert_eq(kube_cluster_new(&c, &cfg), 0);
	cr_assert_eq(kube_cluster_start(c), 0);
	return c;
}

struct events {
	pthread_mutex_t lock;
	char log[8192];
	int n;
};

static void record(const char *type, const char *object, void *data)
{
	struct events *e = data;
	json_t *o = json_loads(object, 0, NULL);
	const char *name = json_string_value(json_object_get(json_object_get(o, "metadata"), "name"));

	pthread_mutex_lock(&e->lock);
	snprintf(e->log + strlen(e->log), sizeof(e->log) - strlen(e->log), "%s:%s ", type, name);
	e->n++;
	pthread_mutex_unlock(&e->lock);
	json_decref(o);
}

static void wait_events(struct events *e, int n)
{
	for (int i = 0; i < 400; i++) {
		pthread_mutex_lock(&e->lock);
		int have = e->n;
		pthread_mutex_unlock(&e->lock);
		if (have >= n)
			return;
		usleep(5000);
	}
}

Test(cluster, watch_in_order_with_selector_transitions)
{
	kube_cluster *c = start(NULL);
	struct events e = { .lock = PTHREAD_MUTEX_INITIALIZER };
	kube_watch *w;

	cr_assert_eq(kube_watch_start(c, "configmaps", "default", "app=web", NULL, NULL, record, &e, &w), 0);
	kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: web}}\n", NULL);
	kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n", NULL);
	kube_apply(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, labels: {app: web}}\n", NULL);
	kube_apply(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", NULL);
	kube_delete(c, "configmaps", "default", "b", KUBE_PROPAGATION_DEFAULT);
	wait_events(&e, 4);
	kube_watch_stop(w);
	cr_assert_str_eq(e.log, "ADDED:a ADDED:b DELETED:a DELETED:b ");
	kube_cluster_free(c);
}

Test(cluster, watch_resume_and_expired)
{
	kube_config cfg;
	kube_cluster *c;
	struct events e = { .lock = PTHREAD_MUTEX_INITIALIZER };
	kube_watch *w;
	char rv[32];

	kube_config_init(&cfg);
	cfg.history_window = 50;
	cr_assert_eq(kube_cluster_new(&c, &cfg), 0);
	cr_assert_eq(kube_cluster_start(c), 0);
	kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n", NULL);
	snprintf(rv, sizeof(rv), "%lld", (long long)kube_cluster_revision(c));
	kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\n", NULL);
	cr_assert_eq(kube_watch_start(c, "cm", NULL, NULL, NULL, rv, record, &e, &w), 0);
	wait_events(&e, 1);
	kube_watch_stop(w);
	cr_assert_str_eq(e.log, "ADDED:second ");
	for (int i = 0; i < 120; i++) {
		char m[128];

		snprintf(m, sizeof(m), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {i: \"%d\"}\n", i);
		cr_assert_eq(kube_apply(c, m, NULL), 0);
	}
	cr_assert_eq(kube_watch_start(c, "cm", NULL, NULL, NULL, rv, record, &e, &w), KUBE_EGONE);
	cr_assert(strstr(kube_last_status(), "\"Expired\""));
	kube_cluster_free(c);
}

Test(cluster, wait_for_condition_and_delete)
{
	kube_cluster *c = start(NULL);

	kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w}\n", NULL);
	cr_assert_eq(kube_wait(c, "cm", NULL, "w", "create", 100), 0);
	cr_assert_eq(kube_wait(c, "cm", NULL, "w", "delete", 50), KUBE_ETIMEDOUT);
	cr_assert_eq(kube_wait(c, "cm", NULL, "w", "jsonpath={.metadata.name}=w", 50), 0);
	kube_delete(c, "cm", NULL, "w", KUBE_PROPAGATION_DEFAULT);
	cr_assert_eq(kube_wait(c, "cm", NULL, "w", "delete", 1000), 0);
	cr_assert_eq(kube_wait(c, "cm", NULL, "w", "bogus", 10), KUBE_EINVAL);
	kube_cluster_free(c);
}

static char *owned_cm(kube_cluster *c, const char *name, const char *owner)
{
	char *out, *m = NULL;
	json_t *o;

	cr_assert_eq(kube_get(c, "cm", NULL, owner, &out), 0);
	o = json_loads(out, 0, NULL);
	kube_free(out);
	cr_assert(asprintf(&m, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"
			   "  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: %s, uid: %s,"
			   " blockOwnerDeletion: true}\n", name, owner,
			   json_string_value(json_object_get(json_object_get(o, "metadata"), "uid"))) > 0);
	json_decref(o);
	return m;
}

static void make_family(kube_cluster *c)
{
	char *m;

	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner}\n", NULL), 0);
	m = owned_cm(c, "child", "owner");
	cr_assert_eq(kube_create(c, m, NULL), 0, "%s", kube_last_status());
	free(m);
	m = owned_cm(c, "grandchild", "child");
	cr_assert_eq(kube_create(c, m, NULL), 0);
	free(m);
}

Test(cluster, gc_background_cascade)
{
	kube_cluster *c = start(NULL);

	make_family(c);
	cr_assert_eq(kube_delete(c, "cm", NULL, "owner", KUBE_PROPAGATION_BACKGROUND), 0);
	cr_assert_eq(kube_wait(c, "cm", NULL, "child", "delete", 2000), 0);
	cr_assert_eq(kube_wait(c, "cm", NULL, "grandchild", "delete", 2000), 0);
	kube_cluster_free(c);
}

Test(cluster, gc_foreground_deletes_dependents_first)
{
	kube_cluster *c = start(NULL);
	char *out;

	make_family(c);
	cr_assert_eq(kube_delete(c, "cm", NULL, "owner", KUBE_PROPAGATION_FOREGROUND), 0);
	if (kube_get(c, "cm", NULL, "owner", &out) == 0) {
		cr_assert(strstr(out, "foregroundDeletion"));
		cr_assert(strstr(out, "deletionTimestamp"));
		kube_free(out);
	}
	cr_assert_eq(kube_wait(c, "cm", NULL, "owner", "delete", 2000), 0);
	cr_assert_eq(kube_get(c, "cm", NULL, "child", &out), KUBE_ENOTFOUND);
	cr_assert_eq(kube_get(c, "cm", NULL, "grandchild", &out), KUBE_ENOTFOUND);
	kube_cluster_free(c);
}

Test(cluster, gc_orphan_keeps_dependents)
{
	kube_cluster *c = start(NULL);
	char *out;

	make_family(c);
	cr_assert_eq(kube_delete(c, "cm", NULL, "owner", KUBE_PROPAGATION_ORPHAN), 0);
	cr_assert_eq(kube_wait(c, "cm", NULL, "owner", "delete", 2000), 0);
	cr_assert_eq(kube_get(c, "cm", NULL, "child", &out), 0);
	cr_assert_null(strstr(out, "ownerReferences"), "%s", out);
	kube_free(out);
	cr_assert_eq(kube_get(c, "cm", NULL, "grandchild", &out), 0);
	kube_free(out);
	kube_cluster_free(c);
}

Test(cluster, namespace_deletion_removes_contents)
{
	kube_cluster *c = start(NULL);
	char *out;

	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: gone}\n---\n"
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: gone}\n---\n"
				"apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: gone}\n", NULL), 0,
		     "%s", kube_last_status());
	cr_assert_eq(kube_delete(c, "ns", NULL, "gone", KUBE_PROPAGATION_DEFAULT), 0);
	cr_assert_eq(kube_wait(c, "ns", NULL, "gone", "delete", 3000), 0);
	cr_assert_eq(kube_get(c, "cm", "gone", "a", &out), KUBE_ENOTFOUND);
	cr_assert_eq(kube_get(c, "secret", "gone", "s", &out), KUBE_ENOTFOUND);
	kube_cluster_free(c);
}

Test(cluster, terminating_namespace_refuses_new_content)
{
	kube_cluster *c = start(NULL);

	cr_assert_eq(kube_apply(c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n---\n"
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: t, "
				"finalizers: [example.com/hold]}\n", NULL), 0, "%s", kube_last_status());
	cr_assert_eq(kube_delete(c, "ns", NULL, "t", KUBE_PROPAGATION_DEFAULT), 0);
	cr_assert_eq(kube_wait(c, "ns", NULL, "t", "jsonpath={.status.phase}=Terminating", 2000), 0);
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new, namespace: t}\n",
				 NULL), KUBE_EFORBIDDEN);
	cr_assert(strstr(kube_last_status(), "because it is being terminated"));
	kube_cluster_free(c);
}

struct writer {
	kube_cluster *c;
	int id;
	int ok;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char m[256], *out;

	for (int i = 0; i < 50; i++) {
		snprintf(m, sizeof(m), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t%d-%d}\n", w->id, i);
		if (kube_create(w->c, m, NULL) == 0)
			w->ok++;
		snprintf(m, sizeof(m), "t%d-%d", w->id, i);
		if (kube_get(w->c, "cm", NULL, m, &out) == 0)
			kube_free(out);
		else
			w->ok = -1000;
	}
	return NULL;
}

Test(cluster, many_threads_at_once)
{
	kube_cluster *c = start(NULL);
	struct writer w[8];
	pthread_t t[8];
	char *out;
	json_t *l;

	for (int i = 0; i < 8; i++) {
		w[i] = (struct writer){ .c = c, .id = i };
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].ok, 50);
	}
	cr_assert_eq(kube_list(c, "cm", NULL, NULL, NULL, &out), 0);
	l = json_loads(out, 0, NULL);
	cr_assert_eq(json_array_size(json_object_get(l, "items")), 400);
	json_decref(l);
	kube_free(out);
	kube_cluster_free(c);
}

Test(cluster, restart_restores_objects_and_revision)
{
	char dir[] = "/tmp/libkube-test-XXXXXX", cmd[128];
	kube_cluster *c;
	int64_t rev;
	char *out;

	cr_assert_not_null(mkdtemp(dir));
	c = start(dir);
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata: {a: b}\n", NULL), 0);
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: drop}\n", NULL), 0);
	cr_assert_eq(kube_delete(c, "cm", NULL, "drop", KUBE_PROPAGATION_DEFAULT), 0);
	rev = kube_cluster_revision(c);
	kube_cluster_free(c);
	c = start(dir);
	cr_assert_geq(kube_cluster_revision(c), rev);
	cr_assert_eq(kube_get(c, "cm", NULL, "keep", &out), 0);
	cr_assert(strstr(out, "\"a\":\"b\""));
	kube_free(out);
	cr_assert_eq(kube_get(c, "cm", NULL, "drop", &out), KUBE_ENOTFOUND);
	cr_assert_eq(kube_create(c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n", NULL), 0);
	cr_assert_gt(kube_cluster_revision(c), rev);
	kube_cluster_free(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

struct host_ctx {
	kube_cluster *c;
	int created;
};

static void host_timer(uv_timer_t *t)
{
	struct host_ctx *h = t->data;

	/* on the host's loop: calls run directly */
	h->created = kube_create(h->c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: host}\n", NULL) == 0;
	kube_cluster_stop(h->c);
	uv_close((uv_handle_t *)t, NULL);
}

Test(cluster, runs_on_a_host_loop)
{
	uv_loop_t loop;
	uv_timer_t t;
	kube_config cfg;
	struct host_ctx h = { 0 };

	uv_loop_init(&loop);
	kube_config_init(&cfg);
	cfg.loop = &loop;
	cr_assert_eq(kube_cluster_new(&h.c, &cfg), 0);
	cr_assert_eq(kube_cluster_start(h.c), 0);
	uv_timer_init(&loop, &t);
	t.data = &h;
	uv_timer_start(&t, host_timer, 1, 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert(h.created);
	cr_assert_eq(uv_loop_close(&loop), 0, "the cluster left handles open");
	kube_cluster_free(h.c);
}

Test(cluster, calls_after_stop_fail_cleanly)
{
	kube_cluster *c = start(NULL);
	char *out;

	kube_cluster_stop(c);
	cr_assert_eq(kube_get(c, "ns", NULL, "default", &out), KUBE_ESTOPPED);
	kube_cluster_free(c);
}
