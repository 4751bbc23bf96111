/*
 * server.c — the REP side: workers, the handshake, sessions, envelopes.
 *
 * Design
 *
 * One nng REP socket; each of cfg.workers threads owns one nng_ctx and one
 * nng_aio and runs the small loop RECV -> HANDLE -> SEND on it, so that
 * that many requests are answered at once. The handlers run on our threads,
 * not on nng's task queue, because they may block (store reads, signing).
 *
 * Every message is decoded and checked (wire_frame_decode) and then is one
 * of: a Hello (check version, federation, clock, the client's identity;
 * answer a signed HelloReply and remember a pending handshake), an Auth
 * (verify the client's signature over the transcript; the handshake becomes
 * a live session) or an Envelope (find the live session, check the MAC,
 * then the sequence number, call the handler, answer an Envelope with the
 * same seq MAC'd the other way). Anything else, and every refusal, is
 * answered with Frame{error} and logged at warning level.
 *
 * Sessions: two LRU lists under one mutex — pending handshakes (at most
 * max_sessions, each forgotten after WIRE_HANDSHAKE_TTL) and live sessions
 * (at most max_sessions, each dropped WIRE_SESSION_TTL after its Auth or
 * WIRE_IDLE_TTL after its last request) — and a hash table over both by
 * session id. When a list is full its least recently used entry is dropped,
 * so a flood of Hellos costs a bounded amount of memory and only pushes out
 * other pending handshakes. The lock is never held across a public-key
 * operation, a MAC over a body or a handler call; the seq check and update
 * happen under it, after the MAC has been checked.
 *
 *   entry:  id | live | peer id, role | client key (pending) | T |
 *           c2s, s2c | created, used, last seq | LRU links | hash link
 *
 * Key material (session keys, transcripts) is wiped when an entry is freed
 * and copies on the stack are wiped after use.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "net/wire.h"
#include "net/wire_internal.h"

#include "util/err.h"

struct wire_sess {
	uint64_t id;
	int live;
	int role;
	char peer[WIRE_ID_MAX + 1];
	keys_key *pub;              /* pending: the client's key, for its Auth */
	uint8_t t[32];              /* transcript hash */
	uint8_t c2s[WIRE_KEY_LEN];
	uint8_t s2c[WIRE_KEY_LEN];
	uint64_t created;           /* Hello (pending) or Auth (live) time */
	uint64_t used;
	uint64_t last_seq;
	struct wire_sess *prev, *next;   /* LRU: head most recently used */
	struct wire_sess *hnext;
};

struct wire_lru {
	struct wire_sess *head, *tail;
	int n, max;
};

struct wire_worker {
	wire_server *s;
	nng_ctx ctx;
	nng_aio *aio;
	pthread_t th;
	int started;
	int ctx_open;
};

struct wire_server {
	struct wire_server_cfg cfg;
	nng_socket sock;
	int sock_open;
	atomic_int stopping;
	struct wire_worker *w;
	int nw;
	pthread_mutex_t mu;
	struct wire_sess **hash;
	uint64_t hmask;
	struct wire_lru pending, live;
	nng_listener last;
	int have_listener;
};

/* ---- logging and refusals -------------------------------------------------- */

