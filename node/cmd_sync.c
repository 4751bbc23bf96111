/*
 * cmd_sync.c — `cxnode sync` (pull from peers now) and `cxnode reconcile`
 * (compare with one peer, report, and with --repair fetch what is missing).
 * Both run node/sync.c against live peers; neither needs `serve` running.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "keys/roster.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "node/fed.h"
#include "node/node.h"
#include "node/sync.h"
#include "util/codec.h"
#include "util/err.h"

/* reconcile's exit codes (docs/protocol.md, "Reconciliation") */
#define REC_SAME     0
#define REC_DIFFER   1
#define REC_FORK     2
#define REC_UNREACH  3
#define REC_LOCAL    4   /* usage error, or this node cannot be opened */

static void
sync_print_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (level <= 4)
		fprintf(stderr, "cxnode: %s\n", msg);
}

static void
sync_progress(void *ctx, const char *origin, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (!cli_tty())
		return;
	fprintf(stderr, "\r%s: %llu / %llu (%3.0f%%)", origin, (unsigned long long)done,
	    (unsigned long long)total, total ? 100.0 * (double)done / (double)total : 100.0);
	if (done == total)
		fprintf(stderr, "\n");
}

/* What the report says the other side should do. */
static const char *
rec_advice(const struct sync_log *l, int repair)
{
	switch (l->state) {
	case SYNC_SAME: return "";
	case SYNC_PULLED: return "fetched";
	case SYNC_AHEAD: return "the peer lacks leaves (it pulls them on its next round)";
	case SYNC_ONLY_OURS: return "the peer does not hold this log";
	case SYNC_BEHIND: return repair ? "" : "we lack leaves (--repair fetches them)";
	case SYNC_FORK: return "fork evidence stored (cxnode evidence list)";
	default: return "";
	}
}

static json_t *
rec_json(const char *peer, const struct sync_report *rep, int code)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	json_object_set_new(o, "peer", json_string(peer));
	json_object_set_new(o, "in_sync", json_boolean(code == REC_SAME));
	json_object_set_new(o, "exit", json_integer(code));
	json_object_set_new(o, "roster", json_pack("{s:I, s:I, s:b}", "ours",
	    (json_int_t)rep->roster_ours, "theirs", (json_int_t)rep->roster_theirs, "updated",
	    rep->roster_updated));
	for (i = 0; i < rep->n; i++) {
		const struct sync_log *l = &rep->logs[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:b, "
		    "s:b, s:i}", "origin", l->origin, "issuer", l->issuer, "ours",
		    (json_int_t)l->ours, "theirs", (json_int_t)l->theirs, "after",
		    (json_int_t)l->after, "pulled", (json_int_t)l->pulled, "state",
		    sync_state_name(l->state), "detail", l->why, "peer_halted", l->peer_halted,
		    "cosigned", l->cosigned, "new_cosignatures", l->new_cosigs));
		if (l->halted)
			json_object_set_new(json_array_get(a, json_array_size(a) - 1), "alarm",
			    json_string(l->alarm));
	}
	json_object_set_new(o, "logs", a);
	if (rep->has_digests) {
		char da[65], db[65];

		hex_encode(da, rep->digest_ours, 32);
		hex_encode(db, rep->digest_theirs, 32);
		json_object_set_new(o, "state_digest", json_pack("{s:s, s:s, s:b}", "ours", da,
		    "theirs", db, "equal", memcmp(rep->digest_ours, rep->digest_theirs, 32) == 0));
	}
	json_object_set_new(o, "forks", json_integer(rep->forks));
	json_object_set_new(o, "refused", json_integer(rep->refused));
	json_object_set_new(o, "differences", json_integer(rep->differ));
	return o;
}

static void
rec_print(const char *peer, const struct sync_report *rep, int repair)
{
	size_t i;

	printf("%-28s %-10s %10s %10s  %s\n", "log", "issuer", "here", peer, "state");
	for (i = 0; i < rep->n; i++) {
		const struct sync_log *l = &rep->logs[i];
		const char *adv = rec_advice(l, repair);

		printf("%-28s %-10s %10llu %10llu  %s", l->origin, l->issuer,
		    (unsigned long long)l->after, (unsigned long long)l->theirs,
		    sync_state_name(l->state));
		if (l->state == SYNC_PULLED)
			printf(" (%llu leaves)", (unsigned long long)l->pulled);
		if (l->state == SYNC_REFUSED || l->state == SYNC_BROKEN_RULES ||
		    l->state == SYNC_FORK || l->state == SYNC_UNKNOWN)
			printf(": %s", l->why);
		else if (adv[0] != '\0')
			printf(": %s", adv);
		if (l->peer_halted)
			printf(" [the peer holds fork evidence]");
		printf("\n");
		if (l->halted)
			printf("  ALARM (halted here): %s\n", l->alarm);
	}
	if (rep->has_digests) {
		char a[65], b[65];

		hex_encode(a, rep->digest_ours, 32);
		hex_encode(b, rep->digest_theirs, 32);
		a[16] = b[16] = '\0';
		printf("state digest: %s... here, %s... at %s%s\n", a, b, peer,
		    memcmp(rep->digest_ours, rep->digest_theirs, 32) == 0 ? " (equal)" : "");
	}
	if (rep->roster_ours != rep->roster_theirs)
		printf("roster: version %llu here, %llu at %s%s\n",
		    (unsigned long long)rep->roster_ours, (unsigned long long)rep->roster_theirs,
		    peer, rep->roster_updated ? " (taken)" : "");
}

