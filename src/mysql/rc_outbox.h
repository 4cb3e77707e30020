/* rc_outbox: the reader side of trigger capture (docs/triggers.md). The
 * triggers `rowcast triggers` prints write one row per change into an
 * outbox table; `rowcast stream --source mysql-outbox://...` reads the rows
 * here, publishes them, and deletes those every sink has confirmed.
 *
 * Order. The outbox id is an AUTO_INCREMENT taken inside the trigger, when
 * the row is written, not when its transaction commits: a transaction that
 * commits later may hold a lower id than rows already visible. So rows are
 * handed out in id order and never past a gap whose writer is still open:
 * when the ids read are not consecutive, a locking read with NOWAIT over the
 * missing ids tells an open writer (its uncommitted rows are locked: wait,
 * poll again) from a rolled-back one (nothing there). An empty, unlocked
 * gap is passed once an id above it has been visible for
 * RC_OUTBOX_GAP_GRACE_MS, which covers the instant between the server
 * taking an id and inserting the row (so auto_increment_increment > 1,
 * where every id is a gap, costs that delay once per read, not per row).
 * Each row is therefore published after every row with a lower id, and two
 * changes of one row come in the order their transactions committed (the
 * second writer waited for the first one's row lock).
 *
 * Needs SELECT and DELETE on the outbox only; checked at open.
 * Not thread-safe. */
#ifndef RC_OUTBOX_H
#define RC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "mysql/rc_url.h"

#define RC_OUTBOX_GAP_GRACE_MS 200
#define RC_OUTBOX_INTERVAL_MS  50
#define RC_OUTBOX_BATCH        1000

typedef struct rc_outbox rc_outbox;

/* One outbox row; the pointers stay valid until the next rc_outbox_next. */
typedef struct rc_outbox_row {
    uint64_t id;
    const char *group; /* NUL-terminated */
    const char *schema;
    const char *table;
    const char *op; /* "insert", "update", "delete" */
    const char *event;
    size_t event_len;
} rc_outbox_row;

/* url: mysql-outbox://USER[:PASSWORD]@HOST:PORT/SCHEMA[?table=NAME&batch=N&interval=MS]
 * plus rc_conn_open's settings (ssl=1, socket=, ...). Connects and checks
 * that the outbox exists (RC_E_CONFIG otherwise, saying how to create it) and
 * that the user may SELECT and DELETE there (RC_E_PRIV with the GRANT).
 * Connection errors as rc_conn_open. url is not kept. */
int rc_outbox_open(rc_outbox **out, const rc_url *url, rc_err *err);
void rc_outbox_close(rc_outbox *o); /* NULL is fine */

/* After RC_E_LOST: a new connection, same position. */
int rc_outbox_reconnect(rc_outbox *o, rc_err *err);

/* The next rows that may be published, in id order (possibly none). *held
 * is the number of rows read but held back behind an unsettled gap. -1 on
 * error (RC_E_LOST: reconnect and call again; nothing is skipped). */
int rc_outbox_next(rc_outbox *o, const rc_outbox_row **rows, size_t *n, size_t *held, rc_err *err);

/* Deletes the rows with these ids (ascending), all of them handed out by
 * rc_outbox_next. Only those ids: a gap between them is left alone. */
int rc_outbox_delete(rc_outbox *o, const uint64_t *ids, size_t n, rc_err *err);

/* "SCHEMA.TABLE" of the outbox, for message ids and messages. */
const char *rc_outbox_name(const rc_outbox *o);
/* Milliseconds between polls when there is nothing to read. */
unsigned rc_outbox_interval_ms(const rc_outbox *o);

#endif
