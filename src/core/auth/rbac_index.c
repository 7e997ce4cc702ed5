/*
 * The RBAC index: roles by store key and bindings by subject, kept from one
 * store watch on the rbac group (as upstream's authorizer reads informer
 * caches). A binding is filed under a key per subject:
 *   "<ns>\x1fu:<user name>"  User subjects, and ServiceAccount subjects as
 *                            system:serviceaccount:<ns>:<name>
 *   "<ns>\x1fg:<group>"      Group subjects
 * with <ns> empty for ClusterRoleBindings.
 */
#include <stdlib.h>
#include <string.h>
#include "core/auth/rbac_index.h"

#define RBAC_PREFIX "rbac.authorization.k8s.io/"

/* ---- a small string-keyed hash map ------------------------------------- */

struct smap_ent {
	char *key;
	void *val;
	struct smap_ent *next;
};

struct smap {
	struct smap_ent **b; /* buckets */
	size_t nb, n;        /* bucket count, entries */
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct smap_ent **smap_slot(const struct smap *m, const char *key)
{
	struct smap_ent **e;

	if (!m->nb)
		return NULL;
	for (e = &m->b[hash(key) % m->nb]; *e; e = &(*e)->next)
		if (!strcmp((*e)->key, key))
			return e;
	return e;
}

static void *kube__smap_get(const struct smap *m, const char *key)
{
	struct smap_ent **e = smap_slot(m, key);

	return e && *e ? (*e)->val : NULL;
}

static int smap_grow(struct smap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64;
	struct smap_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return KUBE_ENOMEM;
	for (size_t i = 0; i < m->nb; i++) {
		while (m->b[i]) {
			struct smap_ent *e = m->b[i];

			m->b[i] = e->next;
			e->next = b[hash(e->key) % nb];
			b[hash(e->key) % nb] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

/* Set key -> val (key copied); the previous value is returned in *old. */
static int smap_put(struct smap *m, const char *key, void *val, void **old)
{
	struct smap_ent **slot, *e;

	*old = NULL;
	if (m->n >= m->nb && smap_grow(m))
		return KUBE_ENOMEM;
	slot = smap_slot(m, key);
	if (*slot) {
		*old = (*slot)->val;
		(*slot)->val = val;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return KUBE_ENOMEM;
	}
	e->val = val;
	*slot = e;
	m->n++;
	return 0;
}

/* Remove key; returns its value or NULL. */
static void *smap_del(struct smap *m, const char *key)
{
	struct smap_ent **slot = smap_slot(m, key), *e;
	void *val;

	if (!slot || !*slot)
		return NULL;
	e = *slot;
	*slot = e->next;
	val = e->val;
	free(e->key);
	free(e);
	m->n--;
	return val;
}

static void smap_clear(struct smap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->nb; i++) {
		while (m->b[i]) {
			struct smap_ent *e = m->b[i];

			m->b[i] = e->next;
			if (free_val)
				free_val(e->val);
			free(e->key);
			free(e);
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

/* ---- the index --------------------------------------------------------- */

struct blist {
	struct kube_rbac_binding **v;
	size_t n, cap;
};

struct kube_rbac_index {
	kube_store *store;
	struct store_watch *watch;
	struct smap roles;    /* store key -> json_t rules array (owned) */
	struct smap bindings; /* store key -> struct kube_rbac_binding */
	struct smap subjects; /* subject key -> struct blist */
};

static void binding_free(void *p)
{
	struct kube_rbac_binding *b = p;

	if (!b)
		return;
	free(b->ns);
	free(b->name);
	free(b->role_kind);
	free(b->role_name);
	json_decref(b->subjects);
	free(b);
}

static void rules_free(void *p)
{
	json_decref(p);
}

static void blist_free(void *p)
{
	struct blist *l = p;

	if (l)
		free(l->v);
	free(l);
}

/* The subject key of @p subject in a binding in @p ns ("" cluster); 0 or -1 (never applies). */
static int subject_key(char *buf, size_t len, const char *ns, const json_t *subject)
{
	const char *kind = json_string_value(json_object_get(subject, "kind"));
	const char *name = json_string_value(json_object_get(subject, "name"));
	const char *sans = json_string_value(json_object_get(subject, "namespace"));

	if (!kind || !name)
		return -1;
	if (!strcmp(kind, "User"))
		snprintf(buf, len, "%s\x1fu:%s", ns, name);
	else if (!strcmp(kind, "Group"))
		snprintf(buf, len, "%s\x1fg:%s", ns, name);
	else if (!strcmp(kind, "ServiceAccount")) {
		if (!sans || !*sans)
			sans = ns; /* a RoleBinding's own namespace, as upstream */
		if (!*sans)
			return -1;
		snprintf(buf, len, "%s\x1fu:system:serviceaccount:%s:%s", ns, sans, name);
	} else
		return -1;
	return 0;
}

static int blist_add(struct kube_rbac_index *ix, const char *key, struct kube_rbac_binding *b)
{
	struct blist *l = kube__smap_get(&ix->subjects, key);
	void *old;

	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l || smap_put(&ix->subjects, key, l, &old)) {
			free(l);
			return KUBE_ENOMEM;
		}
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == b)
			return 0; /* two subjects with the same key */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct kube_rbac_binding **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return KUBE_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = b;
	return 0;
}

static void blist_remove(struct kube_rbac_index *ix, const char *key,
			 const struct kube_rbac_binding *b)
{
	struct blist *l = kube__smap_get(&ix->subjects, key);

	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i] == b) {
			l->v[i] = l->v[--l->n];
			break;
		}
	}
	if (!l->n)
		blist_free(smap_del(&ix->subjects, key));
}

/* File @p b under each of its subjects (add) or take it out (!add). */
static int file_binding(struct kube_rbac_index *ix, struct kube_rbac_binding *b, bool add)
{
	size_t i;
	json_t *s;
	char key[1024];

	json_array_foreach(b->subjects, i, s) {
		if (subject_key(key, sizeof(key), b->ns, s))
			continue;
		if (!add)
			blist_remove(ix, key, b);
		else if (blist_add(ix, key, b))
			return KUBE_ENOMEM;
	}
	return 0;
}

static struct kube_rbac_binding *binding_new(const json_t *obj, bool cluster)
{
	struct kube_rbac_binding *b = calloc(1, sizeof(*b));
	const json_t *meta = json_object_get(obj, "metadata"), *ref = json_object_get(obj, "roleRef");
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	const char *kind = json_string_value(json_object_get(ref, "kind"));
	const char *rname = json_string_value(json_object_get(ref, "name"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	json_t *subjects = json_object_get(obj, "subjects");

	if (!b)
		return NULL;
	b->ns = strdup(cluster || !ns ? "" : ns);
	b->name = strdup(name ? name : "");
	b->role_kind = strdup(kind ? kind : "");
	b->role_name = strdup(rname ? rname : "");
	b->subjects = json_is_array(subjects) ? json_deep_copy(subjects) : json_array();
	if (!b->ns || !b->name || !b->role_kind || !b->role_name || !b->subjects) {
		binding_free(b);
		return NULL;
	}
	return b;
}

static void forget(struct kube_rbac_index *ix, const char *key)
{
	struct kube_rbac_binding *b = smap_del(&ix->bindings, key);

	if (b) {
		file_binding(ix, b, false);
		binding_free(b);
	}
	rules_free(smap_del(&ix->roles, key));
}

static bool is_binding_key(const char *key, bool *cluster)
{
	const char *res = key + strlen(RBAC_PREFIX);

	*cluster = !strncmp(res, "clusterrolebindings/", 20);
	return *cluster || !strncmp(res, "rolebindings/", 13);
}

/* Take in the current state of the object at @p key. */
static int learn(struct kube_rbac_index *ix, const char *key, const json_t *obj)
{
	bool cluster;
	void *old = NULL;
	int err;

	forget(ix, key);
	if (is_binding_key(key, &cluster)) {
		struct kube_rbac_binding *b = binding_new(obj, cluster);

		if (!b || smap_put(&ix->bindings, key, b, &old)) {
			binding_free(b);
			return KUBE_ENOMEM;
		}
		return file_binding(ix, b, true);
	}
	json_t *rules = json_object_get(obj, "rules");

	rules = json_is_array(rules) ? json_deep_copy(rules) : json_array();
	err = rules ? smap_put(&ix->roles, key, rules, &old) : KUBE_ENOMEM;
	if (err)
		json_decref(rules);
	return err;
}

static int load_one(const char *key, const json_t *obj, void *data)
{
	return learn(data, key, obj);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct kube_rbac_index *ix = data;

	(void)rev, (void)prev;
	if (type == STORE_DELETED)
		forget(ix, key);
	else
		learn(ix, key, obj);
}

int kube__rbac_index_new(kube_store *s, struct kube_rbac_index **out)
{
	struct kube_rbac_index *ix = calloc(1, sizeof(*ix));
	int err;

	*out = NULL;
	if (!ix)
		return KUBE_ENOMEM;
	ix->store = s;
	err = store_list(s, RBAC_PREFIX, load_one, ix);
	if (!err)
		err = store_watch(s, RBAC_PREFIX, store_revision(s), on_event, ix, &ix->watch);
	if (err) {
		kube__rbac_index_free(ix);
		return err;
	}
	*out = ix;
	return 0;
}

void kube__rbac_index_free(struct kube_rbac_index *ix)
{
	if (!ix)
		return;
	if (ix->watch)
		store_watch_cancel(ix->watch);
	smap_clear(&ix->subjects, blist_free);
	smap_clear(&ix->bindings, binding_free);
	smap_clear(&ix->roles, rules_free);
	free(ix);
}

const json_t *kube__rbac_role_rules(const struct kube_rbac_index *ix, const char *kind,
				    const char *ns, const char *name)
{
	char key[1024];

	if (!strcmp(kind, "ClusterRole"))
		snprintf(key, sizeof(key), RBAC_PREFIX "clusterroles//%s", name);
	else
		snprintf(key, sizeof(key), RBAC_PREFIX "roles/%s/%s", ns, name);
	return kube__smap_get(&ix->roles, key);
}

/* Append the bindings filed under @p key to @p out (duplicates removed later). */
static int gather(const struct kube_rbac_index *ix, const char *key, struct blist *out)
{
	const struct blist *l = kube__smap_get(&ix->subjects, key);

	if (!l || !l->n)
		return 0;
	if (out->n + l->n > out->cap) {
		size_t cap = (out->n + l->n) * 2;
		struct kube_rbac_binding **v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return KUBE_ENOMEM;
		out->v = v;
		out->cap = cap;
	}
	memcpy(out->v + out->n, l->v, l->n * sizeof(*l->v));
	out->n += l->n;
	return 0;
}

static int gather_scope(const struct kube_rbac_index *ix, const struct kube_user *u,
			const char *ns, struct blist *out)
{
	char key[1024];

	snprintf(key, sizeof(key), "%s\x1fu:%s", ns, u->name ? u->name : "");
	if (gather(ix, key, out))
		return KUBE_ENOMEM;
	for (size_t i = 0; i < u->ngroups; i++) {
		snprintf(key, sizeof(key), "%s\x1fg:%s", ns, u->groups[i]);
		if (gather(ix, key, out))
			return KUBE_ENOMEM;
	}
	return 0;
}

/* ClusterRoleBindings first, then RoleBindings, each by name, as a stable order. */
static int by_scope_name(const void *x, const void *y)
{
	const struct kube_rbac_binding *a = *(void *const *)x, *b = *(void *const *)y;
	int c = strcmp(a->ns, b->ns);

	if (c)
		return c;
	c = strcmp(a->name, b->name);
	return c ? c : (a < b ? -1 : a > b);
}

int kube__rbac_bindings_for(const struct kube_rbac_index *ix, const struct kube_user *u,
			    const char *ns, struct kube_rbac_binding ***out, size_t *n)
{
	struct blist l = { 0 };
	size_t w = 0;

	*out = NULL;
	*n = 0;
	if (gather_scope(ix, u, "", &l) || (ns && *ns && gather_scope(ix, u, ns, &l))) {
		free(l.v);
		return KUBE_ENOMEM;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_scope_name);
	for (size_t i = 0; i < l.n; i++)
		if (!w || l.v[w - 1] != l.v[i])
			l.v[w++] = l.v[i];
	*out = l.v;
	*n = w;
	return 0;
}
