/*
 * codec.h — hex and base64 (RFC 4648, standard alphabet, padded).
 *
 * Encoders write a NUL-terminated string into a caller buffer sized with the
 * *_LEN macros. Decoders are strict: they reject whitespace, bad characters,
 * missing or extra padding and non-zero trailing bits, so that one encoded
 * form stands for one byte string (signed text depends on that).
 */
#ifndef CX_CODEC_H
#define CX_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define HEX_LEN(n)  ((n) * 2 + 1)
#define B64_LEN(n)  ((((n) + 2) / 3) * 4 + 1)

/* Write 2n lowercase hex digits and a NUL to out. */
void hex_encode(char *out, const uint8_t *in, size_t n);

/* Decode exactly 2n hex digits (either case) from in[0..len) into out[n].
 * Returns 0, or CX_EFORMAT if len != 2n or a character is not hex. */
int hex_decode(uint8_t *out, size_t n, const char *in, size_t len);

/* Write the base64 of in[0..n) and a NUL to out (B64_LEN(n) bytes). */
void b64_encode(char *out, const uint8_t *in, size_t n);

/* Decode base64 in[0..len) into out (at most cap bytes); *outlen gets the
 * decoded length. Returns 0, CX_EFORMAT, or CX_ETOOBIG if cap is short. */
int b64_decode(uint8_t *out, size_t cap, size_t *outlen, const char *in, size_t len);

#endif
