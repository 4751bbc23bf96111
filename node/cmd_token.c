/*
 * cmd_token.c — `cxnode token`: a bearer token for a node's HTTP API and
 * console, asked for over an authenticated nng session, so that the token
 * carries the identity and role that the key proved (docs/api.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/cli.h"
#include "node/cmds.h"
#include "node/remote.h"
#include "util/err.h"

static void
token_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode token --remote URL (--key FILE --roster FILE [--root KEY] | --home DIR)\n"
	    "                    [--server ID] [--ttl SECONDS] [--json] [--timeout SECONDS]\n"
	    "\n"
	    "Ask a node for a bearer token for its HTTP API and web console, bound to the\n"
	    "identity and role your key has there. Prints the token (a secret: treat it\n"
	    "like a password); a restart of the node forgets it.\n"
	    "\n"
	    "  --remote URL      the node's client or member listener\n"
	    "  --key FILE        your private key (an authorised client's)\n"
	    "  --roster FILE     the federation's signed roster (to know the node's key)\n"
	    "  --root KEY        the federation root key, to check the roster with\n"
	    "  --home DIR        a node home instead: its roster and its own key\n"
	    "  --server ID       the member id the node must be\n"
	    "  --ttl SECONDS     lifetime, 60 to 43200 (default 3600)\n"
	    "  --timeout SECONDS how long to wait for each answer\n"
	    "  --json            print {token, expires, who, role}\n"
	    "\n"
	    "Exit status: 0 printed, 1 refused by the node, 2 usage or error.\n");
}

int
cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		REMOTE_LONGOPTS,
		{ "home", required_argument, NULL, 'H' },
		{ "ttl", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct remote_opts ro = { 0 };
	json_t *params, *res = NULL;
	long ttl = 0;
	int ch, json = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (remote_opt(&ro, ch, optarg))
			continue;
		switch (ch) {
		case 'H': ro.home = optarg; break;
		case 't': {
			char *end;

			ttl = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || ttl < 60 || ttl > 43200) {
				cli_err("--ttl: seconds, 60 to 43200");
				return CLI_FATAL;
			}
			break;
		}
		case 'j': json = 1; break;
		case 'h': token_usage(stdout); return CLI_OK;
		default: token_usage(stderr); return CLI_FATAL;
		}
	}
	if (ro.url == NULL || optind != argc) {
		token_usage(stderr);
		return CLI_FATAL;
	}
	params = ttl ? json_pack("{s:I}", "ttl", (json_int_t)ttl) : json_object();
	rc = remote_api(&ro, "token", params, &res);
	json_decref(params);
	if (rc != 0) {
		cli_err("%s", cx_lasterr());
		return rc == CX_EREFUSED ? CLI_PARTIAL : CLI_FATAL;
	}
	if (json) {
		json_dumpf(res, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		const char *tok = json_string_value(json_object_get(res, "token"));

		printf("%s\n", tok ? tok : "");
	}
	json_decref(res);
	return CLI_OK;
}
