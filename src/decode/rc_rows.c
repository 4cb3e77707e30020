/* rc_rows: WRITE/UPDATE/DELETE rows events (v1, v2 and MariaDB's compressed
 * forms) into rc_change values, one per row, with each cell decoded by the
 * rule of its column type.
 *
 * The hot path: values are written into the table's preallocated arrays and
 * formatted text (DECIMAL, dates, SET) into decoder scratch reserved once per
 * row, so a row costs no allocation. */
#include <string.h>
#include <zlib.h>

#include "decode/rc_coltext.h"
#include "decode/rc_decode_int.h"
#include "decode/rc_jsondiff.h"
#include "decode/rc_jsonb.h"
#include "decode/rc_wkt.h"
#include "encode/rc_json.h"

static inline int is_v2(int type)
{
    return type == RC_EV_WRITE_ROWS || type == RC_EV_UPDATE_ROWS || type == RC_EV_DELETE_ROWS ||
           type == RC_EV_PARTIAL_UPDATE_ROWS || type == RC_EV_MARIA_WRITE_ROWS_COMPRESSED ||
           type == RC_EV_MARIA_UPDATE_ROWS_COMPRESSED || type == RC_EV_MARIA_DELETE_ROWS_COMPRESSED;
}

static inline int is_compressed(int type)
{
    return type >= RC_EV_MARIA_WRITE_ROWS_COMPRESSED_V1 &&
           type <= RC_EV_MARIA_DELETE_ROWS_COMPRESSED;
}

static rc_op op_of(int type)
{
    switch (type) {
    case RC_EV_WRITE_ROWS_V1:
    case RC_EV_WRITE_ROWS:
    case RC_EV_MARIA_WRITE_ROWS_COMPRESSED_V1:
    case RC_EV_MARIA_WRITE_ROWS_COMPRESSED: return RC_OP_INSERT;
    case RC_EV_DELETE_ROWS_V1:
    case RC_EV_DELETE_ROWS:
    case RC_EV_MARIA_DELETE_ROWS_COMPRESSED_V1:
    case RC_EV_MARIA_DELETE_ROWS_COMPRESSED: return RC_OP_DELETE;
    default: return RC_OP_UPDATE;
    }
}

/* MariaDB's compressed payload: one byte 0x80 | n, then the uncompressed
 * length in n big-endian bytes, then a zlib stream. */
int rc_dec_unzip(rc_decoder *d, const uint8_t *p, size_t n, const uint8_t **out, size_t *outlen);
int rc_dec_unzip(rc_decoder *d, const uint8_t *p, size_t n, const uint8_t **out, size_t *outlen)
{
    if (n < 1) return -1;
    unsigned lenlen = p[0] & 7;
    if (!(p[0] & 0x80) || lenlen == 0 || lenlen > 4 || n < 1 + lenlen) return -1;
    uint64_t ulen = rc_be_n(p + 1, lenlen);
    if (ulen > (1u << 30)) return -1; /* events are at most 1 GiB (max_allowed_packet) */
    d->unzip.len = 0;
    rc_buf_reserve(&d->unzip, ulen + 1);
    uLongf dst = (uLongf)ulen;
    if (uncompress((Bytef *)d->unzip.data, &dst, p + 1 + lenlen, (uLong)(n - 1 - lenlen)) != Z_OK ||
        dst != ulen)
        return -1;
    *out = (const uint8_t *)d->unzip.data;
    *outlen = (size_t)ulen;
    return 0;
}

/* Text of a value made by rowcast, in scratch. */
static inline void set_text(rc_value *v, const char *s, size_t n, uint16_t cs)
{
    v->kind = RC_V_TEXT;
    v->cs = cs;
    v->len = (uint32_t)n;
    v->v.s = s;
}

static inline void set_str(rc_value *v, const rc_column *c, const uint8_t *s, size_t n)
{
    v->kind = c->collation == RC_COLLATION_BINARY ? RC_V_BYTES : RC_V_TEXT;
    v->cs = c->collation;
    v->len = (uint32_t)n;
    v->v.s = (const char *)s;
}

/* v's text starts at offset `off` of d->vtext; pointed at once the row is done. */
static void defer_vtext(rc_decoder *d, rc_value *v, size_t off)
{
    if (d->nfix == d->fixcap) {
        d->fixcap = d->fixcap ? d->fixcap * 2 : 16;
        d->fix = rc_xrealloc(d->fix, d->fixcap * sizeof *d->fix);
    }
    d->fix[d->nfix++] = v;
    v->len = (uint32_t)(d->vtext.len - off);
    v->v.s = (const char *)(uintptr_t)off;
}

static void fix_vtext(rc_decoder *d)
{
    for (size_t i = 0; i < d->nfix; i++)
        d->fix[i]->v.s = d->vtext.data + (uintptr_t)d->fix[i]->v.s;
    d->nfix = 0;
}

/* Reads a blob-like value: a little-endian length of lb bytes, then data. */
#define RD_BLOB(r, lb, p, n)                                                                       \
    do {                                                                                           \
        const uint8_t *_l;                                                                         \
        if ((lb) < 1 || (lb) > 4) goto bad;                                                        \
        RD_PTR(r, _l, lb);                                                                         \
        (n) = (size_t)rc_le_n(_l, lb);                                                             \
        RD_PTR(r, p, n);                                                                           \
    } while (0)

