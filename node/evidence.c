/*
 * evidence.c — checking and showing fork evidence (evidence.h).
 *
 * Design
 *
 * evidence_check() trusts nothing in the message but the roster it is
 * given: each note is verified with the member's keys first, and only the
 * verified text is parsed for origin, size and root; the claimed fork is
 * then recomputed:
 *
 *            smaller note            larger note
 *   size     s                       l  (s <= l)
 *   root     r_s                     r_l
 *                                     |
 *                     alt_root  <--- consistency proof ---  (l, r_l)
 *                     (size s)
 *
 *   fork  <=>  s == l and r_s != r_l
 *          or  s == 0 and r_s != SHA-256("")
 *          or  s < l, alt_root != r_s, and the proof shows (s, alt_root)
 *              is a prefix of (l, r_l)
 *
 * Each step that fails says which in `why`; nothing allocates except the
 * key list and the parsed origins.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keys/note.h"
#include "keys/roster.h"
#include "node/evidence.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/err.h"

/* Set why and return code. */
static int
evidence_why(char *why, size_t cap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
evidence_why(char *why, size_t cap, int code, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

struct evidence_cp {
	uint64_t size;
	tlog_hash root;
};

/* Verify one note with keys and parse its checkpoint. */
static int
evidence_note(struct evidence_cp *cp, const ProtobufCBinaryData *note, const char *which,
    keys_key *const *keys, size_t nkeys, const Cx__Evidence *e, const char *morigin, char *why,
    size_t cap)
{
	char *origin = NULL;
	size_t tl;
	int rc;

	if (note->len == 0)
		return evidence_why(why, cap, CX_EFORMAT, "the %s checkpoint is missing", which);
	rc = note_verify((const char *)note->data, note->len, keys, nkeys, &tl, NULL);
	if (rc == CX_ENOMEM)
		return rc;
	if (rc == CX_EBADSIG)
		return evidence_why(why, cap, CX_EBADSIG, "the %s checkpoint is not signed by a "
		    "non-revoked key of %s: %s", which, e->issuer, cx_lasterr());
	if (rc != 0)
		return evidence_why(why, cap, CX_EFORMAT, "the %s checkpoint is not a signed note: %s",
		    which, cx_lasterr());
	rc = tlog_checkpoint_parse((const char *)note->data, tl, &origin, &cp->size, cp->root);
	if (rc == CX_ENOMEM)
		return rc;
	if (rc != 0)
		return evidence_why(why, cap, CX_EFORMAT, "the %s note is not a checkpoint: %s", which,
		    cx_lasterr());
	if (strcmp(origin, e->origin) != 0 || strcmp(origin, morigin) != 0) {
		rc = evidence_why(why, cap, CX_EFORMAT, "the %s checkpoint is of log \"%.80s\", not "
		    "\"%.80s\" (%s's log)", which, origin, morigin, e->issuer);
		free(origin);
		return rc;
	}
	free(origin);
	return 0;
}

static void
evidence_b64(char *out, const tlog_hash h)
{
	b64_encode(out, h, TLOG_HASH_LEN);
}

int
evidence_check(const Cx__Evidence *e, const Cx__Roster *roster, char *why, size_t cap)
{
	const Cx__Member *m;
	struct evidence_cp s, l;
	keys_key **keys = NULL;
	size_t nkeys = 0, i;
	tlog_hash alt, empty, proof[TLOG_MAX_PROOF];
	char b1[B64_LEN(TLOG_HASH_LEN)], b2[B64_LEN(TLOG_HASH_LEN)];
	int rc;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (e->issuer == NULL || e->issuer[0] == '\0' || e->origin == NULL || e->origin[0] == '\0')
		return evidence_why(why, cap, CX_EFORMAT, "the evidence names no issuer or origin");
	if ((m = roster_member(roster, e->issuer)) == NULL)
		return evidence_why(why, cap, CX_EBADSIG, "%.64s is not a member of federation %s",
		    e->issuer, roster->federation);
	if (m->origin == NULL || m->origin[0] == '\0')
		return evidence_why(why, cap, CX_EFORMAT, "the roster names no log origin for %s",
		    e->issuer);
	rc = roster_member_keys(&keys, &nkeys, roster, e->issuer, 0);
	if (rc == CX_ENOMEM)
		return rc;
	if (rc != 0)
		return evidence_why(why, cap, CX_EBADSIG, "%s", cx_lasterr());
	if (nkeys == 0) {
		rc = evidence_why(why, cap, CX_EBADSIG, "%s has no key that is not revoked", e->issuer);
		goto out;
	}
	if ((rc = evidence_note(&s, &e->smaller, "smaller", keys, nkeys, e, m->origin, why,
	    cap)) != 0 || (rc = evidence_note(&l, &e->larger, "larger", keys, nkeys, e, m->origin,
	    why, cap)) != 0)
		goto out;
	if (s.size > l.size) {
		rc = evidence_why(why, cap, CX_EFORMAT, "the smaller checkpoint (size %" PRIu64
		    ") is larger than the larger one (size %" PRIu64 ")", s.size, l.size);
		goto out;
	}
	evidence_b64(b1, s.root);
	if (s.size == l.size) {
		if (e->alt_root.len != 0 || e->n_proof != 0) {
			rc = evidence_why(why, cap, CX_EFORMAT, "checkpoints of equal size need no "
			    "alternative root or proof");
			goto out;
		}
		if (memcmp(s.root, l.root, TLOG_HASH_LEN) == 0) {
			rc = evidence_why(why, cap, CX_EPROOF, "both checkpoints state the same tree "
			    "(size %" PRIu64 ", root %s): no fork", s.size, b1);
			goto out;
		}
		evidence_b64(b2, l.root);
		rc = evidence_why(why, cap, 0, "%s signed two trees of size %" PRIu64 ": roots %s "
		    "and %s", e->issuer, s.size, b1, b2);
		goto out;
	}
	if (e->alt_root.len != TLOG_HASH_LEN) {
		rc = evidence_why(why, cap, CX_EFORMAT, "the alternative root is %zu bytes, not %d",
		    e->alt_root.len, TLOG_HASH_LEN);
		goto out;
	}
	memcpy(alt, e->alt_root.data, TLOG_HASH_LEN);
	evidence_b64(b2, alt);
	if (s.size == 0) {
		tlog_empty_hash(empty);
		if (e->n_proof != 0 || memcmp(alt, empty, TLOG_HASH_LEN) != 0) {
			rc = evidence_why(why, cap, CX_EFORMAT, "the tree of size 0 has the empty root "
			    "and needs no proof");
			goto out;
		}
		if (memcmp(s.root, empty, TLOG_HASH_LEN) == 0) {
			rc = evidence_why(why, cap, CX_EPROOF, "the smaller checkpoint is the empty tree, "
			    "a prefix of every tree: no fork");
			goto out;
		}
		rc = evidence_why(why, cap, 0, "%s signed a tree of size 0 whose root %s is not the "
		    "empty tree's", e->issuer, b1);
		goto out;
	}
	if (memcmp(alt, s.root, TLOG_HASH_LEN) == 0) {
		rc = evidence_why(why, cap, CX_EPROOF, "the alternative root is the smaller "
		    "checkpoint's root: the two checkpoints agree, no fork");
		goto out;
	}
	if (e->n_proof > TLOG_MAX_PROOF) {
		rc = evidence_why(why, cap, CX_EFORMAT, "a consistency proof of %zu hashes",
		    e->n_proof);
		goto out;
	}
	for (i = 0; i < e->n_proof; i++) {
		if (e->proof[i].len != TLOG_HASH_LEN) {
			rc = evidence_why(why, cap, CX_EFORMAT, "proof hash %zu is %zu bytes, not %d", i,
			    e->proof[i].len, TLOG_HASH_LEN);
			goto out;
		}
		memcpy(proof[i], e->proof[i].data, TLOG_HASH_LEN);
	}
	if (tlog_check_consistency((const tlog_hash *)proof, e->n_proof, s.size, alt, l.size,
	    l.root) != 0) {
		rc = evidence_why(why, cap, CX_EPROOF, "the consistency proof from size %" PRIu64
		    " (root %s) to size %" PRIu64 " does not verify", s.size, b2, l.size);
		goto out;
	}
	rc = evidence_why(why, cap, 0, "%s signed two trees of size %" PRIu64 ": root %s, and "
	    "root %s inside its tree of size %" PRIu64, e->issuer, s.size, b1, b2, l.size);
out:
	roster_keys_free(keys, nkeys);
	return rc;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *
evidence_hash_json(const uint8_t *h, size_t len)
{
	char *b = malloc(B64_LEN(len));
	json_t *j;

	if (b == NULL)
		return NULL;
	b64_encode(b, h, len);
	j = json_string(b);
	free(b);
	return j;
}

/* { "size", "root", "note" } for one note. */
static json_t *
evidence_note_json(const ProtobufCBinaryData *note)
{
	json_t *o = json_object(), *t;
	const char *p = (const char *)note->data;
	char *origin = NULL;
	size_t i, tl = 0;
	uint64_t size;
	tlog_hash root;

	if (o == NULL)
		return NULL;
	/* the text ends at the last blank line */
	for (i = note->len; i > 1 && tl == 0; i--)
		if (p[i - 1] == '\n' && p[i - 2] == '\n')
			tl = i - 1;
	if (tl > 0 && tlog_checkpoint_parse(p, tl, &origin, &size, root) == 0) {
		json_object_set_new(o, "size", json_integer((json_int_t)size));
		json_object_set_new(o, "root", evidence_hash_json(root, TLOG_HASH_LEN));
		free(origin);
	}
	if ((t = json_stringn(p ? p : "", note->len)) != NULL)
		json_object_set_new(o, "note", t);
	else
		json_object_set_new(o, "note_base64", evidence_hash_json(note->data, note->len));
	return o;
}

int
evidence_json(char **out, const Cx__Evidence *e)
{
	json_t *o, *pr;
	size_t i;

	*out = NULL;
	if ((o = json_object()) == NULL || (pr = json_array()) == NULL) {
		json_decref(o);
		return cx_seterr(CX_ENOMEM, "evidence");
	}
	json_object_set_new(o, "origin", json_string(e->origin ? e->origin : ""));
	json_object_set_new(o, "issuer", json_string(e->issuer ? e->issuer : ""));
	json_object_set_new(o, "found_at", json_integer((json_int_t)e->found_at));
	json_object_set_new(o, "found_by", json_string(e->found_by ? e->found_by : ""));
	json_object_set_new(o, "peer", json_string(e->peer ? e->peer : ""));
	json_object_set_new(o, "smaller", evidence_note_json(&e->smaller));
	json_object_set_new(o, "larger", evidence_note_json(&e->larger));
	if (e->alt_root.len != 0)
		json_object_set_new(o, "alt_root", evidence_hash_json(e->alt_root.data,
		    e->alt_root.len));
	for (i = 0; i < e->n_proof; i++)
		json_array_append_new(pr, evidence_hash_json(e->proof[i].data, e->proof[i].len));
	json_object_set_new(o, "proof", pr);
	*out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (*out == NULL)
		return cx_seterr(CX_ENOMEM, "evidence");
	return 0;
}
