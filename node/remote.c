/*
 * remote.c — one authenticated session to a node's services (node/remote.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/roster.h"
#include "node/cli.h"
#include "node/fed.h"
#include "node/node.h"
#include "node/peer.h"
#include "node/remote.h"
#include "util/err.h"

struct remote {
	struct node node;       /* with --home */
	int have_node;
	struct fed fed;         /* the roster: the home's, or the --roster file's */
	int have_fed;
	keys_key *key;          /* ours when loaded from --key */
	wire_client *c;
};

int
remote_opt(struct remote_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 0x1001: o->url = arg; return 1;
	case 0x1002: o->key = arg; return 1;
	case 0x1003: o->roster = arg; return 1;
	case 0x1004: o->root = arg; return 1;
	case 0x1005: o->server = arg; return 1;
	case 0x1006: {
		char *end;
		long s = strtol(arg, &end, 10);

		/* a bad value leaves 0: the default */
		o->timeout_ms = (end != arg && *end == '\0' && s > 0 && s <= 3600) ? (int)s * 1000 : 0;
		return 1;
	}
	}
	return 0;
}

/* Read a SignedRoster file. */
static int
remote_read_roster(const char *path, uint8_t **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");

	*buf = NULL;
	if (fp == NULL)
		return cx_seterr(CX_ENOTFOUND, "%s: %s", path, strerror(errno));
	if ((*buf = malloc(ROSTER_MAX_LEN + 1)) == NULL) {
		fclose(fp);
		return CX_ENOMEM;
	}
	*len = fread(*buf, 1, ROSTER_MAX_LEN + 1, fp);
	fclose(fp);
	if (*len > ROSTER_MAX_LEN) {
		free(*buf);
		*buf = NULL;
		return cx_seterr(CX_ETOOBIG, "%s: larger than %u bytes", path, ROSTER_MAX_LEN);
	}
	return 0;
}

void
remote_close(remote *r)
{
	if (r == NULL)
		return;
	wire_client_close(r->c);
	if (r->have_fed)
		fed_close(&r->fed);
	if (r->have_node)
		node_close(&r->node);
	keys_free(r->key);
	free(r);
}

int
remote_open(remote **out, const struct remote_opts *o)
{
	struct wire_client_cfg cc = { 0 };
	struct wire_tls tls = { 0 };
	struct fed_roster *fr = NULL;
	keys_key *key, *root = NULL;
	char *ca = NULL;
	remote *r;
	int rc;

	*out = NULL;
	if (o->url == NULL)
		return cx_seterr(CX_EINVAL, "--remote URL is needed");
	if (o->home == NULL && o->roster == NULL)
		return cx_seterr(CX_EINVAL, "--remote needs the federation's roster: --roster FILE "
		    "(with --root KEY) or --home DIR");
	if (o->home == NULL && o->key == NULL)
		return cx_seterr(CX_EINVAL, "--remote needs your key: --key FILE");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return CX_ENOMEM;
	if (o->home != NULL) {
		if ((rc = node_open(&r->node, o->home, o->key ? NODE_READ : NODE_SIGN)) != 0)
			goto fail;
		r->have_node = 1;
	}
	if (o->roster != NULL) {
		uint8_t *buf;
		size_t len = 0;

		if (o->root != NULL && (rc = cli_public_key(&root, o->root)) != 0) {
			rc = cx_seterr(rc, "--root: %s", cx_lasterr());
			goto fail;
		}
		if ((rc = remote_read_roster(o->roster, &buf, &len)) != 0)
			goto fail;
		rc = fed_open_roster(&r->fed, buf, len, root);
		free(buf);
		keys_free(root);
		if (rc != 0) {
			rc = cx_seterr(rc, "%s: %s", o->roster, cx_lasterr());
			goto fail;
		}
		if (o->root == NULL)
			fprintf(stderr, "cxnode: warning: %s taken as it is (give --root KEY to check "
			    "its signature)\n", o->roster);
	} else if ((rc = fed_open(&r->fed, &r->node)) != 0) {
		goto fail;
	}
	r->have_fed = 1;
	if ((fr = fed_roster(&r->fed)) == NULL) {
		rc = cx_seterr(CX_ENOTFOUND, "%s holds no roster (cxnode federation install)",
		    o->home);
		goto fail;
	}
	if (o->key != NULL) {
		if ((rc = cli_key_load(&r->key, o->key, "client key")) != 0) {
			rc = cx_seterr(rc, "%s: %s", o->key, cx_lasterr());
			goto fail;
		}
		key = r->key;
	} else {
		key = r->node.key;
	}
	if (strncmp(o->url, "tls+", 4) == 0) {
		if (o->key == NULL) {
			/* the node's own identity: a member presents its certificate */
			if ((rc = fed_tls(&r->fed, &tls, o->server)) != 0)
				goto fail;
		} else {
			if ((rc = fed_roster_ca(fr->r, &ca)) != 0)
				goto fail;
			tls.ca = ca;
			tls.server_name = o->server;
		}
		cc.tls = &tls;
	}
	cc.federation = fr->r->federation;
	cc.id = keys_name(key);
	cc.key = key;
	cc.lookup = fed_lookup;
	cc.lookup_ctx = &r->fed;
	cc.expect_server = o->server;
	cc.allow_plain = r->have_node ? r->node.cfg.allow_plain : 0;
	cc.timeout_ms = o->timeout_ms;
	rc = wire_client_open(&r->c, o->url, &cc);
	if (o->key == NULL && cc.tls != NULL)
		fed_tls_free(&tls);
	free(ca);
	fed_roster_put(&r->fed, fr);
	fr = NULL;
	if (rc != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	if (fr != NULL)
		fed_roster_put(&r->fed, fr);
	remote_close(r);
	return rc;
}

int
remote_call(remote *r, const char *method, const json_t *params, json_t **result)
{
	Cx__Request rq = CX__REQUEST__INIT;
	Cx__ApiRequest ar = CX__API_REQUEST__INIT;
	Cx__Response *rs = NULL;
	json_error_t je;
	char *body;
	int rc;

	*result = NULL;
	body = params != NULL ? json_dumps(params, JSON_COMPACT) : strdup("{}");
	if (body == NULL)
		return CX_ENOMEM;
	ar.method = (char *)method;
	ar.params.data = (uint8_t *)body;
	ar.params.len = strlen(body);
	rq.kind_case = CX__REQUEST__KIND_API;
	rq.api = &ar;
	rc = peer_call(r->c, &rq, &rs);
	free(body);
	if (rc != 0)
		return rc;
	*result = json_loadb((const char *)rs->api->result.data, rs->api->result.len, 0, &je);
	cx__response__free_unpacked(rs, NULL);
	if (*result == NULL)
		return cx_seterr(CX_EFORMAT, "the node's answer is not JSON: %s", je.text);
	return 0;
}

int
remote_api(const struct remote_opts *o, const char *method, const json_t *params,
    json_t **result)
{
	remote *r;
	int rc;

	*result = NULL;
	if ((rc = remote_open(&r, o)) != 0)
		return rc;
	rc = remote_call(r, method, params, result);
	remote_close(r);
	return rc;
}
