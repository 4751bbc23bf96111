/*
 * tlog.h — transparency-log arithmetic: RFC 6962 / RFC 9162 hashing, the
 * stored-hash layout, proofs and the C2SP tlog-checkpoint text. No I/O.
 *
 * A log of `size` leaves is a Merkle tree hashed as RFC 6962 section 2.1:
 *
 *     leaf hash  = SHA-256(0x00 || leaf bytes)
 *     node hash  = SHA-256(0x01 || left || right)
 *     empty tree = SHA-256("")
 *
 * Every complete subtree (level L, n-th at that level: it covers leaves
 * [n*2^L, (n+1)*2^L)) has one "stored hash". Stored hashes are numbered in
 * the order an appender writes them: leaf n's hash, then the hash of every
 * subtree that leaf n completes, lowest level first.
 *
 *     level 2                  [6]
 *                       /               \
 *     level 1        [2]                 [5]                 [9]
 *                   /    \              /    \              /    \
 *     level 0    [0]      [1]        [3]      [4]        [7]      [8]
 *              leaf 0   leaf 1     leaf 2   leaf 3     leaf 4   leaf 5
 *
 *     stored index of (L, n) = C(((n + 1) << L) - 1) + L
 *     where C(s) = 2s - popcount(s) = stored hashes of a tree of s leaves.
 *
 * So the tree head, an inclusion proof or a consistency proof of any tree
 * size is assembled from O(log size) complete-subtree hashes read by index,
 * and the hashes an append adds are always at the end (sequential keys).
 *
 * Hashes are read through a tlog_reader callback, so that this file does no
 * I/O: the store supplies a reader over its LMDB database; tests supply one
 * over an array. Sizes are limited to TLOG_MAX_SIZE (2^62) leaves so that
 * every stored index fits in 64 bits.
 */
#ifndef CX_TLOG_H
#define CX_TLOG_H

#include <stddef.h>
#include <stdint.h>

#define TLOG_HASH_LEN 32
#define TLOG_MAX_SIZE ((uint64_t)1 << 62)
#define TLOG_MAX_PROOF 64           /* hashes in any proof or append */

typedef uint8_t tlog_hash[TLOG_HASH_LEN];

/* out = SHA-256(0x00 || data[0..len)). */
void tlog_leaf_hash(tlog_hash out, const uint8_t *data, size_t len);

/* out = SHA-256(0x01 || l || r). out may alias l or r. */
void tlog_node_hash(tlog_hash out, const tlog_hash l, const tlog_hash r);

/* out = SHA-256(""), the root of the empty tree. */
void tlog_empty_hash(tlog_hash out);

/* Stored index of the complete subtree (level, n), as drawn above.
 * Defined for level <= 62 and ((n + 1) << level) <= TLOG_MAX_SIZE. */
uint64_t tlog_stored_index(int level, uint64_t n);

/* Number of stored hashes of a tree of size leaves (2*size - popcount). */
uint64_t tlog_stored_count(uint64_t size);

/*
 * Read the stored hashes with indexes idx[0..n) into out[0..n). Returns 0 or
 * a negative CX_E* code (CX_ENOTFOUND if one is missing), which the tlog
 * function returns unchanged. n is at most TLOG_MAX_PROOF.
 */
typedef int (*tlog_reader)(void *ctx, const uint64_t *idx, size_t n, tlog_hash *out);

/*
 * Hashes to store when appending leaf number n (0-based) whose leaf hash is
 * leaf: out[0] = leaf, then the hash of each subtree it completes, lowest
 * level first; *nout gets their count (at most 63). They go to stored
 * indexes tlog_stored_count(n) .. + *nout - 1. Reads the left siblings
 * (one reader call). out has room for TLOG_MAX_PROOF. Returns 0, CX_EINVAL
 * (n too large) or the reader's code.
 */
int tlog_append_hashes(tlog_hash *out, size_t *nout, uint64_t n, const tlog_hash leaf,
    tlog_reader rd, void *ctx);

/*
 * The right edge of a tree, kept in memory by an appender so that a batch
 * of appends reads the store once. h[L] holds the hash of the complete
 * subtree at level L on the right edge, valid when bit L of size is set.
 */
