/*
 * client.c — the REQ side: dial, handshake, sealed requests.
 *
 * Design
 *
 * One nng REQ socket per client, one request outstanding at a time (a
 * wire_client is not thread-safe; give each thread its own). Every receive
 * has the configured timeout; REQ's automatic resend is set far beyond it,
 * since a resent Envelope carries a seq the server has already seen and
 * would be refused as a replay.
 *
 *   open:  Hello -> HelloReply   check who the server is (expect_server,
 *                                lookup: a member whose key id matches),
 *                                verify its signature over T, derive keys
 *          Auth  -> AuthReply    session live
 *   call:  Envelope{session, ++seq, body, mac c2s} -> Envelope{same session,
 *          same seq, body, mac s2c}; a WireError "no session" runs the
 *          handshake once more and resends the request.
 *
 * The session is also renewed before a request when it is about to expire
 * or has been idle too long, so that the common case costs no round trip.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "net/wire.h"
#include "net/wire_internal.h"

#include "util/err.h"

struct wire_client {
	char *federation;
	char *id;
	char *expect;
	keys_key *key;
	wire_lookup lookup;
	void *lookup_ctx;
	size_t max_msg;
	int timeout_ms;
	nng_socket sock;
	int sock_open;
	struct wire_peer peer;
	uint8_t c2s[WIRE_KEY_LEN];
	uint8_t s2c[WIRE_KEY_LEN];
	uint64_t seq;
	uint64_t expires;   /* local clock */
	uint64_t used;
	int werr;           /* code of the last WireError received, 0 if none */
};

/* Send m (consumed) and receive one checked frame. */
static int
wire_exchange(wire_client *c, nng_msg *m, Cx__Frame **out)
{
	nng_msg *r = NULL;
	int rv, rc;

	*out = NULL;
	if (nng_msg_len(m) > c->max_msg) {
		rc = cx_seterr(CX_ETOOBIG, "a request of %zu bytes is larger than the %zu-byte "
		    "message limit", nng_msg_len(m), c->max_msg);
		nng_msg_free(m);
		return rc;
	}
	if ((rv = nng_sendmsg(c->sock, m, 0)) != 0) {
		nng_msg_free(m);
		return wire_nngerr(rv, "send");
	}
	if ((rv = nng_recvmsg(c->sock, &r, 0)) != 0)
		return wire_nngerr(rv, rv == NNG_ETIMEDOUT ? "no answer from the server" :
		    "receive");
	rc = wire_frame_decode(out, nng_msg_body(r), nng_msg_len(r));
	nng_msg_free(r);
	if (rc != 0)
		return cx_seterr(CX_EIO, "the server's answer is malformed: %s", cx_lasterr());
	return 0;
}

/* The detail of a WireError answer; returns CX_EREFUSED. */
static int
wire_refused(wire_client *c, const Cx__Frame *f)
{
	c->werr = (int)f->error->code;
	return cx_seterr(CX_EREFUSED, "server: %s", f->error->message);
}

static int
wire_unexpected(const Cx__Frame *f, const char *wanted)
{
	return cx_seterr(CX_EIO, "the server answered with a frame of kind %d, not %s",
	    (int)f->kind_case, wanted);
}

