/* rc_enc_maxwell: `--format maxwell`, the JSON of Maxwell's Daemon
 * (zendesk/maxwell), so its consumers can switch to rowcast unchanged.
 *
 * One event per row, fields in Maxwell's order (its RowMap.toJSON):
 *
 *   {"database":"test","table":"e","type":"update","ts":1477053234,
 *    "xid":23396,"commit":true,"position":"master.000006:800911",
 *    "gtid":"...","server_id":23042,"data":{...},"old":{...}}
 *
 * Shape, as Maxwell writes it (docs/dataformat.md, docs/config.md):
 * - "type" insert/update/delete; "ts" the binlog event time in seconds.
 * - "data" the row after an insert or update, the deleted row for a delete.
 * - "old" (updates only) the previous values of the columns that changed,
 *   left out when none did. With a MINIMAL row image, a column only in the
 *   before image goes into "data" (Maxwell: it acts as the WHERE clause).
 * - "commit":true only on the last row of a transaction; other rows have no
 *   "commit" key at all (not false).
 * - Options fixed on: output_binlog_position ("position", "file:offset" of
 *   the row event), output_server_id, output_gtid_position ("gtid", only
 *   when the transaction has one). Off as in Maxwell's defaults:
 *   thread_id (rowcast does not decode it), primary_key(_columns),
 *   output_ddl (statements, operation "query", produce no output here).
 *
 * The one deliberate difference: Maxwell buffers a whole transaction and
 * writes its xid on every row. rowcast holds only the newest row open, so
 * "xid" is on the transaction's last row (with "commit":true) and absent on
 * the others, as Maxwell does when it has no xid (a MyISAM COMMIT). Group
 * rows into transactions by "commit":true, not by equal xid.
 *
 * xid and commit come early in Maxwell's order but are known only at the
 * transaction's end, so change() remembers where they go (as a distance
 * from the event's end, which survives rc_enc_consumed) and close() moves
 * the rest of the open event up to insert them: byte-for-byte Maxwell
 * order at the cost of one memmove of one event.
 *
 * Values: SPEC.md §2 (rc_enc_value) except where Maxwell differs:
 *
 *   column            SPEC §2                    Maxwell (written here)
 *   ----------------  -------------------------  ---------------------------
 *   SET               "a,b"                      ["a","b"]; [] when empty
 *   ENUM invalid ''   ""  (index 0)              null
 *   BINARY(n)         base64, zero-padded to n   base64 of the bytes without
 *                                                trailing zero bytes (as the
 *                                                binlog stores them)
 *   GEOMETRY          "POINT(1 2)" (ST_AsText)   "POINT (1 2)" (JTS WKT: a
 *                                                space before "(", ", ")
 *   missing columns   listed in "missing"        left out of data/old
 *
 * Same in both (checked against Maxwell's column types): integers and YEAR
 * numbers; BIT a number (BIT(1) is 0/1, not a boolean); DECIMAL a number;
 * FLOAT/DOUBLE numbers; DATE/DATETIME/TIMESTAMP/TIME strings with the
 * column's fraction digits, TIMESTAMP in UTC, zero dates as
 * "0000-00-00 00:00:00"; strings UTF-8; BLOB/VARBINARY base64; JSON
 * embedded; NULL null (output_nulls default true). VECTOR (unknown to
 * Maxwell) stays SPEC's array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/rc_enc_int.h"
#include "encode/rc_json.h"

/* How a column's values differ from rc_enc_value, decided per table. */
enum { MW_PLAIN = 0, MW_SET, MW_ENUM, MW_BINARY, MW_GEOM };

typedef struct frag {
    rc_buf head;        /* {"database":"s","table":"t","type":" */
    rc_buf names;       /* "a":"b":... each column's quoted name and colon */
    uint32_t *name_off; /* ncols + 1 offsets into names */
    uint8_t *how;       /* MW_* per column */
} frag;

