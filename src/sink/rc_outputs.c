/* rc_outputs: see rc_outputs.h. */
#include "sink/rc_outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"
#include "encode/rc_json.h"
#include "sink/rc_sink.h"

#define RC_WINDOW 20000 /* events a sink may be behind before the stream waits */

/* What a message sink needs of an event that is still in the encoder. */
typedef struct pend {
    uint64_t seq;
    rc_op op;
    rc_buf group, msgid, table;
} pend;

typedef struct output {
    rc_sink *sink;
    rc_enc *enc;
    rc_buf out;
    rc_fchain *publish;     /* the global publish chain (shared, not owned) */
    rc_fchain *own_publish; /* from filter= (owned) */
    char *group_tmpl;
    int line; /* stdout, file: blocks of lines */
    /* events in the encoder not yet handed to the sink */
    pend q[4];
    int qhead, qlen;
    uint64_t open_seq;    /* seq of the event whose tail the encoder holds, or 0 */
    uint64_t block_first; /* line sinks: first and last seq of the complete, */
    uint64_t block_last;  /* unwritten events in out (0: none) */
    uint64_t processed;   /* last seq this output has seen (sent, held or skipped) */
    int lost;             /* the broker is away: said so once */
} output;

struct rc_outputs {
    output **v; /* each allocated alone: its encoder points at its buffer */
    int n;
    int json; /* events arrive as JSON text (rc_outputs_json), not from the decoder */
    uint64_t seq;
    volatile sig_atomic_t *stop;
    /* row index within the binlog event, for message ids */
    char row_file[512];
    uint64_t row_off;
    uint32_t row;
    rc_buf scratch;
};

rc_outputs *rc_outputs_new(volatile sig_atomic_t *stop)
{
    rc_outputs *o = rc_xcalloc(1, sizeof *o);
    o->stop = stop;
    rc_buf_init(&o->scratch);
    return o;
}

void rc_outputs_free(rc_outputs *o)
{
    if (!o) return;
    for (int i = 0; i < o->n; i++) {
        output *u = o->v[i];
        rc_sink_close(u->sink);
        rc_enc_free(u->enc);
        rc_buf_free(&u->out);
        rc_fchain_free(u->own_publish);
        free(u->group_tmpl);
        for (int k = 0; k < 4; k++) {
            rc_buf_free(&u->q[k].group);
            rc_buf_free(&u->q[k].msgid);
            rc_buf_free(&u->q[k].table);
        }
        free(u);
    }
    free(o->v);
    rc_buf_free(&o->scratch);
    free(o);
}

int rc_outputs_count(const rc_outputs *o)
{
    return o->n;
}
uint64_t rc_outputs_seq(const rc_outputs *o)
{
    return o->seq;
}

/* Settings the core reads from a sink URL's query (the transport reads the rest). */
static char *query_param(const char *url, const char *key)
{
    const char *q = strchr(url, '?');
    if (!q) return NULL;
    rc_url tmp = {.query = (char *)q + 1};
    return rc_url_param(&tmp, key);
}

int rc_outputs_add(rc_outputs *o, const char *url, const rc_enc_opts *defaults, rc_fchain *publish,
                   rc_err *err)
{
    rc_enc_opts eo = *defaults;
    char *fmt = query_param(url, "format");
    if (o->json && ((fmt && strcmp(fmt, "seed")) || (!fmt && eo.format != RC_FMT_SEED))) {
        rc_err_set(err, RC_E_USAGE,
                   "--sink '%s': events from the outbox are in the seed format; format=%s needs "
                   "the binlog source (mysql://)",
                   url, fmt ? fmt : "maxwell/debezium");
        free(fmt);
        return -1;
    }
    if (fmt && rc_format_parse(fmt, &eo.format) < 0) {
        rc_err_set(err, RC_E_USAGE, "--sink '%s': unknown format '%s' (seed, maxwell, debezium)",
                   url, fmt);
        free(fmt);
        return -1;
    }
    free(fmt);
    rc_fchain *own = NULL;
    char *script = query_param(url, "filter");
    if (script) {
        own = rc_fchain_new("publish");
        if (rc_fchain_add_script(own, script, err) < 0) {
            free(script);
            rc_fchain_free(own);
            return -1;
        }
        free(script);
    }
    rc_sink *s = rc_sink_open(url, err);
    if (!s) {
        rc_fchain_free(own);
        return -1;
    }
    o->v = rc_xrealloc(o->v, (size_t)(o->n + 1) * sizeof *o->v);
    output *u = rc_xcalloc(1, sizeof *u);
    o->v[o->n++] = u;
    u->sink = s;
    u->line = s->ops->send_block != NULL;
    rc_buf_init(&u->out);
    u->enc = rc_enc_new(&eo, &u->out);
    u->publish = publish;
    u->own_publish = own;
    char *g = query_param(url, "group");
    /* Trigger capture: each event carries the group its trigger was made
     * for (rowcast triggers -g), and goes there unless group= says else. */
    const char *def = o->json ? "{group}" : s->default_group ? s->default_group : "replication";
    u->group_tmpl = g ? g : rc_xstrndup(def, strlen(def));
    return 0;
}

