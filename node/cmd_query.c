/*
 * cmd_query.c — `cxnode query`: the screening answer about a subject (or
 * every subject a prefix finds) on a date, for people (one block per
 * subject, an aligned table) or scripts (--json: the answer itself,
 * docs/screening.md), asked of the local node or of another one.
 *
 * The command only builds the query's parameters and renders the answer:
 * locally it asks the node's API dispatcher as the local operator
 * (node/api.h), so that the permission check, the masking and the audit
 * entry are made in the one place every other path goes through; with
 * --remote it asks another node over an authenticated session. --receipt
 * asks for the answer signed instead, and writes the receipt.
 *
 * Natural persons' identity numbers are masked unless --unmask is given AND
 * the node's configuration allows it ([query] unmask = true): the operator
 * of the node decides who may see them, not the person typing. Remotely
 * the asker's role decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "node/api.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/remote.h"
#include "node/screen.h"
#include "util/date.h"
#include "util/err.h"

static void
query_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode query --home DIR (--code CODE | --id-number ID | --name NAME |\n"
	    "                    --reg-no NO) [--prefix] [--as-of DATE] [--history]\n"
	    "                    [--kind KIND]... [--city CITY] [--sector SECTOR]\n"
	    "                    [--from DATE] [--to DATE] [--offset N] [--limit N]\n"
	    "                    [--json] [--unmask] [--receipt FILE]\n"
	    "       cxnode query --remote URL (--key FILE --roster FILE [--root KEY] | --home DIR)\n"
	    "                    [--server ID] [--timeout SECONDS] (--code ... ) [options]\n"
	    "\n"
	    "Screen a subject across every city's log this node holds, at each log's\n"
	    "latest signed checkpoint: what is active on a date after status changes and\n"
	    "publicity windows, list entries with their measures, evaluations on the\n"
	    "common A-D scale (docs/screening.md).\n"
	    "\n"
	    "  --code CODE       unified social credit code\n"
	    "  --id-number ID    natural person's identity number\n"
	    "  --name NAME       name (full-width/half-width and （）/() tolerant)\n"
	    "  --reg-no NO       business registration number (工商注册号)\n"
	    "  --prefix          every subject whose code, number or name starts so\n"
	    "  --as-of DATE      the date to evaluate (default today, China time)\n"
	    "  --history         also records not active on the date, with changes\n"
	    "  --kind KIND       only this kind or class (repeatable): dishonest_list,\n"
	    "                    dishonest_debtor, red_list, penalty, licence, evaluation,\n"
	    "                    commitment, commitment_outcome, joint_punishment, other, ...\n"
	    "  --city CITY       only records of this issuer id or region code\n"
	    "  --sector SECTOR   only records of this sector\n"
	    "  --from DATE       only records decided on or after DATE\n"
	    "  --to DATE         only records decided on or before DATE\n"
	    "  --offset N        skip N subjects (paging; the answer says next_offset)\n"
	    "  --limit N         at most N subjects (default %d, at most %d)\n"
	    "  --json            the answer as JSON (docs/screening.md)\n"
	    "  --unmask          show identity numbers (local, only if [query] unmask = true)\n"
	    "  --receipt FILE    ask for a receipt signed by the node: written to FILE\n"
	    "                    (a new file), the answer it holds printed\n"
	    "  --remote URL      ask that node (docs/api.md) as the client of --key,\n"
	    "                    knowing its key from --roster (checked with --root) or\n"
	    "                    from --home; --server ID insists on the member it is;\n"
	    "                    --timeout SECONDS\n"
	    "\n"
	    "Exit status: 0 answered (with or without records), 1 refused, 2 usage or\n"
	    "error.\n", SCREEN_LIMIT_DEFAULT, SCREEN_LIMIT_MAX);
}

/* Display width of UTF-8 text: East Asian wide characters count 2. */
static int
query_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		unsigned cp;
		int n;

		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			n = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			n = 3;
		} else {
			cp = *p & 0x07;
			n = 4;
		}
		for (int i = 1; i < n && p[i]; i++)
			cp = cp << 6 | (p[i] & 0x3F);
		for (int i = 0; i < n && *p; i++)
			p++;
		w += (cp >= 0x1100 && (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) ||
		    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
		    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
		    (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000)) ? 2 : 1;
	}
	return w;
}

