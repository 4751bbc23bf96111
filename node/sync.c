/*
 * sync.c — replication, witnessing and fork detection against one peer.
 *
 * For each log the peer offers (HeadsReply), with our latest checkpoint of
 * it of size n and root R(n), and the peer's of size m and root R(m), both
 * verified with the issuer's keys from the roster:
 *
 *   m == n   equal roots: the same; else a fork (same size, two roots).
 *   m <  n   our root of our first m leaves must be R(m), else a fork:
 *            evidence is the two notes, that root and our proof m -> n.
 *   m >  n   the peer's consistency proof n -> m must verify from R(n);
 *            when it does not, but verifies from the root the peer says
 *            its first n leaves have, that root differs from R(n): a fork.
 *            Then the leaves [size held, m) are pulled in batches; each
 *            batch is hashed onto our frontier and its new root checked
 *            against R(m) (equal at m, else the peer's consistency proof
 *            from the batch's end to m) BEFORE anything is stored, then
 *            admitted (node/admit.c), then appended in one transaction,
 *            the last with the issuer's note as our checkpoint.
 *
 * A fork stores the evidence and halts the log; leaves that do not verify
 * are the peer's fault: nothing is stored and the peer is reported; a
 * verified record that breaks the federation's rules is the issuer's fault:
 * the log is halted with the reason.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys/cosig.h"
#include "keys/roster.h"
#include "node/admit.h"
#include "node/peer.h"
#include "node/sync.h"
#include "util/err.h"

static const char *const sync_names[] = {
	"same", "pulled", "ahead", "behind", "only-ours", "fork", "refused",
	"broken-rules", "unknown",
};

const char *
sync_state_name(int state)
{
	if (state < 0 || state >= (int)(sizeof(sync_names) / sizeof(sync_names[0])))
		return "?";
	return sync_names[state];
}

struct sync_ctx {
	struct fed *f;
	wire_client *c;
	const struct sync_opts *o;
	const Cx__Roster *r;
};

static void
sync_log(const struct sync_ctx *x, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
sync_log(const struct sync_ctx *x, int level, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	if (x->o->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	x->o->log(x->o->lctx, level, buf);
}

static void
sync_why(struct sync_log *l, int state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
sync_why(struct sync_log *l, int state, const char *fmt, ...)
{
	va_list ap;

	l->state = state;
	va_start(ap, fmt);
	vsnprintf(l->why, sizeof(l->why), fmt, ap);
	va_end(ap);
}

/* Our latest checkpoint of log: size, root, a copy of the note. */
struct sync_ours {
	uint64_t n;          /* checkpoint size, 0 if none */
	int has;             /* a checkpoint is held */
	uint64_t held;       /* leaves held */
	tlog_hash root;
	char *note;
	size_t len;
	int halted;
};

