/* rc_fevent: see rc_fevent.h. Values reach Lua by the types of SPEC.md §2:
 * integers as Lua integers (an unsigned BIGINT above 2^63-1 as its exact
 * text), FLOAT/DOUBLE as Lua floats, DECIMAL as a number when its digits
 * fit a double exactly (15 significant digits) and as its exact text
 * otherwise, text as UTF-8 strings, binary values as their raw bytes, JSON
 * documents as their text, NULL as nil. docs/filters.md has the table. */
#include "filter/rc_fevent.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "core/rc_buf.h"
#include "decode/rc_coltext.h"
#include "encode/rc_charset.h"
#include "encode/rc_json.h"
#include "filter/rc_derive.h"

#define EVENT_MT "rowcast.event"
#define ROW_MT   "rowcast.row"

typedef struct row_ud {
    rc_fevent *fe;
    int after; /* 1: new, 0: old */
} row_ud;

struct rc_fevent {
    lua_State *L;
    const rc_change *c;
    int ref_event, ref_rows[2];
    int ref_over[2]; /* name -> value written by the script; `false` wrapper for nil */
    int ref_names;   /* light userdata(table) -> {[name] = index, [0] = generation} */
    int dirty;
    char *schema_new, *table_new, *group;
    rc_derive *derive;
    uint8_t *drop;
    size_t dropcap;
    rc_buf conv;    /* charset conversion for values pushed to Lua */
    rc_buf strings; /* strings the script wrote, for the changed event */
    rc_change out;
};

/* A unique key standing for "the script set this column to nil (drop)". */
static char DROP_KEY;

static rc_fevent *check_event(lua_State *L, int idx)
{
    rc_fevent **p = luaL_checkudata(L, idx, EVENT_MT);
    if (!(*p)->c) luaL_error(L, "the event was used after its filter call returned");
    return *p;
}

static row_ud *check_row(lua_State *L, int idx)
{
    row_ud *r = luaL_checkudata(L, idx, ROW_MT);
    if (!r->fe->c) luaL_error(L, "the event was used after its filter call returned");
    return r;
}

/* ---- values ---- */

static int significant_digits(const char *s, size_t n)
{
    int d = 0, started = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch < '0' || ch > '9') continue;
        if (ch != '0') started = 1;
        if (started) d++;
    }
    return d;
}

static void push_text(rc_fevent *fe, lua_State *L, const rc_value *v)
{
    const char *cs =
        v->cs == RC_CS_ASCII || v->cs == RC_CS_UNKNOWN ? NULL : rc_collation_charset(v->cs);
    if (!cs || !strncmp(cs, "utf8", 4) || !strcmp(cs, "ascii") || !strcmp(cs, "binary")) {
        lua_pushlstring(L, v->v.s, v->len);
        return;
    }
    const rc_charset *c = rc_charset_get(cs);
    if (!c) {
        lua_pushlstring(L, v->v.s, v->len);
        return;
    }
    fe->conv.len = 0;
    rc_charset_to_utf8(c, &fe->conv, v->v.s, v->len);
    lua_pushlstring(L, fe->conv.data ? fe->conv.data : "", fe->conv.len);
}

static void push_value(rc_fevent *fe, lua_State *L, const rc_value *v)
{
    char num[32];
    switch (v->kind) {
    case RC_V_INT: lua_pushinteger(L, (lua_Integer)v->v.i); return;
    case RC_V_UINT:
        if (v->v.u <= (uint64_t)INT64_MAX)
            lua_pushinteger(L, (lua_Integer)v->v.u);
        else
            lua_pushlstring(L, num, rc_fmt_u64(num, v->v.u));
        return;
    case RC_V_FLOAT: lua_pushnumber(L, (lua_Number)v->v.f); return;
    case RC_V_DOUBLE: lua_pushnumber(L, (lua_Number)v->v.d); return;
    case RC_V_NUMBER:
        if (significant_digits(v->v.s, v->len) <= 15 && v->len < sizeof num) {
            memcpy(num, v->v.s, v->len);
            num[v->len] = 0;
            if (!memchr(num, '.', v->len))
                lua_pushinteger(L, (lua_Integer)strtoll(num, NULL, 10));
            else
                lua_pushnumber(L, strtod(num, NULL));
        } else {
            lua_pushlstring(L, v->v.s, v->len); /* more digits than a double holds */
        }
        return;
    case RC_V_TEXT: push_text(fe, L, v); return;
    case RC_V_BYTES:
    case RC_V_JSON: lua_pushlstring(L, v->v.s, v->len); return;
    default: lua_pushnil(L); return;
    }
}

