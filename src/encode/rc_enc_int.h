/* The inside of rc_enc: what every output format shares (the output buffer,
 * the held-back tail of the newest event, cached timestamp text) and the
 * interface one format implements. A new format is one file defining an
 * rc_fmt_ops and one line in rc_enc.c's table. */
#ifndef RC_ENC_INT_H
#define RC_ENC_INT_H

#include "encode/rc_enc.h"

typedef struct rc_fmt_ops rc_fmt_ops;

struct rc_enc {
    rc_enc_opts o;
    const rc_fmt_ops *ops;
    void *state; /* the format's own, from ops->new_state */
    rc_buf *out;
    size_t complete; /* out->data[0..complete) holds whole events */
    int open;        /* the newest event's tail is held back */
    unsigned long long count;
    uint32_t ts_cached;
    char ts_text[20]; /* "YYYY-MM-DD HH:MM:SS" of ts_cached */
};

struct rc_fmt_ops {
    const char *name;
    int no_queries; /* the format has no shape for statements: they are left out */
    int raw_rows;   /* change() takes rows not decoded yet (rc_change.raw) */
    void *(*new_state)(const rc_enc_opts *o); /* may be NULL */
    void (*free_state)(void *state);
    /* Appends one event to e->out. Returns 1 when the event is left open for
     * ops->close (its tail depends on the transaction's end), 0 when it is
     * complete (the caller adds nothing), -1 on error with out unchanged. */
    int (*change)(rc_enc *e, const rc_change *c, rc_err *err);
    /* Appends the tail of the open event; commit is 1 on the last change of
     * a transaction. Must end the event with '\n'. */
    void (*close)(rc_enc *e, int commit, int has_xid, uint64_t xid);
};

extern const rc_fmt_ops rc_fmt_seed;
extern const rc_fmt_ops rc_fmt_maxwell;
extern const rc_fmt_ops rc_fmt_debezium;

/* "YYYY-MM-DD HH:MM:SS" (UTC) of a binlog timestamp, cached per second. */
const char *rc_enc_ts_text(rc_enc *e, uint32_t ts);

/* The per-table slot of format f in t (see rc_table.enc_cache). */
static inline void *rc_enc_cache_get(const rc_table *t, rc_format f)
{
    return t->enc_cache[f];
}
static inline void rc_enc_cache_set(const rc_table *t, rc_format f, void *p, void (*fr)(void *))
{
    rc_table *w = (rc_table *)t; /* the slot is the encoder's even in a const table */
    w->enc_cache[f] = p;
    w->enc_cache_free[f] = fr;
}

#endif
