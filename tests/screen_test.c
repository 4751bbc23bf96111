/*
 * screen_test.c — the screening answer (node/screen.c) over a store built
 * in a temporary directory: two cities' logs, Hangzhou and Jiaxing, with
 * records about two companies and a natural person. Checks searching
 * (exact and prefix, by code, identity number and name, full-width and
 * half-width), filters, paging, views (a record beyond the view is not
 * seen; a repair beyond it does not apply), grades on the common scale and
 * the table's version, masking, and the digest.
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

#include "ingest/json.h"
#include "keys/keys.h"
#include "keys/note.h"
#include "node/node.h"
#include "node/query.h"
#include "node/role.h"
#include "node/screen.h"
#include "store/store.h"
#include "store/tlog.h"
#include "util/err.h"

#define HZ_ORIGIN "g60.cxnode/hangzhou"
#define JX_ORIGIN "g60.cxnode/jiaxing"
#define CODE_A "91330100MA2H12349U"
#define CODE_B "91330100MA2H5K7Q3T"
#define CODE_C "91330400MA2JXC0012"
#define PERSON_ID "330106198503121231"
#define PERSON_MASKED "330106********1231"

#define SUBJ_A "\"subject\":{\"category\":\"legal_person\",\"name\":\"杭州示例科技有限公司\"," \
    "\"credit_code\":\"" CODE_A "\",\"legal_rep\":\"李四\"}"
#define SUBJ_B "\"subject\":{\"category\":\"legal_person\",\"name\":\"杭州示例贸易有限公司（滨江分公司）\"," \
    "\"credit_code\":\"" CODE_B "\"}"
#define SUBJ_C "\"subject\":{\"category\":\"legal_person\",\"name\":\"嘉兴某某食品有限公司\"," \
    "\"credit_code\":\"" CODE_C "\"}"
#define SUBJ_P "\"subject\":{\"category\":\"natural_person\",\"name\":\"张三\"," \
    "\"id_type\":\"resident_id\",\"id_number\":\"" PERSON_ID "\"}"
#define AUTH "\"authority\":{\"name\":\"杭州市市场监督管理局\",\"credit_code\":\"11330100002532107U\"}"

/* Hangzhou's log, in order. */
static const char *const hz_records[] = {
	/* 0 */ "{\"record_id\":\"hz-p-1\",\"kind\":\"penalty\"," SUBJ_A "," AUTH ",\"sector\":\"market\","
	    "\"decision_date\":\"2024-01-10\",\"publicity_max_end\":\"2027-01-10\","
	    "\"penalty\":{\"decision_no\":\"杭市监罚〔2024〕1号\",\"types\":[\"fine\"],"
	    "\"fine_fen\":5000000}}",
	/* 1 */ "{\"record_id\":\"hz-l-1\",\"kind\":\"dishonest_list\"," SUBJ_A "," AUTH
	    ",\"sector\":\"tax\",\"decision_date\":\"2024-05-01\",\"list_entry\":{\"list_type\":"
	    "\"重大税收违法失信主体名单\",\"measures\":[\"限制参与政府采购\",\"限制高消费\"]}}",
	/* 2 */ "{\"record_id\":\"hz-e-1\",\"kind\":\"evaluation\"," SUBJ_A "," AUTH
	    ",\"decision_date\":\"2024-04-01\",\"evaluation\":{\"scheme\":\"杭州市公共信用综合评价\","
	    "\"grade\":\"AA\",\"model_version\":\"HZPCE v5.0\",\"valid_from\":\"2024-04-01\","
	    "\"valid_until\":\"2025-03-31\"}}",
	/* 3 */ "{\"record_id\":\"hz-e-2\",\"kind\":\"evaluation\"," SUBJ_A "," AUTH
	    ",\"decision_date\":\"2024-10-01\",\"evaluation\":{\"scheme\":\"杭州市公共信用综合评价\","
	    "\"grade\":\"AAA\",\"model_version\":\"HZPCE v5.1\",\"valid_from\":\"2024-10-01\","
	    "\"valid_until\":\"2025-09-30\"}}",
	/* 4 */ "{\"record_id\":\"hz-d-1\",\"kind\":\"dishonest_debtor\"," SUBJ_P "," AUTH
	    ",\"sector\":\"court\",\"decision_date\":\"2024-03-15\",\"list_entry\":{\"list_type\":"
	    "\"失信被执行人\",\"measures\":[\"限制高消费\"]}}",
	/* 5 */ "{\"record_id\":\"hz-p-2\",\"kind\":\"penalty\"," SUBJ_B "," AUTH ",\"sector\":\"market\","
	    "\"decision_date\":\"2024-02-01\",\"penalty\":{\"decision_no\":\"杭市监罚〔2024〕2号\"}}",
	/* 6 */ "{\"record_id\":\"hz-c-1\",\"kind\":\"status_change\"," SUBJ_A "," AUTH
	    ",\"decision_date\":\"2025-04-25\",\"change\":{\"type\":\"repair\",\"target\":"
	    "{\"record_id\":\"hz-l-1\"},\"effective_date\":\"2025-05-01\",\"reason\":\"已纠正\"}}",
};
#define HZ_N (sizeof(hz_records) / sizeof(hz_records[0]))

