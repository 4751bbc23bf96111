/*
 * validate.c — the checks a node applies to a record before issuing it.
 *
 * Design: one pass over the record, in the order of the schema (envelope,
 * subject, authority, dates, body, publicity window). Every check that
 * fails adds a message instead of returning, so an operator sees all that is
 * wrong with a row at once. Field names come from one table with three
 * columns (penalty 双公示 code CF_*, licence code XK_*, schema path for the
 * other kinds), so a message names the column the operator imported.
 *
 * The only writes to the record are defaults: publication_start,
 * publicity_min_end, publicity_max_end (and the same on a correction's
 * replacement), and a Chinese sector name replaced by its code (the one
 * allocation). Nothing is printed.
 *
 * The checks and the reason for each are listed in docs/rules.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credit/codes.h"
#include "credit/rules.h"
#include "credit/validate.h"
#include "util/date.h"
#include "util/err.h"

/* Field names: penalty code, licence code, schema path for other kinds. */
enum validate_field {
	VF_KIND, VF_RECORD_ID, VF_SCHEMA, VF_BODY,
	VF_NAME, VF_CATEGORY, VF_CODE, VF_GSZC, VF_ZZJG, VF_IDTYPE, VF_IDNO,
	VF_FRDB, VF_FR_IDTYPE, VF_FR_IDNO,
	VF_AUTH, VF_AUTHCODE, VF_SRCCODE,
	VF_SECTOR, VF_SEVERITY, VF_DECISION, VF_PUBSTART, VF_MINEND, VF_MAXEND,
	VF_DECNO, VF_NFIELDS
};

static const char *const validate_names[VF_NFIELDS][3] = {
	[VF_KIND]      = { "kind", "kind", "kind" },
	[VF_RECORD_ID] = { "record_id", "record_id", "record_id" },
	[VF_SCHEMA]    = { "schema", "schema", "schema" },
	[VF_BODY]      = { "body", "body", "body" },
	[VF_NAME]      = { "CF_XDR_MC", "XK_XDR_MC", "subject.name" },
	[VF_CATEGORY]  = { "CF_XDR_LB", "XK_XDR_LB", "subject.category" },
	[VF_CODE]      = { "CF_XDR_SHXYM", "XK_XDR_SHXYM", "subject.credit_code" },
	[VF_GSZC]      = { "CF_XDR_GSZC", "XK_XDR_GSZC", "subject.business_reg_no" },
	[VF_ZZJG]      = { "CF_XDR_ZZJG", "XK_XDR_ZZJG", "subject.org_code" },
	[VF_IDTYPE]    = { "CF_XDR_ZJLX", "XK_XDR_ZJLX", "subject.id_type" },
	[VF_IDNO]      = { "CF_XDR_ZJHM", "XK_XDR_ZJHM", "subject.id_number" },
	[VF_FRDB]      = { "CF_FRDB", "XK_FRDB", "subject.legal_rep" },
	[VF_FR_IDTYPE] = { "CF_FR_ZJLX", "XK_FR_ZJLX", "subject.legal_rep_id_type" },
	[VF_FR_IDNO]   = { "CF_FR_ZJHM", "XK_FR_ZJHM", "subject.legal_rep_id_number" },
	[VF_AUTH]      = { "CF_CFJG", "XK_XKJG", "authority.name" },
	[VF_AUTHCODE]  = { "CF_CFJGDM", "XK_XKJGDM", "authority.credit_code" },
	[VF_SRCCODE]   = { "CF_SJLYDM", "XK_LYDWDM", "source.credit_code" },
	[VF_SECTOR]    = { "sector", "sector", "sector" },
	[VF_SEVERITY]  = { "severity", "severity", "severity" },
	[VF_DECISION]  = { "CF_JDRQ", "XK_JDRQ", "decision_date" },
	[VF_PUBSTART]  = { "publication_start", "publication_start", "publication_start" },
	[VF_MINEND]    = { "publicity_min_end", "publicity_min_end", "publicity_min_end" },
	[VF_MAXEND]    = { "CF_GSJZQ", "publicity_max_end", "publicity_max_end" },
	[VF_DECNO]     = { "CF_WSH", "XK_WSH", "decision_no" },
};

