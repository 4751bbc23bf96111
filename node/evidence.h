/*
 * evidence.h — proof that an issuer forked its log, checkable offline with
 * the roster alone.
 *
 * An Evidence message (proto/cxnode.proto) holds two checkpoint notes that
 * member `issuer` signed for its log `origin`, and that no single history
 * explains:
 *
 *   equal sizes        smaller.size == larger.size, smaller.root != larger.root
 *
 *   different sizes    alt_root = the root the LARGER tree gives its first
 *                      smaller.size leaves, with a consistency proof
 *                      (RFC 9162 2.1.4) from (smaller.size, alt_root) to
 *                      (larger.size, larger.root); and alt_root !=
 *                      smaller.root. The issuer committed to two different
 *                      trees of smaller.size leaves.
 *
 *   smaller.size == 0  the empty tree has one root, SHA-256(""): a size-0
 *                      checkpoint with another root contradicts every
 *                      larger one (alt_root, when given, must be that root;
 *                      proof empty).
 *
 * Signatures: each note must verify (keys/note.c) with the member's
 * non-revoked keys, whatever their validity windows (roster_member_keys at
 * 0): a checkpoint carries no time, and a fork signed with a key since
 * rotated out is still a fork, while a revoked key proves nothing. Both
 * notes' origin lines must equal e->origin and the member's origin in the
 * roster. Sizes and roots come from the notes' text, never from e.
 */
#ifndef CX_EVIDENCE_H
#define CX_EVIDENCE_H

#include <stddef.h>

#include "proto/cxnode.pb-c.h"

/*
 * Check that e proves a fork by member e->issuer of roster. Returns 0 (a
 * fork); CX_EBADSIG (a note does not verify with the member's keys, or the
 * member is retired or unknown); CX_EFORMAT (a note is not a signed
 * checkpoint, origins differ, sizes out of order, a hash of the wrong
 * length, fields that do not belong); CX_EPROOF (the checkpoints are
 * consistent, or the proof does not verify); CX_ENOMEM. why (cap bytes,
 * may be NULL when cap is 0) gets one sentence saying why, also on success
 * ("songjiang signed two trees of size 6: ...").
 */
int evidence_check(const Cx__Evidence *e, const Cx__Roster *roster, char *why, size_t cap);

/*
 * A readable JSON rendering of e (two-space indent), for operators and
 * `--json` output:
 *
 *   { "origin", "issuer", "found_at", "found_by", "peer",
 *     "smaller": { "size", "root", "note" }, "larger": { ... },
 *     "alt_root", "proof": [ base64, ... ] }
 *
 * Hashes are base64; a note is its text (or "note_base64" when it is not
 * UTF-8); "size" and "root" appear when the note's text parses as a
 * checkpoint (unverified: evidence_check() says whether it holds).
 * *out is malloc'd and NUL-terminated, the caller's to free(). Returns 0
 * or CX_ENOMEM.
 */
int evidence_json(char **out, const Cx__Evidence *e);

#endif