/* Jiaxing's log. */
static const char *const jx_records[] = {
	/* 0 */ "{\"record_id\":\"jx-e-1\",\"kind\":\"evaluation\"," SUBJ_A "," AUTH
	    ",\"decision_date\":\"2024-06-01\",\"evaluation\":{\"scheme\":\"嘉兴市公共信用综合评价\","
	    "\"grade\":\"优\",\"model_version\":\"JXPCE v5.0\",\"valid_from\":\"2024-06-01\","
	    "\"valid_until\":\"2025-05-31\"}}",
	/* 1 */ "{\"record_id\":\"jx-l-1\",\"kind\":\"dishonest_list\"," SUBJ_A "," AUTH
	    ",\"sector\":\"ecology\",\"decision_date\":\"2024-08-01\",\"list_entry\":{\"list_type\":"
	    "\"环境违法失信名单\",\"measures\":[\"限制融资\"]}}",
	/* 2 */ "{\"record_id\":\"jx-x-1\",\"kind\":\"licence\"," SUBJ_C "," AUTH
	    ",\"sector\":\"food\",\"decision_date\":\"2024-02-01\",\"licence\":{\"licence_no\":"
	    "\"JY13304000012345\",\"valid_from\":\"2024-02-01\",\"valid_until\":\"2029-01-31\"}}",
};
#define JX_N (sizeof(jx_records) / sizeof(jx_records[0]))

/* ---- the store ------------------------------------------------------------- */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

struct fx {
	char dir[256];
	store *st;
	keys_key *key;
	uint32_t hz, jx;
	tlog_hash hz_hash[HZ_N];
	struct grades *g;
};

struct signer {
	keys_key *key;
	const char *origin;
	int sign;
};

static int
sign_cb(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct signer *s = ctx;
	char *text = NULL;
	size_t tl;
	int rc;

	*note = NULL;
	*len = 0;
	if (!s->sign)
		return 0;
	if ((rc = tlog_checkpoint_format(&text, &tl, s->origin, size, root)) != 0)
		return rc;
	rc = note_sign(note, len, text, tl, &s->key, 1);
	free(text);
	return rc;
}

static void
set_str(char **dst, const char *v)
{
	if (*dst != NULL && *dst != protobuf_c_empty_string)
		free(*dst);
	*dst = strdup(v);
	assert_non_null(*dst);
}

/* Append record json to log (issuer, region stamped; a change's target
 * resolved in Hangzhou's log), with a checkpoint when sign. tweak changes
 * one byte of the record's penalty (fine_fen + 1). */
static void
add(struct fx *f, uint32_t log, uint64_t at, const char *json, int sign, int tweak)
{
	struct signer s = { f->key, log == f->hz ? HZ_ORIGIN : JX_ORIGIN, sign };
	struct store_leaf lv;
	Cx__Record *r = NULL;
	char err[256];
	uint8_t *buf;
	size_t len;

	assert_int_equal(json_to_record(&r, json, strlen(json), err, sizeof(err)), 0);
	set_str(&r->issuer, log == f->hz ? "hangzhou" : "jiaxing");
	set_str(&r->region, log == f->hz ? "330100" : "330400");
	r->schema = 1;
	r->issued_at = 1767225600;
	if (tweak && r->body_case == CX__RECORD__BODY_PENALTY)
		r->penalty->fine_fen++;
	if (r->body_case == CX__RECORD__BODY_CHANGE) {
		Cx__Ref *ref = r->change->target;
		size_t i;

		for (i = 0; i < HZ_N; i++)
			if (strstr(hz_records[i], ref->record_id) != NULL &&
			    strstr(hz_records[i], "\"kind\":\"status_change\"") == NULL)
				break;
		assert_true(i < HZ_N);
		ref->index = i;
		free(ref->leaf_hash.data);
		ref->leaf_hash.data = malloc(TLOG_HASH_LEN);
		assert_non_null(ref->leaf_hash.data);
		memcpy(ref->leaf_hash.data, f->hz_hash[i], TLOG_HASH_LEN);
		ref->leaf_hash.len = TLOG_HASH_LEN;
	}
	len = cx__record__get_packed_size(r);
	buf = malloc(len);
	assert_non_null(buf);
	cx__record__pack(r, buf);
	json_record_free(r);
	if (log == f->hz)
		tlog_leaf_hash(f->hz_hash[at], buf, len);
	lv.data = buf;
	lv.len = len;
	lv.hash = NULL;
	assert_int_equal(store_append(f->st, log, at, &lv, 1, sign_cb, &s), 0);
	free(buf);
}

