/*
 * receipt.c — signed screening receipts: the statement's text, making one,
 * and checking one with the roster alone or against a node's own logs.
 *
 * The statement is line-oriented text (node/receipt.h draws it) so that a
 * person can read what was signed, and so that it can be parsed strictly:
 * one form per statement, every field checked, nothing else accepted. A
 * receipt document is read from whoever hands it over, so everything in it
 * is untrusted until its signature and digests verify; tests/fuzz has a
 * target for the statement parser and the verifier.
 *
 * Verification goes on after a problem, so that every reason is reported:
 * each check adds its problem to the result object and the next check
 * runs. Only when the statement itself cannot be read does it stop.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credit/codes.h"
#include "keys/cosig.h"
#include "keys/note.h"
#include "keys/roster.h"
#include "node/fed.h"
#include "node/receipt.h"
#include "node/role.h"
#include "util/codec.h"
#include "util/err.h"

/* ---- small helpers ---------------------------------------------------- */

static char *
receipt_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* 1 if s[0..n) has no ASCII control character (so it fits on one line). */
static int
receipt_line_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Strict decimal: no sign, no leading zero (but "0"), at most max. */
static int
receipt_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

void
receipt_time_format(char out[21], uint64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t > 253402300799ull || gmtime_r(&tt, &tm) == NULL) {
		strcpy(out, "?");
		return;
	}
	/* strftime: the fields are in range, the width is fixed */
	if (strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		strcpy(out, "?");
}

/* Parse exactly "YYYY-MM-DDTHH:MM:SSZ" (a real time, 1970..9999). */
static int
receipt_time_parse(const char *s, size_t n, uint64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int v[6], i, p;
	struct tm tm;
	time_t t;
	char back[21];

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -1;
	for (i = 0, p = 0; i < 6; i++) {
		int w = i == 0 ? 4 : 2, k;

		v[i] = 0;
		for (k = 0; k < w; k++, p++) {
			if (s[p] < '0' || s[p] > '9')
				return -1;
			v[i] = v[i] * 10 + (s[p] - '0');
		}
		p++;
	}
	if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
	    v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	if ((t = timegm(&tm)) == (time_t)-1 || t < 0)
		return -1;
	/* Feb 29 of a common year normalises to Mar 1: one form only */
	receipt_time_format(back, (uint64_t)t);
	if (memcmp(back, s, 20) != 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

/* ---- the statement ---------------------------------------------------- */

void
receipt_stmt_free(struct receipt_stmt *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->node);
	free(s->who);
	free(s->role);
	free(s->query);
	free(s->grades_digest);
	free(s->grades_version);
	for (i = 0; i < s->nlogs; i++)
		free(s->logs[i].origin);
	free(s->logs);
	memset(s, 0, sizeof(*s));
}

/* The query line must be a JSON object in canonical form: one form only. */
static int
receipt_query_ok(const char *q, size_t n)
{
	json_error_t je;
	json_t *j;
	char *c;
	size_t clen;
	int ok;

	j = json_loadb(q, n, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return 0;
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	c = screen_canonical(j, &clen);
	json_decref(j);
	ok = c != NULL && clen == n && memcmp(c, q, n) == 0;
	free(c);
	return ok;
}

static int
receipt_grades_digest_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 128)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

int
receipt_stmt_format(char **out, size_t *len, const struct receipt_stmt *s)
{
	char tbuf[21], hex[HEX_LEN(32)], b64[B64_LEN(TLOG_HASH_LEN)];
	char *buf = NULL;
	size_t cap = 0, i;
	FILE *f;
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (s->kind != RECEIPT_SCREENING && s->kind != RECEIPT_REPORT)
		return cx_seterr(CX_EINVAL, "receipt: unknown statement kind");
	if (s->node == NULL || !keys_name_valid(s->node, strlen(s->node)))
		return cx_seterr(CX_EINVAL, "receipt: node is not a key name");
	if (s->who == NULL || s->who[0] == '\0' || strlen(s->who) > 512 ||
	    !receipt_line_ok(s->who, strlen(s->who)))
		return cx_seterr(CX_EINVAL, "receipt: who must be one non-empty line");
	if (s->role == NULL || role_from_name(s->role) == 0)
		return cx_seterr(CX_EINVAL, "receipt: unknown role \"%s\"", s->role ? s->role : "");
	if (s->query == NULL || !receipt_query_ok(s->query, strlen(s->query)))
		return cx_seterr(CX_EINVAL, "receipt: the query is not a canonical JSON object");
	if (s->grades_digest == NULL ||
	    !receipt_grades_digest_ok(s->grades_digest, strlen(s->grades_digest)) ||
	    s->grades_version == NULL || s->grades_version[0] == '\0' ||
	    strlen(s->grades_version) > 256 ||
	    !receipt_line_ok(s->grades_version, strlen(s->grades_version)))
		return cx_seterr(CX_EINVAL, "receipt: bad grade table digest or version");
	receipt_time_format(tbuf, s->time);
	if (tbuf[0] == '?' || s->time > 253402300799ull)
		return cx_seterr(CX_EINVAL, "receipt: time out of range");
	if (s->nlogs > RECEIPT_MAX_LOGS)
		return cx_seterr(CX_ETOOBIG, "receipt: more than %d logs", RECEIPT_MAX_LOGS);
	for (i = 0; i < s->nlogs; i++) {
		const char *o = s->logs[i].origin;

		if (o == NULL || o[0] == '\0' || !receipt_line_ok(o, strlen(o)) ||
		    s->logs[i].size > TLOG_MAX_SIZE)
			return cx_seterr(CX_EINVAL, "receipt: bad log %zu", i);
		if (i > 0 && strcmp(s->logs[i - 1].origin, o) >= 0)
			return cx_seterr(CX_EINVAL, "receipt: logs not sorted by origin");
	}
	if ((f = open_memstream(&buf, &cap)) == NULL)
		return CX_ENOMEM;
	fprintf(f, "%s\n", s->kind == RECEIPT_REPORT ? REPORT_HEADER : RECEIPT_HEADER);
	fprintf(f, "node %s\ntime %s\nwho %s\nrole %s\nids %s\nquery %s\n", s->node, tbuf,
	    s->who, s->role, s->ids_shown ? "shown" : "masked", s->query);
	hex_encode(hex, s->answer, 32);
	fprintf(f, "answer %s\n", hex);
	if (s->kind == RECEIPT_REPORT) {
		hex_encode(hex, s->report, 32);
		fprintf(f, "report %s\n", hex);
	}
	fprintf(f, "grades %s %s\n", s->grades_digest, s->grades_version);
	for (i = 0; i < s->nlogs; i++) {
		b64_encode(b64, s->logs[i].root, TLOG_HASH_LEN);
		fprintf(f, "log %llu %s %s\n", (unsigned long long)s->logs[i].size, b64,
		    s->logs[i].origin);
	}
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return CX_ENOMEM;
	}
	if (cap > NOTE_MAX_LEN / 2)
		rc = cx_seterr(CX_ETOOBIG, "receipt: statement of %zu bytes", cap);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = cap;
	return 0;
}

