/* rc_enc_debezium: `--format debezium`, the value of a Debezium MySQL
 * connector change event as Kafka's JSON converter writes it with
 * schemas.enable=false (the bare payload, what most consumers parse):
 *
 *   {"before":{..}|null,"after":{..}|null,"source":{"version":"rowcast",
 *    "connector":"mysql","name":"rowcast","ts_ms":T,"snapshot":"false",
 *    "db":"inventory","sequence":null,"table":"customers","server_id":223344,
 *    "gtid":null,"file":"mysql-bin.000003","pos":154,"row":0,"thread":null,
 *    "query":null},"op":"c","ts_ms":T,"transaction":null}
 *
 * Sources (facts, no code): Debezium documentation, "Debezium connector for
 * MySQL" (documentation/modules/ROOT/pages/connectors/mysql.adoc in
 * debezium/debezium), sections "Data change events" (D) and "Data type
 * mappings" (T); the JSON converter's Decimal encoding (K).
 *
 * | MySQL type            | written as                                   | source              |
 * |-----------------------|----------------------------------------------|---------------------|
 * | TINYINT..BIGINT, YEAR | JSON number (YEAR: io.debezium.time.Year)    | T basic types       |
 * | BIGINT UNSIGNED       | int64: values above 2^63-1 wrap negative     | T, bigint.unsigned. |
 * |                       | (bigint.unsigned.handling.mode=long default) | handling.mode       |
 * | FLOAT / DOUBLE        | number (FLOAT32 / FLOAT64)                   | T basic types       |
 * | DECIMAL / NUMERIC     | base64 of the unscaled value's big-endian    | T decimal types +   |
 * |                       | two's-complement bytes, minimal length       | K (precise default) |
 * | BIT(1)                | true / false                                 | T basic types       |
 * | BIT(n>1)              | base64 of ceil(n/8) bytes, LITTLE-endian     | T io.debezium.data. |
 * |                       |                                              | Bits                |
 * | CHAR/VARCHAR/TEXT     | string                                       | T basic types       |
 * | BINARY/VARBINARY/BLOB | base64 (binary.handling.mode=bytes default;  | T basic types       |
 * |                       | the JSON converter writes bytes as base64)   |                     |
 * | ENUM / SET            | string; SET labels comma-joined              | T Enum / EnumSet    |
 * | JSON                  | string holding the JSON text                 | T io.debezium.data. |
 * |                       |                                              | Json                |
 * | DATE                  | int: days since 1970-01-01                   | T temporal, adaptive|
 * |                       |                                              | _time_microseconds  |
 * | DATETIME(0..3)        | int64: epoch milliseconds (as UTC)           | T io.debezium.time. |
 * |                       |                                              | Timestamp           |
 * | DATETIME(4..6)        | int64: epoch microseconds (as UTC)           | T MicroTimestamp    |
 * | TIME(0..6)            | int64: microseconds                          | T MicroTime         |
 * | TIMESTAMP(0..6)       | "2018-06-20T13:37:03Z" in UTC, fraction      | T ZonedTimestamp;   |
 * |                       | digits = the column's precision              | DBZ-5996 (2.2+)     |
 * | zero DATE/DATETIME/   | null if the column is nullable, else the     | T temporal types    |
 * | TIMESTAMP             | epoch (0 / "1970-01-01T00:00:00Z")           |                     |
 * | GEOMETRY              | WKT string (Debezium: {"wkb","srid"}; rowcast| deviation, see      |
 * |                       | keeps no WKB)                                | docs/formats.md     |
 *
 * Envelope (D): op "c"/"u"/"d"; source.ts_ms = event time in ms; source.row
 * = index of the row within its rows event; source.snapshot "false" (a
 * string: io.debezium.data.Enum in current releases). rowcast choices:
 * source.name "rowcast" (no topic prefix), version "rowcast", thread null
 * (rowcast does not keep the BEGIN's thread id), query null (include.query
 * is off by default), top-level ts_ms = the event time too (not the
 * processing time) so the same binlog always gives the same bytes,
 * transaction null (provide.transaction.metadata off). Statements are left
 * out: Debezium sends DDL to a schema change topic in another shape.
 *
 * Per table, the quoted column names and the source fragment from "snapshot"
 * to "server_id" are rendered once; a row costs memcpys and a value rule
 * per column, with no allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/rc_enc_int.h"
#include "encode/rc_json.h"

typedef struct frag {
    rc_buf names;       /* "a":"b":... each column's quoted name and colon */
    uint32_t *name_off; /* ncols + 1 offsets into names */
    rc_buf mid;         /* ,"snapshot":"false","db":..,"sequence":null,"table":..,"server_id": */
} frag;