typedef struct mw {
    char file_cached[512];
    rc_buf file_json; /* ,"position":"file: */
    size_t tail_len;  /* bytes of the open event after the xid/commit slot */
} mw;

static void frag_free(void *p)
{
    frag *f = p;
    rc_buf_free(&f->head);
    rc_buf_free(&f->names);
    free(f->name_off);
    free(f->how);
    free(f);
}

static void str_lit(rc_buf *b, const char *s)
{
    rc_json_str(b, s, strlen(s));
}

static uint8_t how_for(const rc_column *c)
{
    switch (c->real_type) {
    case RC_T_SET: return MW_SET;
    case RC_T_ENUM: return MW_ENUM;
    case RC_T_STRING: return c->collation == RC_COLLATION_BINARY ? MW_BINARY : MW_PLAIN;
    case RC_T_GEOMETRY: return MW_GEOM;
    default: return MW_PLAIN;
    }
}

static frag *frag_for(const rc_table *t)
{
    frag *f = rc_enc_cache_get(t, RC_FMT_MAXWELL);
    if (f) return f;
    f = rc_xcalloc(1, sizeof *f);
    RC_BUF_LIT(&f->head, "{\"database\":");
    str_lit(&f->head, t->schema);
    RC_BUF_LIT(&f->head, ",\"table\":");
    str_lit(&f->head, t->name);
    RC_BUF_LIT(&f->head, ",\"type\":\"");
    f->name_off = rc_xmalloc(sizeof(uint32_t) * (t->ncols + 1));
    f->how = rc_xmalloc(t->ncols ? t->ncols : 1);
    for (uint32_t i = 0; i < t->ncols; i++) {
        f->name_off[i] = (uint32_t)f->names.len;
        str_lit(&f->names, t->cols[i].name);
        rc_buf_putc(&f->names, ':');
        f->how[i] = how_for(&t->cols[i]);
    }
    f->name_off[t->ncols] = (uint32_t)f->names.len;
    rc_enc_cache_set(t, RC_FMT_MAXWELL, f, frag_free);
    return f;
}

static void *mw_new(const rc_enc_opts *o)
{
    (void)o;
    return rc_xcalloc(1, sizeof(mw));
}

static void mw_free(void *p)
{
    mw *s = p;
    rc_buf_free(&s->file_json);
    free(s);
}

/* A SET as Maxwell's array of labels. The decoder joined the labels of the
 * set bits in label order with ','; matching the labels themselves (rather
 * than splitting on the byte ',') keeps multi-byte charsets whole. */
static int put_set(rc_buf *b, const rc_table *t, uint32_t col, const rc_value *v, rc_err *err)
{
    const rc_column *c = &t->cols[col];
    rc_value piece = *v;
    size_t pos = 0;
    int first = 1;
    rc_buf_putc(b, '[');
    for (uint32_t k = 0; k < c->nlabels && pos < v->len; k++) {
        size_t n = c->label_lens[k];
        if (n > v->len - pos || memcmp(v->v.s + pos, c->labels[k], n)) continue;
        if (pos + n < v->len && v->v.s[pos + n] != ',') continue; /* a prefix of another */
        if (!first) rc_buf_putc(b, ',');
        first = 0;
        piece.v.s = v->v.s + pos;
        piece.len = (uint32_t)n;
        if (rc_enc_value(b, t, col, &piece, err) < 0) return -1;
        pos += n + 1;
    }
    if (pos < v->len) { /* labels changed under us: keep the rest, split on ',' */
        while (pos < v->len) {
            const char *s = v->v.s + pos, *e = memchr(s, ',', v->len - pos);
            size_t n = e ? (size_t)(e - s) : v->len - pos;
            if (!first) rc_buf_putc(b, ',');
            first = 0;
            piece.v.s = s;
            piece.len = (uint32_t)n;
            if (rc_enc_value(b, t, col, &piece, err) < 0) return -1;
            pos += n + 1;
        }
    }
    rc_buf_putc(b, ']');
    return 0;
}

