/*
 * date.c — calendar dates as YYYYMMDD, and working-day calendars.
 *
 * Design:
 *   - A date travels as the number YYYYMMDD (0 = absent). Arithmetic goes
 *     through a day count from 1970-01-01: days(y, m, d) = 365 (y - 1970) +
 *     the leap days between, + the days of the months before m + d - 1. The
 *     inverse estimates the year from the mean Gregorian year and corrects
 *     it by at most a step or two, then walks the twelve months.
 *   - The arithmetic accepts years 1..9999 so that "decision + 3 years" never
 *     fails near the end of the plausible range; date_valid() and
 *     date_parse() keep to the range a record can carry (1949..2199).
 *   - Parsing is a small hand-written scanner over bytes: four-digit year,
 *     then either four more digits, or a separator ('-', '/', '.') used
 *     twice with one- or two-digit month and day, or the Chinese 年/月/日
 *     form. What may follow the date is a time of day (introduced by a space
 *     or 'T' and starting with a digit), which is ignored.
 *   - A calendar is two sorted, duplicate-free arrays (holidays, make-up
 *     working days) searched by bisection; it is never modified after
 *     loading.
 *
 * Invariants: every function returning a date returns 0 or a real calendar
 * date; no function here allocates except date_calendar_load().
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/date.h"
#include "util/err.h"

#define DATE_DAYS_BAD INT32_MIN

/* Days before the first of each month in a common year. */
static const int date_cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };

static int
date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
date_month_len(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && date_leap(y) ? 29 : len[m - 1];
}

/* Split ymd; 1 if it is a real date of years 1..9999. */
static int
date_split(uint32_t ymd, int *y, int *m, int *d)
{
	*y = (int)(ymd / 10000);
	*m = (int)(ymd / 100 % 100);
	*d = (int)(ymd % 100);
	if (*y < 1 || *y > 9999 || *m < 1 || *m > 12 || *d < 1)
		return 0;
	return *d <= date_month_len(*y, *m);
}

static uint32_t
date_join(int y, int m, int d)
{
	return (uint32_t)y * 10000u + (uint32_t)m * 100u + (uint32_t)d;
}

/* Leap days in years 1..y-1. */
static int32_t
date_leaps_before(int y)
{
	int p = y - 1;

	return p / 4 - p / 100 + p / 400;
}

static int32_t
date_ydays(int y)
{
	/* days from 1970-01-01 to y-01-01 */
	return 365 * (int32_t)(y - 1970) + date_leaps_before(y) - date_leaps_before(1970);
}

int
date_valid(uint32_t ymd)
{
	int y, m, d;

	return date_split(ymd, &y, &m, &d) && y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR;
}

int32_t
date_days(uint32_t ymd)
{
	int y, m, d;

	if (!date_split(ymd, &y, &m, &d))
		return DATE_DAYS_BAD;
	return date_ydays(y) + date_cum[m - 1] + (m > 2 && date_leap(y)) + d - 1;
}

uint32_t
date_from_days(int32_t days)
{
	int y, m;
	int32_t rest;

	if (days < date_ydays(1) || days >= date_ydays(10000))
		return 0;
	y = 1970 + (int)((int64_t)days * 400 / 146097);
	while (y > 1 && date_ydays(y) > days)
		y--;
	while (y < 9999 && date_ydays(y + 1) <= days)
		y++;
	rest = days - date_ydays(y);
	for (m = 1; m < 12; m++) {
		int32_t next = date_cum[m] + (m >= 2 && date_leap(y));

		if (rest < next)
			break;
	}
	rest -= date_cum[m - 1] + (m > 2 && date_leap(y));
	return date_join(y, m, (int)rest + 1);
}

uint32_t
date_add_days(uint32_t ymd, int32_t days)
{
	int32_t base = date_days(ymd);

	if (base == DATE_DAYS_BAD)
		return 0;
	/* the whole range is ~3.65M days: anything larger leaves it */
	if (days > 4000000 || days < -4000000)
		return 0;
	return date_from_days(base + days);
}

uint32_t
date_add_months(uint32_t ymd, int32_t months)
{
	int y, m, d, len;
	int64_t total;

	if (!date_split(ymd, &y, &m, &d))
		return 0;
	total = (int64_t)y * 12 + (m - 1) + months;
	if (total < 12 || total >= 10000 * 12)
		return 0;
	y = (int)(total / 12);
	m = (int)(total % 12) + 1;
	len = date_month_len(y, m);
	return date_join(y, m, d > len ? len : d);
}

