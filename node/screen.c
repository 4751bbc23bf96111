/*
 * screen.c — the screening answer (docs/screening.md).
 *
 * An answer is computed from four things only: the logs at the sizes of a
 * view, the grade table, the query and the caller's permissions. Nothing
 * else may reach it — no wall-clock time (the as-of date is part of the
 * query), no store-local log ids (logs are named by origin and ordered by
 * origin, records by state, date, origin and index), no order that depends
 * on how a node happened to receive its data — because receipts and
 * reports rest on another node computing the same bytes.
 *
 *   view  = {(origin, issuer, size, root)}    screen_view_latest / _at
 *     |
 *   query_prefix / query_subject_in           subjects and their records,
 *     |                                       limited to the view
 *   filters, paging, grades, masking          here
 *     |
 *   answer JSON  --screen_canonical-->  bytes  --SHA-256-->  digest
 *
 * A search finds subjects: an exact search the one it names (when any
 * record of the view names it), a prefix search every distinct value of
 * the index that starts with the prefix, in index order, so that paging
 * over them is stable. Filters select records; in a prefix search they
 * also drop the subjects left with no record to show.
 *
 * The grade table maps (scheme, original grade) to A-D. It is small and
 * read once: a sorted array searched with bsearch. Its digest is over a
 * canonical text of its entries, so two files saying the same thing in
 * another order or layout have the same digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "credit/codes.h"
#include "ingest/json.h"
#include "ingest/text.h"
#include "node/node.h"
#include "node/role.h"
#include "node/screen.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

/* A prefix search matching more subjects than this is refused. */
#define SCREEN_PREFIX_MAX 10000

/* ---- small helpers ----------------------------------------------------- */

/* SHA-256 of buf[0..len). */
static int
screen_sha256(const void *buf, size_t len, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, buf, len) == 1 && EVP_DigestFinal_ex(md, out, NULL) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : cx_sslerr("SHA-256");
}

/* Set o[k] = v (v stolen); *bad set when either is NULL or the set fails. */
static void
screen_set(json_t *o, const char *k, json_t *v, int *bad)
{
	if (o == NULL || v == NULL || json_object_set_new(o, k, v) != 0)
		*bad = 1;
}

static void
screen_push(json_t *a, json_t *v, int *bad)
{
	if (a == NULL || v == NULL || json_array_append_new(a, v) != 0)
		*bad = 1;
}

/* A date as "YYYY-MM-DD", or JSON null when 0. */
static json_t *
screen_date(uint32_t d)
{
	char buf[11];

	if (d == 0)
		return json_null();
	date_format(buf, d);
	return json_string(buf);
}

static char *
screen_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* ---- the grade mapping table ---------------------------------------------- */

struct grade_ent {
	char *scheme;          /* normalised; "*" for any scheme */
	char *grade;           /* normalised original grade */
	char canon[2];         /* "A" .. "D" */
};

struct grades {
	char *version;
	uint8_t digest[32];
	struct grade_ent *e;
	size_t n;
};

static const char grades_builtin[] =
    "# The built-in grade table: the scales the corridor's evaluations use\n"
    "# (and the sample data generator writes). docs/screening.md.\n"
    "version = builtin-1\n"
    "\n"
    "# State Taxation Administration: A B M C D; M (new, or without a full\n"
    "# year of records) counts as B.\n"
    "[纳税信用等级评价]\n"
    "A = A\nB = B\nM = B\nC = C\nD = D\n"
    "\n"
    "# public-credit evaluations on the AAA scale: AAA AA A B\n"
    "[杭州市公共信用综合评价]\n"
    "AAA = A\nAA = B\nA = C\nB = D\n"
    "[苏州市公共信用综合评价]\n"
    "AAA = A\nAA = B\nA = C\nB = D\n"
    "[合肥市公共信用综合评价]\n"
    "AAA = A\nAA = B\nA = C\nB = D\n"
    "\n"
    "# any other scheme, by the grade's text: A-D, 优/良/中/差, AAA/AA\n"
    "[*]\n"
    "A = A\nB = B\nC = C\nD = D\n"
    "优 = A\n良 = B\n中 = C\n差 = D\n"
    "AAA = A\nAA = B\n";

static int
grades_ent_cmp(const void *a, const void *b)
{
	const struct grade_ent *x = a, *y = b;
	int c = strcmp(x->scheme, y->scheme);

	return c != 0 ? c : strcmp(x->grade, y->grade);
}

void
grades_free(struct grades *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->e[i].scheme);
		free(g->e[i].grade);
	}
	free(g->e);
	free(g->version);
	free(g);
}

