/*
 * Server-side apply: structured-merge-diff's Updater.Apply (merge, own,
 * prune, detect conflicts) over the schema tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/managed.h"
#include "core/status.h"

static json_t *merge(const json_t *l, const json_t *r, const struct kube_schema *s);

static json_t *merge_objects(const json_t *l, const json_t *r, const struct kube_schema *s)
{
	json_t *out = json_deep_copy(l), *v;
	const char *key;

	json_object_foreach((json_t *)r, key, v) {
		if (json_is_null(v))
			json_object_del(out, key);
		else
			json_object_set_new(out, key, merge(json_object_get(l, key), v,
							    kube__child_schema(s, key)));
	}
	return out;
}

/* The path elements of a list's items, as a JSON array of strings. */
static json_t *item_pes(const json_t *list, const struct kube_schema *s)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(list, i, v) {
		char *pe = kube__list_item_pe(s, v, i);

		json_array_append_new(out, json_string(pe ? pe : ""));
		free(pe);
	}
	return out;
}

static long find_pe(const json_t *pes, const char *pe)
{
	size_t i;
	json_t *v;

	json_array_foreach(pes, i, v)
		if (!strcmp(json_string_value(v), pe))
			return (long)i;
	return -1;
}

/* The state of one list merge. */
struct list_merge {
	const json_t *l, *r;              /* live and config items */
	json_t *lpe, *rpe;                /* their path elements */
	json_t *shared;                   /* config's items that are also live, in config order */
	size_t next;                      /* index into shared */
	json_t *done;                     /* config items already merged (path elements) */
	json_t *out;
	const struct kube_schema *es;
};

static void take(struct list_merge *m, long li, long ri)
{
	const json_t *lv = li >= 0 ? json_array_get(m->l, (size_t)li) : NULL;
	const json_t *rv = ri >= 0 ? json_array_get(m->r, (size_t)ri) : NULL;
	const char *pe = json_string_value(json_array_get(ri >= 0 ? m->rpe : m->lpe,
							  (size_t)(ri >= 0 ? ri : li)));

	json_array_append_new(m->out, merge(lv, rv, m->es));
	if (ri >= 0) {
		json_array_append_new(m->done, json_string(pe));
		if (m->next < json_array_size(m->shared) &&
		    !strcmp(json_string_value(json_array_get(m->shared, m->next)), pe))
			m->next++;
	}
}

/* mergingWalker.visitListItems: live order, config items where config puts
 * them relative to the items both have. */
static json_t *merge_lists(const json_t *l, const json_t *r, const struct kube_schema *s)
{
	struct list_merge m = { l, r, item_pes(l, s), item_pes(r, s), json_array(), 0,
				json_array(), json_array(), kube__schema_items(s) };
	size_t li = 0, ri = 0, nl = json_array_size(l), nr = json_array_size(r), i;
	json_t *v;

	json_array_foreach(m.rpe, i, v)
		if (find_pe(m.lpe, json_string_value(v)) >= 0)
			json_array_append(m.shared, v);
	while (li < nl || ri < nr) {
		const char *lp = li < nl ? json_string_value(json_array_get(m.lpe, li)) : NULL;

		if (lp && ri < nr && !strcmp(lp, json_string_value(json_array_get(m.rpe, ri)))) {
			take(&m, (long)li++, (long)ri++);
			continue;
		}
		if (lp && find_pe(m.rpe, lp) >= 0 && ri < nr && m.next < json_array_size(m.shared) &&
		    strcmp(json_string_value(json_array_get(m.shared, m.next)), lp)) {
			li++; /* shared, but not the one due now */
			continue;
		}
		if (lp && find_pe(m.rpe, lp) < 0) {
			take(&m, (long)li++, -1);
			continue;
		}
		if (lp && find_pe(m.done, lp) >= 0) {
			li++;
			continue;
		}
		if (ri < nr) {
			const char *rp = json_string_value(json_array_get(m.rpe, ri));

			take(&m, find_pe(m.lpe, rp), (long)ri);
			ri++;
		} else {
			li++;
		}
	}
	json_decref(m.lpe);
	json_decref(m.rpe);
	json_decref(m.shared);
	json_decref(m.done);
	return m.out;
}

/* Live merged with config, config winning (TypedValue.Merge). */
static json_t *merge(const json_t *l, const json_t *r, const struct kube_schema *s)
{
	const char *keys[KUBE_LIST_MAX_KEYS];

	if (!r)
		return json_deep_copy(l);
	if (!l)
		return json_deep_copy(r);
	if (json_is_object(l) && json_is_object(r) && kube__schema_type(s) <= KUBE_SCHEMA_MAP)
		return merge_objects(l, r, s);
	if (json_is_array(l) && json_is_array(r) && kube__list_kind(s, keys) != KUBE_LIST_ATOMIC)
		return merge_lists(l, r, s);
	return json_deep_copy(r);
}

/* ---- pruning ------------------------------------------------------------ */

