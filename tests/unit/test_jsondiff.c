/* Unit tests for rc_jsondiff: MySQL partial JSON updates (PARTIAL_UPDATE_ROWS
 * diffs) applied to the before-image's document. Expected results follow
 * MySQL's applier (sql/json_diff.cc) and its key order (length, then bytes);
 * the first case is the fixture json.binlog.000001's real diff. */
#include "decode/rc_jsondiff.h"

#include "rc_test.h"

static rc_buf rc_t_out;
static rc_err rc_t_err;

/* Applies the diffs; returns the result as a C string (in rc_t_out), or
 * NULL on failure (message in rc_t_err). */
static const char *rc_t_apply(const char *doc, const rc_jdiff *d, size_t n)
{
    rc_buf_free(&rc_t_out);
    rc_buf_init(&rc_t_out);
    memset(&rc_t_err, 0, sizeof rc_t_err);
    if (rc_jsondiff_apply(doc, strlen(doc), d, n, &rc_t_out, &rc_t_err) < 0) return NULL;
    rc_buf_putc(&rc_t_out, 0);
    return rc_t_out.data;
}

static rc_jdiff rc_t_d(rc_jdiff_op op, const char *path, const char *value)
{
    rc_jdiff d = {op, path, strlen(path), value, value ? strlen(value) : 0};
    return d;
}

static const char *rc_t_one(const char *doc, rc_jdiff_op op, const char *path, const char *value)
{
    rc_jdiff d = rc_t_d(op, path, value);
    return rc_t_apply(doc, &d, 1);
}

#define R RC_JDIFF_REPLACE
#define I RC_JDIFF_INSERT
#define X RC_JDIFF_REMOVE

