/*
 * cmd_audit.c — `cxnode audit`: list, show and verify the node's audit log
 * (docs/audit.md), and print its latest signed checkpoint.
 *
 * Three ways to the log, one answer (the API method "audit", node/audit.h):
 *
 *   --home DIR     the node's own log, asked as its local operator through
 *                  the API dispatcher, so that reading the audit log is
 *                  itself an audited call;
 *   --remote URL   a node's log, asked over an authenticated session (the
 *                  caller needs a role with PERM_AUDIT: auditor, operator);
 *   --dir DIR      a copy of a node's HOME/audit store, read-only and
 *                  offline, checked with --pub (the node's keys/audit.pub).
 *
 * `show` and `verify` check what they can on this side too: the checkpoint's
 * signature (with --pub, or the home's keys/audit.pub) and, for `show`, the
 * entry's inclusion proof up to that checkpoint, printing the entry decoded
 * from the very leaf that was proved.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keys/keys.h"
#include "keys/note.h"
#include "node/api.h"
#include "node/audit.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "node/node.h"
#include "node/remote.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/err.h"

static void
audit_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode audit list (--home DIR | --dir STORE [--pub FILE] | --remote URL ...)\n"
	    "                         [--from T] [--to T] [--who ID] [--role ROLE]\n"
	    "                         [--method M] [--via V] [--offset N] [--limit N]\n"
	    "                         [--reverse] [--json]\n"
	    "       cxnode audit show INDEX (--home DIR | --dir STORE | --remote URL ...)\n"
	    "                         [--pub FILE] [--json]\n"
	    "       cxnode audit verify (--home DIR | --dir STORE --pub FILE | --remote URL ...)\n"
	    "                         [--checkpoint FILE] [--json]\n"
	    "       cxnode audit checkpoint (--home DIR | --dir STORE | --remote URL ...)\n"
	    "\n"
	    "The node's audit log: every call it answered through its API (queries,\n"
	    "receipts, reports, the audit log itself), refused ones too, in a\n"
	    "transparency log of its own with signed checkpoints (docs/audit.md).\n"
	    "\n"
	    "  list              entries, oldest first, filtered and paged\n"
	    "  show INDEX        one entry with its inclusion proof, checked here\n"
	    "  verify            recompute the whole log against every checkpoint\n"
	    "  checkpoint        print the latest signed checkpoint (keep it: a later\n"
	    "                    `verify --checkpoint` proves the log still holds it)\n"
	    "\n"
	    "  --home DIR        this node's log, read as its local operator (audited)\n"
	    "  --dir STORE       a copy of a node's HOME/audit store, read offline\n"
	    "  --pub FILE        the log's key (a node's keys/audit.pub, or the verifier)\n"
	    "  --remote URL      ask that node (role auditor): --key, --roster, --root,\n"
	    "                    --server, --timeout as for `cxnode query`\n"
	    "  --from T, --to T  a date (YYYY-MM-DD, China time, whole days) or an\n"
	    "                    RFC 3339 time; both ends included\n"
	    "  --who ID          the caller: a client or member id, or local:USER\n"
	    "  --role ROLE       member, monitor, public, regulator, auditor, operator\n"
	    "  --method M        whoami, query, receipt, report, audit, quality, token\n"
	    "  --via V           cli, nng or http\n"
	    "  --offset N        skip N matching entries\n"
	    "  --limit N         show at most N (default 100, at most 1000)\n"
	    "  --reverse         newest first\n"
	    "  --checkpoint FILE a checkpoint kept from earlier, which the log must extend\n"
	    "  --json            the answer as JSON (docs/audit.md)\n"
	    "\n"
	    "Exit status: 0 done (verify: no problem), 1 refused, not found, or a problem\n"
	    "found (each printed), 2 usage or error.\n");
}

struct audit_cli {
	const char *verb;
	const char *home, *dir, *pub, *kept;
	struct remote_opts ro;
	int json;
	int unopened;           /* the home or the copy could not be opened */
};

/* The exit status of a failed call: 1 when the node refused or has no such
 * entry, 2 when the log could not be reached at all. */
static int
audit_exit(const struct audit_cli *o, int rc)
{
	if (o->unopened)
		return CLI_FATAL;
	return rc == CX_EREFUSED || rc == CX_EPERM || rc == CX_ENOTFOUND ? CLI_PARTIAL : CLI_FATAL;
}