/* ---- column names ---- */

/* Index of column `name` in t, or -1: a per-table Lua table of names, built
 * once per table definition. */
static int col_index(rc_fevent *fe, lua_State *L, const rc_table *t, int name_idx)
{
    name_idx = lua_absindex(L, name_idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_names);
    if (lua_rawgetp(L, -1, t) != LUA_TTABLE ||
        (lua_rawgeti(L, -1, 0), (uint64_t)lua_tointeger(L, -1) != t->generation)) {
        if (lua_type(L, -1) == LUA_TNUMBER)
            lua_pop(L, 2);
        else
            lua_pop(L, 1);
        lua_createtable(L, 0, (int)t->ncols + 1);
        lua_pushinteger(L, (lua_Integer)t->generation);
        lua_rawseti(L, -2, 0);
        for (uint32_t i = 0; i < t->ncols; i++) {
            lua_pushinteger(L, (lua_Integer)i + 1);
            lua_setfield(L, -2, t->cols[i].name);
        }
        lua_pushvalue(L, -1);
        lua_rawsetp(L, -3, t);
    } else {
        lua_pop(L, 1);
    }
    lua_pushvalue(L, name_idx);
    lua_rawget(L, -2);
    int idx = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) - 1 : -1;
    lua_pop(L, 3);
    return idx;
}

/* ---- the row ---- */

static const rc_value *row_values(const row_ud *r)
{
    return r->after ? r->fe->c->after : r->fe->c->before;
}

/* Pushes the script's own value for column key if it wrote one; returns 1
 * if it did (nil pushed for a dropped column), 0 otherwise (nothing pushed). */
static int push_override(rc_fevent *fe, lua_State *L, int after, int key)
{
    if (!fe->dirty) return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_over[after]);
    lua_pushvalue(L, key);
    if (lua_rawget(L, -2) == LUA_TNIL) {
        lua_pop(L, 2);
        return 0;
    }
    if (lua_touserdata(L, -1) == &DROP_KEY) {
        lua_pop(L, 2);
        lua_pushnil(L);
        return 1;
    }
    lua_remove(L, -2);
    return 1;
}

static int row_index(lua_State *L)
{
    row_ud *r = check_row(L, 1);
    rc_fevent *fe = r->fe;
    if (lua_type(L, 2) != LUA_TSTRING) return lua_pushnil(L), 1;
    if (push_override(fe, L, r->after, 2)) return 1;
    const rc_table *t = fe->c->table;
    int i = col_index(fe, L, t, 2);
    if (i < 0) return lua_pushnil(L), 1;
    push_value(fe, L, &row_values(r)[i]);
    return 1;
}

static int row_newindex(lua_State *L)
{
    row_ud *r = check_row(L, 1);
    rc_fevent *fe = r->fe;
    const char *name = luaL_checkstring(L, 2);
    if (col_index(fe, L, fe->c->table, 2) < 0)
        return luaL_error(L, "table %s.%s has no column '%s'", fe->c->table->schema,
                          fe->c->table->name, name);
    int t = lua_type(L, 3);
    if (t != LUA_TNIL && t != LUA_TSTRING && t != LUA_TNUMBER && t != LUA_TBOOLEAN)
        return luaL_error(L, "column '%s' can be set to a string, number, boolean or nil, not %s",
                          name, lua_typename(L, t));
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_over[r->after]);
    lua_pushvalue(L, 2);
    if (t == LUA_TNIL)
        lua_pushlightuserdata(L, &DROP_KEY);
    else
        lua_pushvalue(L, 3);
    lua_rawset(L, -3);
    fe->dirty = 1;
    return 0;
}

