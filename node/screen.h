/*
 * screen.h — cross-region screening: for a subject (or every subject a
 * search finds), what each city's log says about it on a date, in one
 * answer (docs/screening.md).
 *
 * An answer is a pure function of (the logs at the sizes of a view, the
 * grade mapping table, the query, the caller's permissions): any node
 * holding the same logs at those sizes computes the same bytes, which is
 * what receipts and reports rely on. It is a JSON object; screen_digest
 * hashes its canonical form (compact, keys in a fixed order, UTF-8).
 */
#ifndef CX_SCREEN_H
#define CX_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/query.h"
#include "store/store.h"
#include "store/tlog.h"

/* ---- the data an answer is computed against ----------------------------- */

struct screen_log {
	uint32_t log;           /* store log id */
	char *origin;           /* checkpoint origin line */
	char *issuer;           /* issuer node id */
	uint64_t size;          /* leaves [0, size) count */
	tlog_hash root;         /* root of the first size leaves */
	char *note;             /* the signed checkpoint of that size (malloc'd,
	                           with any cosignature lines held appended), or
	                           NULL when the view was given by sizes */
	size_t note_len;
};

struct screen_view {
	struct screen_log *logs; /* sorted by origin */
	size_t n;
};

/* Every log that has a stored checkpoint, at its latest checkpoint's size
 * (leaves beyond it are not yet signed and do not count). */
int screen_view_latest(struct screen_view *v, store_txn *t, store *st);

/*
 * The view of logs origins[i] at sizes[i] (i < n): each log must be held
 * with at least that many leaves (CX_ENOTFOUND otherwise, naming it); the
 * root is computed from the store, and the stored checkpoint of exactly
 * that size, when there is one, is attached.
 */
int screen_view_at(struct screen_view *v, store_txn *t, store *st, const char *const *origins,
    const uint64_t *sizes, size_t n);

void screen_view_free(struct screen_view *v);

/* ---- the grade mapping table ---------------------------------------------- */

/*
 * A versioned table mapping (scheme, original grade) to a canonical grade
 * A, B, C or D (docs/screening.md has the file format). NULL path: the
 * built-in table (version "builtin-1"). Returns 0, CX_EIO, CX_EFORMAT with
 * file:line.
 */
struct grades;
int grades_load(struct grades **out, const char *path);
void grades_free(struct grades *g);
const char *grades_version(const struct grades *g);
/* SHA-256 of the table's canonical content, 32 bytes. */
const uint8_t *grades_digest(const struct grades *g);
/* The canonical grade of (scheme, grade), or NULL when the table has none. */
const char *grades_map(const struct grades *g, const char *scheme, const char *grade);

/* ---- queries ------------------------------------------------------------ */

#define SCREEN_LIMIT_DEFAULT 20
#define SCREEN_LIMIT_MAX 200

struct screen_query {
	int by;                 /* QUERY_BY_CODE, _ID, _NAME, _REGNO */
	char value[256];        /* as searched (codes upper-cased) */
	int prefix;             /* value is a prefix */
	uint32_t as_of;         /* YYYYMMDD */
	uint32_t kinds;         /* bit (1u << RecordKind) per kind; 0 = all */
	char city[64];          /* issuer id or region code; "" = every city */
	char sector[64];        /* "" = every sector */
	uint32_t from, to;      /* decision dates, inclusive; 0 = open */
	int history;            /* also records not active on as_of */
	uint32_t offset;        /* subjects to skip */
	uint32_t limit;         /* subjects to answer; 0 = SCREEN_LIMIT_DEFAULT */
};

/*
 * Parse query parameters (docs/api.md: {"by", "value", "prefix", "as_of",
 * "kinds", "city", "sector", "from", "to", "history", "offset", "limit"})
 * with defaults (as_of today). Returns 0 or CX_EINVAL with the reason.
 */
int screen_query_parse(struct screen_query *q, const json_t *params);

/* The query as JSON (the same keys), with an identity-number value masked
 * when mask is set. */
json_t *screen_query_json(const struct screen_query *q, int mask);

/*
 * Compute the answer of q over view v (docs/screening.md):
 *
 *   {"query", "as_of", "grades": {version, digest}, "data": [{origin,
 *    issuer, size, root}], "total_subjects", "offset", ["next_offset"],
 *    "subjects": [{key, subject, listed, listed_in, active, total}],
 *    "active", "total", "records": [...]}
 *
 * perms are node/role.h PERM_* bits: without PERM_PERSONAL identity
 * numbers are masked everywhere in the answer (and in the query echo).
 * Whether the caller may ask for history or a past date is the caller's
 * check (api_call makes it), not part of the answer, so that a receipt
 * can be recomputed later. Returns 0 (possibly with no subject),
 * CX_EINVAL, CX_EPERM (a prefix search by identity number without
 * PERM_PERSONAL), CX_ETOOBIG (a prefix matching more than 10 000
 * subjects), or a store error.
 */
int screen_answer(json_t **out, store_txn *t, const struct screen_view *v,
    const struct grades *g, const struct screen_query *q, uint32_t perms);

/* Canonical bytes of a JSON value (compact, sorted keys; malloc'd) and the
 * SHA-256 of them. */
char *screen_canonical(const json_t *j, size_t *len);
int screen_digest(const json_t *j, uint8_t out[32]);

#endif
