/*
 * The store's front: open and close, reads served from the in-memory index,
 * and writes that check, take a revision and update memory at once, leaving
 * durability to the group commit (commit.c) and events to watch.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "libkube/errors.h"
#include "storage/store_int.h"

/* ---- open and close ---- */

static int load_object(void *data, const char *key, json_t *obj)
{
	kube_store *s = data;
	int err = store__index_put(&s->ix, key, obj);

	if (err)
		json_decref(obj);
	return err;
}

static int load_event(void *data, enum store_event type, int64_t rev, const char *key,
		      json_t *obj, json_t *prev)
{
	struct store_event_rec ev = { type, rev, (char *)key, obj, prev };
	int err = store__ring_load(data, &ev);

	json_decref(obj);
	json_decref(prev);
	return err;
}

static int store_load(kube_store *s)
{
	struct store_loader ld = { load_object, load_event, s };
	const struct store_ring *r = &s->ring;
	int err = s->backend->ops->load(s->backend, s->window, &s->rev, &ld);

	s->committed = s->rev;
	/* the history must end at the revision, or watches would skip events */
	if (!err && r->n && r->ev[(r->head + r->n - 1) & (r->cap - 1)].rev != s->rev)
		err = KUBE_EIO;
	return err;
}

static void store_free_state(kube_store *s)
{
	store__ring_free(s);
	store__index_free(&s->ix);
}

/* Open a store on backend @p b (owned from now on). See store_open. */
int store_open_backend(kube_store **out, uv_loop_t *loop, struct store_backend *b,
		       uint32_t window)
{
	kube_store *s = calloc(1, sizeof(*s));
	int err = KUBE_ENOMEM;

	*out = NULL;
	if (!s)
		goto close_backend;
	s->loop = loop;
	s->backend = b;
	s->window = window;
	s->refs = 1;
	if (store__index_init(&s->ix))
		goto free_store;
	err = store_load(s);
	if (err)
		goto free_state;
	if (uv_mutex_init(&s->lock)) {
		err = KUBE_EIO;
		goto free_state;
	}
	uv_check_init(loop, &s->check);
	uv_idle_init(loop, &s->idle);
	s->check.data = s;
	s->idle.data = s;
	*out = s;
	return 0;

free_state:
	store_free_state(s);
free_store:
	free(s);
close_backend:
	b->ops->close(b);
	return err;
}

/* Open a store on @p path (SQLite) or in memory (NULL). See store.h. */
int store_open(kube_store **out, uv_loop_t *loop, const char *path, uint32_t window)
{
	struct store_backend *b;
	int err;

	*out = NULL;
	err = path ? store_backend_sqlite_open(&b, path) : store_backend_memory_open(&b);
	if (err)
		return err == KUBE_ENOMEM ? err : KUBE_EIO;
	return store_open_backend(out, loop, b, window);
}

static void on_handle_closed(uv_handle_t *h)
{
	store__unref(h->data);
}

/* Flush, end the watches, close the backend; the rest of the store is freed
 * when its handles have closed (run the loop). */
void store_close(kube_store *s)
{
	if (!s || s->closed)
		return;
	/* a write callback may write again (an Event about what it did): keep
	 * committing until nothing is pending, so every write gets its answer */
	for (int pass = 0; pass < 1000; pass++) {
		store_flush(s);
		if (!s->pending || !s->pending->n || s->failed)
			break;
	}
	store__watches_end(s);
	s->closed = true;
	uv_mutex_lock(&s->lock);
	s->backend->ops->close(s->backend);
	s->backend = NULL;
	uv_mutex_unlock(&s->lock);
	store_free_state(s);
	s->refs += 2;
	uv_close((uv_handle_t *)&s->check, on_handle_closed);
	uv_close((uv_handle_t *)&s->idle, on_handle_closed);
	store__unref(s);
}

/* ---- reads ---- */

/* The newest revision handed out (possibly not yet durable). */
int64_t store_revision(const kube_store *s)
{
	return s->rev;
}

