/*
 * shgs.c — national 双公示 CSV columns to records.
 *
 * Header matching. Every header cell is reduced to a key: text_normalize
 * (full-width folded, ASCII upper-cased), then spaces and '*' (the
 * "required" marker of many templates) removed, then a unit suffix (万元)
 * or (元) cut off and remembered for amount columns. The key is looked up in
 * one alias table of field codes and Chinese titles; if it is not there and
 * has the form "A(B)", B and then A are tried ("行政相对人代码_1(统一社会信用代码)",
 * "法定代表人(负责人)"). Each alias says which kinds it belongs to: CF_ codes
 * and 处罚 titles to penalties, XK_ codes and 许可 titles to licences, party
 * columns and 备注 to both. Unless the caller forces a kind, the kind with
 * more kind-specific columns wins; a tie is an error.
 *
 *   header cell ──normalize──> key ──alias table──> (field, kinds, unit)
 *   map: col[field] = index of the cell, or -1
 *
 * Row parsing reads each mapped cell, trims ASCII and ideographic spaces,
 * and converts by field: codes folded, enumerations by name or code,
 * amounts as exact decimals (never through floating point), dates with
 * date_parse. Errors name the column as its header cell was written.
 *
 * record_id = "CF:" | "XK:" + decision number + ":" + hex12(SHA-256(key)),
 * key = credit code (not the placeholder), else identity number, else
 * business registration number, else name: stable across re-imports, and no
 * identity number in clear.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "credit/codes.h"
#include "credit/rules.h"
#include "ingest/csv.h"
#include "ingest/json.h"
#include "ingest/shgs.h"
#include "ingest/text.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

enum shgs_field {
	SF_NAME, SF_CATEGORY, SF_USCC, SF_GSZC, SF_ZZJG, SF_SWDJ, SF_SYDW, SF_SHZZ,
	SF_FRDB, SF_FR_ZJLX, SF_FR_ZJHM, SF_ZJLX, SF_ZJHM,
	SF_WSH, SF_JDRQ, SF_AUTH, SF_AUTH_CODE, SF_SRC, SF_SRC_CODE, SF_BZ,
	SF_SECTOR, SF_SEVERITY, SF_GSJZQ,
	SF_CF_WFXW, SF_CF_SY, SF_CF_YJ, SF_CF_CFLB, SF_CF_NR, SF_CF_FK, SF_CF_WFFF,
	SF_CF_ZKDX, SF_CF_YXQ,
	SF_XK_XKWS, SF_XK_XKLB, SF_XK_XKZS, SF_XK_XKBH, SF_XK_NR, SF_XK_YXQZ,
	SF_XK_YXQZI, SF_XK_ZT,
	SF_COUNT
};

enum { SK_P = 1, SK_L = 2, SK_B = 3 };       /* kinds an alias belongs to */
enum { SU_WAN = 0, SU_YUAN = 1 };            /* amount units */

struct shgs_alias {
	const char *key;     /* normalised: upper-case ASCII, no spaces */
	unsigned char field;
	unsigned char kinds;
};