/* Trim ASCII blanks from both ends of s[0..*n): returns the start. */
static const char *
grades_trim(const char *s, size_t *n)
{
	while (*n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t' || s[*n - 1] == '\r'))
		(*n)--;
	return s;
}

/* The normal form of s[0..n) (text_normalize); "*" stays. */
static int
grades_norm(char **out, const char *s, size_t n)
{
	if (n == 1 && s[0] == '*')
		return (*out = strdup("*")) == NULL ? CX_ENOMEM : 0;
	return text_normalize(out, s, n);
}

static int
grades_version_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* The digest over the canonical text: a header line, the version, then one
 * line per entry in (scheme, grade) order, fields separated by tabs. */
static int
grades_compute_digest(struct grades *g)
{
	size_t cap = 64 + strlen(g->version), len, i;
	char *buf;
	int rc;

	for (i = 0; i < g->n; i++)
		cap += strlen(g->e[i].scheme) + strlen(g->e[i].grade) + 6;
	if ((buf = malloc(cap)) == NULL)
		return CX_ENOMEM;
	len = (size_t)snprintf(buf, cap, "cxnode grades v1\nversion %s\n", g->version);
	for (i = 0; i < g->n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\t%s\t%s\n", g->e[i].scheme,
		    g->e[i].grade, g->e[i].canon);
	rc = screen_sha256(buf, len, g->digest);
	free(buf);
	return rc;
}

/*
 * Parse the table text[0..len) (file name for messages). Lines:
 *   # or ; comment, blank
 *   version = V          before the first section, exactly once
 *   [SCHEME]             a scheme's section; [*] for any scheme
 *   GRADE = A|B|C|D      in a section
 */
static int
grades_parse(struct grades **out, const char *text, size_t len, const char *name)
{
	struct grades *g = calloc(1, sizeof(*g));
	char *scheme = NULL;
	size_t cap = 0, pos = 0;
	unsigned lineno = 0;
	int rc = 0;

	*out = NULL;
	if (g == NULL)
		return CX_ENOMEM;
	while (pos < len && rc == 0) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *eq, *k, *v;
		size_t kn, vn;

		pos += n + (nl != NULL);
		lineno++;
		line = grades_trim(line, &n);
		if (n == 0 || line[0] == '#' || line[0] == ';')
			continue;
		if (memchr(line, '\0', n) != NULL) {
			rc = cx_seterr(CX_EFORMAT, "%s:%u: a NUL byte", name, lineno);
			break;
		}
		if (line[0] == '[') {
			if (line[n - 1] != ']') {
				rc = cx_seterr(CX_EFORMAT, "%s:%u: a section line must end with ]", name,
				    lineno);
				break;
			}
			kn = n - 2;
			k = grades_trim(line + 1, &kn);
			free(scheme);
			scheme = NULL;
			if (kn == 0) {
				rc = cx_seterr(CX_EFORMAT, "%s:%u: empty scheme name", name, lineno);
				break;
			}
			if ((rc = grades_norm(&scheme, k, kn)) != 0) {
				rc = cx_seterr(rc, "%s:%u: scheme name: %s", name, lineno, cx_lasterr());
				break;
			}
			continue;
		}
		if ((eq = memchr(line, '=', n)) == NULL) {
			rc = cx_seterr(CX_EFORMAT, "%s:%u: expected \"[SCHEME]\" or \"NAME = VALUE\"",
			    name, lineno);
			break;
		}
		kn = (size_t)(eq - line);
		k = grades_trim(line, &kn);
		vn = n - (size_t)(eq - line) - 1;
		v = grades_trim(eq + 1, &vn);
		if (scheme == NULL) {
			if (kn != 7 || memcmp(k, "version", 7) != 0) {
				rc = cx_seterr(CX_EFORMAT, "%s:%u: only \"version = ...\" may come before the "
				    "first [SCHEME]", name, lineno);
			} else if (g->version != NULL) {
				rc = cx_seterr(CX_EFORMAT, "%s:%u: version given twice", name, lineno);
			} else if (!grades_version_ok(v, vn)) {
				rc = cx_seterr(CX_EFORMAT, "%s:%u: version: 1 to 64 of A-Z a-z 0-9 . - _",
				    name, lineno);
			} else if ((g->version = screen_strndup(v, vn)) == NULL) {
				rc = CX_ENOMEM;
			}
			continue;
		}
		if (kn == 0) {
			rc = cx_seterr(CX_EFORMAT, "%s:%u: empty grade", name, lineno);
			break;
		}
		if (vn != 1 || ((v[0] & ~0x20) < 'A' || (v[0] & ~0x20) > 'D')) {
			rc = cx_seterr(CX_EFORMAT, "%s:%u: the canonical grade must be A, B, C or D", name,
			    lineno);
			break;
		}
		if (g->n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct grade_ent *ne = realloc(g->e, nc * sizeof(*ne));

			if (ne == NULL) {
				rc = CX_ENOMEM;
				break;
			}
			g->e = ne;
			cap = nc;
		}
		memset(&g->e[g->n], 0, sizeof(g->e[g->n]));
		g->e[g->n].canon[0] = (char)(v[0] & ~0x20);
		if ((g->e[g->n].scheme = strdup(scheme)) == NULL) {
			rc = CX_ENOMEM;
			break;
		}
		if ((rc = grades_norm(&g->e[g->n].grade, k, kn)) != 0) {
			free(g->e[g->n].scheme);
			rc = cx_seterr(rc, "%s:%u: grade: %s", name, lineno, cx_lasterr());
			break;
		}
		g->n++;
	}
	free(scheme);
	if (rc == 0 && g->version == NULL)
		rc = cx_seterr(CX_EFORMAT, "%s: no \"version = ...\" line", name);
	if (rc == 0 && g->n > 1) {
		size_t i;

		qsort(g->e, g->n, sizeof(*g->e), grades_ent_cmp);
		for (i = 1; i < g->n && rc == 0; i++)
			if (grades_ent_cmp(&g->e[i - 1], &g->e[i]) == 0)
				rc = cx_seterr(CX_EFORMAT, "%s: grade \"%s\" of [%s] given twice", name,
				    g->e[i].grade, g->e[i].scheme);
	}
	if (rc == 0)
		rc = grades_compute_digest(g);
	if (rc != 0) {
		grades_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int
grades_load(struct grades **out, const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	*out = NULL;
	if (path == NULL)
		return grades_parse(out, grades_builtin, sizeof(grades_builtin) - 1, "built-in");
	if ((f = fopen(path, "rb")) == NULL)
		return cx_seterr(CX_EIO, "%s: %m", path);
	do {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 4096;
			if (cap > (1u << 20) || (nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return cap > (1u << 20) ? cx_seterr(CX_ETOOBIG, "%s: larger than 1 MiB", path) :
				    CX_ENOMEM;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return cx_seterr(CX_EIO, "%s: read error", path);
	}
	fclose(f);
	rc = grades_parse(out, buf ? buf : "", len, path);
	free(buf);
	return rc;
}

const char *
grades_version(const struct grades *g)
{
	return g->version;
}

const uint8_t *
grades_digest(const struct grades *g)
{
	return g->digest;
}

static const char *
grades_find(const struct grades *g, const char *scheme, const char *grade)
{
	struct grade_ent key = { .scheme = (char *)scheme, .grade = (char *)grade };
	const struct grade_ent *e;

	e = bsearch(&key, g->e, g->n, sizeof(*g->e), grades_ent_cmp);
	return e ? e->canon : NULL;
}

const char *
grades_map(const struct grades *g, const char *scheme, const char *grade)
{
	char *s = NULL, *gr = NULL;
	const char *c = NULL;

	if (g == NULL || scheme == NULL || grade == NULL || grade[0] == '\0')
		return NULL;
	if (text_normalize(&s, scheme, strlen(scheme)) == 0 &&
	    text_normalize(&gr, grade, strlen(grade)) == 0) {
		c = grades_find(g, s, gr);
		if (c == NULL)
			c = grades_find(g, "*", gr);
	}
	free(s);
	free(gr);
	return c;
}

/* ---- views ---------------------------------------------------------------- */

void
screen_view_free(struct screen_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->logs[i].origin);
		free(v->logs[i].issuer);
		free(v->logs[i].note);
	}
	free(v->logs);
	memset(v, 0, sizeof(*v));
}

static int
screen_log_cmp(const void *a, const void *b)
{
	return strcmp(((const struct screen_log *)a)->origin, ((const struct screen_log *)b)->origin);
}

struct screen_cosigs {
	char *buf;
	size_t len, cap;
	int rc;
};

static int
screen_cosig_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct screen_cosigs *c = ctx;

	(void)key;
	(void)klen;
	if (c->len + vlen + 1 > c->cap) {
		size_t nc = (c->len + vlen + 1) * 2;
		char *nb = realloc(c->buf, nc);

		if (nb == NULL) {
			c->rc = CX_ENOMEM;
			return 1;
		}
		c->buf = nb;
		c->cap = nc;
	}
	memcpy(c->buf + c->len, val, vlen);
	c->len += vlen;
	c->buf[c->len] = '\0';
	return 0;
}

/* The stored checkpoint note of log at size with the cosignature lines
 * held for it appended (in witness order) into lg->note; none: NULL. */
static int
screen_attach_note(struct screen_log *lg, store_txn *t, uint32_t log, uint64_t size)
{
	struct screen_cosigs c = { 0 };
	const char *note;
	size_t nl;
	uint64_t got;
	uint8_t key[13];
	int rc;

	rc = store_checkpoint(t, log, size, &note, &nl, &got);
	if (rc == CX_ENOTFOUND || (rc == 0 && got != size))
		return 0;
	if (rc != 0)
		return rc;
	if ((c.buf = malloc(nl + 1)) == NULL)
		return CX_ENOMEM;
	memcpy(c.buf, note, nl);
	c.len = nl;
	c.cap = nl + 1;
	c.buf[nl] = '\0';
	key[0] = 'W';
	idx_put32(key + 1, log);
	idx_put64(key + 5, size);
	if ((rc = store_aux_scan(t, key, sizeof(key), screen_cosig_fn, &c)) != 0 ||
	    (rc = c.rc) != 0) {
		free(c.buf);
		return rc;
	}
	lg->note = c.buf;
	lg->note_len = c.len;
	return 0;
}

int
screen_view_latest(struct screen_view *v, store_txn *t, store *st)
{
	struct store_log *logs = NULL;
	size_t nlogs = 0, i;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = store_log_list(st, &logs, &nlogs)) != 0)
		return rc;
	if (nlogs > 0 && (v->logs = calloc(nlogs, sizeof(*v->logs))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < nlogs; i++) {
		struct screen_log *lg = &v->logs[v->n];
		const char *note;
		uint64_t size;
		tlog_hash stated;

		rc = node_checkpoint_head(t, logs[i].id, &note, NULL, NULL, &size, stated);
		if (rc == CX_ENOTFOUND) {
			rc = 0;     /* nothing signed yet: not in the view */
			continue;
		}
		if (rc != 0)
			goto out;
		lg->log = logs[i].id;
		lg->size = size;
		if ((lg->origin = strdup(logs[i].origin)) == NULL ||
		    (lg->issuer = strdup(logs[i].issuer ? logs[i].issuer : "")) == NULL) {
			free(lg->origin);
			rc = CX_ENOMEM;
			goto out;
		}
		v->n++;
		if ((rc = store_root(t, lg->log, size, lg->root)) != 0)
			goto out;
		if (memcmp(lg->root, stated, TLOG_HASH_LEN) != 0) {
			rc = cx_seterr(CX_ECORRUPT, "log %s: the root of its first %llu leaves is not "
			    "the one its checkpoint states", lg->origin, (unsigned long long)size);
			goto out;
		}
		if ((rc = screen_attach_note(lg, t, lg->log, size)) != 0)
			goto out;
	}
	if (v->n > 1)
		qsort(v->logs, v->n, sizeof(*v->logs), screen_log_cmp);
out:
	store_log_list_free(logs, nlogs);
	if (rc != 0)
		screen_view_free(v);
	return rc;
}

