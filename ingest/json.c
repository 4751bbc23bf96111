/*
 * json.c — records as JSON and back (the mapping is in json.h).
 *
 * The mapping is driven by the protobuf-c descriptors generated from
 * proto/cxnode.proto rather than written field by field: one walker turns
 * any message into an object and one parser fills any message from an
 * object. A field added to the schema therefore appears in the JSON form at
 * once and round-trips exactly, and the two directions cannot drift apart.
 * The few fields whose JSON form is not implied by their protobuf type are
 * recognised by type and name:
 *
 *   uint32 (other than "schema")   a date, "YYYY-MM-DD"
 *   uint64 "issued_at"             RFC 3339 UTC time
 *   bytes                          hex
 *   Subject.id_number, Subject.legal_rep_id_number   masked on request
 *
 * Exactness: the leaf of a log is the packed record, so JSON -> record ->
 * JSON -> record must give identical bytes. Zero scalars and empty strings
 * are left out (proto3 does not pack them either); a present sub-message is
 * always written, even when empty ({}), because protobuf packs an empty
 * sub-message and a missing one differently.
 *
 * Parsing is a single pass over the text with no document tree: a
 * hand-written tokenizer walks the line with a cursor and every value goes
 * straight into its field. The descriptors are turned once (pthread_once)
 * into lookup tables: per message a small hash of its field names, per
 * field what to do with its value, per enum its lower-case names. The
 * work per line is then one scan of each token, one malloc per string and
 * per sub-message, and nothing else:
 *
 *   "name":"杭州…"     scan to the closing quote, checking UTF-8 and
 *                      escapes -> malloc(len + 1) -> memcpy (or decode
 *                      the escapes straight into that buffer)
 *   "types":[..]       array grown by doubling, count always exact
 *   "subject":{..}     malloc + init, then the same loop one level down
 *
 * A key given twice is caught by one bit per field of the message. The
 * key path of an error is not kept as text while parsing: each message
 * level has a frame on the C stack (its current key and its parent) and
 * the path is written out only when something fails.
 *
 * The record is built in place, allocating every part with malloc() and
 * keeping the message consistent at every step (an array is stored with
 * its count, a oneof member with its case), so that on any error the
 * partial tree is released by protobuf_c_message_free_unpacked. Errors are
 * found in document order, syntax and schema alike, so the error reported
 * is the first thing wrong in the line.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credit/codes.h"
#include "ingest/json.h"
#include "ingest/jsonl.h"
#include "ingest/text.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

static int json_emit_msg(json_t **out, const ProtobufCMessage *m, int mask, int depth);

static int
json_is_date_field(const ProtobufCFieldDescriptor *f)
{
	return f->type == PROTOBUF_C_TYPE_UINT32 && strcmp(f->name, "schema") != 0;
}

static int
json_is_time_field(const ProtobufCFieldDescriptor *f)
{
	return f->type == PROTOBUF_C_TYPE_UINT64 && strcmp(f->name, "issued_at") == 0;
}

static int
json_is_masked_field(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f)
{
	return d == &cx__subject__descriptor &&
	    (strcmp(f->name, "id_number") == 0 || strcmp(f->name, "legal_rep_id_number") == 0);
}

/* ---------------------------------------------------------------- dates */

/* Strict "YYYY-MM-DD" of a real date into *ymd. */
static int
json_parse_date(uint32_t *ymd, const char *s, size_t len)
{
	uint32_t y = 0, m, d;
	size_t i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (uint32_t)(s[i] - '0');
	m = (uint32_t)(s[5] - '0') * 10 + (uint32_t)(s[6] - '0');
	d = (uint32_t)(s[8] - '0') * 10 + (uint32_t)(s[9] - '0');
	*ymd = y * 10000 + m * 100 + d;
	return date_valid(*ymd) ? 0 : -1;
}

static int
json_digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" or with a "+HH:MM" / "-HH:MM" offset, no
 * fraction, into unix seconds. The date must be a real date from 1970 on.
 */
