/*
 * wire.c — what the server, the client and the announcements share: the
 * URL rules, Frame decoding and checking, the handshake's cryptography
 * (transcript, X25519, HKDF, HMAC), TLS configurations and the TLS
 * identity generator.
 *
 * Design
 *
 * Every nng message is one protobuf Frame. Nothing is looked at before
 * wire_frame_decode() has checked the kind and every field of it: fixed
 * lengths (32-byte keys, nonces and MACs), non-zero session ids and
 * sequence numbers, names that are valid signed-note names, signatures no
 * longer than KEYS_SIG_MAX, and no unknown fields in the frame or its
 * message. The last rule makes the canonical protobuf encoding of a
 * handshake message unambiguous, which is what the transcript hashes:
 *
 *   T = SHA-256( pack(Hello) || pack(HelloReply with signature empty) )
 *
 *   signed by the server:  "cxnode wire v1 server\n" || T    (22 + 32 bytes)
 *   signed by the client:  "cxnode wire v1 client\n" || T
 *
 *   c2s || s2c = HKDF-SHA-256(ikm  = X25519(ephemeral, peer's ephemeral),
 *                             salt = T, info = "cxnode wire v1 keys", 64)
 *
 *   Envelope mac = HMAC-SHA-256(c2s or s2c,
 *                     +--------------+--------------+-----------------+
 *                     | session u64be| seq u64be    | body ...        |
 *                     +--------------+--------------+-----------------+)
 *
 * TLS (tls+tcp://) is nng's, over mbedTLS: between members both ends present
 * a certificate and must find the other's among the trusted PEM certificates
 * (the roster's self-signed member certificates; a client listener asks
 * authorised clients for none, struct wire_tls); the client also checks the
 * server's name when given one. What mbedTLS 2.28 accepts here (checked by
 * tests/net_test.c): a self-signed certificate that is itself in the CA
 * list is trusted as it is ("locally trusted end entity"), so the
 * certificates wire_tls_generate() makes are not CAs (basicConstraints
 * CA:FALSE) and no member can issue certificates for another name; the name
 * check matches server_name against the subjectAltName DNS entries (or the
 * CN when there are none), ignoring ASCII case.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/wire.h"
#include "net/wire_internal.h"

#include "util/err.h"

/* ---- URL rules ----------------------------------------------------------- */

int
wire_url_is_tls(const char *url)
{
	return url != NULL && (strncmp(url, "tls+tcp://", 10) == 0 ||
	    strncmp(url, "tls+tcp4://", 11) == 0 || strncmp(url, "tls+tcp6://", 11) == 0);
}

/* 1 if the host of a tcp URL (hp: after "://", up to the last ':') is a
 * loopback address: 127.x.x.x (four decimal octets), [::1] or localhost. */
static int
wire_url_loopback(const char *hp)
{
	const char *colon = strrchr(hp, ':'), *p;
	int parts = 0, digits = 0, val = 0;

	if (colon == NULL)
		return 0;
	if (strncmp(hp, "[::1]:", 6) == 0 && colon == hp + 5)
		return 1;
	if (colon - hp == 9 && strncmp(hp, "localhost", 9) == 0)
		return 1;
	if (strncmp(hp, "127.", 4) != 0)
		return 0;
	for (p = hp; p <= colon; p++) {
		if (p == colon || *p == '.') {
			if (digits == 0 || val > 255)
				return 0;
			parts++;
			digits = val = 0;
		} else if (*p >= '0' && *p <= '9' && digits < 3) {
			val = val * 10 + (*p - '0');
			digits++;
		} else
			return 0;
	}
	return parts == 4;
}

int
wire_url_check(const char *url, int tls, int allow_plain)
{
	const char *hp;

	if (url == NULL || url[0] == '\0')
		return cx_seterr(CX_EINVAL, "empty URL");
	if (wire_url_is_tls(url)) {
		if (!tls)
			return cx_seterr(CX_EINVAL, "%.200s: tls+tcp:// needs TLS settings (a "
			    "certificate, its key and the trusted certificates)", url);
		return 0;
	}
	if (strncmp(url, "ipc://", 6) == 0 || strncmp(url, "inproc://", 9) == 0) {
		hp = strstr(url, "://") + 3;
		return *hp != '\0' ? 0 : cx_seterr(CX_EINVAL, "%.200s: no address", url);
	}
	if (strncmp(url, "tcp://", 6) == 0 || strncmp(url, "tcp4://", 7) == 0 ||
	    strncmp(url, "tcp6://", 7) == 0) {
		hp = strstr(url, "://") + 3;
		if (allow_plain || wire_url_loopback(hp))
			return 0;
		return cx_seterr(CX_EINVAL, "%.200s: plain tcp is only allowed on loopback; "
		    "use tls+tcp:// or set allow_plain", url);
	}
	return cx_seterr(CX_EINVAL, "%.200s: unsupported transport (use tls+tcp://, tcp:// "
	    "on loopback, ipc:// or inproc://)", url);
}

