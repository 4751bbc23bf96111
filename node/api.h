/*
 * api.h — the regulator services of a node (docs/api.md): one dispatcher
 * for every path a question can come by (the local CLI, the nng API, the
 * HTTP API), so that the role check, the masking and the audit entry are
 * made in one place.
 *
 * Methods (params and results are JSON objects):
 *
 *   whoami    -> {who, role, perms}
 *   query     screen_query params -> the screening answer (node/screen.h)
 *   receipt   screen_query params -> a signed screening receipt holding
 *             the answer (node/receipt.h)
 *   report    {by, value, as_of} -> a dedicated credit report (node/report.h)
 *   audit     audit filters -> entries of the node's audit log (node/audit.h)
 *   quality   {from, to, period, issuer, department} -> 双公示 quality figures
 *             (node/quality.h)
 *   token     {ttl} -> {token, expires}: a bearer token for the HTTP API,
 *             carrying the caller's identity and role (not over HTTP)
 *
 * Every call is written to the audit log (who, role, via, method, masked
 * parameters, digest of the answer or the refusal), refused ones too.
 */
#ifndef CX_API_H
#define CX_API_H

#include <stdint.h>

#include <jansson.h>

#include "node/node.h"

struct api_caller {
	char who[256];        /* member or client id; "local:USER" */
	int role;             /* node/role.h */
	uint32_t perms;       /* PERM_* of the role, possibly narrowed */
	const char *via;      /* "cli", "nng", "http" */
};

struct api;

/*
 * Open the services of node n (opened by the caller, kept open while the
 * api is): grade table ([query] grades), audit log (HOME/audit), and the
 * node's signing key when n holds it (receipts and reports need it;
 * without it those methods answer CX_EPERM "this node was opened without
 * its signing key"). Returns 0 or an error with detail.
 */
int api_open(struct api **out, struct node *n);

/* Flush the audit log and free. NULL is a no-op. */
void api_close(struct api *a);

/*
 * Answer method(params) for caller. params may be NULL (an empty object).
 * On success *result is a new reference. Errors: CX_EPERM (the role may
 * not), CX_EINVAL (bad parameters), CX_ENOTFOUND (unknown method, nothing
 * to report), CX_EIO and others; cx_lasterr() has the reason. Safe to call
 * from several threads at once.
 */
int api_call(struct api *a, const struct api_caller *caller, const char *method,
    const json_t *params, json_t **result);

/* The local operator: "local:USER", ROLE_OPERATOR, PERM_PERSONAL only when
 * [query] unmask = true and want_personal. */
void api_local_caller(struct api_caller *c, const struct node *n, int want_personal);

/* The caller of an authenticated wire session (role from the lookup). */
void api_wire_caller(struct api_caller *c, const char *id, int role, const char *via);

/* The WireErrorCode and the HTTP status for an api_call return code. */
int api_wire_code(int rc);
int api_http_status(int rc);

/*
 * Bearer tokens for the HTTP API: 32 random bytes, hex, bound to the
 * caller's identity and role, valid ttl seconds (at most API_TOKEN_TTL_MAX).
 * Only their SHA-256 is kept, in memory: a restart forgets them.
 */
#define API_TOKEN_TTL_MAX (12 * 3600)
int api_token_check(struct api *a, const char *token, struct api_caller *c);

#endif
