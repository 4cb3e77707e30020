/* rc_enc_seed: the seed format (SPEC.md §1), the default.
 *
 * What is the same for every row of a table (schema, table, primary, keys,
 * columns, and each column's quoted name) is rendered once per table map into
 * fragments; a row then costs a few memcpys and one value rule per column.
 * `xid` and `commit` come last so the newest event can be held open until
 * the transaction's end says what they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/rc_enc_int.h"
#include "encode/rc_json.h"
#include "encode/rc_rowjson.h"

typedef struct frag {
    rc_buf head;        /* {"schema":"s","table":"t","timestamp":" */
    rc_buf keys;        /* ,"primary":...,"keys":[...],"columns":[...] */
    rc_buf opkeys[3];   /* ","operation":"insert" and keys, for each operation */
    rc_buf names;       /* "a":"b":... each column's quoted name and colon */
    uint32_t *name_off; /* ncols + 1 offsets into names */
    rc_rowjson *rj;     /* rows straight from binlog bytes (rc_change.raw) */
} frag;

typedef struct seed {
    char file_cached[512];
    rc_buf file_json; /* ,"position":"file: */
    /* ","gtid":...,"server_id":N, as JSON: the same for every change of a
     * transaction, so escaped once per transaction, not once per row */
    char gtid_cached[256];
    int gtid_null, tail_valid;
    uint32_t server_id_cached;
    rc_buf tail_json;
    /* file_json, the offset and tail_json together, for the event at
     * meta_off: the rows of one event share it whole */
    rc_buf meta_json;
    uint64_t meta_off, meta_seq;
    int meta_valid;
    rc_buf old; /* an update's before image, written before its after image */
    int check;  /* ROWCAST_ROWS_CROSSCHECK: compare raw rows with the generic path */
    rc_buf check_out;
} seed;

static void frag_free(void *p)
{
    frag *f = p;
    rc_buf_free(&f->head);
    rc_buf_free(&f->keys);
    for (int i = 0; i < 3; i++)
        rc_buf_free(&f->opkeys[i]);
    rc_buf_free(&f->names);
    free(f->name_off);
    rc_rowjson_free(f->rj);
    free(f);
}

static void str_lit(rc_buf *b, const char *s)
{
    rc_json_str(b, s, strlen(s));
}

static frag *frag_for(const rc_table *t)
{
    frag *f = rc_enc_cache_get(t, RC_FMT_SEED);
    if (f) return f;
    f = rc_xcalloc(1, sizeof *f);
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
    /* what follows the timestamp, whole: one copy per event */
    static const char *const opnames[3] = {"insert", "update", "delete"};
    for (int i = 0; i < 3; i++) {
        RC_BUF_LIT(&f->opkeys[i], "\",\"operation\":\"");
        rc_buf_puts(&f->opkeys[i], opnames[i]);
        rc_buf_putc(&f->opkeys[i], '"');
        rc_buf_put(&f->opkeys[i], f->keys.data, f->keys.len);
        rc_buf_pad(&f->opkeys[i]);
    }
    rc_buf_pad(&f->head);

    f->name_off = rc_xmalloc(sizeof(uint32_t) * (t->ncols + 1));
    for (uint32_t i = 0; i < t->ncols; i++) {
        f->name_off[i] = (uint32_t)f->names.len;
        str_lit(&f->names, t->cols[i].name);
        rc_buf_putc(&f->names, ':');
    }
    f->name_off[t->ncols] = (uint32_t)f->names.len;
    f->rj = rc_rowjson_new(t);
    rc_enc_cache_set(t, RC_FMT_SEED, f, frag_free);
    return f;
}

static void *seed_new(const rc_enc_opts *o)
{
    (void)o;
    seed *s = rc_xcalloc(1, sizeof(seed));
    const char *cc = getenv("ROWCAST_ROWS_CROSSCHECK");
    s->check = cc && *cc && strcmp(cc, "0");
    return s;
}

static void seed_free(void *p)
{
    seed *s = p;
    rc_buf_free(&s->file_json);
    rc_buf_free(&s->tail_json);
    rc_buf_free(&s->meta_json);
    rc_buf_free(&s->old);
    rc_buf_free(&s->check_out);
    free(s);
}

/* Writes {"a":1,...}; columns missing from the image are left out, and
 * their names collected in *missing (the caller lists them). */
static int put_row(rc_buf *b, const frag *f, const rc_table *t, const rc_value *vals,
                   uint32_t *nmissing, rc_err *err)
{
    rc_buf_putc(b, '{');
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (vals[i].kind == RC_V_MISSING) {
            (*nmissing)++;
            continue;
        }
        size_t nl = f->name_off[i + 1] - f->name_off[i];
        rc_buf_reserve(b, nl + 1);
        if (!first) rc_buf_putc_unsafe(b, ',');
        first = 0;
        rc_buf_put_unsafe(b, f->names.data + f->name_off[i], nl);
        if (rc_enc_value(b, t, i, &vals[i], err) < 0) return -1;
    }
    rc_buf_putc(b, '}');
    return 0;
}

