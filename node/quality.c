/*
 * quality.c — the 双公示 quality report (docs/quality.md).
 *
 * Design:
 *   - A report is one pass over the PENALTY and LICENCE leaves of every log
 *     in the latest signed view (screen_view_latest: leaves beyond a log's
 *     latest checkpoint do not count), plus one scan of the 'Q' aux entries
 *     (this node's rejected rows). Every row lands in a group (issuer,
 *     department name, department code) and, inside it, in buckets: bucket
 *     0 is the whole period, then one per ISO week, then one per calendar
 *     month that the period touches:
 *
 *         counts[0]                  the period
 *         counts[1 .. nweeks]        week w: Monday(from) + 7 (w - 1) ...
 *         counts[1 + nweeks ..]      month m: month(from) + (m - 1)
 *
 *   - A row counts on its submission date: a published record on the China
 *     date of its issued_at, a rejected row on its import date. So a
 *     period's figures are those of what reached the platform in it, and
 *     they do not change afterwards except when another city's records of
 *     that period arrive by replication.
 *   - Timeliness needs only the deadline, date_add_workdays(decision, 7):
 *     published on or before it is timely (quality_workday_no says which
 *     working day a publication falls on, for people and tests).
 *   - Rejected rows are keyed by a digest of the row, so importing a file
 *     again does not count its bad rows twice; the key of a row that parsed
 *     is the digest of the record packed with issued_at 0 (the importer
 *     stamps the clock on it), else of the row's bytes:
 *
 *         'Q' | SHA-256("record\0" | packed record)[0..16)
 *         'Q' | SHA-256("cells\0" | kind u8 | (len u32 BE | cell)*)[0..16)
 *         'Q' | SHA-256("line\0" | line bytes)[0..16)
 *
 *     -> {"authority":{"credit_code","name"},"decision_date","imported",
 *         "kind","reason","time"} (compact JSON, docs/storage.md).
 *
 * Rates are decimal strings, percent with two digits, rounded half up
 * (exact integer arithmetic), so every reader sees the same digits; the
 * counts beside them are exact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ingest/json.h"
#include "node/quality.h"
#include "node/screen.h"
#include "util/err.h"

#define QUALITY_CAL_MAX (1u << 20)   /* calendar file size limit */
#define QUALITY_KEY_LEN 17

/* ---- time rules --------------------------------------------------------- */

int
quality_workday_no(const struct date_calendar *c, uint32_t decision, uint32_t published)
{
	uint32_t d, x;
	int n = 0;

	if (date_weekday(decision) < 0 || date_weekday(published) < 0)
		return -1;
	if (published <= decision)
		return 0;
	for (d = published; !date_is_workday(c, d); d = date_add_days(d, 1))
		if (d == 0)
			return -1;
	for (x = date_add_days(decision, 1); x != 0 && x <= d; x = date_add_days(x, 1))
		n += date_is_workday(c, x);
	return x == 0 ? -1 : n;
}

uint32_t
quality_date_of(uint64_t t)
{
	return date_from_days((int32_t)((t + 8 * 3600) / 86400));
}

int
quality_iso_week(uint32_t ymd, int *year, int *week)
{
	int wd = date_weekday(ymd);
	uint32_t thu;

	if (wd < 0 || (thu = date_add_days(ymd, 3 - wd)) == 0)
		return -1;
	*year = (int)(thu / 10000);
	*week = (date_days(thu) - date_days((uint32_t)*year * 10000 + 101)) / 7 + 1;
	return 0;
}

