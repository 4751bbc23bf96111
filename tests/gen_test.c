/*
 * gen_test.c — the record generator (gen/).
 *
 * What must hold: the PRNG follows its published definition (reference
 * outputs of splitmix64 and xoshiro256**); a run is a pure function of its
 * options (same seed, same bytes; another seed, other bytes; a shorter run
 * is a prefix of a longer one); every kind appears in a plausible mix; every
 * record passes validate_record() without a warning and its codes check;
 * status changes and outcomes point backwards at records of the same
 * issuer that they may change; JSON Lines round-trips to the same packed
 * bytes; bad options are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credit/codes.h"
#include "credit/rules.h"
#include "credit/validate.h"
#include "gen/gen.h"
#include "ingest/jsonl.h"
#include "gen/rand.h"
#include "ingest/json.h"
#include "util/date.h"
#include "util/err.h"

#define TODAY 20261122u

/* ---- helpers ------------------------------------------------------------ */

/* All packed records of a run, back to back, each preceded by its length. */
struct blob {
	uint8_t *p;
	size_t n, cap;
	uint64_t records;
};

static int
blob_emit(void *ctx, const Cx__Record *r)
{
	struct blob *b = ctx;
	size_t len = cx__record__get_packed_size(r);

	if (b->n + len + 8 > b->cap) {
		size_t cap = (b->cap + len + 8) * 2;
		uint8_t *p = realloc(b->p, cap);

		if (p == NULL)
			return CX_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, &len, sizeof(len));
	b->n += sizeof(len);
	cx__record__pack(r, b->p + b->n);
	b->n += len;
	b->records++;
	return 0;
}

static void
blob_run(struct blob *b, uint64_t seed, uint64_t subjects, const char *region, double changes)
{
	struct gen_opts o = { .seed = seed, .subjects = subjects, .region = region,
		.today = TODAY, .changes = changes };
	uint64_t n = 0;

	memset(b, 0, sizeof(*b));
	assert_int_equal(gen_run(&o, blob_emit, b, &n), 0);
	assert_int_equal(n, b->records);
}

/* Iterate over the records of a blob: unpacked copies the caller frees. */
static Cx__Record *
blob_next(const struct blob *b, size_t *off)
{
	size_t len;
	Cx__Record *r;

	if (*off >= b->n)
		return NULL;
	memcpy(&len, b->p + *off, sizeof(len));
	*off += sizeof(len);
	r = cx__record__unpack(NULL, len, b->p + *off);
	*off += len;
	assert_non_null(r);
	return r;
}

/* A small map from "issuer/record_id" to what a reference needs to know. */
struct seen {
	char *key;
	int kind;
	uint32_t decision;
};

struct seenmap {
	struct seen *t;
	size_t cap, n;
};

static uint64_t
seen_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct seen *
seen_find(struct seenmap *m, const char *issuer, const char *id, int insert)
{
	char key[160];
	size_t i;

	snprintf(key, sizeof(key), "%s/%s", issuer, id);
	if (insert && (m->n + 1) * 2 > m->cap) {
		struct seenmap bigger = { calloc(m->cap ? m->cap * 2 : 1024, sizeof(struct seen)),
			m->cap ? m->cap * 2 : 1024, 0 };

		assert_non_null(bigger.t);
		for (i = 0; i < m->cap; i++)
			if (m->t[i].key) {
				size_t j = seen_hash(m->t[i].key) & (bigger.cap - 1);

				while (bigger.t[j].key)
					j = (j + 1) & (bigger.cap - 1);
				bigger.t[j] = m->t[i];
				bigger.n++;
			}
		free(m->t);
		*m = bigger;
	}
	if (m->cap == 0)
		return NULL;
	for (i = seen_hash(key) & (m->cap - 1); m->t[i].key; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->t[i].key, key) == 0)
			return insert ? NULL : &m->t[i];
	if (!insert)
		return NULL;
	m->t[i].key = strdup(key);
	assert_non_null(m->t[i].key);
	m->n++;
	return &m->t[i];
}

static void
seen_free(struct seenmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->t[i].key);
	free(m->t);
}

/* ---- PRNG --------------------------------------------------------------- */

