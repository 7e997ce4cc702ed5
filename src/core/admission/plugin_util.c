/*
 * Shared pieces of the admission plugins (plugin_util.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/admission/plugin_util.h"
#include "core/ops.h"
#include "core/status.h"

bool kube__admit_is(const struct kube_admission *a, const char *kind)
{
	return !a->status && !*a->k->group && !strcmp(a->k->kind, kind);
}

int kube__admit_forbidden(const struct kube_admission *a, json_t **st, const char *fmt, ...)
{
	const char *name = kube__meta_str(a->obj, "name");
	char msg[2048], res[256];
	va_list ap;

	if (!name || !*name)
		name = kube__meta_str(a->obj, "generateName");
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (*a->k->group)
		snprintf(res, sizeof(res), "%s.%s", a->k->plural, a->k->group);
	else
		snprintf(res, sizeof(res), "%s", a->k->plural);
	return kube__fail(st, KUBE_EFORBIDDEN, a->k->group, a->k->plural, name ? name : "",
			  "%s \"%s\" is forbidden: %s", res, name ? name : "", msg);
}

bool kube__rl_get(const json_t *list, const char *name, struct kube_quantity *q)
{
	json_t *v = json_object_get(list, name);
	char buf[64];

	if (json_is_string(v))
		return !kube__quantity_parse(json_string_value(v), q);
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		return !kube__quantity_parse(buf, q);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%.9f", json_real_value(v));
		return !kube__quantity_parse(buf, q);
	}
	return false;
}

void kube__rl_set(json_t *list, const char *name, const struct kube_quantity *q)
{
	char buf[64];

	json_object_set_new(list, name, json_string(kube__quantity_format(q, buf, sizeof(buf))));
}

void kube__rl_add(json_t *list, const char *name, const struct kube_quantity *q)
{
	struct kube_quantity cur;

	if (!kube__rl_get(list, name, &cur)) {
		kube__rl_set(list, name, q);
		return;
	}
	kube__quantity_add(&cur, q);
	kube__rl_set(list, name, &cur);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *kube__rl_pretty(const json_t *list)
{
	size_t n = json_object_size(list), i = 0, len = 1;
	const char **keys = calloc(n ? n : 1, sizeof(*keys)), *k;
	char *out, buf[64];
	struct kube_quantity q;
	json_t *v;

	if (!keys)
		return NULL;
	json_object_foreach((json_t *)list, k, v)
		keys[i++] = k, len += strlen(k) + 66;
	qsort(keys, n, sizeof(*keys), cmp_str);
	out = calloc(1, len);
	for (i = 0; out && i < n; i++) {
		if (!kube__rl_get(list, keys[i], &q))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, keys[i]);
		strcat(out, "=");
		strcat(out, kube__quantity_format(&q, buf, sizeof(buf)));
	}
	free(keys);
	return out;
}

/*
 * The pod's effective requests or limits (resourcehelper.PodRequests/Limits):
 * the regular containers and restartable (sidecar) init containers add up;
 * each other init container runs alone, with the sidecars started before it.
 */
static json_t *resources_of(const json_t *c, const char *field)
{
	return json_object_get(json_object_get(c, "resources"), field);
}

/* The larger of each resource of @p from into @p into. */
static void max_into(json_t *into, const json_t *from)
{
	struct kube_quantity q, cur;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)from, k, v)
		if (kube__rl_get(from, k, &q) &&
		    (!kube__rl_get(into, k, &cur) || kube__quantity_cmp(&q, &cur) > 0))
			kube__rl_set(into, k, &q);
}

static void add_into(json_t *into, const json_t *from)
{
	struct kube_quantity q;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)from, k, v)
		if (kube__rl_get(from, k, &q))
			kube__rl_add(into, k, &q);
}

json_t *kube__pod_resources(const json_t *spec, const char *field)
{
	json_t *sum = json_object(), *sidecars = json_object(), *init_max = json_object(), *c;
	size_t i;

	json_array_foreach(json_object_get(spec, "containers"), i, c)
		add_into(sum, resources_of(c, field));
	json_array_foreach(json_object_get(spec, "initContainers"), i, c) {
		const char *rp = json_string_value(json_object_get(c, "restartPolicy"));
		json_t *alone;

		if (rp && !strcmp(rp, "Always")) {
			add_into(sum, resources_of(c, field));
			add_into(sidecars, resources_of(c, field));
			continue;
		}
		alone = json_deep_copy(sidecars);
		add_into(alone, resources_of(c, field));
		max_into(init_max, alone);
		json_decref(alone);
	}
	max_into(sum, init_max);
	json_decref(sidecars);
	json_decref(init_max);
	return sum;
}
