/*
 * text.c — encodings (UTF-8, GB18030) and normalisation.
 *
 * Detection is deliberately simple: a UTF-8 BOM decides; otherwise a buffer
 * that is entirely well-formed UTF-8 is UTF-8, anything else is taken for
 * GB18030. The two rarely collide in practice: GB18030 Chinese text is a
 * run of two-byte pairs with lead bytes 0x81..0xFE, and a pair such as
 * C4 E3 ("你") is never a valid UTF-8 sequence (a UTF-8 lead byte C4 wants a
 * continuation byte 80..BF). Short, pathological inputs can be both; they
 * are read as UTF-8.
 *
 * Conversion runs glibc iconv over the whole buffer (TEXT_MAX_INPUT bounds
 * it). The output buffer starts at 3/2 of the input plus a little, which
 * is enough for GB18030 (1 byte -> 1, 2 -> at most 3, 4 -> 4), and grows on
 * E2BIG all the same. An invalid or truncated sequence gives CX_EFORMAT
 * with its byte offset, so that an operator can find it with a hex editor.
 *
 * Normalisation decodes UTF-8 code point by code point and writes the
 * folded form into a buffer of the input's size (folding never lengthens:
 * every replacement is shorter than what it replaces).
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/text.h"
#include "util/err.h"

/*
 * Decode one UTF-8 sequence at s[0..len): the code point into *cp and its
 * length as the result, or 0 if the sequence is malformed (overlong,
 * surrogate, above U+10FFFF, truncated, stray continuation byte).
 */
static size_t
text_utf8_decode(uint32_t *cp, const uint8_t *s, size_t len)
{
	uint8_t c = s[0];
	size_t n, i;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* Offset of the first malformed byte of s[0..len), or len if none. */
static size_t
text_utf8_bad(const uint8_t *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = text_utf8_decode(&cp, s + i, len - i)) == 0)
			return i;
		i += n;
	}
	return len;
}

int
text_utf8_valid(const uint8_t *s, size_t len)
{
	if (s == NULL)
		return len == 0;
	return text_utf8_bad(s, len) == len;
}

int
text_detect(const uint8_t *buf, size_t len, size_t *bom_len)
{
	if (bom_len != NULL)
		*bom_len = 0;
	if (buf == NULL)
		return TEXT_UTF8;
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
		if (bom_len != NULL)
			*bom_len = 3;
		return TEXT_UTF8;
	}
	return text_utf8_valid(buf, len) ? TEXT_UTF8 : TEXT_GB18030;
}

/* Copy validated UTF-8 (BOM dropped). */
static int
text_copy_utf8(char **out, size_t *outlen, const uint8_t *buf, size_t len)
{
	size_t skip = 0, bad;
	char *p;

	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		skip = 3;
	bad = text_utf8_bad(buf + skip, len - skip);
	if (bad != len - skip)
		return cx_seterr(CX_EFORMAT, "invalid UTF-8 byte sequence at byte offset %zu",
		    bad + skip);
	if ((p = malloc(len - skip + 1)) == NULL)
		return CX_ENOMEM;
	if (len > skip)
		memcpy(p, buf + skip, len - skip);
	p[len - skip] = '\0';
	*out = p;
	if (outlen != NULL)
		*outlen = len - skip;
	return 0;
}

static int
text_iconv(char **out, size_t *outlen, const uint8_t *buf, size_t len, const char *from)
{
	iconv_t cd;
	char *res = NULL, *in = (char *)(uintptr_t)buf, *op, *grown;
	size_t cap, inleft = len, outleft, used;
	int rc = 0;

	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return cx_seterr(CX_EIO, "iconv_open %s: %s", from, strerror(errno));
	cap = len + len / 2 + 16;
	if ((res = malloc(cap)) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	op = res;
	outleft = cap - 1;
	while (inleft > 0) {
		if (iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			used = (size_t)(op - res);
			cap *= 2;
			if ((grown = realloc(res, cap)) == NULL) {
				rc = CX_ENOMEM;
				goto out;
			}
			res = grown;
			op = res + used;
			outleft = cap - 1 - used;
			continue;
		}
		rc = cx_seterr(CX_EFORMAT, "invalid %s byte sequence at byte offset %zu", from,
		    (size_t)((const uint8_t *)in - buf));
		goto out;
	}
	/* flush any shift state (none for GB18030, but the call is cheap) */
	if (iconv(cd, NULL, NULL, &op, &outleft) == (size_t)-1) {
		rc = cx_seterr(CX_EFORMAT, "truncated %s input", from);
		goto out;
	}
	*op = '\0';
	used = (size_t)(op - res);
	/* iconv must not have produced a NUL from non-NUL input; NULs in the
	 * input pass through as they do for UTF-8 */
	*out = res;
	res = NULL;
	if (outlen != NULL)
		*outlen = used;
out:
	free(res);
	iconv_close(cd);
	return rc;
}

int
text_to_utf8(char **out, size_t *outlen, const uint8_t *buf, size_t len, int enc)
{
	if (out == NULL)
		return cx_seterr(CX_EINVAL, "text_to_utf8: out is NULL");
	*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (buf == NULL && len > 0)
		return cx_seterr(CX_EINVAL, "text_to_utf8: buffer is NULL");
	if (len > TEXT_MAX_INPUT)
		return cx_seterr(CX_ETOOBIG, "input of %zu bytes exceeds the %zu-byte limit",
		    len, TEXT_MAX_INPUT);
	if (buf == NULL)
		buf = (const uint8_t *)"";
	switch (enc) {
	case TEXT_UTF8:
		return text_copy_utf8(out, outlen, buf, len);
	case TEXT_GB18030:
		return text_iconv(out, outlen, buf, len, "GB18030");
	default:
		return cx_seterr(CX_EINVAL, "unknown encoding %d", enc);
	}
}

int
text_decode(char **out, size_t *outlen, int *enc_out, const uint8_t *buf, size_t len)
{
	int enc = text_detect(buf, len, NULL);

	if (enc_out != NULL)
		*enc_out = enc;
	return text_to_utf8(out, outlen, buf, len, enc);
}

/* Encode cp as UTF-8 at p; returns the length. cp is a valid scalar. */
static size_t
text_utf8_put(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The folded code point of cp (text_normalize's table). */
static uint32_t
text_fold(uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		cp -= 0xFF01 - 0x21;
	else if (cp == 0x3000 || cp == 0x00A0 || cp == '\t' || cp == '\r' || cp == '\n')
		cp = ' ';
	else if (cp == 0x3010)
		cp = '[';
	else if (cp == 0x3011)
		cp = ']';
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	return cp;
}

int
text_normalize(char **out, const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	char *res = NULL;
	size_t i = 0, o = 0, n;
	int space = 0;
	uint32_t cp;

	if (out == NULL)
		return cx_seterr(CX_EINVAL, "text_normalize: out is NULL");
	*out = NULL;
	if (s == NULL && len > 0)
		return cx_seterr(CX_EINVAL, "text_normalize: string is NULL");
	if ((res = malloc(len + 1)) == NULL)
		return CX_ENOMEM;
	while (i < len) {
		if (u[i] == 0 || (n = text_utf8_decode(&cp, u + i, len - i)) == 0) {
			free(res);
			return cx_seterr(CX_EFORMAT, "not UTF-8 text at byte offset %zu", i);
		}
		i += n;
		cp = text_fold(cp);
		if (cp == ' ') {
			space = o > 0;
			continue;
		}
		if (space) {
			res[o++] = ' ';
			space = 0;
		}
		o += text_utf8_put(res + o, cp);
	}
	res[o] = '\0';
	*out = res;
	return 0;
}
