/*
 * http_api.c — the routes of the HTTP/JSON API and the console
 * (docs/http.md), over net/http.h's server.
 *
 * Design
 *
 * Nothing here decides what a caller may see: every /v1/ call goes to
 * api_call (node/api.h) with the caller the bearer token names, so the role
 * check, the masking and the audit entry are the same as over nng and on
 * the command line. This file only turns HTTP into a call and the call's
 * outcome back into HTTP:
 *
 *   path                     method       answer
 *   /, /console, /console/   GET, HEAD    the console page
 *   /console/NAME            GET, HEAD    an embedded console file
 *   /v1/openapi.json         GET, HEAD    the API's description (no token)
 *   /v1/METHOD               POST         api_call(METHOD, JSON body)
 *   /v1/METHOD               GET, HEAD    api_call(METHOD, query string)
 *   anything else                         404 (405 for a known path)
 *
 * METHOD is passed on as it is when it looks like a method name (at most
 * 32 of a-z and '_'), so that the dispatcher refuses, and writes to the
 * audit log, a method that does not exist or may not be called over HTTP
 * ("token"), as it does every other refusal of an authenticated caller.
 *
 * A query string becomes params by name: "kinds" (repeated, or separated
 * by commas) is an array of strings; "prefix", "history" are booleans
 * (1/0, true/false, yes/no, on/off); "offset", "limit", "ttl" integers;
 * every other name a string (identity numbers and codes stay strings). A
 * name given twice is a 400. "format" is the HTTP layer's own (report as
 * html) and is not passed on; for the report it is taken from the query
 * string of a POST too.
 *
 * The token: "Authorization: Bearer TOKEN", checked by api_token_check.
 * None, another scheme or a bad token is 401 with a WWW-Authenticate
 * header; nothing about the call is logged to the audit log then, since
 * there is no caller to name (the node's log has a line).
 *
 * Headers: API answers are application/json; charset=utf-8 with
 * Cache-Control: no-store; the console's files carry a Content-Security-
 * Policy of default-src 'self' (no inline script, nothing from elsewhere,
 * no framing), X-Content-Type-Options: nosniff and X-Frame-Options: DENY;
 * an HTML report allows inline style only, no script at all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "net/http.h"
#include "node/api.h"
#include "node/http_api.h"
#include "node/report.h"
#include "util/err.h"

#define HTTP_API_JSON "application/json; charset=utf-8"

/* The console and the OpenAPI file: what a browser may load, and from
 * where. */
#define HTTP_API_CSP_CONSOLE "default-src 'self'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'"
#define HTTP_API_CSP_REPORT "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#define HTTP_API_CSP_JSON "default-src 'none'; frame-ancestors 'none'"

struct http_api {
	http_server *srv;
	struct api *api;
	void (*log)(void *ctx, int level, const char *msg);
	void *logctx;
};

