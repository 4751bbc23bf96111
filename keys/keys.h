/*
 * keys.h — signing key pairs: generate, save, load, sign, verify.
 *
 * keys/ owns every private key and every signature in cxnode. A keys_key is
 * either a key pair (it can sign) or a public key only (it can verify). Each
 * key has a signed-note name (c2sp.org/signed-note: non-empty, valid UTF-8,
 * no spaces, no '+') and a 32-bit key id derived from the name and the
 * public key:
 *
 *   key id = SHA-256(name || 0x0A || type || public key)[0..4), big-endian
 *
 * Algorithms:
 *
 *   KEYS_ED25519  type 0x01, 32-byte RFC 8032 public key, 64-byte signature
 *                 (the signed-note standard; any Go/C2SP verifier accepts it)
 *   KEYS_SM2      type 0xff followed by the 14 bytes "cxnode.sm2-sm3", then
 *                 the 65-byte uncompressed SM2 point (0x04 || x || y);
 *                 signatures are SM2 with SM3, distinguishing ID
 *                 "1234567812345678", DER-encoded (at most 72 bytes).
 *
 * The public form of a key is its verifier string, as in Go's
 * golang.org/x/mod/sumdb/note:
 *
 *   name "+" 8 lowercase hex digits of the key id "+" base64(type || key)
 *
 * Key files: see keys_save(). Private material is wiped from memory
 * (OPENSSL_cleanse) as soon as it is no longer needed; keys_free() releases
 * the OpenSSL key, which clears its own secret buffers.
 *
 * All functions return 0 or a negative CX_E* code (util/err.h) with detail
 * in cx_lasterr(). None of them print.
 */
#ifndef CX_KEYS_H
#define CX_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum { KEYS_ED25519 = 1, KEYS_SM2 = 2 };

/* Largest signature keys_sign() writes (an SM2 DER signature is <= 72). */
#define KEYS_SIG_MAX 80

/* Longest key name accepted, in bytes. */
#define KEYS_NAME_MAX 255

/* Signed-note type bytes. */
#define KEYS_TYPE_ED25519 0x01
#define KEYS_TYPE_OTHER   0xff   /* followed by a longer identifier */
#define KEYS_SM2_IDENT    "cxnode.sm2-sm3"

typedef struct keys_key keys_key;   /* a private key, or a public key only */

/*
 * True (1) when name[0..len) is a valid signed-note key name: 1 to
 * KEYS_NAME_MAX bytes of valid UTF-8, no ASCII control character, no
 * Unicode space (U+0020, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000) and no '+'. False (0) otherwise.
 */
int keys_name_valid(const char *name, size_t len);

/*
 * Generate a new key pair of algorithm alg (KEYS_ED25519 or KEYS_SM2) named
 * name. *out is the caller's, freed with keys_free(). Returns 0, CX_EINVAL
 * (bad algorithm or name), CX_ENOMEM, CX_ECRYPTO.
 */
int keys_generate(keys_key **out, int alg, const char *name);

/*
 * Write the private key k to a new file at path, created with
 * O_EXCL and mode 0600. The file is a few header lines that PEM readers skip,
 * then PKCS#8 PEM:
 *
 *   cxnode secret key v1
 *   name: hangzhou
 *   algorithm: ed25519          (or sm2)
 *   key-id: 1a2b3c4d
 *   ----- BEGIN PRIVATE KEY -----         (ENCRYPTED PRIVATE KEY with a
 *   ...base64 PKCS#8...                     passphrase: PBES2, scrypt
 *   -----END PRIVATE KEY-----               N=16384 r=8 p=1, AES-256-CBC)
 *
 * passphrase NULL writes the key unencrypted; an empty passphrase is
 * refused. Returns 0, CX_EINVAL (k has no private key, empty passphrase),
 * CX_EEXIST (path exists), CX_EIO, CX_ECRYPTO. On failure no file is left.
 */
int keys_save(const keys_key *k, const char *path, const char *passphrase);

/*
 * Load a private key file written by keys_save(). The file must be a regular
 * file that neither group nor others may access (mode & 077 == 0), else
 * CX_EPERM. The header's name is the key's name; its algorithm and key-id
 * lines, when present, must agree with the key (else CX_EFORMAT).
 * An encrypted key needs passphrase: NULL or a wrong one gives CX_EPASS.
 * Returns 0, CX_ENOTFOUND, CX_EPERM, CX_EPASS, CX_EFORMAT, CX_EIO,
 * CX_ENOMEM. *out is the caller's (keys_free()).
 */
int keys_load(keys_key **out, const char *path, const char *passphrase);

/*
 * Parse a verifier string "name+hexid+base64(type||key)" into a public key.
 * The key id must match the one computed from name and key. Returns 0,
 * CX_EFORMAT (with detail), CX_ENOMEM. *out is the caller's.
 */
int keys_from_verifier(keys_key **out, const char *verifier);

/*
 * Parse a Go signed-note signer key "PRIVATE+KEY+name+hexid+base64(0x01||
 * seed)" (Ed25519 only, as golang.org/x/mod/sumdb/note writes it) into a key
 * pair. For interoperability tests and importing keys made by Go tools.
 * Returns 0, CX_EFORMAT, CX_ENOMEM, CX_ECRYPTO. The decoded seed is wiped.
 */
int keys_from_signer(keys_key **out, const char *skey);

/*
 * The verifier string of k into *out (malloc'd, NUL-terminated, the
 * caller's to free()). Returns 0 or CX_ENOMEM.
 */
int keys_verifier(char **out, const keys_key *k);

/* The key's name; valid as long as k is. */
const char *keys_name(const keys_key *k);

/* The signed-note key id. */
uint32_t keys_id(const keys_key *k);

/* KEYS_ED25519 or KEYS_SM2. */
int keys_alg(const keys_key *k);

/*
 * The raw public key of k, without the signed-note type bytes: the 32-byte
 * RFC 8032 key (Ed25519) or the 65-byte uncompressed SM2 point
 * (0x04 || x || y). *len gets its length. Borrowed: valid as long as k is.
 * (keys/cosig.c derives cosignature key ids from it.)
 */
const uint8_t *keys_raw_public(const keys_key *k, size_t *len);

/* 1 if k holds a private key (can sign), 0 if public only. */
int keys_has_private(const keys_key *k);

/*
 * Sign msg[0..len) with k into sig (a buffer of KEYS_SIG_MAX bytes);
 * *siglen gets the signature length (64 for Ed25519). Returns 0, CX_EINVAL
 * (no private key), CX_ECRYPTO.
 */
int keys_sign(const keys_key *k, const uint8_t *msg, size_t len, uint8_t *sig, size_t *siglen);

/*
 * Verify sig[0..siglen) over msg[0..len) with k's public key. Returns 0 or
 * CX_EBADSIG (also for a signature of the wrong length or encoding).
 */
int keys_verify(const keys_key *k, const uint8_t *msg, size_t len, const uint8_t *sig,
    size_t siglen);

/* Release k; accepts NULL. Private material is wiped. */
void keys_free(keys_key *k);

#endif
