/*
 * The HTTP/1.1-over-TLS transport, end to end: a server on a private loop in
 * a thread, driven by curl, kubectl and a blocking OpenSSL client.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include "core/api/http_server.h"
#include "core/api/tls.h"
#include "core/status.h"
#include "libkube/errors.h"

/* ---- the server under test, on its own loop thread ---------------------- */

static struct {
	uv_loop_t loop;
	uv_thread_t thread;
	uv_async_t stop;
	kube_http_server *srv;
	kube_pki *pki;
	int port;
	char dir[64];
	int server_freed;
	int stopped;
} H;

static kube_http_req *held;          /* the /stream request, loop thread only */
static int flood_stopped;            /* /flood writes refused (atomic) */
static int stream_closed;            /* close callbacks run (atomic) */

static void respond_text(kube_http_req *r, int code, const char *text)
{
	cr_assert_eq(kube__http_respond(r, code, "text/plain", text, strlen(text)), 0);
}

static void echo(kube_http_req *r)
{
	size_t len, ng;
	const char *body = kube__http_req_body(r, &len);
	const char *const *groups = kube__http_req_groups(r, &ng);
	json_t *g = json_array(), *o;
	char *text;

	for (size_t i = 0; i < ng; i++)
		json_array_append_new(g, json_string(groups[i]));
	o = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:s?, s:i, s:I, s:s?, s:s%}",
		      "method", kube__http_req_method(r), "path", kube__http_req_path(r),
		      "query", kube__http_req_query(r), "user", kube__http_req_user(r),
		      "groups", g, "bearer", kube__http_req_bearer(r),
		      "cert", kube__http_req_cert_state(r), "bodyLen", (json_int_t)len,
		      "xtest", kube__http_req_header(r, "x-test"),
		      "body5", body, len < 5 ? len : 5);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	kube__http_add_header(r, "X-Served-By", "libkube");
	cr_assert_eq(kube__http_respond(r, 200, "application/json", text, strlen(text)), 0);
	free(text);
	json_decref(o);
}

static void on_stream_closed(kube_http_req *r, void *data)
{
	__atomic_add_fetch(&stream_closed, 1, __ATOMIC_SEQ_CST);
	cr_assert(kube__http_req_closed(r));
	cr_assert_eq(kube__http_stream_write(r, "x", 1), KUBE_ESTOPPED);
	if (held == r)
		held = NULL;
	cr_assert_eq(kube__http_stream_end(r), KUBE_ESTOPPED);
}

static void on_later_closed(uv_handle_t *h)
{
	free(h);
}

static void on_later(uv_timer_t *t)
{
	respond_text(t->data, 200, "late");
	uv_close((uv_handle_t *)t, on_later_closed);
}

static void handler(kube_http_req *r, void *data)
{
	const char *p = kube__http_req_path(r);
	static const char version[] =
		"{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\","
		"\"gitCommit\":\"0000000000000000000000000000000000000000\","
		"\"gitTreeState\":\"clean\",\"buildDate\":\"2024-12-11T00:00:00Z\","
		"\"goVersion\":\"go1.23.3\",\"compiler\":\"gc\",\"platform\":\"linux/amd64\"}";

	if (!strcmp(p, "/healthz")) {
		respond_text(r, 200, "ok");
	} else if (!strcmp(p, "/version")) {
		kube__http_respond(r, 200, "application/json", version, sizeof(version) - 1);
	} else if (!strcmp(p, "/echo")) {
		echo(r);
	} else if (!strcmp(p, "/stream")) {
		cr_assert_eq(kube__http_stream_start(r, 200, "application/json"), 0);
		cr_assert_eq(kube__http_add_header(r, "X-Late", "no"), KUBE_EINVAL);
		cr_assert_eq(kube__http_stream_write(r, "first\n", 6), 0);
		kube__http_req_on_close(r, on_stream_closed, NULL);
		held = r;
	} else if (!strcmp(p, "/release") && held) {
		cr_assert_eq(kube__http_stream_write(held, "second\n", 7), 0);
		cr_assert_eq(kube__http_stream_end(held), 0);
		held = NULL;
		respond_text(r, 200, "released");
	} else if (!strcmp(p, "/flood")) {
		static char chunk[256 << 10];
		int rc = 0;

		cr_assert_eq(kube__http_stream_start(r, 200, "application/octet-stream"), 0);
		for (int i = 0; i < 256 && !rc; i++)
			rc = kube__http_stream_write(r, chunk, sizeof(chunk));
		cr_assert_eq(rc, KUBE_ESTOPPED);
		__atomic_add_fetch(&flood_stopped, 1, __ATOMIC_SEQ_CST);
		cr_assert_eq(kube__http_stream_end(r), KUBE_ESTOPPED);
	} else if (!strcmp(p, "/later")) {
		uv_timer_t *t = malloc(sizeof(*t));

		uv_timer_init(&H.loop, t);
		t->data = r;
		uv_timer_start(t, on_later, 50, 0);
	} else {
		json_t *st = kube__status_new(KUBE_ENOTFOUND, "the server could not find the requested resource", NULL);

		kube__http_respond_status(r, st);
		json_decref(st);
	}
}

