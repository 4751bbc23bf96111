/*
 * node.h — an opened node home: configuration, signing key, store, and the
 * derived-index layout that node/ puts into the store.
 *
 * HOME/
 *   cxnode.conf        configuration (node/cfg.c)
 *   keys/node.key      private signing key, 0600 (keys/keys.c)
 *   keys/node.pub      verifier string "name+hexid+base64(type||key)"
 *   store/             LMDB environment (store/store.c)
 */
#ifndef CX_NODE_H
#define CX_NODE_H

#include <stdint.h>

#include "keys/keys.h"
#include "node/cli.h"
#include "proto/cxnode.pb-c.h"
#include "store/store.h"

enum {
	NODE_READ = 0,     /* read-only: queries, proofs */
	NODE_WRITE = 1,    /* open the store for writing */
	NODE_SIGN = 2,     /* load the private key (asks for a passphrase) */
};

struct node {
	struct cfg cfg;
	store *st;
	keys_key *key;      /* private key when NODE_SIGN, else NULL */
	keys_key *pub;      /* this node's public key */
	uint32_t log;       /* id of this node's own log in the store */
};

/* Open HOME with NODE_* flags. On failure, prints nothing, returns a code
 * with detail set, and leaves n closed. */
int node_open(struct node *n, const char *home, int flags);
void node_close(struct node *n);

/*
 * The store_signer for this node's own log: formats the C2SP checkpoint for
 * (size, root) with the configured origin and signs it as a signed note.
 * ctx is the struct node (opened with NODE_SIGN).
 */
int node_sign_checkpoint(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len);

/*
 * Verify a checkpoint note of log with its verifier as registered in the
 * store (a store_note_check). ctx is the struct node.
 */
int node_check_checkpoint(void *ctx, uint32_t log, const char *note, size_t len,
    uint64_t *size, tlog_hash root);

/* The roster the node holds, verified with [federation] root: *out is
 * freed with roster_free. Returns 0, CX_ENOTFOUND (no root or no roster). */
int node_roster(struct node *n, Cx__Roster **out);

/*
 * The latest checkpoint stored for log, a note verified when it was
 * stored: *note (borrowed from t) of *len bytes, the length of its signed
 * text, and the tree size and root it states. Any out-pointer may be NULL
 * but note. Returns 0, CX_ENOTFOUND (none yet) or CX_ECORRUPT.
 */
int node_checkpoint_head(store_txn *t, uint32_t log, const char **note, size_t *len,
    size_t *textlen, uint64_t *size, tlog_hash root);

/* Find a log by origin or issuer id; NULL name = this node's own log. */
int node_find_log(struct node *n, const char *name, uint32_t *log);

/*
 * Derived index keys (all in the store's `index` database):
 *
 *   'S' | kind | value | 0x00 | log u32be | index u64be      -> ""
 *        subjects: kind 'C' credit code, 'I' id type digit + id number,
 *        'N' normalised name, 'G' business registration number
 *   'R' | log u32be | record_id                             -> index u64be
 *   'T' | log u32be | target u64be | changer u64be         -> ""
 *        status changes and commitment outcomes, by the record they change
 */
#define IDX_SUBJECT 'S'
#define IDX_RECORD  'R'
#define IDX_TARGET  'T'

/*
 * Decode leaf bytes into a record (free with cx__record__free_unpacked), or
 * NULL (detail set) when they do not decode or nest corrections deeper than
 * IDX_MAX_DEPTH: protobuf-c recurses without limit, and a leaf comes from
 * whoever signed it. Every leaf is decoded through here.
 */
#define IDX_MAX_DEPTH 16
Cx__Record *idx_unpack(const uint8_t *leaf, size_t len);

/* Where idx_record_keys puts the keys: add(ctx, key, klen, val, vlen). */
struct idx_out {
	int (*add)(void *ctx, const void *key, size_t klen, const void *val, size_t vlen);
	void *ctx;
};

/* The index keys of record r, leaf index of log, through out. This is the
 * one definition of the derived indexes; idx_indexer applies it to leaf
 * bytes, the importer to the records it has just packed. */
int idx_record_keys(const Cx__Record *r, uint32_t log, uint64_t index, const struct idx_out *out);

/* The store_indexer: decodes a leaf and emits the keys above. */
int idx_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out);

/*
 * Index keys computed ahead of an append, leaf by leaf, so the writer does
 * not decode every leaf again: add keys of the next leaf through
 * idx_buf_out (an idx_out), close each leaf with idx_buf_leaf, then install
 * idx_buf_indexer (ctx = the buffer) for the store_append of leaves
 * base .. base + n. Entries: [klen u16][vlen u16][key][val].
 */
struct idx_buf {
	uint8_t *keys;
	size_t len, cap;
	size_t *offs;          /* leaf i: keys[offs[i] .. offs[i+1]) */
	size_t n, ncap;        /* leaves closed */
	uint64_t base;         /* index of the first leaf */
};
int idx_buf_add(void *ctx, const void *key, size_t klen, const void *val, size_t vlen);
int idx_buf_leaf(struct idx_buf *b);
int idx_buf_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out);
void idx_buf_reset(struct idx_buf *b, uint64_t base);
void idx_buf_free(struct idx_buf *b);

/* Build the prefix 'S' kind value 0x00 into buf (cap bytes); returns its
 * length, or 0 if it does not fit. value is normalised for kind 'N'. */
size_t idx_subject_prefix(uint8_t *buf, size_t cap, char kind, const char *value);

/* Build 'R' log record_id into buf; returns length or 0. */
size_t idx_record_key(uint8_t *buf, size_t cap, uint32_t log, const char *record_id);

/* Big-endian helpers. */
void idx_put64(uint8_t *p, uint64_t v);
void idx_put32(uint8_t *p, uint32_t v);
uint64_t idx_get64(const uint8_t *p);
uint32_t idx_get32(const uint8_t *p);

#endif
