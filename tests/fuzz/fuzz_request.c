/*
 * fuzz_request.c — libFuzzer target for peer_handle() (node/peer.c), the
 * answer a node gives to any authenticated party's Request.
 *
 * The input is a Request, answered against a small store built once in a
 * temporary directory (no node home, no cxnode binary):
 *
 *   log 1 "fuzz.example/a", issuer fuzz: 37 leaves, checkpoints at 10, 20,
 *         30 and 37, one cosignature line at 37
 *   log 2 "fuzz.example/b", issuer other: 5 leaves, a checkpoint at 5,
 *         halted for a fork
 *   log 3 "fuzz.example/c": registered, empty, nothing signed
 *
 * and a roster of version 3. Each input is answered twice, to a member and
 * to an authorised client. Every answer must be a Response of the kind
 * asked (or a WireError), and what it states must be true of the store:
 * leaves equal to the stored ones with a consistency proof from their end
 * to the tree size asked for, consistency proofs that verify between the
 * store's roots, checkpoints that verify with the issuer's key; leaves
 * never go to a client.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys/keys.h"
#include "keys/note.h"
#include "net/wire.h"
#include "node/fed.h"
#include "node/node.h"
#include "node/peer.h"
#include "store/store.h"
#include "store/tlog.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_A "fuzz.example/a"
#define FZ_B "fuzz.example/b"
#define FZ_C "fuzz.example/c"
#define FZ_A_SIZE 37
#define FZ_ROSTER_VERSION 3

static struct {
	int ready;
	char dir[512];
	keys_key *key;           /* signs every checkpoint here */
	struct node n;
	struct fed f;
	struct fed_roster r;
	uint32_t a, b, c;
} fz;

static void
fz_die(const char *what)
{
	fprintf(stderr, "fuzz_request: %s: %s\n", what, cx_lasterr());
	abort();
}

struct fz_sign {
	const char *origin;
};

static int
fz_signer(void *ctx, uint64_t size, const tlog_hash root, char **note, size_t *len)
{
	struct fz_sign *s = ctx;
	char *text = NULL;
	size_t tl;
	int rc;

	if ((rc = tlog_checkpoint_format(&text, &tl, s->origin, size, root)) != 0)
		return rc;
	rc = note_sign(note, len, text, tl, &fz.key, 1);
	free(text);
	return rc;
}

static void
fz_leaves(uint32_t log, const char *origin, uint64_t from, uint64_t to)
{
	struct store_leaf lv[64];
	char buf[64][48];
	struct fz_sign s = { origin };
	uint64_t i;

	for (i = from; i < to; i++) {
		int n = snprintf(buf[i - from], sizeof(buf[0]), "leaf %llu of %s",
		    (unsigned long long)i, origin);

		lv[i - from].data = (const uint8_t *)buf[i - from];
		lv[i - from].len = (size_t)n;
		lv[i - from].hash = NULL;
	}
	if (store_append(fz.n.st, log, from, lv, (size_t)(to - from), fz_signer, &s) != 0)
		fz_die("store_append");
}

static void
fz_aux(const void *key, size_t klen, const char *val)
{
	struct store_aux_op op;

	memset(&op, 0, sizeof(op));
	op.key = key;
	op.klen = klen;
	op.val = val;
	op.vlen = strlen(val);
	if (store_aux_write(fz.n.st, &op, 1) != 0)
		fz_die("store_aux_write");
}

