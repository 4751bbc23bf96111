/*
 * cosig.c — C2SP tlog-cosignature (cosignature/v1) lines: make, check, find.
 *
 * Design
 *
 * A cosignature is computed over a message built in one buffer:
 *
 *   | "cosignature/v1\n" | "time " T "\n" | checkpoint text ... "\n" |
 *
 * and written as one signed-note line whose decoded payload is
 *
 *   | key id (4, BE) | T (8, BE) | signature (64 Ed25519; <= 72 SM2 DER) |
 *
 * The key id is not the key's note key id (keys_id) but the cosignature
 * one (cosig_key_id): same name and key, another type (0x04, or 0xff
 * "cxnode.cosig-sm2-sm3"). Verification parses the line strictly (em
 * dash, valid key name, one space, canonical base64, exact "\n" end),
 * refuses another witness's line by name and key id before any public-key
 * operation, and only then checks the signature. Nothing here trusts the
 * timestamp beyond its range: whether it is recent is the caller's policy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "keys/cosig.h"
#include "keys/note.h"
#include "util/codec.h"
#include "util/err.h"

#define COSIG_DASH      "\xe2\x80\x94 "   /* U+2014 EM DASH, space */
#define COSIG_DASH_LEN  4
#define COSIG_SM2_LEN   (sizeof(COSIG_SM2_IDENT) - 1)
#define COSIG_PAYLOAD   (4 + 8 + KEYS_SIG_MAX)
#define COSIG_TYPE_MAX  (1 + COSIG_SM2_LEN)

/* The cosignature type bytes of k into t (COSIG_TYPE_MAX); their count. */
static size_t
cosig_type(const keys_key *k, uint8_t *t)
{
	if (keys_alg(k) == KEYS_ED25519) {
		t[0] = COSIG_TYPE_ED25519;
		return 1;
	}
	if (keys_alg(k) == KEYS_SM2) {
		t[0] = KEYS_TYPE_OTHER;
		memcpy(t + 1, COSIG_SM2_IDENT, COSIG_SM2_LEN);
		return 1 + COSIG_SM2_LEN;
	}
	return 0;
}

int
cosig_key_id(const keys_key *k, uint32_t *id)
{
	uint8_t buf[KEYS_NAME_MAX + 1 + COSIG_TYPE_MAX + 80], h[SHA256_DIGEST_LENGTH];
	const uint8_t *pub;
	const char *name = keys_name(k);
	size_t nl = strlen(name), tl, pl;

	*id = 0;
	if ((tl = cosig_type(k, buf + nl + 1)) == 0)
		return cx_seterr(CX_EINVAL, "key %s: no cosignature type for its algorithm", name);
	pub = keys_raw_public(k, &pl);
	if (pl > 80)
		return cx_seterr(CX_EINVAL, "public key of %zu bytes", pl);
	memcpy(buf, name, nl);
	buf[nl] = '\n';
	memcpy(buf + nl + 1 + tl, pub, pl);
	SHA256(buf, nl + 1 + tl + pl, h);
	*id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	return 0;
}

int
cosig_vkey(char **out, const keys_key *k)
{
	uint8_t raw[COSIG_TYPE_MAX + 80];
	const uint8_t *pub;
	size_t tl, pl, nl = strlen(keys_name(k));
	uint32_t id;
	char *s;
	int rc;

	*out = NULL;
	if ((rc = cosig_key_id(k, &id)) != 0)
		return rc;
	tl = cosig_type(k, raw);
	pub = keys_raw_public(k, &pl);
	if (tl + pl > sizeof(raw))
		return cx_seterr(CX_EINVAL, "public key of %zu bytes", pl);
	memcpy(raw + tl, pub, pl);
	if ((s = malloc(nl + 10 + B64_LEN(tl + pl))) == NULL)
		return cx_seterr(CX_ENOMEM, "vkey");
	sprintf(s, "%s+%08x+", keys_name(k), id);
	b64_encode(s + nl + 10, raw, tl + pl);
	*out = s;
	return 0;
}

