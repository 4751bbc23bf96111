/*
 * store_test.c — tests of store/tlog.c (RFC 6962 arithmetic, proofs,
 * checkpoint text) and store/store.c (the LMDB store).
 *
 * The tlog tests use the published RFC 6962 test tree of Certificate
 * Transparency / transparency-dev (eight leaves "", 00, 10, 2021, 3031,
 * 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f, their
 * subtree and root hashes, inclusion and consistency proofs), then check
 * every tree size up to 130 against a direct recursive reading of RFC 6962.
 *
 * The store tests run in a temporary directory removed at the end. Flipped
 * bytes are written through LMDB directly, behind the store's back. The
 * crash test forks a writer and SIGKILLs it at random moments.
 *
 * STORE_BENCH=1 also runs the append benchmark (1,000,000 leaves of 400
 * bytes in batches of 50,000, against raw MDB_APPEND of the same bytes) and
 * prints the rates; it asserts nothing about speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "store/store.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/err.h"

/* ---- helpers ------------------------------------------------------------ */

static void
hx(tlog_hash out, const char *hex)
{
	assert_int_equal(hex_decode(out, TLOG_HASH_LEN, hex, strlen(hex)), 0);
}

static void
hexbytes(uint8_t *out, size_t *n, const char *hex)
{
	*n = strlen(hex) / 2;
	assert_int_equal(hex_decode(out, *n, hex, strlen(hex)), 0);
}

/* An in-memory log: stored hashes in append order, with a tlog_reader. */
struct mem {
	tlog_hash *h;
	uint64_t nh, size;
	size_t cap;
	int reads;               /* reader calls */
};

static int
mem_read(void *ctx, const uint64_t *idx, size_t n, tlog_hash *out)
{
	struct mem *m = ctx;
	size_t i;

	m->reads++;
	assert_true(n <= TLOG_MAX_PROOF);
	for (i = 0; i < n; i++) {
		if (idx[i] >= m->nh)
			return CX_ENOTFOUND;
		memcpy(out[i], m->h[idx[i]], TLOG_HASH_LEN);
	}
	return 0;
}

/* Append a leaf hash through tlog_append_hashes. */
static void
mem_append(struct mem *m, const tlog_hash leaf)
{
	tlog_hash out[TLOG_MAX_PROOF];
	size_t n, i;

	assert_int_equal(tlog_append_hashes(out, &n, m->size, leaf, mem_read, m), 0);
	assert_int_equal(m->nh, tlog_stored_count(m->size));
	if (m->nh + n > m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		while (m->cap < m->nh + n)
			m->cap *= 2;
		m->h = realloc(m->h, m->cap * sizeof(*m->h));
		assert_non_null(m->h);
	}
	for (i = 0; i < n; i++)
		memcpy(m->h[m->nh++], out[i], TLOG_HASH_LEN);
	m->size++;
	assert_int_equal(m->nh, tlog_stored_count(m->size));
}

static void
mem_free(struct mem *m)
{
	free(m->h);
	memset(m, 0, sizeof(*m));
}

/* RFC 6962 MTH(D[lo:hi]) over leaf hashes, read straight from the RFC. */
static void
ref_mth(tlog_hash out, const tlog_hash *lh, uint64_t lo, uint64_t hi)
{
	tlog_hash a, b;
	uint64_t k = 1;

	if (hi == lo) {
		tlog_empty_hash(out);
		return;
	}
	if (hi - lo == 1) {
		memcpy(out, lh[lo], TLOG_HASH_LEN);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	ref_mth(a, lh, lo, lo + k);
	ref_mth(b, lh, lo + k, hi);
	tlog_node_hash(out, a, b);
}

/* RFC 6962 PATH(m, D[lo:hi]). */
static void
ref_path(tlog_hash *out, size_t *n, const tlog_hash *lh, uint64_t m, uint64_t lo, uint64_t hi)
{
	uint64_t k = 1;

	if (hi - lo <= 1)
		return;
	while (k * 2 < hi - lo)
		k *= 2;
	if (m < k) {
		ref_path(out, n, lh, m, lo, lo + k);
		ref_mth(out[(*n)++], lh, lo + k, hi);
	} else {
		ref_path(out, n, lh, m - k, lo + k, hi);
		ref_mth(out[(*n)++], lh, lo, lo + k);
	}
}

/* RFC 6962 SUBPROOF(m, D[lo:hi], b). */
static void
ref_subproof(tlog_hash *out, size_t *n, const tlog_hash *lh, uint64_t m, uint64_t lo,
    uint64_t hi, int b)
{
	uint64_t k = 1;

	if (m == hi - lo) {
		if (!b)
			ref_mth(out[(*n)++], lh, lo, hi);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	if (m <= k) {
		ref_subproof(out, n, lh, m, lo, lo + k, b);
		ref_mth(out[(*n)++], lh, lo + k, hi);
	} else {
		ref_subproof(out, n, lh, m - k, lo + k, hi, 0);
		ref_mth(out[(*n)++], lh, lo, lo + k);
	}
}

/* The published test tree. */
static const char *const vec_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const vec_nodes[4][8] = {
	{ "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	  "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	  "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	  "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	  "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	  "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1" },
	{ "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	  "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0" },
	{ "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" },
	{ "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328" },
};

static const char *const vec_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Inclusion proofs: leaf index (0-based), tree size, path. */
static const struct {
	uint64_t index, size;
	const char *path[3];
	size_t n;
} vec_incl[] = {
	{ 0, 1, { NULL }, 0 },
	{ 0, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
	{ 5, 8, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
	{ 2, 3, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" }, 1 },
	{ 1, 5, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 3 },
};

static const struct {
	uint64_t oldsize, newsize;
	const char *path[3];
	size_t n;
} vec_cons[] = {
	{ 1, 1, { NULL }, 0 },
	{ 1, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
	{ 6, 8, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
	{ 2, 5, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 2 },
	{ 6, 7, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
};

/* The test tree in memory. */
static void
vec_tree(struct mem *m, tlog_hash lh[8])
{
	uint8_t buf[16];
	size_t n;
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 8; i++) {
		hexbytes(buf, &n, vec_leaves[i]);
		tlog_leaf_hash(lh[i], buf, n);
		mem_append(m, lh[i]);
	}
}

/* ---- tlog: published vectors -------------------------------------------- */

static void
test_vec_hashes(void **state)
{
	struct mem m;
	tlog_hash lh[8], want, got;
	uint64_t size;
	int l, n;

	(void)state;
	vec_tree(&m, lh);
	/* Every complete subtree sits at its stored index. */
	for (l = 0; l < 4; l++) {
		for (n = 0; n < (8 >> l); n++) {
			hx(want, vec_nodes[l][n]);
			assert_memory_equal(m.h[tlog_stored_index(l, (uint64_t)n)], want, TLOG_HASH_LEN);
		}
	}
	/* Every root, from the stored hashes and from the RFC recursion. */
	for (size = 0; size <= 8; size++) {
		hx(want, vec_roots[size]);
		assert_int_equal(tlog_tree_hash(got, size, mem_read, &m), 0);
		assert_memory_equal(got, want, TLOG_HASH_LEN);
		ref_mth(got, lh, 0, size);
		assert_memory_equal(got, want, TLOG_HASH_LEN);
	}
	mem_free(&m);
}

static void
test_vec_inclusion(void **state)
{
	struct mem m;
	tlog_hash lh[8], root, path[TLOG_MAX_PROOF], want[3], bad[TLOG_MAX_PROOF];
	size_t v, n, i;

	(void)state;
	vec_tree(&m, lh);
	for (v = 0; v < sizeof(vec_incl) / sizeof(vec_incl[0]); v++) {
		uint64_t idx = vec_incl[v].index, size = vec_incl[v].size;

		hx(root, vec_roots[size]);
		for (i = 0; i < vec_incl[v].n; i++)
			hx(want[i], vec_incl[v].path[i]);
		/* The published proof verifies. */
		assert_int_equal(tlog_check_inclusion((const tlog_hash *)want, vec_incl[v].n, size, idx,
		    root, lh[idx]), 0);
		/* We generate exactly the published proof. */
		assert_int_equal(tlog_prove_inclusion(path, &n, size, idx, mem_read, &m), 0);
		assert_int_equal(n, vec_incl[v].n);
		if (n > 0)
			assert_memory_equal(path, want, n * TLOG_HASH_LEN);
		/* Corruptions fail. */
		if (idx > 0)
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size, idx - 1,
			    root, lh[idx]), CX_EPROOF);
		assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size, idx + 1, root,
		    lh[idx]), CX_EPROOF);
		assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size * 2, idx, root,
		    lh[idx]), CX_EPROOF);
		if (size / 2 > idx)
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size / 2, idx,
			    root, lh[idx]), CX_EPROOF);
		assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size, idx, root,
		    lh[(idx + 1) % 8]), CX_EPROOF);
		for (i = 0; i < n; i++) {
			memcpy(bad, path, n * TLOG_HASH_LEN);
			bad[i][0] ^= 8;
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)bad, n, size, idx, root,
			    lh[idx]), CX_EPROOF);
		}
		if (n > 0)
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n - 1, size, idx,
			    root, lh[idx]), CX_EPROOF);
		/* A trailing extra hash. */
		memcpy(bad, path, n * TLOG_HASH_LEN);
		memcpy(bad[n], root, TLOG_HASH_LEN);
		assert_int_equal(tlog_check_inclusion((const tlog_hash *)bad, n + 1, size, idx, root,
		    lh[idx]), CX_EPROOF);
		/* A preceding extra hash. */
		memcpy(bad[0], root, TLOG_HASH_LEN);
		memcpy(bad + 1, path, n * TLOG_HASH_LEN);
		assert_int_equal(tlog_check_inclusion((const tlog_hash *)bad, n + 1, size, idx, root,
		    lh[idx]), CX_EPROOF);
	}
	/* Index beyond the tree; empty tree. */
	assert_int_equal(tlog_check_inclusion(NULL, 0, 0, 0, root, lh[0]), CX_EPROOF);
	assert_int_equal(tlog_prove_inclusion(path, &n, 8, 8, mem_read, &m), CX_EINVAL);
	mem_free(&m);
}

