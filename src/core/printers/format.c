/*
 * Upstream's formatting helpers used by several printers: labels.FormatLabels,
 * label selectors as labels.Selector.String() writes them, container cells.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/printers/printers.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of @p obj, sorted bytewise (Go's sort.Strings); NULL when empty
 * or out of memory (check *n). */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys, *k;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(obj);
	if (!*n || !(keys = malloc(*n * sizeof(*keys))))
		return NULL;
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

void kube__format_labels(struct kube_sb *sb, const json_t *labels)
{
	size_t n;
	const char **keys = sorted_keys(labels, &n);

	if (!keys) {
		if (n)
			sb->failed = true;
		else
			kube__sb_puts(sb, "<none>");
		return;
	}
	for (size_t i = 0; i < n; i++)
		kube__sb_printf(sb, "%s%s=%s", i ? "," : "", keys[i],
				json_string_value(json_object_get(labels, keys[i])) ?: "");
	free(keys);
}

/* One requirement of a selector, before sorting by key. */
struct req {
	const char *key;      /* label key */
	const char *op;       /* "=", " in ", " notin ", "" (Exists), "!" (DoesNotExist) */
	const json_t *values; /* array of strings for in/notin */
	const char *value;    /* the value for "=" */
};

static int cmp_req(const void *a, const void *b)
{
	return strcmp(((const struct req *)a)->key, ((const struct req *)b)->key);
}

/* A matchExpressions entry as a requirement; false when upstream rejects it. */
static bool expr_req(const json_t *e, struct req *r)
{
	const char *op = kube__jstr0(e, "operator");
	size_t nv = kube__jlen(e, "values");

	r->key = kube__jstr0(e, "key");
	r->values = kube__jget(e, "values");
	if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
		r->op = op[0] == 'I' ? " in " : " notin ";
		return nv > 0;
	}
	if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
		r->op = op[0] == 'E' ? "" : "!";
		return nv == 0;
	}
	return false;
}

/* Write one requirement as labels.Requirement.String() does (values sorted). */
static void write_req(struct kube_sb *sb, const struct req *r)
{
	size_t n = json_array_size(r->values);
	const char **vals;

	if (!strcmp(r->op, "!") || !*r->op) {
		kube__sb_printf(sb, "%s%s", r->op, r->key);
		return;
	}
	if (!strcmp(r->op, "=")) {
		kube__sb_printf(sb, "%s=%s", r->key, r->value);
		return;
	}
	if (!(vals = malloc(n * sizeof(*vals)))) {
		sb->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		vals[i] = json_string_value(json_array_get(r->values, i)) ?: "";
	qsort(vals, n, sizeof(*vals), cmp_str);
	kube__sb_printf(sb, "%s%s(", r->key, r->op);
	for (size_t i = 0; i < n; i++)
		kube__sb_printf(sb, "%s%s", i ? "," : "", vals[i]);
	kube__sb_puts(sb, ")");
	free(vals);
}

/* Collect matchLabels then matchExpressions into @p reqs; false on a bad expression. */
static bool collect_reqs(const json_t *sel, struct req *reqs, size_t *n)
{
	const json_t *labels = kube__jget(sel, "matchLabels"), *exprs = kube__jget(sel, "matchExpressions");
	const char *k;
	json_t *v;
	size_t i;

	*n = 0;
	json_object_foreach((json_t *)labels, k, v)
		reqs[(*n)++] = (struct req){ .key = k, .op = "=", .value = json_string_value(v) ?: "" };
	json_array_foreach(exprs, i, v)
		if (!expr_req(v, &reqs[(*n)++]))
			return false;
	return true;
}

int kube__format_selector(struct kube_sb *sb, const json_t *sel)
{
	size_t max = kube__jlen(sel, "matchLabels") + kube__jlen(sel, "matchExpressions"), n;
	struct req *reqs;

	if (!max)
		return 0;
	if (!(reqs = calloc(max, sizeof(*reqs)))) {
		sb->failed = true;
		return 0;
	}
	if (!collect_reqs(sel, reqs, &n)) {
		free(reqs);
		return -1;
	}
	/* internalSelector.Add keeps requirements sorted by key. */
	qsort(reqs, n, sizeof(*reqs), cmp_req);
	for (size_t i = 0; i < n; i++) {
		if (i)
			kube__sb_puts(sb, ",");
		write_req(sb, &reqs[i]);
	}
	free(reqs);
	return 0;
}

void kube__format_label_selector(struct kube_sb *sb, const json_t *sel)
{
	size_t before = sb->len;

	if (kube__format_selector(sb, sel) < 0)
		kube__sb_puts(sb, "<error>");
	else if (sb->len == before)
		kube__sb_puts(sb, "<none>");
}

int kube__cells_containers(json_t *cells, const json_t *containers)
{
	struct kube_sb names = { 0 }, images = { 0 };
	const json_t *c;
	size_t i;
	int failed;

	json_array_foreach(containers, i, c) {
		kube__sb_printf(&names, "%s%s", i ? "," : "", kube__jstr0(c, "name"));
		kube__sb_printf(&images, "%s%s", i ? "," : "", kube__jstr0(c, "image"));
	}
	failed = kube__sb_cell(cells, &names);
	failed |= kube__sb_cell(cells, &images);
	return failed;
}

const char *kube__int_or_string(const json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return json_string_value(v);
}

int kube__cell_selector(json_t *cells, const json_t *sel)
{
	struct kube_sb sb = { 0 };

	kube__format_label_selector(&sb, sel);
	return kube__sb_cell(cells, &sb);
}