/* The next line of text[*pos..len) into (*l, *n), without its "\n". */
static int
receipt_next_line(const char *text, size_t len, size_t *pos, const char **l, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return -1;
	nl = memchr(text + *pos, '\n', len - *pos);
	if (nl == NULL)
		return -1;
	*l = text + *pos;
	*n = (size_t)(nl - (text + *pos));
	*pos += *n + 1;
	return 0;
}

/* Line l[0..n) is "key " followed by a value: the value into (*v, *vn). */
static int
receipt_field(const char *l, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);

	if (n < k + 2 || memcmp(l, key, k) != 0 || l[k] != ' ')
		return -1;
	*v = l + k + 1;
	*vn = n - k - 1;
	return 0;
}

int
receipt_stmt_parse(struct receipt_stmt *s, const char *text, size_t len)
{
	const char *l, *v, *sp;
	size_t n, vn, pos = 0, lineno = 1, cap = 0, dl;
	uint8_t tmp[40];
	int rc = CX_EFORMAT;

	memset(s, 0, sizeof(*s));
	if (len > NOTE_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "statement over %u bytes", NOTE_MAX_LEN);
	if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
		return cx_seterr(CX_EFORMAT, "statement: not lines of text");
#define FAIL(...) do { rc = cx_seterr(CX_EFORMAT, __VA_ARGS__); goto fail; } while (0)
#define LINE(key) do { \
	if (receipt_next_line(text, len, &pos, &l, &n) != 0) \
		FAIL("statement: line %zu: \"%s\" expected, the text ends", lineno, key); \
	if (!receipt_line_ok(l, n)) \
		FAIL("statement: line %zu: a control character", lineno); \
	if (receipt_field(l, n, key, &v, &vn) != 0) \
		FAIL("statement: line %zu: \"%s ...\" expected", lineno, key); \
	lineno++; \
} while (0)
	if (receipt_next_line(text, len, &pos, &l, &n) != 0)
		FAIL("statement: no first line");
	if (n == strlen(RECEIPT_HEADER) && memcmp(l, RECEIPT_HEADER, n) == 0)
		s->kind = RECEIPT_SCREENING;
	else if (n == strlen(REPORT_HEADER) && memcmp(l, REPORT_HEADER, n) == 0)
		s->kind = RECEIPT_REPORT;
	else
		FAIL("statement: line 1 is not \"%s\" nor \"%s\"", RECEIPT_HEADER, REPORT_HEADER);
	lineno++;

	LINE("node");
	if (!keys_name_valid(v, vn))
		FAIL("statement: line %zu: node is not a key name", lineno - 1);
	if ((s->node = receipt_strndup(v, vn)) == NULL)
		goto nomem;
	LINE("time");
	if (receipt_time_parse(v, vn, &s->time) != 0)
		FAIL("statement: line %zu: time is not YYYY-MM-DDTHH:MM:SSZ", lineno - 1);
	LINE("who");
	if (vn > 512)
		FAIL("statement: line %zu: who is too long", lineno - 1);
	if ((s->who = receipt_strndup(v, vn)) == NULL)
		goto nomem;
	LINE("role");
	if ((s->role = receipt_strndup(v, vn)) == NULL)
		goto nomem;
	if (role_from_name(s->role) == 0)
		FAIL("statement: line %zu: unknown role \"%s\"", lineno - 1, s->role);
	LINE("ids");
	if (vn == 5 && memcmp(v, "shown", 5) == 0)
		s->ids_shown = 1;
	else if (!(vn == 6 && memcmp(v, "masked", 6) == 0))
		FAIL("statement: line %zu: ids is \"shown\" or \"masked\"", lineno - 1);
	LINE("query");
	if (!receipt_query_ok(v, vn))
		FAIL("statement: line %zu: the query is not a canonical JSON object", lineno - 1);
	if ((s->query = receipt_strndup(v, vn)) == NULL)
		goto nomem;
	LINE("answer");
	if (vn != 64 || hex_decode(s->answer, 32, v, vn) != 0)
		FAIL("statement: line %zu: answer is not a SHA-256 in hex", lineno - 1);
	for (dl = 0; dl < 64; dl++)
		if (v[dl] >= 'A' && v[dl] <= 'F')
			FAIL("statement: line %zu: hex digits are lower case", lineno - 1);
	if (s->kind == RECEIPT_REPORT) {
		LINE("report");
		if (vn != 64 || hex_decode(s->report, 32, v, vn) != 0)
			FAIL("statement: line %zu: report is not a SHA-256 in hex", lineno - 1);
		for (dl = 0; dl < 64; dl++)
			if (v[dl] >= 'A' && v[dl] <= 'F')
				FAIL("statement: line %zu: hex digits are lower case", lineno - 1);
	}
	LINE("grades");
	sp = memchr(v, ' ', vn);
	if (sp == NULL || !receipt_grades_digest_ok(v, (size_t)(sp - v)) ||
	    vn - (size_t)(sp - v) - 1 == 0 || vn - (size_t)(sp - v) - 1 > 256)
		FAIL("statement: line %zu: \"grades DIGEST VERSION\" expected", lineno - 1);
	if ((s->grades_digest = receipt_strndup(v, (size_t)(sp - v))) == NULL ||
	    (s->grades_version = receipt_strndup(sp + 1, vn - (size_t)(sp - v) - 1)) == NULL)
		goto nomem;

	while (pos < len) {
		struct receipt_log *lg;
		const char *sp2;
		size_t rlen;

		LINE("log");
		if (s->nlogs >= RECEIPT_MAX_LOGS)
			FAIL("statement: more than %d logs", RECEIPT_MAX_LOGS);
		if (s->nlogs == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct receipt_log *nl = realloc(s->logs, nc * sizeof(*nl));

			if (nl == NULL)
				goto nomem;
			s->logs = nl;
			cap = nc;
		}
		lg = &s->logs[s->nlogs];
		memset(lg, 0, sizeof(*lg));
		sp = memchr(v, ' ', vn);
		if (sp == NULL || receipt_u64(v, (size_t)(sp - v), TLOG_MAX_SIZE, &lg->size) != 0)
			FAIL("statement: line %zu: \"log SIZE ROOT ORIGIN\" expected", lineno - 1);
		sp++;
		sp2 = memchr(sp, ' ', vn - (size_t)(sp - v));
		if (sp2 == NULL || b64_decode(tmp, sizeof(tmp), &rlen, sp, (size_t)(sp2 - sp)) != 0 ||
		    rlen != TLOG_HASH_LEN)
			FAIL("statement: line %zu: the root is not the base64 of 32 bytes", lineno - 1);
		memcpy(lg->root, tmp, TLOG_HASH_LEN);
		sp2++;
		if ((size_t)(sp2 - v) >= vn)
			FAIL("statement: line %zu: no origin", lineno - 1);
		if ((lg->origin = receipt_strndup(sp2, vn - (size_t)(sp2 - v))) == NULL)
			goto nomem;
		s->nlogs++;
		if (s->nlogs > 1 && strcmp(s->logs[s->nlogs - 2].origin, lg->origin) >= 0)
			FAIL("statement: line %zu: logs are not in origin order", lineno - 1);
	}
