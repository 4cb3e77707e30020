/* Unit tests of src/filter/rc_lua: the sandboxed Lua runtime of the filter
 * points. Loading (errors with file:line), the return rule (true discards),
 * runtime errors, state kept between calls, the seed's function names per
 * point, the sandbox, the instruction budget and memory cap, and the seed
 * article's odd/even scripts verbatim (tests/unit/lua/seed_*.lua). Scripts
 * other than the seed's are written to temporary files by the tests. */
#include "rc_test.h"

#include <unistd.h>

#include "filter/rc_lua.h"

/* Writes text to a fresh temporary .lua file; path gets its name. */
static int write_script(const char *text, char *path, size_t n)
{
    snprintf(path, n, "/tmp/rc_lua_test_XXXXXX.lua");
    int fd = mkstemps(path, 4);
    if (fd < 0) return -1;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

/* Opens a script given as text; the file is gone once the state holds it. */
static rc_lua *open_text(const char *text, const char *point, const rc_lua_limits *lim, char *path,
                         rc_err *err)
{
    if (write_script(text, path, 64)) return NULL;
    rc_lua *L = rc_lua_open(path, point, lim, err);
    unlink(path);
    return L;
}

/* The event as these tests see it: a table with `query` (absent for NULL). */
static int push_query(lua_State *L, void *arg)
{
    lua_createtable(L, 0, 1);
    if (arg) {
        lua_pushstring(L, arg);
        lua_setfield(L, -2, "query");
    }
    return 0;
}

static int push_fails(lua_State *L, void *arg)
{
    return -1;
}

static int push_raises(lua_State *L, void *arg)
{
    lua_pushliteral(L, "bad event");
    return lua_error(L);
}

/* Calls the filter with query q: 1 discard, 0 keep, -1 error (err filled). */
static int call_q(rc_lua *L, const char *q, rc_err *err)
{
    int discard = -7;
    if (rc_lua_call(L, push_query, (void *)q, &discard, err)) return -1;
    return discard;
}

#define CHECK_MSG(err, fmt, ...)                                                                   \
    do {                                                                                           \
        char _want[1200];                                                                          \
        snprintf(_want, sizeof _want, fmt, __VA_ARGS__);                                           \
        CHECK_STR((err).msg, _want);                                                               \
    } while (0)

/* ---- loading ---- */

RC_TEST(load_syntax_error)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text("function filter(e)\n  return e.query ==\nend\n", NULL, NULL, path, &err);
    CHECK(L == NULL);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s:3: unexpected symbol near 'end'", path);
}

RC_TEST(load_missing_function)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L =
        open_text("x = 1\nfunction other(e) return true end\n", "publish", NULL, path, &err);
    CHECK(L == NULL);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err,
              "%s: no filter function: define filter(event) (or after_read(event), the seed's "
              "name for point publish)",
              path);
    L = open_text("x = 1\n", NULL, NULL, path, &err);
    CHECK(L == NULL);
    CHECK_MSG(err, "%s: no filter function: define filter(event)", path);
    L = open_text("filter = 5\n", "apply", NULL, path, &err);
    CHECK(L == NULL);
    CHECK_MSG(err, "%s: 'filter' is a number, not a function", path);
}

RC_TEST(load_unreadable)
{
    rc_err err = {0};
    rc_lua *L = rc_lua_open("tests/unit/lua/no_such_script.lua", "capture", NULL, &err);
    CHECK(L == NULL);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_STR(err.msg, "tests/unit/lua/no_such_script.lua: cannot read filter script: No such "
                       "file or directory");
    L = rc_lua_open("tests/unit/lua", "capture", NULL, &err);
    CHECK(L == NULL);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_STR(err.msg, "tests/unit/lua: cannot read filter script: Is a directory");
}

RC_TEST(load_top_level_error)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text("local x\nx.y = 1\nfunction filter(e) end\n", NULL, NULL, path, &err);
    CHECK(L == NULL);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s:2: attempt to index a nil value (local 'x')", path);
    L = open_text("function filter(e) end\nerror('no config')\n", NULL, NULL, path, &err);
    CHECK(L == NULL);
    CHECK_MSG(err, "%s:2: no config", path);
}

RC_TEST(load_unknown_point)
{
    rc_err err = {0};
    CHECK(rc_lua_open("tests/unit/lua/seed_odd.lua", "sink", NULL, &err) == NULL);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_STR(err.msg, "unknown filter point 'sink' (expected capture, publish, receive or apply)");
}

