/*
 * cmd_status.c — `cxnode status`: the node, its store, and per issuer the
 * tree size, the age of the latest checkpoint, which cities have cosigned
 * which size, and alarms (fork evidence, broken rules).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node/cmds.h"
#include "node/fed.h"
#include "node/node.h"
#include "util/codec.h"
#include "util/err.h"

static void
status_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode status --home DIR [--json]\n"
	    "\n"
	    "Show this node, its store's use, its roster, and every log the store\n"
	    "holds: tree size, size and age of the latest signed checkpoint, which\n"
	    "members have cosigned which size, and alarms. Exit 1 when an alarm\n"
	    "is raised (a log halted by fork evidence or a broken rule).\n");
}

struct status_cosig {
	char witness[256];
	uint64_t size;
};

struct status_cosigs {
	struct status_cosig *v;
	size_t n;
};

/* 'W' log size witness: keep the largest size per witness. */
static int
status_cosig_fn(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct status_cosigs *c = ctx;
	const uint8_t *k = key;
	uint64_t size;
	size_t i, wl;

	(void)val;
	(void)vlen;
	if (klen < 14)
		return 0;
	size = idx_get64(k + 5);
	wl = klen - 13 < 255 ? klen - 13 : 255;
	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i].witness) == wl && memcmp(c->v[i].witness, k + 13, wl) == 0) {
			if (size > c->v[i].size)
				c->v[i].size = size;
			return 0;
		}
	{
		struct status_cosig *nv = realloc(c->v, (c->n + 1) * sizeof(*nv));

		if (nv == NULL)
			return 1;
		c->v = nv;
	}
	memcpy(c->v[c->n].witness, k + 13, wl);
	c->v[c->n].witness[wl] = '\0';
	c->v[c->n].size = size;
	c->n++;
	return 0;
}

/* The root the latest checkpoint states, base64, or "". */
static void
status_root(store_txn *t, uint32_t log, char *out, size_t cap)
{
	const char *note;
	tlog_hash root;

	out[0] = '\0';
	if (node_checkpoint_head(t, log, &note, NULL, NULL, NULL, root) == 0 &&
	    cap >= B64_LEN(TLOG_HASH_LEN) + 1)
		b64_encode(out, root, TLOG_HASH_LEN);
}