static void
test_vec_consistency(void **state)
{
	struct mem m;
	tlog_hash lh[8], r1, r2, path[TLOG_MAX_PROOF], want[3], bad[TLOG_MAX_PROOF];
	size_t v, n, i;

	(void)state;
	vec_tree(&m, lh);
	for (v = 0; v < sizeof(vec_cons) / sizeof(vec_cons[0]); v++) {
		uint64_t a = vec_cons[v].oldsize, b = vec_cons[v].newsize;

		hx(r1, vec_roots[a]);
		hx(r2, vec_roots[b]);
		for (i = 0; i < vec_cons[v].n; i++)
			hx(want[i], vec_cons[v].path[i]);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)want, vec_cons[v].n, a, r1,
		    b, r2), 0);
		assert_int_equal(tlog_prove_consistency(path, &n, a, b, mem_read, &m), 0);
		assert_int_equal(n, vec_cons[v].n);
		if (n == 0)
			continue;
		assert_memory_equal(path, want, n * TLOG_HASH_LEN);
		/* Corruptions fail. */
		assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, a - 1, r1, b, r2),
		    CX_EPROOF);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, a + 1, r1, b, r2),
		    CX_EPROOF);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, a, r1, b * 2, r2),
		    CX_EPROOF);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, a, r2, b, r1),
		    CX_EPROOF);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)path, 0, a, r1, b, r2),
		    CX_EPROOF);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n - 1, a, r1, b, r2),
		    CX_EPROOF);
		for (i = 0; i < n; i++) {
			memcpy(bad, path, n * TLOG_HASH_LEN);
			bad[i][0] ^= 16;
			assert_int_equal(tlog_check_consistency((const tlog_hash *)bad, n, a, r1, b, r2),
			    CX_EPROOF);
		}
		memcpy(bad, path, n * TLOG_HASH_LEN);
		memcpy(bad[n], r2, TLOG_HASH_LEN);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)bad, n + 1, a, r1, b, r2),
		    CX_EPROOF);
		memcpy(bad[0], path[0], TLOG_HASH_LEN);
		memcpy(bad + 1, path, n * TLOG_HASH_LEN);
		assert_int_equal(tlog_check_consistency((const tlog_hash *)bad, n + 1, a, r1, b, r2),
		    CX_EPROOF);
	}
	/* Trivial cases (as the transparency-dev verifier decides them). */
	hx(r1, vec_roots[0]);
	hx(r2, vec_roots[3]);
	assert_int_equal(tlog_check_consistency(NULL, 0, 0, r1, 0, r1), 0);
	assert_int_equal(tlog_check_consistency(NULL, 0, 0, r1, 3, r2), 0);
	assert_int_equal(tlog_check_consistency(NULL, 0, 3, r2, 3, r2), 0);
	assert_int_equal(tlog_check_consistency(NULL, 0, 3, r1, 3, r2), CX_EPROOF);
	assert_int_equal(tlog_check_consistency((const tlog_hash *)&r1, 1, 0, r1, 0, r1), CX_EPROOF);
	assert_int_equal(tlog_check_consistency((const tlog_hash *)&r1, 1, 3, r2, 3, r2), CX_EPROOF);
	assert_int_equal(tlog_check_consistency(NULL, 0, 3, r2, 2, r1), CX_EPROOF);
	assert_int_equal(tlog_check_consistency(NULL, 0, 1, r1, 2, r2), CX_EPROOF);
	assert_int_equal(tlog_prove_consistency(path, &n, 4, 3, mem_read, &m), CX_EINVAL);
	mem_free(&m);
}

/* ---- tlog: layout and exhaustive self-consistency ----------------------- */

static void
test_stored_layout(void **state)
{
	/* Simulate an appender: record which (level, n) each stored hash is. */
	uint64_t size, pos = 0;

	(void)state;
	assert_int_equal(tlog_stored_count(0), 0);
	for (size = 0; size < 5000; size++) {
		int l;

		assert_int_equal(tlog_stored_count(size), pos);
		assert_int_equal(tlog_stored_index(0, size), pos);
		pos++;
		for (l = 1; ((size + 1) & (((uint64_t)1 << l) - 1)) == 0; l++) {
			assert_int_equal(tlog_stored_index(l, ((size + 1) >> l) - 1), pos);
			pos++;
		}
	}
	/* The drawing in tlog.h. */
	assert_int_equal(tlog_stored_index(1, 0), 2);
	assert_int_equal(tlog_stored_index(1, 1), 5);
	assert_int_equal(tlog_stored_index(2, 0), 6);
	assert_int_equal(tlog_stored_index(0, 4), 7);
	assert_int_equal(tlog_stored_index(1, 2), 9);
	/* Large values stay exact. */
	assert_int_equal(tlog_stored_count(TLOG_MAX_SIZE), 2 * TLOG_MAX_SIZE - 1);
	assert_int_equal(tlog_stored_index(62, 0), tlog_stored_count(TLOG_MAX_SIZE) - 1);
}

#define EXH 130

static void
test_exhaustive(void **state)
{
	static tlog_hash lh[EXH], roots[EXH + 1];
	struct mem m = { 0 };
	struct tlog_frontier f;
	tlog_hash path[TLOG_MAX_PROOF], want[TLOG_MAX_PROOF], bad[TLOG_MAX_PROOF], got, tmp[64];
	uint64_t size, idx, old;
	size_t n, nw, i;
	uint8_t leaf[8];

	(void)state;
	memset(&f, 0, sizeof(f));
	for (i = 0; i < EXH; i++) {
		size_t k;

		memcpy(leaf, &i, sizeof(i) < 8 ? sizeof(i) : 8);
		tlog_leaf_hash(lh[i], leaf, sizeof(leaf));
		mem_append(&m, lh[i]);
		/* The frontier produces the same stored hashes. */
		k = tlog_frontier_push(&f, lh[i], tmp);
		assert_memory_equal(tmp, m.h[tlog_stored_count(i)], k * TLOG_HASH_LEN);
		assert_int_equal(tlog_stored_count(i) + k, m.nh);
		tlog_frontier_root(&f, got);
		ref_mth(roots[i + 1], lh, 0, i + 1);
		assert_memory_equal(got, roots[i + 1], TLOG_HASH_LEN);
	}
	tlog_empty_hash(roots[0]);
	for (size = 0; size <= EXH; size++) {
		m.reads = 0;
		assert_int_equal(tlog_tree_hash(got, size, mem_read, &m), 0);
		assert_memory_equal(got, roots[size], TLOG_HASH_LEN);
		assert_true(m.reads <= 1);
	}
	for (size = 1; size <= EXH; size++) {
		for (idx = 0; idx < size; idx++) {
			assert_int_equal(tlog_prove_inclusion(path, &n, size, idx, mem_read, &m), 0);
			nw = 0;
			ref_path(want, &nw, lh, idx, 0, size);
			assert_int_equal(n, nw);
			if (n > 0)
				assert_memory_equal(path, want, n * TLOG_HASH_LEN);
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size, idx,
			    roots[size], lh[idx]), 0);
			/* Every altered proof fails. */
			for (i = 0; i < n; i++) {
				memcpy(bad, path, n * TLOG_HASH_LEN);
				bad[i][31] ^= 1;
				assert_int_equal(tlog_check_inclusion((const tlog_hash *)bad, n, size, idx,
				    roots[size], lh[idx]), CX_EPROOF);
			}
			/* Wrong sizes (with that size's root), wrong index, wrong leaf. */
			if (size - 1 > idx)
				assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size - 1,
				    idx, roots[size - 1], lh[idx]), CX_EPROOF);
			if (size < EXH)
				assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size + 1,
				    idx, roots[size + 1], lh[idx]), CX_EPROOF);
			if (idx + 1 < size)
				assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size,
				    idx + 1, roots[size], lh[idx]), CX_EPROOF);
			if (size > 1)
				assert_int_equal(tlog_check_inclusion((const tlog_hash *)path, n, size, idx,
				    roots[size], lh[(idx + 1) % size]), CX_EPROOF);
		}
		for (old = 0; old <= size; old++) {
			assert_int_equal(tlog_prove_consistency(path, &n, old, size, mem_read, &m), 0);
			nw = 0;
			if (old > 0 && old < size)
				ref_subproof(want, &nw, lh, old, 0, size, 1);
			assert_int_equal(n, nw);
			if (n > 0)
				assert_memory_equal(path, want, n * TLOG_HASH_LEN);
			assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, old,
			    roots[old], size, roots[size]), 0);
			if (old == 0)
				continue;
			for (i = 0; i < n; i++) {
				memcpy(bad, path, n * TLOG_HASH_LEN);
				bad[i][0] ^= 0x80;
				assert_int_equal(tlog_check_consistency((const tlog_hash *)bad, n, old,
				    roots[old], size, roots[size]), CX_EPROOF);
			}
			if (old < size) {
				assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, old - 1,
				    roots[old - 1], size, roots[size]), old == 1 && n == 0 ? 0 : CX_EPROOF);
				assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, old + 1,
				    roots[old + 1], size, roots[size]), CX_EPROOF);
				assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, old,
				    roots[old], size - 1, roots[size - 1]), CX_EPROOF);
				if (size < EXH)
					assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n,
					    old, roots[old], size + 1, roots[size + 1]), CX_EPROOF);
				assert_int_equal(tlog_check_consistency((const tlog_hash *)path, n, old,
				    roots[size], size, roots[old]), CX_EPROOF);
			}
		}
	}
	/* A reader error reaches the caller. */
	assert_int_equal(tlog_tree_hash(got, EXH + 5, mem_read, &m), CX_ENOTFOUND);
	mem_free(&m);
}

