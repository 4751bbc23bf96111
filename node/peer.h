/*
 * peer.h — the requests nodes make of each other (docs/protocol.md,
 * "Requests"): the server's handler and the client's call.
 */
#ifndef CX_PEER_H
#define CX_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "net/wire.h"
#include "node/fed.h"

/* Most bytes of leaves in one LeavesReply. */
#define PEER_LEAVES_BUDGET (16u << 20)
/* Most leaves asked for in one LeavesRequest. */
#define PEER_LEAVES_MAX 100000

/* The wire_handler of a node; ctx is its struct fed. Members may ask for
 * everything; authorised clients for everything but leaves (which carry
 * personal data). */
int peer_handle(void *ctx, const struct wire_peer *peer, const uint8_t *req, size_t len,
    uint8_t **resp, size_t *resplen);

/*
 * Send req over c and decode the answer into *resp (free with
 * cx__response__free_unpacked). A WireError answer becomes CX_EREFUSED
 * with its message; an answer of another kind than asked, CX_EFORMAT.
 */
int peer_call(wire_client *c, const Cx__Request *req, Cx__Response **resp);

#endif
