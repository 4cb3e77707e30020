/* rc_wkt: the decode stage's text for GEOMETRY columns.
 *
 * The row decoder finds a GEOMETRY column's bytes and hands them here; the
 * WKT that comes back is what MariaDB's ST_AsText() shows for the same
 * value (SPEC.md §2) and the encoders write it as a JSON string.
 *
 * Everything below was checked against MariaDB 10.11.19 (HEX(g) next to
 * ST_AsText(g) for the same rows; the pairs are tests/unit/test_wkt.c):
 *
 * - Layout: 4-byte SRID (ignored: ST_AsText does not show it), then WKB.
 *   The server reads every WKB integer and double little-endian and never
 *   looks at a byte-order byte: a value stored with byte order 0 prints as
 *   if it were 1, so we do the same. (ST_GeomFromWKB converts big-endian
 *   input to little-endian before storing, so real rows are little-endian.)
 * - MULTIPOINT, MULTILINESTRING and MULTIPOLYGON skip their members' 5-byte
 *   WKB headers without reading them; GEOMETRYCOLLECTION dispatches on each
 *   member's type. Bytes after the geometry are ignored.
 * - Separators: "," with no space; "x y" with one space. MULTIPOINT is
 *   "MULTIPOINT(1 1,2 2)"; an empty collection "GEOMETRYCOLLECTION EMPTY".
 * - The server writes each member followed by ',' and then drops the last
 *   character (or overwrites it with ')') without checking that a ',' was
 *   written. Empty members therefore print oddly, and the column accepts
 *   them: MULTIPOINT with no points is "MULTIPOINT)", POLYGON with no rings
 *   "POLYGON)", a ring with no points "POLYGON())". We replay the same
 *   steps, so we print the same text.
 * - A LINESTRING with no points makes ST_AsText NULL (also inside a
 *   GEOMETRYCOLLECTION, not inside a MULTILINESTRING): we return 1.
 *
 * Bounds: every count is checked against the bytes left, times the fewest
 * bytes one member can take, before the loop over it; a count that fails
 * that check would make the server run out of data too. */
#include "decode/rc_wkt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RC_WKB_HDR = 5,    /* byte order, type */
    RC_WKB_POINT = 16, /* two doubles */
};

static const char *const rc_wkt_names[8] = {
    NULL,         "POINT",           "LINESTRING",   "POLYGON",
    "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
};

static uint32_t rc_wkt_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double rc_wkt_f64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ---- numbers ----
 *
 * The server prints a coordinate with my_gcvt() over the shortest digits
 * that read back to the same double (dtoa mode 0). With d the digits and
 * decpt the place of the decimal point (value = 0.d * 10^decpt):
 *   - zero, negative zero, NaN and infinities print "0";
 *   - -14 <= decpt <= 15, or decpt > 15 with more digits than decpt, prints
 *     plain: 0.0000001, 1000000, 999999999999999, 1234567890123456.8;
 *   - anything else prints d[.ddd]e<exp> with no '+' and no exponent
 *     padding: 1e15, 1.2345678901234568e17, 1e-16, 5e-324.
 * The shortest digits come from the C library: the fewest significant
 * digits p for which the correctly rounded "%.{p-1}e" reads back to the
 * same double. Where a power of two sits below the decimal grid the
 * interval that reads back is narrower underneath than above, and the
 * shortest digits are the correctly rounded ones plus one in the last
 * place (2^-1016 is 7.120236347223045e-307, not ...0444e-307), so that
 * candidate is tried too. Checked against the server on 7,000 points:
 * random bit patterns, every power of two, random decimals. */

/* Parses "d[.ddd]e(+|-)xx" into digits and the dtoa-style decimal point. */
static int rc_wkt_sci(const char *s, char *dig, int *decpt)
{
    int len = 0;
    for (; *s != 'e'; s++)
        if (*s != '.') dig[len++] = *s;
    *decpt = atoi(s + 1) + 1;
    return len;
}

/* The shortest digits of a = |v| (finite, non-zero): returns their count. */
static int rc_wkt_digits(double a, char *dig, int *decpt)
{
    char s[40];
    int len = 0;
    for (int p = 1; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*e", p - 1, a);
        len = rc_wkt_sci(s, dig, decpt);
        if (p == 17 || strtod(s, NULL) == a) break;
        /* One up in the last place, carrying; "99" becomes "10" with the
         * point moved right. */
        char up[20];
        int i = len - 1, dp = *decpt;
        memcpy(up, dig, (size_t)len);
        while (i >= 0 && up[i] == '9')
            up[i--] = '0';
        if (i >= 0) {
            up[i]++;
        } else {
            up[0] = '1';
            dp++;
        }
        char t[48];
        snprintf(t, sizeof t, "%c.%.*se%d", up[0], len - 1, up + 1, dp - 1);
        if (strtod(t, NULL) == a) {
            memcpy(dig, up, (size_t)len);
            *decpt = dp;
            break;
        }
    }
    while (len > 1 && dig[len - 1] == '0')
        len--;
    return len;
}

