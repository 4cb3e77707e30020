/* rc_tablemap: TABLE_MAP events into rc_table, with the optional metadata
 * (binlog_row_metadata=FULL/MINIMAL) that names columns and gives their
 * signedness, charsets, ENUM/SET labels and the primary key.
 *
 * A table map precedes the rows events of every statement, so the same map
 * arrives again and again: a byte compare against the cached body makes a
 * repeat cost a memcmp and no allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/rc_decode_int.h"

enum {
    OM_SIGNEDNESS = 1,
    OM_DEFAULT_CHARSET = 2,
    OM_COLUMN_CHARSET = 3,
    OM_COLUMN_NAME = 4,
    OM_SET_STR_VALUE = 5,
    OM_ENUM_STR_VALUE = 6,
    OM_GEOMETRY_TYPE = 7,
    OM_SIMPLE_PRIMARY_KEY = 8,
    OM_PRIMARY_KEY_WITH_PREFIX = 9,
    OM_ENUM_AND_SET_DEFAULT_CHARSET = 10,
    OM_ENUM_AND_SET_COLUMN_CHARSET = 11,
    OM_COLUMN_VISIBILITY = 12,
    OM_VECTOR_DIMENSIONALITY = 13,
};

int rc_read_packed(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    if (p >= end) return -1;
    uint8_t b = *p++;
    size_t n = 0;
    if (b < 251) {
        *out = b;
        *pp = p;
        return 0;
    }
    if (b == 252)
        n = 2;
    else if (b == 253)
        n = 3;
    else if (b == 254)
        n = 8;
    else
        return -1; /* 251 is SQL NULL, never a length here */
    if ((size_t)(end - p) < n) return -1;
    *out = rc_le_n(p, n);
    *pp = p + n;
    return 0;
}

#define RD_PACKED(r, dst)                                                                          \
    do {                                                                                           \
        if (rc_read_packed(&(r)->p, (r)->end, &(dst)) < 0) goto bad;                               \
    } while (0)

static int is_numeric(uint8_t t)
{
    switch (t) {
    case RC_T_TINY:
    case RC_T_SHORT:
    case RC_T_INT24:
    case RC_T_LONG:
    case RC_T_LONGLONG:
    case RC_T_NEWDECIMAL:
    case RC_T_DECIMAL:
    case RC_T_FLOAT:
    case RC_T_DOUBLE: return 1;
    default: return 0;
    }
}

/* Columns the charset metadata counts: text and blob-like columns, not
 * ENUM/SET (they have their own lists). GEOMETRY and VECTOR are stored as
 * blobs and counted too (see fixtures/EXPECTED.md §5 item 3). */
static int is_character(const rc_column *c)
{
    switch (c->real_type) {
    case RC_T_STRING:
    case RC_T_VAR_STRING:
    case RC_T_VARCHAR:
    case RC_T_BLOB:
    case RC_T_TINY_BLOB:
    case RC_T_MEDIUM_BLOB:
    case RC_T_LONG_BLOB:
    case RC_T_GEOMETRY:
    case RC_T_VECTOR: return 1;
    default: return 0;
    }
}

static int is_enum_set(const rc_column *c)
{
    return c->real_type == RC_T_ENUM || c->real_type == RC_T_SET;
}

/* Reads one column's type metadata from the metadata block. */
static int read_col_meta(rc_column *c, rc_rd *r)
{
    const uint8_t *m;
    c->real_type = c->type;
    switch (c->type) {
    case RC_T_FLOAT:
    case RC_T_DOUBLE:
    case RC_T_BLOB:
    case RC_T_TINY_BLOB:
    case RC_T_MEDIUM_BLOB:
    case RC_T_LONG_BLOB:
    case RC_T_GEOMETRY:
    case RC_T_JSON:
    case RC_T_VECTOR:
    case RC_T_TIME2:
    case RC_T_DATETIME2:
    case RC_T_TIMESTAMP2:
        RD_PTR(r, m, 1);
        c->meta = m[0];
        break;
    case RC_T_VARCHAR:
        RD_PTR(r, m, 2);
        c->meta = rc_le16(m);
        break;
    case RC_T_BIT:
        RD_PTR(r, m, 2);
        c->meta = (uint16_t)(m[1] * 8 + m[0]); /* bytes * 8 + bits in the last byte */
        break;
    case RC_T_NEWDECIMAL:
        RD_PTR(r, m, 2);
        c->meta = (uint16_t)(m[0] << 8 | m[1]); /* precision, scale */
        break;
    case RC_T_STRING:
    case RC_T_VAR_STRING:
    case RC_T_ENUM:
    case RC_T_SET:
        RD_PTR(r, m, 2);
        /* The first byte is the real type; lengths over 255 borrow its bits
         * 4-5 (inverted) as bits 8-9 of the length. */
        if ((m[0] & 0x30) != 0x30) {
            c->real_type = m[0] | 0x30;
            c->meta = (uint16_t)(m[1] | (((m[0] & 0x30) ^ 0x30) << 4));
        } else {
            c->real_type = m[0];
            c->meta = m[1];
        }
        if (c->type == RC_T_ENUM || c->type == RC_T_SET) c->real_type = c->type;
        break;
    default: break;
    }
    return 0;
bad:
    return -1;
}

