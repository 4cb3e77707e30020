/* rc_jevent: see rc_jevent.h. The JSON side of the filter points: `rowcast
 * apply` receives events as JSON text, so its receive and apply scripts see
 * a table parsed from that text, and what they leave is written back out.
 *
 * Both directions run under lua_pcall: a memory error (the state has a cap)
 * or a refusal unwinds through Lua, and every table made on the way is
 * garbage the collector takes back; nothing needs freeing by hand.
 *
 * The side tables (registry[&rc_side_key], all weak-keyed by the tables the
 * parse made, so they go with the event):
 *   ARR[array]  = its length in the input (nulls are holes; [] stays an array)
 *   NUL[object] = {key = true} for keys that were null and are untouched
 *   NUM[table]  = {key = input text} for floats and number texts
 *   ORD[object] = {keys in input order} (objects below new/old/json_diff...)
 * Objects with nulls get a metatable whose __newindex forgets a null once the
 * script assigns that key: `event.new.col = nil` then drops a NULL column
 * too, rather than writing it back as null. */
#include "filter/rc_jevent.h"

#include <lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/rc_json.h"

enum { SIDE_ARR = 1, SIDE_NUL, SIDE_NUM, SIDE_ORD, SIDE_NULMT, SIDE_TOP, SIDE_TOPSET };

static char rc_side_key;

/* The seed's fields in the encoder's order (rc_enc_seed.c; a statement's
 * `query` follows `operation` there), so an untouched event is written back
 * byte for byte as rowcast wrote it. */
static const char *const rc_top_fields[] = {
    "schema",   "table", "timestamp", "operation", "query",       "primary",   "keys",
    "columns",  "new",   "old",       "missing",   "missing_old", "json_diff", "group",
    "position", "gtid",  "server_id", "xid",       "commit",
};
#define RC_NTOP (sizeof rc_top_fields / sizeof rc_top_fields[0])

/* Fields that are optional in the seed format: when the script removes them
 * they are left out rather than written as null. */
static int rc_optional_field(const char *k)
{
    static const char *const opt[] = {"new",       "old",   "missing", "missing_old",
                                      "json_diff", "group", "query"};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (!strcmp(k, opt[i])) return 1;
    return 0;
}

/* __newindex of objects that had nulls: the key is no longer "null as in the
 * input" but whatever the script put there (nil: left out). */
static int rc_null_newindex(lua_State *L)
{
    lua_settop(L, 3);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rc_side_key);
    lua_rawgeti(L, -1, SIDE_NUL);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, -2) == LUA_TTABLE) {
        lua_pushvalue(L, 2);
        lua_pushnil(L);
        lua_rawset(L, -3);
    }
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 0;
}

/* Pushes the side table, making it on first use in this state. */
static void rc_push_side(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &rc_side_key) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 7, 0);
    int s = lua_gettop(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    int mt = lua_gettop(L);
    for (int i = SIDE_ARR; i <= SIDE_ORD; i++) {
        lua_newtable(L);
        lua_pushvalue(L, mt);
        lua_setmetatable(L, -2);
        lua_rawseti(L, s, i);
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, rc_null_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_rawseti(L, s, SIDE_NULMT);
    lua_createtable(L, (int)RC_NTOP, 0);
    lua_createtable(L, 0, (int)RC_NTOP);
    for (size_t i = 0; i < RC_NTOP; i++) {
        lua_pushstring(L, rc_top_fields[i]);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -4, (lua_Integer)i + 1);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
    }
    lua_rawseti(L, s, SIDE_TOPSET);
    lua_rawseti(L, s, SIDE_TOP);
    lua_pushvalue(L, s);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &rc_side_key);
}

