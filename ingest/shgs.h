/*
 * shgs.h — the national 双公示 CSV columns (administrative penalty and
 * licence publicity) mapped to records.
 *
 * A header row names the columns, either by field code (CF_XDR_MC, CF_WSH,
 * XK_XKWS, ...) or by Chinese title (行政相对人名称, 行政处罚决定书文号, 处罚类别,
 * 罚款金额（万元）, ...). Titles are matched tolerantly: spaces and a leading
 * '*' are ignored, full-width characters are folded (text_normalize), a unit
 * suffix (万元) or (元) sets the unit of an amount column, and a title of the
 * form "行政相对人代码_1(统一社会信用代码)" matches by its parenthesised part.
 * docs/formats.md has the full table (field code, titles, record field,
 * required, format). Two extension columns carry what the national items
 * lack: SECTOR (行业) and SEVERITY (失信程度).
 *
 * Only syntax is checked here (amounts, dates, enumerations); the domain
 * rules (check characters, required values, publicity windows) are
 * credit/validate.c's job.
 */
#ifndef CX_SHGS_H
#define CX_SHGS_H

#include <stddef.h>

#include "proto/cxnode.pb-c.h"

struct shgs_map;   /* header -> field mapping; immutable after shgs_header */

/*
 * Build the mapping from the header cells[0..n). kind_hint is 0 to detect
 * the kind (penalty when CF_ codes or 处罚 titles dominate, licence for XK_
 * codes or 许可 titles), or CX__RECORD_KIND__PENALTY / __LICENCE to force
 * it. Columns that match nothing are ignored without error and listed by
 * shgs_unknown(). On success *out is a new map (free with shgs_free).
 * Returns 0, CX_ENOMEM, or CX_EFORMAT with a message in err[0..errcap) (may
 * be NULL) and the thread's error detail when: the kind cannot be told, a
 * required column is missing ("missing column CF_WSH (行政处罚决定书文号)"),
 * or two columns map to one field. Required columns: name (XDR_MC), decision
 * number (WSH), decision date (JDRQ), authority (CFJG / XKJG); for
 * penalties also the penalty types (CF_CFLB).
 */
int shgs_header(struct shgs_map **out, char *const *cells, size_t n, int kind_hint,
    char *err, size_t errcap);

/* The record kind of the map: CX__RECORD_KIND__PENALTY or __LICENCE. */
int shgs_kind(const struct shgs_map *m);

/*
 * The i-th (0-based) header cell that matched no column, as written in the
 * header, or NULL past the end. Owned by the map.
 */
const char *shgs_unknown(const struct shgs_map *m, size_t i);

/*
 * Parse one data row cells[0..n) into a new record (free with
 * json_record_free: every part is malloc'd, protobuf-c compatible). Missing
 * trailing cells count as empty; extra non-empty cells are an error. Sets
 * schema 1, kind, record_id, subject, authority, source, sector, severity,
 * decision_date, publicity_max_end (CF_GSJZQ), remark and the body; issuer,
 * region and issued_at are left for the importer.
 *   - category from 法人及非法人组织 / 自然人 / 个体工商户 (or 1 / 2 / 3);
 *   - id types "01".."05" or their names (身份证, 护照, ...);
 *   - penalty types split on ; ； 、 , ， and mapped to PenaltyType by name;
 *   - amounts: exact decimals in the column's unit (万元 by default; 元 when
 *     the title says so or the cell ends in 元), thousands separators only
 *     in groups of three ("1,000.5"); negative numbers, other text and more
 *     than 6 decimals (万元; 2 for 元) are rejected;
 *   - dates via date_parse (2023-05-01, 20230501, 2023/5/1, 2023年5月1日);
 *   - codes and identity numbers: full-width folded, spaces removed,
 *     letters upper-cased; other text trimmed, otherwise verbatim.
 * record_id = "CF:" or "XK:" + decision number + ":" + the first 12 hex
 * digits of SHA-256 of the subject's key: its credit code (unless empty or
 * the placeholder 00000000000000000X), else its identity number, else its
 * business registration number, else its name. Re-importing a row gives the
 * same id, and no identity number appears in it.
 * Returns 0, CX_ENOMEM, or CX_EFORMAT with a message naming the column in
 * err[0..errcap) (may be NULL) and the error detail, e.g.
 * "罚款金额（万元）: not an amount: abc"; *out is NULL on failure.
 */
int shgs_row(Cx__Record **out, const struct shgs_map *m, char *const *cells, size_t n,
    char *err, size_t errcap);

/* Free a map; NULL is allowed. */
void shgs_free(struct shgs_map *m);

#endif