/* ---- confirmations ---- */

static uint64_t output_acked(const output *u)
{
    uint64_t oldest = 0;
    if (u->qlen) oldest = u->q[u->qhead].seq;
    if (u->block_first && (!oldest || u->block_first < oldest)) oldest = u->block_first;
    if (u->open_seq && (!oldest || u->open_seq < oldest)) oldest = u->open_seq;
    uint64_t done = oldest ? oldest - 1 : u->processed;
    if (u->sink->acked < u->sink->sent && u->sink->acked < done) return u->sink->acked;
    return done;
}

uint64_t rc_outputs_acked(const rc_outputs *o)
{
    uint64_t a = o->seq;
    for (int i = 0; i < o->n; i++) {
        uint64_t x = output_acked(o->v[i]);
        if (x < a) a = x;
    }
    return a;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Flushes one sink, retrying with backoff while its broker is away.
 * timeout_ms < 0: until all it was sent is confirmed. */
static int flush_output(rc_outputs *o, output *u, int timeout_ms, rc_err *err)
{
    double backoff = 0.5;
    for (;;) {
        int r = u->sink->ops->flush(u->sink, timeout_ms < 0 ? 1000 : timeout_ms, err);
        if (r == 0) {
            if (u->lost) {
                rc_info("%s: reachable again; delivery continues", u->sink->name);
                u->lost = 0;
            }
            if (timeout_ms >= 0 || u->sink->acked >= u->sink->sent) return 0;
            continue;
        }
        if (err->code != RC_E_LOST) return -1;
        if (o->stop && *o->stop) return -1;
        rc_warn("%s; retrying in %.1fs (nothing is dropped: the stream waits)", err->msg, backoff);
        u->lost = 1;
        sleep_s(backoff);
        if (o->stop && *o->stop) return -1;
        backoff = backoff * 2 > 10 ? 10 : backoff * 2;
    }
}

/* ---- handing events to sinks ---- */

static int send_msg(rc_outputs *o, output *u, const pend *p, const char *data, size_t len,
                    rc_err *err)
{
    rc_sink_msg m = {.data = data,
                     .len = len,
                     .group = p->group.data,
                     .msgid = p->msgid.data,
                     .seq = p->seq,
                     .op = p->op,
                     .table = p->table.data};
    for (;;) {
        if (u->sink->ops->send(u->sink, &m, err) == 0) break;
        if (err->code != RC_E_LOST) return -1;
        if (flush_output(o, u, -1, err) < 0) return -1; /* waits out the outage */
    }
    u->sink->sent = p->seq;
    return 0;
}

/* Hands the events the encoder completed since c0 to a message sink, one
 * per line, with the metadata queued when each was encoded. */
static int ship_messages(rc_outputs *o, output *u, rc_err *err)
{
    size_t n = rc_enc_complete(u->enc), pos = 0;
    while (pos < n) {
        const char *line = u->out.data + pos;
        const char *nl = memchr(line, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - line) : n - pos;
        if (!u->qlen) return rc_err_set(err, RC_E_INTERNAL, "event without its metadata");
        pend *p = &u->q[u->qhead];
        if (send_msg(o, u, p, line, len, err) < 0) return -1;
        u->qhead = (u->qhead + 1) % 4;
        u->qlen--;
        pos += len + 1;
    }
    if (!n) return 0; /* nothing complete (the buffer may not even exist yet) */
    memmove(u->out.data, u->out.data + n, u->out.len - n);
    u->out.len -= n;
    rc_enc_consumed(u->enc, n);
    return 0;
}

static int write_block(output *u, int json, rc_err *err)
{
    /* JSON events are appended whole, without the encoder */
    size_t n = json ? u->out.len : rc_enc_complete(u->enc);
    if (!n) return 0;
    if (u->sink->ops->send_block(u->sink, u->out.data, n, u->block_last, err) < 0) return -1;
    u->sink->sent = u->block_last;
    memmove(u->out.data, u->out.data + n, u->out.len - n);
    u->out.len -= n;
    if (!json) rc_enc_consumed(u->enc, n);
    u->block_first = u->block_last = 0;
    return 0;
}

/* Books the events the last encoder call completed: the held one (open_seq)
 * and/or the new one (seq). */
static void note_completed(output *u, unsigned long long before, int new_open, uint64_t seq)
{
    unsigned long long k = rc_enc_count(u->enc) - before;
    uint64_t firsts[2];
    int nf = 0;
    if (k && u->open_seq) firsts[nf++] = u->open_seq, u->open_seq = 0, k--;
    if (k && !new_open && seq) firsts[nf++] = seq;
    if (new_open) u->open_seq = seq;
    if (!u->line) return;
    for (int i = 0; i < nf; i++) {
        if (!u->block_first) u->block_first = firsts[i];
        u->block_last = firsts[i];
    }
}

static const char *const op_names[] = {"insert", "update", "delete", "query"};

/* A group template with {schema}, {table}, {operation} and (events from the
 * outbox) {group}, the event's own group, filled in. */
static void expand_tmpl(rc_buf *b, const char *tmpl, const char *schema, size_t schema_len,
                        const char *table, rc_op op, const char *group)
{
    static const struct {
        const char *name;
        size_t len;
    } keys[] = {{"schema", 6}, {"table", 5}, {"operation", 9}, {"group", 5}};
    b->len = 0;
    for (const char *p = tmpl; *p; p++) {
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        int k = 4;
        if (e)
            for (k = 0; k < 4; k++)
                if ((size_t)(e - p - 1) == keys[k].len &&
                    !strncmp(p + 1, keys[k].name, keys[k].len))
                    break;
        if (k == 4 || (k == 3 && !group)) {
            rc_buf_putc(b, *p);
            continue;
        }
        if (k == 0) rc_buf_put(b, schema, schema_len);
        if (k == 1) rc_buf_puts(b, table);
        if (k == 2) rc_buf_puts(b, op_names[op]);
        if (k == 3) rc_buf_puts(b, group);
        p = e;
    }
    rc_buf_putc(b, 0);
}

static void expand_group(rc_buf *b, const char *tmpl, const rc_change *c)
{
    if (c->table)
        expand_tmpl(b, tmpl, c->table->schema, strlen(c->table->schema), c->table->name, c->op,
                    NULL);
    else
        expand_tmpl(b, tmpl, c->schema, c->schema_len, "_query", c->op, NULL);
}

static void queue_meta(rc_outputs *o, output *u, const rc_change *c, uint64_t seq)
{
    pend *p = &u->q[(u->qhead + u->qlen) % 4];
    u->qlen++;
    p->seq = seq;
    p->op = c->op;
    if (c->group) {
        p->group.len = 0;
        rc_buf_puts(&p->group, c->group);
        rc_buf_putc(&p->group, 0);
    } else {
        expand_group(&p->group, u->group_tmpl, c);
    }
    p->msgid.len = 0;
    rc_buf_printf(&p->msgid, "%s:%llu:%u", c->meta->file, (unsigned long long)c->meta->offset,
                  o->row);
    rc_buf_putc(&p->msgid, 0);
    p->table.len = 0;
    if (c->table) rc_buf_printf(&p->table, "%s.%s", c->table->schema, c->table->name);
    rc_buf_putc(&p->table, 0);
}

/* Waits while a sink is too far behind (backpressure). */
static int keep_window(rc_outputs *o, output *u, rc_err *err)
{
    while (u->sink->sent > u->sink->acked && u->sink->sent - u->sink->acked > RC_WINDOW) {
        if (flush_output(o, u, 100, err) < 0) return -1;
        if (o->stop && *o->stop) return rc_err_set(err, RC_E_LOST, "stopped while waiting");
    }
    return 0;
}

int rc_outputs_change(rc_outputs *o, const rc_change *c, rc_err *err)
{
    uint64_t seq = ++o->seq;
    if (c->meta->offset != o->row_off || strcmp(c->meta->file, o->row_file)) {
        o->row_off = c->meta->offset;
        snprintf(o->row_file, sizeof o->row_file, "%s", c->meta->file);
        o->row = 0;
    } else {
        o->row++;
    }
    for (int i = 0; i < o->n; i++) {
        output *u = o->v[i];
        const rc_change *x = c, *y;
        int keep = 1;
        if (u->publish && rc_fchain_active(u->publish)) {
            keep = rc_fchain_run(u->publish, x, &y, err);
            if (keep < 0) return -1;
            x = y;
        }
        if (keep && u->own_publish) {
            keep = rc_fchain_run(u->own_publish, x, &y, err);
            if (keep < 0) return -1;
            x = y;
        }
        u->processed = seq;
        if (!keep) continue;
        unsigned long long before = rc_enc_count(u->enc);
        size_t len0 = u->out.len;
        if (!u->line) queue_meta(o, u, x, seq);
        if (rc_enc_change(u->enc, x, err) < 0) {
            if (!u->line) u->qlen--;
            return -1;
        }
        int wrote = u->out.len != len0 || rc_enc_count(u->enc) != before;
        if (!wrote && !u->line) u->qlen--; /* the format leaves this change out */
        note_completed(u, before, rc_enc_has_open(u->enc) && wrote, wrote ? seq : 0);
        if (u->line) {
            if (rc_enc_complete(u->enc) >= (256u << 10) && write_block(u, 0, err) < 0) return -1;
        } else {
            if (ship_messages(o, u, err) < 0) return -1;
            if (keep_window(o, u, err) < 0) return -1;
        }
    }
    return 0;
}

int rc_outputs_txn_end(rc_outputs *o, const rc_txn_end *t, rc_err *err)
{
    for (int i = 0; i < o->n; i++) {
        output *u = o->v[i];
        unsigned long long before = rc_enc_count(u->enc);
        rc_enc_txn_end(u->enc, t);
        note_completed(u, before, 0, 0);
        if (!u->line && ship_messages(o, u, err) < 0) return -1;
    }
    return 0;
}

void rc_outputs_finish(rc_outputs *o)
{
    for (int i = 0; i < o->n; i++) {
        output *u = o->v[i];
        unsigned long long before = rc_enc_count(u->enc);
        rc_enc_finish(u->enc);
        note_completed(u, before, 0, 0);
        rc_err ignore;
        if (!u->line) ship_messages(o, u, &ignore);
    }
}

int rc_outputs_flush(rc_outputs *o, int timeout_ms, rc_err *err)
{
    for (int i = 0; i < o->n; i++) {
        output *u = o->v[i];
        if (u->line && write_block(u, o->json, err) < 0) return -1;
        if (flush_output(o, u, timeout_ms, err) < 0) return -1;
    }
    return 0;
}

/* ---- events that arrive as JSON text ---- */

void rc_outputs_set_json(rc_outputs *o)
{
    o->json = 1;
}

int rc_outputs_json(rc_outputs *o, const rc_fjson *ev, const char *group, const char *msgid,
                    rc_err *err)
{
    uint64_t seq = ++o->seq;
    for (int i = 0; i < o->n; i++) {
        output *u = o->v[i];
        const char *text = ev->text, *routed = NULL, *g;
        size_t len = ev->len;
        int keep = 1;
        rc_fchain *chains[2] = {u->publish && rc_fchain_active(u->publish) ? u->publish : NULL,
                                u->own_publish};
        for (int k = 0; k < 2 && keep; k++) {
            if (!chains[k]) continue;
            rc_fjson x = *ev;
            x.text = text;
            x.len = len;
            keep = rc_fchain_run_json(chains[k], &x, &text, &len, &g, err);
            if (keep < 0) return -1;
            if (keep && g) routed = g;
        }
        u->processed = seq;
        if (!keep) continue;
        if (u->line) {
            if (!u->block_first) u->block_first = seq;
            u->block_last = seq;
            rc_buf_put(&u->out, text, len);
            rc_buf_putc(&u->out, '\n');
            if (u->out.len >= (256u << 10) && write_block(u, 1, err) < 0) return -1;
            continue;
        }
        pend *p = &u->q[0]; /* the encoder's queue is unused here: scratch */
        p->seq = seq;
        p->op = ev->op;
        if (routed) {
            p->group.len = 0;
            rc_buf_puts(&p->group, routed);
            rc_buf_putc(&p->group, 0);
        } else {
            expand_tmpl(&p->group, u->group_tmpl, ev->schema, strlen(ev->schema), ev->table, ev->op,
                        group);
        }
        p->msgid.len = 0;
        rc_buf_puts(&p->msgid, msgid);
        rc_buf_putc(&p->msgid, 0);
        p->table.len = 0;
        rc_buf_printf(&p->table, "%s.%s", ev->schema, ev->table);
        rc_buf_putc(&p->table, 0);
        if (send_msg(o, u, p, text, len, err) < 0) return -1;
        if (keep_window(o, u, err) < 0) return -1;
    }
    return 0;
}
