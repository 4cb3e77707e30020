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

typedef struct row_ud {
    rc_fevent *fe;
    int after; /* 1: new, 0: old */
} row_ud;

/* Slots of a table's names table (below) besides [name] = column index. */
enum { NAMES_GEN = 0, NAMES_TABLE = -1, NAMES_SCHEMA = -2 };

struct rc_fevent {
    lua_State *L;
    const rc_change *c;
    int ref_event, ref_rows[2];
    int ref_over[2]; /* name -> value written by the script; `false` wrapper for nil */
    int ref_names;   /* light userdata(table) -> names table, see col_names */
    /* The userdata the script sees, to recognise them by address: cheaper
     * than luaL_checkudata's registry lookups, on every field access. */
    void *ev_ud, *row_uds[2];
    /* The table whose names table is the userdata's user value now. */
    const rc_table *names_t;
    uint64_t names_gen;
    /* Fast fields. During a call on a row change the event's metatable is
     * one (ref_mt_fast) whose __index is a plain table per operation ({new,
     * old, operation, table, schema}, ref_fields), so that the fields scripts
     * read most cost a table lookup in the VM instead of a call into C; other
     * fields go on to event_index (ref_lazy), as does every field outside a
     * call (metatable ref_mt). The tables hold the names of fields_t; until
     * they do, an event uses ref_mt. */
    int ref_mt, ref_lazy, ref_fields[3], ref_mt_fast[3];
    const rc_table *fields_t;
    uint64_t fields_gen;
    int mt_now; /* the registry reference of the event's metatable now */
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

/* The metamethods are closures over their rc_fevent (upvalue 1), one set
 * of metatables per filter state. */
static rc_fevent *upvalue_fe(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static void check_live(lua_State *L, const rc_fevent *fe)
{
    if (!fe->c) luaL_error(L, "the event was used after its filter call returned");
}

static rc_fevent *check_event(lua_State *L, int idx)
{
    rc_fevent *fe = upvalue_fe(L);
    if (lua_touserdata(L, idx) != fe->ev_ud) luaL_typeerror(L, idx, "rowcast event");
    check_live(L, fe);
    return fe;
}

static row_ud *check_row(lua_State *L, int idx)
{
    rc_fevent *fe = upvalue_fe(L);
    void *p = lua_touserdata(L, idx);
    if (!p || (p != fe->row_uds[0] && p != fe->row_uds[1])) luaL_typeerror(L, idx, "rowcast row");
    check_live(L, fe);
    return p;
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

/* Pushes t's names table: {[name] = 1-based column index, [NAMES_GEN] =
 * generation, [NAMES_TABLE] = t's name, [NAMES_SCHEMA] = its schema's}, built
 * once per table definition and cached by the table's address. */
static void push_names_table(rc_fevent *fe, lua_State *L, const rc_table *t)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_names);
    if (lua_rawgetp(L, -1, t) == LUA_TTABLE &&
        (lua_rawgeti(L, -1, NAMES_GEN), (uint64_t)lua_tointeger(L, -1) == t->generation)) {
        lua_pop(L, 1);
        lua_remove(L, -2);
        return;
    }
    lua_settop(L, lua_gettop(L) - (lua_type(L, -1) == LUA_TNUMBER ? 2 : 1));
    lua_createtable(L, 0, (int)t->ncols + 3);
    lua_pushinteger(L, (lua_Integer)t->generation);
    lua_rawseti(L, -2, NAMES_GEN);
    lua_pushstring(L, t->name);
    lua_rawseti(L, -2, NAMES_TABLE);
    lua_pushstring(L, t->schema);
    lua_rawseti(L, -2, NAMES_SCHEMA);
    for (uint32_t i = 0; i < t->ncols; i++) {
        lua_pushinteger(L, (lua_Integer)i + 1);
        lua_setfield(L, -2, t->cols[i].name);
    }
    lua_pushvalue(L, -1);
    lua_rawsetp(L, -3, t);
    lua_remove(L, -2);
}

/* Sets `table` and `schema` of the fast fields tables to the names in the
 * names table at idx; from then on row changes of that table use them. */
static void set_fields_names(rc_fevent *fe, lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    for (int op = 0; op < 3; op++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_fields[op]);
        lua_rawgeti(L, idx, NAMES_TABLE);
        lua_setfield(L, -2, "table");
        lua_rawgeti(L, idx, NAMES_SCHEMA);
        lua_setfield(L, -2, "schema");
        lua_pop(L, 1);
    }
    fe->fields_t = fe->names_t;
    fe->fields_gen = fe->names_gen;
}

