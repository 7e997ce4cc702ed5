/*
 * kube_wait: block until one object satisfies a condition, as `kubectl wait`
 * does: condition=Type[=value], jsonpath={.path}=value, create, delete.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "core/ops.h"
#include "core/status.h"

enum wait_kind { WAIT_CONDITION, WAIT_JSONPATH, WAIT_CREATE, WAIT_DELETE };

struct wait_spec {
	enum wait_kind kind;
	char *what;     /* condition type, or the JSON path without braces */
	char *value;    /* wanted value ("True" for a bare condition) */
};

struct wait_call {
	struct kube_call call;
	const char *resource, *ns, *name;
	const struct wait_spec *spec;
	char *key;              /* the object's store key */
	struct store_watch *watch;
	pthread_mutex_t *lock;  /* guards met */
	pthread_cond_t *cond;
	bool met;
	bool caller_on_loop;    /* the waiter is the loop itself: it cannot block */
};

static int parse_spec(const char *cond, struct wait_spec *s)
{
	const char *eq;

	memset(s, 0, sizeof(*s));
	if (!cond)
		return KUBE_EINVAL;
	if (!strcmp(cond, "delete")) {
		s->kind = WAIT_DELETE;
		return 0;
	}
	if (!strcmp(cond, "create")) {
		s->kind = WAIT_CREATE;
		return 0;
	}
	if (!strncmp(cond, "condition=", 10)) {
		cond += 10;
		eq = strchr(cond, '=');
		s->kind = WAIT_CONDITION;
		s->what = eq ? strndup(cond, (size_t)(eq - cond)) : strdup(cond);
		s->value = strdup(eq ? eq + 1 : "True");
		return *s->what ? 0 : KUBE_EINVAL;
	}
	if (!strncmp(cond, "jsonpath={", 10)) {
		const char *close = strchr(cond, '}');

		if (!close || close[1] != '=' || cond[10] != '.')
			return KUBE_EINVAL;
		s->kind = WAIT_JSONPATH;
		s->what = strndup(cond + 11, (size_t)(close - cond - 11));
		s->value = strdup(close + 2);
		return 0;
	}
	return KUBE_EINVAL;
}

/* Follow "a.b[2].c" into @p v. */
static const json_t *json_path(const json_t *v, const char *path)
{
	char *copy = strdup(path), *save = NULL, *part;

	for (part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save)) {
		char *br = strchr(part, '[');

		if (br)
			*br = '\0';
		if (*part)
			v = json_object_get(v, part);
		while (br && v) {
			v = json_array_get(v, strtoul(br + 1, NULL, 10));
			br = strchr(br + 1, '[');
		}
	}
	free(copy);
	return v;
}

static bool scalar_equals(const json_t *v, const char *want)
{
	char buf[64];

	if (json_is_string(v))
		return !strcmp(json_string_value(v), want);
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		return !strcmp(buf, want);
	}
	if (json_is_boolean(v))
		return !strcmp(json_is_true(v) ? "true" : "false", want);
	return false;
}

static bool satisfied(const struct wait_spec *s, const json_t *obj)
{
	json_t *c;
	size_t i;

	switch (s->kind) {
	case WAIT_CREATE:
		return obj != NULL;
	case WAIT_DELETE:
		return obj == NULL;
	case WAIT_JSONPATH:
		return obj && scalar_equals(json_path(obj, s->what), s->value);
	case WAIT_CONDITION:
		json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c) {
			const char *type = json_string_value(json_object_get(c, "type"));
			const char *st = json_string_value(json_object_get(c, "status"));

			if (type && st && !strcasecmp(type, s->what))
				return !strcasecmp(st, s->value);
		}
		return false;
	}
	return false;
}

static void mark_met(struct wait_call *w)
{
	pthread_mutex_lock(w->lock);
	w->met = true;
	pthread_cond_signal(w->cond);
	pthread_mutex_unlock(w->lock);
}

static void on_event(enum store_event type, int64_t rev, const char *key, const json_t *obj,
		     const json_t *prev, void *data)
{
	struct wait_call *w = data;

	(void)rev, (void)prev;
	if (strcmp(key, w->key))
		return;
	if (satisfied(w->spec, type == STORE_DELETED ? NULL : obj))
		mark_met(w);
}

static void begin_run(struct kube_call *call)
{
	struct wait_call *w = (struct wait_call *)call;
	const struct kube_kind *k = kube__registry_find(w->resource ? w->resource : "");
	kube_cluster *c = call->c;
	int err;

	if (!k)
		return kube__call_finish(call, KUBE_ENOTFOUND,
					 kube__status_new(KUBE_ENOTFOUND, "the server could not find "
							  "the requested resource", NULL));
	w->key = kube__key(k, w->ns && *w->ns ? w->ns : "default", w->name ? w->name : "");
	if (satisfied(w->spec, store_get(c->store, w->key))) {
		mark_met(w);
		return kube__call_finish(call, 0, NULL);
	}
	if (w->caller_on_loop)   /* cannot block the loop: one check only */
		return kube__call_finish(call, 0, NULL);
	err = store_watch(c->store, w->key, store_revision(c->store), on_event, w, &w->watch);
	kube__call_finish(call, err, NULL);
}

static void end_run(struct kube_call *call)
{
	struct wait_call *w = (struct wait_call *)call;

	store_watch_cancel(w->watch);
	kube__call_finish(call, 0, NULL);
}

static int wait_until(struct wait_call *w, int64_t timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(w->lock);
	while (!w->met && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(w->cond, w->lock, &ts);
	rc = w->met ? 0 : KUBE_ETIMEDOUT;
	pthread_mutex_unlock(w->lock);
	return rc;
}

int kube_wait(kube_cluster *c, const char *resource, const char *ns, const char *name,
	      const char *condition, int64_t timeout_ms)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	struct wait_spec spec;
	struct wait_call w = { .call.run = begin_run, .resource = resource, .ns = ns,
			       .name = name, .spec = &spec, .lock = &lock, .cond = &cond };
	int err;

	err = parse_spec(condition, &spec);
	if (err) {
		kube__set_last_status(kube__status_new(KUBE_EINVAL, "unrecognized condition: "
						       "use condition=TYPE[=VALUE], jsonpath={.PATH}=VALUE, create or delete", NULL));
		goto out;
	}
	w.caller_on_loop = kube__on_loop(c);
	err = kube__call(c, &w.call);
	if (err)
		goto out;
	/* without a watch the answer is already known (met, or asked on the loop) */
	err = w.watch ? wait_until(&w, timeout_ms) : (w.met ? 0 : KUBE_ETIMEDOUT);
	if (w.watch) {
		w.call.run = end_run;
		kube__call(c, &w.call);
	}
	if (err)
		kube__set_last_status(kube__status_new(KUBE_ETIMEDOUT, "timed out waiting for the condition", NULL));
out:
	free(w.key);
	free(spec.what);
	free(spec.value);
	return err;
}
