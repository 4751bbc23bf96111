/*
 * store.h — the node's LMDB store: every issuer's transparency log (leaves,
 * stored tree hashes, signed checkpoints), a registry of logs, and the
 * derived indexes. store/ owns every LMDB call in the product.
 *
 * One LMDB environment per node (HOME/store) holds these named databases
 * (keys and values drawn in docs/storage.md):
 *
 *     meta      "schema" -> u32 BE schema version (1)
 *     logs      u32 BE log id -> origin NUL issuer NUL verifier NUL
 *     l/<id>    u64 BE leaf index -> leaf bytes              (MDB_APPEND)
 *     h/<id>    u64 BE stored index -> 32-byte hash          (MDB_APPEND)
 *     c/<id>    u64 BE tree size -> signed checkpoint note
 *     index     opaque key -> opaque value (derived; see store_reindex)
 *     fed       opaque key -> opaque value (federation records: roster,
 *               cosignatures, evidence, alarms; see store_aux_write)
 *
 * A log's size is one more than its last leaf index. Everything one batch
 * writes (leaves, hashes, index keys, checkpoint) commits in one LMDB write
 * transaction, so a reader or a crash sees whole batches only.
 *
 * Threads: a store may be shared by threads. Read transactions may be held
 * on any thread (several per thread); write calls are serialised by the
 * store. Callbacks (indexer, signer, note checker) run on the caller's
 * thread; they may open read transactions on the same store but must not
 * call its write functions.
 *
 * Errors: every function returns 0 or a negative CX_E* code with the detail
 * in cx_lasterr(); LMDB's own message is in that detail.
 */
#ifndef CX_STORE_H
#define CX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/tlog.h"

#define STORE_SCHEMA   1
#define STORE_KEY_MAX  511          /* longest index key (LMDB's limit) */
#define STORE_LEAF_MAX (16u << 20)  /* longest leaf */

typedef struct store store;
typedef struct store_txn store_txn;    /* a read transaction */

struct store_opts {
	size_t mapsize;   /* initial map size; 0 = 16 GiB of address space (the
	                     file grows with the data). It grows on demand. */
	int readonly;     /* open for reading only (no writes, no growth) */
	int create;       /* create the directory and the store if missing */
};

/*
 * Open the store in directory dir (created, mode 0700, when o->create and
 * missing). A new store gets schema STORE_SCHEMA. o may be NULL (defaults).
 * On success *out is the caller's, to be closed with store_close.
 * Returns 0, CX_ENOTFOUND (no store and not o->create), CX_ESCHEMA (newer or
 * unknown schema, or not a cxnode store), CX_EBUSY, CX_EIO or CX_ENOMEM.
 */
int store_open(store **out, const char *dir, const struct store_opts *o);

/* Close a store opened by store_open; NULL is a no-op. Every read
 * transaction must have ended before. */
void store_close(store *s);

/* ---- derived indexes ---------------------------------------------------- */

/* The index entries one leaf produces: a growable buffer of (key, value)
 * pairs owned by the store and handed to the indexer. */
struct store_keys;

/* Add (key[0..klen), val[0..vlen)) to ks; both are copied. 1 <= klen <=
 * STORE_KEY_MAX; val may be NULL when vlen is 0. A later pair with an equal
 * key in the same batch replaces the earlier one. Returns 0, CX_EINVAL or
 * CX_ENOMEM. */
int store_keys_add(struct store_keys *ks, const void *key, size_t klen, const void *val,
    size_t vlen);

/*
 * Indexer: turn leaf number index of log into index entries added to out.
 * Returning non-zero aborts the batch (store_append or store_reindex returns
 * that code). leaf is valid only during the call.
 */
typedef int (*store_indexer)(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf,
    size_t len, struct store_keys *out);

/* Install the indexer used by store_append and store_reindex (NULL: none). */
void store_set_indexer(store *s, store_indexer fn, void *ctx);

/* ---- logs --------------------------------------------------------------- */

struct store_log {
	uint32_t id;
	char *origin;            /* checkpoint origin line, unique in the store */
	char *issuer;            /* issuing node's id */
	char *verifier;          /* signed-note verifier key of the issuer */
	uint64_t size;           /* leaves held */
	uint64_t checkpoint_size;/* size of the latest stored checkpoint */
	int has_checkpoint;      /* 0 while no checkpoint is stored */
};

/* Register a new, empty log; *id gets its id (1, 2, ...). issuer and
 * verifier may be NULL (stored empty). Returns 0, CX_EEXIST if origin is
 * already registered, CX_EINVAL, CX_EPERM (read-only) or an LMDB error. */
int store_log_create(store *s, uint32_t *id, const char *origin, const char *issuer,
    const char *verifier);