static const struct shgs_alias shgs_aliases[] = {
	/* party */
	{ "CF_XDR_MC", SF_NAME, SK_P }, { "XK_XDR_MC", SF_NAME, SK_L },
	{ "行政相对人名称", SF_NAME, SK_B }, { "相对人名称", SF_NAME, SK_B },
	{ "当事人名称", SF_NAME, SK_B }, { "行政相对人", SF_NAME, SK_B },
	{ "当事人", SF_NAME, SK_B },
	{ "CF_XDR_LB", SF_CATEGORY, SK_P }, { "XK_XDR_LB", SF_CATEGORY, SK_L },
	{ "行政相对人类别", SF_CATEGORY, SK_B }, { "相对人类别", SF_CATEGORY, SK_B },
	{ "当事人类别", SF_CATEGORY, SK_B }, { "主体类别", SF_CATEGORY, SK_B },
	{ "CF_XDR_SHXYM", SF_USCC, SK_P }, { "XK_XDR_SHXYM", SF_USCC, SK_L },
	{ "统一社会信用代码", SF_USCC, SK_B }, { "社会信用代码", SF_USCC, SK_B },
	{ "行政相对人统一社会信用代码", SF_USCC, SK_B },
	{ "CF_XDR_GSZC", SF_GSZC, SK_P }, { "XK_XDR_GSZC", SF_GSZC, SK_L },
	{ "工商注册号", SF_GSZC, SK_B }, { "工商登记号", SF_GSZC, SK_B },
	{ "CF_XDR_ZZJG", SF_ZZJG, SK_P }, { "XK_XDR_ZZJG", SF_ZZJG, SK_L },
	{ "组织机构代码", SF_ZZJG, SK_B },
	{ "CF_XDR_SWDJ", SF_SWDJ, SK_P }, { "XK_XDR_SWDJ", SF_SWDJ, SK_L },
	{ "税务登记号", SF_SWDJ, SK_B },
	{ "CF_XDR_SYDW", SF_SYDW, SK_P }, { "XK_XDR_SYDW", SF_SYDW, SK_L },
	{ "事业单位证书号", SF_SYDW, SK_B },
	{ "CF_XDR_SHZZ", SF_SHZZ, SK_P }, { "XK_XDR_SHZZ", SF_SHZZ, SK_L },
	{ "社会组织登记证号", SF_SHZZ, SK_B },
	{ "CF_FRDB", SF_FRDB, SK_P }, { "XK_FRDB", SF_FRDB, SK_L },
	{ "法定代表人", SF_FRDB, SK_B }, { "法定代表人姓名", SF_FRDB, SK_B },
	{ "负责人", SF_FRDB, SK_B },
	{ "CF_FR_ZJLX", SF_FR_ZJLX, SK_P }, { "XK_FR_ZJLX", SF_FR_ZJLX, SK_L },
	{ "法定代表人证件类型", SF_FR_ZJLX, SK_B },
	{ "CF_FR_ZJHM", SF_FR_ZJHM, SK_P }, { "XK_FR_ZJHM", SF_FR_ZJHM, SK_L },
	{ "法定代表人证件号码", SF_FR_ZJHM, SK_B }, { "法定代表人身份证号码", SF_FR_ZJHM, SK_B },
	{ "法定代表人身份证号", SF_FR_ZJHM, SK_B },
	{ "CF_XDR_ZJLX", SF_ZJLX, SK_P }, { "XK_XDR_ZJLX", SF_ZJLX, SK_L },
	{ "证件类型", SF_ZJLX, SK_B }, { "行政相对人证件类型", SF_ZJLX, SK_B },
	{ "CF_XDR_ZJHM", SF_ZJHM, SK_P }, { "XK_XDR_ZJHM", SF_ZJHM, SK_L },
	{ "证件号码", SF_ZJHM, SK_B }, { "行政相对人证件号码", SF_ZJHM, SK_B },
	{ "身份证号码", SF_ZJHM, SK_B }, { "身份证号", SF_ZJHM, SK_B },
	/* decision */
	{ "CF_WSH", SF_WSH, SK_P }, { "XK_WSH", SF_WSH, SK_L },
	{ "行政处罚决定书文号", SF_WSH, SK_P }, { "处罚决定书文号", SF_WSH, SK_P },
	{ "决定书文号", SF_WSH, SK_P }, { "处罚文书号", SF_WSH, SK_P },
	{ "行政许可决定文书号", SF_WSH, SK_L }, { "许可决定文书号", SF_WSH, SK_L },
	{ "决定文书号", SF_WSH, SK_L }, { "许可文书号", SF_WSH, SK_L },
	{ "CF_JDRQ", SF_JDRQ, SK_P }, { "XK_JDRQ", SF_JDRQ, SK_L },
	{ "处罚决定日期", SF_JDRQ, SK_P }, { "作出处罚决定日期", SF_JDRQ, SK_P },
	{ "作出行政处罚决定日期", SF_JDRQ, SK_P },
	{ "许可决定日期", SF_JDRQ, SK_L }, { "作出许可决定日期", SF_JDRQ, SK_L },
	{ "决定日期", SF_JDRQ, SK_B },
	{ "CF_CFJG", SF_AUTH, SK_P }, { "XK_XKJG", SF_AUTH, SK_L },
	{ "处罚机关", SF_AUTH, SK_P }, { "行政处罚机关", SF_AUTH, SK_P },
	{ "许可机关", SF_AUTH, SK_L }, { "行政许可机关", SF_AUTH, SK_L },
	{ "CF_CFJGDM", SF_AUTH_CODE, SK_P }, { "XK_XKJGDM", SF_AUTH_CODE, SK_L },
	{ "处罚机关统一社会信用代码", SF_AUTH_CODE, SK_P }, { "处罚机关代码", SF_AUTH_CODE, SK_P },
	{ "许可机关统一社会信用代码", SF_AUTH_CODE, SK_L }, { "许可机关代码", SF_AUTH_CODE, SK_L },
	{ "CF_SJLY", SF_SRC, SK_P }, { "XK_LYDW", SF_SRC, SK_L },
	{ "数据来源单位", SF_SRC, SK_B }, { "数据来源", SF_SRC, SK_B },
	{ "CF_SJLYDM", SF_SRC_CODE, SK_P }, { "XK_LYDWDM", SF_SRC_CODE, SK_L },
	{ "数据来源单位统一社会信用代码", SF_SRC_CODE, SK_B },
	{ "数据来源单位代码", SF_SRC_CODE, SK_B },
	{ "BZ", SF_BZ, SK_B }, { "备注", SF_BZ, SK_B },
	/* extensions */
	{ "SECTOR", SF_SECTOR, SK_B }, { "行业", SF_SECTOR, SK_B },
	{ "所属行业", SF_SECTOR, SK_B }, { "行业类别", SF_SECTOR, SK_B },
	{ "SEVERITY", SF_SEVERITY, SK_B }, { "失信程度", SF_SEVERITY, SK_B },
	{ "失信严重程度", SF_SEVERITY, SK_B },
	/* penalty */
	{ "CF_GSJZQ", SF_GSJZQ, SK_P }, { "公示截止期", SF_GSJZQ, SK_P },
	{ "公示截止日期", SF_GSJZQ, SK_P },
	{ "CF_WFXW", SF_CF_WFXW, SK_P }, { "违法行为类型", SF_CF_WFXW, SK_P },
	{ "CF_SY", SF_CF_SY, SK_P }, { "违法事实", SF_CF_SY, SK_P },
	{ "主要违法事实", SF_CF_SY, SK_P }, { "处罚事由", SF_CF_SY, SK_P },
	{ "CF_YJ", SF_CF_YJ, SK_P }, { "处罚依据", SF_CF_YJ, SK_P },
	{ "CF_CFLB", SF_CF_CFLB, SK_P }, { "处罚类别", SF_CF_CFLB, SK_P },
	{ "处罚种类", SF_CF_CFLB, SK_P }, { "处罚类型", SF_CF_CFLB, SK_P },
	{ "CF_NR", SF_CF_NR, SK_P }, { "处罚内容", SF_CF_NR, SK_P },
	{ "处罚结果", SF_CF_NR, SK_P },
	{ "CF_NR_FK", SF_CF_FK, SK_P }, { "罚款金额", SF_CF_FK, SK_P },
	{ "CF_NR_WFFF", SF_CF_WFFF, SK_P },
	{ "没收违法所得、没收非法财物的金额", SF_CF_WFFF, SK_P },
	{ "没收违法所得、没收非法财物金额", SF_CF_WFFF, SK_P },
	{ "没收违法所得、非法财物金额", SF_CF_WFFF, SK_P },
	{ "没收违法所得/非法财物金额", SF_CF_WFFF, SK_P },
	{ "没收违法所得/非法财物的金额", SF_CF_WFFF, SK_P },
	{ "没收金额", SF_CF_WFFF, SK_P },
	{ "CF_NR_ZKDX", SF_CF_ZKDX, SK_P }, { "暂扣或吊销证照名称及编号", SF_CF_ZKDX, SK_P },
	{ "CF_YXQ", SF_CF_YXQ, SK_P }, { "处罚有效期", SF_CF_YXQ, SK_P },
	/* licence */
	{ "XK_XKWS", SF_XK_XKWS, SK_L }, { "行政许可决定文书名称", SF_XK_XKWS, SK_L },
	{ "许可决定文书名称", SF_XK_XKWS, SK_L }, { "决定文书名称", SF_XK_XKWS, SK_L },
	{ "XK_XKLB", SF_XK_XKLB, SK_L }, { "许可类别", SF_XK_XKLB, SK_L },
	{ "XK_XKZS", SF_XK_XKZS, SK_L }, { "许可证书名称", SF_XK_XKZS, SK_L },
	{ "XK_XKBH", SF_XK_XKBH, SK_L }, { "许可编号", SF_XK_XKBH, SK_L },
	{ "许可证书编号", SF_XK_XKBH, SK_L },
	{ "XK_NR", SF_XK_NR, SK_L }, { "许可内容", SF_XK_NR, SK_L },
	{ "XK_YXQZ", SF_XK_YXQZ, SK_L }, { "有效期自", SF_XK_YXQZ, SK_L },
	{ "许可有效期自", SF_XK_YXQZ, SK_L },
	{ "XK_YXQZI", SF_XK_YXQZI, SK_L }, { "有效期至", SF_XK_YXQZI, SK_L },
	{ "许可有效期至", SF_XK_YXQZI, SK_L },
	{ "XK_ZT", SF_XK_ZT, SK_L }, { "当前状态", SF_XK_ZT, SK_L },
};

