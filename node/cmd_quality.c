/*
 * cmd_quality.c — `cxnode quality`: the 双公示 quality report
 * (docs/quality.md) as a table, or as the API's JSON with --json.
 *
 * Locally the question goes through the node's API dispatcher as the local
 * operator (node/api.h), as every path does, so that it is audited like
 * any other; with --remote it is asked of another node over an
 * authenticated session (method "quality").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/api.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/quality.h"
#include "node/remote.h"
#include "util/date.h"
#include "util/err.h"

static void
quality_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode quality --home DIR [--from DATE] [--to DATE] [--period week|month|both]\n"
	    "                      [--issuer ID] [--department NAME|CODE] [--json]\n"
	    "       cxnode quality --remote URL (--key FILE --roster FILE [--root KEY] | --home DIR)\n"
	    "                      [--server ID] [--timeout SECONDS] [the options above]\n"
	    "\n"
	    "The 双公示 quality report: per issuer and deciding department, the licence\n"
	    "and penalty decisions published in the period (volume), the share of the\n"
	    "rows submitted that passed validation (compliance; known only for this\n"
	    "node's own imports) and the share published within %d working days of the\n"
	    "decision (timeliness; working days from the [quality] calendar), for the\n"
	    "whole period, per ISO week and per month.\n"
	    "\n"
	    "  --from DATE       first day of the period (default: the last full month)\n"
	    "  --to DATE         last day of the period (default: today when --from is given)\n"
	    "  --period P        week, month or both breakdowns (default both)\n"
	    "  --issuer ID       only this issuer (member id)\n"
	    "  --department D    only this deciding department (its name or credit code)\n"
	    "  --json            print the API's JSON answer (docs/quality.md)\n"
	    "  --remote URL      ask that node instead (docs/api.md): --key, --roster,\n"
	    "                    --root, --server, --timeout as for `cxnode query`\n"
	    "\n"
	    "A row counts on the day it reached the platform: a record on its\n"
	    "publication date (China time), a rejected row on its import date.\n"
	    "\n"
	    "Exit status: 0 answered, 1 refused, 2 usage or error.\n", QUALITY_DEADLINE);
}

/* Ask the local node's API as its operator. */
static int
quality_local(json_t **res, const char *home, const json_t *params)
{
	struct api_caller c;
	struct api *a = NULL;
	struct node n;
	int rc;

	*res = NULL;
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if ((rc = api_open(&a, &n)) != 0) {
		node_close(&n);
		return cli_fail(rc, "api");
	}
	api_local_caller(&c, &n, 0);
	rc = api_call(a, &c, "quality", params, res);
	api_close(a);
	node_close(&n);
	if (rc != 0) {
		cli_err("quality: %s", cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
		return rc == CX_EPERM ? CLI_PARTIAL : CLI_FATAL;
	}
	return CLI_OK;
}

static const char *
quality_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* A count, or "-" when null (not known here). */
static const char *
quality_num(char *buf, size_t cap, const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return "-";
	snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* A rate "12.34%", or "-" when null. */
static const char *
quality_pct(char *buf, size_t cap, const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (s == NULL)
		return "-";
	snprintf(buf, cap, "%s%%", s);
	return buf;
}

static void
quality_line(const char *issuer, const json_t *c, const char *what)
{
	char v[24], cp[24], sb[24], cr[24], t[24], tr[24];

	printf("  %-12s %7s %9s %9s %10s %7s %10s  %s\n", issuer,
	    quality_num(v, sizeof(v), c, "volume"), quality_num(cp, sizeof(cp), c, "compliant"),
	    quality_num(sb, sizeof(sb), c, "submitted"), quality_pct(cr, sizeof(cr), c, "compliance"),
	    quality_num(t, sizeof(t), c, "timely"), quality_pct(tr, sizeof(tr), c, "timeliness"),
	    what);
}

/* One period: its department rows, issuer subtotals, the total. */
static void
quality_table(const char *title, const json_t *b)
{
	const json_t *deps = json_object_get(b, "departments");
	const json_t *issuers = json_object_get(b, "issuers");
	size_t i, j;

	printf("%s\n", title);
	if (json_array_size(deps) == 0) {
		printf("  nothing published or rejected\n");
		return;
	}
	printf("  %-12s %7s %9s %9s %10s %7s %10s  %s\n", "ISSUER", "VOLUME", "COMPLIANT",
	    "SUBMITTED", "COMPLIANCE", "TIMELY", "TIMELINESS", "DEPARTMENT");
	for (i = 0; i < json_array_size(issuers); i++) {
		const json_t *is = json_array_get(issuers, i);
		const char *id = quality_str(is, "issuer");

		for (j = 0; j < json_array_size(deps); j++) {
			const json_t *d = json_array_get(deps, j), *dep = json_object_get(d, "department");
			char what[600];

			if (strcmp(quality_str(d, "issuer"), id) != 0)
				continue;
			snprintf(what, sizeof(what), "%s%s%s", quality_str(dep, "name"),
			    quality_str(dep, "code")[0] ? " " : "", quality_str(dep, "code"));
			quality_line(id, d, what);
		}
		if (json_integer_value(json_object_get(is, "departments")) > 1)
			quality_line(id, is, "(all departments)");
	}
	if (json_array_size(issuers) > 1)
		quality_line("*", json_object_get(b, "total"), "(all issuers; compliance: this node's)");
}

static void
quality_print(const json_t *res)
{
	const json_t *rule = json_object_get(res, "rule"), *a;
	const char *names[2] = { "months", "weeks" };
	char title[200];
	size_t i, k;

	printf("双公示 quality %s .. %s: published within %lld working days of the decision; "
	    "calendar: %lld entries\n\n", quality_str(res, "from"), quality_str(res, "to"),
	    (long long)json_integer_value(json_object_get(rule, "deadline_workdays")),
	    (long long)json_integer_value(json_object_get(rule, "calendar_entries")));
	snprintf(title, sizeof(title), "period %s .. %s", quality_str(res, "from"),
	    quality_str(res, "to"));
	quality_table(title, json_object_get(res, "period"));
	for (k = 0; k < 2; k++) {
		a = json_object_get(res, names[k]);
		for (i = 0; i < json_array_size(a); i++) {
			const json_t *b = json_array_get(a, i);

			snprintf(title, sizeof(title), "%s %s (%s .. %s)", k ? "week" : "month",
			    quality_str(b, "period"), quality_str(b, "from"), quality_str(b, "to"));
			printf("\n");
			quality_table(title, b);
		}
	}
}

static int
quality_date_opt(json_t *params, const char *k, const char *arg)
{
	uint32_t d;
	char s[11];

	if (date_parse(&d, arg, strlen(arg)) != 0) {
		cli_err("--%s: not a date: %s", k, arg);
		return CLI_FATAL;
	}
	date_format(s, d);
	if (json_object_set_new(params, k, json_string(s)) != 0)
		return cli_fail(CX_ENOMEM, "quality");
	return 0;
}

int
cmd_quality(int argc, char **argv)
{
	static const struct option opts[] = {
		REMOTE_LONGOPTS,
		{ "home", required_argument, NULL, 'H' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "period", required_argument, NULL, 'p' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "department", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct remote_opts ro = { 0 };
	const char *home = NULL;
	json_t *params, *res = NULL;
	int ch, json = 0, rc, ret = CLI_FATAL;

	if ((params = json_object()) == NULL)
		return cli_fail(CX_ENOMEM, "quality");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (remote_opt(&ro, ch, optarg))
			continue;
		rc = 0;
		switch (ch) {
		case 'H': home = optarg; break;
		case 'f': rc = quality_date_opt(params, "from", optarg); break;
		case 't': rc = quality_date_opt(params, "to", optarg); break;
		case 'p':
			if (strcmp(optarg, "week") != 0 && strcmp(optarg, "month") != 0 &&
			    strcmp(optarg, "both") != 0) {
				cli_err("--period: week, month or both");
				rc = CLI_FATAL;
			} else if (json_object_set_new(params, "period", json_string(optarg)) != 0)
				rc = cli_fail(CX_ENOMEM, "quality");
			break;
		case 'i':
		case 'd':
			if (json_object_set_new(params, ch == 'i' ? "issuer" : "department",
			    json_string(optarg)) != 0) {
				cli_err("--%s: not UTF-8 text", ch == 'i' ? "issuer" : "department");
				rc = CLI_FATAL;
			}
			break;
		case 'j': json = 1; break;
		case 'h':
			quality_usage(stdout);
			json_decref(params);
			return CLI_OK;
		default:
			quality_usage(stderr);
			json_decref(params);
			return CLI_FATAL;
		}
		if (rc != 0) {
			json_decref(params);
			return rc;
		}
	}
	if (optind != argc || (ro.url == NULL && home == NULL)) {
		quality_usage(stderr);
		json_decref(params);
		return CLI_FATAL;
	}
	if (ro.url != NULL) {
		ro.home = home;
		if ((rc = remote_api(&ro, "quality", params, &res)) != 0) {
			cli_err("quality: %s", cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
			ret = rc == CX_EREFUSED ? CLI_PARTIAL : CLI_FATAL;
			goto done;
		}
	} else if ((ret = quality_local(&res, home, params)) != CLI_OK) {
		goto done;
	}
	if (json) {
		char *s = json_dumps(res, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (s == NULL) {
			ret = cli_fail(CX_ENOMEM, "quality");
			goto done;
		}
		printf("%s\n", s);
		free(s);
	} else {
		quality_print(res);
	}
	ret = CLI_OK;
done:
	json_decref(res);
	json_decref(params);
	return ret;
}