static int row_next(lua_State *L)
{
    row_ud *r = check_row(L, lua_upvalueindex(1));
    const rc_table *t = r->fe->c->table;
    const rc_value *vals = row_values(r);
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    for (; i < (lua_Integer)t->ncols; i++) {
        if (vals[i].kind == RC_V_MISSING) continue;
        lua_pushstring(L, t->cols[i].name);
        int key = lua_gettop(L);
        if (push_override(r->fe, L, r->after, key)) {
            if (lua_isnil(L, -1)) { /* dropped */
                lua_pop(L, 2);
                continue;
            }
        } else {
            push_value(r->fe, L, &vals[i]);
        }
        lua_pushinteger(L, i + 1);
        lua_replace(L, lua_upvalueindex(2));
        return 2;
    }
    return 0;
}

static int row_pairs(lua_State *L)
{
    check_row(L, 1);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, row_next, 2);
    return 1;
}

/* ---- the event ---- */

static void push_names(lua_State *L, const rc_table *t, int keys_only)
{
    lua_newtable(L);
    int n = 0;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (keys_only && !t->cols[i].in_key) continue;
        lua_pushstring(L, t->cols[i].name);
        lua_rawseti(L, -2, ++n);
    }
}

static int event_index(lua_State *L)
{
    rc_fevent *fe = check_event(L, 1);
    const rc_change *c = fe->c;
    const char *k = luaL_checkstring(L, 2);
    static const char *const ops[] = {"insert", "update", "delete", "query"};
    const rc_table *t = c->table;
    if (!strcmp(k, "schema")) {
        if (fe->schema_new)
            lua_pushstring(L, fe->schema_new);
        else if (t)
            lua_pushstring(L, t->schema);
        else
            lua_pushlstring(L, c->schema, c->schema_len);
    } else if (!strcmp(k, "table")) {
        if (fe->table_new)
            lua_pushstring(L, fe->table_new);
        else if (t)
            lua_pushstring(L, t->name);
        else
            lua_pushnil(L);
    } else if (!strcmp(k, "operation")) {
        lua_pushstring(L, ops[c->op]);
    } else if (!strcmp(k, "query")) {
        if (c->op == RC_OP_QUERY)
            lua_pushlstring(L, c->query, c->query_len);
        else
            lua_pushnil(L);
    } else if (!strcmp(k, "new") || !strcmp(k, "old")) {
        int after = k[0] == 'n';
        if (after ? c->after : c->before)
            lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_rows[after]);
        else
            lua_pushnil(L);
    } else if (!strcmp(k, "columns") && t) {
        push_names(L, t, 0);
    } else if (!strcmp(k, "keys") && t) {
        push_names(L, t, 1);
    } else if (!strcmp(k, "primary") && t) {
        if (t->npk == 0)
            lua_pushnil(L);
        else if (t->npk == 1)
            lua_pushstring(L, t->cols[t->pk[0]].name);
        else {
            lua_createtable(L, (int)t->npk, 0);
            for (uint32_t i = 0; i < t->npk; i++) {
                lua_pushstring(L, t->cols[t->pk[i]].name);
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            }
        }
    } else if (!strcmp(k, "timestamp")) {
        /* as in the event: the header's time in UTC */
        char ts[20];
        ts[rc_epoch_text(c->meta->timestamp, ts)] = 0;
        lua_pushstring(L, ts);
    } else if (!strcmp(k, "position")) {
        lua_pushfstring(L, "%s:%I", c->meta->file, (lua_Integer)c->meta->offset);
    } else if (!strcmp(k, "gtid")) {
        if (c->meta->gtid)
            lua_pushstring(L, c->meta->gtid);
        else
            lua_pushnil(L);
    } else if (!strcmp(k, "server_id")) {
        lua_pushinteger(L, (lua_Integer)c->meta->server_id);
    } else if (!strcmp(k, "group")) {
        if (fe->group)
            lua_pushstring(L, fe->group);
        else if (c->group)
            lua_pushstring(L, c->group);
        else
            lua_pushnil(L);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

static void set_str(char **slot, lua_State *L, int idx)
{
    free(*slot);
    *slot = NULL;
    if (lua_isnil(L, idx)) return;
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    *slot = rc_xstrndup(s, n);
}

static int event_newindex(lua_State *L)
{
    rc_fevent *fe = check_event(L, 1);
    const char *k = luaL_checkstring(L, 2);
    int t = lua_type(L, 3);
    if (!strcmp(k, "group")) {
        if (t != LUA_TSTRING && t != LUA_TNIL) return luaL_error(L, "event.group must be a string");
        set_str(&fe->group, L, 3);
    } else if (!strcmp(k, "table") || !strcmp(k, "schema")) {
        if (t != LUA_TSTRING) return luaL_error(L, "event.%s must be a string", k);
        if (!fe->c->table && k[0] == 't')
            return luaL_error(L, "a statement (operation query) has no table to rename");
        set_str(k[0] == 't' ? &fe->table_new : &fe->schema_new, L, 3);
    } else {
        return luaL_error(L,
                          "event.%s cannot be set: a filter may set event.table, event.schema, "
                          "event.group and columns of event.new and event.old",
                          k);
    }
    fe->dirty = 1;
    return 0;
}

static int event_tostring(lua_State *L)
{
    rc_fevent *fe = check_event(L, 1);
    const rc_change *c = fe->c;
    if (c->table)
        lua_pushfstring(L, "rowcast event %s.%s", c->table->schema, c->table->name);
    else
        lua_pushstring(L, "rowcast event (query)");
    return 1;
}

rc_fevent *rc_fevent_new(lua_State *L)
{
    rc_fevent *fe = rc_xcalloc(1, sizeof *fe);
    fe->L = L;
    fe->derive = rc_derive_new();
    rc_buf_init(&fe->conv);
    rc_buf_init(&fe->strings);
    if (luaL_newmetatable(L, EVENT_MT)) {
        lua_pushcfunction(L, event_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, event_newindex);
        lua_setfield(L, -2, "__newindex");
        lua_pushcfunction(L, event_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, ROW_MT)) {
        lua_pushcfunction(L, row_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, row_newindex);
        lua_setfield(L, -2, "__newindex");
        lua_pushcfunction(L, row_pairs);
        lua_setfield(L, -2, "__pairs");
    }
    lua_pop(L, 1);
    rc_fevent **ev = lua_newuserdatauv(L, sizeof *ev, 0);
    *ev = fe;
    luaL_setmetatable(L, EVENT_MT);
    fe->ref_event = luaL_ref(L, LUA_REGISTRYINDEX);
    for (int i = 0; i < 2; i++) {
        row_ud *r = lua_newuserdatauv(L, sizeof *r, 0);
        r->fe = fe;
        r->after = i;
        luaL_setmetatable(L, ROW_MT);
        fe->ref_rows[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_newtable(L);
        fe->ref_over[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_newtable(L);
    fe->ref_names = luaL_ref(L, LUA_REGISTRYINDEX);
    return fe;
}

void rc_fevent_free(rc_fevent *fe)
{
    if (!fe) return;
    free(fe->schema_new);
    free(fe->table_new);
    free(fe->group);
    free(fe->drop);
    rc_derive_free(fe->derive);
    rc_buf_free(&fe->conv);
    rc_buf_free(&fe->strings);
    free(fe);
}

void rc_fevent_begin(rc_fevent *fe, const rc_change *c)
{
    /* the previous event, and the group it was routed to, are done with */
    free(fe->group);
    fe->group = NULL;
    fe->c = c;
}

int rc_fevent_push(lua_State *L, void *arg)
{
    rc_fevent *fe = arg;
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_event);
    return 0;
}

/* The script's value for a column as an rc_value of that column. Strings
 * are copied into fe->strings, reserved beforehand so pointers stay put. */
static void lua_to_value(rc_fevent *fe, lua_State *L, int idx, const rc_column *col, rc_value *v)
{
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        v->kind = RC_V_JSON;
        v->v.s = lua_toboolean(L, idx) ? "true" : "false";
        v->len = (uint32_t)strlen(v->v.s);
        return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            v->kind = RC_V_INT;
            v->v.i = (int64_t)lua_tointeger(L, idx);
        } else {
            v->kind = RC_V_DOUBLE;
            v->v.d = (double)lua_tonumber(L, idx);
        }
        return;
    default: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        char *dst = fe->strings.data + fe->strings.len;
        memcpy(dst, s, n);
        fe->strings.len += n;
        v->v.s = dst;
        v->len = (uint32_t)n;
        if (col->collation == RC_COLLATION_BINARY) {
            v->kind = RC_V_BYTES;
        } else {
            v->kind = RC_V_TEXT;
            v->cs = 45; /* utf8mb4_general_ci: what Lua strings hold */
        }
        return;
    }
    }
}

