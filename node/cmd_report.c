/*
 * cmd_report.c — `cxnode report`: a dedicated credit report (专用信用报告)
 * about one subject, as JSON and as a readable HTML page, from the local
 * node or from a remote one (docs/receipts.md).
 *
 * Locally the question goes through the node's API dispatcher as the local
 * operator (node/api.h), like every other path: the role check, the
 * masking and the audit entry are made there, and the node signs the
 * report with its own key (so the key is loaded: a passphrase may be
 * asked). With --remote it is asked of another node over an authenticated
 * session, as an authorised client or a member.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/api.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/remote.h"
#include "node/report.h"
#include "node/screen.h"
#include "util/date.h"
#include "util/err.h"

static void
report_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode report --home DIR (--code CODE | --id-number ID | --name NAME |\n"
	    "                     --reg-no NO) [--as-of DATE] [--unmask] [--out FILE.json]\n"
	    "                     [--html FILE.html]\n"
	    "       cxnode report --remote URL (--key FILE --roster FILE [--root KEY] | --home DIR)\n"
	    "                     [--server ID] [--timeout SECONDS] (--code ... ) [--as-of DATE]\n"
	    "                     [--out FILE.json] [--html FILE.html]\n"
	    "\n"
	    "A dedicated credit report (专用信用报告) about one subject: every record and\n"
	    "change about it in every city's log, each with its leaf and inclusion proof,\n"
	    "the checkpoints and their cosignatures, signed by the node. `cxnode verify\n"
	    "FILE --roster ROSTER` checks it offline, JSON or HTML.\n"
	    "\n"
	    "  --code CODE       unified social credit code\n"
	    "  --id-number ID    natural person's identity number\n"
	    "  --name NAME       exact name\n"
	    "  --reg-no NO       business registration number (工商注册号)\n"
	    "  --as-of DATE      the date of the report (default today)\n"
	    "  --unmask          show identity numbers (only if [query] unmask = true)\n"
	    "  --out FILE.json   write the report as JSON\n"
	    "  --html FILE.html  write the report as a readable page (it embeds the JSON)\n"
	    "  --remote URL      ask that node instead (docs/api.md): --key, --roster,\n"
	    "                    --root, --server, --timeout as for `cxnode query`\n"
	    "\n"
	    "Without --out and --html the JSON goes to standard output.\n"
	    "\n"
	    "Exit status: 0 written, 1 refused or nothing to report, 2 usage or error.\n");
}

/* Write len bytes of data to path (0600 is not needed: a report is what the
 * asker may see). */
static int
report_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return cx_seterr(CX_EIO, "%s: cannot create", path);
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return cx_seterr(CX_EIO, "%s: write error", path);
	}
	if (fclose(f) != 0)
		return cx_seterr(CX_EIO, "%s: write error", path);
	return 0;
}

