/*
 * note.c — C2SP signed notes: signing, verifying, cosigning.
 *
 * Design
 *
 * A note is parsed in place, never copied: note_text() checks the whole
 * message (size, UTF-8, no control characters but "\n") and finds the last
 * blank line, which divides the text from the signature block; then
 * note_next_sig() walks the block one line at a time, decoding each
 * signature into a caller buffer. Nothing is allocated while verifying.
 *
 *   msg:  | text ... "\n" | "\n" | "— " name " " b64 "\n" | ... |
 *         0          textlen    textlen+1                      len
 *
 * The rules follow c2sp.org/signed-note and match what Go's
 * golang.org/x/mod/sumdb/note accepts, with two deliberate differences
 * (both stricter, both documented in docs/keys.md): every signature by a
 * known key is verified, including repeats, and the base64 must be canonical
 * (util/codec.h decodes strictly).
 */
#include <stdlib.h>
#include <string.h>

#include "keys/note.h"
#include "util/codec.h"
#include "util/err.h"

#define NOTE_DASH     "\xe2\x80\x94 "   /* U+2014 EM DASH, space */
#define NOTE_DASH_LEN 4
#define NOTE_SIG_CAP  8192              /* largest decoded signature kept */

struct note_sig {
	const char *name;
	size_t namelen;
	uint32_t id;
	const uint8_t *sig;   /* after the key id */
	size_t siglen;
};

/*
 * True when s[0..len) is valid UTF-8 (shortest forms, no surrogates) with
 * no ASCII control character other than "\n".
 */
static int
note_text_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, j;
	uint32_t c;

	while (i < len) {
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 2;
			c = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 3;
			c = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 4;
			c = s[i] & 0x07;
		} else
			return 0;
		if (len - i < n)
			return 0;
		for (j = 1; j < n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + j] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

int
note_text(const char *msg, size_t len, size_t *textlen)
{
	size_t i;

	if (len > NOTE_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "note of %zu bytes exceeds %u", len, NOTE_MAX_LEN);
	if (!note_text_valid(msg, len))
		return cx_seterr(CX_EFORMAT, "note is not UTF-8 text without control characters");
	if (len < 2 || msg[len - 1] != '\n')
		return cx_seterr(CX_EFORMAT, "note does not end in a signature line");
	for (i = len - 1; i > 0; i--)
		if (msg[i] == '\n' && msg[i - 1] == '\n')
			break;
	if (i == 0)
		return cx_seterr(CX_EFORMAT, "note has no blank line before its signatures");
	/* msg[i-1..i] is the last "\n\n": the text ends at i, the block follows */
	if (i + 1 >= len)
		return cx_seterr(CX_EFORMAT, "note has no signature lines");
	*textlen = i;
	return 0;
}

/*
 * Parse the signature line at *p (before end, which follows a "\n"); buf
 * (NOTE_SIG_CAP + 4 bytes) receives the decoded signature. Advances *p.
 */
static int
note_next_sig(const char **p, const char *end, struct note_sig *s, uint8_t *buf)
{
	const char *line = *p, *nl, *sp;
	size_t n;

	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl == NULL)
		return cx_seterr(CX_EFORMAT, "unterminated signature line");
	*p = nl + 1;
	if ((size_t)(nl - line) < NOTE_DASH_LEN || memcmp(line, NOTE_DASH, NOTE_DASH_LEN) != 0)
		return cx_seterr(CX_EFORMAT, "signature line does not start with an em dash and a space");
	line += NOTE_DASH_LEN;
	sp = memchr(line, ' ', (size_t)(nl - line));
	if (sp == NULL)
		return cx_seterr(CX_EFORMAT, "signature line has no space after the key name");
	if (!keys_name_valid(line, (size_t)(sp - line)))
		return cx_seterr(CX_EFORMAT, "invalid key name in signature line");
	if (b64_decode(buf, NOTE_SIG_CAP + 4, &n, sp + 1, (size_t)(nl - sp - 1)) != 0 || n < 5)
		return cx_seterr(CX_EFORMAT, "signature is not base64 of a key id and a signature");
	s->name = line;
	s->namelen = (size_t)(sp - line);
	s->id = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	s->sig = buf + 4;
	s->siglen = n - 4;
	return 0;
}

/* True when signature s names key k (both name and id). */
static int
note_sig_is(const struct note_sig *s, const keys_key *k)
{
	const char *name = keys_name(k);

	return s->id == keys_id(k) && strlen(name) == s->namelen &&
	    memcmp(name, s->name, s->namelen) == 0;
}

/* Append "— name base64(id||sig)\n" for signer k over text to out at *o. */
static int
note_put_sig(char *out, size_t *o, const keys_key *k, const char *text, size_t len)
{
	uint8_t sig[4 + KEYS_SIG_MAX];
	size_t siglen, nl;
	uint32_t id = keys_id(k);
	int rc;

	if ((rc = keys_sign(k, (const uint8_t *)text, len, sig + 4, &siglen)) != 0)
		return rc;
	sig[0] = (uint8_t)(id >> 24);
	sig[1] = (uint8_t)(id >> 16);
	sig[2] = (uint8_t)(id >> 8);
	sig[3] = (uint8_t)id;
	memcpy(out + *o, NOTE_DASH, NOTE_DASH_LEN);
	*o += NOTE_DASH_LEN;
	nl = strlen(keys_name(k));
	memcpy(out + *o, keys_name(k), nl);
	*o += nl;
	out[(*o)++] = ' ';
	b64_encode(out + *o, sig, 4 + siglen);
	*o += strlen(out + *o);
	out[(*o)++] = '\n';
	return 0;
}