/* ---- calls ---- */

static const char returns_src[] = "function filter(e)\n"
                                  "  local q = e.query\n"
                                  "  if q == 't' then return true end\n"
                                  "  if q == 'f' then return false end\n"
                                  "  if q == 'n' then return nil end\n"
                                  "  if q == 'num' then return 42 end\n"
                                  "  if q == 'str' then return 'yes' end\n"
                                  "  if q == 'tab' then return {} end\n"
                                  "end\n";

RC_TEST(call_return_values)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text(returns_src, "capture", NULL, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "t", &err), 1);
    CHECK_INT(call_q(L, "f", &err), 0);
    CHECK_INT(call_q(L, "n", &err), 0);
    CHECK_INT(call_q(L, NULL, &err), 0); /* returns nothing */
    CHECK_INT(call_q(L, "num", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s: filter must return true, false or nil (got number)", path);
    CHECK_INT(call_q(L, "str", &err), -1);
    CHECK_MSG(err, "%s: filter must return true, false or nil (got string)", path);
    CHECK_INT(call_q(L, "tab", &err), -1);
    CHECK_MSG(err, "%s: filter must return true, false or nil (got table)", path);
    CHECK_INT(call_q(L, "t", &err), 1); /* a bad return leaves the state usable */
    CHECK_INT(lua_gettop(rc_lua_state(L)), 0);
    rc_lua_close(L);
}

static const char errors_src[] =
    "local function helper(x)\n"
    "  return x.field\n"
    "end\n"
    "function filter(e)\n"
    "  if e.query == 'nil' then return helper(nil) end\n"
    "  if e.query == 'error' then error('boom') end\n"
    "  if e.query == 'level0' then error('plain', 0) end\n"
    "  if e.query == 'table' then error({}) end\n"
    "  if e.query == 'lines' then error('one\\ntwo', 0) end\n"
    "  if e.query == 'c' then return string.rep() end\n"
    "  if e.query == 'load' then local r = load('error(\"in\")')() return r end\n"
    "  return false\n"
    "end\n";

RC_TEST(call_runtime_errors)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text(errors_src, NULL, NULL, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "nil", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s:2: attempt to index a nil value (local 'x')", path);
    CHECK(strstr(rc_lua_traceback(L), "stack traceback:") != NULL);
    CHECK_INT(call_q(L, "error", &err), -1);
    CHECK_MSG(err, "%s:6: boom", path);
    CHECK(strstr(rc_lua_traceback(L), "in function 'filter'") != NULL);
    CHECK_INT(call_q(L, "level0", &err), -1);
    CHECK_MSG(err, "%s:7: plain", path);
    CHECK_INT(call_q(L, "table", &err), -1);
    CHECK_MSG(err, "%s:8: (error object is a table value)", path);
    CHECK_INT(call_q(L, "lines", &err), -1);
    CHECK_MSG(err, "%s:9: one two", path);
    CHECK_INT(call_q(L, "c", &err), -1);
    CHECK_MSG(err, "%s:10: bad argument #1 to 'rep' (string expected, got no value)", path);
    CHECK_INT(call_q(L, "load", &err), -1);
    CHECK_MSG(err, "%s:11: [string \"error(\"in\")\"]:1: in", path);
    CHECK_INT(call_q(L, "ok", &err), 0);
    CHECK_STR(rc_lua_traceback(L), "");
    CHECK_INT(lua_gettop(rc_lua_state(L)), 0);
    rc_lua_close(L);
}

/* Lua abbreviates paths longer than LUA_IDSIZE in its messages; the error
 * still names the whole path. */
RC_TEST(call_error_long_path)
{
    char dir[] = "/tmp/rc_lua_test_a_directory_name_long_enough_to_be_abbreviated_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[200];
    snprintf(path, sizeof path, "%s/filter.lua", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("function filter(e)\n  error('deep')\nend\n", f);
    fclose(f);
    rc_err err = {0};
    rc_lua *L = rc_lua_open(path, NULL, NULL, &err);
    unlink(path);
    rmdir(dir);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_MSG(err, "%s:2: deep", path);
    rc_lua_close(L);
}

RC_TEST(call_push_arg_errors)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text("function filter(e) return true end\n", NULL, NULL, path, &err);
    CHECK(L != NULL);
    int discard = 0;
    CHECK_INT(rc_lua_call(L, push_fails, NULL, &discard, &err), -1);
    CHECK_INT(err.code, RC_E_INTERNAL);
    CHECK_MSG(err, "%s: could not pass the event to the filter", path);
    CHECK_INT(rc_lua_call(L, push_raises, NULL, &discard, &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s: bad event", path);
    CHECK_INT(call_q(L, "x", &err), 1);
    rc_lua_close(L);
}

RC_TEST(call_state_kept)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text("n = 0\nfunction filter(e)\n  n = n + 1\n  return n % 2 == 0\nend\n",
                          NULL, NULL, path, &err);
    CHECK(L != NULL);
    for (int i = 1; i <= 10; i++)
        CHECK_INT(call_q(L, "x", &err), i % 2 == 0);
    rc_lua_close(L);

    /* An upvalue, and a table kept across calls. */
    L = open_text("local seen = {}\n"
                  "function filter(e)\n"
                  "  if seen[e.query] then return true end\n"
                  "  seen[e.query] = true\n"
                  "end\n",
                  NULL, NULL, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "a", &err), 0);
    CHECK_INT(call_q(L, "b", &err), 0);
    CHECK_INT(call_q(L, "a", &err), 1);
    rc_lua_close(L);
}

/* ---- function names per point ---- */

static int opens_with(const char *src, const char *point)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text(src, point, NULL, path, &err);
    int r = L ? call_q(L, "x", &err) : -1;
    rc_lua_close(L);
    return r;
}

