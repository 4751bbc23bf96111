/*
 * roster.c — signing, opening and querying the federation roster.
 *
 * Design
 *
 *   SignedRoster  +--------------------------------------------------+
 *    field 1      | roster: Roster bytes, exactly as signed          |
 *    field 2      | signer: key name of the root key                 |
 *    field 3      | signature: key id (4, big-endian) || signature   |
 *                 +--------------------------------------------------+
 *   signed message = "cxnode roster v1\n" || roster bytes
 *
 * The Roster inside is never re-encoded for verification: the signature
 * covers the bytes as received, and those bytes are unpacked only after the
 * signature verifies, so a forged roster costs an attacker one signature
 * check and never reaches the protobuf parser beyond the outer envelope.
 * Invariant: a Cx__Roster returned by roster_open() has passed
 * roster_check(), so lookups may trust ids to be unique and every key
 * verifier to parse.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "keys/roster.h"
#include "util/err.h"

int
roster_check(const Cx__Roster *r)
{
	size_t i, j;

	if (r->federation == NULL || r->federation[0] == '\0')
		return cx_seterr(CX_EFORMAT, "roster has no federation name");
	for (i = 0; i < r->n_members; i++) {
		const Cx__Member *m = r->members[i];

		if (m->id == NULL || !keys_name_valid(m->id, strlen(m->id)))
			return cx_seterr(CX_EFORMAT, "member %zu: invalid id", i);
		for (j = 0; j < i; j++)
			if (strcmp(r->members[j]->id, m->id) == 0)
				return cx_seterr(CX_EFORMAT, "member %s appears twice", m->id);
		if (m->region == NULL || strlen(m->region) != 6 ||
		    strspn(m->region, "0123456789") != 6)
			return cx_seterr(CX_EFORMAT, "member %s: region must be 6 digits", m->id);
		for (j = 0; j < m->n_keys; j++) {
			const Cx__MemberKey *mk = m->keys[j];
			keys_key *k = NULL;
			int rc;

			if ((rc = keys_from_verifier(&k, mk->verifier)) != 0)
				return rc == CX_ENOMEM ? rc :
				    cx_seterr(CX_EFORMAT, "member %s: key %zu is not a verifier string",
				    m->id, j);
			rc = strcmp(keys_name(k), m->id);
			keys_free(k);
			if (rc != 0)
				return cx_seterr(CX_EFORMAT, "member %s: key %zu is named for another "
				    "member", m->id, j);
			if (mk->valid_until != 0 && mk->valid_until <= mk->valid_from)
				return cx_seterr(CX_EFORMAT, "member %s: key %zu ends before it starts",
				    m->id, j);
		}
		for (j = 0; j < m->n_kinds; j++)
			if ((int)m->kinds[j] <= CX__RECORD_KIND__KIND_UNSPECIFIED ||
			    (int)m->kinds[j] > CX__RECORD_KIND__STATUS_CHANGE)
				return cx_seterr(CX_EFORMAT, "member %s: unknown record kind %d",
				    m->id, (int)m->kinds[j]);
	}
	return 0;
}

/* "cxnode roster v1\n" || bytes, malloc'd. */
static uint8_t *
roster_message(const uint8_t *bytes, size_t len, size_t *mlen)
{
	size_t pl = sizeof(ROSTER_SIG_PREFIX) - 1;
	uint8_t *m = malloc(pl + len + 1);

	if (m == NULL)
		return NULL;
	memcpy(m, ROSTER_SIG_PREFIX, pl);
	if (len > 0)
		memcpy(m + pl, bytes, len);
	*mlen = pl + len;
	return m;
}

