/*
 * net_test.c — net/: handshake and sealed calls over ipc://, tcp:// and
 * tls+tcp://, every refusal the server makes (driven through the API and
 * through a raw REQ socket that speaks the protocol by hand), session
 * eviction and re-handshake, message limits, TLS trust and names, the URL
 * rules and PUB/SUB.
 *
 * Keys and certificates are generated at run time in a temporary
 * directory that is removed at the end. Every receive has a timeout;
 * servers listen on port 0 and report the port they were given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "keys/keys.h"
#include "net/wire.h"
#include "net/wire_internal.h"
#include "util/err.h"

#define FED "testfed"

static char tmpdir[256];

/* ---- identities ------------------------------------------------------------ */

struct ident {
	const char *id;
	int role;
	int revoked;
	keys_key *key;   /* key pair */
};

static struct ident idents[] = {
	{ "alpha", WIRE_MEMBER, 0, NULL },
	{ "beta", WIRE_MEMBER, 0, NULL },
	{ "carol", WIRE_CLIENT, 0, NULL },
	{ "rev", WIRE_CLIENT, 1, NULL },
};
static keys_key *eve;     /* a key nobody knows */
static keys_key *other;   /* another key, to sign with the wrong one */

enum { ALPHA, BETA, CAROL, REV };

static keys_key *
pubof(const keys_key *k)
{
	keys_key *p = NULL;
	char *v = NULL;

	assert_int_equal(keys_verifier(&v, k), 0);
	assert_int_equal(keys_from_verifier(&p, v), 0);
	free(v);
	return p;
}

static int
lookup(void *ctx, const char *id, uint32_t key_id, uint64_t now, keys_key **pub, int *role)
{
	size_t i;

	(void)ctx;
	(void)now;
	(void)key_id;   /* the server compares the key id itself */
	for (i = 0; i < sizeof(idents) / sizeof(idents[0]); i++) {
		if (strcmp(idents[i].id, id) != 0)
			continue;
		if (idents[i].revoked)
			return cx_seterr(CX_EPERM, "key of %s revoked", id);
		*pub = pubof(idents[i].key);
		*role = idents[i].role;
		return 0;
	}
	return cx_seterr(CX_ENOTFOUND, "no %s", id);
}

/* ---- server fixture -------------------------------------------------------- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char last_warning[1024];
static int warnings;
static struct wire_peer last_peer;

static void
log_sink(void *ctx, int level, const char *msg)
{
	(void)ctx;
	pthread_mutex_lock(&log_mu);
	if (level <= 4) {
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
		warnings++;
	}
	pthread_mutex_unlock(&log_mu);
}

static int
warned(const char *needle)
{
	int hit;

	pthread_mutex_lock(&log_mu);
	hit = strstr(last_warning, needle) != NULL;
	pthread_mutex_unlock(&log_mu);
	return hit;
}

/* Echo "echo:" || req; "fail" fails; "big" answers 64 KiB. */
static int
handler(void *ctx, const struct wire_peer *peer, const uint8_t *req, size_t len,
    uint8_t **resp, size_t *resplen)
{
	(void)ctx;
	pthread_mutex_lock(&log_mu);
	last_peer = *peer;
	pthread_mutex_unlock(&log_mu);
	if (len == 4 && memcmp(req, "fail", 4) == 0)
		return cx_seterr(CX_EIO, "asked to fail");
	if (len == 3 && memcmp(req, "big", 3) == 0) {
		*resplen = 65536;
		*resp = calloc(1, *resplen);
		return *resp ? 0 : CX_ENOMEM;
	}
	*resplen = 5 + len;
	if ((*resp = malloc(*resplen)) == NULL)
		return CX_ENOMEM;
	memcpy(*resp, "echo:", 5);
	if (len)
		memcpy(*resp + 5, req, len);
	return 0;
}

static wire_server *
server(const char *url, const struct wire_tls *tls, size_t max_msg, int max_sessions)
{
	struct wire_server_cfg c;
	wire_server *s = NULL;

	memset(&c, 0, sizeof(c));
	c.federation = FED;
	c.id = "alpha";
	c.key = idents[ALPHA].key;
	c.lookup = lookup;
	c.handler = handler;
	c.log = log_sink;
	c.max_msg = max_msg;
	c.workers = 4;
	c.max_sessions = max_sessions;
	assert_int_equal(wire_server_open(&s, &c), 0);
	if (wire_server_listen(s, url, tls, 0) != 0)
		fail_msg("listen %s: %s", url, cx_lasterr());
	return s;
}

static struct wire_client_cfg
ccfg(int who)
{
	struct wire_client_cfg c;

	memset(&c, 0, sizeof(c));
	c.federation = FED;
	c.id = idents[who].id;
	c.key = idents[who].key;
	c.lookup = lookup;
	c.timeout_ms = 2000;
	return c;
}

static char *
ipc(const char *name)
{
	static char buf[4][320];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "ipc://%s/%s", tmpdir, name);
	return buf[i];
}

