/*
 * credit_test.c — identifiers, publicity rules and record validation.
 *
 * The credit codes are real ones (DOMAIN.md); the organisation-code and
 * identity-number check characters of the vectors were worked out by hand
 * from the published weights. Records are built on the stack from the
 * generated protobuf-c structures, one valid record per kind, then broken
 * one rule at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credit/codes.h"
#include "credit/rules.h"
#include "credit/validate.h"
#include "util/date.h"
#include "util/err.h"

static const char *const real_uscc[] = {
	"91330100799655058B",
	"9144030071526726XG",
	"914403001922038216",
	"91110000802100433B",
};
static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* ---- codes -------------------------------------------------------------- */

static void
test_uscc_real(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(codes_uscc_valid(real_uscc[i]), 0);
		assert_int_equal(codes_uscc_check(real_uscc[i]), real_uscc[i][17]);
		assert_int_equal(codes_uscc_orgcode_ok(real_uscc[i]), 0);
		assert_false(codes_uscc_placeholder(real_uscc[i]));
	}
}

static void
test_uscc_altered(void **state)
{
	size_t i, p, k, tried = 0;

	(void)state;
	for (i = 0; i < 4; i++) {
		char s[19];

		/* every single character replaced by every other symbol */
		for (p = 0; p < 18; p++) {
			for (k = 0; k < 31; k++) {
				if (alphabet[k] == real_uscc[i][p])
					continue;
				memcpy(s, real_uscc[i], 19);
				s[p] = alphabet[k];
				if (codes_uscc_valid(s) != CX_EFORMAT)
					fail_msg("%s accepted", s);
				tried++;
			}
			/* and by characters outside the alphabet */
			memcpy(s, real_uscc[i], 19);
			s[p] = "IOZSVa-"[p % 7];
			assert_int_equal(codes_uscc_valid(s), CX_EFORMAT);
		}
		/* every adjacent pair swapped */
		for (p = 0; p + 1 < 18; p++) {
			memcpy(s, real_uscc[i], 19);
			if (s[p] == s[p + 1])
				continue;
			s[p] = real_uscc[i][p + 1];
			s[p + 1] = real_uscc[i][p];
			if (codes_uscc_valid(s) != CX_EFORMAT)
				fail_msg("%s accepted", s);
			tried++;
		}
	}
	assert_true(tried > 4 * 18 * 30);
}

static void
test_uscc_bad_input(void **state)
{
	(void)state;
	assert_int_equal(codes_uscc_valid(NULL), CX_EFORMAT);
	assert_int_equal(codes_uscc_valid(""), CX_EFORMAT);
	assert_int_equal(codes_uscc_valid("91330100799655058"), CX_EFORMAT);
	assert_int_equal(codes_uscc_valid("91330100799655058BB"), CX_EFORMAT);
	assert_int_equal(codes_uscc_valid("91330100799655058b"), CX_EFORMAT);
	assert_int_equal(codes_uscc_valid("９1330100799655058B"), CX_EFORMAT);
	assert_int_equal(codes_uscc_valid("91330100799655058 "), CX_EFORMAT);
	assert_int_equal(codes_uscc_check(NULL), 0);
	assert_int_equal(codes_uscc_check("9133010079965505"), 0);  /* 16 only */
	assert_int_equal(codes_uscc_check("91330100799655O58"), 0);
	/* the detail says what is wrong */
	assert_int_equal(codes_uscc_valid("913301007996550588"), CX_EFORMAT);
	assert_string_equal(cx_lasterr(), "check character is 8, expected B");
	assert_int_equal(codes_uscc_valid("9133010079965505IB"), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "character 17"));
	/* the placeholder is its own case: not a valid code */
	assert_true(codes_uscc_placeholder("00000000000000000X"));
	assert_false(codes_uscc_placeholder("00000000000000000x"));
	assert_false(codes_uscc_placeholder("000000000000000000"));
	assert_false(codes_uscc_placeholder(NULL));
	assert_int_equal(codes_uscc_valid("00000000000000000X"), CX_EFORMAT);
}

static void
test_orgcode(void **state)
{
	char s[19];

	(void)state;
	assert_int_equal(codes_orgcode_check("79965505"), '8');
	assert_int_equal(codes_orgcode_check("71526726"), 'X');
	assert_int_equal(codes_orgcode_check("19220382"), '1');
	assert_int_equal(codes_orgcode_check("80210043"), '3');
	/* sum 11k: 11 -> '0' ("00000000" sums to 0 -> check 11 -> '0') */
	assert_int_equal(codes_orgcode_check("00000000"), '0');
	assert_int_equal(codes_orgcode_check("0000000a"), 0);
	assert_int_equal(codes_orgcode_check(NULL), 0);
	assert_int_equal(codes_orgcode_valid("79965505-8"), 0);
	assert_int_equal(codes_orgcode_valid("799655058"), 0);
	assert_int_equal(codes_orgcode_valid("71526726-X"), 0);
	assert_int_equal(codes_orgcode_valid("71526726X"), 0);
	assert_int_equal(codes_orgcode_valid("79965505-9"), CX_EFORMAT);
	assert_int_equal(codes_orgcode_valid("7996550-58"), CX_EFORMAT);
	assert_int_equal(codes_orgcode_valid("79965505_8"), CX_EFORMAT);
	assert_int_equal(codes_orgcode_valid("71526726-x"), CX_EFORMAT);
	assert_int_equal(codes_orgcode_valid("99655058"), CX_EFORMAT);
	assert_int_equal(codes_orgcode_valid(""), CX_EFORMAT);
	assert_int_equal(codes_orgcode_valid(NULL), CX_EFORMAT);
	/* a USCC whose own check holds but whose embedded org code does not */
	memcpy(s, "91330100799655059", 17);
	s[17] = codes_uscc_check(s);
	s[18] = '\0';
	assert_int_equal(codes_uscc_valid(s), 0);
	assert_int_equal(codes_uscc_orgcode_ok(s), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "expected 8"));
	assert_int_equal(codes_uscc_orgcode_ok("9133"), CX_EFORMAT);
	assert_int_equal(codes_uscc_orgcode_ok(NULL), CX_EFORMAT);
}

