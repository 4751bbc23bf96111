/*
 * store.c — the LMDB store: logs, stored tree hashes, checkpoints, indexes.
 *
 * Design
 *
 *   One environment, opened MDB_NOTLS so that a thread may hold several read
 *   transactions and hand them to others. Named databases (see store.h and
 *   docs/storage.md): meta, logs, index, and per log l/<id>, h/<id>, c/<id>.
 *   All integer keys are big-endian, so LMDB's byte order is numeric order
 *   and appends are MDB_APPEND at the right edge of the B-tree.
 *
 *   Appending a batch (store_append) is one write transaction:
 *
 *     size  <- last key of l/<id> + 1        (CX_ESTALE unless expected)
 *     edge  <- tlog_frontier_load(size)      (popcount(size) reads, once)
 *     for each leaf:  l/<id> += leaf         (cursor, MDB_APPEND)
 *                     h/<id> += leaf hash, completed parents  (MDB_APPEND)
 *                     indexer(leaf) -> keys  (collected in memory)
 *     sort keys; index += keys in key order  (one cursor, nearly sequential)
 *     c/<id>[size + n] <- sign(size + n, root of edge)
 *     commit
 *
 *   The right edge lives in memory for the whole batch, so each leaf costs
 *   one leaf hash, on average one node hash, and about three sequential
 *   puts. Nothing of a batch is visible before the commit and everything is
 *   after it: a crash leaves whole batches only (LMDB's copy-on-write B-tree
 *   with its two meta pages).
 *
 *   Map growth. LMDB fails a write with MDB_MAP_FULL when the map is full.
 *   store_write runs a transaction body, and on MDB_MAP_FULL (from a put or
 *   from the commit) aborts, doubles the map and runs the body again from
 *   the start; before each attempt it also grows the map when the estimated
 *   size of the batch exceeds the free space. LMDB allows resizing only when
 *   no transaction of this process is active: the store counts its open
 *   read transactions and refuses to grow (CX_EMAPFULL) while any is open;
 *   writers are serialised by wmu. When another process has grown the map,
 *   mdb_txn_begin says MDB_MAP_RESIZED and the new size is adopted.
 *
 *   DBI handles. Per-log handles are opened once (at store_open for existing
 *   logs, in store_log_create for new ones) and cached in a sorted array;
 *   a log created by another process after store_open is opened on first
 *   use in a short transaction of its own. dbimu serialises every
 *   mdb_dbi_open, as LMDB requires.
 *
 * Locks: wmu (one writer in this process) is taken before dbimu; mu (reader
 * count, handle cache) is innermost and held only briefly.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "store/store.h"
#include "util/err.h"

#define STORE_MAXDBS   4096
/* The map is address space, not disk (the file grows with the data), and
 * growing it needs every read transaction of the process closed: start
 * large so that a serving node rarely has to. */
#define STORE_MAP_INIT ((size_t)16 << 30)
#define STORE_MAP_MAX  ((uint64_t)1 << 42)      /* 4 TiB */
#define STORE_PROGRESS 65536

struct store_dbis {
	uint32_t id;
	MDB_dbi l, h, c;
};

struct store {
	MDB_env *env;
	MDB_dbi meta, logs, index;
	int readonly;
	store_indexer indexer;
	void *ictx;
	pthread_mutex_t mu;       /* readers, dbis */
	pthread_mutex_t wmu;      /* one writer of this process at a time */
	pthread_mutex_t dbimu;    /* one mdb_dbi_open user at a time */
	unsigned readers;
	size_t seen_txnid;        /* last transaction whose logs are all opened */
	MDB_dbi fed;              /* federation records (store_aux_*) */
	int has_fed;
	struct store_dbis *dbis;  /* sorted by id */
	size_t ndbis, capdbis;
};

struct store_txn {
	store *s;
	MDB_txn *txn;
};

struct store_kent {
	size_t off;               /* key then value, in buf */
	uint32_t klen, vlen;
	size_t seq;               /* insertion order, for equal keys */
};

struct store_keys {
	uint8_t *buf;
	size_t len, cap;
	struct store_kent *e;
	size_t n, ecap;
};

/* ---- small helpers ------------------------------------------------------ */

