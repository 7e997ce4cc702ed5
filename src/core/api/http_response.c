/*
 * Request accessors and responses (whole or chunked) for the API server's
 * HTTP layer; see http_server.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "core/api/http_private.h"
#include "core/status.h"
#include "libkube/errors.h"

static const struct {
	int code;
	const char *text;
} reasons[] = {
	{ 100, "Continue" }, { 101, "Switching Protocols" }, { 200, "OK" },
	{ 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
	{ 206, "Partial Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" }, { 408, "Request Timeout" },
	{ 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
	{ 412, "Precondition Failed" }, { 413, "Request Entity Too Large" },
	{ 415, "Unsupported Media Type" }, { 417, "Expectation Failed" },
	{ 422, "Unprocessable Entity" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" }, { 500, "Internal Server Error" },
	{ 501, "Not Implemented" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *kube__http_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "";
}

void kube__http_req_free(kube_http_req *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name.s);
		free(r->hdrs[i].value.s);
	}
	free(r->hdrs);
	free(r->url.s);
	free(r->body.s);
	free(r->bearer);
	free(r->user);
	kube__pki_strv_free(r->groups);
	free(r->resp_hdrs.s);
	free(r);
}

/* ---- accessors ------------------------------------------------------------ */

const char *kube__http_req_method(const kube_http_req *r) { return r->method; }
const char *kube__http_req_path(const kube_http_req *r) { return r->url.s; }
const char *kube__http_req_query(const kube_http_req *r) { return r->query; }
const char *kube__http_req_bearer(const kube_http_req *r) { return r->bearer; }
int kube__http_req_cert_state(const kube_http_req *r) { return r->cert_state; }
const char *kube__http_req_user(const kube_http_req *r) { return r->user; }
const char *kube__http_req_remote(const kube_http_req *r) { return r->remote; }
size_t kube__http_req_header_count(const kube_http_req *r) { return r->nhdrs; }

const char *kube__http_req_header(const kube_http_req *r, const char *name)
{
	for (size_t i = 0; i < r->nhdrs; i++)
		if (r->hdrs[i].name.s && !strcasecmp(r->hdrs[i].name.s, name))
			return r->hdrs[i].value.s ? r->hdrs[i].value.s : "";
	return NULL;
}

int kube__http_req_header_at(const kube_http_req *r, size_t i, const char **name,
			     const char **value)
{
	if (i >= r->nhdrs)
		return KUBE_ENOTFOUND;
	*name = r->hdrs[i].name.s ? r->hdrs[i].name.s : "";
	*value = r->hdrs[i].value.s ? r->hdrs[i].value.s : "";
	return 0;
}

const char *kube__http_req_body(const kube_http_req *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.s ? r->body.s : "";
}

const char *const *kube__http_req_groups(const kube_http_req *r, size_t *n)
{
	static const char *const none[] = { NULL };

	if (n)
		*n = r->ngroups;
	return r->groups ? (const char *const *)r->groups : none;
}

int kube__http_req_closed(const kube_http_req *r)
{
	return !r->conn || r->conn->closing;
}

void kube__http_req_on_close(kube_http_req *r, kube_http_close_cb cb, void *data)
{
	r->on_close = cb;
	r->close_data = data;
}

/* ---- responding ---------------------------------------------------------- */

