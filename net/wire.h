/*
 * wire.h — authenticated request/reply between nodes over nng, and the
 * checkpoint announcements (PUB/SUB). net/ owns every nng call in cxnode.
 *
 * Transport: nng REQ/REP (one socket per client, a REP socket with worker
 * contexts on the server) and PUB/SUB. URLs: tls+tcp:// for anything
 * remote; tcp:// only on loopback (127.0.0.0/8, ::1, localhost) unless the
 * caller passes allow_plain; ipc:// and inproc:// always. Every socket has a
 * maximum receive size (WIRE_MAX_MSG unless set) and every receive a
 * timeout.
 *
 * Authentication is at the application layer (docs/protocol.md):
 *
 *   client -> Hello      {version, federation, client id, key id,
 *                         X25519 ephemeral, nonce, time}
 *   server -> HelloReply {server id, key id, X25519 ephemeral, nonce,
 *                         session id, time, server signature}
 *   client -> Auth       {session id, client signature}
 *   server -> AuthReply  {session id, expires}
 *
 * Both signatures are by the parties' signing keys (keys/keys.h) over
 *
 *   "cxnode wire v1 server\n" || T      and   "cxnode wire v1 client\n" || T
 *
 * where T = SHA-256 of the serialized Hello || the HelloReply serialized
 * without its signature. The session key material is
 * HKDF-SHA-256(X25519 shared secret, salt = T, info = "cxnode wire v1 keys")
 * -> 64 bytes: client-to-server MAC key, server-to-client MAC key.
 * After the handshake every request is an Envelope {session, seq, body,
 * mac = HMAC-SHA-256(key of that direction, session u64be || seq u64be ||
 * body)}; seq starts at 1 and must strictly increase (replays and reorders
 * are refused); the response carries the request's seq. No public-key
 * operation is made per request on a live session.
 *
 * Freshness: a Hello whose time differs from the server's clock by more
 * than WIRE_MAX_SKEW seconds is refused; a handshake not completed in
 * WIRE_HANDSHAKE_TTL seconds is forgotten; a session lives WIRE_SESSION_TTL
 * seconds and is dropped after WIRE_IDLE_TTL idle seconds; the server holds
 * at most max_sessions (the least recently used is dropped first).
 *
 * Who is who: the server and the client both call the identity lookup
 * (a roster member's key valid now, or an authorised client key) for the
 * other party's id; the client also checks that the server is the id it
 * meant to reach, when it named one.
 *
 * All functions return 0 or a negative CX_E* code with the detail in
 * cx_lasterr(). The detail of a refusal names the reason, and the server
 * logs it through its log callback.
 */
#ifndef CX_WIRE_H
#define CX_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/keys.h"

#define WIRE_VERSION        1
#define WIRE_MAX_MSG        (64u << 20)  /* default largest message */
#define WIRE_MAX_SKEW       300          /* seconds */
#define WIRE_HANDSHAKE_TTL  30
#define WIRE_SESSION_TTL    3600
#define WIRE_IDLE_TTL       600
#define WIRE_TIMEOUT_MS     10000        /* default receive timeout */

/* Roles an authenticated party can have: a member, or an authorised client
 * (WIRE_CLIENT and above: the caller gives client roles their meaning). */
enum { WIRE_MEMBER = 1, WIRE_CLIENT = 2 };

/*
 * Identity lookup: the public key of party id with signed-note key id
 * key_id, valid at unix time now, and its role (during a key rotation a
 * party may hold two valid keys; the one it names is the one checked).
 * *pub is the caller's (keys_free). Returns 0; CX_ENOTFOUND (unknown id or
 * no such key); CX_EPERM (revoked, expired, not yet valid, retired: detail
 * says which). Called on the thread that handles the handshake.
 */
typedef int (*wire_lookup)(void *ctx, const char *id, uint32_t key_id, uint64_t now,
    keys_key **pub, int *role);

/* Log sink: level is an RFC 5424 severity (3 error, 4 warning, 6 info,
 * 7 debug); msg is one line without a newline. NULL: silent. */
typedef void (*wire_log)(void *ctx, int level, const char *msg);

/* TLS settings (PEM text, not file names). ca is the concatenation of the
 * certificates to trust (every roster member's self-signed certificate);
 * peers must present one of them (both directions). server_name, on a
 * client, is the name the server's certificate must carry (its member id).
 * Two cases for authorised clients, which have no certificate: a server
 * without ca (NULL) asks clients for none (its client listeners); a client
 * without cert and key presents none (it still checks the server's).
 * A NULL struct means no TLS (only where the URL rules allow it). */
struct wire_tls {
	const char *cert;
	const char *key;
	const char *ca;
	const char *server_name;
};

/* The party at the other end of an authenticated session. */
struct wire_peer {
	char id[256];
	int role;            /* WIRE_MEMBER, or WIRE_CLIENT and above */
	uint64_t session;
};

/*
 * Request handler (server): answer request body req[0..len) from peer with
 * a malloc'd response body in *resp / *resplen (the server frees it).
 * Returning non-zero sends a WireError with WERR_INTERNAL. Called on the
 * server's worker threads, concurrently.
 */
typedef int (*wire_handler)(void *ctx, const struct wire_peer *peer, const uint8_t *req,
    size_t len, uint8_t **resp, size_t *resplen);