/* ---- tlog: checkpoint text ---------------------------------------------- */

static int
cp_parse(const char *text, char **origin, uint64_t *size, tlog_hash root)
{
	return tlog_checkpoint_parse(text, strlen(text), origin, size, root);
}

static void
test_checkpoint_text(void **state)
{
	tlog_hash root, got;
	char *text = NULL, *origin = NULL;
	size_t len;
	uint64_t size;
	const char *r44 = "3cidM6GZS0hlsiQJAPKuYjbMOKG8sfKMSCbHwCKkqqg=";
	char buf[512];
	size_t i;
	static const char *const bad[] = {
		"",                                   /* nothing */
		"origin\n",                           /* no size */
		"origin\n5\n",                        /* no root */
		"\n5\n%s\n",                          /* empty origin */
		"ori\tgin\n5\n%s\n",                  /* control character */
		"origin\n05\n%s\n",                   /* leading zero */
		"origin\n+5\n%s\n",                   /* sign */
		"origin\n 5\n%s\n",                   /* space */
		"origin\n5 \n%s\n",                   /* space */
		"origin\n\n%s\n",                     /* empty size */
		"origin\n0x10\n%s\n",                 /* hex */
		"origin\n18446744073709551616\n%s\n", /* 2^64 */
		"origin\n4611686018427387905\n%s\n",  /* above the maximum */
		"origin\n5\n%s",                      /* root not terminated */
		"origin\r\n5\n%s\n",                  /* CR */
		"origin\n5\r\n%s\n",                  /* CR */
		"origin\n5\n%s\n\n",                  /* empty extension line */
		"origin\n5\n%s\next",                 /* extension not terminated */
		"origin\n5\n%s\n\n— origin abcd\n",   /* a whole signed note */
		"origin\n5\nAAAA\n",                  /* 3-byte root */
		"origin\n5\n3cidM6GZS0hlsiQJAPKuYjbMOKG8sfKMSCbHwCKkqqg\n",    /* no padding */
		"origin\n5\n3cidM6GZS0hlsiQJAPKuYjbMOKG8sfKMSCbHwCKkqqh=\n",   /* trailing bits */
		"origin\n5\n3cidM6GZS0hlsiQJAPKuYjbMOKG8sfKMSCbHwCKkqqg=AA==\n", /* 35 bytes */
		"origin\n5\n3cidM6GZS0hlsiQJAPKuYjbMOKG8sfKMSCbHwCKkq=\n",     /* 31 bytes */
	};

	(void)state;
	assert_int_equal(b64_decode(root, sizeof(root), &len, r44, strlen(r44)), 0);
	assert_int_equal(len, 32);

	/* Round trip, and the exact text. */
	assert_int_equal(tlog_checkpoint_format(&text, &len, "example.com/log", 1234, root), 0);
	snprintf(buf, sizeof(buf), "example.com/log\n1234\n%s\n", r44);
	assert_string_equal(text, buf);
	assert_int_equal(len, strlen(buf));
	assert_int_equal(tlog_checkpoint_parse(text, len, &origin, &size, got), 0);
	assert_string_equal(origin, "example.com/log");
	assert_int_equal(size, 1234);
	assert_memory_equal(got, root, TLOG_HASH_LEN);
	free(origin);
	free(text);

	/* Extension lines are tolerated; size 0 and the maximum parse. */
	snprintf(buf, sizeof(buf), "松江区 credit log\n0\n%s\nextension one\nTimestamp: 1\n", r44);
	assert_int_equal(cp_parse(buf, &origin, &size, got), 0);
	assert_string_equal(origin, "松江区 credit log");
	assert_int_equal(size, 0);
	free(origin);
	snprintf(buf, sizeof(buf), "o\n4611686018427387904\n%s\n", r44);
	assert_int_equal(cp_parse(buf, &origin, &size, got), 0);
	assert_int_equal(size, TLOG_MAX_SIZE);
	free(origin);

	/* Strictness. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(buf, sizeof(buf), bad[i], r44);
#pragma GCC diagnostic pop
		origin = (char *)1;
		assert_int_equal(cp_parse(buf, &origin, &size, got), CX_EFORMAT);
		assert_null(origin);
	}
	/* A NUL inside. */
	snprintf(buf, sizeof(buf), "origin\n5\n%s\n", r44);
	buf[3] = '\0';
	assert_int_equal(tlog_checkpoint_parse(buf, strlen(r44) + 10, &origin, &size, got),
	    CX_EFORMAT);
	/* Bad origins are refused when formatting. */
	assert_int_equal(tlog_checkpoint_format(&text, &len, "", 1, root), CX_EINVAL);
	assert_int_equal(tlog_checkpoint_format(&text, &len, "a\nb", 1, root), CX_EINVAL);
	assert_null(text);
}

/* ---- store fixtures ----------------------------------------------------- */

static char tmproot[256];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup_tmp(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmproot, sizeof(tmproot), "%s/cxstore-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(tmproot) == NULL ? -1 : 0;
}

