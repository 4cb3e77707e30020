/* rc_target: a source transaction on the target server (see rc_target.h).
 *
 * Exactly once rests on one row: the position is upserted in the same
 * target transaction as the changes it describes, so the target holds both
 * or neither. A lost connection leaves that transaction rolled back by the
 * server unless its COMMIT got through; the stored position tells which,
 * because only this applier writes its row. DDL commits implicitly and so
 * cannot share the position's transaction: a marker row value (ddl_pending)
 * is committed first, and a statement met again under its own marker may
 * find its effect already there. */
#include "apply/rc_target.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mysql.h>

#include "core/rc_log.h"
#include "mysql/rc_conn.h"

/* ---- transactions as statements ------------------------------------------ */

void rc_txn_init(rc_txn *x)
{
    memset(x, 0, sizeof *x);
    rc_buf_init(&x->text);
}

void rc_txn_reset(rc_txn *x)
{
    x->text.len = 0;
    x->n = x->nkeys = 0;
    x->pos[0] = x->gtid[0] = 0;
    x->barrier = 0;
    x->seq = x->dep = 0;
}

void rc_txn_free(rc_txn *x)
{
    rc_buf_free(&x->text);
    free(x->st);
    free(x->keys);
    memset(x, 0, sizeof *x);
}

rc_stmt *rc_txn_add(rc_txn *x, int kind)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 16;
        x->st = rc_xrealloc(x->st, x->cap * sizeof *x->st);
    }
    rc_stmt *s = &x->st[x->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    return s;
}

/* ---- the connection ------------------------------------------------------ */

static int rc_target_fail(rc_target *t, unsigned *errno_out, rc_err *err);

int rc_target_exec(rc_target *t, const char *sql, size_t n, unsigned *errno_out, rc_err *err)
{
    if (errno_out) *errno_out = 0;
    MYSQL *my = t->my;
    if (mysql_real_query(my, sql, (unsigned long)n) == 0) {
        MYSQL_RES *r = mysql_store_result(my);
        if (r) mysql_free_result(r);
        return 0;
    }
    return rc_target_fail(t, errno_out, err);
}

/* err from the connection's last error; RC_E_LOST when it is gone. */
static int rc_target_fail(rc_target *t, unsigned *errno_out, rc_err *err)
{
    MYSQL *my = t->my;
    unsigned e = mysql_errno(my);
    if (errno_out) *errno_out = e;
    t->last_errno = e;
    /* CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED; and the
     * server's own "shutdown in progress" (1053) and a killed connection
     * (1927, ER_CONNECTION_KILLED) when the server is being stopped. */
    int lost = e == 2006 || e == 2013 || e == 2055 || e == 1053 || e == 1927;
    return rc_err_set(err, lost ? RC_E_LOST : RC_E_SERVER, "%s: server error %u: %s",
                      rc_conn_where(t->conn), e, mysql_error(my));
}

static int rc_target_execs(rc_target *t, const char *sql, rc_err *err)
{
    return rc_target_exec(t, sql, strlen(sql), NULL, err);
}

static void rc_target_string(rc_target *t, rc_buf *b, const char *s)
{
    size_t n = strlen(s);
    rc_buf_reserve(b, 2 * n + 3);
    b->data[b->len++] = '\'';
    b->len += mysql_real_escape_string(t->my, b->data + b->len, s, (unsigned long)n);
    b->data[b->len++] = '\'';
}

