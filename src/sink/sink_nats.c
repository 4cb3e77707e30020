/* sink_nats: the NATS transports, last stage of the pipeline (binlog ->
 * decode -> filter -> encode -> sink). The stream core hands each encoded
 * event to send() with its group already resolved into a subject and a
 * stable msgid; the checkpoint moves only past what flush() reports acked.
 *
 *   nats://HOST:PORT/SUBJECT       core NATS publish, at most once across a
 *                                  broker restart (acked = the server answered
 *                                  a PING sent after the message)
 *   jetstream://HOST:PORT/SUBJECT  JetStream publish with Nats-Msg-Id = msgid,
 *                                  acked only once JetStream stored it: with
 *                                  the stream's duplicate window, exactly once
 *
 * Both also implement `rowcast subscribe URL`. Settings and guarantees are
 * described in docs/sinks.md. Built on libnats (the official C client). */
#include "sink/rc_sink.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"

#define RC_NATS_PORT              4222
#define RC_NATS_RECONNECT_WAIT_MS 250
#define RC_NATS_RECONNECT_BUF     (64 * 1024 * 1024)
#define RC_JS_MAX_PENDING         4096
#define RC_JS_MAX_PENDING_BYTES   (16u << 20) /* in-flight bytes: big events must not multiply */
#define RC_JS_ACK_WAIT_MS         5000
#define RC_JS_DUPE_WINDOW_NS      (120LL * 1000000000LL)
#define RC_SUB_POLL_MS            200

/* ---- shared: URL settings, connecting ----------------------------------- */

typedef struct rc_nats_conf {
    char server[300]; /* nats://HOST:PORT for libnats */
    char label[600];  /* SCHEME://HOST:PORT/SUBJECT, for messages (no password) */
    char *subject;    /* a copy: the URL is freed once open() returns */
    char *wild;       /* subject with each {placeholder} as '*' (rc_subject_wildcard) */
    char *name;       /* ?name=, the connection name the server shows */
} rc_nats_conf;

static int64_t rc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "2m", "90s", "500ms", "1h" or plain seconds -> nanoseconds; -1 if bad. */
static int64_t rc_parse_duration_ns(const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || v < 0) return -1;
    double unit = 1e9;
    if (!*end || !strcmp(end, "s"))
        unit = 1e9;
    else if (!strcmp(end, "ms"))
        unit = 1e6;
    else if (!strcmp(end, "m"))
        unit = 60e9;
    else if (!strcmp(end, "h"))
        unit = 3600e9;
    else
        return -1;
    return (int64_t)(v * unit);
}

static long rc_param_long(const rc_url *url, const char *key, long dflt, long min, long max,
                          const char *label, rc_err *err, int *bad)
{
    char *v = rc_url_param(url, key);
    if (!v) return dflt;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end || errno || n < min || n > max) {
        rc_err_set(err, RC_E_USAGE, "%s: bad %s '%s': expected a number from %ld to %ld", label,
                   key, v, min, max);
        *bad = 1;
    }
    free(v);
    return n;
}

/* The subject a group template ("rowcast.{schema}.{table}", expanded per
 * event by the stream core) can produce, as a NATS wildcard
 * ("rowcast.*.*"): what the stream stores and what subscribe listens to. */
static char *rc_subject_wildcard(const char *tmpl)
{
    rc_buf b;
    rc_buf_init(&b);
    for (const char *p = tmpl; *p; p++) {
        const char *e = *p == '{' ? strchr(p, '}') : NULL;
        if (e) {
            rc_buf_putc(&b, '*');
            p = e;
        } else {
            rc_buf_putc(&b, *p);
        }
    }
    rc_buf_putc(&b, 0);
    return b.data;
}

static int rc_nats_conf_init(rc_nats_conf *c, const rc_url *url, rc_err *err)
{
    memset(c, 0, sizeof *c);
    unsigned port = url->port ? url->port : RC_NATS_PORT;
    bool v6 = strchr(url->host, ':') != NULL;
    snprintf(c->server, sizeof c->server, "nats://%s%s%s:%u", v6 ? "[" : "", url->host,
             v6 ? "]" : "", port);
    snprintf(c->label, sizeof c->label, "%s://%s%s%s:%u/%s", url->scheme, v6 ? "[" : "", url->host,
             v6 ? "]" : "", port, url->path);
    const char *subj = *url->path ? url->path : "replication"; /* SPEC §5: the default group */
    c->subject = rc_xstrndup(subj, strlen(subj));
    if (!*url->host)
        return rc_err_set(err, RC_E_USAGE, "bad URL '%s': expected %s://HOST:PORT/SUBJECT",
                          c->label, url->scheme);
    if (strpbrk(c->subject, " \t\r\n/"))
        return rc_err_set(err, RC_E_USAGE, "%s: a subject has no spaces or '/'", c->label);
    c->wild = rc_subject_wildcard(c->subject);
    c->name = rc_url_param(url, "name");
    return 0;
}

static void rc_nats_conf_free(rc_nats_conf *c)
{
    free(c->subject);
    free(c->wild);
    free(c->name);
    c->subject = c->wild = c->name = NULL;
}

/* libnats' last error for this thread without its "(file.c:123): " prefix,
 * or the status' text: the detail for a one-line message. */
