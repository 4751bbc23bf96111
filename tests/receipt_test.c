/*
 * receipt_test.c — screening receipts and dedicated credit reports
 * (node/receipt.c, node/report.c) over stores in temporary directories.
 *
 * Two cities' logs (hangzhou, jiaxing) with signed checkpoints, one of
 * them cosigned, and a roster naming both: receipts and reports are made
 * from real answers, verified with the roster alone and against other
 * stores (the same data, more data, different data), and every single
 * byte of one changed must make it fail. The keys are fixed, so that the
 * documents written for the fuzz corpus (CXNODE_RECEIPT_CORPUS=DIR) verify
 * with the roster the fuzz target builds from the same verifiers
 * (CXNODE_RECEIPT_ROSTER=FILE writes that roster, signed, for trying the
 * commands on them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credit/codes.h"
#include "ingest/json.h"
#include "keys/cosig.h"
#include "keys/keys.h"
#include "keys/note.h"
#include "keys/roster.h"
#include "node/fed.h"
#include "node/node.h"
#include "node/receipt.h"
#include "node/report.h"
#include "node/role.h"
#include "node/screen.h"
#include "store/store.h"
#include "util/err.h"

static const char *const sk_root =
    "PRIVATE+KEY+g60-root+da6b2e20+ASjwK25T1HP/h6hZ9fv2r/bjqezccLp5/Y+xISoREiw9";
static const char *const sk_hz =
    "PRIVATE+KEY+hangzhou+0532569a+AX/PHz5AvyTd9BQGZmPScU69pQ+XGemIBlTF+FU9lAbc";
static const char *const sk_jx =
    "PRIVATE+KEY+jiaxing+ddedd3f9+Aeh1Pr5PO4lTbNU735OWivuSFuGHT7eX3jlNixenx4Ih";
static const char *const sk_hf =
    "PRIVATE+KEY+hefei+289c4ec3+AVM7Ah++lZaWJBSd/IniK19XPUpwbeCzMAzqp97a/U6y";
static const char *const vk_hz = "hangzhou+0532569a+ARCXzzfnBf0M9lT44pD2srxqCfeMG7reGAui9B3k41D5";
static const char *const vk_jx = "jiaxing+ddedd3f9+AbPNyFiJE4hj/DQ3K7QDWEudyJOJBEjpLjXhQT1VPeHt";

#define HZ_ORIGIN "g60.cxnode/hangzhou"
#define JX_ORIGIN "g60.cxnode/jiaxing"
#define NOW 1795000000ull      /* 2026-11-18T11:06:40Z */
#define CODE "91330100MA2H12349U"
#define PID "330106199001011234"

#define COMPANY "\"subject\":{\"category\":\"legal_person\",\"name\":\"杭州示例科技有限公司\"," \
    "\"credit_code\":\"" CODE "\",\"legal_rep\":\"张三\"}"
#define PERSON "\"subject\":{\"category\":\"natural_person\",\"name\":\"李四\"," \
    "\"id_type\":\"resident_id\",\"id_number\":\"" PID "\"}"
#define SAMR "\"authority\":{\"name\":\"杭州市市场监督管理局\",\"credit_code\":\"11330100002532107U\"}"
#define TAX  "\"authority\":{\"name\":\"国家税务总局杭州市税务局\",\"credit_code\":\"11330100002532115N\"}"
#define PENALTY(id, subj, no) "{\"record_id\":\"" id "\",\"kind\":\"penalty\"," subj "," SAMR "," \
    "\"sector\":\"market\",\"severity\":\"general\",\"decision_date\":\"2026-01-10\"," \
    "\"penalty\":{\"decision_no\":\"" no "\",\"violation_type\":\"虚假宣传\"," \
    "\"facts\":\"发布虚假广告\",\"basis\":\"《中华人民共和国反不正当竞争法》第八条\"," \
    "\"types\":[\"fine\"],\"content\":\"罚款5万元\",\"fine_fen\":5000000}}"
#define LIST(id) "{\"record_id\":\"" id "\",\"kind\":\"dishonest_list\"," COMPANY "," TAX "," \
    "\"sector\":\"tax\",\"severity\":\"serious\",\"decision_date\":\"2026-05-01\"," \
    "\"list_entry\":{\"list_type\":\"重大税收违法失信主体名单\",\"reason\":\"虚开增值税专用发票\"," \
    "\"measures\":[\"限制高消费\",\"禁止参与政府采购\"],\"decision_no\":\"杭税稽〔2026〕3号\"}}"