/* The stored position and DDL marker into t->stored, t->ddl_marker. */
static int rc_target_read(rc_target *t, rc_err *err)
{
    rc_buf q;
    rc_buf_init(&q);
    RC_BUF_LIT(&q, "SELECT position, ddl_pending FROM rowcast.apply_position WHERE name = ");
    rc_target_string(t, &q, t->name);
    MYSQL *my = t->my;
    for (int added = 0; mysql_real_query(my, q.data, (unsigned long)q.len);) {
        unsigned e = mysql_errno(my);
        int rc = -1;
        if (e == 1054 && !added) {
            /* A table made by an applier without the DDL marker: add it. */
            added = 1;
            rc = rc_target_execs(t,
                                 "ALTER TABLE rowcast.apply_position ADD COLUMN ddl_pending "
                                 "VARCHAR(600) NULL",
                                 err);
            if (rc == 0) continue;
        } else {
            rc_err_set(err, e >= 2000 && e < 3000 ? RC_E_LOST : RC_E_SERVER,
                       "%s: cannot read rowcast.apply_position: %s", rc_conn_where(t->conn),
                       mysql_error(my));
        }
        rc_buf_free(&q);
        return rc;
    }
    rc_buf_free(&q);
    MYSQL_RES *r = mysql_store_result(my);
    if (!r)
        return rc_err_set(err, RC_E_LOST, "%s: cannot read rowcast.apply_position: %s",
                          rc_conn_where(t->conn), mysql_error(my));
    t->stored[0] = t->ddl_marker[0] = 0;
    MYSQL_ROW row = mysql_fetch_row(r);
    if (row && row[0]) snprintf(t->stored, sizeof t->stored, "%s", row[0]);
    if (row && row[1]) snprintf(t->ddl_marker, sizeof t->ddl_marker, "%s", row[1]);
    mysql_free_result(r);
    return 0;
}

/* Connects and sets the session up. */
static int rc_target_connect(rc_target *t, rc_err *err)
{
    if (rc_conn_open(&t->conn, t->url, err) < 0) return -1;
    t->my = rc_conn_mysql(t->conn);
    t->in_txn = 0;
    /* A transaction's statements go in one round trip (rc_target_batch);
     * every value in them is escaped, every name quoted. */
    if (mysql_set_server_option(t->my, MYSQL_OPTION_MULTI_STATEMENTS_ON))
        return rc_target_fail(t, NULL, err);
    if (rc_target_execs(t, "SET autocommit = 1", err) < 0) return -1;
    if (t->lock_wait_s > 0) {
        char q[80];
        snprintf(q, sizeof q, "SET SESSION innodb_lock_wait_timeout = %d", t->lock_wait_s);
        if (rc_target_execs(t, q, err) < 0) return -1;
    }
    return 0;
}

int rc_target_open(rc_target *t, const rc_url *url, const char *name, rc_conflict on_conflict,
                   int lock_wait_s, volatile int *stop, rc_err *err)
{
    memset(t, 0, sizeof *t);
    t->url = url;
    t->name = name;
    t->on_conflict = on_conflict;
    t->lock_wait_s = lock_wait_s;
    t->stop = stop;
    if (rc_target_connect(t, err) < 0) return -1;
    if (rc_target_execs(t, "CREATE DATABASE IF NOT EXISTS rowcast", err) < 0 ||
        rc_target_execs(t,
                        "CREATE TABLE IF NOT EXISTS rowcast.apply_position ("
                        "name VARCHAR(64) NOT NULL PRIMARY KEY, position VARCHAR(600), "
                        "gtid TEXT, updated_at TIMESTAMP(6) NULL, ddl_pending VARCHAR(600) NULL) "
                        "ENGINE=InnoDB",
                        err) < 0)
        return -1;
    return rc_target_read(t, err);
}

void rc_target_close(rc_target *t)
{
    if (t->conn && t->in_txn) {
        rc_err ignored;
        rc_target_execs(t, "ROLLBACK", &ignored);
    }
    rc_conn_close(t->conn);
    t->conn = NULL;
    t->my = NULL;
}

