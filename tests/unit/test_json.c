/* test_json: the JSON primitives of the encode stage.
 *
 * Strings are checked against hand-written expectations for every class of
 * UTF-8 error and against a reference decoder written here a different way
 * (by code-point intervals) over random bytes; numbers against printf and
 * strtod, with brute force as the judge of "shortest", and byte for byte
 * against the first, printf-based formatter, kept below as the reference
 * (RC_FP_COMPARE_N sets how many random values: 1M by default). */
#include "rc_test.h"

#include "encode/rc_json.h"

#include <float.h>
#include <sys/mman.h>
#include <unistd.h>
#include <math.h>

static rc_buf B;

/* The text of one call, as a C string (the buffer is reset each time). */
#define OUT(call) (B.len = 0, (call), rc_buf_putc(&B, 0), B.len--, (const char *)B.data)

static const char *str(const char *s, size_t n)
{
    return OUT(rc_json_str(&B, s, n));
}
#define STR(lit) str(lit, sizeof(lit) - 1)

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- strings ---- */

RC_TEST(str_ascii_and_escapes)
{
    CHECK_STR(STR(""), "\"\"");
    CHECK_STR(STR("a"), "\"a\"");
    CHECK_STR(STR("hello, world"), "\"hello, world\"");
    CHECK_STR(STR("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    CHECK_STR(STR("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
    CHECK_STR(STR("/\x7f~"), "\"/\x7f~\""); /* '/' and DEL need no escape */
    CHECK_STR(str("a\0b", 3), "\"a\\u0000b\"");
    CHECK_STR(STR("\x01\x1f\x0b"), "\"\\u0001\\u001f\\u000b\"");
    /* Every control byte, alone. */
    for (unsigned c = 0; c < 0x20; c++) {
        char in = (char)c, exp[16];
        switch (c) {
        case '\b': strcpy(exp, "\"\\b\""); break;
        case '\f': strcpy(exp, "\"\\f\""); break;
        case '\n': strcpy(exp, "\"\\n\""); break;
        case '\r': strcpy(exp, "\"\\r\""); break;
        case '\t': strcpy(exp, "\"\\t\""); break;
        default: snprintf(exp, sizeof exp, "\"\\u%04x\"", c);
        }
        CHECK_STR(str(&in, 1), exp);
    }
}

/* A special byte at every offset of strings of every length around the
 * word size: the 8-byte fast path must hand over at exactly that byte. */
RC_TEST(str_special_at_every_offset)
{
    static const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\x80', '\xc3'};
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 0; at < len; at++)
            for (size_t k = 0; k < sizeof specials; k++) {
                char in[48], exp[300];
                memset(in, 'x', len);
                in[at] = specials[k];
                const char *rep = specials[k] == '"'      ? "\\\""
                                  : specials[k] == '\\'   ? "\\\\"
                                  : specials[k] == '\n'   ? "\\n"
                                  : specials[k] == '\x01' ? "\\u0001"
                                  : specials[k] == '\x1f' ? "\\u001f"
                                                          : "\xEF\xBF\xBD"; /* lone byte */
                snprintf(exp, sizeof exp, "\"%.*s%s%.*s\"", (int)at, in, rep, (int)(len - at - 1),
                         in + at + 1);
                CHECK_STR(str(in, len), exp);
            }
    /* Long plain runs, every length through several words. */
    for (size_t len = 0; len < 70; len++) {
        char in[80], exp[90];
        for (size_t i = 0; i < len; i++)
            in[i] = (char)(' ' + (i * 7 % 94));
        for (size_t i = 0; i < len; i++)
            if (in[i] == '"' || in[i] == '\\') in[i] = '#';
        snprintf(exp, sizeof exp, "\"%.*s\"", (int)len, in);
        CHECK_STR(str(in, len), exp);
    }
}

/* Short values are read 16 bytes at a time when that stays in one page:
 * values that end at a page's last byte, before a page that cannot be read,
 * and values followed by bytes that would need escaping (they must not
 * count). */
RC_TEST(str_short_values_at_page_ends)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m =
        mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(mprotect(m + pg, (size_t)pg, PROT_NONE) == 0);
    memset(m, '"', (size_t)pg); /* everything around a value needs escaping */
    for (size_t len = 0; len < 20; len++)
        for (size_t gap = 0; gap < 20; gap++) { /* bytes between value and page end */
            char *in = m + pg - gap - len;
            memset(m + pg - 40, '"', 40);
            memset(in, 'a', len);
            char exp[64];
            snprintf(exp, sizeof exp, "\"%.*s\"", (int)len, in);
            CHECK_STR(str(in, len), exp);
            if (len) {
                in[len - 1] = '\n';
                snprintf(exp, sizeof exp, "\"%.*s\\n\"", (int)len - 1, in);
                CHECK_STR(str(in, len), exp);
            }
        }
    munmap(m, (size_t)pg * 2);
}