typedef struct dbz {
    /* source.row: changes from the same rows event arrive one after another
     * with the same file and offset; rc_change does not carry the index. */
    char last_file[512];
    uint64_t last_offset;
    uint32_t row;
    int have_last;
    char file_cached[512];
    rc_buf file_json; /* ,"gtid": is written before; this is ,"file":"..","pos": */
} dbz;

static void frag_free(void *p)
{
    frag *f = p;
    rc_buf_free(&f->names);
    rc_buf_free(&f->mid);
    free(f->name_off);
    free(f);
}

static void str_lit(rc_buf *b, const char *s)
{
    rc_json_str(b, s, strlen(s));
}

static frag *frag_for(const rc_table *t)
{
    frag *f = rc_enc_cache_get(t, RC_FMT_DEBEZIUM);
    if (f) return f;
    f = rc_xcalloc(1, sizeof *f);
    f->name_off = rc_xmalloc(sizeof(uint32_t) * (t->ncols + 1));
    for (uint32_t i = 0; i < t->ncols; i++) {
        f->name_off[i] = (uint32_t)f->names.len;
        str_lit(&f->names, t->cols[i].name);
        rc_buf_putc(&f->names, ':');
    }
    f->name_off[t->ncols] = (uint32_t)f->names.len;
    RC_BUF_LIT(&f->mid, ",\"snapshot\":\"false\",\"db\":");
    str_lit(&f->mid, t->schema);
    RC_BUF_LIT(&f->mid, ",\"sequence\":null,\"table\":");
    str_lit(&f->mid, t->name);
    RC_BUF_LIT(&f->mid, ",\"server_id\":");
    rc_enc_cache_set(t, RC_FMT_DEBEZIUM, f, frag_free);
    return f;
}

static void *dbz_new(const rc_enc_opts *o)
{
    (void)o;
    return rc_xcalloc(1, sizeof(dbz));
}

static void dbz_free(void *p)
{
    dbz *s = p;
    rc_buf_free(&s->file_json);
    free(s);
}

/* ---- parsing rowcast's own texts (digits at fixed places) ---- */

static uint32_t digits(const char *s, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint32_t)(s[i] - '0');
    return v;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (the inverse of the
 * civil-from-days arithmetic in rc_enc_ts_text). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD[ HH:MM:SS[.f..]]" -> seconds since the epoch and the fraction
 * in microseconds. Returns 0 for a zero or partly zero date (month or day 0),
 * which Debezium treats as the zero value; -1 if the text is not that shape. */
static int parse_datetime(const char *s, size_t n, int64_t *secs, int64_t *usec)
{
    if (n < 10 || s[4] != '-' || s[7] != '-') return -1;
    unsigned y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    if (mo == 0 || d == 0) return 0;
    int64_t t = days_from_civil(y, mo, d) * 86400;
    int64_t us = 0;
    if (n >= 19) {
        t += (int64_t)digits(s + 11, 2) * 3600 + digits(s + 14, 2) * 60 + digits(s + 17, 2);
        if (n > 20) {
            size_t fl = n - 20;
            us = digits(s + 20, fl);
            for (size_t i = fl; i < 6; i++)
                us *= 10;
        }
    }
    *secs = t;
    *usec = us;
    return 1;
}

/* "[-]H..H:MM:SS[.f..]" -> signed microseconds. */
static int parse_time(const char *s, size_t n, int64_t *out)
{
    int neg = n && s[0] == '-';
    size_t i = (size_t)neg, h0 = i;
    while (i < n && s[i] != ':')
        i++;
    if (i == h0 || n < i + 6 || s[i + 3] != ':') return -1;
    int64_t us = ((int64_t)digits(s + h0, i - h0) * 3600 + digits(s + i + 1, 2) * 60 +
                  digits(s + i + 4, 2)) *
                 1000000;
    if (n > i + 7) {
        size_t fl = n - (i + 7);
        int64_t f = digits(s + i + 7, fl);
        for (size_t k = fl; k < 6; k++)
            f *= 10;
        us += f;
    }
    *out = neg ? -us : us;
    return 0;
}

/* DECIMAL text ("-12.50") -> base64 of the unscaled integer (-1250) as the
 * minimal big-endian two's-complement bytes, as Java's
 * BigInteger.toByteArray() gives them (Kafka Connect Decimal). */
