/*
 * The store's private state, shared by store.c (reads and writes), index.c
 * (the key index), commit.c (group commit) and watch.c (history and
 * watches). Everything here runs on the loop thread except where a field
 * says otherwise. See docs/internals/store.md.
 */
#ifndef KUBE_STORAGE_STORE_INT_H
#define KUBE_STORAGE_STORE_INT_H

#include "storage/store.h"
#include "storage/backend.h"

/* ---- key index: hash map for get, skiplist for ordered prefix scans ---- */

#define STORE_SKIP_MAX 24 /* levels; p = 1/4 covers 4^24 keys */

/* One current object. */
struct store_node {
	struct store_node *hnext; /* hash chain; the graveyard link once removed */
	json_t *obj;              /* the object (one reference held) */
	uint32_t hash;            /* FNV-1a of key */
	uint8_t level;            /* forward pointers in next[] */
	bool dead;                /* removed; freed when no visit is running */
	char *key;                /* points into this allocation, after next[] */
	struct store_node *next[]; /* skiplist successors, level of them */
};

/* Every current object by key. */
struct store_index {
	struct store_node **buckets;            /* hash buckets, a power of two */
	size_t mask;                            /* buckets - 1 */
	size_t count;                           /* live nodes */
	struct store_node *head[STORE_SKIP_MAX]; /* first node of each level */
	int level;                              /* levels in use */
	uint64_t rng;                           /* xorshift state for levels */
	struct store_node *grave;               /* removed during a visit */
	unsigned visiting;                      /* store_list calls running */
};

int store__index_init(struct store_index *ix);
void store__index_free(struct store_index *ix);
struct store_node *store__index_get(const struct store_index *ix, const char *key);
int store__index_put(struct store_index *ix, const char *key, json_t *obj);
json_t *store__index_take(struct store_index *ix, const char *key);
struct store_node *store__index_seek(const struct store_index *ix, const char *prefix);
void store__index_reap(struct store_index *ix);

/* ---- history ---- */

/* One committed event. */
struct store_event_rec {
	enum store_event type; /* what happened */
	int64_t rev;           /* its revision */
	char *key;             /* owned */
	json_t *obj;           /* after (DELETED: as it was, rv = rev); a reference */
	json_t *prev;          /* before, NULL for ADDED; a reference */
};

/* Committed events, contiguous revisions, oldest first (a circular buffer). */
struct store_ring {
	struct store_event_rec *ev; /* cap slots */
	size_t cap;                 /* a power of two, or 0 */
	size_t head;                /* slot of the oldest event */
	size_t n;                   /* events held */
};

/* ---- group commit ---- */

/* One write waiting for its commit. */
struct store_rec {
	struct store_event_rec ev; /* the event it becomes */
	store_done_cb cb;          /* acknowledgement, may be NULL */
	void *data;                /* for cb */
};

/* Writes committed in one backend transaction. */
struct store_batch {
	uv_work_t req;          /* the threadpool job (blocking backends) */
	kube_store *s;          /* owner */
	struct store_rec *recs; /* n writes, ascending revisions */
	size_t n, cap;          /* used and allocated recs */
	int err;                /* commit result; under s->lock until done */
	bool done;              /* committed (or failed); under s->lock */
	bool completed;         /* callbacks and events delivered (loop) */
};

/* A watch (store_watch in store.h). */
struct store_watch {
	kube_store *s;              /* owner */
	struct store_watch *prev;   /* in s->watches */
	struct store_watch *next;   /* in s->watches */
	char *prefix;               /* keys watched */
	size_t plen;                /* strlen(prefix) */
	int64_t cursor;             /* last revision delivered or skipped */
	store_watch_cb cb;          /* events */
	void *data;                 /* for cb */
	bool starting;              /* history waits for the next loop turn */
	bool cancelled;             /* no more callbacks; freed after dispatch */
};

struct kube_store {
	uv_loop_t *loop;                /* the loop everything runs on */
	struct store_backend *backend;  /* persistence; NULL once closed */
	uint32_t window;                /* revisions of history kept */
	int64_t rev;                    /* last revision handed out */
	int64_t committed;              /* last revision durable */
	int failed;                     /* 0, or the error that stopped writes */
	bool closed;                    /* store_close ran */
	struct store_index ix;          /* current objects, committed or not */
	struct store_batch *pending;    /* writes for the next commit, or NULL */
	struct store_batch *inflight;   /* the commit on the threadpool, or NULL */
	size_t outstanding;             /* writes not yet completed */
	uv_mutex_t lock;                /* one backend transaction at a time */
	uv_check_t check;               /* cuts the batch at the end of a turn */
	uv_idle_t idle;                 /* keeps that turn from blocking in poll */
	bool kicked;                    /* check and idle are started */
	unsigned refs;                  /* store + closing handles + inflight */
	struct store_ring ring;         /* committed history */
	struct store_watch *watch_head; /* watches, oldest first */
	struct store_watch *watch_tail; /* last watch */
	bool dispatching;               /* store__dispatch is running */
	bool redispatch;                /* new events arrived during dispatch */
	bool watch_starting;            /* some watch waits for its history */
	struct store_stats stats;       /* counters */
};

/* commit.c */
struct store_rec *store__rec_new(kube_store *s);
void store__rec_drop(kube_store *s);
void store__kick(kube_store *s);
void store__unref(kube_store *s);

/* watch.c */
int store__ring_reserve(kube_store *s, size_t extra);
void store__ring_push(kube_store *s, struct store_event_rec *ev);
int store__ring_load(kube_store *s, const struct store_event_rec *ev);
void store__ring_free(kube_store *s);
void store__dispatch(kube_store *s);
void store__watches_start(kube_store *s);
void store__watches_end(kube_store *s);

#endif
