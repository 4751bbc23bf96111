/*
 * cmd_checkpoint.c — `cxnode checkpoint`: print a signed checkpoint.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "node/cmds.h"
#include "node/node.h"
#include "util/err.h"

static void
checkpoint_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode checkpoint --home DIR [--log ORIGIN|ISSUER] [--size N]\n"
	    "\n"
	    "Print the latest signed checkpoint (C2SP tlog-checkpoint, signed note)\n"
	    "of this node's log, or of another log the store holds; --size picks\n"
	    "the checkpoint stored for that tree size.\n");
}

int
cmd_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "log", required_argument, NULL, 'l' },
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *logname = NULL, *note;
	struct node n;
	store_txn *t = NULL;
	uint64_t size = 0, got;
	uint32_t log;
	size_t len;
	char *end;
	int ch, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'l': logname = optarg; break;
		case 's':
			size = strtoull(optarg, &end, 10);
			if (*end || size == 0) {
				cli_err("--size: a positive number");
				return CLI_FATAL;
			}
			break;
		case 'h': checkpoint_usage(stdout); return CLI_OK;
		default: checkpoint_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind != argc) {
		checkpoint_usage(stderr);
		return CLI_FATAL;
	}
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if ((rc = node_find_log(&n, logname, &log)) != 0 ||
	    (rc = store_read_begin(&t, n.st)) != 0 ||
	    (rc = store_checkpoint(t, log, size, &note, &len, &got)) != 0) {
		ret = cli_fail(rc, "checkpoint");
		goto out;
	}
	fwrite(note, 1, len, stdout);
	ret = CLI_OK;
out:
	store_read_end(t);
	node_close(&n);
	return ret;
}
