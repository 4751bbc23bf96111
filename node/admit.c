/*
 * admit.c — the federation's rules on replicated leaves (admit.h), and the
 * one check of a status change's target shared with the importer.
 *
 * Design
 *
 * A batch of another issuer's leaves is admitted on one thread, in log
 * order, against a read snapshot of the store taken before the batch:
 *
 *   leaf bytes --idx_unpack--> record --issuer, region--> --validate-->
 *   --roster kind--> --record_id new? (batch table, then 'R' index)-->
 *   --target (batch table, then 'R' index + leaf)--> admit_check_target
 *   --> joins the batch table
 *
 * The batch table is open addressing over one entry array; record ids live
 * in one growing arena and entries hold offsets into it, so admitting a
 * leaf allocates nothing beyond the protobuf unpack (a target read from the
 * store costs one more unpack). Both grow by doubling.
 *
 *   entry: | hash u64 | id offset | id length | struct admit_target |
 *   ids:   | id0 | id1 | ... (not NUL-terminated) |
 *
 * Invariant: every entry in the table is a leaf that passed every check,
 * at index start .. next-1, so a reference into the batch points at an
 * admitted, earlier leaf.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credit/rules.h"
#include "credit/validate.h"
#include "ingest/json.h"
#include "keys/roster.h"
#include "node/admit.h"
#include "node/node.h"
#include "util/err.h"

struct admit_ent {
	uint64_t h;            /* 0: empty slot (hashes are forced non-zero) */
	size_t off;
	size_t len;
	struct admit_target t;
};

struct admit {
	store_txn *rd;
	uint32_t log;
	const Cx__Roster *roster;
	const Cx__Member *member;
	const char *issuer;
	uint64_t next;              /* index of the next leaf */
	uint64_t start;             /* log size in rd */
	struct admit_ent *tab;      /* capacity ntab, a power of two */
	size_t ntab, nent;
	char *ids;                  /* record ids of the batch */
	size_t idlen, idcap;
	struct idx_buf *keys;       /* where admitted records' index keys go */
};

/* ---- the shared check ---------------------------------------------------- */

void
admit_target_of(struct admit_target *t, const Cx__Record *r)
{
	t->kind = r->kind;
	t->decision = r->decision_date;
	snprintf(t->authority, sizeof(t->authority), "%s",
	    r->authority && r->authority->credit_code ? r->authority->credit_code : "");
}

int
admit_check_target(const struct admit_target *t, const Cx__Record *by, const Cx__Ref *ref,
    int change, uint32_t effective, char *err, size_t cap)
{
	const char *auth;

	if (change < 0 ? t->kind != CX__RECORD_KIND__COMMITMENT :
	    !rules_change_applies(change, t->kind)) {
		char kname[40];

		if (json_enum_name(kname, sizeof(kname), &cx__record_kind__descriptor, t->kind) != 0)
			strcpy(kname, "?");
		snprintf(err, cap, "target %s is a %s record, which this %s cannot change",
		    ref->record_id, kname, change < 0 ? "outcome" :
		    change == CX__CHANGE_TYPE__REMOVAL ? "removal" :
		    change == CX__CHANGE_TYPE__REPAIR ? "repair" : "status change");
		return CX_EINVAL;
	}
	auth = by->authority && by->authority->credit_code ? by->authority->credit_code : "";
	if (change >= 0 && strcmp(auth, t->authority) != 0) {
		snprintf(err, cap, "CF_CFJGDM: %s was decided by authority %s; only that authority "
		    "changes it (this change names %s)", ref->record_id, t->authority, auth);
		return CX_EINVAL;
	}
	if (effective && t->decision && effective < t->decision) {
		snprintf(err, cap, "effective date is before the target's decision date");
		return CX_EINVAL;
	}
	if (ref->index != 0 && ref->index != t->index) {
		snprintf(err, cap, "target index %llu does not match %s (leaf %llu)",
		    (unsigned long long)ref->index, ref->record_id, (unsigned long long)t->index);
		return CX_EINVAL;
	}
	if (ref->leaf_hash.len != 0 && (ref->leaf_hash.len != TLOG_HASH_LEN ||
	    memcmp(ref->leaf_hash.data, t->hash, TLOG_HASH_LEN) != 0)) {
		snprintf(err, cap, "target leaf hash does not match %s", ref->record_id);
		return CX_EINVAL;
	}
	if (change == CX__CHANGE_TYPE__CORRECTION && by->change->replacement != NULL) {
		if ((int)by->change->replacement->kind != t->kind) {
			snprintf(err, cap, "a correction's replacement is of the target's kind");
			return CX_EINVAL;
		}
		if (strcmp(by->change->replacement->record_id, ref->record_id) != 0) {
			snprintf(err, cap, "a correction's replacement keeps the target's record_id");
			return CX_EINVAL;
		}
	}
	return 0;
}

