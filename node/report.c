/*
 * report.c — dedicated credit reports: making one from a screening answer
 * (every record with its leaf and inclusion proof), the readable HTML page
 * with the report embedded, and checking either offline with the roster.
 *
 * Which leaves a report holds is read from the answer itself: every entry
 * of "records" names its log and leaf index (the record as first
 * published: its "original" when a correction replaced the content, else
 * its "record"), and so does every entry of its "changes". The verifier
 * walks the answer the same way, so that nothing in the answer escapes the
 * comparison with a leaf, and no leaf is in the report that the answer
 * does not name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/json.h"
#include "keys/note.h"
#include "node/node.h"
#include "node/receipt.h"
#include "node/report.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/err.h"

/* ---- what the answer names ------------------------------------------------ */

struct report_ref {
	const char *origin;
	uint64_t index;
	const json_t *expect;   /* the record JSON the leaf must give */
	const char *what;       /* its record_id, for messages */
};

static const char *
report_origin_of(const json_t *e, const char *dflt)
{
	const char *o = json_string_value(json_object_get(e, "log"));

	if (o == NULL)
		o = json_string_value(json_object_get(e, "origin"));
	return o ? o : dflt;
}

static int
report_add_ref(struct report_ref **refs, size_t *n, size_t *cap, const json_t *e,
    const char *origin, const json_t *expect)
{
	const json_t *ix = json_object_get(e, "index");
	struct report_ref *r;

	if (origin == NULL || !json_is_integer(ix) || json_integer_value(ix) < 0 ||
	    !json_is_object(expect))
		return cx_seterr(CX_EFORMAT, "a record of the answer names no log, index and record");
	if (*n >= REPORT_MAX_LEAVES)
		return cx_seterr(CX_ETOOBIG, "more than %d records", REPORT_MAX_LEAVES);
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct report_ref *nr = realloc(*refs, nc * sizeof(*nr));

		if (nr == NULL)
			return CX_ENOMEM;
		*refs = nr;
		*cap = nc;
	}
	r = &(*refs)[(*n)++];
	r->origin = origin;
	r->index = (uint64_t)json_integer_value(ix);
	r->expect = expect;
	r->what = json_string_value(json_object_get(expect, "record_id"));
	if (r->what == NULL)
		r->what = "?";
	return 0;
}

