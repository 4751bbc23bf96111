/*
 * node_test.c — unit tests of node/ pieces that need no node home: leaf
 * decoding limits (idx_unpack), the state of a record on a date
 * (query_state), admission of replicated records (admit.c, over a store
 * in a temporary directory) and fork evidence (evidence.c).
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
#include "keys/roster.h"
#include "node/admit.h"
#include "node/evidence.h"
#include "node/node.h"
#include "node/query.h"
#include "store/store.h"
#include "util/err.h"

/* Append a varint. */
static size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * Wire bytes of a record nesting `depth` corrections: Record{ record_id,
 * change{ replacement: Record{ ... } } }, built from the inside out.
 * *len gets the size; the caller frees.
 */
static uint8_t *
nested(int depth, size_t *len)
{
	size_t cap = 64 + (size_t)depth * 32, n, m;
	uint8_t *buf = malloc(cap), *tmp = malloc(cap), *t;
	int i;

	assert_non_null(buf);
	assert_non_null(tmp);
	/* innermost record: record_id (field 4) = "x" */
	buf[0] = (4 << 3) | 2;
	buf[1] = 1;
	buf[2] = 'x';
	n = 3;
	for (i = 0; i < depth; i++) {
		/* change = { replacement (7) = buf } */
		m = 0;
		tmp[m++] = (7 << 3) | 2;
		m += put_varint(tmp + m, n);
		memcpy(tmp + m, buf, n);
		m += n;
		/* record = { record_id = "x", change (27) = tmp } */
		n = 0;
		buf[n++] = (4 << 3) | 2;
		buf[n++] = 1;
		buf[n++] = 'x';
		n += put_varint(buf + n, (27 << 3) | 2);
		n += put_varint(buf + n, m);
		memcpy(buf + n, tmp, m);
		n += m;
		assert_true(n + 32 < cap);
	}
	free(tmp);
	t = buf;
	*len = n;
	return t;
}

static void
test_unpack_depth(void **state)
{
	Cx__Record *r;
	uint8_t *b;
	size_t len;

	(void)state;
	b = nested(IDX_MAX_DEPTH, &len);
	r = idx_unpack(b, len);
	assert_non_null(r);
	assert_string_equal(r->record_id, "x");
	assert_non_null(r->change);
	assert_non_null(r->change->replacement);
	cx__record__free_unpacked(r, NULL);
	free(b);

	b = nested(IDX_MAX_DEPTH + 1, &len);
	assert_null(idx_unpack(b, len));
	free(b);

	/* far deeper (protobuf-c would recurse once per level): refused first */
	b = nested(20000, &len);
	assert_null(idx_unpack(b, len));
	free(b);
}

static void
test_unpack_malformed(void **state)
{
	static const uint8_t truncated[] = { (4 << 3) | 2, 5, 'a' };
	static const uint8_t group[] = { (4 << 3) | 3 };
	static const uint8_t badvarint[] = { 0x80, 0x80, 0x80 };

	(void)state;
	assert_null(idx_unpack(truncated, sizeof(truncated)));
	assert_null(idx_unpack(group, sizeof(group)));
	assert_null(idx_unpack(badvarint, sizeof(badvarint)));
	/* empty bytes are an empty record */
	{
		Cx__Record *r = idx_unpack((const uint8_t *)"", 0);

		assert_non_null(r);
		cx__record__free_unpacked(r, NULL);
	}
}