static char *
tpath(const char *name)
{
	static char buf[4][320];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

/* Call c with text and check the echo. */
static void
call_ok(wire_client *c, const char *text)
{
	uint8_t *resp = NULL;
	size_t n = 0;
	int rc;

	rc = wire_call(c, (const uint8_t *)text, strlen(text), &resp, &n);
	if (rc != 0)
		fail_msg("wire_call: %s: %s", cx_strerror(rc), cx_lasterr());
	assert_int_equal(n, 5 + strlen(text));
	assert_memory_equal(resp, "echo:", 5);
	assert_memory_equal(resp + 5, text, strlen(text));
	free(resp);
}

/* ---- a raw client speaking the protocol by hand -------------------------- */

struct raw {
	nng_socket s;
	uint64_t session;
	uint8_t c2s[32], s2c[32];
};

static void
raw_open(struct raw *r, const char *url)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(nng_req0_open(&r->s), 0);
	assert_int_equal(nng_socket_set_ms(r->s, NNG_OPT_RECVTIMEO, 2000), 0);
	assert_int_equal(nng_socket_set_ms(r->s, NNG_OPT_SENDTIMEO, 2000), 0);
	assert_int_equal(nng_socket_set_ms(r->s, NNG_OPT_REQ_RESENDTIME, 3600000), 0);
	assert_int_equal(nng_dial(r->s, url, NULL, 0), 0);
}

/* Send buf, return the decoded answer (the caller frees it). */
static Cx__Frame *
raw_xchg(struct raw *r, const void *buf, size_t len)
{
	Cx__Frame *f;
	void *in = NULL;
	size_t n = 0;

	assert_int_equal(nng_send(r->s, (void *)buf, len, 0), 0);
	assert_int_equal(nng_recv(r->s, &in, &n, NNG_FLAG_ALLOC), 0);
	f = cx__frame__unpack(NULL, n, in);
	nng_free(in, n);
	assert_non_null(f);
	return f;
}

static Cx__Frame *
raw_frame(struct raw *r, const Cx__Frame *out)
{
	size_t n = cx__frame__get_packed_size(out);
	uint8_t *buf = malloc(n + 1);
	Cx__Frame *f;

	assert_non_null(buf);
	cx__frame__pack(out, buf);
	f = raw_xchg(r, buf, n);
	free(buf);
	return f;
}

/* The WireErrorCode of f, or -1 if it is not an error; frees f. */
static int
werr(Cx__Frame *f)
{
	int code = f->kind_case == CX__FRAME__KIND_ERROR ? (int)f->error->code : -1;

	cx__frame__free_unpacked(f, NULL);
	return code;
}

struct hs {
	const char *federation;
	int who;
	uint32_t version;
	int64_t skew;
	keys_key *sign;   /* NULL: who's key */
};

/* Run the handshake by hand; returns 0 or the server's WireErrorCode. */
static int
raw_handshake(struct raw *r, const struct hs *o)
{
	Cx__Frame hf = CX__FRAME__INIT, af = CX__FRAME__INIT, *f;
	Cx__Hello h = CX__HELLO__INIT;
	Cx__Auth a = CX__AUTH__INIT;
	EVP_PKEY *eph;
	uint8_t epub[32], nonce[32], t[32], in[64], sig[KEYS_SIG_MAX];
	size_t inlen, siglen;
	int code;

	assert_int_equal(wire_x25519_new(&eph, epub), 0);
	RAND_bytes(nonce, sizeof(nonce));
	h.version = o->version ? o->version : WIRE_VERSION;
	h.federation = (char *)(o->federation ? o->federation : FED);
	h.client = (char *)idents[o->who].id;
	h.key_id = keys_id(idents[o->who].key);
	h.ephemeral.data = epub;
	h.ephemeral.len = 32;
	h.nonce.data = nonce;
	h.nonce.len = 32;
	h.time = (uint64_t)((int64_t)time(NULL) + o->skew);
	hf.kind_case = CX__FRAME__KIND_HELLO;
	hf.hello = &h;
	f = raw_frame(r, &hf);
	if (f->kind_case != CX__FRAME__KIND_HELLO_REPLY) {
		EVP_PKEY_free(eph);
		return werr(f);
	}
	assert_int_equal(wire_transcript(t, &h, f->hello_reply), 0);
	inlen = wire_sig_input(in, 1, t);
	assert_int_equal(keys_verify(idents[ALPHA].key, in, inlen,
	    f->hello_reply->signature.data, f->hello_reply->signature.len), 0);
	assert_int_equal(wire_session_keys(r->c2s, r->s2c, eph, f->hello_reply->ephemeral.data,
	    t), 0);
	r->session = f->hello_reply->session;
	cx__frame__free_unpacked(f, NULL);
	EVP_PKEY_free(eph);
	inlen = wire_sig_input(in, 0, t);
	assert_int_equal(keys_sign(o->sign ? o->sign : idents[o->who].key, in, inlen, sig,
	    &siglen), 0);
	a.session = r->session;
	a.signature.data = sig;
	a.signature.len = siglen;
	af.kind_case = CX__FRAME__KIND_AUTH;
	af.auth = &a;
	f = raw_frame(r, &af);
	if (f->kind_case != CX__FRAME__KIND_AUTH_REPLY)
		return werr(f);
	assert_true(f->auth_reply->session == r->session);
	code = 0;
	cx__frame__free_unpacked(f, NULL);
	return code;
}

