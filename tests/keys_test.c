/*
 * keys_test.c — keys/: key files, signatures, verifier strings, signed notes
 * (with the published golang.org/x/mod/sumdb/note vector) and the roster.
 *
 * Keys are generated at run time in a temporary directory that is removed
 * at the end; no key material is stored in the repository.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/sha.h>

#include "keys/cosig.h"
#include "keys/keys.h"
#include "keys/note.h"
#include "keys/roster.h"
#include "util/codec.h"
#include "util/err.h"

/* PEM armour dashes, kept apart so that no source line looks like a key */
#define DASH "-----"

/* The golang.org/x/mod/sumdb/note test vector (note_test.go, package docs). */
static const char go_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char go_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char go_text[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
static const char go_note[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static char tmpdir[256];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/keys_test.XXXXXX", t ? t : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	return nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static char *
tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static char *
slurp(const char *path, size_t *len)
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
	if (len)
		*len = (size_t)n;
	return b;
}

static void
spit(const char *path, const char *s, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

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

/* ---- key files --------------------------------------------------------- */

static void
roundtrip(int alg, const char *pass, const char *file)
{
	keys_key *k = NULL, *l = NULL;
	char *v1 = NULL, *v2 = NULL, *body;
	uint8_t sig[KEYS_SIG_MAX];
	size_t siglen;
	struct stat st;
	const char *msg = "roster v7";

	assert_int_equal(keys_generate(&k, alg, "hangzhou"), 0);
	assert_int_equal(keys_save(k, tpath(file), pass), 0);
	assert_int_equal(stat(tpath(file), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	body = slurp(tpath(file), NULL);
	assert_non_null(strstr(body, "cxnode secret key v1\nname: hangzhou\n"));
	assert_non_null(strstr(body, alg == KEYS_ED25519 ? "algorithm: ed25519\n" : "algorithm: sm2\n"));
	assert_non_null(strstr(body, pass ? DASH "BEGIN ENCRYPTED PRIVATE KEY" DASH :
	    DASH "BEGIN PRIVATE KEY" DASH));
	free(body);

	if (pass != NULL) {
		assert_int_equal(keys_load(&l, tpath(file), NULL), CX_EPASS);
		assert_null(l);
		assert_int_equal(keys_load(&l, tpath(file), "not the passphrase"), CX_EPASS);
		assert_null(l);
	}
	assert_int_equal(keys_load(&l, tpath(file), pass), 0);
	assert_true(keys_has_private(l));
	assert_int_equal(keys_alg(l), alg);
	assert_string_equal(keys_name(l), "hangzhou");
	assert_int_equal(keys_id(l), keys_id(k));
	assert_int_equal(keys_verifier(&v1, k), 0);
	assert_int_equal(keys_verifier(&v2, l), 0);
	assert_string_equal(v1, v2);
	/* the loaded key signs what the original verifies, and back */
	assert_int_equal(keys_sign(l, (const uint8_t *)msg, strlen(msg), sig, &siglen), 0);
	assert_int_equal(keys_verify(k, (const uint8_t *)msg, strlen(msg), sig, siglen), 0);
	assert_int_equal(keys_sign(k, (const uint8_t *)msg, strlen(msg), sig, &siglen), 0);
	assert_int_equal(keys_verify(l, (const uint8_t *)msg, strlen(msg), sig, siglen), 0);
	free(v1);
	free(v2);
	keys_free(k);
	keys_free(l);
}

static void
test_file_ed25519(void **state)
{
	roundtrip(KEYS_ED25519, NULL, "ed.key");
}

static void
test_file_sm2(void **state)
{
	roundtrip(KEYS_SM2, NULL, "sm2.key");
}

static void
test_file_ed25519_pass(void **state)
{
	roundtrip(KEYS_ED25519, "correct horse battery", "ed-enc.key");
}

static void
test_file_sm2_pass(void **state)
{
	roundtrip(KEYS_SM2, "正确的马", "sm2-enc.key");
}

static void
test_file_refusals(void **state)
{
	keys_key *k = NULL, *l = NULL, *p;
	char *before, *after, *body, *s;

	assert_int_equal(keys_generate(&k, KEYS_ED25519, "jiaxing"), 0);
	assert_int_equal(keys_save(k, tpath("excl.key"), NULL), 0);
	before = slurp(tpath("excl.key"), NULL);
	/* O_EXCL: never overwrite */
	assert_int_equal(keys_save(k, tpath("excl.key"), NULL), CX_EEXIST);
	assert_int_equal(keys_save(k, tpath("excl.key"), "pw"), CX_EEXIST);
	after = slurp(tpath("excl.key"), NULL);
	assert_string_equal(before, after);
	free(after);
	/* an empty passphrase is refused, and nothing is left behind */
	assert_int_equal(keys_save(k, tpath("empty.key"), ""), CX_EINVAL);
	assert_int_equal(access(tpath("empty.key"), F_OK), -1);
	/* a public key cannot be saved as a secret key */
	p = pubof(k);
	assert_int_equal(keys_save(p, tpath("pub.key"), NULL), CX_EINVAL);
	keys_free(p);

	/* group/other permissions are refused */
	assert_int_equal(chmod(tpath("excl.key"), 0644), 0);
	assert_int_equal(keys_load(&l, tpath("excl.key"), NULL), CX_EPERM);
	assert_non_null(strstr(cx_lasterr(), "0644"));
	assert_int_equal(chmod(tpath("excl.key"), 0640), 0);
	assert_int_equal(keys_load(&l, tpath("excl.key"), NULL), CX_EPERM);
	assert_int_equal(chmod(tpath("excl.key"), 0602), 0);
	assert_int_equal(keys_load(&l, tpath("excl.key"), NULL), CX_EPERM);
	assert_int_equal(chmod(tpath("excl.key"), 0400), 0);
	assert_int_equal(keys_load(&l, tpath("excl.key"), NULL), 0);
	keys_free(l);
	l = NULL;
	assert_int_equal(keys_load(&l, tpath("absent.key"), NULL), CX_ENOTFOUND);
	assert_int_equal(keys_load(&l, tmpdir, NULL), CX_EPERM);  /* a directory */

	/* the header must agree with the key */
	s = strstr(before, "key-id: ");
	assert_non_null(s);
	s[8] = s[8] == '0' ? '1' : '0';
	spit(tpath("badid.key"), before, 0600);
	assert_int_equal(keys_load(&l, tpath("badid.key"), NULL), CX_EFORMAT);
	s[8] = s[8] == '0' ? '1' : '0';
	body = strdup(before);
	s = strstr(body, "ed25519");
	memcpy(s, "sm2\n", 4);
	memmove(s + 4, s + 8, strlen(s + 8) + 1);
	spit(tpath("badalg.key"), body, 0600);
	assert_int_equal(keys_load(&l, tpath("badalg.key"), NULL), CX_EFORMAT);
	free(body);
	spit(tpath("nomagic.key"), strchr(before, '\n') + 1, 0600);
	assert_int_equal(keys_load(&l, tpath("nomagic.key"), NULL), CX_EFORMAT);
	body = strdup(before);
	s = strstr(body, DASH "BEGIN PRIVATE KEY" DASH "\n") + 28;
	s[3] ^= 0x01;
	spit(tpath("badpem.key"), body, 0600);
	assert_int_equal(keys_load(&l, tpath("badpem.key"), NULL), CX_EFORMAT);
	free(body);
	assert_null(l);
	free(before);
	keys_free(k);
}

/* A standard PEM reader (what `openssl pkey -in FILE` uses) skips the header. */
static void
test_file_openssl_reads(void **state)
{
	keys_key *k = NULL;
	EVP_PKEY *pk;
	FILE *f;

	assert_int_equal(keys_generate(&k, KEYS_SM2, "suzhou"), 0);
	assert_int_equal(keys_save(k, tpath("std.key"), NULL), 0);
	f = fopen(tpath("std.key"), "r");
	assert_non_null(f);
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(pk);
	EVP_PKEY_free(pk);
	assert_int_equal(keys_save(k, tpath("std-enc.key"), "pw"), 0);
	f = fopen(tpath("std-enc.key"), "r");
	assert_non_null(f);
	pk = PEM_read_PrivateKey(f, NULL, NULL, (void *)"pw");
	fclose(f);
	assert_non_null(pk);
	EVP_PKEY_free(pk);
	keys_free(k);
}

/* ---- signatures -------------------------------------------------------- */

static void
signverify(int alg)
{
	keys_key *k = NULL, *other = NULL, *pub;
	uint8_t msg[100], sig[KEYS_SIG_MAX], bad[KEYS_SIG_MAX];
	size_t siglen, i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	assert_int_equal(keys_generate(&k, alg, "wuhu"), 0);
	assert_int_equal(keys_generate(&other, alg, "wuhu"), 0);
	pub = pubof(k);
	assert_false(keys_has_private(pub));
	assert_int_equal(keys_sign(k, msg, sizeof(msg), sig, &siglen), 0);
	assert_true(alg == KEYS_ED25519 ? siglen == 64 : siglen >= 64 && siglen <= 72);
	assert_int_equal(keys_verify(pub, msg, sizeof(msg), sig, siglen), 0);
	/* another key of the same name does not verify */
	assert_int_equal(keys_verify(other, msg, sizeof(msg), sig, siglen), CX_EBADSIG);
	/* every flipped message byte and signature byte is caught */
	for (i = 0; i < sizeof(msg); i += 9) {
		msg[i] ^= 0x20;
		assert_int_equal(keys_verify(pub, msg, sizeof(msg), sig, siglen), CX_EBADSIG);
		msg[i] ^= 0x20;
	}
	for (i = 0; i < siglen; i++) {
		memcpy(bad, sig, siglen);
		bad[i] ^= 0x01;
		assert_int_equal(keys_verify(pub, msg, sizeof(msg), bad, siglen), CX_EBADSIG);
	}
	assert_int_equal(keys_verify(pub, msg, sizeof(msg), sig, siglen - 1), CX_EBADSIG);
	assert_int_equal(keys_verify(pub, msg, sizeof(msg) - 1, sig, siglen), CX_EBADSIG);
	assert_int_equal(keys_verify(pub, msg, sizeof(msg), sig, 0), CX_EBADSIG);
	/* a public key cannot sign */
	assert_int_equal(keys_sign(pub, msg, sizeof(msg), sig, &siglen), CX_EINVAL);
	keys_free(pub);
	keys_free(k);
	keys_free(other);
}

static void
test_sign_ed25519(void **state)
{
	signverify(KEYS_ED25519);
}

static void
test_sign_sm2(void **state)
{
	signverify(KEYS_SM2);
}

/* ---- names and verifier strings ---------------------------------------- */

static void
test_names(void **state)
{
	static const char *good[] = { "a", "hangzhou", "g60.cxnode/hangzhou", "杭州",
	    "PeterNeumann", "x-_.:/~!" };
	static const char *bad[] = { "", "a b", "a+b", "a\tb", "a\nb", "a\x7f", "a\xc2\xa0z",
	    "\xe3\x80\x80", "a\xe2\x80\x83z", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe6\x9d" };
	char longname[KEYS_NAME_MAX + 2];
	keys_key *k = NULL;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(keys_name_valid(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(keys_name_valid(bad[i], strlen(bad[i])));
		assert_int_equal(keys_generate(&k, KEYS_ED25519, bad[i]), CX_EINVAL);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(keys_name_valid(longname, strlen(longname)));
	assert_true(keys_name_valid(longname, KEYS_NAME_MAX));
	assert_int_equal(keys_generate(&k, 3, "a"), CX_EINVAL);
	assert_null(k);
}

static void
test_verifier_go_vector(void **state)
{
	uint8_t raw[64], h[SHA256_DIGEST_LENGTH], buf[128];
	size_t rawlen, i, j, n;
	keys_key *k = NULL;
	char *v = NULL, m[sizeof(go_vkey)];

	assert_int_equal(keys_from_verifier(&k, go_vkey), 0);
	assert_string_equal(keys_name(k), "PeterNeumann");
	assert_int_equal(keys_id(k), 0xc74f20a3);
	assert_int_equal(keys_alg(k), KEYS_ED25519);
	assert_false(keys_has_private(k));
	assert_int_equal(keys_verifier(&v, k), 0);
	assert_string_equal(v, go_vkey);
	free(v);
	keys_free(k);

	/* the key id is SHA-256(name || "\n" || 0x01 || key)[:4], computed here
	 * independently of keys/ */
	assert_int_equal(b64_decode(raw, sizeof(raw), &rawlen, go_vkey + 22,
	    strlen(go_vkey + 22)), 0);
	assert_int_equal(rawlen, 33);
	assert_int_equal(raw[0], 0x01);
	n = strlen("PeterNeumann");
	memcpy(buf, "PeterNeumann\n", n + 1);
	memcpy(buf + n + 1, raw, rawlen);
	SHA256(buf, n + 1 + rawlen, h);
	assert_memory_equal(h, "\xc7\x4f\x20\xa3", 4);

	/* as in Go's TestNewVerifier: no proper substring and no one-character
	 * change of the string is accepted */
	n = strlen(go_vkey);
	for (i = 0; i <= n; i++)
		for (j = i + 1; j <= n; j++) {
			if (i == 0 && j == n)
				continue;
			memcpy(m, go_vkey + i, j - i);
			m[j - i] = '\0';
			assert_int_not_equal(keys_from_verifier(&k, m), 0);
			assert_null(k);
		}
	for (i = 0; i < n; i++) {
		memcpy(m, go_vkey, n + 1);
		m[i]++;
		/* an upper-case hex digit is the same key id, which Go accepts too */
		if (i >= 13 && i < 21 && m[i] >= 'A' && m[i] <= 'F')
			continue;
		assert_int_not_equal(keys_from_verifier(&k, m), 0);
	}
	/* Go's: wrong key length and unknown algorithm, both with a matching id */
	assert_int_equal(keys_from_verifier(&k,
	    "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
	    CX_EFORMAT);
	assert_int_equal(keys_from_verifier(&k,
	    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"), CX_EFORMAT);
	assert_int_equal(keys_from_verifier(&k, ""), CX_EFORMAT);
	assert_int_equal(keys_from_verifier(&k, "a+b"), CX_EFORMAT);

	/* the signer form: right, then with a wrong id */
	assert_int_equal(keys_from_signer(&k, go_skey), 0);
	assert_true(keys_has_private(k));
	assert_int_equal(keys_verifier(&v, k), 0);
	assert_string_equal(v, go_vkey);
	free(v);
	keys_free(k);
	k = NULL;
	assert_int_equal(keys_from_signer(&k,
	    "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
	    CX_EFORMAT);
	assert_int_equal(keys_from_signer(&k, go_vkey), CX_EFORMAT);
	assert_null(k);
}

static void
verifier_roundtrip(int alg)
{
	keys_key *k = NULL, *p = NULL;
	char *v = NULL, *w = NULL, idhex[9];
	uint8_t raw[128];
	size_t rawlen;
	const char *b64;

	assert_int_equal(keys_generate(&k, alg, "g60.cxnode/hefei"), 0);
	assert_int_equal(keys_verifier(&v, k), 0);
	snprintf(idhex, sizeof(idhex), "%08x", keys_id(k));
	assert_int_equal(strncmp(v, "g60.cxnode/hefei+", 17), 0);
	assert_int_equal(strncmp(v + 17, idhex, 8), 0);
	b64 = v + 26;
	assert_int_equal(b64_decode(raw, sizeof(raw), &rawlen, b64, strlen(b64)), 0);
	if (alg == KEYS_ED25519) {
		assert_int_equal(rawlen, 33);
		assert_int_equal(raw[0], 0x01);
	} else {
		assert_int_equal(rawlen, 1 + 14 + 65);
		assert_int_equal(raw[0], 0xff);
		assert_memory_equal(raw + 1, "cxnode.sm2-sm3", 14);
		assert_int_equal(raw[15], 0x04);
	}
	assert_int_equal(keys_from_verifier(&p, v), 0);
	assert_int_equal(keys_alg(p), alg);
	assert_int_equal(keys_id(p), keys_id(k));
	assert_int_equal(keys_verifier(&w, p), 0);
	assert_string_equal(v, w);
	keys_free(p);
	p = NULL;
	if (alg == KEYS_SM2) {
		/* a point off the curve is refused even with a matching id */
		uint8_t h[SHA256_DIGEST_LENGTH], buf[256];
		char bad[300], enc[B64_LEN(80)];
		size_t nl = strlen("g60.cxnode/hefei");

		raw[rawlen - 1] ^= 1;
		memcpy(buf, "g60.cxnode/hefei\n", nl + 1);
		memcpy(buf + nl + 1, raw, rawlen);
		SHA256(buf, nl + 1 + rawlen, h);
		b64_encode(enc, raw, rawlen);
		snprintf(bad, sizeof(bad), "g60.cxnode/hefei+%02x%02x%02x%02x+%s", h[0], h[1], h[2],
		    h[3], enc);
		assert_int_equal(keys_from_verifier(&p, bad), CX_EFORMAT);
	}
	free(v);
	free(w);
	keys_free(k);
}

static void
test_verifier_ed25519(void **state)
{
	verifier_roundtrip(KEYS_ED25519);
}

static void
test_verifier_sm2(void **state)
{
	verifier_roundtrip(KEYS_SM2);
}

/* ---- signed notes ------------------------------------------------------ */

static void
test_note_go_vector(void **state)
{
	keys_key *signer = NULL, *v = NULL;
	char *out = NULL, *bad;
	size_t outlen, textlen;
	uint32_t mask;

	/* Ed25519 is deterministic: signing the Go text reproduces Go's note */
	assert_int_equal(keys_from_signer(&signer, go_skey), 0);
	assert_int_equal(note_sign(&out, &outlen, go_text, strlen(go_text), &signer, 1), 0);
	assert_int_equal(outlen, strlen(go_note));
	assert_string_equal(out, go_note);
	free(out);

	assert_int_equal(keys_from_verifier(&v, go_vkey), 0);
	assert_int_equal(note_verify(go_note, strlen(go_note), &v, 1, &textlen, &mask), 0);
	assert_int_equal(textlen, strlen(go_text));
	assert_int_equal(mask, 1);

	/* one changed letter of the text */
	bad = strdup(go_note);
	*strstr(bad, "cryptography") = 'C';
	assert_int_equal(note_verify(bad, strlen(bad), &v, 1, &textlen, &mask), CX_EBADSIG);
	assert_int_equal(textlen, 0);
	assert_int_equal(mask, 0);
	free(bad);
	/* one changed signature character (still canonical base64) */
	bad = strdup(go_note);
	*strstr(bad, "x08go") = 'y';
	assert_int_equal(note_verify(bad, strlen(bad), &v, 1, NULL, NULL), CX_EBADSIG);
	free(bad);
	keys_free(signer);
	keys_free(v);
}

static void
test_note_malformed(void **state)
{
	static const char *sig = "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
	static const struct {
		const char *what, *note;
	} cases[] = {
		{ "no blank line", "text\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "hyphen for dash", "text\n\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "en dash", "text\n\n\xe2\x80\x93 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "no space after dash", "text\n\n\xe2\x80\x94PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "bad base64", "text\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n" },
		{ "base64 with a bad character", "text\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnA*=\n" },
		{ "no final newline", "text\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=" },
		{ "no signatures", "text\n\n" },
		{ "empty", "" },
		{ "blank line after signatures", "text\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n\n" },
		{ "signature too short", "text\n\n\xe2\x80\x94 PeterNeumann x08g\n" },
		{ "no key name", "text\n\n\xe2\x80\x94  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "no signature", "text\n\n\xe2\x80\x94 PeterNeumann\n" },
		{ "control character", "te\x01xt\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "carriage return", "text\r\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
		{ "invalid UTF-8", "te\xffxt\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
	};
	keys_key *v = NULL;
	char n[512];
	size_t i, tl = 99;

	assert_int_equal(keys_from_verifier(&v, go_vkey), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = note_verify(cases[i].note, strlen(cases[i].note), &v, 1, &tl, NULL);

		if (rc != CX_EFORMAT)
			fail_msg("%s: got %d, want CX_EFORMAT", cases[i].what, rc);
		assert_int_equal(tl, 0);
	}
	/* a name containing '+' or a space is malformed, not unknown */
	sprintf(n, "%s\n\xe2\x80\x94 Peter+Neumann %s", go_text, strchr(sig + 4, ' ') + 1);
	assert_int_equal(note_verify(n, strlen(n), &v, 1, NULL, NULL), CX_EFORMAT);
	/* the text itself may hold blank lines: the last one separates */
	sprintf(n, "a\n\nb\n\n%s", sig);
	assert_int_equal(note_verify(n, strlen(n), &v, 1, &tl, NULL), CX_EBADSIG);
	keys_free(v);
}

static void
test_note_unknown_keys(void **state)
{
	keys_key *peter = NULL, *vpeter = NULL, *other = NULL, *vother, *fake = NULL, *vfake;
	keys_key *both[2], *signers[2];
	char *note = NULL;
	size_t len, tl;
	uint32_t mask;

	assert_int_equal(keys_from_signer(&peter, go_skey), 0);
	assert_int_equal(keys_from_verifier(&vpeter, go_vkey), 0);
	assert_int_equal(keys_generate(&other, KEYS_ED25519, "example.com/other"), 0);
	/* same name as a known key, different key: treated as unknown */
	assert_int_equal(keys_generate(&fake, KEYS_ED25519, "PeterNeumann"), 0);
	vother = pubof(other);
	vfake = pubof(fake);

	signers[0] = other;
	signers[1] = peter;
	assert_int_equal(note_sign(&note, &len, go_text, strlen(go_text), signers, 2), 0);
	/* the unknown signature is ignored */
	assert_int_equal(note_verify(note, len, &vpeter, 1, &tl, &mask), 0);
	assert_int_equal(mask, 1);
	assert_int_equal(tl, strlen(go_text));
	both[0] = vother;
	both[1] = vpeter;
	assert_int_equal(note_verify(note, len, both, 2, NULL, &mask), 0);
	assert_int_equal(mask, 3);
	/* no known key signed */
	assert_int_equal(note_verify(note, len, &vfake, 1, NULL, &mask), CX_EBADSIG);
	assert_non_null(strstr(cx_lasterr(), "no signature by a known key"));
	assert_int_equal(note_verify(note, len, NULL, 0, NULL, NULL), CX_EBADSIG);
	free(note);

	/* a signature by the fake PeterNeumann alone does not pass for Peter */
	assert_int_equal(note_sign(&note, &len, go_text, strlen(go_text), &fake, 1), 0);
	assert_int_equal(note_verify(note, len, &vpeter, 1, NULL, NULL), CX_EBADSIG);
	assert_non_null(strstr(cx_lasterr(), "no signature by a known key"));
	free(note);

	keys_free(peter);
	keys_free(vpeter);
	keys_free(other);
	keys_free(vother);
	keys_free(fake);
	keys_free(vfake);
}

static void
test_note_limits(void **state)
{
	keys_key *v = NULL, *u = NULL;
	char *unknown = NULL, *n, *one;
	size_t ulen, i, cap;
	const char *peterline = strstr(go_note, "\xe2\x80\x94");

	assert_int_equal(keys_from_verifier(&v, go_vkey), 0);
	assert_int_equal(keys_generate(&u, KEYS_ED25519, "example.com/witness"), 0);
	assert_int_equal(note_sign(&unknown, &ulen, go_text, strlen(go_text), &u, 1), 0);
	one = strstr(unknown, "\xe2\x80\x94");
	cap = strlen(go_note) + 120 * strlen(one);
	n = malloc(cap);
	/* Peter's plus 99 unknown signatures: 100, accepted */
	strcpy(n, go_note);
	for (i = 0; i < NOTE_MAX_SIGS - 1; i++)
		strcat(n, one);
	assert_int_equal(note_verify(n, strlen(n), &v, 1, NULL, NULL), 0);
	/* one more: refused */
	strcat(n, one);
	assert_int_equal(note_verify(n, strlen(n), &v, 1, NULL, NULL), CX_ETOOBIG);
	/* over the size limit */
	free(n);
	n = malloc(NOTE_MAX_LEN + 200);
	memset(n, 'a', NOTE_MAX_LEN);
	n[NOTE_MAX_LEN - 1] = '\n';
	strcpy(n + NOTE_MAX_LEN, "\n");
	strcat(n, peterline);
	assert_int_equal(note_verify(n, strlen(n), &v, 1, NULL, NULL), CX_ETOOBIG);
	free(n);
	free(unknown);
	keys_free(v);
	keys_free(u);
}

static void
test_note_cosign(void **state)
{
	keys_key *a = NULL, *b = NULL, *c = NULL, *va, *vb, *vc, *vs[3], *signers[2];
	keys_key *pubonly;
	char *note = NULL, *co = NULL, *co2 = NULL;
	size_t len, colen, co2len, tl;
	uint32_t mask;
	const char *text = "g60.cxnode/hangzhou\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

	assert_int_equal(keys_generate(&a, KEYS_ED25519, "hangzhou"), 0);
	assert_int_equal(keys_generate(&b, KEYS_SM2, "jiaxing"), 0);
	assert_int_equal(keys_generate(&c, KEYS_ED25519, "hefei"), 0);
	va = pubof(a);
	vb = pubof(b);
	vc = pubof(c);
	vs[0] = va;
	vs[1] = vb;
	vs[2] = vc;
	signers[0] = a;
	signers[1] = b;
	assert_int_equal(note_sign(&note, &len, text, strlen(text), signers, 2), 0);
	assert_int_equal(note_verify(note, len, vs, 3, &tl, &mask), 0);
	assert_int_equal(mask, 3);
	assert_int_equal(tl, strlen(text));
	assert_int_equal(note_verify(note, len, &vb, 1, NULL, &mask), 0);  /* SM2 alone */
	assert_int_equal(mask, 1);

	assert_int_equal(note_add_sig(&co, &colen, note, len, c), 0);
	assert_true(colen > len);
	assert_memory_equal(co, note, len);  /* existing bytes kept */
	assert_int_equal(note_verify(co, colen, vs, 3, NULL, &mask), 0);
	assert_int_equal(mask, 7);
	/* signing twice with one key is refused */
	assert_int_equal(note_add_sig(&co2, &co2len, co, colen, c), CX_EEXIST);
	assert_int_equal(note_add_sig(&co2, &co2len, co, colen, a), CX_EEXIST);
	assert_null(co2);
	assert_int_equal(note_add_sig(&co2, &co2len, text, strlen(text), c), CX_EFORMAT);
	assert_int_equal(note_add_sig(&co2, &co2len, note, len, vc), CX_EINVAL);
	/* a bad cosignature spoils the note for those who know that key */
	co[colen - 6] = co[colen - 6] == 'A' ? 'B' : 'A';
	assert_int_equal(note_verify(co, colen, vs, 3, NULL, NULL), CX_EBADSIG);
	assert_int_equal(note_verify(co, colen, vs, 2, NULL, &mask), 0);

	/* refusals when signing */
	assert_int_equal(note_sign(&co2, &co2len, "no newline", 10, &a, 1), CX_EINVAL);
	assert_int_equal(note_sign(&co2, &co2len, "tab\there\n", 9, &a, 1), CX_EINVAL);
	assert_int_equal(note_sign(&co2, &co2len, text, strlen(text), signers, 0), CX_EINVAL);
	pubonly = va;
	assert_int_equal(note_sign(&co2, &co2len, text, strlen(text), &pubonly, 1), CX_EINVAL);
	signers[1] = a;
	assert_int_equal(note_sign(&co2, &co2len, text, strlen(text), signers, 2), CX_EINVAL);
	assert_null(co2);

	free(note);
	free(co);
	keys_free(a);
	keys_free(b);
	keys_free(c);
	keys_free(va);
	keys_free(vb);
	keys_free(vc);
}

/* ---- cosignatures -------------------------------------------------------- */

/*
 * No published cosignature/v1 vector gives both the witness key and a
 * signature, so this one was computed independently (Python's
 * cryptography package, straight from c2sp.org/tlog-cosignature) with the
 * Go note test key above as the witness key, over the spec's example
 * checkpoint at the spec's example time. Ed25519 is deterministic, so the
 * line must match byte for byte.
 */
static const char cs_text[] =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
static const char cs_line[] =
    "\xe2\x80\x94 PeterNeumann GLl4CwAAAABkGFDLJeR//pqzhnEKVvEm2wWbh2RJ6oru5+cUUfm5X9Nn"
    "laGr8aSH9QE5RVZD4QGlxl2F5UpVIIi94p178KLfqPPsAA==\n";
static const char cs_vkey[] = "PeterNeumann+18b9780b+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

static void
test_cosig_vector(void **state)
{
	keys_key *k = NULL, *pub = NULL;
	char *line = NULL, *vk = NULL;
	size_t len;
	uint32_t id;
	uint64_t t;

	assert_int_equal(keys_from_signer(&k, go_skey), 0);
	assert_int_equal(keys_from_verifier(&pub, go_vkey), 0);
	assert_int_equal(cosig_key_id(k, &id), 0);
	assert_int_equal(id, 0x18b9780b);
	assert_int_not_equal(id, keys_id(k));   /* not the note key id */
	assert_int_equal(cosig_vkey(&vk, pub), 0);
	assert_string_equal(vk, cs_vkey);
	assert_int_equal(cosig_sign(&line, &len, k, cs_text, strlen(cs_text), 1679315147), 0);
	assert_int_equal(len, strlen(cs_line));
	assert_string_equal(line, cs_line);
	assert_int_equal(cosig_verify(cs_line, strlen(cs_line), pub, cs_text, strlen(cs_text), &t), 0);
	assert_int_equal(t, 1679315147);
	free(line);
	free(vk);
	keys_free(k);
	keys_free(pub);
}

static void
cosig_roundtrip(int alg)
{
	static const char text[] = "g60.cxnode/hangzhou\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	static const char other[] = "g60.cxnode/hangzhou\n13\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	keys_key *w = NULL, *wpub, *w2 = NULL, *same = NULL;
	char *line = NULL, *bad, *line2 = NULL;
	size_t len, tl = strlen(text), len2, i;
	uint64_t t = 99;

	assert_int_equal(keys_generate(&w, alg, "jiaxing"), 0);
	wpub = pubof(w);
	assert_int_equal(cosig_sign(&line, &len, w, text, tl, 1767225600), 0);
	assert_int_equal(strlen(line), len);
	if (alg == KEYS_ED25519)
		assert_int_equal(len, 4 + strlen("jiaxing") + 1 + 104 + 1);
	assert_int_equal(cosig_verify(line, len, wpub, text, tl, &t), 0);
	assert_int_equal(t, 1767225600);
	assert_int_equal(cosig_verify(line, len, w, text, tl, NULL), 0);

	/* tampered text, another checkpoint */
	assert_int_equal(cosig_verify(line, len, wpub, other, tl, &t), CX_EBADSIG);
	assert_int_equal(t, 0);
	/* another key of the same name; another name */
	assert_int_equal(keys_generate(&same, alg, "jiaxing"), 0);
	assert_int_equal(cosig_verify(line, len, same, text, tl, NULL), CX_EBADSIG);
	assert_int_equal(keys_generate(&w2, alg, "songjiang"), 0);
	assert_int_equal(cosig_verify(line, len, w2, text, tl, NULL), CX_EBADSIG);

	/* the time is signed: change its bytes (decoded offset 4..12) */
	{
		uint8_t raw[200];
		size_t n, off = 4 + strlen("jiaxing") + 1;
		char enc[300];

		assert_int_equal(b64_decode(raw, sizeof(raw), &n, line + off, len - off - 1), 0);
		raw[11] ^= 1;
		b64_encode(enc, raw, n);
		bad = malloc(len + 1);
		memcpy(bad, line, off);
		memcpy(bad + off, enc, strlen(enc));
		bad[off + strlen(enc)] = '\n';
		assert_int_equal(cosig_verify(bad, len, wpub, text, tl, NULL), CX_EBADSIG);
		/* a time over 2^63 - 1 is malformed */
		raw[4] = 0x80;
		b64_encode(enc, raw, n);
		memcpy(bad + off, enc, strlen(enc));
		assert_int_equal(cosig_verify(bad, len, wpub, text, tl, NULL), CX_EFORMAT);
		/* a flipped signature byte */
		raw[4] = 0;
		raw[11] ^= 1;
		raw[n - 3] ^= 0x10;
		b64_encode(enc, raw, n);
		memcpy(bad + off, enc, strlen(enc));
		assert_int_equal(cosig_verify(bad, len, wpub, text, tl, NULL), CX_EBADSIG);
		free(bad);
	}
	/* signed at another time: the same text, another line */
	assert_int_equal(cosig_sign(&line2, &len2, w, text, tl, 1767225601), 0);
	assert_int_not_equal(strcmp(line, line2), 0);
	assert_int_equal(cosig_verify(line2, len2, wpub, text, tl, &t), 0);
	assert_int_equal(t, 1767225601);

	/* truncated anywhere: refused, never accepted */
	for (i = 0; i < len; i++)
		assert_int_not_equal(cosig_verify(line, i, wpub, text, tl, NULL), 0);
	assert_int_equal(cosig_verify(line, len - 1, wpub, text, tl, NULL), CX_EFORMAT);
	assert_int_equal(cosig_verify(line, 3, wpub, text, tl, NULL), CX_EFORMAT);
	/* two lines are not one */
	bad = malloc(len + len2 + 1);
	memcpy(bad, line, len);
	memcpy(bad + len, line2, len2);
	assert_int_equal(cosig_verify(bad, len + len2, wpub, text, tl, NULL), CX_EFORMAT);
	free(bad);

	free(line2);

	/* refusals when signing (the line is NULL after one) */
	assert_int_equal(cosig_sign(&line2, &len2, wpub, text, tl, 1), CX_EINVAL);
	assert_null(line2);
	assert_int_equal(cosig_sign(&line2, &len2, w, text, tl - 1, 1), CX_EINVAL);
	assert_int_equal(cosig_sign(&line2, &len2, w, text, 0, 1), CX_EINVAL);
	assert_int_equal(cosig_sign(&line2, &len2, w, text, tl, (uint64_t)1 << 63), CX_EINVAL);
	assert_int_equal(cosig_sign(&line2, &len2, w, text, tl, INT64_MAX), 0);
	assert_int_equal(cosig_verify(line2, len2, wpub, text, tl, &t), 0);
	assert_int_equal(t, (uint64_t)INT64_MAX);
	free(line2);

	free(line);
	keys_free(w);
	keys_free(wpub);
	keys_free(w2);
	keys_free(same);
}

static void
test_cosig_ed25519(void **state)
{
	cosig_roundtrip(KEYS_ED25519);
}

static void
test_cosig_sm2(void **state)
{
	keys_key *k = NULL;
	char *vk = NULL;
	uint8_t raw[128];
	size_t n;
	const char *b;

	cosig_roundtrip(KEYS_SM2);
	/* the SM2 vkey carries 0xff "cxnode.cosig-sm2-sm3" and the 65-byte point */
	assert_int_equal(keys_generate(&k, KEYS_SM2, "jiaxing"), 0);
	assert_int_equal(cosig_vkey(&vk, k), 0);
	b = strchr(strchr(vk, '+') + 1, '+') + 1;   /* base64 may hold '+' */
	assert_int_equal(b64_decode(raw, sizeof(raw), &n, b, strlen(b)), 0);
	assert_int_equal(n, 1 + strlen(COSIG_SM2_IDENT) + 65);
	assert_int_equal(raw[0], 0xff);
	assert_memory_equal(raw + 1, COSIG_SM2_IDENT, strlen(COSIG_SM2_IDENT));
	assert_int_equal(raw[1 + strlen(COSIG_SM2_IDENT)], 0x04);
	free(vk);
	keys_free(k);
}

/* A cosigned checkpoint note: the log's signature still verifies, and the
 * witness's cosignature is found among the lines. */
static void
test_cosig_note(void **state)
{
	static const char text[] = "g60.cxnode/songjiang\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	keys_key *log = NULL, *logpub, *w = NULL, *wpub, *w2 = NULL;
	char *note = NULL, *line = NULL, *both;
	size_t nlen, llen, tl;
	uint64_t t;

	assert_int_equal(keys_generate(&log, KEYS_ED25519, "songjiang"), 0);
	logpub = pubof(log);
	assert_int_equal(keys_generate(&w, KEYS_ED25519, "jiaxing"), 0);
	wpub = pubof(w);
	assert_int_equal(keys_generate(&w2, KEYS_SM2, "hangzhou"), 0);
	assert_int_equal(note_sign(&note, &nlen, text, strlen(text), &log, 1), 0);
	assert_int_equal(cosig_note_verify(note, nlen, wpub, &t), CX_ENOTFOUND);
	assert_int_equal(cosig_sign(&line, &llen, w, text, strlen(text), 1767225600), 0);
	both = malloc(nlen + llen + 1);
	memcpy(both, note, nlen);
	memcpy(both + nlen, line, llen + 1);
	assert_int_equal(note_verify(both, nlen + llen, &logpub, 1, &tl, NULL), 0);
	assert_int_equal(tl, strlen(text));
	/* the witness's note key (type 0x01) does not take the cosignature for its own */
	assert_int_equal(note_verify(both, nlen + llen, &wpub, 1, NULL, NULL), CX_EBADSIG);
	assert_int_equal(cosig_note_verify(both, nlen + llen, wpub, &t), 0);
	assert_int_equal(t, 1767225600);
	assert_int_equal(cosig_note_verify(both, nlen + llen, w2, &t), CX_ENOTFOUND);
	assert_int_equal(cosig_note_verify(both, nlen, wpub, &t), CX_ENOTFOUND);
	assert_int_equal(cosig_note_verify("x\n", 2, wpub, &t), CX_EFORMAT);
	both[3] ^= 1;   /* the origin changes: the cosignature fails */
	assert_int_equal(cosig_note_verify(both, nlen + llen, wpub, &t), CX_EBADSIG);
	free(both);
	free(line);
	free(note);
	keys_free(log);
	keys_free(logpub);
	keys_free(w);
	keys_free(wpub);
	keys_free(w2);
}

/* ---- roster ------------------------------------------------------------ */

struct fixture {
	keys_key *root, *rootpub, *hz1, *hz2, *hz3, *jxk;
	char *vhz1, *vhz2, *vhz3, *vjx;
	Cx__MemberKey k1, k2, k3, kj, *hzkeys[3], *jxkeys[1];
	Cx__Member hz, jx, *members[2];
	Cx__RecordKind hzkinds[2], jxkinds[1];
	char *hzend[1];
	Cx__Roster r;
};

static struct fixture *
fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	Cx__MemberKey mk = CX__MEMBER_KEY__INIT;
	Cx__Member m = CX__MEMBER__INIT;
	Cx__Roster r = CX__ROSTER__INIT;

	assert_non_null(f);
	assert_int_equal(keys_generate(&f->root, KEYS_ED25519, "g60/root"), 0);
	f->rootpub = pubof(f->root);
	assert_int_equal(keys_generate(&f->hz1, KEYS_ED25519, "hangzhou"), 0);
	assert_int_equal(keys_generate(&f->hz2, KEYS_SM2, "hangzhou"), 0);
	assert_int_equal(keys_generate(&f->hz3, KEYS_ED25519, "hangzhou"), 0);
	assert_int_equal(keys_generate(&f->jxk, KEYS_ED25519, "jiaxing"), 0);
	keys_verifier(&f->vhz1, f->hz1);
	keys_verifier(&f->vhz2, f->hz2);
	keys_verifier(&f->vhz3, f->hz3);
	keys_verifier(&f->vjx, f->jxk);
	/* hz1 for [1000, 2000), hz2 from 2000 on, hz3 from 1500 but revoked */
	f->k1 = mk;
	f->k1.verifier = f->vhz1;
	f->k1.valid_from = 1000;
	f->k1.valid_until = 2000;
	f->k2 = mk;
	f->k2.verifier = f->vhz2;
	f->k2.valid_from = 2000;
	f->k3 = mk;
	f->k3.verifier = f->vhz3;
	f->k3.valid_from = 1500;
	f->k3.revoked = 1;
	f->kj = mk;
	f->kj.verifier = f->vjx;
	f->hzkeys[0] = &f->k1;
	f->hzkeys[1] = &f->k2;
	f->hzkeys[2] = &f->k3;
	f->jxkeys[0] = &f->kj;
	f->hzkinds[0] = CX__RECORD_KIND__PENALTY;
	f->hzkinds[1] = CX__RECORD_KIND__LICENCE;
	f->jxkinds[0] = CX__RECORD_KIND__EVALUATION;
	f->hzend[0] = "tls+tcp://hz.example:7060";
	f->hz = m;
	f->hz.id = "hangzhou";
	f->hz.region = "330100";
	f->hz.name = "杭州";
	f->hz.n_keys = 3;
	f->hz.keys = f->hzkeys;
	f->hz.n_endpoints = 1;
	f->hz.endpoints = f->hzend;
	f->hz.n_kinds = 2;
	f->hz.kinds = f->hzkinds;
	f->hz.origin = "g60.cxnode/hangzhou";
	f->jx = m;
	f->jx.id = "jiaxing";
	f->jx.region = "330400";
	f->jx.name = "嘉兴";
	f->jx.n_keys = 1;
	f->jx.keys = f->jxkeys;
	f->jx.n_kinds = 1;
	f->jx.kinds = f->jxkinds;
	f->members[0] = &f->hz;
	f->members[1] = &f->jx;
	f->r = r;
	f->r.federation = "g60";
	f->r.version = 3;
	f->r.issued_at = 1767225600;
	f->r.n_members = 2;
	f->r.members = f->members;
	return f;
}

static void
fixture_free(struct fixture *f)
{
	keys_free(f->root);
	keys_free(f->rootpub);
	keys_free(f->hz1);
	keys_free(f->hz2);
	keys_free(f->hz3);
	keys_free(f->jxk);
	free(f->vhz1);
	free(f->vhz2);
	free(f->vhz3);
	free(f->vjx);
	free(f);
}

static void
test_roster_sign_open(void **state)
{
	struct fixture *f = fixture_new();
	Cx__Roster *r = NULL;
	keys_key *other = NULL, *otherpub;
	uint8_t *buf = NULL, *bad;
	const uint8_t *inner;
	size_t len, i, innerlen;
	uint8_t *packed;

	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), 0);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), 0);
	assert_string_equal(r->federation, "g60");
	assert_int_equal(r->version, 3);
	assert_int_equal(r->n_members, 2);
	assert_string_equal(r->members[0]->name, "杭州");
	assert_string_equal(r->members[0]->keys[1]->verifier, f->vhz2);
	assert_string_equal(r->members[0]->endpoints[0], "tls+tcp://hz.example:7060");
	assert_int_equal(r->members[1]->kinds[0], CX__RECORD_KIND__EVALUATION);
	roster_free(r);
	r = NULL;
	roster_free(NULL);

	/* the signature covers exactly the Roster bytes carried inside */
	innerlen = cx__roster__get_packed_size(&f->r);
	packed = malloc(innerlen);
	cx__roster__pack(&f->r, packed);
	inner = memmem(buf, len, packed, innerlen);
	assert_non_null(inner);
	free(packed);

	/* every flipped byte is refused; inside the signed bytes, as a bad signature */
	bad = malloc(len);
	for (i = 0; i < len; i++) {
		int rc;

		memcpy(bad, buf, len);
		bad[i] ^= 0x01;
		rc = roster_open(&r, bad, len, f->rootpub);
		assert_int_not_equal(rc, 0);
		assert_null(r);
		if (bad + i >= bad + (inner - buf) && i < (size_t)(inner - buf) + innerlen)
			assert_int_equal(rc, CX_EBADSIG);
	}
	/* truncated */
	assert_int_not_equal(roster_open(&r, buf, len - 1, f->rootpub), 0);
	assert_int_equal(roster_open(&r, (const uint8_t *)"\x0a\xff", 2, f->rootpub), CX_EFORMAT);
	free(bad);

	/* another root: refused, with or without the same name */
	assert_int_equal(keys_generate(&other, KEYS_ED25519, "g60/root"), 0);
	otherpub = pubof(other);
	assert_int_equal(roster_open(&r, buf, len, otherpub), CX_EBADSIG);
	keys_free(otherpub);
	keys_free(other);
	assert_int_equal(keys_generate(&other, KEYS_ED25519, "other/root"), 0);
	assert_int_equal(roster_open(&r, buf, len, other), CX_EBADSIG);
	keys_free(other);
	free(buf);

	/* the root's public key alone cannot sign */
	assert_int_equal(roster_sign(&buf, &len, &f->r, f->rootpub), CX_EINVAL);
	/* an SM2 root works the same way */
	assert_int_equal(keys_generate(&other, KEYS_SM2, "g60/root-sm2"), 0);
	otherpub = pubof(other);
	assert_int_equal(roster_sign(&buf, &len, &f->r, other), 0);
	assert_int_equal(roster_open(&r, buf, len, otherpub), 0);
	roster_free(r);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), CX_EBADSIG);
	assert_null(r);
	free(buf);
	keys_free(otherpub);
	keys_free(other);
	fixture_free(f);
}

static void
test_roster_rules(void **state)
{
	struct fixture *f = fixture_new();
	uint8_t *buf = NULL;
	size_t len;
	Cx__RecordKind badkind = (Cx__RecordKind)99;

	assert_int_equal(roster_check(&f->r), 0);
	f->jx.id = "hangzhou";
	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), CX_EFORMAT);
	f->jx.id = "jia xing";
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->jx.id = "jiaxing";
	f->jx.region = "33040";
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->jx.region = "33040x";
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->jx.region = "330400";
	f->kj.verifier = f->vhz1;  /* hangzhou's key listed for jiaxing */
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->kj.verifier = "jiaxing+00000000+AAAA";
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->kj.verifier = f->vjx;
	f->kj.valid_from = 50;
	f->kj.valid_until = 50;
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->kj.valid_until = 0;
	f->jx.kinds = &badkind;
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->jx.kinds = f->jxkinds;
	f->r.federation = "";
	assert_int_equal(roster_check(&f->r), CX_EFORMAT);
	f->r.federation = "g60";
	assert_int_equal(roster_check(&f->r), 0);
	assert_null(buf);
	fixture_free(f);
}

static void
test_roster_versions(void **state)
{
	struct fixture *f = fixture_new();
	Cx__Roster *v3 = NULL, *v4 = NULL, *v3b = NULL;
	uint8_t *b3, *b4;
	size_t l3, l4;

	assert_int_equal(roster_sign(&b3, &l3, &f->r, f->root), 0);
	f->r.version = 4;
	assert_int_equal(roster_sign(&b4, &l4, &f->r, f->root), 0);
	assert_int_equal(roster_open(&v3, b3, l3, f->rootpub), 0);
	assert_int_equal(roster_open(&v3b, b3, l3, f->rootpub), 0);
	assert_int_equal(roster_open(&v4, b4, l4, f->rootpub), 0);
	assert_int_equal(roster_newer(NULL, v3), 0);
	assert_int_equal(roster_newer(v3, v4), 0);
	assert_int_equal(roster_newer(v4, v3), CX_ESTALE);
	assert_int_equal(roster_newer(v3, v3b), CX_ESTALE);
	roster_free(v3);
	roster_free(v3b);
	roster_free(v4);
	free(b3);
	free(b4);
	fixture_free(f);
}

static void
want_key(const Cx__Roster *r, uint64_t at, const keys_key *want)
{
	keys_key *k = NULL;

	assert_int_equal(roster_member_key(&k, r, "hangzhou", at), 0);
	assert_int_equal(keys_id(k), keys_id(want));
	assert_false(keys_has_private(k));
	keys_free(k);
}

static void
test_roster_keys(void **state)
{
	struct fixture *f = fixture_new();
	Cx__Roster *r = NULL;
	keys_key *k = NULL;
	uint8_t *buf;
	size_t len;

	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), 0);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), 0);
	free(buf);
	assert_int_equal(roster_member_key(&k, r, "hangzhou", 999), CX_EPERM);
	want_key(r, 1000, f->hz1);
	want_key(r, 1700, f->hz1);   /* hz3 would be newer, but it is revoked */
	want_key(r, 1999, f->hz1);
	want_key(r, 2000, f->hz2);
	want_key(r, 4000000000u, f->hz2);
	assert_int_equal(roster_member_key(&k, r, "nanjing", 2000), CX_ENOTFOUND);
	assert_null(roster_member(r, "nanjing"));
	assert_string_equal(roster_member(r, "jiaxing")->region, "330400");
	assert_int_equal(roster_member_key(&k, r, "jiaxing", 0), 0);  /* open window */
	keys_free(k);
	k = NULL;
	roster_free(r);

	/* revoke hz2 and lift hz3's revocation: hz3 takes over from 1500 */
	f->k2.revoked = 1;
	f->k3.revoked = 0;
	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), 0);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), 0);
	free(buf);
	want_key(r, 1400, f->hz1);
	want_key(r, 1500, f->hz3);
	want_key(r, 2500, f->hz3);
	roster_free(r);

	/* every key revoked; a retired member */
	f->k1.revoked = f->k3.revoked = 1;
	f->jx.retired = 1;
	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), 0);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), 0);
	free(buf);
	assert_int_equal(roster_member_key(&k, r, "hangzhou", 1500), CX_EPERM);
	assert_int_equal(roster_member_key(&k, r, "jiaxing", 1500), CX_EPERM);
	assert_null(k);
	roster_free(r);
	fixture_free(f);
}

