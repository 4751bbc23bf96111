/*
 * query.c — state of a subject's records on a date.
 *
 * Rules (docs/query.md has the full table):
 *   1. Changes apply from their effective date on, in order of effective
 *      date then log position. A correction replaces the content (the
 *      replacement carries its own dates and windows); a repair, removal or
 *      withdrawal ends the record's effect from that day.
 *   2. A record counts from its publication start (its decision date when
 *      no later start was given) and stops on its publicity maximum end
 *      (exclusive: "publication stops on this day"); licences, evaluations
 *      and commitments also stop after their validity end (inclusive:
 *      "valid until").
 *   4. A record whose content in effect (after corrections) no longer
 *      names the subject searched for is "other-subject", not active.
 *   3. The as-of date moves the whole picture: changes effective later and
 *      records decided later are ignored.
 *
 * A search may be limited to the first leaves of some logs (a screening
 * view, node/screen.h): then nothing else exists for it, neither records
 * nor the changes pointing at them. Prefix searches scan the 'S' index
 * from the prefix without its terminating 0x00 and give the distinct
 * values they pass, which are then searched for exactly.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node/node.h"
#include "node/query.h"
#include "ingest/text.h"
#include "util/err.h"

const char *
query_state_name(int state)
{
	switch (state) {
	case QUERY_ACTIVE: return "active";
	case QUERY_PENDING: return "pending";
	case QUERY_EXPIRED: return "expired";
	case QUERY_REPAIRED: return "repaired";
	case QUERY_REMOVED: return "removed";
	case QUERY_WITHDRAWN: return "withdrawn";
	case QUERY_UNPUBLISHED: return "unpublished";
	case QUERY_NOT_YET: return "not-yet";
	case QUERY_OTHER_SUBJECT: return "other-subject";
	}
	return "?";
}

static uint32_t
query_change_date(const Cx__Record *r)
{
	if (r->body_case == CX__RECORD__BODY_CHANGE && r->change && r->change->effective_date)
		return r->change->effective_date;
	return r->decision_date;
}

/* Validity end (inclusive) carried by the body, or 0. */
static uint32_t
query_valid_until(const Cx__Record *r)
{
	switch (r->body_case) {
	case CX__RECORD__BODY_LICENCE:
		return r->licence ? r->licence->valid_until : 0;
	case CX__RECORD__BODY_EVALUATION:
		return r->evaluation ? r->evaluation->valid_until : 0;
	case CX__RECORD__BODY_COMMITMENT:
		return r->commitment ? r->commitment->valid_until : 0;
	default:
		return 0;
	}
}

int
query_state(const Cx__Record *rec, const struct query_change *ch, size_t nch, uint32_t d,
    const Cx__Record **current, uint32_t *since)
{
	const Cx__Record *cur = rec;
	uint32_t start, until;
	size_t i;

	*since = 0;
	for (i = 0; i < nch; i++) {
		const Cx__Record *c = ch[i].rec;
		uint32_t eff = query_change_date(c);

		if (c->body_case != CX__RECORD__BODY_CHANGE || c->change == NULL || eff > d)
			continue;
		switch (c->change->type) {
		case CX__CHANGE_TYPE__CORRECTION:
			if (c->change->replacement)
				cur = c->change->replacement;
			break;
		case CX__CHANGE_TYPE__REPAIR:
			*current = cur;
			*since = eff;
			return QUERY_REPAIRED;
		case CX__CHANGE_TYPE__REMOVAL:
			*current = cur;
			*since = eff;
			return QUERY_REMOVED;
		case CX__CHANGE_TYPE__WITHDRAWAL:
			*current = cur;
			*since = eff;
			return QUERY_WITHDRAWN;
		default:
			break;
		}
	}
	*current = cur;
	if (cur->decision_date > d) {
		*since = cur->decision_date;
		return QUERY_NOT_YET;
	}
	start = cur->publication_start ? cur->publication_start : cur->decision_date;
	if (start > d) {
		*since = cur->decision_date;
		return QUERY_PENDING;
	}
	if (cur->publicity_max_end && cur->publicity_max_end <= start) {
		/* a zero-length window: the rule says it is not published */
		*since = start;
		return QUERY_UNPUBLISHED;
	}
	if (cur->publicity_max_end && d >= cur->publicity_max_end) {
		*since = cur->publicity_max_end;
		return QUERY_EXPIRED;
	}
	until = query_valid_until(cur);
	if (until && d > until) {
		*since = until;
		return QUERY_EXPIRED;
	}
	*since = start;
	return QUERY_ACTIVE;
}