int
date_weekday(uint32_t ymd)
{
	int32_t n = date_days(ymd);

	if (n == DATE_DAYS_BAD)
		return -1;
	/* 1970-01-01 was a Thursday (3 when Monday is 0) */
	return (int)(((n % 7) + 7 + 3) % 7);
}

void
date_format(char out[11], uint32_t ymd)
{
	uint32_t y = ymd / 10000 % 10000, m = ymd / 100 % 100, d = ymd % 100;

	if (ymd == 0) {
		out[0] = '\0';
		return;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* ---- parsing ------------------------------------------------------------ */

static int
date_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read 1..max digits at s[*i]; -1 if none. */
static int
date_digits(const char *s, size_t len, size_t *i, int min, int max)
{
	int v = 0, n = 0;

	while (*i < len && n < max && date_isdigit(s[*i])) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n < min || (*i < len && date_isdigit(s[*i])))
		return -1;
	return v;
}

static int
date_match(const char *s, size_t len, size_t *i, const char *lit)
{
	size_t n = strlen(lit);

	if (len - *i < n || memcmp(s + *i, lit, n) != 0)
		return 0;
	*i += n;
	return 1;
}

/* What may follow a date: nothing, or ' '/'T' then a digit (a time). */
static int
date_tail_ok(const char *s, size_t len, size_t i)
{
	if (i == len)
		return 1;
	if ((s[i] == ' ' || s[i] == 'T') && i + 1 < len && date_isdigit(s[i + 1]))
		return 1;
	return 0;
}

int
date_parse(uint32_t *out, const char *s, size_t len)
{
	size_t i = 0;
	int y, m, d;
	uint32_t v;

	*out = 0;
	if (s == NULL)
		return cx_seterr(CX_EFORMAT, "no date");
	while (len > 0 && s[len - 1] == ' ')
		len--;
	while (i < len && s[i] == ' ')
		i++;
	if (i == len)
		return cx_seterr(CX_EFORMAT, "empty date");
	if (len - i >= 8 && date_isdigit(s[i + 4]) && date_digits(s, len, &(size_t){ i }, 8, 8) >= 0) {
		/* YYYYMMDD */
		y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
		m = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
		d = (s[i + 6] - '0') * 10 + (s[i + 7] - '0');
		i += 8;
	} else {
		if ((y = date_digits(s, len, &i, 4, 4)) < 0)
			goto bad;
		if (i < len && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
			char sep = s[i++];

			if ((m = date_digits(s, len, &i, 1, 2)) < 0 || i >= len || s[i++] != sep ||
			    (d = date_digits(s, len, &i, 1, 2)) < 0)
				goto bad;
		} else if (date_match(s, len, &i, "\xe5\xb9\xb4")) {   /* 年 */
			if ((m = date_digits(s, len, &i, 1, 2)) < 0 ||
			    !date_match(s, len, &i, "\xe6\x9c\x88") ||     /* 月 */
			    (d = date_digits(s, len, &i, 1, 2)) < 0 ||
			    !date_match(s, len, &i, "\xe6\x97\xa5"))       /* 日 */
				goto bad;
		} else {
			goto bad;
		}
	}
	if (!date_tail_ok(s, len, i))
		goto bad;
	v = date_join(y, m, d);
	if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
		return cx_seterr(CX_EFORMAT, "year %d outside %d..%d", y, DATE_MIN_YEAR, DATE_MAX_YEAR);
	if (!date_valid(v))
		return cx_seterr(CX_EFORMAT, "%04d-%02d-%02d is not a calendar date", y, m, d);
	*out = v;
	return 0;
bad:
	return cx_seterr(CX_EFORMAT, "not a date: \"%.*s\"", (int)(len > 40 ? 40 : len), s);
}

uint32_t
date_today(void)
{
	const char *env = getenv("CXNODE_TODAY");
	uint32_t v;
	time_t t;

	if (env && env[0] && date_parse(&v, env, strlen(env)) == 0)
		return v;
	t = time(NULL) + 8 * 3600;
	return date_from_days((int32_t)(t >= 0 ? t / 86400 : (t - 86399) / 86400));
}

/* ---- calendars ---------------------------------------------------------- */

struct date_calendar {
	uint32_t *holiday;
	size_t nholiday;
	uint32_t *workday;
	size_t nworkday;
};

struct date_list {
	uint32_t *v;
	size_t n, cap;
};

static int
date_list_push(struct date_list *l, uint32_t d)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return CX_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = d;
	return 0;
}

