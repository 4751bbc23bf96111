/*
 * cmd_receipt.c — `cxnode verify-receipt`: check a signed screening receipt
 * with the federation's roster and, given a node holding the same logs,
 * confirm its answer by computing it again (docs/receipts.md).
 *
 * The roster is the SignedRoster file `federation sign` writes; with
 * --root its signature is checked, without it the member keys in it are
 * taken as given, and the output says so. Everything else comes from the
 * receipt: no node is needed unless --home is given.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keys/roster.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/receipt.h"
#include "node/report.h"
#include "node/screen.h"
#include "util/err.h"

static void
receipt_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode verify-receipt FILE --roster ROSTER [--root KEY] [--home DIR]\n"
	    "                             [--id-number ID] [--grades FILE] [--json]\n"
	    "\n"
	    "Check a signed screening receipt: the answering node's signature with its\n"
	    "roster key at the receipt's time, the answer's digest, every checkpoint and\n"
	    "cosignature it names. With --home, compute the answer again on that node\n"
	    "from the same logs at the same sizes and confirm it, a negative answer too.\n"
	    "FILE may also be a credit report (cxnode report, JSON or HTML): it is\n"
	    "checked as `cxnode verify` does, and its answer confirmed the same way.\n"
	    "\n"
	    "  --roster ROSTER   the federation's signed roster (federation sign)\n"
	    "  --root KEY        the federation root key, to check the roster with\n"
	    "  --home DIR        a node holding those logs, at those sizes or more\n"
	    "  --id-number ID    the identity number the receipt shows masked (needed\n"
	    "                    to compute a masked identity-number search again)\n"
	    "  --grades FILE     the grade table to compute with (default: the node's)\n"
	    "  --json            print the findings as JSON\n"
	    "\n"
	    "Exit status: 0 valid (and confirmed, with --home), 1 invalid or not\n"
	    "confirmed (every reason printed), 2 usage or error.\n");
}

int
receipt_read_file(char **buf, size_t *len, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
		return cx_seterr(CX_ENOTFOUND, "%s: cannot open", path);
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > max + 1)
				cap = max + 1;
			if (n == cap || (nb = realloc(b, cap + 1)) == NULL) {
				free(b);
				fclose(f);
				return n == cap ? cx_seterr(CX_ETOOBIG, "%s: over %zu bytes", path, max) :
				    CX_ENOMEM;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return cx_seterr(CX_EIO, "%s: read error", path);
	}
	fclose(f);
	if (n > max) {
		free(b);
		return cx_seterr(CX_ETOOBIG, "%s: over %zu bytes", path, max);
	}
	if (b == NULL && (b = malloc(1)) == NULL)
		return CX_ENOMEM;
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int
receipt_cli_roster(Cx__Roster **out, const char *path, const char *root)
{
	keys_key *k = NULL;
	char *buf = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if (root != NULL && (rc = cli_public_key(&k, root)) != 0)
		return cli_fail(rc, "--root");
	if ((rc = receipt_read_file(&buf, &len, path, ROSTER_MAX_LEN)) != 0) {
		keys_free(k);
		return cli_fail(rc, "--roster");
	}
	rc = roster_open(out, (const uint8_t *)buf, len, k);
	free(buf);
	keys_free(k);
	if (rc != 0)
		return cli_fail(rc, path);
	return CLI_OK;
}

int
cmd_verify_receipt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "roster", required_argument, NULL, 'r' },
		{ "root", required_argument, NULL, 'R' },
		{ "home", required_argument, NULL, 'H' },
		{ "id-number", required_argument, NULL, 'I' },
		{ "grades", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *roster_path = NULL, *root = NULL, *home = NULL, *id = NULL, *gpath = NULL;
	struct receipt_node nd = { 0 };
	struct grades *g = NULL;
	struct node n;
	Cx__Roster *roster = NULL;
	json_t *doc = NULL, *res = NULL;
	json_error_t je;
	char *buf = NULL, *upper = NULL;
	size_t len, i;
	int ch, json = 0, rc, opened = 0, html = 0, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': roster_path = optarg; break;
		case 'R': root = optarg; break;
		case 'H': home = optarg; break;
		case 'I': id = optarg; break;
		case 'g': gpath = optarg; break;
		case 'j': json = 1; break;
		case 'h': receipt_usage(stdout); return CLI_OK;
		default: receipt_usage(stderr); return CLI_FATAL;
		}
	}
	if (optind + 1 != argc || roster_path == NULL || (id != NULL && home == NULL) ||
	    (gpath != NULL && home == NULL)) {
		receipt_usage(stderr);
		return CLI_FATAL;
	}
	if ((ret = receipt_cli_roster(&roster, roster_path, root)) != CLI_OK)
		return ret;
	ret = CLI_FATAL;
	if ((rc = receipt_read_file(&buf, &len, argv[optind], 256u << 20)) != 0) {
		cli_fail(rc, argv[optind]);
		goto out;
	}
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'); i++)
		;
	if (i < len && buf[i] == '<') {
		html = 1;
		if (report_from_html(&doc, buf, len) != 0)
			doc = NULL;   /* report_verify_bytes says why */
	} else if ((doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		/* a file that is not even JSON is not a valid receipt: exit 1 */
		if (json) {
			res = json_pack("{s:b, s:[s+]}", "valid", 0, "problems", "not JSON: ", je.text);
			json_dumpf(res, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
			fputc('\n', stdout);
		} else
			printf("FAILED: %s is not JSON: line %d: %s\nINVALID\n", argv[optind], je.line,
			    je.text);
		ret = CLI_PARTIAL;
		goto out;
	}
	if (home != NULL) {
		if ((rc = node_open(&n, home, NODE_READ)) != 0) {
			cli_fail(rc, home);
			goto out;
		}
		opened = 1;
		if ((rc = grades_load(&g, gpath ? gpath : n.cfg.grades)) != 0) {
			cli_fail(rc, "grade table");
			goto out;
		}
		if ((rc = store_read_begin(&nd.t, n.st)) != 0) {
			cli_fail(rc, home);
			goto out;
		}
		if (id != NULL) {
			/* identity numbers are upper case (check character X) */
			if ((upper = strdup(id)) == NULL)
				goto out;
			for (i = 0; upper[i]; i++)
				if (upper[i] >= 'a' && upper[i] <= 'z')
					upper[i] -= 32;
		}
		nd.st = n.st;
		nd.g = g;
		nd.id_number = upper;
	}
	if (html || json_object_get(doc, "report") != NULL) {
		/* a credit report: its own checks, then the same confirmation */
		rc = report_verify_bytes(&res, buf, len, roster);
		if (res != NULL && rc != CX_ENOMEM && home != NULL && doc != NULL)
			rc = receipt_confirm(res, doc, &nd);
	} else {
		rc = receipt_verify(&res, doc, roster, home ? &nd : NULL);
	}
	if (rc == CX_ENOMEM || res == NULL) {
		cli_fail(CX_ENOMEM, "verify-receipt");
		goto out;
	}
	if (root == NULL)
		receipt_note(res, "the roster's own signature was not checked (no --root): its member "
		    "keys were taken as given");
	if (json) {
		json_dumpf(res, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else {
		receipt_print(stdout, res);
	}
	ret = rc == 0 ? CLI_OK : CLI_PARTIAL;
out:
	json_decref(res);
	json_decref(doc);
	free(buf);
	free(upper);
	if (nd.t != NULL)
		store_read_end(nd.t);
	if (g != NULL)
		grades_free(g);
	if (opened)
		node_close(&n);
	roster_free(roster);
	return ret;
}
