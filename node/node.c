/*
 * node.c — opening a node home and the two callbacks that tie the store to
 * the node's keys: signing this node's checkpoints, and checking the
 * checkpoints of any log the store holds against its registered key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "keys/note.h"
#include "keys/roster.h"
#include "node/node.h"
#include "store/tlog.h"
#include "util/err.h"

int
node_roster(struct node *n, Cx__Roster **out)
{
	store_txn *t = NULL;
	keys_key *root = NULL;
	const void *v;
	size_t vl;
	int rc;

	*out = NULL;
	if (n->cfg.root == NULL)
		return cx_seterr(CX_ENOTFOUND, "no federation root key");
	if ((rc = keys_from_verifier(&root, n->cfg.root)) != 0)
		return rc;
	if ((rc = store_read_begin(&t, n->st)) == 0) {
		rc = store_aux_get(t, "roster", 6, &v, &vl);
		if (rc == 0)
			rc = roster_open(out, v, vl, root);
		store_read_end(t);
	}
	keys_free(root);
	return rc;
}

/*
 * The keys that verify log's checkpoints: the issuer's keys in the roster
 * that are not revoked (key rotation keeps old checkpoints verifiable), or,
 * when the node holds no roster, the key the log was registered with.
 */
static int
node_log_keys(struct node *n, const struct store_log *l, keys_key ***out, size_t *nk)
{
	Cx__Roster *r = NULL;
	keys_key **k;
	int rc;

	if (node_roster(n, &r) == 0 && roster_member(r, l->issuer) != NULL) {
		rc = roster_member_keys(out, nk, r, l->issuer, 0);
		roster_free(r);
		return rc;
	}
	roster_free(r);
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return CX_ENOMEM;
	if ((rc = keys_from_verifier(&k[0], l->verifier)) != 0) {
		free(k);
		return rc;
	}
	*out = k;
	*nk = 1;
	return 0;
}

/*
 * The private key must be the one the log is registered with: a checkpoint
 * signed by any other key would be committed for ever and never verify.
 */
static int
node_key_matches(struct node *n)
{
	struct store_log *logs = NULL;
	char *mine = NULL;
	size_t nlogs = 0, i;
	int rc;

	if ((rc = keys_verifier(&mine, n->key)) != 0)
		return rc;
	if ((rc = store_log_list(n->st, &logs, &nlogs)) != 0)
		goto out;
	{
		/* with a roster: a key it lists for this node, not revoked and
		 * valid now (rotation); without one: the key the log was made with */
		Cx__Roster *r = NULL;
		const Cx__Member *m;
		uint64_t now = (uint64_t)time(NULL);
		size_t j;

		if (node_roster(n, &r) == 0 && (m = roster_member(r, n->cfg.id)) != NULL) {
			rc = cx_seterr(CX_EPERM, "%s is not a key roster version %llu lets %s sign "
			    "with now (listed, not revoked, within its validity); refusing to sign "
			    "with it", n->cfg.key_path, (unsigned long long)r->version, n->cfg.id);
			for (j = 0; j < m->n_keys; j++) {
				const Cx__MemberKey *k = m->keys[j];

				if (!k->revoked && strcmp(k->verifier, mine) == 0 &&
				    k->valid_from <= now && (k->valid_until == 0 || now < k->valid_until))
					rc = 0;
			}
			roster_free(r);
			goto out;
		}
		roster_free(r);
	}
	rc = cx_seterr(CX_EPERM, "%s is not the key of log %s; refusing to sign with it",
	    n->cfg.key_path, n->cfg.origin);
	for (i = 0; i < nlogs; i++)
		if (logs[i].id == n->log && strcmp(logs[i].verifier, mine) == 0)
			rc = 0;
out:
	store_log_list_free(logs, nlogs);
	free(mine);
	return rc;
}

int
node_open(struct node *n, const char *home, int flags)
{
	struct store_opts so = { 0 };
	int rc;

	memset(n, 0, sizeof(*n));
	if ((rc = cfg_load(&n->cfg, home)) != 0)
		return rc;
	if ((rc = cli_public_key(&n->pub, n->cfg.pub_path)) != 0)
		goto fail;
	if (flags & NODE_SIGN) {
		if ((rc = cli_key_load(&n->key, n->cfg.key_path, "node key")) != 0)
			goto fail;
	}
	so.readonly = !(flags & NODE_WRITE);
	if ((rc = store_open(&n->st, n->cfg.store_path, &so)) != 0)
		goto fail;
	store_set_indexer(n->st, idx_indexer, n);
	if ((rc = store_log_find(n->st, &n->log, n->cfg.origin)) != 0)
		goto fail;
	if (n->key != NULL && (rc = node_key_matches(n)) != 0)
		goto fail;
	return 0;
fail:
	node_close(n);
	return rc;
}

