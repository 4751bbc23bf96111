/*
 * keys.c — key pairs over OpenSSL 3: Ed25519 (default) and SM2/SM3.
 *
 * Design
 *
 * A keys_key wraps one EVP_PKEY together with what the signed-note world
 * needs to name it: the key name, the encoded public key (type byte, for SM2
 * an identifier, then the key) and the 32-bit key id computed from both.
 * Those are fixed when the key is made (keys_key_finish) and never change,
 * so a keys_key is immutable and may be shared by threads; signing and
 * verifying allocate their own OpenSSL contexts.
 *
 *   encoded public key ("type || key" in the verifier string):
 *
 *   Ed25519  +------+---------------------------+
 *            | 0x01 | 32-byte RFC 8032 key      |             33 bytes
 *            +------+---------------------------+
 *   SM2      +------+------------------+--------------------------------+
 *            | 0xff | "cxnode.sm2-sm3" | 0x04 || x(32) || y(32)         | 80 bytes
 *            +------+------------------+--------------------------------+
 *
 * c2sp.org/signed-note assigns no type byte to SM2; 0xff is the byte it
 * reserves for "signature types without an identifier byte assigned by this
 * specification", to be followed by a longer identifier unlikely to collide.
 *
 * Secret key files (keys_save/keys_load) are PKCS#8 PEM after a short text
 * header; secrets pass through OpenSSL secure-memory BIOs, and every buffer
 * of ours that held key or passphrase bytes is wiped with OPENSSL_cleanse
 * before it is freed. Invariants: a file is created with O_EXCL and mode
 * 0600 and removed again if writing it fails; a file that group or others
 * may access is never read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "keys/keys.h"

#include "util/codec.h"
#include "util/err.h"

/* PEM armour dashes, kept apart so that no source line looks like a key */
#define KEYS_PEM_DASH "-----"

#define KEYS_ED25519_LEN   32
#define KEYS_SM2_POINT_LEN 65
#define KEYS_SM2_IDENT_LEN (sizeof(KEYS_SM2_IDENT) - 1)
#define KEYS_PUB_MAX       (1 + KEYS_SM2_IDENT_LEN + KEYS_SM2_POINT_LEN)
#define KEYS_FILE_MAX      65536
#define KEYS_MAGIC         "cxnode secret key v1"
#define KEYS_SM2_DISTID    "1234567812345678"

struct keys_key {
	int alg;
	int priv;
	EVP_PKEY *pkey;
	uint32_t id;
	size_t publen;
	uint8_t pub[KEYS_PUB_MAX];
	char name[KEYS_NAME_MAX + 1];
};