RC_TEST(str_valid_utf8_passes)
{
    CHECK_STR(STR("\xc3\xa9"), "\"\xc3\xa9\"");                                 /* é, 2 bytes */
    CHECK_STR(STR("\xc2\x80\xdf\xbf"), "\"\xc2\x80\xdf\xbf\"");                 /* U+0080, U+07FF */
    CHECK_STR(STR("\xe2\x82\xac"), "\"\xe2\x82\xac\"");                         /* €, 3 bytes */
    CHECK_STR(STR("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");                         /* U+0800 */
    CHECK_STR(STR("\xed\x9f\xbf\xee\x80\x80"), "\"\xed\x9f\xbf\xee\x80\x80\""); /* D7FF, E000 */
    CHECK_STR(STR("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");                         /* U+FFFF */
    CHECK_STR(STR("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");                 /* 😀, 4 bytes */
    CHECK_STR(STR("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\"");                 /* U+10000 */
    CHECK_STR(STR("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");                 /* U+10FFFF */
    CHECK_STR(STR("\xe2\x80\xa8"), "\"\xe2\x80\xa8\""); /* U+2028 is valid in JSON */
    CHECK_STR(STR("\xe9\x99\xb6\xe7\x93\xb7.jpg"), "\"\xe9\x99\xb6\xe7\x93\xb7.jpg\"");
}

#define FFFD "\xef\xbf\xbd"

RC_TEST(str_invalid_utf8_each_class)
{
    /* Lone continuation bytes and bytes that never start a sequence. */
    CHECK_STR(STR("\x80"), "\"" FFFD "\"");
    CHECK_STR(STR("a\xbf"
                  "b"),
              "\"a" FFFD "b\"");
    CHECK_STR(STR("\xf5\xff\xfe"), "\"" FFFD FFFD FFFD "\"");
    /* Overlongs: C0/C1 are never valid; E0 80.., F0 80.. fail at byte 2. */
    CHECK_STR(STR("\xc0\x80"), "\"" FFFD FFFD "\"");
    CHECK_STR(STR("\xc1\xbf"), "\"" FFFD FFFD "\"");
    CHECK_STR(STR("\xe0\x80\x80"), "\"" FFFD FFFD FFFD "\"");
    CHECK_STR(STR("\xe0\x9f\xbf"), "\"" FFFD FFFD FFFD "\"");
    CHECK_STR(STR("\xf0\x80\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
    CHECK_STR(STR("\xf0\x8f\xbf\xbf"), "\"" FFFD FFFD FFFD FFFD "\"");
    /* Surrogates D800..DFFF (CESU-8 style pairs too). */
    CHECK_STR(STR("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\"");
    CHECK_STR(STR("\xed\xbf\xbf"), "\"" FFFD FFFD FFFD "\"");
    CHECK_STR(STR("\xed\xa0\xbd\xed\xb8\x80"), "\"" FFFD FFFD FFFD FFFD FFFD FFFD "\"");
    /* Above U+10FFFF. */
    CHECK_STR(STR("\xf4\x90\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
    /* Truncated: the valid prefix is one maximal subpart, one U+FFFD. */
    CHECK_STR(STR("\xc3"), "\"" FFFD "\"");
    CHECK_STR(STR("\xe2\x82"), "\"" FFFD "\"");
    CHECK_STR(STR("\xf0\x9f\x98"), "\"" FFFD "\"");
    CHECK_STR(STR("\xe2\x82"
                  "A"),
              "\"" FFFD "A\"");
    CHECK_STR(STR("\xf0\x9f"
                  "A"),
              "\"" FFFD "A\"");
    CHECK_STR(STR("\xf0\x9f\x98"
                  "\xf0\x9f\x98\x80"),
              "\"" FFFD "\xf0\x9f\x98\x80\"");
    CHECK_STR(STR("\xc3\"x"), "\"" FFFD "\\\"x\"");
    /* The worked example of Unicode 3.9 (Table 3-8). */
    CHECK_STR(STR("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64"),
              "\"a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d\"");
}

/* Reference decoder, by code-point intervals: a sequence of length L is
 * valid if its bits decode into the interval that L must cover (no
 * overlong, no surrogate, <= U+10FFFF); a prefix is a maximal subpart if the
 * interval of all its completions meets the valid code points. */
static int ref_seq_len(unsigned c)
{
    if (c >= 0xC0 && c < 0xE0) return 2;
    if (c >= 0xE0 && c < 0xF0) return 3;
    if (c >= 0xF0 && c < 0xF8) return 4;
    return 0;
}

static int ref_range_ok(uint32_t lo, uint32_t hi, int len)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    static const uint32_t max[5] = {0, 0, 0x7FF, 0xFFFF, 0x10FFFF};
    if (hi < min[len] || lo > max[len]) return 0;
    if (lo < min[len]) lo = min[len];
    if (hi > max[len]) hi = max[len];
    return !(lo >= 0xD800 && hi <= 0xDFFF); /* some non-surrogate remains */
}

static size_t ref_json_str(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out[o++] = '\\';
                out[o++] = (char)c;
            } else if (c < 0x20) {
                o += (size_t)sprintf(out + o, "\\u%04x", c);
                static const char *short_esc = "\b\f\n\r\t", *short_ch = "bfnrt";
                const char *p = c ? strchr(short_esc, (int)c) : NULL;
                if (p) {
                    o -= 6;
                    out[o++] = '\\';
                    out[o++] = short_ch[p - short_esc];
                }
            } else {
                out[o++] = (char)c;
            }
            i++;
            continue;
        }
        int len = ref_seq_len(c);
        size_t take = 1;
        if (len) {
            int k = 1; /* lead byte plus the continuation bytes that follow */
            while (k < len && i + (size_t)k < n && (s[i + k] & 0xC0) == 0x80)
                k++;
            /* The longest prefix (1..k bytes) whose completions can be valid. */
            uint32_t pre = c & (0x7F >> len);
            take = 0;
            for (int j = 1; j <= k; j++) {
                if (j > 1) pre = pre << 6 | (s[i + j - 1] & 0x3F);
                int rest = 6 * (len - j);
                uint32_t lo = pre << rest, hi = lo | ((1u << rest) - 1);
                if (!ref_range_ok(lo, hi, len)) break;
                take = (size_t)j;
            }
            if (take == (size_t)len) {
                memcpy(out + o, s + i, take);
                o += take;
                i += take;
                continue;
            }
            if (take == 0) take = 1;
        }
        memcpy(out + o, FFFD, 3);
        o += 3;
        i += take;
    }
    out[o++] = '"';
    return o;
}

/* Strict UTF-8 check of the output (the property SPEC §2 promises). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int len = s[i] < 0x80 ? 1 : ref_seq_len(s[i]);
        if (!len || i + (size_t)len > n) return 0;
        uint32_t cp = len == 1 ? s[i] : s[i] & (0x7Fu >> len);
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (len > 1 && !ref_range_ok(cp, cp, len)) return 0;
        i += (size_t)len;
    }
    return 1;
}

RC_TEST(str_random_bytes_match_reference)
{
    static const unsigned char alphabet[] = {'a',  '"',  '\\', 0x00, 0x1f, 0x7f, 0x80, 0x8f, 0x90,
                                             0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
                                             0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = (size_t)(rnd() % 24);
        unsigned char *in = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
        for (size_t i = 0; i < n; i++)
            in[i] = iter & 1 ? alphabet[rnd() % sizeof alphabet] : (unsigned char)rnd();
        char exp[200];
        size_t elen = ref_json_str(in, n, exp);
        B.len = 0;
        rc_json_str(&B, (const char *)in, n);
        if (B.len != elen || memcmp(B.data, exp, elen)) {
            char hex[80] = "";
            for (size_t i = 0; i < n; i++)
                sprintf(hex + 3 * i, "%02x ", in[i]);
            free(in);
            RC_FAIL("input %s: got \"%.*s\", expected \"%.*s\"", hex, (int)B.len, B.data, (int)elen,
                    exp);
        }
        CHECK(valid_utf8((const unsigned char *)B.data, B.len));
        free(in);
    }
}

RC_TEST(str_worst_case_fits)
{
    /* All control bytes: 6 output bytes per input byte, the reserved maximum. */
    char in[1000];
    memset(in, 1, sizeof in);
    rc_buf b;
    rc_buf_init(&b);
    rc_json_str(&b, in, sizeof in);
    CHECK_INT(b.len, 6 * sizeof in + 2);
    CHECK(b.len <= b.cap);
    rc_buf_free(&b);
}

/* ---- charsets ---- */

RC_TEST(collation_charsets)
{
    CHECK_STR(rc_collation_charset(8), "latin1");    /* latin1_swedish_ci */
    CHECK_STR(rc_collation_charset(47), "latin1");   /* latin1_bin */
    CHECK_STR(rc_collation_charset(33), "utf8mb3");  /* utf8mb3_general_ci */
    CHECK_STR(rc_collation_charset(83), "utf8mb3");  /* utf8mb3_bin */
    CHECK_STR(rc_collation_charset(45), "utf8mb4");  /* utf8mb4_general_ci */
    CHECK_STR(rc_collation_charset(46), "utf8mb4");  /* utf8mb4_bin */
    CHECK_STR(rc_collation_charset(224), "utf8mb4"); /* utf8mb4_unicode_ci */
    CHECK_STR(rc_collation_charset(63), "binary");
    CHECK_STR(rc_collation_charset(11), "ascii");
    CHECK_STR(rc_collation_charset(28), "gbk");
    CHECK_STR(rc_collation_charset(13), "sjis");
    CHECK_STR(rc_collation_charset(35), "ucs2");
    CHECK_STR(rc_collation_charset(56), "utf16le");
    CHECK_STR(rc_collation_charset(1), "big5");
    CHECK_STR(rc_collation_charset(76), "utf8mb3");   /* MySQL utf8mb3_tolower_ci */
    CHECK_STR(rc_collation_charset(248), "gb18030");  /* MySQL */
    CHECK_STR(rc_collation_charset(255), "utf8mb4");  /* MySQL 8 utf8mb4_0900_ai_ci */
    CHECK_STR(rc_collation_charset(309), "utf8mb4");  /* utf8mb4_0900_bin */
    CHECK_STR(rc_collation_charset(323), "utf8mb4");  /* utf8mb4_mn_cyrl_0900_as_cs */
    CHECK_STR(rc_collation_charset(576), "utf8mb3");  /* MariaDB utf8mb3_croatian_ci */
    CHECK_STR(rc_collation_charset(608), "utf8mb4");  /* MariaDB utf8mb4_croatian_ci */
    CHECK_STR(rc_collation_charset(1032), "latin1");  /* latin1_swedish_nopad_ci */
    CHECK_STR(rc_collation_charset(1069), "utf8mb4"); /* utf8mb4_general_nopad_ci */
    CHECK_STR(rc_collation_charset(2048), "utf8mb3"); /* uca1400_ai_ci for utf8mb3 */
    CHECK_STR(rc_collation_charset(2304), "utf8mb4"); /* utf8mb4_uca1400_ai_ci */
    CHECK_STR(rc_collation_charset(2560), "ucs2");
    CHECK_STR(rc_collation_charset(2816), "utf16");
    CHECK_STR(rc_collation_charset(3072), "utf32");
    CHECK(rc_collation_charset(0) == NULL);
    CHECK(rc_collation_charset(17) == NULL);
    CHECK(rc_collation_charset(100) == NULL);
    CHECK(rc_collation_charset(272) == NULL);
    CHECK(rc_collation_charset(324) == NULL);
    CHECK(rc_collation_charset(1024) == NULL);
    CHECK(rc_collation_charset(3328) == NULL);
    CHECK(rc_collation_charset(65535) == NULL);
}

static const char *str_cs(const char *s, size_t n, uint16_t coll, int *rc)
{
    return OUT(*rc = rc_json_str_cs(&B, s, n, coll));
}

RC_TEST(str_cs_utf8_latin1_ascii)
{
    int rc;
    /* UTF-8 collations and 0 (unknown) validate as UTF-8. */
    CHECK_STR(str_cs("\xc3\xa9\xff", 3, 45, &rc), "\"\xc3\xa9" FFFD "\"");
    CHECK_INT(rc, 0);
    CHECK_STR(str_cs("\xc3\xa9\xff", 3, 33, &rc), "\"\xc3\xa9" FFFD "\"");
    CHECK_STR(str_cs("\xc3\xa9\xff", 3, 255, &rc), "\"\xc3\xa9" FFFD "\"");
    CHECK_STR(str_cs("\xc3\xa9\xff", 3, 2304, &rc), "\"\xc3\xa9" FFFD "\"");
    CHECK_STR(str_cs("\xc3\xa9\xff", 3, 0, &rc), "\"\xc3\xa9" FFFD "\"");
    CHECK_INT(rc, 0);
    /* latin1 = cp1252, 80..9F compared with what MariaDB 10.11 returns for
     * HEX(CONVERT(_latin1 0x808182...9F USING utf8mb4)). */
    char in[32];
    for (int i = 0; i < 32; i++)
        in[i] = (char)(0x80 + i);
    CHECK_STR(str_cs(in, 32, 8, &rc),
              "\"\xE2\x82\xAC\xC2\x81\xE2\x80\x9A\xC6\x92\xE2\x80\x9E\xE2\x80\xA6\xE2\x80\xA0"
              "\xE2\x80\xA1\xCB\x86\xE2\x80\xB0\xC5\xA0\xE2\x80\xB9\xC5\x92\xC2\x8D\xC5\xBD"
              "\xC2\x8F\xC2\x90\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\xA2"
              "\xE2\x80\x93\xE2\x80\x94\xCB\x9C\xE2\x84\xA2\xC5\xA1\xE2\x80\xBA\xC5\x93\xC2\x9D"
              "\xC5\xBE\xC5\xB8\"");
    CHECK_INT(rc, 0);
    /* A0..FF are their own code points. */
    CHECK_STR(str_cs("\xa0\xe9\xff", 3, 47, &rc), "\"\xc2\xa0\xc3\xa9\xc3\xbf\"");
    CHECK_STR(str_cs("caf\xe9 \"x\"\n", 9, 8, &rc), "\"caf\xc3\xa9 \\\"x\\\"\\n\"");
    /* Long ASCII runs around a high byte (the word path of the 8-bit loop). */
    CHECK_STR(str_cs("abcdefghijklmnop\xe9qrstuvwxyz0123456789", 37, 1032, &rc),
              "\"abcdefghijklmnop\xc3\xa9qrstuvwxyz0123456789\"");
    /* ascii: a high byte is not in the charset. */
    CHECK_STR(str_cs("a\xc3\xa9z", 4, 11, &rc), "\"a" FFFD FFFD "z\"");
    CHECK_INT(rc, 0);
}

RC_TEST(str_cs_unsupported)
{
    int rc;
    /* binary (base64 elsewhere), an unassigned id, an id out of range */
    static const uint16_t colls[] = {63, 17, 4000};
    for (size_t k = 0; k < sizeof colls / sizeof colls[0]; k++) {
        B.len = 0;
        rc = rc_json_str_cs(&B, "abc", 3, colls[k]);
        CHECK_INT(rc, -1);
        CHECK_INT(B.len, 0); /* nothing written: the caller decides */
    }
}

/* ---- base64 ---- */

static const char *b64(const void *p, size_t n)
{
    return OUT(rc_json_base64(&B, p, n));
}

RC_TEST(base64_rfc4648_vectors)
{
    CHECK_STR(b64("", 0), "\"\"");
    CHECK_STR(b64("f", 1), "\"Zg==\"");
    CHECK_STR(b64("fo", 2), "\"Zm8=\"");
    CHECK_STR(b64("foo", 3), "\"Zm9v\"");
    CHECK_STR(b64("foob", 4), "\"Zm9vYg==\"");
    CHECK_STR(b64("fooba", 5), "\"Zm9vYmE=\"");
    CHECK_STR(b64("foobar", 6), "\"Zm9vYmFy\"");
    CHECK_STR(b64("\x00", 1), "\"AA==\"");
    CHECK_STR(b64("\x00\x00\x00\x00\x00", 5), "\"AAAAAAA=\"");
    CHECK_STR(b64("\xff\xff\xff", 3), "\"////\"");
    CHECK_STR(b64("\xfb\xff\xbf", 3), "\"+/+/\"");
    CHECK_STR(b64("\x00\x10\x83\x10\x51\x87", 6), "\"ABCDEFGH\"");
}

/* ---- integers ---- */

RC_TEST(integers_exact)
{
    char buf[32], exp[32];
    CHECK_STR(OUT(rc_json_i64(&B, 0)), "0");
    CHECK_STR(OUT(rc_json_i64(&B, -1)), "-1");
    CHECK_STR(OUT(rc_json_i64(&B, INT64_MIN)), "-9223372036854775808");
    CHECK_STR(OUT(rc_json_i64(&B, INT64_MAX)), "9223372036854775807");
    CHECK_STR(OUT(rc_json_u64(&B, UINT64_MAX)), "18446744073709551615");
    CHECK_STR(OUT(rc_json_u64(&B, 0)), "0");
    CHECK_INT(rc_fmt_u64(buf, UINT64_MAX), 20);
    CHECK_INT(rc_fmt_i64(buf, INT64_MIN), 20);
    /* Every power of ten and its neighbours, both signs. */
    uint64_t p = 1;
    for (int e = 0; e < 20; e++, p *= 10)
        for (int d = -1; d <= 1; d++) {
            uint64_t u = p + (uint64_t)(int64_t)d;
            snprintf(exp, sizeof exp, "%" PRIu64, u);
            CHECK_MEM(buf, rc_fmt_u64(buf, u), exp);
            int64_t s = -(int64_t)(u & INT64_MAX);
            snprintf(exp, sizeof exp, "%" PRId64, s);
            CHECK_MEM(buf, rc_fmt_i64(buf, s), exp);
        }
    for (int i = 0; i < 100000; i++) {
        uint64_t u = rnd() >> (rnd() % 64);
        snprintf(exp, sizeof exp, "%" PRIu64, u);
        CHECK_MEM(buf, rc_fmt_u64(buf, u), exp);
        snprintf(exp, sizeof exp, "%" PRId64, (int64_t)u);
        CHECK_MEM(buf, rc_fmt_i64(buf, (int64_t)u), exp);
    }
    /* The digit writers split all lanes of a word at once (rc_digits.h):
     * every value up to 2*10^6, then every width in steps that cross each
     * digit boundary, each also as the low 8 digits of a 16-digit number. */
    for (uint64_t u = 0; u < 2000000; u += 1 + (u >= 100000) * (u % 7)) {
        snprintf(exp, sizeof exp, "%" PRIu64, u);
        CHECK_MEM(buf, rc_fmt_u64(buf, u), exp);
        uint64_t w = 12345678ULL * 100000000ULL + u;
        snprintf(exp, sizeof exp, "%" PRIu64, w);
        CHECK_MEM(buf, rc_fmt_u64(buf, w), exp);
    }
    for (uint64_t u = 9999000; u < 100000000; u += 99991) {
        snprintf(exp, sizeof exp, "%" PRIu64, u);
        CHECK_MEM(buf, rc_fmt_u64(buf, u), exp);
    }
}

/* ---- floating point ---- */

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0') {
        s++;
    } else if (*s >= '1' && *s <= '9') {
        while (*s >= '0' && *s <= '9')
            s++;
    } else {
        return 0;
    }
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == 0;
}

/* Significant digits of a JSON number's text. */
static int sig_digits(const char *s)
{
    char d[64];
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9') d[n++] = *s;
    int lead = 0;
    while (lead < n && d[lead] == '0')
        lead++;
    while (n > lead && d[n - 1] == '0')
        n--;
    return n - lead;
}

/* Brute force: the fewest %.*e digits that read back. */
static int min_digits_double(double d)
{
    char buf[40];
    for (int p = 1;; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) == d) return p;
    }
}

static int min_digits_float(float f)
{
    char buf[40];
    for (int p = 1;; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, (double)f);
        if (strtof(buf, NULL) == f) return p;
    }
}

