/*
 * index.c — the derived indexes node/ keeps in the store.
 *
 * The store treats index entries as opaque (key, value) pairs produced by
 * idx_indexer for every leaf it appends, and again for every leaf when
 * `cxnode reindex` rebuilds them; so everything here is a pure function of
 * the leaf bytes and its position. Keys are laid out for prefix scans:
 *
 *   subject   +---+------+-----------------+----+----------+-----------+
 *             | S | kind | value (UTF-8)   | 00 | log u32  | index u64 |
 *             +---+------+-----------------+----+----------+-----------+
 *   record id +---+----------+-----------+        value: index u64
 *             | R | log u32  | record_id |
 *             +---+----------+-----------+
 *   target    +---+----------+------------+-------------+
 *             | T | log u32  | target u64 | changer u64 |
 *             +---+----------+------------+-------------+
 *
 * A status change (or commitment outcome) is indexed under the subject it
 * names as well, so that a search that only matches a corrected name still
 * finds the change and, through its target, the record it corrects.
 */
#include <stdlib.h>
#include <string.h>

#include "credit/codes.h"
#include "ingest/text.h"
#include "node/node.h"
#include "util/err.h"

#define IDX_KEY_MAX 511

void
idx_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

void
idx_put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t
idx_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

uint32_t
idx_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Largest prefix of s (at most max bytes) that does not split a UTF-8
 * character. */
static size_t
idx_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

size_t
idx_subject_prefix(uint8_t *buf, size_t cap, char kind, const char *value)
{
	char *norm = NULL;
	const char *v = value;
	size_t vlen, room;

	if (kind == 'N') {
		if (text_normalize(&norm, value, strlen(value)) != 0)
			return 0;
		v = norm;
	}
	vlen = strlen(v);
	/* leave room for 0x00, log and index in full keys */
	room = IDX_KEY_MAX - 2 - 1 - 12;
	vlen = idx_utf8_cut(v, vlen, room);
	if (cap < 2 + vlen + 1) {
		free(norm);
		return 0;
	}
	buf[0] = IDX_SUBJECT;
	buf[1] = (uint8_t)kind;
	memcpy(buf + 2, v, vlen);
	buf[2 + vlen] = 0;
	free(norm);
	return 2 + vlen + 1;
}

size_t
idx_record_key(uint8_t *buf, size_t cap, uint32_t log, const char *record_id)
{
	size_t n = strlen(record_id);

	if (n == 0 || 5 + n > cap || 5 + n > IDX_KEY_MAX)
		return 0;
	buf[0] = IDX_RECORD;
	idx_put32(buf + 1, log);
	memcpy(buf + 5, record_id, n);
	return 5 + n;
}

static int
idx_subject(const struct idx_out *out, char kind, const char *value, uint32_t log, uint64_t index)
{
	uint8_t key[IDX_KEY_MAX + 1];
	size_t n;

	if (value == NULL || value[0] == '\0')
		return 0;
	n = idx_subject_prefix(key, sizeof(key) - 12, kind, value);
	if (n == 0)
		return 0;
	idx_put32(key + n, log);
	idx_put64(key + n + 4, index);
	return out->add(out->ctx, key, n + 12, NULL, 0);
}

static int
idx_subject_all(const struct idx_out *out, const Cx__Subject *s, uint32_t log, uint64_t index)
{
	char idkey[64];
	int rc;

	if (s == NULL)
		return 0;
	/* the placeholder of individual businesses without a code names no one */
	if (!codes_uscc_placeholder(s->credit_code) &&
	    (rc = idx_subject(out, 'C', s->credit_code, log, index)) != 0)
		return rc;
	if ((rc = idx_subject(out, 'N', s->name, log, index)) != 0)
		return rc;
	if ((rc = idx_subject(out, 'G', s->business_reg_no, log, index)) != 0)
		return rc;
	if (s->id_number && s->id_number[0] && strlen(s->id_number) < sizeof(idkey) - 2) {
		size_t k;

		idkey[0] = (char)('0' + (s->id_type % 10));
		/* upper case, as queries are: check character X, passport letters */
		for (k = 0; s->id_number[k]; k++)
			idkey[1 + k] = (char)(s->id_number[k] >= 'a' && s->id_number[k] <= 'z' ?
			    s->id_number[k] - 32 : s->id_number[k]);
		idkey[1 + k] = '\0';
		if ((rc = idx_subject(out, 'I', idkey, log, index)) != 0)
			return rc;
	}
	return 0;
}