/* ST_AsText's WKT in JTS's spelling, which Maxwell writes: "POINT (1 2)",
 * "LINESTRING (0 0, 1 1)". WKT is ASCII without quotes or backslashes, so
 * it needs no escaping. */
static void put_geom(rc_buf *b, const char *s, size_t n)
{
    rc_buf_reserve(b, 2 * n + 2);
    rc_buf_putc_unsafe(b, '"');
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '(' && i &&
            ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') || (s[i - 1] >= 'a' && s[i - 1] <= 'z')))
            rc_buf_putc_unsafe(b, ' ');
        rc_buf_putc_unsafe(b, ch);
        if (ch == ',' && i + 1 < n && s[i + 1] != ' ') rc_buf_putc_unsafe(b, ' ');
    }
    rc_buf_putc_unsafe(b, '"');
}

static int put_value(rc_buf *b, const frag *f, const rc_table *t, uint32_t i, const rc_value *v,
                     rc_err *err)
{
    switch (f->how[i]) {
    case MW_SET:
        if (v->kind == RC_V_TEXT) return put_set(b, t, i, v, err);
        break;
    case MW_ENUM:
        /* The decoder writes the server's invalid-value member (index 0) as
         * rowcast-formatted empty text; a real '' label carries the column's
         * collation instead. Maxwell writes index 0 as null. */
        if (v->kind == RC_V_TEXT && v->len == 0 && v->cs == RC_CS_ASCII) {
            RC_BUF_LIT(b, "null");
            return 0;
        }
        break;
    case MW_BINARY:
        if (v->kind == RC_V_BYTES) {
            size_t n = v->len;
            while (n && v->v.s[n - 1] == 0)
                n--;
            rc_json_base64(b, v->v.s, n);
            return 0;
        }
        break;
    case MW_GEOM:
        if (v->kind == RC_V_TEXT) {
            put_geom(b, v->v.s, v->len);
            return 0;
        }
        break;
    default: break;
    }
    return rc_enc_value(b, t, i, v, err);
}

/* One "name":value member, with a comma unless it is the first. */
static int put_member(rc_buf *b, const frag *f, const rc_table *t, uint32_t i, const rc_value *v,
                      int *first, rc_err *err)
{
    size_t nl = f->name_off[i + 1] - f->name_off[i];
    rc_buf_reserve(b, nl + 1);
    if (!*first) rc_buf_putc_unsafe(b, ',');
    *first = 0;
    rc_buf_put_unsafe(b, f->names.data + f->name_off[i], nl);
    return put_value(b, f, t, i, v, err);
}

/* Maxwell compares the two images' JSON values; equal decoded values give
 * equal JSON, so comparing them is the same test without rendering. */
static int same_value(const rc_value *a, const rc_value *b)
{
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case RC_V_MISSING:
    case RC_V_NULL: return 1;
    case RC_V_INT: return a->v.i == b->v.i;
    case RC_V_UINT: return a->v.u == b->v.u;
    case RC_V_FLOAT: return !memcmp(&a->v.f, &b->v.f, sizeof a->v.f);
    case RC_V_DOUBLE: return !memcmp(&a->v.d, &b->v.d, sizeof a->v.d);
    default: return a->cs == b->cs && a->len == b->len && !memcmp(a->v.s, b->v.s, a->len);
    }
}