static void
test_splitmix_reference(void **state)
{
	uint64_t x = 0;

	(void)state;
	/* splitmix64 from state 0: the reference implementation's outputs */
	assert_true(gen_rand_splitmix(&x) == 0xe220a8397b1dcdafull);
	assert_true(gen_rand_splitmix(&x) == 0x6e789e6aa1b965f4ull);
	assert_true(gen_rand_splitmix(&x) == 0x06c45d188009454full);
}

static void
test_xoshiro_reference(void **state)
{
	static const uint64_t want[6] = { 11520u, 0u, 1509978240u, 1215971899390074240ull,
		1216172134540287360ull, 607988272756665600ull };
	struct gen_rng r;
	size_t i;

	(void)state;
	gen_rand_state(&r, 1, 2, 3, 4);
	for (i = 0; i < 6; i++)
		assert_true(gen_rand_u64(&r) == want[i]);
}

static void
test_rand_below_uniform(void **state)
{
	struct gen_rng r;
	unsigned counts[7] = { 0 };
	size_t i;

	(void)state;
	gen_rand_seed(&r, 42, 0);
	assert_int_equal(gen_rand_below(&r, 0), 0);
	assert_int_equal(gen_rand_below(&r, 1), 0);
	for (i = 0; i < 70000; i++) {
		uint32_t v = gen_rand_below(&r, 7);

		assert_true(v < 7);
		counts[v]++;
	}
	for (i = 0; i < 7; i++)   /* 10000 expected each; 5 sigma is ~460 */
		assert_true(counts[i] > 9500 && counts[i] < 10500);
	for (i = 0; i < 1000; i++) {
		double d = gen_rand_double(&r);

		assert_true(d >= 0.0 && d < 1.0);
	}
	assert_false(gen_rand_chance(&r, 0.0));
	assert_true(gen_rand_chance(&r, 1.0));
}

static void
test_rand_streams_differ(void **state)
{
	struct gen_rng a, b, c;

	(void)state;
	gen_rand_seed(&a, 1, 0);
	gen_rand_seed(&b, 0, 1);
	gen_rand_seed(&c, 1, 0);
	assert_true(gen_rand_u64(&a) != gen_rand_u64(&b));
	gen_rand_seed(&a, 1, 0);
	assert_true(gen_rand_u64(&a) == gen_rand_u64(&c));
}

/* ---- public helpers ----------------------------------------------------- */

static void
test_city_id(void **state)
{
	const char *zh = NULL;
	size_t i;

	(void)state;
	assert_string_equal(gen_city_id("330100"), "hangzhou");
	assert_string_equal(gen_city_id("310117"), "songjiang");
	assert_string_equal(gen_city_id("340100"), "hefei");
	assert_null(gen_city_id("330101"));
	assert_null(gen_city_id(""));
	assert_null(gen_city_id(NULL));
	for (i = 0; gen_city_at(i, &zh) != NULL; i++) {
		assert_int_equal(codes_division_valid(gen_city_at(i, NULL)), 0);
		assert_non_null(gen_city_id(gen_city_at(i, NULL)));
		assert_true(strlen(zh) >= 6);
	}
	assert_int_equal(i, GEN_NCITIES);
}

/* ---- determinism -------------------------------------------------------- */

static void
test_same_seed_same_bytes(void **state)
{
	struct blob a, b, c;

	(void)state;
	blob_run(&a, 7, 400, NULL, GEN_CHANGES_DEFAULT);
	blob_run(&b, 7, 400, NULL, GEN_CHANGES_DEFAULT);
	blob_run(&c, 8, 400, NULL, GEN_CHANGES_DEFAULT);
	assert_true(a.records > 400);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.p, b.p, a.n);
	assert_true(c.n != a.n || memcmp(a.p, c.p, a.n) != 0);
	free(a.p);
	free(b.p);
	free(c.p);
}

static void
test_shorter_run_is_prefix(void **state)
{
	struct blob a, b;

	(void)state;
	blob_run(&a, 3, 150, "330100", GEN_CHANGES_DEFAULT);
	blob_run(&b, 3, 600, "330100", GEN_CHANGES_DEFAULT);
	assert_true(b.n > a.n);
	assert_memory_equal(a.p, b.p, a.n);
	free(a.p);
	free(b.p);
}

/* ---- mix ---------------------------------------------------------------- */

