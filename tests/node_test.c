/*
 * node_test.c — unit tests of node/ pieces that need no node home: leaf
 * decoding limits (idx_unpack) and the state of a record on a date
 * (query_state).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "node/query.h"

/* Append a varint. */
static size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * Wire bytes of a record nesting `depth` corrections: Record{ record_id,
 * change{ replacement: Record{ ... } } }, built from the inside out.
 * *len gets the size; the caller frees.
 */
static uint8_t *
nested(int depth, size_t *len)
{
	size_t cap = 64 + (size_t)depth * 32, n, m;
	uint8_t *buf = malloc(cap), *tmp = malloc(cap), *t;
	int i;

	assert_non_null(buf);
	assert_non_null(tmp);
	/* innermost record: record_id (field 4) = "x" */
	buf[0] = (4 << 3) | 2;
	buf[1] = 1;
	buf[2] = 'x';
	n = 3;
	for (i = 0; i < depth; i++) {
		/* change = { replacement (7) = buf } */
		m = 0;
		tmp[m++] = (7 << 3) | 2;
		m += put_varint(tmp + m, n);
		memcpy(tmp + m, buf, n);
		m += n;
		/* record = { record_id = "x", change (27) = tmp } */
		n = 0;
		buf[n++] = (4 << 3) | 2;
		buf[n++] = 1;
		buf[n++] = 'x';
		n += put_varint(buf + n, (27 << 3) | 2);
		n += put_varint(buf + n, m);
		memcpy(buf + n, tmp, m);
		n += m;
		assert_true(n + 32 < cap);
	}
	free(tmp);
	t = buf;
	*len = n;
	return t;
}

static void
test_unpack_depth(void **state)
{
	Cx__Record *r;
	uint8_t *b;
	size_t len;

	(void)state;
	b = nested(IDX_MAX_DEPTH, &len);
	r = idx_unpack(b, len);
	assert_non_null(r);
	assert_string_equal(r->record_id, "x");
	assert_non_null(r->change);
	assert_non_null(r->change->replacement);
	cx__record__free_unpacked(r, NULL);
	free(b);

	b = nested(IDX_MAX_DEPTH + 1, &len);
	assert_null(idx_unpack(b, len));
	free(b);

	/* far deeper (protobuf-c would recurse once per level): refused first */
	b = nested(20000, &len);
	assert_null(idx_unpack(b, len));
	free(b);
}

static void
test_unpack_malformed(void **state)
{
	static const uint8_t truncated[] = { (4 << 3) | 2, 5, 'a' };
	static const uint8_t group[] = { (4 << 3) | 3 };
	static const uint8_t badvarint[] = { 0x80, 0x80, 0x80 };

	(void)state;
	assert_null(idx_unpack(truncated, sizeof(truncated)));
	assert_null(idx_unpack(group, sizeof(group)));
	assert_null(idx_unpack(badvarint, sizeof(badvarint)));
	/* empty bytes are an empty record */
	{
		Cx__Record *r = idx_unpack((const uint8_t *)"", 0);

		assert_non_null(r);
		cx__record__free_unpacked(r, NULL);
	}
}

/* query_state: changes apply from their effective date; windows. */
static void
test_state(void **state)
{
	Cx__Record rec = CX__RECORD__INIT, ch = CX__RECORD__INIT;
	Cx__StatusChange sc = CX__STATUS_CHANGE__INIT;
	struct query_change c = { 0, 1, &ch };
	const Cx__Record *cur;
	uint32_t since;

	(void)state;
	rec.kind = CX__RECORD_KIND__PENALTY;
	rec.decision_date = 20240110;
	rec.publicity_max_end = 20270110;
	ch.kind = CX__RECORD_KIND__STATUS_CHANGE;
	ch.body_case = CX__RECORD__BODY_CHANGE;
	ch.change = &sc;
	sc.type = CX__CHANGE_TYPE__REPAIR;
	sc.effective_date = 20240701;
	assert_int_equal(query_state(&rec, &c, 1, 20240109, &cur, &since), QUERY_NOT_YET);
	assert_int_equal(query_state(&rec, &c, 1, 20240110, &cur, &since), QUERY_ACTIVE);
	assert_int_equal(query_state(&rec, &c, 1, 20240630, &cur, &since), QUERY_ACTIVE);
	assert_int_equal(query_state(&rec, &c, 1, 20240701, &cur, &since), QUERY_REPAIRED);
	assert_int_equal(since, 20240701);
	assert_int_equal(query_state(&rec, NULL, 0, 20270109, &cur, &since), QUERY_ACTIVE);
	assert_int_equal(query_state(&rec, NULL, 0, 20270110, &cur, &since), QUERY_EXPIRED);
	/* a grace period: decided, published later */
	rec.publication_start = 20240201;
	assert_int_equal(query_state(&rec, NULL, 0, 20240115, &cur, &since), QUERY_PENDING);
	/* Order 36 minor: a zero-length window */
	rec.publicity_max_end = rec.publication_start;
	assert_int_equal(query_state(&rec, NULL, 0, 20240301, &cur, &since), QUERY_UNPUBLISHED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unpack_depth),
		cmocka_unit_test(test_unpack_malformed),
		cmocka_unit_test(test_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