static void
test_resident_id(void **state)
{
	char s[19];
	size_t p;
	int d;

	(void)state;
	unsetenv("CXNODE_TODAY");
	assert_int_equal(codes_resident_id_valid("11010519491231002X"), 0);
	assert_int_equal(codes_resident_id_check("11010519491231002"), 'X');
	/* one number per check character (sums mod 11 = 0..10) */
	{
		static const char *ids[] = {
			"330102198506120001", "33010219850612001X", "330102198506120028",
			"330102198506120036", "330102198506120044", "330102198506120052",
			"330102198506120060", "330102198506120079", "330102198506120087",
			"330102198506120095", "330102198506120183",
		};

		for (p = 0; p < 11; p++) {
			assert_int_equal(codes_resident_id_valid(ids[p]), 0);
			assert_int_equal(codes_resident_id_check(ids[p]), ids[p][17]);
		}
	}
	/* every single digit changed fails */
	for (p = 0; p < 18; p++)
		for (d = 0; d < 11; d++) {
			char c = d == 10 ? 'X' : (char)('0' + d);

			memcpy(s, "11010519491231002X", 19);
			if (s[p] == c || (c == 'X' && p != 17))
				continue;
			s[p] = c;
			if (codes_resident_id_valid(s) != CX_EFORMAT)
				fail_msg("%s accepted", s);
		}
	/* adjacent swaps */
	for (p = 0; p + 1 < 18; p++) {
		memcpy(s, "11010519491231002X", 19);
		if (s[p] == s[p + 1])
			continue;
		s[p] = "11010519491231002X"[p + 1];
		s[p + 1] = "11010519491231002X"[p];
		assert_int_equal(codes_resident_id_valid(s), CX_EFORMAT);
	}
	assert_int_equal(codes_resident_id_valid("11010519491231002x"), CX_EFORMAT);
	assert_int_equal(codes_resident_id_valid("110105491231002"), CX_EFORMAT);   /* 15-digit form */
	assert_int_equal(codes_resident_id_valid(""), CX_EFORMAT);
	assert_int_equal(codes_resident_id_valid(NULL), CX_EFORMAT);
	assert_int_equal(codes_resident_id_check("1101051949123100"), 0);
	assert_int_equal(codes_resident_id_check("1101051949123100A"), 0);
	/* birth dates: not real, before 1900, in the future */
	memcpy(s, "11010519000229001", 17);      /* 1900 is not a leap year */
	s[17] = codes_resident_id_check(s);
	s[18] = '\0';
	assert_int_equal(codes_resident_id_valid(s), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "not a real date"));
	memcpy(s, "11010518991231001", 17);
	s[17] = codes_resident_id_check(s);
	assert_int_equal(codes_resident_id_valid(s), CX_EFORMAT);
	memcpy(s, "11010520000229001", 17);      /* 2000 is */
	s[17] = codes_resident_id_check(s);
	assert_int_equal(codes_resident_id_valid(s), 0);
	memcpy(s, "11010520260402001", 17);
	s[17] = codes_resident_id_check(s);
	setenv("CXNODE_TODAY", "2026-04-01", 1);
	assert_int_equal(codes_resident_id_valid(s), CX_EFORMAT);
	assert_non_null(strstr(cx_lasterr(), "future"));
	setenv("CXNODE_TODAY", "2026-04-02", 1);
	assert_int_equal(codes_resident_id_valid(s), 0);
	unsetenv("CXNODE_TODAY");
}

static void
test_change_applies(void **state)
{
	(void)state;
	assert_true(rules_change_applies(CX__CHANGE_TYPE__REMOVAL, CX__RECORD_KIND__DISHONEST_LIST));
	assert_true(rules_change_applies(CX__CHANGE_TYPE__REMOVAL, CX__RECORD_KIND__RED_LIST));
	assert_false(rules_change_applies(CX__CHANGE_TYPE__REMOVAL, CX__RECORD_KIND__PENALTY));
	assert_true(rules_change_applies(CX__CHANGE_TYPE__REPAIR, CX__RECORD_KIND__PENALTY));
	assert_true(rules_change_applies(CX__CHANGE_TYPE__REPAIR, CX__RECORD_KIND__COMMITMENT_OUTCOME));
	assert_false(rules_change_applies(CX__CHANGE_TYPE__REPAIR, CX__RECORD_KIND__LICENCE));
	assert_false(rules_change_applies(CX__CHANGE_TYPE__REPAIR, CX__RECORD_KIND__RED_LIST));
	assert_true(rules_change_applies(CX__CHANGE_TYPE__WITHDRAWAL, CX__RECORD_KIND__LICENCE));
	assert_true(rules_change_applies(CX__CHANGE_TYPE__CORRECTION, CX__RECORD_KIND__EVALUATION));
	assert_false(rules_change_applies(CX__CHANGE_TYPE__CORRECTION, CX__RECORD_KIND__STATUS_CHANGE));
	assert_false(rules_change_applies(CX__CHANGE_TYPE__WITHDRAWAL, 0));
	assert_false(rules_change_applies(0, CX__RECORD_KIND__PENALTY));
}

static void
test_mask(void **state)
{
	char out[32];

	(void)state;
	codes_mask_id(out, sizeof(out), "11010519491231002X");
	assert_string_equal(out, "110105********002X");
	codes_mask_id(out, sizeof(out), "E12345678");
	assert_string_equal(out, "E1*****78");
	codes_mask_id(out, sizeof(out), "12345");
	assert_string_equal(out, "12*45");
	codes_mask_id(out, sizeof(out), "1234");
	assert_string_equal(out, "****");
	codes_mask_id(out, sizeof(out), "");
	assert_string_equal(out, "");
	codes_mask_id(out, sizeof(out), NULL);
	assert_string_equal(out, "");
	codes_mask_id(out, 5, "11010519491231002X");
	assert_string_equal(out, "1101");
	/* characters, not bytes: a non-ASCII number is never cut mid-character */
	codes_mask_id(out, sizeof(out), "张三丰先生");
	assert_string_equal(out, "张三*先生");
	codes_mask_id(out, 7, "张三丰先生");
	assert_string_equal(out, "张三");
	out[0] = 'z';
	codes_mask_id(out, 0, "11010519491231002X");
	assert_int_equal(out[0], 'z');
}

