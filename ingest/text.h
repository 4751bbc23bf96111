/*
 * text.h — input encodings and text normalisation.
 *
 * Credit data arrives from local platforms as UTF-8 (with or without a byte
 * order mark) or as GB18030 (the superset of GBK/GB2312 that Excel on a
 * Chinese Windows writes). Everything inside cxnode is UTF-8: a file is
 * detected, converted once (glibc iconv) and then parsed.
 *
 * Whole-buffer conversion: a file is converted in memory in one piece. The
 * limit is TEXT_MAX_INPUT bytes of input (512 MiB, about three million
 * 双公示 rows); the UTF-8 result of GB18030 input is at most 1.5 times as
 * large. Larger inputs are refused with CX_ETOOBIG and must be split.
 *
 * Nothing here prints; failures return a negative CX_E* code and set the
 * detail (util/err.h).
 */
#ifndef CX_TEXT_H
#define CX_TEXT_H

#include <stddef.h>
#include <stdint.h>

enum { TEXT_UTF8 = 1, TEXT_GB18030 = 2 };

#define TEXT_MAX_INPUT ((size_t)512 << 20)

/*
 * Guess the encoding of buf[0..len). A UTF-8 byte order mark (EF BB BF)
 * gives TEXT_UTF8 and *bom_len = 3; otherwise *bom_len = 0 and the result is
 * TEXT_UTF8 if the whole buffer is valid UTF-8 (pure ASCII and an empty
 * buffer included), else TEXT_GB18030. bom_len may be NULL. Never fails.
 */
int text_detect(const uint8_t *buf, size_t len, size_t *bom_len);

/*
 * Convert buf[0..len) from enc (TEXT_UTF8 or TEXT_GB18030) to UTF-8.
 * A leading UTF-8 BOM is dropped for TEXT_UTF8; UTF-8 input is validated and
 * copied. On success *out is a new NUL-terminated buffer the caller frees
 * with free(), and *outlen its length without the NUL (outlen may be NULL).
 * Returns 0, CX_EINVAL (bad enc), CX_ENOMEM, CX_ETOOBIG (len above
 * TEXT_MAX_INPUT) or CX_EFORMAT with the detail "invalid <enc> byte
 * sequence at byte offset N" (N counts from buf[0]); *out is NULL on failure.
 */
int text_to_utf8(char **out, size_t *outlen, const uint8_t *buf, size_t len, int enc);

/*
 * Detect and convert in one step (text_detect, then text_to_utf8): the
 * usual way to turn a file's bytes into UTF-8. Same results and ownership
 * as text_to_utf8; *enc_out (may be NULL) gets the detected encoding.
 */
int text_decode(char **out, size_t *outlen, int *enc_out, const uint8_t *buf, size_t len);

/*
 * 1 if s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. NUL bytes are valid UTF-8.
 */
int text_utf8_valid(const uint8_t *s, size_t len);

/*
 * The normal form of a name or code for indexes and search (never for
 * storage: records keep names verbatim). From UTF-8 s[0..len):
 *   - full-width ASCII U+FF01..U+FF5E becomes ASCII (（ -> (, Ａ -> A, ０ -> 0);
 *   - 【 】 become [ ];
 *   - ideographic space U+3000, no-break space U+00A0, tab, CR and LF
 *     become spaces; runs of spaces collapse to one; leading and trailing
 *     spaces go;
 *   - ASCII letters are upper-cased.
 * Example: "（北京）ＡＢＣ有限公司" -> "(北京)ABC有限公司".
 * On success *out is a new NUL-terminated string the caller frees with
 * free(). Returns 0, CX_ENOMEM, or CX_EFORMAT if s is not valid UTF-8 (or
 * holds a NUL byte); *out is NULL on failure.
 */
int text_normalize(char **out, const char *s, size_t len);

#endif