/* Pushes the names table of the event's table, which the event and row
 * userdata carry as their user value: one lookup per access, and the cache
 * above only when the event's table changed. */
static void push_names(rc_fevent *fe, lua_State *L, const rc_table *t)
{
    if (fe->names_t != t || fe->names_gen != t->generation) {
        push_names_table(fe, L, t);
        int refs[3] = {fe->ref_event, fe->ref_rows[0], fe->ref_rows[1]};
        for (int i = 0; i < 3; i++) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, refs[i]);
            lua_pushvalue(L, -2);
            lua_setiuservalue(L, -2, 1);
            lua_pop(L, 1);
        }
        fe->names_t = t;
        fe->names_gen = t->generation;
        set_fields_names(fe, L, -1);
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_event);
    lua_getiuservalue(L, -1, 1);
    lua_remove(L, -2);
}

/* Index of column `name` (at name_idx) in t, or -1. */
static int col_index(rc_fevent *fe, lua_State *L, const rc_table *t, int name_idx)
{
    name_idx = lua_absindex(L, name_idx);
    push_names_table(fe, L, t);
    lua_pushvalue(L, name_idx);
    lua_rawget(L, -2);
    int isnum;
    lua_Integer i = lua_tointegerx(L, -1, &isnum);
    lua_pop(L, 2);
    return isnum && i >= 1 ? (int)i - 1 : -1;
}

/* ---- the row ---- */

/* Column i of the row's image. A row not decoded yet (rc_change.raw) has
 * just that column decoded: a script that reads two fields pays for two. */
