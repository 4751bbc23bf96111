/*
 * http_test.c — net/http.c against a fake handler: routing of every path
 * and method to the handler, bodies (exact bytes, the size bound, chunked
 * refused, a body that never comes), keep-alive, HEAD, the JSON errors the
 * wrapper makes itself (400, 411, 413, 500, 503), handlers running
 * concurrently on the workers, closing with requests in hand, https://,
 * the URL rules and the query-string helpers; then node/http_api.c's
 * routes against a fake dispatcher (api_call, api_token_check and
 * api_http_status are defined here, so the real node/api.c is not linked
 * in): tokens, how query strings and bodies become params, statuses,
 * headers and the embedded files.
 *
 * Requests are written by hand on plain sockets (so that malformed and
 * partial ones can be sent) to 127.0.0.1 on a port the server picked.
 * Nothing here waits for a time to pass: every wait is for an event, and
 * socket receives have a generous timeout only so that a bug fails the
 * test instead of hanging it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "net/http.h"
#include "net/wire.h"
#include "node/api.h"
#include "node/http_api.h"
#include "node/role.h"
#include "util/err.h"

/* ---- the fake handler ------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int gate_open;      /* /gate waits for it */
static int entered;        /* handlers inside /gate or /meet */
static int meet_n;         /* /meet returns once this many are inside */

/* Wait on cv until cond holds; fail after a minute (a hang is a bug). */
#define WAIT_FOR(cond)                                                          \
	do {                                                                    \
		struct timespec dl_;                                            \
		clock_gettime(CLOCK_REALTIME, &dl_);                            \
		dl_.tv_sec += 60;                                               \
		while (!(cond))                                                 \
			if (pthread_cond_timedwait(&cv, &mu, &dl_) != 0)        \
				break;                                          \
	} while (0)

static int
fake(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	json_t *j;
	char *s;
	int rc, ok;

	(void)ctx;
	if (strcmp(rq->path, "/fail") == 0)
		return cx_seterr(CX_EIO, "the fake handler fails");
	if (strcmp(rq->path, "/nothing") == 0)
		return 0;
	if (strcmp(rq->path, "/notfound") == 0)
		return http_response_error(rs, 404, "no such thing");
	if (strcmp(rq->path, "/gate") == 0) {
		pthread_mutex_lock(&mu);
		entered++;
		pthread_cond_broadcast(&cv);
		WAIT_FOR(gate_open);
		pthread_mutex_unlock(&mu);
	}
	if (strcmp(rq->path, "/meet") == 0) {
		pthread_mutex_lock(&mu);
		entered++;
		pthread_cond_broadcast(&cv);
		WAIT_FOR(entered >= meet_n);
		ok = entered >= meet_n;
		pthread_mutex_unlock(&mu);
		if (!ok)
			return http_response_error(rs, 500, "handlers did not run together");
	}
	j = json_pack("{s:s, s:s, s:s, s:s%, s:s?}", "method", rq->method, "path", rq->path,
	    "query", rq->query, "body", rq->body != NULL ? (const char *)rq->body : "",
	    rq->body_len, "x", http_request_header(rq, "X-Test"));
	if (j == NULL)
		return cx_seterr(CX_ENOMEM, "json");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		return cx_seterr(CX_ENOMEM, "json");
	rc = http_response_header(rs, "X-Echo", "yes");
	if (rc == 0)
		rc = http_response_body(rs, 200, "application/json", s, strlen(s));
	free(s);
	return rc;
}

static http_server *
start(int *port, size_t max_body, int workers, int max_queue, int body_timeout_ms)
{
	struct http_server_cfg c = {
		.handler = fake,
		.max_body = max_body,
		.workers = workers,
		.max_queue = max_queue,
		.body_timeout_ms = body_timeout_ms,
	};
	http_server *s = NULL;

	assert_int_equal(http_server_open(&s, &c), 0);
	assert_int_equal(http_server_listen(s, "http://127.0.0.1:0", NULL, 0), 0);
	assert_int_equal(http_server_port(s, port), 0);
	assert_true(*port > 0);
	return s;
}

/* ---- a client on a plain socket --------------------------------------------- */

struct conn {
	int fd;
	char buf[1 << 17];
	size_t n;
};

struct resp {
	int status;
	char head[8192];
	char *body;
	size_t len;
};

static struct conn *
dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 60 };
	struct conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return c;
}

static void
hangup(struct conn *c)
{
	close(c->fd);
	free(c);
}

static void
put(struct conn *c, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(c->fd, s, n);

		assert_true(w > 0);
		s += w;
		n -= (size_t)w;
	}
}

static void
puts_(struct conn *c, const char *s)
{
	put(c, s, strlen(s));
}