/* Ask the local node's API as its operator. */
static int
report_local(json_t **res, const char *home, int unmask, const json_t *params)
{
	struct api_caller c;
	struct api *a = NULL;
	struct node n;
	int rc;

	*res = NULL;
	if ((rc = node_open(&n, home, NODE_READ | NODE_SIGN)) != 0)
		return cli_fail(rc, home);
	if (unmask && !n.cfg.unmask) {
		cli_err("--unmask: this node does not allow it (set [query] unmask = true in %s/cxnode.conf)",
		    home);
		node_close(&n);
		return CLI_FATAL;
	}
	if ((rc = api_open(&a, &n)) != 0) {
		node_close(&n);
		return cli_fail(rc, "api");
	}
	api_local_caller(&c, &n, unmask);
	rc = api_call(a, &c, "report", params, res);
	api_close(a);
	node_close(&n);
	if (rc != 0) {
		cli_err("report: %s", cx_lasterr());
		return rc == CX_EPERM || rc == CX_ENOTFOUND ? CLI_PARTIAL : CLI_FATAL;
	}
	return CLI_OK;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		REMOTE_LONGOPTS,
		{ "home", required_argument, NULL, 'H' },
		{ "code", required_argument, NULL, 'C' },
		{ "id-number", required_argument, NULL, 'I' },
		{ "name", required_argument, NULL, 'N' },
		{ "reg-no", required_argument, NULL, 'G' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "unmask", no_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ "html", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct remote_opts ro = { 0 };
	const char *home = NULL, *value = NULL, *by = NULL, *out = NULL, *html = NULL;
	json_t *params = NULL, *res = NULL;
	char *text = NULL, *page = NULL, d[11];
	uint32_t as_of = 0;
	size_t len;
	int ch, unmask = 0, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (remote_opt(&ro, ch, optarg))
			continue;
		switch (ch) {
		case 'H': home = optarg; break;
		case 'C': case 'I': case 'N': case 'G':
			if (by != NULL) {
				cli_err("give one of --code, --id-number, --name, --reg-no");
				return CLI_FATAL;
			}
			by = ch == 'C' ? "code" : ch == 'I' ? "id_number" : ch == 'G' ? "reg_no" : "name";
			value = optarg;
			break;
		case 'a':
			if (date_parse(&as_of, optarg, strlen(optarg)) != 0) {
				cli_err("--as-of: not a date: %s", optarg);
				return CLI_FATAL;
			}
			break;
		case 'u': unmask = 1; break;
		case 'o': out = optarg; break;
		case 'w': html = optarg; break;
		case 'h': report_usage(stdout); return CLI_OK;
		default: report_usage(stderr); return CLI_FATAL;
		}
	}
	if (optind != argc || by == NULL || value[0] == '\0' ||
	    (ro.url == NULL && home == NULL) || (ro.url != NULL && unmask)) {
		report_usage(stderr);
		return CLI_FATAL;
	}
	params = json_pack("{s:s, s:s}", "by", by, "value", value);
	if (params == NULL)
		return cli_fail(CX_ENOMEM, "report");
	if (as_of != 0) {
		date_format(d, as_of);
		json_object_set_new(params, "as_of", json_string(d));
	}
	if (ro.url != NULL) {
		ro.home = home;
		if ((rc = remote_api(&ro, "report", params, &res)) != 0) {
			cli_err("report: %s", cx_lasterr());
			ret = rc == CX_EREFUSED ? CLI_PARTIAL : CLI_FATAL;
			goto done;
		}
	} else if ((ret = report_local(&res, home, unmask, params)) != CLI_OK) {
		goto done;
	}
	ret = CLI_FATAL;
	if ((text = screen_canonical(res, &len)) == NULL) {
		cli_fail(CX_ENOMEM, "report");
		goto done;
	}
	if (out == NULL && html == NULL) {
		printf("%s\n", text);
		ret = CLI_OK;
		goto done;
	}
	if (out != NULL) {
		text[len] = '\0';
		/* the canonical form, one line, then a newline */
		if ((page = malloc(len + 2)) == NULL) {
			cli_fail(CX_ENOMEM, "report");
			goto done;
		}
		memcpy(page, text, len);
		page[len] = '\n';
		rc = report_write(out, page, len + 1);
		free(page);
		page = NULL;
		if (rc != 0) {
			cli_fail(rc, "--out");
			goto done;
		}
	}
	if (html != NULL) {
		if ((rc = report_html(res, &page)) != 0) {
			cli_fail(rc, "--html");
			goto done;
		}
		if ((rc = report_write(html, page, strlen(page))) != 0) {
			cli_fail(rc, "--html");
			goto done;
		}
	}
	printf("report: %zu records with their proofs, %zu logs%s%s%s%s\n",
	    json_array_size(json_object_get(json_object_get(res, "answer"), "records")),
	    json_array_size(json_object_get(res, "checkpoints")), out ? ", " : "", out ? out : "",
	    html ? ", " : "", html ? html : "");
	ret = CLI_OK;
done:
	free(page);
	free(text);
	json_decref(res);
	json_decref(params);
	return ret;
}