static int
teardown_tmp(void **state)
{
	(void)state;
	return nftw(tmproot, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh store directory name under the temporary root. */
static void
store_dir(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmproot, name);
}

static store *
open_new(const char *dir, size_t mapsize)
{
	struct store_opts o = { .mapsize = mapsize, .create = 1 };
	store *s = NULL;

	assert_int_equal(store_open(&s, dir, &o), 0);
	return s;
}

/* Test signer: the checkpoint text, a blank line and a keyed hash of it in
 * place of a signature (the signature itself belongs to keys/). */
struct signer {
	const char *origin;
	int calls;
};

static void
fake_sig(char out[HEX_LEN(32)], const char *text, size_t len)
{
	uint8_t *buf = malloc(len + 4);
	tlog_hash h;

	assert_non_null(buf);
	memcpy(buf, "key:", 4);
	memcpy(buf + 4, text, len);
	tlog_leaf_hash(h, buf, len + 4);
	free(buf);
	hex_encode(out, h, 32);
}

static int
test_sign(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct signer *sg = ctx;
	char *text, sig[HEX_LEN(32)];
	size_t tlen;
	int rc, n;

	sg->calls++;
	if ((rc = tlog_checkpoint_format(&text, &tlen, sg->origin, size, root)) != 0)
		return rc;
	fake_sig(sig, text, tlen);
	n = asprintf(note, "%s\n— test %s\n", text, sig);
	free(text);
	if (n < 0)
		return CX_ENOMEM;
	*len = (size_t)n;
	return 0;
}

static int
test_check(void *ctx, uint32_t log, const char *note, size_t len, uint64_t *size,
    tlog_hash root)
{
	const char *sep = NULL, *p;
	char sig[HEX_LEN(32)], *origin = NULL;
	int rc;

	(void)ctx;
	(void)log;
	/* The body ends at the last blank line; the signature line follows. */
	for (p = note; p + 1 < note + len; p++)
		if (p[0] == '\n' && p[1] == '\n')
			sep = p + 1;
	if (sep == NULL)
		return cx_seterr(CX_EFORMAT, "no signature line");
	fake_sig(sig, note, (size_t)(sep - note));
	if (note + len - (sep + 1) != (ptrdiff_t)(strlen("— test \n") + 64) ||
	    memcmp(sep + 1 + strlen("— test "), sig, 64) != 0)
		return cx_seterr(CX_EBADSIG, "test signature does not verify");
	if ((rc = tlog_checkpoint_parse(note, (size_t)(sep - note), &origin, size, root)) != 0)
		return rc;
	free(origin);
	return 0;
}

/* Problems collected by store_verify. */
struct problems {
	int n;
	char last[512];
	char all[4096];
};

static void
test_problem(void *ctx, uint32_t log, const char *what)
{
	struct problems *p = ctx;
	size_t l = strlen(p->all);

	(void)log;
	p->n++;
	snprintf(p->last, sizeof(p->last), "%s", what);
	if (l + strlen(what) + 2 < sizeof(p->all))
		snprintf(p->all + l, sizeof(p->all) - l, "%s\n", what);
}

/* Deterministic leaf bytes for leaf i of a test log. */
static size_t
make_leaf(uint8_t *buf, size_t cap, uint64_t i)
{
	size_t len = 20 + (size_t)(i * 7919 % 200), k;

	if (len > cap)
		len = cap;
	for (k = 0; k < len; k++)
		buf[k] = (uint8_t)(i * 31 + k * 17 + (i >> 8));
	memcpy(buf, &i, 8);
	return len;
}

/* Append count leaves starting at first as one batch. */
static int
append_range(store *s, uint32_t log, uint64_t first, size_t count, struct signer *sg)
{
	struct store_leaf *lv = calloc(count ? count : 1, sizeof(*lv));
	uint8_t *arena = malloc(count * 256 + 1);
	size_t i, off = 0;
	int rc;

	assert_non_null(lv);
	assert_non_null(arena);
	for (i = 0; i < count; i++) {
		lv[i].data = arena + off;
		lv[i].len = make_leaf(arena + off, 256, first + i);
		off += lv[i].len;
	}
	rc = store_append(s, log, first, lv, count, test_sign, sg);
	free(lv);
	free(arena);
	return rc;
}

/* Indexer used by the tests: one subject-like key per leaf (4 bytes of the
 * leaf, then the index) and one "last" key overwritten by every leaf. */
static int
test_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out)
{
	uint8_t key[32], val[8];
	int *fail = ctx;
	int rc;

	if (fail && *fail >= 0 && index == (uint64_t)*fail)
		return cx_seterr(CX_EFORMAT, "indexer refuses leaf %llu", (unsigned long long)index);
	key[0] = 'S';
	key[1] = (uint8_t)(log);
	key[2] = (uint8_t)(index % 3);      /* three "subjects" */
	for (rc = 0; rc < 8; rc++)
		key[3 + rc] = (uint8_t)(index >> (56 - 8 * rc));
	memcpy(val, leaf, len < 8 ? len : 8);
	if ((rc = store_keys_add(out, key, 11, val, len < 8 ? len : 8)) != 0)
		return rc;
	key[0] = 'L';
	for (rc = 0; rc < 8; rc++)
		val[rc] = (uint8_t)(index >> (56 - 8 * rc));
	return store_keys_add(out, key, 2, val, 8);
}

/* ---- store tests -------------------------------------------------------- */

static void
test_open_create(void **state)
{
	char dir[512];
	struct store_opts ro = { .readonly = 1 };
	struct store_stat st;
	store *s = NULL;
	uint32_t id;
	struct signer sg = { "o", 0 };

	(void)state;
	store_dir(dir, sizeof(dir), "open");
	/* No store there and no create. */
	assert_int_equal(store_open(&s, dir, NULL), CX_ENOTFOUND);
	assert_null(s);
	s = open_new(dir, 0);
	assert_int_equal(store_stat(s, &st), 0);
	assert_int_equal(st.schema, STORE_SCHEMA);
	assert_int_equal(st.logs, 0);
	assert_true(st.index_complete);
	assert_true(st.mapsize >= (256u << 20));
	assert_int_equal(store_log_create(s, &id, "o", "n1", "v"), 0);
	store_close(s);
	store_close(NULL);

	/* Reopen without create, and read-only. */
	assert_int_equal(store_open(&s, dir, NULL), 0);
	assert_int_equal(store_log_find(s, &id, "o"), 0);
	store_close(s);
	assert_int_equal(store_open(&s, dir, &ro), 0);
	assert_int_equal(store_log_find(s, &id, "o"), 0);
	assert_int_equal(append_range(s, id, 0, 1, &sg), CX_EPERM);
	assert_int_equal(store_log_create(s, &id, "p", "n1", "v"), CX_EPERM);
	store_close(s);
}

static void
test_schema_refusal(void **state)
{
	static const uint32_t versions[] = { 2, 0, 7 };
	char dir[512];
	store *s;
	size_t i;

	(void)state;
	store_dir(dir, sizeof(dir), "schema");
	s = open_new(dir, 0);
	store_close(s);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		MDB_env *env;
		MDB_txn *txn;
		MDB_dbi meta;
		uint8_t vb[4] = { 0, 0, 0, (uint8_t)versions[i] };
		MDB_val k = { 6, "schema" }, v = { 4, vb };

		assert_int_equal(mdb_env_create(&env), 0);
		assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
		assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
		assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
		assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
		mdb_env_close(env);
		s = (store *)1;
		assert_int_equal(store_open(&s, dir, NULL), CX_ESCHEMA);
		assert_null(s);
	}

	/* An LMDB environment that is not a cxnode store. */
	{
		MDB_env *env;
		MDB_txn *txn;
		MDB_dbi other;
		char odir[512];

		store_dir(odir, sizeof(odir), "other");
		assert_int_equal(mkdir(odir, 0700), 0);
		assert_int_equal(mdb_env_create(&env), 0);
		assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
		assert_int_equal(mdb_env_open(env, odir, 0, 0600), 0);
		assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_dbi_open(txn, "x", MDB_CREATE, &other), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
		mdb_env_close(env);
		assert_int_equal(store_open(&s, odir, NULL), CX_ESCHEMA);
	}
}

