/* rc_jsondiff: MySQL's partial JSON updates turned back into documents.
 *
 * With binlog_row_value_options=PARTIAL_JSON, MySQL 8 logs an update of a
 * JSON column (PARTIAL_UPDATE_ROWS) as a list of diffs instead of the new
 * document. The row decoder renders the before-image's document and each
 * diff's new value as JSON text (rc_jsonb_text) and hands them here; the
 * encoders then see the full new document, as if the row had been logged
 * whole. Runs only for partial updates, so it favours clarity over speed:
 * one arena per call, a small tree, a linked list per container. */
#ifndef RC_JSONDIFF_H
#define RC_JSONDIFF_H

#include <stddef.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"

/* The operation byte of a binlog JSON diff (MySQL enum_json_diff_operation,
 * sql/json_diff.h), with the same numbering. */
typedef enum {
    RC_JDIFF_REPLACE = 0, /* JSON_REPLACE(doc, path, value): path must exist */
    RC_JDIFF_INSERT = 1,  /* object member: JSON_INSERT (member must not exist);
                             array cell: JSON_ARRAY_INSERT (index past the end appends) */
    RC_JDIFF_REMOVE = 2,  /* JSON_REMOVE(doc, path): path must exist */
} rc_jdiff_op;

/* One diff. The pointers are borrowed: the caller keeps them alive for the
 * call and nothing is kept after it returns.
 * path: MySQL path text as logged: `$` then legs `.name`, `."quoted name"`
 * (JSON string escapes), `[N]`, `[last]`, `[last-N]`; no wildcards or
 * ranges. value: JSON text, ignored for RC_JDIFF_REMOVE. */
typedef struct rc_jdiff {
    rc_jdiff_op op;
    const char *path;
    size_t path_len;
    const char *value;
    size_t value_len;
} rc_jdiff;

/* Applies diffs[0..n) in order to the JSON text doc[0..doc_len) and appends
 * the resulting document to out as compact JSON text (no whitespace).
 *
 * Strings, keys and numbers are copied from the input text as they were
 * written (escapes and digits intact). A member added by INSERT goes where
 * MySQL's binary JSON would store it: keys ordered by byte length, then
 * bytewise; its key is written with rc_json_str, like rc_jsonb's keys. The
 * input's own member order is kept as it is.
 *
 * Differences from MySQL's applier (apply_json_diffs), which rejects any
 * diff on the root: REPLACE at `$` is accepted here (the result is the
 * value); INSERT or REMOVE at `$` is refused like there.
 *
 * Returns 0, or -1 with err set (RC_E_CORRUPT, "JSON partial update: ...")
 * when the document or a value is not strict JSON (or nests deeper than 100
 * containers), a path is malformed, or a diff does not fit the document
 * (path not found, member already present, wrong container type); out is
 * then left at the length it had on entry. Nothing is allocated past the
 * call except what out grows by. */
int rc_jsondiff_apply(const char *doc, size_t doc_len, const rc_jdiff *diffs, size_t n, rc_buf *out,
                      rc_err *err);

#endif
