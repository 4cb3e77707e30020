/* Unit tests of src/apply/rc_jfast, the applier's C reading of JSON events,
 * against rc_jevent (the Lua reading it stands in for): the same fields and
 * lists, every column value of the same type and value (unicode, escapes,
 * surrogate pairs, exact number texts, arrays written back the same), the
 * floats written as rc_apply writes a Lua float, and the same verdict on
 * malformed input: a hand-made list of broken events and thousands of
 * seeded mutations of valid ones. The SQL built from both readings is
 * compared by tests/integration/test_apply_fast.py. */
#include "rc_test.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>

#include "apply/rc_jfast.h"
#include "filter/rc_jevent.h"

static const char *const EVENTS[] = {
    "{\"schema\":\"shop\",\"table\":\"orders\",\"operation\":\"update\",\"primary\":\"id\","
    "\"keys\":[\"id\",\"code\"],\"columns\":[\"id\",\"price\",\"big\",\"dec\",\"note\",\"arr\","
    "\"neg\",\"t\",\"f\",\"code\"],"
    "\"new\":{\"id\":1,\"price\":1.50,\"big\":18446744073709551615,"
    "\"dec\":12345678901234567.25,\"note\":null,\"arr\":[1,null,\"a\\u00e9\",-0,1.50,[],{}],"
    "\"neg\":-0,\"t\":true,\"f\":false,\"code\":\"x\\\"y\\\\z\\/\\b\\f\\n\\r\\t\"},"
    "\"old\":{\"id\":-9223372036854775808,\"price\":1e2,\"big\":9223372036854775808,"
    "\"dec\":0.00001,\"note\":\"\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
    "\"arr\":[ 1 , { \"b\" : 2 , \"a\" : null } ],\"neg\":-0.0,\"t\":1E+400,\"f\":0.0001,"
    "\"code\":\"\\u0000nul\"},"
    "\"position\":\"mysql-bin.000001:1352\",\"gtid\":\"0-1-5\",\"server_id\":1,\"xid\":6,"
    "\"commit\":true}",
    "{\"schema\":\"s\",\"table\":\"nokey\",\"operation\":\"delete\",\"columns\":[\"a\",\"b\"],"
    "\"missing_old\":[\"b\"],\"old\":{\"b\":2,\"a\":1},\"position\":\"b.000002:4\",\"commit\":1}",
    "{\"schema\":\"s\",\"table\":\"multi\",\"operation\":\"insert\",\"primary\":[\"a\",\"b\"],"
    "\"columns\":[\"a\",\"b\",\"c\"],\"missing\":[\"c\"],\"new\":{\"a\":0.1,\"b\":\"k\","
    "\"c\":null},\"commit\":null}",
    "{\"schema\":null,\"operation\":\"query\",\"query\":\"CREATE TABLE t (a INT)\","
    "\"commit\":false}",
    "  {\"operation\":\"query\",\"query\":\"\",\"gtid\":5,\"json_diff\":{\"x\":[1,{\"y\":[]}]}}\n",
    "{}",
};

static const char *const BAD[] = {
    "",
    "[]",
    "{",
    "{\"a\":1,}",
    "{\"a\":1}x",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":1e}",
    "{\"a\":-}",
    "{\"a\":tru}",
    "{\"a\":nul}",
    "{\"a\":\"\\x\"}",
    "{\"a\":\"\\u12\"}",
    "{\"a\":\"\\udc00\"}",
    "{\"a\":\"\\ud800\"}",
    "{\"a\":\"\\ud800\\u0041\"}",
    "{\"a\":\"\x01\"}",
    "{\"a\":\"\xc3\"}",
    "{\"a\":\"\xed\xa0\x80\"}",
    "{\"a\":\"\xf4\x90\x80\x80\"}",
    "{\"a\":\"unterminated}",
    "{\"a\":1,\"a\":2}",
    "{\"new\":{\"x\":1,\"\\u0078\":2}}",
    "{\"doc\":{\"k\":[{\"z\":1,\"z\":null}]}}",
    "{\"a\" 1}",
    "{1:2}",
    "{\"a\":[1 2]}",
    "{\"a\":NaN}",
    "{\"a\":'x'}",
};

