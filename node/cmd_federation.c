/*
 * cmd_federation.c — `cxnode federation`: a federation's root key, its
 * editable member list, and the signed roster made from it.
 *
 *   cxnode federation init DIR --name FEDERATION [--algorithm ed25519|sm2] [--passphrase]
 *   cxnode federation add DIR --id ID --region CODE --name NAME --key VERIFIER
 *            [--endpoint URL]... [--kinds penalty,licence,...|all]
 *            [--valid-from DATE] [--valid-until DATE] [--origin ORIGIN]
 *   cxnode federation add DIR --from-home HOME [options as above]
 *   cxnode federation add DIR --id ID --add-key --key VERIFIER [--valid-from/--valid-until]
 *   cxnode federation revoke DIR --id ID --key-id HEX
 *   cxnode federation retire DIR --id ID
 *   cxnode federation sign DIR [--out FILE]
 *   cxnode federation show FILE --root VERIFIER|FILE [--json]
 *
 * A federation directory holds:
 *
 *   DIR/root.key      the root secret key (keys_save layout, mode 0600)
 *   DIR/root.pub      its verifier string
 *   DIR/members.json  the editable draft (below); every verb but sign edits it
 *   DIR/roster.pb     the last SignedRoster (or --out FILE)
 *   DIR/roster.json   a readable copy of what was signed
 *
 *   members.json = {
 *     "format": "cxnode federation draft v1",
 *     "federation": "g60", "root": "<verifier>", "version": <last signed>,
 *     "members": [ { "id", "region", "name", "origin", "endpoints": [..],
 *                    "kinds": ["penalty", ..], "retired": false,
 *                    "keys": [ { "verifier", "valid_from", "valid_until",
 *                                "revoked" } ] } ] }
 *
 * Times in the draft and the roster are unix seconds (0 = from the start /
 * open-ended); DATE arguments are YYYY-MM-DD (midnight, China Standard
 * Time), YYYY-MM-DDTHH:MM:SSZ, or @SECONDS. The draft is rewritten through a
 * temporary file and rename(), so an interrupted edit leaves the old one.
 * The rules a roster must satisfy are checked by keys/roster.c when it is
 * signed; this file checks arguments early to give precise messages.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "keys/keys.h"
#include "keys/roster.h"
#include "node/cli.h"
#include "node/cmds.h"
#include "util/err.h"

#define FED_FORMAT "cxnode federation draft v1"
#define FED_MAX_ENDPOINTS 16

static void
fed_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode federation init DIR --name FEDERATION [--algorithm ed25519|sm2] [--passphrase]\n"
	    "       cxnode federation add DIR --id ID --region CODE --name NAME --key VERIFIER\n"
	    "                [--endpoint URL]... [--kinds penalty,licence,...|all]\n"
	    "                [--valid-from DATE] [--valid-until DATE] [--origin ORIGIN]\n"
	    "                [--publish URL]... [--tls-cert FILE]\n"
	    "       cxnode federation add DIR --from-home HOME [options]\n"
	    "       cxnode federation add DIR --id ID --add-key --key VERIFIER [--valid-from DATE] [--valid-until DATE]\n"
	    "       cxnode federation revoke DIR --id ID --key-id HEX\n"
	    "       cxnode federation retire DIR --id ID\n"
	    "       cxnode federation sign DIR [--out FILE]\n"
	    "       cxnode federation show FILE --root VERIFIER|FILE [--json]\n"
	    "       cxnode federation install ROSTER --home HOME [--root VERIFIER|FILE]\n"
	    "\n"
	    "DIR holds root.key, root.pub, the editable members.json, and after sign roster.pb\n"
	    "and roster.json. DATE is YYYY-MM-DD (China Standard Time), YYYY-MM-DDTHH:MM:SSZ or\n"
	    "@unix-seconds. --key takes a verifier string or a file holding one.\n");
}

/* ---- small helpers ------------------------------------------------------ */

