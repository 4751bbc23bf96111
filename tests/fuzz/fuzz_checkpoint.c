/*
 * fuzz_checkpoint.c — tlog_checkpoint_parse over arbitrary bytes.
 *
 * The input is copied into a buffer of exactly its size (so that a read
 * past the end is caught by the sanitizers). When it parses, the invariants
 * of tlog.h are checked: the origin is non-empty and free of control
 * characters, the size is within TLOG_MAX_SIZE, and formatting what was
 * parsed gives back the input's first three lines byte for byte (one text
 * per checkpoint), which parses again to the same values. A failure must
 * leave *origin NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/tlog.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1), *origin = NULL, *again = NULL, *o2 = NULL;
	tlog_hash root, root2;
	uint64_t n, n2;
	size_t len, i;
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	rc = tlog_checkpoint_parse(text, size, &origin, &n, root);
	if (rc != 0) {
		if (rc != CX_EFORMAT || origin != NULL)
			abort();
		free(text);
		return 0;
	}
	if (origin == NULL || origin[0] == '\0' || n > TLOG_MAX_SIZE)
		abort();
	for (i = 0; origin[i]; i++)
		if ((unsigned char)origin[i] < 0x20 || origin[i] == 0x7f)
			abort();
	if (tlog_checkpoint_format(&again, &len, origin, n, root) != 0)
		abort();
	if (len > size || memcmp(again, text, len) != 0)
		abort();
	if (tlog_checkpoint_parse(again, len, &o2, &n2, root2) != 0 ||
	    strcmp(o2, origin) != 0 || n2 != n || memcmp(root, root2, TLOG_HASH_LEN) != 0)
		abort();
	free(o2);
	free(again);
	free(origin);
	free(text);
	return 0;
}
