/*
 * fuzz_note.c — libFuzzer target for signed-note parsing (keys/note.c).
 *
 * Each input is verified as a signed note against the Go reference key
 * (PeterNeumann). Whenever the input is a well-formed note that this key has
 * not signed yet, the harness cosigns it with that key and checks the
 * invariant that the result then verifies: note_add_sig() and note_verify()
 * must agree on what a note is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "keys/note.h"
#include "util/err.h"

static const char fuzz_note_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char fuzz_note_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static keys_key *pub, *priv;
	char *out = NULL;
	size_t outlen, textlen;
	uint32_t mask;
	int rc;

	if (pub == NULL && (keys_from_verifier(&pub, fuzz_note_vkey) != 0 ||
	    keys_from_signer(&priv, fuzz_note_skey) != 0))
		abort();
	rc = note_verify((const char *)data, size, &pub, 1, &textlen, &mask);
	if (rc == 0 && (textlen == 0 || textlen >= size || mask != 1 || data[textlen - 1] != '\n'))
		abort();
	if (rc != 0 && rc != CX_EFORMAT && rc != CX_EBADSIG && rc != CX_ETOOBIG)
		abort();
	rc = note_add_sig(&out, &outlen, (const char *)data, size, priv);
	if (rc == 0) {
		if (outlen <= size || memcmp(out, data, size) != 0)
			abort();
		rc = note_verify(out, outlen, &pub, 1, &textlen, &mask);
		if (rc != 0 && rc != CX_ETOOBIG)
			abort();
		free(out);
	}
	return 0;
}