/* MSB-first bitmaps are used by the optional metadata. */
static int bit_msb(const uint8_t *p, size_t i)
{
    return p[i / 8] >> (7 - i % 8) & 1;
}

static int read_labels(rc_table *t, rc_rd *r, int want_set)
{
    for (uint32_t i = 0; i < t->ncols; i++) {
        rc_column *c = &t->cols[i];
        if (c->real_type != (want_set ? RC_T_SET : RC_T_ENUM)) continue;
        uint64_t n;
        RD_PACKED(r, n);
        if (n > rc_rd_left(r)) goto bad; /* each label takes a byte at least */
        c->nlabels = (uint32_t)n;
        const char **labels = rc_arena_alloc(&t->arena, sizeof(char *) * (n ? n : 1));
        uint32_t *lens = rc_arena_alloc(&t->arena, sizeof(uint32_t) * (n ? n : 1));
        for (uint64_t k = 0; k < n; k++) {
            uint64_t len;
            const uint8_t *s;
            RD_PACKED(r, len);
            RD_PTR(r, s, len);
            labels[k] = rc_arena_strndup(&t->arena, (const char *)s, len);
            lens[k] = (uint32_t)len;
        }
        c->labels = labels;
        c->label_lens = lens;
    }
    return 0;
bad:
    return -1;
}

/* DEFAULT_CHARSET style: a default collation, then (index, collation) pairs
 * for the columns that differ; indexes count only the selected columns. */
static int read_default_charset(rc_table *t, rc_rd *r, const uint8_t *end, int enumset)
{
    uint64_t def;
    rc_rd sub = {r->p, r->p, end};
    RD_PACKED(&sub, def);
    for (uint32_t i = 0; i < t->ncols; i++)
        if (enumset ? is_enum_set(&t->cols[i]) : is_character(&t->cols[i]))
            t->cols[i].collation = (uint16_t)def;
    while (rc_rd_left(&sub)) {
        uint64_t idx, coll;
        RD_PACKED(&sub, idx);
        RD_PACKED(&sub, coll);
        uint64_t k = 0;
        for (uint32_t i = 0; i < t->ncols; i++) {
            if (!(enumset ? is_enum_set(&t->cols[i]) : is_character(&t->cols[i]))) continue;
            if (k++ == idx) {
                t->cols[i].collation = (uint16_t)coll;
                break;
            }
        }
    }
    return 0;
bad:
    return -1;
}

static int read_column_charset(rc_table *t, rc_rd *r, const uint8_t *end, int enumset)
{
    rc_rd sub = {r->p, r->p, end};
    for (uint32_t i = 0; i < t->ncols && rc_rd_left(&sub); i++) {
        if (!(enumset ? is_enum_set(&t->cols[i]) : is_character(&t->cols[i]))) continue;
        uint64_t coll;
        RD_PACKED(&sub, coll);
        t->cols[i].collation = (uint16_t)coll;
    }
    return 0;
bad:
    return -1;
}