static void
wire_srv_log(wire_server *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
wire_srv_log(wire_server *s, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (s->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_ctx, level, buf);
}

/* Log a refusal and build the Frame{error} that answers it (NULL if out of
 * memory: the request then goes unanswered and the client times out). */
static nng_msg *
wire_refuse(wire_server *s, const char *peer, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static nng_msg *
wire_refuse(wire_server *s, const char *peer, int code, const char *fmt, ...)
{
	char buf[WIRE_MSG_MAX];
	nng_msg *m = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wire_srv_log(s, 4, "refused %s%s%s: %s: %s", peer ? "\"" : "", peer ? peer :
	    "an unauthenticated peer", peer ? "\"" : "", wire_werr_name(code), buf);
	(void)wire_error_msg(&m, code, buf);
	return m;
}

/* ---- the session table (callers hold s->mu) ---------------------------------- */

static struct wire_sess *
wire_sess_find(wire_server *s, uint64_t id)
{
	struct wire_sess *e;

	for (e = s->hash[id & s->hmask]; e != NULL; e = e->hnext)
		if (e->id == id)
			return e;
	return NULL;
}

static void
wire_lru_unlink(struct wire_lru *l, struct wire_sess *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

static void
wire_lru_push(struct wire_lru *l, struct wire_sess *e)
{
	e->prev = NULL;
	e->next = l->head;
	if (l->head != NULL)
		l->head->prev = e;
	else
		l->tail = e;
	l->head = e;
	l->n++;
}

static void
wire_sess_free(struct wire_sess *e)
{
	if (e == NULL)
		return;
	keys_free(e->pub);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

/* Take e out of its list and of the hash table (the caller frees it). */
static void
wire_sess_remove(wire_server *s, struct wire_sess *e)
{
	struct wire_sess **pp;

	for (pp = &s->hash[e->id & s->hmask]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	e->hnext = NULL;
	wire_lru_unlink(e->live ? &s->live : &s->pending, e);
}

static void
wire_sess_insert(wire_server *s, struct wire_sess *e)
{
	uint64_t b = e->id & s->hmask;

	e->hnext = s->hash[b];
	s->hash[b] = e;
	wire_lru_push(e->live ? &s->live : &s->pending, e);
}

static int
wire_sess_expired(const struct wire_sess *e, uint64_t now)
{
	if (!e->live)
		return now >= e->created + WIRE_HANDSHAKE_TTL;
	return now >= e->created + WIRE_SESSION_TTL || now >= e->used + WIRE_IDLE_TTL;
}

/* Make room in e's list: drop the expired entries at its tail, then the
 * least recently used ones while it is full. */
static void
wire_sess_room(wire_server *s, int live, uint64_t now)
{
	struct wire_lru *l = live ? &s->live : &s->pending;
	struct wire_sess *e;

	while ((e = l->tail) != NULL && (l->n >= l->max || wire_sess_expired(e, now))) {
		if (live && !wire_sess_expired(e, now))
			wire_srv_log(s, 6, "session %016" PRIx64 " of \"%s\" dropped to make room "
			    "(%d sessions at most)", e->id, e->peer, l->max);
		wire_sess_remove(s, e);
		wire_sess_free(e);
	}
}

/* A random session id, non-zero and unused. */
static int
wire_sess_newid(wire_server *s, uint64_t *id)
{
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (RAND_bytes((unsigned char *)id, sizeof(*id)) != 1)
			return cx_sslerr("random session id");
		if (*id != 0 && wire_sess_find(s, *id) == NULL)
			return 0;
	}
	return cx_seterr(CX_ECRYPTO, "no unused session id");
}

/* ---- the three requests ----------------------------------------------------- */

static nng_msg *
wire_on_hello(wire_server *s, const Cx__Hello *h)
{
	Cx__Frame f = CX__FRAME__INIT;
	Cx__HelloReply r = CX__HELLO_REPLY__INIT;
	struct wire_sess *e = NULL;
	EVP_PKEY *eph = NULL;
	keys_key *pub = NULL;
	uint8_t epub[WIRE_KEY_LEN], nonce[WIRE_KEY_LEN], sig[KEYS_SIG_MAX], in[64];
	uint64_t now = wire_now();
	size_t siglen, inlen;
	nng_msg *m = NULL;
	int role = 0, rc;

	if (h->version != WIRE_VERSION)
		return wire_refuse(s, NULL, CX__WIRE_ERROR_CODE__WERR_VERSION, "protocol version %"
		    PRIu32 " is not supported (this server speaks %d)", h->version, WIRE_VERSION);
	if (strcmp(h->federation, s->cfg.federation) != 0)
		return wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_FEDERATION,
		    "this server is in federation \"%s\", not \"%s\"", s->cfg.federation,
		    h->federation);
	if (h->time > now + WIRE_MAX_SKEW || h->time + WIRE_MAX_SKEW < now)
		return wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_STALE,
		    "the client's clock (%" PRIu64 ") is more than %d seconds from the server's "
		    "(%" PRIu64 ")", h->time, WIRE_MAX_SKEW, now);
	rc = s->cfg.lookup(s->cfg.lookup_ctx, h->client, h->key_id, now, &pub, &role);
	if (rc == CX_ENOTFOUND)
		return wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_UNKNOWN_KEY,
		    "\"%s\" is neither a member of the federation nor an authorised client",
		    h->client);
	if (rc == CX_EPERM)
		return wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_KEY_INVALID,
		    "the key of \"%s\" is not valid now: %s", h->client, cx_lasterr());
	if (rc != 0 || pub == NULL || (role != WIRE_MEMBER && role < WIRE_CLIENT)) {
		keys_free(pub);
		wire_srv_log(s, 3, "identity lookup of \"%s\" failed: %s", h->client,
		    rc != 0 ? cx_lasterr() : "no key or no role");
		return wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not look the client up");
	}
	if (keys_id(pub) != h->key_id) {
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_UNKNOWN_KEY,
		    "\"%s\" has no valid key with key id %08" PRIx32, h->client, h->key_id);
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_BUSY,
		    "the server cannot hold another handshake now; try later");
		goto out;
	}
	pthread_mutex_lock(&s->mu);
	rc = wire_sess_newid(s, &e->id);
	pthread_mutex_unlock(&s->mu);
	if (rc != 0 || wire_x25519_new(&eph, epub) != 0 ||
	    RAND_bytes(nonce, sizeof(nonce)) != 1) {
		wire_srv_log(s, 3, "handshake with \"%s\": %s", h->client, cx_lasterr());
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not start a handshake");
		goto out;
	}
	r.server = (char *)s->cfg.id;
	r.key_id = keys_id(s->cfg.key);
	r.ephemeral.data = epub;
	r.ephemeral.len = sizeof(epub);
	r.nonce.data = nonce;
	r.nonce.len = sizeof(nonce);
	r.session = e->id;
	r.time = now;
	if (wire_transcript(e->t, h, &r) != 0) {
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not start a handshake");
		goto out;
	}
	rc = wire_session_keys(e->c2s, e->s2c, eph, h->ephemeral.data, e->t);
	if (rc == CX_EINVAL) {
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_MALFORMED,
		    "the ephemeral key is a low-order point");
		goto out;
	}
	inlen = wire_sig_input(in, 1, e->t);
	if (rc != 0 || keys_sign(s->cfg.key, in, inlen, sig, &siglen) != 0) {
		wire_srv_log(s, 3, "handshake with \"%s\": %s", h->client, cx_lasterr());
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not sign the handshake");
		goto out;
	}
	r.signature.data = sig;
	r.signature.len = siglen;
	f.kind_case = CX__FRAME__KIND_HELLO_REPLY;
	f.hello_reply = &r;
	if (wire_frame_msg(&m, &f) != 0)
		goto out;
	snprintf(e->peer, sizeof(e->peer), "%s", h->client);
	e->role = role;
	e->pub = pub;
	pub = NULL;
	e->created = e->used = now;
	pthread_mutex_lock(&s->mu);
	if (wire_sess_find(s, e->id) != NULL) {
		/* two Hellos drew the same 64-bit id at once */
		pthread_mutex_unlock(&s->mu);
		nng_msg_free(m);
		m = wire_refuse(s, h->client, CX__WIRE_ERROR_CODE__WERR_BUSY,
		    "session id collision; try again");
		goto out;
	}
	wire_sess_room(s, 0, now);
	wire_sess_insert(s, e);
	e = NULL;
	pthread_mutex_unlock(&s->mu);
