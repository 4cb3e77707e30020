/* rc_outbox: see rc_outbox.h. */
#include "mysql/rc_outbox.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"
#include "mysql/rc_conn.h"

#define RC_OUTBOX_SEEN 256

struct rc_outbox {
    rc_url url; /* a deep copy, for reconnects */
    rc_conn *conn;
    char *qname;    /* `schema`.`table`, for SQL */
    char name[300]; /* schema.table, for messages and message ids */
    unsigned batch, interval_ms;
    uint64_t last; /* the highest id handed out */
    /* When ids were first seen: (the highest id a read returned, when),
     * increasing in both. A missing id below one seen at time T cannot be
     * a write still on its way once T is RC_OUTBOX_GAP_GRACE_MS past. */
    struct seen {
        uint64_t id;
        double t;
    } seen[RC_OUTBOX_SEEN];
    size_t seen_head, seen_len;
    MYSQL_RES *res; /* the rows handed out last */
    rc_outbox_row *rows;
    size_t cap;
    rc_buf sql;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void quote_ident(rc_buf *b, const char *s)
{
    rc_buf_putc(b, '`');
    for (; *s; s++) {
        if (*s == '`') rc_buf_putc(b, '`');
        rc_buf_putc(b, *s);
    }
    rc_buf_putc(b, '`');
}

static int lost(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == ER_SERVER_SHUTDOWN ||
           e == ER_CONNECTION_KILLED || e == 4031 || e == 3169;
}

/* The error of the last statement, in the user's terms. */
static int query_error(rc_outbox *o, const char *what, rc_err *err)
{
    MYSQL *m = rc_conn_mysql(o->conn);
    unsigned e = mysql_errno(m);
    const char *where = rc_conn_where(o->conn);
    if (lost(e))
        return rc_err_set(err, RC_E_LOST, "lost the connection to %s: %s", where, mysql_error(m));
    if (e == ER_NO_SUCH_TABLE)
        return rc_err_set(err, RC_E_CONFIG,
                          "outbox table %s does not exist on %s: create it with `rowcast "
                          "triggers -s SCHEMA ... | mariadb` (docs/triggers.md)",
                          o->name, where);
    if (e == ER_BAD_FIELD_ERROR)
        return rc_err_set(err, RC_E_CONFIG,
                          "%s on %s is not a rowcast outbox (%s): create it with `rowcast "
                          "triggers` or name the right one with ?table=NAME",
                          o->name, where, mysql_error(m));
    if (e == ER_TABLEACCESS_DENIED_ERROR || e == ER_COLUMNACCESS_DENIED_ERROR ||
        e == ER_DBACCESS_DENIED_ERROR || e == ER_ACCESS_DENIED_ERROR)
        return rc_err_set(err, RC_E_PRIV,
                          "user '%s' lacks the %s privilege on %s: GRANT SELECT, DELETE ON %s TO "
                          "'%s'@'%%'",
                          o->url.user, what, o->name, o->qname, o->url.user);
    return rc_err_set(err, RC_E_SERVER, "%s on %s failed: server error %u: %s", what, o->name, e,
                      mysql_error(m));
}

static int run(rc_outbox *o, const char *sql, size_t len)
{
    return mysql_real_query(rc_conn_mysql(o->conn), sql, (unsigned long)len) ? -1 : 0;
}

static int connect_check(rc_outbox *o, rc_err *err)
{
    if (rc_conn_open(&o->conn, &o->url, err) < 0) return -1;
    /* No gap locks on the outbox (writers insert above our reads), and each
     * read sees what is committed at its start. */
    if (rc_conn_exec(o->conn, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", err) < 0)
        return -1;
    if (rc_conn_exec(o->conn, "SET autocommit = 1", err) < 0) return -1;
    rc_buf *q = &o->sql;
    q->len = 0;
    rc_buf_printf(q, "SELECT `id`, `grp`, `db`, `tbl`, `op`, `event` FROM %s LIMIT 0", o->qname);
    if (run(o, q->data, q->len) < 0) return query_error(o, "SELECT", err);
    mysql_free_result(mysql_store_result(rc_conn_mysql(o->conn)));
    /* Privileges are checked when the statement opens the table, before
     * any row is looked at: this deletes nothing. */
    q->len = 0;
    rc_buf_printf(q, "DELETE FROM %s WHERE FALSE", o->qname);
    if (run(o, q->data, q->len) < 0) return query_error(o, "DELETE", err);
    return 0;
}

static unsigned uparam(const rc_url *url, const char *key, unsigned def, unsigned max, int *bad)
{
    char *v = rc_url_param(url, key);
    if (!v) return def;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (!*v || *end || n == 0 || n > max) *bad = 1;
    free(v);
    return (unsigned)n;
}

int rc_outbox_open(rc_outbox **out, const rc_url *url, rc_err *err)
{
    *out = NULL;
    if (!url->path || !*url->path || strchr(url->path, '/'))
        return rc_err_set(
            err, RC_E_USAGE,
            "bad source URL: expected mysql-outbox://USER[:PASSWORD]@HOST:PORT/SCHEMA "
            "(the schema that holds the outbox)");
    rc_outbox *o = rc_xcalloc(1, sizeof *o);
    rc_url_copy(&o->url, url);
    rc_buf_init(&o->sql);
    int bad = 0;
    o->batch = uparam(url, "batch", RC_OUTBOX_BATCH, 100000, &bad);
    o->interval_ms = uparam(url, "interval", RC_OUTBOX_INTERVAL_MS, 60000, &bad);
    if (bad) {
        rc_outbox_close(o);
        return rc_err_set(
            err, RC_E_USAGE,
            "bad source URL: batch= and interval= (milliseconds) take positive numbers");
    }
    char *table = rc_url_param(url, "table");
    const char *t = table && *table ? table : "rowcast_outbox";
    snprintf(o->name, sizeof o->name, "%s.%s", url->path, t);
    rc_buf q;
    rc_buf_init(&q);
    quote_ident(&q, url->path);
    rc_buf_putc(&q, '.');
    quote_ident(&q, t);
    rc_buf_putc(&q, 0);
    o->qname = q.data;
    free(table);
    if (connect_check(o, err) < 0) {
        rc_outbox_close(o);
        return -1;
    }
    *out = o;
    return 0;
}

void rc_outbox_close(rc_outbox *o)
{
    if (!o) return;
    if (o->res) mysql_free_result(o->res);
    rc_conn_close(o->conn);
    rc_url_free(&o->url);
    free(o->qname);
    free(o->rows);
    rc_buf_free(&o->sql);
    free(o);
}

int rc_outbox_reconnect(rc_outbox *o, rc_err *err)
{
    if (o->res) mysql_free_result(o->res);
    o->res = NULL;
    rc_conn_close(o->conn);
    o->conn = NULL;
    return connect_check(o, err);
}

const char *rc_outbox_name(const rc_outbox *o)
{
    return o->name;
}
unsigned rc_outbox_interval_ms(const rc_outbox *o)
{
    return o->interval_ms;
}

/* What is in ids lo..hi now: 1 an open writer holds one (its row is
 * locked), 2 a row committed since the read (read it next time), 0 nothing
 * (rolled back), -1 error. */
static int probe_gap(rc_outbox *o, uint64_t lo, uint64_t hi, rc_err *err)
{
    rc_buf *q = &o->sql;
    q->len = 0;
    rc_buf_printf(q,
                  "SELECT `id` FROM %s WHERE `id` BETWEEN %llu AND %llu ORDER BY `id` LIMIT 1 "
                  "FOR UPDATE NOWAIT",
                  o->qname, (unsigned long long)lo, (unsigned long long)hi);
    MYSQL *m = rc_conn_mysql(o->conn);
    if (run(o, q->data, q->len) < 0) {
        unsigned e = mysql_errno(m);
        /* MariaDB reports NOWAIT as a lock wait timeout, MySQL as ER_LOCK_NOWAIT */
        if (e == ER_LOCK_WAIT_TIMEOUT || e == 3572) return 1;
        return query_error(o, "SELECT ... FOR UPDATE NOWAIT", err);
    }
    MYSQL_RES *r = mysql_store_result(m);
    int found = r && mysql_num_rows(r) > 0;
    mysql_free_result(r);
    return found ? 2 : 0;
}

static void seen_add(rc_outbox *o, uint64_t id, double t)
{
    if (o->seen_len && o->seen[(o->seen_head + o->seen_len - 1) % RC_OUTBOX_SEEN].id >= id) return;
    if (o->seen_len == RC_OUTBOX_SEEN) { /* forgetting the oldest only makes waits longer */
        o->seen_head = (o->seen_head + 1) % RC_OUTBOX_SEEN;
        o->seen_len--;
    }
    o->seen[(o->seen_head + o->seen_len) % RC_OUTBOX_SEEN] = (struct seen){id, t};
    o->seen_len++;
}

/* When an id above hi was first seen, or -1 if never. */
static double seen_above(rc_outbox *o, uint64_t hi)
{
    for (size_t i = 0; i < o->seen_len; i++) {
        const struct seen *x = &o->seen[(o->seen_head + i) % RC_OUTBOX_SEEN];
        if (x->id > hi) return x->t;
    }
    return -1;
}

/* May the ids lo..hi be passed over? 1 yes, 0 not yet, -1 error. */
static int gap_settled(rc_outbox *o, uint64_t lo, uint64_t hi, double now, rc_err *err)
{
    int st = probe_gap(o, lo, hi, err);
    if (st < 0) return -1;
    if (st) return 0;
    double t = seen_above(o, hi);
    return t >= 0 && (now - t) * 1000 >= RC_OUTBOX_GAP_GRACE_MS;
}

int rc_outbox_next(rc_outbox *o, const rc_outbox_row **rows, size_t *n, size_t *held, rc_err *err)
{
    *rows = NULL;
    *n = *held = 0;
    if (o->res) mysql_free_result(o->res);
    o->res = NULL;
    rc_buf *q = &o->sql;
    q->len = 0;
    rc_buf_printf(q,
                  "SELECT `id`, `grp`, `db`, `tbl`, `op`, `event` FROM %s WHERE `id` > %llu "
                  "ORDER BY `id` LIMIT %u",
                  o->qname, (unsigned long long)o->last, o->batch);
    MYSQL *m = rc_conn_mysql(o->conn);
    if (run(o, q->data, q->len) < 0) return query_error(o, "SELECT", err);
    MYSQL_RES *r = mysql_store_result(m);
    if (!r) return query_error(o, "SELECT", err);
    size_t total = (size_t)mysql_num_rows(r);
    if (total > o->cap) {
        free(o->rows);
        o->cap = total;
        o->rows = rc_xcalloc(o->cap, sizeof *o->rows);
    }
    double now = now_s();
    if (total) {
        /* The highest id read: every missing id below it is seen now. */
        mysql_data_seek(r, total - 1);
        MYSQL_ROW top = mysql_fetch_row(r);
        if (top && top[0]) seen_add(o, strtoull(top[0], NULL, 10), now);
        mysql_data_seek(r, 0);
    }
    uint64_t expect = o->last + 1;
    size_t k = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        unsigned long *len = mysql_fetch_lengths(r);
        uint64_t id = strtoull(row[0], NULL, 10);
        if (id != expect) {
            int ok = gap_settled(o, expect, id - 1, now, err);
            if (ok < 0) {
                mysql_free_result(r);
                return -1;
            }
            if (!ok) break;
        }
        rc_outbox_row *x = &o->rows[k++];
        x->id = id;
        x->group = row[1] ? row[1] : "";
        x->schema = row[2] ? row[2] : "";
        x->table = row[3] ? row[3] : "";
        x->op = row[4] ? row[4] : "";
        x->event = row[5] ? row[5] : "{}";
        x->event_len = row[5] ? len[5] : 2;
        expect = id + 1;
    }
    if (k) o->last = o->rows[k - 1].id;
    while (o->seen_len && o->seen[o->seen_head].id <= o->last) {
        o->seen_head = (o->seen_head + 1) % RC_OUTBOX_SEEN;
        o->seen_len--;
    }
    o->res = r;
    *rows = o->rows;
    *n = k;
    *held = total - k;
    return 0;
}

int rc_outbox_delete(rc_outbox *o, const uint64_t *ids, size_t n, rc_err *err)
{
    /* Runs of consecutive ids as BETWEEN ranges: one range per batch in the
     * usual case, and never an id that was not handed out. */
    size_t i = 0;
    while (i < n) {
        rc_buf *q = &o->sql;
        q->len = 0;
        rc_buf_printf(q, "DELETE FROM %s WHERE ", o->qname);
        for (int runs = 0; i < n && runs < 256; runs++) {
            size_t j = i;
            while (j + 1 < n && ids[j + 1] == ids[j] + 1)
                j++;
            if (runs) RC_BUF_LIT(q, " OR ");
            rc_buf_printf(q, "`id` BETWEEN %llu AND %llu", (unsigned long long)ids[i],
                          (unsigned long long)ids[j]);
            i = j + 1;
        }
        if (run(o, q->data, q->len) < 0) return query_error(o, "DELETE", err);
    }
    return 0;
}
