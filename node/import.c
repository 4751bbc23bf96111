/*
 * import.c — validate rows and publish them into this node's log.
 *
 * Pipeline, per row:
 *
 *   bytes --parse--> Cx__Record --validate--> --resolve refs--> --pack-->
 *   batch (leaf bytes in one arena)  --full?--> store_append (one LMDB
 *   transaction: leaves, tree hashes, indexes, signed checkpoint)
 *
 * For JSON Lines the first half (parse, validate, and pack and hash a
 * record that refers to no other) runs on parsing threads, chunk by chunk;
 * the second half (uniqueness, references, the batch) runs on the calling
 * thread in input order (import_jsonl; docs/architecture.md). CSV rows take
 * both halves on the calling thread.
 *
 * Invariants:
 *   - a row is either wholly accepted (it will be in the next committed
 *     batch) or rejected with file, line and reason; never half-written;
 *   - record ids are unique in the log: checked against the store's 'R'
 *     index and against the rows pending in this batch;
 *   - a status change or outcome names its target by record_id; the target
 *     must already be in this node's log (or earlier in this import) and of
 *     a kind the change applies to; its leaf index and leaf hash are written
 *     into the referring record, so the pointer names exactly one leaf;
 *   - records are appended in input order, so a reference always points
 *     backwards in the log.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "credit/rules.h"
#include "credit/validate.h"
#include "ingest/csv.h"
#include "ingest/json.h"
#include "ingest/shgs.h"
#include "ingest/text.h"
#include "node/admit.h"
#include "node/import.h"
#include "node/quality.h"
#include "store/tlog.h"
#include "util/date.h"
#include "util/err.h"

#define IMPORT_MAX_FILE ((size_t)2 << 30)   /* 2 GiB per input file */

/* A record already packed and hashed by a parsing thread. */
struct import_leaf {
	uint8_t *data;
	size_t len;
	tlog_hash hash;
};

/* A record pending in the current batch, by record_id. */
struct import_pend {
	char *id;
	struct admit_target t;
};

struct import {
	struct node *n;
	struct import_opts o;
	struct import_stats st;
	store_txn *rd;             /* read view for lookups; NULL when stale */
	uint64_t size;             /* committed size of our log */
	/* batch */
	uint8_t *arena;
	size_t alen, acap;
	size_t *offs;              /* leaf i is arena[offs[i] .. offs[i+1]) */
	struct idx_buf kb;         /* index keys of the batch, leaf by leaf */
	tlog_hash *hashes;         /* leaf i's leaf hash */
	size_t nleaf, capleaf;
	struct import_pend *tab;   /* open addressing, capacity ntab (power of 2) */
	size_t ntab, npend;
	/* progress */
	const char *file;
	size_t fsize, fdone;
	struct timespec t0, tlast;
	char err[512];
	struct quality_rejects *qr; /* rejected 双公示 rows (node/quality.h) */
};

/*
 * The time stamped on records as issued_at: the clock, or CXNODE_NOW
 * (unix seconds) when set, so that tests of the quality report control the
 * publication date (docs/quality.md). Not for production use.
 */
static uint64_t
import_clock(void)
{
	const char *env = getenv("CXNODE_NOW");
	char *end;
	unsigned long long v;

	if (env != NULL && env[0] != '\0') {
		errno = 0;
		v = strtoull(env, &end, 10);
		if (errno == 0 && *end == '\0')
			return (uint64_t)v;
	}
	return (uint64_t)time(NULL);
}

static double
import_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	return (double)ts->tv_sec + ts->tv_nsec / 1e9;
}

static double
import_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

static void
import_progress(struct import *im, int final)
{
	double el, rate;
	int pct, bar, i;

	if (!im->o.progress)
		return;
	if (!final) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - im->tlast.tv_sec) * 1000000000L + (now.tv_nsec - im->tlast.tv_nsec) <
		    100000000L)
			return;
		im->tlast = now;
	}
	el = import_since(&im->t0);
	rate = el > 0 ? im->st.rows / el : 0;
	pct = im->fsize ? (int)(100.0 * im->fdone / im->fsize) : 100;
	if (final)
		pct = 100;
	bar = pct / 5;
	fprintf(stderr, "\r%-24.24s [", im->file ? im->file : "");
	for (i = 0; i < 20; i++)
		fputc(i < bar ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %llu rows, %llu rejected, %.0f rows/s ", pct,
	    (unsigned long long)im->st.rows, (unsigned long long)im->st.rejected, rate);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* ---- pending-id table --------------------------------------------------- */

