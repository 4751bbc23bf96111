/*
 * http.c — the HTTP server under the node's HTTP/JSON API: nng's HTTP
 * server for the protocol, our threads for the work.
 *
 * Design
 *
 * Each listener is one nng_http_server (nng shares one per address within
 * a process) with one handler registered at "/" as a tree for every method,
 * so every request comes to http_cb, on nng's task queue. http_cb only
 * looks at the headers and never blocks:
 *
 *   Transfer-Encoding present      -> 411 (and close)
 *   Content-Length not a number    -> 400 (and close)
 *   Content-Length > max_body      -> 413 (and close: the body is unread)
 *   max_queue requests in hand     -> 503
 *   Content-Length > 0             -> read the body
 *                                     (http_body_done), then
 *   otherwise                      -> queue the job
 *
 * The workers take jobs from the queue (a FIFO under one mutex), run the
 * handler, and finish nng's aio with the response, which nng then writes
 * and frees. A job whose body could not be read (the client went away,
 * the deadline passed, the server is stopping) is finished with the error,
 * which makes nng close the connection.
 *
 *   nng taskq:  http_cb --(body?)--> conn_read_all --> http_body_done --+
 *                  |                                                    |
 *                  +------------------------ queue <--------------------+
 *   workers:    queue --> handler --> nng_aio_finish(response)
 *
 * Shutdown order matters: nng_http_server_stop() closes every connection
 * and waits until each one's handler aio has finished, which only our
 * workers do; so the listeners are stopped first, with the workers still
 * running, and the workers are stopped after.
 *
 * "In hand" counts jobs from http_cb until a worker has finished them
 * (reading their body, queued or running); it is bounded by max_queue +
 * workers, so a flood of requests costs bounded memory and gets 503s.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "net/http.h"

#include "util/err.h"

struct http_listener {
	nng_http_server *srv;
	int port;
	struct http_listener *next;
};

struct http_job {
	http_server *s;
	nng_aio *aio;            /* nng's handler aio: we finish it */
	nng_http_req *req;       /* nng's, valid until aio is finished */
	nng_http_conn *conn;     /* nng's, likewise */
	nng_aio *rdaio;          /* reading the body */
	uint8_t *body;
	size_t len;
	int rv;                  /* nng error reading the body */
	struct timespec t0;
	struct http_job *next;
};

struct http_server {
	struct http_server_cfg cfg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct http_job *head, *tail;
	int inhand;
	int stopping;
	pthread_t *th;
	int nth;
	struct http_listener *ls;
};

struct http_response {
	nng_http_res *res;
	int status;
	int has_body;
};

/* ---- logging ---------------------------------------------------------------- */

static void
http_logf(http_server *s, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
http_logf(http_server *s, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (s->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_ctx, level, buf);
}

static int
http_nngerr(int rv, const char *what)
{
	switch (rv) {
	case NNG_ENOMEM:
		return cx_seterr(CX_ENOMEM, "%s: %s", what, nng_strerror(rv));
	case NNG_EADDRINUSE:
		return cx_seterr(CX_EIO, "%s: %s", what, nng_strerror(rv));
	case NNG_EADDRINVAL:
	case NNG_EINVAL:
	case NNG_ENOTSUP:
		return cx_seterr(CX_EINVAL, "%s: %s", what, nng_strerror(rv));
	default:
		return cx_seterr(CX_EIO, "%s: %s", what, nng_strerror(rv));
	}
}

static long
http_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Severity of a request's log line by its status. */
static int
http_status_level(int status)
{
	if (status >= 500)
		return 4;
	if (status == 401 || status == 403 || status == 413)
		return 5;
	return 7;
}

/* ---- responses --------------------------------------------------------------- */

const char *
http_status_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 411: return "length_required";
	case 413: return "too_big";
	case 415: return "unsupported_media_type";
	case 500: return "internal";
	case 503: return "busy";
	default: return "error";
	}
}

