/*
 * sync.h — comparing this node's logs with a peer's, pulling what the peer
 * has more of, witnessing, and detecting forks (docs/protocol.md,
 * "Replication"). One code path serves `cxnode serve`, `cxnode sync` and
 * `cxnode reconcile`.
 */
#ifndef CX_SYNC_H
#define CX_SYNC_H

#include <stdint.h>
#include <time.h>

#include "net/wire.h"
#include "node/fed.h"

/* What became of one issuer's log. */
enum {
	SYNC_SAME = 0,     /* same checkpoint on both sides */
	SYNC_PULLED,       /* we took the peer's newer checkpoint (and leaves) */
	SYNC_AHEAD,        /* we hold a newer checkpoint than the peer */
	SYNC_BEHIND,       /* the peer holds a newer one (not pulled) */
	SYNC_ONLY_OURS,    /* the peer does not hold this log */
	SYNC_FORK,         /* two inconsistent checkpoints: evidence stored */
	SYNC_REFUSED,      /* the peer's data did not verify; nothing stored */
	SYNC_BROKEN_RULES, /* the issuer signed a record that breaks the rules */
	SYNC_UNKNOWN,      /* an origin no roster member has */
	/* a halted log is compared, not pulled: see sync_log.halted */
};

struct sync_log {
	char *origin;
	char *issuer;
	uint64_t ours;         /* our checkpoint size before */
	uint64_t theirs;       /* the peer's checkpoint size */
	uint64_t after;        /* our checkpoint size after */
	uint64_t pulled;       /* leaves appended */
	int state;
	char why[400];
	int cosigned;          /* we cosigned a checkpoint of it */
	int new_cosigs;        /* others' cosignatures taken from the peer */
	int peer_halted;       /* the peer holds fork evidence for it */
	int halted;            /* this node takes none of its leaves: */
	int halted_fork;       /* for fork evidence (else a broken rule) */
	char alarm[400];       /* why */
};

struct sync_report {
	struct sync_log *logs;
	size_t n;
	uint64_t roster_ours, roster_theirs;
	int roster_updated;
	int forks, refused, differ;
	uint8_t digest_ours[32];   /* state digests (fed_state_digest): ours */
	uint8_t digest_theirs[32]; /* after the exchange, the peer's before */
	int has_digests;
};

struct sync_opts {
	int pull;              /* fetch what the peer has more of, witness */
	const char *peer;      /* the peer's id, for reports and evidence */
	/* a checkpoint we newly hold (to announce) */
	void (*announce)(void *ctx, const char *note, size_t len);
	void *actx;
	/* leaves appended so far of total for origin */
	void (*progress)(void *ctx, const char *origin, uint64_t done, uint64_t total);
	void *pctx;
	wire_log log;
	void *lctx;
	time_t deadline;       /* stop pulling (at a group's end) after this; 0: none */
};

/*
 * Compare every log with the peer at the end of c (an authenticated
 * session) and, with o->pull, take the peer's newer roster, pull, cosign
 * and store cosignatures. f->n must be opened with NODE_WRITE (and
 * NODE_SIGN to cosign). rep is filled even on failure (free with
 * sync_report_free). Returns 0 when the peer was asked everything (the
 * per-log states say what was found), else the error that cut it short.
 */
int sync_with(struct fed *f, wire_client *c, const struct sync_opts *o, struct sync_report *rep);
void sync_report_free(struct sync_report *rep);

/* "same", "pulled", ... */
const char *sync_state_name(int state);

/*
 * Open an authenticated session with peer: a member id (its endpoints from
 * the roster, tried in order) or a URL (the member whose endpoint it is;
 * any URL when none is). TLS for tls+tcp:// from fed_tls. Returns 0 or the
 * error of the last endpoint tried (CX_EIO, CX_ETIMEOUT, CX_EREFUSED, ...).
 * *id gets the member id when known (malloc'd, may be NULL).
 */
int sync_connect(struct fed *f, const char *peer, int timeout_ms, wire_client **out, char **id);

#endif
