/* rc_coltext: the decode stage's text for NEWDECIMAL and temporal columns.
 *
 * The row decoder finds a column's bytes and metadata and hands them here;
 * the text that comes back is what the server shows in a SELECT (SPEC.md §2)
 * and becomes the value the encoders write (RC_V_NUMBER for decimals,
 * RC_V_TEXT for dates and times). The formats are MySQL's row-image
 * encodings, which MariaDB shares. Nothing here trusts the bytes: each
 * function checks the length it is given, rejects what no server writes
 * (a decimal group of ten digits, a fraction past 999999) and returns 0
 * for it. Dates the server would call invalid (month 13, day 0) are printed
 * as stored, because that is what the server prints. */
#include "decode/rc_coltext.h"

#include "core/rc_digits.h"

#include <string.h>

/* ---- small writers ---- */

/* v as exactly w digits, zero-padded on the left (v < 10^w). */
static inline char *rc_put_fixed(char *o, uint32_t v, unsigned w)
{
    char *p = o + w;
    for (unsigned n = w; n >= 2; n -= 2) {
        p -= 2;
        memcpy(p, rc_digits2 + (v % 100) * 2, 2);
        v /= 100;
    }
    if (w & 1) p[-1] = (char)('0' + v);
    return o + w;
}

/* v < 100 as two digits: one table load, the common field of a date. */
static inline char *rc_put2(char *o, uint32_t v)
{
    memcpy(o, rc_digits2 + v * 2, 2);
    return o + 2;
}

/* v with at least w digits: years past 9999 and hours past 99 keep all theirs. */
static inline char *rc_put_min(char *o, uint64_t v, unsigned w)
{
    if (w == 2 && v < 100) return rc_put2(o, (uint32_t)v);
    if (w == 4 && v < 10000) return rc_put2(rc_put2(o, (uint32_t)v / 100), (uint32_t)v % 100);
    /* Rare: a value wider than its field (the slow path is fine here). */
    char tmp[20];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < w)
        tmp[n++] = '0';
    while (n)
        *o++ = tmp[--n];
    return o;
}

/* ".ffffff" cut to fsp digits (the column's precision), nothing for fsp 0.
 * The first fsp of the six digits are the fraction at that precision, so
 * all six are written (callers' buffers have the room) and the end moves
 * back: no division by a power of ten chosen at run time. */
static inline char *rc_put_frac(char *o, uint32_t usec, unsigned fsp)
{
    if (fsp == 0) return o;
    o[0] = '.';
    uint32_t hi = usec / 10000, lo = usec % 10000;
    memcpy(o + 1, rc_digits2 + hi * 2, 2);
    memcpy(o + 3, rc_digits2 + (lo / 100) * 2, 2);
    memcpy(o + 5, rc_digits2 + (lo % 100) * 2, 2);
    return o + 1 + fsp;
}

static char *rc_put_ymd(char *o, uint64_t y, unsigned m, unsigned d)
{
    o = rc_put_min(o, y, 4);
    *o++ = '-';
    o = rc_put2(o, m);
    *o++ = '-';
    return rc_put2(o, d);
}

/* hour has at least 2 digits; minute and second as stored (< 100). */
static char *rc_put_hms(char *o, uint64_t h, unsigned mi, unsigned s)
{
    o = rc_put_min(o, h, 2);
    *o++ = ':';
    o = rc_put2(o, mi);
    *o++ = ':';
    return rc_put2(o, s);
}

static inline uint64_t rc_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static inline uint32_t rc_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rc_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--)
        v = v << 8 | p[i - 1];
    return v;
}

/* Bytes of the fractional part of a TIME2/DATETIME2/TIMESTAMP2: two
 * digits per byte, rounded up. */
static unsigned rc_frac_bytes(unsigned fsp)
{
    return (fsp + 1) / 2;
}

/* The stored fraction as microseconds. The encoding keeps whole bytes:
 * fsp 1-2 store hundredths, 3-4 ten-thousandths, 5-6 microseconds. Returns
 * -1 for a value past what its bytes may hold for a server-written column. */
