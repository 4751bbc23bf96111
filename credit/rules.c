/*
 * rules.c — publicity windows and the sector vocabulary.
 *
 * Design: the rule for a record is chosen by (kind, decision date), then
 * computed from a few month counts added to the decision date with
 * date_add_months (day clamped to the month end). Every period is a pair
 * (minimum, maximum) in months; 0 months means "none". docs/rules.md gives
 * each rule its source and the reason for each choice; the table here and
 * that document must say the same thing.
 *
 * Penalties:
 *
 *   decision date    rule        window (months from the decision)
 *   < 2026-04-01     Order 58    each penalty type 3 .. 36; the five
 *                                sectors raise the minimum to 12; with
 *                                several types the largest minimum and
 *                                the largest maximum over all types apply
 *   >= 2026-04-01    Order 36    minor: not published (if published <= 3)
 *                                general / unspecified: 3 .. 12
 *                                serious: 12 .. 36
 *
 * Order 58 is also applied to decisions before its entry into force
 * (2023-05-01): repair applications after that date are handled under it.
 *
 * The windows are pure functions of the record's own fields, so every node
 * computes the same window for the same bytes.
 */
#include <string.h>

#include "credit/rules.h"
#include "util/err.h"

#define RULES_R58 "NDRC Order 58 (2023-05-01)"
#define RULES_R58_EARLY "NDRC Order 58 (2023-05-01), applied to an earlier decision"
#define RULES_R36_MINOR "NDRC Order 36 (2026-04-01), minor: not published"
#define RULES_R36_GENERAL "NDRC Order 36 (2026-04-01), general"
#define RULES_R36_UNSPEC "NDRC Order 36 (2026-04-01), general (severity unspecified)"
#define RULES_R36_SERIOUS "NDRC Order 36 (2026-04-01), serious"

/* ---- sectors ------------------------------------------------------------ */

static const struct rules_sector rules_sectors[] = {
	{ "food", "食品" },
	{ "drugs", "药品" },
	{ "special_equipment", "特种设备" },
	{ "production_safety", "安全生产" },
	{ "fire_safety", "消防" },
	{ "tax", "税务" },
	{ "ecology", "生态环境" },
	{ "market", "市场监管" },
	{ "transport", "交通运输" },
	{ "construction", "住房城乡建设" },
	{ "culture_tourism", "文化旅游" },
	{ "court", "法院" },
	{ "labour", "人力资源社会保障" },
	{ "finance", "金融" },
	{ "education", "教育" },
	{ "health", "卫生健康" },
	{ "other", "其他" },
};
#define RULES_NSECTORS (sizeof(rules_sectors) / sizeof(rules_sectors[0]))

/* Other spellings an importer meets, mapped to a code. */
static const struct rules_sector rules_synonyms[] = {
	{ "food", "食品安全" },
	{ "drugs", "药品安全" },
	{ "drugs", "药品监管" },
	{ "drugs", "医疗器械" },
	{ "special_equipment", "特种设备安全" },
	{ "production_safety", "应急管理" },
	{ "fire_safety", "消防安全" },
	{ "fire_safety", "消防救援" },
	{ "tax", "税收" },
	{ "ecology", "环境保护" },
	{ "ecology", "生态环保" },
	{ "ecology", "环保" },
	{ "market", "市场监督管理" },
	{ "market", "工商" },
	{ "transport", "交通" },
	{ "construction", "住房和城乡建设" },
	{ "construction", "住建" },
	{ "construction", "建设" },
	{ "culture_tourism", "文化和旅游" },
	{ "culture_tourism", "文旅" },
	{ "court", "司法" },
	{ "court", "人民法院" },
	{ "labour", "人社" },
	{ "labour", "劳动保障" },
	{ "health", "卫生" },
	{ "health", "卫健" },
};

const struct rules_sector *
rules_sector_at(size_t i)
{
	return i < RULES_NSECTORS ? &rules_sectors[i] : NULL;
}

const char *
rules_sector_name(const char *code)
{
	size_t i;

	if (code == NULL)
		return NULL;
	for (i = 0; i < RULES_NSECTORS; i++)
		if (strcmp(rules_sectors[i].code, code) == 0)
			return rules_sectors[i].zh;
	return NULL;
}

const char *
rules_sector_code(const char *s)
{
	size_t i, j;

	if (s == NULL || s[0] == '\0')
		return NULL;
	for (i = 0; i < RULES_NSECTORS; i++)
		if (strcmp(rules_sectors[i].code, s) == 0 || strcmp(rules_sectors[i].zh, s) == 0)
			return rules_sectors[i].code;
	for (j = 0; j < sizeof(rules_synonyms) / sizeof(rules_synonyms[0]); j++)
		if (strcmp(rules_synonyms[j].zh, s) == 0)
			for (i = 0; i < RULES_NSECTORS; i++)
				if (strcmp(rules_sectors[i].code, rules_synonyms[j].code) == 0)
					return rules_sectors[i].code;
	return NULL;
}

