/* rc_apply: JSON events in, SQL on a target server out (see rc_apply.h).
 *
 * Per event: parse the text as received (position, commit flag), skip it
 * when the target already holds it, run the receive then the apply scripts
 * (each in its own Lua state, the event passing between them as JSON text,
 * like `rowcast filter`), parse what they kept into a private Lua state and
 * turn it into one statement. The Lua table is the applier's view of the
 * event because rc_jevent is the one JSON parser the project trusts with
 * events (exact numbers, UTF-8 checks); nothing here runs user code in that
 * state. */
#include "apply/rc_apply.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <mysql.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"
#include "filter/rc_jevent.h"
#include "filter/rc_lua.h"
#include "mysql/rc_conn.h"
#include "sink/rc_sink.h"

/* A source position: binlog file, offset, and the row's index among the
 * events that share the offset (one rows event carries many rows). */
typedef struct rc_apos {
    char file[256];
    uint64_t off;
    uint64_t row;
    int set;
} rc_apos;

/* How a column's JSON value becomes SQL (SPEC.md §2 read backwards). */
enum { RC_COL_PLAIN, RC_COL_BINARY, RC_COL_GEOMETRY };

/* The target's view of one table: which columns need a non-plain literal.
 * Looked up once, forgotten after any statement event (DDL may change it). */
typedef struct rc_tinfo {
    char *schema, *table;
    int n;
    char **names;
    unsigned char *kinds;
    struct rc_tinfo *next;
} rc_tinfo;

struct rc_apply {
    rc_conn *conn;
    MYSQL *my;
    char *name;
    rc_conflict on_conflict;
    rc_lua **scripts; /* receive ones, then apply ones */
    int nscripts;
    lua_State *L; /* the applier's own parse of the event */
    rc_buf a, b, sql, lit, where;
    rc_apos cur;  /* last event taken (committed or in the open transaction) */
    rc_apos prev; /* last event seen, for counting rows per position */
    int prev_commit;
    int in_txn;
    rc_tinfo *tables;
    rc_apply_stats st;
};

int rc_conflict_parse(const char *s, rc_conflict *out)
{
    if (!strcmp(s, "stop"))
        *out = RC_CONFLICT_STOP;
    else if (!strcmp(s, "overwrite"))
        *out = RC_CONFLICT_OVERWRITE;
    else if (!strcmp(s, "skip"))
        *out = RC_CONFLICT_SKIP;
    else
        return -1;
    return 0;
}

const rc_apply_stats *rc_apply_stats_of(const rc_apply *a)
{
    return &a->st;
}

/* ---- positions ----------------------------------------------------------- */

/* "FILE:OFFSET" (and "FILE:OFFSET:ROW" as stored) into p; 0, or -1 when the
 * text is no position (p->set stays 0). */
static int rc_apos_parse(const char *s, int with_row, rc_apos *p)
{
    memset(p, 0, sizeof *p);
    const char *c1 = strchr(s, ':');
    if (!c1 || c1 == s || (size_t)(c1 - s) >= sizeof p->file) return -1;
    char *end;
    p->off = strtoull(c1 + 1, &end, 10);
    if (end == c1 + 1) return -1;
    if (with_row && *end == ':') {
        const char *r = end + 1;
        p->row = strtoull(r, &end, 10);
        if (end == r) return -1;
    }
    if (*end) return -1;
    memcpy(p->file, s, (size_t)(c1 - s));
    p->file[c1 - s] = 0;
    p->set = 1;
    return 0;
}

/* Binlog files sort by their numeric extension (mysql-bin.000010 after
 * mysql-bin.000009 whatever the width); then offset, then row. */
static int rc_apos_cmp(const rc_apos *x, const rc_apos *y)
{
    const char *dx = strrchr(x->file, '.'), *dy = strrchr(y->file, '.');
    size_t bx = dx ? (size_t)(dx - x->file) : strlen(x->file);
    size_t by = dy ? (size_t)(dy - y->file) : strlen(y->file);
    if (bx == by && !strncmp(x->file, y->file, bx) && dx && dy) {
        unsigned long long nx = strtoull(dx + 1, NULL, 10), ny = strtoull(dy + 1, NULL, 10);
        if (nx != ny) return nx < ny ? -1 : 1;
    } else {
        int c = strcmp(x->file, y->file);
        if (c) return c < 0 ? -1 : 1;
    }
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    return 0;
}

/* ---- SQL text ------------------------------------------------------------ */

