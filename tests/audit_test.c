/*
 * audit_test.c — tests of node/audit.c, the node's audit log.
 *
 * Each test works in a home of its own under a temporary directory removed
 * at the end: appends from four threads (every entry there once, each
 * thread's in its order, the checkpoint signed by keys/audit.pub), a byte
 * flipped in a leaf of the LMDB file behind the log's back (verification
 * fails and says which leaf), two processes appending to one log in turn
 * and at once (one consistent log), the filters and paging of the "audit"
 * method, one entry with its inclusion proof, and a checkpoint kept from
 * earlier against the log as it grows and against an older copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "keys/keys.h"
#include "keys/note.h"
#include "node/audit.h"
#include "node/cli.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

static char tmpdir[256];
static int homes;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/audit_test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh home's configuration (only what audit_open reads). */
struct home {
	char dir[512];
	char store[600];
	char pub[600];
	struct cfg cfg;
};

static void
home_new(struct home *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "%s/home%d", tmpdir, homes++);
	assert_int_equal(mkdir(h->dir, 0700), 0);
	snprintf(h->store, sizeof(h->store), "%s/audit", h->dir);
	snprintf(h->pub, sizeof(h->pub), "%s/keys/audit.pub", h->dir);
	h->cfg.home = h->dir;
	h->cfg.id = "hangzhou";
	h->cfg.origin = "g60.cxnode/hangzhou";
	h->cfg.algorithm = "ed25519";
}

static void
entry_init(Cx__AuditEntry *e, const char *who, const char *method, const char *query,
    uint64_t time, uint8_t *digest)
{
	cx__audit_entry__init(e);
	e->who = (char *)who;
	e->role = "operator";
	e->via = "cli";
	e->method = (char *)method;
	e->query = (char *)query;
	e->time = time;
	memset(digest, 0xab, 32);
	e->answer_digest.data = digest;
	e->answer_digest.len = 32;
}

static void
append(struct audit *a, const char *who, const char *method, const char *query, uint64_t time,
    int sync)
{
	Cx__AuditEntry e;
	uint8_t d[32];

	entry_init(&e, who, method, query, time, d);
	assert_int_equal(audit_append(a, &e, sync), 0);
}

static json_t *
query(struct audit *a, const char *params)
{
	json_t *p = params ? json_loads(params, 0, NULL) : NULL, *res = NULL;
	int rc;

	assert_true(params == NULL || p != NULL);
	rc = audit_query(a, p, &res);
	if (rc != 0)
		print_message("audit_query(%s): %s\n", params ? params : "NULL", cx_lasterr());
	assert_int_equal(rc, 0);
	json_decref(p);
	return res;
}

