/*
 * HTTP/1.1 over TLS on a libuv loop: the listener, connections, the TLS pump
 * and request parsing with http_parser. Responses are in http_response.c.
 * See http_server.h for the contract and docs/internals/http.md for the
 * connection life cycle.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/api/http_private.h"
#include "libkube/errors.h"

/* How long a finished connection waits for the client's FIN before
 * closing, so unread input does not turn into an RST that destroys the
 * final response (nginx's lingering close). */
#define LINGER_MS 2000
/* Decrypted input kept while a request is being handled before reading
 * from the socket stops (pipelined requests wait in it). */
#define MAX_PENDING_INPUT (1u << 20)

static void conn_parse(struct http_conn *c);

int kube__http_str_add(struct http_str *b, const char *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *s;

		while (cap < b->len + n + 1)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s)
			return KUBE_ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static void str_consume(struct http_str *b, size_t n)
{
	memmove(b->s, b->s + n, b->len - n);
	b->len -= n;
	if (b->s)
		b->s[b->len] = '\0';
}

/* ---- connection life cycle ------------------------------------------ */

static void server_maybe_free(kube_http_server *s)
{
	void (*done)(void *) = s->done;
	void *arg = s->done_arg;

	if (!s->closing || s->listening || s->conns)
		return;
	SSL_CTX_free(s->ctx);
	free(s->host);
	free(s);
	if (done)
		done(arg);
}

static void conn_free(struct http_conn *c)
{
	kube_http_server *s = c->srv;
	kube_http_req *r = c->req;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!c->rejected)
		s->nconns--;
	kube__tls_free(&c->tls);
	free(c->in.s);
	free(c->peer_cn);
	kube__pki_strv_free(c->peer_orgs);
	free(c);
	if (r) {
		r->conn = NULL;
		if (r->state == HTTP_REQ_PARSING)
			kube__http_req_free(r);
		else if (r->on_close)
			r->on_close(r, r->close_data);
	}
	server_maybe_free(s);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct http_conn *c = h->data;

	if (--c->handles == 0)
		conn_free(c);
}

