/*
 * node.c — opening a node home and the two callbacks that tie the store to
 * the node's keys: signing this node's checkpoints, and checking the
 * checkpoints of any log the store holds against its registered key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "keys/note.h"
#include "node/node.h"
#include "store/tlog.h"
#include "util/err.h"

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
	keys_key *k = NULL;
	char *origin = NULL;
	size_t nlogs = 0, i, textlen;
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
	if ((rc = keys_from_verifier(&k, logs[i].verifier)) != 0)
		goto out;
	if ((rc = note_verify(note, len, &k, 1, &textlen, &mask)) != 0)
		goto out;
	if ((rc = tlog_checkpoint_parse(note, textlen, &origin, size, root)) != 0)
		goto out;
	if (strcmp(origin, logs[i].origin) != 0)
		rc = cx_seterr(CX_EBADSIG, "checkpoint origin \"%s\" is not the log's \"%s\"",
		    origin, logs[i].origin);
out:
	free(origin);
	keys_free(k);
	store_log_list_free(logs, nlogs);
	return rc;
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