static const char *dbl(double d)
{
    return OUT(rc_json_double(&B, d));
}
static const char *flt(float f)
{
    return OUT(rc_json_float(&B, f));
}

RC_TEST(double_known_values)
{
    CHECK_STR(dbl(0.1), "0.1");
    CHECK_STR(dbl(1.0 / 3), "0.3333333333333333");
    CHECK_STR(dbl(2.0 / 3), "0.6666666666666666");
    CHECK_STR(dbl(1e300), "1e300");
    CHECK_STR(dbl(5e-324), "5e-324");
    CHECK_STR(dbl(2.2250738585072014e-308), "2.2250738585072014e-308"); /* DBL_MIN */
    CHECK_STR(dbl(DBL_MAX), "1.7976931348623157e308");
    CHECK_STR(dbl(449847.0), "449847");
    CHECK_STR(dbl(-449847.0), "-449847");
    CHECK_STR(dbl(0.0), "0");
    CHECK_STR(dbl(-0.0), "-0");
    CHECK_STR(dbl(NAN), "null");
    CHECK_STR(dbl(INFINITY), "null");
    CHECK_STR(dbl(-INFINITY), "null");
    CHECK_STR(dbl(1e21), "1e21");
    CHECK_STR(dbl(1e20), "100000000000000000000");
    CHECK_STR(dbl(123456789012345680000.0), "123456789012345680000");
    CHECK_STR(dbl(9007199254740992.0), "9007199254740992");   /* 2^53, past the fast path */
    CHECK_STR(dbl(9007199254740993.0), "9007199254740992");   /* rounds to 2^53 on input */
    CHECK_STR(dbl(18014398509481984.0), "18014398509481984"); /* 2^54 */
    CHECK_STR(dbl(1e15), "1000000000000000");
    CHECK_STR(dbl(123.456), "123.456");
    CHECK_STR(dbl(-1.5), "-1.5");
    CHECK_STR(dbl(1e-6), "0.000001");
    CHECK_STR(dbl(1.5e-7), "1.5e-7");
    CHECK_STR(dbl(1e-7), "1e-7");
    CHECK_STR(dbl(0.000025), "0.000025");
    CHECK_STR(dbl(-2.5e-10), "-2.5e-10");
    CHECK_STR(dbl(1.7976931348623157e308 / 10), "1.7976931348623158e307");
    CHECK_STR(dbl(0.30000000000000004), "0.30000000000000004");
    CHECK_STR(dbl(4503599627370495.5), "4503599627370495.5");
}