static int read_optional(rc_table *t, rc_rd *r)
{
    while (rc_rd_left(r)) {
        uint8_t type;
        uint64_t len;
        RD_U8(r, type);
        RD_PACKED(r, len);
        RD_NEED(r, len);
        const uint8_t *end = r->p + len;
        rc_rd sub = {r->p, r->p, end};
        switch (type) {
        case OM_SIGNEDNESS: {
            size_t k = 0;
            for (uint32_t i = 0; i < t->ncols; i++) {
                if (!is_numeric(t->cols[i].type)) continue;
                if (k / 8 >= len) goto bad;
                t->cols[i].is_unsigned = (uint8_t)bit_msb(sub.p, k);
                k++;
            }
            break;
        }
        case OM_DEFAULT_CHARSET:
            if (read_default_charset(t, &sub, end, 0) < 0) goto bad;
            break;
        case OM_ENUM_AND_SET_DEFAULT_CHARSET:
            if (read_default_charset(t, &sub, end, 1) < 0) goto bad;
            break;
        case OM_COLUMN_CHARSET:
            if (read_column_charset(t, &sub, end, 0) < 0) goto bad;
            break;
        case OM_ENUM_AND_SET_COLUMN_CHARSET:
            if (read_column_charset(t, &sub, end, 1) < 0) goto bad;
            break;
        case OM_COLUMN_NAME:
            for (uint32_t i = 0; i < t->ncols; i++) {
                uint64_t n;
                const uint8_t *s;
                RD_PACKED(&sub, n);
                RD_PTR(&sub, s, n);
                t->cols[i].name = rc_arena_strndup(&t->arena, (const char *)s, n);
            }
            t->has_names = 1;
            break;
        case OM_SET_STR_VALUE:
            if (read_labels(t, &sub, 1) < 0) goto bad;
            break;
        case OM_ENUM_STR_VALUE:
            if (read_labels(t, &sub, 0) < 0) goto bad;
            break;
        case OM_SIMPLE_PRIMARY_KEY:
        case OM_PRIMARY_KEY_WITH_PREFIX: {
            uint32_t *pk = rc_arena_alloc(&t->arena, sizeof(uint32_t) * (t->ncols + 1));
            uint32_t n = 0;
            while (rc_rd_left(&sub)) {
                uint64_t idx, prefix;
                RD_PACKED(&sub, idx);
                if (type == OM_PRIMARY_KEY_WITH_PREFIX) RD_PACKED(&sub, prefix);
                if (idx >= t->ncols || n >= t->ncols) goto bad;
                pk[n++] = (uint32_t)idx;
                t->cols[idx].in_primary = t->cols[idx].in_key = 1;
            }
            t->pk = pk;
            t->npk = n;
            t->keys_known = 1;
            break;
        }
        default: /* GEOMETRY_TYPE, COLUMN_VISIBILITY, VECTOR_DIMENSIONALITY, newer ones */ break;
        }
        r->p = end;
    }
    return 0;
bad:
    return -1;
}

/* Bytes of formatted text one value of c can need in decoder scratch. */
static uint32_t scratch_for(const rc_column *c)
{
    switch (c->real_type) {
    case RC_T_NEWDECIMAL: return (c->meta >> 8) + 4;
    case RC_T_DATE:
    case RC_T_TIME:
    case RC_T_TIME2:
    case RC_T_DATETIME:
    case RC_T_DATETIME2:
    case RC_T_TIMESTAMP:
    case RC_T_TIMESTAMP2:
    case RC_T_NEWDATE: return 48;
    case RC_T_STRING: return c->meta + 1u; /* BINARY(n) padding */
    case RC_T_SET: {
        uint32_t n = 1;
        for (uint32_t i = 0; i < c->nlabels; i++)
            n += c->label_lens[i] + 1;
        return n;
    }
    default: return 0;
    }
}

static void tmap_free(rc_tmap *m)
{
    if (!m) return;
    rc_table_drop_enc_caches(&m->t);
    rc_arena_free(&m->t.arena);
    free(m->raw);
    free(m->before);
    free(m->after);
    free(m);
}

rc_tmap *rc_dec_find_table(rc_decoder *d, uint64_t id)
{
    if (d->last_tmap && d->last_tmap->t.id == id) return d->last_tmap;
    if (!d->tmaps) return NULL;
    for (rc_tmap *m = d->tmaps[id % d->ntmap_buckets]; m; m = m->next)
        if (m->t.id == id) return d->last_tmap = m;
    return NULL;
}

static void unlink_tmap(rc_decoder *d, rc_tmap *victim)
{
    rc_tmap **pp = &d->tmaps[victim->t.id % d->ntmap_buckets];
    while (*pp && *pp != victim)
        pp = &(*pp)->next;
    if (*pp) *pp = victim->next;
    if (d->last_tmap == victim) d->last_tmap = NULL;
    tmap_free(victim);
}

void rc_dec_free_tables(rc_decoder *d)
{
    if (!d->tmaps) return;
    for (size_t i = 0; i < d->ntmap_buckets; i++) {
        rc_tmap *m = d->tmaps[i];
        while (m) {
            rc_tmap *n = m->next;
            tmap_free(m);
            m = n;
        }
    }
    free(d->tmaps);
    d->tmaps = NULL;
    d->last_tmap = NULL;
}

void rc_decoder_invalidate_tables(rc_decoder *d)
{
    d->ddl_epoch++;
}