static uint64_t
import_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct import_pend *
import_pend_find(struct import *im, const char *id)
{
	size_t i;

	if (im->ntab == 0)
		return NULL;
	for (i = import_hash(id) & (im->ntab - 1); im->tab[i].id; i = (i + 1) & (im->ntab - 1))
		if (strcmp(im->tab[i].id, id) == 0)
			return &im->tab[i];
	return NULL;
}

static int
import_pend_add(struct import *im, const char *id, const struct admit_target *t)
{
	struct import_pend *p;
	size_t i;

	if ((im->npend + 1) * 2 > im->ntab) {
		size_t nn = im->ntab ? im->ntab * 2 : 1024, j;
		struct import_pend *nt = calloc(nn, sizeof(*nt));

		if (nt == NULL)
			return CX_ENOMEM;
		for (j = 0; j < im->ntab; j++) {
			if (!im->tab[j].id)
				continue;
			for (i = import_hash(im->tab[j].id) & (nn - 1); nt[i].id; i = (i + 1) & (nn - 1))
				;
			nt[i] = im->tab[j];
		}
		free(im->tab);
		im->tab = nt;
		im->ntab = nn;
	}
	for (i = import_hash(id) & (im->ntab - 1); im->tab[i].id; i = (i + 1) & (im->ntab - 1))
		;
	p = &im->tab[i];
	if ((p->id = strdup(id)) == NULL)
		return CX_ENOMEM;
	p->t = *t;
	im->npend++;
	return 0;
}

static void
import_pend_clear(struct import *im)
{
	size_t i;

	for (i = 0; i < im->ntab; i++)
		free(im->tab[i].id);
	if (im->tab)
		memset(im->tab, 0, im->ntab * sizeof(*im->tab));
	im->npend = 0;
}

/* ---- batches ------------------------------------------------------------ */

static int
import_view(struct import *im)
{
	if (im->rd == NULL)
		return store_read_begin(&im->rd, im->n->st);
	return 0;
}

static void
import_view_end(struct import *im)
{
	store_read_end(im->rd);
	im->rd = NULL;
}

/* After a rejected row was handed to the quality collector: write the
 * collected rows now and then, not all at the end. */
static int
import_quality(struct import *im, int rc)
{
	if (rc == 0 && quality_rejects_pending(im->qr) >= 4096) {
		import_view_end(im);
		rc = quality_rejects_flush(im->qr, im->n->st);
	}
	return rc;
}

static int
import_flush(struct import *im)
{
	struct store_leaf *lv;
	size_t i;
	int rc;

	if (im->nleaf == 0)
		return 0;
	lv = malloc(im->nleaf * sizeof(*lv));
	if (lv == NULL)
		return CX_ENOMEM;
	for (i = 0; i < im->nleaf; i++) {
		lv[i].data = im->arena + im->offs[i];
		lv[i].len = im->offs[i + 1] - im->offs[i];
		lv[i].hash = im->hashes[i];   /* hashed once, when packed */
	}
	import_view_end(im);
	/* the keys were computed from the records when they joined the batch,
	 * so the writer does not decode every leaf again */
	im->kb.base = im->size;
	store_set_indexer(im->n->st, idx_buf_indexer, &im->kb);
	rc = store_append(im->n->st, im->n->log, im->size, lv, im->nleaf, node_sign_checkpoint, im->n);
	store_set_indexer(im->n->st, idx_indexer, im->n);
	free(lv);
	if (rc != 0)
		return rc;
	im->size += im->nleaf;
	im->st.batches++;
	{
		/* when the latest checkpoint was made, for `cxnode status` */
		uint8_t key[5], val[8];
		struct store_aux_op op = { .key = key, .klen = sizeof(key), .val = val,
		    .vlen = sizeof(val) };

		key[0] = 'A';
		idx_put32(key + 1, im->n->log);
		idx_put64(val, (uint64_t)time(NULL));
		(void)store_aux_write(im->n->st, &op, 1);
	}
	im->nleaf = 0;
	im->alen = 0;
	idx_buf_reset(&im->kb, im->size);
	import_pend_clear(im);
	return 0;
}

