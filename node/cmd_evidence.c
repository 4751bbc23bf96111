/*
 * cmd_evidence.c — `cxnode evidence`: the fork evidence a node holds, its
 * export as a file anyone can check offline with the roster alone, that
 * check, and clearing a halted log once an operator has dealt with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "keys/roster.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "node/evidence.h"
#include "node/fed.h"
#include "node/node.h"
#include "util/err.h"

static void
ev_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode evidence list --home DIR [--json]\n"
	    "       cxnode evidence export ORIGIN --out FILE --home DIR\n"
	    "       cxnode evidence show FILE\n"
	    "       cxnode evidence verify FILE --roster ROSTER --root KEY\n"
	    "       cxnode evidence clear ORIGIN --home DIR\n"
	    "\n"
	    "Fork evidence: two checkpoints one issuer signed that no single history\n"
	    "explains. `verify` needs only the roster and the federation root key;\n"
	    "it exits 0 when the file proves the fork, 1 when it does not.\n"
	    "`clear` lets the node take the issuer's leaves again (the evidence stays).\n");
}

struct ev_item {
	uint32_t log;
	uint8_t *buf;
	size_t len;
};

struct ev_list {
	struct ev_item *v;
	size_t n;
};

static int
ev_collect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct ev_list *l = ctx;
	struct ev_item *nv;

	if (klen != 13)
		return 0;
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		return 1;
	l->v = nv;
	nv[l->n].log = idx_get32((const uint8_t *)key + 1);
	if ((nv[l->n].buf = malloc(vlen ? vlen : 1)) == NULL)
		return 1;
	memcpy(nv[l->n].buf, val, vlen);
	nv[l->n].len = vlen;
	l->n++;
	return 0;
}

static void
ev_list_free(struct ev_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].buf);
	free(l->v);
}

static int
ev_load(struct node *n, struct ev_list *l)
{
	store_txn *t;
	int rc;

	memset(l, 0, sizeof(*l));
	if ((rc = store_read_begin(&t, n->st)) != 0)
		return rc;
	rc = store_aux_scan(t, "E", 1, ev_collect, l);
	store_read_end(t);
	return rc;
}

static int
ev_list_cmd(const char *home, int as_json)
{
	struct node n;
	struct ev_list l;
	json_t *a = as_json ? json_array() : NULL;
	size_t i;
	int rc;

	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, "open node");
	if ((rc = ev_load(&n, &l)) != 0) {
		node_close(&n);
		return cli_fail(rc, "evidence");
	}
	for (i = 0; i < l.n; i++) {
		Cx__Evidence *e = cx__evidence__unpack(NULL, l.v[i].len, l.v[i].buf);
		store_txn *t = NULL;
		char *why = NULL, when[32];
		time_t at;
		int halted = 0;

		if (e == NULL)
			continue;
		if (store_read_begin(&t, n.st) == 0) {
			halted = fed_halted(t, l.v[i].log, &why) == 0;
			store_read_end(t);
		}
		at = (time_t)e->found_at;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&at));
		if (a != NULL)
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "origin",
			    e->origin, "issuer", e->issuer, "found_at", when, "found_by",
			    e->found_by, "peer", e->peer, "halted", halted));
		else
			printf("%s  %-28s issuer %-10s found by %s from %s%s\n", when, e->origin,
			    e->issuer, e->found_by, e->peer, halted ? "  [halted]" : "");
		free(why);
		cx__evidence__free_unpacked(e, NULL);
	}
	if (a != NULL) {
		json_dumpf(a, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(a);
	} else if (l.n == 0)
		printf("no fork evidence\n");
	ev_list_free(&l);
	node_close(&n);
	return CLI_OK;
}

static int
ev_export(const char *home, const char *origin, const char *out)
{
	struct node n;
	struct ev_list l;
	uint32_t log;
	size_t i;
	int rc, fd, ret = CLI_FATAL;

	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, "open node");
	if ((rc = node_find_log(&n, origin, &log)) != 0) {
		node_close(&n);
		return cli_fail(rc, origin);
	}
	if ((rc = ev_load(&n, &l)) != 0) {
		node_close(&n);
		return cli_fail(rc, "evidence");
	}
	for (i = l.n; i > 0 && l.v[i - 1].log != log; i--)
		;
	if (i == 0) {
		cli_err("no fork evidence for %s", origin);
		goto out;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_err("%s: %s", out, strerror(errno));
		goto out;
	}
	if (write(fd, l.v[i - 1].buf, l.v[i - 1].len) != (ssize_t)l.v[i - 1].len) {
		cli_err("%s: %s", out, strerror(errno));
		close(fd);
		unlink(out);
		goto out;
	}
	close(fd);
	printf("wrote the latest fork evidence for %s to %s\n", origin, out);
	ret = CLI_OK;
out:
	ev_list_free(&l);
	node_close(&n);
	return ret;
}

/* Read a whole file (at most max bytes). */
static int
ev_read(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	size_t n;

	*buf = NULL;
	if (f == NULL)
		return cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	if ((b = malloc(max + 1)) == NULL) {
		fclose(f);
		return CX_ENOMEM;
	}
	n = fread(b, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(b);
		return cx_seterr(CX_ETOOBIG, "%s: larger than %zu bytes", path, max);
	}
	*buf = b;
	*len = n;
	return 0;
}