static inline int64_t rc_frac_usec(const uint8_t *p, unsigned fsp)
{
    uint32_t v;
    switch (rc_frac_bytes(fsp)) {
    case 0: return 0;
    case 1: v = p[0]; return v <= 99 ? (int64_t)v * 10000 : -1;
    case 2: v = (uint32_t)p[0] << 8 | p[1]; return v <= 9999 ? (int64_t)v * 100 : -1;
    default:
        v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        return v <= 999999 ? (int64_t)v : -1;
    }
}

/* ---- NEWDECIMAL ---- */

/* A decimal is stored as groups of 9 digits in 4 bytes, integer part and
 * fraction separately; a partial group (the leading digits of the integer
 * part, the trailing digits of the fraction) takes only the bytes its
 * digits need. */
static const uint8_t rc_dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
static const uint32_t rc_pow10[10] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};

/* DECIMAL(65, s) is the largest both servers allow; out is sized for it by
 * callers that follow the header's precision + 3 rule with a fixed buffer. */
#define RC_DECIMAL_MAX_PRECISION 65

size_t rc_decimal_size(unsigned precision, unsigned scale)
{
    if (precision == 0 || precision > RC_DECIMAL_MAX_PRECISION || scale > precision) return 0;
    unsigned intg = precision - scale;
    return (intg / 9) * 4 + rc_dig2bytes[intg % 9] + (scale / 9) * 4 + rc_dig2bytes[scale % 9];
}

/* v (< 10^9) with as many digits as it has, writing no byte past them
 * (callers size out by the column's precision). */
static inline char *rc_put_var9(char *o, uint32_t v)
{
    if (v < 10000) return o + rc_digits_u4(o, v);
    unsigned n = v < 1000000 ? 5 + (v >= 100000) : v < 100000000 ? 7 + (v >= 10000000) : 9;
    return rc_put_fixed(o, v, n);
}

/* The common decimals (at most 18 integer digits and 9 of fraction, e.g.
 * DECIMAL(12,2)): the integer part fits a uint64 and the fraction one
 * group, so the bytes are read in one pass without the general group
 * loop below. Same checks, same text. */
static size_t rc_decimal_small(const uint8_t *p, size_t size, unsigned intg, unsigned scale,
                               uint8_t flip, char *out, size_t *outlen)
{
    /* Each group read big-endian and un-inverted with a mask of its width;
     * the sign bit is undone in the first byte of the value. */
    const uint32_t fl = flip ? 0xFFFFFFFFu : 0;
    uint32_t sign = 0x80u << 24;
    const uint8_t *q = p;
    unsigned lead = intg % 9, nfull = intg / 9;
    uint64_t ip = 0;
    if (lead) {
        unsigned nb = rc_dig2bytes[lead], sh = 32 - 8 * nb;
        uint32_t v = ((uint32_t)rc_be(q, nb) << sh ^ fl ^ sign) >> sh;
        sign = 0;
        if (v >= rc_pow10[lead]) return 0;
        ip = v;
        q += nb;
    }
    for (unsigned g = 0; g < nfull; g++, q += 4) {
        uint32_t v = rc_be32(q) ^ fl ^ sign;
        sign = 0;
        if (v >= 1000000000u) return 0;
        ip = ip * 1000000000u + v;
    }
    uint32_t fr = 0;
    if (scale) {
        unsigned nb = rc_dig2bytes[scale], sh = 32 - 8 * nb;
        fr = ((uint32_t)rc_be(q, nb) << sh ^ fl ^ sign) >> sh;
        if (fr >= rc_pow10[scale]) return 0;
    }
    (void)size;
    char *o = out;
    if (flip && (ip | fr)) *o++ = '-'; /* the server shows -0.00 as 0.00 */
    if (ip >= 1000000000u) {
        o = rc_put_var9(o, (uint32_t)(ip / 1000000000u));
        o = rc_put_fixed(o, (uint32_t)(ip % 1000000000u), 9);
    } else {
        o = rc_put_var9(o, (uint32_t)ip);
    }
    if (scale) {
        *o++ = '.';
        o = rc_put_fixed(o, fr, scale);
    }
    *outlen = (size_t)(o - out);
    return size;
}