out:
	OPENSSL_cleanse(in, sizeof(in));
	wire_sess_free(e);
	EVP_PKEY_free(eph);
	keys_free(pub);
	return m;
}

static nng_msg *
wire_on_auth(wire_server *s, const Cx__Auth *a)
{
	Cx__Frame f = CX__FRAME__INIT;
	Cx__AuthReply r = CX__AUTH_REPLY__INIT;
	struct wire_sess *e;
	uint8_t in[64];
	uint64_t now = wire_now();
	size_t inlen;
	nng_msg *m = NULL;

	pthread_mutex_lock(&s->mu);
	if ((e = wire_sess_find(s, a->session)) == NULL || e->live) {
		pthread_mutex_unlock(&s->mu);
		return wire_refuse(s, NULL, CX__WIRE_ERROR_CODE__WERR_NO_SESSION,
		    "no handshake in progress for session %016" PRIx64 "; send a Hello",
		    a->session);
	}
	/* out of the table while its signature is checked: one Auth per Hello */
	wire_sess_remove(s, e);
	pthread_mutex_unlock(&s->mu);
	if (wire_sess_expired(e, now)) {
		m = wire_refuse(s, e->peer, CX__WIRE_ERROR_CODE__WERR_STALE,
		    "the handshake was not completed within %d seconds", WIRE_HANDSHAKE_TTL);
		goto out;
	}
	inlen = wire_sig_input(in, 0, e->t);
	if (keys_verify(e->pub, in, inlen, a->signature.data, a->signature.len) != 0) {
		m = wire_refuse(s, e->peer, CX__WIRE_ERROR_CODE__WERR_BAD_SIGNATURE,
		    "the client's handshake signature does not verify with the key of \"%s\"",
		    e->peer);
		goto out;
	}
	keys_free(e->pub);
	e->pub = NULL;
	e->live = 1;
	e->created = e->used = now;
	e->last_seq = 0;
	r.session = e->id;
	r.expires = now + WIRE_SESSION_TTL;
	f.kind_case = CX__FRAME__KIND_AUTH_REPLY;
	f.auth_reply = &r;
	if (wire_frame_msg(&m, &f) != 0)
		goto out;
	wire_srv_log(s, 6, "session %016" PRIx64 ": \"%s\" authenticated as a %s", e->id,
	    e->peer, e->role == WIRE_MEMBER ? "member" : "client");
	pthread_mutex_lock(&s->mu);
	wire_sess_room(s, 1, now);
	wire_sess_insert(s, e);
	e = NULL;
	pthread_mutex_unlock(&s->mu);
out:
	OPENSSL_cleanse(in, sizeof(in));
	wire_sess_free(e);
	return m;
}