static void
status_age(char *buf, size_t cap, uint64_t at, time_t now)
{
	long long d;

	if (at == 0) {
		snprintf(buf, cap, "-");
		return;
	}
	d = (long long)now - (long long)at;
	if (d < 0)
		d = 0;
	if (d < 120)
		snprintf(buf, cap, "%llds", d);
	else if (d < 7200)
		snprintf(buf, cap, "%lldm", d / 60);
	else if (d < 172800)
		snprintf(buf, cap, "%lldh", d / 3600);
	else
		snprintf(buf, cap, "%lldd", d / 86400);
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *home = NULL;
	struct store_log *logs = NULL;
	struct store_stat ss;
	struct node n;
	struct fed f;
	struct fed_roster *r = NULL;
	store_txn *t = NULL;
	size_t nlogs = 0, i, j;
	json_t *arr = NULL;
	time_t now = time(NULL);
	char digest[65];
	int ch, rc, json = 0, alarms = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'j': json = 1; break;
		case 'h': status_usage(stdout); return CLI_OK;
		default: status_usage(stderr); return CLI_FATAL;
		}
	}
	if (home == NULL || optind != argc) {
		status_usage(stderr);
		return CLI_FATAL;
	}
	if ((rc = node_open(&n, home, NODE_READ)) != 0)
		return cli_fail(rc, home);
	if ((rc = fed_open(&f, &n)) != 0) {
		node_close(&n);
		return cli_fail(rc, "federation");
	}
	r = fed_roster(&f);
	if ((rc = store_log_list(n.st, &logs, &nlogs)) != 0 || (rc = store_stat(n.st, &ss)) != 0 ||
	    (rc = store_read_begin(&t, n.st)) != 0) {
		fed_roster_put(&f, r);
		fed_close(&f);
		node_close(&n);
		store_log_list_free(logs, nlogs);
		return cli_fail(rc, "status");
	}
	if (json)
		arr = json_array();
	else {
		printf("node %s (%s, region %s), federation %s\n", n.cfg.id,
		    n.cfg.name ? n.cfg.name : "-", n.cfg.region,
		    n.cfg.federation ? n.cfg.federation : "-");
		if (r != NULL)
			printf("roster: version %llu, %zu members\n", (unsigned long long)r->r->version,
			    r->r->n_members);
		else
			printf("roster: none (cxnode federation install)\n");
		printf("store: schema %u, %.1f MiB used of a %.1f MiB map, %llu index entries%s\n",
		    ss.schema, ss.used / 1048576.0, ss.mapsize / 1048576.0,
		    (unsigned long long)ss.index_entries,
		    ss.index_complete ? "" : " (INDEX INCOMPLETE: run cxnode reindex)");
		printf("%-28s %-10s %10s %10s %6s  %s\n", "LOG", "ISSUER", "SIZE", "CHECKPOINT",
		    "AGE", "COSIGNED BY (SIZE)");
	}
	for (i = 0; i < nlogs; i++) {
		struct status_cosigs cs = { NULL, 0 };
		uint8_t key[13];
		const void *v;
		size_t vl;
		uint64_t at = 0;
		char *halt = NULL, age[32], root[64];

		fed_key_log(key, 'A', logs[i].id);
		if (store_aux_get(t, key, 5, &v, &vl) == 0 && vl == 8)
			at = idx_get64(v);
		(void)fed_halted(t, logs[i].id, &halt);
		if (halt != NULL)
			alarms++;
		key[0] = 'W';
		(void)store_aux_scan(t, key, 5, status_cosig_fn, &cs);
		status_root(t, logs[i].id, root, sizeof(root));
		status_age(age, sizeof(age), at, now);
		if (json) {
			json_t *o, *ca = json_array();

			for (j = 0; j < cs.n; j++)
				json_array_append_new(ca, json_pack("{s:s, s:I, s:I}", "witness",
				    cs.v[j].witness, "size", (json_int_t)cs.v[j].size, "log_size",
				    (json_int_t)logs[i].checkpoint_size));
			o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:o}",
			    "origin", logs[i].origin, "issuer", logs[i].issuer,
			    "size", (json_int_t)logs[i].size,
			    "checkpoint_size", (json_int_t)logs[i].checkpoint_size,
			    "root", root, "own", logs[i].id == n.log, "cosignatures", ca);
			if (at != 0)
				json_object_set_new(o, "checkpoint_age", json_integer((json_int_t)(now - (time_t)at)));
			if (halt != NULL)
				json_object_set_new(o, "alarm", json_string(halt));
			json_array_append_new(arr, o);
		} else {
			printf("%-28s %-10s %10llu %10llu %6s  ", logs[i].origin, logs[i].issuer,
			    (unsigned long long)logs[i].size,
			    (unsigned long long)logs[i].checkpoint_size, age);
			for (j = 0; j < cs.n; j++)
				printf("%s%s(%llu)", j ? " " : "", cs.v[j].witness,
				    (unsigned long long)cs.v[j].size);
			if (cs.n == 0)
				printf("%s", logs[i].id == n.log ? "(own log)" : "-");
			printf("\n");
			if (halt != NULL)
				printf("  ALARM: %s\n", halt);
		}
		free(cs.v);
		free(halt);
	}
	{
		uint8_t d[32];

		digest[0] = '\0';
		if (fed_state_digest(&f, t, d) == 0)
			hex_encode(digest, d, 32);
	}
	store_read_end(t);
	if (!json)
		printf("state digest: %s\n", digest);
	if (json) {
		json_t *top = json_pack("{s:s, s:s, s:s, s:I, s:s, s:{s:i, s:I, s:I, s:I, s:b}, s:i, s:o}",
		    "id", n.cfg.id, "region", n.cfg.region, "origin", n.cfg.origin,
		    "roster_version", (json_int_t)(r ? r->r->version : 0), "state_digest", digest,
		    "store", "schema", (int)ss.schema,
		    "used", (json_int_t)ss.used, "mapsize", (json_int_t)ss.mapsize,
		    "index_entries", (json_int_t)ss.index_entries, "index_complete", ss.index_complete,
		    "alarms", alarms, "logs", arr);

		json_dumpf(top, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(top);
	}
	store_log_list_free(logs, nlogs);
	fed_roster_put(&f, r);
	fed_close(&f);
	node_close(&n);
	return alarms > 0 ? CLI_PARTIAL : CLI_OK;
}
