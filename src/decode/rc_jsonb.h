/* rc_jsonb: MySQL's binary JSON (the storage of a JSON column, as it
 * arrives in a row image) turned into JSON text.
 *
 * The row decoder finds a JSON column's bytes (after its length prefix) and
 * hands them here; the text that comes back is the document MySQL would
 * show, written compactly, and the encoders embed it (SPEC.md §2). The
 * bytes come from the network or a file, so nothing in them is trusted:
 * every offset and length is checked, nesting is limited to MySQL's own
 * 100 levels, and the work done is bounded by the input's size. */
#ifndef RC_JSONB_H
#define RC_JSONB_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"

/* Deepest nesting of objects and arrays accepted (MySQL's
 * JSON_DOCUMENT_MAX_DEPTH): deeper input is refused rather than recursed. */
#define RC_JSONB_MAX_DEPTH 100

/* Appends the document in p[0..n) to out as compact, valid UTF-8 JSON text
 * (no spaces; object keys in stored order). n == 0 is the JSON null literal,
 * the reading other decoders give an empty JSON value (one can appear in a
 * NOT NULL JSON column that was given no value).
 * Scalars print as MySQL prints them inside a document: integers and
 * DECIMALs as exact numbers, doubles as the shortest round-trip number with
 * ".0" when integral, DATE/TIME/DATETIME/TIMESTAMP as quoted text (6
 * fractional digits for the last three), any other opaque value as
 * "base64:type<N>:<base64>".
 * Returns 0, or -1 with err set (RC_E_CORRUPT, "binary JSON: ...") and out
 * left at the length it had on entry. */
int rc_jsonb_text(const uint8_t *p, size_t n, rc_buf *out, rc_err *err);

#endif