/* Put r into the arena as the next leaf (pre: its bytes and hash when a
 * parsing thread packed it already); its index and leaf hash out. */
static int
import_push(struct import *im, const Cx__Record *r, const struct import_leaf *pre,
    uint64_t *index, tlog_hash h)
{
	size_t need = pre ? pre->len : cx__record__get_packed_size(r);

	if (im->alen + need > im->acap) {
		size_t nc = im->acap ? im->acap : (size_t)16 << 20;
		uint8_t *na;

		while (nc < im->alen + need)
			nc *= 2;
		if ((na = realloc(im->arena, nc)) == NULL)
			return CX_ENOMEM;
		im->arena = na;
		im->acap = nc;
	}
	if (im->nleaf + 2 > im->capleaf) {
		size_t nc = im->capleaf ? im->capleaf * 2 : 4096;
		size_t *no = realloc(im->offs, nc * sizeof(*no));
		tlog_hash *nh;

		if (no == NULL)
			return CX_ENOMEM;
		im->offs = no;
		if ((nh = realloc(im->hashes, nc * sizeof(*nh))) == NULL)
			return CX_ENOMEM;
		im->hashes = nh;
		im->capleaf = nc;
	}
	im->offs[im->nleaf] = im->alen;
	if (pre != NULL) {
		memcpy(im->arena + im->alen, pre->data, need);
		memcpy(h, pre->hash, sizeof(tlog_hash));
	} else {
		cx__record__pack(r, im->arena + im->alen);
		tlog_leaf_hash(h, im->arena + im->alen, need);
	}
	im->alen += need;
	memcpy(im->hashes[im->nleaf], h, sizeof(tlog_hash));
	im->offs[++im->nleaf] = im->alen;
	*index = im->size + im->nleaf - 1;
	return 0;
}

/* ---- one row ------------------------------------------------------------ */

/*
 * Look a record id up among pending rows, then in the store. With t NULL
 * only whether it exists; else the target's index, leaf hash, kind,
 * decision date and authority.
 */
static int
import_lookup(struct import *im, const char *id, struct admit_target *t)
{
	struct import_pend *p = import_pend_find(im, id);
	int rc;

	if (p != NULL) {
		if (t != NULL)
			*t = p->t;
		return 0;
	}
	if ((rc = import_view(im)) != 0)
		return rc;
	return admit_find_target(im->rd, im->n->log, UINT64_MAX, id, t);
}

/*
 * Resolve the ref of `by` (a status change, or an outcome when change < 0)
 * in place, and check what it may point at: an earlier record of this log
 * that admit_check_target() accepts (of a kind the change applies to,
 * decided by the same authority, not effective before the target's
 * decision; node/admit.c applies the same check to replicated records).
 */
static int
import_resolve(struct import *im, const Cx__Record *by, Cx__Ref *ref, int change,
    uint32_t effective, char *err, size_t cap)
{
	struct admit_target t;
	int rc;

	if (ref == NULL || ref->record_id == NULL || ref->record_id[0] == '\0') {
		snprintf(err, cap, "target record_id is required");
		return CX_EINVAL;
	}
	rc = import_lookup(im, ref->record_id, &t);
	if (rc == CX_ENOTFOUND) {
		snprintf(err, cap, "target %s is not in this node's log", ref->record_id);
		return CX_EINVAL;
	}
	if (rc != 0)
		return rc;
	if ((rc = admit_check_target(&t, by, ref, change, effective, err, cap)) != 0)
		return rc;
	ref->index = t.index;
	if (ref->leaf_hash.len == 0) {
		/* the record owns its fields (json_record_free frees with free()) */
		uint8_t *copy = malloc(TLOG_HASH_LEN);

		if (copy == NULL)
			return CX_ENOMEM;
		memcpy(copy, t.hash, TLOG_HASH_LEN);
		free(ref->leaf_hash.data);
		ref->leaf_hash.data = copy;
		ref->leaf_hash.len = TLOG_HASH_LEN;
	}
	return 0;
}