/* An Envelope for r (packed into *out, malloc'd). */
static size_t
raw_env(struct raw *r, uint8_t **out, uint64_t session, uint64_t seq, const char *body)
{
	Cx__Frame ef = CX__FRAME__INIT;
	Cx__Envelope e = CX__ENVELOPE__INIT;
	uint8_t mac[32];
	size_t n;

	assert_int_equal(wire_mac(mac, r->c2s, session, seq, (const uint8_t *)body,
	    strlen(body)), 0);
	e.session = session;
	e.seq = seq;
	e.body.data = (uint8_t *)body;
	e.body.len = strlen(body);
	e.mac.data = mac;
	e.mac.len = 32;
	ef.kind_case = CX__FRAME__KIND_ENVELOPE;
	ef.envelope = &e;
	n = cx__frame__get_packed_size(&ef);
	*out = malloc(n);
	assert_non_null(*out);
	cx__frame__pack(&ef, *out);
	return n;
}

/* Send an envelope; 0 if the answer is a good echo, else its error code. */
static int
raw_call(struct raw *r, const uint8_t *buf, size_t len, uint64_t seq)
{
	Cx__Frame *f = raw_xchg(r, buf, len);
	uint8_t mac[32];

	if (f->kind_case != CX__FRAME__KIND_ENVELOPE)
		return werr(f);
	assert_true(f->envelope->seq == seq);
	assert_int_equal(wire_mac(mac, r->s2c, f->envelope->session, f->envelope->seq,
	    f->envelope->body.data, f->envelope->body.len), 0);
	assert_memory_equal(mac, f->envelope->mac.data, 32);
	assert_memory_equal(f->envelope->body.data, "echo:", 5);
	cx__frame__free_unpacked(f, NULL);
	return 0;
}

