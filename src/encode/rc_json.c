/* rc_json: the JSON writing primitives of the encode stage (rows -> bytes).
 *
 * Every output format (seed, maxwell, debezium) writes column values through
 * these, once per value of every row, so they are the hot path: each one
 * reserves its worst case in the rc_buf once and then stores bytes without
 * further checks, and none allocates. Text is validated here, not upstream:
 * whatever the binlog holds, what leaves rowcast is valid JSON and UTF-8. */
#include "encode/rc_json.h"

#include "encode/rc_charset.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- integers ---- */

static const char rc_digits2[201] = "00010203040506070809"
                                    "10111213141516171819"
                                    "20212223242526272829"
                                    "30313233343536373839"
                                    "40414243444546474849"
                                    "50515253545556575859"
                                    "60616263646566676869"
                                    "70717273747576777879"
                                    "80818283848586878889"
                                    "90919293949596979899";

static unsigned rc_u64_ndigits(uint64_t v)
{
    unsigned n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

size_t rc_fmt_u64(char *out, uint64_t v)
{
    /* Knowing the length first lets the digits go straight to their place,
     * two per division, from the right. */
    unsigned n = rc_u64_ndigits(v);
    char *p = out + n;
    while (v >= 100) {
        unsigned i = (unsigned)(v % 100) * 2;
        v /= 100;
        p -= 2;
        memcpy(p, rc_digits2 + i, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, rc_digits2 + v * 2, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return n;
}

size_t rc_fmt_i64(char *out, int64_t v)
{
    if (v >= 0) return rc_fmt_u64(out, (uint64_t)v);
    /* Negate in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
    out[0] = '-';
    return 1 + rc_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}

void rc_json_i64(rc_buf *b, int64_t v)
{
    rc_buf_reserve(b, 20);
    b->len += rc_fmt_i64(b->data + b->len, v);
}

void rc_json_u64(rc_buf *b, uint64_t v)
{
    rc_buf_reserve(b, 20);
    b->len += rc_fmt_u64(b->data + b->len, v);
}

/* ---- strings ---- */

/* A reservation no buffer can grant: rc_buf then ends the process as out of
 * memory. Used where the worst case would overflow size_t, so that a huge
 * length can never wrap into a small reservation and an overrun. */
#define RC_JSON_IMPOSSIBLE (SIZE_MAX / 2)

/* Worst case of a quoted string: 6 output bytes per input byte (a control
 * byte becomes \u00XX; an invalid byte becomes U+FFFD, 3 bytes) plus the
 * quotes. */
static char *rc_str_begin(rc_buf *b, size_t n)
{
    rc_buf_reserve(b, n > (SIZE_MAX / 2 - 2) / 6 ? RC_JSON_IMPOSSIBLE : 6 * n + 2);
    char *o = b->data + b->len;
    *o++ = '"';
    return o;
}

static void rc_str_end(rc_buf *b, char *o)
{
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

#define RC_ONES  0x0101010101010101ULL
#define RC_HIGHS 0x8080808080808080ULL
#define RC_LOW7S 0x7f7f7f7f7f7f7f7fULL

/* High bit of each byte of t that is zero. Exact per byte: the addition
 * works on 7-bit values, so no carry crosses into the next byte (the usual
 * (x - 0x01..) & ~x trick can flag a byte next to a real hit). */
static inline uint64_t rc_zero_bytes(uint64_t t)
{
    return ~(((t & RC_LOW7S) + RC_LOW7S) | t) & RC_HIGHS;
}

/* High bit of each byte that cannot be copied as is: non-ASCII (>= 0x80),
 * a control character (< 0x20), '"' or '\\'. */
static inline uint64_t rc_special_bytes(uint64_t w)
{
    uint64_t ctl = ~((w & RC_LOW7S) + 0x60 * RC_ONES) & RC_HIGHS;
    return (w & RC_HIGHS) | ctl | rc_zero_bytes(w ^ ('"' * RC_ONES)) |
           rc_zero_bytes(w ^ ('\\' * RC_ONES));
}

static inline int rc_plain_byte(unsigned c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Copies the run of plain ASCII at s to o and returns its length. Most text
 * in a database is plain ASCII, so this goes a block at a time: 16 bytes
 * with SSE2, else 8 with the word trick above. o has room for 6 bytes per
 * input byte, so storing a whole block past the end of the run is safe; the
 * caller overwrites the surplus. */
static size_t rc_plain_run(const unsigned char *s, size_t n, char *o)
{
    size_t i = 0;
#if defined(__SSE2__)
    /* 16 at a time where SSE2 is there (every x86-64): a signed compare
     * with 0x20 catches both the control bytes and the non-ASCII ones. */
    const __m128i ctl = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
                  bslash = _mm_set1_epi8('\\');
    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm_storeu_si128((__m128i *)(void *)(o + i), v);
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, ctl), _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                                        _mm_cmpeq_epi8(v, bslash)));
        unsigned m = (unsigned)_mm_movemask_epi8(bad);
        if (m) return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        memcpy(o + i, &w, 8);
        uint64_t m = rc_special_bytes(w);
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* The mask is exact, so its lowest set bit is the first byte. */
            return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        i += 8;
    }
    while (i < n && rc_plain_byte(s[i])) {
        o[i] = (char)s[i];
        i++;
    }
    return i;
}

static const char rc_hex[16] = "0123456789abcdef";

/* The JSON form of an ASCII byte that rc_plain_byte rejects. */
static char *rc_escape_ascii(char *o, unsigned c)
{
    char e;
    switch (c) {
    case '"': e = '"'; break;
    case '\\': e = '\\'; break;
    case '\b': e = 'b'; break;
    case '\f': e = 'f'; break;
    case '\n': e = 'n'; break;
    case '\r': e = 'r'; break;
    case '\t': e = 't'; break;
    default:
        memcpy(o, "\\u00", 4);
        o[4] = rc_hex[c >> 4];
        o[5] = rc_hex[c & 15];
        return o + 6;
    }
    o[0] = '\\';
    o[1] = e;
    return o + 2;
}

static char *rc_put_fffd(char *o)
{
    memcpy(o, "\xEF\xBF\xBD", 3);
    return o + 3;
}

/* Length of the UTF-8 sequence at s (s[0] >= 0x80, avail >= 1). Sets *ok
 * when it is well-formed (Unicode Table 3-7). Otherwise the length is that
 * of the maximal subpart: the longest prefix that could still have begun a
 * well-formed sequence, at least 1. Replacing each maximal subpart by one
 * U+FFFD is the practice of Unicode (sec. 3.9) and of the WHATWG decoder. */
static size_t rc_utf8_seq(const unsigned char *s, size_t avail, int *ok)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    *ok = 0;
    if (c < 0xC2 || c > 0xF4) return 1; /* continuation, overlong lead C0/C1, > U+10FFFF */
    if (c < 0xE0) {
        need = 2;
    } else if (c < 0xF0) {
        need = 3;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* surrogates D800..DFFF */
    } else {
        need = 4;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* > U+10FFFF */
    }
    if (avail < 2 || s[1] < lo || s[1] > hi) return 1;
    for (size_t k = 2; k < need; k++)
        if (k >= avail || (s[k] & 0xC0) != 0x80) return k;
    *ok = 1;
    return need;
}

void rc_json_str(rc_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    char *o = rc_str_begin(b, n);
    size_t i = 0;
    while (i < n) {
        size_t k = rc_plain_run(s + i, n - i, o);
        i += k;
        o += k;
        /* Non-ASCII text comes in runs: stay here while it lasts. */
        while (i < n && s[i] >= 0x80) {
            unsigned c = s[i];
            /* Inline the sequences most text is made of: 2 bytes, and 3
             * bytes outside the E0 (overlong) and ED (surrogate) rows. */
            if (c >= 0xC2 && c < 0xE0 && n - i >= 2 && (s[i + 1] & 0xC0) == 0x80) {
                memcpy(o, s + i, 2);
                o += 2;
                i += 2;
                continue;
            }
            if (c > 0xE0 && c < 0xF0 && c != 0xED && n - i >= 3 && (s[i + 1] & 0xC0) == 0x80 &&
                (s[i + 2] & 0xC0) == 0x80) {
                memcpy(o, s + i, 3);
                o += 3;
                i += 3;
                continue;
            }
            int ok;
            size_t len = rc_utf8_seq(s + i, n - i, &ok);
            if (ok) {
                memcpy(o, s + i, len);
                o += len;
            } else {
                o = rc_put_fffd(o);
            }
            i += len;
        }
        if (i < n && !rc_plain_byte(s[i])) o = rc_escape_ascii(o, s[i++]);
    }
    rc_str_end(b, o);
}

/* A code point below U+10000 as UTF-8. */
static char *rc_put_bmp(char *o, unsigned u)
{
    if (u < 0x80) {
        *o++ = (char)u;
    } else if (u < 0x800) {
        *o++ = (char)(0xC0 | (u >> 6));
        *o++ = (char)(0x80 | (u & 0x3F));
    } else {
        *o++ = (char)(0xE0 | (u >> 12));
        *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
        *o++ = (char)(0x80 | (u & 0x3F));
    }
    return o;
}

/* MySQL's latin1 is Windows cp1252, except that the five bytes cp1252 leaves
 * undefined (81 8D 8F 90 9D) map to the C1 controls of the same value, as
 * CONVERT(_latin1 0x81 USING utf8mb4) shows. A0..FF are ISO 8859-1, i.e.
 * the code point equals the byte. */
static const uint16_t rc_cp1252_80[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* A single-byte charset whose lower half is ASCII: ASCII runs take the same
 * fast path as UTF-8; a high byte is looked up (latin1) or, for ascii, which
 * does not define it, becomes U+FFFD. */
static void rc_json_str_8bit(rc_buf *b, const unsigned char *s, size_t n, int latin1)
{
    char *o = rc_str_begin(b, n);
    size_t i = 0;
    while (i < n) {
        size_t k = rc_plain_run(s + i, n - i, o);
        i += k;
        o += k;
        if (i == n) break;
        unsigned c = s[i++];
        if (c < 0x80)
            o = rc_escape_ascii(o, c);
        else if (!latin1)
            o = rc_put_fffd(o);
        else
            o = rc_put_bmp(o, c < 0xA0 ? rc_cp1252_80[c - 0x80] : c);
    }
    rc_str_end(b, o);
}

/* ---- collations ---- */

enum {
    CS_NONE = 0,
    CS_ARMSCII8,
    CS_ASCII,
    CS_BIG5,
    CS_BINARY,
    CS_CP1250,
    CS_CP1251,
    CS_CP1256,
    CS_CP1257,
    CS_CP850,
    CS_CP852,
    CS_CP866,
    CS_CP932,
    CS_DEC8,
    CS_EUCJPMS,
    CS_EUCKR,
    CS_GB18030,
    CS_GB2312,
    CS_GBK,
    CS_GEOSTD8,
    CS_GREEK,
    CS_HEBREW,
    CS_HP8,
    CS_KEYBCS2,
    CS_KOI8R,
    CS_KOI8U,
    CS_LATIN1,
    CS_LATIN2,
    CS_LATIN5,
    CS_LATIN7,
    CS_MACCE,
    CS_MACROMAN,
    CS_SJIS,
    CS_SWE7,
    CS_TIS620,
    CS_UCS2,
    CS_UJIS,
    CS_UTF16,
    CS_UTF16LE,
    CS_UTF32,
    CS_UTF8MB3,
    CS_UTF8MB4,
};

static const char *const rc_cs_names[] = {
    [CS_ARMSCII8] = "armscii8", [CS_ASCII] = "ascii",     [CS_BIG5] = "big5",
    [CS_BINARY] = "binary",     [CS_CP1250] = "cp1250",   [CS_CP1251] = "cp1251",
    [CS_CP1256] = "cp1256",     [CS_CP1257] = "cp1257",   [CS_CP850] = "cp850",
    [CS_CP852] = "cp852",       [CS_CP866] = "cp866",     [CS_CP932] = "cp932",
    [CS_DEC8] = "dec8",         [CS_EUCJPMS] = "eucjpms", [CS_EUCKR] = "euckr",
    [CS_GB18030] = "gb18030",   [CS_GB2312] = "gb2312",   [CS_GBK] = "gbk",
    [CS_GEOSTD8] = "geostd8",   [CS_GREEK] = "greek",     [CS_HEBREW] = "hebrew",
    [CS_HP8] = "hp8",           [CS_KEYBCS2] = "keybcs2", [CS_KOI8R] = "koi8r",
    [CS_KOI8U] = "koi8u",       [CS_LATIN1] = "latin1",   [CS_LATIN2] = "latin2",
    [CS_LATIN5] = "latin5",     [CS_LATIN7] = "latin7",   [CS_MACCE] = "macce",
    [CS_MACROMAN] = "macroman", [CS_SJIS] = "sjis",       [CS_SWE7] = "swe7",
    [CS_TIS620] = "tis620",     [CS_UCS2] = "ucs2",       [CS_UJIS] = "ujis",
    [CS_UTF16] = "utf16",       [CS_UTF16LE] = "utf16le", [CS_UTF32] = "utf32",
    [CS_UTF8MB3] = "utf8mb3",   [CS_UTF8MB4] = "utf8mb4",
};

/* Charset of every collation id below 1280, the union of MariaDB 10.11 and
 * MySQL 8.0/9 (the two agree on every id both use). Generated from
 * MariaDB 10.11.19's information_schema.COLLATION_CHARACTER_SET_APPLICABILITY
 * (ID, CHARACTER_SET_NAME), plus the ids only MySQL has: 76 (utf8mb3_tolower_ci),
 * 248..250 (gb18030) and 255..323 (the utf8mb4 *_0900_* collations; 272,
 * 276, 295, 299, 301 and 302 are unassigned). Ids 1024 and up are MariaDB's
 * NO PAD variants: each is id - 1024 without trailing-space padding. */
// clang-format off
static const uint8_t rc_coll_cs[1280] = {
    [1] = CS_BIG5, CS_LATIN2, CS_DEC8, CS_CP850, CS_LATIN1, CS_HP8, CS_KOI8R, CS_LATIN1, CS_LATIN2,
        CS_SWE7, CS_ASCII, CS_UJIS, CS_SJIS, CS_CP1251, CS_LATIN1, CS_HEBREW, CS_NONE, CS_TIS620,
        CS_EUCKR, CS_LATIN7, CS_LATIN2, CS_KOI8U, CS_CP1251, CS_GB2312, CS_GREEK, CS_CP1250,
        CS_LATIN2, CS_GBK, CS_CP1257, CS_LATIN5, CS_LATIN1, CS_ARMSCII8, CS_UTF8MB3, CS_CP1250,
        CS_UCS2, CS_CP866, CS_KEYBCS2, CS_MACCE, CS_MACROMAN, CS_CP852, CS_LATIN7, CS_LATIN7,
        CS_MACCE, CS_CP1250, CS_UTF8MB4, CS_UTF8MB4, CS_LATIN1, CS_LATIN1, CS_LATIN1, CS_CP1251,
        CS_CP1251, CS_CP1251, CS_MACROMAN, CS_UTF16, CS_UTF16, CS_UTF16LE, CS_CP1256, CS_CP1257,
        CS_CP1257, CS_UTF32, CS_UTF32, CS_UTF16LE, CS_BINARY, CS_ARMSCII8, CS_ASCII, CS_CP1250,
        CS_CP1256, CS_CP866, CS_DEC8, CS_GREEK, CS_HEBREW, CS_HP8, CS_KEYBCS2, CS_KOI8R, CS_KOI8U,
        CS_UTF8MB3, CS_LATIN2, CS_LATIN5, CS_LATIN7, CS_CP850, CS_CP852, CS_SWE7, CS_UTF8MB3,
        CS_BIG5, CS_EUCKR, CS_GB2312, CS_GBK, CS_SJIS, CS_TIS620, CS_UCS2, CS_UJIS, CS_GEOSTD8,
        CS_GEOSTD8, CS_LATIN1, CS_CP932, CS_CP932, CS_EUCJPMS, CS_EUCJPMS, CS_CP1250, CS_NONE,
        CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16,
        CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16,
        CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16, CS_UTF16,
    [128] = CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2,
        CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2,
        CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2, CS_UCS2,
    [159] = CS_UCS2, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32,
        CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32,
        CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32, CS_UTF32,
    [192] = CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3,
        CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3,
        CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3,
        CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3,
    [223] = CS_UTF8MB3, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_GB18030, CS_GB18030, CS_GB18030,
    [255] = CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_NONE, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_NONE,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_NONE, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_NONE, CS_UTF8MB4, CS_NONE, CS_NONE, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
        CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
    [576] = CS_UTF8MB3, CS_UTF8MB3, CS_UTF8MB3,
    [608] = CS_UTF8MB4, CS_UTF8MB4, CS_UTF8MB4,
    [640] = CS_UCS2, CS_UCS2, CS_UCS2,
    [672] = CS_UTF16, CS_UTF16, CS_UTF16,
    [736] = CS_UTF32, CS_UTF32, CS_UTF32,
    [1025] = CS_BIG5, CS_NONE, CS_DEC8, CS_CP850, CS_NONE, CS_HP8, CS_KOI8R, CS_LATIN1, CS_LATIN2,
        CS_SWE7, CS_ASCII, CS_UJIS, CS_SJIS, CS_NONE, CS_NONE, CS_HEBREW, CS_NONE, CS_TIS620,
        CS_EUCKR, CS_NONE, CS_NONE, CS_KOI8U, CS_NONE, CS_GB2312, CS_GREEK, CS_CP1250, CS_NONE,
        CS_GBK, CS_NONE, CS_LATIN5, CS_NONE, CS_ARMSCII8, CS_UTF8MB3, CS_NONE, CS_UCS2, CS_CP866,
        CS_KEYBCS2, CS_MACCE, CS_MACROMAN, CS_CP852, CS_LATIN7, CS_NONE, CS_MACCE, CS_NONE,
        CS_UTF8MB4, CS_UTF8MB4, CS_LATIN1, CS_NONE, CS_NONE, CS_CP1251, CS_CP1251, CS_NONE,
        CS_MACROMAN, CS_UTF16, CS_UTF16, CS_UTF16LE, CS_CP1256, CS_CP1257, CS_CP1257, CS_UTF32,
        CS_UTF32, CS_UTF16LE, CS_NONE, CS_ARMSCII8, CS_ASCII, CS_CP1250, CS_CP1256, CS_CP866,
        CS_DEC8, CS_GREEK, CS_HEBREW, CS_HP8, CS_KEYBCS2, CS_KOI8R, CS_KOI8U, CS_NONE, CS_LATIN2,
        CS_LATIN5, CS_LATIN7, CS_CP850, CS_CP852, CS_SWE7, CS_UTF8MB3, CS_BIG5, CS_EUCKR, CS_GB2312,
        CS_GBK, CS_SJIS, CS_TIS620, CS_UCS2, CS_UJIS, CS_GEOSTD8, CS_GEOSTD8, CS_NONE, CS_CP932,
        CS_CP932, CS_EUCJPMS, CS_EUCJPMS, CS_NONE, CS_NONE, CS_UTF16,
    [1147] = CS_UTF16,
    [1152] = CS_UCS2,
    [1174] = CS_UCS2,
    [1184] = CS_UTF32,
    [1206] = CS_UTF32,
    [1216] = CS_UTF8MB3,
    [1238] = CS_UTF8MB3,
    [1248] = CS_UTF8MB4,
    [1270] = CS_UTF8MB4,
};
// clang-format on

/* MariaDB 10.10+ numbers its UCA 14.0.0 collations in blocks of 256 ids,
 * one block per charset (e.g. utf8mb4_uca1400_ai_ci = 2304); a block is
 * only partly used, and later tailorings land in the same block. */
static const uint8_t rc_uca1400_cs[5] = {CS_UTF8MB3, CS_UTF8MB4, CS_UCS2, CS_UTF16, CS_UTF32};

static unsigned rc_collation_cs(uint16_t collation)
{
    if (collation < sizeof rc_coll_cs) return rc_coll_cs[collation];
    if (collation >= 2048 && collation < 2048 + 5 * 256)
        return rc_uca1400_cs[(collation - 2048) >> 8];
    return CS_NONE;
}

const char *rc_collation_charset(uint16_t collation)
{
    unsigned cs = rc_collation_cs(collation);
    return cs == CS_NONE ? NULL : rc_cs_names[cs];
}

/* The converters of the charsets not handled inline, looked up once each
 * (a failed look-up too: iconv_open is not for every value). Static state:
 * the encoder runs on one thread. */
static const rc_charset *rc_cs_conv[CS_UTF8MB4 + 1];
static unsigned char rc_cs_looked[CS_UTF8MB4 + 1];
static rc_buf rc_cs_scratch;

static const rc_charset *rc_cs_converter(unsigned cs)
{
    if (!rc_cs_looked[cs]) {
        rc_cs_conv[cs] = rc_charset_get(rc_cs_names[cs]);
        rc_cs_looked[cs] = 1;
    }
    return rc_cs_conv[cs];
}

int rc_json_str_cs(rc_buf *b, const char *s, size_t n, uint16_t collation)
{
    if (collation == 0) {
        rc_json_str(b, s, n);
        return 0;
    }
    switch (rc_collation_cs(collation)) {
    case CS_UTF8MB3:
    case CS_UTF8MB4: rc_json_str(b, s, n); return 0;
    /* ascii defines only 00..7F: a high byte is invalid in the column's charset
     * and becomes U+FFFD (SPEC §2), even where it would pass as UTF-8. */
    case CS_ASCII: rc_json_str_8bit(b, (const unsigned char *)s, n, 0); return 0;
    case CS_LATIN1: rc_json_str_8bit(b, (const unsigned char *)s, n, 1); return 0;
    case CS_NONE:
    case CS_BINARY: return -1; /* binary is base64, written by the caller */
    default: {
        const rc_charset *conv = rc_cs_converter(rc_collation_cs(collation));
        if (!conv) return -1;
        /* To UTF-8 in a scratch buffer, then the same escaping as UTF-8
         * columns. The scratch grows to the longest value and is reused. */
        rc_cs_scratch.len = 0;
        rc_charset_to_utf8(conv, &rc_cs_scratch, s, n);
        rc_json_str(b, rc_cs_scratch.data, rc_cs_scratch.len);
        return 0;
    }
    }
}

/* ---- base64 ---- */

static const char rc_b64[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void rc_json_base64(rc_buf *b, const void *p, size_t n)
{
    const unsigned char *s = p;
    rc_buf_reserve(b, n / 3 >= (SIZE_MAX / 2 - 8) / 4 ? RC_JSON_IMPOSSIBLE : (n + 2) / 3 * 4 + 2);
    char *o = b->data + b->len;
    *o++ = '"';
    size_t i = 0;
    for (; n - i >= 3; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        o[0] = rc_b64[v >> 18];
        o[1] = rc_b64[(v >> 12) & 63];
        o[2] = rc_b64[(v >> 6) & 63];
        o[3] = rc_b64[v & 63];
        o += 4;
    }
    if (n - i > 0) {
        /* 1 or 2 bytes left: 2 or 3 characters, then '=' padding to 4. */
        uint32_t v = (uint32_t)s[i] << 16 | (n - i == 2 ? (uint32_t)s[i + 1] << 8 : 0);
        o[0] = rc_b64[v >> 18];
        o[1] = rc_b64[(v >> 12) & 63];
        o[2] = n - i == 2 ? rc_b64[(v >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

/* ---- floating point ---- */

/* The shortest digits: the fewest significant digits whose correctly
 * rounded value reads back as the same number, found with printf/strto*.
 *
 * For a normal double, any decimal of at most DBL_DIG (15) significant
 * digits survives decimal -> double -> 15 digits unchanged. So if some
 * decimal of <= 15 digits reads back as x, it is x printed to 15 digits with
 * trailing zeros dropped; if the 15-digit print does not read back, nothing
 * shorter does, and we try 16, then 17 (which always reads back). The same
 * holds for float with FLT_DIG (6) .. 9. Subnormals have less precision than
 * DBL_DIG promises, so they search upwards from 1 digit.
 *
 * Output: the digits (no point, no trailing zeros) in dig, their count as
 * the return value, and the decimal exponent of the first digit in *exp10. */
static int rc_digits_of(const char *buf, char *dig, int *exp10)
{
    int nd = 0;
    const char *p = buf;
    /* "d[.ddd]e[+-]XX"; the radix character depends on the locale, so
     * take every digit before the 'e' rather than expect a '.'. */
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') dig[nd++] = *p;
    *exp10 = *p ? atoi(p + 1) : 0;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    return nd;
}

/* Digits of m (no trailing zeros) for the value m * 10^-k. */
static int rc_digits_scaled(uint64_t m, int k, char *dig, int *exp10)
{
    int nd = (int)rc_fmt_u64(dig, m);
    *exp10 = nd - 1 - k;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    return nd;
}

/* The fast path for the values databases mostly hold, like 123.45: the
 * fewest fraction digits k for which m = round(a * 10^k) gives back a as
 * m / 10^k. Both m (< 2^51) and 10^k (k <= 22) are exact doubles, so that
 * division is correctly rounded, i.e. it is exactly what strtod makes of
 * the text "m e-k": the check is a read-back without any text. And below
 * 2^51 the rounded product is the only integer that could read back (the
 * product's rounding error plus a half ulp of a, times 10^k, stays under
 * 1/2), so the first k that works is the shortest of up to 15 digits, the
 * same answer as the printf search. Needs arithmetic in the type's own
 * precision (FLT_EVAL_METHOD 0: SSE, not x87). */
static const double rc_pow10d[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int rc_scaled_double(double a, char *dig, int *exp10)
{
#if FLT_EVAL_METHOD == 0
    for (int k = 1; k <= 22; k++) {
        double t = a * rc_pow10d[k];
        if (t >= 2251799813685248.0) break; /* 2^51 */
        double m = nearbyint(t);
        if (m / rc_pow10d[k] == a) return rc_digits_scaled((uint64_t)m, k, dig, exp10);
    }
#endif
    return 0;
}

/* The same for float: a has 24 bits and 10^k (k <= 10) at most 24, so the
 * product is exact in double and rounds to the one candidate below 2^23;
 * float division by the exact float 10^k is the correctly rounded read-back. */
static int rc_scaled_float(float a, char *dig, int *exp10)
{
#if FLT_EVAL_METHOD == 0
    for (int k = 1; k <= 10; k++) {
        double t = (double)a * rc_pow10d[k];
        if (t >= 8388608.0) break; /* 2^23 */
        double m = nearbyint(t);
        if ((float)m / (float)rc_pow10d[k] == a)
            return rc_digits_scaled((uint64_t)m, k, dig, exp10);
    }
#endif
    return 0;
}

static int rc_shortest_double(double a, char *dig, int *exp10)
{
    char buf[40];
    int nd = rc_scaled_double(a, dig, exp10);
    if (nd) return nd;
    int p = a >= DBL_MIN ? DBL_DIG : 1;
    for (; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, a);
        if (strtod(buf, NULL) == a) break;
    }
    if (p == 17) snprintf(buf, sizeof buf, "%.*e", 16, a);
    return rc_digits_of(buf, dig, exp10);
}

static int rc_shortest_float(float a, char *dig, int *exp10)
{
    char buf[40];
    int nd = rc_scaled_float(a, dig, exp10);
    if (nd) return nd;
    int p = a >= FLT_MIN ? FLT_DIG : 1;
    for (; p < 9; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, (double)a);
        if (strtof(buf, NULL) == a) break;
    }
    if (p == 9) snprintf(buf, sizeof buf, "%.*e", 8, (double)a);
    return rc_digits_of(buf, dig, exp10);
}

/* Lays out nd digits with the first at 10^exp10 as a JSON number. Plain
 * notation from 1e-6 up to 1e21 (ECMAScript's Number#toString range, so
 * JavaScript consumers see their own text), exponent notation outside it,
 * written as the server writes it ("1e21", "5e-324": no '+', no padding).
 * Longest result: "-0.00000" and 17 digits, 25 bytes (32 are reserved). */
static size_t rc_layout_number(char *out, int neg, const char *dig, int nd, int exp10)
{
    char *o = out;
    int point = exp10 + 1; /* digits before the decimal point */
    if (neg) *o++ = '-';
    if (point >= nd && point <= 21) {
        memcpy(o, dig, (size_t)nd);
        o += nd;
        memset(o, '0', (size_t)(point - nd));
        o += point - nd;
    } else if (point > 0 && point <= 21) {
        memcpy(o, dig, (size_t)point);
        o += point;
        *o++ = '.';
        memcpy(o, dig + point, (size_t)(nd - point));
        o += nd - point;
    } else if (point > -6 && point <= 0) {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)-point);
        o += -point;
        memcpy(o, dig, (size_t)nd);
        o += nd;
    } else {
        *o++ = dig[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)(nd - 1));
            o += nd - 1;
        }
        *o++ = 'e';
        if (exp10 < 0) *o++ = '-';
        o += rc_fmt_u64(o, (uint64_t)(exp10 < 0 ? -exp10 : exp10));
    }
    return (size_t)(o - out);
}

/* NaN and the infinities have no JSON number: they are written as null, as
 * other JSON encoders of database rows do. -0 keeps its sign. */
static int rc_json_nonfinite_or_zero(rc_buf *b, double d)
{
    if (!isfinite(d)) {
        RC_BUF_LIT(b, "null");
        return 1;
    }
    if (d == 0) {
        if (signbit(d))
            RC_BUF_LIT(b, "-0");
        else
            rc_buf_putc(b, '0');
        return 1;
    }
    return 0;
}

void rc_json_double(rc_buf *b, double d)
{
    if (rc_json_nonfinite_or_zero(b, d)) return;
    rc_buf_reserve(b, 32);
    char *o = b->data + b->len;
    /* Integers below 2^53 are exact and their digits are already the
     * shortest: the common case (counters, prices in whole units) needs no
     * printf at all. */
    if (fabs(d) < 9007199254740992.0 && d == (double)(int64_t)d) {
        b->len += rc_fmt_i64(o, (int64_t)d);
        return;
    }
    char dig[24];
    int exp10;
    int nd = rc_shortest_double(fabs(d), dig, &exp10);
    b->len += rc_layout_number(o, signbit(d) != 0, dig, nd, exp10);
}

void rc_json_float(rc_buf *b, float f)
{
    if (rc_json_nonfinite_or_zero(b, f)) return;
    rc_buf_reserve(b, 32);
    char *o = b->data + b->len;
    if (fabsf(f) < 16777216.0f && f == (float)(int32_t)f) {
        b->len += rc_fmt_i64(o, (int32_t)f);
        return;
    }
    char dig[24];
    int exp10;
    int nd = rc_shortest_float(fabsf(f), dig, &exp10);
    b->len += rc_layout_number(o, signbit(f) != 0, dig, nd, exp10);
}