#undef LINE
#undef FAIL
	return 0;
nomem:
	rc = CX_ENOMEM;
fail:
	receipt_stmt_free(s);
	return rc;
}

/* ---- making ------------------------------------------------------------- */

/* Walk j for identity numbers: bit 0 set when one is shown, bit 1 when
 * one is masked. */
static int
receipt_ids_walk(const json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;
	int m = 0;

	if (depth > 64)
		return 0;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			m |= receipt_ids_walk(v, depth + 1);
		return m;
	}
	if (!json_is_object(j))
		return 0;
	json_object_foreach((json_t *)j, k, v) {
		if ((strcmp(k, "id_number") == 0 || strcmp(k, "legal_rep_id_number") == 0) &&
		    json_is_string(v)) {
			const char *s = json_string_value(v);

			if (s[0] != '\0')
				m |= strchr(s, '*') ? 2 : 1;
		} else {
			m |= receipt_ids_walk(v, depth + 1);
		}
	}
	return m;
}

int
receipt_ids_shown(const json_t *answer, int dflt)
{
	const json_t *q = json_object_get(answer, "query");
	const char *by = json_string_value(json_object_get(q, "by"));
	const char *val = json_string_value(json_object_get(q, "value"));
	int m = receipt_ids_walk(answer, 0);

	if (by != NULL && val != NULL && val[0] != '\0' &&
	    (strcmp(by, "id") == 0 || strcmp(by, "id_number") == 0))
		m |= strchr(val, '*') ? 2 : 1;
	if (m & 1)
		return 1;
	if (m & 2)
		return 0;
	return dflt;
}

/* 1 if string s names hash h: base64 or hex. */
static int
receipt_hash_is(const char *s, const tlog_hash h)
{
	char b64[B64_LEN(TLOG_HASH_LEN)], hex[HEX_LEN(TLOG_HASH_LEN)];

	if (s == NULL)
		return 0;
	b64_encode(b64, h, TLOG_HASH_LEN);
	hex_encode(hex, h, TLOG_HASH_LEN);
	return strcmp(s, b64) == 0 || strcmp(s, hex) == 0;
}

/* The answer's "data" (when it has one) names exactly the logs of s:
 * NULL, or what differs first. */