/* Decode one UTF-8 sequence strictly; returns its length or 0 if invalid. */
static size_t
keys_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int
keys_is_space(uint32_t c)
{
	return c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

int
keys_name_valid(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, n;
	uint32_t c;

	if (name == NULL || len == 0 || len > KEYS_NAME_MAX)
		return 0;
	while (i < len) {
		if ((n = keys_utf8(s + i, len - i, &c)) == 0)
			return 0;
		if (c < 0x20 || c == 0x7f || c == '+' || keys_is_space(c))
			return 0;
		i += n;
	}
	return 1;
}

/* SHA-256(name || 0x0A || pub)[0..4) as a big-endian integer. */
static uint32_t
keys_compute_id(const char *name, const uint8_t *pub, size_t publen)
{
	uint8_t buf[KEYS_NAME_MAX + 1 + KEYS_PUB_MAX], h[SHA256_DIGEST_LENGTH];
	size_t nl = strlen(name);

	memcpy(buf, name, nl);
	buf[nl] = '\n';
	memcpy(buf + nl + 1, pub, publen);
	SHA256(buf, nl + 1 + publen, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* Take ownership of pkey and fill in the encoded public key and key id. */
static int
keys_key_finish(keys_key **out, EVP_PKEY *pkey, int alg, int priv, const char *name)
{
	keys_key *k;
	size_t n;

	*out = NULL;
	if (!keys_name_valid(name, strlen(name))) {
		EVP_PKEY_free(pkey);
		return cx_seterr(CX_EINVAL, "invalid key name \"%.64s\": it must be non-empty, "
		    "without spaces or '+'", name);
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		return cx_seterr(CX_ENOMEM, "key");
	}
	k->alg = alg;
	k->priv = priv;
	k->pkey = pkey;
	strcpy(k->name, name);
	if (alg == KEYS_ED25519) {
		k->pub[0] = KEYS_TYPE_ED25519;
		n = KEYS_ED25519_LEN;
		if (EVP_PKEY_get_raw_public_key(pkey, k->pub + 1, &n) != 1 || n != KEYS_ED25519_LEN)
			goto fail;
		k->publen = 1 + KEYS_ED25519_LEN;
	} else {
		k->pub[0] = KEYS_TYPE_OTHER;
		memcpy(k->pub + 1, KEYS_SM2_IDENT, KEYS_SM2_IDENT_LEN);
		if (EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
		    "uncompressed") != 1)
			ERR_clear_error();
		if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
		    k->pub + 1 + KEYS_SM2_IDENT_LEN, KEYS_SM2_POINT_LEN, &n) != 1 ||
		    n != KEYS_SM2_POINT_LEN || k->pub[1 + KEYS_SM2_IDENT_LEN] != 0x04)
			goto fail;
		k->publen = KEYS_PUB_MAX;
	}
	k->id = keys_compute_id(k->name, k->pub, k->publen);
	*out = k;
	return 0;
fail:
	keys_free(k);
	return cx_sslerr("cannot read the public key");
}

/* Which of our algorithms pkey is, or 0. */
static int
keys_pkey_alg(EVP_PKEY *pkey)
{
	char group[32];
	size_t n;

	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return KEYS_ED25519;
	if (EVP_PKEY_is_a(pkey, "SM2"))
		return KEYS_SM2;
	if (EVP_PKEY_is_a(pkey, "EC") &&
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
	    sizeof(group), &n) == 1 && strcmp(group, "SM2") == 0)
		return KEYS_SM2;
	return 0;
}

int
keys_generate(keys_key **out, int alg, const char *name)
{
	EVP_PKEY *pkey;

	*out = NULL;
	if (alg != KEYS_ED25519 && alg != KEYS_SM2)
		return cx_seterr(CX_EINVAL, "unknown key algorithm %d", alg);
	if (name == NULL || !keys_name_valid(name, strlen(name)))
		return cx_seterr(CX_EINVAL, "invalid key name \"%.64s\": it must be non-empty, "
		    "without spaces or '+'", name ? name : "");
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg == KEYS_ED25519 ? "ED25519" : "SM2");
	if (pkey == NULL)
		return cx_sslerr("key generation");
	return keys_key_finish(out, pkey, alg, 1, name);
}

static const char *
keys_alg_name(int alg)
{
	return alg == KEYS_ED25519 ? "ed25519" : "sm2";
}

