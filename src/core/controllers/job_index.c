/*
 * Indexed Jobs (job.h), as upstream's indexed_job_utils.go: the completion
 * index annotation and label, completedIndexes intervals, the indexes
 * still to run and the pods that duplicate an index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/controllers/job.h"

int64_t kube__job_pod_index(const json_t *pod)
{
	const char *v = json_string_value(json_object_get(
		json_object_get(json_object_get(pod, "metadata"), "annotations"), JOB_INDEX_KEY));
	char *end;
	long long ix;

	if (!v || !*v || strspn(v, "0123456789") != strlen(v))
		return -1;
	ix = strtoll(v, &end, 10);
	return ix >= 0 && ix < INT32_MAX ? ix : -1;
}

void kube__job_parse_indexes(const char *s, uint8_t *set, int64_t n)
{
	while (s && *s) {
		char *end;
		long long lo = strtoll(s, &end, 10), hi = lo;

		if (end == s)
			return;
		if (*end == '-')
			hi = strtoll(end + 1, &end, 10);
		for (long long i = lo; i <= hi && i < n; i++)
			if (i >= 0)
				set[i] = 1;
		s = *end == ',' ? end + 1 : NULL;
	}
}

char *kube__job_format_indexes(const uint8_t *set, int64_t n)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	*out = 0;
	for (int64_t i = 0; i < n; i++) {
		int64_t j = i;

		if (!set[i])
			continue;
		while (j + 1 < n && set[j + 1])
			j++;
		if (len + 48 > cap && !(out = realloc(out, cap *= 2)))
			return NULL;
		len += (size_t)(j > i ? sprintf(out + len, "%s%lld-%lld", len ? "," : "",
						(long long)i, (long long)j)
				      : sprintf(out + len, "%s%lld", len ? "," : "", (long long)i));
		i = j;
	}
	return out;
}

int64_t kube__job_count_indexes(const uint8_t *set, int64_t n)
{
	int64_t k = 0;

	for (int64_t i = 0; i < n; i++)
		k += set[i];
	return k;
}

static json_t *ensure(json_t *obj, const char *field)
{
	json_t *v = json_object_get(obj, field);

	if (!json_is_object(v)) {
		v = json_object();
		json_object_set_new(obj, field, v);
	}
	return v;
}

void kube__job_index_template(json_t *tmpl, const char *job_name, int64_t ix)
{
	json_t *meta = ensure(tmpl, "metadata"), *spec = ensure(tmpl, "spec");
	char num[24], *host = NULL;

	snprintf(num, sizeof(num), "%lld", (long long)ix);
	json_object_set_new(ensure(meta, "annotations"), JOB_INDEX_KEY, json_string(num));
	json_object_set_new(ensure(meta, "labels"), JOB_INDEX_KEY, json_string(num));
	if (asprintf(&host, "%s-%s", job_name, num) >= 0)
		json_object_set_new(spec, "hostname", json_string(host));
	free(host);
	host = NULL;
	/* podGenerateNameWithIndex: "<job>-<index>-", the job name cut to fit */
	if (asprintf(&host, "%.*s-%s-", (int)(strlen(job_name) + strlen(num) + 2 > 58
					       ? 58 - strlen(num) - 2 : strlen(job_name)),
		     job_name, num) >= 0)
		json_object_set_new(meta, "generateName", json_string(host));
	free(host);
}

static void add_env(json_t *containers)
{
	json_t *c, *env, *e;
	size_t i, j;
	bool found;

	json_array_foreach(containers, i, c) {
		env = json_object_get(c, "env");
		found = false;
		json_array_foreach(env, j, e)
			found |= json_is_string(json_object_get(e, "name")) &&
				 !strcmp(json_string_value(json_object_get(e, "name")), "JOB_COMPLETION_INDEX");
		if (found)
			continue;
		if (!json_is_array(env)) {
			env = json_array();
			json_object_set_new(c, "env", env);
		}
		/* PodIndexLabel (GA): the value comes from the label */
		json_array_append_new(env, json_pack("{s:s, s:{s:{s:s, s:s}}}", "name",
			"JOB_COMPLETION_INDEX", "valueFrom", "fieldRef", "apiVersion", "v1", "fieldPath",
			"metadata.labels['" JOB_INDEX_KEY "']"));
	}
}

void kube__job_index_env(json_t *pod_spec)
{
	add_env(json_object_get(pod_spec, "initContainers"));
	add_env(json_object_get(pod_spec, "containers"));
}

json_t *kube__job_pending_indexes(const struct job_ctx *x, int64_t want)
{
	uint8_t *busy = calloc((size_t)x->completions + 1, 1);
	json_t *out = json_array(), *p;
	size_t i;

	if (!busy)
		return out;
	json_array_foreach(x->active, i, p) {
		int64_t ix = kube__job_pod_index(p);

		if (ix >= 0 && ix < x->completions)
			busy[ix] = 1;
	}
	for (int64_t ix = 0; ix < x->completions && (int64_t)json_array_size(out) < want; ix++)
		if (!busy[ix] && !x->done_ix[ix])
			json_array_append_new(out, json_integer(ix));
	free(busy);
	return out;
}

json_t *kube__job_bad_index_pods(const struct job_ctx *x)
{
	uint8_t *seen = calloc((size_t)x->completions + 1, 1);
	json_t *out = json_array(), *p;
	size_t i;

	json_array_foreach(x->active, i, p) {
		int64_t ix = kube__job_pod_index(p);

		if (!seen || ix < 0 || ix >= x->completions || seen[ix])
			json_array_append(out, p);
		else
			seen[ix] = 1;
	}
	free(seen);
	return out;
}