/* side[which][t] = the value on top (popped). */
static void rc_side_set(lua_State *L, int side, int which, int t)
{
    lua_rawgeti(L, side, which);
    lua_pushvalue(L, t);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

/* Pushes side[which][t] and returns its type. */
static int rc_side_get(lua_State *L, int side, int which, int t)
{
    lua_rawgeti(L, side, which);
    lua_pushvalue(L, t);
    int ty = lua_rawget(L, -2);
    lua_remove(L, -2);
    return ty;
}

/* ==== parsing ==== */

enum { K_TOP, K_IMAGE, K_OTHER };

typedef struct rc_jp {
    lua_State *L;
    const unsigned char *s, *p, *end;
    int side;
    int depth;
    const unsigned char *num_s; /* text of the last number that was recorded */
    size_t num_n;
} rc_jp;

static int rc_jp_fail(rc_jp *j, const char *what)
{
    lua_pushfstring(j->L, "column %I: %s", (lua_Integer)(j->p - j->s) + 1, what);
    return lua_error(j->L);
}

static void rc_jp_ws(rc_jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

size_t rc_jevent_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
    } else
        return 0;
    if ((size_t)(end - p) < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return n;
}

int rc_jevent_hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
    unsigned v = 0;
    if (end - p < 4) return -1;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

size_t rc_jevent_utf8_put(char *u, unsigned cp)
{
    if (cp < 0x80) {
        u[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Skips plain characters (no quote, backslash or control character; valid
 * UTF-8) and returns where they end. */
static const unsigned char *rc_plain_run(rc_jp *j, const unsigned char *p)
{
    while (p < j->end) {
        unsigned c = *p;
        if (c == '"' || c == '\\' || c < 0x20) break;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n = rc_jevent_utf8_len(p, j->end);
        if (!n) {
            j->p = p;
            rc_jp_fail(j, "invalid UTF-8 in a string");
        }
        p += n;
    }
    return p;
}

/* At the opening quote; pushes the decoded string. */
static void rc_jp_string(rc_jp *j)
{
    lua_State *L = j->L;
    const unsigned char *start = ++j->p;
    const unsigned char *p = rc_plain_run(j, start);
    if (p < j->end && *p == '"') { /* no escapes: the common case */
        lua_pushlstring(L, (const char *)start, (size_t)(p - start));
        j->p = p + 1;
        return;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, (const char *)start, (size_t)(p - start));
    for (;;) {
        if (p >= j->end) {
            j->p = p;
            rc_jp_fail(j, "unterminated string");
        }
        unsigned c = *p;
        if (c == '"') break;
        if (c < 0x20) {
            j->p = p;
            rc_jp_fail(j, "control character in a string (must be escaped)");
        }
        /* c is a backslash */
        j->p = p;
        if (p + 1 >= j->end) rc_jp_fail(j, "unterminated string");
        char e = (char)p[1];
        p += 2;
        switch (e) {
        case '"': luaL_addchar(&b, '"'); break;
        case '\\': luaL_addchar(&b, '\\'); break;
        case '/': luaL_addchar(&b, '/'); break;
        case 'b': luaL_addchar(&b, '\b'); break;
        case 'f': luaL_addchar(&b, '\f'); break;
        case 'n': luaL_addchar(&b, '\n'); break;
        case 'r': luaL_addchar(&b, '\r'); break;
        case 't': luaL_addchar(&b, '\t'); break;
        case 'u': {
            unsigned cp = 0, lo = 0;
            if (rc_jevent_hex4(p, j->end, &cp) < 0)
                rc_jp_fail(j, "bad \\u escape (four hex digits expected)");
            p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) rc_jp_fail(j, "lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (j->end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
                    rc_jevent_hex4(p + 2, j->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                    rc_jp_fail(j, "high surrogate in \\u escape without its low surrogate");
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            char u[4];
            size_t n = rc_jevent_utf8_put(u, cp);
            luaL_addlstring(&b, u, n);
            break;
        }
        default: rc_jp_fail(j, "unknown escape in a string");
        }
        const unsigned char *q = rc_plain_run(j, p);
        luaL_addlstring(&b, (const char *)p, (size_t)(q - p));
        p = q;
    }
    luaL_pushresult(&b);
    j->p = p + 1;
}

/* Pushes a number; returns 1 when its text must be remembered (a float, or
 * a number kept as its text), with the text in j->num_s/num_n. */
static int rc_jp_number(rc_jp *j)
{
    lua_State *L = j->L;
    const unsigned char *s = j->p, *p = s;
    int neg = 0, is_int = 1, sig = 0, started = 0;
    if (*p == '-') neg = 1, p++;
    if (p >= j->end || *p < '0' || *p > '9') {
        j->p = p;
        rc_jp_fail(j, "bad number");
    }
    uint64_t mag = 0;
    int overflow = 0;
    if (*p == '0') {
        p++;
        if (p < j->end && *p >= '0' && *p <= '9') {
            j->p = p;
            rc_jp_fail(j, "leading zero in a number");
        }
    } else {
        for (; p < j->end && *p >= '0' && *p <= '9'; p++) {
            unsigned d = *p - '0';
            if (mag > (UINT64_MAX - d) / 10) overflow = 1;
            if (!overflow) mag = mag * 10 + d;
            started = 1;
            sig++;
        }
    }
    if (p < j->end && *p == '.') {
        is_int = 0;
        p++;
        if (p >= j->end || *p < '0' || *p > '9') {
            j->p = p;
            rc_jp_fail(j, "digits expected after the decimal point");
        }
        for (; p < j->end && *p >= '0' && *p <= '9'; p++) {
            if (*p != '0') started = 1;
            if (started) sig++;
        }
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        is_int = 0;
        p++;
        if (p < j->end && (*p == '+' || *p == '-')) p++;
        if (p >= j->end || *p < '0' || *p > '9') {
            j->p = p;
            rc_jp_fail(j, "digits expected in the exponent");
        }
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    j->p = p;
    size_t n = (size_t)(p - s);
    if (is_int && !overflow &&
        (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX)) {
        lua_pushinteger(L, neg ? (lua_Integer)(0 - mag) : (lua_Integer)mag);
        return 0;
    }
    j->num_s = s;
    j->num_n = n;
    /* The capture side's rule (rc_fevent.c): a double holds 15 significant
     * digits exactly; more, and the text is the value. */
    if (!is_int && sig <= 15) {
        char buf[128];
        double d;
        if (n < sizeof buf) {
            memcpy(buf, s, n);
            buf[n] = 0;
            d = strtod(buf, NULL);
        } else { /* many zeros: rare, take the long way */
            lua_pushlstring(L, (const char *)s, n);
            d = strtod(lua_tostring(L, -1), NULL);
            lua_pop(L, 1);
        }
        if (isfinite(d)) {
            lua_pushnumber(L, (lua_Number)d);
            return 1;
        }
    }
    lua_pushlstring(L, (const char *)s, n);
    return 1;
}

static int rc_jp_value(rc_jp *j, int kind);

static void rc_jp_enter(rc_jp *j)
{
    if (++j->depth > RC_JEVENT_MAX_DEPTH) rc_jp_fail(j, "nested deeper than 100 levels");
    luaL_checkstack(j->L, 12, "JSON nesting");
}

/* Makes slot hold a fresh table if it is nil; returns its index. */
static int rc_jp_slot(lua_State *L, int slot)
{
    if (lua_isnil(L, slot)) {
        lua_newtable(L);
        lua_replace(L, slot);
    }
    return slot;
}

/* Sizes seen last time at each depth: the events of a stream have the same
 * shape, so tables made at the size of the last one like them grow without
 * a rehash per power of two (most of a parse's time otherwise). Per thread,
 * and only a hint: any size works. */
typedef struct rc_jp_hint {
    uint16_t keys, nums, items;
} rc_jp_hint;
static _Thread_local rc_jp_hint rc_jp_hints[RC_JEVENT_MAX_DEPTH + 2];

static uint16_t rc_jp_clamp(lua_Integer n)
{
    return (uint16_t)(n > 1024 ? 1024 : n);
}

/* rc_jp_slot with a table of the given sizes. */
static int rc_jp_slot_sized(lua_State *L, int slot, int narr, int nrec)
{
    if (lua_isnil(L, slot)) {
        lua_createtable(L, narr, nrec);
        lua_replace(L, slot);
    }
    return slot;
}

static void rc_jp_array(rc_jp *j)
{
    lua_State *L = j->L;
    rc_jp_enter(j);
    j->p++;
    rc_jp_hint *h = &rc_jp_hints[j->depth];
    lua_createtable(L, h->items, 0);
    int t = lua_gettop(L);
    lua_pushnil(L); /* t+1: number texts */
    lua_Integer n = 0;
    rc_jp_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
    } else {
        for (;;) {
            n++;
            int rec = rc_jp_value(j, K_OTHER);
            if (lua_isnil(L, -1))
                lua_pop(L, 1); /* null: a hole; ARR keeps the length */
            else
                lua_rawseti(L, t, n);
            if (rec) {
                lua_pushlstring(L, (const char *)j->num_s, j->num_n);
                lua_rawseti(L, rc_jp_slot(L, t + 1), n);
            }
            rc_jp_ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                rc_jp_ws(j);
                continue;
            }
            if (j->p < j->end && *j->p == ']') {
                j->p++;
                break;
            }
            rc_jp_fail(j, j->p < j->end ? "',' or ']' expected in an array" : "unexpected end");
        }
    }
    h->items = rc_jp_clamp(n);
    lua_pushinteger(L, n);
    rc_side_set(L, j->side, SIDE_ARR, t);
    if (!lua_isnil(L, t + 1)) {
        lua_pushvalue(L, t + 1);
        rc_side_set(L, j->side, SIDE_NUM, t);
    }
    lua_settop(L, t);
    j->depth--;
}

static void rc_jp_object(rc_jp *j, int kind)
{
    lua_State *L = j->L;
    rc_jp_enter(j);
    j->p++;
    rc_jp_hint *h = &rc_jp_hints[j->depth];
    lua_createtable(L, 0, h->keys);
    int t = lua_gettop(L);
    lua_pushnil(L); /* t+1: nulls */
    lua_pushnil(L); /* t+2: number texts */
    lua_pushnil(L); /* t+3: key order */
    lua_Integer nkeys = 0, nall = 0, nnums = 0;
    if (kind == K_OTHER) rc_jp_slot_sized(L, t + 3, h->keys, 0);
    rc_jp_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            if (j->p >= j->end || *j->p != '"')
                rc_jp_fail(j, j->p < j->end ? "a string key expected" : "unexpected end");
            const unsigned char *at = j->p;
            rc_jp_string(j);
            int k = lua_gettop(L);
            lua_pushvalue(L, k);
            int dup = lua_rawget(L, t) != LUA_TNIL;
            lua_pop(L, 1);
            if (!dup && !lua_isnil(L, t + 1)) {
                lua_pushvalue(L, k);
                dup = lua_rawget(L, t + 1) != LUA_TNIL;
                lua_pop(L, 1);
            }
            if (dup) {
                j->p = at;
                rc_jp_fail(j, lua_pushfstring(L, "duplicate key \"%s\"", lua_tostring(L, k)));
            }
            rc_jp_ws(j);
            if (j->p >= j->end || *j->p != ':') rc_jp_fail(j, "':' expected after a key");
            j->p++;
            rc_jp_ws(j);
            int child = K_OTHER;
            if (kind == K_TOP) {
                const char *ks = lua_tostring(L, k);
                if (!strcmp(ks, "new") || !strcmp(ks, "old")) child = K_IMAGE;
            }
            int rec = rc_jp_value(j, child);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                lua_pushvalue(L, k);
                lua_pushboolean(L, 1);
                lua_rawset(L, rc_jp_slot(L, t + 1));
            } else {
                lua_pushvalue(L, k);
                lua_insert(L, -2);
                lua_rawset(L, t);
            }
            if (rec) {
                lua_pushvalue(L, k);
                lua_pushlstring(L, (const char *)j->num_s, j->num_n);
                lua_rawset(L, rc_jp_slot_sized(L, t + 2, 0, h->nums));
                nnums++;
            }
            nall++;
            if (kind == K_OTHER) lua_rawseti(L, t + 3, ++nkeys); /* pops the key */
            lua_settop(L, t + 3);
            rc_jp_ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                rc_jp_ws(j);
                continue;
            }
            if (j->p < j->end && *j->p == '}') {
                j->p++;
                break;
            }
            rc_jp_fail(j, j->p < j->end ? "',' or '}' expected in an object" : "unexpected end");
        }
    }
    h->keys = rc_jp_clamp(nall);
    h->nums = rc_jp_clamp(nnums);
    if (!lua_isnil(L, t + 1)) {
        lua_pushvalue(L, t + 1);
        rc_side_set(L, j->side, SIDE_NUL, t);
        lua_rawgeti(L, j->side, SIDE_NULMT);
        lua_setmetatable(L, t);
    }
    if (!lua_isnil(L, t + 2)) {
        lua_pushvalue(L, t + 2);
        rc_side_set(L, j->side, SIDE_NUM, t);
    }
    if (kind == K_OTHER && nkeys) {
        lua_pushvalue(L, t + 3);
        rc_side_set(L, j->side, SIDE_ORD, t);
    }
    lua_settop(L, t);
    j->depth--;
}