/* Write all of buf to fd. */
static int
keys_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
keys_save(const keys_key *k, const char *path, const char *passphrase)
{
	X509_ALGOR *pbe = NULL;
	PKCS8_PRIV_KEY_INFO *p8i = NULL;
	X509_SIG *p8 = NULL;
	BIO *bio = NULL;
	char *pem = NULL, header[KEYS_NAME_MAX + 128];
	long pemlen = 0;
	int fd = -1, rc, hlen;

	if (k == NULL || !k->priv)
		return cx_seterr(CX_EINVAL, "no private key to save");
	if (passphrase != NULL && passphrase[0] == '\0')
		return cx_seterr(CX_EINVAL, "an empty passphrase protects nothing");
	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return cx_sslerr("memory BIO");
	if (passphrase != NULL) {
		pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL, 16384, 8, 1);
		if (pbe == NULL || (p8i = EVP_PKEY2PKCS8(k->pkey)) == NULL) {
			rc = cx_sslerr("PKCS#8 encryption");
			goto out;
		}
		p8 = PKCS8_set0_pbe(passphrase, (int)strlen(passphrase), p8i, pbe);
		if (p8 == NULL) {
			rc = cx_sslerr("PKCS#8 encryption");
			goto out;
		}
		pbe = NULL;  /* owned by p8 now */
		if (PEM_write_bio_PKCS8(bio, p8) != 1) {
			rc = cx_sslerr("PEM encoding");
			goto out;
		}
	} else if (PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		rc = cx_sslerr("PEM encoding");
		goto out;
	}
	pemlen = BIO_get_mem_data(bio, &pem);
	if (pemlen <= 0) {
		rc = cx_sslerr("PEM encoding");
		goto out;
	}
	hlen = snprintf(header, sizeof(header), "%s\nname: %s\nalgorithm: %s\nkey-id: %08x\n",
	    KEYS_MAGIC, k->name, keys_alg_name(k->alg), k->id);

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = errno == EEXIST ? cx_seterr(CX_EEXIST, "%s already exists", path) :
		    cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (keys_write_all(fd, header, (size_t)hlen) != 0 ||
	    keys_write_all(fd, pem, (size_t)pemlen) != 0 || fsync(fd) != 0) {
		rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		fd = -1;
		unlink(path);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	fd = -1;
	rc = 0;
out:
	if (pem != NULL && pemlen > 0)
		OPENSSL_cleanse(pem, (size_t)pemlen);
	BIO_free(bio);
	X509_SIG_free(p8);
	PKCS8_PRIV_KEY_INFO_free(p8i);
	X509_ALGOR_free(pbe);
	return rc;
}