/* Room for one signature line by k. */
static size_t
note_line_max(const keys_key *k)
{
	return NOTE_DASH_LEN + strlen(keys_name(k)) + 1 + B64_LEN(4 + KEYS_SIG_MAX) + 1;
}

int
note_sign(char **out, size_t *outlen, const char *text, size_t len,
    keys_key *const *signers, size_t nsigners)
{
	size_t i, j, cap, o;
	char *buf;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (nsigners == 0)
		return cx_seterr(CX_EINVAL, "no signer");
	if (nsigners > NOTE_MAX_SIGS)
		return cx_seterr(CX_ETOOBIG, "more than %d signers", NOTE_MAX_SIGS);
	if (len == 0 || text[len - 1] != '\n')
		return cx_seterr(CX_EINVAL, "note text must end in a newline");
	if (!note_text_valid(text, len))
		return cx_seterr(CX_EINVAL, "note text must be UTF-8 without control characters");
	cap = len + 1 + 1;
	for (i = 0; i < nsigners; i++) {
		if (!keys_has_private(signers[i]))
			return cx_seterr(CX_EINVAL, "signer %zu has no private key", i);
		for (j = 0; j < i; j++)
			if (keys_id(signers[i]) == keys_id(signers[j]) &&
			    strcmp(keys_name(signers[i]), keys_name(signers[j])) == 0)
				return cx_seterr(CX_EINVAL, "signer %s given twice",
				    keys_name(signers[i]));
		cap += note_line_max(signers[i]);
	}
	if (cap > NOTE_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "signed note would exceed %u bytes", NOTE_MAX_LEN);
	if ((buf = malloc(cap)) == NULL)
		return cx_seterr(CX_ENOMEM, "note");
	memcpy(buf, text, len);
	o = len;
	buf[o++] = '\n';
	for (i = 0; i < nsigners; i++)
		if ((rc = note_put_sig(buf, &o, signers[i], text, len)) != 0) {
			free(buf);
			return rc;
		}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
}

int
note_verify(const char *msg, size_t len, keys_key *const *verifiers, size_t nverifiers,
    size_t *textlen, uint32_t *verified_mask)
{
	uint8_t buf[NOTE_SIG_CAP + 4];
	struct note_sig s;
	const char *p, *end = msg + len;
	size_t tl, i, nsigs = 0, good = 0;
	uint32_t mask = 0;
	int rc;

	if (textlen != NULL)
		*textlen = 0;
	if (verified_mask != NULL)
		*verified_mask = 0;
	if ((rc = note_text(msg, len, &tl)) != 0)
		return rc;
	p = msg + tl + 1;
	while (p < end) {
		if (++nsigs > NOTE_MAX_SIGS)
			return cx_seterr(CX_ETOOBIG, "note has more than %d signatures", NOTE_MAX_SIGS);
		if ((rc = note_next_sig(&p, end, &s, buf)) != 0)
			return rc;
		for (i = 0; i < nverifiers; i++) {
			if (!note_sig_is(&s, verifiers[i]))
				continue;
			if (keys_verify(verifiers[i], (const uint8_t *)msg, tl, s.sig, s.siglen) != 0)
				return cx_seterr(CX_EBADSIG, "signature by %s+%08x does not verify",
				    keys_name(verifiers[i]), keys_id(verifiers[i]));
			if (i < 32)
				mask |= (uint32_t)1 << i;
			good++;
		}
	}
	if (good == 0)
		return cx_seterr(CX_EBADSIG, "no signature by a known key");
	if (textlen != NULL)
		*textlen = tl;
	if (verified_mask != NULL)
		*verified_mask = mask;
	return 0;
}

int
note_add_sig(char **out, size_t *outlen, const char *msg, size_t len, keys_key *signer)
{
	uint8_t buf[NOTE_SIG_CAP + 4];
	struct note_sig s;
	const char *p, *end = msg + len;
	size_t tl, nsigs = 0, cap, o;
	char *res;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (!keys_has_private(signer))
		return cx_seterr(CX_EINVAL, "cosigner has no private key");
	if ((rc = note_text(msg, len, &tl)) != 0)
		return rc;
	p = msg + tl + 1;
	while (p < end) {
		if ((rc = note_next_sig(&p, end, &s, buf)) != 0)
			return rc;
		if (note_sig_is(&s, signer))
			return cx_seterr(CX_EEXIST, "%s+%08x has already signed this note",
			    keys_name(signer), keys_id(signer));
		nsigs++;
	}
	if (nsigs + 1 > NOTE_MAX_SIGS)
		return cx_seterr(CX_ETOOBIG, "note already has %zu signatures", nsigs);
	cap = len + note_line_max(signer) + 1;
	if (cap > NOTE_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "signed note would exceed %u bytes", NOTE_MAX_LEN);
	if ((res = malloc(cap)) == NULL)
		return cx_seterr(CX_ENOMEM, "note");
	memcpy(res, msg, len);
	o = len;
	if ((rc = note_put_sig(res, &o, signer, msg, tl)) != 0) {
		free(res);
		return rc;
	}
	res[o] = '\0';
	*out = res;
	*outlen = o;
	return 0;
}