static void rc_sql_ident(rc_buf *b, const char *s)
{
    rc_buf_putc(b, '`');
    for (; *s; s++) {
        if (*s == '`') rc_buf_putc(b, '`');
        rc_buf_putc(b, *s);
    }
    rc_buf_putc(b, '`');
}

static void rc_sql_string(rc_apply *a, rc_buf *b, const char *s, size_t n)
{
    rc_buf_reserve(b, 2 * n + 3);
    b->data[b->len++] = '\'';
    b->len += mysql_real_escape_string(a->my, b->data + b->len, s, (unsigned long)n);
    b->data[b->len++] = '\'';
}

static int rc_b64_val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Standard padded base64 (SPEC.md §2, binary columns) as X'..'; -1 (nothing
 * written) when s is not base64, so the caller writes it as text. */
static int rc_sql_base64(rc_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (n % 4) return -1;
    size_t start = b->len;
    RC_BUF_LIT(b, "X'");
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            v[k] = pad ? -1 : rc_b64_val((unsigned char)s[i + k]);
            if (v[k] < 0) {
                b->len = start;
                return -1;
            }
        }
        unsigned w =
            (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        for (int k = 0; k < 3 - pad; k++) {
            unsigned byte = (w >> (16 - 8 * k)) & 0xff;
            rc_buf_putc(b, hex[byte >> 4]);
            rc_buf_putc(b, hex[byte & 15]);
        }
    }
    rc_buf_putc(b, '\'');
    return 0;
}

/* The Lua value at idx (a column value from the event) as an SQL literal. */
static int rc_sql_value(rc_apply *a, rc_buf *b, int idx, int kind, rc_err *err)
{
    lua_State *L = a->L;
    switch (lua_type(L, idx)) {
    case LUA_TNIL: RC_BUF_LIT(b, "NULL"); return 0;
    case LUA_TBOOLEAN: rc_buf_puts(b, lua_toboolean(L, idx) ? "1" : "0"); return 0;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            rc_buf_printf(b, "%lld", (long long)lua_tointeger(L, idx));
        } else {
            /* The shortest text that reads back to the same double: rc_jevent
             * made a float only of texts with at most 15 digits. */
            double d = lua_tonumber(L, idx);
            char t[40];
            snprintf(t, sizeof t, "%.15g", d);
            if (strtod(t, NULL) != d) snprintf(t, sizeof t, "%.17g", d);
            rc_buf_puts(b, t);
        }
        return 0;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        if (kind == RC_COL_BINARY && rc_sql_base64(b, s, n) == 0) return 0;
        if (kind == RC_COL_GEOMETRY) {
            RC_BUF_LIT(b, "ST_GeomFromText(");
            rc_sql_string(a, b, s, n);
            rc_buf_putc(b, ')');
            return 0;
        }
        rc_sql_string(a, b, s, n);
        return 0;
    }
    case LUA_TTABLE: {
        /* A JSON document (MySQL's JSON type): its text. */
        rc_buf doc;
        rc_buf_init(&doc);
        int rc = rc_jevent_serialize(L, idx, &doc, err);
        if (rc == 0) rc_sql_string(a, b, doc.data ? doc.data : "", doc.len);
        rc_buf_free(&doc);
        return rc;
    }
    default:
        return rc_err_set(err, RC_E_USAGE, "a %s cannot be written to a column",
                          luaL_typename(L, idx));
    }
}

/* ---- the target ---------------------------------------------------------- */

/* Runs sql; -1 with err "server error N: msg" (code RC_E_LOST when the
 * connection is gone). *errno_out gets the server's error number. */
static int rc_target_exec(rc_apply *a, const char *sql, size_t n, unsigned *errno_out, rc_err *err)
{
    if (errno_out) *errno_out = 0;
    if (mysql_real_query(a->my, sql, (unsigned long)n) == 0) {
        MYSQL_RES *r = mysql_store_result(a->my);
        if (r) mysql_free_result(r);
        return 0;
    }
    unsigned e = mysql_errno(a->my);
    if (errno_out) *errno_out = e;
    int lost = e == 2006 || e == 2013 || e == 2055;
    return rc_err_set(err, lost ? RC_E_LOST : RC_E_SERVER, "%s: server error %u: %s",
                      rc_conn_where(a->conn), e, mysql_error(a->my));
}

static int rc_target_execs(rc_apply *a, const char *sql, rc_err *err)
{
    return rc_target_exec(a, sql, strlen(sql), NULL, err);
}