/*
 * Both logs: Hangzhou signed up to hz_signed leaves and holding all of
 * them, Jiaxing signed at its full size.
 */
static void
fx_open(struct fx *f, size_t hz_signed, int tweak)
{
	const char *t = getenv("TMPDIR");
	struct store_opts o = { 0, 0, 1 };
	char sd[300];
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/cxnode-screen-test-XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(sd, sizeof(sd), "%s/store", f->dir);
	assert_int_equal(store_open(&f->st, sd, &o), 0);
	store_set_indexer(f->st, idx_indexer, NULL);
	assert_int_equal(keys_generate(&f->key, KEYS_ED25519, "hangzhou"), 0);
	/* Jiaxing registered first: log ids must not decide any order */
	assert_int_equal(store_log_create(f->st, &f->jx, JX_ORIGIN, "jiaxing", NULL), 0);
	assert_int_equal(store_log_create(f->st, &f->hz, HZ_ORIGIN, "hangzhou", NULL), 0);
	for (i = 0; i < HZ_N; i++)
		add(f, f->hz, i, hz_records[i], i + 1 == hz_signed, tweak);
	for (i = 0; i < JX_N; i++)
		add(f, f->jx, i, jx_records[i], i + 1 == JX_N, 0);
	assert_int_equal(grades_load(&f->g, NULL), 0);
}

static void
fx_close(struct fx *f)
{
	grades_free(f->g);
	keys_free(f->key);
	store_close(f->st);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- asking ------------------------------------------------------------------ */

/* The view: every log at its latest checkpoint, or (hz_size, jx_size)
 * when hz_size is not 0. */
static void
view(struct fx *f, store_txn *t, struct screen_view *v, uint64_t hz_size, uint64_t jx_size)
{
	if (hz_size == 0) {
		assert_int_equal(screen_view_latest(v, t, f->st), 0);
	} else {
		const char *origins[2] = { HZ_ORIGIN, JX_ORIGIN };
		uint64_t sizes[2] = { hz_size, jx_size };

		assert_int_equal(screen_view_at(v, t, f->st, origins, sizes, 2), 0);
	}
}

/* The answer to params (JSON text) over view (hz_size, jx_size); fails the
 * test when it cannot be computed. */
static json_t *
ask_g(struct fx *f, const struct grades *g, const char *params, uint32_t perms, uint64_t hz_size,
    uint64_t jx_size)
{
	struct screen_view v;
	struct screen_query q;
	store_txn *t = NULL;
	json_t *p, *a = NULL;
	int rc;

	p = json_loads(params, 0, NULL);
	assert_non_null(p);
	rc = screen_query_parse(&q, p);
	if (rc != 0)
		fail_msg("%s: %s", params, cx_lasterr());
	json_decref(p);
	assert_int_equal(store_read_begin(&t, f->st), 0);
	view(f, t, &v, hz_size, jx_size);
	rc = screen_answer(&a, t, &v, g, &q, perms);
	if (rc != 0)
		fail_msg("%s: %s", params, cx_lasterr());
	screen_view_free(&v);
	store_read_end(t);
	return a;
}

static json_t *
ask(struct fx *f, const char *params, uint32_t perms)
{
	return ask_g(f, f->g, params, perms, 0, 0);
}

#define ALL (PERM_QUERY | PERM_PERSONAL | PERM_HISTORY)

static json_int_t
geti(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *
gets(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* The entry of records whose record_id is id, or NULL. */
static const json_t *
rec(const json_t *a, const char *id)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(a, "records"), i, e)
		if (strcmp(gets(json_object_get(e, "record"), "record_id"), id) == 0)
			return e;
	return NULL;
}

/* The subject keys of an answer, joined by commas, into buf. */
static const char *
keys_of(const json_t *a, char *buf, size_t cap)
{
	const json_t *s;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(a, "subjects"), i, s)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", gets(s, "key"));
	return buf;
}

/* The record ids of an answer in order, joined by commas. */
static const char *
ids_of(const json_t *a, char *buf, size_t cap)
{
	const json_t *e;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(a, "records"), i, e)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "",
		    gets(json_object_get(e, "record"), "record_id"));
	return buf;
}

/* ---- tests -------------------------------------------------------------------- */

