/*
 * Internals shared by http_server.c (listener, connections, TLS, parsing)
 * and http_response.c (request accessors, responses). Not for handlers:
 * they use http_server.h.
 */
#ifndef KUBE_CORE_API_HTTP_PRIVATE_H
#define KUBE_CORE_API_HTTP_PRIVATE_H

#include <http_parser.h>
#include "core/api/http_server.h"
#include "core/api/tls.h"

/* A growable NUL-terminated byte string. */
struct http_str {
	char *s;        /* the bytes, NUL-terminated once anything was appended */
	size_t len;     /* bytes used, excluding the NUL */
	size_t cap;     /* bytes allocated */
};

/* One request header as received. */
struct http_hdr {
	struct http_str name;   /* as sent (case preserved) */
	struct http_str value;  /* as sent, leading/trailing blanks removed by the parser */
};

enum http_req_state {
	HTTP_REQ_PARSING,    /* headers or body still arriving; owned by the connection */
	HTTP_REQ_HANDLING,   /* handed to the handler, no response yet */
	HTTP_REQ_STREAMING,  /* chunked response started */
};

struct http_conn;

struct kube_http_req {
	struct http_conn *conn;      /* NULL once the connection is gone */
	enum http_req_state state;   /* see above */
	const char *method;          /* static string from http_method_str() */
	struct http_str url;         /* path, then (after a NUL) the query */
	const char *query;           /* into url, "" when none */
	struct http_hdr *hdrs;       /* headers in arrival order */
	size_t nhdrs;                /* how many */
	size_t hdr_cap;              /* hdrs allocated */
	int in_value;                /* parser is inside a header value */
	size_t header_bytes;         /* request line + headers so far, for max_header */
	struct http_str body;        /* de-chunked body */
	char *bearer;                /* token from Authorization, or NULL */
	int cert_state;              /* KUBE_TLS_PEER_* of the connection */
	char *user;                  /* verified client cert CN, or NULL */
	char **groups;               /* its O entries, NULL-terminated, or NULL */
	size_t ngroups;              /* how many */
	struct http_str resp_hdrs;   /* extra response header lines, CRLF-terminated */
	unsigned short http_major;   /* protocol version of the request */
	unsigned short http_minor;   /* with http_major */
	int keep_alive;              /* connection may carry another request after this */
	int head;                    /* HEAD: send headers only */
	int chunked;                 /* the stream uses chunked encoding (HTTP/1.1) */
	kube_http_close_cb on_close; /* run if the client goes first */
	void *close_data;            /* its argument */
	char remote[64];             /* peer address, "ip:port" */
};

/* One accepted TCP connection and its TLS session. */
struct http_conn {
	uv_tcp_t tcp;                /* the socket; data points here */
	uv_timer_t timer;            /* read, idle and linger timeouts */
	uv_shutdown_t shutdown;      /* TCP FIN after the last response */
	kube_http_server *srv;       /* owner */
	kube_tls tls;                /* session over memory BIOs */
	http_parser parser;          /* request parser; data points here */
	kube_http_req *req;          /* being parsed or handled; at most one */
	struct http_str in;          /* decrypted bytes not yet parsed */
	int handles;                 /* open uv handles; freed at 0 */
	int peer_state;              /* KUBE_TLS_PEER_* once the handshake is done */
	char *peer_cn;               /* verified client CN */
	char **peer_orgs;            /* its O entries */
	size_t peer_norgs;           /* how many */
	int err_status;              /* 413/431 chosen by a parser callback */
	unsigned peer_done : 1;      /* peer identity extracted */
	unsigned closing : 1;        /* uv_close called */
	unsigned lingering : 1;      /* final response sent, draining input until EOF */
	unsigned in_parse : 1;       /* inside conn_parse(), against recursion */
	unsigned rejected : 1;       /* over max_conns, closed on accept */
	unsigned reading : 1;        /* uv_read_start in effect */
	unsigned idle : 1;           /* the timer measures keep-alive idleness */
	char rbuf[16384];            /* socket read buffer */
	char remote[64];             /* "ip:port" of the peer */
	struct http_conn *prev;      /* server's connection list */
	struct http_conn *next;      /* the list, both ways */
};

struct kube_http_server {
	uv_loop_t *loop;             /* the loop everything runs on */
	uv_tcp_t listener;           /* listening socket */
	SSL_CTX *ctx;                /* TLS settings from the PKI */
	kube_http_config cfg;        /* copy of the configuration */
	char *host;                  /* cfg.host's copy */
	int port;                    /* bound port */
	struct http_conn *conns;     /* every connection, rejected ones included */
	unsigned nconns;             /* open, not rejected */
	int listening;               /* listener handle still open */
	int closing;                 /* kube__http_server_close() called */
	void (*done)(void *arg);     /* close completion */
	void *done_arg;              /* its argument */
};

/* Append @p n bytes; returns 0 or KUBE_ENOMEM. */
int kube__http_str_add(struct http_str *b, const char *data, size_t n);

/* Encrypt and queue @p len bytes of response. Returns 0 or KUBE_ESTOPPED
 * when the connection is closing or failed (it is then closed). */
int kube__http_conn_send(struct http_conn *c, const void *data, size_t len);

/* The current request's response is complete: free it, then read the next
 * request or close the connection. */
void kube__http_conn_done(struct http_conn *c);

/* The last response is queued: send close_notify and FIN, drop a request
 * still being parsed, and drain input until the client closes too. */
void kube__http_conn_linger(struct http_conn *c);

/* Close at once (no lingering). */
void kube__http_conn_close(struct http_conn *c);

/* Free a request and everything it holds (not its connection). */
void kube__http_req_free(kube_http_req *r);

/* Respond from the server itself (400, 413, 431) and close after it. */
void kube__http_conn_reject(struct http_conn *c, int status);

#endif
