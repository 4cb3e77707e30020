/* rc_target: one connection to the database `rowcast apply` writes into,
 * and what happens on it: a source transaction's statements (rc_txn) run
 * in one target transaction with the applier's position
 * (rowcast.apply_position), the conflict policy, a lost connection won
 * back with backoff and the transaction run again, and the DDL marker that
 * makes a statement interrupted by a crash safe to meet again.
 *
 * rc_apply builds the rc_txn (SQL text from events); one rc_target runs it
 * (one connection per worker with --workers, see rc_workers.h). */
#ifndef RC_TARGET_H
#define RC_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"
#include "mysql/rc_url.h"

/* What to do when a change does not fit the target: an UPDATE or DELETE
 * finds no row, an INSERT finds its key taken. */
typedef enum {
    RC_CONFLICT_STOP = 0,  /* stop with an error naming table, row and position */
    RC_CONFLICT_OVERWRITE, /* make the target hold the event's row image */
    RC_CONFLICT_SKIP,      /* leave the target as it is, log a warning */
} rc_conflict;

enum { RC_ST_INSERT = 1, RC_ST_UPDATE, RC_ST_DELETE, RC_ST_QUERY };

/* One statement of a transaction. Texts are offsets into the rc_txn's
 * text buffer (one allocation per transaction, not per row). */
typedef struct rc_stmt {
    int kind;
    int ddl;                /* RC_ST_QUERY that commits implicitly (CREATE, ALTER, ...) */
    size_t sql, sqllen;     /* the statement */
    size_t alt, altlen;     /* UPDATE under overwrite: INSERT of the new image, if no row */
    size_t table, tablelen; /* "schema.table"; for RC_ST_QUERY the default database */
    size_t desc, desclen;   /* the row's key as "[401]", for messages */
    size_t pos, poslen;     /* the event's position, for messages */
} rc_stmt;

/* A source transaction as statements, and the position stored with it. */
typedef struct rc_txn {
    rc_buf text;
    rc_stmt *st;
    size_t n, cap;
    char pos[320]; /* "FILE:OFFSET:ROW" of its last event */
    char gtid[256];
    uint64_t *keys; /* hashes of (table, key) it writes, for rc_workers */
    size_t nkeys, kcap;
    int barrier;  /* a statement event: nothing runs beside it */
    uint64_t seq; /* rc_workers: order of arrival */
    uint64_t dep; /* rc_workers: the transaction it must wait for */
} rc_txn;

void rc_txn_init(rc_txn *x);
void rc_txn_reset(rc_txn *x);
void rc_txn_free(rc_txn *x);
/* A new statement whose fields the caller fills (offsets into x->text). */
rc_stmt *rc_txn_add(rc_txn *x, int kind);
/* The statement text of s. */
static inline const char *rc_txn_str(const rc_txn *x, size_t off)
{
    return x->text.data + off;
}

/* Counters, per connection (summed by the caller). */
typedef struct rc_target_stats {
    uint64_t applied, conflicts, transactions, reconnects;
} rc_target_stats;

typedef struct rc_target {
    struct rc_conn *conn;
    void *my; /* the MYSQL * of conn */
    const rc_url *url;
    const char *name; /* the row of rowcast.apply_position */
    rc_conflict on_conflict;
    int lock_wait_s;    /* innodb_lock_wait_timeout for the session; 0: the server's */
    volatile int *stop; /* SIGINT/SIGTERM: stop waiting for a lost server */
    int in_txn;
    unsigned last_errno;  /* the server's error number of the last failed statement */
    char stored[320];     /* the position the target holds (at open, after a reconnect) */
    char ddl_marker[320]; /* ddl_pending as read then: a statement a crash interrupted */
    rc_target_stats st;
} rc_target;

/* Connects (url and name are kept: they must outlive t), creates
 * rowcast.apply_position when missing and reads the stored position into
 * t->stored. Errors: RC_E_CONNECT, RC_E_AUTH, RC_E_SERVER, RC_E_PRIV. */
int rc_target_open(rc_target *t, const rc_url *url, const char *name, rc_conflict on_conflict,
                   int lock_wait_s, volatile int *stop, rc_err *err);
/* Rolls back what is open, disconnects. */
void rc_target_close(rc_target *t);

/* Runs sql; -1 with err "HOST:PORT: server error N: msg" (RC_E_LOST when
 * the connection is gone). *errno_out (may be NULL) gets the error number. */
int rc_target_exec(rc_target *t, const char *sql, size_t n, unsigned *errno_out, rc_err *err);

/* After RC_E_LOST: says so on stderr, connects again with backoff (0.5 s
 * doubling to 10 s) until the server is back or *stop, then reads the stored
 * position again. -1 when stopped or the login is refused. */
int rc_target_reconnect(rc_target *t, rc_err *err);

/* The two halves of rc_target_apply, for rc_workers (which commits in
 * source order): the statements in a new target transaction, then the
 * position and COMMIT. Either may fail with RC_E_LOST: the transaction is
 * then gone and must run again after rc_target_reconnect. */
int rc_target_run(rc_target *t, const rc_txn *x, rc_err *err);
int rc_target_commit(rc_target *t, const rc_txn *x, rc_err *err);
/* Is x the transaction the target last committed (its position stored)? */
int rc_target_holds(const rc_target *t, const rc_txn *x);

/* Runs x and commits it with its position; on a lost connection reconnects
 * and runs it again unless it was committed after all. */
int rc_target_apply(rc_target *t, const rc_txn *x, rc_err *err);

#endif