/* A deep event: n levels of arrays under "d". */
static char *deep(int n)
{
    char *s = malloc((size_t)n * 2 + 16);
    size_t k = 0;
    k += (size_t)sprintf(s, "{\"d\":");
    for (int i = 0; i < n; i++)
        s[k++] = '[';
    for (int i = 0; i < n; i++)
        s[k++] = ']';
    s[k++] = '}';
    s[k] = 0;
    return s;
}

static int lua_reads(lua_State *L, const char *s, size_t n)
{
    rc_err err = {0};
    lua_settop(L, 0);
    return rc_jevent_push(L, s, n, &err) == 0;
}

/* The Lua value at idx and v are the same value (as the applier writes it). */
static int same_value(lua_State *L, int idx, const rc_jval *v, char *why, size_t whysz)
{
    int lt = lua_type(L, idx);
    int ty = v ? v->type : RC_JV_NULL;
    switch (ty) {
    case RC_JV_NULL: return lt == LUA_TNIL;
    case RC_JV_TRUE: return lt == LUA_TBOOLEAN && lua_toboolean(L, idx);
    case RC_JV_FALSE: return lt == LUA_TBOOLEAN && !lua_toboolean(L, idx);
    case RC_JV_INT:
        return lua_isinteger(L, idx) && lua_tointeger(L, idx) == strtoll(v->s, NULL, 10);
    case RC_JV_FLOAT: {
        if (lt != LUA_TNUMBER || lua_isinteger(L, idx)) return 0;
        double d = lua_tonumber(L, idx), e = strtod(v->s, NULL);
        if (memcmp(&d, &e, sizeof d)) return 0;
        /* rc_apply's text for a Lua float */
        char t[40];
        snprintf(t, sizeof t, "%.15g", d);
        if (strtod(t, NULL) != d) snprintf(t, sizeof t, "%.17g", d);
        rc_buf b;
        rc_buf_init(&b);
        rc_jfast_float_sql(v->s, v->n, &b);
        int ok = b.len == strlen(t) && !memcmp(b.data, t, b.len);
        if (!ok) snprintf(why, whysz, "float %s: %.*s, Lua way %s", v->s, (int)b.len, b.data, t);
        rc_buf_free(&b);
        return ok;
    }
    case RC_JV_STR: {
        size_t n;
        const char *s = lt == LUA_TSTRING ? lua_tolstring(L, idx, &n) : NULL;
        return s && n == v->n && !memcmp(s, v->s, n);
    }
    case RC_JV_ARRAY: {
        if (lt != LUA_TTABLE) return 0;
        rc_buf a, b;
        rc_buf_init(&a);
        rc_buf_init(&b);
        rc_err err = {0};
        int ok = rc_jevent_serialize(L, idx, &a, &err) == 0;
        rc_jfast_array_json(v, &b);
        ok = ok && a.len == b.len && !memcmp(a.data, b.data, a.len);
        if (!ok)
            snprintf(why, whysz, "array %.*s, Lua way %.*s", (int)b.len, b.data, (int)a.len,
                     a.data);
        rc_buf_free(&a);
        rc_buf_free(&b);
        return ok;
    }
    }
    return 0;
}

static int same_field(lua_State *L, const char *k, const char *v)
{
    lua_getfield(L, 1, k);
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int ok = (!s && !v) || (s && v && !strcmp(s, v));
    lua_pop(L, 1);
    return ok;
}

