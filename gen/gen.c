/*
 * gen.c — the record generator.
 *
 * Design
 * ------
 * gen_run() walks subjects 0 .. n-1. For subject i it seeds a private
 * xoshiro256** stream from (seed, i) through splitmix64, invents the
 * subject, draws its records, and emits them; nothing about subject i
 * depends on any other subject except the record-id counters, which count
 * per issuing city and per kind in output order. So the output is a pure
 * function of the options, and the first k subjects of a run are the
 * first k subjects of any longer run with the same seed.
 *
 * Memory: everything a subject's records point to lives in one arena (a
 * single malloc'd block) that is reset per subject; records share
 * sub-messages freely (a status change points at its target's subject and
 * authority, a correction's replacement is a shallow copy of its target
 * with a few fields swapped). Nothing is freed piecemeal, so the records
 * are valid protobuf-c message trees as long as the callback runs, and
 * never after. No per-record malloc: the generator is much faster than any
 * writer of its output.
 *
 * Per subject:
 *
 *   subject ──> 1..5 base records (mix by subject type, docs/generator.md)
 *           ──> an outcome for ~70% of its commitments (after the commitment)
 *           ──> a status change for a fraction `changes` of those records
 *               (after its target; same issuer; effective after the
 *                target's decision and not after today)
 *
 * and the subject's records are emitted in that order, so every reference
 * points backwards in the stream.
 *
 * Codes: credit codes are built from the parts GB 32100 gives them
 * (authority and type codes, the division code of a real district, a GB
 * 11714 organisation code with its check character) and finished with
 * codes_uscc_check(); identity numbers from a real division code, a birth
 * date and a sequence, finished with codes_resident_id_check(). Deciding
 * authorities have government codes (prefix 11) derived from a hash of
 * their name, so the same department has the same code in every run.
 *
 * Publicity windows are taken from rules_publicity() (credit/rules.h) for
 * the decision date, so the generated windows are those validation
 * expects; an Order 36 minor penalty gets a zero-length window.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "credit/codes.h"
#include "credit/rules.h"
#include "gen/gen.h"
#include "gen/rand.h"
#include "gen/tables.h"
#include "util/date.h"
#include "util/err.h"

#define GEN_ARENA   (1u << 20)   /* per subject; a subject needs < 64 KiB */
#define GEN_MAXREC  32           /* records of one subject */
#define GEN_NKINDS  15           /* RecordKind values 0..14 */
#define GEN_FIRST   20210101u    /* earliest decision date when today allows */

/* Subject types. */
enum {
	GEN_S_FIRM,        /* enterprise, USCC 91 */
	GEN_S_SHOP,        /* individual business, USCC 92 */
	GEN_S_INST,        /* public institution, USCC 12 */
	GEN_S_SOCIAL,      /* social organisation, USCC 51/52/53 */
	GEN_S_PERSON,      /* natural person */
	GEN_S_COUNT
};

struct gen_subj {
	int type;                          /* GEN_S_* */
	int ind;                           /* GEN_IND_* */
	const struct gen_city *home;
	const struct gen_district *dist;
	Cx__Subject *pb;
};

struct gen {
	const struct gen_opts *o;
	uint32_t today;
	int32_t tday, t0;                  /* day numbers of today, first date */
	const struct gen_city *only;       /* the region's city, or NULL */
	struct gen_rng r;
	char *buf;                         /* arena */
	size_t used;
	int full;                          /* arena exhausted */
	int err;                           /* first failure of this subject */
	uint64_t seq[GEN_NCITIES][GEN_NKINDS];
	Cx__Record *rec[GEN_MAXREC];       /* this subject's records */
	const struct gen_city *rcity[GEN_MAXREC];
	size_t nrec;
	unsigned wsum;                     /* sum of city weights */
};

static const char gen_kind_letter[GEN_NKINDS] = {
	'X', 'P', 'L', 'D', 'J', 'R', 'E', 'C', 'O', 'Q', 'W', 'F', 'A', 'I', 'S'
};

/* USCC alphabet: 0-9 and A-Y without I, O, S, V, Z. */
static const char gen_alnum[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* ---- arena and strings -------------------------------------------------- */

static void *
gen_alloc(struct gen *g, size_t n)
{
	size_t at = (g->used + 15) & ~(size_t)15;

	if (at + n > GEN_ARENA) {
		g->full = 1;
		return NULL;
	}
	g->used = at + n;
	memset(g->buf + at, 0, n);
	return g->buf + at;
}

/*
 * A string is built at the top of the arena: gen_sb() opens it, gen_add*
 * append, gen_end() terminates it and returns it. No other allocation may
 * happen while a string is open. On overflow the string comes back empty
 * and the subject fails with CX_ENOMEM.
 */
static char *
gen_sb(struct gen *g)
{
	return g->buf + g->used;
}

static void
gen_addn(struct gen *g, const char *s, size_t n)
{
	if (g->used + n + 1 > GEN_ARENA) {
		g->full = 1;
		return;
	}
	memcpy(g->buf + g->used, s, n);
	g->used += n;
}

static void
gen_add(struct gen *g, const char *s)
{
	gen_addn(g, s, strlen(s));
}

/* Decimal v, zero-padded to at least width digits. */
static void
gen_addnum(struct gen *g, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width && n < (int)sizeof(tmp))
		tmp[sizeof(tmp) - 1 - n++] = '0';
	gen_addn(g, tmp + sizeof(tmp) - n, (size_t)n);
}

static char *
gen_end(struct gen *g, char *start)
{
	if (g->full)
		return (char *)"";
	g->buf[g->used++] = '\0';
	return start;
}

/* Concatenate the NULL-terminated list of strings into a new string. */
static char *
gen_cat(struct gen *g, ...)
{
	char *s = gen_sb(g);
	const char *p;
	va_list ap;

	va_start(ap, g);
	while ((p = va_arg(ap, const char *)) != NULL)
		gen_add(g, p);
	va_end(ap);
	return gen_end(g, s);
}

/* Copy text, replacing '#' by money (yuan) and '@' by count. */
static char *
gen_fill(struct gen *g, const char *text, uint64_t money, uint64_t count)
{
	char *s = gen_sb(g);
	const char *p, *q;

	for (p = text; *p; p = q + 1) {
		for (q = p; *q && *q != '#' && *q != '@'; q++)
			;
		gen_addn(g, p, (size_t)(q - p));
		if (*q == '\0')
			break;
		gen_addnum(g, *q == '#' ? money : count, 0);
	}
	return gen_end(g, s);
}

/* ---- picking ------------------------------------------------------------ */

#define GEN_PICK(g, a) ((a)[gen_rand_below(&(g)->r, (uint32_t)(sizeof(a) / sizeof((a)[0])))])