int
http_response_header(struct http_response *r, const char *name, const char *value)
{
	int rv;

	if (name == NULL || value == NULL || strpbrk(name, "\r\n:") != NULL ||
	    strpbrk(value, "\r\n") != NULL)
		return cx_seterr(CX_EINVAL, "bad response header");
	if ((rv = nng_http_res_set_header(r->res, name, value)) != 0)
		return http_nngerr(rv, "response header");
	return 0;
}

int
http_response_body(struct http_response *r, int status, const char *content_type,
    const void *body, size_t len)
{
	int rv;

	if (status < 100 || status > 599)
		return cx_seterr(CX_EINVAL, "bad status %d", status);
	if ((rv = nng_http_res_set_status(r->res, (uint16_t)status)) != 0 ||
	    (content_type != NULL &&
	    (rv = nng_http_res_set_header(r->res, "Content-Type", content_type)) != 0) ||
	    (rv = nng_http_res_copy_data(r->res, len > 0 ? body : "", len)) != 0)
		return http_nngerr(rv, "response");
	r->status = status;
	r->has_body = 1;
	return 0;
}

/* The JSON error body (malloc'd, NUL-terminated); NULL when out of memory. */
static char *
http_error_json(int status, const char *message)
{
	json_t *j;
	char *s;

	j = json_pack("{s:s, s:s}", "error", message != NULL ? message : "", "code",
	    http_status_code(status));
	if (j == NULL)   /* not UTF-8: say less */
		j = json_pack("{s:s, s:s}", "error", http_status_code(status), "code",
		    http_status_code(status));
	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

int
http_response_error(struct http_response *r, int status, const char *message)
{
	char *body;
	int rc;

	if ((body = http_error_json(status, message)) == NULL)
		return cx_seterr(CX_ENOMEM, "error response");
	rc = http_response_body(r, status, "application/json; charset=utf-8", body,
	    strlen(body));
	free(body);
	if (rc == 0)
		rc = http_response_header(r, "Cache-Control", "no-store");
	if (rc == 0)
		rc = http_response_header(r, "X-Content-Type-Options", "nosniff");
	return rc;
}

/* A new nng response holding an error; NULL when out of memory. */
static nng_http_res *
http_error_res(int status, const char *message, int close)
{
	struct http_response r = { 0 };

	if (nng_http_res_alloc(&r.res) != 0)
		return NULL;
	if (http_response_error(&r, status, message) != 0 ||
	    (close && http_response_header(&r, "Connection", "close") != 0)) {
		nng_http_res_free(r.res);
		return NULL;
	}
	return r.res;
}

/* Answer nng's aio with an error response (or drop the connection when
 * there is no memory for one). */
static void
http_finish_error(nng_aio *aio, int status, const char *message, int close)
{
	nng_http_res *res = http_error_res(status, message, close);

	if (res == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

/* ---- URLs ------------------------------------------------------------------ */

int
http_pct_decode(char *s, int form)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (*r == '%') {
			int hi, lo;

			hi = r[1] >= '0' && r[1] <= '9' ? r[1] - '0' :
			    r[1] >= 'a' && r[1] <= 'f' ? r[1] - 'a' + 10 :
			    r[1] >= 'A' && r[1] <= 'F' ? r[1] - 'A' + 10 : -1;
			lo = hi < 0 ? -1 : r[2] >= '0' && r[2] <= '9' ? r[2] - '0' :
			    r[2] >= 'a' && r[2] <= 'f' ? r[2] - 'a' + 10 :
			    r[2] >= 'A' && r[2] <= 'F' ? r[2] - 'A' + 10 : -1;
			if (hi < 0 || lo < 0)
				return cx_seterr(CX_EINVAL, "malformed %%-escape");
			if (hi == 0 && lo == 0)
				return cx_seterr(CX_EINVAL, "%%00 is not allowed");
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else if (form && *r == '+') {
			*w++ = ' ';
			r++;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return 0;
}

int
http_query_next(const char **cursor, char **name, char **value)
{
	const char *p = *cursor, *end, *eq;

	*name = *value = NULL;
	for (;;) {
		if (*p == '\0') {
			*cursor = p;
			return 0;
		}
		end = strchr(p, '&');
		if (end == NULL)
			end = p + strlen(p);
		if (end != p)
			break;
		p++;
	}
	eq = memchr(p, '=', (size_t)(end - p));
	*name = strndup(p, (size_t)((eq != NULL ? eq : end) - p));
	*value = eq != NULL ? strndup(eq + 1, (size_t)(end - eq - 1)) : strdup("");
	*cursor = *end != '\0' ? end + 1 : end;
	if (*name == NULL || *value == NULL) {
		free(*name);
		free(*value);
		*name = *value = NULL;
		return cx_seterr(CX_ENOMEM, "query string");
	}
	if (http_pct_decode(*name, 1) != 0 || http_pct_decode(*value, 1) != 0) {
		free(*name);
		free(*value);
		*name = *value = NULL;
		return cx_seterr(CX_EINVAL, "query string: malformed %%-escape");
	}
	return 1;
}

/* 1 if host (a URL's host name, IPv6 with or without brackets) is a
 * loopback address: 127.0.0.0/8, ::1 or localhost. */
static int
http_host_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

int
http_url_check(const char *url, int tls, int allow_plain)
{
	nng_url *u = NULL;
	int rv, rc = 0;

	if (url == NULL || url[0] == '\0')
		return cx_seterr(CX_EINVAL, "empty URL");
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return cx_seterr(CX_EINVAL, "%.200s: unsupported scheme (use https://, or "
		    "http:// on loopback)", url);
	if ((rv = nng_url_parse(&u, url)) != 0)
		return cx_seterr(CX_EINVAL, "%.200s: %s", url, nng_strerror(rv));
	if (u->u_hostname == NULL || u->u_hostname[0] == '\0')
		rc = cx_seterr(CX_EINVAL, "%.200s: no host (use 0.0.0.0 for every address)",
		    url);
	else if (u->u_path != NULL && u->u_path[0] != '\0' && strcmp(u->u_path, "/") != 0)
		rc = cx_seterr(CX_EINVAL, "%.200s: the API is served at the root; give no path",
		    url);
	else if (url[4] == 's' && !tls)
		rc = cx_seterr(CX_EINVAL, "%.200s: https:// needs a TLS certificate and its key",
		    url);
	else if (url[4] != 's' && !allow_plain && !http_host_loopback(u->u_hostname))
		rc = cx_seterr(CX_EINVAL, "%.200s: plain http is only allowed on loopback; "
		    "use https:// or set allow_plain", url);
	nng_url_free(u);
	return rc;
}

/* ---- requests ----------------------------------------------------------------- */

const char *
http_request_header(const struct http_request *r, const char *name)
{
	return nng_http_req_get_header((nng_http_req *)r->impl, name);
}

static void
http_job_free(struct http_job *j)
{
	if (j == NULL)
		return;
	nng_aio_free(j->rdaio);   /* waits for http_body_done to return */
	free(j->body);
	free(j);
}

static void
http_enqueue(struct http_job *j)
{
	http_server *s = j->s;

	pthread_mutex_lock(&s->mu);
	if (s->tail != NULL)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Read the body into j->body (the callback is http_body_done). */
static void
http_body_read(struct http_job *j)
{
	nng_iov iov = { .iov_buf = j->body, .iov_len = j->len };
	int rv;

	if ((rv = nng_aio_set_iov(j->rdaio, 1, &iov)) != 0) {
		j->rv = rv;
		http_enqueue(j);
		return;
	}
	nng_http_conn_read_all(j->conn, j->rdaio);
}

static void
http_body_done(void *arg)
{
	struct http_job *j = arg;

	j->rv = nng_aio_result(j->rdaio);
	if (j->rv == 0 && nng_aio_count(j->rdaio) != j->len)
		j->rv = NNG_ECLOSED;
	http_enqueue(j);
}

/* Content-Length: digits only, at most 15 of them. */
static int
http_content_length(const char *v, uint64_t *len)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 15)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0)
		return -1;
	*len = n;
	return 0;
}

/* nng's handler callback, on nng's task queue: never blocks. */
static void
http_cb(nng_aio *aio)
{
	nng_http_req *req = nng_aio_get_input(aio, 0);
	nng_http_handler *h = nng_aio_get_input(aio, 1);
	nng_http_conn *conn = nng_aio_get_input(aio, 2);
	http_server *s = nng_http_handler_get_data(h);
	const char *cl = nng_http_req_get_header(req, "Content-Length");
	const char *method = nng_http_req_get_method(req);
	struct http_job *j;
	uint64_t len = 0;
	int busy, rv;

	if (nng_http_req_get_header(req, "Transfer-Encoding") != NULL) {
		http_logf(s, 5, "http: %s: chunked body refused (411)", method);
		http_finish_error(aio, 411, "send the body with a Content-Length", 1);
		return;
	}
	if (cl != NULL && http_content_length(cl, &len) != 0) {
		http_finish_error(aio, 400, "bad Content-Length", 1);
		return;
	}
	if (len > s->cfg.max_body) {
		char msg[128];

		snprintf(msg, sizeof(msg), "request body over %zu bytes", s->cfg.max_body);
		http_logf(s, 5, "http: %s: body of %llu bytes refused (413)", method,
		    (unsigned long long)len);
		http_finish_error(aio, 413, msg, 1);
		return;
	}
	pthread_mutex_lock(&s->mu);
	busy = s->inhand >= s->cfg.max_queue + s->cfg.workers;
	if (!busy)
		s->inhand++;
	pthread_mutex_unlock(&s->mu);
	if (busy) {
		http_logf(s, 4, "http: %s: too many requests in hand (503)", method);
		http_finish_error(aio, 503, "too many requests; try again", len > 0);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		goto nomem;
	j->s = s;
	j->aio = aio;
	j->req = req;
	j->conn = conn;
	j->len = (size_t)len;
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	if (len == 0) {
		http_enqueue(j);
		return;
	}
	if ((j->body = malloc(j->len)) == NULL ||
	    (rv = nng_aio_alloc(&j->rdaio, http_body_done, j)) != 0) {
		free(j->body);
		free(j);
		goto nomem;
	}
	nng_aio_set_timeout(j->rdaio, s->cfg.body_timeout_ms);
	/* "Expect: 100-continue" is not answered (nng 1.5.2 gives no interim
	 * answer of its own, and writing one beside its connection state
	 * proved racy): such a client sends its body after its own wait. */
	http_body_read(j);
	return;
nomem:
	pthread_mutex_lock(&s->mu);
	s->inhand--;
	pthread_mutex_unlock(&s->mu);
	http_finish_error(aio, 503, "out of memory", 1);
}

/*
 * Split the request target into a decoded path and the raw query; *buf is
 * the malloc'd storage both point into. Returns 0, CX_EINVAL, CX_ENOMEM.
 */
static int
http_split_target(const char *uri, char **buf, const char **path, const char **query)
{
	char *b, *p, *q;

	*buf = NULL;
	if (strncasecmp(uri, "http://", 7) == 0 || strncasecmp(uri, "https://", 8) == 0) {
		uri = strstr(uri, "://") + 3;
		uri += strcspn(uri, "/?#");
	}
	if ((b = strdup(uri)) == NULL)
		return cx_seterr(CX_ENOMEM, "request target");
	b[strcspn(b, "#")] = '\0';
	if ((q = strchr(b, '?')) != NULL)
		*q++ = '\0';
	p = b;
	if (*p == '\0')
		p = "/";   /* "http://host" or "?x" */
	else if (*p != '/' || http_pct_decode(p, 0) != 0) {
		free(b);
		return cx_seterr(CX_EINVAL, "bad request target");
	}
	*buf = b;
	*path = p;
	*query = q != NULL ? q : "";
	return 0;
}

/* A worker's share of a request: run the handler, hand nng the answer. */
static void
http_serve(http_server *s, struct http_job *j)
{
	struct http_request rq = { 0 };
	struct http_response rs = { 0 };
	char *tbuf = NULL;
	int rc;

	if (j->rv != 0) {
		http_logf(s, 6, "http: %s: request body not received: %s",
		    nng_http_req_get_method(j->req), nng_strerror(j->rv));
		nng_aio_finish(j->aio, j->rv);
		return;
	}
	rq.method = nng_http_req_get_method(j->req);
	rq.body = j->body;
	rq.body_len = j->len;
	rq.impl = j->req;
	if (http_split_target(nng_http_req_get_uri(j->req), &tbuf, &rq.path, &rq.query) != 0) {
		http_finish_error(j->aio, 400, "bad request target", 1);
		return;
	}
	if (nng_http_res_alloc(&rs.res) != 0) {
		free(tbuf);
		nng_aio_finish(j->aio, NNG_ENOMEM);
		return;
	}
	cx_clearerr();
	rc = s->cfg.handler(s->cfg.handler_ctx, &rq, &rs);
	if (rc != 0 || !rs.has_body) {
		http_logf(s, 4, "http: %s %.200s: handler failed: %s", rq.method, rq.path,
		    rc != 0 ? cx_lasterr() : "no response");
		nng_http_res_free(rs.res);
		free(tbuf);
		http_finish_error(j->aio, 500, "internal error", 0);
		return;
	}
	http_logf(s, http_status_level(rs.status), "http: %s %.200s %d (%ld ms)", rq.method,
	    rq.path, rs.status, http_ms_since(&j->t0));
	free(tbuf);
	nng_aio_set_output(j->aio, 0, rs.res);
	nng_aio_finish(j->aio, 0);
}

static void *
http_worker(void *arg)
{
	http_server *s = arg;
	struct http_job *j;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->head == NULL && !s->stopping)
			pthread_cond_wait(&s->cv, &s->mu);
		if ((j = s->head) != NULL) {
			s->head = j->next;
			if (s->head == NULL)
				s->tail = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		if (j == NULL)
			return NULL;
		http_serve(s, j);
		http_job_free(j);
		pthread_mutex_lock(&s->mu);
		s->inhand--;
		pthread_mutex_unlock(&s->mu);
	}
}

/* ---- servers ------------------------------------------------------------------ */

int
http_server_open(http_server **out, const struct http_server_cfg *c)
{
	http_server *s;
	int i, rc;

	*out = NULL;
	if (c == NULL || c->handler == NULL)
		return cx_seterr(CX_EINVAL, "an HTTP server needs a handler");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return cx_seterr(CX_ENOMEM, "HTTP server");
	s->cfg = *c;
	if (s->cfg.max_body == 0)
		s->cfg.max_body = HTTP_MAX_BODY;
	if (s->cfg.body_timeout_ms <= 0)
		s->cfg.body_timeout_ms = HTTP_BODY_TIMEOUT_MS;
	if (s->cfg.workers <= 0)
		s->cfg.workers = HTTP_WORKERS;
	if (s->cfg.max_queue <= 0)
		s->cfg.max_queue = HTTP_QUEUE_MAX;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if ((s->th = calloc((size_t)s->cfg.workers, sizeof(*s->th))) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "HTTP workers");
		goto fail;
	}
	for (i = 0; i < s->cfg.workers; i++) {
		if (pthread_create(&s->th[i], NULL, http_worker, s) != 0) {
			rc = cx_seterr(CX_EIO, "cannot start an HTTP worker thread");
			goto fail;
		}
		s->nth = i + 1;
	}
	*out = s;
	return 0;
fail:
	http_server_close(s);
	return rc;
}

/* nng's TLS configuration for an https:// listener: the node's
 * certificate, no client certificate asked. */
static int
http_tls_config(nng_tls_config **out, const struct http_tls *t)
{
	nng_tls_config *cfg = NULL;
	int rv;

	*out = NULL;
	if (t == NULL || t->cert == NULL || t->key == NULL)
		return cx_seterr(CX_EINVAL, "https:// needs a TLS certificate and its key");
	if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER)) != 0)
		return http_nngerr(rv, "TLS configuration");
	if ((rv = nng_tls_config_own_cert(cfg, t->cert, t->key, NULL)) != 0) {
		nng_tls_config_free(cfg);
		return cx_seterr(CX_EINVAL, "TLS certificate or key: %s", nng_strerror(rv));
	}
	if ((rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_NONE)) != 0) {
		nng_tls_config_free(cfg);
		return http_nngerr(rv, "TLS configuration");
	}
	*out = cfg;
	return 0;
}

