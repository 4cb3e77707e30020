/* rc_fevent: a row change as a Lua script sees it at the capture and
 * publish points (SPEC.md §4): `event.schema`, `event.table`,
 * `event.operation`, `event.new.col`, `event.old.col`, `event.query`,
 * `event.columns`, `event.primary`, `event.keys`, `event.timestamp`,
 * `event.position`, `event.gtid`, `event.server_id`, `event.group`.
 *
 * Nothing is converted until the script reads it: the event and its rows
 * are userdata whose fields are looked up on access (the five most read
 * through a plain table per operation, see rc_fevent.c). Writes are kept
 * aside (a column set to a value masks it, set to nil drops it; `table`,
 * `schema` and `group` can be set) and turned into a reshaped change after
 * the call. The event and its rows are one set of Lua values reused for
 * every call: a script that keeps them sees the current event. */
#ifndef RC_FEVENT_H
#define RC_FEVENT_H

#include <lua.h>

#include "core/rc_err.h"
#include "event/rc_event.h"

typedef struct rc_fevent rc_fevent;

rc_fevent *rc_fevent_new(lua_State *L);
void rc_fevent_free(rc_fevent *fe);

/* Makes c the event the next call sees. */
void rc_fevent_begin(rc_fevent *fe, const rc_change *c);
/* The event's registry reference: the argument of rc_lua_call_ref. */
int rc_fevent_ref(const rc_fevent *fe);
/* After the call: 0 if the script changed nothing; 1 with *out the changed
 * event (valid until the next rc_fevent_begin); -1 with err set if what it
 * wrote cannot be applied. Ends the event's validity in Lua either way. */
int rc_fevent_end(rc_fevent *fe, rc_change *out, rc_err *err);

#endif