static void
import_reject(struct import *im, const char *line_ref, const char *reason)
{
	im->st.rejected++;
	if (im->o.max_errors < 0 || (long)im->st.rejected <= im->o.max_errors) {
		if (im->o.progress)
			fputs("\r\033[K", im->o.errors);
		fprintf(im->o.errors, "%s: %s\n", line_ref, reason);
	} else if ((long)im->st.rejected == im->o.max_errors + 1)
		fprintf(im->o.errors, "(further rejected rows are counted, not shown)\n");
	if (im->st.rejects != NULL)
		json_array_append_new(im->st.rejects,
		    json_pack("{s:s, s:s}", "where", line_ref, "reason", reason));
}

static int
import_set_str(char **dst, const char *v)
{
	char *c = strdup(v);

	if (c == NULL)
		return CX_ENOMEM;
	if (*dst != NULL && *dst != protobuf_c_empty_string)
		free(*dst);
	*dst = c;
	return 0;
}

/* Stamp issuer, region and time on r (and on a correction's replacement).
 * Refuses a row that claims another issuer. */
static int
import_stamp(const struct import *im, Cx__Record *r, uint64_t now, char *err, size_t cap)
{
	const struct cfg *c = &im->n->cfg;
	int rc;

	if (r->issuer && r->issuer[0] && strcmp(r->issuer, c->id) != 0) {
		snprintf(err, cap, "issuer \"%s\" is not this node (\"%s\"): a node publishes only its own records",
		    r->issuer, c->id);
		return CX_EINVAL;
	}
	if (r->region && r->region[0] && strcmp(r->region, c->region) != 0) {
		snprintf(err, cap, "region %s is not this node's region %s", r->region, c->region);
		return CX_EINVAL;
	}
	if ((rc = import_set_str(&r->issuer, c->id)) != 0 ||
	    (rc = import_set_str(&r->region, c->region)) != 0)
		return rc;
	r->schema = 1;
	r->issued_at = now;
	return 0;
}