static void
test_grades(void **state)
{
	struct grades *b = NULL, *g = NULL, *g2 = NULL;
	char path[300];
	FILE *fp;
	const char *t = getenv("TMPDIR");

	(void)state;
	assert_int_equal(grades_load(&b, NULL), 0);
	assert_string_equal(grades_version(b), "builtin-1");
	assert_string_equal(grades_map(b, "杭州市公共信用综合评价", "AAA"), "A");
	assert_string_equal(grades_map(b, "杭州市公共信用综合评价", "AA"), "B");
	assert_string_equal(grades_map(b, "杭州市公共信用综合评价", "A"), "C");
	assert_string_equal(grades_map(b, "嘉兴市公共信用综合评价", "优"), "A");
	assert_string_equal(grades_map(b, "嘉兴市公共信用综合评价", "差"), "D");
	assert_string_equal(grades_map(b, "纳税信用等级评价", "M"), "B");
	assert_string_equal(grades_map(b, "上海市松江区公共信用综合评价", "C"), "C");
	/* full-width and lower-case grades are the same grade */
	assert_string_equal(grades_map(b, "纳税信用等级评价", "ｂ"), "B");
	assert_null(grades_map(b, "纳税信用等级评价", "E"));
	assert_null(grades_map(b, "某评价", "甲"));

	snprintf(path, sizeof(path), "%s/cxnode-grades-%d.conf", t ? t : "/tmp", (int)getpid());
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("# a table of our own\nversion = 2026-1\n\n[杭州市公共信用综合评价]\nAAA = A\n"
	    "AA = A\n\n[*]\n优 = a\n", fp);
	fclose(fp);
	assert_int_equal(grades_load(&g, path), 0);
	assert_string_equal(grades_version(g), "2026-1");
	assert_string_equal(grades_map(g, "杭州市公共信用综合评价", "AA"), "A");
	assert_string_equal(grades_map(g, "嘉兴市公共信用综合评价", "优"), "A");
	assert_null(grades_map(g, "嘉兴市公共信用综合评价", "良"));
	assert_memory_not_equal(grades_digest(g), grades_digest(b), 32);
	/* the same table in another order and layout: the same digest */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("version=2026-1\n[*]\n  优   =   A  \n[ 杭州市公共信用综合评价 ]\nAA=A\r\nAAA=A\n", fp);
	fclose(fp);
	assert_int_equal(grades_load(&g2, path), 0);
	assert_memory_equal(grades_digest(g), grades_digest(g2), 32);
	grades_free(g2);
	g2 = NULL;

	/* errors name the file and line */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("version = x\n[s]\nA = E\n", fp);
	fclose(fp);
	assert_int_equal(grades_load(&g2, path), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), ":3:"));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[s]\nA = A\n", fp);
	fclose(fp);
	assert_int_equal(grades_load(&g2, path), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "version"));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("version = 1\n[s]\nA = A\nａ = B\n", fp);
	fclose(fp);
	assert_int_equal(grades_load(&g2, path), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "twice"));
	unlink(path);
	assert_int_equal(grades_load(&g2, path), CX_EIO);
	assert_null(g2);
	grades_free(g);
	grades_free(b);
}