/* Index drawn from weights w[0..n). */
static size_t
gen_weighted(struct gen *g, const unsigned *w, size_t n)
{
	unsigned sum = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = gen_rand_below(&g->r, sum);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* An amount in [lo, hi] yuan, rounded to a plausible step. */
static uint64_t
gen_amount(struct gen *g, uint64_t lo, uint64_t hi)
{
	uint64_t v, step;

	if (hi <= lo)
		return lo;
	v = lo + gen_rand_u64(&g->r) % (hi - lo + 1);
	step = v >= 100000 ? 1000 : v >= 10000 ? 100 : v >= 1000 ? 50 : 10;
	v = v / step * step;
	return v < lo ? lo : v;
}

static const struct gen_city *
gen_city_weighted(struct gen *g)
{
	unsigned x = gen_rand_below(&g->r, g->wsum);
	size_t i;

	for (i = 0; i < gen_n_cities; i++) {
		if (x < gen_cities[i].weight)
			return &gen_cities[i];
		x -= gen_cities[i].weight;
	}
	return &gen_cities[0];
}

static size_t
gen_city_index(const struct gen_city *c)
{
	return (size_t)(c - gen_cities);
}

/* ---- dates -------------------------------------------------------------- */

/* A decision date: 70% spread over the whole period, 30% in the last year. */
static uint32_t
gen_decision(struct gen *g)
{
	int32_t span = g->tday - g->t0, d;

	if (gen_rand_chance(&g->r, 0.3)) {
		int32_t w = span < 365 ? span : 365;

		d = g->tday - (int32_t)gen_rand_below(&g->r, (uint32_t)w + 1);
	} else {
		d = g->t0 + (int32_t)gen_rand_below(&g->r, (uint32_t)span + 1);
	}
	return date_from_days(d);
}

/* d plus days, but not after today. */
static uint32_t
gen_upto_today(struct gen *g, uint32_t d, int32_t days)
{
	int32_t x = date_days(d) + days;

	return date_from_days(x > g->tday ? g->tday : x);
}

/* A uniform date in [lo, hi] (day numbers). */
static uint32_t
gen_between(struct gen *g, int32_t lo, int32_t hi)
{
	if (hi <= lo)
		return date_from_days(lo);
	return date_from_days(lo + (int32_t)gen_rand_below(&g->r, (uint32_t)(hi - lo + 1)));
}

static uint32_t
gen_year(uint32_t ymd)
{
	return ymd / 10000;
}

/* ---- codes -------------------------------------------------------------- */

/* 8 characters of an organisation code: 60% digits, 40% "MA" style. */
static void
gen_org8(struct gen *g, char out[8])
{
	int i;

	if (gen_rand_chance(&g->r, 0.6)) {
		for (i = 0; i < 8; i++)
			out[i] = (char)('0' + gen_rand_below(&g->r, 10));
	} else {
		out[0] = 'M';
		out[1] = 'A';
		out[2] = (char)('0' + gen_rand_below(&g->r, 10));
		for (i = 3; i < 8; i++)
			out[i] = gen_alnum[gen_rand_below(&g->r, sizeof(gen_alnum) - 1)];
	}
}

/*
 * A unified social credit code into out[19]: registration authority and
 * type (two characters), the division code, the organisation code org8
 * with its GB 11714 check character, and the GB 32100 check character.
 * Returns 0, or CX_EINVAL if a part is outside the alphabets.
 */
static int
gen_uscc_from(char out[19], const char *rt, const char *division, const char org8[8])
{
	char oc;

	memcpy(out, rt, 2);
	memcpy(out + 2, division, 6);
	memcpy(out + 8, org8, 8);
	out[16] = '\0';
	if ((oc = codes_orgcode_check(out + 8)) == 0)
		return cx_seterr(CX_EINVAL, "organisation code %.8s", out + 8);
	out[16] = oc;
	out[17] = '\0';
	if ((out[17] = codes_uscc_check(out)) == 0)
		return cx_seterr(CX_EINVAL, "credit code %.17s", out);
	out[18] = '\0';
	return 0;
}

static char *
gen_uscc(struct gen *g, const char *rt, const char *division)
{
	char org[8], code[19];
	int rc;

	gen_org8(g, org);
	if ((rc = gen_uscc_from(code, rt, division, org)) != 0) {
		g->err = rc;
		return (char *)"";
	}
	return gen_cat(g, code, NULL);
}

/* FNV-1a, to give a department the same code in every run. */
static uint64_t
gen_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* A government credit code (11 = 机构编制, 机关) for the named authority. */
static char *
gen_gov_code(struct gen *g, const char *name, const char *division)
{
	uint64_t h = gen_hash(name);
	char org[8], code[19];
	int i, rc;

	org[0] = '0';
	org[1] = '0';
	for (i = 2; i < 8; i++) {
		org[i] = (char)('0' + h % 10);
		h /= 10;
	}
	if ((rc = gen_uscc_from(code, "11", division, org)) != 0) {
		g->err = rc;
		return (char *)"";
	}
	return gen_cat(g, code, NULL);
}

/* A resident identity number: division, birth date, sequence, check. */
static char *
gen_resident_id(struct gen *g, const char *division, uint32_t birth)
{
	char id[19];
	uint32_t seq = gen_rand_below(&g->r, 1000);
	int i;

	memcpy(id, division, 6);
	for (i = 13; i >= 6; i--) {
		id[i] = (char)('0' + birth % 10);
		birth /= 10;
	}
	id[14] = (char)('0' + seq / 100);
	id[15] = (char)('0' + seq / 10 % 10);
	id[16] = (char)('0' + seq % 10);
	id[17] = '\0';
	if ((id[17] = codes_resident_id_check(id)) == 0) {
		g->err = cx_seterr(CX_EINVAL, "identity number %.17s", id);
		return (char *)"";
	}
	id[18] = '\0';
	return gen_cat(g, id, NULL);
}

/* Birth date uniform in [from, to] (YYYYMMDD). */
static uint32_t
gen_birth(struct gen *g, uint32_t from, uint32_t to)
{
	return gen_between(g, date_days(from), date_days(to));
}

/*
 * A 15-digit business registration number (工商注册号): the division code,
 * eight digits and the GS15 check digit (ISO 7064 MOD 11,10).
 */
static char *
gen_reg_no(struct gen *g, const char *division)
{
	char no[16];
	int i, p = 10;

	memcpy(no, division, 6);
	for (i = 6; i < 14; i++)
		no[i] = (char)('0' + gen_rand_below(&g->r, 10));
	for (i = 0; i < 14; i++) {
		int s = (p + (no[i] - '0')) % 10;

		p = (s == 0 ? 10 : s) * 2 % 11;
	}
	no[14] = (char)('0' + (11 - p) % 10);
	no[15] = '\0';
	return gen_cat(g, no, NULL);
}

/* ---- people and names --------------------------------------------------- */

static char *
gen_person_name(struct gen *g)
{
	/* favour frequent surnames: square of a uniform variate */
	double u = gen_rand_double(&g->r);
	size_t si = (size_t)(u * u * (double)gen_n_surnames);
	char *s = gen_sb(g);

	if (si >= gen_n_surnames)
		si = gen_n_surnames - 1;
	gen_add(g, gen_surnames[si]);
	gen_add(g, gen_given[gen_rand_below(&g->r, (uint32_t)gen_n_given)]);
	if (gen_rand_chance(&g->r, 0.7))
		gen_add(g, gen_given[gen_rand_below(&g->r, (uint32_t)gen_n_given)]);
	return gen_end(g, s);
}

/* Place prefix of a county-level division: "杭州市西湖区", "义乌市". */
static void
gen_add_place(struct gen *g, const struct gen_city *c, const struct gen_district *d)
{
	size_t n = strlen(d->zh);

	if (strcmp(d->code, c->region) == 0 || c->ndistricts == 1) {
		gen_add(g, c->gov);
		return;
	}
	/* a county-level city ends in 市 (3 bytes in UTF-8) and stands alone */
	if (n >= 3 && strcmp(d->zh + n - 3, "市") == 0) {
		gen_add(g, d->zh);
		return;
	}
	gen_add(g, c->gov);
	gen_add(g, d->zh);
}

static void
gen_add_trade(struct gen *g)
{
	uint32_t a = gen_rand_below(&g->r, (uint32_t)gen_n_trade);
	uint32_t b = gen_rand_below(&g->r, (uint32_t)gen_n_trade - 1);

	if (b >= a)
		b++;
	gen_add(g, gen_trade[a]);
	gen_add(g, gen_trade[b]);
}

static const struct gen_district *
gen_district_of(struct gen *g, const struct gen_city *c)
{
	return &c->districts[gen_rand_below(&g->r, (uint32_t)c->ndistricts)];
}

/* ---- subjects ----------------------------------------------------------- */

static const char *const gen_social_kinds[][2] = {
	{ "51", "行业协会" }, { "51", "商会" }, { "52", "养老服务中心" },
	{ "52", "培训学校" }, { "52", "幼儿园" }, { "53", "慈善基金会" },
};

static void
gen_legal_rep(struct gen *g, Cx__Subject *s, const struct gen_city *home, int with_id)
{
	s->legal_rep = gen_person_name(g);
	if (with_id) {
		const char *div = gen_rand_chance(&g->r, 0.7) ?
		    gen_district_of(g, home)->code :
		    gen_far_divisions[gen_rand_below(&g->r, (uint32_t)gen_n_far_divisions)];

		s->legal_rep_id_type = CX__ID_TYPE__RESIDENT_ID;
		s->legal_rep_id_number = gen_resident_id(g, div, gen_birth(g, 19550101, 19981231));
	}
}

static int
gen_subject(struct gen *g, struct gen_subj *sj)
{
	static const Cx__Subject init = CX__SUBJECT__INIT;
	static const unsigned tw[GEN_S_COUNT] = { 52, 12, 3, 3, 30 };
	Cx__Subject *s;
	char *b;

	if ((s = gen_alloc(g, sizeof(*s))) == NULL)
		return CX_ENOMEM;
	*s = init;
	sj->pb = s;
	if (g->only)
		sj->home = gen_rand_chance(&g->r, 0.9) ? g->only : gen_city_weighted(g);
	else
		sj->home = gen_city_weighted(g);
	sj->dist = gen_district_of(g, sj->home);
	sj->type = (int)gen_weighted(g, tw, GEN_S_COUNT);
	sj->ind = GEN_IND_GENERAL;

	switch (sj->type) {
	case GEN_S_FIRM: {
		const struct gen_industry *in = &gen_industries[gen_rand_below(&g->r,
		    (uint32_t)gen_n_industries)];

		sj->ind = in->kind;
		s->category = CX__SUBJECT_CATEGORY__LEGAL_PERSON;
		b = gen_sb(g);
		gen_add(g, sj->home->firm);
		gen_add_trade(g);
		gen_add(g, in->zh);
		gen_add(g, gen_firm_forms[gen_rand_below(&g->r, (uint32_t)gen_n_firm_forms)]);
		s->name = gen_end(g, b);
		s->credit_code = gen_uscc(g, "91", sj->dist->code);
		gen_legal_rep(g, s, sj->home, gen_rand_chance(&g->r, 0.6));
		break;
	}
	case GEN_S_SHOP: {
		const struct gen_industry *in = &gen_shops[gen_rand_below(&g->r, (uint32_t)gen_n_shops)];
		char *owner;

		sj->ind = in->kind;
		s->category = CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS;
		owner = gen_person_name(g);
		b = gen_sb(g);
		gen_add_place(g, sj->home, sj->dist);
		if (gen_rand_chance(&g->r, 0.4)) {
			/* "王记": the surname is the owner's first character(s) */
			size_t n = strlen(owner) >= 6 && (unsigned char)owner[0] >= 0x80 ? 3 : 1;

			gen_addn(g, owner, n);
			gen_add(g, "记");
		} else {
			gen_add(g, owner);
		}
		gen_add(g, in->zh);
		s->name = gen_end(g, b);
		if (gen_rand_chance(&g->r, 0.08)) {
			s->credit_code = (char *)CODES_USCC_PLACEHOLDER;
			s->business_reg_no = gen_reg_no(g, sj->dist->code);
		} else {
			s->credit_code = gen_uscc(g, "92", sj->dist->code);
		}
		s->legal_rep = owner;
		s->legal_rep_id_type = CX__ID_TYPE__RESIDENT_ID;
		s->legal_rep_id_number = gen_resident_id(g, gen_rand_chance(&g->r, 0.6) ?
		    sj->dist->code : gen_far_divisions[gen_rand_below(&g->r,
		    (uint32_t)gen_n_far_divisions)], gen_birth(g, 19550101, 20001231));
		break;
	}
	case GEN_S_INST: {
		const char *tmpl = gen_institutions[gen_rand_below(&g->r,
		    (uint32_t)gen_n_institutions)];
		const char *pct = strchr(tmpl, '%');
		int city_level = gen_rand_chance(&g->r, 0.4);

		sj->ind = strstr(tmpl, "医") || strstr(tmpl, "疾病") || strstr(tmpl, "保健") ?
		    GEN_IND_HEALTH : GEN_IND_CULTURE;
		s->category = CX__SUBJECT_CATEGORY__LEGAL_PERSON;
		b = gen_sb(g);
		gen_addn(g, tmpl, (size_t)(pct - tmpl));
		if (city_level)
			gen_add(g, sj->home->gov);
		else
			gen_add_place(g, sj->home, sj->dist);
		gen_add(g, pct + 1);
		s->name = gen_end(g, b);
		s->credit_code = gen_uscc(g, "12", city_level ? sj->home->region : sj->dist->code);
		b = gen_sb(g);
		gen_add(g, "事证第1");
		gen_add(g, city_level ? sj->home->region : sj->dist->code);
		gen_addnum(g, gen_rand_below(&g->r, 100000), 5);
		gen_add(g, "号");
		s->institution_no = gen_end(g, b);
		gen_legal_rep(g, s, sj->home, 0);
		break;
	}
	case GEN_S_SOCIAL: {
		size_t k = gen_rand_below(&g->r, sizeof(gen_social_kinds) / sizeof(gen_social_kinds[0]));

		s->category = CX__SUBJECT_CATEGORY__LEGAL_PERSON;
		b = gen_sb(g);
		gen_add(g, sj->home->gov);
		if (k < 2)
			gen_add(g, gen_industries[gen_rand_below(&g->r, (uint32_t)gen_n_industries)].zh);
		else
			gen_add_trade(g);
		gen_add(g, gen_social_kinds[k][1]);
		s->name = gen_end(g, b);
		s->credit_code = gen_uscc(g, gen_social_kinds[k][0], sj->home->region);
		gen_legal_rep(g, s, sj->home, gen_rand_chance(&g->r, 0.3));
		sj->ind = k == 4 ? GEN_IND_CULTURE : GEN_IND_GENERAL;
		break;
	}
	default: {
		const char *div = gen_rand_chance(&g->r, 0.7) ? sj->dist->code :
		    gen_far_divisions[gen_rand_below(&g->r, (uint32_t)gen_n_far_divisions)];

		s->category = CX__SUBJECT_CATEGORY__NATURAL_PERSON;
		s->name = gen_person_name(g);
		s->id_type = CX__ID_TYPE__RESIDENT_ID;
		s->id_number = gen_resident_id(g, div, gen_birth(g, 19500101, 20051231));
		break;
	}
	}
	if (g->full)
		return CX_ENOMEM;
	return g->err;
}

/* ---- authorities -------------------------------------------------------- */

/*
 * The department dept of city c; at district level when d is not NULL (d
 * is a district of c). Returns a new Authority in the arena.
 */
static Cx__Authority *
gen_authority(struct gen *g, int dept, const struct gen_city *c, const struct gen_district *d)
{
	static const Cx__Authority init = CX__AUTHORITY__INIT;
	Cx__Authority *a = gen_alloc(g, sizeof(*a));
	const char *division = d ? d->code : c->region;
	char *b;
	int local = d != NULL;

	if (a == NULL)
		return NULL;
	*a = init;
	if (d && (strcmp(d->code, c->region) == 0 || c->ndistricts == 1))
		d = NULL;   /* Songjiang: the district is the city */
	b = gen_sb(g);
	switch (dept) {
	case GEN_D_TAX:
		gen_add(g, "国家税务总局");
		if (d)
			gen_add_place(g, c, d);
		else
			gen_add(g, c->gov);
		gen_add(g, "税务局");
		break;
	case GEN_D_FIRE:
		if (d) {
			gen_add_place(g, c, d);
			gen_add(g, "消防救援大队");
		} else {
			gen_add(g, c->gov);
			gen_add(g, "消防救援支队");
		}
		break;
	case GEN_D_POLICE:
		if (d && strcmp(d->zh + strlen(d->zh) - 3, "市") != 0) {
			gen_add(g, c->gov);
			gen_add(g, "公安局");
			gen_add(g, d->zh);
			gen_add(g, "分局");
		} else {
			if (d)
				gen_add(g, d->zh);
			else
				gen_add(g, c->gov);
			gen_add(g, "公安局");
		}
		break;
	case GEN_D_COURT:
		/* a basic court of the district (Songjiang's is the city's own) */
		if (local) {
			if (d)
				gen_add_place(g, c, d);
			else
				gen_add(g, c->gov);
			gen_add(g, "人民法院");
		} else {
			gen_add(g, c->icourt);
		}
		break;
	default:
		if (d)
			gen_add_place(g, c, d);
		else
			gen_add(g, c->gov);
		gen_add(g, gen_depts[dept].suffix);
		break;
	}
	a->name = gen_end(g, b);
	a->credit_code = gen_gov_code(g, a->name, division);
	return a;
}

/*
 * Set r's deciding authority (department dept of city c, at district d's
 * level when d is not NULL) and its data source (数据来源单位): for a
 * district decision, often the city-level department that reports it;
 * otherwise absent, meaning the authority itself.
 */
static void
gen_decider(struct gen *g, Cx__Record *r, int dept, const struct gen_city *c,
    const struct gen_district *d)
{
	r->authority = gen_authority(g, dept, c, d);
	if (d && strcmp(d->code, c->region) != 0 && c->ndistricts > 1 &&
	    gen_rand_chance(&g->r, 0.6))
		r->source = gen_authority(g, dept, c, NULL);
}

/* A district of c for a subject: its own when it lives there, else any. */
static const struct gen_district *
gen_local(struct gen *g, const struct gen_subj *sj, const struct gen_city *c)
{
	if (sj->home == c && gen_rand_chance(&g->r, 0.7))
		return sj->dist;
	return gen_district_of(g, c);
}

/* A document number: "杭市监罚〔2024〕1234号". */
static char *
gen_docno(struct gen *g, const struct gen_city *c, int dept, const char *word, uint32_t date)
{
	char *b = gen_sb(g);

	gen_add(g, c->abbr);
	gen_add(g, gen_depts[dept].doc);
	gen_add(g, word);
	gen_add(g, "〔");
	gen_addnum(g, gen_year(date), 4);
	gen_add(g, "〕");
	gen_addnum(g, 1 + gen_rand_below(&g->r, 3000), 0);
	gen_add(g, "号");
	return gen_end(g, b);
}

/* ---- records ------------------------------------------------------------ */

/* A new record of kind for subject sj, issued in city c on date d. */
static Cx__Record *
gen_record(struct gen *g, int kind, const struct gen_subj *sj, const struct gen_city *c,
    uint32_t d)
{
	static const Cx__Record init = CX__RECORD__INIT;
	Cx__Record *r;
	size_t ci = gen_city_index(c);
	char *b;

	if (g->nrec >= GEN_MAXREC || (r = gen_alloc(g, sizeof(*r))) == NULL) {
		g->full = 1;
		return NULL;
	}
	*r = init;
	r->schema = 1;
	r->issuer = (char *)(g->o->issuer ? g->o->issuer : c->id);
	r->region = (char *)c->region;
	r->kind = (Cx__RecordKind)kind;
	b = gen_sb(g);
	gen_add(g, c->region);
	gen_addn(g, "-", 1);
	gen_addn(g, &gen_kind_letter[kind], 1);
	gen_addn(g, "-", 1);
	gen_addnum(g, ++g->seq[ci][kind], 9);
	r->record_id = gen_end(g, b);
	r->subject = sj->pb;
	r->decision_date = d;
	r->publication_start = d;
	g->rec[g->nrec] = r;
	g->rcity[g->nrec] = c;
	g->nrec++;
	return r;
}

/* Set the publicity window the rules give r. */
static void
gen_window(struct gen *g, Cx__Record *r)
{
	struct rules_window w;
	int rc;

	if ((rc = rules_publicity(&w, r)) != 0) {
		g->err = rc;
		return;
	}
	if (!w.publish) {
		/* Order 36 minor: not published, a zero-length window */
		r->publicity_min_end = 0;
		r->publicity_max_end = r->publication_start;
		return;
	}
	r->publicity_min_end = w.min_end;
	r->publicity_max_end = w.max_end;
}

/* Publication 0..5 days after the decision (within 7 working days). */
static void
gen_publish(struct gen *g, Cx__Record *r)
{
	r->publication_start = gen_upto_today(g, r->decision_date,
	    (int32_t)gen_rand_below(&g->r, 6));
}

static int
gen_has(const Cx__Penalty *p, int t)
{
	size_t i;

	for (i = 0; i < p->n_types; i++)
		if ((int)p->types[i] == t)
			return 1;
	return 0;
}

/* CF_NR: "1.警告；2.罚款人民币5000元". */
static char *
gen_penalty_content(struct gen *g, const Cx__Penalty *p)
{
	char *b = gen_sb(g);
	size_t i;
	int conf_done = 0;

	for (i = 0; i < p->n_types; i++) {
		int t = (int)p->types[i];

		if (i)
			gen_add(g, "；");
		if (p->n_types > 1) {
			gen_addnum(g, i + 1, 0);
			gen_add(g, ".");
		}
		gen_add(g, rules_penalty_type_zh(t));
		if (t == CX__PENALTY_TYPE__FINE) {
			gen_add(g, "人民币");
			gen_addnum(g, (uint64_t)p->fine_fen / 100, 0);
			gen_add(g, "元");
		} else if ((t == CX__PENALTY_TYPE__CONFISCATE_GAINS ||
		    t == CX__PENALTY_TYPE__CONFISCATE_PROPERTY) && !conf_done) {
			gen_add(g, "人民币");
			gen_addnum(g, (uint64_t)p->confiscated_fen / 100, 0);
			gen_add(g, "元");
			conf_done = 1;
		} else if (t == CX__PENALTY_TYPE__DETENTION) {
			gen_addnum(g, 3 + gen_rand_below(&g->r, 8), 0);
			gen_add(g, "日");
		}
	}
	return gen_end(g, b);
}

static int
gen_violation_fits(const struct gen_violation *v, const struct gen_subj *sj)
{
	if (sj->type == GEN_S_PERSON)
		return v->industry == -2;
	if (v->industry == -2)
		return 0;
	return v->industry == -1 || v->industry == sj->ind;
}

/* Expand a licence-number pattern (tables.h). */
static char *
gen_licence_no(struct gen *g, const char *pat, const struct gen_city *c,
    const struct gen_district *d, const Cx__Subject *s, uint32_t date)
{
	char *b = gen_sb(g);
	const char *p;

	for (p = pat; *p; p++) {
		if (*p != '%' || p[1] == '\0') {
			gen_addn(g, p, 1);
			continue;
		}
		switch (*++p) {
		case 'd': gen_add(g, d->code); break;
		case 'y': gen_addnum(g, gen_year(date), 4); break;
		case 'p': gen_add(g, c->prov); break;
		case 'a': gen_add(g, c->abbr); break;
		case 'c':
			gen_add(g, codes_uscc_placeholder(s->credit_code) ? s->business_reg_no :
			    s->credit_code);
			break;
		case 'n': gen_addnum(g, gen_rand_below(&g->r, 10), 0); break;
		default: gen_addn(g, p, 1); break;
		}
	}
	return gen_end(g, b);
}

static Cx__Record *
gen_penalty(struct gen *g, const struct gen_subj *sj, const struct gen_city *c)
{
	static const Cx__Penalty init = CX__PENALTY__INIT;
	const struct gen_violation *v = NULL;
	const struct gen_district *d;
	Cx__Record *r;
	Cx__Penalty *p;
	size_t i, ncombo = 0;
	const unsigned char *combo;
	uint64_t fine = 0;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		const struct gen_violation *x = &gen_violations[gen_rand_below(&g->r,
		    (uint32_t)gen_n_violations)];

		if (!gen_violation_fits(x, sj))
			continue;
		v = x;
		/* an industry-specific violation is twice as likely as a generic one */
		if (x->industry >= 0 || tries > 0)
			break;
	}
	if (v == NULL)
		return NULL;
	if ((r = gen_record(g, CX__RECORD_KIND__PENALTY, sj, c, gen_decision(g))) == NULL)
		return NULL;
	if ((p = gen_alloc(g, sizeof(*p))) == NULL)
		return NULL;
	*p = init;
	r->body_case = CX__RECORD__BODY_PENALTY;
	r->penalty = p;
	d = gen_local(g, sj, c);
	gen_decider(g, r, v->dept, c, gen_rand_chance(&g->r, 0.55) ? d : NULL);
	r->sector = (char *)v->sector;
	gen_publish(g, r);

	while (ncombo < 4 && v->combos[ncombo][0])
		ncombo++;
	combo = v->combos[gen_rand_below(&g->r, (uint32_t)ncombo)];
	for (i = 0; i < 4 && combo[i]; i++)
		;
	p->n_types = i;
	if ((p->types = gen_alloc(g, i * sizeof(*p->types))) == NULL)
		return NULL;
	for (i = 0; i < p->n_types; i++)
		p->types[i] = (Cx__PenaltyType)combo[i];
	if (gen_has(p, CX__PENALTY_TYPE__FINE)) {
		fine = gen_amount(g, v->fine_lo, v->fine_hi);
		p->fine_fen = (int64_t)fine * 100;
	}
	if (gen_has(p, CX__PENALTY_TYPE__CONFISCATE_GAINS) ||
	    gen_has(p, CX__PENALTY_TYPE__CONFISCATE_PROPERTY))
		p->confiscated_fen = (int64_t)gen_amount(g, 300, v->fine_hi / 2 + 1000) * 100;
	p->decision_no = gen_docno(g, c, v->dept, "罚", r->decision_date);
	p->violation_type = (char *)v->type;
	p->facts = gen_fill(g, v->facts, gen_amount(g, 800, 20 * (uint64_t)v->fine_hi / 10 + 1000),
	    2 + gen_rand_below(&g->r, 29));
	p->basis = (char *)v->basis;
	p->content = gen_penalty_content(g, p);
	if (gen_has(p, CX__PENALTY_TYPE__SUSPEND_LICENCE) ||
	    gen_has(p, CX__PENALTY_TYPE__REVOKE_LICENCE)) {
		char *b = gen_sb(g);

		gen_add(g, v->licence ? v->licence : "相关许可证件");
		gen_add(g, "（编号");
		gen_add(g, c->abbr);
		gen_addnum(g, gen_rand_below(&g->r, 1000000), 6);
		gen_add(g, "）");
		p->licence_affected = gen_end(g, b);
	}
	/* severity: by the heaviest measure and the size of the fine */
	if (gen_has(p, CX__PENALTY_TYPE__REVOKE_LICENCE) || gen_has(p, CX__PENALTY_TYPE__DETENTION) ||
	    gen_has(p, CX__PENALTY_TYPE__ORDER_CLOSURE) || fine >= 200000)
		r->severity = CX__SEVERITY__SERIOUS;
	else if ((p->n_types == 1 && (p->types[0] == CX__PENALTY_TYPE__WARNING ||
	    p->types[0] == CX__PENALTY_TYPE__CIRCULATED_CRITICISM)) || (fine && fine < 1000))
		r->severity = CX__SEVERITY__MINOR;
	else
		r->severity = CX__SEVERITY__GENERAL;
	gen_window(g, r);
	return r;
}