static void
test_counts_per_kind(void **state)
{
	struct blob b;
	uint64_t kinds[15] = { 0 }, regions[GEN_NCITIES] = { 0 }, changes[5] = { 0 };
	uint64_t persons = 0, shops = 0, placeholders = 0, multi_city = 0, penalties_by_rule[3] = { 0 };
	uint64_t fines = 0, confiscations = 0, multi_type = 0, revoked = 0, minor36 = 0;
	uint64_t sectors_strict = 0, grace = 0, breached = 0, tax_eval = 0;
	struct seenmap subj = { 0 };
	size_t off = 0, i;
	Cx__Record *r;
	const uint64_t N = 3000;

	(void)state;
	blob_run(&b, 11, N, NULL, GEN_CHANGES_DEFAULT);
	/* about two records per subject (docs/generator.md): 1.8 .. 3 */
	assert_true(b.records >= N * 18 / 10 && b.records <= N * 3);
	while ((r = blob_next(&b, &off)) != NULL) {
		const char *name = r->subject->name;
		struct seen *s;

		assert_true(r->kind > 0 && r->kind < 15);
		kinds[r->kind]++;
		for (i = 0; i < GEN_NCITIES; i++)
			if (strcmp(r->region, gen_city_at(i, NULL)) == 0)
				regions[i]++;
		assert_string_equal(r->issuer, gen_city_id(r->region));
		if (r->subject->category == CX__SUBJECT_CATEGORY__NATURAL_PERSON)
			persons++;
		if (r->subject->category == CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS) {
			shops++;
			if (codes_uscc_placeholder(r->subject->credit_code))
				placeholders++;
		}
		/* the same subject in two cities: keyed by name + code */
		{
			char key[256];

			snprintf(key, sizeof(key), "%s|%s|%s", name, r->subject->credit_code,
			    r->subject->id_number);
			if ((s = seen_find(&subj, "s", key, 0)) == NULL) {
				s = seen_find(&subj, "s", key, 1);
				s->decision = (uint32_t)(r->region[0] * 1000 + r->region[3]);
				s->kind = 0;
			} else if (s->kind == 0 && s->decision !=
			    (uint32_t)(r->region[0] * 1000 + r->region[3])) {
				s->kind = 1;
				multi_city++;
			}
		}
		if (r->kind == CX__RECORD_KIND__PENALTY) {
			Cx__Penalty *p = r->penalty;

			penalties_by_rule[r->decision_date < RULES_ORDER58_FROM ? 0 :
			    r->decision_date < RULES_ORDER36_FROM ? 1 : 2]++;
			if (p->fine_fen)
				fines++;
			if (p->confiscated_fen)
				confiscations++;
			if (p->n_types > 1)
				multi_type++;
			if (p->licence_affected[0])
				revoked++;
			if (rules_sector_strict(r->sector))
				sectors_strict++;
			if (r->decision_date >= RULES_ORDER36_FROM && r->severity == CX__SEVERITY__MINOR) {
				minor36++;
				assert_int_equal(r->publicity_max_end, r->publication_start);
			}
		}
		if (r->kind == CX__RECORD_KIND__DISHONEST_DEBTOR &&
		    date_days(r->publication_start) - date_days(r->decision_date) >= 10)
			grace++;
		if (r->kind == CX__RECORD_KIND__COMMITMENT_OUTCOME && !r->outcome->fulfilled)
			breached++;
		if (r->kind == CX__RECORD_KIND__EVALUATION && strcmp(r->sector, "tax") == 0)
			tax_eval++;
		if (r->kind == CX__RECORD_KIND__STATUS_CHANGE)
			changes[r->change->type]++;
		cx__record__free_unpacked(r, NULL);
	}
	for (i = 1; i < 15; i++) {
		if (kinds[i] < 5)
			fail_msg("kind %zu appears %llu times", i, (unsigned long long)kinds[i]);
	}
	for (i = 0; i < GEN_NCITIES; i++)
		assert_true(regions[i] > 0);
	for (i = 1; i < 5; i++)
		assert_true(changes[i] > 0);
	/* penalties are the largest class; every class is present */
	for (i = 2; i < 15; i++)
		assert_true(kinds[CX__RECORD_KIND__PENALTY] > kinds[i]);
	/* changes are about 5% of the other records */
	assert_true(kinds[14] * 100 > (b.records - kinds[14]) * 3);
	assert_true(kinds[14] * 100 < (b.records - kinds[14]) * 8);
	assert_true(persons > b.records / 10);
	assert_true(shops > 0 && placeholders > 0);
	assert_true(multi_city > N / 50);
	for (i = 0; i < 3; i++)
		assert_true(penalties_by_rule[i] > 0);
	assert_true(fines > 0 && confiscations > 0 && multi_type > 0 && revoked > 0);
	assert_true(sectors_strict > 0 && minor36 > 0 && grace > 0 && breached > 0 && tax_eval > 0);
	seen_free(&subj);
	free(b.p);
}