static int
json_parse_time(uint64_t *out, const char *s, size_t len)
{
	int hh, mi, ss, oh = 0, om = 0, sign = 0;
	uint32_t ymd;
	int32_t days;
	int64_t t;

	if (len < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	if (s[4] != '-' || s[7] != '-')
		return -1;
	{
		int y, m, d;

		if (json_digits(s, 4, &y) || json_digits(s + 5, 2, &m) || json_digits(s + 8, 2, &d))
			return -1;
		ymd = (uint32_t)(y * 10000 + m * 100 + d);
	}
	if (json_digits(s + 11, 2, &hh) || json_digits(s + 14, 2, &mi) ||
	    json_digits(s + 17, 2, &ss))
		return -1;
	if (hh > 23 || mi > 59 || ss > 59)
		return -1;
	if (len == 20 && (s[19] == 'Z' || s[19] == 'z')) {
		sign = 0;
	} else if (len == 25 && (s[19] == '+' || s[19] == '-') && s[22] == ':') {
		if (json_digits(s + 20, 2, &oh) || json_digits(s + 23, 2, &om) || oh > 23 || om > 59)
			return -1;
		sign = s[19] == '+' ? 1 : -1;
	} else {
		return -1;
	}
	days = date_days(ymd);
	if (days == INT32_MIN || date_from_days(days) != ymd)
		return -1;
	t = (int64_t)days * 86400 + hh * 3600 + mi * 60 + ss - sign * (oh * 3600 + om * 60);
	if (t < 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

static int
json_format_time(char out[21], uint64_t t)
{
	uint32_t ymd;
	unsigned sec;

	if (t > (uint64_t)INT32_MAX * 86400)
		return -1;
	ymd = date_from_days((int32_t)(t / 86400));
	if (ymd == 0 || ymd > 99991231)
		return -1;
	sec = (unsigned)(t % 86400);
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", ymd / 10000, ymd / 100 % 100,
	    ymd % 100, sec / 3600, sec / 60 % 60, sec % 60);
	return 0;
}

/* ---------------------------------------------------------------- enums */

int
json_enum_name(char *out, size_t cap, const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
	size_t i;

	if (ev == NULL || strlen(ev->name) >= cap)
		return -1;
	for (i = 0; ev->name[i] != '\0'; i++) {
		char c = ev->name[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[i] = '\0';
	return 0;
}

/* ---------------------------------------------------------------- output */

static int
json_put(json_t *obj, const char *key, json_t *v)
{
	if (v == NULL)
		return CX_ENOMEM;
	if (json_object_set_new(obj, key, v) != 0)
		return CX_ENOMEM;
	return 0;
}

static json_t *
json_str(const char *s, int *bad)
{
	json_t *j = json_string(s);

	if (j == NULL && !text_utf8_valid((const uint8_t *)s, strlen(s)))
		*bad = 1;
	return j;
}

static int
json_emit_enum(json_t **out, const ProtobufCEnumDescriptor *d, int v)
{
	char name[64];

	if (json_enum_name(name, sizeof(name), d, v) != 0)
		return cx_seterr(CX_EINVAL, "%s: no value %d", d->name, v);
	if ((*out = json_string(name)) == NULL)
		return CX_ENOMEM;
	return 0;
}

/* The JSON value of one singular field, or *out NULL when it is absent. */
static int
json_emit_field(json_t **out, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
    int mask, int depth)
{
	const char *base = (const char *)m;
	const void *p = base + f->offset;
	int bad = 0;

	*out = NULL;
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		char masked[128];

		if (s == NULL || s[0] == '\0')
			return 0;
		if (mask && json_is_masked_field(m->descriptor, f)) {
			codes_mask_id(masked, sizeof(masked), s);
			s = masked;
		}
		if ((*out = json_str(s, &bad)) == NULL)
			return bad ? cx_seterr(CX_EINVAL, "%s: not UTF-8", f->name) : CX_ENOMEM;
		return 0;
	}
	case PROTOBUF_C_TYPE_UINT32: {
		uint32_t v = *(const uint32_t *)p;
		char d[11];

		if (v == 0)
			return 0;
		if (json_is_date_field(f)) {
			if (!date_valid(v))
				return cx_seterr(CX_EINVAL, "%s: %" PRIu32 " is not a date", f->name, v);
			date_format(d, v);
			*out = json_string(d);
		} else {
			*out = json_integer((json_int_t)v);
		}
		return *out ? 0 : CX_ENOMEM;
	}
	case PROTOBUF_C_TYPE_UINT64: {
		uint64_t v = *(const uint64_t *)p;
		char t[21];

		if (v == 0)
			return 0;
		if (json_is_time_field(f)) {
			if (json_format_time(t, v) != 0)
				return cx_seterr(CX_EINVAL, "%s: %" PRIu64 " out of range", f->name, v);
			*out = json_string(t);
		} else {
			if (v > INT64_MAX)
				return cx_seterr(CX_EINVAL, "%s: %" PRIu64 " out of range", f->name, v);
			*out = json_integer((json_int_t)v);
		}
		return *out ? 0 : CX_ENOMEM;
	}
	case PROTOBUF_C_TYPE_INT64: {
		int64_t v = *(const int64_t *)p;

		if (v == 0)
			return 0;
		return (*out = json_integer((json_int_t)v)) ? 0 : CX_ENOMEM;
	}
	case PROTOBUF_C_TYPE_INT32: {
		int32_t v = *(const int32_t *)p;

		if (v == 0)
			return 0;
		return (*out = json_integer(v)) ? 0 : CX_ENOMEM;
	}
	case PROTOBUF_C_TYPE_BOOL:
		return (*out = json_boolean(*(const protobuf_c_boolean *)p)) ? 0 : CX_ENOMEM;
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;

		if (v == 0)
			return 0;
		return json_emit_enum(out, f->descriptor, v);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		char *hex;

		if (b->len == 0)
			return 0;
		if ((hex = malloc(HEX_LEN(b->len))) == NULL)
			return CX_ENOMEM;
		hex_encode(hex, b->data, b->len);
		*out = json_string(hex);
		free(hex);
		return *out ? 0 : CX_ENOMEM;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;

		if (sub == NULL)
			return 0;
		return json_emit_msg(out, sub, mask, depth + 1);
	}
	default:
		return cx_seterr(CX_EINVAL, "%s: field type %d not supported", f->name, (int)f->type);
	}
}

static int
json_emit_repeated(json_t **out, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const char *base = (const char *)m;
	size_t n = *(const size_t *)(base + f->quantifier_offset), i;
	const void *arr = *(void *const *)(base + f->offset);
	json_t *a, *v;
	int rc, bad = 0;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((a = json_array()) == NULL)
		return CX_ENOMEM;
	for (i = 0; i < n; i++) {
		v = NULL;
		switch (f->type) {
		case PROTOBUF_C_TYPE_STRING:
			v = json_str(((char *const *)arr)[i], &bad);
			if (v == NULL) {
				rc = bad ? cx_seterr(CX_EINVAL, "%s: not UTF-8", f->name) : CX_ENOMEM;
				goto fail;
			}
			break;
		case PROTOBUF_C_TYPE_ENUM:
			if ((rc = json_emit_enum(&v, f->descriptor, ((const int *)arr)[i])) != 0)
				goto fail;
			break;
		default:
			rc = cx_seterr(CX_EINVAL, "%s: repeated field type %d not supported", f->name,
			    (int)f->type);
			goto fail;
		}
		if (json_array_append_new(a, v) != 0) {
			rc = CX_ENOMEM;
			goto fail;
		}
	}
	*out = a;
	return 0;
fail:
	json_decref(a);
	return rc;
}

static int
json_emit_msg(json_t **out, const ProtobufCMessage *m, int mask, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	json_t *obj, *v;
	unsigned i;
	int rc;

	*out = NULL;
	if (depth > JSON_RECORD_MAX_DEPTH)
		return cx_seterr(CX_EINVAL, "messages nested deeper than %d", JSON_RECORD_MAX_DEPTH);
	if ((obj = json_object()) == NULL)
		return CX_ENOMEM;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			rc = json_emit_repeated(&v, m, f);
		else
			rc = json_emit_field(&v, m, f, mask, depth);
		if (rc != 0)
			goto fail;
		if (v != NULL && (rc = json_put(obj, f->name, v)) != 0)
			goto fail;
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return rc;
}

int
json_from_record(json_t **out, const Cx__Record *r, int mask_ids)
{
	if (out == NULL)
		return cx_seterr(CX_EINVAL, "json_from_record: out is NULL");
	*out = NULL;
	if (r == NULL)
		return cx_seterr(CX_EINVAL, "json_from_record: record is NULL");
	return json_emit_msg(out, &r->base, mask_ids, 1);
}

int
json_record_line(char **out, size_t *len, const Cx__Record *r)
{
	struct json_buf b = { 0 };
	int rc;

	if (out == NULL)
		return cx_seterr(CX_EINVAL, "json_record_line: out is NULL");
	*out = NULL;
	if ((rc = json_line_append(&b, r)) != 0) {
		json_buf_free(&b);
		return rc;
	}
	b.p[--b.len] = '\0';   /* the newline becomes the terminator */
	*out = b.p;
	if (len != NULL)
		*len = b.len;
	return 0;
}

/* ---------------------------------------------------------------- input */

/*
 * Schema tables, built once (pthread_once) from the descriptors reachable
 * from Cx__Record: per message a small open-addressing hash of its field
 * names, per field the action the decoder takes, per enum its lower-case
 * value names. Fixed-size static pools: nothing to free, nothing shared
 * that is written after the build.
 */
#define JSON_TAB_MSGS    64
#define JSON_TAB_FIELDS  1024
#define JSON_TAB_ENUMS   64
#define JSON_TAB_VALUES  1024
#define JSON_TAB_NAMES   16384
#define JSON_TAB_SLOTS   256                   /* per message, power of two */
#define JSON_MAX_FIELDS  (JSON_TAB_SLOTS / 2)  /* per message */

enum json_kind {
	JSON_K_UNSUP, JSON_K_STRING, JSON_K_DATE, JSON_K_U32, JSON_K_TIME, JSON_K_U64,
	JSON_K_I64, JSON_K_I32, JSON_K_BOOL, JSON_K_ENUM, JSON_K_BYTES, JSON_K_MSG,
	JSON_K_RSTRING, JSON_K_RENUM, JSON_K_RUNSUP
};

struct json_enumval {
	const char *name;   /* lower case, NUL-terminated */
	size_t len;
	int value;
};

struct json_enumtab {
	const ProtobufCEnumDescriptor *d;
	const struct json_enumval *v;
	unsigned n;
};

struct json_msgtab;

struct json_field {
	const ProtobufCFieldDescriptor *f;
	const struct json_msgtab *sub;    /* JSON_K_MSG */
	const struct json_enumtab *en;    /* JSON_K_ENUM, JSON_K_RENUM */
	size_t namelen;
	unsigned index;                   /* in d->fields: the duplicate bit */
	enum json_kind kind;
};

struct json_msgtab {
	const ProtobufCMessageDescriptor *d;
	const struct json_field *fields;  /* d->n_fields, in d->fields order */
	uint16_t slot[JSON_TAB_SLOTS];    /* 0 empty, else field index + 1 */
};

static struct {
	struct json_msgtab msg[JSON_TAB_MSGS];
	struct json_field field[JSON_TAB_FIELDS];
	struct json_enumtab en[JSON_TAB_ENUMS];
	struct json_enumval val[JSON_TAB_VALUES];
	char names[JSON_TAB_NAMES];
	unsigned nmsg, nfield, nen, nval, nnames;
	int ok;
} json_tab;
static pthread_once_t json_tab_once = PTHREAD_ONCE_INIT;

static inline unsigned
json_tab_hash(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	return ((unsigned)n * 67u + (unsigned)(uint8_t)k[0] * 31u +
	    (unsigned)(uint8_t)k[n - 1] * 7u + (unsigned)(uint8_t)k[n / 2]) & (JSON_TAB_SLOTS - 1);
}

static const struct json_enumtab *
json_tab_enum(const ProtobufCEnumDescriptor *d)
{
	struct json_enumtab *t;
	unsigned i;

	for (i = 0; i < json_tab.nen; i++)
		if (json_tab.en[i].d == d)
			return &json_tab.en[i];
	if (json_tab.nen == JSON_TAB_ENUMS || d->n_values > JSON_TAB_VALUES - json_tab.nval)
		return NULL;
	t = &json_tab.en[json_tab.nen++];
	t->d = d;
	t->v = &json_tab.val[json_tab.nval];
	t->n = d->n_values;
	for (i = 0; i < d->n_values; i++) {
		struct json_enumval *v = &json_tab.val[json_tab.nval++];
		char *name = json_tab.names + json_tab.nnames;
		size_t cap = JSON_TAB_NAMES - json_tab.nnames;

		if (json_enum_name(name, cap, d, d->values[i].value) != 0)
			return NULL;
		v->name = name;
		v->len = strlen(name);
		v->value = d->values[i].value;
		json_tab.nnames += (unsigned)v->len + 1;
	}
	return t;
}

static enum json_kind
json_tab_kind(const ProtobufCFieldDescriptor *f)
{
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		switch (f->type) {
		case PROTOBUF_C_TYPE_STRING: return JSON_K_RSTRING;
		case PROTOBUF_C_TYPE_ENUM: return JSON_K_RENUM;
		default: return JSON_K_RUNSUP;
		}
	}
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: return JSON_K_STRING;
	case PROTOBUF_C_TYPE_UINT32: return json_is_date_field(f) ? JSON_K_DATE : JSON_K_U32;
	case PROTOBUF_C_TYPE_UINT64: return json_is_time_field(f) ? JSON_K_TIME : JSON_K_U64;
	case PROTOBUF_C_TYPE_INT64: return JSON_K_I64;
	case PROTOBUF_C_TYPE_INT32: return JSON_K_I32;
	case PROTOBUF_C_TYPE_BOOL: return JSON_K_BOOL;
	case PROTOBUF_C_TYPE_ENUM: return JSON_K_ENUM;
	case PROTOBUF_C_TYPE_BYTES: return JSON_K_BYTES;
	case PROTOBUF_C_TYPE_MESSAGE: return JSON_K_MSG;
	default: return JSON_K_UNSUP;
	}
}

