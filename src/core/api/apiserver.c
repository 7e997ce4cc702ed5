/*
 * The API server: owns the PKI and the HTTPS server, authenticates each
 * request, authorizes it, and hands it to the REST handlers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/api/apiserver.h"
#include "core/api/authn.h"
#include "core/api/pki.h"
#include "core/api/protobuf.h"
#include "core/api/rest.h"
#include "core/api/rest_list.h"
#include "core/api/tls.h"
#include "core/codec.h"
#include "core/status.h"

static struct kube_apiserver *server_of(kube_cluster *c)
{
	return c->apiserver;
}

void kube__rest_call_free(struct kube_api_call *a)
{
	if (!a)
		return;
	free(a->user);
	kube__rest_target_free(&a->t);
	kube__rest_query_free(&a->q);
	json_decref(a->warnings);
	free(a);
}

/* Which verb a request is, as RBAC names it. */
static const char *verb_of(const char *method, const struct kube_api_target *t, bool watch)
{
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		return t->name ? "get" : watch ? "watch" : "list";
	if (!strcmp(method, "POST"))
		return "create";
	if (!strcmp(method, "PUT"))
		return "update";
	if (!strcmp(method, "PATCH"))
		return "patch";
	if (!strcmp(method, "DELETE"))
		return t->name ? "delete" : "deletecollection";
	return "unknown";
}

static bool is_health(const char *path)
{
	return !strncmp(path, "/healthz", 8) || !strncmp(path, "/livez", 6) ||
	       !strncmp(path, "/readyz", 7);
}

static void negotiate(struct kube_api_call *a)
{
	const char *accept = kube__http_req_header(a->req, "Accept");

	a->table = accept && strstr(accept, "as=Table") && strstr(accept, "g=meta.k8s.io");
	a->table_include = a->q.include_object ? a->q.include_object : "Metadata";
}

static void handle(kube_http_req *req, void *data)
{
	struct kube_apiserver *srv = data;
	struct kube_api_call *a = calloc(1, sizeof(*a));
	const char *path = kube__http_req_path(req);
	json_t *st = NULL;

	if (!a) {
		kube__http_respond(req, 500, "text/plain", "out of memory", 13);
		return;
	}
	a->srv = srv;
	a->c = srv->c;
	a->req = req;
	a->warnings = json_array();
	if (kube__rest_parse_query(kube__http_req_query(req), &a->q, &st))
		goto fail;
	if (kube__authn(srv, req, &a->user, &st) && !is_health(path))
		goto fail;
	json_decref(st);
	st = NULL;
	if (a->user && kube__impersonate(srv, req, &a->user, &st))
		goto fail;
	negotiate(a);
	if (strcmp(a->table_include, "None") && strcmp(a->table_include, "Metadata") &&
	    strcmp(a->table_include, "Object")) {
		kube__fail(&st, KUBE_EINVAL, NULL, NULL, NULL, "unrecognized includeObject value: \"%s\"",
			   a->table_include);
		goto fail;
	}
	if (kube__rest_serve_nonresource(a))
		return;
	if (kube__rest_parse_path(path, &a->t, &st))
		goto fail;
	a->verb = verb_of(kube__http_req_method(req), &a->t, a->q.watch);
	if (kube__authz(srv, a, &st))
		goto fail;
	if (!a->t.kind && kube__rest_serve_review(a))
		return;
	kube__rest_serve_resource(a);
	return;
fail:
	kube__rest_fail(a, st);
	json_decref(st);
}

/* The kind a request body is: the resource's, a subresource's own
 * (TokenRequest, Eviction, Binding, Scale), or a review resource's. */
static const char *body_kind(struct kube_api_call *a, char *av, size_t len)
{
	static const struct {
		const char *sub, *api_version, *kind;
	} subs[] = {
		{ "token", "authentication.k8s.io/v1", "TokenRequest" },
		{ "eviction", "policy/v1", "Eviction" },
		{ "binding", "v1", "Binding" },
		{ "scale", "autoscaling/v1", "Scale" },
	};
	const char *kind;

	for (size_t i = 0; a->t.subresource && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (!strcmp(a->t.subresource, subs[i].sub)) {
			snprintf(av, len, "%s", subs[i].api_version);
			return subs[i].kind;
		}
	}
	if (a->t.kind)
		return kube__kind_api_version(a->t.kind, av, len), a->t.kind->kind;
	kind = kube__rest_review_kind(a->t.resource);
	if (kind)
		snprintf(av, len, "%s/%s", a->t.group, a->t.version);
	return kind;
}

/* kubectl 1.32 sends some bodies as protobuf and does not retry with JSON. */
static json_t *decode_protobuf(struct kube_api_call *a, const char *body, size_t len, json_t **st)
{
	char av[96];
	const char *kind = body_kind(a, av, sizeof(av));

	if (!kind || !kube__proto_is_supported(av, kind)) {
		kube__fail(st, KUBE_EUNSUPPORTED, NULL, NULL, NULL,
			   "the body of the request was in an unknown format - accepted media types "
			   "include: application/json, application/yaml");
		return NULL;
	}
	return kube__proto_decode_as(body, len, av, kind, st);
}

