/*
 * cmd_key.c — `cxnode key`: make a signing key pair, show a public key.
 *
 *   cxnode key generate --out FILE --name NAME [--algorithm ed25519|sm2]
 *                       [--passphrase]
 *   cxnode key show FILE
 *   cxnode key show --home DIR
 *
 * `generate` writes the secret key to FILE (mode 0600, never overwriting)
 * and its verifier string to FILE.pub; if the .pub cannot be written the
 * secret key is removed again, so either both exist or neither. `show`
 * prints the verifier string name+hexid+base64(type||key) of a secret key
 * file (asking for its passphrase when it is encrypted), of a .pub file, or
 * of a node home's HOME/keys/node.pub. All key handling is in keys/; this
 * file only parses arguments and prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "keys/keys.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "util/err.h"

static void
key_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode key generate --out FILE --name NAME [--algorithm ed25519|sm2] [--passphrase]\n"
	    "       cxnode key show FILE\n"
	    "       cxnode key show --home DIR\n"
	    "\n"
	    "generate   write a new secret key to FILE (mode 0600) and its public key to FILE.pub;\n"
	    "           --passphrase encrypts it (read from CXNODE_PASSPHRASE or the terminal)\n"
	    "show       print the public key as a signed-note verifier: name+hexid+base64(type||key)\n");
}

static int
key_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "algorithm", required_argument, NULL, 'a' },
		{ "passphrase", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *name = NULL, *alg = "ed25519";
	char *pubpath = NULL, *verifier = NULL;
	keys_key *k = NULL;
	int ch, want_pass = 0, algid, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'n': name = optarg; break;
		case 'a': alg = optarg; break;
		case 'p': want_pass = 1; break;
		case 'h': key_usage(stdout); return CLI_OK;
		default: key_usage(stderr); return CLI_FATAL;
		}
	}
	if (optind != argc || out == NULL || name == NULL) {
		key_usage(stderr);
		return CLI_FATAL;
	}
	if ((algid = cli_algorithm(alg)) == 0) {
		cli_err("--algorithm \"%s\": use ed25519 or sm2", alg);
		return CLI_FATAL;
	}
	if (!keys_name_valid(name, strlen(name))) {
		cli_err("--name \"%s\": a key name is non-empty, without spaces or '+'", name);
		return CLI_FATAL;
	}
	if (asprintf(&pubpath, "%s.pub", out) < 0)
		return cli_fail(CX_ENOMEM, "key generate");
	if (access(out, F_OK) == 0 || access(pubpath, F_OK) == 0) {
		cli_err("%s or %s already exists; not overwriting", out, pubpath);
		goto out;
	}
	if ((rc = cli_key_create(&k, &verifier, algid, name, out, pubpath, want_pass, "key")) != 0) {
		ret = cli_fail(rc, "key generate");
		goto out;
	}
	printf("%s\n", verifier);
	ret = CLI_OK;
out:
	keys_free(k);
	free(verifier);
	free(pubpath);
	return ret;
}

static int
key_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL, *path;
	struct cfg c = { 0 };
	char *line = NULL, *verifier = NULL, *pubpath = NULL;
	keys_key *k = NULL;
	int ch, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'h': key_usage(stdout); return CLI_OK;
		default: key_usage(stderr); return CLI_FATAL;
		}
	}
	if ((home == NULL) == (optind == argc) || argc - optind > 1) {
		key_usage(stderr);
		return CLI_FATAL;
	}
	if (home != NULL) {
		if (cfg_load(&c, home) == 0 && c.pub_path != NULL)
			path = c.pub_path;
		else {
			if (asprintf(&pubpath, "%s/keys/node.pub", home) < 0)
				return cli_fail(CX_ENOMEM, "key show");
			path = pubpath;
		}
	} else
		path = argv[optind];
	if ((rc = cli_read_line(&line, path)) != 0) {
		ret = cli_fail(rc, "key show");
		goto out;
	}
	if (strncmp(line, "cxnode secret key", 17) == 0 || strncmp(line, "-----BEGIN", 10) == 0)
		rc = cli_key_load(&k, path, "key");
	else
		rc = keys_from_verifier(&k, line);
	if (rc != 0 || (rc = keys_verifier(&verifier, k)) != 0) {
		ret = cli_fail(rc, path);
		goto out;
	}
	printf("%s\n", verifier);
	ret = CLI_OK;
out:
	keys_free(k);
	free(line);
	free(verifier);
	free(pubpath);
	cfg_free(&c);
	return ret;
}

int
cmd_key(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		key_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_FATAL : CLI_OK;
	}
	if (strcmp(argv[1], "generate") == 0)
		return key_generate(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return key_show(argc - 1, argv + 1);
	cli_err("key: unknown command \"%s\"", argv[1]);
	key_usage(stderr);
	return CLI_FATAL;
}
