/*
 * Label selectors as the kinds' validation needs them (LabelSelector objects
 * and plain map selectors), Go's %#v rendering of the values upstream prints
 * in field errors, and resource quantities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/kinds/kinds.h"
#include "core/quantity.h"
#include "core/selector.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of a JSON object, sorted (Go prints maps and we iterate them sorted). */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys = calloc(json_object_size(obj) + 1, sizeof(*keys));
	const char *k;
	json_t *v;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach((json_t *)obj, k, v)
		keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

static void put_quoted(FILE *f, const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *q = json_dumps(j, JSON_ENCODE_ANY);

	fputs(q ? q : "\"\"", f);
	free(q);
	json_decref(j);
}

static void put_string_map(FILE *f, const json_t *map)
{
	size_t n;
	const char **keys;

	if (!json_is_object(map)) {
		fputs("map[string]string(nil)", f);
		return;
	}
	keys = sorted_keys(map, &n);
	fputs("map[string]string{", f);
	for (size_t i = 0; keys && i < n; i++) {
		fputs(i ? ", " : "", f);
		put_quoted(f, keys[i]);
		fputc(':', f);
		put_quoted(f, json_string_value(json_object_get(map, keys[i])));
	}
	fputc('}', f);
	free(keys);
}

static void put_string_slice(FILE *f, const json_t *arr)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr)) {
		fputs("[]string(nil)", f);
		return;
	}
	fputs("[]string{", f);
	json_array_foreach(arr, i, v) {
		fputs(i ? ", " : "", f);
		put_quoted(f, json_string_value(v));
	}
	fputc('}', f);
}

/* Run @p fn into a new string (NULL on allocation failure). */
static char *render(void (*fn)(FILE *, const json_t *), const json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fn(f, v);
	fclose(f);
	return buf;
}

char *kube__go_string_map(const json_t *map)
{
	return render(put_string_map, map);
}

char *kube__go_string_slice(const json_t *arr)
{
	return render(put_string_slice, arr);
}

static void put_selector(FILE *f, const json_t *sel)
{
	json_t *exprs = json_object_get(sel, "matchExpressions"), *e;
	size_t i;

	fputs("v1.LabelSelector{MatchLabels:", f);
	put_string_map(f, json_object_get(sel, "matchLabels"));
	fputs(", MatchExpressions:", f);
	if (!json_is_array(exprs)) {
		fputs("[]v1.LabelSelectorRequirement(nil)}", f);
		return;
	}
	fputs("[]v1.LabelSelectorRequirement{", f);
	json_array_foreach(exprs, i, e) {
		fputs(i ? ", " : "", f);
		fputs("v1.LabelSelectorRequirement{Key:", f);
		put_quoted(f, kinds_str(e, "key"));
		fputs(", Operator:", f);
		put_quoted(f, kinds_str(e, "operator"));
		fputs(", Values:", f);
		put_string_slice(f, json_object_get(e, "values"));
		fputc('}', f);
	}
	fputs("}}", f);
}

char *kube__go_label_selector(const json_t *sel)
{
	return render(put_selector, sel);
}

const char *kube__intstr_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	return buf;
}

void kube__validate_labels(json_t *causes, const json_t *labels, const char *path)
{
	size_t n;
	const char **keys;

	if (!json_is_object(labels))
		return;
	keys = sorted_keys(labels, &n);
	for (size_t i = 0; keys && i < n; i++) {
		kube__check_fmt(causes, path, keys[i], kube__fmt_qualified_name);
		kube__check_fmt(causes, path, kinds_str(labels, keys[i]), kube__fmt_label_value);
	}
	free(keys);
}

static void validate_requirement(json_t *causes, const json_t *e, const char *base)
{
	const char *op = kinds_str(e, "operator");
	json_t *values = kube__jarr(e, "values"), *v;
	size_t nv = json_array_size(values), i;
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];

	kube__path_child(p, base, "values");
	if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
		if (nv == 0)
			kube__err_required(causes, p,
					   "must be specified when `operator` is 'In' or 'NotIn'");
	} else if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
		if (nv > 0)
			kube__err_forbidden(causes, p, "may not be specified when `operator` is "
					    "'Exists' or 'DoesNotExist'");
	} else {
		kube__err_invalid_str(causes, kube__path_child(q, base, "operator"), op,
				      "not a valid selector operator");
	}
	kube__check_fmt(causes, kube__path_child(q, base, "key"), kinds_str(e, "key"),
			kube__fmt_qualified_name);
	json_array_foreach(values, i, v)
		kube__check_fmt(causes, kube__path_index(q, p, i), json_string_value(v) ?
				json_string_value(v) : "", kube__fmt_label_value);
}

