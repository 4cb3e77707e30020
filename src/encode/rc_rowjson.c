/* rc_rowjson: binlog row image -> seed-format JSON object in one pass (see
 * rc_rowjson.h). Each operation mirrors a case of rc_rows.c's decode_cell
 * followed by rc_enc_value's rule for the value it makes, calling the same
 * formatting functions; the operations differ only in skipping the rc_value
 * in between and in work moved to plan time (quoted names, ENUM labels
 * already as JSON strings). */
#include "encode/rc_rowjson.h"

#include <stdlib.h>
#include <string.h>

#include "decode/rc_coltext.h"
#include "decode/rc_rd.h"
#include "encode/rc_enc.h"
#include "encode/rc_json.h"

enum {
    RJ_SLOW = 0, /* not covered: a non-NULL value sends the row the generic way */
    RJ_I8,
    RJ_U8,
    RJ_I16,
    RJ_U16,
    RJ_I24,
    RJ_U24,
    RJ_I32,
    RJ_U32,
    RJ_I64,
    RJ_U64,
    RJ_YEAR,
    RJ_FLOAT,
    RJ_DOUBLE,
    RJ_DECIMAL,
    RJ_DATE,
    RJ_TIME,
    RJ_TIME2,
    RJ_DATETIME,
    RJ_DATETIME2,
    RJ_TIMESTAMP,
    RJ_TIMESTAMP2,
    RJ_STR,     /* VARCHAR, CHAR and the BLOB/TEXT types: a length of lb bytes, then text */
    RJ_ENUM,    /* lb bytes of 1-based label index, labels pre-rendered */
    RJ_SET,     /* lb bytes of member bits, joined labels as text */
    RJ_UINT_LE, /* ENUM/SET without labels: the index or bits as a number */
    RJ_UINT_BE, /* BIT */
};

/* How the text of an RJ_STR column becomes JSON. */
enum {
    TX_UTF8,  /* utf8mb3/utf8mb4: rc_json_str */
    TX_BIN,   /* binary collation: base64 */
    TX_OTHER, /* everything else through rc_enc_value (charset conversion, unknown) */
};

/* Room for the name copy (always 32 bytes, see put_name) and a value. */
#define RJ_NAME_SLACK 32

typedef struct rj_col {
    uint8_t op, tx, lb, binpad;
    uint8_t null_mask; /* the column's bit in its byte of the null bitmap */
    uint32_t null_byte;
    uint16_t meta, cs;
    uint32_t need; /* bytes the column may write: name, slack, longest fixed-size value */
    uint32_t rest; /* need of this column and all after it, and the closing brace */
    uint32_t name_off, name_len;
    uint32_t lab; /* RJ_ENUM: first offset in lab_off */
    uint32_t nlab;
} rj_col;

struct rc_rowjson {
    const rc_table *t;
    uint32_t ncols;
    rj_col *cols;
    rc_buf names;      /* {"a": ,"b": ... then RJ_NAME_SLACK zero bytes */
    rc_buf labels;     /* ENUM labels as JSON strings */
    uint32_t *lab_off; /* per ENUM column: nlab + 1 offsets into labels */
    rc_buf set;        /* a SET value's joined labels */
};

/* rc_enc_value on a made-up value: the generic rule exactly, for what is
 * rare enough not to need its own path. */
static int enc_text(rc_buf *b, const rc_table *t, uint32_t col, const char *s, size_t n,
                    uint16_t cs, uint8_t kind)
{
    rc_value v = {.kind = kind, .cs = cs, .len = (uint32_t)n, .v.s = s};
    rc_err err;
    return rc_enc_value(b, t, col, &v, &err);
}

static void plan_labels(rc_rowjson *p, rj_col *pc, const rc_column *c, uint32_t col)
{
    pc->lab = 0;
    for (uint32_t i = 0; i < col; i++)
        if (p->cols[i].op == RJ_ENUM) pc->lab += p->cols[i].nlab + 1;
    pc->nlab = c->nlabels;
    p->lab_off = rc_xrealloc(p->lab_off, sizeof(uint32_t) * (pc->lab + c->nlabels + 1));
    uint32_t longest = 2;
    for (uint32_t i = 0; i < c->nlabels; i++) {
        size_t at = p->labels.len;
        p->lab_off[pc->lab + i] = (uint32_t)at;
        if (enc_text(&p->labels, p->t, col, c->labels[i], c->label_lens[i], c->collation,
                     RC_V_TEXT) < 0) {
            pc->op = RJ_SLOW; /* the generic path reports the charset */
            return;
        }
        if (p->labels.len - at > longest) longest = (uint32_t)(p->labels.len - at);
    }
    p->lab_off[pc->lab + c->nlabels] = (uint32_t)p->labels.len;
    rc_buf_pad(&p->labels);
    pc->need += longest;
}