/* ---- setup ---------------------------------------------------------------- */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");
	size_t i;

	snprintf(tmpdir, sizeof(tmpdir), "%s/net_test.XXXXXX", t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	for (i = 0; i < sizeof(idents) / sizeof(idents[0]); i++)
		if (keys_generate(&idents[i].key, KEYS_ED25519, idents[i].id) != 0)
			return -1;
	if (keys_generate(&eve, KEYS_ED25519, "eve") != 0 ||
	    keys_generate(&other, KEYS_ED25519, "beta") != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(idents) / sizeof(idents[0]); i++)
		keys_free(idents[i].key);
	keys_free(eve);
	keys_free(other);
	nng_fini();   /* nng's own threads, so that leak checkers see them go */
	return nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_url_rules(void **state)
{
	static const char *ok_plain[] = {
		"ipc://cxnode.ipc", "inproc://x", "tcp://127.0.0.1:7000", "tcp://127.1.2.3:7000",
		"tcp://[::1]:7000", "tcp://localhost:7000",
	};
	static const char *bad_plain[] = {
		"tcp://10.0.0.1:7000", "tcp://example.org:7000", "tcp://:7000", "tcp://*:7000",
		"tcp://127.0.0.1.evil.org:7000", "tcp://[::2]:7000", "tcp://localhost.evil:1",
		"tcp://127.0.0:7000", "ws://127.0.0.1:7000", "", "ipc://",
	};
	size_t i;

	for (i = 0; i < sizeof(ok_plain) / sizeof(ok_plain[0]); i++)
		if (wire_url_check(ok_plain[i], 0, 0) != 0)
			fail_msg("%s refused: %s", ok_plain[i], cx_lasterr());
	for (i = 0; i < sizeof(bad_plain) / sizeof(bad_plain[0]); i++)
		if (wire_url_check(bad_plain[i], 0, 0) != CX_EINVAL)
			fail_msg("%s accepted", bad_plain[i]);
	assert_int_equal(wire_url_check("tcp://10.0.0.1:7000", 0, 0), CX_EINVAL);
	assert_non_null(strstr(cx_lasterr(), "plain tcp is only allowed on loopback"));
	assert_int_equal(wire_url_check("tcp://10.0.0.1:7000", 0, 1), 0);
	assert_int_equal(wire_url_check("tls+tcp://10.0.0.1:7000", 1, 0), 0);
	assert_int_equal(wire_url_check("tls+tcp://10.0.0.1:7000", 0, 0), CX_EINVAL);
	assert_int_equal(wire_url_check("tls+tcp://10.0.0.1:7000", 0, 1), CX_EINVAL);
}

static void
test_call_member_client(void **state)
{
	struct wire_client_cfg c = ccfg(BETA);
	wire_server *s = server(ipc("a.ipc"), NULL, 0, 0);
	wire_client *b = NULL, *k = NULL;
	const struct wire_peer *p;
	uint8_t *resp = NULL;
	size_t n;
	int i;

	c.expect_server = "alpha";
	if (wire_client_open(&b, ipc("a.ipc"), &c) != 0)
		fail_msg("open: %s", cx_lasterr());
	p = wire_client_peer(b);
	assert_string_equal(p->id, "alpha");
	assert_int_equal(p->role, WIRE_MEMBER);
	assert_true(p->session != 0);
	for (i = 0; i < 5; i++)
		call_ok(b, "hello");
	assert_string_equal(last_peer.id, "beta");
	assert_int_equal(last_peer.role, WIRE_MEMBER);
	call_ok(b, "");

	c = ccfg(CAROL);
	assert_int_equal(wire_client_open(&k, ipc("a.ipc"), &c), 0);
	call_ok(k, "as a client");
	assert_string_equal(last_peer.id, "carol");
	assert_int_equal(last_peer.role, WIRE_CLIENT);

	/* a failing handler is an internal error, and the session goes on */
	assert_int_equal(wire_call(k, (const uint8_t *)"fail", 4, &resp, &n), CX_EREFUSED);
	assert_non_null(strstr(cx_lasterr(), "server: "));
	assert_int_equal(wire_client_werr(k), CX__WIRE_ERROR_CODE__WERR_INTERNAL);
	call_ok(k, "again");
	/* an answer above the limit is refused, not sent */
	wire_client_close(k);
	wire_server_close(s);
	s = server(ipc("a2.ipc"), NULL, 4096, 0);
	c = ccfg(CAROL);
	assert_int_equal(wire_client_open(&k, ipc("a2.ipc"), &c), 0);
	assert_int_equal(wire_call(k, (const uint8_t *)"big", 3, &resp, &n), CX_EREFUSED);
	assert_int_equal(wire_client_werr(k), CX__WIRE_ERROR_CODE__WERR_TOO_BIG);
	call_ok(k, "small");
	wire_client_close(k);
	wire_client_close(b);
	wire_server_close(s);
}

struct par {
	int who;
	int ok;
};

static void *
par_run(void *arg)
{
	struct par *p = arg;
	struct wire_client_cfg c = ccfg(p->who);
	wire_client *k = NULL;
	char msg[32];
	uint8_t *resp;
	size_t n;
	int i;

	if (wire_client_open(&k, ipc("p.ipc"), &c) != 0)
		return NULL;
	for (i = 0; i < 25; i++) {
		snprintf(msg, sizeof(msg), "%d-%d", p->who, i);
		if (wire_call(k, (const uint8_t *)msg, strlen(msg), &resp, &n) != 0)
			break;
		if (n == 5 + strlen(msg) && memcmp(resp + 5, msg, strlen(msg)) == 0)
			p->ok++;
		free(resp);
	}
	wire_client_close(k);
	return NULL;
}

static void
test_concurrent(void **state)
{
	wire_server *s = server(ipc("p.ipc"), NULL, 0, 0);
	struct par p[6];
	pthread_t th[6];
	int i;

	for (i = 0; i < 6; i++) {
		p[i].who = i % 2 ? BETA : CAROL;
		p[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, par_run, &p[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(p[i].ok, 25);
	}
	wire_server_close(s);
}

static void
test_refusals_api(void **state)
{
	wire_server *s = server(ipc("r.ipc"), NULL, 0, 0);
	struct wire_client_cfg c;
	wire_client *k = NULL;

	/* unknown client */
	c = ccfg(CAROL);
	c.id = "eve";
	c.key = eve;
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EREFUSED);
	assert_non_null(strstr(cx_lasterr(), "server: "));
	assert_non_null(strstr(cx_lasterr(), "neither a member"));
	assert_true(warned("\"eve\"") && warned("unknown key"));
	/* revoked key */
	c = ccfg(REV);
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EREFUSED);
	assert_non_null(strstr(cx_lasterr(), "revoked"));
	assert_true(warned("\"rev\"") && warned("key invalid"));
	/* a key id that is not the member's */
	c = ccfg(BETA);
	c.key = other;
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EREFUSED);
	assert_non_null(strstr(cx_lasterr(), "no valid key with key id"));
	/* another federation */
	c = ccfg(BETA);
	c.federation = "otherfed";
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EREFUSED);
	assert_non_null(strstr(cx_lasterr(), "federation"));
	assert_true(warned("federation"));
	/* not the server we meant */
	c = ccfg(BETA);
	c.expect_server = "beta";
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EPERM);
	assert_non_null(strstr(cx_lasterr(), "not \"beta\""));
	/* a server that is only a client, or that the client does not know */
	idents[ALPHA].role = WIRE_CLIENT;
	c = ccfg(CAROL);
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EPERM);
	idents[ALPHA].role = WIRE_MEMBER;
	idents[ALPHA].id = "alpha-renamed";
	c = ccfg(CAROL);
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), CX_EPERM);
	idents[ALPHA].id = "alpha";
	/* the server survives all that */
	c = ccfg(CAROL);
	assert_int_equal(wire_client_open(&k, ipc("r.ipc"), &c), 0);
	call_ok(k, "still here");
	wire_client_close(k);
	/* nothing listening */
	assert_int_equal(wire_client_open(&k, ipc("nobody.ipc"), &c), CX_EIO);
	wire_server_close(s);
}