static void
store_put64(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
store_get64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void
store_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t
store_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Map an LMDB (or errno) code to a CX_E* code, with LMDB's words. */
static int
store_mdberr(int rc, const char *what)
{
	int code;

	switch (rc) {
	case MDB_NOTFOUND:
	case ENOENT:
		code = CX_ENOTFOUND;
		break;
	case MDB_MAP_FULL:
		code = CX_EMAPFULL;
		break;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_KEYEXIST:
		code = CX_ECORRUPT;
		break;
	case MDB_VERSION_MISMATCH:
	case MDB_INVALID:
		code = CX_ESCHEMA;
		break;
	case MDB_READERS_FULL:
	case MDB_MAP_RESIZED:
	case EBUSY:
	case EAGAIN:
		code = CX_EBUSY;
		break;
	case ENOMEM:
		code = CX_ENOMEM;
		break;
	case EACCES:
	case EPERM:
	case EROFS:
		code = CX_EPERM;
		break;
	default:
		code = CX_EIO;
		break;
	}
	return cx_seterr(code, "store: %s: %s", what, mdb_strerror(rc));
}

/* ---- index keys --------------------------------------------------------- */

static void
store_keys_reset(struct store_keys *ks)
{
	ks->len = 0;
	ks->n = 0;
}

static void
store_keys_clear(struct store_keys *ks)
{
	free(ks->buf);
	free(ks->e);
	memset(ks, 0, sizeof(*ks));
}

int
store_keys_add(struct store_keys *ks, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct store_kent *e;

	if (ks == NULL || key == NULL || klen == 0 || klen > STORE_KEY_MAX ||
	    (vlen > 0 && val == NULL) || vlen > UINT32_MAX / 2)
		return cx_seterr(CX_EINVAL, "store: index key of %zu bytes (1..%d) or bad value",
		    klen, STORE_KEY_MAX);
	if (ks->len + klen + vlen > ks->cap) {
		size_t cap = ks->cap ? ks->cap : 65536;
		uint8_t *b;

		while (cap < ks->len + klen + vlen)
			cap *= 2;
		if ((b = realloc(ks->buf, cap)) == NULL)
			return cx_seterr(CX_ENOMEM, "store: index keys");
		ks->buf = b;
		ks->cap = cap;
	}
	if (ks->n == ks->ecap) {
		size_t cap = ks->ecap ? ks->ecap * 2 : 1024;

		if ((e = realloc(ks->e, cap * sizeof(*e))) == NULL)
			return cx_seterr(CX_ENOMEM, "store: index keys");
		ks->e = e;
		ks->ecap = cap;
	}
	e = &ks->e[ks->n];
	e->off = ks->len;
	e->klen = (uint32_t)klen;
	e->vlen = (uint32_t)vlen;
	e->seq = ks->n++;
	memcpy(ks->buf + ks->len, key, klen);
	if (vlen > 0)
		memcpy(ks->buf + ks->len + klen, val, vlen);
	ks->len += klen + vlen;
	return 0;
}

/* LMDB's default key order (bytes, then length), then insertion order. */
static int
store_keys_cmp(const void *a, const void *b, void *arg)
{
	const struct store_kent *x = a, *y = b;
	const uint8_t *buf = arg;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(buf + x->off, buf + y->off, n);

	if (c != 0)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort ks and write it into the index database with one cursor. */
static int
store_keys_write(store *s, MDB_txn *txn, struct store_keys *ks)
{
	MDB_cursor *cur = NULL;
	size_t i;
	int rc;

	if (ks->n == 0)
		return 0;
	qsort_r(ks->e, ks->n, sizeof(*ks->e), store_keys_cmp, ks->buf);
	if ((rc = mdb_cursor_open(txn, s->index, &cur)) != 0)
		return store_mdberr(rc, "index cursor");
	for (i = 0; i < ks->n; i++) {
		const struct store_kent *e = &ks->e[i];
		MDB_val k = { e->klen, ks->buf + e->off };
		MDB_val v = { e->vlen, ks->buf + e->off + e->klen };

		if ((rc = mdb_cursor_put(cur, &k, &v, 0)) != 0) {
			rc = store_mdberr(rc, "index put");
			break;
		}
	}
	mdb_cursor_close(cur);
	return rc;
}

/* ---- readers and map growth --------------------------------------------- */

/* Begin a transaction, adopting a map grown by another process. For a read
 * transaction the reader count goes up. */
static int
store_txn_begin(store *s, int rdonly, MDB_txn **txn)
{
	int rc;

	for (;;) {
		if (rdonly)
			pthread_mutex_lock(&s->mu);
		rc = mdb_txn_begin(s->env, NULL, rdonly ? MDB_RDONLY : 0, txn);
		if (rc == 0) {
			if (rdonly) {
				s->readers++;
				pthread_mutex_unlock(&s->mu);
			}
			return 0;
		}
		if (!rdonly)
			pthread_mutex_lock(&s->mu);
		if (rc != MDB_MAP_RESIZED || s->readers > 0) {
			pthread_mutex_unlock(&s->mu);
			if (rc == MDB_MAP_RESIZED)
				return cx_seterr(CX_EBUSY, "store: the map was grown by another "
				    "process; end the open read transactions and retry");
			return store_mdberr(rc, "begin transaction");
		}
		rc = mdb_env_set_mapsize(s->env, 0);
		pthread_mutex_unlock(&s->mu);
		if (rc != 0)
			return store_mdberr(rc, "adopt map size");
	}
}

static void
store_rd_end(store *s, MDB_txn *txn)
{
	if (txn == NULL)
		return;
	mdb_txn_abort(txn);
	pthread_mutex_lock(&s->mu);
	s->readers--;
	pthread_mutex_unlock(&s->mu);
}

/* Bytes in use and bytes mapped. */
static int
store_usage(store *s, uint64_t *used, uint64_t *mapsize, uint64_t *psize)
{
	MDB_envinfo info;
	MDB_stat st;
	int rc;

	if ((rc = mdb_env_info(s->env, &info)) != 0 || (rc = mdb_env_stat(s->env, &st)) != 0)
		return store_mdberr(rc, "environment info");
	*used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	*mapsize = info.me_mapsize;
	if (psize)
		*psize = st.ms_psize;
	return 0;
}

/* Grow the map to at least double, and to at least need free bytes. */
static int
store_grow(store *s, uint64_t need)
{
	uint64_t used, size, next;
	int rc;

	if ((rc = store_usage(s, &used, &size, NULL)) != 0)
		return rc;
	next = size * 2;
	while (next < used + need && next <= STORE_MAP_MAX)
		next *= 2;
	if (next > STORE_MAP_MAX)
		return cx_seterr(CX_EMAPFULL, "store: map of %llu bytes cannot grow further",
		    (unsigned long long)size);
	pthread_mutex_lock(&s->mu);
	if (s->readers > 0) {
		unsigned n = s->readers;

		pthread_mutex_unlock(&s->mu);
		return cx_seterr(CX_EMAPFULL, "store: the map (%llu bytes) is full and cannot "
		    "grow while %u read transaction(s) are open", (unsigned long long)size, n);
	}
	rc = mdb_env_set_mapsize(s->env, (size_t)next);
	pthread_mutex_unlock(&s->mu);
	if (rc != 0)
		return store_mdberr(rc, "grow map");
	return 0;
}

typedef int (*store_body)(store *s, MDB_txn *txn, void *arg);

/*
 * Run body in a write transaction and commit; on MDB_MAP_FULL grow the map
 * and run it again from the start. need: estimated bytes the body writes
 * (the map is grown beforehand when the free space is short). The caller
 * holds wmu.
 */
static int
store_write(store *s, store_body body, void *arg, uint64_t need)
{
	MDB_txn *txn;
	uint64_t used, size;
	int rc;

	if (s->readonly)
		return cx_seterr(CX_EPERM, "store: opened read-only");
	for (;;) {
		if (need > 0 && store_usage(s, &used, &size, NULL) == 0 && size - used < need)
			(void)store_grow(s, need);  /* if it cannot, MAP_FULL will say so */
		if ((rc = store_txn_begin(s, 0, &txn)) != 0)
			return rc;
		rc = body(s, txn, arg);
		if (rc == 0) {
			rc = mdb_txn_commit(txn);
			if (rc == 0)
				return 0;
			rc = store_mdberr(rc, "commit");
		} else
			mdb_txn_abort(txn);
		if (rc != CX_EMAPFULL)
			return rc;
		if ((rc = store_grow(s, need)) != 0)
			return rc;
	}
}

/* ---- DBI handles -------------------------------------------------------- */

static int
store_dbi_name(char *buf, size_t cap, char kind, uint32_t id)
{
	return snprintf(buf, cap, "%c/%u", kind, id);
}

/* Open l/<id>, h/<id>, c/<id> in txn (created if create). */
static int
store_dbis_open(MDB_txn *txn, uint32_t id, int create, struct store_dbis *d)
{
	static const char kinds[3] = { 'l', 'h', 'c' };
	MDB_dbi *slot[3] = { &d->l, &d->h, &d->c };
	char name[16];
	int i, rc;

	d->id = id;
	for (i = 0; i < 3; i++) {
		store_dbi_name(name, sizeof(name), kinds[i], id);
		if ((rc = mdb_dbi_open(txn, name, create ? MDB_CREATE : 0, slot[i])) != 0) {
			if (rc == MDB_NOTFOUND)
				return cx_seterr(CX_ECORRUPT, "store: database %s of a registered "
				    "log is missing", name);
			return store_mdberr(rc, name);
		}
	}
	return 0;
}

/* Add d to the cache (ids arrive mostly in increasing order). */
static int
store_dbis_add(store *s, const struct store_dbis *d)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (i = s->ndbis; i > 0 && s->dbis[i - 1].id > d->id; i--)
		;
	if (i > 0 && s->dbis[i - 1].id == d->id) {
		s->dbis[i - 1] = *d;
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	if (s->ndbis == s->capdbis) {
		size_t cap = s->capdbis ? s->capdbis * 2 : 16;
		struct store_dbis *n = realloc(s->dbis, cap * sizeof(*n));

		if (n == NULL) {
			pthread_mutex_unlock(&s->mu);
			return cx_seterr(CX_ENOMEM, "store: log handles");
		}
		s->dbis = n;
		s->capdbis = cap;
	}
	memmove(&s->dbis[i + 1], &s->dbis[i], (s->ndbis - i) * sizeof(*s->dbis));
	s->dbis[i] = *d;
	s->ndbis++;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static int
store_dbis_lookup(store *s, uint32_t id, struct store_dbis *d)
{
	size_t lo = 0, hi;
	int found = 0;

	pthread_mutex_lock(&s->mu);
	hi = s->ndbis;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->dbis[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->ndbis && s->dbis[lo].id == id) {
		*d = s->dbis[lo];
		found = 1;
	}
	pthread_mutex_unlock(&s->mu);
	return found;
}

/* The handles of log id: cached, or opened now if another process created
 * the log after store_open. */
static int
store_dbis_get(store *s, uint32_t id, struct store_dbis *d)
{
	MDB_txn *txn = NULL;
	uint8_t kb[4];
	MDB_val k = { 4, kb }, v;
	int rc;

	if (store_dbis_lookup(s, id, d))
		return 0;
	pthread_mutex_lock(&s->dbimu);
	if (store_dbis_lookup(s, id, d)) {
		pthread_mutex_unlock(&s->dbimu);
		return 0;
	}
	if ((rc = store_txn_begin(s, 1, &txn)) != 0)
		goto out;
	store_put32(kb, id);
	if ((rc = mdb_get(txn, s->logs, &k, &v)) != 0) {
		rc = rc == MDB_NOTFOUND ? cx_seterr(CX_ENOTFOUND, "store: no log %u", id) :
		    store_mdberr(rc, "log registry");
		goto out;
	}
	if ((rc = store_dbis_open(txn, id, 0, d)) != 0)
		goto out;
	/* Committing a read transaction keeps the handles it opened. */
	rc = mdb_txn_commit(txn);
	pthread_mutex_lock(&s->mu);
	s->readers--;
	pthread_mutex_unlock(&s->mu);
	txn = NULL;
	if (rc != 0) {
		rc = store_mdberr(rc, "open log databases");
		goto out;
	}
	rc = store_dbis_add(s, d);
out:
	store_rd_end(s, txn);
	pthread_mutex_unlock(&s->dbimu);
	return rc;
}

/* Open and cache the handles of every registered log not cached yet, in
 * txn (a registry key that is not 4 bytes is corruption). */
static int
store_dbis_open_all(store *s, MDB_txn *txn)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, s->logs, &cur)) != 0)
		return store_mdberr(rc, "log registry");
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct store_dbis d;

		if (k.mv_size != 4) {
			rc = cx_seterr(CX_ECORRUPT, "store: malformed log registry key");
			break;
		}
		if (store_dbis_lookup(s, store_get32(k.mv_data), &d))
			continue;
		if ((rc = store_dbis_open(txn, store_get32(k.mv_data), 0, &d)) != 0 ||
		    (rc = store_dbis_add(s, &d)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc < 0 ? rc : store_mdberr(rc, "log registry");
}

/*
 * Open the handles of every log registered since the last look, so that a
 * read transaction begun afterwards can use them: LMDB refuses, inside a
 * transaction, a handle opened after that transaction began. Cheap when
 * nothing was committed since (one mdb_env_info).
 */
static int
store_dbis_refresh(store *s)
{
	MDB_envinfo info;
	MDB_txn *txn = NULL;
	size_t seen;
	int rc;

	if (mdb_env_info(s->env, &info) != 0)
		return 0;
	pthread_mutex_lock(&s->mu);
	seen = s->seen_txnid;
	pthread_mutex_unlock(&s->mu);
	if (info.me_last_txnid == seen)
		return 0;
	pthread_mutex_lock(&s->dbimu);
	if ((rc = store_txn_begin(s, 1, &txn)) != 0)
		goto out;
	if ((rc = store_dbis_open_all(s, txn)) != 0)
		goto out;
	rc = mdb_txn_commit(txn);
	pthread_mutex_lock(&s->mu);
	s->readers--;
	if (rc == 0)
		s->seen_txnid = info.me_last_txnid;
	pthread_mutex_unlock(&s->mu);
	txn = NULL;
	rc = rc == 0 ? 0 : store_mdberr(rc, "open log databases");
out:
	store_rd_end(s, txn);
	pthread_mutex_unlock(&s->dbimu);
	return rc;
}

/* The handles of log inside read transaction t: only those opened before t
 * began are usable in it (store_read_begin refreshes them first). */
static int
store_dbis_txn(store_txn *t, uint32_t log, struct store_dbis *d)
{
	if (store_dbis_lookup(t->s, log, d))
		return 0;
	return cx_seterr(CX_ENOTFOUND, "store: no log %u in this snapshot", log);
}

/* ---- reading primitives over any transaction ---------------------------- */

/* Size of a log: one more than its last leaf index. */
static int
store_size_of(MDB_txn *txn, MDB_dbi l, uint64_t *size)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*size = 0;
	if ((rc = mdb_cursor_open(txn, l, &cur)) != 0)
		return store_mdberr(rc, "leaf cursor");
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_mdberr(rc, "last leaf");
	if (k.mv_size != 8)
		return cx_seterr(CX_ECORRUPT, "store: leaf key of %zu bytes", k.mv_size);
	*size = store_get64(k.mv_data) + 1;
	return 0;
}

