/*
 * fed.c — the node's federation state: root key, roster, issuer and witness
 * keys, and the federation records beside the logs (see fed.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keys/cosig.h"
#include "keys/note.h"
#include "keys/roster.h"
#include "net/wire.h"
#include "node/fed.h"
#include "node/role.h"
#include "util/err.h"

static void
fed_roster_free(struct fed_roster *r)
{
	if (r == NULL)
		return;
	roster_free(r->r);
	free(r->raw);
	free(r);
}

/* Read the authorised client keys: "VERIFIER [ROLE]" a line; '#' comments. */
static int
fed_load_clients(struct fed *f, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	size_t n = 0;
	int lineno = 0;

	if (fp == NULL)
		return errno == ENOENT ? 0 : cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *v, **l;
		int *rl, role;

		lineno++;
		if (role_client_line(line, &v, &role) != 0) {
			fclose(fp);
			return cx_seterr(CX_EFORMAT, "%s:%d: %s", path, lineno, cx_lasterr());
		}
		if (v == NULL)
			continue;
		if ((l = realloc(f->clients, (n + 2) * sizeof(*l))) != NULL)
			f->clients = l;
		if ((rl = realloc(f->client_roles, (n + 1) * sizeof(*rl))) != NULL)
			f->client_roles = rl;
		if (l == NULL || rl == NULL) {
			free(v);
			fclose(fp);
			return CX_ENOMEM;
		}
		l[n] = v;
		rl[n] = role;
		l[++n] = NULL;
	}
	fclose(fp);
	return 0;
}