static void
http_api_logf(struct http_api *h, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
http_api_logf(struct http_api *h, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (h->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->log(h->logctx, level, buf);
}

/* ---- answers ------------------------------------------------------------------ */

static int
http_api_headers(struct http_response *rs, const char *csp, const char *cache)
{
	int rc;

	if ((rc = http_response_header(rs, "Content-Security-Policy", csp)) != 0 ||
	    (rc = http_response_header(rs, "X-Content-Type-Options", "nosniff")) != 0 ||
	    (rc = http_response_header(rs, "X-Frame-Options", "DENY")) != 0 ||
	    (rc = http_response_header(rs, "Referrer-Policy", "no-referrer")) != 0 ||
	    (rc = http_response_header(rs, "Cache-Control", cache)) != 0)
		return rc;
	return 0;
}

/* An error answer of the API (JSON, no-store, and the same headers). */
static int
http_api_error(struct http_response *rs, int status, const char *msg)
{
	int rc;

	if ((rc = http_response_error(rs, status, msg)) != 0)
		return rc;
	return http_api_headers(rs, HTTP_API_CSP_JSON, "no-store");
}

static int
http_api_json(struct http_response *rs, const json_t *j)
{
	char *s;
	int rc;

	if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
		return cx_seterr(CX_ENOMEM, "JSON answer");
	rc = http_response_body(rs, 200, HTTP_API_JSON, s, strlen(s));
	free(s);
	if (rc == 0)
		rc = http_api_headers(rs, HTTP_API_CSP_JSON, "no-store");
	return rc;
}

/* A report as its page (node/report.h: inline style, no script to run). */
static int
http_api_report_html(struct http_api *h, struct http_response *rs, const json_t *report)
{
	char *html = NULL;
	int rc;

	if ((rc = report_html(report, &html)) != 0) {
		http_api_logf(h, 3, "http: the report's page: %s", cx_lasterr());
		return http_api_error(rs, 500, "internal error");
	}
	rc = http_response_body(rs, 200, "text/html; charset=utf-8", html, strlen(html));
	free(html);
	if (rc == 0)
		rc = http_api_headers(rs, HTTP_API_CSP_REPORT, "no-store");
	return rc;
}

static const struct http_asset *
http_api_asset(const char *name)
{
	const struct http_asset *a;

	for (a = http_assets; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static const char *
http_api_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (strcmp(dot, ".json") == 0)
		return HTTP_API_JSON;
	return "application/octet-stream";
}

/* Serve embedded file name, or 404. */
static int
http_api_file(struct http_response *rs, const char *name)
{
	const struct http_asset *a = http_api_asset(name);
	int rc;

	if (a == NULL)
		return http_api_error(rs, 404, "no such file");
	if ((rc = http_response_body(rs, 200, http_api_type(name), a->data, a->len)) != 0)
		return rc;
	return http_api_headers(rs, HTTP_API_CSP_CONSOLE, "no-cache");
}

/* ---- parameters --------------------------------------------------------------- */

static int
http_api_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on", "" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	return -1;
}

static int
http_api_is(const char *name, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(name, *set) == 0)
			return 1;
	return 0;
}

/*
 * The params of a GET: the query string's pairs, typed by name (see the
 * top). *format gets a malloc'd copy of "format" when present. Returns 0
 * (*out a new object), CX_EINVAL with the reason, CX_ENOMEM.
 */
static int
http_api_query_params(json_t **out, char **format, const char *query)
{
	static const char *const bools[] = { "prefix", "history", NULL };
	static const char *const ints[] = { "offset", "limit", "ttl", NULL };
	static const char *const arrays[] = { "kinds", NULL };
	const char *cur = query;
	char *name, *value;
	json_t *o, *v = NULL;
	int rc = 0, r;

	*out = NULL;
	*format = NULL;
	if ((o = json_object()) == NULL)
		return cx_seterr(CX_ENOMEM, "params");
	while ((r = http_query_next(&cur, &name, &value)) == 1) {
		v = NULL;
		if (name[0] == '\0') {
			rc = cx_seterr(CX_EINVAL, "a query parameter without a name");
		} else if (strcmp(name, "format") == 0) {
			if (*format != NULL)
				rc = cx_seterr(CX_EINVAL, "format given twice");
			else {
				*format = value;
				value = NULL;
			}
		} else if (http_api_is(name, arrays)) {
			json_t *arr = json_object_get(o, name);
			char *p, *save = NULL;

			if (arr == NULL) {
				arr = json_array();
				if (arr == NULL || json_object_set_new(o, name, arr) != 0)
					rc = cx_seterr(CX_ENOMEM, "params");
			}
			for (p = strtok_r(value, ",", &save); rc == 0 && p != NULL;
			    p = strtok_r(NULL, ",", &save))
				if (json_array_append_new(arr, json_string(p)) != 0)
					rc = cx_seterr(CX_EINVAL, "%.64s: not UTF-8", name);
		} else if (json_object_get(o, name) != NULL) {
			rc = cx_seterr(CX_EINVAL, "%.64s given twice", name);
		} else if (http_api_is(name, bools)) {
			int b;

			if (http_api_bool(value, &b) != 0)
				rc = cx_seterr(CX_EINVAL, "%.64s: expected true or false", name);
			else
				v = json_boolean(b);
		} else if (http_api_is(name, ints)) {
			char *end;
			long long n = strtoll(value, &end, 10);

			if (value[0] == '\0' || *end != '\0' || n < 0 || n > 0x7fffffffLL)
				rc = cx_seterr(CX_EINVAL, "%.64s: expected a number", name);
			else
				v = json_integer(n);
		} else {
			if ((v = json_string(value)) == NULL)
				rc = cx_seterr(CX_EINVAL, "%.64s: not UTF-8", name);
		}
		if (rc == 0 && v != NULL && json_object_set_new(o, name, v) != 0)
			rc = cx_seterr(CX_EINVAL, "%.64s: not a valid name", name);
		free(name);
		free(value);
		if (rc != 0)
			break;
	}
	if (rc == 0 && r < 0)
		rc = r;
	if (rc != 0) {
		json_decref(o);
		free(*format);
		*format = NULL;
		return rc;
	}
	*out = o;
	return 0;
}

/* The params of a POST: the body, a JSON object (empty body: {}). */
static int
http_api_body_params(json_t **out, const struct http_request *rq)
{
	json_error_t e;
	json_t *j;

	*out = NULL;
	if (rq->body_len == 0) {
		if ((*out = json_object()) == NULL)
			return cx_seterr(CX_ENOMEM, "params");
		return 0;
	}
	j = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL)
		return cx_seterr(CX_EINVAL, "the body is not JSON: %s (line %d, column %d)",
		    e.text, e.line, e.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return cx_seterr(CX_EINVAL, "the body must be a JSON object of parameters");
	}
	*out = j;
	return 0;
}

