/*
 * util_test.c — dates and working-day calendars (util/date.c).
 *
 * Reference values are independent of the code under test: day counts come
 * from the Unix epoch (e.g. 2000-01-01 is 10957 days after 1970-01-01 =
 * 946684800 / 86400), weekdays from the printed calendar, and the holiday
 * fixture follows the State Council's 2026 arrangement for National Day
 * (Oct 1-7 off; Sunday Sep 20 and Saturday Oct 10 worked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/date.h"
#include "util/err.h"

static uint32_t
parse(const char *s)
{
	uint32_t v = 12345;
	int rc = date_parse(&v, s, strlen(s));

	if (rc != 0) {
		assert_int_equal(rc, CX_EFORMAT);
		assert_int_equal(v, 0);
		return 0;
	}
	return v;
}

static void
test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("2023-05-01"), 20230501);
	assert_int_equal(parse("20230501"), 20230501);
	assert_int_equal(parse("2023/5/1"), 20230501);
	assert_int_equal(parse("2023/05/01"), 20230501);
	assert_int_equal(parse("2023.05.01"), 20230501);
	assert_int_equal(parse("2023.5.1"), 20230501);
	assert_int_equal(parse("2023年5月1日"), 20230501);
	assert_int_equal(parse("2023年05月01日"), 20230501);
	assert_int_equal(parse("2023-05-01 10:00:00"), 20230501);
	assert_int_equal(parse("2023-05-01T10:00:00+08:00"), 20230501);
	assert_int_equal(parse("2023/5/1 8:30"), 20230501);
	assert_int_equal(parse("20230501 103000"), 20230501);
	assert_int_equal(parse("2023年5月1日 10:00"), 20230501);
	assert_int_equal(parse("  2023-12-31  "), 20231231);
	assert_int_equal(parse("1949-10-01"), 19491001);
	assert_int_equal(parse("2199-12-31"), 21991231);
	/* not NUL-terminated: only len bytes are read */
	{
		uint32_t v;

		assert_int_equal(date_parse(&v, "2023-05-019999", 10), 0);
		assert_int_equal(v, 20230501);
	}
}

static void
test_parse_rejects(void **state)
{
	static const char *bad[] = {
		"", "   ", "2023", "2023-05", "2023-5", "2023-05-01x",
		"2023-05-01T", "2023-05-01 noon", "2023-05/01", "2023/05-01", "2023.05-01",
		"2023-005-01", "2023-05-001", "23-05-01", "02023-05-01", "202305011",
		"2023051", "2023-13-01", "2023-00-10", "2023-04-31", "2023-02-29",
		"1900-02-29", "2100-02-29", "2023-05-00", "1948-12-31", "2200-01-01",
		"0000-00-00", "00000000", "2023年5月1", "2023年5月1号", "2023年13月1日",
		"2023-0x-01", "-2023-05-01", "2023--05-01", "2023 05 01", "二〇二三年五月一日",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v = 1;

		if (date_parse(&v, bad[i], strlen(bad[i])) != CX_EFORMAT)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, 0);
		assert_true(cx_lasterr()[0] != '\0');
	}
	assert_int_equal(date_parse(&(uint32_t){ 0 }, NULL, 0), CX_EFORMAT);
}

static void
test_leap_years(void **state)
{
	(void)state;
	assert_int_equal(parse("2024-02-29"), 20240229);
	assert_int_equal(parse("2000-02-29"), 20000229);
	assert_int_equal(parse("2100-02-28"), 21000228);
	assert_true(date_valid(20240229));
	assert_false(date_valid(20230229));
	assert_false(date_valid(21000229));
	assert_true(date_valid(20000229));
	assert_false(date_valid(0));
	assert_false(date_valid(20230431));
	assert_false(date_valid(19481231));
	assert_true(date_valid(19490101));
	assert_false(date_valid(22000101));
	assert_int_equal(date_add_days(20240228, 1), 20240229);
	assert_int_equal(date_add_days(20240229, 1), 20240301);
	assert_int_equal(date_add_days(20230228, 1), 20230301);
	assert_int_equal(date_add_days(21000228, 1), 21000301);
	assert_int_equal(date_add_days(20000228, 1), 20000229);
}