/* Column names a MINIMAL or NOBLOB row image left out. */
static void put_missing(rc_buf *b, const char *key, const rc_table *t, const rc_value *vals)
{
    rc_buf_puts(b, key);
    rc_buf_putc(b, '[');
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (vals[i].kind != RC_V_MISSING) continue;
        if (!first) rc_buf_putc(b, ',');
        first = 0;
        str_lit(b, t->cols[i].name);
    }
    rc_buf_putc(b, ']');
}

/* ,"position":"file:offset","gtid":...,"server_id":N, from caches that
 * change per file, per transaction and per event. */
static void put_meta(seed *s, rc_buf *b, const rc_meta *m, const char *group)
{
    if (group) { /* only when a filter routed it: the default group is the sink's */
        RC_BUF_LIT(b, ",\"group\":");
        rc_json_str(b, group, strlen(group));
    }
    if (m->event_seq && m->event_seq == s->meta_seq && s->meta_valid) { /* the same event */
        rc_buf_put_blocks(b, s->meta_json.data, s->meta_json.len);
        return;
    }
    int fresh = 0;
    if (!s->file_json.len || strcmp(s->file_cached, m->file)) {
        snprintf(s->file_cached, sizeof s->file_cached, "%s", m->file);
        s->file_json.len = 0;
        RC_BUF_LIT(&s->file_json, ",\"position\":");
        rc_json_str(&s->file_json, m->file, strlen(m->file));
        s->file_json.len--; /* reopen the string to append :offset */
        rc_buf_putc(&s->file_json, ':');
        fresh = 1;
    }
    if (!s->tail_valid || s->server_id_cached != m->server_id || s->gtid_null != !m->gtid ||
        (m->gtid && strcmp(s->gtid_cached, m->gtid))) {
        size_t glen = m->gtid ? strlen(m->gtid) : 0;
        s->tail_json.len = 0;
        RC_BUF_LIT(&s->tail_json, "\",\"gtid\":");
        if (m->gtid)
            rc_json_str(&s->tail_json, m->gtid, glen);
        else
            RC_BUF_LIT(&s->tail_json, "null");
        RC_BUF_LIT(&s->tail_json, ",\"server_id\":");
        rc_json_u64(&s->tail_json, m->server_id);
        rc_buf_putc(&s->tail_json, ',');
        s->server_id_cached = m->server_id;
        s->gtid_null = !m->gtid;
        /* a GTID too long to keep is simply written afresh every time */
        s->tail_valid = !m->gtid || glen < sizeof s->gtid_cached;
        if (m->gtid && s->tail_valid) memcpy(s->gtid_cached, m->gtid, glen + 1);
        fresh = 1;
    }
    if (fresh || !s->meta_valid || s->meta_off != m->offset) {
        s->meta_json.len = 0;
        rc_buf_put(&s->meta_json, s->file_json.data, s->file_json.len);
        rc_json_u64(&s->meta_json, m->offset);
        rc_buf_put(&s->meta_json, s->tail_json.data, s->tail_json.len);
        rc_buf_pad(&s->meta_json);
        s->meta_off = m->offset;
        s->meta_valid = s->tail_valid;
    }
    s->meta_seq = m->event_seq;
    rc_buf_put_blocks(b, s->meta_json.data, s->meta_json.len);
}

/* The row part of an event from values: "new", "old", "missing",
 * "json_diff". */
static int put_rows(rc_buf *b, const frag *f, const rc_change *c, rc_err *err)
{
    uint32_t miss_new = 0, miss_old = 0;
    if (c->after) {
        RC_BUF_LIT(b, ",\"new\":");
        if (put_row(b, f, c->table, c->after, &miss_new, err) < 0) return -1;
    }
    if (c->before) {
        RC_BUF_LIT(b, ",\"old\":");
        if (put_row(b, f, c->table, c->before, &miss_old, err) < 0) return -1;
    }
    /* Only when the image is partial: "missing" lists the columns absent
     * from the event's main image (new, or old for a delete), and
     * "missing_old" those absent from an update's before image. */
    if (c->after ? miss_new : miss_old)
        put_missing(b, ",\"missing\":", c->table, c->after ? c->after : c->before);
    if (c->after && c->before && miss_old) put_missing(b, ",\"missing_old\":", c->table, c->before);
    if (c->json_diff) {
        RC_BUF_LIT(b, ",\"json_diff\":");
        rc_buf_put(b, c->json_diff, c->json_diff_len);
    }
    return 0;
}

/* The row part straight from the row's bytes (full images only: nothing
 * is missing). Returns 1, or 0 with b as it was when the row must be
 * decoded. An update's before image comes first in the bytes but second in
 * the event, so it is written aside first. */