int
screen_view_at(struct screen_view *v, store_txn *t, store *st, const char *const *origins,
    const uint64_t *sizes, size_t n)
{
	struct store_log *logs = NULL;
	size_t nlogs = 0, i, j;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = store_log_list(st, &logs, &nlogs)) != 0)
		return rc;
	if (n > 0 && (v->logs = calloc(n, sizeof(*v->logs))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct screen_log *lg = &v->logs[v->n];
		uint64_t held;

		for (j = 0; j < i; j++)
			if (strcmp(origins[j], origins[i]) == 0) {
				rc = cx_seterr(CX_EINVAL, "log %s named twice", origins[i]);
				goto out;
			}
		for (j = 0; j < nlogs && strcmp(logs[j].origin, origins[i]) != 0; j++)
			;
		if (j == nlogs) {
			rc = cx_seterr(CX_ENOTFOUND, "this node does not hold log %s", origins[i]);
			goto out;
		}
		if ((rc = store_txn_log_size(t, logs[j].id, &held)) != 0)
			goto out;
		if (held < sizes[i]) {
			rc = cx_seterr(CX_ENOTFOUND, "this node holds %llu leaves of log %s, not %llu",
			    (unsigned long long)held, origins[i], (unsigned long long)sizes[i]);
			goto out;
		}
		lg->log = logs[j].id;
		lg->size = sizes[i];
		if ((lg->origin = strdup(logs[j].origin)) == NULL ||
		    (lg->issuer = strdup(logs[j].issuer ? logs[j].issuer : "")) == NULL) {
			free(lg->origin);
			rc = CX_ENOMEM;
			goto out;
		}
		v->n++;
		if ((rc = store_root(t, lg->log, lg->size, lg->root)) != 0 ||
		    (rc = screen_attach_note(lg, t, lg->log, lg->size)) != 0)
			goto out;
	}
	if (v->n > 1)
		qsort(v->logs, v->n, sizeof(*v->logs), screen_log_cmp);
out:
	store_log_list_free(logs, nlogs);
	if (rc != 0)
		screen_view_free(v);
	return rc;
}

/* ---- queries -------------------------------------------------------------- */

