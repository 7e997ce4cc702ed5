/*
 * The REST front of the API server: one request's parsed form and the
 * handlers that turn it into admission calls (core/ops.h). Everything here
 * runs on the cluster loop.
 */
#ifndef KUBE_CORE_API_REST_H
#define KUBE_CORE_API_REST_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/cluster_internal.h"
#include "core/ops.h"
#include "core/api/http_server.h"
#include "core/auth/auth.h"

struct kube_apiserver;

/* The query parameters the API understands (strings point into `raw`). */
struct kube_api_query {
	char *raw;                    /* decoded copy holding the strings below */
	const char *label_selector;   /* labelSelector */
	const char *field_selector;   /* fieldSelector */
	const char *resource_version; /* resourceVersion */
	const char *resource_version_match; /* resourceVersionMatch */
	const char *cont;             /* continue token */
	const char *field_manager;    /* fieldManager */
	const char *field_validation; /* Strict, Warn, Ignore */
	const char *propagation;      /* propagationPolicy */
	const char *container;        /* pods/log */
	const char *include_object;   /* Tables: None, Metadata, Object */
	int64_t limit;                /* list page size (limit) */
	int64_t timeout_seconds;      /* watch; -1 when absent */
	int64_t tail_lines;           /* pods/log; -1 when absent */
	int64_t grace_period;         /* -1 when absent */
	bool watch;                   /* watch=true */
	bool allow_bookmarks;         /* allowWatchBookmarks */
	bool dry_run;                 /* dryRun=All */
	bool force;                   /* apply: force conflicts */
	bool follow, previous, timestamps; /* pods/log flags */
	bool orphan_dependents_set, orphan_dependents; /* orphanDependents, and whether given */
};

/* A resource request, parsed from the URL. */
struct kube_api_target {
	const struct kube_kind *kind;  /* NULL for non-resource requests */
	char *group, *version;         /* from the path */
	char *ns;                      /* namespace from the path, or NULL */
	char *name;                    /* object name, or NULL */
	char *subresource;             /* "status", "scale", ... or NULL */
	char *resource;                /* the plural from the path */
};

/* One request being served. Freed by kube__rest_finish(). */
struct kube_api_call {
	struct kube_apiserver *srv;    /* the server it came to */
	kube_cluster *c;               /* its cluster */
	kube_http_req *req;            /* the HTTP request (the server owns it) */
	struct kube_user *user;        /* who is asking (auth.h), freed with free() */
	struct kube_api_target t;      /* what the URL names */
	struct kube_api_query q;       /* its query parameters */
	const char *verb;              /* get list watch create update patch delete deletecollection */
	json_t *warnings;              /* strings for Warning: 299 headers */
	bool table;                    /* the client asked for a Table */
	const char *table_include;     /* includeObject for tables */
	bool yaml;                     /* the client asked for YAML */
	void *watch;                   /* an open watch stream */
	char manager_buf[128];         /* a field manager taken from the User-Agent */
	int64_t grace;                 /* a delete's gracePeriodSeconds (o->grace_period points here) */
};

/* The API server (apiserver.c). */
struct kube_apiserver {
	kube_cluster *c;                 /* the cluster served */
	struct kube_pki *pki;            /* CA, serving and client certificates */
	kube_http_server *http;          /* the HTTPS listener */
	struct kube_rest_watch *watches; /* open watch streams, ended on stop */
	char *kubeconfig;               /* admin kubeconfig text */
};

/* Parse the path into @p t. Returns 0, or a Status (404) in *st. */
int kube__rest_parse_path(const char *path, struct kube_api_target *t, json_t **st);
void kube__rest_target_free(struct kube_api_target *t);

/* Parse the query string. 0 or 400 Status in *st. */
int kube__rest_parse_query(const char *raw, struct kube_api_query *q, json_t **st);
void kube__rest_query_free(struct kube_api_query *q);

/* Answer with an object (200/201/...), converting to a Table when asked. */
void kube__rest_reply(struct kube_api_call *a, int code, const json_t *obj);
/* Answer with a Status (its code). */
void kube__rest_fail(struct kube_api_call *a, const json_t *st);
/* Answer with a new Status for err (message printf-style). */
void kube__rest_failf(struct kube_api_call *a, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Free the call (after the reply was sent). */
void kube__rest_call_free(struct kube_api_call *a);

/* The handlers: resource verbs (rest_verbs.c), watch (rest_watch.c),
 * non-resource paths (rest_nonresource.c). Each replies exactly once. */
void kube__rest_serve_resource(struct kube_api_call *a);
void kube__rest_serve_watch(struct kube_api_call *a);
bool kube__rest_serve_nonresource(struct kube_api_call *a);

/* End every open watch stream (server stopping). */
void kube__rest_watches_close(struct kube_apiserver *srv);

/* Decode a request body to one object; NULL with a Status. */
json_t *kube__rest_decode_body(struct kube_api_call *a, json_t **st);

/* Go's strconv.ParseBool. -1 when not a boolean. */
int kube__parse_bool(const char *s);

#endif