void kube__http_conn_close(struct http_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void on_timeout(uv_timer_t *t)
{
	kube__http_conn_close(t->data);
}

static void timer_start(struct http_conn *c, unsigned ms, int idle)
{
	c->idle = idle;
	uv_timer_start(&c->timer, on_timeout, ms, 0);
}

/* One queued write and the ciphertext it owns. */
struct conn_write {
	uv_write_t w;   /* libuv's request */
	char *buf;      /* from kube__tls_take(), freed when written */
};

static void on_write(uv_write_t *w, int status)
{
	struct conn_write *cw = (struct conn_write *)w;
	struct http_conn *c = w->handle->data;

	free(cw->buf);
	free(cw);
	if (status < 0)
		kube__http_conn_close(c);
}

/* Hand whatever ciphertext the session produced to the socket. Returns 0,
 * or KUBE_ESTOPPED after closing the connection on failure. */
static int conn_flush(struct http_conn *c)
{
	struct conn_write *cw;
	uv_buf_t b;
	char *buf;
	long n = kube__tls_take(&c->tls, &buf);

	if (n <= 0)
		goto check;
	cw = malloc(sizeof(*cw));
	if (!cw) {
		free(buf);
		n = KUBE_ENOMEM;
		goto check;
	}
	cw->buf = buf;
	b = uv_buf_init(buf, (unsigned)n);
	if (uv_write(&cw->w, (uv_stream_t *)&c->tcp, &b, 1, on_write) < 0) {
		free(buf);
		free(cw);
		n = KUBE_EIO;
		goto check;
	}
	return 0;
check:
	if (n < 0)
		kube__http_conn_close(c);
	return n < 0 ? KUBE_ESTOPPED : 0;
}

int kube__http_conn_send(struct http_conn *c, const void *data, size_t len)
{
	if (c->closing || c->lingering)
		return KUBE_ESTOPPED;
	if (kube__tls_write(&c->tls, data, len) < 0) {
		kube__http_conn_close(c);
		return KUBE_ESTOPPED;
	}
	return conn_flush(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	if (status < 0)
		kube__http_conn_close(req->handle->data);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);

static void conn_read_start(struct http_conn *c)
{
	if (!c->reading && !c->closing) {
		c->reading = 1;
		uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	}
}

void kube__http_conn_linger(struct http_conn *c)
{
	if (c->closing || c->lingering)
		return;
	if (c->req && c->req->state == HTTP_REQ_PARSING) {
		kube__http_req_free(c->req);
		c->req = NULL;
	}
	kube__tls_shutdown(&c->tls);
	if (conn_flush(c))
		return;
	c->lingering = 1;
	if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
		kube__http_conn_close(c);
		return;
	}
	conn_read_start(c);
	timer_start(c, LINGER_MS, 0);
}

void kube__http_conn_done(struct http_conn *c)
{
	kube_http_req *r = c->req;
	int keep = r->keep_alive;

	c->req = NULL;
	kube__http_req_free(r);
	if (c->closing)
		return;
	if (!keep) {
		kube__http_conn_linger(c);
		return;
	}
	timer_start(c, c->srv->cfg.idle_timeout_ms, 1);
	conn_parse(c);
}

/* ---- parser callbacks ------------------------------------------------- */

static struct http_conn *pconn(http_parser *p)
{
	return p->data;
}

static int count_header(struct http_conn *c, size_t len)
{
	c->req->header_bytes += len;
	if (c->req->header_bytes > c->srv->cfg.max_header) {
		c->err_status = 431;
		return -1;
	}
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct http_conn *c = pconn(p);
	kube_http_req *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->conn = c;
	r->state = HTTP_REQ_PARSING;
	memcpy(r->remote, c->remote, sizeof(r->remote));
	c->req = r;
	/* A request's clock starts with its first byte after an idle wait; the
	 * first request's started at accept. */
	if (c->idle)
		timer_start(c, c->srv->cfg.read_timeout_ms, 0);
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = pconn(p);

	if (count_header(c, len))
		return -1;
	return kube__http_str_add(&c->req->url, at, len) ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = pconn(p);
	kube_http_req *r = c->req;

	if (count_header(c, len + 4))
		return -1;
	if (r->in_value || !r->nhdrs) {
		if (r->nhdrs == r->hdr_cap) {
			size_t cap = r->hdr_cap ? 2 * r->hdr_cap : 16;
			struct http_hdr *h = realloc(r->hdrs, cap * sizeof(*h));

			if (!h)
				return -1;
			r->hdrs = h;
			r->hdr_cap = cap;
		}
		memset(&r->hdrs[r->nhdrs++], 0, sizeof(*r->hdrs));
		r->in_value = 0;
	}
	return kube__http_str_add(&r->hdrs[r->nhdrs - 1].name, at, len) ? -1 : 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = pconn(p);
	kube_http_req *r = c->req;

	if (count_header(c, len))
		return -1;
	r->in_value = 1;
	return kube__http_str_add(&r->hdrs[r->nhdrs - 1].value, at, len) ? -1 : 0;
}

/* Upstream's bearer parsing: "<scheme> <token>" with scheme "bearer" in any
 * case; the token is the second space-separated word, never empty. */
static int parse_bearer(kube_http_req *r)
{
	const char *auth = kube__http_req_header(r, "Authorization"), *tok, *end;

	if (!auth)
		return 0;
	while (*auth == ' ' || *auth == '\t')
		auth++;
	if (strncasecmp(auth, "bearer ", 7))
		return 0;
	tok = auth + 7;
	end = strchr(tok, ' ');
	if (!end)
		end = tok + strlen(tok);
	if (end == tok)
		return 0;
	r->bearer = strndup(tok, end - tok);
	return r->bearer ? 0 : -1;
}

static int on_headers_complete(http_parser *p)
{
	struct http_conn *c = pconn(p);
	kube_http_req *r = c->req;
	const char *expect;
	char *q;
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (kube__http_str_add(&r->url, "", 0))
		return -1;
	q = strchr(r->url.s, '?');
	if (q)
		*q++ = '\0';
	r->query = q ? q : "";
	r->method = http_method_str(p->method);
	r->head = p->method == HTTP_HEAD;
	if (parse_bearer(r))
		return -1;
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > c->srv->cfg.max_body) {
		c->err_status = 413;
		return -1;
	}
	expect = kube__http_req_header(r, "Expect");
	if (expect && !strcasecmp(expect, "100-continue") && p->http_minor >= 1 &&
	    (p->content_length > 0 || (p->flags & F_CHUNKED)))
		kube__http_conn_send(c, cont, sizeof(cont) - 1);
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = pconn(p);

	if (c->req->body.len + len > c->srv->cfg.max_body) {
		c->err_status = 413;
		return -1;
	}
	return kube__http_str_add(&c->req->body, at, len) ? -1 : 0;
}