static json_int_t
jint(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The checkpoint of an answer, verified with the key in path: its size and
 * root. */
static void
checkpoint_of(const json_t *res, const char *pubpath, uint64_t *size, tlog_hash root)
{
	const char *note = json_string_value(json_object_get(res, "checkpoint"));
	keys_key *k = NULL;
	char *origin = NULL;
	size_t tl;

	assert_non_null(note);
	assert_int_equal(cli_public_key(&k, pubpath), 0);
	assert_int_equal(note_verify(note, strlen(note), &k, 1, &tl, NULL), 0);
	assert_int_equal(tlog_checkpoint_parse(note, tl, &origin, size, root), 0);
	assert_string_equal(origin, "g60.cxnode/hangzhou/audit");
	free(origin);
	keys_free(k);
}

/* ---- threads ------------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 250

struct thr {
	struct audit *a;
	int id;
	int failed;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;
	char who[16], q[32];
	Cx__AuditEntry e;
	uint8_t d[32];
	int i;

	snprintf(who, sizeof(who), "t%d", t->id);
	for (i = 0; i < PER_THREAD; i++) {
		snprintf(q, sizeof(q), "{\"n\":%d}", i);
		entry_init(&e, who, "query", q, 0, d);
		/* some callers wait for their entry, most do not */
		if (audit_append(t->a, &e, i % 10 == 0) != 0)
			t->failed++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct home h;
	struct audit *a = NULL;
	struct thr t[THREADS];
	pthread_t th[THREADS];
	json_t *res, *e;
	int next[THREADS] = { 0 }, i;
	size_t k;
	uint64_t size;
	tlog_hash root;
	struct stat st;

	(void)state;
	home_new(&h);
	assert_int_equal(audit_open(&a, &h.cfg), 0);
	assert_int_equal(stat(h.pub, &st), 0);
	{
		char kp[600];

		snprintf(kp, sizeof(kp), "%s/keys/audit.key", h.dir);
		assert_int_equal(stat(kp, &st), 0);
		assert_int_equal(st.st_mode & 077, 0);
	}
	assert_string_equal(audit_origin(a), "g60.cxnode/hangzhou/audit");
	assert_int_equal(strncmp(audit_verifier(a), "hangzhou-audit+", 15), 0);
	for (i = 0; i < THREADS; i++) {
		t[i] = (struct thr){ a, i, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, thr_main, &t[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(t[i].failed, 0);
	}
	assert_int_equal(audit_flush(a), 0);

	res = query(a, "{\"limit\": 1000}");
	assert_int_equal(jint(res, "size"), THREADS * PER_THREAD);
	assert_int_equal(jint(res, "total"), THREADS * PER_THREAD);
	assert_int_equal(json_array_size(json_object_get(res, "entries")), THREADS * PER_THREAD);
	/* every entry once, each thread's in the order it appended them */
	json_array_foreach(json_object_get(res, "entries"), k, e) {
		const char *who = json_string_value(json_object_get(e, "who"));
		int id = who[1] - '0';

		assert_int_equal(jint(e, "index"), (json_int_t)k);
		assert_true(id >= 0 && id < THREADS);
		assert_int_equal(jint(json_object_get(e, "query"), "n"), next[id]);
		next[id]++;
		assert_string_equal(json_string_value(json_object_get(e, "answer_digest")),
		    "abababababababababababababababababababababababababababababababab");
		assert_int_equal(json_string_length(json_object_get(e, "time")), 24);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(next[i], PER_THREAD);
	checkpoint_of(res, h.pub, &size, root);
	assert_int_equal(size, THREADS * PER_THREAD);
	json_decref(res);

	res = query(a, "{\"who\": \"t2\", \"limit\": 5, \"offset\": 245}");
	assert_int_equal(jint(res, "total"), PER_THREAD);
	assert_int_equal(json_array_size(json_object_get(res, "entries")), 5);
	assert_int_equal(jint(json_object_get(json_array_get(json_object_get(res, "entries"), 4),
	    "query"), "n"), PER_THREAD - 1);
	json_decref(res);

	assert_int_equal(audit_verify(a, NULL, NULL), 0);
	res = query(a, "{\"verify\": true, \"limit\": 0}");
	assert_true(json_is_true(json_object_get(res, "verified")));
	assert_int_equal(json_array_size(json_object_get(res, "problems")), 0);
	assert_int_equal(json_array_size(json_object_get(res, "entries")), 0);
	json_decref(res);
	audit_close(a);

	/* reopened: the same log, appended on top */
	assert_int_equal(audit_open(&a, &h.cfg), 0);
	append(a, "later", "whoami", "{}", 0, 1);
	res = query(a, "{\"order\": \"desc\", \"limit\": 1}");
	assert_int_equal(jint(res, "size"), THREADS * PER_THREAD + 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "entries"), 0), "who")), "later");
	json_decref(res);
	audit_close(a);
}

/* ---- a flipped byte ------------------------------------------------------ */

struct problems {
	int n;
	int leaf;
};

static void
on_problem(void *ctx, const char *what)
{
	struct problems *p = ctx;

	p->n++;
	if (strstr(what, "leaf 3") != NULL)
		p->leaf = 1;
}