RC_TEST(float_known_values)
{
    CHECK_STR(flt(0.1f), "0.1");
    CHECK_STR(flt(3.4028235e38f), "3.4028235e38");    /* FLT_MAX */
    CHECK_STR(flt(1.17549435e-38f), "1.1754944e-38"); /* FLT_MIN */
    CHECK_STR(flt(1e-45f), "1e-45");                  /* smallest subnormal */
    CHECK_STR(flt(16777216.0f), "16777216");          /* 2^24, past the fast path */
    CHECK_STR(flt(16777215.0f), "16777215");
    CHECK_STR(flt(1.0f / 3), "0.33333334");
    CHECK_STR(flt(-0.0f), "-0");
    CHECK_STR(flt(0.0f), "0");
    CHECK_STR(flt(NAN), "null");
    CHECK_STR(flt(-INFINITY), "null");
    CHECK_STR(flt(1e10f), "10000000000");
    CHECK_STR(flt(1.5e20f), "150000000000000000000");
    CHECK_STR(flt(1e21f), "1e21");
    CHECK_STR(flt(3.3333333f), "3.3333333");
    CHECK_STR(flt(-123.456f), "-123.456");
}

/* Random bit patterns: valid JSON, reads back bit-exact, and no shorter
 * digit string would (the brute-force count is the judge). */
