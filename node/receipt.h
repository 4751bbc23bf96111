/*
 * receipt.h — signed screening receipts (docs/receipts.md).
 *
 * A receipt is what a node says, signed with its own key, about one
 * screening answer: who asked, with which role, when, the query as the
 * answer echoes it, the SHA-256 of the answer's canonical bytes
 * (screen_digest), the grade table it was computed with, and every log of
 * the view it was computed against (origin, size, root). It travels as one
 * JSON document that also carries the answer itself and the signed
 * checkpoints of those sizes with their cosignatures:
 *
 *   {"receipt": "<signed note>", "answer": {...}, "checkpoints": ["<note>", ...]}
 *
 * The signed note (keys/note.h, C2SP signed-note, like a checkpoint) has
 * this text, one item a line, in this order:
 *
 *   cxnode screening receipt v1
 *   node hangzhou                          the answering node (roster id)
 *   time 2026-11-22T09:04:23Z              when it answered (UTC, seconds)
 *   who cl-regulator                       who asked (client, member, local:USER)
 *   role regulator                         the asker's role (node/role.h)
 *   ids masked                             or "ids shown": identity numbers
 *   query {"as_of":"2026-11-22",...}       the answer's query echo, canonical
 *   answer <64 hex>                        screen_digest of the answer
 *   grades <digest> <version>              the grade table of the answer
 *   log <size> <base64 root> <origin>      one per log of the view, by origin
 *
 * A dedicated credit report (node/report.h) is signed with the same
 * statement, first line "cxnode credit report v1" and one more line,
 * "report <64 hex>" after "answer", the digest of the report's body.
 *
 * Verifying needs only the roster (SignedRoster, keys/roster.h): the note
 * is signed by a key the roster gives the node at the receipt's time; the
 * answer's digest is the signed one; every checkpoint is signed by its
 * log's issuer and states the signed size and root, and every cosignature
 * on it verifies with its witness's roster key. Given a node holding those
 * logs (at those sizes or more), the answer is then computed again there
 * and its digest compared: "confirmed", also when the answer is negative.
 */
#ifndef CX_RECEIPT_H
#define CX_RECEIPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "keys/keys.h"
#include "node/screen.h"
#include "proto/cxnode.pb-c.h"
#include "store/store.h"
#include "store/tlog.h"

#define RECEIPT_HEADER "cxnode screening receipt v1"
#define REPORT_HEADER  "cxnode credit report v1"

/* Most logs one statement may name. */
#define RECEIPT_MAX_LOGS 4096

enum { RECEIPT_SCREENING = 1, RECEIPT_REPORT = 2 };

struct receipt_log {
	char *origin;
	uint64_t size;
	tlog_hash root;
};

/* A statement, parsed or to be formatted. Strings are malloc'd. */
struct receipt_stmt {
	int kind;               /* RECEIPT_SCREENING or RECEIPT_REPORT */
	char *node;             /* a valid key name */
	uint64_t time;          /* unix seconds */
	char *who;
	char *role;             /* a role name */
	int ids_shown;          /* 1: identity numbers unmasked in the answer */
	char *query;            /* canonical JSON object, one line */
	uint8_t answer[32];
	uint8_t report[32];     /* RECEIPT_REPORT only */
	char *grades_digest;    /* as the answer states it (no spaces) */
	char *grades_version;   /* the rest of the line */
	struct receipt_log *logs; /* sorted by origin, no two equal */
	size_t nlogs;
};

/*
 * Format s as statement text (ending in "\n") into *out (malloc'd,
 * NUL-terminated, the caller's) of *len bytes. Every field is checked as
 * receipt_stmt_parse would. Returns 0, CX_EINVAL (with which field),
 * CX_ENOMEM.
 */
int receipt_stmt_format(char **out, size_t *len, const struct receipt_stmt *s);

/*
 * Parse statement text[0..len) (the signed text of the note, with its
 * final "\n") strictly: the lines above in order, nothing else. On success
 * s is filled (free with receipt_stmt_free). Returns 0, CX_EFORMAT (detail
 * names the line), CX_ETOOBIG, CX_ENOMEM; s is zeroed on failure.
 */
int receipt_stmt_parse(struct receipt_stmt *s, const char *text, size_t len);

/* Free the strings of s and zero it; accepts a zeroed struct. */
void receipt_stmt_free(struct receipt_stmt *s);

/* "2026-11-22T09:04:23Z" for unix time t (out has room for 21 bytes). */
void receipt_time_format(char out[21], uint64_t t);

/*
 * Whether an answer shows identity numbers: 1 when any id_number or
 * legal_rep_id_number in it (or the id-number value of its query echo) is
 * not masked, 0 when those present are masked, and the default dflt when
 * the answer holds none (then masking does not change its bytes).
 */
int receipt_ids_shown(const json_t *answer, int dflt);

/*
 * Make the receipt of answer, computed over view v (from
 * screen_view_latest: every log must carry its signed checkpoint), for
 * who with role (a role name) at unix time now, signed by key (the
 * node's private key; node_id is its roster id and key name). *out is a
 * new JSON object, the caller's. Returns 0; CX_EINVAL (a log of the view
 * without checkpoint, an answer without query or grades, data of the
 * answer that is not the view's); CX_ENOMEM; CX_ECRYPTO.
 */
