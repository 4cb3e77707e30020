/* Unit tests of the charset conversion of the encode stage: rc_json_str_cs
 * for the charsets rc_charset.c converts (iconv or server tables). The
 * server itself is the oracle in tests/golden/test_charsets.py; these pin a
 * few known conversions per family, invalid bytes and empty values. */
#include "encode/rc_charset.h"
#include "encode/rc_json.h"
#include "rc_test.h"

/* rc_json_str_cs of s (n bytes) in collation coll, as a C string. */
static const char *conv(uint16_t coll, const char *s, size_t n)
{
    static rc_buf b;
    b.len = 0;
    if (rc_json_str_cs(&b, s, n, coll) < 0) return "(unsupported)";
    rc_buf_putc(&b, '\0');
    return b.data;
}

#define CONV(coll, lit) conv((coll), (lit), sizeof(lit) - 1)

RC_TEST(single_byte)
{
    CHECK_STR(CONV(51, "\xCF\xF0\xE8\xE2\xE5\xF2"), "\"Привет\""); /* cp1251 */
    CHECK_STR(CONV(7, "\xF0\xD2\xC9\xD7\xC5\xD4"), "\"Привет\"");  /* koi8r */
    CHECK_STR(CONV(25, "\xE1\xE2\xE3"), "\"αβγ\"");                /* greek */
    CHECK_STR(CONV(18, "\xCA\xC7\xD1"), "\"สวั\"");                 /* tis620 */
    CHECK_STR(CONV(18, "\xDB"), "\"\xEF\xBF\xBD\"");               /* undefined */
    CHECK_STR(CONV(10, "@[]{}"), "\"ÉÄÅäå\"");                     /* swe7 */
    CHECK_STR(CONV(10, "\x80"), "\"\xEF\xBF\xBD\"");               /* swe7 is 7-bit */
    CHECK_STR(CONV(57, "\x8A"), "\"\xEF\xBF\xBD\"");               /* cp1256 per server */
    CHECK_STR(CONV(37, "\xA0\xA1"), "\"áí\"");                     /* keybcs2 */
    CHECK_STR(CONV(51, "a\"\n"), "\"a\\\"\\n\"");                  /* escaped */
}

RC_TEST(multi_byte)
{
    CHECK_STR(CONV(28, "\xD6\xD0\xCE\xC4"), "\"中文\"");              /* gbk */
    CHECK_STR(CONV(24, "\xD6\xD0\xCE\xC4"), "\"中文\"");              /* gb2312 */
    CHECK_STR(CONV(1, "\xA4\xA4\xA4\xE5"), "\"中文\"");               /* big5 */
    CHECK_STR(CONV(1, "\xA1\x45"), "\"•\"");                          /* big5 per server */
    CHECK_STR(CONV(13, "\x93\xFA\x96\x7B\\~\xB1"), "\"日本\\\\~ｱ\""); /* sjis */
    CHECK_STR(CONV(13, "\x81\x5F"), "\"\\\\\"");                      /* sjis 815F */
    CHECK_STR(CONV(95, "\x81\x5F\x87\x40"), "\"＼①\"");               /* cp932 */
    CHECK_STR(CONV(12, "\xC6\xFC\xCB\xDC\x8E\xB1"), "\"日本ｱ\"");     /* ujis */
    CHECK_STR(CONV(12, "\xF5\xA1"), "\"\xEE\x80\x80\"");              /* ujis PUA */
    CHECK_STR(CONV(97, "\xC6\xFC"), "\"日\"");                        /* eucjpms */
    CHECK_STR(CONV(19, "\xC7\xD1\x81\x41"), "\"한갂\"");              /* euckr (cp949) */
    CHECK_STR(CONV(248, "\x95\x32\x82\x36"), "\"\xF0\xA0\x80\x80\""); /* gb18030 U+20000 */
}

RC_TEST(wide)
{
    CHECK_STR(CONV(35, "\x04\x1F\x00"
                       "a"),
              "\"Пa\"");                                             /* ucs2 */
    CHECK_STR(CONV(54, "\xD8\x34\xDD\x1E"), "\"\xF0\x9D\x84\x9E\""); /* utf16 */
    CHECK_STR(CONV(56, "\x34\xD8\x1E\xDD"), "\"\xF0\x9D\x84\x9E\""); /* utf16le */
    CHECK_STR(CONV(60, "\x00\x01\xD1\x1E"), "\"\xF0\x9D\x84\x9E\""); /* utf32 */
    CHECK_STR(CONV(54, "\xD8\x34\x00"
                       "a"),
              "\"\xEF\xBF\xBD"
              "a\""); /* lone surrogate */
    CHECK_STR(CONV(60, "\x00\x11\x00\x00\x00\x00\x00"
                       "b"),
              "\"\xEF\xBF\xBD"
              "b\"");
    CHECK_STR(CONV(35, "\x00"
                       "a\x00"),
              "\"a\xEF\xBF\xBD\""); /* odd length */
}

RC_TEST(invalid_bytes)
{
    /* Only the invalid byte goes: ASCII after it is kept (81 61 would be
     * a valid GBK character, 81 20 is not). */
    CHECK_STR(CONV(28, "\x81 \xD6\xD0"), "\"\xEF\xBF\xBD 中\"");
    CHECK_STR(CONV(28, "\xD6"), "\"\xEF\xBF\xBD\"");       /* truncated */
    CHECK_STR(CONV(13, "\x80\\"), "\"\xEF\xBF\xBD\\\\\""); /* 5C stays ASCII */
    CHECK_STR(CONV(12, "\xA1"), "\"\xEF\xBF\xBD\"");
}

RC_TEST(empty_and_lookup)
{
    CHECK_STR(CONV(28, ""), "\"\"");
    CHECK_STR(CONV(54, ""), "\"\"");
    CHECK_STR(CONV(51, ""), "\"\"");
    CHECK_STR(CONV(63, "x"), "(unsupported)"); /* binary: base64 elsewhere */
    CHECK(rc_charset_get("gbk") != NULL);
    CHECK(rc_charset_get("nosuch") == NULL);
}

RC_TEST_MAIN(RC_T(single_byte), RC_T(multi_byte), RC_T(wide), RC_T(invalid_bytes),
             RC_T(empty_and_lookup))
