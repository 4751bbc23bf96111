/*
 * audit.c — the node's audit log: a transparency log of its own, written in
 * batches by a writer thread, read and verified by the "audit" method.
 *
 * Design
 *
 *   The log is an ordinary store (store/store.h) in HOME/audit with a
 *   single log and no indexer; its checkpoints are signed with a key of
 *   its own (HOME/keys/audit.key), so that the node's record-signing key
 *   can stay encrypted while the node appends audit entries unattended.
 *
 *   audit_append packs the entry and queues the bytes; the writer thread
 *   takes up to AUDIT_BATCH of them and appends them in one store_append
 *   (one LMDB write transaction, fsync'd at commit, ending in a signed
 *   checkpoint of the new size):
 *
 *     callers ──append──> queue ──writer──> store_append(expect = size)
 *        │ sync: wait        │ wakes when: a waiter is present, the
 *        └─ <── done ────────┘ batch is full, or the oldest queued
 *                                entry is AUDIT_FLUSH_MS old
 *
 *   Another process may have appended in between (a `serve` and a local
 *   `cxnode query` on one home): store_append re-reads the size inside its
 *   write transaction and answers CX_ESTALE when it is not the expected
 *   one; the writer then reads the new size and appends again on top.
 *   Entries are numbered in queue order (seq 1, 2, ...); done_seq is the
 *   last one the writer has finished with, written or failed. A waiter (a
 *   sync append, a flush) sleeps until done_seq reaches its entry.
 *
 *   A batch that cannot be written (disk full, I/O error) is dropped: its
 *   sync callers get the error, and so does the next audit_flush. The
 *   writer goes on with the next entries.
 *
 *   Key files are created so that two processes opening a new home at once
 *   agree on one key: written to a temporary name, then link()ed into
 *   place (atomic, fails if the name exists), the loser loading the
 *   winner's.
 *
 * Locks: mu guards the queue, the waiters, done_seq and the flush error;
 * the store has its own. The writer holds mu only to take a batch and to
 * report it, never while writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys/keys.h"
#include "keys/note.h"
#include "node/audit.h"
#include "node/node.h"
#include "store/store.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/date.h"
#include "util/err.h"

#define AUDIT_STALE_RETRIES 10000   /* appends lost to other processes in a row */

struct audit_item {
	uint8_t *buf;
	size_t len;
	uint64_t t;             /* when queued, monotonic ms */
};

struct audit_waiter {
	uint64_t seq;           /* done when done_seq >= seq */
	uint64_t lo;            /* a sync append: its batch failed if it covers lo+1..seq */
	int rc;
	int done;
	char msg[256];
	struct audit_waiter *next;
};

struct audit {
	store *st;
	uint32_t log;
	char *origin;
	char *verifier;
	keys_key *key;          /* private key; NULL when read-only */
	keys_key *pub;          /* verifies the checkpoints */
	int readonly;

	pthread_mutex_t mu;
	pthread_cond_t wake;    /* the writer: something to do */
	pthread_cond_t done;    /* waiters: done_seq moved */
	pthread_t thr;
	int has_thr;
	int stop;
	struct audit_item *q;   /* q[qhead .. qhead + qn) waiting */
	size_t qhead, qn, qcap;
	uint64_t seq;           /* entries ever queued */
	uint64_t done_seq;      /* entries finished (written or lost) */
	unsigned urgent;        /* waiters present */
	struct audit_waiter *waiters;
	int ferr;               /* first failure since the last flush */
	char fmsg[256];
	uint64_t lost;          /* entries in failed batches */

	uint64_t size;          /* writer only: the size it expects */
	struct audit_item *batch;   /* writer only: AUDIT_BATCH of each */
	struct store_leaf *leaves;
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t
audit_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
audit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char *
audit_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (p == NULL)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

/* Write data to a fresh temporary file beside path, then link it to path.
 * Returns 0, CX_EEXIST (path exists: someone else was first) or CX_EIO. */
static int
audit_publish_file(const char *path, const char *data, size_t len, int mode)
{
	char tmp[4096];
	int fd, rc = 0;
	ssize_t w;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= sizeof(tmp))
		return cx_seterr(CX_EIO, "%s: path too long", path);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		return cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
	w = write(fd, data, len);
	if (w < 0 || (size_t)w != len || fsync(fd) != 0)
		rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = cx_seterr(CX_EIO, "%s: %s", tmp, strerror(errno));
	if (rc == 0 && link(tmp, path) != 0)
		rc = errno == EEXIST ? cx_seterr(CX_EEXIST, "%s exists", path) :
		    cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	unlink(tmp);
	return rc;
}

/*
 * The audit key: HOME/keys/audit.key, created when missing (unencrypted,
 * 0600), and its verifier in HOME/keys/audit.pub (written when missing,
 * checked when present).
 */