static char *
fed_path(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* A public key given as a verifier string or as a file holding one. */
static int
fed_key_arg(keys_key **out, char **verifier, const char *arg)
{
	int rc;

	rc = cli_public_key(out, arg);
	if (rc == 0 && verifier != NULL && (rc = keys_verifier(verifier, *out)) != 0) {
		keys_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Parse DATE into unix seconds. */
static int
fed_parse_time(uint64_t *out, const char *s)
{
	struct tm tm = { 0 }, chk;
	char *end;
	time_t t;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;

	if (s[0] == '@') {
		errno = 0;
		*out = strtoull(s + 1, &end, 10);
		return (s[1] >= '0' && s[1] <= '9' && *end == '\0' && errno == 0) ? 0 : -1;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (s[10] == 'T') {
		if (sscanf(s + 10, "T%2d:%2d:%2dZ%n", &h, &mi, &sec, &n) != 3 || s[10 + n] != '\0' ||
		    n != 10)
			return -1;
	} else if (s[10] != '\0')
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	chk = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_year != chk.tm_year ||
	    tm.tm_mon != chk.tm_mon || tm.tm_mday != chk.tm_mday || tm.tm_hour != chk.tm_hour ||
	    tm.tm_min != chk.tm_min || tm.tm_sec != chk.tm_sec || y < 1970)
		return -1;
	if (s[10] == '\0')
		t -= 8 * 3600;   /* midnight in China Standard Time (UTC+8) */
	if (t < 0)
		t = 0;
	*out = (uint64_t)t;
	return 0;
}

static void
fed_format_time(char *buf, size_t cap, uint64_t t, const char *zero)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, cap, "%s", zero);
	else
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Record kind name ("penalty") for a value, from the schema. */
static const char *
fed_kind_name(int kind, char *buf, size_t cap)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
	    &cx__record_kind__descriptor, kind);
	size_t i;

	if (v == NULL) {
		snprintf(buf, cap, "%d", kind);
		return buf;
	}
	for (i = 0; v->name[i] != '\0' && i + 1 < cap; i++)
		buf[i] = (char)(v->name[i] >= 'A' && v->name[i] <= 'Z' ? v->name[i] + 32 : v->name[i]);
	buf[i] = '\0';
	return buf;
}

/* Value of a record kind name, case-insensitive, or 0. */
static int
fed_kind_value(const char *name, size_t len)
{
	const ProtobufCEnumDescriptor *d = &cx__record_kind__descriptor;
	unsigned i;

	for (i = 0; i < d->n_values; i++)
		if (d->values[i].value != 0 && strlen(d->values[i].name) == len &&
		    strncasecmp(d->values[i].name, name, len) == 0)
			return d->values[i].value;
	return 0;
}

/* "--kinds a,b,c" or "all" as a JSON array of names. */
static json_t *
fed_kinds_json(const char *arg)
{
	const ProtobufCEnumDescriptor *d = &cx__record_kind__descriptor;
	json_t *a = json_array();
	char nb[64];
	const char *p = arg;
	unsigned i;

	if (a == NULL)
		return NULL;
	if (strcmp(arg, "all") == 0) {
		for (i = 0; i < d->n_values; i++)
			if (d->values[i].value != 0)
				json_array_append_new(a, json_string(fed_kind_name(d->values[i].value,
				    nb, sizeof(nb))));
		return a;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		int v = fed_kind_value(p, n);

		if (v == 0) {
			cli_err("--kinds: unknown record kind \"%.*s\"", (int)n, p);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_string(fed_kind_name(v, nb, sizeof(nb))));
		p += n + (p[n] == ',');
	}
	return a;
}

/* ---- the draft ---------------------------------------------------------- */

static json_t *
fed_draft_load(const char *dir)
{
	json_error_t je;
	char *path = fed_path(dir, "members.json");
	json_t *d;

	if (path == NULL)
		return NULL;
	d = json_load_file(path, 0, &je);
	if (d == NULL)
		cli_err("%s:%d: %s", path, je.line, je.text);
	else if (!json_is_object(d) || !json_is_array(json_object_get(d, "members")) ||
	    !json_is_string(json_object_get(d, "federation"))) {
		cli_err("%s: not a federation draft", path);
		json_decref(d);
		d = NULL;
	}
	free(path);
	return d;
}

/* Write the draft through a temporary file and rename(). */
static int
fed_draft_save(const char *dir, const json_t *d)
{
	char *path = fed_path(dir, "members.json"), *tmp = fed_path(dir, ".members.json.tmp");
	int rc = 0;

	if (path == NULL || tmp == NULL)
		rc = cx_seterr(CX_ENOMEM, "draft");
	else if (json_dump_file(d, tmp, JSON_INDENT(2)) != 0 || rename(tmp, path) != 0) {
		rc = cx_seterr(CX_EIO, "%s: cannot write", path);
		unlink(tmp);
	}
	free(path);
	free(tmp);
	return rc;
}

static json_t *
fed_draft_member(json_t *d, const char *id)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(d, "members"), i, m)
		if (json_is_string(json_object_get(m, "id")) &&
		    strcmp(json_string_value(json_object_get(m, "id")), id) == 0)
			return m;
	return NULL;
}

/*
 * Build a Cx__Roster from the draft. Strings are borrowed from d; arrays are
 * allocated and released by fed_roster_release().
 */
