/* rc_jscript: one Lua filter script run on an event that travels as JSON
 * text (rc_jevent): `rowcast filter`, and the capture and publish points of
 * `rowcast stream --source mysql-outbox://...`, whose events come from the
 * outbox as text rather than as decoded changes. */
#ifndef RC_JSCRIPT_H
#define RC_JSCRIPT_H

#include <stddef.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"
#include "filter/rc_lua.h"

/* Runs the script's entry function on the event text[0..len). Returns
 *   1: kept; out (cleared first) holds the event as the script left it;
 *   0: the script discarded it;
 *  -1: the script failed, or what it left cannot be JSON (err: "FILE:LINE:
 *      message" or "FILE: cannot write the event: ...");
 *  -2: text is not a JSON event (err from rc_jevent_push: RC_E_CORRUPT).
 * group: NULL leaves `event.group` in the event like any field; otherwise a
 * string the script set there is moved out of the event into *group
 * (NUL-terminated; group->len 0 when none), since a group routes an event
 * and is not part of it. */
int rc_jscript_run(rc_lua *L, const char *text, size_t len, rc_buf *out, rc_buf *group,
                   rc_err *err);

#endif