static const char *
receipt_data_differs(const json_t *answer, const struct receipt_stmt *s)
{
	static _Thread_local char why[512];
	const json_t *data = json_object_get(answer, "data");
	size_t i;

	if (data == NULL)
		return NULL;
	if (!json_is_array(data))
		return "the answer's data is not a list";
	if (json_array_size(data) != s->nlogs) {
		snprintf(why, sizeof(why), "the answer names %zu logs, the statement %zu",
		    json_array_size(data), s->nlogs);
		return why;
	}
	for (i = 0; i < s->nlogs; i++) {
		const json_t *d = json_array_get(data, i);
		const char *o = json_string_value(json_object_get(d, "origin"));
		const json_t *sz = json_object_get(d, "size");

		if (o == NULL || strcmp(o, s->logs[i].origin) != 0 || !json_is_integer(sz) ||
		    (uint64_t)json_integer_value(sz) != s->logs[i].size ||
		    !receipt_hash_is(json_string_value(json_object_get(d, "root")), s->logs[i].root)) {
			snprintf(why, sizeof(why), "the answer's log %zu (%.200s) is not the statement's "
			    "%.200s at size %llu", i, o ? o : "?", s->logs[i].origin,
			    (unsigned long long)s->logs[i].size);
			return why;
		}
	}
	return NULL;
}

/* Fill the answer-derived fields of s (query, answer digest, grades). */
static int
receipt_from_answer(struct receipt_stmt *s, const json_t *answer)
{
	const json_t *q = json_object_get(answer, "query");
	const json_t *g = json_object_get(answer, "grades");
	const char *gv = json_string_value(json_object_get(g, "version"));
	const char *gd = json_string_value(json_object_get(g, "digest"));
	size_t qlen;
	int rc;

	if (!json_is_object(answer) || !json_is_object(q))
		return cx_seterr(CX_EINVAL, "receipt: the answer has no query");
	if (gv == NULL || gd == NULL)
		return cx_seterr(CX_EINVAL, "receipt: the answer names no grade table");
	if ((rc = screen_digest(answer, s->answer)) != 0)
		return rc;
	if ((s->query = screen_canonical(q, &qlen)) == NULL)
		return CX_ENOMEM;
	if ((s->grades_version = strdup(gv)) == NULL || (s->grades_digest = strdup(gd)) == NULL)
		return CX_ENOMEM;
	return 0;
}

/* Fill s's logs from view v. */
static int
receipt_from_view(struct receipt_stmt *s, const struct screen_view *v, int need_notes)
{
	size_t i;

	if (v->n > RECEIPT_MAX_LOGS)
		return cx_seterr(CX_ETOOBIG, "receipt: more than %d logs", RECEIPT_MAX_LOGS);
	if (v->n > 0 && (s->logs = calloc(v->n, sizeof(*s->logs))) == NULL)
		return CX_ENOMEM;
	for (i = 0; i < v->n; i++) {
		if (need_notes && v->logs[i].note == NULL)
			return cx_seterr(CX_EINVAL, "receipt: log %s at size %llu has no signed checkpoint",
			    v->logs[i].origin, (unsigned long long)v->logs[i].size);
		if ((s->logs[i].origin = strdup(v->logs[i].origin)) == NULL)
			return CX_ENOMEM;
		s->logs[i].size = v->logs[i].size;
		memcpy(s->logs[i].root, v->logs[i].root, TLOG_HASH_LEN);
		s->nlogs = i + 1;
	}
	return 0;
}