/* query_state: changes apply from their effective date; windows. */
static void
test_state(void **state)
{
	Cx__Record rec = CX__RECORD__INIT, ch = CX__RECORD__INIT;
	Cx__StatusChange sc = CX__STATUS_CHANGE__INIT;
	struct query_change c = { 0, 1, &ch };
	const Cx__Record *cur;
	uint32_t since;

	(void)state;
	rec.kind = CX__RECORD_KIND__PENALTY;
	rec.decision_date = 20240110;
	rec.publicity_max_end = 20270110;
	ch.kind = CX__RECORD_KIND__STATUS_CHANGE;
	ch.body_case = CX__RECORD__BODY_CHANGE;
	ch.change = &sc;
	sc.type = CX__CHANGE_TYPE__REPAIR;
	sc.effective_date = 20240701;
	assert_int_equal(query_state(&rec, &c, 1, 20240109, &cur, &since), QUERY_NOT_YET);
	assert_int_equal(query_state(&rec, &c, 1, 20240110, &cur, &since), QUERY_ACTIVE);
	assert_int_equal(query_state(&rec, &c, 1, 20240630, &cur, &since), QUERY_ACTIVE);
	assert_int_equal(query_state(&rec, &c, 1, 20240701, &cur, &since), QUERY_REPAIRED);
	assert_int_equal(since, 20240701);
	assert_int_equal(query_state(&rec, NULL, 0, 20270109, &cur, &since), QUERY_ACTIVE);
	assert_int_equal(query_state(&rec, NULL, 0, 20270110, &cur, &since), QUERY_EXPIRED);
	/* a grace period: decided, published later */
	rec.publication_start = 20240201;
	assert_int_equal(query_state(&rec, NULL, 0, 20240115, &cur, &since), QUERY_PENDING);
	/* Order 36 minor: a zero-length window */
	rec.publicity_max_end = rec.publication_start;
	assert_int_equal(query_state(&rec, NULL, 0, 20240301, &cur, &since), QUERY_UNPUBLISHED);
}

/* ---- a store in a temporary directory ------------------------------------ */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

struct sfix {
	char dir[256];
	store *st;
};