static int
fed_roster_build(Cx__Roster *r, json_t *d)
{
	static const Cx__Roster rinit = CX__ROSTER__INIT;
	static const Cx__Member minit = CX__MEMBER__INIT;
	static const Cx__MemberKey kinit = CX__MEMBER_KEY__INIT;
	json_t *members = json_object_get(d, "members"), *m, *x;
	size_t i, j, n = json_array_size(members);

	*r = rinit;
	r->federation = (char *)json_string_value(json_object_get(d, "federation"));
	if ((r->members = calloc(n + 1, sizeof(*r->members))) == NULL)
		return cx_seterr(CX_ENOMEM, "roster");
	json_array_foreach(members, i, m) {
		Cx__Member *cm = calloc(1, sizeof(*cm));
		json_t *keys = json_object_get(m, "keys"), *eps = json_object_get(m, "endpoints");
		json_t *kinds = json_object_get(m, "kinds");

		if (cm == NULL)
			return cx_seterr(CX_ENOMEM, "roster");
		*cm = minit;
		r->members[r->n_members++] = cm;
		cm->id = (char *)json_string_value(json_object_get(m, "id"));
		cm->region = (char *)json_string_value(json_object_get(m, "region"));
		if (cm->id == NULL || cm->region == NULL)
			return cx_seterr(CX_EFORMAT, "draft member %zu has no id or region", i);
		if ((x = json_object_get(m, "name")) != NULL && json_is_string(x))
			cm->name = (char *)json_string_value(x);
		if ((x = json_object_get(m, "origin")) != NULL && json_is_string(x))
			cm->origin = (char *)json_string_value(x);
		cm->retired = json_is_true(json_object_get(m, "retired"));
		cm->keys = calloc(json_array_size(keys) + 1, sizeof(*cm->keys));
		cm->endpoints = calloc(json_array_size(eps) + 1, sizeof(*cm->endpoints));
		cm->kinds = calloc(json_array_size(kinds) + 1, sizeof(*cm->kinds));
		if (cm->keys == NULL || cm->endpoints == NULL || cm->kinds == NULL)
			return cx_seterr(CX_ENOMEM, "roster");
		json_array_foreach(keys, j, x) {
			Cx__MemberKey *k = calloc(1, sizeof(*k));

			if (k == NULL)
				return cx_seterr(CX_ENOMEM, "roster");
			*k = kinit;
			cm->keys[cm->n_keys++] = k;
			k->verifier = (char *)json_string_value(json_object_get(x, "verifier"));
			if (k->verifier == NULL)
				return cx_seterr(CX_EFORMAT, "draft member %s: a key has no verifier",
				    cm->id);
			k->valid_from = (uint64_t)json_integer_value(json_object_get(x, "valid_from"));
			k->valid_until = (uint64_t)json_integer_value(json_object_get(x, "valid_until"));
			k->revoked = json_is_true(json_object_get(x, "revoked"));
		}
		json_array_foreach(eps, j, x)
			if (json_is_string(x))
				cm->endpoints[cm->n_endpoints++] = (char *)json_string_value(x);
		x = json_object_get(m, "publish");
		cm->publish = calloc(json_array_size(x) + 1, sizeof(*cm->publish));
		if (cm->publish == NULL)
			return cx_seterr(CX_ENOMEM, "roster");
		{
			json_t *y;

			json_array_foreach(x, j, y)
				if (json_is_string(y))
					cm->publish[cm->n_publish++] = (char *)json_string_value(y);
		}
		if ((x = json_object_get(m, "tls_cert")) != NULL && json_is_string(x))
			cm->tls_cert = (char *)json_string_value(x);
		json_array_foreach(kinds, j, x) {
			int v = json_is_string(x) ? fed_kind_value(json_string_value(x),
			    strlen(json_string_value(x))) : 0;

			if (v == 0)
				return cx_seterr(CX_EFORMAT, "draft member %s: unknown record kind",
				    cm->id);
			cm->kinds[cm->n_kinds++] = (Cx__RecordKind)v;
		}
	}
	return 0;
}

static void
fed_roster_release(Cx__Roster *r)
{
	size_t i, j;

	for (i = 0; i < r->n_members; i++) {
		Cx__Member *m = r->members[i];

		for (j = 0; j < m->n_keys; j++)
			free(m->keys[j]);
		free(m->keys);
		free(m->endpoints);
		free(m->publish);
		free(m->kinds);
		free(m);
	}
	free(r->members);
	r->members = NULL;
	r->n_members = 0;
}

