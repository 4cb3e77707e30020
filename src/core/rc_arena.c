/* rc_arena: chunks of at least 4 KiB; a request larger than that gets a
 * chunk of its own. */
#include "rc_arena.h"

#include <stdlib.h>
#include <string.h>

#include "rc_buf.h"

struct rc_arena_chunk {
    rc_arena_chunk *next;
    size_t used, cap;
    _Alignas(8) unsigned char mem[];
};

void *rc_arena_alloc(rc_arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    rc_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        c = rc_xmalloc(sizeof *c + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *rc_arena_strndup(rc_arena *a, const char *s, size_t n)
{
    char *p = rc_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void rc_arena_free(rc_arena *a)
{
    rc_arena_chunk *c = a->head;
    while (c) {
        rc_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}