static int on_message_complete(http_parser *p)
{
	kube_http_req *r = pconn(p)->req;

	r->http_major = p->http_major;
	r->http_minor = p->http_minor;
	/* After an Upgrade the bytes that follow are not HTTP: close after. */
	r->keep_alive = http_should_keep_alive(p) && !p->upgrade;
	/* One request at a time: stop here, dispatch, resume after the response. */
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings parser_settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* ---- request dispatch --------------------------------------------------- */

static char **strv_dup(char **v, size_t n)
{
	char **out = calloc(n + 1, sizeof(*out));

	for (size_t i = 0; out && i < n; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			kube__pki_strv_free(out);
			return NULL;
		}
	}
	return out;
}

static int conn_dispatch(struct http_conn *c)
{
	kube_http_req *r = c->req;

	uv_timer_stop(&c->timer);
	r->cert_state = c->peer_state;
	if (c->peer_state == KUBE_TLS_PEER_VERIFIED) {
		r->user = c->peer_cn ? strdup(c->peer_cn) : NULL;
		r->groups = strv_dup(c->peer_orgs, c->peer_norgs);
		r->ngroups = c->peer_norgs;
		if ((c->peer_cn && !r->user) || !r->groups)
			return KUBE_ENOMEM;
	}
	r->state = HTTP_REQ_HANDLING;
	c->srv->cfg.handler(r, c->srv->cfg.data);
	return 0;
}

static int conn_busy(const struct http_conn *c)
{
	return c->closing || c->lingering || (c->req && c->req->state != HTTP_REQ_PARSING);
}

/* Parse buffered input, dispatching each complete request in turn. */
static void conn_parse(struct http_conn *c)
{
	enum http_errno e;
	size_t n;

	if (c->in_parse)
		return;
	c->in_parse = 1;
	while (c->in.len && !conn_busy(c)) {
		n = http_parser_execute(&c->parser, &parser_settings, c->in.s, c->in.len);
		str_consume(&c->in, n);
		e = HTTP_PARSER_ERRNO(&c->parser);
		if (e == HPE_PAUSED) {
			http_parser_pause(&c->parser, 0);
			if (conn_dispatch(c) < 0)
				kube__http_conn_close(c);
			continue;
		}
		if (e != HPE_OK) {
			kube__http_conn_reject(c, c->err_status ? c->err_status :
					       e == HPE_HEADER_OVERFLOW ? 431 : 400);
			break;
		}
		if (!n)
			break;
	}
	c->in_parse = 0;
	if (c->in.len < MAX_PENDING_INPUT)
		conn_read_start(c);
}