/* One column's operation, by the same tests decode_cell makes. */
static void plan_col(rc_rowjson *p, uint32_t i)
{
    const rc_column *c = &p->t->cols[i];
    rj_col *pc = &p->cols[i];
    pc->meta = c->meta;
    pc->cs = c->collation;
    pc->need += 24; /* "null", integers, and the quotes of text */
    int u = c->is_unsigned;
    switch (c->real_type) {
    case RC_T_TINY: pc->op = u ? RJ_U8 : RJ_I8; break;
    case RC_T_SHORT: pc->op = u ? RJ_U16 : RJ_I16; break;
    case RC_T_INT24: pc->op = u ? RJ_U24 : RJ_I24; break;
    case RC_T_LONG: pc->op = u ? RJ_U32 : RJ_I32; break;
    case RC_T_LONGLONG: pc->op = u ? RJ_U64 : RJ_I64; break;
    case RC_T_YEAR: pc->op = RJ_YEAR; break;
    case RC_T_FLOAT: pc->op = RJ_FLOAT; break;
    case RC_T_DOUBLE: pc->op = RJ_DOUBLE; break;
    case RC_T_NEWDECIMAL: {
        unsigned prec = c->meta >> 8, scale = c->meta & 0xff;
        if (prec == 0 || prec > 65 || scale > 38 || scale > prec) break;
        pc->op = RJ_DECIMAL;
        pc->need += prec + 3;
        break;
    }
    case RC_T_DATE:
    case RC_T_NEWDATE: pc->op = RJ_DATE; break;
    case RC_T_TIME: pc->op = RJ_TIME; break;
    case RC_T_TIME2: pc->op = RJ_TIME2; break;
    case RC_T_DATETIME: pc->op = RJ_DATETIME; break;
    case RC_T_DATETIME2: pc->op = RJ_DATETIME2; break;
    case RC_T_TIMESTAMP: pc->op = RJ_TIMESTAMP; break;
    case RC_T_TIMESTAMP2: pc->op = RJ_TIMESTAMP2; break;
    case RC_T_VARCHAR:
    case RC_T_VAR_STRING:
    case RC_T_STRING:
        pc->op = RJ_STR;
        pc->lb = c->meta > 255 ? 2 : 1;
        /* BINARY(n) gets its trailing zeros back: rare, left to the generic path */
        pc->binpad = c->real_type == RC_T_STRING && c->collation == RC_COLLATION_BINARY;
        break;
    case RC_T_BLOB:
    case RC_T_TINY_BLOB:
    case RC_T_MEDIUM_BLOB:
    case RC_T_LONG_BLOB:
        if (c->meta < 1 || c->meta > 4) break;
        pc->op = RJ_STR;
        pc->lb = (uint8_t)c->meta;
        break;
    case RC_T_ENUM:
        if (c->meta != 1 && c->meta != 2) break;
        pc->lb = (uint8_t)c->meta;
        pc->op = c->labels ? RJ_ENUM : RJ_UINT_LE;
        if (c->labels) plan_labels(p, pc, c, i);
        break;
    case RC_T_SET:
        if (c->meta < 1 || c->meta > 8) break;
        pc->lb = (uint8_t)c->meta;
        pc->op = c->labels ? RJ_SET : RJ_UINT_LE;
        break;
    case RC_T_BIT: {
        unsigned n = (c->meta + 7u) / 8;
        if (n < 1 || n > 8) break;
        pc->lb = (uint8_t)n;
        pc->op = RJ_UINT_BE;
        break;
    }
    default: break; /* JSON, GEOMETRY, VECTOR and the unknown: RJ_SLOW */
    }
    if (pc->op >= RJ_DATE && pc->op <= RJ_TIMESTAMP2) pc->need += 44; /* rc_coltext: 40 */
    if (pc->op == RJ_FLOAT || pc->op == RJ_DOUBLE) pc->need += 32;
    if (pc->op == RJ_STR) {
        if (c->collation == RC_COLLATION_BINARY)
            pc->tx = TX_BIN;
        else if (c->collation && rc_collation_is_utf8(c->collation))
            pc->tx = TX_UTF8;
        else
            pc->tx = TX_OTHER;
    }
}

