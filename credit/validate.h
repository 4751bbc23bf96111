/*
 * validate.h — check a record before the node issues it.
 *
 * validate_record() applies the rules of DOMAIN.md "Rules a node enforces"
 * and the publicity rules (credit/rules.h) to one record, collects every
 * problem it finds (not only the first) as messages, and fills in the
 * defaults a record may leave out. Each message names the field, by its
 * 双公示 code where there is one (CF_XDR_SHXYM, CF_WSH, CF_JDRQ, ...) and
 * otherwise by its schema path (evaluation.grade, change.target, ...).
 * docs/rules.md lists every check.
 */
#ifndef CX_VALIDATE_H
#define CX_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cxnode.pb-c.h"

#define VALIDATE_MAX 16
#define VALIDATE_RECORD_ID_MAX 256   /* bytes; it is an index key */

struct validate_msg {
	int warning;          /* 1 warning (record accepted), 0 error */
	char field[32];       /* "CF_XDR_SHXYM", "evaluation.grade", ... */
	char text[160];       /* "check character is 8, expected B" */
};

struct validate_result {
	size_t n;             /* messages in msg[] (at most VALIDATE_MAX) */
	int errors;           /* errors found, also those beyond VALIDATE_MAX */
	struct validate_msg msg[VALIDATE_MAX];
};

/*
 * Validate r as of `today` (YYYYMMDD; decision dates after it are errors;
 * 0 disables that check) and, when there is no error, fill in defaults:
 *   - publication_start = decision_date when 0;
 *   - publicity_min_end / publicity_max_end from rules_publicity() when 0
 *     (an Order 36 minor penalty gets max_end = its publication start: a
 *     zero-length window, "not published");
 *   - when the input gave them, check they lie within the rule: max_end not
 *     before the decision, not beyond a strict rule maximum; min_end not
 *     before the rule's minimum and not after max_end.
 * A correction's replacement is validated too (messages prefixed
 * "replacement: "), and gets its defaults filled in.
 * A sector given by its Chinese name (食品) is replaced by its code (food);
 * an unknown sector is an error. r's strings must then be malloc'd, as
 * json_to_record and shgs_row make them.
 * *res is reset first and owned by the caller; r stays owned by the caller
 * and is only modified in the fields above. Errors beyond VALIDATE_MAX are
 * counted but their text is dropped (warnings are dropped first).
 * Returns 0 if there are no errors (warnings allowed), CX_EINVAL otherwise
 * (detail: the first error's field and text).
 */
int validate_record(struct validate_result *res, Cx__Record *r, uint32_t today);

#endif
