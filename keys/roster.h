/*
 * roster.h — the federation roster: who the members are, which keys they
 * sign with and when, what they may publish. Signed by the federation's root
 * key, versioned, never accepted backwards.
 *
 * Wire form: a SignedRoster message (proto/cxnode.proto) whose `roster`
 * field holds the exact Roster bytes that were signed and whose `signature`
 * is key id[4] || signature by the root key over
 *
 *   "cxnode roster v1\n" || roster bytes
 *
 * The prefix separates roster signatures from every other use of the root
 * key. A roster is only ever unpacked after its signature verifies.
 *
 * Rules checked on signing and on opening (else CX_EFORMAT):
 *   - the federation name is not empty;
 *   - each member id is a valid signed-note key name, unique in the roster;
 *   - each region is 6 digits (GB/T 2260);
 *   - each key is a verifier string that parses, whose key name is the
 *     member id, and whose window is sane (valid_until 0 or > valid_from);
 *   - each kind is a known RecordKind other than KIND_UNSPECIFIED.
 *
 * All functions return 0 or a negative CX_E* code (util/err.h).
 */
#ifndef CX_ROSTER_H
#define CX_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"
#include "proto/cxnode.pb-c.h"

/* Largest SignedRoster accepted, in bytes. */
#define ROSTER_MAX_LEN (4u << 20)

/* The domain-separation prefix of a roster signature. */
#define ROSTER_SIG_PREFIX "cxnode roster v1\n"

/*
 * Check r against the rules above. Returns 0 or CX_EFORMAT (detail names the
 * member and the rule).
 */
int roster_check(const Cx__Roster *r);

/*
 * Serialize r, sign it with root (a private key) and write the SignedRoster
 * bytes to *out (malloc'd, the caller's to free()) / *outlen. r is checked
 * first. Returns 0, CX_EFORMAT, CX_EINVAL (root cannot sign), CX_ENOMEM,
 * CX_ECRYPTO.
 */
int roster_sign(uint8_t **out, size_t *outlen, const Cx__Roster *r, const keys_key *root);

/*
 * Verify the SignedRoster buf[0..len) with the root public key root_pub,
 * then unpack and check the roster. *out is the caller's, freed with
 * roster_free(). Returns 0; CX_EBADSIG (signed by another key, or the
 * signature fails); CX_EFORMAT (not a SignedRoster, or the roster breaks a
 * rule); CX_ETOOBIG (over ROSTER_MAX_LEN); CX_ENOMEM.
 * root_pub NULL skips the signature: only for a party that trusts the file
 * it was handed and has no root key to check it with (it must say so).
 */
int roster_open(Cx__Roster **out, const uint8_t *buf, size_t len, const keys_key *root_pub);

/* Free a roster from roster_open(); accepts NULL. */
void roster_free(Cx__Roster *r);

/*
 * Whether incoming may replace held: 0 if incoming->version >
 * held->version (or held is NULL), else CX_ESTALE.
 */
int roster_newer(const Cx__Roster *held, const Cx__Roster *incoming);

/* The member with this id, or NULL. Borrowed: valid as long as r is. */
const Cx__Member *roster_member(const Cx__Roster *r, const char *id);

/*
 * The signing key of member id valid at unix time at: not revoked,
 * valid_from <= at, and valid_until == 0 or at < valid_until; when several
 * are, the one with the latest valid_from. *out is the caller's
 * (keys_free()). Returns 0; CX_ENOTFOUND (no such member, or it has no
 * keys); CX_EPERM (member retired, or every key revoked, expired or not yet
 * valid at that time); CX_EFORMAT; CX_ENOMEM.
 */
int roster_member_key(keys_key **out, const Cx__Roster *r, const char *id, uint64_t at);

/*
 * Every key of member id that is not revoked, in roster order; when at is
 * not 0, only those valid at unix time at (valid_from <= at, and
 * valid_until == 0 or at < valid_until). For checking checkpoints: the
 * latest with the keys valid now; a stored, older one with every
 * non-revoked key (at 0), so that key rotation leaves old checkpoints
 * verifiable while a revoked key's signatures stop counting.
 * *out is an array of *n public keys (NULL when *n is 0), the caller's,
 * freed with roster_keys_free(). Returns 0 (also with no key: *n = 0);
 * CX_ENOTFOUND (no such member); CX_EPERM (member retired); CX_ENOMEM.
 */
int roster_member_keys(keys_key ***out, size_t *n, const Cx__Roster *r, const char *id,
    uint64_t at);

/* Free what roster_member_keys() returned; accepts NULL. */
void roster_keys_free(keys_key **k, size_t n);

/*
 * Whether member id may issue records of kind (a Cx__RecordKind). Returns 0,
 * or CX_EPERM (no such member, member retired, or kind not listed).
 */
int roster_may_issue(const Cx__Roster *r, const char *id, int kind);

#endif
