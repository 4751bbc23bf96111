/*
 * tlog.c — RFC 6962 / RFC 9162 Merkle-tree arithmetic over stored hashes.
 *
 * Design
 *
 *   Nothing here does I/O: a tree is reached only through the stored hashes
 *   of its complete subtrees, read in groups by a tlog_reader callback. Any
 *   range [lo, hi) met by the proof algorithms starts on a multiple of the
 *   smallest power of two >= hi - lo, so it splits greedily, left to right,
 *   into at most 63 complete subtrees of decreasing size whose hashes,
 *   folded right to left, give MTH(D[lo:hi]) exactly as RFC 6962 defines it.
 *   That is what tlog_range_hash does, with one reader call per range.
 *
 *   The proof generators walk the RFC 9162 recursion iteratively from the
 *   root down, remember the sibling range at each level, and emit the
 *   ranges' hashes bottom-up. The checkers are the RFC 9162 section 2.1.3.2
 *   and 2.1.4.2 algorithms on (fn, sn) bit positions, which never need the
 *   tree, only the proof.
 *
 *   SHA-256 goes through OpenSSL EVP with the digest fetched once and one
 *   context per thread, reused for every hash (LIMITS.md: +15% over a fresh
 *   context per message). The context is freed when its thread exits.
 *
 * Invariants
 *
 *   - sizes and indexes are <= TLOG_MAX_SIZE (2^62), so stored indexes
 *     (< 2^63) and the shifts below never overflow;
 *   - a proof never holds more than TLOG_MAX_PROOF hashes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/tlog.h"
#include "util/codec.h"
#include "util/err.h"

/* ---- hashing ------------------------------------------------------------ */

static pthread_once_t tlog_once = PTHREAD_ONCE_INIT;
static pthread_key_t tlog_key;
static EVP_MD *tlog_md;
static int tlog_ready;

static void
tlog_ctx_free(void *p)
{
	EVP_MD_CTX_free(p);
}

static void
tlog_init(void)
{
	tlog_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (tlog_md != NULL && pthread_key_create(&tlog_key, tlog_ctx_free) == 0)
		tlog_ready = 1;
}

/* This thread's reusable digest context, or NULL if none can be had. */
static EVP_MD_CTX *
tlog_ctx(void)
{
	EVP_MD_CTX *c;

	pthread_once(&tlog_once, tlog_init);
	if (!tlog_ready)
		return NULL;
	if ((c = pthread_getspecific(tlog_key)) != NULL)
		return c;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (pthread_setspecific(tlog_key, c) != 0) {
		EVP_MD_CTX_free(c);
		return NULL;
	}
	return c;
}

/* out = SHA-256(a || b). */
static void
tlog_sha256(tlog_hash out, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	EVP_MD_CTX *c = tlog_ctx();
	unsigned int n;

	if (c != NULL && EVP_DigestInit_ex2(c, tlog_md, NULL) == 1 &&
	    EVP_DigestUpdate(c, a, alen) == 1 &&
	    (blen == 0 || EVP_DigestUpdate(c, b, blen) == 1) &&
	    EVP_DigestFinal_ex(c, out, &n) == 1)
		return;
	/* Out of memory for the cached context: a fresh one each time. */
	c = EVP_MD_CTX_new();
	if (c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, a, alen) == 1 &&
	    (blen == 0 || EVP_DigestUpdate(c, b, blen) == 1) &&
	    EVP_DigestFinal_ex(c, out, &n) == 1) {
		EVP_MD_CTX_free(c);
		return;
	}
	/* SHA-256 itself is unavailable: a wrong hash would be signed into
	 * the log for ever, so this is the one place a library stops. */
	abort();
}

void
tlog_leaf_hash(tlog_hash out, const uint8_t *data, size_t len)
{
	static const uint8_t zero = 0x00;

	tlog_sha256(out, &zero, 1, data, len);
}

void
tlog_node_hash(tlog_hash out, const tlog_hash l, const tlog_hash r)
{
	uint8_t buf[1 + 2 * TLOG_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, TLOG_HASH_LEN);
	memcpy(buf + 1 + TLOG_HASH_LEN, r, TLOG_HASH_LEN);
	tlog_sha256(out, buf, sizeof(buf), NULL, 0);
}

void
tlog_empty_hash(tlog_hash out)
{
	tlog_sha256(out, (const uint8_t *)"", 0, NULL, 0);
}

/* ---- stored-hash layout ------------------------------------------------- */

uint64_t
tlog_stored_count(uint64_t size)
{
	return 2 * size - (uint64_t)__builtin_popcountll(size);
}

uint64_t
tlog_stored_index(int level, uint64_t n)
{
	/* (level, n) is written last among the hashes that leaf
	 * ((n+1) << level) - 1 adds: after its leaf hash and level-1 parents. */
	return tlog_stored_count(((n + 1) << level) - 1) + (uint64_t)level;
}

