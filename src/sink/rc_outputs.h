/* rc_outputs: the sinks of one `rowcast stream`, and the delivery rules
 * between the decoder and them (docs/sinks.md):
 *
 *  - every change gets a sequence number; each sink runs its own publish
 *    filter and encoder (its format), resolves the event's group (the
 *    filter's event.group, else the sink's group template with {schema},
 *    {table}, {operation}) and is handed the event;
 *  - a sink confirms events in order (rc_sink.acked); the caller checkpoints
 *    only transactions whose last change every sink confirmed
 *    (rc_outputs_acked);
 *  - bounded in flight: when a sink is more than `window` events behind,
 *    rc_outputs_change waits for it (the binlog read pauses); while a broker
 *    is away it retries with backoff, says so on stderr, and drops nothing. */
#ifndef RC_OUTPUTS_H
#define RC_OUTPUTS_H

#include <signal.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "encode/rc_enc.h"
#include "event/rc_event.h"
#include "filter/rc_filter.h"

typedef struct rc_outputs rc_outputs;

/* stop: set by a signal handler; waits give up when it becomes non-zero. */
rc_outputs *rc_outputs_new(volatile sig_atomic_t *stop);
void rc_outputs_free(rc_outputs *o);

/* Adds a sink: URL with the common settings format=, filter= (a publish
 * script for this sink) and group= (a template) in its query. The global
 * publish chain (--filter publish=...) runs for every sink before its own.
 * defaults: the format and no_queries from the command line. */
int rc_outputs_add(rc_outputs *o, const char *url, const rc_enc_opts *defaults, rc_fchain *publish,
                   rc_err *err);
int rc_outputs_count(const rc_outputs *o);

int rc_outputs_change(rc_outputs *o, const rc_change *c, rc_err *err);
int rc_outputs_txn_end(rc_outputs *o, const rc_txn_end *t, rc_err *err);
/* The input ended: close the open event (as not its transaction's last). */
void rc_outputs_finish(rc_outputs *o);

/* Sends what is complete and collects confirmations, waiting up to
 * timeout_ms for them (-1: until everything sent is confirmed, retrying
 * while a broker is away). */
int rc_outputs_flush(rc_outputs *o, int timeout_ms, rc_err *err);

/* Trigger capture: events arrive as JSON text in the seed format (from the
 * outbox) instead of from the decoder. Call before rc_outputs_add: sinks
 * then refuse formats other than seed, and a sink without group= sends each
 * event to its own group ("{group}"). */
void rc_outputs_set_json(rc_outputs *o);
/* Hands one JSON event to every sink (after its publish filters, run on the
 * JSON through rc_jevent). group: the event's own group; msgid: stable
 * across restarts, for JetStream's duplicate window. */
int rc_outputs_json(rc_outputs *o, const rc_fjson *ev, const char *group, const char *msgid,
                    rc_err *err);

/* The last sequence number given out, and the one every sink confirmed. */
uint64_t rc_outputs_seq(const rc_outputs *o);
uint64_t rc_outputs_acked(const rc_outputs *o);

#endif
