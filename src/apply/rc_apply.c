/* rc_apply: JSON events in, SQL on a target server out (see rc_apply.h).
 *
 * Two halves, as a MySQL replica's IO and SQL threads:
 *   receive: parse the text as received (position, commit flag), skip it
 *     when it is already held, run the receive scripts; with --relay-log the
 *     result is a relay log record (rc_relay), written by the thread that
 *     reads the transport;
 *   take: run the apply scripts, turn what they keep into statements of the
 *     source transaction's rc_txn, and at its last event hand it to the
 *     target (rc_target: one connection, in this thread) or to the workers
 *     (rc_workers, --workers N); with --relay-log this runs in a second
 *     thread that reads the relay log.
 * Each script point runs in its own Lua states, the event passing between
 * them as JSON text, like `rowcast filter`; the applier's own view of an
 * event is a Lua table in a private state because rc_jevent is the one JSON
 * parser the project trusts with events (exact numbers, UTF-8 checks);
 * nothing runs user code in that state. */
#include "apply/rc_apply.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>
#include <lua.h>
#include <mysql.h>

#include "apply/rc_jfast.h"
#include "apply/rc_relay.h"
#include "apply/rc_target.h"
#include "apply/rc_workers.h"
#include "core/rc_buf.h"
#include "core/rc_log.h"
#include "encode/rc_json.h"
#include "filter/rc_jevent.h"
#include "filter/rc_lua.h"
#include "mysql/rc_conn.h"

/* A transaction whose statements outgrow this is not kept for a replay
 * after a lost connection: it is streamed to the target as it comes. */
#define RC_TXN_KEEP_BYTES (16u << 20)
/* Group commit without workers: at most this many source transactions, or
 * this many bytes of statements, share a target transaction. */
#define RC_GROUP_TXNS  64
#define RC_WGROUP_TXNS 16 /* per worker: the groups spread over the workers */
/* With workers and no relay log: at most this many events wait for their
 * acknowledgement before the applier waits for the workers (below
 * JetStream's default limit of 1000 unacknowledged messages per consumer,
 * beyond which it stops delivering). */
#define RC_ACK_EVERY   768
#define RC_GROUP_BYTES (1u << 20)
/* The relay log is made durable at least this often (bytes) within a
 * stream of events that never pauses. */
#define RC_RELAY_SYNC_BYTES (4u << 20)

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

/* One filter point's scripts and its two ping-pong buffers. */
typedef struct rc_point {
    rc_lua **scripts;
    int n;
    rc_buf a, b;
} rc_point;

/* What the receive half hands the take half (directly, or through the
 * relay log). */
typedef struct rc_took {
    char pos[320]; /* "FILE:OFFSET:ROW", or "" */
    char gtid[256];
    int commit, discarded;
    int parsed;  /* the event is the table at index 1 of the take half's state */
    int fparsed; /* the event is what a->jf holds (rc_jfast) */
    const char *body;
    size_t bodylen;
} rc_took;