/* A roster as JSON (roster.json and `show --json`). */
static json_t *
fed_roster_json(const Cx__Roster *r, const char *root)
{
	json_t *o = json_object(), *ms = json_array();
	char nb[64];
	size_t i, j;

	json_object_set_new(o, "federation", json_string(r->federation));
	json_object_set_new(o, "version", json_integer((json_int_t)r->version));
	json_object_set_new(o, "issued_at", json_integer((json_int_t)r->issued_at));
	if (root != NULL)
		json_object_set_new(o, "root", json_string(root));
	for (i = 0; i < r->n_members; i++) {
		const Cx__Member *m = r->members[i];
		json_t *jm = json_object(), *ks = json_array(), *es = json_array(), *kd = json_array();

		json_object_set_new(jm, "id", json_string(m->id));
		json_object_set_new(jm, "region", json_string(m->region));
		json_object_set_new(jm, "name", json_string(m->name));
		json_object_set_new(jm, "origin", json_string(m->origin));
		for (j = 0; j < m->n_endpoints; j++)
			json_array_append_new(es, json_string(m->endpoints[j]));
		json_object_set_new(jm, "endpoints", es);
		es = json_array();
		for (j = 0; j < m->n_publish; j++)
			json_array_append_new(es, json_string(m->publish[j]));
		json_object_set_new(jm, "publish", es);
		json_object_set_new(jm, "tls", json_boolean(m->tls_cert != NULL && m->tls_cert[0]));
		for (j = 0; j < m->n_kinds; j++)
			json_array_append_new(kd, json_string(fed_kind_name((int)m->kinds[j], nb,
			    sizeof(nb))));
		json_object_set_new(jm, "kinds", kd);
		for (j = 0; j < m->n_keys; j++) {
			json_t *jk = json_object();

			json_object_set_new(jk, "verifier", json_string(m->keys[j]->verifier));
			json_object_set_new(jk, "valid_from",
			    json_integer((json_int_t)m->keys[j]->valid_from));
			json_object_set_new(jk, "valid_until",
			    json_integer((json_int_t)m->keys[j]->valid_until));
			json_object_set_new(jk, "revoked", json_boolean(m->keys[j]->revoked));
			json_array_append_new(ks, jk);
		}
		json_object_set_new(jm, "keys", ks);
		json_object_set_new(jm, "retired", json_boolean(m->retired));
		json_array_append_new(ms, jm);
	}
	json_object_set_new(o, "members", ms);
	return o;
}

/* Write buf to path through a temporary file and rename(). */
static int
fed_write_file(const char *path, const void *buf, size_t len)
{
	char *tmp;
	FILE *f;
	int rc = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return cx_seterr(CX_ENOMEM, "write");
	if ((f = fopen(tmp, "wb")) == NULL)
		rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
	else {
		if (fwrite(buf, 1, len, f) != len)
			rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
		if (fclose(f) != 0 && rc == 0)
			rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
		if (rc == 0 && rename(tmp, path) != 0)
			rc = cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
		if (rc != 0)
			unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int
fed_read_file(uint8_t **out, size_t *len, const char *path)
{
	struct stat st;
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return cx_seterr(errno == ENOENT ? CX_ENOTFOUND : CX_EIO, "%s: %s", path,
		    strerror(errno));
	if (fstat(fileno(f), &st) != 0 || st.st_size > (off_t)ROSTER_MAX_LEN) {
		fclose(f);
		return cx_seterr(CX_ETOOBIG, "%s: too large for a roster", path);
	}
	if ((*out = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return cx_seterr(CX_ENOMEM, "read");
	}
	*len = fread(*out, 1, (size_t)st.st_size, f);
	fclose(f);
	return 0;
}

/* ---- verbs ------------------------------------------------------------- */

static int
fed_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "algorithm", required_argument, NULL, 'a' },
		{ "passphrase", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir, *name = NULL, *alg = "ed25519";
	char *keyname = NULL, *keypath = NULL, *pubpath = NULL, *draftpath = NULL;
	char *verifier = NULL;
	keys_key *root = NULL;
	json_t *d = NULL;
	int ch, want_pass = 0, algid, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'a': alg = optarg; break;
		case 'p': want_pass = 1; break;
		case 'h': fed_usage(stdout); return CLI_OK;
		default: fed_usage(stderr); return CLI_FATAL;
		}
	}
	if (argc - optind != 1 || name == NULL) {
		fed_usage(stderr);
		return CLI_FATAL;
	}
	dir = argv[optind];
	if ((algid = cli_algorithm(alg)) == 0) {
		cli_err("--algorithm \"%s\": use ed25519 or sm2", alg);
		return CLI_FATAL;
	}
	if (asprintf(&keyname, "%s/root", name) < 0)
		return cli_fail(CX_ENOMEM, "federation init");
	if (!keys_name_valid(keyname, strlen(keyname))) {
		cli_err("--name \"%s\": no spaces or '+'", name);
		goto out;
	}
	if ((rc = cli_mkdir(dir)) != 0) {
		ret = cli_fail(rc, "federation init");
		goto out;
	}
	keypath = fed_path(dir, "root.key");
	pubpath = fed_path(dir, "root.pub");
	draftpath = fed_path(dir, "members.json");
	if (keypath == NULL || pubpath == NULL || draftpath == NULL) {
		ret = cli_fail(CX_ENOMEM, "federation init");
		goto out;
	}
	if (access(keypath, F_OK) == 0 || access(draftpath, F_OK) == 0) {
		cli_err("%s already holds a federation", dir);
		goto out;
	}
	if ((rc = cli_key_create(&root, &verifier, algid, keyname, keypath, pubpath, want_pass,
	    "root key")) != 0) {
		ret = cli_fail(rc, "root key");
		goto out;
	}
	d = json_pack("{s:s, s:s, s:s, s:i, s:[]}", "format", FED_FORMAT, "federation", name,
	    "root", verifier, "version", 0, "members");
	if (rc == 0 && d == NULL)
		rc = cx_seterr(CX_ENOMEM, "draft");
	if (rc == 0)
		rc = fed_draft_save(dir, d);
	if (rc != 0) {
		unlink(keypath);
		unlink(pubpath);
		ret = cli_fail(rc, "federation init");
		goto out;
	}
	printf("created federation %s in %s\n", name, dir);
	printf("root key: %s\n", verifier);
	ret = CLI_OK;
out:
	keys_free(root);
	json_decref(d);
	free(verifier);
	free(keyname);
	free(keypath);
	free(pubpath);
	free(draftpath);
	return ret;
}

