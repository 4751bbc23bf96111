/*
 * http.h — a small HTTP/1.1 server over nng's (supplemental/http), for the
 * node's HTTP/JSON API and web console (docs/http.md).
 *
 * What it adds to nng's server:
 *
 *   - one catch-all route: every method and every path reach one handler,
 *     which does its own routing (so that a 404 or a 405 is the caller's
 *     JSON, not nng's HTML page);
 *   - the handler runs on this server's worker threads, never on nng's
 *     task queue, because it may block (store reads, signing, the audit
 *     log); at most max_queue requests wait for a worker, beyond that the
 *     answer is 503;
 *   - request bodies are read here, bounded by max_body (413 beyond, and
 *     the connection closed), with a deadline (body_timeout_ms); a
 *     chunked body is refused (411: send Content-Length);
 *   - URL rules as for the wire (net/wire.h): http:// only on loopback
 *     (127.0.0.0/8, [::1], localhost) unless allow_plain; https://
 *     anywhere, with the node's certificate and no client certificate
 *     asked;
 *   - the errors it makes itself (400, 411, 413, 500, 503) are JSON
 *     {"error": reason, "code": name}, like the caller's (http_response_error).
 *
 * What nng still answers on its own, in HTML: a request line or header it
 * cannot parse (400), an HTTP version other than 1.x (505).
 *
 * All functions return 0 or a negative CX_E* code with the detail in
 * cx_lasterr().
 */
#ifndef CX_HTTP_H
#define CX_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_BODY        (1u << 20)  /* default largest request body */
#define HTTP_BODY_TIMEOUT_MS 30000       /* to receive a request's body */
#define HTTP_WORKERS         8           /* default worker threads */
#define HTTP_QUEUE_MAX       256         /* default requests waiting */

/* A request, as the handler sees it. Every pointer is borrowed and valid
 * until the handler returns. */
struct http_request {
	const char *method;     /* "GET", "POST", "HEAD", ... as sent */
	const char *path;       /* percent-decoded, without the query; starts
	                           with '/', holds no NUL byte */
	const char *query;      /* raw query string after '?' ("" when none) */
	const uint8_t *body;    /* NULL when there is none */
	size_t body_len;
	void *impl;             /* private */
};

/* The value of request header name (case-insensitive), or NULL. */
const char *http_request_header(const struct http_request *r, const char *name);

/* The response the handler fills in. */
struct http_response;

/* Set (replace) a response header. Returns 0, CX_ENOMEM, CX_EINVAL. */
int http_response_header(struct http_response *r, const char *name, const char *value);

/* Set the status and the body (copied; len 0 for none) with its
 * Content-Type. Returns 0, CX_ENOMEM. */
int http_response_body(struct http_response *r, int status, const char *content_type,
    const void *body, size_t len);

/*
 * An error answer: status and the JSON body {"error": message, "code":
 * http_status_code(status)} (application/json; charset=utf-8), with
 * Cache-Control: no-store. Returns 0, CX_ENOMEM.
 */
int http_response_error(struct http_response *r, int status, const char *message);

/* The machine-readable name of an error status: "bad_request",
 * "unauthorized", "forbidden", "not_found", "method_not_allowed",
 * "length_required", "too_big", "unsupported_media_type", "busy",
 * "internal"; "error" for any other. */
const char *http_status_code(int status);

/*
 * Request handler: answer req by filling res (status, headers, body).
 * Return 0; any other value, or returning without setting a body, sends
 * a 500 JSON error instead of whatever res holds. Called on the server's
 * worker threads, concurrently.
 */
typedef int (*http_handler)(void *ctx, const struct http_request *req,
    struct http_response *res);

/* Log sink: RFC 5424 severity (3 error, 4 warning, 5 notice, 6 info,
 * 7 debug), one line without a newline. NULL: silent. */
typedef void (*http_log)(void *ctx, int level, const char *msg);

struct http_server_cfg {
	http_handler handler;
	void *handler_ctx;
	http_log log;            /* each request at debug, refusals higher */
	void *log_ctx;
	size_t max_body;         /* 0: HTTP_MAX_BODY */
	int body_timeout_ms;     /* 0: HTTP_BODY_TIMEOUT_MS */
	int workers;             /* 0: HTTP_WORKERS */
	int max_queue;           /* 0: HTTP_QUEUE_MAX */
};

/* TLS identity of an https:// listener: PEM text (not file names). */
struct http_tls {
	const char *cert;
	const char *key;
};

typedef struct http_server http_server;

/* Create a server (its workers started, not yet listening). c is copied;
 * the pointers in it must outlive the server. */
int http_server_open(http_server **out, const struct http_server_cfg *c);

/*
 * Listen on url (http://HOST:PORT or https://HOST:PORT; port 0 picks a
 * free one, see http_server_port) and start answering. tls is required
 * for https:// and ignored for http://. Returns 0; CX_EINVAL (a URL the
 * rules refuse, bad TLS material: the reason in the detail); CX_EIO
 * (cannot listen: nng's error in the detail); CX_EEXIST (this process
 * already serves that address).
 */
int http_server_listen(http_server *s, const char *url, const struct http_tls *tls,
    int allow_plain);

/* The TCP port of the server's most recent listener. Returns 0, CX_EINVAL
 * (not listening), CX_EIO. */
int http_server_port(http_server *s, int *port);

/* Stop listening (open connections are closed; requests in hand are
 * finished first), stop the workers, free. NULL is a no-op. */
void http_server_close(http_server *s);

/* ---- helpers (pure; used by the API's routes and the tests) -------------- */

/* 0 if url may be listened on (rules above), else CX_EINVAL with why. */
int http_url_check(const char *url, int tls, int allow_plain);

/*
 * Percent-decode s in place ("%41" -> "A"; with form set, '+' -> ' ' as in
 * a query string). Returns 0; CX_EINVAL for a malformed escape or one
 * that decodes to a NUL byte.
 */
int http_pct_decode(char *s, int form);

/*
 * Iterate the pairs of a query string "a=1&b=x%20y&c": *cursor starts at
 * the string and is advanced; each call gives the next pair decoded into
 * malloc'd *name and *value (value "" when there is no '='; empty pairs
 * are skipped). Returns 1 (a pair; the caller frees both), 0 (no more),
 * CX_EINVAL (bad escape: *name and *value NULL), CX_ENOMEM.
 */
int http_query_next(const char **cursor, char **name, char **value);

#endif