static bool has_descendants(const json_t *node)
{
	return node && json_object_size(node) > (json_object_get(node, ".") ? 1u : 0u);
}

static void remove_fields(json_t *v, const struct kube_schema *s, const json_t *gone,
			  const json_t *owned);

static void remove_child(json_t *v, json_t *c, const struct kube_schema *cs, const char *pe,
			 const json_t *gone, const json_t *owned, size_t index)
{
	const json_t *g = json_object_get(gone, pe), *o = json_object_get(owned, pe);

	if (json_object_get(g, ".") && !has_descendants(o)) {
		if (json_is_object(v))
			json_object_del(v, pe + 2);
		else
			json_array_remove(v, index);
		return;
	}
	remove_fields(c, cs, g, o);
}

/* Remove what @p gone holds from @p v, keeping nodes @p owned still needs. */
static void remove_fields(json_t *v, const struct kube_schema *s, const json_t *gone,
			  const json_t *owned)
{
	const char *key;
	json_t *c;
	void *tmp;
	char *pe;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, key, c) {
			if (asprintf(&pe, "f:%s", key) < 0)
				continue;
			if (json_object_get(gone, pe))
				remove_child(v, c, kube__child_schema(s, key), pe, gone, owned, 0);
			free(pe);
		}
	} else if (json_is_array(v)) {
		for (i = json_array_size(v); i-- > 0;) {
			c = json_array_get(v, i);
			if (!(pe = kube__list_item_pe(s, c, i)))
				continue;
			if (json_object_get(gone, pe))
				remove_child(v, c, kube__schema_items(s), pe, gone, owned, i);
			free(pe);
		}
	}
}

/* ---- conflicts ---------------------------------------------------------- */

/* printManager: "m", or "m" using apps/v1 for Update managers. */
static char *manager_text(const json_t *m)
{
	const char *sub = json_string_value(json_object_get(m, "subresource"));
	const char *op = json_string_value(json_object_get(m, "operation"));
	char *out = NULL;

	if (asprintf(&out, "\"%s\"%s%s%s%s%s",
		     json_string_value(json_object_get(m, "manager")),
		     sub && *sub ? " with subresource \"" : "", sub && *sub ? sub : "",
		     sub && *sub ? "\"" : "", op && !strcmp(op, "Update") ? " using " : "",
		     op && !strcmp(op, "Update") ?
			     json_string_value(json_object_get(m, "apiVersion")) : "") < 0)
		return NULL;
	return out;
}

static int manager_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "manager")),
		      json_string_value(json_object_get(*(json_t *const *)b, "manager")));
}

/* getConflictMessage: one conflict inline, several grouped by manager. */
static char *conflict_message(json_t **v, size_t n, size_t total)
{
	char *buf = NULL, *msg = NULL;
	size_t len = 0, i, j;
	FILE *f = open_memstream(&buf, &len);
	json_t *p;

	if (!f)
		return NULL;
	for (i = 0; i < n; i++) {
		char *who = manager_text(v[i]);
		json_t *paths = json_object_get(v[i], "paths");

		if (total == 1)
			fprintf(f, "conflict with %s: %s", who, json_string_value(json_array_get(paths, 0)));
		else
			fprintf(f, "%sconflicts with %s:", i ? "\n" : "", who);
		json_array_foreach(paths, j, p)
			if (total > 1)
				fprintf(f, "\n- %s", json_string_value(p));
		free(who);
	}
	fclose(f);
	if (total == 1 && asprintf(&msg, "Apply failed with 1 conflict: %s", buf) < 0)
		msg = NULL;
	if (total > 1 && asprintf(&msg, "Apply failed with %zu conflicts: %s", total, buf) < 0)
		msg = NULL;
	free(buf);
	return msg;
}

/* NewConflictError: 409 Conflict with a FieldManagerConflict cause per path.
 * @p conflicts: [{manager..., paths: [...]}] */
static int conflict_status(json_t *conflicts, json_t **st)
{
	size_t n = json_array_size(conflicts), i, j, total = 0;
	json_t **v = calloc(n + 1, sizeof(*v)), *causes, *p;
	char *msg;

	if (!v || !st) {
		free(v);
		return KUBE_ECONFLICT;
	}
	for (i = 0; i < n; i++) {
		v[i] = json_array_get(conflicts, i);
		total += json_array_size(json_object_get(v[i], "paths"));
	}
	qsort(v, n, sizeof(*v), manager_cmp);
	causes = json_array();
	for (i = 0; i < n; i++) {
		char *who = manager_text(v[i]), *text = NULL;

		if (asprintf(&text, "conflict with %s", who) < 0)
			text = NULL;
		json_array_foreach(json_object_get(v[i], "paths"), j, p)
			json_array_append_new(causes, json_pack("{s:s, s:s, s:s}", "reason",
				"FieldManagerConflict", "message", text ? text : "", "field",
				json_string_value(p)));
		free(text);
		free(who);
	}
	msg = conflict_message(v, n, total);
	*st = kube__status_new(KUBE_ECONFLICT, msg ? msg : "Apply failed",
			       json_pack("{s:o}", "causes", causes));
	free(msg);
	free(v);
	return KUBE_ECONFLICT;
}