/* Field code and title of each field, for messages about missing columns. */
static const char *const shgs_names[SF_COUNT][3] = {
	[SF_NAME] = { "CF_XDR_MC", "XK_XDR_MC", "行政相对人名称" },
	[SF_WSH] = { "CF_WSH", "XK_WSH", NULL },
	[SF_JDRQ] = { "CF_JDRQ", "XK_JDRQ", NULL },
	[SF_AUTH] = { "CF_CFJG", "XK_XKJG", NULL },
	[SF_CF_CFLB] = { "CF_CFLB", NULL, "处罚类别" },
};

struct shgs_map {
	int kind;                 /* CX__RECORD_KIND__PENALTY or __LICENCE */
	size_t ncols;             /* cells in the header */
	int col[SF_COUNT];        /* cell index of each field, -1 if absent */
	int unit[SF_COUNT];       /* SU_* of amount columns */
	char *title[SF_COUNT];    /* header cell as written, for messages */
	char **unknown;           /* header cells that matched nothing */
	size_t nunknown;
};

__attribute__((format(printf, 3, 4)))
static int
shgs_fail(char *err, size_t errcap, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL && errcap > 0)
		snprintf(err, errcap, "%s", msg);
	return cx_seterr(CX_EFORMAT, "%s", msg);
}

/* Remove every occurrence of the bytes in `drop` from s, in place. */
static void
shgs_squeeze(char *s, const char *drop)
{
	char *o = s;

	for (; *s != '\0'; s++)
		if (strchr(drop, *s) == NULL)
			*o++ = *s;
	*o = '\0';
}

static int
shgs_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Normalised copy of a header cell or value, spaces and '*' dropped (for
 * headers) or spaces only (for values); NULL on a bad string or no memory. */
static char *
shgs_key(const char *s, const char *drop)
{
	char *k = NULL;

	if (text_normalize(&k, s, strlen(s)) != 0)
		return NULL;
	shgs_squeeze(k, drop);
	return k;
}

static const struct shgs_alias *
shgs_lookup(const char *key, int kinds)
{
	size_t i;

	for (i = 0; i < sizeof(shgs_aliases) / sizeof(shgs_aliases[0]); i++)
		if ((shgs_aliases[i].kinds & kinds) && strcmp(shgs_aliases[i].key, key) == 0)
			return &shgs_aliases[i];
	return NULL;
}

/*
 * Match a normalised header key for the kinds mask: the alias or NULL, and
 * the unit its suffix gave. key is modified.
 */
static const struct shgs_alias *
shgs_match(char *key, int kinds, int *unit)
{
	const struct shgs_alias *a;
	size_t n;
	char *open;

	*unit = SU_WAN;
	if (shgs_ends(key, "(万元)")) {
		key[strlen(key) - strlen("(万元)")] = '\0';
	} else if (shgs_ends(key, "(元)")) {
		key[strlen(key) - strlen("(元)")] = '\0';
		*unit = SU_YUAN;
	}
	if ((a = shgs_lookup(key, kinds)) != NULL)
		return a;
	n = strlen(key);
	if (n > 2 && key[n - 1] == ')' && (open = strrchr(key, '(')) != NULL && open > key) {
		key[n - 1] = '\0';
		if ((a = shgs_lookup(open + 1, kinds)) != NULL)
			return a;
		*open = '\0';
		return shgs_lookup(key, kinds);
	}
	return NULL;
}