/* ---- the batch table ----------------------------------------------------- */

static uint64_t
admit_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h ? h : 1;
}

static struct admit_ent *
admit_find(const struct admit *a, const char *id)
{
	size_t n = strlen(id), i;
	uint64_t h;

	if (a->nent == 0)
		return NULL;
	h = admit_hash(id, n);
	for (i = h & (a->ntab - 1); a->tab[i].h != 0; i = (i + 1) & (a->ntab - 1)) {
		const struct admit_ent *e = &a->tab[i];

		if (e->h == h && e->len == n && memcmp(a->ids + e->off, id, n) == 0)
			return &a->tab[i];
	}
	return NULL;
}

static int
admit_add(struct admit *a, const char *id, const struct admit_target *t)
{
	size_t n = strlen(id), i;
	uint64_t h = admit_hash(id, n);

	if ((a->nent + 1) * 2 > a->ntab) {
		size_t nn = a->ntab ? a->ntab * 2 : 4096, j;
		struct admit_ent *nt = calloc(nn, sizeof(*nt));

		if (nt == NULL)
			return cx_seterr(CX_ENOMEM, "admission table");
		for (j = 0; j < a->ntab; j++) {
			if (a->tab[j].h == 0)
				continue;
			for (i = a->tab[j].h & (nn - 1); nt[i].h != 0; i = (i + 1) & (nn - 1))
				;
			nt[i] = a->tab[j];
		}
		free(a->tab);
		a->tab = nt;
		a->ntab = nn;
	}
	if (a->idlen + n > a->idcap) {
		size_t nc = a->idcap ? a->idcap * 2 : (size_t)256 << 10;
		char *ni;

		while (nc < a->idlen + n)
			nc *= 2;
		if ((ni = realloc(a->ids, nc)) == NULL)
			return cx_seterr(CX_ENOMEM, "admission table");
		a->ids = ni;
		a->idcap = nc;
	}
	memcpy(a->ids + a->idlen, id, n);
	for (i = h & (a->ntab - 1); a->tab[i].h != 0; i = (i + 1) & (a->ntab - 1))
		;
	a->tab[i].h = h;
	a->tab[i].off = a->idlen;
	a->tab[i].len = n;
	a->tab[i].t = *t;
	a->idlen += n;
	a->nent++;
	return 0;
}

/* ---- lookups ------------------------------------------------------------- */

/*
 * Look record id up in the batch, then in the store's 'R' index of the
 * log. With t NULL only whether it exists; else its index, leaf hash,
 * kind, decision date and authority. 0, CX_ENOTFOUND, or a failure.
 */
static int
admit_lookup(struct admit *a, const char *id, struct admit_target *t)
{
	struct admit_ent *e = admit_find(a, id);

	if (e != NULL) {
		if (t != NULL)
			*t = e->t;
		return 0;
	}
	return admit_find_target(a->rd, a->log, a->start, id, t);
}

int
admit_find_target(store_txn *rd, uint32_t log, uint64_t limit, const char *id,
    struct admit_target *t)
{
	uint8_t key[STORE_KEY_MAX + 1];
	const void *val;
	const uint8_t *leaf;
	size_t klen, vlen, llen;
	Cx__Record *r;
	uint64_t index;
	int rc;

	if ((klen = idx_record_key(key, sizeof(key), log, id)) == 0)
		return CX_ENOTFOUND;
	if ((rc = store_index_get(rd, key, klen, &val, &vlen)) != 0)
		return rc;
	if (vlen != 8)
		return cx_seterr(CX_ECORRUPT, "record index entry for %s", id);
	index = idx_get64(val);
	if (index >= limit)
		return cx_seterr(CX_ECORRUPT, "record index entry for %s points past the log", id);
	if (t == NULL)
		return 0;
	t->index = index;
	if ((rc = store_leaf_hash(rd, log, index, t->hash)) != 0)
		return rc;
	if ((rc = store_leaf(rd, log, index, &leaf, &llen)) != 0)
		return rc;
	if ((r = idx_unpack(leaf, llen)) == NULL)
		return cx_seterr(CX_ECORRUPT, "leaf %" PRIu64 " does not decode", index);
	admit_target_of(t, r);
	cx__record__free_unpacked(r, NULL);
	return 0;
}