static void
test_division(void **state)
{
	static const char *good[] = { "310117", "330400", "330100", "330700", "320500", "330500",
		"341800", "340200", "340100", "110000", "650000", "710000", "810000", "820000" };
	static const char *bad[] = { "100000", "160000", "300000", "830000", "990000", "000000",
		"31011", "3101170", "31011a", "", "３10117" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(codes_division_valid(good[i]), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (codes_division_valid(bad[i]) != CX_EFORMAT)
			fail_msg("division %s accepted", bad[i]);
	assert_int_equal(codes_division_valid(NULL), CX_EFORMAT);
}

/* ---- records ------------------------------------------------------------ */

struct rec {
	Cx__Record r;
	Cx__Subject s;
	Cx__Authority a;
	Cx__Penalty p;
	Cx__PenaltyType types[4];
	Cx__Licence l;
	Cx__ListEntry e;
	Cx__Evaluation ev;
	Cx__Commitment cm;
	Cx__CommitmentOutcome out;
	Cx__Ref ref;
	Cx__AdminAction ad;
	Cx__StatusChange ch;
};

#define S(x) ((char *)(x))

/* A valid legal-person record of the given kind, decided on d. */
static void
rec_init(struct rec *x, Cx__RecordKind kind, uint32_t d)
{
	memset(x, 0, sizeof(*x));
	cx__record__init(&x->r);
	cx__subject__init(&x->s);
	cx__authority__init(&x->a);
	cx__penalty__init(&x->p);
	cx__licence__init(&x->l);
	cx__list_entry__init(&x->e);
	cx__evaluation__init(&x->ev);
	cx__commitment__init(&x->cm);
	cx__commitment_outcome__init(&x->out);
	cx__ref__init(&x->ref);
	cx__admin_action__init(&x->ad);
	cx__status_change__init(&x->ch);
	x->r.schema = 1;
	x->r.record_id = S("CF:hz-2023-001");
	x->r.kind = kind;
	x->r.subject = &x->s;
	x->r.authority = &x->a;
	x->r.sector = S("market");
	x->r.decision_date = d;
	x->s.category = CX__SUBJECT_CATEGORY__LEGAL_PERSON;
	x->s.name = S("杭州某某科技有限公司");
	x->s.credit_code = S("91330100799655058B");
	x->a.name = S("杭州市市场监督管理局");
	x->a.credit_code = S("91110000802100433B");
	switch (kind) {
	case CX__RECORD_KIND__PENALTY:
		x->r.body_case = CX__RECORD__BODY_PENALTY;
		x->r.penalty = &x->p;
		x->p.decision_no = S("杭市监罚〔2023〕12号");
		x->types[0] = CX__PENALTY_TYPE__WARNING;
		x->types[1] = CX__PENALTY_TYPE__FINE;
		x->p.types = x->types;
		x->p.n_types = 2;
		x->p.fine_fen = 5000000;
		break;
	case CX__RECORD_KIND__LICENCE:
		x->r.body_case = CX__RECORD__BODY_LICENCE;
		x->r.licence = &x->l;
		x->l.decision_no = S("杭市监许〔2023〕7号");
		x->l.type = CX__LICENCE_TYPE__ORDINARY;
		x->l.valid_from = d;
		x->l.valid_until = date_add_days(date_add_months(d, 60), -1);
		break;
	case CX__RECORD_KIND__DISHONEST_LIST:
	case CX__RECORD_KIND__DISHONEST_DEBTOR:
	case CX__RECORD_KIND__RED_LIST:
		x->r.body_case = CX__RECORD__BODY_LIST_ENTRY;
		x->r.list_entry = &x->e;
		x->e.decision_no = S("（2023）浙0102执1234号");
		x->e.list_type = S("重大税收违法失信主体名单");
		x->e.reason = S("逃避缴纳税款");
		x->e.court = S("杭州市上城区人民法院");
		break;
	case CX__RECORD_KIND__EVALUATION:
		x->r.body_case = CX__RECORD__BODY_EVALUATION;
		x->r.evaluation = &x->ev;
		x->ev.scheme = S("杭州市公共信用综合评价");
		x->ev.grade = S("A");
		x->ev.valid_from = d;
		x->ev.valid_until = 20241231;
		break;
	case CX__RECORD_KIND__COMMITMENT:
		x->r.body_case = CX__RECORD__BODY_COMMITMENT;
		x->r.commitment = &x->cm;
		x->cm.matter = S("食品经营许可");
		x->cm.valid_from = d;
		x->cm.valid_until = 20241231;
		break;
	case CX__RECORD_KIND__COMMITMENT_OUTCOME:
		x->r.body_case = CX__RECORD__BODY_OUTCOME;
		x->r.outcome = &x->out;
		x->out.commitment = &x->ref;
		x->ref.record_id = S("CM:1");
		break;
	case CX__RECORD_KIND__STATUS_CHANGE:
		x->r.body_case = CX__RECORD__BODY_CHANGE;
		x->r.change = &x->ch;
		x->ch.type = CX__CHANGE_TYPE__REPAIR;
		x->ch.target = &x->ref;
		x->ref.record_id = S("CF:hz-2022-009");
		x->ch.effective_date = d;
		break;
	default:
		x->r.body_case = CX__RECORD__BODY_ADMIN;
		x->r.admin = &x->ad;
		x->ad.decision_no = S("杭市监强〔2023〕3号");
		break;
	}
}

static const uint32_t TODAY = 20261122;

/* 1 if res holds a message for field with the given warning flag (and, if
 * text is not NULL, containing it). */
static int
has_msg(const struct validate_result *res, const char *field, int warning, const char *text)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->msg[i].warning == warning && strcmp(res->msg[i].field, field) == 0 &&
		    (text == NULL || strstr(res->msg[i].text, text)))
			return 1;
	return 0;
}

static void
dump(const struct validate_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		print_message("  %s %s: %s\n", res->msg[i].warning ? "warning" : "error",
		    res->msg[i].field, res->msg[i].text);
}

/* Expect exactly one error, on field. */
static void
expect_error(Cx__Record *r, const char *field, const char *text)
{
	struct validate_result res;

	if (validate_record(&res, r, TODAY) != CX_EINVAL || res.errors != 1 ||
	    !has_msg(&res, field, 0, text)) {
		dump(&res);
		fail_msg("expected one error on %s (%s), got %d", field, text ? text : "", res.errors);
	}
}

static void
expect_ok(Cx__Record *r)
{
	struct validate_result res;

	if (validate_record(&res, r, TODAY) != 0 || res.errors != 0) {
		dump(&res);
		fail_msg("expected the record to pass, %d errors", res.errors);
	}
}

/* ---- publicity rules ---------------------------------------------------- */

static void
window(struct rules_window *w, struct rec *x)
{
	assert_int_equal(rules_publicity(w, &x->r), 0);
	assert_non_null(w->rule);
}

static void
test_rules_order58(void **state)
{
	struct rules_window w;
	struct rec x;

	(void)state;
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230510);
	window(&w, &x);
	assert_int_equal(w.min_end, 20230810);
	assert_int_equal(w.max_end, 20260510);
	assert_int_equal(w.publish, 1);
	assert_int_equal(w.max_strict, 1);
	assert_non_null(strstr(w.rule, "Order 58"));
	/* on the day it came into force, and the day before (our choice: the
	 * same order for earlier decisions) */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230501);
	window(&w, &x);
	assert_int_equal(w.min_end, 20230801);
	assert_int_equal(w.max_end, 20260501);
	assert_null(strstr(w.rule, "earlier"));
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230430);
	window(&w, &x);
	assert_int_equal(w.min_end, 20230730);
	assert_int_equal(w.max_end, 20260430);
	assert_non_null(strstr(w.rule, "earlier"));
	/* the last day of Order 58, a month end: 3 months clamp to Jun 30 */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20260331);
	x.r.severity = CX__SEVERITY__MINOR;   /* severity does not matter under 58 */
	window(&w, &x);
	assert_int_equal(w.min_end, 20260630);
	assert_int_equal(w.max_end, 20290331);
	assert_int_equal(w.publish, 1);
	assert_non_null(strstr(w.rule, "Order 58"));
	/* leap day */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20240229);
	x.r.sector = S("food");
	window(&w, &x);
	assert_int_equal(w.min_end, 20250228);
	assert_int_equal(w.max_end, 20270228);
}

