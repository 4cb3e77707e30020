/* rc_rowjson: a row image written straight from its binlog bytes as the
 * seed format's {"col":value,...} object, without the rc_value step.
 *
 * Decoding a row into values and then encoding the values walks every cell
 * twice and stores each one in between; for the common output (seed format,
 * no filter that reads values) the values are never needed. A plan made once
 * per table map turns each column into one operation with its name already
 * quoted, so a cell costs a null-bit test, a name copy and its value rule.
 *
 * It writes exactly what rc_rows.c + rc_enc_value would (the same value
 * functions do the work); ROWCAST_ROWS_CROSSCHECK=1 makes the seed encoder
 * check that byte for byte. What the plan does not cover (a column type
 * without an operation, a value the generic path turns into an error, bytes
 * that do not fit) makes it return 0, and the caller decodes the row the
 * generic way, errors included. */
#ifndef RC_ROWJSON_H
#define RC_ROWJSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"
#include "event/rc_table.h"

typedef struct rc_rowjson rc_rowjson;

/* The plan for t's current definition (read when called: make a new one
 * when the table changes). */
rc_rowjson *rc_rowjson_new(const rc_table *t);
void rc_rowjson_free(rc_rowjson *p);

/* One full row image (every column present) at row: its null bitmap, then
 * the values, none past end. Appends {"a":1,...} to b and returns the bytes
 * of the image, or returns 0 with b as it was when the row must go the
 * generic way. */
size_t rc_rowjson_image(rc_rowjson *p, rc_buf *b, const uint8_t *row, const uint8_t *end);

#endif