static int
idx_target(const struct idx_out *out, uint32_t log, const Cx__Ref *ref, uint64_t index)
{
	uint8_t key[21];

	if (ref == NULL)
		return 0;
	key[0] = IDX_TARGET;
	idx_put32(key + 1, log);
	idx_put64(key + 5, ref->index);
	idx_put64(key + 13, index);
	return out->add(out->ctx, key, sizeof(key), NULL, 0);
}

int
idx_record_keys(const Cx__Record *r, uint32_t log, uint64_t index, const struct idx_out *out)
{
	uint8_t key[IDX_KEY_MAX + 1], val[8];
	size_t n;
	int rc;

	if ((rc = idx_subject_all(out, r->subject, log, index)) != 0)
		return rc;
	n = idx_record_key(key, sizeof(key), log, r->record_id);
	if (n == 0)   /* validation keeps ids far below the key limit */
		return cx_seterr(CX_EINVAL, "leaf %llu: record_id empty or too long to index",
		    (unsigned long long)index);
	idx_put64(val, index);
	if ((rc = out->add(out->ctx, key, n, val, sizeof(val))) != 0)
		return rc;
	if (r->body_case == CX__RECORD__BODY_CHANGE && r->change != NULL) {
		if ((rc = idx_target(out, log, r->change->target, index)) != 0)
			return rc;
		if (r->change->replacement != NULL)
			rc = idx_subject_all(out, r->change->replacement->subject, log, index);
	} else if (r->body_case == CX__RECORD__BODY_OUTCOME && r->outcome != NULL) {
		rc = idx_target(out, log, r->outcome->commitment, index);
	}
	return rc;
}

/* ---- decoding leaves safely --------------------------------------------- */

/* Read a varint at *p (below end); 0, or -1 when malformed. */
static int
idx_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	int shift;

	*v = 0;
	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/*
 * Whether the record (is_record) or status change in p[0..n) nests no more
 * than IDX_MAX_DEPTH records through StatusChange.replacement. Every
 * occurrence of the nesting fields is followed, since protobuf merges
 * repeated occurrences of a message field.
 */
static int
idx_depth_ok(const uint8_t *p, size_t n, int is_record, int depth)
{
	const uint8_t *end = p + n;
	uint32_t nest = is_record ? 27 : 7;   /* Record.change, StatusChange.replacement */

	if (is_record && depth > IDX_MAX_DEPTH)
		return 0;
	while (p < end) {
		uint64_t tag, len;

		if (idx_varint(&p, end, &tag) != 0)
			return 0;
		switch (tag & 7) {
		case 0:
			if (idx_varint(&p, end, &len) != 0)
				return 0;
			break;
		case 1:
			if ((size_t)(end - p) < 8)
				return 0;
			p += 8;
			break;
		case 5:
			if ((size_t)(end - p) < 4)
				return 0;
			p += 4;
			break;
		case 2:
			if (idx_varint(&p, end, &len) != 0 || len > (uint64_t)(end - p))
				return 0;
			if ((tag >> 3) == nest &&
			    !idx_depth_ok(p, (size_t)len, !is_record, depth + is_record))
				return 0;
			p += len;
			break;
		default:
			return 0;   /* groups: not in this schema */
		}
	}
	return 1;
}

