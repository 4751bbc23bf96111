/*
 * quality.h — the 双公示 quality report (docs/quality.md): per issuer and
 * deciding department, over a period, how many licence and penalty
 * decisions were published (volume), how many of the rows submitted passed
 * validation (compliance), and how many were published within 7 working
 * days of the decision (timeliness); for the whole period, per ISO week and
 * per calendar month.
 *
 * Where the figures come from:
 *   - published records: the PENALTY and LICENCE records of every log the
 *     node holds, up to each log's latest signed checkpoint (a screen_view);
 *     a record counts in the period holding its publication date, the China
 *     time (UTC+8) date of its issued_at;
 *   - rejected rows: only this node's own imports know them. The importer
 *     hands every rejected 双公示 row to a quality_rejects collector, which
 *     writes one aux entry per distinct row ('Q' keys, docs/storage.md); a
 *     rejected row counts in the period holding its import date. Other
 *     issuers' compliance is therefore unknown here (null in the report).
 *
 * Working days: Monday to Friday, minus the holidays and plus the make-up
 * working days (调休) of the calendar file ([quality] calendar); without one,
 * weekends only.
 */
#ifndef CX_QUALITY_H
#define CX_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/node.h"
#include "proto/cxnode.pb-c.h"
#include "store/store.h"
#include "util/date.h"

/* Working days a decision may take to be published. */
#define QUALITY_DEADLINE 7

/* Longest period a report covers (months). */
#define QUALITY_MAX_MONTHS 36

/* ---- time rules --------------------------------------------------------- */

/*
 * The working day of a publication, counted from the decision: day 1 is
 * the first working day after the decision date. A publication on a day
 * that is not a working day counts as on the next working day; one on the
 * decision date itself (or before it) is day 0. A publication is timely
 * when its day is at most QUALITY_DEADLINE, that is when published <=
 * date_add_workdays(c, decision, QUALITY_DEADLINE).
 *
 * Example, no holidays: decision Friday 2026-04-03; published Friday
 * 2026-04-10 is day 5, Sunday 2026-04-12 is day 6 (as Monday), Tuesday
 * 2026-04-14 is day 7 (timely), Wednesday 2026-04-15 is day 8 (late).
 *
 * c may be NULL (weekends only). Returns the day, or -1 when either date
 * is not a real date.
 */
int quality_workday_no(const struct date_calendar *c, uint32_t decision, uint32_t published);

/* The China Standard Time (UTC+8) date of unix seconds t, YYYYMMDD. */
uint32_t quality_date_of(uint64_t t);

/* The ISO 8601 week of ymd (weeks start on Monday; week 1 holds the
 * year's first Thursday): *year (may differ from ymd's year near
 * 1 January) and *week 1..53. Returns 0, or -1 when ymd is not a date. */
int quality_iso_week(uint32_t ymd, int *year, int *week);

/*
 * Load the calendar file path (util/date.h has the line format: "DATE
 * holiday [name]", "DATE workday [name]", '#' comments). On success *out
 * is freed with date_calendar_free. Returns 0, CX_ENOTFOUND or CX_EIO
 * ("path: why"), CX_EFORMAT ("path:LINE: why"), CX_ENOMEM.
 */
int quality_calendar_load(struct date_calendar **out, const char *path);

/* ---- the report --------------------------------------------------------- */

struct quality_params {
	uint32_t from, to;      /* YYYYMMDD, inclusive */
	int weeks, months;      /* which breakdowns */
	char issuer[128];       /* "" = every issuer */
	char department[256];   /* "" = every department; else a name or code */
};

/*
 * Parse the API parameters {from, to, period, issuer, department}
 * (docs/quality.md) into *p; today (YYYYMMDD) gives the defaults: neither
 * date given = the last full month before today; only from = from .. today;
 * only to = the first of to's month .. to. Returns 0 or CX_EINVAL with the
 * reason (unknown key, wrong type, not a date, from after to, a period
 * longer than QUALITY_MAX_MONTHS months, a period word other than "week",
 * "month" or "both").
 */
int quality_params_parse(struct quality_params *p, const json_t *params, uint32_t today);

/*
 * The quality report of node n over the read transaction t (the lead's
 * dispatcher, node/api.c, opens it) for params (NULL = {}): a new JSON
 * object in *out (docs/quality.md has every field). The calendar is read
 * from n->cfg.calendar on each call. Returns 0, CX_EINVAL (bad params),
 * CX_EFORMAT / CX_EIO / CX_ENOTFOUND (the calendar file), or a store
 * error; the reason is in cx_lasterr().
 */
int quality_report(json_t **out, struct node *n, store_txn *t, const json_t *params);

/* ---- rejected rows (node/import.c) -------------------------------------- */

/*
 * A collector of the rejected 双公示 rows of one import. Each row becomes
 * one aux entry keyed by a digest of the row (so re-importing a file does
 * not count its bad rows twice; the first rejection's date is kept):
 * kind, deciding authority (name "(unknown)" when the row has none),
 * decision date when parseable, import date and time, and the reason.
 * Rows of other kinds are ignored. Not thread-safe: the importer calls it
 * from its writing thread only.
 */
struct quality_rejects;

/* A new collector for an import at unix time now. Returns 0 or CX_ENOMEM. */
int quality_rejects_new(struct quality_rejects **out, uint64_t now);

/* A row that parsed into r but was rejected (validation). r is only read
 * (its issued_at is set to 0 for the digest and restored). */
int quality_reject_record(struct quality_rejects *q, Cx__Record *r, const char *reason);

/* A CSV row that did not parse: kind is the file's (shgs_kind), cells the
 * row as split. The authority and date are unknown. */
int quality_reject_cells(struct quality_rejects *q, int kind, char *const *cells, size_t n,
    const char *reason);

/* A JSON Lines row that was rejected: parsed again here (only rejected
 * rows are), so that a row that failed validation gives its authority; a
 * row that is not a record gives what its JSON object says of "kind",
 * "authority" and "decision_date", when it is a JSON object at all. */
int quality_reject_line(struct quality_rejects *q, const char *line, size_t len,
    const char *reason);

/* Rows collected and not yet written. */
size_t quality_rejects_pending(const struct quality_rejects *q);

/* Write what is pending to st's aux database (one transaction; an entry
 * already there is kept) and forget it. Returns 0 or a store error. */
int quality_rejects_flush(struct quality_rejects *q, store *st);

/* Free, discarding what is pending; NULL is a no-op. */
void quality_rejects_free(struct quality_rejects *q);

#endif