/* Open SignedRoster bytes into a new fed_roster. */
static int
fed_roster_parse(struct fed *f, const uint8_t *buf, size_t len, struct fed_roster **out)
{
	struct fed_roster *r;
	int rc;

	if (f->root == NULL && f->n != NULL)
		return cx_seterr(CX_EINVAL, "no federation root key ([federation] root in "
		    "cxnode.conf; cxnode federation install sets it)");
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->raw = malloc(len ? len : 1)) == NULL) {
		free(r);
		return CX_ENOMEM;
	}
	memcpy(r->raw, buf, len);
	r->len = len;
	r->refs = 1;
	if ((rc = roster_open(&r->r, buf, len, f->root)) != 0) {
		fed_roster_free(r);
		return rc;
	}
	if (f->n != NULL && f->n->cfg.federation != NULL && f->n->cfg.federation[0] != '\0' &&
	    strcmp(r->r->federation, f->n->cfg.federation) != 0) {
		rc = cx_seterr(CX_EFORMAT, "roster of federation \"%s\", this node is in \"%s\"",
		    r->r->federation, f->n->cfg.federation);
		fed_roster_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int
fed_open(struct fed *f, struct node *n)
{
	store_txn *t = NULL;
	const void *v;
	size_t vl;
	int rc;

	memset(f, 0, sizeof(*f));
	f->n = n;
	pthread_mutex_init(&f->mu, NULL);
	if (n->cfg.root != NULL && (rc = keys_from_verifier(&f->root, n->cfg.root)) != 0) {
		fed_close(f);
		return cx_seterr(rc, "[federation] root: %s", cx_lasterr());
	}
	if ((rc = fed_load_clients(f, n->cfg.clients)) != 0) {
		fed_close(f);
		return rc;
	}
	if ((rc = store_read_begin(&t, n->st)) != 0) {
		fed_close(f);
		return rc;
	}
	rc = store_aux_get(t, FED_ROSTER_KEY, strlen(FED_ROSTER_KEY), &v, &vl);
	if (rc == 0)
		rc = fed_roster_parse(f, v, vl, &f->cur);
	else if (rc == CX_ENOTFOUND)
		rc = 0;
	store_read_end(t);
	if (rc != 0) {
		rc = cx_seterr(rc, "stored roster: %s", cx_lasterr());
		fed_close(f);
	}
	return rc;
}

int
fed_open_roster(struct fed *f, const uint8_t *buf, size_t len, const keys_key *root)
{
	int rc;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	/* root NULL: roster_open takes the file as it is (the caller said so) */
	f->root = (keys_key *)root;
	rc = fed_roster_parse(f, buf, len, &f->cur);
	f->root = NULL;
	if (rc != 0)
		fed_close(f);
	return rc;
}

void
fed_close(struct fed *f)
{
	size_t i;

	if (f->cur != NULL && --f->cur->refs == 0)
		fed_roster_free(f->cur);
	keys_free(f->root);
	for (i = 0; f->clients != NULL && f->clients[i] != NULL; i++)
		free(f->clients[i]);
	free(f->clients);
	free(f->client_roles);
	pthread_mutex_destroy(&f->mu);
	memset(f, 0, sizeof(*f));
}

struct fed_roster *
fed_roster(struct fed *f)
{
	struct fed_roster *r;

	pthread_mutex_lock(&f->mu);
	if ((r = f->cur) != NULL)
		r->refs++;
	pthread_mutex_unlock(&f->mu);
	return r;
}

void
fed_roster_put(struct fed *f, struct fed_roster *r)
{
	int last;

	if (r == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	last = --r->refs == 0;
	pthread_mutex_unlock(&f->mu);
	if (last)
		fed_roster_free(r);
}

int
fed_roster_install(struct fed *f, const uint8_t *buf, size_t len)
{
	struct fed_roster *r, *old;
	struct store_aux_op op;
	int rc, tries;

	if ((rc = fed_roster_parse(f, buf, len, &r)) != 0)
		return rc;
	/* Take any newer roster another process stored first: the check below
	 * is against what is held, in memory and in the store. */
	if ((rc = fed_reload(f)) != 0) {
		fed_roster_free(r);
		return rc;
	}
	for (tries = 0;; tries++) {
		pthread_mutex_lock(&f->mu);
		old = f->cur;
		if (old != NULL && roster_newer(old->r, r->r) != 0) {
			pthread_mutex_unlock(&f->mu);
			rc = cx_seterr(CX_ESTALE, "roster version %llu is not newer than the held %llu",
			    (unsigned long long)r->r->version, (unsigned long long)old->r->version);
			fed_roster_free(r);
			return rc;
		}
		if (old != NULL && strcmp(old->r->federation, r->r->federation) != 0) {
			pthread_mutex_unlock(&f->mu);
			rc = cx_seterr(CX_EFORMAT, "roster of federation \"%s\", not \"%s\"",
			    r->r->federation, old->r->federation);
			fed_roster_free(r);
			return rc;
		}
		memset(&op, 0, sizeof(op));
		op.key = FED_ROSTER_KEY;
		op.klen = strlen(FED_ROSTER_KEY);
		op.val = buf;
		op.vlen = len;
		/* only over the roster this check was made against: another
		 * process may have stored a newer one meanwhile */
		op.cas = 1;
		op.old = old ? old->raw : NULL;
		op.oldlen = old ? old->len : 0;
		rc = store_aux_write(f->n->st, &op, 1);
		if (rc == 0) {
			f->cur = r;
			if (old != NULL && --old->refs == 0)
				fed_roster_free(old);
			pthread_mutex_unlock(&f->mu);
			return 0;
		}
		pthread_mutex_unlock(&f->mu);
		if (rc != CX_ESTALE || tries == 5 || (rc = fed_reload(f)) != 0) {
			fed_roster_free(r);
			return rc;
		}
	}
}

int
fed_reload(struct fed *f)
{
	struct fed_roster *r = NULL, *old;
	store_txn *t = NULL;
	const void *v;
	size_t vl;
	int rc;

	if ((rc = store_read_begin(&t, f->n->st)) != 0)
		return rc;
	rc = store_aux_get(t, FED_ROSTER_KEY, strlen(FED_ROSTER_KEY), &v, &vl);
	if (rc == 0) {
		pthread_mutex_lock(&f->mu);
		if (f->cur != NULL && f->cur->len == vl && memcmp(f->cur->raw, v, vl) == 0)
			rc = CX_EEXIST;   /* unchanged */
		pthread_mutex_unlock(&f->mu);
		if (rc == 0)
			rc = fed_roster_parse(f, v, vl, &r);
	}
	store_read_end(t);
	if (rc == CX_EEXIST || rc == CX_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&f->mu);
	old = f->cur;
	if (old != NULL && roster_newer(old->r, r->r) != 0) {
		pthread_mutex_unlock(&f->mu);
		fed_roster_free(r);
		return 0;
	}
	f->cur = r;
	if (old != NULL && --old->refs == 0)
		fed_roster_free(old);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

const Cx__Member *
fed_member_by_origin(const Cx__Roster *r, const char *origin)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n_members; i++)
		if (r->members[i]->origin != NULL && strcmp(r->members[i]->origin, origin) == 0)
			return r->members[i];
	return NULL;
}

int
fed_check_checkpoint(const Cx__Roster *r, const char *issuer, const char *note, size_t len,
    uint64_t *size, tlog_hash root, size_t *textlen)
{
	const Cx__Member *m = roster_member(r, issuer);
	keys_key **k = NULL;
	size_t nk = 0, tl;
	uint32_t mask;
	char *origin = NULL;
	int rc;

	if (m == NULL)
		return cx_seterr(CX_EPERM, "%s is not in roster version %llu", issuer,
		    (unsigned long long)r->version);
	if (m->retired)
		return cx_seterr(CX_EPERM, "%s is retired", issuer);
	if ((rc = roster_member_keys(&k, &nk, r, issuer, 0)) != 0)
		return rc;
	if (nk == 0) {
		roster_keys_free(k, nk);
		return cx_seterr(CX_EPERM, "%s has no key that is not revoked", issuer);
	}
	rc = note_verify(note, len, k, nk, &tl, &mask);
	roster_keys_free(k, nk);
	if (rc != 0)
		return cx_seterr(rc, "checkpoint of %s: %s", issuer, cx_lasterr());
	if ((rc = tlog_checkpoint_parse(note, tl, &origin, size, root)) != 0)
		return rc;
	if (m->origin == NULL || strcmp(origin, m->origin) != 0)
		rc = cx_seterr(CX_EFORMAT, "checkpoint origin \"%s\" is not %s's \"%s\"", origin,
		    issuer, m->origin ? m->origin : "");
	free(origin);
	if (rc == 0 && textlen != NULL)
		*textlen = tl;
	return rc;
}

/* The key of member m with key id kid, if it is valid at now. */
static int
fed_member_key_by_id(keys_key **out, const Cx__Member *m, uint32_t kid, uint64_t now)
{
	size_t i;

	if (m->retired)
		return cx_seterr(CX_EPERM, "%s is retired", m->id);
	for (i = 0; i < m->n_keys; i++) {
		const Cx__MemberKey *mk = m->keys[i];
		keys_key *k;

		if (keys_from_verifier(&k, mk->verifier) != 0)
			continue;
		if (keys_id(k) != kid) {
			keys_free(k);
			continue;
		}
		if (mk->revoked || now < mk->valid_from || (mk->valid_until != 0 &&
		    now >= mk->valid_until)) {
			keys_free(k);
			return cx_seterr(CX_EPERM, "key %08x of %s is %s", kid, m->id, mk->revoked ?
			    "revoked" : now < mk->valid_from ? "not valid yet" : "expired");
		}
		*out = k;
		return 0;
	}
	return CX_ENOTFOUND;
}

int
fed_lookup(void *ctx, const char *id, uint32_t key_id, uint64_t now, keys_key **pub, int *role)
{
	struct fed *f = ctx;
	struct fed_roster *r = fed_roster(f);
	const Cx__Member *m;
	size_t i;
	int rc;

	*pub = NULL;
	if (r != NULL && (m = roster_member(r->r, id)) != NULL) {
		*role = 1;   /* WIRE_MEMBER */
		rc = fed_member_key_by_id(pub, m, key_id, now);
		if (rc == CX_ENOTFOUND)   /* the key it should use, for the caller's message */
			rc = roster_member_key(pub, r->r, id, now);
		fed_roster_put(f, r);
		return rc;
	}
	fed_roster_put(f, r);
	for (i = 0; f->clients != NULL && f->clients[i] != NULL; i++) {
		keys_key *k;

		if (keys_from_verifier(&k, f->clients[i]) != 0)
			continue;
		if (strcmp(keys_name(k), id) == 0 && keys_id(k) == key_id) {
			*pub = k;
			*role = f->client_roles[i];   /* >= WIRE_CLIENT (node/role.h) */
			return 0;
		}
		keys_free(k);
	}
	return cx_seterr(CX_ENOTFOUND, "%s is neither a member nor an authorised client", id);
}

int
fed_log(struct fed *f, const char *origin, const char *issuer, uint32_t *log)
{
	int rc = store_log_find(f->n->st, log, origin);

	if (rc != CX_ENOTFOUND)
		return rc;
	rc = store_log_create(f->n->st, log, origin, issuer, NULL);
	if (rc == CX_EEXIST)  /* created meanwhile by another process */
		rc = store_log_find(f->n->st, log, origin);
	return rc;
}

size_t
fed_key_log(uint8_t *buf, char kind, uint32_t log)
{
	buf[0] = (uint8_t)kind;
	idx_put32(buf + 1, log);
	return 5;
}

size_t
fed_key_cosig(uint8_t *buf, size_t cap, uint32_t log, uint64_t size, const char *witness)
{
	size_t wl = witness ? strlen(witness) : 0;

	if (13 + wl > cap)
		return 0;
	buf[0] = 'W';
	idx_put32(buf + 1, log);
	idx_put64(buf + 5, size);
	memcpy(buf + 13, witness, wl);
	return 13 + wl;
}

int
fed_halted(store_txn *t, uint32_t log, char **why)
{
	uint8_t key[5];
	const void *v;
	size_t vl;
	int rc;

	fed_key_log(key, 'H', log);
	if ((rc = store_aux_get(t, key, sizeof(key), &v, &vl)) != 0)
		return rc;
	if (why != NULL && (*why = strndup(v, vl)) == NULL)
		return CX_ENOMEM;
	return 0;
}

static int
fed_one(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	(void)key; (void)klen; (void)val; (void)vlen;
	*(int *)ctx = 1;
	return 1;
}

int
fed_has_evidence(store_txn *t, uint32_t log)
{
	uint8_t key[5];
	int found = 0;

	fed_key_log(key, 'E', log);
	(void)store_aux_scan(t, key, sizeof(key), fed_one, &found);
	return found;
}

int
fed_fork_halted(store_txn *t, uint32_t log)
{
	char *why = NULL;
	int yes;

	if (fed_halted(t, log, &why) != 0)
		return 0;
	yes = strncmp(why, "fork:", 5) == 0;
	free(why);
	return yes;
}

int
fed_record_fork(struct fed *f, uint32_t log, const Cx__Evidence *e)
{
	uint8_t ekey[13], hkey[5], *buf;
	struct store_aux_op ops[2];
	char why[512];
	size_t len = cx__evidence__get_packed_size(e);
	int rc;

	if ((buf = malloc(len ? len : 1)) == NULL)
		return CX_ENOMEM;
	cx__evidence__pack(e, buf);
	ekey[0] = 'E';
	idx_put32(ekey + 1, log);
	idx_put64(ekey + 5, e->found_at);
	fed_key_log(hkey, 'H', log);
	snprintf(why, sizeof(why), "fork: %s signed two inconsistent checkpoints (evidence from "
	    "%s at %llu; cxnode evidence show)", e->issuer, e->peer ? e->peer : "?",
	    (unsigned long long)e->found_at);
	memset(ops, 0, sizeof(ops));
	ops[0].key = ekey;
	ops[0].klen = sizeof(ekey);
	ops[0].val = buf;
	ops[0].vlen = len;
	ops[1].key = hkey;
	ops[1].klen = sizeof(hkey);
	ops[1].val = why;
	ops[1].vlen = strlen(why);
	rc = store_aux_write(f->n->st, ops, 2);
	free(buf);
	return rc;
}

int
fed_clear_halt(struct fed *f, uint32_t log)
{
	uint8_t hkey[5];
	struct store_aux_op op;

	fed_key_log(hkey, 'H', log);
	memset(&op, 0, sizeof(op));
	op.key = hkey;
	op.klen = sizeof(hkey);
	op.del = 1;
	return store_aux_write(f->n->st, &op, 1);
}

int
fed_add_cosig(struct fed *f, const Cx__Roster *r, uint32_t log, uint64_t size,
    const char *note, size_t textlen, const char *witness, const char *line, size_t linelen)
{
	keys_key **k = NULL;
	size_t nk = 0, i, klen;
	uint8_t key[300];
	uint64_t when;
	struct store_aux_op op;
	int rc = CX_EBADSIG;

	if ((klen = fed_key_cosig(key, sizeof(key), log, size, witness)) == 0)
		return cx_seterr(CX_EINVAL, "witness name too long");
	if ((rc = roster_member_keys(&k, &nk, r, witness, 0)) != 0)
		return rc;
	rc = cx_seterr(CX_EBADSIG, "no key of %s verifies its cosignature", witness);
	for (i = 0; i < nk; i++)
		if (cosig_verify(line, linelen, k[i], note, textlen, &when) == 0) {
			rc = 0;
			break;
		}
	roster_keys_free(k, nk);
	if (rc != 0)
		return rc;
	memset(&op, 0, sizeof(op));
	op.key = key;
	op.klen = klen;
	op.val = line;
	op.vlen = linelen;
	op.only_new = 1;
	return store_aux_write(f->n->st, &op, 1);
}

static int
fed_origin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct store_log *)a)->origin, ((const struct store_log *)b)->origin);
}

