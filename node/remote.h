/*
 * remote.h — calling a node's services from elsewhere (`--remote`): an
 * authenticated nng session as an authorised client or a member, and one
 * ApiRequest over it (docs/api.md).
 *
 * What the client needs: its own signing key (--key FILE), and the roster
 * to know the server's key: --roster FILE (a SignedRoster, as `federation
 * sign` writes it; checked with --root when given) or --home DIR (a home
 * with the roster installed, whose own key is used when --key is absent).
 */
#ifndef CX_REMOTE_H
#define CX_REMOTE_H

#include <jansson.h>

#include "net/wire.h"

struct remote_opts {
	const char *url;        /* tls+tcp://, tcp:// (loopback), ipc:// */
	const char *key;        /* private key file, or NULL with home */
	const char *roster;     /* SignedRoster file, or NULL with home */
	const char *root;       /* root verifier file or string, optional */
	const char *home;       /* node home, optional */
	const char *server;     /* expected server id, or NULL: any member */
	int timeout_ms;         /* 0: WIRE_TIMEOUT_MS */
};

typedef struct remote remote;

/* Connect and authenticate. Returns 0 or an error with detail. */
int remote_open(remote **out, const struct remote_opts *o);

/* Call method(params); *result is a new reference. A refusal is
 * CX_EREFUSED with the server's message. */
int remote_call(remote *r, const char *method, const json_t *params, json_t **result);

void remote_close(remote *r);

/* remote_open, remote_call, remote_close. */
int remote_api(const struct remote_opts *o, const char *method, const json_t *params,
    json_t **result);

/* The getopt long options every --remote command takes, and their
 * parsing: returns 1 if ch was one of them (stored in o), else 0. */
#define REMOTE_LONGOPTS \
	{ "remote", required_argument, NULL, 0x1001 }, \
	{ "key", required_argument, NULL, 0x1002 }, \
	{ "roster", required_argument, NULL, 0x1003 }, \
	{ "root", required_argument, NULL, 0x1004 }, \
	{ "server", required_argument, NULL, 0x1005 }, \
	{ "timeout", required_argument, NULL, 0x1006 }
int remote_opt(struct remote_opts *o, int ch, const char *arg);

#endif