Cx__Record *
idx_unpack(const uint8_t *leaf, size_t len)
{
	if (!idx_depth_ok(leaf, len, 1, 0)) {
		cx_seterr(CX_EFORMAT, "leaf nests corrections deeper than %d or is malformed",
		    IDX_MAX_DEPTH);
		return NULL;
	}
	return cx__record__unpack(NULL, len, leaf);
}

static int
idx_store_add(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	return store_keys_add(ctx, key, klen, val, vlen);
}

int
idx_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out)
{
	struct idx_out o = { idx_store_add, out };
	Cx__Record *r;
	int rc;

	(void)ctx;
	r = idx_unpack(leaf, len);
	if (r == NULL)
		return cx_seterr(CX_EFORMAT, "leaf %llu is not a record", (unsigned long long)index);
	rc = idx_record_keys(r, log, index, &o);
	cx__record__free_unpacked(r, NULL);
	return rc;
}

/* ---- keys computed ahead of an append ------------------------------------ */

int
idx_buf_add(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct idx_buf *b = ctx;
	size_t need = 4 + klen + vlen;

	if (klen > 0xffff || vlen > 0xffff)
		return cx_seterr(CX_ETOOBIG, "index entry of %zu + %zu bytes", klen, vlen);
	if (b->len + need > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : (size_t)4 << 20;
		uint8_t *nk;

		while (nc < b->len + need)
			nc *= 2;
		if ((nk = realloc(b->keys, nc)) == NULL)
			return CX_ENOMEM;
		b->keys = nk;
		b->cap = nc;
	}
	b->keys[b->len] = (uint8_t)(klen >> 8);
	b->keys[b->len + 1] = (uint8_t)klen;
	b->keys[b->len + 2] = (uint8_t)(vlen >> 8);
	b->keys[b->len + 3] = (uint8_t)vlen;
	memcpy(b->keys + b->len + 4, key, klen);
	if (vlen)
		memcpy(b->keys + b->len + 4 + klen, val, vlen);
	b->len += need;
	return 0;
}

int
idx_buf_leaf(struct idx_buf *b)
{
	if (b->n + 2 > b->ncap) {
		size_t nc = b->ncap ? b->ncap * 2 : 4096;
		size_t *no = realloc(b->offs, nc * sizeof(*no));

		if (no == NULL)
			return CX_ENOMEM;
		b->offs = no;
		b->ncap = nc;
		if (b->n == 0)
			b->offs[0] = 0;
	}
	b->offs[++b->n] = b->len;
	return 0;
}

int
idx_buf_indexer(void *ctx, uint32_t log, uint64_t index, const uint8_t *leaf, size_t len,
    struct store_keys *out)
{
	struct idx_buf *b = ctx;
	size_t i = (size_t)(index - b->base), p, end;
	int rc;

	(void)log;
	(void)leaf;
	(void)len;
	if (index < b->base || i >= b->n)
		return cx_seterr(CX_EINVAL, "leaf %llu is not in this batch", (unsigned long long)index);
	for (p = b->offs[i], end = b->offs[i + 1]; p < end;) {
		size_t kl = (size_t)b->keys[p] << 8 | b->keys[p + 1];
		size_t vl = (size_t)b->keys[p + 2] << 8 | b->keys[p + 3];

		if ((rc = store_keys_add(out, b->keys + p + 4, kl, vl ? b->keys + p + 4 + kl : NULL,
		    vl)) != 0)
			return rc;
		p += 4 + kl + vl;
	}
	return 0;
}

void
idx_buf_reset(struct idx_buf *b, uint64_t base)
{
	b->len = 0;
	b->n = 0;
	b->base = base;
	if (b->offs != NULL)
		b->offs[0] = 0;
}

void
idx_buf_free(struct idx_buf *b)
{
	free(b->keys);
	free(b->offs);
	memset(b, 0, sizeof(*b));
}