/*
 * Whether the content in effect still names the subject searched for: a
 * correction may move a record to another subject (a wrong company was
 * named), and a search finds records by every subject they ever named.
 */
static int
query_names(const Cx__Record *cur, int by, const char *value)
{
	const Cx__Subject *s = cur->subject;
	char *a = NULL, *b = NULL;
	int same;

	if (s == NULL)
		return 0;
	switch (by) {
	case QUERY_BY_CODE:
		return strcmp(s->credit_code, value) == 0;
	case QUERY_BY_REGNO:
		return strcmp(s->business_reg_no, value) == 0;
	case QUERY_BY_ID:
		return strcasecmp(s->id_number, value) == 0;
	case QUERY_BY_NAME:
		if (text_normalize(&a, s->name, strlen(s->name)) != 0 ||
		    text_normalize(&b, value, strlen(value)) != 0)
			same = 1;   /* cannot tell: keep the record */
		else
			same = strcmp(a, b) == 0;
		free(a);
		free(b);
		return same;
	}
	return 1;
}

/* ---- collecting --------------------------------------------------------- */

struct query_ref {
	uint32_t log;
	uint64_t index;
};

struct query_refs {
	struct query_ref *v;
	size_t n, cap;
};

static int
query_refs_add(struct query_refs *rs, uint32_t log, uint64_t index)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].log == log && rs->v[i].index == index)
			return 0;
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 16;
		struct query_ref *nv = realloc(rs->v, nc * sizeof(*nv));

		if (nv == NULL)
			return CX_ENOMEM;
		rs->v = nv;
		rs->cap = nc;
	}
	rs->v[rs->n].log = log;
	rs->v[rs->n].index = index;
	rs->n++;
	return 0;
}

/* Whether leaf index of log is within lim (NULL: everything is). */
static int
query_allowed(const struct query_limit *lim, size_t nlim, uint32_t log, uint64_t index)
{
	size_t i;

	if (lim == NULL)
		return 1;
	for (i = 0; i < nlim; i++)
		if (lim[i].log == log)
			return index < lim[i].size;
	return 0;
}

struct query_scan {
	struct query_refs *refs;
	const struct query_limit *lim;
	size_t nlim;
	int rc;
};

static int
query_collect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct query_scan *qs = ctx;
	const uint8_t *k = key;
	uint32_t log;
	uint64_t index;

	(void)val;
	(void)vlen;
	if (klen < 12)
		return 0;
	log = idx_get32(k + klen - 12);
	index = idx_get64(k + klen - 8);
	if (!query_allowed(qs->lim, qs->nlim, log, index))
		return 0;
	qs->rc = query_refs_add(qs->refs, log, index);
	return qs->rc != 0;   /* stop on failure; the caller returns qs->rc */
}

static int
query_load(store_txn *t, uint32_t log, uint64_t index, Cx__Record **out)
{
	const uint8_t *leaf;
	size_t len;
	int rc;

	if ((rc = store_leaf(t, log, index, &leaf, &len)) != 0)
		return rc;
	*out = idx_unpack(leaf, len);
	if (*out == NULL)
		return cx_seterr(CX_ECORRUPT, "leaf %llu of log %u does not decode",
		    (unsigned long long)index, log);
	return 0;
}