static void
test_rules_sectors58(void **state)
{
	static const char *strict[] = { "food", "drugs", "special_equipment", "production_safety",
		"fire_safety" };
	static const char *plain[] = { "market", "tax", "ecology", "other", "", "食品", "unknown" };
	struct rules_window w;
	struct rec x;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		rec_init(&x, CX__RECORD_KIND__PENALTY, 20250115);
		x.r.sector = S(strict[i]);
		window(&w, &x);
		assert_int_equal(w.min_end, 20260115);
		assert_int_equal(w.max_end, 20280115);
		assert_true(rules_sector_strict(strict[i]));
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		rec_init(&x, CX__RECORD_KIND__PENALTY, 20250115);
		x.r.sector = S(plain[i]);
		window(&w, &x);
		assert_int_equal(w.min_end, 20250415);
		assert_false(rules_sector_strict(plain[i]));
	}
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20250115);
	x.r.sector = NULL;
	window(&w, &x);
	assert_int_equal(w.min_end, 20250415);
}

static void
test_rules_several_types(void **state)
{
	static const Cx__PenaltyType sets[][3] = {
		{ CX__PENALTY_TYPE__WARNING, 0, 0 },
		{ CX__PENALTY_TYPE__CIRCULATED_CRITICISM, 0, 0 },
		{ CX__PENALTY_TYPE__FINE, 0, 0 },
		{ CX__PENALTY_TYPE__WARNING, CX__PENALTY_TYPE__FINE, CX__PENALTY_TYPE__REVOKE_LICENCE },
		{ CX__PENALTY_TYPE__DETENTION, CX__PENALTY_TYPE__WARNING, 0 },
	};
	struct rules_window w;
	struct rec x;
	size_t i, n;

	(void)state;
	/* under Order 58 every type carries 3 months .. 3 years: a warning alone
	 * and a warning with a fine and a revocation give the same window, and
	 * the sector minimum holds whatever the types */
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		rec_init(&x, CX__RECORD_KIND__PENALTY, 20240601);
		for (n = 0; n < 3 && sets[i][n]; n++)
			x.types[n] = sets[i][n];
		x.p.n_types = n;
		window(&w, &x);
		assert_int_equal(w.min_end, 20240901);
		assert_int_equal(w.max_end, 20270601);
		x.r.sector = S("fire_safety");
		window(&w, &x);
		assert_int_equal(w.min_end, 20250601);
		assert_int_equal(w.max_end, 20270601);
	}
}

static void
test_rules_order36(void **state)
{
	struct rules_window w;
	struct rec x;

	(void)state;
	/* first day of Order 36, severity unspecified: general */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20260401);
	window(&w, &x);
	assert_int_equal(w.min_end, 20260701);
	assert_int_equal(w.max_end, 20270401);
	assert_int_equal(w.publish, 1);
	assert_non_null(strstr(w.rule, "Order 36"));
	assert_non_null(strstr(w.rule, "unspecified"));
	x.r.severity = CX__SEVERITY__GENERAL;
	window(&w, &x);
	assert_int_equal(w.min_end, 20260701);
	assert_int_equal(w.max_end, 20270401);
	x.r.severity = CX__SEVERITY__SERIOUS;
	window(&w, &x);
	assert_int_equal(w.min_end, 20270401);
	assert_int_equal(w.max_end, 20290401);
	x.r.severity = CX__SEVERITY__MINOR;
	window(&w, &x);
	assert_int_equal(w.publish, 0);
	assert_int_equal(w.min_end, 0);
	assert_int_equal(w.max_end, 20260701);
	assert_int_equal(w.max_strict, 1);
	/* no sector minimum under Order 36 (our choice, docs/rules.md) */
	x.r.severity = CX__SEVERITY__GENERAL;
	x.r.sector = S("food");
	window(&w, &x);
	assert_int_equal(w.min_end, 20260701);
	assert_int_equal(w.max_end, 20270401);
	/* the day before: Order 58 with the sector minimum */
	x.r.decision_date = 20260331;
	window(&w, &x);
	assert_int_equal(w.min_end, 20270331);
	assert_int_equal(w.max_end, 20290331);
	/* month-end clamping under Order 36 */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20261130);
	window(&w, &x);
	assert_int_equal(w.min_end, 20270228);
	assert_int_equal(w.max_end, 20271130);
}

static void
test_rules_other_kinds(void **state)
{
	struct rules_window w;
	struct rec x;

	(void)state;
	rec_init(&x, CX__RECORD_KIND__LICENCE, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 20280301);   /* valid until 2028-02-29, inclusive */
	assert_int_equal(w.min_end, 0);
	assert_int_equal(w.max_strict, 0);
	x.l.valid_until = 0;
	window(&w, &x);
	assert_int_equal(w.max_end, 0);
	rec_init(&x, CX__RECORD_KIND__DISHONEST_LIST, 20230301);
	window(&w, &x);
	assert_int_equal(w.min_end, 0);
	assert_int_equal(w.max_end, 20260301);
	assert_int_equal(w.max_strict, 0);
	rec_init(&x, CX__RECORD_KIND__DISHONEST_DEBTOR, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 0);
	rec_init(&x, CX__RECORD_KIND__RED_LIST, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 0);
	rec_init(&x, CX__RECORD_KIND__EVALUATION, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 20250101);
	rec_init(&x, CX__RECORD_KIND__COMMITMENT, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 20250101);
	rec_init(&x, CX__RECORD_KIND__COMMITMENT_OUTCOME, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 20260301);   /* breach */
	x.out.fulfilled = 1;
	window(&w, &x);
	assert_int_equal(w.max_end, 0);
	rec_init(&x, CX__RECORD_KIND__INSPECTION, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 20260301);
	assert_int_equal(w.max_strict, 0);
	rec_init(&x, CX__RECORD_KIND__STATUS_CHANGE, 20230301);
	window(&w, &x);
	assert_int_equal(w.max_end, 0);
	assert_int_equal(w.min_end, 0);
	/* bad input */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230229);
	assert_int_equal(rules_publicity(&w, &x.r), CX_EINVAL);
	assert_null(w.rule);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 0);
	assert_int_equal(rules_publicity(&w, &x.r), CX_EINVAL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230301);
	x.r.kind = CX__RECORD_KIND__KIND_UNSPECIFIED;
	assert_int_equal(rules_publicity(&w, &x.r), CX_EINVAL);
	x.r.kind = (Cx__RecordKind)99;
	assert_int_equal(rules_publicity(&w, &x.r), CX_EINVAL);
	assert_int_equal(rules_publicity(&w, NULL), CX_EINVAL);
}