static void rc_tinfo_free_all(rc_apply *a)
{
    while (a->tables) {
        rc_tinfo *t = a->tables;
        a->tables = t->next;
        for (int i = 0; i < t->n; i++)
            free(t->names[i]);
        free(t->names);
        free(t->kinds);
        free(t->schema);
        free(t->table);
        free(t);
    }
}

/* The column kinds of schema.table on the target, looked up once (an empty
 * list for a table the target does not have: the statement then fails with
 * the server's own message). */
static rc_tinfo *rc_tinfo_lookup(rc_apply *a, const char *schema, const char *table, rc_err *err)
{
    for (rc_tinfo *t = a->tables; t; t = t->next)
        if (!strcmp(t->schema, schema) && !strcmp(t->table, table)) return t;
    rc_buf q;
    rc_buf_init(&q);
    RC_BUF_LIT(&q, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE "
                   "TABLE_SCHEMA = ");
    rc_sql_string(a, &q, schema, strlen(schema));
    RC_BUF_LIT(&q, " AND TABLE_NAME = ");
    rc_sql_string(a, &q, table, strlen(table));
    int bad = mysql_real_query(a->my, q.data, (unsigned long)q.len);
    rc_buf_free(&q);
    MYSQL_RES *r = bad ? NULL : mysql_store_result(a->my);
    if (!r) {
        rc_err_set(err, RC_E_SERVER, "%s: cannot read the columns of %s.%s: %s",
                   rc_conn_where(a->conn), schema, table, mysql_error(a->my));
        return NULL;
    }
    rc_tinfo *t = rc_xcalloc(1, sizeof *t);
    t->schema = rc_xstrndup(schema, strlen(schema));
    t->table = rc_xstrndup(table, strlen(table));
    unsigned long long rows = mysql_num_rows(r);
    t->names = rc_xcalloc(rows ? rows : 1, sizeof *t->names);
    t->kinds = rc_xcalloc(rows ? rows : 1, 1);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        const char *ty = row[1] ? row[1] : "";
        int k = RC_COL_PLAIN;
        if (strstr(ty, "binary") || strstr(ty, "blob"))
            k = RC_COL_BINARY;
        else if (!strcmp(ty, "geometry") || !strcmp(ty, "point") || strstr(ty, "linestring") ||
                 strstr(ty, "polygon") || !strcmp(ty, "multipoint") ||
                 !strcmp(ty, "geometrycollection"))
            k = RC_COL_GEOMETRY;
        t->names[t->n] = rc_xstrndup(row[0] ? row[0] : "", strlen(row[0] ? row[0] : ""));
        t->kinds[t->n++] = (unsigned char)k;
    }
    mysql_free_result(r);
    t->next = a->tables;
    a->tables = t;
    return t;
}

static int rc_tinfo_kind(const rc_tinfo *t, const char *col)
{
    for (int i = 0; i < t->n; i++)
        if (!strcasecmp(t->names[i], col)) return t->kinds[i];
    return RC_COL_PLAIN;
}

/* ---- opening ------------------------------------------------------------- */

static int rc_apply_load_position(rc_apply *a, rc_err *err)
{
    if (rc_target_execs(a, "CREATE DATABASE IF NOT EXISTS rowcast", err) < 0 ||
        rc_target_execs(a,
                        "CREATE TABLE IF NOT EXISTS rowcast.apply_position ("
                        "name VARCHAR(64) NOT NULL PRIMARY KEY, position VARCHAR(600), "
                        "gtid TEXT, updated_at TIMESTAMP(6) NULL) ENGINE=InnoDB",
                        err) < 0)
        return -1;
    rc_buf q;
    rc_buf_init(&q);
    RC_BUF_LIT(&q, "SELECT position FROM rowcast.apply_position WHERE name = ");
    rc_sql_string(a, &q, a->name, strlen(a->name));
    int bad = mysql_real_query(a->my, q.data, (unsigned long)q.len);
    rc_buf_free(&q);
    MYSQL_RES *r = bad ? NULL : mysql_store_result(a->my);
    if (!r)
        return rc_err_set(err, RC_E_SERVER, "%s: cannot read rowcast.apply_position: %s",
                          rc_conn_where(a->conn), mysql_error(a->my));
    MYSQL_ROW row = mysql_fetch_row(r);
    int rc = 0;
    if (row && row[0] && rc_apos_parse(row[0], 1, &a->cur) < 0)
        rc = rc_err_set(err, RC_E_CORRUPT,
                        "%s: rowcast.apply_position holds '%s' for '%s': not FILE:OFFSET:ROW",
                        rc_conn_where(a->conn), row[0], a->name);
    mysql_free_result(r);
    if (!rc && a->cur.set)
        rc_info("apply %s: resuming after %s:%" PRIu64 ":%" PRIu64, a->name, a->cur.file,
                a->cur.off, a->cur.row);
    return rc;
}