int
rules_sector_strict(const char *code)
{
	static const char *strict[] = { "food", "drugs", "special_equipment", "production_safety",
		"fire_safety" };
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < sizeof(strict) / sizeof(strict[0]); i++)
		if (strcmp(strict[i], code) == 0)
			return 1;
	return 0;
}

/* ---- penalty types ------------------------------------------------------ */

static const char *const rules_pt_zh[] = {
	[CX__PENALTY_TYPE__WARNING] = "警告",
	[CX__PENALTY_TYPE__CIRCULATED_CRITICISM] = "通报批评",
	[CX__PENALTY_TYPE__FINE] = "罚款",
	[CX__PENALTY_TYPE__CONFISCATE_GAINS] = "没收违法所得",
	[CX__PENALTY_TYPE__CONFISCATE_PROPERTY] = "没收非法财物",
	[CX__PENALTY_TYPE__SUSPEND_LICENCE] = "暂扣许可证件",
	[CX__PENALTY_TYPE__LOWER_QUALIFICATION] = "降低资质等级",
	[CX__PENALTY_TYPE__REVOKE_LICENCE] = "吊销许可证件",
	[CX__PENALTY_TYPE__RESTRICT_OPERATIONS] = "限制开展生产经营活动",
	[CX__PENALTY_TYPE__ORDER_SUSPENSION] = "责令停产停业",
	[CX__PENALTY_TYPE__ORDER_CLOSURE] = "责令关闭",
	[CX__PENALTY_TYPE__RESTRICT_PRACTICE] = "限制从业",
	[CX__PENALTY_TYPE__DETENTION] = "行政拘留",
	[CX__PENALTY_TYPE__OTHER_PENALTY] = "其他",
};
#define RULES_NPT ((int)(sizeof(rules_pt_zh) / sizeof(rules_pt_zh[0])))

static const struct {
	int type;
	const char *zh;
} rules_pt_alias[] = {
	{ CX__PENALTY_TYPE__SUSPEND_LICENCE, "暂扣许可证" },
	{ CX__PENALTY_TYPE__SUSPEND_LICENCE, "暂扣执照" },
	{ CX__PENALTY_TYPE__SUSPEND_LICENCE, "暂扣许可证、执照" },
	{ CX__PENALTY_TYPE__REVOKE_LICENCE, "吊销许可证" },
	{ CX__PENALTY_TYPE__REVOKE_LICENCE, "吊销执照" },
	{ CX__PENALTY_TYPE__REVOKE_LICENCE, "吊销营业执照" },
	{ CX__PENALTY_TYPE__REVOKE_LICENCE, "吊销许可证、执照" },
	{ CX__PENALTY_TYPE__ORDER_SUSPENSION, "责令停产停业整顿" },
	{ CX__PENALTY_TYPE__OTHER_PENALTY, "其他行政处罚" },
	{ CX__PENALTY_TYPE__OTHER_PENALTY, "其它" },
};

const char *
rules_penalty_type_zh(int type)
{
	if (type <= 0 || type >= RULES_NPT)
		return NULL;
	return rules_pt_zh[type];
}

int
rules_penalty_type_parse(const char *zh)
{
	size_t i;
	int t;

	if (zh == NULL)
		return 0;
	for (t = 1; t < RULES_NPT; t++)
		if (strcmp(rules_pt_zh[t], zh) == 0)
			return t;
	for (i = 0; i < sizeof(rules_pt_alias) / sizeof(rules_pt_alias[0]); i++)
		if (strcmp(rules_pt_alias[i].zh, zh) == 0)
			return rules_pt_alias[i].type;
	return 0;
}

/*
 * Order 58 period of one penalty type, in months. DOMAIN's summary of the
 * order gives every type the same 3 .. 36 months; the table keeps the
 * per-type shape so that "the longest applies" is computed, not assumed.
 */
static void
rules_o58_type(int type, int *min_m, int *max_m)
{
	(void)type;
	*min_m = 3;
	*max_m = 36;
}

/* ---- windows ------------------------------------------------------------ */

static void
rules_set(struct rules_window *w, uint32_t d, int min_m, int max_m, int strict, const char *rule)
{
	w->min_end = min_m ? date_add_months(d, min_m) : 0;
	w->max_end = max_m ? date_add_months(d, max_m) : 0;
	w->publish = 1;
	w->max_strict = strict;
	w->rule = rule;
}

