/* Unit tests of src/filter/rc_jevent: JSON events as the receive and apply
 * points (and `rowcast filter`) hand them to Lua, and back. Untouched events
 * round-trip byte for byte (exact big numbers, "1.50", nulls, empty arrays,
 * nested json_diff); the value types match the capture side; changes made
 * in Lua come out in the seed's key order; and hostile or broken input is
 * refused with a column, never a crash (deep nesting, truncation, bad
 * escapes, invalid UTF-8). */
#include "rc_test.h"

#include <lauxlib.h>
#include <lualib.h>

#include "filter/rc_jevent.h"

static const char *const ROW =
    "{\"schema\":\"shop\",\"table\":\"orders\",\"timestamp\":\"2026-11-21 05:45:35\","
    "\"operation\":\"update\",\"primary\":\"id\",\"keys\":[\"id\"],"
    "\"columns\":[\"id\",\"price\",\"big\",\"dec\",\"note\",\"doc\"],"
    "\"new\":{\"id\":1,\"price\":1.50,\"big\":18446744073709551615,"
    "\"dec\":12345678901234567.25,\"note\":null,\"doc\":{\"z\":1,\"a\":[1,null,2]}},"
    "\"old\":{\"id\":1,\"price\":1.5,\"big\":-9223372036854775808,\"dec\":0.5,\"note\":\"x\","
    "\"doc\":{}},"
    "\"position\":\"mysql-bin.000001:1352\",\"gtid\":null,\"server_id\":1,\"xid\":6,"
    "\"commit\":true}";

/* Parses in, runs lua (with the event in global E) if not NULL, and
 * serializes E into out. Returns 0, or -1 with err filled. */
static int run(const char *in, const char *lua, rc_buf *out, rc_err *err)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    int rc = rc_jevent_push(L, in, strlen(in), err);
    if (rc == 0) {
        lua_setglobal(L, "E");
        if (lua && luaL_dostring(L, lua)) {
            rc_err_set(err, RC_E_USAGE, "lua: %s", lua_tostring(L, -1));
            rc = -1;
        }
    }
    if (rc == 0) {
        lua_getglobal(L, "E");
        rc = rc_jevent_serialize(L, -1, out, err);
    }
    lua_close(L);
    return rc;
}

/* Runs lua and checks that its `return` is true. */
static int check_lua(const char *in, const char *lua, rc_err *err)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    int ok = 0;
    if (rc_jevent_push(L, in, strlen(in), err) == 0) {
        lua_setglobal(L, "E");
        if (luaL_dostring(L, lua))
            rc_err_set(err, RC_E_USAGE, "lua: %s", lua_tostring(L, -1));
        else
            ok = lua_toboolean(L, -1);
    }
    lua_close(L);
    return ok;
}

#define ROUNDTRIP(in)                                                                              \
    do {                                                                                           \
        rc_buf _o;                                                                                 \
        rc_buf_init(&_o);                                                                          \
        rc_err _e = {0};                                                                           \
        int _rc = run((in), NULL, &_o, &_e);                                                       \
        if (_rc) RC_FAIL("%s", _e.msg);                                                            \
        CHECK_MEM(_o.data, _o.len, (in));                                                          \
        rc_buf_free(&_o);                                                                          \
    } while (0)

#define AFTER(in, lua, expect)                                                                     \
    do {                                                                                           \
        rc_buf _o;                                                                                 \
        rc_buf_init(&_o);                                                                          \
        rc_err _e = {0};                                                                           \
        int _rc = run((in), (lua), &_o, &_e);                                                      \
        if (_rc) RC_FAIL("%s", _e.msg);                                                            \
        CHECK_MEM(_o.data, _o.len, (expect));                                                      \
        rc_buf_free(&_o);                                                                          \
    } while (0)

#define PARSE_FAILS(in, want)                                                                      \
    do {                                                                                           \
        rc_buf _o;                                                                                 \
        rc_buf_init(&_o);                                                                          \
        rc_err _e = {0};                                                                           \
        if (run((in), NULL, &_o, &_e) == 0) RC_FAIL("parsed: %s", (in));                           \
        CHECK_INT(_e.code, RC_E_CORRUPT);                                                          \
        if (!strstr(_e.msg, (want))) RC_FAIL("message \"%s\" lacks \"%s\"", _e.msg, (want));       \
        rc_buf_free(&_o);                                                                          \
    } while (0)