/* Read more into c->buf; 0 at end of stream. */
static ssize_t
fill(struct conn *c)
{
	ssize_t r;

	assert_true(c->n < sizeof(c->buf) - 1);
	r = read(c->fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
	if (r < 0 && errno == ECONNRESET)
		r = 0;   /* a close with our unread bytes on the server's side */
	assert_true(r >= 0);
	c->n += (size_t)r;
	c->buf[c->n] = '\0';
	return r;
}

static const char *
hdr(const struct resp *r, const char *name)
{
	static char val[1024];
	const char *p = r->head;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			size_t m;

			p += n + 1;
			while (*p == ' ')
				p++;
			m = strcspn(p, "\r\n");
			assert_true(m < sizeof(val));
			memcpy(val, p, m);
			val[m] = '\0';
			return val;
		}
	}
	return NULL;
}

/* Read one response (head, then Content-Length bytes unless head_only).
 * Returns 0, or -1 when the stream ends before a response. */
static int
get_resp(struct conn *c, struct resp *r, int head_only)
{
	char *end;
	const char *cl;
	size_t hl;

	memset(r, 0, sizeof(*r));
	while ((end = strstr(c->buf, "\r\n\r\n")) == NULL)
		if (fill(c) == 0)
			return -1;
	hl = (size_t)(end - c->buf) + 2;
	assert_true(hl < sizeof(r->head));
	memcpy(r->head, c->buf, hl);
	r->head[hl] = '\0';
	assert_int_equal(sscanf(r->head, "HTTP/1.%*d %d", &r->status), 1);
	cl = hdr(r, "Content-Length");
	r->len = cl != NULL && !head_only ? strtoul(cl, NULL, 10) : 0;
	memmove(c->buf, end + 4, c->n - hl - 2);
	c->n -= hl + 2;
	while (c->n < r->len)
		assert_true(fill(c) > 0);
	r->body = malloc(r->len + 1);
	assert_non_null(r->body);
	memcpy(r->body, c->buf, r->len);
	r->body[r->len] = '\0';
	memmove(c->buf, c->buf + r->len, c->n - r->len);
	c->n -= r->len;
	c->buf[c->n] = '\0';
	return 0;
}

/* One request on a new connection. */
static void
roundtrip(int port, const char *req, struct resp *r)
{
	struct conn *c = dial(port);

	puts_(c, req);
	assert_int_equal(get_resp(c, r, 0), 0);
	hangup(c);
}

/* 1 when the server has closed c (all that is left is the end of stream). */
static int
closed(struct conn *c)
{
	while (fill(c) > 0)
		;
	return 1;
}

static json_t *
body_json(const struct resp *r)
{
	json_t *j = json_loadb(r->body, r->len, 0, NULL);

	assert_non_null(j);
	return j;
}

static void
assert_error(const struct resp *r, int status, const char *code)
{
	json_t *j = body_json(r);

	assert_int_equal(r->status, status);
	assert_non_null(hdr(r, "Content-Type"));
	assert_non_null(strstr(hdr(r, "Content-Type"), "application/json"));
	assert_string_equal(json_string_value(json_object_get(j, "code")), code);
	assert_true(json_is_string(json_object_get(j, "error")));
	assert_string_equal(hdr(r, "Cache-Control"), "no-store");
	json_decref(j);
}

/* ---- tests ----------------------------------------------------------------- */

static void
t_url_rules(void **state)
{
	(void)state;
	assert_int_equal(http_url_check("http://127.0.0.1:0", 0, 0), 0);
	assert_int_equal(http_url_check("http://127.1.2.3:8080", 0, 0), 0);
	assert_int_equal(http_url_check("http://localhost:8080", 0, 0), 0);
	assert_int_equal(http_url_check("http://[::1]:8080", 0, 0), 0);
	assert_int_equal(http_url_check("http://0.0.0.0:8080", 0, 0), CX_EINVAL);
	assert_non_null(strstr(cx_lasterr(), "loopback"));
	assert_int_equal(http_url_check("http://10.0.0.1:8080", 0, 0), CX_EINVAL);
	assert_int_equal(http_url_check("http://128.0.0.1:8080", 0, 0), CX_EINVAL);
	assert_int_equal(http_url_check("http://0.0.0.0:8080", 0, 1), 0);
	assert_int_equal(http_url_check("https://0.0.0.0:8443", 1, 0), 0);
	assert_int_equal(http_url_check("https://0.0.0.0:8443", 0, 0), CX_EINVAL);
	assert_int_equal(http_url_check("http://127.0.0.1:8080/api", 0, 0), CX_EINVAL);
	assert_int_equal(http_url_check("http://127.0.0.1:8080/", 0, 0), 0);
	assert_int_equal(http_url_check("tcp://127.0.0.1:8080", 0, 0), CX_EINVAL);
	assert_int_equal(http_url_check("", 0, 0), CX_EINVAL);
	assert_int_equal(http_url_check(NULL, 0, 0), CX_EINVAL);
}

