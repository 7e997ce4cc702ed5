/*
 * The garbage collector, as upstream's: dependents whose owners are all gone
 * are deleted; an owner deleted with propagation Foreground waits (finalizer
 * foregroundDeletion) until its dependents are gone; with Orphan (finalizer
 * orphan) its dependents lose their owner reference instead.
 *
 * State: an index owner uid -> dependent keys, kept from the store's event
 * stream, and a work queue of object keys to re-examine.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cluster_internal.h"
#include "core/ops.h"
#include "core/workqueue.h"

struct gc {
	kube_cluster *c;
	struct store_watch *watch;
	struct kube_workqueue *queue;
	json_t *dependents;   /* {owner uid: {dependent key: true}} */
};

static const char *uid_of(const json_t *obj)
{
	return kube__meta_str(obj, "uid");
}

static json_t *owner_refs(const json_t *obj)
{
	return json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
}

static bool has_finalizer(const json_t *obj, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "finalizers"), i, f)
		if (json_is_string(f) && !strcmp(json_string_value(f), name))
			return true;
	return false;
}

static bool deleting(const json_t *obj)
{
	return json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp") != NULL;
}

static void index_refs(struct gc *g, const char *key, const json_t *obj, bool add)
{
	json_t *ref, *set;
	size_t i;

	json_array_foreach(owner_refs(obj), i, ref) {
		const char *uid = json_string_value(json_object_get(ref, "uid"));

		if (!uid)
			continue;
		set = json_object_get(g->dependents, uid);
		if (add) {
			if (!set) {
				set = json_object();
				json_object_set_new(g->dependents, uid, set);
			}
			json_object_set_new(set, key, json_true());
		} else if (set) {
			json_object_del(set, key);
			if (!json_object_size(set))
				json_object_del(g->dependents, uid);
		}
	}
}

static void enqueue_dependents(struct gc *g, const char *uid)
{
	json_t *set = uid ? json_object_get(g->dependents, uid) : NULL;
	const char *key;
	json_t *v;

	json_object_foreach(set, key, v)
		kube__wq_add(g->queue, key);
}

/* Owners currently deleting in the foreground wait for this dependent. */
static void enqueue_owners(struct gc *g, const json_t *obj, const char *ns);

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct gc *g = data;

	(void)rev;
	if (prev)
		index_refs(g, key, prev, false);
	if (type != STORE_DELETED)
		index_refs(g, key, obj, true);
	if (type == STORE_DELETED) {
		enqueue_dependents(g, uid_of(obj));
		enqueue_owners(g, obj, kube__meta_str(obj, "namespace"));
		return;
	}
	if (owner_refs(obj))
		kube__wq_add(g->queue, key);
	if (deleting(obj) && (has_finalizer(obj, "foregroundDeletion") ||
			      has_finalizer(obj, "orphan"))) {
		kube__wq_add(g->queue, key);
		enqueue_dependents(g, uid_of(obj));
	}
}

/* The stored owner an ownerReference points at, if it is that very object. */
static const json_t *find_owner(struct gc *g, const json_t *ref, const char *ns, char **key)
{
	const char *av = json_string_value(json_object_get(ref, "apiVersion"));
	const char *kind = json_string_value(json_object_get(ref, "kind"));
	const char *name = json_string_value(json_object_get(ref, "name"));
	const char *uid = json_string_value(json_object_get(ref, "uid"));
	const struct kube_kind *k = av && kind ? kube__registry_by_gvk(av, kind) : NULL;
	const json_t *owner;

	*key = NULL;
	if (!k || !name || !uid)
		return NULL;
	*key = kube__key(k, ns, name);
	owner = *key ? store_get(g->c->store, *key) : NULL;
	if (owner && strcmp(uid_of(owner), uid))
		owner = NULL;
	return owner;
}

static void enqueue_owners(struct gc *g, const json_t *obj, const char *ns)
{
	json_t *ref;
	size_t i;

	json_array_foreach(owner_refs(obj), i, ref) {
		char *key;
		const json_t *owner = find_owner(g, ref, ns, &key);

		if (owner && deleting(owner))
			kube__wq_add(g->queue, key);
		free(key);
	}
}

static void write_done(int err, const json_t *obj, const json_t *st, void *data)
{
	/* a conflict or a vanished object is settled by the event that caused it */
	(void)err, (void)obj, (void)st, (void)data;
}

static void gc_delete(struct gc *g, const json_t *obj, kube_propagation prop)
{
	const struct kube_kind *k = kube__kind_of(obj, NULL);
	struct kube_op_opts o = { .propagation = prop, .precondition_uid = uid_of(obj) };

	if (k)
		kube__op_delete(g->c, k, kube__meta_str(obj, "namespace"),
				kube__meta_str(obj, "name"), &o, write_done, NULL);
}

