/* rc_lua: the sandboxed Lua runtime behind the four filter points (SPEC §4):
 * `capture` in rowcast stream, `publish` before each sink, `receive` and
 * `apply` in rowcast apply. Each point that has a script owns one rc_lua: a
 * private Lua state holding that script, its globals and upvalues, which live
 * from rc_lua_open to rc_lua_close (a counter kept in a global works).
 *
 * This module knows nothing of events: the caller passes a push_arg callback
 * that pushes the event as Lua sees it (the event binding builds that).
 *
 * The entry function is `filter(event)`; a script written for the seed article
 * may instead define the seed's name for its point: `before_write` for
 * capture and receive, `after_read` for publish and apply. If a script
 * defines both, `filter` wins. Returning true discards the event; false, nil
 * or nothing keeps it; anything else is an error.
 *
 * The sandbox: base (without dofile, loadfile; `load` takes text chunks
 * only; `print` writes to the log on stderr, because stdout carries events),
 * string (without string.dump), table, math, utf8, and an `os` holding only
 * time, clock and date. No io, package, debug or coroutine; `require` raises
 * "require is not available in rowcast filters".
 *
 * Limits: each call (and the script's top-level chunk, at open) may run
 * max_instructions Lua VM instructions; the whole state may hold max_memory
 * bytes. Time spent inside one C library call (a huge string.rep, a
 * pathological string.find pattern) is not counted as instructions; memory is.
 *
 * Errors: every error from the script is RC_E_USAGE (the user's script must be
 * fixed) and reads "FILE:LINE: message" where Lua knows a line, "FILE: message"
 * otherwise. A state is not thread-safe: one thread calls it at a time. */
#ifndef RC_LUA_H
#define RC_LUA_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "core/rc_err.h"

typedef struct rc_lua rc_lua;

typedef struct rc_lua_limits {
    uint64_t max_instructions; /* per call, 0 = default 10 million */
    size_t max_memory;         /* bytes for the whole state, 0 = default 64 MiB */
} rc_lua_limits;

#define RC_LUA_DEFAULT_INSTRUCTIONS 10000000u
#define RC_LUA_DEFAULT_MEMORY       ((size_t)64 << 20)

/* Loads the script at path into a fresh sandboxed state, runs its top-level
 * chunk and finds its entry function for point ("capture", "publish",
 * "receive", "apply"; NULL accepts only `filter`). lim may be NULL (defaults).
 * path is copied. Returns NULL with err filled (RC_E_USAGE) when the file
 * cannot be read, does not parse, fails or overruns a limit in its top-level
 * chunk, or defines no entry function; or for an unknown point. */
rc_lua *rc_lua_open(const char *path, const char *point, const rc_lua_limits *lim, rc_err *err);

/* Calls the entry function with one argument, the value push_arg pushes.
 * discard must not be NULL.
 * push_arg runs inside the protected call: it must push exactly one value
 * and return 0; it may raise Lua errors (lua_error, memory errors), which
 * fail the call like a script error; a non-zero return fails the call with
 * "FILE: could not pass the event to the filter". arg is passed through.
 *
 * Returns 0 with *discard = 1 when the function returned true, 0 when it
 * returned false, nil or nothing. Returns -1 with err filled (RC_E_USAGE) on a
 * runtime error ("FILE:LINE: message", at the innermost line of the script),
 * a return value of another type, an exhausted instruction budget or memory
 * cap. The caller appends the event's position and stops the stream; after
 * a limit error the state should not be called again (rc_lua_close it).
 *
 * Hot path: no C allocation per call. */
int rc_lua_call(rc_lua *L, int (*push_arg)(lua_State *, void *), void *arg, int *discard,
                rc_err *err);

/* rc_lua_call with an argument that already exists: the value the registry
 * holds at `ref` (luaL_ref). One protected call instead of two. */
int rc_lua_call_ref(rc_lua *L, int ref, int *discard, rc_err *err);

/* The traceback of the last runtime error from rc_lua_call ("" if none), for
 * debug logging. Valid until the next rc_lua_call or rc_lua_close. */
const char *rc_lua_traceback(const rc_lua *L);

/* The script's path, as given to rc_lua_open. */
const char *rc_lua_path(const rc_lua *L);

/* The Lua state, for the event binding (metatables, registry entries). It
 * stays owned by rc_lua; do not close it or change its hook or allocator. */
lua_State *rc_lua_state(rc_lua *L);

/* Closes the state and frees everything; NULL is a no-op. */
void rc_lua_close(rc_lua *L);

#endif