struct store_rd {
	MDB_txn *txn;
	MDB_dbi h;
};

/* tlog_reader over h/<id>. */
static int
store_read_hashes(void *ctx, const uint64_t *idx, size_t n, tlog_hash *out)
{
	struct store_rd *r = ctx;
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		store_put64(kb, idx[i]);
		if ((rc = mdb_get(r->txn, r->h, &k, &v)) != 0) {
			if (rc == MDB_NOTFOUND)
				return cx_seterr(CX_ECORRUPT, "store: stored hash %llu is missing",
				    (unsigned long long)idx[i]);
			return store_mdberr(rc, "stored hash");
		}
		if (v.mv_size != TLOG_HASH_LEN)
			return cx_seterr(CX_ECORRUPT, "store: stored hash %llu has %zu bytes",
			    (unsigned long long)idx[i], v.mv_size);
		memcpy(out[i], v.mv_data, TLOG_HASH_LEN);
	}
	return 0;
}

/* Registry value: origin NUL issuer NUL verifier NUL. */
static int
store_reg_parse(const MDB_val *v, const char **f)
{
	const char *p = v->mv_data, *end = p + v->mv_size;
	int i;

	for (i = 0; i < 3; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));

		if (z == NULL)
			return cx_seterr(CX_ECORRUPT, "store: malformed log registry entry");
		f[i] = p;
		p = z + 1;
	}
	return 0;
}

/* ---- open and close ----------------------------------------------------- */

static int
store_open_dbs(store *s, int create)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k = { 6, "schema" }, v;
	unsigned dbflags = s->readonly ? 0 : MDB_CREATE;
	uint8_t vb[4];
	int rc;

	if ((rc = store_txn_begin(s, s->readonly, &txn)) != 0)
		return rc;
	rc = mdb_dbi_open(txn, "meta", create && !s->readonly ? MDB_CREATE : 0, &s->meta);
	if (rc == MDB_NOTFOUND) {
		rc = cx_seterr(CX_ESCHEMA, "store: not a cxnode store (no schema)");
		goto out;
	}
	if (rc != 0) {
		rc = store_mdberr(rc, "meta");
		goto out;
	}
	rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND && create && !s->readonly) {
		store_put32(vb, STORE_SCHEMA);
		v.mv_size = 4;
		v.mv_data = vb;
		rc = mdb_put(txn, s->meta, &k, &v, 0);
	}
	if (rc == MDB_NOTFOUND) {
		rc = cx_seterr(CX_ESCHEMA, "store: not a cxnode store (no schema)");
		goto out;
	}
	if (rc != 0) {
		rc = store_mdberr(rc, "schema");
		goto out;
	}
	if (v.mv_size != 4 || store_get32(v.mv_data) != STORE_SCHEMA) {
		rc = cx_seterr(CX_ESCHEMA, "store: schema %u is not the supported %d",
		    v.mv_size == 4 ? store_get32(v.mv_data) : 0, STORE_SCHEMA);
		goto out;
	}
	if ((rc = mdb_dbi_open(txn, "logs", dbflags, &s->logs)) != 0 ||
	    (rc = mdb_dbi_open(txn, "index", dbflags, &s->index)) != 0) {
		rc = rc == MDB_NOTFOUND ? cx_seterr(CX_ECORRUPT, "store: a database is missing") :
		    store_mdberr(rc, "open databases");
		goto out;
	}
	rc = mdb_dbi_open(txn, "fed", dbflags, &s->fed);
	if (rc == 0)
		s->has_fed = 1;
	else if (rc != MDB_NOTFOUND) {
		rc = store_mdberr(rc, "open federation database");
		goto out;
	}
	if ((rc = store_dbis_open_all(s, txn)) != 0)
		goto out;
	rc = mdb_txn_commit(txn);
	if (s->readonly) {
		pthread_mutex_lock(&s->mu);
		s->readers--;
		pthread_mutex_unlock(&s->mu);
	}
	txn = NULL;
	if (rc != 0)
		rc = store_mdberr(rc, "open databases");
out:
	if (cur)
		mdb_cursor_close(cur);
	if (txn != NULL) {
		if (s->readonly)
			store_rd_end(s, txn);
		else
			mdb_txn_abort(txn);
	}
	return rc;
}

