/* rowcast stream --source mysql-outbox://...: trigger capture's reader.
 * Polls the outbox (rc_outbox.c: id order, never past an open writer),
 * hands each event to the sinks as JSON text (capture and publish filters
 * run on it through rc_jevent), and deletes the rows every sink confirmed.
 *
 * Exactly once into JetStream across a crash: a row is deleted only after
 * every sink confirmed it, so after a SIGKILL the restarted reader sends the
 * undeleted rows again, with the same message ids (SCHEMA.OUTBOX:ID), which
 * JetStream's duplicate window drops. Other sinks get them at least once. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "mysql/rc_outbox.h"
#include "sink/rc_outputs.h"

static volatile sig_atomic_t g_ob_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_ob_stop = 1;
}

static void sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6)};
    nanosleep(&ts, NULL); /* a signal ends it early: the loop then stops */
}

/* Rows handed to the sinks and not yet deleted, oldest first: the sequence
 * number of the row's event (or of the last event before it, for a row a
 * capture filter dropped) and the row's id. */
typedef struct pending {
    uint64_t *seq, *id;
    size_t head, len, cap;
} pending;

static void pending_push(pending *p, uint64_t seq, uint64_t id)
{
    if (p->head + p->len == p->cap) {
        if (p->head) { /* reuse the front before growing */
            memmove(p->seq, p->seq + p->head, p->len * sizeof *p->seq);
            memmove(p->id, p->id + p->head, p->len * sizeof *p->id);
            p->head = 0;
        } else {
            p->cap = p->cap ? p->cap * 2 : 1024;
            p->seq = rc_xrealloc(p->seq, p->cap * sizeof *p->seq);
            p->id = rc_xrealloc(p->id, p->cap * sizeof *p->id);
        }
    }
    p->seq[p->head + p->len] = seq;
    p->id[p->head + p->len] = id;
    p->len++;
}

/* Deletes the rows whose events every sink confirmed. */
static int delete_confirmed(rc_outbox *ob, rc_outputs *outs, pending *p, rc_err *err)
{
    uint64_t acked = rc_outputs_acked(outs);
    size_t k = 0;
    while (k < p->len && p->seq[p->head + k] <= acked)
        k++;
    if (!k) return 0;
    if (rc_outbox_delete(ob, p->id + p->head, k, err) < 0) return -1;
    p->head += k;
    p->len -= k;
    if (!p->len) p->head = 0;
    return 0;
}

static rc_op op_of(const char *s)
{
    if (!strcmp(s, "update")) return RC_OP_UPDATE;
    if (!strcmp(s, "delete")) return RC_OP_DELETE;
    return RC_OP_INSERT;
}

/* One poll: publishes what may be published. *idle: nothing came. */
static int poll_once(rc_outbox *ob, rc_outputs *outs, rc_cli_filters *f, pending *p, rc_buf *msgid,
                     int *idle, int *held_back, rc_err *err)
{
    const rc_outbox_row *rows;
    size_t n, held;
    if (rc_outbox_next(ob, &rows, &n, &held, err) < 0) return -1;
    *idle = n == 0;
    *held_back = held > 0;
    for (size_t i = 0; i < n; i++) {
        const rc_outbox_row *r = &rows[i];
        msgid->len = 0;
        rc_buf_printf(msgid, "%s:%llu", rc_outbox_name(ob), (unsigned long long)r->id);
        rc_buf_putc(msgid, 0);
        rc_fjson ev = {.text = r->event,
                       .len = r->event_len,
                       .schema = r->schema,
                       .table = r->table,
                       .op = op_of(r->op),
                       .where = msgid->data};
        const char *routed = NULL;
        int keep = rc_fchain_run_json(f->capture, &ev, &ev.text, &ev.len, &routed, err);
        if (keep < 0) return -1;
        if (keep && rc_outputs_json(outs, &ev, routed ? routed : r->group, msgid->data, err) < 0)
            return -1;
        pending_push(p, rc_outputs_seq(outs), r->id);
    }
    if (rc_outputs_flush(outs, 0, err) < 0) return -1;
    return delete_confirmed(ob, outs, p, err);
}

int cmd_stream_outbox(const rc_url *url, const char *const *sinks, int nsinks,
                      const rc_enc_opts *eo, rc_cli_filters *filters, int stop_at_end)
{
    rc_err err = {0};
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    rc_outbox *ob = NULL;
    pending p = {0};
    rc_buf msgid;
    rc_buf_init(&msgid);
    int status = 0;
    rc_outputs *outs = rc_outputs_new(&g_ob_stop);
    rc_outputs_set_json(outs);
    for (int i = 0; i < nsinks; i++)
        if (rc_outputs_add(outs, sinks[i], eo, filters->publish, &err) < 0) goto fail;
    if (!nsinks && rc_outputs_add(outs, "stdout:", eo, filters->publish, &err) < 0) goto fail;
    if (rc_outbox_open(&ob, url, &err) < 0) goto fail;
    rc_info("reading outbox %s every %u ms", rc_outbox_name(ob), rc_outbox_interval_ms(ob));

    double backoff = 0.5;
    while (!g_ob_stop) {
        int idle = 0, held = 0;
        if (poll_once(ob, outs, filters, &p, &msgid, &idle, &held, &err) < 0) {
            if (err.code != RC_E_LOST || g_ob_stop) goto fail;
            /* The server went away: what was handed out stays pending and
             * is deleted once reconnected; nothing is read twice meanwhile. */
            rc_warn("%s; reconnecting in %.1fs", err.msg, backoff);
            sleep_ms(backoff * 1000);
            backoff = backoff * 2 > 30 ? 30 : backoff * 2;
            if (!g_ob_stop && rc_outbox_reconnect(ob, &err) < 0 && err.code != RC_E_LOST &&
                err.code != RC_E_CONNECT)
                goto fail;
            continue;
        }
        backoff = 0.5;
        if (!idle) continue;
        if (stop_at_end && !held) {
            /* Everything there was is out: wait for the sinks, delete, and
             * stop once the outbox is empty. */
            if (rc_outputs_flush(outs, -1, &err) < 0 || delete_confirmed(ob, outs, &p, &err) < 0)
                goto fail;
            if (!p.len) break;
            continue;
        }
        sleep_ms(rc_outbox_interval_ms(ob));
    }
    /* A clean stop: wait for what was sent, and delete what was confirmed. */
    if (rc_outputs_flush(outs, -1, &err) < 0 && !g_ob_stop) goto fail;
    if (delete_confirmed(ob, outs, &p, &err) < 0) goto fail;
    goto out;
fail:
    if (outs) rc_outputs_flush(outs, 0, &(rc_err){0});
    status = rc_cli_fail(&err);
out:
    rc_outputs_free(outs);
    rc_outbox_close(ob);
    rc_buf_free(&msgid);
    free(p.seq);
    free(p.id);
    return status;
}
