/*
 * The API server's transport: HTTP/1.1 over TLS on the cluster's libuv loop.
 *
 * One handler callback receives every request once its headers and body have
 * arrived. Requests on one connection are handed over one at a time, in order
 * (pipelined requests wait until the previous response is complete). The
 * handler answers at once or later, with a whole body or as a chunked stream.
 *
 * Ownership of a request: from the handler call until the handler finishes
 * it with exactly one of kube__http_respond(), kube__http_respond_status(),
 * kube__http_stream_end() or kube__http_req_drop(), the request is valid
 * even if the client goes away meanwhile. Those calls free it. If the
 * connection closes first, the callback set with kube__http_req_on_close()
 * runs (once), the other calls return KUBE_ESTOPPED, and the handler must
 * still finish the request (e.g. kube__http_stream_end(), also allowed
 * inside the callback).
 *
 * Everything here runs on the server's loop thread and never blocks. See
 * docs/internals/http.md.
 */
#ifndef KUBE_CORE_API_HTTP_SERVER_H
#define KUBE_CORE_API_HTTP_SERVER_H

#include <stddef.h>
#include <jansson.h>
#include <uv.h>
#include "core/api/pki.h"

typedef struct kube_http_server kube_http_server;
typedef struct kube_http_req kube_http_req;

/* Called on the loop for each complete request; see the ownership rule above. */
typedef void (*kube_http_handler)(kube_http_req *req, void *data);
/* Called when a request's connection closes before the handler finished it. */
typedef void (*kube_http_close_cb)(kube_http_req *req, void *data);

/* How the server listens and what it tolerates. kube__http_config_init()
 * fills the defaults; host, pki and handler must then be set. */
typedef struct kube_http_config {
	const char *host;            /* address to bind ("127.0.0.1", "::"); copied */
	int port;                    /* TCP port; 0 picks a free one */
	const kube_pki *pki;         /* serving cert/key and the client CA; must outlive the server */
	kube_http_handler handler;   /* receives every request */
	void *data;                  /* handler's argument */
	size_t max_body;             /* larger bodies get 413; default 3 MiB as upstream */
	size_t max_header;           /* request line + headers; larger get 431; default 80 KiB */
	unsigned read_timeout_ms;    /* TLS handshake, and each request from its first byte
	                              * to its last, must finish within this; default 32 s */
	unsigned idle_timeout_ms;    /* keep-alive connection with no request; default 90 s */
	unsigned max_conns;          /* further connections are closed at once; default 4096 */
	size_t max_output;           /* bytes of a stream the kernel would not take yet beyond
	                              * which the client is too slow and is disconnected;
	                              * default 64 MiB */
} kube_http_config;

/* Fill @p cfg with the defaults listed above (no host, pki or handler). */
void kube__http_config_init(kube_http_config *cfg);

/*
 * Listen on cfg->host:cfg->port on @p loop. Returns 0 and the server in
 * *out, KUBE_EINVAL for a bad address or missing pki/handler, KUBE_EIO when
 * the address cannot be bound, KUBE_ENOMEM. After a failure past uv_tcp_init
 * the listener is closed asynchronously: run the loop to release it.
 */
int kube__http_server_start(kube_http_server **out, uv_loop_t *loop,
			    const kube_http_config *cfg);

/* The bound port (useful with port 0). */
int kube__http_server_port(const kube_http_server *s);

/* Connections currently open (rejected ones excluded). */
unsigned kube__http_server_conns(const kube_http_server *s);

/*
 * Stop listening and close every connection at once (their requests' close
 * callbacks run). When every handle is closed the server is freed and
 * @p done (may be NULL) is called with @p arg, from a close callback on the
 * loop. Requests still held by handlers stay valid until finished.
 */
void kube__http_server_close(kube_http_server *s, void (*done)(void *arg), void *arg);

/* ---- the request (read-only accessors; strings live as long as the request) */

/* Method name, "GET". */
const char *kube__http_req_method(const kube_http_req *r);
/* Path as sent, without the query: "/api/v1/pods". */
const char *kube__http_req_path(const kube_http_req *r);
/* Raw query without the '?', "" when none. */
const char *kube__http_req_query(const kube_http_req *r);
/* First value of header @p name (case-insensitive), NULL when absent. */
const char *kube__http_req_header(const kube_http_req *r, const char *name);
/* Header @p i in arrival order (0 <= i < count); returns 0 or KUBE_ENOTFOUND. */
size_t kube__http_req_header_count(const kube_http_req *r);
int kube__http_req_header_at(const kube_http_req *r, size_t i, const char **name,
			     const char **value);
/* The request body (de-chunked), NUL-terminated; *len its length. "" when none. */
const char *kube__http_req_body(const kube_http_req *r, size_t *len);
/* Bearer token from "Authorization: Bearer <token>", NULL when none. */
const char *kube__http_req_bearer(const kube_http_req *r);
/* Client certificate state: KUBE_TLS_PEER_NONE, _VERIFIED or _INVALID (tls.h). */
int kube__http_req_cert_state(const kube_http_req *r);
/* Verified client certificate's subject CN, NULL without one. */
const char *kube__http_req_user(const kube_http_req *r);
/* Its subject O entries (groups); *n of them, NULL-terminated. */
const char *const *kube__http_req_groups(const kube_http_req *r, size_t *n);
/* The peer's address, "127.0.0.1:51234". */
const char *kube__http_req_remote(const kube_http_req *r);
/* Whether the client has gone away (the close callback ran or will). */
int kube__http_req_closed(const kube_http_req *r);

/* Run @p cb(@p r, @p data) if the connection closes before @p r is
 * finished. Replaces an earlier callback; NULL removes it. */
void kube__http_req_on_close(kube_http_req *r, kube_http_close_cb cb, void *data);

/* ---- responding ---------------------------------------------------------- */

/* Add a response header (before responding or starting a stream); copied.
 * Returns 0, KUBE_EINVAL (CR/LF in it, or already responding), KUBE_ENOMEM. */
int kube__http_add_header(kube_http_req *r, const char *name, const char *value);

/*
 * Respond with @p status, Content-Type @p ctype (NULL for none) and @p len
 * bytes of @p body (copied), then free @p r. Returns 0, KUBE_ESTOPPED when
 * the client is gone (r freed all the same), KUBE_EINVAL when @p r is
 * streaming (r is then left as it was).
 */
int kube__http_respond(kube_http_req *r, int status, const char *ctype,
		       const void *body, size_t len);

/* Respond with a Kubernetes Status document (borrowed), its "code" being
 * the HTTP status; otherwise as kube__http_respond(). */
int kube__http_respond_status(kube_http_req *r, const json_t *status);

/* Send the status line and headers of a chunked response. Returns 0,
 * KUBE_ESTOPPED (client gone; finish with kube__http_stream_end()),
 * KUBE_EINVAL if already responding. */
int kube__http_stream_start(kube_http_req *r, int status, const char *ctype);

/* Send @p len bytes as one chunk (nothing for len 0). Returns 0 or
 * KUBE_ESTOPPED when the client is gone or too slow (and was disconnected). */
int kube__http_stream_write(kube_http_req *r, const void *data, size_t len);

/* End the stream and free @p r. Returns 0 or KUBE_ESTOPPED. */
int kube__http_stream_end(kube_http_req *r);

/* Abandon @p r without (finishing) a response: its connection is closed
 * (the close callback is not called) and @p r freed. */
void kube__http_req_drop(kube_http_req *r);

/* The reason phrase of an HTTP status code ("Not Found"); "" if unknown. */
const char *kube__http_reason(int status);

#endif