static void
test_rules_vocabulary(void **state)
{
	const struct rules_sector *s;
	size_t i;

	(void)state;
	for (i = 0; (s = rules_sector_at(i)) != NULL; i++) {
		assert_string_equal(rules_sector_name(s->code), s->zh);
		assert_ptr_equal(rules_sector_code(s->zh), s->code);
		assert_ptr_equal(rules_sector_code(s->code), s->code);
	}
	assert_int_equal(i, 17);
	assert_string_equal(rules_sector_name("food"), "食品");
	assert_string_equal(rules_sector_name("fire_safety"), "消防");
	assert_null(rules_sector_name("食品"));
	assert_null(rules_sector_name("Food"));
	assert_null(rules_sector_name(NULL));
	assert_string_equal(rules_sector_code("食品安全"), "food");
	assert_string_equal(rules_sector_code("应急管理"), "production_safety");
	assert_string_equal(rules_sector_code("文化和旅游"), "culture_tourism");
	assert_null(rules_sector_code("食"));
	assert_null(rules_sector_code(""));
	assert_null(rules_sector_code(NULL));
	/* penalty types round-trip */
	for (i = 1; i <= 14; i++)
		assert_int_equal(rules_penalty_type_parse(rules_penalty_type_zh((int)i)), (int)i);
	assert_null(rules_penalty_type_zh(0));
	assert_null(rules_penalty_type_zh(15));
	assert_string_equal(rules_penalty_type_zh(CX__PENALTY_TYPE__FINE), "罚款");
	assert_int_equal(rules_penalty_type_parse("吊销营业执照"), CX__PENALTY_TYPE__REVOKE_LICENCE);
	assert_int_equal(rules_penalty_type_parse("暂扣许可证"), CX__PENALTY_TYPE__SUSPEND_LICENCE);
	assert_int_equal(rules_penalty_type_parse("罚"), 0);
	assert_int_equal(rules_penalty_type_parse(NULL), 0);
}

static void
test_rules_publish_due(void **state)
{
	static const char cal[] = "2026-10-01 holiday\n2026-10-02 holiday\n2026-10-05 holiday\n"
	    "2026-10-06 holiday\n2026-10-07 holiday\n2026-10-10 workday\n";
	struct date_calendar *c;

	(void)state;
	assert_int_equal(date_calendar_load(&c, cal, strlen(cal)), 0);
	/* decided Tue 2026-09-29: Sep 30, Oct 8, 9, 10, 12, 13, 14 */
	assert_int_equal(rules_publish_due(c, 20260929), 20261014);
	assert_int_equal(rules_publish_due(NULL, 20260929), 20261008);
	/* a Friday decision, weekdays only: the Monday after next + 2 */
	assert_int_equal(rules_publish_due(NULL, 20230505), 20230516);
	assert_int_equal(rules_publish_due(c, 20230229), 0);
	date_calendar_free(c);
}

/* ---- validation --------------------------------------------------------- */

static void
test_validate_good_kinds(void **state)
{
	static const Cx__RecordKind kinds[] = {
		CX__RECORD_KIND__PENALTY, CX__RECORD_KIND__LICENCE, CX__RECORD_KIND__DISHONEST_LIST,
		CX__RECORD_KIND__DISHONEST_DEBTOR, CX__RECORD_KIND__RED_LIST,
		CX__RECORD_KIND__EVALUATION, CX__RECORD_KIND__COMMITMENT,
		CX__RECORD_KIND__COMMITMENT_OUTCOME, CX__RECORD_KIND__COERCION,
		CX__RECORD_KIND__REWARD, CX__RECORD_KIND__CONFIRMATION,
		CX__RECORD_KIND__ADJUDICATION, CX__RECORD_KIND__INSPECTION,
		CX__RECORD_KIND__STATUS_CHANGE,
	};
	struct validate_result res;
	struct rec x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		rec_init(&x, kinds[i], 20230601);
		if (validate_record(&res, &x.r, TODAY) != 0 || res.n != 0) {
			dump(&res);
			fail_msg("kind %d: %d errors, %zu messages", (int)kinds[i], res.errors, res.n);
		}
		assert_int_equal(x.r.publication_start, 20230601);
	}
}

static void
test_validate_defaults(void **state)
{
	struct validate_result res;
	struct rec x;

	(void)state;
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_int_equal(x.r.publication_start, 20230601);
	assert_int_equal(x.r.publicity_min_end, 20230901);
	assert_int_equal(x.r.publicity_max_end, 20260601);
	/* a later publication start (grace) is kept; the window still counts
	 * from the decision */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publication_start = 20230701;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_int_equal(x.r.publication_start, 20230701);
	assert_int_equal(x.r.publicity_max_end, 20260601);
	/* given values within the rule are kept */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publicity_max_end = 20240601;
	x.r.publicity_min_end = 20231201;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_int_equal(x.r.publicity_max_end, 20240601);
	assert_int_equal(x.r.publicity_min_end, 20231201);
	/* Order 36 minor: a zero-length window (not published) */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20260601);
	x.r.severity = CX__SEVERITY__MINOR;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_int_equal(res.n, 0);
	assert_int_equal(x.r.publicity_max_end, 20260601);
	assert_int_equal(x.r.publicity_min_end, 0);
	/* ... published for 2 months anyway: accepted with a warning */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20260601);
	x.r.severity = CX__SEVERITY__MINOR;
	x.r.publicity_max_end = 20260801;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_true(has_msg(&res, "CF_GSJZQ", 1, "not published"));
	assert_int_equal(x.r.publicity_max_end, 20260801);
	/* ... for 4 months: beyond the 3-month maximum */
	x.r.publicity_max_end = 20261001;
	expect_error(&x.r, "CF_GSJZQ", "beyond 2026-09-01");
	/* nothing is filled in when there are errors */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.name = S("");
	assert_int_equal(validate_record(&res, &x.r, TODAY), CX_EINVAL);
	assert_int_equal(x.r.publication_start, 0);
	assert_int_equal(x.r.publicity_max_end, 0);
	assert_non_null(strstr(cx_lasterr(), "CF_XDR_MC"));
}