static int
audit_key_setup(struct audit *a, const struct cfg *cfg)
{
	char *keys = NULL, *keypath = NULL, *pubpath = NULL, *line = NULL, *name = NULL;
	keys_key *k = NULL;
	int rc, alg;

	if ((keys = audit_join(cfg->home, "keys")) == NULL ||
	    (keypath = audit_join(keys, "audit.key")) == NULL ||
	    (pubpath = audit_join(keys, "audit.pub")) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "audit: paths");
		goto out;
	}
	rc = keys_load(&a->key, keypath, NULL);
	if (rc == CX_ENOTFOUND) {
		size_t nl = strlen(cfg->id) + sizeof("-audit");

		if ((rc = cli_mkdir(keys)) != 0)
			goto out;
		alg = cfg->algorithm != NULL ? cli_algorithm(cfg->algorithm) : KEYS_ED25519;
		if (alg == 0)
			alg = KEYS_ED25519;
		if ((name = malloc(nl)) == NULL) {
			rc = cx_seterr(CX_ENOMEM, "audit: key name");
			goto out;
		}
		snprintf(name, nl, "%s-audit", cfg->id);
		if ((rc = keys_generate(&k, alg, name)) != 0)
			goto out;
		/* keys_save writes with O_EXCL; link() publishes it whole */
		{
			char tmp[4096];

			if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", keypath,
			    (long)getpid()) >= sizeof(tmp)) {
				rc = cx_seterr(CX_EIO, "%s: path too long", keypath);
				goto out;
			}
			unlink(tmp);
			if ((rc = keys_save(k, tmp, NULL)) != 0)
				goto out;
			if (link(tmp, keypath) != 0)
				rc = errno == EEXIST ? CX_EEXIST :
				    cx_seterr(CX_EIO, "%s: %s", keypath, strerror(errno));
			unlink(tmp);
		}
		if (rc == 0) {
			a->key = k;
			k = NULL;
		} else if (rc == CX_EEXIST) {
			rc = keys_load(&a->key, keypath, NULL);  /* another process's */
		}
	}
	if (rc != 0)
		goto out;
	if ((rc = keys_verifier(&a->verifier, a->key)) != 0 ||
	    (rc = keys_from_verifier(&a->pub, a->verifier)) != 0)
		goto out;
	rc = cli_read_line(&line, pubpath);
	if (rc == CX_ENOTFOUND) {
		size_t vl = strlen(a->verifier);
		char *text = malloc(vl + 2);

		if (text == NULL) {
			rc = cx_seterr(CX_ENOMEM, "audit: verifier");
			goto out;
		}
		memcpy(text, a->verifier, vl);
		text[vl] = '\n';
		rc = audit_publish_file(pubpath, text, vl + 1, 0644);
		free(text);
		if (rc == CX_EEXIST)
			rc = cli_read_line(&line, pubpath);
	}
	if (rc == 0 && line != NULL && strcmp(line, a->verifier) != 0)
		rc = cx_seterr(CX_EPERM, "%s is not the verifier of %s", pubpath, keypath);
out:
	keys_free(k);
	free(name);
	free(line);
	free(pubpath);
	free(keypath);
	free(keys);
	return rc;
}

/* store_signer: the checkpoint of (size, root) signed with the audit key. */
static int
audit_sign(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct audit *a = ctx;
	char *text = NULL;
	size_t tlen;
	int rc;

	if ((rc = tlog_checkpoint_format(&text, &tlen, a->origin, size, root)) != 0)
		return rc;
	rc = note_sign(note, len, text, tlen, &a->key, 1);
	free(text);
	return rc;
}

/* The log's size now, and whether a checkpoint is stored. */
static int
audit_read_size(struct audit *a, uint64_t *size, int *has_cp)
{
	store_txn *t = NULL;
	const char *note;
	size_t len;
	uint64_t got;
	int rc;

	if ((rc = store_read_begin(&t, a->st)) != 0)
		return rc;
	rc = store_txn_log_size(t, a->log, size);
	if (rc == 0 && has_cp != NULL) {
		int r = store_checkpoint(t, a->log, 0, &note, &len, &got);

		*has_cp = r == 0;
		if (r != 0 && r != CX_ENOTFOUND)
			rc = r;
	}
	store_read_end(t);
	return rc;
}

/* Append leaves[0..n) on top of whatever the log holds now. Writer only
 * (and audit_open before the writer starts). */
static int
audit_store(struct audit *a, const struct store_leaf *leaves, size_t n)
{
	int rc, tries;

	for (tries = 0; tries < AUDIT_STALE_RETRIES; tries++) {
		rc = store_append(a->st, a->log, a->size, leaves, n, audit_sign, a);
		if (rc == 0) {
			a->size += n;
			return 0;
		}
		if (rc != CX_ESTALE)
			return rc;
		/* another process appended first: on top of it */
		if ((rc = audit_read_size(a, &a->size, NULL)) != 0)
			return rc;
	}
	return cx_seterr(CX_EBUSY, "audit: %d appends in a row lost to other writers",
	    AUDIT_STALE_RETRIES);
}

/* ---- the writer --------------------------------------------------------- */

/* Finish the waiters done_seq has reached; rc is the batch lo+1..hi's. */
static void
audit_report(struct audit *a, uint64_t lo, uint64_t hi, int rc, const char *msg)
{
	struct audit_waiter **pp = &a->waiters, *w;

	a->done_seq = hi;
	if (rc != 0) {
		a->lost += hi - lo;
		if (a->ferr == 0) {
			a->ferr = rc;
			snprintf(a->fmsg, sizeof(a->fmsg), "%s", msg);
		}
	}
	while ((w = *pp) != NULL) {
		/* (lo, hi] and the waiter's own (w->lo, w->seq] overlap */
		if (rc != 0 && (w->lo > lo ? w->lo : lo) < (w->seq < hi ? w->seq : hi) &&
		    w->rc == 0) {
			w->rc = rc;
			snprintf(w->msg, sizeof(w->msg), "%s", msg);
		}
		if (w->seq <= a->done_seq) {
			w->done = 1;
			*pp = w->next;
		} else {
			pp = &w->next;
		}
	}
	pthread_cond_broadcast(&a->done);
}

