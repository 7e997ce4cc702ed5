/*
 * Field sets as structured-merge-diff (sigs.k8s.io/structured-merge-diff)
 * defines them, kept as JSON trees in the FieldsV1 layout with explicit
 * membership ("." child). See patch.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch_int.h"

#define MEMBER "."

/* ---- schema reading ----------------------------------------------------- */

const struct kube_schema *kube__child_schema(const struct kube_schema *s, const char *key)
{
	switch (kube__schema_type(s)) {
	case KUBE_SCHEMA_OBJECT:
		return kube__schema_prop(s, key);
	case KUBE_SCHEMA_MAP:
		return kube__schema_items(s);
	default:
		return NULL;
	}
}

enum kube_list_kind kube__list_kind(const struct kube_schema *s,
				    const char *keys[KUBE_LIST_MAX_KEYS])
{
	const char *lt = kube__schema_list_type(s), *mk = kube__schema_merge_key(s);
	const char *const *mkeys = kube__schema_list_map_keys(s);
	int n = 0;

	keys[0] = NULL;
	if (!s || kube__schema_type(s) != KUBE_SCHEMA_ARRAY || !strcmp(lt, "atomic"))
		return KUBE_LIST_ATOMIC;
	if (!strcmp(lt, "set"))
		return KUBE_LIST_SET;
	if (!strcmp(lt, "map") && mkeys) {
		for (; mkeys[n] && n < KUBE_LIST_MAX_KEYS - 1; n++)
			keys[n] = mkeys[n];
		keys[n] = NULL;
		return KUBE_LIST_MAP;
	}
	/* no list-type: the patch strategy decides, as kube-openapi's schemaconv */
	if (strncmp(kube__schema_patch_strategy(s), "merge", 5))
		return KUBE_LIST_ATOMIC;
	if (!*mk)
		return KUBE_LIST_SET;
	keys[0] = mk;
	keys[1] = NULL;
	return KUBE_LIST_MAP;
}

/* Key fields with an OpenAPI default that the tables do not carry:
 * protocol of container, service and endpoint ports ("TCP"). */