#define REPAIR(id, target) "{\"record_id\":\"" id "\",\"kind\":\"status_change\"," COMPANY "," \
    SAMR ",\"decision_date\":\"2026-06-25\",\"change\":{\"type\":\"repair\"," \
    "\"target\":{\"record_id\":\"" target "\",\"index\":2},\"effective_date\":\"2026-07-01\"," \
    "\"reason\":\"已履行行政处罚决定\",\"decision_no\":\"杭信修〔2026〕5号\"}}"

static const char *const hz_records[] = {
	LIST("hz-l-1"),
	PENALTY("hz-p-1", PERSON, "杭市监罚〔2026〕1号"),
	PENALTY("hz-p-2", COMPANY, "杭市监罚〔2026〕2号"),
	REPAIR("hz-r-1", "hz-p-2"),
};
static const char *const jx_records[] = {
	PENALTY("jx-p-1", COMPANY, "嘉市监罚〔2026〕7号"),
};
/* more of Hangzhou's, published after the receipts were made */
static const char *const hz_more[] = {
	PENALTY("hz-p-3", COMPANY, "杭市监罚〔2026〕3号"),
};
/* what another node holds under Hangzhou's origin: a different second record */
static const char *const hz_forged[] = {
	LIST("hz-l-1"),
	PENALTY("hz-p-1", PERSON, "杭市监罚〔2026〕99号"),
	PENALTY("hz-p-2", COMPANY, "杭市监罚〔2026〕2号"),
	REPAIR("hz-r-1", "hz-p-2"),
};

/* ---- fixture ------------------------------------------------------------------ */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

struct node_fx {
	char dir[256];
	store *st;
	uint32_t hz, jx;
};

static struct {
	keys_key *root, *hz, *jx, *hf;
	Cx__Roster *roster;
	struct grades *g;
	struct node_fx a;      /* the answering node */
} F;

struct fx_signer {
	keys_key *k;
	const char *origin;
};

static int
fx_sign(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct fx_signer *s = ctx;
	char *text = NULL;
	size_t tl;
	int rc;

	if ((rc = tlog_checkpoint_format(&text, &tl, s->origin, size, root)) != 0)
		return rc;
	rc = note_sign(note, len, text, tl, &s->k, 1);
	free(text);
	return rc;
}

static void
fx_append(store *st, uint32_t log, keys_key *k, const char *origin, const char *const *recs,
    size_t n)
{
	struct store_leaf lv[8];
	uint8_t *bufs[8];
	struct fx_signer sg = { k, origin };
	uint64_t size;
	store_txn *t;
	size_t i;

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		Cx__Record *r = NULL;
		size_t len;

		assert_int_equal(json_to_record(&r, recs[i], strlen(recs[i]), NULL, 0), 0);
		len = cx__record__get_packed_size(r);
		bufs[i] = malloc(len);
		assert_non_null(bufs[i]);
		cx__record__pack(r, bufs[i]);
		lv[i].data = bufs[i];
		lv[i].len = len;
		lv[i].hash = NULL;
		json_record_free(r);
	}
	assert_int_equal(store_read_begin(&t, st), 0);
	assert_int_equal(store_txn_log_size(t, log, &size), 0);
	store_read_end(t);
	assert_int_equal(store_append(st, log, size, lv, n, fx_sign, &sg), 0);
	for (i = 0; i < n; i++)
		free(bufs[i]);
}

/* witness cosigns the latest checkpoint of log, stored as a node stores it */
static void
fx_cosign(store *st, uint32_t log, keys_key *witness)
{
	const char *note;
	size_t len, textlen, ll, kl;
	uint64_t size;
	char *line = NULL;
	uint8_t key[64];
	store_txn *t;
	struct store_aux_op op;

	assert_int_equal(store_read_begin(&t, st), 0);
	assert_int_equal(store_checkpoint(t, log, 0, &note, &len, &size), 0);
	assert_int_equal(note_text(note, len, &textlen), 0);
	assert_int_equal(cosig_sign(&line, &ll, witness, note, textlen, NOW - 60), 0);
	store_read_end(t);
	kl = fed_key_cosig(key, sizeof(key), log, size, keys_name(witness));
	assert_true(kl > 0);
	memset(&op, 0, sizeof(op));
	op.key = key;
	op.klen = kl;
	op.val = line;
	op.vlen = ll;
	assert_int_equal(store_aux_write(st, &op, 1), 0);
	free(line);
}

