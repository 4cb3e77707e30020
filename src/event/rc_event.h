/* rc_event: the row change, the one noun every stage shares.
 *
 * The decoder produces rc_change values and hands them to a consumer
 * (encoder, filter, sink) through rc_handler. An rc_change and everything it
 * points to are valid only during the callback. */
#ifndef RC_EVENT_H
#define RC_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "rc_table.h"
#include "rc_value.h"

typedef enum rc_op { RC_OP_INSERT = 0, RC_OP_UPDATE, RC_OP_DELETE, RC_OP_QUERY } rc_op;

/* Transaction and position facts common to every change of an event. */
typedef struct rc_meta {
    uint32_t timestamp; /* event header time, seconds since the epoch (UTC) */
    uint32_t server_id;
    const char *file; /* binlog file name ("" if unknown) */
    uint64_t offset;  /* offset of the event that carried the change */
    const char *gtid; /* GTID of the transaction as text, NULL if none */
    /* Different for every event decoded in the process (0: not from the
     * decoder). Two changes with the same non-zero value come from one
     * event, so everything above is the same for both: encoders key their
     * per-event text on it. */
    uint64_t event_seq;
} rc_meta;

struct rc_change;

/* A row the decoder has not decoded yet (rc_decoder_opts.lazy_rows): its
 * bytes, for an encoder that writes them straight to JSON (rc_rowjson), and
 * a way to decode it after all. Whoever walks the row records its length in
 * `used`, so that the decoder can go on to the next one. */
typedef struct rc_rawrow {
    const uint8_t *p, *end;       /* the row's first byte; the end of the event's rows */
    const uint8_t *present;       /* the columns of the first image (before, for an update) */
    const uint8_t *present_after; /* an update's after image, else NULL */
    int full;                     /* every column is in every image (binlog_row_image=FULL) */
    size_t used;                  /* bytes of the row, once someone walked it (0: not yet) */
    /* Decodes the row as the decoder would have: *values gets the change
     * with its before/after (and json_diff), raw NULL. Idempotent. */
    int (*decode)(struct rc_rawrow *r, const struct rc_change *c, const struct rc_change **values,
                  rc_err *err);
    /* One column of one image (after: 1 for the after image), decoded on its
     * own: for a filter that reads a few fields. The value is valid until the
     * next call. RC_V_MISSING when the image lacks the column. */
    int (*value)(struct rc_rawrow *r, const struct rc_change *c, int after, uint32_t col,
                 const rc_value **out, rc_err *err);
    void *ctx;
} rc_rawrow;

typedef struct rc_change {
    rc_op op;
    const rc_meta *meta;
    const rc_table *table;  /* NULL for RC_OP_QUERY */
    const rc_value *before; /* table->ncols values (update, delete), else NULL */
    const rc_value *after;  /* table->ncols values (insert, update), else NULL */
    /* MySQL partial JSON updates whose before-image document was not in the
     * event (binlog_row_image=MINIMAL): a JSON object text
     * {"col":[{"op":"replace","path":"$.a","value":1},...]}, or NULL. The
     * column itself is RC_V_MISSING in `after`. */
    const char *json_diff;
    size_t json_diff_len;
    /* The group (subject, channel) a filter routed the change to; NULL for
     * the sink's default. */
    const char *group;
    /* RC_OP_QUERY only */
    const char *schema; /* default database, may be "" */
    size_t schema_len;
    const char *query;
    size_t query_len;
    /* Set (and before/after NULL) when the row is not decoded yet: see
     * rc_rawrow. A consumer that reads values calls rc_change_values. */
    rc_rawrow *raw;
} rc_change;

/* c with its values: c itself when it has them, else the decoded row (valid
 * during the callback). Returns 0, or -1 with err set. */
static inline int rc_change_values(const rc_change *c, const rc_change **out, rc_err *err)
{
    if (!c->raw) {
        *out = c;
        return 0;
    }
    return c->raw->decode(c->raw, c, out, err);
}

/* 1 if c has the image (after: the after image), undecoded or not. */
static inline int rc_change_has_image(const rc_change *c, int after)
{
    if (c->raw) return after ? c->op != RC_OP_DELETE : c->op != RC_OP_INSERT;
    return (after ? c->after : c->before) != NULL;
}

/* Column col of an image of c (which has it: rc_change_has_image), decoding
 * only that column of a row not decoded yet. */
static inline int rc_change_value(const rc_change *c, int after, uint32_t col, const rc_value **out,
                                  rc_err *err)
{
    if (!c->raw) {
        *out = &(after ? c->after : c->before)[col];
        return 0;
    }
    return c->raw->value(c->raw, c, after, col, out, err);
}

/* The end of a transaction: what a checkpoint needs. */
typedef struct rc_txn_end {
    const rc_meta *meta;  /* of the commit event */
    uint64_t next_offset; /* where the next transaction starts in meta->file */
    int has_xid;
    uint64_t xid;
} rc_txn_end;

/* Callbacks from the decoder. Each returns 0 to go on, -1 to stop decoding
 * (the consumer has set the error it got). */
typedef struct rc_handler {
    void *ctx;
    int (*change)(void *ctx, const rc_change *c);
    int (*txn_end)(void *ctx, const rc_txn_end *t);
    /* A new binlog file begins (ROTATE); optional. */
    int (*rotate)(void *ctx, const char *file, uint64_t pos);
} rc_handler;

#endif
