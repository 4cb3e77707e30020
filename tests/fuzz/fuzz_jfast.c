/* libFuzzer target: the applier's C reading of a JSON event (rc_jfast),
 * against the Lua one (rc_jevent_push) it stands in for. Whatever the bytes:
 * no crash and no read outside them; an event the C reading accepts, the
 * Lua one accepts too, and one it refuses, the Lua one refuses (the two
 * readings never disagree on what is an event). Every value it hands out is
 * read, so a pointer past its buffer shows under ASan. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <lauxlib.h>

#include "apply/rc_jfast.h"
#include "filter/rc_jevent.h"

static lua_State *L;
static rc_jfast F;
static int inited;

static size_t touch(const char *s, size_t n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (unsigned char)s[i];
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!inited) {
        L = luaL_newstate();
        rc_jfast_init(&F);
        inited = 1;
    }
    int rc = rc_jfast_parse(&F, (const char *)data, size);
    volatile size_t sum = 0;
    if (rc == RC_JF_OK) {
        const rc_jimage *imgs[2] = {&F.img_new, &F.img_old};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < imgs[k]->n; i++) {
                const rc_jcol *c = &imgs[k]->cols[i];
                sum += touch(c->name, c->namelen);
                if (c->v.s) sum += touch(c->v.s, c->v.n);
            }
        for (int l = 0; l < RC_JL_N; l++)
            for (size_t i = 0; i < F.list[l].n; i++)
                sum += F.list[l].items[i][0];
        if (F.query) sum += touch(F.query, F.querylen);
    }
    if (rc != RC_JF_OTHER) {
        int top = lua_gettop(L);
        rc_err err = {0};
        int lua_ok = rc_jevent_push(L, (const char *)data, size, &err) == 0;
        lua_settop(L, top);
        if (lua_ok != (rc == RC_JF_OK)) abort(); /* the two readings disagree */
    }
    (void)sum;
    return 0;
}
