/* rc_apply: the far end of the pipeline. `rowcast apply` receives the JSON
 * events that `rowcast stream` published (any transport's consume op), runs
 * the receive and apply filter points (SPEC.md §4) over them, and writes
 * what they keep into a target MySQL/MariaDB: row events as INSERT, UPDATE
 * or DELETE by primary key, statements as they are in their default
 * database. docs/apply.md is the user's side of this file.
 *
 * Exactly once: the events of one source transaction go into one target
 * transaction together with the applier's position (rowcast.apply_position),
 * so a crash loses both or neither; an event whose position is not after the
 * stored one is skipped, which makes the transport's re-deliveries no-ops. */
#ifndef RC_APPLY_H
#define RC_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "mysql/rc_url.h"

/* What to do when a change does not fit the target: an UPDATE or DELETE
 * finds no row, an INSERT finds its key taken. */
typedef enum {
    RC_CONFLICT_STOP = 0,  /* stop with an error naming table, row and position */
    RC_CONFLICT_OVERWRITE, /* make the target hold the event's row image */
    RC_CONFLICT_SKIP,      /* leave the target as it is, log a warning */
} rc_conflict;

/* "stop", "overwrite", "skip"; -1 for anything else. */
int rc_conflict_parse(const char *s, rc_conflict *out);

typedef struct rc_apply_opts {
    const char *name; /* the row of rowcast.apply_position; NULL: "default" */
    rc_conflict on_conflict;
    const char *const *receive; /* receive-point scripts, run in order */
    int nreceive;
    const char *const *apply; /* apply-point scripts, after the receive ones */
    int napply;
} rc_apply_opts;

typedef struct rc_apply rc_apply;

/* Loads the scripts, connects to target, creates rowcast.apply_position if
 * needed and reads the stored position. NULL with err filled: RC_E_USAGE
 * (script), RC_E_CONNECT/RC_E_AUTH, RC_E_SERVER/RC_E_PRIV (table). */
rc_apply *rc_apply_open(const rc_url *target, const rc_apply_opts *o, rc_err *err);

/* One event (JSON text), an rc_sink_on_event: returns RC_SINK_DONE (0) when
 * everything received so far is committed on the target (or needs nothing),
 * RC_SINK_HOLD (1) while its transaction is still open, -1 with err filled on
 * a conflict under --on-conflict stop, a script error, a server error; the
 * open transaction is then left uncommitted (rc_apply_close rolls it back). */
int rc_apply_event(void *apply, const char *data, size_t len, rc_err *err);

/* Counters for the closing log line. */
typedef struct rc_apply_stats {
    uint64_t received, applied, discarded, duplicates, conflicts, transactions;
} rc_apply_stats;
const rc_apply_stats *rc_apply_stats_of(const rc_apply *a);

/* Rolls back what is not committed, disconnects, frees; NULL is a no-op. */
void rc_apply_close(rc_apply *a);

#endif