static void rc_wkt_num(rc_buf *out, double v)
{
    if (v == 0 || !isfinite(v)) {
        rc_buf_putc(out, '0');
        return;
    }
    int neg = v < 0;
    char dig[20];
    int decpt;
    int len = rc_wkt_digits(fabs(v), dig, &decpt);

    char o[48];
    size_t k = 0;
    if (neg) o[k++] = '-';
    if (decpt >= -14 && (decpt <= 15 || len > decpt)) {
        if (decpt <= 0) {
            o[k++] = '0';
            o[k++] = '.';
            for (int i = decpt; i < 0; i++)
                o[k++] = '0';
            for (int i = 0; i < len; i++)
                o[k++] = dig[i];
        } else if (decpt < len) {
            for (int i = 0; i < len; i++) {
                if (i == decpt) o[k++] = '.';
                o[k++] = dig[i];
            }
        } else {
            for (int i = 0; i < len; i++)
                o[k++] = dig[i];
            for (int i = len; i < decpt; i++)
                o[k++] = '0';
        }
    } else {
        o[k++] = dig[0];
        if (len > 1) {
            o[k++] = '.';
            for (int i = 1; i < len; i++)
                o[k++] = dig[i];
        }
        k += (size_t)snprintf(o + k, sizeof o - k, "e%d", decpt - 1);
    }
    rc_buf_put(out, o, k);
}

/* n points of "x y," each, every point preceded by `skip` unread bytes
 * (MULTIPOINT's member headers). The caller has checked the bytes. */
static const uint8_t *rc_wkt_points(rc_buf *out, const uint8_t *p, uint32_t n, size_t skip)
{
    for (uint32_t i = 0; i < n; i++) {
        p += skip;
        rc_wkt_num(out, rc_wkt_f64(p));
        rc_buf_putc(out, ' ');
        rc_wkt_num(out, rc_wkt_f64(p + 8));
        rc_buf_putc(out, ',');
        p += RC_WKB_POINT;
    }
    return p;
}

/* The server's "drop the trailing ','" step, which drops whatever is last. */
static void rc_wkt_chop(rc_buf *out)
{
    out->len--;
}
/* The server's "overwrite the trailing ',' with ')'" step. */
static void rc_wkt_close(rc_buf *out)
{
    out->data[out->len - 1] = ')';
}

static int rc_wkt_short(rc_err *err, const char *what)
{
    return rc_err_set(err, RC_E_CORRUPT, "GEOMETRY: %s runs past the end of the value", what);
}

/* A count of members that each take at least `each` bytes, read at *pp. */
static int rc_wkt_count(const uint8_t **pp, const uint8_t *end, size_t each, const char *what,
                        uint32_t *n, rc_err *err)
{
    if ((size_t)(end - *pp) < 4) return rc_wkt_short(err, what);
    *n = rc_wkt_u32(*pp);
    *pp += 4;
    if (*n > (size_t)(end - *pp) / each)
        return rc_err_set(err, RC_E_CORRUPT, "GEOMETRY: %s count %u exceeds the %zu bytes left",
                          what, *n, (size_t)(end - *pp));
    return 0;
}

/* One ring or line: count, then that many points, as "(x y,...)" (with the
 * server's quirk for no points). */
static int rc_wkt_ring(const uint8_t **pp, const uint8_t *end, rc_buf *out, rc_err *err)
{
    uint32_t n;
    if (rc_wkt_count(pp, end, RC_WKB_POINT, "point", &n, err)) return -1;
    rc_buf_putc(out, '(');
    *pp = rc_wkt_points(out, *pp, n, 0);
    rc_wkt_close(out);
    rc_buf_putc(out, ',');
    return 0;
}

/* The body of a POLYGON (or of a MULTIPOLYGON member): rings, each "(...)," */
static int rc_wkt_rings(const uint8_t **pp, const uint8_t *end, rc_buf *out, rc_err *err)
{
    uint32_t n;
    if (rc_wkt_count(pp, end, 4, "ring", &n, err)) return -1;
    for (uint32_t i = 0; i < n; i++)
        if (rc_wkt_ring(pp, end, out, err)) return -1;
    return 0;
}