static void
import_validation_text(char *out, size_t cap, const struct validate_result *v, int warnings)
{
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < v->n && off + 1 < cap; i++) {
		int n;

		if (!!v->msg[i].warning != warnings)
			continue;
		n = snprintf(out + off, cap - off, "%s%s%s%s", off ? "; " : "", v->msg[i].field,
		    v->msg[i].field[0] ? ": " : "", v->msg[i].text);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * First phase of a row, independent of the store and of other rows (so it
 * runs on worker threads): stamp issuer, region and time, and validate.
 * Returns 0, or CX_EINVAL with the reason in err; *warn is set when the
 * record passed with warnings.
 */
static int
import_prepare(const struct import *im, Cx__Record *r, uint64_t now, char *err, size_t cap,
    int *warn)
{
	struct validate_result v;
	int rc;

	err[0] = '\0';
	*warn = 0;
	if ((rc = import_stamp(im, r, now, err, cap)) != 0)
		return rc;
	if (r->body_case == CX__RECORD__BODY_CHANGE && r->change && r->change->replacement &&
	    (rc = import_stamp(im, r->change->replacement, now, err, cap)) != 0)
		return rc;
	memset(&v, 0, sizeof(v));
	if (validate_record(&v, r, im->o.today) != 0) {
		import_validation_text(err, cap, &v, 0);
		return CX_EINVAL;
	}
	*warn = v.n > (size_t)v.errors;
	return 0;
}

/*
 * Second phase, in input order on the writing thread: the record id is new,
 * references resolve, then the record joins the batch (as packed bytes; r
 * stays the caller's to free). Returns 0 (accepted or rejected) or a fatal
 * code.
 */
static int
import_commit(struct import *im, Cx__Record *r, const struct import_leaf *pre, const char *where)
{
	struct admit_target t;
	uint64_t index;
	char *err = im->err;
	size_t cap = sizeof(im->err);
	int rc;

	err[0] = '\0';
	rc = import_lookup(im, r->record_id, &t);
	if (rc == 0) {
		snprintf(err, cap, "record_id %s is already published (leaf %llu)", r->record_id,
		    (unsigned long long)t.index);
		rc = CX_EINVAL;
		goto reject;
	}
	if (rc != CX_ENOTFOUND)
		goto fatal;
	rc = 0;
	if (r->body_case == CX__RECORD__BODY_CHANGE && r->change) {
		rc = import_resolve(im, r, r->change->target, r->change->type,
		    r->change->effective_date, err, cap);
	} else if (r->body_case == CX__RECORD__BODY_OUTCOME && r->outcome) {
		rc = import_resolve(im, r, r->outcome->commitment, -1, r->decision_date, err, cap);
	}
	if (rc == CX_EINVAL)
		goto reject;
	if (rc != 0)
		goto fatal;
	if ((rc = import_push(im, r, pre, &index, t.hash)) != 0)
		goto fatal;
	{
		struct idx_out ko = { idx_buf_add, &im->kb };

		if ((rc = idx_record_keys(r, im->n->log, index, &ko)) != 0 ||
		    (rc = idx_buf_leaf(&im->kb)) != 0)
			goto fatal;
	}
	t.index = index;
	admit_target_of(&t, r);
	if ((rc = import_pend_add(im, r->record_id, &t)) != 0)
		goto fatal;
	im->st.accepted++;
	if (im->nleaf >= im->o.batch)
		return import_flush(im);
	return 0;
reject:
	import_reject(im, where, err[0] ? err : cx_strerror(rc));
	return 0;
fatal:
	return rc;
}

/* Both phases on the calling thread (CSV rows); frees r. */
static int
import_record(struct import *im, Cx__Record *r, const char *where)
{
	int warn, rc;

	if (import_prepare(im, r, import_clock(), im->err, sizeof(im->err), &warn) != 0) {
		import_reject(im, where, im->err);
		rc = import_quality(im, quality_reject_record(im->qr, r, im->err));
		json_record_free(r);
		return rc;
	}
	im->st.warnings += (uint64_t)warn;
	rc = import_commit(im, r, NULL, where);
	json_record_free(r);
	return rc;
}

/* ---- files -------------------------------------------------------------- */

/*
 * The bytes of path ("-": standard input, read into memory). A regular
 * file is mapped, not read: no copy of the whole file before parsing
 * starts, and its pages are faulted in by the parsing threads. *mapped
 * tells how to give the bytes back (import_unread).
 */
static int
import_read(const char *path, uint8_t **buf, size_t *len, int *mapped)
{
	struct stat sb;
	FILE *f;
	size_t n;
	int fd;

	*buf = NULL;
	*mapped = 0;
	if (strcmp(path, "-") == 0) {
		size_t cap = 1 << 20;

		f = stdin;
		*len = 0;
		if ((*buf = malloc(cap)) == NULL)
			return CX_ENOMEM;
		while ((n = fread(*buf + *len, 1, cap - *len, f)) > 0) {
			*len += n;
			if (*len == cap) {
				uint8_t *nb;

				if (cap >= IMPORT_MAX_FILE)
					return cx_seterr(CX_ETOOBIG, "standard input over 2 GiB");
				if ((nb = realloc(*buf, cap * 2)) == NULL)
					return CX_ENOMEM;
				*buf = nb;
				cap *= 2;
			}
		}
		if (ferror(f))
			return cx_seterr(CX_EIO, "standard input: %s", strerror(errno));
		return 0;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cx_seterr(errno == ENOENT ? CX_ENOTFOUND : CX_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cx_seterr(CX_EINVAL, "%s: not a regular file", path);
	}
	if ((size_t)sb.st_size > IMPORT_MAX_FILE) {
		close(fd);
		return cx_seterr(CX_ETOOBIG, "%s: over 2 GiB; split it", path);
	}
	*len = (size_t)sb.st_size;
	if (*len == 0) {
		close(fd);
		*buf = malloc(1);
		return *buf ? 0 : CX_ENOMEM;
	}
	*buf = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*buf == MAP_FAILED) {
		*buf = NULL;
		return cx_seterr(CX_EIO, "%s: %s", path, strerror(errno));
	}
	madvise(*buf, *len, MADV_SEQUENTIAL);
	*mapped = 1;
	return 0;
}

static void
import_unread(uint8_t *buf, size_t len, int mapped)
{
	if (mapped)
		munmap(buf, len);
	else
		free(buf);
}

static int
import_is_jsonl(const char *path, const char *text, size_t len)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot && (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0 || strcmp(dot, ".json") == 0))
		return 1;
	if (dot && strcmp(dot, ".csv") == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return text[i] == '{';
	return 0;
}

/*
 * JSON Lines in parallel. The file is cut into lines; worker threads parse
 * and validate chunks of lines (the first phase), at most IMPORT_WINDOW
 * chunks ahead of the writer; the calling thread takes the chunks in order
 * and commits their rows (the second phase), so the outcome is exactly that
 * of a sequential import.
 */