rc_apply *rc_apply_open(const rc_url *target, const rc_apply_opts *o, rc_err *err)
{
    rc_apply *a = rc_xcalloc(1, sizeof *a);
    const char *name = o->name ? o->name : "default";
    a->name = rc_xstrndup(name, strlen(name));
    a->on_conflict = o->on_conflict;
    rc_buf_init(&a->a);
    rc_buf_init(&a->b);
    rc_buf_init(&a->sql);
    rc_buf_init(&a->lit);
    rc_buf_init(&a->where);
    if (strlen(a->name) > 64) {
        rc_err_set(err, RC_E_USAGE, "apply: the name '%s' is longer than 64 characters", a->name);
        goto fail;
    }
    a->scripts = rc_xcalloc((size_t)(o->nreceive + o->napply) + 1, sizeof *a->scripts);
    for (int i = 0; i < o->nreceive + o->napply; i++) {
        int rcv = i < o->nreceive;
        const char *path = rcv ? o->receive[i] : o->apply[i - o->nreceive];
        a->scripts[i] = rc_lua_open(path, rcv ? "receive" : "apply", NULL, err);
        if (!a->scripts[i]) goto fail;
        a->nscripts++;
    }
    a->L = luaL_newstate();
    if (!a->L) {
        rc_err_set(err, RC_E_INTERNAL, "out of memory (Lua state)");
        goto fail;
    }
    if (rc_conn_open(&a->conn, target, err) < 0) goto fail;
    a->my = rc_conn_mysql(a->conn);
    if (rc_apply_load_position(a, err) < 0) goto fail;
    if (rc_target_execs(a, "SET autocommit = 1", err) < 0) goto fail;
    return a;
fail:
    rc_apply_close(a);
    return NULL;
}

void rc_apply_close(rc_apply *a)
{
    if (!a) return;
    if (a->in_txn && a->my) {
        rc_err ignored;
        rc_target_execs(a, "ROLLBACK", &ignored);
    }
    rc_conn_close(a->conn);
    for (int i = 0; i < a->nscripts; i++)
        rc_lua_close(a->scripts[i]);
    free(a->scripts);
    if (a->L) lua_close(a->L);
    rc_tinfo_free_all(a);
    rc_buf_free(&a->a);
    rc_buf_free(&a->b);
    rc_buf_free(&a->sql);
    rc_buf_free(&a->lit);
    rc_buf_free(&a->where);
    free(a->name);
    free(a);
}

/* ---- scripts ------------------------------------------------------------- */

static char rc_apply_slot;

static int rc_apply_push(lua_State *L, void *arg)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, arg);
    return 0;
}

/* Runs every script on text. 1 with the kept event in *out (one of a->a,
 * a->b) or the input itself when there are no scripts, 0 when a script
 * discarded it, -1 on error. */
static int rc_apply_scripts(rc_apply *a, const char *text, size_t len, const char **out,
                            size_t *outlen, rc_err *err)
{
    rc_buf *cur = NULL;
    for (int i = 0; i < a->nscripts; i++) {
        lua_State *L = rc_lua_state(a->scripts[i]);
        int base = lua_gettop(L);
        if (rc_jevent_push(L, text, len, err) < 0) return -1;
        lua_rawsetp(L, LUA_REGISTRYINDEX, &rc_apply_slot);
        int discard = 0;
        int rc = rc_lua_call(a->scripts[i], rc_apply_push, &rc_apply_slot, &discard, err);
        if (rc == 0 && !discard) {
            cur = cur == &a->a ? &a->b : &a->a;
            cur->len = 0;
            lua_rawgetp(L, LUA_REGISTRYINDEX, &rc_apply_slot);
            if (rc_jevent_serialize(L, -1, cur, err) < 0) {
                char msg[sizeof err->msg];
                memcpy(msg, err->msg, sizeof msg);
                rc = rc_err_set(err, RC_E_USAGE, "%s: cannot write the event: %s",
                                rc_lua_path(a->scripts[i]), msg);
            }
        }
        lua_pushnil(L);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &rc_apply_slot);
        lua_settop(L, base);
        if (rc < 0) return -1;
        if (discard) return 0;
        text = cur->data;
        len = cur->len;
    }
    *out = text;
    *outlen = len;
    return 1;
}