int rc_fevent_end(rc_fevent *fe, rc_change *out, rc_err *err)
{
    lua_State *L = fe->L;
    const rc_change *c = fe->c;
    int rc = 0;
    if (!fe->dirty) goto done;
    *out = *c;
    if (fe->group) out->group = fe->group;
    if (!c->table) { /* a statement: only its schema and group can change */
        if (fe->schema_new) {
            out->schema = fe->schema_new;
            out->schema_len = strlen(fe->schema_new);
        }
        rc = 1;
        goto reset;
    }
    const rc_table *t = c->table;
    if (fe->dropcap < t->ncols) {
        fe->dropcap = t->ncols;
        fe->drop = rc_xrealloc(fe->drop, fe->dropcap);
    }
    memset(fe->drop, 0, t->ncols);
    int any_drop = 0;
    size_t strbytes = 0;
    for (int img = 0; img < 2; img++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_over[img]);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_touserdata(L, -1) == &DROP_KEY) {
                int i = col_index(fe, L, t, -2);
                if (i >= 0) fe->drop[i] = 1, any_drop = 1;
            } else if (lua_type(L, -1) == LUA_TSTRING) {
                strbytes += lua_rawlen(L, -1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    rc_shape shape = {any_drop ? fe->drop : NULL, fe->schema_new, fe->table_new};
    rc_derived *dt = rc_derive_table(fe->derive, t, &shape);
    rc_derive_change(dt, c, out);
    out->group = fe->group ? fe->group : c->group;
    fe->strings.len = 0;
    rc_buf_reserve(&fe->strings, strbytes + 1);
    for (int img = 0; img < 2; img++) {
        rc_value *vals = img ? dt->after : dt->before;
        if (!(img ? c->after : c->before)) continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_over[img]);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_touserdata(L, -1) != &DROP_KEY) {
                int i = col_index(fe, L, &dt->t, -2);
                if (i >= 0) lua_to_value(fe, L, -1, &dt->t.cols[i], &vals[i]);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    rc = 1;
reset:
    for (int img = 0; img < 2; img++) {
        lua_newtable(L);
        lua_rawseti(L, LUA_REGISTRYINDEX, fe->ref_over[img]);
    }
    fe->dirty = 0;
    free(fe->schema_new);
    free(fe->table_new);
    fe->schema_new = fe->table_new = NULL;
    /* fe->group stays set until the next event begins: out points at it */
done:
    fe->c = NULL;
    (void)err;
    return rc;
}