/* A member's TLS certificate: one PEM certificate, at most 16 KiB. */
static int
fed_read_cert(char **out, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[16384];
	size_t n;

	*out = NULL;
	if (f == NULL)
		return cx_seterr(CX_EIO, "%s", strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n == 0 || n == sizeof(buf) - 1 || strstr(buf, "BEGIN CERTIFICATE") == NULL)
		return cx_seterr(CX_EFORMAT, "not a PEM certificate");
	if ((*out = strdup(buf)) == NULL)
		return CX_ENOMEM;
	return 0;
}

static int
fed_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "region", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "kinds", required_argument, NULL, 'K' },
		{ "valid-from", required_argument, NULL, 'f' },
		{ "valid-until", required_argument, NULL, 'u' },
		{ "origin", required_argument, NULL, 'o' },
		{ "from-home", required_argument, NULL, 'H' },
		{ "add-key", no_argument, NULL, 'A' },
		{ "publish", required_argument, NULL, 'P' },
		{ "tls-cert", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir, *id = NULL, *region = NULL, *name = NULL, *keyarg = NULL;
	const char *kinds = "all", *origin = NULL, *home = NULL, *eps[FED_MAX_ENDPOINTS];
	const char *pubs[FED_MAX_ENDPOINTS], *certpath = NULL;
	char *verifier = NULL, *deforigin = NULL, *homepub = NULL, *cert = NULL;
	size_t npubs = 0;
	uint64_t from = 0, until = 0;
	struct cfg c = { 0 };
	keys_key *k = NULL;
	json_t *d = NULL, *m, *jk, *jkinds = NULL, *jeps, *x;
	size_t neps = 0, i;
	int ch, add_key = 0, rc, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': id = optarg; break;
		case 'r': region = optarg; break;
		case 'n': name = optarg; break;
		case 'k': keyarg = optarg; break;
		case 'K': kinds = optarg; break;
		case 'o': origin = optarg; break;
		case 'H': home = optarg; break;
		case 'A': add_key = 1; break;
		case 'T': certpath = optarg; break;
		case 'P':
			if (npubs == FED_MAX_ENDPOINTS) {
				cli_err("at most %d publish endpoints", FED_MAX_ENDPOINTS);
				return CLI_FATAL;
			}
			pubs[npubs++] = optarg;
			break;
		case 'e':
			if (neps == FED_MAX_ENDPOINTS) {
				cli_err("at most %d endpoints", FED_MAX_ENDPOINTS);
				return CLI_FATAL;
			}
			eps[neps++] = optarg;
			break;
		case 'f':
			if (fed_parse_time(&from, optarg) != 0) {
				cli_err("--valid-from \"%s\": not a date", optarg);
				return CLI_FATAL;
			}
			break;
		case 'u':
			if (fed_parse_time(&until, optarg) != 0) {
				cli_err("--valid-until \"%s\": not a date", optarg);
				return CLI_FATAL;
			}
			break;
		case 'h': fed_usage(stdout); return CLI_OK;
		default: fed_usage(stderr); return CLI_FATAL;
		}
	}
	if (argc - optind != 1) {
		fed_usage(stderr);
		return CLI_FATAL;
	}
	dir = argv[optind];
	if (home != NULL) {
		if ((rc = cfg_load(&c, home)) != 0)
			return cli_fail(rc, home);
		id = id ? id : c.id;
		region = region ? region : c.region;
		name = name ? name : c.name;
		origin = origin ? origin : c.origin;
		if (keyarg == NULL)
			keyarg = homepub = c.pub_path ? strdup(c.pub_path) : fed_path(home, "keys/node.pub");
		if (certpath == NULL && access(c.tls_cert, R_OK) == 0)
			certpath = c.tls_cert;
	}
	if (certpath != NULL && !add_key && (rc = fed_read_cert(&cert, certpath)) != 0) {
		ret = cli_fail(rc, certpath);
		goto out;
	}
	if (id == NULL || keyarg == NULL || (!add_key && region == NULL)) {
		cli_err("add needs --id, --region and --key (or --from-home HOME)");
		goto out;
	}
	if (!keys_name_valid(id, strlen(id))) {
		cli_err("--id \"%s\": no spaces or '+'", id);
		goto out;
	}
	if (!add_key && (strlen(region) != 6 || strspn(region, "0123456789") != 6)) {
		cli_err("--region \"%s\": a GB/T 2260 division code is 6 digits", region);
		goto out;
	}
	if (until != 0 && until <= from) {
		cli_err("--valid-until must be after --valid-from");
		goto out;
	}
	if ((rc = fed_key_arg(&k, &verifier, keyarg)) != 0) {
		ret = cli_fail(rc, "--key");
		goto out;
	}
	if (strcmp(keys_name(k), id) != 0) {
		cli_err("--key is named \"%s\"; a member's key must be named for its id \"%s\"",
		    keys_name(k), id);
		goto out;
	}
	if ((d = fed_draft_load(dir)) == NULL)
		goto out;
	m = fed_draft_member(d, id);
	if (add_key && m == NULL) {
		cli_err("no member %s to add a key to", id);
		goto out;
	}
	if (!add_key && m != NULL) {
		cli_err("member %s exists already (use --add-key for a further key)", id);
		goto out;
	}
	if (add_key) {
		json_array_foreach(json_object_get(m, "keys"), i, x)
			if (strcmp(json_string_value(json_object_get(x, "verifier")) ?
			    json_string_value(json_object_get(x, "verifier")) : "", verifier) == 0) {
				cli_err("member %s already has that key", id);
				goto out;
			}
	} else {
		if ((jkinds = fed_kinds_json(kinds)) == NULL)
			goto out;
		if (origin == NULL && asprintf(&deforigin, "%s.cxnode/%s",
		    json_string_value(json_object_get(d, "federation")), id) < 0) {
			ret = cli_fail(CX_ENOMEM, "add");
			goto out;
		}
		jeps = json_array();
		for (i = 0; i < neps; i++)
			json_array_append_new(jeps, json_string(eps[i]));
		x = json_array();
		for (i = 0; i < npubs; i++)
			json_array_append_new(x, json_string(pubs[i]));
		m = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:[]}", "id", id,
		    "region", region, "name", name ? name : "", "origin",
		    origin ? origin : deforigin, "endpoints", jeps, "publish", x, "kinds", jkinds,
		    "retired", 0, "keys");
		jkinds = NULL;
		if (m != NULL && cert != NULL)
			json_object_set_new(m, "tls_cert", json_string(cert));
		if (m == NULL || json_array_append_new(json_object_get(d, "members"), m) != 0) {
			cli_err("cannot add member %s (is the name valid UTF-8?)", id);
			goto out;
		}
	}
	jk = json_pack("{s:s, s:I, s:I, s:b}", "verifier", verifier, "valid_from",
	    (json_int_t)from, "valid_until", (json_int_t)until, "revoked", 0);
	if (jk == NULL || json_array_append_new(json_object_get(m, "keys"), jk) != 0) {
		ret = cli_fail(CX_ENOMEM, "add");
		goto out;
	}
	if ((rc = fed_draft_save(dir, d)) != 0) {
		ret = cli_fail(rc, "add");
		goto out;
	}
	printf("%s %s: key %s\n", add_key ? "added a key to" : "added member", id, verifier);
	ret = CLI_OK;
