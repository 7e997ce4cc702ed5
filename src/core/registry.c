/*
 * The resource registry's lookups. The kinds live in registry_table.c; on
 * first use (pthread_once) this file attaches each kind's printer and hooks
 * and builds sorted indexes, so every lookup afterwards is a binary search
 * with no locking.
 *
 * Name resolution follows kubectl's RESTMapper: a plural, singular, Kind or
 * short name, case-insensitive, optionally qualified as NAME.GROUP or
 * NAME.VERSION.GROUP. A name served by several groups (events) resolves to
 * the group upstream's API server ranks first (core, then apps,
 * events.k8s.io, ...: the aggregator's group priorities).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/registry.h"
#include "core/printers/printers.h"

/* Bounds of the static indexes; init checks the table fits. */
#define MAX_KINDS 64
#define MAX_NAMES (MAX_KINDS * 8)
#define NAME_MAX_LEN 64

/* Upstream's group priorities (DefaultGenericAPIServicePriorities and the
 * kube-apiserver's additions): the higher one wins an ambiguous name. */
static const struct {
	const char *group;
	int priority;
} group_priorities[] = {
	{ "", 18000 },
	{ "apps", 17800 },
	{ "events.k8s.io", 17750 },
	{ "authentication.k8s.io", 17700 },
	{ "authorization.k8s.io", 17600 },
	{ "autoscaling", 17500 },
	{ "batch", 17400 },
	{ "certificates.k8s.io", 17300 },
	{ "networking.k8s.io", 17200 },
	{ "policy", 17100 },
	{ "rbac.authorization.k8s.io", 17000 },
	{ "storage.k8s.io", 16800 },
	{ "admissionregistration.k8s.io", 16700 },
	{ "apiextensions.k8s.io", 16700 },
	{ "scheduling.k8s.io", 16600 },
	{ "coordination.k8s.io", 16500 },
	{ "node.k8s.io", 16300 },
	{ "discovery.k8s.io", 16200 },
	{ "flowcontrol.apiserver.k8s.io", 16100 },
};

/* One name a kind answers to. */
struct name_ref {
	const char *name; /* lower-case plural, singular, kind or short name */
	int entry;        /* index into kube__registry_table */
	int rank;         /* group priority, then table order: higher wins */
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct name_ref names[MAX_NAMES];
static int nnames;
static char kind_lower[MAX_KINDS][NAME_MAX_LEN]; /* lower-cased kinds */
static int by_gk[MAX_KINDS];                   /* entries sorted by group, kind */
static int by_gr[MAX_KINDS];                   /* entries sorted by group, plural */
static int nkinds;

int kube__group_priority(const char *group)
{
	for (size_t i = 0; i < sizeof(group_priorities) / sizeof(group_priorities[0]); i++)
		if (!strcmp(group_priorities[i].group, group))
			return group_priorities[i].priority;
	return 0;
}

static const struct kube_kind *kind_at(int i)
{
	return &kube__registry_table[i].kind;
}

static void add_name(const char *name, int entry, int rank)
{
	for (int i = 0; i < nnames; i++)
		if (names[i].entry == entry && !strcmp(names[i].name, name))
			return;
	if (nnames < MAX_NAMES)
		names[nnames++] = (struct name_ref){ name, entry, rank };
}

static int cmp_name(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : y->rank - x->rank;
}

static int cmp_gk(const void *a, const void *b)
{
	const struct kube_kind *x = kind_at(*(const int *)a), *y = kind_at(*(const int *)b);
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->kind, y->kind);
}

static int cmp_gr(const void *a, const void *b)
{
	const struct kube_kind *x = kind_at(*(const int *)a), *y = kind_at(*(const int *)b);
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->plural, y->plural);
}

/* Attach the printer's table and the kind's hooks from kube__kind_hooks. */
static void attach(struct kube_kind_entry *e)
{
	e->kind.columns = e->printer->columns;
	e->kind.ncolumns = e->printer->ncolumns;
	e->kind.row = e->printer->row;
	for (const struct kube_kind_hooks *h = kube__kind_hooks; h->kind; h++)
		if (!strcmp(h->group, e->kind.group) && !strcmp(h->kind, e->kind.kind)) {
			e->kind.defaults = h->defaults;
			e->kind.validate = h->validate;
		}
}

static void index_names(int i)
{
	const struct kube_kind *k = kind_at(i);
	int rank = kube__group_priority(k->group) * MAX_KINDS + (MAX_KINDS - 1 - i);
	size_t j;

	for (j = 0; k->kind[j] && j < NAME_MAX_LEN - 1; j++)
		kind_lower[i][j] = (char)tolower((unsigned char)k->kind[j]);
	add_name(k->plural, i, rank);
	add_name(k->singular, i, rank);
	add_name(kind_lower[i], i, rank);
	for (const char *const *s = k->short_names; s && *s; s++)
		add_name(*s, i, rank);
}