/* Decodes one non-NULL cell. Returns 0, or -1 with err set. */
/* An integer column's value from its `bits` little-endian bits: as read when
 * the column is unsigned, else sign-extended from bit bits-1 (by xor and
 * subtract, which needs no signed shift). Inlined with a constant width. */
static inline void set_int(rc_value *v, const rc_column *c, uint64_t u, unsigned bits)
{
    if (c->is_unsigned) {
        v->kind = RC_V_UINT;
        v->v.u = u;
        return;
    }
    v->kind = RC_V_INT;
    if (bits == 64) {
        v->v.i = (int64_t)u;
    } else {
        uint64_t sign = 1ULL << (bits - 1);
        v->v.i = (int64_t)(u ^ sign) - (int64_t)sign;
    }
}

static int decode_cell(rc_decoder *d, const rc_table *t, const rc_column *c, rc_rd *r, rc_value *v,
                       rc_err *err)
{
    const uint8_t *p;
    char *out = d->scratch.data + d->scratch.len;
    size_t used, tlen = 0;
    switch (c->real_type) {
    case RC_T_TINY:
        RD_PTR(r, p, 1);
        set_int(v, c, p[0], 8);
        return 0;
    case RC_T_SHORT:
        RD_PTR(r, p, 2);
        set_int(v, c, rc_le16(p), 16);
        return 0;
    case RC_T_INT24:
        RD_PTR(r, p, 3);
        set_int(v, c, rc_le24(p), 24);
        return 0;
    case RC_T_LONG:
        RD_PTR(r, p, 4);
        set_int(v, c, rc_le32(p), 32);
        return 0;
    case RC_T_LONGLONG:
        RD_PTR(r, p, 8);
        set_int(v, c, rc_le64(p), 64);
        return 0;
    case RC_T_YEAR:
        RD_PTR(r, p, 1);
        v->kind = RC_V_INT;
        v->v.i = p[0] ? 1900 + p[0] : 0;
        return 0;
    case RC_T_FLOAT:
        RD_PTR(r, p, 4);
        v->kind = RC_V_FLOAT;
        memcpy(&v->v.f, p, 4);
        return 0;
    case RC_T_DOUBLE:
        RD_PTR(r, p, 8);
        v->kind = RC_V_DOUBLE;
        memcpy(&v->v.d, p, 8);
        return 0;
    case RC_T_NEWDECIMAL: {
        unsigned prec = c->meta >> 8, scale = c->meta & 0xff;
        if (prec == 0 || prec > 65 || scale > 38 || scale > prec)
            goto bad; /* MariaDB allows scale 38 */
        used = rc_decimal_text(r->p, rc_rd_left(r), prec, scale, out, &tlen);
        if (!used) goto bad;
        r->p += used;
        v->kind = RC_V_NUMBER;
        v->len = (uint32_t)tlen;
        v->v.s = out;
        d->scratch.len += tlen;
        return 0;
    }
    case RC_T_DATE:
    case RC_T_NEWDATE: used = rc_date_text(r->p, rc_rd_left(r), out, &tlen); goto temporal;
    case RC_T_TIME: used = rc_time_text(r->p, rc_rd_left(r), out, &tlen); goto temporal;
    case RC_T_TIME2: used = rc_time2_text(r->p, rc_rd_left(r), c->meta, out, &tlen); goto temporal;
    case RC_T_DATETIME: used = rc_datetime_text(r->p, rc_rd_left(r), out, &tlen); goto temporal;
    case RC_T_DATETIME2:
        used = rc_datetime2_text(r->p, rc_rd_left(r), c->meta, out, &tlen);
        goto temporal;
    case RC_T_TIMESTAMP: used = rc_timestamp_text(r->p, rc_rd_left(r), out, &tlen); goto temporal;
    case RC_T_TIMESTAMP2:
        used = rc_timestamp2_text(r->p, rc_rd_left(r), c->meta, out, &tlen);
    temporal:
        if (!used) goto bad;
        r->p += used;
        set_text(v, out, tlen, RC_CS_ASCII);
        d->scratch.len += tlen;
        return 0;
    case RC_T_VARCHAR:
    case RC_T_VAR_STRING: {
        size_t n;
        if (c->meta > 255) {
            RD_PTR(r, p, 2);
            n = rc_le16(p);
        } else {
            RD_PTR(r, p, 1);
            n = p[0];
        }
        RD_PTR(r, p, n);
        set_str(v, c, p, n);
        return 0;
    }
    case RC_T_STRING: {
        size_t n;
        if (c->meta > 255) {
            RD_PTR(r, p, 2);
            n = rc_le16(p);
        } else {
            RD_PTR(r, p, 1);
            n = p[0];
        }
        RD_PTR(r, p, n);
        if (c->collation == RC_COLLATION_BINARY && n < c->meta) {
            /* BINARY(n) loses its trailing zero bytes in the binlog; the
             * server returns them, so put them back. */
            memcpy(out, p, n);
            memset(out + n, 0, c->meta - n);
            v->kind = RC_V_BYTES;
            v->len = c->meta;
            v->v.s = out;
            d->scratch.len += c->meta;
            return 0;
        }
        set_str(v, c, p, n);
        return 0;
    }
    case RC_T_BLOB:
    case RC_T_TINY_BLOB:
    case RC_T_MEDIUM_BLOB:
    case RC_T_LONG_BLOB: {
        size_t n;
        RD_BLOB(r, c->meta, p, n);
        set_str(v, c, p, n);
        return 0;
    }
    case RC_T_ENUM: {
        unsigned n = c->meta;
        if (n != 1 && n != 2) goto bad;
        RD_PTR(r, p, n);
        uint32_t idx = n == 1 ? p[0] : rc_le16(p);
        if (!c->labels) {
            v->kind = RC_V_UINT;
            v->v.u = idx;
            return 0;
        }
        if (idx == 0) { /* the empty "error" member the server stores for invalid input */
            set_text(v, "", 0, RC_CS_ASCII);
            return 0;
        }
        if (idx > c->nlabels)
            return rc_err_set(err, RC_E_SCHEMA,
                              "%s.%s column %s: ENUM value %u but the table has %u labels "
                              "(definition changed?)",
                              t->schema, t->name, c->name, idx, c->nlabels);
        set_text(v, c->labels[idx - 1], c->label_lens[idx - 1], c->collation);
        return 0;
    }
    case RC_T_SET: {
        unsigned n = c->meta;
        if (n < 1 || n > 8) goto bad;
        RD_PTR(r, p, n);
        uint64_t bits = rc_le_n(p, n);
        if (!c->labels) {
            v->kind = RC_V_UINT;
            v->v.u = bits;
            return 0;
        }
        for (uint32_t i = 0; i < c->nlabels && i < 64; i++) {
            if (!(bits >> i & 1)) continue;
            if (tlen) out[tlen++] = ',';
            memcpy(out + tlen, c->labels[i], c->label_lens[i]);
            tlen += c->label_lens[i];
        }
        set_text(v, out, tlen, c->collation);
        d->scratch.len += tlen;
        return 0;
    }
    case RC_T_JSON: {
        /* MySQL's binary JSON, embedded as the document itself. An empty
         * value is what MySQL stores for a JSON null it was given as such. */
        size_t n, off = d->vtext.len;
        RD_BLOB(r, c->meta, p, n);
        if (n == 0)
            RC_BUF_LIT(&d->vtext, "null");
        else if (rc_jsonb_text(p, n, &d->vtext, err) < 0)
            goto value_err;
        v->kind = RC_V_JSON;
        defer_vtext(d, v, off);
        return 0;
    }
    case RC_T_VECTOR: {
        /* MySQL 9 VECTOR: little-endian binary32 elements, as an array. */
        size_t n, off = d->vtext.len;
        RD_BLOB(r, c->meta, p, n);
        if (n % 4) goto bad;
        rc_buf_putc(&d->vtext, '[');
        for (size_t i = 0; i < n; i += 4) {
            float f;
            memcpy(&f, p + i, 4);
            if (i) rc_buf_putc(&d->vtext, ',');
            rc_json_float(&d->vtext, f);
        }
        rc_buf_putc(&d->vtext, ']');
        v->kind = RC_V_JSON;
        defer_vtext(d, v, off);
        return 0;
    }
    case RC_T_GEOMETRY: {
        size_t n, off = d->vtext.len;
        RD_BLOB(r, c->meta, p, n);
        int w = rc_wkt_text(p, n, &d->vtext, err);
        if (w < 0) goto value_err;
        if (w == 1) { /* a geometry ST_AsText shows as NULL */
            v->kind = RC_V_NULL;
            return 0;
        }
        set_text(v, NULL, 0, RC_CS_ASCII);
        defer_vtext(d, v, off);
        return 0;
    }
    case RC_T_BIT: {
        unsigned nbits = c->meta;
        size_t n = (nbits + 7) / 8;
        if (n < 1 || n > 8) goto bad;
        RD_PTR(r, p, n);
        v->kind = RC_V_UINT;
        v->v.u = rc_be_n(p, n);
        return 0;
    }
    default:
        return rc_err_set(err, RC_E_CORRUPT,
                          "%s.%s column %s: column type %u is not supported by this version",
                          t->schema, t->name, c->name, c->real_type);
    }
bad:
    return rc_err_set(err, RC_E_CORRUPT, "%s.%s column %s: value does not fit its type", t->schema,
                      t->name, c->name);
value_err : {
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return rc_err_set(err, RC_E_CORRUPT, "%s.%s column %s: %s", t->schema, t->name, c->name, msg);
}
}

