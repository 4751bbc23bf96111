/*
 * cmd_client.c — `cxnode client add|list|remove`: the authorised clients of
 * a node and their roles (docs/api.md, "Roles"), kept in the clients file
 * ([serve] clients, default HOME/clients): "VERIFIER ROLE" a line.
 *
 * The file is rewritten whole (a new file renamed over the old one), so a
 * running serve never reads half of it; serve reads it when it starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "keys/keys.h"
#include "keys/roster.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/role.h"
#include "util/err.h"

static void
client_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode client add --home DIR --role ROLE KEY\n"
	    "       cxnode client list --home DIR [--json]\n"
	    "       cxnode client remove --home DIR NAME\n"
	    "\n"
	    "The clients a node lets in besides the federation's members, each with its\n"
	    "signed-note public key and a role:\n"
	    "  monitor    heads, checkpoints, consistency proofs, the roster\n"
	    "  public     screening answers and reports as published: identity numbers\n"
	    "             masked, only what is in force today\n"
	    "  regulator  screening, receipts and reports with identity numbers, history\n"
	    "             and past dates; quality figures\n"
	    "  auditor    the audit log, quality figures, screening masked with history\n"
	    "\n"
	    "  --role ROLE   monitor, public, regulator or auditor\n"
	    "  KEY           the client's verifier string, or a .pub file holding one\n"
	    "  NAME          the client's key name\n"
	    "  --json        machine-readable list\n"
	    "\n"
	    "Restart serve to apply a change. Exit status: 0 done, 2 usage or error.\n");
}

struct client_line {
	char *verifier;
	int role;
};

static void
client_free(struct client_line *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].verifier);
	free(v);
}

/* Read the clients file (missing: no clients). */
static int
client_read(const char *path, struct client_line **out, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int lineno = 0, rc = 0;

	*out = NULL;
	*n = 0;
	if (fp == NULL)
		return errno == ENOENT ? 0 : cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct client_line *nv;
		char *v;
		int role;

		lineno++;
		if ((rc = role_client_line(line, &v, &role)) != 0) {
			rc = cx_seterr(rc, "%s:%d: %s", path, lineno, cx_lasterr());
			break;
		}
		if (v == NULL)
			continue;
		if ((nv = realloc(*out, (*n + 1) * sizeof(*nv))) == NULL) {
			free(v);
			rc = CX_ENOMEM;
			break;
		}
		*out = nv;
		nv[*n].verifier = v;
		nv[*n].role = role;
		(*n)++;
	}
	fclose(fp);
	if (rc != 0) {
		client_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Write the clients file anew: a temporary file renamed over it. */
static int
client_write(const char *path, const struct client_line *v, size_t n)
{
	char *tmp;
	FILE *fp;
	size_t i;
	int fd, rc = 0;

	if (asprintf(&tmp, "%s.new", path) < 0)
		return CX_ENOMEM;
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(tmp);
		return rc;
	}
	fprintf(fp, "# authorised clients: VERIFIER ROLE (cxnode client; restart serve after a change)\n");
	for (i = 0; i < n; i++)
		fprintf(fp, "%s %s\n", v[i].verifier, role_name(v[i].role));
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
	if (fclose(fp) != 0 && rc == 0)
		rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static const char *
client_name_of(const char *verifier, char *buf, size_t cap)
{
	size_t len = strcspn(verifier, "+");

	snprintf(buf, cap, "%.*s", (int)len, verifier);
	return buf;
}

int
cmd_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "role", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct client_line *v = NULL;
	struct node n;
	const char *home = NULL, *sub, *rolearg = NULL;
	char name[256], *verifier = NULL;
	size_t nv = 0, i;
	int ch, json = 0, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'r': rolearg = optarg; break;
		case 'j': json = 1; break;
		case 'h': client_usage(stdout); return CLI_OK;
		default: client_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind >= argc) {
		client_usage(stderr);
		return CLI_FATAL;
	}
	sub = argv[optind++];
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if ((rc = client_read(n.cfg.clients, &v, &nv)) != 0) {
		ret = cli_fail(rc, "clients");
		goto out;
	}
	if (strcmp(sub, "list") == 0 && optind == argc) {
		json_t *arr = json_array();

		for (i = 0; i < nv; i++) {
			client_name_of(v[i].verifier, name, sizeof(name));
			if (json)
				json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name", name,
				    "role", role_name(v[i].role), "verifier", v[i].verifier));
			else
				printf("%-24s %-10s %s\n", name, role_name(v[i].role), v[i].verifier);
		}
		if (json) {
			json_dumpf(arr, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
		}
		json_decref(arr);
		ret = CLI_OK;
	} else if (strcmp(sub, "add") == 0 && optind + 1 == argc) {
		keys_key *k = NULL;
		Cx__Roster *r = NULL;
		struct client_line *nl;
		int role = rolearg ? role_from_name(rolearg) : 0;

		if (role < ROLE_MONITOR || role > ROLE_AUDITOR) {
			cli_err("--role: monitor, public, regulator or auditor");
			goto out;
		}
		if ((rc = cli_public_key(&k, argv[optind])) != 0 ||
		    (rc = keys_verifier(&verifier, k)) != 0) {
			keys_free(k);
			ret = cli_fail(rc, argv[optind]);
			goto out;
		}
		keys_free(k);
		client_name_of(verifier, name, sizeof(name));
		if (node_roster(&n, &r) == 0) {
			int member = roster_member(r, name) != NULL;

			roster_free(r);
			if (member) {
				cli_err("%s is a member of the federation: a client key must be named "
				    "otherwise", name);
				goto out;
			}
		}
		for (i = 0; i < nv; i++) {
			char other[256];

			if (strcmp(client_name_of(v[i].verifier, other, sizeof(other)), name) == 0) {
				cli_err("a client named %s is already there (remove it first)", name);
				goto out;
			}
		}
		if ((nl = realloc(v, (nv + 1) * sizeof(*nl))) == NULL) {
			ret = cli_fail(CX_ENOMEM, "client");
			goto out;
		}
		v = nl;
		v[nv].verifier = verifier;
		v[nv].role = role;
		verifier = NULL;
		nv++;
		if ((rc = client_write(n.cfg.clients, v, nv)) != 0) {
			ret = cli_fail(rc, "clients");
			goto out;
		}
		printf("added %s as %s (restart serve to apply)\n", name, role_name(role));
		ret = CLI_OK;
	} else if (strcmp(sub, "remove") == 0 && optind + 1 == argc) {
		size_t j = 0, before = nv;

		for (i = 0; i < nv; i++) {
			if (strcmp(client_name_of(v[i].verifier, name, sizeof(name)), argv[optind]) == 0)
				free(v[i].verifier);
			else
				v[j++] = v[i];
		}
		nv = j;
		if (nv == before) {
			cli_err("no client named %s", argv[optind]);
			goto out;
		}
		if ((rc = client_write(n.cfg.clients, v, nv)) != 0) {
			ret = cli_fail(rc, "clients");
			goto out;
		}
		printf("removed %s (restart serve to apply)\n", argv[optind]);
		ret = CLI_OK;
	} else {
		client_usage(stderr);
	}
out:
	free(verifier);
	client_free(v, nv);
	node_close(&n);
	return ret;
}