static void
test_day_counts(void **state)
{
	(void)state;
	assert_int_equal(date_days(19700101), 0);
	assert_int_equal(date_days(19691231), -1);
	assert_int_equal(date_days(20000101), 946684800 / 86400);
	assert_int_equal(date_days(20230501), 1682899200 / 86400);
	assert_int_equal(date_days(20380119), 2147483647 / 86400);
	assert_int_equal(date_days(19491001), -639100800 / 86400);
	assert_int_equal(date_days(20230229), INT32_MIN);
	assert_int_equal(date_days(0), INT32_MIN);
	assert_int_equal(date_from_days(0), 19700101);
	assert_int_equal(date_from_days(-1), 19691231);
	assert_int_equal(date_from_days(946684800 / 86400), 20000101);
	assert_int_equal(date_from_days(date_days(99991231)), 99991231);
	assert_int_equal(date_from_days(date_days(99991231) + 1), 0);
	assert_int_equal(date_from_days(date_days(10101) - 1), 0);
	/* every day from 1948 to 2201 round-trips and counts up by one */
	{
		int32_t n = date_days(19480101);
		uint32_t d = 19480101;

		while (d < 22020101) {
			uint32_t next = date_from_days(n + 1);

			assert_int_equal(date_days(d), n);
			assert_int_equal(date_from_days(n), d);
			assert_true(next > d);
			if (next / 100 == d / 100)
				assert_int_equal(next, d + 1);
			else if (next / 10000 == d / 10000)
				assert_int_equal(next % 100, 1);
			else
				assert_int_equal(next % 10000, 101);
			d = next;
			n++;
		}
	}
}

static void
test_month_ends(void **state)
{
	(void)state;
	assert_int_equal(date_add_months(20230131, 1), 20230228);
	assert_int_equal(date_add_months(20240131, 1), 20240229);
	assert_int_equal(date_add_months(20240229, 12), 20250228);
	assert_int_equal(date_add_months(20240229, 48), 20280229);
	assert_int_equal(date_add_months(20230331, -1), 20230228);
	assert_int_equal(date_add_months(20230531, 1), 20230630);
	assert_int_equal(date_add_months(20231130, 3), 20240229);
	assert_int_equal(date_add_months(20230501, 3), 20230801);
	assert_int_equal(date_add_months(20230501, 36), 20260501);
	assert_int_equal(date_add_months(20231215, 1), 20240115);
	assert_int_equal(date_add_months(20230115, -1), 20221215);
	assert_int_equal(date_add_months(20230115, -25), 20201215);
	assert_int_equal(date_add_months(20230115, 0), 20230115);
	assert_int_equal(date_add_months(20230230, 1), 0);
	assert_int_equal(date_add_months(99991201, 1), 0);
	assert_int_equal(date_add_months(21991231, 36), 22021231);
	assert_int_equal(date_add_days(20231231, 1), 20240101);
	assert_int_equal(date_add_days(20240101, -1), 20231231);
	assert_int_equal(date_add_days(20230501, 0), 20230501);
	assert_int_equal(date_add_days(20230501, 365), 20240430);
	assert_int_equal(date_add_days(20230432, 1), 0);
	assert_int_equal(date_add_days(20230501, INT32_MAX), 0);
	assert_int_equal(date_add_days(20230501, INT32_MIN), 0);
}

static void
test_weekday_format(void **state)
{
	char s[11];

	(void)state;
	assert_int_equal(date_weekday(19700101), 3);   /* Thursday */
	assert_int_equal(date_weekday(20230501), 0);   /* Monday */
	assert_int_equal(date_weekday(20261001), 3);   /* Thursday */
	assert_int_equal(date_weekday(20260920), 6);   /* Sunday */
	assert_int_equal(date_weekday(20261010), 5);   /* Saturday */
	assert_int_equal(date_weekday(19491001), 5);   /* Saturday */
	assert_int_equal(date_weekday(19691231), 2);   /* Wednesday */
	assert_int_equal(date_weekday(20230229), -1);
	date_format(s, 20230501);
	assert_string_equal(s, "2023-05-01");
	date_format(s, 19491001);
	assert_string_equal(s, "1949-10-01");
	date_format(s, 0);
	assert_string_equal(s, "");
	date_format(s, UINT32_MAX);   /* garbage in: still 10 characters */
	assert_int_equal(strlen(s), 10);
	/* format and parse are inverse */
	{
		uint32_t d = 19490101;

		for (; d && d < 21991231; d = date_add_days(d, 37)) {
			uint32_t v;

			date_format(s, d);
			assert_int_equal(date_parse(&v, s, strlen(s)), 0);
			assert_int_equal(v, d);
		}
	}
}

