/*
 * report.h — dedicated credit reports (专用信用报告, docs/receipts.md).
 *
 * A report is a screening answer about one subject (history included when
 * the asker may see it) made checkable offline with the roster alone:
 *
 *   {"report":      "<signed statement>",      node/receipt.h, first line
 *                                               "cxnode credit report v1"
 *    "answer":      {...},                      the screening answer
 *    "leaves":      [{"origin", "index",        every record and change
 *                     "hash",                   the answer holds: its leaf
 *                     "leaf" | "withheld",      bytes (base64), or only the
 *                     "proof"}],                hash, and an RFC 6962
 *                                               inclusion proof to the view
 *    "checkpoints": ["<note>", ...]}            the view's checkpoints, with
 *                                               their cosignatures
 *
 * The statement signs the digest of the answer (as a receipt does) and the
 * digest of the body: screen_digest of the object {answer, leaves,
 * checkpoints}, the report without its "report" member.
 *
 * Masking: the leaves of natural persons' records carry identity numbers
 * in clear. When the answer masks them (an asker without PERM_PERSONAL),
 * such a leaf is not included: only its hash, with "withheld": "personal
 * data"; the verifier proves the hash into the log but cannot compare the
 * record with it.
 *
 * The HTML form (report_html) is a page a person reads, with the report's
 * canonical JSON embedded in
 *
 *   <script type="application/json" id="cxnode-report">...</script>
 *
 * and nothing else that is not made from that JSON: report_verify_bytes
 * checks the embedded report, then makes the page again from it and
 * compares it byte for byte, so the readable part is verified too.
 */
#ifndef CX_REPORT_H
#define CX_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "keys/keys.h"
#include "node/screen.h"
#include "proto/cxnode.pb-c.h"
#include "store/store.h"

/* The marker of the embedded JSON in the HTML form. */
#define REPORT_SCRIPT_OPEN "<script type=\"application/json\" id=\"cxnode-report\">"
#define REPORT_SCRIPT_CLOSE "</script>"

/* What "withheld" says. */
#define REPORT_WITHHELD "personal data"

/* Most leaves one report holds. */
#define REPORT_MAX_LEAVES 100000

/*
 * Make the report of answer (computed over view v from screen_view_latest,
 * read through t, a read transaction on the same store) for who with role
 * (a role name) at unix time now, signed by key (node_id: the node's
 * roster id). *out is a new JSON object, the caller's. Returns 0;
 * CX_ENOTFOUND (the answer has no subject: nothing to report); CX_EINVAL
 * (a record of the answer is not in the view, a log without checkpoint);
 * CX_ETOOBIG; CX_ENOMEM; CX_ECRYPTO; a store error.
 */
int report_make(json_t **out, keys_key *key, const char *node_id, store_txn *t,
    const struct screen_view *v, const json_t *answer, const char *who,
    const char *role, uint64_t now);

/*
 * The HTML page of report (self-contained: inline CSS, no script but the
 * embedded data, no external resource) into *html (malloc'd,
 * NUL-terminated, the caller's). The same report always gives the same
 * bytes. Returns 0, CX_EINVAL (not a report), CX_ENOMEM.
 */
int report_html(const json_t *report, char **html);

/*
 * The report embedded in HTML page buf[0..len): *out a new JSON object.
 * Returns 0, CX_EFORMAT (no embedded report, or not JSON), CX_ENOMEM.
 */
int report_from_html(json_t **out, const char *buf, size_t len);

/*
 * Verify report with roster, offline: the statement's signature by the
 * node's roster key at its time; the answer's and the body's digests;
 * every checkpoint and cosignature; every leaf hashes to its hash and
 * proves into its checkpoint; every record and change of the answer has
 * its leaf, and equals it (decoded and masked as the answer is) unless
 * withheld. Findings into *result (a new object: "valid", "problems",
 * "notes", the facts of node/receipt.h and "records", "leaves",
 * "withheld"). Returns 0 when valid, CX_EBADSIG when not (the first
 * problem in cx_lasterr()), CX_ENOMEM.
 */
int report_verify(json_t **result, const json_t *report, const Cx__Roster *roster);

/*
 * Verify a report file's bytes buf[0..len), JSON or HTML (a page is also
 * compared with the page its embedded report makes). As report_verify;
 * *result has "format": "json" or "html".
 */
int report_verify_bytes(json_t **result, const char *buf, size_t len, const Cx__Roster *roster);

#endif
