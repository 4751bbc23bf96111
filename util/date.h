/*
 * date.h — calendar dates as uint32 YYYYMMDD, and working days.
 *
 * A date is the number 10000 * year + 100 * month + day, e.g. 20230501; 0
 * means "absent" everywhere (the record schema uses the same convention).
 * Dates are proleptic Gregorian calendar days in China Standard Time; there
 * is no time of day and no time zone arithmetic.
 *
 * Two ranges:
 *   - date_valid() and date_parse() accept years 1949..2199, the range a
 *     credit record can plausibly carry (DATE_MIN_YEAR..DATE_MAX_YEAR);
 *   - the arithmetic (date_days, date_from_days, date_add_*, date_weekday)
 *     works on any real calendar date of years 1..9999, so that adding three
 *     years to a late date never fails; it returns 0 (or the documented
 *     sentinel) when its input is not a real date or the result leaves
 *     years 1..9999.
 *
 * Working days are weekdays, minus the holidays and plus the make-up working
 * days (调休) of a calendar loaded from text:
 *
 *     # 2026 National Day
 *     2026-09-20 workday      make-up working Sunday
 *     2026-10-01 holiday      国庆节
 *     ...
 *
 * One entry per line: a date (any date_parse form without spaces), white
 * space, the word "holiday" or "workday", then optional free text. '#'
 * starts a comment; blank lines are ignored.
 */
#ifndef CX_DATE_H
#define CX_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_MIN_YEAR 1949
#define DATE_MAX_YEAR 2199

/*
 * Parse s[0..len) (UTF-8, not necessarily NUL-terminated) into *out.
 * Accepted: "2023-05-01", "20230501", "2023/5/1", "2023.05.01",
 * "2023年5月1日" (month and day with one or two digits, the same separator
 * twice), surrounding ASCII spaces, and an ignored time of day after the date,
 * introduced by a space or 'T' ("2023-05-01 10:00:00", "2023-05-01T10:00Z").
 * Returns 0, or CX_EFORMAT (detail set) when the text is not one of these
 * forms, not a real calendar date (2023-02-29) or outside years 1949..2199;
 * *out is 0 on failure.
 */
int date_parse(uint32_t *out, const char *s, size_t len);

/* 1 if ymd is a real calendar date with year 1949..2199, else 0. */
int date_valid(uint32_t ymd);

/* Days from 1970-01-01 to ymd (negative before). ymd must be a real date of
 * years 1..9999; returns INT32_MIN otherwise. */
int32_t date_days(uint32_t ymd);

/* The date `days` days after 1970-01-01; 0 if outside years 1..9999. */
uint32_t date_from_days(int32_t days);

/* ymd plus days (may be negative); 0 if ymd is not a real date or the
 * result leaves years 1..9999. */
uint32_t date_add_days(uint32_t ymd, int32_t days);

/* ymd plus months (may be negative), the day clamped to the end of the
 * target month: 2023-01-31 + 1 = 2023-02-28, 2024-02-29 + 12 = 2025-02-28.
 * 0 if ymd is not a real date or the result leaves years 1..9999. */
uint32_t date_add_months(uint32_t ymd, int32_t months);

/* Day of the week: 0 = Monday .. 6 = Sunday; -1 if ymd is not a real date. */
int date_weekday(uint32_t ymd);

/* Write "YYYY-MM-DD" and a NUL into out. Absent (0) gives ""; a number that
 * is not a real date is still written digit by digit (never overflows). */
void date_format(char out[11], uint32_t ymd);

/* Today in China Standard Time (UTC+8). The environment variable
 * CXNODE_TODAY=YYYY-MM-DD (any date_parse form) overrides the clock, for
 * tests and demos; an unparsable value is ignored. */
uint32_t date_today(void);

/* A holiday calendar: two sorted arrays of dates (holidays, make-up working
 * days). Opaque; immutable once loaded, so it may be shared by threads. */
struct date_calendar;

/*
 * Load a calendar from text[0..len) in the line format above. On success
 * *out is a new calendar the caller frees with date_calendar_free().
 * Returns 0, CX_ENOMEM, or CX_EFORMAT with the detail "line N: ..." for a bad
 * line or a date listed both as holiday and as workday; *out is NULL then.
 * Repeating an entry with the same meaning is allowed.
 */
int date_calendar_load(struct date_calendar **out, const char *text, size_t len);

/* Free a calendar; NULL is allowed. */
void date_calendar_free(struct date_calendar *c);

/* Number of holiday and workday entries (for reporting); c may be NULL. */
size_t date_calendar_size(const struct date_calendar *c);

/*
 * 1 if ymd is a working day: a make-up working day of c, or a Monday..Friday
 * that is not a holiday of c. c may be NULL (weekdays only). 0 otherwise,
 * also when ymd is not a real date.
 */
int date_is_workday(const struct date_calendar *c, uint32_t ymd);

/*
 * The n-th working day after ymd (n > 0), before it (n < 0), or ymd itself
 * (n == 0); ymd itself need not be a working day. For example the deadline
 * "within 7 working days of the decision" is date_add_workdays(c, d, 7).
 * c may be NULL. Returns 0 if ymd is not a real date or the result leaves
 * years 1..9999.
 */
uint32_t date_add_workdays(const struct date_calendar *c, uint32_t ymd, int n);

#endif
