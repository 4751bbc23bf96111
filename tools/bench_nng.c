/*
 * bench_nng.c — the transport limit the replication benchmark is compared
 * with: raw nng REQ/REP bulk transfer on one connection, no authentication
 * layer, no protobuf, no store.
 *
 *   bench_nng URL LEAFBYTES RECORDS [MIB [CERT KEY [NAME]]]
 *
 * A server process (forked) listens on URL (tcp:// or tls+tcp://) with a
 * REP socket and answers every request with a fresh message of MIB MiB
 * (default 16, the node's leaves budget per reply) made of whole records of
 * LEAFBYTES bytes each. The client dials with a REQ socket and asks until
 * it has received RECORDS records, one request at a time as a syncing node
 * does. For tls+tcp:// both ends present CERT/KEY (PEM) and trust CERT,
 * authentication required as between nodes; NAME is the name the client
 * expects in the server's certificate (default: none checked).
 *
 * Prints one line:
 *   "nng SCHEME N records B bytes S seconds R records/s M MiB/s"
 * The first reply (connection set-up, TLS handshake) is not timed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#define NNG_CHECK(x) do { int rv_ = (x); if (rv_ != 0) { \
	fprintf(stderr, "bench_nng: %s: %s\n", #x, nng_strerror(rv_)); exit(2); } } while (0)

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
bench_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "bench_nng: cannot read %s\n", path);
		exit(2);
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static nng_tls_config *
bench_tls(int client, const char *cert, const char *key, const char *name)
{
	nng_tls_config *cfg;

	NNG_CHECK(nng_tls_config_alloc(&cfg, client ? NNG_TLS_MODE_CLIENT : NNG_TLS_MODE_SERVER));
	NNG_CHECK(nng_tls_config_own_cert(cfg, cert, key, NULL));
	NNG_CHECK(nng_tls_config_ca_chain(cfg, cert, NULL));
	NNG_CHECK(nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED));
	if (client && name != NULL)
		NNG_CHECK(nng_tls_config_server_name(cfg, name));
	return cfg;
}

/* The server: answer every request with a copy of the payload. */
static void
bench_serve(const char *url, const uint8_t *payload, size_t len, nng_tls_config *tls,
    int ready)
{
	nng_socket s;
	nng_listener l;
	nng_msg *rq, *rs;
	char ok = 1;

	NNG_CHECK(nng_rep0_open(&s));
	NNG_CHECK(nng_listener_create(&l, s, url));
	if (tls != NULL)
		NNG_CHECK(nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, tls));
	NNG_CHECK(nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, 1 << 16));
	NNG_CHECK(nng_listener_start(l, 0));
	if (write(ready, &ok, 1) != 1)
		exit(2);
	close(ready);
	for (;;) {
		if (nng_recvmsg(s, &rq, 0) != 0)
			continue;
		nng_msg_free(rq);
		/* a fresh message per answer, as a node builds one per reply */
		NNG_CHECK(nng_msg_alloc(&rs, len));
		memcpy(nng_msg_body(rs), payload, len);
		if (nng_sendmsg(s, rs, 0) != 0)
			nng_msg_free(rs);
	}
}

int
main(int argc, char **argv)
{
	const char *url, *cert = NULL, *key = NULL, *name = NULL;
	size_t leaf, want, mib = 16, per, len, i, got = 0, bytes = 0;
	nng_tls_config *stls = NULL, *ctls = NULL;
	uint8_t *payload;
	uint64_t x = 0x9e3779b97f4a7c15u;
	int pipefd[2], status;
	char ok, scheme[32];
	nng_socket s;
	nng_dialer d;
	nng_msg *m;
	pid_t pid;
	double t0, t1;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_nng URL LEAFBYTES RECORDS [MIB [CERT KEY [NAME]]]\n");
		return 2;
	}
	url = argv[1];
	leaf = strtoul(argv[2], NULL, 10);
	want = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		mib = strtoul(argv[4], NULL, 10);
	if (argc > 6) {
		cert = bench_slurp(argv[5]);
		key = bench_slurp(argv[6]);
	}
	if (argc > 7)
		name = argv[7];
	if (leaf == 0 || want == 0 || mib == 0 || mib > 1024) {
		fprintf(stderr, "bench_nng: LEAFBYTES, RECORDS and MIB must be positive\n");
		return 2;
	}
	if (strncmp(url, "tls+", 4) == 0 && cert == NULL) {
		fprintf(stderr, "bench_nng: %s needs CERT and KEY\n", url);
		return 2;
	}
	snprintf(scheme, sizeof(scheme), "%.*s", (int)strcspn(url, ":"), url);
	per = (mib << 20) / leaf;
	if (per == 0)
		per = 1;
	len = per * leaf;
	if ((payload = malloc(len)) == NULL)
		return 2;
	for (i = 0; i < len; i++) {   /* incompressible, like signed records */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		payload[i] = (uint8_t)x;
	}

	if (pipe(pipefd) != 0)
		return 2;
	if ((pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		close(pipefd[0]);
		if (cert != NULL)
			stls = bench_tls(0, cert, key, NULL);
		bench_serve(url, payload, len, stls, pipefd[1]);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &ok, 1) != 1) {
		fprintf(stderr, "bench_nng: the server did not start\n");
		waitpid(pid, &status, 0);
		return 2;
	}
	close(pipefd[0]);

	NNG_CHECK(nng_req0_open(&s));
	NNG_CHECK(nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, len + (1 << 16)));
	NNG_CHECK(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 60000));
	NNG_CHECK(nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, 3600000));
	NNG_CHECK(nng_dialer_create(&d, s, url));
	if (cert != NULL) {
		ctls = bench_tls(1, cert, key, name);
		NNG_CHECK(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, ctls));
	}
	NNG_CHECK(nng_dialer_set_size(d, NNG_OPT_RECVMAXSZ, len + (1 << 16)));
	NNG_CHECK(nng_dialer_start(d, 0));

	/* warm-up: connection, TLS handshake, first buffers */
	NNG_CHECK(nng_msg_alloc(&m, 16));
	NNG_CHECK(nng_sendmsg(s, m, 0));
	NNG_CHECK(nng_recvmsg(s, &m, 0));
	nng_msg_free(m);

	t0 = bench_now();
	while (got < want) {
		NNG_CHECK(nng_msg_alloc(&m, 16));
		NNG_CHECK(nng_sendmsg(s, m, 0));
		NNG_CHECK(nng_recvmsg(s, &m, 0));
		bytes += nng_msg_len(m);
		got += nng_msg_len(m) / leaf;
		nng_msg_free(m);
	}
	t1 = bench_now();
	nng_close(s);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (ctls != NULL)
		nng_tls_config_free(ctls);
	printf("nng %s %zu records %zu bytes %.3f seconds %.0f records/s %.1f MiB/s\n", scheme,
	    got, bytes, t1 - t0, got / (t1 - t0), bytes / (t1 - t0) / 1048576.0);
	free(payload);
	return 0;
}
