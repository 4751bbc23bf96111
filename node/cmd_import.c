/*
 * cmd_import.c — `cxnode import`: validate files and publish their records.
 *
 * Exit codes: 0 every row accepted; 1 some rows rejected (the good ones are
 * published); 2 usage or fatal error (what was committed before the error
 * stays committed, in whole batches, and verifies).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/cmds.h"
#include "node/import.h"
#include "util/date.h"
#include "util/err.h"

static void
import_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode import --home DIR [options] FILE...\n"
	    "\n"
	    "Validate records and publish them into this node's log. FILE is JSON\n"
	    "Lines (one record per line, docs/formats.md) or CSV with the national\n"
	    "双公示 headers (field codes such as CF_XDR_MC or the Chinese titles), in\n"
	    "UTF-8 (with or without BOM) or GB18030; - reads standard input.\n"
	    "\n"
	    "  --home DIR        node home\n"
	    "  --kind KIND       CSV rows are penalty or licence (default: from headers)\n"
	    "  --batch N         records per transaction and checkpoint (default 50000)\n"
	    "  --today DATE      treat DATE as today (no decision may be later)\n"
	    "  --max-errors N    print at most N rejected rows (default 200; -1 all)\n"
	    "  --json            print the summary as JSON on standard output\n"
	    "  --no-progress     no progress bar even on a terminal\n"
	    "\n"
	    "Exit status: 0 all rows accepted, 1 some rejected, 2 usage or fatal error.\n");
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "kind", required_argument, NULL, 'k' },
		{ "batch", required_argument, NULL, 'b' },
		{ "today", required_argument, NULL, 't' },
		{ "max-errors", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_opts o = { .max_errors = 200, .progress = -1 };
	struct import_stats st = { 0 };
	struct import *im = NULL;
	struct node n;
	const char *home = NULL;
	char *end;
	int ch, rc, json = 0, i, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'k':
			if (strcmp(optarg, "penalty") == 0)
				o.kind = CX__RECORD_KIND__PENALTY;
			else if (strcmp(optarg, "licence") == 0 || strcmp(optarg, "license") == 0)
				o.kind = CX__RECORD_KIND__LICENCE;
			else {
				cli_err("--kind: penalty or licence");
				return CLI_FATAL;
			}
			break;
		case 'b':
			o.batch = strtoul(optarg, &end, 10);
			if (*end || o.batch == 0 || o.batch > 10000000) {
				cli_err("--batch: a number from 1 to 10000000");
				return CLI_FATAL;
			}
			break;
		case 't':
			if (date_parse(&o.today, optarg, strlen(optarg)) != 0) {
				cli_err("--today: not a date: %s", optarg);
				return CLI_FATAL;
			}
			break;
		case 'm':
			o.max_errors = strtol(optarg, &end, 10);
			if (*end || o.max_errors < -1) {
				cli_err("--max-errors: a number, or -1 for all");
				return CLI_FATAL;
			}
			break;
		case 'j': json = 1; break;
		case 'P': o.progress = 0; break;
		case 'h': import_usage(stdout); return CLI_OK;
		default: import_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind >= argc) {
		import_usage(stderr);
		return CLI_FATAL;
	}
	if (o.progress < 0)
		o.progress = cli_tty();
	o.json_errors = json;
	if ((rc = node_open(&n, home, NODE_WRITE | NODE_SIGN)) != 0)
		return cli_fail(rc, home);
	if ((rc = import_begin(&im, &n, &o)) != 0) {
		ret = cli_fail(rc, "import");
		goto out;
	}
	for (i = optind; i < argc; i++) {
		if ((rc = import_file(im, argv[i])) != 0) {
			if (o.progress)
				fputc('\n', stderr);
			ret = cli_fail(rc, argv[i]);
			/* keep what was already committed; drop the pending batch */
			import_abort(im);
			im = NULL;
			goto out;
		}
	}
	rc = import_end(im, &st);
	im = NULL;
	if (rc != 0) {
		ret = cli_fail(rc, "commit");
		json_decref(st.rejects);
		goto out;
	}
	if (json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}",
		    "files", (json_int_t)st.files, "rows", (json_int_t)st.rows,
		    "accepted", (json_int_t)st.accepted, "rejected", (json_int_t)st.rejected,
		    "warnings", (json_int_t)st.warnings, "batches", (json_int_t)st.batches,
		    "tree_size", (json_int_t)st.size, "seconds", st.seconds,
		    "rejects", st.rejects ? st.rejects : json_array());
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		fprintf(stderr, "%llu rows: %llu accepted, %llu rejected", (unsigned long long)st.rows,
		    (unsigned long long)st.accepted, (unsigned long long)st.rejected);
		if (st.warnings)
			fprintf(stderr, " (%llu with warnings)", (unsigned long long)st.warnings);
		fprintf(stderr, "; %llu batches; log %s now has %llu records (%.1f s, %.0f rows/s)\n",
		    (unsigned long long)st.batches, n.cfg.origin, (unsigned long long)st.size,
		    st.seconds, st.seconds > 0 ? st.rows / st.seconds : 0.0);
	}
	ret = st.rejected ? CLI_PARTIAL : CLI_OK;
out:
	import_abort(im);
	node_close(&n);
	return ret;
}