struct tlog_frontier {
	uint64_t size;
	tlog_hash h[TLOG_MAX_PROOF];
};

/* Load the frontier of a tree of size leaves with one reader call of
 * popcount(size) hashes. Returns 0, CX_EINVAL or the reader's code. */
int tlog_frontier_load(struct tlog_frontier *f, uint64_t size, tlog_reader rd, void *ctx);

/* Append one leaf hash: out gets the hashes to store (as tlog_append_hashes)
 * and the count is returned (1..63); f->size grows by one. out has room for
 * TLOG_MAX_PROOF. The caller keeps f->size below TLOG_MAX_SIZE. */
size_t tlog_frontier_push(struct tlog_frontier *f, const tlog_hash leaf, tlog_hash *out);

/* Root hash of the frontier's tree (the empty hash for size 0). */
void tlog_frontier_root(const struct tlog_frontier *f, tlog_hash out);

/* Root hash of the tree of the first size leaves (one reader call).
 * Returns 0, CX_EINVAL or the reader's code. */
int tlog_tree_hash(tlog_hash out, uint64_t size, tlog_reader rd, void *ctx);

/*
 * RFC 9162 inclusion proof of leaf index in the tree of size leaves,
 * leaf-nearest hash first. proof has room for TLOG_MAX_PROOF; *n gets the
 * count. Returns 0, CX_EINVAL (index >= size, size too large) or the
 * reader's code.
 */
int tlog_prove_inclusion(tlog_hash *proof, size_t *n, uint64_t size, uint64_t index,
    tlog_reader rd, void *ctx);

/* Check an inclusion proof (RFC 9162 section 2.1.3.2): 0 if leaf (a leaf
 * hash) is leaf index of the tree of size leaves with root root, else
 * CX_EPROOF. */
int tlog_check_inclusion(const tlog_hash *proof, size_t n, uint64_t size, uint64_t index,
    const tlog_hash root, const tlog_hash leaf);

/*
 * RFC 9162 consistency proof from the tree of oldsize leaves to the tree of
 * newsize leaves (empty when oldsize is 0 or equals newsize). proof has room
 * for TLOG_MAX_PROOF. Returns 0, CX_EINVAL (oldsize > newsize, too large)
 * or the reader's code.
 */
int tlog_prove_consistency(tlog_hash *proof, size_t *n, uint64_t oldsize, uint64_t newsize,
    tlog_reader rd, void *ctx);

/*
 * Check a consistency proof (RFC 9162 section 2.1.4.2): 0 if the tree of
 * newsize leaves with root newroot extends the tree of oldsize leaves with
 * root oldroot, else CX_EPROOF. Equal sizes need an empty proof and equal
 * roots; the empty tree (oldsize 0) is consistent with any tree, with an
 * empty proof.
 */
int tlog_check_consistency(const tlog_hash *proof, size_t n, uint64_t oldsize,
    const tlog_hash oldroot, uint64_t newsize, const tlog_hash newroot);

/*
 * C2SP tlog-checkpoint body, the unsigned text that keys/note.c signs:
 *
 *     <origin>\n
 *     <size, decimal>\n
 *     <base64 of the 32-byte root>\n
 *     [extension line\n]...
 *
 * tlog_checkpoint_format writes the first three lines (no extensions) into a
 * malloc'd NUL-terminated string *out (the caller frees it), *len its length.
 * origin must be non-empty, without control characters. Returns 0, CX_EINVAL
 * or CX_ENOMEM.
 */
int tlog_checkpoint_format(char **out, size_t *len, const char *origin, uint64_t size,
    const tlog_hash root);

/*
 * Parse a checkpoint body text[0..len) strictly: every line ends in '\n';
 * origin non-empty and without control characters; size decimal without
 * sign or leading zeros, at most TLOG_MAX_SIZE; root the padded base64 of
 * exactly 32 bytes; then any number of non-empty extension lines, which are
 * ignored; no NUL bytes. On success *origin is a malloc'd copy (the caller
 * frees it). Returns 0, CX_EFORMAT (detail says which line) or CX_ENOMEM;
 * on failure *origin is NULL.
 */
int tlog_checkpoint_parse(const char *text, size_t len, char **origin, uint64_t *size,
    tlog_hash root);

#endif