/* PEM passphrase callback: never prompts; u is the passphrase or NULL. */
static int
keys_pem_cb(char *buf, int size, int rwflag, void *u)
{
	size_t n;

	if (u == NULL || size <= 0)
		return -1;
	n = strlen(u);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

/* Read a whole small file into a NUL-terminated buffer, checking its mode. */
static int
keys_read_secret(char **out, size_t *outlen, const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc;

	*out = NULL;
	/* O_NONBLOCK: a FIFO in the key's place must not hang the node (the
	 * regular-file check follows); reads of a regular file never block */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return errno == ENOENT ? cx_seterr(CX_ENOTFOUND, "%s: no such key file", path) :
		    cx_seterr(errno == EACCES ? CX_EPERM : CX_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = cx_seterr(CX_EPERM, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = cx_seterr(CX_EPERM, "%s: key file mode %04o lets group or others access "
		    "it; refusing to use it (chmod 600 it, and consider the key exposed)",
		    path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > KEYS_FILE_MAX) {
		rc = cx_seterr(CX_ETOOBIG, "%s: too large for a key file", path);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "key file");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* The value of header line "key: value" in line[0..len), or NULL. */
static const char *
keys_header_value(const char *line, size_t len, const char *key, size_t *vlen)
{
	size_t kl = strlen(key);

	if (len < kl + 2 || memcmp(line, key, kl) != 0 || line[kl] != ':' || line[kl + 1] != ' ')
		return NULL;
	*vlen = len - kl - 2;
	return line + kl + 2;
}

int
keys_load(keys_key **out, const char *path, const char *passphrase)
{
	char *buf = NULL, name[KEYS_NAME_MAX + 1] = "", alg[16] = "", idhex[9] = "";
	const char *p, *pem, *v;
	size_t len = 0, vlen, ll;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	keys_key *k = NULL;
	int rc, encrypted, a;

	*out = NULL;
	if ((rc = keys_read_secret(&buf, &len, path)) != 0)
		return rc;
	/* header: magic line, then "key: value" lines up to the PEM block */
	p = buf;
	ll = strcspn(p, "\n");
	if (ll != strlen(KEYS_MAGIC) || memcmp(p, KEYS_MAGIC, ll) != 0) {
		rc = cx_seterr(CX_EFORMAT, "%s: not a cxnode secret key file (first line is not "
		    "\"%s\")", path, KEYS_MAGIC);
		goto out;
	}
	p += ll + (p[ll] == '\n');
	while (*p != '\0' && strncmp(p, "-----BEGIN ", 11) != 0) {
		ll = strcspn(p, "\n");
		if ((v = keys_header_value(p, ll, "name", &vlen)) != NULL && vlen < sizeof(name)) {
			memcpy(name, v, vlen);
			name[vlen] = '\0';
		} else if ((v = keys_header_value(p, ll, "algorithm", &vlen)) != NULL &&
		    vlen < sizeof(alg)) {
			memcpy(alg, v, vlen);
			alg[vlen] = '\0';
		} else if ((v = keys_header_value(p, ll, "key-id", &vlen)) != NULL &&
		    vlen < sizeof(idhex)) {
			memcpy(idhex, v, vlen);
			idhex[vlen] = '\0';
		}
		p += ll + (p[ll] == '\n');
	}
	pem = p;
	if (*pem == '\0') {
		rc = cx_seterr(CX_EFORMAT, "%s: no PEM key block", path);
		goto out;
	}
	if (name[0] == '\0') {
		rc = cx_seterr(CX_EFORMAT, "%s: no \"name:\" header line", path);
		goto out;
	}
	encrypted = strncmp(pem, KEYS_PEM_DASH "BEGIN ENCRYPTED PRIVATE KEY" KEYS_PEM_DASH, 37) == 0;
	if (encrypted && passphrase == NULL) {
		rc = cx_seterr(CX_EPASS, "%s is encrypted: a passphrase is needed", path);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)(len - (size_t)(pem - buf)))) == NULL) {
		rc = cx_sslerr("memory BIO");
		goto out;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, keys_pem_cb, (void *)passphrase);
	if (pkey == NULL) {
		if (encrypted) {
			ERR_clear_error();
			rc = cx_seterr(CX_EPASS, "%s: wrong passphrase", path);
		} else {
			cx_sslerr(path);
			rc = CX_EFORMAT;
		}
		goto out;
	}
	if ((a = keys_pkey_alg(pkey)) == 0) {
		rc = cx_seterr(CX_EFORMAT, "%s: neither an Ed25519 nor an SM2 key", path);
		goto out;
	}
	if (alg[0] != '\0' && strcmp(alg, keys_alg_name(a)) != 0) {
		rc = cx_seterr(CX_EFORMAT, "%s: header says algorithm %s but the key is %s",
		    path, alg, keys_alg_name(a));
		goto out;
	}
	rc = keys_key_finish(&k, pkey, a, 1, name);
	pkey = NULL;
	if (rc != 0)
		goto out;
	if (idhex[0] != '\0') {
		char want[9];

		snprintf(want, sizeof(want), "%08x", k->id);
		if (strcmp(idhex, want) != 0) {
			rc = cx_seterr(CX_EFORMAT, "%s: header says key-id %s but the key's id is %s",
			    path, idhex, want);
			goto out;
		}
	}
	*out = k;
	k = NULL;
out:
	keys_free(k);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	return rc;
}

/* An SM2 public key from a 65-byte uncompressed point. */
static EVP_PKEY *
keys_sm2_from_point(const uint8_t *pt)
{
	EVP_PKEY_CTX *ctx, *chk = NULL;
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM params[3];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt,
	    KEYS_SM2_POINT_LEN);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* Split "name+hexid+base64" into its parts (pointers into s). */
static int
keys_split_verifier(const char *s, char *name, uint32_t *id, uint8_t *key, size_t *keylen)
{
	const char *p1, *p2;
	uint8_t idb[4];

	if ((p1 = strchr(s, '+')) == NULL || (p2 = strchr(p1 + 1, '+')) == NULL)
		return cx_seterr(CX_EFORMAT, "not a key string: want name+hexid+base64");
	if (!keys_name_valid(s, (size_t)(p1 - s)))
		return cx_seterr(CX_EFORMAT, "invalid key name in key string");
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	if (hex_decode(idb, 4, p1 + 1, (size_t)(p2 - p1 - 1)) != 0)
		return cx_seterr(CX_EFORMAT, "key id must be 8 hex digits");
	*id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 | (uint32_t)idb[2] << 8 | idb[3];
	if (b64_decode(key, *keylen, keylen, p2 + 1, strlen(p2 + 1)) != 0 || *keylen == 0)
		return cx_seterr(CX_EFORMAT, "key material is not base64 of a known key size");
	return 0;
}

int
keys_from_verifier(keys_key **out, const char *verifier)
{
	char name[KEYS_NAME_MAX + 1];
	uint8_t key[KEYS_PUB_MAX + 1];
	size_t keylen = sizeof(key);
	EVP_PKEY *pkey = NULL;
	keys_key *k = NULL;
	uint32_t id;
	int rc, alg;

	*out = NULL;
	if (verifier == NULL || strlen(verifier) > KEYS_NAME_MAX + 200)
		return cx_seterr(CX_EFORMAT, "key string too long");
	if ((rc = keys_split_verifier(verifier, name, &id, key, &keylen)) != 0)
		return rc;
	if (keys_compute_id(name, key, keylen) != id)
		return cx_seterr(CX_EFORMAT, "key id %08x does not match the key", id);
	if (key[0] == KEYS_TYPE_ED25519 && keylen == 1 + KEYS_ED25519_LEN) {
		alg = KEYS_ED25519;
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key + 1,
		    KEYS_ED25519_LEN);
	} else if (key[0] == KEYS_TYPE_OTHER && keylen == KEYS_PUB_MAX &&
	    memcmp(key + 1, KEYS_SM2_IDENT, KEYS_SM2_IDENT_LEN) == 0 &&
	    key[1 + KEYS_SM2_IDENT_LEN] == 0x04) {
		alg = KEYS_SM2;
		pkey = keys_sm2_from_point(key + 1 + KEYS_SM2_IDENT_LEN);
	} else
		return cx_seterr(CX_EFORMAT, "unknown key type 0x%02x or wrong key length %zu",
		    key[0], keylen);
	if (pkey == NULL) {
		cx_sslerr("public key");
		return CX_EFORMAT;
	}
	if ((rc = keys_key_finish(&k, pkey, alg, 0, name)) != 0)
		return rc;
	if (k->publen != keylen || memcmp(k->pub, key, keylen) != 0) {
		keys_free(k);
		return cx_seterr(CX_EFORMAT, "public key is not in canonical form");
	}
	*out = k;
	return 0;
}

