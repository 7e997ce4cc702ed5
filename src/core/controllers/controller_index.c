/*
 * Owner index and delayed requeues (controller_index.h).
 */
#include <stdlib.h>
#include <string.h>
#include "core/ops.h"
#include "core/controllers/controller_index.h"
#include "core/controllers/podutil.h"

int kube__oidx_init(struct kube_owner_index *idx)
{
	idx->by_owner = json_object();
	idx->orphans = json_object();
	if (!idx->by_owner || !idx->orphans) {
		kube__oidx_free(idx);
		return KUBE_ENOMEM;
	}
	return 0;
}

void kube__oidx_free(struct kube_owner_index *idx)
{
	json_decref(idx->by_owner);
	json_decref(idx->orphans);
	idx->by_owner = idx->orphans = NULL;
}

/* The set under @p name in @p map, created when @p create. */
static json_t *bucket(json_t *map, const char *name, bool create)
{
	json_t *set = json_object_get(map, name);

	if (!set && create) {
		set = json_object();
		json_object_set_new(map, name, set);
	}
	return set;
}

static void bucket_del(json_t *map, const char *name, const char *key)
{
	json_t *set = json_object_get(map, name);

	if (!set)
		return;
	json_object_del(set, key);
	if (!json_object_size(set))
		json_object_del(map, name);
}

/* The map and bucket name @p obj files under. */
static json_t *place(struct kube_owner_index *idx, const json_t *obj, const char **name)
{
	const json_t *ref = kube__controller_ref(obj);

	*name = json_string_value(json_object_get(ref, "uid"));
	if (ref)
		return *name ? idx->by_owner : NULL;
	*name = kube__meta_str(obj, "namespace");
	if (!*name)
		*name = "";
	return idx->orphans;
}

void kube__oidx_update(struct kube_owner_index *idx, const char *key, const json_t *obj,
		       const json_t *prev)
{
	const char *name;
	json_t *map, *set;

	if (prev && (map = place(idx, prev, &name)))
		bucket_del(map, name, key);
	if (obj && (map = place(idx, obj, &name)) && (set = bucket(map, name, true)))
		json_object_set_new(set, key, json_true());
}

const json_t *kube__oidx_owned(const struct kube_owner_index *idx, const char *uid)
{
	return uid ? json_object_get(idx->by_owner, uid) : NULL;
}

const json_t *kube__oidx_orphans(const struct kube_owner_index *idx, const char *ns)
{
	return json_object_get(idx->orphans, ns ? ns : "");
}

/* ---- delayed requeue ---------------------------------------------------- */

struct kube_delayed {
	struct kube_timer timer;     /* on the cluster clock */
	struct kube_delay_set *set;  /* the set it belongs to */
	char *key;                   /* what to queue */
	struct kube_delayed *next, **pprev; /* the set's list */
};

void kube__delay_init(struct kube_delay_set *s, kube_cluster *c, struct kube_workqueue *q)
{
	s->c = c;
	s->queue = q;
	s->head = NULL;
}

static void delayed_free(struct kube_delayed *d)
{
	*d->pprev = d->next;
	if (d->next)
		d->next->pprev = d->pprev;
	kube__timer_release(&d->timer);
	free(d->key);
	free(d);
}

static void on_due(struct kube_timer *t, void *data)
{
	struct kube_delayed *d = data;

	(void)t;
	kube__wq_add(d->set->queue, d->key);
	delayed_free(d);
}

void kube__delay_add(struct kube_delay_set *s, const char *key, int64_t delay_ms)
{
	int64_t due = kube__now_ms(s->c) + delay_ms;
	struct kube_delayed *d;

	for (d = s->head; d; d = d->next)
		if (!strcmp(d->key, key) && d->timer.due <= due)
			return;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->key = strdup(key))) {
		free(d);
		kube__wq_add(s->queue, key);
		return;
	}
	d->set = s;
	d->next = s->head;
	d->pprev = &s->head;
	if (s->head)
		s->head->pprev = &d->next;
	s->head = d;
	kube__timer_start(s->c, &d->timer, delay_ms, on_due, d);
}

void kube__delay_clear(struct kube_delay_set *s)
{
	while (s->head)
		delayed_free(s->head);
}

/* ---- write tickets ------------------------------------------------------ */

struct kube_ticket {
	struct kube_ticket_set *set;      /* NULL once abandoned */
	kube_op_cb cb;                    /* the controller's callback */
	void *data;                       /* its argument */
	void (*free_data)(void *);        /* releases data when abandoned */
	struct kube_ticket *next, **pprev; /* the set's list */
};

struct kube_ticket *kube__ticket(struct kube_ticket_set *s, kube_op_cb cb, void *data,
				 void (*free_data)(void *))
{
	struct kube_ticket *t = calloc(1, sizeof(*t));

	if (!t) {
		if (free_data)
			free_data(data);
		return NULL;
	}
	t->set = s;
	t->cb = cb;
	t->data = data;
	t->free_data = free_data;
	t->next = s->head;
	t->pprev = &s->head;
	if (s->head)
		s->head->pprev = &t->next;
	s->head = t;
	return t;
}

void kube__ticket_cb(int err, const json_t *obj, const json_t *st, void *ticket)
{
	struct kube_ticket *t = ticket;

	if (t->set) {
		*t->pprev = t->next;
		if (t->next)
			t->next->pprev = t->pprev;
		t->cb(err, obj, st, t->data);
	} else if (t->free_data) {
		t->free_data(t->data);
	}
	free(t);
}

void kube__tickets_abandon(struct kube_ticket_set *s)
{
	struct kube_ticket *t;

	while ((t = s->head)) {
		s->head = t->next;
		t->set = NULL;
		t->next = NULL;
		t->pprev = NULL;
	}
}