/* Names of the classes a kinds filter may give besides the kinds' own
 * names, and the sections of the answer: a record's section is the first
 * class (in this order) whose kinds hold its kind. */
#define KB(k) (1u << CX__RECORD_KIND__##k)
static const struct {
	const char *name;
	uint32_t kinds;
} screen_classes[] = {
	{ "joint_punishment", KB(DISHONEST_LIST) },
	{ "dishonest_debtor", KB(DISHONEST_DEBTOR) },
	{ "red_list", KB(RED_LIST) },
	{ "penalty", KB(PENALTY) },
	{ "licence", KB(LICENCE) },
	{ "commitment", KB(COMMITMENT) },
	{ "commitment_outcome", KB(COMMITMENT_OUTCOME) },
	{ "evaluation", KB(EVALUATION) },
	{ "other", KB(KIND_UNSPECIFIED) | KB(COERCION) | KB(REWARD) | KB(CONFIRMATION) |
	    KB(ADJUDICATION) | KB(INSPECTION) | KB(STATUS_CHANGE) },
};
#define SCREEN_NCLASSES (sizeof(screen_classes) / sizeof(screen_classes[0]))

static const char *
screen_section(int kind)
{
	size_t i;

	for (i = 0; i < SCREEN_NCLASSES; i++)
		if (kind >= 0 && kind < 32 && (screen_classes[i].kinds & (1u << kind)))
			return screen_classes[i].name;
	return "other";
}

/* The kinds bits named by name (a kind in any case, or a class). */
static int
screen_kind_bits(const char *name, uint32_t *bits)
{
	const ProtobufCEnumDescriptor *d = &cx__record_kind__descriptor;
	char buf[40];
	unsigned i;

	for (i = 0; i < SCREEN_NCLASSES; i++)
		if (strcasecmp(name, screen_classes[i].name) == 0) {
			*bits = screen_classes[i].kinds;
			return 0;
		}
	for (i = 0; i < d->n_values; i++) {
		int v = d->values[i].value;

		if (v <= 0 || v >= 32 || v == CX__RECORD_KIND__STATUS_CHANGE)
			continue;
		if (json_enum_name(buf, sizeof(buf), d, v) == 0 && strcasecmp(name, buf) == 0) {
			*bits = 1u << v;
			return 0;
		}
	}
	if (strcasecmp(name, "status_change") == 0)
		return cx_seterr(CX_EINVAL, "kinds: status changes are shown under the record they "
		    "change; filter by that record's kind");
	return cx_seterr(CX_EINVAL, "kinds: unknown kind or class \"%.64s\"", name);
}

static int
screen_by(const char *s)
{
	if (strcmp(s, "code") == 0)
		return QUERY_BY_CODE;
	if (strcmp(s, "id_number") == 0 || strcmp(s, "id") == 0)
		return QUERY_BY_ID;
	if (strcmp(s, "name") == 0)
		return QUERY_BY_NAME;
	if (strcmp(s, "reg_no") == 0 || strcmp(s, "regno") == 0)
		return QUERY_BY_REGNO;
	return 0;
}

static const char *
screen_by_name(int by)
{
	switch (by) {
	case QUERY_BY_CODE: return "code";
	case QUERY_BY_ID: return "id_number";
	case QUERY_BY_NAME: return "name";
	case QUERY_BY_REGNO: return "reg_no";
	}
	return "?";
}

/* A date parameter: a string, or null/absent (0). */
static int
screen_param_date(const json_t *v, const char *k, uint32_t *out)
{
	const char *s;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cx_seterr(CX_EINVAL, "%s: expected a date \"YYYY-MM-DD\"", k);
	s = json_string_value(v);
	if (date_parse(out, s, json_string_length(v)) != 0)
		return cx_seterr(CX_EINVAL, "%s: not a date: %.40s", k, s);
	return 0;
}

static int
screen_param_str(const json_t *v, const char *k, char *out, size_t cap)
{
	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cx_seterr(CX_EINVAL, "%s: expected a string", k);
	if (json_string_length(v) >= cap || strlen(json_string_value(v)) != json_string_length(v))
		return cx_seterr(CX_EINVAL, "%s: longer than %zu bytes or holds a NUL", k, cap - 1);
	strcpy(out, json_string_value(v));
	return 0;
}

static int
screen_param_bool(const json_t *v, const char *k, int *out)
{
	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return cx_seterr(CX_EINVAL, "%s: expected true or false", k);
	*out = json_is_true(v);
	return 0;
}

static int
screen_param_uint(const json_t *v, const char *k, uint32_t max, uint32_t *out)
{
	json_int_t i;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return cx_seterr(CX_EINVAL, "%s: expected an integer", k);
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return cx_seterr(CX_EINVAL, "%s: %lld is out of range 0..%u", k, (long long)i, max);
	*out = (uint32_t)i;
	return 0;
}

static int
screen_param_kinds(const json_t *v, uint32_t *kinds)
{
	size_t i;
	int rc;

	*kinds = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		/* "penalty,licence" */
		char buf[512], *p, *save = NULL;

		if (json_string_length(v) >= sizeof(buf))
			return cx_seterr(CX_EINVAL, "kinds: too long");
		strcpy(buf, json_string_value(v));
		for (p = strtok_r(buf, ", ", &save); p != NULL; p = strtok_r(NULL, ", ", &save)) {
			uint32_t b;

			if ((rc = screen_kind_bits(p, &b)) != 0)
				return rc;
			*kinds |= b;
		}
		return 0;
	}
	if (!json_is_array(v))
		return cx_seterr(CX_EINVAL, "kinds: expected a list of kinds");
	for (i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		uint32_t b;

		if (!json_is_string(e))
			return cx_seterr(CX_EINVAL, "kinds: expected a list of kinds");
		if ((rc = screen_kind_bits(json_string_value(e), &b)) != 0)
			return rc;
		*kinds |= b;
	}
	return 0;
}