static void
t_decode(void **state)
{
	char a[] = "a%20b+c%2Bd%e6%9d%ad", b[] = "x%2", c[] = "x%00y", d[] = "%zz", e[] = "a+b";
	const char *cur = "by=code&&value=91%2033+x&flag&kinds=penalty&kinds=list&=v";
	char *n, *v;

	(void)state;
	assert_int_equal(http_pct_decode(a, 1), 0);
	assert_string_equal(a, "a b c+d杭");
	assert_int_equal(http_pct_decode(b, 1), CX_EINVAL);
	assert_int_equal(http_pct_decode(c, 1), CX_EINVAL);
	assert_int_equal(http_pct_decode(d, 0), CX_EINVAL);
	assert_int_equal(http_pct_decode(e, 0), 0);
	assert_string_equal(e, "a+b");

	assert_int_equal(http_query_next(&cur, &n, &v), 1);
	assert_string_equal(n, "by");
	assert_string_equal(v, "code");
	free(n), free(v);
	assert_int_equal(http_query_next(&cur, &n, &v), 1);
	assert_string_equal(n, "value");
	assert_string_equal(v, "91 33 x");
	free(n), free(v);
	assert_int_equal(http_query_next(&cur, &n, &v), 1);
	assert_string_equal(n, "flag");
	assert_string_equal(v, "");
	free(n), free(v);
	assert_int_equal(http_query_next(&cur, &n, &v), 1);
	assert_string_equal(v, "penalty");
	free(n), free(v);
	assert_int_equal(http_query_next(&cur, &n, &v), 1);
	assert_string_equal(v, "list");
	free(n), free(v);
	assert_int_equal(http_query_next(&cur, &n, &v), 1);
	assert_string_equal(n, "");
	assert_string_equal(v, "v");
	free(n), free(v);
	assert_int_equal(http_query_next(&cur, &n, &v), 0);
	assert_int_equal(http_query_next(&cur, &n, &v), 0);

	cur = "a=%4";
	assert_int_equal(http_query_next(&cur, &n, &v), CX_EINVAL);
	assert_null(n);
	assert_null(v);

	assert_string_equal(http_status_code(401), "unauthorized");
	assert_string_equal(http_status_code(413), "too_big");
	assert_string_equal(http_status_code(418), "error");
}