/* ---- apply --------------------------------------------------------------- */

/* An object written before server-side apply knew it: everything it holds
 * belongs to an Update manager named "before-first-apply", as upstream. */
static void before_first_apply(json_t *managers, const json_t *live, const struct kube_ssa_ctx *x)
{
	json_t *set = kube__fieldset_of(live, x->schema), *m;

	kube__managed_strip(set, x);
	m = kube__managed_find(managers, "before-first-apply", "Update", x->api_version,
			       x->status ? "status" : "");
	json_object_set_new(m, "set", set);
}

/* A deep copy of @p obj without metadata.managedFields. */
static json_t *without_managed(const json_t *obj)
{
	json_t *c = json_deep_copy(obj);

	json_object_del(json_object_get(c, "metadata"), "managedFields");
	return c;
}

static json_t *owned_by_all(const json_t *managers)
{
	json_t *all = json_object(), *m, *u;
	size_t i;

	json_array_foreach(managers, i, m) {
		u = kube__fieldset_union(all, json_object_get(m, "set"));
		json_decref(all);
		all = u;
	}
	return all;
}

/* Updater.update with the applier as workflow: the fields the apply
 * changes that others own are conflicts; with force they change owner. */
static int settle(json_t *managers, const json_t *me, const json_t *live, const json_t *merged,
		  const struct kube_ssa_ctx *x, bool force, json_t **st)
{
	json_t *mod, *add, *rem, *changed, *conflicts = json_array(), *m;
	size_t i;
	int err = 0;

	kube__fieldset_compare(live, merged, x->schema, &mod, &add, &rem);
	kube__managed_strip(rem, x);
	changed = kube__fieldset_union(mod, add);
	kube__managed_strip(changed, x);
	json_array_foreach(managers, i, m) {
		json_t *c = kube__fieldset_inter(json_object_get(m, "set"), changed), *e;

		if (m != me && !kube__fieldset_empty(c)) {
			e = json_deep_copy(m);
			json_object_set_new(e, "paths", json_array());
			kube__fieldset_paths(c, json_object_get(e, "paths"));
			json_array_append_new(conflicts, e);
		}
		json_decref(c);
	}
	if (json_array_size(conflicts) && !force) {
		err = conflict_status(conflicts, st);
	} else {
		kube__managed_take(managers, me, json_incref(changed));
		kube__managed_take(managers, me, json_incref(rem));
	}
	json_decref(conflicts);
	json_decref(changed);
	json_decref(mod);
	json_decref(add);
	json_decref(rem);
	return err;
}

/* Merge, own and prune (everything of Updater.Apply but the conflicts). */
static json_t *merge_and_prune(json_t *managers, json_t *me, const json_t *live,
			       const json_t *config, const struct kube_ssa_ctx *x)
{
	json_t *last = json_incref(json_object_get(me, "set"));
	json_t *set = kube__fieldset_of(config, x->schema), *merged, *owned, *gone;

	kube__managed_strip(set, x);
	json_object_set_new(me, "set", set);
	json_object_set_new(me, "apiVersion", json_string(x->api_version));
	merged = live ? merge(live, config, x->schema) : json_deep_copy(config);
	owned = owned_by_all(managers);
	gone = kube__fieldset_diff(last, owned);
	remove_fields(merged, x->schema, gone, owned);
	json_decref(gone);
	json_decref(owned);
	json_decref(last);
	return merged;
}

int kube__ssa_apply(const json_t *live, const json_t *config, const struct kube_ssa_ctx *x,
		    bool force, json_t **out, json_t **st)
{
	json_t *managers, *me, *lv = NULL, *merged;
	char ts[32];
	int err;

	*out = NULL;
	if (!json_is_object(config))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "error decoding YAML: the applied configuration is not an object");
	if (json_object_get(json_object_get(config, "metadata"), "managedFields"))
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "metadata.managedFields must be nil");
	if (live && kube__meta_str(live, "uid"))
		lv = without_managed(live);
	managers = lv ? kube__managed_decode(live) : json_array();
	if (lv && !json_array_size(managers))
		before_first_apply(managers, lv, x);
	me = kube__managed_find(managers, x->manager, "Apply", x->api_version,
				x->status ? "status" : "");
	merged = merge_and_prune(managers, me, lv, config, x);
	err = settle(managers, me, lv, merged, x, force, st);
	if (!err) {
		if (!lv || !json_equal(lv, merged))
			json_object_set_new(me, "time",
					    json_string(kube__rfc3339(x->now_ms, ts, sizeof(ts))));
		kube__managed_encode(merged, managers);
		*out = merged;
	} else {
		json_decref(merged);
	}
	json_decref(managers);
	json_decref(lv);
	return err;
}
