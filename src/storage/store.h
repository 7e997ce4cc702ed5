/*
 * The object store: current state in memory, every write durable through a
 * backend, one global revision, watches with a bounded history window.
 * Runs entirely on the cluster loop; see docs/internals/store.md.
 *
 * Keys are "<group>/<resource>/<namespace>/<name>" ("/pods/default/web",
 * "apps/deployments/default/web", "/namespaces//default"); lists and watches
 * take a key prefix ("/pods/" or "/pods/default/"), and return objects in key
 * order (as etcd does).
 *
 * Objects are jansson trees. The store owns what it holds: callers get
 * borrowed references they must not modify (copy with json_deep_copy first).
 */
#ifndef KUBE_STORAGE_STORE_H
#define KUBE_STORAGE_STORE_H

#include <stdint.h>
#include <stdbool.h>
#include <uv.h>
#include <jansson.h>

struct store_backend;

typedef struct kube_store kube_store;
/* A watch. A struct tag only: a typedef would clash with store_watch(). */
struct store_watch;

/* Watch event types. */
enum store_event { STORE_ADDED = 1, STORE_MODIFIED, STORE_DELETED };

/*
 * Open a store on @p loop. @p path is a data directory for the SQLite backend
 * (created if missing) or NULL for the in-memory backend. Loads every object
 * and the revision counter (and the retained history) from the backend.
 * @p window: how many revisions of history watches can resume from.
 * Returns 0 or KUBE_EIO with *out NULL.
 */
int store_open(kube_store **out, uv_loop_t *loop, const char *path, uint32_t window);

/* Commit what is pending (synchronously, on this thread), end every watch and
 * close the backend. Every write acknowledged before is durable. */
void store_close(kube_store *s);

/* The newest revision. */
int64_t store_revision(const kube_store *s);

/* The oldest revision a watch can start after (older -> KUBE_EGONE). */
int64_t store_oldest(const kube_store *s);

/* The object at @p key (borrowed), or NULL. */
const json_t *store_get(const kube_store *s, const char *key);

/* Visit objects whose key starts with @p prefix, in key order. Stops early
 * when @p fn returns non-zero and returns that value; else 0. */
typedef int (*store_visit_fn)(const char *key, const json_t *obj, void *data);
int store_list(const kube_store *s, const char *prefix, store_visit_fn fn, void *data);

/* How many objects have keys starting with @p prefix. */
size_t store_count(const kube_store *s, const char *prefix);

/*
 * Called on the loop once a write is durable (or failed).
 * @p err 0 or a negative KUBE_E* code; @p obj the object as stored (borrowed,
 * NULL on failure or delete), with metadata.resourceVersion set.
 */
typedef void (*store_done_cb)(int err, const json_t *obj, void *data);

/*
 * Writes. Each takes the next revision at once, updates the in-memory state
 * at once (so later writes in the same turn see it), sets
 * metadata.resourceVersion on the object, and calls @p cb after the group
 * commit that holds it is durable; watchers get the event then too.
 * @p obj is stolen (the store takes the reference) even on failure.
 * Immediate failures are returned and @p cb is not called:
 *   create: KUBE_EEXIST if the key exists;
 *   update: KUBE_ENOTFOUND if absent, KUBE_ECONFLICT if expect_rev != 0 and
 *           differs from the stored object's revision;
 *   delete: KUBE_ENOTFOUND, KUBE_ECONFLICT likewise.
 * @p cb may be NULL.
 */
int store_create(kube_store *s, const char *key, json_t *obj, store_done_cb cb, void *data);
int store_update(kube_store *s, const char *key, json_t *obj, int64_t expect_rev,
		 store_done_cb cb, void *data);
int store_delete(kube_store *s, const char *key, int64_t expect_rev,
		 store_done_cb cb, void *data);

/* The revision of a stored object (its resourceVersion as a number). */
int64_t store_obj_rev(const json_t *obj);

/*
 * Called on the loop for each event after @p from_rev in revision order.
 * @p obj the object after the change (for DELETED: the object as it was,
 * with resourceVersion set to the deletion's revision); @p prev the object
 * before (NULL for ADDED). Both borrowed. The callback may write to the store
 * and may cancel any watch, including its own.
 */
typedef void (*store_watch_cb)(enum store_event type, int64_t rev, const char *key,
			       const json_t *obj, const json_t *prev, void *data);

/*
 * Watch keys under @p prefix for every change after @p from_rev
 * (0 = from now). Events from the history window are delivered on the next
 * loop turn, then live ones as commits complete. KUBE_EGONE if @p from_rev
 * is older than store_oldest(); the watch is never left half-started.
 */
int store_watch(kube_store *s, const char *prefix, int64_t from_rev,
		store_watch_cb cb, void *data, struct store_watch **out);

/* End a watch: no callback after this returns. */
void store_watch_cancel(struct store_watch *w);

/* Commit what is pending now, synchronously, then deliver its callbacks
 * and events (used when a blocking C API call runs on the loop itself). */
int store_flush(kube_store *s);

/* Stats for benchmarks and tests. */
struct store_stats {
	uint64_t commits;     /* backend transactions */
	uint64_t writes;      /* writes committed */
	uint64_t compactions; /* history trims */
};
void store_get_stats(const kube_store *s, struct store_stats *st);

#endif
