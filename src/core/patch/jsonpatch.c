/*
 * RFC 6902 JSON patch, as evanphx/json-patch v4 (vendored by the API server)
 * applies it. The error texts are that library's; the API server folds them
 * into a generic 422, so they matter for logs and tests more than for
 * clients.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/patch/patch.h"
#include "core/status.h"

/* Where an operation lands: a container (object or array) and a key in it. */
struct target {
	json_t *con;
	char *key; /* decoded (RFC 6901 ~1 and ~0), malloc'd */
};

static int failf(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(char **why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		free(*why);
		*why = NULL;
		va_start(ap, fmt);
		if (vasprintf(why, fmt, ap) < 0)
			*why = NULL;
		va_end(ap);
	}
	return KUBE_EINVALID;
}

/* One reference token, decoded: "~1" is "/", then "~0" is "~", in one pass. */
static char *decode_token(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	for (size_t i = 0; out && i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) {
			*o++ = s[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			*o++ = s[i];
		}
	}
	if (out)
		*o = '\0';
	return out;
}

/* Go's strconv.Atoi: optional sign, decimal digits, nothing else. */
static int go_atoi(const char *s, long long *v, char **why)
{
	const char *p = s + (*s == '+' || *s == '-');
	char *end;

	if (!*p || strspn(p, "0123456789") != strlen(p))
		return failf(why, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return failf(why, "strconv.Atoi: parsing \"%s\": value out of range", s);
	return 0;
}

/* partialArray.get's index rules: negatives count from the end. */
static int array_index(const json_t *a, const char *key, long long *idx, char **why)
{
	long long n = (long long)json_array_size(a);
	int err = go_atoi(key, idx, why);

	if (err)
		return err;
	if (*idx < 0) {
		if (*idx < -n)
			return failf(why, "Unable to access invalid index: %lld: invalid index referenced",
				     *idx);
		*idx += n;
	}
	if (*idx >= n)
		return failf(why, "Unable to access invalid index: %lld: invalid index referenced", *idx);
	return 0;
}

/* The child of a container at a key, NULL when absent (arrays: bad index). */
static json_t *child(json_t *con, const char *key)
{
	long long i;

	if (json_is_object(con))
		return json_object_get(con, key);
	if (array_index(con, key, &i, NULL))
		return NULL;
	return json_array_get(con, (size_t)i);
}

/* findObject: walk all but the last token; the last one is the key. */
static bool find(json_t *doc, const char *path, struct target *t)
{
	const char *seg, *next;
	json_t *cur = doc;

	t->con = NULL;
	t->key = NULL;
	seg = strchr(path, '/');
	if (!seg)
		return false;
	for (seg++; (next = strchr(seg, '/')); seg = next + 1) {
		char *k = decode_token(seg, (size_t)(next - seg));

		cur = k ? child(cur, k) : NULL;
		free(k);
		if (!json_is_object(cur) && !json_is_array(cur))
			return false;
	}
	t->con = cur;
	t->key = decode_token(seg, strlen(seg));
	return t->key != NULL;
}

/* container.add: objects set the key; arrays insert ("-" appends). */
static int con_add(struct target *t, json_t *v, char **why)
{
	long long idx, n;
	int err;

	if (json_is_object(t->con))
		return json_object_set(t->con, t->key, v) ? KUBE_ENOMEM : 0;
	if (!strcmp(t->key, "-"))
		return json_array_append(t->con, v) ? KUBE_ENOMEM : 0;
	err = go_atoi(t->key, &idx, why);
	if (err)
		return failf(why, "value was not a proper array index: '%s': %s", t->key,
			     why && *why ? *why : "");
	n = (long long)json_array_size(t->con) + 1;
	if (idx >= n || idx < -n)
		return failf(why, "Unable to access invalid index: %lld: invalid index referenced", idx);
	if (idx < 0)
		idx += n;
	return json_array_insert(t->con, (size_t)idx, v) ? KUBE_ENOMEM : 0;
}

static int con_remove(struct target *t, char **why)
{
	long long idx;
	int err;

	if (json_is_object(t->con)) {
		if (!json_object_get(t->con, t->key))
			return failf(why, "Unable to remove nonexistent key: %s: missing value", t->key);
		json_object_del(t->con, t->key);
		return 0;
	}
	err = array_index(t->con, t->key, &idx, why);
	if (err)
		return err;
	json_array_remove(t->con, (size_t)idx);
	return 0;
}

/* container.get: a missing object key is no error (the value is nil). */
static int con_get(struct target *t, json_t **v, char **why)
{
	long long idx;
	int err;

	if (json_is_object(t->con)) {
		*v = json_object_get(t->con, t->key);
		return 0;
	}
	err = array_index(t->con, t->key, &idx, why);
	*v = err ? NULL : json_array_get(t->con, (size_t)idx);
	return err;
}

/* Prefix the reason already in *why, as github.com/pkg/errors.Wrapf does. */
static int wrap(char **why, int err, const char *fmt, const char *arg)
{
	char *inner = why ? *why : NULL, *msg = NULL;

	if (!why)
		return err;
	if (asprintf(&msg, fmt, arg) < 0)
		msg = NULL;
	*why = NULL;
	failf(why, "%s: %s", msg ? msg : "", inner ? inner : "");
	free(msg);
	free(inner);
	return err;
}

static const char *op_str(const json_t *op, const char *field)
{
	return json_string_value(json_object_get(op, field));
}

/* A copy of an operation's value (the document must not share the
 * patch's nodes); absent is null, as the library's nil node. */
static json_t *op_value(const json_t *op)
{
	json_t *v = json_object_get(op, "value");

	return v ? json_deep_copy(v) : json_null();
}

static int do_add(json_t *doc, const json_t *op, char **why)
{
	const char *path = op_str(op, "path");
	struct target t;
	json_t *val;
	int err;

	if (!path)
		return failf(why, "add operation failed to decode path: missing value");
	if (!find(doc, path, &t))
		return failf(why, "add operation does not apply: doc is missing path: \"%s\": missing value",
			     path);
	val = op_value(op);
	err = con_add(&t, val, why);
	json_decref(val);
	free(t.key);
	return err ? wrap(why, err, "error in add for path: '%s'", path) : 0;
}

static int do_remove(json_t *doc, const json_t *op, char **why)
{
	const char *path = op_str(op, "path");
	struct target t;
	int err;

	if (!path)
		return failf(why, "remove operation failed to decode path: missing value");
	if (!find(doc, path, &t))
		return failf(why, "remove operation does not apply: doc is missing path: \"%s\": "
			     "missing value", path);
	err = con_remove(&t, why);
	free(t.key);
	return err ? wrap(why, err, "error in remove for path: '%s'", path) : 0;
}

static int do_replace(json_t *doc, const json_t *op, char **why)
{
	const char *path = op_str(op, "path");
	struct target t;
	long long idx;
	int err = 0;

	if (!path)
		return failf(why, "replace operation failed to decode path: operation missing path "
			     "field: missing value");
	if (!find(doc, path, &t))
		return failf(why, "replace operation does not apply: doc is missing path: %s: "
			     "missing value", path);
	/* v4 quirk: a missing object key is no error, replace adds it */
	if (json_is_object(t.con))
		err = json_object_set_new(t.con, t.key, op_value(op)) ? KUBE_ENOMEM : 0;
	else if (array_index(t.con, t.key, &idx, NULL))
		err = failf(why, "replace operation does not apply: doc is missing key: %s: missing value",
			    path);
	else
		err = json_array_set_new(t.con, (size_t)idx, op_value(op)) ? KUBE_ENOMEM : 0;
	free(t.key);
	return err;
}

/* move and copy: read "from", then add the value at "path". */
static int take_from(json_t *doc, const json_t *op, bool move, json_t **val, char **why)
{
	const char *from = op_str(op, "from"), *verb = move ? "move" : "copy";
	struct target t;
	json_t *v;
	int err;

	if (!from)
		return failf(why, "%s operation failed to decode from: operation, missing from field: "
			     "missing value", verb);
	if (!find(doc, from, &t))
		return failf(why, "%s operation does not apply: doc is missing from path: %s: "
			     "missing value", verb, from);
	err = con_get(&t, &v, why);
	if (err) {
		wrap(why, err, move ? "error in move for path: '%s'" : "error in copy for from: '%s'",
		     move ? t.key : from);
		free(t.key);
		return err;
	}
	*val = v ? json_deep_copy(v) : json_null();
	if (move && (err = con_remove(&t, why))) {
		wrap(why, err, "error in move for path: '%s'", t.key);
		json_decref(*val);
	}
	free(t.key);
	return err;
}

static int do_move_copy(json_t *doc, const json_t *op, bool move, char **why)
{
	const char *path, *verb = move ? "move" : "copy";
	struct target t;
	json_t *val = NULL;
	int err = take_from(doc, op, move, &val, why);

	if (err)
		return err;
	path = op_str(op, "path");
	if (!path || !find(doc, path, &t)) {
		json_decref(val);
		if (!path)
			return failf(why, "%s operation failed to decode path: missing value", verb);
		return failf(why, "%s operation does not apply: doc is missing destination path: %s: "
			     "missing value", verb, path);
	}
	err = con_add(&t, val, why);
	json_decref(val);
	free(t.key);
	if (err)
		return wrap(why, err, move ? "error in move for path: '%s'" :
			    "error while adding value during copy%s", move ? path : "");
	return 0;
}

static int do_test(json_t *doc, const json_t *op, char **why)
{
	const char *path = op_str(op, "path");
	struct target t;
	json_t *cur, *want = json_object_get(op, "value");
	int err;

	if (!path)
		return failf(why, "test operation failed to decode path: operation missing path field: "
			     "missing value");
	if (!find(doc, path, &t))
		return failf(why, "test operation does not apply: is missing path: %s: missing value",
			     path);
	err = con_get(&t, &cur, why);
	free(t.key);
	if (err)
		return wrap(why, err, "error in test for path: '%s'", path);
	if ((!cur || json_is_null(cur)) ? (!want || json_is_null(want)) : json_equal(cur, want))
		return 0;
	return failf(why, "testing value %s failed: test failed", path);
}

int kube__json_patch(json_t *doc, const json_t *ops, char **why)
{
	size_t i;
	json_t *op;
	int err = 0;

	if (why)
		*why = NULL;
	if (!json_is_array(ops))
		return KUBE_EINVAL;
	json_array_foreach(ops, i, op) {
		const char *kind = op_str(op, "op");

		if (!json_is_object(op))
			return KUBE_EINVAL;
		if (!kind)
			err = failf(why, "Unexpected kind: unknown");
		else if (!strcmp(kind, "add"))
			err = do_add(doc, op, why);
		else if (!strcmp(kind, "remove"))
			err = do_remove(doc, op, why);
		else if (!strcmp(kind, "replace"))
			err = do_replace(doc, op, why);
		else if (!strcmp(kind, "move"))
			err = do_move_copy(doc, op, true, why);
		else if (!strcmp(kind, "copy"))
			err = do_move_copy(doc, op, false, why);
		else if (!strcmp(kind, "test"))
			err = do_test(doc, op, why);
		else
			err = failf(why, "Unexpected kind: %s", kind);
		if (err)
			return err;
	}
	return 0;
}

json_t *kube__patch_status_unprocessable(void)
{
	/* NewGenericServerResponse(422, ...) with an empty resource: the
	 * library's text is dropped and details stay empty */
	return kube__status_new(KUBE_EINVALID,
				"the server rejected our request due to an error in our request",
				json_object());
}
