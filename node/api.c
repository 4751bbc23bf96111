/*
 * api.c — the one dispatcher of the regulator services (node/api.h,
 * docs/api.md): the role check, the masking (by the permissions passed
 * down), and the audit entry of every call are made here and nowhere else.
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "node/api.h"
#include "node/audit.h"
#include "node/quality.h"
#include "node/receipt.h"
#include "node/report.h"
#include "node/role.h"
#include "node/screen.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

#define API_TOKENS_MAX 4096

struct api_token {
	uint8_t hash[32];          /* SHA-256 of the token's bytes */
	struct api_caller c;
	uint64_t expires;
};

struct api {
	struct node *n;
	struct grades *grades;
	struct audit *audit;
	pthread_mutex_t mu;        /* tokens */
	struct api_token *tokens;
	size_t ntokens;
};

static const char *const api_perm_names[] = {
	"query", "personal", "history", "report", "audit", "quality", "leaves",
};

int
api_open(struct api **out, struct node *n)
{
	struct api *a;
	int rc;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return CX_ENOMEM;
	a->n = n;
	pthread_mutex_init(&a->mu, NULL);
	if ((rc = grades_load(&a->grades, n->cfg.grades)) != 0 ||
	    (rc = audit_open(&a->audit, &n->cfg)) != 0) {
		api_close(a);
		return rc;
	}
	*out = a;
	return 0;
}

void
api_close(struct api *a)
{
	if (a == NULL)
		return;
	audit_close(a->audit);
	grades_free(a->grades);
	if (a->tokens != NULL) {
		OPENSSL_cleanse(a->tokens, a->ntokens * sizeof(*a->tokens));
		free(a->tokens);
	}
	pthread_mutex_destroy(&a->mu);
	free(a);
}

void
api_local_caller(struct api_caller *c, const struct node *n, int want_personal)
{
	struct passwd *pw = getpwuid(geteuid());

	memset(c, 0, sizeof(*c));
	if (pw != NULL && pw->pw_name != NULL)
		snprintf(c->who, sizeof(c->who), "local:%s", pw->pw_name);
	else
		snprintf(c->who, sizeof(c->who), "local:%u", (unsigned)geteuid());
	c->role = ROLE_OPERATOR;
	c->perms = role_perms(ROLE_OPERATOR);
	if (!(want_personal && n->cfg.unmask))
		c->perms &= ~(uint32_t)PERM_PERSONAL;
	c->via = "cli";
}

void
api_wire_caller(struct api_caller *c, const char *id, int role, const char *via)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->who, sizeof(c->who), "%s", id);
	c->role = role;
	c->perms = role_perms(role);
	c->via = via;
}

int
api_wire_code(int rc)
{
	switch (rc) {
	case 0: return 0;
	case CX_EPERM: return 11;      /* WERR_FORBIDDEN */
	case CX_EINVAL:
	case CX_EFORMAT: return 1;     /* WERR_MALFORMED */
	case CX_EBUSY: return 14;      /* WERR_BUSY */
	case CX_ENOTFOUND: return 12;  /* WERR_NOT_FOUND */
	case CX_ETOOBIG: return 13;    /* WERR_TOO_BIG */
	}
	return 15;                     /* WERR_INTERNAL */
}

int
api_http_status(int rc)
{
	switch (rc) {
	case 0: return 200;
	case CX_EPERM: return 403;
	case CX_EINVAL:
	case CX_EFORMAT: return 400;
	case CX_EBUSY: return 503;
	case CX_ENOTFOUND: return 404;
	case CX_ETOOBIG: return 413;
	}
	return 500;
}

static uint64_t
api_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

/* ---- tokens ------------------------------------------------------------- */

static void
api_token_hash(const char *token, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_Digest(token, strlen(token), out, &len, EVP_sha256(), NULL);
}