void
node_close(struct node *n)
{
	if (n == NULL)
		return;
	store_close(n->st);
	keys_free(n->key);
	keys_free(n->pub);
	cfg_free(&n->cfg);
	memset(n, 0, sizeof(*n));
}

int
node_sign_checkpoint(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct node *n = ctx;
	char *text = NULL;
	size_t tlen;
	int rc;

	if (n->key == NULL)
		return cx_seterr(CX_EINVAL, "node key not loaded for signing");
	if ((rc = tlog_checkpoint_format(&text, &tlen, n->cfg.origin, size, root)) != 0)
		return rc;
	rc = note_sign(note, len, text, tlen, &n->key, 1);
	free(text);
	return rc;
}

int
node_check_checkpoint(void *ctx, uint32_t log, const char *note, size_t len,
    uint64_t *size, tlog_hash root)
{
	struct node *n = ctx;
	struct store_log *logs = NULL;
	keys_key **ks = NULL;
	char *origin = NULL;
	size_t nlogs = 0, i, textlen, nk = 0;
	uint32_t mask;
	int rc;

	if ((rc = store_log_list(n->st, &logs, &nlogs)) != 0)
		return rc;
	for (i = 0; i < nlogs && logs[i].id != log; i++)
		;
	if (i == nlogs) {
		rc = cx_seterr(CX_ENOTFOUND, "log %u not registered", log);
		goto out;
	}
	if ((rc = node_log_keys(n, &logs[i], &ks, &nk)) != 0)
		goto out;
	if ((rc = note_verify(note, len, ks, nk, &textlen, &mask)) != 0)
		goto out;
	if ((rc = tlog_checkpoint_parse(note, textlen, &origin, size, root)) != 0)
		goto out;
	if (strcmp(origin, logs[i].origin) != 0)
		rc = cx_seterr(CX_EBADSIG, "checkpoint origin \"%s\" is not the log's \"%s\"",
		    origin, logs[i].origin);
out:
	free(origin);
	roster_keys_free(ks, nk);
	store_log_list_free(logs, nlogs);
	return rc;
}

int
node_checkpoint_head(store_txn *t, uint32_t log, const char **note, size_t *len,
    size_t *textlen, uint64_t *size, tlog_hash root)
{
	char *origin = NULL;
	size_t nl, tl;
	uint64_t got, stated;
	tlog_hash r;
	int rc;

	if ((rc = store_checkpoint(t, log, 0, note, &nl, &got)) != 0)
		return rc;
	if (note_text(*note, nl, &tl) != 0 ||
	    tlog_checkpoint_parse(*note, tl, &origin, &stated, r) != 0 || stated != got) {
		free(origin);
		return cx_seterr(CX_ECORRUPT, "stored checkpoint %llu of log %u is malformed",
		    (unsigned long long)got, log);
	}
	free(origin);
	if (len != NULL)
		*len = nl;
	if (textlen != NULL)
		*textlen = tl;
	if (size != NULL)
		*size = got;
	if (root != NULL)
		memcpy(root, r, TLOG_HASH_LEN);
	return 0;
}

int
node_find_log(struct node *n, const char *name, uint32_t *log)
{
	struct store_log *logs = NULL;
	size_t nlogs = 0, i;
	int rc;

	if (name == NULL) {
		*log = n->log;
		return 0;
	}
	if ((rc = store_log_list(n->st, &logs, &nlogs)) != 0)
		return rc;
	rc = cx_seterr(CX_ENOTFOUND, "no log \"%s\" in this store", name);
	for (i = 0; i < nlogs; i++) {
		if (strcmp(logs[i].origin, name) == 0 || strcmp(logs[i].issuer, name) == 0) {
			*log = logs[i].id;
			rc = 0;
			break;
		}
	}
	store_log_list_free(logs, nlogs);
	return rc;
}
