/*
 * fuzz_csv.c — the CSV reader over arbitrary bytes.
 *
 * Reads every row until the end or an error, touches every field (so that
 * a field pointer past the scratch buffer is caught by the sanitizers) and
 * checks the invariants of csv.h: at least one field per row, row lines
 * never decreasing, errors sticky.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv *c = NULL;
	char **f;
	size_t n, i, line = 0, last = 0, total = 0;
	int rc;

	if (csv_open(&c, (const char *)data, size) != 0)
		return 0;
	while ((rc = csv_next(c, &f, &n, &line)) == 0) {
		if (n == 0 || line < last || line == 0)
			abort();
		last = line;
		for (i = 0; i < n; i++)
			total += strlen(f[i]);
		if (total > size)
			abort();   /* fields are never longer than the input */
	}
	if (rc != CX_ENOTFOUND && csv_next(c, &f, &n, &line) != rc)
		abort();
	csv_close(c);
	return 0;
}
