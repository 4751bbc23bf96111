/*
 * note.h — C2SP signed notes (c2sp.org/signed-note), the form of every
 * signed text in cxnode (log checkpoints, cosignatures).
 *
 *   <text, one or more lines, ending in "\n">
 *   "\n"                                          (a blank line)
 *   "— " <key name> " " base64(key id[4] || signature) "\n"   (1..NOTE_MAX_SIGS)
 *
 * "—" is U+2014 EM DASH (UTF-8 e2 80 94). The whole note must be valid UTF-8
 * without ASCII control characters other than "\n". The text is what is
 * signed, including its final newline; it is separated from the signatures
 * by the last blank line of the note. The output is byte-compatible with
 * golang.org/x/mod/sumdb/note.
 *
 * All functions return 0 or a negative CX_E* code (util/err.h). Output
 * buffers are malloc'd, NUL-terminated (the NUL is not counted in *outlen)
 * and belong to the caller (free()).
 */
#ifndef CX_NOTE_H
#define CX_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

/* Largest note accepted or produced, in bytes. */
#define NOTE_MAX_LEN  (1u << 20)

/* Most signature lines accepted in one note (Go's limit; the spec asks >= 16). */
#define NOTE_MAX_SIGS 100

/*
 * Sign text[0..len) with each of signers[0..nsigners) (each must hold a
 * private key; no two with the same name and id) and write the signed note
 * to *out / *outlen. The text must end in "\n" and be valid note text.
 * Returns 0, CX_EINVAL (bad text, no signer, a signer without a private key
 * or repeated), CX_ETOOBIG, CX_ENOMEM, CX_ECRYPTO.
 */
int note_sign(char **out, size_t *outlen, const char *text, size_t len,
    keys_key *const *signers, size_t nsigners);

/*
 * Verify the signed note msg[0..len) against the known keys
 * verifiers[0..nverifiers). Signatures by unknown keys (name and id not
 * both equal to a known key's) are ignored; every signature by a known key
 * must verify.
 *
 * Returns 0 when at least one known key's signature verifies and none fails;
 * CX_EBADSIG when a known key's signature fails, or when no known key signed
 * (detail "no signature by a known key"); CX_EFORMAT when msg is not a
 * well-formed signed note; CX_ETOOBIG over NOTE_MAX_LEN or NOTE_MAX_SIGS.
 * On success *textlen is the length of the signed text (msg[0..*textlen),
 * with its final "\n") and bit i of *verified_mask is set when verifiers[i]
 * (i < 32) verified; both are 0 on failure. Either pointer may be NULL.
 */
int note_verify(const char *msg, size_t len, keys_key *const *verifiers, size_t nverifiers,
    size_t *textlen, uint32_t *verified_mask);

/*
 * The length of the signed text of note msg[0..len) (with its final "\n")
 * into *textlen, without verifying any signature: for notes this program
 * verified before it stored them. Returns 0, CX_EFORMAT, CX_ETOOBIG.
 */
int note_text(const char *msg, size_t len, size_t *textlen);

/*
 * Cosign: append a signature by signer to the already signed note
 * msg[0..len), whose existing signatures are kept byte for byte (they are
 * not verified here; verify the note first). Returns 0, CX_EFORMAT (msg is
 * not a signed note), CX_EEXIST (signer's name and id already signed it),
 * CX_ETOOBIG, CX_EINVAL (no private key), CX_ENOMEM, CX_ECRYPTO.
 */
int note_add_sig(char **out, size_t *outlen, const char *msg, size_t len, keys_key *signer);

#endif
