/*
 * cmd_query.c — `cxnode query`: a subject's records on a date, for people
 * (an aligned table) or scripts (--json, docs/query.md).
 *
 * Natural persons' identity numbers are masked unless --unmask is given AND
 * the node's configuration allows it ([query] unmask = true): the operator
 * of the node decides who may see them, not the person typing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ingest/json.h"
#include "credit/codes.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/query.h"
#include "util/date.h"
#include "util/err.h"

static void
query_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode query --home DIR (--code CODE | --id-number ID | --name NAME |\n"
	    "                    --reg-no NO) [--as-of DATE] [--history] [--json] [--unmask]\n"
	    "\n"
	    "Show the records about a subject that are active on a date, across every\n"
	    "log this node holds, after status changes and publicity windows.\n"
	    "\n"
	    "  --code CODE       unified social credit code\n"
	    "  --id-number ID    natural person's identity number\n"
	    "  --name NAME       exact name (full-width/half-width and （）/() tolerant)\n"
	    "  --reg-no NO       business registration number (工商注册号)\n"
	    "  --as-of DATE      the date to evaluate (default today, China time)\n"
	    "  --history         also show records not active on the date, with changes\n"
	    "  --json            machine-readable output (docs/query.md)\n"
	    "  --unmask          show identity numbers (only if [query] unmask = true)\n"
	    "\n"
	    "Exit status: 0 answered (with or without records), 2 usage or error.\n");
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

static const char *
query_kind_name(int kind)
{
	static char buf[40];

	if (json_enum_name(buf, sizeof(buf), &cx__record_kind__descriptor, kind) != 0)
		return "?";
	return buf;
}

/* One line of what a record says, for the table. */
static void
query_detail(char *out, size_t cap, const Cx__Record *r)
{
	out[0] = '\0';
	switch (r->body_case) {
	case CX__RECORD__BODY_PENALTY:
		if (r->penalty->fine_fen)
			snprintf(out, cap, "%s fine %.2f yuan", r->penalty->decision_no,
			    r->penalty->fine_fen / 100.0);
		else
			snprintf(out, cap, "%s", r->penalty->decision_no);
		break;
	case CX__RECORD__BODY_LICENCE:
		snprintf(out, cap, "%s %s", r->licence->licence_no, r->licence->certificate_name);
		break;
	case CX__RECORD__BODY_LIST_ENTRY:
		snprintf(out, cap, "%s%s%s", r->list_entry->list_type,
		    r->list_entry->n_measures ? ": " : "",
		    r->list_entry->n_measures ? r->list_entry->measures[0] : "");
		break;
	case CX__RECORD__BODY_EVALUATION:
		snprintf(out, cap, "grade %s (%s)", r->evaluation->grade, r->evaluation->scheme);
		break;
	case CX__RECORD__BODY_COMMITMENT:
		snprintf(out, cap, "%s", r->commitment->matter);
		break;
	case CX__RECORD__BODY_OUTCOME:
		snprintf(out, cap, "%s %s", r->outcome->fulfilled ? "fulfilled" : "BREACHED",
		    r->outcome->commitment ? r->outcome->commitment->record_id : "");
		break;
	case CX__RECORD__BODY_ADMIN:
		snprintf(out, cap, "%s %s", r->admin->decision_no, r->admin->action_type);
		break;
	default:
		break;
	}
}

static const char *
query_change_name(int type)
{
	switch (type) {
	case CX__CHANGE_TYPE__REPAIR: return "repair";
	case CX__CHANGE_TYPE__REMOVAL: return "removal";
	case CX__CHANGE_TYPE__CORRECTION: return "correction";
	case CX__CHANGE_TYPE__WITHDRAWAL: return "withdrawal";
	}
	return "?";
}

struct query_logname {
	struct store_log *logs;
	size_t n;
};

static const char *
query_issuer(const struct query_logname *ln, uint32_t log)
{
	size_t i;

	for (i = 0; i < ln->n; i++)
		if (ln->logs[i].id == log)
			return ln->logs[i].issuer;
	return "?";
}

