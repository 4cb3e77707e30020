/* rc_lua: the sandboxed Lua state each filter point runs its script in (see
 * rc_lua.h). The stream decodes an event, the event binding pushes it, and
 * rc_lua_call asks the script whether to drop it; so a call is on the hot
 * path and does no C allocation: the entry function sits in a registry ref,
 * the message handler and the call trampoline are light C functions, and the
 * traceback is built only when something failed.
 *
 * Limits are enforced from inside the state: a count hook charges
 * instructions against the per-call budget, and the allocator refuses to grow
 * the state past its cap, which Lua turns into a memory error that no script
 * can outrun. */
#include "filter/rc_lua.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "core/rc_log.h"

/* The hook fires every RC_LUA_CHUNK instructions: often enough that a budget
 * overrun is caught within a thousand instructions, rare enough to cost
 * nothing measurable per event. */
#define RC_LUA_CHUNK 1000

/* Below this much headroom the message handler skips the traceback, so that
 * a script failing near the memory cap still reports its own error rather
 * than a memory error from building the traceback. */
#define RC_LUA_TRACE_HEADROOM (64 * 1024)

struct rc_lua {
    lua_State *L;
    int ref;           /* registry ref of the entry function */
    const char *entry; /* its name (a string literal) */

    uint64_t max_instr; /* per call */
    uint64_t ran;       /* instructions charged in this call, in chunks */
    int chunk;          /* hook period */
    int budget_hit;     /* the budget ran out during this call */

    size_t max_mem;
    size_t used;
    int refused; /* the allocator refused a request during this call */

    char short_src[LUA_IDSIZE]; /* how Lua abbreviates the path in messages */
    char traceback[2048];
    char chunkname[]; /* "@" path: Lua's convention for a chunk from a file */
};

/* ---- allocator and instruction budget ---- */

/* Every allocation of the state goes through here, so `used` is the state's
 * whole footprint. Shrinking and freeing always succeed (Lua relies on
 * neither failing); growth past the cap returns NULL, which Lua first
 * answers with an emergency collection and then with a memory error. */
static void *rc_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    rc_lua *self = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        self->used -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > self->max_mem - self->used) {
        self->refused = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p && nsize > old) {
        self->refused = 1;
        return NULL;
    }
    /* A failed shrink keeps the old, larger block; Lua will free it as
     * nsize bytes, so it is counted as such. */
    self->used = self->used - old + nsize;
    return p ? p : ptr;
}

static rc_lua *rc_self(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

static void rc_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    rc_lua *self = rc_self(L);
    self->ran += (uint64_t)self->chunk;
    if (self->ran < self->max_instr && !self->budget_hit) return;
    /* A script can catch this error with pcall and loop again; firing on
     * every instruction from now on means its next instruction outside the
     * pcall fails too, and rc_lua_call reports the budget whatever the
     * script returned. */
    self->budget_hit = 1;
    lua_sethook(L, rc_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exhausted");
}

/* Starts a call's (or the top-level chunk's) accounting; lua_sethook also
 * restarts the hook's own countdown, so each call gets the full budget. */
static void rc_begin(rc_lua *self)
{
    self->ran = 0;
    self->budget_hit = 0;
    self->refused = 0;
    self->traceback[0] = '\0';
    lua_sethook(self->L, rc_hook, LUA_MASKCOUNT, self->chunk);
}

/* ---- error messages ---- */

static const char *rc_path(const rc_lua *self)
{
    return self->chunkname + 1;
}

/* "64 MiB", or KiB/bytes when the cap is not a whole number of MiB. */
static void rc_fmt_size(char *buf, size_t n, size_t bytes)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(buf, n, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes >> 10);
    else
        snprintf(buf, n, "%zu bytes", bytes);
}

static int rc_fail_budget(const rc_lua *self, rc_err *err)
{
    return rc_err_set(err, RC_E_USAGE,
                      "%s: filter ran past its budget of %" PRIu64 " instructions (endless loop?)",
                      rc_path(self), self->max_instr);
}

/* Formatted in C: when memory ran out, Lua may not be able to build a string. */
static int rc_fail_memory(const rc_lua *self, rc_err *err)
{
    char size[32];
    rc_fmt_size(size, sizeof size, self->max_mem);
    return rc_err_set(err, RC_E_USAGE, "%s: filter used more than %s", rc_path(self), size);
}

