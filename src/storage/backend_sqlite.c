/*
 * The SQLite backend: <dir>/state.db in WAL mode with synchronous=FULL, so a
 * COMMIT that returned survives power loss. Tables:
 *   meta(id=1, rev)                  the revision counter
 *   objects(key, rev, value)         every current object, JSON text
 *   log(rev, type, key, value, prev) the last `window` events
 * A batch writes all three in one transaction and trims the log in it. The
 * WAL is checkpointed with TRUNCATE once it passes WAL_TRUNCATE_PAGES, so
 * neither file grows without bound. The connection holds an exclusive lock
 * for its life: a second store on the same directory fails to open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "libkube/errors.h"
#include "storage/backend.h"

#define WAL_TRUNCATE_PAGES 1024 /* 4 MiB of 4 KiB pages */

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_PUT, ST_DEL, ST_LOG, ST_REV, ST_TRIM, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PUT] = "INSERT OR REPLACE INTO objects(key, rev, value) VALUES (?1, ?2, ?3)",
	[ST_DEL] = "DELETE FROM objects WHERE key = ?1",
	[ST_LOG] = "INSERT INTO log(rev, type, key, value, prev) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_REV] = "UPDATE meta SET rev = ?1 WHERE id = 1",
	[ST_TRIM] = "DELETE FROM log WHERE rev <= ?1",
};

static const char schema_sql[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE IF NOT EXISTS meta(id INTEGER PRIMARY KEY CHECK (id = 1),"
	" rev INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta(id, rev) VALUES (1, 0);"
	"CREATE TABLE IF NOT EXISTS objects(key TEXT PRIMARY KEY, rev INTEGER NOT NULL,"
	" value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS log(rev INTEGER PRIMARY KEY, type INTEGER NOT NULL,"
	" key TEXT NOT NULL, value TEXT NOT NULL, prev TEXT);"
	"COMMIT;";

struct sqlite_backend {
	struct store_backend base;  /* ops */
	sqlite3 *db;                /* the connection */
	sqlite3_stmt *st[ST_COUNT]; /* prepared once */
	int wal_pages;              /* WAL size after the last commit */
};

/* ---- open ---- */

static int on_wal(void *data, sqlite3 *db, const char *name, int pages)
{
	((struct sqlite_backend *)data)->wal_pages = pages;
	return SQLITE_OK;
}

/* fsync @p dir so a newly created database file survives power loss. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	if (fd < 0)
		return -1;
	err = fsync(fd);
	close(fd);
	return err;
}

static int sqlite_setup(struct sqlite_backend *b, const char *dir)
{
	int i;

	/* exclusive before WAL: no shared-memory file, and a lock kept */
	if (sqlite3_exec(b->db, "PRAGMA locking_mode=EXCLUSIVE;"
			 "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=FULL;"
			 "PRAGMA wal_autocheckpoint=0;", NULL, NULL, NULL) != SQLITE_OK)
		return KUBE_EIO;
	if (sqlite3_exec(b->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return KUBE_EIO;
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(b->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &b->st[i], NULL) != SQLITE_OK)
			return KUBE_EIO;
	sqlite3_wal_hook(b->db, on_wal, b);
	return sync_dir(dir) ? KUBE_EIO : 0;
}

static void sqlite_close(struct store_backend *base)
{
	struct sqlite_backend *b = (struct sqlite_backend *)base;
	int i;

	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(b->st[i]);
	/* a clean close checkpoints and removes the WAL */
	sqlite3_close(b->db);
	free(b);
}

/* ---- load ---- */

static int load_rev(struct sqlite_backend *b, int64_t *rev)
{
	sqlite3_stmt *st;
	int err = KUBE_EIO;

	if (sqlite3_prepare_v2(b->db, "SELECT rev FROM meta WHERE id = 1", -1, &st, NULL))
		return KUBE_EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*rev = sqlite3_column_int64(st, 0);
		err = 0;
	}
	sqlite3_finalize(st);
	return err;
}

/* Parse column @p col of @p st (NULL column -> *out NULL). 0 or KUBE_EIO. */
static int column_json(sqlite3_stmt *st, int col, json_t **out)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	*out = text ? json_loads(text, 0, NULL) : NULL;
	return text && !*out ? KUBE_EIO : 0;
}

static int load_objects(struct sqlite_backend *b, const struct store_loader *ld)
{
	sqlite3_stmt *st;
	json_t *obj;
	int err = 0, rc;

	if (sqlite3_prepare_v2(b->db, "SELECT key, value FROM objects", -1, &st, NULL))
		return KUBE_EIO;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = column_json(st, 1, &obj);
		if (!err)
			err = ld->object(ld->data, (const char *)sqlite3_column_text(st, 0), obj);
	}
	if (!err && rc != SQLITE_DONE)
		err = KUBE_EIO;
	sqlite3_finalize(st);
	return err;
}

