/*
 * quality_test.c — the 双公示 quality report (node/quality.c): the
 * working-day count of a publication (holidays, make-up working days, a
 * publication on a rest day, the year boundary), ISO weeks, the China date
 * of a unix time, calendar files and their errors, the parameters and
 * their defaults, and the report itself over a store built here: this
 * node's log (Hangzhou) and another issuer's (Jiaxing), leaves beyond the
 * latest checkpoint, and rejected rows collected as the importer does.
 * Every expected figure is worked out by hand in the comments.
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
#include "node/quality.h"
#include "store/store.h"
#include "store/tlog.h"
#include "util/date.h"
#include "util/err.h"

/* ---- helpers ------------------------------------------------------------ */

static char tmpdir[256];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static int
setup_dir(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/cxnode-quality-test-XXXXXX", t ? t : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write text to tmpdir/name; the path in out. */
static void
write_file(char *out, size_t cap, const char *name, const char *text)
{
	FILE *f;

	snprintf(out, cap, "%s/%s", tmpdir, name);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static struct date_calendar *
calendar(const char *text)
{
	struct date_calendar *c = NULL;
	char path[400];

	write_file(path, sizeof(path), "cal.txt", text);
	if (quality_calendar_load(&c, path) != 0)
		fail_msg("calendar: %s", cx_lasterr());
	return c;
}

/* ---- working days -------------------------------------------------------- */

/* No calendar: weekends only. */
static void
test_workdays_weekends(void **state)
{
	(void)state;
	/* decision Friday 2026-04-03 (the header's example) */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260403), 0);  /* same day */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260401), 0);  /* before it */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260404), 1);  /* Sat -> Mon 6 */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260406), 1);  /* Mon */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260410), 5);  /* Fri */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260412), 6);  /* Sun -> Mon 13 */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260414), 7);  /* Tue: timely */
	assert_int_equal(quality_workday_no(NULL, 20260403, 20260415), 8);  /* Wed: late */
	assert_int_equal(date_add_workdays(NULL, 20260403, QUALITY_DEADLINE), 20260414);
	/* a decision on a Saturday: Mon 1 .. Tue of the next week 7 */
	assert_int_equal(quality_workday_no(NULL, 20260404, 20260405), 1);
	assert_int_equal(quality_workday_no(NULL, 20260404, 20260414), 7);
	/* bad dates */
	assert_int_equal(quality_workday_no(NULL, 20260230, 20260301), -1);
	assert_int_equal(quality_workday_no(NULL, 20260301, 0), -1);
}

/*
 * The fixture calendar of tests/cli_quality.sh: holidays Wednesday
 * 2026-04-15 to Friday 04-17, make-up working Saturday 04-18, and Friday
 * 05-01.
 */
#define FIXTURE_CAL \
	"# made up\n" \
	"2026-04-15 holiday   假日（一）\n" \
	"2026-04-16 holiday   假日（二）\n" \
	"2026-04-17 holiday\t假日（三）\n" \
	"\n" \
	"2026-04-18 workday   调休上班   # make-up Saturday\n" \
	"2026-05-01 holiday   劳动节\n"