struct validate_ctx {
	struct validate_result *res;
	const Cx__Record *r;
	const char *prefix;   /* "" or "replacement: " */
	uint32_t today;
};

static const char *
validate_fname(const struct validate_ctx *c, enum validate_field f)
{
	int col = c->r->kind == CX__RECORD_KIND__PENALTY ? 0 :
	    c->r->kind == CX__RECORD_KIND__LICENCE ? 1 : 2;

	return validate_names[f][col];
}

/* Add a message; when full, an error displaces the last warning. */
static void
validate_add(struct validate_ctx *c, int warning, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
validate_add(struct validate_ctx *c, int warning, const char *field, const char *fmt, ...)
{
	struct validate_result *res = c->res;
	struct validate_msg *m = NULL;
	va_list ap;
	size_t i;
	int n;

	if (!warning)
		res->errors++;
	if (res->n < VALIDATE_MAX) {
		m = &res->msg[res->n++];
	} else if (!warning) {
		for (i = VALIDATE_MAX; i-- > 0;)
			if (res->msg[i].warning) {
				memmove(&res->msg[i], &res->msg[i + 1],
				    (VALIDATE_MAX - 1 - i) * sizeof(res->msg[0]));
				m = &res->msg[VALIDATE_MAX - 1];
				break;
			}
	}
	if (m == NULL)
		return;
	memset(m, 0, sizeof(*m));
	m->warning = warning;
	snprintf(m->field, sizeof(m->field), "%s", field);
	n = snprintf(m->text, sizeof(m->text), "%s", c->prefix);
	if (n < 0 || (size_t)n >= sizeof(m->text))
		return;
	va_start(ap, fmt);
	vsnprintf(m->text + n, sizeof(m->text) - (size_t)n, fmt, ap);
	va_end(ap);
}

#define VERR(c, f, ...)  validate_add((c), 0, validate_fname((c), (f)), __VA_ARGS__)
#define VWARN(c, f, ...) validate_add((c), 1, validate_fname((c), (f)), __VA_ARGS__)
#define VERR_AT(c, name, ...)  validate_add((c), 0, (name), __VA_ARGS__)
#define VWARN_AT(c, name, ...) validate_add((c), 1, (name), __VA_ARGS__)

static int
validate_empty(const char *s)
{
	const char *p;

	if (s == NULL)
		return 1;
	for (p = s; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return 0;
	return 1;
}

/* An optional date: 0, or a valid date. 1 if present and valid. */
static int
validate_opt_date(struct validate_ctx *c, const char *field, uint32_t d)
{
	if (d == 0)
		return 0;
	if (!date_valid(d)) {
		VERR_AT(c, field, "%u is not a calendar date of years %d..%d", d, DATE_MIN_YEAR,
		    DATE_MAX_YEAR);
		return 0;
	}
	return 1;
}

static void
validate_fmt_date(char out[11], uint32_t d)
{
	date_format(out, d);
}

/* ---- envelope ----------------------------------------------------------- */

static int
validate_body_matches(const Cx__Record *r)
{
	switch (r->kind) {
	case CX__RECORD_KIND__PENALTY:
		return r->body_case == CX__RECORD__BODY_PENALTY && r->penalty;
	case CX__RECORD_KIND__LICENCE:
		return r->body_case == CX__RECORD__BODY_LICENCE && r->licence;
	case CX__RECORD_KIND__DISHONEST_LIST:
	case CX__RECORD_KIND__DISHONEST_DEBTOR:
	case CX__RECORD_KIND__RED_LIST:
		return r->body_case == CX__RECORD__BODY_LIST_ENTRY && r->list_entry;
	case CX__RECORD_KIND__EVALUATION:
		return r->body_case == CX__RECORD__BODY_EVALUATION && r->evaluation;
	case CX__RECORD_KIND__COMMITMENT:
		return r->body_case == CX__RECORD__BODY_COMMITMENT && r->commitment;
	case CX__RECORD_KIND__COMMITMENT_OUTCOME:
		return r->body_case == CX__RECORD__BODY_OUTCOME && r->outcome;
	case CX__RECORD_KIND__COERCION:
	case CX__RECORD_KIND__REWARD:
	case CX__RECORD_KIND__CONFIRMATION:
	case CX__RECORD_KIND__ADJUDICATION:
	case CX__RECORD_KIND__INSPECTION:
		return r->body_case == CX__RECORD__BODY_ADMIN && r->admin;
	case CX__RECORD_KIND__STATUS_CHANGE:
		return r->body_case == CX__RECORD__BODY_CHANGE && r->change;
	default:
		return 0;
	}
}

static const char *
validate_body_name(int body_case)
{
	switch (body_case) {
	case CX__RECORD__BODY_PENALTY: return "penalty";
	case CX__RECORD__BODY_LICENCE: return "licence";
	case CX__RECORD__BODY_LIST_ENTRY: return "list_entry";
	case CX__RECORD__BODY_EVALUATION: return "evaluation";
	case CX__RECORD__BODY_COMMITMENT: return "commitment";
	case CX__RECORD__BODY_OUTCOME: return "outcome";
	case CX__RECORD__BODY_ADMIN: return "admin";
	case CX__RECORD__BODY_CHANGE: return "change";
	default: return "none";
	}
}

/* ---- subject and authority ---------------------------------------------- */

static void
validate_resident_id(struct validate_ctx *c, enum validate_field f, const char *id)
{
	if (codes_resident_id_valid(id) != 0)
		VERR(c, f, "resident identity number: %s", cx_lasterr());
}

static void
validate_uscc(struct validate_ctx *c, enum validate_field f, const char *code, const char *what)
{
	if (codes_uscc_valid(code) != 0) {
		VERR(c, f, "%s: %s", what, cx_lasterr());
		return;
	}
	if (codes_uscc_orgcode_ok(code) != 0)
		VWARN(c, f, "%s: %s", what, cx_lasterr());
}

static void
validate_subject(struct validate_ctx *c)
{
	const Cx__Subject *s = c->r->subject;

	if (s == NULL) {
		VERR(c, VF_NAME, "subject is required");
		return;
	}
	if (validate_empty(s->name))
		VERR(c, VF_NAME, "subject name is required");
	switch (s->category) {
	case CX__SUBJECT_CATEGORY__LEGAL_PERSON:
		if (validate_empty(s->credit_code))
			VERR(c, VF_CODE, "a legal person needs its unified social credit code");
		else if (codes_uscc_placeholder(s->credit_code))
			VERR(c, VF_CODE, "the placeholder code is only for individual businesses");
		else
			validate_uscc(c, VF_CODE, s->credit_code, "credit code");
		break;
	case CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS:
		if (validate_empty(s->credit_code) || codes_uscc_placeholder(s->credit_code)) {
			if (validate_empty(s->business_reg_no))
				VERR(c, VF_GSZC, "an individual business without a credit code needs its business registration number");
		} else {
			validate_uscc(c, VF_CODE, s->credit_code, "credit code");
		}
		break;
	case CX__SUBJECT_CATEGORY__NATURAL_PERSON:
		if (s->id_type <= CX__ID_TYPE__ID_UNSPECIFIED || s->id_type > CX__ID_TYPE__FOREIGN_PERMANENT)
			VERR(c, VF_IDTYPE, "a natural person needs an identity document type (01..05)");
		if (validate_empty(s->id_number))
			VERR(c, VF_IDNO, "a natural person needs an identity document number");
		else if (s->id_type == CX__ID_TYPE__RESIDENT_ID)
			validate_resident_id(c, VF_IDNO, s->id_number);
		if (!validate_empty(s->credit_code) && !codes_uscc_placeholder(s->credit_code))
			validate_uscc(c, VF_CODE, s->credit_code, "credit code");
		break;
	default:
		VERR(c, VF_CATEGORY, "subject category is required (legal person, natural person or individual business)");
		break;
	}
	if (!validate_empty(s->org_code) && codes_orgcode_valid(s->org_code) != 0)
		VWARN(c, VF_ZZJG, "%s", cx_lasterr());
	if (!validate_empty(s->legal_rep_id_number)) {
		if (s->legal_rep_id_type <= CX__ID_TYPE__ID_UNSPECIFIED ||
		    s->legal_rep_id_type > CX__ID_TYPE__FOREIGN_PERMANENT)
			VERR(c, VF_FR_IDTYPE, "the legal representative's identity number needs its document type");
		else if (s->legal_rep_id_type == CX__ID_TYPE__RESIDENT_ID)
			validate_resident_id(c, VF_FR_IDNO, s->legal_rep_id_number);
	}
}

static void
validate_authority(struct validate_ctx *c)
{
	const Cx__Authority *a = c->r->authority;

	if (a == NULL || validate_empty(a->name))
		VERR(c, VF_AUTH, "deciding authority is required");
	if (a == NULL || validate_empty(a->credit_code))
		VERR(c, VF_AUTHCODE, "the deciding authority's credit code is required");
	else
		validate_uscc(c, VF_AUTHCODE, a->credit_code, "authority credit code");
	if (c->r->source && !validate_empty(c->r->source->credit_code) &&
	    codes_uscc_valid(c->r->source->credit_code) != 0)
		VWARN(c, VF_SRCCODE, "source credit code: %s", cx_lasterr());
}

/* ---- bodies ------------------------------------------------------------- */

static int
validate_has_type(const Cx__Penalty *p, Cx__PenaltyType t)
{
	size_t i;

	for (i = 0; i < p->n_types; i++)
		if (p->types[i] == t)
			return 1;
	return 0;
}

static void
validate_penalty(struct validate_ctx *c)
{
	const Cx__Penalty *p = c->r->penalty;
	char a[11], b[11];
	size_t i;

	if (validate_empty(p->decision_no))
		VERR(c, VF_DECNO, "decision number is required");
	if (p->n_types == 0)
		VWARN_AT(c, "CF_CFLB", "no penalty type given");
	for (i = 0; i < p->n_types; i++)
		if (rules_penalty_type_zh((int)p->types[i]) == NULL)
			VERR_AT(c, "CF_CFLB", "unknown penalty type %d", (int)p->types[i]);
	if (p->fine_fen < 0)
		VERR_AT(c, "CF_NR_FK", "fine amount is negative");
	else if (validate_has_type(p, CX__PENALTY_TYPE__FINE) && p->fine_fen == 0)
		VERR_AT(c, "CF_NR_FK", "a fine (罚款) needs its amount");
	else if (p->fine_fen > 0 && !validate_has_type(p, CX__PENALTY_TYPE__FINE))
		VWARN_AT(c, "CF_NR_FK", "a fine amount is given but 罚款 is not among the penalty types");
	if (p->confiscated_fen < 0)
		VERR_AT(c, "CF_NR_WFFF", "confiscated amount is negative");
	else if ((validate_has_type(p, CX__PENALTY_TYPE__CONFISCATE_GAINS) ||
	    validate_has_type(p, CX__PENALTY_TYPE__CONFISCATE_PROPERTY)) && p->confiscated_fen == 0)
		VERR_AT(c, "CF_NR_WFFF", "a confiscation (没收) needs its amount");
	if ((validate_has_type(p, CX__PENALTY_TYPE__SUSPEND_LICENCE) ||
	    validate_has_type(p, CX__PENALTY_TYPE__REVOKE_LICENCE)) && validate_empty(p->licence_affected))
		VWARN_AT(c, "CF_NR_ZKDX", "the suspended or revoked licence is not named");
	if (validate_opt_date(c, "CF_YXQ", p->valid_until) && c->r->decision_date &&
	    p->valid_until < c->r->decision_date) {
		validate_fmt_date(a, p->valid_until);
		validate_fmt_date(b, c->r->decision_date);
		VERR_AT(c, "CF_YXQ", "penalty validity %s is before the decision %s", a, b);
	}
}

static void
validate_licence(struct validate_ctx *c)
{
	const Cx__Licence *l = c->r->licence;
	int from, until;

	if (validate_empty(l->decision_no))
		VERR(c, VF_DECNO, "decision number is required");
	if (l->type < 0 || l->type > CX__LICENCE_TYPE__OTHER_LICENCE)
		VERR_AT(c, "XK_XKLB", "unknown licence type %d", (int)l->type);
	else if (l->type == CX__LICENCE_TYPE__LT_UNSPECIFIED)
		VWARN_AT(c, "XK_XKLB", "licence type not given");
	from = validate_opt_date(c, "XK_YXQZ", l->valid_from);
	until = validate_opt_date(c, "XK_YXQZI", l->valid_until);
	if (from && until && l->valid_until < l->valid_from)
		VERR_AT(c, "XK_YXQZI", "validity ends before it starts");
	if (until && c->r->decision_date && l->valid_until < c->r->decision_date)
		VERR_AT(c, "XK_YXQZI", "validity ends before the decision date");
}

static void
validate_list(struct validate_ctx *c)
{
	const Cx__ListEntry *e = c->r->list_entry;

	if (validate_empty(e->decision_no))
		VERR_AT(c, "list_entry.decision_no", "%s is required",
		    c->r->kind == CX__RECORD_KIND__DISHONEST_DEBTOR ? "the enforcement case number" :
		    "the listing decision number");
	if (c->r->kind == CX__RECORD_KIND__DISHONEST_LIST && validate_empty(e->list_type))
		VERR_AT(c, "list_entry.list_type", "the list type is required");
	if (c->r->kind == CX__RECORD_KIND__DISHONEST_DEBTOR && validate_empty(e->court))
		VWARN_AT(c, "list_entry.court", "the enforcing court is not named");
	if (c->r->kind != CX__RECORD_KIND__RED_LIST && validate_empty(e->reason) &&
	    validate_empty(e->obligation))
		VWARN_AT(c, "list_entry.reason", "no reason for the listing is given");
}

static void
validate_validity(struct validate_ctx *c, const char *from_name, uint32_t vfrom,
    const char *until_name, uint32_t vuntil)
{
	int from = validate_opt_date(c, from_name, vfrom);

	if (vuntil == 0) {
		VERR_AT(c, until_name, "the validity end is required");
		return;
	}
	if (!validate_opt_date(c, until_name, vuntil))
		return;
	if (from && vuntil < vfrom)
		VERR_AT(c, until_name, "validity ends before it starts");
	if (c->r->decision_date && vuntil < c->r->decision_date)
		VERR_AT(c, until_name, "validity ends before the decision date");
}

static void
validate_evaluation(struct validate_ctx *c)
{
	const Cx__Evaluation *e = c->r->evaluation;

	if (validate_empty(e->scheme))
		VERR_AT(c, "evaluation.scheme", "the evaluation scheme is required");
	if (validate_empty(e->grade))
		VERR_AT(c, "evaluation.grade", "the grade is required");
	validate_validity(c, "evaluation.valid_from", e->valid_from, "evaluation.valid_until",
	    e->valid_until);
}

static void
validate_commitment(struct validate_ctx *c)
{
	const Cx__Commitment *m = c->r->commitment;

	if (validate_empty(m->matter))
		VERR_AT(c, "commitment.matter", "the matter committed for is required");
	validate_validity(c, "commitment.valid_from", m->valid_from, "commitment.valid_until",
	    m->valid_until);
}

static int validate_one(struct validate_ctx *c, Cx__Record *r);

static void
validate_change(struct validate_ctx *c, Cx__Record *r)
{
	Cx__StatusChange *ch = r->change;
	char a[11], b[11];

	if (ch->type <= CX__CHANGE_TYPE__CHANGE_UNSPECIFIED || ch->type > CX__CHANGE_TYPE__WITHDRAWAL)
		VERR_AT(c, "change.type", "the change type is required (repair, removal, correction, withdrawal)");
	if (ch->target == NULL || validate_empty(ch->target->record_id))
		VERR_AT(c, "change.target", "the target record_id is required");
	else if (r->record_id && strcmp(ch->target->record_id, r->record_id) == 0)
		VERR_AT(c, "change.target", "a status change cannot target itself");
	if (ch->effective_date == 0)
		VERR_AT(c, "change.effective_date", "the effective date is required");
	else if (validate_opt_date(c, "change.effective_date", ch->effective_date) &&
	    date_valid(r->decision_date) && ch->effective_date < r->decision_date) {
		validate_fmt_date(a, ch->effective_date);
		validate_fmt_date(b, r->decision_date);
		VERR_AT(c, "change.effective_date", "effective %s is before the change was decided (%s)", a, b);
	}
	if (ch->type == CX__CHANGE_TYPE__CORRECTION) {
		Cx__Record *rep = ch->replacement;

		if (rep == NULL) {
			VERR_AT(c, "change.replacement", "a correction needs the corrected record");
			return;
		}
		if (rep->kind == CX__RECORD_KIND__STATUS_CHANGE || rep->body_case == CX__RECORD__BODY_CHANGE) {
			VERR_AT(c, "change.replacement", "a correction cannot replace a record by a status change");
			return;
		}
		if (ch->target && !validate_empty(ch->target->record_id) &&
		    (rep->record_id == NULL || strcmp(rep->record_id, ch->target->record_id) != 0))
			VERR_AT(c, "change.replacement", "the replacement keeps the target's record_id");
		{
			struct validate_ctx sub = *c;

			sub.prefix = "replacement: ";
			sub.r = rep;
			validate_one(&sub, rep);
		}
	} else if (ch->replacement != NULL) {
		VERR_AT(c, "change.replacement", "only a correction carries a replacement");
	}
}

/* ---- publicity window --------------------------------------------------- */

static void
validate_window(struct validate_ctx *c, Cx__Record *r)
{
	struct rules_window w;
	char a[11], b[11];
	uint32_t start, maxe, mine;
	int have_max, have_min;

	if (rules_publicity(&w, r) != 0)
		return;   /* decision date or kind already reported */
	start = r->publication_start ? r->publication_start : r->decision_date;
	have_max = r->publicity_max_end != 0;
	have_min = r->publicity_min_end != 0;
	if (have_max) {
		if (!validate_opt_date(c, validate_fname(c, VF_MAXEND), r->publicity_max_end))
			return;
		if (r->publicity_max_end < r->decision_date) {
			VERR(c, VF_MAXEND, "publicity end is before the decision date");
			return;
		}
		if (w.max_strict && w.max_end && r->publicity_max_end > w.max_end) {
			validate_fmt_date(a, r->publicity_max_end);
			validate_fmt_date(b, w.max_end);
			VERR(c, VF_MAXEND, "publicity end %s is beyond %s, the maximum under %s", a, b, w.rule);
			return;
		}
		if (w.publish && w.max_strict && w.min_end && r->publicity_max_end < w.min_end) {
			validate_fmt_date(a, r->publicity_max_end);
			validate_fmt_date(b, w.min_end);
			VERR(c, VF_MAXEND, "publicity end %s is before %s, the minimum under %s", a, b, w.rule);
			return;
		}
		if (!w.publish && r->publicity_max_end > start)
			VWARN(c, VF_MAXEND, "published although %s in principle", w.rule);
	}
	maxe = have_max ? r->publicity_max_end : (w.publish ? w.max_end : start);
	if (have_min) {
		if (!validate_opt_date(c, validate_fname(c, VF_MINEND), r->publicity_min_end))
			return;
		if (w.min_end && r->publicity_min_end < w.min_end) {
			validate_fmt_date(a, r->publicity_min_end);
			validate_fmt_date(b, w.min_end);
			VERR(c, VF_MINEND, "repair date %s is before %s, the minimum under %s", a, b, w.rule);
			return;
		}
		if (r->publicity_min_end < r->decision_date) {
			VERR(c, VF_MINEND, "repair date is before the decision date");
			return;
		}
		if (maxe && r->publicity_min_end > maxe) {
			VERR(c, VF_MINEND, "repair date is after the publicity end");
			return;
		}
	}
	mine = have_min ? r->publicity_min_end : w.min_end;
	if (maxe && maxe < start && w.publish)
		VWARN(c, VF_PUBSTART, "publication would start after the publicity end");
	if (c->res->errors == 0) {
		r->publicity_max_end = maxe;
		r->publicity_min_end = mine;
	}
}

/* ---- one record --------------------------------------------------------- */

static int
validate_one(struct validate_ctx *c, Cx__Record *r)
{
	int before = c->res->errors, body_ok, dec_ok = 0;
	char a[11], b[11];

	if (r->kind <= CX__RECORD_KIND__KIND_UNSPECIFIED || r->kind > CX__RECORD_KIND__STATUS_CHANGE) {
		VERR(c, VF_KIND, "record kind %d is not known", (int)r->kind);
		return -1;
	}
	if (r->schema > 1)
		VERR(c, VF_SCHEMA, "schema version %u is not supported (1)", r->schema);
	if (validate_empty(r->record_id))
		VERR(c, VF_RECORD_ID, "record_id is required");
	else if (strlen(r->record_id) > VALIDATE_RECORD_ID_MAX)
		VERR(c, VF_RECORD_ID, "record_id is longer than %d bytes", VALIDATE_RECORD_ID_MAX);
	body_ok = validate_body_matches(r);
	if (!body_ok)
		VERR(c, VF_BODY, "a %s record needs its own body, found %s",
		    protobuf_c_enum_descriptor_get_value(&cx__record_kind__descriptor, r->kind)->name,
		    validate_body_name(r->body_case));
	validate_subject(c);
	validate_authority(c);
	if (!validate_empty(r->sector) && rules_sector_name(r->sector) == NULL) {
		/* a Chinese sector name becomes its code, so the sector minimums
		 * apply; an unknown sector is refused, since a misspelt 食品 would
		 * otherwise silently lose its one-year minimum */
		const char *code = rules_sector_code(r->sector);
		char *dup;

		if (code == NULL)
			VERR(c, VF_SECTOR, "sector \"%.40s\" is not in the vocabulary (docs/schema.md)",
			    r->sector);
		else if ((dup = strdup(code)) != NULL) {
			free(r->sector);
			r->sector = dup;
		}
	}
	if (r->severity < 0 || r->severity > CX__SEVERITY__SERIOUS)
		VERR(c, VF_SEVERITY, "severity %d is not known", (int)r->severity);
	if (r->decision_date == 0)
		VERR(c, VF_DECISION, "decision date is required");
	else if (!date_valid(r->decision_date))
		VERR(c, VF_DECISION, "%u is not a calendar date of years %d..%d", r->decision_date,
		    DATE_MIN_YEAR, DATE_MAX_YEAR);
	else if (c->today && r->decision_date > c->today) {
		validate_fmt_date(a, r->decision_date);
		validate_fmt_date(b, c->today);
		VERR(c, VF_DECISION, "decision date %s is in the future (today is %s)", a, b);
	} else
		dec_ok = 1;
	if (validate_opt_date(c, validate_fname(c, VF_PUBSTART), r->publication_start) && dec_ok &&
	    r->publication_start < r->decision_date)
		VERR(c, VF_PUBSTART, "publication cannot start before the decision date");
	if (body_ok) {
		switch (r->body_case) {
		case CX__RECORD__BODY_PENALTY:
			validate_penalty(c);
			break;
		case CX__RECORD__BODY_LICENCE:
			validate_licence(c);
			break;
		case CX__RECORD__BODY_LIST_ENTRY:
			validate_list(c);
			break;
		case CX__RECORD__BODY_EVALUATION:
			validate_evaluation(c);
			break;
		case CX__RECORD__BODY_COMMITMENT:
			validate_commitment(c);
			break;
		case CX__RECORD__BODY_OUTCOME:
			if (r->outcome->commitment == NULL || validate_empty(r->outcome->commitment->record_id))
				VERR_AT(c, "outcome.commitment", "the commitment's record_id is required");
			break;
		case CX__RECORD__BODY_ADMIN:
			if (validate_empty(r->admin->decision_no))
				VERR_AT(c, "admin.decision_no", "decision number is required");
			break;
		case CX__RECORD__BODY_CHANGE:
			validate_change(c, r);
			break;
		default:
			break;
		}
	}
	if (c->res->errors > before || !dec_ok)
		return -1;
	if (r->publication_start == 0)
		r->publication_start = r->decision_date;
	validate_window(c, r);
	return c->res->errors > before ? -1 : 0;
}

int
validate_record(struct validate_result *res, Cx__Record *r, uint32_t today)
{
	struct validate_ctx c;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (r == NULL) {
		res->errors = 1;
		res->n = 1;
		snprintf(res->msg[0].text, sizeof(res->msg[0].text), "no record");
		return cx_seterr(CX_EINVAL, "no record");
	}
	c.res = res;
	c.r = r;
	c.prefix = "";
	c.today = today;
	validate_one(&c, r);
	if (res->errors == 0)
		return 0;
	for (i = 0; i < res->n; i++)
		if (!res->msg[i].warning)
			return cx_seterr(CX_EINVAL, "%s: %s", res->msg[i].field, res->msg[i].text);
	return cx_seterr(CX_EINVAL, "%d errors", res->errors);
}
