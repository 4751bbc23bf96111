/*
 * cmd_reindex.c — `cxnode reindex`: rebuild the derived indexes.
 *
 * The indexes are a function of the leaves (node/index.c), so they can be
 * dropped and rebuilt at any time, e.g. after an upgrade that adds an index.
 */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "node/cmds.h"
#include "node/node.h"
#include "util/err.h"

static void
reindex_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode reindex --home DIR\n"
	    "\n"
	    "Drop the derived indexes (subjects, record ids, status changes) and\n"
	    "rebuild them from every leaf of every log in the store.\n");
}

struct reindex_ctx {
	int tty;
	time_t last;
};

static void
reindex_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct reindex_ctx *r = ctx;
	time_t now = time(NULL);

	if (!r->tty || (now == r->last && done != total))
		return;
	r->last = now;
	fprintf(stderr, "\rreindex: %llu/%llu leaves%s", (unsigned long long)done,
	    (unsigned long long)total, done == total ? "\n" : "");
}

int
cmd_reindex(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct reindex_ctx r = { .tty = cli_tty() };
	const char *home = NULL;
	struct node n;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'h': reindex_usage(stdout); return CLI_OK;
		default: reindex_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind != argc) {
		reindex_usage(stderr);
		return CLI_FATAL;
	}
	if ((rc = node_open(&n, home, NODE_WRITE)) != 0)
		return cli_fail(rc, home);
	rc = store_reindex(n.st, reindex_progress, &r);
	node_close(&n);
	if (rc != 0)
		return cli_fail(rc, "reindex");
	printf("indexes rebuilt\n");
	return CLI_OK;
}