/* Exit code of one comparison; with peer, forks the peer holds count. */
static int
rec_code(const struct sync_report *rep, int peer)
{
	size_t i;
	int code = REC_SAME;

	if (rep->forks > 0)
		return REC_FORK;
	for (i = 0; peer && i < rep->n; i++)
		if (rep->logs[i].peer_halted)
			return REC_FORK;
	if (rep->differ > 0 || rep->refused > 0 || rep->roster_ours != rep->roster_theirs)
		code = REC_DIFFER;
	return code;
}

static void
reconcile_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode reconcile PEER --home DIR [--repair] [--json] [--timeout SECONDS]\n"
	    "\n"
	    "Compare every issuer's log with PEER (a member id or an endpoint URL):\n"
	    "checkpoints, consistency, roster version; list what is missing on either\n"
	    "side; with --repair fetch what this node lacks.\n"
	    "Exit: 0 in sync, 1 differences found (and repaired if asked),\n"
	    "2 fork evidence, 3 peer unreachable or refused, 4 usage or local error.\n");
}

int
cmd_reconcile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "repair", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *peer;
	struct node n;
	struct fed f;
	struct sync_opts o;
	struct sync_report rep;
	wire_client *c = NULL;
	char *pid = NULL;
	int ch, rc, repair = 0, as_json = 0, timeout = 10, code;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'r': repair = 1; break;
		case 'j': as_json = 1; break;
		case 't':
			timeout = atoi(optarg);
			if (timeout < 1 || timeout > 3600) {
				cli_err("--timeout: 1..3600 seconds");
				return REC_LOCAL;
			}
			break;
		case 'h': reconcile_usage(stdout); return CLI_OK;
		default: reconcile_usage(stderr); return REC_LOCAL;
		}
	}
	if (argc - optind != 1 || home == NULL) {
		reconcile_usage(stderr);
		return REC_LOCAL;
	}
	peer = argv[optind];
	/* the session is signed with the node key, whatever the mode */
	/* writable even without --repair: fork evidence found is stored */
	if ((rc = node_open(&n, home, NODE_SIGN | NODE_WRITE)) != 0) {
		cli_fail(rc, "open node");
		return REC_LOCAL;
	}
	if ((rc = fed_open(&f, &n)) != 0) {
		node_close(&n);
		cli_fail(rc, "federation");
		return REC_LOCAL;
	}
	if ((rc = sync_connect(&f, peer, timeout * 1000, &c, &pid)) != 0) {
		cli_err("%s: %s%s%s", peer, cx_strerror(rc), cx_lasterr()[0] ? ": " : "",
		    cx_lasterr());
		if (as_json) {
			json_t *j = json_pack("{s:s, s:b, s:i, s:s}", "peer", peer, "in_sync", 0,
			    "exit", REC_UNREACH, "error", cx_lasterr());

			json_dumpf(j, stdout, JSON_INDENT(2));
			printf("\n");
			json_decref(j);
		}
		fed_close(&f);
		node_close(&n);
		return REC_UNREACH;
	}
	memset(&o, 0, sizeof(o));
	o.pull = repair;
	o.peer = pid ? pid : peer;
	o.progress = sync_progress;
	o.log = sync_print_log;
	rc = sync_with(&f, c, &o, &rep);
	if (rc != 0) {
		cli_err("%s: %s: %s", peer, cx_strerror(rc), cx_lasterr());
		code = rc == CX_EREFUSED || rc == CX_ETIMEOUT || rc == CX_EIO ? REC_UNREACH : REC_DIFFER;
	} else
		code = rec_code(&rep, 1);
	if (rc == 0 || rep.n > 0) {
		if (as_json) {
			json_t *j = rec_json(o.peer, &rep, code);

			json_dumpf(j, stdout, JSON_INDENT(2));
			printf("\n");
			json_decref(j);
		} else {
			rec_print(o.peer, &rep, repair);
			printf("%s\n", code == REC_SAME ? "in sync" : code == REC_FORK ?
			    "FORK: evidence held (cxnode evidence list)" : code == REC_DIFFER ?
			    (repair ? "differences found; what this node lacked was fetched" :
			    "differences found") : "peer unreachable or refused");
		}
	}
	sync_report_free(&rep);
	wire_client_close(c);
	free(pid);
	fed_close(&f);
	node_close(&n);
	return code;
}