#define IMPORT_CHUNK  512
#define IMPORT_WINDOW 256

struct import_row {
	size_t off, len, line;
	Cx__Record *rec;       /* parsed and valid, or NULL */
	struct import_leaf leaf; /* rec packed, unless it refers to another record */
	int failed;            /* rejected; err says why (NULL: out of memory) */
	char *err;             /* malloc'd reason when rejected */
	int warn;
};

struct import_par {
	struct import *im;
	const char *text;
	struct import_row *rows;
	size_t nrows, nchunks;
	size_t next;           /* next chunk a worker claims */
	size_t consumed;       /* chunks the writer has finished */
	size_t freed;          /* chunks whose records a worker has freed */
	unsigned char *done;   /* per chunk */
	int stop;
	uint64_t now;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void
import_par_chunk(struct import_par *p, size_t c)
{
	size_t i, end = (c + 1) * IMPORT_CHUNK;
	char err[400];

	if (end > p->nrows)
		end = p->nrows;
	for (i = c * IMPORT_CHUNK; i < end; i++) {
		struct import_row *row = &p->rows[i];
		Cx__Record *r = NULL;

		err[0] = '\0';
		if (json_to_record(&r, p->text + row->off, row->len, err, sizeof(err)) != 0) {
			row->err = strdup(err[0] ? err : "not a record");
			row->failed = 1;
			continue;
		}
		if (import_prepare(p->im, r, p->now, err, sizeof(err), &row->warn) != 0) {
			row->err = strdup(err);
			row->failed = 1;
			json_record_free(r);
			continue;
		}
		row->rec = r;
		/* a record that refers to no other is final now: pack and hash it
		 * here; one with a reference is packed by the writer once the
		 * reference is resolved */
		if (r->body_case != CX__RECORD__BODY_CHANGE && r->body_case != CX__RECORD__BODY_OUTCOME) {
			row->leaf.len = cx__record__get_packed_size(r);
			if ((row->leaf.data = malloc(row->leaf.len)) != NULL) {
				cx__record__pack(r, row->leaf.data);
				tlog_leaf_hash(row->leaf.hash, row->leaf.data, row->leaf.len);
			}
		}
	}
}

/* Free the records of chunk c (on a worker: see import_par_worker). */
static void
import_par_free(struct import_par *p, size_t c)
{
	size_t i, end = (c + 1) * IMPORT_CHUNK < p->nrows ? (c + 1) * IMPORT_CHUNK : p->nrows;

	for (i = c * IMPORT_CHUNK; i < end; i++) {
		json_record_free(p->rows[i].rec);
		p->rows[i].rec = NULL;
		free(p->rows[i].leaf.data);
		p->rows[i].leaf.data = NULL;
	}
}

/*
 * A worker frees the records of chunks the writer has finished, then
 * parses the next chunk. Records are freed on the threads that allocated
 * them, not on the writer: glibc's per-thread arenas then never take a lock
 * for a free from another thread, which otherwise cost more than parsing.
 */
static void *
import_par_worker(void *arg)
{
	struct import_par *p = arg;
	size_t c;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->freed >= p->consumed && p->next < p->nchunks &&
		    p->next >= p->consumed + IMPORT_WINDOW)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->freed < p->consumed) {
			c = p->freed++;
			pthread_mutex_unlock(&p->mu);
			import_par_free(p, c);
			continue;
		}
		if (p->stop || p->next >= p->nchunks) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		c = p->next++;
		pthread_mutex_unlock(&p->mu);
		import_par_chunk(p, c);
		pthread_mutex_lock(&p->mu);
		p->done[c] = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

static int
import_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("CXNODE_IMPORT_THREADS");

	if (env != NULL)
		n = atol(env);
	else
		n = n > 1 ? n - 1 : 1;
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