static void
fx_node(struct node_fx *n, const char *const *hz, size_t nhz, int with_jx)
{
	const char *tmp = getenv("TMPDIR");
	struct store_opts o = { 0, 0, 1 };
	char sd[300];

	snprintf(n->dir, sizeof(n->dir), "%s/cxnode-receipt-test-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(n->dir));
	snprintf(sd, sizeof(sd), "%s/store", n->dir);
	assert_int_equal(store_open(&n->st, sd, &o), 0);
	store_set_indexer(n->st, idx_indexer, NULL);
	assert_int_equal(store_log_create(n->st, &n->hz, HZ_ORIGIN, "hangzhou", vk_hz), 0);
	fx_append(n->st, n->hz, F.hz, HZ_ORIGIN, hz, nhz);
	fx_cosign(n->st, n->hz, F.jx);
	if (with_jx) {
		assert_int_equal(store_log_create(n->st, &n->jx, JX_ORIGIN, "jiaxing", vk_jx), 0);
		fx_append(n->st, n->jx, F.jx, JX_ORIGIN, jx_records, 1);
		fx_cosign(n->st, n->jx, F.hz);
	}
}

static void
fx_node_close(struct node_fx *n)
{
	store_close(n->st);
	nftw(n->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
setup(void **state)
{
	Cx__MemberKey mk[3] = { CX__MEMBER_KEY__INIT, CX__MEMBER_KEY__INIT, CX__MEMBER_KEY__INIT };
	Cx__MemberKey *mkp[3] = { &mk[0], &mk[1], &mk[2] };
	Cx__Member m[3] = { CX__MEMBER__INIT, CX__MEMBER__INIT, CX__MEMBER__INIT };
	Cx__Member *mp[3] = { &m[0], &m[1], &m[2] };
	Cx__Roster ro = CX__ROSTER__INIT;
	keys_key *pub;
	char *v[3];
	uint8_t *buf = NULL;
	size_t len, i;

	(void)state;
	setenv("CXNODE_TODAY", "2026-11-22", 1);
	assert_int_equal(keys_from_signer(&F.root, sk_root), 0);
	assert_int_equal(keys_from_signer(&F.hz, sk_hz), 0);
	assert_int_equal(keys_from_signer(&F.jx, sk_jx), 0);
	assert_int_equal(keys_from_signer(&F.hf, sk_hf), 0);
	assert_int_equal(keys_verifier(&v[0], F.hz), 0);
	assert_int_equal(keys_verifier(&v[1], F.jx), 0);
	assert_int_equal(keys_verifier(&v[2], F.hf), 0);
	assert_string_equal(v[0], vk_hz);
	for (i = 0; i < 3; i++) {
		mk[i].verifier = v[i];
		m[i].keys = &mkp[i];
		m[i].n_keys = 1;
	}
	m[0].id = "hangzhou";
	m[0].region = "330100";
	m[0].origin = HZ_ORIGIN;
	m[1].id = "jiaxing";
	m[1].region = "330400";
	m[1].origin = JX_ORIGIN;
	m[2].id = "hefei";
	m[2].region = "340100";
	m[2].origin = "g60.cxnode/hefei";
	ro.federation = "g60";
	ro.version = 1;
	ro.members = mp;
	ro.n_members = 3;
	assert_int_equal(roster_sign(&buf, &len, &ro, F.root), 0);
	if (getenv("CXNODE_RECEIPT_ROSTER") != NULL) {
		FILE *rf = fopen(getenv("CXNODE_RECEIPT_ROSTER"), "wb");

		assert_non_null(rf);
		assert_int_equal(fwrite(buf, 1, len, rf), len);
		fclose(rf);
	}
	assert_int_equal(keys_from_verifier(&pub, "g60-root+da6b2e20+ATyCCkJUDJ35mIcLCEPFhrOfQBooNTc7gJ4yJCi632X/"), 0);
	assert_int_equal(roster_open(&F.roster, buf, len, pub), 0);
	keys_free(pub);
	free(buf);
	for (i = 0; i < 3; i++)
		free(v[i]);
	assert_int_equal(grades_load(&F.g, NULL), 0);
	fx_node(&F.a, hz_records, 4, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fx_node_close(&F.a);
	grades_free(F.g);
	roster_free(F.roster);
	keys_free(F.root);
	keys_free(F.hz);
	keys_free(F.jx);
	keys_free(F.hf);
	return 0;
}

/* The answer of node n to params with role's permissions; the view too. */
static json_t *
fx_answer(struct node_fx *n, struct screen_view *v, const char *params, int role)
{
	struct screen_query q;
	json_t *p = json_loads(params, 0, NULL), *a = NULL;
	store_txn *t;

	assert_non_null(p);
	assert_int_equal(screen_query_parse(&q, p), 0);
	json_decref(p);
	assert_int_equal(store_read_begin(&t, n->st), 0);
	assert_int_equal(screen_view_latest(v, t, n->st), 0);
	assert_int_equal(screen_answer(&a, t, v, F.g, &q, role_perms(role)), 0);
	store_read_end(t);
	return a;
}

static json_t *
fx_receipt(const char *params, int role, const char *who)
{
	struct screen_view v;
	json_t *a = fx_answer(&F.a, &v, params, role), *r = NULL;

	assert_int_equal(receipt_make(&r, F.hz, "hangzhou", &v, a, who, role_name(role), NOW), 0);
	json_decref(a);
	screen_view_free(&v);
	return r;
}

static json_t *
fx_report(const char *params, int role, const char *who)
{
	struct screen_view v;
	json_t *a = fx_answer(&F.a, &v, params, role), *r = NULL;
	store_txn *t;

	assert_int_equal(store_read_begin(&t, F.a.st), 0);
	assert_int_equal(report_make(&r, F.hz, "hangzhou", t, &v, a, who, role_name(role), NOW), 0);
	store_read_end(t);
	json_decref(a);
	screen_view_free(&v);
	return r;
}

/* Verify receipt doc against node n (NULL: roster only). */
static int
fx_verify(const json_t *doc, struct node_fx *n, const char *id, json_t **res)
{
	struct receipt_node nd = { 0 };
	store_txn *t = NULL;
	json_t *r = NULL;
	int rc;

	if (n != NULL) {
		assert_int_equal(store_read_begin(&t, n->st), 0);
		nd.st = n->st;
		nd.t = t;
		nd.g = F.g;
		nd.id_number = id;
	}
	rc = receipt_verify(&r, doc, F.roster, n ? &nd : NULL);
	store_read_end(t);
	if (res != NULL)
		*res = r;
	else
		json_decref(r);
	return rc;
}

static int
fx_has_problem(const json_t *r, const char *what)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(r, "problems"), i, v)
		if (strstr(json_string_value(v), what) != NULL)
			return 1;
	return 0;
}

static void
fx_corpus(const char *name, const char *data, size_t len)
{
	const char *dir = getenv("CXNODE_RECEIPT_CORPUS");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* ---- the statement ------------------------------------------------------------- */

static void
test_statement(void **state)
{
	struct receipt_log logs[2] = { { HZ_ORIGIN, 12, { 1 } }, { JX_ORIGIN, 0, { 2 } } };
	struct receipt_stmt s = {
		.kind = RECEIPT_SCREENING, .node = "hangzhou", .time = NOW, .who = "local:root",
		.role = "operator", .ids_shown = 0,
		.query = "{\"as_of\":\"2026-11-22\",\"by\":\"code\",\"value\":\"" CODE "\"}",
		.grades_digest = "abcd", .grades_version = "builtin-1", .logs = logs, .nlogs = 2,
	}, p;
	static const char *const bad[] = {
		"",
		"cxnode screening receipt v2\n",
		"node hangzhou\n",
	};
	char *text = NULL, *mut;
	size_t len, i;

	(void)state;
	assert_int_equal(receipt_stmt_format(&text, &len, &s), 0);
	assert_non_null(strstr(text, "cxnode screening receipt v1\nnode hangzhou\n"
	    "time 2026-11-18T11:06:40Z\nwho local:root\nrole operator\nids masked\n"));
	assert_int_equal(receipt_stmt_parse(&p, text, len), 0);
	assert_int_equal(p.kind, RECEIPT_SCREENING);
	assert_int_equal(p.time, NOW);
	assert_int_equal(p.nlogs, 2);
	assert_string_equal(p.logs[1].origin, JX_ORIGIN);
	assert_int_equal(p.logs[0].size, 12);
	assert_memory_equal(p.logs[0].root, logs[0].root, 32);
	assert_string_equal(p.query, s.query);
	assert_string_equal(p.grades_version, "builtin-1");
	receipt_stmt_free(&p);
	fx_corpus("stmt.txt", text, len);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(receipt_stmt_parse(&p, bad[i], strlen(bad[i])), CX_EFORMAT);
	/* every single-byte change breaks the one form a statement has, or
	 * changes what it says (then formatting it gives the changed text) */
	assert_non_null(mut = malloc(len));
	for (i = 0; i < len; i++) {
		char *again = NULL;
		size_t alen;

		memcpy(mut, text, len);
		mut[i] ^= 0x01;
		if (receipt_stmt_parse(&p, mut, len) != 0)
			continue;
		assert_int_equal(receipt_stmt_format(&again, &alen, &p), 0);
		assert_int_equal(alen, len);
		assert_memory_equal(again, mut, len);
		free(again);
		receipt_stmt_free(&p);
	}
	free(mut);
	free(text);
	/* not sorted, not canonical, a bad time */
	logs[1].origin = "a";
	assert_int_equal(receipt_stmt_format(&text, &len, &s), CX_EINVAL);
	logs[1].origin = JX_ORIGIN;
	s.query = "{\"value\":1, \"by\":2}";
	assert_int_equal(receipt_stmt_format(&text, &len, &s), CX_EINVAL);
	text = "cxnode screening receipt v1\nnode a\ntime 2026-02-30T00:00:00Z\n";
	assert_int_equal(receipt_stmt_parse(&p, text, strlen(text)), CX_EFORMAT);
}

/* ---- receipts -------------------------------------------------------------------- */

static void
test_receipt(void **state)
{
	json_t *r, *res = NULL;
	char *s;

	(void)state;
	r = fx_receipt("{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\"}",
	    ROLE_REGULATOR, "cl-regulator");
	assert_int_equal(fx_verify(r, NULL, NULL, &res), 0);
	assert_true(json_is_true(json_object_get(res, "valid")));
	assert_null(json_object_get(res, "confirmed"));
	assert_false(json_is_true(json_object_get(res, "negative")));
	assert_string_equal(json_string_value(json_object_get(res, "who")), "cl-regulator");
	/* Hangzhou's checkpoint carries Jiaxing's cosignature, and the reverse */
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(
	    json_object_get(res, "logs"), 0), "cosigned_by"), 0)), "jiaxing");
	json_decref(res);
	assert_int_equal(fx_verify(r, &F.a, NULL, &res), 0);
	assert_true(json_is_true(json_object_get(res, "confirmed")));
	json_decref(res);
	s = json_dumps(r, JSON_COMPACT);
	fx_corpus("receipt.json", s, strlen(s));
	free(s);
	json_decref(r);

	/* a negative answer: confirmed too */
	r = fx_receipt("{\"by\":\"code\",\"value\":\"91330100MA2H00000X\",\"as_of\":\"2026-11-22\"}",
	    ROLE_PUBLIC, "cl-public");
	assert_int_equal(fx_verify(r, &F.a, NULL, &res), 0);
	assert_true(json_is_true(json_object_get(res, "negative")));
	assert_true(json_is_true(json_object_get(res, "confirmed")));
	json_decref(res);
	json_decref(r);

	/* the wrong node's key: hefei signs what claims to be hangzhou's */
	{
		struct screen_view v;
		json_t *a = fx_answer(&F.a, &v, "{\"by\":\"code\",\"value\":\"" CODE "\"}",
		    ROLE_REGULATOR);

		assert_int_equal(receipt_make(&r, F.hf, "hangzhou", &v, a, "x", "regulator", NOW), 0);
		assert_int_equal(fx_verify(r, NULL, NULL, &res), CX_EBADSIG);
		assert_true(fx_has_problem(res, "signature of hangzhou"));
		json_decref(res);
		json_decref(r);
		json_decref(a);
		screen_view_free(&v);
	}
}