static void
test_tamper(void **state)
{
	struct home h;
	struct audit *a = NULL;
	struct problems p = { 0 };
	char path[700], *buf, *hit;
	const char *marker = "tamper-marker-Q7";
	FILE *f;
	long len;
	json_t *res;
	int i;

	(void)state;
	home_new(&h);
	assert_int_equal(audit_open(&a, &h.cfg), 0);
	for (i = 0; i < 8; i++)
		append(a, i == 3 ? marker : "local:root", "query", "{\"by\":\"code\"}", 0, i == 7);
	audit_close(a);

	/* flip one byte of leaf 3, behind the log's back */
	snprintf(path, sizeof(path), "%s/data.mdb", h.store);
	assert_non_null(f = fopen(path, "r+b"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_non_null(buf = malloc((size_t)len));
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	hit = memmem(buf, (size_t)len, marker, strlen(marker));
	assert_non_null(hit);
	assert_null(memmem(hit + 1, (size_t)len - (size_t)(hit + 1 - buf), marker, strlen(marker)));
	fseek(f, (long)(hit - buf) + 15, SEEK_SET);
	fputc('8', f);
	fclose(f);
	free(buf);

	assert_int_equal(audit_open_dir(&a, h.store, h.pub), 0);
	assert_int_equal(audit_verify(a, on_problem, &p), CX_ECORRUPT);
	assert_true(p.n >= 1);
	assert_true(p.leaf);
	res = query(a, "{\"verify\": true}");
	assert_true(json_is_false(json_object_get(res, "verified")));
	assert_true(json_array_size(json_object_get(res, "problems")) >= 1);
	json_decref(res);
	/* appending to a read-only copy is refused */
	{
		Cx__AuditEntry e;
		uint8_t d[32];

		entry_init(&e, "x", "query", "{}", 0, d);
		assert_int_equal(audit_append(a, &e, 1), CX_EPERM);
	}
	audit_close(a);

	/* the key of another log does not verify this one's checkpoints */
	{
		struct home other;
		struct audit *b = NULL;

		home_new(&other);
		assert_int_equal(audit_open(&b, &other.cfg), 0);
		audit_close(b);
		assert_int_equal(audit_open_dir(&a, h.store, other.pub), 0);
		p.n = 0;
		assert_int_equal(audit_verify(a, on_problem, &p), CX_ECORRUPT);
		assert_true(p.n >= 1);
		audit_close(a);
	}
}

/* ---- two processes ------------------------------------------------------- */

#define TURNS 20
#define BURST 200

static int
child_main(struct home *h, int rd, int wr)
{
	struct audit *a = NULL;
	Cx__AuditEntry e;
	uint8_t d[32];
	char q[32], c;
	int i;

	if (audit_open(&a, &h->cfg) != 0) {
		fprintf(stderr, "child: audit_open: %s\n", cx_lasterr());
		return 10;
	}
	for (i = 0; i < TURNS; i++) {
		if (read(rd, &c, 1) != 1)
			return 11;
		snprintf(q, sizeof(q), "{\"n\":%d}", i);
		entry_init(&e, "child", "query", q, 0, d);
		if (audit_append(a, &e, 1) != 0)
			return 12;
		if (write(wr, "c", 1) != 1)
			return 13;
	}
	/* then both at once, without waiting */
	if (read(rd, &c, 1) != 1)
		return 14;
	for (i = 0; i < BURST; i++) {
		snprintf(q, sizeof(q), "{\"n\":%d}", TURNS + i);
		entry_init(&e, "child", "query", q, 0, d);
		if (audit_append(a, &e, 0) != 0)
			return 15;
	}
	if (audit_flush(a) != 0)
		return 16;
	audit_close(a);
	return 0;
}

static void
test_two_processes(void **state)
{
	struct home h;
	struct audit *a = NULL;
	int p2c[2], c2p[2], i, status, n[2] = { 0, 0 };
	pid_t pid;
	json_t *res, *e;
	size_t k;
	char c, q[32];

	(void)state;
	home_new(&h);
	assert_int_equal(pipe(p2c), 0);
	assert_int_equal(pipe(c2p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p2c[1]);
		close(c2p[0]);
		alarm(120);     /* never outlive a parent that failed */
		_exit(child_main(&h, p2c[0], c2p[1]));
	}
	close(p2c[0]);
	close(c2p[1]);
	/* both open a new home at once: one key, one log */
	if (audit_open(&a, &h.cfg) != 0)
		fail_msg("audit_open: %s", cx_lasterr());
	for (i = 0; i < TURNS; i++) {
		snprintf(q, sizeof(q), "{\"n\":%d}", i);
		append(a, "parent", "query", q, 0, 1);
		assert_int_equal(write(p2c[1], "p", 1), 1);
		assert_int_equal(read(c2p[0], &c, 1), 1);
	}
	assert_int_equal(write(p2c[1], "p", 1), 1);
	for (i = 0; i < BURST; i++) {
		snprintf(q, sizeof(q), "{\"n\":%d}", TURNS + i);
		append(a, "parent", "query", q, 0, 0);
	}
	assert_int_equal(audit_flush(a), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(p2c[1]);
	close(c2p[0]);

	res = query(a, "{\"limit\": 1000}");
	assert_int_equal(jint(res, "size"), 2 * (TURNS + BURST));
	json_array_foreach(json_object_get(res, "entries"), k, e) {
		const char *who = json_string_value(json_object_get(e, "who"));
		int w = strcmp(who, "child") == 0;

		/* in turn: parent, child, parent, ...; then any interleaving,
		 * each process's own in order */
		if (k < 2 * TURNS)
			assert_int_equal(w, (int)(k % 2));
		assert_int_equal(jint(json_object_get(e, "query"), "n"), n[w]);
		n[w]++;
	}
	assert_int_equal(n[0], TURNS + BURST);
	assert_int_equal(n[1], TURNS + BURST);
	json_decref(res);
	assert_int_equal(audit_verify(a, NULL, NULL), 0);
	audit_close(a);
}

/* ---- filters, paging, one entry ----------------------------------------- */

static uint64_t
utc_ms(uint32_t ymd, int h, int m, int s, int ms)
{
	return ((uint64_t)date_days(ymd) * 86400 + (uint64_t)(h * 3600 + m * 60 + s)) * 1000 +
	    (uint64_t)ms;
}

static void
test_filters(void **state)
{
	struct home h;
	struct audit *a = NULL;
	json_t *res, *p, *e;
	uint64_t size;
	tlog_hash root, lh, proof[TLOG_MAX_PROOF];
	uint8_t leaf[1024];
	size_t ll, i;

	(void)state;
	home_new(&h);
	assert_int_equal(audit_open(&a, &h.cfg), 0);
	/* around 2026-11-22 in China time (UTC+8) */
	append(a, "cl-a", "query", "{\"by\":\"code\"}", utc_ms(20261121, 15, 59, 59, 999), 0);
	append(a, "cl-b", "report", "{\"by\":\"name\"}", utc_ms(20261121, 16, 0, 0, 0), 0);
	append(a, "cl-a", "query", "{\"by\":\"id_number\",\"value\":\"110105********002X\"}",
	    utc_ms(20261122, 15, 59, 59, 999), 0);
	{
		Cx__AuditEntry e2;
		uint8_t d[32];

		entry_init(&e2, "cl-m", "query", "{}", utc_ms(20261122, 16, 0, 0, 0), d);
		e2.role = "monitor";
		e2.via = "nng";
		e2.status = 11;
		e2.detail = "monitor may not query";
		e2.answer_digest.len = 0;
		assert_int_equal(audit_append(a, &e2, 1), 0);
	}

	res = query(a, "{\"from\": \"2026-11-22\", \"to\": \"2026-11-22\"}");
	assert_int_equal(jint(res, "total"), 2);
	assert_int_equal(jint(json_array_get(json_object_get(res, "entries"), 0), "index"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "entries"), 0), "time")), "2026-11-21T16:00:00.000Z");
	json_decref(res);
	res = query(a, "{\"from\": \"2026-11-22T08:00:00+08:00\"}");
	assert_int_equal(jint(res, "total"), 2);
	json_decref(res);
	res = query(a, "{\"to\": \"2026-11-21T16:00:00Z\"}");
	assert_int_equal(jint(res, "total"), 2);
	json_decref(res);
	res = query(a, "{\"to\": \"2026-11-21T15:59:59.999Z\"}");
	assert_int_equal(jint(res, "total"), 1);
	json_decref(res);
	res = query(a, "{\"who\": \"cl-a\", \"method\": \"query\"}");
	assert_int_equal(jint(res, "total"), 2);
	/* the query comes back as JSON, as it was stored (masked upstream) */
	e = json_array_get(json_object_get(res, "entries"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "query"),
	    "value")), "110105********002X");
	json_decref(res);
	res = query(a, "{\"role\": \"monitor\", \"via\": \"nng\"}");
	assert_int_equal(jint(res, "total"), 1);
	e = json_array_get(json_object_get(res, "entries"), 0);
	assert_int_equal(jint(e, "status"), 11);
	assert_string_equal(json_string_value(json_object_get(e, "detail")), "monitor may not query");
	assert_string_equal(json_string_value(json_object_get(e, "answer_digest")), "");
	json_decref(res);
	/* paging, newest first, strings as a query string gives them */
	res = query(a, "{\"offset\": \"1\", \"limit\": \"2\", \"order\": \"desc\"}");
	assert_int_equal(jint(res, "total"), 4);
	assert_int_equal(jint(res, "offset"), 1);
	assert_int_equal(json_array_size(json_object_get(res, "entries")), 2);
	assert_int_equal(jint(json_array_get(json_object_get(res, "entries"), 0), "index"), 2);
	json_decref(res);
	res = query(a, "{\"limit\": 5000}");
	assert_int_equal(json_array_size(json_object_get(res, "entries")), 4);
	json_decref(res);
	res = query(a, NULL);
	assert_int_equal(jint(res, "total"), 4);
	json_decref(res);

	/* bad parameters */
	{
		static const char *const bad[] = {
			"{\"from\": \"yesterday\"}", "{\"to\": \"2026-11-22T25:00:00Z\"}",
			"{\"from\": \"2026-11-22T10:00:00\"}", "{\"limit\": -1}",
			"{\"offset\": \"x\"}", "{\"who\": 3}", "{\"order\": \"up\"}",
			"{\"verify\": \"maybe\"}", "[]",
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_t *pp = json_loads(bad[i], 0, NULL), *r = NULL;

			assert_non_null(pp);
			assert_int_equal(audit_query(a, pp, &r), CX_EINVAL);
			assert_null(r);
			json_decref(pp);
		}
	}

	/* one entry, with its leaf and inclusion proof */
	res = query(a, "{\"index\": 2}");
	checkpoint_of(res, h.pub, &size, root);
	assert_int_equal(size, 4);
	e = json_array_get(json_object_get(res, "entries"), 0);
	assert_int_equal(jint(e, "index"), 2);
	assert_int_equal(b64_decode(leaf, sizeof(leaf), &ll, json_string_value(json_object_get(e,
	    "leaf")), json_string_length(json_object_get(e, "leaf"))), 0);
	tlog_leaf_hash(lh, leaf, ll);
	p = json_object_get(e, "proof");
	for (i = 0; i < json_array_size(p); i++)
		assert_int_equal(hex_decode(proof[i], TLOG_HASH_LEN,
		    json_string_value(json_array_get(p, i)), 64), 0);
	assert_int_equal(tlog_check_inclusion(proof, json_array_size(p), size, 2, root, lh), 0);
	assert_int_equal(tlog_check_inclusion(proof, json_array_size(p), size, 1, root, lh),
	    CX_EPROOF);
	json_decref(res);
	{
		json_t *pp = json_pack("{s:i}", "index", 4), *r = NULL;

		assert_int_equal(audit_query(a, pp, &r), CX_ENOTFOUND);
		json_decref(pp);
	}
	audit_close(a);
}