static int
gen_licence_fits(const struct gen_licence *l, const struct gen_subj *sj)
{
	switch (sj->type) {
	case GEN_S_SHOP:
		return l->industry == -3 || l->industry == -1 || l->industry == sj->ind;
	case GEN_S_FIRM:
		return l->industry == -1 || l->industry == sj->ind;
	case GEN_S_INST:
	case GEN_S_SOCIAL:
		return l->industry == sj->ind || l->dept == GEN_D_FIRE;
	default:
		return 0;
	}
}

static Cx__Record *
gen_licence(struct gen *g, const struct gen_subj *sj, const struct gen_city *c)
{
	static const Cx__Licence init = CX__LICENCE__INIT;
	const struct gen_licence *l = NULL;
	const struct gen_district *d;
	Cx__Record *r;
	Cx__Licence *x;
	int tries;

	for (tries = 0; tries < 64 && l == NULL; tries++) {
		const struct gen_licence *y = &gen_licences[gen_rand_below(&g->r,
		    (uint32_t)gen_n_licences)];

		if (gen_licence_fits(y, sj))
			l = y;
	}
	if (l == NULL)
		return NULL;
	if ((r = gen_record(g, CX__RECORD_KIND__LICENCE, sj, c, gen_decision(g))) == NULL ||
	    (x = gen_alloc(g, sizeof(*x))) == NULL)
		return NULL;
	*x = init;
	r->body_case = CX__RECORD__BODY_LICENCE;
	r->licence = x;
	d = gen_local(g, sj, c);
	gen_decider(g, r, l->dept, c, gen_rand_chance(&g->r, 0.6) ? d : NULL);
	r->sector = (char *)l->sector;
	gen_publish(g, r);
	x->document_name = (char *)(l->type == CX__LICENCE_TYPE__REGISTRATION ?
	    "准予登记通知书" : "准予行政许可决定书");
	x->decision_no = gen_docno(g, c, l->dept, "许", r->decision_date);
	x->type = (Cx__LicenceType)l->type;
	x->certificate_name = (char *)l->cert;
	x->licence_no = gen_licence_no(g, l->no, c, d, sj->pb, r->decision_date);
	x->content = (char *)l->content;
	x->valid_from = r->decision_date;
	if (l->years)
		x->valid_until = date_add_days(date_add_months(r->decision_date, 12 * l->years), -1);
	x->state = (char *)(x->valid_until && x->valid_until < g->today ? "已过期" : "有效");
	gen_window(g, r);
	return r;
}