static void
test_workdays_holidays(void **state)
{
	struct date_calendar *c;

	(void)state;
	c = calendar(FIXTURE_CAL);
	assert_int_equal(date_calendar_size(c), 5);
	/* decision Thu 04-09: Fri 10 (1), Mon 13 (2), Tue 14 (3), [15-17
	 * holidays], Sat 18 (4, make-up), Mon 20 (5), Tue 21 (6) */
	assert_int_equal(quality_workday_no(c, 20260409, 20260421), 6);
	assert_int_equal(quality_workday_no(NULL, 20260409, 20260421), 8);
	/* decision Tue 04-07: Wed 8 (1), Thu 9 (2), Fri 10 (3), Mon 13 (4),
	 * Tue 14 (5), Sat 18 (6), Mon 20 (7), Tue 21 (8) */
	assert_int_equal(quality_workday_no(c, 20260407, 20260421), 8);
	/* published on a holiday counts as the next working day, the make-up
	 * Saturday: decision Mon 04-13: Tue 14 (1), Wed 15 -> Sat 18 (2) */
	assert_int_equal(quality_workday_no(c, 20260413, 20260415), 2);
	assert_int_equal(quality_workday_no(c, 20260413, 20260418), 2);
	/* Sun 19 -> Mon 20 (3) */
	assert_int_equal(quality_workday_no(c, 20260413, 20260419), 3);
	/* decision on a holiday, Thu 04-16: Sat 18 (1), Mon 20 (2) .. Fri 24
	 * (6), Sun 26 -> Mon 27 (7): timely */
	assert_int_equal(quality_workday_no(c, 20260416, 20260426), 7);
	assert_int_equal(date_add_workdays(c, 20260416, QUALITY_DEADLINE), 20260427);
	/* decision Mon 04-13, published Sun 04-26: Tue 14 (1), Sat 18 (2), Mon
	 * 20 (3) .. Fri 24 (7), Sun 26 -> Mon 27 (8): late, although no working
	 * day passed after the seventh */
	assert_int_equal(quality_workday_no(c, 20260413, 20260426), 8);
	assert_true(20260426 > date_add_workdays(c, 20260413, QUALITY_DEADLINE));
	/* over 1 May: decision Fri 04-24: Mon 27 (1) .. Thu 30 (4), [Fri 1],
	 * Mon 4 (5), Tue 5 (6), Wed 6 (7) */
	assert_int_equal(quality_workday_no(c, 20260424, 20260506), 7);
	assert_int_equal(quality_workday_no(NULL, 20260424, 20260506), 8);
	date_calendar_free(c);
}

/* Across New Year, with 1-2 January off and Sunday 4 January worked. */
static void
test_workdays_year_boundary(void **state)
{
	struct date_calendar *c;

	(void)state;
	c = calendar("2026-01-01 holiday 元旦\n2026-01-02 holiday\n2026-01-04 workday\n");
	/* decision Tue 2025-12-30: Wed 31 (1), [Thu 1, Fri 2, Sat 3], Sun 4
	 * (2), Mon 5 (3) .. Fri 9 (7), Mon 12 (8) */
	assert_int_equal(quality_workday_no(c, 20251230, 20251231), 1);
	assert_int_equal(quality_workday_no(c, 20251230, 20260101), 2);   /* -> Sun 4 */
	assert_int_equal(quality_workday_no(c, 20251230, 20260103), 2);
	assert_int_equal(quality_workday_no(c, 20251230, 20260104), 2);
	assert_int_equal(quality_workday_no(c, 20251230, 20260109), 7);
	assert_int_equal(quality_workday_no(c, 20251230, 20260110), 8);   /* Sat -> Mon 12 */
	assert_int_equal(date_add_workdays(c, 20251230, 7), 20260109);
	/* weekends only: Wed 31 (1), Thu 1 (2), Fri 2 (3), Mon 5 (4) .. Thu 8 (7) */
	assert_int_equal(quality_workday_no(NULL, 20251230, 20260108), 7);
	assert_int_equal(quality_workday_no(NULL, 20251230, 20260109), 8);
	/* a leap day: decision Fri 2028-02-25: Mon 28 (1), Tue 29 (2), Wed 1 (3) */
	assert_int_equal(quality_workday_no(NULL, 20280225, 20280301), 3);
	date_calendar_free(c);
}

/* "day <= 7" and "published <= the deadline" are the same rule, for every
 * pair of dates over two months around the fixture holidays. */
static void
test_workdays_deadline_agrees(void **state)
{
	struct date_calendar *c;
	uint32_t d, p;
	int i, j, n = 0;

	(void)state;
	c = calendar(FIXTURE_CAL);
	for (i = 0; i < 61; i++) {
		d = date_add_days(20260401, i);
		for (j = 0; j < 30; j++) {
			int day;

			p = date_add_days(d, j);
			day = quality_workday_no(c, d, p);
			assert_true(day >= 0);
			assert_int_equal(day <= QUALITY_DEADLINE,
			    p <= date_add_workdays(c, d, QUALITY_DEADLINE));
			n++;
		}
	}
	assert_int_equal(n, 61 * 30);
	date_calendar_free(c);
}

