/* rc_enc_seed: the seed format (SPEC.md §1), the default.
 *
 * What is the same for every row of a table (schema, table, primary, keys,
 * columns, and each column's quoted name) is rendered once per table map into
 * fragments; a row then costs a few memcpys and one value rule per column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/rc_enc.h"
#include "encode/rc_json.h"

typedef struct frag {
    uint64_t generation;
    rc_buf head;        /* {"schema":"s","table":"t","timestamp":" */
    rc_buf keys;        /* ,"primary":...,"keys":[...],"columns":[...] */
    rc_buf names;       /* "a":"b":... each column's quoted name and colon */
    uint32_t *name_off; /* ncols + 1 offsets into names */
} frag;

struct rc_enc {
    rc_enc_opts o;
    rc_buf *out;
    size_t complete; /* out->data[0..complete) holds whole events */
    int open;        /* an event's tail is held back */
    unsigned long long count;
    uint32_t ts_cached;
    char ts_text[20];
    char file_cached[512];
    rc_buf file_json; /* "position":"file: */
};

static void frag_free(void *p)
{
    frag *f = p;
    rc_buf_free(&f->head);
    rc_buf_free(&f->keys);
    rc_buf_free(&f->names);
    free(f->name_off);
    free(f);
}

static void str_lit(rc_buf *b, const char *s)
{
    rc_json_str(b, s, strlen(s));
}

static frag *frag_for(const rc_table *ct)
{
    rc_table *t = (rc_table *)ct; /* enc_cache is the encoder's slot in the table */
    frag *f = t->enc_cache;
    if (f && f->generation == t->generation) return f;
    if (f) frag_free(f);
    f = rc_xcalloc(1, sizeof *f);
    f->generation = t->generation;
    RC_BUF_LIT(&f->head, "{\"schema\":");
    str_lit(&f->head, t->schema);
    RC_BUF_LIT(&f->head, ",\"table\":");
    str_lit(&f->head, t->name);
    RC_BUF_LIT(&f->head, ",\"timestamp\":\"");

    RC_BUF_LIT(&f->keys, ",\"primary\":");
    if (t->npk == 0)
        RC_BUF_LIT(&f->keys, "null");
    else if (t->npk == 1)
        str_lit(&f->keys, t->cols[t->pk[0]].name);
    else {
        rc_buf_putc(&f->keys, '[');
        for (uint32_t i = 0; i < t->npk; i++) {
            if (i) rc_buf_putc(&f->keys, ',');
            str_lit(&f->keys, t->cols[t->pk[i]].name);
        }
        rc_buf_putc(&f->keys, ']');
    }
    RC_BUF_LIT(&f->keys, ",\"keys\":[");
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (!t->cols[i].in_key) continue;
        if (!first) rc_buf_putc(&f->keys, ',');
        first = 0;
        str_lit(&f->keys, t->cols[i].name);
    }
    RC_BUF_LIT(&f->keys, "],\"columns\":[");
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i) rc_buf_putc(&f->keys, ',');
        str_lit(&f->keys, t->cols[i].name);
    }
    rc_buf_putc(&f->keys, ']');

    f->name_off = rc_xmalloc(sizeof(uint32_t) * (t->ncols + 1));
    for (uint32_t i = 0; i < t->ncols; i++) {
        f->name_off[i] = (uint32_t)f->names.len;
        str_lit(&f->names, t->cols[i].name);
        rc_buf_putc(&f->names, ':');
    }
    f->name_off[t->ncols] = (uint32_t)f->names.len;
    t->enc_cache = f;
    t->enc_cache_free = frag_free;
    return f;
}

rc_enc *rc_enc_new(const rc_enc_opts *opts, rc_buf *out)
{
    rc_enc *e = rc_xcalloc(1, sizeof *e);
    if (opts) e->o = *opts;
    e->out = out;
    e->ts_cached = UINT32_MAX;
    rc_buf_init(&e->file_json);
    return e;
}

void rc_enc_free(rc_enc *e)
{
    if (!e) return;
    rc_buf_free(&e->file_json);
    free(e);
}