static void
test_raw_handshake(void **state)
{
	wire_server *s = server(ipc("h.ipc"), NULL, 0, 0);
	struct hs o;
	struct raw r;
	Cx__Frame af = CX__FRAME__INIT;
	Cx__Auth a = CX__AUTH__INIT;
	uint8_t sig[8] = { 1 };

	raw_open(&r, ipc("h.ipc"));
	memset(&o, 0, sizeof(o));
	o.who = BETA;
	assert_int_equal(raw_handshake(&r, &o), 0);

	o.skew = -(WIRE_MAX_SKEW + 60);
	assert_int_equal(raw_handshake(&r, &o), CX__WIRE_ERROR_CODE__WERR_STALE);
	assert_true(warned("stale"));
	o.skew = WIRE_MAX_SKEW + 60;
	assert_int_equal(raw_handshake(&r, &o), CX__WIRE_ERROR_CODE__WERR_STALE);
	o.skew = 0;
	o.version = 2;
	assert_int_equal(raw_handshake(&r, &o), CX__WIRE_ERROR_CODE__WERR_VERSION);
	o.version = 0;
	o.federation = "elsewhere";
	assert_int_equal(raw_handshake(&r, &o), CX__WIRE_ERROR_CODE__WERR_FEDERATION);
	o.federation = NULL;
	o.who = REV;
	assert_int_equal(raw_handshake(&r, &o), CX__WIRE_ERROR_CODE__WERR_KEY_INVALID);
	o.who = BETA;
	o.sign = other;   /* Auth signed by a key that is not beta's */
	assert_int_equal(raw_handshake(&r, &o), CX__WIRE_ERROR_CODE__WERR_BAD_SIGNATURE);
	assert_true(warned("\"beta\"") && warned("bad signature"));
	/* the failed Auth used up that handshake: its session is gone */
	a.session = r.session;
	a.signature.data = sig;
	a.signature.len = sizeof(sig);
	af.kind_case = CX__FRAME__KIND_AUTH;
	af.auth = &a;
	assert_int_equal(werr(raw_frame(&r, &af)), CX__WIRE_ERROR_CODE__WERR_NO_SESSION);
	/* a second Auth for a live session is refused too */
	o.sign = NULL;
	assert_int_equal(raw_handshake(&r, &o), 0);
	a.session = r.session;
	assert_int_equal(werr(raw_frame(&r, &af)), CX__WIRE_ERROR_CODE__WERR_NO_SESSION);
	nng_close(r.s);
	wire_server_close(s);
}

static void
test_raw_envelopes(void **state)
{
	wire_server *s = server(ipc("e.ipc"), NULL, 0, 0);
	struct hs o;
	struct raw r;
	uint8_t *b1, *b2, *b3;
	size_t n1, n2, n3;

	raw_open(&r, ipc("e.ipc"));
	memset(&o, 0, sizeof(o));
	o.who = CAROL;
	assert_int_equal(raw_handshake(&r, &o), 0);

	n1 = raw_env(&r, &b1, r.session, 1, "one");
	assert_int_equal(raw_call(&r, b1, n1, 1), 0);
	/* the same envelope again: a replay */
	assert_int_equal(raw_call(&r, b1, n1, 1), CX__WIRE_ERROR_CODE__WERR_REPLAY);
	assert_true(warned("\"carol\"") && warned("replay"));
	/* a fresh MAC does not help an old seq */
	n2 = raw_env(&r, &b2, r.session, 1, "other");
	assert_int_equal(raw_call(&r, b2, n2, 1), CX__WIRE_ERROR_CODE__WERR_REPLAY);
	free(b2);
	/* seq may skip, never go back */
	n2 = raw_env(&r, &b2, r.session, 5, "five");
	assert_int_equal(raw_call(&r, b2, n2, 5), 0);
	free(b2);
	n2 = raw_env(&r, &b2, r.session, 4, "four");
	assert_int_equal(raw_call(&r, b2, n2, 4), CX__WIRE_ERROR_CODE__WERR_REPLAY);
	free(b2);
	/* a tampered body (the last byte before the mac field) or mac */
	n2 = raw_env(&r, &b2, r.session, 6, "tamper");
	b3 = malloc(n2);
	memcpy(b3, b2, n2);
	b3[n2 - 35] ^= 1;
	assert_int_equal(raw_call(&r, b3, n2, 6), CX__WIRE_ERROR_CODE__WERR_BAD_MAC);
	assert_true(warned("bad mac"));
	memcpy(b3, b2, n2);
	b3[n2 - 1] ^= 0x80;
	assert_int_equal(raw_call(&r, b3, n2, 6), CX__WIRE_ERROR_CODE__WERR_BAD_MAC);
	/* a refused MAC did not use up the seq */
	assert_int_equal(raw_call(&r, b2, n2, 6), 0);
	free(b2);
	free(b3);
	/* an unknown session */
	n3 = raw_env(&r, &b3, r.session ^ 1, 7, "who");
	assert_int_equal(raw_call(&r, b3, n3, 7), CX__WIRE_ERROR_CODE__WERR_NO_SESSION);
	free(b3);
	free(b1);
	nng_close(r.s);
	wire_server_close(s);
}

