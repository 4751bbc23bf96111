/*
 * pubsub.c — checkpoint announcements over nng PUB/SUB.
 *
 * Design
 *
 * Announcements are hints: the subscriber's callback verifies what it gets
 * and pulls the data over an authenticated session, so PUB/SUB carries no
 * application-layer authentication; TLS (tls+tcp://) still authenticates
 * both ends when used. A publisher is one PUB socket with one listener;
 * sending never blocks (nng drops messages for subscribers that do not
 * keep up). A subscriber is one SUB socket subscribed to everything with a
 * non-blocking dialer per URL, so unreachable publishers are dialled again
 * in the background, and one thread that receives with a short timeout
 * (so that closing stops it promptly) and calls the callback.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>

#include "net/wire.h"
#include "net/wire_internal.h"

#include "util/err.h"

#define WIRE_SUB_POLL_MS 200

struct wire_pub {
	nng_socket sock;
	nng_listener l;
};

struct wire_sub {
	nng_socket sock;
	int sock_open;
	pthread_t th;
	int started;
	atomic_int stop;
	wire_sub_fn fn;
	void *ctx;
};

int
wire_pub_open(wire_pub **out, const char *url, const struct wire_tls *tls, int allow_plain)
{
	nng_tls_config *cfg = NULL;
	wire_pub *p;
	int rv, rc;

	*out = NULL;
	if ((rc = wire_url_check(url, tls != NULL, allow_plain)) != 0)
		return rc;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return cx_seterr(CX_ENOMEM, "publisher");
	if ((rv = nng_pub0_open(&p->sock)) != 0) {
		free(p);
		return wire_nngerr(rv, "PUB socket");
	}
	if ((rv = nng_listener_create(&p->l, p->sock, url)) != 0) {
		rc = wire_nngerr(rv, url);
		goto fail;
	}
	if (wire_url_is_tls(url)) {
		if ((rc = wire_tls_config(&cfg, tls, 0)) != 0)
			goto fail;
		rv = nng_listener_set_ptr(p->l, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg);
		if (rv != 0) {
			rc = wire_nngerr(rv, url);
			goto fail;
		}
	}
	/* subscribers send nothing: accept only tiny messages */
	if ((rv = nng_socket_set_size(p->sock, NNG_OPT_RECVMAXSZ, 1024)) != 0 ||
	    (rv = nng_listener_start(p->l, 0)) != 0) {
		rc = wire_nngerr(rv, url);
		goto fail;
	}
	*out = p;
	return 0;
fail:
	nng_close(p->sock);
	free(p);
	return rc;
}

int
wire_pub_send(wire_pub *p, const void *msg, size_t len)
{
	int rv;

	if (p == NULL)
		return cx_seterr(CX_EINVAL, "no publisher");
	if ((rv = nng_send(p->sock, (void *)msg, len, NNG_FLAG_NONBLOCK)) != 0)
		return wire_nngerr(rv, "publish");
	return 0;
}

int
wire_pub_port(wire_pub *p, int *port)
{
	int rv;

	if (p == NULL)
		return cx_seterr(CX_EINVAL, "no publisher");
	if ((rv = nng_listener_get_int(p->l, NNG_OPT_TCP_BOUND_PORT, port)) != 0)
		return wire_nngerr(rv, "bound port");
	return 0;
}

void
wire_pub_close(wire_pub *p)
{
	if (p == NULL)
		return;
	nng_close(p->sock);
	free(p);
}

static void *
wire_sub_run(void *arg)
{
	wire_sub *s = arg;
	nng_msg *m;
	int rv;

	while (!atomic_load(&s->stop)) {
		if ((rv = nng_recvmsg(s->sock, &m, 0)) != 0) {
			if (rv == NNG_ECLOSED)
				break;
			continue;   /* timeout: look at stop again */
		}
		s->fn(s->ctx, nng_msg_body(m), nng_msg_len(m));
		nng_msg_free(m);
	}
	return NULL;
}

int
wire_sub_open(wire_sub **out, const char *const *urls, size_t n, const struct wire_tls *tls,
    int allow_plain, size_t max_msg, wire_sub_fn fn, void *ctx)
{
	nng_tls_config *cfg = NULL;
	nng_dialer d;
	wire_sub *s;
	size_t i;
	int rv, rc;

	*out = NULL;
	if (fn == NULL || (n > 0 && urls == NULL))
		return cx_seterr(CX_EINVAL, "a subscriber needs a callback");
	for (i = 0; i < n; i++)
		if ((rc = wire_url_check(urls[i], tls != NULL, allow_plain)) != 0)
			return rc;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return cx_seterr(CX_ENOMEM, "subscriber");
	s->fn = fn;
	s->ctx = ctx;
	atomic_init(&s->stop, 0);
	if ((rv = nng_sub0_open(&s->sock)) != 0) {
		rc = wire_nngerr(rv, "SUB socket");
		goto fail;
	}
	s->sock_open = 1;
	if ((rv = nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ,
	    max_msg ? max_msg : WIRE_MAX_MSG)) != 0 ||
	    (rv = nng_socket_set_ms(s->sock, NNG_OPT_RECVTIMEO, WIRE_SUB_POLL_MS)) != 0 ||
	    (rv = nng_socket_set(s->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0)) != 0) {
		rc = wire_nngerr(rv, "SUB socket");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((rv = nng_dialer_create(&d, s->sock, urls[i])) != 0) {
			rc = wire_nngerr(rv, urls[i]);
			goto fail;
		}
		if (wire_url_is_tls(urls[i])) {
			if (cfg == NULL && (rc = wire_tls_config(&cfg, tls, 1)) != 0)
				goto fail;
			if ((rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg)) != 0) {
				rc = wire_nngerr(rv, urls[i]);
				goto fail;
			}
		}
		if ((rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK)) != 0) {
			rc = wire_nngerr(rv, urls[i]);
			goto fail;
		}
	}
	if (cfg != NULL) {
		nng_tls_config_free(cfg);
		cfg = NULL;
	}
	if (pthread_create(&s->th, NULL, wire_sub_run, s) != 0) {
		rc = cx_seterr(CX_EIO, "cannot start the subscriber thread");
		goto fail;
	}
	s->started = 1;
	*out = s;
	return 0;
fail:
	if (cfg != NULL)
		nng_tls_config_free(cfg);
	wire_sub_close(s);
	return rc;
}

void
wire_sub_close(wire_sub *s)
{
	if (s == NULL)
		return;
	atomic_store(&s->stop, 1);
	if (s->sock_open)
		nng_close(s->sock);
	if (s->started)
		pthread_join(s->th, NULL);
	free(s);
}