static int rc_jp_lit(rc_jp *j, const char *lit, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n)) rc_jp_fail(j, "unexpected character");
    j->p += n;
    return 0;
}

/* Pushes one value (nil for null); returns rc_jp_number's flag. */
static int rc_jp_value(rc_jp *j, int kind)
{
    lua_State *L = j->L;
    if (j->p >= j->end) rc_jp_fail(j, "unexpected end");
    switch (*j->p) {
    case '{': rc_jp_object(j, kind); return 0;
    case '[': rc_jp_array(j); return 0;
    case '"': rc_jp_string(j); return 0;
    case 't': rc_jp_lit(j, "true", 4), lua_pushboolean(L, 1); return 0;
    case 'f': rc_jp_lit(j, "false", 5), lua_pushboolean(L, 0); return 0;
    case 'n': rc_jp_lit(j, "null", 4), lua_pushnil(L); return 0;
    default:
        if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) return rc_jp_number(j);
        return rc_jp_fail(j, "unexpected character");
    }
}

static int rc_jp_main(lua_State *L)
{
    rc_jp *j = lua_touserdata(L, 1);
    lua_settop(L, 0);
    rc_push_side(L);
    j->side = lua_gettop(L);
    rc_jp_ws(j);
    if (j->p >= j->end || *j->p != '{') rc_jp_fail(j, "an event must be a JSON object");
    rc_jp_object(j, K_TOP);
    rc_jp_ws(j);
    if (j->p != j->end) rc_jp_fail(j, "text after the event's closing '}'");
    return 1;
}

