/*
 * codes.c — check characters of credit codes and identity numbers.
 *
 * Design: each code has one weighted-sum function returning the expected
 * check character (or 0 for input it cannot judge); the *_valid functions
 * check length and alphabet first, so that their detail message says what
 * is wrong in words an operator understands ("character 5 'I' is not in the
 * credit-code alphabet", "check character is 8, expected B").
 *
 *   USCC (GB 32100-2015)     alphabet 0-9 A-H J-N P-R T U W-Y (31 symbols),
 *                            value = position in the alphabet,
 *                            weights 3^i mod 31 for i = 0..16,
 *                            check = (31 - sum mod 31) mod 31.
 *   organisation code        values 0-9, A=10 .. Z=35,
 *   (GB 11714)               weights 3 7 9 10 5 8 4 2,
 *                            check = 11 - sum mod 11; 10 -> 'X', 11 -> '0'.
 *   resident id (GB 11643)   weights 2^(17-i) mod 11 for i = 0..16,
 *                            check = "10X98765432"[sum mod 11].
 *
 * Letters are compared exactly (upper case); callers that want to accept
 * lower case normalise first, so that what is validated is what is stored.
 */
#include <string.h>

#include "credit/codes.h"
#include "util/date.h"
#include "util/err.h"

static const char codes_uscc_alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int codes_uscc_w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
static const int codes_org_w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
static const int codes_rid_w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };

/* Position of c in the USCC alphabet, or -1. */
static int
codes_uscc_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(codes_uscc_alpha, c);
	return p ? (int)(p - codes_uscc_alpha) : -1;
}

/* GB 11714 value of c (0-9, A-Z), or -1. */
static int
codes_org_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

static int
codes_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* A printable form of c for a message (non-ASCII bytes as '?'). */
static char
codes_show(char c)
{
	return c >= 0x20 && c < 0x7f ? c : '?';
}

char
codes_uscc_check(const char *first17)
{
	int i, sum = 0;

	if (first17 == NULL)
		return 0;
	for (i = 0; i < 17; i++) {
		int v = codes_uscc_value(first17[i]);

		if (v < 0)
			return 0;
		sum += v * codes_uscc_w[i];
	}
	return codes_uscc_alpha[(31 - sum % 31) % 31];
}

int
codes_uscc_valid(const char *s)
{
	size_t i, n;
	char want;

	if (s == NULL || s[0] == '\0')
		return cx_seterr(CX_EFORMAT, "credit code is empty");
	n = strlen(s);
	if (n != CODES_USCC_LEN)
		return cx_seterr(CX_EFORMAT, "credit code has %zu characters, expected 18", n);
	for (i = 0; i < n; i++)
		if (codes_uscc_value(s[i]) < 0)
			return cx_seterr(CX_EFORMAT, "character %zu '%c' is not in the credit-code alphabet",
			    i + 1, codes_show(s[i]));
	want = codes_uscc_check(s);
	if (s[17] != want)
		return cx_seterr(CX_EFORMAT, "check character is %c, expected %c", s[17], want);
	return 0;
}

char
codes_orgcode_check(const char *first8)
{
	int i, sum = 0, c;

	if (first8 == NULL)
		return 0;
	for (i = 0; i < 8; i++) {
		int v = codes_org_value(first8[i]);

		if (v < 0)
			return 0;
		sum += v * codes_org_w[i];
	}
	c = 11 - sum % 11;
	if (c == 10)
		return 'X';
	if (c == 11)
		return '0';
	return (char)('0' + c);
}

int
codes_uscc_orgcode_ok(const char *uscc)
{
	char want;

	if (uscc == NULL || strlen(uscc) != CODES_USCC_LEN)
		return cx_seterr(CX_EFORMAT, "credit code is not 18 characters long");
	want = codes_orgcode_check(uscc + 8);
	if (want == 0)
		return cx_seterr(CX_EFORMAT, "embedded organisation code has a bad character");
	if (uscc[16] != want)
		return cx_seterr(CX_EFORMAT, "embedded organisation code %.8s-%c has check character %c, expected %c",
		    uscc + 8, uscc[16], uscc[16], want);
	return 0;
}

int
codes_uscc_placeholder(const char *s)
{
	return s != NULL && strcmp(s, CODES_USCC_PLACEHOLDER) == 0;
}