rc_rowjson *rc_rowjson_new(const rc_table *t)
{
    rc_rowjson *p = rc_xcalloc(1, sizeof *p);
    p->t = t;
    p->ncols = t->ncols;
    p->cols = rc_xcalloc(t->ncols + 1, sizeof *p->cols); /* and a sentinel: rest 1 */
    for (uint32_t i = 0; i < t->ncols; i++) {
        rj_col *pc = &p->cols[i];
        pc->name_off = (uint32_t)p->names.len;
        rc_buf_putc(&p->names, i ? ',' : '{');
        rc_json_str(&p->names, t->cols[i].name, strlen(t->cols[i].name));
        rc_buf_putc(&p->names, ':');
        pc->name_len = (uint32_t)(p->names.len - pc->name_off);
        pc->need = pc->name_len + RJ_NAME_SLACK;
        pc->null_byte = i / 8;
        pc->null_mask = (uint8_t)(1u << (i % 8));
        plan_col(p, i);
    }
    p->cols[t->ncols].rest = 1;
    for (uint32_t i = t->ncols; i-- > 0;)
        p->cols[i].rest = p->cols[i].need + p->cols[i + 1].rest;
    rc_buf_reserve(&p->names, RJ_NAME_SLACK);
    memset(p->names.data + p->names.len, 0, RJ_NAME_SLACK);
    return p;
}

void rc_rowjson_free(rc_rowjson *p)
{
    if (!p) return;
    free(p->cols);
    free(p->lab_off);
    rc_buf_free(&p->names);
    rc_buf_free(&p->labels);
    rc_buf_free(&p->set);
    free(p);
}

/* Names are short: one fixed 32-byte copy (the plan's names end in 32 spare
 * bytes, and the reservation covers it) instead of a call to memcpy. */
static inline char *put_name(char *o, const char *src, uint32_t n)
{
    if (n <= RJ_NAME_SLACK)
        memcpy(o, src, RJ_NAME_SLACK);
    else
        memcpy(o, src, n);
    return o + n;
}

#define NEED(n)                                                                                    \
    do {                                                                                           \
        if ((size_t)(end - q) < (size_t)(n)) goto slow;                                            \
    } while (0)

static inline int64_t sext(uint64_t u, unsigned bits)
{
    uint64_t sign = 1ULL << (bits - 1);
    return (int64_t)(u ^ sign) - (int64_t)sign;
}

/* A temporal column: its text between quotes, at o. */
#define TEMPORAL(call)                                                                             \
    do {                                                                                           \
        size_t tlen = 0;                                                                           \
        *o = '"';                                                                                  \
        size_t used = (call);                                                                      \
        if (!used) goto slow;                                                                      \
        q += used;                                                                                 \
        o[1 + tlen] = '"';                                                                         \
        o += tlen + 2;                                                                             \
    } while (0)

/* After a value written through b (it reserved for itself): room again for
 * the columns from next on, and where to go on writing. */
static inline char *resume(rc_buf *b, const rj_col *next)
{
    rc_buf_reserve(b, next->rest);
    return b->data + b->len;
}