int rc_jevent_push(lua_State *L, const char *json, size_t n, rc_err *err)
{
    rc_jp j = {.L = L, .s = (const unsigned char *)json, .p = (const unsigned char *)json};
    j.end = j.s + n;
    if (!lua_checkstack(L, 4)) return rc_err_set(err, RC_E_USAGE, "Lua stack exhausted");
    lua_pushcfunction(L, rc_jp_main);
    lua_pushlightuserdata(L, &j);
    int st = lua_pcall(L, 1, 1, 0);
    if (st == LUA_OK) return 0;
    if (st == LUA_ERRMEM) {
        lua_pop(L, 1);
        return rc_err_set(err, RC_E_USAGE, "the event does not fit in the filter's memory limit");
    }
    const char *m = lua_tostring(L, -1);
    rc_err_set(err, RC_E_CORRUPT, "%s", m ? m : "error");
    lua_pop(L, 1);
    return -1;
}

/* ==== serializing ==== */

enum { W_TOP, W_IMAGE, W_LIST, W_OTHER }; /* W_LIST: a field that is an array when empty */

typedef struct rc_path_elem {
    const char *s; /* NULL: an index */
    size_t n;
    lua_Integer i;
} rc_path_elem;

typedef struct rc_js {
    lua_State *L;
    rc_buf *out;
    int side;
    int columns; /* stack index of the event's `columns` array, or 0 */
    int depth;
    rc_path_elem path[RC_JEVENT_MAX_DEPTH + 2];
} rc_js;