RC_TEST(roundtrip_untouched)
{
    ROUNDTRIP(ROW);
    ROUNDTRIP("{\"schema\":\"clusterdb\",\"table\":null,\"timestamp\":\"2026-11-21 05:45:35\","
              "\"operation\":\"query\",\"query\":\"REPLACE INTO subs1 SET sub_id=401, code=44\","
              "\"position\":\"mysql-bin.000001:499\",\"gtid\":\"0-1-2\",\"server_id\":1,"
              "\"xid\":null,\"commit\":true}");
    /* partial images, json_diff with nested arrays and objects, empty keys */
    ROUNDTRIP("{\"schema\":\"s\",\"table\":\"t\",\"timestamp\":\"2026-11-21 05:45:35\","
              "\"operation\":\"update\",\"primary\":null,\"keys\":[],\"columns\":[\"id\",\"doc\"],"
              "\"new\":{\"id\":1},\"old\":{\"id\":1},\"missing\":[\"doc\"],"
              "\"missing_old\":[\"doc\"],\"json_diff\":{\"doc\":[{\"op\":\"replace\",\"path\":"
              "\"$.age\",\"value\":26},{\"op\":\"remove\",\"path\":\"$.x[0]\"}]},"
              "\"group\":\"g\",\"position\":\"f:4\",\"gtid\":\"u:1\",\"server_id\":7,\"xid\":null,"
              "\"commit\":false}");
    /* numbers kept by their text: exponents, -0.0, many zeros */
    ROUNDTRIP("{\"a\":[1e2,1E+2,-0.0,0.000000000000000000000000000000000000000000000001,"
              "1e400,123456789012345678901234567890,3.14159265358979323846]}");
}

RC_TEST(value_types)
{
    rc_err err = {0};
    /* integers that fit int64 are integers; 1.50 is the float 1.5 (15
     * digits or fewer); more digits and numbers beyond int64 stay text */
    CHECK(check_lua(ROW,
                    "return math.type(E.new.id) == 'integer' and math.type(E.new.price) == "
                    "'float' and E.new.price == 1.5 and E.new.big == '18446744073709551615' and "
                    "math.type(E.old.big) == 'integer' and E.old.big == math.mininteger and "
                    "E.new.dec == '12345678901234567.25' and E.new.note == nil and E.old.note == "
                    "'x' and E.gtid == nil and E.commit == true and E.keys[1] == 'id' and "
                    "E.new.doc.a[1] == 1 and E.new.doc.a[2] == nil and E.new.doc.a[3] == 2",
                    &err));
    /* exactly 15 significant digits is a float, 16 is text (rc_fevent.c) */
    CHECK(check_lua("{\"a\":1234567890.12345,\"b\":1234567890.123456,\"c\":0.00123456789012345}",
                    "return math.type(E.a) == 'float' and E.b == '1234567890.123456' and "
                    "math.type(E.c) == 'float'",
                    &err));
    CHECK(check_lua(
        "{\"a\":9223372036854775807,\"b\":9223372036854775808,\"c\":-9223372036854775809}",
        "return E.a == math.maxinteger and E.b == '9223372036854775808' and E.c == "
        "'-9223372036854775809'",
        &err));
}

RC_TEST(strings_and_escapes)
{
    rc_err err = {0};
    CHECK(check_lua("{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\","
                    "\"u\":\"\xc3\xa9\xf0\x9f\x98\x80\",\"z\":\"\\u0000x\"}",
                    "return E.s == 'a\"b\\\\c/d\\b\\f\\n\\r\\tA\\u{e9}\\u{20ac}\\u{1f600}' and "
                    "E.u == '\\u{e9}\\u{1f600}' and E.z == '\\0x'",
                    &err));
    /* written back with rc_json_str's escapes: UTF-8 raw, controls escaped */
    AFTER("{\"s\":\"\\u00e9\\n\\u0001\\/\"}", NULL, "{\"s\":\"\xc3\xa9\\n\\u0001/\"}");
}