/* The key ids of roster_member_keys(hangzhou, at), in order, 0-terminated. */
static void
want_keys(const Cx__Roster *r, uint64_t at, const keys_key *a, const keys_key *b)
{
	keys_key **ks = NULL;
	size_t n = 99;

	assert_int_equal(roster_member_keys(&ks, &n, r, "hangzhou", at), 0);
	assert_int_equal(n, (a != NULL) + (b != NULL));
	if (a != NULL) {
		assert_int_equal(keys_id(ks[0]), keys_id(a));
		assert_false(keys_has_private(ks[0]));
	}
	if (b != NULL)
		assert_int_equal(keys_id(ks[1]), keys_id(b));
	if (n == 0)
		assert_null(ks);
	roster_keys_free(ks, n);
}

static void
test_roster_member_keys(void **state)
{
	struct fixture *f = fixture_new();
	Cx__Roster *r = NULL;
	keys_key **ks = (keys_key **)1;
	uint8_t *buf;
	size_t len, n = 7;

	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), 0);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), 0);
	free(buf);
	/* hz1 [1000, 2000), hz2 [2000, ..), hz3 revoked */
	want_keys(r, 0, f->hz1, f->hz2);
	want_keys(r, 999, NULL, NULL);
	want_keys(r, 1000, f->hz1, NULL);
	want_keys(r, 1999, f->hz1, NULL);
	want_keys(r, 2000, f->hz2, NULL);
	want_keys(r, 4000000000u, f->hz2, NULL);
	assert_int_equal(roster_member_keys(&ks, &n, r, "nanjing", 0), CX_ENOTFOUND);
	assert_null(ks);
	assert_int_equal(n, 0);
	roster_keys_free(NULL, 0);
	roster_free(r);

	/* rotate: hz2 revoked, hz3 restored; a retired member has none */
	f->k2.revoked = 1;
	f->k3.revoked = 0;
	f->jx.retired = 1;
	assert_int_equal(roster_sign(&buf, &len, &f->r, f->root), 0);
	assert_int_equal(roster_open(&r, buf, len, f->rootpub), 0);
	free(buf);
	want_keys(r, 0, f->hz1, f->hz3);
	want_keys(r, 1700, f->hz1, f->hz3);
	want_keys(r, 2500, f->hz3, NULL);
	assert_int_equal(roster_member_keys(&ks, &n, r, "jiaxing", 0), CX_EPERM);
	assert_null(ks);
	roster_free(r);
	fixture_free(f);
}