static void write_pem(const char *name, char *pem)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", H.dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(pem, f);
	fclose(f);
	free(pem);
}

static void on_freed(void *arg)
{
	H.server_freed = 1;
}

static void on_stop(uv_async_t *a)
{
	kube__http_server_close(H.srv, on_freed, NULL);
	uv_close((uv_handle_t *)a, NULL);
}

static void loop_main(void *arg)
{
	uv_run(&H.loop, UV_RUN_DEFAULT);
}

static void start(void (*tune)(kube_http_config *))
{
	kube_http_config cfg;
	const char *orgs[] = { "dev", "ops" };
	X509 *cert;
	EVP_PKEY *key;

	/* Writing to a peer that closed raises SIGPIPE; the cluster's loop
	 * thread blocks it, and so must this process. */
	signal(SIGPIPE, SIG_IGN);
	strcpy(H.dir, "/tmp/kube-http-XXXXXX");
	cr_assert_not_null(mkdtemp(H.dir));
	cr_assert_eq(kube__pki_open(&H.pki, NULL, NULL, 0), 0);
	write_pem("ca.crt", kube__pki_cert_pem(H.pki->ca_cert));
	write_pem("admin.crt", kube__pki_cert_pem(H.pki->admin_cert));
	write_pem("admin.key", kube__pki_key_pem(H.pki->admin_key));
	cr_assert_eq(kube__pki_issue_client(H.pki, "jane", orgs, 2, &cert, &key), 0);
	write_pem("jane.crt", kube__pki_cert_pem(cert));
	write_pem("jane.key", kube__pki_key_pem(key));
	X509_free(cert);
	EVP_PKEY_free(key);

	cr_assert_eq(uv_loop_init(&H.loop), 0);
	kube__http_config_init(&cfg);
	cfg.host = "127.0.0.1";
	cfg.pki = H.pki;
	cfg.handler = handler;
	if (tune)
		tune(&cfg);
	cr_assert_eq(kube__http_server_start(&H.srv, &H.loop, &cfg), 0);
	H.port = kube__http_server_port(H.srv);
	cr_assert_gt(H.port, 0);
	uv_async_init(&H.loop, &H.stop, on_stop);
	cr_assert_eq(uv_thread_create(&H.thread, loop_main, NULL), 0);
}

static void stop(void)
{
	char cmd[128];

	if (!H.stopped) {
		uv_async_send(&H.stop);
		uv_thread_join(&H.thread);
	}
	cr_assert(H.server_freed);
	cr_assert_eq(uv_loop_close(&H.loop), 0, "a handle was left open");
	kube__pki_free(H.pki);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", H.dir);
	cr_assert_eq(system(cmd), 0);
}

static void start_default(void)
{
	start(NULL);
}

/* ---- curl ------------------------------------------------------------- */

/* Run curl with @p args against the server; stdout in @p out. */
static int curl(char *out, size_t cap, const char *args)
{
	char cmd[1024];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && curl -sS --http1.1 --max-time 20 --cacert ca.crt %s 2>&1",
		 H.dir, args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	return pclose(p);
}

#define URL(path) "https://127.0.0.1:%d" path