int
http_server_listen(http_server *s, const char *url, const struct http_tls *tls,
    int allow_plain)
{
	struct http_listener *l = NULL;
	nng_http_handler *h = NULL;
	nng_tls_config *tcfg = NULL;
	nng_sockaddr sa;
	nng_url *u = NULL;
	int rv, rc, added = 0, is_tls;

	if (s == NULL)
		return cx_seterr(CX_EINVAL, "no server");
	is_tls = url != NULL && strncmp(url, "https://", 8) == 0;
	if ((rc = http_url_check(url, is_tls && tls != NULL, allow_plain)) != 0)
		return rc;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return cx_seterr(CX_ENOMEM, "HTTP listener");
	if ((rv = nng_url_parse(&u, url)) != 0) {
		rc = http_nngerr(rv, url);
		goto fail;
	}
	if ((rv = nng_http_server_hold(&l->srv, u)) != 0) {
		rc = http_nngerr(rv, url);
		goto fail;
	}
	if ((rv = nng_http_handler_alloc(&h, "/", http_cb)) != 0 ||
	    (rv = nng_http_handler_set_method(h, NULL)) != 0 ||
	    (rv = nng_http_handler_set_tree(h)) != 0 ||
	    (rv = nng_http_handler_collect_body(h, false, 0)) != 0 ||
	    (rv = nng_http_handler_set_data(h, s, NULL)) != 0) {
		rc = http_nngerr(rv, "HTTP handler");
		goto fail;
	}
	if ((rv = nng_http_server_add_handler(l->srv, h)) != 0) {
		rc = rv == NNG_EADDRINUSE ?
		    cx_seterr(CX_EEXIST, "%.200s: already served in this process", url) :
		    http_nngerr(rv, url);
		goto fail;
	}
	added = 1;   /* the server owns the handler now */
	if (is_tls) {
		if ((rc = http_tls_config(&tcfg, tls)) != 0)
			goto fail;
		rv = nng_http_server_set_tls(l->srv, tcfg);
		nng_tls_config_free(tcfg);   /* the listener holds its own reference */
		if (rv != 0) {
			rc = http_nngerr(rv, url);
			goto fail;
		}
	}
	if ((rv = nng_http_server_start(l->srv)) != 0) {
		rc = http_nngerr(rv, url);
		goto fail;
	}
	if ((rv = nng_http_server_get_addr(l->srv, &sa)) == 0)
		l->port = sa.s_family == NNG_AF_INET6 ? ntohs(sa.s_in6.sa_port) :
		    sa.s_family == NNG_AF_INET ? ntohs(sa.s_in.sa_port) : 0;
	nng_url_free(u);
	l->next = s->ls;
	s->ls = l;
	return 0;
fail:
	if (!added && h != NULL)
		nng_http_handler_free(h);
	if (l->srv != NULL)
		nng_http_server_release(l->srv);
	nng_url_free(u);
	free(l);
	return rc;
}

int
http_server_port(http_server *s, int *port)
{
	if (s == NULL || s->ls == NULL)
		return cx_seterr(CX_EINVAL, "the HTTP server is not listening");
	if (s->ls->port <= 0)
		return cx_seterr(CX_EIO, "the HTTP listener's port is not known");
	*port = s->ls->port;
	return 0;
}

void
http_server_close(http_server *s)
{
	struct http_listener *l;
	struct http_job *j;
	int i;

	if (s == NULL)
		return;
	/* Listeners first, while the workers still run (see the top). */
	while ((l = s->ls) != NULL) {
		s->ls = l->next;
		nng_http_server_stop(l->srv);
		nng_http_server_release(l->srv);
		free(l);
	}
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->nth; i++)
		pthread_join(s->th[i], NULL);
	while ((j = s->head) != NULL) {   /* none, unless a worker failed to start */
		s->head = j->next;
		nng_aio_finish(j->aio, NNG_ECLOSED);
		http_job_free(j);
	}
	free(s->th);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