static int
query_change_cmp(const void *a, const void *b)
{
	const struct query_change *x = a, *y = b;
	uint32_t dx = query_change_date(x->rec), dy = query_change_date(y->rec);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static int
query_hit_cmp(const void *a, const void *b)
{
	const struct query_hit *x = a, *y = b;
	uint32_t dx = x->current->decision_date, dy = y->current->decision_date;

	if ((x->state == QUERY_ACTIVE) != (y->state == QUERY_ACTIVE))
		return x->state == QUERY_ACTIVE ? -1 : 1;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (x->log != y->log)
		return x->log < y->log ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

/* Scan changes pointing at (log, index). */
struct query_tscan {
	store_txn *t;
	uint32_t log;
	struct query_hit *h;
	const struct query_limit *lim;
	size_t nlim;
	int rc;
};

static int
query_tcollect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct query_tscan *s = ctx;
	struct query_change *nc;
	Cx__Record *r;

	(void)val;
	(void)vlen;
	if (klen != 21)
		return 0;
	if (!query_allowed(s->lim, s->nlim, s->log, idx_get64((const uint8_t *)key + 13)))
		return 0;
	if ((s->rc = query_load(s->t, s->log, idx_get64((const uint8_t *)key + 13), &r)) != 0)
		return 1;
	nc = realloc(s->h->changes, (s->h->nchanges + 1) * sizeof(*nc));
	if (nc == NULL) {
		cx__record__free_unpacked(r, NULL);
		s->rc = CX_ENOMEM;
		return 1;
	}
	s->h->changes = nc;
	nc[s->h->nchanges].log = s->log;
	nc[s->h->nchanges].index = idx_get64((const uint8_t *)key + 13);
	nc[s->h->nchanges].rec = r;
	s->h->nchanges++;
	return 0;
}

int
query_subject(struct query_result *out, store_txn *t, int by, const char *value,
    uint32_t as_of)
{
	return query_subject_in(out, t, by, value, as_of, NULL, 0);
}

int
query_subject_in(struct query_result *out, store_txn *t, int by, const char *value,
    uint32_t as_of, const struct query_limit *lim, size_t nlim)
{
	struct query_refs found = { 0 }, prim = { 0 };
	struct query_scan qs = { .refs = &found, .lim = lim, .nlim = nlim };
	uint8_t key[512];
	size_t klen, i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (by == QUERY_BY_ID) {
		/* the id type is part of the key; look under every type */
		char v[80];
		int ty;

		if (strlen(value) > sizeof(v) - 2)
			return cx_seterr(CX_EINVAL, "identity number too long");
		for (ty = 0; ty <= 5 && rc == 0; ty++) {
			v[0] = (char)('0' + ty);
			strcpy(v + 1, value);
			klen = idx_subject_prefix(key, sizeof(key), 'I', v);
			rc = store_index_scan(t, key, klen, query_collect, &qs);
			if (rc == 0)
				rc = qs.rc;
		}
	} else {
		klen = idx_subject_prefix(key, sizeof(key), (char)by, value);
		if (klen == 0)
			return cx_seterr(CX_EINVAL, "search value too long");
		rc = store_index_scan(t, key, klen, query_collect, &qs);
		if (rc == 0)
			rc = qs.rc;
	}
	if (rc != 0)
		goto out;

	/* changes and outcomes found by subject lead to their targets */
	for (i = 0; i < found.n; i++) {
		Cx__Record *r;
		const Cx__Ref *ref = NULL;

		if ((rc = query_load(t, found.v[i].log, found.v[i].index, &r)) != 0)
			goto out;
		if (r->body_case == CX__RECORD__BODY_CHANGE && r->change)
			ref = r->change->target;
		if (ref != NULL)
			rc = query_refs_add(&prim, found.v[i].log, ref->index);
		else
			rc = query_refs_add(&prim, found.v[i].log, found.v[i].index);
		cx__record__free_unpacked(r, NULL);
		if (rc != 0)
			goto out;
	}

	if (prim.n > 0 && (out->hits = calloc(prim.n, sizeof(*out->hits))) == NULL) {
		rc = CX_ENOMEM;
		goto out;
	}
	for (i = 0; i < prim.n; i++) {
		struct query_hit *h = &out->hits[out->n];
		struct query_tscan ts = { .t = t, .log = prim.v[i].log, .h = h, .lim = lim,
			.nlim = nlim };

		h->log = prim.v[i].log;
		h->index = prim.v[i].index;
		if ((rc = query_load(t, h->log, h->index, &h->rec)) != 0)
			goto out;
		out->n++;
		key[0] = IDX_TARGET;
		idx_put32(key + 1, h->log);
		idx_put64(key + 5, h->index);
		if ((rc = store_index_scan(t, key, 13, query_tcollect, &ts)) != 0 || (rc = ts.rc) != 0)
			goto out;
		if (h->nchanges > 1)
			qsort(h->changes, h->nchanges, sizeof(*h->changes), query_change_cmp);
		h->state = query_state(h->rec, h->changes, h->nchanges, as_of, &h->current, &h->since);
		if (!query_names(h->current, by, value))
			h->state = QUERY_OTHER_SUBJECT;
		if (h->state == QUERY_ACTIVE)
			out->nactive++;
	}
	if (out->n > 1)
		qsort(out->hits, out->n, sizeof(*out->hits), query_hit_cmp);
out:
	free(found.v);
	free(prim.v);
	if (rc != 0)
		query_result_free(out);
	return rc;
}

/* ---- prefix search -------------------------------------------------------- */

struct query_pscan {
	const struct query_limit *lim;
	size_t nlim;
	size_t skip;            /* key bytes before the value */
	char **v;
	size_t n, cap, max;     /* max 0: no limit */
	int rc;
};

static int
query_pcollect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct query_pscan *ps = ctx;
	const uint8_t *k = key;
	size_t n;
	char *s;

	(void)val;
	(void)vlen;
	if (klen < ps->skip + 13 || k[klen - 13] != 0)
		return 0;
	if (!query_allowed(ps->lim, ps->nlim, idx_get32(k + klen - 12), idx_get64(k + klen - 8)))
		return 0;
	n = klen - 13 - ps->skip;
	/* keys of one value are adjacent: compare with the last one taken */
	if (ps->n > 0 && strlen(ps->v[ps->n - 1]) == n &&
	    memcmp(ps->v[ps->n - 1], k + ps->skip, n) == 0)
		return 0;
	if (ps->max != 0 && ps->n >= ps->max) {
		ps->rc = CX_ETOOBIG;
		return 1;
	}
	if (ps->n == ps->cap) {
		size_t nc = ps->cap ? ps->cap * 2 : 16;
		char **nv = realloc(ps->v, nc * sizeof(*nv));

		if (nv == NULL) {
			ps->rc = CX_ENOMEM;
			return 1;
		}
		ps->v = nv;
		ps->cap = nc;
	}
	if ((s = malloc(n + 1)) == NULL) {
		ps->rc = CX_ENOMEM;
		return 1;
	}
	memcpy(s, k + ps->skip, n);
	s[n] = '\0';
	ps->v[ps->n++] = s;
	return 0;
}