static const char *
query_origin(const struct query_logname *ln, uint32_t log)
{
	size_t i;

	for (i = 0; i < ln->n; i++)
		if (ln->logs[i].id == log)
			return ln->logs[i].origin;
	return "?";
}

static void
query_print_table(const struct query_result *res, const struct query_logname *ln,
    uint32_t as_of, int history, int mask)
{
	char d1[11], d2[11], detail[400], idbuf[64];
	size_t i, j, shown = 0;
	const Cx__Subject *s = NULL;

	for (i = 0; i < res->n && s == NULL; i++)
		if (res->hits[i].state != QUERY_OTHER_SUBJECT && res->hits[i].current->subject &&
		    res->hits[i].current->subject->name[0])
			s = res->hits[i].current->subject;
	date_format(d1, as_of);
	if (s != NULL) {
		printf("subject: %s", s->name);
		if (s->credit_code[0])
			printf("  %s", s->credit_code);
		if (s->id_number[0]) {
			if (mask)
				codes_mask_id(idbuf, sizeof(idbuf), s->id_number);
			printf("  %s", mask ? idbuf : s->id_number);
		}
		printf("\n");
	}
	printf("as of %s: %zu active of %zu records\n", d1, res->nactive, res->n);
	if (res->n == 0 || (res->nactive == 0 && !history))
		return;
	printf("\n");
	query_cell("STATE", 12);
	query_cell("KIND", 19);
	query_cell("ISSUER", 11);
	query_cell("DECIDED", 12);
	query_cell("UNTIL", 12);
	query_cell("AUTHORITY", 26);
	printf("DETAIL\n");
	for (i = 0; i < res->n; i++) {
		const struct query_hit *h = &res->hits[i];
		const Cx__Record *c = h->current;
		uint32_t until = c->publicity_max_end;

		if (!history && h->state != QUERY_ACTIVE)
			continue;
		shown++;
		if (c->body_case == CX__RECORD__BODY_LICENCE && c->licence->valid_until)
			until = c->licence->valid_until;
		date_format(d1, c->decision_date);
		if (until)
			date_format(d2, until);
		else
			strcpy(d2, "-");
		query_cell(query_state_name(h->state), 12);
		query_cell(query_kind_name(c->kind), 19);
		query_cell(query_issuer(ln, h->log), 11);
		query_cell(d1, 12);
		query_cell(d2, 12);
		query_cell(c->authority ? c->authority->name : "", 26);
		query_detail(detail, sizeof(detail), c);
		printf("%s\n", detail);
		if (!history)
			continue;
		printf("%12s record %s, leaf %llu of %s\n", "", c->record_id,
		    (unsigned long long)h->index, query_origin(ln, h->log));
		for (j = 0; j < h->nchanges; j++) {
			const Cx__Record *x = h->changes[j].rec;

			if (x->body_case == CX__RECORD__BODY_CHANGE) {
				date_format(d1, x->change->effective_date);
				printf("%12s %s %s (%s)%s%s\n", "", d1, query_change_name(x->change->type),
				    x->record_id, x->change->reason[0] ? ": " : "", x->change->reason);
			} else if (x->body_case == CX__RECORD__BODY_OUTCOME) {
				date_format(d1, x->decision_date);
				printf("%12s %s %s (%s)\n", "", d1,
				    x->outcome->fulfilled ? "fulfilled" : "breached", x->record_id);
			}
		}
	}
	(void)shown;
}