/* ---- rows ---------------------------------------------------------------- */

/* The string field k of the table at idx, or NULL (valid while the table is
 * on the stack). */
static const char *rc_field_str(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1); /* the string stays alive: the table holds it */
    return s;
}

/* Is name listed in the array field k of the event at ev (`missing`)? */
static int rc_listed(lua_State *L, int ev, const char *k, const char *name)
{
    int found = 0;
    if (lua_getfield(L, ev, k) == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n && !found; i++) {
            lua_rawgeti(L, -1, i);
            const char *s = lua_tostring(L, -1);
            found = s && !strcmp(s, name);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return found;
}

/* Appends "`c1` <=> v1 AND ..." for the key columns of image (the table at
 * img) to b and "[v1,v2]"-style text for messages to desc. */
static int rc_sql_where(rc_apply *a, const rc_tinfo *t, int ev, int img, rc_buf *b, rc_buf *desc,
                        rc_err *err)
{
    lua_State *L = a->L;
    int keyed = 1, first = 1;
    lua_getfield(L, ev, "primary");
    int pk = lua_gettop(L);
    if (lua_type(L, pk) != LUA_TSTRING && lua_type(L, pk) != LUA_TTABLE) {
        /* No primary key: every column of the image identifies the row. */
        lua_pop(L, 1);
        lua_getfield(L, ev, "columns");
        pk = lua_gettop(L);
        keyed = 0;
    }
    int n = lua_type(L, pk) == LUA_TSTRING  ? 1
            : lua_type(L, pk) == LUA_TTABLE ? (int)lua_rawlen(L, pk)
                                            : 0;
    rc_buf_putc(desc, '[');
    for (int i = 1; i <= n; i++) {
        if (lua_type(L, pk) == LUA_TSTRING)
            lua_pushvalue(L, pk);
        else
            lua_rawgeti(L, pk, i);
        const char *col = lua_tostring(L, -1);
        if (!col || (!keyed &&
                     (rc_listed(L, ev, "missing", col) || rc_listed(L, ev, "missing_old", col)))) {
            lua_pop(L, 1);
            continue;
        }
        if (!first) RC_BUF_LIT(b, " AND ");
        if (!first) rc_buf_putc(desc, ',');
        first = 0;
        rc_sql_ident(b, col);
        RC_BUF_LIT(b, " <=> ");
        lua_getfield(L, img, col);
        int rc = rc_sql_value(a, b, -1, rc_tinfo_kind(t, col), err);
        if (rc == 0 && keyed) rc_sql_value(a, desc, -1, rc_tinfo_kind(t, col), err);
        lua_pop(L, 2);
        if (rc < 0) {
            lua_pop(L, 1);
            return -1;
        }
    }
    if (!keyed) rc_buf_puts(desc, "no primary key");
    rc_buf_putc(desc, ']');
    lua_pop(L, 1);
    if (first) RC_BUF_LIT(b, "1 = 1");
    if (!keyed) RC_BUF_LIT(b, " LIMIT 1");
    return 0;
}

/* "(`a`,`b`) VALUES (1,'x')" for the image at img, or "`a` = 1, `b` = 'x'"
 * (set = 1), or " ON DUPLICATE KEY UPDATE ..." style (set = 2). */
static int rc_sql_image(rc_apply *a, const rc_tinfo *t, int ev, int img, int set, rc_buf *b,
                        rc_err *err)
{
    lua_State *L = a->L;
    lua_getfield(L, ev, "columns");
    int cols = lua_gettop(L);
    int n = lua_type(L, cols) == LUA_TTABLE ? (int)lua_rawlen(L, cols) : 0;
    int first = 1;
    if (!set) {
        rc_buf_putc(b, '(');
        for (int i = 1; i <= n; i++) {
            lua_rawgeti(L, cols, i);
            const char *col = lua_tostring(L, -1);
            if (col && !rc_listed(L, ev, "missing", col)) {
                if (!first) rc_buf_putc(b, ',');
                first = 0;
                rc_sql_ident(b, col);
            }
            lua_pop(L, 1);
        }
        RC_BUF_LIT(b, ") VALUES (");
        first = 1;
    }
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, cols, i);
        const char *col = lua_tostring(L, -1);
        if (col && !rc_listed(L, ev, "missing", col)) {
            if (!first) rc_buf_putc(b, ',');
            first = 0;
            if (set) {
                rc_sql_ident(b, col);
                RC_BUF_LIT(b, " = ");
            }
            if (set == 2) {
                RC_BUF_LIT(b, "VALUES(");
                rc_sql_ident(b, col);
                rc_buf_putc(b, ')');
            } else {
                lua_getfield(L, img, col);
                int rc = rc_sql_value(a, b, -1, rc_tinfo_kind(t, col), err);
                lua_pop(L, 1);
                if (rc < 0) {
                    lua_pop(L, 2);
                    return -1;
                }
            }
        }
        lua_pop(L, 1);
    }
    if (!set) rc_buf_putc(b, ')');
    lua_pop(L, 1);
    return 0;
}

