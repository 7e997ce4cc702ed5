/*
 * Query parameters: percent-decoding and the parameters the API knows.
 * Booleans are parsed as Go's strconv.ParseBool (the Python client sends
 * "True").
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/status.h"

int kube__parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

	for (int i = 0; yes[i]; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode in place ('+' is a space in a query). */
static void url_decode(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '+') {
			*w++ = ' ';
		} else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*w++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static int set_bool(bool *out, const char *key, const char *v, json_t **st)
{
	int b = kube__parse_bool(v);

	if (b < 0)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "invalid value for %s: strconv.ParseBool: parsing \"%s\": invalid syntax",
				  key, v);
	*out = b;
	return 0;
}

static int set_int(int64_t *out, const char *key, const char *v, json_t **st)
{
	char *end;

	*out = strtoll(v, &end, 10);
	if (!*v || *end)
		return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
				  "invalid value for %s: strconv.ParseInt: parsing \"%s\": invalid syntax",
				  key, v);
	return 0;
}

static int set_param(struct kube_api_query *q, const char *k, const char *v, json_t **st)
{
	static const struct {
		const char *name;
		size_t off;
	} strings[] = {
		{ "labelSelector", offsetof(struct kube_api_query, label_selector) },
		{ "fieldSelector", offsetof(struct kube_api_query, field_selector) },
		{ "resourceVersion", offsetof(struct kube_api_query, resource_version) },
		{ "resourceVersionMatch", offsetof(struct kube_api_query, resource_version_match) },
		{ "continue", offsetof(struct kube_api_query, cont) },
		{ "fieldManager", offsetof(struct kube_api_query, field_manager) },
		{ "fieldValidation", offsetof(struct kube_api_query, field_validation) },
		{ "propagationPolicy", offsetof(struct kube_api_query, propagation) },
		{ "container", offsetof(struct kube_api_query, container) },
		{ "includeObject", offsetof(struct kube_api_query, include_object) },
	};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (!strcmp(k, strings[i].name)) {
			*(const char **)((char *)q + strings[i].off) = v;
			return 0;
		}
	}
	if (!strcmp(k, "watch"))
		return set_bool(&q->watch, k, v, st);
	if (!strcmp(k, "allowWatchBookmarks"))
		return set_bool(&q->allow_bookmarks, k, v, st);
	if (!strcmp(k, "force"))
		return set_bool(&q->force, k, v, st);
	if (!strcmp(k, "follow"))
		return set_bool(&q->follow, k, v, st);
	if (!strcmp(k, "previous"))
		return set_bool(&q->previous, k, v, st);
	if (!strcmp(k, "timestamps"))
		return set_bool(&q->timestamps, k, v, st);
	if (!strcmp(k, "orphanDependents")) {
		q->orphan_dependents_set = true;
		return set_bool(&q->orphan_dependents, k, v, st);
	}
	if (!strcmp(k, "limit"))
		return set_int(&q->limit, k, v, st);
	if (!strcmp(k, "timeoutSeconds"))
		return set_int(&q->timeout_seconds, k, v, st);
	if (!strcmp(k, "tailLines"))
		return set_int(&q->tail_lines, k, v, st);
	if (!strcmp(k, "gracePeriodSeconds"))
		return set_int(&q->grace_period, k, v, st);
	if (!strcmp(k, "dryRun")) {
		if (strcmp(v, "All"))
			return kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL,
					  "Invalid dry run value: %s: supported value is \"All\"", v);
		q->dry_run = true;
	}
	/* anything else (pretty, timeout, sendInitialEvents, ...) is ignored as upstream does */
	return 0;
}

int kube__rest_parse_query(const char *raw, struct kube_api_query *q, json_t **st)
{
	char *save = NULL, *p;

	memset(q, 0, sizeof(*q));
	q->timeout_seconds = q->tail_lines = q->grace_period = -1;
	if (!raw || !*raw)
		return 0;
	q->raw = strdup(raw);
	for (p = strtok_r(q->raw, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		const char *v = "";

		if (eq) {
			*eq = '\0';
			v = eq + 1;
		}
		url_decode(p);
		url_decode((char *)v);
		if (set_param(q, p, v, st))
			return KUBE_EINVAL;
	}
	return 0;
}

void kube__rest_query_free(struct kube_api_query *q)
{
	free(q->raw);
	memset(q, 0, sizeof(*q));
}