static const char *rc_nats_detail(natsStatus st)
{
    const char *d = nats_GetLastError(NULL);
    if (!d || !*d) return natsStatus_GetText(st);
    if (*d == '(') {
        const char *e = strstr(d, "): ");
        if (e) d = e + 3;
    }
    return d;
}

/* Connects with libnats' own reconnect loop switched on for good: the stream
 * core retries on RC_E_LOST, so giving up here would only lose the
 * connection's buffered messages. */
static int rc_nats_connect(const rc_nats_conf *c, const rc_url *url, int reconnect_buf,
                           natsConnection **nc, rc_err *err)
{
    natsOptions *o = NULL;
    natsStatus st = natsOptions_Create(&o);
    if (st == NATS_OK) st = natsOptions_SetURL(o, c->server);
    if (st == NATS_OK && (*url->user || url->password))
        st = natsOptions_SetUserInfo(o, url->user, url->password ? url->password : "");
    if (st == NATS_OK && c->name) st = natsOptions_SetName(o, c->name);
    if (st == NATS_OK) st = natsOptions_SetTimeout(o, 5000);
    if (st == NATS_OK) st = natsOptions_SetMaxReconnect(o, -1);
    if (st == NATS_OK) st = natsOptions_SetReconnectWait(o, RC_NATS_RECONNECT_WAIT_MS);
    if (st == NATS_OK) st = natsOptions_SetReconnectBufSize(o, reconnect_buf);
    /* Notice a silently dead server within seconds, not the default minutes. */
    if (st == NATS_OK) st = natsOptions_SetPingInterval(o, 2000);
    if (st == NATS_OK) st = natsOptions_SetMaxPingsOut(o, 2);
    if (st != NATS_OK) {
        natsOptions_Destroy(o);
        return rc_err_set(err, RC_E_INTERNAL, "%s: %s", c->label, natsStatus_GetText(st));
    }
    st = natsConnection_Connect(nc, o);
    natsOptions_Destroy(o);
    if (st == NATS_OK) return 0;
    *nc = NULL;
    const char *detail = rc_nats_detail(st);
    if (st == NATS_NOT_PERMITTED || (detail && strstr(detail, "uthoriz")))
        return rc_err_set(err, RC_E_AUTH, "%s: login refused: %s", c->label, detail);
    return rc_err_set(err, RC_E_CONNECT, "%s: cannot connect: %s", c->label, detail);
}

static bool rc_nats_up(natsConnection *nc)
{
    return natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
}

static int rc_nats_unreachable(const char *label, natsConnection *nc, rc_err *err)
{
    natsConnStatus cs = natsConnection_Status(nc);
    return rc_err_set(err, RC_E_LOST, "%s: broker unreachable (%s)", label,
                      cs == NATS_CONN_STATUS_CLOSED ? "connection closed" : "reconnecting");
}

/* Writes one event as a line; -1 on a stdout error (a closed pipe). */
static int rc_print_line(const char *data, int len, const char *label, rc_err *err)
{
    if ((len > 0 && fwrite(data, 1, (size_t)len, stdout) != (size_t)len) || putchar('\n') == EOF ||
        fflush(stdout) == EOF)
        return rc_err_set(err, RC_E_IO, "%s: writing to stdout: %s", label, strerror(errno));
    return 0;
}

/* The subscribe callback: each event as a line on stdout; ctx is the label. */
static int rc_print_event(void *ctx, const char *data, size_t len, rc_err *err)
{
    return rc_print_line(data, (int)len, ctx, err);
}

/* ---- nats:// ------------------------------------------------------------ */

typedef struct rc_nats {
    rc_nats_conf conf;
    natsConnection *nc;
} rc_nats;

static int rc_nats_open(rc_sink *s, const rc_url *url, rc_err *err)
{
    rc_nats *n = rc_xcalloc(1, sizeof *n);
    int bad = 0;
    if (rc_nats_conf_init(&n->conf, url, err) < 0) goto fail;
    /* Bytes libnats keeps while reconnecting; beyond it publish fails and
     * send() reports RC_E_LOST, so nothing is dropped without the core knowing. */
    long buf = rc_param_long(url, "reconnect_buf", RC_NATS_RECONNECT_BUF, 1024, 1L << 30,
                             n->conf.label, err, &bad);
    if (bad || rc_nats_connect(&n->conf, url, (int)buf, &n->nc, err) < 0) goto fail;
    s->impl = n;
    s->default_group = rc_xstrndup(n->conf.subject, strlen(n->conf.subject));
    return 0;
fail:
    rc_nats_conf_free(&n->conf);
    free(n);
    return -1;
}

static int rc_nats_send(rc_sink *s, const rc_sink_msg *m, rc_err *err)
{
    rc_nats *n = s->impl;
    if (m->len > INT32_MAX)
        return rc_err_set(err, RC_E_SERVER, "%s: event at %s too large", n->conf.label, m->msgid);
    const char *subj = m->group && *m->group ? m->group : n->conf.subject;
    natsStatus st = natsConnection_Publish(n->nc, subj, m->data, (int)m->len);
    if (st == NATS_OK) {
        s->sent = m->seq;
        return 0;
    }
    if (st == NATS_INSUFFICIENT_BUFFER)
        return rc_err_set(err, RC_E_LOST, "%s: broker unreachable and the reconnect buffer is full",
                          n->conf.label);
    if (st == NATS_CONNECTION_CLOSED || st == NATS_CONNECTION_DISCONNECTED || st == NATS_IO_ERROR ||
        st == NATS_STALE_CONNECTION)
        return rc_nats_unreachable(n->conf.label, n->nc, err);
    const char *detail = rc_nats_detail(st);
    return rc_err_set(err, st == NATS_MAX_PAYLOAD ? RC_E_SERVER : RC_E_INTERNAL,
                      "%s: publish of %s to '%s' failed: %s", n->conf.label, m->msgid, subj,
                      detail);
}