static void *
audit_writer(void *arg)
{
	struct audit *a = arg;
	size_t n, i;
	uint64_t lo, now;
	char msg[256];
	int rc;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		if (a->qn == 0) {
			if (a->stop)
				break;
			pthread_cond_wait(&a->wake, &a->mu);
			continue;
		}
		now = audit_mono_ms();
		if (!a->stop && a->urgent == 0 && a->qn < AUDIT_BATCH &&
		    now < a->q[a->qhead].t + AUDIT_FLUSH_MS) {
			uint64_t until = a->q[a->qhead].t + AUDIT_FLUSH_MS;
			struct timespec ts = { (time_t)(until / 1000), (long)(until % 1000) * 1000000 };

			pthread_cond_timedwait(&a->wake, &a->mu, &ts);
			continue;
		}
		n = a->qn < AUDIT_BATCH ? a->qn : AUDIT_BATCH;
		lo = a->done_seq;
		memcpy(a->batch, a->q + a->qhead, n * sizeof(*a->batch));
		a->qhead += n;
		a->qn -= n;
		if (a->qn == 0)
			a->qhead = 0;
		pthread_mutex_unlock(&a->mu);

		for (i = 0; i < n; i++)
			a->leaves[i] = (struct store_leaf){ a->batch[i].buf, a->batch[i].len, NULL };
		rc = audit_store(a, a->leaves, n);
		for (i = 0; i < n; i++)
			free(a->batch[i].buf);
		msg[0] = '\0';
		if (rc != 0)
			snprintf(msg, sizeof(msg), "audit log: %s%s%s", cx_strerror(rc),
			    cx_lasterr()[0] ? ": " : "", cx_lasterr());

		pthread_mutex_lock(&a->mu);
		audit_report(a, lo, lo + n, rc, msg);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* ---- open and close ----------------------------------------------------- */

static int
audit_alloc(struct audit **out)
{
	pthread_condattr_t ca;
	struct audit *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return cx_seterr(CX_ENOMEM, "audit");
	pthread_mutex_init(&a->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&a->done, NULL);
	*out = a;
	return 0;
}

int
audit_open(struct audit **out, const struct cfg *cfg)
{
	struct store_opts so = { .create = 1 };
	struct store_log *logs = NULL;
	struct audit *a = NULL;
	char *dir = NULL;
	size_t nlogs = 0, i, ol;
	int rc, has_cp = 0;

	*out = NULL;
	if (cfg == NULL || cfg->home == NULL || cfg->id == NULL || cfg->origin == NULL)
		return cx_seterr(CX_EINVAL, "audit: the node's configuration has no id or origin");
	if ((rc = audit_alloc(&a)) != 0)
		return rc;
	ol = strlen(cfg->origin) + sizeof("/audit");
	if ((a->origin = malloc(ol)) == NULL || (dir = audit_join(cfg->home, "audit")) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "audit");
		goto fail;
	}
	snprintf(a->origin, ol, "%s/audit", cfg->origin);
	if ((rc = audit_key_setup(a, cfg)) != 0)
		goto fail;
	if ((rc = store_open(&a->st, dir, &so)) != 0)
		goto fail;
	rc = store_log_create(a->st, &a->log, a->origin, cfg->id, a->verifier);
	if (rc == CX_EEXIST)
		rc = store_log_find(a->st, &a->log, a->origin);
	if (rc != 0)
		goto fail;
	/* first a read through store_read_begin, which opens the handles of a
	 * log another process registered since store_open: store_log_list
	 * does not, and fails on such a log */
	if ((rc = audit_read_size(a, &a->size, &has_cp)) != 0)
		goto fail;
	/* the key must be the one the log was made with: a checkpoint signed
	 * by another would be committed for ever and never verify */
	if ((rc = store_log_list(a->st, &logs, &nlogs)) != 0)
		goto fail;
	for (i = 0; i < nlogs; i++)
		if (logs[i].id == a->log && strcmp(logs[i].verifier, a->verifier) != 0) {
			rc = cx_seterr(CX_EPERM, "%s/keys/audit.key is not the key of the audit log "
			    "(%s); refusing to sign with it", cfg->home, logs[i].verifier);
			goto fail;
		}
	if (!has_cp) {
		/* a new log: its empty tree, signed */
		rc = audit_store(a, NULL, 0);
		if (rc != 0)
			goto fail;
	}
	if ((a->batch = calloc(AUDIT_BATCH, sizeof(*a->batch))) == NULL ||
	    (a->leaves = calloc(AUDIT_BATCH, sizeof(*a->leaves))) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "audit: writer");
		goto fail;
	}
	if ((rc = pthread_create(&a->thr, NULL, audit_writer, a)) != 0) {
		rc = cx_seterr(CX_EIO, "audit: writer thread: %s", strerror(rc));
		goto fail;
	}
	a->has_thr = 1;
	store_log_list_free(logs, nlogs);
	free(dir);
	*out = a;
	return 0;