/* Print s cut to at most w - 1 columns, padded to w: a column always ends
 * in at least one space. */
static void
query_cell(const char *s, int w)
{
	char buf[512];
	size_t n = 0;
	int used = 0;

	while (s[n] && n + 4 < sizeof(buf)) {
		size_t len = 1;
		char one[8];
		int cw;

		/* at most one UTF-8 sequence (4 bytes); stray continuation bytes
		 * are taken one at a time */
		if ((unsigned char)s[n] >= 0xC0)
			while (len < 4 && ((unsigned char)s[n + len] & 0xC0) == 0x80)
				len++;
		memcpy(one, s + n, len);
		one[len] = '\0';
		cw = query_width(one);
		if (used + cw > w - 1)
			break;
		memcpy(buf + n, one, len);
		n += len;
		used += cw;
	}
	buf[n] = '\0';
	printf("%s%*s", buf, w - used, "");
}

/* ---- rendering an answer ------------------------------------------------ */

static const char *
query_s(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* The body object of a record JSON, whatever its name. */
static const json_t *
query_body(const json_t *rec, const char *name)
{
	return json_object_get(rec, name);
}

/* One line of what a record says, for the table. */
static void
query_detail(char *out, size_t cap, const json_t *e)
{
	const json_t *r = json_object_get(e, "record"), *b, *m;
	size_t i, n;

	out[0] = '\0';
	if ((b = query_body(r, "penalty")) != NULL) {
		const json_t *fine = json_object_get(b, "fine_fen");

		if (json_is_integer(fine) && json_integer_value(fine) != 0)
			snprintf(out, cap, "%s fine %.2f yuan", query_s(b, "decision_no"),
			    (double)json_integer_value(fine) / 100.0);
		else
			snprintf(out, cap, "%s", query_s(b, "decision_no"));
	} else if ((b = query_body(r, "licence")) != NULL) {
		snprintf(out, cap, "%s %s", query_s(b, "licence_no"), query_s(b, "certificate_name"));
	} else if ((b = query_body(r, "list_entry")) != NULL) {
		n = (size_t)snprintf(out, cap, "%s", query_s(b, "list_type"));
		m = json_object_get(b, "measures");
		for (i = 0; i < json_array_size(m) && n < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "；" : ": ",
			    json_string_value(json_array_get(m, i)) ?
			    json_string_value(json_array_get(m, i)) : "");
	} else if ((b = query_body(r, "evaluation")) != NULL) {
		const json_t *g = json_object_get(e, "grade");
		const char *canon = json_string_value(json_object_get(g, "canonical"));
		const char *model = query_s(b, "model_version");

		snprintf(out, cap, "%s (%s, %s%s%s)%s", canon ? canon : "unmapped",
		    query_s(b, "grade"), query_s(b, "scheme"), model[0] ? ", model " : "", model,
		    json_is_false(json_object_get(e, "latest")) &&
		    strcmp(query_s(e, "state"), "active") == 0 ? " superseded" : "");
	} else if ((b = query_body(r, "commitment")) != NULL) {
		snprintf(out, cap, "%s", query_s(b, "matter"));
	} else if ((b = query_body(r, "outcome")) != NULL) {
		snprintf(out, cap, "%s %s", json_is_true(json_object_get(b, "fulfilled")) ?
		    "fulfilled" : "BREACHED", query_s(json_object_get(b, "commitment"), "record_id"));
	} else if ((b = query_body(r, "admin")) != NULL) {
		snprintf(out, cap, "%s %s", query_s(b, "decision_no"), query_s(b, "action_type"));
	}
}

/* Until when a record counts: a validity end, else its publicity end. */
static const char *
query_until(const json_t *r)
{
	static const char *const bodies[] = { "licence", "evaluation", "commitment", NULL };
	size_t i;

	for (i = 0; bodies[i] != NULL; i++) {
		const char *u = query_s(json_object_get(r, bodies[i]), "valid_until");

		if (u[0] != '\0')
			return u;
	}
	return query_s(r, "publicity_max_end")[0] ? query_s(r, "publicity_max_end") : "-";
}

/* The history lines under a record: where it is, and its changes. */
static void
query_print_changes(const json_t *e)
{
	const json_t *r = json_object_get(e, "record"), *c;
	size_t i;

	printf("%12s record %s, leaf %lld of %s\n", "", query_s(r, "record_id"),
	    (long long)json_integer_value(json_object_get(e, "index")), query_s(e, "log"));
	json_array_foreach(json_object_get(e, "changes"), i, c) {
		const json_t *x = json_object_get(c, "record"), *b;

		if ((b = json_object_get(x, "change")) != NULL) {
			const char *reason = query_s(b, "reason");

			printf("%12s %s %s (%s)%s%s\n", "", query_s(b, "effective_date"),
			    query_s(b, "type"), query_s(x, "record_id"), reason[0] ? ": " : "", reason);
		} else if ((b = json_object_get(x, "outcome")) != NULL) {
			printf("%12s %s %s (%s)\n", "", query_s(x, "decision_date"),
			    json_is_true(json_object_get(b, "fulfilled")) ? "fulfilled" : "breached",
			    query_s(x, "record_id"));
		}
	}
}

static void
query_print_subject(const json_t *ans, const json_t *s, int history)
{
	const json_t *subj = json_object_get(s, "subject"), *e, *in;
	const char *key = query_s(s, "key"), *f;
	char detail[600];
	size_t i, n = 0;
	static const char *const ids[] = { "credit_code", "id_number", "business_reg_no", NULL };

	printf("subject: %s", query_s(subj, "name")[0] ? query_s(subj, "name") : key);
	for (i = 0; ids[i] != NULL; i++)
		if ((f = query_s(subj, ids[i]))[0] != '\0')
			printf("  %s", f);
	printf("\n");
	if (json_is_true(json_object_get(s, "listed"))) {
		printf("LISTED (joint punishment or dishonest debtor) in");
		json_array_foreach(json_object_get(s, "listed_in"), i, in)
			printf("%s %s", i ? "," : "", json_string_value(in) ? json_string_value(in) : "?");
		printf("\n");
	}
	printf("as of %s: %lld active of %lld records\n", query_s(ans, "as_of"),
	    (long long)json_integer_value(json_object_get(s, "active")),
	    (long long)json_integer_value(json_object_get(s, "total")));
	json_array_foreach(json_object_get(ans, "records"), i, e) {
		const json_t *r = json_object_get(e, "record"), *auth = json_object_get(r, "authority");

		if (strcmp(query_s(e, "subject"), key) != 0)
			continue;
		if (n++ == 0) {
			printf("\n");
			query_cell("STATE", 14);
			query_cell("KIND", 19);
			query_cell("CITY", 11);
			query_cell("DECIDED", 12);
			query_cell("UNTIL", 12);
			query_cell("AUTHORITY", 26);
			printf("DETAIL\n");
		}
		query_cell(query_s(e, "state"), 14);
		query_cell(query_s(r, "kind"), 19);
		query_cell(query_s(e, "city"), 11);
		query_cell(query_s(r, "decision_date"), 12);
		query_cell(query_until(r), 12);
		query_cell(query_s(auth, "name"), 26);
		query_detail(detail, sizeof(detail), e);
		printf("%s\n", detail);
		if (history)
			query_print_changes(e);
	}
}

static void
query_print_table(const json_t *ans, int history)
{
	const json_t *subs = json_object_get(ans, "subjects"), *q = json_object_get(ans, "query"), *s;
	json_int_t total = json_integer_value(json_object_get(ans, "total_subjects"));
	json_int_t off = json_integer_value(json_object_get(ans, "offset"));
	const json_t *next = json_object_get(ans, "next_offset");
	size_t i;

	if (json_is_true(json_object_get(q, "prefix"))) {
		printf("%lld subject%s whose %s starts with \"%s\"", (long long)total,
		    total == 1 ? "" : "s", query_s(q, "by"), query_s(q, "value"));
		if (json_array_size(subs) > 0)
			printf("; %lld-%lld shown", (long long)off + 1,
			    (long long)off + (long long)json_array_size(subs));
		if (json_is_integer(next))
			printf("; next page: --offset %lld", (long long)json_integer_value(next));
		printf("\n\n");
	}
	if (json_array_size(subs) == 0) {
		printf("as of %s: 0 active of 0 records%s\n", query_s(ans, "as_of"),
		    total > 0 ? " on this page" : "");
		return;
	}
	json_array_foreach(subs, i, s) {
		if (i > 0)
			printf("\n");
		query_print_subject(ans, s, history);
	}
	if (!json_is_true(json_object_get(q, "prefix")) && json_is_integer(next))
		printf("\nnext page: --offset %lld\n", (long long)json_integer_value(next));
}

/* ---- asking -------------------------------------------------------------- */

/* Ask the local node's API as its operator. */
static int
query_local(json_t **res, const char *home, int unmask, int sign, const char *method,
    const json_t *params)
{
	struct api_caller c;
	struct api *a = NULL;
	struct node n;
	int rc;

	*res = NULL;
	if ((rc = node_open(&n, home, sign ? NODE_SIGN : NODE_READ)) != 0)
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
	rc = api_call(a, &c, method, params, res);
	api_close(a);
	node_close(&n);
	if (rc != 0) {
		cli_err("query: %s", cx_lasterr());
		return rc == CX_EPERM ? CLI_PARTIAL : CLI_FATAL;
	}
	return CLI_OK;
}

/* Parse a date option into params[key] as "YYYY-MM-DD". */
static int
query_date_opt(json_t *params, const char *key, const char *opt, const char *arg)
{
	uint32_t d;
	char buf[11];

	if (date_parse(&d, arg, strlen(arg)) != 0) {
		cli_err("%s: not a date: %s", opt, arg);
		return -1;
	}
	date_format(buf, d);
	json_object_set_new(params, key, json_string(buf));
	return 0;
}

static int
query_uint_opt(json_t *params, const char *key, const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v > UINT32_MAX) {
		cli_err("%s: not a number: %s", opt, arg);
		return -1;
	}
	json_object_set_new(params, key, json_integer((json_int_t)v));
	return 0;
}