static int rc_nats_flush(rc_sink *s, int timeout_ms, rc_err *err)
{
    rc_nats *n = s->impl;
    if (!rc_nats_up(n->nc)) return rc_nats_unreachable(n->conf.label, n->nc, err);
    if (s->acked >= s->sent) return 0;
    /* The server answers PING in order, so its PONG confirms every message
     * published before it. "Do not wait" still allows one loopback-sized
     * round trip, otherwise acked would never move under a busy stream. */
    uint64_t upto = s->sent;
    natsStatus st = natsConnection_FlushTimeout(n->nc, timeout_ms > 0 ? timeout_ms : 2);
    if (st == NATS_OK) {
        s->acked = upto;
        return 0;
    }
    if (st == NATS_TIMEOUT && rc_nats_up(n->nc)) return 0; /* slow, not gone */
    return rc_nats_unreachable(n->conf.label, n->nc, err);
}

static void rc_nats_close(rc_sink *s)
{
    rc_nats *n = s->impl;
    if (!n) return;
    if (n->nc) {
        if (rc_nats_up(n->nc)) natsConnection_FlushTimeout(n->nc, 2000);
        natsConnection_Close(n->nc);
        natsConnection_Destroy(n->nc);
    }
    rc_nats_conf_free(&n->conf);
    free(n);
    s->impl = NULL;
}

/* Core NATS keeps nothing and takes no acknowledgement: on_event's HOLD
 * means nothing here. */
static int rc_nats_run(const rc_url *url, const char *durable, uint64_t max_events,
                       rc_sink_on_event on_event, void *ctx, volatile int *stop, rc_err *err)
{
    rc_nats_conf c;
    natsConnection *nc = NULL;
    natsSubscription *sub = NULL;
    int rc = -1;
    if (rc_nats_conf_init(&c, url, err) < 0) goto out;
    if (durable)
        rc_warn("%s: core NATS keeps nothing for a subscriber that is away; --durable "
                "needs jetstream://",
                c.label);
    if (rc_nats_connect(&c, url, RC_NATS_RECONNECT_BUF, &nc, err) < 0) goto out;
    natsStatus st = natsConnection_SubscribeSync(&sub, nc, c.wild);
    /* No pending limit: a slow stdout must not make the client drop events. */
    if (st == NATS_OK) st = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (st == NATS_OK) st = natsConnection_FlushTimeout(nc, 5000); /* subscribed for sure */
    if (st != NATS_OK) {
        rc_err_set(err, RC_E_SERVER, "%s: subscribe: %s", c.label, natsStatus_GetText(st));
        goto out;
    }
    rc_debug("%s: subscribed", c.label);
    uint64_t n = 0;
    while (!*stop && (!max_events || n < max_events)) {
        natsMsg *msg = NULL;
        /* Nothing waiting: a consumer that holds events may finish them
         * (rc_sink.h's pause) before this blocks. */
        int queued = 0;
        if (on_event != rc_print_event &&
            natsSubscription_GetPending(sub, &queued, NULL) == NATS_OK && queued == 0 &&
            on_event(ctx, NULL, 0, err) < 0)
            goto out;
        st = natsSubscription_NextMsg(&msg, sub, RC_SUB_POLL_MS);
        if (st == NATS_TIMEOUT) continue;
        if (st == NATS_SLOW_CONSUMER) continue; /* cannot happen without limits */
        if (st != NATS_OK) {
            rc_err_set(err, RC_E_LOST, "%s: subscription ended: %s", c.label,
                       natsStatus_GetText(st));
            goto out;
        }
        int w = on_event(ctx ? ctx : c.label, natsMsg_GetData(msg),
                         (size_t)natsMsg_GetDataLength(msg), err);
        natsMsg_Destroy(msg);
        if (w < 0) goto out;
        n++;
    }
    rc = 0;
out:
    if (sub) natsSubscription_Destroy(sub);
    if (nc) {
        natsConnection_Close(nc);
        natsConnection_Destroy(nc);
    }
    rc_nats_conf_free(&c);
    return rc;
}

static int rc_nats_subscribe(const rc_url *url, const char *durable, uint64_t max_events,
                             volatile int *stop, rc_err *err)
{
    return rc_nats_run(url, durable, max_events, rc_print_event, NULL, stop, err);
}

static int rc_nats_consume(const rc_url *url, const char *durable, rc_sink_on_event on_event,
                           void *ctx, volatile int *stop, rc_err *err)
{
    return rc_nats_run(url, durable, 0, on_event, ctx, stop, err);
}

/* ---- jetstream:// -------------------------------------------------------- */

/* One event this sink owns until JetStream acknowledged it. The ring keeps
 * them in send order so acked can advance over a prefix; a publish that
 * failed or timed out goes back to QUEUED and is sent again with the same
 * Nats-Msg-Id, which the stream's duplicate window turns into a no-op if
 * the first copy was stored after all. */