/* The list field k read as rc_apply reads it from Lua. */
static int same_list(lua_State *L, const char *k, const rc_jlist *l)
{
    int t = lua_getfield(L, 1, k), ok;
    if (t == LUA_TSTRING) {
        ok = l->present == 2 && l->n == 1 && !strcmp(l->items[0], lua_tostring(L, -1));
    } else if (t == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        ok = l->present == 1 && l->n == n;
        for (size_t i = 0; ok && i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            ok = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), l->items[i]);
            lua_pop(L, 1);
        }
    } else {
        ok = !l->present && l->n == 0;
    }
    lua_pop(L, 1);
    return ok;
}

RC_TEST(same_reading_as_lua)
{
    lua_State *L = luaL_newstate();
    rc_jfast f;
    rc_jfast_init(&f);
    static const char *const lists[] = {"columns", "primary", "keys", "missing", "missing_old"};
    for (size_t e = 0; e < sizeof EVENTS / sizeof EVENTS[0]; e++) {
        const char *ev = EVENTS[e];
        size_t n = strlen(ev);
        CHECK(lua_reads(L, ev, n));
        CHECK_INT(rc_jfast_parse(&f, ev, n), RC_JF_OK);
        CHECK(same_field(L, "schema", f.schema));
        CHECK(same_field(L, "table", f.table));
        CHECK(same_field(L, "operation", f.operation));
        CHECK(same_field(L, "position", f.position));
        CHECK(same_field(L, "gtid", f.gtid));
        lua_getfield(L, 1, "query");
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t qn;
            const char *q = lua_tolstring(L, -1, &qn);
            CHECK(f.query && f.querylen == qn && !memcmp(q, f.query, qn));
        } else {
            CHECK(!f.query);
        }
        lua_pop(L, 1);
        lua_getfield(L, 1, "commit");
        CHECK_INT(f.commit, lua_toboolean(L, -1));
        lua_pop(L, 1);
        for (int i = 0; i < RC_JL_N; i++)
            if (!same_list(L, lists[i], &f.list[i])) RC_FAIL("event %zu: list %s", e, lists[i]);
        for (int im = 0; im < 2; im++) {
            const rc_jimage *img = im ? &f.img_old : &f.img_new;
            int t = lua_getfield(L, 1, im ? "old" : "new");
            CHECK_INT(img->present, t == LUA_TTABLE);
            for (size_t c = 0; c < img->n; c++) {
                const rc_jcol *col = &img->cols[c];
                lua_pushlstring(L, col->name, col->namelen);
                lua_rawget(L, -2);
                char why[300] = "";
                if (!same_value(L, -1, rc_jfast_col(img, col->name, c), why, sizeof why) &&
                    col->namelen == strlen(col->name))
                    RC_FAIL("event %zu, %s.%s: not the same value %s", e, im ? "old" : "new",
                            col->name, why);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
    }
    /* A column absent and a column named by a prefix cut at NUL: no value. */
    CHECK(rc_jfast_col(&f.img_new, "nothere", 0) == NULL);
    rc_jfast_free(&f);
    lua_close(L);
}

RC_TEST(floats_written_as_lua_writes_them)
{
    static const char *const nums[] = {
        "1.50",    "-0.0",    "0.0",    "0.1",   "0.0001",  "0.00001",          "-0.000123",
        "123.456", "1e2",     "1.5E-7", "1e300", "100.000", "99999999999999.9", "0.000100",
        "-12.30",  "5.0e-324"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        double d = strtod(nums[i], NULL);
        char t[40];
        snprintf(t, sizeof t, "%.15g", d);
        if (strtod(t, NULL) != d) snprintf(t, sizeof t, "%.17g", d);
        rc_buf b;
        rc_buf_init(&b);
        rc_jfast_float_sql(nums[i], strlen(nums[i]), &b);
        rc_buf_putc(&b, 0);
        if (strcmp(b.data, t)) RC_FAIL("%s: %s, expected %s", nums[i], b.data, t);
        rc_buf_free(&b);
    }
}

/* Shapes the C reading leaves to Lua: they must still be valid JSON to it. */
RC_TEST(other_shapes_go_the_lua_way)
{
    static const char *const other[] = {
        "{\"new\":{\"doc\":{\"a\":1}}}",
        "{\"new\":[1]}",
        "{\"columns\":[\"a\",1]}",
        "{\"columns\":[null]}",
        "{\"primary\":5}",
        "{\"primary\":{\"a\":1}}",
        "{\"query\":12}",
        "{\"missing\":{\"a\":1}}",
        "{\"columns\":[\"a\\u0000b\"]}",
        "{\"primary\":\"a\\u0000\"}",
    };
    lua_State *L = luaL_newstate();
    rc_jfast f;
    rc_jfast_init(&f);
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        CHECK(lua_reads(L, other[i], strlen(other[i])));
        if (rc_jfast_parse(&f, other[i], strlen(other[i])) != RC_JF_OTHER)
            RC_FAIL("%s: not left to Lua", other[i]);
    }
    rc_jfast_free(&f);
    lua_close(L);
}