RC_TEST(modify)
{
    const char *mod = "E.new.price = '***'; E.new.note = 'n'; E.new.dec = nil; E.old = nil; "
                      "E.table = 'orders2'; E.group = 'x'; E.extra = {b = true, a = 1}";
    AFTER(ROW, mod,
          "{\"schema\":\"shop\",\"table\":\"orders2\",\"timestamp\":\"2026-11-21 05:45:35\","
          "\"operation\":\"update\",\"primary\":\"id\",\"keys\":[\"id\"],"
          "\"columns\":[\"id\",\"price\",\"big\",\"dec\",\"note\",\"doc\"],"
          "\"new\":{\"id\":1,\"price\":\"***\",\"big\":18446744073709551615,\"note\":\"n\","
          "\"doc\":{\"z\":1,\"a\":[1,null,2]}},"
          "\"group\":\"x\",\"position\":\"mysql-bin.000001:1352\",\"gtid\":null,\"server_id\":1,"
          "\"xid\":6,\"commit\":true,\"extra\":{\"a\":1,\"b\":true}}");
    /* a changed number is written as the new value; a NULL column set to nil
     * is dropped; keys added to an image come after the columns, sorted */
    AFTER("{\"columns\":[\"a\",\"b\",\"c\"],\"new\":{\"c\":null,\"b\":1.50,\"a\":null}}",
          "E.new.b = E.new.b * 2; E.new.a = nil; E.new.zz = 1; E.new.y = 0.1",
          "{\"columns\":[\"a\",\"b\",\"c\"],\"new\":{\"b\":3,\"c\":null,\"y\":0.1,\"zz\":1}}");
    /* a big number replaced by another string is a string */
    AFTER("{\"n\":18446744073709551615}", "E.n = '18446744073709551614'",
          "{\"n\":\"18446744073709551614\"}");
    /* the seed order wins over the input's order at the top */
    AFTER("{\"commit\":true,\"new\":{},\"schema\":\"s\"}", "E.new.k = 1",
          "{\"schema\":\"s\",\"new\":{\"k\":1},\"commit\":true}");
    /* arrays: appended items, an empty table in a list field */
    AFTER("{\"keys\":[\"a\"],\"a\":[1,null],\"b\":[]}",
          "E.keys = {}; E.a[3] = 3; table.insert(E.b, 'x')",
          "{\"keys\":[],\"a\":[1,null,3],\"b\":[\"x\"]}");
}