/* "data" and, for updates, "old", as Maxwell builds them. */
static int put_rows(rc_buf *b, const frag *f, const rc_change *c, rc_err *err)
{
    const rc_table *t = c->table;
    const rc_value *data = c->after ? c->after : c->before;
    int first = 1;
    RC_BUF_LIT(b, ",\"data\":{");
    for (uint32_t i = 0; i < t->ncols; i++)
        if (data[i].kind != RC_V_MISSING && put_member(b, f, t, i, &data[i], &first, err) < 0)
            return -1;
    if (!(c->after && c->before)) {
        rc_buf_putc(b, '}');
        return 0;
    }
    /* MINIMAL images: columns only in the before image complete "data". */
    for (uint32_t i = 0; i < t->ncols; i++)
        if (c->after[i].kind == RC_V_MISSING && c->before[i].kind != RC_V_MISSING &&
            put_member(b, f, t, i, &c->before[i], &first, err) < 0)
            return -1;
    rc_buf_putc(b, '}');
    size_t old_at = b->len;
    first = 1;
    RC_BUF_LIT(b, ",\"old\":{");
    for (uint32_t i = 0; i < t->ncols; i++) {
        const rc_value *o = &c->before[i];
        if (o->kind == RC_V_MISSING || c->after[i].kind == RC_V_MISSING) continue;
        if (same_value(o, &c->after[i])) continue;
        if (put_member(b, f, t, i, o, &first, err) < 0) return -1;
    }
    if (first)
        b->len = old_at; /* nothing changed: Maxwell leaves "old" out */
    else
        rc_buf_putc(b, '}');
    return 0;
}

static void put_meta(mw *s, rc_buf *b, const rc_meta *m)
{
    if (!s->file_json.len || strcmp(s->file_cached, m->file)) {
        snprintf(s->file_cached, sizeof s->file_cached, "%s", m->file);
        s->file_json.len = 0;
        RC_BUF_LIT(&s->file_json, ",\"position\":");
        rc_json_str(&s->file_json, m->file, strlen(m->file));
        s->file_json.len--; /* reopen the string to append :offset */
        rc_buf_putc(&s->file_json, ':');
    }
    rc_buf_put(b, s->file_json.data, s->file_json.len);
    rc_json_u64(b, m->offset);
    rc_buf_putc(b, '"');
    if (m->gtid) {
        RC_BUF_LIT(b, ",\"gtid\":");
        rc_json_str(b, m->gtid, strlen(m->gtid));
    }
    RC_BUF_LIT(b, ",\"server_id\":");
    rc_json_u64(b, m->server_id);
}

static int mw_change(rc_enc *e, const rc_change *c, rc_err *err)
{
    static const char *const types[] = {"insert", "update", "delete"};
    if (c->op == RC_OP_QUERY) return 0; /* Maxwell's output_ddl=false: nothing */
    mw *s = e->state;
    rc_buf *b = e->out;
    size_t start = b->len;
    const frag *f = frag_for(c->table);
    rc_buf_put(b, f->head.data, f->head.len);
    rc_buf_puts(b, types[c->op]);
    RC_BUF_LIT(b, "\",\"ts\":");
    rc_json_u64(b, c->meta->timestamp);
    size_t slot = b->len; /* "xid" and "commit" go here once known */
    put_meta(s, b, c->meta);
    if (put_rows(b, f, c, err) < 0) {
        b->len = start;
        return -1;
    }
    s->tail_len = b->len - slot;
    return 1;
}

static void mw_close(rc_enc *e, int commit, int has_xid, uint64_t xid)
{
    mw *s = e->state;
    rc_buf *b = e->out;
    char ins[48]; /* ,"xid":18446744073709551615,"commit":true */
    size_t n = 0;
    if (has_xid) {
        memcpy(ins, ",\"xid\":", 7);
        n = 7 + rc_fmt_u64(ins + 7, xid);
    }
    if (commit) {
        memcpy(ins + n, ",\"commit\":true", 14);
        n += 14;
    }
    if (n) {
        rc_buf_reserve(b, n);
        char *slot = b->data + b->len - s->tail_len;
        memmove(slot + n, slot, s->tail_len);
        memcpy(slot, ins, n);
        b->len += n;
    }
    RC_BUF_LIT(b, "}\n");
}

const rc_fmt_ops rc_fmt_maxwell = {
    .name = "maxwell",
    .no_queries = 1,
    .new_state = mw_new,
    .free_state = mw_free,
    .change = mw_change,
    .close = mw_close,
};
