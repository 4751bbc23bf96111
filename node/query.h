/*
 * query.h — what is active about a subject on a date.
 *
 * A subject is found through the derived 'S' index in every log the store
 * holds; each record found is combined with the status changes that point
 * at it ('T' index) and its publicity window, giving its state on the
 * as-of date. The state is a pure function of the logs and the date, so two
 * nodes holding the same logs give the same answer.
 */
#ifndef CX_QUERY_H
#define CX_QUERY_H

#include <stdint.h>

#include "proto/cxnode.pb-c.h"
#include "store/store.h"

enum query_state {
	QUERY_ACTIVE = 0,      /* in force and published on the date */
	QUERY_PENDING,         /* decided, but publication starts later */
	QUERY_EXPIRED,         /* publicity or validity ended */
	QUERY_REPAIRED,        /* credit repair took effect */
	QUERY_REMOVED,         /* removed from the list */
	QUERY_WITHDRAWN,       /* the decision was withdrawn */
	QUERY_UNPUBLISHED,     /* the rule says it is not published */
	QUERY_NOT_YET,         /* decided after the as-of date */
	QUERY_OTHER_SUBJECT,   /* on the date, a correction has it name another subject */
};

/* "active", "pending", ... */
const char *query_state_name(int state);

struct query_change {
	uint32_t log;
	uint64_t index;
	Cx__Record *rec;        /* the status change or outcome record */
};

struct query_hit {
	uint32_t log;
	uint64_t index;
	Cx__Record *rec;        /* the record as first published */
	const Cx__Record *current; /* its content on the date (a correction's
	                              replacement, or rec); borrowed from rec or
	                              from a change */
	struct query_change *changes; /* sorted by effective date, then index */
	size_t nchanges;
	int state;
	uint32_t since;         /* when the state began (0 if unknown) */
};

struct query_result {
	struct query_hit *hits; /* sorted: active first, then by decision date, newest first */
	size_t n;
	size_t nactive;
};

/* Search kinds for query_subject. */
enum { QUERY_BY_CODE = 'C', QUERY_BY_ID = 'I', QUERY_BY_NAME = 'N', QUERY_BY_REGNO = 'G' };

/*
 * Find every record about a subject in the store (all logs) and compute its
 * state on as_of (YYYYMMDD). Status changes and outcomes found by the search
 * lead to the records they change. Fills *out (free with query_result_free).
 * Returns 0 (possibly with no hits) or an error code.
 */
int query_subject(struct query_result *out, store_txn *t, int by, const char *value,
    uint32_t as_of);

/*
 * What a search may see: leaves [0, size) of log. A search limited to a
 * set of these (node/screen.h's views) ignores every log not in the set and
 * every leaf at or beyond its size: records, and the status changes and
 * outcomes found through the 'T' index alike.
 */
struct query_limit {
	uint32_t log;
	uint64_t size;
};

/*
 * query_subject over the leaves lim[0..nlim) allow (lim NULL: every leaf
 * held, as query_subject). Same results and ownership.
 */
int query_subject_in(struct query_result *out, store_txn *t, int by, const char *value,
    uint32_t as_of, const struct query_limit *lim, size_t nlim);

/*
 * Prefix search: the distinct subject values of kind by ('C', 'I', 'N',
 * 'G') that start with prefix and have at least one index entry within
 * lim (NULL: anywhere), in index order (byte order of the values; for 'I'
 * the identity numbers without their type digit, merged over the types).
 * The prefix is matched as the index holds values: 'N' normalised
 * (text_normalize, full-width/half-width and （）/() tolerant), 'I' upper
 * case. Each value can be given back to query_subject_in as an exact
 * value. *out is a malloc'd array of *n malloc'd strings (free with
 * query_values_free). More than max values: CX_ETOOBIG (max 0: no limit).
 * Returns 0 (possibly with none), CX_EINVAL (empty or too long prefix),
 * CX_ETOOBIG, or a store error.
 */
int query_prefix(char ***out, size_t *n, store_txn *t, int by, const char *prefix,
    const struct query_limit *lim, size_t nlim, size_t max);

void query_values_free(char **v, size_t n);

/*
 * The state of one record on date d, given the changes that point at it in
 * order; *current gets the effective content, *since when the state began.
 */
int query_state(const Cx__Record *rec, const struct query_change *ch, size_t nch, uint32_t d,
    const Cx__Record **current, uint32_t *since);

void query_result_free(struct query_result *r);

#endif