/* The table of message d, built (with those of its sub-messages) if new. */
static const struct json_msgtab *
json_tab_msg(const ProtobufCMessageDescriptor *d)
{
	struct json_msgtab *t;
	struct json_field *fs;
	unsigned i, h;

	for (i = 0; i < json_tab.nmsg; i++)
		if (json_tab.msg[i].d == d)
			return &json_tab.msg[i];
	if (json_tab.nmsg == JSON_TAB_MSGS || d->n_fields > JSON_MAX_FIELDS ||
	    d->n_fields > JSON_TAB_FIELDS - json_tab.nfield)
		return NULL;
	/* registered before its fields, so that recursive messages end */
	t = &json_tab.msg[json_tab.nmsg++];
	fs = &json_tab.field[json_tab.nfield];
	json_tab.nfield += d->n_fields;
	t->d = d;
	t->fields = fs;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		fs[i].f = f;
		fs[i].index = i;
		fs[i].namelen = strlen(f->name);
		fs[i].kind = json_tab_kind(f);
		if (fs[i].kind == JSON_K_MSG && (fs[i].sub = json_tab_msg(f->descriptor)) == NULL)
			return NULL;
		if ((fs[i].kind == JSON_K_ENUM || fs[i].kind == JSON_K_RENUM) &&
		    (fs[i].en = json_tab_enum(f->descriptor)) == NULL)
			return NULL;
		h = json_tab_hash(f->name, fs[i].namelen);
		while (t->slot[h] != 0)
			h = (h + 1) & (JSON_TAB_SLOTS - 1);
		t->slot[h] = (uint16_t)(i + 1);
	}
	return t;
}