size_t rc_decimal_text(const uint8_t *p, size_t avail, unsigned precision, unsigned scale,
                       char *out, size_t *outlen)
{
    size_t size = rc_decimal_size(precision, scale);
    if (size == 0 || avail < size) return 0;

    /* The sign is the inverted top bit of the first byte; a negative number
     * has every byte inverted besides (the sort-friendly encoding). */
    const uint8_t flip = (p[0] & 0x80) ? 0x00 : 0xFF;
    unsigned intg = precision - scale;
    if (intg <= 18 && scale <= 9) return rc_decimal_small(p, size, intg, scale, flip, out, outlen);
    unsigned lead = intg % 9, trail = scale % 9;
    unsigned nint = intg / 9 + (lead != 0); /* integer groups, the partial one first */
    unsigned nfrac = scale / 9 + (trail != 0);

    /* Every group as a number first (at most 8 of each kind for precision
     * 65): whether the value is zero decides the sign before any digit is
     * written, and a group past its digit count is rejected up front. */
    uint32_t grp[16];
    unsigned ng = 0;
    uint32_t any = 0;
    const uint32_t flip32 = flip ? 0xFFFFFFFFu : 0;
    uint32_t sign = 0x80; /* undone on the first byte of the value only */
    const uint8_t *q = p;
    for (unsigned g = 0; g < nint + nfrac; g++) {
        unsigned nd = g == 0 && lead                                ? lead
                      : g == nint + nfrac - 1 && g >= nint && trail ? trail
                                                                    : 9;
        unsigned nb = rc_dig2bytes[nd];
        uint32_t v;
        if (nb == 4)
            v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        else
            v = (uint32_t)rc_be(q, nb);
        v ^= (flip32 ^ sign << 24) >> (32 - 8 * nb);
        sign = 0;
        if (v >= rc_pow10[nd]) return 0;
        q += nb;
        grp[ng++] = v;
        any |= v;
    }

    char *o = out;
    /* A negative zero has no sign: the server shows -0.00 as 0.00. */
    if (flip && any) *o++ = '-';
    /* Integer part without leading zeros, "0" when none is left. */
    unsigned g = 0;
    while (g < nint && grp[g] == 0)
        g++;
    if (g == nint) {
        *o++ = '0';
    } else {
        o = rc_put_var9(o, grp[g++]);
        for (; g < nint; g++)
            o = rc_put_fixed(o, grp[g], 9);
    }
    if (scale) {
        *o++ = '.';
        for (g = nint; g < ng; g++)
            o = rc_put_fixed(o, grp[g], g == ng - 1 && trail ? trail : 9);
    }
    *outlen = (size_t)(o - out);
    return size;
}

/* ---- temporal types ---- */

size_t rc_date_text(const uint8_t *p, size_t avail, char *out, size_t *outlen)
{
    if (avail < 3) return 0;
    /* 3 bytes little-endian: day in bits 0-4, month 5-8, year above. */
    uint32_t v = (uint32_t)rc_le(p, 3);
    *outlen = (size_t)(rc_put_ymd(out, v >> 9, (v >> 5) & 15, v & 31) - out);
    return 3;
}

size_t rc_time_text(const uint8_t *p, size_t avail, char *out, size_t *outlen)
{
    if (avail < 3) return 0;
    /* The pre-5.6 TIME: a signed 3-byte integer whose decimal digits read
     * HHMMSS (-838:59:59 is stored as -8385959). */
    int32_t v = (int32_t)rc_le(p, 3);
    if (v & 0x800000) v -= 0x1000000;
    char *o = out;
    if (v < 0) *o++ = '-';
    uint32_t a = (uint32_t)(v < 0 ? -v : v);
    o = rc_put_hms(o, a / 10000, a / 100 % 100, a % 100);
    *outlen = (size_t)(o - out);
    return 3;
}