int
shgs_kind(const struct shgs_map *m)
{
	return m != NULL ? m->kind : 0;
}

const char *
shgs_unknown(const struct shgs_map *m, size_t i)
{
	if (m == NULL || i >= m->nunknown)
		return NULL;
	return m->unknown[i];
}

void
shgs_free(struct shgs_map *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < SF_COUNT; i++)
		free(m->title[i]);
	for (i = 0; i < m->nunknown; i++)
		free(m->unknown[i]);
	free(m->unknown);
	free(m);
}

/* 1 if the header cell matches a column for the kinds mask. */
static int
shgs_matches(const char *cell, int kinds)
{
	char *k = shgs_key(cell, " *");
	int unit, hit;

	if (k == NULL)
		return 0;
	hit = shgs_match(k, kinds, &unit) != NULL;
	free(k);
	return hit;
}

/* Tell the kind from kind-specific columns (cells that match for one kind
 * only): SK_P, SK_L or 0 when undecided. */
static int
shgs_detect(char *const *cells, size_t n)
{
	size_t i, p = 0, l = 0;

	for (i = 0; i < n; i++) {
		int ip = shgs_matches(cells[i], SK_P), il = shgs_matches(cells[i], SK_L);

		p += ip && !il;
		l += il && !ip;
	}
	if (p > l)
		return SK_P;
	if (l > p)
		return SK_L;
	return 0;
}

int
shgs_header(struct shgs_map **out, char *const *cells, size_t n, int kind_hint,
    char *err, size_t errcap)
{
	struct shgs_map *m = NULL;
	size_t i;
	int sk, rc = 0, unit;
	static const int required[] = { SF_NAME, SF_WSH, SF_JDRQ, SF_AUTH, SF_CF_CFLB };

	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return cx_seterr(CX_EINVAL, "shgs_header: out is NULL");
	*out = NULL;
	if (cells == NULL && n > 0)
		return cx_seterr(CX_EINVAL, "shgs_header: cells is NULL");
	if (kind_hint == CX__RECORD_KIND__PENALTY)
		sk = SK_P;
	else if (kind_hint == CX__RECORD_KIND__LICENCE)
		sk = SK_L;
	else if (kind_hint == 0)
		sk = shgs_detect(cells, n);
	else
		return shgs_fail(err, errcap, "kind %d is neither penalty nor licence", kind_hint);
	if (sk == 0)
		return shgs_fail(err, errcap,
		    "cannot tell penalty (CF_, 处罚) from licence (XK_, 许可) columns");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return CX_ENOMEM;
	m->kind = sk == SK_P ? CX__RECORD_KIND__PENALTY : CX__RECORD_KIND__LICENCE;
	m->ncols = n;
	for (i = 0; i < SF_COUNT; i++)
		m->col[i] = -1;
	if (n > CSV_MAX_FIELDS) {
		rc = shgs_fail(err, errcap, "%zu columns is too many", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *k = shgs_key(cells[i], " *");
		const struct shgs_alias *a = k ? shgs_match(k, sk, &unit) : NULL;

		free(k);
		if (a == NULL) {
			char **u = realloc(m->unknown, (m->nunknown + 1) * sizeof(*u));

			if (u == NULL) {
				rc = CX_ENOMEM;
				goto out;
			}
			m->unknown = u;
			if ((u[m->nunknown] = strdup(cells[i])) == NULL) {
				rc = CX_ENOMEM;
				goto out;
			}
			m->nunknown++;
			continue;
		}
		if (m->col[a->field] >= 0) {
			rc = shgs_fail(err, errcap, "column %zu (%s) repeats column %d (%s)", i + 1,
			    cells[i], m->col[a->field] + 1, m->title[a->field]);
			goto out;
		}
		m->col[a->field] = (int)i;
		m->unit[a->field] = unit;
		if ((m->title[a->field] = strdup(cells[i])) == NULL) {
			rc = CX_ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		int f = required[i];
		const char *code = shgs_names[f][sk == SK_P ? 0 : 1];

		if (code == NULL || m->col[f] >= 0)
			continue;
		rc = shgs_fail(err, errcap, "missing column %s%s%s%s", code,
		    shgs_names[f][2] ? " (" : "", shgs_names[f][2] ? shgs_names[f][2] : "",
		    shgs_names[f][2] ? ")" : "");
		goto out;
	}
	*out = m;
	m = NULL;
out:
	shgs_free(m);
	return rc;
}

/* ---------------------------------------------------------------- rows */

/* One row being parsed: the map, the cells and the error buffer. */
struct shgs_row_ctx {
	const struct shgs_map *m;
	char *const *cells;
	size_t n;
	char *err;
	size_t errcap;
};

static int
shgs_is_space_at(const char *s, size_t *len)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
		*len = 1;
		return 1;
	}
	if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0x80) {
		*len = 3;
		return 1;
	}
	return 0;
}

/*
 * The trimmed cell of field f as (pointer, length); length 0 when the column
 * is absent or the cell empty.
 */
