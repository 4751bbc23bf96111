/*
 * fuzz_shgs.c — a whole 双公示 CSV file: encoding detection and conversion,
 * the header, then every row; each record made goes through JSON and must
 * come back with the same packed bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "ingest/json.h"
#include "ingest/shgs.h"
#include "ingest/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_shgs_roundtrip(const Cx__Record *r)
{
	Cx__Record *back = NULL;
	char *line = NULL, err[256];
	size_t len, n1, n2;
	uint8_t *b1, *b2;

	if (json_record_line(&line, &len, r) != 0)
		return;
	if (json_to_record(&back, line, len, err, sizeof(err)) != 0)
		abort();
	n1 = cx__record__get_packed_size(r);
	n2 = cx__record__get_packed_size(back);
	b1 = malloc(n1 + 1);
	b2 = malloc(n2 + 1);
	if (b1 == NULL || b2 == NULL)
		abort();
	cx__record__pack(r, b1);
	cx__record__pack(back, b2);
	if (n1 != n2 || memcmp(b1, b2, n1) != 0)
		abort();
	free(b1);
	free(b2);
	free(line);
	json_record_free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL, **cells, err[256];
	size_t tlen, n, line, i;
	struct csv *c = NULL;
	struct shgs_map *m = NULL;
	Cx__Record *r;

	if (text_decode(&text, &tlen, NULL, data, size) != 0)
		return 0;
	if (csv_open(&c, text, tlen) != 0)
		goto out;
	if (csv_next(c, &cells, &n, &line) != 0)
		goto out;
	if (shgs_header(&m, cells, n, 0, err, sizeof(err)) != 0)
		goto out;
	for (i = 0; shgs_unknown(m, i) != NULL; i++)
		;
	while (csv_next(c, &cells, &n, &line) == 0) {
		r = NULL;
		if (shgs_row(&r, m, cells, n, err, sizeof(err)) != 0) {
			if (r != NULL)
				abort();
			continue;
		}
		fuzz_shgs_roundtrip(r);
		json_record_free(r);
	}
out:
	shgs_free(m);
	csv_close(c);
	free(text);
	return 0;
}