struct wire_server_cfg {
	const char *federation;   /* federation name */
	const char *id;           /* this node's id */
	keys_key *key;            /* this node's private signing key (borrowed) */
	wire_lookup lookup;
	void *lookup_ctx;
	wire_handler handler;
	void *handler_ctx;
	wire_log log;
	void *log_ctx;
	size_t max_msg;           /* 0: WIRE_MAX_MSG */
	int workers;              /* concurrent requests; 0: 8 */
	int max_sessions;         /* 0: 1024 */
};

typedef struct wire_server wire_server;

/* Create a server (a REP socket and its workers, not yet listening).
 * c is copied; the pointers in it must outlive the server. */
int wire_server_open(wire_server **out, const struct wire_server_cfg *c);

/* Listen on url; tls may be NULL for ipc://, inproc:// and loopback
 * tcp://, or when allow_plain is set. Returns 0, CX_EINVAL (a URL the
 * rules refuse, with the reason), CX_EIO (nng's error in the detail). */
int wire_server_listen(wire_server *s, const char *url, const struct wire_tls *tls,
    int allow_plain);

/* The TCP port the server's most recent listener is bound to (useful
 * after listening on port 0, e.g. tcp://127.0.0.1:0). Returns 0, CX_EINVAL
 * (not listening), CX_EIO (not a TCP listener). */
int wire_server_port(wire_server *s, int *port);

/* Stop listening, wait for running handlers, free. NULL is a no-op. */
void wire_server_close(wire_server *s);

struct wire_client_cfg {
	const char *federation;
	const char *id;            /* this party's id */
	keys_key *key;             /* its private signing key (borrowed) */
	wire_lookup lookup;        /* to check the server's key */
	void *lookup_ctx;
	const char *expect_server; /* the server's id, or NULL: any known member */
	const struct wire_tls *tls;/* NULL: no TLS (URL rules apply) */
	int allow_plain;
	size_t max_msg;            /* 0: WIRE_MAX_MSG */
	int timeout_ms;            /* every receive; 0: WIRE_TIMEOUT_MS */
};

typedef struct wire_client wire_client;

/*
 * Dial url and run the handshake. On success *out is an authenticated
 * session; wire_client_peer gives the server's identity. Returns 0;
 * CX_EINVAL (URL refused); CX_EIO / CX_ETIMEOUT (unreachable, no answer);
 * CX_EREFUSED (refused by the server: the detail carries its WireError
 * message); CX_EPERM (the server is not who it should be, or its key is
 * not valid); CX_EBADSIG (its handshake signature fails).
 */
int wire_client_open(wire_client **out, const char *url, const struct wire_client_cfg *c);

/* The server's identity after a successful open. */
const struct wire_peer *wire_client_peer(const wire_client *c);

/*
 * Send request body req[0..len) and wait for the response body: *resp is
 * malloc'd (the caller frees it). When the server says the session is
 * gone (expired, evicted), the handshake is run again once and the request
 * resent. Returns 0; CX_ETIMEOUT; CX_EIO; CX_EREFUSED (a WireError from
 * the server: detail "server: <message>"); CX_EBADSIG (bad MAC on the answer);
 * CX_ETOOBIG.
 */
int wire_call(wire_client *c, const uint8_t *req, size_t len, uint8_t **resp, size_t *resplen);

void wire_client_close(wire_client *c);

/* ---- announcements ------------------------------------------------------ */

/* Announcements are hints, not trusted: a node PUBlishes each new signed
 * checkpoint note it holds; subscribers verify the note and then pull over
 * an authenticated session. */
typedef struct wire_pub wire_pub;
typedef struct wire_sub wire_sub;

int wire_pub_open(wire_pub **out, const char *url, const struct wire_tls *tls, int allow_plain);
/* Send msg[0..len) to every subscriber (never blocks; dropped for slow ones). */
int wire_pub_send(wire_pub *p, const void *msg, size_t len);
void wire_pub_close(wire_pub *p);
/* The TCP port the publisher is bound to (see wire_server_port). */
int wire_pub_port(wire_pub *p, int *port);

/* Called on the subscriber's thread for each message received. */
typedef void (*wire_sub_fn)(void *ctx, const void *msg, size_t len);

/* Subscribe to every URL in urls[0..n) (dialled in the background,
 * redialled when they drop); fn runs on one internal thread. */
int wire_sub_open(wire_sub **out, const char *const *urls, size_t n, const struct wire_tls *tls,
    int allow_plain, size_t max_msg, wire_sub_fn fn, void *ctx);
void wire_sub_close(wire_sub *s);

/* ---- helpers ------------------------------------------------------------ */

/* 0 if url may be used (rules above), else CX_EINVAL with the reason. */
int wire_url_check(const char *url, int tls, int allow_plain);

/*
 * Create a TLS identity for node id: an ECDSA P-256 key written to keypath
 * (0600, O_EXCL) and a self-signed X.509 certificate (CN = id, subjectAltName
 * DNS:id, valid ten years) written to certpath (0644, O_EXCL), both PEM.
 * Returns 0, CX_EEXIST, CX_EIO, CX_ECRYPTO.
 */
int wire_tls_generate(const char *certpath, const char *keypath, const char *id);

#endif
