/*
 * cmd_serve.c — `cxnode serve`: the node as a daemon. It answers peers and
 * authorised clients (node/peer.c) on its listen endpoints, publishes every
 * new checkpoint it holds, subscribes to its peers' announcements, and
 * pulls from its peers (node/sync.c) at once when one announces and every
 * sync_interval seconds anyway. SIGTERM or SIGINT stops it cleanly.
 *
 * Threads: nng's and the server's workers answer requests; the main thread
 * runs the sync rounds; the subscriber thread only wakes the main thread.
 * Logs go to stderr, one line each, prefixed with the RFC 5424 severity in
 * angle brackets ("<6>"), as systemd's journal reads them.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys/roster.h"
#include "net/wire.h"
#include "node/api.h"
#include "node/cli.h"
#include "node/http_api.h"
#include "node/cmds.h"
#include "node/fed.h"
#include "node/node.h"
#include "node/peer.h"
#include "node/sync.h"
#include "util/err.h"

static volatile sig_atomic_t serve_stop;

/* Seconds a round may spend pulling from one peer (it goes on next round). */
#define SERVE_PEER_BUDGET 30

struct serve {
	struct node n;
	struct fed f;
	struct api *api;          /* the regulator services */
	struct http_api *http;    /* their HTTP API and console */
	wire_server *srv;
	wire_pub *pub;
	wire_sub *sub;
	uint64_t roster_version;  /* of the listeners' TLS settings */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wake;                 /* an announcement arrived */
	pthread_mutex_t logmu;
	int level;
	uint64_t own_size;        /* own checkpoint size last published */
	struct serve_peer {
		char *id;
		wire_client *c;
		time_t next;          /* earliest next attempt after a failure */
		int fails;
	} *peers;
	size_t npeers;
};

static void
serve_signal(int sig)
{
	(void)sig;
	serve_stop = 1;
}

static void
serve_log(void *ctx, int level, const char *msg)
{
	struct serve *s = ctx;

	if (level > s->level)
		return;
	pthread_mutex_lock(&s->logmu);
	fprintf(stderr, "<%d>%s: %s\n", level, s->n.cfg.id, msg);
	pthread_mutex_unlock(&s->logmu);
}