/* The CST calendar date of a Unix time, computed with the C library. */
static uint32_t
cst_date(time_t t)
{
	time_t cst = t + 8 * 3600;
	struct tm tm;

	gmtime_r(&cst, &tm);
	return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static void
test_today(void **state)
{
	uint32_t t;
	time_t before, after;

	(void)state;
	setenv("CXNODE_TODAY", "2026-04-01", 1);
	assert_int_equal(date_today(), 20260401);
	setenv("CXNODE_TODAY", "2026年4月2日", 1);
	assert_int_equal(date_today(), 20260402);
	/* an unparsable override is ignored: the clock in UTC+8 (the two reads
	 * bracket the call, in case the clock ticks over midnight) */
	setenv("CXNODE_TODAY", "not a date", 1);
	before = time(NULL);
	t = date_today();
	after = time(NULL);
	unsetenv("CXNODE_TODAY");
	assert_true(date_valid(t));
	assert_true(t == cst_date(before) || t == cst_date(after));
	before = time(NULL);
	t = date_today();
	after = time(NULL);
	assert_true(t == cst_date(before) || t == cst_date(after));
}

static const char cal2026[] =
    "# 2026 National Day (fixture)\n"
    "2026-09-20 workday   Sunday worked\n"
    "2026-10-01 holiday   国庆节\n"
    "2026-10-02 holiday\n"
    "2026-10-03 holiday\n"
    "2026-10-04\tholiday\n"
    "2026-10-05 holiday\r\n"
    "2026-10-06 holiday # comment after\n"
    "2026/10/7 holiday\n"
    "\n"
    "   # indented comment\n"
    "20261010 workday\n"
    "2026-10-01 holiday\n"   /* repeated, same meaning: allowed */
    "2026-05-01 holiday";     /* no final newline */

static void
test_calendar_workdays(void **state)
{
	struct date_calendar *c = NULL;

	(void)state;
	assert_int_equal(date_calendar_load(&c, cal2026, strlen(cal2026)), 0);
	assert_non_null(c);
	assert_int_equal(date_calendar_size(c), 10);
	/* plain weekdays and weekends */
	assert_true(date_is_workday(c, 20260918));   /* Friday */
	assert_false(date_is_workday(c, 20260919));  /* Saturday */
	assert_true(date_is_workday(c, 20260920));   /* make-up Sunday */
	assert_false(date_is_workday(NULL, 20260920));
	assert_false(date_is_workday(c, 20261001));  /* Thursday, holiday */
	assert_true(date_is_workday(NULL, 20261001));
	assert_false(date_is_workday(c, 20261007));
	assert_true(date_is_workday(c, 20261008));
	assert_true(date_is_workday(c, 20261010));   /* make-up Saturday */
	assert_false(date_is_workday(c, 20261011));  /* Sunday */
	assert_false(date_is_workday(c, 20230229));
	/* 7 working days from a decision on Tue 2026-09-29:
	 * Sep 30, Oct 8, 9, 10 (make-up), 12, 13, 14 */
	assert_int_equal(date_add_workdays(c, 20260929, 7), 20261014);
	/* without the calendar: Sep 30, Oct 1, 2, 5, 6, 7, 8 */
	assert_int_equal(date_add_workdays(NULL, 20260929, 7), 20261008);
	/* from inside the holiday */
	assert_int_equal(date_add_workdays(c, 20261003, 1), 20261008);
	/* from the Friday before the make-up Sunday */
	assert_int_equal(date_add_workdays(c, 20260918, 1), 20260920);
	assert_int_equal(date_add_workdays(c, 20260918, 2), 20260921);
	/* backwards */
	assert_int_equal(date_add_workdays(c, 20261008, -1), 20260930);
	assert_int_equal(date_add_workdays(c, 20261012, -2), 20261009);
	assert_int_equal(date_add_workdays(c, 20261012, 0), 20261012);
	assert_int_equal(date_add_workdays(c, 20261011, 0), 20261011);
	/* weekdays-only over a year: 261 working days in 2025 */
	assert_int_equal(date_add_workdays(NULL, 20241231, 261), 20251231);
	assert_int_equal(date_add_workdays(NULL, 20230229, 1), 0);
	assert_int_equal(date_add_workdays(NULL, 99991231, 1), 0);
	assert_int_equal(date_add_workdays(NULL, 20230501, 2147483647), 0);
	/* Labour Day from the fixture */
	assert_false(date_is_workday(c, 20260501));
	date_calendar_free(c);
	date_calendar_free(NULL);
	assert_int_equal(date_calendar_size(NULL), 0);
}

static void
test_calendar_rejects(void **state)
{
	static const char *bad[] = {
		"2026-10-01\n",
		"2026-10-01 vacation\n",
		"2026-10-01 holidays\n",
		"2026-02-30 holiday\n",
		"tomorrow holiday\n",
		"2026-10-01 holiday\n2026-10-01 workday\n",
		"2026-10-01 holiday\n\n# x\n2026-13-01 workday\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct date_calendar *c = (struct date_calendar *)&c;

		assert_int_equal(date_calendar_load(&c, bad[i], strlen(bad[i])), CX_EFORMAT);
		assert_null(c);
	}
	/* the line number is in the detail */
	{
		struct date_calendar *c;

		assert_int_equal(date_calendar_load(&c, bad[6], strlen(bad[6])), CX_EFORMAT);
		assert_non_null(strstr(cx_lasterr(), "line 4"));
	}
	/* empty text is an empty calendar */
	{
		struct date_calendar *c = NULL;

		assert_int_equal(date_calendar_load(&c, "", 0), 0);
		assert_non_null(c);
		assert_int_equal(date_calendar_size(c), 0);
		assert_true(date_is_workday(c, 20260101));
		date_calendar_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_day_counts),
		cmocka_unit_test(test_month_ends),
		cmocka_unit_test(test_weekday_format),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_calendar_workdays),
		cmocka_unit_test(test_calendar_rejects),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