static json_t *
query_json(const struct query_result *res, const struct query_logname *ln, int history,
    int mask)
{
	json_t *arr = json_array();
	size_t i, j;
	char d[11];

	for (i = 0; i < res->n; i++) {
		const struct query_hit *h = &res->hits[i];
		json_t *o, *rec = NULL, *orig = NULL, *chs;

		if (!history && h->state != QUERY_ACTIVE)
			continue;
		if (json_from_record(&rec, h->current, mask) != 0)
			continue;
		o = json_pack("{s:s, s:s, s:s, s:I, s:o}", "state", query_state_name(h->state),
		    "issuer", query_issuer(ln, h->log), "log", query_origin(ln, h->log),
		    "index", (json_int_t)h->index, "record", rec);
		if (h->since) {
			date_format(d, h->since);
			json_object_set_new(o, "since", json_string(d));
		}
		if (h->current != h->rec && json_from_record(&orig, h->rec, mask) == 0)
			json_object_set_new(o, "original", orig);
		chs = json_array();
		for (j = 0; j < h->nchanges; j++) {
			json_t *c = NULL;

			if (json_from_record(&c, h->changes[j].rec, mask) == 0)
				json_array_append_new(chs, json_pack("{s:I, s:o}", "index",
				    (json_int_t)h->changes[j].index, "record", c));
		}
		json_object_set_new(o, "changes", chs);
		json_array_append_new(arr, o);
	}
	return arr;
}

int
cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "code", required_argument, NULL, 'C' },
		{ "id-number", required_argument, NULL, 'I' },
		{ "name", required_argument, NULL, 'N' },
		{ "reg-no", required_argument, NULL, 'G' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "history", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "unmask", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct query_result res = { 0 };
	struct query_logname ln = { 0 };
	struct node n;
	store_txn *t = NULL;
	const char *home = NULL, *value = NULL;
	char *upper = NULL;
	uint32_t as_of = 0;
	int ch, by = 0, history = 0, json = 0, unmask = 0, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'C': case 'I': case 'N': case 'G':
			if (by != 0) {
				cli_err("give one of --code, --id-number, --name, --reg-no");
				return CLI_FATAL;
			}
			by = ch;
			value = optarg;
			break;
		case 'a':
			if (date_parse(&as_of, optarg, strlen(optarg)) != 0) {
				cli_err("--as-of: not a date: %s", optarg);
				return CLI_FATAL;
			}
			break;
		case 'y': history = 1; break;
		case 'j': json = 1; break;
		case 'u': unmask = 1; break;
		case 'h': query_usage(stdout); return CLI_OK;
		default: query_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || by == 0 || optind != argc || value[0] == '\0') {
		query_usage(stderr);
		return CLI_FATAL;
	}
	if (as_of == 0)
		as_of = date_today();
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if (unmask && !n.cfg.unmask) {
		cli_err("--unmask: this node does not allow it (set [query] unmask = true in %s/cxnode.conf)",
		    home);
		goto out;
	}
	if (by == QUERY_BY_CODE || by == QUERY_BY_ID) {
		/* codes and id numbers are upper case (check character X) */
		size_t i;

		if ((upper = strdup(value)) == NULL)
			goto out;
		for (i = 0; upper[i]; i++)
			if (upper[i] >= 'a' && upper[i] <= 'z')
				upper[i] -= 32;
		value = upper;
	}
	if (by == QUERY_BY_CODE && codes_uscc_placeholder(value)) {
		cli_err("--code %s is the placeholder of individual businesses without a code; "
		    "search them with --reg-no", value);
		goto out;
	}
	if ((rc = store_log_list(n.st, &ln.logs, &ln.n)) != 0 ||
	    (rc = store_read_begin(&t, n.st)) != 0 ||
	    (rc = query_subject(&res, t, by, value, as_of)) != 0) {
		ret = cli_fail(rc, "query");
		goto out;
	}
	if (json) {
		char d[11];
		json_t *j;

		date_format(d, as_of);
		j = json_pack("{s:{s:s, s:s, s:s}, s:I, s:I, s:o}",
		    "query", "by", by == 'C' ? "code" : by == 'I' ? "id_number" : by == 'N' ? "name" : "reg_no",
		    "value", (by == 'I' && !unmask) ? "(masked)" : value, "as_of", d,
		    "active", (json_int_t)res.nactive, "total", (json_int_t)res.n,
		    "records", query_json(&res, &ln, history, !unmask));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		query_print_table(&res, &ln, as_of, history, !unmask);
	}
	ret = CLI_OK;
out:
	free(upper);
	query_result_free(&res);
	store_read_end(t);
	store_log_list_free(ln.logs, ln.n);
	node_close(&n);
	return ret;
}