size_t rc_time2_text(const uint8_t *p, size_t avail, unsigned fsp, char *out, size_t *outlen)
{
    if (fsp > 6) return 0;
    size_t need = 3 + rc_frac_bytes(fsp);
    if (avail < need) return 0;

    /* TIME2 is one signed fixed-point number, offset to sort as unsigned
     * bytes: 1 sign bit, 1 unused, 10 bits hour, 6 minute, 6 second, then
     * the fraction. Rebuild it as (seconds part << 24) + microseconds, as
     * the server does (my_time_packed_from_binary). A negative value keeps
     * its fraction as a negative number too: -00:00:00.5 is stored as the
     * integer part -1 and the fraction byte 0xCE (= -50 + 256). */
    int64_t ip = (int64_t)rc_be(p, 3) - 0x800000;
    int64_t packed;
    switch (rc_frac_bytes(fsp)) {
    case 0: packed = ip * (1 << 24); break;
    case 1: {
        int64_t f = p[3];
        if (ip < 0 && f) { /* borrow: fraction counts down from the next second */
            ip++;
            f -= 0x100;
        }
        packed = ip * (1 << 24) + f * 10000;
        break;
    }
    case 2: {
        int64_t f = (int64_t)rc_be(p + 3, 2);
        if (ip < 0 && f) {
            ip++;
            f -= 0x10000;
        }
        packed = ip * (1 << 24) + f * 100;
        break;
    }
    default: packed = (int64_t)rc_be(p, 6) - 0x800000000000; break;
    }

    uint64_t a = (uint64_t)(packed < 0 ? -packed : packed);
    uint32_t usec = (uint32_t)(a & 0xFFFFFF);
    if (usec > 999999) return 0;
    uint32_t hms = (uint32_t)(a >> 24);
    char *o = out;
    if (packed < 0) *o++ = '-';
    o = rc_put_hms(o, (hms >> 12) & 0x3FF, (hms >> 6) & 63, hms & 63);
    o = rc_put_frac(o, usec, fsp);
    *outlen = (size_t)(o - out);
    return need;
}

size_t rc_datetime_text(const uint8_t *p, size_t avail, char *out, size_t *outlen)
{
    if (avail < 8) return 0;
    /* The pre-5.6 DATETIME: the decimal number YYYYMMDDhhmmss. */
    uint64_t v = rc_le(p, 8);
    uint64_t date = v / 1000000;
    uint32_t t = (uint32_t)(v % 1000000);
    char *o = rc_put_ymd(out, date / 10000, (unsigned)(date / 100 % 100), (unsigned)(date % 100));
    *o++ = ' ';
    o = rc_put_hms(o, t / 10000, t / 100 % 100, t % 100);
    *outlen = (size_t)(o - out);
    return 8;
}