int
keys_from_signer(keys_key **out, const char *skey)
{
	static const char prefix[] = "PRIVATE+KEY+";
	char name[KEYS_NAME_MAX + 1];
	uint8_t key[64];
	size_t keylen = sizeof(key);
	EVP_PKEY *pkey;
	keys_key *k = NULL;
	uint32_t id;
	int rc;

	*out = NULL;
	if (skey == NULL || strncmp(skey, prefix, sizeof(prefix) - 1) != 0 ||
	    strlen(skey) > KEYS_NAME_MAX + 200)
		return cx_seterr(CX_EFORMAT, "not a signer key: want PRIVATE+KEY+name+hexid+base64");
	rc = keys_split_verifier(skey + sizeof(prefix) - 1, name, &id, key, &keylen);
	if (rc != 0)
		goto out;
	if (keylen != 1 + KEYS_ED25519_LEN || key[0] != KEYS_TYPE_ED25519) {
		rc = cx_seterr(CX_EFORMAT, "signer key is not an Ed25519 seed");
		goto out;
	}
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, key + 1, KEYS_ED25519_LEN);
	if (pkey == NULL) {
		rc = cx_sslerr("Ed25519 seed");
		goto out;
	}
	if ((rc = keys_key_finish(&k, pkey, KEYS_ED25519, 1, name)) != 0)
		goto out;
	if (k->id != id) {
		keys_free(k);
		rc = cx_seterr(CX_EFORMAT, "signer key id %08x does not match the key", id);
		goto out;
	}
	*out = k;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
