/*
 * Non-resource paths: health, version, discovery and OpenAPI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apimeta.h"
#include "core/api/openapi_v2.h"
#include "core/api/rest.h"
#include "core/codec.h"

#define AGGREGATED_CTYPE "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

static void send_doc(struct kube_api_call *a, const char *ctype, json_t *v)
{
	char *body = v ? kube__emit_json(v) : NULL;

	if (!body)
		kube__rest_failf(a, KUBE_ENOTFOUND, "the server could not find the requested resource");
	else {
		kube__http_respond(a->req, 200, ctype, body, strlen(body));
		kube__rest_call_free(a);
	}
	free(body);
	json_decref(v);
}

/* /api, with the address this request reached us on. */
static json_t *api_versions(struct kube_api_call *a)
{
	json_t *v = kube__discovery_api_versions();
	json_t *cidr = json_array_get(json_object_get(v, "serverAddressByClientCIDRs"), 0);
	const char *host = kube__http_req_header(a->req, "Host");

	if (cidr && host)
		json_object_set_new(cidr, "serverAddress", json_string(host));
	return v;
}

static bool wants_aggregated(struct kube_api_call *a)
{
	const char *accept = kube__http_req_header(a->req, "Accept");

	return accept && strstr(accept, "g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
}

static bool accepts_gzip(struct kube_api_call *a)
{
	const char *enc = kube__http_req_header(a->req, "Accept-Encoding");

	return enc && strstr(enc, "gzip");
}

static void serve_openapi(struct kube_api_call *a, const char *doc)
{
	const void *gz;
	size_t len;
	const char *etag;
	char quoted[160], *text;

	if (kube__openapi_v3_gzip(doc, &gz, &len, &etag))
		return kube__rest_failf(a, KUBE_ENOTFOUND, "the server could not find the requested resource");
	snprintf(quoted, sizeof(quoted), "\"%s\"", etag);
	kube__http_add_header(a->req, "Etag", quoted);
	kube__http_add_header(a->req, "Vary", "Accept-Encoding");
	if (accepts_gzip(a)) {
		kube__http_add_header(a->req, "Content-Encoding", "gzip");
		kube__http_respond(a->req, 200, "application/json", gz, len);
	} else if (!kube__openapi_v3_inflate(doc, &text, &len)) {
		kube__http_respond(a->req, 200, "application/json", text, len);
		free(text);
	} else {
		return kube__rest_failf(a, KUBE_EINTERNAL, "cannot read the OpenAPI document");
	}
	kube__rest_call_free(a);
}

static void health(struct kube_api_call *a)
{
	kube__http_respond(a->req, 200, "text/plain; charset=utf-8", "ok", 2);
	kube__rest_call_free(a);
}

/* /apis/GROUP and /apis/GROUP/VERSION (legacy discovery) */
static bool serve_group_path(struct kube_api_call *a, const char *path)
{
	char group[128], version[32];
	const char *slash;

	if (strncmp(path, "/apis/", 6))
		return false;
	path += 6;
	slash = strchr(path, '/');
	if (!slash) {
		send_doc(a, "application/json", kube__discovery_group(path));
		return true;
	}
	if (strchr(slash + 1, '/') || (size_t)(slash - path) >= sizeof(group) ||
	    strlen(slash + 1) >= sizeof(version))
		return false;
	memcpy(group, path, (size_t)(slash - path));
	group[slash - path] = '\0';
	strcpy(version, slash + 1);
	send_doc(a, "application/json", kube__discovery_resource_list(group, version));
	return true;
}

bool kube__rest_serve_nonresource(struct kube_api_call *a)
{
	const char *path = kube__http_req_path(a->req);
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!strncmp(path, "/healthz", 8) || !strncmp(path, "/livez", 6) || !strncmp(path, "/readyz", 7))
		return health(a), true;
	if (n == 8 && !strncmp(path, "/version", 8))
		return send_doc(a, "application/json", kube__api_version_info()), true;
	if (n == 4 && !strncmp(path, "/api", 4))
		return wants_aggregated(a) ? send_doc(a, AGGREGATED_CTYPE, kube__discovery_aggregated(true))
					   : send_doc(a, "application/json", api_versions(a)), true;
	if (n == 5 && !strncmp(path, "/apis", 5))
		return wants_aggregated(a) ? send_doc(a, AGGREGATED_CTYPE, kube__discovery_aggregated(false))
					   : send_doc(a, "application/json", kube__discovery_group_list()), true;
	if (n == 7 && !strncmp(path, "/api/v1", 7))
		return send_doc(a, "application/json", kube__discovery_resource_list("", "v1")), true;
	if (n == 11 && !strncmp(path, "/openapi/v2", 11))
		return kube__rest_serve_openapi_v2(a), true;
	if (n == 11 && !strncmp(path, "/openapi/v3", 11))
		return send_doc(a, "application/json", kube__openapi_v3_index()), true;
	if (!strncmp(path, "/openapi/v3/", 12))
		return serve_openapi(a, path + 12), true;
	if (serve_group_path(a, path))
		return true;
	return false;
}