static void
sfix_open(struct sfix *f)
{
	const char *t = getenv("TMPDIR");
	struct store_opts o = { 0, 0, 1 };
	char sd[300];

	snprintf(f->dir, sizeof(f->dir), "%s/cxnode-node-test-XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(sd, sizeof(sd), "%s/store", f->dir);
	assert_int_equal(store_open(&f->st, sd, &o), 0);
}

static void
sfix_close(struct sfix *f)
{
	store_close(f->st);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A store_signer that stores no checkpoint. */
static int
no_checkpoint(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	(void)ctx;
	(void)size;
	(void)root;
	*note = NULL;
	*len = 0;
	return 0;
}

static void
append(store *st, uint32_t log, uint64_t at, uint8_t *const *leaves, const size_t *lens,
    size_t n)
{
	struct store_leaf lv[16];
	size_t i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		lv[i].data = leaves[i];
		lv[i].len = lens[i];
		lv[i].hash = NULL;
	}
	assert_int_equal(store_append(st, log, at, lv, n, no_checkpoint, NULL), 0);
}

/* ---- admission ------------------------------------------------------------ */

#define SUBJ "\"subject\":{\"category\":\"legal_person\",\"name\":\"杭州示例科技有限公司\"," \
    "\"credit_code\":\"91330100MA2H12349U\",\"legal_rep\":\"张三\"}"
#define SAMR "\"authority\":{\"name\":\"杭州市市场监督管理局\",\"credit_code\":\"11330100002532107U\"}"
#define TAX  "\"authority\":{\"name\":\"国家税务总局杭州市税务局\",\"credit_code\":\"11330100002532115N\"}"
#define PENALTY(id) "{\"record_id\":\"" id "\",\"kind\":\"penalty\"," SUBJ "," SAMR "," \
    "\"sector\":\"market\",\"severity\":\"general\",\"decision_date\":\"2024-01-10\"," \
    "\"penalty\":{\"decision_no\":\"杭市监罚〔2024〕1号\",\"violation_type\":\"虚假宣传\"," \
    "\"facts\":\"发布虚假广告\",\"basis\":\"《中华人民共和国反不正当竞争法》第八条\"," \
    "\"types\":[\"fine\"],\"content\":\"罚款5万元\",\"fine_fen\":5000000}}"
#define CHANGE(id, auth, type, target) "{\"record_id\":\"" id "\",\"kind\":\"status_change\"," \
    SUBJ "," auth ",\"decision_date\":\"2024-06-25\",\"change\":{\"type\":\"" type "\"," \
    "\"target\":{\"record_id\":\"" target "\"},\"effective_date\":\"2024-07-01\"," \
    "\"reason\":\"已履行行政处罚决定\",\"decision_no\":\"杭信修〔2024〕5号\"}}"

static const char rec_list[] = "{\"record_id\":\"hz-l-1\",\"kind\":\"dishonest_list\"," SUBJ ","
    TAX ",\"sector\":\"tax\",\"severity\":\"serious\",\"decision_date\":\"2024-05-01\","
    "\"list_entry\":{\"list_type\":\"重大税收违法失信主体名单\",\"reason\":\"虚开增值税专用发票\","
    "\"legal_basis\":\"《重大税收违法失信主体信息公布管理办法》\",\"measures\":[\"限制参与政府采购\"],"
    "\"decision_no\":\"杭税稽〔2024〕12号\"}}";
static const char rec_licence[] = "{\"record_id\":\"hz-x-1\",\"kind\":\"licence\"," SUBJ "," SAMR
    ",\"sector\":\"food\",\"decision_date\":\"2024-02-01\",\"licence\":{\"document_name\":"
    "\"食品经营许可决定书\",\"decision_no\":\"杭市监许〔2024〕88号\",\"type\":\"ordinary\","
    "\"certificate_name\":\"食品经营许可证\",\"licence_no\":\"JY13301000012345\",\"content\":"
    "\"预包装食品销售\",\"valid_from\":\"2024-02-01\",\"valid_until\":\"2029-01-31\"}}";
static const char rec_eval[] = "{\"record_id\":\"hz-e-1\",\"kind\":\"evaluation\"," SUBJ ","
    "\"authority\":{\"name\":\"杭州市发展和改革委员会\",\"credit_code\":\"11330100002530195G\"},"
    "\"decision_date\":\"2024-04-01\",\"evaluation\":{\"scheme\":\"杭州市公共信用综合评价\","
    "\"grade\":\"A\",\"score\":\"92.5\",\"model_version\":\"2024.1\",\"valid_from\":\"2024-04-01\","
    "\"valid_until\":\"2025-03-31\"}}";

static void
set_str(char **dst, const char *v)
{
	if (*dst != NULL && *dst != protobuf_c_empty_string)
		free(*dst);
	*dst = strdup(v);
	assert_non_null(*dst);
}

/*
 * The leaf bytes of a JSON record as issuer's importer would publish it:
 * issuer, region and time stamped; a reference given index and leaf hash
 * (thash NULL: left as the JSON has it). *len gets the size.
 */
static uint8_t *
mkleaf(const char *json, const char *issuer, uint64_t tindex, const uint8_t *thash,
    size_t *len)
{
	Cx__Record *r = NULL;
	Cx__Ref *ref = NULL;
	char err[256];
	uint8_t *buf;

	assert_int_equal(json_to_record(&r, json, strlen(json), err, sizeof(err)), 0);
	set_str(&r->issuer, issuer);
	set_str(&r->region, "330100");
	r->schema = 1;
	r->issued_at = 1767225600;
	if (r->body_case == CX__RECORD__BODY_CHANGE) {
		ref = r->change->target;
		if (r->change->replacement) {
			set_str(&r->change->replacement->issuer, issuer);
			set_str(&r->change->replacement->region, "330100");
		}
	} else if (r->body_case == CX__RECORD__BODY_OUTCOME)
		ref = r->outcome->commitment;
	if (ref != NULL && thash != NULL) {
		ref->index = tindex;
		free(ref->leaf_hash.data);
		ref->leaf_hash.data = malloc(TLOG_HASH_LEN);
		assert_non_null(ref->leaf_hash.data);
		memcpy(ref->leaf_hash.data, thash, TLOG_HASH_LEN);
		ref->leaf_hash.len = TLOG_HASH_LEN;
	}
	*len = cx__record__get_packed_size(r);
	buf = malloc(*len);
	assert_non_null(buf);
	cx__record__pack(r, buf);
	json_record_free(r);
	return buf;
}

/* Admit json (as mkleaf) at index: the code, and the reason in err. */
static int
try_admit(struct admit *a, uint64_t index, const char *json, const char *issuer,
    uint64_t tindex, const uint8_t *thash, char *err, size_t cap)
{
	size_t len;
	uint8_t *leaf = mkleaf(json, issuer, tindex, thash, &len);
	int rc = admit_leaf(a, index, leaf, len, err, cap);

	free(leaf);
	return rc;
}

#define REFUSED(call, text) do { \
	err[0] = '\0'; \
	assert_int_equal((call), CX_EINVAL); \
	if (strstr(err, (text)) == NULL) \
		fail_msg("reason \"%s\" does not say \"%s\"", err, (text)); \
} while (0)