static int resolve(rc_decoder *d, rc_tmap *m, rc_err *err)
{
    /* What encoders rendered from the old key information is stale now. */
    rc_table_drop_enc_caches(&m->t);
    if (d->opts.resolve && d->opts.resolve(d->opts.ctx, &m->t, &d->meta, err) < 0) return -1;
    m->resolved_epoch = d->ddl_epoch;
    uint32_t need = 64;
    for (uint32_t i = 0; i < m->t.ncols; i++)
        need += 2 * scratch_for(&m->t.cols[i]);
    m->t.scratch_need = need;
    return 0;
}

int rc_dec_table_map(rc_decoder *d, rc_rd *r, uint64_t evoff, rc_err *err)
{
    const uint8_t *body = r->p;
    size_t bodylen = rc_rd_left(r);
    uint64_t id;
    rc_tmap *m = NULL;
    size_t idlen = d->post_header[RC_EV_TABLE_MAP - 1] == 6 ? 4 : 6;
    RD_NEED(r, idlen + 2);
    id = rc_le_n(r->p, idlen);

    rc_tmap *old = rc_dec_find_table(d, id);
    if (old && old->rawlen == bodylen && !memcmp(old->raw, body, bodylen)) {
        if (old->resolved_epoch != d->ddl_epoch && resolve(d, old, err) < 0) return -1;
        return 0;
    }

    m = rc_xcalloc(1, sizeof *m);
    rc_table *t = &m->t;
    t->id = id;
    /* Unique in the process: caches keyed by (table, generation) can never
     * take a new table at a reused address for an old one. */
    static uint64_t serial;
    t->generation = ++serial;
    r->p += idlen + 2; /* id, flags */
    uint8_t dblen, tbllen;
    const uint8_t *db, *tbl, *types, *meta, *nullbits;
    uint64_t ncols, metalen;
    RD_U8(r, dblen);
    RD_PTR(r, db, (size_t)dblen + 1);
    RD_U8(r, tbllen);
    RD_PTR(r, tbl, (size_t)tbllen + 1);
    RD_PACKED(r, ncols);
    if (ncols == 0 || ncols > 4096) goto bad; /* MySQL's limit is 4096 columns */
    RD_PTR(r, types, ncols);
    RD_PACKED(r, metalen);
    RD_PTR(r, meta, metalen);
    RD_PTR(r, nullbits, (ncols + 7) / 8);

    t->schema = rc_arena_strndup(&t->arena, (const char *)db, dblen);
    t->name = rc_arena_strndup(&t->arena, (const char *)tbl, tbllen);
    t->ncols = (uint32_t)ncols;
    t->cols = rc_arena_alloc(&t->arena, sizeof(rc_column) * ncols);
    rc_rd mr;
    rc_rd_init(&mr, meta, metalen);
    for (uint32_t i = 0; i < ncols; i++) {
        rc_column *c = &t->cols[i];
        c->type = types[i];
        c->nullable = nullbits[i / 8] >> (i % 8) & 1;
        if (read_col_meta(c, &mr) < 0) goto bad;
    }
    if (read_optional(t, r) < 0) goto bad;
    for (uint32_t i = 0; i < ncols; i++) {
        if (t->cols[i].name) continue;
        char tmp[16];
        int n = snprintf(tmp, sizeof tmp, "@%u", i + 1);
        t->cols[i].name = rc_arena_strndup(&t->arena, tmp, (size_t)n);
    }
    m->raw = rc_xmalloc(bodylen);
    memcpy(m->raw, body, bodylen);
    m->rawlen = bodylen;
    m->before = rc_xcalloc(ncols, sizeof(rc_value));
    m->after = rc_xcalloc(ncols, sizeof(rc_value));
    if (resolve(d, m, err) < 0) {
        tmap_free(m);
        return -1;
    }

    if (!d->tmaps) {
        d->ntmap_buckets = 256;
        d->tmaps = rc_xcalloc(d->ntmap_buckets, sizeof(rc_tmap *));
    }
    if (old) {
        unlink_tmap(d, old);
    }
    /* A new id for a table we know means the server reopened it (DDL, FLUSH):
     * the old id will not be used again, so its slot can go. */
    for (size_t b = 0; b < d->ntmap_buckets; b++)
        for (rc_tmap *o = d->tmaps[b]; o; o = o->next)
            if (!strcmp(o->t.name, t->name) && !strcmp(o->t.schema, t->schema)) {
                unlink_tmap(d, o);
                goto linked;
            }
linked:
    m->next = d->tmaps[id % d->ntmap_buckets];
    d->tmaps[id % d->ntmap_buckets] = m;
    d->last_tmap = m;
    return 0;
bad:
    if (m) tmap_free(m);
    return rc_dec_corrupt(err, evoff, "TABLE_MAP event is malformed");
}
