/* rc_jsonb: the decode stage's reader of MySQL binary JSON.
 *
 * A JSON column's value in a row image is MySQL's binary document: a type
 * byte, then the value; objects and arrays carry a header of fixed-size
 * entries pointing (by offset from the container's start) at keys and
 * values stored after it. The row decoder hands the bytes here and embeds
 * the text that comes back (SPEC.md §2).
 *
 * Hostile bytes must not crash, hang or blow up the output. Every offset
 * and length is checked against the enclosing container; nesting stops at
 * RC_JSONB_MAX_DEPTH; and because offsets could make many entries share one
 * subtree (exponential output from a small document), the bytes read are
 * charged against a budget proportional to the input: a document MySQL
 * wrote reads each of its bytes once. */
#include "decode/rc_jsonb.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decode/rc_coltext.h"
#include "encode/rc_json.h"

enum {
    RC_JSONB_SMALL_OBJECT = 0x00,
    RC_JSONB_LARGE_OBJECT = 0x01,
    RC_JSONB_SMALL_ARRAY = 0x02,
    RC_JSONB_LARGE_ARRAY = 0x03,
    RC_JSONB_LITERAL = 0x04,
    RC_JSONB_INT16 = 0x05,
    RC_JSONB_UINT16 = 0x06,
    RC_JSONB_INT32 = 0x07,
    RC_JSONB_UINT32 = 0x08,
    RC_JSONB_INT64 = 0x09,
    RC_JSONB_UINT64 = 0x0a,
    RC_JSONB_DOUBLE = 0x0b,
    RC_JSONB_STRING = 0x0c,
    RC_JSONB_OPAQUE = 0x0f,
};

/* MySQL field types an opaque value can carry that print as more than base64. */
enum {
    RC_JSONB_FT_TIMESTAMP = 7,
    RC_JSONB_FT_DATE = 10,
    RC_JSONB_FT_TIME = 11,
    RC_JSONB_FT_DATETIME = 12,
    RC_JSONB_FT_NEWDECIMAL = 246,
};

typedef struct rc_jsonb_ctx {
    rc_buf *out;
    rc_err *err;
    size_t budget; /* bytes that may still be read; see the file comment */
} rc_jsonb_ctx;

static uint64_t rc_jsonb_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

static int rc_jsonb_corrupt(rc_jsonb_ctx *c, const char *what)
{
    return rc_err_set(c->err, RC_E_CORRUPT, "binary JSON: %s", what);
}

static int rc_jsonb_charge(rc_jsonb_ctx *c, size_t n)
{
    if (n > c->budget)
        return rc_jsonb_corrupt(c, "entries overlap (more data than the document holds)");
    c->budget -= n;
    return 0;
}

/* The variable-length length of strings and opaque data: 7 bits a byte, low
 * group first, high bit set on every byte but the last. MySQL caps it at
 * five bytes (a uint32). Returns the bytes used, 0 if malformed. */
static size_t rc_jsonb_varlen(const uint8_t *p, size_t n, uint32_t *len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 5; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (v > UINT32_MAX) return 0;
            *len = (uint32_t)v;
            return i + 1;
        }
    }
    return 0;
}

/* A double as MySQL prints it inside a document: the shortest round-trip
 * digits, with ".0" added to an integral value so it reads back as a double
 * and never as an integer. */