static void
t_routes_everything(void **state)
{
	struct resp r;
	json_t *j;
	int port;
	http_server *s = start(&port, 0, 2, 0, 0);

	(void)state;
	/* any path, any method, reaches the handler, decoded */
	roundtrip(port, "GET /v1/query?by=code&value=91%2033 HTTP/1.1\r\nHost: x\r\n"
	    "X-Test: hello\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(hdr(&r, "X-Echo"), "yes");
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/v1/query");
	assert_string_equal(json_string_value(json_object_get(j, "query")),
	    "by=code&value=91%2033");
	assert_string_equal(json_string_value(json_object_get(j, "x")), "hello");
	json_decref(j);
	free(r.body);

	roundtrip(port, "DELETE /a%20b/c HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "DELETE");
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/a b/c");
	json_decref(j);
	free(r.body);

	roundtrip(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/");
	assert_string_equal(json_string_value(json_object_get(j, "query")), "");
	json_decref(j);
	free(r.body);

	/* the absolute form of the target */
	roundtrip(port, "GET http://x/v1/whoami?a=1 HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/v1/whoami");
	assert_string_equal(json_string_value(json_object_get(j, "query")), "a=1");
	json_decref(j);
	free(r.body);

	/* a NUL byte in the path */
	roundtrip(port, "GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);

	/* the handler's own error */
	roundtrip(port, "GET /notfound HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	http_server_close(s);
}

static void
t_bodies(void **state)
{
	struct resp r;
	struct conn *c;
	json_t *j;
	int port;
	http_server *s = start(&port, 64, 2, 0, 0);
	char big[200];

	(void)state;
	roundtrip(port, "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: 17\r\n\r\n{\"by\":\"code\",\"v\"}", &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "body")), "{\"by\":\"code\",\"v\"}");
	json_decref(j);
	free(r.body);

	/* exactly the limit is fine; one more byte is 413 and the connection closes */
	memset(big, 'a', sizeof(big));
	c = dial(port);
	puts_(c, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 64\r\n\r\n");
	put(c, big, 64);
	assert_int_equal(get_resp(c, &r, 0), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	/* (the body is not sent: bytes the server never reads could make its
	 * close a reset, which may discard the answer before it is read) */
	puts_(c, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n");
	assert_int_equal(get_resp(c, &r, 0), 0);
	assert_error(&r, 413, "too_big");
	assert_non_null(strstr(hdr(&r, "Connection"), "close"));
	free(r.body);
	assert_true(closed(c));
	hangup(c);

	/* a huge announced length is refused before anything is read */
	roundtrip(port, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", &r);
	assert_error(&r, 413, "too_big");
	free(r.body);

	roundtrip(port, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);

	roundtrip(port, "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", &r);
	assert_error(&r, 411, "length_required");
	free(r.body);

	/* a client that announces Expect: 100-continue gets no interim answer
	 * and sends its body after its own wait (as curl does) */
	c = dial(port);
	puts_(c, "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
	puts_(c, "hello");
	assert_int_equal(get_resp(c, &r, 0), 0);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "body")), "hello");
	json_decref(j);
	free(r.body);
	/* and one over the limit is refused at once, before its body */
	puts_(c, "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n");
	assert_int_equal(get_resp(c, &r, 0), 0);
	assert_error(&r, 413, "too_big");
	free(r.body);
	hangup(c);
	http_server_close(s);
}

static void
t_body_deadline(void **state)
{
	struct conn *c;
	int port;
	http_server *s = start(&port, 0, 1, 0, 100);
	struct resp r;

	(void)state;
	/* a body that never comes: the connection is closed, with no answer */
	c = dial(port);
	puts_(c, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
	assert_int_equal(get_resp(c, &r, 0), -1);
	hangup(c);
	/* and the server still answers */
	roundtrip(port, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	free(r.body);
	http_server_close(s);
}

static void
t_handler_failures(void **state)
{
	struct resp r;
	int port;
	http_server *s = start(&port, 0, 1, 0, 0);

	(void)state;
	roundtrip(port, "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_error(&r, 500, "internal");
	assert_null(strstr(r.body, "fake handler"));   /* no detail to the client */
	free(r.body);
	roundtrip(port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	assert_error(&r, 500, "internal");
	free(r.body);
	http_server_close(s);
}

static void
t_keepalive_and_head(void **state)
{
	struct resp r;
	struct conn *c;
	int port, i;
	http_server *s = start(&port, 0, 2, 0, 0);
	const char *cl;

	(void)state;
	c = dial(port);
	/* three requests written at once, answered in order on one connection */
	puts_(c, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
	    "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
	    "GET /three HTTP/1.1\r\nHost: x\r\n\r\n");
	for (i = 0; i < 3; i++) {
		static const char *const want[] = { "/one", "/two", "/three" };
		json_t *j;

		assert_int_equal(get_resp(c, &r, 0), 0);
		assert_int_equal(r.status, 200);
		j = body_json(&r);
		assert_string_equal(json_string_value(json_object_get(j, "path")), want[i]);
		json_decref(j);
		free(r.body);
	}
	/* HEAD: the headers of the GET, no body */
	puts_(c, "HEAD /one HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(get_resp(c, &r, 1), 0);
	assert_int_equal(r.status, 200);
	cl = hdr(&r, "Content-Length");
	assert_non_null(cl);
	assert_true(atoi(cl) > 0);
	free(r.body);
	puts_(c, "GET /four HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(get_resp(c, &r, 0), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(c->n, 0);   /* nothing of the HEAD's body came */
	free(r.body);
	assert_true(closed(c));
	hangup(c);
	http_server_close(s);
}

struct meet_arg {
	int port;
	int status;
};

static void *
meet_client(void *arg)
{
	struct meet_arg *m = arg;
	struct resp r;

	roundtrip(m->port, "GET /meet HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	m->status = r.status;
	free(r.body);
	return NULL;
}

static void
t_concurrent(void **state)
{
	struct meet_arg m[4];
	pthread_t th[4];
	int port, i;
	http_server *s = start(&port, 0, 4, 0, 0);

	(void)state;
	/* each /meet returns only when all four are in handlers at once */
	pthread_mutex_lock(&mu);
	entered = 0;
	meet_n = 4;
	pthread_mutex_unlock(&mu);
	for (i = 0; i < 4; i++) {
		m[i].port = port;
		assert_int_equal(pthread_create(&th[i], NULL, meet_client, &m[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].status, 200);
	}
	http_server_close(s);
}

static void
t_busy(void **state)
{
	struct conn *a, *b, *c, *first, *second;
	struct pollfd pf[2];
	struct resp r;
	int port;
	http_server *s = start(&port, 0, 1, 1, 0);

	(void)state;
	pthread_mutex_lock(&mu);
	entered = 0;
	gate_open = 0;
	pthread_mutex_unlock(&mu);
	/* a holds the only worker */
	a = dial(port);
	puts_(a, "GET /gate HTTP/1.1\r\nHost: x\r\n\r\n");
	pthread_mutex_lock(&mu);
	WAIT_FOR(entered == 1);
	assert_int_equal(entered, 1);
	pthread_mutex_unlock(&mu);
	/* b and c: one waits in the queue, the other is turned away */
	b = dial(port);
	c = dial(port);
	puts_(b, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
	puts_(c, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
	pf[0] = (struct pollfd){ .fd = b->fd, .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	assert_true(poll(pf, 2, 60000) > 0);
	first = pf[0].revents ? b : c;
	second = first == b ? c : b;
	assert_int_equal(get_resp(first, &r, 0), 0);
	assert_error(&r, 503, "busy");
	free(r.body);
	pthread_mutex_lock(&mu);
	gate_open = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	assert_int_equal(get_resp(a, &r, 0), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	assert_int_equal(get_resp(second, &r, 0), 0);
	assert_int_equal(r.status, 200);
	free(r.body);
	hangup(a);
	hangup(b);
	hangup(c);
	http_server_close(s);
}

struct closer {
	http_server *s;
	int done;
};

static void *
close_thread(void *arg)
{
	struct closer *cl = arg;

	http_server_close(cl->s);
	pthread_mutex_lock(&mu);
	cl->done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void
t_close_in_hand(void **state)
{
	struct conn *a, *idle, *partial;
	struct closer cl = { 0 };
	pthread_t th;
	struct resp r;
	int port;

	(void)state;
	pthread_mutex_lock(&mu);
	entered = 0;
	gate_open = 0;
	pthread_mutex_unlock(&mu);
	cl.s = start(&port, 0, 2, 0, 0);
	idle = dial(port);
	puts_(idle, "GET /idle HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(get_resp(idle, &r, 0), 0);
	free(r.body);
	partial = dial(port);   /* half a body, forever */
	puts_(partial, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
	a = dial(port);
	puts_(a, "GET /gate HTTP/1.1\r\nHost: x\r\n\r\n");
	pthread_mutex_lock(&mu);
	WAIT_FOR(entered == 1);
	pthread_mutex_unlock(&mu);
	/* closing waits for the handler in hand, and does not hang on the rest */
	assert_int_equal(pthread_create(&th, NULL, close_thread, &cl), 0);
	pthread_mutex_lock(&mu);
	gate_open = 1;
	pthread_cond_broadcast(&cv);
	WAIT_FOR(cl.done);
	assert_true(cl.done);
	pthread_mutex_unlock(&mu);
	pthread_join(th, NULL);
	assert_true(closed(idle));
	assert_true(closed(partial));
	hangup(a);
	hangup(idle);
	hangup(partial);
}

static void
t_listen_errors(void **state)
{
	struct http_server_cfg c = { .handler = fake };
	http_server *s = NULL, *s2 = NULL;
	char url[64];
	int port;

	(void)state;
	assert_int_equal(http_server_open(&s, NULL), CX_EINVAL);
	assert_int_equal(http_server_open(&s, &c), 0);
	assert_int_equal(http_server_port(s, &port), CX_EINVAL);
	assert_int_equal(http_server_listen(s, "http://0.0.0.0:0", NULL, 0), CX_EINVAL);
	assert_int_equal(http_server_listen(s, "https://127.0.0.1:0", NULL, 0), CX_EINVAL);
	assert_int_equal(http_server_listen(s, "ws://127.0.0.1:0", NULL, 0), CX_EINVAL);
	assert_int_equal(http_server_listen(s, "http://127.0.0.1:0", NULL, 0), 0);
	assert_int_equal(http_server_port(s, &port), 0);
	/* the same address twice in one process */
	assert_int_equal(http_server_open(&s2, &c), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	assert_int_equal(http_server_listen(s2, url, NULL, 0), CX_EEXIST);
	http_server_close(s2);
	http_server_close(s);
	http_server_close(NULL);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void
t_https(void **state)
{
	char dir[] = "/tmp/cxhttp.XXXXXX", crt[64], key[64], url[64];
	struct http_server_cfg c = { .handler = fake };
	struct http_tls tls;
	nng_http_client *cli = NULL;
	nng_tls_config *tc = NULL;
	nng_http_req *req = NULL;
	nng_http_res *res = NULL;
	nng_aio *aio = NULL;
	http_server *s = NULL;
	nng_url *u = NULL;
	void *data;
	size_t len;
	int port;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(crt, sizeof(crt), "%s/tls.crt", dir);
	snprintf(key, sizeof(key), "%s/tls.key", dir);
	assert_int_equal(wire_tls_generate(crt, key, "alpha"), 0);
	tls.cert = slurp(crt);
	tls.key = slurp(key);
	unlink(crt);
	unlink(key);
	rmdir(dir);

	assert_int_equal(http_server_open(&s, &c), 0);
	assert_int_equal(http_server_listen(s, "https://127.0.0.1:0", &tls, 0), 0);
	assert_int_equal(http_server_port(s, &port), 0);

	/* a client with no certificate of its own */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/v1/whoami?x=1", port);
	assert_int_equal(nng_url_parse(&u, url), 0);
	assert_int_equal(nng_http_client_alloc(&cli, u), 0);
	assert_int_equal(nng_tls_config_alloc(&tc, NNG_TLS_MODE_CLIENT), 0);
	assert_int_equal(nng_tls_config_auth_mode(tc, NNG_TLS_AUTH_MODE_NONE), 0);
	assert_int_equal(nng_http_client_set_tls(cli, tc), 0);
	assert_int_equal(nng_http_req_alloc(&req, u), 0);
	assert_int_equal(nng_http_res_alloc(&res), 0);
	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	nng_aio_set_timeout(aio, 60000);
	nng_http_client_transact(cli, req, res, aio);
	nng_aio_wait(aio);
	assert_int_equal(nng_aio_result(aio), 0);
	assert_int_equal(nng_http_res_get_status(res), 200);
	nng_http_res_get_data(res, &data, &len);
	assert_non_null(memmem(data, len, "\"path\":\"/v1/whoami\"", 19));

	nng_aio_free(aio);
	nng_http_res_free(res);
	nng_http_req_free(req);
	nng_tls_config_free(tc);
	nng_http_client_free(cli);
	nng_url_free(u);
	http_server_close(s);
	free((char *)tls.cert);
	free((char *)tls.key);

	/* bad PEM */
	tls.cert = "not a certificate";
	tls.key = "nor a key";
	assert_int_equal(http_server_open(&s, &c), 0);
	assert_int_equal(http_server_listen(s, "https://127.0.0.1:0", &tls, 0), CX_EINVAL);
	http_server_close(s);
}

/* ---- node/http_api.c against a fake dispatcher -------------------------------- */

static struct api_caller last_caller;
static int token_rc;        /* what api_token_check returns for "good" */

int
api_token_check(struct api *a, const char *token, struct api_caller *c)
{
	(void)a;
	if (strcmp(token, "good") != 0)
		return cx_seterr(CX_EPERM, "unknown token");
	if (token_rc != 0)
		return cx_seterr(token_rc, "token table unavailable");
	snprintf(c->who, sizeof(c->who), "zj-reg-01");
	c->role = ROLE_REGULATOR;
	c->perms = PERM_QUERY;
	c->via = NULL;
	return 0;
}

int
api_http_status(int rc)
{
	switch (rc) {
	case CX_EPERM: return 403;
	case CX_EINVAL: return 400;
	case CX_ENOTFOUND: return 404;
	default: return 500;
	}
}

/* Echo {method, params, who, via}; params {"fail": CODE} fail with CODE;
 * "token" and "nosuch" are refused as node/api.c refuses them. */
int
api_call(struct api *a, const struct api_caller *c, const char *method, const json_t *params,
    json_t **result)
{
	json_t *f = json_object_get(params, "fail");

	(void)a;
	last_caller = *c;
	if (strcmp(method, "token") == 0)
		return cx_seterr(CX_EPERM, "tokens are not issued over HTTP");
	if (strcmp(method, "nosuch") == 0)
		return cx_seterr(CX_ENOTFOUND, "no method \"%s\"", method);
	if (json_is_integer(f))
		return cx_seterr((int)json_integer_value(f), "refused: secret detail %s",
		    method);
	*result = json_pack("{s:s, s:O, s:s, s:s}", "method", method, "params", params, "who",
	    c->who, "via", c->via != NULL ? c->via : "");
	return *result != NULL ? 0 : CX_ENOMEM;
}

static struct http_api *
api_start(int *port)
{
	const char *urls[] = { "http://127.0.0.1:0" };
	struct http_api *h = NULL;

	assert_int_equal(http_api_open(&h, (struct api *)&last_caller, urls, 1, NULL, NULL, 0,
	    NULL, NULL), 0);
	assert_int_equal(http_api_port(h, port), 0);
	return h;
}

/* An API call: GET (body NULL) or POST with body, token or NULL. */
static void
api_req(int port, const char *method, const char *target, const char *token,
    const char *body, struct resp *r)
{
	char req[4096];
	int n;

	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\n", method, target);
	if (token != NULL)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "Authorization: Bearer %s\r\n",
		    token);
	if (body != NULL)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "Content-Length: %zu\r\n\r\n%s",
		    strlen(body), body);
	else
		n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	assert_true(n > 0 && (size_t)n < sizeof(req));
	roundtrip(port, req, r);
}

static json_t *
api_params(int port, const char *target)
{
	struct resp r;
	json_t *j, *p;

	api_req(port, "GET", target, "good", NULL, &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	free(r.body);
	p = json_incref(json_object_get(j, "params"));
	json_decref(j);
	assert_non_null(p);
	return p;
}

static void
t_api_params(void **state)
{
	struct resp r;
	json_t *p;
	int port;
	struct http_api *h = api_start(&port);

	(void)state;
	p = api_params(port, "/v1/query?by=id&value=0011%2A&prefix&history=false&kinds=penalty,licence"
	    "&kinds=dishonest_list&limit=5&as_of=2024-06-01&name=%E6%9D%AD+%E5%B7%9E&format=json");
	assert_string_equal(json_string_value(json_object_get(p, "value")), "0011*");
	assert_true(json_is_true(json_object_get(p, "prefix")));
	assert_true(json_is_false(json_object_get(p, "history")));
	assert_int_equal(json_array_size(json_object_get(p, "kinds")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "kinds"), 2)),
	    "dishonest_list");
	assert_int_equal(json_integer_value(json_object_get(p, "limit")), 5);
	assert_string_equal(json_string_value(json_object_get(p, "as_of")), "2024-06-01");
	assert_string_equal(json_string_value(json_object_get(p, "name")), "杭 州");
	assert_null(json_object_get(p, "format"));
	assert_string_equal(last_caller.via, "http");
	assert_string_equal(last_caller.who, "zj-reg-01");
	json_decref(p);

	/* refused before the dispatcher */
	api_req(port, "GET", "/v1/query?by=code&by=id", "good", NULL, &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);
	api_req(port, "GET", "/v1/query?prefix=maybe", "good", NULL, &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);
	api_req(port, "GET", "/v1/query?limit=-1", "good", NULL, &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);
	api_req(port, "GET", "/v1/query?value=%zz", "good", NULL, &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);

	/* POST: a JSON object, or nothing */
	api_req(port, "POST", "/v1/query", "good", "{\"by\":\"code\",\"value\":\"91\"}", &r);
	assert_int_equal(r.status, 200);
	p = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "params"),
	    "value")), "91");
	json_decref(p);
	free(r.body);
	api_req(port, "POST", "/v1/whoami", "good", "", &r);
	assert_int_equal(r.status, 200);
	free(r.body);
	api_req(port, "POST", "/v1/query", "good", "[1,2]", &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);
	api_req(port, "POST", "/v1/query", "good", "{\"a\":1,\"a\":2}", &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);
	api_req(port, "POST", "/v1/query", "good", "{\"a\":", &r);
	assert_error(&r, 400, "bad_request");
	free(r.body);
	http_api_close(h);
}

static void
t_api_auth_and_statuses(void **state)
{
	struct resp r;
	char body[64];
	int port;
	struct http_api *h = api_start(&port);

	(void)state;
	api_req(port, "GET", "/v1/whoami", NULL, NULL, &r);
	assert_error(&r, 401, "unauthorized");
	assert_non_null(hdr(&r, "WWW-Authenticate"));
	assert_non_null(strstr(hdr(&r, "WWW-Authenticate"), "Bearer"));
	free(r.body);
	roundtrip(port, "GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Z29vZA==\r\n\r\n",
	    &r);
	assert_error(&r, 401, "unauthorized");
	free(r.body);
	api_req(port, "GET", "/v1/whoami", "bad", NULL, &r);
	assert_error(&r, 401, "unauthorized");
	assert_non_null(strstr(hdr(&r, "WWW-Authenticate"), "invalid_token"));
	free(r.body);
	roundtrip(port, "GET /v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: bearer   good  \r\n\r\n",
	    &r);
	assert_int_equal(r.status, 200);
	free(r.body);
	token_rc = CX_EIO;
	api_req(port, "GET", "/v1/whoami", "good", NULL, &r);
	assert_error(&r, 500, "internal");
	free(r.body);
	token_rc = 0;

	/* the dispatcher's refusals, by status; a 500 keeps its detail to the log */
	snprintf(body, sizeof(body), "{\"fail\":%d}", CX_EPERM);
	api_req(port, "POST", "/v1/audit", "good", body, &r);
	assert_error(&r, 403, "forbidden");
	assert_non_null(strstr(r.body, "refused: secret detail audit"));
	free(r.body);
	snprintf(body, sizeof(body), "{\"fail\":%d}", CX_ENOTFOUND);
	api_req(port, "POST", "/v1/report", "good", body, &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	snprintf(body, sizeof(body), "{\"fail\":%d}", CX_EIO);
	api_req(port, "POST", "/v1/quality", "good", body, &r);
	assert_error(&r, 500, "internal");
	assert_null(strstr(r.body, "secret"));
	free(r.body);

	/* methods and paths */
	api_req(port, "POST", "/v1/token", "good", "{}", &r);
	assert_error(&r, 403, "forbidden");
	free(r.body);
	api_req(port, "POST", "/v1/No-Such", "good", "{}", &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	api_req(port, "POST", "/v1/nosuch", "good", "{}", &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	api_req(port, "POST", "/v1/nosuch", NULL, "{}", &r);
	assert_error(&r, 401, "unauthorized");
	free(r.body);
	api_req(port, "PUT", "/v1/query", "good", "{}", &r);
	assert_error(&r, 405, "method_not_allowed");
	assert_non_null(hdr(&r, "Allow"));
	free(r.body);
	api_req(port, "POST", "/console", NULL, "{}", &r);
	assert_error(&r, 405, "method_not_allowed");
	free(r.body);
	api_req(port, "GET", "/v2/query", "good", NULL, &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	api_req(port, "GET", "/v1/query/x", "good", NULL, &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	http_api_close(h);
}

static void
t_api_files(void **state)
{
	struct resp r;
	json_t *j;
	int port;
	struct http_api *h = api_start(&port);
	const char *csp;

	(void)state;
	api_req(port, "GET", "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(hdr(&r, "Content-Type"), "text/html"));
	assert_non_null(strstr(r.body, "/console/console.js"));
	csp = hdr(&r, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_string_equal(hdr(&r, "X-Content-Type-Options"), "nosniff");
	free(r.body);
	api_req(port, "GET", "/console", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	/* no inline script: everything the page runs comes from /console/ */
	assert_null(strstr(r.body, "<script>"));
	assert_null(strstr(r.body, "style="));
	free(r.body);
	api_req(port, "GET", "/console/console.js", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(hdr(&r, "Content-Type"), "text/javascript"));
	free(r.body);
	api_req(port, "GET", "/console/console.css", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(hdr(&r, "Content-Type"), "text/css"));
	free(r.body);
	api_req(port, "GET", "/console/openapi.json", NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	api_req(port, "GET", "/console/nope.js", NULL, NULL, &r);
	assert_error(&r, 404, "not_found");
	free(r.body);
	api_req(port, "GET", "/v1/openapi.json", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	j = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "openapi")), "3.0.3");
	assert_non_null(json_object_get(json_object_get(j, "paths"), "/v1/query"));
	json_decref(j);
	free(r.body);
	/* API answers are not cached */
	api_req(port, "GET", "/v1/whoami", "good", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(hdr(&r, "Cache-Control"), "no-store");
	assert_non_null(strstr(hdr(&r, "Content-Type"), "application/json"));
	free(r.body);
	http_api_close(h);
}

static void
t_api_open_errors(void **state)
{
	const char *urls[] = { "http://127.0.0.1:0", "http://0.0.0.0:0" };
	const char *https[] = { "https://127.0.0.1:0" };
	struct http_api *h = NULL;

	(void)state;
	assert_int_equal(http_api_open(&h, (struct api *)&last_caller, urls, 2, NULL, NULL, 0,
	    NULL, NULL), CX_EINVAL);
	assert_null(h);
	assert_int_equal(http_api_open(&h, (struct api *)&last_caller, https, 1, NULL, NULL, 0,
	    NULL, NULL), CX_EINVAL);
	assert_int_equal(http_api_open(&h, NULL, urls, 1, NULL, NULL, 0, NULL, NULL), CX_EINVAL);
	http_api_close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_url_rules),
		cmocka_unit_test(t_decode),
		cmocka_unit_test(t_routes_everything),
		cmocka_unit_test(t_bodies),
		cmocka_unit_test(t_body_deadline),
		cmocka_unit_test(t_handler_failures),
		cmocka_unit_test(t_keepalive_and_head),
		cmocka_unit_test(t_concurrent),
		cmocka_unit_test(t_busy),
		cmocka_unit_test(t_close_in_hand),
		cmocka_unit_test(t_listen_errors),
		cmocka_unit_test(t_https),
		cmocka_unit_test(t_api_params),
		cmocka_unit_test(t_api_auth_and_statuses),
		cmocka_unit_test(t_api_files),
		cmocka_unit_test(t_api_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
