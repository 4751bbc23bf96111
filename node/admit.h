/*
 * admit.h — admission of replicated records: the federation's rules applied
 * to the leaves of another issuer's log before this node stores them.
 *
 * A node mirrors every other member's log. The caller has already checked
 * that the leaves it received are the issuer's (their tree root matches a
 * checkpoint signed by the issuer's key); admission checks that each leaf
 * is a record the issuer was allowed to publish, by the same rules its own
 * importer applies (node/import.c), so a member that forks its software
 * cannot push records that an honest node would have refused:
 *
 *   - the leaf decodes (idx_unpack: bounded nesting) into a record whose
 *     issuer is the log's issuer and whose region is the member's region
 *     in the roster (a correction's replacement likewise);
 *   - validate_record passes (on the decoded copy: leaf bytes are never
 *     re-encoded; "today" is not checked, the issuer's clock is its own);
 *   - the roster lets the member issue the record's kind (below);
 *   - its record_id is new in this log (the store's 'R' index, and the
 *     leaves admitted earlier in the same batch);
 *   - a status change or commitment outcome names an earlier record of the
 *     SAME log, by record_id, leaf index and leaf hash (all three given,
 *     all three matching), which admit_check_target() accepts: the very
 *     check the importer makes when it resolves a reference.
 *
 * Kinds of status changes and outcomes. `cxnode federation add --kinds`
 * lists what a member may issue; "all" includes STATUS_CHANGE and
 * COMMITMENT_OUTCOME. A status change is admitted when the member may
 * issue STATUS_CHANGE, or else when it may issue the kind of the record it
 * changes; a commitment outcome when the member may issue
 * COMMITMENT_OUTCOME, or else COMMITMENT. So a member allowed only
 * penalties may still repair, correct or withdraw its own penalties (the
 * law obliges it to), while it can never change a record of a kind it may
 * not publish unless the roster says so explicitly. Since the target is in
 * the same log, no member can ever change another member's records.
 *
 * One struct admit serves one batch: leaves are admitted in log order,
 * starting at the log's size in the read transaction given to admit_open.
 * A refused leaf does not join the batch; the caller refuses the whole
 * batch (halts the issuer and raises an alarm). Per leaf, the only
 * allocation is the protobuf unpack (and one more for a target read from
 * the store); record ids of the batch are kept in one hash table.
 */
#ifndef CX_ADMIT_H
#define CX_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cxnode.pb-c.h"
#include "store/store.h"
#include "store/tlog.h"

/* What a status change or outcome needs to know of the record it names. */
struct admit_target {
	uint64_t index;        /* leaf index in the log */
	tlog_hash hash;        /* its RFC 6962 leaf hash */
	int kind;              /* CX__RECORD_KIND__* */
	uint32_t decision;     /* decision date YYYYMMDD */
	char authority[32];    /* credit code of the deciding authority */
};

/* Fill kind, decision and authority of t from r (index and hash are the
 * caller's). */
void admit_target_of(struct admit_target *t, const Cx__Record *r);

/*
 * Find record id in log through the store's record index (snapshot rd) and
 * fill *t from its leaf (t may be NULL: whether it exists). An entry at or
 * past limit (the log's size the caller knows) is corruption. Returns 0,
 * CX_ENOTFOUND, CX_ECORRUPT or a store error.
 */
int admit_find_target(store_txn *rd, uint32_t log, uint64_t limit, const char *id,
    struct admit_target *t);

/*
 * The checks on a resolved target t of the reference ref in record `by`
 * (change: a CX__CHANGE_TYPE__* for a status change; -1 for a commitment
 * outcome), effective its effective date (0: none):
 *   - the target's kind is one the change applies to (rules_change_applies),
 *     a commitment for an outcome;
 *   - a status change is decided by the target's authority (CF_CFJGDM);
 *   - not effective before the target's decision date;
 *   - ref->index, when not 0, and ref->leaf_hash, when given, match t;
 *   - a correction's replacement has the target's kind and record_id.
 * Returns 0, or CX_EINVAL with the reason in err (cap bytes). Used by the
 * importer (node/import.c) and by admission alike, so both apply one rule.
 */
int admit_check_target(const struct admit_target *t, const Cx__Record *by, const Cx__Ref *ref,
    int change, uint32_t effective, char *err, size_t cap);

struct admit;
struct idx_buf;

/*
 * Start admitting leaves of log (the id of issuer's log in the store) as
 * seen by the read transaction rd, under roster. rd, roster and issuer
 * are borrowed and must outlive the admit (until admit_close). The first
 * leaf admitted must be number size-of-log-in-rd. Returns 0; CX_ENOTFOUND
 * (no such log in rd, or issuer is not a member of the roster);
 * CX_ENOMEM. *out is the caller's, freed with admit_close().
 */
int admit_open(struct admit **out, store_txn *rd, uint32_t log, const Cx__Roster *roster,
    const char *issuer);

/*
 * Admit leaf number index of the log, leaf[0..len). Returns 0 (admitted:
 * it joins the batch); CX_EINVAL (refused, the reason in err, cap bytes,
 * beginning "leaf N: "); or another code on failure (a store read error,
 * CX_ENOMEM, CX_ECORRUPT) with detail in cx_lasterr().
 */
int admit_leaf(struct admit *a, uint64_t index, const uint8_t *leaf, size_t len, char *err,
    size_t cap);

/* The same with the leaf's RFC 6962 hash, when the caller has it already
 * (hash NULL: computed here). */
int admit_leaf_hashed(struct admit *a, uint64_t index, const uint8_t *leaf, size_t len,
    const tlog_hash hash, char *err, size_t cap);

/* From now on, put each admitted record's index keys (idx_record_keys)
 * into kb, one leaf after another, so that the append need not decode the
 * leaves again (idx_buf_indexer). */
void admit_keys(struct admit *a, struct idx_buf *kb);

/* Leaves admitted so far. */
uint64_t admit_count(const struct admit *a);

/* Free a; accepts NULL. */
void admit_close(struct admit *a);

#endif