static int load_log(struct sqlite_backend *b, int64_t after, const struct store_loader *ld)
{
	sqlite3_stmt *st;
	json_t *obj, *prev;
	int err = 0, rc;

	if (sqlite3_prepare_v2(b->db, "SELECT rev, type, key, value, prev FROM log"
			       " WHERE rev > ?1 ORDER BY rev", -1, &st, NULL))
		return KUBE_EIO;
	sqlite3_bind_int64(st, 1, after);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = column_json(st, 3, &obj);
		if (!err && (err = column_json(st, 4, &prev)))
			json_decref(obj);
		if (!err)
			err = ld->event(ld->data, sqlite3_column_int(st, 1),
					sqlite3_column_int64(st, 0),
					(const char *)sqlite3_column_text(st, 2), obj, prev);
	}
	if (!err && rc != SQLITE_DONE)
		err = KUBE_EIO;
	sqlite3_finalize(st);
	return err;
}

static int sqlite_load(struct store_backend *base, uint32_t window, int64_t *rev,
		       const struct store_loader *ld)
{
	struct sqlite_backend *b = (struct sqlite_backend *)base;
	int err = load_rev(b, rev);

	if (!err)
		err = load_objects(b, ld);
	if (!err)
		err = load_log(b, *rev - (int64_t)window, ld);
	return err;
}

/* ---- commit ---- */

/* Run @p st once and reset it; true on success. */
static bool run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE;
}

static bool bind_str(sqlite3_stmt *st, int col, const char *text)
{
	return sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC) == SQLITE_OK;
}

static void reset_all(sqlite3_stmt *const *st, int n)
{
	while (n--) {
		sqlite3_reset(st[n]);
		sqlite3_clear_bindings(st[n]);
	}
}

/* Apply one write inside the open transaction; false on failure. */
static bool write_one(struct sqlite_backend *b, const struct store_write *w)
{
	sqlite3_stmt *put = b->st[ST_PUT], *del = b->st[ST_DEL], *log = b->st[ST_LOG];
	char *value = json_dumps(w->obj, JSON_COMPACT);
	char *prev = w->prev ? json_dumps(w->prev, JSON_COMPACT) : NULL;
	bool ok = value && (prev || !w->prev);

	if (ok && w->type == STORE_DELETED)
		ok = bind_str(del, 1, w->key) && run(del);
	else if (ok)
		ok = bind_str(put, 1, w->key) && sqlite3_bind_int64(put, 2, w->rev) == SQLITE_OK &&
		     bind_str(put, 3, value) && run(put);
	ok = ok && sqlite3_bind_int64(log, 1, w->rev) == SQLITE_OK &&
	     sqlite3_bind_int(log, 2, w->type) == SQLITE_OK && bind_str(log, 3, w->key) &&
	     bind_str(log, 4, value) && (!prev || bind_str(log, 5, prev)) && run(log);
	if (!ok) /* drop the bindings before their strings go */
		reset_all((sqlite3_stmt *const[]){ put, del, log }, 3);
	free(value);
	free(prev);
	return ok;
}

static int sqlite_commit(struct store_backend *base, const struct store_batch_desc *d)
{
	struct sqlite_backend *b = (struct sqlite_backend *)base;
	bool ok = run(b->st[ST_BEGIN]);
	size_t i;

	for (i = 0; ok && i < d->n; i++)
		ok = write_one(b, &d->writes[i]);
	ok = ok && sqlite3_bind_int64(b->st[ST_REV], 1, d->rev) == SQLITE_OK && run(b->st[ST_REV]);
	ok = ok && sqlite3_bind_int64(b->st[ST_TRIM], 1, d->keep_after) == SQLITE_OK &&
	     run(b->st[ST_TRIM]);
	ok = ok && run(b->st[ST_COMMIT]);
	if (!ok) {
		if (!sqlite3_get_autocommit(b->db))
			run(b->st[ST_ROLLBACK]);
		return KUBE_EIO;
	}
	/* durable already; a failed checkpoint only leaves the WAL longer */
	if (b->wal_pages >= WAL_TRUNCATE_PAGES)
		sqlite3_wal_checkpoint_v2(b->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return 0;
}

static const struct store_backend_ops sqlite_ops = {
	.name = "sqlite",
	.blocking = true,
	.load = sqlite_load,
	.commit = sqlite_commit,
	.close = sqlite_close,
};

/* Open <dir>/state.db; see backend.h. */
int store_backend_sqlite_open(struct store_backend **out, const char *dir)
{
	struct sqlite_backend *b;
	char *path = NULL;
	int err = KUBE_EIO;

	*out = NULL;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return KUBE_EIO;
	if (asprintf(&path, "%s/state.db", dir) < 0)
		return KUBE_ENOMEM;
	b = calloc(1, sizeof(*b));
	if (!b) {
		err = KUBE_ENOMEM;
		goto free_path;
	}
	b->base.ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
		err = sqlite_setup(b, dir);
	if (err) {
		sqlite_close(&b->base);
		goto free_path;
	}
	*out = &b->base;
free_path:
	free(path);
	return err;
}