/* The object at @p key, borrowed, or NULL. */
const json_t *store_get(const kube_store *s, const char *key)
{
	struct store_node *n = store__index_get(&s->ix, key);

	return n ? n->obj : NULL;
}

/* Visit keys under @p prefix in order; see store.h. Writes from @p fn are
 * safe; keys they add or remove may or may not be visited. */
int store_list(const kube_store *s, const char *prefix, store_visit_fn fn, void *data)
{
	struct store_index *ix = (struct store_index *)&s->ix;
	size_t plen = strlen(prefix);
	struct store_node *n;
	int ret = 0;

	ix->visiting++;
	for (n = store__index_seek(ix, prefix); n; n = n->next[0]) {
		if (strncmp(n->key, prefix, plen) != 0)
			break;
		if (n->dead)
			continue;
		ret = fn(n->key, n->obj, data);
		if (ret)
			break;
	}
	if (--ix->visiting == 0)
		store__index_reap(ix);
	return ret;
}

/* How many keys start with @p prefix. */
size_t store_count(const kube_store *s, const char *prefix)
{
	size_t plen = strlen(prefix), count = 0;
	struct store_node *n;

	if (plen == 0)
		return s->ix.count;
	for (n = store__index_seek(&s->ix, prefix); n; n = n->next[0]) {
		if (strncmp(n->key, prefix, plen) != 0)
			break;
		count += !n->dead;
	}
	return count;
}

/* metadata.resourceVersion as a number; 0 if absent or malformed. */
int64_t store_obj_rev(const json_t *obj)
{
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"),
							   "resourceVersion"));
	char *end;
	long long v;

	if (!rv || !*rv)
		return 0;
	errno = 0;
	v = strtoll(rv, &end, 10);
	return errno || *end || v < 0 ? 0 : v;
}

/* ---- writes ---- */

static int set_rev(json_t *obj, int64_t rev)
{
	json_t *md = json_object_get(obj, "metadata");
	char buf[24];

	if (!json_is_object(md)) {
		md = json_object();
		if (json_object_set_new(obj, "metadata", md))
			return KUBE_ENOMEM;
	}
	snprintf(buf, sizeof(buf), "%" PRId64, rev);
	return json_object_set_new(md, "resourceVersion", json_string(buf)) ? KUBE_ENOMEM : 0;
}

/* A copy of @p obj sharing all but the top and metadata, with rv @p rev: a
 * deleted object's final form, leaving objects others may hold untouched. */
static json_t *deleted_copy(const json_t *obj, int64_t rev)
{
	json_t *copy = json_copy((json_t *)obj), *md;

	if (!copy)
		return NULL;
	md = json_copy(json_object_get(obj, "metadata"));
	if ((md && json_object_set_new(copy, "metadata", md)) || set_rev(copy, rev)) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

/* Make @p obj share with @p prev every subtree equal in both (stored
 * objects are immutable, so versions in the history window need not each
 * hold a full copy). Containers of @p obj referenced elsewhere (refcount > 1)
 * are replaced whole when equal but never modified. True when all of @p obj
 * equals @p prev. */
static bool share_equal(json_t *obj, json_t *prev)
{
	const char *k;
	json_t *v, *pv;
	void *it;
	bool all;
	size_t i;

	if (obj == prev)
		return true;
	if (json_typeof(obj) != json_typeof(prev))
		return false;
	if (json_is_object(obj)) {
		all = json_object_size(obj) == json_object_size(prev);
		for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
			k = json_object_iter_key(it);
			v = json_object_iter_value(it);
			pv = json_object_get(prev, k);
			if (!pv)
				all = false;
			else if (v == pv)
				continue;
			else if (v->refcount > 1 ? json_equal(v, pv) : share_equal(v, pv))
				json_object_iter_set(obj, it, pv);
			else
				all = false;
		}
		return all;
	}
	if (json_is_array(obj)) {
		all = json_array_size(obj) == json_array_size(prev);
		json_array_foreach(obj, i, v) {
			pv = json_array_get(prev, i);
			if (v == pv)
				continue;
			if (pv && (v->refcount > 1 ? json_equal(v, pv) : share_equal(v, pv)))
				json_array_set(obj, i, pv);
			else
				all = false;
		}
		return all;
	}
	return json_equal(obj, prev);
}