static int
sync_ours(struct sync_ctx *x, uint32_t log, struct sync_ours *o)
{
	store_txn *t;
	const char *note;
	size_t nl;
	int rc;

	memset(o, 0, sizeof(*o));
	tlog_empty_hash(o->root);
	if ((rc = store_read_begin(&t, x->f->n->st)) != 0)
		return rc;
	o->halted = fed_halted(t, log, NULL) == 0;
	if ((rc = store_txn_log_size(t, log, &o->held)) != 0)
		goto out;
	/* our own stored note: verified when we took it */
	rc = node_checkpoint_head(t, log, &note, &nl, NULL, &o->n, o->root);
	if (rc == CX_ENOTFOUND) {
		o->n = 0;
		rc = 0;
		goto out;
	}
	if (rc != 0)
		goto out;
	o->has = 1;
	if ((o->note = malloc(nl + 1)) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	memcpy(o->note, note, nl);
	o->note[nl] = '\0';
	o->len = nl;
out:
	store_read_end(t);
	return rc;
}

static void
sync_ours_free(struct sync_ours *o)
{
	free(o->note);
	memset(o, 0, sizeof(*o));
}

/* Store fork evidence and halt the log. */
static int
sync_fork(struct sync_ctx *x, struct sync_log *l, uint32_t log, const char *small, size_t sl,
    const char *large, size_t ll, const tlog_hash alt, const tlog_hash *proof, size_t np)
{
	Cx__Evidence e = CX__EVIDENCE__INIT;
	ProtobufCBinaryData pv[TLOG_MAX_PROOF];
	size_t i;
	int rc;

	if (l->halted_fork) {
		/* already halted for a fork: one piece of evidence is enough */
		sync_why(l, SYNC_FORK, "%s signed two inconsistent checkpoints (sizes %llu and "
		    "%llu); the log is already halted with evidence", l->issuer,
		    (unsigned long long)l->ours, (unsigned long long)l->theirs);
		return 0;
	}
	e.origin = l->origin;
	e.issuer = l->issuer;
	e.smaller.data = (uint8_t *)small;
	e.smaller.len = sl;
	e.larger.data = (uint8_t *)large;
	e.larger.len = ll;
	if (alt != NULL) {
		e.alt_root.data = (uint8_t *)alt;
		e.alt_root.len = TLOG_HASH_LEN;
		for (i = 0; i < np; i++) {
			pv[i].data = (uint8_t *)proof[i];
			pv[i].len = TLOG_HASH_LEN;
		}
		e.proof = pv;
		e.n_proof = np;
	}
	e.found_at = (uint64_t)time(NULL);
	e.found_by = x->f->n->cfg.id;
	e.peer = (char *)(x->o->peer ? x->o->peer : "");
	rc = fed_record_fork(x->f, log, &e);
	sync_why(l, SYNC_FORK, "%s signed two inconsistent checkpoints (sizes %llu and %llu); "
	    "evidence stored, log halted", l->issuer, (unsigned long long)l->ours,
	    (unsigned long long)l->theirs);
	sync_log(x, 2, "FORK: %s (%s): %s", l->origin, x->o->peer ? x->o->peer : "?", l->why);
	return rc;
}

/* The signer for a replicated batch: the issuer's note at its size, no
 * checkpoint before it; the root was checked before the append. */
struct sync_sign {
	uint64_t m;
	const uint8_t *mroot;
	const char *note;
	size_t len;
	tlog_hash expect;     /* the root the checked batch makes */
};

static int
sync_signer(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct sync_sign *s = ctx;

	*note = NULL;
	/* the store's tree must be the one checked against the issuer's */
	if (memcmp(root, s->expect, TLOG_HASH_LEN) != 0)
		return cx_seterr(CX_EPROOF, "the stored tree of %llu leaves is not the checked one",
		    (unsigned long long)size);
	if (size != s->m)
		return 0;
	if (memcmp(root, s->mroot, TLOG_HASH_LEN) != 0)
		return cx_seterr(CX_EPROOF, "root at %llu is not the checkpoint's",
		    (unsigned long long)size);
	if ((*note = malloc(s->len + 1)) == NULL)
		return CX_ENOMEM;
	memcpy(*note, s->note, s->len);
	*len = s->len;
	return 0;
}

/* Append with retries: the map cannot grow while this process has readers
 * open (the server's workers hold them briefly). */
static int
sync_append(struct sync_ctx *x, uint32_t log, uint64_t at, const struct store_leaf *lv,
    size_t k, struct sync_sign *sg)
{
	int rc, tries = 0;

	for (;;) {
		rc = store_append(x->f->n->st, log, at, lv, k, sync_signer, sg);
		if (rc != CX_EMAPFULL && rc != CX_EBUSY)
			return rc;
		if (++tries > 500)
			return rc;
		usleep(10000);
	}
}

/* Record when we took log's latest checkpoint. */
static void
sync_stamp(struct sync_ctx *x, uint32_t log)
{
	uint8_t key[5], val[8];
	struct store_aux_op op;

	fed_key_log(key, 'A', log);
	idx_put64(val, (uint64_t)time(NULL));
	memset(&op, 0, sizeof(op));
	op.key = key;
	op.klen = sizeof(key);
	op.val = val;
	op.vlen = sizeof(val);
	(void)store_aux_write(x->f->n->st, &op, 1);
}

/* ---- pulling ------------------------------------------------------------- */

/*
 * The pull is a pipeline of two threads: a fetcher asks the peer for the
 * next range of leaves while this thread checks, admits and stores the
 * ones before (up to SYNC_AHEAD replies wait). Replies are committed in
 * groups of at least SYNC_GROUP leaves: one transaction, one fsync.
 */
#define SYNC_AHEAD 2
#define SYNC_GROUP 100000
#define SYNC_GROUP_BYTES ((size_t)96 << 20)   /* or this much leaf data */

struct sync_reply {
	Cx__Response *rs;
	int rc;
	char why[300];
};

struct sync_fetch {
	wire_client *c;
	const char *origin;
	uint64_t next, m;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sync_reply q[SYNC_AHEAD];
	size_t head, n;
	int stop, done, started;
};

static void *
sync_fetch_main(void *arg)
{
	struct sync_fetch *f = arg;
	Cx__Request rq = CX__REQUEST__INIT;
	Cx__LeavesRequest lq = CX__LEAVES_REQUEST__INIT;

	rq.kind_case = CX__REQUEST__KIND_LEAVES;
	rq.leaves = &lq;
	lq.origin = (char *)f->origin;
	lq.tree_size = f->m;
	for (;;) {
		struct sync_reply r = { NULL, 0, "" };
		uint64_t start;
		size_t k = 0;

		pthread_mutex_lock(&f->mu);
		while (!f->stop && f->n == SYNC_AHEAD)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop || f->next >= f->m) {
			pthread_mutex_unlock(&f->mu);
			break;
		}
		start = f->next;
		pthread_mutex_unlock(&f->mu);
		lq.start = start;
		lq.end = f->m - start > PEER_LEAVES_MAX ? start + PEER_LEAVES_MAX : f->m;
		r.rc = peer_call(f->c, &rq, &r.rs);
		if (r.rc != 0) {
			snprintf(r.why, sizeof(r.why), "leaves from %llu: %s",
			    (unsigned long long)start, cx_lasterr());
		} else {
			k = r.rs->leaves->n_leaves;
			if (k == 0 || k > lq.end - start || r.rs->leaves->n_proof > TLOG_MAX_PROOF) {
				snprintf(r.why, sizeof(r.why), "the peer sent %zu leaves for %llu..%llu",
				    k, (unsigned long long)start, (unsigned long long)lq.end);
				cx__response__free_unpacked(r.rs, NULL);
				r.rs = NULL;
				r.rc = CX_EFORMAT;
			}
		}
		pthread_mutex_lock(&f->mu);
		f->q[(f->head + f->n) % SYNC_AHEAD] = r;
		f->n++;
		if (r.rc == 0)
			f->next = start + k;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (r.rc != 0)
			break;
	}
	pthread_mutex_lock(&f->mu);
	f->done = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static int
sync_fetch_start(struct sync_fetch *f, wire_client *c, const char *origin, uint64_t at,
    uint64_t m)
{
	memset(f, 0, sizeof(*f));
	f->c = c;
	f->origin = origin;
	f->next = at;
	f->m = m;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->th, NULL, sync_fetch_main, f) != 0) {
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		return cx_seterr(CX_ENOMEM, "cannot start the fetching thread");
	}
	f->started = 1;
	return 0;
}