static void
test_logs(void **state)
{
	char dir[512];
	store *s;
	uint32_t a, b, c;
	struct store_log *logs;
	size_t n;
	struct signer sg = { "city.example/a", 0 };

	(void)state;
	store_dir(dir, sizeof(dir), "logs");
	s = open_new(dir, 0);
	assert_int_equal(store_log_list(s, &logs, &n), 0);
	assert_int_equal(n, 0);
	assert_null(logs);
	assert_int_equal(store_log_create(s, &a, "city.example/a", "310117", "a+01+x"), 0);
	assert_int_equal(store_log_create(s, &b, "city.example/b", NULL, NULL), 0);
	assert_int_not_equal(a, b);
	assert_int_equal(store_log_create(s, &c, "city.example/a", "x", "y"), CX_EEXIST);
	assert_int_equal(store_log_create(s, &c, "", "x", "y"), CX_EINVAL);
	assert_int_equal(store_log_find(s, &c, "city.example/b"), 0);
	assert_int_equal(c, b);
	assert_int_equal(store_log_find(s, &c, "city.example/zz"), CX_ENOTFOUND);
	assert_int_equal(append_range(s, a, 0, 10, &sg), 0);
	assert_int_equal(append_range(s, 999, 0, 1, &sg), CX_ENOTFOUND);

	assert_int_equal(store_log_list(s, &logs, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(logs[0].id, a);
	assert_string_equal(logs[0].origin, "city.example/a");
	assert_string_equal(logs[0].issuer, "310117");
	assert_string_equal(logs[0].verifier, "a+01+x");
	assert_int_equal(logs[0].size, 10);
	assert_int_equal(logs[0].checkpoint_size, 10);
	assert_true(logs[0].has_checkpoint);
	assert_string_equal(logs[1].issuer, "");
	assert_int_equal(logs[1].size, 0);
	assert_false(logs[1].has_checkpoint);
	store_log_list_free(logs, n);
	store_log_list_free(NULL, 0);
	store_close(s);

	/* Handles of logs survive a reopen. */
	assert_int_equal(store_open(&s, dir, NULL), 0);
	assert_int_equal(store_log_find(s, &c, "city.example/a"), 0);
	assert_int_equal(append_range(s, c, 10, 5, &sg), 0);
	store_close(s);
}

/* Check the store's log against an independent in-memory computation. */
static void
check_log(store *s, uint32_t log, uint64_t size, const uint64_t *cps, size_t ncp)
{
	tlog_hash *lh = malloc((size ? size : 1) * sizeof(*lh));
	tlog_hash root, got, proof[TLOG_MAX_PROOF], r2, h;
	store_txn *t = NULL;
	uint8_t buf[256];
	const uint8_t *data;
	const char *note;
	size_t len, n, i, j;
	uint64_t have, k, gsz;

	assert_non_null(lh);
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_txn_log_size(t, log, &have), 0);
	assert_int_equal(have, size);
	for (k = 0; k < size; k++) {
		len = make_leaf(buf, sizeof(buf), k);
		assert_int_equal(store_leaf(t, log, k, &data, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(data, buf, len);
		tlog_leaf_hash(lh[k], buf, len);
		assert_int_equal(store_leaf_hash(t, log, k, h), 0);
		assert_memory_equal(h, lh[k], TLOG_HASH_LEN);
	}
	assert_int_equal(store_leaf(t, log, size, &data, &n), CX_ENOTFOUND);
	assert_int_equal(store_leaf_hash(t, log, size, h), CX_ENOTFOUND);
	assert_int_equal(store_root(t, log, size + 1, root), CX_EINVAL);

	for (i = 0; i < ncp; i++) {
		uint64_t sz = cps[i];
		ref_mth(root, lh, 0, sz);
		assert_int_equal(store_root(t, log, sz, got), 0);
		assert_memory_equal(got, root, TLOG_HASH_LEN);
		/* The checkpoint of that size states that root. */
		assert_int_equal(store_checkpoint(t, log, sz ? sz : 0, &note, &len, &gsz), 0);
		if (sz > 0) {
			assert_int_equal(gsz, sz);
			assert_int_equal(test_check(NULL, log, note, len, &gsz, got), 0);
			assert_int_equal(gsz, sz);
			assert_memory_equal(got, root, TLOG_HASH_LEN);
		}
		/* Inclusion proofs of a spread of leaves. */
		for (k = 0; k < sz; k += 1 + sz / 17) {
			assert_int_equal(store_prove_inclusion(t, log, k, sz, proof, &n), 0);
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)proof, n, sz, k, root,
			    lh[k]), 0);
		}
		if (sz > 0) {
			assert_int_equal(store_prove_inclusion(t, log, sz - 1, sz, proof, &n), 0);
			assert_int_equal(tlog_check_inclusion((const tlog_hash *)proof, n, sz, sz - 1,
			    root, lh[sz - 1]), 0);
		}
		assert_int_equal(store_prove_inclusion(t, log, sz, sz, proof, &n), CX_EINVAL);
		/* Consistency with every earlier checkpoint. */
		for (j = 0; j < i; j++) {
			ref_mth(r2, lh, 0, cps[j]);
			assert_int_equal(store_prove_consistency(t, log, cps[j], sz, proof, &n), 0);
			assert_int_equal(tlog_check_consistency((const tlog_hash *)proof, n, cps[j], r2,
			    sz, root), 0);
		}
	}
	assert_int_equal(store_checkpoint(t, log, size + 1, &note, &len, &gsz), CX_ENOTFOUND);
	if (ncp > 0) {
		assert_int_equal(store_checkpoint(t, log, 0, &note, &len, &gsz), 0);
		assert_int_equal(gsz, cps[ncp - 1]);
	}
	store_read_end(t);
	store_read_end(NULL);
	free(lh);
}

static void
test_append_read(void **state)
{
	static const size_t batches[] = { 0, 1, 1, 7, 100, 0, 513, 64, 3, 1024, 33 };
	uint64_t cps[16];
	char dir[512];
	store *s;
	uint32_t log;
	uint64_t size = 0;
	size_t i, ncp = 0;
	struct signer sg = { "test/append", 0 };
	struct problems p = { 0 };

	(void)state;
	store_dir(dir, sizeof(dir), "append");
	s = open_new(dir, 0);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		assert_int_equal(append_range(s, log, size, batches[i], &sg), 0);
		size += batches[i];
		if (ncp == 0 || cps[ncp - 1] != size)
			cps[ncp++] = size;
	}
	assert_int_equal(sg.calls, (int)(sizeof(batches) / sizeof(batches[0])));
	check_log(s, log, size, cps, ncp);
	assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), 0);
	assert_int_equal(p.n, 0);
	store_close(s);

	/* The same after reopening. */
	assert_int_equal(store_open(&s, dir, NULL), 0);
	check_log(s, log, size, cps, ncp);
	store_close(s);
}

/* Leaf hashes the caller already has are taken as given: right ones give
 * the same store as computed ones; a wrong one is caught by verify. */
static void
test_append_given_hash(void **state)
{
	struct store_leaf lv[40];
	uint8_t arena[40 * 256];
	tlog_hash hs[40];
	uint64_t cps[2] = { 40, 41 };
	char dir[512];
	store *s;
	uint32_t log;
	size_t i, off = 0;
	struct signer sg = { "test/given", 0 };
	struct problems p = { 0 };

	(void)state;
	store_dir(dir, sizeof(dir), "given");
	s = open_new(dir, 0);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	memset(lv, 0, sizeof(lv));
	for (i = 0; i < 40; i++) {
		lv[i].data = arena + off;
		lv[i].len = make_leaf(arena + off, 256, i);
		tlog_leaf_hash(hs[i], lv[i].data, lv[i].len);
		lv[i].hash = hs[i];
		off += lv[i].len;
	}
	assert_int_equal(store_append(s, log, 0, lv, 40, test_sign, &sg), 0);
	check_log(s, log, 40, cps, 1);
	assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), 0);
	/* one more leaf, with the hash of another leaf */
	off = make_leaf(arena, 256, 40);
	lv[0].data = arena;
	lv[0].len = off;
	lv[0].hash = hs[3];
	assert_int_equal(store_append(s, log, 40, lv, 1, test_sign, &sg), 0);
	assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), CX_ECORRUPT);
	assert_true(p.n > 0);
	(void)cps;
	store_close(s);
}

static void
test_stale(void **state)
{
	char dir[512];
	store *s;
	uint32_t log;
	store_txn *t;
	uint64_t size;
	struct signer sg = { "test/stale", 0 };

	(void)state;
	store_dir(dir, sizeof(dir), "stale");
	s = open_new(dir, 0);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	assert_int_equal(append_range(s, log, 0, 10, &sg), 0);
	assert_int_equal(append_range(s, log, 0, 10, &sg), CX_ESTALE);
	assert_int_equal(append_range(s, log, 11, 10, &sg), CX_ESTALE);
	assert_int_equal(append_range(s, log, 9, 10, &sg), CX_ESTALE);
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_txn_log_size(t, log, &size), 0);
	assert_int_equal(size, 10);
	store_read_end(t);
	assert_int_equal(append_range(s, log, 10, 10, &sg), 0);
	store_close(s);
}

static int
count_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)key; (void)klen; (void)val; (void)vlen;
	(*(int *)ctx)++;
	return 0;
}

/* Federation records: put, keep-existing, prefix delete, scan. */
static void
test_aux(void **state)
{
	char dir[512];
	store *s;
	store_txn *t;
	const void *v;
	size_t vl;
	int n = 0;
	struct store_aux_op ops[4] = {
		{ .key = "Wa1", .klen = 3, .val = "x", .vlen = 1 },
		{ .key = "Wa2", .klen = 3, .val = "y", .vlen = 1 },
		{ .key = "Wb1", .klen = 3, .val = "z", .vlen = 1 },
		{ .key = "R", .klen = 1, .val = "roster", .vlen = 6 },
	};
	struct store_aux_op keep = { .key = "Wa1", .klen = 3, .val = "new", .vlen = 3, .only_new = 1 };
	struct store_aux_op del = { .key = "Wa", .klen = 2, .del = 1 };
	struct store_aux_op cas_bad = { .key = "R", .klen = 1, .val = "r2", .vlen = 2, .cas = 1,
	    .old = "other", .oldlen = 5 };
	struct store_aux_op cas_ok = { .key = "R", .klen = 1, .val = "roster", .vlen = 6, .cas = 1,
	    .old = "roster", .oldlen = 6 };
	struct store_aux_op cas_absent = { .key = "R", .klen = 1, .val = "x", .vlen = 1, .cas = 1 };

	(void)state;
	store_dir(dir, sizeof(dir), "aux");
	s = open_new(dir, 0);
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_aux_get(t, "R", 1, &v, &vl), CX_ENOTFOUND);
	store_read_end(t);
	assert_int_equal(store_aux_write(s, ops, 4), 0);
	assert_int_equal(store_aux_write(s, &keep, 1), 0);
	/* compare and swap: only over the value expected */
	assert_int_equal(store_aux_write(s, &cas_bad, 1), CX_ESTALE);
	assert_int_equal(store_aux_write(s, &cas_absent, 1), CX_ESTALE);
	assert_int_equal(store_aux_write(s, &cas_ok, 1), 0);
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_aux_get(t, "Wa1", 3, &v, &vl), 0);
	assert_int_equal(vl, 1);
	assert_memory_equal(v, "x", 1);
	assert_int_equal(store_aux_scan(t, "W", 1, count_fn, &n), 0);
	assert_int_equal(n, 3);
	store_read_end(t);
	assert_int_equal(store_aux_write(s, &del, 1), 0);
	n = 0;
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_aux_scan(t, "", 0, count_fn, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_aux_get(t, "Wb1", 3, &v, &vl), 0);
	store_read_end(t);
	store_close(s);
	/* survives reopening read-only */
	{
		struct store_opts ro = { .readonly = 1 };

		assert_int_equal(store_open(&s, dir, &ro), 0);
		assert_int_equal(store_read_begin(&t, s), 0);
		assert_int_equal(store_aux_get(t, "R", 1, &v, &vl), 0);
		assert_int_equal(vl, 6);
		store_read_end(t);
		store_close(s);
	}
}

