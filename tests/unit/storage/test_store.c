/* Reads and writes, on both backends. */
#include "store_fixture.h"

STORE_TEST(store, crud)
{
	struct fx f;
	struct ack a = { 0 };
	const json_t *o;

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/pods/default/web", mkobj("web", 1), ack_cb, &a), 0);
	o = store_get(f.s, "/pods/default/web");
	cr_assert_not_null(o, "visible at once, before the commit");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "metadata"),
							   "resourceVersion")), "1");
	cr_assert_eq(a.calls, 0, "acknowledged only after the commit");
	fx_run_until(&f, &a.calls);
	cr_assert_eq(a.err, 0);
	cr_assert_eq(a.rev, 1);

	a.calls = 0;
	cr_assert_eq(store_update(f.s, "/pods/default/web", mkobj("web", 2), 1, ack_cb, &a), 0);
	cr_assert_eq(obj_n(store_get(f.s, "/pods/default/web")), 2);
	fx_run_until(&f, &a.calls);
	cr_assert_eq(a.rev, 2);

	a.calls = 0;
	cr_assert_eq(store_delete(f.s, "/pods/default/web", 2, ack_cb, &a), 0);
	cr_assert_null(store_get(f.s, "/pods/default/web"));
	fx_run_until(&f, &a.calls);
	cr_assert_eq(a.err, 0);
	cr_assert_eq(a.rev, 0, "no object for a delete");
	cr_assert_eq(store_revision(f.s), 3, "a delete takes a revision");
	fx_close(&f);
}

STORE_TEST(store, conflict)
{
	struct fx f;

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/pods/a/x", mkobj("x", 1), NULL, NULL), 0);
	cr_assert_eq(store_update(f.s, "/pods/a/x", mkobj("x", 2), 0, NULL, NULL), 0);
	cr_assert_eq(store_update(f.s, "/pods/a/x", mkobj("x", 3), 1, NULL, NULL), KUBE_ECONFLICT);
	cr_assert_eq(store_delete(f.s, "/pods/a/x", 1, NULL, NULL), KUBE_ECONFLICT);
	cr_assert_eq(obj_n(store_get(f.s, "/pods/a/x")), 2, "a conflict changes nothing");
	cr_assert_eq(store_revision(f.s), 2, "a conflict takes no revision");
	cr_assert_eq(store_update(f.s, "/pods/a/x", mkobj("x", 4), 2, NULL, NULL), 0);
	fx_settle(&f);
	fx_close(&f);
}

STORE_TEST(store, exists)
{
	struct fx f;
	struct ack a = { 0 };

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/pods/a/x", mkobj("x", 1), NULL, NULL), 0);
	cr_assert_eq(store_create(f.s, "/pods/a/x", mkobj("x", 2), ack_cb, &a), KUBE_EEXIST,
		     "in the same turn, before the first is durable");
	fx_settle(&f);
	cr_assert_eq(store_create(f.s, "/pods/a/x", mkobj("x", 3), ack_cb, &a), KUBE_EEXIST);
	cr_assert_eq(a.calls, 0, "no callback for an immediate failure");
	cr_assert_eq(obj_n(store_get(f.s, "/pods/a/x")), 1);
	/* deleted, the key can be created again */
	cr_assert_eq(store_delete(f.s, "/pods/a/x", 0, NULL, NULL), 0);
	cr_assert_eq(store_create(f.s, "/pods/a/x", mkobj("x", 4), NULL, NULL), 0);
	fx_settle(&f);
	cr_assert_eq(obj_n(store_get(f.s, "/pods/a/x")), 4);
	fx_close(&f);
}

STORE_TEST(store, not_found)
{
	struct fx f;

	fx_open(&f, disk, 100);
	cr_assert_null(store_get(f.s, "/pods/a/x"));
	cr_assert_eq(store_update(f.s, "/pods/a/x", mkobj("x", 1), 0, NULL, NULL), KUBE_ENOTFOUND);
	cr_assert_eq(store_delete(f.s, "/pods/a/x", 0, NULL, NULL), KUBE_ENOTFOUND);
	cr_assert_eq(store_create(f.s, "/pods/a/x", mkobj("x", 1), NULL, NULL), 0);
	cr_assert_eq(store_delete(f.s, "/pods/a/x", 0, NULL, NULL), 0);
	cr_assert_eq(store_delete(f.s, "/pods/a/x", 0, NULL, NULL), KUBE_ENOTFOUND);
	cr_assert_eq(store_revision(f.s), 2);
	fx_settle(&f);
	fx_close(&f);
}