/* "cosignature/v1\ntime T\n" || text, malloc'd; *mlen its length. */
static uint8_t *
cosig_message(const char *text, size_t textlen, uint64_t time, size_t *mlen)
{
	char head[64];
	int hl = snprintf(head, sizeof(head), COSIG_HEADER "time %" PRIu64 "\n", time);
	uint8_t *m;

	if (hl < 0 || (size_t)hl >= sizeof(head) || (m = malloc((size_t)hl + textlen + 1)) == NULL)
		return NULL;
	memcpy(m, head, (size_t)hl);
	memcpy(m + hl, text, textlen);
	*mlen = (size_t)hl + textlen;
	return m;
}

/* Checks shared by signing and verifying on the checkpoint text. */
static int
cosig_text_ok(const char *text, size_t textlen)
{
	if (textlen > NOTE_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "checkpoint text of %zu bytes exceeds %u", textlen,
		    NOTE_MAX_LEN);
	if (textlen == 0 || text[textlen - 1] != '\n')
		return cx_seterr(CX_EINVAL, "checkpoint text must be non-empty and end in a newline");
	return 0;
}

int
cosig_sign(char **line, size_t *linelen, const keys_key *witness,
    const char *checkpoint_text, size_t textlen, uint64_t time)
{
	uint8_t payload[COSIG_PAYLOAD], *msg = NULL;
	size_t mlen, siglen, nl, o;
	uint32_t id;
	char *res;
	int rc, i;

	*line = NULL;
	*linelen = 0;
	if (!keys_has_private(witness))
		return cx_seterr(CX_EINVAL, "witness key %s has no private part: cannot cosign",
		    witness ? keys_name(witness) : "(null)");
	if (time > COSIG_TIME_MAX)
		return cx_seterr(CX_EINVAL, "cosignature time %" PRIu64 " exceeds 2^63 - 1", time);
	if ((rc = cosig_text_ok(checkpoint_text, textlen)) != 0)
		return rc;
	if ((rc = cosig_key_id(witness, &id)) != 0)
		return rc;
	if ((msg = cosig_message(checkpoint_text, textlen, time, &mlen)) == NULL)
		return cx_seterr(CX_ENOMEM, "cosignature");
	rc = keys_sign(witness, msg, mlen, payload + 12, &siglen);
	free(msg);
	if (rc != 0)
		return rc;
	payload[0] = (uint8_t)(id >> 24);
	payload[1] = (uint8_t)(id >> 16);
	payload[2] = (uint8_t)(id >> 8);
	payload[3] = (uint8_t)id;
	for (i = 0; i < 8; i++)
		payload[4 + i] = (uint8_t)(time >> (56 - 8 * i));
	nl = strlen(keys_name(witness));
	if ((res = malloc(COSIG_DASH_LEN + nl + 1 + B64_LEN(12 + siglen) + 1)) == NULL)
		return cx_seterr(CX_ENOMEM, "cosignature");
	memcpy(res, COSIG_DASH, COSIG_DASH_LEN);
	memcpy(res + COSIG_DASH_LEN, keys_name(witness), nl);
	o = COSIG_DASH_LEN + nl;
	res[o++] = ' ';
	b64_encode(res + o, payload, 12 + siglen);
	o += strlen(res + o);
	res[o++] = '\n';
	res[o] = '\0';
	*line = res;
	*linelen = o;
	return 0;
}

/*
 * Parse the signature line line[0..len) (its final "\n" included):
 * name out (borrowed), decoded payload into buf (COSIG_PAYLOAD bytes).
 * A payload too long for any cosignature is a format error.
 */
static int
cosig_parse(const char *line, size_t len, const char **name, size_t *namelen, uint8_t *buf,
    size_t *n)
{
	const char *sp, *end;

	if (len < COSIG_DASH_LEN + 2 || line[len - 1] != '\n')
		return cx_seterr(CX_EFORMAT, "cosignature is not one line ending in a newline");
	end = line + len - 1;
	if (memchr(line, '\n', len - 1) != NULL)
		return cx_seterr(CX_EFORMAT, "cosignature spans more than one line");
	if (memcmp(line, COSIG_DASH, COSIG_DASH_LEN) != 0)
		return cx_seterr(CX_EFORMAT, "cosignature line does not start with an em dash and a space");
	line += COSIG_DASH_LEN;
	if ((sp = memchr(line, ' ', (size_t)(end - line))) == NULL)
		return cx_seterr(CX_EFORMAT, "cosignature line has no space after the key name");
	if (!keys_name_valid(line, (size_t)(sp - line)))
		return cx_seterr(CX_EFORMAT, "invalid key name in cosignature line");
	if (b64_decode(buf, COSIG_PAYLOAD, n, sp + 1, (size_t)(end - sp - 1)) != 0 || *n < 13)
		return cx_seterr(CX_EFORMAT, "cosignature is not base64 of a key id, a time and a "
		    "signature");
	*name = line;
	*namelen = (size_t)(sp - line);
	return 0;
}