/* Raises "event.a.b[3]: what". */
static int rc_js_fail(rc_js *w, const char *what)
{
    char msg[900];
    size_t len = (size_t)snprintf(msg, sizeof msg, "event");
    for (int d = 0; d < w->depth && len < sizeof msg; d++) {
        const rc_path_elem *e = &w->path[d];
        int ident = e->s && e->n > 0 && !(e->s[0] >= '0' && e->s[0] <= '9');
        for (size_t i = 0; ident && i < e->n; i++) {
            char c = e->s[i];
            ident = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9');
        }
        if (!e->s)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "[%lld]", (long long)e->i);
        else if (ident)
            len += (size_t)snprintf(msg + len, sizeof msg - len, ".%.*s", (int)e->n, e->s);
        else
            len += (size_t)snprintf(msg + len, sizeof msg - len, "[\"%.*s\"]", (int)e->n, e->s);
    }
    lua_pushfstring(w->L, "%s: %s", msg, what);
    return lua_error(w->L);
}

static void rc_js_value(rc_js *w, int v, int kind);

/* Writes the value at v, found under key k of a table whose number texts
 * are the table at nums (0: none): an unchanged number comes out as its
 * input text. */
static void rc_js_member(rc_js *w, int nums, int k, int v, int kind)
{
    lua_State *L = w->L;
    if (nums) {
        lua_pushvalue(L, k);
        if (lua_rawget(L, nums) == LUA_TSTRING) {
            size_t tn;
            const char *text = lua_tolstring(L, -1, &tn);
            int same = 0;
            if (lua_type(L, v) == LUA_TSTRING) {
                size_t vn;
                const char *vs = lua_tolstring(L, v, &vn);
                same = vn == tn && !memcmp(vs, text, tn);
            } else if (lua_type(L, v) == LUA_TNUMBER && !lua_isinteger(L, v)) {
                double was = strtod(text, NULL), now = (double)lua_tonumber(L, v);
                same = !memcmp(&was, &now, sizeof was);
            }
            if (same) {
                rc_buf_put(w->out, text, tn);
                lua_pop(L, 1);
                return;
            }
        }
        lua_pop(L, 1);
    }
    rc_js_value(w, v, kind);
}