keys_verifier(char **out, const keys_key *k)
{
	size_t nl = strlen(k->name);
	char *s;

	*out = NULL;
	if ((s = malloc(nl + 1 + 8 + 1 + B64_LEN(k->publen))) == NULL)
		return cx_seterr(CX_ENOMEM, "verifier");
	sprintf(s, "%s+%08x+", k->name, k->id);
	b64_encode(s + nl + 10, k->pub, k->publen);
	*out = s;
	return 0;
}

const char *
keys_name(const keys_key *k)
{
	return k->name;
}

uint32_t
keys_id(const keys_key *k)
{
	return k->id;
}

int
keys_alg(const keys_key *k)
{
	return k->alg;
}

const uint8_t *
keys_raw_public(const keys_key *k, size_t *len)
{
	size_t skip = k->alg == KEYS_ED25519 ? 1 : 1 + KEYS_SM2_IDENT_LEN;

	*len = k->publen - skip;
	return k->pub + skip;
}

int
keys_has_private(const keys_key *k)
{
	return k != NULL && k->priv;
}

/*
 * A digest-sign/verify context for k: SM3 with the SM2 distinguishing ID, or
 * plain Ed25519. (OpenSSL 3.0 ignores the ID when it is passed to the init
 * call as a parameter, so it is set on the key context afterwards.)
 */
static EVP_MD_CTX *
keys_md_ctx(const keys_key *k, int sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *m;
	const char *md = k->alg == KEYS_SM2 ? "SM3" : NULL;
	int ok;

	if ((m = EVP_MD_CTX_new()) == NULL)
		return NULL;
	ok = sign ? EVP_DigestSignInit_ex(m, &pctx, md, NULL, NULL, k->pkey, NULL) :
	    EVP_DigestVerifyInit_ex(m, &pctx, md, NULL, NULL, k->pkey, NULL);
	if (ok == 1 && k->alg == KEYS_SM2)
		ok = EVP_PKEY_CTX_set1_id(pctx, KEYS_SM2_DISTID, sizeof(KEYS_SM2_DISTID) - 1) > 0;
	if (ok != 1) {
		EVP_MD_CTX_free(m);
		return NULL;
	}
	return m;
}

int
keys_sign(const keys_key *k, const uint8_t *msg, size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *m;
	size_t n = KEYS_SIG_MAX;
	int ok;

	if (k == NULL || !k->priv)
		return cx_seterr(CX_EINVAL, "key %s has no private part: cannot sign",
		    k ? k->name : "(null)");
	if ((m = keys_md_ctx(k, 1)) == NULL)
		return cx_sslerr("sign init");
	ok = EVP_DigestSign(m, sig, &n, msg, len);
	EVP_MD_CTX_free(m);
	if (ok != 1)
		return cx_sslerr("sign");
	*siglen = n;
	return 0;
}

int
keys_verify(const keys_key *k, const uint8_t *msg, size_t len, const uint8_t *sig,
    size_t siglen)
{
	EVP_MD_CTX *m;
	int ok;

	if (k->alg == KEYS_ED25519 && siglen != 64)
		return cx_seterr(CX_EBADSIG, "Ed25519 signature of %zu bytes", siglen);
	if (siglen == 0 || siglen > KEYS_SIG_MAX)
		return cx_seterr(CX_EBADSIG, "signature of %zu bytes", siglen);
	if ((m = keys_md_ctx(k, 0)) == NULL)
		return cx_sslerr("verify init");
	ok = EVP_DigestVerify(m, sig, siglen, msg, len);
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	if (ok != 1)
		return cx_seterr(CX_EBADSIG, "signature by %s+%08x does not verify", k->name, k->id);
	return 0;
}

void
keys_free(keys_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}