static void
test_one_region_and_issuer(void **state)
{
	struct gen_opts o = { .seed = 5, .subjects = 300, .region = "340200", .issuer = "wuhu-node-1",
		.today = TODAY, .changes = 0.2 };
	struct blob b;
	size_t off = 0;
	Cx__Record *r;
	uint64_t n = 0, elsewhere = 0;

	(void)state;
	memset(&b, 0, sizeof(b));
	assert_int_equal(gen_run(&o, blob_emit, &b, &n), 0);
	assert_true(n > 300);
	while ((r = blob_next(&b, &off)) != NULL) {
		assert_string_equal(r->region, "340200");
		assert_string_equal(r->issuer, "wuhu-node-1");
		assert_memory_equal(r->record_id, "340200-", 7);
		/* some subjects are registered in another city */
		if (r->subject->credit_code[0] && !codes_uscc_placeholder(r->subject->credit_code) &&
		    memcmp(r->subject->credit_code + 2, "3402", 4) != 0)
			elsewhere++;
		cx__record__free_unpacked(r, NULL);
	}
	assert_true(elsewhere > 0);
	free(b.p);
}

static void
test_no_changes(void **state)
{
	struct blob b;
	size_t off = 0;
	Cx__Record *r;

	(void)state;
	blob_run(&b, 2, 500, NULL, 0.0);
	while ((r = blob_next(&b, &off)) != NULL) {
		assert_int_not_equal(r->kind, CX__RECORD_KIND__STATUS_CHANGE);
		cx__record__free_unpacked(r, NULL);
	}
	free(b.p);
}

/* ---- validity ----------------------------------------------------------- */

static void
check_codes(const Cx__Record *r)
{
	const Cx__Subject *s = r->subject;

	if (s->category == CX__SUBJECT_CATEGORY__NATURAL_PERSON) {
		assert_int_equal(s->id_type, CX__ID_TYPE__RESIDENT_ID);
		if (codes_resident_id_valid(s->id_number) != 0)
			fail_msg("%s: id %s: %s", r->record_id, s->id_number, cx_lasterr());
		/* born 1950 .. 2005 */
		assert_true(memcmp(s->id_number + 6, "1950", 4) >= 0);
		assert_true(memcmp(s->id_number + 6, "2005", 4) <= 0);
	} else if (codes_uscc_placeholder(s->credit_code)) {
		assert_int_equal(s->category, CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS);
		assert_int_equal(strlen(s->business_reg_no), 15);
	} else {
		if (codes_uscc_valid(s->credit_code) != 0 || codes_uscc_orgcode_ok(s->credit_code) != 0)
			fail_msg("%s: code %s: %s", r->record_id, s->credit_code, cx_lasterr());
		{
			char div[7];

			memcpy(div, s->credit_code + 2, 6);
			div[6] = '\0';
			assert_int_equal(codes_division_valid(div), 0);
		}
		if (s->category == CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS)
			assert_memory_equal(s->credit_code, "92", 2);
		else
			assert_true(memcmp(s->credit_code, "91", 2) == 0 ||
			    memcmp(s->credit_code, "12", 2) == 0 || s->credit_code[0] == '5');
	}
	if (s->legal_rep_id_number[0])
		assert_int_equal(codes_resident_id_valid(s->legal_rep_id_number), 0);
	assert_int_equal(codes_uscc_valid(r->authority->credit_code), 0);
	assert_int_equal(codes_uscc_orgcode_ok(r->authority->credit_code), 0);
	assert_memory_equal(r->authority->credit_code, "11", 2);
	if (r->source != NULL) {
		/* a district decision reported by the city-level department */
		assert_int_equal(codes_uscc_valid(r->source->credit_code), 0);
		assert_string_not_equal(r->source->name, r->authority->name);
	}
}