out:
	json_decref(jkinds);
	json_decref(d);
	keys_free(k);
	free(verifier);
	free(deforigin);
	free(homepub);
	free(cert);
	cfg_free(&c);
	return ret;
}

/* revoke (key_id != NULL) or retire a member. */
static int
fed_mark(int argc, char **argv, int revoke)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "key-id", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id = NULL, *keyid = NULL;
	json_t *d = NULL, *m, *x;
	size_t i;
	int ch, rc, found = 0, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': id = optarg; break;
		case 'k': keyid = optarg; break;
		case 'h': fed_usage(stdout); return CLI_OK;
		default: fed_usage(stderr); return CLI_FATAL;
		}
	}
	if (argc - optind != 1 || id == NULL || (revoke && keyid == NULL)) {
		fed_usage(stderr);
		return CLI_FATAL;
	}
	if ((d = fed_draft_load(argv[optind])) == NULL)
		return CLI_FATAL;
	if ((m = fed_draft_member(d, id)) == NULL) {
		cli_err("no member %s", id);
		goto out;
	}
	if (revoke) {
		json_array_foreach(json_object_get(m, "keys"), i, x) {
			const char *v = json_string_value(json_object_get(x, "verifier"));
			const char *p = v ? strchr(v, '+') : NULL;

			if (p != NULL && strlen(keyid) == 8 && strncasecmp(p + 1, keyid, 8) == 0 &&
			    p[9] == '+') {
				json_object_set_new(x, "revoked", json_true());
				found = 1;
			}
		}
		if (!found) {
			cli_err("member %s has no key with id %s", id, keyid);
			goto out;
		}
	} else
		json_object_set_new(m, "retired", json_true());
	if ((rc = fed_draft_save(argv[optind], d)) != 0) {
		ret = cli_fail(rc, revoke ? "revoke" : "retire");
		goto out;
	}
	if (revoke)
		printf("revoked key %s of %s (sign to publish)\n", keyid, id);
	else
		printf("retired %s (sign to publish)\n", id);
	ret = CLI_OK;
