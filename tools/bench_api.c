/*
 * bench_api.c — authenticated screening queries against a node, next to
 * the transport limit: raw nng REQ/REP with the same number of clients,
 * server workers and reply size, measured in the same run.
 *
 *   bench_api raw URL CLIENTS SECONDS REPLYBYTES WORKERS
 *   bench_api api URL CLIENTS SECONDS KEY ROSTER ROOT CODES
 *
 * raw: a forked REP server with WORKERS contexts answers every request
 * with REPLYBYTES bytes; CLIENTS threads, each with its own REQ socket,
 * ask in a loop for SECONDS. api: CLIENTS threads, each with its own
 * authenticated session (node/remote.h), ask method "query" by credit code
 * (codes from the file CODES, one a line, each thread from its own offset).
 * Connection set-up and the first call are not timed. Prints one line:
 *   "MODE clients=C N requests S s R req/s p50 X us p99 Y us bytes B"
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>

#include "node/remote.h"
#include "util/err.h"

struct bench_thread {
	pthread_t t;
	int id;
	double *lat;          /* microseconds */
	size_t n, cap;
	size_t bytes;
	int failed;
};

static const char *bench_url, *bench_key, *bench_roster, *bench_root;
static char **bench_codes;
static size_t bench_ncodes;
static double bench_seconds;
static volatile int bench_go;

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
bench_add(struct bench_thread *b, double us)
{
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 4096;
		double *nv = realloc(b->lat, nc * sizeof(*nv));

		if (nv == NULL) {
			b->failed = 1;
			return;
		}
		b->lat = nv;
		b->cap = nc;
	}
	b->lat[b->n++] = us;
}

static void *
bench_raw_client(void *arg)
{
	struct bench_thread *b = arg;
	nng_socket s;
	nng_msg *m;
	double t0, end;

	if (nng_req0_open(&s) != 0 || nng_dial(s, bench_url, NULL, 0) != 0) {
		b->failed = 1;
		return NULL;
	}
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000);
	while (!bench_go)
		usleep(1000);
	end = bench_now() + bench_seconds;
	for (int first = 1;; first = 0) {
		t0 = bench_now();
		if (t0 >= end)
			break;
		if (nng_msg_alloc(&m, 0) != 0 || nng_msg_append(m, "{\"by\":\"code\"}", 13) != 0 ||
		    nng_sendmsg(s, m, 0) != 0 || nng_recvmsg(s, &m, 0) != 0) {
			b->failed = 1;
			break;
		}
		b->bytes = nng_msg_len(m);
		nng_msg_free(m);
		if (!first)
			bench_add(b, (bench_now() - t0) * 1e6);
	}
	nng_close(s);
	return NULL;
}

/* The raw server: WORKERS contexts, each answering with a reply of the
 * given size, until killed. */
struct bench_ctx {
	nng_ctx c;
	nng_aio *aio;
	int sending;
	size_t reply;
};

static void
bench_ctx_cb(void *arg)
{
	struct bench_ctx *w = arg;
	nng_msg *m;

	if (nng_aio_result(w->aio) != 0) {
		if (w->sending)
			nng_msg_free(nng_aio_get_msg(w->aio));
		w->sending = 0;
		nng_ctx_recv(w->c, w->aio);
		return;
	}
	if (w->sending) {
		w->sending = 0;
		nng_ctx_recv(w->c, w->aio);
		return;
	}
	m = nng_aio_get_msg(w->aio);
	nng_msg_clear(m);
	if (nng_msg_realloc(m, w->reply) != 0) {
		nng_msg_free(m);
		nng_ctx_recv(w->c, w->aio);
		return;
	}
	memset(nng_msg_body(m), 'x', w->reply);
	nng_aio_set_msg(w->aio, m);
	w->sending = 1;
	nng_ctx_send(w->c, w->aio);
}

static void
bench_raw_server(const char *url, int workers, size_t reply)
{
	struct bench_ctx *w = calloc((size_t)workers, sizeof(*w));
	nng_socket s;
	int i;

	if (w == NULL || nng_rep0_open(&s) != 0 || nng_listen(s, url, NULL, 0) != 0)
		_exit(1);
	for (i = 0; i < workers; i++) {
		w[i].reply = reply;
		if (nng_ctx_open(&w[i].c, s) != 0 || nng_aio_alloc(&w[i].aio, bench_ctx_cb, &w[i]) != 0)
			_exit(1);
		nng_ctx_recv(w[i].c, w[i].aio);
	}
	for (;;)
		pause();
}