/* A log created by another process after this one opened the store is
 * readable in the next read transaction, first time. */
static void
test_log_from_other_process(void **state)
{
	char dir[512];
	store *s;
	store_txn *t;
	uint32_t id = 0, log;
	uint64_t size;
	pid_t pid;
	int st;
	struct signer sg = { "test/other", 0 };

	(void)state;
	store_dir(dir, sizeof(dir), "other");
	s = open_new(dir, 0);
	assert_int_equal(store_read_begin(&t, s), 0);   /* a reader is open meanwhile */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		store *c = NULL;

		if (store_open(&c, dir, NULL) != 0 ||
		    store_log_create(c, &log, sg.origin, "n", "v") != 0 ||
		    append_range(c, log, 0, 5, &sg) != 0)
			_exit(1);
		store_close(c);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	store_read_end(t);
	assert_int_equal(store_log_find(s, &id, sg.origin), 0);
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_txn_log_size(t, id, &size), 0);
	assert_int_equal(size, 5);
	store_read_end(t);
	store_close(s);
}

struct scan {
	int n;
	uint64_t last;
	int ordered;
	uint8_t *dump;
	size_t dlen, dcap;
	int stop_at;
};

static int
scan_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct scan *sc = ctx;
	const uint8_t *k = key;
	uint64_t idx = 0;
	int i;

	sc->n++;
	if (klen == 11) {
		for (i = 0; i < 8; i++)
			idx = idx << 8 | k[3 + i];
		if (sc->n > 1 && idx <= sc->last)
			sc->ordered = 0;
		sc->last = idx;
	}
	if (sc->dump != NULL || sc->dcap == 1) {
		size_t need = sc->dlen + klen + vlen + 2;

		if (need > sc->dcap) {
			sc->dcap = need * 2;
			sc->dump = realloc(sc->dump, sc->dcap);
			assert_non_null(sc->dump);
		}
		sc->dump[sc->dlen++] = (uint8_t)klen;
		memcpy(sc->dump + sc->dlen, key, klen);
		sc->dlen += klen;
		sc->dump[sc->dlen++] = (uint8_t)vlen;
		if (vlen)
			memcpy(sc->dump + sc->dlen, val, vlen);
		sc->dlen += vlen;
	}
	return sc->stop_at && sc->n == sc->stop_at;
}

/* The whole index as bytes. */
static void
dump_index(store *s, struct scan *sc)
{
	store_txn *t;

	memset(sc, 0, sizeof(*sc));
	sc->dcap = 1;
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_index_scan(t, NULL, 0, scan_fn, sc), 0);
	store_read_end(t);
}

static int
long_key_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out)
{
	uint8_t key[STORE_KEY_MAX + 1];
	int rc;

	(void)ctx;
	(void)log;
	(void)index;
	(void)leaf;
	(void)len;
	memset(key, 'k', sizeof(key));
	if ((rc = store_keys_add(out, key, STORE_KEY_MAX, NULL, 0)) != 0)
		return rc;
	if (store_keys_add(out, key, 0, NULL, 0) != CX_EINVAL)
		return CX_EIO;
	return store_keys_add(out, key, sizeof(key), NULL, 0);
}

static void
test_index(void **state)
{
	char dir[512], dir2[512];
	store *s, *s2;
	uint32_t log, log2;
	store_txn *t;
	struct scan sc, d1, d2;
	const void *val;
	size_t vlen, n;
	uint8_t key[11], buf[256];
	uint64_t size;
	int fail = -1, i;
	struct signer sg = { "test/index", 0 };
	struct store_stat st;

	(void)state;
	store_dir(dir, sizeof(dir), "index");
	s = open_new(dir, 0);
	store_set_indexer(s, test_indexer, &fail);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	assert_int_equal(append_range(s, log, 0, 50, &sg), 0);
	assert_int_equal(append_range(s, log, 50, 31, &sg), 0);

	assert_int_equal(store_read_begin(&t, s), 0);
	/* Prefix scan of one "subject": leaves 1, 4, 7, ... in order. */
	memset(&sc, 0, sizeof(sc));
	sc.ordered = 1;
	key[0] = 'S';
	key[1] = (uint8_t)log;
	key[2] = 1;
	assert_int_equal(store_index_scan(t, key, 3, scan_fn, &sc), 0);
	assert_int_equal(sc.n, 27);
	assert_true(sc.ordered);
	assert_int_equal(sc.last, 79);
	/* The callback stops the scan. */
	memset(&sc, 0, sizeof(sc));
	sc.stop_at = 5;
	assert_int_equal(store_index_scan(t, key, 3, scan_fn, &sc), 0);
	assert_int_equal(sc.n, 5);
	/* No match. */
	memset(&sc, 0, sizeof(sc));
	key[0] = 'Z';
	assert_int_equal(store_index_scan(t, key, 3, scan_fn, &sc), 0);
	assert_int_equal(sc.n, 0);
	/* Point lookups; the value is the first bytes of the leaf. */
	key[0] = 'S';
	key[2] = 40 % 3;
	for (i = 0; i < 8; i++)
		key[3 + i] = (uint8_t)((uint64_t)40 >> (56 - 8 * i));
	assert_int_equal(store_index_get(t, key, 11, &val, &vlen), 0);
	n = make_leaf(buf, sizeof(buf), 40);
	assert_int_equal(vlen, 8);
	assert_memory_equal(val, buf, 8);
	/* The "last" key: the later leaf of the batch won. */
	key[0] = 'L';
	assert_int_equal(store_index_get(t, key, 2, &val, &vlen), 0);
	assert_int_equal(vlen, 8);
	assert_int_equal(((const uint8_t *)val)[7], 80);
	key[0] = 'Q';
	assert_int_equal(store_index_get(t, key, 2, &val, &vlen), CX_ENOTFOUND);
	assert_int_equal(store_index_get(t, key, 0, &val, &vlen), CX_EINVAL);
	store_read_end(t);
	(void)n;

	/* A failing indexer aborts the whole batch. */
	fail = 85;
	assert_int_equal(append_range(s, log, 81, 10, &sg), CX_EFORMAT);
	assert_int_equal(store_read_begin(&t, s), 0);
	assert_int_equal(store_txn_log_size(t, log, &size), 0);
	assert_int_equal(size, 81);
	store_read_end(t);
	fail = -1;
	assert_int_equal(append_range(s, log, 81, 10, &sg), 0);

	/* Keys longer than LMDB allows are refused, and the batch with them. */
	store_set_indexer(s, long_key_indexer, NULL);
	assert_int_equal(append_range(s, log, 91, 1, &sg), CX_EINVAL);
	store_set_indexer(s, test_indexer, &fail);

	/* Reindex gives the same index... */
	dump_index(s, &d1);
	assert_true(d1.n > 0);
	assert_int_equal(store_reindex(s, NULL, NULL), 0);
	dump_index(s, &d2);
	assert_int_equal(d1.n, d2.n);
	assert_int_equal(d1.dlen, d2.dlen);
	assert_memory_equal(d1.dump, d2.dump, d1.dlen);
	free(d2.dump);
	assert_int_equal(store_stat(s, &st), 0);
	assert_true(st.index_complete);
	assert_int_equal(st.index_entries, (uint64_t)d1.n);

	/* ... as does building it later in a store written without indexer. */
	store_dir(dir2, sizeof(dir2), "index2");
	s2 = open_new(dir2, 0);
	assert_int_equal(store_log_create(s2, &log2, sg.origin, "n", "v"), 0);
	assert_int_equal(log2, log);
	assert_int_equal(append_range(s2, log2, 0, 91, &sg), 0);
	dump_index(s2, &d2);
	assert_int_equal(d2.n, 0);
	free(d2.dump);
	store_set_indexer(s2, test_indexer, NULL);
	assert_int_equal(store_reindex(s2, NULL, NULL), 0);
	dump_index(s2, &d2);
	assert_int_equal(d1.dlen, d2.dlen);
	assert_memory_equal(d1.dump, d2.dump, d1.dlen);
	free(d1.dump);
	free(d2.dump);
	store_set_indexer(s2, NULL, NULL);
	assert_int_equal(store_reindex(s2, NULL, NULL), CX_EINVAL);
	store_close(s2);
	store_close(s);
}

static int
big_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out)
{
	static uint8_t val[3000];
	uint8_t key[9];
	size_t *calls = ctx;
	int i;

	(*calls)++;
	(void)log;
	(void)leaf;
	(void)len;
	key[0] = 'B';
	for (i = 0; i < 8; i++)
		key[1 + i] = (uint8_t)(index >> (56 - 8 * i));
	memset(val, (int)(index & 0xff), sizeof(val));
	return store_keys_add(out, key, sizeof(key), val, sizeof(val));
}