static void
test_validate_window(void **state)
{
	struct rec x;

	(void)state;
	/* publicity end before the decision */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publicity_max_end = 20230531;
	expect_error(&x.r, "CF_GSJZQ", "before the decision");
	/* beyond the Order 58 maximum (3 years) */
	x.r.publicity_max_end = 20260602;
	expect_error(&x.r, "CF_GSJZQ", "Order 58");
	x.r.publicity_max_end = 20260601;
	expect_ok(&x.r);
	/* shorter than the minimum (3 months; 1 year for food) */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publicity_max_end = 20230831;
	expect_error(&x.r, "CF_GSJZQ", "minimum");
	x.r.publicity_max_end = 20230901;
	expect_ok(&x.r);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.sector = S("drugs");
	x.r.publicity_max_end = 20240531;
	expect_error(&x.r, "CF_GSJZQ", "minimum");
	/* repair date before the rule's minimum, or after the end */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.sector = S("food");
	x.r.publicity_min_end = 20231201;
	expect_error(&x.r, "publicity_min_end", "2024-06-01");
	x.r.publicity_min_end = 20240601;
	expect_ok(&x.r);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publicity_max_end = 20240101;
	x.r.publicity_min_end = 20240201;
	expect_error(&x.r, "publicity_min_end", "after the publicity end");
	/* an invalid date */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publicity_max_end = 20240230;
	expect_error(&x.r, "CF_GSJZQ", "calendar date");
	/* both sides of 2026-04-01: a 2-year window is fine under 58 (general),
	 * too long under 36 (general) */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20260331);
	x.r.publicity_max_end = 20280331;
	expect_ok(&x.r);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20260401);
	x.r.publicity_max_end = 20280401;
	expect_error(&x.r, "CF_GSJZQ", "Order 36");
	x.r.severity = CX__SEVERITY__SERIOUS;
	expect_ok(&x.r);
	/* a list entry may state a longer period than the 3-year default */
	rec_init(&x, CX__RECORD_KIND__DISHONEST_LIST, 20230601);
	x.r.publicity_max_end = 20280601;
	expect_ok(&x.r);
	x.r.publicity_max_end = 20230501;
	expect_error(&x.r, "publicity_max_end", "before the decision");
}