/* Largest power of two strictly below m (m >= 2). */
static uint64_t
tlog_split(uint64_t m)
{
	return (uint64_t)1 << (63 - __builtin_clzll(m - 1));
}

/* MTH(D[lo:hi]) for a range starting on a multiple of the smallest power of
 * two >= hi - lo (every range the proofs use): one reader call. */
static int
tlog_range_hash(tlog_hash out, uint64_t lo, uint64_t hi, tlog_reader rd, void *ctx)
{
	uint64_t idx[TLOG_MAX_PROOF];
	tlog_hash h[TLOG_MAX_PROOF];
	size_t k = 0, i;
	int rc;

	while (lo < hi) {
		int level = 63 - __builtin_clzll(hi - lo);

		while (level > 0 && (lo & (((uint64_t)1 << level) - 1)) != 0)
			level--;
		if (k == TLOG_MAX_PROOF)
			return cx_seterr(CX_EINVAL, "tlog: range [%llu, %llu) is not aligned",
			    (unsigned long long)lo, (unsigned long long)hi);
		idx[k++] = tlog_stored_index(level, lo >> level);
		lo += (uint64_t)1 << level;
	}
	if (k == 0)
		return cx_seterr(CX_EINVAL, "tlog: empty range");
	if ((rc = rd(ctx, idx, k, h)) != 0)
		return rc;
	memcpy(out, h[k - 1], TLOG_HASH_LEN);
	for (i = k - 1; i-- > 0;)
		tlog_node_hash(out, h[i], out);
	return 0;
}

/* ---- appending ---------------------------------------------------------- */

int
tlog_append_hashes(tlog_hash *out, size_t *nout, uint64_t n, const tlog_hash leaf,
    tlog_reader rd, void *ctx)
{
	uint64_t idx[TLOG_MAX_PROOF];
	tlog_hash sib[TLOG_MAX_PROOF];
	size_t t = 0, i;
	int rc;

	*nout = 0;
	if (n >= TLOG_MAX_SIZE)
		return cx_seterr(CX_EINVAL, "tlog: leaf %llu beyond the maximum size",
		    (unsigned long long)n);
	while ((n >> t) & 1) {
		idx[t] = tlog_stored_index((int)t, (n >> t) - 1);
		t++;
	}
	if (t > 0 && (rc = rd(ctx, idx, t, sib)) != 0)
		return rc;
	memcpy(out[0], leaf, TLOG_HASH_LEN);
	for (i = 0; i < t; i++)
		tlog_node_hash(out[i + 1], sib[i], out[i]);
	*nout = t + 1;
	return 0;
}

int
tlog_frontier_load(struct tlog_frontier *f, uint64_t size, tlog_reader rd, void *ctx)
{
	uint64_t idx[TLOG_MAX_PROOF];
	tlog_hash h[TLOG_MAX_PROOF];
	int level[TLOG_MAX_PROOF];
	size_t k = 0, i;
	int l, rc;

	memset(f, 0, sizeof(*f));
	if (size > TLOG_MAX_SIZE)
		return cx_seterr(CX_EINVAL, "tlog: size %llu beyond the maximum",
		    (unsigned long long)size);
	for (l = 62; l >= 0; l--) {
		if ((size >> l) & 1) {
			level[k] = l;
			idx[k++] = tlog_stored_index(l, (size >> l) - 1);
		}
	}
	if (k > 0 && (rc = rd(ctx, idx, k, h)) != 0)
		return rc;
	for (i = 0; i < k; i++)
		memcpy(f->h[level[i]], h[i], TLOG_HASH_LEN);
	f->size = size;
	return 0;
}

size_t
tlog_frontier_push(struct tlog_frontier *f, const tlog_hash leaf, tlog_hash *out)
{
	size_t k = 1;
	int l = 0;

	memcpy(out[0], leaf, TLOG_HASH_LEN);
	while ((f->size >> l) & 1) {
		tlog_node_hash(out[k], f->h[l], out[k - 1]);
		k++;
		l++;
	}
	memcpy(f->h[l], out[k - 1], TLOG_HASH_LEN);
	f->size++;
	return k;
}

void
tlog_frontier_root(const struct tlog_frontier *f, tlog_hash out)
{
	int l, have = 0;

	if (f->size == 0) {
		tlog_empty_hash(out);
		return;
	}
	for (l = 0; l < 63; l++) {
		if (!((f->size >> l) & 1))
			continue;
		if (!have)
			memcpy(out, f->h[l], TLOG_HASH_LEN);
		else
			tlog_node_hash(out, f->h[l], out);
		have = 1;
	}
}