/* Every (log, index, record) the answer names, in answer order. */
static int
report_refs(const json_t *answer, struct report_ref **out, size_t *n)
{
	const json_t *recs = json_object_get(answer, "records"), *e;
	size_t cap = 0, i, j;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (recs != NULL && !json_is_array(recs))
		return cx_seterr(CX_EFORMAT, "the answer's records are not a list");
	json_array_foreach(recs, i, e) {
		const char *origin = report_origin_of(e, NULL);
		const json_t *orig = json_object_get(e, "original"), *chs, *c;

		if ((rc = report_add_ref(out, n, &cap, e, origin,
		    orig ? orig : json_object_get(e, "record"))) != 0)
			break;
		chs = json_object_get(e, "changes");
		if (chs != NULL && !json_is_array(chs)) {
			rc = cx_seterr(CX_EFORMAT, "the changes of a record are not a list");
			break;
		}
		json_array_foreach(chs, j, c)
			if ((rc = report_add_ref(out, n, &cap, c, report_origin_of(c, origin),
			    json_object_get(c, "record"))) != 0)
				break;
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static int
report_ref_cmp(const void *a, const void *b)
{
	const struct report_ref *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* ---- making ----------------------------------------------------------------- */

static json_t *
report_hashes(const tlog_hash *h, size_t n)
{
	char b[B64_LEN(TLOG_HASH_LEN)];
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		b64_encode(b, h[i], TLOG_HASH_LEN);
		if (json_array_append_new(a, json_string(b)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* 1 when the leaf's record carries an identity number in clear. */
static int
report_leaf_personal(const Cx__Record *rec)
{
	json_t *j = NULL;
	int p;

	if (json_from_record(&j, rec, 0) != 0)
		return 1;   /* cannot tell: do not disclose */
	p = receipt_ids_shown(j, 0);
	json_decref(j);
	return p;
}

/* The leaf entry of (log of view entry lg, index). */
static int
report_leaf(json_t **out, store_txn *t, const struct screen_log *lg, uint64_t index,
    int ids_shown)
{
	tlog_hash proof[TLOG_MAX_PROOF], lh;
	char hb[B64_LEN(TLOG_HASH_LEN)], *lb = NULL;
	const uint8_t *leaf;
	size_t llen, np;
	json_t *e, *pj;
	Cx__Record *rec;
	int rc, withhold = 0;

	*out = NULL;
	if (index >= lg->size)
		return cx_seterr(CX_EINVAL, "leaf %llu of %s is beyond the view (size %llu)",
		    (unsigned long long)index, lg->origin, (unsigned long long)lg->size);
	if ((rc = store_leaf(t, lg->log, index, &leaf, &llen)) != 0 ||
	    (rc = store_prove_inclusion(t, lg->log, index, lg->size, proof, &np)) != 0)
		return rc;
	tlog_leaf_hash(lh, leaf, llen);
	if (!ids_shown) {
		if ((rec = idx_unpack(leaf, llen)) == NULL)
			withhold = 1;
		else {
			withhold = report_leaf_personal(rec);
			cx__record__free_unpacked(rec, NULL);
		}
	}
	b64_encode(hb, lh, TLOG_HASH_LEN);
	if ((pj = report_hashes(proof, np)) == NULL)
		return CX_ENOMEM;
	e = json_pack("{s:s, s:I, s:s, s:o}", "origin", lg->origin, "index", (json_int_t)index,
	    "hash", hb, "proof", pj);
	if (e == NULL)
		return CX_ENOMEM;
	if (withhold) {
		rc = json_object_set_new(e, "withheld", json_string(REPORT_WITHHELD));
	} else {
		if ((lb = malloc(B64_LEN(llen))) == NULL) {
			json_decref(e);
			return CX_ENOMEM;
		}
		b64_encode(lb, leaf, llen);
		rc = json_object_set_new(e, "leaf", json_string(lb));
		free(lb);
	}
	if (rc != 0) {
		json_decref(e);
		return CX_ENOMEM;
	}
	*out = e;
	return 0;
}

static const struct screen_log *
report_view_log(const struct screen_view *v, const char *origin)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->logs[i].origin, origin) == 0)
			return &v->logs[i];
	return NULL;
}

/* The report's body: everything but the statement. */
static json_t *
report_body(const json_t *report)
{
	json_t *b = json_object();
	static const char *const keys[] = { "answer", "leaves", "checkpoints" };
	size_t i;

	for (i = 0; b != NULL && i < 3; i++) {
		json_t *v = json_object_get(report, keys[i]);

		if (v != NULL && json_object_set(b, keys[i], v) != 0) {
			json_decref(b);
			return NULL;
		}
	}
	return b;
}

int
report_make(json_t **out, keys_key *key, const char *node_id, store_txn *t,
    const struct screen_view *v, const json_t *answer, const char *who, const char *role,
    uint64_t now)
{
	struct receipt_stmt s;
	struct report_ref *refs = NULL;
	size_t nrefs = 0, i;
	json_t *rep = NULL, *leaves = NULL, *body = NULL;
	const json_t *subj = json_object_get(answer, "subjects");
	char *note = NULL;
	size_t nlen;
	int rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (key == NULL || !keys_has_private(key))
		return cx_seterr(CX_EINVAL, "report: no signing key");
	if (json_array_size(subj) == 0)
		return cx_seterr(CX_ENOTFOUND, "nothing to report: no subject matches");
	if ((rc = receipt_stmt_fill(&s, RECEIPT_REPORT, node_id, v, answer, who, role, now)) != 0)
		goto out;
	if ((rc = report_refs(answer, &refs, &nrefs)) != 0)
		goto out;
	qsort(refs, nrefs, sizeof(*refs), report_ref_cmp);
	if ((leaves = json_array()) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < nrefs; i++) {
		const struct screen_log *lg;
		json_t *e;

		if (i > 0 && report_ref_cmp(&refs[i - 1], &refs[i]) == 0)
			continue;   /* named twice (an outcome is also a change) */
		if ((lg = report_view_log(v, refs[i].origin)) == NULL) {
			rc = cx_seterr(CX_EINVAL, "report: record %s names log %s, not in the view",
			    refs[i].what, refs[i].origin);
			goto out;
		}
		if ((rc = report_leaf(&e, t, lg, refs[i].index, s.ids_shown)) != 0)
			goto out;
		if (json_array_append_new(leaves, e) != 0) {
			rc = CX_ENOMEM;
			goto out;
		}
	}
	rep = json_object();
	if (rep == NULL || json_object_set_new(rep, "answer", json_deep_copy(answer)) != 0 ||
	    json_object_set(rep, "leaves", leaves) != 0 ||
	    json_object_set_new(rep, "checkpoints", receipt_checkpoints_json(v)) != 0) {
		rc = CX_ENOMEM;
		goto out;
	}
	if ((body = report_body(rep)) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	if ((rc = screen_digest(body, s.report)) != 0)
		goto out;
	if ((rc = receipt_sign_stmt(&note, &nlen, key, &s)) != 0)
		goto out;
	if (json_object_set_new(rep, "report", json_stringn(note, nlen)) != 0) {
		rc = CX_ENOMEM;
		goto out;
	}
	*out = rep;
	rep = NULL;
out:
	free(note);
	json_decref(body);
	json_decref(leaves);
	json_decref(rep);
	free(refs);
	receipt_stmt_free(&s);
	return rc;
}

/* ---- verifying ---------------------------------------------------------------- */

struct report_leafrec {
	const char *origin;
	uint64_t index;
	int withheld;
	int used;
	Cx__Record *rec;        /* decoded leaf, NULL when withheld or bad */
	int bad;                /* a problem was already reported */
};

static int
report_leafrec_cmp(const void *a, const void *b)
{
	const struct report_leafrec *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static const struct receipt_log *
report_stmt_log(const struct receipt_stmt *s, const char *origin)
{
	size_t lo = 0, hi = s->nlogs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->logs[mid].origin, origin);

		if (c == 0)
			return &s->logs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Check one leaf entry e into lr. */
static void
report_check_leaf(json_t *r, const struct receipt_stmt *s, const json_t *e,
    struct report_leafrec *lr, size_t i)
{
	static const char *const keys[] = { "origin", "index", "hash", "proof", "leaf", "withheld",
		NULL };
	const char *origin = json_string_value(json_object_get(e, "origin"));
	const char *hs = json_string_value(json_object_get(e, "hash"));
	const json_t *ix = json_object_get(e, "index"), *pj = json_object_get(e, "proof"), *h;
	const json_t *lj = json_object_get(e, "leaf"), *wj = json_object_get(e, "withheld");
	const struct receipt_log *lg;
	tlog_hash hash, lh, proof[TLOG_MAX_PROOF];
	uint8_t tmp[40], *bytes = NULL;
	size_t n, np, k, blen;

	memset(lr, 0, sizeof(*lr));
	lr->bad = 1;
	lr->origin = "";
	if (!json_is_object(e) || origin == NULL || !json_is_integer(ix) ||
	    json_integer_value(ix) < 0 || hs == NULL || !json_is_array(pj)) {
		receipt_problem(r, "leaf %zu: origin, index, hash and proof expected", i);
		return;
	}
	if (receipt_only_keys(r, e, keys))
		return;
	lr->origin = origin;
	lr->index = (uint64_t)json_integer_value(ix);
	if ((lg = report_stmt_log(s, origin)) == NULL) {
		receipt_problem(r, "leaf %s#%llu: log not in the signed view", origin,
		    (unsigned long long)lr->index);
		return;
	}
	if (lr->index >= lg->size) {
		receipt_problem(r, "leaf %s#%llu: beyond the signed size %llu", origin,
		    (unsigned long long)lr->index, (unsigned long long)lg->size);
		return;
	}
	if (b64_decode(tmp, sizeof(tmp), &n, hs, strlen(hs)) != 0 || n != TLOG_HASH_LEN) {
		receipt_problem(r, "leaf %s#%llu: the hash is not the base64 of 32 bytes", origin,
		    (unsigned long long)lr->index);
		return;
	}
	memcpy(hash, tmp, TLOG_HASH_LEN);
	np = json_array_size(pj);
	if (np > TLOG_MAX_PROOF) {
		receipt_problem(r, "leaf %s#%llu: a proof of %zu hashes", origin,
		    (unsigned long long)lr->index, np);
		return;
	}
	json_array_foreach(pj, k, h) {
		const char *hv = json_string_value(h);

		if (hv == NULL || b64_decode(tmp, sizeof(tmp), &n, hv, strlen(hv)) != 0 ||
		    n != TLOG_HASH_LEN) {
			receipt_problem(r, "leaf %s#%llu: proof hash %zu is not the base64 of 32 bytes",
			    origin, (unsigned long long)lr->index, k);
			return;
		}
		memcpy(proof[k], tmp, TLOG_HASH_LEN);
	}
	if (tlog_check_inclusion(proof, np, lg->size, lr->index, lg->root, hash) != 0) {
		receipt_problem(r, "leaf %s#%llu: its inclusion proof does not lead to the "
		    "checkpoint's root at size %llu", origin, (unsigned long long)lr->index,
		    (unsigned long long)lg->size);
		return;
	}
	if ((lj == NULL) == (wj == NULL)) {
		receipt_problem(r, "leaf %s#%llu: either the leaf or \"withheld\" expected", origin,
		    (unsigned long long)lr->index);
		return;
	}
	if (wj != NULL) {
		if (!json_is_string(wj) || strcmp(json_string_value(wj), REPORT_WITHHELD) != 0) {
			receipt_problem(r, "leaf %s#%llu: \"withheld\" says \"%s\", not \"%s\"", origin,
			    (unsigned long long)lr->index, json_string_value(wj) ?
			    json_string_value(wj) : "?", REPORT_WITHHELD);
			return;
		}
		if (s->ids_shown) {
			receipt_problem(r, "leaf %s#%llu: withheld from a report that shows identity "
			    "numbers", origin, (unsigned long long)lr->index);
			return;
		}
		lr->withheld = 1;
		lr->bad = 0;
		return;
	}
	if (!json_is_string(lj) || json_string_length(lj) == 0 ||
	    json_string_length(lj) > B64_LEN(STORE_LEAF_MAX)) {
		receipt_problem(r, "leaf %s#%llu: the leaf is not a base64 string", origin,
		    (unsigned long long)lr->index);
		return;
	}
	blen = json_string_length(lj) / 4 * 3 + 3;
	if ((bytes = malloc(blen)) == NULL ||
	    b64_decode(bytes, blen, &n, json_string_value(lj), json_string_length(lj)) != 0) {
		receipt_problem(r, "leaf %s#%llu: the leaf is not base64", origin,
		    (unsigned long long)lr->index);
		free(bytes);
		return;
	}
	tlog_leaf_hash(lh, bytes, n);
	if (memcmp(lh, hash, TLOG_HASH_LEN) != 0) {
		receipt_problem(r, "leaf %s#%llu: the leaf bytes do not hash to its hash", origin,
		    (unsigned long long)lr->index);
		free(bytes);
		return;
	}
	lr->rec = idx_unpack(bytes, n);
	free(bytes);
	if (lr->rec == NULL) {
		receipt_problem(r, "leaf %s#%llu: not a record: %s", origin,
		    (unsigned long long)lr->index, cx_lasterr());
		return;
	}
	if (!s->ids_shown && report_leaf_personal(lr->rec)) {
		receipt_problem(r, "leaf %s#%llu: discloses an identity number in a report that masks "
		    "them", origin, (unsigned long long)lr->index);
		return;
	}
	lr->bad = 0;
}

/* Name the first member where two record objects differ. */
static void
report_diff_path(char *out, size_t cap, const json_t *a, const json_t *b, int depth)
{
	const char *k;
	json_t *v;
	size_t len = strlen(out);

	if (depth > 8 || !json_is_object(a) || !json_is_object(b))
		return;
	json_object_foreach((json_t *)a, k, v) {
		if (!json_equal(v, json_object_get(b, k))) {
			snprintf(out + len, cap - len, "%s%s", len ? "." : "", k);
			report_diff_path(out, cap, v, json_object_get(b, k), depth + 1);
			return;
		}
	}
	json_object_foreach((json_t *)b, k, v)
		if (json_object_get(a, k) == NULL) {
			snprintf(out + len, cap - len, "%s%s", len ? "." : "", k);
			return;
		}
}

static void
report_check_leaves(json_t *r, const struct receipt_stmt *s, const json_t *rep)
{
	const json_t *leaves = json_object_get(rep, "leaves"), *e;
	struct report_leafrec *lr = NULL;
	struct report_ref *refs = NULL;
	size_t nl, nrefs = 0, i, withheld = 0, compared = 0;

	if (!json_is_array(leaves)) {
		receipt_problem(r, "no list of leaves");
		return;
	}
	nl = json_array_size(leaves);
	if (nl > REPORT_MAX_LEAVES) {
		receipt_problem(r, "more than %d leaves", REPORT_MAX_LEAVES);
		return;
	}
	if (nl > 0 && (lr = calloc(nl, sizeof(*lr))) == NULL) {
		receipt_problem(r, "out of memory");
		return;
	}
	json_array_foreach(leaves, i, e)
		report_check_leaf(r, s, e, &lr[i], i);
	qsort(lr, nl, sizeof(*lr), report_leafrec_cmp);
	for (i = 1; i < nl; i++)
		if (!lr[i].bad && report_leafrec_cmp(&lr[i - 1], &lr[i]) == 0)
			receipt_problem(r, "leaf %s#%llu is in the report twice", lr[i].origin,
			    (unsigned long long)lr[i].index);
	if (report_refs(json_object_get(rep, "answer"), &refs, &nrefs) != 0) {
		receipt_problem(r, "the answer's records cannot be read: %s", cx_lasterr());
		goto out;
	}
	for (i = 0; i < nrefs; i++) {
		struct report_leafrec key = { .origin = refs[i].origin, .index = refs[i].index };
		struct report_leafrec *l = bsearch(&key, lr, nl, sizeof(*lr), report_leafrec_cmp);
		json_t *mine = NULL;
		char path[256] = "";

		if (l == NULL) {
			receipt_problem(r, "record %s (%s#%llu) has no leaf in the report", refs[i].what,
			    refs[i].origin, (unsigned long long)refs[i].index);
			continue;
		}
		if (!l->used && l->withheld)
			withheld++;
		l->used = 1;
		if (l->bad || l->withheld)
			continue;
		if (json_from_record(&mine, l->rec, !s->ids_shown) != 0) {
			receipt_problem(r, "record %s: its leaf cannot be shown as JSON", refs[i].what);
			continue;
		}
		if (!json_equal(mine, refs[i].expect)) {
			report_diff_path(path, sizeof(path), refs[i].expect, mine, 0);
			receipt_problem(r, "record %s (%s#%llu) is not what its leaf says (%s differs)",
			    refs[i].what, refs[i].origin, (unsigned long long)refs[i].index,
			    path[0] ? path : "the record");
		} else {
			compared++;
		}
		json_decref(mine);
	}
	for (i = 0; i < nl; i++)
		if (!lr[i].used && !lr[i].bad)
			receipt_problem(r, "leaf %s#%llu is not a record of the answer", lr[i].origin,
			    (unsigned long long)lr[i].index);
	json_object_set_new(r, "records", json_integer((json_int_t)nrefs));
	json_object_set_new(r, "leaves", json_integer((json_int_t)nl));
	json_object_set_new(r, "compared", json_integer((json_int_t)compared));
	json_object_set_new(r, "withheld", json_integer((json_int_t)withheld));
	if (withheld)
		receipt_note(r, "%zu leaves withheld (personal data): proved by their hashes only",
		    withheld);
out:
	for (i = 0; i < nl; i++)
		if (lr[i].rec != NULL)
			cx__record__free_unpacked(lr[i].rec, NULL);
	free(lr);
	free(refs);
}

int
report_verify(json_t **result, const json_t *rep, const Cx__Roster *roster)
{
	static const char *const keys[] = { "report", "answer", "leaves", "checkpoints", NULL };
	struct receipt_stmt s = { 0 };
	const json_t *note = json_object_get(rep, "report");
	json_t *r, *body;
	uint8_t d[32];
	int rc;

	if ((*result = r = json_object()) == NULL)
		return CX_ENOMEM;
	json_object_set_new(r, "valid", json_true());
	if (!json_is_object(rep) || !json_is_string(note)) {
		receipt_problem(r, "not a credit report: a JSON object with \"report\", \"answer\", "
		    "\"leaves\" and \"checkpoints\" expected");
		return receipt_result_code(r);
	}
	receipt_only_keys(r, rep, keys);
	rc = receipt_check_statement(&s, r, roster, json_string_value(note),
	    json_string_length(note), RECEIPT_REPORT);
	if (rc == CX_ENOMEM)
		return rc;
	if (rc != 0)
		return receipt_result_code(r);
	receipt_check_answer(r, &s, json_object_get(rep, "answer"));
	if ((body = report_body(rep)) == NULL || screen_digest(body, d) != 0) {
		json_decref(body);
		receipt_stmt_free(&s);
		return CX_ENOMEM;
	}
	json_decref(body);
	if (memcmp(d, s.report, 32) != 0)
		receipt_problem(r, "the report was changed: its digest is not the signed one");
	receipt_check_checkpoints(r, roster, &s, json_object_get(rep, "checkpoints"));
	report_check_leaves(r, &s, rep);
	receipt_stmt_free(&s);
	return receipt_result_code(r);
}

/* ---- HTML ----------------------------------------------------------------------- */

static void
report_esc(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *
report_s(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static const struct {
	const char *kind, *zh, *en;
} report_kinds[] = {
	{ "penalty", "行政处罚", "administrative penalty" },
	{ "licence", "行政许可", "licence" },
	{ "dishonest_list", "严重失信主体名单", "serious dishonesty list" },
	{ "dishonest_debtor", "失信被执行人", "dishonest judgment debtor" },
	{ "red_list", "守信激励名单", "red list" },
	{ "evaluation", "信用评价", "credit evaluation" },
	{ "commitment", "信用承诺", "credit commitment" },
	{ "commitment_outcome", "承诺履约", "commitment outcome" },
	{ "coercion", "行政强制", "administrative coercion" },
	{ "reward", "行政奖励", "administrative reward" },
	{ "confirmation", "行政确认", "administrative confirmation" },
	{ "adjudication", "行政裁决", "administrative adjudication" },
	{ "inspection", "行政检查", "administrative inspection" },
	{ "status_change", "状态变更", "status change" },
};

static void
report_kind(FILE *f, const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(report_kinds) / sizeof(report_kinds[0]); i++)
		if (strcmp(report_kinds[i].kind, kind) == 0) {
			fprintf(f, "%s<br><small>%s</small>", report_kinds[i].zh, report_kinds[i].en);
			return;
		}
	report_esc(f, kind);
}

/* "A → B", either side "…" when absent, "" when both are. */
static void
report_span(FILE *f, const char *a, const char *b)
{
	if (a[0] == '\0' && b[0] == '\0')
		return;
	report_esc(f, a[0] ? a : "…");
	fputs(" → ", f);
	report_esc(f, b[0] ? b : "…");
}

static void
report_join(FILE *f, const json_t *a, const char *sep)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (i > 0)
			fputs(sep, f);
		report_esc(f, json_string_value(v));
	}
}

/* The canonical grade of an evaluation entry, wherever the answer puts it. */
static const char *
report_canonical_grade(const json_t *e)
{
	const json_t *g = json_object_get(e, "grade");
	const char *c;

	if (json_is_string(g))
		return json_string_value(g);
	if ((c = json_string_value(json_object_get(g, "canonical"))) != NULL)
		return c;
	if ((c = json_string_value(json_object_get(e, "canonical_grade"))) != NULL)
		return c;
	return json_string_value(json_object_get(e, "canonical"));
}

/* The measures / grade cell of a record entry. */
static void
report_what(FILE *f, const json_t *e, const json_t *rec)
{
	const char *kind = report_s(rec, "kind");
	const json_t *b;

	if ((b = json_object_get(rec, "list_entry")) != NULL) {
		fputs("<b>", f);
		report_esc(f, report_s(b, "list_type"));
		fputs("</b>", f);
		if (json_array_size(json_object_get(b, "measures")) > 0) {
			fputs("<br>措施 measures: ", f);
			report_join(f, json_object_get(b, "measures"), "；");
		}
		if (report_s(b, "reason")[0]) {
			fputs("<br>事由 reason: ", f);
			report_esc(f, report_s(b, "reason"));
		}
		if (report_s(b, "decision_no")[0]) {
			fputs("<br>", f);
			report_esc(f, report_s(b, "decision_no"));
		}
	} else if ((b = json_object_get(rec, "penalty")) != NULL) {
		const json_t *fine = json_object_get(b, "fine_fen");

		report_esc(f, report_s(b, "decision_no"));
		if (report_s(b, "content")[0]) {
			fputs("<br>", f);
			report_esc(f, report_s(b, "content"));
		}
		if (json_is_integer(fine) && json_integer_value(fine) > 0)
			fprintf(f, "<br>罚款 fine %lld.%02lld yuan",
			    (long long)(json_integer_value(fine) / 100),
			    (long long)(json_integer_value(fine) % 100));
	} else if ((b = json_object_get(rec, "evaluation")) != NULL) {
		const char *cg = report_canonical_grade(e);

		fputs("<span class=\"grade\">", f);
		report_esc(f, cg ? cg : "—");
		fputs("</span> <small>canonical</small><br>original ", f);
		report_esc(f, report_s(b, "grade"));
		if (report_s(b, "scheme")[0]) {
			fputs(" · ", f);
			report_esc(f, report_s(b, "scheme"));
		}
		if (report_s(b, "model_version")[0]) {
			fputs(" · model ", f);
			report_esc(f, report_s(b, "model_version"));
		}
	} else if ((b = json_object_get(rec, "licence")) != NULL) {
		report_esc(f, report_s(b, "licence_no"));
		fputs(" ", f);
		report_esc(f, report_s(b, "certificate_name"));
		if (report_s(b, "content")[0]) {
			fputs("<br>", f);
			report_esc(f, report_s(b, "content"));
		}
	} else if ((b = json_object_get(rec, "commitment")) != NULL) {
		report_esc(f, report_s(b, "commitment_type"));
		fputs(" · ", f);
		report_esc(f, report_s(b, "matter"));
	} else if ((b = json_object_get(rec, "outcome")) != NULL) {
		fputs(json_is_true(json_object_get(b, "fulfilled")) ? "践诺 fulfilled" :
		    "<b>违诺 breached</b>", f);
		if (report_s(b, "description")[0]) {
			fputs(" · ", f);
			report_esc(f, report_s(b, "description"));
		}
	} else if ((b = json_object_get(rec, "admin")) != NULL) {
		report_esc(f, report_s(b, "decision_no"));
		fputs(" ", f);
		report_esc(f, report_s(b, "action_type"));
		if (report_s(b, "result")[0]) {
			fputs("<br>", f);
			report_esc(f, report_s(b, "result"));
		}
	}
	(void)kind;
}

/* The validity / publicity cell. */
static void
report_dates(FILE *f, const json_t *rec)
{
	const json_t *b;

	if ((b = json_object_get(rec, "licence")) != NULL ||
	    (b = json_object_get(rec, "evaluation")) != NULL ||
	    (b = json_object_get(rec, "commitment")) != NULL)
		report_span(f, report_s(b, "valid_from"), report_s(b, "valid_until"));
	else
		report_span(f, report_s(rec, "publication_start")[0] ?
		    report_s(rec, "publication_start") : report_s(rec, "decision_date"),
		    report_s(rec, "publicity_max_end"));
}

/* Where the leaf of (origin, index) stands in the report. */
static const char *
report_leaf_state(const json_t *leaves, const char *origin, json_int_t index)
{
	const json_t *e;
	size_t i;

	json_array_foreach(leaves, i, e)
		if (strcmp(report_s(e, "origin"), origin) == 0 &&
		    json_integer_value(json_object_get(e, "index")) == index)
			return json_object_get(e, "withheld") ? "leaf withheld (personal data)" :
			    "leaf included";
	return "no leaf";
}

static const char report_css[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\","
    "\"Microsoft YaHei\",sans-serif;margin:2em auto;max-width:72em;color:#111;"
    "line-height:1.45;padding:0 1em}\n"
    "h1{font-size:1.6em;border-bottom:3px solid #8b0000;padding-bottom:.3em}\n"
    "h1 small,h2 small{font-weight:normal;color:#555}\n"
    "h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #aaa}\n"
    "table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.92em}\n"
    "th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#f0f0f0}\n"
    "table.meta th{width:12em}\n"
    ".mono{font-family:monospace;word-break:break-all}\n"
    ".banner{padding:.6em 1em;font-weight:bold;border:2px solid}\n"
    ".listed{border-color:#8b0000;background:#fde8e8;color:#8b0000}\n"
    ".clear{border-color:#1a6b1a;background:#e8f6e8;color:#1a6b1a}\n"
    ".state{font-weight:bold}\n"
    ".state-active{color:#8b0000}\n"
    "tr.change td{background:#fafafa;font-size:.9em;border-top:none}\n"
    ".grade{font-size:1.3em;font-weight:bold}\n"
    "footer{margin-top:2em;font-size:.85em;color:#444}\n"
    "@media print{body{margin:0;max-width:none;font-size:10pt}"
    "h2{page-break-after:avoid}tr{page-break-inside:avoid}"
    ".banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void
report_html_records(FILE *f, const json_t *rep, const json_t *answer)
{
	const json_t *recs = json_object_get(answer, "records");
	const json_t *leaves = json_object_get(rep, "leaves");
	const json_t *e;
	size_t i, j;

	fputs("<h2>记录 <small>Records</small></h2>\n", f);
	if (json_array_size(recs) == 0) {
		fputs("<p>No record about the subject on this date.</p>\n", f);
		return;
	}
	fputs("<table class=\"records\">\n<thead><tr><th>City (issuer)</th><th>Kind</th>"
	    "<th>State</th><th>Decided</th><th>Published / valid</th><th>Authority</th>"
	    "<th>Measures / grade</th><th>Record</th></tr></thead>\n<tbody>\n", f);
	json_array_foreach(recs, i, e) {
		const json_t *rec = json_object_get(e, "record"), *c;
		const char *state = report_s(e, "state"), *origin = report_origin_of(e, "");

		fprintf(f, "<tr class=\"record\" data-kind=\"");
		report_esc(f, report_s(rec, "kind"));
		fputs("\"><td>", f);
		report_esc(f, report_s(e, "issuer")[0] ? report_s(e, "issuer") : report_s(rec, "issuer"));
		if (report_s(rec, "region")[0]) {
			fputs(" <small>(", f);
			report_esc(f, report_s(rec, "region"));
			fputs(")</small>", f);
		}
		fputs("</td><td>", f);
		report_kind(f, report_s(rec, "kind"));
		fputs("</td><td><span class=\"state state-", f);
		report_esc(f, state);
		fputs("\">", f);
		report_esc(f, state[0] ? state : "?");
		fputs("</span>", f);
		if (report_s(e, "since")[0]) {
			fputs("<br><small>since ", f);
			report_esc(f, report_s(e, "since"));
			fputs("</small>", f);
		}
		fputs("</td><td>", f);
		report_esc(f, report_s(rec, "decision_date"));
		fputs("</td><td>", f);
		report_dates(f, rec);
		fputs("</td><td>", f);
		report_esc(f, report_s(json_object_get(rec, "authority"), "name"));
		fputs("</td><td>", f);
		report_what(f, e, rec);
		fputs("</td><td class=\"mono\">", f);
		report_esc(f, report_s(rec, "record_id"));
		fputs("<br><small>", f);
		report_esc(f, origin);
		fprintf(f, "#%lld<br>", (long long)json_integer_value(json_object_get(e, "index")));
		report_esc(f, report_leaf_state(leaves, origin,
		    json_integer_value(json_object_get(e, "index"))));
		fputs("</small></td></tr>\n", f);
		json_array_foreach(json_object_get(e, "changes"), j, c) {
			const json_t *cr = json_object_get(c, "record"), *ch = json_object_get(cr, "change");
			const json_t *oc = json_object_get(cr, "outcome");

			fputs("<tr class=\"change\"><td></td><td colspan=\"7\">↳ ", f);
			if (ch != NULL) {
				report_esc(f, report_s(ch, "effective_date"));
				fputs(" ", f);
				report_esc(f, report_s(ch, "type"));
				if (report_s(ch, "reason")[0]) {
					fputs(": ", f);
					report_esc(f, report_s(ch, "reason"));
				}
			} else if (oc != NULL) {
				report_esc(f, report_s(cr, "decision_date"));
				fputs(json_is_true(json_object_get(oc, "fulfilled")) ? " 践诺 fulfilled" :
				    " 违诺 breached", f);
			} else {
				report_kind(f, report_s(cr, "kind"));
			}
			fputs(" <small class=\"mono\">(", f);
			report_esc(f, report_s(cr, "record_id"));
			fputs(", ", f);
			report_esc(f, report_leaf_state(leaves, report_origin_of(c, origin),
			    json_integer_value(json_object_get(c, "index"))));
			fputs(")</small></td></tr>\n", f);
		}
	}
	fputs("</tbody>\n</table>\n", f);
}

/* The subjects of the answer, each with whether it is listed. */
static void
report_html_subjects(FILE *f, const json_t *answer, const char *as_of)
{
	const json_t *subs = json_object_get(answer, "subjects"), *recs, *e, *r;
	size_t i, j;

	json_array_foreach(subs, i, e) {
		const json_t *sj = json_object_get(e, "subject");
		const json_t *listed = json_object_get(e, "listed");
		int is_listed = 0, first = 1;

		fputs("<section class=\"subject\">\n<h2>", f);
		report_esc(f, report_s(sj, "name")[0] ? report_s(sj, "name") : report_s(e, "key"));
		fputs("</h2>\n<table class=\"meta\">\n", f);
		if (report_s(sj, "credit_code")[0]) {
			fputs("<tr><th>统一社会信用代码 Credit code</th><td class=\"mono\">", f);
			report_esc(f, report_s(sj, "credit_code"));
			fputs("</td></tr>\n", f);
		}
		if (report_s(sj, "id_number")[0]) {
			fputs("<tr><th>证件号码 Identity number</th><td class=\"mono\">", f);
			report_esc(f, report_s(sj, "id_number"));
			fputs("</td></tr>\n", f);
		}
		if (report_s(sj, "business_reg_no")[0]) {
			fputs("<tr><th>工商注册号 Registration no.</th><td class=\"mono\">", f);
			report_esc(f, report_s(sj, "business_reg_no"));
			fputs("</td></tr>\n", f);
		}
		if (report_s(sj, "legal_rep")[0]) {
			fputs("<tr><th>法定代表人 Legal representative</th><td>", f);
			report_esc(f, report_s(sj, "legal_rep"));
			fputs("</td></tr>\n", f);
		}
		if (json_is_integer(json_object_get(e, "total")))
			fprintf(f, "<tr><th>Records</th><td>%lld active of %lld</td></tr>\n",
			    (long long)json_integer_value(json_object_get(e, "active")),
			    (long long)json_integer_value(json_object_get(e, "total")));
		fputs("</table>\n", f);
		/* listed: the answer says so, or an active list entry names it */
		if (json_is_boolean(listed))
			is_listed = json_is_true(listed);
		recs = json_object_get(answer, "records");
		fputs("<p class=\"banner ", f);
		if (!json_is_boolean(listed))
			json_array_foreach(recs, j, r) {
				const char *k = report_s(json_object_get(r, "record"), "kind");

				if ((strcmp(k, "dishonest_list") == 0 || strcmp(k, "dishonest_debtor") == 0) &&
				    strcmp(report_s(r, "state"), "active") == 0)
					is_listed = 1;
			}
		if (is_listed && json_is_array(json_object_get(e, "listed_in"))) {
			fputs("listed\" data-listed=\"yes\">⚠ 列入失信联合惩戒对象名单 · Listed for joint "
			    "punishment", f);
			json_array_foreach(json_object_get(e, "listed_in"), j, r) {
				fputs(first ? " in " : ", ", f);
				report_esc(f, json_string_value(r));
				first = 0;
			}
		} else if (is_listed) {
			fputs("listed\" data-listed=\"yes\">⚠ 列入失信联合惩戒对象名单 · Listed for joint "
			    "punishment", f);
			json_array_foreach(recs, j, r) {
				const json_t *rc = json_object_get(r, "record");
				const char *k = report_s(rc, "kind");

				if ((strcmp(k, "dishonest_list") == 0 || strcmp(k, "dishonest_debtor") == 0) &&
				    strcmp(report_s(r, "state"), "active") == 0) {
					fputs(first ? " in " : ", ", f);
					report_esc(f, report_s(r, "issuer")[0] ? report_s(r, "issuer") :
					    report_s(rc, "issuer"));
					first = 0;
				}
			}
		} else {
			fputs("clear\" data-listed=\"no\">✓ 未列入 · Not listed anywhere in the corridor", f);
		}
		fputs(" (as of ", f);
		report_esc(f, as_of);
		fputs(")</p>\n</section>\n", f);
	}
}

/* Names on a checkpoint's signature lines (not verified here: the
 * verifier does that). */
static void
report_html_signers(FILE *f, const char *note, size_t len)
{
	size_t textlen, pos;
	int first = 1;

	if (note_text(note, len, &textlen) != 0)
		return;
	for (pos = textlen + 1; pos < len;) {
		const char *l = note + pos, *nl = memchr(l, '\n', len - pos), *sp;
		size_t ln = nl ? (size_t)(nl - l) : len - pos;

		pos += ln + 1;
		if (ln < 5 || memcmp(l, "\xe2\x80\x94 ", 4) != 0 ||
		    (sp = memchr(l + 4, ' ', ln - 4)) == NULL)
			continue;
		if (!first)
			fputs(", ", f);
		fprintf(f, "%.*s", (int)(sp - (l + 4)), l + 4);
		first = 0;
	}
}

static void
report_html_data(FILE *f, const json_t *rep)
{
	const json_t *cps = json_object_get(rep, "checkpoints"), *c;
	size_t i;

	fputs("<h2>数据 <small>The logs this report was computed against</small></h2>\n"
	    "<table class=\"data\">\n<thead><tr><th>Log</th><th>Size</th><th>Root</th>"
	    "<th>Signed and cosigned by</th></tr></thead>\n<tbody>\n", f);
	json_array_foreach(cps, i, c) {
		const char *note = json_string_value(c);
		size_t len = json_string_length(c), textlen;
		char *origin = NULL, b64[B64_LEN(TLOG_HASH_LEN)];
		uint64_t size;
		tlog_hash root;

		if (note == NULL || note_text(note, len, &textlen) != 0 ||
		    tlog_checkpoint_parse(note, textlen, &origin, &size, root) != 0)
			continue;
		b64_encode(b64, root, TLOG_HASH_LEN);
		fputs("<tr><td class=\"mono\">", f);
		report_esc(f, origin);
		fprintf(f, "</td><td>%llu</td><td class=\"mono\">%s</td><td>",
		    (unsigned long long)size, b64);
		report_html_signers(f, note, len);
		fputs("</td></tr>\n", f);
		free(origin);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* The report as canonical JSON with '<', '>' and '&' escaped (they can
 * only be inside strings), so that it cannot end the script element. */
static char *
report_embed(const json_t *rep)
{
	size_t n, i, o = 0, extra = 0;
	char *c = screen_canonical(rep, &n), *out;

	if (c == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		extra += (c[i] == '<' || c[i] == '>' || c[i] == '&') ? 5 : 0;
	if ((out = malloc(n + extra + 1)) == NULL) {
		free(c);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (c[i] == '<' || c[i] == '>' || c[i] == '&') {
			snprintf(out + o, 7, "\\u%04x", (unsigned)c[i]);
			o += 6;
		} else {
			out[o++] = c[i];
		}
	}
	out[o] = '\0';
	free(c);
	return out;
}

/* The query for a person: what was searched, and each filter that is set. */
static void
report_query(FILE *f, const char *text)
{
	static const struct {
		const char *by, *label;
	} bys[] = {
		{ "code", "统一社会信用代码 credit code" },
		{ "id_number", "证件号码 identity number" },
		{ "name", "名称 name" },
		{ "reg_no", "工商注册号 registration number" },
	};
	json_t *q = json_loads(text, 0, NULL), *v;
	const char *by = report_s(q, "by"), *k;
	size_t i;

	for (i = 0; i < sizeof(bys) / sizeof(bys[0]) && strcmp(bys[i].by, by) != 0; i++)
		;
	report_esc(f, i < sizeof(bys) / sizeof(bys[0]) ? bys[i].label : by);
	fputs(" <span class=\"mono\">", f);
	report_esc(f, report_s(q, "value"));
	fputs("</span>", f);
	if (json_is_true(json_object_get(q, "prefix")))
		fputs(" (prefix)", f);
	if (json_is_true(json_object_get(q, "history")))
		fputs(" · with history", f);
	json_object_foreach(q, k, v) {
		if (strcmp(k, "city") != 0 && strcmp(k, "sector") != 0 && strcmp(k, "from") != 0 &&
		    strcmp(k, "to") != 0 && strcmp(k, "kinds") != 0)
			continue;
		if (json_is_string(v) && json_string_length(v) > 0) {
			fprintf(f, " · %s ", k);
			report_esc(f, json_string_value(v));
		} else if (json_array_size(v) > 0) {
			fprintf(f, " · %s ", k);
			report_join(f, v, ", ");
		}
	}
	json_decref(q);
}

int
report_html(const json_t *rep, char **html)
{
	struct receipt_stmt s;
	const json_t *note = json_object_get(rep, "report"), *answer = json_object_get(rep, "answer");
	const json_t *leaves = json_object_get(rep, "leaves"), *e;
	const char *as_of = report_s(answer, "as_of"), *title;
	size_t textlen, cap = 0, i, withheld = 0;
	char *buf = NULL, *embed = NULL, tbuf[21];
	FILE *f;
	int rc;

	*html = NULL;
	if (!json_is_string(note) || !json_is_object(answer) ||
	    note_text(json_string_value(note), json_string_length(note), &textlen) != 0 ||
	    receipt_stmt_parse(&s, json_string_value(note), textlen) != 0)
		return cx_seterr(CX_EINVAL, "not a credit report");
	if (s.kind != RECEIPT_REPORT) {
		receipt_stmt_free(&s);
		return cx_seterr(CX_EINVAL, "not a credit report");
	}
	if ((embed = report_embed(rep)) == NULL || (f = open_memstream(&buf, &cap)) == NULL) {
		free(embed);
		receipt_stmt_free(&s);
		return CX_ENOMEM;
	}
	e = json_array_get(json_object_get(answer, "subjects"), 0);
	title = report_s(json_object_get(e, "subject"), "name");
	receipt_time_format(tbuf, s.time);
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>专用信用报告 · ", f);
	report_esc(f, title);
	fputs(" · ", f);
	report_esc(f, as_of);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", report_css);
	fputs("<h1>专用信用报告 <small>Dedicated credit report</small></h1>\n"
	    "<table class=\"meta\">\n<tr><th>出具节点 Issued by</th><td>", f);
	report_esc(f, s.node);
	fprintf(f, " at %s</td></tr>\n<tr><th>查询人 Requested by</th><td>", tbuf);
	report_esc(f, s.who);
	fputs(" (", f);
	report_esc(f, s.role);
	fputs(")</td></tr>\n<tr><th>截至日期 As of</th><td>", f);
	report_esc(f, as_of);
	fputs("</td></tr>\n<tr><th>查询条件 Query</th><td>", f);
	report_query(f, s.query);
	fputs("</td></tr>\n<tr><th>等级映射表 Grade table</th><td>", f);
	report_esc(f, s.grades_version);
	fprintf(f, "</td></tr>\n<tr><th>证件号码 Identity numbers</th><td>%s</td></tr>\n</table>\n",
	    s.ids_shown ? "shown" : "masked (the asker's role may not see them)");
	report_html_subjects(f, answer, as_of);
	report_html_records(f, rep, answer);
	report_html_data(f, rep);
	json_array_foreach(leaves, i, e)
		withheld += json_object_get(e, "withheld") != NULL;
	fputs("<h2>核验 <small>How to check this report</small></h2>\n<p>This page carries the "
	    "whole report, signed by the node that made it. Anyone holding the federation's "
	    "roster checks it offline:</p>\n<pre>cxnode verify THIS-FILE.html --roster roster.pb "
	    "--root root.pub</pre>\n<p>which checks the node's signature, every log's signed "
	    "checkpoint and its cosignatures, that every record above is in its city's log (an "
	    "RFC 6962 inclusion proof to the checkpoint), that each record is exactly what the "
	    "log holds, and that this page is exactly what the signed data says.</p>\n", f);
	if (withheld)
		fprintf(f, "<p>%zu log entr%s hold an identity number in clear (a natural "
		    "person's, or a legal representative's), which the asker may not see: %s "
		    "withheld (personal data), proved by %s hash only, and the record shown is "
		    "what the node's signature says.</p>\n", withheld, withheld == 1 ? "y" : "ies",
		    withheld == 1 ? "it is" : "they are", withheld == 1 ? "its" : "their");
	fputs("<footer>Report digest ", f);
	for (i = 0; i < 32; i++)
		fprintf(f, "%02x", s.report[i]);
	fputs(" · answer digest ", f);
	for (i = 0; i < 32; i++)
		fprintf(f, "%02x", s.answer[i]);
	fputs("</footer>\n" REPORT_SCRIPT_OPEN, f);
	fputs(embed, f);
	fputs(REPORT_SCRIPT_CLOSE "\n</body>\n</html>\n", f);
	rc = fclose(f) == 0 && buf != NULL ? 0 : CX_ENOMEM;
	free(embed);
	receipt_stmt_free(&s);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*html = buf;
	return 0;
}

int
report_from_html(json_t **out, const char *buf, size_t len)
{
	const char *p, *q;
	json_error_t je;

	*out = NULL;
	p = memmem(buf, len, REPORT_SCRIPT_OPEN, strlen(REPORT_SCRIPT_OPEN));
	if (p == NULL)
		return cx_seterr(CX_EFORMAT, "no embedded report (%s) in the page", REPORT_SCRIPT_OPEN);
	p += strlen(REPORT_SCRIPT_OPEN);
	q = memmem(p, len - (size_t)(p - buf), REPORT_SCRIPT_CLOSE, strlen(REPORT_SCRIPT_CLOSE));
	if (q == NULL)
		return cx_seterr(CX_EFORMAT, "the embedded report does not end");
	*out = json_loadb(p, (size_t)(q - p), JSON_REJECT_DUPLICATES, &je);
	if (*out == NULL)
		return cx_seterr(CX_EFORMAT, "the embedded report is not JSON: %s", je.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cx_seterr(CX_EFORMAT, "the embedded report is not a JSON object");
	}
	return 0;
}

int
report_verify_bytes(json_t **result, const char *buf, size_t len, const Cx__Roster *roster)
{
	json_t *rep = NULL, *r;
	json_error_t je;
	size_t i;
	int rc, html;

	*result = NULL;
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' ||
	    buf[i] == '\t'); i++)
		;
	html = i < len && buf[i] == '<';
	if (html)
		rc = report_from_html(&rep, buf, len);
	else if ((rep = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		rc = cx_seterr(CX_EFORMAT, "not JSON: %s (line %d)", je.text, je.line);
	else
		rc = 0;
	if (rc != 0) {
		if ((r = json_pack("{s:b, s:s, s:[s]}", "valid", 0, "format", html ? "html" : "json",
		    "problems", cx_lasterr())) == NULL)
			return CX_ENOMEM;
		*result = r;
		return receipt_result_code(r);
	}
	rc = report_verify(result, rep, roster);
	if (*result != NULL)
		json_object_set_new(*result, "format", json_string(html ? "html" : "json"));
	if (rc != CX_ENOMEM && html && *result != NULL) {
		char *mine = NULL;

		if (report_html(rep, &mine) != 0) {
			receipt_problem(*result, "the page cannot be made again from its report: %s",
			    cx_lasterr());
		} else if (strlen(mine) != len || memcmp(mine, buf, len) != 0) {
			size_t at = 0, ml = strlen(mine);

			while (at < len && at < ml && mine[at] == buf[at])
				at++;
			receipt_problem(*result, "the page is not what its embedded report says (it differs "
			    "from byte %zu on)", at);
		}
		free(mine);
		rc = receipt_result_code(*result);
	}
	json_decref(rep);
	return rc;
}