int
cosig_verify(const char *line, size_t linelen, const keys_key *witness,
    const char *checkpoint_text, size_t textlen, uint64_t *time)
{
	uint8_t buf[COSIG_PAYLOAD], *msg;
	const char *name, *wname = keys_name(witness);
	size_t namelen, n, mlen;
	uint64_t t = 0;
	uint32_t id, want;
	int rc, i;

	if (time != NULL)
		*time = 0;
	if ((rc = cosig_parse(line, linelen, &name, &namelen, buf, &n)) != 0)
		return rc;
	if ((rc = cosig_key_id(witness, &want)) != 0)
		return rc;
	id = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (namelen != strlen(wname) || memcmp(name, wname, namelen) != 0 || id != want)
		return cx_seterr(CX_EBADSIG, "cosignature by %.*s+%08x, not by witness %s+%08x",
		    (int)(namelen > 255 ? 255 : namelen), name, id, wname, want);
	if (keys_alg(witness) == KEYS_ED25519 && n != 4 + 8 + 64)
		return cx_seterr(CX_EFORMAT, "Ed25519 cosignature of %zu bytes, not 76", n);
	for (i = 0; i < 8; i++)
		t = t << 8 | buf[4 + i];
	if (t > COSIG_TIME_MAX)
		return cx_seterr(CX_EFORMAT, "cosignature time exceeds 2^63 - 1");
	if ((rc = cosig_text_ok(checkpoint_text, textlen)) != 0)
		return rc == CX_EINVAL ? cx_seterr(CX_EFORMAT, "%s", cx_lasterr()) : rc;
	if ((msg = cosig_message(checkpoint_text, textlen, t, &mlen)) == NULL)
		return cx_seterr(CX_ENOMEM, "cosignature");
	rc = keys_verify(witness, msg, mlen, buf + 12, n - 12);
	free(msg);
	if (rc != 0)
		return cx_seterr(CX_EBADSIG, "cosignature by %s+%08x does not verify", wname, want);
	if (time != NULL)
		*time = t;
	return 0;
}

int
cosig_note_verify(const char *note, size_t len, const keys_key *witness, uint64_t *time)
{
	uint8_t buf[COSIG_PAYLOAD];
	const char *p, *end = note + len, *nl, *wname = keys_name(witness);
	size_t i, wl = strlen(wname), tl = 0;
	uint32_t want;
	int rc;

	if (time != NULL)
		*time = 0;
	if (len > NOTE_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "note of %zu bytes exceeds %u", len, NOTE_MAX_LEN);
	if ((rc = cosig_key_id(witness, &want)) != 0)
		return rc;
	if (len < 2 || note[len - 1] != '\n')
		return cx_seterr(CX_EFORMAT, "note does not end in a signature line");
	for (i = len - 1; i > 0 && tl == 0; i--)
		if (note[i] == '\n' && note[i - 1] == '\n')
			tl = i;
	if (tl == 0)
		return cx_seterr(CX_EFORMAT, "note has no blank line before its signatures");
	for (p = note + tl + 1; p < end; p = nl + 1) {
		const char *name;
		size_t namelen, n;
		uint32_t id;

		nl = memchr(p, '\n', (size_t)(end - p));
		/* cheap pre-filter on the name before decoding anything */
		if ((size_t)(nl - p) < COSIG_DASH_LEN + wl + 1 ||
		    memcmp(p + COSIG_DASH_LEN, wname, wl) != 0 || p[COSIG_DASH_LEN + wl] != ' ')
			continue;
		if (cosig_parse(p, (size_t)(nl + 1 - p), &name, &namelen, buf, &n) != 0)
			continue;
		id = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
		if (id != want)
			continue;
		return cosig_verify(p, (size_t)(nl + 1 - p), witness, note, tl, time);
	}
	return cx_seterr(CX_ENOTFOUND, "no cosignature by %s+%08x", wname, want);
}