int
screen_query_parse(struct screen_query *q, const json_t *params)
{
	static const char *const known[] = { "by", "value", "prefix", "as_of", "kinds", "city",
		"sector", "from", "to", "history", "offset", "limit", NULL };
	const char *k, *by;
	json_t *v;
	char raw[256], *norm = NULL;
	int rc;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(params))
		return cx_seterr(CX_EINVAL, "the query parameters must be a JSON object");
	json_object_foreach((json_t *)params, k, v) {
		size_t i;

		for (i = 0; known[i] != NULL && strcmp(known[i], k) != 0; i++)
			;
		if (known[i] == NULL)
			return cx_seterr(CX_EINVAL, "unknown query parameter \"%.64s\"", k);
	}
	by = json_string_value(json_object_get(params, "by"));
	if (by == NULL || (q->by = screen_by(by)) == 0)
		return cx_seterr(CX_EINVAL, "by: one of code, id_number, name, reg_no");
	if ((rc = screen_param_str(json_object_get(params, "value"), "value", raw, sizeof(raw))) != 0)
		return rc;
	if (q->by == QUERY_BY_NAME) {
		size_t n = strlen(raw);
		const char *s = grades_trim(raw, &n);

		memmove(raw, s, n);
		raw[n] = '\0';
		strcpy(q->value, raw);
	} else {
		/* codes and numbers: half-width, upper case (check character X) */
		if (text_normalize(&norm, raw, strlen(raw)) != 0)
			return cx_seterr(CX_EINVAL, "value: not text");
		if (strlen(norm) >= sizeof(q->value)) {
			free(norm);
			return cx_seterr(CX_EINVAL, "value: too long");
		}
		strcpy(q->value, norm);
		free(norm);
	}
	if (q->value[0] == '\0')
		return cx_seterr(CX_EINVAL, "value: what to search for is missing");
	if ((rc = screen_param_bool(json_object_get(params, "prefix"), "prefix", &q->prefix)) != 0 ||
	    (rc = screen_param_bool(json_object_get(params, "history"), "history", &q->history)) != 0 ||
	    (rc = screen_param_date(json_object_get(params, "as_of"), "as_of", &q->as_of)) != 0 ||
	    (rc = screen_param_date(json_object_get(params, "from"), "from", &q->from)) != 0 ||
	    (rc = screen_param_date(json_object_get(params, "to"), "to", &q->to)) != 0 ||
	    (rc = screen_param_kinds(json_object_get(params, "kinds"), &q->kinds)) != 0 ||
	    (rc = screen_param_str(json_object_get(params, "city"), "city", q->city,
	    sizeof(q->city))) != 0 ||
	    (rc = screen_param_str(json_object_get(params, "sector"), "sector", q->sector,
	    sizeof(q->sector))) != 0 ||
	    (rc = screen_param_uint(json_object_get(params, "offset"), "offset", UINT32_MAX,
	    &q->offset)) != 0 ||
	    (rc = screen_param_uint(json_object_get(params, "limit"), "limit", SCREEN_LIMIT_MAX,
	    &q->limit)) != 0)
		return rc;
	if (q->as_of == 0)
		q->as_of = date_today();
	if (q->limit == 0)
		q->limit = SCREEN_LIMIT_DEFAULT;
	if (q->from != 0 && q->to != 0 && q->from > q->to)
		return cx_seterr(CX_EINVAL, "from is after to");
	if (q->by == QUERY_BY_CODE && !q->prefix && codes_uscc_placeholder(q->value))
		return cx_seterr(CX_EINVAL, "%s is the placeholder of individual businesses without a "
		    "code; search them by registration number (reg_no)", q->value);
	return 0;
}

