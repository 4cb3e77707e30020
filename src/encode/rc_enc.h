/* rc_enc: row changes into event bytes (SPEC.md §1), appended to an output
 * buffer one event per line.
 *
 * `xid` and `commit` are known only when the transaction's XID arrives after
 * its last row, so the encoder holds back the tail of the newest event: the
 * next change closes it with commit false, the transaction's end with commit
 * true and the xid. Bytes up to rc_enc_complete() are whole events; what
 * follows is the open one. */
#ifndef RC_ENC_H
#define RC_ENC_H

#include "core/rc_buf.h"
#include "core/rc_err.h"
#include "event/rc_event.h"

typedef enum rc_format { RC_FMT_SEED = 0, RC_FMT_MAXWELL, RC_FMT_DEBEZIUM } rc_format;

typedef struct rc_enc_opts {
    rc_format format;
    int no_queries; /* leave statements (operation "query") out */
} rc_enc_opts;

typedef struct rc_enc rc_enc;

/* "seed", "maxwell", "debezium" -> rc_format; -1 if unknown. */
int rc_format_parse(const char *name, rc_format *out);

/* out is the caller's; the encoder appends to it. */
rc_enc *rc_enc_new(const rc_enc_opts *opts, rc_buf *out);
void rc_enc_free(rc_enc *e);

int rc_enc_change(rc_enc *e, const rc_change *c, rc_err *err);
/* Closes the open event as the transaction's last (commit true). */
void rc_enc_txn_end(rc_enc *e, const rc_txn_end *t);
/* Closes the open event, if any, as not the last of its transaction (the
 * input ended before the transaction did). */
void rc_enc_finish(rc_enc *e);
int rc_enc_has_open(const rc_enc *e);
/* Bytes of out that hold whole events. */
size_t rc_enc_complete(const rc_enc *e);
/* The caller removed the first n complete bytes of out. */
void rc_enc_consumed(rc_enc *e, size_t n);
/* Events closed so far (for tests and stats). */
unsigned long long rc_enc_count(const rc_enc *e);

/* One value as JSON by SPEC.md §2 (the seed rules): for formats that share
 * them, and for sinks that key by a row's values. */
int rc_enc_value(rc_buf *b, const rc_table *t, uint32_t col, const rc_value *v, rc_err *err);

#endif