static nng_msg *
wire_on_envelope(wire_server *s, const Cx__Envelope *env)
{
	Cx__Frame f = CX__FRAME__INIT;
	Cx__Envelope out = CX__ENVELOPE__INIT;
	struct wire_sess *e;
	struct wire_peer peer;
	uint8_t c2s[WIRE_KEY_LEN], s2c[WIRE_KEY_LEN], mac[WIRE_KEY_LEN];
	uint8_t *resp = NULL;
	uint64_t now = wire_now();
	size_t resplen = 0;
	nng_msg *m = NULL;
	int rc;

	memset(&peer, 0, sizeof(peer));
	pthread_mutex_lock(&s->mu);
	if ((e = wire_sess_find(s, env->session)) == NULL || !e->live) {
		pthread_mutex_unlock(&s->mu);
		return wire_refuse(s, NULL, CX__WIRE_ERROR_CODE__WERR_NO_SESSION,
		    "no session %016" PRIx64 " (expired or dropped): handshake again",
		    env->session);
	}
	if (wire_sess_expired(e, now)) {
		snprintf(peer.id, sizeof(peer.id), "%s", e->peer);
		wire_sess_remove(s, e);
		wire_sess_free(e);
		pthread_mutex_unlock(&s->mu);
		return wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_NO_SESSION,
		    "session %016" PRIx64 " has expired: handshake again", env->session);
	}
	memcpy(c2s, e->c2s, sizeof(c2s));
	memcpy(s2c, e->s2c, sizeof(s2c));
	snprintf(peer.id, sizeof(peer.id), "%s", e->peer);
	peer.role = e->role;
	peer.session = e->id;
	pthread_mutex_unlock(&s->mu);

	if (wire_mac(mac, c2s, env->session, env->seq, env->body.data, env->body.len) != 0) {
		wire_srv_log(s, 3, "%s", cx_lasterr());
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not check the request");
		goto out;
	}
	if (CRYPTO_memcmp(mac, env->mac.data, sizeof(mac)) != 0) {
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_BAD_MAC,
		    "the request's MAC does not verify (seq %" PRIu64 ")", env->seq);
		goto out;
	}
	pthread_mutex_lock(&s->mu);
	if ((e = wire_sess_find(s, env->session)) == NULL || !e->live) {
		pthread_mutex_unlock(&s->mu);
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_NO_SESSION,
		    "session %016" PRIx64 " was dropped: handshake again", env->session);
		goto out;
	}
	if (env->seq <= e->last_seq) {
		uint64_t last = e->last_seq;

		pthread_mutex_unlock(&s->mu);
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_REPLAY,
		    "sequence number %" PRIu64 " is not above the last one seen (%" PRIu64 ")",
		    env->seq, last);
		goto out;
	}
	e->last_seq = env->seq;
	e->used = now;
	wire_lru_unlink(&s->live, e);
	wire_lru_push(&s->live, e);
	pthread_mutex_unlock(&s->mu);

	rc = s->cfg.handler(s->cfg.handler_ctx, &peer, env->body.data, env->body.len, &resp,
	    &resplen);
	if (rc != 0) {
		wire_srv_log(s, 3, "request from \"%s\" failed: %s", peer.id, cx_lasterr());
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not answer the request");
		goto out;
	}
	if (wire_mac(mac, s2c, env->session, env->seq, resp, resplen) != 0) {
		wire_srv_log(s, 3, "%s", cx_lasterr());
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_INTERNAL,
		    "the server could not seal the answer");
		goto out;
	}
	out.session = env->session;
	out.seq = env->seq;
	out.body.data = resp;
	out.body.len = resplen;
	out.mac.data = mac;
	out.mac.len = sizeof(mac);
	f.kind_case = CX__FRAME__KIND_ENVELOPE;
	f.envelope = &out;
	if (cx__frame__get_packed_size(&f) > s->cfg.max_msg) {
		m = wire_refuse(s, peer.id, CX__WIRE_ERROR_CODE__WERR_TOO_BIG,
		    "the answer (%zu bytes) is larger than the %zu-byte message limit",
		    resplen, s->cfg.max_msg);
		goto out;
	}
	(void)wire_frame_msg(&m, &f);