static void
test_iso_week_and_date(void **state)
{
	int y, w;

	(void)state;
	assert_int_equal(quality_iso_week(20260101, &y, &w), 0);   /* Thursday */
	assert_int_equal(y, 2026);
	assert_int_equal(w, 1);
	assert_int_equal(quality_iso_week(20251229, &y, &w), 0);   /* its Monday */
	assert_int_equal(y, 2026);
	assert_int_equal(w, 1);
	assert_int_equal(quality_iso_week(20251228, &y, &w), 0);   /* Sunday before */
	assert_int_equal(y, 2025);
	assert_int_equal(w, 52);
	assert_int_equal(quality_iso_week(20270101, &y, &w), 0);   /* Friday */
	assert_int_equal(y, 2026);
	assert_int_equal(w, 53);
	assert_int_equal(quality_iso_week(20210103, &y, &w), 0);   /* Sunday */
	assert_int_equal(y, 2020);
	assert_int_equal(w, 53);
	assert_int_equal(quality_iso_week(20260413, &y, &w), 0);
	assert_int_equal(w, 16);
	assert_int_equal(quality_iso_week(20260426, &y, &w), 0);
	assert_int_equal(w, 17);
	assert_int_equal(quality_iso_week(20260230, &y, &w), -1);
	/* China time is UTC+8: 2026-04-12T15:59:59Z is still the 12th */
	assert_int_equal(quality_date_of(1776009599), 20260412);
	assert_int_equal(quality_date_of(1776009600), 20260413);
	assert_int_equal(quality_date_of(0), 19700101);
}

static void
test_calendar_errors(void **state)
{
	struct date_calendar *c = NULL;
	char path[400], want[500];

	(void)state;
	write_file(path, sizeof(path), "bad1.txt", "# ok\n2026-04-15 holiday\n2026-13-01 holiday\n");
	assert_int_equal(quality_calendar_load(&c, path), CX_EFORMAT);
	assert_null(c);
	snprintf(want, sizeof(want), "%s:3: bad date", path);
	assert_non_null(strstr(cx_lasterr(), want));

	write_file(path, sizeof(path), "bad2.txt", "2026-04-15 holiday\n2026-04-18 work\n");
	assert_int_equal(quality_calendar_load(&c, path), CX_EFORMAT);
	snprintf(want, sizeof(want), "%s:2: expected \"holiday\" or \"workday\"", path);
	assert_non_null(strstr(cx_lasterr(), want));

	write_file(path, sizeof(path), "bad3.txt", "2026-04-15\n");
	assert_int_equal(quality_calendar_load(&c, path), CX_EFORMAT);
	snprintf(want, sizeof(want), "%s:1: ", path);
	assert_non_null(strstr(cx_lasterr(), want));

	write_file(path, sizeof(path), "bad4.txt", "2026-04-15 holiday\n2026-04-15 workday\n");
	assert_int_equal(quality_calendar_load(&c, path), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "both as holiday and as workday"));
	assert_non_null(strstr(cx_lasterr(), path));

	snprintf(path, sizeof(path), "%s/no-such-calendar.txt", tmpdir);
	assert_int_equal(quality_calendar_load(&c, path), CX_ENOTFOUND);
	assert_non_null(strstr(cx_lasterr(), path));

	/* comments, blank lines, other date forms, a repeated entry */
	write_file(path, sizeof(path), "good.txt",
	    "\n   # comment only\n2026/4/15 holiday\n20260415 holiday 重复\n2026年4月18日 workday\n");
	assert_int_equal(quality_calendar_load(&c, path), 0);
	assert_int_equal(date_calendar_size(c), 2);
	assert_false(date_is_workday(c, 20260415));
	assert_true(date_is_workday(c, 20260418));
	date_calendar_free(c);
}