/* params[key] = the text arg; -1 when it is not UTF-8. */
static int
query_str_opt(json_t *params, const char *key, const char *opt, const char *arg)
{
	if (json_object_set_new(params, key, json_string(arg)) != 0) {
		cli_err("%s: not UTF-8 text", opt);
		return -1;
	}
	return 0;
}

/* Write the receipt to the file fd was opened on (canonical JSON, one
 * line). */
static int
query_write_receipt(int fd, const char *path, const json_t *receipt)
{
	size_t len, off = 0;
	char *text = screen_canonical(receipt, &len);
	int rc = 0;

	if (text == NULL)
		return cli_fail(CX_ENOMEM, "--receipt");
	text[len] = '\n';
	while (off < len + 1) {
		ssize_t w = write(fd, text + off, len + 1 - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	free(text);
	if (rc != 0 || fsync(fd) != 0) {
		cli_err("--receipt: %s: write error: %s", path, strerror(errno));
		return CLI_FATAL;
	}
	return CLI_OK;
}

/* Say where the receipt went and which node signed it (the statement's
 * "node" line). */
static void
query_print_receipt(FILE *f, const char *path, const json_t *res, int blank)
{
	const char *note = json_string_value(json_object_get(res, "receipt"));
	const char *p = note ? strstr(note, "\nnode ") : NULL;
	int n = 0;

	if (p != NULL) {
		p += 6;
		n = (int)strcspn(p, "\n");
	}
	fprintf(f, "%sreceipt: %s, signed by %.*s\n", blank ? "\n" : "", path, n ? n : 1,
	    n ? p : "?");
}

int
cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		REMOTE_LONGOPTS,
		{ "home", required_argument, NULL, 'H' },
		{ "code", required_argument, NULL, 'C' },
		{ "id-number", required_argument, NULL, 'I' },
		{ "name", required_argument, NULL, 'N' },
		{ "reg-no", required_argument, NULL, 'G' },
		{ "prefix", no_argument, NULL, 'p' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "history", no_argument, NULL, 'y' },
		{ "kind", required_argument, NULL, 'k' },
		{ "city", required_argument, NULL, 'c' },
		{ "sector", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "offset", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "unmask", no_argument, NULL, 'u' },
		{ "receipt", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct remote_opts ro = { 0 };
	const char *home = NULL, *value = NULL, *by = NULL, *receipt = NULL;
	json_t *params = json_object(), *kinds = json_array(), *res = NULL;
	const json_t *ans;
	int ch, history = 0, json = 0, unmask = 0, rc, fd = -1, ret = CLI_FATAL;

	if (params == NULL || kinds == NULL) {
		json_decref(params);
		json_decref(kinds);
		return cli_fail(CX_ENOMEM, "query");
	}
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (remote_opt(&ro, ch, optarg))
			continue;
		switch (ch) {
		case 'H': home = optarg; break;
		case 'C': case 'I': case 'N': case 'G':
			if (by != NULL) {
				cli_err("give one of --code, --id-number, --name, --reg-no");
				goto done;
			}
			by = ch == 'C' ? "code" : ch == 'I' ? "id_number" : ch == 'G' ? "reg_no" : "name";
			value = optarg;
			break;
		case 'p': json_object_set_new(params, "prefix", json_true()); break;
		case 'a':
			if (query_date_opt(params, "as_of", "--as-of", optarg) != 0)
				goto done;
			break;
		case 'y':
			history = 1;
			json_object_set_new(params, "history", json_true());
			break;
		case 'k':
			if (json_array_append_new(kinds, json_string(optarg)) != 0) {
				cli_err("--kind: not UTF-8 text");
				goto done;
			}
			break;
		case 'c':
			if (query_str_opt(params, "city", "--city", optarg) != 0)
				goto done;
			break;
		case 's':
			if (query_str_opt(params, "sector", "--sector", optarg) != 0)
				goto done;
			break;
		case 'f':
			if (query_date_opt(params, "from", "--from", optarg) != 0)
				goto done;
			break;
		case 't':
			if (query_date_opt(params, "to", "--to", optarg) != 0)
				goto done;
			break;
		case 'o':
			if (query_uint_opt(params, "offset", "--offset", optarg) != 0)
				goto done;
			break;
		case 'l':
			if (query_uint_opt(params, "limit", "--limit", optarg) != 0)
				goto done;
			break;
		case 'j': json = 1; break;
		case 'u': unmask = 1; break;
		case 'r': receipt = optarg; break;
		case 'h': query_usage(stdout); ret = CLI_OK; goto done;
		default: query_usage(stderr); goto done;
		}
	}
	if (optind != argc || by == NULL || value[0] == '\0' || (ro.url == NULL && home == NULL)) {
		query_usage(stderr);
		goto done;
	}
	if (ro.url != NULL && unmask) {
		cli_err("--unmask is for the local node: remotely, the role of --key decides");
		goto done;
	}
	if (json_object_set_new(params, "by", json_string(by)) != 0 ||
	    query_str_opt(params, "value", "the value searched for", value) != 0 ||
	    (json_array_size(kinds) > 0 && json_object_set(params, "kinds", kinds) != 0))
		goto done;
	if (receipt != NULL && (fd = open(receipt, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0) {
		cli_err("--receipt: %s: %s", receipt, strerror(errno));
		goto done;
	}
	if (ro.url != NULL) {
		ro.home = home;
		if ((rc = remote_api(&ro, receipt ? "receipt" : "query", params, &res)) != 0) {
			cli_err("query: %s", cx_lasterr());
			ret = rc == CX_EREFUSED ? CLI_PARTIAL : CLI_FATAL;
			goto done;
		}
	} else if ((ret = query_local(&res, home, unmask, receipt != NULL,
	    receipt ? "receipt" : "query", params)) != CLI_OK) {
		goto done;
	}
	ret = CLI_FATAL;
	ans = receipt ? json_object_get(res, "answer") : res;
	if (!json_is_object(ans) || !json_is_array(json_object_get(ans, "records"))) {
		cli_err("query: the node's answer is not a screening answer");
		goto done;
	}
	if (receipt != NULL) {
		if ((ret = query_write_receipt(fd, receipt, res)) != CLI_OK)
			goto done;
		close(fd);
		fd = -1;
	}
	if (json) {
		json_dumpf(ans, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		query_print_table(ans, history);
	}
	if (receipt != NULL)
		query_print_receipt(json ? stderr : stdout, receipt, res, !json);
	ret = fflush(stdout) == 0 ? CLI_OK : CLI_FATAL;
done:
	if (fd >= 0) {
		/* nothing written to it: take the file away again */
		close(fd);
		unlink(receipt);
	}
	json_decref(res);
	json_decref(kinds);
	json_decref(params);
	return ret;
}