static void
check_valid(const Cx__Record *r, uint32_t today)
{
	struct validate_result v;
	Cx__Record *copy;
	size_t len = cx__record__get_packed_size(r);
	uint8_t *buf = malloc(len);
	uint32_t mine = r->publicity_min_end, maxe = r->publicity_max_end;
	size_t i;

	assert_non_null(buf);
	cx__record__pack(r, buf);
	copy = cx__record__unpack(NULL, len, buf);
	assert_non_null(copy);
	if (validate_record(&v, copy, today) != 0 || v.n != 0) {
		for (i = 0; i < v.n; i++)
			print_error("%s %s: %s: %s\n", r->record_id, v.msg[i].warning ? "warning" :
			    "error", v.msg[i].field, v.msg[i].text);
		fail_msg("record %s does not validate cleanly", r->record_id);
	}
	/* the generator's windows are the rule's: validation keeps them */
	assert_int_equal(copy->publicity_min_end, mine);
	assert_int_equal(copy->publicity_max_end, maxe);
	assert_true(r->decision_date <= today);
	assert_true(r->publication_start >= r->decision_date && r->publication_start <= today);
	cx__record__free_unpacked(copy, NULL);
	free(buf);
}

/* Every record validates; its codes check; references point backwards. */
static void
check_run(uint64_t seed, uint64_t subjects, const char *region, uint32_t today)
{
	struct gen_opts o = { .seed = seed, .subjects = subjects, .region = region,
		.today = today, .changes = 0.15 };
	struct blob b;
	struct seenmap ids = { 0 };
	size_t off = 0;
	Cx__Record *r;
	uint64_t n = 0, refs = 0;

	memset(&b, 0, sizeof(b));
	assert_int_equal(gen_run(&o, blob_emit, &b, &n), 0);
	while ((r = blob_next(&b, &off)) != NULL) {
		struct seen *s;

		check_valid(r, today);
		check_codes(r);
		if (r->kind == CX__RECORD_KIND__STATUS_CHANGE) {
			Cx__StatusChange *ch = r->change;

			s = seen_find(&ids, r->issuer, ch->target->record_id, 0);
			if (s == NULL)
				fail_msg("%s: target %s not earlier in %s", r->record_id,
				    ch->target->record_id, r->issuer);
			assert_true(rules_change_applies(ch->type, s->kind));
			assert_true(ch->effective_date >= s->decision);
			assert_true(ch->effective_date <= today);
			assert_int_equal(ch->target->index, 0);
			assert_int_equal(ch->target->leaf_hash.len, 0);
			if (ch->type == CX__CHANGE_TYPE__CORRECTION) {
				assert_non_null(ch->replacement);
				assert_string_equal(ch->replacement->record_id, ch->target->record_id);
				assert_int_equal(ch->replacement->kind, s->kind);
				assert_string_equal(ch->replacement->issuer, r->issuer);
			} else {
				assert_null(ch->replacement);
			}
			refs++;
		}
		if (r->kind == CX__RECORD_KIND__COMMITMENT_OUTCOME) {
			s = seen_find(&ids, r->issuer, r->outcome->commitment->record_id, 0);
			assert_non_null(s);
			assert_int_equal(s->kind, CX__RECORD_KIND__COMMITMENT);
			assert_true(r->decision_date >= s->decision);
			refs++;
		}
		s = seen_find(&ids, r->issuer, r->record_id, 1);
		if (s == NULL)
			fail_msg("record_id %s repeated in %s", r->record_id, r->issuer);
		s->kind = r->kind;
		s->decision = r->decision_date;
		cx__record__free_unpacked(r, NULL);
	}
	assert_true(refs > subjects / 10);
	seen_free(&ids);
	free(b.p);
}

static void
test_all_valid_all_cities(void **state)
{
	(void)state;
	check_run(21, 3000, NULL, TODAY);
}

static void
test_all_valid_one_city(void **state)
{
	(void)state;
	check_run(22, 1500, "310117", TODAY);
}