size_t rc_enc_complete(const rc_enc *e)
{
    return e->complete;
}
void rc_enc_consumed(rc_enc *e, size_t n)
{
    e->complete -= n;
}
unsigned long long rc_enc_count(const rc_enc *e)
{
    return e->count;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (n - i <= k) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* One value by the rules of SPEC.md §2. */
static int put_value(rc_buf *b, const rc_table *t, uint32_t col, const rc_value *v, rc_err *err)
{
    switch (v->kind) {
    case RC_V_NULL: RC_BUF_LIT(b, "null"); return 0;
    case RC_V_INT: rc_json_i64(b, v->v.i); return 0;
    case RC_V_UINT: rc_json_u64(b, v->v.u); return 0;
    case RC_V_FLOAT: rc_json_float(b, v->v.f); return 0;
    case RC_V_DOUBLE: rc_json_double(b, v->v.d); return 0;
    case RC_V_NUMBER:
    case RC_V_JSON: rc_buf_put(b, v->v.s, v->len); return 0;
    case RC_V_BYTES: rc_json_base64(b, v->v.s, v->len); return 0;
    case RC_V_TEXT:
        if (v->cs == RC_CS_ASCII) {
            /* text rowcast formatted: digits and punctuation, nothing to escape */
            rc_buf_reserve(b, v->len + 2);
            rc_buf_putc_unsafe(b, '"');
            rc_buf_put_unsafe(b, v->v.s, v->len);
            rc_buf_putc_unsafe(b, '"');
            return 0;
        }
        if (v->cs == RC_CS_UNKNOWN) {
            /* No charset known (a binlog without metadata, read offline):
             * text if it is UTF-8, otherwise the bytes, never a guess. */
            if (utf8_valid((const unsigned char *)v->v.s, v->len))
                rc_json_str(b, v->v.s, v->len);
            else
                rc_json_base64(b, v->v.s, v->len);
            return 0;
        }
        if (rc_json_str_cs(b, v->v.s, v->len, v->cs) < 0) {
            const char *cs = rc_collation_charset(v->cs);
            return rc_err_set(err, RC_E_CORRUPT,
                              "%s.%s column %s: character set %s (collation %u) is not "
                              "supported by this version",
                              t->schema, t->name, t->cols[col].name, cs ? cs : "unknown", v->cs);
        }
        return 0;
    default: RC_BUF_LIT(b, "null"); return 0;
    }
}

static int put_row(rc_buf *b, const frag *f, const rc_table *t, const rc_value *vals, rc_err *err)
{
    rc_buf_putc(b, '{');
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (vals[i].kind == RC_V_MISSING) continue;
        size_t nl = f->name_off[i + 1] - f->name_off[i];
        rc_buf_reserve(b, nl + 1);
        if (!first) rc_buf_putc_unsafe(b, ',');
        first = 0;
        rc_buf_put_unsafe(b, f->names.data + f->name_off[i], nl);
        if (put_value(b, t, i, &vals[i], err) < 0) return -1;
    }
    rc_buf_putc(b, '}');
    return 0;
}

static void fmt_ts(rc_enc *e, uint32_t ts)
{
    if (ts == e->ts_cached) return;
    e->ts_cached = ts;
    /* civil date from days since 1970-01-01 (proleptic Gregorian) */
    int64_t days = ts / 86400, sod = ts % 86400;
    int64_t z = days + 719468, era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    if (mm <= 2) y++;
    int v[6] = {(int)y, (int)mm, (int)dd, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60)};
    char *p = e->ts_text;
    p[0] = (char)('0' + v[0] / 1000 % 10);
    p[1] = (char)('0' + v[0] / 100 % 10);
    p[2] = (char)('0' + v[0] / 10 % 10);
    p[3] = (char)('0' + v[0] % 10);
    static const int pos[5] = {5, 8, 11, 14, 17};
    for (int i = 1; i < 6; i++) {
        p[pos[i - 1]] = (char)('0' + v[i] / 10);
        p[pos[i - 1] + 1] = (char)('0' + v[i] % 10);
    }
    p[4] = p[7] = '-';
    p[10] = ' ';
    p[13] = p[16] = ':';
}