/* ---- socket input ---------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct http_conn *c = h->data;

	*buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static int conn_peer(struct http_conn *c)
{
	int st = kube__tls_peer(&c->tls, &c->peer_cn, &c->peer_orgs, &c->peer_norgs);

	if (st < 0)
		return st;
	c->peer_state = st;
	c->peer_done = 1;
	return 0;
}

/* Decrypt everything available into c->in, then parse it. */
static void conn_pump(struct http_conn *c)
{
	char buf[16384];
	int n;

	while ((n = kube__tls_read(&c->tls, buf, sizeof(buf))) > 0)
		if (kube__http_str_add(&c->in, buf, n))
			n = KUBE_ENOMEM;
	if (conn_flush(c))
		return;
	if (n < 0 || (!c->peer_done && kube__tls_ready(&c->tls) && conn_peer(c))) {
		kube__http_conn_close(c);
		return;
	}
	conn_parse(c);
	if (c->in.len >= MAX_PENDING_INPUT && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct http_conn *c = stream->data;

	if (nread == 0)
		return;
	if (nread < 0) {
		kube__http_conn_close(c);
		return;
	}
	if (c->lingering)
		return;
	if (kube__tls_feed(&c->tls, buf->base, nread) < 0) {
		kube__http_conn_close(c);
		return;
	}
	conn_pump(c);
}

/* ---- accepting ---------------------------------------------------------- */

static void conn_remote(struct http_conn *c)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	char ip[64] = "?";
	int port = 0;

	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
			snprintf(c->remote, sizeof(c->remote), "[%s]:%d", ip, port);
			return;
		}
		uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	snprintf(c->remote, sizeof(c->remote), "%s:%d", ip, port);
}

static void on_connection(uv_stream_t *listener, int status)
{
	kube_http_server *s = listener->data;
	struct http_conn *c;

	if (status < 0 || !(c = calloc(1, sizeof(*c))))
		return;
	c->srv = s;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->handles = 2;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 || s->nconns >= s->cfg.max_conns ||
	    kube__tls_init(&c->tls, s->ctx) < 0) {
		c->rejected = 1;
		kube__http_conn_close(c);
		return;
	}
	s->nconns++;
	conn_remote(c);
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	uv_tcp_nodelay(&c->tcp, 1);
	timer_start(c, s->cfg.read_timeout_ms, 0);
	conn_read_start(c);
}

/* ---- the server ---------------------------------------------------------- */

void kube__http_config_init(kube_http_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_body = 3u << 20;
	cfg->max_header = 80u << 10;
	cfg->read_timeout_ms = 32000;
	cfg->idle_timeout_ms = 90000;
	cfg->max_conns = 4096;
	cfg->max_output = 64u << 20;
}

static void on_listener_closed(uv_handle_t *h)
{
	kube_http_server *s = h->data;

	s->listening = 0;
	server_maybe_free(s);
}

static int server_bind(kube_http_server *s)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);

	if (uv_ip4_addr(s->host, s->cfg.port, (struct sockaddr_in *)&ss) &&
	    uv_ip6_addr(s->host, s->cfg.port, (struct sockaddr_in6 *)&ss))
		return KUBE_EINVAL;
	if (uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0) ||
	    uv_listen((uv_stream_t *)&s->listener, 511, on_connection) ||
	    uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len))
		return KUBE_EIO;
	s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
			((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int kube__http_server_start(kube_http_server **out, uv_loop_t *loop,
			    const kube_http_config *cfg)
{
	kube_http_server *s;
	int rc;

	if (!cfg->host || !cfg->pki || !cfg->handler || cfg->port < 0 || cfg->port > 65535)
		return KUBE_EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return KUBE_ENOMEM;
	s->loop = loop;
	s->cfg = *cfg;
	s->host = strdup(cfg->host);
	s->cfg.host = s->host;
	s->ctx = kube__tls_server_ctx(cfg->pki->serving_cert, cfg->pki->serving_key,
				      cfg->pki->ca_cert);
	if (!s->host || !s->ctx || uv_tcp_init(loop, &s->listener)) {
		SSL_CTX_free(s->ctx);
		free(s->host);
		free(s);
		return KUBE_ENOMEM;
	}
	s->listener.data = s;
	s->listening = 1;
	rc = server_bind(s);
	if (rc) {
		s->closing = 1;
		uv_close((uv_handle_t *)&s->listener, on_listener_closed);
		return rc;
	}
	*out = s;
	return 0;
}

int kube__http_server_port(const kube_http_server *s)
{
	return s->port;
}

unsigned kube__http_server_conns(const kube_http_server *s)
{
	return s->nconns;
}

void kube__http_server_close(kube_http_server *s, void (*done)(void *arg), void *arg)
{
	if (s->closing)
		return;
	s->closing = 1;
	s->done = done;
	s->done_arg = arg;
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
	for (struct http_conn *c = s->conns; c; c = c->next)
		kube__http_conn_close(c);
}