int kube__http_add_header(kube_http_req *r, const char *name, const char *value)
{
	if (r->state != HTTP_REQ_HANDLING || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return KUBE_EINVAL;
	if (kube__http_str_add(&r->resp_hdrs, name, strlen(name)) ||
	    kube__http_str_add(&r->resp_hdrs, ": ", 2) ||
	    kube__http_str_add(&r->resp_hdrs, value, strlen(value)) ||
	    kube__http_str_add(&r->resp_hdrs, "\r\n", 2))
		return KUBE_ENOMEM;
	return 0;
}

/* The client is gone: the request is detached (so its connection will not
 * call on_close for it) and freed. */
static int req_gone(kube_http_req *r)
{
	if (r->conn && r->conn->req == r)
		r->conn->req = NULL;
	kube__http_req_free(r);
	return KUBE_ESTOPPED;
}

/* RFC 7231 IMF-fixdate, in English whatever the host's locale. */
static void http_date(const struct tm *tm, char *buf, size_t cap)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

	snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm->tm_wday % 7],
		 tm->tm_mday, months[tm->tm_mon % 12], tm->tm_year + 1900, tm->tm_hour,
		 tm->tm_min, tm->tm_sec);
}

/*
 * The status line and headers. @p length is the Content-Length, or -1 for a
 * stream (chunked on HTTP/1.1, closed at the end on HTTP/1.0).
 */
static int head_build(kube_http_req *r, int status, const char *ctype, long length,
		      struct http_str *out)
{
	char line[256], date[64];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	gmtime_r(&now, &tm);
	http_date(&tm, date, sizeof(date));
	n = snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
		     kube__http_reason(status), date);
	if (kube__http_str_add(out, line, n))
		return KUBE_ENOMEM;
	if (ctype && (n = snprintf(line, sizeof(line), "Content-Type: %s\r\n", ctype)) &&
	    kube__http_str_add(out, line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1))
		return KUBE_ENOMEM;
	if (length >= 0 && status != 204 && status != 304)
		n = snprintf(line, sizeof(line), "Content-Length: %ld\r\n", length);
	else if (length < 0 && r->chunked)
		n = snprintf(line, sizeof(line), "Transfer-Encoding: chunked\r\n");
	else
		n = 0;
	if (!r->keep_alive)
		n += snprintf(line + n, sizeof(line) - n, "Connection: close\r\n");
	else if (r->http_minor == 0)
		/* HTTP/1.0 closes unless told otherwise. */
		n += snprintf(line + n, sizeof(line) - n, "Connection: keep-alive\r\n");
	if (kube__http_str_add(out, line, n) ||
	    (r->resp_hdrs.len && kube__http_str_add(out, r->resp_hdrs.s, r->resp_hdrs.len)) ||
	    kube__http_str_add(out, "\r\n", 2))
		return KUBE_ENOMEM;
	return 0;
}

int kube__http_respond(kube_http_req *r, int status, const char *ctype,
		       const void *body, size_t len)
{
	struct http_str out = { 0 };
	struct http_conn *c = r->conn;
	int rc;

	if (r->state != HTTP_REQ_HANDLING)
		return KUBE_EINVAL;
	if (kube__http_req_closed(r))
		return req_gone(r);
	rc = head_build(r, status, ctype, (long)len, &out);
	if (!rc && len && !r->head && status != 204 && status != 304)
		rc = kube__http_str_add(&out, body, len);
	if (rc) {
		free(out.s);
		kube__http_conn_close(c);
		return req_gone(r);
	}
	rc = kube__http_conn_send(c, out.s, out.len);
	free(out.s);
	if (rc)
		return req_gone(r);
	kube__http_conn_done(c);
	return 0;
}

int kube__http_respond_status(kube_http_req *r, const json_t *status)
{
	char *text = json_dumps(status, JSON_COMPACT);
	json_int_t code = json_integer_value(json_object_get(status, "code"));
	int rc;

	if (!text) {
		if (r->conn)
			kube__http_conn_close(r->conn);
		return req_gone(r);
	}
	rc = kube__http_respond(r, code >= 100 && code < 600 ? (int)code : 500,
				"application/json", text, strlen(text));
	free(text);
	return rc;
}