int rc_target_reconnect(rc_target *t, rc_err *err)
{
    rc_warn("apply: %s; reconnecting", err->msg);
    int backoff = 500;
    for (;;) {
        rc_conn_close(t->conn);
        t->conn = NULL;
        t->in_txn = 0;
        for (int waited = 0; waited < backoff && !*t->stop; waited += 50)
            usleep(50 * 1000);
        if (*t->stop) return rc_err_set(err, RC_E_LOST, "apply: stopped while reconnecting");
        rc_err e2 = {0};
        if (rc_target_connect(t, &e2) == 0 && rc_target_read(t, &e2) == 0) break;
        if (e2.code != RC_E_CONNECT && e2.code != RC_E_LOST) {
            *err = e2;
            return -1;
        }
        rc_debug("apply: %s", e2.msg);
        if (backoff < 10000) backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
    }
    t->st.reconnects++;
    rc_warn("apply: reconnected to %s; the target holds %s", rc_conn_where(t->conn),
            t->stored[0] ? t->stored : "no position");
    return 0;
}

/* ---- statements ---------------------------------------------------------- */

/* Rows the last UPDATE found ("Rows matched: N" of mysql_info): affected
 * rows count only the rows it changed, and an update to the same values is
 * no conflict. */
static unsigned long long rc_rows_matched(MYSQL *my)
{
    const char *info = mysql_info(my);
    const char *m = info ? strstr(info, "matched:") : NULL;
    return m ? strtoull(m + 8, NULL, 10) : mysql_affected_rows(my);
}

static int rc_conflict_hit(rc_target *t, const rc_txn *x, const rc_stmt *s, const char *what,
                           rc_err *err)
{
    t->st.conflicts++;
    const char *tab = rc_txn_str(x, s->table), *desc = rc_txn_str(x, s->desc);
    const char *pos = s->poslen ? rc_txn_str(x, s->pos) : "?";
    if (t->on_conflict == RC_CONFLICT_STOP)
        return rc_err_set(err, RC_E_SCHEMA, "apply: %.*s row %.*s at %.*s: %s (--on-conflict stop)",
                          (int)s->tablelen, tab, (int)s->desclen, desc,
                          (int)(s->poslen ? s->poslen : 1), pos, what);
    rc_warn("apply: %.*s row %.*s at %.*s: %s (--on-conflict %s)", (int)s->tablelen, tab,
            (int)s->desclen, desc, (int)(s->poslen ? s->poslen : 1), pos, what,
            t->on_conflict == RC_CONFLICT_SKIP ? "skip: left as it is" : "overwrite");
    return 0;
}

/* Server errors that say a DDL statement's effect is there already. */
static int rc_ddl_done_already(unsigned e)
{
    static const unsigned codes[] = {
        1007, /* database exists */
        1008, /* database does not exist (DROP DATABASE) */
        1050, /* table exists */
        1051, /* unknown table (DROP TABLE) */
        1054, /* unknown column (CHANGE/RENAME COLUMN done) */
        1060, /* duplicate column */
        1061, /* duplicate key name */
        1091, /* cannot drop: no such column or key */
        1146, /* no such table (ALTER/RENAME of a renamed table) */
        1304, /* routine exists */
        1305, /* routine does not exist */
        1359, /* trigger exists */
        1360, /* trigger does not exist */
        1396, /* CREATE/DROP USER failed */
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i] == e) return 1;
    return 0;
}

static int rc_begin(rc_target *t, rc_err *err)
{
    if (t->in_txn) return 0;
    if (rc_target_execs(t, "START TRANSACTION", err) < 0) return -1;
    t->in_txn = 1;
    return 0;
}

/* A statement event: in its default database, as it is; DDL under its
 * marker. */