static void
test_all_valid_earlier_today(void **state)
{
	/* before Order 36 and only a short period: still valid, nothing later */
	(void)state;
	check_run(23, 800, NULL, 20220630);
	check_run(24, 300, "330700", 20160101);
}

/* ---- JSON round trip ---------------------------------------------------- */

/* The record's line by the other writer: the jansson tree of
 * json_from_record, dumped compact. The line writer must agree with it. */
static void
tree_line(char **line, size_t *len, const Cx__Record *r)
{
	json_t *j = NULL;

	assert_int_equal(json_from_record(&j, r, 0), 0);
	*line = json_dumps(j, JSON_COMPACT);
	assert_non_null(*line);
	*len = strlen(*line);
	json_decref(j);
}

static int
json_check(void *ctx, const Cx__Record *r)
{
	uint64_t *count = ctx;
	char *line = NULL, err[200];
	size_t len = 0, a, b;
	Cx__Record *back = NULL;
	uint8_t *pa, *pb;

	struct json_buf fast = { 0 };
	char *tree = NULL;
	size_t tlen = 0;

	assert_int_equal(json_record_line(&line, &len, r), 0);
	assert_null(memchr(line, '\n', len));
	/* the line writer and the tree writer agree, byte for byte */
	tree_line(&tree, &tlen, r);
	assert_int_equal(tlen, len);
	assert_memory_equal(tree, line, len);
	free(tree);
	assert_int_equal(json_line_append(&fast, r), 0);
	assert_int_equal(fast.len, len + 1);
	assert_memory_equal(fast.p, line, len);
	assert_int_equal(fast.p[len], '\n');
	json_buf_free(&fast);
	if (json_to_record(&back, line, len, err, sizeof(err)) != 0)
		fail_msg("%s: %s", r->record_id, err);
	a = cx__record__get_packed_size(r);
	b = cx__record__get_packed_size(back);
	assert_int_equal(a, b);
	pa = malloc(a);
	pb = malloc(b);
	assert_non_null(pa);
	assert_non_null(pb);
	cx__record__pack(r, pa);
	cx__record__pack(back, pb);
	assert_memory_equal(pa, pb, a);
	free(pa);
	free(pb);
	json_record_free(back);
	free(line);
	(*count)++;
	return 0;
}

static void
test_json_round_trip(void **state)
{
	struct gen_opts o = { .seed = 31, .subjects = 1500, .today = TODAY, .changes = 0.2 };
	uint64_t n = 0, count = 0;

	(void)state;
	assert_int_equal(gen_run(&o, json_check, &count, &n), 0);
	assert_int_equal(n, count);
	assert_true(n > 1500);
}

/* The line writer against the tree writer on what generated records never
 * hold: escapes, issued_at, resolved references, booleans, nesting. */
static void
same_json(const Cx__Record *r)
{
	struct json_buf b = { 0 };
	char *line = NULL;
	size_t len = 0;

	tree_line(&line, &len, r);
	assert_int_equal(json_line_append(&b, r), 0);
	if (b.len != len + 1 || memcmp(b.p, line, len) != 0)
		fail_msg("differs:\n%s\n%.*s", line, (int)b.len, b.p);
	free(line);
	json_buf_free(&b);
}