static void
test_malformed(void **state)
{
	wire_server *s = server(ipc("m.ipc"), NULL, 0, 0);
	struct wire_client_cfg c = ccfg(CAROL);
	wire_client *k = NULL;
	Cx__Frame f = CX__FRAME__INIT;
	Cx__Hello h = CX__HELLO__INIT;
	Cx__AuthReply ar = CX__AUTH_REPLY__INIT;
	struct raw r;
	uint8_t junk[300], key[31] = { 0 };
	int i;

	raw_open(&r, ipc("m.ipc"));
	assert_int_equal(werr(raw_xchg(&r, "", 0)), CX__WIRE_ERROR_CODE__WERR_MALFORMED);
	for (i = 0; i < 20; i++) {
		RAND_bytes(junk, sizeof(junk));
		junk[0] = 0xff;   /* never a valid first tag */
		assert_int_equal(werr(raw_xchg(&r, junk, (size_t)(i * 15))),
		    CX__WIRE_ERROR_CODE__WERR_MALFORMED);
	}
	/* a Hello with a short key */
	h.version = 1;
	h.federation = (char *)FED;
	h.client = (char *)"carol";
	h.ephemeral.data = key;
	h.ephemeral.len = sizeof(key);
	h.nonce.data = junk;
	h.nonce.len = 32;
	f.kind_case = CX__FRAME__KIND_HELLO;
	f.hello = &h;
	assert_int_equal(werr(raw_frame(&r, &f)), CX__WIRE_ERROR_CODE__WERR_MALFORMED);
	assert_true(warned("ephemeral key is 31 bytes"));
	/* an all-zero ephemeral key (a low-order point) */
	memset(junk, 0, 32);
	h.ephemeral.data = junk;
	h.ephemeral.len = 32;
	h.key_id = keys_id(idents[CAROL].key);
	h.time = (uint64_t)time(NULL);
	assert_int_equal(werr(raw_frame(&r, &f)), CX__WIRE_ERROR_CODE__WERR_MALFORMED);
	/* frames only a server sends */
	ar.session = 1;
	f.kind_case = CX__FRAME__KIND_AUTH_REPLY;
	f.auth_reply = &ar;
	assert_int_equal(werr(raw_frame(&r, &f)), CX__WIRE_ERROR_CODE__WERR_MALFORMED);
	nng_close(r.s);
	/* still serving */
	assert_int_equal(wire_client_open(&k, ipc("m.ipc"), &c), 0);
	call_ok(k, "fine");
	wire_client_close(k);
	wire_server_close(s);
}

static void
test_oversized(void **state)
{
	wire_server *s = server("tcp://127.0.0.1:0", NULL, 4096, 0);
	struct wire_client_cfg c = ccfg(CAROL);
	wire_client *k = NULL, *k2 = NULL;
	char url[64];
	uint8_t *big, *resp = NULL;
	size_t n;
	int port = 0, rc;

	assert_int_equal(wire_server_port(s, &port), 0);
	assert_true(port > 0);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	c.timeout_ms = 400;
	c.max_msg = 1 << 20;
	assert_int_equal(wire_client_open(&k, url, &c), 0);
	big = calloc(1, 100000);
	assert_non_null(big);
	rc = wire_call(k, big, 100000, &resp, &n);
	assert_true(rc == CX_ETIMEOUT || rc == CX_EREFUSED || rc == CX_EIO);
	/* larger than the client's own limit: refused before sending */
	c.max_msg = 50000;
	c.timeout_ms = 2000;
	assert_int_equal(wire_client_open(&k2, url, &c), 0);
	assert_int_equal(wire_call(k2, big, 100000, &resp, &n), CX_ETOOBIG);
	call_ok(k2, "the server is fine");
	free(big);
	wire_client_close(k);
	wire_client_close(k2);
	wire_server_close(s);
}

static void
test_eviction(void **state)
{
	wire_server *s = server(ipc("v.ipc"), NULL, 0, 2);
	struct wire_client_cfg c = ccfg(CAROL);
	wire_client *k[3] = { NULL, NULL, NULL };
	uint64_t first;
	struct raw r;
	Cx__Frame f = CX__FRAME__INIT;
	Cx__Hello h = CX__HELLO__INIT;
	uint8_t epub[32], nonce[32];
	EVP_PKEY *eph;
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(wire_client_open(&k[i], ipc("v.ipc"), &c), 0);
	/* k[0] was the least recently used of three: dropped */
	first = wire_client_peer(k[0])->session;
	call_ok(k[0], "re-handshake");
	assert_true(wire_client_peer(k[0])->session != first);
	assert_int_equal(wire_client_werr(k[0]), 0);
	call_ok(k[0], "and go on");
	/* a flood of Hellos that never Auth holds at most max_sessions */
	raw_open(&r, ipc("v.ipc"));
	assert_int_equal(wire_x25519_new(&eph, epub), 0);
	EVP_PKEY_free(eph);
	RAND_bytes(nonce, sizeof(nonce));
	h.version = 1;
	h.federation = (char *)FED;
	h.client = (char *)"carol";
	h.key_id = keys_id(idents[CAROL].key);
	h.ephemeral.data = epub;
	h.ephemeral.len = 32;
	h.nonce.data = nonce;
	h.nonce.len = 32;
	f.kind_case = CX__FRAME__KIND_HELLO;
	f.hello = &h;
	for (i = 0; i < 50; i++) {
		Cx__Frame *a;

		h.time = (uint64_t)time(NULL);
		a = raw_frame(&r, &f);
		assert_int_equal(a->kind_case, CX__FRAME__KIND_HELLO_REPLY);
		cx__frame__free_unpacked(a, NULL);
	}
	nng_close(r.s);
	/* the live sessions were not touched by it */
	call_ok(k[0], "after the flood");
	for (i = 0; i < 3; i++)
		wire_client_close(k[i]);
	wire_server_close(s);
}