int
tlog_tree_hash(tlog_hash out, uint64_t size, tlog_reader rd, void *ctx)
{
	struct tlog_frontier f;
	int rc;

	if ((rc = tlog_frontier_load(&f, size, rd, ctx)) != 0)
		return rc;
	tlog_frontier_root(&f, out);
	return 0;
}

/* ---- proofs ------------------------------------------------------------- */

struct tlog_range {
	uint64_t lo, hi;
};

int
tlog_prove_inclusion(tlog_hash *proof, size_t *n, uint64_t size, uint64_t index,
    tlog_reader rd, void *ctx)
{
	struct tlog_range r[TLOG_MAX_PROOF];
	uint64_t lo = 0, hi = size;
	size_t depth = 0, i;
	int rc;

	*n = 0;
	if (size > TLOG_MAX_SIZE || index >= size)
		return cx_seterr(CX_EINVAL, "tlog: no leaf %llu in a tree of %llu",
		    (unsigned long long)index, (unsigned long long)size);
	while (hi - lo > 1) {
		uint64_t k = tlog_split(hi - lo);

		if (index < lo + k) {
			r[depth].lo = lo + k;
			r[depth++].hi = hi;
			hi = lo + k;
		} else {
			r[depth].lo = lo;
			r[depth++].hi = lo + k;
			lo += k;
		}
	}
	for (i = 0; i < depth; i++) {
		const struct tlog_range *g = &r[depth - 1 - i];

		if ((rc = tlog_range_hash(proof[i], g->lo, g->hi, rd, ctx)) != 0)
			return rc;
	}
	*n = depth;
	return 0;
}

int
tlog_prove_consistency(tlog_hash *proof, size_t *n, uint64_t oldsize, uint64_t newsize,
    tlog_reader rd, void *ctx)
{
	struct tlog_range r[TLOG_MAX_PROOF];
	uint64_t lo = 0, hi = newsize, m = oldsize;
	size_t depth = 0, out = 0, i;
	int whole = 1, rc;

	*n = 0;
	if (newsize > TLOG_MAX_SIZE || oldsize > newsize)
		return cx_seterr(CX_EINVAL, "tlog: no consistency proof from %llu to %llu",
		    (unsigned long long)oldsize, (unsigned long long)newsize);
	if (oldsize == 0 || oldsize == newsize)
		return 0;
	/* m is the old tree's size relative to lo; "whole" is RFC 9162's b:
	 * the current subtree's left edge is the old tree's left edge. */
	while (m != hi - lo) {
		uint64_t k = tlog_split(hi - lo);

		if (m <= k) {
			r[depth].lo = lo + k;
			r[depth++].hi = hi;
			hi = lo + k;
		} else {
			r[depth].lo = lo;
			r[depth++].hi = lo + k;
			m -= k;
			lo += k;
			whole = 0;
		}
	}
	if (!whole && (rc = tlog_range_hash(proof[out++], lo, hi, rd, ctx)) != 0)
		return rc;
	for (i = depth; i-- > 0;)
		if ((rc = tlog_range_hash(proof[out++], r[i].lo, r[i].hi, rd, ctx)) != 0)
			return rc;
	*n = out;
	return 0;
}

static int
tlog_eq(const tlog_hash a, const tlog_hash b)
{
	return memcmp(a, b, TLOG_HASH_LEN) == 0;
}

