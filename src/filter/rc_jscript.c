/* rc_jscript: see rc_jscript.h. */
#include "filter/rc_jscript.h"

#include <lauxlib.h>
#include <string.h>

#include "filter/rc_jevent.h"

/* Where the event waits in the registry while the script runs. */
static char rc_jscript_slot;

static int rc_jscript_push(lua_State *L, void *arg)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, arg);
    return 0;
}

int rc_jscript_run(rc_lua *S, const char *text, size_t len, rc_buf *out, rc_buf *group, rc_err *err)
{
    lua_State *L = rc_lua_state(S);
    int base = lua_gettop(L);
    if (rc_jevent_push(L, text, len, err) < 0) return -2;
    lua_rawsetp(L, LUA_REGISTRYINDEX, &rc_jscript_slot);
    int discard = 0;
    int rc = rc_lua_call(S, rc_jscript_push, &rc_jscript_slot, &discard, err);
    if (rc == 0 && !discard) {
        out->len = 0;
        lua_rawgetp(L, LUA_REGISTRYINDEX, &rc_jscript_slot);
        if (group) {
            group->len = 0;
            lua_getfield(L, -1, "group");
            if (lua_type(L, -1) == LUA_TSTRING) {
                size_t n;
                const char *g = lua_tolstring(L, -1, &n);
                rc_buf_put(group, g, n);
                rc_buf_putc(group, 0);
                group->len--;
            }
            lua_pop(L, 1);
            lua_pushnil(L);
            lua_setfield(L, -2, "group");
        }
        if (rc_jevent_serialize(L, -1, out, err) < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            rc = rc_err_set(err, RC_E_USAGE, "%s: cannot write the event: %s", rc_lua_path(S), msg);
        }
    }
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &rc_jscript_slot);
    lua_settop(L, base);
    if (rc < 0) return -1;
    return discard ? 0 : 1;
}