static void
test_roster_may_issue(void **state)
{
	struct fixture *f = fixture_new();

	assert_int_equal(roster_may_issue(&f->r, "hangzhou", CX__RECORD_KIND__PENALTY), 0);
	assert_int_equal(roster_may_issue(&f->r, "hangzhou", CX__RECORD_KIND__LICENCE), 0);
	assert_int_equal(roster_may_issue(&f->r, "hangzhou", CX__RECORD_KIND__RED_LIST), CX_EPERM);
	assert_int_equal(roster_may_issue(&f->r, "jiaxing", CX__RECORD_KIND__EVALUATION), 0);
	assert_int_equal(roster_may_issue(&f->r, "jiaxing", CX__RECORD_KIND__PENALTY), CX_EPERM);
	assert_int_equal(roster_may_issue(&f->r, "nanjing", CX__RECORD_KIND__PENALTY), CX_EPERM);
	f->jx.retired = 1;
	assert_int_equal(roster_may_issue(&f->r, "jiaxing", CX__RECORD_KIND__EVALUATION), CX_EPERM);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_ed25519),
		cmocka_unit_test(test_file_sm2),
		cmocka_unit_test(test_file_ed25519_pass),
		cmocka_unit_test(test_file_sm2_pass),
		cmocka_unit_test(test_file_refusals),
		cmocka_unit_test(test_file_openssl_reads),
		cmocka_unit_test(test_sign_ed25519),
		cmocka_unit_test(test_sign_sm2),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_verifier_go_vector),
		cmocka_unit_test(test_verifier_ed25519),
		cmocka_unit_test(test_verifier_sm2),
		cmocka_unit_test(test_note_go_vector),
		cmocka_unit_test(test_note_malformed),
		cmocka_unit_test(test_note_unknown_keys),
		cmocka_unit_test(test_note_limits),
		cmocka_unit_test(test_note_cosign),
		cmocka_unit_test(test_roster_sign_open),
		cmocka_unit_test(test_roster_rules),
		cmocka_unit_test(test_roster_versions),
		cmocka_unit_test(test_roster_keys),
		cmocka_unit_test(test_roster_may_issue),
		cmocka_unit_test(test_roster_member_keys),
		cmocka_unit_test(test_cosig_vector),
		cmocka_unit_test(test_cosig_ed25519),
		cmocka_unit_test(test_cosig_sm2),
		cmocka_unit_test(test_cosig_note),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