/* Read a whole small file (a kept checkpoint) into a NUL-terminated buffer. */
static int
audit_read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	*out = NULL;
	if (f == NULL)
		return cx_seterr(CX_ENOTFOUND, "%s: cannot open", path);
	if ((buf = malloc(NOTE_MAX_LEN + 1)) == NULL) {
		fclose(f);
		return cx_seterr(CX_ENOMEM, "%s", path);
	}
	n = fread(buf, 1, NOTE_MAX_LEN + 1, f);
	fclose(f);
	if (n > NOTE_MAX_LEN) {
		free(buf);
		return cx_seterr(CX_ETOOBIG, "%s: larger than a checkpoint can be", path);
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Ask the local node's API as its operator: reading the audit log is
 * itself an entry in it. */
static int
audit_local(const char *home, const json_t *params, json_t **res, int *unopened)
{
	struct api_caller c;
	struct api *a = NULL;
	struct node n;
	int rc;

	if ((rc = node_open(&n, home, NODE_READ)) != 0) {
		*unopened = 1;
		return rc;
	}
	if ((rc = api_open(&a, &n)) == 0) {
		api_local_caller(&c, &n, 0);
		rc = api_call(a, &c, "audit", params, res);
		api_close(a);
	} else {
		*unopened = 1;
	}
	node_close(&n);
	return rc;
}

/* Call the method "audit" by whichever way the options say. */
static int
audit_ask(struct audit_cli *o, const json_t *params, json_t **res)
{
	struct audit *a = NULL;
	int rc;

	*res = NULL;
	if (o->ro.url != NULL) {
		struct remote_opts ro = o->ro;

		ro.home = o->home;
		return remote_api(&ro, "audit", params, res);
	}
	if (o->dir != NULL) {
		if ((rc = audit_open_dir(&a, o->dir, o->pub)) != 0) {
			o->unopened = 1;
			return rc;
		}
		rc = audit_query(a, params, res);
		audit_close(a);
		return rc;
	}
	return audit_local(o->home, params, res, &o->unopened);
}

/* The key that checks the log's checkpoints on this side: --pub, the home's
 * keys/audit.pub, or NULL (none to check with). */
static int
audit_pub(const struct audit_cli *o, keys_key **out)
{
	char path[4096];

	*out = NULL;
	if (o->pub != NULL)
		return cli_public_key(out, o->pub);
	if (o->home != NULL && o->ro.url == NULL && o->dir == NULL) {
		snprintf(path, sizeof(path), "%s/keys/audit.pub", o->home);
		return cli_public_key(out, path);
	}
	return 0;
}

/*
 * Check the answer's checkpoint: signed by key (when given) for the
 * answer's origin; *size and root get what it states. Returns 0 or an
 * error with detail.
 */
static int
audit_check_cp(const json_t *res, keys_key *key, uint64_t *size, tlog_hash root)
{
	const char *note = json_string_value(json_object_get(res, "checkpoint"));
	const char *origin = json_string_value(json_object_get(res, "origin"));
	char *got = NULL;
	size_t len, textlen;
	int rc;

	if (note == NULL || origin == NULL)
		return cx_seterr(CX_ENOTFOUND, "the answer has no checkpoint");
	len = strlen(note);
	rc = key != NULL ? note_verify(note, len, &key, 1, &textlen, NULL) :
	    note_text(note, len, &textlen);
	if (rc != 0)
		return rc;
	if ((rc = tlog_checkpoint_parse(note, textlen, &got, size, root)) != 0)
		return rc;
	if (strcmp(got, origin) != 0)
		rc = cx_seterr(CX_EBADSIG, "the checkpoint is of \"%s\", not \"%s\"", got, origin);
	free(got);
	return rc;
}

/*
 * The answer proves that the log extends the checkpoint kept[]: both
 * checkpoints signed by key (or, without one, by the key the answer names),
 * for the same origin, and the consistency proof between them holds.
 */
static int
audit_check_kept(const json_t *res, keys_key *key, const char *kept)
{
	const json_t *c = json_object_get(res, "consistency"), *pa, *p;
	tlog_hash oldroot, newroot, proof[TLOG_MAX_PROOF];
	keys_key *named = NULL;
	char *origin = NULL;
	uint64_t oldsize, newsize;
	size_t textlen, i;
	int rc;

	if (key == NULL) {
		const char *v = json_string_value(json_object_get(res, "key"));

		if (v == NULL || (rc = keys_from_verifier(&named, v)) != 0)
			return cx_seterr(CX_EFORMAT, "the answer names no key");
		key = named;
	}
	if ((rc = note_verify(kept, strlen(kept), &key, 1, &textlen, NULL)) != 0 ||
	    (rc = tlog_checkpoint_parse(kept, textlen, &origin, &oldsize, oldroot)) != 0)
		goto out;
	if (json_string_value(json_object_get(res, "origin")) == NULL ||
	    strcmp(origin, json_string_value(json_object_get(res, "origin"))) != 0) {
		rc = cx_seterr(CX_EBADSIG, "a checkpoint of \"%s\", not of this log", origin);
		goto out;
	}
	if ((rc = audit_check_cp(res, key, &newsize, newroot)) != 0)
		goto out;
	if (newsize < oldsize) {
		rc = cx_seterr(CX_EFORK, "it states %llu entries, the log now %llu: the log was "
		    "cut short", (unsigned long long)oldsize, (unsigned long long)newsize);
		goto out;
	}
	pa = json_object_get(c, "proof");
	if (!json_is_array(pa) || json_array_size(pa) > TLOG_MAX_PROOF ||
	    json_integer_value(json_object_get(c, "from")) != (json_int_t)oldsize ||
	    json_integer_value(json_object_get(c, "to")) != (json_int_t)newsize) {
		rc = cx_seterr(CX_EFORMAT, "the answer has no consistency proof from %llu to %llu",
		    (unsigned long long)oldsize, (unsigned long long)newsize);
		goto out;
	}
	json_array_foreach(pa, i, p) {
		const char *h = json_string_value(p);

		if (h == NULL || hex_decode(proof[i], TLOG_HASH_LEN, h, strlen(h)) != 0) {
			rc = cx_seterr(CX_EFORMAT, "consistency hash %zu is not hex", i);
			goto out;
		}
	}
	if (tlog_check_consistency(proof, json_array_size(pa), oldsize, oldroot, newsize,
	    newroot) != 0)
		rc = cx_seterr(CX_EFORK, "the log of %llu entries does not extend the %llu it had: "
		    "it was rewritten", (unsigned long long)newsize, (unsigned long long)oldsize);
out:
	free(origin);
	keys_free(named);
	return rc;
}

/* The status column: "ok", or the refusal's code. */
static void
audit_status(char *buf, size_t cap, const json_t *e)
{
	json_int_t st = json_integer_value(json_object_get(e, "status"));

	if (st == 0)
		snprintf(buf, cap, "ok");
	else
		snprintf(buf, cap, "error %lld", (long long)st);
}

static void
audit_print_entry_line(const json_t *e)
{
	const json_t *q = json_object_get(e, "query");
	const char *detail = json_string_value(json_object_get(e, "detail"));
	char *qs = q ? json_dumps(q, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	char st[32];

	audit_status(st, sizeof(st), e);
	printf("%6lld  %-24s  %-4s  %-20s  %-9s  %-8s  %-9s  %s%s%s\n",
	    (long long)json_integer_value(json_object_get(e, "index")),
	    json_string_value(json_object_get(e, "time")),
	    json_string_value(json_object_get(e, "via")),
	    json_string_value(json_object_get(e, "who")),
	    json_string_value(json_object_get(e, "role")),
	    json_string_value(json_object_get(e, "method")), st, qs ? qs : "",
	    detail && detail[0] ? "  — " : "", detail && detail[0] ? detail : "");
	free(qs);
}

static int
audit_print_json(const json_t *res)
{
	char *s = json_dumps(res, JSON_COMPACT);

	if (s == NULL)
		return cli_fail(CX_ENOMEM, "audit");
	printf("%s\n", s);
	free(s);
	return CLI_OK;
}

static int
audit_list(struct audit_cli *o, json_t *params)
{
	json_t *res = NULL, *entries, *e;
	size_t i;
	long long total, offset, size;
	int rc;

	if ((rc = audit_ask(o, params, &res)) != 0)
		goto fail;
	if (o->json) {
		rc = audit_print_json(res);
		json_decref(res);
		return rc;
	}
	entries = json_object_get(res, "entries");
	total = json_integer_value(json_object_get(res, "total"));
	offset = json_integer_value(json_object_get(res, "offset"));
	size = json_integer_value(json_object_get(res, "size"));
	printf("audit log %s: %lld entries; %lld match", json_string_value(json_object_get(res,
	    "origin")), size, total);
	if (json_array_size(entries) > 0)
		printf(", shown %lld to %lld", offset + 1, offset + (long long)json_array_size(entries));
	printf("\n");
	if (json_array_size(entries) > 0)
		printf("%6s  %-24s  %-4s  %-20s  %-9s  %-8s  %-9s  %s\n", "INDEX", "TIME", "VIA",
		    "WHO", "ROLE", "METHOD", "STATUS", "QUERY");
	json_array_foreach(entries, i, e)
		audit_print_entry_line(e);
	json_decref(res);
	return CLI_OK;
fail:
	cli_err("audit list: %s", cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
	return audit_exit(o, rc);
}

/*
 * Check entry e of answer res on this side: its leaf decodes, hashes to
 * leaf_hash, and its proof leads to the root of the checkpoint, signed by
 * key when given. *dec gets the entry decoded from the leaf.
 */
static int
audit_show_check(const json_t *res, const json_t *e, keys_key *key, json_t **dec)
{
	const char *b64 = json_string_value(json_object_get(e, "leaf"));
	const json_t *pa = json_object_get(e, "proof"), *p;
	tlog_hash root, lh, proof[TLOG_MAX_PROOF];
	Cx__AuditEntry *ae;
	uint8_t *leaf = NULL;
	uint64_t size, index;
	size_t len, i;
	int rc;

	*dec = NULL;
	if ((rc = audit_check_cp(res, key, &size, root)) != 0)
		return rc;
	if (b64 == NULL || !json_is_array(pa) || json_array_size(pa) > TLOG_MAX_PROOF)
		return cx_seterr(CX_EFORMAT, "the answer has no leaf and proof");
	if ((leaf = malloc(strlen(b64) + 1)) == NULL)
		return cx_seterr(CX_ENOMEM, "leaf");
	if ((rc = b64_decode(leaf, strlen(b64) + 1, &len, b64, strlen(b64))) != 0)
		goto out;
	json_array_foreach(pa, i, p) {
		const char *h = json_string_value(p);

		if (h == NULL || hex_decode(proof[i], TLOG_HASH_LEN, h, strlen(h)) != 0) {
			rc = cx_seterr(CX_EFORMAT, "proof hash %zu is not hex", i);
			goto out;
		}
	}
	index = (uint64_t)json_integer_value(json_object_get(e, "index"));
	tlog_leaf_hash(lh, leaf, len);
	if ((rc = tlog_check_inclusion(proof, json_array_size(pa), size, index, root, lh)) != 0) {
		rc = cx_seterr(rc, "entry %llu is not in the checkpoint's tree of %llu",
		    (unsigned long long)index, (unsigned long long)size);
		goto out;
	}
	if ((ae = cx__audit_entry__unpack(NULL, len, leaf)) == NULL) {
		rc = cx_seterr(CX_EFORMAT, "the leaf is not an audit entry");
		goto out;
	}
	*dec = audit_entry_json(ae, index);
	cx__audit_entry__free_unpacked(ae, NULL);
	if (*dec == NULL)
		rc = cx_seterr(CX_ENOMEM, "entry");
out:
	free(leaf);
	return rc;
}

static int
audit_show(struct audit_cli *o, const char *arg)
{
	json_t *params = NULL, *res = NULL, *e, *dec = NULL, *q;
	keys_key *key = NULL;
	char *end, *qs = NULL;
	unsigned long long index;
	int rc, ret = CLI_FATAL;

	index = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0') {
		cli_err("audit show: not an entry index: %s", arg);
		return CLI_FATAL;
	}
	if ((params = json_pack("{s:I}", "index", (json_int_t)index)) == NULL)
		return cli_fail(CX_ENOMEM, "audit");
	if ((rc = audit_ask(o, params, &res)) != 0) {
		cli_err("audit show: %s", cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
		ret = audit_exit(o, rc);
		goto out;
	}
	if ((rc = audit_pub(o, &key)) != 0) {
		ret = cli_fail(rc, "audit show: --pub");
		goto out;
	}
	e = json_array_get(json_object_get(res, "entries"), 0);
	if (e == NULL) {
		cli_err("audit show: no entry %llu", index);
		ret = CLI_PARTIAL;
		goto out;
	}
	if ((rc = audit_show_check(res, e, key, &dec)) != 0) {
		cli_err("audit show: entry %llu does not check: %s", index,
		    cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
		ret = CLI_PARTIAL;
		goto out;
	}
	if (o->json) {
		ret = audit_print_json(res);
		goto out;
	}
	q = json_object_get(dec, "query");
	qs = q ? json_dumps(q, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	printf("index:         %lld\n", (long long)json_integer_value(json_object_get(dec, "index")));
	printf("time:          %s\n", json_string_value(json_object_get(dec, "time")));
	printf("who:           %s\n", json_string_value(json_object_get(dec, "who")));
	printf("role:          %s\n", json_string_value(json_object_get(dec, "role")));
	printf("via:           %s\n", json_string_value(json_object_get(dec, "via")));
	printf("method:        %s\n", json_string_value(json_object_get(dec, "method")));
	printf("query:         %s\n", qs ? qs : "");
	printf("answer digest: %s\n", json_string_value(json_object_get(dec, "answer_digest")));
	printf("status:        %lld\n", (long long)json_integer_value(json_object_get(dec, "status")));
	if (json_string_length(json_object_get(dec, "detail")) > 0)
		printf("detail:        %s\n", json_string_value(json_object_get(dec, "detail")));
	printf("leaf hash:     %s\n", json_string_value(json_object_get(e, "leaf_hash")));
	printf("included in:   the checkpoint of %lld entries of %s, %s\n",
	    (long long)json_integer_value(json_object_get(res, "size")),
	    json_string_value(json_object_get(res, "origin")),
	    key != NULL ? "signature verified" : "signature not checked (no --pub)");
	ret = CLI_OK;
out:
	free(qs);
	json_decref(dec);
	json_decref(res);
	json_decref(params);
	keys_free(key);
	return ret;
}

static int
audit_verify_cmd(struct audit_cli *o)
{
	json_t *params = NULL, *res = NULL, *probs, *p;
	keys_key *key = NULL;
	char *kept = NULL;
	tlog_hash root;
	uint64_t size;
	size_t i;
	int rc, ret = CLI_FATAL, bad = 0;

	if (o->kept != NULL && (rc = audit_read_file(o->kept, &kept)) != 0)
		return cli_fail(rc, "audit verify: --checkpoint");
	params = json_pack("{s:b, s:i}", "verify", 1, "limit", 0);
	if (params == NULL || (kept != NULL &&
	    json_object_set_new(params, "checkpoint", json_string(kept)) != 0)) {
		ret = cli_fail(CX_EINVAL, "audit verify: --checkpoint is not a checkpoint");
		goto out;
	}
	if ((rc = audit_ask(o, params, &res)) != 0) {
		cli_err("audit verify: %s", cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
		ret = audit_exit(o, rc);
		goto out;
	}
	/* after the call: a home's first call creates the key */
	if ((rc = audit_pub(o, &key)) != 0) {
		ret = cli_fail(rc, "audit verify: --pub");
		goto out;
	}
	/* what this side can check: the checkpoint's signature with our key */
	if (key != NULL && (rc = audit_check_cp(res, key, &size, root)) != 0) {
		cli_err("audit verify: the latest checkpoint: %s",
		    cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
		if (!o->json)
			printf("the latest checkpoint does not verify with %s\n", o->pub ? o->pub :
			    "keys/audit.pub");
		bad = 1;
	}
	/* a kept checkpoint: the log extends it, checked here with the key
	 * that signed it (--pub, the home's, or the one the node names: a
	 * key that did not sign the kept checkpoint cannot pass) */
	if (kept != NULL && (rc = audit_check_kept(res, key, kept)) != 0) {
		cli_err("audit verify: %s: %s", o->kept, cx_lasterr()[0] ? cx_lasterr() :
		    cx_strerror(rc));
		if (!o->json)
			printf("the log does not extend the checkpoint in %s\n", o->kept);
		bad = 1;
	}
	probs = json_object_get(res, "problems");
	if (!json_is_true(json_object_get(res, "verified")))
		bad = 1;
	if (o->json) {
		if (bad)
			json_object_set_new(res, "verified", json_false());
		ret = audit_print_json(res);
		if (ret == CLI_OK && bad)
			ret = CLI_PARTIAL;
		goto out;
	}
	json_array_foreach(probs, i, p)
		printf("%s\n", json_string_value(p));
	if (bad) {
		cli_err("audit log %s does NOT verify", json_string_value(json_object_get(res,
		    "origin")));
		ret = CLI_PARTIAL;
		goto out;
	}
	printf("audit log %s: %lld entries, every leaf and checkpoint verified%s%s\n",
	    json_string_value(json_object_get(res, "origin")),
	    (long long)json_integer_value(json_object_get(res, "size")),
	    kept != NULL ? "; it extends the checkpoint in " : "", kept != NULL ? o->kept : "");
	ret = CLI_OK;
out:
	free(kept);
	keys_free(key);
	json_decref(res);
	json_decref(params);
	return ret;
}

static int
audit_checkpoint_cmd(struct audit_cli *o)
{
	json_t *params = json_pack("{s:i}", "limit", 0), *res = NULL;
	const char *note;
	int rc, ret = CLI_FATAL;

	if (params == NULL)
		return cli_fail(CX_ENOMEM, "audit");
	if ((rc = audit_ask(o, params, &res)) != 0) {
		cli_err("audit checkpoint: %s", cx_lasterr()[0] ? cx_lasterr() : cx_strerror(rc));
		ret = audit_exit(o, rc);
		goto out;
	}
	if ((note = json_string_value(json_object_get(res, "checkpoint"))) == NULL) {
		cli_err("audit checkpoint: the audit log has no signed checkpoint");
		ret = CLI_PARTIAL;
		goto out;
	}
	fputs(note, stdout);
	ret = CLI_OK;
out:
	json_decref(res);
	json_decref(params);
	return ret;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		REMOTE_LONGOPTS,
		{ "home", required_argument, NULL, 'H' },
		{ "dir", required_argument, NULL, 'd' },
		{ "pub", required_argument, NULL, 'p' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "who", required_argument, NULL, 'w' },
		{ "role", required_argument, NULL, 'r' },
		{ "method", required_argument, NULL, 'm' },
		{ "via", required_argument, NULL, 'v' },
		{ "offset", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "reverse", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_cli o = { 0 };
	json_t *params;
	int ch, ret, ways;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		audit_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_FATAL : CLI_OK;
	}
	o.verb = argv[1];
	argc--;
	argv++;
	if ((params = json_object()) == NULL)
		return cli_fail(CX_ENOMEM, "audit");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *name = NULL;

		if (remote_opt(&o.ro, ch, optarg))
			continue;
		switch (ch) {
		case 'H': o.home = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'p': o.pub = optarg; break;
		case 'c': o.kept = optarg; break;
		case 'j': o.json = 1; break;
		case 'R': json_object_set_new(params, "order", json_string("desc")); break;
		case 'f': name = "from"; break;
		case 't': name = "to"; break;
		case 'w': name = "who"; break;
		case 'r': name = "role"; break;
		case 'm': name = "method"; break;
		case 'v': name = "via"; break;
		case 'o': case 'l': {
			char *end;
			long long n = strtoll(optarg, &end, 10);

			if (optarg[0] == '\0' || *end != '\0' || n < 0 || n > 0x7fffffffLL) {
				cli_err("--%s: not a number: %s", ch == 'o' ? "offset" : "limit", optarg);
				json_decref(params);
				return CLI_FATAL;
			}
			json_object_set_new(params, ch == 'o' ? "offset" : "limit", json_integer(n));
			break;
		}
		case 'h':
			audit_usage(stdout);
			json_decref(params);
			return CLI_OK;
		default:
			audit_usage(stderr);
			json_decref(params);
			return CLI_FATAL;
		}
		if (name != NULL && json_object_set_new(params, name, json_string(optarg)) != 0) {
			cli_err("--%s: not UTF-8", name);
			json_decref(params);
			return CLI_FATAL;
		}
	}
	ways = (o.ro.url != NULL) + (o.dir != NULL) + (o.home != NULL && o.ro.url == NULL);
	if (ways != 1) {
		cli_err("audit %s: give one of --home DIR, --dir STORE or --remote URL", o.verb);
		json_decref(params);
		return CLI_FATAL;
	}
	if (strcmp(o.verb, "list") == 0 && optind == argc)
		ret = audit_list(&o, params);
	else if (strcmp(o.verb, "show") == 0 && argc - optind == 1)
		ret = audit_show(&o, argv[optind]);
	else if (strcmp(o.verb, "verify") == 0 && optind == argc)
		ret = audit_verify_cmd(&o);
	else if (strcmp(o.verb, "checkpoint") == 0 && optind == argc)
		ret = audit_checkpoint_cmd(&o);
	else {
		audit_usage(stderr);
		ret = CLI_FATAL;
	}
	json_decref(params);
	return ret;
}