/* Expects failure with a message containing `part`. */
#define CHECK_FAILS(expr, part)                                                                    \
    do {                                                                                           \
        const char *_r = (expr);                                                                   \
        if (_r) RC_FAIL("%s succeeded with \"%s\"", #expr, _r);                                    \
        if (rc_t_err.code != RC_E_CORRUPT) RC_FAIL("error code %d", (int)rc_t_err.code);           \
        if (strncmp(rc_t_err.msg, "JSON partial update: ", 21))                                    \
            RC_FAIL("message \"%s\" lacks the prefix", rc_t_err.msg);                              \
        if (!strstr(rc_t_err.msg, part))                                                           \
            RC_FAIL("message \"%s\" lacks \"%s\"", rc_t_err.msg, part);                            \
    } while (0)

RC_TEST(replace_member_fixture)
{
    /* json.binlog.000001 event 34, row 0: id 1's document before, diff, after. */
    CHECK_STR(rc_t_one("{\"age\":25,\"data\":\"xxxxxxxxxx\",\"name\":\"Joe\"}", R, "$.age", "26"),
              "{\"age\":26,\"data\":\"xxxxxxxxxx\",\"name\":\"Joe\"}");
    CHECK_STR(rc_t_one("{\"a\":1,\"b\":2}", R, "$.b", "{\"x\":[1,2]}"),
              "{\"a\":1,\"b\":{\"x\":[1,2]}}");
}

RC_TEST(replace_array_cell)
{
    CHECK_STR(rc_t_one("[1,2,3]", R, "$[0]", "\"x\""), "[\"x\",2,3]");
    CHECK_STR(rc_t_one("[1,2,3]", R, "$[2]", "null"), "[1,2,null]");
    CHECK_STR(rc_t_one("[1,2,3]", R, "$[last]", "9"), "[1,2,9]");
    CHECK_STR(rc_t_one("[1,2,3]", R, "$[last-2]", "9"), "[9,2,3]");
    CHECK_FAILS(rc_t_one("[1,2,3]", R, "$[3]", "9"), "path not found");
    CHECK_FAILS(rc_t_one("[1,2,3]", R, "$[last-3]", "9"), "path not found");
}

RC_TEST(replace_nested)
{
    const char *doc = "{\"a\":{\"b\":[1,{\"c\":true}]},\"z\":0}";
    CHECK_STR(rc_t_one(doc, R, "$.a.b[1].c", "false"), "{\"a\":{\"b\":[1,{\"c\":false}]},\"z\":0}");
    CHECK_STR(rc_t_one(doc, R, "$.a.b[0]", "[]"), "{\"a\":{\"b\":[[],{\"c\":true}]},\"z\":0}");
    CHECK_FAILS(rc_t_one(doc, R, "$.a.x", "1"), "path not found");
    CHECK_FAILS(rc_t_one(doc, R, "$.a.b.c", "1"), "path not found");
    CHECK_FAILS(rc_t_one(doc, R, "$.q.b", "1"), "path not found");
    /* No auto-wrapping (JSON_REPLACE would treat $.z[0] as $.z; the diff
     * applier seeks exact paths). */
    CHECK_FAILS(rc_t_one(doc, R, "$.z[0]", "1"), "path not found");
}

RC_TEST(insert_member_key_order)
{
    const char *doc = "{\"a\":1,\"bb\":2,\"ccc\":3}";
    CHECK_STR(rc_t_one(doc, I, "$.zz", "0"), "{\"a\":1,\"bb\":2,\"zz\":0,\"ccc\":3}");
    CHECK_STR(rc_t_one(doc, I, "$.b", "0"), "{\"a\":1,\"b\":0,\"bb\":2,\"ccc\":3}");
    CHECK_STR(rc_t_one(doc, I, "$.A", "0"), "{\"A\":0,\"a\":1,\"bb\":2,\"ccc\":3}");
    CHECK_STR(rc_t_one(doc, I, "$.dddd", "0"), "{\"a\":1,\"bb\":2,\"ccc\":3,\"dddd\":0}");
    CHECK_STR(rc_t_one(doc, I, "$.aa", "0"), "{\"a\":1,\"aa\":0,\"bb\":2,\"ccc\":3}");
    CHECK_STR(rc_t_one("{}", I, "$.k", "{}"), "{\"k\":{}}");
    /* The fixture's document: "age" < "data" < "name" < "email". */
    CHECK_STR(rc_t_one("{\"age\":24,\"data\":\"x\",\"name\":\"Joe\"}", I, "$.email", "\"j@x\""),
              "{\"age\":24,\"data\":\"x\",\"name\":\"Joe\",\"email\":\"j@x\"}");
    CHECK_STR(rc_t_one("{\"age\":24,\"data\":\"x\",\"name\":\"Joe\"}", I, "$.id", "7"),
              "{\"id\":7,\"age\":24,\"data\":\"x\",\"name\":\"Joe\"}");
    /* Bytewise, so UTF-8 (0xc3 0xa9, 2 bytes) sorts by its bytes and length. */
    CHECK_STR(rc_t_one("{\"a\":1,\"zz\":2}", I, "$.\"\\u00e9\"", "0"),
              "{\"a\":1,\"zz\":2,\"\xc3\xa9\":0}");
    CHECK_FAILS(rc_t_one(doc, I, "$.bb", "0"), "member already exists");
    CHECK_FAILS(rc_t_one(doc, I, "$.x.y", "0"), "path not found");
}

RC_TEST(insert_array_cell)
{
    CHECK_STR(rc_t_one("[1,2,3]", I, "$[0]", "0"), "[0,1,2,3]");
    CHECK_STR(rc_t_one("[1,2,3]", I, "$[1]", "0"), "[1,0,2,3]");
    CHECK_STR(rc_t_one("[1,2,3]", I, "$[3]", "0"), "[1,2,3,0]");
    /* Past the end appends, as JSON_ARRAY_INSERT does. */
    CHECK_STR(rc_t_one("[1,2,3]", I, "$[99]", "0"), "[1,2,3,0]");
    CHECK_STR(rc_t_one("[1,2,3]", I, "$[99999999999999999999999]", "0"), "[1,2,3,0]");
    CHECK_STR(rc_t_one("[]", I, "$[5]", "\"a\""), "[\"a\"]");
    /* [last] names the last element, so the new one goes before it. */
    CHECK_STR(rc_t_one("[1,2,3]", I, "$[last]", "0"), "[1,2,0,3]");
    CHECK_STR(rc_t_one("{\"a\":[[1]]}", I, "$.a[0][1]", "2"), "{\"a\":[[1,2]]}");
    CHECK_FAILS(rc_t_one("{\"a\":[1]}", I, "$[0]", "0"), "does not name");
    CHECK_FAILS(rc_t_one("{\"a\":[1]}", I, "$.a.b", "0"), "does not name");
    CHECK_FAILS(rc_t_one("{\"a\":5}", I, "$.a[0]", "0"), "does not name");
}

RC_TEST(remove_members_and_cells)
{
    const char *doc = "{\"a\":1,\"bb\":[1,2,3],\"ccc\":{\"d\":null}}";
    CHECK_STR(rc_t_one(doc, X, "$.a", NULL), "{\"bb\":[1,2,3],\"ccc\":{\"d\":null}}");
    CHECK_STR(rc_t_one(doc, X, "$.ccc", NULL), "{\"a\":1,\"bb\":[1,2,3]}");
    CHECK_STR(rc_t_one(doc, X, "$.ccc.d", NULL), "{\"a\":1,\"bb\":[1,2,3],\"ccc\":{}}");
    CHECK_STR(rc_t_one(doc, X, "$.bb[0]", NULL), "{\"a\":1,\"bb\":[2,3],\"ccc\":{\"d\":null}}");
    CHECK_STR(rc_t_one(doc, X, "$.bb[1]", NULL), "{\"a\":1,\"bb\":[1,3],\"ccc\":{\"d\":null}}");
    CHECK_STR(rc_t_one(doc, X, "$.bb[last]", NULL), "{\"a\":1,\"bb\":[1,2],\"ccc\":{\"d\":null}}");
    CHECK_STR(rc_t_one("[7]", X, "$[0]", NULL), "[]");
    CHECK_FAILS(rc_t_one(doc, X, "$.bb[3]", NULL), "path not found");
    CHECK_FAILS(rc_t_one(doc, X, "$.zz", NULL), "path not found");
    CHECK_FAILS(rc_t_one(doc, X, "$.a.b", NULL), "path not found");
    CHECK_FAILS(rc_t_one(doc, X, "$", NULL), "root");
}

RC_TEST(sequence)
{
    rc_jdiff d[5];
    d[0] = rc_t_d(I, "$.tags", "[]");
    d[1] = rc_t_d(I, "$.tags[0]", "\"b\"");
    d[2] = rc_t_d(I, "$.tags[0]", "\"a\"");
    d[3] = rc_t_d(R, "$.n", "2");
    d[4] = rc_t_d(X, "$.old", NULL);
    CHECK_STR(rc_t_apply("{\"n\":1,\"old\":true}", d, 5), "{\"n\":2,\"tags\":[\"a\",\"b\"]}");
    /* A later diff sees the earlier ones' result: removing [0] twice. */
    d[0] = rc_t_d(X, "$[0]", NULL);
    d[1] = rc_t_d(X, "$[0]", NULL);
    CHECK_STR(rc_t_apply("[1,2,3]", d, 2), "[3]");
    /* A failing diff fails the whole call, and says which one. */
    d[0] = rc_t_d(R, "$[0]", "0");
    d[1] = rc_t_d(R, "$[5]", "0");
    CHECK_FAILS(rc_t_apply("[1,2,3]", d, 2), "diff 2 (REPLACE $[5])");
    CHECK_STR(rc_t_apply("[1,2,3]", d, 0), "[1,2,3]");
}

/* The cases MySQL's own unit test of its applier checks (json_dom-t.cc,
 * do_apply_json_diffs_tests): the same inputs give the same documents here,
 * and what it rejects fails here. */
RC_TEST(mysql_applier_cases)
{
    CHECK_STR(rc_t_one("{\"a\":[]}", I, "$.a[2]", "3"), "{\"a\":[3]}");
    CHECK_STR(rc_t_one("{\"a\":[1,2,4]}", I, "$.a[2]", "3"), "{\"a\":[1,2,3,4]}");
    CHECK_FAILS(rc_t_one("{\"a\":1,\"b\":2}", I, "$.a[2]", "3"), "does not name");
    CHECK_FAILS(rc_t_one("[]", I, "$.a[2]", "3"), "path not found");
    CHECK_STR(rc_t_one("{\"a\":{\"c\":1}}", I, "$.a.b", "3"), "{\"a\":{\"b\":3,\"c\":1}}");
    CHECK_FAILS(rc_t_one("{}", I, "$.a.b", "3"), "path not found");
    CHECK_FAILS(rc_t_one("{\"a\":{\"b\":1}}", I, "$.a.b", "3"), "member already exists");
    CHECK_FAILS(rc_t_one("{\"a\":{\"b\":2}}", R, "$.a[1]", "3"), "path not found");
    CHECK_FAILS(rc_t_one("123", R, "$.a", "3"), "path not found");
    rc_jdiff d[2] = {rc_t_d(X, "$[2]", NULL), rc_t_d(X, "$[3]", NULL)};
    CHECK_STR(rc_t_apply("[1,2,3,4,5,6]", d, 2), "[1,2,4,6]");
    CHECK_FAILS(rc_t_apply("[1,2,3,4]", d, 2), "diff 2 (REMOVE $[3]): path not found");
    CHECK_STR(rc_t_one("[1,2,[3,4,5,6,7]]", X, "$[2][3]", NULL), "[1,2,[3,4,5,7]]");
    CHECK_STR(rc_t_one("[[1,2,3],4,5]", X, "$[0][0]", NULL), "[[2,3],4,5]");
    CHECK_FAILS(rc_t_one("[{\"a\":1}]", X, "$[0][0]", NULL), "path not found");
    CHECK_FAILS(rc_t_one("[1]", X, "$[0][0]", NULL), "path not found");
}

RC_TEST(root)
{
    CHECK_STR(rc_t_one("{\"a\":1}", R, "$", "[true]"), "[true]");
    CHECK_STR(rc_t_one("1", R, " $ ", "\"s\""), "\"s\"");
    CHECK_FAILS(rc_t_one("{\"a\":1}", I, "$", "1"), "root");
    /* A scalar document has no members or cells. */
    CHECK_FAILS(rc_t_one("\"s\"", R, "$.a", "1"), "path not found");
    CHECK_FAILS(rc_t_one("3", R, "$[0]", "1"), "path not found");
}

RC_TEST(quoted_member_names)
{
    const char *doc = "{\"a\\\"b\":1,\"\xc3\xa9\":2,\"a.b\":3,\"key with space\":4}";
    CHECK_STR(rc_t_one(doc, R, "$.\"key with space\"", "0"),
              "{\"a\\\"b\":1,\"\xc3\xa9\":2,\"a.b\":3,\"key with space\":0}");
    CHECK_STR(rc_t_one(doc, R, "$.\"a\\\"b\"", "0"),
              "{\"a\\\"b\":0,\"\xc3\xa9\":2,\"a.b\":3,\"key with space\":4}");
    CHECK_STR(rc_t_one(doc, R, "$.\"a.b\"", "0"),
              "{\"a\\\"b\":1,\"\xc3\xa9\":2,\"a.b\":0,\"key with space\":4}");
    /* Escaped in the path, raw in the document, and the reverse. */
    CHECK_STR(rc_t_one(doc, X, "$.\"\\u00e9\"", NULL),
              "{\"a\\\"b\":1,\"a.b\":3,\"key with space\":4}");
    CHECK_STR(rc_t_one(doc, X, "$.\xc3\xa9", NULL),
              "{\"a\\\"b\":1,\"a.b\":3,\"key with space\":4}");
    CHECK_STR(rc_t_one("{\"\\u00e9\":2}", X, "$.\"\xc3\xa9\"", NULL), "{}");
    /* A new key is written JSON-escaped (like rc_jsonb's keys). */
    CHECK_STR(rc_t_one("{}", I, "$.\"new \\\"one\\\"\\n\"", "1"), "{\"new \\\"one\\\"\\n\":1}");
    CHECK_STR(rc_t_one("{}", I, "$.\"\"", "1"), "{\"\":1}");
    CHECK_STR(rc_t_one("{\"\":5}", R, "$.\"\"", "1"), "{\"\":1}");
    /* Unquoted names are identifiers; `$` and `_` and digits after the first. */
    CHECK_STR(rc_t_one("{\"$x_1\":5}", R, "$.$x_1", "1"), "{\"$x_1\":1}");
}

RC_TEST(text_kept_exactly)
{
    /* Untouched strings, keys and numbers come back byte for byte. */
    const char *doc = "{\"s\":\"a\\u0041\\n\\/\",\"k\\u0062\":-0,\"n\":1.50E+3,"
                      "\"big\":12345678901234567890123,\"d\":0.10}";
    CHECK_STR(rc_t_one(doc, R, "$.n", "1e-7"),
              "{\"s\":\"a\\u0041\\n\\/\",\"k\\u0062\":-0,\"n\":1e-7,"
              "\"big\":12345678901234567890123,\"d\":0.10}");
    /* Whitespace in the inputs is dropped from the output. */
    CHECK_STR(rc_t_one(" { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : { } } ", R, "$ . a [ 1 ]", " [ 3 , 4 ] "),
              "{\"a\":[1,[3,4]],\"b\":{}}");
}

RC_TEST(bad_documents)
{
    CHECK_FAILS(rc_t_one("", R, "$", "1"), "document: unexpected end");
    CHECK_FAILS(rc_t_one("{\"a\":1,}", R, "$", "1"), "expected a member name at offset 7");
    CHECK_FAILS(rc_t_one("[1,]", R, "$", "1"), "unexpected character");
    CHECK_FAILS(rc_t_one("[1 2]", R, "$", "1"), "expected ',' or ']'");
    CHECK_FAILS(rc_t_one("{\"a\" 1}", R, "$", "1"), "expected ':'");
    CHECK_FAILS(rc_t_one("{\"a\":1", R, "$", "1"), "expected ',' or '}'");
    CHECK_FAILS(rc_t_one("\"abc", R, "$", "1"), "unterminated string");
    CHECK_FAILS(rc_t_one("\"a\\", R, "$", "1"), "unterminated string");
    CHECK_FAILS(rc_t_one("\"a\\x\"", R, "$", "1"), "bad escape");
    CHECK_FAILS(rc_t_one("\"a\\u12\"", R, "$", "1"), "bad \\u escape");
    CHECK_FAILS(rc_t_one("\"\\ud800\"", R, "$", "1"), "lone surrogate");
    CHECK_FAILS(rc_t_one("\"\\udc00\"", R, "$", "1"), "lone surrogate");
    CHECK_FAILS(rc_t_one("\"a\tb\"", R, "$", "1"), "control character");
    CHECK_FAILS(rc_t_one("\"\xc0\xaf\"", R, "$", "1"), "invalid UTF-8");
    CHECK_FAILS(rc_t_one("\"\xed\xa0\x80\"", R, "$", "1"), "invalid UTF-8");
    CHECK_FAILS(rc_t_one("\"\xe2\x82\"", R, "$", "1"), "invalid UTF-8");
    CHECK_FAILS(rc_t_one("01", R, "$", "1"), "text after the value");
    CHECK_FAILS(rc_t_one("-", R, "$", "1"), "bad number");
    CHECK_FAILS(rc_t_one("1.", R, "$", "1"), "bad number");
    CHECK_FAILS(rc_t_one("1e+", R, "$", "1"), "bad number");
    CHECK_FAILS(rc_t_one("tru", R, "$", "1"), "unexpected character");
    CHECK_FAILS(rc_t_one("1 2", R, "$", "1"), "text after the value");
    CHECK_FAILS(rc_t_one("[1]", R, "$[0]", "{"), "value of diff 1: expected a member name");
    CHECK_FAILS(rc_t_one("[1]", R, "$[0]", ""), "value of diff 1: unexpected end");
    /* The surrogate pair is fine. */
    CHECK_STR(rc_t_one("[\"\\ud83d\\ude00\"]", I, "$[9]", "1"), "[\"\\ud83d\\ude00\",1]");
    /* Embedded NUL: the length is what counts, and NUL is a control character. */
    rc_buf_free(&rc_t_out);
    rc_buf_init(&rc_t_out);
    rc_jdiff d = rc_t_d(R, "$", "1");
    CHECK_INT(rc_jsondiff_apply("\"a\0\"", 4, &d, 1, &rc_t_out, &rc_t_err), -1);
    CHECK(strstr(rc_t_err.msg, "control character"));
    CHECK_INT(rc_jsondiff_apply(NULL, 0, &d, 1, &rc_t_out, &rc_t_err), -1);
}

RC_TEST(bad_paths)
{
    const char *doc = "{\"a\":[1,2]}";
    CHECK_FAILS(rc_t_one(doc, R, "", "1"), "does not start with '$'");
    CHECK_FAILS(rc_t_one(doc, R, "a", "1"), "does not start with '$'");
    CHECK_FAILS(rc_t_one(doc, R, "$.*", "1"), "wildcards");
    CHECK_FAILS(rc_t_one(doc, R, "$.a[*]", "1"), "wildcards");
    CHECK_FAILS(rc_t_one(doc, R, "$.a[0 to 1]", "1"), "expected ']'");
    CHECK_FAILS(rc_t_one(doc, R, "$**.a", "1"), "unexpected character in path");
    CHECK_FAILS(rc_t_one(doc, R, "$.", "1"), "bad member name");
    CHECK_FAILS(rc_t_one(doc, R, "$.1a", "1"), "bad member name");
    CHECK_FAILS(rc_t_one(doc, R, "$.a[", "1"), "bad array index");
    CHECK_FAILS(rc_t_one(doc, R, "$.a[1", "1"), "expected ']'");
    CHECK_FAILS(rc_t_one(doc, R, "$.a[-1]", "1"), "bad array index");
    CHECK_FAILS(rc_t_one(doc, R, "$.a[last-]", "1"), "bad array index");
    CHECK_FAILS(rc_t_one(doc, R, "$.\"a", "1"), "unterminated string");
    CHECK_FAILS(rc_t_one(doc, R, "$.\xff", "1"), "invalid UTF-8 in path");
    /* Non-printable path bytes are shown as '?', keeping the message one line. */
    CHECK_FAILS(rc_t_one(doc, R, "$.a\n[9]", "1"), "(REPLACE $.a?[9]): path not found");
    rc_jdiff d = rc_t_d((rc_jdiff_op)7, "$", "1");
    CHECK_FAILS(rc_t_apply(doc, &d, 1), "unknown operation 7");
    d = rc_t_d(R, "$", "1");
    d.path = NULL;
    CHECK_FAILS(rc_t_apply(doc, &d, 1), "no path text");
    d.path_len = 0;
    CHECK_FAILS(rc_t_apply(doc, &d, 1), "does not start with '$'");
}

static char *rc_t_nest(int levels, const char *inner)
{
    size_t il = strlen(inner);
    char *s = malloc((size_t)levels * 2 + il + 1);
    memset(s, '[', (size_t)levels);
    memcpy(s + levels, inner, il);
    memset(s + levels + il, ']', (size_t)levels);
    s[levels * 2 + il] = 0;
    return s;
}

RC_TEST(depth_limit)
{
    char *ok = rc_t_nest(100, "");
    char *deep = rc_t_nest(101, "");
    char *v2 = rc_t_nest(2, "");
    CHECK_STR(rc_t_one(ok, R, "$", "1"), "1");
    CHECK_FAILS(rc_t_one(deep, R, "$", "1"), "document: nested deeper than 100 levels");
    CHECK_FAILS(rc_t_one("1", R, "$", deep), "value of diff 1: nested deeper than 100 levels");
    /* 99 legs into the 100-deep document, then a 2-deep value: 101. */
    char path[400] = "$";
    for (int i = 0; i < 99; i++)
        strcat(path, "[0]");
    CHECK_FAILS(rc_t_one(ok, I, path, v2), "result nested deeper than 100 levels");
    CHECK(rc_t_one(ok, I, path, "[]") != NULL);
    free(ok);
    free(deep);
    free(v2);
}

RC_TEST(error_leaves_out_alone)
{
    rc_buf b;
    rc_buf_init(&b);
    RC_BUF_LIT(&b, "prefix");
    rc_jdiff d = rc_t_d(R, "$.x", "1");
    CHECK_INT(rc_jsondiff_apply("{\"a\":1}", 7, &d, 1, &b, &rc_t_err), -1);
    CHECK_MEM(b.data, b.len, "prefix");
    d = rc_t_d(R, "$.a", "2");
    CHECK_INT(rc_jsondiff_apply("{\"a\":1}", 7, &d, 1, &b, &rc_t_err), 0);
    CHECK_MEM(b.data, b.len, "prefix{\"a\":2}");
    rc_buf_free(&b);
}

/* Every prefix and every single-byte corruption of a document, value and
 * path must fail cleanly or succeed, never crash (run under ASan+UBSan). */
RC_TEST(hostile_inputs)
{
    const char *doc =
        "{\"a\":[1,{\"b\\u00e9\":\"x\\\"y\"},-2.5e3],\"cc\":{\"d\":[true,false,null]}}";
    const char *path = "$.a[1].\"b\\u00e9\"";
    const char *val = "{\"k\":[1,\"\\ud83d\\ude00\"]}";
    size_t dl = strlen(doc), pl = strlen(path), vl = strlen(val);
    static const char bytes[] = "\0\"\\[]{},:.$-0e\x80\xff 9ut*";
    char buf[128];
    rc_buf b;
    rc_buf_init(&b);
    for (int part = 0; part < 3; part++) {
        const char *src = part == 0 ? doc : part == 1 ? path : val;
        size_t n = part == 0 ? dl : part == 1 ? pl : vl;
        for (size_t cut = 0; cut <= n; cut++) {
            for (size_t k = 0; k <= sizeof bytes - 1; k++) {
                memcpy(buf, src, n);
                size_t m = cut; /* k == sizeof bytes - 1: the prefix alone */
                if (k < sizeof bytes - 1 && cut < n) {
                    buf[cut] = bytes[k];
                    m = n;
                }
                for (int op = 0; op < 3; op++) {
                    rc_jdiff d = {(rc_jdiff_op)op, path, pl, val, vl};
                    const char *dp = doc;
                    size_t dn = dl;
                    if (part == 0) dp = buf, dn = m;
                    if (part == 1) d.path = buf, d.path_len = m;
                    if (part == 2) d.value = buf, d.value_len = m;
                    b.len = 0;
                    int rc = rc_jsondiff_apply(dp, dn, &d, 1, &b, &rc_t_err);
                    if (rc != 0 && rc != -1) RC_FAIL("rc %d", rc);
                    if (rc < 0 && b.len) RC_FAIL("output written on failure");
                    if (rc < 0 && strncmp(rc_t_err.msg, "JSON partial update: ", 21))
                        RC_FAIL("message \"%s\"", rc_t_err.msg);
                }
            }
        }
    }
    /* The intact inputs: REPLACE works, and the output is itself valid input. */
    rc_jdiff d = {R, path, pl, val, vl};
    b.len = 0;
    CHECK_INT(rc_jsondiff_apply(doc, dl, &d, 1, &b, &rc_t_err), 0);
    CHECK_MEM(b.data, b.len,
              "{\"a\":[1,{\"b\\u00e9\":{\"k\":[1,\"\\ud83d\\ude00\"]}},-2.5e3],"
              "\"cc\":{\"d\":[true,false,null]}}");
    rc_buf out2;
    rc_buf_init(&out2);
    CHECK_INT(rc_jsondiff_apply(b.data, b.len, NULL, 0, &out2, &rc_t_err), 0);
    CHECK_MEM(out2.data, out2.len,
              "{\"a\":[1,{\"b\\u00e9\":{\"k\":[1,\"\\ud83d\\ude00\"]}},-2.5e3],"
              "\"cc\":{\"d\":[true,false,null]}}");
    rc_buf_free(&out2);
    rc_buf_free(&b);
}

/* rc_t_out stays reachable from a global at exit, so LeakSanitizer is quiet. */
RC_TEST_MAIN(RC_T(replace_member_fixture), RC_T(replace_array_cell), RC_T(replace_nested),
             RC_T(insert_member_key_order), RC_T(insert_array_cell), RC_T(remove_members_and_cells),
             RC_T(sequence), RC_T(mysql_applier_cases), RC_T(root), RC_T(quoted_member_names),
             RC_T(text_kept_exactly), RC_T(bad_documents), RC_T(bad_paths), RC_T(depth_limit),
             RC_T(error_leaves_out_alone), RC_T(hostile_inputs))