static void curlf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void curlf(char *out, size_t cap, const char *fmt, ...)
{
	char args[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	cr_assert_eq(curl(out, cap, args), 0, "curl %s: %s", args, out);
}

/* ---- a blocking OpenSSL client ------------------------------------------ */

struct cli {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char buf[1 << 16];
	size_t len;
};

static void cli_timeout(struct cli *c, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Connect and handshake, offering ALPN @p alpn (wire form). Returns 1 when
 * the handshake succeeded with the server verified against the CA. */
static int cli_open(struct cli *c, const char *alpn, X509 *cert, EVP_PKEY *key)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(H.port) };

	memset(c, 0, sizeof(*c));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cli_timeout(c, 5000);
	c->ctx = SSL_CTX_new(TLS_client_method());
	X509_STORE_add_cert(SSL_CTX_get_cert_store(c->ctx), H.pki->ca_cert);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (alpn)
		SSL_CTX_set_alpn_protos(c->ctx, (const unsigned char *)alpn, strlen(alpn));
	if (cert) {
		SSL_CTX_use_certificate(c->ctx, cert);
		SSL_CTX_use_PrivateKey(c->ctx, key);
	}
	c->ssl = SSL_new(c->ctx);
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), "127.0.0.1");
	SSL_set_fd(c->ssl, c->fd);
	return SSL_connect(c->ssl) == 1 && SSL_get_verify_result(c->ssl) == X509_V_OK;
}

static void cli_close(struct cli *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	close(c->fd);
	ERR_clear_error();
}

static void cli_send(struct cli *c, const char *data, size_t len)
{
	cr_assert_eq(SSL_write(c->ssl, data, (int)len), (int)len);
}

#define cli_sends(c, s) cli_send(c, s, strlen(s))

/* Read more; 1 with data, 0 at EOF, -1 on timeout. */
static int cli_more(struct cli *c)
{
	int n = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - 1 - c->len));

	if (n > 0) {
		c->len += n;
		c->buf[c->len] = '\0';
		return 1;
	}
	return SSL_get_error(c->ssl, n) == SSL_ERROR_WANT_READ ? -1 : 0;
}

static int cli_until(struct cli *c, const char *needle)
{
	while (!strstr(c->buf, needle))
		if (cli_more(c) <= 0)
			return 0;
	return 1;
}

/* Whether the server closes the connection within @p ms (no data meanwhile). */
static int cli_closed_within(struct cli *c, int ms)
{
	int r;

	cli_timeout(c, ms);
	r = cli_more(c);
	cli_timeout(c, 5000);
	return r == 0;
}

/* Read one Content-Length response; its status, body in @p body (<= cap). */
static int cli_response(struct cli *c, char *body, size_t cap)
{
	char *end, *cl;
	size_t hlen, blen;
	int status;

	cr_assert(cli_until(c, "\r\n\r\n"), "no response head: %s", c->buf);
	end = strstr(c->buf, "\r\n\r\n");
	hlen = end + 4 - c->buf;
	cl = strcasestr(c->buf, "\r\nContent-Length: ");
	cr_assert(cl && cl < end);
	blen = strtoul(cl + 18, NULL, 10);
	while (c->len < hlen + blen)
		cr_assert_eq(cli_more(c), 1);
	cr_assert_eq(sscanf(c->buf, "HTTP/1.1 %d", &status), 1);
	cr_assert_lt(blen, cap);
	memcpy(body, c->buf + hlen, blen);
	body[blen] = '\0';
	memmove(c->buf, c->buf + hlen + blen, c->len - hlen - blen + 1);
	c->len -= hlen + blen;
	return status;
}