static int
fz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
fz_cleanup(void)
{
	store_close(fz.n.st);
	keys_free(fz.key);
	cx__roster__free_unpacked(fz.r.r, NULL);
	free(fz.r.raw);
	pthread_mutex_destroy(&fz.f.mu);
	if (fz.dir[0] != '\0')
		nftw(fz.dir, fz_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static void
fz_init(void)
{
	const char *tmp = getenv("TMPDIR");
	struct store_opts so = { 0 };
	Cx__Roster ro = CX__ROSTER__INIT;
	char path[600], *ver = NULL;
	uint8_t key[64];
	size_t n;

	snprintf(fz.dir, sizeof(fz.dir), "%s/cxfuzzreq.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(fz.dir) == NULL) {
		fz.dir[0] = '\0';
		fz_die("mkdtemp");
	}
	atexit(fz_cleanup);
	snprintf(path, sizeof(path), "%s/store", fz.dir);
	so.create = 1;
	so.mapsize = 4u << 20;
	if (store_open(&fz.n.st, path, &so) != 0)
		fz_die("store_open");
	if (keys_generate(&fz.key, KEYS_ED25519, "fuzz") != 0 || keys_verifier(&ver, fz.key) != 0)
		fz_die("key");
	if (store_log_create(fz.n.st, &fz.a, FZ_A, "fuzz", ver) != 0 ||
	    store_log_create(fz.n.st, &fz.b, FZ_B, "other", ver) != 0 ||
	    store_log_create(fz.n.st, &fz.c, FZ_C, "third", ver) != 0)
		fz_die("store_log_create");
	free(ver);
	fz_leaves(fz.a, FZ_A, 0, 10);
	fz_leaves(fz.a, FZ_A, 10, 20);
	fz_leaves(fz.a, FZ_A, 20, 30);
	fz_leaves(fz.a, FZ_A, 30, FZ_A_SIZE);
	fz_leaves(fz.b, FZ_B, 0, 5);
	n = fed_key_cosig(key, sizeof(key), fz.a, FZ_A_SIZE, "witness");
	fz_aux(key, n, "\xe2\x80\x94 witness AAAAAAAAAAAA\n");
	n = fed_key_log(key, 'H', fz.b);
	fz_aux(key, n, "fork: two checkpoints of size 5");

	/* what peer_handle reads of the node: the store and the roster */
	ro.federation = "fuzz";
	ro.version = FZ_ROSTER_VERSION;
	fz.r.len = cx__roster__get_packed_size(&ro);
	if ((fz.r.raw = malloc(fz.r.len)) == NULL)
		abort();
	cx__roster__pack(&ro, fz.r.raw);
	if ((fz.r.r = cx__roster__unpack(NULL, fz.r.len, fz.r.raw)) == NULL)
		abort();
	fz.r.refs = 1;
	fz.f.n = &fz.n;
	pthread_mutex_init(&fz.f.mu, NULL);
	fz.f.cur = &fz.r;
	fz.ready = 1;
}

/* The log of an origin asked for, or 0. */
static uint32_t
fz_log(const char *origin, uint64_t *size)
{
	uint32_t log;

	*size = 0;
	if (origin == NULL || store_log_find(fz.n.st, &log, origin) != 0)
		return 0;
	*size = log == fz.a ? FZ_A_SIZE : log == fz.b ? 5 : 0;
	return log;
}

static void
fz_root(uint32_t log, uint64_t size, tlog_hash out)
{
	store_txn *t = NULL;

	if (store_read_begin(&t, fz.n.st) != 0 || store_root(t, log, size, out) != 0)
		fz_die("store_root");
	store_read_end(t);
}

static int
fz_hashes(tlog_hash *out, const ProtobufCBinaryData *v, size_t n)
{
	size_t i;

	if (n > TLOG_MAX_PROOF)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i].len != TLOG_HASH_LEN)
			return -1;
		memcpy(out[i], v[i].data, TLOG_HASH_LEN);
	}
	return 0;
}

static void
fz_check_leaves(const Cx__LeavesRequest *q, const Cx__LeavesReply *r)
{
	tlog_hash proof[TLOG_MAX_PROOF], from, to;
	store_txn *t = NULL;
	uint64_t size, end;
	uint32_t log = fz_log(q->origin, &size);
	size_t i;

	if (log == 0 || q->start >= q->end || q->end > q->tree_size || q->tree_size > size)
		fz_die("leaves answered for a request out of range");
	if (r->n_leaves == 0 || r->n_leaves > q->end - q->start)
		fz_die("wrong number of leaves");
	if (store_read_begin(&t, fz.n.st) != 0)
		fz_die("read");
	for (i = 0; i < r->n_leaves; i++) {
		const uint8_t *d;
		size_t dl;

		if (store_leaf(t, log, q->start + i, &d, &dl) != 0 || dl != r->leaves[i].len ||
		    memcmp(d, r->leaves[i].data, dl) != 0)
			fz_die("a leaf is not the stored one");
	}
	store_read_end(t);
	end = q->start + r->n_leaves;
	if (end == q->tree_size) {
		if (r->n_proof != 0)
			fz_die("a proof where none is due");
		return;
	}
	fz_root(log, end, from);
	fz_root(log, q->tree_size, to);
	if (fz_hashes(proof, r->proof, r->n_proof) != 0 ||
	    tlog_check_consistency(proof, r->n_proof, end, from, q->tree_size, to) != 0)
		fz_die("the leaves' proof does not verify");
}

static void
fz_check_consistency(const Cx__ConsistencyRequest *q, const Cx__ConsistencyReply *r)
{
	tlog_hash proof[TLOG_MAX_PROOF], from, to;
	uint64_t size;
	uint32_t log = fz_log(q->origin, &size);

	if (log == 0 || q->old_size > q->new_size || q->new_size > size)
		fz_die("a consistency proof for a request out of range");
	fz_root(log, q->old_size, from);
	fz_root(log, q->new_size, to);
	if (r->old_root.len != TLOG_HASH_LEN || memcmp(r->old_root.data, from, TLOG_HASH_LEN) != 0)
		fz_die("old_root is not the store's");
	if (fz_hashes(proof, r->proof, r->n_proof) != 0 ||
	    tlog_check_consistency(proof, r->n_proof, q->old_size, from, q->new_size, to) != 0)
		fz_die("the consistency proof does not verify");
}