static int rc_run_query(rc_target *t, const rc_txn *x, const rc_stmt *s, rc_err *err)
{
    rc_buf use;
    rc_buf_init(&use);
    int rc = 0;
    unsigned eno = 0;
    int rerun = 0;
    if (s->ddl) {
        /* DDL commits implicitly: first commit what is open, then the
         * marker, so that after a crash the position is before this
         * statement and the marker names it. */
        rerun = t->ddl_marker[0] && !strcmp(t->ddl_marker, x->pos);
        if (t->in_txn) {
            rc = rc_target_execs(t, "COMMIT", err);
            t->in_txn = 0;
        }
        if (rc == 0) {
            RC_BUF_LIT(&use, "INSERT INTO rowcast.apply_position (name, ddl_pending) VALUES (");
            rc_target_string(t, &use, t->name);
            rc_buf_putc(&use, ',');
            rc_target_string(t, &use, x->pos);
            RC_BUF_LIT(&use, ") ON DUPLICATE KEY UPDATE ddl_pending = VALUES(ddl_pending)");
            rc = rc_target_exec(t, use.data, use.len, NULL, err);
            if (rc == 0) snprintf(t->ddl_marker, sizeof t->ddl_marker, "%s", x->pos);
        }
    } else {
        rc = rc_begin(t, err);
    }
    if (rc == 0 && s->tablelen) {
        use.len = 0;
        RC_BUF_LIT(&use, "USE `");
        for (size_t i = 0; i < s->tablelen; i++) {
            char c = rc_txn_str(x, s->table)[i];
            if (c == '`') rc_buf_putc(&use, '`');
            rc_buf_putc(&use, c);
        }
        rc_buf_putc(&use, '`');
        rc = rc_target_exec(t, use.data, use.len, &eno, err);
        /* The server names the new database as the default of its own
         * CREATE DATABASE: not there yet, and not needed. */
        if (rc < 0 && eno == 1049) rc = 0; /* ER_BAD_DB_ERROR */
    }
    rc_buf_free(&use);
    const char *q = rc_txn_str(x, s->sql);
    if (rc == 0) rc = rc_target_exec(t, q, s->sqllen, &eno, err);
    if (rc < 0 && rerun && err->code != RC_E_LOST && rc_ddl_done_already(eno)) {
        rc_warn("apply: statement at %s (%.200s) was cut off by a crash before its position was "
                "stored, and its effect is there already (%s): counted as applied",
                x->pos, q, err->msg);
        rc = 0;
    }
    if (rc < 0 && s->ddl && err->code != RC_E_LOST && t->ddl_marker[0]) {
        /* The statement failed, it was not cut off: the marker must not
         * vouch for it on the next start. */
        rc_buf clear;
        rc_buf_init(&clear);
        RC_BUF_LIT(&clear, "UPDATE rowcast.apply_position SET ddl_pending = NULL WHERE name = ");
        rc_target_string(t, &clear, t->name);
        rc_err ignored;
        rc_target_exec(t, clear.data, clear.len, NULL, &ignored);
        rc_buf_free(&clear);
        t->ddl_marker[0] = 0;
    }
    if (rc < 0 && err->code != RC_E_LOST) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        rc_err_set(err, err->code, "apply: statement at %.*s (%.200s): %s",
                   (int)(s->poslen ? s->poslen : 1), s->poslen ? rc_txn_str(x, s->pos) : "?", q,
                   msg);
    }
    if (rc == 0) t->st.applied++;
    return rc;
}

/* One row change, with the conflict policy. */
static int rc_run_row(rc_target *t, const rc_txn *x, const rc_stmt *s, rc_err *err)
{
    if (rc_begin(t, err) < 0) return -1;
    unsigned eno = 0;
    int rc = rc_target_exec(t, rc_txn_str(x, s->sql), s->sqllen, &eno, err);
    if (rc < 0 && err->code == RC_E_LOST) return -1;
    if (s->kind == RC_ST_INSERT) {
        if (rc < 0 && eno == 1062) /* ER_DUP_ENTRY */
            rc = rc_conflict_hit(t, x, s, "already there (duplicate key)", err);
    } else if (rc < 0 && s->kind == RC_ST_UPDATE && eno == 1062) {
        rc = rc_conflict_hit(t, x, s, "the new key is already there (duplicate key)", err);
    } else if (rc == 0 && (s->kind == RC_ST_UPDATE ? rc_rows_matched(t->my)
                                                   : mysql_affected_rows(t->my)) == 0) {
        rc = rc_conflict_hit(t, x, s, "not there", err);
        if (rc == 0 && s->altlen) /* overwrite: the target should hold the new image */
            rc = rc_target_exec(t, rc_txn_str(x, s->alt), s->altlen, NULL, err);
    }
    if (rc == 0) t->st.applied++;
    if (rc < 0 && err->code != RC_E_SCHEMA && err->code != RC_E_LOST) {
        static const char *ops[] = {"", "insert", "update", "delete"};
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        rc_err_set(err, err->code, "apply: %.*s %s at %.*s: %s", (int)s->tablelen,
                   rc_txn_str(x, s->table), ops[s->kind], (int)(s->poslen ? s->poslen : 1),
                   s->poslen ? rc_txn_str(x, s->pos) : "?", msg);
    }
    return rc;
}