/* The id of the log with this origin. Returns 0 or CX_ENOTFOUND. */
int store_log_find(store *s, uint32_t *id, const char *origin);

/* Every registered log, by id. *logs is malloc'd (NULL when *n is 0), to be
 * freed with store_log_list_free. Returns 0 or an error. */
int store_log_list(store *s, struct store_log **logs, size_t *n);

/* Free what store_log_list returned; NULL is a no-op. */
void store_log_list_free(struct store_log *logs, size_t n);

/* ---- appending ---------------------------------------------------------- */

/* Sign a checkpoint: *note gets a malloc'd signed note (the store frees it)
 * of *len bytes stating the tree of size leaves with root root; or *note
 * stays NULL: no checkpoint is stored for this batch (a replicated batch
 * that ends short of the issuer's checkpoint, checked by the callback
 * against it). A non-zero return aborts the batch. Runs inside the write
 * transaction; may run more than once per batch (map growth). */
typedef int (*store_signer)(void *ctx, uint64_t size, const tlog_hash root, char **note,
    size_t *len);

struct store_leaf {
	const uint8_t *data;
	size_t len;              /* 0 < len <= STORE_LEAF_MAX */
	const uint8_t *hash;     /* its RFC 6962 leaf hash if the caller has it
	                            (32 bytes), or NULL: computed here. A wrong
	                            hash makes a store that verify rejects. */
};

/*
 * Append leaves[0..n) to log in ONE write transaction: the leaves
 * (MDB_APPEND), their stored hashes (MDB_APPEND, computed from the right
 * edge read once), the indexer's keys (sorted, then written in order), then
 * the checkpoint sign() returns for the new size, stored under that size;
 * then commit. n may be 0: the current tree is signed again. All of the
 * batch or nothing is visible. When the map is full the transaction is
 * aborted, the map doubled and the batch retried; the map is also grown
 * beforehand when the batch will not fit in the free space.
 * Returns 0; CX_ESTALE if the log's size is not expect_size; CX_ENOTFOUND
 * (no such log); CX_EINVAL / CX_ETOOBIG (bad leaf); CX_EMAPFULL (cannot
 * grow: read transactions open in this process); the indexer's or signer's
 * code; or an LMDB error.
 */
int store_append(store *s, uint32_t log, uint64_t expect_size, const struct store_leaf *leaves,
    size_t n, store_signer sign, void *ctx);

/* ---- reading ------------------------------------------------------------ */

/* Begin a read transaction: a consistent snapshot of the whole store. *out
 * is ended with store_read_end. Returns 0, CX_EBUSY or an LMDB error. */
int store_read_begin(store_txn **out, store *s);

/* End a read transaction; every pointer borrowed through it becomes
 * invalid. NULL is a no-op. */
void store_read_end(store_txn *t);

/* Leaves held in log. Returns 0 or CX_ENOTFOUND (no such log). */
int store_txn_log_size(store_txn *t, uint32_t log, uint64_t *size);

/* Leaf index of log: *data (borrowed until store_read_end) and *len.
 * Returns 0 or CX_ENOTFOUND. */
int store_leaf(store_txn *t, uint32_t log, uint64_t index, const uint8_t **data, size_t *len);

/* The stored leaf hash of leaf index. Returns 0, CX_ENOTFOUND, CX_ECORRUPT. */
int store_leaf_hash(store_txn *t, uint32_t log, uint64_t index, tlog_hash out);

/* Root of the first size leaves of log (size <= the log's size).
 * Returns 0, CX_EINVAL (size too large), CX_ENOTFOUND or CX_ECORRUPT. */
int store_root(store_txn *t, uint32_t log, uint64_t size, tlog_hash out);

/* The frontier of log's whole tree (to extend it without the store, e.g.
 * to check received leaves before appending them). Returns 0,
 * CX_ENOTFOUND or CX_ECORRUPT. */
int store_frontier(store_txn *t, uint32_t log, struct tlog_frontier *f);

/* Inclusion proof of leaf index in the tree of size leaves of log; proof has
 * room for TLOG_MAX_PROOF, *n gets the count. Returns 0, CX_EINVAL
 * (index >= size or size > the log's size), CX_ENOTFOUND, CX_ECORRUPT. */
int store_prove_inclusion(store_txn *t, uint32_t log, uint64_t index, uint64_t size,
    tlog_hash *proof, size_t *n);

/* Consistency proof from oldsize to newsize (<= the log's size); proof has
 * room for TLOG_MAX_PROOF. Returns 0, CX_EINVAL, CX_ENOTFOUND, CX_ECORRUPT. */
int store_prove_consistency(store_txn *t, uint32_t log, uint64_t oldsize, uint64_t newsize,
    tlog_hash *proof, size_t *n);