RC_TEST(point_names)
{
    const char *bw = "function before_write(e) return true end\n";
    const char *ar = "function after_read(e) return true end\n";
    CHECK_INT(opens_with(bw, "capture"), 1);
    CHECK_INT(opens_with(bw, "receive"), 1);
    CHECK_INT(opens_with(bw, "publish"), -1);
    CHECK_INT(opens_with(bw, "apply"), -1);
    CHECK_INT(opens_with(ar, "publish"), 1);
    CHECK_INT(opens_with(ar, "apply"), 1);
    CHECK_INT(opens_with(ar, "capture"), -1);
    CHECK_INT(opens_with(ar, "receive"), -1);
    CHECK_INT(opens_with(ar, NULL), -1);
    const char *f = "function filter(e) return true end\n";
    CHECK_INT(opens_with(f, "capture"), 1);
    CHECK_INT(opens_with(f, "publish"), 1);
    CHECK_INT(opens_with(f, "receive"), 1);
    CHECK_INT(opens_with(f, "apply"), 1);
    CHECK_INT(opens_with(f, NULL), 1);
    /* Both defined: filter wins. */
    CHECK_INT(opens_with("function after_read(e) return true end\n"
                         "function filter(e) return false end\n",
                         "apply"),
              0);
}

/* ---- sandbox ---- */

/* Runs `body` as the filter's body; expects a runtime error containing want. */
static int fails_with(const char *body, const char *want, char *got, size_t n)
{
    char src[512], path[64];
    snprintf(src, sizeof src, "function filter(e)\n  %s\nend\n", body);
    rc_err err = {0};
    rc_lua *L = open_text(src, NULL, NULL, path, &err);
    int r = L ? call_q(L, "x", &err) : -2;
    snprintf(got, n, "%s", err.msg);
    rc_lua_close(L);
    return r == -1 && strstr(err.msg, want) != NULL;
}

#define CHECK_FAILS(body, want)                                                                    \
    do {                                                                                           \
        char _got[1024];                                                                           \
        if (!fails_with(body, want, _got, sizeof _got))                                            \
            RC_FAIL("%s: got \"%s\", expected \"%s\"", body, _got, want);                          \
    } while (0)