out:
	free(resp);
	OPENSSL_cleanse(c2s, sizeof(c2s));
	OPENSSL_cleanse(s2c, sizeof(s2c));
	return m;
}

/* The answer to one request message (NULL: none). */
static nng_msg *
wire_serve(wire_server *s, const uint8_t *buf, size_t len)
{
	Cx__Frame *f;
	nng_msg *m;

	if (wire_frame_decode(&f, buf, len) != 0)
		return wire_refuse(s, NULL, CX__WIRE_ERROR_CODE__WERR_MALFORMED, "%s",
		    cx_lasterr());
	switch (f->kind_case) {
	case CX__FRAME__KIND_HELLO:
		m = wire_on_hello(s, f->hello);
		break;
	case CX__FRAME__KIND_AUTH:
		m = wire_on_auth(s, f->auth);
		break;
	case CX__FRAME__KIND_ENVELOPE:
		m = wire_on_envelope(s, f->envelope);
		break;
	default:
		m = wire_refuse(s, NULL, CX__WIRE_ERROR_CODE__WERR_MALFORMED,
		    "a server takes Hello, Auth and Envelope frames only");
		break;
	}
	cx__frame__free_unpacked(f, NULL);
	return m;
}

/* ---- workers ---------------------------------------------------------------- */

static void *
wire_worker_run(void *arg)
{
	struct wire_worker *w = arg;
	nng_msg *req, *rep;
	int rv;

	while (!atomic_load(&w->s->stopping)) {
		nng_ctx_recv(w->ctx, w->aio);
		nng_aio_wait(w->aio);
		if ((rv = nng_aio_result(w->aio)) != 0) {
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED || rv == NNG_ESTATE)
				break;
			continue;
		}
		req = nng_aio_get_msg(w->aio);
		rep = wire_serve(w->s, nng_msg_body(req), nng_msg_len(req));
		nng_msg_free(req);
		if (rep == NULL)
			continue;
		nng_aio_set_msg(w->aio, rep);
		nng_ctx_send(w->ctx, w->aio);
		nng_aio_wait(w->aio);
		if ((rv = nng_aio_result(w->aio)) != 0) {
			nng_msg_free(rep);
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
				break;
		}
	}
	return NULL;
}