static void
test_jsonl_edge_cases(void **state)
{
	Cx__Record r = CX__RECORD__INIT, rep = CX__RECORD__INIT;
	Cx__Subject s = CX__SUBJECT__INIT;
	Cx__StatusChange ch = CX__STATUS_CHANGE__INIT;
	Cx__Ref ref = CX__REF__INIT;
	Cx__CommitmentOutcome oc = CX__COMMITMENT_OUTCOME__INIT;
	uint8_t hash[32];
	struct json_buf b = { 0 };
	size_t i, before;

	(void)state;
	for (i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(i * 37 + 250);
	r.schema = 1;
	r.issuer = (char *)"a\"b\\c/d";
	r.record_id = (char *)"x\001\037\t\n\r\b\f\x7f é 中\xe2\x80\xa8";
	r.kind = CX__RECORD_KIND__STATUS_CHANGE;
	r.subject = &s;
	s.name = (char *)"";
	r.issued_at = 1714550400 + 3 * 3600 + 4 * 60 + 5;
	r.decision_date = 20240229;
	r.body_case = CX__RECORD__BODY_CHANGE;
	r.change = &ch;
	ch.type = CX__CHANGE_TYPE__CORRECTION;
	ch.target = &ref;
	ref.record_id = (char *)"t-1";
	ref.index = 1234567890123ull;
	ref.leaf_hash.data = hash;
	ref.leaf_hash.len = sizeof(hash);
	ch.replacement = &rep;
	rep.kind = CX__RECORD_KIND__COMMITMENT_OUTCOME;
	rep.body_case = CX__RECORD__BODY_OUTCOME;
	rep.outcome = &oc;
	oc.fulfilled = 0;
	same_json(&r);
	oc.fulfilled = 1;
	rep.issued_at = 0;
	same_json(&r);
	/* an empty record and an empty sub-message */
	same_json(&rep);
	/* a value the form cannot carry is refused and leaves the buffer alone */
	assert_int_equal(json_line_append(&b, &rep), 0);
	before = b.len;
	r.decision_date = 20230229;
	assert_int_equal(json_line_append(&b, &r), CX_EINVAL);
	assert_int_equal(b.len, before);
	r.decision_date = 20240229;
	rep.kind = (Cx__RecordKind)99;
	assert_int_equal(json_line_append(&b, &r), CX_EINVAL);
	assert_int_equal(b.len, before);
	assert_int_equal(json_line_append(NULL, &r), CX_EINVAL);
	assert_int_equal(json_line_append(&b, NULL), CX_EINVAL);
	json_buf_free(&b);
	json_buf_free(NULL);
}

/* ---- options and callbacks ---------------------------------------------- */

static int
stop_after(void *ctx, const Cx__Record *r)
{
	uint64_t *left = ctx;

	(void)r;
	if (*left == 0)
		return 42;
	(*left)--;
	return 0;
}

static void
test_bad_options(void **state)
{
	struct gen_opts o = { .seed = 1, .subjects = 10, .today = TODAY, .changes = 0.05 };
	uint64_t n = 99, left = 0;

	(void)state;
	assert_int_equal(gen_run(NULL, stop_after, &left, &n), CX_EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(gen_run(&o, NULL, &left, &n), CX_EINVAL);
	o.region = "330101";
	assert_int_equal(gen_run(&o, stop_after, &left, &n), CX_EINVAL);
	o.region = NULL;
	o.changes = 1.5;
	assert_int_equal(gen_run(&o, stop_after, &left, &n), CX_EINVAL);
	o.changes = -0.1;
	assert_int_equal(gen_run(&o, stop_after, &left, &n), CX_EINVAL);
	o.changes = 0.05;
	o.today = 20230229;
	assert_int_equal(gen_run(&o, stop_after, &left, &n), CX_EINVAL);
	o.today = 20151231;
	assert_int_equal(gen_run(&o, stop_after, &left, &n), CX_EINVAL);
	/* nothing to do */
	o.today = TODAY;
	o.subjects = 0;
	assert_int_equal(gen_run(&o, stop_after, &left, &n), 0);
	assert_int_equal(n, 0);
}

static void
test_callback_stops(void **state)
{
	struct gen_opts o = { .seed = 1, .subjects = 100, .today = TODAY, .changes = 0.05 };
	uint64_t n = 0, left = 17;

	(void)state;
	assert_int_equal(gen_run(&o, stop_after, &left, &n), 42);
	assert_int_equal(n, 17);
	assert_int_equal(gen_run(&o, stop_after, &left, NULL), 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitmix_reference),
		cmocka_unit_test(test_xoshiro_reference),
		cmocka_unit_test(test_rand_below_uniform),
		cmocka_unit_test(test_rand_streams_differ),
		cmocka_unit_test(test_city_id),
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_shorter_run_is_prefix),
		cmocka_unit_test(test_counts_per_kind),
		cmocka_unit_test(test_one_region_and_issuer),
		cmocka_unit_test(test_no_changes),
		cmocka_unit_test(test_all_valid_all_cities),
		cmocka_unit_test(test_all_valid_one_city),
		cmocka_unit_test(test_all_valid_earlier_today),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_jsonl_edge_cases),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_callback_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