static void *
bench_api_client(void *arg)
{
	struct bench_thread *b = arg;
	struct remote_opts o = { .url = bench_url, .key = bench_key, .roster = bench_roster,
	    .root = bench_root };
	size_t k = (size_t)b->id * 7919;
	remote *r;
	double t0, end;

	if (remote_open(&r, &o) != 0) {
		fprintf(stderr, "bench_api: %s\n", cx_lasterr());
		b->failed = 1;
		return NULL;
	}
	while (!bench_go)
		usleep(1000);
	end = bench_now() + bench_seconds;
	for (int first = 1;; first = 0) {
		json_t *p, *res = NULL;
		char *dump;

		t0 = bench_now();
		if (t0 >= end)
			break;
		p = json_pack("{s:s, s:s}", "by", "code", "value", bench_codes[k++ % bench_ncodes]);
		if (remote_call(r, "query", p, &res) != 0) {
			fprintf(stderr, "bench_api: %s\n", cx_lasterr());
			json_decref(p);
			b->failed = 1;
			break;
		}
		json_decref(p);
		if (!first)
			bench_add(b, (bench_now() - t0) * 1e6);
		if ((dump = json_dumps(res, JSON_COMPACT)) != NULL) {
			b->bytes = strlen(dump);
			free(dump);
		}
		json_decref(res);
	}
	remote_close(r);
	return NULL;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
bench_run(const char *mode, int clients, void *(*fn)(void *))
{
	struct bench_thread *th = calloc((size_t)clients, sizeof(*th));
	double *all, t0, t1;
	size_t n = 0, k = 0, bytes = 0;
	int i, failed = 0;

	if (th == NULL)
		return 1;
	for (i = 0; i < clients; i++) {
		th[i].id = i;
		pthread_create(&th[i].t, NULL, fn, &th[i]);
	}
	usleep(300000);          /* connections and handshakes */
	t0 = bench_now();
	bench_go = 1;
	for (i = 0; i < clients; i++) {
		pthread_join(th[i].t, NULL);
		n += th[i].n;
		failed |= th[i].failed;
		if (th[i].bytes)
			bytes = th[i].bytes;
	}
	t1 = bench_now();
	if ((all = malloc((n ? n : 1) * sizeof(*all))) == NULL)
		return 1;
	for (i = 0; i < clients; i++) {
		memcpy(all + k, th[i].lat, th[i].n * sizeof(*all));
		k += th[i].n;
		free(th[i].lat);
	}
	qsort(all, n, sizeof(*all), bench_cmp);
	if (failed || n == 0) {
		fprintf(stderr, "bench_api: %s: a client failed\n", mode);
		return 1;
	}
	printf("%s clients=%d %zu requests %.1f s %.0f req/s p50 %.0f us p99 %.0f us bytes %zu\n",
	    mode, clients, n, t1 - t0, n / (t1 - t0 > bench_seconds ? bench_seconds : t1 - t0),
	    all[n / 2], all[(size_t)(n * 0.99)], bytes);
	free(all);
	free(th);
	return 0;
}

int
main(int argc, char **argv)
{
	int clients;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_api raw URL CLIENTS SECONDS REPLYBYTES WORKERS\n"
		    "       bench_api api URL CLIENTS SECONDS KEY ROSTER ROOT CODES\n");
		return 2;
	}
	bench_url = argv[2];
	clients = atoi(argv[3]);
	bench_seconds = atof(argv[4]);
	if (strcmp(argv[1], "raw") == 0 && argc == 7) {
		pid_t pid = fork();
		int rc;

		if (pid == 0)
			bench_raw_server(bench_url, atoi(argv[6]), (size_t)atol(argv[5]));
		usleep(200000);
		rc = bench_run("raw", clients, bench_raw_client);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return rc;
	}
	if (strcmp(argv[1], "api") == 0 && argc == 9) {
		FILE *f = fopen(argv[8], "r");
		char line[128];

		bench_key = argv[5];
		bench_roster = argv[6];
		bench_root = argv[7];
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			char **nv = realloc(bench_codes, (bench_ncodes + 1) * sizeof(*nv));

			if (nv == NULL)
				return 1;
			bench_codes = nv;
			line[strcspn(line, "\r\n")] = '\0';
			bench_codes[bench_ncodes++] = strdup(line);
		}
		if (f != NULL)
			fclose(f);
		if (bench_ncodes == 0) {
			fprintf(stderr, "bench_api: no codes in %s\n", argv[8]);
			return 2;
		}
		return bench_run("api", clients, bench_api_client);
	}
	fprintf(stderr, "bench_api: bad arguments\n");
	return 2;
}