static int put_rows_raw(seed *s, rc_buf *b, const frag *f, const rc_change *c)
{
    rc_rawrow *raw = c->raw;
    if (!raw->full) return 0;
    size_t start = b->len, n1, n2 = 0;
    if (c->op == RC_OP_UPDATE) {
        s->old.len = 0;
        n1 = rc_rowjson_image(f->rj, &s->old, raw->p, raw->end);
        if (!n1) goto no;
        RC_BUF_LIT(b, ",\"new\":");
        n2 = rc_rowjson_image(f->rj, b, raw->p + n1, raw->end);
        if (!n2) goto no;
        RC_BUF_LIT(b, ",\"old\":");
        rc_buf_pad(&s->old);
        rc_buf_put_blocks(b, s->old.data, s->old.len);
    } else {
        if (c->op == RC_OP_INSERT)
            RC_BUF_LIT(b, ",\"new\":");
        else
            RC_BUF_LIT(b, ",\"old\":");
        n1 = rc_rowjson_image(f->rj, b, raw->p, raw->end);
        if (!n1) goto no;
    }
    raw->used = n1 + n2;
    return 1;
no:
    b->len = start;
    return 0;
}

/* ROWCAST_ROWS_CROSSCHECK: the rows put_rows_raw wrote at b[at..] must be
 * what decoding the row and put_rows give, byte for byte. */
static int crosscheck(seed *s, const rc_buf *b, size_t at, const frag *f, const rc_change *c,
                      rc_err *err)
{
    const rc_change *full;
    const char *what = "decoded";
    if (rc_change_values(c, &full, err) < 0) goto refused;
    s->check_out.len = 0;
    what = "encoded";
    if (put_rows(&s->check_out, f, full, err) < 0) goto refused;
    size_t n = b->len - at, m = s->check_out.len, i = 0;
    const char *x = b->data + at, *y = s->check_out.data;
    while (i < n && i < m && x[i] == y[i])
        i++;
    if (i == n && i == m) return 0;
    size_t from = i > 30 ? i - 30 : 0;
    return rc_err_set(err, RC_E_INTERNAL,
                      "rows crosscheck: %s.%s at %s:%llu byte %zu: raw path wrote '%.*s', the "
                      "decoder's path '%.*s'",
                      c->table->schema, c->table->name, c->meta->file,
                      (unsigned long long)c->meta->offset, i,
                      (int)((n < i + 30 ? n : i + 30) - from), x + from,
                      (int)((m < i + 30 ? m : i + 30) - from), y + from);
refused : {
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return rc_err_set(err, RC_E_INTERNAL,
                      "rows crosscheck: the raw path wrote a row that cannot be %s: %s", what, msg);
}
}

static int seed_change(rc_enc *e, const rc_change *c, rc_err *err)
{
    seed *s = e->state;
    rc_buf *b = e->out;
    size_t start = b->len;
    const char *ts = rc_enc_ts_text(e, c->meta->timestamp);
    if (c->op == RC_OP_QUERY) {
        RC_BUF_LIT(b, "{\"schema\":");
        rc_json_str(b, c->schema, c->schema_len);
        RC_BUF_LIT(b, ",\"table\":null,\"timestamp\":\"");
        rc_buf_put(b, ts, 19);
        RC_BUF_LIT(b, "\",\"operation\":\"query\",\"query\":");
        rc_json_str(b, c->query, c->query_len);
    } else {
        const frag *f = frag_for(c->table);
        rc_buf_put_blocks(b, f->head.data, f->head.len);
        rc_buf_put(b, ts, 19);
        rc_buf_put_blocks(b, f->opkeys[c->op].data, f->opkeys[c->op].len);
        if (!c->raw) {
            if (put_rows(b, f, c, err) < 0) goto fail;
        } else {
            size_t at = b->len;
            if (put_rows_raw(s, b, f, c)) {
                if (s->check && crosscheck(s, b, at, f, c, err) < 0) goto fail;
            } else {
                const rc_change *full;
                if (rc_change_values(c, &full, err) < 0) goto fail;
                if (put_rows(b, f, full, err) < 0) goto fail;
            }
        }
    }
    put_meta(s, b, c->meta, c->group);
    return 1;
fail:
    b->len = start;
    return -1;
}

static void seed_close(rc_enc *e, int commit, int has_xid, uint64_t xid)
{
    rc_buf *b = e->out;
    if (!has_xid && !commit) { /* every row of a transaction but its last */
        RC_BUF_LIT(b, "\"xid\":null,\"commit\":false}\n");
        return;
    }
    RC_BUF_LIT(b, "\"xid\":");
    if (has_xid)
        rc_json_u64(b, xid);
    else
        RC_BUF_LIT(b, "null");
    if (commit)
        RC_BUF_LIT(b, ",\"commit\":true}\n");
    else
        RC_BUF_LIT(b, ",\"commit\":false}\n");
}

const rc_fmt_ops rc_fmt_seed = {
    .name = "seed",
    .raw_rows = 1,
    .new_state = seed_new,
    .free_state = seed_free,
    .change = seed_change,
    .close = seed_close,
};
