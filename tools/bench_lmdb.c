/*
 * bench_lmdb.c — the machine limit the import benchmark is compared with:
 * raw LMDB appends of exactly the same leaf bytes.
 *
 *   bench_lmdb STOREDIR SCRATCHDIR [BATCH]
 *
 * Reads every leaf of the largest leaf database ("l/...") of the node store
 * at STOREDIR into memory, then appends them with MDB_APPEND into a fresh
 * environment in SCRATCHDIR, BATCH per transaction (default 50000), with
 * the same durability as the node (a synced commit per batch). Prints one
 * line: "lmdb_append N records B bytes S seconds R records/s".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lmdb.h>

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "%s: %s\n", #x, mdb_strerror(rc_)); exit(2); } } while (0)

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	MDB_env *src, *dst;
	MDB_txn *txn;
	MDB_dbi main_dbi, dbi;
	MDB_cursor *cur;
	MDB_val k, v;
	char best[256] = "";
	size_t bestn = 0, n = 0, cap = 0, i, batch = 50000, total = 0;
	MDB_val *keys = NULL, *vals = NULL;
	double t0, t1;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_lmdb STOREDIR SCRATCHDIR [BATCH]\n");
		return 2;
	}
	if (argc > 3)
		batch = strtoul(argv[3], NULL, 10);
	CHECK(mdb_env_create(&src));
	CHECK(mdb_env_set_maxdbs(src, 4096));
	CHECK(mdb_env_open(src, argv[1], MDB_RDONLY, 0600));
	CHECK(mdb_txn_begin(src, NULL, MDB_RDONLY, &txn));
	CHECK(mdb_dbi_open(txn, NULL, 0, &main_dbi));
	CHECK(mdb_cursor_open(txn, main_dbi, &cur));
	while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
		char name[256];
		MDB_stat st;

		if (k.mv_size < 3 || k.mv_size >= sizeof(name) || memcmp(k.mv_data, "l/", 2) != 0)
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (mdb_dbi_open(txn, name, 0, &dbi) != 0)
			continue;
		if (mdb_stat(txn, dbi, &st) == 0 && st.ms_entries > bestn) {
			bestn = st.ms_entries;
			strcpy(best, name);
		}
	}
	mdb_cursor_close(cur);
	if (bestn == 0) {
		fprintf(stderr, "bench_lmdb: no leaf database in %s\n", argv[1]);
		return 2;
	}
	CHECK(mdb_dbi_open(txn, best, 0, &dbi));
	CHECK(mdb_cursor_open(txn, dbi, &cur));
	while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			keys = realloc(keys, cap * sizeof(*keys));
			vals = realloc(vals, cap * sizeof(*vals));
			if (!keys || !vals)
				return 2;
		}
		keys[n].mv_size = k.mv_size;
		keys[n].mv_data = malloc(k.mv_size);
		vals[n].mv_size = v.mv_size;
		vals[n].mv_data = malloc(v.mv_size);
		memcpy(keys[n].mv_data, k.mv_data, k.mv_size);
		memcpy(vals[n].mv_data, v.mv_data, v.mv_size);
		total += v.mv_size;
		n++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	mdb_env_close(src);

	CHECK(mdb_env_create(&dst));
	CHECK(mdb_env_set_mapsize(dst, (size_t)8 << 30));
	CHECK(mdb_env_set_maxdbs(dst, 4));
	CHECK(mdb_env_open(dst, argv[2], 0, 0600));
	t0 = bench_now();
	for (i = 0; i < n; ) {
		size_t end = i + batch < n ? i + batch : n;

		CHECK(mdb_txn_begin(dst, NULL, 0, &txn));
		CHECK(mdb_dbi_open(txn, "leaves", MDB_CREATE, &dbi));
		CHECK(mdb_cursor_open(txn, dbi, &cur));
		for (; i < end; i++)
			CHECK(mdb_cursor_put(cur, &keys[i], &vals[i], MDB_APPEND));
		mdb_cursor_close(cur);
		CHECK(mdb_txn_commit(txn));
	}
	t1 = bench_now();
	mdb_env_close(dst);
	printf("lmdb_append %zu records %zu bytes %.3f seconds %.0f records/s\n", n, total,
	    t1 - t0, n / (t1 - t0));
	for (i = 0; i < n; i++) {
		free(keys[i].mv_data);
		free(vals[i].mv_data);
	}
	free(keys);
	free(vals);
	return 0;
}
