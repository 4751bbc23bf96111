/*
 * cmd_status.c — `cxnode status`: the logs a node holds and their heads.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/cmds.h"
#include "node/node.h"
#include "util/err.h"

static void
status_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode status --home DIR [--json]\n"
	    "\n"
	    "Show this node, its store's use, and every log the store holds: tree\n"
	    "size and size of the latest signed checkpoint.\n");
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL;
	struct store_log *logs = NULL;
	struct store_stat ss;
	struct node n;
	size_t nlogs = 0, i;
	json_t *arr = NULL;
	int ch, rc, json = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'j': json = 1; break;
		case 'h': status_usage(stdout); return CLI_OK;
		default: status_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind != argc) {
		status_usage(stderr);
		return CLI_FATAL;
	}
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if ((rc = store_log_list(n.st, &logs, &nlogs)) != 0 || (rc = store_stat(n.st, &ss)) != 0) {
		node_close(&n);
		return cli_fail(rc, "status");
	}
	if (json)
		arr = json_array();
	else {
		printf("node %s (%s, region %s), federation %s\n", n.cfg.id,
		    n.cfg.name ? n.cfg.name : "-", n.cfg.region,
		    n.cfg.federation ? n.cfg.federation : "-");
		printf("store: schema %u, %.1f MiB used of a %.1f MiB map, %llu index entries%s\n",
		    ss.schema, ss.used / 1048576.0, ss.mapsize / 1048576.0,
		    (unsigned long long)ss.index_entries,
		    ss.index_complete ? "" : " (INDEX INCOMPLETE: run cxnode reindex)");
		printf("%-32s %-12s %12s %12s\n", "LOG", "ISSUER", "SIZE", "CHECKPOINT");
	}
	for (i = 0; i < nlogs; i++) {
		if (json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:b}",
			    "origin", logs[i].origin, "issuer", logs[i].issuer,
			    "size", (json_int_t)logs[i].size,
			    "checkpoint_size", (json_int_t)logs[i].checkpoint_size,
			    "own", logs[i].id == n.log));
		else
			printf("%-32s %-12s %12llu %12llu%s\n", logs[i].origin, logs[i].issuer,
			    (unsigned long long)logs[i].size,
			    (unsigned long long)logs[i].checkpoint_size,
			    logs[i].id == n.log ? "  (own)" : "");
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:{s:i, s:I, s:I, s:I, s:b}, s:o}", "id", n.cfg.id,
		    "region", n.cfg.region, "origin", n.cfg.origin, "store", "schema", (int)ss.schema,
		    "used", (json_int_t)ss.used, "mapsize", (json_int_t)ss.mapsize,
		    "index_entries", (json_int_t)ss.index_entries, "index_complete", ss.index_complete,
		    "logs", arr);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	}
	store_log_list_free(logs, nlogs);
	node_close(&n);
	return CLI_OK;
}