/* ---- errors --------------------------------------------------------------- */

int
wire_nngerr(int rv, const char *what)
{
	switch (rv) {
	case NNG_ETIMEDOUT:
		return cx_seterr(CX_ETIMEOUT, "%s: %s", what, nng_strerror(rv));
	case NNG_ENOMEM:
		return cx_seterr(CX_ENOMEM, "%s: %s", what, nng_strerror(rv));
	case NNG_EMSGSIZE:
		return cx_seterr(CX_ETOOBIG, "%s: %s", what, nng_strerror(rv));
	case NNG_EINVAL:
	case NNG_EADDRINVAL:
		return cx_seterr(CX_EINVAL, "%s: %s", what, nng_strerror(rv));
	case NNG_EPEERAUTH:
	case NNG_ECRYPTO:
		return cx_seterr(CX_EPERM, "%s: %s (TLS: is the certificate among the "
		    "trusted ones, and the name right?)", what, nng_strerror(rv));
	default:
		return cx_seterr(CX_EIO, "%s: %s", what, nng_strerror(rv));
	}
}

const char *
wire_werr_name(int code)
{
	static const char *const names[] = {
		"unspecified", "malformed", "version", "federation", "unknown key",
		"key invalid", "bad signature", "stale", "no session", "replay", "bad mac",
		"forbidden", "not found", "too big", "busy", "internal",
	};

	return code >= 0 && code < (int)(sizeof(names) / sizeof(names[0])) ? names[code] :
	    "unknown code";
}

uint64_t
wire_now(void)
{
	time_t t = time(NULL);

	return t < 0 ? 0 : (uint64_t)t;
}

/* ---- frames --------------------------------------------------------------- */

static int
wire_check_name(const char *what, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !keys_name_valid(s, n))
		return cx_seterr(CX_EFORMAT, "%s is not a valid name", what);
	return 0;
}

static int
wire_check_len(const char *what, const ProtobufCBinaryData *b, size_t min, size_t max)
{
	if (b->len < min || b->len > max) {
		if (min == max)
			return cx_seterr(CX_EFORMAT, "%s is %zu bytes, not %zu", what, b->len, min);
		return cx_seterr(CX_EFORMAT, "%s is %zu bytes, not %zu to %zu", what, b->len,
		    min, max);
	}
	return 0;
}

static int
wire_check_msg(const Cx__Frame *f)
{
	const ProtobufCMessage *m = NULL;
	int rc;

	switch (f->kind_case) {
	case CX__FRAME__KIND_HELLO: {
		const Cx__Hello *h = f->hello;

		m = &h->base;
		if ((rc = wire_check_name("federation", h->federation, WIRE_FED_MAX)) != 0 ||
		    (rc = wire_check_name("client id", h->client, WIRE_ID_MAX)) != 0 ||
		    (rc = wire_check_len("ephemeral key", &h->ephemeral, WIRE_KEY_LEN,
		    WIRE_KEY_LEN)) != 0 ||
		    (rc = wire_check_len("nonce", &h->nonce, WIRE_KEY_LEN, WIRE_KEY_LEN)) != 0)
			return rc;
		break;
	}
	case CX__FRAME__KIND_HELLO_REPLY: {
		const Cx__HelloReply *r = f->hello_reply;

		m = &r->base;
		if ((rc = wire_check_name("server id", r->server, WIRE_ID_MAX)) != 0 ||
		    (rc = wire_check_len("ephemeral key", &r->ephemeral, WIRE_KEY_LEN,
		    WIRE_KEY_LEN)) != 0 ||
		    (rc = wire_check_len("nonce", &r->nonce, WIRE_KEY_LEN, WIRE_KEY_LEN)) != 0 ||
		    (rc = wire_check_len("signature", &r->signature, 1, KEYS_SIG_MAX)) != 0)
			return rc;
		if (r->session == 0)
			return cx_seterr(CX_EFORMAT, "session id 0");
		break;
	}
	case CX__FRAME__KIND_AUTH:
		m = &f->auth->base;
		if (f->auth->session == 0)
			return cx_seterr(CX_EFORMAT, "session id 0");
		if ((rc = wire_check_len("signature", &f->auth->signature, 1, KEYS_SIG_MAX)) != 0)
			return rc;
		break;
	case CX__FRAME__KIND_AUTH_REPLY:
		m = &f->auth_reply->base;
		if (f->auth_reply->session == 0)
			return cx_seterr(CX_EFORMAT, "session id 0");
		break;
	case CX__FRAME__KIND_ENVELOPE:
		m = &f->envelope->base;
		if (f->envelope->session == 0)
			return cx_seterr(CX_EFORMAT, "session id 0");
		if (f->envelope->seq == 0)
			return cx_seterr(CX_EFORMAT, "sequence number 0");
		if ((rc = wire_check_len("mac", &f->envelope->mac, WIRE_KEY_LEN,
		    WIRE_KEY_LEN)) != 0)
			return rc;
		break;
	case CX__FRAME__KIND_ERROR:
		m = &f->error->base;
		if (strlen(f->error->message) > WIRE_MSG_MAX)
			return cx_seterr(CX_EFORMAT, "error message longer than %d bytes",
			    WIRE_MSG_MAX);
		break;
	default:
		return cx_seterr(CX_EFORMAT, "a frame of no known kind");
	}
	if (m->n_unknown_fields != 0)
		return cx_seterr(CX_EFORMAT, "unknown fields in the frame");
	return 0;
}