/* The stored checkpoint of log for tree size size, or the latest when size
 * is 0: *note (borrowed until store_read_end, not NUL-terminated) and *len,
 * *got_size its tree size. Returns 0 or CX_ENOTFOUND. */
int store_checkpoint(store_txn *t, uint32_t log, uint64_t size, const char **note, size_t *len,
    uint64_t *got_size);

/* The value of index key key[0..klen): *val (borrowed until store_read_end)
 * and *vlen. Returns 0, CX_ENOTFOUND or CX_EINVAL (bad key length). */
int store_index_get(store_txn *t, const void *key, size_t klen, const void **val, size_t *vlen);

/* Called for each index entry in key order; key and val are borrowed for
 * the call. A non-zero return stops the scan. */
typedef int (*store_scan_fn)(void *ctx, const void *key, size_t klen, const void *val,
    size_t vlen);

/* Call fn for every index entry whose key starts with prefix[0..plen) (all
 * entries when plen is 0), in key order. Returns 0 (also when fn stopped
 * it) or an LMDB error. */
int store_index_scan(store_txn *t, const void *prefix, size_t plen, store_scan_fn fn,
    void *ctx);

/* ---- federation records ------------------------------------------------- */

/* The `fed` database holds what the federation layer keeps beside the logs
 * (its key layout is node/'s, drawn in docs/storage.md). It is created on
 * the first write; reads of a store without it find nothing. */

/* One change: put (key, val); with only_new, keep an existing value; with
 * del, delete every key that starts with key[0..klen) (val ignored); with
 * cas, only if the key's value is still old[0..oldlen) (old NULL: the key
 * is absent), else the whole write fails with CX_ESTALE. */
struct store_aux_op {
	const void *key;
	size_t klen;
	const void *val;
	size_t vlen;
	int only_new;
	int del;
	int cas;
	const void *old;
	size_t oldlen;
};

/* Apply ops[0..n) in one write transaction. Returns 0, CX_EINVAL (bad key),
 * CX_ESTALE (a cas failed), CX_EPERM (read-only) or an LMDB error. */
int store_aux_write(store *s, const struct store_aux_op *ops, size_t n);

/* Like store_index_get / store_index_scan, over the `fed` database. */
int store_aux_get(store_txn *t, const void *key, size_t klen, const void **val, size_t *vlen);
int store_aux_scan(store_txn *t, const void *prefix, size_t plen, store_scan_fn fn, void *ctx);

/* ---- maintenance -------------------------------------------------------- */

/* Progress report: done of total units (leaves). */
typedef void (*store_progress)(void *ctx, uint64_t done, uint64_t total);

/*
 * Empty the index database and rebuild it from every leaf of every log with
 * the indexer, committing every STORE_REINDEX_BATCH leaves (keys sorted per
 * batch). Until it returns 0 the index is incomplete (store_stat says so,
 * and the flag survives a crash). pr may be NULL.
 * Returns 0, CX_EINVAL (no indexer), the indexer's code or an LMDB error.
 */
#define STORE_REINDEX_BATCH 100000
int store_reindex(store *s, store_progress pr, void *ctx);

/* Verify a checkpoint note: check its signature, and give the tree size and
 * root it states. Non-zero: the note is rejected (reported as a problem). */
typedef int (*store_note_check)(void *ctx, uint32_t log, const char *note, size_t len,
    uint64_t *size, tlog_hash root);

/* A problem found by store_verify: what is one sentence ("leaf 12: bytes do
 * not match stored leaf hash"), valid during the call. */
typedef void (*store_problem)(void *ctx, uint32_t log, const char *what);

/*
 * Check log end to end in one read transaction: every leaf hash against the
 * leaf bytes, every stored parent hash against its two stored children,
 * that keys are contiguous and nothing is missing or extra, and the root at
 * every stored checkpoint's size against what check (which verifies the
 * signature) says the note states. Every problem is reported through
 * problem and the walk goes on. check and pr may be NULL (no signature
 * check; no progress); ctx goes to all three callbacks.
 * Returns 0 if no problem, CX_ECORRUPT if any, or an error that stopped it.
 */
int store_verify(store *s, uint32_t log, store_note_check check, store_problem problem,
    store_progress pr, void *ctx);

/* Figures for `cxnode status`. */
struct store_stat {
	uint64_t mapsize;       /* bytes of the current map */
	uint64_t used;          /* bytes of the map in use (pages up to the last) */
	uint64_t page_size;
	uint64_t entries;       /* entries in every database */
	uint64_t index_entries; /* entries in the index database */
	uint32_t logs;          /* registered logs */
	uint32_t schema;        /* schema version */
	int index_complete;     /* 0 while a reindex is unfinished */
};

/* Fill *st. Returns 0 or an LMDB error. */
int store_stat(store *s, struct store_stat *st);

#endif