static void
test_query_params(void **state)
{
	struct screen_query q, q2;
	json_t *p, *j;

	(void)state;
	p = json_loads("{\"by\":\"code\",\"value\":\" ９１３３０１００ma2h12349u \",\"kinds\":"
	    "[\"joint_punishment\",\"PENALTY\"],\"as_of\":\"2025/1/2\",\"city\":\"330000\","
	    "\"from\":\"2024-01-01\",\"limit\":5,\"offset\":10,\"history\":true}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), 0);
	json_decref(p);
	assert_string_equal(q.value, CODE_A);
	assert_int_equal(q.as_of, 20250102);
	assert_int_equal(q.kinds, (1u << CX__RECORD_KIND__DISHONEST_LIST) |
	    (1u << CX__RECORD_KIND__PENALTY));
	/* the echo parses back to the same query */
	j = screen_query_json(&q, 1);
	assert_non_null(j);
	assert_int_equal(screen_query_parse(&q2, j), 0);
	assert_memory_equal(&q, &q2, sizeof(q));
	json_decref(j);

	p = json_loads("{\"by\":\"code\",\"value\":\"x\",\"kind\":\"penalty\"}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	assert_non_null(strstr(cx_lasterr(), "kind"));
	json_decref(p);
	p = json_loads("{\"by\":\"code\",\"value\":\"x\",\"kinds\":[\"status_change\"]}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	json_decref(p);
	p = json_loads("{\"by\":\"code\",\"value\":\"x\",\"limit\":201}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	json_decref(p);
	p = json_loads("{\"by\":\"code\",\"value\":\"00000000000000000X\"}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	json_decref(p);
	p = json_loads("{\"by\":\"phone\",\"value\":\"1\"}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	json_decref(p);
	p = json_loads("{\"by\":\"name\",\"value\":\"  \"}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	json_decref(p);
	p = json_loads("{\"by\":\"name\",\"value\":\"a\",\"from\":\"2025-01-02\",\"to\":\"2025-01-01\"}",
	    0, NULL);
	assert_int_equal(screen_query_parse(&q, p), CX_EINVAL);
	json_decref(p);
}

static void
test_search(void **state)
{
	struct fx f;
	json_t *a;
	char buf[512];

	(void)state;
	fx_open(&f, HZ_N, 0);
	/* exact, by code: both cities */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2024-12-01\"}", ALL);
	assert_int_equal(geti(a, "total_subjects"), 1);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_A);
	/* active first, newest first; every record carries its subject */
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-e-2,jx-l-1,jx-e-1,hz-l-1,hz-e-1,hz-p-1");
	assert_int_equal(geti(a, "active"), 6);
	assert_string_equal(gets(rec(a, "jx-l-1"), "subject"), CODE_A);
	assert_string_equal(gets(rec(a, "jx-l-1"), "city"), "jiaxing");
	assert_string_equal(gets(rec(a, "jx-l-1"), "region"), "330400");
	assert_string_equal(gets(rec(a, "jx-l-1"), "section"), "joint_punishment");
	assert_string_equal(gets(rec(a, "jx-l-1"), "list_type"), "环境违法失信名单");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec(a, "hz-l-1"),
	    "measures"), 1)), "限制高消费");
	assert_string_equal(gets(rec(a, "hz-p-1"), "section"), "penalty");
	assert_string_equal(gets(rec(a, "hz-p-1"), "log"), HZ_ORIGIN);
	assert_int_equal(geti(rec(a, "hz-p-1"), "index"), 0);
	{
		const json_t *s = json_array_get(json_object_get(a, "subjects"), 0);

		assert_true(json_is_true(json_object_get(s, "listed")));
		assert_int_equal(json_array_size(json_object_get(s, "listed_in")), 2);
		assert_string_equal(gets(json_object_get(s, "subject"), "name"), "杭州示例科技有限公司");
	}
	assert_int_equal(json_array_size(json_object_get(a, "data")), 2);
	assert_string_equal(gets(json_array_get(json_object_get(a, "data"), 0), "origin"), HZ_ORIGIN);
	json_decref(a);

	/* later: active first, then the rest (with history); without history
	 * only the active ones, the counts still saying how many there are */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2025-06-01\","
	    "\"history\":true}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-e-2,jx-l-1,hz-p-1,jx-e-1,hz-l-1,hz-e-1");
	assert_string_equal(gets(rec(a, "hz-l-1"), "state"), "repaired");
	assert_string_equal(gets(rec(a, "hz-l-1"), "since"), "2025-05-01");
	json_decref(a);
	a = ask(&f, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2025-06-01\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-e-2,jx-l-1,hz-p-1");
	assert_int_equal(geti(a, "active"), 3);
	assert_int_equal(geti(a, "total"), 6);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(
	    json_object_get(a, "subjects"), 0), "listed_in"), 0)), "jiaxing");
	json_decref(a);

	/* codes typed lower-case or full-width */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"９１３３０１００ＭＡ２Ｈ１２３４９ｕ\"}", ALL);
	assert_int_equal(geti(a, "total_subjects"), 1);
	json_decref(a);

	/* by name, half-width brackets for full-width ones */
	a = ask(&f, "{\"by\":\"name\",\"value\":\"杭州示例贸易有限公司(滨江分公司)\"}", ALL);
	assert_int_equal(geti(a, "total_subjects"), 1);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-p-2");
	assert_string_equal(gets(json_object_get(json_array_get(json_object_get(a, "subjects"), 0),
	    "subject"), "credit_code"), CODE_B);
	json_decref(a);

	/* an unknown subject: no subject, not an error */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"91110000802100433B\"}", ALL);
	assert_int_equal(geti(a, "total_subjects"), 0);
	assert_int_equal(json_array_size(json_object_get(a, "subjects")), 0);
	json_decref(a);

	/* prefix by name: distinct subjects in index order */
	a = ask(&f, "{\"by\":\"name\",\"value\":\"杭州示例\",\"prefix\":true}", ALL);
	assert_int_equal(geti(a, "total_subjects"), 2);
	assert_string_equal(keys_of(a, buf, sizeof(buf)),
	    "杭州示例科技有限公司,杭州示例贸易有限公司(滨江分公司)");
	json_decref(a);
	a = ask(&f, "{\"by\":\"name\",\"value\":\"杭州示例贸易有限公司（滨\",\"prefix\":true}", ALL);
	assert_int_equal(geti(a, "total_subjects"), 1);
	json_decref(a);
	/* prefix by code across cities */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"9133\",\"prefix\":true}", ALL);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_A "," CODE_B "," CODE_C);
	json_decref(a);
	a = ask(&f, "{\"by\":\"code\",\"value\":\"913301\",\"prefix\":true}", ALL);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_A "," CODE_B);
	json_decref(a);

	/* by identity number, exact and prefix */
	a = ask(&f, "{\"by\":\"id_number\",\"value\":\"" PERSON_ID "\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-d-1");
	assert_string_equal(gets(rec(a, "hz-d-1"), "section"), "dishonest_debtor");
	json_decref(a);
	a = ask(&f, "{\"by\":\"id_number\",\"value\":\"33010619\",\"prefix\":true}", ALL);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), PERSON_ID);
	json_decref(a);
	fx_close(&f);
}