int
wire_frame_decode(Cx__Frame **out, const uint8_t *buf, size_t len)
{
	Cx__Frame *f;
	int rc;

	*out = NULL;
	if ((f = cx__frame__unpack(NULL, len, buf)) == NULL)
		return cx_seterr(CX_EFORMAT, "not a Frame (%zu bytes)", len);
	if (f->base.n_unknown_fields != 0)
		rc = cx_seterr(CX_EFORMAT, "unknown fields in the frame");
	else
		rc = wire_check_msg(f);
	if (rc != 0) {
		cx__frame__free_unpacked(f, NULL);
		return rc;
	}
	*out = f;
	return 0;
}

int
wire_frame_check(const uint8_t *buf, size_t len)
{
	Cx__Frame *f;
	int rc;

	if ((rc = wire_frame_decode(&f, buf, len)) == 0)
		cx__frame__free_unpacked(f, NULL);
	return rc;
}

int
wire_frame_msg(nng_msg **out, const Cx__Frame *f)
{
	size_t n = cx__frame__get_packed_size(f);

	*out = NULL;
	if (nng_msg_alloc(out, n) != 0)
		return cx_seterr(CX_ENOMEM, "message of %zu bytes", n);
	cx__frame__pack(f, nng_msg_body(*out));
	return 0;
}

int
wire_error_msg(nng_msg **out, int code, const char *message)
{
	Cx__Frame f = CX__FRAME__INIT;
	Cx__WireError e = CX__WIRE_ERROR__INIT;
	char buf[WIRE_MSG_MAX + 1];

	snprintf(buf, sizeof(buf), "%s", message);
	e.code = (uint32_t)code;
	e.message = buf;
	f.kind_case = CX__FRAME__KIND_ERROR;
	f.error = &e;
	return wire_frame_msg(out, &f);
}

/* ---- handshake cryptography ---------------------------------------------- */

int
wire_transcript(uint8_t t[32], const Cx__Hello *h, const Cx__HelloReply *r)
{
	Cx__HelloReply bare = *r;
	size_t hl, rl;
	uint8_t *buf;

	bare.signature.len = 0;
	bare.signature.data = NULL;
	hl = cx__hello__get_packed_size(h);
	rl = cx__hello_reply__get_packed_size(&bare);
	if ((buf = malloc(hl + rl)) == NULL)
		return cx_seterr(CX_ENOMEM, "transcript");
	cx__hello__pack(h, buf);
	cx__hello_reply__pack(&bare, buf + hl);
	SHA256(buf, hl + rl, t);
	free(buf);
	return 0;
}

size_t
wire_sig_input(uint8_t *buf, int server, const uint8_t t[32])
{
	const char *ctx = server ? WIRE_CTX_SERVER : WIRE_CTX_CLIENT;
	size_t n = strlen(ctx);

	memcpy(buf, ctx, n);
	memcpy(buf + n, t, 32);
	return n + 32;
}