out:
	json_decref(d);
	return ret;
}

static int
fed_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir, *outarg = NULL;
	char *keypath = NULL, *outpath = NULL, *jsonpath = NULL, *verifier = NULL, *js;
	Cx__Roster r = CX__ROSTER__INIT, *prev = NULL;
	uint8_t *buf = NULL, *old = NULL;
	size_t len, oldlen;
	keys_key *root = NULL;
	json_t *d = NULL, *rj = NULL;
	int ch, rc, ret = CLI_FATAL;
	uint64_t version;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': outarg = optarg; break;
		case 'h': fed_usage(stdout); return CLI_OK;
		default: fed_usage(stderr); return CLI_FATAL;
		}
	}
	if (argc - optind != 1) {
		fed_usage(stderr);
		return CLI_FATAL;
	}
	dir = argv[optind];
	if ((d = fed_draft_load(dir)) == NULL)
		return CLI_FATAL;
	keypath = fed_path(dir, "root.key");
	outpath = outarg ? strdup(outarg) : fed_path(dir, "roster.pb");
	jsonpath = fed_path(dir, "roster.json");
	if (keypath == NULL || outpath == NULL || jsonpath == NULL) {
		ret = cli_fail(CX_ENOMEM, "sign");
		goto out;
	}
	if ((rc = cli_key_load(&root, keypath, "root key")) != 0) {
		ret = cli_fail(rc, "root key");
		goto out;
	}
	if ((rc = keys_verifier(&verifier, root)) != 0) {
		ret = cli_fail(rc, "sign");
		goto out;
	}
	if (json_is_string(json_object_get(d, "root")) &&
	    strcmp(json_string_value(json_object_get(d, "root")), verifier) != 0) {
		cli_err("%s is not the root key named in members.json", keypath);
		goto out;
	}
	/* never go backwards: past the draft's count and any roster on disk */
	version = (uint64_t)json_integer_value(json_object_get(d, "version"));
	if (fed_read_file(&old, &oldlen, outpath) == 0 &&
	    roster_open(&prev, old, oldlen, root) == 0 && prev->version > version)
		version = prev->version;
	version++;
	if ((rc = fed_roster_build(&r, d)) != 0) {
		ret = cli_fail(rc, "members.json");
		goto out;
	}
	r.version = version;
	r.issued_at = (uint64_t)time(NULL);
	if ((rc = roster_sign(&buf, &len, &r, root)) != 0) {
		ret = cli_fail(rc, "sign");
		goto out;
	}
	if ((rc = fed_write_file(outpath, buf, len)) != 0) {
		ret = cli_fail(rc, "sign");
		goto out;
	}
	rj = fed_roster_json(&r, verifier);
	js = rj ? json_dumps(rj, JSON_INDENT(2)) : NULL;
	if (js == NULL || (rc = fed_write_file(jsonpath, js, strlen(js))) != 0) {
		free(js);
		ret = cli_fail(js ? rc : CX_ENOMEM, "roster.json");
		goto out;
	}
	free(js);
	json_object_set_new(d, "version", json_integer((json_int_t)version));
	if ((rc = fed_draft_save(dir, d)) != 0) {
		ret = cli_fail(rc, "members.json");
		goto out;
	}
	printf("signed roster version %" PRIu64 " of %s with %zu members: %s\n", version,
	    r.federation, r.n_members, outpath);
	ret = CLI_OK;