static int
wire_handshake(wire_client *c)
{
	Cx__Frame hf = CX__FRAME__INIT, af = CX__FRAME__INIT, *f = NULL;
	Cx__Hello h = CX__HELLO__INIT;
	Cx__Auth a = CX__AUTH__INIT;
	const Cx__HelloReply *r;
	EVP_PKEY *eph = NULL;
	keys_key *pub = NULL;
	uint8_t epub[WIRE_KEY_LEN], nonce[WIRE_KEY_LEN], t[32], in[64], sig[KEYS_SIG_MAX];
	uint64_t now = wire_now(), srvtime, life, session;
	size_t inlen, siglen;
	nng_msg *m;
	int role = 0, rc;

	c->peer.session = 0;
	c->werr = 0;
	if ((rc = wire_x25519_new(&eph, epub)) != 0)
		return rc;
	if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
		rc = cx_sslerr("nonce");
		goto out;
	}
	h.version = WIRE_VERSION;
	h.federation = c->federation;
	h.client = c->id;
	h.key_id = keys_id(c->key);
	h.ephemeral.data = epub;
	h.ephemeral.len = sizeof(epub);
	h.nonce.data = nonce;
	h.nonce.len = sizeof(nonce);
	h.time = now;
	hf.kind_case = CX__FRAME__KIND_HELLO;
	hf.hello = &h;
	if ((rc = wire_frame_msg(&m, &hf)) != 0 || (rc = wire_exchange(c, m, &f)) != 0)
		goto out;
	if (f->kind_case == CX__FRAME__KIND_ERROR) {
		rc = wire_refused(c, f);
		goto out;
	}
	if (f->kind_case != CX__FRAME__KIND_HELLO_REPLY) {
		rc = wire_unexpected(f, "a HelloReply");
		goto out;
	}
	r = f->hello_reply;
	if (c->expect != NULL && strcmp(r->server, c->expect) != 0) {
		rc = cx_seterr(CX_EPERM, "the server is \"%.64s\", not \"%.64s\"", r->server,
		    c->expect);
		goto out;
	}
	rc = c->lookup(c->lookup_ctx, r->server, r->key_id, now, &pub, &role);
	if (rc == CX_ENOTFOUND) {
		rc = cx_seterr(CX_EPERM, "the server \"%.64s\" is not a known member", r->server);
		goto out;
	}
	if (rc == CX_EPERM) {
		rc = cx_seterr(CX_EPERM, "the key of the server \"%.64s\" is not valid: %.300s",
		    r->server, cx_lasterr());
		goto out;
	}
	if (rc != 0)
		goto out;
	if (pub == NULL || role != WIRE_MEMBER) {
		rc = cx_seterr(CX_EPERM, "\"%.64s\" is not a member, so cannot be a server",
		    r->server);
		goto out;
	}
	if (keys_id(pub) != r->key_id) {
		rc = cx_seterr(CX_EPERM, "the server \"%.64s\" signs with key id %08" PRIx32
		    ", which is not its valid key", r->server, r->key_id);
		goto out;
	}
	if ((rc = wire_transcript(t, &h, r)) != 0)
		goto out;
	inlen = wire_sig_input(in, 1, t);
	if (keys_verify(pub, in, inlen, r->signature.data, r->signature.len) != 0) {
		rc = cx_seterr(CX_EBADSIG, "the handshake signature of the server \"%.64s\" "
		    "does not verify", r->server);
		goto out;
	}
	if ((rc = wire_session_keys(c->c2s, c->s2c, eph, r->ephemeral.data, t)) != 0)
		goto out;
	session = r->session;
	srvtime = r->time;
	snprintf(c->peer.id, sizeof(c->peer.id), "%s", r->server);
	c->peer.role = WIRE_MEMBER;

	inlen = wire_sig_input(in, 0, t);
	if ((rc = keys_sign(c->key, in, inlen, sig, &siglen)) != 0)
		goto out;
	a.session = session;
	a.signature.data = sig;
	a.signature.len = siglen;
	af.kind_case = CX__FRAME__KIND_AUTH;
	af.auth = &a;
	cx__frame__free_unpacked(f, NULL);
	f = NULL;
	if ((rc = wire_frame_msg(&m, &af)) != 0 || (rc = wire_exchange(c, m, &f)) != 0)
		goto out;
	if (f->kind_case == CX__FRAME__KIND_ERROR) {
		rc = wire_refused(c, f);
		goto out;
	}
	if (f->kind_case != CX__FRAME__KIND_AUTH_REPLY || f->auth_reply->session != session) {
		rc = wire_unexpected(f, "an AuthReply for this session");
		goto out;
	}
	/* how long the session lives by the server's clock, moved to ours */
	life = f->auth_reply->expires > srvtime ? f->auth_reply->expires - srvtime : 0;
	if (life > WIRE_SESSION_TTL)
		life = WIRE_SESSION_TTL;
	c->expires = now + life;
	c->used = now;
	c->seq = 0;
	c->peer.session = session;
	rc = 0;