int
roster_sign(uint8_t **out, size_t *outlen, const Cx__Roster *r, const keys_key *root)
{
	Cx__SignedRoster sr = CX__SIGNED_ROSTER__INIT;
	uint8_t *bytes = NULL, *msg = NULL, *res = NULL, sig[4 + KEYS_SIG_MAX];
	size_t blen, mlen, siglen, rlen;
	uint32_t id;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (!keys_has_private(root))
		return cx_seterr(CX_EINVAL, "the root key cannot sign (public key only)");
	if ((rc = roster_check(r)) != 0)
		return rc;
	blen = cx__roster__get_packed_size(r);
	if ((bytes = malloc(blen + 1)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "roster");
		goto out;
	}
	cx__roster__pack(r, bytes);
	if ((msg = roster_message(bytes, blen, &mlen)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "roster");
		goto out;
	}
	if ((rc = keys_sign(root, msg, mlen, sig + 4, &siglen)) != 0)
		goto out;
	id = keys_id(root);
	sig[0] = (uint8_t)(id >> 24);
	sig[1] = (uint8_t)(id >> 16);
	sig[2] = (uint8_t)(id >> 8);
	sig[3] = (uint8_t)id;
	sr.roster.data = bytes;
	sr.roster.len = blen;
	sr.signer = (char *)keys_name(root);
	sr.signature.data = sig;
	sr.signature.len = 4 + siglen;
	rlen = cx__signed_roster__get_packed_size(&sr);
	if (rlen > ROSTER_MAX_LEN) {
		rc = cx_seterr(CX_ETOOBIG, "signed roster of %zu bytes exceeds %u", rlen,
		    ROSTER_MAX_LEN);
		goto out;
	}
	if ((res = malloc(rlen)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "roster");
		goto out;
	}
	cx__signed_roster__pack(&sr, res);
	*out = res;
	*outlen = rlen;
	rc = 0;
out:
	free(bytes);
	free(msg);
	return rc;
}

int
roster_open(Cx__Roster **out, const uint8_t *buf, size_t len, const keys_key *root_pub)
{
	Cx__SignedRoster *sr = NULL;
	Cx__Roster *r = NULL;
	uint8_t *msg = NULL;
	size_t mlen;
	uint32_t id;
	int rc;

	*out = NULL;
	if (len > ROSTER_MAX_LEN)
		return cx_seterr(CX_ETOOBIG, "signed roster of %zu bytes exceeds %u", len,
		    ROSTER_MAX_LEN);
	if ((sr = cx__signed_roster__unpack(NULL, len, buf)) == NULL)
		return cx_seterr(CX_EFORMAT, "not a signed roster");
	if (root_pub == NULL)
		goto unpack;
	if (sr->signature.len < 5 || strcmp(sr->signer, keys_name(root_pub)) != 0) {
		rc = cx_seterr(CX_EBADSIG, "roster is signed by \"%.64s\", not by the root key %s",
		    sr->signer, keys_name(root_pub));
		goto out;
	}
	id = (uint32_t)sr->signature.data[0] << 24 | (uint32_t)sr->signature.data[1] << 16 |
	    (uint32_t)sr->signature.data[2] << 8 | sr->signature.data[3];
	if (id != keys_id(root_pub)) {
		rc = cx_seterr(CX_EBADSIG, "roster is signed by key id %08x, not by the root key "
		    "%s+%08x", id, keys_name(root_pub), keys_id(root_pub));
		goto out;
	}
	if ((msg = roster_message(sr->roster.data, sr->roster.len, &mlen)) == NULL) {
		rc = cx_seterr(CX_ENOMEM, "roster");
		goto out;
	}
	if (keys_verify(root_pub, msg, mlen, sr->signature.data + 4, sr->signature.len - 4) != 0) {
		rc = cx_seterr(CX_EBADSIG, "roster signature by %s+%08x does not verify",
		    keys_name(root_pub), keys_id(root_pub));
		goto out;
	}
unpack:
	if ((r = cx__roster__unpack(NULL, sr->roster.len, sr->roster.data)) == NULL) {
		rc = cx_seterr(CX_EFORMAT, "signed roster bytes are not a roster");
		goto out;
	}
	if ((rc = roster_check(r)) != 0) {
		roster_free(r);
		goto out;
	}
	*out = r;
	rc = 0;
out:
	free(msg);
	cx__signed_roster__free_unpacked(sr, NULL);
	return rc;
}

