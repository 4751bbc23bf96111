/*
 * jsonl.c — JSON Lines form of a record, written directly (see jsonl.h).
 *
 * The walk is driven by the protobuf-c descriptors, in descriptor order,
 * with the rules of ingest/json.h:
 *
 *   string         omitted when empty; escaped as jansson escapes
 *                  (\" \\ \b \f \n \r \t, other controls \u00XX)
 *   uint32         "YYYY-MM-DD" (every uint32 except `schema`, an integer);
 *                  omitted when 0
 *   uint64         issued_at as "YYYY-MM-DDTHH:MM:SSZ", others integers;
 *                  omitted when 0
 *   int32, int64   integers; omitted when 0
 *   bool           always written, true / false
 *   enum           lower-case value name; omitted when 0
 *   bytes          lower-case hex; omitted when empty
 *   message        nested object; omitted when NULL
 *   repeated       array of strings or enum names; omitted when empty
 *   oneof          only the member that is set
 *
 * Output is compact: no spaces after ',' or ':'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/jsonl.h"
#include "ingest/json.h"
#include "util/date.h"
#include "util/err.h"

static int
json_line_reserve(struct json_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return cx_seterr(CX_ENOMEM, "JSON buffer");
	b->p = p;
	b->cap = cap;
	return 0;
}

#define JSON_LINE_PUT(b, s, n) do {                                     \
	if (json_line_reserve((b), (n)) != 0)                           \
		return CX_ENOMEM;                                       \
	memcpy((b)->p + (b)->len, (s), (n));                            \
	(b)->len += (n);                                                \
} while (0)

/* 1 if any byte of the 8-byte word v needs an escape: < 0x20, '"' or '\\'.
 * Each test is exact about "some byte" (not about which one). */
static int
json_line_word_special(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high ? 1 : 0;
}

/* 1 if s[0..n) has a byte that needs an escape. */
static int
json_line_needs_escape(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (json_line_word_special(w))
			return 1;
	}
	if (i < n) {
		w = 0x2020202020202020ull;   /* pad with spaces, which need none */
		memcpy(&w, s + i, n - i);
		return json_line_word_special(w);
	}
	return 0;
}

static int
json_line_str(struct json_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i;
	char *o;

	if (!json_line_needs_escape(s, n)) {
		if (json_line_reserve(b, n + 2) != 0)
			return CX_ENOMEM;
		o = b->p + b->len;
		*o++ = '"';
		memcpy(o, s, n);
		o[n] = '"';
		b->len += n + 2;
		return 0;
	}
	/* worst case: every byte becomes \u00XX */
	if (json_line_reserve(b, n * 6 + 2) != 0)
		return CX_ENOMEM;
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			break;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	return 0;
}

static int
json_line_int(struct json_buf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[sizeof(tmp) - 1 - n++] = '-';
	JSON_LINE_PUT(b, tmp + sizeof(tmp) - n, (size_t)n);
	return 0;
}

static int
json_line_key(struct json_buf *b, int *first, const char *name)
{
	size_t n = strlen(name);

	if (json_line_reserve(b, n + 4) != 0)
		return CX_ENOMEM;
	if (!*first)
		b->p[b->len++] = ',';
	*first = 0;
	b->p[b->len++] = '"';
	memcpy(b->p + b->len, name, n);
	b->len += n;
	b->p[b->len++] = '"';
	b->p[b->len++] = ':';
	return 0;
}

static int
json_line_enum(struct json_buf *b, const ProtobufCEnumDescriptor *d, int v)
{
	char name[64];

	if (json_enum_name(name, sizeof(name), d, v) != 0)
		return cx_seterr(CX_EINVAL, "%s: no value %d", d->name, v);
	return json_line_str(b, name);
}

static int
json_line_time(struct json_buf *b, const char *field, uint64_t t)
{
	char s[24];
	uint32_t ymd, sec;

	if (t > (uint64_t)INT32_MAX * 86400 ||
	    (ymd = date_from_days((int32_t)(t / 86400))) == 0 || ymd > 99991231)
		return cx_seterr(CX_EINVAL, "%s: %llu out of range", field, (unsigned long long)t);
	sec = (uint32_t)(t % 86400);
	date_format(s, ymd);
	s[10] = 'T';
	s[11] = (char)('0' + sec / 36000);
	s[12] = (char)('0' + sec / 3600 % 10);
	s[13] = ':';
	s[14] = (char)('0' + sec / 60 % 60 / 10);
	s[15] = (char)('0' + sec / 60 % 10);
	s[16] = ':';
	s[17] = (char)('0' + sec % 60 / 10);
	s[18] = (char)('0' + sec % 10);
	s[19] = 'Z';
	s[20] = '\0';
	return json_line_str(b, s);
}

static int json_line_msg(struct json_buf *b, const ProtobufCMessage *m, int depth);

