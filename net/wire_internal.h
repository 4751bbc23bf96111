/*
 * wire_internal.h — what the files of net/ share, and the pieces the unit
 * tests and the frame fuzzer drive directly. Not for use outside net/ and
 * tests/.
 */
#ifndef CX_WIRE_INTERNAL_H
#define CX_WIRE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <openssl/evp.h>

#include "net/wire.h"
#include "proto/cxnode.pb-c.h"

#define WIRE_KEY_LEN    32    /* X25519 public keys, nonces, MAC keys, MACs */
#define WIRE_ID_MAX     255   /* longest party id (a signed-note key name) */
#define WIRE_FED_MAX    255   /* longest federation name */
#define WIRE_MSG_MAX    1024  /* longest WireError message */
#define WIRE_CTX_SERVER "cxnode wire v1 server\n"
#define WIRE_CTX_CLIENT "cxnode wire v1 client\n"
#define WIRE_HKDF_INFO  "cxnode wire v1 keys"

/* ---- for tests and fuzzing ---------------------------------------------- */

/*
 * Decode buf[0..len) as a Frame and check every field of whichever kind it
 * is (lengths, ranges, no unknown fields). Returns 0, or CX_EFORMAT with
 * the reason. Uses no socket and no state: the server runs it on every
 * message before looking at it.
 */
int wire_frame_check(const uint8_t *buf, size_t len);

/* Like wire_frame_check, and on success *out is the decoded frame (the
 * caller's, cx__frame__free_unpacked(*out, NULL)). */
int wire_frame_decode(Cx__Frame **out, const uint8_t *buf, size_t len);

/*
 * The handshake transcript hash T = SHA-256(pack(h) || pack(r without its
 * signature)), pack being protobuf-c's canonical encoding. Returns 0,
 * CX_ENOMEM.
 */
int wire_transcript(uint8_t t[32], const Cx__Hello *h, const Cx__HelloReply *r);

/* The signature input: context string || T, into buf (at least 64 bytes);
 * returns its length. server: 1 for the server's, 0 for the client's. */
size_t wire_sig_input(uint8_t *buf, int server, const uint8_t t[32]);

/* A fresh X25519 key pair; its public key into pub[32]. Returns 0 or
 * CX_ECRYPTO. *out is the caller's (EVP_PKEY_free). */
int wire_x25519_new(EVP_PKEY **out, uint8_t pub[WIRE_KEY_LEN]);

/*
 * Session keys: X25519(mine, peer) -> HKDF-SHA-256(salt = t, info =
 * WIRE_HKDF_INFO) -> c2s[32] || s2c[32]. The shared secret is wiped.
 * Returns 0, CX_EINVAL (peer is a low-order point), CX_ECRYPTO.
 */
int wire_session_keys(uint8_t c2s[WIRE_KEY_LEN], uint8_t s2c[WIRE_KEY_LEN], EVP_PKEY *mine,
    const uint8_t peer[WIRE_KEY_LEN], const uint8_t t[32]);

/* mac = HMAC-SHA-256(key, session u64be || seq u64be || body). Returns 0 or
 * CX_ECRYPTO. */
int wire_mac(uint8_t mac[WIRE_KEY_LEN], const uint8_t key[WIRE_KEY_LEN], uint64_t session,
    uint64_t seq, const uint8_t *body, size_t len);

/* Pack f into a new nng message. Returns 0, CX_ENOMEM. */
int wire_frame_msg(nng_msg **out, const Cx__Frame *f);

/* A Frame{error{code, message}} as an nng message. */
int wire_error_msg(nng_msg **out, int code, const char *message);

/* Short lower-case name of a WireErrorCode ("replay"). */
const char *wire_werr_name(int code);

/* The WireErrorCode of the last refusal c received (0: none since its last
 * handshake started). */
int wire_client_werr(const wire_client *c);

/* ---- shared by the files of net/ ------------------------------------------ */

/* Map an nng error to a CX_E* code with "what: nng's message" as detail. */
int wire_nngerr(int rv, const char *what);

/* A TLS configuration for a dialer (client = 1) or a listener. Returns 0,
 * CX_EINVAL (bad PEM, detail from nng), CX_ENOMEM. */
int wire_tls_config(nng_tls_config **out, const struct wire_tls *t, int client);

/* 1 if url is a tls+tcp URL. */
int wire_url_is_tls(const char *url);

/* Unix time now. */
uint64_t wire_now(void);

#endif