int
store_open(store **out, const char *dir, const struct store_opts *o)
{
	static const struct store_opts defaults = { 0 };
	struct stat sb;
	char *path = NULL;
	store *s = NULL;
	int rc, dead;

	*out = NULL;
	if (o == NULL)
		o = &defaults;
	if (dir == NULL || dir[0] == '\0')
		return cx_seterr(CX_EINVAL, "store: no directory");
	if (o->create && !o->readonly && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cx_seterr(CX_EIO, "store: mkdir %s: %s", dir, strerror(errno));
	if (asprintf(&path, "%s/data.mdb", dir) < 0)
		return cx_seterr(CX_ENOMEM, "store: path");
	rc = stat(path, &sb);
	free(path);
	if (rc != 0 && (errno != ENOENT || !o->create || o->readonly))
		return errno == ENOENT ? cx_seterr(CX_ENOTFOUND, "store: no store in %s", dir) :
		    cx_seterr(CX_EIO, "store: %s: %s", dir, strerror(errno));

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return cx_seterr(CX_ENOMEM, "store");
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->wmu, NULL);
	pthread_mutex_init(&s->dbimu, NULL);
	s->readonly = o->readonly;
	if ((rc = mdb_env_create(&s->env)) != 0) {
		s->env = NULL;
		rc = store_mdberr(rc, "create environment");
		goto fail;
	}
	if ((rc = mdb_env_set_maxdbs(s->env, STORE_MAXDBS)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, o->mapsize ? o->mapsize : STORE_MAP_INIT)) != 0) {
		rc = store_mdberr(rc, "configure environment");
		goto fail;
	}
	rc = mdb_env_open(s->env, dir, MDB_NOTLS | (o->readonly ? MDB_RDONLY : 0), 0600);
	if (rc != 0) {
		rc = store_mdberr(rc, dir);
		goto fail;
	}
	/* Reader slots left by killed processes. */
	(void)mdb_reader_check(s->env, &dead);
	if ((rc = store_open_dbs(s, o->create)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

void
store_close(store *s)
{
	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->wmu);
	pthread_mutex_destroy(&s->dbimu);
	free(s->dbis);
	free(s);
}

void
store_set_indexer(store *s, store_indexer fn, void *ctx)
{
	s->indexer = fn;
	s->ictx = ctx;
}

/* ---- logs --------------------------------------------------------------- */

struct store_newlog {
	const char *origin, *issuer, *verifier;
	struct store_dbis d;
};

static int
store_log_create_txn(store *s, MDB_txn *txn, void *arg)
{
	struct store_newlog *a = arg;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint8_t kb[4];
	uint32_t id = 1;
	size_t lo = strlen(a->origin), li = strlen(a->issuer), lv = strlen(a->verifier);
	char *val = NULL;
	int rc;

	if ((rc = mdb_cursor_open(txn, s->logs, &cur)) != 0)
		return store_mdberr(rc, "log registry");
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		const char *f[3];

		if (k.mv_size != 4) {
			rc = cx_seterr(CX_ECORRUPT, "store: malformed log registry key");
			goto out;
		}
		if ((rc = store_reg_parse(&v, f)) != 0)
			goto out;
		if (strcmp(f[0], a->origin) == 0) {
			rc = cx_seterr(CX_EEXIST, "store: a log with origin \"%s\" exists", a->origin);
			goto out;
		}
		id = store_get32(k.mv_data) + 1;
	}
	if (rc != MDB_NOTFOUND) {
		rc = store_mdberr(rc, "log registry");
		goto out;
	}
	if (id == 0) {
		rc = cx_seterr(CX_ETOOBIG, "store: no log id left");
		goto out;
	}
	if ((val = malloc(lo + li + lv + 3)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "store: log registry");
		goto out;
	}
	memcpy(val, a->origin, lo + 1);
	memcpy(val + lo + 1, a->issuer, li + 1);
	memcpy(val + lo + li + 2, a->verifier, lv + 1);
	store_put32(kb, id);
	k.mv_size = 4;
	k.mv_data = kb;
	v.mv_size = lo + li + lv + 3;
	v.mv_data = val;
	if ((rc = mdb_put(txn, s->logs, &k, &v, MDB_NOOVERWRITE)) != 0) {
		rc = store_mdberr(rc, "register log");
		goto out;
	}
	rc = store_dbis_open(txn, id, 1, &a->d);
out:
	free(val);
	mdb_cursor_close(cur);
	return rc;
}

int
store_log_create(store *s, uint32_t *id, const char *origin, const char *issuer,
    const char *verifier)
{
	struct store_newlog a = { origin, issuer ? issuer : "", verifier ? verifier : "", { 0 } };
	int rc;

	if (origin == NULL || origin[0] == '\0')
		return cx_seterr(CX_EINVAL, "store: a log needs an origin");
	pthread_mutex_lock(&s->wmu);
	pthread_mutex_lock(&s->dbimu);
	rc = store_write(s, store_log_create_txn, &a, 0);
	pthread_mutex_unlock(&s->dbimu);
	if (rc == 0)
		rc = store_dbis_add(s, &a.d);
	pthread_mutex_unlock(&s->wmu);
	if (rc == 0)
		*id = a.d.id;
	return rc;
}

static void
store_log_free_one(struct store_log *l)
{
	free(l->origin);
	free(l->issuer);
	free(l->verifier);
}

void
store_log_list_free(struct store_log *logs, size_t n)
{
	size_t i;

	if (logs == NULL)
		return;
	for (i = 0; i < n; i++)
		store_log_free_one(&logs[i]);
	free(logs);
}

/* Fill l's sizes from its databases. */
static int
store_log_sizes(store *s, MDB_txn *txn, struct store_log *l)
{
	struct store_dbis d;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = store_dbis_get(s, l->id, &d)) != 0)
		return rc;
	if ((rc = store_size_of(txn, d.l, &l->size)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, d.c, &cur)) != 0)
		return store_mdberr(rc, "checkpoint cursor");
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return store_mdberr(rc, "latest checkpoint");
	if (k.mv_size != 8)
		return cx_seterr(CX_ECORRUPT, "store: checkpoint key of %zu bytes", k.mv_size);
	l->checkpoint_size = store_get64(k.mv_data);
	l->has_checkpoint = 1;
	return 0;
}

int
store_log_list(store *s, struct store_log **logs, size_t *n)
{
	struct store_log *a = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t cnt = 0, cap = 0;
	int rc;

	*logs = NULL;
	*n = 0;
	/* open the handles of logs another process created first: a handle
	 * opened inside this read transaction would not be valid in it */
	if ((rc = store_dbis_refresh(s)) != 0)
		return rc;
	if ((rc = store_txn_begin(s, 1, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, s->logs, &cur)) != 0) {
		rc = store_mdberr(rc, "log registry");
		goto out;
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		struct store_log *l;
		const char *f[3];

		if (k.mv_size != 4) {
			rc = cx_seterr(CX_ECORRUPT, "store: malformed log registry key");
			goto out;
		}
		if ((rc = store_reg_parse(&v, f)) != 0)
			goto out;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct store_log *na = realloc(a, nc * sizeof(*na));

			if (na == NULL) {
				rc = cx_seterr(CX_ENOMEM, "store: log list");
				goto out;
			}
			a = na;
			cap = nc;
		}
		l = &a[cnt];
		memset(l, 0, sizeof(*l));
		l->id = store_get32(k.mv_data);
		cnt++;
		l->origin = strdup(f[0]);
		l->issuer = strdup(f[1]);
		l->verifier = strdup(f[2]);
		if (l->origin == NULL || l->issuer == NULL || l->verifier == NULL) {
			rc = cx_seterr(CX_ENOMEM, "store: log list");
			goto out;
		}
		if ((rc = store_log_sizes(s, txn, l)) != 0)
			goto out;
	}
	if (rc != MDB_NOTFOUND) {
		rc = store_mdberr(rc, "log registry");
		goto out;
	}
	rc = 0;
	*logs = a;
	*n = cnt;
	a = NULL;
