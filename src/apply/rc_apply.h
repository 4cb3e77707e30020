/* rc_apply: the far end of the pipeline. `rowcast apply` receives the JSON
 * events that `rowcast stream` published (any transport's consume op), runs
 * the receive and apply filter points (SPEC.md §4) over them, and writes
 * what they keep into a target MySQL/MariaDB: row events as INSERT, UPDATE
 * or DELETE by primary key, statements as they are in their default
 * database. docs/apply.md is the user's side of this file.
 *
 * Exactly once: the events of one source transaction go into one target
 * transaction (with a few whole others, group commit) together with the
 * applier's position (rowcast.apply_position), so a crash loses both or
 * neither; an event whose position is not after the stored one is skipped,
 * which makes the transport's re-deliveries no-ops. Optionally through a
 * relay log (rc_relay.h) and on several connections (rc_workers.h); the
 * target side is rc_target.h. */
#ifndef RC_APPLY_H
#define RC_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "apply/rc_target.h"
#include "mysql/rc_url.h"
#include "sink/rc_sink.h"

/* "stop", "overwrite", "skip"; -1 for anything else. */
int rc_conflict_parse(const char *s, rc_conflict *out);

typedef struct rc_apply_opts {
    const char *name; /* the row of rowcast.apply_position; NULL: "default" */
    rc_conflict on_conflict;
    const char *const *receive; /* receive-point scripts, run in order */
    int nreceive;
    const char *const *apply; /* apply-point scripts, after the receive ones */
    int napply;
    const char *relay_dir;       /* --relay-log DIR, or NULL: apply as events arrive */
    uint64_t relay_segment_size; /* 0: 16 MiB */
    int relay_max_segments;      /* 0: 2 (the least) */
    int workers;                 /* --workers N; 0 or 1: one connection */
    volatile int *stop;          /* set by SIGINT/SIGTERM; also set when the applier fails */
} rc_apply_opts;

typedef struct rc_apply rc_apply;

/* Loads the scripts, opens the relay log (o->relay_dir), connects to target
 * (o->workers more connections with workers), creates
 * rowcast.apply_position if needed and reads the stored position. target
 * and o's strings must outlive the applier. NULL with err filled:
 * RC_E_USAGE (script), RC_E_IO/RC_E_CORRUPT (relay log),
 * RC_E_CONNECT/RC_E_AUTH, RC_E_SERVER/RC_E_PRIV (table). */
rc_apply *rc_apply_open(const rc_url *target, const rc_apply_opts *o, rc_err *err);

/* Reads url's group through the transport's consume op and applies every
 * event until *o->stop or an error (a conflict under --on-conflict stop, a
 * script error, a server error, a damaged relay log): -1 with err, the
 * open transaction left uncommitted (rc_apply_close rolls it back). With a
 * relay log, a second thread applies what the first wrote. */
int rc_apply_run(rc_apply *a, const rc_sink_ops *ops, const rc_url *from, const char *durable,
                 rc_err *err);

/* Counters for the closing log line. */
typedef struct rc_apply_stats {
    uint64_t received, applied, discarded, duplicates, conflicts, transactions, reconnects;
} rc_apply_stats;
const rc_apply_stats *rc_apply_stats_of(rc_apply *a);

/* Rolls back what is not committed, disconnects, frees; NULL is a no-op. */
void rc_apply_close(rc_apply *a);

#endif
