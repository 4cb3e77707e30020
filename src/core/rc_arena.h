/* rc_arena: bump allocation for things that live and die together (a table
 * map's names and labels). Freed all at once with rc_arena_free. */
#ifndef RC_ARENA_H
#define RC_ARENA_H

#include <stddef.h>

typedef struct rc_arena_chunk rc_arena_chunk;
typedef struct rc_arena {
    rc_arena_chunk *head;
} rc_arena;

void *rc_arena_alloc(rc_arena *a, size_t n); /* 8-byte aligned, zeroed */
char *rc_arena_strndup(rc_arena *a, const char *s, size_t n);
void rc_arena_free(rc_arena *a);

#endif