int
codes_orgcode_valid(const char *s)
{
	size_t n, i;
	char want, got;

	if (s == NULL || s[0] == '\0')
		return cx_seterr(CX_EFORMAT, "organisation code is empty");
	n = strlen(s);
	if (n == 10) {
		if (s[8] != '-')
			return cx_seterr(CX_EFORMAT, "organisation code of 10 characters needs '-' before the check character");
		got = s[9];
	} else if (n == 9) {
		got = s[8];
	} else {
		return cx_seterr(CX_EFORMAT, "organisation code has %zu characters, expected 9 (or 10 with '-')", n);
	}
	for (i = 0; i < 8; i++)
		if (codes_org_value(s[i]) < 0)
			return cx_seterr(CX_EFORMAT, "organisation code character %zu '%c' is not 0-9 or A-Z",
			    i + 1, codes_show(s[i]));
	want = codes_orgcode_check(s);
	if (got != want)
		return cx_seterr(CX_EFORMAT, "organisation code check character is %c, expected %c",
		    codes_show(got), want);
	return 0;
}

char
codes_resident_id_check(const char *first17)
{
	int i, sum = 0;

	if (first17 == NULL)
		return 0;
	for (i = 0; i < 17; i++) {
		if (!codes_isdigit(first17[i]))
			return 0;
		sum += (first17[i] - '0') * codes_rid_w[i];
	}
	return "10X98765432"[sum % 11];
}

int
codes_resident_id_valid(const char *s)
{
	size_t i, n;
	uint32_t birth = 0;
	char want;

	if (s == NULL || s[0] == '\0')
		return cx_seterr(CX_EFORMAT, "identity number is empty");
	n = strlen(s);
	if (n != CODES_RESIDENT_ID_LEN)
		return cx_seterr(CX_EFORMAT, "resident identity number has %zu characters, expected 18", n);
	for (i = 0; i < 17; i++)
		if (!codes_isdigit(s[i]))
			return cx_seterr(CX_EFORMAT, "identity number character %zu '%c' is not a digit",
			    i + 1, codes_show(s[i]));
	if (!codes_isdigit(s[17]) && s[17] != 'X')
		return cx_seterr(CX_EFORMAT, "identity number check character '%c' is not 0-9 or X",
		    codes_show(s[17]));
	for (i = 6; i < 14; i++)
		birth = birth * 10 + (uint32_t)(s[i] - '0');
	if (date_days(birth) == INT32_MIN || birth < 19000101)
		return cx_seterr(CX_EFORMAT, "birth date %.8s is not a real date", s + 6);
	if (birth > date_today())
		return cx_seterr(CX_EFORMAT, "birth date %.8s is in the future", s + 6);
	want = codes_resident_id_check(s);
	if (s[17] != want)
		return cx_seterr(CX_EFORMAT, "check character is %c, expected %c", s[17], want);
	return 0;
}

void
codes_mask_id(char *out, size_t cap, const char *id)
{
	size_t n = 0, i, c = 0, keep_head, keep_tail, o = 0;

	if (cap == 0)
		return;
	if (id == NULL) {
		out[0] = '\0';
		return;
	}
	/* count characters, not bytes: passport and permit numbers may hold
	 * non-ASCII, and a mask must never cut a UTF-8 sequence */
	for (i = 0; id[i]; i++)
		n += ((unsigned char)id[i] & 0xC0) != 0x80;
	if (n == 18) {
		keep_head = 6;
		keep_tail = 4;
	} else if (n > 4) {
		keep_head = 2;
		keep_tail = 2;
	} else {
		keep_head = keep_tail = 0;
	}
	for (i = 0; id[i]; c++) {
		size_t len = 1;

		while (id[i + len] && ((unsigned char)id[i + len] & 0xC0) == 0x80)
			len++;
		if (c < keep_head || c >= n - keep_tail) {
			if (o + len >= cap)
				break;
			memcpy(out + o, id + i, len);
			o += len;
		} else {
			if (o + 1 >= cap)
				break;
			out[o++] = '*';
		}
		i += len;
	}
	out[o] = '\0';
}

int
codes_division_valid(const char *s)
{
	static const int prov[] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
		41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82 };
	size_t i;
	int p;

	if (s == NULL || strlen(s) != 6)
		return cx_seterr(CX_EFORMAT, "division code must be 6 digits");
	for (i = 0; i < 6; i++)
		if (!codes_isdigit(s[i]))
			return cx_seterr(CX_EFORMAT, "division code must be 6 digits");
	p = (s[0] - '0') * 10 + (s[1] - '0');
	for (i = 0; i < sizeof(prov) / sizeof(prov[0]); i++)
		if (prov[i] == p)
			return 0;
	return cx_seterr(CX_EFORMAT, "division code %s has no province %.2s", s, s);
}