static int
date_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop duplicates. */
static void
date_list_finish(struct date_list *l)
{
	size_t i, o = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), date_cmp);
	for (i = 0; i < l->n; i++)
		if (o == 0 || l->v[o - 1] != l->v[i])
			l->v[o++] = l->v[i];
	l->n = o;
}

static int
date_list_has(const uint32_t *v, size_t n, uint32_t d)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == d)
			return 1;
		if (v[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
date_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
date_calendar_load(struct date_calendar **out, const char *text, size_t len)
{
	struct date_list hol = { 0 }, work = { 0 };
	struct date_calendar *c = NULL;
	size_t pos = 0, line = 0, i;
	int rc = 0;

	*out = NULL;
	if (text == NULL && len > 0)
		return cx_seterr(CX_EINVAL, "no calendar text");
	while (pos < len) {
		const char *ln = text + pos, *nl = memchr(ln, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - ln) : len - pos, a = 0, b, w;
		uint32_t d;

		pos += n + (nl != NULL);
		line++;
		for (i = 0; i < n; i++)
			if (ln[i] == '#')
				break;
		n = i;
		while (a < n && date_isspace(ln[a]))
			a++;
		if (a == n)
			continue;
		for (b = a; b < n && !date_isspace(ln[b]); b++)
			;
		if (date_parse(&d, ln + a, b - a) != 0) {
			rc = cx_seterr(CX_EFORMAT, "line %zu: bad date \"%.*s\"", line,
			    (int)(b - a > 20 ? 20 : b - a), ln + a);
			goto out;
		}
		while (b < n && date_isspace(ln[b]))
			b++;
		for (w = b; w < n && !date_isspace(ln[w]); w++)
			;
		if (w - b == 7 && memcmp(ln + b, "holiday", 7) == 0)
			rc = date_list_push(&hol, d);
		else if (w - b == 7 && memcmp(ln + b, "workday", 7) == 0)
			rc = date_list_push(&work, d);
		else {
			rc = cx_seterr(CX_EFORMAT, "line %zu: expected \"holiday\" or \"workday\" after the date",
			    line);
			goto out;
		}
		if (rc != 0)
			goto out;
	}
	date_list_finish(&hol);
	date_list_finish(&work);
	for (i = 0; i < work.n; i++) {
		if (date_list_has(hol.v, hol.n, work.v[i])) {
			char s[11];

			date_format(s, work.v[i]);
			rc = cx_seterr(CX_EFORMAT, "%s is listed both as holiday and as workday", s);
			goto out;
		}
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	c->holiday = hol.v;
	c->nholiday = hol.n;
	c->workday = work.v;
	c->nworkday = work.n;
	hol.v = work.v = NULL;
	*out = c;
out:
	free(hol.v);
	free(work.v);
	return rc;
}

void
date_calendar_free(struct date_calendar *c)
{
	if (c == NULL)
		return;
	free(c->holiday);
	free(c->workday);
	free(c);
}

size_t
date_calendar_size(const struct date_calendar *c)
{
	return c ? c->nholiday + c->nworkday : 0;
}

/* Working day given the day count and weekday, for the stepping loop. */
static int
date_workday_at(const struct date_calendar *c, uint32_t ymd, int wd)
{
	if (c) {
		if (date_list_has(c->workday, c->nworkday, ymd))
			return 1;
		if (date_list_has(c->holiday, c->nholiday, ymd))
			return 0;
	}
	return wd < 5;
}

int
date_is_workday(const struct date_calendar *c, uint32_t ymd)
{
	int wd = date_weekday(ymd);

	if (wd < 0)
		return 0;
	return date_workday_at(c, ymd, wd);
}

uint32_t
date_add_workdays(const struct date_calendar *c, uint32_t ymd, int n)
{
	int32_t days = date_days(ymd);
	int step = n < 0 ? -1 : 1, wd;
	uint32_t d = ymd;

	if (days == DATE_DAYS_BAD)
		return 0;
	/* 10 000 years hold fewer than 2.7M weekdays */
	if (n > 3000000 || n < -3000000)
		return 0;
	wd = date_weekday(ymd);
	while (n != 0) {
		days += step;
		wd = (wd + 7 + step) % 7;
		if ((d = date_from_days(days)) == 0)
			return 0;
		if (date_workday_at(c, d, wd))
			n -= step;
	}
	return d;
}
