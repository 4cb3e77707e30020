/* rc_derive: see rc_derive.h. Lookups compare pointers and small strings;
 * a derived table is built only the first time a shape is seen. */
#include "filter/rc_derive.h"

#include <stdlib.h>
#include <string.h>

#include "core/rc_buf.h"

struct rc_derive {
    rc_derived *list;
};

rc_derive *rc_derive_new(void)
{
    return rc_xcalloc(1, sizeof(rc_derive));
}

static void derived_free(rc_derived *x)
{
    rc_table_drop_enc_caches(&x->t);
    rc_arena_free(&x->t.arena);
    free(x->map);
    free(x->drop);
    free(x->schema_key);
    free(x->table_key);
    free(x->before);
    free(x->after);
    free(x);
}

void rc_derive_free(rc_derive *d)
{
    if (!d) return;
    rc_derived *x = d->list;
    while (x) {
        rc_derived *n = x->next;
        derived_free(x);
        x = n;
    }
    free(d);
}

static int same_str(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return !strcmp(a, b);
}

static int same_shape(const rc_derived *x, const rc_table *src, const rc_shape *s)
{
    if (x->src != src || x->src_generation != src->generation) return 0;
    if (!same_str(x->schema_key, s->schema) || !same_str(x->table_key, s->table)) return 0;
    if (!x->drop || !s->drop) return !x->drop && !s->drop;
    return !memcmp(x->drop, s->drop, src->ncols);
}

static char *dup_or_null(const char *s)
{
    return s ? rc_xstrndup(s, strlen(s)) : NULL;
}

rc_derived *rc_derive_table(rc_derive *d, const rc_table *src, const rc_shape *s)
{
    rc_derived **pp = &d->list;
    while (*pp) {
        rc_derived *x = *pp;
        if (same_shape(x, src, s)) return x;
        if (x->src == src && x->src_generation != src->generation) {
            /* the source table changed: its old shapes are of no use */
            *pp = x->next;
            derived_free(x);
            continue;
        }
        pp = &x->next;
    }
    rc_derived *x = rc_xcalloc(1, sizeof *x);
    x->src = src;
    x->src_generation = src->generation;
    x->schema_key = dup_or_null(s->schema);
    x->table_key = dup_or_null(s->table);
    if (s->drop) {
        x->drop = rc_xmalloc(src->ncols);
        memcpy(x->drop, s->drop, src->ncols);
    }
    rc_table *t = &x->t;
    t->id = src->id;
    t->generation = src->generation;
    const char *schema = s->schema ? s->schema : src->schema;
    const char *name = s->table ? s->table : src->name;
    t->schema = rc_arena_strndup(&t->arena, schema, strlen(schema));
    t->name = rc_arena_strndup(&t->arena, name, strlen(name));
    t->has_names = src->has_names;
    t->keys_known = src->keys_known;
    t->scratch_need = src->scratch_need;
    x->map = rc_xmalloc(sizeof(uint32_t) * (src->ncols ? src->ncols : 1));
    t->cols = rc_arena_alloc(&t->arena, sizeof(rc_column) * (src->ncols ? src->ncols : 1));
    uint32_t *back = rc_xmalloc(sizeof(uint32_t) * (src->ncols ? src->ncols : 1));
    for (uint32_t i = 0; i < src->ncols; i++) {
        back[i] = UINT32_MAX;
        if (s->drop && s->drop[i]) continue;
        back[i] = t->ncols;
        x->map[t->ncols] = i;
        t->cols[t->ncols++] = src->cols[i]; /* names and labels stay the source's */
    }
    t->pk = rc_arena_alloc(&t->arena, sizeof(uint32_t) * (src->npk ? src->npk : 1));
    for (uint32_t k = 0; k < src->npk; k++)
        if (back[src->pk[k]] != UINT32_MAX) t->pk[t->npk++] = back[src->pk[k]];
    free(back);
    x->before = rc_xcalloc(t->ncols ? t->ncols : 1, sizeof(rc_value));
    x->after = rc_xcalloc(t->ncols ? t->ncols : 1, sizeof(rc_value));
    x->next = d->list;
    d->list = x;
    return x;
}

void rc_derive_change(const rc_derived *dt, const rc_change *c, rc_change *out)
{
    *out = *c;
    out->table = &dt->t;
    if (c->before) {
        for (uint32_t i = 0; i < dt->t.ncols; i++)
            dt->before[i] = c->before[dt->map[i]];
        out->before = dt->before;
    }
    if (c->after) {
        for (uint32_t i = 0; i < dt->t.ncols; i++)
            dt->after[i] = c->after[dt->map[i]];
        out->after = dt->after;
    }
}