static int rc_jsonb_double(rc_jsonb_ctx *c, const uint8_t *p)
{
    uint64_t bits = rc_jsonb_le(p, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    /* MySQL cannot store these; printing them would need a non-number. */
    if (!isfinite(d)) return rc_jsonb_corrupt(c, "double is not finite");
    size_t start = c->out->len;
    rc_json_double(c->out, d);
    for (size_t i = start; i < c->out->len; i++) {
        char ch = c->out->data[i];
        if (ch == '.' || ch == 'e' || ch == 'E') return 0;
    }
    RC_BUF_LIT(c->out, ".0");
    return 0;
}

static void rc_jsonb_base64_body(rc_buf *b, const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    rc_buf_reserve(b, (n + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        rc_buf_putc_unsafe(b, tab[v >> 18]);
        rc_buf_putc_unsafe(b, tab[(v >> 12) & 63]);
        rc_buf_putc_unsafe(b, tab[(v >> 6) & 63]);
        rc_buf_putc_unsafe(b, tab[v & 63]);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        rc_buf_putc_unsafe(b, tab[v >> 18]);
        rc_buf_putc_unsafe(b, tab[(v >> 12) & 63]);
        rc_buf_putc_unsafe(b, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        rc_buf_putc_unsafe(b, '=');
    }
}

/* Temporal opaque values hold MySQL's in-memory "packed" longlong (8 bytes,
 * little-endian): the integer part above bit 24, microseconds below. A
 * datetime's integer part is ((year*13+month)<<5 | day)<<17 | hour<<12 |
 * minute<<6 | second; a time's is hour<<12 | minute<<6 | second, and a
 * negative time is the negated packed value. */
static int rc_jsonb_temporal(rc_jsonb_ctx *c, unsigned ft, const uint8_t *p, size_t n)
{
    if (n != 8) return rc_jsonb_corrupt(c, "temporal value is not 8 bytes");
    int64_t packed = (int64_t)rc_jsonb_le(p, 8);
    int neg = packed < 0;
    /* Through uint64: negating INT64_MIN is undefined in int64. */
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
    uint64_t frac = mag % (1u << 24), whole = mag >> 24;
    if (frac > 999999) return rc_jsonb_corrupt(c, "temporal fraction past 999999");

    char txt[96];
    int len;
    if (ft == RC_JSONB_FT_TIME) {
        unsigned hour = (unsigned)((whole >> 12) % (1u << 10));
        unsigned minute = (unsigned)((whole >> 6) % 64), second = (unsigned)(whole % 64);
        len = snprintf(txt, sizeof txt, "%s%02u:%02u:%02u.%06u", neg ? "-" : "", hour, minute,
                       second, (unsigned)frac);
    } else {
        /* A negative datetime does not exist; MySQL prints the magnitude. */
        uint64_t ymd = whole >> 17, hms = whole % (1u << 17), ym = ymd >> 5;
        unsigned long long year = ym / 13;
        unsigned month = (unsigned)(ym % 13), day = (unsigned)(ymd % 32);
        if (ft == RC_JSONB_FT_DATE)
            len = snprintf(txt, sizeof txt, "%04llu-%02u-%02u", year, month, day);
        else
            len = snprintf(txt, sizeof txt, "%04llu-%02u-%02u %02u:%02u:%02u.%06u", year, month,
                           day, (unsigned)(hms >> 12), (unsigned)((hms >> 6) % 64),
                           (unsigned)(hms % 64), (unsigned)frac);
    }
    rc_json_str(c->out, txt, (size_t)len);
    return 0;
}

/* Opaque: a MySQL field type byte, a variable-length length, the data.
 * p/n start after the JSON type byte. */
static int rc_jsonb_opaque(rc_jsonb_ctx *c, const uint8_t *p, size_t n)
{
    if (n < 1) return rc_jsonb_corrupt(c, "opaque value truncated");
    unsigned ft = p[0];
    uint32_t len;
    size_t used = rc_jsonb_varlen(p + 1, n - 1, &len);
    if (!used) return rc_jsonb_corrupt(c, "bad opaque length");
    if (len > n - 1 - used) return rc_jsonb_corrupt(c, "opaque value runs past its container");
    if (rc_jsonb_charge(c, 1 + used + len) < 0) return -1;
    const uint8_t *d = p + 1 + used;

    switch (ft) {
    case RC_JSONB_FT_NEWDECIMAL: {
        /* Precision and scale bytes, then the column encoding of the value. */
        if (len < 2) return rc_jsonb_corrupt(c, "decimal value truncated");
        char txt[80];
        size_t tlen;
        if (!rc_decimal_text(d + 2, len - 2, d[0], d[1], txt, &tlen))
            return rc_jsonb_corrupt(c, "bad decimal value");
        rc_buf_put(c->out, txt, tlen);
        return 0;
    }
    case RC_JSONB_FT_DATE:
    case RC_JSONB_FT_TIME:
    case RC_JSONB_FT_DATETIME:
    case RC_JSONB_FT_TIMESTAMP: return rc_jsonb_temporal(c, ft, d, len);
    default: {
        /* What MySQL prints for the types it has no text for. */
        char pre[32];
        int plen = snprintf(pre, sizeof pre, "\"base64:type%u:", ft);
        rc_buf_put(c->out, pre, (size_t)plen);
        rc_jsonb_base64_body(c->out, d, len);
        rc_buf_putc(c->out, '"');
        return 0;
    }
    }
}

static int rc_jsonb_value(rc_jsonb_ctx *c, unsigned type, const uint8_t *p, size_t n, int depth);

/* An object or array; p is its first byte after the type byte, n the bytes
 * from there to the end of the enclosing container (or document). */
static int rc_jsonb_container(rc_jsonb_ctx *c, int is_object, int large, const uint8_t *p, size_t n,
                              int depth)
{
    if (depth > RC_JSONB_MAX_DEPTH) return rc_jsonb_corrupt(c, "nested deeper than 100 levels");
    const unsigned osz = large ? 4 : 2;
    if (n < 2 * osz) return rc_jsonb_corrupt(c, "container header truncated");
    uint64_t count = rc_jsonb_le(p, osz), size = rc_jsonb_le(p + osz, osz);
    if (size > n || size < 2 * osz) return rc_jsonb_corrupt(c, "container size out of bounds");

    /* Key entry: offset + u16 length; value entry: type byte + offset or
     * inlined value. Division keeps count * entry from overflowing. */
    const size_t kesz = is_object ? osz + 2 : 0, vesz = 1 + osz;
    if (count > (size - 2 * osz) / (kesz + vesz))
        return rc_jsonb_corrupt(c, "container entries run past its size");
    const size_t hdr = 2 * osz + (size_t)count * (kesz + vesz);
    if (rc_jsonb_charge(c, hdr) < 0) return -1;
    const uint8_t *keys = p + 2 * osz, *vals = keys + (size_t)count * kesz;

    rc_buf_putc(c->out, is_object ? '{' : '[');
    for (size_t i = 0; i < count; i++) {
        if (i) rc_buf_putc(c->out, ',');
        if (is_object) {
            const uint8_t *ke = keys + i * kesz;
            uint64_t ko = rc_jsonb_le(ke, osz), kl = rc_jsonb_le(ke + osz, 2);
            /* Keys live after the header: an offset into it is not MySQL's. */
            if (ko < hdr || ko > size || kl > size - ko)
                return rc_jsonb_corrupt(c, "object key out of bounds");
            if (rc_jsonb_charge(c, (size_t)kl) < 0) return -1;
            rc_json_str(c->out, (const char *)p + ko, (size_t)kl);
            rc_buf_putc(c->out, ':');
        }
        const uint8_t *ve = vals + i * vesz;
        unsigned vt = ve[0];
        /* Literals and 16-bit integers sit in the entry itself; the large
         * format's 4-byte entries hold 32-bit integers too. */
        int inlined = vt == RC_JSONB_LITERAL || vt == RC_JSONB_INT16 || vt == RC_JSONB_UINT16 ||
                      (large && (vt == RC_JSONB_INT32 || vt == RC_JSONB_UINT32));
        if (inlined) {
            if (rc_jsonb_value(c, vt, ve + 1, osz, depth) < 0) return -1;
            continue;
        }
        uint64_t off = rc_jsonb_le(ve + 1, osz);
        /* Past the header, so a value never points back into the container
         * holding it: each nesting level reads strictly fewer bytes. */
        if (off < hdr || off >= size) return rc_jsonb_corrupt(c, "value offset out of bounds");
        if (rc_jsonb_value(c, vt, p + off, (size_t)(size - off), depth) < 0) return -1;
    }
    rc_buf_putc(c->out, is_object ? '}' : ']');
    return 0;
}

/* One value of the given type whose bytes start at p (n available).
 * depth counts the containers already open around it. */
static int rc_jsonb_value(rc_jsonb_ctx *c, unsigned type, const uint8_t *p, size_t n, int depth)
{
    static const unsigned char width[] = {
        [RC_JSONB_INT16] = 2, [RC_JSONB_UINT16] = 2, [RC_JSONB_INT32] = 4,  [RC_JSONB_UINT32] = 4,
        [RC_JSONB_INT64] = 8, [RC_JSONB_UINT64] = 8, [RC_JSONB_DOUBLE] = 8,
    };
    switch (type) {
    case RC_JSONB_SMALL_OBJECT:
    case RC_JSONB_LARGE_OBJECT:
    case RC_JSONB_SMALL_ARRAY:
    case RC_JSONB_LARGE_ARRAY:
        return rc_jsonb_container(c, type <= RC_JSONB_LARGE_OBJECT, type & 1, p, n, depth + 1);
    case RC_JSONB_LITERAL:
        if (n < 1) return rc_jsonb_corrupt(c, "literal truncated");
        switch (p[0]) {
        case 0x00: RC_BUF_LIT(c->out, "null"); return 0;
        case 0x01: RC_BUF_LIT(c->out, "true"); return 0;
        case 0x02: RC_BUF_LIT(c->out, "false"); return 0;
        default: return rc_jsonb_corrupt(c, "unknown literal");
        }
    case RC_JSONB_INT16:
    case RC_JSONB_UINT16:
    case RC_JSONB_INT32:
    case RC_JSONB_UINT32:
    case RC_JSONB_INT64:
    case RC_JSONB_UINT64:
    case RC_JSONB_DOUBLE: {
        unsigned w = width[type];
        if (n < w) return rc_jsonb_corrupt(c, "number truncated");
        uint64_t v = rc_jsonb_le(p, w);
        switch (type) {
        case RC_JSONB_INT16: rc_json_i64(c->out, (int16_t)v); return 0;
        case RC_JSONB_INT32: rc_json_i64(c->out, (int32_t)v); return 0;
        case RC_JSONB_INT64: rc_json_i64(c->out, (int64_t)v); return 0;
        case RC_JSONB_DOUBLE:
            if (rc_jsonb_charge(c, 8) < 0) return -1;
            return rc_jsonb_double(c, p);
        default: rc_json_u64(c->out, v); return 0;
        }
    }
    case RC_JSONB_STRING: {
        uint32_t len;
        size_t used = rc_jsonb_varlen(p, n, &len);
        if (!used) return rc_jsonb_corrupt(c, "bad string length");
        if (len > n - used) return rc_jsonb_corrupt(c, "string runs past its container");
        if (rc_jsonb_charge(c, used + len) < 0) return -1;
        rc_json_str(c->out, (const char *)p + used, len);
        return 0;
    }
    case RC_JSONB_OPAQUE: return rc_jsonb_opaque(c, p, n);
    default: return rc_jsonb_corrupt(c, "unknown value type");
    }
}

int rc_jsonb_text(const uint8_t *p, size_t n, rc_buf *out, rc_err *err)
{
    if (n == 0) {
        RC_BUF_LIT(out, "null");
        return 0;
    }
    /* Twice the input plus slack: a document MySQL wrote reads each byte
     * once; the slack only keeps the accounting from being the thing that
     * rejects a legitimate document. */
    rc_jsonb_ctx c = {out, err, 2 * n + 64};
    size_t start = out->len;
    if (rc_jsonb_value(&c, p[0], p + 1, n - 1, 0) < 0) {
        out->len = start;
        return -1;
    }
    return 0;
}