static void close_open(rc_enc *e, int commit, int has_xid, uint64_t xid)
{
    if (!e->open) return;
    rc_buf *b = e->out;
    RC_BUF_LIT(b, "\"xid\":");
    if (has_xid)
        rc_json_u64(b, xid);
    else
        RC_BUF_LIT(b, "null");
    if (commit)
        RC_BUF_LIT(b, ",\"commit\":true}\n");
    else
        RC_BUF_LIT(b, ",\"commit\":false}\n");
    e->open = 0;
    e->complete = b->len;
    e->count++;
}

static void put_meta(rc_enc *e, const rc_meta *m)
{
    rc_buf *b = e->out;
    if (!e->file_json.len || strcmp(e->file_cached, m->file)) {
        snprintf(e->file_cached, sizeof e->file_cached, "%s", m->file);
        e->file_json.len = 0;
        RC_BUF_LIT(&e->file_json, ",\"position\":");
        rc_json_str(&e->file_json, m->file, strlen(m->file));
        e->file_json.len--; /* reopen the string to append :offset */
        rc_buf_putc(&e->file_json, ':');
    }
    rc_buf_put(b, e->file_json.data, e->file_json.len);
    rc_json_u64(b, m->offset);
    RC_BUF_LIT(b, "\",\"gtid\":");
    if (m->gtid)
        rc_json_str(b, m->gtid, strlen(m->gtid));
    else
        RC_BUF_LIT(b, "null");
    RC_BUF_LIT(b, ",\"server_id\":");
    rc_json_u64(b, m->server_id);
    rc_buf_putc(b, ',');
}

int rc_enc_change(rc_enc *e, const rc_change *c, rc_err *err)
{
    static const char *const ops[] = {"insert", "update", "delete", "query"};
    if (c->op == RC_OP_QUERY && e->o.no_queries) return 0;
    close_open(e, 0, 0, 0);
    rc_buf *b = e->out;
    size_t start = b->len;
    fmt_ts(e, c->meta->timestamp);
    if (c->op == RC_OP_QUERY) {
        RC_BUF_LIT(b, "{\"schema\":");
        rc_json_str(b, c->schema, c->schema_len);
        RC_BUF_LIT(b, ",\"table\":null,\"timestamp\":\"");
        rc_buf_put(b, e->ts_text, 19);
        RC_BUF_LIT(b, "\",\"operation\":\"query\",\"query\":");
        rc_json_str(b, c->query, c->query_len);
    } else {
        const frag *f = frag_for(c->table);
        rc_buf_put(b, f->head.data, f->head.len);
        rc_buf_put(b, e->ts_text, 19);
        RC_BUF_LIT(b, "\",\"operation\":\"");
        rc_buf_puts(b, ops[c->op]);
        rc_buf_putc(b, '"');
        rc_buf_put(b, f->keys.data, f->keys.len);
        if (c->after) {
            RC_BUF_LIT(b, ",\"new\":");
            if (put_row(b, f, c->table, c->after, err) < 0) goto fail;
        }
        if (c->before) {
            RC_BUF_LIT(b, ",\"old\":");
            if (put_row(b, f, c->table, c->before, err) < 0) goto fail;
        }
    }
    put_meta(e, c->meta);
    e->open = 1;
    return 0;
fail:
    b->len = start;
    return -1;
}

void rc_enc_txn_end(rc_enc *e, const rc_txn_end *t)
{
    close_open(e, 1, t->has_xid, t->xid);
}

void rc_enc_finish(rc_enc *e)
{
    close_open(e, 0, 0, 0);
}

void rc_enc_discard_open(rc_enc *e)
{
    if (!e->open) return;
    e->out->len = e->complete;
    e->open = 0;
}

int rc_enc_has_open(const rc_enc *e)
{
    return e->open;
}