out:
	if (rc != 0) {
		OPENSSL_cleanse(c->c2s, sizeof(c->c2s));
		OPENSSL_cleanse(c->s2c, sizeof(c->s2c));
	}
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(in, sizeof(in));
	if (f != NULL)
		cx__frame__free_unpacked(f, NULL);
	keys_free(pub);
	EVP_PKEY_free(eph);
	return rc;
}

int
wire_client_open(wire_client **out, const char *url, const struct wire_client_cfg *cfg)
{
	nng_tls_config *tc = NULL;
	nng_dialer d;
	wire_client *c;
	nng_duration resend;
	int rv, rc;

	*out = NULL;
	if (cfg == NULL || cfg->federation == NULL || cfg->id == NULL || cfg->key == NULL ||
	    cfg->lookup == NULL)
		return cx_seterr(CX_EINVAL, "a client needs a federation, an id, a key and an "
		    "identity lookup");
	if (!keys_has_private(cfg->key))
		return cx_seterr(CX_EINVAL, "the client's key cannot sign");
	if ((rc = wire_url_check(url, cfg->tls != NULL, cfg->allow_plain)) != 0)
		return rc;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return cx_seterr(CX_ENOMEM, "client");
	c->key = cfg->key;
	c->lookup = cfg->lookup;
	c->lookup_ctx = cfg->lookup_ctx;
	c->max_msg = cfg->max_msg ? cfg->max_msg : WIRE_MAX_MSG;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : WIRE_TIMEOUT_MS;
	if ((c->federation = strdup(cfg->federation)) == NULL ||
	    (c->id = strdup(cfg->id)) == NULL ||
	    (cfg->expect_server != NULL && (c->expect = strdup(cfg->expect_server)) == NULL)) {
		rc = cx_seterr(CX_ENOMEM, "client");
		goto fail;
	}
	if ((rv = nng_req0_open(&c->sock)) != 0) {
		rc = wire_nngerr(rv, "REQ socket");
		goto fail;
	}
	c->sock_open = 1;
	/* never resend on its own: a resent Envelope would be a replay */
	resend = c->timeout_ms > 3600000 ? c->timeout_ms : 3600000;
	if ((rv = nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, c->max_msg)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, c->timeout_ms)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, c->timeout_ms)) != 0 ||
	    (rv = nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, resend)) != 0) {
		rc = wire_nngerr(rv, "REQ socket");
		goto fail;
	}
	if ((rv = nng_dialer_create(&d, c->sock, url)) != 0) {
		rc = wire_nngerr(rv, url);
		goto fail;
	}
	if (wire_url_is_tls(url)) {
		if ((rc = wire_tls_config(&tc, cfg->tls, 1)) != 0)
			goto fail;
		rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, tc);
		nng_tls_config_free(tc);   /* the dialer holds its own reference */
		if (rv != 0) {
			rc = wire_nngerr(rv, url);
			goto fail;
		}
	}
	if ((rv = nng_dialer_set_size(d, NNG_OPT_RECVMAXSZ, c->max_msg)) != 0) {
		rc = wire_nngerr(rv, url);
		goto fail;
	}
	/* synchronous: a refused connection or TLS failure is reported now;
	 * afterwards the dialer reconnects in the background */
	if ((rv = nng_dialer_start(d, 0)) != 0) {
		rc = wire_nngerr(rv, url);
		goto fail;
	}
	if ((rc = wire_handshake(c)) != 0)
		goto fail;
	*out = c;
	return 0;