/* ---- TLS ------------------------------------------------------------------- */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	return b;
}

struct pem {
	char *cert, *key;
};

static void
gen(struct pem *p, const char *id)
{
	char c[64], k[64];
	struct stat st;

	snprintf(c, sizeof(c), "%s.crt", id);
	snprintf(k, sizeof(k), "%s.key", id);
	if (wire_tls_generate(tpath(c), tpath(k), id) != 0)
		fail_msg("generate %s: %s", id, cx_lasterr());
	assert_int_equal(stat(tpath(k), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(tpath(c), &st), 0);
	assert_int_equal(st.st_mode & 0133, 0);
	p->cert = slurp(tpath(c));
	p->key = slurp(tpath(k));
}

static char *
cat2(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	assert_non_null(s);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

/*
 * A certificate for "alpha" (CN and DNS name) with a fresh key, issued and
 * signed by beta's TLS certificate and key: what a member would make to
 * pass for another one at the TLS layer.
 */
static void
forge(struct pem *out, const struct pem *issuer)
{
	EVP_PKEY *ik, *k = EVP_EC_gen("P-256");
	X509 *ic, *x = X509_new();
	X509_EXTENSION *e;
	X509V3_CTX ctx;
	BIO *b;
	char *p;
	long n;

	assert_non_null(k);
	assert_non_null(x);
	b = BIO_new_mem_buf(issuer->key, -1);
	ik = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(issuer->cert, -1);
	ic = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(ik);
	assert_non_null(ic);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"alpha", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(ic));
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, ic, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "DNS:alpha");
	assert_non_null(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	assert_true(X509_sign(x, ik, EVP_sha256()) > 0);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &p);
	out->cert = strndup(p, (size_t)n);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &p);
	out->key = strndup(p, (size_t)n);
	BIO_free(b);
	X509_free(x);
	X509_free(ic);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ik);
}

static void
test_tls(void **state)
{
	struct pem a, b, m, f;
	struct wire_tls st, ct;
	struct wire_client_cfg c = ccfg(BETA);
	wire_server *s;
	wire_client *k = NULL;
	char url[64], *ca, *ca_m;
	int port = 0, rc;

	gen(&a, "alpha");
	gen(&b, "beta");
	gen(&m, "mallory");
	assert_int_equal(wire_tls_generate(tpath("alpha.crt"), tpath("x.key"), "alpha"),
	    CX_EEXIST);
	assert_int_equal(access(tpath("x.key"), F_OK), -1);
	assert_int_equal(wire_tls_generate(tpath("y.crt"), tpath("alpha.key"), "alpha"),
	    CX_EEXIST);
	assert_int_equal(wire_tls_generate(tpath("z.crt"), tpath("z.key"), "no spaces"),
	    CX_EINVAL);
	ca = cat2(a.cert, b.cert);
	ca_m = cat2(a.cert, m.cert);

	st.cert = a.cert;
	st.key = a.key;
	st.ca = ca;
	st.server_name = NULL;
	/* tls+tcp needs TLS settings; a plain listen on a public address is refused */
	assert_int_equal(wire_url_check("tls+tcp://127.0.0.1:0", 0, 0), CX_EINVAL);
	s = server("tls+tcp://127.0.0.1:0", &st, 0, 0);
	assert_int_equal(wire_server_port(s, &port), 0);
	snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);

	/* beta: its certificate is trusted, and alpha's name is right */
	ct.cert = b.cert;
	ct.key = b.key;
	ct.ca = ca;
	ct.server_name = "alpha";
	c.tls = &ct;
	c.expect_server = "alpha";
	c.timeout_ms = 1000;
	if ((rc = wire_client_open(&k, url, &c)) != 0)
		fail_msg("TLS open: %s: %s", cx_strerror(rc), cx_lasterr());
	call_ok(k, "over TLS");
	wire_client_close(k);
	k = NULL;
	/* the name check ignores ASCII case; no name: any trusted certificate */
	ct.server_name = "ALPHA";
	assert_int_equal(wire_client_open(&k, url, &c), 0);
	wire_client_close(k);
	k = NULL;
	ct.server_name = NULL;
	assert_int_equal(wire_client_open(&k, url, &c), 0);
	wire_client_close(k);
	k = NULL;

	/* the wrong name */
	ct.server_name = "beta";
	rc = wire_client_open(&k, url, &c);
	assert_int_equal(rc, CX_EPERM);
	assert_null(k);
	/* mallory's certificate is not among the server's trusted ones */
	ct.cert = m.cert;
	ct.key = m.key;
	ct.ca = ca_m;
	ct.server_name = "alpha";
	rc = wire_client_open(&k, url, &c);
	assert_int_equal(rc, CX_EPERM);
	assert_null(k);
	/* a client that does not trust the server's certificate */
	ct.cert = b.cert;
	ct.key = b.key;
	ct.ca = b.cert;
	rc = wire_client_open(&k, url, &c);
	assert_int_equal(rc, CX_EPERM);
	assert_null(k);
	/* a certificate and key that do not match */
	ct.cert = b.cert;
	ct.key = m.key;
	ct.ca = ca;
	assert_int_not_equal(wire_client_open(&k, url, &c), 0);
	assert_null(k);
	/* no TLS settings at all */
	c.tls = NULL;
	assert_int_equal(wire_client_open(&k, url, &c), CX_EINVAL);
	/* the server is still fine */
	ct.key = b.key;
	c.tls = &ct;
	assert_int_equal(wire_client_open(&k, url, &c), 0);
	call_ok(k, "still");
	wire_client_close(k);
	k = NULL;
	wire_server_close(s);

	/* a server presenting an "alpha" certificate issued by beta's
	 * (trusted, but not a CA) is refused by mbedTLS */
	forge(&f, &b);
	st.cert = f.cert;
	st.key = f.key;
	s = server("tls+tcp://127.0.0.1:0", &st, 0, 0);
	assert_int_equal(wire_server_port(s, &port), 0);
	snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	ct.server_name = "alpha";
	assert_int_equal(wire_client_open(&k, url, &c), CX_EPERM);
	assert_null(k);
	wire_server_close(s);
	free(f.cert);
	free(f.key);
	free(ca);
	free(ca_m);
	free(a.cert);
	free(a.key);
	free(b.cert);
	free(b.key);
	free(m.cert);
	free(m.key);
}