RC_TEST(sandbox_closed)
{
    CHECK_FAILS("io.open('/etc/passwd')", "attempt to index a nil value (global 'io')");
    CHECK_FAILS("io.write('x')", "global 'io'");
    CHECK_FAILS("os.execute('true')", "attempt to call a nil value (field 'execute')");
    CHECK_FAILS("os.exit(1)", "field 'exit'");
    CHECK_FAILS("os.remove('/tmp/x')", "field 'remove'");
    CHECK_FAILS("os.getenv('HOME')", "field 'getenv'");
    CHECK_FAILS("require('x')", ":2: require is not available in rowcast filters");
    CHECK_FAILS("require('os')", "require is not available in rowcast filters");
    CHECK_FAILS("package.loadlib('libc.so.6', 'system')", "global 'package'");
    CHECK_FAILS("dofile('/etc/passwd')", "global 'dofile'");
    CHECK_FAILS("loadfile('/etc/passwd')", "global 'loadfile'");
    CHECK_FAILS("string.dump(filter)", "field 'dump'");
    CHECK_FAILS("return ('x').dump(filter)", "field 'dump'");
    CHECK_FAILS("debug.sethook()", "global 'debug'");
    CHECK_FAILS("coroutine.create(print)", "global 'coroutine'");
    CHECK_FAILS("collectgarbage('count')\n  error('still here')", "still here");
}

/* Runs `body`; expects it to return true (discard). */
static int returns_true(const char *body)
{
    char src[512], path[64];
    snprintf(src, sizeof src, "function filter(e)\n  %s\nend\n", body);
    rc_err err = {0};
    rc_lua *L = open_text(src, NULL, NULL, path, &err);
    int r = L ? call_q(L, "x", &err) : -2;
    if (r != 1) printf("  %s: %d %s\n", body, r, err.msg);
    rc_lua_close(L);
    return r == 1;
}

RC_TEST(sandbox_open)
{
    CHECK(returns_true("return type(os.time()) == 'number' and type(os.clock()) == 'number'"));
    CHECK(returns_true("return os.date('!%Y-%m-%d', 0) == '1970-01-01'"));
    CHECK(returns_true("return string.format('%d', 7) == '7' and ('ab'):upper() == 'AB'"));
    CHECK(returns_true("return table.concat({1, 2}, ',') == '1,2' and math.max(1, 3) == 3"));
    CHECK(returns_true("return utf8.len('\\u{e9}') == 1"));
    CHECK(returns_true("return '401' % 2 == 1")); /* the seed relies on string arithmetic */
    CHECK(returns_true("return load('return 1 + 1')() == 2"));
    CHECK(returns_true("local env = {}; load('x = 1', 'c', 't', env)(); return env.x == 1"));
    /* Binary chunks are refused whatever mode is asked for. */
    CHECK(returns_true("local f, m = load('\\27Lua', 'c', 'b')\n"
                       "  return f == nil and m:find('binary chunk') ~= nil"));
    CHECK(returns_true("print('a filter may print', 1, nil); return true"));
    CHECK(returns_true("return pcall(error, 'x') == false and select('#', 1, 2) == 2"));
}

/* ---- limits ---- */