/* A JSON column of a PARTIAL_UPDATE_ROWS after image that holds diffs:
 * length, then (operation, path, [value]) until the length is used up.
 * With the before image's document, the diffs are applied and v is the new
 * document; without it (a MINIMAL before image) v is missing and the diffs
 * are kept in d->jdiff for the event's "json_diff". */
static int decode_json_diff(rc_decoder *d, const rc_table *t, const rc_column *c, uint32_t col,
                            rc_rd *r, const rc_value *old, rc_value *v, rc_err *err)
{
    static const char *const opname[] = {"replace", "insert", "remove"};
    const uint8_t *p;
    size_t n;
    RD_BLOB(r, c->meta, p, n);
    rc_rd dr;
    rc_rd_init(&dr, p, n);
    /* diff values as text in difftext; entries hold offsets until it stops growing */
    d->difftext.len = 0;
    rc_buf *ents = &d->jents; /* reused: partial updates allocate nothing per row */
    ents->len = 0;
    size_t count = 0;
    while (rc_rd_left(&dr)) {
        uint8_t op;
        uint64_t plen, vlen = 0;
        const uint8_t *path, *val = NULL;
        RD_U8(&dr, op);
        if (op > RC_JDIFF_REMOVE) goto bad_diff;
        if (rc_read_packed(&dr.p, dr.end, &plen) < 0) goto bad_diff;
        RD_PTR(&dr, path, plen);
        rc_jdiff j = {.op = (rc_jdiff_op)op, .path = (const char *)path, .path_len = plen};
        if (op != RC_JDIFF_REMOVE) {
            if (rc_read_packed(&dr.p, dr.end, &vlen) < 0) goto bad_diff;
            RD_PTR(&dr, val, vlen);
            size_t off = d->difftext.len;
            if (vlen == 0)
                RC_BUF_LIT(&d->difftext, "null");
            else if (rc_jsonb_text(val, vlen, &d->difftext, err) < 0)
                return -1;
            j.value = (const char *)(uintptr_t)off;
            j.value_len = d->difftext.len - off;
        }
        rc_buf_put(ents, &j, sizeof j);
        count++;
    }
    rc_jdiff *diffs = (rc_jdiff *)ents->data;
    for (size_t i = 0; i < count; i++)
        if (diffs[i].op != RC_JDIFF_REMOVE)
            diffs[i].value = d->difftext.data + (uintptr_t)diffs[i].value;

    if (old && old->kind == RC_V_JSON) {
        /* old's text is still at its vtext offset (pointers are set after the row) */
        const char *doc = d->vtext.data + (uintptr_t)old->v.s;
        d->diffout.len = 0;
        if (rc_jsondiff_apply(doc, old->len, diffs, count, &d->diffout, err) < 0) return -1;
        size_t off = d->vtext.len;
        rc_buf_put(&d->vtext, d->diffout.data, d->diffout.len);
        v->kind = RC_V_JSON;
        defer_vtext(d, v, off);
    } else {
        rc_buf *o = &d->jdiff;
        rc_buf_putc(o, o->len ? ',' : '{');
        rc_json_str(o, c->name, strlen(c->name));
        RC_BUF_LIT(o, ":[");
        for (size_t i = 0; i < count; i++) {
            if (i) rc_buf_putc(o, ',');
            RC_BUF_LIT(o, "{\"op\":\"");
            rc_buf_puts(o, opname[diffs[i].op]);
            RC_BUF_LIT(o, "\",\"path\":");
            rc_json_str(o, diffs[i].path, diffs[i].path_len);
            if (diffs[i].op != RC_JDIFF_REMOVE) {
                RC_BUF_LIT(o, ",\"value\":");
                rc_buf_put(o, diffs[i].value, diffs[i].value_len);
            }
            rc_buf_putc(o, '}');
        }
        rc_buf_putc(o, ']');
        v->kind = RC_V_MISSING;
    }
    (void)col;
    return 0;
bad_diff:
bad:
    return rc_err_set(err, RC_E_CORRUPT, "%s.%s column %s: malformed JSON partial update",
                      t->schema, t->name, c->name);
}

