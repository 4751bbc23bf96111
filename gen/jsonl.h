/*
 * jsonl.h — a fast writer of the JSON Lines import form of records.
 *
 * It writes, byte for byte, what json_record_line() (ingest/json.h) writes
 * for the same record, followed by a newline, but straight into a growing
 * buffer instead of through a jansson tree: about ten times faster, which
 * is what lets `cxnode generate` write its output at the speed it makes
 * it. tests/gen_test.c compares the two on every generated record; the
 * form itself is defined by ingest/json.h and docs/formats.md.
 *
 * Strings must be valid UTF-8 (the generator's are): they are copied with
 * JSON escapes, not checked.
 */
#ifndef CX_GEN_JSONL_H
#define CX_GEN_JSONL_H

#include <stddef.h>

#include "proto/cxnode.pb-c.h"

/* A growing output buffer; zero-initialise it, free with gen_buf_free. */
struct gen_buf {
	char *p;
	size_t len, cap;
};

/*
 * Append the compact JSON of r and a '\n' to b (b->len grows). Returns 0,
 * CX_ENOMEM, or CX_EINVAL (detail set) for a value the form cannot carry
 * (a date field that is not a date, an enum value without a name, nesting
 * deeper than JSON_RECORD_MAX_DEPTH); b->len is unchanged on failure.
 */
int gen_jsonl(struct gen_buf *b, const Cx__Record *r);

/* Free b's memory and zero it; NULL is allowed. */
void gen_buf_free(struct gen_buf *b);

#endif
