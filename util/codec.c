/*
 * codec.c — strict hex and base64.
 */
#include <string.h>

#include "util/codec.h"
#include "util/err.h"

static const char codec_hex[] = "0123456789abcdef";
static const char codec_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
hex_encode(char *out, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = codec_hex[in[i] >> 4];
		out[2 * i + 1] = codec_hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
codec_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(uint8_t *out, size_t n, const char *in, size_t len)
{
	size_t i;

	if (len != 2 * n)
		return CX_EFORMAT;
	for (i = 0; i < n; i++) {
		int hi = codec_hexval(in[2 * i]), lo = codec_hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return CX_EFORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void
b64_encode(char *out, const uint8_t *in, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = codec_b64[v >> 18];
		out[o++] = codec_b64[(v >> 12) & 63];
		out[o++] = codec_b64[(v >> 6) & 63];
		out[o++] = codec_b64[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = codec_b64[v >> 18];
		out[o++] = codec_b64[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = codec_b64[v >> 18];
		out[o++] = codec_b64[(v >> 12) & 63];
		out[o++] = codec_b64[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int
codec_b64val(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(codec_b64, c);
	return p ? (int)(p - codec_b64) : -1;
}

int
b64_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t len)
{
	size_t i, o = 0, pad = 0;

	if (len % 4 != 0)
		return CX_EFORMAT;
	if (len > 0 && in[len - 1] == '=')
		pad++;
	if (len > 1 && in[len - 2] == '=')
		pad++;
	if ((len / 4) * 3 - pad > cap)
		return CX_ETOOBIG;
	for (i = 0; i < len; i += 4) {
		int v[4], k, last = i + 4 == len;
		uint32_t w;

		for (k = 0; k < 4; k++) {
			v[k] = codec_b64val(in[i + k]);
			if (v[k] < 0) {
				if (!(last && in[i + k] == '=' && k >= 4 - (int)pad))
					return CX_EFORMAT;
				v[k] = 0;
			}
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = (uint8_t)(w >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		else if ((w >> 8) & 0xff)
			return CX_EFORMAT;
		if (!last || pad < 1)
			out[o++] = (uint8_t)w;
		else if (w & 0xff)
			return CX_EFORMAT;
	}
	*outlen = o;
	return 0;
}