/* Bytes to step by in the every-byte loops: all of them, but a sample
 * under valgrind (tens of thousands of verifications). */
static size_t
fx_step(void)
{
	const char *v = getenv("CXNODE_VALGRIND");

	return v != NULL && strcmp(v, "1") == 0 ? 61 : 1;
}

/* Every single-byte change of a document's compact form makes verify fail. */
static void
fx_every_byte(const json_t *doc, int report)
{
	char *s = json_dumps(doc, JSON_COMPACT), *m;
	size_t len = strlen(s), i, k;
	static const uint8_t flips[] = { 0x01, 0x20 };
	size_t nflips = report ? 1 : 2;   /* a report: one change a byte (time) */

	assert_non_null(m = malloc(len));
	for (i = 0; i < len; i += fx_step())
		for (k = 0; k < nflips; k++) {
			json_t *d, *res = NULL;
			int rc;

			memcpy(m, s, len);
			m[i] ^= (char)flips[k];
			if (report) {
				rc = report_verify_bytes(&res, m, len, F.roster);
			} else {
				if ((d = json_loadb(m, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
					continue;
				rc = fx_verify(d, NULL, NULL, &res);
				json_decref(d);
			}
			if (rc == 0)
				fail_msg("byte %zu ^ 0x%02x still verifies: ...%.40s...", i, flips[k],
				    m + (i > 20 ? i - 20 : 0));
			json_decref(res);
		}
	free(m);
	free(s);
}

static void
test_receipt_bytes(void **state)
{
	json_t *r = fx_receipt("{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\"}",
	    ROLE_REGULATOR, "cl-regulator");

	(void)state;
	fx_every_byte(r, 0);
	json_decref(r);
}

static void
test_receipt_other_nodes(void **state)
{
	struct node_fx b, c;
	json_t *r, *res;
	const char *why;

	(void)state;
	r = fx_receipt("{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\",\"history\":true}",
	    ROLE_REGULATOR, "cl-regulator");
	/* the same data, then more of it: the view by sizes still confirms */
	fx_node(&b, hz_records, 4, 1);
	assert_int_equal(fx_verify(r, &b, NULL, NULL), 0);
	fx_append(b.st, b.hz, F.hz, HZ_ORIGIN, hz_more, 1);
	assert_int_equal(fx_verify(r, &b, NULL, &res), 0);
	assert_true(json_is_true(json_object_get(res, "confirmed")));
	json_decref(res);
	/* the answering node itself, after publishing more */
	fx_append(F.a.st, F.a.hz, F.hz, HZ_ORIGIN, hz_more, 1);
	assert_int_equal(fx_verify(r, &F.a, NULL, NULL), 0);
	fx_node_close(&b);

	/* a node without Jiaxing's log cannot confirm */
	fx_node(&c, hz_records, 4, 0);
	assert_int_equal(fx_verify(r, &c, NULL, &res), CX_EBADSIG);
	assert_true(json_is_true(json_object_get(res, "valid")));
	assert_true(json_is_false(json_object_get(res, "confirmed")));
	json_decref(res);
	fx_node_close(&c);

	/* a node holding different data under Hangzhou's origin */
	fx_node(&c, hz_forged, 4, 1);
	assert_int_equal(fx_verify(r, &c, NULL, &res), CX_EBADSIG);
	assert_true(json_is_true(json_object_get(res, "valid")));
	assert_true(json_is_false(json_object_get(res, "confirmed")));
	why = json_string_value(json_array_get(json_object_get(res, "problems"), 0));
	assert_non_null(strstr(why, "this node holds different data: log " HZ_ORIGIN " root at 4 differs"));
	json_decref(res);
	fx_node_close(&c);
	json_decref(r);
}

static void
test_receipt_masked(void **state)
{
	json_t *r, *res;
	char *s;

	(void)state;
	r = fx_receipt("{\"by\":\"id_number\",\"value\":\"" PID "\",\"as_of\":\"2026-11-22\"}", ROLE_PUBLIC,
	    "cl-public");
	s = json_dumps(r, JSON_COMPACT);
	assert_null(strstr(s, PID));
	assert_non_null(strstr(s, "330106********1234"));
	assert_non_null(strstr(s, "\\nids masked\\n"));
	free(s);
	assert_int_equal(fx_verify(r, NULL, NULL, NULL), 0);
	/* recomputing needs the number, and the right one */
	assert_int_equal(fx_verify(r, &F.a, NULL, &res), CX_EBADSIG);
	assert_true(fx_has_problem(res, "give --id-number"));
	json_decref(res);
	assert_int_equal(fx_verify(r, &F.a, "330106199001015678", &res), CX_EBADSIG);
	assert_true(fx_has_problem(res, "does not mask to"));
	json_decref(res);
	assert_int_equal(fx_verify(r, &F.a, PID, &res), 0);
	assert_true(json_is_true(json_object_get(res, "confirmed")));
	json_decref(res);
	json_decref(r);

	/* the regulator's receipt shows it, and needs nothing more */
	r = fx_receipt("{\"by\":\"id_number\",\"value\":\"" PID "\",\"as_of\":\"2026-11-22\"}",
	    ROLE_REGULATOR, "cl-regulator");
	s = json_dumps(r, JSON_COMPACT);
	assert_non_null(strstr(s, "\\nids shown\\n"));
	free(s);
	assert_int_equal(fx_verify(r, &F.a, NULL, NULL), 0);
	json_decref(r);
}

/* A node that signs an answer it did not compute: valid, not confirmed. */
static void
test_receipt_lying_node(void **state)
{
	struct screen_view v;
	json_t *a, *r, *res, *rec;

	(void)state;
	a = fx_answer(&F.a, &v, "{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\"}",
	    ROLE_REGULATOR);
	rec = json_array_get(json_object_get(a, "records"), 0);
	assert_non_null(rec);
	json_object_set_new(rec, "state", json_string("removed"));
	assert_int_equal(receipt_make(&r, F.hz, "hangzhou", &v, a, "x", "regulator", NOW), 0);
	assert_int_equal(fx_verify(r, NULL, NULL, NULL), 0);
	assert_int_equal(fx_verify(r, &F.a, NULL, &res), CX_EBADSIG);
	assert_true(fx_has_problem(res, "the answer computed on this node differs"));
	json_decref(res);
	json_decref(r);
	json_decref(a);
	screen_view_free(&v);
}

/* ---- reports ------------------------------------------------------------------------ */

static void
test_report(void **state)
{
	json_t *r, *res, *leaves, *e;
	char *s, *html = NULL;
	size_t i, withheld = 0;

	(void)state;
	r = fx_report("{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\",\"history\":true}",
	    ROLE_REGULATOR, "cl-regulator");
	assert_int_equal(report_verify(&res, r, F.roster), 0);
	assert_true(json_integer_value(json_object_get(res, "records")) >= 4);
	assert_int_equal(json_integer_value(json_object_get(res, "withheld")), 0);
	{
		/* its answer is confirmed by a node holding the logs */
		struct receipt_node nd = { .st = F.a.st, .g = F.g };

		assert_int_equal(store_read_begin(&nd.t, F.a.st), 0);
		assert_int_equal(receipt_confirm(res, r, &nd), 0);
		assert_true(json_is_true(json_object_get(res, "confirmed")));
		store_read_end(nd.t);
	}
	json_decref(res);
	s = json_dumps(r, JSON_COMPACT);
	fx_corpus("report.json", s, strlen(s));
	assert_int_equal(report_verify_bytes(&res, s, strlen(s), F.roster), 0);
	json_decref(res);
	free(s);
	/* the page: readable, verifiable, and its data are the report */
	assert_int_equal(report_html(r, &html), 0);
	assert_non_null(strstr(html, REPORT_SCRIPT_OPEN));
	assert_non_null(strstr(html, "杭州示例科技有限公司"));
	assert_non_null(strstr(html, "重大税收违法失信主体名单"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	fx_corpus("report.html", html, strlen(html));
	assert_int_equal(report_verify_bytes(&res, html, strlen(html), F.roster), 0);
	assert_string_equal(json_string_value(json_object_get(res, "format")), "html");
	json_decref(res);
	{
		json_t *back = NULL;

		assert_int_equal(report_from_html(&back, html, strlen(html)), 0);
		assert_true(json_equal(back, r));
		json_decref(back);
	}
	free(html);
	json_decref(r);

	/* the public: the person's leaf is withheld, the number never in clear */
	r = fx_report("{\"by\":\"id_number\",\"value\":\"" PID "\",\"as_of\":\"2026-11-22\"}", ROLE_PUBLIC,
	    "cl-public");
	leaves = json_object_get(r, "leaves");
	json_array_foreach(leaves, i, e)
		if (json_object_get(e, "withheld") != NULL) {
			assert_null(json_object_get(e, "leaf"));
			withheld++;
		}
	assert_true(withheld >= 1);
	s = json_dumps(r, JSON_COMPACT);
	assert_null(strstr(s, PID));
	free(s);
	assert_int_equal(report_verify(&res, r, F.roster), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "withheld")), (json_int_t)withheld);
	json_decref(res);
	assert_int_equal(report_html(r, &html), 0);
	assert_null(strstr(html, PID));
	assert_non_null(strstr(html, "leaf withheld (personal data)"));
	free(html);
	json_decref(r);

	/* nothing to report */
	{
		struct screen_view v;
		json_t *a = fx_answer(&F.a, &v, "{\"by\":\"code\",\"value\":\"91330100MA2H00000X\"}",
		    ROLE_REGULATOR);
		store_txn *t;

		assert_int_equal(store_read_begin(&t, F.a.st), 0);
		assert_int_equal(report_make(&r, F.hz, "hangzhou", t, &v, a, "x", "regulator", NOW),
		    CX_ENOTFOUND);
		store_read_end(t);
		json_decref(a);
		screen_view_free(&v);
	}
}

static void
test_report_bytes(void **state)
{
	json_t *r = fx_report("{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\",\"history\":true}",
	    ROLE_REGULATOR, "cl-regulator");
	char *html = NULL, *m;
	const char *js, *je;
	size_t len, i;

	(void)state;
	fx_every_byte(r, 1);
	/* the page: every byte of its text; of the embedded report (the same
	 * content as the JSON above, tested byte by byte there) a sample */
	assert_int_equal(report_html(r, &html), 0);
	len = strlen(html);
	js = strstr(html, REPORT_SCRIPT_OPEN);
	assert_non_null(js);
	je = strstr(js, REPORT_SCRIPT_CLOSE);
	assert_non_null(je);
	assert_non_null(m = malloc(len));
	for (i = 0; i < len; i += (html + i > js && html + i < je ? 7 : 1) * fx_step()) {
		json_t *res = NULL;

		memcpy(m, html, len);
		m[i] ^= 0x01;
		if (report_verify_bytes(&res, m, len, F.roster) == 0)
			fail_msg("page byte %zu still verifies", i);
		json_decref(res);
	}
	free(m);
	free(html);
	json_decref(r);
}

/* A node that signs records that are not what its logs hold. */
static void
test_report_lying_node(void **state)
{
	struct screen_view v;
	json_t *a, *r, *res, *rec;
	store_txn *t;

	(void)state;
	a = fx_answer(&F.a, &v, "{\"by\":\"code\",\"value\":\"" CODE "\",\"as_of\":\"2026-11-22\"}",
	    ROLE_REGULATOR);
	rec = json_object_get(json_array_get(json_object_get(a, "records"), 0), "record");
	assert_non_null(rec);
	json_object_set_new(rec, "decision_date", json_string("2020-01-01"));
	assert_int_equal(store_read_begin(&t, F.a.st), 0);
	assert_int_equal(report_make(&r, F.hz, "hangzhou", t, &v, a, "x", "regulator", NOW), 0);
	store_read_end(t);
	assert_int_equal(report_verify(&res, r, F.roster), CX_EBADSIG);
	assert_true(fx_has_problem(res, "is not what its leaf says (decision_date differs)"));
	json_decref(res);
	json_decref(r);
	json_decref(a);
	screen_view_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statement),
		cmocka_unit_test(test_receipt),
		cmocka_unit_test(test_receipt_bytes),
		cmocka_unit_test(test_receipt_masked),
		cmocka_unit_test(test_receipt_lying_node),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_report_bytes),
		cmocka_unit_test(test_report_lying_node),
		cmocka_unit_test(test_receipt_other_nodes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
