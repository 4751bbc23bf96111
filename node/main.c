/*
 * main.c — `cxnode`: parse the subcommand and dispatch. Each subcommand is one
 * function in node/cmd_<name>.c that parses its own options.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "node/cli.h"
#include "node/cmds.h"

#ifndef CXNODE_VERSION
#define CXNODE_VERSION "0.1.0"
#endif

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct cli_cmd main_cmds[] = {
	{ "init",       cmd_init,       "create a node home: keys, configuration, empty log" },
	{ "import",     cmd_import,     "validate records (JSON Lines, 双公示 CSV) and publish them" },
	{ "query",      cmd_query,      "records active for a subject on a date" },
	{ "report",     cmd_report,     "a dedicated credit report on a subject, JSON and HTML" },
	{ "quality",    cmd_quality,    "双公示 quality: volumes, compliance, timeliness per department" },
	{ "checkpoint", cmd_checkpoint, "print a log's signed checkpoint" },
	{ "prove",      cmd_prove,      "inclusion proof of a record; consistency proof between sizes" },
	{ "verify",     cmd_verify,     "verify the whole store, or a proof or credit report offline" },
	{ "verify-receipt", cmd_verify_receipt, "check a screening receipt; confirm its answer on a node" },
	{ "reindex",    cmd_reindex,    "rebuild the derived indexes from the logs" },
	{ "status",     cmd_status,     "logs held, tree sizes, checkpoint ages, store use" },
	{ "key",        cmd_key,        "generate keys; show a public key as a signed-note verifier" },
	{ "federation", cmd_federation, "create a federation root, add members, sign a roster" },
	{ "serve",      cmd_serve,      "run the node: serve peers, replicate, witness, announce" },
	{ "sync",       cmd_sync,       "pull now from peers: roster, checkpoints, leaves" },
	{ "reconcile",  cmd_reconcile,  "compare every log with a peer; --repair fetches what is missing" },
	{ "evidence",   cmd_evidence,   "fork evidence: list, export, verify offline, clear" },
	{ "audit",      cmd_audit,      "the audit log of every API call: list, show, verify" },
	{ "client",     cmd_client,     "authorised clients of this node and their roles" },
	{ "token",      cmd_token,      "a bearer token for a node's HTTP API and console" },
	{ "generate",   cmd_generate,   "generate realistic records for tests, demos, benchmarks" },
	{ "help",       cmd_help,       "show this list, or a command's usage" },
	{ "version",    cmd_version,    "print the version" },
};
#define MAIN_NCMDS (sizeof(main_cmds) / sizeof(main_cmds[0]))

static void
main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cxnode <command> [options]\n\n"
	    "cxnode publishes a city's credit records into a signed, append-only\n"
	    "transparency log and answers what is active about a subject.\n\ncommands:\n");
	for (i = 0; i < MAIN_NCMDS; i++)
		fprintf(f, "  %-15s %s\n", main_cmds[i].name, main_cmds[i].help);
	fprintf(f, "\n`cxnode <command> --help` shows a command's options; man cxnode(1).\n");
}

static const struct cli_cmd *
main_find(const char *name)
{
	size_t i;

	for (i = 0; i < MAIN_NCMDS; i++)
		if (strcmp(main_cmds[i].name, name) == 0)
			return &main_cmds[i];
	return NULL;
}

static int
cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	char *hv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		main_usage(stdout);
		return CLI_OK;
	}
	if ((c = main_find(argv[1])) == NULL || c->fn == cmd_help) {
		cli_err("no command \"%s\"", argv[1]);
		return CLI_FATAL;
	}
	hv[0] = argv[1];
	return c->fn(2, hv);
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("cxnode %s (record schema 1, store schema 1)\n", CXNODE_VERSION);
	return CLI_OK;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		main_usage(stderr);
		return CLI_FATAL;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		main_usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	if ((c = main_find(argv[1])) == NULL) {
		cli_err("unknown command \"%s\" (see cxnode help)", argv[1]);
		return CLI_FATAL;
	}
	return c->fn(argc - 1, argv + 1);
}
