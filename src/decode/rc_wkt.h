/* rc_wkt: GEOMETRY column values turned into the WKT text the server's
 * ST_AsText() shows (SPEC.md §2). The row decoder hands over a GEOMETRY
 * column's bytes (4-byte little-endian SRID, then WKB, exactly what
 * HEX(col) shows); the text becomes the value's JSON string. */
#ifndef RC_WKT_H
#define RC_WKT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"

/* Collections nested deeper than this are refused as corrupt. */
#define RC_WKT_MAX_DEPTH 64

/* Appends the WKT of the geometry in p[0..n) to out (no quotes).
 * Returns 0 on success; 1 when the server's ST_AsText() is NULL for a value
 * its column does accept (a LINESTRING with no points, alone or inside a
 * GEOMETRYCOLLECTION): nothing is appended and the caller writes null;
 * -1 with err set (RC_E_CORRUPT) on bytes no GEOMETRY column holds.
 * On 1 and -1 out is left as it was. */
int rc_wkt_text(const uint8_t *p, size_t n, rc_buf *out, rc_err *err);

#endif
