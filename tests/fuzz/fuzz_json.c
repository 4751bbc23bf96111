/*
 * fuzz_json.c — json_to_record over arbitrary bytes.
 *
 * Whatever parses must serialise (json_record_line), parse again and pack
 * to exactly the same bytes: the JSON form is exact for every field.
 * Whatever does not parse must leave no record and say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *
fuzz_json_pack(const Cx__Record *r, size_t *n)
{
	uint8_t *b;

	*n = cx__record__get_packed_size(r);
	if ((b = malloc(*n ? *n : 1)) == NULL)
		abort();
	if (cx__record__pack(r, b) != *n)
		abort();
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Cx__Record *r = NULL, *r2 = NULL;
	char err[256], *line = NULL;
	size_t len, n1, n2;
	uint8_t *b1, *b2;

	if (json_to_record(&r, (const char *)data, size, err, sizeof(err)) != 0) {
		if (r != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if (json_record_line(&line, &len, r) != 0) {
		/* only a value that cannot be written (out of range) may fail */
		json_record_free(r);
		return 0;
	}
	if (json_to_record(&r2, line, len, err, sizeof(err)) != 0)
		abort();
	b1 = fuzz_json_pack(r, &n1);
	b2 = fuzz_json_pack(r2, &n2);
	if (n1 != n2 || memcmp(b1, b2, n1) != 0)
		abort();
	free(b1);
	free(b2);
	free(line);
	json_record_free(r);
	json_record_free(r2);
	return 0;
}