void
roster_free(Cx__Roster *r)
{
	if (r != NULL)
		cx__roster__free_unpacked(r, NULL);
}

int
roster_newer(const Cx__Roster *held, const Cx__Roster *incoming)
{
	if (held == NULL || incoming->version > held->version)
		return 0;
	return cx_seterr(CX_ESTALE, "roster version %" PRIu64 " is not newer than the held %" PRIu64,
	    incoming->version, held->version);
}

const Cx__Member *
roster_member(const Cx__Roster *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n_members; i++)
		if (strcmp(r->members[i]->id, id) == 0)
			return r->members[i];
	return NULL;
}

int
roster_member_key(keys_key **out, const Cx__Roster *r, const char *id, uint64_t at)
{
	const Cx__Member *m;
	const Cx__MemberKey *best = NULL;
	size_t i;

	*out = NULL;
	if ((m = roster_member(r, id)) == NULL)
		return cx_seterr(CX_ENOTFOUND, "%s is not a member of federation %s", id,
		    r->federation);
	if (m->retired)
		return cx_seterr(CX_EPERM, "member %s is retired", id);
	if (m->n_keys == 0)
		return cx_seterr(CX_ENOTFOUND, "member %s has no keys", id);
	for (i = 0; i < m->n_keys; i++) {
		const Cx__MemberKey *k = m->keys[i];

		if (k->revoked || at < k->valid_from || (k->valid_until != 0 && at >= k->valid_until))
			continue;
		if (best == NULL || k->valid_from >= best->valid_from)
			best = k;
	}
	if (best == NULL)
		return cx_seterr(CX_EPERM, "no key of %s is valid at %" PRIu64
		    " (revoked, expired or not yet valid)", id, at);
	return keys_from_verifier(out, best->verifier);
}

int
roster_member_keys(keys_key ***out, size_t *n, const Cx__Roster *r, const char *id, uint64_t at)
{
	const Cx__Member *m;
	keys_key **ks = NULL;
	size_t i, got = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((m = roster_member(r, id)) == NULL)
		return cx_seterr(CX_ENOTFOUND, "%s is not a member of federation %s", id,
		    r->federation);
	if (m->retired)
		return cx_seterr(CX_EPERM, "member %s is retired", id);
	if (m->n_keys == 0)
		return 0;
	if ((ks = calloc(m->n_keys, sizeof(*ks))) == NULL)
		return cx_seterr(CX_ENOMEM, "roster keys");
	for (i = 0; i < m->n_keys; i++) {
		const Cx__MemberKey *k = m->keys[i];

		if (k->revoked || (at != 0 && (at < k->valid_from ||
		    (k->valid_until != 0 && at >= k->valid_until))))
			continue;
		if ((rc = keys_from_verifier(&ks[got], k->verifier)) != 0) {
			roster_keys_free(ks, got);
			return rc;
		}
		got++;
	}
	if (got == 0) {
		free(ks);
		ks = NULL;
	}
	*out = ks;
	*n = got;
	return 0;
}

void
roster_keys_free(keys_key **k, size_t n)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < n; i++)
		keys_free(k[i]);
	free(k);
}

int
roster_may_issue(const Cx__Roster *r, const char *id, int kind)
{
	const Cx__Member *m;
	size_t i;

	if ((m = roster_member(r, id)) == NULL)
		return cx_seterr(CX_EPERM, "%s is not a member of federation %s", id,
		    r->federation);
	if (m->retired)
		return cx_seterr(CX_EPERM, "member %s is retired", id);
	for (i = 0; i < m->n_kinds; i++)
		if ((int)m->kinds[i] == kind)
			return 0;
	return cx_seterr(CX_EPERM, "member %s may not issue records of kind %d", id, kind);
}