static void
test_map_growth(void **state)
{
	char dir[512];
	store *s;
	store_txn *t;
	uint32_t log;
	struct store_leaf *lv;
	uint8_t *big;
	uint64_t size = 0;
	size_t i, b;
	struct signer sg = { "test/grow", 0 };
	struct store_stat st;
	struct problems p = { 0 };
	size_t indexed = 0;

	(void)state;
	store_dir(dir, sizeof(dir), "grow");
	s = open_new(dir, 1u << 20);
	assert_int_equal(store_stat(s, &st), 0);
	assert_true(st.mapsize < (2u << 20));
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);

	/* 20 MiB of leaves in batches of 2 MiB: grown ahead of each batch. */
	lv = calloc(512, sizeof(*lv));
	big = calloc(1, 4096);
	assert_non_null(lv);
	assert_non_null(big);
	for (b = 0; b < 10; b++) {
		for (i = 0; i < 512; i++) {
			lv[i].data = big;
			lv[i].len = 4096;
		}
		big[0] = (uint8_t)b;
		assert_int_equal(store_append(s, log, size, lv, 512, test_sign, &sg), 0);
		size += 512;
	}
	assert_int_equal(sg.calls, 10);
	assert_int_equal(store_stat(s, &st), 0);
	assert_true(st.mapsize >= (20u << 20));
	assert_true(st.used >= (20u << 20));

	/* An index far larger than the estimate: MAP_FULL, grow, retry. */
	store_set_indexer(s, big_indexer, &indexed);
	sg.calls = 0;
	{
		struct store_leaf *many;
		size_t nmany;

		/* More 3000-byte index values than the free space holds. */
		assert_int_equal(store_stat(s, &st), 0);
		nmany = (size_t)((st.mapsize - st.used) / 3000) + 4000;
		many = calloc(nmany, sizeof(*many));
		assert_non_null(many);
		for (i = 0; i < nmany; i++) {
			many[i].data = big;
			many[i].len = 16;
		}
		assert_int_equal(store_append(s, log, size, many, nmany, test_sign, &sg), 0);
		size += nmany;
		/* The batch ran again after growing: every leaf indexed twice or more. */
		assert_true(indexed >= 2 * nmany);
		assert_int_equal(sg.calls, 1);

		/* No growth while a read transaction is open. */
		assert_int_equal(store_read_begin(&t, s), 0);
		assert_int_equal(store_stat(s, &st), 0);
		for (i = 0; i < 4000; i++)
			many[i].len = 0;
		{
			int rc = 0;

			for (i = 0; i < 40 && rc == 0; i++) {
				rc = store_append(s, log, size, many, 4000, test_sign, &sg);
				if (rc == 0)
					size += 4000;
			}
			assert_int_equal(rc, CX_EMAPFULL);
		}
		store_read_end(t);
		assert_int_equal(store_append(s, log, size, many, 4000, test_sign, &sg), 0);
		size += 4000;
		free(many);
	}
	store_set_indexer(s, NULL, NULL);
	assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(store_read_begin(&t, s), 0);
	{
		uint64_t have;

		assert_int_equal(store_txn_log_size(t, log, &have), 0);
		assert_int_equal(have, size);
	}
	store_read_end(t);
	free(big);
	free(lv);
	store_close(s);
}

/* Flip one byte of the value of key in database name, behind the store. */
static void
raw_flip(const char *dir, const char *name, uint64_t key, size_t at)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t kb[8], *copy;
	MDB_val k = { 8, kb }, v;
	int i;

	for (i = 0; i < 8; i++)
		kb[i] = (uint8_t)(key >> (56 - 8 * i));
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, 1u << 30), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_true(at < v.mv_size);
	copy = malloc(v.mv_size);
	assert_non_null(copy);
	memcpy(copy, v.mv_data, v.mv_size);
	copy[at] ^= 0x20;
	v.mv_data = copy;
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	free(copy);
	mdb_env_close(env);
}

/* A store of 300 leaves in batches of 100, verified after a raw flip. */
static void
verify_after_flip(const char *name, const char *db, uint64_t key, size_t at, int want_rc,
    const char *want)
{
	char dir[512], dbname[16];
	store *s;
	uint32_t log;
	struct signer sg = { "test/verify", 0 };
	struct problems p = { 0 };
	int b;

	store_dir(dir, sizeof(dir), name);
	s = open_new(dir, 0);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	for (b = 0; b < 3; b++)
		assert_int_equal(append_range(s, log, (uint64_t)b * 100, 100, &sg), 0);
	store_close(s);
	if (db != NULL) {
		snprintf(dbname, sizeof(dbname), "%s/%u", db, log);
		raw_flip(dir, dbname, key, at);
	}
	assert_int_equal(store_open(&s, dir, NULL), 0);
	assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), want_rc);
	if (want == NULL)
		assert_int_equal(p.n, 0);
	else {
		if (strstr(p.all, want) == NULL)
			fail_msg("expected \"%s\" among problems:\n%s", want, p.all);
	}
	store_close(s);
}

/* Flip one byte through raw LMDB (no sync: the test reads it back at
 * once); flip_raw(..., x) twice restores the value. */
static void
flip_raw(const char *dir, const char *name, uint64_t key, size_t at, size_t *len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t kb[8], *copy;
	MDB_val k = { 8, kb }, v;
	int i;

	for (i = 0; i < 8; i++)
		kb[i] = (uint8_t)(key >> (56 - 8 * i));
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 64), 0);
	assert_int_equal(mdb_env_set_mapsize(env, 1u << 30), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOSYNC, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	*len = v.mv_size;
	if (at < v.mv_size) {
		copy = malloc(v.mv_size);
		assert_non_null(copy);
		memcpy(copy, v.mv_data, v.mv_size);
		copy[at] ^= 0x01;
		v.mv_data = copy;
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
		free(copy);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/*
 * One flipped bit anywhere: in every byte of every stored tree hash and of
 * the first, a middle and the last leaf of a 13-leaf log (checkpoints at 8
 * and 13), verify reports a problem; with the bit flipped back it is clean.
 */
static void
test_verify_every_byte(void **state)
{
	static const uint64_t leaves[] = { 0, 6, 12 };
	char dir[512], hname[16], lname[16];
	store *s;
	uint32_t log;
	struct signer sg = { "test/every", 0 };
	size_t at, len, i, flips = 0;
	uint64_t key;

	(void)state;
	store_dir(dir, sizeof(dir), "every");
	s = open_new(dir, 0);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	assert_int_equal(append_range(s, log, 0, 8, &sg), 0);
	assert_int_equal(append_range(s, log, 8, 5, &sg), 0);
	store_close(s);
	snprintf(hname, sizeof(hname), "h/%u", log);
	snprintf(lname, sizeof(lname), "l/%u", log);
	for (i = 0; i < 2; i++) {
		const char *db = i == 0 ? hname : lname;
		size_t nkeys = i == 0 ? (size_t)tlog_stored_count(13) : 3;
		size_t j;

		for (j = 0; j < nkeys; j++) {
			key = i == 0 ? j : leaves[j];
			for (at = 0, len = 1; at < len; at++) {
				struct problems p = { 0 };

				flip_raw(dir, db, key, at, &len);
				assert_int_equal(store_open(&s, dir, NULL), 0);
				if (store_verify(s, log, test_check, test_problem, NULL, &p) != CX_ECORRUPT)
					fail_msg("%s key %llu byte %zu: flip not reported", db,
					    (unsigned long long)key, at);
				store_close(s);
				flip_raw(dir, db, key, at, &len);
				flips++;
			}
		}
	}
	assert_true(flips > 23 * 32);
	{
		struct problems p = { 0 };

		assert_int_equal(store_open(&s, dir, NULL), 0);
		assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), 0);
		store_close(s);
	}
}

static void
test_verify_intact(void **state)
{
	(void)state;
	verify_after_flip("v-intact", NULL, 0, 0, 0, NULL);
}

static void
test_verify_leaf(void **state)
{
	(void)state;
	verify_after_flip("v-leaf", "l", 137, 5, CX_ECORRUPT,
	    "leaf 137: bytes do not match stored leaf hash");
}

static void
test_verify_leaf_hash(void **state)
{
	char want[128];

	(void)state;
	/* The stored hash of leaf 137 (and its parent is then wrong too). */
	snprintf(want, sizeof(want), "leaf 137: bytes do not match stored leaf hash");
	verify_after_flip("v-lhash", "h", tlog_stored_index(0, 137), 0, CX_ECORRUPT, want);
}

static void
test_verify_node_hash(void **state)
{
	char want[128];

	(void)state;
	/* A level-3 parent (leaves 136..143). */
	snprintf(want, sizeof(want), "stored hash %llu (level 3, subtree 17): does not match its "
	    "children", (unsigned long long)tlog_stored_index(3, 17));
	verify_after_flip("v-nhash", "h", tlog_stored_index(3, 17), 31, CX_ECORRUPT, want);
}