static void registry_init(void)
{
	nkinds = kube__registry_table_len < MAX_KINDS ? kube__registry_table_len : MAX_KINDS;
	for (int i = 0; i < nkinds; i++) {
		attach(&kube__registry_table[i]);
		index_names(i);
		by_gk[i] = by_gr[i] = i;
	}
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp_name);
	qsort(by_gk, (size_t)nkinds, sizeof(int), cmp_gk);
	qsort(by_gr, (size_t)nkinds, sizeof(int), cmp_gr);
}

/* The first name_ref for @p name (the best ranked), or nnames. */
static int lower_bound(const char *name)
{
	int lo = 0, hi = nnames;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The best ranked kind called @p name in @p group and @p version (NULL: any). */
static const struct kube_kind *match(const char *name, const char *version, const char *group)
{
	for (int i = lower_bound(name); i < nnames && !strcmp(names[i].name, name); i++) {
		const struct kube_kind *k = kind_at(names[i].entry);
		if ((!group || !strcmp(k->group, group)) && (!version || !strcmp(k->version, version)))
			return k;
	}
	return NULL;
}

const struct kube_kind *kube__registry_find(const char *name)
{
	char buf[256], *qual, *dot;
	const struct kube_kind *k;
	size_t i;

	pthread_once(&once, registry_init);
	if (!name || strlen(name) >= sizeof(buf))
		return NULL;
	for (i = 0; name[i]; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	if (!(qual = strchr(buf, '.')))
		return match(buf, NULL, NULL);
	*qual++ = '\0';
	/* as schema.ParseResourceArg: NAME.VERSION.GROUP first, then NAME.GROUP */
	if ((dot = strchr(qual, '.'))) {
		*dot = '\0';
		if ((k = match(buf, qual, dot + 1)))
			return k;
		*dot = '.';
	}
	return match(buf, NULL, qual);
}

/* Binary search of @p index (sorted by group, then the field @p field
 * returns) for @p group and @p key; the entry or -1. */
static int search(const int *index, const char *group, size_t group_len, const char *key,
		  const char *(*field)(const struct kube_kind *))
{
	int lo = 0, hi = nkinds;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const struct kube_kind *k = kind_at(index[mid]);
		int c = strncmp(k->group, group, group_len);
		if (!c)
			c = k->group[group_len] ? 1 : strcmp(field(k), key);
		if (!c)
			return index[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const char *field_kind(const struct kube_kind *k)
{
	return k->kind;
}

static const char *field_plural(const struct kube_kind *k)
{
	return k->plural;
}

const struct kube_kind *kube__registry_by_gvk(const char *api_version, const char *kind)
{
	const char *slash, *version;
	size_t glen;
	int i;

	pthread_once(&once, registry_init);
	if (!api_version || !kind)
		return NULL;
	slash = strchr(api_version, '/');
	glen = slash ? (size_t)(slash - api_version) : 0;
	version = slash ? slash + 1 : api_version;
	i = search(by_gk, api_version, glen, kind, field_kind);
	return i >= 0 && !strcmp(kind_at(i)->version, version) ? kind_at(i) : NULL;
}

const struct kube_kind *kube__registry_by_gvr(const char *group, const char *version,
					      const char *plural)
{
	int i;

	pthread_once(&once, registry_init);
	if (!group || !version || !plural)
		return NULL;
	i = search(by_gr, group, strlen(group), plural, field_plural);
	return i >= 0 && !strcmp(kind_at(i)->version, version) ? kind_at(i) : NULL;
}

int kube__registry_count(void)
{
	pthread_once(&once, registry_init);
	return nkinds;
}

const struct kube_kind *kube__registry_at(int i)
{
	pthread_once(&once, registry_init);
	return i >= 0 && i < nkinds ? kind_at(i) : NULL;
}

const char *kube__kind_api_version(const struct kube_kind *k, char *buf, size_t len)
{
	if (*k->group)
		snprintf(buf, len, "%s/%s", k->group, k->version);
	else
		snprintf(buf, len, "%s", k->version);
	return buf;
}

const char *kube__kind_qualified(const struct kube_kind *k, char *buf, size_t len)
{
	if (*k->group)
		snprintf(buf, len, "%s.%s", k->plural, k->group);
	else
		snprintf(buf, len, "%s", k->plural);
	return buf;
}