struct visit {
	int n;
	char keys[64][64];
	int stop_at;        /* return 7 on this visit (1-based), 0: never */
	kube_store *s;      /* delete each visited key when set */
};

static int visit_cb(const char *key, const json_t *obj, void *data)
{
	struct visit *v = data;

	cr_assert_lt(v->n, 64);
	cr_assert_eq(store_obj_rev(obj) > 0, 1);
	snprintf(v->keys[v->n++], 64, "%s", key);
	if (v->s)
		cr_assert_eq(store_delete(v->s, key, 0, NULL, NULL), 0);
	return v->n == v->stop_at ? 7 : 0;
}

static const char *const shuffled[] = {
	"/pods/kube-system/dns", "/pods/default/web-2", "/services/default/web",
	"/pods/default/web-10", "/pods/default0/x", "/pods/default/api", "/pods/defaul/y",
	"apps/deployments/default/web", "/pods/default/web-1", "/namespaces//default",
};

static void put_shuffled(kube_store *s)
{
	size_t i;

	for (i = 0; i < sizeof(shuffled) / sizeof(shuffled[0]); i++)
		cr_assert_eq(store_create(s, shuffled[i], mkobj("o", (int)i), NULL, NULL), 0);
}

STORE_TEST(store, key_order_and_prefix)
{
	static const char *const want[] = {
		"/pods/default/api", "/pods/default/web-1", "/pods/default/web-10",
		"/pods/default/web-2",
	};
	struct fx f;
	struct visit v = { 0 };
	size_t i;

	fx_open(&f, disk, 100);
	put_shuffled(f.s);
	cr_assert_eq(store_list(f.s, "/pods/default/", visit_cb, &v), 0);
	cr_assert_eq(v.n, 4, "exactly the keys under the prefix");
	for (i = 0; i < 4; i++)
		cr_assert_str_eq(v.keys[i], want[i]);
	cr_assert_eq(store_count(f.s, "/pods/default/"), 4);
	cr_assert_eq(store_count(f.s, "/pods/"), 7);
	cr_assert_eq(store_count(f.s, ""), 10);
	cr_assert_eq(store_count(f.s, "/pods/nothere/"), 0);
	cr_assert_eq(store_count(f.s, "zzz"), 0);

	memset(&v, 0, sizeof(v));
	cr_assert_eq(store_list(f.s, "", visit_cb, &v), 0);
	cr_assert_eq(v.n, 10);
	for (i = 1; i < 10; i++)
		cr_assert_lt(strcmp(v.keys[i - 1], v.keys[i]), 0, "key order");

	memset(&v, 0, sizeof(v));
	v.stop_at = 2;
	cr_assert_eq(store_list(f.s, "/pods/", visit_cb, &v), 7, "the visitor's stop value");
	cr_assert_eq(v.n, 2);
	fx_settle(&f);
	fx_close(&f);
}

STORE_TEST(store, delete_while_listing)
{
	struct fx f;
	struct visit v = { 0 };

	fx_open(&f, disk, 100);
	put_shuffled(f.s);
	v.s = f.s;
	cr_assert_eq(store_list(f.s, "/pods/default/", visit_cb, &v), 0);
	cr_assert_eq(v.n, 4, "every key visited although each was deleted in its visit");
	cr_assert_eq(store_count(f.s, "/pods/default/"), 0);
	cr_assert_eq(store_count(f.s, ""), 6);
	fx_settle(&f);
	fx_close(&f);
}

STORE_TEST(store, revision_monotonic)
{
	struct fx f;
	struct ack a[30] = { 0 };
	char key[32];
	int i;

	fx_open(&f, disk, 100);
	for (i = 0; i < 30; i++) {
		snprintf(key, sizeof(key), "/cm/a/%d", i % 7);
		if (store_get(f.s, key))
			cr_assert_eq(store_update(f.s, key, mkobj("x", i), 0, ack_cb, &a[i]), 0);
		else
			cr_assert_eq(store_create(f.s, key, mkobj("x", i), ack_cb, &a[i]), 0);
		cr_assert_eq(store_revision(f.s), i + 1);
		cr_assert_eq(store_obj_rev(store_get(f.s, key)), i + 1);
		if (i % 5 == 4)
			uv_run(&f.loop, UV_RUN_NOWAIT);
	}
	fx_settle(&f);
	for (i = 0; i < 30; i++)
		cr_assert_eq(a[i].rev, i + 1);
	fx_close(&f);
}

