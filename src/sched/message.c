/*
 * Upstream's FitError.Error text: "0/N nodes are available: " then each
 * distinct reason prefixed with the number of nodes that gave it, sorted as
 * strings, joined with ", ", a period, and the PostFilter (preemption)
 * message after a space.
 */
#include "sched/sched_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hist {
	char (*text)[160];
	int *count;
	int n, cap, capc;
};

static int hist_add(struct hist *h, const char *t)
{
	for (int i = 0; i < h->n; i++)
		if (!strcmp(h->text[i], t))
			return h->count[i]++, 0;
	if (sched_grow(&h->text, &h->cap, h->n + 1, sizeof(*h->text)) ||
	    sched_grow(&h->count, &h->capc, h->n + 1, sizeof(int)))
		return -1;
	size_t len = strnlen(t, 159);

	memcpy(h->text[h->n], t, len);
	h->text[h->n][len] = 0;
	h->count[h->n++] = 1;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "N reason" strings, sorted and joined; NULL when out of memory. */
static char *hist_join(const struct hist *h)
{
	char **items = calloc((size_t)h->n + 1, sizeof(char *));
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!items)
		return NULL;
	for (int i = 0; i < h->n; i++)
		if (asprintf(&items[i], "%d %s", h->count[i], h->text[i]) < 0)
			goto free_items;
	qsort(items, h->n, sizeof(char *), str_cmp);
	if (!(f = open_memstream(&out, &len)))
		goto free_items;
	for (int i = 0; i < h->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", items[i]);
	if (fclose(f))
		out = NULL;
free_items:
	for (int i = 0; i < h->n; i++)
		free(items[i]);
	free(items);
	return out;
}

/*
 * The FitError text for pod @p p from the per-slot statuses @p st of every
 * node, or from the PreFilter rejection @p prefilter (NULL: none), with
 * @p post (NULL: none) appended. Caller frees; NULL on ENOMEM.
 */
char *sched_fit_message(const struct sched *s, const struct sched_pod *p,
			const struct sched_status *st, const char *prefilter, const char *post)
{
	struct hist h = {0};
	char reasons[32][160], *joined, *out = NULL;

	if (!s->nnodes)
		return strdup("no nodes available to schedule pods");
	if (prefilter)      /* upstream: the PreFilter message alone */
		return asprintf(&out, "0/%d nodes are available: %s.%s%s", s->nnodes,
				prefilter, post ? " " : "", post ? post : "") < 0 ? NULL : out;
	for (int i = 0; i < s->nslots; i++) {
		int n;
		if (!s->nodes[i].has_obj)
			continue;
		n = sched_reasons(s, p, i, &st[i], reasons, 32);
		for (int j = 0; j < n; j++)
			if (hist_add(&h, reasons[j]))
				goto free_hist;
	}
	if (!(joined = hist_join(&h)))
		goto free_hist;
	if (asprintf(&out, "0/%d nodes are available:%s%s%s%s%s", s->nnodes, h.n ? " " : "",
		     joined, h.n ? "." : "", post ? " " : "", post ? post : "") < 0)
		out = NULL;
	free(joined);
free_hist:
	free(h.text);
	free(h.count);
	return out;
}