size_t rc_rowjson_image(rc_rowjson *p, rc_buf *b, const uint8_t *row, const uint8_t *end)
{
    const size_t start = b->len;
    const uint8_t *q = row;
    const uint32_t n = p->ncols;
    const uint8_t *nulls = q;
    NEED((n + 7) / 8);
    q += (n + 7) / 8;
    const char *names = p->names.data;
    /* Room for every column's fixed-size part at once; a value of its own
     * length (text, doubles) reserves for itself, and then the room for the
     * columns after it is reserved again. Between those, o alone moves. */
    rc_buf_reserve(b, p->cols[0].rest);
    char *o = b->data + b->len;
    for (const rj_col *c = p->cols, *cend = c + n; c < cend; c++) {
        o = put_name(o, names + c->name_off, c->name_len);
        if (nulls[c->null_byte] & c->null_mask) {
            memcpy(o, "null", 4);
            o += 4;
            continue;
        }
        switch (c->op) {
        case RJ_I8:
            NEED(1);
            o += rc_fmt_i64(o, sext(q[0], 8));
            q += 1;
            break;
        case RJ_U8:
            NEED(1);
            o += rc_fmt_u64(o, q[0]);
            q += 1;
            break;
        case RJ_I16:
            NEED(2);
            o += rc_fmt_i64(o, sext(rc_le16(q), 16));
            q += 2;
            break;
        case RJ_U16:
            NEED(2);
            o += rc_fmt_u64(o, rc_le16(q));
            q += 2;
            break;
        case RJ_I24:
            NEED(3);
            o += rc_fmt_i64(o, sext(rc_le24(q), 24));
            q += 3;
            break;
        case RJ_U24:
            NEED(3);
            o += rc_fmt_u64(o, rc_le24(q));
            q += 3;
            break;
        case RJ_I32:
            NEED(4);
            o += rc_fmt_i64(o, sext(rc_le32(q), 32));
            q += 4;
            break;
        case RJ_U32:
            NEED(4);
            o += rc_fmt_u64(o, rc_le32(q));
            q += 4;
            break;
        case RJ_I64:
            NEED(8);
            o += rc_fmt_i64(o, (int64_t)rc_le64(q));
            q += 8;
            break;
        case RJ_U64:
            NEED(8);
            o += rc_fmt_u64(o, rc_le64(q));
            q += 8;
            break;
        case RJ_YEAR:
            NEED(1);
            o += rc_fmt_u64(o, q[0] ? 1900u + q[0] : 0);
            q += 1;
            break;
        case RJ_FLOAT:
        case RJ_DOUBLE: {
            b->len = (size_t)(o - b->data);
            if (c->op == RJ_FLOAT) {
                float f;
                NEED(4);
                memcpy(&f, q, 4);
                rc_json_float(b, f);
                q += 4;
            } else {
                double d;
                NEED(8);
                memcpy(&d, q, 8);
                rc_json_double(b, d);
                q += 8;
            }
            o = resume(b, c + 1);
            continue;
        }
        case RJ_DECIMAL: {
            size_t tlen = 0;
            size_t used =
                rc_decimal_text(q, (size_t)(end - q), c->meta >> 8, c->meta & 0xff, o, &tlen);
            if (!used) goto slow;
            q += used;
            o += tlen;
            break;
        }
        case RJ_DATE: TEMPORAL(rc_date_text(q, (size_t)(end - q), o + 1, &tlen)); break;
        case RJ_TIME: TEMPORAL(rc_time_text(q, (size_t)(end - q), o + 1, &tlen)); break;
        case RJ_TIME2: TEMPORAL(rc_time2_text(q, (size_t)(end - q), c->meta, o + 1, &tlen)); break;
        case RJ_DATETIME: TEMPORAL(rc_datetime_text(q, (size_t)(end - q), o + 1, &tlen)); break;
        case RJ_DATETIME2:
            TEMPORAL(rc_datetime2_text(q, (size_t)(end - q), c->meta, o + 1, &tlen));
            break;
        case RJ_TIMESTAMP: TEMPORAL(rc_timestamp_text(q, (size_t)(end - q), o + 1, &tlen)); break;
        case RJ_TIMESTAMP2:
            TEMPORAL(rc_timestamp2_text(q, (size_t)(end - q), c->meta, o + 1, &tlen));
            break;
        case RJ_STR: {
            NEED(c->lb);
            size_t len = (size_t)rc_le_n(q, c->lb);
            q += c->lb;
            NEED(len);
            const char *s = (const char *)q;
            q += len;
            b->len = (size_t)(o - b->data);
            if (c->tx == TX_UTF8) {
                rc_json_str(b, s, len);
            } else if (c->tx == TX_BIN) {
                if (c->binpad && len < c->meta) goto slow;
                rc_json_base64(b, s, len);
            } else if (enc_text(b, p->t, (uint32_t)(c - p->cols), s, len, c->cs, RC_V_TEXT) < 0) {
                goto slow;
            }
            o = resume(b, c + 1);
            continue;
        }
        case RJ_ENUM: {
            NEED(c->lb);
            uint32_t idx = c->lb == 1 ? q[0] : rc_le16(q);
            q += c->lb;
            if (idx == 0) { /* the empty "error" member */
                memcpy(o, "\"\"", 2);
                o += 2;
                break;
            }
            if (idx > c->nlab) goto slow; /* the generic path says what is wrong */
            const uint32_t *off = p->lab_off + c->lab + idx - 1;
            size_t ln = off[1] - off[0];
            if (ln <= 16) /* the labels end in padding (rc_buf_pad) */
                memcpy(o, p->labels.data + off[0], 16);
            else
                memcpy(o, p->labels.data + off[0], ln);
            o += ln;
            break;
        }
        case RJ_SET: {
            NEED(c->lb);
            uint64_t bits = rc_le_n(q, c->lb);
            q += c->lb;
            uint32_t i = (uint32_t)(c - p->cols);
            const rc_column *col = &p->t->cols[i];
            p->set.len = 0;
            for (uint32_t k = 0; k < col->nlabels && k < 64; k++) {
                if (!(bits >> k & 1)) continue;
                if (p->set.len) rc_buf_putc(&p->set, ',');
                rc_buf_put(&p->set, col->labels[k], col->label_lens[k]);
            }
            b->len = (size_t)(o - b->data);
            if (enc_text(b, p->t, i, p->set.data ? p->set.data : "", p->set.len, c->cs, RC_V_TEXT) <
                0)
                goto slow;
            o = resume(b, c + 1);
            continue;
        }
        case RJ_UINT_LE:
            NEED(c->lb);
            o += rc_fmt_u64(o, rc_le_n(q, c->lb));
            q += c->lb;
            break;
        case RJ_UINT_BE:
            NEED(c->lb);
            o += rc_fmt_u64(o, rc_be_n(q, c->lb));
            q += c->lb;
            break;
        default: goto slow;
        }
    }
    *o++ = '}'; /* the sentinel's rest */
    b->len = (size_t)(o - b->data);
    return (size_t)(q - row);
slow:
    b->len = start;
    return 0;
}