/* INSERT of the image at img; overwrite turns a duplicate into an update. */
static int rc_sql_insert(rc_apply *a, const rc_tinfo *t, int ev, int img, int overwrite, rc_buf *b,
                         rc_err *err)
{
    RC_BUF_LIT(b, "INSERT INTO ");
    rc_sql_ident(b, t->schema);
    rc_buf_putc(b, '.');
    rc_sql_ident(b, t->table);
    rc_buf_putc(b, ' ');
    if (rc_sql_image(a, t, ev, img, 0, b, err) < 0) return -1;
    if (overwrite) {
        RC_BUF_LIT(b, " ON DUPLICATE KEY UPDATE ");
        if (rc_sql_image(a, t, ev, img, 2, b, err) < 0) return -1;
    }
    return 0;
}

/* Rows the last UPDATE found ("Rows matched: N" of mysql_info): affected
 * rows count only the rows it changed, and an update to the same values is
 * no conflict. */
static unsigned long long rc_rows_matched(MYSQL *my)
{
    const char *info = mysql_info(my);
    const char *m = info ? strstr(info, "matched:") : NULL;
    return m ? strtoull(m + 8, NULL, 10) : mysql_affected_rows(my);
}

static int rc_conflict_hit(rc_apply *a, const char *what, const char *schema, const char *table,
                           const rc_buf *desc, const char *pos, rc_err *err)
{
    a->st.conflicts++;
    if (a->on_conflict == RC_CONFLICT_STOP)
        return rc_err_set(err, RC_E_SCHEMA, "apply: %s.%s row %.*s at %s: %s (--on-conflict stop)",
                          schema, table, (int)desc->len, desc->data, pos ? pos : "?", what);
    rc_warn("apply: %s.%s row %.*s at %s: %s (--on-conflict %s)", schema, table, (int)desc->len,
            desc->data, pos ? pos : "?", what,
            a->on_conflict == RC_CONFLICT_SKIP ? "skip: left as it is" : "overwrite");
    return 0;
}