static void
test_admit(void **state)
{
	struct sfix f;
	Cx__Member m = CX__MEMBER__INIT, *mp[1] = { &m };
	Cx__Roster ro = CX__ROSTER__INIT;
	Cx__RecordKind kinds[3] = { CX__RECORD_KIND__PENALTY, CX__RECORD_KIND__DISHONEST_LIST,
	    CX__RECORD_KIND__LICENCE };
	uint8_t *base[3], *p9;
	size_t blen[3], p9len, i;
	tlog_hash h[3], h9, bad;
	uint32_t log;
	store_txn *rd = NULL;
	struct admit *a = NULL;
	char err[512];

	(void)state;
	m.id = "hangzhou";
	m.region = "330100";
	m.origin = "g60.cxnode/hangzhou";
	m.n_kinds = 3;
	m.kinds = kinds;
	ro.federation = "g60";
	ro.n_members = 1;
	ro.members = mp;

	sfix_open(&f);
	store_set_indexer(f.st, idx_indexer, NULL);
	assert_int_equal(store_log_create(f.st, &log, "g60.cxnode/hangzhou", "hangzhou", NULL), 0);
	base[0] = mkleaf(PENALTY("hz-p-1"), "hangzhou", 0, NULL, &blen[0]);
	base[1] = mkleaf(rec_list, "hangzhou", 0, NULL, &blen[1]);
	base[2] = mkleaf(rec_licence, "hangzhou", 0, NULL, &blen[2]);
	append(f.st, log, 0, base, blen, 3);
	for (i = 0; i < 3; i++)
		tlog_leaf_hash(h[i], base[i], blen[i]);

	assert_int_equal(store_read_begin(&rd, f.st), 0);
	assert_int_equal(admit_open(&a, rd, log, &ro, "nanjing"), CX_ENOTFOUND);
	assert_null(a);
	assert_int_equal(admit_open(&a, rd, log, &ro, "hangzhou"), 0);

	/* bytes that are no record; out of order */
	REFUSED(admit_leaf(a, 3, (const uint8_t *)"\xff\xff\xff", 3, err, sizeof(err)),
	    "leaf 3: does not decode");
	REFUSED(try_admit(a, 5, PENALTY("hz-p-5"), "hangzhou", 0, NULL, err, sizeof(err)),
	    "out of order");
	/* a repair of hz-p-1 by its authority: a penalty issuer may repair its penalties */
	assert_int_equal(try_admit(a, 3, CHANGE("hz-c-1", SAMR, "repair", "hz-p-1"), "hangzhou",
	    0, h[0], err, sizeof(err)), 0);
	/* record ids: in the store, in the batch */
	REFUSED(try_admit(a, 4, PENALTY("hz-p-1"), "hangzhou", 0, NULL, err, sizeof(err)),
	    "record_id hz-p-1 is already in the log");
	REFUSED(try_admit(a, 4, CHANGE("hz-c-1", SAMR, "withdrawal", "hz-p-1"), "hangzhou", 0,
	    h[0], err, sizeof(err)), "record_id hz-c-1 is already in the log");
	/* a removal from the tax list decided by the market authority */
	REFUSED(try_admit(a, 4, CHANGE("hz-c-2", SAMR, "removal", "hz-l-1"), "hangzhou", 1, h[1],
	    err, sizeof(err)), "CF_CFJGDM");
	/* a target in no log */
	REFUSED(try_admit(a, 4, CHANGE("hz-c-3", SAMR, "repair", "hz-p-404"), "hangzhou", 0, h[0],
	    err, sizeof(err)), "target hz-p-404 is not in the log of hangzhou");
	/* a reference must name its leaf exactly */
	REFUSED(try_admit(a, 4, CHANGE("hz-c-3", SAMR, "repair", "hz-p-1"), "hangzhou", 0, NULL,
	    err, sizeof(err)), "carries no leaf hash");
	REFUSED(try_admit(a, 4, CHANGE("hz-c-3", SAMR, "repair", "hz-p-1"), "hangzhou", 2, h[0],
	    err, sizeof(err)), "target index 2 does not match hz-p-1");
	memcpy(bad, h[0], sizeof(bad));
	bad[5] ^= 1;
	REFUSED(try_admit(a, 4, CHANGE("hz-c-3", SAMR, "repair", "hz-p-1"), "hangzhou", 0, bad,
	    err, sizeof(err)), "target leaf hash does not match hz-p-1");
	/* a repair cannot apply to a licence (the importer's own rule) */
	REFUSED(try_admit(a, 4, CHANGE("hz-c-3", SAMR, "repair", "hz-x-1"), "hangzhou", 2, h[2],
	    err, sizeof(err)), "licence record, which this repair cannot change");
	/* a kind the roster does not allow */
	REFUSED(try_admit(a, 4, rec_eval, "hangzhou", 0, NULL, err, sizeof(err)),
	    "the roster does not let hangzhou issue evaluation records");
	/* another issuer's record in hangzhou's log */
	REFUSED(try_admit(a, 4, PENALTY("hz-p-7"), "songjiang", 0, NULL, err, sizeof(err)),
	    "issuer \"songjiang\" in the log of hangzhou");
	/* a record that does not validate */
	REFUSED(try_admit(a, 4, CHANGE("hz-c-9", SAMR, "repair", "hz-c-9"), "hangzhou", 0, h[0],
	    err, sizeof(err)), "leaf 4: ");
	/* a new penalty, then its withdrawal: the target is in the batch */
	p9 = mkleaf(PENALTY("hz-p-9"), "hangzhou", 0, NULL, &p9len);
	tlog_leaf_hash(h9, p9, p9len);
	assert_int_equal(admit_leaf(a, 4, p9, p9len, err, sizeof(err)), 0);
	free(p9);
	REFUSED(try_admit(a, 5, CHANGE("hz-c-5", SAMR, "withdrawal", "hz-p-9"), "hangzhou", 4, h[0],
	    err, sizeof(err)), "target leaf hash does not match hz-p-9");
	assert_int_equal(try_admit(a, 5, CHANGE("hz-c-5", SAMR, "withdrawal", "hz-p-9"), "hangzhou",
	    4, h9, err, sizeof(err)), 0);
	/* a withdrawal of the licence: allowed as its kind is */
	assert_int_equal(try_admit(a, 6, CHANGE("hz-c-6", SAMR, "withdrawal", "hz-x-1"), "hangzhou",
	    2, h[2], err, sizeof(err)), 0);
	assert_int_equal(admit_count(a), 4);
	admit_close(a);
	admit_close(NULL);

	/* only penalties: a change of the licence is refused, unless status
	 * changes are listed */
	m.n_kinds = 1;
	assert_int_equal(admit_open(&a, rd, log, &ro, "hangzhou"), 0);
	REFUSED(try_admit(a, 3, CHANGE("hz-c-6", SAMR, "withdrawal", "hz-x-1"), "hangzhou", 2, h[2],
	    err, sizeof(err)), "neither status_change records nor licence ones");
	assert_int_equal(try_admit(a, 3, CHANGE("hz-c-1", SAMR, "repair", "hz-p-1"), "hangzhou", 0,
	    h[0], err, sizeof(err)), 0);
	admit_close(a);
	kinds[1] = CX__RECORD_KIND__STATUS_CHANGE;
	m.n_kinds = 2;
	assert_int_equal(admit_open(&a, rd, log, &ro, "hangzhou"), 0);
	assert_int_equal(try_admit(a, 3, CHANGE("hz-c-6", SAMR, "withdrawal", "hz-x-1"), "hangzhou",
	    2, h[2], err, sizeof(err)), 0);
	admit_close(a);
	/* a retired member publishes nothing more */
	m.retired = 1;
	assert_int_equal(admit_open(&a, rd, log, &ro, "hangzhou"), 0);
	REFUSED(try_admit(a, 3, PENALTY("hz-p-8"), "hangzhou", 0, NULL, err, sizeof(err)),
	    "retired");
	admit_close(a);

	store_read_end(rd);
	for (i = 0; i < 3; i++)
		free(base[i]);
	sfix_close(&f);
}