json_t *
screen_query_json(const struct screen_query *q, int mask)
{
	const ProtobufCEnumDescriptor *d = &cx__record_kind__descriptor;
	char masked[256], buf[40];
	json_t *o = json_object(), *kinds = json_array();
	unsigned i;
	int bad = 0;

	for (i = 0; i < d->n_values && kinds != NULL; i++) {
		int v = d->values[i].value;

		if (v >= 0 && v < 32 && (q->kinds & (1u << v)) &&
		    json_enum_name(buf, sizeof(buf), d, v) == 0)
			screen_push(kinds, json_string(buf), &bad);
	}
	if (mask && q->by == QUERY_BY_ID)
		codes_mask_id(masked, sizeof(masked), q->value);
	screen_set(o, "by", json_string(screen_by_name(q->by)), &bad);
	screen_set(o, "value", json_string(mask && q->by == QUERY_BY_ID ? masked : q->value), &bad);
	screen_set(o, "prefix", json_boolean(q->prefix), &bad);
	screen_set(o, "as_of", screen_date(q->as_of), &bad);
	screen_set(o, "kinds", kinds, &bad);
	screen_set(o, "city", json_string(q->city), &bad);
	screen_set(o, "sector", json_string(q->sector), &bad);
	screen_set(o, "from", screen_date(q->from), &bad);
	screen_set(o, "to", screen_date(q->to), &bad);
	screen_set(o, "history", json_boolean(q->history), &bad);
	screen_set(o, "offset", json_integer(q->offset), &bad);
	screen_set(o, "limit", json_integer(q->limit ? q->limit : SCREEN_LIMIT_DEFAULT), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- the answer ----------------------------------------------------------- */

/* What the answer works through: the view as query limits, and the log of
 * each hit by view position. */
struct screen_ctx {
	const struct screen_view *v;
	const struct grades *g;
	const struct screen_query *q;
	store_txn *t;
	struct query_limit *lim;
	int mask;
	int filtered;           /* a filter other than the search is given */
};

static const struct screen_log *
screen_log_of(const struct screen_ctx *x, uint32_t log)
{
	size_t i;

	for (i = 0; i < x->v->n; i++)
		if (x->v->logs[i].log == log)
			return &x->v->logs[i];
	return NULL;
}

/* Whether region code r lies in division code c (GB/T 2260: "330000" holds
 * 33xxxx, "330100" holds 3301xx, "330106" only itself). */
static int
screen_region_in(const char *r, const char *c)
{
	size_t n = strlen(c), k;

	if (r == NULL || r[0] == '\0' || n != 6 || strspn(c, "0123456789") != 6)
		return 0;
	if (strcmp(r, c) == 0)
		return 1;
	if (strcmp(c + 2, "0000") == 0)
		k = 2;
	else if (strcmp(c + 4, "00") == 0)
		k = 4;
	else
		return 0;
	return strlen(r) == 6 && strncmp(r, c, k) == 0;
}

/* Whether hit h passes the query's filters. */
static int
screen_pass(const struct screen_ctx *x, const struct query_hit *h)
{
	const struct screen_query *q = x->q;
	const Cx__Record *c = h->current;
	const struct screen_log *lg = screen_log_of(x, h->log);
	int kind = (int)c->kind;

	if (q->kinds != 0 && (kind < 0 || kind >= 32 || !(q->kinds & (1u << kind))))
		return 0;
	if (q->city[0] != '\0' && !(lg != NULL && strcmp(lg->issuer, q->city) == 0) &&
	    !screen_region_in(c->region, q->city))
		return 0;
	if (q->sector[0] != '\0' && (c->sector == NULL || strcmp(c->sector, q->sector) != 0))
		return 0;
	if (q->from != 0 && c->decision_date < q->from)
		return 0;
	if (q->to != 0 && c->decision_date > q->to)
		return 0;
	return 1;
}

/* Whether hit h is listed in the answer: it passes and is active (or the
 * query asks for history). */
static int
screen_shown(const struct screen_ctx *x, const struct query_hit *h)
{
	return screen_pass(x, h) && (x->q->history || h->state == QUERY_ACTIVE);
}

/* A hit with its log's origin, for ordering. */
struct screen_hit {
	const struct query_hit *h;
	const struct screen_log *lg;
	int latest;             /* latest evaluation of its (issuer, scheme) */
};

static int
screen_hit_cmp(const void *a, const void *b)
{
	const struct screen_hit *x = a, *y = b;
	uint32_t dx = x->h->current->decision_date, dy = y->h->current->decision_date;
	int c;

	if ((x->h->state == QUERY_ACTIVE) != (y->h->state == QUERY_ACTIVE))
		return x->h->state == QUERY_ACTIVE ? -1 : 1;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	if ((c = strcmp(x->lg->origin, y->lg->origin)) != 0)
		return c;
	return x->h->index < y->h->index ? -1 : (x->h->index > y->h->index);
}

/* Whether a is newer than b: decision date, then origin and index. */
static int
screen_newer(const struct screen_hit *a, const struct screen_hit *b)
{
	uint32_t da = a->h->current->decision_date, db = b->h->current->decision_date;
	int c;

	if (da != db)
		return da > db;
	if ((c = strcmp(a->lg->origin, b->lg->origin)) != 0)
		return c > 0;
	return a->h->index > b->h->index;
}

/* An evaluation is newer than another of its (issuer, scheme): later
 * decision, then later validity start, then origin and index. */
static int
screen_eval_newer(const struct screen_hit *a, const struct screen_hit *b)
{
	const Cx__Evaluation *ea = a->h->current->evaluation, *eb = b->h->current->evaluation;

	if (a->h->current->decision_date != b->h->current->decision_date ||
	    ea->valid_from == eb->valid_from)
		return screen_newer(a, b);
	return ea->valid_from > eb->valid_from;
}

static int
screen_is_eval(const struct query_hit *h)
{
	return h->current->body_case == CX__RECORD__BODY_EVALUATION && h->current->evaluation;
}

/* Mark the latest active evaluation of every (issuer, scheme). */
static void
screen_mark_latest(struct screen_hit *hs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct query_hit *h = hs[i].h;
		int best = 1;

		if (h->state != QUERY_ACTIVE || !screen_is_eval(h))
			continue;
		for (j = 0; j < n && best; j++) {
			const struct query_hit *o = hs[j].h;

			if (j == i || o->state != QUERY_ACTIVE || !screen_is_eval(o) ||
			    strcmp(hs[j].lg->issuer, hs[i].lg->issuer) != 0 ||
			    strcmp(o->current->evaluation->scheme, h->current->evaluation->scheme) != 0)
				continue;
			if (screen_eval_newer(&hs[j], &hs[i]))
				best = 0;
		}
		hs[i].latest = best;
	}
}

/* The "grade" object of an evaluation. */
static json_t *
screen_grade(const struct screen_ctx *x, const Cx__Evaluation *e)
{
	const char *canon = grades_map(x->g, e->scheme, e->grade);
	json_t *o = json_object();
	int bad = 0;

	screen_set(o, "original", json_string(e->grade ? e->grade : ""), &bad);
	screen_set(o, "scheme", json_string(e->scheme ? e->scheme : ""), &bad);
	screen_set(o, "model_version", json_string(e->model_version ? e->model_version : ""), &bad);
	screen_set(o, "valid_from", screen_date(e->valid_from), &bad);
	screen_set(o, "valid_until", screen_date(e->valid_until), &bad);
	screen_set(o, "canonical", canon ? json_string(canon) : json_null(), &bad);
	screen_set(o, "mapping_version", json_string(grades_version(x->g)), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A record's JSON (masked as asked) into *out. */
static int
screen_record(json_t **out, const struct screen_ctx *x, const Cx__Record *r)
{
	int rc = json_from_record(out, r, x->mask);

	if (rc != 0)
		return cx_seterr(rc, "record %s cannot be shown: %s", r->record_id ? r->record_id : "?",
		    cx_lasterr());
	return 0;
}

/* One entry of "records". */
static int
screen_record_entry(json_t **out, const struct screen_ctx *x, const struct screen_hit *sh,
    const char *key)
{
	const struct query_hit *h = sh->h;
	const Cx__Record *c = h->current;
	json_t *o = json_object(), *rec = NULL, *chs = json_array();
	size_t j;
	int bad = 0, rc;

	*out = NULL;
	if (o == NULL || chs == NULL) {
		rc = CX_ENOMEM;
		goto fail;
	}
	screen_set(o, "subject", json_string(key), &bad);
	screen_set(o, "state", json_string(query_state_name(h->state)), &bad);
	if (h->since)
		screen_set(o, "since", screen_date(h->since), &bad);
	screen_set(o, "issuer", json_string(sh->lg->issuer), &bad);
	screen_set(o, "city", json_string(sh->lg->issuer), &bad);
	screen_set(o, "region", json_string(c->region ? c->region : ""), &bad);
	screen_set(o, "log", json_string(sh->lg->origin), &bad);
	screen_set(o, "index", json_integer((json_int_t)h->index), &bad);
	screen_set(o, "section", json_string(screen_section((int)c->kind)), &bad);
	if (c->body_case == CX__RECORD__BODY_LIST_ENTRY && c->list_entry != NULL) {
		json_t *m = json_array();

		for (j = 0; j < c->list_entry->n_measures; j++)
			screen_push(m, json_string(c->list_entry->measures[j]), &bad);
		screen_set(o, "list_type", json_string(c->list_entry->list_type ?
		    c->list_entry->list_type : ""), &bad);
		screen_set(o, "measures", m, &bad);
	}
	if (screen_is_eval(h)) {
		screen_set(o, "grade", screen_grade(x, c->evaluation), &bad);
		screen_set(o, "latest", json_boolean(sh->latest), &bad);
	}
	if ((rc = screen_record(&rec, x, c)) != 0)
		goto fail;
	screen_set(o, "record", rec, &bad);
	if (c != h->rec) {
		json_t *orig = NULL;

		if ((rc = screen_record(&orig, x, h->rec)) != 0)
			goto fail;
		screen_set(o, "original", orig, &bad);
	}
	for (j = 0; j < h->nchanges; j++) {
		json_t *cr = NULL;

		if ((rc = screen_record(&cr, x, h->changes[j].rec)) != 0)
			goto fail;
		screen_push(chs, json_pack("{s:I, s:o}", "index", (json_int_t)h->changes[j].index,
		    "record", cr), &bad);
	}
	screen_set(o, "changes", chs, &bad);
	chs = NULL;
	if (bad) {
		rc = CX_ENOMEM;
		goto fail;
	}
	*out = o;
	return 0;
fail:
	json_decref(o);
	json_decref(chs);
	return rc;
}

/* The subject object when no record names the subject on the date: the
 * searched value alone. */
static json_t *
screen_subject_from_key(const struct screen_ctx *x, const char *key)
{
	const char *f = "name";

	switch (x->q->by) {
	case QUERY_BY_CODE: f = "credit_code"; break;
	case QUERY_BY_ID: f = "id_number"; break;
	case QUERY_BY_REGNO: f = "business_reg_no"; break;
	}
	return json_pack("{s:s}", f, key);
}

/* The subject as the newest record naming it on the date says. */
static json_t *
screen_subject(const struct screen_ctx *x, const struct screen_hit *hs, size_t n,
    const char *key)
{
	const struct screen_hit *best = NULL;
	Cx__Record tmp = CX__RECORD__INIT;
	json_t *j = NULL, *s;
	size_t i;
	int pass;

	/* first records decided by the date, then any that names it */
	for (pass = 0; pass < 2 && best == NULL; pass++)
		for (i = 0; i < n; i++) {
			const struct query_hit *h = hs[i].h;

			if (h->state == QUERY_OTHER_SUBJECT || h->current->subject == NULL ||
			    (pass == 0 && h->state == QUERY_NOT_YET))
				continue;
			if (best == NULL || screen_newer(&hs[i], best))
				best = &hs[i];
		}
	if (best == NULL)
		return screen_subject_from_key(x, key);
	tmp.subject = best->h->current->subject;
	if (json_from_record(&j, &tmp, x->mask) != 0)
		return NULL;
	s = json_object_get(j, "subject");
	json_incref(s);
	json_decref(j);
	return s;
}

/* The key of a subject value: identity numbers masked when asked. */
static int
screen_key(char *out, size_t cap, const struct screen_ctx *x, const char *value)
{
	char *norm = NULL;

	if (x->q->by == QUERY_BY_ID && x->mask) {
		codes_mask_id(out, cap, value);
		return 0;
	}
	if (x->q->by == QUERY_BY_NAME) {
		if (text_normalize(&norm, value, strlen(value)) != 0)
			return cx_seterr(CX_EINVAL, "name: not text");
		snprintf(out, cap, "%s", norm);
		free(norm);
		return 0;
	}
	snprintf(out, cap, "%s", value);
	return 0;
}

/*
 * Add subject value (its result res) to the answer: its subject object to
 * subjects, its shown records to records; *active and *total add its
 * counts.
 */
static int
screen_add_subject(const struct screen_ctx *x, const char *value, const struct query_result *res,
    json_t *subjects, json_t *records, json_int_t *active, json_int_t *total)
{
	struct screen_hit *hs = NULL;
	json_t *so = NULL, *listed_in = NULL;
	char key[512];
	size_t i, j, na = 0, nt = 0;
	int bad = 0, rc, listed = 0;

	if ((rc = screen_key(key, sizeof(key), x, value)) != 0)
		return rc;
	if (res->n > 0 && (hs = calloc(res->n, sizeof(*hs))) == NULL)
		return CX_ENOMEM;
	for (i = 0; i < res->n; i++) {
		hs[i].h = &res->hits[i];
		if ((hs[i].lg = screen_log_of(x, res->hits[i].log)) == NULL) {
			rc = cx_seterr(CX_EINVAL, "a record outside the view");
			goto out;
		}
	}
	if (res->n > 1)
		qsort(hs, res->n, sizeof(*hs), screen_hit_cmp);
	screen_mark_latest(hs, res->n);

	if ((listed_in = json_array()) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	/* listed: an active list entry anywhere (whatever the filters); the
	 * issuers in view order, which is origin order */
	for (j = 0; j < x->v->n; j++)
		for (i = 0; i < res->n; i++) {
			const struct query_hit *h = hs[i].h;

			if (hs[i].lg != &x->v->logs[j] || h->state != QUERY_ACTIVE ||
			    (h->current->kind != CX__RECORD_KIND__DISHONEST_LIST &&
			    h->current->kind != CX__RECORD_KIND__DISHONEST_DEBTOR))
				continue;
			listed = 1;
			screen_push(listed_in, json_string(hs[i].lg->issuer), &bad);
			break;
		}
	for (i = 0; i < res->n; i++) {
		if (!screen_pass(x, hs[i].h))
			continue;
		nt++;
		na += hs[i].h->state == QUERY_ACTIVE;
	}
	so = json_object();
	screen_set(so, "key", json_string(key), &bad);
	screen_set(so, "subject", screen_subject(x, hs, res->n, key), &bad);
	screen_set(so, "listed", json_boolean(listed), &bad);
	screen_set(so, "listed_in", listed_in, &bad);
	listed_in = NULL;
	screen_set(so, "active", json_integer((json_int_t)na), &bad);
	screen_set(so, "total", json_integer((json_int_t)nt), &bad);
	screen_push(subjects, so, &bad);
	if (bad) {
		rc = CX_ENOMEM;
		goto out;
	}
	*active += (json_int_t)na;
	*total += (json_int_t)nt;
	for (i = 0; i < res->n; i++) {
		json_t *e;

		if (!screen_shown(x, hs[i].h))
			continue;
		if ((rc = screen_record_entry(&e, x, &hs[i], key)) != 0)
			goto out;
		screen_push(records, e, &bad);
		if (bad) {
			rc = CX_ENOMEM;
			goto out;
		}
	}
out:
	json_decref(listed_in);
	free(hs);
	return rc;
}

/* Whether a subject of a prefix search with filters has a record to show. */
static int
screen_has_shown(const struct screen_ctx *x, const struct query_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (screen_shown(x, &res->hits[i]))
			return 1;
	return 0;
}

static json_t *
screen_data(const struct screen_view *v)
{
	json_t *a = json_array();
	char b64[B64_LEN(TLOG_HASH_LEN)];
	size_t i;
	int bad = 0;

	for (i = 0; i < v->n; i++) {
		b64_encode(b64, v->logs[i].root, TLOG_HASH_LEN);
		screen_push(a, json_pack("{s:s, s:s, s:I, s:s}", "origin", v->logs[i].origin,
		    "issuer", v->logs[i].issuer, "size", (json_int_t)v->logs[i].size, "root", b64),
		    &bad);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int
screen_answer(json_t **out, store_txn *t, const struct screen_view *v,
    const struct grades *g, const struct screen_query *q, uint32_t perms)
{
	struct screen_ctx x = { .v = v, .g = g, .q = q, .t = t };
	struct query_result res = { 0 };
	char **values = NULL, hex[HEX_LEN(32)];
	size_t nvalues = 0, i, total_subjects = 0, shown = 0;
	uint32_t limit = q->limit ? q->limit : SCREEN_LIMIT_DEFAULT;
	json_t *ans = NULL, *subjects = json_array(), *records = json_array(), *gr;
	json_int_t active = 0, total = 0;
	int rc = 0, bad = 0;

	*out = NULL;
	x.mask = !(perms & PERM_PERSONAL);
	x.filtered = q->kinds != 0 || q->city[0] != '\0' || q->sector[0] != '\0' || q->from != 0 ||
	    q->to != 0;
	if (g == NULL || subjects == NULL || records == NULL) {
		rc = g == NULL ? cx_seterr(CX_EINVAL, "no grade table") : CX_ENOMEM;
		goto out;
	}
	if (q->by == QUERY_BY_ID && q->prefix && x.mask) {
		/* a prefix search would spell out identity numbers digit by digit */
		rc = cx_seterr(CX_EPERM, "a prefix search by identity number needs the personal "
		    "permission");
		goto out;
	}
	if (v->n > 0 && (x.lim = calloc(v->n, sizeof(*x.lim))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < v->n; i++) {
		x.lim[i].log = v->logs[i].log;
		x.lim[i].size = v->logs[i].size;
	}
	if (q->prefix) {
		if ((rc = query_prefix(&values, &nvalues, t, q->by, q->value, x.lim, v->n,
		    SCREEN_PREFIX_MAX)) != 0)
			goto out;
	}

	if (!q->prefix) {
		/* the subject named, when any record of the view names it */
		if ((rc = query_subject_in(&res, t, q->by, q->value, q->as_of, x.lim, v->n)) != 0)
			goto out;
		if (res.n > 0) {
			total_subjects = 1;
			if (q->offset == 0) {
				rc = screen_add_subject(&x, q->value, &res, subjects, records, &active, &total);
				shown = 1;
			}
		}
		query_result_free(&res);
		if (rc != 0)
			goto out;
	} else {
		for (i = 0; i < nvalues; i++) {
			int in_page;

			if (x.filtered) {
				if ((rc = query_subject_in(&res, t, q->by, values[i], q->as_of, x.lim,
				    v->n)) != 0)
					goto out;
				if (!screen_has_shown(&x, &res)) {
					query_result_free(&res);
					continue;
				}
			}
			in_page = total_subjects >= q->offset && total_subjects - q->offset < limit;
			total_subjects++;
			if (!in_page) {
				query_result_free(&res);
				continue;
			}
			if (!x.filtered && (rc = query_subject_in(&res, t, q->by, values[i], q->as_of,
			    x.lim, v->n)) != 0)
				goto out;
			rc = screen_add_subject(&x, values[i], &res, subjects, records, &active, &total);
			query_result_free(&res);
			if (rc != 0)
				goto out;
			shown++;
		}
	}

	hex_encode(hex, grades_digest(g), 32);
	ans = json_object();
	screen_set(ans, "query", screen_query_json(q, x.mask), &bad);
	screen_set(ans, "as_of", screen_date(q->as_of), &bad);
	gr = json_pack("{s:s, s:s}", "version", grades_version(g), "digest", hex);
	screen_set(ans, "grades", gr, &bad);
	screen_set(ans, "data", screen_data(v), &bad);
	screen_set(ans, "total_subjects", json_integer((json_int_t)total_subjects), &bad);
	screen_set(ans, "offset", json_integer(q->offset), &bad);
	if ((uint64_t)q->offset + shown < total_subjects)
		screen_set(ans, "next_offset", json_integer((json_int_t)(q->offset + shown)), &bad);
	screen_set(ans, "subjects", subjects, &bad);
	subjects = NULL;
	screen_set(ans, "active", json_integer(active), &bad);
	screen_set(ans, "total", json_integer(total), &bad);
	screen_set(ans, "records", records, &bad);
	records = NULL;
	if (bad) {
		rc = CX_ENOMEM;
		goto out;
	}
	*out = ans;
	ans = NULL;
out:
	query_result_free(&res);
	query_values_free(values, nvalues);
	free(x.lim);
	json_decref(ans);
	json_decref(subjects);
	json_decref(records);
	return rc;
}

/* ---- canonical form -------------------------------------------------------- */

char *
screen_canonical(const json_t *j, size_t *len)
{
	char *s;

	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s != NULL && len != NULL)
		*len = strlen(s);
	return s;
}

int
screen_digest(const json_t *j, uint8_t out[32])
{
	size_t len;
	char *s = screen_canonical(j, &len);
	int rc;

	if (s == NULL)
		return cx_seterr(j == NULL ? CX_EINVAL : CX_ENOMEM, "the answer cannot be serialised");
	rc = screen_sha256(s, len, out);
	free(s);
	return rc;
}
