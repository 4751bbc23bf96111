/*
 * fuzz_frame.c — libFuzzer target for the server's frame decoder
 * (net/wire.c: wire_frame_decode, the checks of every Frame kind).
 *
 * Invariants: a frame the checker accepts has a known kind, re-encodes
 * (protobuf-c's canonical encoding) to bytes the checker accepts again as
 * the same kind, and a refusal is always CX_EFORMAT.
 */
#include <stdint.h>
#include <stdlib.h>

#include "net/wire_internal.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Cx__Frame *f = NULL, *g = NULL;
	uint8_t *buf;
	size_t n;
	int rc;

	rc = wire_frame_decode(&f, data, size);
	if (rc != 0) {
		if (rc != CX_EFORMAT || f != NULL || wire_frame_check(data, size) != CX_EFORMAT)
			abort();
		return 0;
	}
	if (f->kind_case == CX__FRAME__KIND__NOT_SET || wire_frame_check(data, size) != 0)
		abort();
	n = cx__frame__get_packed_size(f);
	if ((buf = malloc(n ? n : 1)) == NULL)
		abort();
	cx__frame__pack(f, buf);
	if (wire_frame_decode(&g, buf, n) != 0 || g->kind_case != f->kind_case)
		abort();
	cx__frame__free_unpacked(g, NULL);
	cx__frame__free_unpacked(f, NULL);
	free(buf);
	return 0;
}