size_t rc_datetime2_text(const uint8_t *p, size_t avail, unsigned fsp, char *out, size_t *outlen)
{
    if (fsp > 6) return 0;
    size_t need = 5 + rc_frac_bytes(fsp);
    if (avail < need) return 0;
    /* 40 bits big-endian, offset by 2^39 to sort as unsigned: 1 sign bit,
     * 17 bits year * 13 + month, 5 day, 5 hour, 6 minute, 6 second; then
     * the fraction. No server writes a negative DATETIME. */
    uint64_t v = (uint64_t)p[0] << 32 | rc_be32(p + 1);
    if (v < 0x8000000000) return 0;
    v -= 0x8000000000;
    int64_t usec = rc_frac_usec(p + 5, fsp);
    if (usec < 0) return 0;
    uint32_t ym = (uint32_t)(v >> 22), y = ym / 13;
    char *o;
    if (y < 10000) {
        /* every field two digits at fixed places: no lengths to work out */
        memcpy(out, rc_digits2 + (y / 100) * 2, 2);
        memcpy(out + 2, rc_digits2 + (y % 100) * 2, 2);
        out[4] = '-';
        memcpy(out + 5, rc_digits2 + (ym % 13) * 2, 2);
        out[7] = '-';
        memcpy(out + 8, rc_digits2 + ((v >> 17) & 31) * 2, 2);
        out[10] = ' ';
        memcpy(out + 11, rc_digits2 + ((v >> 12) & 31) * 2, 2);
        out[13] = ':';
        memcpy(out + 14, rc_digits2 + ((v >> 6) & 63) * 2, 2);
        out[16] = ':';
        memcpy(out + 17, rc_digits2 + (v & 63) * 2, 2);
        o = out + 19;
    } else { /* a year past 9999 (17 bits of year * 13 + month allow 10082) */
        o = rc_put_ymd(out, y, ym % 13, (v >> 17) & 31);
        *o++ = ' ';
        o = rc_put_hms(o, (v >> 12) & 31, (v >> 6) & 63, v & 63);
    }
    o = rc_put_frac(o, (uint32_t)usec, fsp);
    *outlen = (size_t)(o - out);
    return need;
}

/* Seconds since 1970-01-01 UTC to the civil date and time, by arithmetic:
 * no gmtime (slow, and no time zone may enter this path). Counting years
 * from March 1st puts the leap day at the end of the year, so the days
 * before each month follow one formula, and 400-year eras of 146097 days
 * repeat exactly. */
static char *rc_put_epoch(char *o, uint64_t secs)
{
    uint64_t days = secs / 86400;
    uint32_t sod = (uint32_t)(secs % 86400);
    uint64_t z = days + 719468; /* days since 0000-03-01 */
    uint64_t era = z / 146097;
    uint32_t doe = (uint32_t)(z % 146097);                                /* day of era */
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* year of era */
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* from March 1st */
    uint32_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    uint32_t day = doy - (153 * mp + 2) / 5 + 1;
    uint32_t month = mp < 10 ? mp + 3 : mp - 9;
    uint64_t year = era * 400 + yoe + (month <= 2);
    o = rc_put_ymd(o, year, month, day);
    *o++ = ' ';
    return rc_put_hms(o, sod / 3600, sod / 60 % 60, sod % 60);
}

size_t rc_epoch_text(uint32_t secs, char *out)
{
    return (size_t)(rc_put_epoch(out, secs) - out);
}

/* The server stores the zero TIMESTAMP as 0 and shows it as the zero date;
 * any other value is shown in UTC (time_zone '+00:00', SPEC §2). */
static size_t rc_timestamp_common(uint32_t secs, uint32_t usec, unsigned fsp, char *out)
{
    char *o;
    if (secs == 0) {
        memcpy(out, "0000-00-00 00:00:00", 19);
        o = out + 19;
    } else {
        o = rc_put_epoch(out, secs);
    }
    o = rc_put_frac(o, usec, fsp);
    return (size_t)(o - out);
}

size_t rc_timestamp_text(const uint8_t *p, size_t avail, char *out, size_t *outlen)
{
    if (avail < 4) return 0;
    *outlen = rc_timestamp_common((uint32_t)rc_le(p, 4), 0, 0, out);
    return 4;
}

size_t rc_timestamp2_text(const uint8_t *p, size_t avail, unsigned fsp, char *out, size_t *outlen)
{
    if (fsp > 6) return 0;
    size_t need = 4 + rc_frac_bytes(fsp);
    if (avail < need) return 0;
    /* Unlike every other integer in a row image, TIMESTAMP2 is big-endian. */
    int64_t usec = rc_frac_usec(p + 4, fsp);
    if (usec < 0) return 0;
    *outlen = rc_timestamp_common((uint32_t)rc_be(p, 4), (uint32_t)usec, fsp, out);
    return need;
}