static int rc_key_cmp(const void *a, const void *b)
{
    const rc_path_elem *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void rc_js_array(rc_js *w, int t, lua_Integer len, lua_Integer recorded, int nums)
{
    lua_State *L = w->L;
    rc_buf_putc(w->out, '[');
    for (lua_Integer i = 1; i <= len; i++) {
        if (i > 1) rc_buf_putc(w->out, ',');
        w->path[w->depth - 1] = (rc_path_elem){NULL, 0, i};
        lua_pushinteger(L, i);
        int k = lua_gettop(L);
        if (lua_rawgeti(L, t, i) == LUA_TNIL && i > recorded)
            rc_js_fail(w, "an array with a hole (no item here)");
        rc_js_member(w, nums, k, k + 1, W_OTHER);
        lua_settop(L, k - 1);
    }
    rc_buf_putc(w->out, ']');
}

/* Writes key k and its value (or null for an untouched input null; nothing
 * for a key that has neither). Returns 1 if it wrote. */
static int rc_js_key(rc_js *w, int t, int k, int nulls, int nums, int first, int kind, int top)
{
    lua_State *L = w->L;
    lua_pushvalue(L, k);
    int v = lua_gettop(L);
    if (lua_rawget(L, t) == LUA_TNIL) {
        int was_null = 0;
        if (nulls) {
            lua_pushvalue(L, k);
            was_null = lua_rawget(L, nulls) != LUA_TNIL;
            lua_pop(L, 1);
        }
        if (!was_null || (top && rc_optional_field(lua_tostring(L, k)))) {
            lua_pop(L, 1);
            return 0;
        }
    }
    size_t kn;
    const char *ks = lua_tolstring(L, k, &kn);
    if (!first) rc_buf_putc(w->out, ',');
    rc_json_str(w->out, ks, kn);
    rc_buf_putc(w->out, ':');
    w->path[w->depth - 1] = (rc_path_elem){ks, kn, 0};
    rc_js_member(w, nums, k, v, kind);
    lua_pop(L, 1);
    return 1;
}

/* Writes the object at t: first the keys of the array at list (in its
 * order; `set` is a table whose keys are the same names, or 0 to make one),
 * then the other keys sorted. */
static void rc_js_object(rc_js *w, int t, int list, int set, int nulls, int nums, int top)
{
    lua_State *L = w->L;
    int first = 1;
    rc_buf_putc(w->out, '{');
    if (list && !set) {
        lua_newtable(L);
        set = lua_gettop(L);
    }
    if (list) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, list);
        for (lua_Integer i = 1; i <= n; i++) {
            if (lua_rawgeti(L, list, i) != LUA_TSTRING) { /* a script's odd `columns` */
                lua_pop(L, 1);
                continue;
            }
            int k = lua_gettop(L);
            lua_pushvalue(L, k);
            if (lua_rawget(L, set) != LUA_TNIL && !top) { /* named twice */
                lua_settop(L, k - 1);
                continue;
            }
            lua_pop(L, 1);
            if (!top) {
                lua_pushvalue(L, k);
                lua_pushboolean(L, 1);
                lua_rawset(L, set);
            }
            int kind = W_OTHER;
            if (top) {
                const char *ks = lua_tostring(L, k);
                if (!strcmp(ks, "new") || !strcmp(ks, "old"))
                    kind = W_IMAGE;
                else if (!strcmp(ks, "keys") || !strcmp(ks, "columns") || !strcmp(ks, "missing") ||
                         !strcmp(ks, "missing_old"))
                    kind = W_LIST;
            }
            if (rc_js_key(w, t, k, nulls, nums, first, kind, top)) first = 0;
            lua_settop(L, k - 1);
        }
    }
    /* The rest: keys of t and untouched nulls, not in the list. */
    lua_newtable(L);
    int extra = lua_gettop(L);
    lua_Integer nextra = 0;
    for (int pass = 0; pass < 2; pass++) {
        int src = pass ? nulls : t;
        if (!src) continue;
        lua_pushnil(L);
        while (lua_next(L, src)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING) continue; /* checked by the caller */
            if (set) {
                lua_pushvalue(L, -1);
                int listed = lua_rawget(L, set) != LUA_TNIL;
                lua_pop(L, 1);
                if (listed) continue;
            }
            if (pass) { /* a null is extra only if t does not have the key */
                lua_pushvalue(L, -1);
                int present = lua_rawget(L, t) != LUA_TNIL;
                lua_pop(L, 1);
                if (present) continue;
            }
            lua_pushvalue(L, -1);
            lua_rawseti(L, extra, ++nextra);
        }
    }
    if (nextra) {
        rc_path_elem *keys = lua_newuserdatauv(L, (size_t)nextra * sizeof *keys, 0);
        for (lua_Integer i = 1; i <= nextra; i++) {
            lua_rawgeti(L, extra, i); /* anchored in extra */
            keys[i - 1].s = lua_tolstring(L, -1, &keys[i - 1].n);
            lua_pop(L, 1);
        }
        qsort(keys, (size_t)nextra, sizeof *keys, rc_key_cmp);
        for (lua_Integer i = 0; i < nextra; i++) {
            lua_pushlstring(L, keys[i].s, keys[i].n);
            int k = lua_gettop(L);
            if (rc_js_key(w, t, k, nulls, nums, first, W_OTHER, 0)) first = 0;
            lua_settop(L, k - 1);
        }
    }
    lua_settop(L, extra - 1);
    rc_buf_putc(w->out, '}');
}