int
tlog_check_inclusion(const tlog_hash *proof, size_t n, uint64_t size, uint64_t index,
    const tlog_hash root, const tlog_hash leaf)
{
	uint64_t fn = index, sn;
	tlog_hash r;
	size_t i;

	if (size > TLOG_MAX_SIZE || index >= size || n > TLOG_MAX_PROOF)
		return CX_EPROOF;
	sn = size - 1;
	memcpy(r, leaf, TLOG_HASH_LEN);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return CX_EPROOF;
		if ((fn & 1) || fn == sn) {
			tlog_node_hash(r, proof[i], r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tlog_node_hash(r, r, proof[i]);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && tlog_eq(r, root) ? 0 : CX_EPROOF;
}

int
tlog_check_consistency(const tlog_hash *proof, size_t n, uint64_t oldsize,
    const tlog_hash oldroot, uint64_t newsize, const tlog_hash newroot)
{
	const uint8_t *c;
	uint64_t fn, sn;
	tlog_hash fr, sr;
	size_t i, total, lead;

	if (newsize > TLOG_MAX_SIZE || oldsize > newsize || n > TLOG_MAX_PROOF)
		return CX_EPROOF;
	if (oldsize == newsize)
		return n == 0 && tlog_eq(oldroot, newroot) ? 0 : CX_EPROOF;
	if (oldsize == 0)
		return n == 0 ? 0 : CX_EPROOF;
	if (n == 0)
		return CX_EPROOF;
	/* An old tree of 2^k leaves is a complete subtree of the new one: its
	 * root is the first hash of the path and the proof leaves it out. */
	lead = (oldsize & (oldsize - 1)) == 0;
	total = n + lead;
	fn = oldsize - 1;
	sn = newsize - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	c = lead ? oldroot : proof[0];
	memcpy(fr, c, TLOG_HASH_LEN);
	memcpy(sr, c, TLOG_HASH_LEN);
	for (i = 1; i < total; i++) {
		c = proof[i - lead];
		if (sn == 0)
			return CX_EPROOF;
		if ((fn & 1) || fn == sn) {
			tlog_node_hash(fr, c, fr);
			tlog_node_hash(sr, c, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			tlog_node_hash(sr, sr, c);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && tlog_eq(fr, oldroot) && tlog_eq(sr, newroot) ? 0 : CX_EPROOF;
}

/* ---- checkpoint text ---------------------------------------------------- */

/* Non-empty and free of control characters (which would break the lines). */
static int
tlog_origin_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

int
tlog_checkpoint_format(char **out, size_t *len, const char *origin, uint64_t size,
    const tlog_hash root)
{
	char b64[B64_LEN(TLOG_HASH_LEN)];
	int n;

	*out = NULL;
	*len = 0;
	if (origin == NULL || !tlog_origin_ok(origin, strlen(origin)))
		return cx_seterr(CX_EINVAL, "checkpoint origin is empty or has control characters");
	if (size > TLOG_MAX_SIZE)
		return cx_seterr(CX_EINVAL, "checkpoint size beyond the maximum");
	b64_encode(b64, root, TLOG_HASH_LEN);
	n = asprintf(out, "%s\n%llu\n%s\n", origin, (unsigned long long)size, b64);
	if (n < 0) {
		*out = NULL;
		return cx_seterr(CX_ENOMEM, "checkpoint text");
	}
	*len = (size_t)n;
	return 0;
}

/* The line starting at *p (ending before end): its start and length, *p
 * moved past its '\n'. Returns 0, or -1 if no '\n' ends it. */
static int
tlog_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		return -1;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

int
tlog_checkpoint_parse(const char *text, size_t len, char **origin, uint64_t *size,
    tlog_hash root)
{
	const char *p = text, *end = text + len, *line, *oline;
	uint8_t buf[TLOG_HASH_LEN + 3];
	uint64_t v = 0;
	size_t n, olen, i, got;
	unsigned ext = 0;

	*origin = NULL;
	if (text == NULL || memchr(text, '\0', len) != NULL)
		return cx_seterr(CX_EFORMAT, "checkpoint: contains a NUL byte");
	if (tlog_line(&p, end, &oline, &olen) != 0)
		return cx_seterr(CX_EFORMAT, "checkpoint: origin line is not terminated");
	if (!tlog_origin_ok(oline, olen))
		return cx_seterr(CX_EFORMAT, "checkpoint: origin is empty or has control characters");

	if (tlog_line(&p, end, &line, &n) != 0)
		return cx_seterr(CX_EFORMAT, "checkpoint: size line is not terminated");
	if (n == 0 || n > 19 || (n > 1 && line[0] == '0'))
		return cx_seterr(CX_EFORMAT, "checkpoint: size is not a canonical decimal");
	for (i = 0; i < n; i++) {
		if (line[i] < '0' || line[i] > '9')
			return cx_seterr(CX_EFORMAT, "checkpoint: size is not a decimal number");
		v = v * 10 + (uint64_t)(line[i] - '0');	/* 19 digits fit in 64 bits */
	}
	if (v > TLOG_MAX_SIZE)
		return cx_seterr(CX_EFORMAT, "checkpoint: size beyond the maximum");

	if (tlog_line(&p, end, &line, &n) != 0)
		return cx_seterr(CX_EFORMAT, "checkpoint: root line is not terminated");
	if (b64_decode(buf, sizeof(buf), &got, line, n) != 0 || got != TLOG_HASH_LEN)
		return cx_seterr(CX_EFORMAT, "checkpoint: root is not the base64 of 32 bytes");

	while (p < end) {
		if (tlog_line(&p, end, &line, &n) != 0)
			return cx_seterr(CX_EFORMAT, "checkpoint: extension line %u is not terminated",
			    ext + 1);
		if (n == 0)
			return cx_seterr(CX_EFORMAT, "checkpoint: empty line after the root");
		ext++;
	}
	if ((*origin = strndup(oline, olen)) == NULL)
		return cx_seterr(CX_ENOMEM, "checkpoint origin");
	*size = v;
	memcpy(root, buf, TLOG_HASH_LEN);
	return 0;
}