static const rc_value *row_value(lua_State *L, const row_ud *r, uint32_t i)
{
    const rc_value *v;
    rc_err err;
    if (rc_change_value(r->fe->c, r->after, i, &v, &err) < 0) luaL_error(L, "%s", err.msg);
    return v;
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
    /* the row's user value is the names table of t, unless t changed */
    if (fe->names_t == t && fe->names_gen == t->generation)
        lua_getiuservalue(L, 1, 1);
    else
        push_names(fe, L, t);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    int isnum;
    lua_Integer i = lua_tointegerx(L, -1, &isnum);
    /* the value goes on top; what is below it is dropped on return */
    if (!isnum || i < 1)
        lua_pushnil(L);
    else
        push_value(fe, L, row_value(L, r, (uint32_t)(i - 1)));
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
    row_ud *r = lua_touserdata(L, lua_upvalueindex(1)); /* checked by row_pairs */
    check_live(L, r->fe);
    const rc_table *t = r->fe->c->table;
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    for (; i < (lua_Integer)t->ncols; i++) {
        const rc_value *v = row_value(L, r, (uint32_t)i);
        if (v->kind == RC_V_MISSING) continue;
        lua_pushstring(L, t->cols[i].name);
        int key = lua_gettop(L);
        if (push_override(r->fe, L, r->after, key)) {
            if (lua_isnil(L, -1)) { /* dropped */
                lua_pop(L, 2);
                continue;
            }
        } else {
            push_value(r->fe, L, row_value(L, r, (uint32_t)i));
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

static void push_column_list(lua_State *L, const rc_table *t, int keys_only)
{
    lua_newtable(L);
    int n = 0;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (keys_only && !t->cols[i].in_key) continue;
        lua_pushstring(L, t->cols[i].name);
        lua_rawseti(L, -2, ++n);
    }
}

/* The event's fields, told apart by length and bytes: no strcmp chain on
 * every access. */
typedef enum {
    F_OTHER,
    F_SCHEMA,
    F_TABLE,
    F_OPERATION,
    F_QUERY,
    F_NEW,
    F_OLD,
    F_COLUMNS,
    F_KEYS,
    F_PRIMARY,
    F_TIMESTAMP,
    F_POSITION,
    F_GTID,
    F_SERVER_ID,
    F_GROUP
} field;

static field field_of(const char *k, size_t n)
{
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(k, lit, sizeof(lit) - 1))
    switch (n) {
    case 3: return IS("new") ? F_NEW : IS("old") ? F_OLD : F_OTHER;
    case 4: return IS("keys") ? F_KEYS : IS("gtid") ? F_GTID : F_OTHER;
    case 5: return IS("table") ? F_TABLE : IS("query") ? F_QUERY : IS("group") ? F_GROUP : F_OTHER;
    case 6: return IS("schema") ? F_SCHEMA : F_OTHER;
    case 7: return IS("columns") ? F_COLUMNS : IS("primary") ? F_PRIMARY : F_OTHER;
    case 8: return IS("position") ? F_POSITION : F_OTHER;
    case 9:
        return IS("operation")   ? F_OPERATION
               : IS("timestamp") ? F_TIMESTAMP
               : IS("server_id") ? F_SERVER_ID
                                 : F_OTHER;
    default: return F_OTHER;
    }
#undef IS
}

/* Pushes slot `which` (NAMES_TABLE, NAMES_SCHEMA) of t's names table: the
 * name as a Lua string made once per table, not once per access. */
static void push_table_name(rc_fevent *fe, lua_State *L, const rc_table *t, int which)
{
    push_names(fe, L, t);
    lua_rawgeti(L, -1, which);
    lua_remove(L, -2);
}

/* __index of the event outside the fast fields: its argument 1 is the event
 * or one of the fields tables. Reading a field brings the fields tables up to
 * date with the event's table (push_names). */
static int event_index(lua_State *L)
{
    rc_fevent *fe = upvalue_fe(L);
    check_live(L, fe);
    const rc_change *c = fe->c;
    if (c->table && (fe->fields_t != c->table || fe->fields_gen != c->table->generation) &&
        !fe->table_new && !fe->schema_new) {
        push_names(fe, L, c->table);
        if (fe->fields_t != c->table) set_fields_names(fe, L, -1);
        lua_pop(L, 1);
    }
    size_t klen;
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &klen) : NULL;
    static const char *const ops[] = {"insert", "update", "delete", "query"};
    const rc_table *t = c->table;
    switch (k ? field_of(k, klen) : F_OTHER) {
    case F_SCHEMA:
        if (fe->schema_new)
            lua_pushstring(L, fe->schema_new);
        else if (t)
            push_table_name(fe, L, t, NAMES_SCHEMA);
        else
            lua_pushlstring(L, c->schema, c->schema_len);
        break;
    case F_TABLE:
        if (fe->table_new)
            lua_pushstring(L, fe->table_new);
        else if (t)
            push_table_name(fe, L, t, NAMES_TABLE);
        else
            lua_pushnil(L);
        break;
    case F_OPERATION: lua_pushstring(L, ops[c->op]); break;
    case F_QUERY:
        if (c->op == RC_OP_QUERY)
            lua_pushlstring(L, c->query, c->query_len);
        else
            lua_pushnil(L);
        break;
    case F_NEW:
    case F_OLD: {
        int after = k[0] == 'n';
        if (rc_change_has_image(c, after))
            lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_rows[after]);
        else
            lua_pushnil(L);
        break;
    }
    case F_COLUMNS:
    case F_KEYS:
        if (t)
            push_column_list(L, t, k[0] == 'k');
        else
            lua_pushnil(L);
        break;
    case F_PRIMARY:
        if (!t || t->npk == 0)
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
        break;
    case F_TIMESTAMP: {
        /* as in the event: the header's time in UTC */
        char ts[20];
        ts[rc_epoch_text(c->meta->timestamp, ts)] = 0;
        lua_pushstring(L, ts);
        break;
    }
    case F_POSITION:
        lua_pushfstring(L, "%s:%I", c->meta->file, (lua_Integer)c->meta->offset);
        break;
    case F_GTID:
        if (c->meta->gtid)
            lua_pushstring(L, c->meta->gtid);
        else
            lua_pushnil(L);
        break;
    case F_SERVER_ID: lua_pushinteger(L, (lua_Integer)c->meta->server_id); break;
    case F_GROUP:
        if (fe->group)
            lua_pushstring(L, fe->group);
        else if (c->group)
            lua_pushstring(L, c->group);
        else
            lua_pushnil(L);
        break;
    default:
        if (!k) luaL_checkstring(L, 2); /* the error a non-string key always gave */
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
        /* reads of event.table/schema see the new name; the fields tables
         * get the table's own names back before they serve another event */
        if (fe->c->op != RC_OP_QUERY) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_fields[fe->c->op]);
            lua_pushvalue(L, 3);
            lua_setfield(L, -2, k);
            lua_pop(L, 1);
            fe->fields_t = NULL;
        }
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