/* ---- one leaf ------------------------------------------------------------ */

int
admit_open(struct admit **out, store_txn *rd, uint32_t log, const Cx__Roster *roster,
    const char *issuer)
{
	struct admit *a;
	const Cx__Member *m;
	uint64_t size;
	int rc;

	*out = NULL;
	if ((m = roster_member(roster, issuer)) == NULL)
		return cx_seterr(CX_ENOTFOUND, "%s is not a member of federation %s", issuer,
		    roster->federation);
	if ((rc = store_txn_log_size(rd, log, &size)) != 0)
		return rc;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return cx_seterr(CX_ENOMEM, "admission");
	a->rd = rd;
	a->log = log;
	a->roster = roster;
	a->member = m;
	a->issuer = issuer;
	a->start = a->next = size;
	*out = a;
	return 0;
}

void
admit_close(struct admit *a)
{
	if (a == NULL)
		return;
	free(a->tab);
	free(a->ids);
	free(a);
}

uint64_t
admit_count(const struct admit *a)
{
	return a->next - a->start;
}

static const char *
admit_kind_name(char *buf, size_t cap, int kind)
{
	if (json_enum_name(buf, cap, &cx__record_kind__descriptor, kind) != 0)
		snprintf(buf, cap, "%d", kind);
	return buf;
}

/* The issuer and region stamped on r are the log's member's. */
static int
admit_stamp_ok(const struct admit *a, const Cx__Record *r, const char *what, char *err,
    size_t cap)
{
	if (r->issuer == NULL || strcmp(r->issuer, a->issuer) != 0) {
		snprintf(err, cap, "%sissuer \"%.64s\" in the log of %s", what,
		    r->issuer ? r->issuer : "", a->issuer);
		return CX_EINVAL;
	}
	if (r->region == NULL || strcmp(r->region, a->member->region) != 0) {
		snprintf(err, cap, "%sregion %.16s is not %s's region %s in the roster", what,
		    r->region ? r->region : "", a->issuer, a->member->region);
		return CX_EINVAL;
	}
	return 0;
}