enum { RC_JS_QUEUED, RC_JS_INFLIGHT, RC_JS_ACKED };

typedef struct rc_js_entry {
    uint64_t seq;
    char *subject, *msgid, *data;
    int len;
    int state;
    natsMsg *inflight;    /* identifies the ack; never dereferenced here */
    int64_t published_at; /* rc_now_ms() of the last publish */
} rc_js_entry;

typedef struct rc_js {
    rc_nats_conf conf;
    natsConnection *nc;
    jsCtx *js;
    char *stream;
    int64_t ack_wait_ms;
    /* The ring, guarded by mu: ack handlers run on libnats' threads. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rc_js_entry *ring;
    size_t cap, head, count; /* head: oldest entry */
    size_t bytes;            /* event bytes held in the ring */
    size_t scan;             /* acks come nearly in publish order: look here first */
    bool failing;            /* a publish failed since the last ack */
    char last_error[300];
    rc_errcode fatal; /* a refusal retrying cannot fix */
    /* "No responders" means JetStream is not (yet) there, or no stream takes
     * the subject. The stream's info tells them apart: a no-responders for a
     * publish made after the stream answered is a subject outside it. */
    int64_t noresp_published_at; /* latest publish that met no responders */
    int64_t stream_seen_at;      /* when the stream last answered an info request */
    char noresp_subject[256];
} rc_js;

static rc_js_entry *rc_js_at(rc_js *j, size_t i)
{
    return &j->ring[(j->head + i) % j->cap];
}

static void rc_js_entry_free(rc_js_entry *e)
{
    free(e->subject);
    free(e->msgid);
    free(e->data);
    memset(e, 0, sizeof *e);
}

static void rc_js_ack_handler(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *cl)
{
    rc_js *j = cl;
    pthread_mutex_lock(&j->mu);
    /* Start where the last ack matched: acks arrive nearly in publish order,
     * so this finds the entry in a step or two instead of scanning the ring. */
    size_t start = j->scan < j->count ? j->scan : 0;
    for (size_t n = 0; n < j->count; n++) {
        size_t i = (start + n) % j->count;
        rc_js_entry *e = rc_js_at(j, i);
        if (e->state != RC_JS_INFLIGHT || e->inflight != msg) continue;
        j->scan = i + 1;
        e->inflight = NULL;
        if (pa) {
            e->state = RC_JS_ACKED;
            j->failing = false;
        } else {
            e->state = RC_JS_QUEUED;
            j->failing = true;
            natsStatus st = pae ? pae->Err : NATS_ERR;
            const char *text = pae && pae->ErrText ? pae->ErrText : natsStatus_GetText(st);
            snprintf(j->last_error, sizeof j->last_error, "%s", text);
            /* The server refused the message itself (too large, wrong stream):
             * sending it again would fail the same way. Timeouts, no
             * responders and lost connections heal when the broker is back. */
            if (pae && pae->ErrCode != 0 && st != NATS_TIMEOUT && st != NATS_NO_RESPONDERS)
                j->fatal = RC_E_SERVER;
            if (st == NATS_NO_RESPONDERS && e->published_at > j->noresp_published_at) {
                j->noresp_published_at = e->published_at;
                snprintf(j->noresp_subject, sizeof j->noresp_subject, "%s", e->subject);
            }
        }
        break;
    }
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    natsMsg_Destroy(msg); /* with an AckHandler the message is ours to free */
}

/* Hands one queued entry to libnats. Called without mu held: the publish can
 * block briefly, and the ack handler needs mu to make progress. */
static natsStatus rc_js_publish(rc_js *j, rc_js_entry *e)
{
    natsMsg *msg = NULL;
    natsStatus st = natsMsg_Create(&msg, e->subject, NULL, e->data, e->len);
    if (st != NATS_OK) return st;
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = e->msgid;
    po.ExpectStream = j->stream;
    po.MaxWait = j->ack_wait_ms; /* unanswered publishes come back as timeouts */
    pthread_mutex_lock(&j->mu);
    e->state = RC_JS_INFLIGHT; /* before publishing: the ack may beat the return */
    e->inflight = msg;
    e->published_at = rc_now_ms();
    pthread_mutex_unlock(&j->mu);
    natsMsg *keep = msg;
    st = js_PublishMsgAsync(j->js, &msg, &po);
    if (st != NATS_OK) {
        pthread_mutex_lock(&j->mu);
        if (e->state == RC_JS_INFLIGHT && e->inflight == keep) {
            e->state = RC_JS_QUEUED;
            e->inflight = NULL;
        }
        /* Refused by the client itself: larger than the server's max_payload. */
        if (st == NATS_MAX_PAYLOAD) j->fatal = RC_E_SERVER;
        j->failing = true;
        const char *detail = rc_nats_detail(st);
        snprintf(j->last_error, sizeof j->last_error, "%s", detail);
        pthread_mutex_unlock(&j->mu);
        natsMsg_Destroy(msg); /* still ours when the publish failed */
    }
    return st;
}