fail:
	store_log_list_free(logs, nlogs);
	free(dir);
	audit_close(a);
	return rc;
}

int
audit_open_dir(struct audit **out, const char *dir, const char *pub)
{
	struct store_opts so = { .readonly = 1 };
	struct store_log *logs = NULL;
	struct audit *a = NULL;
	size_t nlogs = 0, i;
	int rc;

	*out = NULL;
	if ((rc = audit_alloc(&a)) != 0)
		return rc;
	a->readonly = 1;
	if ((rc = store_open(&a->st, dir, &so)) != 0)
		goto fail;
	if ((rc = store_log_list(a->st, &logs, &nlogs)) != 0)
		goto fail;
	/* the audit log: the one whose origin ends in "/audit" */
	for (i = 0; i < nlogs; i++) {
		size_t l = strlen(logs[i].origin);

		if (l > 6 && strcmp(logs[i].origin + l - 6, "/audit") == 0)
			break;
	}
	if (i == nlogs) {
		rc = cx_seterr(CX_ENOTFOUND, "%s: no audit log in this store", dir);
		goto fail;
	}
	a->log = logs[i].id;
	if ((a->origin = strdup(logs[i].origin)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "audit");
		goto fail;
	}
	if (pub != NULL)
		rc = cli_public_key(&a->pub, pub);
	else
		rc = keys_from_verifier(&a->pub, logs[i].verifier);
	if (rc != 0)
		goto fail;
	if ((rc = keys_verifier(&a->verifier, a->pub)) != 0)
		goto fail;
	store_log_list_free(logs, nlogs);
	*out = a;
	return 0;
fail:
	store_log_list_free(logs, nlogs);
	audit_close(a);
	return rc;
}

void
audit_close(struct audit *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (a->has_thr) {
		pthread_mutex_lock(&a->mu);
		a->stop = 1;
		pthread_cond_signal(&a->wake);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->thr, NULL);
	}
	for (i = 0; i < a->qn; i++)
		free(a->q[a->qhead + i].buf);
	free(a->q);
	free(a->batch);
	free(a->leaves);
	store_close(a->st);
	keys_free(a->key);
	keys_free(a->pub);
	free(a->origin);
	free(a->verifier);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->done);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

const char *
audit_origin(const struct audit *a)
{
	return a->origin;
}

const char *
audit_verifier(const struct audit *a)
{
	return a->verifier;
}

/* ---- appending ---------------------------------------------------------- */

/* Wait (mu held) until entry seq is done; lo as in audit_waiter. */
static int
audit_wait(struct audit *a, uint64_t lo, uint64_t seq)
{
	struct audit_waiter w = { .seq = seq, .lo = lo };

	if (a->done_seq >= seq)
		return 0;
	w.next = a->waiters;
	a->waiters = &w;
	a->urgent++;
	pthread_cond_signal(&a->wake);
	while (!w.done)
		pthread_cond_wait(&a->done, &a->mu);
	a->urgent--;
	if (w.rc != 0)
		return cx_seterr(w.rc, "%s", w.msg);
	return 0;
}