static const char *
shgs_cell(const struct shgs_row_ctx *x, int f, size_t *len)
{
	int c = x->m->col[f];
	const char *s, *e;
	size_t k;

	*len = 0;
	if (c < 0 || (size_t)c >= x->n)
		return "";
	s = x->cells[c];
	while (*s != '\0' && shgs_is_space_at(s, &k))
		s += k;
	e = s + strlen(s);
	while (e > s) {
		if (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')
			e--;
		else if (e - s >= 3 && memcmp(e - 3, "\xE3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	*len = (size_t)(e - s);
	return s;
}

/* Set *dst to a malloc'd copy of s[0..len) unless it is empty. */
static int
shgs_set(char **dst, const char *s, size_t len)
{
	char *p;

	if (len == 0)
		return 0;
	if ((p = strndup(s, len)) == NULL)
		return CX_ENOMEM;
	if (*dst != NULL && *dst != protobuf_c_empty_string)
		free(*dst);
	*dst = p;
	return 0;
}

static int
shgs_text(const struct shgs_row_ctx *x, int f, char **dst)
{
	size_t len;
	const char *s = shgs_cell(x, f, &len);

	/* records carry UTF-8 only (protobuf strings; JSON) */
	if (!text_utf8_valid((const uint8_t *)s, len))
		return shgs_fail(x->err, x->errcap, "%s: not UTF-8 text", x->m->title[f]);
	return shgs_set(dst, s, len);
}

/* Normalised value of a cell (folded, spaces removed) into *out (malloc'd,
 * "" when empty). */
static int
shgs_norm(const struct shgs_row_ctx *x, int f, char **out)
{
	size_t len;
	const char *s = shgs_cell(x, f, &len);

	*out = NULL;
	if (text_normalize(out, s, len) != 0)
		return shgs_fail(x->err, x->errcap, "%s: not UTF-8 text", x->m->title[f]);
	shgs_squeeze(*out, " ");
	return 0;
}

/* A code or identity number: folded, no spaces, upper case. */
static int
shgs_code(const struct shgs_row_ctx *x, int f, char **dst)
{
	char *v;
	int rc;

	if ((rc = shgs_norm(x, f, &v)) != 0)
		return rc;
	rc = shgs_set(dst, v, strlen(v));
	free(v);
	return rc;
}

struct shgs_word {
	const char *word;   /* normalised */
	int value;
};

static const struct shgs_word shgs_categories[] = {
	{ "法人及非法人组织", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "法人和非法人组织", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "法人或非法人组织", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "法人及其他组织", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "法人或其他组织", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "法人", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "非法人组织", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "LEGAL_PERSON", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "1", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "01", CX__SUBJECT_CATEGORY__LEGAL_PERSON },
	{ "自然人", CX__SUBJECT_CATEGORY__NATURAL_PERSON },
	{ "NATURAL_PERSON", CX__SUBJECT_CATEGORY__NATURAL_PERSON },
	{ "2", CX__SUBJECT_CATEGORY__NATURAL_PERSON },
	{ "02", CX__SUBJECT_CATEGORY__NATURAL_PERSON },
	{ "个体工商户", CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS },
	{ "个体户", CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS },
	{ "INDIVIDUAL_BUSINESS", CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS },
	{ "3", CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS },
	{ "03", CX__SUBJECT_CATEGORY__INDIVIDUAL_BUSINESS },
	{ NULL, 0 }
};

static const struct shgs_word shgs_idtypes[] = {
	{ "01", CX__ID_TYPE__RESIDENT_ID }, { "1", CX__ID_TYPE__RESIDENT_ID },
	{ "身份证", CX__ID_TYPE__RESIDENT_ID }, { "居民身份证", CX__ID_TYPE__RESIDENT_ID },
	{ "RESIDENT_ID", CX__ID_TYPE__RESIDENT_ID },
	{ "02", CX__ID_TYPE__PASSPORT }, { "2", CX__ID_TYPE__PASSPORT },
	{ "护照", CX__ID_TYPE__PASSPORT }, { "PASSPORT", CX__ID_TYPE__PASSPORT },
	{ "03", CX__ID_TYPE__HK_MACAO_PERMIT }, { "3", CX__ID_TYPE__HK_MACAO_PERMIT },
	{ "港澳居民来往内地通行证", CX__ID_TYPE__HK_MACAO_PERMIT },
	{ "港澳通行证", CX__ID_TYPE__HK_MACAO_PERMIT },
	{ "HK_MACAO_PERMIT", CX__ID_TYPE__HK_MACAO_PERMIT },
	{ "04", CX__ID_TYPE__TAIWAN_PERMIT }, { "4", CX__ID_TYPE__TAIWAN_PERMIT },
	{ "台湾居民来往大陆通行证", CX__ID_TYPE__TAIWAN_PERMIT },
	{ "台湾通行证", CX__ID_TYPE__TAIWAN_PERMIT }, { "台胞证", CX__ID_TYPE__TAIWAN_PERMIT },
	{ "TAIWAN_PERMIT", CX__ID_TYPE__TAIWAN_PERMIT },
	{ "05", CX__ID_TYPE__FOREIGN_PERMANENT }, { "5", CX__ID_TYPE__FOREIGN_PERMANENT },
	{ "外国人永久居留身份证", CX__ID_TYPE__FOREIGN_PERMANENT },
	{ "外国人永久居留证", CX__ID_TYPE__FOREIGN_PERMANENT },
	{ "外国人永居证", CX__ID_TYPE__FOREIGN_PERMANENT },
	{ "FOREIGN_PERMANENT", CX__ID_TYPE__FOREIGN_PERMANENT },
	{ NULL, 0 }
};

static const struct shgs_word shgs_ltypes[] = {
	{ "普通", CX__LICENCE_TYPE__ORDINARY }, { "特许", CX__LICENCE_TYPE__FRANCHISE },
	{ "认可", CX__LICENCE_TYPE__RECOGNITION }, { "核准", CX__LICENCE_TYPE__APPROVAL },
	{ "登记", CX__LICENCE_TYPE__REGISTRATION }, { "其他", CX__LICENCE_TYPE__OTHER_LICENCE },
	{ "其它", CX__LICENCE_TYPE__OTHER_LICENCE },
	{ "ORDINARY", CX__LICENCE_TYPE__ORDINARY }, { "FRANCHISE", CX__LICENCE_TYPE__FRANCHISE },
	{ "RECOGNITION", CX__LICENCE_TYPE__RECOGNITION },
	{ "APPROVAL", CX__LICENCE_TYPE__APPROVAL },
	{ "REGISTRATION", CX__LICENCE_TYPE__REGISTRATION },
	{ "OTHER_LICENCE", CX__LICENCE_TYPE__OTHER_LICENCE },
	{ NULL, 0 }
};

static const struct shgs_word shgs_severities[] = {
	{ "轻微", CX__SEVERITY__MINOR }, { "一般", CX__SEVERITY__GENERAL },
	{ "严重", CX__SEVERITY__SERIOUS },
	{ "MINOR", CX__SEVERITY__MINOR }, { "GENERAL", CX__SEVERITY__GENERAL },
	{ "SERIOUS", CX__SEVERITY__SERIOUS },
	{ NULL, 0 }
};

static int
shgs_word_value(const struct shgs_word *t, const char *w)
{
	for (; t->word != NULL; t++)
		if (strcmp(t->word, w) == 0)
			return t->value;
	return 0;
}

/* An enumerated cell: *out the value, 0 when empty; error when unknown. */
static int
shgs_enum(const struct shgs_row_ctx *x, int f, const struct shgs_word *t, const char *what,
    int *out)
{
	char *v;
	int rc;

	*out = 0;
	if ((rc = shgs_norm(x, f, &v)) != 0)
		return rc;
	if (v[0] != '\0' && (*out = shgs_word_value(t, v)) == 0)
		rc = shgs_fail(x->err, x->errcap, "%s: unknown %s: %s", x->m->title[f], what, v);
	free(v);
	return rc;
}

static int
shgs_date(const struct shgs_row_ctx *x, int f, uint32_t *out)
{
	size_t len;
	const char *s = shgs_cell(x, f, &len);

	*out = 0;
	if (len == 0)
		return 0;
	if (date_parse(out, s, len) != 0)
		return shgs_fail(x->err, x->errcap, "%s: not a date: %.*s", x->m->title[f],
		    (int)(len > 60 ? 60 : len), s);
	return 0;
}

/*
 * Parse an amount s (normalised: ASCII digits, no spaces) in unit into fen.
 * Returns 0 or -1 with *why set.
 */
static int
shgs_parse_amount(int64_t *fen, const char *s, int unit, const char **why)
{
	static const int64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	int64_t ip = 0, fp = 0, scale;
	size_t i = 0, group = 0, ndec = 0, maxdec;
	int commas = 0, digits = 0;
	char buf[64];
	size_t n = strlen(s);

	*fen = 0;
	if (n >= sizeof(buf)) {
		*why = "not an amount";
		return -1;
	}
	memcpy(buf, s, n + 1);
	if (shgs_ends(buf, "万元")) {
		buf[n - strlen("万元")] = '\0';
		unit = SU_WAN;
	} else if (shgs_ends(buf, "元")) {
		buf[n - strlen("元")] = '\0';
		unit = SU_YUAN;
	}
	maxdec = unit == SU_WAN ? 6 : 2;
	scale = unit == SU_WAN ? 1000000 : 100;
	if (buf[0] == '-') {
		*why = "negative amount";
		return -1;
	}
	for (i = 0; buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (ip > (INT64_MAX - 9) / 10) {
			*why = "amount too large";
			return -1;
		}
		ip = ip * 10 + (buf[i] - '0');
		digits++;
		group++;
		if (buf[i + 1] == ',') {
			/* first group 1..3 digits, later groups exactly 3 */
			if ((commas == 0 && group > 3) || (commas > 0 && group != 3)) {
				*why = "misplaced thousands separator";
				return -1;
			}
			if (buf[i + 2] < '0' || buf[i + 2] > '9') {
				*why = "misplaced thousands separator";
				return -1;
			}
			commas++;
			group = 0;
			i++;
		}
	}
	if (digits == 0) {
		*why = "not an amount";
		return -1;
	}
	if (commas > 0 && group != 3) {
		*why = "misplaced thousands separator";
		return -1;
	}
	if (buf[i] == '.') {
		i++;
		for (; buf[i] >= '0' && buf[i] <= '9'; i++) {
			if (++ndec > maxdec) {
				*why = unit == SU_WAN ? "more than 6 decimals (万元)" :
				    "more than 2 decimals (元)";
				return -1;
			}
			fp = fp * 10 + (buf[i] - '0');
		}
		if (ndec == 0) {
			*why = "not an amount";
			return -1;
		}
	}
	if (buf[i] != '\0') {
		*why = "not an amount";
		return -1;
	}
	if (ip > (INT64_MAX - fp * pow10[maxdec - ndec]) / scale) {
		*why = "amount too large";
		return -1;
	}
	*fen = ip * scale + fp * pow10[maxdec - ndec];
	return 0;
}

static int
shgs_amount(const struct shgs_row_ctx *x, int f, int64_t *out)
{
	const char *why = NULL;
	char *v;
	int rc;

	*out = 0;
	if ((rc = shgs_norm(x, f, &v)) != 0)
		return rc;
	if (v[0] != '\0' && shgs_parse_amount(out, v, x->m->unit[f], &why) != 0)
		rc = shgs_fail(x->err, x->errcap, "%s: %s: %.60s", x->m->title[f], why, v);
	free(v);
	return rc;
}

/* 处罚类别: split on ; ； 、 , ， and map each part; duplicates dropped. */
static int
shgs_ptypes_parse(const struct shgs_row_ctx *x, Cx__Penalty *p)
{
	char *v, *s, *tok, *save = NULL;
	int rc = 0, t;
	size_t i, cap = 0;

	if ((rc = shgs_norm(x, SF_CF_CFLB, &v)) != 0)
		return rc;
	/* after normalisation ； and ， are ASCII; 、 becomes ';' here */
	for (s = v; (s = strstr(s, "、")) != NULL;) {
		memcpy(s, ";  ", 3);
		s += 3;
	}
	shgs_squeeze(v, " ");
	for (tok = strtok_r(v, ";,", &save); tok != NULL; tok = strtok_r(NULL, ";,", &save)) {
		/* the Chinese titles and their aliases are credit/rules.c's; the
		 * enum names (FINE, WARNING, ...) are the schema's */
		if ((t = rules_penalty_type_parse(tok)) == 0) {
			const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value_by_name(
			    &cx__penalty_type__descriptor, tok);

			t = ev != NULL ? ev->value : 0;
		}
		if (t <= 0) {
			rc = shgs_fail(x->err, x->errcap, "%s: unknown penalty type: %.60s",
			    x->m->title[SF_CF_CFLB], tok);
			goto out;
		}
		for (i = 0; i < p->n_types; i++)
			if ((int)p->types[i] == t)
				break;
		if (i < p->n_types)
			continue;
		if (p->n_types == cap) {
			Cx__PenaltyType *nt;

			cap = cap ? cap * 2 : 4;
			if ((nt = realloc(p->types, cap * sizeof(*nt))) == NULL) {
				rc = CX_ENOMEM;
				goto out;
			}
			p->types = nt;
		}
		p->types[p->n_types++] = (Cx__PenaltyType)t;
	}
out:
	free(v);
	return rc;
}

/*
 * "CF:" + decision number + ":" + hex12(SHA-256(subject key)): the same row
 * gives the same id, so a re-import finds it published. The subject key is
 * the credit code; for a natural person, name and masked identity number
 * (never the number itself: an unsalted hash of 18 digits, 8 of them a
 * birth date, is reversed in seconds); else the registration number or the
 * name.
 */
static int
shgs_record_id(Cx__Record *r, const char *prefix)
{
	const Cx__Subject *s = r->subject;
	const char *key = s->name;
	char masked[64], person[512];
	uint8_t md[32];
	unsigned int mdlen = 0;
	char hex[HEX_LEN(32)], *id;
	const char *wsh = r->kind == CX__RECORD_KIND__PENALTY ? r->penalty->decision_no :
	    r->licence->decision_no;
	size_t n;

	if (s->credit_code[0] != '\0' && !codes_uscc_placeholder(s->credit_code))
		key = s->credit_code;
	else if (s->id_number[0] != '\0') {
		codes_mask_id(masked, sizeof(masked), s->id_number);
		snprintf(person, sizeof(person), "%s\n%s", s->name, masked);
		key = person;
	} else if (s->business_reg_no[0] != '\0')
		key = s->business_reg_no;
	if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) != 1)
		return cx_sslerr("SHA-256 of the subject key");
	hex_encode(hex, md, 32);
	n = strlen(prefix) + strlen(wsh) + 1 + 12 + 1;
	if ((id = malloc(n)) == NULL)
		return CX_ENOMEM;
	snprintf(id, n, "%s%s:%.12s", prefix, wsh, hex);
	r->record_id = id;
	return 0;
}

static int
shgs_row_fill(const struct shgs_row_ctx *x, Cx__Record *r)
{
	Cx__Subject *s = r->subject;
	int rc, v;
	size_t len;
	const char *cell;
	char *sec = NULL;

	if ((rc = shgs_text(x, SF_NAME, &s->name)) != 0 ||
	    (rc = shgs_enum(x, SF_CATEGORY, shgs_categories, "category", &v)) != 0)
		return rc;
	s->category = (Cx__SubjectCategory)v;
	if ((rc = shgs_code(x, SF_USCC, &s->credit_code)) != 0 ||
	    (rc = shgs_code(x, SF_GSZC, &s->business_reg_no)) != 0 ||
	    (rc = shgs_code(x, SF_ZZJG, &s->org_code)) != 0 ||
	    (rc = shgs_code(x, SF_SWDJ, &s->tax_reg_no)) != 0 ||
	    (rc = shgs_code(x, SF_SYDW, &s->institution_no)) != 0 ||
	    (rc = shgs_code(x, SF_SHZZ, &s->social_org_no)) != 0 ||
	    (rc = shgs_text(x, SF_FRDB, &s->legal_rep)) != 0 ||
	    (rc = shgs_code(x, SF_FR_ZJHM, &s->legal_rep_id_number)) != 0 ||
	    (rc = shgs_code(x, SF_ZJHM, &s->id_number)) != 0)
		return rc;
	if ((rc = shgs_enum(x, SF_FR_ZJLX, shgs_idtypes, "identity type", &v)) != 0)
		return rc;
	s->legal_rep_id_type = (Cx__IdType)v;
	if ((rc = shgs_enum(x, SF_ZJLX, shgs_idtypes, "identity type", &v)) != 0)
		return rc;
	s->id_type = (Cx__IdType)v;

	if ((rc = shgs_text(x, SF_AUTH, &r->authority->name)) != 0 ||
	    (rc = shgs_code(x, SF_AUTH_CODE, &r->authority->credit_code)) != 0 ||
	    (rc = shgs_text(x, SF_SRC, &r->source->name)) != 0 ||
	    (rc = shgs_code(x, SF_SRC_CODE, &r->source->credit_code)) != 0 ||
	    (rc = shgs_text(x, SF_BZ, &r->remark)) != 0 ||
	    (rc = shgs_date(x, SF_JDRQ, &r->decision_date)) != 0 ||
	    (rc = shgs_date(x, SF_GSJZQ, &r->publicity_max_end)) != 0)
		return rc;
	if ((rc = shgs_enum(x, SF_SEVERITY, shgs_severities, "severity", &v)) != 0)
		return rc;
	r->severity = (Cx__Severity)v;
	cell = shgs_cell(x, SF_SECTOR, &len);
	if (len > 0) {
		const char *code;

		if ((sec = strndup(cell, len)) == NULL)
			return CX_ENOMEM;
		code = rules_sector_code(sec);
		if (code == NULL)
			rc = shgs_fail(x->err, x->errcap, "%s: unknown sector: %.60s",
			    x->m->title[SF_SECTOR], sec);
		else
			rc = shgs_set(&r->sector, code, strlen(code));
		free(sec);
		if (rc != 0)
			return rc;
	}

	if (r->kind == CX__RECORD_KIND__PENALTY) {
		Cx__Penalty *p = r->penalty;

		if ((rc = shgs_text(x, SF_WSH, &p->decision_no)) != 0 ||
		    (rc = shgs_text(x, SF_CF_WFXW, &p->violation_type)) != 0 ||
		    (rc = shgs_text(x, SF_CF_SY, &p->facts)) != 0 ||
		    (rc = shgs_text(x, SF_CF_YJ, &p->basis)) != 0 ||
		    (rc = shgs_ptypes_parse(x, p)) != 0 ||
		    (rc = shgs_text(x, SF_CF_NR, &p->content)) != 0 ||
		    (rc = shgs_amount(x, SF_CF_FK, &p->fine_fen)) != 0 ||
		    (rc = shgs_amount(x, SF_CF_WFFF, &p->confiscated_fen)) != 0 ||
		    (rc = shgs_text(x, SF_CF_ZKDX, &p->licence_affected)) != 0 ||
		    (rc = shgs_date(x, SF_CF_YXQ, &p->valid_until)) != 0)
			return rc;
		return shgs_record_id(r, "CF:");
	}
	{
		Cx__Licence *l = r->licence;

		if ((rc = shgs_text(x, SF_XK_XKWS, &l->document_name)) != 0 ||
		    (rc = shgs_text(x, SF_WSH, &l->decision_no)) != 0 ||
		    (rc = shgs_enum(x, SF_XK_XKLB, shgs_ltypes, "licence type", &v)) != 0)
			return rc;
		l->type = (Cx__LicenceType)v;
		if ((rc = shgs_text(x, SF_XK_XKZS, &l->certificate_name)) != 0 ||
		    (rc = shgs_text(x, SF_XK_XKBH, &l->licence_no)) != 0 ||
		    (rc = shgs_text(x, SF_XK_NR, &l->content)) != 0 ||
		    (rc = shgs_date(x, SF_XK_YXQZ, &l->valid_from)) != 0 ||
		    (rc = shgs_date(x, SF_XK_YXQZI, &l->valid_until)) != 0 ||
		    (rc = shgs_text(x, SF_XK_ZT, &l->state)) != 0)
			return rc;
		return shgs_record_id(r, "XK:");
	}
}

/* malloc + init a protobuf-c message. */
static void *
shgs_msg(const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage *m = malloc(d->sizeof_message);

	if (m != NULL)
		d->message_init(m);
	return m;
}

int
shgs_row(Cx__Record **out, const struct shgs_map *m, char *const *cells, size_t n,
    char *err, size_t errcap)
{
	struct shgs_row_ctx x = { m, cells, n, err, errcap };
	Cx__Record *r = NULL;
	size_t i;
	int rc;

	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return cx_seterr(CX_EINVAL, "shgs_row: out is NULL");
	*out = NULL;
	if (m == NULL || (cells == NULL && n > 0))
		return cx_seterr(CX_EINVAL, "shgs_row: no map or no cells");
	for (i = m->ncols; i < n; i++)
		if (cells[i][0] != '\0')
			return shgs_fail(err, errcap, "row has %zu cells, the header %zu", n,
			    m->ncols);
	if ((r = shgs_msg(&cx__record__descriptor)) == NULL)
		return CX_ENOMEM;
	r->schema = 1;
	r->kind = (Cx__RecordKind)m->kind;
	if ((r->subject = shgs_msg(&cx__subject__descriptor)) == NULL ||
	    (r->authority = shgs_msg(&cx__authority__descriptor)) == NULL ||
	    (r->source = shgs_msg(&cx__authority__descriptor)) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	if (m->kind == CX__RECORD_KIND__PENALTY) {
		r->body_case = CX__RECORD__BODY_PENALTY;
		r->penalty = shgs_msg(&cx__penalty__descriptor);
	} else {
		r->body_case = CX__RECORD__BODY_LICENCE;
		r->licence = shgs_msg(&cx__licence__descriptor);
	}
	if (r->penalty == NULL && r->licence == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	if ((rc = shgs_row_fill(&x, r)) != 0)
		goto out;
	if (r->source->name[0] == '\0' && r->source->credit_code[0] == '\0') {
		/* no 数据来源 columns or values: leave the field out */
		protobuf_c_message_free_unpacked(&r->source->base, NULL);
		r->source = NULL;
	}
	*out = r;
	r = NULL;
out:
	json_record_free(r);
	if (rc == CX_ENOMEM && err != NULL && errcap > 0 && err[0] == '\0')
		snprintf(err, errcap, "out of memory");
	return rc;
}