static void gc_update(struct gc *g, json_t *obj)
{
	const struct kube_kind *k = kube__kind_of(obj, NULL);

	if (k)
		kube__op_update(g->c, k, kube__meta_str(obj, "namespace"), obj, NULL, write_done, NULL);
	else
		json_decref(obj);
}

/* Drop @p name from metadata.finalizers of a copy of @p obj and store it. */
static void remove_finalizer(struct gc *g, const json_t *obj, const char *name)
{
	json_t *copy = json_deep_copy(obj);
	json_t *fin = json_object_get(kube__meta(copy), "finalizers"), *f;
	size_t i;

	json_array_foreach(fin, i, f) {
		if (json_is_string(f) && !strcmp(json_string_value(f), name)) {
			json_array_remove(fin, i);
			break;
		}
	}
	gc_update(g, copy);
}

/* Remove the ownerReferences of @p dep whose uid is in @p drop (an object of uids). */
static void remove_refs(struct gc *g, const json_t *dep, const json_t *drop)
{
	json_t *copy = json_deep_copy(dep), *refs = owner_refs(copy), *kept = json_array(), *ref;
	size_t i;

	json_array_foreach(refs, i, ref)
		if (!json_object_get(drop, json_string_value(json_object_get(ref, "uid"))))
			json_array_append(kept, ref);
	if (json_array_size(kept))
		json_object_set_new(kube__meta(copy), "ownerReferences", kept);
	else {
		json_decref(kept);
		json_object_del(kube__meta(copy), "ownerReferences");
	}
	gc_update(g, copy);
}

/* An owner being deleted: orphan or wait for its dependents. */
static void process_owner(struct gc *g, const json_t *obj)
{
	json_t *set = json_object_get(g->dependents, uid_of(obj)), *v;
	const char *key;
	bool orphan = has_finalizer(obj, "orphan");
	size_t remaining = 0;

	json_object_foreach(set, key, v) {
		const json_t *dep = store_get(g->c->store, key);

		if (!dep)
			continue;
		remaining++;
		if (orphan) {
			json_t *drop = json_pack("{s:b}", uid_of(obj), 1);

			remove_refs(g, dep, drop);
			json_decref(drop);
		} else if (!deleting(dep)) {
			gc_delete(g, dep, KUBE_PROPAGATION_FOREGROUND);
		}
	}
	if (orphan)
		remove_finalizer(g, obj, "orphan");
	else if (!remaining)
		remove_finalizer(g, obj, "foregroundDeletion");
}

/* A dependent: delete it when no owner is left; drop dangling references. */
static void process_dependent(struct gc *g, const json_t *obj)
{
	json_t *ref, *dangling = json_object();
	size_t i, live = 0;
	bool waiting = false;

	json_array_foreach(owner_refs(obj), i, ref) {
		char *okey;
		const json_t *owner = find_owner(g, ref, kube__meta_str(obj, "namespace"), &okey);

		free(okey);
		if (!owner)
			json_object_set_new(dangling, json_string_value(json_object_get(ref, "uid")) ?: "",
					    json_true());
		else if (deleting(owner) && has_finalizer(owner, "foregroundDeletion"))
			waiting = true;
		else
			live++;
	}
	if (!live && (json_object_size(dangling) || waiting)) {
		if (!deleting(obj))
			gc_delete(g, obj, waiting ? KUBE_PROPAGATION_FOREGROUND
						  : KUBE_PROPAGATION_BACKGROUND);
	} else if (live && json_object_size(dangling)) {
		remove_refs(g, obj, dangling);
	}
	json_decref(dangling);
}

static int process(const char *key, void *data)
{
	struct gc *g = data;
	const json_t *obj = store_get(g->c->store, key);

	if (!obj)
		return 0;
	if (deleting(obj) && (has_finalizer(obj, "orphan") || has_finalizer(obj, "foregroundDeletion")))
		process_owner(g, obj);
	else if (owner_refs(obj))
		process_dependent(g, obj);
	return 0;
}

static int scan_one(const char *key, const json_t *obj, void *data)
{
	on_event(STORE_ADDED, 0, key, obj, NULL, data);
	return 0;
}

static void gc_stop(void *state)
{
	struct gc *g = state;

	store_watch_cancel(g->watch);
	kube__wq_free(g->queue);
	json_decref(g->dependents);
	free(g);
}

static int gc_start(kube_cluster *c, void **state)
{
	struct gc *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return KUBE_ENOMEM;
	g->c = c;
	g->dependents = json_object();
	g->queue = kube__wq_new(c->loop, process, g);
	store_list(c->store, "", scan_one, g);
	err = store_watch(c->store, "", store_revision(c->store), on_event, g, &g->watch);
	if (err) {
		kube__wq_free(g->queue);
		json_decref(g->dependents);
		free(g);
		return err;
	}
	*state = g;
	return 0;
}

const struct kube_controller_ops kube__gc_controller = {
	.name = "garbage-collector",
	.start = gc_start,
	.stop = gc_stop,
};