out:
	if (cur)
		mdb_cursor_close(cur);
	store_rd_end(s, txn);
	store_log_list_free(a, cnt);
	return rc;
}

int
store_log_find(store *s, uint32_t *id, const char *origin)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc;

	if (origin == NULL)
		return cx_seterr(CX_EINVAL, "store: no origin");
	if ((rc = store_txn_begin(s, 1, &txn)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, s->logs, &cur)) != 0) {
		rc = store_mdberr(rc, "log registry");
		goto out;
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		const char *f[3];

		if (k.mv_size != 4) {
			rc = cx_seterr(CX_ECORRUPT, "store: malformed log registry key");
			goto out;
		}
		if ((rc = store_reg_parse(&v, f)) != 0)
			goto out;
		if (strcmp(f[0], origin) == 0) {
			*id = store_get32(k.mv_data);
			rc = 0;
			goto out;
		}
	}
	rc = rc == MDB_NOTFOUND ? cx_seterr(CX_ENOTFOUND, "store: no log \"%s\"", origin) :
	    store_mdberr(rc, "log registry");
out:
	if (cur)
		mdb_cursor_close(cur);
	store_rd_end(s, txn);
	return rc;
}

/* ---- appending ---------------------------------------------------------- */

struct store_app {
	uint32_t log;
	struct store_dbis d;
	uint64_t expect;
	const struct store_leaf *leaves;
	size_t n;
	store_signer sign;
	void *ctx;
	struct store_keys keys;
};

static int
store_append_txn(store *s, MDB_txn *txn, void *arg)
{
	struct store_app *a = arg;
	struct store_rd rd = { txn, a->d.h };
	struct tlog_frontier f;
	MDB_cursor *lc = NULL, *hc = NULL;
	tlog_hash out[TLOG_MAX_PROOF], root;
	uint64_t size, hidx;
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	char *note = NULL;
	size_t i, j, m, nlen = 0;
	int rc;

	store_keys_reset(&a->keys);
	if ((rc = store_size_of(txn, a->d.l, &size)) != 0)
		return rc;
	if (size != a->expect)
		return cx_seterr(CX_ESTALE, "store: log %u has %llu leaves, not the expected %llu",
		    a->log, (unsigned long long)size, (unsigned long long)a->expect);
	if (a->n > TLOG_MAX_SIZE - size)
		return cx_seterr(CX_ETOOBIG, "store: log %u would exceed the maximum size", a->log);
	if ((rc = tlog_frontier_load(&f, size, store_read_hashes, &rd)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, a->d.l, &lc)) != 0 ||
	    (rc = mdb_cursor_open(txn, a->d.h, &hc)) != 0) {
		rc = store_mdberr(rc, "append cursors");
		goto out;
	}
	hidx = tlog_stored_count(size);
	for (i = 0; i < a->n; i++) {
		const struct store_leaf *lf = &a->leaves[i];

		store_put64(kb, size + i);
		v.mv_size = lf->len;
		v.mv_data = (void *)lf->data;
		if ((rc = mdb_cursor_put(lc, &k, &v, MDB_APPEND)) != 0) {
			rc = store_mdberr(rc, "append leaf");
			goto out;
		}
		if (lf->hash != NULL)
			memcpy(out[0], lf->hash, TLOG_HASH_LEN);
		else
			tlog_leaf_hash(out[0], lf->data, lf->len);
		m = tlog_frontier_push(&f, out[0], out);
		for (j = 0; j < m; j++) {
			store_put64(kb, hidx++);
			v.mv_size = TLOG_HASH_LEN;
			v.mv_data = out[j];
			if ((rc = mdb_cursor_put(hc, &k, &v, MDB_APPEND)) != 0) {
				rc = store_mdberr(rc, "append hash");
				goto out;
			}
		}
		if (s->indexer != NULL &&
		    (rc = s->indexer(s->ictx, a->log, size + i, lf->data, lf->len, &a->keys)) != 0)
			goto out;
	}
	mdb_cursor_close(lc);
	mdb_cursor_close(hc);
	lc = hc = NULL;
	if ((rc = store_keys_write(s, txn, &a->keys)) != 0)
		goto out;
	if (a->sign != NULL) {
		tlog_frontier_root(&f, root);
		if ((rc = a->sign(a->ctx, size + a->n, root, &note, &nlen)) != 0)
			goto out;
		if (note != NULL) {
			store_put64(kb, size + a->n);
			v.mv_size = nlen;
			v.mv_data = note;
			if ((rc = mdb_put(txn, a->d.c, &k, &v, 0)) != 0)
				rc = store_mdberr(rc, "store checkpoint");
		}
	}
out:
	if (lc)
		mdb_cursor_close(lc);
	if (hc)
		mdb_cursor_close(hc);
	free(note);
	return rc;
}

int
store_append(store *s, uint32_t log, uint64_t expect_size, const struct store_leaf *leaves,
    size_t n, store_signer sign, void *ctx)
{
	struct store_app a;
	uint64_t need = 0;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (leaves[i].len > STORE_LEAF_MAX)
			return cx_seterr(CX_ETOOBIG, "store: leaf of %zu bytes (at most %u)",
			    leaves[i].len, STORE_LEAF_MAX);
		if (leaves[i].data == NULL && leaves[i].len > 0)
			return cx_seterr(CX_EINVAL, "store: leaf without data");
		need += leaves[i].len;
	}
	memset(&a, 0, sizeof(a));
	if ((rc = store_dbis_get(s, log, &a.d)) != 0)
		return rc;
	a.log = log;
	a.expect = expect_size;
	a.leaves = leaves;
	a.n = n;
	a.sign = sign;
	a.ctx = ctx;
	/* Pages are rarely full and the B-trees copy their right edges: twice
	 * the payload, the hashes and a guess at the index keys. */
	need = 2 * (need + (uint64_t)n * (48 + 2 * 56 + (s->indexer ? 256 : 0))) + (1u << 20);
	pthread_mutex_lock(&s->wmu);
	rc = store_write(s, store_append_txn, &a, need);
	pthread_mutex_unlock(&s->wmu);
	store_keys_clear(&a.keys);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

