/*
 * gen.h — a generator of realistic credit records.
 *
 * gen_run() invents `subjects` distinct subjects (companies, individual
 * businesses, public institutions, social organisations and natural
 * persons) registered in the nine G60 cities, and for each a few records of
 * every kind the schema knows: penalties, licences, serious-dishonesty list
 * entries, dishonest judgment debtors, red lists, evaluations, commitments
 * and their outcomes, the five other administrative kinds, and status
 * changes (repair, removal, correction, withdrawal) that point back at
 * earlier records of the same issuer. docs/generator.md describes the mix.
 *
 * Every record is meant to pass validate_record() (credit/validate.h) with
 * the same `today`: credit codes and identity numbers carry correct check
 * characters, dates are real and not after today, publicity windows are
 * those of credit/rules.h for the decision date.
 *
 * Determinism: the output is a pure function of the options. Subject i is
 * drawn from its own pseudo-random stream (xoshiro256**, seeded through
 * splitmix64 from the seed and i), so the first k subjects are the same
 * whatever `subjects` is, and a prefix of the output is the output of a
 * smaller run. Record ids count per issuer and per kind in output order.
 *
 * Order: a record that refers to another (a status change, a commitment
 * outcome) is always emitted after the record it names, so every prefix of
 * the stream can be imported on its own.
 */
#ifndef CX_GEN_H
#define CX_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cxnode.pb-c.h"

/* The fraction of records that later get a status change, by default. */
#define GEN_CHANGES_DEFAULT 0.05

/* The number of cities the generator knows (the nine G60 cities). */
#define GEN_NCITIES 9

struct gen_opts {
	uint64_t seed;
	uint64_t subjects;      /* number of distinct subjects (0: nothing) */
	const char *region;     /* one issuing city's division code, or NULL =
	                           all nine */
	const char *issuer;     /* node id to put in Record.issuer (NULL = the
	                           city's id, e.g. "hangzhou") */
	uint32_t today;         /* YYYYMMDD: no decision after this date; 0 =
	                           date_today() */
	double changes;         /* fraction of records that get a status change
	                           later, 0..1 (0: none; GEN_CHANGES_DEFAULT is
	                           the usual value) */
	/* Optional: called with gen_run's ctx after every GEN_PROGRESS_EVERY
	 * subjects and after the last, with the number of subjects done. */
	void (*progress)(void *ctx, uint64_t subjects_done);
};

/* How often the progress callback is called, in subjects. */
#define GEN_PROGRESS_EVERY 4096

/*
 * Called once per record, in output order. The record and everything it
 * points to belong to the generator and live only until the callback
 * returns (copy what must be kept, e.g. by packing it). A non-zero return
 * stops the run; gen_run then returns that value.
 */
typedef int (*gen_emit)(void *ctx, const Cx__Record *r);

/*
 * Generate records for o->subjects subjects and hand each to emit(ctx, r).
 * *emitted (may be NULL) gets the number of records handed over, also when
 * the run stops early. Returns 0; CX_EINVAL (detail set) if o or emit is
 * NULL, the region is not one of the nine cities, today is not a real date
 * or is before 2016, or changes is outside 0..1; CX_ENOMEM; or the
 * callback's non-zero value.
 */
int gen_run(const struct gen_opts *o, gen_emit emit, void *ctx, uint64_t *emitted);

/*
 * The node id of a city by its division code: "330100" -> "hangzhou",
 * "310117" -> "songjiang". NULL for a code that is not one of the nine.
 * The string is static.
 */
const char *gen_city_id(const char *region);

/*
 * The i-th city (0 <= i < GEN_NCITIES): its division code, or NULL past
 * the end; its Chinese name through *zh when zh is not NULL. Static strings.
 */
const char *gen_city_at(size_t i, const char **zh);

#endif
