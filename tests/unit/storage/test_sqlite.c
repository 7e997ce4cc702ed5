/* The SQLite backend: restart, compaction, exclusive use of a directory. */
#include <sqlite3.h>
#include <sys/stat.h>
#include "store_fixture.h"

static off_t file_size(const char *dir, const char *name)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) ? 0 : st.st_size;
}

static void put(kube_store *s, const char *key, int n)
{
	if (store_get(s, key))
		cr_assert_eq(store_update(s, key, mkobj("x", n), 0, NULL, NULL), 0);
	else
		cr_assert_eq(store_create(s, key, mkobj("x", n), NULL, NULL), 0);
}

Test(sqlite, restart_restores_objects_revision_and_window)
{
	struct fx f;
	struct evlog *l = calloc(1, sizeof(*l));
	struct store_watch *w;
	char key[32];
	int i;

	fx_open(&f, true, 20);
	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "/cm/a/%02d", i % 10);
		put(f.s, key, i);
		if (i % 7 == 0)
			fx_settle(&f);
	}
	cr_assert_eq(store_delete(f.s, "/cm/a/03", 0, NULL, NULL), 0);
	fx_settle(&f);
	cr_assert_eq(store_revision(f.s), 51);

	fx_reopen(&f, 20);
	cr_assert_eq(store_revision(f.s), 51, "the revision counter survives");
	cr_assert_eq(store_count(f.s, "/cm/"), 9);
	cr_assert_null(store_get(f.s, "/cm/a/03"));
	cr_assert_eq(obj_n(store_get(f.s, "/cm/a/09")), 49);
	cr_assert_eq(store_obj_rev(store_get(f.s, "/cm/a/09")), 50);
	cr_assert_eq(store_oldest(f.s), 31, "the history window survives");
	cr_assert_eq(store_watch(f.s, "/cm/", 31, evlog_cb, l, &w), 0);
	uv_run(&f.loop, UV_RUN_NOWAIT);
	cr_assert_eq(l->n, 20);
	cr_assert_eq(l->rev[0], 32);
	cr_assert_eq(l->type[19], STORE_DELETED);
	cr_assert_eq(l->obj_rev[19], 51);
	cr_assert_eq(l->prev_rev[19], 44, "prev restored too");
	cr_assert_eq(l->prev_rev[0], 22);

	put(f.s, "/cm/a/new", 1);
	cr_assert_eq(store_revision(f.s), 52, "never reused");
	fx_settle(&f);
	cr_assert_eq(l->n, 21);
	fx_close(&f);
	free(l);
}

Test(sqlite, revision_survives_deleting_everything)
{
	struct fx f;

	fx_open(&f, true, 10);
	put(f.s, "/cm/a/x", 1);
	cr_assert_eq(store_delete(f.s, "/cm/a/x", 0, NULL, NULL), 0);
	fx_settle(&f);
	fx_reopen(&f, 10);
	cr_assert_eq(store_revision(f.s), 2);
	cr_assert_eq(store_count(f.s, ""), 0);
	fx_close(&f);
}

Test(sqlite, second_open_of_a_directory_fails)
{
	struct fx f;
	kube_store *s2 = (kube_store *)&f;

	fx_open(&f, true, 10);
	put(f.s, "/cm/a/x", 1);
	fx_settle(&f);
	cr_assert_eq(store_open(&s2, &f.loop, f.dir, 10), KUBE_EIO);
	cr_assert_null(s2);
	fx_close(&f);
}

static int log_rows(const char *dir)
{
	char p[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(p, sizeof(p), "%s/state.db", dir);
	cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

Test(sqlite, compaction_bounds_the_files, .timeout = 240)
{
	struct fx f;
	struct store_stats st;
	off_t db_max = 0, wal_max = 0, sz;
	char key[32];
	int i;

	fx_open(&f, true, 1000);
	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "/cm/a/%d", i % 10);
		put(f.s, key, i);
		if (i % 100 == 99) { /* 100 writes per turn */
			fx_settle(&f);
			sz = file_size(f.dir, "state.db");
			db_max = sz > db_max ? sz : db_max;
			sz = file_size(f.dir, "state.db-wal");
			wal_max = sz > wal_max ? sz : wal_max;
		}
	}
	store_get_stats(f.s, &st);
	cr_assert_eq(st.writes, 50000);
	cr_assert_gt(st.compactions, 0);
	cr_assert_lt(db_max, 1 << 20, "db grew to %lld bytes", (long long)db_max);
	cr_assert_lt(wal_max, 8 << 20, "wal grew to %lld bytes", (long long)wal_max);
	fx_close_store(&f);
	cr_assert_eq(log_rows(f.dir), 1000, "the log holds exactly the window");
	fx_close(&f);
}