out:
	fed_roster_release(&r);
	roster_free(prev);
	keys_free(root);
	json_decref(d);
	json_decref(rj);
	free(buf);
	free(old);
	free(keypath);
	free(outpath);
	free(jsonpath);
	free(verifier);
	return ret;
}

static void
fed_print(const Cx__Roster *r, const keys_key *root)
{
	char t1[32], t2[32], nb[64];
	size_t i, j;

	fed_format_time(t1, sizeof(t1), r->issued_at, "-");
	printf("federation %s, roster version %" PRIu64 ", issued %s\n", r->federation,
	    r->version, t1);
	printf("signed by  %s+%08x\n", keys_name(root), keys_id(root));
	for (i = 0; i < r->n_members; i++) {
		const Cx__Member *m = r->members[i];

		printf("\nmember %s  region %s  %s%s\n", m->id, m->region, m->name,
		    m->retired ? "  [retired]" : "");
		printf("  origin    %s\n", m->origin);
		for (j = 0; j < m->n_endpoints; j++)
			printf("  endpoint  %s\n", m->endpoints[j]);
		printf("  kinds     ");
		for (j = 0; j < m->n_kinds; j++)
			printf("%s%s", j ? "," : "", fed_kind_name((int)m->kinds[j], nb, sizeof(nb)));
		printf("%s\n", m->n_kinds ? "" : "(none)");
		for (j = 0; j < m->n_keys; j++) {
			fed_format_time(t1, sizeof(t1), m->keys[j]->valid_from, "start");
			fed_format_time(t2, sizeof(t2), m->keys[j]->valid_until, "open");
			printf("  key       %s\n            valid %s .. %s%s\n", m->keys[j]->verifier,
			    t1, t2, m->keys[j]->revoked ? "  [revoked]" : "");
		}
	}
}

static int
fed_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rootarg = NULL;
	char *verifier = NULL;
	keys_key *root = NULL;
	Cx__Roster *r = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int ch, rc, as_json = 0, ret = CLI_FATAL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': rootarg = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': fed_usage(stdout); return CLI_OK;
		default: fed_usage(stderr); return CLI_FATAL;
		}
	}
	if (argc - optind != 1 || rootarg == NULL) {
		fed_usage(stderr);
		return CLI_FATAL;
	}
	if ((rc = fed_key_arg(&root, &verifier, rootarg)) != 0)
		return cli_fail(rc, "--root");
	if ((rc = fed_read_file(&buf, &len, argv[optind])) != 0) {
		ret = cli_fail(rc, "show");
		goto out;
	}
	if ((rc = roster_open(&r, buf, len, root)) != 0) {
		if (rc == CX_EBADSIG || rc == CX_EFORMAT) {
			cli_err("%s does not verify: %s: %s", argv[optind], cx_strerror(rc),
			    cx_lasterr());
			ret = CLI_PARTIAL;
		} else
			ret = cli_fail(rc, argv[optind]);
		goto out;
	}
	if (as_json) {
		json_t *j = fed_roster_json(r, verifier);

		if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(2)) != 0) {
			json_decref(j);
			ret = cli_fail(CX_ENOMEM, "show");
			goto out;
		}
		json_decref(j);
		printf("\n");
	} else
		fed_print(r, root);
	ret = CLI_OK;
out:
	roster_free(r);
	keys_free(root);
	free(verifier);
	free(buf);
	return ret;
}

int
cmd_federation(int argc, char **argv)
{
	const char *v = argc > 1 ? argv[1] : NULL;

	if (v == NULL || strcmp(v, "-h") == 0 || strcmp(v, "--help") == 0 ||
	    strcmp(v, "help") == 0) {
		fed_usage(v == NULL ? stderr : stdout);
		return v == NULL ? CLI_FATAL : CLI_OK;
	}
	if (strcmp(v, "init") == 0)
		return fed_init(argc - 1, argv + 1);
	if (strcmp(v, "add") == 0)
		return fed_add(argc - 1, argv + 1);
	if (strcmp(v, "revoke") == 0)
		return fed_mark(argc - 1, argv + 1, 1);
	if (strcmp(v, "retire") == 0)
		return fed_mark(argc - 1, argv + 1, 0);
	if (strcmp(v, "sign") == 0)
		return fed_sign(argc - 1, argv + 1);
	if (strcmp(v, "show") == 0)
		return fed_show(argc - 1, argv + 1);
	if (strcmp(v, "install") == 0)
		return fed_install_cmd(argc - 1, argv + 1);
	cli_err("federation: unknown command \"%s\"", v);
	fed_usage(stderr);
	return CLI_FATAL;
}