int
wire_x25519_new(EVP_PKEY **out, uint8_t pub[WIRE_KEY_LEN])
{
	size_t n = WIRE_KEY_LEN;

	if ((*out = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
		return cx_sslerr("X25519 key generation");
	if (EVP_PKEY_get_raw_public_key(*out, pub, &n) != 1 || n != WIRE_KEY_LEN) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return cx_sslerr("X25519 public key");
	}
	return 0;
}

int
wire_session_keys(uint8_t c2s[WIRE_KEY_LEN], uint8_t s2c[WIRE_KEY_LEN], EVP_PKEY *mine,
    const uint8_t peer[WIRE_KEY_LEN], const uint8_t t[32])
{
	EVP_PKEY *pp = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kc = NULL;
	OSSL_PARAM params[5];
	uint8_t shared[WIRE_KEY_LEN], okm[2 * WIRE_KEY_LEN];
	size_t n = sizeof(shared);
	int rc;

	pp = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, WIRE_KEY_LEN);
	if (pp == NULL) {
		rc = cx_sslerr("X25519 peer key");
		goto out;
	}
	if ((pc = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL)) == NULL ||
	    EVP_PKEY_derive_init(pc) != 1 || EVP_PKEY_derive_set_peer(pc, pp) != 1) {
		rc = cx_sslerr("X25519");
		goto out;
	}
	if (EVP_PKEY_derive(pc, shared, &n) != 1 || n != sizeof(shared)) {
		/* OpenSSL refuses an all-zero result: the peer sent a low-order point */
		ERR_clear_error();
		rc = cx_seterr(CX_EINVAL, "X25519: the peer's ephemeral key is not usable");
		goto out;
	}
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kc = EVP_KDF_CTX_new(kdf)) == NULL) {
		rc = cx_sslerr("HKDF");
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, shared, sizeof(shared));
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)t, 32);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)WIRE_HKDF_INFO, strlen(WIRE_HKDF_INFO));
	params[4] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kc, okm, sizeof(okm), params) != 1) {
		rc = cx_sslerr("HKDF");
		goto out;
	}
	memcpy(c2s, okm, WIRE_KEY_LEN);
	memcpy(s2c, okm + WIRE_KEY_LEN, WIRE_KEY_LEN);
	rc = 0;
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(okm, sizeof(okm));
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(pp);
	return rc;
}

static EVP_MAC *wire_hmac;
static pthread_once_t wire_hmac_once = PTHREAD_ONCE_INIT;