static void rc_js_table(rc_js *w, int t, int kind)
{
    lua_State *L = w->L;
    if (w->depth >= RC_JEVENT_MAX_DEPTH)
        rc_js_fail(w, "nested deeper than 100 levels (a table that holds itself?)");
    luaL_checkstack(L, 16, "JSON nesting");
    int base = lua_gettop(L);
    lua_Integer recorded = -1;
    if (rc_side_get(L, w->side, SIDE_ARR, t) == LUA_TNUMBER) recorded = lua_tointeger(L, -1);
    lua_pop(L, 1);
    int nums = rc_side_get(L, w->side, SIDE_NUM, t) == LUA_TTABLE ? lua_gettop(L) : 0;
    int nulls = rc_side_get(L, w->side, SIDE_NUL, t) == LUA_TTABLE ? lua_gettop(L) : 0;
    /* What kind of keys does it hold? */
    lua_Integer count = 0, maxi = 0;
    int nstr = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        count++;
        if (lua_type(L, -1) == LUA_TSTRING) {
            nstr++;
        } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0) {
            if (lua_tointeger(L, -1) > maxi) maxi = lua_tointeger(L, -1);
        } else {
            rc_js_fail(w, lua_pushfstring(L, "a table key of type %s cannot be written as JSON",
                                          luaL_typename(L, -1)));
        }
    }
    if (nulls && nstr == 0 && count == 0) {
        lua_pushnil(L); /* untouched nulls make it an object */
        if (lua_next(L, nulls)) nstr = 1, lua_pop(L, 2);
    }
    if (nstr && maxi) rc_js_fail(w, "a table with both array items and named keys");
    w->depth++;
    if (maxi || (count == 0 && !nstr && (recorded >= 0 || kind == W_LIST))) {
        lua_Integer len = maxi > recorded ? maxi : recorded;
        if (len < 0) len = 0;
        rc_js_array(w, t, len, recorded, nums);
    } else if (kind == W_TOP) {
        lua_rawgeti(L, w->side, SIDE_TOP);
        int list = lua_gettop(L);
        lua_rawgeti(L, w->side, SIDE_TOPSET);
        lua_pushliteral(L, "columns");
        w->columns = lua_rawget(L, t) == LUA_TTABLE ? lua_gettop(L) : 0;
        rc_js_object(w, t, list, list + 1, nulls, nums, 1);
    } else if (kind == W_IMAGE) {
        rc_js_object(w, t, w->columns, 0, nulls, nums, 0);
    } else {
        int ord = rc_side_get(L, w->side, SIDE_ORD, t) == LUA_TTABLE ? lua_gettop(L) : 0;
        rc_js_object(w, t, ord, 0, nulls, nums, 0);
    }
    w->depth--;
    lua_settop(L, base);
}

