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
 * Parsing builds the record in place, allocating every part with malloc()
 * and keeping the message consistent at every step (an array is stored with
 * its count, a oneof member with its case), so that on any error the
 * partial tree is released by protobuf_c_message_free_unpacked. Keys are
 * checked in document order, so the first error reported is the first one
 * in the line.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/json.h"
#include "ingest/text.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

/* Error context of one parse: the key path and the message buffer. */
struct json_ctx {
	char path[256];
	char msg[600];
};

static int json_parse_msg(struct json_ctx *x, ProtobufCMessage *m, json_t *obj, int depth);
static int json_emit_msg(json_t **out, const ProtobufCMessage *m, int mask, int depth);

/* Set the error "path: what" and return CX_EFORMAT. */
__attribute__((format(printf, 2, 3)))
static int
json_fail(struct json_ctx *x, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (x->path[0] != '\0')
		snprintf(x->msg, sizeof(x->msg), "%s: %s", x->path, what);
	else
		snprintf(x->msg, sizeof(x->msg), "%s", what);
	return CX_EFORMAT;
}

/* Append ".key" (or "key" at the top) to the path; returns the old length. */
static size_t
json_path_push(struct json_ctx *x, const char *key)
{
	size_t n = strlen(x->path), o = n, k = strlen(key);

	/* hot path (every key of every line): no printf */
	if (o > 0 && o + 1 < sizeof(x->path))
		x->path[o++] = '.';
	if (k > sizeof(x->path) - 1 - o)
		k = sizeof(x->path) - 1 - o;
	memcpy(x->path + o, key, k);
	x->path[o + k] = '\0';
	return n;
}

static size_t
json_path_index(struct json_ctx *x, size_t i)
{
	size_t n = strlen(x->path);

	snprintf(x->path + n, sizeof(x->path) - n, "[%zu]", i);
	return n;
}

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

/* Lower-case name of enum value v into out, or -1 if v is not a value. */
static int
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

/* Value of the lower-case enum name s, or -1 if none. */
static int
json_enum_value(const ProtobufCEnumDescriptor *d, const char *s, int *v)
{
	unsigned i;
	char name[64];

	for (i = 0; i < d->n_values; i++) {
		if (json_enum_name(name, sizeof(name), d, d->values[i].value) != 0)
			continue;
		if (strcmp(name, s) == 0) {
			*v = d->values[i].value;
			return 0;
		}
	}
	return -1;
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
			text_mask_id(masked, sizeof(masked), s);
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
	json_t *j = NULL;
	char *s;
	int rc;

	if (out == NULL)
		return cx_seterr(CX_EINVAL, "json_record_line: out is NULL");
	*out = NULL;
	if ((rc = json_from_record(&j, r, 0)) != 0)
		return rc;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		return CX_ENOMEM;
	*out = s;
	if (len != NULL)
		*len = strlen(s);
	return 0;
}

/* ---------------------------------------------------------------- input */

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static int
json_want_string(struct json_ctx *x, json_t *v, const char *what)
{
	if (!json_is_string(v))
		return json_fail(x, "expected %s, got %s", what, json_type_name(v));
	return 0;
}

static int
json_want_int(struct json_ctx *x, json_t *v, json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v))
		return json_fail(x, "expected integer, got %s", json_type_name(v));
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return json_fail(x, "%" JSON_INTEGER_FORMAT " out of range", *out);
	return 0;
}

static int
json_parse_enum(struct json_ctx *x, const ProtobufCEnumDescriptor *d, json_t *v, int *out)
{
	int rc;

	if ((rc = json_want_string(x, v, "string")) != 0)
		return rc;
	if (json_enum_value(d, json_string_value(v), out) != 0)
		return json_fail(x, "unknown value \"%.60s\"", json_string_value(v));
	return 0;
}

/* Fill singular field f of m from v. */
static int
json_parse_field(struct json_ctx *x, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
    json_t *v, int depth)
{
	char *base = (char *)m;
	void *p = base + f->offset;
	json_int_t iv;
	int rc;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		char **sp = p, *s;

		if ((rc = json_want_string(x, v, "string")) != 0)
			return rc;
		if ((s = strdup(json_string_value(v))) == NULL)
			return CX_ENOMEM;
		if (*sp != NULL && *sp != protobuf_c_empty_string)
			free(*sp);
		*sp = s;
		return 0;
	}
	case PROTOBUF_C_TYPE_UINT32:
		if (json_is_date_field(f)) {
			uint32_t ymd;

			if ((rc = json_want_string(x, v, "date \"YYYY-MM-DD\"")) != 0)
				return rc;
			if (json_parse_date(&ymd, json_string_value(v), json_string_length(v)) != 0)
				return json_fail(x, "not a date (%.40s)", json_string_value(v));
			*(uint32_t *)p = ymd;
			return 0;
		}
		if ((rc = json_want_int(x, v, 0, UINT32_MAX, &iv)) != 0)
			return rc;
		*(uint32_t *)p = (uint32_t)iv;
		return 0;
	case PROTOBUF_C_TYPE_UINT64:
		if (json_is_time_field(f)) {
			if ((rc = json_want_string(x, v, "RFC 3339 time")) != 0)
				return rc;
			if (json_parse_time(p, json_string_value(v), json_string_length(v)) != 0)
				return json_fail(x, "not an RFC 3339 time (%.40s)", json_string_value(v));
			return 0;
		}
		if ((rc = json_want_int(x, v, 0, INT64_MAX, &iv)) != 0)
			return rc;
		*(uint64_t *)p = (uint64_t)iv;
		return 0;
	case PROTOBUF_C_TYPE_INT64:
		if ((rc = json_want_int(x, v, INT64_MIN, INT64_MAX, &iv)) != 0)
			return rc;
		*(int64_t *)p = (int64_t)iv;
		return 0;
	case PROTOBUF_C_TYPE_INT32:
		if ((rc = json_want_int(x, v, INT32_MIN, INT32_MAX, &iv)) != 0)
			return rc;
		*(int32_t *)p = (int32_t)iv;
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return json_fail(x, "expected boolean, got %s", json_type_name(v));
		*(protobuf_c_boolean *)p = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		return json_parse_enum(x, f->descriptor, v, p);
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = p;
		size_t hl, n;
		uint8_t *data;

		if ((rc = json_want_string(x, v, "hex string")) != 0)
			return rc;
		hl = json_string_length(v);
		n = hl / 2;
		if (hl % 2 != 0 || hl == 0)
			return json_fail(x, "expected hex string");
		if ((data = malloc(n)) == NULL)
			return CX_ENOMEM;
		if (hex_decode(data, n, json_string_value(v), hl) != 0) {
			free(data);
			return json_fail(x, "expected hex string");
		}
		free(b->data);
		b->data = data;
		b->len = n;
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessageDescriptor *sd = f->descriptor;
		ProtobufCMessage **mp = p, *sub;

		if (!json_is_object(v))
			return json_fail(x, "expected object, got %s", json_type_name(v));
		if (depth + 1 > JSON_RECORD_MAX_DEPTH)
			return json_fail(x, "nested deeper than %d", JSON_RECORD_MAX_DEPTH);
		if ((sub = malloc(sd->sizeof_message)) == NULL)
			return CX_ENOMEM;
		sd->message_init(sub);
		if (*mp != NULL)
			protobuf_c_message_free_unpacked(*mp, NULL);
		*mp = sub;
		return json_parse_msg(x, sub, v, depth + 1);
	}
	default:
		return json_fail(x, "field type %d not supported", (int)f->type);
	}
}

