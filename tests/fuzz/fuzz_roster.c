/*
 * fuzz_roster.c — libFuzzer target for roster_open() (keys/roster.c).
 *
 * Two passes per input, with a fixed root key (the Go signed-note test key,
 * so the stored seeds can carry valid signatures):
 *   1. the input as a SignedRoster: opening must fail cleanly or give a
 *      roster that every lookup can walk;
 *   2. the input as the inner Roster bytes, signed here: the signature now
 *      holds, so the protobuf parser and roster_check() see arbitrary bytes;
 *      the only acceptable failures are CX_EFORMAT and CX_ETOOBIG.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "keys/roster.h"
#include "util/err.h"

static const char fuzz_roster_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_roster_walk(const Cx__Roster *r)
{
	static const uint64_t times[] = { 0, 1000, 1767225600, UINT64_MAX };
	size_t i, t;

	if (roster_newer(r, r) != CX_ESTALE || roster_newer(NULL, r) != 0)
		abort();
	for (i = 0; i < r->n_members; i++) {
		const Cx__Member *m = r->members[i];

		if (roster_member(r, m->id) != m)
			abort();
		for (t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
			keys_key *k = NULL;
			int rc = roster_member_key(&k, r, m->id, times[t]);

			if (rc == 0 && strcmp(keys_name(k), m->id) != 0)
				abort();
			keys_free(k);
		}
		(void)roster_may_issue(r, m->id, CX__RECORD_KIND__PENALTY);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static keys_key *root;
	Cx__SignedRoster sr = CX__SIGNED_ROSTER__INIT;
	Cx__Roster *r = NULL;
	uint8_t *msg, *packed, sig[4 + KEYS_SIG_MAX];
	size_t pl = sizeof(ROSTER_SIG_PREFIX) - 1, siglen, n;
	uint32_t id;
	int rc;

	if (root == NULL && keys_from_signer(&root, fuzz_roster_skey) != 0)
		abort();
	if (roster_open(&r, data, size, root) == 0) {
		fuzz_roster_walk(r);
		roster_free(r);
		r = NULL;
	}

	if (size > 65536 || (msg = malloc(pl + size + 1)) == NULL)
		return 0;
	memcpy(msg, ROSTER_SIG_PREFIX, pl);
	memcpy(msg + pl, data, size);
	if (keys_sign(root, msg, pl + size, sig + 4, &siglen) != 0)
		abort();
	free(msg);
	id = keys_id(root);
	sig[0] = (uint8_t)(id >> 24);
	sig[1] = (uint8_t)(id >> 16);
	sig[2] = (uint8_t)(id >> 8);
	sig[3] = (uint8_t)id;
	sr.roster.data = (uint8_t *)data;
	sr.roster.len = size;
	sr.signer = (char *)keys_name(root);
	sr.signature.data = sig;
	sr.signature.len = 4 + siglen;
	n = cx__signed_roster__get_packed_size(&sr);
	if ((packed = malloc(n)) == NULL)
		return 0;
	cx__signed_roster__pack(&sr, packed);
	rc = roster_open(&r, packed, n, root);
	free(packed);
	if (rc == 0) {
		fuzz_roster_walk(r);
		roster_free(r);
	} else if (rc != CX_EFORMAT && rc != CX_ETOOBIG && rc != CX_ENOMEM)
		abort();
	return 0;
}