int receipt_make(json_t **out, keys_key *key, const char *node_id,
    const struct screen_view *v, const json_t *answer, const char *who,
    const char *role, uint64_t now);

/* ---- verification -------------------------------------------------------- */

/*
 * What verification finds is gathered in a JSON object (what `--json`
 * prints): {"valid", "problems": [text], "notes": [text], and the facts
 * read: "node", "time", "who", "role", "query", "as_of", "subjects",
 * "negative", "logs": [{origin, issuer, size, root, cosigned_by}], and,
 * when recomputed, "confirmed"}.
 */

/* Add a problem (sets "valid" false) or a note to result r. */
void receipt_problem(json_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void receipt_note(json_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Check the signed statement note[0..len) against roster: a note whose
 * text parses as a statement of kind, signed by a key the roster gives its
 * node at its time. Problems go to r. Returns 0 with *s filled (also when
 * the signature failed, as long as the text parsed: the problem is in r),
 * or CX_EFORMAT / CX_ENOMEM when there is no statement to read.
 */
int receipt_check_statement(struct receipt_stmt *s, json_t *r, const Cx__Roster *roster,
    const char *note, size_t len, int kind);

/*
 * Check the checkpoints array of a receipt or report against the logs of
 * s: one per log, in the same order, each signed by the member whose log
 * it is, stating that log's size and root, every further signature line a
 * cosignature that verifies with its witness's roster key. Facts and
 * problems go to r ("logs").
 */
void receipt_check_checkpoints(json_t *r, const Cx__Roster *roster,
    const struct receipt_stmt *s, const json_t *checkpoints);

/*
 * Check answer against s: its digest is the signed one, its query echo,
 * grade table and data are the statement's. Problems go to r; the answer's
 * facts too ("as_of", "subjects", "negative").
 */
void receipt_check_answer(json_t *r, const struct receipt_stmt *s, const json_t *answer);

/* What recomputation needs: a node's store (a read transaction on it) and
 * its grade table; id_number when the query's value is masked. */
struct receipt_node {
	store *st;
	store_txn *t;
	const struct grades *g;
	const char *id_number;
};

/*
 * Verify receipt document doc with roster (the findings above into
 * *result, a new object). When node is not NULL the answer is also
 * computed again on it and compared. Returns 0 when valid (and confirmed,
 * with node); CX_EBADSIG when not, every reason in *result's "problems"
 * (the first also in cx_lasterr()); CX_ENOMEM (*result may be NULL then).
 */
int receipt_verify(json_t **result, const json_t *doc, const Cx__Roster *roster,
    const struct receipt_node *node);

/* ---- shared with report.c ------------------------------------------------ */

/* Fill statement s of kind from what receipt_make and report_make are
 * given (the report digest excepted). s is the caller's to free, also on
 * failure. */
int receipt_stmt_fill(struct receipt_stmt *s, int kind, const char *node_id,
    const struct screen_view *v, const json_t *answer, const char *who, const char *role,
    uint64_t now);

/* Format s and sign it with key into the note *note (malloc'd) / *nlen. */
int receipt_sign_stmt(char **note, size_t *nlen, keys_key *key, const struct receipt_stmt *s);

/* The checkpoint notes of view v, as a JSON array (NULL: out of memory). */
json_t *receipt_checkpoints_json(const struct screen_view *v);

/* A problem in r for every member of object doc not in keys (NULL-ended);
 * returns 1 if there was one. */
int receipt_only_keys(json_t *r, const json_t *doc, const char *const *keys);

/* 0 when r has no problem (and is not unconfirmed), else CX_EBADSIG with
 * the first problem as detail. */
int receipt_result_code(json_t *r);

/* ---- the command line (node/cmd_receipt.c) ------------------------------ */

/* Read a whole file of at most max bytes into *buf (malloc'd, with a NUL
 * after the *len bytes). Returns 0, CX_ENOTFOUND, CX_ETOOBIG, CX_EIO,
 * CX_ENOMEM. */
int receipt_read_file(char **buf, size_t *len, const char *path, size_t max);

/* Open the SignedRoster file path, checked with the root key root (a
 * verifier or a file; NULL: not checked). Prints the reason and returns
 * CLI_FATAL on failure, else CLI_OK. */
int receipt_cli_roster(Cx__Roster **out, const char *path, const char *root);

/*
 * Compute the answer of doc (a receipt, or a report: node/report.h) again on
 * node and compare its digest with the signed one, unless r already has a
 * problem (then only a note says why not). doc must have been verified into
 * r. Returns as receipt_verify (r gets "confirmed"); CX_EFORMAT when doc
 * has no statement.
 */
int receipt_confirm(json_t *r, const json_t *doc, const struct receipt_node *node);

/* Print result for a person (one line a fact or problem) to f. */
void receipt_print(FILE *f, const json_t *result);

#endif