/* ---- fork evidence -------------------------------------------------------- */

#define SJ_ORIGIN "g60.cxnode/songjiang"

struct efix {
	struct sfix f;
	uint32_t a, b;             /* a: s0 s1 s2 a3 a4 a5; b: s0 s1 s2 b3 .. b7 */
	keys_key *k1, *k2, *stranger;
	char *v1, *v2;
	Cx__MemberKey mk1, mk2, *mks[2];
	Cx__Member m, *mp[1];
	Cx__Roster ro;
};

static void
efix_open(struct efix *e)
{
	Cx__MemberKey mk = CX__MEMBER_KEY__INIT;
	Cx__Member m = CX__MEMBER__INIT;
	Cx__Roster ro = CX__ROSTER__INIT;
	uint8_t *lv[8], buf[8][8];
	size_t lens[8], i;

	sfix_open(&e->f);
	store_set_indexer(e->f.st, NULL, NULL);
	assert_int_equal(store_log_create(e->f.st, &e->a, "view/a", "songjiang", NULL), 0);
	assert_int_equal(store_log_create(e->f.st, &e->b, "view/b", "songjiang", NULL), 0);
	for (i = 0; i < 8; i++) {
		snprintf((char *)buf[i], sizeof(buf[i]), "%c%zu", i < 3 ? 's' : 'a', i);
		lv[i] = buf[i];
		lens[i] = strlen((char *)buf[i]);
	}
	append(e->f.st, e->a, 0, lv, lens, 6);
	for (i = 3; i < 8; i++)
		buf[i][0] = 'b';
	append(e->f.st, e->b, 0, lv, lens, 8);

	assert_int_equal(keys_generate(&e->k1, KEYS_ED25519, "songjiang"), 0);
	assert_int_equal(keys_generate(&e->k2, KEYS_SM2, "songjiang"), 0);
	assert_int_equal(keys_generate(&e->stranger, KEYS_ED25519, "songjiang"), 0);
	assert_int_equal(keys_verifier(&e->v1, e->k1), 0);
	assert_int_equal(keys_verifier(&e->v2, e->k2), 0);
	/* k1 was valid [1000, 2000) and has been rotated out; k2 since 2000 */
	e->mk1 = mk;
	e->mk1.verifier = e->v1;
	e->mk1.valid_from = 1000;
	e->mk1.valid_until = 2000;
	e->mk2 = mk;
	e->mk2.verifier = e->v2;
	e->mk2.valid_from = 2000;
	e->mks[0] = &e->mk1;
	e->mks[1] = &e->mk2;
	e->m = m;
	e->m.id = "songjiang";
	e->m.region = "310117";
	e->m.origin = SJ_ORIGIN;
	e->m.n_keys = 2;
	e->m.keys = e->mks;
	e->mp[0] = &e->m;
	e->ro = ro;
	e->ro.federation = "g60";
	e->ro.n_members = 1;
	e->ro.members = e->mp;
	assert_int_equal(roster_check(&e->ro), 0);
}

