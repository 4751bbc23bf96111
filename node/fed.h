/*
 * fed.h — a node's place in the federation: the root key it trusts, the
 * roster it holds, the keys of issuers and witnesses, and the federation
 * records kept beside the logs (cosignatures, fork evidence, alarms).
 *
 * Federation records, in the store's `fed` database (docs/storage.md):
 *
 *   "roster"                                  -> SignedRoster bytes
 *   'W' log u32be size u64be witness-id       -> cosignature line
 *   'E' log u32be found u64be                 -> Evidence bytes
 *   'H' log u32be                             -> why the log is halted (text)
 *   'A' log u32be                             -> unix time u64be the latest
 *                                                checkpoint was taken (or
 *                                                made, own log: import)
 *   'P' peer-id                               -> last sync with it (text)
 *
 * Threads: the roster can be replaced while the node serves (a newer
 * version arrives); fed_roster() hands out a counted reference.
 */
#ifndef CX_FED_H
#define CX_FED_H

#include <pthread.h>
#include <stdint.h>

#include "keys/keys.h"
#include "node/node.h"
#include "proto/cxnode.pb-c.h"
#include "store/tlog.h"

#define FED_ROSTER_KEY "roster"

struct fed_roster {
	Cx__Roster *r;
	uint8_t *raw;          /* SignedRoster bytes */
	size_t len;
	int refs;
};

struct fed {
	struct node *n;
	keys_key *root;        /* the federation root public key, or NULL */
	pthread_mutex_t mu;
	struct fed_roster *cur;/* NULL until a roster is installed */
	char **clients;        /* authorised client verifiers (NULL-terminated) */
	int *client_roles;     /* their roles (node/role.h) */
	struct api *api;       /* the regulator services, when serve offers them */
};

/* Load the root key ([federation] root) and the roster held in the store.
 * A node without them opens (fed->cur NULL); what needs them says so. */
int fed_open(struct fed *f, struct node *n);
void fed_close(struct fed *f);

/* A fed without a node: the roster in SignedRoster bytes, checked with root
 * (NULL: taken as it is), for a client that only needs to know the
 * members' keys (fed_lookup) and certificates (fed_roster_ca). */
int fed_open_roster(struct fed *f, const uint8_t *buf, size_t len, const keys_key *root);

/* The current roster (a reference: fed_roster_put it), or NULL. */
struct fed_roster *fed_roster(struct fed *f);
void fed_roster_put(struct fed *f, struct fed_roster *r);

/*
 * Install SignedRoster bytes: verify them with the root key, refuse a
 * version not newer than the one held (CX_ESTALE) unless force_same and
 * equal bytes, check the federation name, store them, and make them
 * current. Returns 0, CX_ESTALE, CX_EBADSIG, CX_EFORMAT, CX_EINVAL (no
 * root key), or a store error.
 */
int fed_roster_install(struct fed *f, const uint8_t *buf, size_t len);

/* Take a newer roster another process stored (cxnode federation install
 * beside a running serve). Returns 0 (also when there is none). */
int fed_reload(struct fed *f);

/* The member whose log has this origin, or NULL (borrowed from r). */
const Cx__Member *fed_member_by_origin(const Cx__Roster *r, const char *origin);

/*
 * Verify checkpoint note[0..len) of issuer (a member id): signed by one of
 * its keys that is not revoked, whatever its validity window (a checkpoint
 * carries no time, so a key past its valid_until still verifies the old
 * checkpoints it made: rotation; revocation is what stops a key), origin
 * equal to the member's. *size and root get what it states; textlen its signed
 * text length. Returns 0, CX_EBADSIG / CX_EPERM / CX_EFORMAT with why.
 */
int fed_check_checkpoint(const Cx__Roster *r, const char *issuer, const char *note,
    size_t len, uint64_t *size, tlog_hash root, size_t *textlen);

/* wire_lookup over the current roster and the authorised clients; ctx is
 * the struct fed. */
int fed_lookup(void *ctx, const char *id, uint32_t key_id, uint64_t now, keys_key **pub,
    int *role);

/* The local log for origin, created (issuer = member id) if missing. */
int fed_log(struct fed *f, const char *origin, const char *issuer, uint32_t *log);

/* Keys of federation records. */
size_t fed_key_log(uint8_t *buf, char kind, uint32_t log);
size_t fed_key_cosig(uint8_t *buf, size_t cap, uint32_t log, uint64_t size, const char *witness);

/* Why log is halted (malloc'd) into *why, or CX_ENOTFOUND when it is not. */
int fed_halted(store_txn *t, uint32_t log, char **why);

/* 1 when fork evidence is held for log. */
int fed_has_evidence(store_txn *t, uint32_t log);

/* 1 when log is halted for a fork (not cleared yet). */
int fed_fork_halted(store_txn *t, uint32_t log);

/* Store evidence for log and halt it, in one transaction. The halt's
 * reason starts with "fork:"; a halt for a broken rule does not. */
int fed_record_fork(struct fed *f, uint32_t log, const Cx__Evidence *e);

/* Clear log's halt (its evidence stays). */
int fed_clear_halt(struct fed *f, uint32_t log);

/* Store a cosignature line (if new), verifying it first with witness's key
 * from the roster. Returns 0, CX_EBADSIG, CX_ENOTFOUND (no such witness). */
int fed_add_cosig(struct fed *f, const Cx__Roster *r, uint32_t log, uint64_t size,
    const char *note, size_t textlen, const char *witness, const char *line, size_t linelen);

/*
 * The state digest: SHA-256 over the body (origin, size, root lines) of
 * the latest checkpoint of every log held, in origin order. Two nodes with
 * equal digests hold the same logs to the same sizes, hence give the same
 * answers. The first blank line ends a body (checkpoints have no blank
 * line inside).
 */
int fed_state_digest(struct fed *f, store_txn *t, uint8_t out[32]);

/* The TLS settings of this node for wire.h (PEM text read from files,
 * the CA chain from every roster member's certificate). Free with
 * fed_tls_free. Returns 0, CX_ENOTFOUND (no TLS identity: run init). */
struct wire_tls;
int fed_tls(struct fed *f, struct wire_tls *t, const char *server_name);
void fed_tls_free(struct wire_tls *t);

/* Every current member's TLS certificate, concatenated PEM (malloc'd).
 * Returns 0, CX_ENOTFOUND (none), CX_ENOMEM. */
int fed_roster_ca(const Cx__Roster *r, char **out);

#endif