void kube__validate_label_selector(json_t *causes, const json_t *sel, const char *path)
{
	char p[KUBE_PATH_MAX], q[KUBE_PATH_MAX];
	json_t *e;
	size_t i;

	if (!json_is_object(sel))
		return;
	kube__validate_labels(causes, json_object_get(sel, "matchLabels"),
			      kube__path_child(p, path, "matchLabels"));
	kube__path_child(p, path, "matchExpressions");
	json_array_foreach(kube__jarr(sel, "matchExpressions"), i, e)
		validate_requirement(causes, e, kube__path_index(q, p, i));
}

bool kube__selector_empty(const json_t *sel)
{
	return !kube__jnonempty(sel, "matchLabels") && !kube__jnonempty(sel, "matchExpressions");
}

bool kube__map_selector_matches(const json_t *sel, const json_t *labels)
{
	const char *k;
	json_t *v, *have;

	json_object_foreach((json_t *)sel, k, v) {
		have = json_object_get(labels, k);
		if (!json_is_string(have) || !json_is_string(v) ||
		    strcmp(json_string_value(have), json_string_value(v)))
			return false;
	}
	return true;
}

bool kube__selector_matches(const json_t *sel, const json_t *labels)
{
	struct kube_labelsel *ls;
	char err[256];
	bool match;

	if (!json_is_object(sel))
		return false;
	/* upstream checks the template only against a selector that converts;
	 * a bad one is reported by kube__validate_label_selector instead */
	ls = kube__labelsel_from_json(sel, err, sizeof(err));
	if (!ls)
		return true;
	match = kube__labelsel_match(ls, labels);
	kube__labelsel_free(ls);
	return match;
}

/* A quantity JSON value (string, or number as some clients send) parsed. */
static int quantity_of(const json_t *v, struct kube_quantity *q)
{
	char buf[64];

	if (json_is_string(v))
		return kube__quantity_parse(json_string_value(v), q);
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		return kube__quantity_parse(buf, q);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
		return kube__quantity_parse(buf, q);
	}
	return -1;
}

int kube__quantity_json_cmp(const json_t *a, const json_t *b)
{
	struct kube_quantity qa, qb;

	if (quantity_of(a, &qa) || quantity_of(b, &qb))
		return -2;
	return kube__quantity_cmp(&qa, &qb);
}

const char *kube__quantity_json_text(const json_t *v, char *buf, size_t len)
{
	struct kube_quantity q;

	if (quantity_of(v, &q) == 0)
		return kube__quantity_format(&q, buf, len);
	snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "");
	return buf;
}

void kinds_check_quantity(json_t *causes, const json_t *v, const char *path, bool integer)
{
	struct kube_quantity q, zero;
	char text[64];

	/* text that does not parse is the decoder's 400, reported before us */
	if (quantity_of(v, &q) || kube__quantity_parse("0", &zero))
		return;
	kube__quantity_format(&q, text, sizeof(text));
	if (kube__quantity_cmp(&q, &zero) < 0)
		kube__err_invalid_str(causes, path, text, "must be greater than or equal to 0");
	if (integer && kube__quantity_milli(&q) % 1000 != 0)
		kube__err_invalid_raw(causes, path, text, "must be an integer");
}

void kinds_check_quantity_positive(json_t *causes, const json_t *v, const char *path)
{
	struct kube_quantity q, zero;
	char text[64];

	if (quantity_of(v, &q) || kube__quantity_parse("0", &zero))
		return;
	if (kube__quantity_cmp(&q, &zero) <= 0)
		kube__err_invalid_str(causes, path, kube__quantity_format(&q, text, sizeof(text)),
				      "must be greater than zero");
}

bool kube__resource_is_integer(const char *name)
{
	static const char *const counts[] = {
		"pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
		"configmaps", "persistentvolumeclaims", "services.nodeports",
		"services.loadbalancers", NULL,
	};

	for (int i = 0; counts[i]; i++)
		if (!strcmp(name, counts[i]))
			return true;
	if (!strncmp(name, "count/", 6))
		return true;
	/* extended resources: a domain outside kubernetes.io, not requests. */
	return strchr(name, '/') && !strstr(name, "kubernetes.io/") &&
	       strncmp(name, "requests.", 9) != 0;
}