int kube__http_stream_start(kube_http_req *r, int status, const char *ctype)
{
	struct http_str out = { 0 };
	int rc;

	if (r->state != HTTP_REQ_HANDLING)
		return KUBE_EINVAL;
	r->state = HTTP_REQ_STREAMING;
	if (kube__http_req_closed(r))
		return KUBE_ESTOPPED;
	/* HTTP/1.0 has no chunked encoding: the end of the stream is the close. */
	r->chunked = r->http_minor >= 1;
	if (!r->chunked)
		r->keep_alive = 0;
	rc = head_build(r, status, ctype, -1, &out);
	if (rc) {
		free(out.s);
		kube__http_conn_close(r->conn);
		return KUBE_ESTOPPED;
	}
	rc = kube__http_conn_send(r->conn, out.s, out.len);
	free(out.s);
	return rc;
}

int kube__http_stream_write(kube_http_req *r, const void *data, size_t len)
{
	struct http_str out = { 0 };
	struct http_conn *c = r->conn;
	char size[32];
	int n, rc;

	if (r->state != HTTP_REQ_STREAMING)
		return KUBE_EINVAL;
	if (kube__http_req_closed(r))
		return KUBE_ESTOPPED;
	if (!len || r->head)
		return 0;
	n = r->chunked ? snprintf(size, sizeof(size), "%zx\r\n", len) : 0;
	rc = kube__http_str_add(&out, size, n) || kube__http_str_add(&out, data, len) ||
	     kube__http_str_add(&out, "\r\n", r->chunked ? 2 : 0);
	rc = rc ? KUBE_ESTOPPED : kube__http_conn_send(c, out.s, out.len);
	free(out.s);
	if (rc || uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > c->srv->cfg.max_output) {
		/* A watcher that does not read would make us buffer forever. */
		kube__http_conn_close(c);
		return KUBE_ESTOPPED;
	}
	return 0;
}

int kube__http_stream_end(kube_http_req *r)
{
	static const char last[] = "0\r\n\r\n";
	struct http_conn *c = r->conn;

	/* Not streaming is an error while the client waits for an answer; once
	 * it is gone, ending is how the handler lets go of the request. */
	if (kube__http_req_closed(r) && r->state != HTTP_REQ_PARSING)
		return req_gone(r);
	if (r->state != HTTP_REQ_STREAMING)
		return KUBE_EINVAL;
	if (r->chunked && !r->head && kube__http_conn_send(c, last, sizeof(last) - 1))
		return req_gone(r);
	kube__http_conn_done(c);
	return 0;
}

void kube__http_req_drop(kube_http_req *r)
{
	if (r->conn && !r->conn->closing)
		kube__http_conn_close(r->conn);
	req_gone(r);
}

/* The body of a response the server makes itself: upstream's Status for
 * 413 (errors.NewRequestEntityTooLargeError("limit is N")), Go's plain
 * "431 Request Header Fields Too Large" style text otherwise. */
static char *reject_body(struct http_conn *c, int status)
{
	char msg[96], *body = NULL;
	json_t *st;

	if (status == 413) {
		snprintf(msg, sizeof(msg), "Request entity too large: limit is %zu",
			 c->srv->cfg.max_body);
		st = kube__status_new(KUBE_ETOOLARGE, msg, NULL);
		body = st ? json_dumps(st, JSON_COMPACT) : NULL;
		json_decref(st);
		return body;
	}
	if (asprintf(&body, "%d %s", status, kube__http_reason(status)) < 0)
		return NULL;
	return body;
}

void kube__http_conn_reject(struct http_conn *c, int status)
{
	struct http_str out = { 0 };
	char *body = reject_body(c, status), line[192];
	int n = snprintf(line, sizeof(line),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, kube__http_reason(status),
			 status == 413 ? "application/json" : "text/plain; charset=utf-8",
			 body ? strlen(body) : 0);

	if (!kube__http_str_add(&out, line, n) &&
	    !(body && kube__http_str_add(&out, body, strlen(body))))
		kube__http_conn_send(c, out.s, out.len);
	free(body);
	free(out.s);
	kube__http_conn_linger(c);
}
