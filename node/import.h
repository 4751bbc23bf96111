/*
 * import.h — turning input files into published records.
 *
 * An import reads each file (JSON Lines or 双公示 CSV, UTF-8 with or without
 * BOM, or GB18030), parses every row into a record, validates it against the
 * national rules (credit/validate.c), resolves the records it refers to
 * (status changes, commitment outcomes) in this node's own log, and appends
 * accepted records in batches: one LMDB transaction and one signed
 * checkpoint per batch, so a killed import leaves whole batches only.
 */
#ifndef CX_IMPORT_H
#define CX_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "node/node.h"

struct import_opts {
	int kind;            /* 0 = detect; else a CX__RECORD_KIND__* for CSV */
	size_t batch;        /* records per transaction and checkpoint */
	uint32_t today;      /* YYYYMMDD: no decision after this day */
	int progress;        /* draw a progress bar on stderr */
	long max_errors;     /* rejected rows printed; -1 = all */
	FILE *errors;        /* where rejected rows are reported (stderr) */
	int json_errors;     /* collect rejections for a JSON summary */
};

struct import_stats {
	uint64_t files;
	uint64_t rows;
	uint64_t accepted;
	uint64_t rejected;
	uint64_t warnings;
	uint64_t batches;
	uint64_t size;       /* tree size after the import */
	double seconds;
	void *rejects;       /* json_t array when json_errors, else NULL */
};

struct import;

/* Start an import into n (opened NODE_WRITE|NODE_SIGN). */
int import_begin(struct import **out, struct node *n, const struct import_opts *o);

/* Read and import one file. Rejected rows are counted and reported, not
 * failures; returns non-zero only on a fatal error (unreadable file, store
 * failure), after which nothing of the current batch was written. */
int import_file(struct import *im, const char *path);

/* Commit what is pending, fill *st, free im. On error nothing pending was
 * written. */
int import_end(struct import *im, struct import_stats *st);

/* Discard what is pending and free im; accepts NULL. */
void import_abort(struct import *im);

#endif