/* One row event (the table at ev) on the target. */
static int rc_apply_row(rc_apply *a, int ev, const char *op, const char *pos, rc_err *err)
{
    lua_State *L = a->L;
    const char *schema = rc_field_str(L, ev, "schema"), *table = rc_field_str(L, ev, "table");
    if (!schema || !table)
        return rc_err_set(err, RC_E_CORRUPT, "apply: event at %s has no schema or table",
                          pos ? pos : "?");
    rc_tinfo *t = rc_tinfo_lookup(a, schema, table, err);
    if (!t) return -1;
    int ins = !strcmp(op, "insert"), upd = !strcmp(op, "update"), del = !strcmp(op, "delete");
    if (!ins && !upd && !del) {
        rc_warn("apply: event at %s: unknown operation '%s', left out", pos ? pos : "?", op);
        return 0;
    }
    lua_getfield(L, ev, "new");
    int newi = lua_gettop(L);
    lua_getfield(L, ev, "old");
    int oldi = lua_gettop(L);
    if ((!del && !lua_istable(L, newi)) || (!ins && !lua_istable(L, oldi))) {
        lua_settop(L, newi - 1);
        return rc_err_set(err, RC_E_CORRUPT, "apply: %s event at %s lacks its row image", op,
                          pos ? pos : "?");
    }
    rc_buf *b = &a->sql, *desc = &a->lit;
    b->len = desc->len = a->where.len = 0;
    int rc = 0;
    unsigned eno = 0;
    int overwrite = a->on_conflict == RC_CONFLICT_OVERWRITE;
    if (ins) {
        rc = rc_sql_insert(a, t, ev, newi, overwrite, b, err);
        rc_buf desc_where;
        rc_buf_init(&desc_where);
        if (rc == 0) rc = rc_sql_where(a, t, ev, newi, &desc_where, desc, err);
        rc_buf_free(&desc_where);
        if (rc == 0 && rc_target_exec(a, b->data, b->len, &eno, err) < 0) {
            if (eno == 1062) /* ER_DUP_ENTRY */
                rc = rc_conflict_hit(a, "already there (duplicate key)", schema, table, desc, pos,
                                     err);
            else
                rc = -1;
        }
    } else {
        if (upd) {
            RC_BUF_LIT(b, "UPDATE ");
        } else {
            RC_BUF_LIT(b, "DELETE FROM ");
        }
        rc_sql_ident(b, schema);
        rc_buf_putc(b, '.');
        rc_sql_ident(b, table);
        if (upd) {
            RC_BUF_LIT(b, " SET ");
            rc = rc_sql_image(a, t, ev, newi, 1, b, err);
        }
        RC_BUF_LIT(b, " WHERE ");
        if (rc == 0) rc = rc_sql_where(a, t, ev, oldi, b, desc, err);
        if (rc == 0) rc = rc_target_exec(a, b->data, b->len, &eno, err);
        if (rc < 0 && upd && eno == 1062)
            rc = rc_conflict_hit(a, "the new key is already there (duplicate key)", schema, table,
                                 desc, pos, err);
        else if (rc == 0 && (upd ? rc_rows_matched(a->my) : mysql_affected_rows(a->my)) == 0) {
            rc = rc_conflict_hit(a, "not there", schema, table, desc, pos, err);
            if (rc == 0 && upd && overwrite) {
                /* The target should hold the new image: insert it. */
                b->len = 0;
                rc = rc_sql_insert(a, t, ev, newi, 1, b, err);
                if (rc == 0) rc = rc_target_exec(a, b->data, b->len, NULL, err);
            }
        }
    }
    lua_settop(L, newi - 1);
    if (rc == 0) a->st.applied++;
    if (rc < 0 && err->code != RC_E_SCHEMA) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        rc_err_set(err, err->code, "apply: %s.%s %s at %s: %s", schema, table, op, pos ? pos : "?",
                   msg);
    }
    return rc;
}

/* A statement event: in its default database, as it is. */
static int rc_apply_query(rc_apply *a, int ev, const char *pos, rc_err *err)
{
    lua_State *L = a->L;
    const char *schema = rc_field_str(L, ev, "schema");
    lua_getfield(L, ev, "query");
    size_t qn = 0;
    const char *q = lua_tolstring(L, -1, &qn);
    int rc = 0;
    if (!q) {
        rc_warn("apply: statement event at %s has no query, left out", pos ? pos : "?");
    } else {
        a->sql.len = 0;
        if (schema && *schema) {
            RC_BUF_LIT(&a->sql, "USE ");
            rc_sql_ident(&a->sql, schema);
            unsigned eno = 0;
            rc = rc_target_exec(a, a->sql.data, a->sql.len, &eno, err);
            /* The server names the new database as the default of its own
             * CREATE DATABASE: not there yet, and not needed. */
            if (rc < 0 && eno == 1049) rc = 0; /* ER_BAD_DB_ERROR */
        }
        if (rc == 0) rc = rc_target_exec(a, q, qn, NULL, err);
        if (rc < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            rc_err_set(err, err->code, "apply: statement at %s (%.200s): %s", pos ? pos : "?", q,
                       msg);
        } else {
            a->st.applied++;
        }
        /* DDL may have changed any table's columns. */
        rc_tinfo_free_all(a);
    }
    lua_pop(L, 1);
    return rc;
}

/* ---- transactions -------------------------------------------------------- */

static int rc_apply_begin(rc_apply *a, rc_err *err)
{
    if (a->in_txn) return 0;
    if (rc_target_execs(a, "START TRANSACTION", err) < 0) return -1;
    a->in_txn = 1;
    return 0;
}