static int
query_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
query_prefix(char ***out, size_t *n, store_txn *t, int by, const char *prefix,
    const struct query_limit *lim, size_t nlim, size_t max)
{
	struct query_pscan ps = { .lim = lim, .nlim = nlim, .skip = 2 };
	uint8_t key[512];
	char *norm = NULL;
	size_t plen, i, j;
	int rc = 0, ty;

	*out = NULL;
	*n = 0;
	if (by != QUERY_BY_CODE && by != QUERY_BY_ID && by != QUERY_BY_NAME && by != QUERY_BY_REGNO)
		return cx_seterr(CX_EINVAL, "unknown search kind");
	if (by == QUERY_BY_NAME) {
		if ((rc = text_normalize(&norm, prefix, strlen(prefix))) != 0)
			return rc;
	} else if ((norm = strdup(prefix)) == NULL) {
		return CX_ENOMEM;
	}
	if (by == QUERY_BY_ID)
		for (i = 0; norm[i]; i++)
			if (norm[i] >= 'a' && norm[i] <= 'z')
				norm[i] -= 32;
	plen = strlen(norm);
	if (plen == 0 || plen + 3 > 400) {
		free(norm);
		return cx_seterr(CX_EINVAL, plen ? "search prefix too long" : "empty search prefix");
	}
	key[0] = IDX_SUBJECT;
	key[1] = (uint8_t)by;
	if (by == QUERY_BY_ID) {
		/* the id type digit comes first: one scan per type, merged */
		ps.skip = 3;
		ps.max = max ? max * 6 : 0;
		for (ty = 0; ty <= 5 && rc == 0; ty++) {
			key[2] = (uint8_t)('0' + ty);
			memcpy(key + 3, norm, plen);
			rc = store_index_scan(t, key, 3 + plen, query_pcollect, &ps);
			if (rc == 0)
				rc = ps.rc;
		}
		if (rc == 0 && ps.n > 1) {
			qsort(ps.v, ps.n, sizeof(*ps.v), query_strcmp);
			for (i = 1, j = 1; i < ps.n; i++) {
				if (strcmp(ps.v[i], ps.v[j - 1]) == 0)
					free(ps.v[i]);
				else
					ps.v[j++] = ps.v[i];
			}
			ps.n = j;
		}
		if (rc == 0 && max != 0 && ps.n > max)
			rc = CX_ETOOBIG;
	} else {
		ps.max = max;
		memcpy(key + 2, norm, plen);
		rc = store_index_scan(t, key, 2 + plen, query_pcollect, &ps);
		if (rc == 0)
			rc = ps.rc;
	}
	if (rc == CX_ETOOBIG)
		cx_seterr(CX_ETOOBIG, "more than %zu subjects start with \"%s\": give a longer prefix",
		    max, prefix);
	free(norm);
	if (rc != 0) {
		query_values_free(ps.v, ps.n);
		return rc;
	}
	*out = ps.v;
	*n = ps.n;
	return 0;
}

void
query_values_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
query_result_free(struct query_result *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->hits[i].nchanges; j++)
			cx__record__free_unpacked(r->hits[i].changes[j].rec, NULL);
		free(r->hits[i].changes);
		cx__record__free_unpacked(r->hits[i].rec, NULL);
	}
	free(r->hits);
	memset(r, 0, sizeof(*r));
}
