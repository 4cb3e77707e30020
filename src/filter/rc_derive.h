/* rc_derive: a table as a filter reshaped it (columns dropped, schema or
 * table renamed), so that every encoder renders a filtered event exactly as
 * it renders any other: the derived rc_table has its own names, keys and
 * encoder caches.
 *
 * Derived tables are cached per source table and shape: a filter that drops
 * the same column of every row builds one derived table, once. The cache owns
 * them; they live until the source table changes (its generation) or the
 * cache is freed. */
#ifndef RC_DERIVE_H
#define RC_DERIVE_H

#include <stdint.h>

#include "event/rc_event.h"

typedef struct rc_derive rc_derive;

typedef struct rc_shape {
    const uint8_t *drop; /* ncols bytes, 1 = drop; NULL = keep all */
    const char *schema;  /* new names, NULL = keep */
    const char *table;
} rc_shape;

/* A derived table and how its columns map to the source's. */
typedef struct rc_derived {
    rc_table t;
    const rc_table *src;
    uint64_t src_generation;
    uint32_t *map;                /* derived column -> source column */
    uint8_t *drop;                /* the shape's drop mask (ncols of src), or NULL */
    char *schema_key, *table_key; /* the shape's renames, or NULL */
    rc_value *before, *after;     /* value arrays for rc_derive_change */
    struct rc_derived *next;
} rc_derived;

rc_derive *rc_derive_new(void);
void rc_derive_free(rc_derive *d);

/* The derived table of src in this shape (cached). */
rc_derived *rc_derive_table(rc_derive *d, const rc_table *src, const rc_shape *shape);

/* Fills out as c reshaped to dt: values copied by the column map into dt's
 * arrays. out is valid while c's values are. */
void rc_derive_change(const rc_derived *dt, const rc_change *c, rc_change *out);

#endif
