/*
 * fuzz_receipt.c — libFuzzer target for screening receipts and credit
 * reports (node/receipt.c, node/report.c): the statement parser, and the
 * verifiers of whole documents, JSON or HTML, which read whatever a
 * stranger hands over.
 *
 * An input that starts with "cxnode " is a statement: when it parses,
 * formatting it again must give the same bytes (one form per statement).
 * Anything else is verified as a receipt (when it is a JSON object with
 * "receipt") and as a report, against a roster of the fixed keys that
 * tests/receipt_test.c signs its documents with, so that the stored corpus
 * reaches the deep checks; a verifier must answer valid or not, never
 * crash, and never call valid what it did not check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/receipt.h"
#include "node/report.h"
#include "proto/cxnode.pb-c.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_vk_hz[] = "hangzhou+0532569a+ARCXzzfnBf0M9lT44pD2srxqCfeMG7reGAui9B3k41D5";
static char fuzz_vk_jx[] = "jiaxing+ddedd3f9+AbPNyFiJE4hj/DQ3K7QDWEudyJOJBEjpLjXhQT1VPeHt";
static char fuzz_vk_hf[] = "hefei+289c4ec3+ATAWmIvNG5Htl99ay5GJqhZxKQm/PC1TD8ccXJcQtxdf";

static Cx__Roster *
fuzz_roster(void)
{
	static Cx__MemberKey mk[3] = { CX__MEMBER_KEY__INIT, CX__MEMBER_KEY__INIT,
		CX__MEMBER_KEY__INIT };
	static Cx__MemberKey *mkp[3] = { &mk[0], &mk[1], &mk[2] };
	static Cx__Member m[3] = { CX__MEMBER__INIT, CX__MEMBER__INIT, CX__MEMBER__INIT };
	static Cx__Member *mp[3] = { &m[0], &m[1], &m[2] };
	static Cx__Roster ro = CX__ROSTER__INIT;
	static char *vk[3] = { fuzz_vk_hz, fuzz_vk_jx, fuzz_vk_hf };
	static char *id[3] = { "hangzhou", "jiaxing", "hefei" };
	static char *origin[3] = { "g60.cxnode/hangzhou", "g60.cxnode/jiaxing", "g60.cxnode/hefei" };
	size_t i;

	if (ro.n_members == 0) {
		for (i = 0; i < 3; i++) {
			mk[i].verifier = vk[i];
			m[i].id = id[i];
			m[i].region = "330100";
			m[i].origin = origin[i];
			m[i].keys = &mkp[i];
			m[i].n_keys = 1;
		}
		ro.federation = "g60";
		ro.version = 1;
		ro.members = mp;
		ro.n_members = 3;
	}
	return &ro;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const Cx__Roster *ro = fuzz_roster();
	json_t *res = NULL, *doc;
	int rc;

	if (size >= 7 && memcmp(data, "cxnode ", 7) == 0) {
		struct receipt_stmt s;
		char *again = NULL;
		size_t len;

		if (receipt_stmt_parse(&s, (const char *)data, size) == 0) {
			if (receipt_stmt_format(&again, &len, &s) != 0 || len != size ||
			    memcmp(again, data, size) != 0)
				abort();
			free(again);
			receipt_stmt_free(&s);
		}
		return 0;
	}
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (doc != NULL && json_object_get(doc, "receipt") != NULL) {
		rc = receipt_verify(&res, doc, ro, NULL);
		if (rc != 0 && rc != CX_EBADSIG && rc != CX_ENOMEM)
			abort();
		if (rc == 0 && !json_is_true(json_object_get(res, "valid")))
			abort();
		json_decref(res);
		res = NULL;
	}
	json_decref(doc);
	rc = report_verify_bytes(&res, (const char *)data, size, ro);
	if (rc != 0 && rc != CX_EBADSIG && rc != CX_ENOMEM)
		abort();
	if (rc == 0 && (!json_is_true(json_object_get(res, "valid")) ||
	    json_array_size(json_object_get(res, "problems")) != 0))
		abort();
	json_decref(res);
	return 0;
}