/* Runs several statements (';'-separated) in one round trip. rows[i] gets
 * the rows the i-th found (matched for an UPDATE), for up to nrows of them.
 * -1 with err at the first that fails (the server runs none after it). */
static int rc_target_batch(rc_target *t, const char *sql, size_t n, unsigned long long *rows,
                           size_t nrows, rc_err *err)
{
    MYSQL *my = t->my;
    if (mysql_real_query(my, sql, (unsigned long)n)) return rc_target_fail(t, NULL, err);
    for (size_t i = 0;; i++) {
        MYSQL_RES *r = mysql_store_result(my);
        if (r) mysql_free_result(r);
        if (i < nrows) rows[i] = rc_rows_matched(my);
        int more = mysql_next_result(my);
        if (more > 0) return rc_target_fail(t, NULL, err);
        if (more < 0) return 0;
    }
}

/* The whole transaction in one round trip: nothing may be a conflict
 * (every UPDATE and DELETE finds its row, no INSERT a duplicate). 1 when
 * done, 0 when it must go statement by statement (a conflict or an error:
 * rolled back, the slow path says what it is), -1 when the connection is
 * gone. */
static int rc_target_run_fast(rc_target *t, const rc_txn *x, rc_err *err)
{
    rc_buf b;
    rc_buf_init(&b);
    RC_BUF_LIT(&b, "START TRANSACTION");
    /* check[k]: the k-th result must have found a row (UPDATE, DELETE).
     * Adjacent INSERTs into the same columns become one multi-row INSERT
     * (the server parses one statement); a duplicate in it fails it whole,
     * and the slow path then goes row by row. */
    unsigned char *check = rc_xcalloc(x->n + 1, 1);
    size_t nres = 1, prev_ins = 0, prev_len = 0;
    for (size_t i = 0; i < x->n; i++) {
        const rc_stmt *st = &x->st[i];
        const char *q = rc_txn_str(x, st->sql);
        const char *v = st->kind == RC_ST_INSERT && !st->altlen
                            ? memmem(q, st->sqllen, ") VALUES (", 10)
                            : NULL;
        size_t head = v ? (size_t)(v - q) + 9 : 0; /* up to and with "VALUES " */
        if (v && prev_len == head && !memcmp(b.data + prev_ins, q, head) &&
            !memmem(q + head, st->sqllen - head, " ON DUPLICATE KEY", 17)) {
            rc_buf_putc(&b, ',');
            rc_buf_put(&b, q + head, st->sqllen - head);
            continue;
        }
        rc_buf_putc(&b, ';');
        prev_ins = b.len;
        prev_len = v && !memmem(q + head, st->sqllen - head, " ON DUPLICATE KEY", 17) ? head : 0;
        rc_buf_put(&b, q, st->sqllen);
        check[nres++] = st->kind != RC_ST_INSERT;
    }
    unsigned long long *rows = rc_xcalloc(nres, sizeof *rows);
    int rc = rc_target_batch(t, b.data, b.len, rows, nres, err);
    rc_buf_free(&b);
    if (rc == 0 || err->code != RC_E_LOST) t->in_txn = 1;
    int clean = rc == 0;
    for (size_t k = 1; clean && k < nres; k++)
        if (check[k] && rows[k] == 0) clean = 0;
    free(rows);
    free(check);
    if (rc < 0 && err->code == RC_E_LOST) return -1;
    if (clean) {
        t->st.applied += x->n;
        return 1;
    }
    rc_err ignored;
    if (rc_target_execs(t, "ROLLBACK", &ignored) < 0 && ignored.code == RC_E_LOST) {
        *err = ignored;
        return -1;
    }
    t->in_txn = 0;
    return 0;
}