int
fed_state_digest(struct fed *f, store_txn *t, uint8_t out[32])
{
	struct store_log *logs = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t n = 0, i;
	int rc;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return cx_sslerr("state digest");
	}
	if ((rc = store_log_list(f->n->st, &logs, &n)) != 0) {
		EVP_MD_CTX_free(md);
		return rc;
	}
	qsort(logs, n, sizeof(*logs), fed_origin_cmp);
	for (i = 0; i < n; i++) {
		const char *note;
		size_t tl;

		/* the checkpoint body: origin, size, root */
		if (node_checkpoint_head(t, logs[i].id, &note, NULL, &tl, NULL, NULL) == 0)
			EVP_DigestUpdate(md, note, tl);
	}
	EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	store_log_list_free(logs, n);
	return 0;
}

/* Read a whole small file into a NUL-terminated string. */
static int
fed_slurp(char **out, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	*out = NULL;
	if (fp == NULL)
		return cx_seterr(errno == ENOENT ? CX_ENOTFOUND : CX_EIO, "%s: %s", path,
		    strerror(errno));
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || n > (1 << 20) ||
	    fseek(fp, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return cx_seterr(CX_EIO, "%s: cannot read", path);
	}
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		OPENSSL_cleanse(buf, (size_t)n);
		free(buf);
		return cx_seterr(CX_EIO, "%s: short read", path);
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int
fed_roster_ca(const Cx__Roster *r, char **out)
{
	char *ca = NULL;
	size_t calen = 0, i;

	*out = NULL;
	for (i = 0; i < r->n_members; i++) {
		const char *c = r->members[i]->tls_cert;
		size_t cl = c ? strlen(c) : 0;
		char *nca;

		if (cl == 0 || r->members[i]->retired)
			continue;
		if ((nca = realloc(ca, calen + cl + 2)) == NULL) {
			free(ca);
			return CX_ENOMEM;
		}
		ca = nca;
		memcpy(ca + calen, c, cl);
		calen += cl;
		if (c[cl - 1] != '\n')
			ca[calen++] = '\n';
		ca[calen] = '\0';
	}
	if (ca == NULL)
		return cx_seterr(CX_ENOTFOUND, "the roster has no TLS certificates");
	*out = ca;
	return 0;
}

int
fed_tls(struct fed *f, struct wire_tls *t, const char *server_name)
{
	struct fed_roster *r = fed_roster(f);
	char *cert = NULL, *key = NULL, *ca = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = fed_slurp(&cert, f->n->cfg.tls_cert)) != 0 ||
	    (rc = fed_slurp(&key, f->n->cfg.tls_key)) != 0)
		goto fail;
	if (r == NULL) {
		rc = cx_seterr(CX_ENOTFOUND, "no roster: no TLS certificates to trust");
		goto fail;
	}
	if ((rc = fed_roster_ca(r->r, &ca)) != 0)
		goto fail;
	fed_roster_put(f, r);
	t->cert = cert;
	t->key = key;
	t->ca = ca;
	t->server_name = server_name ? strdup(server_name) : NULL;
	return 0;
fail:
	fed_roster_put(f, r);
	free(cert);
	if (key != NULL) {
		OPENSSL_cleanse(key, strlen(key));
		free(key);
	}
	free(ca);
	return rc;
}

void
fed_tls_free(struct wire_tls *t)
{
	if (t == NULL)
		return;
	free((char *)t->cert);
	if (t->key != NULL) {
		OPENSSL_cleanse((char *)t->key, strlen(t->key));
		free((char *)t->key);
	}
	free((char *)t->ca);
	free((char *)t->server_name);
	memset(t, 0, sizeof(*t));
}