/* Stores the position of the last event taken and commits. */
static int rc_apply_commit(rc_apply *a, const char *gtid, rc_err *err)
{
    if (a->cur.set) {
        if (rc_apply_begin(a, err) < 0) return -1;
        rc_buf *b = &a->sql;
        b->len = 0;
        RC_BUF_LIT(b, "INSERT INTO rowcast.apply_position (name, position, gtid, updated_at) "
                      "VALUES (");
        rc_sql_string(a, b, a->name, strlen(a->name));
        char p[320];
        snprintf(p, sizeof p, "%s:%" PRIu64 ":%" PRIu64, a->cur.file, a->cur.off, a->cur.row);
        rc_buf_putc(b, ',');
        rc_sql_string(a, b, p, strlen(p));
        rc_buf_putc(b, ',');
        if (gtid)
            rc_sql_string(a, b, gtid, strlen(gtid));
        else
            RC_BUF_LIT(b, "NULL");
        RC_BUF_LIT(b, ", NOW(6)) ON DUPLICATE KEY UPDATE position = VALUES(position), "
                      "gtid = VALUES(gtid), updated_at = VALUES(updated_at)");
        if (rc_target_exec(a, b->data, b->len, NULL, err) < 0) return -1;
    }
    if (!a->in_txn) return 0;
    if (rc_target_execs(a, "COMMIT", err) < 0) return -1;
    a->in_txn = 0;
    a->st.transactions++;
    return 0;
}

int rc_apply_event(void *apply, const char *data, size_t len, rc_err *err)
{
    rc_apply *a = apply;
    lua_State *L = a->L;
    a->st.received++;
    lua_settop(L, 0);
    if (rc_jevent_push(L, data, len, err) < 0) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return rc_err_set(err, RC_E_CORRUPT, "apply: received a bad JSON event: %s", msg);
    }
    /* Position and transaction end come from the event as the source wrote
     * it: a script that drops the last event of a transaction must not keep
     * the transaction open. */
    char posbuf[320] = "";
    const char *ps = rc_field_str(L, 1, "position");
    if (ps) snprintf(posbuf, sizeof posbuf, "%s", ps);
    lua_getfield(L, 1, "commit");
    int commit = lua_toboolean(L, -1);
    lua_pop(L, 1);
    char gtid[256] = "";
    const char *gs = rc_field_str(L, 1, "gtid");
    if (gs) snprintf(gtid, sizeof gtid, "%s", gs);
    lua_settop(L, 0);

    rc_apos pos;
    if (posbuf[0] && rc_apos_parse(posbuf, 0, &pos) == 0) {
        /* Rows of one rows event share a position: number them, restarting
         * after a commit, so a repeated transaction numbers the same. */
        if (a->prev.set && !a->prev_commit && !strcmp(a->prev.file, pos.file) &&
            a->prev.off == pos.off)
            pos.row = a->prev.row + 1;
        a->prev = pos;
        a->prev_commit = commit;
        if (a->cur.set && rc_apos_cmp(&pos, &a->cur) <= 0) {
            /* Already on the target (a re-delivery after a crash). */
            a->st.duplicates++;
            return a->in_txn ? RC_SINK_HOLD : RC_SINK_DONE;
        }
    } else {
        pos.set = 0;
        a->prev.set = 0;
    }

    const char *text;
    size_t tlen;
    int keep = rc_apply_scripts(a, data, len, &text, &tlen, err);
    if (keep < 0) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return rc_err_set(err, err->code, "%s (event at %s)", msg, posbuf[0] ? posbuf : "?");
    }
    if (keep) {
        if (rc_jevent_push(L, text, tlen, err) < 0) return -1;
        const char *op = rc_field_str(L, 1, "operation");
        int rc;
        if (!op) {
            rc_warn("apply: event at %s has no operation, left out", posbuf[0] ? posbuf : "?");
            rc = 0;
        } else if (!strcmp(op, "query")) {
            rc = rc_apply_begin(a, err);
            if (rc == 0) rc = rc_apply_query(a, 1, posbuf[0] ? posbuf : NULL, err);
        } else {
            rc = rc_apply_begin(a, err);
            if (rc == 0) rc = rc_apply_row(a, 1, op, posbuf[0] ? posbuf : NULL, err);
        }
        lua_settop(L, 0);
        if (rc < 0) return -1;
    } else {
        a->st.discarded++;
    }
    if (pos.set) a->cur = pos;
    if (commit) {
        if (rc_apply_commit(a, gtid[0] ? gtid : NULL, err) < 0) return -1;
        return RC_SINK_DONE;
    }
    return a->in_txn ? RC_SINK_HOLD : RC_SINK_DONE;
}