/* One row image: null bitmap over the present columns, then their values.
 * partial: for a PARTIAL_UPDATE_ROWS after image, the bitmap of its JSON
 * columns that hold diffs (old is then the before image), else NULL. */
static int decode_image(rc_decoder *d, const rc_table *t, rc_rd *r, const uint8_t *present,
                        uint32_t npresent, rc_value *vals, const uint8_t *partial,
                        const rc_value *old, rc_err *err)
{
    uint32_t kjson = 0;
    const uint8_t *nulls;
    RD_PTR(r, nulls, (npresent + 7) / 8);
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->ncols; i++) {
        rc_value *v = &vals[i];
        if (!(present[i / 8] >> (i % 8) & 1)) {
            v->kind = RC_V_MISSING;
            continue;
        }
        int isnull = nulls[k / 8] >> (k % 8) & 1;
        k++;
        int is_diff = 0;
        if (partial && t->cols[i].real_type == RC_T_JSON) {
            is_diff = partial[kjson / 8] >> (kjson % 8) & 1;
            kjson++;
        }
        if (isnull) {
            v->kind = RC_V_NULL;
            continue;
        }
        if (is_diff) {
            if (decode_json_diff(d, t, &t->cols[i], i, r, old ? &old[i] : NULL, v, err) < 0)
                return -1;
            continue;
        }
        if (decode_cell(d, t, &t->cols[i], r, v, err) < 0) return -1;
    }
    return 0;
bad:
    return rc_err_set(err, RC_E_CORRUPT, "%s.%s: row image ends early", t->schema, t->name);
}

static uint32_t popcount_bits(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += p[i / 8] >> (i % 8) & 1;
    return c;
}

/* One row of an event into c's before/after: both images for an update (and
 * the partial-JSON bits of a PARTIAL_UPDATE_ROWS between them). */