RC_TEST(double_random_roundtrip_shortest)
{
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = rnd();
        double d;
        if (i % 4 == 1) bits &= 0x800FFFFFFFFFFFFFULL; /* subnormals */
        memcpy(&d, &bits, 8);
        if (i % 4 == 2) d = (double)(int64_t)(rnd() >> (rnd() % 64)) / 1000.0; /* decimals */
        if (i % 4 == 3) d = (double)(rnd() % 100000) * pow(10, (int)(rnd() % 60) - 30);
        const char *s = dbl(d);
        if (!isfinite(d)) {
            CHECK_STR(s, "null");
            continue;
        }
        if (!json_number(s)) RC_FAIL("not a JSON number: %s", s);
        double back = strtod(s, NULL);
        if (memcmp(&back, &d, 8)) RC_FAIL("%s does not read back as %.17g", s, d);
        if (d != 0 && sig_digits(s) != min_digits_double(d))
            RC_FAIL("%s: %d digits, %d would do", s, sig_digits(s), min_digits_double(d));
    }
}

RC_TEST(float_random_roundtrip_shortest)
{
    for (int i = 0; i < 200000; i++) {
        uint32_t bits = (uint32_t)rnd();
        float f;
        if (i % 3 == 1) bits &= 0x807FFFFFu;
        memcpy(&f, &bits, 4);
        if (i % 3 == 2) f = (float)(rnd() % 2000000) / 1000.0f;
        const char *s = flt(f);
        if (!isfinite(f)) {
            CHECK_STR(s, "null");
            continue;
        }
        if (!json_number(s)) RC_FAIL("not a JSON number: %s", s);
        float back = strtof(s, NULL);
        if (memcmp(&back, &f, 4)) RC_FAIL("%s does not read back as %.9g", s, (double)f);
        if (f != 0 && sig_digits(s) != min_digits_float(f))
            RC_FAIL("%s: %d digits, %d would do", s, sig_digits(s), min_digits_float(f));
    }
}