/* ---- parameters ----------------------------------------------------------- */

static int
parse(struct quality_params *p, const char *json, uint32_t today)
{
	json_t *j = json ? json_loads(json, 0, NULL) : NULL;
	int rc;

	if (json != NULL)
		assert_non_null(j);
	rc = quality_params_parse(p, j, today);
	json_decref(j);
	return rc;
}

static void
test_params(void **state)
{
	struct quality_params p;

	(void)state;
	/* the last full month */
	assert_int_equal(parse(&p, NULL, 20260315), 0);
	assert_int_equal(p.from, 20260201);
	assert_int_equal(p.to, 20260228);
	assert_true(p.weeks && p.months);
	assert_int_equal(parse(&p, "{}", 20260110), 0);
	assert_int_equal(p.from, 20251201);
	assert_int_equal(p.to, 20251231);
	assert_int_equal(parse(&p, "{}", 20240301), 0);
	assert_int_equal(p.to, 20240229);
	/* one end given */
	assert_int_equal(parse(&p, "{\"from\":\"2026-03-05\"}", 20260420), 0);
	assert_int_equal(p.from, 20260305);
	assert_int_equal(p.to, 20260420);
	assert_int_equal(parse(&p, "{\"to\":\"2026/3/20\"}", 20260420), 0);
	assert_int_equal(p.from, 20260301);
	assert_int_equal(p.to, 20260320);
	/* everything */
	assert_int_equal(parse(&p, "{\"from\":\"2026-04-01\",\"to\":\"2026-05-31\",\"period\":\"week\","
	    "\"issuer\":\"hangzhou\",\"department\":\"杭州市生态环境局\"}", 20260601), 0);
	assert_true(p.weeks && !p.months);
	assert_string_equal(p.issuer, "hangzhou");
	assert_string_equal(p.department, "杭州市生态环境局");
	assert_int_equal(parse(&p, "{\"period\":\"month\"}", 20260601), 0);
	assert_true(!p.weeks && p.months);
	assert_int_equal(parse(&p, "{\"period\":\"both\"}", 20260601), 0);
	assert_true(p.weeks && p.months);
	/* refusals */
	assert_int_equal(parse(&p, "{\"from\":\"2026-05-01\",\"to\":\"2026-04-30\"}", 20260601), CX_EINVAL);
	assert_non_null(strstr(cx_lasterr(), "after"));
	assert_int_equal(parse(&p, "{\"from\":\"2026-02-30\"}", 20260601), CX_EINVAL);
	assert_int_equal(parse(&p, "{\"from\":20260401}", 20260601), CX_EINVAL);
	assert_int_equal(parse(&p, "{\"period\":\"day\"}", 20260601), CX_EINVAL);
	assert_int_equal(parse(&p, "{\"period\":1}", 20260601), CX_EINVAL);
	assert_int_equal(parse(&p, "{\"issuer\":5}", 20260601), CX_EINVAL);
	assert_int_equal(parse(&p, "{\"kinds\":[\"penalty\"]}", 20260601), CX_EINVAL);
	assert_non_null(strstr(cx_lasterr(), "kinds"));
	assert_int_equal(parse(&p, "[]", 20260601), CX_EINVAL);
	/* at most 36 months */
	assert_int_equal(parse(&p, "{\"from\":\"2023-01-01\",\"to\":\"2025-12-31\"}", 20260601), 0);
	assert_int_equal(parse(&p, "{\"from\":\"2023-01-01\",\"to\":\"2026-01-01\"}", 20260601),
	    CX_EINVAL);
}

/* ---- the report over a store ------------------------------------------------ */

#define HZ_ORIGIN "g60.cxnode/hangzhou"
#define JX_ORIGIN "g60.cxnode/jiaxing"
#define AUTH_A "\"authority\":{\"name\":\"杭州市市场监督管理局\",\"credit_code\":\"113301000024895167\"}"
#define AUTH_B "\"authority\":{\"name\":\"杭州市生态环境局\",\"credit_code\":\"113301000024895242\"}"
#define AUTH_C "\"authority\":{\"name\":\"嘉兴市市场监督管理局\",\"credit_code\":\"113304000025347861\"}"
#define SUBJ "\"subject\":{\"category\":\"legal_person\",\"name\":\"杭州西湖味道餐饮管理有限公司\"," \
    "\"credit_code\":\"91330100799655058B\"}"