static void
test_filters_paging(void **state)
{
	struct fx f;
	json_t *a;
	char buf[512];

	(void)state;
	fx_open(&f, HZ_N, 0);
#define Q_A "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2024-12-01\""
	a = ask(&f, Q_A ",\"kinds\":[\"dishonest_list\"]}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "jx-l-1,hz-l-1");
	assert_int_equal(geti(a, "total"), 2);
	json_decref(a);
	a = ask(&f, Q_A ",\"kinds\":\"evaluation, penalty\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-e-2,jx-e-1,hz-e-1,hz-p-1");
	json_decref(a);
	a = ask(&f, Q_A ",\"city\":\"jiaxing\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "jx-l-1,jx-e-1");
	/* listed says what holds anywhere, whatever the filters */
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(a, "subjects"), 0),
	    "listed")));
	json_decref(a);
	a = ask(&f, Q_A ",\"city\":\"330400\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "jx-l-1,jx-e-1");
	json_decref(a);
	a = ask(&f, Q_A ",\"city\":\"330000\"}", ALL);
	assert_int_equal(geti(a, "total"), 6);
	json_decref(a);
	a = ask(&f, Q_A ",\"city\":\"320000\"}", ALL);
	assert_int_equal(geti(a, "total"), 0);
	assert_int_equal(geti(a, "total_subjects"), 1);    /* exact: the subject stays */
	json_decref(a);
	a = ask(&f, Q_A ",\"sector\":\"tax\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "hz-l-1");
	json_decref(a);
	a = ask(&f, Q_A ",\"from\":\"2024-04-01\",\"to\":\"2024-06-01\"}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "jx-e-1,hz-l-1,hz-e-1");
	json_decref(a);

	/* prefix with a filter: only subjects with something to show */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"9133\",\"prefix\":true,\"kinds\":[\"licence\"]}",
	    ALL);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_C);
	json_decref(a);

	/* paging over subjects */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"9133\",\"prefix\":true,\"limit\":2}", ALL);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_A "," CODE_B);
	assert_int_equal(geti(a, "total_subjects"), 3);
	assert_int_equal(geti(a, "next_offset"), 2);
	json_decref(a);
	a = ask(&f, "{\"by\":\"code\",\"value\":\"9133\",\"prefix\":true,\"limit\":2,\"offset\":2}",
	    ALL);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_C);
	assert_int_equal(geti(a, "offset"), 2);
	assert_null(json_object_get(a, "next_offset"));
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "jx-x-1");
	json_decref(a);
	a = ask(&f, "{\"by\":\"code\",\"value\":\"9133\",\"prefix\":true,\"offset\":9}", ALL);
	assert_int_equal(json_array_size(json_object_get(a, "subjects")), 0);
	assert_int_equal(geti(a, "total_subjects"), 3);
	json_decref(a);
	fx_close(&f);
}