/* Pops the acknowledged prefix into s->acked. mu held. */
static void rc_js_collect(rc_sink *s, rc_js *j)
{
    while (j->count && rc_js_at(j, 0)->state == RC_JS_ACKED) {
        rc_js_entry *e = rc_js_at(j, 0);
        s->acked = e->seq;
        j->bytes -= (size_t)e->len;
        rc_js_entry_free(e);
        j->head = (j->head + 1) % j->cap;
        j->count--;
        if (j->scan) j->scan--; /* indexes are relative to head */
    }
    if (!j->count) s->acked = s->sent;
}

/* Publishes every QUEUED entry, oldest first. */
static void rc_js_resend(rc_js *j)
{
    for (size_t i = 0;; i++) {
        pthread_mutex_lock(&j->mu);
        rc_js_entry *e = i < j->count ? rc_js_at(j, i) : NULL;
        bool queued = e && e->state == RC_JS_QUEUED;
        pthread_mutex_unlock(&j->mu);
        if (!e) return;
        /* Only the caller's thread adds or removes entries, so e stays put. */
        if (queued && rc_js_publish(j, e) != NATS_OK) return;
    }
}

/* Waits on cv until deadline (monotonic ms). mu held. */
static void rc_js_wait(rc_js *j, int64_t deadline)
{
    int64_t left = deadline - rc_now_ms();
    if (left <= 0) return;
    if (left > 100) left = 100; /* wake up to resend and to see the connection */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += left / 1000;
    ts.tv_nsec += (left % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&j->cv, &j->mu, &ts);
}

static int rc_js_ensure_stream(rc_js *j, const rc_url *url, rc_err *err)
{
    jsErrCode jerr = 0;
    jsStreamInfo *si = NULL;
    natsStatus st = js_GetStreamInfo(&si, j->js, j->stream, NULL, &jerr);
    if (st == NATS_OK) {
        if (si->Config && si->Config->Duplicates == 0)
            rc_warn("%s: stream %s has no duplicate window: events repeated after a "
                    "restart are stored twice",
                    j->conf.label, j->stream);
        jsStreamInfo_Destroy(si);
        return 0;
    }
    if (st != NATS_NOT_FOUND)
        return rc_err_set(err, st == NATS_NO_RESPONDERS ? RC_E_CONFIG : RC_E_SERVER,
                          "%s: stream %s: %s%s", j->conf.label, j->stream, natsStatus_GetText(st),
                          st == NATS_NO_RESPONDERS ? " (is JetStream enabled on the server?)" : "");

    int64_t dupe = RC_JS_DUPE_WINDOW_NS;
    char *v = rc_url_param(url, "dupe_window");
    if (v) {
        dupe = rc_parse_duration_ns(v);
        if (dupe <= 0) {
            rc_err_set(err, RC_E_USAGE, "%s: bad dupe_window '%s': expected e.g. 2m, 90s, 500ms",
                       j->conf.label, v);
            free(v);
            return -1;
        }
        free(v);
    }
    /* The stream takes the subject and everything below it (SUBJECT.>), so
     * groups named SUBJECT.something land in it too; subjects=a,b overrides. */
    char *list = rc_url_param(url, "subjects");
    const char *subjects[16];
    int nsubj = 0;
    char wild[600];
    if (list && *list) {
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t && nsubj < 16;
             t = strtok_r(NULL, ",", &save))
            subjects[nsubj++] = t;
    } else {
        const char *w = j->conf.wild;
        subjects[nsubj++] = w;
        if (!strchr(w, '*') && w[strlen(w) - 1] != '>') {
            snprintf(wild, sizeof wild, "%s.>", j->conf.subject);
            subjects[nsubj++] = wild;
        }
    }
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = j->stream;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = nsubj;
    cfg.Storage = js_FileStorage;
    cfg.Duplicates = dupe;
    st = js_AddStream(&si, j->js, &cfg, NULL, &jerr);
    if (st == NATS_OK) {
        rc_info("%s: created stream %s (duplicate window %" PRId64 " s)", j->conf.label, j->stream,
                dupe / 1000000000);
        jsStreamInfo_Destroy(si);
    } else {
        const char *detail = rc_nats_detail(st);
        rc_err_set(err, RC_E_SERVER, "%s: cannot create stream %s: %s", j->conf.label, j->stream,
                   detail);
    }
    free(list);
    return st == NATS_OK ? 0 : -1;
}

/* ?stream=NAME, or the subject up to its first placeholder or wildcard,
 * with the '.' a stream name cannot hold turned into '_'
 * ("rowcast.{table}" -> "rowcast"). */
static char *rc_js_stream_name(const rc_url *url, const char *subject)
{
    char *v = rc_url_param(url, "stream");
    if (v && *v) return v;
    free(v);
    size_t n = strcspn(subject, "{*>");
    while (n && subject[n - 1] == '.')
        n--;
    if (!n) return rc_xstrndup("rowcast", 7);
    char *name = rc_xstrndup(subject, n);
    for (char *p = name; *p; p++)
        if (*p == '.') *p = '_';
    return name;
}

static int rc_js_connect(rc_nats_conf *c, const rc_url *url, natsConnection **nc, jsCtx **js,
                         jsOptions *jo, rc_err *err)
{
    if (rc_nats_connect(c, url, RC_NATS_RECONNECT_BUF, nc, err) < 0) return -1;
    natsStatus st = natsConnection_JetStream(js, *nc, jo);
    if (st != NATS_OK)
        return rc_err_set(err, RC_E_INTERNAL, "%s: %s", c->label, natsStatus_GetText(st));
    return 0;
}

