/*
 * csv.c — RFC 4180 CSV reader (grammar and deviations in csv.h).
 *
 * One pass over the borrowed buffer. Each csv_next decodes one row into a
 * scratch byte buffer owned by the reader, field after field, each followed
 * by a NUL; the field offsets are then turned into the pointer array handed
 * to the caller. Both grow as needed and are reused across rows, so reading
 * a million rows does a handful of allocations.
 *
 *   scratch: | f0 bytes |0| f1 bytes |0| ... | fn bytes |0|
 *              ^off[0]     ^off[1]             ^off[n]
 *
 * Line counting: every EOL (CRLF, LF or lone CR) outside or inside quotes
 * advances the physical line; a row reports the line it started on.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "util/err.h"

struct csv {
	const char *buf;
	size_t len;
	size_t pos;        /* next byte to read */
	size_t line;       /* physical line of buf[pos] */
	int err;           /* sticky error, 0 if none */
	size_t errline;

	char *scratch;     /* decoded fields of the current row */
	size_t scap;
	size_t slen;
	size_t *off;       /* start of each field in scratch */
	char **fields;     /* pointers handed out */
	size_t fcap;
};

int
csv_open(struct csv **out, const char *buf, size_t len)
{
	struct csv *c;

	if (out == NULL)
		return cx_seterr(CX_EINVAL, "csv_open: out is NULL");
	*out = NULL;
	if (buf == NULL && len > 0)
		return cx_seterr(CX_EINVAL, "csv_open: buffer is NULL");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return CX_ENOMEM;
	c->buf = buf != NULL ? buf : "";
	c->len = len;
	c->line = 1;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
	*out = c;
	return 0;
}

void
csv_close(struct csv *c)
{
	if (c == NULL)
		return;
	free(c->scratch);
	free(c->off);
	free(c->fields);
	free(c);
}

/* Make room for `more` bytes in the scratch buffer. */
static int
csv_reserve(struct csv *c, size_t more)
{
	size_t ncap;
	char *p;

	if (c->slen + more <= c->scap)
		return 0;
	ncap = c->scap ? c->scap : 256;
	while (ncap < c->slen + more)
		ncap *= 2;
	if ((p = realloc(c->scratch, ncap)) == NULL)
		return CX_ENOMEM;
	c->scratch = p;
	c->scap = ncap;
	return 0;
}

/* Append s[0..n) to the current field. */
static int
csv_put(struct csv *c, const char *s, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	if ((rc = csv_reserve(c, n)) != 0)
		return rc;
	memcpy(c->scratch + c->slen, s, n);
	c->slen += n;
	return 0;
}

/* Start field number i at the current scratch position. */
static int
csv_field_start(struct csv *c, size_t i)
{
	size_t ncap;
	size_t *o;
	char **f;

	if (i >= CSV_MAX_FIELDS)
		return CX_ETOOBIG;
	if (i >= c->fcap) {
		ncap = c->fcap ? c->fcap * 2 : 32;
		if ((o = realloc(c->off, ncap * sizeof(*o))) == NULL)
			return CX_ENOMEM;
		c->off = o;
		if ((f = realloc(c->fields, ncap * sizeof(*f))) == NULL)
			return CX_ENOMEM;
		c->fields = f;
		c->fcap = ncap;
	}
	c->off[i] = c->slen;
	return 0;
}

/* If buf[pos] starts an EOL, consume it, count the line and return 1. */
static int
csv_eol(struct csv *c)
{
	if (c->pos >= c->len)
		return 0;
	if (c->buf[c->pos] == '\n') {
		c->pos++;
	} else if (c->buf[c->pos] == '\r') {
		c->pos++;
		if (c->pos < c->len && c->buf[c->pos] == '\n')
			c->pos++;
	} else {
		return 0;
	}
	c->line++;
	return 1;
}

/* Fail the reader for good with code and detail. */
static int
csv_fail(struct csv *c, int code, const char *what, size_t startline, size_t *line)
{
	c->err = code;
	c->errline = startline;
	if (line != NULL)
		*line = startline;
	if (code == CX_ENOMEM)
		return code;
	return cx_seterr(code, "%s", what);
}

int
csv_next(struct csv *c, char ***fields, size_t *nfields, size_t *line)
{
	size_t nf = 0, start, i, run;
	const char *b;
	int rc;

	if (c == NULL)
		return cx_seterr(CX_EINVAL, "csv_next: reader is NULL");
	if (c->err != 0) {
		if (line != NULL)
			*line = c->errline;
		return c->err;
	}
	b = c->buf;
	/* blank lines are skipped */
	while (csv_eol(c))
		;
	if (c->pos >= c->len)
		return CX_ENOTFOUND;
	start = c->line;
	c->slen = 0;
	for (;;) {
		if ((rc = csv_field_start(c, nf)) != 0)
			return csv_fail(c, rc, "more than CSV_MAX_FIELDS fields in a row", start, line);
		nf++;
		if (c->pos < c->len && b[c->pos] == '"') {
			c->pos++;
			for (;;) {
				if (c->pos >= c->len)
					return csv_fail(c, CX_EFORMAT, "unterminated quoted field", start, line);
				run = c->pos;
				while (run < c->len && b[run] != '"' && b[run] != '\0' &&
				    b[run] != '\r' && b[run] != '\n')
					run++;
				if ((rc = csv_put(c, b + c->pos, run - c->pos)) != 0)
					return csv_fail(c, rc, "", start, line);
				c->pos = run;
				if (c->pos >= c->len)
					continue;
				if (b[c->pos] == '\0')
					return csv_fail(c, CX_EFORMAT, "NUL byte", start, line);
				if (b[c->pos] == '\r' || b[c->pos] == '\n') {
					size_t from = c->pos;

					csv_eol(c);
					if ((rc = csv_put(c, b + from, c->pos - from)) != 0)
						return csv_fail(c, rc, "", start, line);
					continue;
				}
				/* a quote: doubled, or the end of the field */
				if (c->pos + 1 < c->len && b[c->pos + 1] == '"') {
					if ((rc = csv_put(c, "\"", 1)) != 0)
						return csv_fail(c, rc, "", start, line);
					c->pos += 2;
					continue;
				}
				c->pos++;
				break;
			}
			if (c->pos < c->len && b[c->pos] != ',' && b[c->pos] != '\r' &&
			    b[c->pos] != '\n')
				return csv_fail(c, CX_EFORMAT,
				    "unexpected character after closing quote", start, line);
		} else {
			run = c->pos;
			while (run < c->len && b[run] != ',' && b[run] != '\r' && b[run] != '\n' &&
			    b[run] != '\0')
				run++;
			if (run < c->len && b[run] == '\0')
				return csv_fail(c, CX_EFORMAT, "NUL byte", start, line);
			if ((rc = csv_put(c, b + c->pos, run - c->pos)) != 0)
				return csv_fail(c, rc, "", start, line);
			c->pos = run;
		}
		if ((rc = csv_put(c, "", 1)) != 0)  /* the field's NUL */
			return csv_fail(c, rc, "", start, line);
		if (c->pos < c->len && b[c->pos] == ',') {
			c->pos++;
			continue;
		}
		csv_eol(c);  /* end of row: EOL or end of buffer */
		break;
	}
	for (i = 0; i < nf; i++)
		c->fields[i] = c->scratch + c->off[i];
	*fields = c->fields;
	*nfields = nf;
	if (line != NULL)
		*line = start;
	return 0;
}