static int
import_jsonl(struct import *im, const char *path, const char *text, size_t len)
{
	struct import_par p = { .im = im, .text = text };
	pthread_t th[8];
	size_t pos = 0, line = 0, cap = 0, c, i;
	char where[600];
	int nth = 0, k, rc = 0;

	/* cut into non-empty lines */
	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - s) : len - pos, off = pos;

		line++;
		pos += l + (nl != NULL);
		while (l > 0 && (s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
			l--;
		if (l == 0)
			continue;
		if (p.nrows == cap) {
			struct import_row *nr;

			cap = cap ? cap * 2 : 4096;
			if ((nr = realloc(p.rows, cap * sizeof(*nr))) == NULL) {
				free(p.rows);
				return CX_ENOMEM;
			}
			p.rows = nr;
		}
		memset(&p.rows[p.nrows], 0, sizeof(p.rows[0]));
		p.rows[p.nrows].off = off;
		p.rows[p.nrows].len = l;
		p.rows[p.nrows].line = line;
		p.nrows++;
	}
	p.nchunks = (p.nrows + IMPORT_CHUNK - 1) / IMPORT_CHUNK;
	if ((p.done = calloc(p.nchunks + 1, 1)) == NULL) {
		free(p.rows);
		return CX_ENOMEM;
	}
	p.now = import_clock();
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	for (k = import_workers(); nth < k; nth++)
		if (pthread_create(&th[nth], NULL, import_par_worker, &p) != 0)
			break;
	if (nth == 0)
		p.stop = 1;   /* no threads: the loop below parses each chunk itself */

	for (c = 0; c < p.nchunks && rc == 0; c++) {
		size_t end = (c + 1) * IMPORT_CHUNK < p.nrows ? (c + 1) * IMPORT_CHUNK : p.nrows;

		if (nth == 0) {
			if (c > 0)
				import_par_free(&p, c - 1);
			import_par_chunk(&p, c);
		} else {
			pthread_mutex_lock(&p.mu);
			while (!p.done[c])
				pthread_cond_wait(&p.cv, &p.mu);
			pthread_mutex_unlock(&p.mu);
		}
		for (i = c * IMPORT_CHUNK; i < end; i++) {
			struct import_row *row = &p.rows[i];

			im->st.rows++;
			snprintf(where, sizeof(where), "%s:%zu", path, row->line);
			if (row->failed) {
				import_reject(im, where, row->err ? row->err : "out of memory");
				if (rc == 0 && row->err != NULL)
					rc = import_quality(im, quality_reject_line(im->qr, p.text + row->off,
					    row->len, row->err));
			} else if (rc == 0) {
				im->st.warnings += (uint64_t)row->warn;
				rc = import_commit(im, row->rec, row->leaf.data ? &row->leaf : NULL,
				    where);
			}
			free(row->err);
			row->err = NULL;
		}
		im->fdone = end < p.nrows ? p.rows[end].off : len;
		import_progress(im, 0);
		pthread_mutex_lock(&p.mu);
		p.consumed = c + 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	for (i = 0; i < p.nrows; i++) {
		json_record_free(p.rows[i].rec);
		free(p.rows[i].leaf.data);
		free(p.rows[i].err);
	}
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	free(p.done);
	free(p.rows);
	return rc;
}

static int
import_csv(struct import *im, const char *path, const char *text, size_t len)
{
	struct csv *c = NULL;
	struct shgs_map *m = NULL;
	char **cells;
	size_t ncells, line;
	char where[600], perr[400];
	int rc;

	if ((rc = csv_open(&c, text, len)) != 0)
		return rc;
	rc = csv_next(c, &cells, &ncells, &line);
	if (rc == CX_ENOTFOUND) {
		rc = cx_seterr(CX_EFORMAT, "%s: empty file", path);
		goto out;
	}
	if (rc != 0) {
		rc = cx_seterr(CX_EFORMAT, "%s:%zu: %s", path, line, cx_lasterr());
		goto out;
	}
	perr[0] = '\0';
	if ((rc = shgs_header(&m, cells, ncells, im->o.kind, perr, sizeof(perr))) != 0) {
		rc = cx_seterr(rc, "%s:%zu: header: %s", path, line, perr);
		goto out;
	}
	for (;;) {
		Cx__Record *r = NULL;

		rc = csv_next(c, &cells, &ncells, &line);
		if (rc == CX_ENOTFOUND) {
			rc = 0;
			break;
		}
		snprintf(where, sizeof(where), "%s:%zu", path, line);
		if (rc != 0) {
			/* an unterminated quote swallows the rest: nothing after it is a row */
			im->st.rows++;
			import_reject(im, where, cx_lasterr()[0] ? cx_lasterr() : "malformed CSV");
			rc = 0;
			break;
		}
		if (ncells == 1 && cells[0][0] == '\0')
			continue;
		im->st.rows++;
		perr[0] = '\0';
		if (shgs_row(&r, m, cells, ncells, perr, sizeof(perr)) != 0) {
			import_reject(im, where, perr[0] ? perr : "malformed row");
			if ((rc = import_quality(im, quality_reject_cells(im->qr, shgs_kind(m), cells,
			    ncells, perr[0] ? perr : "malformed row"))) != 0)
				break;
			continue;
		}
		if ((rc = import_record(im, r, where)) != 0)
			break;
		im->fdone = im->fsize * line / (line + 1 > 0 ? line + 1 : 1);
		import_progress(im, 0);
	}
out:
	shgs_free(m);
	csv_close(c);
	return rc;
}

int
import_file(struct import *im, const char *path)
{
	uint8_t *raw = NULL;
	char *conv = NULL;
	const char *text;
	size_t len = 0, bom = 0, tlen = 0;
	int enc, rc, mapped = 0;

	if ((rc = import_read(path, &raw, &len, &mapped)) != 0)
		goto out;
	im->st.files++;
	im->file = path;
	im->fdone = 0;
	/*
	 * JSON Lines are UTF-8 by definition (RFC 8259 section 8.1), and the
	 * JSON decoder checks every string, so only a BOM is skipped; a CSV
	 * export may be GB18030, which is detected and converted.
	 */
	if (len >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF)
		bom = 3;
	if (import_is_jsonl(path, (const char *)raw + bom, len - bom)) {
		im->fsize = len - bom;
		rc = import_jsonl(im, path, (const char *)raw + bom, len - bom);
	} else {
		enc = text_detect(raw, len, &bom);
		if (enc == TEXT_GB18030) {
			if ((rc = text_to_utf8(&conv, &tlen, raw, len, enc)) != 0) {
				rc = cx_seterr(rc, "%s: not UTF-8 and not GB18030: %s", path, cx_lasterr());
				goto out;
			}
			import_unread(raw, len, mapped);
			raw = NULL;
			text = conv;
		} else {
			text = (const char *)raw + bom;
			tlen = len - bom;
		}
		im->fsize = tlen;
		rc = import_csv(im, path, text, tlen);
	}
	import_progress(im, 1);
out:
	if (raw != NULL)
		import_unread(raw, len, mapped);
	free(conv);
	return rc;
}

int
import_begin(struct import **out, struct node *n, const struct import_opts *o)
{
	struct import *im;
	int rc;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return CX_ENOMEM;
	im->n = n;
	im->o = *o;
	if (im->o.batch == 0)
		im->o.batch = 50000;
	if (im->o.errors == NULL)
		im->o.errors = stderr;
	if (im->o.today == 0)
		im->o.today = date_today();
	if (quality_rejects_new(&im->qr, import_clock()) != 0) {
		free(im);
		return CX_ENOMEM;
	}
	if (o->json_errors && (im->st.rejects = json_array()) == NULL) {
		quality_rejects_free(im->qr);
		free(im);
		return CX_ENOMEM;
	}
	if ((rc = import_view(im)) != 0 ||
	    (rc = store_txn_log_size(im->rd, n->log, &im->size)) != 0) {
		import_abort(im);
		return rc;
	}
	import_now(&im->t0);
	im->tlast = im->t0;
	*out = im;
	return 0;
}

static void
import_free(struct import *im)
{
	import_view_end(im);
	import_pend_clear(im);
	free(im->tab);
	free(im->arena);
	free(im->offs);
	idx_buf_free(&im->kb);
	free(im->hashes);
	quality_rejects_free(im->qr);
	free(im);
}

int
import_end(struct import *im, struct import_stats *st)
{
	int rc = import_flush(im);

	if (rc == 0) {
		import_view_end(im);
		rc = quality_rejects_flush(im->qr, im->n->st);
	}
	im->st.size = im->size;
	im->st.seconds = import_since(&im->t0);
	*st = im->st;
	im->st.rejects = NULL;
	import_free(im);
	return rc;
}

void
import_abort(struct import *im)
{
	if (im == NULL)
		return;
	json_decref(im->st.rejects);
	import_free(im);
}