static void rc_js_free(rc_js *j)
{
    if (j->nc) natsConnection_Close(j->nc); /* no more ack handlers after this */
    if (j->js) jsCtx_Destroy(j->js);
    if (j->nc) natsConnection_Destroy(j->nc);
    if (j->ring) {
        for (size_t i = 0; i < j->count; i++)
            rc_js_entry_free(rc_js_at(j, i));
        free(j->ring);
    }
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j->stream);
    rc_nats_conf_free(&j->conf);
    free(j);
}

static int rc_js_open(rc_sink *s, const rc_url *url, rc_err *err)
{
    rc_js *j = rc_xcalloc(1, sizeof *j);
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    int bad = 0;
    if (rc_nats_conf_init(&j->conf, url, err) < 0) goto fail;
    j->cap = (size_t)rc_param_long(url, "max_pending", RC_JS_MAX_PENDING, 1, 1 << 20, j->conf.label,
                                   err, &bad);
    if (bad) goto fail;
    char *aw = rc_url_param(url, "ack_wait");
    if (aw) {
        int64_t ns = rc_parse_duration_ns(aw);
        if (ns < 1000000) {
            rc_err_set(err, RC_E_USAGE, "%s: bad ack_wait '%s': expected e.g. 5s, 500ms",
                       j->conf.label, aw);
            free(aw);
            goto fail;
        }
        j->ack_wait_ms = ns / 1000000;
        free(aw);
    } else {
        j->ack_wait_ms = RC_JS_ACK_WAIT_MS;
    }
    j->stream = rc_js_stream_name(url, j->conf.subject);
    j->ring = rc_xcalloc(j->cap, sizeof *j->ring);
    jsOptions jo;
    jsOptions_Init(&jo);
    /* The ring bounds what is in flight; libnats' own bound sits above it so
     * its publish never stalls while the ack handler waits for mu. */
    jo.PublishAsync.MaxPending = (int64_t)j->cap * 2;
    jo.PublishAsync.AckHandler = rc_js_ack_handler;
    jo.PublishAsync.AckHandlerClosure = j;
    jo.Wait = j->ack_wait_ms;
    if (rc_js_connect(&j->conf, url, &j->nc, &j->js, &jo, err) < 0) goto fail;
    if (rc_js_ensure_stream(j, url, err) < 0) goto fail;
    s->impl = j;
    s->default_group = rc_xstrndup(j->conf.subject, strlen(j->conf.subject));
    return 0;
fail:
    rc_js_free(j);
    return -1;
}

static int rc_js_flush(rc_sink *s, int timeout_ms, rc_err *err);

static int rc_js_send(rc_sink *s, const rc_sink_msg *m, rc_err *err)
{
    rc_js *j = s->impl;
    if (m->len > INT32_MAX)
        return rc_err_set(err, RC_E_SERVER, "%s: event at %s too large", j->conf.label, m->msgid);
    pthread_mutex_lock(&j->mu);
    bool full = j->count == j->cap || (j->count && j->bytes + m->len > RC_JS_MAX_PENDING_BYTES);
    pthread_mutex_unlock(&j->mu);
    if (full) {
        /* Back-pressure: wait for acknowledgements, up to one ack wait. */
        if (rc_js_flush(s, (int)j->ack_wait_ms, err) < 0) return -1;
        pthread_mutex_lock(&j->mu);
        full = j->count == j->cap || (j->count && j->bytes + m->len > RC_JS_MAX_PENDING_BYTES);
        pthread_mutex_unlock(&j->mu);
        if (full)
            return rc_err_set(err, RC_E_LOST, "%s: %zu events await JetStream's acknowledgement",
                              j->conf.label, j->cap);
    }
    const char *subj = m->group && *m->group ? m->group : j->conf.subject;
    pthread_mutex_lock(&j->mu);
    rc_js_entry *e = &j->ring[(j->head + j->count) % j->cap];
    e->seq = m->seq;
    e->subject = rc_xstrndup(subj, strlen(subj));
    e->msgid = rc_xstrndup(m->msgid, strlen(m->msgid));
    e->data = rc_xstrndup(m->data, m->len);
    e->len = (int)m->len;
    e->state = RC_JS_QUEUED;
    j->count++;
    j->bytes += m->len;
    pthread_mutex_unlock(&j->mu);
    s->sent = m->seq;
    /* The entry is ours now: whatever happens to this publish, flush() sends
     * it again until it is acknowledged. */
    if (rc_nats_up(j->nc)) rc_js_publish(j, e);
    return 0;
}

/* After "no responders": is JetStream still starting (wait), or does no
 * stream take the subject (stop, retrying would spin forever)? */
static int rc_js_check_noresp(rc_js *j, rc_err *err)
{
    pthread_mutex_lock(&j->mu);
    int64_t nr = j->noresp_published_at, seen = j->stream_seen_at;
    char subj[sizeof j->noresp_subject];
    memcpy(subj, j->noresp_subject, sizeof subj);
    pthread_mutex_unlock(&j->mu);
    if (!nr) return 0;
    if (seen && nr > seen)
        return rc_err_set(err, RC_E_CONFIG,
                          "%s: no stream takes subject '%s' (stream %s: check its subjects)",
                          j->conf.label, subj, j->stream);
    if (seen && rc_now_ms() - seen < 500) return 0;
    jsStreamInfo *si = NULL;
    if (js_GetStreamInfo(&si, j->js, j->stream, NULL, NULL) == NATS_OK) {
        jsStreamInfo_Destroy(si);
        pthread_mutex_lock(&j->mu);
        j->stream_seen_at = rc_now_ms();
        pthread_mutex_unlock(&j->mu);
    }
    return 0;
}

