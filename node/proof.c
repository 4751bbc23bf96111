/*
 * proof.c — build and check portable inclusion and consistency proofs.
 *
 * The checkpoint in a proof is trusted only after its signature verifies
 * with the key given by the verifier; the origin it states must equal the
 * proof's origin; the proved sizes and indexes must lie within it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/note.h"
#include "node/proof.h"
#include "store/tlog.h"
#include "util/codec.h"
#include "util/err.h"

static json_t *
proof_hashes(const tlog_hash *h, size_t n)
{
	json_t *a = json_array();
	char b[B64_LEN(TLOG_HASH_LEN)];
	size_t i;

	for (i = 0; i < n; i++) {
		b64_encode(b, h[i], TLOG_HASH_LEN);
		json_array_append_new(a, json_string(b));
	}
	return a;
}

static int
proof_read_hashes(tlog_hash *h, size_t *n, const json_t *a)
{
	size_t i, len;

	if (!json_is_array(a) || json_array_size(a) > 64)
		return cx_seterr(CX_EFORMAT, "proof: expected an array of at most 64 hashes");
	*n = json_array_size(a);
	for (i = 0; i < *n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s == NULL || b64_decode(h[i], TLOG_HASH_LEN, &len, s, strlen(s)) != 0 ||
		    len != TLOG_HASH_LEN)
			return cx_seterr(CX_EFORMAT, "proof[%zu]: not a base64 SHA-256 hash", i);
	}
	return 0;
}

int
proof_inclusion(json_t **out, store_txn *t, uint32_t log, const char *origin, uint64_t index)
{
	tlog_hash path[64];
	const char *note;
	const uint8_t *leaf;
	size_t nnote, npath, llen;
	uint64_t size;
	char *b64 = NULL;
	int rc;

	if ((rc = store_checkpoint(t, log, 0, &note, &nnote, &size)) != 0)
		return rc;
	if (index >= size)
		return cx_seterr(CX_ENOTFOUND, "leaf %llu is not under the latest checkpoint (size %llu)",
		    (unsigned long long)index, (unsigned long long)size);
	if ((rc = store_prove_inclusion(t, log, index, size, path, &npath)) != 0)
		return rc;
	if ((rc = store_leaf(t, log, index, &leaf, &llen)) != 0)
		return rc;
	if ((b64 = malloc(B64_LEN(llen))) == NULL)
		return CX_ENOMEM;
	b64_encode(b64, leaf, llen);
	*out = json_pack("{s:s, s:s, s:I, s:I, s:s, s:o, s:s%}", "type", PROOF_INCLUSION,
	    "origin", origin, "index", (json_int_t)index, "tree_size", (json_int_t)size,
	    "leaf", b64, "proof", proof_hashes(path, npath), "checkpoint", note, nnote);
	free(b64);
	return *out ? 0 : CX_ENOMEM;
}

int
proof_consistency(json_t **out, store_txn *t, uint32_t log, const char *origin,
    uint64_t oldsize, uint64_t newsize)
{
	tlog_hash path[64];
	const char *n1, *n2;
	size_t l1, l2, npath;
	uint64_t g1, g2;
	int rc;

	if ((rc = store_checkpoint(t, log, newsize, &n2, &l2, &g2)) != 0)
		return rc;
	if ((rc = store_checkpoint(t, log, oldsize, &n1, &l1, &g1)) != 0)
		return cx_seterr(rc, "no checkpoint of size %llu is stored (sizes are batch ends)",
		    (unsigned long long)oldsize);
	if (g1 > g2)
		return cx_seterr(CX_EINVAL, "old size %llu is beyond new size %llu",
		    (unsigned long long)g1, (unsigned long long)g2);
	if ((rc = store_prove_consistency(t, log, g1, g2, path, &npath)) != 0)
		return rc;
	*out = json_pack("{s:s, s:s, s:I, s:I, s:o, s:s%, s:s%}", "type", PROOF_CONSISTENCY,
	    "origin", origin, "old_size", (json_int_t)g1, "new_size", (json_int_t)g2,
	    "proof", proof_hashes(path, npath), "old_checkpoint", n1, l1, "new_checkpoint", n2, l2);
	return *out ? 0 : CX_ENOMEM;
}

/* Verify a checkpoint note with k and check its origin; size and root out. */
static int
proof_checkpoint(const char *note, const keys_key *k, const char *origin, uint64_t *size,
    tlog_hash root)
{
	keys_key *const ks[1] = { (keys_key *)k };
	char *got = NULL;
	size_t textlen;
	uint32_t mask;
	int rc;

	if (note == NULL)
		return cx_seterr(CX_EFORMAT, "proof has no checkpoint");
	if ((rc = note_verify(note, strlen(note), ks, 1, &textlen, &mask)) != 0)
		return rc;
	if ((rc = tlog_checkpoint_parse(note, textlen, &got, size, root)) != 0)
		return rc;
	if (origin == NULL || strcmp(got, origin) != 0)
		rc = cx_seterr(CX_EFORMAT, "checkpoint origin \"%s\" is not the proof's \"%s\"", got,
		    origin ? origin : "");
	free(got);
	return rc;
}