/* A Lua message as "PATH:LINE: message" or "PATH: message": Lua starts its
 * messages with short_src, which abbreviates long paths, so that prefix is
 * replaced with the full path. The result is kept on one line. */
static int rc_fail_msg(const rc_lua *self, const char *msg, rc_err *err)
{
    if (!msg) msg = "(error object is not a string)";
    size_t n = strlen(self->short_src);
    if (!strncmp(msg, self->short_src, n) && msg[n] == ':')
        rc_err_set(err, RC_E_USAGE, "%s%s", rc_path(self), msg + n);
    else
        rc_err_set(err, RC_E_USAGE, "%s: %s", rc_path(self), msg);
    if (err)
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    return -1;
}

/* How a failed protected call reads, whatever stopped it. The limits come
 * first: their Lua message ("not enough memory", the hook's) says less, and a
 * script may have caught and rethrown it as something else. */
static int rc_fail(const rc_lua *self, int status, rc_err *err)
{
    if (self->budget_hit) return rc_fail_budget(self, err);
    if (status == LUA_ERRMEM || (status == LUA_ERRERR && self->refused))
        return rc_fail_memory(self, err);
    /* Only a string is read: converting a number would allocate, unprotected. */
    lua_State *L = self->L;
    return rc_fail_msg(self, lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL, err);
}

/* The message handler: runs where the error was raised, before the stack
 * unwinds, so it can still see which line of the script was running. Error
 * objects raised without a position (error(x, 0), error({...}), errors from
 * push_arg) get the innermost line of this script; the traceback is kept
 * aside for debug logging and the one-line message goes back to the caller. */
