/*
 * cmd_prove.c — `cxnode prove`: write a portable proof file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cmds.h"
#include "node/node.h"
#include "node/proof.h"
#include "util/err.h"

static void
prove_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode prove --home DIR (--record ID | --index N) [--log LOG] [--out FILE]\n"
	    "       cxnode prove --home DIR --consistency OLD [--to NEW] [--log LOG] [--out FILE]\n"
	    "\n"
	    "Write an inclusion proof of a record (by record id or leaf index) against\n"
	    "the latest signed checkpoint, or a consistency proof between two stored\n"
	    "checkpoints (tree sizes; NEW defaults to the latest). `cxnode verify\n"
	    "--proof FILE --key VERIFIER` checks it offline. JSON, docs/proofs.md.\n");
}

int
cmd_prove(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "record", required_argument, NULL, 'r' },
		{ "index", required_argument, NULL, 'i' },
		{ "consistency", required_argument, NULL, 'c' },
		{ "to", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *record = NULL, *logname = NULL, *outpath = NULL;
	uint64_t index = 0, oldsize = 0, newsize = 0;
	int have_index = 0, have_old = 0, ch, rc, ret = CLI_FATAL;
	struct node n;
	store_txn *t = NULL;
	json_t *p = NULL;
	uint32_t log;
	char *end, *origin = NULL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'r': record = optarg; break;
		case 'i':
			index = strtoull(optarg, &end, 10);
			if (*end || !*optarg) {
				cli_err("--index: a leaf number");
				return CLI_FATAL;
			}
			have_index = 1;
			break;
		case 'c':
			oldsize = strtoull(optarg, &end, 10);
			if (*end || !*optarg || oldsize == 0) {
				cli_err("--consistency: a stored tree size of at least 1 (every tree extends the empty one)");
				return CLI_FATAL;
			}
			have_old = 1;
			break;
		case 't':
			newsize = strtoull(optarg, &end, 10);
			if (*end || !*optarg || newsize == 0) {
				cli_err("--to: a stored tree size of at least 1");
				return CLI_FATAL;
			}
			break;
		case 'l': logname = optarg; break;
		case 'o': outpath = optarg; break;
		case 'h': prove_usage(stdout); return CLI_OK;
		default: prove_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind != argc || (!!record + have_index + have_old) != 1) {
		prove_usage(stderr);
		return CLI_FATAL;
	}
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if ((rc = node_find_log(&n, logname, &log)) != 0 ||
	    (rc = store_read_begin(&t, n.st)) != 0) {
		ret = cli_fail(rc, "prove");
		goto out;
	}
	{
		struct store_log *logs = NULL;
		size_t nl = 0, i;

		if ((rc = store_log_list(n.st, &logs, &nl)) != 0) {
			ret = cli_fail(rc, "prove");
			goto out;
		}
		for (i = 0; i < nl; i++)
			if (logs[i].id == log)
				origin = strdup(logs[i].origin);
		store_log_list_free(logs, nl);
		if (origin == NULL) {
			ret = cli_fail(CX_ENOMEM, "prove");
			goto out;
		}
	}
	if (record != NULL) {
		uint8_t key[512];
		const void *val;
		size_t klen, vlen;

		klen = idx_record_key(key, sizeof(key), log, record);
		rc = klen ? store_index_get(t, key, klen, &val, &vlen) : CX_ENOTFOUND;
		if (rc == CX_ENOTFOUND) {
			cli_err("no record \"%s\" in %s", record, origin);
			goto out;
		}
		if (rc != 0 || vlen != 8) {
			ret = cli_fail(rc ? rc : CX_ECORRUPT, "prove");
			goto out;
		}
		index = idx_get64(val);
		have_index = 1;
	}
	if (have_index)
		rc = proof_inclusion(&p, t, log, origin, index);
	else
		rc = proof_consistency(&p, t, log, origin, oldsize, newsize);
	if (rc != 0) {
		ret = cli_fail(rc, "prove");
		goto out;
	}
	if (outpath != NULL) {
		if (json_dump_file(p, outpath, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
			cli_err("%s: cannot write", outpath);
			goto out;
		}
	} else {
		json_dumpf(p, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	}
	ret = CLI_OK;
out:
	json_decref(p);
	free(origin);
	store_read_end(t);
	node_close(&n);
	return ret;
}