RC_TEST(limit_instructions)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text("function filter(e)\n  while true do end\nend\n", NULL, NULL, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s: filter ran past its budget of 10000000 instructions (endless loop?)", path);
    rc_lua_close(L);

    /* The budget is per call: many calls of a short loop are fine. */
    rc_lua_limits lim = {.max_instructions = 50000};
    L = open_text("function filter(e)\n"
                  "  local n = tonumber(e.query)\n"
                  "  for i = 1, n do end\n"
                  "  return false\n"
                  "end\n",
                  NULL, &lim, path, &err);
    CHECK(L != NULL);
    for (int i = 0; i < 20; i++)
        CHECK_INT(call_q(L, "1000", &err), 0);
    CHECK_INT(call_q(L, "1000000", &err), -1);
    CHECK_MSG(err, "%s: filter ran past its budget of 50000 instructions (endless loop?)", path);
    rc_lua_close(L);

    /* Catching the budget error with pcall does not buy more time. */
    L = open_text("function filter(e)\n"
                  "  while true do pcall(function() while true do end end) end\n"
                  "end\n",
                  NULL, &lim, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_MSG(err, "%s: filter ran past its budget of 50000 instructions (endless loop?)", path);
    rc_lua_close(L);
    L = open_text("function filter(e)\n"
                  "  return pcall(function() while true do end end)\n"
                  "end\n",
                  NULL, &lim, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_MSG(err, "%s: filter ran past its budget of 50000 instructions (endless loop?)", path);
    rc_lua_close(L);

    /* The top-level chunk has a budget too: start-up cannot hang. */
    L = open_text("while true do end\n", NULL, &lim, path, &err);
    CHECK(L == NULL);
    CHECK_MSG(err, "%s: filter ran past its budget of 50000 instructions (endless loop?)", path);

    /* Other states are unaffected. */
    CHECK_INT(opens_with("function filter(e) return true end\n", NULL), 1);
}

static const char hog_src[] = "function filter(e)\n"
                              "  local t = {} while true do t[#t+1] = string.rep(\"x\", 1e6) end\n"
                              "end\n";

RC_TEST(limit_memory)
{
    char path[64];
    rc_err err = {0};
    rc_lua *L = open_text(hog_src, NULL, NULL, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_MSG(err, "%s: filter used more than 64 MiB", path);
    rc_lua_close(L);

    rc_lua_limits lim = {.max_memory = 8u << 20};
    L = open_text(hog_src, NULL, &lim, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_MSG(err, "%s: filter used more than 8 MiB", path);
    rc_lua_close(L);

    /* One huge allocation, caught by pcall and rethrown by the script: Lua
     * raises its memory message as a memory error again. */
    L = open_text("function filter(e)\n"
                  "  local ok, m = pcall(string.rep, 'x', 1e8)\n"
                  "  error(m, 0)\n"
                  "end\n",
                  NULL, &lim, path, &err);
    CHECK(L != NULL);
    CHECK_INT(call_q(L, "x", &err), -1);
    CHECK_MSG(err, "%s: filter used more than 8 MiB", path);
    rc_lua_close(L);

    /* A top-level hog fails at open. */
    L = open_text("local t = {} while true do t[#t+1] = string.rep('x', 1e6) end\n", NULL, &lim,
                  path, &err);
    CHECK(L == NULL);
    CHECK_MSG(err, "%s: filter used more than 8 MiB", path);

    /* A cap too small for the sandbox itself. */
    rc_lua_limits tiny = {.max_memory = 1000};
    L = open_text("function filter(e) end\n", NULL, &tiny, path, &err);
    CHECK(L == NULL);
    CHECK_MSG(err, "%s: filter used more than 1000 bytes", path);

    CHECK_INT(opens_with("function filter(e) return true end\n", NULL), 1);
}

/* ---- the seed article's scripts ---- */

RC_TEST(seed_odd_even)
{
    static const struct {
        const char *query;
        int odd, even; /* discard on the odd slave, on the even slave */
    } cases[] = {
        {"REPLACE INTO sys1 SET area_code=33, country=\"France\"", 0, 0},
        {"REPLACE INTO sys1 SET area_code=44, country=\"UK\"", 0, 0},
        {"REPLACE INTO subs1 SET sub_id=401, code=44", 0, 1},
        {"REPLACE INTO subs1 SET sub_id=402, code=33", 1, 0},
        {"REPLACE INTO subs1 SET sub_id=976, code=33", 1, 0},
        {"REPLACE INTO subs1 SET sub_id=981, code=44", 0, 1},
        {"REPLACE INTO subs1 SET sub_id = 401, code=44", 0, 1},
        {"REPLACE INTO subs1 SET sub_id = 402, code=33", 1, 0},
        {NULL, 0, 0}, /* no query: kept */
    };
    rc_err err = {0};
    rc_lua *odd = rc_lua_open("tests/unit/lua/seed_odd.lua", "apply", NULL, &err);
    if (!odd) RC_FAIL("%s", err.msg);
    rc_lua *even = rc_lua_open("tests/unit/lua/seed_even.lua", "publish", NULL, &err);
    if (!even) RC_FAIL("%s", err.msg);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_INT(call_q(odd, cases[i].query, &err), cases[i].odd);
        CHECK_INT(call_q(even, cases[i].query, &err), cases[i].even);
    }
    rc_lua_close(odd);
    rc_lua_close(even);
    /* after_read is the seed's name for the publish and apply points only. */
    CHECK(rc_lua_open("tests/unit/lua/seed_odd.lua", "capture", NULL, &err) == NULL);
}

RC_TEST_MAIN(RC_T(load_syntax_error), RC_T(load_missing_function), RC_T(load_unreadable),
             RC_T(load_top_level_error), RC_T(load_unknown_point), RC_T(call_return_values),
             RC_T(call_runtime_errors), RC_T(call_error_long_path), RC_T(call_push_arg_errors),
             RC_T(call_state_kept), RC_T(point_names), RC_T(sandbox_closed), RC_T(sandbox_open),
             RC_T(limit_instructions), RC_T(limit_memory), RC_T(seed_odd_even))