static void
test_views(void **state)
{
	struct fx f;
	json_t *a;
	store_txn *t = NULL;
	struct screen_view v;
	const char *orig[1] = { HZ_ORIGIN };
	uint64_t big[1] = { HZ_N + 1 };
	char buf[512];

	(void)state;
	/* Hangzhou signed at 6 leaves: the repair (leaf 6) is held, not signed */
	fx_open(&f, HZ_N - 1, 0);
	a = ask(&f, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2025-06-01\","
	    "\"kinds\":[\"dishonest_list\"]}", ALL);
	assert_string_equal(ids_of(a, buf, sizeof(buf)), "jx-l-1,hz-l-1");
	assert_int_equal(geti(json_array_get(json_object_get(a, "data"), 0), "size"), HZ_N - 1);
	json_decref(a);
	/* the view at the full size: the repair applies */
	a = ask_g(&f, f.g, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2025-06-01\","
	    "\"kinds\":[\"dishonest_list\"],\"history\":true}", ALL, HZ_N, JX_N);
	assert_string_equal(gets(rec(a, "hz-l-1"), "state"), "repaired");
	assert_int_equal(json_array_size(json_object_get(rec(a, "hz-l-1"), "changes")), 1);
	json_decref(a);
	/* and before it, the listing still shows */
	a = ask_g(&f, f.g, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2025-04-30\","
	    "\"kinds\":[\"dishonest_list\"]}", ALL, HZ_N, JX_N);
	assert_string_equal(gets(rec(a, "hz-l-1"), "state"), "active");
	json_decref(a);
	/* a record beyond the view is not seen: Hangzhou at 4 leaves */
	a = ask_g(&f, f.g, "{\"by\":\"id_number\",\"value\":\"" PERSON_ID "\"}", ALL, 4, JX_N);
	assert_int_equal(geti(a, "total_subjects"), 0);
	json_decref(a);
	a = ask_g(&f, f.g, "{\"by\":\"id_number\",\"value\":\"" PERSON_ID "\"}", ALL, 5, JX_N);
	assert_int_equal(geti(a, "total_subjects"), 1);
	json_decref(a);
	/* nor by a prefix search */
	a = ask_g(&f, f.g, "{\"by\":\"code\",\"value\":\"913301\",\"prefix\":true}", ALL, 5, JX_N);
	assert_string_equal(keys_of(a, buf, sizeof(buf)), CODE_A);
	json_decref(a);
	/* logs not in the view do not count */
	assert_int_equal(store_read_begin(&t, f.st), 0);
	assert_int_equal(screen_view_at(&v, t, f.st, orig, big, 1), CX_ENOTFOUND);
	big[0] = HZ_N;
	assert_int_equal(screen_view_at(&v, t, f.st, orig, big, 1), 0);
	assert_int_equal(v.n, 1);
	assert_null(v.logs[0].note);          /* no checkpoint at that size */
	{
		struct screen_query q;
		json_t *p = json_loads("{\"by\":\"code\",\"value\":\"" CODE_C "\"}", 0, NULL);

		assert_int_equal(screen_query_parse(&q, p), 0);
		json_decref(p);
		assert_int_equal(screen_answer(&a, t, &v, f.g, &q, ALL), 0);
		assert_int_equal(geti(a, "total_subjects"), 0);
		json_decref(a);
	}
	screen_view_free(&v);
	/* the latest view carries the signed notes, cosignatures appended */
	{
		struct store_aux_op op = { 0 };
		uint8_t key[13 + 7];
		const char line[] = "— witness AAAA\n";

		store_read_end(t);
		key[0] = 'W';
		idx_put32(key + 1, f.jx);
		idx_put64(key + 5, JX_N);
		memcpy(key + 13, "witness", 7);
		op.key = key;
		op.klen = sizeof(key);
		op.val = line;
		op.vlen = strlen(line);
		assert_int_equal(store_aux_write(f.st, &op, 1), 0);
		assert_int_equal(store_read_begin(&t, f.st), 0);
		assert_int_equal(screen_view_latest(&v, t, f.st), 0);
		assert_int_equal(v.n, 2);
		assert_string_equal(v.logs[0].origin, HZ_ORIGIN);
		assert_int_equal(v.logs[0].size, HZ_N - 1);
		assert_non_null(v.logs[0].note);
		assert_non_null(strstr(v.logs[0].note, HZ_ORIGIN "\n6\n"));
		assert_non_null(v.logs[1].note);
		assert_true(v.logs[1].note_len > strlen(line));
		assert_string_equal(v.logs[1].note + v.logs[1].note_len - strlen(line), line);
		screen_view_free(&v);
	}
	store_read_end(t);
	fx_close(&f);
}

static void
test_grades_in_answer(void **state)
{
	struct fx f;
	struct grades *g2 = NULL;
	json_t *a, *b;
	const json_t *gr;
	char path[300];
	const char *t = getenv("TMPDIR");
	uint8_t d1[32], d2[32];
	FILE *fp;

	(void)state;
	fx_open(&f, HZ_N, 0);
#define Q_EV "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2024-12-01\",\"kinds\":[\"evaluation\"]}"
	a = ask(&f, Q_EV, ALL);
	/* two cities' scales on the common one */
	gr = json_object_get(rec(a, "hz-e-2"), "grade");
	assert_string_equal(gets(gr, "original"), "AAA");
	assert_string_equal(gets(gr, "canonical"), "A");
	assert_string_equal(gets(gr, "scheme"), "杭州市公共信用综合评价");
	assert_string_equal(gets(gr, "model_version"), "HZPCE v5.1");
	assert_string_equal(gets(gr, "valid_until"), "2025-09-30");
	assert_string_equal(gets(gr, "mapping_version"), "builtin-1");
	gr = json_object_get(rec(a, "jx-e-1"), "grade");
	assert_string_equal(gets(gr, "original"), "优");
	assert_string_equal(gets(gr, "canonical"), "A");
	assert_string_equal(gets(json_object_get(rec(a, "hz-e-1"), "grade"), "canonical"), "B");
	/* the latest per issuer and scheme */
	assert_true(json_is_true(json_object_get(rec(a, "hz-e-2"), "latest")));
	assert_true(json_is_false(json_object_get(rec(a, "hz-e-1"), "latest")));
	assert_true(json_is_true(json_object_get(rec(a, "jx-e-1"), "latest")));
	assert_string_equal(gets(json_object_get(a, "grades"), "version"), "builtin-1");

	/* another table version: visible in the answer and its digest */
	snprintf(path, sizeof(path), "%s/cxnode-grades-a-%d.conf", t ? t : "/tmp", (int)getpid());
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("version = 2026-1\n[杭州市公共信用综合评价]\nAAA = A\nAA = A\n", fp);
	fclose(fp);
	assert_int_equal(grades_load(&g2, path), 0);
	unlink(path);
	b = ask_g(&f, g2, Q_EV, ALL, 0, 0);
	assert_string_equal(gets(json_object_get(b, "grades"), "version"), "2026-1");
	assert_string_equal(gets(json_object_get(rec(b, "hz-e-1"), "grade"), "canonical"), "A");
	assert_string_equal(gets(json_object_get(rec(b, "hz-e-1"), "grade"), "mapping_version"),
	    "2026-1");
	assert_true(json_is_null(json_object_get(json_object_get(rec(b, "jx-e-1"), "grade"),
	    "canonical")));
	assert_int_equal(screen_digest(a, d1), 0);
	assert_int_equal(screen_digest(b, d2), 0);
	assert_memory_not_equal(d1, d2, 32);
	json_decref(a);
	json_decref(b);
	grades_free(g2);

	/* a past date: the older evaluation was the latest then */
	a = ask(&f, "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2024-07-01\","
	    "\"kinds\":[\"evaluation\"]}", ALL);
	assert_true(json_is_true(json_object_get(rec(a, "hz-e-1"), "latest")));
	assert_null(rec(a, "hz-e-2"));
	json_decref(a);
	fx_close(&f);
}