/* Fill repeated field f of m from the array v. */
static int
json_parse_repeated(struct json_ctx *x, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
    json_t *v)
{
	char *base = (char *)m;
	size_t *np = (size_t *)(base + f->quantifier_offset), n, i, mark;
	void **ap = (void **)(base + f->offset);
	int rc = 0;

	if (!json_is_array(v))
		return json_fail(x, "expected array, got %s", json_type_name(v));
	if (*ap != NULL)
		return json_fail(x, "given twice");
	n = json_array_size(v);
	if (n == 0)
		return 0;
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		char **arr = calloc(n, sizeof(*arr));

		if (arr == NULL)
			return CX_ENOMEM;
		*ap = arr;
		for (i = 0; i < n; i++) {
			json_t *e = json_array_get(v, i);

			mark = json_path_index(x, i);
			if ((rc = json_want_string(x, e, "string")) != 0)
				break;
			x->path[mark] = '\0';
			if ((arr[i] = strdup(json_string_value(e))) == NULL) {
				rc = CX_ENOMEM;
				break;
			}
			*np = i + 1;
		}
		return rc;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int *arr = calloc(n, sizeof(*arr));

		if (arr == NULL)
			return CX_ENOMEM;
		*ap = arr;
		*np = n;
		for (i = 0; i < n; i++) {
			mark = json_path_index(x, i);
			if ((rc = json_parse_enum(x, f->descriptor, json_array_get(v, i), &arr[i])) != 0)
				return rc;
			x->path[mark] = '\0';
		}
		return 0;
	}
	default:
		return json_fail(x, "repeated field type %d not supported", (int)f->type);
	}
}

static int
json_parse_msg(struct json_ctx *x, ProtobufCMessage *m, json_t *obj, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *key;
	json_t *v;
	size_t mark;
	int rc;

	json_object_foreach(obj, key, v) {
		const ProtobufCFieldDescriptor *f =
		    protobuf_c_message_descriptor_get_field_by_name(d, key);

		mark = json_path_push(x, key);
		if (f == NULL)
			return json_fail(x, "unknown key");
		if (json_is_null(v)) {
			x->path[mark] = '\0';
			continue;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t *cs = (uint32_t *)((char *)m + f->quantifier_offset);
			unsigned j;

			if (*cs != 0 && *cs != f->id) {
				for (j = 0; j < d->n_fields; j++)
					if (d->fields[j].id == *cs)
						break;
				return json_fail(x, "only one body allowed (also %s)",
				    j < d->n_fields ? d->fields[j].name : "another");
			}
			/* members of a oneof are messages here: the case is set
			 * together with the pointer so that a failure can free */
			*cs = f->id;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			rc = json_parse_repeated(x, m, f, v);
		else
			rc = json_parse_field(x, m, f, v, depth);
		if (rc != 0)
			return rc;
		x->path[mark] = '\0';
	}
	return 0;
}

int
json_to_record(Cx__Record **out, const char *line, size_t len, char *err, size_t errcap)
{
	struct json_ctx x;
	json_error_t jerr;
	json_t *root = NULL;
	Cx__Record *r = NULL;
	int rc;

	x.path[0] = '\0';
	x.msg[0] = '\0';
	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return cx_seterr(CX_EINVAL, "json_to_record: out is NULL");
	*out = NULL;
	if (line == NULL && len > 0)
		return cx_seterr(CX_EINVAL, "json_to_record: line is NULL");
	root = json_loadb(line ? line : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(x.msg, sizeof(x.msg), "not JSON: %s (column %d)", jerr.text, jerr.column);
		rc = CX_EFORMAT;
		goto out;
	}
	if (!json_is_object(root)) {
		rc = json_fail(&x, "expected a JSON object, got %s", json_type_name(root));
		goto out;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	cx__record__init(r);
	if ((rc = json_parse_msg(&x, &r->base, root, 1)) != 0)
		goto out;
	*out = r;
	r = NULL;
out:
	json_decref(root);
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