/* Pushes a new metatable whose methods are closures over fe. */
static void new_metatable(lua_State *L, rc_fevent *fe, const luaL_Reg *methods)
{
    lua_newtable(L);
    lua_pushlightuserdata(L, fe);
    luaL_setfuncs(L, methods, 1);
    /* getmetatable(event) gives this string, not the methods */
    lua_pushliteral(L, "rowcast");
    lua_setfield(L, -2, "__metatable");
}

rc_fevent *rc_fevent_new(lua_State *L)
{
    rc_fevent *fe = rc_xcalloc(1, sizeof *fe);
    fe->L = L;
    fe->derive = rc_derive_new();
    rc_buf_init(&fe->conv);
    rc_buf_init(&fe->strings);
    static const luaL_Reg event_methods[] = {{"__index", event_index},
                                             {"__newindex", event_newindex},
                                             {"__tostring", event_tostring},
                                             {NULL, NULL}};
    static const luaL_Reg row_methods[] = {
        {"__index", row_index}, {"__newindex", row_newindex}, {"__pairs", row_pairs}, {NULL, NULL}};
    fe->ev_ud = lua_newuserdatauv(L, 1, 1);
    new_metatable(L, fe, event_methods);
    lua_getfield(L, -1, "__index");
    fe->ref_lazy = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, -1);
    fe->ref_mt = fe->mt_now = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);
    fe->ref_event = luaL_ref(L, LUA_REGISTRYINDEX);
    new_metatable(L, fe, row_methods);
    for (int i = 0; i < 2; i++) {
        row_ud *r = lua_newuserdatauv(L, sizeof *r, 1);
        r->fe = fe;
        r->after = i;
        fe->row_uds[i] = r;
        lua_pushvalue(L, -2);
        lua_setmetatable(L, -2);
        fe->ref_rows[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_newtable(L);
        fe->ref_over[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_pop(L, 1);
    lua_newtable(L);
    fe->ref_names = luaL_ref(L, LUA_REGISTRYINDEX);
    static const char *const ops[] = {"insert", "update", "delete"};
    lua_createtable(L, 0, 1); /* the fields tables' metatable */
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_lazy);
    lua_setfield(L, -2, "__index");
    for (int op = 0; op < 3; op++) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, ops[op]);
        lua_setfield(L, -2, "operation");
        if (op != RC_OP_DELETE) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_rows[1]);
            lua_setfield(L, -2, "new");
        }
        if (op != RC_OP_INSERT) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_rows[0]);
            lua_setfield(L, -2, "old");
        }
        lua_pushliteral(L, "");
        lua_setfield(L, -2, "table");
        lua_pushliteral(L, "");
        lua_setfield(L, -2, "schema");
        lua_pushvalue(L, -2);
        lua_setmetatable(L, -2);
        new_metatable(L, fe, event_methods);
        lua_pushvalue(L, -2);
        lua_setfield(L, -2, "__index");
        fe->ref_mt_fast[op] = luaL_ref(L, LUA_REGISTRYINDEX);
        fe->ref_fields[op] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_pop(L, 1);
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

/* Gives the event the metatable at registry `ref`. Raises nothing (both
 * exist), so it can run outside a protected call. */
static void set_event_mt(rc_fevent *fe, int ref)
{
    lua_State *L = fe->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, fe->ref_event);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    fe->mt_now = ref;
}

void rc_fevent_begin(rc_fevent *fe, const rc_change *c)
{
    /* the previous event, and the group it was routed to, are done with */
    free(fe->group);
    fe->group = NULL;
    fe->c = c;
    int fast =
        c->op != RC_OP_QUERY && c->table == fe->fields_t && c->table->generation == fe->fields_gen;
    int mt = fast ? fe->ref_mt_fast[c->op] : fe->ref_mt;
    if (mt != fe->mt_now) set_event_mt(fe, mt);
}

int rc_fevent_ref(const rc_fevent *fe)
{
    return fe->ref_event;
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
    /* what the script changed is applied to the values: a row not decoded
     * yet is decoded now */
    if (c->table && c->raw) {
        if (!err) goto reset; /* the script failed: nothing to apply */
        if (rc_change_values(c, &c, err) < 0) {
            rc = -1;
            goto reset;
        }
    }
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
