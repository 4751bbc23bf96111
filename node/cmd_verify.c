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
 *
 * Report mode needs no node either: a dedicated credit report (cxnode
 * report, JSON or its HTML page) and the federation's signed roster
 * (node/report.h, docs/receipts.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "keys/roster.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/proof.h"
#include "node/receipt.h"
#include "node/report.h"
#include "util/err.h"

static void
verify_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode verify --home DIR [--log LOG] [--quiet]\n"
	    "       cxnode verify --proof FILE --key VERIFIER|KEYFILE\n"
	    "       cxnode verify REPORT --roster ROSTER [--root KEY] [--json]\n"
	    "\n"
	    "Recompute every tree of the store against its signed checkpoints, or\n"
	    "check a proof file (cxnode prove) offline with the issuer's public key, or\n"
	    "check a dedicated credit report (cxnode report, JSON or HTML) offline with\n"
	    "the federation's signed roster (--root checks the roster itself).\n"
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

static int
verify_report(const char *path, const char *roster_path, const char *root, int json)
{
	Cx__Roster *roster = NULL;
	json_t *res = NULL;
	char *buf = NULL;
	size_t len;
	int rc, ret;

	if ((ret = receipt_cli_roster(&roster, roster_path, root)) != CLI_OK)
		return ret;
	if ((rc = receipt_read_file(&buf, &len, path, 256u << 20)) != 0) {
		roster_free(roster);
		return cli_fail(rc, path);
	}
	rc = report_verify_bytes(&res, buf, len, roster);
	free(buf);
	roster_free(roster);
	if (res == NULL)
		return cli_fail(rc, path);
	if (root == NULL)
		receipt_note(res, "the roster's own signature was not checked (no --root): its member "
		    "keys were taken as given");
	if (json) {
		json_dumpf(res, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else {
		const json_t *a = json_object_get(res, "records");

		receipt_print(stdout, res);
		if (a != NULL && json_is_true(json_object_get(res, "valid")))
			printf("%lld records, %lld compared with their leaves, %lld leaves withheld; "
			    "every leaf proved into its checkpoint\n", (long long)json_integer_value(a),
			    (long long)json_integer_value(json_object_get(res, "compared")),
			    (long long)json_integer_value(json_object_get(res, "withheld")));
	}
	json_decref(res);
	return rc == 0 ? CLI_OK : CLI_PARTIAL;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "log", required_argument, NULL, 'l' },
		{ "proof", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "roster", required_argument, NULL, 'r' },
		{ "root", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *logname = NULL, *proof = NULL, *key = NULL;
	const char *roster = NULL, *root = NULL;
	struct store_log *logs = NULL;
	struct verify_ctx v = { 0 };
	struct node n;
	size_t nlogs = 0, i;
	uint32_t only = 0;
	int ch, rc, quiet = 0, json = 0, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'l': logname = optarg; break;
		case 'p': proof = optarg; break;
		case 'k': key = optarg; break;
		case 'r': roster = optarg; break;
		case 'R': root = optarg; break;
		case 'j': json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': verify_usage(stdout); return CLI_OK;
		default: verify_usage(stderr); return CLI_FATAL;
		}
	}
	if (roster != NULL || optind != argc) {
		/* a report file */
		if (optind + 1 != argc || roster == NULL || home != NULL || proof != NULL ||
		    key != NULL || logname != NULL) {
			verify_usage(stderr);
			return CLI_FATAL;
		}
		return verify_report(argv[optind], roster, root, json);
	}
	if (root != NULL || json) {
		verify_usage(stderr);
		return CLI_FATAL;
	}
	if ((proof == NULL) == (home == NULL) || (proof != NULL && key == NULL)) {
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