static int wait_for(int *counter, int want, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (__atomic_load_n(counter, __ATOMIC_SEQ_CST) >= want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

TestSuite(http, .init = start_default, .fini = stop);

Test(http, tls_handshake_selects_http11)
{
	struct cli c;
	const unsigned char *proto;
	unsigned len;

	cr_assert(cli_open(&c, "\x02h2\x08http/1.1", NULL, NULL));
	SSL_get0_alpn_selected(c.ssl, &proto, &len);
	cr_assert_eq(len, 8);
	cr_assert_eq(memcmp(proto, "http/1.1", 8), 0);
	cli_close(&c);
	/* A client that only speaks h2 gets no ALPN and may fall back. */
	cr_assert(cli_open(&c, "\x02h2", NULL, NULL));
	SSL_get0_alpn_selected(c.ssl, &proto, &len);
	cr_assert_eq(len, 0);
	cli_close(&c);
}

Test(http, client_cert_identity_reaches_handler)
{
	char out[4096];

	curlf(out, sizeof(out), "--cert jane.crt --key jane.key " URL("/echo?x=1"), H.port);
	cr_assert(strstr(out, "\"user\":\"jane\""), "%s", out);
	cr_assert(strstr(out, "\"groups\":[\"dev\",\"ops\"]"), "%s", out);
	cr_assert(strstr(out, "\"cert\":1"), "%s", out);
	cr_assert(strstr(out, "\"query\":\"x=1\""), "%s", out);
	curlf(out, sizeof(out), "--cert admin.crt --key admin.key " URL("/echo"), H.port);
	cr_assert(strstr(out, "\"user\":\"system:admin\",") || strstr(out, "\"user\":\"system:admin\"}"), "%s", out);
	cr_assert(strstr(out, "\"groups\":[\"system:masters\"]"), "%s", out);
	curlf(out, sizeof(out), URL("/echo"), H.port);
	cr_assert(strstr(out, "\"cert\":0"), "%s", out);
	cr_assert(strstr(out, "\"user\":null"), "%s", out);
}

Test(http, foreign_client_cert_is_reported_invalid)
{
	kube_pki *other;
	X509 *cert;
	EVP_PKEY *key;
	struct cli c;
	char body[4096];

	cr_assert_eq(kube__pki_open(&other, NULL, NULL, 0), 0);
	cr_assert_eq(kube__pki_issue_client(other, "mallory", NULL, 0, &cert, &key), 0);
	cr_assert(cli_open(&c, NULL, cert, key));
	cli_sends(&c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert(strstr(body, "\"cert\":2"), "%s", body);
	cr_assert_null(strstr(body, "mallory"), "%s", body);
	cli_close(&c);
	X509_free(cert);
	EVP_PKEY_free(key);
	kube__pki_free(other);
}

Test(http, bearer_token_and_headers)
{
	char out[4096];

	curlf(out, sizeof(out), "-H 'Authorization: Bearer abc.def' -H 'X-Test: yes' -i " URL("/echo"),
	      H.port);
	cr_assert(strstr(out, "\"bearer\":\"abc.def\""), "%s", out);
	cr_assert(strstr(out, "\"xtest\":\"yes\""), "%s", out);
	cr_assert(strstr(out, "X-Served-By: libkube\r\n"), "%s", out);
	curlf(out, sizeof(out), "-H 'Authorization: Basic Zm9vOmJhcg==' " URL("/echo"), H.port);
	cr_assert(strstr(out, "\"bearer\":null"), "%s", out);
}

Test(http, keep_alive_and_pipelining_in_order)
{
	struct cli c;
	char body[4096];

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /echo?n=1 HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert(strstr(body, "\"query\":\"n=1\""));
	cli_sends(&c, "GET /echo?n=2 HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert(strstr(body, "\"query\":\"n=2\""));
	/* Pipelined, the slow one first: answers keep the request order. */
	cli_sends(&c, "GET /later HTTP/1.1\r\nHost: x\r\n\r\n"
		      "POST /echo?n=3 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
		      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert_str_eq(body, "late");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert(strstr(body, "\"query\":\"n=3\"") && strstr(body, "\"body5\":\"hello\""), "%s", body);
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 404);
	cr_assert(strstr(body, "\"reason\":\"NotFound\""), "%s", body);
	cr_assert_eq(kube__http_server_conns(H.srv), 1);
	cli_close(&c);
}

Test(http, http10_keep_alive_and_date)
{
	struct cli c;
	char body[4096];

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	cr_assert(cli_until(&c, "\r\n\r\n"));
	cr_assert(strstr(c.buf, "\r\nConnection: keep-alive\r\n"), "%s", c.buf);
	cr_assert(strstr(c.buf, " GMT\r\n") && strstr(c.buf, "\r\nDate: "), "%s", c.buf);
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cli_sends(&c, "GET /healthz HTTP/1.0\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert(cli_closed_within(&c, 3000));
	cli_close(&c);
}

Test(http, connection_close_is_honoured)
{
	struct cli c;
	char body[4096];

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert_str_eq(body, "ok");
	cr_assert(cli_closed_within(&c, 3000));
	cli_close(&c);
}

Test(http, chunked_request_body_accepted)
{
	char out[4096], path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/body", H.dir);
	f = fopen(path, "w");
	for (int i = 0; i < 200000; i++)
		fputc('a', f);
	fclose(f);
	curlf(out, sizeof(out), "-H 'Transfer-Encoding: chunked' --data-binary @%s " URL("/echo"),
	      path, H.port);
	cr_assert(strstr(out, "\"bodyLen\":200000"), "%s", out);
	cr_assert(strstr(out, "\"method\":\"POST\""), "%s", out);
}

Test(http, body_over_limit_is_413)
{
	char out[4096], path[128], cmd[256];

	snprintf(path, sizeof(path), "%s/big", H.dir);
	snprintf(cmd, sizeof(cmd), "head -c 4194304 /dev/zero > %s", path);
	cr_assert_eq(system(cmd), 0);
	curlf(out, sizeof(out), "-w '\\n%%{http_code}' --data-binary @%s " URL("/echo"), path, H.port);
	cr_assert(strstr(out, "\n413"), "%s", out);
	cr_assert(strstr(out, "\"message\":\"Request entity too large: limit is 3145728\""), "%s", out);
	cr_assert(strstr(out, "\"reason\":\"RequestEntityTooLarge\""), "%s", out);
	curlf(out, sizeof(out), "-w '\\n%%{http_code}' -H 'Transfer-Encoding: chunked' "
	      "--data-binary @%s " URL("/echo"), path, H.port);
	cr_assert(strstr(out, "\n413"), "%s", out);
}

Test(http, declared_length_over_limit_is_413_at_once)
{
	struct cli c;
	char body[4096];

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "PUT /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 413);
	cr_assert(strstr(body, "\"code\":413"), "%s", body);
	cr_assert(cli_closed_within(&c, 3000));
	cli_close(&c);
}

Test(http, oversized_headers_431_and_garbage_400)
{
	struct cli c;
	char body[4096], *req;

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	req = malloc(200000);
	strcpy(req, "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + strlen(req), 'b', 150000);
	strcpy(req + strlen("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ") + 150000, "\r\n\r\n");
	cli_sends(&c, req);
	free(req);
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 431);
	cli_close(&c);

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "NOT HTTP AT ALL\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 400);
	cr_assert_str_eq(body, "400 Bad Request");
	cr_assert(cli_closed_within(&c, 3000));
	cli_close(&c);
}

Test(http, chunked_stream_arrives_incrementally)
{
	struct cli c;
	char out[256], body[4096];

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert(cli_until(&c, "6\r\nfirst\n\r\n"), "%s", c.buf);
	cr_assert(strstr(c.buf, "HTTP/1.1 200 OK\r\n"));
	cr_assert(strcasestr(c.buf, "Transfer-Encoding: chunked\r\n"));
	cr_assert_null(strstr(c.buf, "second"));
	/* The rest only comes when another connection asks for it. */
	curlf(out, sizeof(out), URL("/release"), H.port);
	cr_assert_str_eq(out, "released");
	cr_assert(cli_until(&c, "7\r\nsecond\n\r\n0\r\n\r\n"), "%s", c.buf);
	c.len = 0;
	c.buf[0] = '\0';
	/* Same connection, next request. */
	cli_sends(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert_eq(__atomic_load_n(&stream_closed, __ATOMIC_SEQ_CST), 0);
	cli_close(&c);
}

Test(http, client_going_away_notifies_stream)
{
	struct cli c;

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert(cli_until(&c, "first\n"));
	cli_close(&c);
	cr_assert(wait_for(&stream_closed, 1, 5000));
}

Test(http, server_close_notifies_open_stream)
{
	struct cli c;

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert(cli_until(&c, "first\n"));
	/* stop() (the fini) closes the server; check the callback ran there. */
	uv_async_send(&H.stop);
	uv_thread_join(&H.thread);
	H.stopped = 1;
	cr_assert_eq(__atomic_load_n(&stream_closed, __ATOMIC_SEQ_CST), 1);
	cr_assert(H.server_freed);
	cr_assert(cli_closed_within(&c, 3000));
	cli_close(&c);
}

static void short_timeouts(kube_http_config *cfg)
{
	cfg->read_timeout_ms = 300;
	cfg->idle_timeout_ms = 300;
}

static void start_short(void)
{
	start(short_timeouts);
}

Test(http_timeouts, slow_request_is_cut_off, .init = start_short, .fini = stop)
{
	struct cli c;
	struct timespec t0, t1;
	long ms;

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cli_sends(&c, "GET /echo HTTP/1.1\r\nHost: x\r\n");
	cr_assert(cli_closed_within(&c, 5000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_assert_lt(ms, 3000);
	cli_close(&c);
}

Test(http_timeouts, idle_keep_alive_is_closed, .init = start_short, .fini = stop)
{
	struct cli c;
	char body[256];

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&c, body, sizeof(body)), 200);
	cr_assert(cli_closed_within(&c, 5000));
	cli_close(&c);
	for (int i = 0; i < 300 && kube__http_server_conns(H.srv); i++)
		usleep(10000);
	cr_assert_eq(kube__http_server_conns(H.srv), 0);
}

Test(http_timeouts, silent_tcp_client_is_cut_off, .init = start_short, .fini = stop)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(H.port) };
	char b;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = { 5, 0 };

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	cr_assert_eq(read(fd, &b, 1), 0, "expected EOF, errno %d", errno);
	close(fd);
}

static void one_conn(kube_http_config *cfg)
{
	cfg->max_conns = 1;
}

static void start_one(void)
{
	start(one_conn);
}

Test(http_limits, max_connections, .init = start_one, .fini = stop)
{
	struct cli a, b;
	char body[256];

	cr_assert(cli_open(&a, NULL, NULL, NULL));
	cr_assert_not(cli_open(&b, NULL, NULL, NULL));
	cli_close(&b);
	cli_sends(&a, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert_eq(cli_response(&a, body, sizeof(body)), 200);
	cli_close(&a);
	for (int i = 0; i < 300 && kube__http_server_conns(H.srv); i++)
		usleep(10000);
	cr_assert(cli_open(&b, NULL, NULL, NULL));
	cli_close(&b);
}

static void small_output(kube_http_config *cfg)
{
	cfg->max_output = 1 << 20;
}

static void start_small_output(void)
{
	start(small_output);
}

Test(http_limits, stream_to_a_client_that_does_not_read_is_cut, .init = start_small_output,
     .fini = stop)
{
	struct cli c;

	cr_assert(cli_open(&c, NULL, NULL, NULL));
	cli_sends(&c, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n");
	cr_assert(wait_for(&flood_stopped, 1, 10000));
	cr_assert_eq(__atomic_load_n(&stream_closed, __ATOMIC_SEQ_CST), 0);
	cli_close(&c);
}

Test(http, kubectl_get_raw_with_generated_kubeconfig)
{
	char server[64], path[128], cmd[512], out[4096];
	FILE *p;
	size_t n;

	if (system("command -v kubectl >/dev/null 2>&1") != 0)
		cr_skip_test("kubectl is not on PATH");
	snprintf(server, sizeof(server), "https://127.0.0.1:%d", H.port);
	snprintf(path, sizeof(path), "%s/kubeconfig", H.dir);
	cr_assert_eq(kube__kubeconfig_write(path, H.pki, server, NULL, NULL), 0);
	snprintf(cmd, sizeof(cmd),
		 "HOME=%s kubectl --kubeconfig %s get --raw /healthz 2>&1 && echo && "
		 "HOME=%s kubectl --kubeconfig %s version -o json 2>&1", H.dir, path, H.dir, path);
	p = popen(cmd, "r");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	cr_assert_eq(pclose(p), 0, "%s", out);
	cr_assert_eq(strncmp(out, "ok\n", 3), 0, "%s", out);
	cr_assert(strstr(out, "\"gitVersion\": \"v1.32.0\""), "%s", out);
}

static void never_called(kube_http_req *r, void *data)
{
	cr_assert_fail("no request expected");
}

static void set_flag(void *arg)
{
	*(int *)arg = 1;
}

Test(http_start, bad_address_and_port_in_use)
{
	uv_loop_t loop;
	kube_http_config cfg;
	kube_http_server *a = NULL, *b = NULL;
	kube_pki *pki;
	int freed = 0;

	cr_assert_eq(kube__pki_open(&pki, NULL, NULL, 0), 0);
	cr_assert_eq(uv_loop_init(&loop), 0);
	kube__http_config_init(&cfg);
	cfg.pki = pki;
	cfg.handler = never_called;
	cr_assert_eq(kube__http_server_start(&a, &loop, &cfg), KUBE_EINVAL);
	cfg.host = "not-an-address";
	cr_assert_eq(kube__http_server_start(&a, &loop, &cfg), KUBE_EINVAL);
	cfg.host = "127.0.0.1";
	cr_assert_eq(kube__http_server_start(&a, &loop, &cfg), 0);
	cfg.port = kube__http_server_port(a);
	cr_assert_eq(kube__http_server_start(&b, &loop, &cfg), KUBE_EIO);
	cr_assert_null(b);
	kube__http_server_close(a, set_flag, &freed);
	cr_assert_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
	cr_assert(freed);
	cr_assert_eq(uv_loop_close(&loop), 0);
	kube__pki_free(pki);
}