static int decode_row(rc_decoder *d, rc_tmap *m, int type, rc_rd *r, const rc_rowsev *ev,
                      rc_change *c, rc_err *err)
{
    const rc_table *t = &m->t;
    const uint8_t *row_start = r->p;
    d->scratch.len = 0;
    d->vtext.len = 0;
    d->nfix = 0;
    rc_buf_reserve(&d->scratch, t->scratch_need);
    if (c->op == RC_OP_INSERT) {
        if (decode_image(d, t, r, ev->present, ev->nb, m->after, NULL, NULL, err) < 0) return -1;
        c->after = m->after;
    } else if (c->op == RC_OP_DELETE) {
        if (decode_image(d, t, r, ev->present, ev->nb, m->before, NULL, NULL, err) < 0) return -1;
        c->before = m->before;
    } else {
        const uint8_t *partial = NULL;
        if (decode_image(d, t, r, ev->present, ev->nb, m->before, NULL, NULL, err) < 0) return -1;
        if (type == RC_EV_PARTIAL_UPDATE_ROWS) {
            /* value options, then (if PARTIAL_JSON) one bit per JSON column
             * of the after image: set where the column holds diffs */
            uint64_t vopts;
            if (rc_read_packed(&r->p, r->end, &vopts) < 0) goto bad;
            if (vopts & 1) {
                uint32_t nj = 0;
                for (uint32_t i = 0; i < t->ncols; i++)
                    nj += t->cols[i].real_type == RC_T_JSON &&
                          (ev->present_after[i / 8] >> (i % 8) & 1);
                RD_PTR(r, partial, (nj + 7) / 8);
            }
        }
        d->jdiff.len = 0;
        if (decode_image(d, t, r, ev->present_after, ev->na, m->after, partial, m->before, err) < 0)
            return -1;
        c->before = m->before;
        c->after = m->after;
        if (d->jdiff.len) {
            rc_buf_putc(&d->jdiff, '}');
            c->json_diff = d->jdiff.data;
            c->json_diff_len = d->jdiff.len;
        } else {
            c->json_diff = NULL;
            c->json_diff_len = 0;
        }
    }
    /* A row always has its null bitmap: a row of no bytes means no column is
     * present, which the server never writes; looping on it would never end. */
    if (r->p == row_start) goto bad;
    if (d->nfix) fix_vtext(d);
    return 0;
bad:
    return rc_err_set(err, RC_E_CORRUPT, "rows event is malformed");
}

/* rc_rawrow.decode: the lazy row decoded after all, into the decoder's own
 * change (d->lazy.full). Errors get the event's offset, as in the loop. */
static int decode_lazy(rc_rawrow *raw, const rc_change *c, const rc_change **values, rc_err *err)
{
    rc_decoder *d = raw->ctx;
    rc_lazy *z = &d->lazy;
    if (!z->decoded) {
        rc_rd r;
        rc_rd_init(&r, raw->p, (size_t)(raw->end - raw->p));
        z->full = *c;
        z->full.raw = NULL;
        if (decode_row(d, z->m, z->type, &r, &z->ev, &z->full, err) < 0) {
            if (err->code == RC_E_CORRUPT) {
                char msg[sizeof err->msg];
                memcpy(msg, err->msg, sizeof msg);
                rc_err_set(err, RC_E_CORRUPT, "offset %llu: %s", (unsigned long long)z->evoff, msg);
            }
            return -1;
        }
        z->decoded = (size_t)(r.p - raw->p);
    }
    *values = &z->full;
    return 0;
}

/* The bytes of the length before a value of a string-like column (1 to 4),
 * or 0 for other columns and impossible metadata (cell_len then finds no
 * rule for them: 0). */
static size_t prefix_bytes(const rc_column *c)
{
    switch (c->real_type) {
    case RC_T_VARCHAR:
    case RC_T_VAR_STRING:
    case RC_T_STRING: return c->meta > 255 ? 2 : 1;
    case RC_T_BLOB:
    case RC_T_TINY_BLOB:
    case RC_T_MEDIUM_BLOB:
    case RC_T_LONG_BLOB:
    case RC_T_JSON:
    case RC_T_VECTOR:
    case RC_T_GEOMETRY: return c->meta >= 1 && c->meta <= 4 ? c->meta : 0;
    default: return 0;
    }
}

/* The bytes of one non-NULL cell at p as decode_cell consumes them, from
 * the column's metadata and length prefix only; 0 when they do not fit or
 * the metadata is impossible (decode_cell then says which). */
static size_t cell_len(const rc_column *c, const uint8_t *p, size_t avail)
{
    size_t n, lb = prefix_bytes(c);
    if (lb) {
        if (avail < lb) return 0;
        n = lb + (size_t)rc_le_n(p, lb);
        return n <= avail ? n : 0;
    }
    switch (c->real_type) {
    case RC_T_TINY:
    case RC_T_YEAR: n = 1; break;
    case RC_T_SHORT: n = 2; break;
    case RC_T_INT24:
    case RC_T_DATE:
    case RC_T_NEWDATE:
    case RC_T_TIME: n = 3; break;
    case RC_T_LONG:
    case RC_T_FLOAT:
    case RC_T_TIMESTAMP: n = 4; break;
    case RC_T_LONGLONG:
    case RC_T_DOUBLE:
    case RC_T_DATETIME: n = 8; break;
    case RC_T_NEWDECIMAL: {
        unsigned prec = c->meta >> 8, scale = c->meta & 0xff;
        if (prec == 0 || prec > 65 || scale > 38 || scale > prec) return 0;
        n = rc_decimal_size(prec, scale);
        break;
    }
    case RC_T_TIME2:
    case RC_T_DATETIME2:
    case RC_T_TIMESTAMP2:
        if (c->meta > 6) return 0;
        n = (c->real_type == RC_T_TIME2       ? 3u
             : c->real_type == RC_T_DATETIME2 ? 5u
                                              : 4u) +
            (c->meta + 1u) / 2;
        break;
    case RC_T_ENUM:
        if (c->meta != 1 && c->meta != 2) return 0;
        n = c->meta;
        break;
    case RC_T_SET:
        if (c->meta < 1 || c->meta > 8) return 0;
        n = c->meta;
        break;
    case RC_T_BIT:
        n = (c->meta + 7u) / 8;
        if (n < 1 || n > 8) return 0;
        break;
    default: return 0;
    }
    return n <= avail ? n : 0;
}