static void
efix_close(struct efix *e)
{
	keys_free(e->k1);
	keys_free(e->k2);
	keys_free(e->stranger);
	free(e->v1);
	free(e->v2);
	sfix_close(&e->f);
}

/* The signed checkpoint of view log at size, signed by k. */
static void
checkpoint(struct efix *e, ProtobufCBinaryData *out, uint32_t log, uint64_t size, keys_key *k)
{
	store_txn *rd = NULL;
	tlog_hash root;
	char *text = NULL, *note = NULL;
	size_t tl, nl;

	assert_int_equal(store_read_begin(&rd, e->f.st), 0);
	assert_int_equal(store_root(rd, log, size, root), 0);
	store_read_end(rd);
	assert_int_equal(tlog_checkpoint_format(&text, &tl, SJ_ORIGIN, size, root), 0);
	assert_int_equal(note_sign(&note, &nl, text, tl, &k, 1), 0);
	free(text);
	out->data = (uint8_t *)note;
	out->len = nl;
}

/* Evidence: smaller = log sa at ss, larger = log lb at ls, alt root and
 * proof from log lb (ss -> ls); proof hashes in hashes. */
static void
mkevidence(struct efix *e, Cx__Evidence *ev, ProtobufCBinaryData *pb, tlog_hash *hashes,
    uint32_t sa, uint64_t ss, uint32_t lb, uint64_t ls, keys_key *k)
{
	Cx__Evidence init = CX__EVIDENCE__INIT;
	store_txn *rd = NULL;
	size_t n = 0, i;

	*ev = init;
	ev->origin = SJ_ORIGIN;
	ev->issuer = "songjiang";
	ev->found_at = 1767225600;
	ev->found_by = "jiaxing";
	ev->peer = "tls+tcp://sj.example:7060";
	checkpoint(e, &ev->smaller, sa, ss, k);
	checkpoint(e, &ev->larger, lb, ls, k);
	if (ss == ls)
		return;
	assert_int_equal(store_read_begin(&rd, e->f.st), 0);
	assert_int_equal(store_root(rd, lb, ss, hashes[TLOG_MAX_PROOF]), 0);
	assert_int_equal(store_prove_consistency(rd, lb, ss, ls, hashes, &n), 0);
	store_read_end(rd);
	ev->alt_root.data = hashes[TLOG_MAX_PROOF];
	ev->alt_root.len = TLOG_HASH_LEN;
	for (i = 0; i < n; i++) {
		pb[i].data = hashes[i];
		pb[i].len = TLOG_HASH_LEN;
	}
	ev->n_proof = n;
	ev->proof = pb;
}

