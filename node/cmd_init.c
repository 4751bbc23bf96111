/*
 * cmd_init.c — `cxnode init`: create a node home.
 *
 * Order matters for a clean failure: the home must be new or empty; the key
 * is created first (O_EXCL), then the configuration, then the store with
 * this node's log and its first checkpoint (size 0), so that a node that
 * exists always has a signed tree head.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "credit/codes.h"
#include "keys/keys.h"
#include "net/wire.h"
#include "node/cmds.h"
#include "node/node.h"
#include "util/err.h"

static void
init_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode init --home DIR --id ID --region CODE [options]\n"
	    "\n"
	    "Create a node home: a signing key, the configuration and a store holding\n"
	    "this node's empty log with its first signed checkpoint.\n"
	    "\n"
	    "  --home DIR          node home to create (must not exist, or be empty)\n"
	    "  --id ID             node id, also the key name (e.g. hangzhou)\n"
	    "  --region CODE       GB/T 2260 division code (e.g. 330100)\n"
	    "  --name NAME         display name (e.g. 杭州)\n"
	    "  --federation NAME   federation name (default g60)\n"
	    "  --origin ORIGIN     checkpoint origin line (default FEDERATION.cxnode/ID)\n"
	    "  --algorithm ALG     ed25519 (default) or sm2\n"
	    "  --passphrase        encrypt the private key (asked on the terminal,\n"
	    "                      or CXNODE_PASSPHRASE)\n");
}

/* Node ids are signed-note key names and file-name safe. */
static int
init_valid_id(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (i > 0 && (c == '-' || c == '_' || c == '.'))))
			return 0;
	}
	return 1;
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "id", required_argument, NULL, 'i' },
		{ "region", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "federation", required_argument, NULL, 'f' },
		{ "origin", required_argument, NULL, 'o' },
		{ "algorithm", required_argument, NULL, 'a' },
		{ "passphrase", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg c = { 0 };
	struct node n = { 0 };
	keys_key *key = NULL;
	char *verifier = NULL, *keydir = NULL, *keyfile = NULL, *pubfile = NULL;
	char *origin = NULL;
	const char *home = NULL, *id = NULL, *region = NULL, *name = NULL;
	const char *fed = "g60", *alg = "ed25519", *orig = NULL;
	int ch, want_pass = 0, rc, algid, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'i': id = optarg; break;
		case 'r': region = optarg; break;
		case 'n': name = optarg; break;
		case 'f': fed = optarg; break;
		case 'o': orig = optarg; break;
		case 'a': alg = optarg; break;
		case 'p': want_pass = 1; break;
		case 'h': init_usage(stdout); return CLI_OK;
		default: init_usage(stderr); return CLI_FATAL;
		}
	}
	if (optind != argc || home == NULL || id == NULL || region == NULL) {
		init_usage(stderr);
		return CLI_FATAL;
	}
	if (!init_valid_id(id)) {
		cli_err("--id \"%s\": use lowercase letters, digits, '-', '_', '.' (at most 63)", id);
		return CLI_FATAL;
	}
	if (codes_division_valid(region) != 0) {
		cli_err("--region \"%s\": not a GB/T 2260 division code", region);
		return CLI_FATAL;
	}
	if ((algid = cli_algorithm(alg)) == 0) {
		cli_err("--algorithm \"%s\": use ed25519 or sm2", alg);
		return CLI_FATAL;
	}
	if (orig == NULL) {
		if (asprintf(&origin, "%s.cxnode/%s", fed, id) < 0)
			return cli_fail(CX_ENOMEM, "init");
	} else if ((origin = strdup(orig)) == NULL)
		return cli_fail(CX_ENOMEM, "init");
	{
		/* the C2SP rule: a non-empty line of visible characters, no '+';
		 * checked before anything is created */
		const unsigned char *o;

		for (o = (const unsigned char *)origin; *o; o++)
			if (*o <= ' ' || *o == 0x7f || *o == '+')
				break;
		if (*o != '\0' || origin[0] == '\0') {
			cli_err("--origin \"%s\": visible characters only, no spaces or '+'", origin);
			goto out;
		}
	}

	if ((rc = cli_mkdir(home)) != 0) {
		ret = cli_fail(rc, "init");
		goto out;
	}
	if (asprintf(&keydir, "%s/keys", home) < 0 || asprintf(&keyfile, "%s/node.key", keydir) < 0 ||
	    asprintf(&pubfile, "%s/node.pub", keydir) < 0) {
		ret = cli_fail(CX_ENOMEM, "init");
		goto out;
	}
	{
		/* a new home, or an empty directory: never mix with other files */
		DIR *d = opendir(home);
		struct dirent *e;
		int other = 0;

		while (d != NULL && (e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				other = 1;
		if (d != NULL)
			closedir(d);
		if (other) {
			cli_err("%s is not empty (a node home is created in a new or empty directory)",
			    home);
			goto out;
		}
	}
	if ((rc = cli_mkdir(keydir)) != 0) {
		ret = cli_fail(rc, "init");
		goto out;
	}
	if ((rc = cli_key_create(&key, &verifier, algid, id, keyfile, pubfile, want_pass,
	    "node key")) != 0) {
		ret = cli_fail(rc, "key");
		goto out;
	}
	{
		/* the TLS identity peers pin through the roster (docs/protocol.md) */
		char *crt = NULL, *tkey = NULL;

		if (asprintf(&crt, "%s/tls.crt", keydir) < 0 || asprintf(&tkey, "%s/tls.key", keydir) < 0)
			rc = CX_ENOMEM;
		else
			rc = wire_tls_generate(crt, tkey, id);
		free(crt);
		free(tkey);
		if (rc != 0) {
			ret = cli_fail(rc, "TLS identity");
			goto out;
		}
	}

	c.home = (char *)home;
	c.id = (char *)id;
	c.region = (char *)region;
	c.name = (char *)name;
	c.federation = (char *)fed;
	c.origin = origin;
	c.algorithm = (char *)alg;
	if ((rc = cfg_write(&c)) != 0) {
		ret = cli_fail(rc, "configuration");
		goto out;
	}
	{
		struct store_opts so = { .create = 1 };
		char *storedir = NULL;

		if (asprintf(&storedir, "%s/store", home) < 0) {
			ret = cli_fail(CX_ENOMEM, "init");
			goto out;
		}
		rc = cli_mkdir(storedir);
		if (rc == 0)
			rc = store_open(&n.st, storedir, &so);
		free(storedir);
		if (rc == 0)
			rc = store_log_create(n.st, &n.log, origin, id, verifier);
		/* the signer needs only the key and the origin */
		n.key = key;
		n.cfg.origin = origin;
		if (rc == 0)
			rc = store_append(n.st, n.log, 0, NULL, 0, node_sign_checkpoint, &n);
		n.key = NULL;
		n.cfg.origin = NULL;
		if (rc != 0) {
			ret = cli_fail(rc, "store");
			goto out;
		}
	}
	printf("created node %s (region %s) in %s\n", id, region, home);
	printf("log origin: %s\n", origin);
	printf("public key: %s\n", verifier);
	ret = CLI_OK;
out:
	keys_free(key);
	free(verifier);
	free(keydir);
	free(keyfile);
	free(pubfile);
	free(origin);
	node_close(&n);
	return ret;
}