static int
json_line_field(struct json_buf *b, int *first, const ProtobufCMessage *m,
    const ProtobufCFieldDescriptor *f, int depth)
{
	const void *p = (const char *)m + f->offset;
	int rc;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;

		if (s == NULL || s[0] == '\0')
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		return json_line_str(b, s);
	}
	case PROTOBUF_C_TYPE_UINT32: {
		uint32_t v = *(const uint32_t *)p;
		char d[11];

		if (v == 0)
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		if (strcmp(f->name, "schema") == 0)
			return json_line_int(b, v);
		if (!date_valid(v))
			return cx_seterr(CX_EINVAL, "%s: %u is not a date", f->name, v);
		date_format(d, v);
		return json_line_str(b, d);
	}
	case PROTOBUF_C_TYPE_UINT64: {
		uint64_t v = *(const uint64_t *)p;

		if (v == 0)
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		if (strcmp(f->name, "issued_at") == 0)
			return json_line_time(b, f->name, v);
		if (v > INT64_MAX)
			return cx_seterr(CX_EINVAL, "%s: out of range", f->name);
		return json_line_int(b, (int64_t)v);
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_INT32: {
		int64_t v = f->type == PROTOBUF_C_TYPE_INT64 ? *(const int64_t *)p :
		    *(const int32_t *)p;

		if (v == 0)
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		return json_line_int(b, v);
	}
	case PROTOBUF_C_TYPE_BOOL:
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		if (*(const protobuf_c_boolean *)p)
			JSON_LINE_PUT(b, "true", 4);
		else
			JSON_LINE_PUT(b, "false", 5);
		return 0;
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;

		if (v == 0)
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		return json_line_enum(b, f->descriptor, v);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		static const char hex[] = "0123456789abcdef";
		const ProtobufCBinaryData *d = p;
		size_t i;

		if (d->len == 0)
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		if (json_line_reserve(b, d->len * 2 + 2) != 0)
			return CX_ENOMEM;
		b->p[b->len++] = '"';
		for (i = 0; i < d->len; i++) {
			b->p[b->len++] = hex[d->data[i] >> 4];
			b->p[b->len++] = hex[d->data[i] & 15];
		}
		b->p[b->len++] = '"';
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;

		if (sub == NULL)
			return 0;
		if ((rc = json_line_key(b, first, f->name)) != 0)
			return rc;
		return json_line_msg(b, sub, depth + 1);
	}
	default:
		return cx_seterr(CX_EINVAL, "%s: field type %d not supported", f->name, (int)f->type);
	}
}

static int
json_line_repeated(struct json_buf *b, int *first, const ProtobufCMessage *m,
    const ProtobufCFieldDescriptor *f)
{
	size_t n = *(const size_t *)((const char *)m + f->quantifier_offset), i;
	const void *arr = *(void *const *)((const char *)m + f->offset);
	int rc;

	if (n == 0)
		return 0;
	if ((rc = json_line_key(b, first, f->name)) != 0)
		return rc;
	JSON_LINE_PUT(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i)
			JSON_LINE_PUT(b, ",", 1);
		switch (f->type) {
		case PROTOBUF_C_TYPE_STRING:
			rc = json_line_str(b, ((char *const *)arr)[i]);
			break;
		case PROTOBUF_C_TYPE_ENUM:
			rc = json_line_enum(b, f->descriptor, ((const int *)arr)[i]);
			break;
		default:
			rc = cx_seterr(CX_EINVAL, "%s: repeated field type %d not supported", f->name,
			    (int)f->type);
			break;
		}
		if (rc != 0)
			return rc;
	}
	JSON_LINE_PUT(b, "]", 1);
	return 0;
}

static int
json_line_msg(struct json_buf *b, const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	unsigned i;
	int rc, first = 1;

	if (depth > JSON_RECORD_MAX_DEPTH)
		return cx_seterr(CX_EINVAL, "messages nested deeper than %d", JSON_RECORD_MAX_DEPTH);
	JSON_LINE_PUT(b, "{", 1);
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			rc = json_line_repeated(b, &first, m, f);
		else
			rc = json_line_field(b, &first, m, f, depth);
		if (rc != 0)
			return rc;
	}
	JSON_LINE_PUT(b, "}", 1);
	return 0;
}

int
json_line_append(struct json_buf *b, const Cx__Record *r)
{
	size_t start;
	int rc;

	if (b == NULL || r == NULL)
		return cx_seterr(CX_EINVAL, "json_line_append: no buffer or no record");
	start = b->len;
	if ((rc = json_line_msg(b, &r->base, 1)) == 0 &&
	    (rc = json_line_reserve(b, 1)) == 0) {
		b->p[b->len++] = '\n';
		return 0;
	}
	b->len = start;
	return rc;
}

void
json_buf_free(struct json_buf *b)
{
	if (b == NULL)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}