/* ---- the printf-search reference ---- */

/* The first implementation of rc_json_double/rc_json_float, kept here as
 * the judge of the new one: the text must not change by a byte, since
 * golden files and consumers hold it. It searched with snprintf("%.*e")
 * and read back with strtod/strtof; a fast path for short decimals tried
 * m / 10^k read-backs in floating point first. */
static int ref_digits_of(const char *buf, char *dig, int *exp10)
{
    int nd = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') dig[nd++] = *p;
    *exp10 = *p ? atoi(p + 1) : 0;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    return nd;
}

static int ref_digits_scaled(uint64_t m, int k, char *dig, int *exp10)
{
    int nd = snprintf(dig, 24, "%" PRIu64, m);
    *exp10 = nd - 1 - k;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    return nd;
}

static const double ref_pow10d[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int ref_shortest_double(double a, char *dig, int *exp10)
{
    char buf[40];
    for (int k = 1; k <= 22; k++) {
        double t = a * ref_pow10d[k];
        if (t >= 2251799813685248.0) break;
        double m = nearbyint(t);
        if (m / ref_pow10d[k] == a) return ref_digits_scaled((uint64_t)m, k, dig, exp10);
    }
    int p = a >= DBL_MIN ? DBL_DIG : 1;
    for (; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, a);
        if (strtod(buf, NULL) == a) break;
    }
    if (p == 17) snprintf(buf, sizeof buf, "%.*e", 16, a);
    return ref_digits_of(buf, dig, exp10);
}