/* "format" from a query string (only that name is looked at). */
static int
http_api_format(char **format, const char *query)
{
	const char *cur = query;
	char *name, *value;
	int r;

	*format = NULL;
	while ((r = http_query_next(&cur, &name, &value)) == 1) {
		if (strcmp(name, "format") == 0 && *format == NULL) {
			*format = value;
			value = NULL;
		}
		free(name);
		free(value);
	}
	return r;
}

/* ---- the routes --------------------------------------------------------------- */

/* 401 with the header that says how to authenticate. */
static int
http_api_unauthorized(struct http_response *rs, const char *why, const char *challenge)
{
	int rc;

	if ((rc = http_api_error(rs, 401, why)) != 0)
		return rc;
	return http_response_header(rs, "WWW-Authenticate", challenge);
}

/* The caller the request's bearer token names, or an answer (401, 500)
 * in rs and *answered set. */
static int
http_api_auth(struct http_api *h, const struct http_request *rq, struct http_response *rs,
    struct api_caller *c, int *answered)
{
	const char *a = http_request_header(rq, "Authorization");
	char tok[256];
	size_t n;
	int rc;

	*answered = 1;
	if (a == NULL)
		return http_api_unauthorized(rs, "no bearer token: send Authorization: Bearer "
		    "TOKEN (cxnode token gives one)", "Bearer realm=\"cxnode\"");
	if (strncasecmp(a, "Bearer ", 7) != 0)
		return http_api_unauthorized(rs, "the Authorization header must be "
		    "Bearer TOKEN", "Bearer realm=\"cxnode\"");
	a += 7;
	while (*a == ' ')
		a++;
	n = strlen(a);
	while (n > 0 && a[n - 1] == ' ')
		n--;
	if (n == 0 || n >= sizeof(tok))
		return http_api_unauthorized(rs, "invalid or expired token",
		    "Bearer realm=\"cxnode\", error=\"invalid_token\"");
	memcpy(tok, a, n);
	tok[n] = '\0';
	memset(c, 0, sizeof(*c));
	rc = api_token_check(h->api, tok, c);
	explicit_bzero(tok, sizeof(tok));
	if (rc == CX_ENOMEM || rc == CX_EIO) {
		http_api_logf(h, 3, "http: checking a token: %s", cx_lasterr());
		return http_api_error(rs, 500, "internal error");
	}
	if (rc != 0) {
		http_api_logf(h, 5, "http: %s %.100s: token refused: %s", rq->method, rq->path,
		    cx_lasterr());
		return http_api_unauthorized(rs, "invalid or expired token",
		    "Bearer realm=\"cxnode\", error=\"invalid_token\"");
	}
	c->via = "http";
	*answered = 0;
	return 0;
}

/* The answer of api_call's failure rc. */
static int
http_api_refusal(struct http_api *h, struct http_response *rs, const struct api_caller *c,
    const char *method, int rc)
{
	int status = api_http_status(rc);
	const char *why = cx_lasterr();

	if (status < 400 || status > 599)
		status = 500;
	if (status >= 500 && status != 503) {
		http_api_logf(h, 3, "http: %s by %s: %s: %s", method, c->who, cx_strerror(rc),
		    why);
		return http_api_error(rs, status, "internal error");
	}
	return http_api_error(rs, status, why[0] != '\0' ? why : cx_strerror(rc));
}