static void
fz_check_checkpoint(const Cx__CheckpointRequest *q, const Cx__CheckpointReply *r)
{
	char *origin = NULL;
	uint64_t size, got;
	uint32_t log = fz_log(q->origin, &size);
	size_t tl;
	tlog_hash root, want;

	if (log == 0 || size == 0)
		fz_die("a checkpoint of a log that has none");
	if (note_verify((const char *)r->checkpoint.data, r->checkpoint.len, &fz.key, 1, &tl,
	    NULL) != 0 || tlog_checkpoint_parse((const char *)r->checkpoint.data, tl, &origin, &got,
	    root) != 0)
		fz_die("the checkpoint does not verify");
	if (strcmp(origin, q->origin) != 0 || (q->size != 0 && got != q->size) ||
	    (q->size == 0 && got != size))
		fz_die("another checkpoint than asked for");
	free(origin);
	fz_root(log, got, want);
	if (memcmp(root, want, TLOG_HASH_LEN) != 0)
		fz_die("the checkpoint's root is not the store's");
	if (log == fz.a && got == FZ_A_SIZE && r->n_cosignatures != 1)
		fz_die("the cosignature is missing");
}

static void
fz_check_heads(const Cx__HeadsReply *r)
{
	size_t i;

	if (r->n_heads != 2 || r->roster_version != FZ_ROSTER_VERSION)
		fz_die("heads: not the two signed logs");
	for (i = 0; i < r->n_heads; i++) {
		const Cx__Head *h = r->heads[i];
		int b = h->origin != NULL && strcmp(h->origin, FZ_B) == 0;

		if (note_verify((const char *)h->checkpoint.data, h->checkpoint.len, &fz.key, 1, NULL,
		    NULL) != 0 || h->halted != b)
			fz_die("heads: a head is wrong");
	}
}

static void
fz_answer(const Cx__Request *rq, const uint8_t *data, size_t size, int role)
{
	struct wire_peer peer;
	uint8_t *resp = NULL;
	size_t rl = 0;
	Cx__Response *rs;
	int rc;

	memset(&peer, 0, sizeof(peer));
	snprintf(peer.id, sizeof(peer.id), "%s", role == WIRE_MEMBER ? "member" : "client");
	peer.role = role;
	peer.session = 1;
	rc = peer_handle(&fz.f, &peer, data, size, &resp, &rl);
	if (rc == CX_ENOMEM) {
		free(resp);
		return;
	}
	if (rc != 0)
		fz_die("peer_handle failed");
	if ((rs = cx__response__unpack(NULL, rl, resp)) == NULL)
		fz_die("the answer is not a Response");
	free(resp);
	if (rs->kind_case == CX__RESPONSE__KIND_ERROR) {
		if (rs->error->code == 0 || rs->error->message == NULL || rs->error->message[0] == '\0')
			fz_die("an error without a code or a message");
		cx__response__free_unpacked(rs, NULL);
		return;
	}
	if (rq == NULL || (int)rs->kind_case != (int)rq->kind_case + 1)
		fz_die("an answer to another question");
	switch (rq->kind_case) {
	case CX__REQUEST__KIND_HEADS:
		fz_check_heads(rs->heads);
		break;
	case CX__REQUEST__KIND_LEAVES:
		if (role != WIRE_MEMBER)
			fz_die("leaves served to a client");
		fz_check_leaves(rq->leaves, rs->leaves);
		break;
	case CX__REQUEST__KIND_CONSISTENCY:
		fz_check_consistency(rq->consistency, rs->consistency);
		break;
	case CX__REQUEST__KIND_CHECKPOINT:
		fz_check_checkpoint(rq->checkpoint, rs->checkpoint);
		break;
	case CX__REQUEST__KIND_ROSTER:
		if (rs->roster->signed_roster.len != fz.r.len ||
		    memcmp(rs->roster->signed_roster.data, fz.r.raw, fz.r.len) != 0)
			fz_die("not the roster held");
		break;
	default:
		fz_die("an answer to a request of no kind");
	}
	cx__response__free_unpacked(rs, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Cx__Request *rq;

	if (!fz.ready)
		fz_init();
	if (size > (1u << 20))
		return 0;
	rq = cx__request__unpack(NULL, size, data);
	fz_answer(rq, data, size, WIRE_MEMBER);
	fz_answer(rq, data, size, WIRE_CLIENT);
	if (rq != NULL)
		cx__request__free_unpacked(rq, NULL);
	return 0;
}