/* Checks common to every write; 0 if it may go ahead. */
static int write_check(kube_store *s, const char *key)
{
	if (s->closed)
		return KUBE_ESTOPPED;
	if (s->failed)
		return s->failed;
	return key ? 0 : KUBE_EINVAL;
}

/* Queue the write @p type of @p key: @p obj the object after (a reference
 * stolen), @p prev the one before (a reference stolen). Updates the index.
 * On failure nothing changes and both references are dropped. */
static int write_queue(kube_store *s, enum store_event type, const char *key, json_t *obj,
		       json_t *prev, store_done_cb cb, void *data)
{
	struct store_rec *r;
	int err = store__ring_reserve(s, 1);

	if (err)
		goto drop_refs;
	r = store__rec_new(s);
	err = KUBE_ENOMEM;
	if (!r)
		goto drop_refs;
	r->ev.key = strdup(key);
	if (!r->ev.key)
		goto drop_rec;
	if (type == STORE_DELETED)
		json_decref(store__index_take(&s->ix, key));
	else if (store__index_put(&s->ix, key, json_incref(obj)))
		goto drop_key;
	r->ev = (struct store_event_rec){ type, ++s->rev, r->ev.key, obj, prev };
	r->cb = cb;
	r->data = data;
	store__kick(s);
	return 0;

drop_key:
	json_decref(obj); /* the index's reference it did not take */
	free(r->ev.key);
drop_rec:
	store__rec_drop(s);
drop_refs:
	json_decref(obj);
	json_decref(prev);
	return err;
}

/* Create @p key; see store.h. */
int store_create(kube_store *s, const char *key, json_t *obj, store_done_cb cb, void *data)
{
	int err = obj ? write_check(s, key) : KUBE_EINVAL;

	if (!err && store__index_get(&s->ix, key))
		err = KUBE_EEXIST;
	if (!err)
		err = set_rev(obj, s->rev + 1);
	if (err) {
		json_decref(obj);
		return err;
	}
	return write_queue(s, STORE_ADDED, key, obj, NULL, cb, data);
}

/* The node @p key if it exists and matches @p expect_rev, else an error. */
static int write_target(kube_store *s, const char *key, int64_t expect_rev,
			struct store_node **out)
{
	*out = store__index_get(&s->ix, key);
	if (!*out)
		return KUBE_ENOTFOUND;
	if (expect_rev && store_obj_rev((*out)->obj) != expect_rev)
		return KUBE_ECONFLICT;
	return 0;
}

/* Replace @p key; see store.h. */
int store_update(kube_store *s, const char *key, json_t *obj, int64_t expect_rev,
		 store_done_cb cb, void *data)
{
	struct store_node *n = NULL;
	int err = obj ? write_check(s, key) : KUBE_EINVAL;

	if (!err)
		err = write_target(s, key, expect_rev, &n);
	if (!err)
		err = set_rev(obj, s->rev + 1);
	if (err) {
		json_decref(obj);
		return err;
	}
	share_equal(obj, n->obj);
	return write_queue(s, STORE_MODIFIED, key, obj, json_incref(n->obj), cb, data);
}

/* Delete @p key; see store.h. */
int store_delete(kube_store *s, const char *key, int64_t expect_rev, store_done_cb cb,
		 void *data)
{
	struct store_node *n = NULL;
	json_t *last;
	int err = write_check(s, key);

	if (!err)
		err = write_target(s, key, expect_rev, &n);
	if (err)
		return err;
	last = deleted_copy(n->obj, s->rev + 1);
	if (!last)
		return KUBE_ENOMEM;
	return write_queue(s, STORE_DELETED, key, last, json_incref(n->obj), cb, data);
}

/* Counters since open. */
void store_get_stats(const kube_store *s, struct store_stats *st)
{
	*st = s->stats;
}