/* Where column col of an image starts in the walked row, or RC_LAZY_NULL,
 * RC_LAZY_MISSING. */
static uint32_t lazy_offset(const rc_lazy *z, int img, uint32_t col)
{
    switch (z->img_kind[img]) {
    case 0: return RC_LAZY_MISSING;
    case 1: return z->img_start[img] + z->fixed_before[col] + z->var_acc[img][z->nvar_before[col]];
    default: return z->off[img][col];
    }
}

/* Each column's length rule for walk_lazy, from cell_len's cases: a fixed
 * length, or a length prefix of 1 to 4 bytes (RC_LAZY_PREFIX | bytes), or 0
 * to ask cell_len. */
static void plan_lengths(rc_lazy *z, const rc_table *t)
{
    if (z->clencap < t->ncols) {
        size_t sz = sizeof(uint32_t) * (t->ncols + 1);
        z->clen = rc_xrealloc(z->clen, sz);
        z->fixed_before = rc_xrealloc(z->fixed_before, sz);
        z->nvar_before = rc_xrealloc(z->nvar_before, sz);
        z->vars = rc_xrealloc(z->vars, sz);
        z->var_acc[0] = rc_xrealloc(z->var_acc[0], sz);
        z->var_acc[1] = rc_xrealloc(z->var_acc[1], sz);
        z->clencap = t->ncols;
    }
    static const uint8_t none[4] = {0};
    for (uint32_t i = 0; i < t->ncols; i++) {
        const rc_column *c = &t->cols[i];
        size_t lb = prefix_bytes(c);
        /* others are fixed by their metadata alone (0: cell_len decides) */
        z->clen[i] = lb ? RC_LAZY_PREFIX | (uint32_t)lb : (uint32_t)cell_len(c, none, 64);
    }
    z->nvars = z->fixed_sum = 0;
    z->no_shortcut = 0;
    for (uint32_t i = 0; i < t->ncols; i++) {
        z->fixed_before[i] = z->fixed_sum;
        z->nvar_before[i] = z->nvars;
        if (z->clen[i] & RC_LAZY_PREFIX)
            z->vars[z->nvars++] = i;
        else if (z->clen[i])
            z->fixed_sum += z->clen[i];
        else
            z->no_shortcut = 1;
    }
    z->clen_t = t;
    z->clen_gen = t->generation;
}

/* Finds where each column of the lazy row starts (z->off) and the row's
 * length (z->walked) from the null bitmaps and lengths alone. Bytes that do
 * not add up are left to decode_lazy, whose error is the decoder's. */
static int walk_lazy(rc_decoder *d, rc_err *err)
{
    rc_lazy *z = &d->lazy;
    const rc_table *t = &z->m->t;
    const uint8_t *base = z->raw.p, *p = base, *end = z->raw.end;
    if (z->offcap < t->ncols) {
        for (int i = 0; i < 2; i++)
            z->off[i] = rc_xrealloc(z->off[i], sizeof(uint32_t) * t->ncols);
        z->offcap = t->ncols;
    }
    if (z->clen_t != t || z->clen_gen != t->generation) plan_lengths(z, t);
    const uint32_t *clen = z->clen;
    rc_op op = z->full.op;
    for (int img = 0; img < 2; img++) { /* before image first, as in the bytes */
        uint32_t *off = z->off[img];
        if (img == 0 ? op == RC_OP_INSERT : op == RC_OP_DELETE) {
            z->img_kind[img] = 0;
            continue;
        }
        const uint8_t *present =
            img == 1 && op == RC_OP_UPDATE ? z->ev.present_after : z->ev.present;
        uint32_t np = img == 1 && op == RC_OP_UPDATE ? z->ev.na : z->ev.nb;
        const uint8_t *nulls = p;
        if ((size_t)(end - p) < (np + 7) / 8) goto decode;
        p += (np + 7) / 8;
        if (np == t->ncols && !z->no_shortcut) {
            /* A full image without NULLs (the usual row): only the prefixed
             * columns need reading, each at the fixed bytes before it plus
             * the prefixed ones before it; the rest is arithmetic. */
            uint32_t nb = np / 8, anynull = 0;
            for (uint32_t j = 0; j < nb; j++)
                anynull |= nulls[j];
            if (np % 8) /* the padding bits of the last byte are not columns' */
                anynull |= nulls[nb] & ((1u << (np % 8)) - 1);
            if (!anynull) {
                uint32_t *va = z->var_acc[img];
                size_t acc = 0;
                for (uint32_t v = 0; v < z->nvars; v++) {
                    uint32_t i = z->vars[v];
                    size_t pos = z->fixed_before[i] + acc, left = (size_t)(end - p);
                    unsigned lb = clen[i] & 7;
                    if (pos > left || left - pos < lb) goto decode;
                    const uint8_t *at = p + pos;
                    va[v] = (uint32_t)acc;
                    acc += lb + (size_t)rc_le_n(at, lb);
                }
                va[z->nvars] = (uint32_t)acc;
                size_t len = z->fixed_sum + acc;
                if ((size_t)(end - p) < len) goto decode;
                z->img_kind[img] = 1;
                z->img_start[img] = (uint32_t)(p - base);
                p += len;
                continue;
            }
        }
        z->img_kind[img] = 2;
        /* Offsets fit 32 bits: an event, and so a row, is at most 1 GiB. */
        uint32_t k = 0;
        int full = np == t->ncols;
        for (uint32_t i = 0; i < t->ncols; i++) {
            if (!full && !(present[i / 8] >> (i % 8) & 1)) {
                off[i] = RC_LAZY_MISSING;
                continue;
            }
            int isnull = nulls[k / 8] >> (k % 8) & 1;
            k++;
            if (isnull) {
                off[i] = RC_LAZY_NULL;
                continue;
            }
            size_t n, left = (size_t)(end - p);
            uint32_t cl = clen[i];
            if (cl == (RC_LAZY_PREFIX | 1)) {
                n = left ? 1 + (size_t)p[0] : 0;
            } else if (cl & RC_LAZY_PREFIX) {
                unsigned lb = cl & 7;
                n = left < lb ? 0 : lb + (size_t)rc_le_n(p, lb);
            } else {
                n = cl ? cl : cell_len(&t->cols[i], p, left);
            }
            if (n - 1 >= left) goto decode; /* 0 (impossible) or past the end */
            off[i] = (uint32_t)(p - base);
            p += n;
        }
    }
    z->walked = (size_t)(p - base);
    return 0;
decode : {
    const rc_change *full;
    if (decode_lazy(&z->raw, &z->full, &full, err) < 0) return -1;
    return rc_err_set(err, RC_E_INTERNAL,
                      "offset %llu: a row of %s.%s decodes but its lengths do not add up",
                      (unsigned long long)z->evoff, t->schema, t->name);
}
}