int
audit_append(struct audit *a, const Cx__AuditEntry *e, int sync)
{
	Cx__AuditEntry copy;
	struct audit_item it;
	size_t len;
	uint64_t seq;
	int rc = 0;

	if (a->readonly || !a->has_thr)
		return cx_seterr(CX_EPERM, "audit: the log is open read-only");
	copy = *e;
	if (copy.time == 0)
		copy.time = audit_now_ms();
	len = cx__audit_entry__get_packed_size(&copy);
	/* an all-default entry packs to nothing; a leaf has at least a byte */
	if ((it.buf = malloc(len ? len : 1)) == NULL)
		return cx_seterr(CX_ENOMEM, "audit: entry");
	it.len = cx__audit_entry__pack(&copy, it.buf);
	if (it.len == 0) {
		free(it.buf);
		return cx_seterr(CX_EINVAL, "audit: an empty entry");
	}
	pthread_mutex_lock(&a->mu);
	/* back-pressure: while the queue is full, wait for the writer (it
	 * writes at once while anyone waits) */
	while (a->qn >= AUDIT_QUEUE_MAX) {
		a->urgent++;
		pthread_cond_signal(&a->wake);
		pthread_cond_wait(&a->done, &a->mu);
		a->urgent--;
	}
	if (a->qhead + a->qn == a->qcap) {
		if (a->qhead > 0) {
			memmove(a->q, a->q + a->qhead, a->qn * sizeof(*a->q));
			a->qhead = 0;
		} else {
			size_t nc = a->qcap ? a->qcap * 2 : 64;
			struct audit_item *nq = realloc(a->q, nc * sizeof(*nq));

			if (nq == NULL) {
				pthread_mutex_unlock(&a->mu);
				free(it.buf);
				return cx_seterr(CX_ENOMEM, "audit: queue");
			}
			a->q = nq;
			a->qcap = nc;
		}
	}
	it.t = audit_mono_ms();
	a->q[a->qhead + a->qn++] = it;
	seq = ++a->seq;
	if (sync)
		rc = audit_wait(a, seq - 1, seq);
	else if (a->qn == 1 || a->qn >= AUDIT_BATCH)
		pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int
audit_flush(struct audit *a)
{
	int rc;

	if (a->readonly || !a->has_thr)
		return 0;
	pthread_mutex_lock(&a->mu);
	/* lo = seq: no entry of its own, only the flush error below */
	rc = audit_wait(a, a->seq, a->seq);
	if (rc == 0 && a->ferr != 0) {
		rc = cx_seterr(a->ferr, "%s (%llu entries lost in all)", a->fmsg,
		    (unsigned long long)a->lost);
		a->ferr = 0;
	}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

json_t *
audit_entry_json(const Cx__AuditEntry *e, uint64_t index)
{
	char tbuf[96], hex[HEX_LEN(64)];
	struct tm tm;
	time_t sec = (time_t)(e->time / 1000);
	json_t *o, *q = NULL;

	if (gmtime_r(&sec, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(tbuf, sizeof(tbuf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(e->time % 1000));
	hex[0] = '\0';
	if (e->answer_digest.len > 0 && e->answer_digest.len <= 64)
		hex_encode(hex, e->answer_digest.data, e->answer_digest.len);
	/* the query as stored: JSON when it is JSON, else the text itself */
	if (e->query != NULL && e->query[0] != '\0')
		q = json_loads(e->query, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (q == NULL)
		q = e->query != NULL && e->query[0] != '\0' ? json_string(e->query) : json_null();
	o = json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:s, s:i, s:s?}",
	    "index", (json_int_t)index, "time", tbuf, "who", e->who, "role", e->role,
	    "via", e->via, "method", e->method, "query", q ? q : json_null(),
	    "answer_digest", hex, "status", (int)e->status, "detail", e->detail);
	return o;
}

/* Parse an RFC 3339 instant ("2026-11-22T08:30:00.250+08:00") into unix ms. */
static int
audit_rfc3339(const char *s, uint64_t *ms)
{
	int y, mo, d, h, mi, sec, n = 0, frac = 0, fd = 0, off = 0;
	uint32_t ymd;
	int32_t days;
	int64_t t;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return CX_EFORMAT;
	p = s + 10;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return CX_EFORMAT;
	p++;
	n = 0;
	if (sscanf(p, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
		return CX_EFORMAT;
	p += 8;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fd++)
			if (fd < 3)
				frac = frac * 10 + (*p - '0');
		if (fd == 0)
			return CX_EFORMAT;
		for (; fd < 3; fd++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;

		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 || oh > 23 || om > 59)
			return CX_EFORMAT;
		off = (oh * 60 + om) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return CX_EFORMAT;
	}
	if (*p != '\0' || h > 23 || mi > 59 || sec > 60)
		return CX_EFORMAT;
	ymd = (uint32_t)(y * 10000 + mo * 100 + d);
	if (y < 1970 || !date_valid(ymd) || (days = date_days(ymd)) == INT32_MIN)
		return CX_EFORMAT;
	t = ((int64_t)days * 86400 + h * 3600 + mi * 60 + sec - off * 60) * 1000 + frac;
	if (t < 0)
		return CX_EFORMAT;
	*ms = (uint64_t)t;
	return 0;
}

/* A from/to parameter: an RFC 3339 instant, or a date (China time) meaning
 * its first millisecond (from) or its last (to). */
static int
audit_time_param(const json_t *v, const char *name, int end, uint64_t *ms)
{
	const char *s;
	uint32_t ymd;
	int32_t days;

	if (!json_is_string(v) || (s = json_string_value(v))[0] == '\0')
		return cx_seterr(CX_EINVAL, "%s: expected a date or an RFC 3339 time", name);
	if (strchr(s, ':') != NULL) {
		if (audit_rfc3339(s, ms) != 0)
			return cx_seterr(CX_EINVAL, "%s: not an RFC 3339 time: %.64s", name, s);
		return 0;
	}
	if (date_parse(&ymd, s, strlen(s)) != 0 || (days = date_days(ymd)) < 0)
		return cx_seterr(CX_EINVAL, "%s: not a date: %.64s", name, s);
	/* 00:00 China Standard Time is 16:00 UTC the day before */
	*ms = ((uint64_t)(days + (end ? 1 : 0)) * 86400 - 8 * 3600) * 1000 - (end ? 1 : 0);
	return 0;
}

/* A non-negative integer parameter (a JSON integer, or digits in a string as
 * a query string gives them). */
static int
audit_int_param(const json_t *v, const char *name, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		unsigned long long n;

		if (s[0] >= '0' && s[0] <= '9') {
			errno = 0;
			n = strtoull(s, &end, 10);
			if (*end == '\0' && errno == 0) {
				*out = n;
				return 0;
			}
		}
	}
	return cx_seterr(CX_EINVAL, "%s: expected a non-negative integer", name);
}

static int
audit_bool_param(const json_t *v, const char *name, int *out)
{
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_string(v)) {
		static const char *const t[] = { "1", "true", "yes", "on", NULL };
		static const char *const f[] = { "0", "false", "no", "off", NULL };
		const char *s = json_string_value(v);
		int i;

		for (i = 0; t[i]; i++)
			if (strcmp(s, t[i]) == 0) {
				*out = 1;
				return 0;
			}
		for (i = 0; f[i]; i++)
			if (strcmp(s, f[i]) == 0) {
				*out = 0;
				return 0;
			}
	}
	return cx_seterr(CX_EINVAL, "%s: expected true or false", name);
}

static int audit_check_note(struct audit *a, const char *note, size_t len, uint64_t *size,
    tlog_hash root);

struct audit_filter {
	uint64_t from, to;      /* ms, inclusive; to 0: no limit */
	const char *who, *role, *method, *via;
};

static int
audit_match(const struct audit_filter *f, const Cx__AuditEntry *e)
{
	if (e->time < f->from || (f->to != 0 && e->time > f->to))
		return 0;
	if (f->who && strcmp(f->who, e->who ? e->who : "") != 0)
		return 0;
	if (f->role && strcmp(f->role, e->role ? e->role : "") != 0)
		return 0;
	if (f->method && strcmp(f->method, e->method ? e->method : "") != 0)
		return 0;
	if (f->via && strcmp(f->via, e->via ? e->via : "") != 0)
		return 0;
	return 1;
}

/* The problems of a verification, collected for the answer. */
struct audit_plist {
	json_t *arr;
	unsigned long n;
};

static void
audit_plist_add(void *ctx, const char *what)
{
	struct audit_plist *p = ctx;

	if (p->n++ < AUDIT_PROBLEMS_MAX)
		json_array_append_new(p->arr, json_string(what));
}

/* One entry with its leaf and inclusion proof in the tree of size leaves. */
static int
audit_one(struct audit *a, store_txn *t, uint64_t index, uint64_t size, json_t *entries)
{
	tlog_hash proof[TLOG_MAX_PROOF], lh;
	Cx__AuditEntry *e;
	const uint8_t *data;
	char hex[HEX_LEN(TLOG_HASH_LEN)], *b64;
	json_t *o, *pa;
	size_t len, np, i;
	int rc;

	if (index >= size)
		return cx_seterr(CX_ENOTFOUND, "no entry %llu under the checkpoint of %llu entries",
		    (unsigned long long)index, (unsigned long long)size);
	if ((rc = store_leaf(t, a->log, index, &data, &len)) != 0)
		return rc;
	if ((e = cx__audit_entry__unpack(NULL, len, data)) == NULL)
		return cx_seterr(CX_ECORRUPT, "audit: leaf %llu is not an audit entry",
		    (unsigned long long)index);
	o = audit_entry_json(e, index);
	cx__audit_entry__free_unpacked(e, NULL);
	if (o == NULL)
		return cx_seterr(CX_ENOMEM, "audit: entry");
	if ((rc = store_prove_inclusion(t, a->log, index, size, proof, &np)) != 0) {
		json_decref(o);
		return rc;
	}
	if ((b64 = malloc(B64_LEN(len))) == NULL || (pa = json_array()) == NULL) {
		free(b64);
		json_decref(o);
		return cx_seterr(CX_ENOMEM, "audit: entry");
	}
	b64_encode(b64, data, len);
	tlog_leaf_hash(lh, data, len);
	hex_encode(hex, lh, TLOG_HASH_LEN);
	json_object_set_new(o, "leaf", json_string(b64));
	json_object_set_new(o, "leaf_hash", json_string(hex));
	free(b64);
	for (i = 0; i < np; i++) {
		hex_encode(hex, proof[i], TLOG_HASH_LEN);
		json_array_append_new(pa, json_string(hex));
	}
	json_object_set_new(o, "proof", pa);
	json_object_set_new(o, "tree_size", json_integer((json_int_t)size));
	if (json_array_append_new(entries, o) != 0)
		return cx_seterr(CX_ENOMEM, "audit: entry");
	return 0;
}

/*
 * For a checkpoint kept from earlier: the consistency proof from its size
 * to size, {from, to, proof: [hex]}, as res's "consistency", so that the
 * asker can check on its side that the log extends what it kept. The note
 * is only parsed here (its signature is the asker's to check, and verify's).
 * Nothing is added when it does not parse or states more than size.
 */
static int
audit_consistency(struct audit *a, store_txn *t, const char *note, uint64_t size, json_t *res)
{
	tlog_hash proof[TLOG_MAX_PROOF], root;
	char *origin = NULL, hex[HEX_LEN(TLOG_HASH_LEN)];
	size_t textlen, n, i;
	uint64_t old;
	json_t *arr;
	int rc;

	if (note_text(note, strlen(note), &textlen) != 0 ||
	    tlog_checkpoint_parse(note, textlen, &origin, &old, root) != 0)
		return 0;
	free(origin);
	if (old > size)
		return 0;
	if ((rc = store_prove_consistency(t, a->log, old, size, proof, &n)) != 0)
		return rc;
	if ((arr = json_array()) == NULL)
		return cx_seterr(CX_ENOMEM, "audit");
	for (i = 0; i < n; i++) {
		hex_encode(hex, proof[i], TLOG_HASH_LEN);
		json_array_append_new(arr, json_string(hex));
	}
	json_object_set_new(res, "consistency", json_pack("{s:I, s:I, s:o}", "from",
	    (json_int_t)old, "to", (json_int_t)size, "proof", arr));
	return 0;
}

int
audit_query(struct audit *a, const json_t *params, json_t **out)
{
	struct audit_filter f = { 0 };
	json_t *res = NULL, *entries = NULL, *v;
	store_txn *t = NULL;
	const char *note = NULL, *kept = NULL;
	size_t nlen = 0;
	uint64_t size = 0, offset = 0, limit = AUDIT_LIMIT, index = 0, total = 0, k, i;
	int rc, verify = 0, desc = 0, has_index = 0, has_cp;

	*out = NULL;
	if (params != NULL && !json_is_object(params))
		return cx_seterr(CX_EINVAL, "audit: params must be an object");
	if (params != NULL) {
		if ((v = json_object_get(params, "from")) != NULL &&
		    (rc = audit_time_param(v, "from", 0, &f.from)) != 0)
			return rc;
		if ((v = json_object_get(params, "to")) != NULL &&
		    (rc = audit_time_param(v, "to", 1, &f.to)) != 0)
			return rc;
		{
			static const char *const names[] = { "who", "role", "method", "via" };
			const char **dst[] = { &f.who, &f.role, &f.method, &f.via };

			for (i = 0; i < 4; i++) {
				if ((v = json_object_get(params, names[i])) == NULL || json_is_null(v))
					continue;
				if (!json_is_string(v))
					return cx_seterr(CX_EINVAL, "%s: expected a string", names[i]);
				*dst[i] = json_string_value(v);
			}
		}
		if ((v = json_object_get(params, "offset")) != NULL &&
		    (rc = audit_int_param(v, "offset", &offset)) != 0)
			return rc;
		if ((v = json_object_get(params, "limit")) != NULL &&
		    (rc = audit_int_param(v, "limit", &limit)) != 0)
			return rc;
		if (limit > AUDIT_LIMIT_MAX)
			limit = AUDIT_LIMIT_MAX;
		if ((v = json_object_get(params, "index")) != NULL && !json_is_null(v)) {
			if ((rc = audit_int_param(v, "index", &index)) != 0)
				return rc;
			has_index = 1;
		}
		if ((v = json_object_get(params, "verify")) != NULL &&
		    (rc = audit_bool_param(v, "verify", &verify)) != 0)
			return rc;
		if ((v = json_object_get(params, "order")) != NULL) {
			if (json_is_string(v) && strcmp(json_string_value(v), "desc") == 0)
				desc = 1;
			else if (!json_is_string(v) || strcmp(json_string_value(v), "asc") != 0)
				return cx_seterr(CX_EINVAL, "order: \"asc\" or \"desc\"");
		}
		if ((v = json_object_get(params, "checkpoint")) != NULL && !json_is_null(v)) {
			if (!json_is_string(v))
				return cx_seterr(CX_EINVAL, "checkpoint: expected a signed note");
			kept = json_string_value(v);
			verify = 1;
		}
	}
	if ((res = json_object()) == NULL || (entries = json_array()) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "audit");
		goto out;
	}
	if ((rc = store_read_begin(&t, a->st)) != 0)
		goto out;
	rc = store_checkpoint(t, a->log, 0, &note, &nlen, &size);
	has_cp = rc == 0;
	if (rc != 0 && rc != CX_ENOTFOUND)
		goto out;
	if (!has_cp)
		size = 0;
	json_object_set_new(res, "origin", json_string(a->origin));
	json_object_set_new(res, "key", json_string(a->verifier));
	json_object_set_new(res, "size", json_integer((json_int_t)size));
	json_object_set_new(res, "checkpoint", has_cp ? json_stringn(note, nlen) : json_null());
	if (kept != NULL && (rc = audit_consistency(a, t, kept, size, res)) != 0)
		goto out;
	if (has_index) {
		if ((rc = audit_one(a, t, index, size, entries)) != 0)
			goto out;
		total = 1;
		offset = 0;
	} else {
		for (k = 0; k < size; k++) {
			const uint8_t *data;
			Cx__AuditEntry *e;
			size_t len;

			i = desc ? size - 1 - k : k;
			if ((rc = store_leaf(t, a->log, i, &data, &len)) != 0)
				goto out;
			if ((e = cx__audit_entry__unpack(NULL, len, data)) == NULL)
				continue;   /* verify reports it */
			if (audit_match(&f, e)) {
				if (total >= offset && total - offset < limit) {
					json_t *o = audit_entry_json(e, i);

					if (o == NULL || json_array_append_new(entries, o) != 0) {
						cx__audit_entry__free_unpacked(e, NULL);
						rc = cx_seterr(CX_ENOMEM, "audit: entries");
						goto out;
					}
				}
				total++;
			}
			cx__audit_entry__free_unpacked(e, NULL);
		}
	}
	store_read_end(t);
	t = NULL;
	if (verify) {
		struct audit_plist pl = { json_array(), 0 };

		if (pl.arr == NULL) {
			rc = cx_seterr(CX_ENOMEM, "audit");
			goto out;
		}
		rc = audit_verify(a, audit_plist_add, &pl);
		if ((rc == 0 || rc == CX_ECORRUPT) && kept != NULL &&
		    audit_check_checkpoint(a, kept, strlen(kept)) != 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "the checkpoint given: %s", cx_lasterr());
			audit_plist_add(&pl, msg);
			rc = CX_ECORRUPT;
		}
		if (rc != 0 && rc != CX_ECORRUPT) {
			json_decref(pl.arr);
			goto out;
		}
		json_object_set_new(res, "verified", json_boolean(rc == 0));
		json_object_set_new(res, "problems", pl.arr);
		rc = 0;
	}
	json_object_set_new(res, "total", json_integer((json_int_t)total));
	json_object_set_new(res, "offset", json_integer((json_int_t)offset));
	json_object_set_new(res, "entries", entries);
	entries = NULL;
	*out = res;
	res = NULL;
out:
	store_read_end(t);
	json_decref(entries);
	json_decref(res);
	return rc;
}

