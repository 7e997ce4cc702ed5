/*
 * URL paths of the Kubernetes API:
 *   /api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]
 *   /apis/GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]
 * with /api/v1/namespaces/NAME[/SUB] naming the namespace itself.
 */
#include <stdlib.h>
#include <string.h>
#include "core/api/rest.h"
#include "core/status.h"

#define MAX_SEGMENTS 10

static int split(char *path, char **seg)
{
	int n = 0;
	char *save = NULL, *p;

	for (p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGMENTS)
			return -1;
		seg[n++] = p;
	}
	return n;
}

static bool namespace_subresource(const char *s)
{
	return !strcmp(s, "status") || !strcmp(s, "finalize");
}

static int not_found(json_t **st)
{
	return kube__fail(st, KUBE_ENOTFOUND, NULL, NULL, NULL,
			  "the server could not find the requested resource");
}

int kube__rest_parse_path(const char *path, struct kube_api_target *t, json_t **st)
{
	char *copy = strdup(path), *seg[MAX_SEGMENTS];
	int n = split(copy, seg), i;

	memset(t, 0, sizeof(*t));
	if (n < 3)
		goto fail;
	if (!strcmp(seg[0], "api")) {
		t->group = strdup("");
		t->version = strdup(seg[1]);
		i = 2;
	} else if (!strcmp(seg[0], "apis") && n >= 4) {
		t->group = strdup(seg[1]);
		t->version = strdup(seg[2]);
		i = 3;
	} else {
		goto fail;
	}
	/* namespaces/NS/RESOURCE... ; but namespaces/NAME/status|finalize is
	 * the namespace itself */
	if (!strcmp(seg[i], "namespaces") && n - i >= 3 && !namespace_subresource(seg[i + 2])) {
		t->ns = strdup(seg[i + 1]);
		i += 2;
	}
	t->resource = strdup(seg[i++]);
	if (i < n)
		t->name = strdup(seg[i++]);
	if (i < n)
		t->subresource = strdup(seg[i++]);
	if (i < n)
		goto fail;
	t->kind = kube__registry_by_gvr(t->group, t->version, t->resource);
	free(copy);
	return 0;
fail:
	free(copy);
	kube__rest_target_free(t);
	return not_found(st);
}

void kube__rest_target_free(struct kube_api_target *t)
{
	free(t->group);
	free(t->version);
	free(t->ns);
	free(t->name);
	free(t->subresource);
	free(t->resource);
	memset(t, 0, sizeof(*t));
}