int
quality_calendar_load(struct date_calendar **out, const char *path)
{
	FILE *f;
	char *buf = NULL, msg[300];
	size_t len = 0, cap = 0, got;
	unsigned long line;
	int rc, off = 0;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return cx_seterr(errno == ENOENT ? CX_ENOTFOUND : CX_EIO, "%s: %s", path,
		    strerror(errno));
	do {
		if (len == cap) {
			char *nb;

			if (cap >= QUALITY_CAL_MAX) {
				free(buf);
				fclose(f);
				return cx_seterr(CX_ETOOBIG, "%s: larger than 1 MiB", path);
			}
			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return CX_ENOMEM;
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
	rc = date_calendar_load(out, buf, len);
	free(buf);
	if (rc == 0)
		return 0;
	/* "line N: why" becomes "path:N: why" */
	snprintf(msg, sizeof(msg), "%s", cx_lasterr());
	if (sscanf(msg, "line %lu: %n", &line, &off) == 1 && off > 0)
		return cx_seterr(rc, "%s:%lu: %s", path, line, msg + off);
	return cx_seterr(rc, "%s: %s", path, msg);
}

/* ---- parameters --------------------------------------------------------- */

static int
quality_param_date(const json_t *v, const char *k, uint32_t *out)
{
	const char *s;

	if (!json_is_string(v))
		return cx_seterr(CX_EINVAL, "%s: expected a date string (YYYY-MM-DD)", k);
	s = json_string_value(v);
	if (date_parse(out, s, json_string_length(v)) != 0)
		return cx_seterr(CX_EINVAL, "%s: not a date: \"%.40s\"", k, s);
	return 0;
}

static int
quality_param_str(const json_t *v, const char *k, char *out, size_t cap)
{
	if (!json_is_string(v))
		return cx_seterr(CX_EINVAL, "%s: expected a string", k);
	if (json_string_length(v) >= cap || strlen(json_string_value(v)) != json_string_length(v))
		return cx_seterr(CX_EINVAL, "%s: longer than %zu bytes or holds NUL", k, cap - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int
quality_params_parse(struct quality_params *p, const json_t *params, uint32_t today)
{
	const char *k;
	json_t *v;
	int rc;

	memset(p, 0, sizeof(*p));
	p->weeks = p->months = 1;
	if (params != NULL && !json_is_object(params))
		return cx_seterr(CX_EINVAL, "parameters must be a JSON object");
	json_object_foreach((json_t *)params, k, v) {
		if (strcmp(k, "from") == 0)
			rc = quality_param_date(v, k, &p->from);
		else if (strcmp(k, "to") == 0)
			rc = quality_param_date(v, k, &p->to);
		else if (strcmp(k, "issuer") == 0)
			rc = quality_param_str(v, k, p->issuer, sizeof(p->issuer));
		else if (strcmp(k, "department") == 0)
			rc = quality_param_str(v, k, p->department, sizeof(p->department));
		else if (strcmp(k, "period") == 0) {
			const char *s = json_string_value(v);

			rc = 0;
			if (s != NULL && strcmp(s, "week") == 0)
				p->months = 0;
			else if (s != NULL && strcmp(s, "month") == 0)
				p->weeks = 0;
			else if (s == NULL || strcmp(s, "both") != 0)
				rc = cx_seterr(CX_EINVAL, "period: expected \"week\", \"month\" or \"both\"");
		} else
			rc = cx_seterr(CX_EINVAL, "unknown quality parameter \"%.64s\"", k);
		if (rc != 0)
			return rc;
	}
	if (p->from == 0 && p->to == 0) {
		/* the last full month */
		uint32_t first = today / 100 * 100 + 1;

		if (!date_valid(today))
			return cx_seterr(CX_EINVAL, "today is not a date");
		p->from = date_add_months(first, -1);
		p->to = date_add_days(first, -1);
	} else if (p->to == 0) {
		p->to = today;
	} else if (p->from == 0) {
		p->from = p->to / 100 * 100 + 1;
	}
	if (p->from > p->to) {
		char a[11], b[11];

		date_format(a, p->from);
		date_format(b, p->to);
		return cx_seterr(CX_EINVAL, "from %s is after to %s", a, b);
	}
	if (date_add_months(p->from, QUALITY_MAX_MONTHS) <= p->to)
		return cx_seterr(CX_EINVAL, "a period of at most %d months, please", QUALITY_MAX_MONTHS);
	return 0;
}

/* ---- groups and buckets ------------------------------------------------- */

struct quality_counts {
	uint64_t penalties;
	uint64_t licences;
	uint64_t timely;
	uint64_t own;        /* published records of this node (compliant rows) */
	uint64_t rejected;   /* this node's rejected rows */
};

struct quality_group {
	char *issuer, *name, *code;
	int own;
	struct quality_counts *c;   /* [nbuckets] */
};

struct quality_ctx {
	struct node *n;
	const struct quality_params *p;
	const struct date_calendar *cal;
	uint32_t monday;            /* Monday of from's week */
	int fmonth;                 /* year * 12 + month - 1 of from */
	size_t nweeks, nmonths, nbuckets;
	struct quality_group *g;
	size_t ng, gcap;
	size_t *tab;                /* open addressing: group index + 1, 0 free */
	size_t ntab;
	int bad;                    /* allocation failed */
};

static uint64_t
quality_hash(const char *a, const char *b, const char *c)
{
	uint64_t h = 1469598103934665603ULL;
	const char *s[3] = { a, b, c };
	int i;

	for (i = 0; i < 3; i++) {
		const char *p = s[i];

		while (*p)
			h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static int
quality_group_eq(const struct quality_group *g, const char *issuer, const char *name,
    const char *code)
{
	return strcmp(g->issuer, issuer) == 0 && strcmp(g->name, name) == 0 &&
	    strcmp(g->code, code) == 0;
}

static int
quality_rehash(struct quality_ctx *x)
{
	size_t nn = x->ntab ? x->ntab * 2 : 64, i, j;
	size_t *nt = calloc(nn, sizeof(*nt));

	if (nt == NULL)
		return CX_ENOMEM;
	for (i = 0; i < x->ng; i++) {
		struct quality_group *g = &x->g[i];

		for (j = quality_hash(g->issuer, g->name, g->code) & (nn - 1); nt[j];
		    j = (j + 1) & (nn - 1))
			;
		nt[j] = i + 1;
	}
	free(x->tab);
	x->tab = nt;
	x->ntab = nn;
	return 0;
}

/* The group of (issuer, name, code), created when new; NULL: no memory. */
static struct quality_group *
quality_group_of(struct quality_ctx *x, const char *issuer, const char *name, const char *code,
    int own)
{
	struct quality_group *g;
	size_t j;

	if (x->ntab) {
		for (j = quality_hash(issuer, name, code) & (x->ntab - 1); x->tab[j];
		    j = (j + 1) & (x->ntab - 1))
			if (quality_group_eq(&x->g[x->tab[j] - 1], issuer, name, code))
				return &x->g[x->tab[j] - 1];
	}
	if ((x->ng + 1) * 2 > x->ntab && quality_rehash(x) != 0)
		return NULL;
	if (x->ng == x->gcap) {
		size_t nc = x->gcap ? x->gcap * 2 : 16;
		struct quality_group *ng = realloc(x->g, nc * sizeof(*ng));

		if (ng == NULL)
			return NULL;
		x->g = ng;
		x->gcap = nc;
	}
	g = &x->g[x->ng];
	memset(g, 0, sizeof(*g));
	g->own = own;
	if ((g->issuer = strdup(issuer)) == NULL || (g->name = strdup(name)) == NULL ||
	    (g->code = strdup(code)) == NULL ||
	    (g->c = calloc(x->nbuckets, sizeof(*g->c))) == NULL) {
		free(g->issuer);
		free(g->name);
		free(g->code);
		return NULL;
	}
	x->ng++;
	for (j = quality_hash(issuer, name, code) & (x->ntab - 1); x->tab[j]; j = (j + 1) & (x->ntab - 1))
		;
	x->tab[j] = x->ng;
	return g;
}

static void
quality_ctx_free(struct quality_ctx *x)
{
	size_t i;

	for (i = 0; i < x->ng; i++) {
		free(x->g[i].issuer);
		free(x->g[i].name);
		free(x->g[i].code);
		free(x->g[i].c);
	}
	free(x->g);
	free(x->tab);
}

static int
quality_month_no(uint32_t ymd)
{
	return (int)(ymd / 10000) * 12 + (int)(ymd / 100 % 100) - 1;
}

/* The buckets date d (within the period) counts in: the period, its
 * week, its month; *n of them. */
static void
quality_buckets(const struct quality_ctx *x, uint32_t d, size_t out[3], size_t *n)
{
	*n = 0;
	out[(*n)++] = 0;
	if (x->p->weeks)
		out[(*n)++] = 1 + (size_t)((date_days(d) - date_days(x->monday)) / 7);
	if (x->p->months)
		out[(*n)++] = 1 + x->nweeks + (size_t)(quality_month_no(d) - x->fmonth);
}

static int
quality_in_department(const struct quality_params *p, const char *name, const char *code)
{
	return p->department[0] == '\0' || strcmp(p->department, name) == 0 ||
	    strcmp(p->department, code) == 0;
}

/* One published record of log lg. */
static int
quality_add_record(struct quality_ctx *x, const char *issuer, int own, const Cx__Record *r)
{
	const char *name = "(unknown)", *code = "";
	struct quality_group *g;
	uint32_t pub = quality_date_of(r->issued_at), deadline;
	size_t b[3], nb, i;
	int timely;

	if (pub < x->p->from || pub > x->p->to)
		return 0;
	if (r->authority != NULL) {
		if (r->authority->name && r->authority->name[0])
			name = r->authority->name;
		if (r->authority->credit_code)
			code = r->authority->credit_code;
	}
	if (!quality_in_department(x->p, name, code))
		return 0;
	if ((g = quality_group_of(x, issuer, name, code, own)) == NULL)
		return CX_ENOMEM;
	/* no decision date: its timeliness cannot be shown, so it is not timely */
	deadline = r->decision_date ? date_add_workdays(x->cal, r->decision_date, QUALITY_DEADLINE) : 0;
	timely = deadline != 0 && pub <= deadline;
	quality_buckets(x, pub, b, &nb);
	for (i = 0; i < nb; i++) {
		struct quality_counts *c = &g->c[b[i]];

		if (r->kind == CX__RECORD_KIND__PENALTY)
			c->penalties++;
		else
			c->licences++;
		c->timely += (uint64_t)timely;
		c->own += (uint64_t)own;
	}
	return 0;
}

static int
quality_scan_log(struct quality_ctx *x, store_txn *t, const struct screen_log *lg)
{
	int own = lg->log == x->n->log;
	uint64_t i;
	int rc;

	for (i = 0; i < lg->size; i++) {
		const uint8_t *data;
		size_t len;
		Cx__Record *r;

		if ((rc = store_leaf(t, lg->log, i, &data, &len)) != 0)
			return rc;
		/* a leaf that is not a record is not ours to judge here
		 * (`cxnode verify` and replication check leaves) */
		if ((r = idx_unpack(data, len)) == NULL)
			continue;
		rc = 0;
		if (r->kind == CX__RECORD_KIND__PENALTY || r->kind == CX__RECORD_KIND__LICENCE)
			rc = quality_add_record(x, lg->issuer, own, r);
		cx__record__free_unpacked(r, NULL);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
quality_reject_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct quality_ctx *x = ctx;
	json_t *j, *a;
	const char *name = NULL, *code = NULL, *imp;
	struct quality_group *g;
	uint32_t d;
	size_t b[3], nb, i;

	if (klen != QUALITY_KEY_LEN)
		return 0;
	if ((j = json_loadb(val, vlen, 0, NULL)) == NULL)
		return 0;   /* not one of ours: skipped */
	imp = json_string_value(json_object_get(j, "imported"));
	a = json_object_get(j, "authority");
	name = json_string_value(json_object_get(a, "name"));
	code = json_string_value(json_object_get(a, "credit_code"));
	if (imp == NULL || date_parse(&d, imp, strlen(imp)) != 0 || d < x->p->from || d > x->p->to)
		goto out;
	if (name == NULL || name[0] == '\0')
		name = "(unknown)";
	if (code == NULL)
		code = "";
	if (!quality_in_department(x->p, name, code))
		goto out;
	if ((g = quality_group_of(x, x->n->cfg.id, name, code, 1)) == NULL) {
		x->bad = 1;
		json_decref(j);
		return 1;
	}
	quality_buckets(x, d, b, &nb);
	for (i = 0; i < nb; i++)
		g->c[b[i]].rejected++;
out:
	json_decref(j);
	return 0;
}

/* ---- JSON out ----------------------------------------------------------- */

static void
quality_set(json_t *o, const char *k, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		*bad = 1;
}

static void
quality_push(json_t *a, json_t *v, int *bad)
{
	if (v == NULL || json_array_append_new(a, v) != 0)
		*bad = 1;
}

static json_t *
quality_date_json(uint32_t d)
{
	char s[11];

	date_format(s, d);
	return json_string(s);
}

/* num / den as percent with two decimals, rounded half up; null if den 0. */
static json_t *
quality_rate(uint64_t num, uint64_t den)
{
	unsigned long long h;
	char s[32];

	if (den == 0)
		return json_null();
	h = (unsigned long long)((num * 20000 + den) / (2 * den));
	snprintf(s, sizeof(s), "%llu.%02llu", h / 100, h % 100);
	return json_string(s);
}

static void
quality_sum(struct quality_counts *s, const struct quality_counts *c)
{
	s->penalties += c->penalties;
	s->licences += c->licences;
	s->timely += c->timely;
	s->own += c->own;
	s->rejected += c->rejected;
}

static int
quality_nonzero(const struct quality_counts *c)
{
	return c->penalties || c->licences || c->rejected;
}

/* The figures of c into object o; known: this node's rejections count. */
static void
quality_counts_json(json_t *o, const struct quality_counts *c, int known, int *bad)
{
	uint64_t vol = c->penalties + c->licences;

	quality_set(o, "volume", json_integer((json_int_t)vol), bad);
	quality_set(o, "penalties", json_integer((json_int_t)c->penalties), bad);
	quality_set(o, "licences", json_integer((json_int_t)c->licences), bad);
	quality_set(o, "timely", json_integer((json_int_t)c->timely), bad);
	quality_set(o, "late", json_integer((json_int_t)(vol - c->timely)), bad);
	quality_set(o, "timeliness", quality_rate(c->timely, vol), bad);
	if (known) {
		quality_set(o, "submitted", json_integer((json_int_t)(c->own + c->rejected)), bad);
		quality_set(o, "compliant", json_integer((json_int_t)c->own), bad);
		quality_set(o, "rejected", json_integer((json_int_t)c->rejected), bad);
		quality_set(o, "compliance", quality_rate(c->own, c->own + c->rejected), bad);
	} else {
		quality_set(o, "submitted", json_null(), bad);
		quality_set(o, "compliant", json_null(), bad);
		quality_set(o, "rejected", json_null(), bad);
		quality_set(o, "compliance", json_null(), bad);
	}
}

static int
quality_group_cmp(const void *a, const void *b)
{
	const struct quality_group *x = a, *y = b;
	int c;

	if ((c = strcmp(x->issuer, y->issuer)) != 0)
		return c;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->code, y->code);
}

/*
 * Bucket k as {total, issuers, departments} into o. With all, every group
 * and issuer is listed (the whole period); else only those with rows.
 */
static void
quality_bucket_json(json_t *o, const struct quality_ctx *x, size_t k, int all, int *bad)
{
	json_t *issuers = json_array(), *deps = json_array(), *tot = json_object(), *e;
	struct quality_counts total = { 0 }, is = { 0 };
	int known = x->p->issuer[0] == '\0' || strcmp(x->p->issuer, x->n->cfg.id) == 0;
	size_t i, listed = 0;

	if (issuers == NULL || deps == NULL || tot == NULL) {
		*bad = 1;
		json_decref(issuers);
		json_decref(deps);
		json_decref(tot);
		return;
	}
	for (i = 0; i < x->ng; i++) {
		const struct quality_group *g = &x->g[i];

		quality_sum(&total, &g->c[k]);
		quality_sum(&is, &g->c[k]);
		if (all || quality_nonzero(&g->c[k])) {
			json_t *d = json_object();

			if ((e = json_object()) == NULL || d == NULL) {
				*bad = 1;
				json_decref(e);
				json_decref(d);
				continue;
			}
			quality_set(e, "issuer", json_string(g->issuer), bad);
			quality_set(d, "name", json_string(g->name), bad);
			quality_set(d, "code", json_string(g->code), bad);
			quality_set(e, "department", d, bad);
			quality_counts_json(e, &g->c[k], g->own, bad);
			quality_push(deps, e, bad);
			listed++;
		}
		if (i + 1 == x->ng || strcmp(x->g[i + 1].issuer, g->issuer) != 0) {
			if (all || quality_nonzero(&is)) {
				if ((e = json_object()) == NULL) {
					*bad = 1;
				} else {
					quality_set(e, "issuer", json_string(g->issuer), bad);
					quality_set(e, "departments", json_integer((json_int_t)listed), bad);
					quality_counts_json(e, &is, g->own, bad);
					quality_push(issuers, e, bad);
				}
			}
			memset(&is, 0, sizeof(is));
			listed = 0;
		}
	}
	quality_counts_json(tot, &total, known, bad);
	quality_set(o, "total", tot, bad);
	quality_set(o, "issuers", issuers, bad);
	quality_set(o, "departments", deps, bad);
}

static json_t *
quality_periods_json(const struct quality_ctx *x, int weeks, int *bad)
{
	json_t *a = json_array(), *o;
	size_t i, n = weeks ? x->nweeks : x->nmonths;

	if (a == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		uint32_t s, e;
		char label[16];

		if (weeks) {
			int y, w;

			s = date_add_days(x->monday, (int32_t)(7 * i));
			e = date_add_days(s, 6);
			(void)quality_iso_week(s, &y, &w);
			snprintf(label, sizeof(label), "%04d-W%02d", y, w);
		} else {
			int m = x->fmonth + (int)i;

			s = (uint32_t)(m / 12) * 10000 + (uint32_t)(m % 12 + 1) * 100 + 1;
			e = date_add_days(date_add_months(s, 1), -1);
			snprintf(label, sizeof(label), "%04d-%02d", m / 12, m % 12 + 1);
		}
		if (s < x->p->from)
			s = x->p->from;
		if (e > x->p->to)
			e = x->p->to;
		if ((o = json_object()) == NULL) {
			*bad = 1;
			continue;
		}
		quality_set(o, "period", json_string(label), bad);
		quality_set(o, "from", quality_date_json(s), bad);
		quality_set(o, "to", quality_date_json(e), bad);
		quality_bucket_json(o, x, 1 + (weeks ? 0 : x->nweeks) + i, 0, bad);
		quality_push(a, o, bad);
	}
	return a;
}

static json_t *
quality_data_json(const struct screen_view *v, const struct quality_params *p, int *bad)
{
	json_t *a = json_array(), *o;
	size_t i;

	if (a == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < v->n; i++) {
		if (p->issuer[0] && strcmp(p->issuer, v->logs[i].issuer) != 0)
			continue;
		if ((o = json_object()) == NULL) {
			*bad = 1;
			continue;
		}
		quality_set(o, "origin", json_string(v->logs[i].origin), bad);
		quality_set(o, "issuer", json_string(v->logs[i].issuer), bad);
		quality_set(o, "size", json_integer((json_int_t)v->logs[i].size), bad);
		quality_push(a, o, bad);
	}
	return a;
}

int
quality_report(json_t **out, struct node *n, store_txn *t, const json_t *params)
{
	struct quality_params p;
	struct quality_ctx x = { .n = n, .p = &p };
	struct date_calendar *cal = NULL;
	struct screen_view v = { 0 };
	json_t *o = NULL, *rule, *tot;
	size_t i;
	int rc, bad = 0;

	*out = NULL;
	if ((rc = quality_params_parse(&p, params, date_today())) != 0)
		return rc;
	if (n->cfg.calendar != NULL && (rc = quality_calendar_load(&cal, n->cfg.calendar)) != 0)
		return rc;
	x.cal = cal;
	x.monday = date_add_days(p.from, -date_weekday(p.from));
	x.fmonth = quality_month_no(p.from);
	x.nweeks = p.weeks ? (size_t)((date_days(p.to) - date_days(x.monday)) / 7 + 1) : 0;
	x.nmonths = p.months ? (size_t)(quality_month_no(p.to) - x.fmonth + 1) : 0;
	x.nbuckets = 1 + x.nweeks + x.nmonths;
	if ((rc = screen_view_latest(&v, t, n->st)) != 0)
		goto out;
	for (i = 0; i < v.n; i++) {
		if (p.issuer[0] && strcmp(p.issuer, v.logs[i].issuer) != 0)
			continue;
		if ((rc = quality_scan_log(&x, t, &v.logs[i])) != 0)
			goto out;
	}
	if (p.issuer[0] == '\0' || strcmp(p.issuer, n->cfg.id) == 0) {
		if ((rc = store_aux_scan(t, "Q", 1, quality_reject_fn, &x)) != 0)
			goto out;
		if (x.bad) {
			rc = CX_ENOMEM;
			goto out;
		}
	}
	if (x.ng > 1) {
		qsort(x.g, x.ng, sizeof(*x.g), quality_group_cmp);
		/* the table points at the old order; it is not used any more */
		free(x.tab);
		x.tab = NULL;
		x.ntab = 0;
	}
	if ((o = json_object()) == NULL || (rule = json_object()) == NULL ||
	    (tot = json_object()) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	quality_set(o, "node", json_string(n->cfg.id), &bad);
	quality_set(o, "from", quality_date_json(p.from), &bad);
	quality_set(o, "to", quality_date_json(p.to), &bad);
	if (p.issuer[0])
		quality_set(o, "issuer", json_string(p.issuer), &bad);
	if (p.department[0])
		quality_set(o, "department", json_string(p.department), &bad);
	quality_set(rule, "kinds", json_pack("[ss]", "penalty", "licence"), &bad);
	quality_set(rule, "deadline_workdays", json_integer(QUALITY_DEADLINE), &bad);
	quality_set(rule, "counted_from", json_string("the day after the decision"), &bad);
	quality_set(rule, "period_date", json_string("publication date (China time) of a record; "
	    "import date of a rejected row"), &bad);
	quality_set(rule, "calendar_entries", json_integer((json_int_t)date_calendar_size(cal)), &bad);
	quality_set(o, "rule", rule, &bad);
	quality_set(o, "data", quality_data_json(&v, &p, &bad), &bad);
	quality_bucket_json(tot, &x, 0, 1, &bad);
	quality_set(o, "period", tot, &bad);
	if (p.weeks)
		quality_set(o, "weeks", quality_periods_json(&x, 1, &bad), &bad);
	if (p.months)
		quality_set(o, "months", quality_periods_json(&x, 0, &bad), &bad);
	if (bad) {
		rc = CX_ENOMEM;
		goto out;
	}
	*out = o;
	o = NULL;
out:
	json_decref(o);
	screen_view_free(&v);
	quality_ctx_free(&x);
	date_calendar_free(cal);
	return rc;
}

/* ---- rejected rows ------------------------------------------------------ */

struct quality_reject_ent {
	uint8_t key[QUALITY_KEY_LEN];
	char *val;
};

struct quality_rejects {
	uint64_t now;
	struct quality_reject_ent *v;
	size_t n, cap;
};

int
quality_rejects_new(struct quality_rejects **out, uint64_t now)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return CX_ENOMEM;
	(*out)->now = now;
	return 0;
}

size_t
quality_rejects_pending(const struct quality_rejects *q)
{
	return q ? q->n : 0;
}

void
quality_rejects_free(struct quality_rejects *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++)
		free(q->v[i].val);
	free(q->v);
	free(q);
}

int
quality_rejects_flush(struct quality_rejects *q, store *st)
{
	struct store_aux_op *ops;
	size_t i;
	int rc;

	if (q == NULL || q->n == 0)
		return 0;
	if ((ops = calloc(q->n, sizeof(*ops))) == NULL)
		return CX_ENOMEM;
	for (i = 0; i < q->n; i++) {
		ops[i].key = q->v[i].key;
		ops[i].klen = QUALITY_KEY_LEN;
		ops[i].val = q->v[i].val;
		ops[i].vlen = strlen(q->v[i].val);
		ops[i].only_new = 1;
	}
	rc = store_aux_write(st, ops, q->n);
	free(ops);
	for (i = 0; i < q->n; i++)
		free(q->v[i].val);
	q->n = 0;
	return rc;
}

/* s as valid UTF-8 (each byte of a bad sequence becomes '?'), at most cap
 * bytes, cut on a character boundary; malloc'd. */
static char *
quality_utf8(const char *s, size_t cap)
{
	size_t n = strlen(s), i = 0, o = 0;
	char *r = malloc((n < cap ? n : cap) + 1);

	if (r == NULL)
		return NULL;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 :
		    (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0, j;
		int ok = k > 0 && i + k <= n;

		for (j = 1; ok && j < k; j++)
			ok = ((unsigned char)s[i + j] & 0xC0) == 0x80;
		if (ok && k == 3) {
			unsigned char d = (unsigned char)s[i + 1];

			ok = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0);
		} else if (ok && k == 4) {
			unsigned char d = (unsigned char)s[i + 1];

			ok = !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
		}
		if (!ok)
			k = 1;
		if (o + k > cap)
			break;
		if (ok)
			memcpy(r + o, s + i, k);
		else
			r[o] = '?';
		o += k;
		i += k;
	}
	r[o] = '\0';
	return r;
}

static int
quality_set_str(json_t *o, const char *k, const char *s, size_t cap)
{
	char *u = quality_utf8(s ? s : "", cap);
	int rc;

	if (u == NULL)
		return CX_ENOMEM;
	rc = json_object_set_new(o, k, json_string(u)) == 0 ? 0 : CX_ENOMEM;
	free(u);
	return rc;
}

/* Add one entry: key digest d, and the row's kind, authority, decision. */
static int
quality_reject_add(struct quality_rejects *q, const uint8_t d[32], int kind, const char *name,
    const char *code, uint32_t decision, const char *reason)
{
	json_t *o = json_object(), *a = json_object();
	struct quality_reject_ent *e;
	char *s = NULL;
	int rc = CX_ENOMEM;

	if (o == NULL || a == NULL)
		goto out;
	if (name == NULL || name[0] == '\0')
		name = "(unknown)";
	if (quality_set_str(a, "name", name, 200) != 0 ||
	    quality_set_str(a, "credit_code", code, 64) != 0 ||
	    json_object_set(o, "authority", a) != 0 ||
	    json_object_set_new(o, "kind", json_string(kind == CX__RECORD_KIND__PENALTY ?
	    "penalty" : "licence")) != 0 ||
	    (decision != 0 && json_object_set_new(o, "decision_date",
	    quality_date_json(decision)) != 0) ||
	    json_object_set_new(o, "imported", quality_date_json(quality_date_of(q->now))) != 0 ||
	    json_object_set_new(o, "time", json_integer((json_int_t)q->now)) != 0 ||
	    quality_set_str(o, "reason", reason, 400) != 0)
		goto out;
	if ((s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	if (q->n == q->cap) {
		size_t nc = q->cap ? q->cap * 2 : 64;
		struct quality_reject_ent *nv = realloc(q->v, nc * sizeof(*nv));

		if (nv == NULL)
			goto out;
		q->v = nv;
		q->cap = nc;
	}
	e = &q->v[q->n++];
	e->key[0] = 'Q';
	memcpy(e->key + 1, d, QUALITY_KEY_LEN - 1);
	e->val = s;
	s = NULL;
	rc = 0;
out:
	free(s);
	json_decref(a);
	json_decref(o);
	return rc;
}

/* SHA-256 of tag (with its NUL) and n pieces. */
static int
quality_digest(uint8_t out[32], const char *tag, const void *const *p, const size_t *len,
    size_t n)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int ol = 0;
	size_t i;
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, tag, strlen(tag) + 1) == 1;
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(md, p[i], len[i]) == 1;
	ok = ok && EVP_DigestFinal_ex(md, out, &ol) == 1 && ol == 32;
	EVP_MD_CTX_free(md);
	return ok ? 0 : cx_sslerr("sha256");
}

static int
quality_kind_ok(int kind)
{
	return kind == CX__RECORD_KIND__PENALTY || kind == CX__RECORD_KIND__LICENCE;
}

int
quality_reject_record(struct quality_rejects *q, Cx__Record *r, const char *reason)
{
	uint64_t at = r->issued_at;
	uint8_t d[32], *buf;
	const void *p[1];
	size_t len;
	int rc;

	if (!quality_kind_ok(r->kind))
		return 0;
	r->issued_at = 0;
	len = cx__record__get_packed_size(r);
	if ((buf = malloc(len ? len : 1)) == NULL) {
		r->issued_at = at;
		return CX_ENOMEM;
	}
	cx__record__pack(r, buf);
	r->issued_at = at;
	p[0] = buf;
	rc = quality_digest(d, "record", p, &len, 1);
	free(buf);
	if (rc != 0)
		return rc;
	return quality_reject_add(q, d, r->kind, r->authority ? r->authority->name : NULL,
	    r->authority ? r->authority->credit_code : NULL, r->decision_date, reason);
}

int
quality_reject_cells(struct quality_rejects *q, int kind, char *const *cells, size_t n,
    const char *reason)
{
	EVP_MD_CTX *md;
	unsigned int ol = 0;
	uint8_t d[32], k = (uint8_t)kind, l[4];
	size_t i;
	int ok;

	if (!quality_kind_ok(kind))
		return 0;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return CX_ENOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, "cells", 6) == 1 && EVP_DigestUpdate(md, &k, 1) == 1;
	for (i = 0; ok && i < n; i++) {
		size_t cl = strlen(cells[i]);

		l[0] = (uint8_t)(cl >> 24);
		l[1] = (uint8_t)(cl >> 16);
		l[2] = (uint8_t)(cl >> 8);
		l[3] = (uint8_t)cl;
		ok = EVP_DigestUpdate(md, l, 4) == 1 && EVP_DigestUpdate(md, cells[i], cl) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(md, d, &ol) == 1 && ol == 32;
	EVP_MD_CTX_free(md);
	if (!ok)
		return cx_sslerr("sha256");
	return quality_reject_add(q, d, kind, NULL, NULL, 0, reason);
}

int
quality_reject_line(struct quality_rejects *q, const char *line, size_t len, const char *reason)
{
	Cx__Record *r = NULL;
	json_t *j, *a;
	const char *kind, *ds;
	const void *p[1] = { line };
	uint32_t decision = 0;
	uint8_t d[32];
	int k, rc;

	if (json_to_record(&r, line, len, NULL, 0) == 0) {
		rc = quality_reject_record(q, r, reason);
		json_record_free(r);
		return rc;
	}
	/* not a record: what its object says, if it is one */
	if ((j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	kind = json_string_value(json_object_get(j, "kind"));
	k = kind == NULL ? 0 : strcmp(kind, "penalty") == 0 ? CX__RECORD_KIND__PENALTY :
	    strcmp(kind, "licence") == 0 ? CX__RECORD_KIND__LICENCE : 0;
	if (k == 0) {
		json_decref(j);
		return 0;
	}
	if ((ds = json_string_value(json_object_get(j, "decision_date"))) != NULL &&
	    date_parse(&decision, ds, strlen(ds)) != 0)
		decision = 0;
	a = json_object_get(j, "authority");
	if ((rc = quality_digest(d, "line", p, &len, 1)) == 0)
		rc = quality_reject_add(q, d, k, json_string_value(json_object_get(a, "name")),
		    json_string_value(json_object_get(a, "credit_code")), decision, reason);
	json_decref(j);
	return rc;
}