/* ---- a checkpoint kept from earlier -------------------------------------- */

static void
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void
test_kept_checkpoint(void **state)
{
	struct home h;
	struct audit *a = NULL, *old = NULL;
	json_t *res;
	char *early, *late, copy[700], f1[800], f2[800];
	int i;

	(void)state;
	home_new(&h);
	assert_int_equal(audit_open(&a, &h.cfg), 0);
	for (i = 0; i < 5; i++)
		append(a, "local:root", "query", "{}", 0, i == 4);
	res = query(a, "{\"limit\": 0}");
	early = strdup(json_string_value(json_object_get(res, "checkpoint")));
	json_decref(res);
	assert_int_equal(audit_flush(a), 0);
	/* a copy of the store as it is now (LMDB's file, quiescent) */
	snprintf(copy, sizeof(copy), "%s/copy", h.dir);
	assert_int_equal(mkdir(copy, 0700), 0);
	snprintf(f1, sizeof(f1), "%s/data.mdb", h.store);
	snprintf(f2, sizeof(f2), "%s/data.mdb", copy);
	copy_file(f1, f2);
	for (i = 0; i < 5; i++)
		append(a, "local:root", "query", "{}", 0, i == 4);
	res = query(a, "{\"limit\": 0}");
	late = strdup(json_string_value(json_object_get(res, "checkpoint")));
	json_decref(res);

	assert_int_equal(audit_check_checkpoint(a, early, strlen(early)), 0);
	assert_int_equal(audit_check_checkpoint(a, late, strlen(late)), 0);
	{
		json_t *pp = json_pack("{s:s}", "checkpoint", early), *r = NULL;

		assert_int_equal(audit_query(a, pp, &r), 0);
		assert_true(json_is_true(json_object_get(r, "verified")));
		json_decref(r);
		json_decref(pp);
	}
	/* the older copy does not hold the later checkpoint's tree */
	assert_int_equal(audit_open_dir(&old, copy, h.pub), 0);
	assert_int_equal(audit_check_checkpoint(old, early, strlen(early)), 0);
	assert_int_equal(audit_check_checkpoint(old, late, strlen(late)), CX_EFORK);
	{
		json_t *pp = json_pack("{s:s}", "checkpoint", late), *r = NULL;

		assert_int_equal(audit_query(old, pp, &r), 0);
		assert_true(json_is_false(json_object_get(r, "verified")));
		json_decref(r);
		json_decref(pp);
	}
	audit_close(old);
	/* a signature changed: not this log's checkpoint */
	{
		char *sig = strstr(late, "\n\n") + 20;

		*sig = *sig == 'A' ? 'B' : 'A';
		assert_int_not_equal(audit_check_checkpoint(a, late, strlen(late)), 0);
	}
	free(early);
	free(late);
	audit_close(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_kept_checkpoint),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