static void
rules_penalty(struct rules_window *w, const Cx__Record *r)
{
	uint32_t d = r->decision_date;

	if (d >= RULES_ORDER36_FROM) {
		switch (r->severity) {
		case CX__SEVERITY__MINOR:
			rules_set(w, d, 0, 3, 1, RULES_R36_MINOR);
			w->publish = 0;
			return;
		case CX__SEVERITY__SERIOUS:
			rules_set(w, d, 12, 36, 1, RULES_R36_SERIOUS);
			return;
		case CX__SEVERITY__GENERAL:
			rules_set(w, d, 3, 12, 1, RULES_R36_GENERAL);
			return;
		default:
			rules_set(w, d, 3, 12, 1, RULES_R36_UNSPEC);
			return;
		}
	} else {
		int min_m = 3, max_m = 36, a, b;
		size_t i;

		/* the longest over all types: largest minimum, largest maximum */
		if (r->penalty) {
			for (i = 0; i < r->penalty->n_types; i++) {
				rules_o58_type((int)r->penalty->types[i], &a, &b);
				if (a > min_m)
					min_m = a;
				if (b > max_m)
					max_m = b;
			}
		}
		if (rules_sector_strict(r->sector) && min_m < 12)
			min_m = 12;
		rules_set(w, d, min_m, max_m, 1, d >= RULES_ORDER58_FROM ? RULES_R58 : RULES_R58_EARLY);
	}
}

/* Window ending the day after a validity end (inclusive), or open. */
static void
rules_validity(struct rules_window *w, uint32_t until, const char *rule)
{
	w->publish = 1;
	w->max_strict = 0;
	w->max_end = until ? date_add_days(until, 1) : 0;
	w->rule = rule;
}

int
rules_publicity(struct rules_window *w, const Cx__Record *r)
{
	uint32_t d;

	memset(w, 0, sizeof(*w));
	if (r == NULL)
		return cx_seterr(CX_EINVAL, "no record");
	d = r->decision_date;
	if (!date_valid(d))
		return cx_seterr(CX_EINVAL, "decision date %u is not a valid date", d);
	switch (r->kind) {
	case CX__RECORD_KIND__PENALTY:
		rules_penalty(w, r);
		return 0;
	case CX__RECORD_KIND__LICENCE:
		rules_validity(w, r->licence ? r->licence->valid_until : 0,
		    "licence: published while valid (XK_YXQZI)");
		return 0;
	case CX__RECORD_KIND__EVALUATION:
		rules_validity(w, r->evaluation ? r->evaluation->valid_until : 0,
		    "evaluation: published while valid");
		return 0;
	case CX__RECORD_KIND__COMMITMENT:
		rules_validity(w, r->commitment ? r->commitment->valid_until : 0,
		    "commitment: published while valid");
		return 0;
	case CX__RECORD_KIND__DISHONEST_LIST:
		rules_set(w, d, 0, 36, 0, "serious-dishonesty list: until removal, 3 years unless stated");
		return 0;
	case CX__RECORD_KIND__DISHONEST_DEBTOR:
		rules_set(w, d, 0, 0, 0, "dishonest judgment debtor: until the court removes it");
		return 0;
	case CX__RECORD_KIND__RED_LIST:
		rules_set(w, d, 0, 0, 0, "red list: until removal");
		return 0;
	case CX__RECORD_KIND__COMMITMENT_OUTCOME:
		if (r->outcome && r->outcome->fulfilled)
			rules_set(w, d, 0, 0, 0, "commitment fulfilled: no end");
		else
			rules_set(w, d, 0, 36, 0, "commitment breached: 3 years unless stated");
		return 0;
	case CX__RECORD_KIND__COERCION:
	case CX__RECORD_KIND__REWARD:
	case CX__RECORD_KIND__CONFIRMATION:
	case CX__RECORD_KIND__ADJUDICATION:
	case CX__RECORD_KIND__INSPECTION:
		rules_set(w, d, 0, 36, 0, "other administrative information: 3 years unless stated");
		return 0;
	case CX__RECORD_KIND__STATUS_CHANGE:
		rules_set(w, d, 0, 0, 0, "status change: no end");
		return 0;
	default:
		return cx_seterr(CX_EINVAL, "record kind %d has no publicity rule", (int)r->kind);
	}
}

uint32_t
rules_publish_due(const struct date_calendar *c, uint32_t decision)
{
	if (!date_valid(decision))
		return 0;
	return date_add_workdays(c, decision, 7);
}

int
rules_change_applies(int change, int kind)
{
	switch (change) {
	case CX__CHANGE_TYPE__REMOVAL:
		return kind == CX__RECORD_KIND__DISHONEST_LIST ||
		    kind == CX__RECORD_KIND__DISHONEST_DEBTOR || kind == CX__RECORD_KIND__RED_LIST;
	case CX__CHANGE_TYPE__REPAIR:
		return kind == CX__RECORD_KIND__PENALTY || kind == CX__RECORD_KIND__DISHONEST_LIST ||
		    kind == CX__RECORD_KIND__DISHONEST_DEBTOR ||
		    kind == CX__RECORD_KIND__COMMITMENT_OUTCOME ||
		    kind == CX__RECORD_KIND__COERCION || kind == CX__RECORD_KIND__INSPECTION;
	case CX__CHANGE_TYPE__CORRECTION:
	case CX__CHANGE_TYPE__WITHDRAWAL:
		return kind != CX__RECORD_KIND__STATUS_CHANGE && kind != 0;
	}
	return 0;
}