static int rc_msgh(lua_State *L)
{
    rc_lua *self = rc_self(L);
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    size_t n = strlen(self->short_src);
    if (strncmp(msg, self->short_src, n) || msg[n] != ':') {
        lua_Debug ar;
        for (int level = 1; lua_getstack(L, level, &ar); level++) {
            if (!lua_getinfo(L, "Sl", &ar)) break;
            if (ar.currentline > 0 && !strcmp(ar.source, self->chunkname)) {
                msg = lua_pushfstring(L, "%s:%d: %s", self->short_src, ar.currentline, msg);
                break;
            }
        }
    }
    int top = lua_gettop(L); /* msg is at top (or is argument 1, then top == 1) */
    if (self->max_mem - self->used > RC_LUA_TRACE_HEADROOM) {
        luaL_traceback(L, L, msg, 1);
        snprintf(self->traceback, sizeof self->traceback, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
    }
    return 1;
}

/* ---- the sandbox ---- */

static int rc_print(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    rc_info("%s: %s", rc_path(rc_self(L)), lua_tostring(L, -1));
    return 0;
}

static int rc_require(lua_State *L)
{
    return luaL_error(L, "require is not available in rowcast filters");
}

/* `load`, but text chunks only: a binary chunk can be crafted to break the
 * VM's assumptions, escaping the sandbox. Calls the real load (upvalue 1)
 * with the mode forced to "t", keeping the caller's env argument (or its
 * absence, which load tells apart from nil). */
static int rc_load_text(lua_State *L)
{
    int n = lua_gettop(L);
    if (n < 3) {
        lua_settop(L, 3);
        n = 3;
    }
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static void rc_unset(lua_State *L, int table, const char *name)
{
    lua_pushnil(L);
    lua_setfield(L, table, name);
}

/* Builds the globals of the sandbox (see rc_lua.h for the list). Libraries
 * are opened whole and then trimmed; the full os table is never made global
 * nor registered, only its three harmless functions are copied out. */
static void rc_sandbox(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->name; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    rc_unset(L, g, "dofile");
    rc_unset(L, g, "loadfile");
    lua_getfield(L, g, "load");
    lua_pushcclosure(L, rc_load_text, 1);
    lua_setfield(L, g, "load");
    lua_pushcfunction(L, rc_print);
    lua_setfield(L, g, "print");
    lua_pushcfunction(L, rc_require);
    lua_setfield(L, g, "require");

    lua_getfield(L, g, LUA_STRLIBNAME);
    rc_unset(L, lua_gettop(L), "dump");
    lua_pop(L, 1);

    lua_pushcfunction(L, luaopen_os);
    lua_call(L, 0, 1);
    int full = lua_gettop(L);
    lua_createtable(L, 0, 3);
    static const char *const os_keep[] = {"time", "clock", "date"};
    for (size_t i = 0; i < sizeof os_keep / sizeof os_keep[0]; i++) {
        lua_getfield(L, full, os_keep[i]);
        lua_setfield(L, -2, os_keep[i]);
    }
    lua_setfield(L, g, LUA_OSLIBNAME);
    lua_settop(L, g - 1);
}

/* ---- open ---- */

/* The seed article's function name for a point; "" for an unknown point. */
static const char *rc_seed_name(const char *point)
{
    if (!point) return NULL;
    if (!strcmp(point, "capture") || !strcmp(point, "receive")) return "before_write";
    if (!strcmp(point, "publish") || !strcmp(point, "apply")) return "after_read";
    return "";
}

typedef struct rc_open_ctx {
    rc_lua *self;
    const char *seed; /* seed name for the point, or NULL */
    int status;       /* status of loading or running the chunk */
    int found;        /* 1 found, 0 missing, -1 not a function */
    const char *name; /* the global looked at last */
    int type;         /* its type when not a function */
} rc_open_ctx;

/* Everything of rc_lua_open that can raise, run under lua_pcall: building the
 * sandbox, loading and running the chunk, finding the entry function. */
static int rc_open_p(lua_State *L)
{
    rc_open_ctx *c = lua_touserdata(L, 1);
    rc_lua *self = c->self;
    rc_sandbox(L);

    /* Lua's short_src for this path, learnt from an empty chunk of the same
     * name, so messages can be matched even when the script does not parse. */
    lua_Debug ar;
    luaL_loadbufferx(L, "", 0, self->chunkname, "t");
    lua_getinfo(L, ">S", &ar);
    snprintf(self->short_src, sizeof self->short_src, "%s", ar.short_src);

    lua_pushcfunction(L, rc_msgh);
    int h = lua_gettop(L);
    c->status = luaL_loadfilex(L, rc_path(self), "t");
    if (c->status != LUA_OK) return lua_error(L);
    rc_begin(self);
    c->status = lua_pcall(L, 0, 0, h);
    if (c->status != LUA_OK) return lua_error(L);

    lua_pushglobaltable(L);
    const char *names[2] = {"filter", c->seed};
    c->found = 0;
    for (int i = 0; i < 2 && names[i] && !c->found; i++) {
        c->name = names[i];
        lua_pushstring(L, names[i]);
        lua_rawget(L, -2); /* raw: a metatable the script put on _G is not asked */
        c->type = lua_type(L, -1);
        if (c->type == LUA_TFUNCTION) {
            self->entry = names[i];
            self->ref = luaL_ref(L, LUA_REGISTRYINDEX);
            c->found = 1;
        } else if (c->type != LUA_TNIL) {
            c->found = -1;
        } else {
            lua_pop(L, 1);
        }
    }
    return 0;
}

rc_lua *rc_lua_open(const char *path, const char *point, const rc_lua_limits *lim, rc_err *err)
{
    const char *seed = rc_seed_name(point);
    if (seed && !*seed) {
        rc_err_set(err, RC_E_USAGE,
                   "unknown filter point '%s' (expected capture, publish, receive or apply)",
                   point);
        return NULL;
    }
    size_t plen = strlen(path);
    rc_lua *self = calloc(1, sizeof *self + plen + 2);
    if (!self) {
        rc_err_set(err, RC_E_INTERNAL, "out of memory");
        return NULL;
    }
    self->chunkname[0] = '@';
    memcpy(self->chunkname + 1, path, plen + 1);
    snprintf(self->short_src, sizeof self->short_src, "%s", path);
    self->ref = LUA_NOREF;
    self->max_instr =
        lim && lim->max_instructions ? lim->max_instructions : RC_LUA_DEFAULT_INSTRUCTIONS;
    self->max_mem = lim && lim->max_memory ? lim->max_memory : RC_LUA_DEFAULT_MEMORY;
    self->chunk = self->max_instr < RC_LUA_CHUNK ? (int)self->max_instr : RC_LUA_CHUNK;

    self->L = lua_newstate(rc_alloc, self);
    if (!self->L) {
        rc_fail_memory(self, err);
        free(self);
        return NULL;
    }
    lua_State *L = self->L;
    rc_open_ctx c = {.self = self, .seed = seed, .status = LUA_OK};
    lua_pushcfunction(L, rc_open_p);
    lua_pushlightuserdata(L, &c);
    int st = lua_pcall(L, 1, 0, 0);
    if (st != LUA_OK) {
        if (c.status == LUA_ERRFILE) {
            /* Lua says "cannot open PATH: reason"; keep the reason only. */
            const char *msg = lua_tostring(L, -1);
            const char *why = msg ? strrchr(msg, ':') : NULL;
            rc_err_set(err, RC_E_USAGE, "%s: cannot read filter script: %s", path,
                       why ? why + 2 : "unknown error");
        } else {
            rc_fail(self, c.status != LUA_OK ? c.status : st, err);
        }
        rc_lua_close(self);
        return NULL;
    }
    if (c.found != 1) {
        if (c.found < 0)
            rc_err_set(err, RC_E_USAGE, "%s: '%s' is a %s, not a function", path, c.name,
                       lua_typename(L, c.type));
        else if (seed)
            rc_err_set(err, RC_E_USAGE,
                       "%s: no filter function: define filter(event) (or %s(event), the seed's "
                       "name for point %s)",
                       path, seed, point);
        else
            rc_err_set(err, RC_E_USAGE, "%s: no filter function: define filter(event)", path);
        rc_lua_close(self);
        return NULL;
    }
    lua_settop(L, 0);
    return self;
}

/* ---- call ---- */

typedef struct rc_call_ctx {
    rc_lua *self;
    int (*push_arg)(lua_State *, void *);
    void *arg;
    int arg_failed;
} rc_call_ctx;

/* Runs under lua_pcall, so that push_arg's own errors (a memory error while
 * it builds the event table) are caught like the script's. */
static int rc_call_p(lua_State *L)
{
    rc_call_ctx *c = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->self->ref);
    int top = lua_gettop(L);
    if (c->push_arg(L, c->arg) != 0 || lua_gettop(L) != top + 1) {
        c->arg_failed = 1;
        return luaL_error(L, "could not pass the event to the filter");
    }
    lua_call(L, 1, 1);
    return 1;
}

/* The filter's result (at the top of the stack after lua_pcall returned st),
 * shared by both ways of calling it. */
static int rc_result(rc_lua *self, int st, int arg_failed, int *discard, rc_err *err)
{
    lua_State *L = self->L;
    if (st != LUA_OK || self->budget_hit) {
        int rc = rc_fail(self, st, err);
        if (arg_failed && !self->budget_hit && st == LUA_ERRRUN && err) err->code = RC_E_INTERNAL;
        return rc;
    }
    switch (lua_type(L, -1)) {
    case LUA_TBOOLEAN: *discard = lua_toboolean(L, -1); return 0;
    case LUA_TNIL: return 0;
    default:
        return rc_err_set(err, RC_E_USAGE, "%s: filter must return true, false or nil (got %s)",
                          rc_path(self), luaL_typename(L, -1));
    }
}

int rc_lua_call(rc_lua *self, int (*push_arg)(lua_State *, void *), void *arg, int *discard,
                rc_err *err)
{
    lua_State *L = self->L;
    int base = lua_gettop(L);
    rc_call_ctx c = {.self = self, .push_arg = push_arg, .arg = arg};
    *discard = 0;
    rc_begin(self);
    lua_pushcfunction(L, rc_msgh);
    lua_pushcfunction(L, rc_call_p);
    lua_pushlightuserdata(L, &c);
    int st = lua_pcall(L, 1, 1, base + 1);
    int rc = rc_result(self, st, c.arg_failed, discard, err);
    lua_settop(L, base);
    return rc;
}

int rc_lua_call_ref(rc_lua *self, int ref, int *discard, rc_err *err)
{
    lua_State *L = self->L;
    int base = lua_gettop(L);
    *discard = 0;
    rc_begin(self);
    /* Pushing a function and two values the registry already holds cannot
     * raise (the stack has LUA_MINSTACK free slots), so one protected call
     * is enough: the hot path of the capture and publish points. */
    lua_pushcfunction(L, rc_msgh);
    lua_rawgeti(L, LUA_REGISTRYINDEX, self->ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    int st = lua_pcall(L, 1, 1, base + 1);
    int rc = rc_result(self, st, 0, discard, err);
    lua_settop(L, base);
    return rc;
}

const char *rc_lua_traceback(const rc_lua *self)
{
    return self->traceback;
}

const char *rc_lua_path(const rc_lua *self)
{
    return rc_path(self);
}

lua_State *rc_lua_state(rc_lua *self)
{
    return self->L;
}

void rc_lua_close(rc_lua *self)
{
    if (!self) return;
    if (self->L) lua_close(self->L); /* frees through rc_alloc: self must outlive it */
    free(self);
}