int rc_target_run(rc_target *t, const rc_txn *x, rc_err *err)
{
    /* Not inside a transaction already open (a large one applied as it
     * comes): the fast path's rollback would take its earlier part along. */
    int plain = x->n > 0 && !t->in_txn;
    for (size_t i = 0; plain && i < x->n; i++)
        if (x->st[i].kind == RC_ST_QUERY) plain = 0;
    if (plain) {
        int fast = rc_target_run_fast(t, x, err);
        if (fast) return fast < 0 ? -1 : 0;
    }
    for (size_t i = 0; i < x->n; i++) {
        const rc_stmt *s = &x->st[i];
        int rc = s->kind == RC_ST_QUERY ? rc_run_query(t, x, s, err) : rc_run_row(t, x, s, err);
        if (rc < 0) return -1;
    }
    return 0;
}

int rc_target_commit(rc_target *t, const rc_txn *x, rc_err *err)
{
    if (x->pos[0]) {
        rc_buf b;
        rc_buf_init(&b);
        if (!t->in_txn) RC_BUF_LIT(&b, "START TRANSACTION;");
        RC_BUF_LIT(&b, "INSERT INTO rowcast.apply_position (name, position, gtid, updated_at, "
                       "ddl_pending) VALUES (");
        rc_target_string(t, &b, t->name);
        rc_buf_putc(&b, ',');
        rc_target_string(t, &b, x->pos);
        rc_buf_putc(&b, ',');
        if (x->gtid[0])
            rc_target_string(t, &b, x->gtid);
        else
            RC_BUF_LIT(&b, "NULL");
        RC_BUF_LIT(&b, ", NOW(6), NULL) ON DUPLICATE KEY UPDATE position = VALUES(position), "
                       "gtid = VALUES(gtid), updated_at = VALUES(updated_at), ddl_pending = NULL;"
                       "COMMIT");
        /* One round trip: the position and the COMMIT. */
        t->in_txn = 1;
        int rc = rc_target_batch(t, b.data, b.len, NULL, 0, err);
        rc_buf_free(&b);
        if (rc < 0) return -1;
    } else {
        if (!t->in_txn) return 0;
        if (rc_target_execs(t, "COMMIT", err) < 0) return -1;
    }
    t->in_txn = 0;
    t->ddl_marker[0] = 0;
    snprintf(t->stored, sizeof t->stored, "%s", x->pos);
    t->st.transactions++;
    return 0;
}

int rc_target_holds(const rc_target *t, const rc_txn *x)
{
    return x->pos[0] && !strcmp(t->stored, x->pos);
}

int rc_target_apply(rc_target *t, const rc_txn *x, rc_err *err)
{
    for (;;) {
        uint64_t applied = t->st.applied;
        if (rc_target_run(t, x, err) == 0 && rc_target_commit(t, x, err) == 0) return 0;
        if (err->code != RC_E_LOST) return -1;
        /* The server rolled the transaction back, unless the COMMIT got
         * through before the connection broke: the stored position says. */
        t->st.applied = applied;
        if (rc_target_reconnect(t, err) < 0) return -1;
        if (rc_target_holds(t, x)) {
            t->st.transactions++;
            return 0;
        }
    }
}
