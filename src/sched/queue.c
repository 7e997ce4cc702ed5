/*
 * The scheduling queue: an active heap ordered as upstream's PrioritySort
 * (higher priority first, then first queued), and the parked set of pods
 * found unschedulable, moved back to the heap by cluster events.
 */
#include "sched/sched_int.h"
#include "libkube/errors.h"

static bool before(const struct sched_pod *a, const struct sched_pod *b)
{
	return a->prio != b->prio ? a->prio > b->prio : a->seq < b->seq;
}

static void place(struct sched *s, int i, struct sched_pod *p)
{
	s->heap[i] = p;
	p->heap_idx = i;
}

static void sift_up(struct sched *s, int i)
{
	struct sched_pod *p = s->heap[i];

	while (i > 0 && before(p, s->heap[(i - 1) / 2])) {
		place(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(s, i, p);
}

static void sift_down(struct sched *s, int i)
{
	struct sched_pod *p = s->heap[i];

	for (;;) {
		int c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s->heap[c], p))
			break;
		place(s, i, s->heap[c]);
		i = c;
	}
	place(s, i, p);
}

/* Add @p p to the active heap. 0 or KUBE_ENOMEM. */
int sched_heap_push(struct sched *s, struct sched_pod *p)
{
	if (sched_grow(&s->heap, &s->capheap, s->nheap + 1, sizeof(*s->heap)))
		return KUBE_ENOMEM;
	p->state = POD_ACTIVE;
	s->heap[s->nheap] = p;
	p->heap_idx = s->nheap++;
	sift_up(s, p->heap_idx);
	return 0;
}

/* The first pod of the heap, removed; NULL when empty. */
struct sched_pod *sched_heap_pop(struct sched *s)
{
	struct sched_pod *p;

	if (!s->nheap)
		return NULL;
	p = s->heap[0];
	sched_heap_remove(s, p);
	return p;
}

void sched_heap_remove(struct sched *s, struct sched_pod *p)
{
	int i = p->heap_idx;

	if (i < 0)
		return;
	p->heap_idx = -1;
	if (i == --s->nheap)
		return;
	struct sched_pod *moved = s->heap[s->nheap];
	place(s, i, moved);
	sift_down(s, i);
	sift_up(s, moved->heap_idx);
}

/* Park an unschedulable pod until a relevant change. 0 or KUBE_ENOMEM. */
int sched_park(struct sched *s, struct sched_pod *p)
{
	if (sched_grow(&s->parked, &s->capparked, s->nparked + 1, sizeof(*s->parked)))
		return KUBE_ENOMEM;
	p->state = POD_PARKED;
	p->park_idx = s->nparked;
	s->parked[s->nparked++] = p;
	return 0;
}

void sched_unpark(struct sched *s, struct sched_pod *p)
{
	int i = p->park_idx;

	if (i < 0)
		return;
	s->parked[i] = s->parked[--s->nparked];
	s->parked[i]->park_idx = i;
	p->park_idx = -1;
}

/* Move parked pods to the heap: all, or with @p affinity_only those whose
 * pod affinity or spread constraints a newly bound pod may satisfy. 0 or ENOMEM. */
int sched_unpark_all(struct sched *s, bool affinity_only)
{
	for (int i = s->nparked - 1; i >= 0; i--) {
		struct sched_pod *p = s->parked[i];
		if (affinity_only && !p->naff && !p->nspread)
			continue;
		sched_unpark(s, p);
		if (sched_heap_push(s, p)) {
			sched_park(s, p);      /* room exists: it was just there */
			return KUBE_ENOMEM;
		}
	}
	return 0;
}

/* Take a pod out of whichever queue holds it. */
void sched_dequeue(struct sched *s, struct sched_pod *p)
{
	sched_heap_remove(s, p);
	sched_unpark(s, p);
}
