/*
 * audit.h — the node's audit log (docs/audit.md): every call the node
 * answers through api_call (node/api.h), refused ones too, as one leaf of
 * a transparency log of its own, under signed checkpoints.
 *
 *   HOME/audit/          an LMDB store (store/store.h) holding one log,
 *                        not replicated, not indexed
 *   HOME/keys/audit.key  its signing key, unencrypted (the node appends
 *                        with nobody present), 0600, named "<node id>-audit"
 *   HOME/keys/audit.pub  the key's verifier string, for auditors
 *
 * The log's origin is "<[node] origin>/audit". A leaf is the protobuf
 * encoding of one Cx__AuditEntry (proto/cxnode.proto), exactly as appended;
 * personal values in it are masked before they reach this module (the
 * dispatcher masks the parameters; nothing here unmasks anything).
 *
 * Appends are queued and written by a writer thread in batches: one LMDB
 * write transaction and one signed checkpoint per batch, a batch at most
 * every AUDIT_FLUSH_MS or every AUDIT_BATCH entries, at once when someone
 * waits for it (a sync append, a flush). Several processes may append to
 * the same log (a running `serve` and a local `cxnode query`): each batch
 * states the size it expects and is retried when another process was
 * first (store_append's expect_size).
 *
 * Threads: every function may be called from any thread, except that
 * audit_close must be the last call on an audit.
 */
#ifndef CX_AUDIT_H
#define CX_AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "node/cli.h"
#include "proto/cxnode.pb-c.h"

#define AUDIT_FLUSH_MS   50      /* longest an unsynced entry waits in memory */
#define AUDIT_BATCH      1024    /* most entries per batch */
#define AUDIT_QUEUE_MAX  65536   /* most entries waiting; then appends wait */
#define AUDIT_LIMIT      100     /* entries in one answer, by default */
#define AUDIT_LIMIT_MAX  1000    /* and at most */
#define AUDIT_PROBLEMS_MAX 100   /* problems listed in an answer */

struct audit;

/*
 * Open HOME/audit (an LMDB store of its own, created on first use; not
 * replicated, not indexed) and its signing key HOME/keys/audit.key
 * (created on first use: 0600, O_EXCL, unencrypted because the node
 * appends with nobody present; verifier in keys/audit.pub; key name
 * "<node id>-audit"). The log's origin is "<[node] origin>/audit".
 * A new log gets a signed checkpoint of the empty tree at once.
 * On success *out is the caller's, closed with audit_close.
 * Returns 0; CX_EPERM when the key is not the one the log was created
 * with, or audit.pub is not the key's verifier; CX_EIO, CX_ENOMEM, or a
 * store or key error; detail set.
 */
int audit_open(struct audit **out, const struct cfg *cfg);

/*
 * Open an audit store read-only, for verification and listing only (a
 * copy taken off a node): dir is the store directory (HOME/audit), pub the
 * audit log's public key (a verifier string, or a file whose first line is
 * one, as keys/audit.pub), or NULL: the key the log was registered with
 * (which proves only that the store agrees with itself). Appending to it
 * fails with CX_EPERM. Returns 0, CX_ENOTFOUND (no store, or no log in
 * it), CX_EFORMAT (bad key), or a store error.
 */
int audit_open_dir(struct audit **out, const char *dir, const char *pub);

/*
 * Append one entry (copied; a time of 0 is replaced by the present time).
 * Thread-safe. Entries are written by a writer thread in batches (one
 * LMDB write transaction and one signed checkpoint per batch, at most
 * every AUDIT_FLUSH_MS = 50 ms or AUDIT_BATCH entries); with sync set the
 * call returns only when the entry is durable and covered by a signed
 * checkpoint, or with the error that kept it from being written.
 * Without sync, 0 means queued: an entry whose batch fails is lost, and
 * the failure is returned by the next audit_flush. While AUDIT_QUEUE_MAX
 * entries wait, the call waits for the writer to make room.
 * Returns 0, CX_EPERM (read-only), CX_ENOMEM, or (sync) the write's error.
 */
int audit_append(struct audit *a, const Cx__AuditEntry *e, int sync);

/*
 * Wait until everything queued before the call is durable. Returns 0, or
 * the first error of a batch that failed since the previous audit_flush
 * (its entries are lost), with detail.
 */
int audit_flush(struct audit *a);

/* Flush, stop the writer, free. NULL is a no-op. */
void audit_close(struct audit *a);

/*
 * The API method "audit": params {from, to (dates YYYY-MM-DD, China time,
 * whole days; or RFC 3339 instants), who, role, method, via (exact
 * matches), offset, limit (default AUDIT_LIMIT, at most AUDIT_LIMIT_MAX),
 * order ("asc", the default, or "desc": newest first), index (one entry,
 * with its leaf and inclusion proof; the filters are then ignored),
 * verify (bool), checkpoint (a signed note kept from earlier: checked with
 * audit_check_checkpoint; implies verify)} ->
 *
 *   {origin, key (the log's verifier), size, checkpoint (the signed note,
 *    or null), verified (when asked: the whole log recomputed against the
 *    latest checkpoint and every stored checkpoint consistent), problems
 *    (when asked: what failed, at most AUDIT_PROBLEMS_MAX), consistency
 *    (with checkpoint: {from, to, proof: [hex]}, the RFC 9162 consistency
 *    proof from the kept checkpoint's size to size), total, offset,
 *    entries: [{index, time (RFC 3339 UTC with ms), who, role, via, method,
 *    query (JSON), answer_digest (hex), status, detail}]}
 *
 * params may be NULL. Entries are those under the latest checkpoint.
 * On success *out is a new reference. Returns 0, CX_EINVAL (a bad
 * parameter, with detail), CX_ENOTFOUND (index beyond the log), or a
 * store error.
 */
int audit_query(struct audit *a, const json_t *params, json_t **out);

/*
 * Check the whole log (what verify asks of audit_query): every leaf
 * decodes as an AuditEntry and matches its stored hash, every stored
 * parent hash matches its children, every stored checkpoint is signed by
 * the log's key, names the log's origin and states the root of the tree
 * of its size (so all are consistent with each other), and the latest
 * covers every leaf. Each problem is passed to fn (a sentence, valid for
 * the call; fn may be NULL). Returns 0 when there is none, CX_ECORRUPT
 * when there is any, or an error that stopped the check.
 */
typedef void (*audit_problem_fn)(void *ctx, const char *what);
int audit_verify(struct audit *a, audit_problem_fn fn, void *ctx);

/*
 * Check a checkpoint an auditor kept from earlier (note[0..len), the
 * signed note): signed by the log's key for its origin, and the log as it
 * is now still holds that tree (same size or more, the same root at that
 * size). Returns 0; CX_EBADSIG / CX_EFORMAT (not a checkpoint of this
 * log); CX_EFORK (the log was cut short or rewritten since); or an error.
 */
int audit_check_checkpoint(struct audit *a, const char *note, size_t len);

/* The log's origin and verifier string; valid as long as a is. */
const char *audit_origin(const struct audit *a);
const char *audit_verifier(const struct audit *a);

/* The JSON form of one entry (the objects of audit_query's "entries"),
 * index its leaf index; NULL when out of memory. */
json_t *audit_entry_json(const Cx__AuditEntry *e, uint64_t index);

#endif