static int ref_shortest_float(float a, char *dig, int *exp10)
{
    char buf[40];
    for (int k = 1; k <= 10; k++) {
        double t = (double)a * ref_pow10d[k];
        if (t >= 8388608.0) break;
        double m = nearbyint(t);
        if ((float)m / (float)ref_pow10d[k] == a)
            return ref_digits_scaled((uint64_t)m, k, dig, exp10);
    }
    int p = a >= FLT_MIN ? FLT_DIG : 1;
    for (; p < 9; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, (double)a);
        if (strtof(buf, NULL) == a) break;
    }
    if (p == 9) snprintf(buf, sizeof buf, "%.*e", 8, (double)a);
    return ref_digits_of(buf, dig, exp10);
}

/* The expected layout, written place by place (unlike rc_json.c's, which
 * copies runs of digits by case), so that a mistake in one is not repeated
 * in the other: dig[0] stands at the decimal place exp10; plain notation
 * when the point falls within 1e-6 .. 1e21, else d.ddde<exp10>. */
static void ref_layout(char *o, int neg, const char *dig, int nd, int exp10)
{
    if (neg) *o++ = '-';
    if (exp10 >= -6 && exp10 < 21) {
        int hi = exp10 > 0 ? exp10 : 0;                   /* highest place written */
        int lo = exp10 - nd + 1 < 0 ? exp10 - nd + 1 : 0; /* lowest place written */
        for (int place = hi; place >= lo; place--) {
            int idx = exp10 - place; /* the digit at this place, if any */
            *o++ = idx >= 0 && idx < nd ? dig[idx] : '0';
            if (place == 0 && lo < 0) *o++ = '.';
        }
        *o = 0;
        return;
    }
    sprintf(o, "%c%s%.*se%d", dig[0], nd > 1 ? "." : "", nd - 1, dig + 1, exp10);
}

static void ref_double(double d, char *out)
{
    if (!isfinite(d)) {
        strcpy(out, "null");
    } else if (d == 0) {
        strcpy(out, signbit(d) ? "-0" : "0");
    } else if (fabs(d) < 9007199254740992.0 && d == (double)(int64_t)d) {
        sprintf(out, "%" PRId64, (int64_t)d);
    } else {
        char dig[24];
        int exp10;
        int nd = ref_shortest_double(fabs(d), dig, &exp10);
        ref_layout(out, signbit(d) != 0, dig, nd, exp10);
    }
}

static void ref_float(float f, char *out)
{
    if (!isfinite(f)) {
        strcpy(out, "null");
    } else if (f == 0) {
        strcpy(out, signbit(f) ? "-0" : "0");
    } else if (fabsf(f) < 16777216.0f && f == (float)(int32_t)f) {
        sprintf(out, "%" PRId32, (int32_t)f);
    } else {
        char dig[24];
        int exp10;
        int nd = ref_shortest_float(fabsf(f), dig, &exp10);
        ref_layout(out, signbit(f) != 0, dig, nd, exp10);
    }
}

/* How many random values each comparison tries: 1M by default, more with
 * RC_FP_COMPARE_N (the long run: RC_FP_COMPARE_N=200000000). */
static long fp_compare_n(void)
{
    const char *e = getenv("RC_FP_COMPARE_N");
    long n = e ? atol(e) : 0;
    return n > 0 ? n : 1000000;
}

/* A random double of one of the kinds that break formatters: any bit
 * pattern, subnormals, short decimals and their neighbours, decimals scaled
 * across the whole range, powers of two and ten and their neighbours, and
 * integers around 2^53. */
static double fp_sample_double(uint64_t r, uint64_t r2)
{
    uint64_t bits = r2;
    double d;
    switch (r % 10) {
    case 0:
    case 1: break;
    case 2: bits &= 0x800FFFFFFFFFFFFFULL; break;
    case 3:
        bits = (bits & 0xFFF0000000000000ULL) | (bits & 0xF) << 48;
        break; /* few mantissa bits */
    case 4: {
        d = (double)(int64_t)(r2 >> (r2 % 64)) / ref_pow10d[(r >> 8) % 18];
        goto done;
    }
    case 5: d = (double)(r2 % 1000000000) * pow(10, (int)((r >> 8) % 640) - 330); goto done;
    case 6: d = ldexp(1.0, (int)((r >> 8) % 2100) - 1075); goto done;
    case 7: d = pow(10, (int)((r >> 8) % 650) - 325); goto done;
    case 8:
        d = (double)((r2 >> 11) % 100000) / ref_pow10d[(r >> 8) % 10];
        d = nextafter(d, (r >> 20) & 1 ? INFINITY : 0);
        goto done;
    default:
        d = 9007199254740992.0 + (double)((int64_t)(r2 % 64) - 32) * ((r >> 8) % 3 + 1);
        goto done;
    }
    memcpy(&d, &bits, 8);
done:
    if ((r >> 40) & 1) d = -d;
    if ((r >> 41) % 4 == 0) d = nextafter(d, (r >> 43) & 1 ? INFINITY : -INFINITY);
    return d;
}