static void
wire_hmac_init(void)
{
	wire_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

int
wire_mac(uint8_t mac[WIRE_KEY_LEN], const uint8_t key[WIRE_KEY_LEN], uint64_t session,
    uint64_t seq, const uint8_t *body, size_t len)
{
	EVP_MAC_CTX *c;
	OSSL_PARAM params[2];
	uint8_t hdr[16];
	size_t n = 0;
	int i, ok;

	pthread_once(&wire_hmac_once, wire_hmac_init);
	if (wire_hmac == NULL || (c = EVP_MAC_CTX_new(wire_hmac)) == NULL)
		return cx_sslerr("HMAC");
	for (i = 0; i < 8; i++) {
		hdr[i] = (uint8_t)(session >> (56 - 8 * i));
		hdr[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(c, key, WIRE_KEY_LEN, params) == 1 &&
	    EVP_MAC_update(c, hdr, sizeof(hdr)) == 1 &&
	    (len == 0 || EVP_MAC_update(c, body, len) == 1) &&
	    EVP_MAC_final(c, mac, &n, WIRE_KEY_LEN) == 1 && n == WIRE_KEY_LEN;
	EVP_MAC_CTX_free(c);
	return ok ? 0 : cx_sslerr("HMAC");
}

/* ---- TLS ------------------------------------------------------------------ */

int
wire_tls_config(nng_tls_config **out, const struct wire_tls *t, int client)
{
	nng_tls_config *cfg = NULL;
	int rv;

	*out = NULL;
	if (t == NULL || (client && t->ca == NULL) || (!client && (t->cert == NULL ||
	    t->key == NULL)) || ((t->cert == NULL) != (t->key == NULL)))
		return cx_seterr(CX_EINVAL, "TLS needs a certificate and its key (a server) or "
		    "the trusted certificates (a client)");
	if ((rv = nng_tls_config_alloc(&cfg, client ? NNG_TLS_MODE_CLIENT :
	    NNG_TLS_MODE_SERVER)) != 0)
		return wire_nngerr(rv, "TLS configuration");
	if (t->cert != NULL && (rv = nng_tls_config_own_cert(cfg, t->cert, t->key, NULL)) != 0) {
		nng_tls_config_free(cfg);
		return cx_seterr(CX_EINVAL, "TLS certificate or key: %s", nng_strerror(rv));
	}
	if (t->ca != NULL && (rv = nng_tls_config_ca_chain(cfg, t->ca, NULL)) != 0) {
		nng_tls_config_free(cfg);
		return cx_seterr(CX_EINVAL, "trusted TLS certificates: %s", nng_strerror(rv));
	}
	/* A server given no trusted certificates serves authorised clients, who
	 * have none: it does not ask for one (the signed handshake above TLS
	 * authenticates them). */
	if ((rv = nng_tls_config_auth_mode(cfg, t->ca != NULL ? NNG_TLS_AUTH_MODE_REQUIRED :
	    NNG_TLS_AUTH_MODE_NONE)) != 0 ||
	    (client && t->server_name != NULL &&
	    (rv = nng_tls_config_server_name(cfg, t->server_name)) != 0)) {
		nng_tls_config_free(cfg);
		return wire_nngerr(rv, "TLS configuration");
	}
	*out = cfg;
	return 0;
}

/* Write all of buf to a new file path (O_EXCL, mode); removed on failure. */
static int
wire_write_new(const char *path, const void *buf, size_t len, mode_t mode)
{
	const char *p = buf;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == EEXIST ? cx_seterr(CX_EEXIST, "%s already exists", path) :
		    cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	{
		int rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));

		if (fd >= 0)
			close(fd);
		unlink(path);
		return rc;
	}
}

/* 1 if id can be a certificate's DNS name: 1 to 64 of [A-Za-z0-9.-_]. */
static int
wire_dns_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int
wire_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

int
wire_tls_generate(const char *certpath, const char *keypath, const char *id)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	GENERAL_NAMES *gens = NULL;
	GENERAL_NAME *gen = NULL;
	ASN1_IA5STRING *ia5 = NULL;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	BIO *kb = NULL, *cb = NULL;
	char *kpem = NULL, *cpem = NULL;
	long kl = 0, cl = 0;
	uint8_t rnd[16];
	int rc;

	if (id == NULL || !wire_dns_ok(id))
		return cx_seterr(CX_EINVAL, "\"%.64s\" cannot name a TLS certificate: use 1 to 64 "
		    "letters, digits, '.', '-' or '_'", id ? id : "");
	if ((pkey = EVP_EC_gen("P-256")) == NULL) {
		rc = cx_sslerr("P-256 key generation");
		goto out;
	}
	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1) {
		rc = cx_sslerr("certificate");
		goto out;
	}
	/* a positive 127-bit random serial */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		rc = cx_sslerr("random serial");
		goto out;
	}
	rnd[0] &= 0x7f;
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    X509_set_serialNumber(x, serial) != 1) {
		rc = cx_sslerr("certificate serial");
		goto out;
	}
	/* valid from an hour ago (clocks differ) for ten years */
	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 3653, 0, NULL) == NULL) {
		rc = cx_sslerr("certificate validity");
		goto out;
	}
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)id, -1,
	    -1, 0) != 1 || X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, pkey) != 1) {
		rc = cx_sslerr("certificate name");
		goto out;
	}
	/* subjectAltName DNS:id, built directly so that no id is parsed as config */
	if ((gens = GENERAL_NAMES_new()) == NULL || (gen = GENERAL_NAME_new()) == NULL ||
	    (ia5 = ASN1_IA5STRING_new()) == NULL || ASN1_STRING_set(ia5, id, -1) != 1) {
		rc = cx_sslerr("subjectAltName");
		goto out;
	}
	GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
	ia5 = NULL;
	if (sk_GENERAL_NAME_push(gens, gen) == 0) {
		rc = cx_sslerr("subjectAltName");
		goto out;
	}
	gen = NULL;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) != 1 ||
	    !wire_add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !wire_add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    !wire_add_ext(x, NID_ext_key_usage, "serverAuth,clientAuth") ||
	    !wire_add_ext(x, NID_subject_key_identifier, "hash")) {
		rc = cx_sslerr("certificate extensions");
		goto out;
	}
	if (X509_sign(x, pkey, EVP_sha256()) <= 0) {
		rc = cx_sslerr("certificate signature");
		goto out;
	}
	if ((kb = BIO_new(BIO_s_secmem())) == NULL || (cb = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PKCS8PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509(cb, x) != 1 ||
	    (kl = BIO_get_mem_data(kb, &kpem)) <= 0 || (cl = BIO_get_mem_data(cb, &cpem)) <= 0) {
		rc = cx_sslerr("PEM encoding");
		goto out;
	}
	if ((rc = wire_write_new(keypath, kpem, (size_t)kl, 0600)) != 0)
		goto out;
	if ((rc = wire_write_new(certpath, cpem, (size_t)cl, 0644)) != 0) {
		unlink(keypath);
		goto out;
	}
	rc = 0;
out:
	if (kpem != NULL && kl > 0)
		OPENSSL_cleanse(kpem, (size_t)kl);
	BIO_free(kb);
	BIO_free(cb);
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}