int
store_read_begin(store_txn **out, store *s)
{
	store_txn *t;
	int rc;

	*out = NULL;
	if ((rc = store_dbis_refresh(s)) != 0)
		return rc;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return cx_seterr(CX_ENOMEM, "store: read transaction");
	t->s = s;
	if ((rc = store_txn_begin(s, 1, &t->txn)) != 0) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void
store_read_end(store_txn *t)
{
	if (t == NULL)
		return;
	store_rd_end(t->s, t->txn);
	free(t);
}

int
store_txn_log_size(store_txn *t, uint32_t log, uint64_t *size)
{
	struct store_dbis d;
	int rc;

	if ((rc = store_dbis_txn(t, log, &d)) != 0)
		return rc;
	return store_size_of(t->txn, d.l, size);
}

int
store_leaf(store_txn *t, uint32_t log, uint64_t index, const uint8_t **data, size_t *len)
{
	struct store_dbis d;
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	if ((rc = store_dbis_txn(t, log, &d)) != 0)
		return rc;
	store_put64(kb, index);
	if ((rc = mdb_get(t->txn, d.l, &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? cx_seterr(CX_ENOTFOUND, "store: log %u has no leaf %llu",
		    log, (unsigned long long)index) : store_mdberr(rc, "leaf");
	*data = v.mv_data;
	*len = v.mv_size;
	return 0;
}

int
store_leaf_hash(store_txn *t, uint32_t log, uint64_t index, tlog_hash out)
{
	struct store_dbis d;
	struct store_rd rd;
	uint64_t size, idx;
	int rc;

	if ((rc = store_dbis_txn(t, log, &d)) != 0 ||
	    (rc = store_size_of(t->txn, d.l, &size)) != 0)
		return rc;
	if (index >= size)
		return cx_seterr(CX_ENOTFOUND, "store: log %u has no leaf %llu", log,
		    (unsigned long long)index);
	rd.txn = t->txn;
	rd.h = d.h;
	idx = tlog_stored_index(0, index);
	return store_read_hashes(&rd, &idx, 1, (tlog_hash *)out);
}

/* The reader for log and a check that size is within it. */
static int
store_tree(store_txn *t, uint32_t log, uint64_t size, struct store_rd *rd)
{
	struct store_dbis d;
	uint64_t have;
	int rc;

	if ((rc = store_dbis_txn(t, log, &d)) != 0 ||
	    (rc = store_size_of(t->txn, d.l, &have)) != 0)
		return rc;
	if (size > have)
		return cx_seterr(CX_EINVAL, "store: log %u has %llu leaves, not %llu", log,
		    (unsigned long long)have, (unsigned long long)size);
	rd->txn = t->txn;
	rd->h = d.h;
	return 0;
}

int
store_root(store_txn *t, uint32_t log, uint64_t size, tlog_hash out)
{
	struct store_rd rd;
	int rc;

	if ((rc = store_tree(t, log, size, &rd)) != 0)
		return rc;
	return tlog_tree_hash(out, size, store_read_hashes, &rd);
}

int
store_frontier(store_txn *t, uint32_t log, struct tlog_frontier *f)
{
	struct store_rd rd;
	uint64_t size;
	int rc;

	if ((rc = store_txn_log_size(t, log, &size)) != 0 ||
	    (rc = store_tree(t, log, size, &rd)) != 0)
		return rc;
	return tlog_frontier_load(f, size, store_read_hashes, &rd);
}

int
store_prove_inclusion(store_txn *t, uint32_t log, uint64_t index, uint64_t size,
    tlog_hash *proof, size_t *n)
{
	struct store_rd rd;
	int rc;

	*n = 0;
	if ((rc = store_tree(t, log, size, &rd)) != 0)
		return rc;
	return tlog_prove_inclusion(proof, n, size, index, store_read_hashes, &rd);
}

int
store_prove_consistency(store_txn *t, uint32_t log, uint64_t oldsize, uint64_t newsize,
    tlog_hash *proof, size_t *n)
{
	struct store_rd rd;
	int rc;

	*n = 0;
	if ((rc = store_tree(t, log, newsize, &rd)) != 0)
		return rc;
	return tlog_prove_consistency(proof, n, oldsize, newsize, store_read_hashes, &rd);
}

int
store_checkpoint(store_txn *t, uint32_t log, uint64_t size, const char **note, size_t *len,
    uint64_t *got_size)
{
	struct store_dbis d;
	MDB_cursor *cur;
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	if ((rc = store_dbis_txn(t, log, &d)) != 0)
		return rc;
	if (size == 0) {
		if ((rc = mdb_cursor_open(t->txn, d.c, &cur)) != 0)
			return store_mdberr(rc, "checkpoint cursor");
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		mdb_cursor_close(cur);
	} else {
		store_put64(kb, size);
		rc = mdb_get(t->txn, d.c, &k, &v);
	}
	if (rc == MDB_NOTFOUND)
		return size ? cx_seterr(CX_ENOTFOUND, "store: log %u has no checkpoint of size %llu",
		    log, (unsigned long long)size) :
		    cx_seterr(CX_ENOTFOUND, "store: log %u has no checkpoint", log);
	if (rc != 0)
		return store_mdberr(rc, "checkpoint");
	if (k.mv_size != 8)
		return cx_seterr(CX_ECORRUPT, "store: checkpoint key of %zu bytes", k.mv_size);
	*note = v.mv_data;
	*len = v.mv_size;
	*got_size = store_get64(k.mv_data);
	return 0;
}

static int
store_db_get(store_txn *t, MDB_dbi dbi, const void *key, size_t klen, const void **val,
    size_t *vlen)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc;

	if (key == NULL || klen == 0 || klen > STORE_KEY_MAX)
		return cx_seterr(CX_EINVAL, "store: key of %zu bytes", klen);
	if ((rc = mdb_get(t->txn, dbi, &k, &v)) != 0)
		return rc == MDB_NOTFOUND ? CX_ENOTFOUND : store_mdberr(rc, "get");
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 0;
}

static int
store_db_scan(store_txn *t, MDB_dbi dbi, const void *prefix, size_t plen, store_scan_fn fn,
    void *ctx)
{
	MDB_cursor *cur;
	MDB_val k = { plen, (void *)prefix }, v;
	int rc;

	if (plen > STORE_KEY_MAX || (plen > 0 && prefix == NULL))
		return cx_seterr(CX_EINVAL, "store: prefix of %zu bytes", plen);
	if ((rc = mdb_cursor_open(t->txn, dbi, &cur)) != 0)
		return store_mdberr(rc, "cursor");
	rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0) {
		if (plen > 0 && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if (fn(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size) != 0)
			break;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_mdberr(rc, "scan");
	return 0;
}

int
store_index_get(store_txn *t, const void *key, size_t klen, const void **val, size_t *vlen)
{
	return store_db_get(t, t->s->index, key, klen, val, vlen);
}

int
store_index_scan(store_txn *t, const void *prefix, size_t plen, store_scan_fn fn, void *ctx)
{
	return store_db_scan(t, t->s->index, prefix, plen, fn, ctx);
}

/* ---- federation records --------------------------------------------------- */

int
store_aux_get(store_txn *t, const void *key, size_t klen, const void **val, size_t *vlen)
{
	if (!t->s->has_fed)
		return CX_ENOTFOUND;
	return store_db_get(t, t->s->fed, key, klen, val, vlen);
}

int
store_aux_scan(store_txn *t, const void *prefix, size_t plen, store_scan_fn fn, void *ctx)
{
	if (!t->s->has_fed)
		return 0;
	return store_db_scan(t, t->s->fed, prefix, plen, fn, ctx);
}

struct store_auxw {
	const struct store_aux_op *ops;
	size_t n;
};

static int
store_aux_txn(store *s, MDB_txn *txn, void *arg)
{
	struct store_auxw *a = arg;
	size_t i;
	int rc;

	for (i = 0; i < a->n; i++) {
		const struct store_aux_op *op = &a->ops[i];
		MDB_val k = { op->klen, (void *)op->key }, v = { op->vlen, (void *)op->val };

		if (op->del) {
			MDB_cursor *cur;

			/* delete every key with this prefix */
			if ((rc = mdb_cursor_open(txn, s->fed, &cur)) != 0)
				return store_mdberr(rc, "federation cursor");
			rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
			while (rc == 0 && k.mv_size >= op->klen &&
			    memcmp(k.mv_data, op->key, op->klen) == 0) {
				if ((rc = mdb_cursor_del(cur, 0)) != 0)
					break;
				rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
				if (rc == EINVAL || rc == MDB_NOTFOUND)
					rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
			}
			mdb_cursor_close(cur);
			if (rc != 0 && rc != MDB_NOTFOUND)
				return store_mdberr(rc, "federation delete");
			continue;
		}
		if (op->cas) {
			MDB_val cur;

			rc = mdb_get(txn, s->fed, &k, &cur);
			if (rc != 0 && rc != MDB_NOTFOUND)
				return store_mdberr(rc, "federation record");
			if (op->old == NULL ? rc == 0 : rc != 0 || cur.mv_size != op->oldlen ||
			    memcmp(cur.mv_data, op->old, op->oldlen) != 0)
				return cx_seterr(CX_ESTALE, "store: the record changed meanwhile");
		}
		if (op->only_new) {
			rc = mdb_put(txn, s->fed, &k, &v, MDB_NOOVERWRITE);
			if (rc == MDB_KEYEXIST)
				continue;
		} else
			rc = mdb_put(txn, s->fed, &k, &v, 0);
		if (rc != 0)
			return store_mdberr(rc, "federation record");
	}
	return 0;
}

int
store_aux_write(store *s, const struct store_aux_op *ops, size_t n)
{
	struct store_auxw a = { ops, n };
	uint64_t need = 1u << 20;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (ops[i].key == NULL || ops[i].klen == 0 || ops[i].klen > STORE_KEY_MAX)
			return cx_seterr(CX_EINVAL, "store: federation key of %zu bytes", ops[i].klen);
		need += 2 * (ops[i].klen + ops[i].vlen);
	}
	pthread_mutex_lock(&s->wmu);
	if (!s->has_fed) {
		MDB_txn *txn;

		pthread_mutex_lock(&s->dbimu);
		if (s->readonly)
			rc = cx_seterr(CX_EPERM, "store: opened read-only");
		else if ((rc = store_txn_begin(s, 0, &txn)) == 0) {
			if ((rc = mdb_dbi_open(txn, "fed", MDB_CREATE, &s->fed)) == 0)
				rc = mdb_txn_commit(txn);
			else
				mdb_txn_abort(txn);
			if (rc == 0)
				s->has_fed = 1;
			else
				rc = store_mdberr(rc, "create federation database");
		}
		pthread_mutex_unlock(&s->dbimu);
		if (rc != 0) {
			pthread_mutex_unlock(&s->wmu);
			return rc;
		}
	}
	rc = store_write(s, store_aux_txn, &a, need);
	pthread_mutex_unlock(&s->wmu);
	return rc;
}

/* ---- reindex ------------------------------------------------------------ */

static const MDB_val store_reindex_key = { 7, "reindex" };

struct store_rix {
	int phase;                 /* 0 start, 1 batch, 2 finish */
	uint32_t log;
	struct store_dbis d;
	uint64_t from, to;
	struct store_keys keys;
};

static int
store_reindex_txn(store *s, MDB_txn *txn, void *arg)
{
	struct store_rix *r = arg;
	MDB_cursor *cur = NULL;
	uint8_t kb[8];
	MDB_val k = store_reindex_key, v = { 1, "1" };
	uint64_t i;
	int rc;

	if (r->phase == 0) {
		if ((rc = mdb_put(txn, s->meta, &k, &v, 0)) != 0 ||
		    (rc = mdb_drop(txn, s->index, 0)) != 0)
			return store_mdberr(rc, "empty index");
		return 0;
	}
	if (r->phase == 2) {
		rc = mdb_del(txn, s->meta, &k, NULL);
		return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_mdberr(rc, "finish reindex");
	}
	store_keys_reset(&r->keys);
	if ((rc = mdb_cursor_open(txn, r->d.l, &cur)) != 0)
		return store_mdberr(rc, "leaf cursor");
	store_put64(kb, r->from);
	k.mv_size = 8;
	k.mv_data = kb;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0) {
		if (k.mv_size != 8) {
			rc = cx_seterr(CX_ECORRUPT, "store: leaf key of %zu bytes", k.mv_size);
			goto out;
		}
		i = store_get64(k.mv_data);
		if (i >= r->to)
			break;
		if ((rc = s->indexer(s->ictx, r->log, i, v.mv_data, v.mv_size, &r->keys)) != 0)
			goto out;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		rc = store_mdberr(rc, "read leaves");
		goto out;
	}
	mdb_cursor_close(cur);
	cur = NULL;
	rc = store_keys_write(s, txn, &r->keys);
out:
	if (cur)
		mdb_cursor_close(cur);
	return rc;
}

int
store_reindex(store *s, store_progress pr, void *ctx)
{
	struct store_log *logs = NULL;
	struct store_rix r;
	uint64_t total = 0, done = 0;
	size_t nlogs = 0, i;
	int rc;

	if (s->indexer == NULL)
		return cx_seterr(CX_EINVAL, "store: reindex needs an indexer");
	memset(&r, 0, sizeof(r));
	pthread_mutex_lock(&s->wmu);
	if ((rc = store_log_list(s, &logs, &nlogs)) != 0)
		goto out;
	for (i = 0; i < nlogs; i++)
		total += logs[i].size;
	r.phase = 0;
	if ((rc = store_write(s, store_reindex_txn, &r, 1u << 20)) != 0)
		goto out;
	if (pr)
		pr(ctx, 0, total);
	r.phase = 1;
	for (i = 0; i < nlogs; i++) {
		r.log = logs[i].id;
		if ((rc = store_dbis_get(s, r.log, &r.d)) != 0)
			goto out;
		for (r.from = 0; r.from < logs[i].size; r.from = r.to) {
			r.to = r.from + STORE_REINDEX_BATCH;
			if (r.to > logs[i].size)
				r.to = logs[i].size;
			if ((rc = store_write(s, store_reindex_txn, &r,
			    (r.to - r.from) * 512 + (1u << 20))) != 0)
				goto out;
			done += r.to - r.from;
			if (pr)
				pr(ctx, done, total);
		}
	}
	r.phase = 2;
	rc = store_write(s, store_reindex_txn, &r, 1u << 20);
out:
	pthread_mutex_unlock(&s->wmu);
	store_keys_clear(&r.keys);
	store_log_list_free(logs, nlogs);
	return rc;
}

/* ---- verify ------------------------------------------------------------- */

struct store_ver {
	store *s;
	uint32_t log;
	store_note_check check;
	store_problem problem;
	void *ctx;
	unsigned long problems;
};

static void
store_ver_report(struct store_ver *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
store_ver_report(struct store_ver *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	w->problems++;
	if (w->problem == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->problem(w->ctx, w->log, buf);
}

/* Compare the checkpoint stored for size against root. */
static void
store_ver_checkpoint(struct store_ver *w, uint64_t size, const MDB_val *note,
    const tlog_hash root)
{
	tlog_hash got;
	uint64_t gsize = 0;
	int rc;

	if (w->check == NULL)
		return;
	rc = w->check(w->ctx, w->log, note->mv_data, note->mv_size, &gsize, got);
	if (rc != 0)
		store_ver_report(w, "checkpoint %llu: does not verify (%s%s%s)",
		    (unsigned long long)size, cx_strerror(rc), cx_lasterr()[0] ? ": " : "",
		    cx_lasterr());
	else if (gsize != size)
		store_ver_report(w, "checkpoint %llu: states size %llu",
		    (unsigned long long)size, (unsigned long long)gsize);
	else if (memcmp(got, root, TLOG_HASH_LEN) != 0)
		store_ver_report(w, "checkpoint %llu: root differs", (unsigned long long)size);
}

/* Next stored hash from the cursor, expected at index want: *h gets it and 1
 * is returned; 0 if it is missing or malformed (reported); <0 on error. */
static int
store_ver_hash(struct store_ver *w, MDB_cursor *hc, int *hrc, MDB_val *hk, MDB_val *hv,
    uint64_t want, uint8_t *h)
{
	uint64_t key;

	while (*hrc == 0 && hk->mv_size == 8 && store_get64(hk->mv_data) < want) {
		store_ver_report(w, "stored hash %llu: unexpected",
		    (unsigned long long)store_get64(hk->mv_data));
		*hrc = mdb_cursor_get(hc, hk, hv, MDB_NEXT);
	}
	if (*hrc != 0 && *hrc != MDB_NOTFOUND)
		return store_mdberr(*hrc, "read stored hashes");
	if (*hrc == MDB_NOTFOUND || hk->mv_size != 8 || (key = store_get64(hk->mv_data)) > want) {
		if (*hrc == 0 && hk->mv_size != 8) {
			store_ver_report(w, "stored hash key of %zu bytes", hk->mv_size);
			*hrc = mdb_cursor_get(hc, hk, hv, MDB_NEXT);
		}
		store_ver_report(w, "stored hash %llu: missing", (unsigned long long)want);
		memset(h, 0, TLOG_HASH_LEN);
		return 0;
	}
	if (hv->mv_size != TLOG_HASH_LEN) {
		store_ver_report(w, "stored hash %llu: %zu bytes, not %d", (unsigned long long)want,
		    hv->mv_size, TLOG_HASH_LEN);
		*hrc = mdb_cursor_get(hc, hk, hv, MDB_NEXT);
		memset(h, 0, TLOG_HASH_LEN);
		return 0;
	}
	memcpy(h, hv->mv_data, TLOG_HASH_LEN);
	*hrc = mdb_cursor_get(hc, hk, hv, MDB_NEXT);
	return 1;
}

int
store_verify(store *s, uint32_t log, store_note_check check, store_problem problem,
    store_progress pr, void *ctx)
{
	struct store_ver w = { s, log, check, problem, ctx, 0 };
	struct store_dbis d;
	MDB_txn *txn = NULL;
	MDB_cursor *lc = NULL, *hc = NULL, *cc = NULL;
	MDB_val lk, lv, hk, hv, ck, cv;
	struct tlog_frontier f;
	tlog_hash computed, stored, cur, root;
	uint64_t size, i, hidx = 0, cpsize;
	int lrc, hrc, crc, rc, l;

	if ((rc = store_dbis_get(s, log, &d)) != 0)
		return rc;
	if ((rc = store_txn_begin(s, 1, &txn)) != 0)
		return rc;
	if ((rc = store_size_of(txn, d.l, &size)) != 0)
		goto out;
	if ((rc = mdb_cursor_open(txn, d.l, &lc)) != 0 ||
	    (rc = mdb_cursor_open(txn, d.h, &hc)) != 0 ||
	    (rc = mdb_cursor_open(txn, d.c, &cc)) != 0) {
		rc = store_mdberr(rc, "verify cursors");
		goto out;
	}
	lrc = mdb_cursor_get(lc, &lk, &lv, MDB_FIRST);
	hrc = mdb_cursor_get(hc, &hk, &hv, MDB_FIRST);
	crc = mdb_cursor_get(cc, &ck, &cv, MDB_FIRST);
	memset(&f, 0, sizeof(f));
	if (pr)
		pr(ctx, 0, size);
	for (i = 0;; i++) {
		/* Checkpoints of the tree of i leaves. */
		while (crc == 0) {
			if (ck.mv_size != 8) {
				store_ver_report(&w, "checkpoint key of %zu bytes", ck.mv_size);
			} else if ((cpsize = store_get64(ck.mv_data)) < i) {
				/* passed: only possible after a malformed key */
			} else if (cpsize > i) {
				break;
			} else {
				tlog_frontier_root(&f, root);
				store_ver_checkpoint(&w, cpsize, &cv, root);
			}
			crc = mdb_cursor_get(cc, &ck, &cv, MDB_NEXT);
		}
		if (i == size)
			break;
		if (pr && i > 0 && i % STORE_PROGRESS == 0)
			pr(ctx, i, size);

		/* Leaf i: its bytes against its stored hash. */
		while (lrc == 0 && (lk.mv_size != 8 || store_get64(lk.mv_data) < i)) {
			store_ver_report(&w, "leaf key out of order");
			lrc = mdb_cursor_get(lc, &lk, &lv, MDB_NEXT);
		}
		if (lrc != 0 && lrc != MDB_NOTFOUND) {
			rc = store_mdberr(lrc, "read leaves");
			goto out;
		}
		rc = store_ver_hash(&w, hc, &hrc, &hk, &hv, hidx++, stored);
		if (rc < 0)
			goto out;
		if (lrc == 0 && store_get64(lk.mv_data) == i) {
			tlog_leaf_hash(computed, lv.mv_data, lv.mv_size);
			if (rc == 1 && memcmp(computed, stored, TLOG_HASH_LEN) != 0)
				store_ver_report(&w, "leaf %llu: bytes do not match stored leaf hash",
				    (unsigned long long)i);
			lrc = mdb_cursor_get(lc, &lk, &lv, MDB_NEXT);
		} else {
			store_ver_report(&w, "leaf %llu: missing", (unsigned long long)i);
			memcpy(computed, stored, TLOG_HASH_LEN);
		}
		memcpy(cur, rc == 1 ? stored : computed, TLOG_HASH_LEN);

		/* Parents leaf i completes: each against its stored children. */
		for (l = 0; (i >> l) & 1; l++) {
			tlog_node_hash(computed, f.h[l], cur);
			rc = store_ver_hash(&w, hc, &hrc, &hk, &hv, hidx++, stored);
			if (rc < 0)
				goto out;
			if (rc == 1 && memcmp(computed, stored, TLOG_HASH_LEN) != 0)
				store_ver_report(&w, "stored hash %llu (level %d, subtree %llu): does "
				    "not match its children", (unsigned long long)(hidx - 1), l + 1,
				    (unsigned long long)(i >> (l + 1)));
			memcpy(cur, rc == 1 ? stored : computed, TLOG_HASH_LEN);
		}
		memcpy(f.h[l], cur, TLOG_HASH_LEN);
		f.size++;
	}
	while (hrc == 0) {
		store_ver_report(&w, "stored hash %llu: beyond the %llu of %llu leaves",
		    hk.mv_size == 8 ? (unsigned long long)store_get64(hk.mv_data) : 0ULL,
		    (unsigned long long)hidx, (unsigned long long)size);
		hrc = mdb_cursor_get(hc, &hk, &hv, MDB_NEXT);
	}
	while (crc == 0) {
		store_ver_report(&w, "checkpoint %llu: beyond the log's %llu leaves",
		    ck.mv_size == 8 ? (unsigned long long)store_get64(ck.mv_data) : 0ULL,
		    (unsigned long long)size);
		crc = mdb_cursor_get(cc, &ck, &cv, MDB_NEXT);
	}
	if (pr)
		pr(ctx, size, size);
	rc = w.problems ? cx_seterr(CX_ECORRUPT, "store: log %u: %lu problem(s) found", log,
	    w.problems) : 0;
out:
	if (lc)
		mdb_cursor_close(lc);
	if (hc)
		mdb_cursor_close(hc);
	if (cc)
		mdb_cursor_close(cc);
	store_rd_end(s, txn);
	return rc;
}

/* ---- statistics --------------------------------------------------------- */

int
store_stat(store *s, struct store_stat *st)
{
	MDB_txn *txn = NULL;
	MDB_stat ms;
	MDB_val k = { 6, "schema" }, v, rk = store_reindex_key;
	size_t i, n;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = store_usage(s, &st->used, &st->mapsize, &st->page_size)) != 0)
		return rc;
	if ((rc = store_txn_begin(s, 1, &txn)) != 0)
		return rc;
	if ((rc = mdb_stat(txn, s->index, &ms)) != 0)
		goto lmdb;
	st->index_entries = ms.ms_entries;
	st->entries = ms.ms_entries;
	if ((rc = mdb_stat(txn, s->meta, &ms)) != 0)
		goto lmdb;
	st->entries += ms.ms_entries;
	if ((rc = mdb_stat(txn, s->logs, &ms)) != 0)
		goto lmdb;
	st->entries += ms.ms_entries;
	st->logs = (uint32_t)ms.ms_entries;
	if ((rc = mdb_get(txn, s->meta, &k, &v)) == 0 && v.mv_size == 4)
		st->schema = store_get32(v.mv_data);
	st->index_complete = mdb_get(txn, s->meta, &rk, &v) == MDB_NOTFOUND;
	pthread_mutex_lock(&s->mu);
	n = s->ndbis;
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < n; i++) {
		struct store_dbis d;

		pthread_mutex_lock(&s->mu);
		d = s->dbis[i];
		pthread_mutex_unlock(&s->mu);
		if ((rc = mdb_stat(txn, d.l, &ms)) != 0)
			goto lmdb;
		st->entries += ms.ms_entries;
		if ((rc = mdb_stat(txn, d.h, &ms)) != 0)
			goto lmdb;
		st->entries += ms.ms_entries;
		if ((rc = mdb_stat(txn, d.c, &ms)) != 0)
			goto lmdb;
		st->entries += ms.ms_entries;
	}
	store_rd_end(s, txn);
	return 0;
lmdb:
	store_rd_end(s, txn);
	return store_mdberr(rc, "statistics");
}
