/* rc_enc: what every output format shares. Dispatches each change to the
 * format's rc_fmt_ops, holds back the newest event's tail until the next
 * change or the transaction's end decides it (see rc_enc.h), and writes
 * values by the rules of SPEC.md §2 for the formats that use them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/rc_coltext.h"
#include "encode/rc_enc_int.h"
#include "encode/rc_json.h"

static const rc_fmt_ops *const formats[RC_TABLE_ENC_SLOTS] = {
    [RC_FMT_SEED] = &rc_fmt_seed,
    [RC_FMT_MAXWELL] = &rc_fmt_maxwell,
    [RC_FMT_DEBEZIUM] = &rc_fmt_debezium,
};

int rc_format_parse(const char *name, rc_format *out)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i] && !strcmp(formats[i]->name, name)) {
            *out = (rc_format)i;
            return 0;
        }
    return -1;
}

rc_enc *rc_enc_new(const rc_enc_opts *opts, rc_buf *out)
{
    rc_enc *e = rc_xcalloc(1, sizeof *e);
    if (opts) e->o = *opts;
    e->ops = formats[e->o.format];
    e->out = out;
    e->ts_cached = UINT32_MAX;
    if (e->ops->new_state) e->state = e->ops->new_state(&e->o);
    return e;
}

void rc_enc_free(rc_enc *e)
{
    if (!e) return;
    if (e->ops->free_state) e->ops->free_state(e->state);
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
int rc_enc_has_open(const rc_enc *e)
{
    return e->open;
}

static void close_open(rc_enc *e, int commit, int has_xid, uint64_t xid)
{
    if (!e->open) return;
    e->ops->close(e, commit, has_xid, xid);
    e->open = 0;
    e->complete = e->out->len;
    e->count++;
}

int rc_enc_change(rc_enc *e, const rc_change *c, rc_err *err)
{
    /* Before the open event is closed: a statement left out must not end
     * a transaction's run of rows. */
    if (c->op == RC_OP_QUERY && (e->o.no_queries || e->ops->no_queries)) return 0;
    /* A format that reads values gets them decoded first (before the open
     * event is closed, so that a row the decoder refuses leaves it open). */
    if (c->raw && !e->ops->raw_rows && rc_change_values(c, &c, err) < 0) return -1;
    close_open(e, 0, 0, 0);
    size_t before = e->out->len;
    int r = e->ops->change(e, c, err);
    if (r < 0) return -1;
    if (r == 1) {
        e->open = 1;
    } else if (e->out->len != before) { /* a format may leave a change out */
        e->complete = e->out->len;
        e->count++;
    }
    return 0;
}

void rc_enc_txn_end(rc_enc *e, const rc_txn_end *t)
{
    close_open(e, 1, t->has_xid, t->xid);
}
void rc_enc_finish(rc_enc *e)
{
    close_open(e, 0, 0, 0);
}

const char *rc_enc_ts_text(rc_enc *e, uint32_t ts)
{
    if (ts == e->ts_cached) return e->ts_text;
    e->ts_cached = ts;
    e->ts_text[rc_epoch_text(ts, e->ts_text)] = 0;
    return e->ts_text;
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

int rc_enc_value(rc_buf *b, const rc_table *t, uint32_t col, const rc_value *v, rc_err *err)
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
            /* text rowcast formatted itself: digits and punctuation */
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