static void
test_validate_subject(void **state)
{
	struct validate_result res;
	struct rec x;
	char code[19];

	(void)state;
	unsetenv("CXNODE_TODAY");
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.name = NULL;
	expect_error(&x.r, "CF_XDR_MC", NULL);
	x.s.name = S("  ");
	expect_error(&x.r, "CF_XDR_MC", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.subject = NULL;
	expect_error(&x.r, "CF_XDR_MC", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.category = CX__SUBJECT_CATEGORY__CATEGORY_UNSPECIFIED;
	expect_error(&x.r, "CF_XDR_LB", NULL);
	/* legal person: credit code required and checked */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.credit_code = S("");
	expect_error(&x.r, "CF_XDR_SHXYM", "legal person");
	x.s.credit_code = S("913301007996550588");
	expect_error(&x.r, "CF_XDR_SHXYM", "check character is 8, expected B");
	x.s.credit_code = S("00000000000000000X");
	expect_error(&x.r, "CF_XDR_SHXYM", "placeholder");
	/* licences name the XK_ columns */
	rec_init(&x, CX__RECORD_KIND__LICENCE, 20230601);
	x.s.credit_code = S("91330100799655058C");
	expect_error(&x.r, "XK_XDR_SHXYM", "expected B");
	/* other kinds name the schema path */
	rec_init(&x, CX__RECORD_KIND__DISHONEST_LIST, 20230601);
	x.s.credit_code = S("91330100799655058C");
	expect_error(&x.r, "subject.credit_code", "expected B");
	/* organisation code mismatch inside a valid USCC: a warning */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	memcpy(code, "91330100799655059", 17);
	code[17] = codes_uscc_check(code);
	code[18] = '\0';
	x.s.credit_code = code;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_int_equal(res.errors, 0);
	assert_true(has_msg(&res, "CF_XDR_SHXYM", 1, "organisation code"));
	/* individual business: placeholder + registration number */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.category = CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS;
	x.s.credit_code = S("00000000000000000X");
	x.s.business_reg_no = S("330102600123456");
	expect_ok(&x.r);
	x.s.business_reg_no = S("");
	expect_error(&x.r, "CF_XDR_GSZC", NULL);
	x.s.credit_code = S("");
	expect_error(&x.r, "CF_XDR_GSZC", NULL);
	x.s.credit_code = S("9144030071526726XG");
	expect_ok(&x.r);
	x.s.credit_code = S("9144030071526726GX");
	expect_error(&x.r, "CF_XDR_SHXYM", NULL);
	/* natural person: id type and number, resident id checked */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.category = CX__SUBJECT_CATEGORY__NATURAL_PERSON;
	x.s.credit_code = S("");
	x.s.name = S("张三");
	x.s.id_type = CX__ID_TYPE__RESIDENT_ID;
	x.s.id_number = S("11010519491231002X");
	expect_ok(&x.r);
	x.s.id_number = S("110105194912310021");
	expect_error(&x.r, "CF_XDR_ZJHM", "expected X");
	x.s.id_number = S("");
	expect_error(&x.r, "CF_XDR_ZJHM", NULL);
	x.s.id_number = S("E12345678");
	x.s.id_type = CX__ID_TYPE__PASSPORT;
	expect_ok(&x.r);
	x.s.id_type = CX__ID_TYPE__ID_UNSPECIFIED;
	expect_error(&x.r, "CF_XDR_ZJLX", NULL);
	x.s.id_type = (Cx__IdType)6;
	expect_error(&x.r, "CF_XDR_ZJLX", NULL);
	/* legal representative's resident id */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.legal_rep = S("李四");
	x.s.legal_rep_id_type = CX__ID_TYPE__RESIDENT_ID;
	x.s.legal_rep_id_number = S("11010519491231002X");
	expect_ok(&x.r);
	x.s.legal_rep_id_number = S("11010519491231003X");
	expect_error(&x.r, "CF_FR_ZJHM", NULL);
	x.s.legal_rep_id_type = CX__ID_TYPE__ID_UNSPECIFIED;
	expect_error(&x.r, "CF_FR_ZJLX", NULL);
	/* a bad organisation code field is a warning */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.s.org_code = S("79965505-9");
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_true(has_msg(&res, "CF_XDR_ZZJG", 1, "expected 8"));
}

static void
test_validate_authority_dates(void **state)
{
	struct validate_result res;
	struct rec x;

	(void)state;
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.a.name = S("");
	expect_error(&x.r, "CF_CFJG", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.a.credit_code = NULL;
	expect_error(&x.r, "CF_CFJGDM", "required");
	x.a.credit_code = S("11110000802100433B");
	expect_error(&x.r, "CF_CFJGDM", "expected");
	rec_init(&x, CX__RECORD_KIND__LICENCE, 20230601);
	x.r.authority = NULL;
	assert_int_equal(validate_record(&res, &x.r, TODAY), CX_EINVAL);
	assert_int_equal(res.errors, 2);
	assert_true(has_msg(&res, "XK_XKJG", 0, NULL));
	assert_true(has_msg(&res, "XK_XKJGDM", 0, NULL));
	/* a bad source code is a warning */
	{
		Cx__Authority src = CX__AUTHORITY__INIT;

		rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
		src.name = S("杭州市市场监督管理局");
		src.credit_code = S("12345");
		x.r.source = &src;
		assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
		assert_true(has_msg(&res, "CF_SJLYDM", 1, NULL));
	}
	/* decision date: required, real, not in the future */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 0);
	expect_error(&x.r, "CF_JDRQ", "required");
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230229);
	expect_error(&x.r, "CF_JDRQ", "calendar date");
	rec_init(&x, CX__RECORD_KIND__PENALTY, 19000101);
	expect_error(&x.r, "CF_JDRQ", "calendar date");
	rec_init(&x, CX__RECORD_KIND__PENALTY, TODAY);
	expect_ok(&x.r);
	rec_init(&x, CX__RECORD_KIND__PENALTY, date_add_days(TODAY, 1));
	expect_error(&x.r, "CF_JDRQ", "future");
	rec_init(&x, CX__RECORD_KIND__LICENCE, date_add_days(TODAY, 1));
	expect_error(&x.r, "XK_JDRQ", "future");
	/* publication start */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.publication_start = 20230531;
	expect_error(&x.r, "publication_start", "before the decision");
	x.r.publication_start = 20230631;
	expect_error(&x.r, "publication_start", "calendar date");
	/* severity and sector */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.severity = (Cx__Severity)4;
	expect_error(&x.r, "severity", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.sector = S("food safety");
	expect_error(&x.r, "sector", "vocabulary");
	/* a Chinese sector name becomes its code, and its minimum applies */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.sector = strdup("食品");
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_string_equal(x.r.sector, "food");
	assert_int_equal(x.r.publicity_min_end, 20240601);
	free(x.r.sector);
	x.r.sector = NULL;
	/* envelope */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.record_id = S("");
	expect_error(&x.r, "record_id", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.schema = 2;
	expect_error(&x.r, "schema", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.kind = CX__RECORD_KIND__KIND_UNSPECIFIED;
	expect_error(&x.r, "kind", NULL);
	x.r.kind = CX__RECORD_KIND__LICENCE;   /* penalty body on a licence */
	expect_error(&x.r, "body", "LICENCE record needs its own body, found penalty");
	rec_init(&x, CX__RECORD_KIND__RED_LIST, 20230601);
	x.r.kind = CX__RECORD_KIND__COMMITMENT;
	expect_error(&x.r, "body", NULL);
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.r.penalty = NULL;
	expect_error(&x.r, "body", NULL);
	assert_int_equal(validate_record(&res, NULL, TODAY), CX_EINVAL);
	assert_int_equal(res.errors, 1);
}

static void
test_validate_penalty(void **state)
{
	struct validate_result res;
	struct rec x;

	(void)state;
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.p.decision_no = S("");
	expect_error(&x.r, "CF_WSH", NULL);
	/* fine without its amount */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.p.fine_fen = 0;
	expect_error(&x.r, "CF_NR_FK", "amount");
	x.p.fine_fen = -1;
	expect_error(&x.r, "CF_NR_FK", "negative");
	x.types[1] = CX__PENALTY_TYPE__WARNING;   /* no fine among the types */
	x.p.fine_fen = 0;
	expect_ok(&x.r);
	x.p.fine_fen = 100;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_true(has_msg(&res, "CF_NR_FK", 1, NULL));
	/* confiscation without its amount */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.types[2] = CX__PENALTY_TYPE__CONFISCATE_GAINS;
	x.p.n_types = 3;
	expect_error(&x.r, "CF_NR_WFFF", NULL);
	x.p.confiscated_fen = 1234500;
	expect_ok(&x.r);
	x.types[2] = CX__PENALTY_TYPE__CONFISCATE_PROPERTY;
	x.p.confiscated_fen = 0;
	expect_error(&x.r, "CF_NR_WFFF", NULL);
	x.p.confiscated_fen = -5;
	expect_error(&x.r, "CF_NR_WFFF", "negative");
	/* unknown type; no type at all (a warning) */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.types[1] = (Cx__PenaltyType)15;
	x.p.fine_fen = 0;
	expect_error(&x.r, "CF_CFLB", "unknown");
	x.p.n_types = 0;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_true(has_msg(&res, "CF_CFLB", 1, NULL));
	/* revocation: the licence should be named (warning) */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.types[1] = CX__PENALTY_TYPE__REVOKE_LICENCE;
	x.p.fine_fen = 0;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_true(has_msg(&res, "CF_NR_ZKDX", 1, NULL));
	/* penalty validity */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	x.p.valid_until = 20230501;
	expect_error(&x.r, "CF_YXQ", NULL);
	x.p.valid_until = 20231301;
	expect_error(&x.r, "CF_YXQ", NULL);
	x.p.valid_until = 20231231;
	expect_ok(&x.r);
}

static void
test_validate_bodies(void **state)
{
	struct rec x;

	(void)state;
	/* licence */
	rec_init(&x, CX__RECORD_KIND__LICENCE, 20230601);
	x.l.decision_no = NULL;
	expect_error(&x.r, "XK_WSH", NULL);
	rec_init(&x, CX__RECORD_KIND__LICENCE, 20230601);
	x.l.valid_from = 0;
	x.l.valid_until = 20230501;
	expect_error(&x.r, "XK_YXQZI", "before the decision");
	x.l.valid_from = 20230401;
	assert_int_equal(validate_record(&(struct validate_result){ 0 }, &x.r, TODAY), CX_EINVAL);
	x.l.valid_until = 20230331;   /* before it starts, and before the decision */
	assert_int_equal(validate_record(&(struct validate_result){ 0 }, &x.r, TODAY), CX_EINVAL);
	rec_init(&x, CX__RECORD_KIND__LICENCE, 20230601);
	x.l.type = (Cx__LicenceType)7;
	expect_error(&x.r, "XK_XKLB", NULL);
	/* list entries */
	rec_init(&x, CX__RECORD_KIND__DISHONEST_LIST, 20230601);
	x.e.decision_no = S("");
	expect_error(&x.r, "list_entry.decision_no", NULL);
	rec_init(&x, CX__RECORD_KIND__DISHONEST_LIST, 20230601);
	x.e.list_type = S("");
	expect_error(&x.r, "list_entry.list_type", NULL);
	rec_init(&x, CX__RECORD_KIND__DISHONEST_DEBTOR, 20230601);
	x.e.decision_no = NULL;
	expect_error(&x.r, "list_entry.decision_no", "case number");
	/* evaluation */
	rec_init(&x, CX__RECORD_KIND__EVALUATION, 20230601);
	x.ev.scheme = S("");
	expect_error(&x.r, "evaluation.scheme", NULL);
	rec_init(&x, CX__RECORD_KIND__EVALUATION, 20230601);
	x.ev.grade = NULL;
	expect_error(&x.r, "evaluation.grade", NULL);
	rec_init(&x, CX__RECORD_KIND__EVALUATION, 20230601);
	x.ev.valid_until = 0;
	expect_error(&x.r, "evaluation.valid_until", "required");
	x.ev.valid_from = 0;
	x.ev.valid_until = 20230531;
	expect_error(&x.r, "evaluation.valid_until", "before the decision");
	x.ev.valid_from = 20230101;
	x.ev.valid_until = 20221231;
	assert_int_equal(validate_record(&(struct validate_result){ 0 }, &x.r, TODAY), CX_EINVAL);
	x.ev.valid_from = 0;
	x.ev.valid_until = 20240230;
	expect_error(&x.r, "evaluation.valid_until", "calendar");
	rec_init(&x, CX__RECORD_KIND__EVALUATION, 20230601);
	x.ev.valid_from = 20231313;
	expect_error(&x.r, "evaluation.valid_from", NULL);
	/* commitment */
	rec_init(&x, CX__RECORD_KIND__COMMITMENT, 20230601);
	x.cm.matter = S("");
	expect_error(&x.r, "commitment.matter", NULL);
	rec_init(&x, CX__RECORD_KIND__COMMITMENT, 20230601);
	x.cm.valid_until = 0;
	expect_error(&x.r, "commitment.valid_until", NULL);
	/* outcome */
	rec_init(&x, CX__RECORD_KIND__COMMITMENT_OUTCOME, 20230601);
	x.out.commitment = NULL;
	expect_error(&x.r, "outcome.commitment", NULL);
	/* the five admin kinds */
	rec_init(&x, CX__RECORD_KIND__ADJUDICATION, 20230601);
	x.ad.decision_no = S("");
	expect_error(&x.r, "admin.decision_no", NULL);
}

static void
test_validate_changes(void **state)
{
	struct validate_result res;
	struct rec x, rep;

	(void)state;
	rec_init(&x, CX__RECORD_KIND__STATUS_CHANGE, 20240601);
	x.ch.type = CX__CHANGE_TYPE__CHANGE_UNSPECIFIED;
	expect_error(&x.r, "change.type", NULL);
	x.ch.type = (Cx__ChangeType)5;
	expect_error(&x.r, "change.type", NULL);
	rec_init(&x, CX__RECORD_KIND__STATUS_CHANGE, 20240601);
	x.ch.target = NULL;
	expect_error(&x.r, "change.target", NULL);
	rec_init(&x, CX__RECORD_KIND__STATUS_CHANGE, 20240601);
	x.ref.record_id = S("");
	expect_error(&x.r, "change.target", NULL);
	x.ref.record_id = x.r.record_id;
	expect_error(&x.r, "change.target", "itself");
	/* effective date: required, real, not before the change's decision */
	rec_init(&x, CX__RECORD_KIND__STATUS_CHANGE, 20240601);
	x.ch.effective_date = 0;
	expect_error(&x.r, "change.effective_date", "required");
	x.ch.effective_date = 20240531;
	expect_error(&x.r, "change.effective_date", "before");
	x.ch.effective_date = 20240631;
	expect_error(&x.r, "change.effective_date", "calendar");
	x.ch.effective_date = 20240604;   /* within 3 working days: fine */
	expect_ok(&x.r);
	/* only a correction carries a replacement */
	rec_init(&rep, CX__RECORD_KIND__PENALTY, 20230601);
	rep.r.record_id = S("CF:hz-2022-009");
	x.ch.replacement = &rep.r;
	expect_error(&x.r, "change.replacement", "only a correction");
	/* a correction: the replacement keeps the target's id and is validated */
	x.ch.type = CX__CHANGE_TYPE__CORRECTION;
	assert_int_equal(validate_record(&res, &x.r, TODAY), 0);
	assert_int_equal(rep.r.publicity_max_end, 20260601);   /* defaults filled in */
	assert_int_equal(rep.r.publication_start, 20230601);
	rep.r.record_id = S("CF:other");
	expect_error(&x.r, "change.replacement", "record_id");
	rep.r.record_id = S("CF:hz-2022-009");
	rep.p.fine_fen = 0;
	expect_error(&x.r, "CF_NR_FK", "replacement: ");
	rep.p.fine_fen = 100;
	rep.r.kind = CX__RECORD_KIND__STATUS_CHANGE;
	expect_error(&x.r, "change.replacement", "status change");
	x.ch.replacement = NULL;
	expect_error(&x.r, "change.replacement", "needs");
}

static void
test_validate_overflow(void **state)
{
	struct validate_result res;
	struct rec x;
	char code[19];
	size_t i;

	(void)state;
	/* a warning first, then more errors than there is room for */
	rec_init(&x, CX__RECORD_KIND__PENALTY, 20230601);
	memcpy(code, "91330100799655059", 17);
	code[17] = codes_uscc_check(code);
	code[18] = '\0';
	x.s.credit_code = code;
	x.s.name = S("");
	x.r.record_id = S("");
	x.r.schema = 9;
	x.r.severity = (Cx__Severity)9;
	x.a.name = S("");
	x.a.credit_code = S("x");
	x.p.decision_no = S("");
	x.p.fine_fen = -1;
	x.p.confiscated_fen = -1;
	x.p.valid_until = 1;
	x.types[0] = (Cx__PenaltyType)20;
	x.types[1] = (Cx__PenaltyType)21;
	x.types[2] = (Cx__PenaltyType)22;
	x.types[3] = (Cx__PenaltyType)23;
	x.p.n_types = 4;
	x.s.legal_rep_id_number = S("1");
	x.r.publication_start = 5;
	x.r.sector = S("?");
	assert_int_equal(validate_record(&res, &x.r, TODAY), CX_EINVAL);
	assert_int_equal(res.n, VALIDATE_MAX);
	assert_true(res.errors >= VALIDATE_MAX);
	/* errors displaced the warnings */
	for (i = 0; i < res.n; i++)
		assert_int_equal(res.msg[i].warning, 0);
	assert_true(strlen(res.msg[0].text) < sizeof(res.msg[0].text));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uscc_real),
		cmocka_unit_test(test_uscc_altered),
		cmocka_unit_test(test_uscc_bad_input),
		cmocka_unit_test(test_orgcode),
		cmocka_unit_test(test_resident_id),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_change_applies),
		cmocka_unit_test(test_division),
		cmocka_unit_test(test_rules_order58),
		cmocka_unit_test(test_rules_sectors58),
		cmocka_unit_test(test_rules_several_types),
		cmocka_unit_test(test_rules_order36),
		cmocka_unit_test(test_rules_other_kinds),
		cmocka_unit_test(test_rules_vocabulary),
		cmocka_unit_test(test_rules_publish_due),
		cmocka_unit_test(test_validate_good_kinds),
		cmocka_unit_test(test_validate_defaults),
		cmocka_unit_test(test_validate_window),
		cmocka_unit_test(test_validate_subject),
		cmocka_unit_test(test_validate_authority_dates),
		cmocka_unit_test(test_validate_penalty),
		cmocka_unit_test(test_validate_bodies),
		cmocka_unit_test(test_validate_changes),
		cmocka_unit_test(test_validate_overflow),
	};

	return cmocka_run_group_tests_name("credit", tests, NULL, NULL);
}
