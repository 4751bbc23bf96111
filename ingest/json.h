/*
 * json.h — records as JSON, one object per line (JSON Lines).
 *
 * The JSON form mirrors proto/cxnode.proto field by field (docs/formats.md
 * has the schema and one example line per kind):
 *
 *   field names     as in the .proto (snake_case)
 *   strings         JSON strings (UTF-8); "" and absent are the same
 *   enums           lower-case value names without prefix: "penalty",
 *                   "legal_person", "resident_id", "fine", "serious",
 *                   "repair"; the zero value ("unspecified") is written by
 *                   leaving the key out
 *   dates (uint32)  "YYYY-MM-DD", a real calendar date; absent when 0
 *   issued_at       RFC 3339 UTC "2024-05-01T08:00:00Z" (an offset such as
 *                   "+08:00" is accepted on input and converted)
 *   money           integer fen in fine_fen / confiscated_fen
 *   schema, index   JSON integers
 *   leaf_hash       lower-case hex (upper case accepted on input)
 *   fulfilled       JSON true / false
 *   body            an object under its oneof name: "penalty", "licence",
 *                   "list_entry", "evaluation", "commitment", "outcome",
 *                   "admin" or "change" (at most one)
 *   refs            {"record_id": ..., "index": N, "leaf_hash": hex}
 *   replacement     a nested record object (status changes)
 *
 * Output leaves out every field that holds its zero value (proto3 style)
 * except booleans, which are always written. Parsing then serialising a
 * record gives back exactly the same record, for every field of every kind.
 *
 * Memory: records made here and by shgs_row are ordinary protobuf-c
 * messages whose every part was allocated with malloc(): free them with
 * json_record_free() or, equivalently,
 * protobuf_c_message_free_unpacked(&r->base, NULL). Fields may be replaced
 * by the caller with other malloc()'d values.
 */
#ifndef CX_JSON_H
#define CX_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "proto/cxnode.pb-c.h"

/* Nesting limit: messages inside messages (a record is depth 1, its
 * change's replacement record depth 3). Deeper input is CX_EFORMAT. */
#define JSON_RECORD_MAX_DEPTH 16

/*
 * Parse one JSON object from line[0..len) (surrounding white space allowed,
 * nothing else after the object) into a new record. Unknown keys are an
 * error (a typo must not be silently dropped), as are duplicate keys, wrong
 * types, unknown enum names, bad dates, numbers out of range and two bodies.
 * On success *out is the record (free with json_record_free). On failure
 * *out is NULL, the return is CX_EFORMAT (or CX_ENOMEM) and err[0..errcap)
 * (may be NULL) gets a message naming the key path, e.g.
 * "penalty.fine_fen: expected integer",
 * "change.replacement.subject.nmae: unknown key",
 * "decision_date: not a date (2023-02-30)"; text that is not JSON (RFC
 * 8259: bad syntax, invalid UTF-8, control characters, \u0000, unpaired
 * surrogates, a key given twice) gives "not JSON: <what> (column N)", N
 * counting characters from 1. The message is about the first fault in the
 * line, reading left to right. The thread's error detail is set to the same
 * text. Thread-safe; one pass over the line, no tree.
 */
int json_to_record(Cx__Record **out, const char *line, size_t len, char *err, size_t errcap);

/*
 * Build the JSON object of record r. If mask_ids is non-zero, identity
 * numbers (subject.id_number and subject.legal_rep_id_number, also inside a
 * replacement) are written masked by codes_mask_id (credit/codes.h,
 * "110105********002X").
 * On success *out is a new reference the caller releases with json_decref().
 * Keys appear in .proto field order. Returns 0, CX_EINVAL (r NULL, a string
 * that is not UTF-8, a value out of range) or CX_ENOMEM; *out NULL then.
 */
int json_from_record(json_t **out, const Cx__Record *r, int mask_ids);

/*
 * The record as compact one-line JSON (no newline), unmasked: the JSON
 * Lines form json_to_record reads back. On success *out is a new
 * NUL-terminated string the caller frees with free() and *len (may be NULL)
 * its length. Returns 0, CX_EINVAL or CX_ENOMEM.
 */
int json_record_line(char **out, size_t *len, const Cx__Record *r);

/*
 * The JSON name of enum value v of d (the value name in lower case,
 * "penalty", "repair") into out[0..cap). Returns 0, or -1 if v is not a
 * value of d or the name does not fit.
 */
int json_enum_name(char *out, size_t cap, const ProtobufCEnumDescriptor *d, int v);

/*
 * Free a record made by json_to_record or shgs_row (or any protobuf-c
 * message tree allocated with malloc). NULL is allowed.
 */
void json_record_free(Cx__Record *r);

#endif