/* The checkpoints of view v as a JSON array of notes. */
json_t *
receipt_checkpoints_json(const struct screen_view *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < v->n; i++)
		if (json_array_append_new(a, json_stringn(v->logs[i].note, v->logs[i].note_len)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int
receipt_sign_stmt(char **note, size_t *nlen, keys_key *key, const struct receipt_stmt *s)
{
	keys_key *const signers[1] = { key };
	char *text = NULL;
	size_t tlen;
	int rc;

	if ((rc = receipt_stmt_format(&text, &tlen, s)) != 0)
		return rc;
	rc = note_sign(note, nlen, text, tlen, signers, 1);
	free(text);
	return rc;
}

int
receipt_stmt_fill(struct receipt_stmt *s, int kind, const char *node_id,
    const struct screen_view *v, const json_t *answer, const char *who, const char *role,
    uint64_t now)
{
	const char *why;
	int rc, r;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->time = now;
	r = role_from_name(role ? role : "");
	if (r == 0)
		return cx_seterr(CX_EINVAL, "receipt: unknown role \"%s\"", role ? role : "");
	s->ids_shown = receipt_ids_shown(answer, (role_perms(r) & PERM_PERSONAL) != 0);
	if ((s->node = strdup(node_id)) == NULL || (s->who = strdup(who)) == NULL ||
	    (s->role = strdup(role)) == NULL)
		return CX_ENOMEM;
	if ((rc = receipt_from_answer(s, answer)) != 0 || (rc = receipt_from_view(s, v, 1)) != 0)
		return rc;
	if ((why = receipt_data_differs(answer, s)) != NULL)
		return cx_seterr(CX_EINVAL, "receipt: %s", why);
	return 0;
}

int
receipt_make(json_t **out, keys_key *key, const char *node_id, const struct screen_view *v,
    const json_t *answer, const char *who, const char *role, uint64_t now)
{
	struct receipt_stmt s;
	char *note = NULL;
	size_t nlen;
	json_t *cps = NULL, *copy = NULL;
	int rc;

	*out = NULL;
	if (key == NULL || !keys_has_private(key))
		return cx_seterr(CX_EINVAL, "receipt: no signing key");
	if ((rc = receipt_stmt_fill(&s, RECEIPT_SCREENING, node_id, v, answer, who, role, now)) != 0)
		goto out;
	if ((rc = receipt_sign_stmt(&note, &nlen, key, &s)) != 0)
		goto out;
	if ((cps = receipt_checkpoints_json(v)) == NULL || (copy = json_deep_copy(answer)) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	*out = json_pack("{s:s%, s:o, s:o}", "receipt", note, nlen, "answer", copy,
	    "checkpoints", cps);
	copy = cps = NULL;
	if (*out == NULL)
		rc = CX_ENOMEM;
out:
	json_decref(copy);
	json_decref(cps);
	free(note);
	receipt_stmt_free(&s);
	return rc;
}

/* ---- findings ------------------------------------------------------------ */

static void
receipt_addv(json_t *r, const char *key, const char *fmt, va_list ap)
{
	char buf[1024];
	json_t *a;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if ((a = json_object_get(r, key)) == NULL) {
		a = json_array();
		if (json_object_set_new(r, key, a) != 0)
			return;
	}
	json_array_append_new(a, json_string(buf));
}

void
receipt_problem(json_t *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	receipt_addv(r, "problems", fmt, ap);
	va_end(ap);
	json_object_set_new(r, "valid", json_false());
}

void
receipt_note(json_t *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	receipt_addv(r, "notes", fmt, ap);
	va_end(ap);
}

int
receipt_check_statement(struct receipt_stmt *s, json_t *r, const Cx__Roster *roster,
    const char *note, size_t len, int kind)
{
	keys_key **k = NULL;
	size_t nk = 0, textlen;
	char tbuf[21];
	uint32_t mask;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = note_text(note, len, &textlen)) != 0) {
		receipt_problem(r, "the %s is not a signed note: %s",
		    kind == RECEIPT_REPORT ? "report's statement" : "receipt", cx_lasterr());
		return CX_EFORMAT;
	}
	if ((rc = receipt_stmt_parse(s, note, textlen)) != 0) {
		if (rc == CX_ENOMEM)
			return rc;
		receipt_problem(r, "the signed text is not a statement: %s", cx_lasterr());
		return CX_EFORMAT;
	}
	if (s->kind != kind) {
		receipt_problem(r, "this is a %s, not a %s",
		    s->kind == RECEIPT_REPORT ? "credit report" : "screening receipt",
		    kind == RECEIPT_REPORT ? "credit report" : "screening receipt");
		receipt_stmt_free(s);
		return CX_EFORMAT;
	}
	receipt_time_format(tbuf, s->time);
	json_object_set_new(r, "node", json_string(s->node));
	json_object_set_new(r, "time", json_string(tbuf));
	json_object_set_new(r, "who", json_string(s->who));
	json_object_set_new(r, "role", json_string(s->role));
	json_object_set_new(r, "ids", json_string(s->ids_shown ? "shown" : "masked"));
	json_object_set_new(r, "query", json_loads(s->query, 0, NULL));
	rc = roster_member_keys(&k, &nk, roster, s->node, s->time);
	if (rc != 0) {
		receipt_problem(r, "%s has no key in roster version %llu: %s", s->node,
		    (unsigned long long)roster->version, cx_lasterr());
		return 0;
	}
	if (nk == 0) {
		receipt_problem(r, "%s had no valid key at %s in roster version %llu", s->node, tbuf,
		    (unsigned long long)roster->version);
		return 0;
	}
	rc = note_verify(note, len, k, nk, NULL, &mask);
	roster_keys_free(k, nk);
	if (rc != 0)
		receipt_problem(r, "the signature of %s does not verify with its roster key valid at %s: %s",
		    s->node, tbuf, cx_lasterr());
	return 0;
}

/* The name and key id of signature line l[0..n) ("— name base64\n"). */
static int
receipt_sig_line(const char *l, size_t n, char *name, size_t cap, uint32_t *kid)
{
	static const char dash[] = "\xe2\x80\x94 ";
	const char *sp;
	uint8_t raw[256];
	size_t rl, nl;

	if (n < sizeof(dash) || memcmp(l, dash, sizeof(dash) - 1) != 0)
		return -1;
	l += sizeof(dash) - 1;
	n -= sizeof(dash) - 1;
	if ((sp = memchr(l, ' ', n)) == NULL)
		return -1;
	nl = (size_t)(sp - l);
	if (nl == 0 || nl >= cap)
		return -1;
	memcpy(name, l, nl);
	name[nl] = '\0';
	if (n - nl - 1 > 4 * (sizeof(raw) / 3) ||
	    b64_decode(raw, sizeof(raw), &rl, sp + 1, n - nl - 1) != 0 || rl < 4)
		return -1;
	*kid = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
	return 0;
}

/* Check one checkpoint note against log lg; facts into fact. */
static void
receipt_check_checkpoint(json_t *r, const Cx__Roster *roster, const struct receipt_log *lg,
    const char *note, size_t len, json_t *fact)
{
	const Cx__Member *m = fed_member_by_origin(roster, lg->origin);
	keys_key **k = NULL;
	size_t nk = 0, textlen, pos, i;
	json_t *cos = json_array();
	char *origin = NULL, b64[B64_LEN(TLOG_HASH_LEN)];
	uint64_t size;
	tlog_hash root;
	uint32_t mask = 0;
	int rc;

	json_object_set_new(fact, "cosigned_by", cos);
	if (m == NULL) {
		receipt_problem(r, "log %s is no member's log in roster version %llu", lg->origin,
		    (unsigned long long)roster->version);
		return;
	}
	json_object_set_new(fact, "issuer", json_string(m->id));
	if (m->retired)
		receipt_note(r, "%s is retired in roster version %llu", m->id,
		    (unsigned long long)roster->version);
	if ((rc = roster_member_keys(&k, &nk, roster, m->id, 0)) != 0 || nk == 0) {
		receipt_problem(r, "checkpoint of %s: %s has no key that is not revoked", lg->origin,
		    m->id);
		roster_keys_free(k, nk);
		return;
	}
	rc = note_verify(note, len, k, nk, &textlen, &mask);
	if (rc != 0) {
		receipt_problem(r, "checkpoint of %s: not signed by %s: %s", lg->origin, m->id,
		    cx_lasterr());
		goto out;
	}
	if ((rc = tlog_checkpoint_parse(note, textlen, &origin, &size, root)) != 0) {
		receipt_problem(r, "checkpoint of %s: %s", lg->origin, cx_lasterr());
		goto out;
	}
	if (strcmp(origin, lg->origin) != 0 || size != lg->size ||
	    memcmp(root, lg->root, TLOG_HASH_LEN) != 0) {
		b64_encode(b64, root, TLOG_HASH_LEN);
		receipt_problem(r, "checkpoint of %s states %s at size %llu root %s, not what was signed "
		    "(size %llu)", lg->origin, origin, (unsigned long long)size, b64,
		    (unsigned long long)lg->size);
		goto out;
	}
	/* every other signature line: the issuer's own, or a witness's */
	for (pos = textlen + 1; pos < len;) {
		const char *l = note + pos, *nl = memchr(l, '\n', len - pos);
		char name[KEYS_NAME_MAX + 1];
		size_t ln = nl ? (size_t)(nl - l) + 1 : len - pos, j;
		keys_key **w = NULL;
		size_t nw = 0;
		uint32_t kid;
		uint64_t when = 0;
		int good = 0;

		pos += ln;
		if (receipt_sig_line(l, ln - 1, name, sizeof(name), &kid) != 0) {
			receipt_problem(r, "checkpoint of %s: a signature line that cannot be read",
			    lg->origin);
			continue;
		}
		if (strcmp(name, m->id) == 0)
			for (i = 0; i < nk && i < 32; i++)
				if (keys_id(k[i]) == kid && (mask & (1u << i)))
					good = 1;
		if (good)
			continue;
		if (roster_member(roster, name) == NULL) {
			receipt_problem(r, "checkpoint of %s: signed by %s, who is not in roster version %llu",
			    lg->origin, name, (unsigned long long)roster->version);
			continue;
		}
		if (roster_member_keys(&w, &nw, roster, name, 0) != 0) {
			receipt_problem(r, "checkpoint of %s: cosigned by %s: %s", lg->origin, name,
			    cx_lasterr());
			continue;
		}
		for (j = 0; j < nw && !good; j++)
			good = cosig_verify(l, ln, w[j], note, textlen, &when) == 0;
		roster_keys_free(w, nw);
		if (!good) {
			receipt_problem(r, "checkpoint of %s: the cosignature by %s does not verify",
			    lg->origin, name);
			continue;
		}
		json_array_append_new(cos, json_string(name));
	}
out:
	free(origin);
	roster_keys_free(k, nk);
}

void
receipt_check_checkpoints(json_t *r, const Cx__Roster *roster, const struct receipt_stmt *s,
    const json_t *checkpoints)
{
	json_t *logs = json_array();
	char b64[B64_LEN(TLOG_HASH_LEN)];
	size_t i;

	json_object_set_new(r, "logs", logs);
	if (!json_is_array(checkpoints)) {
		receipt_problem(r, "no list of checkpoints");
		return;
	}
	if (json_array_size(checkpoints) != s->nlogs)
		receipt_problem(r, "%zu checkpoints for %zu logs", json_array_size(checkpoints),
		    s->nlogs);
	for (i = 0; i < s->nlogs; i++) {
		const json_t *c = json_array_get(checkpoints, i);
		json_t *fact;

		b64_encode(b64, s->logs[i].root, TLOG_HASH_LEN);
		fact = json_pack("{s:s, s:I, s:s}", "origin", s->logs[i].origin, "size",
		    (json_int_t)s->logs[i].size, "root", b64);
		json_array_append_new(logs, fact);
		if (!json_is_string(c)) {
			receipt_problem(r, "no checkpoint for log %s", s->logs[i].origin);
			continue;
		}
		receipt_check_checkpoint(r, roster, &s->logs[i], json_string_value(c),
		    json_string_length(c), fact);
	}
}

void
receipt_check_answer(json_t *r, const struct receipt_stmt *s, const json_t *answer)
{
	const json_t *g = json_object_get(answer, "grades");
	const json_t *sub = json_object_get(answer, "subjects");
	const json_t *tot = json_object_get(answer, "total_subjects");
	const char *as_of = json_string_value(json_object_get(answer, "as_of"));
	const char *gv = json_string_value(json_object_get(g, "version"));
	const char *gd = json_string_value(json_object_get(g, "digest"));
	const char *why;
	uint8_t d[32];
	char hex[HEX_LEN(32)], want[HEX_LEN(32)];
	char *q;
	size_t qlen;
	json_int_t n;

	if (!json_is_object(answer)) {
		receipt_problem(r, "no answer");
		return;
	}
	if (screen_digest(answer, d) != 0) {
		receipt_problem(r, "the answer cannot be digested: %s", cx_lasterr());
		return;
	}
	if (memcmp(d, s->answer, 32) != 0) {
		hex_encode(hex, d, 32);
		hex_encode(want, s->answer, 32);
		receipt_problem(r, "the answer was changed: its digest is %s, the signed one %s", hex,
		    want);
	}
	q = screen_canonical(json_object_get(answer, "query"), &qlen);
	if (q == NULL || strcmp(q, s->query) != 0)
		receipt_problem(r, "the answer's query is not the signed query");
	free(q);
	if (gv == NULL || gd == NULL || strcmp(gv, s->grades_version) != 0 ||
	    strcmp(gd, s->grades_digest) != 0)
		receipt_problem(r, "the answer's grade table is not the signed one (%s)",
		    s->grades_version);
	if ((why = receipt_data_differs(answer, s)) != NULL)
		receipt_problem(r, "%s", why);
	if (as_of != NULL)
		json_object_set_new(r, "as_of", json_string(as_of));
	n = json_is_integer(tot) ? json_integer_value(tot) : (json_int_t)json_array_size(sub);
	json_object_set_new(r, "subjects", json_integer(n));
	json_object_set_new(r, "negative", json_boolean(n == 0));
}

/* ---- recomputing ---------------------------------------------------------- */

/* Which top-level member of two answers differs first (for the reason). */
static const char *
receipt_first_diff(const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v)
		if (!json_equal(v, json_object_get(b, k)))
			return k;
	json_object_foreach((json_t *)b, k, v)
		if (json_object_get(a, k) == NULL)
			return k;
	return "?";
}