#define PEN(id, auth, dec, at) "{\"record_id\":\"" id "\",\"kind\":\"penalty\"," SUBJ "," auth \
    ",\"decision_date\":\"" dec "\",\"issued_at\":\"" at "\",\"penalty\":{\"decision_no\":\"" id "\"}}"
#define LIC(id, auth, dec, at) "{\"record_id\":\"" id "\",\"kind\":\"licence\"," SUBJ "," auth \
    ",\"decision_date\":\"" dec "\",\"issued_at\":\"" at "\",\"licence\":{\"decision_no\":\"" id "\"}}"

/*
 * Hangzhou (this node), signed at 4 leaves, holding 5; times in UTC, dates
 * in China time:
 *   0  penalty A, decided Thu 04-02, published Mon 04-13: day 7, timely
 *   1  licence A, decided Wed 04-01, published Mon 04-13: day 8, late
 *   2  penalty A, decided Thu 04-09, published Tue 04-21: day 8 late with
 *      weekends only, day 6 timely with the fixture calendar
 *   3  a dishonest-list entry: not a 双公示 kind
 *   4  penalty A published 04-13 but beyond the checkpoint: not counted
 * Jiaxing (another issuer), signed at 3:
 *   0  penalty C, decided Thu 04-02, published 04-13T15:59:59Z = Mon 04-13
 *      23:59:59 China time: day 7, timely
 *   1  penalty C, decided Thu 04-02, published 04-13T16:00:00Z = Tue 04-14
 *      00:00 China time: day 8, late
 *   2  licence C, decided Wed 05-06, published Thu 05-07: day 1, timely
 */
static const char *const hz_records[] = {
	PEN("hz-0", AUTH_A, "2026-04-02", "2026-04-13T02:00:00Z"),
	LIC("hz-1", AUTH_A, "2026-04-01", "2026-04-13T02:00:00Z"),
	PEN("hz-2", AUTH_A, "2026-04-09", "2026-04-21T02:00:00Z"),
	"{\"record_id\":\"hz-3\",\"kind\":\"dishonest_list\"," SUBJ "," AUTH_A
	    ",\"decision_date\":\"2026-04-10\",\"issued_at\":\"2026-04-13T02:00:00Z\","
	    "\"list_entry\":{\"list_type\":\"严重失信主体名单\"}}",
	PEN("hz-4", AUTH_A, "2026-04-10", "2026-04-13T02:00:00Z"),
};
static const char *const jx_records[] = {
	PEN("jx-0", AUTH_C, "2026-04-02", "2026-04-13T15:59:59Z"),
	PEN("jx-1", AUTH_C, "2026-04-02", "2026-04-13T16:00:00Z"),
	LIC("jx-2", AUTH_C, "2026-05-06", "2026-05-07T01:00:00Z"),
};