static int rc_js_flush(rc_sink *s, int timeout_ms, rc_err *err)
{
    rc_js *j = s->impl;
    int64_t deadline = rc_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        if (rc_nats_up(j->nc)) {
            if (rc_js_check_noresp(j, err) < 0) return -1;
            rc_js_resend(j);
        }
        pthread_mutex_lock(&j->mu);
        rc_js_collect(s, j);
        size_t left = j->count;
        bool failing = j->failing;
        rc_errcode fatal = j->fatal;
        char why[sizeof j->last_error];
        memcpy(why, j->last_error, sizeof why);
        if (!fatal && left && rc_nats_up(j->nc) && rc_now_ms() < deadline) {
            rc_js_wait(j, deadline);
            pthread_mutex_unlock(&j->mu);
            continue;
        }
        pthread_mutex_unlock(&j->mu);
        if (fatal)
            return rc_err_set(err, fatal, "%s: JetStream refused an event: %s", j->conf.label, why);
        if (!rc_nats_up(j->nc)) return rc_nats_unreachable(j->conf.label, j->nc, err);
        if (left && failing)
            return rc_err_set(err, RC_E_LOST, "%s: broker unreachable: %s (%zu events resent)",
                              j->conf.label, why, left);
        return 0;
    }
}

static void rc_js_close(rc_sink *s)
{
    rc_js *j = s->impl;
    if (!j) return;
    rc_err ignored;
    rc_js_flush(s, 2000, &ignored); /* a clean stop leaves nothing to repeat */
    rc_js_free(j);
    s->impl = NULL;
}

/* Messages on_event asked to hold, acknowledged together with the next one
 * it is done with. */
typedef struct rc_js_held {
    natsMsg **msgs;
    size_t n, cap;
} rc_js_held;

static void rc_js_held_ack(rc_js_held *h, jsOptions *jo)
{
    for (size_t i = 0; i < h->n; i++) {
        natsMsg_Ack(h->msgs[i], jo);
        natsMsg_Destroy(h->msgs[i]);
    }
    h->n = 0;
}

/* A durable consumer that a killed consumer left with unacknowledged
 * messages would deliver new messages at once and the old ones only after
 * the ack wait (30 s): out of order, which an applier must not see. Acks go
 * out in order (rc_js_held), so everything after the ack floor is what was
 * not dealt with: the consumer is made again to start right after it. */
static int rc_js_rewind(jsCtx *js, const char *stream, const char *durable, jsOptions *jo,
                        jsSubOptions *so, const char *label, rc_err *err)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetConsumerInfo(&ci, js, stream, durable, jo, &jerr);
    if (st == NATS_NOT_FOUND || jerr == JSConsumerNotFoundErr) return 0; /* a new one */
    if (st != NATS_OK)
        return rc_err_set(err, RC_E_SERVER, "%s: consumer %s: %s", label, durable,
                          rc_nats_detail(st));
    uint64_t floor = ci->AckFloor.Stream;
    int64_t pending = ci->NumAckPending;
    if (pending <= 0 && ci->Config) {
        /* Bound as it is: the server refuses another start policy than the
         * one an earlier rewind gave it. */
        so->Config.DeliverPolicy = ci->Config->DeliverPolicy;
        so->Config.OptStartSeq = ci->Config->OptStartSeq;
    }
    jsConsumerInfo_Destroy(ci);
    if (pending <= 0) return 0;
    rc_debug("%s: consumer %s has %lld unacknowledged; restarting it at stream sequence %llu",
             label, durable, (long long)pending, (unsigned long long)(floor + 1));
    st = js_DeleteConsumer(js, stream, durable, jo, &jerr);
    if (st != NATS_OK)
        return rc_err_set(err, RC_E_SERVER, "%s: consumer %s: delete: %s", label, durable,
                          rc_nats_detail(st));
    so->Config.DeliverPolicy = js_DeliverByStartSequence;
    so->Config.OptStartSeq = floor + 1;
    return 0;
}

