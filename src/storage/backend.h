/*
 * Store backends: where the store makes its writes durable and what it loads
 * on open. The store keeps current state and recent history in memory; a
 * backend only persists group-committed batches and hands them back at
 * startup. See docs/internals/store.md.
 *
 * A backend is a struct whose first member is `struct store_backend` (its
 * `ops` set by the backend's open function). Adding a backend is adding a
 * file with an ops table and an open function.
 */
#ifndef KUBE_STORAGE_BACKEND_H
#define KUBE_STORAGE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <jansson.h>
#include "storage/store.h"

/* One write of a batch, in revision order. */
struct store_write {
	enum store_event type; /* ADDED/MODIFIED put obj; DELETED removes key */
	int64_t rev;           /* the revision this write took */
	const char *key;       /* the object's key */
	const json_t *obj;     /* object after (DELETED: as it was, rv = rev) */
	const json_t *prev;    /* object before, NULL for ADDED */
};

/* A group commit: every write in one transaction, plus the history trim. */
struct store_batch_desc {
	const struct store_write *writes; /* n writes, revisions ascending */
	size_t n;                         /* how many */
	int64_t rev;                      /* revision after the batch */
	int64_t keep_after;               /* history at or below this may go */
};

/* Receives what a backend loads: each object, then each history event. */
struct store_loader {
	/* An object: @p obj is stolen. Returns 0 or a KUBE_E* code to abort. */
	int (*object)(void *data, const char *key, json_t *obj);
	/* A history event, ascending revisions; @p obj and @p prev stolen. */
	int (*event)(void *data, enum store_event type, int64_t rev, const char *key,
		     json_t *obj, json_t *prev);
	void *data; /* passed to both */
};

struct store_backend;

/* The operations of one backend. */
struct store_backend_ops {
	const char *name; /* "sqlite", "memory" */
	/* commit blocks on I/O: run it on the uv threadpool, not the loop */
	bool blocking;
	/*
	 * Load every object, the revision counter into *rev, and the history
	 * events with revision > *rev - window. Called once, on the loop,
	 * before any commit. Returns 0 or KUBE_EIO/KUBE_ENOMEM.
	 */
	int (*load)(struct store_backend *b, uint32_t window, int64_t *rev,
		    const struct store_loader *ld);
	/*
	 * Make @p batch durable in one transaction: objects, history rows, the
	 * revision, and the trim of history at or below keep_after. Returns 0
	 * only once the transaction is durable; KUBE_EIO (nothing applied) on
	 * failure. Runs on a threadpool thread for blocking backends, with
	 * the store's commit lock held; it may read the batch's json trees,
	 * which nobody modifies while it runs.
	 */
	int (*commit)(struct store_backend *b, const struct store_batch_desc *batch);
	/* Release everything; no call after this one. */
	void (*close)(struct store_backend *b);
};

/* The base of every backend. */
struct store_backend {
	const struct store_backend_ops *ops; /* this backend's operations */
};

/*
 * Open the SQLite backend on <dir>/state.db (WAL, synchronous=FULL),
 * creating @p dir and the schema if missing. Returns 0, or KUBE_EIO with
 * *out NULL.
 */
int store_backend_sqlite_open(struct store_backend **out, const char *dir);

/* Open the in-memory backend (nothing to persist). 0 or KUBE_ENOMEM. */
int store_backend_memory_open(struct store_backend **out);

/*
 * Open a store on an already opened backend, which the store then owns (and
 * closes, also when this fails). Same contract as store_open otherwise.
 */
int store_open_backend(kube_store **out, uv_loop_t *loop, struct store_backend *b,
		       uint32_t window);

#endif