int
proof_verify(const json_t *p, const keys_key *issuer, const char **what)
{
	static _Thread_local char desc[256];
	const char *type = json_string_value(json_object_get(p, "type"));
	const char *origin = json_string_value(json_object_get(p, "origin"));
	tlog_hash path[64], root, root2, lh;
	size_t npath;
	uint64_t size, size2;
	int rc;

	*what = desc;
	desc[0] = '\0';
	if (type == NULL)
		return cx_seterr(CX_EFORMAT, "not a cxnode proof (no \"type\")");
	if (strcmp(type, PROOF_INCLUSION) == 0) {
		const char *leaf = json_string_value(json_object_get(p, "leaf"));
		json_int_t index = json_integer_value(json_object_get(p, "index"));
		json_int_t tsize = json_integer_value(json_object_get(p, "tree_size"));
		uint8_t *bytes;
		size_t blen;

		if (leaf == NULL || !json_is_integer(json_object_get(p, "index")) || index < 0 ||
		    !json_is_integer(json_object_get(p, "tree_size")))
			return cx_seterr(CX_EFORMAT, "inclusion proof needs leaf, index and tree_size");
		if ((rc = proof_checkpoint(json_string_value(json_object_get(p, "checkpoint")), issuer,
		    origin, &size, root)) != 0)
			return rc;
		if ((uint64_t)tsize != size)
			return cx_seterr(CX_EPROOF, "tree_size %lld differs from the checkpoint's %llu",
			    (long long)tsize, (unsigned long long)size);
		if ((bytes = malloc(strlen(leaf) / 4 * 3 + 3)) == NULL)
			return CX_ENOMEM;
		rc = b64_decode(bytes, strlen(leaf) / 4 * 3 + 3, &blen, leaf, strlen(leaf));
		if (rc == 0)
			tlog_leaf_hash(lh, bytes, blen);
		free(bytes);
		if (rc != 0)
			return cx_seterr(CX_EFORMAT, "leaf is not base64");
		if ((rc = proof_read_hashes(path, &npath, json_object_get(p, "proof"))) != 0)
			return rc;
		if ((rc = tlog_check_inclusion(path, npath, size, (uint64_t)index, root, lh)) != 0)
			return cx_seterr(CX_EPROOF, "the audit path does not lead from leaf %lld to the checkpoint's root",
			    (long long)index);
		snprintf(desc, sizeof(desc), "leaf %lld is in %s at size %llu", (long long)index,
		    origin, (unsigned long long)size);
		return 0;
	}
	if (strcmp(type, PROOF_CONSISTENCY) == 0) {
		if ((rc = proof_checkpoint(json_string_value(json_object_get(p, "old_checkpoint")),
		    issuer, origin, &size, root)) != 0)
			return rc;
		if ((rc = proof_checkpoint(json_string_value(json_object_get(p, "new_checkpoint")),
		    issuer, origin, &size2, root2)) != 0)
			return rc;
		if ((rc = proof_read_hashes(path, &npath, json_object_get(p, "proof"))) != 0)
			return rc;
		if (size > size2 ||
		    tlog_check_consistency(path, npath, size, root, size2, root2) != 0)
			return cx_seterr(CX_EPROOF, "size %llu is not a prefix of size %llu by this proof",
			    (unsigned long long)size, (unsigned long long)size2);
		snprintf(desc, sizeof(desc), "%s at size %llu extends size %llu", origin,
		    (unsigned long long)size2, (unsigned long long)size);
		return 0;
	}
	return cx_seterr(CX_EFORMAT, "unknown proof type \"%s\"", type);
}