RC_TEST(serialize_errors)
{
    rc_buf o;
    rc_buf_init(&o);
    rc_err err = {0};
    static const struct {
        const char *lua, *msg;
    } cases[] = {
        {"E.new.f = print", "event.new.f: a function cannot be written as JSON"},
        {"E.new.x = 0/0", "event.new.x: NaN or infinity cannot be written as JSON"},
        {"E.new.x = math.huge", "event.new.x: NaN or infinity"},
        {"E.new.doc.a[5] = 1", "event.new.doc.a[4]: an array with a hole"},
        {"E.new.doc.t = {1, x = 2}", "event.new.doc.t: a table with both array items"},
        {"E.new.doc.t = {[true] = 1}", "event.new.doc.t: a table key of type boolean"},
        {"E.self = E", "nested deeper than 100 levels"},
        {"E['odd key'] = coroutine.create(print)", "event[\"odd key\"]: a thread cannot"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        o.len = 0;
        if (run(ROW, cases[i].lua, &o, &err) == 0) RC_FAIL("no error for %s", cases[i].lua);
        CHECK_INT(err.code, RC_E_USAGE);
        if (!strstr(err.msg, cases[i].msg))
            RC_FAIL("%s: message \"%s\" lacks \"%s\"", cases[i].lua, err.msg, cases[i].msg);
        CHECK_INT(o.len, 0);
    }
    rc_buf_free(&o);
}

RC_TEST(parse_errors)
{
    PARSE_FAILS("", "an event must be a JSON object");
    PARSE_FAILS("[1]", "an event must be a JSON object");
    PARSE_FAILS("{\"a\":1", "unexpected end");
    PARSE_FAILS("{\"a\":1,}", "column 8: a string key expected");
    PARSE_FAILS("{\"a\":\"x", "unterminated string");
    PARSE_FAILS("{\"a\":1} x", "text after");
    PARSE_FAILS("{\"a\":01}", "leading zero");
    PARSE_FAILS("{\"a\":1.}", "digits expected after the decimal point");
    PARSE_FAILS("{\"a\":1e}", "digits expected in the exponent");
    PARSE_FAILS("{\"a\":-}", "bad number");
    PARSE_FAILS("{\"a\":NaN}", "unexpected character");
    PARSE_FAILS("{\"a\":tru}", "unexpected character");
    PARSE_FAILS("{\"a\":1,\"a\":2}", "duplicate key \"a\"");
    PARSE_FAILS("{\"a\":null,\"a\":2}", "duplicate key");
    PARSE_FAILS("{a:1}", "a string key expected");
    PARSE_FAILS("{\"a\" 1}", "':' expected");
    PARSE_FAILS("{\"a\":[1 2]}", "',' or ']' expected");
    PARSE_FAILS("{\"a\":\"\\x\"}", "unknown escape");
    PARSE_FAILS("{\"a\":\"\\u12\"}", "bad \\u escape");
    PARSE_FAILS("{\"a\":\"\\ud800\"}", "high surrogate");
    PARSE_FAILS("{\"a\":\"\\ud800\\u0041\"}", "high surrogate");
    PARSE_FAILS("{\"a\":\"\\udc00\"}", "lone low surrogate");
    PARSE_FAILS("{\"a\":\"\x01\"}", "control character");
    PARSE_FAILS("{\"a\":\"\xff\"}", "invalid UTF-8");
    PARSE_FAILS("{\"a\":\"\xc0\xaf\"}", "invalid UTF-8");     /* overlong */
    PARSE_FAILS("{\"a\":\"\xed\xa0\x80\"}", "invalid UTF-8"); /* a surrogate */
    PARSE_FAILS("{\"a\":\"\xf0\x9f\x98\"}", "invalid UTF-8"); /* truncated */
    PARSE_FAILS("{\"a\":\"x\\", "unterminated string");
}

/* {"a":[[...]]}: levels containers nested, the event's object included. */
static char *deep_event(int levels)
{
    char *s = malloc((size_t)levels * 2 + 8);
    size_t n = 0;
    memcpy(s, "{\"a\":", 5);
    n = 5;
    for (int i = 1; i < levels; i++)
        s[n++] = '[';
    for (int i = 1; i < levels; i++)
        s[n++] = ']';
    s[n++] = '}';
    s[n] = 0;
    return s;
}

RC_TEST(hostile)
{
    /* 100 levels are fine, 101 are refused; 100000 do not reach the C stack */
    char *ok = deep_event(100), *over = deep_event(101), *huge = deep_event(100000);
    rc_buf o;
    rc_buf_init(&o);
    rc_err err = {0};
    int rc = run(ok, NULL, &o, &err);
    int same = o.len == strlen(ok) && !memcmp(o.data, ok, o.len);
    rc_buf_free(&o);
    free(ok);
    if (rc) RC_FAIL("100 levels: %s", err.msg);
    CHECK(same);
    PARSE_FAILS(over, "column 105: nested deeper than 100 levels");
    PARSE_FAILS(huge, "nested deeper than 100 levels");
    free(over);
    free(huge);
    /* every prefix of a valid event is refused, none crashes */
    size_t len = strlen(ROW);
    for (size_t i = 0; i < len; i++) {
        lua_State *L = luaL_newstate();
        char *cut = malloc(i ? i : 1);
        memcpy(cut, ROW, i); /* not terminated: the parser must keep to n */
        int prc = rc_jevent_push(L, cut, i, &err);
        free(cut);
        lua_close(L);
        if (prc == 0) RC_FAIL("prefix of %zu bytes parsed", i);
    }
}

/* The parser reads only n bytes: a NUL inside the text is a character. */
RC_TEST(bounds)
{
    lua_State *L = luaL_newstate();
    rc_err err = {0};
    CHECK_INT(rc_jevent_push(L, "{\"a\":1}garbage", 7, &err), 0);
    CHECK_INT(lua_gettop(L), 1);
    CHECK_INT(rc_jevent_push(L, "{\"a\":1}\0", 8, &err), -1);
    CHECK_INT(lua_gettop(L), 1);
    lua_close(L);
}

RC_TEST_MAIN(RC_T(roundtrip_untouched), RC_T(value_types), RC_T(strings_and_escapes), RC_T(modify),
             RC_T(serialize_errors), RC_T(parse_errors), RC_T(hostile), RC_T(bounds))
