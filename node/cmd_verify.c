/*
 * cmd_verify.c — `cxnode verify`: check a whole store, or a proof offline.
 *
 * Store mode recomputes every leaf hash from the record bytes, every stored
 * tree hash from its children, and the root at every stored checkpoint, and
 * checks every checkpoint's signature with the log's registered key. Every
 * problem is printed; the exit status is 1 if there was any.
 *
 * Proof mode needs no node at all: the proof file and the issuer's public
 * key (a signed-note verifier string, or a file holding one).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/cmds.h"
#include "node/node.h"
#include "node/proof.h"
#include "util/err.h"

static void
verify_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode verify --home DIR [--log LOG] [--quiet]\n"
	    "       cxnode verify --proof FILE --key VERIFIER|KEYFILE\n"
	    "\n"
	    "Recompute every tree of the store against its signed checkpoints, or\n"
	    "check a proof file (cxnode prove) offline with the issuer's public key.\n"
	    "\n"
	    "Exit status: 0 verified, 1 problems found, 2 usage or error.\n");
}

struct verify_ctx {
	struct node *n;
	const char *origin;
	uint64_t problems;
	int progress;
	time_t last;
};

static void
verify_problem(void *ctx, uint32_t log, const char *what)
{
	struct verify_ctx *v = ctx;

	v->problems++;
	if (v->progress)
		fputs("\r\033[K", stderr);
	printf("%s: %s\n", v->origin, what);
	(void)log;
}

static void
verify_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct verify_ctx *v = ctx;
	time_t now = time(NULL);

	if (!v->progress || (now == v->last && done != total))
		return;
	v->last = now;
	fprintf(stderr, "\r%s: %llu/%llu leaves%s", v->origin, (unsigned long long)done,
	    (unsigned long long)total, done == total ? "\n" : "");
}

static int
verify_check(void *ctx, uint32_t log, const char *note, size_t len, uint64_t *size, tlog_hash root)
{
	struct verify_ctx *v = ctx;

	return node_check_checkpoint(v->n, log, note, len, size, root);
}

static int
verify_proof(const char *path, const char *keyarg)
{
	json_error_t je;
	json_t *p;
	keys_key *k = NULL;
	const char *what;
	int rc;

	if ((rc = cli_public_key(&k, keyarg)) != 0)
		return cli_fail(rc, "--key");
	p = json_load_file(path, 0, &je);
	if (p == NULL) {
		keys_free(k);
		cli_err("%s:%d: %s", path, je.line, je.text);
		return CLI_FATAL;
	}
	rc = proof_verify(p, k, &what);
	json_decref(p);
	keys_free(k);
	if (rc == CX_ENOMEM || rc == CX_EIO)
		return cli_fail(rc, path);
	if (rc != 0) {
		/* anything else the proof itself is wrong: exit 1, as documented */
		printf("FAILED: %s: %s\n", cx_strerror(rc), cx_lasterr());
		return CLI_PARTIAL;
	}
	printf("verified: %s\n", what);
	return CLI_OK;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "log", required_argument, NULL, 'l' },
		{ "proof", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *logname = NULL, *proof = NULL, *key = NULL;
	struct store_log *logs = NULL;
	struct verify_ctx v = { 0 };
	struct node n;
	size_t nlogs = 0, i;
	uint32_t only = 0;
	int ch, rc, quiet = 0, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'l': logname = optarg; break;
		case 'p': proof = optarg; break;
		case 'k': key = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': verify_usage(stdout); return CLI_OK;
		default: verify_usage(stderr); return CLI_FATAL;
		}
	}
	if (optind != argc || (proof == NULL) == (home == NULL) || (proof != NULL && key == NULL)) {
		verify_usage(stderr);
		return CLI_FATAL;
	}
	if (proof != NULL)
		return verify_proof(proof, key);

	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if (logname != NULL && (rc = node_find_log(&n, logname, &only)) != 0) {
		ret = cli_fail(rc, "verify");
		goto out;
	}
	if ((rc = store_log_list(n.st, &logs, &nlogs)) != 0) {
		ret = cli_fail(rc, "verify");
		goto out;
	}
	v.n = &n;
	v.progress = !quiet && cli_tty();
	for (i = 0; i < nlogs; i++) {
		uint64_t before = v.problems;

		if (logname != NULL && logs[i].id != only)
			continue;
		v.origin = logs[i].origin;
		rc = store_verify(n.st, logs[i].id, verify_check, verify_problem, verify_progress, &v);
		if (rc != 0 && rc != CX_ECORRUPT) {
			ret = cli_fail(rc, logs[i].origin);
			goto out;
		}
		if (rc == CX_ECORRUPT && v.problems == before)
			verify_problem(&v, logs[i].id, cx_lasterr());
		if (!quiet)
			printf("%s: %llu leaves, %s\n", logs[i].origin, (unsigned long long)logs[i].size,
			    v.problems == before ? "verified" : "PROBLEMS FOUND");
	}
	ret = v.problems ? CLI_PARTIAL : CLI_OK;
out:
	store_log_list_free(logs, nlogs);
	node_close(&n);
	return ret;
}