static int rc_js_run(const rc_url *url, const char *durable, uint64_t max_events,
                     rc_sink_on_event on_event, void *ctx, volatile int *stop, rc_err *err)
{
    rc_js_held held = {0};
    rc_nats_conf c;
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    char *stream = NULL;
    int rc = -1;
    if (rc_nats_conf_init(&c, url, err) < 0) goto out;
    if (durable && strpbrk(durable, ". *>")) {
        rc_err_set(err, RC_E_USAGE, "--durable '%s': a consumer name has no '.', '*', '>'",
                   durable);
        goto out;
    }
    stream = rc_js_stream_name(url, c.subject);
    jsOptions jo;
    jsOptions_Init(&jo);
    if (rc_js_connect(&c, url, &nc, &js, &jo, err) < 0) goto out;
    /* A pull consumer on the stream, filtered to the URL's subject, from the
     * first message: with a durable name the server remembers what was
     * acknowledged, so a restart continues after it; without one the
     * consumer is ephemeral and every run reads the whole stream. */
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Config.DeliverPolicy = js_DeliverAll;
    so.Config.AckPolicy = js_AckExplicit;
    jsErrCode jerr = 0;
    /* Subscribers print and may see a repeat late; a consumer (an applier)
     * needs the order. */
    if (durable && on_event != rc_print_event &&
        rc_js_rewind(js, stream, durable, &jo, &so, c.label, err) < 0)
        goto out;
    natsStatus st = js_PullSubscribe(&sub, js, c.wild, durable, &jo, &so, &jerr);
    if (st != NATS_OK) {
        const char *detail = rc_nats_detail(st);
        rc_err_set(err,
                   st == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr ? RC_E_CONFIG : RC_E_SERVER,
                   "%s: subscribe to stream %s: %s", c.label, stream, detail);
        goto out;
    }
    uint64_t n = 0;
    while (!*stop && (!max_events || n < max_events)) {
        /* Never fetch more than is left to print: a fetched message left
         * unacknowledged would wait out the ack wait before a restart sees it. */
        uint64_t want = max_events ? max_events - n : 256;
        natsMsgList list = {0};
        st = natsSubscription_Fetch(&list, sub, want > 256 ? 256 : (int)want, RC_SUB_POLL_MS * 5,
                                    &jerr);
        if (st == NATS_TIMEOUT || (st != NATS_OK && !rc_nats_up(nc))) {
            natsMsgList_Destroy(&list);
            /* Quiet: a consumer still holding events may be done with them. */
            if (st == NATS_TIMEOUT && held.n && on_event != rc_print_event) {
                int w = on_event(ctx, NULL, 0, err);
                if (w < 0) goto out;
                if (w == RC_SINK_DONE) rc_js_held_ack(&held, &jo);
            }
            continue; /* nothing new, or reconnecting: libnats retries */
        }
        if (st != NATS_OK) {
            natsMsgList_Destroy(&list);
            rc_err_set(err, RC_E_SERVER, "%s: fetch: %s", c.label, natsStatus_GetText(st));
            goto out;
        }
        int w = 0;
        for (int i = 0; i < list.Count && w >= 0; i++) {
            natsMsg *msg = list.Msgs[i];
            w = on_event(ctx ? ctx : c.label, natsMsg_GetData(msg),
                         (size_t)natsMsg_GetDataLength(msg), err);
            if (w < 0) break;
            /* Acknowledged once dealt with (printed and flushed; applied and
             * committed): after a crash the last events may be delivered
             * again, never skipped. A held message waits, out of the list,
             * for the one that completes it. */
            if (held.n == held.cap) {
                held.cap = held.cap ? 2 * held.cap : 64;
                held.msgs = rc_xrealloc(held.msgs, held.cap * sizeof *held.msgs);
            }
            held.msgs[held.n++] = msg;
            list.Msgs[i] = NULL;
            if (w == RC_SINK_DONE) rc_js_held_ack(&held, &jo);
            n++;
        }
        natsMsgList_Destroy(&list);
        /* The batch is done: a consumer that holds events may make them
         * durable now (one fsync, one commit per batch) and let them go. */
        if (w >= 0 && held.n && on_event != rc_print_event) {
            w = on_event(ctx, NULL, 0, err);
            if (w == RC_SINK_DONE) rc_js_held_ack(&held, &jo);
        }
        if (w < 0) goto out;
    }
    rc = 0;
out:
    if (nc && rc_nats_up(nc)) natsConnection_FlushTimeout(nc, 2000); /* the last acks */
    /* Close before destroying the subscription: a durable consumer must stay
     * on the server, so no unsubscribe request may go out. */
    if (nc) natsConnection_Close(nc);
    if (sub) natsSubscription_Destroy(sub);
    if (js) jsCtx_Destroy(js);
    if (nc) natsConnection_Destroy(nc);
    /* Held and never completed: not acknowledged, so delivered again. */
    for (size_t i = 0; i < held.n; i++)
        natsMsg_Destroy(held.msgs[i]);
    free(held.msgs);
    free(stream);
    rc_nats_conf_free(&c);
    return rc;
}

static int rc_js_subscribe(const rc_url *url, const char *durable, uint64_t max_events,
                           volatile int *stop, rc_err *err)
{
    return rc_js_run(url, durable, max_events, rc_print_event, NULL, stop, err);
}

static int rc_js_consume(const rc_url *url, const char *durable, rc_sink_on_event on_event,
                         void *ctx, volatile int *stop, rc_err *err)
{
    return rc_js_run(url, durable, 0, on_event, ctx, stop, err);
}

const rc_sink_ops rc_sink_nats = {
    .scheme = "nats",
    .open = rc_nats_open,
    .send = rc_nats_send,
    .flush = rc_nats_flush,
    .close = rc_nats_close,
    .subscribe = rc_nats_subscribe,
    .consume = rc_nats_consume,
};

const rc_sink_ops rc_sink_jetstream = {
    .scheme = "jetstream",
    .open = rc_js_open,
    .send = rc_js_send,
    .flush = rc_js_flush,
    .close = rc_js_close,
    .subscribe = rc_js_subscribe,
    .consume = rc_js_consume,
};