/* Everything about record r; the reason (without the leaf prefix) in err. */
static int
admit_record(struct admit *a, Cx__Record *r, struct admit_target *self, char *err, size_t cap)
{
	struct validate_result v;
	struct admit_target t;
	const Cx__Ref *ref = NULL;
	char kb[40], kb2[40];
	int change = 0, rc, own;
	uint32_t effective = 0;

	if ((rc = admit_stamp_ok(a, r, "", err, cap)) != 0)
		return rc;
	if (r->body_case == CX__RECORD__BODY_CHANGE && r->change && r->change->replacement &&
	    (rc = admit_stamp_ok(a, r->change->replacement, "replacement: ", err, cap)) != 0)
		return rc;
	memset(&v, 0, sizeof(v));
	if (validate_record(&v, r, 0) != 0) {
		size_t i, off = 0;

		err[0] = '\0';
		for (i = 0; i < v.n && off + 1 < cap; i++) {
			int n;

			if (v.msg[i].warning)
				continue;
			n = snprintf(err + off, cap - off, "%s%s%s%s", off ? "; " : "", v.msg[i].field,
			    v.msg[i].field[0] ? ": " : "", v.msg[i].text);
			if (n < 0)
				break;
			off += (size_t)n;
		}
		if (off == 0)
			snprintf(err, cap, "the record does not validate");
		return CX_EINVAL;
	}
	own = roster_may_issue(a->roster, a->issuer, (int)r->kind) == 0;
	if (a->member->retired) {
		snprintf(err, cap, "member %s is retired", a->issuer);
		return CX_EINVAL;
	}
	if (r->body_case == CX__RECORD__BODY_CHANGE && r->change) {
		ref = r->change->target;
		change = r->change->type;
		effective = r->change->effective_date;
	} else if (r->body_case == CX__RECORD__BODY_OUTCOME && r->outcome) {
		ref = r->outcome->commitment;
		change = -1;
		effective = r->decision_date;
	} else if (!own) {
		snprintf(err, cap, "the roster does not let %s issue %s records", a->issuer,
		    admit_kind_name(kb, sizeof(kb), (int)r->kind));
		return CX_EINVAL;
	}
	rc = admit_lookup(a, r->record_id, NULL);
	if (rc == 0) {
		snprintf(err, cap, "record_id %s is already in the log of %s", r->record_id,
		    a->issuer);
		return CX_EINVAL;
	}
	if (rc != CX_ENOTFOUND)
		return rc;
	if (ref != NULL) {
		if (ref->record_id == NULL || ref->record_id[0] == '\0') {
			snprintf(err, cap, "target record_id is required");
			return CX_EINVAL;
		}
		rc = admit_lookup(a, ref->record_id, &t);
		if (rc == CX_ENOTFOUND) {
			snprintf(err, cap, "target %s is not in the log of %s", ref->record_id,
			    a->issuer);
			return CX_EINVAL;
		}
		if (rc != 0)
			return rc;
		/* a published reference names its leaf exactly */
		if (ref->leaf_hash.len == 0) {
			snprintf(err, cap, "the reference to %s carries no leaf hash", ref->record_id);
			return CX_EINVAL;
		}
		if (ref->index != t.index) {
			snprintf(err, cap, "target index %llu does not match %s (leaf %llu)",
			    (unsigned long long)ref->index, ref->record_id, (unsigned long long)t.index);
			return CX_EINVAL;
		}
		if ((rc = admit_check_target(&t, r, ref, change, effective, err, cap)) != 0)
			return rc;
		if (!own && roster_may_issue(a->roster, a->issuer, change < 0 ?
		    CX__RECORD_KIND__COMMITMENT : t.kind) != 0) {
			snprintf(err, cap, "the roster lets %s issue neither %s records nor %s ones",
			    a->issuer, admit_kind_name(kb, sizeof(kb), (int)r->kind),
			    admit_kind_name(kb2, sizeof(kb2), change < 0 ?
			    CX__RECORD_KIND__COMMITMENT : t.kind));
			return CX_EINVAL;
		}
	}
	admit_target_of(self, r);
	return 0;
}

int
admit_leaf_hashed(struct admit *a, uint64_t index, const uint8_t *leaf, size_t len,
    const tlog_hash hash, char *err, size_t cap)
{
	struct admit_target self;
	Cx__Record *r;
	size_t pl;
	int rc;

	if (cap == 0)
		return cx_seterr(CX_EINVAL, "no room for a reason");
	err[0] = '\0';
	pl = (size_t)snprintf(err, cap, "leaf %" PRIu64 ": ", index);
	if (pl >= cap)
		pl = cap - 1;
	if (index != a->next) {
		snprintf(err + pl, cap - pl, "out of order, leaf %" PRIu64 " comes next", a->next);
		return CX_EINVAL;
	}
	if (len == 0 || (r = idx_unpack(leaf, len)) == NULL) {
		snprintf(err + pl, cap - pl, "does not decode as a record%s%s",
		    len == 0 ? "" : ": ", len == 0 ? "" : cx_lasterr());
		return CX_EINVAL;
	}
	rc = admit_record(a, r, &self, err + pl, cap - pl);
	if (rc == 0) {
		self.index = index;
		if (hash != NULL)
			memcpy(self.hash, hash, TLOG_HASH_LEN);
		else
			tlog_leaf_hash(self.hash, leaf, len);
		if ((rc = admit_add(a, r->record_id, &self)) == 0 && a->keys != NULL) {
			struct idx_out ko = { idx_buf_add, a->keys };

			if ((rc = idx_record_keys(r, a->log, index, &ko)) == 0)
				rc = idx_buf_leaf(a->keys);
		}
		if (rc == 0)
			a->next++;
	}
	cx__record__free_unpacked(r, NULL);
	if (rc != 0 && rc != CX_EINVAL)
		err[0] = '\0';
	return rc;
}

void
admit_keys(struct admit *a, struct idx_buf *kb)
{
	a->keys = kb;
}

int
admit_leaf(struct admit *a, uint64_t index, const uint8_t *leaf, size_t len, char *err,
    size_t cap)
{
	return admit_leaf_hashed(a, index, leaf, len, NULL, err, cap);
}