static void
test_verify_last_hash(void **state)
{
	(void)state;
	/* The very last stored hash: only the root shows it. */
	verify_after_flip("v-last", "h", tlog_stored_count(300) - 1, 7, CX_ECORRUPT,
	    "checkpoint 300: root differs");
}

static void
test_verify_checkpoint(void **state)
{
	(void)state;
	/* One byte of the root line of checkpoint 200 (after "test/verify\n200\n"). */
	verify_after_flip("v-cp", "c", 200, 18, CX_ECORRUPT, "checkpoint 200: does not verify");
}

/* ---- crash safety ------------------------------------------------------- */

#define CRASH_BATCH 250

static void
crash_child(const char *dir)
{
	store *s = NULL;
	uint32_t log;
	struct signer sg = { "test/crash", 0 };
	store_txn *t;
	uint64_t size;

	if (store_open(&s, dir, NULL) != 0 || store_log_find(s, &log, sg.origin) != 0)
		_exit(3);
	store_set_indexer(s, test_indexer, NULL);
	for (;;) {
		if (store_read_begin(&t, s) != 0 || store_txn_log_size(t, log, &size) != 0)
			_exit(4);
		store_read_end(t);
		if (append_range(s, log, size, CRASH_BATCH, &sg) != 0)
			_exit(5);
	}
}

static void
test_crash(void **state)
{
	char dir[512];
	store *s;
	uint32_t log;
	struct signer sg = { "test/crash", 0 };
	struct problems p;
	struct store_log *logs;
	size_t n;
	uint64_t last = 0;
	int round, status, grew = 0;
	const char *vg = getenv("CXNODE_VALGRIND");

	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	store_dir(dir, sizeof(dir), "crash");
	s = open_new(dir, 0);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	store_close(s);
	for (round = 0; round < 6; round++) {
		pid_t pid;
		struct timespec ts;
		long ms = 30 + rand() % 170;

		if (vg != NULL && *vg == '1')
			ms *= 10;
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			crash_child(dir);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		/* It was killed, not failed. */
		assert_true(WIFSIGNALED(status));

		assert_int_equal(store_open(&s, dir, NULL), 0);
		memset(&p, 0, sizeof(p));
		assert_int_equal(store_verify(s, log, test_check, test_problem, NULL, &p), 0);
		assert_int_equal(p.n, 0);
		assert_int_equal(store_log_list(s, &logs, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(logs[0].size % CRASH_BATCH, 0);
		assert_true(logs[0].size >= last);
		if (logs[0].size > 0) {
			assert_true(logs[0].has_checkpoint);
			assert_int_equal(logs[0].checkpoint_size, logs[0].size);
		}
		grew += logs[0].size > last;
		last = logs[0].size;
		store_log_list_free(logs, n);
		/* The store still takes writes where the child left off. */
		assert_int_equal(append_range(s, log, last, CRASH_BATCH, &sg), 0);
		last += CRASH_BATCH;
		store_close(s);
	}
	assert_true(grew > 0);
}

/* ---- benchmark (STORE_BENCH=1) ------------------------------------------ */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Raw LMDB: the same bytes, MDB_APPEND, same transaction size. */
static double
bench_raw(const char *name, uint8_t *arena, uint64_t total, uint64_t batch, uint64_t len)
{
	char rdir[512];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	uint64_t b, i;
	double t0;

	store_dir(rdir, sizeof(rdir), name);
	assert_int_equal(mkdir(rdir, 0700), 0);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
	assert_int_equal(mdb_env_set_mapsize(env, (size_t)256 << 20), 0);
	assert_int_equal(mdb_env_open(env, rdir, MDB_NOTLS, 0600), 0);
	t0 = now_s();
	for (b = 0; b < total; b += batch) {
		int rc;

		assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
		assert_int_equal(mdb_dbi_open(txn, "l", MDB_CREATE, &dbi), 0);
		assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
		for (i = 0, rc = 0; i < batch && rc == 0; i++) {
			uint64_t k = b + i;
			uint8_t kb[8];
			MDB_val key = { 8, kb }, val = { len, arena + i * len };
			int j;

			memset(arena + i * len, (int)(k & 0xff), len);
			memcpy(arena + i * len, &k, 8);
			for (j = 0; j < 8; j++)
				kb[j] = (uint8_t)(k >> (56 - 8 * j));
			rc = mdb_cursor_put(cur, &key, &val, MDB_APPEND);
		}
		if (rc == MDB_MAP_FULL) {
			/* Grow as the store does (doubling), and redo the batch. */
			MDB_envinfo info;

			mdb_txn_abort(txn);
			assert_int_equal(mdb_env_info(env, &info), 0);
			assert_int_equal(mdb_env_set_mapsize(env, info.me_mapsize * 2), 0);
			b -= batch;
			continue;
		}
		assert_int_equal(rc, 0);
		mdb_cursor_close(cur);
		assert_int_equal(mdb_txn_commit(txn), 0);
	}
	t0 = now_s() - t0;
	mdb_env_close(env);
	return t0;
}

/* The store: leaves, stored hashes, one checkpoint per batch. */
static double
bench_store(const char *name, uint8_t *arena, struct store_leaf *lv, uint64_t total,
    uint64_t batch, uint64_t len, store_indexer ix)
{
	char dir[512];
	store *s;
	uint32_t log;
	uint64_t i, b;
	struct signer sg = { "bench/log", 0 };
	double t0;

	store_dir(dir, sizeof(dir), name);
	s = open_new(dir, 0);
	store_set_indexer(s, ix, NULL);
	assert_int_equal(store_log_create(s, &log, sg.origin, "n", "v"), 0);
	t0 = now_s();
	for (b = 0; b < total; b += batch) {
		for (i = 0; i < batch; i++) {
			uint64_t k = b + i;

			memset(arena + i * len, (int)(k & 0xff), len);
			memcpy(arena + i * len, &k, 8);
			lv[i].data = arena + i * len;
			lv[i].len = len;
		}
		assert_int_equal(store_append(s, log, b, lv, batch, test_sign, &sg), 0);
	}
	t0 = now_s() - t0;
	store_close(s);
	return t0;
}

static void
test_bench(void **state)
{
	const uint64_t total = 1000000, batch = 50000, len = 400;
	const char *on = getenv("STORE_BENCH");
	struct store_leaf *lv;
	uint8_t *arena;
	double raw1, st, sti, raw2;

	(void)state;
	if (on == NULL || strcmp(on, "1") != 0)
		skip();
	lv = calloc(batch, sizeof(*lv));
	arena = malloc(batch * len);
	assert_non_null(lv);
	assert_non_null(arena);
	/* Raw before and after, as the machine's disk and load drift. */
	raw1 = bench_raw("bench-raw1", arena, total, batch, len);
	st = bench_store("bench", arena, lv, total, batch, len, NULL);
	sti = bench_store("bench-idx", arena, lv, total, batch, len, test_indexer);
	raw2 = bench_raw("bench-raw2", arena, total, batch, len);

	fprintf(stderr, "# bench: %llu leaves of %llu bytes, batches of %llu\n",
	    (unsigned long long)total, (unsigned long long)len, (unsigned long long)batch);
	fprintf(stderr, "# bench: raw MDB_APPEND (before) %9.0f puts/s   (%.2f s)\n",
	    total / raw1, raw1);
	fprintf(stderr, "# bench: store_append            %9.0f leaves/s (%.2f s)\n",
	    total / st, st);
	fprintf(stderr, "# bench: store_append + index    %9.0f leaves/s (%.2f s)\n",
	    total / sti, sti);
	fprintf(stderr, "# bench: raw MDB_APPEND (after)  %9.0f puts/s   (%.2f s)\n",
	    total / raw2, raw2);
	fprintf(stderr, "# bench: store / raw             %9.2f\n", (raw1 + raw2) / 2 / st);
	free(lv);
	free(arena);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vec_hashes),
		cmocka_unit_test(test_vec_inclusion),
		cmocka_unit_test(test_vec_consistency),
		cmocka_unit_test(test_stored_layout),
		cmocka_unit_test(test_exhaustive),
		cmocka_unit_test(test_checkpoint_text),
		cmocka_unit_test(test_open_create),
		cmocka_unit_test(test_schema_refusal),
		cmocka_unit_test(test_logs),
		cmocka_unit_test(test_append_read),
		cmocka_unit_test(test_append_given_hash),
		cmocka_unit_test(test_verify_every_byte),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_aux),
		cmocka_unit_test(test_log_from_other_process),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_map_growth),
		cmocka_unit_test(test_verify_intact),
		cmocka_unit_test(test_verify_leaf),
		cmocka_unit_test(test_verify_leaf_hash),
		cmocka_unit_test(test_verify_node_hash),
		cmocka_unit_test(test_verify_last_hash),
		cmocka_unit_test(test_verify_checkpoint),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_bench),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