/* POST or GET /v1/METHOD. */
static int
http_api_call(struct http_api *h, const struct http_request *rq, struct http_response *rs,
    const char *method)
{
	struct api_caller c;
	json_t *params = NULL, *result = NULL;
	char *format = NULL;
	int rc, answered;
	size_t i;

	if ((rc = http_api_auth(h, rq, rs, &c, &answered)) != 0 || answered)
		return rc;
	/* A name that could be a method goes to the dispatcher, which refuses
	 * (and audits) what is not one, "token" included; anything else is
	 * not a call. */
	for (i = 0; method[i] != '\0'; i++)
		if (i >= 32 || !((method[i] >= 'a' && method[i] <= 'z') || method[i] == '_'))
			return http_api_error(rs, 404, "no such method");
	if (strcmp(rq->method, "POST") == 0) {
		rc = http_api_body_params(&params, rq);
		if (rc == 0)
			rc = http_api_format(&format, rq->query);
	} else
		rc = http_api_query_params(&params, &format, rq->query);
	if (rc == CX_ENOMEM)
		goto out;
	if (rc != 0) {
		rc = http_api_error(rs, 400, cx_lasterr());
		goto out;
	}
	if (format != NULL && strcmp(format, "json") != 0 && (strcmp(format, "html") != 0 ||
	    strcmp(method, "report") != 0)) {
		rc = http_api_error(rs, 400, "format: json, or html for a report");
		goto out;
	}
	cx_clearerr();
	if ((rc = api_call(h->api, &c, method, params, &result)) != 0) {
		rc = http_api_refusal(h, rs, &c, method, rc);
		goto out;
	}
	if (format != NULL && strcmp(format, "html") == 0)
		rc = http_api_report_html(h, rs, result);
	else
		rc = http_api_json(rs, result);
out:
	json_decref(params);
	json_decref(result);
	free(format);
	return rc;
}

static int
http_api_handle(void *ctx, const struct http_request *rq, struct http_response *rs)
{
	struct http_api *h = ctx;
	int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
	int post = strcmp(rq->method, "POST") == 0;
	const char *p = rq->path;
	int rc;

	if (strcmp(p, "/") == 0 || strcmp(p, "/console") == 0 || strcmp(p, "/console/") == 0 ||
	    (strncmp(p, "/console/", 9) == 0 && strchr(p + 9, '/') == NULL) ||
	    strcmp(p, "/v1/openapi.json") == 0) {
		if (!get)
			goto not_allowed_get;
		if (strcmp(p, "/v1/openapi.json") == 0)
			return http_api_file(rs, "openapi.json");
		if (strncmp(p, "/console/", 9) == 0 && p[9] != '\0') {
			const char *dot = strrchr(p + 9, '.');

			if (dot == NULL || (strcmp(dot, ".css") != 0 && strcmp(dot, ".js") != 0 &&
			    strcmp(dot, ".html") != 0))
				return http_api_error(rs, 404, "no such file");
			return http_api_file(rs, p + 9);
		}
		return http_api_file(rs, "console.html");
	}
	if (strncmp(p, "/v1/", 4) == 0 && p[4] != '\0' && strchr(p + 4, '/') == NULL) {
		if (!get && !post) {
			if ((rc = http_api_error(rs, 405, "use POST (or GET)")) != 0)
				return rc;
			return http_response_header(rs, "Allow", "GET, HEAD, POST");
		}
		return http_api_call(h, rq, rs, p + 4);
	}
	return http_api_error(rs, 404, "no such path");
not_allowed_get:
	if ((rc = http_api_error(rs, 405, "use GET")) != 0)
		return rc;
	return http_response_header(rs, "Allow", "GET, HEAD");
}

/* ---- opening and closing --------------------------------------------------------- */

int
http_api_open(struct http_api **out, struct api *a, const char *const *urls, size_t n,
    const char *tls_cert_pem, const char *tls_key_pem, int allow_plain,
    void (*log)(void *ctx, int level, const char *msg), void *logctx)
{
	struct http_server_cfg c = { 0 };
	struct http_tls tls = { .cert = tls_cert_pem, .key = tls_key_pem };
	struct http_api *h;
	size_t i;
	int rc, port;

	*out = NULL;
	if (a == NULL || (n > 0 && urls == NULL))
		return cx_seterr(CX_EINVAL, "the HTTP API needs the node's services");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return cx_seterr(CX_ENOMEM, "HTTP API");
	h->api = a;
	h->log = log;
	h->logctx = logctx;
	c.handler = http_api_handle;
	c.handler_ctx = h;
	c.log = log;
	c.log_ctx = logctx;
	if ((rc = http_server_open(&h->srv, &c)) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((rc = http_server_listen(h->srv, urls[i], tls_cert_pem != NULL &&
		    tls_key_pem != NULL ? &tls : NULL, allow_plain)) != 0)
			goto fail;
		if (http_server_port(h->srv, &port) != 0)
			port = 0;
		http_api_logf(h, 6, "http: serving the API and console on %.200s (port %d)",
		    urls[i], port);
	}
	*out = h;
	return 0;
fail:
	http_api_close(h);
	return rc;
}

int
http_api_port(struct http_api *h, int *port)
{
	if (h == NULL)
		return cx_seterr(CX_EINVAL, "no HTTP API");
	return http_server_port(h->srv, port);
}

void
http_api_close(struct http_api *h)
{
	if (h == NULL)
		return;
	http_server_close(h->srv);
	free(h);
}