/* The next reply in order; rc CX_ENOTFOUND in *r when none will come. */
static void
sync_fetch_pop(struct sync_fetch *f, struct sync_reply *r)
{
	pthread_mutex_lock(&f->mu);
	while (f->n == 0 && !f->done)
		pthread_cond_wait(&f->cv, &f->mu);
	if (f->n == 0) {
		r->rs = NULL;
		r->rc = CX_ENOTFOUND;
		snprintf(r->why, sizeof(r->why), "the peer stopped sending leaves");
	} else {
		*r = f->q[f->head];
		f->head = (f->head + 1) % SYNC_AHEAD;
		f->n--;
		pthread_cond_broadcast(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
}

static void
sync_fetch_stop(struct sync_fetch *f)
{
	if (!f->started)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->th, NULL);
	while (f->n > 0) {
		cx__response__free_unpacked(f->q[f->head].rs, NULL);
		f->head = (f->head + 1) % SYNC_AHEAD;
		f->n--;
	}
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	f->started = 0;
}

/* Leaves of one group: checked, admitted, not yet stored. */
struct sync_group {
	uint64_t start;            /* index of the first leaf */
	size_t k, cap;
	size_t bytes;              /* leaf bytes held */
	struct store_leaf *lv;
	tlog_hash *hs;
	Cx__Response **rs;         /* the replies the leaves point into */
	size_t nrs, caprs;
	struct tlog_frontier fr;   /* our tree extended by the group */
	store_txn *t;              /* snapshot the group is admitted against */
	struct admit *ad;
	struct idx_buf kb;         /* the group's index keys */
};

static void
sync_group_clear(struct sync_group *g)
{
	size_t i;

	admit_close(g->ad);
	g->ad = NULL;
	store_read_end(g->t);
	g->t = NULL;
	for (i = 0; i < g->nrs; i++)
		cx__response__free_unpacked(g->rs[i], NULL);
	g->nrs = 0;
	g->k = 0;
	g->bytes = 0;
}

static void
sync_group_free(struct sync_group *g)
{
	sync_group_clear(g);
	free(g->lv);
	free(g->hs);
	free(g->rs);
	idx_buf_free(&g->kb);
}

/* Start a group at the log's current end: snapshot, frontier, admission. */
static int
sync_group_begin(struct sync_ctx *x, struct sync_group *g, uint32_t log, const char *issuer)
{
	int rc;

	if ((rc = store_read_begin(&g->t, x->f->n->st)) != 0 ||
	    (rc = store_frontier(g->t, log, &g->fr)) != 0 ||
	    (rc = admit_open(&g->ad, g->t, log, x->r, issuer)) != 0)
		return rc;
	g->start = g->fr.size;
	idx_buf_reset(&g->kb, g->start);
	admit_keys(g->ad, &g->kb);
	return 0;
}

/*
 * Add one reply's leaves to the group: hash them onto the frontier, check
 * the new root against the issuer's (equal at m, else the reply's
 * consistency proof to m), admit them. The reply joins the group (freed
 * with it). Returns 0; CX_EPROOF (the peer's fault: nothing of the reply
 * is kept, why says so); CX_EINVAL (a record breaks a rule, why says so);
 * or a failure.
 */
static int
sync_group_add(struct sync_group *g, Cx__Response *rs, uint64_t m, const tlog_hash mroot,
    const char *issuer, char *why, size_t cap)
{
	const Cx__LeavesReply *lr = rs->leaves;
	tlog_hash root, proof[TLOG_MAX_PROOF], scratch[TLOG_MAX_PROOF];
	struct tlog_frontier fr = g->fr;
	uint64_t at = g->start + g->k, end;
	size_t k = lr->n_leaves, i, np = lr->n_proof;
	int rc;

	if (g->k + k > g->cap) {
		size_t nc = g->cap ? g->cap : 4096;
		struct store_leaf *nlv;
		tlog_hash *nhs;

		while (nc < g->k + k)
			nc *= 2;
		if ((nlv = realloc(g->lv, nc * sizeof(*nlv))) == NULL)
			return CX_ENOMEM;
		g->lv = nlv;
		if ((nhs = realloc(g->hs, nc * sizeof(*nhs))) == NULL)
			return CX_ENOMEM;
		g->hs = nhs;
		g->cap = nc;
	}
	if (g->nrs == g->caprs) {
		size_t nc = g->caprs ? g->caprs * 2 : 8;
		Cx__Response **nr = realloc(g->rs, nc * sizeof(*nr));

		if (nr == NULL)
			return CX_ENOMEM;
		g->rs = nr;
		g->caprs = nc;
	}
	for (i = 0; i < k; i++) {
		const ProtobufCBinaryData *b = &lr->leaves[i];
		struct store_leaf *lf = &g->lv[g->k + i];

		if (b->len == 0 || b->len > STORE_LEAF_MAX)
			break;
		tlog_leaf_hash(g->hs[g->k + i], b->data, b->len);
		(void)tlog_frontier_push(&fr, g->hs[g->k + i], scratch);
		lf->data = b->data;
		lf->len = b->len;
		lf->hash = NULL;   /* set from hs just before the append */
	}
	end = at + k;
	tlog_frontier_root(&fr, root);
	rc = 0;
	if (i < k)
		rc = -1;
	else if (end == m)
		rc = memcmp(root, mroot, TLOG_HASH_LEN) == 0 ? 0 : -1;
	else {
		for (i = 0; i < np; i++) {
			if (lr->proof[i].len != TLOG_HASH_LEN)
				break;
			memcpy(proof[i], lr->proof[i].data, TLOG_HASH_LEN);
		}
		rc = i < np ? -1 : tlog_check_consistency(proof, np, end, root, m, mroot);
	}
	if (rc != 0) {
		snprintf(why, cap, "leaves %llu..%llu from the peer are not in %s's signed tree of "
		    "%llu: nothing stored", (unsigned long long)at, (unsigned long long)end, issuer,
		    (unsigned long long)m);
		return CX_EPROOF;
	}
	for (i = 0; i < k; i++) {
		why[0] = '\0';
		rc = admit_leaf_hashed(g->ad, at + i, g->lv[g->k + i].data, g->lv[g->k + i].len,
		    g->hs[g->k + i], why, cap);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < k; i++)
		g->bytes += g->lv[g->k + i].len;
	g->fr = fr;
	g->k += k;
	g->rs[g->nrs++] = rs;
	return 0;
}

/* Halt log for a record that breaks the rules. */
static int
sync_broken(struct sync_ctx *x, struct sync_log *l, uint32_t log, const char *err)
{
	uint8_t key[5];
	char why[500];
	struct store_aux_op op;
	int rc;

	snprintf(why, sizeof(why), "%s published a record that breaks the federation's rules: %s",
	    l->issuer, err);
	fed_key_log(key, 'H', log);
	memset(&op, 0, sizeof(op));
	op.key = key;
	op.klen = sizeof(key);
	op.val = why;
	op.vlen = strlen(why);
	rc = store_aux_write(x->f->n->st, &op, 1);
	sync_why(l, SYNC_BROKEN_RULES, "%s; log halted", why);
	sync_log(x, 3, "%s: %s", l->origin, l->why);
	return rc;
}

/*
 * Pull leaves [held, m) of log from the peer. On return l says what
 * happened; the return code is 0 unless something beyond the peer's data
 * failed (store, memory).
 */
static int
sync_pull(struct sync_ctx *x, struct sync_log *l, uint32_t log, struct sync_ours *o,
    uint64_t m, const tlog_hash mroot, const char *note, size_t nl)
{
	struct sync_sign sg = { m, mroot, note, nl, { 0 } };
	struct sync_fetch fe;
	struct sync_group g;
	char why[400];
	int rc = 0, tries = 0;

	memset(&g, 0, sizeof(g));
	memset(&fe, 0, sizeof(fe));
again:
	if ((rc = sync_group_begin(x, &g, log, l->issuer)) != 0)
		goto out;
	if (g.start > m) {
		sync_why(l, SYNC_AHEAD, "holds %llu leaves beyond the peer's checkpoint %llu",
		    (unsigned long long)g.start, (unsigned long long)m);
		goto out;
	}
	if (g.start == m && o->has && o->n == m)
		goto done;
	if (g.start < m && (rc = sync_fetch_start(&fe, x->c, l->origin, g.start, m)) != 0)
		goto out;
	for (;;) {
		uint64_t end = g.start + g.k;

		if (end < m) {
			struct sync_reply r;

			sync_fetch_pop(&fe, &r);
			if (r.rc == CX_ENOMEM) {
				rc = r.rc;
				goto out;
			}
			if (r.rc != 0) {
				sync_why(l, SYNC_REFUSED, "%s", r.why);
				sync_log(x, 4, "%s: %s", l->origin, l->why);
				goto out;
			}
			rc = sync_group_add(&g, r.rs, m, mroot, l->issuer, why, sizeof(why));
			if (rc != 0)
				cx__response__free_unpacked(r.rs, NULL);
			if (rc == CX_EPROOF && o->has && g.start > o->n && l->pulled == 0 && g.k == 0) {
				/* our own unsigned tail, not the peer, may be what disagrees */
				sync_why(l, SYNC_REFUSED, "the %llu leaves held beyond this node's "
				    "checkpoint %llu (from an earlier, unfinished pull) do not extend into "
				    "%s's checkpoint %llu, or the peer's leaves are wrong: either %s forked "
				    "or the peer lies; nothing stored (reconcile with the peers that served "
				    "them)", (unsigned long long)(g.start - o->n), (unsigned long long)o->n,
				    l->issuer, (unsigned long long)m, l->issuer);
				sync_log(x, 3, "%s: %s", l->origin, l->why);
				rc = 0;
				goto out;
			}
			if (rc == CX_EPROOF) {
				sync_why(l, SYNC_REFUSED, "%s", why);
				sync_log(x, 4, "%s: %s", l->origin, l->why);
				rc = 0;
				goto out;
			}
			if (rc == CX_EINVAL) {
				rc = sync_broken(x, l, log, why);
				goto out;
			}
			if (rc != 0)
				goto out;
			end = g.start + g.k;
			if (end < m && g.k < SYNC_GROUP && g.bytes < SYNC_GROUP_BYTES)
				continue;
		} else {
			/* all leaves held: the checkpoint must state our tree */
			tlog_hash root;

			tlog_frontier_root(&g.fr, root);
			if (memcmp(root, mroot, TLOG_HASH_LEN) != 0) {
				sync_why(l, SYNC_REFUSED, "the %llu leaves held do not make %s's signed "
				    "root", (unsigned long long)m, l->issuer);
				goto out;
			}
		}
		/* store the group in one transaction, with the note if it reaches m */
		admit_close(g.ad);
		g.ad = NULL;
		store_read_end(g.t);
		g.t = NULL;
		g.kb.base = g.start;
		for (size_t i = 0; i < g.k; i++)   /* hs may have moved while it grew */
			g.lv[i].hash = g.hs[i];
		tlog_frontier_root(&g.fr, sg.expect);
		store_set_indexer(x->f->n->st, idx_buf_indexer, &g.kb);
		rc = sync_append(x, log, g.start, g.lv, g.k, &sg);
		store_set_indexer(x->f->n->st, idx_indexer, x->f->n);
		if (rc == CX_ESTALE && ++tries < 5) {
			/* another process appended meanwhile: start over from its end */
			sync_fetch_stop(&fe);
			sync_group_clear(&g);
			goto again;
		}
		if (rc != 0)
			goto out;
		l->pulled += g.k;
		if (x->o->progress)
			x->o->progress(x->o->pctx, l->origin, end, m);
		sync_group_clear(&g);
		if (end == m)
			break;
		if (x->o->deadline != 0 && time(NULL) >= x->o->deadline) {
			/* the rest next time, from the leaves now held */
			sync_why(l, SYNC_BEHIND, "took %llu leaves, paused at %llu of %llu",
			    (unsigned long long)l->pulled, (unsigned long long)end,
			    (unsigned long long)m);
			goto out;
		}
		if ((rc = sync_group_begin(x, &g, log, l->issuer)) != 0)
			goto out;
	}
done:
	l->after = m;
	sync_why(l, SYNC_PULLED, "took %llu leaves, now at %llu", (unsigned long long)l->pulled,
	    (unsigned long long)m);
	sync_stamp(x, log);
	if (x->o->announce)
		x->o->announce(x->o->actx, note, nl);
	rc = 0;
out:
	sync_fetch_stop(&fe);
	sync_group_free(&g);
	return rc;
}

/* The witness name of a signature line "— name base64\n". */
static int
sync_line_name(const char *line, size_t len, char *name, size_t cap)
{
	const char *p, *sp;

	if (len < 5 || memcmp(line, "\xe2\x80\x94 ", 4) != 0)
		return -1;
	p = line + 4;
	sp = memchr(p, ' ', len - 4);
	if (sp == NULL || (size_t)(sp - p) >= cap || sp == p)
		return -1;
	memcpy(name, p, (size_t)(sp - p));
	name[sp - p] = '\0';
	return 0;
}

/* Cosign our latest checkpoint of log (if we have not), and take the
 * peer's cosignatures of it. */
static void
sync_witness(struct sync_ctx *x, struct sync_log *l, uint32_t log, const char *note, size_t nl,
    size_t textlen, uint64_t size, const Cx__Head *h)
{
	struct node *n = x->f->n;
	size_t i;

	if (n->key != NULL && strcmp(l->issuer, n->cfg.id) != 0) {
		uint8_t key[300];
		size_t klen = fed_key_cosig(key, sizeof(key), log, size, n->cfg.id);
		store_txn *t = NULL;
		const void *v;
		size_t vl;
		int have = 0;

		if (klen > 0 && store_read_begin(&t, n->st) == 0) {
			have = store_aux_get(t, key, klen, &v, &vl) == 0;
			store_read_end(t);
		}
		if (klen > 0 && !have) {
			char *line = NULL;
			size_t ll = 0;
			struct store_aux_op op;

			if (cosig_sign(&line, &ll, n->key, note, textlen, (uint64_t)time(NULL)) == 0) {
				memset(&op, 0, sizeof(op));
				op.key = key;
				op.klen = klen;
				op.val = line;
				op.vlen = ll;
				op.only_new = 1;
				if (store_aux_write(n->st, &op, 1) == 0)
					l->cosigned = 1;
			} else
				sync_log(x, 4, "%s: cannot cosign: %s", l->origin, cx_lasterr());
			free(line);
		}
	}
	for (i = 0; h != NULL && i < h->n_cosignatures; i++) {
		const ProtobufCBinaryData *b = &h->cosignatures[i];
		char name[256];
		uint8_t key[300];
		size_t klen;
		store_txn *t = NULL;
		const void *v;
		size_t vl;
		int have = 0;

		if (sync_line_name((const char *)b->data, b->len, name, sizeof(name)) != 0)
			continue;
		if ((klen = fed_key_cosig(key, sizeof(key), log, size, name)) == 0)
			continue;
		if (store_read_begin(&t, n->st) == 0) {
			have = store_aux_get(t, key, klen, &v, &vl) == 0;
			store_read_end(t);
		}
		if (have)
			continue;
		if (fed_add_cosig(x->f, x->r, log, size, note, textlen, name,
		    (const char *)b->data, b->len) == 0)
			l->new_cosigs++;
		else
			sync_log(x, 4, "%s: cosignature by %s from %s refused: %s", l->origin, name,
			    x->o->peer ? x->o->peer : "?", cx_lasterr());
	}
	(void)nl;
}

/* One log the peer offers. */
static int
sync_head(struct sync_ctx *x, const Cx__Head *h, struct sync_log *l)
{
	const char *note = (const char *)h->checkpoint.data;
	size_t nl = h->checkpoint.len, textlen = 0, np = 0;
	const Cx__Member *m;
	struct sync_ours o;
	tlog_hash mroot, proof[TLOG_MAX_PROOF];
	uint64_t msize;
	uint32_t log;
	int rc, exists, pull = x->o->pull;

	memset(&o, 0, sizeof(o));
	l->peer_halted = h->halted;
	if ((m = fed_member_by_origin(x->r, l->origin)) == NULL) {
		sync_why(l, SYNC_UNKNOWN, "no member of roster version %llu has this origin",
		    (unsigned long long)x->r->version);
		return 0;
	}
	free(l->issuer);
	if ((l->issuer = strdup(m->id)) == NULL)
		return CX_ENOMEM;
	if ((rc = fed_check_checkpoint(x->r, m->id, note, nl, &msize, mroot, &textlen)) != 0) {
		sync_why(l, SYNC_REFUSED, "the peer's checkpoint: %s", cx_lasterr());
		sync_log(x, 4, "%s from %s: %s", l->origin, x->o->peer ? x->o->peer : "?", l->why);
		return 0;
	}
	l->theirs = msize;
	exists = store_log_find(x->f->n->st, &log, l->origin) == 0;
	if (!exists) {
		if (!pull) {
			l->after = 0;
			sync_why(l, SYNC_BEHIND, "not held here; the peer has %llu",
			    (unsigned long long)msize);
			return 0;
		}
		if ((rc = fed_log(x->f, l->origin, m->id, &log)) != 0)
			return rc;
	}
	if ((rc = sync_ours(x, log, &o)) != 0)
		return rc;
	l->ours = l->after = o.n;
	if (o.halted) {
		char *why = NULL;
		store_txn *t;

		if (store_read_begin(&t, x->f->n->st) == 0) {
			(void)fed_halted(t, log, &why);
			store_read_end(t);
		}
		l->halted = 1;
		l->halted_fork = why == NULL || strncmp(why, "fork:", 5) == 0;
		snprintf(l->alarm, sizeof(l->alarm), "%s", why ? why : "halted");
		free(why);
		pull = 0;
	}
	if (msize == o.n && o.has) {
		if (memcmp(mroot, o.root, TLOG_HASH_LEN) == 0) {
			sync_why(l, SYNC_SAME, "%llu", (unsigned long long)msize);
			if (pull)
				sync_witness(x, l, log, note, nl, textlen, msize, h);
		} else
			rc = sync_fork(x, l, log, o.note, o.len, note, nl, NULL, NULL, 0);
		goto out;
	}
	if (msize < o.n && o.has) {
		store_txn *t;
		tlog_hash alt;

		if ((rc = store_read_begin(&t, x->f->n->st)) != 0)
			goto out;
		rc = store_root(t, log, msize, alt);
		if (rc == 0 && memcmp(alt, mroot, TLOG_HASH_LEN) != 0)
			rc = store_prove_consistency(t, log, msize, o.n, proof, &np) == 0 ? 1 : -1;
		store_read_end(t);
		if (rc == 1)
			rc = sync_fork(x, l, log, note, nl, o.note, o.len, alt, proof, np);
		else if (rc == 0)
			sync_why(l, SYNC_AHEAD, "we hold %llu, the peer %llu", (unsigned long long)o.n,
			    (unsigned long long)msize);
		goto out;
	}
	/* msize > o.n: is the peer's checkpoint an extension of ours? */
	if (o.n > 0 && o.has) {
		Cx__Request rq = CX__REQUEST__INIT;
		Cx__ConsistencyRequest cq = CX__CONSISTENCY_REQUEST__INIT;
		Cx__Response *rs = NULL;
		tlog_hash alt;
		size_t i;

		rq.kind_case = CX__REQUEST__KIND_CONSISTENCY;
		rq.consistency = &cq;
		cq.origin = l->origin;
		cq.old_size = o.n;
		cq.new_size = msize;
		if ((rc = peer_call(x->c, &rq, &rs)) != 0) {
			sync_why(l, SYNC_REFUSED, "consistency proof %llu..%llu: %s",
			    (unsigned long long)o.n, (unsigned long long)msize, cx_lasterr());
			rc = rc == CX_ENOMEM ? rc : 0;
			goto out;
		}
		np = rs->consistency->n_proof;
		for (i = 0; i < np && np <= TLOG_MAX_PROOF; i++) {
			if (rs->consistency->proof[i].len != TLOG_HASH_LEN)
				break;
			memcpy(proof[i], rs->consistency->proof[i].data, TLOG_HASH_LEN);
		}
		if (np > TLOG_MAX_PROOF || i < np ||
		    rs->consistency->old_root.len != TLOG_HASH_LEN) {
			cx__response__free_unpacked(rs, NULL);
			sync_why(l, SYNC_REFUSED, "the peer's consistency proof is malformed");
			goto out;
		}
		memcpy(alt, rs->consistency->old_root.data, TLOG_HASH_LEN);
		cx__response__free_unpacked(rs, NULL);
		if (tlog_check_consistency(proof, np, o.n, o.root, msize, mroot) != 0) {
			if (memcmp(alt, o.root, TLOG_HASH_LEN) != 0 &&
			    tlog_check_consistency(proof, np, o.n, alt, msize, mroot) == 0)
				rc = sync_fork(x, l, log, o.note, o.len, note, nl, alt, proof, np);
			else {
				sync_why(l, SYNC_REFUSED, "the peer's consistency proof %llu..%llu does "
				    "not verify", (unsigned long long)o.n, (unsigned long long)msize);
				rc = 0;
			}
			goto out;
		}
	}
	if (!pull) {
		sync_why(l, SYNC_BEHIND, "the peer has %llu, we %llu", (unsigned long long)msize,
		    (unsigned long long)o.n);
		goto out;
	}
	if ((rc = sync_pull(x, l, log, &o, msize, mroot, note, nl)) != 0)
		goto out;
	if (l->state == SYNC_PULLED)
		sync_witness(x, l, log, note, nl, textlen, msize, h);
out:
	sync_ours_free(&o);
	return rc;
}

/* Logs we hold that the peer did not offer. */
static int
sync_only_ours(struct sync_ctx *x, struct sync_report *rep)
{
	struct store_log *logs = NULL;
	size_t n = 0, i, j;
	int rc;

	if ((rc = store_log_list(x->f->n->st, &logs, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		struct sync_log *l, *nl;

		if (!logs[i].has_checkpoint)
			continue;
		for (j = 0; j < rep->n && strcmp(rep->logs[j].origin, logs[i].origin) != 0; j++)
			;
		if (j < rep->n)
			continue;
		if ((nl = realloc(rep->logs, (rep->n + 1) * sizeof(*nl))) == NULL) {
			rc = CX_ENOMEM;
			break;
		}
		rep->logs = nl;
		l = &rep->logs[rep->n++];
		memset(l, 0, sizeof(*l));
		l->origin = strdup(logs[i].origin);
		l->issuer = strdup(logs[i].issuer);
		l->ours = l->after = logs[i].checkpoint_size;
		sync_why(l, SYNC_ONLY_OURS, "the peer holds no checkpoint of it");
		rep->differ++;
	}
	store_log_list_free(logs, n);
	return rc;
}

int
sync_with(struct fed *f, wire_client *c, const struct sync_opts *o, struct sync_report *rep)
{
	struct sync_ctx x = { f, c, o, NULL };
	Cx__Request rq = CX__REQUEST__INIT;
	Cx__HeadsRequest hq = CX__HEADS_REQUEST__INIT;
	Cx__Response *rs = NULL;
	struct fed_roster *r;
	size_t i;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rq.kind_case = CX__REQUEST__KIND_HEADS;
	rq.heads = &hq;
	if ((rc = peer_call(c, &rq, &rs)) != 0)
		return rc;
	r = fed_roster(f);
	rep->roster_ours = r ? r->r->version : 0;
	rep->roster_theirs = rs->heads->roster_version;
	if (rep->roster_theirs > rep->roster_ours && o->pull) {
		Cx__Request rr = CX__REQUEST__INIT;
		Cx__RosterRequest rrq = CX__ROSTER_REQUEST__INIT;
		Cx__Response *ra = NULL;

		rr.kind_case = CX__REQUEST__KIND_ROSTER;
		rr.roster = &rrq;
		if (peer_call(c, &rr, &ra) == 0) {
			if (fed_roster_install(f, ra->roster->signed_roster.data,
			    ra->roster->signed_roster.len) == 0) {
				rep->roster_updated = 1;
				sync_log(&x, 5, "roster version %llu taken from %s",
				    (unsigned long long)rep->roster_theirs, o->peer ? o->peer : "?");
			} else
				sync_log(&x, 4, "roster from %s refused: %s", o->peer ? o->peer : "?",
				    cx_lasterr());
			cx__response__free_unpacked(ra, NULL);
		}
		fed_roster_put(f, r);
		r = fed_roster(f);
	}
	if (r == NULL) {
		cx__response__free_unpacked(rs, NULL);
		return cx_seterr(CX_EINVAL, "this node holds no roster (cxnode federation install)");
	}
	x.r = r->r;
	/* a node holds one log per member at most (retired ones included):
	 * more heads than that, or one origin twice, is not an honest answer */
	if (rs->heads->n_heads > 2 * r->r->n_members + 16) {
		rc = cx_seterr(CX_EFORMAT, "the peer offers %zu logs for a federation of %zu members",
		    rs->heads->n_heads, r->r->n_members);
		goto out;
	}
	for (i = 0; i < rs->heads->n_heads; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (strcmp(rs->heads->heads[i]->origin, rs->heads->heads[j]->origin) == 0) {
				rc = cx_seterr(CX_EFORMAT, "the peer offers log %s twice",
				    rs->heads->heads[i]->origin);
				goto out;
			}
		if (rs->heads->heads[i]->n_cosignatures > r->r->n_members) {
			rc = cx_seterr(CX_EFORMAT, "the peer offers %zu cosignatures of %s from %zu "
			    "members", rs->heads->heads[i]->n_cosignatures,
			    rs->heads->heads[i]->origin, r->r->n_members);
			goto out;
		}
	}
	if ((rep->logs = calloc(rs->heads->n_heads + 1, sizeof(*rep->logs))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < rs->heads->n_heads; i++) {
		const Cx__Head *h = rs->heads->heads[i];
		struct sync_log *l = &rep->logs[rep->n++];

		l->origin = strdup(h->origin ? h->origin : "");
		l->issuer = strdup(h->issuer ? h->issuer : "");
		if (l->origin == NULL || l->issuer == NULL) {
			rc = CX_ENOMEM;
			goto out;
		}
		if ((rc = sync_head(&x, h, l)) != 0)
			goto out;
		switch (l->state) {
		case SYNC_FORK: rep->forks++; break;
		case SYNC_REFUSED: case SYNC_BROKEN_RULES: rep->refused++; break;
		case SYNC_SAME: case SYNC_UNKNOWN: break;
		default: rep->differ++; break;
		}
		if (l->halted && l->halted_fork && l->state != SYNC_FORK)
			rep->forks++;   /* counted once either way */
	}
	if ((rc = sync_only_ours(&x, rep)) != 0)
		goto out;
	if (rs->heads->state_digest.len == 32) {
		store_txn *t;

		memcpy(rep->digest_theirs, rs->heads->state_digest.data, 32);
		if ((rc = store_read_begin(&t, f->n->st)) != 0)
			goto out;
		rc = fed_state_digest(f, t, rep->digest_ours);
		store_read_end(t);
		rep->has_digests = rc == 0;
	}
out:
	cx__response__free_unpacked(rs, NULL);
	fed_roster_put(f, r);
	return rc;
}

void
sync_report_free(struct sync_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->logs[i].origin);
		free(rep->logs[i].issuer);
	}
	free(rep->logs);
	memset(rep, 0, sizeof(*rep));
}

int
sync_connect(struct fed *f, const char *peer, int timeout_ms, wire_client **out, char **id)
{
	struct fed_roster *r = fed_roster(f);
	const Cx__Member *m = NULL;
	struct wire_client_cfg cc;
	struct wire_tls tls;
	const char *one[1];
	const char *const *urls;
	size_t nurls, i, j;
	int rc = CX_ENOTFOUND, have_tls = 0;

	*out = NULL;
	if (id != NULL)
		*id = NULL;
	if (r == NULL)
		return cx_seterr(CX_EINVAL, "this node holds no roster (cxnode federation install)");
	if (strstr(peer, "://") == NULL) {
		if ((m = roster_member(r->r, peer)) == NULL) {
			fed_roster_put(f, r);
			return cx_seterr(CX_ENOTFOUND, "%s is not a member of the federation", peer);
		}
		urls = (const char *const *)m->endpoints;
		nurls = m->n_endpoints;
		if (nurls == 0) {
			fed_roster_put(f, r);
			return cx_seterr(CX_ENOTFOUND, "the roster lists no endpoint for %s", peer);
		}
	} else {
		for (i = 0; i < r->r->n_members && m == NULL; i++)
			for (j = 0; j < r->r->members[i]->n_endpoints; j++)
				if (strcmp(r->r->members[i]->endpoints[j], peer) == 0)
					m = r->r->members[i];
		one[0] = peer;
		urls = one;
		nurls = 1;
	}
	memset(&cc, 0, sizeof(cc));
	cc.federation = r->r->federation;
	cc.id = f->n->cfg.id;
	cc.key = f->n->key;
	cc.lookup = fed_lookup;
	cc.lookup_ctx = f;
	cc.expect_server = m ? m->id : NULL;
	cc.allow_plain = f->n->cfg.allow_plain;
	cc.max_msg = f->n->cfg.max_message;
	cc.timeout_ms = timeout_ms;
	for (i = 0; i < nurls; i++) {
		if (strncmp(urls[i], "tls+", 4) == 0) {
			if (!have_tls) {
				if ((rc = fed_tls(f, &tls, m ? m->id : NULL)) != 0)
					break;
				have_tls = 1;
			}
			cc.tls = &tls;
		} else
			cc.tls = NULL;
		if ((rc = wire_client_open(out, urls[i], &cc)) == 0)
			break;
	}
	if (rc == 0 && id != NULL && m != NULL)
		*id = strdup(m->id);
	if (have_tls)
		fed_tls_free(&tls);
	fed_roster_put(f, r);
	return rc;
}