/* ---- verification ------------------------------------------------------- */

struct audit_ver {
	struct audit *a;
	audit_problem_fn fn;
	void *ctx;
	unsigned long n;
};

static void
audit_problem(struct audit_ver *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
audit_problem(struct audit_ver *v, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	v->n++;
	if (v->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	v->fn(v->ctx, buf);
}

static void
audit_store_problem(void *ctx, uint32_t log, const char *what)
{
	audit_problem(ctx, "%s", what);
}

/* A checkpoint note of this log: signed by its key, naming its origin. */
static int
audit_check_note(struct audit *a, const char *note, size_t len, uint64_t *size, tlog_hash root)
{
	char *origin = NULL;
	size_t textlen;
	int rc;

	if ((rc = note_verify(note, len, &a->pub, 1, &textlen, NULL)) != 0)
		return rc;
	if ((rc = tlog_checkpoint_parse(note, textlen, &origin, size, root)) != 0)
		return rc;
	if (strcmp(origin, a->origin) != 0)
		rc = cx_seterr(CX_EBADSIG, "checkpoint origin \"%s\" is not the log's \"%s\"",
		    origin, a->origin);
	free(origin);
	return rc;
}

int
audit_check_checkpoint(struct audit *a, const char *note, size_t len)
{
	store_txn *t = NULL;
	tlog_hash root, have;
	uint64_t size, held;
	int rc;

	if ((rc = audit_check_note(a, note, len, &size, root)) != 0)
		return rc;
	if ((rc = store_read_begin(&t, a->st)) != 0)
		return rc;
	if ((rc = store_txn_log_size(t, a->log, &held)) != 0)
		goto out;
	if (held < size) {
		rc = cx_seterr(CX_EFORK, "it states %llu entries, the log holds only %llu: the log "
		    "was cut short", (unsigned long long)size, (unsigned long long)held);
		goto out;
	}
	if ((rc = store_root(t, a->log, size, have)) != 0)
		goto out;
	if (memcmp(have, root, TLOG_HASH_LEN) != 0)
		rc = cx_seterr(CX_EFORK, "the log's first %llu entries are not the ones it signed: "
		    "the log was rewritten", (unsigned long long)size);
out:
	store_read_end(t);
	return rc;
}

static int
audit_note_check(void *ctx, uint32_t log, const char *note, size_t len, uint64_t *size,
    tlog_hash root)
{
	struct audit_ver *v = ctx;

	return audit_check_note(v->a, note, len, size, root);
}

int
audit_verify(struct audit *a, audit_problem_fn fn, void *ctx)
{
	struct audit_ver v = { a, fn, ctx, 0 };
	struct store_log *logs = NULL;
	store_txn *t = NULL;
	const char *note;
	size_t nlen, nlogs = 0, i;
	uint64_t size, cpsize, k;
	int rc;

	rc = store_verify(a->st, a->log, audit_note_check, audit_store_problem, NULL, &v);
	if (rc != 0 && rc != CX_ECORRUPT)
		return rc;
	if ((rc = store_log_list(a->st, &logs, &nlogs)) != 0)
		return rc;
	for (i = 0; i < nlogs; i++)
		if (logs[i].id == a->log && strcmp(logs[i].verifier, a->verifier) != 0)
			audit_problem(&v, "the store registers the log with key %s, not %s",
			    logs[i].verifier, a->verifier);
	store_log_list_free(logs, nlogs);
	if ((rc = store_read_begin(&t, a->st)) != 0)
		return rc;
	if ((rc = store_txn_log_size(t, a->log, &size)) != 0)
		goto out;
	rc = store_checkpoint(t, a->log, 0, &note, &nlen, &cpsize);
	if (rc == CX_ENOTFOUND)
		audit_problem(&v, "no signed checkpoint");
	else if (rc != 0)
		goto out;
	else if (cpsize != size)
		audit_problem(&v, "leaves %llu to %llu are under no signed checkpoint (the "
		    "latest is of %llu)", (unsigned long long)cpsize, (unsigned long long)size - 1,
		    (unsigned long long)cpsize);
	for (k = 0; k < size; k++) {
		const uint8_t *data;
		size_t len;
		Cx__AuditEntry *e;

		if ((rc = store_leaf(t, a->log, k, &data, &len)) != 0) {
			if (rc != CX_ENOTFOUND)
				goto out;
			continue;   /* store_verify reported it */
		}
		if ((e = cx__audit_entry__unpack(NULL, len, data)) == NULL)
			audit_problem(&v, "leaf %llu: not an audit entry", (unsigned long long)k);
		else if (e->answer_digest.len != 0 && e->answer_digest.len != 32)
			audit_problem(&v, "leaf %llu: an answer digest of %zu bytes",
			    (unsigned long long)k, e->answer_digest.len);
		cx__audit_entry__free_unpacked(e, NULL);
	}
	rc = 0;
out:
	store_read_end(t);
	if (rc != 0)
		return rc;
	return v.n ? cx_seterr(CX_ECORRUPT, "audit log %s: %lu problem(s)", a->origin, v.n) : 0;
}