static void rc_js_value(rc_js *w, int v, int kind)
{
    lua_State *L = w->L;
    switch (lua_type(L, v)) {
    case LUA_TNIL: RC_BUF_LIT(w->out, "null"); return;
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, v))
            RC_BUF_LIT(w->out, "true");
        else
            RC_BUF_LIT(w->out, "false");
        return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, v)) {
            rc_json_i64(w->out, (int64_t)lua_tointeger(L, v));
        } else {
            double d = (double)lua_tonumber(L, v);
            if (!isfinite(d)) rc_js_fail(w, "NaN or infinity cannot be written as JSON");
            rc_json_double(w->out, d);
        }
        return;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, v, &n);
        rc_json_str(w->out, s, n);
        return;
    }
    case LUA_TTABLE: rc_js_table(w, lua_absindex(L, v), kind); return;
    default:
        rc_js_fail(w, lua_pushfstring(L, "a %s cannot be written as JSON", luaL_typename(L, v)));
    }
}

static int rc_js_main(lua_State *L)
{
    rc_js *w = lua_touserdata(L, 2);
    rc_push_side(L);
    w->side = lua_gettop(L);
    rc_js_table(w, 1, W_TOP);
    return 0;
}

int rc_jevent_serialize(lua_State *L, int idx, rc_buf *out, rc_err *err)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE)
        return rc_err_set(err, RC_E_USAGE, "the event is a %s, not a table", luaL_typename(L, idx));
    if (!lua_checkstack(L, 4)) return rc_err_set(err, RC_E_USAGE, "Lua stack exhausted");
    size_t start = out->len;
    rc_js *w = rc_xcalloc(1, sizeof *w);
    w->L = L;
    w->out = out;
    lua_pushcfunction(L, rc_js_main);
    lua_pushvalue(L, idx);
    lua_pushlightuserdata(L, w);
    int st = lua_pcall(L, 2, 0, 0);
    free(w);
    if (st == LUA_OK) return 0;
    out->len = start;
    if (st == LUA_ERRMEM) {
        lua_pop(L, 1);
        return rc_err_set(err, RC_E_USAGE, "the event does not fit in the filter's memory limit");
    }
    const char *m = lua_tostring(L, -1);
    rc_err_set(err, RC_E_USAGE, "%s", m ? m : "error");
    lua_pop(L, 1);
    return -1;
}