RC_TEST(malformed_refused_by_both)
{
    lua_State *L = luaL_newstate();
    rc_jfast f;
    rc_jfast_init(&f);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        size_t n = strlen(BAD[i]);
        if (lua_reads(L, BAD[i], n)) RC_FAIL("the test's own case %zu is valid", i);
        if (rc_jfast_parse(&f, BAD[i], n) != RC_JF_BAD) RC_FAIL("accepted: %s", BAD[i]);
    }
    /* Nesting: 99 arrays under the top object are fine, 100 are one too many. */
    for (int d = 98; d <= 101; d++) {
        char *s = deep(d);
        int lua = lua_reads(L, s, strlen(s)), fast = rc_jfast_parse(&f, s, strlen(s)) != RC_JF_BAD;
        free(s);
        if (lua != fast || lua != (d <= 99)) RC_FAIL("depth %d: Lua %d, C %d", d, lua, fast);
    }
    rc_jfast_free(&f);
    lua_close(L);
}

/* Seeded mutations of the valid events (bytes changed, removed, repeated,
 * cut short): both readings give the same verdict on every one. */
RC_TEST(fuzz_same_verdict)
{
    static const char pick[] = "{}[]\",:\\u0aZe-.+ \x80\xc3\xed\xf0\x01/nt";
    lua_State *L = luaL_newstate();
    rc_jfast f;
    rc_jfast_init(&f);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int refused = 0, total = 0;
    char *buf = malloc(4096);
    for (int round = 0; round < 20000; round++) {
        const char *ev = EVENTS[round % (sizeof EVENTS / sizeof EVENTS[0])];
        size_t n = strlen(ev);
        memcpy(buf, ev, n);
        int edits = 1 + (int)(seed % 3);
        for (int k = 0; k < edits && n > 0; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (size_t)(seed >> 33) % n;
            unsigned what = (unsigned)(seed >> 20) % 4;
            char c = pick[(seed >> 40) % (sizeof pick - 1)];
            if (what == 0) {
                buf[at] = c;
            } else if (what == 1) {
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
            } else if (what == 2 && n + 1 < 4096) {
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = c;
                n++;
            } else {
                n = at;
            }
        }
        int lua = lua_reads(L, buf, n);
        int fast = rc_jfast_parse(&f, buf, n) != RC_JF_BAD;
        total++;
        refused += !lua;
        if (lua != fast) RC_FAIL("round %d: Lua %d, C %d: %.*s", round, lua, fast, (int)n, buf);
    }
    free(buf);
    /* The mutations reach both sides of the verdict. */
    CHECK(refused > total / 4 && refused < total);
    rc_jfast_free(&f);
    lua_close(L);
}

RC_TEST_MAIN(RC_T(same_reading_as_lua), RC_T(floats_written_as_lua_writes_them),
             RC_T(other_shapes_go_the_lua_way), RC_T(malformed_refused_by_both),
             RC_T(fuzz_same_verdict))