struct rc_apply {
    char *name;
    const rc_url *url;
    volatile int *stop;
    rc_target t; /* the coordinator's connection: lookups, escaping, single-threaded apply */
    rc_workers *workers;
    /* receive half */
    rc_point recv;
    lua_State *RL;
    rc_apos rprev; /* last event seen, for counting rows per position */
    int rprev_commit;
    rc_apos rfloor; /* with a relay log: the last event in it */
    uint64_t rdup;
    rc_relay *relay;
    int relay_open_txn; /* the last record appended is not a commit */
    int relay_sync_at_commit;
    /* take half */
    rc_point apply;
    lua_State *L;
    rc_buf lit, where, key, doc;
    rc_jfast jf;    /* the take half's C reading of an event (no apply scripts) */
    rc_jfast rjf;   /* the receive half's (no receive scripts); with a relay log */
    rc_jfast *rj;   /* &jf without a relay log (one thread, one parse), else &rjf */
    int crosscheck; /* ROWCAST_APPLY_CROSSCHECK: every event built both ways, compared */
    uint64_t crosschecked, fast_other; /* events compared; read the Lua way only */
    rc_apos cur;                       /* last event taken (committed or in the open transaction) */
    rc_txn own;                        /* the transaction being built without workers */
    rc_txn *x;        /* the transaction being built: &own or a worker slot; NULL between */
    int streamed;     /* x outgrew RC_TXN_KEEP_BYTES: its statements already ran on t */
    int grouped;      /* complete source transactions waiting in own (group commit) */
    size_t group_n;   /* statements of own that belong to them */
    int flush_wanted; /* flush the group at the end of the transaction being built */
    rc_tinfo *tables;
    /* relay: the take half's thread */
    pthread_t th;
    int th_started, th_failed;
    rc_err th_err;
    int wpending;     /* transactions handed to the workers, maybe not yet committed */
    uint64_t unacked; /* events received since the transport was last told DONE */
    uint64_t took_dup, took_discarded, took_txns; /* the take half's counts (its thread) */
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

const rc_apply_stats *rc_apply_stats_of(rc_apply *a)
{
    rc_target_stats w;
    rc_workers_stats(a->workers, &w);
    a->st.applied = a->t.st.applied + w.applied;
    a->st.conflicts = a->t.st.conflicts + w.conflicts;
    a->st.transactions = a->took_txns;
    a->st.reconnects = a->t.st.reconnects + w.reconnects;
    a->st.duplicates = a->rdup + a->took_dup;
    a->st.discarded = a->took_discarded;
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

/* "FILE:OFFSET:ROW"; once per event, so without printf. Fits: the file
 * name is under 256 bytes, each number at most 20 digits. */
static void rc_apos_text(const rc_apos *p, char *out, size_t outsz)
{
    _Static_assert(sizeof p->file + 2 * 21 + 1 <= sizeof((rc_took *)0)->pos, "pos too small");
    size_t n = strlen(p->file);
    if (outsz < n + 2 * 21 + 1) {
        snprintf(out, outsz, "%s:%" PRIu64 ":%" PRIu64, p->file, p->off, p->row);
        return;
    }
    memcpy(out, p->file, n);
    out[n++] = ':';
    n += rc_fmt_u64(out + n, p->off);
    out[n++] = ':';
    n += rc_fmt_u64(out + n, p->row);
    out[n] = 0;
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
    b->len += mysql_real_escape_string(a->t.my, b->data + b->len, s, (unsigned long)n);
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

/* A string value as the literal its column's kind wants. */
static void rc_sql_text(rc_apply *a, rc_buf *b, const char *s, size_t n, int kind)
{
    if (kind == RC_COL_BINARY && rc_sql_base64(b, s, n) == 0) return;
    if (kind == RC_COL_GEOMETRY) {
        RC_BUF_LIT(b, "ST_GeomFromText(");
        rc_sql_string(a, b, s, n);
        rc_buf_putc(b, ')');
        return;
    }
    rc_sql_string(a, b, s, n);
}

/* A value of the C reading (rc_jfast) as the literal rc_sql_value writes
 * for the same value in Lua, without printf for integers and plain
 * decimals. */
static void rc_fsql_value(rc_apply *a, rc_buf *b, const rc_jval *v, int kind)
{
    switch (v ? v->type : RC_JV_NULL) {
    case RC_JV_TRUE: rc_buf_putc(b, '1'); return;
    case RC_JV_FALSE: rc_buf_putc(b, '0'); return;
    case RC_JV_INT:
        /* The text is the integer's %lld, but for -0. */
        if (v->n == 2 && v->s[0] == '-' && v->s[1] == '0')
            rc_buf_putc(b, '0');
        else
            rc_buf_put(b, v->s, v->n);
        return;
    case RC_JV_FLOAT: rc_jfast_float_sql(v->s, v->n, b); return;
    case RC_JV_STR: rc_sql_text(a, b, v->s, v->n, kind); return;
    case RC_JV_ARRAY: {
        a->doc.len = 0;
        rc_jfast_array_json(v, &a->doc);
        rc_sql_string(a, b, a->doc.data ? a->doc.data : "", a->doc.len);
        return;
    }
    default: RC_BUF_LIT(b, "NULL"); return;
    }
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
        rc_sql_text(a, b, s, n, kind);
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
    MYSQL_RES *r = NULL;
    while (!r) {
        MYSQL *my = a->t.my;
        if (mysql_real_query(my, q.data, (unsigned long)q.len) == 0) r = mysql_store_result(my);
        if (r) break;
        unsigned e = mysql_errno(my);
        int lost = e == 2006 || e == 2013 || e == 2055 || e == 1053 || e == 1927;
        rc_err_set(err, lost ? RC_E_LOST : RC_E_SERVER, "%s: cannot read the columns of %s.%s: %s",
                   rc_conn_where(a->t.conn), schema, table, mysql_error(my));
        /* The coordinator's connection holds no open transaction here. */
        if (!lost || rc_target_reconnect(&a->t, err) < 0) {
            rc_buf_free(&q);
            return NULL;
        }
    }
    rc_buf_free(&q);
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

static char rc_apply_slot;

static int rc_apply_push(lua_State *L, void *arg)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, arg);
    return 0;
}

/* Runs every script of a point on text. 1 with the kept event in *out (one
 * of pt->a, pt->b) or the input itself when there are no scripts, 0 when a script
 * discarded it, -1 on error. */
static int rc_apply_scripts(rc_point *pt, const char *text, size_t len, const char **out,
                            size_t *outlen, rc_err *err)
{
    rc_buf *cur = NULL;
    for (int i = 0; i < pt->n; i++) {
        lua_State *L = rc_lua_state(pt->scripts[i]);
        int base = lua_gettop(L);
        if (rc_jevent_push(L, text, len, err) < 0) return -1;
        lua_rawsetp(L, LUA_REGISTRYINDEX, &rc_apply_slot);
        int discard = 0;
        int rc = rc_lua_call(pt->scripts[i], rc_apply_push, &rc_apply_slot, &discard, err);
        if (rc == 0 && !discard) {
            cur = cur == &pt->a ? &pt->b : &pt->a;
            cur->len = 0;
            lua_rawgetp(L, LUA_REGISTRYINDEX, &rc_apply_slot);
            if (rc_jevent_serialize(L, -1, cur, err) < 0) {
                char msg[sizeof err->msg];
                memcpy(msg, err->msg, sizeof msg);
                rc = rc_err_set(err, RC_E_USAGE, "%s: cannot write the event: %s",
                                rc_lua_path(pt->scripts[i]), msg);
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

/* A key column's "`col` <=> " after the ones before it (its value follows,
 * in b and, keyed, in desc). */
static void rc_sql_where_col(rc_buf *b, rc_buf *desc, const char *col, int *first)
{
    if (!*first) RC_BUF_LIT(b, " AND ");
    if (!*first) rc_buf_putc(desc, ',');
    *first = 0;
    rc_sql_ident(b, col);
    RC_BUF_LIT(b, " <=> ");
}

/* The end of a WHERE and of its description; first: no column was written. */
static void rc_sql_where_end(rc_buf *b, rc_buf *desc, int keyed, int first)
{
    if (!keyed) rc_buf_puts(desc, "no primary key");
    rc_buf_putc(desc, ']');
    if (first) RC_BUF_LIT(b, "1 = 1");
    if (!keyed) RC_BUF_LIT(b, " LIMIT 1");
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
        rc_sql_where_col(b, desc, col, &first);
        lua_getfield(L, img, col);
        int rc = rc_sql_value(a, b, -1, rc_tinfo_kind(t, col), err);
        if (rc == 0 && keyed) rc_sql_value(a, desc, -1, rc_tinfo_kind(t, col), err);
        lua_pop(L, 2);
        if (rc < 0) {
            lua_pop(L, 1);
            return -1;
        }
    }
    lua_pop(L, 1);
    rc_sql_where_end(b, desc, keyed, first);
    return 0;
}

/* Before a column of an image (rc_sql_image's set): the separator, and
 * "`col` = " or, for set 2, all of "`col` = VALUES(`col`)". 1 when the
 * column's value is to follow. */
static int rc_sql_image_col(rc_buf *b, const char *col, int set, int *first)
{
    if (!*first) rc_buf_putc(b, ',');
    *first = 0;
    if (set) {
        rc_sql_ident(b, col);
        RC_BUF_LIT(b, " = ");
    }
    if (set == 2) {
        RC_BUF_LIT(b, "VALUES(");
        rc_sql_ident(b, col);
        rc_buf_putc(b, ')');
        return 0;
    }
    return 1;
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
            if (rc_sql_image_col(b, col, set, &first)) {
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

/* ---- statements from events ---------------------------------------------- */

/* FNV-1a over a table name and a key's literal text: rc_workers' unit of
 * conflict. */
static uint64_t rc_key_hash(const char *tab, size_t tn, const char *k, size_t kn)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < tn; i++)
        h = (h ^ (unsigned char)tab[i]) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (size_t i = 0; i < kn; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
    return h;
}

static void rc_txn_key(rc_txn *x, uint64_t h)
{
    if (x->nkeys == x->kcap) {
        x->kcap = x->kcap ? 2 * x->kcap : 16;
        x->keys = rc_xrealloc(x->keys, x->kcap * sizeof *x->keys);
    }
    x->keys[x->nkeys++] = h;
}

/* The keys a row image writes, for rc_workers: the primary key as a whole
 * (desc, "[401]" or "[no primary key]": the whole table), and each column
 * of a unique key on its own (the event lists their columns, not which go
 * together: over-cautious, never wrong). */
static int rc_keys_of(rc_apply *a, const rc_tinfo *t, int ev, int img, const rc_buf *desc,
                      rc_txn *x, rc_err *err)
{
    lua_State *L = a->L;
    const rc_stmt *s = &x->st[x->n - 1];
    const char *tab = rc_txn_str(x, s->table);
    rc_txn_key(x, rc_key_hash(tab, s->tablelen, desc->data, desc->len));
    if (lua_getfield(L, ev, "keys") == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            const char *col = lua_tostring(L, -1);
            if (col && !rc_listed(L, ev, "primary", col)) {
                a->key.len = 0;
                rc_buf_puts(&a->key, col);
                rc_buf_putc(&a->key, '=');
                lua_getfield(L, img, col);
                int rc = rc_sql_value(a, &a->key, -1, rc_tinfo_kind(t, col), err);
                lua_pop(L, 1);
                if (rc < 0) {
                    lua_pop(L, 2);
                    return -1;
                }
                rc_txn_key(x, rc_key_hash(tab, s->tablelen, a->key.data, a->key.len));
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return 0;
}

/* ---- rows from the C reading (rc_jfast) ----------------------------------
 * The same statements as the Lua functions above, read from the structure:
 * each function mirrors its Lua twin (rc_sql_where, rc_sql_image,
 * rc_keys_of), which the differential test holds them to. */

static const rc_jimage *rc_fimg(const rc_jfast *f, int old)
{
    return old ? &f->img_old : &f->img_new;
}

static int rc_fsql_where(rc_apply *a, const rc_tinfo *t, const rc_jfast *f, int old, rc_buf *b,
                         rc_buf *desc)
{
    const rc_jlist *pk = &f->list[RC_JL_PRIMARY];
    int keyed = pk->present, first = 1;
    if (!keyed) pk = &f->list[RC_JL_COLUMNS]; /* every column identifies the row */
    rc_buf_putc(desc, '[');
    for (size_t i = 0; i < pk->n; i++) {
        const char *col = pk->items[i];
        if (!keyed && (rc_jfast_listed(&f->list[RC_JL_MISSING], col) ||
                       rc_jfast_listed(&f->list[RC_JL_MISSING_OLD], col)))
            continue;
        rc_sql_where_col(b, desc, col, &first);
        const rc_jval *v = rc_jfast_col(rc_fimg(f, old), col, keyed ? 0 : i);
        int kind = rc_tinfo_kind(t, col);
        rc_fsql_value(a, b, v, kind);
        if (keyed) rc_fsql_value(a, desc, v, kind);
    }
    rc_sql_where_end(b, desc, keyed, first);
    return 0;
}

static int rc_fsql_image(rc_apply *a, const rc_tinfo *t, const rc_jfast *f, int old, int set,
                         rc_buf *b)
{
    const rc_jlist *cols = &f->list[RC_JL_COLUMNS], *miss = &f->list[RC_JL_MISSING];
    int first = 1;
    if (!set) {
        rc_buf_putc(b, '(');
        for (size_t i = 0; i < cols->n; i++) {
            if (miss->n && rc_jfast_listed(miss, cols->items[i])) continue;
            if (!first) rc_buf_putc(b, ',');
            first = 0;
            rc_sql_ident(b, cols->items[i]);
        }
        RC_BUF_LIT(b, ") VALUES (");
        first = 1;
    }
    for (size_t i = 0; i < cols->n; i++) {
        const char *col = cols->items[i];
        if (miss->n && rc_jfast_listed(miss, col)) continue;
        if (rc_sql_image_col(b, col, set, &first)) {
            rc_fsql_value(a, b, rc_jfast_col(rc_fimg(f, old), col, i), rc_tinfo_kind(t, col));
        }
    }
    if (!set) rc_buf_putc(b, ')');
    return 0;
}

static int rc_fkeys_of(rc_apply *a, const rc_tinfo *t, const rc_jfast *f, int old,
                       const rc_buf *desc, rc_txn *x)
{
    const rc_stmt *s = &x->st[x->n - 1];
    const char *tab = rc_txn_str(x, s->table);
    rc_txn_key(x, rc_key_hash(tab, s->tablelen, desc->data, desc->len));
    const rc_jlist *keys = &f->list[RC_JL_KEYS], *pk = &f->list[RC_JL_PRIMARY];
    for (size_t i = 0; i < keys->n; i++) {
        const char *col = keys->items[i];
        /* A string `primary` is no list: rc_listed finds nothing in it. */
        if (pk->present == 1 && rc_jfast_listed(pk, col)) continue;
        a->key.len = 0;
        rc_buf_puts(&a->key, col);
        rc_buf_putc(&a->key, '=');
        rc_fsql_value(a, &a->key, rc_jfast_col(rc_fimg(f, old), col, 0), rc_tinfo_kind(t, col));
        rc_txn_key(x, rc_key_hash(tab, s->tablelen, a->key.data, a->key.len));
    }
    return 0;
}

/* Where a row event's parts come from: the Lua table at index ev of a->L
 * (f NULL; its images at newi and oldi), or the C reading f. */
typedef struct rc_rowsrc {
    const rc_jfast *f;
    int ev, newi, oldi;
} rc_rowsrc;

static int rc_row_where(rc_apply *a, const rc_tinfo *t, const rc_rowsrc *r, int old, rc_buf *b,
                        rc_buf *desc, rc_err *err)
{
    if (r->f) return rc_fsql_where(a, t, r->f, old, b, desc);
    return rc_sql_where(a, t, r->ev, old ? r->oldi : r->newi, b, desc, err);
}

static int rc_row_image(rc_apply *a, const rc_tinfo *t, const rc_rowsrc *r, int old, int set,
                        rc_buf *b, rc_err *err)
{
    if (r->f) return rc_fsql_image(a, t, r->f, old, set, b);
    return rc_sql_image(a, t, r->ev, old ? r->oldi : r->newi, set, b, err);
}

static int rc_row_keys(rc_apply *a, const rc_tinfo *t, const rc_rowsrc *r, int old,
                       const rc_buf *desc, rc_txn *x, rc_err *err)
{
    if (r->f) return rc_fkeys_of(a, t, r->f, old, desc, x);
    return rc_keys_of(a, t, r->ev, old ? r->oldi : r->newi, desc, x, err);
}

/* INSERT of the new image; overwrite turns a duplicate into an update. */
static int rc_sql_insert(rc_apply *a, const rc_tinfo *t, const rc_rowsrc *r, int overwrite,
                         rc_buf *b, rc_err *err)
{
    RC_BUF_LIT(b, "INSERT INTO ");
    rc_sql_ident(b, t->schema);
    rc_buf_putc(b, '.');
    rc_sql_ident(b, t->table);
    rc_buf_putc(b, ' ');
    if (rc_row_image(a, t, r, 0, 0, b, err) < 0) return -1;
    if (overwrite) {
        RC_BUF_LIT(b, " ON DUPLICATE KEY UPDATE ");
        if (rc_row_image(a, t, r, 0, 2, b, err) < 0) return -1;
    }
    return 0;
}

/* One row event as a statement of x, whichever reading it comes from:
 * has_new and has_old tell whether the images are objects (tables). */
static int rc_build_row_from(rc_apply *a, rc_txn *x, const rc_rowsrc *r, const char *schema,
                             const char *table, const char *op, int has_new, int has_old,
                             const char *pos, rc_err *err)
{
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
    if ((!del && !has_new) || (!ins && !has_old))
        return rc_err_set(err, RC_E_CORRUPT, "apply: %s event at %s lacks its row image", op,
                          pos ? pos : "?");
    size_t mark = x->text.len;
    rc_stmt *s = rc_txn_add(x, ins ? RC_ST_INSERT : upd ? RC_ST_UPDATE : RC_ST_DELETE);
    rc_buf *b = &x->text, *desc = &a->lit;
    desc->len = a->where.len = 0;
    int overwrite = a->t.on_conflict == RC_CONFLICT_OVERWRITE;
    s->table = b->len;
    rc_buf_puts(b, schema);
    rc_buf_putc(b, '.');
    rc_buf_puts(b, table);
    s->tablelen = b->len - s->table;
    s->pos = b->len;
    if (pos) rc_buf_puts(b, pos);
    s->poslen = b->len - s->pos;
    s->sql = b->len;
    int rc = 0;
    if (ins) {
        rc = rc_sql_insert(a, t, r, overwrite, b, err);
        if (rc == 0) rc = rc_row_where(a, t, r, 0, &a->where, desc, err);
    } else {
        if (upd)
            RC_BUF_LIT(b, "UPDATE ");
        else
            RC_BUF_LIT(b, "DELETE FROM ");
        rc_sql_ident(b, schema);
        rc_buf_putc(b, '.');
        rc_sql_ident(b, table);
        if (upd) {
            RC_BUF_LIT(b, " SET ");
            rc = rc_row_image(a, t, r, 0, 1, b, err);
        }
        RC_BUF_LIT(b, " WHERE ");
        if (rc == 0) rc = rc_row_where(a, t, r, 1, b, desc, err);
    }
    s->sqllen = b->len - s->sql;
    if (rc == 0 && upd && overwrite) {
        /* The row is missing: the target should hold the new image. */
        s->alt = b->len;
        rc = rc_sql_insert(a, t, r, 1, b, err);
        s->altlen = b->len - s->alt;
    }
    s->desc = b->len;
    rc_buf_put(b, desc->data ? desc->data : "", desc->len);
    s->desclen = b->len - s->desc;
    if (rc == 0 && a->workers) {
        rc = rc_row_keys(a, t, r, del, desc, x, err);
        if (rc == 0 && upd) {
            /* The key it had as well: a change of primary key frees one. */
            desc->len = a->where.len = 0;
            rc = rc_row_where(a, t, r, 1, &a->where, desc, err);
            if (rc == 0) rc = rc_row_keys(a, t, r, 1, desc, x, err);
        }
    }
    if (rc < 0) {
        x->n--;
        x->text.len = mark;
    }
    return rc;
}

/* One row event (the table at ev) as a statement of x. */
static int rc_build_row(rc_apply *a, rc_txn *x, int ev, const char *op, const char *pos,
                        rc_err *err)
{
    lua_State *L = a->L;
    const char *schema = rc_field_str(L, ev, "schema"), *table = rc_field_str(L, ev, "table");
    lua_getfield(L, ev, "new");
    int newi = lua_gettop(L);
    lua_getfield(L, ev, "old");
    rc_rowsrc r = {.f = NULL, .ev = ev, .newi = newi, .oldi = newi + 1};
    int rc = rc_build_row_from(a, x, &r, schema, table, op, lua_istable(L, newi),
                               lua_istable(L, newi + 1), pos, err);
    lua_settop(L, newi - 1);
    return rc;
}

/* The same from the C reading. */
static int rc_fbuild_row(rc_apply *a, rc_txn *x, const rc_jfast *f, const char *pos, rc_err *err)
{
    rc_rowsrc r = {.f = f};
    return rc_build_row_from(a, x, &r, f->schema, f->table, f->operation, f->img_new.present,
                             f->img_old.present, pos, err);
}

/* Statements that commit implicitly (docs/apply.md, "DDL"): the first word
 * after blanks and comments. */
static int rc_is_ddl(const char *q, size_t n)
{
    size_t i = 0;
    for (;;) {
        while (i < n && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r'))
            i++;
        if (i + 1 < n && q[i] == '/' && q[i + 1] == '*') {
            const char *e = memmem(q + i + 2, n - i - 2, "*/", 2);
            if (!e) return 0;
            i = (size_t)(e - q) + 2;
            continue;
        }
        break;
    }
    static const char *words[] = {"CREATE",   "ALTER", "DROP",  "RENAME",
                                  "TRUNCATE", "GRANT", "REVOKE"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t k = strlen(words[w]);
        if (n - i > k && !strncasecmp(q + i, words[w], k) &&
            (q[i + k] == ' ' || q[i + k] == '\t' || q[i + k] == '\n' || q[i + k] == '\r'))
            return 1;
    }
    return 0;
}

/* A statement event as a statement of x: in its default database, as it is. */
static int rc_build_query_from(rc_txn *x, const char *schema, const char *q, size_t qn,
                               const char *pos)
{
    if (!q) {
        rc_warn("apply: statement event at %s has no query, left out", pos ? pos : "?");
        return 0;
    }
    rc_stmt *s = rc_txn_add(x, RC_ST_QUERY);
    rc_buf *b = &x->text;
    s->table = b->len;
    if (schema) rc_buf_puts(b, schema);
    s->tablelen = b->len - s->table;
    s->pos = b->len;
    if (pos) rc_buf_puts(b, pos);
    s->poslen = b->len - s->pos;
    s->sql = b->len;
    rc_buf_put(b, q, qn);
    s->sqllen = qn;
    s->desc = b->len;
    s->ddl = rc_is_ddl(q, qn);
    x->barrier = 1;
    return 0;
}

static int rc_build_query(rc_apply *a, rc_txn *x, int ev, const char *pos)
{
    lua_State *L = a->L;
    const char *schema = rc_field_str(L, ev, "schema");
    lua_getfield(L, ev, "query");
    size_t qn = 0;
    const char *q = lua_tolstring(L, -1, &qn);
    rc_build_query_from(x, schema, q, qn, pos);
    lua_pop(L, 1);
    return 0;
}

/* ---- the take half ------------------------------------------------------- */

/* The transaction to build into, from the workers' ring or our own. */
static rc_txn *rc_take_txn(rc_apply *a, rc_err *err)
{
    if (a->x) return a->x;
    if (a->workers) {
        a->x = rc_workers_slot(a->workers, err);
    } else {
        rc_txn_reset(&a->own);
        a->x = &a->own;
    }
    return a->x;
}

/* A transaction too large to keep for a replay: what it has runs now, on
 * the coordinator's connection, alone (workers drained first). */
static int rc_take_stream(rc_apply *a, rc_err *err)
{
    rc_txn *x = a->x;
    if (!a->streamed) {
        if (a->workers && rc_workers_drain(a->workers, err) < 0) return -1;
        rc_debug("apply: a transaction of more than %u bytes: applied as it comes",
                 RC_TXN_KEEP_BYTES);
        a->streamed = 1;
    }
    if (rc_target_run(&a->t, x, err) < 0) {
        if (err->code == RC_E_LOST) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            rc_err_set(err, RC_E_LOST,
                       "apply: %s, in a transaction too large to keep for a replay (more than "
                       "%u MiB): it is applied again from its start on the next run",
                       msg, RC_TXN_KEEP_BYTES >> 20);
        }
        return -1;
    }
    x->n = x->nkeys = 0;
    x->text.len = 0;
    return 0;
}

/* The grouped source transactions in one target transaction with the last
 * one's position: two round trips for all of them (rc_target_run's batch,
 * then the position and COMMIT); with workers, one worker's transaction. */
static int rc_group_flush(rc_apply *a, rc_err *err)
{
    if (!a->grouped) return 0;
    int rc = 0;
    if (a->workers) {
        rc_workers_submit(a->workers, a->x);
        a->wpending = 1;
    } else {
        rc = rc_target_apply(&a->t, a->x, err);
    }
    a->grouped = 0;
    a->flush_wanted = 0;
    a->x = NULL;
    return rc;
}

/* The transport pauses, or the relay log has nothing more: what is grouped
 * goes now, or at the end of the transaction being built. */
static int rc_group_pause(rc_apply *a, rc_err *err)
{
    if (!a->grouped) return 0;
    if (a->x->n == a->group_n) return rc_group_flush(a, err);
    a->flush_wanted = 1;
    return 0;
}

/* The source transaction is complete: to the target, with its position. */
static int rc_take_commit(rc_apply *a, rc_err *err)
{
    rc_txn *x = a->x;
    int rc;
    if (a->streamed) {
        rc = rc_target_run(&a->t, x, err);
        if (rc == 0) rc = rc_target_commit(&a->t, x, err);
        a->streamed = 0;
    } else if (!x->barrier) {
        /* Group commit: complete source transactions wait in x for the
         * next ones, and go to the target (or to a worker) together, each
         * still whole. */
        a->grouped++;
        a->group_n = x->n;
        if (a->grouped < (a->workers ? RC_WGROUP_TXNS : RC_GROUP_TXNS) &&
            x->text.len < RC_GROUP_BYTES && !a->flush_wanted)
            return 0;
        return rc_group_flush(a, err);
    } else {
        /* A statement (DDL may change any table) runs alone, after every
         * transaction before it. */
        rc = a->workers ? rc_workers_drain(a->workers, err) : 0;
        if (rc == 0) rc = rc_target_apply(&a->t, x, err);
    }
    if (x->barrier) rc_tinfo_free_all(a);
    a->x = NULL;
    a->grouped = 0; /* any grouped transactions went with this one */
    a->flush_wanted = 0;
    return rc;
}

/* Where a transaction stood before an event's statements were added. */
typedef struct rc_mark {
    size_t n, len, nkeys;
} rc_mark;

static rc_mark rc_mark_of(const rc_txn *x)
{
    return (rc_mark){x->n, x->text.len, x->nkeys};
}

static int rc_stmt_same(const rc_txn *x, const rc_stmt *p, const rc_stmt *q)
{
    const char *t = x->text.data;
    return p->kind == q->kind && p->ddl == q->ddl && p->sqllen == q->sqllen &&
           p->altlen == q->altlen && p->tablelen == q->tablelen && p->desclen == q->desclen &&
           p->poslen == q->poslen && !memcmp(t + p->sql, t + q->sql, p->sqllen) &&
           !memcmp(t + p->alt, t + q->alt, p->altlen) &&
           !memcmp(t + p->table, t + q->table, p->tablelen) &&
           !memcmp(t + p->desc, t + q->desc, p->desclen) &&
           !memcmp(t + p->pos, t + q->pos, p->poslen);
}

/* ROWCAST_APPLY_CROSSCHECK: the event that f read (fast_rc: what building
 * from it gave, statements from m on) is read and built the Lua way too,
 * after them; any difference in the receive fields, the statements, the
 * worker keys or the outcome is an error. The Lua statements are then
 * taken back out. */
static int rc_crosscheck(rc_apply *a, rc_txn *x, const rc_mark *m, int fast_rc, const rc_took *k,
                         const char *text, size_t tlen, const char *ps, rc_err *err)
{
    lua_State *L = a->L;
    rc_err lerr = {0};
    char fmsg[sizeof err->msg];
    snprintf(fmsg, sizeof fmsg, "%s", fast_rc < 0 ? err->msg : "");
    lua_settop(L, 0);
    if (rc_jevent_push(L, text, tlen, &lerr) < 0)
        return rc_err_set(err, RC_E_INTERNAL, "crosscheck: at %s only rc_jfast reads the event: %s",
                          ps ? ps : "?", lerr.msg);
    const char *lpos = rc_field_str(L, 1, "position"), *lg = rc_field_str(L, 1, "gtid");
    const rc_jfast *f = &a->jf;
    lua_getfield(L, 1, "commit");
    int lcommit = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (k->fparsed &&
        (lcommit != f->commit || !lpos != !f->position || (lpos && strcmp(lpos, f->position)) ||
         !lg != !f->gtid || (lg && strcmp(lg, f->gtid))))
        return rc_err_set(err, RC_E_INTERNAL, "crosscheck: at %s position, gtid or commit differ",
                          ps ? ps : "?");
    rc_mark lm = rc_mark_of(x);
    const char *op = rc_field_str(L, 1, "operation");
    int lrc = 0;
    if (op && !strcmp(op, "query"))
        lrc = rc_build_query(a, x, 1, ps);
    else if (op)
        lrc = rc_build_row(a, x, 1, op, ps, &lerr);
    int same = (lrc < 0) == (fast_rc < 0) && (lrc == 0 || !strcmp(lerr.msg, fmsg)) &&
               x->n - lm.n == lm.n - m->n && x->nkeys - lm.nkeys == lm.nkeys - m->nkeys;
    for (size_t i = 0; same && i < lm.n - m->n; i++)
        same = rc_stmt_same(x, &x->st[m->n + i], &x->st[lm.n + i]);
    for (size_t i = 0; same && i < lm.nkeys - m->nkeys; i++)
        same = x->keys[m->nkeys + i] == x->keys[lm.nkeys + i];
    x->n = lm.n;
    x->text.len = lm.len;
    x->nkeys = lm.nkeys;
    lua_settop(L, 0);
    if (!same)
        return rc_err_set(err, RC_E_INTERNAL,
                          "crosscheck: at %s rc_jfast and rc_jevent build different statements",
                          ps ? ps : "?");
    a->crosschecked++;
    return fast_rc;
}

/* One event from the receive half. */
static int rc_take(rc_apply *a, const rc_took *k, rc_err *err)
{
    rc_apos pos = {0};
    if (k->pos[0]) rc_apos_parse(k->pos, 1, &pos);
    if (pos.set && a->cur.set && rc_apos_cmp(&pos, &a->cur) <= 0) {
        /* On the target already (a re-delivery, or relay log content from
         * before a crash). */
        a->took_dup++;
        return 0;
    }
    const char *ps = k->pos[0] ? k->pos : NULL;
    if (!k->discarded) {
        const char *text;
        size_t tlen;
        int keep = rc_apply_scripts(&a->apply, k->body, k->bodylen, &text, &tlen, err);
        if (keep < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            return rc_err_set(err, err->code, "%s (event at %s)", msg, ps ? ps : "?");
        }
        if (keep) {
            lua_State *L = a->L;
            /* Without apply scripts the event is read in C (rc_jfast),
             * by the receive half already when it shares the reading;
             * the Lua reading is for scripts and for the shapes rc_jfast
             * leaves to it. */
            const rc_jfast *f = NULL;
            if (k->fparsed)
                f = &a->jf;
            else if (a->apply.n == 0 && !k->parsed &&
                     rc_jfast_parse(&a->jf, text, tlen) == RC_JF_OK)
                f = &a->jf;
            if (!f && (!k->parsed || lua_gettop(L) != 1)) {
                lua_settop(L, 0);
                if (rc_jevent_push(L, text, tlen, err) < 0) return -1;
            }
            const char *op = f ? f->operation : rc_field_str(L, 1, "operation");
            int rc = 0, isq = op && !strcmp(op, "query");
            rc_txn *x = rc_take_txn(a, err);
            if (!x) return -1;
            /* A statement (DDL) is not grouped with what came before. */
            if (isq && (rc_group_pause(a, err) < 0 || !(x = rc_take_txn(a, err)))) return -1;
            rc_mark m = rc_mark_of(x);
            if (!op)
                rc_warn("apply: event at %s has no operation, left out", ps ? ps : "?");
            else if (isq && f)
                rc = rc_build_query_from(x, f->schema, f->query, f->querylen, ps);
            else if (isq)
                rc = rc_build_query(a, x, 1, ps);
            else if (f)
                rc = rc_fbuild_row(a, x, f, ps, err);
            else
                rc = rc_build_row(a, x, 1, op, ps, err);
            if (f && a->crosscheck) rc = rc_crosscheck(a, x, &m, rc, k, text, tlen, ps, err);
            lua_settop(L, 0);
            if (rc < 0) return -1;
            if (x->text.len > RC_TXN_KEEP_BYTES && !x->barrier && rc_take_stream(a, err) < 0)
                return -1;
        } else {
            a->took_discarded++;
        }
    } else {
        a->took_discarded++;
    }
    if (pos.set) a->cur = pos;
    if (k->commit) {
        a->took_txns++;
        rc_txn *x = rc_take_txn(a, err);
        if (!x) return -1;
        if (a->cur.set) rc_apos_text(&a->cur, x->pos, sizeof x->pos);
        snprintf(x->gtid, sizeof x->gtid, "%s", k->gtid);
        return rc_take_commit(a, err);
    }
    return 0;
}

/* ---- the receive half ---------------------------------------------------- */

/* Parses text as received: 1 with *k filled (body: the event after the
 * receive scripts), 0 when it is held already (a re-delivery), -1. */
static int rc_receive(rc_apply *a, const char *data, size_t len, rc_took *k, rc_err *err)
{
    lua_State *L = a->RL;
    a->st.received++;
    /* Position and transaction end come from the event as the source wrote
     * it: a script that drops the last event of a transaction must not keep
     * the transaction open. */
    char posbuf[300] = "";
    const char *ps, *gs;
    int fr = a->recv.n == 0 ? rc_jfast_parse(a->rj, data, len) : RC_JF_OTHER;
    if (fr == RC_JF_OTHER && a->recv.n == 0) a->fast_other++;
    k->fparsed = 0;
    k->parsed = 0;
    if (fr == RC_JF_OK) {
        ps = a->rj->position;
        gs = a->rj->gtid;
        k->commit = a->rj->commit;
        /* The take half may use this reading (same thread, same text). */
        k->fparsed = a->rj == &a->jf && a->apply.n == 0;
    } else {
        lua_settop(L, 0);
        if (rc_jevent_push(L, data, len, err) < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            return rc_err_set(err, RC_E_CORRUPT, "apply: received a bad JSON event: %s", msg);
        }
        if (fr == RC_JF_BAD && a->crosscheck)
            return rc_err_set(err, RC_E_INTERNAL, "crosscheck: only rc_jevent reads the event");
        ps = rc_field_str(L, 1, "position");
        lua_getfield(L, 1, "commit");
        k->commit = lua_toboolean(L, -1);
        lua_pop(L, 1);
        gs = rc_field_str(L, 1, "gtid");
        /* The take half may use this parse (same state, same text). */
        k->parsed = L == a->L && a->recv.n == 0 && a->apply.n == 0;
    }
    if (ps) snprintf(posbuf, sizeof posbuf, "%s", ps);
    snprintf(k->gtid, sizeof k->gtid, "%s", gs ? gs : "");
    if (!k->parsed) lua_settop(L, 0);
    k->pos[0] = 0;
    rc_apos pos;
    if (posbuf[0] && rc_apos_parse(posbuf, 0, &pos) == 0) {
        /* Rows of one rows event share a position: number them, restarting
         * after a commit, so a repeated transaction numbers the same. */
        if (a->rprev.set && !a->rprev_commit && !strcmp(a->rprev.file, pos.file) &&
            a->rprev.off == pos.off)
            pos.row = a->rprev.row + 1;
        a->rprev = pos;
        a->rprev_commit = k->commit;
        const rc_apos *floor = a->relay ? &a->rfloor : &a->cur;
        if (floor->set && rc_apos_cmp(&pos, floor) <= 0) {
            a->rdup++;
            return 0;
        }
        rc_apos_text(&pos, k->pos, sizeof k->pos);
        if (a->relay) a->rfloor = pos;
    } else {
        a->rprev.set = 0;
    }
    int keep = rc_apply_scripts(&a->recv, data, len, &k->body, &k->bodylen, err);
    if (keep < 0) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return rc_err_set(err, err->code, "%s (event at %s)", msg, posbuf[0] ? posbuf : "?");
    }
    k->discarded = !keep;
    if (!keep) k->body = NULL, k->bodylen = 0;
    return 1;
}

/* Without a relay log: both halves, one event at a time (an rc_sink_on_event). */
static int rc_apply_event(void *ctx, const char *data, size_t len, rc_err *err)
{
    rc_apply *a = ctx;
    if (!data) {
        /* The transport pauses: acknowledge what the workers committed. */
        if (rc_group_pause(a, err) < 0) return -1;
        if (a->workers && a->wpending) {
            /* The workers keep going while more is fetched; what they have
             * committed is acknowledged at a later pause (the transport
             * pauses again when it goes quiet), at the latest once
             * RC_ACK_EVERY events wait. */
            if (a->unacked >= RC_ACK_EVERY && rc_workers_drain(a->workers, err) < 0) return -1;
            if (rc_workers_idle(a->workers)) a->wpending = 0;
        }
        if (a->x || a->wpending) return RC_SINK_HOLD;
        a->unacked = 0;
        return RC_SINK_DONE;
    }
    rc_took k;
    a->unacked++;
    int r = rc_receive(a, data, len, &k, err);
    if (r < 0) return -1;
    if (r > 0 && rc_take(a, &k, err) < 0) return -1;
    /* Handed to the workers is not yet committed: held until a pause. */
    if (a->x || a->wpending) return RC_SINK_HOLD;
    a->unacked = 0;
    return RC_SINK_DONE;
}

/* ---- with a relay log ---------------------------------------------------- */

/* The receive half's callback: an event is acknowledged to the transport
 * once the relay log holds it durably, and only at the end of a source
 * transaction, so a re-delivery after a crash starts at a transaction's
 * first event and numbers its rows as before. */
static int rc_relay_event(void *ctx, const char *data, size_t len, rc_err *err)
{
    rc_apply *a = ctx;
    if (a->th_failed) {
        *err = a->th_err;
        return -1;
    }
    if (!data) {
        if (a->relay_open_txn) {
            a->relay_sync_at_commit = 1;
            return RC_SINK_HOLD;
        }
        return rc_relay_sync(a->relay, err) < 0 ? -1 : RC_SINK_DONE;
    }
    rc_took k;
    int r = rc_receive(a, data, len, &k, err);
    if (r < 0) return -1;
    if (r > 0) {
        rc_relay_rec rec = {.flags = (k.commit ? RC_RELAY_COMMIT : 0u) |
                                     (k.discarded ? RC_RELAY_DISCARDED : 0u),
                            .pos = k.pos,
                            .poslen = strlen(k.pos),
                            .gtid = k.gtid,
                            .gtidlen = strlen(k.gtid),
                            .body = k.body,
                            .bodylen = k.bodylen};
        if (rc_relay_append(a->relay, &rec, a->stop, err) < 0)
            return *a->stop ? RC_SINK_HOLD : -1; /* stopped while waiting for room */
        a->relay_open_txn = !k.commit;
    }
    if (a->relay_open_txn) return RC_SINK_HOLD;
    if (a->relay_sync_at_commit || rc_relay_unsynced(a->relay) >= RC_RELAY_SYNC_BYTES) {
        if (rc_relay_sync(a->relay, err) < 0) return -1;
        a->relay_sync_at_commit = 0;
    }
    return rc_relay_unsynced(a->relay) ? RC_SINK_HOLD : RC_SINK_DONE;
}

/* Applied segments go once everything read from them is committed. */
static int rc_relay_tidy(rc_apply *a, rc_err *err)
{
    if (a->x || !rc_relay_releasable(a->relay)) return 0;
    if (a->workers && rc_workers_drain(a->workers, err) < 0) return -1;
    return rc_relay_release(a->relay, err);
}

/* The take half's thread: the relay log to the target. */
static void *rc_relay_apply_main(void *arg)
{
    rc_apply *a = arg;
    rc_err err = {0};
    int rc = 0;
    while (!*a->stop && rc == 0) {
        rc_relay_rec rec;
        int r = rc_relay_next(a->relay, &rec, 200, &err);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (r == 1) {
            rc_took k = {0};
            size_t n = rec.poslen < sizeof k.pos ? rec.poslen : sizeof k.pos - 1;
            memcpy(k.pos, rec.pos, n);
            n = rec.gtidlen < sizeof k.gtid ? rec.gtidlen : sizeof k.gtid - 1;
            memcpy(k.gtid, rec.gtid, n);
            k.commit = (rec.flags & RC_RELAY_COMMIT) != 0;
            k.discarded = (rec.flags & RC_RELAY_DISCARDED) != 0;
            k.body = rec.body;
            k.bodylen = rec.bodylen;
            rc = rc_take(a, &k, &err);
        } else {
            /* Idle: what is grouped goes; the workers' counters settle. */
            rc = rc_group_pause(a, &err);
            if (rc == 0 && a->workers) rc = rc_workers_drain(a->workers, &err);
        }
        if (rc == 0) rc = rc_relay_tidy(a, &err);
    }
    if (rc < 0 && !*a->stop) {
        a->th_err = err;
        a->th_failed = 1;
        *a->stop = 1; /* the receive half stops too */
    }
    return NULL;
}

int rc_apply_run(rc_apply *a, const rc_sink_ops *ops, const rc_url *from, const char *durable,
                 rc_err *err)
{
    if (!a->relay) {
        int rc = ops->consume(from, durable, rc_apply_event, a, a->stop, err);
        if (rc == 0 && a->workers) rc = rc_workers_drain(a->workers, err);
        return rc;
    }
    if (pthread_create(&a->th, NULL, rc_relay_apply_main, a) != 0)
        return rc_err_set(err, RC_E_INTERNAL, "apply: cannot start the relay log's apply thread");
    a->th_started = 1;
    int rc = ops->consume(from, durable, rc_relay_event, a, a->stop, err);
    rc_err serr = {0};
    int synced = rc_relay_sync(a->relay, &serr);
    *a->stop = 1;
    rc_relay_wake(a->relay);
    pthread_join(a->th, NULL);
    a->th_started = 0;
    if (a->th_failed) {
        *err = a->th_err; /* the apply side's error is the cause: it stopped the other */
        return -1;
    }
    if (rc == 0 && synced < 0) {
        *err = serr;
        return -1;
    }
    return rc;
}

/* ---- opening and closing ------------------------------------------------- */

static int rc_point_open(rc_point *pt, const char *const *paths, int n, const char *point,
                         rc_err *err)
{
    rc_buf_init(&pt->a);
    rc_buf_init(&pt->b);
    pt->scripts = rc_xcalloc((size_t)n + 1, sizeof *pt->scripts);
    for (int i = 0; i < n; i++) {
        pt->scripts[i] = rc_lua_open(paths[i], point, NULL, err);
        if (!pt->scripts[i]) return -1;
        pt->n++;
    }
    return 0;
}

static void rc_point_close(rc_point *pt)
{
    for (int i = 0; i < pt->n; i++)
        rc_lua_close(pt->scripts[i]);
    free(pt->scripts);
    rc_buf_free(&pt->a);
    rc_buf_free(&pt->b);
}

rc_apply *rc_apply_open(const rc_url *target, const rc_apply_opts *o, rc_err *err)
{
    rc_apply *a = rc_xcalloc(1, sizeof *a);
    const char *name = o->name ? o->name : "default";
    a->name = rc_xstrndup(name, strlen(name));
    a->url = target;
    a->stop = o->stop;
    rc_txn_init(&a->own);
    rc_buf_init(&a->lit);
    rc_buf_init(&a->where);
    rc_buf_init(&a->key);
    rc_buf_init(&a->doc);
    rc_jfast_init(&a->jf);
    rc_jfast_init(&a->rjf);
    a->rj = o->relay_dir ? &a->rjf : &a->jf;
    const char *cc = getenv("ROWCAST_APPLY_CROSSCHECK");
    a->crosscheck = cc && *cc && strcmp(cc, "0");
    if (strlen(a->name) > 64) {
        rc_err_set(err, RC_E_USAGE, "apply: the name '%s' is longer than 64 characters", a->name);
        goto fail;
    }
    if (rc_point_open(&a->recv, o->receive, o->nreceive, "receive", err) < 0 ||
        rc_point_open(&a->apply, o->apply, o->napply, "apply", err) < 0)
        goto fail;
    a->L = luaL_newstate();
    /* Without a relay log both halves run in one thread: one state, and
     * (without scripts) one parse of each event. */
    a->RL = o->relay_dir ? luaL_newstate() : a->L;
    if (!a->L || !a->RL) {
        rc_err_set(err, RC_E_INTERNAL, "out of memory (Lua state)");
        goto fail;
    }
    if (o->relay_dir) {
        rc_relay_opts ro = {.dir = o->relay_dir,
                            .segment_size = o->relay_segment_size,
                            .max_segments = o->relay_max_segments};
        if (rc_relay_open(&a->relay, &ro, err) < 0) goto fail;
    }
    if (rc_target_open(&a->t, target, a->name, o->on_conflict, 0, a->stop, err) < 0) goto fail;
    if (a->t.stored[0] && rc_apos_parse(a->t.stored, 1, &a->cur) < 0) {
        rc_err_set(err, RC_E_CORRUPT,
                   "%s: rowcast.apply_position holds '%s' for '%s': not FILE:OFFSET:ROW",
                   rc_conn_where(a->t.conn), a->t.stored, a->name);
        goto fail;
    }
    if (a->cur.set)
        rc_info("apply %s: resuming after %s:%" PRIu64 ":%" PRIu64, a->name, a->cur.file,
                a->cur.off, a->cur.row);
    if (a->relay) {
        /* Events the relay log holds are not received again. */
        a->rfloor = a->cur;
        rc_apos last;
        const char *lp = rc_relay_last_pos(a->relay);
        if (lp[0] && rc_apos_parse(lp, 1, &last) == 0 &&
            (!a->rfloor.set || rc_apos_cmp(&last, &a->rfloor) > 0)) {
            a->rfloor = last;
            /* It ends inside a transaction (a crash while receiving it): no
             * acknowledgement until its last event is in, so that a later
             * re-delivery still starts at a transaction's first event. */
            a->relay_open_txn = rc_relay_last_open(a->relay);
            rc_info("apply %s: the relay log %s holds events up to %s", a->name, o->relay_dir, lp);
        }
    }
    if (o->workers > 1) {
        a->workers = rc_workers_open(target, o->workers, a->name, o->on_conflict, a->stop, err);
        if (!a->workers) goto fail;
    }
    return a;
fail:
    rc_apply_close(a);
    return NULL;
}

void rc_apply_close(rc_apply *a)
{
    if (!a) return;
    if (a->crosscheck)
        rc_info("apply %s: crosscheck: %" PRIu64 " events built both ways, the same; %" PRIu64
                " read the Lua way only",
                a->name, a->crosschecked, a->fast_other);
    if (a->th_started) {
        *a->stop = 1;
        rc_relay_wake(a->relay);
        pthread_join(a->th, NULL);
    }
    rc_workers_close(a->workers);
    a->workers = NULL;
    rc_target_close(&a->t);
    rc_relay_close(a->relay);
    rc_point_close(&a->recv);
    rc_point_close(&a->apply);
    if (a->L) lua_close(a->L);
    if (a->RL && a->RL != a->L) lua_close(a->RL);
    rc_tinfo_free_all(a);
    rc_txn_free(&a->own);
    rc_buf_free(&a->lit);
    rc_buf_free(&a->where);
    rc_buf_free(&a->key);
    rc_buf_free(&a->doc);
    rc_jfast_free(&a->jf);
    rc_jfast_free(&a->rjf);
    free(a->name);
    free(a);
}