static int value_has_text(const rc_value *v)
{
    return v->kind == RC_V_NUMBER || v->kind == RC_V_TEXT || v->kind == RC_V_BYTES ||
           v->kind == RC_V_JSON;
}

/* ROWCAST_ROWS_CROSSCHECK for value_lazy: the column decoded on its own
 * must be the column of the whole row decoded. Its text is first copied
 * aside (decoding the row reuses the scratch it points into), and the value
 * handed out points at the copy. A row that does not decode whole (a bad
 * value in a column nobody reads) is not compared: without the check it
 * goes the same way. */
static int check_one(rc_decoder *d, rc_rawrow *raw, const rc_change *c, int after, uint32_t col,
                     rc_err *err)
{
    rc_lazy *z = &d->lazy;
    const rc_table *t = &z->m->t;
    if (value_has_text(&z->one)) {
        z->copy.len = 0;
        rc_buf_put(&z->copy, z->one.v.s, z->one.len);
        rc_buf_putc(&z->copy, 0);
        z->one.v.s = z->copy.data;
    }
    const rc_change *full;
    rc_err whole;
    if (decode_lazy(raw, c, &full, &whole) < 0) {
        z->decoded = 0;
        return 0;
    }
    const rc_value *w = &(after ? full->after : full->before)[col], *v = &z->one;
    int same = w->kind == v->kind && z->walked == z->decoded;
    if (same && value_has_text(v))
        same = w->len == v->len && w->cs == v->cs && !memcmp(w->v.s, v->v.s, v->len);
    else if (same && v->kind >= RC_V_INT && v->kind <= RC_V_DOUBLE)
        same = !memcmp(&w->v, &v->v, sizeof v->v);
    if (!same)
        return rc_err_set(err, RC_E_INTERNAL,
                          "offset %llu: %s.%s column %s: decoded on its own it differs from the "
                          "whole row's",
                          (unsigned long long)z->evoff, t->schema, t->name, t->cols[col].name);
    return 0;
}

/* rc_rawrow.value: one column of the lazy row, decoded on its own. */
static int value_lazy(rc_rawrow *raw, const rc_change *c, int after, uint32_t col,
                      const rc_value **out, rc_err *err)
{
    rc_decoder *d = raw->ctx;
    rc_lazy *z = &d->lazy;
    const rc_table *t = &z->m->t;
    if (z->decoded) {
        *out = &(after ? z->full.after : z->full.before)[col];
        return 0;
    }
    if (!z->walked && walk_lazy(d, err) < 0) return -1;
    uint32_t o = lazy_offset(z, after, col);
    memset(&z->one, 0, sizeof z->one);
    z->one.kind = o == RC_LAZY_MISSING ? RC_V_MISSING : RC_V_NULL;
    *out = &z->one;
    if (o < RC_LAZY_MISSING) {
        rc_rd r;
        rc_rd_init(&r, raw->p + o, (size_t)(raw->end - (raw->p + o)));
        d->scratch.len = 0;
        d->vtext.len = 0;
        d->nfix = 0;
        rc_buf_reserve(&d->scratch, t->scratch_need);
        if (decode_cell(d, t, &t->cols[col], &r, &z->one, err) < 0) {
            if (err->code == RC_E_CORRUPT) {
                char msg[sizeof err->msg];
                memcpy(msg, err->msg, sizeof msg);
                rc_err_set(err, RC_E_CORRUPT, "offset %llu: %s", (unsigned long long)z->evoff, msg);
            }
            return -1;
        }
        if (d->nfix) fix_vtext(d);
    }
    return z->check ? check_one(d, raw, c, after, col, err) : 0;
}