struct fx {
	store *st;
	keys_key *key;
	struct node n;
	uint32_t hz, jx;
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
add(struct fx *f, uint32_t log, uint64_t at, const char *json, int sign)
{
	struct signer s = { f->key, log == f->hz ? HZ_ORIGIN : JX_ORIGIN, sign };
	struct store_leaf lv;
	Cx__Record *r = NULL;
	char err[256];
	uint8_t *buf;
	size_t len;

	if (json_to_record(&r, json, strlen(json), err, sizeof(err)) != 0)
		fail_msg("%s: %s", json, err);
	len = cx__record__get_packed_size(r);
	buf = malloc(len);
	assert_non_null(buf);
	cx__record__pack(r, buf);
	json_record_free(r);
	lv.data = buf;
	lv.len = len;
	lv.hash = NULL;
	assert_int_equal(store_append(f->st, log, at, &lv, 1, sign_cb, &s), 0);
	free(buf);
}

/* A JSON line as the importer would have rejected it. */
#define REJ_A PEN("hz-bad-1", AUTH_A, "2026-04-12", "2026-04-13T02:00:00Z")

static void
fx_open(struct fx *f)
{
	struct store_opts o = { 0, 0, 1 };
	struct quality_rejects *q = NULL;
	char sd[400];
	char *cells[3] = { "x", "y", "" };
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(sd, sizeof(sd), "%s/store", tmpdir);
	assert_int_equal(store_open(&f->st, sd, &o), 0);
	store_set_indexer(f->st, idx_indexer, NULL);
	assert_int_equal(keys_generate(&f->key, KEYS_ED25519, "hangzhou"), 0);
	assert_int_equal(store_log_create(f->st, &f->jx, JX_ORIGIN, "jiaxing", NULL), 0);
	assert_int_equal(store_log_create(f->st, &f->hz, HZ_ORIGIN, "hangzhou", NULL), 0);
	for (i = 0; i < 5; i++)
		add(f, f->hz, i, hz_records[i], i == 3);
	for (i = 0; i < 3; i++)
		add(f, f->jx, i, jx_records[i], i == 2);
	f->n.st = f->st;
	f->n.log = f->hz;
	f->n.cfg.id = "hangzhou";

	/* rejected rows, imported Mon 04-13 10:00 China time (02:00Z) */
	assert_int_equal(quality_rejects_new(&q, 1776045600), 0);
	/* a record that failed validation: authority A */
	assert_int_equal(quality_reject_line(q, REJ_A, strlen(REJ_A), "bad"), 0);
	/* the same row again, in the same import: one row */
	assert_int_equal(quality_reject_line(q, REJ_A, strlen(REJ_A), "bad"), 0);
	/* not a record, but a JSON object naming a licence of B */
	{
		const char *l = "{\"kind\":\"licence\"," AUTH_B ",\"decision_date\":\"2026-04-10\","
		    "\"licence\":{\"valid_from\":\"not a date\"}}";

		assert_int_equal(quality_reject_line(q, l, strlen(l), "licence.valid_from: bad"), 0);
	}
	/* a CSV row that did not parse: (unknown) */
	assert_int_equal(quality_reject_cells(q, CX__RECORD_KIND__PENALTY, cells, 3, "amount"), 0);
	/* ignored: not JSON; another kind; a CSV row of another kind */
	assert_int_equal(quality_reject_line(q, "oops", 4, "not JSON"), 0);
	assert_int_equal(quality_reject_line(q, hz_records[3], strlen(hz_records[3]), "x"), 0);
	assert_int_equal(quality_reject_cells(q, CX__RECORD_KIND__DISHONEST_LIST, cells, 3, "x"), 0);
	/* the twins are two until written; the store keeps one */
	assert_int_equal(quality_rejects_pending(q), 4);
	assert_int_equal(quality_rejects_flush(q, f->st), 0);
	assert_int_equal(quality_rejects_pending(q), 0);
	quality_rejects_free(q);
	/* imported again on Tue 04-21: the first rejection's date stays */
	assert_int_equal(quality_rejects_new(&q, 1776736800), 0);
	assert_int_equal(quality_reject_line(q, REJ_A, strlen(REJ_A), "bad"), 0);
	assert_int_equal(quality_rejects_flush(q, f->st), 0);
	quality_rejects_free(q);
}

static void
fx_close(struct fx *f)
{
	keys_free(f->key);
	store_close(f->st);
}

static json_t *
report(struct fx *f, const char *params)
{
	json_t *p = json_loads(params, 0, NULL), *out = NULL;
	store_txn *t = NULL;
	int rc;

	assert_non_null(p);
	assert_int_equal(store_read_begin(&t, f->st), 0);
	rc = quality_report(&out, &f->n, t, p);
	if (rc != 0)
		fail_msg("%s: %s", params, cx_lasterr());
	store_read_end(t);
	json_decref(p);
	return out;
}

/* The figures of row o: volume, timely, timeliness, submitted, compliant,
 * compliance, as text ("-" for null). */
static void
figures(char *out, size_t cap, const json_t *o)
{
	const char *k[6] = { "volume", "timely", "timeliness", "submitted", "compliant", "compliance" };
	size_t off = 0, i;

	assert_non_null(o);
	out[0] = '\0';
	for (i = 0; i < 6; i++) {
		json_t *v = json_object_get(o, k[i]);
		int n;

		assert_non_null(v);
		if (json_is_integer(v))
			n = snprintf(out + off, cap - off, "%s%lld", i ? " " : "",
			    (long long)json_integer_value(v));
		else if (json_is_string(v))
			n = snprintf(out + off, cap - off, "%s%s", i ? " " : "", json_string_value(v));
		else
			n = snprintf(out + off, cap - off, "%s-", i ? " " : "");
		off += (size_t)n;
	}
}

/* Department row named name (or code) in bucket b, or NULL. */
static const json_t *
dept(const json_t *b, const char *name)
{
	const json_t *a = json_object_get(b, "departments"), *d;
	size_t i;

	json_array_foreach(a, i, d) {
		const json_t *dp = json_object_get(d, "department");

		if (strcmp(json_string_value(json_object_get(dp, "name")), name) == 0)
			return d;
	}
	return NULL;
}

#define FIG(o, want) do { \
		char got_[200]; \
		figures(got_, sizeof(got_), (o)); \
		assert_string_equal(got_, (want)); \
	} while (0)

