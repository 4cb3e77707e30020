/* libFuzzer target: a JSON event as the receive and apply points get it
 * from the network (rc_jevent_push), and back (rc_jevent_serialize). Any
 * bytes must end in a table or an error, never a crash or an out-of-bounds
 * read; a table that was read must be written back as JSON that reads
 * again to a table that is written the same way (the round trip is stable). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "filter/rc_jevent.h"

static lua_State *L;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!L) L = luaL_newstate();
    rc_err err = {0};
    int top = lua_gettop(L);
    if (rc_jevent_push(L, (const char *)data, size, &err) == 0) {
        rc_buf once, twice;
        rc_buf_init(&once);
        rc_buf_init(&twice);
        if (rc_jevent_serialize(L, -1, &once, &err) == 0) {
            lua_settop(L, top);
            if (rc_jevent_push(L, once.data, once.len, &err) != 0) abort(); /* our own JSON */
            if (rc_jevent_serialize(L, -1, &twice, &err) != 0) abort();
            if (once.len != twice.len || memcmp(once.data, twice.data, once.len)) abort();
        }
        rc_buf_free(&once);
        rc_buf_free(&twice);
    }
    lua_settop(L, top);
    return 0;
}