static void
json_tab_build(void)
{
	json_tab.ok = json_tab_msg(&cx__record__descriptor) == &json_tab.msg[0];
}

static inline const struct json_field *
json_tab_find(const struct json_msgtab *t, const char *k, size_t n)
{
	unsigned h = json_tab_hash(k, n), s;

	while ((s = t->slot[h]) != 0) {
		const struct json_field *fl = &t->fields[s - 1];

		if (fl->namelen == n && memcmp(fl->f->name, k, n) == 0)
			return fl;
		h = (h + 1) & (JSON_TAB_SLOTS - 1);
	}
	return NULL;
}

/*
 * The decoder. One pass over line[0..len) with a cursor; every read is
 * bounded by the end (the line need not be NUL-terminated). The key path
 * of an error is not kept as text while parsing: each message level has a
 * frame on the C stack naming its current key (or array index) and its
 * parent, and the path is only written out when something fails.
 */
struct json_in {
	const char *s, *p, *e;   /* start, cursor, end */
	char msg[600];
};

struct json_frame {
	const struct json_frame *up;
	const char *key;         /* the key (decoded), not NUL-terminated */
	size_t klen;
	size_t index;            /* array element when key is NULL */
};

/* The key path of fr into path[256], cut like a 256-byte path buffer. */
static void
json_path(char *path, size_t cap, const struct json_frame *fr)
{
	const struct json_frame *chain[2 * JSON_RECORD_MAX_DEPTH + 8];
	size_t n = 0, o = 0, k;

	path[0] = '\0';
	for (; fr != NULL && n < sizeof(chain) / sizeof(chain[0]); fr = fr->up)
		chain[n++] = fr;
	while (n-- > 0) {
		fr = chain[n];
		if (fr->key == NULL) {
			snprintf(path + o, cap - o, "[%zu]", fr->index);
			o += strlen(path + o);
			continue;
		}
		if (o > 0 && o + 1 < cap)
			path[o++] = '.';
		k = fr->klen;
		if (k > cap - 1 - o)
			k = cap - 1 - o;
		memcpy(path + o, fr->key, k);
		o += k;
		path[o] = '\0';
	}
}

/* A schema error at frame fr: "path: what"; returns CX_EFORMAT. */
__attribute__((format(printf, 3, 4)))
static int
json_fail(struct json_in *x, const struct json_frame *fr, const char *fmt, ...)
{
	char what[300], path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	json_path(path, sizeof(path), fr);
	if (path[0] != '\0')
		snprintf(x->msg, sizeof(x->msg), "%s: %s", path, what);
	else
		snprintf(x->msg, sizeof(x->msg), "%s", what);
	return CX_EFORMAT;
}

/* A syntax error at byte at: "not JSON: what (column N)", N counting
 * characters from 1; returns CX_EFORMAT. */
__attribute__((format(printf, 3, 4)))
static int
json_bad(struct json_in *x, const char *at, const char *fmt, ...)
{
	char what[300];
	const char *q;
	size_t col = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (q = x->s; q < at; q++)
		if (((uint8_t)*q & 0xC0) != 0x80)
			col++;
	snprintf(x->msg, sizeof(x->msg), "not JSON: %s (column %zu)", what, col);
	return CX_EFORMAT;
}