static int
ev_show(const char *file)
{
	uint8_t *buf;
	size_t len;
	Cx__Evidence *e;
	char *j = NULL;
	int rc;

	if ((rc = ev_read(file, 4u << 20, &buf, &len)) != 0)
		return cli_fail(rc, file);
	e = cx__evidence__unpack(NULL, len, buf);
	free(buf);
	if (e == NULL) {
		cli_err("%s: not fork evidence", file);
		return CLI_FATAL;
	}
	if ((rc = evidence_json(&j, e)) != 0) {
		cx__evidence__free_unpacked(e, NULL);
		return cli_fail(rc, "show");
	}
	printf("%s\n", j);
	free(j);
	cx__evidence__free_unpacked(e, NULL);
	return CLI_OK;
}

static int
ev_verify(const char *file, const char *rosterpath, const char *rootarg)
{
	uint8_t *buf = NULL, *rb = NULL;
	size_t len, rl;
	Cx__Evidence *e = NULL;
	Cx__Roster *r = NULL;
	keys_key *root = NULL;
	char why[400];
	int rc, ret = CLI_FATAL;

	if ((rc = cli_public_key(&root, rootarg)) != 0)
		return cli_fail(rc, "--root");
	if ((rc = ev_read(rosterpath, ROSTER_MAX_LEN, &rb, &rl)) != 0 ||
	    (rc = roster_open(&r, rb, rl, root)) != 0) {
		ret = cli_fail(rc, rosterpath);
		goto out;
	}
	if ((rc = ev_read(file, 4u << 20, &buf, &len)) != 0) {
		ret = cli_fail(rc, file);
		goto out;
	}
	if ((e = cx__evidence__unpack(NULL, len, buf)) == NULL) {
		cli_err("%s: not fork evidence", file);
		ret = CLI_PARTIAL;
		goto out;
	}
	why[0] = '\0';
	if (evidence_check(e, r, why, sizeof(why)) != 0) {
		printf("NOT PROVEN: %s\n", why);
		ret = CLI_PARTIAL;
		goto out;
	}
	printf("proven: %s (%s) signed two inconsistent checkpoints of %s\n", e->issuer,
	    e->origin, e->origin);
	ret = CLI_OK;
out:
	cx__evidence__free_unpacked(e, NULL);
	roster_free(r);
	keys_free(root);
	free(buf);
	free(rb);
	return ret;
}

static int
ev_clear(const char *home, const char *origin)
{
	struct node n;
	struct fed f;
	uint32_t log;
	int rc;

	if ((rc = node_open(&n, home, NODE_WRITE)) != 0)
		return cli_fail(rc, "open node");
	if ((rc = node_find_log(&n, origin, &log)) != 0) {
		node_close(&n);
		return cli_fail(rc, origin);
	}
	if ((rc = fed_open(&f, &n)) != 0) {
		node_close(&n);
		return cli_fail(rc, "federation");
	}
	rc = fed_clear_halt(&f, log);
	fed_close(&f);
	node_close(&n);
	if (rc != 0)
		return cli_fail(rc, "clear");
	printf("%s: cleared; its leaves are taken again (the evidence is kept)\n", origin);
	return CLI_OK;
}

int
cmd_evidence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "roster", required_argument, NULL, 'r' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *out = NULL, *roster = NULL, *root = NULL;
	const char *verb;
	int ch, as_json = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		ev_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_FATAL : CLI_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'j': as_json = 1; break;
		case 'o': out = optarg; break;
		case 'r': roster = optarg; break;
		case 'R': root = optarg; break;
		case 'h': ev_usage(stdout); return CLI_OK;
		default: ev_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL && strcmp(verb, "show") != 0 && strcmp(verb, "verify") != 0) {
		cli_err("evidence %s needs --home DIR", verb);
		return CLI_FATAL;
	}
	if (strcmp(verb, "list") == 0 && optind == argc)
		return ev_list_cmd(home, as_json);
	if (strcmp(verb, "export") == 0 && argc - optind == 1 && out != NULL)
		return ev_export(home, argv[optind], out);
	if (strcmp(verb, "show") == 0 && argc - optind == 1)
		return ev_show(argv[optind]);
	if (strcmp(verb, "verify") == 0 && argc - optind == 1 && roster && root)
		return ev_verify(argv[optind], roster, root);
	if (strcmp(verb, "clear") == 0 && argc - optind == 1)
		return ev_clear(home, argv[optind]);
	ev_usage(stderr);
	return CLI_FATAL;
}
