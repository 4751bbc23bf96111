/*
 * cli.h — what every `cxnode` subcommand shares: the command table entry,
 * exit codes, error printing, passphrase prompting and the node's config.
 *
 * Each subcommand lives in node/cmd_<name>.c as
 *     int cmd_<name>(int argc, char **argv);
 * where argv[0] is the subcommand name; it parses its own options with
 * getopt_long, prints its own usage on -h/--help, and returns an exit code.
 */
#ifndef CX_CLI_H
#define CX_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes common to all subcommands. */
#define CLI_OK      0   /* everything done */
#define CLI_PARTIAL 1   /* done, but something was rejected or differs */
#define CLI_FATAL   2   /* usage error or fatal failure; nothing changed */

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;   /* one line */
};

/* Print "cxnode: <message>\n" to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "cxnode: <what>: <strerror(code)>[: <cx_lasterr()>]\n" to stderr
 * and return CLI_FATAL. */
int cli_fail(int code, const char *what);

/*
 * Read a passphrase: from the environment variable CXNODE_PASSPHRASE if set,
 * else from /dev/tty with echo off (asked twice when confirm is set).
 * Returns 0, CX_EPASS when none can be had (no terminal), CX_EINVAL when the
 * two entries differ. The caller wipes buf with OPENSSL_cleanse after use.
 */
int cli_passphrase(const char *prompt, char *buf, size_t cap, int confirm);

/* First line of a small text file (at most 2 KiB), without its newline,
 * as a malloc'd string in *out. Returns 0, CX_ENOTFOUND, CX_EIO, CX_ENOMEM. */
int cli_read_line(char **out, const char *path);

/*
 * A public key given on the command line: a signed-note verifier string,
 * or the name of a file whose first line is one (a .pub file). *out is
 * freed with keys_free. Returns 0 or the code of what failed.
 */
struct keys_key;
int cli_public_key(struct keys_key **out, const char *arg);

/* Create directory path (mode 0700) and any missing parents, like
 * mkdir -p; an existing directory is fine. Returns 0 or CX_EIO. */
int cli_mkdir(const char *path);

/* KEYS_ED25519 or KEYS_SM2 for "ed25519" / "sm2"; 0 for anything else. */
int cli_algorithm(const char *name);

/*
 * Create a key pair named name: ask for a passphrase (twice) when
 * want_pass, generate, save the private key to keypath (0600, O_EXCL) and
 * the verifier line to pubpath (O_EXCL). On success *out is the key (free
 * with keys_free) and *verifier its verifier string (free()). On failure
 * neither file is left behind. `what` names the key in prompts ("node key").
 */
int cli_key_create(struct keys_key **out, char **verifier, int alg, const char *name,
    const char *keypath, const char *pubpath, int want_pass, const char *what);

/* Load a private key, asking for the passphrase when it is encrypted. */
int cli_key_load(struct keys_key **out, const char *path, const char *what);

/* True when stderr is a terminal (progress bars, colours). */
int cli_tty(void);

/*
 * Node configuration, HOME/cxnode.conf (INI):
 *
 *   [node]
 *   id = hangzhou              node id = signed-note key name
 *   region = 330100            GB/T 2260 division code
 *   name = 杭州
 *   federation = g60
 *   origin = g60.cxnode/hangzhou   checkpoint origin line of this node's log
 *   algorithm = ed25519        or sm2
 *   key = keys/node.key        relative to HOME
 *   [query]
 *   unmask = false             may the local operator see identity numbers
 *   grades = grades.conf       grade mapping table (docs/screening.md)
 *
 *   [quality]
 *   calendar = calendar.txt    holidays and make-up working days
 *
 *   [federation]
 *   root = g60-root+1a2b3c4d+AQ...  the federation root key (verifier)
 *
 *   [serve]                    (docs/operations.md has every setting)
 *   listen = tls+tcp://0.0.0.0:7400   repeatable; default: the roster's
 *   publish = tls+tcp://0.0.0.0:7401  endpoints for this node
 *   peers = hefei suzhou       pull from these members only (default all)
 *   allow_plain = false        plain tcp:// beyond loopback
 *   max_message = 67108864     largest message received, bytes
 *   workers = 4                requests served at once
 *   sync_interval = 30         seconds between catch-up rounds
 *   log_level = info           error, warning, notice, info or debug
 *   tls_cert = keys/tls.crt    TLS identity (cxnode init creates it)
 *   tls_key = keys/tls.key
 *   clients = clients          authorised client keys, a verifier and role a line
 *   client_listen = tls+tcp://0.0.0.0:7402  listeners for clients (TLS
 *                              without client certificates; repeatable)
 *   http = http://127.0.0.1:7480   HTTP/JSON API and console (repeatable)
 */
struct cfg {
	char *home;
	char *id;
	char *region;
	char *name;
	char *federation;
	char *origin;
	char *algorithm;
	char *key_path;      /* absolute, resolved against home */
	char *pub_path;      /* HOME/keys/node.pub: the verifier string */
	char *store_path;    /* HOME/store */
	int unmask;
	char *grades;        /* absolute; grade mapping table; NULL: built-in */
	/* [quality] */
	char *calendar;      /* absolute; holiday calendar; NULL: weekends only */
	/* [federation] */
	char *root;          /* verifier string of the federation's root key */
	/* [serve] */
	char **listen;       /* URLs to serve on (NULL-terminated; none: the
	                        roster's endpoints for this node) */
	char **publish;      /* URLs to publish checkpoints on (likewise) */
	char **peers;        /* member ids to pull from (none: every member) */
	int allow_plain;     /* plain tcp:// beyond loopback */
	size_t max_message;  /* bytes */
	int workers;
	int sync_interval;   /* seconds between catch-up rounds */
	int log_level;       /* RFC 5424 severity: messages up to it are shown */
	char *tls_cert;      /* absolute; default HOME/keys/tls.crt */
	char *tls_key;       /* absolute; default HOME/keys/tls.key */
	char *clients;       /* absolute; authorised client keys, one verifier a line */
	char **client_listen;/* URLs for clients (TLS without client certificates) */
	char **http;         /* HTTP API URLs (http:// or https://) */
};

/* Load HOME/cxnode.conf. Returns 0, CX_ENOTFOUND, CX_EFORMAT (with line). */
int cfg_load(struct cfg *c, const char *home);

/* Write HOME/cxnode.conf from c (fails with CX_EEXIST if present). */
int cfg_write(const struct cfg *c);

/* Free the strings of c (not c itself); accepts a zeroed struct. */
void cfg_free(struct cfg *c);

#endif