/* The unexpected byte at x->p (or the end) as a syntax error. */
static int
json_bad_here(struct json_in *x, const char *wanted)
{
	uint8_t c;

	if (x->p >= x->e)
		return json_bad(x, x->p, "unexpected end of input, expected %s", wanted);
	c = (uint8_t)*x->p;
	if (c >= 0x20 && c < 0x7F)
		return json_bad(x, x->p, "unexpected '%c', expected %s", c, wanted);
	return json_bad(x, x->p, "unexpected byte 0x%02x, expected %s", c, wanted);
}

static inline void
json_ws(struct json_in *x)
{
	const char *p = x->p, *e = x->e;

	while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	x->p = p;
}

static int
json_hex4(const char *p, unsigned *v)
{
	unsigned i, c, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = (uint8_t)p[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/*
 * A JSON string token at x->p (which is '"'): checks it and leaves the
 * cursor after the closing quote. *body, *n is the text between the quotes
 * as it stands; *esc is set if it holds escapes (then json_unescape gives
 * the value, which is never longer than n). Refused: control characters,
 * bytes that are not well-formed UTF-8 (RFC 3629), unknown escapes,
 * \u0000 and unpaired surrogates.
 */
static int
json_lex_string(struct json_in *x, const char **body, size_t *n, int *esc)
{
	const uint8_t *p = (const uint8_t *)x->p + 1, *e = (const uint8_t *)x->e, *q;
	unsigned cp, lo;
	int escaped = 0;

	*body = (const char *)p;
	for (;;) {
		/* the common case: a run of printable ASCII */
		while (p < e && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p >= e)
			return json_bad(x, (const char *)p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			escaped = 1;
			if (p + 1 >= e)
				return json_bad(x, (const char *)p, "unterminated string");
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				break;
			default:
				return json_bad(x, (const char *)p, "invalid escape");
			}
			if (e - p < 6 || json_hex4((const char *)p + 2, &cp) != 0)
				return json_bad(x, (const char *)p, "invalid \\u escape");
			if (cp == 0)
				return json_bad(x, (const char *)p, "\\u0000 is not allowed");
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return json_bad(x, (const char *)p, "unpaired surrogate \\u%04X", cp);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (e - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				    json_hex4((const char *)p + 8, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
					return json_bad(x, (const char *)p, "unpaired surrogate \\u%04X", cp);
				p += 12;
			} else {
				p += 6;
			}
			continue;
		}
		if (*p < 0x20)
			return json_bad(x, (const char *)p, "control character 0x%02x in string", *p);
		/* a UTF-8 sequence: lead byte, then the allowed second byte */
		q = p;
		if (*p >= 0xC2 && *p <= 0xDF) {
			if (e - p < 2 || (p[1] & 0xC0) != 0x80)
				goto bad_utf8;
			p += 2;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			if (e - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
			    (*p == 0xE0 && p[1] < 0xA0) || (*p == 0xED && p[1] > 0x9F))
				goto bad_utf8;
			p += 3;
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			if (e - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
			    (p[3] & 0xC0) != 0x80 || (*p == 0xF0 && p[1] < 0x90) ||
			    (*p == 0xF4 && p[1] > 0x8F))
				goto bad_utf8;
			p += 4;
		} else {
			goto bad_utf8;
		}
		continue;
bad_utf8:
		return json_bad(x, (const char *)q, "invalid UTF-8 in string");
	}
	*n = (size_t)(p - (const uint8_t *)*body);
	*esc = escaped;
	x->p = (const char *)p + 1;
	return 0;
}

static size_t
json_utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The value of string body s[0..n) (checked by json_lex_string) into
 * out[0..cap): returns the bytes written, stopping before a character
 * that would not fit (*cut set then). No NUL is written.
 */
static size_t
json_unescape(char *out, size_t cap, const char *s, size_t n, int *cut)
{
	size_t i = 0, o = 0, k;
	unsigned cp, lo;
	char tmp[4];

	*cut = 0;
	while (i < n) {
		if (s[i] != '\\') {
			const char *bs = memchr(s + i, '\\', n - i);

			k = bs ? (size_t)(bs - (s + i)) : n - i;
			if (k > cap - o) {
				/* cut at a character boundary */
				k = cap - o;
				while (k > 0 && ((uint8_t)s[i + k] & 0xC0) == 0x80)
					k--;
				memcpy(out + o, s + i, k);
				*cut = 1;
				return o + k;
			}
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		switch (s[i + 1]) {
		case 'b': tmp[0] = '\b'; k = 1; i += 2; break;
		case 'f': tmp[0] = '\f'; k = 1; i += 2; break;
		case 'n': tmp[0] = '\n'; k = 1; i += 2; break;
		case 'r': tmp[0] = '\r'; k = 1; i += 2; break;
		case 't': tmp[0] = '\t'; k = 1; i += 2; break;
		case 'u':
			(void)json_hex4(s + i + 2, &cp);
			i += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				(void)json_hex4(s + i + 2, &lo);
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 6;
			}
			k = json_utf8_put(tmp, cp);
			break;
		default:   /* " \ / */
			tmp[0] = s[i + 1];
			k = 1;
			i += 2;
			break;
		}
		if (k > cap - o) {
			*cut = 1;
			return o;
		}
		memcpy(out + o, tmp, k);
		o += k;
	}
	return o;
}

/* A string value that must be short (key, enum, date, time): its text in
 * *v, *vn, decoded into buf[cap] if it has escapes (cut there: *cut). */
static int
json_short_string(struct json_in *x, const char **v, size_t *vn, char *buf, size_t cap, int *cut)
{
	int rc, esc;

	if ((rc = json_lex_string(x, v, vn, &esc)) != 0)
		return rc;
	*cut = 0;
	if (esc) {
		*vn = json_unescape(buf, cap, *v, *vn, cut);
		*v = buf;
	}
	return 0;
}

/* A JSON number token: sign, magnitude if an integer that fits 64 bits. */
struct json_num {
	const char *text;
	size_t len;
	uint64_t mag;
	int neg, isint, big;
};

static int
json_lex_number(struct json_in *x, struct json_num *nm)
{
	const char *p = x->p, *e = x->e;
	unsigned d;

	nm->text = p;
	nm->mag = 0;
	nm->neg = nm->big = 0;
	nm->isint = 1;
	if (p < e && *p == '-') {
		nm->neg = 1;
		p++;
	}
	if (p < e && *p == '0') {
		p++;
	} else if (p < e && *p >= '1' && *p <= '9') {
		for (; p < e && *p >= '0' && *p <= '9'; p++) {
			d = (unsigned)(*p - '0');
			if (nm->mag > (UINT64_MAX - d) / 10)
				nm->big = 1;
			else
				nm->mag = nm->mag * 10 + d;
		}
	} else {
		return json_bad(x, p, "invalid number");
	}
	if (p < e && *p == '.') {
		nm->isint = 0;
		if (++p >= e || *p < '0' || *p > '9')
			return json_bad(x, p, "invalid number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		nm->isint = 0;
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return json_bad(x, p, "invalid number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	nm->len = (size_t)(p - nm->text);
	x->p = p;
	return 0;
}

/* 1 if the literal word (true, false, null) is at x->p; the cursor moves
 * past it then. */
static inline int
json_lex_literal(struct json_in *x, const char *word, size_t n)
{
	if ((size_t)(x->e - x->p) >= n && memcmp(x->p, word, n) == 0) {
		x->p += n;
		return 1;
	}
	return 0;
}

/*
 * The error for a value of the wrong type at x->p: "expected <what>, got
 * <type>", or a syntax error if no JSON value starts there.
 */
static int
json_wrong(struct json_in *x, const struct json_frame *fr, const char *what)
{
	struct json_num nm;
	const char *got;
	int rc;

	if (x->p >= x->e)
		return json_bad_here(x, "a value");
	switch (*x->p) {
	case '{': got = "object"; break;
	case '[': got = "array"; break;
	case '"': got = "string"; break;
	case 't':
		if (!json_lex_literal(x, "true", 4))
			return json_bad_here(x, "a value");
		got = "boolean";
		break;
	case 'f':
		if (!json_lex_literal(x, "false", 5))
			return json_bad_here(x, "a value");
		got = "boolean";
		break;
	case 'n':
		if (!json_lex_literal(x, "null", 4))
			return json_bad_here(x, "a value");
		got = "null";
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if ((rc = json_lex_number(x, &nm)) != 0)
			return rc;
		got = nm.isint ? "integer" : "number";
		break;
	default:
		return json_bad_here(x, "a value");
	}
	return json_fail(x, fr, "expected %s, got %s", what, got);
}

/* An integer value in [lo, hi] into *v. */
static int
json_int(struct json_in *x, const struct json_frame *fr, int64_t lo, int64_t hi, int64_t *v)
{
	struct json_num nm;
	int rc;

	if (x->p >= x->e || (*x->p != '-' && (*x->p < '0' || *x->p > '9')))
		return json_wrong(x, fr, "integer");
	if ((rc = json_lex_number(x, &nm)) != 0)
		return rc;
	if (!nm.isint)
		return json_fail(x, fr, "expected integer, got number");
	if (nm.big || (!nm.neg && nm.mag > (uint64_t)INT64_MAX) ||
	    (nm.neg && nm.mag > (uint64_t)INT64_MAX + 1))
		goto range;
	if (nm.neg)
		*v = nm.mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)nm.mag;
	else
		*v = (int64_t)nm.mag;
	if (*v < lo || *v > hi)
		goto range;
	return 0;
range:
	return json_fail(x, fr, "%.*s out of range", (int)(nm.len < 40 ? nm.len : 40), nm.text);
}

/* The table entry of the enum value named s[0..n), or NULL. */
static const struct json_enumval *
json_enum_find(const struct json_enumtab *t, const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].len == n && memcmp(t->v[i].name, s, n) == 0)
			return &t->v[i];
	return NULL;
}

static int
json_enum_in(struct json_in *x, const struct json_frame *fr, const struct json_enumtab *t, int *out)
{
	const struct json_enumval *ev;
	const char *s;
	char buf[64];
	size_t n;
	int rc, cut;

	if (x->p >= x->e || *x->p != '"')
		return json_wrong(x, fr, "string");
	if ((rc = json_short_string(x, &s, &n, buf, sizeof(buf), &cut)) != 0)
		return rc;
	if (cut || (ev = json_enum_find(t, s, n)) == NULL)
		return json_fail(x, fr, "unknown value \"%.*s\"", (int)(n < 60 ? n : 60), s);
	*out = ev->value;
	return 0;
}

/* A string value into a new malloc'd NUL-terminated *out. */
static int
json_string_in(struct json_in *x, const struct json_frame *fr, char **out)
{
	const char *s;
	size_t n;
	char *v;
	int rc, esc, cut;

	if (x->p >= x->e || *x->p != '"')
		return json_wrong(x, fr, "string");
	if ((rc = json_lex_string(x, &s, &n, &esc)) != 0)
		return rc;
	if ((v = malloc(n + 1)) == NULL)
		return CX_ENOMEM;
	if (esc)
		n = json_unescape(v, n, s, n, &cut);
	else
		memcpy(v, s, n);
	v[n] = '\0';
	*out = v;
	return 0;
}

static int
json_bytes_in(struct json_in *x, const struct json_frame *fr, ProtobufCBinaryData *b)
{
	const char *s;
	char *tmp = NULL;
	uint8_t *data;
	size_t n;
	int rc, esc, cut;

	if (x->p >= x->e || *x->p != '"')
		return json_wrong(x, fr, "hex string");
	if ((rc = json_lex_string(x, &s, &n, &esc)) != 0)
		return rc;
	if (esc) {
		if ((tmp = malloc(n ? n : 1)) == NULL)
			return CX_ENOMEM;
		n = json_unescape(tmp, n, s, n, &cut);
		s = tmp;
	}
	rc = 0;
	if (n == 0 || n % 2 != 0) {
		rc = json_fail(x, fr, "expected hex string");
		goto out;
	}
	if ((data = malloc(n / 2)) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	if (hex_decode(data, n / 2, s, n) != 0) {
		free(data);
		rc = json_fail(x, fr, "expected hex string");
		goto out;
	}
	free(b->data);
	b->data = data;
	b->len = n / 2;
out:
	free(tmp);
	return rc;
}

static int json_msg_in(struct json_in *x, const struct json_frame *up,
    const struct json_msgtab *t, ProtobufCMessage *m, int depth);

/* Repeated string or enum field fl of m from a JSON array. The array grows
 * by doubling; the count is kept exact so that a failure frees cleanly. */
static int
json_array_in(struct json_in *x, struct json_frame *fr, ProtobufCMessage *m,
    const struct json_field *fl)
{
	const ProtobufCFieldDescriptor *f = fl->f;
	size_t *np = (size_t *)((char *)m + f->quantifier_offset), cap = 0;
	void **ap = (void **)((char *)m + f->offset);
	size_t esz = fl->kind == JSON_K_RSTRING ? sizeof(char *) : sizeof(int);
	struct json_frame el;
	void *grown;
	int rc;

	if (x->p >= x->e || *x->p != '[')
		return json_wrong(x, fr, "array");
	x->p++;
	json_ws(x);
	if (x->p < x->e && *x->p == ']') {
		x->p++;
		return 0;
	}
	el.up = fr;
	el.key = NULL;
	el.klen = 0;
	for (el.index = 0;; el.index++) {
		if (*np == cap) {
			cap = cap ? cap * 2 : 4;
			if ((grown = realloc(*ap, cap * esz)) == NULL)
				return CX_ENOMEM;
			*ap = grown;
		}
		if (fl->kind == JSON_K_RSTRING)
			rc = json_string_in(x, &el, &((char **)*ap)[*np]);
		else
			rc = json_enum_in(x, &el, fl->en, &((int *)*ap)[*np]);
		if (rc != 0)
			return rc;
		(*np)++;
		json_ws(x);
		if (x->p < x->e && *x->p == ',') {
			x->p++;
			json_ws(x);
			continue;
		}
		if (x->p < x->e && *x->p == ']') {
			x->p++;
			return 0;
		}
		return json_bad_here(x, "',' or ']'");
	}
}

/* The value of field fl of m (not null, not a repeated field). */
static int
json_value_in(struct json_in *x, struct json_frame *fr, ProtobufCMessage *m,
    const struct json_field *fl, int depth)
{
	const ProtobufCFieldDescriptor *f = fl->f;
	void *p = (char *)m + f->offset;
	const char *s;
	char buf[64];
	size_t n;
	int64_t iv;
	int rc, cut;

	switch (fl->kind) {
	case JSON_K_STRING: {
		char **sp = p, *v;

		if ((rc = json_string_in(x, fr, &v)) != 0)
			return rc;
		if (*sp != NULL && *sp != protobuf_c_empty_string)
			free(*sp);
		*sp = v;
		return 0;
	}
	case JSON_K_DATE:
		if (x->p >= x->e || *x->p != '"')
			return json_wrong(x, fr, "date \"YYYY-MM-DD\"");
		if ((rc = json_short_string(x, &s, &n, buf, sizeof(buf), &cut)) != 0)
			return rc;
		if (cut || json_parse_date(p, s, n) != 0)
			return json_fail(x, fr, "not a date (%.*s)", (int)(n < 40 ? n : 40), s);
		return 0;
	case JSON_K_TIME:
		if (x->p >= x->e || *x->p != '"')
			return json_wrong(x, fr, "RFC 3339 time");
		if ((rc = json_short_string(x, &s, &n, buf, sizeof(buf), &cut)) != 0)
			return rc;
		if (cut || json_parse_time(p, s, n) != 0)
			return json_fail(x, fr, "not an RFC 3339 time (%.*s)", (int)(n < 40 ? n : 40), s);
		return 0;
	case JSON_K_U32:
		if ((rc = json_int(x, fr, 0, UINT32_MAX, &iv)) != 0)
			return rc;
		*(uint32_t *)p = (uint32_t)iv;
		return 0;
	case JSON_K_U64:
		if ((rc = json_int(x, fr, 0, INT64_MAX, &iv)) != 0)
			return rc;
		*(uint64_t *)p = (uint64_t)iv;
		return 0;
	case JSON_K_I64:
		if ((rc = json_int(x, fr, INT64_MIN, INT64_MAX, &iv)) != 0)
			return rc;
		*(int64_t *)p = iv;
		return 0;
	case JSON_K_I32:
		if ((rc = json_int(x, fr, INT32_MIN, INT32_MAX, &iv)) != 0)
			return rc;
		*(int32_t *)p = (int32_t)iv;
		return 0;
	case JSON_K_BOOL:
		if (json_lex_literal(x, "true", 4))
			*(protobuf_c_boolean *)p = 1;
		else if (json_lex_literal(x, "false", 5))
			*(protobuf_c_boolean *)p = 0;
		else
			return json_wrong(x, fr, "boolean");
		return 0;
	case JSON_K_ENUM:
		return json_enum_in(x, fr, fl->en, p);
	case JSON_K_BYTES:
		return json_bytes_in(x, fr, p);
	case JSON_K_MSG: {
		const ProtobufCMessageDescriptor *sd = f->descriptor;
		ProtobufCMessage **mp = p, *sub;

		if (x->p >= x->e || *x->p != '{')
			return json_wrong(x, fr, "object");
		if (depth + 1 > JSON_RECORD_MAX_DEPTH)
			return json_fail(x, fr, "nested deeper than %d", JSON_RECORD_MAX_DEPTH);
		if ((sub = malloc(sd->sizeof_message)) == NULL)
			return CX_ENOMEM;
		sd->message_init(sub);
		if (*mp != NULL)
			protobuf_c_message_free_unpacked(*mp, NULL);
		*mp = sub;
		x->p++;
		return json_msg_in(x, fr, fl->sub, sub, depth + 1);
	}
	case JSON_K_RSTRING:
	case JSON_K_RENUM:
		return json_array_in(x, fr, m, fl);
	case JSON_K_RUNSUP:
		if (x->p >= x->e || *x->p != '[')
			return json_wrong(x, fr, "array");
		return json_fail(x, fr, "repeated field type %d not supported", (int)f->type);
	default:
		return json_fail(x, fr, "field type %d not supported", (int)f->type);
	}
}

/*
 * The members of an object (the cursor is just after its '{') into m,
 * whose table is t, at nesting depth depth. Keys are looked up in t as
 * they come; a bit per field catches a key given twice.
 */
static int
json_msg_in(struct json_in *x, const struct json_frame *up, const struct json_msgtab *t,
    ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = t->d;
	uint64_t seen[JSON_MAX_FIELDS / 64] = { 0 };
	const struct json_field *fl;
	struct json_frame fr;
	const char *keyat;
	char kbuf[264];   /* > path length + a character: the same cut path */
	int rc, cut;

	fr.up = up;
	fr.index = 0;
	json_ws(x);
	if (x->p < x->e && *x->p == '}') {
		x->p++;
		return 0;
	}
	for (;;) {
		if (x->p >= x->e || *x->p != '"')
			return json_bad_here(x, "a key");
		keyat = x->p;
		if ((rc = json_short_string(x, &fr.key, &fr.klen, kbuf, sizeof(kbuf), &cut)) != 0)
			return rc;
		json_ws(x);
		if (x->p >= x->e || *x->p != ':')
			return json_bad_here(x, "':'");
		x->p++;
		json_ws(x);
		if (cut || (fl = json_tab_find(t, fr.key, fr.klen)) == NULL)
			return json_fail(x, &fr, "unknown key");
		if (seen[fl->index / 64] & (uint64_t)1 << (fl->index % 64))
			return json_bad(x, keyat, "duplicate key \"%.*s\"", (int)fr.klen, fr.key);
		seen[fl->index / 64] |= (uint64_t)1 << (fl->index % 64);
		if (!json_lex_literal(x, "null", 4)) {
			if (fl->f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
				uint32_t *cs = (uint32_t *)((char *)m + fl->f->quantifier_offset);
				unsigned j;

				if (*cs != 0 && *cs != fl->f->id) {
					for (j = 0; j < d->n_fields; j++)
						if (d->fields[j].id == *cs)
							break;
					return json_fail(x, &fr, "only one body allowed (also %s)",
					    j < d->n_fields ? d->fields[j].name : "another");
				}
				/* the case is set before the member is made, so that
				 * a failure part way frees it */
				*cs = fl->f->id;
			}
			if ((rc = json_value_in(x, &fr, m, fl, depth)) != 0)
				return rc;
		}
		json_ws(x);
		if (x->p < x->e && *x->p == ',') {
			x->p++;
			json_ws(x);
			continue;
		}
		if (x->p < x->e && *x->p == '}') {
			x->p++;
			return 0;
		}
		return json_bad_here(x, "',' or '}'");
	}
}

int
json_to_record(Cx__Record **out, const char *line, size_t len, char *err, size_t errcap)
{
	struct json_in x;
	Cx__Record *r = NULL;
	int rc;

	x.msg[0] = '\0';
	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return cx_seterr(CX_EINVAL, "json_to_record: out is NULL");
	*out = NULL;
	if (line == NULL && len > 0)
		return cx_seterr(CX_EINVAL, "json_to_record: line is NULL");
	x.s = x.p = line ? line : "";
	if (pthread_once(&json_tab_once, json_tab_build) != 0 || !json_tab.ok) {
		snprintf(x.msg, sizeof(x.msg), "json_to_record: schema too large for the decoder tables");
		rc = CX_EINVAL;
		goto out;
	}
	x.e = x.s + len;
	json_ws(&x);
	if (x.p < x.e && *x.p == '[') {
		rc = json_fail(&x, NULL, "expected a JSON object, got array");
		goto out;
	}
	if (x.p >= x.e || *x.p != '{') {
		rc = json_bad_here(&x, "'{'");
		goto out;
	}
	x.p++;
	if ((r = malloc(sizeof(*r))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	cx__record__init(r);
	if ((rc = json_msg_in(&x, NULL, &json_tab.msg[0], &r->base, 1)) != 0)
		goto out;
	json_ws(&x);
	if (x.p < x.e) {
		rc = json_bad(&x, x.p, "unexpected data after the object");
		goto out;
	}
	*out = r;
	r = NULL;
out:
	json_record_free(r);
	if (rc == CX_ENOMEM && x.msg[0] == '\0')
		snprintf(x.msg, sizeof(x.msg), "out of memory");
	if (rc != 0) {
		if (err != NULL && errcap > 0)
			snprintf(err, errcap, "%s", x.msg);
		cx_seterr(rc, "%s", x.msg);
	}
	return rc;
}

void
json_record_free(Cx__Record *r)
{
	if (r != NULL)
		protobuf_c_message_free_unpacked(&r->base, NULL);
}
