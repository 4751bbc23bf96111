/*
 * rules.h — publicity windows by the rule in force on the decision date, and
 * the sector vocabulary.
 *
 * A record's publicity window, counted from its decision date D:
 *
 *     D ........ min_end .................... max_end
 *     |  published  | published, repair may be |  publication stops
 *     |  no repair  | asked for                |  on this day
 *
 * Penalties (docs/rules.md has the full table and the reasons):
 *   D <  2026-04-01  NDRC Order 58: min 3 months (1 year in the sectors food,
 *                    drugs, special_equipment, production_safety,
 *                    fire_safety), max 3 years;
 *   D >= 2026-04-01  NDRC Order 36: minor: not published (if published, max
 *                    3 months); general (also when unspecified): 3 months ..
 *                    1 year; serious: 1 .. 3 years.
 * Other kinds have node defaults (lists 3 years unless stated, debtors until
 * removal, evaluations/commitments/licences their validity, ...).
 *
 * Everything here is pure: no I/O, no allocation; returned strings are
 * static and live for the whole program.
 */
#ifndef CX_RULES_H
#define CX_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cxnode.pb-c.h"
#include "util/date.h"

/* Decision dates from which each order applies. */
#define RULES_ORDER58_FROM 20230501u
#define RULES_ORDER36_FROM 20260401u

struct rules_window {
	uint32_t min_end;     /* repair may be asked from here; 0 = no minimum */
	uint32_t max_end;     /* publication stops on this day; 0 = open-ended */
	int publish;          /* 0 when the rule says "not published" (Order 36 minor) */
	int max_strict;       /* 1: max_end is a ceiling a record may not exceed;
	                         0: max_end is a default a record may state otherwise */
	const char *rule;     /* e.g. "NDRC Order 58 (2023-05-01)", static string */
};

/*
 * Compute the window the rules give record r (by r->kind, r->decision_date,
 * r->sector, r->severity and, for penalties, the penalty types; for
 * licences, evaluations and commitments their validity end). The record's
 * own publicity fields are not read. Returns 0, or CX_EINVAL (detail set)
 * when r is NULL, the decision date is not a valid date or the kind is
 * unspecified or unknown; *w is zeroed first.
 */
int rules_publicity(struct rules_window *w, const Cx__Record *r);

/* 1 if the sector code is one of the five Order 58 sectors with a 1-year
 * minimum (food, drugs, special_equipment, production_safety, fire_safety). */
int rules_sector_strict(const char *code);

/* The sector vocabulary of Record.sector: a fixed list of codes. */
struct rules_sector {
	const char *code;     /* "food" */
	const char *zh;       /* "食品" */
};

/* The i-th entry of the vocabulary (0-based, in a fixed order), or NULL
 * past the end; for generators that iterate over all sectors. */
const struct rules_sector *rules_sector_at(size_t i);

/* Chinese name of a sector code ("food" -> "食品"), or NULL if unknown. */
const char *rules_sector_name(const char *code);

/* The code for a Chinese name or a code ("食品" or "food" -> "food"; a
 * few common synonyms such as "食品安全", "安全生产" are recognised), or
 * NULL if unknown. The result is the vocabulary's static string. */
const char *rules_sector_code(const char *zh_or_code);

/* Chinese title of a penalty type (CX__PENALTY_TYPE__FINE -> "罚款"), or
 * NULL for an unknown value. */
const char *rules_penalty_type_zh(int type);

/* The penalty type for its Chinese title (as in rules_penalty_type_zh, plus
 * the forms "暂扣许可证", "吊销许可证", "吊销执照" etc.), or 0 if unknown. */
int rules_penalty_type_parse(const char *zh);

/* Last day to publish a licence or penalty decided on `decision`: 7
 * working days after it (c may be NULL: weekdays only). 0 if decision is
 * not a valid date. */
uint32_t rules_publish_due(const struct date_calendar *c, uint32_t decision);

/*
 * Whether a status change of type change (CX__CHANGE_TYPE__*) may apply to
 * a record of kind (CX__RECORD_KIND__*): removal to list entries (serious
 * dishonesty, dishonest debtors, red lists); repair to penalties, list
 * entries, debtors, commitment breaches, coercion and inspection records;
 * correction and withdrawal to any record but another status change.
 * Returns 1 or 0.
 */
int rules_change_applies(int change, int kind);

#endif