static void
sync_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode sync --home DIR [--json] [PEER...]\n"
	    "\n"
	    "Pull now from each PEER (member ids or URLs; default: the [serve] peers,\n"
	    "or every other member): newer roster, checkpoints and leaves, verified,\n"
	    "admitted and witnessed as `serve` does. Exit 0 done, 1 a peer was\n"
	    "unreachable or sent what did not verify, 2 fork evidence, 4 usage or\n"
	    "local error.\n");
}

int
cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL;
	struct node n;
	struct fed f;
	struct fed_roster *r;
	char **peers = NULL;
	size_t npeers = 0, i;
	json_t *all = NULL;
	int ch, rc, as_json = 0, worst = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': sync_usage(stdout); return CLI_OK;
		default: sync_usage(stderr); return REC_LOCAL;
		}
	}
	if (home == NULL) {
		sync_usage(stderr);
		return REC_LOCAL;
	}
	if ((rc = node_open(&n, home, NODE_WRITE | NODE_SIGN)) != 0) {
		cli_fail(rc, "open node");
		return REC_LOCAL;
	}
	if ((rc = fed_open(&f, &n)) != 0) {
		node_close(&n);
		cli_fail(rc, "federation");
		return REC_LOCAL;
	}
	if ((r = fed_roster(&f)) == NULL) {
		cli_err("this node holds no roster: cxnode federation install --home HOME ROSTER --root KEY");
		fed_close(&f);
		node_close(&n);
		return REC_LOCAL;
	}
	peers = calloc(r->r->n_members + (size_t)argc + 1, sizeof(*peers));
	if (peers == NULL) {
		fed_roster_put(&f, r);
		fed_close(&f);
		node_close(&n);
		cli_fail(CX_ENOMEM, "sync");
		return REC_LOCAL;
	}
	if (optind < argc) {
		for (i = (size_t)optind; i < (size_t)argc; i++)
			peers[npeers++] = argv[i];
	} else if (n.cfg.peers != NULL) {
		for (i = 0; n.cfg.peers[i] != NULL; i++)
			peers[npeers++] = n.cfg.peers[i];
	} else {
		for (i = 0; i < r->r->n_members; i++)
			if (strcmp(r->r->members[i]->id, n.cfg.id) != 0 && !r->r->members[i]->retired)
				peers[npeers++] = r->r->members[i]->id;
	}
	if (as_json)
		all = json_array();
	for (i = 0; i < npeers; i++) {
		struct sync_opts o;
		struct sync_report rep;
		wire_client *c = NULL;
		char *pid = NULL;
		int code;

		if ((rc = sync_connect(&f, peers[i], 10000, &c, &pid)) != 0) {
			cli_err("%s: %s%s%s", peers[i], cx_strerror(rc), cx_lasterr()[0] ? ": " : "",
			    cx_lasterr());
			if (all != NULL)
				json_array_append_new(all, json_pack("{s:s, s:s}", "peer", peers[i],
				    "error", cx_lasterr()));
			worst = worst > 1 ? worst : 1;
			continue;
		}
		memset(&o, 0, sizeof(o));
		o.pull = 1;
		o.peer = pid ? pid : peers[i];
		o.progress = sync_progress;
		o.log = sync_print_log;
		rc = sync_with(&f, c, &o, &rep);
		if (rc != 0) {
			cli_err("%s: %s: %s", peers[i], cx_strerror(rc), cx_lasterr());
			worst = worst > 1 ? worst : 1;
		}
		code = rec_code(&rep, 0);
		if (code == REC_FORK)
			worst = 2;
		else if (rep.refused > 0 && worst < 1)
			worst = 1;
		if (all != NULL)
			json_array_append_new(all, rec_json(o.peer, &rep, code));
		else {
			size_t j;
			uint64_t pulled = 0;
			int logs = 0;

			for (j = 0; j < rep.n; j++)
				if (rep.logs[j].state == SYNC_PULLED) {
					pulled += rep.logs[j].pulled;
					logs++;
				} else if (rep.logs[j].state == SYNC_FORK ||
				    rep.logs[j].state == SYNC_REFUSED ||
				    rep.logs[j].state == SYNC_BROKEN_RULES)
					printf("%s: %s: %s: %s\n", o.peer, rep.logs[j].origin,
					    sync_state_name(rep.logs[j].state), rep.logs[j].why);
			printf("%s: %llu leaves pulled into %d logs%s\n", o.peer,
			    (unsigned long long)pulled, logs,
			    rep.roster_updated ? "; newer roster taken" : "");
		}
		sync_report_free(&rep);
		wire_client_close(c);
		free(pid);
	}
	if (all != NULL) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(all);
	}
	free(peers);
	fed_roster_put(&f, r);
	fed_close(&f);
	node_close(&n);
	return worst;
}