/* Up to max measures of list (NULL-terminated), at least min, in order. */
static void
gen_measures(struct gen *g, Cx__ListEntry *e, const char *const *list, size_t n, size_t min)
{
	size_t i, k = 0;

	if ((e->measures = gen_alloc(g, n * sizeof(char *))) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (i < min || gen_rand_chance(&g->r, 0.6))
			e->measures[k++] = (char *)list[i];
	e->n_measures = k;
}

static size_t
gen_count(const char *const *list, size_t cap)
{
	size_t n = 0;

	while (n < cap && list[n])
		n++;
	return n;
}

static Cx__Record *
gen_list(struct gen *g, const struct gen_subj *sj, const struct gen_city *c, int red)
{
	static const Cx__ListEntry init = CX__LIST_ENTRY__INIT;
	const struct gen_list *l = red ? &gen_red[gen_rand_below(&g->r, (uint32_t)gen_n_red)] :
	    &gen_black[gen_rand_below(&g->r, (uint32_t)gen_n_black)];
	Cx__Record *r;
	Cx__ListEntry *e;

	if ((r = gen_record(g, red ? CX__RECORD_KIND__RED_LIST : CX__RECORD_KIND__DISHONEST_LIST,
	    sj, c, gen_decision(g))) == NULL || (e = gen_alloc(g, sizeof(*e))) == NULL)
		return NULL;
	*e = init;
	r->body_case = CX__RECORD__BODY_LIST_ENTRY;
	r->list_entry = e;
	gen_decider(g, r, l->dept, c, NULL);
	r->sector = (char *)l->sector;
	r->severity = red ? CX__SEVERITY__SEVERITY_UNSPECIFIED : CX__SEVERITY__SERIOUS;
	gen_publish(g, r);
	e->list_type = (char *)l->type;
	e->reason = (char *)l->reason;
	e->legal_basis = (char *)l->basis;
	gen_measures(g, e, l->measures, gen_count(l->measures, 5), 1);
	e->decision_no = gen_docno(g, c, l->dept, red ? "信激" : "失信", r->decision_date);
	gen_window(g, r);
	return r;
}

static Cx__Record *
gen_debtor(struct gen *g, const struct gen_subj *sj, const struct gen_city *c)
{
	static const Cx__ListEntry init = CX__LIST_ENTRY__INIT;
	const struct gen_district *d = gen_local(g, sj, c);
	int inter = c->court2 && gen_rand_chance(&g->r, 0.15);
	uint32_t dd = gen_decision(g), year = gen_year(dd);
	size_t k = gen_rand_below(&g->r, (uint32_t)gen_n_debtor_reasons);
	Cx__Record *r;
	Cx__ListEntry *e;
	char *b;

	if ((r = gen_record(g, CX__RECORD_KIND__DISHONEST_DEBTOR, sj, c, dd)) == NULL ||
	    (e = gen_alloc(g, sizeof(*e))) == NULL)
		return NULL;
	*e = init;
	r->body_case = CX__RECORD__BODY_LIST_ENTRY;
	r->list_entry = e;
	gen_decider(g, r, GEN_D_COURT, c, inter ? NULL : d);
	r->sector = (char *)"court";
	r->severity = CX__SEVERITY__SERIOUS;
	/* a court may grant a grace period before publishing (宽限期) */
	if (gen_rand_chance(&g->r, 0.25))
		r->publication_start = gen_upto_today(g, dd, 10 + (int32_t)gen_rand_below(&g->r, 21));
	else
		gen_publish(g, r);
	e->list_type = (char *)"失信被执行人名单";
	e->reason = (char *)gen_debtor_reasons[k][0];
	e->legal_basis = (char *)gen_debtor_reasons[k][1];
	gen_measures(g, e, gen_debtor_measures, gen_n_debtor_measures, 1);
	/* case number: （2024）浙0106执1234号 */
	if (dd % 10000 < 400 && gen_rand_chance(&g->r, 0.5))
		year--;
	b = gen_sb(g);
	gen_add(g, "（");
	gen_addnum(g, year, 4);
	gen_add(g, "）");
	gen_add(g, c->prov);
	if (inter || strcmp(d->code, c->region) == 0)
		gen_add(g, inter ? c->court2 : d->code + 2);
	else
		gen_add(g, d->code + 2);
	gen_add(g, "执");
	gen_addnum(g, 1 + gen_rand_below(&g->r, 12000), 0);
	gen_add(g, "号");
	e->decision_no = gen_end(g, b);
	e->court = r->authority->name;
	e->obligation = gen_fill(g, gen_debts[gen_rand_below(&g->r, (uint32_t)gen_n_debts)],
	    gen_amount(g, 5000, sj->type == GEN_S_PERSON ? 500000 : 3000000), 0);
	e->performance = (char *)(gen_rand_chance(&g->r, 0.8) ? "全部未履行" : "部分未履行");
	gen_window(g, r);
	return r;
}

/* Evaluation grades: the scale's four grades, best first, and their scores. */
static const char *const gen_scales[3][4] = {
	[GEN_SCALE_ABCD] = { "A", "B", "C", "D" },
	[GEN_SCALE_YOU] = { "优", "良", "中", "差" },
	[GEN_SCALE_AAA] = { "AAA", "AA", "A", "B" },
};

/* Score text with one decimal in [lo, hi) tenths. */
static char *
gen_score(struct gen *g, uint32_t lo, uint32_t hi)
{
	uint32_t v = lo + gen_rand_below(&g->r, hi - lo);
	char *b = gen_sb(g);

	gen_addnum(g, v / 10, 0);
	gen_add(g, ".");
	gen_addnum(g, v % 10, 0);
	return gen_end(g, b);
}

static Cx__Record *
gen_evaluation(struct gen *g, const struct gen_subj *sj, const struct gen_city *c)
{
	static const Cx__Evaluation init = CX__EVALUATION__INIT;
	static const unsigned city_w[4] = { 15, 55, 22, 8 };
	static const uint32_t band[4][2] = { { 900, 1000 }, { 750, 900 }, { 600, 750 }, { 400, 600 } };
	Cx__Record *r;
	Cx__Evaluation *e;
	uint32_t dd;
	int tax = sj->type != GEN_S_PERSON && gen_rand_chance(&g->r, 0.35);
	char *b;

	if (tax) {
		/* the tax credit grade is published each April for the year before */
		uint32_t ty = gen_year(g->today), y0 = gen_year(date_from_days(g->t0));
		uint32_t y;

		if (g->today < ty * 10000 + 430)
			ty--;
		if (ty < y0)
			ty = y0;
		y = y0 + gen_rand_below(&g->r, ty - y0 + 1);
		dd = y * 10000 + 401 + gen_rand_below(&g->r, 29);
		if (dd > g->today || date_days(dd) < g->t0)
			dd = gen_decision(g);
	} else {
		dd = gen_decision(g);
	}
	if ((r = gen_record(g, CX__RECORD_KIND__EVALUATION, sj, c, dd)) == NULL ||
	    (e = gen_alloc(g, sizeof(*e))) == NULL)
		return NULL;
	*e = init;
	r->body_case = CX__RECORD__BODY_EVALUATION;
	r->evaluation = e;
	gen_publish(g, r);
	e->valid_from = dd;
	if (tax) {
		static const char *const grades[5] = { "A", "B", "M", "C", "D" };
		static const unsigned w[5] = { 15, 50, 20, 10, 5 };
		static const uint32_t tb[5][2] = { { 900, 1000 }, { 700, 900 }, { 0, 0 },
			{ 400, 700 }, { 100, 400 } };
		size_t k = gen_weighted(g, w, 5);

		gen_decider(g, r, GEN_D_TAX, c, NULL);
		r->sector = (char *)"tax";
		e->scheme = (char *)"纳税信用等级评价";
		e->grade = (char *)grades[k];
		if (tb[k][1])
			e->score = gen_score(g, tb[k][0], tb[k][1]);
		b = gen_sb(g);
		gen_add(g, "TCE-");
		gen_addnum(g, gen_year(dd) - 1, 4);
		e->model_version = gen_end(g, b);
		e->valid_until = (gen_year(dd) + 1) * 10000 + 430;
	} else {
		size_t k = gen_weighted(g, city_w, 4);

		gen_decider(g, r, GEN_D_NDRC, c, NULL);
		r->sector = (char *)"other";
		e->scheme = gen_cat(g, c->gov, "公共信用综合评价", NULL);
		e->grade = (char *)gen_scales[c->scale][k];
		e->score = gen_score(g, band[k][0], band[k][1]);
		b = gen_sb(g);
		gen_add(g, c->model);
		gen_add(g, " v");
		gen_addnum(g, gen_year(dd) - 2019, 0);
		gen_add(g, dd % 10000 < 701 ? ".0" : ".1");
		e->model_version = gen_end(g, b);
		e->valid_until = date_add_days(date_add_months(dd, 12), -1);
	}
	gen_window(g, r);
	return r;
}

static const char *const gen_commit_text[] = {
	"本单位（本人）承诺所提交材料真实、准确、完整，严格遵守相关法律法规，如违反承诺，自愿接受相关部门依法作出的处理并承担相应法律责任",
	"承诺在规定期限内补齐所缺材料并符合许可条件，逾期未补齐或不符合条件的，自愿接受撤销许可等处理",
	"承诺依法诚信经营，自觉接受政府、行业组织、社会公众、新闻舆论的监督",
};

static Cx__Record *
gen_commitment(struct gen *g, const struct gen_subj *sj, const struct gen_city *c)
{
	static const Cx__Commitment init = CX__COMMITMENT__INIT;
	const struct gen_commit *m = &gen_commits[gen_rand_below(&g->r, (uint32_t)gen_n_commits)];
	Cx__Record *r;
	Cx__Commitment *x;

	if ((r = gen_record(g, CX__RECORD_KIND__COMMITMENT, sj, c, gen_decision(g))) == NULL ||
	    (x = gen_alloc(g, sizeof(*x))) == NULL)
		return NULL;
	*x = init;
	r->body_case = CX__RECORD__BODY_COMMITMENT;
	r->commitment = x;
	r->authority = gen_authority(g, m->dept, c,
	    gen_rand_chance(&g->r, 0.5) ? gen_local(g, sj, c) : NULL);
	r->sector = (char *)gen_depts[m->dept].sector;
	gen_publish(g, r);
	x->commitment_type = (char *)m->type;
	x->matter = (char *)m->matter;
	x->content = (char *)GEN_PICK(g, gen_commit_text);
	x->valid_from = r->decision_date;
	x->valid_until = date_add_days(date_add_months(r->decision_date,
	    gen_rand_chance(&g->r, 0.7) ? 12 : 24), -1);
	gen_window(g, r);
	return r;
}

static Cx__Ref *
gen_ref(struct gen *g, const Cx__Record *target)
{
	static const Cx__Ref init = CX__REF__INIT;
	Cx__Ref *ref = gen_alloc(g, sizeof(*ref));

	if (ref == NULL)
		return NULL;
	*ref = init;
	ref->record_id = target->record_id;
	return ref;
}

/* The outcome of commitment cm (record index ci), or NULL (no room). */
static Cx__Record *
gen_outcome(struct gen *g, const struct gen_subj *sj, size_t ci)
{
	static const Cx__CommitmentOutcome init = CX__COMMITMENT_OUTCOME__INIT;
	const Cx__Record *cm = g->rec[ci];
	const struct gen_city *c = g->rcity[ci];
	int32_t from = date_days(cm->decision_date) + 20, to;
	Cx__Record *r;
	Cx__CommitmentOutcome *o;
	uint32_t until = cm->commitment->valid_until;

	to = date_days(until) + 30;
	if (to > g->tday)
		to = g->tday;
	if (from > to)
		return NULL;
	if ((r = gen_record(g, CX__RECORD_KIND__COMMITMENT_OUTCOME, sj, c,
	    gen_between(g, from, to))) == NULL || (o = gen_alloc(g, sizeof(*o))) == NULL)
		return NULL;
	*o = init;
	r->body_case = CX__RECORD__BODY_OUTCOME;
	r->outcome = o;
	r->authority = cm->authority;
	r->source = cm->source;
	r->sector = cm->sector;
	gen_publish(g, r);
	o->commitment = gen_ref(g, cm);
	o->fulfilled = gen_rand_chance(&g->r, 0.85);
	if (o->fulfilled) {
		o->description = (char *)"经核查，承诺事项已全部履行";
	} else {
		r->severity = CX__SEVERITY__GENERAL;
		o->description = (char *)(gen_rand_chance(&g->r, 0.5) ?
		    "经核查，承诺人提交的材料与实际情况不符，违反承诺" :
		    "承诺人未在承诺期限内补齐材料或达到许可条件，违反承诺");
	}
	gen_window(g, r);
	return r;
}

static Cx__Record *
gen_admin(struct gen *g, const struct gen_subj *sj, const struct gen_city *c, int kind)
{
	static const Cx__AdminAction init = CX__ADMIN_ACTION__INIT;
	static const char *const words[] = { "强", "奖", "确", "裁", "检" };
	const struct gen_admin *a = NULL;
	Cx__Record *r;
	Cx__AdminAction *x;
	size_t i, n = 0, pick;

	for (i = 0; i < gen_n_admins; i++)
		if ((int)gen_admins[i].kind == kind && (sj->type != GEN_S_PERSON || gen_admins[i].persons))
			n++;
	if (n == 0)
		return NULL;
	pick = gen_rand_below(&g->r, (uint32_t)n);
	for (i = 0; i < gen_n_admins; i++)
		if ((int)gen_admins[i].kind == kind && (sj->type != GEN_S_PERSON || gen_admins[i].persons) &&
		    pick-- == 0) {
			a = &gen_admins[i];
			break;
		}
	if ((r = gen_record(g, kind, sj, c, gen_decision(g))) == NULL ||
	    (x = gen_alloc(g, sizeof(*x))) == NULL)
		return NULL;
	*x = init;
	r->body_case = CX__RECORD__BODY_ADMIN;
	r->admin = x;
	gen_decider(g, r, a->dept, c,
	    gen_rand_chance(&g->r, 0.5) ? gen_local(g, sj, c) : NULL);
	r->sector = (char *)gen_depts[a->dept].sector;
	gen_publish(g, r);
	x->decision_no = gen_docno(g, c, a->dept, words[kind - CX__RECORD_KIND__COERCION],
	    r->decision_date);
	x->action_type = (char *)a->type;
	x->content = gen_fill(g, a->content, gen_amount(g, 1000, 500000),
	    2 + gen_rand_below(&g->r, 40));
	x->basis = (char *)a->basis;
	x->result = (char *)a->results[gen_rand_below(&g->r,
	    (uint32_t)gen_count(a->results, 3))];
	gen_window(g, r);
	return r;
}

/* ---- status changes ----------------------------------------------------- */

static const char *
gen_repair_basis(uint32_t eff)
{
	return eff >= RULES_ORDER36_FROM ? "《信用修复管理办法》（国家发展改革委令第36号）" :
	    eff >= RULES_ORDER58_FROM ?
	    "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）" :
	    "《关于进一步完善“信用中国”网站及地方信用门户网站行政处罚信息信用修复机制的通知》";
}

/* A shallow copy of target with one correction applied (same record_id). */
static Cx__Record *
gen_corrected(struct gen *g, const Cx__Record *t)
{
	Cx__Record *rep = gen_alloc(g, sizeof(*rep));
	const char *what = "更正决定文书号";

	if (rep == NULL)
		return NULL;
	*rep = *t;
	switch (t->body_case) {
	case CX__RECORD__BODY_PENALTY: {
		Cx__Penalty *p = gen_alloc(g, sizeof(*p));

		if (p == NULL)
			return NULL;
		*p = *t->penalty;
		rep->penalty = p;
		if (p->fine_fen > 0) {
			/* a mistyped amount: off by a digit or a share */
			int64_t f = p->fine_fen / 100;

			f = gen_rand_chance(&g->r, 0.5) ? f + f / 10 + 100 : (f > 1000 ? f - f / 5 : f + 500);
			p->fine_fen = f / 10 * 1000;
			if (p->fine_fen <= 0)
				p->fine_fen = 10000;
			p->content = gen_penalty_content(g, p);
			what = "更正罚款金额";
		} else {
			p->facts = gen_cat(g, p->facts, "（经复核，违法事实表述予以更正）", NULL);
			what = "更正违法事实表述";
		}
		break;
	}
	case CX__RECORD__BODY_LICENCE: {
		Cx__Licence *l = gen_alloc(g, sizeof(*l));

		if (l == NULL)
			return NULL;
		*l = *t->licence;
		rep->licence = l;
		if (l->valid_until) {
			l->valid_until = date_add_days(date_add_months(l->valid_from, 60), -1);
			what = "更正许可有效期";
		} else {
			l->licence_no = gen_cat(g, l->licence_no, "-1", NULL);
			what = "更正许可编号";
		}
		l->state = (char *)(l->valid_until && l->valid_until < g->today ? "已过期" : "有效");
		break;
	}
	case CX__RECORD__BODY_LIST_ENTRY: {
		Cx__ListEntry *e = gen_alloc(g, sizeof(*e));

		if (e == NULL)
			return NULL;
		*e = *t->list_entry;
		rep->list_entry = e;
		e->decision_no = gen_cat(g, e->decision_no, "之一", NULL);
		break;
	}
	case CX__RECORD__BODY_EVALUATION: {
		Cx__Evaluation *e = gen_alloc(g, sizeof(*e));

		if (e == NULL)
			return NULL;
		*e = *t->evaluation;
		rep->evaluation = e;
		e->model_version = gen_cat(g, e->model_version, "-r1", NULL);
		what = "更正评价模型版本";
		break;
	}
	case CX__RECORD__BODY_COMMITMENT: {
		Cx__Commitment *m = gen_alloc(g, sizeof(*m));

		if (m == NULL)
			return NULL;
		*m = *t->commitment;
		rep->commitment = m;
		m->valid_until = date_add_days(date_add_months(m->valid_from, 24), -1);
		what = "更正承诺有效期";
		break;
	}
	case CX__RECORD__BODY_OUTCOME: {
		Cx__CommitmentOutcome *o = gen_alloc(g, sizeof(*o));

		if (o == NULL)
			return NULL;
		*o = *t->outcome;
		rep->outcome = o;
		o->description = gen_cat(g, o->description, "（经复核更正）", NULL);
		what = "更正核查情况表述";
		break;
	}
	case CX__RECORD__BODY_ADMIN: {
		Cx__AdminAction *a = gen_alloc(g, sizeof(*a));

		if (a == NULL)
			return NULL;
		*a = *t->admin;
		rep->admin = a;
		a->decision_no = gen_cat(g, a->decision_no, "之一", NULL);
		break;
	}
	default:
		return NULL;
	}
	rep->remark = (char *)what;
	gen_window(g, rep);
	return rep;
}

/* Which change types apply to a kind, with weights (REPAIR, REMOVAL,
 * CORRECTION, WITHDRAWAL). */
static void
gen_change_weights(const Cx__Record *t, unsigned w[4])
{
	memset(w, 0, 4 * sizeof(w[0]));
	switch (t->kind) {
	case CX__RECORD_KIND__PENALTY:
		w[0] = 60, w[2] = 25, w[3] = 15;
		break;
	case CX__RECORD_KIND__DISHONEST_LIST:
		w[0] = 25, w[1] = 60, w[2] = 15;
		break;
	case CX__RECORD_KIND__DISHONEST_DEBTOR:
		w[1] = 85, w[2] = 15;
		break;
	case CX__RECORD_KIND__RED_LIST:
		w[1] = 60, w[2] = 40;
		break;
	case CX__RECORD_KIND__COMMITMENT_OUTCOME:
		if (!t->outcome->fulfilled)
			w[0] = 80;
		w[2] = 20;
		break;
	case CX__RECORD_KIND__COERCION:
	case CX__RECORD_KIND__INSPECTION:
		w[0] = 30, w[2] = 50, w[3] = 20;
		break;
	case CX__RECORD_KIND__LICENCE:
		w[2] = 60, w[3] = 40;
		break;
	default:
		w[2] = 70, w[3] = 30;
		break;
	}
}

/*
 * A status change of record index ti, or NULL when no date fits (the
 * target was decided too recently). Returns NULL with g->err/full set on
 * failure.
 */
static Cx__Record *
gen_change(struct gen *g, size_t ti)
{
	static const Cx__StatusChange init = CX__STATUS_CHANGE__INIT;
	static const int types[4] = { CX__CHANGE_TYPE__REPAIR, CX__CHANGE_TYPE__REMOVAL,
		CX__CHANGE_TYPE__CORRECTION, CX__CHANGE_TYPE__WITHDRAWAL };
	const Cx__Record *t = g->rec[ti];
	const struct gen_city *c = g->rcity[ti];
	struct gen_subj sj;
	int32_t dd = date_days(t->decision_date), lo, hi;
	unsigned w[4];
	Cx__Record *r;
	Cx__StatusChange *ch;
	size_t k;
	uint32_t eff;

	gen_change_weights(t, w);
	k = gen_weighted(g, w, 4);
	switch (types[k]) {
	case CX__CHANGE_TYPE__REPAIR:
		/* repair may be asked for once the minimum period has passed */
		lo = t->publicity_min_end ? date_days(t->publicity_min_end) : dd + 30;
		hi = lo + 400;
		break;
	case CX__CHANGE_TYPE__REMOVAL:
		lo = dd + 30;
		hi = dd + 900;
		break;
	case CX__CHANGE_TYPE__CORRECTION:
		lo = dd + 1;
		hi = dd + 90;
		break;
	default:
		lo = dd + 15;
		hi = dd + 365;
		break;
	}
	if (hi > g->tday)
		hi = g->tday;
	if (lo > hi)
		return NULL;
	eff = gen_between(g, lo, hi);
	memset(&sj, 0, sizeof(sj));
	sj.pb = t->subject;
	if ((r = gen_record(g, CX__RECORD_KIND__STATUS_CHANGE, &sj, c, eff)) == NULL ||
	    (ch = gen_alloc(g, sizeof(*ch))) == NULL)
		return NULL;
	*ch = init;
	r->body_case = CX__RECORD__BODY_CHANGE;
	r->change = ch;
	r->authority = t->authority;
	r->source = t->source;
	r->sector = t->sector;
	ch->type = (Cx__ChangeType)types[k];
	ch->target = gen_ref(g, t);
	ch->effective_date = eff;
	switch (ch->type) {
	case CX__CHANGE_TYPE__REPAIR:
		ch->reason = (char *)(t->kind == CX__RECORD_KIND__PENALTY ?
		    "当事人已履行行政处罚决定，主动消除不良影响，作出信用承诺，准予信用修复" :
		    "当事人已纠正失信行为并履行相关义务，准予信用修复");
		ch->basis = (char *)gen_repair_basis(eff);
		ch->decision_no = gen_docno(g, c, GEN_D_NDRC, "信修", eff);
		break;
	case CX__CHANGE_TYPE__REMOVAL:
		if (t->kind == CX__RECORD_KIND__DISHONEST_DEBTOR) {
			ch->reason = (char *)"被执行人已履行生效法律文书确定的义务";
			ch->basis = (char *)"《最高人民法院关于公布失信被执行人名单信息的若干规定》第十条第一款第（一）项";
			ch->decision_no = gen_cat(g, t->list_entry->decision_no, "之一", NULL);
		} else if (t->kind == CX__RECORD_KIND__RED_LIST) {
			ch->reason = (char *)"发生失信行为，不再符合守信激励条件";
			ch->basis = (char *)t->list_entry->legal_basis;
			ch->decision_no = gen_docno(g, c, GEN_D_NDRC, "移", eff);
		} else {
			ch->reason = (char *)"名单管理期限届满前已纠正失信行为，经申请移出名单";
			ch->basis = (char *)t->list_entry->legal_basis;
			ch->decision_no = gen_docno(g, c, GEN_D_NDRC, "移", eff);
		}
		break;
	case CX__CHANGE_TYPE__CORRECTION:
		ch->reason = (char *)"原公示信息填报有误，经核实予以更正";
		ch->basis = (char *)"《中华人民共和国政府信息公开条例》第四十一条";
		if ((ch->replacement = gen_corrected(g, t)) == NULL)
			return NULL;
		break;
	default:
		ch->reason = (char *)(t->kind == CX__RECORD_KIND__LICENCE ?
		    "被许可人以欺骗手段取得行政许可，依法撤销" :
		    "经行政复议，原决定被依法撤销");
		ch->basis = (char *)(t->kind == CX__RECORD_KIND__LICENCE ?
		    "《中华人民共和国行政许可法》第六十九条第二款" :
		    "《中华人民共和国行政复议法》第六十四条");
		ch->decision_no = gen_docno(g, c, GEN_D_NDRC, "撤", eff);
		break;
	}
	gen_window(g, r);
	return r;
}

/* ---- one subject -------------------------------------------------------- */

/* Base-record kinds and their weights per subject type. */
static const unsigned gen_kind_w[GEN_S_COUNT][GEN_NKINDS] = {
	/*             -  P   L   D  J  R  E   C   O  Q  W  F  A  I   S */
	[GEN_S_FIRM]   = { 0, 24, 18, 3, 3, 4, 12, 10, 0, 2, 2, 3, 1, 14, 0 },
	[GEN_S_SHOP]   = { 0, 34, 26, 1, 4, 1, 4,  8,  0, 2, 1, 1, 1, 16, 0 },
	[GEN_S_INST]   = { 0, 10, 18, 1, 1, 5, 15, 6,  0, 1, 10, 9, 1, 23, 0 },
	[GEN_S_SOCIAL] = { 0, 12, 14, 2, 2, 5, 15, 8,  0, 1, 10, 8, 1, 22, 0 },
	[GEN_S_PERSON] = { 0, 50, 0,  0, 32, 0, 0, 6,  0, 2, 4, 4, 2, 0,  0 },
};

static const unsigned gen_count_w[5] = { 40, 30, 18, 8, 4 };   /* 1..5 records */

static int
gen_one(struct gen *g, uint64_t i, gen_emit emit, void *ctx, uint64_t *emitted)
{
	struct gen_subj sj;
	size_t n, k, nbase;
	int rc;

	g->used = 0;
	g->full = 0;
	g->err = 0;
	g->nrec = 0;
	gen_rand_seed(&g->r, g->o->seed, i);
	if ((rc = gen_subject(g, &sj)) != 0)
		return rc;
	n = 1 + gen_weighted(g, gen_count_w, 5);
	for (k = 0; k < n; k++) {
		int kind = (int)gen_weighted(g, gen_kind_w[sj.type], GEN_NKINDS);
		const struct gen_city *c = g->only ? g->only :
		    gen_rand_chance(&g->r, 0.82) ? sj.home : gen_city_weighted(g);

		switch (kind) {
		case CX__RECORD_KIND__PENALTY:
			gen_penalty(g, &sj, c);
			break;
		case CX__RECORD_KIND__LICENCE:
			gen_licence(g, &sj, c);
			break;
		case CX__RECORD_KIND__DISHONEST_LIST:
			gen_list(g, &sj, c, 0);
			break;
		case CX__RECORD_KIND__RED_LIST:
			gen_list(g, &sj, c, 1);
			break;
		case CX__RECORD_KIND__DISHONEST_DEBTOR:
			gen_debtor(g, &sj, c);
			break;
		case CX__RECORD_KIND__EVALUATION:
			gen_evaluation(g, &sj, c);
			break;
		case CX__RECORD_KIND__COMMITMENT:
			gen_commitment(g, &sj, c);
			break;
		default:
			gen_admin(g, &sj, c, kind);
			break;
		}
		if (g->full || g->err)
			goto fail;
	}
	/* outcomes of commitments, after them */
	nbase = g->nrec;
	for (k = 0; k < nbase; k++)
		if (g->rec[k]->kind == CX__RECORD_KIND__COMMITMENT && gen_rand_chance(&g->r, 0.7)) {
			gen_outcome(g, &sj, k);
			if (g->full || g->err)
				goto fail;
		}
	/* status changes, after their targets */
	nbase = g->nrec;
	for (k = 0; k < nbase; k++)
		if (g->o->changes > 0 && gen_rand_chance(&g->r, g->o->changes)) {
			gen_change(g, k);
			if (g->full || g->err)
				goto fail;
		}
	for (k = 0; k < g->nrec; k++) {
		if ((rc = emit(ctx, g->rec[k])) != 0)
			return rc;
		(*emitted)++;
	}
	return 0;
fail:
	if (g->err)
		return g->err;
	return cx_seterr(CX_ENOMEM, "generator arena exhausted by subject %llu",
	    (unsigned long long)i);
}

/* ---- public ------------------------------------------------------------- */

const char *
gen_city_id(const char *region)
{
	size_t i;

	if (region == NULL)
		return NULL;
	for (i = 0; i < gen_n_cities; i++)
		if (strcmp(gen_cities[i].region, region) == 0)
			return gen_cities[i].id;
	return NULL;
}

const char *
gen_city_at(size_t i, const char **zh)
{
	if (i >= gen_n_cities)
		return NULL;
	if (zh)
		*zh = gen_cities[i].zh;
	return gen_cities[i].region;
}

int
gen_run(const struct gen_opts *o, gen_emit emit, void *ctx, uint64_t *emitted)
{
	struct gen *g = NULL;
	uint64_t n = 0, i;
	size_t k;
	int rc = 0;

	if (emitted)
		*emitted = 0;
	if (o == NULL || emit == NULL)
		return cx_seterr(CX_EINVAL, "gen_run: no options or no callback");
	if (!(o->changes >= 0.0 && o->changes <= 1.0))
		return cx_seterr(CX_EINVAL, "changes must be a fraction from 0 to 1");
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return cx_seterr(CX_ENOMEM, "generator state");
	g->o = o;
	g->today = o->today ? o->today : date_today();
	if (!date_valid(g->today) || g->today < 20160101u) {
		rc = cx_seterr(CX_EINVAL, "today (%u) must be a real date from 2016-01-01 on", g->today);
		goto out;
	}
	if (o->region) {
		for (k = 0; k < gen_n_cities; k++)
			if (strcmp(gen_cities[k].region, o->region) == 0)
				g->only = &gen_cities[k];
		if (g->only == NULL) {
			rc = cx_seterr(CX_EINVAL, "region %s is not one of the generator's cities",
			    o->region);
			goto out;
		}
	}
	g->tday = date_days(g->today);
	g->t0 = date_days(GEN_FIRST);
	if (g->tday - g->t0 < 366)
		g->t0 = g->tday - 5 * 365;
	for (k = 0; k < gen_n_cities; k++)
		g->wsum += gen_cities[k].weight;
	if ((g->buf = malloc(GEN_ARENA)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "generator arena");
		goto out;
	}
	for (i = 0; i < o->subjects; i++) {
		if ((rc = gen_one(g, i, emit, ctx, &n)) != 0)
			break;
		if (o->progress && ((i + 1) % GEN_PROGRESS_EVERY == 0 || i + 1 == o->subjects))
			o->progress(ctx, i + 1);
	}
out:
	if (emitted)
		*emitted = n;
	if (g)
		free(g->buf);
	free(g);
	return rc;
}