STORE_TEST(store, group_commit_batches)
{
	struct fx f;
	struct store_stats st;
	struct ack a = { 0 };
	char key[32];
	int i;

	fx_open(&f, disk, 100);
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "/cm/a/%03d", i);
		cr_assert_eq(store_create(f.s, key, mkobj("x", i), ack_cb, &a), 0);
	}
	while (a.calls < 200)
		uv_run(&f.loop, UV_RUN_ONCE);
	store_get_stats(f.s, &st);
	cr_assert_eq(st.writes, 200);
	cr_assert_eq(st.commits, 1, "one turn's writes, one transaction");
	fx_close(&f);
}

STORE_TEST(store, flush_acks_synchronously)
{
	struct fx f;
	struct ack a = { 0 }, b = { 0 };

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/cm/a/1", mkobj("x", 1), ack_cb, &a), 0);
	uv_run(&f.loop, UV_RUN_NOWAIT); /* disk: now in flight on the threadpool */
	cr_assert_eq(store_create(f.s, "/cm/a/2", mkobj("x", 2), ack_cb, &b), 0);
	cr_assert_eq(store_flush(f.s), 0);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 1);
	cr_assert_eq(b.rev, 2);
	uv_run(&f.loop, UV_RUN_DEFAULT);
	cr_assert_eq(a.calls, 1, "not acknowledged twice");
	fx_close(&f);
}

STORE_TEST(store, close_flushes_pending)
{
	struct fx f;
	struct ack a = { 0 };

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/cm/a/1", mkobj("x", 1), ack_cb, &a), 0);
	store_close(f.s);
	f.s = NULL;
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(a.err, 0);
	cr_assert_eq(uv_run(&f.loop, UV_RUN_DEFAULT), 0);
	fx_close(&f);
}

STORE_TEST(store, resource_version_of_deleted)
{
	struct fx f;
	json_t *o = json_pack("{s:s}", "kind", "ConfigMap"); /* no metadata at all */

	fx_open(&f, disk, 100);
	cr_assert_eq(store_create(f.s, "/cm/a/1", o, NULL, NULL), 0);
	cr_assert_eq(store_obj_rev(store_get(f.s, "/cm/a/1")), 1, "metadata created");
	cr_assert_eq(store_obj_rev(NULL), 0);
	fx_settle(&f);
	fx_close(&f);
}

/* An update shares with the version before it every equal subtree (history
 * entries need not each hold a full copy), leaving both versions' contents
 * as written and never modifying a container the writer still holds. */
STORE_TEST(store, update_shares_equal_subtrees)
{
	struct fx f;
	json_t *v1, *v2, *held;
	const json_t *old, *cur;

	fx_open(&f, disk, 100);
	v1 = json_pack("{s:{s:s, s:{s:s}}, s:{s:[{s:s}], s:i}, s:{s:s}}", "metadata", "name",
		       "web", "labels", "app", "web", "spec", "containers", "image", "a", "n", 1,
		       "status", "phase", "Pending");
	cr_assert_eq(store_create(f.s, "/pods/default/web", v1, NULL, NULL), 0);
	old = json_incref((json_t *)store_get(f.s, "/pods/default/web"));
	v2 = json_deep_copy(old);
	json_object_set_new(json_object_get(v2, "status"), "phase", json_string("Running"));
	held = json_incref(json_object_get(v2, "spec"));
	json_object_set_new(held, "n", json_integer(2));
	cr_assert_eq(store_update(f.s, "/pods/default/web", v2, 0, NULL, NULL), 0);
	cur = store_get(f.s, "/pods/default/web");
	cr_assert_eq(json_object_get(json_object_get(cur, "metadata"), "labels"),
		     json_object_get(json_object_get(old, "metadata"), "labels"), "equal labels shared");
	cr_assert_eq(json_object_get(cur, "spec"), held, "the writer's spec kept");
	cr_assert_neq(json_object_get(held, "containers"),
		      json_object_get(json_object_get(old, "spec"), "containers"),
		      "a container others hold is not modified");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(old, "metadata"), "resourceVersion")), "1");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(cur, "metadata"), "resourceVersion")), "2");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(old, "status"), "phase")),
			 "Pending");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(old, "spec"), "n")), 1);
	cr_assert_eq(json_integer_value(json_object_get(held, "n")), 2);
	json_decref(held);
	json_decref((json_t *)old);
	fx_settle(&f);
	fx_close(&f);
}
