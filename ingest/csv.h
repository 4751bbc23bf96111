/*
 * csv.h — RFC 4180 CSV reader over a UTF-8 buffer.
 *
 *   file    = row *(EOL row) [EOL]
 *   row     = field *("," field)
 *   field   = quoted / bare
 *   quoted  = '"' *(any byte but '"' / '""') '"'   commas, CR and LF allowed
 *   bare    = *(any byte but ',' CR LF)            a '"' inside is kept as is
 *   EOL     = CRLF / LF / CR
 *
 * Differences from the letter of RFC 4180, chosen for real exports: LF and
 * lone CR end a row as well as CRLF; blank lines (no byte between two EOLs)
 * are skipped, so a trailing empty line gives no row; a UTF-8 BOM at the
 * start of the buffer is skipped; rows need not have equal field counts
 * (the 双公示 mapper decides). After a closing quote only ',' or an EOL may
 * follow. A NUL byte anywhere is an error (fields are C strings).
 *
 * The reader never copies the whole buffer: it decodes one row at a time
 * into its own scratch space. It does not check UTF-8 (text.h does).
 */
#ifndef CX_CSV_H
#define CX_CSV_H

#include <stddef.h>

/* Limits: a row of more fields than this is CX_ETOOBIG. */
#define CSV_MAX_FIELDS 4096

struct csv;  /* reader over a UTF-8 buffer */

/*
 * Open a reader over buf[0..len). The buffer is borrowed: it must stay
 * unchanged until csv_close. On success *out is a new reader the caller
 * closes with csv_close(). Returns 0 or CX_ENOMEM (*out NULL).
 */
int csv_open(struct csv **out, const char *buf, size_t len);

/*
 * Read the next row. On success *fields is an array of *nfields (>= 1)
 * NUL-terminated, unquoted field values and *line the 1-based physical line
 * on which the row starts (a quoted field may span lines). The array and
 * the strings belong to the reader and stay valid until the next csv_next
 * or csv_close; the strings may be modified in place by the caller.
 * Returns 0; CX_ENOTFOUND at the end of the buffer; CX_EFORMAT (detail:
 * "unterminated quoted field", "unexpected character after closing quote",
 * "NUL byte") or CX_ETOOBIG (more than CSV_MAX_FIELDS fields) with *line
 * set to the row's first line; CX_ENOMEM. Errors are sticky: after one,
 * every later call returns the same code.
 */
int csv_next(struct csv *c, char ***fields, size_t *nfields, size_t *line);

/* Close a reader and free its scratch space; NULL is allowed. */
void csv_close(struct csv *c);

#endif