static void
test_report(void **state)
{
	struct fx f;
	json_t *r;
	const json_t *per, *w, *m;
	char cal[400];

	(void)state;
	fx_open(&f);

	/* April, weekends only */
	r = report(&f, "{\"from\":\"2026-04-01\",\"to\":\"2026-04-30\"}");
	assert_string_equal(json_string_value(json_object_get(r, "from")), "2026-04-01");
	assert_int_equal(json_array_size(json_object_get(r, "data")), 2);
	per = json_object_get(r, "period");
	/* A: hz-0 (timely), hz-1 (late), hz-2 (late): 3, 1 timely = 33.33%;
	 * one rejected row: submitted 4, compliant 3 = 75.00% */
	FIG(dept(per, "杭州市市场监督管理局"), "3 1 33.33 4 3 75.00");
	/* B: one rejected row only */
	FIG(dept(per, "杭州市生态环境局"), "0 0 - 1 0 0.00");
	FIG(dept(per, "(unknown)"), "0 0 - 1 0 0.00");
	/* C, Jiaxing: jx-0 timely, jx-1 late; compliance not known here */
	FIG(dept(per, "嘉兴市市场监督管理局"), "2 1 50.00 - - -");
	/* total: 5 published, 2 timely = 40.00%; this node's 3 of 6 = 50.00% */
	FIG(json_object_get(per, "total"), "5 2 40.00 6 3 50.00");
	assert_int_equal(json_array_size(json_object_get(per, "issuers")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(per, "total"), "penalties")),
	    4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(per, "total"), "licences")),
	    1);
	/* weeks: W14 .. W18 (Mon 03-30 .. Sun 05-03), clipped to the period */
	assert_int_equal(json_array_size(json_object_get(r, "weeks")), 5);
	w = json_array_get(json_object_get(r, "weeks"), 0);
	assert_string_equal(json_string_value(json_object_get(w, "period")), "2026-W14");
	assert_string_equal(json_string_value(json_object_get(w, "from")), "2026-04-01");
	assert_string_equal(json_string_value(json_object_get(w, "to")), "2026-04-05");
	assert_int_equal(json_array_size(json_object_get(w, "departments")), 0);
	/* W16 (04-13 .. 04-19): hz-0, hz-1, jx-0, jx-1, the three rejections */
	w = json_array_get(json_object_get(r, "weeks"), 2);
	assert_string_equal(json_string_value(json_object_get(w, "period")), "2026-W16");
	FIG(dept(w, "杭州市市场监督管理局"), "2 1 50.00 3 2 66.67");
	FIG(dept(w, "嘉兴市市场监督管理局"), "2 1 50.00 - - -");
	FIG(json_object_get(w, "total"), "4 2 50.00 5 2 40.00");
	/* W17: hz-2 only (the second import of the bad row does not count) */
	w = json_array_get(json_object_get(r, "weeks"), 3);
	FIG(json_object_get(w, "total"), "1 0 0.00 1 1 100.00");
	assert_int_equal(json_array_size(json_object_get(w, "departments")), 1);
	m = json_array_get(json_object_get(r, "months"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "months")), 1);
	assert_string_equal(json_string_value(json_object_get(m, "period")), "2026-04");
	FIG(json_object_get(m, "total"), "5 2 40.00 6 3 50.00");
	json_decref(r);

	/* with the fixture calendar hz-2 is timely (day 6) */
	write_file(cal, sizeof(cal), "fixture-cal.txt", FIXTURE_CAL);
	f.n.cfg.calendar = cal;
	r = report(&f, "{\"from\":\"2026-04-01\",\"to\":\"2026-05-31\",\"period\":\"month\"}");
	assert_null(json_object_get(r, "weeks"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "rule"),
	    "calendar_entries")), 5);
	per = json_object_get(r, "period");
	FIG(dept(per, "杭州市市场监督管理局"), "3 2 66.67 4 3 75.00");
	/* jx-2 in May: 3 published by Jiaxing, 2 timely */
	FIG(dept(per, "嘉兴市市场监督管理局"), "3 2 66.67 - - -");
	FIG(json_object_get(per, "total"), "6 4 66.67 6 3 50.00");
	m = json_array_get(json_object_get(r, "months"), 1);
	assert_string_equal(json_string_value(json_object_get(m, "period")), "2026-05");
	FIG(json_object_get(m, "total"), "1 1 100.00 0 0 -");
	assert_int_equal(json_array_size(json_object_get(m, "issuers")), 1);
	json_decref(r);

	/* only Jiaxing: this node's compliance does not enter the total */
	r = report(&f, "{\"from\":\"2026-04-01\",\"to\":\"2026-04-30\",\"issuer\":\"jiaxing\"}");
	per = json_object_get(r, "period");
	FIG(json_object_get(per, "total"), "2 1 50.00 - - -");
	assert_int_equal(json_array_size(json_object_get(per, "departments")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "data")), 1);
	json_decref(r);

	/* one department, by its code */
	r = report(&f, "{\"from\":\"2026-04-01\",\"to\":\"2026-04-30\",\"department\":\"113301000024895167\"}");
	per = json_object_get(r, "period");
	assert_int_equal(json_array_size(json_object_get(per, "departments")), 1);
	FIG(json_object_get(per, "total"), "3 2 66.67 4 3 75.00");
	json_decref(r);

	/* a bad calendar is an error naming its line; bad params too */
	{
		json_t *out = NULL, *p = json_loads("{\"period\":\"year\"}", 0, NULL);
		store_txn *t = NULL;
		char want[500];

		assert_int_equal(store_read_begin(&t, f.st), 0);
		assert_int_equal(quality_report(&out, &f.n, t, p), CX_EINVAL);
		assert_null(out);
		write_file(cal, sizeof(cal), "broken-cal.txt", "2026-04-15 holiday\nholiday\n");
		assert_int_equal(quality_report(&out, &f.n, t, NULL), CX_EFORMAT);
		snprintf(want, sizeof(want), "%s:2:", cal);
		assert_non_null(strstr(cx_lasterr(), want));
		store_read_end(t);
		json_decref(p);
	}
	fx_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workdays_weekends),
		cmocka_unit_test(test_workdays_holidays),
		cmocka_unit_test(test_workdays_year_boundary),
		cmocka_unit_test(test_workdays_deadline_agrees),
		cmocka_unit_test(test_iso_week_and_date),
		cmocka_unit_test(test_calendar_errors),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