/* Geometry of `type` whose data (after its WKB header) starts at *pp;
 * writes "NAME(...)" and moves *pp past it. 0, 1 (server shows NULL), -1. */
static int rc_wkt_geom(const uint8_t **pp, const uint8_t *end, uint32_t type, unsigned depth,
                       rc_buf *out, rc_err *err)
{
    if (type < 1 || type > 7)
        return rc_err_set(err, RC_E_CORRUPT, "GEOMETRY: unknown type %u", type);
    const uint8_t *p = *pp;
    uint32_t n;

    if (type == 7) {
        if (depth >= RC_WKT_MAX_DEPTH)
            return rc_err_set(err, RC_E_CORRUPT,
                              "GEOMETRY: collections nested deeper than %d levels",
                              RC_WKT_MAX_DEPTH);
        /* Each member takes a header and at least a 4-byte count. */
        if (rc_wkt_count(&p, end, RC_WKB_HDR + 4, "GEOMETRYCOLLECTION member", &n, err)) return -1;
        if (n == 0) {
            RC_BUF_LIT(out, "GEOMETRYCOLLECTION EMPTY");
            *pp = p;
            return 0;
        }
        RC_BUF_LIT(out, "GEOMETRYCOLLECTION(");
        for (uint32_t i = 0; i < n; i++) {
            if ((size_t)(end - p) < RC_WKB_HDR) return rc_wkt_short(err, "GEOMETRYCOLLECTION");
            uint32_t t = rc_wkt_u32(p + 1);
            p += RC_WKB_HDR;
            int rc = rc_wkt_geom(&p, end, t, depth + 1, out, err);
            if (rc) return rc;
            if (i + 1 < n) rc_buf_putc(out, ',');
        }
        rc_buf_putc(out, ')');
        *pp = p;
        return 0;
    }

    rc_buf_puts(out, rc_wkt_names[type]);
    rc_buf_putc(out, '(');
    switch (type) {
    case 1:
        if ((size_t)(end - p) < RC_WKB_POINT) return rc_wkt_short(err, "POINT");
        rc_wkt_num(out, rc_wkt_f64(p));
        rc_buf_putc(out, ' ');
        rc_wkt_num(out, rc_wkt_f64(p + 8));
        p += RC_WKB_POINT;
        break;
    case 2:
        if (rc_wkt_count(&p, end, RC_WKB_POINT, "LINESTRING point", &n, err)) return -1;
        if (n == 0) return 1;
        p = rc_wkt_points(out, p, n, 0);
        rc_wkt_chop(out);
        break;
    case 3:
        if (rc_wkt_rings(&p, end, out, err)) return -1;
        rc_wkt_chop(out);
        break;
    case 4:
        if (rc_wkt_count(&p, end, RC_WKB_HDR + RC_WKB_POINT, "MULTIPOINT point", &n, err))
            return -1;
        p = rc_wkt_points(out, p, n, RC_WKB_HDR);
        rc_wkt_chop(out);
        break;
    case 5:
        if (rc_wkt_count(&p, end, RC_WKB_HDR + 4, "MULTILINESTRING member", &n, err)) return -1;
        for (uint32_t i = 0; i < n; i++) {
            if ((size_t)(end - p) < RC_WKB_HDR) return rc_wkt_short(err, "MULTILINESTRING");
            p += RC_WKB_HDR;
            if (rc_wkt_ring(&p, end, out, err)) return -1;
        }
        rc_wkt_chop(out);
        break;
    case 6:
        if (rc_wkt_count(&p, end, RC_WKB_HDR + 4, "MULTIPOLYGON member", &n, err)) return -1;
        for (uint32_t i = 0; i < n; i++) {
            if ((size_t)(end - p) < RC_WKB_HDR) return rc_wkt_short(err, "MULTIPOLYGON");
            p += RC_WKB_HDR;
            rc_buf_putc(out, '(');
            if (rc_wkt_rings(&p, end, out, err)) return -1;
            rc_wkt_close(out);
            rc_buf_putc(out, ',');
        }
        rc_wkt_chop(out);
        break;
    }
    rc_buf_putc(out, ')');
    *pp = p;
    return 0;
}

int rc_wkt_text(const uint8_t *p, size_t n, rc_buf *out, rc_err *err)
{
    if (n < 4 + RC_WKB_HDR) return rc_wkt_short(err, "WKB header");
    const uint8_t *q = p + 4 + RC_WKB_HDR;
    size_t start = out->len;
    int rc = rc_wkt_geom(&q, p + n, rc_wkt_u32(p + 5), 0, out, err);
    if (rc) out->len = start;
    return rc;
}