json_t *kube__rest_decode_body(struct kube_api_call *a, json_t **st)
{
	size_t len = 0;
	const char *body = kube__http_req_body(a->req, &len);
	const char *ctype = kube__http_req_header(a->req, "Content-Type");
	json_t *docs, *obj;

	if (ctype && !strncmp(ctype, "application/vnd.kubernetes.protobuf", 35))
		return decode_protobuf(a, body, len, st);
	if (ctype && strncmp(ctype, "application/json", 16) && strncmp(ctype, "application/yaml", 16) &&
	    !strstr(ctype, "patch+json") && !strstr(ctype, "apply-patch+yaml")) {
		kube__fail(st, KUBE_EUNSUPPORTED, NULL, NULL, NULL,
			   "the body of the request was in an unknown format - accepted media types "
			   "include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
		return NULL;
	}
	docs = kube__parse_docs(body ? body : "", len, st);
	if (!docs)
		return NULL;
	if (json_array_size(docs) != 1) {
		json_decref(docs);
		kube__fail(st, KUBE_EINVAL, NULL, NULL, NULL, "Object 'Kind' is missing in '%.*s'",
			   (int)(len > 64 ? 64 : len), body ? body : "");
		return NULL;
	}
	obj = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	return obj;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port. */
static int split_address(const char *addr, char *host, size_t hlen, int *port)
{
	const char *colon = strrchr(addr, ':');
	size_t n;

	if (!colon || !colon[1])
		return KUBE_EINVAL;
	n = (size_t)(colon - addr);
	if (n && addr[0] == '[' && addr[n - 1] == ']') {
		addr++;
		n -= 2;
	}
	if (n >= hlen)
		return KUBE_EINVAL;
	memcpy(host, addr, n);
	host[n] = '\0';
	*port = atoi(colon + 1);
	return *port >= 0 && *port < 65536 ? 0 : KUBE_EINVAL;
}

static void endpoints_written(int err, const json_t *obj, const json_t *st, void *data)
{
	(void)obj;
	if (err)
		kube__log(data, "cannot publish the kubernetes endpoints: %s",
			  json_string_value(json_object_get(st, "message")));
}

/* The `kubernetes` Endpoints: where the API answers (upstream's endpoint reconciler). */
static void publish_endpoints(kube_cluster *c, const char *host, int port)
{
	const struct kube_kind *ep = kube__registry_by_gvk("v1", "Endpoints");
	const char *ip = *host && strcmp(host, "0.0.0.0") && strcmp(host, "localhost") ? host : "127.0.0.1";
	json_t *obj = json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:[{s:[{s:s}], s:[{s:s, s:i, s:s}]}]}",
				"apiVersion", "v1", "kind", "Endpoints", "metadata", "name", "kubernetes",
				"namespace", "default", "labels", "endpointslice.kubernetes.io/skip-mirror",
				"true", "subsets", "addresses", "ip", ip, "ports", "name", "https", "port",
				port, "protocol", "TCP");
	const json_t *old = kube__op_get(c, ep, "default", "kubernetes", NULL);

	if (old) {
		json_object_set(kube__meta(obj), "resourceVersion",
				json_object_get(json_object_get(old, "metadata"), "resourceVersion"));
		kube__op_update(c, ep, "default", obj, NULL, endpoints_written, c);
	} else {
		kube__op_create(c, ep, "default", obj, NULL, endpoints_written, c);
	}
}

int kube__apiserver_start(kube_cluster *c)
{
	struct kube_apiserver *srv;
	kube_http_config hc;
	char host[256];
	const char *sans[1];
	int port, err;

	if (!c->cfg.api_address)
		return 0;
	if (split_address(c->cfg.api_address, host, sizeof(host), &port))
		return KUBE_EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return KUBE_ENOMEM;
	srv->c = c;
	sans[0] = host;
	err = kube__pki_open(&srv->pki, c->data_dir, sans, *host && strcmp(host, "0.0.0.0") ? 1 : 0);
	if (err)
		goto free_srv;
	kube__http_config_init(&hc);
	hc.host = host;
	hc.port = port;
	hc.pki = srv->pki;
	hc.handler = handle;
	hc.data = srv;
	err = kube__http_server_start(&srv->http, c->loop, &hc);
	if (err)
		goto free_pki;
	c->apiserver = srv;
	kube__log(c, "API server listening on %s:%d", host, kube__http_server_port(srv->http));
	publish_endpoints(c, host, kube__http_server_port(srv->http));
	return 0;
free_pki:
	kube__pki_free(srv->pki);
free_srv:
	free(srv);
	return err;
}

static void http_closed(void *arg)
{
	struct kube_apiserver *srv = arg;

	kube__pki_free(srv->pki);
	free(srv);
}

void kube__apiserver_stop(kube_cluster *c)
{
	struct kube_apiserver *srv = server_of(c);

	if (!srv)
		return;
	c->apiserver = NULL;
	kube__rest_watches_close(srv);
	kube__http_server_close(srv->http, http_closed, srv);
}

int kube__apiserver_port(kube_cluster *c)
{
	struct kube_apiserver *srv = server_of(c);

	return srv ? kube__http_server_port(srv->http) : -1;
}

char *kube__apiserver_kubeconfig(kube_cluster *c)
{
	struct kube_apiserver *srv = server_of(c);
	char host[256], server[320];
	int port;

	if (!srv || split_address(c->cfg.api_address, host, sizeof(host), &port))
		return NULL;
	if (!*host || !strcmp(host, "0.0.0.0"))
		strcpy(host, "127.0.0.1");
	snprintf(server, sizeof(server), strchr(host, ':') ? "https://[%s]:%d" : "https://%s:%d",
		 host, kube__http_server_port(srv->http));
	return kube__kubeconfig_render(srv->pki, server, NULL, NULL);
}