int
wire_server_open(wire_server **out, const struct wire_server_cfg *c)
{
	wire_server *s;
	uint64_t nb;
	int i, rv, rc;

	*out = NULL;
	if (c == NULL || c->federation == NULL || c->id == NULL || c->key == NULL ||
	    c->lookup == NULL || c->handler == NULL)
		return cx_seterr(CX_EINVAL, "a server needs a federation, an id, a key, an "
		    "identity lookup and a handler");
	if (!keys_has_private(c->key))
		return cx_seterr(CX_EINVAL, "the server's key cannot sign");
	if (c->workers < 0 || c->workers > 1024 || c->max_sessions < 0)
		return cx_seterr(CX_EINVAL, "workers must be 0 to 1024, max_sessions >= 0");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return cx_seterr(CX_ENOMEM, "server");
	s->cfg = *c;
	if (s->cfg.max_msg == 0)
		s->cfg.max_msg = WIRE_MAX_MSG;
	if (s->cfg.workers == 0)
		s->cfg.workers = 8;
	if (s->cfg.max_sessions == 0)
		s->cfg.max_sessions = 1024;
	s->live.max = s->pending.max = s->cfg.max_sessions;
	for (nb = 16; nb < 2 * (uint64_t)s->cfg.max_sessions && nb < (1u << 20); nb <<= 1)
		;
	s->hmask = nb - 1;
	pthread_mutex_init(&s->mu, NULL);
	if ((s->hash = calloc(nb, sizeof(*s->hash))) == NULL ||
	    (s->w = calloc((size_t)s->cfg.workers, sizeof(*s->w))) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "server");
		goto fail;
	}
	if ((rv = nng_rep0_open(&s->sock)) != 0) {
		rc = wire_nngerr(rv, "REP socket");
		goto fail;
	}
	s->sock_open = 1;
	if ((rv = nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, s->cfg.max_msg)) != 0) {
		rc = wire_nngerr(rv, "REP socket");
		goto fail;
	}
	for (i = 0; i < s->cfg.workers; i++) {
		struct wire_worker *w = &s->w[i];

		w->s = s;
		if ((rv = nng_aio_alloc(&w->aio, NULL, NULL)) != 0 ||
		    (rv = nng_ctx_open(&w->ctx, s->sock)) != 0) {
			rc = wire_nngerr(rv, "REP context");
			goto fail;
		}
		w->ctx_open = 1;
		s->nw = i + 1;
		if (pthread_create(&w->th, NULL, wire_worker_run, w) != 0) {
			rc = cx_seterr(CX_EIO, "cannot start a worker thread");
			goto fail;
		}
		w->started = 1;
	}
	*out = s;
	return 0;
fail:
	wire_server_close(s);
	return rc;
}

int
wire_server_listen(wire_server *s, const char *url, const struct wire_tls *tls,
    int allow_plain)
{
	nng_tls_config *cfg = NULL;
	nng_listener l;
	int rv, rc;

	if (s == NULL)
		return cx_seterr(CX_EINVAL, "no server");
	if ((rc = wire_url_check(url, tls != NULL, allow_plain)) != 0)
		return rc;
	if ((rv = nng_listener_create(&l, s->sock, url)) != 0)
		return wire_nngerr(rv, url);
	if (wire_url_is_tls(url)) {
		if ((rc = wire_tls_config(&cfg, tls, 0)) != 0)
			goto fail;
		rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg);   /* the listener holds its own reference */
		if (rv != 0) {
			rc = wire_nngerr(rv, url);
			goto fail;
		}
	}
	if ((rv = nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, s->cfg.max_msg)) != 0 ||
	    (rv = nng_listener_start(l, 0)) != 0) {
		rc = wire_nngerr(rv, url);
		goto fail;
	}
	s->last = l;
	s->have_listener = 1;
	return 0;
fail:
	nng_listener_close(l);
	return rc;
}

int
wire_server_port(wire_server *s, int *port)
{
	int rv;

	if (s == NULL || !s->have_listener)
		return cx_seterr(CX_EINVAL, "the server is not listening");
	if ((rv = nng_listener_get_int(s->last, NNG_OPT_TCP_BOUND_PORT, port)) != 0)
		return wire_nngerr(rv, "bound port");
	return 0;
}

void
wire_server_close(wire_server *s)
{
	struct wire_sess *e;
	int i;

	if (s == NULL)
		return;
	/*
	 * Stop the workers before closing anything: nng_aio_stop() aborts the
	 * operation in progress and makes every later one on that aio fail, so
	 * each worker leaves its loop after finishing the request in hand. (With
	 * nng 1.5.2, closing the socket while a worker is between two context
	 * operations can crash inside nng_ctx_send.)
	 */
	atomic_store(&s->stopping, 1);
	for (i = 0; s->w != NULL && i < s->nw; i++)
		nng_aio_stop(s->w[i].aio);
	for (i = 0; s->w != NULL && i < s->nw; i++) {
		if (s->w[i].started)
			pthread_join(s->w[i].th, NULL);
		if (s->w[i].ctx_open)
			nng_ctx_close(s->w[i].ctx);
	}
	if (s->sock_open)
		nng_close(s->sock);
	for (i = 0; s->w != NULL && i < s->nw; i++)
		nng_aio_free(s->w[i].aio);
	free(s->w);
	if (s->hash != NULL) {
		while ((e = s->pending.head) != NULL) {
			wire_sess_remove(s, e);
			wire_sess_free(e);
		}
		while ((e = s->live.head) != NULL) {
			wire_sess_remove(s, e);
			wire_sess_free(e);
		}
	}
	free(s->hash);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
