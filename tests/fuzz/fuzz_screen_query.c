/*
 * fuzz_screen_query.c — libFuzzer target for screen_query_parse()
 * (node/screen.c): the query parameters every remote client sends, over
 * nng and HTTP.
 *
 * The input is JSON text. Whatever parses must give a query whose echo
 * (screen_query_json) parses back to the same query, and the masked echo
 * of an identity-number search must not hold the value in clear.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/query.h"
#include "node/screen.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct screen_query q, q2;
	json_t *j, *echo, *masked;
	char *text;

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return 0;
	memset(&q, 0, sizeof(q));
	if (screen_query_parse(&q, j) == 0) {
		if ((echo = screen_query_json(&q, 0)) == NULL)
			abort();
		memset(&q2, 0, sizeof(q2));
		if (screen_query_parse(&q2, echo) != 0 || memcmp(&q, &q2, sizeof(q)) != 0)
			abort();
		if ((masked = screen_query_json(&q, 1)) == NULL)
			abort();
		text = json_dumps(masked, JSON_COMPACT);
		if (text == NULL)
			abort();
		if (q.by == QUERY_BY_ID && strlen(q.value) >= 12 && strstr(text, q.value) != NULL)
			abort();
		free(text);
		json_decref(masked);
		json_decref(echo);
	}
	json_decref(j);
	return 0;
}
