/* rc_filter: one filter point of `rowcast stream` and `rowcast read` (capture,
 * or publish for a sink): the plain rules first (cheapest: a whole table or
 * kind of change goes before any script runs, and excluded columns are cut),
 * then each script in the order given, each seeing what the one before it
 * left. */
#ifndef RC_FILTER_H
#define RC_FILTER_H

#include "core/rc_err.h"
#include "event/rc_event.h"
#include "filter/rc_rules.h"

typedef struct rc_fchain rc_fchain;

rc_fchain *rc_fchain_new(const char *point);
void rc_fchain_free(rc_fchain *f);

/* The chain's rules (owned by the chain), to add --include etc. to. */
rc_rules *rc_fchain_rules(rc_fchain *f);
void rc_fchain_rules_used(rc_fchain *f); /* the rules are not empty */
/* Loads a script for this point. Errors: "FILE:LINE: message". */
int rc_fchain_add_script(rc_fchain *f, const char *path, rc_err *err);
/* 1 if the chain does anything. */
int rc_fchain_active(const rc_fchain *f);

/* Runs the chain over c. Returns 1 to keep it (*out is c, or a changed
 * change valid until the next call), 0 to discard it, -1 when a script
 * failed (err: "FILE:LINE: message (event at FILE:POS)"): the caller stops,
 * and the event is not lost (it was not written, the checkpoint is before it). */
int rc_fchain_run(rc_fchain *f, const rc_change *c, const rc_change **out, rc_err *err);

/* An event that travels as JSON text (trigger capture's outbox), with the
 * facts the rules need, read from the outbox row rather than the text. */
typedef struct rc_fjson {
    const char *text;
    size_t len;
    const char *schema, *table;
    rc_op op;
    const char *where; /* names the event in errors: "test.rowcast_outbox:42" */
} rc_fjson;

/* rc_fchain_run for a JSON event: the table and operation rules, then each
 * script through rc_jscript. (Column rules need the decoded table: the CLI
 * refuses --exclude-column for such sources.) Returns 1 to keep it, with
 * *out and *outlen the event (the input, or a buffer of the chain valid until
 * the next call) and *group the group a script routed it to (valid as
 * long; NULL when none did); 0 to discard it; -1 when a script failed (err
 * ends "(event WHERE)"). */
int rc_fchain_run_json(rc_fchain *f, const rc_fjson *ev, const char **out, size_t *outlen,
                       const char **group, rc_err *err);

#endif
