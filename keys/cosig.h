/*
 * cosig.h — witness cosignatures of checkpoints, C2SP tlog-cosignature
 * (c2sp.org/tlog-cosignature, "cosignature/v1").
 *
 * A cosignature is one signed-note signature line that a witness adds to a
 * checkpoint it has verified: "as of time T, the largest consistent tree I
 * have seen of the log with this origin has this root". In cxnode it is the
 * cryptographic form of mutual recognition (互认): node B cosigning node A's
 * checkpoint says B has checked A's log up to that size.
 *
 * Ed25519 witnesses (KEYS_ED25519) follow the specification exactly:
 *
 *   key id    = SHA-256(name || "\n" || 0x04 || 32-byte public key)[0..4)
 *   message   = "cosignature/v1\n"
 *               "time " <T, decimal, no leading zeros> "\n"
 *               <checkpoint text: the note body with its final "\n",
 *                extension lines included, no signature lines>
 *   line      = "— " <name> " " base64(key id[4] || T u64 big-endian ||
 *                                      Ed25519 signature[64]) "\n"
 *
 *   decoded   +-----------+----------------+------------------------+
 *   signature | key id 4  | T, u64 BE, 8   | Ed25519 signature, 64  |  76 bytes
 *             +-----------+----------------+------------------------+
 *
 * T is at most 2^63 - 1. Any cosignature/v1 verifier (Go's
 * filippo.io/torchwood, sigsum, litewitness) accepts these lines given the
 * witness's vkey "name+hexid+base64(0x04 || public key)".
 *
 * SM2 witnesses (KEYS_SM2): cosignature/v1 defines no SM2 type, so cxnode
 * uses the nearest construction, in the space the signed-note spec leaves
 * for types without an assigned byte (0xff followed by an identifier):
 *
 *   key id    = SHA-256(name || "\n" || 0xff || "cxnode.cosig-sm2-sm3" ||
 *                       65-byte uncompressed point 0x04 || x || y)[0..4)
 *   message   = exactly as above ("cosignature/v1\ntime T\n" || text)
 *   line      = "— " <name> " " base64(key id[4] || T u64 BE ||
 *                                      SM2/SM3 DER signature[<= 72]) "\n"
 *
 * with the SM2 signature as keys_sign() makes it (SM3, distinguishing ID
 * "1234567812345678"). Only cxnode verifies these.
 *
 * The key id of a cosignature differs from the key id of the same key's
 * ordinary note signatures (type 0x01, or 0xff "cxnode.sm2-sm3"), so a
 * node's own key may sign its checkpoints and cosign other logs' ones: a
 * note verifier looking for one never mistakes the other for it. The
 * messages cannot collide either: a cosignature message's second line
 * ("time T") is never the size line of a checkpoint.
 *
 * All functions return 0 or a negative CX_E* code (util/err.h) with detail
 * in cx_lasterr(); none print.
 */
#ifndef CX_COSIG_H
#define CX_COSIG_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

/* Signed-note type byte of an Ed25519 cosignature/v1 key. */
#define COSIG_TYPE_ED25519 0x04
/* Identifier after 0xff of cxnode's SM2 cosignature key. */
#define COSIG_SM2_IDENT    "cxnode.cosig-sm2-sm3"
/* The header line of the signed message. */
#define COSIG_HEADER       "cosignature/v1\n"
/* Largest timestamp a cosignature may carry (2^63 - 1). */
#define COSIG_TIME_MAX     ((uint64_t)INT64_MAX)

/*
 * The cosignature key id of witness k (Ed25519 or SM2, as above) into *id.
 * Returns 0 or CX_EINVAL (unknown algorithm).
 */
int cosig_key_id(const keys_key *k, uint32_t *id);

/*
 * The cosignature vkey of k, "name+hexid+base64(type || public key)" with
 * type 0x04 (Ed25519) or 0xff "cxnode.cosig-sm2-sm3" (SM2), as witness
 * policies (c2sp.org/tlog-policy) name a cosigner. *out is malloc'd and
 * NUL-terminated, the caller's to free(). Returns 0, CX_EINVAL, CX_ENOMEM.
 */
int cosig_vkey(char **out, const keys_key *k);

/*
 * Cosign the checkpoint text[0..textlen) (the note body, ending in "\n",
 * without signature lines) as witness (a private key) at unix time `time`.
 * *line gets the signature line "— name base64(...)\n", malloc'd and
 * NUL-terminated (the NUL not counted in *linelen), the caller's to free().
 * Append it to the signature block of the checkpoint note to publish it.
 * Returns 0; CX_EINVAL (no private key, empty text or not ending in "\n",
 * time over COSIG_TIME_MAX); CX_ETOOBIG (text over NOTE_MAX_LEN);
 * CX_ENOMEM; CX_ECRYPTO.
 */
int cosig_sign(char **line, size_t *linelen, const keys_key *witness,
    const char *checkpoint_text, size_t textlen, uint64_t time);

/*
 * Verify one cosignature line[0..linelen) (exactly one line, ending in
 * "\n") by witness over the checkpoint text[0..textlen). *time (may be
 * NULL) gets the cosignature's timestamp on success, 0 otherwise.
 * Returns 0; CX_EFORMAT (not a signature line, bad base64, wrong length,
 * timestamp over 2^63 - 1); CX_EBADSIG (another name or key id, i.e. not
 * this witness's cosignature; or the signature does not verify).
 */
int cosig_verify(const char *line, size_t linelen, const keys_key *witness,
    const char *checkpoint_text, size_t textlen, uint64_t *time);

/*
 * Find witness's cosignature in the signed checkpoint note[0..len) (its
 * text is what precedes the last blank line) and verify it. Lines by
 * other keys are skipped unread. *time (may be NULL) gets its timestamp.
 * Returns 0; CX_ENOTFOUND (the witness did not cosign this note);
 * CX_EFORMAT (not a signed note); CX_EBADSIG (its cosignature fails);
 * CX_ETOOBIG (over NOTE_MAX_LEN).
 */
int cosig_note_verify(const char *note, size_t len, const keys_key *witness, uint64_t *time);

#endif