static json_t *key_default(const char *field)
{
	return !strcmp(field, "protocol") ? json_string("TCP") : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *kube__list_item_pe(const struct kube_schema *s, const json_t *item, size_t index)
{
	const char *keys[KUBE_LIST_MAX_KEYS];
	enum kube_list_kind kind = kube__list_kind(s, keys);
	char *text = NULL, *pe = NULL;
	json_t *k;
	int n = 0;

	if (kind == KUBE_LIST_ATOMIC) {
		if (asprintf(&pe, "i:%zu", index) < 0)
			return NULL;
		return pe;
	}
	if (kind == KUBE_LIST_SET) {
		text = json_dumps(item, JSON_COMPACT | JSON_ENCODE_ANY);
	} else {
		while (keys[n])
			n++;
		qsort(keys, (size_t)n, sizeof(*keys), cmp_str);
		k = json_object();
		for (int i = 0; i < n; i++) {
			json_t *v = json_object_get(item, keys[i]);

			if (v)
				json_object_set(k, keys[i], v);
			else if ((v = key_default(keys[i])))
				json_object_set_new(k, keys[i], v);
		}
		text = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(k);
	}
	if (!text || asprintf(&pe, "%s:%s", kind == KUBE_LIST_SET ? "v" : "k", text) < 0)
		pe = NULL;
	free(text);
	return pe;
}

/* ---- set primitives ----------------------------------------------------- */

json_t *kube__fieldset_child(json_t *node, const char *pe)
{
	json_t *c = json_object_get(node, pe);

	if (!c) {
		c = json_object();
		json_object_set_new(node, pe, c);
	}
	return c;
}

void kube__fieldset_mark(json_t *node)
{
	if (!json_object_get(node, MEMBER))
		json_object_set_new(node, MEMBER, json_object());
}

static bool is_member(const json_t *node)
{
	return json_object_get(node, MEMBER) != NULL;
}

/* Drop children that are neither members nor lead to one. */
static void prune(json_t *node)
{
	const char *key;
	json_t *c;
	void *tmp;

	json_object_foreach_safe(node, tmp, key, c) {
		if (!strcmp(key, MEMBER))
			continue;
		prune(c);
		if (!json_object_size(c))
			json_object_del(node, key);
	}
}

bool kube__fieldset_empty(const json_t *set)
{
	const char *key;
	json_t *c;

	if (!set)
		return true;
	json_object_foreach((json_t *)set, key, c)
		if (!strcmp(key, MEMBER) || !kube__fieldset_empty(c))
			return false;
	return true;
}

static void union_into(json_t *a, const json_t *b)
{
	const char *key;
	json_t *c;

	json_object_foreach((json_t *)b, key, c) {
		if (!strcmp(key, MEMBER))
			kube__fieldset_mark(a);
		else
			union_into(kube__fieldset_child(a, key), c);
	}
}

json_t *kube__fieldset_union(const json_t *a, const json_t *b)
{
	json_t *out = a ? json_deep_copy(a) : json_object();

	if (b)
		union_into(out, b);
	return out;
}

static void diff_into(json_t *a, const json_t *b)
{
	const char *key;
	json_t *c, *bc;
	void *tmp;

	if (is_member(b))
		json_object_del(a, MEMBER);
	json_object_foreach_safe(a, tmp, key, c) {
		if (strcmp(key, MEMBER) && (bc = json_object_get(b, key)))
			diff_into(c, bc);
	}
}

json_t *kube__fieldset_diff(const json_t *a, const json_t *b)
{
	json_t *out = a ? json_deep_copy(a) : json_object();

	if (b)
		diff_into(out, b);
	prune(out);
	return out;
}

static json_t *inter_of(const json_t *a, const json_t *b)
{
	json_t *out = json_object(), *c, *bc;
	const char *key;

	json_object_foreach((json_t *)a, key, c) {
		if (!(bc = json_object_get(b, key)))
			continue;
		if (!strcmp(key, MEMBER))
			kube__fieldset_mark(out);
		else
			json_object_set_new(out, key, inter_of(c, bc));
	}
	return out;
}

json_t *kube__fieldset_inter(const json_t *a, const json_t *b)
{
	json_t *out = a && b ? inter_of(a, b) : json_object();

	prune(out);
	return out;
}

json_t *kube__fieldset_encode(const json_t *set)
{
	json_t *out = json_object(), *c;
	const char *key;

	json_object_foreach((json_t *)set, key, c) {
		if (strcmp(key, MEMBER))
			json_object_set_new(out, key, kube__fieldset_encode(c));
	}
	if (json_object_size(out) && is_member(set)) {
		/* upstream writes "." first */
		json_t *ordered = json_pack("{s:{}}", MEMBER);

		json_object_update(ordered, out);
		json_decref(out);
		out = ordered;
	}
	return out;
}

json_t *kube__fieldset_decode(const json_t *v1)
{
	json_t *out = json_object(), *c;
	const char *key;

	if (!json_object_size(v1)) {
		kube__fieldset_mark(out);
		return out;
	}
	json_object_foreach((json_t *)v1, key, c) {
		if (!strcmp(key, MEMBER))
			kube__fieldset_mark(out);
		else if (json_is_object(c))
			json_object_set_new(out, key, kube__fieldset_decode(c));
	}
	return out;
}

/* ---- paths as text ------------------------------------------------------ */

/* One path element in Path.String() form appended to @p f. */
static void print_pe(FILE *f, const char *pe)
{
	json_t *v;
	const char *key;
	json_t *kv;
	bool first = true;

	if (!strncmp(pe, "f:", 2)) {
		fprintf(f, ".%s", pe + 2);
		return;
	}
	if (!strncmp(pe, "i:", 2)) {
		fprintf(f, "[%s]", pe + 2);
		return;
	}
	v = json_loads(pe + 2, JSON_DECODE_ANY, NULL);
	if (!strncmp(pe, "v:", 2)) {
		fprintf(f, "[=%s]", pe + 2);
	} else {
		fputc('[', f);
		json_object_foreach(v, key, kv) {
			char *s = json_dumps(kv, JSON_COMPACT | JSON_ENCODE_ANY);

			fprintf(f, "%s%s=%s", first ? "" : ",", key, s ? s : "");
			free(s);
			first = false;
		}
		fputc(']', f);
	}
	json_decref(v);
}

static const char **sorted_keys(const json_t *node, size_t *n)
{
	const char **keys = calloc(json_object_size(node) + 1, sizeof(*keys)), *key;
	json_t *c;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach((json_t *)node, key, c)
		if (strcmp(key, MEMBER))
			keys[(*n)++] = key;
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

/* Members of this level first, then the levels below (Set.Iterate's order). */
static void paths_of(const json_t *node, const char *prefix, json_t *out)
{
	size_t n, i;
	const char **keys = sorted_keys(node, &n);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (int pass = 0; keys && pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			json_t *c = json_object_get(node, keys[i]);

			if (pass == 0 && !is_member(c))
				continue;
			f = open_memstream(&buf, &len);
			if (!f)
				break;
			fputs(prefix, f);
			print_pe(f, keys[i]);
			fclose(f);
			if (pass == 0)
				json_array_append_new(out, json_string(buf));
			else
				paths_of(c, buf, out);
			free(buf);
			buf = NULL;
		}
	}
	free(keys);
}

void kube__fieldset_paths(const json_t *set, json_t *out)
{
	if (set)
		paths_of(set, "", out);
}

/* ---- the set of a value ------------------------------------------------- */

static void set_of(const json_t *v, const struct kube_schema *s, json_t *node);

static void set_of_list(const json_t *v, const struct kube_schema *s, json_t *node)
{
	const char *keys[KUBE_LIST_MAX_KEYS];
	size_t i;
	json_t *item;

	if (kube__list_kind(s, keys) == KUBE_LIST_ATOMIC) {
		kube__fieldset_mark(node);
		return;
	}
	json_array_foreach(v, i, item) {
		char *pe = kube__list_item_pe(s, item, i);
		json_t *c;

		if (!pe)
			continue;
		c = kube__fieldset_child(node, pe);
		set_of(item, kube__schema_items(s), c);
		kube__fieldset_mark(c);
		free(pe);
	}
}

/* toFieldSetWalker: scalars and atomic lists are leaves; map entries that
 * are not declared struct fields, null or {} are members themselves. */
static void set_of(const json_t *v, const struct kube_schema *s, json_t *node)
{
	enum kube_schema_type t = kube__schema_type(s);
	const char *key;
	json_t *c;
	char *pe;

	if (json_is_object(v) && t != KUBE_SCHEMA_OBJECT && t != KUBE_SCHEMA_MAP &&
	    t != KUBE_SCHEMA_ANY) {
		kube__fieldset_mark(node);
		return;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, c) {
			json_t *child;

			if (asprintf(&pe, "f:%s", key) < 0)
				continue;
			child = kube__fieldset_child(node, pe);
			free(pe);
			set_of(c, kube__child_schema(s, key), child);
			if (json_is_null(c) || (json_is_object(c) && !json_object_size(c)) ||
			    t != KUBE_SCHEMA_OBJECT || !kube__schema_prop(s, key))
				kube__fieldset_mark(child);
		}
	} else if (json_is_array(v)) {
		set_of_list(v, s, node);
	} else {
		kube__fieldset_mark(node);
	}
}

json_t *kube__fieldset_of(const json_t *obj, const struct kube_schema *s)
{
	json_t *set = json_object();

	if (json_is_object(obj)) {
		set_of(obj, s, set);
		json_object_del(set, MEMBER);
	}
	prune(set);
	return set;
}