static void
test_masking(void **state)
{
	struct fx f;
	json_t *a;
	char *c;
	size_t n;
	struct screen_view v;
	struct screen_query q;
	store_txn *t = NULL;
	json_t *p;

	(void)state;
	fx_open(&f, HZ_N, 0);
	a = ask(&f, "{\"by\":\"id_number\",\"value\":\"" PERSON_ID "\"}", PERM_QUERY);
	c = screen_canonical(a, &n);
	assert_non_null(c);
	assert_null(strstr(c, PERSON_ID));
	assert_non_null(strstr(c, PERSON_MASKED));
	free(c);
	assert_string_equal(gets(json_object_get(a, "query"), "value"), PERSON_MASKED);
	assert_string_equal(gets(json_array_get(json_object_get(a, "subjects"), 0), "key"),
	    PERSON_MASKED);
	assert_string_equal(gets(json_object_get(json_object_get(rec(a, "hz-d-1"), "record"),
	    "subject"), "id_number"), PERSON_MASKED);
	json_decref(a);
	/* with the personal permission the number shows */
	a = ask(&f, "{\"by\":\"id_number\",\"value\":\"" PERSON_ID "\"}", ALL);
	assert_string_equal(gets(json_object_get(json_object_get(rec(a, "hz-d-1"), "record"),
	    "subject"), "id_number"), PERSON_ID);
	assert_string_equal(gets(json_object_get(a, "query"), "value"), PERSON_ID);
	json_decref(a);
	/* a prefix search by identity number needs it */
	p = json_loads("{\"by\":\"id_number\",\"value\":\"3301\",\"prefix\":true}", 0, NULL);
	assert_int_equal(screen_query_parse(&q, p), 0);
	json_decref(p);
	assert_int_equal(store_read_begin(&t, f.st), 0);
	assert_int_equal(screen_view_latest(&v, t, f.st), 0);
	assert_int_equal(screen_answer(&a, t, &v, f.g, &q, PERM_QUERY), CX_EPERM);
	assert_null(a);
	screen_view_free(&v);
	store_read_end(t);
	fx_close(&f);
}

static void
test_digest(void **state)
{
	struct fx f, g;
	json_t *a, *b;
	uint8_t d1[32], d2[32], d3[32];
	char *c;
	size_t n;

#define Q_ALL "{\"by\":\"code\",\"value\":\"" CODE_A "\",\"as_of\":\"2024-12-01\",\"history\":true}"
	(void)state;
	fx_open(&f, HZ_N, 0);
	a = ask(&f, Q_ALL, ALL);
	b = ask(&f, Q_ALL, ALL);
	assert_int_equal(screen_digest(a, d1), 0);
	assert_int_equal(screen_digest(b, d2), 0);
	assert_memory_equal(d1, d2, 32);
	json_decref(b);
	/* canonical: compact, keys sorted */
	c = screen_canonical(json_object_get(a, "grades"), &n);
	assert_non_null(c);
	assert_int_equal(strncmp(c, "{\"digest\":\"", 11), 0);
	assert_int_equal(n, strlen(c));
	free(c);
	fx_close(&f);

	/* the same records in another store, one byte of a penalty different */
	fx_open(&g, HZ_N, 1);
	b = ask(&g, Q_ALL, ALL);
	assert_int_equal(screen_digest(b, d3), 0);
	assert_memory_not_equal(d1, d3, 32);
	json_decref(b);
	fx_close(&g);
	/* and again without the change: the same bytes as the first store */
	fx_open(&g, HZ_N, 0);
	b = ask(&g, Q_ALL, ALL);
	assert_int_equal(screen_digest(b, d3), 0);
	assert_memory_equal(d1, d3, 32);
	assert_true(json_equal(a, b));
	json_decref(b);
	fx_close(&g);
	json_decref(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grades),
		cmocka_unit_test(test_query_params),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_filters_paging),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_grades_in_answer),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
