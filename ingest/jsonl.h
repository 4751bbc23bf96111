/*
 * jsonl.h — the writer of the JSON Lines form of records.
 *
 * It writes a record's compact JSON line (the form ingest/json.h defines
 * and docs/formats.md documents), followed by a newline, straight into a
 * growing buffer, about ten times faster than building a jansson tree:
 * json_record_line() and `cxnode generate` both use it. tests/gen_test.c
 * compares it with the tree writer json_from_record() on every generated
 * record, and json_to_record() reads every line back to the same bytes.
 *
 * Strings must be valid UTF-8 (records made by json_to_record, shgs_row
 * and the generator are): they are copied with JSON escapes, not checked.
 */
#ifndef CX_JSON_LINE_H
#define CX_JSON_LINE_H

#include <stddef.h>

#include "proto/cxnode.pb-c.h"

/* A growing output buffer; zero-initialise it, free with json_buf_free. */
struct json_buf {
	char *p;
	size_t len, cap;
};

/*
 * Append the compact JSON of r and a '\n' to b (b->len grows). Returns 0,
 * CX_ENOMEM, or CX_EINVAL (detail set) for a value the form cannot carry
 * (a date field that is not a date, an enum value without a name, nesting
 * deeper than JSON_RECORD_MAX_DEPTH); b->len is unchanged on failure.
 */
int json_line_append(struct json_buf *b, const Cx__Record *r);

/* Free b's memory and zero it; NULL is allowed. */
void json_buf_free(struct json_buf *b);

#endif