int rc_dec_rows(rc_decoder *d, int type, rc_rd *r, uint64_t evoff, rc_err *err)
{
    size_t idlen = d->post_header[type - 1] == 6 ? 4 : 6;
    uint64_t id, ncols;
    uint16_t flags;
    rc_rowsev ev = {0};
    rc_op op = op_of(type);
    rc_rd zr;

    RD_NEED(r, idlen);
    id = rc_le_n(r->p, idlen);
    r->p += idlen;
    RD_U16(r, flags);
    (void)flags;
    if (is_v2(type)) {
        uint16_t extra;
        RD_U16(r, extra);
        if (extra < 2) goto bad;
        RD_SKIP(r, extra - 2);
    }
    if (rc_read_packed(&r->p, r->end, &ncols) < 0) goto bad;
    RD_PTR(r, ev.present, (ncols + 7) / 8);
    if (op == RC_OP_UPDATE) RD_PTR(r, ev.present_after, (ncols + 7) / 8);
    if (is_compressed(type)) {
        const uint8_t *u;
        size_t ulen;
        if (rc_dec_unzip(d, r->p, rc_rd_left(r), &u, &ulen) < 0)
            return rc_dec_corrupt(err, evoff, "compressed rows event does not inflate");
        rc_rd_init(&zr, u, ulen);
        r = &zr;
    }

    rc_tmap *m = rc_dec_find_table(d, id);
    if (!m)
        return rc_err_set(err, RC_E_CORRUPT,
                          "offset %llu: rows event for table id %llu without its TABLE_MAP",
                          (unsigned long long)evoff, (unsigned long long)id);
    rc_table *t = &m->t;
    if (ncols != t->ncols)
        return rc_err_set(
            err, RC_E_SCHEMA, "offset %llu: row of %s.%s has %llu columns but its table map has %u",
            (unsigned long long)evoff, t->schema, t->name, (unsigned long long)ncols, t->ncols);
    ev.nb = popcount_bits(ev.present, t->ncols);
    ev.na = ev.present_after ? popcount_bits(ev.present_after, t->ncols) : 0;

    rc_change c = {.op = op, .meta = &d->meta, .table = t};
    /* Lazy rows: the consumer gets the bytes and decodes only if it must. Not
     * for partial JSON updates (their after image needs the before one) nor
     * for images without columns (the loop's guard against a row of no
     * bytes is in decode_row). */
    if (d->opts.lazy_rows && type != RC_EV_PARTIAL_UPDATE_ROWS && ev.nb &&
        (!ev.present_after || ev.na)) {
        rc_lazy *z = &d->lazy;
        z->m = m;
        z->type = type;
        z->ev = ev;
        z->evoff = evoff;
        rc_rawrow *raw = &z->raw;
        raw->present = ev.present;
        raw->present_after = ev.present_after;
        raw->full = ev.nb == t->ncols && (!ev.present_after || ev.na == t->ncols);
        raw->decode = decode_lazy;
        raw->value = value_lazy;
        raw->ctx = d;
        z->full.op = op; /* walk_lazy reads the operation before any decode */
        raw->end = r->end;
        c.raw = raw;
        while (rc_rd_left(r)) {
            raw->p = r->p;
            raw->used = 0;
            z->decoded = 0;
            z->walked = 0;
            if (d->h.change && d->h.change(d->h.ctx, &c) < 0) return -1;
            size_t n = raw->used ? raw->used : z->decoded ? z->decoded : z->walked;
            if (!n) {
                /* Nobody wrote or decoded the row (a rule or a script left it
                 * out): its lengths say where the next one starts. With
                 * ROWCAST_ROWS_CROSSCHECK it is decoded too. */
                if (walk_lazy(d, err) < 0) return -1;
                n = z->walked;
                if (z->check) { /* lengths compared below, if the row decodes whole */
                    const rc_change *full;
                    rc_err whole;
                    if (decode_lazy(raw, &c, &full, &whole) < 0) z->decoded = 0;
                }
            }
            size_t lens[3] = {raw->used, z->decoded, z->walked};
            for (int i = 0; i < 3; i++)
                if (lens[i] && lens[i] != n)
                    return rc_err_set(err, RC_E_INTERNAL,
                                      "offset %llu: a row of %s.%s measures %zu bytes one way "
                                      "and %zu another",
                                      (unsigned long long)evoff, t->schema, t->name, n, lens[i]);
            r->p += n;
        }
        return 0;
    }
    while (rc_rd_left(r)) {
        if (decode_row(d, m, type, r, &ev, &c, err) < 0) goto row_err;
        if (d->h.change && d->h.change(d->h.ctx, &c) < 0) return -1;
    }
    return 0;
row_err:
    if (err->code == RC_E_CORRUPT) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        rc_err_set(err, RC_E_CORRUPT, "offset %llu: %s", (unsigned long long)evoff, msg);
    }
    return -1;
bad:
    return rc_dec_corrupt(err, evoff, "rows event is malformed");
}