/* A reason the answer is not confirmed: the receipt may still be valid. */
static void
receipt_unconfirmed(json_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
receipt_unconfirmed(json_t *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	receipt_addv(r, "problems", fmt, ap);
	va_end(ap);
	json_object_set_new(r, "confirmed", json_false());
}

static void
receipt_recompute(json_t *r, const struct receipt_stmt *s, const json_t *answer,
    const struct receipt_node *nd)
{
	struct screen_view v = { 0 };
	struct screen_query q;
	const char **origins = NULL;
	uint64_t *sizes = NULL;
	json_t *params = NULL, *mine = NULL;
	const char *val;
	char masked[256];
	uint8_t d[32];
	uint32_t perms;
	size_t i;
	int rc, ok = 0;

	json_object_set_new(r, "confirmed", json_false());
	if (s->nlogs > 0 && ((origins = calloc(s->nlogs, sizeof(*origins))) == NULL ||
	    (sizes = calloc(s->nlogs, sizeof(*sizes))) == NULL)) {
		receipt_unconfirmed(r, "out of memory");
		goto out;
	}
	for (i = 0; i < s->nlogs; i++) {
		origins[i] = s->logs[i].origin;
		sizes[i] = s->logs[i].size;
	}
	if ((rc = screen_view_at(&v, nd->t, nd->st, origins, sizes, s->nlogs)) != 0) {
		receipt_unconfirmed(r, "this node cannot take the receipt's view: %s", cx_lasterr());
		goto out;
	}
	for (i = 0; i < s->nlogs && i < v.n; i++) {
		size_t j;

		/* v is sorted by origin, as the statement is; match by name anyway */
		for (j = 0; j < v.n && strcmp(v.logs[j].origin, s->logs[i].origin) != 0; j++)
			;
		if (j == v.n) {
			receipt_unconfirmed(r, "this node does not hold log %s", s->logs[i].origin);
			goto out;
		}
		if (memcmp(v.logs[j].root, s->logs[i].root, TLOG_HASH_LEN) != 0) {
			receipt_unconfirmed(r, "this node holds different data: log %s root at %llu differs",
			    s->logs[i].origin, (unsigned long long)s->logs[i].size);
			ok = -1;
		}
	}
	if (ok < 0)
		goto out;
	if ((params = json_loads(s->query, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		receipt_unconfirmed(r, "the signed query cannot be read back");
		goto out;
	}
	val = json_string_value(json_object_get(params, "value"));
	if (val != NULL && strchr(val, '*') != NULL) {
		if (nd->id_number == NULL) {
			receipt_unconfirmed(r, "the query's identity number is masked (%s): give --id-number to "
			    "recompute the answer", val);
			goto out;
		}
		codes_mask_id(masked, sizeof(masked), nd->id_number);
		if (strcmp(masked, val) != 0) {
			receipt_unconfirmed(r, "--id-number does not mask to the receipt's %s", val);
			goto out;
		}
		json_object_set_new(params, "value", json_string(nd->id_number));
	} else if (nd->id_number != NULL) {
		receipt_note(r, "--id-number is not needed: the query's value is not masked");
	}
	if ((rc = screen_query_parse(&q, params)) != 0) {
		receipt_unconfirmed(r, "the signed query does not parse: %s", cx_lasterr());
		goto out;
	}
	perms = role_perms(role_from_name(s->role));
	if (s->ids_shown)
		perms |= PERM_PERSONAL;
	else
		perms &= ~(uint32_t)PERM_PERSONAL;
	if ((rc = screen_answer(&mine, nd->t, &v, nd->g, &q, perms)) != 0) {
		receipt_unconfirmed(r, "this node cannot compute the answer: %s", cx_lasterr());
		goto out;
	}
	if ((rc = screen_digest(mine, d)) != 0) {
		receipt_unconfirmed(r, "this node cannot digest its answer: %s", cx_lasterr());
		goto out;
	}
	if (memcmp(d, s->answer, 32) != 0) {
		const char *k = receipt_first_diff(mine, answer);

		if (strcmp(k, "grades") == 0)
			receipt_unconfirmed(r, "this node's grade table (%s) is not the receipt's (%s): the "
			    "answer cannot be recomputed here", grades_version(nd->g), s->grades_version);
		else
			receipt_unconfirmed(r, "the answer computed on this node differs (in \"%s\")", k);
		goto out;
	}
	json_object_set_new(r, "confirmed", json_true());
out:
	json_decref(mine);
	json_decref(params);
	screen_view_free(&v);
	free(origins);
	free(sizes);
}

/* ---- the whole receipt ------------------------------------------------------ */

int
receipt_only_keys(json_t *r, const json_t *doc, const char *const *keys)
{
	const char *k;
	json_t *v;
	size_t i;
	int bad = 0;

	json_object_foreach((json_t *)doc, k, v) {
		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL) {
			receipt_problem(r, "unknown member \"%.100s\"", k);
			bad = 1;
		}
	}
	return bad;
}

int
receipt_result_code(json_t *r)
{
	const json_t *p = json_object_get(r, "problems");
	const json_t *c = json_object_get(r, "confirmed");

	if (json_array_size(p) == 0 && !json_is_false(c))
		return 0;
	if (json_array_size(p) == 0)
		return cx_seterr(CX_EBADSIG, "not confirmed");
	return cx_seterr(CX_EBADSIG, "%s", json_string_value(json_array_get(p, 0)));
}

int
receipt_confirm(json_t *r, const json_t *doc, const struct receipt_node *node)
{
	struct receipt_stmt s;
	const json_t *note = json_object_get(doc, "receipt");
	size_t textlen;
	int rc;

	if (note == NULL)
		note = json_object_get(doc, "report");
	if (json_array_size(json_object_get(r, "problems")) != 0) {
		receipt_note(r, "the answer was not computed again: the %s is invalid",
		    json_object_get(doc, "report") ? "report" : "receipt");
		return receipt_result_code(r);
	}
	if (!json_is_string(note) ||
	    note_text(json_string_value(note), json_string_length(note), &textlen) != 0)
		return cx_seterr(CX_EFORMAT, "no statement");
	if ((rc = receipt_stmt_parse(&s, json_string_value(note), textlen)) != 0)
		return rc;
	receipt_recompute(r, &s, json_object_get(doc, "answer"), node);
	receipt_stmt_free(&s);
	return receipt_result_code(r);
}

int
receipt_verify(json_t **result, const json_t *doc, const Cx__Roster *roster,
    const struct receipt_node *node)
{
	static const char *const keys[] = { "receipt", "answer", "checkpoints", NULL };
	struct receipt_stmt s = { 0 };
	const json_t *note = json_object_get(doc, "receipt");
	json_t *r;
	int rc;

	if ((*result = r = json_object()) == NULL)
		return CX_ENOMEM;
	json_object_set_new(r, "valid", json_true());
	if (!json_is_object(doc) || !json_is_string(note)) {
		receipt_problem(r, "not a receipt: a JSON object with \"receipt\", \"answer\" and "
		    "\"checkpoints\" expected");
		return receipt_result_code(r);
	}
	receipt_only_keys(r, doc, keys);
	rc = receipt_check_statement(&s, r, roster, json_string_value(note),
	    json_string_length(note), RECEIPT_SCREENING);
	if (rc == CX_ENOMEM)
		return rc;
	if (rc != 0)
		return receipt_result_code(r);
	receipt_check_answer(r, &s, json_object_get(doc, "answer"));
	receipt_check_checkpoints(r, roster, &s, json_object_get(doc, "checkpoints"));
	receipt_stmt_free(&s);
	if (node != NULL)
		return receipt_confirm(r, doc, node);
	return receipt_result_code(r);
}

void
receipt_print(FILE *f, const json_t *r)
{
	const json_t *p = json_object_get(r, "problems"), *n = json_object_get(r, "notes");
	const json_t *logs = json_object_get(r, "logs"), *c = json_object_get(r, "confirmed");
	const char *node = json_string_value(json_object_get(r, "node"));
	const char *as_of = json_string_value(json_object_get(r, "as_of"));
	char *q = json_dumps(json_object_get(r, "query"), JSON_COMPACT | JSON_SORT_KEYS);
	json_t *v;
	size_t i, j;

	if (node != NULL) {
		fprintf(f, "signed by %s at %s for %s (role %s, identity numbers %s)\n", node,
		    json_string_value(json_object_get(r, "time")),
		    json_string_value(json_object_get(r, "who")),
		    json_string_value(json_object_get(r, "role")),
		    json_string_value(json_object_get(r, "ids")));
		if (q != NULL)
			fprintf(f, "query: %s\n", q);
	}
	free(q);
	if (json_object_get(r, "subjects") != NULL) {
		json_int_t ns = json_integer_value(json_object_get(r, "subjects"));

		if (ns == 0)
			fprintf(f, "answer: not listed anywhere in the corridor as of %s (no subject found "
			    "in %zu logs)\n", as_of ? as_of : "?", json_array_size(logs));
		else
			fprintf(f, "answer: %lld subject(s) found as of %s in %zu logs\n", (long long)ns,
			    as_of ? as_of : "?", json_array_size(logs));
	}
	json_array_foreach(logs, i, v) {
		const json_t *cs = json_object_get(v, "cosigned_by");
		json_t *w;

		fprintf(f, "  %s at %lld, root %s, signed by %s", json_string_value(json_object_get(v,
		    "origin")), (long long)json_integer_value(json_object_get(v, "size")),
		    json_string_value(json_object_get(v, "root")),
		    json_string_value(json_object_get(v, "issuer")) ?
		    json_string_value(json_object_get(v, "issuer")) : "?");
		json_array_foreach(cs, j, w)
			fprintf(f, "%s%s", j == 0 ? ", cosigned by " : ", ", json_string_value(w));
		fputc('\n', f);
	}
	json_array_foreach(n, i, v)
		fprintf(f, "note: %s\n", json_string_value(v));
	json_array_foreach(p, i, v)
		fprintf(f, "FAILED: %s\n", json_string_value(v));
	if (!json_is_true(json_object_get(r, "valid")))
		fprintf(f, "INVALID\n");
	else if (json_is_false(c))
		fprintf(f, "valid, but NOT CONFIRMED on this node\n");
	else if (json_is_true(c))
		fprintf(f, "valid, and confirmed on this node\n");
	else
		fprintf(f, "valid\n");
}