/* ---- PUB/SUB ---------------------------------------------------------------- */

struct got {
	pthread_mutex_t mu;
	int n;
	char last[64];
};

static void
on_msg(void *ctx, const void *msg, size_t len)
{
	struct got *g = ctx;

	pthread_mutex_lock(&g->mu);
	g->n++;
	snprintf(g->last, sizeof(g->last), "%.*s", (int)len, (const char *)msg);
	pthread_mutex_unlock(&g->mu);
}

static void
test_pubsub(void **state)
{
	struct got g;
	wire_pub *p = NULL;
	wire_sub *s = NULL;
	const char *urls[2];
	char tcp[64];
	int i, n = 0, port = 0;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	memset(&g, 0, sizeof(g));
	pthread_mutex_init(&g.mu, NULL);
	assert_int_equal(wire_pub_open(&p, "tcp://127.0.0.1:0", NULL, 0), 0);
	assert_int_equal(wire_pub_port(p, &port), 0);
	snprintf(tcp, sizeof(tcp), "tcp://127.0.0.1:%d", port);
	urls[0] = tcp;
	urls[1] = ipc("nobody-publishes-here.ipc");   /* redialled in the background */
	assert_int_equal(wire_sub_open(&s, urls, 2, NULL, 0, 4096, on_msg, &g), 0);
	for (i = 0; i < 150 && n == 0; i++) {
		assert_int_equal(wire_pub_send(p, "checkpoint", 10), 0);
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&g.mu);
		n = g.n;
		pthread_mutex_unlock(&g.mu);
	}
	assert_true(n > 0);
	assert_string_equal(g.last, "checkpoint");
	wire_sub_close(s);
	wire_pub_close(p);
	urls[0] = "tcp://192.0.2.1:7000";
	assert_int_equal(wire_sub_open(&s, urls, 1, NULL, 0, 0, on_msg, &g), CX_EINVAL);
	assert_int_equal(wire_pub_open(&p, "tcp://0.0.0.0:0", NULL, 0), CX_EINVAL);
	pthread_mutex_destroy(&g.mu);
}

static void
test_frame_check(void **state)
{
	Cx__Frame f = CX__FRAME__INIT;
	Cx__Envelope e = CX__ENVELOPE__INIT;
	uint8_t mac[32] = { 0 }, buf[128];
	size_t n;

	assert_int_equal(wire_frame_check((const uint8_t *)"", 0), CX_EFORMAT);
	e.session = 1;
	e.seq = 1;
	e.mac.data = mac;
	e.mac.len = 32;
	f.kind_case = CX__FRAME__KIND_ENVELOPE;
	f.envelope = &e;
	n = cx__frame__pack(&f, buf);
	assert_int_equal(wire_frame_check(buf, n), 0);
	/* an unknown field (number 9, varint 1) appended to the frame */
	buf[n] = 9 << 3;
	buf[n + 1] = 1;
	assert_int_equal(wire_frame_check(buf, n + 2), CX_EFORMAT);
	e.seq = 0;
	n = cx__frame__pack(&f, buf);
	assert_int_equal(wire_frame_check(buf, n), CX_EFORMAT);
	e.seq = 1;
	e.mac.len = 31;
	n = cx__frame__pack(&f, buf);
	assert_int_equal(wire_frame_check(buf, n), CX_EFORMAT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_frame_check),
		cmocka_unit_test(test_call_member_client),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_refusals_api),
		cmocka_unit_test(test_raw_handshake),
		cmocka_unit_test(test_raw_envelopes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_pubsub),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