static void put_decimal(rc_buf *b, const char *s, size_t n)
{
    uint8_t le[32] = {0}; /* 65 digits < 2^216: 27 bytes */
    int neg = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-') {
            neg = 1;
            continue;
        }
        if (c < '0' || c > '9') continue;
        unsigned carry = (unsigned)(c - '0');
        for (size_t k = 0; k < sizeof le; k++) {
            unsigned v = le[k] * 10u + carry;
            le[k] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    if (neg) { /* two's complement: invert and add one */
        unsigned carry = 1;
        for (size_t k = 0; k < sizeof le; k++) {
            unsigned v = (uint8_t)~le[k] + carry;
            le[k] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    /* Drop leading sign-extension bytes while the next byte keeps the sign. */
    uint8_t ext = neg ? 0xff : 0x00;
    size_t len = sizeof le;
    while (len > 1 && le[len - 1] == ext && ((le[len - 2] & 0x80) != 0) == neg)
        len--;
    uint8_t be[32];
    for (size_t k = 0; k < len; k++)
        be[k] = le[len - 1 - k];
    rc_json_base64(b, be, len);
}

static int put_value(rc_buf *b, const rc_table *t, uint32_t i, const rc_value *v, rc_err *err)
{
    const rc_column *c = &t->cols[i];
    if (v->kind == RC_V_NULL || v->kind == RC_V_MISSING) {
        /* A MINIMAL image's absent column: Debezium's struct has the field,
         * null. */
        RC_BUF_LIT(b, "null");
        return 0;
    }
    int64_t secs, us;
    int r;
    switch (c->real_type) {
    case RC_T_LONGLONG:
        if (v->kind == RC_V_UINT) { /* bigint.unsigned.handling.mode=long: Java long */
            rc_json_i64(b, (int64_t)v->v.u);
            return 0;
        }
        break;
    case RC_T_NEWDECIMAL:
        if (v->kind != RC_V_NUMBER) break;
        put_decimal(b, v->v.s, v->len);
        return 0;
    case RC_T_BIT:
        if (v->kind != RC_V_UINT) break;
        if (c->meta <= 1) {
            if (v->v.u)
                RC_BUF_LIT(b, "true");
            else
                RC_BUF_LIT(b, "false");
        } else {
            uint8_t le[8];
            size_t nb = ((size_t)c->meta + 7) / 8;
            if (nb > 8) nb = 8;
            for (size_t k = 0; k < nb; k++)
                le[k] = (uint8_t)(v->v.u >> (8 * k));
            rc_json_base64(b, le, nb);
        }
        return 0;
    case RC_T_JSON:
        if (v->kind != RC_V_JSON) break;
        rc_json_str(b, v->v.s, v->len);
        return 0;
    case RC_T_DATE:
    case RC_T_NEWDATE:
        if (v->kind != RC_V_TEXT) break;
        r = parse_datetime(v->v.s, v->len, &secs, &us);
        if (r < 0) break;
        if (r == 0) {
            if (c->nullable)
                RC_BUF_LIT(b, "null");
            else
                rc_buf_putc(b, '0');
            return 0;
        }
        rc_json_i64(b, secs / 86400);
        return 0;
    case RC_T_DATETIME:
    case RC_T_DATETIME2:
        if (v->kind != RC_V_TEXT) break;
        r = parse_datetime(v->v.s, v->len, &secs, &us);
        if (r < 0) break;
        if (r == 0) {
            if (c->nullable)
                RC_BUF_LIT(b, "null");
            else
                rc_buf_putc(b, '0');
            return 0;
        }
        if (c->real_type == RC_T_DATETIME2 && c->meta >= 4)
            rc_json_i64(b, secs * 1000000 + us);
        else
            rc_json_i64(b, secs * 1000 + us / 1000);
        return 0;
    case RC_T_TIME:
    case RC_T_TIME2:
        if (v->kind != RC_V_TEXT || parse_time(v->v.s, v->len, &us) < 0) break;
        rc_json_i64(b, us);
        return 0;
    case RC_T_TIMESTAMP:
    case RC_T_TIMESTAMP2: {
        if (v->kind != RC_V_TEXT || v->len < 19) break;
        r = parse_datetime(v->v.s, v->len, &secs, &us);
        if (r < 0) break;
        /* The text is already UTC with the column's fraction digits; only
         * the zero TIMESTAMP needs the epoch, and ' ' becomes 'T'. */
        static const char epoch[] = "1970-01-01 00:00:00.000000";
        const char *s = v->v.s;
        if (r == 0) {
            if (c->nullable) {
                RC_BUF_LIT(b, "null");
                return 0;
            }
            s = epoch;
        }
        rc_buf_reserve(b, v->len + 3);
        rc_buf_putc_unsafe(b, '"');
        rc_buf_put_unsafe(b, s, 10);
        rc_buf_putc_unsafe(b, 'T');
        rc_buf_put_unsafe(b, s + 11, v->len - 11);
        rc_buf_putc_unsafe(b, 'Z');
        rc_buf_putc_unsafe(b, '"');
        return 0;
    }
    default:
        if (c->is_json_text && v->kind == RC_V_JSON) { /* MariaDB JSON: a string too */
            rc_json_str(b, v->v.s, v->len);
            return 0;
        }
        break;
    }
    /* Integers, floats, strings, bytes (base64), ENUM/SET labels: the shared
     * rules already write what Debezium writes. */
    return rc_enc_value(b, t, i, v, err);
}

static int put_row(rc_buf *b, const frag *f, const rc_table *t, const rc_value *vals, rc_err *err)
{
    if (!vals) {
        RC_BUF_LIT(b, "null");
        return 0;
    }
    rc_buf_putc(b, '{');
    for (uint32_t i = 0; i < t->ncols; i++) {
        size_t nl = f->name_off[i + 1] - f->name_off[i];
        rc_buf_reserve(b, nl + 1);
        if (i) rc_buf_putc_unsafe(b, ',');
        rc_buf_put_unsafe(b, f->names.data + f->name_off[i], nl);
        if (put_value(b, t, i, &vals[i], err) < 0) return -1;
    }
    rc_buf_putc(b, '}');
    return 0;
}

/* Counts rows within one rows event: same file and offset as the previous
 * change means the next row of the same event. */
static uint32_t row_index(dbz *s, const rc_meta *m)
{
    if (s->have_last && m->offset == s->last_offset && !strcmp(m->file, s->last_file))
        return ++s->row;
    s->have_last = 1;
    s->last_offset = m->offset;
    snprintf(s->last_file, sizeof s->last_file, "%s", m->file);
    s->row = 0;
    return 0;
}

static int dbz_change(rc_enc *e, const rc_change *c, rc_err *err)
{
    if (c->op == RC_OP_QUERY) return 0; /* DDL goes to Debezium's schema change topic */
    static const char *const ops[] = {"\"c\"", "\"u\"", "\"d\""};
    dbz *s = e->state;
    rc_buf *b = e->out;
    size_t start = b->len;
    const rc_meta *m = c->meta;
    const frag *f = frag_for(c->table);
    uint32_t row = row_index(s, m);
    uint64_t ts_ms = (uint64_t)m->timestamp * 1000;

    RC_BUF_LIT(b, "{\"before\":");
    if (put_row(b, f, c->table, c->before, err) < 0) goto fail;
    RC_BUF_LIT(b, ",\"after\":");
    if (put_row(b, f, c->table, c->after, err) < 0) goto fail;
    RC_BUF_LIT(b, ",\"source\":{\"version\":\"rowcast\",\"connector\":\"mysql\",\"name\":"
                  "\"rowcast\",\"ts_ms\":");
    rc_json_u64(b, ts_ms);
    rc_buf_put(b, f->mid.data, f->mid.len);
    rc_json_u64(b, m->server_id);
    RC_BUF_LIT(b, ",\"gtid\":");
    if (m->gtid)
        rc_json_str(b, m->gtid, strlen(m->gtid));
    else
        RC_BUF_LIT(b, "null");
    if (!s->file_json.len || strcmp(s->file_cached, m->file)) {
        snprintf(s->file_cached, sizeof s->file_cached, "%s", m->file);
        s->file_json.len = 0;
        RC_BUF_LIT(&s->file_json, ",\"file\":");
        str_lit(&s->file_json, m->file);
        RC_BUF_LIT(&s->file_json, ",\"pos\":");
    }
    rc_buf_put(b, s->file_json.data, s->file_json.len);
    rc_json_u64(b, m->offset);
    RC_BUF_LIT(b, ",\"row\":");
    rc_json_u64(b, row);
    RC_BUF_LIT(b, ",\"thread\":null,\"query\":null},\"op\":");
    rc_buf_puts(b, ops[c->op]);
    RC_BUF_LIT(b, ",\"ts_ms\":");
    rc_json_u64(b, ts_ms);
    RC_BUF_LIT(b, ",\"transaction\":null}\n");
    return 0;
fail:
    b->len = start;
    return -1;
}

static void dbz_close(rc_enc *e, int commit, int has_xid, uint64_t xid)
{
    /* Never called: every event is complete when change() returns. */
    (void)e, (void)commit, (void)has_xid, (void)xid;
}

const rc_fmt_ops rc_fmt_debezium = {
    .name = "debezium",
    .no_queries = 1,
    .new_state = dbz_new,
    .free_state = dbz_free,
    .change = dbz_change,
    .close = dbz_close,
};
