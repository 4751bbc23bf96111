/*
 * cmd_install.c — `cxnode federation install`: give a node its federation
 * (the root key it trusts, written once into cxnode.conf) and a signed
 * roster, or a newer roster later. Older or equal versions are refused.
 * Once a node serves, newer rosters also arrive from its peers.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/roster.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "node/fed.h"
#include "node/node.h"
#include "util/err.h"

static void
install_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode federation install ROSTER --home DIR [--root KEY]\n"
	    "\n"
	    "Install a signed roster (`cxnode federation sign` writes roster.pb) into\n"
	    "the node. The first time, --root names the federation root key (a\n"
	    "verifier or a .pub file); it is written to [federation] root in\n"
	    "cxnode.conf. Exit 1 when the roster is not newer than the one held.\n");
}

/* Append "[federation] root = v" to HOME/cxnode.conf. */
static int
install_root(const char *home, const char *v)
{
	char *path;
	FILE *f;
	int rc = 0;

	if (asprintf(&path, "%s/cxnode.conf", home) < 0)
		return CX_ENOMEM;
	if ((f = fopen(path, "a")) == NULL) {
		rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	fprintf(f, "\n[federation]\n# the federation root key this node trusts\nroot = %s\n", v);
	if (fclose(f) != 0)
		rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	free(path);
	return rc;
}

int
fed_install_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *rootarg = NULL;
	struct node n;
	struct fed f;
	keys_key *root = NULL;
	char *verifier = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *fp;
	const Cx__Member *me;
	struct fed_roster *r;
	int ch, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'r': rootarg = optarg; break;
		case 'h': install_usage(stdout); return CLI_OK;
		default: install_usage(stderr); return CLI_FATAL;
		}
	}
	if (argc - optind != 1 || home == NULL) {
		install_usage(stderr);
		return CLI_FATAL;
	}
	if ((fp = fopen(argv[optind], "rb")) == NULL) {
		cli_err("%s: %s", argv[optind], strerror(errno));
		return CLI_FATAL;
	}
	if ((buf = malloc(ROSTER_MAX_LEN + 1)) == NULL) {
		fclose(fp);
		return cli_fail(CX_ENOMEM, "install");
	}
	len = fread(buf, 1, ROSTER_MAX_LEN + 1, fp);
	fclose(fp);
	if (len > ROSTER_MAX_LEN) {
		free(buf);
		cli_err("%s: larger than %u bytes", argv[optind], ROSTER_MAX_LEN);
		return CLI_FATAL;
	}
	if ((rc = node_open(&n, home, NODE_WRITE)) != 0) {
		free(buf);
		return cli_fail(rc, "open node");
	}
	if (rootarg != NULL) {
		if ((rc = cli_public_key(&root, rootarg)) != 0 ||
		    (rc = keys_verifier(&verifier, root)) != 0) {
			ret = cli_fail(rc, "--root");
			goto out;
		}
		if (n.cfg.root != NULL && strcmp(n.cfg.root, verifier) != 0) {
			cli_err("this node already trusts root %s; a node belongs to one federation",
			    n.cfg.root);
			goto out;
		}
		if (n.cfg.root == NULL) {
			if ((rc = install_root(home, verifier)) != 0) {
				ret = cli_fail(rc, "cxnode.conf");
				goto out;
			}
			n.cfg.root = verifier;
			verifier = NULL;
		}
	}
	if (n.cfg.root == NULL) {
		cli_err("no federation root key yet: give --root KEY");
		goto out;
	}
	if ((rc = fed_open(&f, &n)) != 0) {
		ret = cli_fail(rc, "federation");
		goto out;
	}
	rc = fed_roster_install(&f, buf, len);
	if (rc == CX_ESTALE) {
		cli_err("%s", cx_lasterr());
		fed_close(&f);
		ret = CLI_PARTIAL;
		goto out;
	}
	if (rc != 0) {
		ret = cli_fail(rc, argv[optind]);
		fed_close(&f);
		goto out;
	}
	r = fed_roster(&f);
	printf("installed roster version %llu of federation %s (%zu members)\n",
	    (unsigned long long)r->r->version, r->r->federation, r->r->n_members);
	if ((me = roster_member(r->r, n.cfg.id)) == NULL)
		cli_err("warning: %s is not a member in this roster; peers will refuse it",
		    n.cfg.id);
	else if (me->origin == NULL || strcmp(me->origin, n.cfg.origin) != 0)
		cli_err("warning: the roster gives %s the origin \"%s\", this node uses \"%s\"",
		    n.cfg.id, me->origin ? me->origin : "", n.cfg.origin);
	fed_roster_put(&f, r);
	fed_close(&f);
	ret = CLI_OK;
out:
	keys_free(root);
	free(verifier);
	free(buf);
	node_close(&n);
	return ret;
}