static float fp_sample_float(uint64_t r, uint64_t r2)
{
    uint32_t bits = (uint32_t)r2;
    float f;
    switch (r % 8) {
    case 0:
    case 1: break;
    case 2: bits &= 0x807FFFFFu; break;
    case 3: bits = (bits & 0xFF800000u) | (bits & 0xF) << 19; break;
    case 4: f = (float)(r2 % 2000000) / (float)ref_pow10d[(r >> 8) % 9]; goto done;
    case 5: f = (float)((double)(r2 % 100000) * pow(10, (int)((r >> 8) % 90) - 50)); goto done;
    case 6: f = ldexpf(1.0f, (int)((r >> 8) % 280) - 150); goto done;
    default: f = (float)pow(10, (int)((r >> 8) % 90) - 46); goto done;
    }
    memcpy(&f, &bits, 4);
done:
    if ((r >> 40) & 1) f = -f;
    if ((r >> 41) % 4 == 0) f = nextafterf(f, (r >> 43) & 1 ? INFINITY : -INFINITY);
    return f;
}

RC_TEST(double_matches_printf_reference)
{
    char want[64];
    /* Every power of two and of ten, their neighbours, and the edges. */
    for (int e = -1075; e <= 1024; e++) {
        double p2 = ldexp(1.0, e);
        double cases[3] = {p2, nextafter(p2, 0), nextafter(p2, INFINITY)};
        for (int i = 0; i < 3; i++) {
            ref_double(cases[i], want);
            if (strcmp(dbl(cases[i]), want))
                RC_FAIL("%a: %s, want %s", cases[i], dbl(cases[i]), want);
        }
    }
    for (int e = -325; e <= 309; e++) {
        char lit[16];
        snprintf(lit, sizeof lit, "1e%d", e);
        double p10 = strtod(lit, NULL);
        double cases[3] = {p10, nextafter(p10, 0), nextafter(p10, INFINITY)};
        for (int i = 0; i < 3; i++) {
            ref_double(cases[i], want);
            if (strcmp(dbl(cases[i]), want))
                RC_FAIL("%a: %s, want %s", cases[i], dbl(cases[i]), want);
        }
    }
    static const double edges[] = {
        DBL_MIN, DBL_MAX, DBL_TRUE_MIN,           2 * DBL_TRUE_MIN,
        1e21,    1e-6,    9007199254740993.0,     0.1,
        1.0 / 3, 5e-324,  1.7976931348623157e308, 2.2250738585072009e-308};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        for (int s = -1; s <= 1; s++) {
            double d = s < 0   ? nextafter(edges[i], 0)
                       : s > 0 ? nextafter(edges[i], INFINITY)
                               : edges[i];
            ref_double(d, want);
            if (strcmp(dbl(d), want)) RC_FAIL("%a: %s, want %s", d, dbl(d), want);
        }
    }
    long n = fp_compare_n();
    for (long i = 0; i < n; i++) {
        uint64_t r = rnd();
        double d = fp_sample_double(r, rnd());
        ref_double(d, want);
        if (strcmp(dbl(d), want)) RC_FAIL("%a: %s, want %s", d, dbl(d), want);
    }
}

RC_TEST(float_matches_printf_reference)
{
    char want[64];
    for (int e = -150; e <= 128; e++) {
        float p2 = ldexpf(1.0f, e);
        float cases[3] = {p2, nextafterf(p2, 0), nextafterf(p2, INFINITY)};
        for (int i = 0; i < 3; i++) {
            ref_float(cases[i], want);
            if (strcmp(flt(cases[i]), want))
                RC_FAIL("%a: %s, want %s", (double)cases[i], flt(cases[i]), want);
        }
    }
    long n = fp_compare_n();
    for (long i = 0; i < n; i++) {
        uint64_t r = rnd();
        float f = fp_sample_float(r, rnd());
        ref_float(f, want);
        if (strcmp(flt(f), want)) RC_FAIL("%a: %s, want %s", (double)f, flt(f), want);
    }
}

RC_TEST(appends_to_existing_content)
{
    rc_buf b;
    rc_buf_init(&b);
    RC_BUF_LIT(&b, "[");
    rc_json_i64(&b, -5);
    rc_buf_putc(&b, ',');
    rc_json_double(&b, 0.5);
    rc_buf_putc(&b, ',');
    rc_json_str(&b, "x", 1);
    rc_buf_putc(&b, ',');
    rc_json_base64(&b, "x", 1);
    rc_buf_putc(&b, ']');
    CHECK_MEM(b.data, b.len, "[-5,0.5,\"x\",\"eA==\"]");
    rc_buf_free(&b);
}

static void free_buf(void)
{
    rc_buf_free(&B);
}

RC_TEST(cleanup)
{
    free_buf();
}

RC_TEST_MAIN(RC_T(str_ascii_and_escapes), RC_T(str_special_at_every_offset),
             RC_T(str_short_values_at_page_ends), RC_T(str_valid_utf8_passes),
             RC_T(str_invalid_utf8_each_class), RC_T(str_random_bytes_match_reference),
             RC_T(str_worst_case_fits), RC_T(collation_charsets), RC_T(str_cs_utf8_latin1_ascii),
             RC_T(str_cs_unsupported), RC_T(base64_rfc4648_vectors), RC_T(integers_exact),
             RC_T(double_known_values), RC_T(float_known_values),
             RC_T(double_random_roundtrip_shortest), RC_T(float_random_roundtrip_shortest),
             RC_T(double_matches_printf_reference), RC_T(float_matches_printf_reference),
             RC_T(appends_to_existing_content), RC_T(cleanup))