static int
api_token_issue(struct api *a, const struct api_caller *c, const json_t *params,
    json_t **result)
{
	json_t *jt = params ? json_object_get(params, "ttl") : NULL;
	uint64_t now = (uint64_t)time(NULL), ttl = 3600;
	uint8_t raw[32];
	char hex[65];
	size_t i, j;

	if (strcmp(c->via, "http") == 0)
		return cx_seterr(CX_EPERM, "tokens are issued over an authenticated session "
		    "(nng or the local CLI), not over HTTP");
	if (c->role == ROLE_MONITOR)
		return cx_seterr(CX_EPERM, "role monitor has no use for the HTTP API");
	if (jt != NULL) {
		if (!json_is_integer(jt) || json_integer_value(jt) < 60 ||
		    json_integer_value(jt) > API_TOKEN_TTL_MAX)
			return cx_seterr(CX_EINVAL, "ttl: seconds, 60..%d", API_TOKEN_TTL_MAX);
		ttl = (uint64_t)json_integer_value(jt);
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return cx_seterr(CX_ECRYPTO, "no random bytes");
	for (i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof(raw));
	pthread_mutex_lock(&a->mu);
	for (i = j = 0; i < a->ntokens; i++)       /* drop the expired */
		if (a->tokens[i].expires > now)
			a->tokens[j++] = a->tokens[i];
	a->ntokens = j;
	if (a->ntokens == API_TOKENS_MAX) {
		pthread_mutex_unlock(&a->mu);
		OPENSSL_cleanse(hex, sizeof(hex));
		return cx_seterr(CX_EBUSY, "too many live tokens (%d)", API_TOKENS_MAX);
	}
	if (a->tokens == NULL &&
	    (a->tokens = calloc(API_TOKENS_MAX, sizeof(*a->tokens))) == NULL) {
		pthread_mutex_unlock(&a->mu);
		return CX_ENOMEM;
	}
	api_token_hash(hex, a->tokens[a->ntokens].hash);
	a->tokens[a->ntokens].c = *c;
	a->tokens[a->ntokens].c.via = "http";
	a->tokens[a->ntokens].expires = now + ttl;
	a->ntokens++;
	pthread_mutex_unlock(&a->mu);
	*result = json_pack("{s:s, s:I, s:s, s:s}", "token", hex, "expires", (json_int_t)(now + ttl),
	    "who", c->who, "role", role_name(c->role));
	OPENSSL_cleanse(hex, sizeof(hex));
	return *result != NULL ? 0 : CX_ENOMEM;
}

int
api_token_check(struct api *a, const char *token, struct api_caller *c)
{
	uint64_t now = (uint64_t)time(NULL);
	uint8_t h[32];
	size_t i;
	int rc = cx_seterr(CX_EPERM, "unknown or expired token");

	if (token == NULL || strlen(token) != 64)
		return cx_seterr(CX_EPERM, "a bearer token is 64 hexadecimal characters");
	api_token_hash(token, h);
	pthread_mutex_lock(&a->mu);
	for (i = 0; i < a->ntokens; i++)
		if (CRYPTO_memcmp(a->tokens[i].hash, h, 32) == 0 && a->tokens[i].expires > now) {
			*c = a->tokens[i].c;
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

/* ---- methods ------------------------------------------------------------ */

static json_t *
api_perms_json(uint32_t perms)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < sizeof(api_perm_names) / sizeof(api_perm_names[0]); i++)
		if (perms & (1u << i))
			json_array_append_new(arr, json_string(api_perm_names[i]));
	return arr;
}

/*
 * A screening answer for q (and what query, receipt and report share):
 * the view of the latest checkpoints, the answer for the caller's
 * permissions. *tp and *v stay open for the caller (report needs them).
 */
static int
api_screen(struct api *a, const struct api_caller *c, const struct screen_query *q,
    store_txn **tp, struct screen_view *v, json_t **answer)
{
	int rc;

	if (!(c->perms & PERM_QUERY))
		return cx_seterr(CX_EPERM, "role %s may not query", role_name(c->role));
	if (!(c->perms & PERM_HISTORY) && (q->history || q->as_of < date_today()))
		return cx_seterr(CX_EPERM, "role %s sees what is published today: history and "
		    "past dates need the history permission", role_name(c->role));
	if ((rc = store_read_begin(tp, a->n->st)) != 0)
		return rc;
	if ((rc = screen_view_latest(v, *tp, a->n->st)) != 0)
		return rc;
	return screen_answer(answer, *tp, v, a->grades, q, c->perms);
}

static int
api_need_key(const struct api *a, const char *what)
{
	if (a->n->key == NULL)
		return cx_seterr(CX_EPERM, "%s: this node was opened without its signing key", what);
	return 0;
}

/*
 * The parameters as the audit log keeps them: canonical, with an identity
 * number searched for masked (the audit log never holds one in clear).
 */
static char *
api_audit_query(const char *method, const json_t *params, const struct screen_query *q,
    int parsed)
{
	json_t *j;
	char *s;

	if (parsed) {
		j = screen_query_json(q, 1);
	} else if (params != NULL && (strcmp(method, "query") == 0 ||
	    strcmp(method, "receipt") == 0 || strcmp(method, "report") == 0)) {
		/* did not parse: keep only the shape, never a value */
		j = json_pack("{s:b}", "unparsed", 1);
	} else {
		j = params != NULL ? json_deep_copy(params) : json_object();
	}
	s = j != NULL ? screen_canonical(j, NULL) : NULL;
	json_decref(j);
	return s;
}

int
api_call(struct api *a, const struct api_caller *c, const char *method, const json_t *params,
    json_t **result)
{
	Cx__AuditEntry e = CX__AUDIT_ENTRY__INIT;
	struct screen_query q;
	struct screen_view v = { 0 };
	store_txn *t = NULL;
	json_t *answer = NULL, *out = NULL;
	const json_t *hashed = NULL;
	uint8_t digest[32];
	char detail[512] = "", *qtext = NULL;
	int rc, parsed = 0, arc;

	*result = NULL;
	memset(&q, 0, sizeof(q));
	if (params != NULL && !json_is_object(params)) {
		rc = cx_seterr(CX_EINVAL, "the parameters are not a JSON object");
	} else if (strcmp(method, "whoami") == 0) {
		out = json_pack("{s:s, s:s, s:o, s:s}", "who", c->who, "role", role_name(c->role),
		    "perms", api_perms_json(c->perms), "node", a->n->cfg.id);
		rc = out ? 0 : CX_ENOMEM;
		hashed = out;
	} else if (strcmp(method, "query") == 0 || strcmp(method, "receipt") == 0 ||
	    strcmp(method, "report") == 0) {
		int report = strcmp(method, "report") == 0;

		if ((rc = screen_query_parse(&q, params)) != 0)
			goto done;
		parsed = 1;
		if (report) {
			if (!(c->perms & PERM_REPORT)) {
				rc = cx_seterr(CX_EPERM, "role %s may not have reports",
				    role_name(c->role));
				goto done;
			}
			if (q.prefix) {
				rc = cx_seterr(CX_EINVAL, "a report is about one subject: no prefix");
				goto done;
			}
			/* a report tells the whole story its reader may see */
			q.history = (c->perms & PERM_HISTORY) != 0;
		}
		if (strcmp(method, "query") != 0 && (rc = api_need_key(a, method)) != 0)
			goto done;
		if ((rc = api_screen(a, c, &q, &t, &v, &answer)) != 0)
			goto done;
		hashed = answer;
		if (strcmp(method, "query") == 0) {
			out = json_incref(answer);
		} else if (report) {
			rc = report_make(&out, a->n->key, a->n->cfg.id, t, &v, answer, c->who,
			    role_name(c->role), (uint64_t)time(NULL));
		} else {
			rc = receipt_make(&out, a->n->key, a->n->cfg.id, &v, answer, c->who,
			    role_name(c->role), (uint64_t)time(NULL));
		}
	} else if (strcmp(method, "audit") == 0) {
		if (!(c->perms & PERM_AUDIT))
			rc = cx_seterr(CX_EPERM, "role %s may not read the audit log",
			    role_name(c->role));
		else if ((rc = audit_flush(a->audit)) == 0)
			rc = audit_query(a->audit, params, &out);
		hashed = out;
	} else if (strcmp(method, "quality") == 0) {
		if (!(c->perms & PERM_QUALITY))
			rc = cx_seterr(CX_EPERM, "role %s may not have quality figures",
			    role_name(c->role));
		else if ((rc = store_read_begin(&t, a->n->st)) == 0)
			rc = quality_report(&out, a->n, t, params);
		hashed = out;
	} else if (strcmp(method, "token") == 0) {
		rc = api_token_issue(a, c, params, &out);
		hashed = NULL;      /* the token is a secret: its digest is not logged */
	} else {
		rc = cx_seterr(CX_ENOTFOUND, "no method \"%.64s\" (whoami, query, receipt, report, "
		    "audit, quality, token)", method);
	}
done:
	if (rc != 0)
		snprintf(detail, sizeof(detail), "%s", cx_lasterr());
	memset(digest, 0, sizeof(digest));
	if (rc == 0 && hashed != NULL && screen_digest(hashed, digest) != 0)
		memset(digest, 0, sizeof(digest));
	qtext = api_audit_query(method, params, &q, parsed);
	e.time = api_now_ms();
	e.who = (char *)c->who;
	e.role = (char *)role_name(c->role);
	e.via = (char *)c->via;
	e.method = (char *)method;
	e.query = qtext ? qtext : (char *)"";
	if (rc == 0 && hashed != NULL) {
		e.answer_digest.data = digest;
		e.answer_digest.len = sizeof(digest);
	}
	e.status = (uint32_t)api_wire_code(rc);
	e.detail = detail;
	/* No answer leaves without its audit entry: a local command waits for
	 * it to be durable; a server's entries follow within one batch. */
	arc = audit_append(a->audit, &e, strcmp(c->via, "cli") == 0);
	free(qtext);
	json_decref(answer);
	screen_view_free(&v);
	store_read_end(t);
	if (arc != 0) {
		json_decref(out);
		return cx_seterr(CX_EIO, "audit log: %s", cx_lasterr());
	}
	if (rc != 0) {
		json_decref(out);
		return cx_seterr(rc, "%s", detail);
	}
	*result = out;
	return 0;
}