fail:
	wire_client_close(c);
	return rc;
}

const struct wire_peer *
wire_client_peer(const wire_client *c)
{
	return c != NULL ? &c->peer : NULL;
}

int
wire_call(wire_client *c, const uint8_t *req, size_t len, uint8_t **resp, size_t *resplen)
{
	Cx__Frame ef = CX__FRAME__INIT, *f = NULL;
	Cx__Envelope env = CX__ENVELOPE__INIT;
	const Cx__Envelope *in;
	uint8_t mac[WIRE_KEY_LEN];
	uint64_t now = wire_now(), seq;
	nng_msg *m;
	int attempt, rc;

	*resp = NULL;
	*resplen = 0;
	if (c == NULL)
		return cx_seterr(CX_EINVAL, "no client");
	if (len > c->max_msg)
		return cx_seterr(CX_ETOOBIG, "a request of %zu bytes is larger than the %zu-byte "
		    "message limit", len, c->max_msg);
	if (c->peer.session == 0 || now + 30 >= c->expires || now >= c->used + WIRE_IDLE_TTL - 30)
		if ((rc = wire_handshake(c)) != 0)
			return rc;
	for (attempt = 0;; attempt++) {
		seq = ++c->seq;
		if ((rc = wire_mac(mac, c->c2s, c->peer.session, seq, req, len)) != 0)
			return rc;
		env.session = c->peer.session;
		env.seq = seq;
		env.body.data = (uint8_t *)req;
		env.body.len = len;
		env.mac.data = mac;
		env.mac.len = sizeof(mac);
		ef.kind_case = CX__FRAME__KIND_ENVELOPE;
		ef.envelope = &env;
		if ((rc = wire_frame_msg(&m, &ef)) != 0 || (rc = wire_exchange(c, m, &f)) != 0)
			return rc;
		if (f->kind_case == CX__FRAME__KIND_ERROR && attempt == 0 &&
		    f->error->code == CX__WIRE_ERROR_CODE__WERR_NO_SESSION) {
			cx__frame__free_unpacked(f, NULL);
			f = NULL;
			if ((rc = wire_handshake(c)) != 0)
				return rc;
			continue;
		}
		break;
	}
	if (f->kind_case == CX__FRAME__KIND_ERROR) {
		rc = wire_refused(c, f);
		goto out;
	}
	if (f->kind_case != CX__FRAME__KIND_ENVELOPE) {
		rc = wire_unexpected(f, "an Envelope");
		goto out;
	}
	in = f->envelope;
	if (in->session != c->peer.session || in->seq != seq) {
		rc = cx_seterr(CX_EBADSIG, "the answer is for session %016" PRIx64 " seq %" PRIu64
		    ", not %016" PRIx64 " seq %" PRIu64, in->session, in->seq, c->peer.session,
		    seq);
		goto out;
	}
	if ((rc = wire_mac(mac, c->s2c, in->session, in->seq, in->body.data,
	    in->body.len)) != 0)
		goto out;
	if (CRYPTO_memcmp(mac, in->mac.data, sizeof(mac)) != 0) {
		rc = cx_seterr(CX_EBADSIG, "the MAC of the server's answer does not verify");
		goto out;
	}
	if ((*resp = malloc(in->body.len ? in->body.len : 1)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "answer of %zu bytes", in->body.len);
		goto out;
	}
	if (in->body.len)
		memcpy(*resp, in->body.data, in->body.len);
	*resplen = in->body.len;
	c->used = now;
	rc = 0;
out:
	cx__frame__free_unpacked(f, NULL);
	return rc;
}

int
wire_client_werr(const wire_client *c)
{
	return c != NULL ? c->werr : 0;
}

void
wire_client_close(wire_client *c)
{
	if (c == NULL)
		return;
	if (c->sock_open)
		nng_close(c->sock);
	free(c->federation);
	free(c->id);
	free(c->expect);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}
