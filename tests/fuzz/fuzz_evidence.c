/*
 * fuzz_evidence.c — libFuzzer target for evidence_check() and
 * evidence_json() (node/evidence.c).
 *
 * The input is an Evidence message. It is checked against a fixed roster
 * of one member, "PeterNeumann" (the Go signed-note test key, so the stored
 * seeds carry valid signatures: real forks, equal sizes, consistent pairs,
 * the empty tree), whose log is "g60.cxnode/PeterNeumann". Every result
 * must be one of the documented codes with a reason, and the JSON
 * rendering must succeed for any message that unpacks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/evidence.h"
#include "util/err.h"

static const char fuzz_evidence_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Cx__MemberKey mk = CX__MEMBER_KEY__INIT, *mks[1];
	Cx__Member m = CX__MEMBER__INIT, *ms[1];
	Cx__Roster r = CX__ROSTER__INIT;
	Cx__Evidence *e;
	char why[512], *js = NULL;
	int rc;

	if (size > (1u << 20) || (e = cx__evidence__unpack(NULL, size, data)) == NULL)
		return 0;
	mk.verifier = (char *)fuzz_evidence_vkey;
	mks[0] = &mk;
	m.id = "PeterNeumann";
	m.region = "330100";
	m.origin = "g60.cxnode/PeterNeumann";
	m.n_keys = 1;
	m.keys = mks;
	ms[0] = &m;
	r.federation = "g60";
	r.n_members = 1;
	r.members = ms;

	why[0] = '\0';
	rc = evidence_check(e, &r, why, sizeof(why));
	if (rc != 0 && rc != CX_EBADSIG && rc != CX_EFORMAT && rc != CX_EPROOF && rc != CX_ENOMEM)
		abort();
	if (rc != CX_ENOMEM && why[0] == '\0')
		abort();
	if (evidence_json(&js, e) != 0)
		abort();
	free(js);
	cx__evidence__free_unpacked(e, NULL);
	return 0;
}
