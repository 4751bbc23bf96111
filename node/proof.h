/*
 * proof.h — portable proof files (JSON, docs/proofs.md).
 *
 * An inclusion proof carries everything needed to check, offline and with
 * only the issuer's public key, that a record is in the issuer's log: the
 * record's exact bytes, its leaf index, the RFC 6962 audit path, and the
 * signed checkpoint whose root the path leads to. A consistency proof
 * carries two signed checkpoints of one log and the path that shows the
 * newer tree extends the older one.
 */
#ifndef CX_PROOF_H
#define CX_PROOF_H

#include <jansson.h>

#include "keys/keys.h"
#include "store/store.h"

#define PROOF_INCLUSION   "cxnode-inclusion-proof/v1"
#define PROOF_CONSISTENCY "cxnode-consistency-proof/v1"

/* Build an inclusion proof of leaf index of log against the latest
 * checkpoint. *out is a new JSON object. */
int proof_inclusion(json_t **out, store_txn *t, uint32_t log, const char *origin, uint64_t index);

/* Build a consistency proof between the checkpoints of sizes oldsize and
 * newsize (0 = latest); both must be stored checkpoints. */
int proof_consistency(json_t **out, store_txn *t, uint32_t log, const char *origin,
    uint64_t oldsize, uint64_t newsize);

/*
 * Verify a proof object with the issuer's public key. Returns 0, or
 * CX_EBADSIG (checkpoint signature), CX_EPROOF (path), CX_EFORMAT; detail
 * says which. *what gets a one-line description of what was proved
 * (static buffer of the calling thread).
 */
int proof_verify(const json_t *proof, const keys_key *issuer, const char **what);

#endif