static void
evidence_free(Cx__Evidence *ev)
{
	free(ev->smaller.data);
	free(ev->larger.data);
}

static void
test_evidence(void **state)
{
	struct efix e;
	Cx__Evidence ev;
	ProtobufCBinaryData pb[TLOG_MAX_PROOF];
	tlog_hash hashes[TLOG_MAX_PROOF + 1];
	char why[512], *js = NULL;
	uint8_t *packed;
	size_t plen;
	Cx__Evidence *back;

	(void)state;
	efix_open(&e);

	/* a real fork: the trees share 3 leaves and diverge; one key signed both */
	mkevidence(&e, &ev, pb, hashes, e.a, 6, e.b, 8, e.k1);
	assert_true(ev.n_proof > 0);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "songjiang signed two trees of size 6"));
	assert_int_equal(evidence_json(&js, &ev), 0);
	assert_non_null(strstr(js, "\"issuer\": \"songjiang\""));
	assert_non_null(strstr(js, "\"size\": 8"));
	free(js);
	/* it survives the wire */
	plen = cx__evidence__get_packed_size(&ev);
	packed = malloc(plen);
	cx__evidence__pack(&ev, packed);
	back = cx__evidence__unpack(NULL, plen, packed);
	assert_non_null(back);
	assert_int_equal(evidence_check(back, &e.ro, why, sizeof(why)), 0);
	cx__evidence__free_unpacked(back, NULL);
	free(packed);

	/* a tampered proof; a lying alternative root */
	pb[0].data[0] ^= 1;
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EPROOF);
	assert_non_null(strstr(why, "does not verify"));
	pb[0].data[0] ^= 1;
	hashes[TLOG_MAX_PROOF][31] ^= 1;
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EPROOF);
	hashes[TLOG_MAX_PROOF][31] ^= 1;
	/* another origin; swapped notes; a short hash */
	ev.origin = "g60.cxnode/jiaxing";
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EFORMAT);
	ev.origin = SJ_ORIGIN;
	{
		ProtobufCBinaryData t = ev.smaller;

		ev.smaller = ev.larger;
		ev.larger = t;
		assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EFORMAT);
		ev.larger = ev.smaller;
		ev.smaller = t;
	}
	pb[1].len = 31;
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EFORMAT);
	pb[1].len = 32;
	assert_int_equal(evidence_check(&ev, &e.ro, NULL, 0), 0);
	/* the member's key revoked: its signatures prove nothing */
	e.mk1.revoked = 1;
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EBADSIG);
	e.mk1.revoked = 0;
	/* a retired member's keys no longer count; an unknown issuer */
	e.m.retired = 1;
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EBADSIG);
	e.m.retired = 0;
	ev.issuer = "nanjing";
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EBADSIG);
	evidence_free(&ev);

	/* equal sizes, different roots; signed with the current SM2 key */
	mkevidence(&e, &ev, pb, hashes, e.a, 6, e.b, 6, e.k2);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), 0);
	evidence_free(&ev);
	mkevidence(&e, &ev, pb, hashes, e.a, 4, e.b, 4, e.k2);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), 0);
	evidence_free(&ev);

	/* no fork: a consistent pair, by alternative root or at equal size */
	mkevidence(&e, &ev, pb, hashes, e.a, 3, e.b, 8, e.k1);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EPROOF);
	assert_non_null(strstr(why, "no fork"));
	evidence_free(&ev);
	mkevidence(&e, &ev, pb, hashes, e.b, 5, e.b, 8, e.k1);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EPROOF);
	evidence_free(&ev);
	mkevidence(&e, &ev, pb, hashes, e.a, 3, e.b, 3, e.k1);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EPROOF);
	evidence_free(&ev);
	mkevidence(&e, &ev, pb, hashes, e.a, 0, e.b, 8, e.k1);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EPROOF);
	evidence_free(&ev);

	/* signed by a key of that name the roster does not list */
	mkevidence(&e, &ev, pb, hashes, e.a, 6, e.b, 8, e.stranger);
	assert_int_equal(evidence_check(&ev, &e.ro, why, sizeof(why)), CX_EBADSIG);
	assert_non_null(strstr(why, "not signed by a non-revoked key of songjiang"));
	evidence_free(&ev);

	efix_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unpack_depth),
		cmocka_unit_test(test_unpack_malformed),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_admit),
		cmocka_unit_test(test_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