static void
serve_logf(struct serve *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
serve_logf(struct serve *s, int level, const char *fmt, ...)
{
	char buf[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	serve_log(s, level, buf);
}

static void
serve_announce(void *ctx, const char *note, size_t len)
{
	struct serve *s = ctx;

	if (s->pub != NULL)
		(void)wire_pub_send(s->pub, note, len);
}

static void
serve_on_announce(void *ctx, const void *msg, size_t len)
{
	struct serve *s = ctx;

	(void)msg;
	(void)len;
	pthread_mutex_lock(&s->mu);
	s->wake = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* URLs of this node: from the config, else the roster's. */
static char **
serve_urls(char **cfg, char **roster, size_t n, size_t *count)
{
	size_t i = 0;

	if (cfg != NULL) {
		while (cfg[i] != NULL)
			i++;
		*count = i;
		return cfg;
	}
	*count = n;
	return roster;
}

static void
serve_stop_net(struct serve *s)
{
	wire_sub_close(s->sub);
	wire_pub_close(s->pub);
	wire_server_close(s->srv);
	s->sub = NULL;
	s->pub = NULL;
	s->srv = NULL;
}

/* (Re)start the listeners, the publisher and the subscriptions with the
 * current roster's certificates and endpoints. */
static int
serve_start_net(struct serve *s)
{
	struct fed_roster *r = fed_roster(&s->f);
	const Cx__Member *me;
	struct wire_server_cfg sc;
	struct wire_tls tls;
	char **urls;
	const char **subs = NULL;
	size_t nurls, i, j, nsubs = 0;
	int rc, have_tls;

	if (r == NULL)
		return cx_seterr(CX_EINVAL, "no roster (cxnode federation install)");
	me = roster_member(r->r, s->n.cfg.id);
	have_tls = fed_tls(&s->f, &tls, NULL) == 0;
	memset(&sc, 0, sizeof(sc));
	sc.federation = r->r->federation;
	sc.id = s->n.cfg.id;
	sc.key = s->n.key;
	sc.lookup = fed_lookup;
	sc.lookup_ctx = &s->f;
	sc.handler = peer_handle;
	sc.handler_ctx = &s->f;
	sc.log = serve_log;
	sc.log_ctx = s;
	sc.max_msg = s->n.cfg.max_message;
	sc.workers = s->n.cfg.workers;
	if ((rc = wire_server_open(&s->srv, &sc)) != 0)
		goto out;
	urls = serve_urls(s->n.cfg.listen, me ? me->endpoints : NULL, me ? me->n_endpoints : 0,
	    &nurls);
	if (nurls == 0) {
		rc = cx_seterr(CX_EINVAL, "nowhere to listen: set [serve] listen, or endpoints "
		    "for %s in the roster", s->n.cfg.id);
		goto out;
	}
	for (i = 0; i < nurls; i++) {
		int t = strncmp(urls[i], "tls+", 4) == 0;

		if (t && !have_tls) {
			rc = cx_seterr(CX_ENOTFOUND, "%s needs TLS: %s", urls[i], cx_lasterr());
			goto out;
		}
		if ((rc = wire_server_listen(s->srv, urls[i], t ? &tls : NULL,
		    s->n.cfg.allow_plain)) != 0)
			goto out;
		serve_logf(s, 6, "listening on %s", urls[i]);
	}
	for (i = 0; s->n.cfg.client_listen != NULL && s->n.cfg.client_listen[i] != NULL; i++) {
		const char *u = s->n.cfg.client_listen[i];
		int t = strncmp(u, "tls+", 4) == 0;
		/* the node's certificate, and none asked of the client */
		struct wire_tls ctls = { .cert = tls.cert, .key = tls.key };

		if (t && !have_tls) {
			rc = cx_seterr(CX_ENOTFOUND, "%s needs TLS: %s", u, cx_lasterr());
			goto out;
		}
		if ((rc = wire_server_listen(s->srv, u, t ? &ctls : NULL, s->n.cfg.allow_plain)) != 0)
			goto out;
		serve_logf(s, 6, "listening for clients on %s", u);
	}
	urls = serve_urls(s->n.cfg.publish, me ? me->publish : NULL, me ? me->n_publish : 0,
	    &nurls);
	if (nurls > 0) {
		int t = strncmp(urls[0], "tls+", 4) == 0;

		if ((rc = wire_pub_open(&s->pub, urls[0], t && have_tls ? &tls : NULL,
		    s->n.cfg.allow_plain)) != 0)
			goto out;
		serve_logf(s, 6, "publishing checkpoints on %s", urls[0]);
	}
	/* subscribe to the peers' announcements */
	subs = calloc(r->r->n_members * 4 + 1, sizeof(*subs));
	for (i = 0; subs != NULL && i < s->npeers; i++) {
		const Cx__Member *m = roster_member(r->r, s->peers[i].id);

		for (j = 0; m != NULL && j < m->n_publish && nsubs < r->r->n_members * 4; j++)
			subs[nsubs++] = m->publish[j];
	}
	if (nsubs > 0) {
		int t = strncmp(subs[0], "tls+", 4) == 0;

		rc = wire_sub_open(&s->sub, subs, nsubs, t && have_tls ? &tls : NULL,
		    s->n.cfg.allow_plain, s->n.cfg.max_message, serve_on_announce, s);
		if (rc != 0)
			goto out;
	}
	s->roster_version = r->r->version;
	rc = 0;
out:
	free(subs);
	if (have_tls)
		fed_tls_free(&tls);
	fed_roster_put(&s->f, r);
	if (rc != 0)
		serve_stop_net(s);
	return rc;
}

/* The HTTP API and console on [serve] http (not restarted with the roster:
 * it does not depend on it). */
static int
serve_http(struct serve *s)
{
	struct wire_tls tls;
	size_t n = 0;
	int rc, have_tls;

	while (s->n.cfg.http[n] != NULL)
		n++;
	have_tls = fed_tls(&s->f, &tls, NULL) == 0;
	rc = http_api_open(&s->http, s->api, (const char *const *)s->n.cfg.http, n,
	    have_tls ? tls.cert : NULL, have_tls ? tls.key : NULL, s->n.cfg.allow_plain,
	    serve_log, s);
	if (have_tls)
		fed_tls_free(&tls);
	if (rc == 0) {
		size_t i;

		for (i = 0; i < n; i++)
			serve_logf(s, 6, "HTTP API and console on %s", s->n.cfg.http[i]);
	}
	return rc;
}

static void
serve_peers_free(struct serve *s)
{
	size_t i;

	for (i = 0; i < s->npeers; i++) {
		wire_client_close(s->peers[i].c);
		free(s->peers[i].id);
	}
	free(s->peers);
	s->peers = NULL;
	s->npeers = 0;
}

/* The members to pull from: [serve] peers, else every other member. */
static int
serve_peers(struct serve *s)
{
	struct fed_roster *r = fed_roster(&s->f);
	size_t i, n = 0;

	serve_peers_free(s);
	if (r == NULL)
		return 0;
	s->peers = calloc(r->r->n_members + 1, sizeof(*s->peers));
	if (s->peers == NULL) {
		fed_roster_put(&s->f, r);
		return CX_ENOMEM;
	}
	for (i = 0; i < r->r->n_members; i++) {
		const Cx__Member *m = r->r->members[i];
		size_t j;
		int want = s->n.cfg.peers == NULL;

		if (strcmp(m->id, s->n.cfg.id) == 0 || m->retired)
			continue;
		for (j = 0; s->n.cfg.peers != NULL && s->n.cfg.peers[j] != NULL; j++)
			if (strcmp(s->n.cfg.peers[j], m->id) == 0)
				want = 1;
		if (want && (s->peers[n].id = strdup(m->id)) != NULL)
			n++;
	}
	s->npeers = n;
	fed_roster_put(&s->f, r);
	return 0;
}

/* Publish our own log's checkpoint when it grew (imports run apart). */
static void
serve_own(struct serve *s)
{
	store_txn *t;
	const char *note;
	size_t nl;
	uint64_t size;

	if (store_read_begin(&t, s->n.st) != 0)
		return;
	if (store_checkpoint(t, s->n.log, 0, &note, &nl, &size) == 0 && size != s->own_size) {
		serve_announce(s, note, nl);
		if (s->own_size != 0 || size != 0)
			serve_logf(s, 6, "own log at %llu", (unsigned long long)size);
		s->own_size = size;
	}
	store_read_end(t);
}

static void
serve_round(struct serve *s)
{
	time_t now = time(NULL);
	size_t i, j;

	for (i = 0; i < s->npeers && !serve_stop; i++) {
		struct serve_peer *p = &s->peers[i];
		struct sync_opts o;
		struct sync_report rep;
		int rc;

		if (p->next > now)
			continue;
		if (p->c == NULL && (rc = sync_connect(&s->f, p->id, 5000, &p->c, NULL)) != 0) {
			p->fails++;
			p->next = now + (p->fails < 6 ? 1 << p->fails : 60);
			if (p->fails == 1 || p->fails % 20 == 0)
				serve_logf(s, 4, "%s unreachable: %s: %s", p->id, cx_strerror(rc),
				    cx_lasterr());
			continue;
		}
		memset(&o, 0, sizeof(o));
		o.pull = 1;
		o.peer = p->id;
		o.announce = serve_announce;
		o.actx = s;
		o.log = serve_log;
		o.lctx = s;
		/* one slow peer must not hold up the others or our own announcements */
		o.deadline = time(NULL) + SERVE_PEER_BUDGET;
		rc = sync_with(&s->f, p->c, &o, &rep);
		if (rc != 0) {
			serve_logf(s, 4, "sync with %s: %s: %s", p->id, cx_strerror(rc), cx_lasterr());
			wire_client_close(p->c);
			p->c = NULL;
			p->fails++;
			p->next = now + 1;
		} else
			p->fails = 0;
		for (j = 0; j < rep.n; j++) {
			struct sync_log *l = &rep.logs[j];

			if (l->state == SYNC_PULLED)
				serve_logf(s, 6, "%s: pulled %llu from %s, now at %llu", l->origin,
				    (unsigned long long)l->pulled, p->id, (unsigned long long)l->after);
			else if (l->state == SYNC_REFUSED)
				serve_logf(s, 4, "%s from %s refused: %s", l->origin, p->id, l->why);
		}
		sync_report_free(&rep);
	}
}

static void
serve_usage(FILE *f)
{
	fprintf(f,
	    "usage: cxnode serve --home DIR [--log-level LEVEL]\n"
	    "\n"
	    "Run the node: answer peers and authorised clients on the listen\n"
	    "endpoints, publish new checkpoints, pull from peers at once when they\n"
	    "announce and every sync_interval seconds, witness what it verifies.\n"
	    "Settings in the [serve] section of cxnode.conf. SIGTERM stops it.\n"
	    "\n"
	    "  --home DIR          node home\n"
	    "  --log-level LEVEL   error, warning, notice, info (default) or debug\n");
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const levels[] = { "error", "warning", "notice", "info", "debug" };
	const char *home = NULL;
	struct serve s;
	struct sigaction sa;
	time_t last = 0;
	int c, rc, level = -1;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'l':
			for (i = 0; i < 5; i++)
				if (strcmp(optarg, levels[i]) == 0)
					level = (int)i + 3;
			if (level < 0) {
				cli_err("--log-level: one of error, warning, notice, info, debug");
				return CLI_FATAL;
			}
			break;
		case 'h': serve_usage(stdout); return CLI_OK;
		default: serve_usage(stderr); return CLI_FATAL;
		}
	}
	if (optind != argc || home == NULL) {
		serve_usage(stderr);
		return CLI_FATAL;
	}
	memset(&s, 0, sizeof(s));
	if ((rc = node_open(&s.n, home, NODE_WRITE | NODE_SIGN)) != 0)
		return cli_fail(rc, "open node");
	s.level = level >= 0 ? level : s.n.cfg.log_level;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	pthread_mutex_init(&s.logmu, NULL);
	if ((rc = fed_open(&s.f, &s.n)) != 0) {
		node_close(&s.n);
		return cli_fail(rc, "federation");
	}
	if ((rc = api_open(&s.api, &s.n)) != 0) {
		fed_close(&s.f);
		node_close(&s.n);
		return cli_fail(rc, "regulator services");
	}
	s.f.api = s.api;
	if (s.f.cur == NULL) {
		cli_err("this node holds no roster: cxnode federation install ROSTER --home HOME --root KEY");
		rc = CLI_FATAL;
		goto done;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = serve_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = serve_peers(&s)) != 0 || (rc = serve_start_net(&s)) != 0) {
		rc = cli_fail(rc, "serve");
		goto done;
	}
	if (s.n.cfg.http != NULL && (rc = serve_http(&s)) != 0) {
		rc = cli_fail(rc, "serve http");
		goto done;
	}
	serve_logf(&s, 5, "serving %s (roster version %llu, %zu peers)", s.n.cfg.id,
	    (unsigned long long)s.roster_version, s.npeers);
	while (!serve_stop) {
		struct timespec ts;
		time_t now = time(NULL);
		int woken;

		serve_own(&s);
		(void)fed_reload(&s.f);
		pthread_mutex_lock(&s.mu);
		if (s.f.cur->r->version != s.roster_version)
			s.wake = 1;   /* restart the listeners below */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (!s.wake)
			pthread_cond_timedwait(&s.cv, &s.mu, &ts);
		woken = s.wake;
		s.wake = 0;
		pthread_mutex_unlock(&s.mu);
		if (serve_stop)
			break;
		if (!woken && last != 0 && now - last < s.n.cfg.sync_interval)
			continue;
		last = now;
		serve_round(&s);
		if (s.f.cur != NULL && s.f.cur->r->version != s.roster_version) {
			serve_logf(&s, 5, "roster version %llu: restarting listeners",
			    (unsigned long long)s.f.cur->r->version);
			serve_stop_net(&s);
			if ((rc = serve_peers(&s)) != 0 || (rc = serve_start_net(&s)) != 0) {
				rc = cli_fail(rc, "serve");
				goto done;
			}
		}
	}
	serve_logf(&s, 5, "stopping");
	rc = CLI_OK;
done:
	http_api_close(s.http);
	serve_stop_net(&s);
	serve_peers_free(&s);
	api_close(s.api);
	fed_close(&s.f);
	node_close(&s.n);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.logmu);
	return rc;
}
