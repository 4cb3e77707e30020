/* sink_redis: the last stage of the pipeline for redis:// URLs. The stream
 * hands it encoded events; it turns each into Redis commands (PUBLISH,
 * XADD, or SET/DEL for the key-value mirror), pipelines them on one
 * connection and confirms an event (s->acked) once Redis replied to its last
 * command. `rowcast subscribe redis://...` reads the same channel or stream
 * back. docs/sinks.md describes the URL, the modes and their guarantees.
 *
 * Every command not replied to yet stays in `pend` (its RESP bytes) until
 * its reply arrives, so after a lost connection the commands are written
 * again in the same order on the new one: nothing the stream handed over is
 * lost, and the stream's checkpoint never passes an event Redis did not
 * answer. hiredis supplies the connection and the reply parser; commands are
 * formatted here into one reusable buffer, so the hot path allocates nothing
 * per event but the reply objects. */
#include "sink/rc_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"

#define RC_REDIS_PORT          6379
#define RC_REDIS_INFLIGHT      10000
#define RC_REDIS_TIMEOUT_MS    10000
#define RC_REDIS_PEND_MAX      (64u << 20) /* bytes of unreplied commands before send waits */
#define RC_REDIS_DEFAULT_GROUP "replication"

typedef enum { RC_REDIS_PUBSUB, RC_REDIS_STREAM, RC_REDIS_KV } rc_redis_mode;

/* What a redis:// URL says. */
typedef struct rc_redis_conf {
    char *host;
    unsigned port;
    char *user;     /* NULL: AUTH with the password alone (requirepass) */
    char *password; /* NULL: no AUTH */
    long db;
    rc_redis_mode mode;
    char *group;     /* the default group (channel, stream key, key prefix) */
    long maxlen;     /* stream: MAXLEN ~ N, 0 for none */
    size_t inflight; /* commands sent and not replied to, at most */
    int timeout_ms;  /* connect, and longest wait for a reply */
    char name[320];  /* "redis://HOST:PORT" for messages: never the password */
} rc_redis_conf;

/* One command whose reply has not come yet. */
typedef struct rc_redis_cmd {
    size_t end;   /* its last byte + 1 in pend */
    uint64_t ack; /* the reply confirms events up to this seq (0: none) */
} rc_redis_cmd;

typedef struct rc_redis_sink {
    rc_redis_conf cf;
    redisContext *c; /* NULL while the broker is away */
    rc_buf pend;     /* RESP of every unreplied command, from head */
    size_t head;     /* where the oldest unreplied command starts */
    size_t wpos;     /* how much of pend the current connection was given */
    rc_redis_cmd *q; /* ring of unreplied commands */
    size_t qcap, qhead, qlen;
    struct timespec last_progress; /* a reply came, or the queue was empty */
    char **nokey;                  /* tables skipped for want of a primary key */
    size_t nnokey;
    rc_buf key, oldkey; /* scratch for the kv mode */
} rc_redis_sink;

/* ------------------------------------------------------------------ time */

static int64_t rc_redis_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t rc_redis_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ URL */

static int rc_redis_parse_long(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void rc_redis_conf_free(rc_redis_conf *cf)
{
    free(cf->host);
    free(cf->user);
    free(cf->password);
    free(cf->group);
    memset(cf, 0, sizeof *cf);
}

/* Settings are few and each is checked here, so a typo in one stops
 * start-up with a message instead of silently picking the default. */
static int rc_redis_conf_parse(const rc_url *url, rc_redis_conf *cf, rc_err *err)
{
    static const char *const known[] = {"mode",    "group",  "maxlen", "inflight",
                                        "timeout", "format", "filter"};
    memset(cf, 0, sizeof *cf);
    cf->port = url->port ? url->port : RC_REDIS_PORT;
    snprintf(cf->name, sizeof cf->name,
             strchr(url->host, ':') ? "redis://[%s]:%u" : "redis://%s:%u", url->host, cf->port);
    cf->host = rc_xstrndup(url->host, strlen(url->host));
    if (url->user && *url->user) cf->user = rc_xstrndup(url->user, strlen(url->user));
    if (url->password) cf->password = rc_xstrndup(url->password, strlen(url->password));
    if (cf->user && !cf->password) {
        char shown[sizeof cf->name];
        memcpy(shown, cf->name, sizeof shown);
        rc_redis_conf_free(cf);
        return rc_err_set(err, RC_E_USAGE,
                          "bad sink URL '%s': a user needs a password "
                          "(redis://[USER]:PASSWORD@HOST:PORT)",
                          shown);
    }
    cf->inflight = RC_REDIS_INFLIGHT;
    cf->timeout_ms = RC_REDIS_TIMEOUT_MS;

    const char *fail = NULL, *expect = NULL;
    if (*url->path && rc_redis_parse_long(url->path, 0, 1L << 30, &cf->db) < 0) {
        fail = "database";
        expect = "a number after the port (redis://HOST:PORT/DB)";
    }
    char *v = rc_url_param(url, "mode");
    if (!fail && v) {
        if (!strcmp(v, "pubsub"))
            cf->mode = RC_REDIS_PUBSUB;
        else if (!strcmp(v, "stream"))
            cf->mode = RC_REDIS_STREAM;
        else if (!strcmp(v, "kv"))
            cf->mode = RC_REDIS_KV;
        else {
            fail = "mode";
            expect = "pubsub, stream or kv";
        }
    }
    free(v);
    v = rc_url_param(url, "group");
    if (!fail && v && !*v) {
        fail = "group";
        expect = "a channel, stream key or key prefix";
    }
    cf->group = v ? v : rc_xstrndup(RC_REDIS_DEFAULT_GROUP, strlen(RC_REDIS_DEFAULT_GROUP));
    long n = 0;
    v = rc_url_param(url, "maxlen");
    if (!fail && v) {
        if (rc_redis_parse_long(v, 1, 1L << 62, &cf->maxlen) < 0 || cf->mode != RC_REDIS_STREAM) {
            fail = "maxlen";
            expect = "a positive number of entries, with mode=stream";
        }
    }
    free(v);
    v = rc_url_param(url, "inflight");
    if (!fail && v) {
        if (rc_redis_parse_long(v, 1, 1000000, &n) < 0) {
            fail = "inflight";
            expect = "a number of commands from 1 to 1000000";
        }
        cf->inflight = (size_t)n;
    }
    free(v);
    v = rc_url_param(url, "timeout");
    if (!fail && v) {
        if (rc_redis_parse_long(v, 1, 3600, &n) < 0) {
            fail = "timeout";
            expect = "seconds from 1 to 3600";
        }
        cf->timeout_ms = (int)n * 1000;
    }
    free(v);
    if (fail) {
        char shown[sizeof cf->name];
        memcpy(shown, cf->name, sizeof shown);
        rc_redis_conf_free(cf);
        return rc_err_set(err, RC_E_USAGE, "bad sink URL '%s': bad %s: expected %s", shown, fail,
                          expect);
    }
    /* Unknown keys may belong to the stream core (settings every sink
     * shares), so they are not an error here; a warning catches typos. */
    for (const char *p = url->query; *p;) {
        size_t len = strcspn(p, "&"), kn = strcspn(p, "=&");
        int ok = kn == 0;
        for (size_t i = 0; !ok && i < sizeof known / sizeof known[0]; i++)
            ok = strlen(known[i]) == kn && !memcmp(known[i], p, kn);
        if (!ok) rc_warn("%s: ignoring unknown setting '%.*s'", cf->name, (int)kn, p);
        p += len;
        if (*p == '&') p++;
    }
    return 0;
}

/* ------------------------------------------------------------------ RESP */

static void rc_redis_num(rc_buf *b, char kind, size_t n)
{
    char tmp[24];
    size_t i = sizeof tmp;
    tmp[--i] = '\n';
    tmp[--i] = '\r';
    do {
        tmp[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    tmp[--i] = kind;
    rc_buf_put(b, tmp + i, sizeof tmp - i);
}

/* Appends one command in RESP: *ARGC, then $LEN ARG per argument. */
static void rc_redis_format(rc_buf *b, int argc, const char *const *argv, const size_t *lens)
{
    rc_redis_num(b, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        size_t n = lens ? lens[i] : strlen(argv[i]);
        rc_redis_num(b, '$', n);
        rc_buf_reserve(b, n + 2);
        rc_buf_put_unsafe(b, argv[i], n);
        rc_buf_put_unsafe(b, "\r\n", 2);
    }
}

/* ------------------------------------------------------------------ I/O */

/* Connects, switches the socket to non-blocking (so no write or read can
 * hang the stream: every wait is a poll with a deadline), and logs in.
 * code: the rc_errcode for an unreachable broker (RC_E_CONNECT at start,
 * RC_E_LOST later). NULL with err set on failure. */
static int rc_redis_roundtrip(redisContext *c, const rc_redis_conf *cf, rc_buf *out, int nreplies,
                              redisReply **replies, int code, rc_err *err);

static redisContext *rc_redis_connect(const rc_redis_conf *cf, int code, rc_err *err)
{
    struct timeval tv = {cf->timeout_ms / 1000, (cf->timeout_ms % 1000) * 1000};
    redisContext *c = redisConnectWithTimeout(cf->host, (int)cf->port, tv);
    if (!c || c->err) {
        rc_err_set(err, (rc_errcode)code, "%s: broker unreachable: %s", cf->name,
                   c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return NULL;
    }
    redisEnableKeepAlive(c);
    int fl = fcntl(c->fd, F_GETFL);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        rc_err_set(err, (rc_errcode)code, "%s: broker unreachable: %s", cf->name, strerror(errno));
        redisFree(c);
        return NULL;
    }
    /* hiredis then treats EAGAIN as "try later" instead of an error. */
    c->flags &= ~REDIS_BLOCK;

    /* AUTH and SELECT when asked for, and always a PING: a Redis still
     * loading its data after a restart answers it with -LOADING, which is
     * a reason to come back later, not to fail. */
    rc_buf cmd;
    rc_buf_init(&cmd);
    redisReply *r[3] = {NULL, NULL, NULL};
    int n = 0;
    if (cf->password) {
        const char *argv[3] = {"AUTH", cf->user ? cf->user : cf->password, cf->password};
        rc_redis_format(&cmd, cf->user ? 3 : 2, argv, NULL);
        n++;
    }
    if (cf->db) {
        char db[24];
        snprintf(db, sizeof db, "%ld", cf->db);
        const char *argv[2] = {"SELECT", db};
        rc_redis_format(&cmd, 2, argv, NULL);
        n++;
    }
    const char *ping[1] = {"PING"};
    rc_redis_format(&cmd, 1, ping, NULL);
    n++;
    int rc = rc_redis_roundtrip(c, cf, &cmd, n, r, code, err);
    rc_buf_free(&cmd);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (r[i]->type != REDIS_REPLY_ERROR) continue;
        const char *what = cf->password && i == 0 ? "login refused" : "not ready";
        int ecode = cf->password && i == 0 ? RC_E_AUTH : RC_E_SERVER;
        if (!strncmp(r[i]->str, "LOADING", 7) || !strncmp(r[i]->str, "BUSY", 4) ||
            !strncmp(r[i]->str, "MASTERDOWN", 10))
            ecode = RC_E_LOST;
        if (!strncmp(r[i]->str, "NOAUTH", 6)) {
            what = "login refused";
            ecode = RC_E_AUTH;
        }
        if (cf->db && i == (cf->password ? 1 : 0) && ecode == RC_E_SERVER) what = "bad database";
        rc_err_set(err, (rc_errcode)ecode, "%s: %s: %s", cf->name, what, r[i]->str);
        rc = -1;
    }
    for (int i = 0; i < n; i++)
        if (r[i]) freeReplyObject(r[i]);
    if (rc < 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* Writes what it can of p[0..n) without blocking; the count written, or -1. */
static ssize_t rc_redis_write(redisContext *c, const char *p, size_t n)
{
    ssize_t w = write(c->fd, p, n);
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    if (w < 0) snprintf(c->errstr, sizeof c->errstr, "%s", strerror(errno));
    return w;
}

/* Reads what has arrived into hiredis' reader; -1 on error or EOF. */
static int rc_redis_read(redisContext *c)
{
    return redisBufferRead(c) == REDIS_OK ? 0 : -1;
}

/* Writes out fully and reads nreplies replies, within cf->timeout_ms. */
static int rc_redis_roundtrip(redisContext *c, const rc_redis_conf *cf, rc_buf *out, int nreplies,
                              redisReply **replies, int code, rc_err *err)
{
    int64_t deadline = rc_redis_now_ms() + cf->timeout_ms;
    size_t done = 0;
    int got = 0;
    while (got < nreplies) {
        if (done < out->len) {
            ssize_t w = rc_redis_write(c, out->data + done, out->len - done);
            if (w < 0) goto lost;
            done += (size_t)w;
        }
        void *r = NULL;
        if (redisGetReplyFromReader(c, &r) != REDIS_OK) goto lost;
        if (r) {
            replies[got++] = r;
            continue;
        }
        int64_t left = deadline - rc_redis_now_ms();
        if (left <= 0) {
            snprintf(c->errstr, sizeof c->errstr, "no reply in %d s", cf->timeout_ms / 1000);
            goto lost;
        }
        struct pollfd pfd = {c->fd, (short)(POLLIN | (done < out->len ? POLLOUT : 0)), 0};
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) goto lost;
        if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && rc_redis_read(c) < 0) goto lost;
    }
    return 0;
lost:
    return rc_err_set(err, (rc_errcode)code, "%s: broker unreachable: %s", cf->name,
                      c->errstr[0] ? c->errstr : "connection closed");
}

/* ------------------------------------------------------------------ JSON */

/* A small scanner for the encoded event: the kv mode needs a few top-level
 * members ("primary", "new", "old", ...) as raw text, and asks nothing more
 * of the stream core than the event it already has. */
static size_t rc_redis_ws(const char *p, size_t i, size_t n)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

/* The end of the JSON value starting at p[i], or 0 if it is malformed. */
static size_t rc_redis_skip(const char *p, size_t i, size_t n)
{
    size_t depth = 0;
    do {
        if (i >= n) return 0;
        char ch = p[i];
        if (ch == '"') {
            for (i++; i < n && p[i] != '"'; i++)
                if (p[i] == '\\') i++;
            if (i >= n) return 0;
            i++;
        } else if (ch == '{' || ch == '[') {
            depth++;
            i++;
        } else if (ch == '}' || ch == ']') {
            if (!depth) return 0;
            depth--;
            i++;
        } else if (ch == ',' || ch == ':' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            if (!depth) return 0;
            i++;
        } else {
            while (i < n && !strchr(",:{}[]\" \t\r\n", p[i]))
                i++;
        }
    } while (depth);
    return i;
}

typedef struct rc_redis_span {
    const char *p;
    size_t n;
} rc_redis_span;

/* Finds the top-level members named in names[] (given with their quotes,
 * as they appear in the event); absent ones stay {NULL, 0}. -1 if data is
 * not a JSON object. */
static int rc_redis_members(const char *p, size_t n, const char *const *names, rc_redis_span *out,
                            size_t count)
{
    memset(out, 0, count * sizeof *out);
    size_t i = rc_redis_ws(p, 0, n);
    if (i >= n || p[i] != '{') return -1;
    i = rc_redis_ws(p, i + 1, n);
    if (i < n && p[i] == '}') return 0;
    for (;;) {
        size_t ks = i, ke = rc_redis_skip(p, i, n);
        if (!ke || p[ks] != '"') return -1;
        i = rc_redis_ws(p, ke, n);
        if (i >= n || p[i] != ':') return -1;
        size_t vs = rc_redis_ws(p, i + 1, n), ve = rc_redis_skip(p, vs, n);
        if (!ve) return -1;
        for (size_t k = 0; k < count; k++)
            if (strlen(names[k]) == ke - ks && !memcmp(names[k], p + ks, ke - ks))
                out[k] = (rc_redis_span){p + vs, ve - vs};
        i = rc_redis_ws(p, ve, n);
        if (i < n && p[i] == '}') return 0;
        if (i >= n || p[i] != ',') return -1;
        i = rc_redis_ws(p, i + 1, n);
    }
}

/* The row's key: "[v1,v2,...]", the JSON texts of its primary-key values
 * in primary-key order, appended to b. primary is the event's "primary"
 * member (a name or an array of names), row its "new" or "old" object.
 * -1 when a key column is missing from the row. */
static int rc_redis_rowkey(rc_buf *b, rc_redis_span primary, rc_redis_span row)
{
    rc_redis_span names[64];
    size_t nn = 0;
    if (primary.p[0] == '"') {
        names[nn++] = primary;
    } else {
        size_t i = rc_redis_ws(primary.p, 1, primary.n);
        while (i < primary.n && primary.p[i] != ']') {
            size_t e = rc_redis_skip(primary.p, i, primary.n);
            if (!e || nn == sizeof names / sizeof names[0]) return -1;
            names[nn++] = (rc_redis_span){primary.p + i, e - i};
            i = rc_redis_ws(primary.p, e, primary.n);
            if (i < primary.n && primary.p[i] == ',') i = rc_redis_ws(primary.p, i + 1, primary.n);
        }
    }
    if (!nn || nn > 16) return -1;
    const char *keys[16];
    char keybuf[16][256];
    for (size_t k = 0; k < nn; k++) {
        if (names[k].n >= sizeof keybuf[k]) return -1;
        memcpy(keybuf[k], names[k].p, names[k].n);
        keybuf[k][names[k].n] = 0;
        keys[k] = keybuf[k];
    }
    rc_redis_span vals[16];
    if (rc_redis_members(row.p, row.n, keys, vals, nn) < 0) return -1;
    rc_buf_putc(b, '[');
    for (size_t k = 0; k < nn; k++) {
        if (!vals[k].p) return -1;
        if (k) rc_buf_putc(b, ',');
        rc_buf_put(b, vals[k].p, vals[k].n);
    }
    rc_buf_putc(b, ']');
    return 0;
}

/* ------------------------------------------------------------------ sink */

static void rc_redis_drop(rc_redis_sink *r)
{
    if (r->c) redisFree(r->c);
    r->c = NULL;
}

static int rc_redis_lost(rc_sink *s, const char *why, rc_err *err)
{
    rc_redis_sink *r = s->impl;
    rc_err_set(err, RC_E_LOST, "%s: broker unreachable: connection lost (%s)", r->cf.name, why);
    rc_redis_drop(r);
    return -1;
}

/* Connects again and gives the new connection every command still without
 * a reply, in the order they were first sent. */
static int rc_redis_reconnect(rc_sink *s, rc_err *err)
{
    rc_redis_sink *r = s->impl;
    r->c = rc_redis_connect(&r->cf, RC_E_LOST, err);
    if (!r->c) return -1;
    r->wpos = r->head;
    clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    rc_info("%s: reconnected; sending again %zu command(s) not confirmed before", r->cf.name,
            r->qlen);
    return 0;
}

/* Queues one command (already formatted at the end of pend). */
static void rc_redis_push(rc_redis_sink *r, uint64_t ack)
{
    if (r->qlen == r->qcap) {
        size_t ncap = r->qcap ? r->qcap * 2 : 64;
        rc_redis_cmd *nq = rc_xmalloc(ncap * sizeof *nq);
        for (size_t i = 0; i < r->qlen; i++)
            nq[i] = r->q[(r->qhead + i) % r->qcap];
        free(r->q);
        r->q = nq;
        r->qcap = ncap;
        r->qhead = 0;
    }
    if (!r->qlen) clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    r->q[(r->qhead + r->qlen++) % r->qcap] = (rc_redis_cmd){r->pend.len, ack};
}

/* An event that needs no command (a statement, a table without a key):
 * confirmed with the command before it, or at once. */
static void rc_redis_skip_event(rc_sink *s, uint64_t seq)
{
    rc_redis_sink *r = s->impl;
    if (r->qlen)
        r->q[(r->qhead + r->qlen - 1) % r->qcap].ack = seq;
    else if (seq > s->acked)
        s->acked = seq;
}

/* Errors Redis gives while it starts or fails over: come back later. */
static int rc_redis_transient(const char *msg)
{
    return !strncmp(msg, "LOADING", 7) || !strncmp(msg, "BUSY", 4) ||
           !strncmp(msg, "TRYAGAIN", 8) || !strncmp(msg, "MASTERDOWN", 10);
}

/* Takes every reply that has arrived off the queue. */
static int rc_redis_collect(rc_sink *s, rc_err *err)
{
    rc_redis_sink *r = s->impl;
    for (;;) {
        void *reply = NULL;
        if (redisGetReplyFromReader(r->c, &reply) != REDIS_OK)
            return rc_redis_lost(s, r->c->errstr, err);
        if (!reply) break;
        redisReply *rep = reply;
        if (!r->qlen) {
            freeReplyObject(rep);
            return rc_redis_lost(s, "a reply to no command", err);
        }
        if (rep->type == REDIS_REPLY_ERROR) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", rep->str);
            freeReplyObject(rep);
            /* Reconnecting re-sends this command and all after it. */
            if (rc_redis_transient(msg)) return rc_redis_lost(s, msg, err);
            const char *what[] = {"PUBLISH", "XADD", "SET/DEL"};
            return rc_err_set(err, RC_E_SERVER, "%s: %s refused: %s", r->cf.name, what[r->cf.mode],
                              msg);
        }
        freeReplyObject(rep);
        rc_redis_cmd cmd = r->q[r->qhead];
        r->qhead = (r->qhead + 1) % r->qcap;
        r->qlen--;
        r->head = cmd.end;
        if (cmd.ack > s->acked) s->acked = cmd.ack;
        clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    }
    if (!r->qlen && r->wpos == r->pend.len) {
        r->pend.len = r->head = r->wpos = 0;
    } else if (r->head > (1u << 20) && r->head > r->pend.len / 2) {
        /* Keep pend from growing without end under constant load. */
        memmove(r->pend.data, r->pend.data + r->head, r->pend.len - r->head);
        for (size_t i = 0; i < r->qlen; i++)
            r->q[(r->qhead + i) % r->qcap].end -= r->head;
        r->pend.len -= r->head;
        r->wpos -= r->head;
        r->head = 0;
    }
    return 0;
}

static int rc_redis_flush(rc_sink *s, int timeout_ms, rc_err *err)
{
    rc_redis_sink *r = s->impl;
    if (!r->c && rc_redis_reconnect(s, err) < 0) return -1;
    int64_t deadline = rc_redis_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        if (r->wpos < r->pend.len) {
            ssize_t w = rc_redis_write(r->c, r->pend.data + r->wpos, r->pend.len - r->wpos);
            if (w < 0) return rc_redis_lost(s, r->c->errstr, err);
            r->wpos += (size_t)w;
        }
        if (rc_redis_collect(s, err) < 0) return -1;
        if (!r->qlen) return 0;
        int64_t now = rc_redis_now_ms(), left = deadline - now;
        struct pollfd pfd = {r->c->fd, (short)(POLLIN | (r->wpos < r->pend.len ? POLLOUT : 0)), 0};
        int n = poll(&pfd, 1, left > 0 ? (int)left : 0);
        if (n < 0 && errno != EINTR) return rc_redis_lost(s, strerror(errno), err);
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (rc_redis_read(r->c) < 0) return rc_redis_lost(s, r->c->errstr, err);
            continue;
        }
        /* Only now, with nothing to read, is a long silence a dead broker
         * (a caller that flushes rarely must not look like one). */
        if (rc_redis_now_ms() - rc_redis_ms(&r->last_progress) > r->cf.timeout_ms) {
            char why[64];
            snprintf(why, sizeof why, "no reply in %d s", r->cf.timeout_ms / 1000);
            return rc_redis_lost(s, why, err);
        }
        if (left <= 0 && !(pfd.revents & POLLOUT)) return 0;
    }
}

static int rc_redis_nokey_warned(rc_redis_sink *r, const char *table, size_t n)
{
    for (size_t i = 0; i < r->nnokey; i++)
        if (strlen(r->nokey[i]) == n && !memcmp(r->nokey[i], table, n)) return 1;
    r->nokey = rc_xrealloc(r->nokey, (r->nnokey + 1) * sizeof *r->nokey);
    r->nokey[r->nnokey++] = rc_xstrndup(table, n);
    return 0;
}

/* The kv mode's commands for one row change; 0 when there are none. */
static int rc_redis_kv(rc_sink *s, const rc_sink_msg *m, const char *group, rc_err *err)
{
    rc_redis_sink *r = s->impl;
    static const char *const names[] = {"\"primary\"", "\"new\"", "\"old\"", "\"schema\"",
                                        "\"table\""};
    rc_redis_span v[5];
    if (rc_redis_members(m->data, m->len, names, v, 5) < 0)
        return rc_err_set(err, RC_E_INTERNAL, "%s: kv mode: the event is not a JSON object",
                          r->cf.name);
    /* The table for messages and keys: "schema.table". */
    char table[512];
    if (m->table)
        snprintf(table, sizeof table, "%s", m->table);
    else if (v[3].p && v[4].p && v[3].n >= 2 && v[4].n >= 2)
        snprintf(table, sizeof table, "%.*s.%.*s", (int)v[3].n - 2, v[3].p + 1, (int)v[4].n - 2,
                 v[4].p + 1);
    else
        snprintf(table, sizeof table, "?");
    size_t tlen = strlen(table);
    rc_redis_span row = m->op == RC_OP_DELETE ? v[2] : v[1];
    if (!v[0].p || (v[0].p[0] != '"' && v[0].p[0] != '[')) {
        if (!rc_redis_nokey_warned(r, table, tlen))
            rc_warn("%s: kv mode skips table %s: it has no primary key, so its rows have no "
                    "key to be stored under",
                    r->cf.name, table);
        return 0;
    }
    if (!row.p)
        return rc_err_set(err, RC_E_USAGE,
                          "%s: kv mode needs events in the seed format (no \"%s\" object in "
                          "a %s of %s; use --format seed)",
                          r->cf.name, m->op == RC_OP_DELETE ? "old" : "new",
                          m->op == RC_OP_DELETE ? "delete" : "change", table);
    /* PREFIX:schema.table:[key values] */
    size_t glen = strlen(group);
    r->key.len = 0;
    rc_buf_put(&r->key, group, glen);
    rc_buf_putc(&r->key, ':');
    rc_buf_put(&r->key, table, tlen);
    rc_buf_putc(&r->key, ':');
    size_t prefix = r->key.len;
    if (rc_redis_rowkey(&r->key, v[0], row) < 0)
        return rc_err_set(err, RC_E_USAGE,
                          "%s: kv mode: a primary-key column of %s is missing from the event "
                          "(did a filter drop it?)",
                          r->cf.name, table);
    int ncmd = 0;
    if (m->op == RC_OP_UPDATE && v[2].p) {
        /* A changed primary key moves the row: its old key goes. */
        r->oldkey.len = 0;
        rc_buf_put(&r->oldkey, r->key.data, prefix);
        if (rc_redis_rowkey(&r->oldkey, v[0], v[2]) == 0 &&
            (r->oldkey.len != r->key.len || memcmp(r->oldkey.data, r->key.data, r->key.len))) {
            const char *argv[2] = {"DEL", r->oldkey.data};
            size_t lens[2] = {3, r->oldkey.len};
            rc_redis_format(&r->pend, 2, argv, lens);
            rc_redis_push(r, 0);
            ncmd++;
        }
    }
    if (m->op == RC_OP_DELETE) {
        const char *argv[2] = {"DEL", r->key.data};
        size_t lens[2] = {3, r->key.len};
        rc_redis_format(&r->pend, 2, argv, lens);
    } else {
        const char *argv[3] = {"SET", r->key.data, row.p};
        size_t lens[3] = {3, r->key.len, row.n};
        rc_redis_format(&r->pend, 3, argv, lens);
    }
    rc_redis_push(r, m->seq);
    return ncmd + 1;
}

static int rc_redis_send(rc_sink *s, const rc_sink_msg *m, rc_err *err)
{
    rc_redis_sink *r = s->impl;
    /* Room first: an event is either queued whole or not at all, so the
     * caller's retry after RC_E_LOST never duplicates it. */
    int64_t give_up = rc_redis_now_ms() + r->cf.timeout_ms;
    while (r->qlen + 2 > r->cf.inflight || r->pend.len - r->head > RC_REDIS_PEND_MAX) {
        if (rc_redis_flush(s, 100, err) < 0) return -1;
        if (rc_redis_now_ms() > give_up && (r->qlen + 2 > r->cf.inflight))
            return rc_redis_lost(s, "no room for more commands", err);
    }
    const char *group = m->group && *m->group ? m->group : r->cf.group;
    if (m->seq > s->sent) s->sent = m->seq;
    switch (r->cf.mode) {
    case RC_REDIS_PUBSUB: {
        const char *argv[3] = {"PUBLISH", group, m->data};
        size_t lens[3] = {7, strlen(group), m->len};
        rc_redis_format(&r->pend, 3, argv, lens);
        rc_redis_push(r, m->seq);
        break;
    }
    case RC_REDIS_STREAM: {
        /* The id field lets a consumer drop the copy a restart repeats. */
        const char *argv[10];
        size_t lens[10];
        char maxlen[24];
        int n = 0;
        argv[n] = "XADD", lens[n++] = 4;
        argv[n] = group, lens[n++] = strlen(group);
        if (r->cf.maxlen) {
            snprintf(maxlen, sizeof maxlen, "%ld", r->cf.maxlen);
            argv[n] = "MAXLEN", lens[n++] = 6;
            argv[n] = "~", lens[n++] = 1;
            argv[n] = maxlen, lens[n++] = strlen(maxlen);
        }
        argv[n] = "*", lens[n++] = 1;
        argv[n] = "event", lens[n++] = 5;
        argv[n] = m->data, lens[n++] = m->len;
        if (m->msgid) {
            argv[n] = "id", lens[n++] = 2;
            argv[n] = m->msgid, lens[n++] = strlen(m->msgid);
        }
        rc_redis_format(&r->pend, n, argv, lens);
        rc_redis_push(r, m->seq);
        break;
    }
    case RC_REDIS_KV: {
        if (m->op == RC_OP_QUERY) {
            rc_redis_skip_event(s, m->seq);
            return 0;
        }
        int n = rc_redis_kv(s, m, group, err);
        if (n < 0) return -1;
        if (n == 0) rc_redis_skip_event(s, m->seq);
        break;
    }
    }
    /* Write now when the socket takes it, without waiting for replies:
     * the pipeline stays full between the caller's flushes. */
    if (r->c && r->pend.len - r->wpos >= 65536) {
        ssize_t w = rc_redis_write(r->c, r->pend.data + r->wpos, r->pend.len - r->wpos);
        if (w < 0) {
            rc_redis_drop(r); /* queued: the next flush reconnects and re-sends */
            return 0;
        }
        r->wpos += (size_t)w;
    }
    return 0;
}

static void rc_redis_close(rc_sink *s)
{
    rc_redis_sink *r = s->impl;
    if (!r) return;
    rc_redis_drop(r);
    rc_buf_free(&r->pend);
    rc_buf_free(&r->key);
    rc_buf_free(&r->oldkey);
    free(r->q);
    for (size_t i = 0; i < r->nnokey; i++)
        free(r->nokey[i]);
    free(r->nokey);
    rc_redis_conf_free(&r->cf);
    free(r);
    s->impl = NULL;
}

static int rc_redis_open(rc_sink *s, const rc_url *url, rc_err *err)
{
    rc_redis_sink *r = rc_xcalloc(1, sizeof *r);
    if (rc_redis_conf_parse(url, &r->cf, err) < 0) {
        free(r);
        return -1;
    }
    rc_buf_init(&r->pend);
    rc_buf_init(&r->key);
    rc_buf_init(&r->oldkey);
    s->impl = r;
    r->c = rc_redis_connect(&r->cf, RC_E_CONNECT, err);
    if (!r->c) {
        rc_redis_close(s);
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    return 0;
}

/* ------------------------------------------------------------- subscribe */

/* A subscriber's connection: sends one command and waits for its reply,
 * checking *stop every 200 ms (a blocking XREAD may take seconds). 1 when
 * stopped, -1 with err when the connection failed. */
static int rc_redis_call(redisContext *c, const rc_redis_conf *cf, rc_buf *cmd, int blocking,
                         volatile int *stop, redisReply **reply, rc_err *err)
{
    int64_t deadline = rc_redis_now_ms() + cf->timeout_ms + (blocking ? 5000 : 0);
    size_t done = 0;
    *reply = NULL;
    for (;;) {
        if (done < cmd->len) {
            ssize_t w = rc_redis_write(c, cmd->data + done, cmd->len - done);
            if (w < 0) break;
            done += (size_t)w;
        }
        void *r = NULL;
        if (redisGetReplyFromReader(c, &r) != REDIS_OK) break;
        if (r) {
            *reply = r;
            return 0;
        }
        if (*stop) return 1;
        if (rc_redis_now_ms() > deadline) {
            snprintf(c->errstr, sizeof c->errstr, "no reply in %d s", cf->timeout_ms / 1000);
            break;
        }
        struct pollfd pfd = {c->fd, (short)(POLLIN | (done < cmd->len ? POLLOUT : 0)), 0};
        if (poll(&pfd, 1, 200) < 0 && errno != EINTR) break;
        if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && rc_redis_read(c) < 0) break;
    }
    return rc_err_set(err, RC_E_LOST, "%s: connection lost (%s)", cf->name,
                      c->errstr[0] ? c->errstr : "closed");
}

/* The subscribe callback: each event as a line on stdout. */
static int rc_redis_print(void *ctx, const char *p, size_t n, rc_err *err)
{
    fwrite(p, 1, n, stdout);
    fputc('\n', stdout);
    if (fflush(stdout) != 0 || ferror(stdout))
        return rc_err_set(err, RC_E_IO, "stdout: %s", strerror(errno));
    return 0;
}

static int rc_redis_has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Pub/sub: SUBSCRIBE (PSUBSCRIBE for a pattern) and print each message. */
static int rc_redis_sub_pubsub(redisContext *c, const rc_redis_conf *cf, uint64_t max,
                               uint64_t *count, rc_sink_on_event on_event, void *ctx,
                               volatile int *stop, rc_err *err)
{
    rc_buf cmd;
    rc_buf_init(&cmd);
    const char *argv[2] = {rc_redis_has_glob(cf->group) ? "PSUBSCRIBE" : "SUBSCRIBE", cf->group};
    rc_redis_format(&cmd, 2, argv, NULL);
    redisReply *r;
    int rc = rc_redis_call(c, cf, &cmd, 0, stop, &r, err);
    rc_buf_free(&cmd);
    if (rc) return rc;
    int bad = r->type != REDIS_REPLY_ARRAY;
    freeReplyObject(r);
    if (bad) return rc_err_set(err, RC_E_SERVER, "%s: SUBSCRIBE refused", cf->name);
    for (;;) {
        void *reply = NULL;
        if (redisGetReplyFromReader(c, &reply) != REDIS_OK) break;
        if (reply) {
            r = reply;
            /* ["message", channel, data] or ["pmessage", pattern, channel, data] */
            size_t at = 0;
            if (r->type == REDIS_REPLY_ARRAY && r->elements >= 3 &&
                r->element[0]->type == REDIS_REPLY_STRING)
                at = !strcmp(r->element[0]->str, "message")    ? 2
                     : !strcmp(r->element[0]->str, "pmessage") ? 3
                                                               : 0;
            int prc = 0;
            if (at && at < r->elements && r->element[at]->type == REDIS_REPLY_STRING) {
                prc = on_event(ctx, r->element[at]->str, r->element[at]->len, err);
                ++*count;
            }
            freeReplyObject(r);
            if (prc < 0) return -1;
            if (max && *count >= max) return 1;
            continue;
        }
        if (*stop) return 1;
        /* Nothing buffered: a consumer that holds events may finish them
         * (rc_sink.h's pause) before this waits. */
        if (on_event != rc_redis_print && on_event(ctx, NULL, 0, err) < 0) return -1;
        struct pollfd pfd = {c->fd, POLLIN, 0};
        if (poll(&pfd, 1, 200) < 0 && errno != EINTR) break;
        if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) && rc_redis_read(c) < 0) break;
    }
    return rc_err_set(err, RC_E_LOST, "%s: connection lost (%s)", cf->name,
                      c->errstr[0] ? c->errstr : "closed");
}

/* The entries of an XREAD/XREADGROUP reply for one stream: its
 * [[id, [field, value, ...]], ...] array, or NULL. */
static redisReply *rc_redis_entries(redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1) return NULL;
    redisReply *s = r->element[0];
    if (s->type != REDIS_REPLY_ARRAY || s->elements < 2) return NULL;
    return s->element[1]->type == REDIS_REPLY_ARRAY ? s->element[1] : NULL;
}

/* Streams: XREAD from the start (without durable) or XREADGROUP as the
 * consumer `durable` of the group `durable`: first what was delivered to it
 * and not acknowledged (ID 0), then new entries (>); XACK after printing.
 * Entries on_event holds stay unacknowledged (pending: a restart reads them
 * again) until an entry after them is done; then all are acknowledged. */
static int rc_redis_sub_stream(redisContext *c, const rc_redis_conf *cf, const char *durable,
                               uint64_t max, uint64_t *count, char *last, size_t lastsz,
                               rc_sink_on_event on_event, void *ctx, volatile int *stop,
                               rc_err *err)
{
    rc_buf cmd;
    rc_buf_init(&cmd);
    /* IDs read and not yet acknowledged, NUL-separated; the first ndone of
     * them (done_len bytes) may be acknowledged. */
    rc_buf ids;
    rc_buf_init(&ids);
    size_t nids = 0, ndone = 0, done_len = 0;
    redisReply *r = NULL;
    int rc = 0, pending = 1;
    if (durable) {
        /* From 0: whatever was written before the first subscriber started
         * belongs to the group too. */
        const char *argv[6] = {"XGROUP", "CREATE", cf->group, durable, "0", "MKSTREAM"};
        rc_redis_format(&cmd, 6, argv, NULL);
        rc = rc_redis_call(c, cf, &cmd, 0, stop, &r, err);
        if (!rc && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9))
            rc = rc_err_set(err, RC_E_SERVER, "%s: XGROUP CREATE %s %s: %s", cf->name, cf->group,
                            durable, r->str);
        if (r) freeReplyObject(r);
        r = NULL;
    }
    while (!rc) {
        char countbuf[24];
        uint64_t want = 1000;
        if (max && max - *count < want) want = max - *count;
        snprintf(countbuf, sizeof countbuf, "%llu", (unsigned long long)want);
        cmd.len = 0;
        int blocking = !durable || !pending;
        if (durable) {
            const char *argv[11] = {"XREADGROUP", "GROUP", durable,   durable,   "COUNT", countbuf,
                                    "BLOCK",      "2000",  "STREAMS", cf->group, ">"};
            if (pending) {
                /* No BLOCK: the pending list answers at once. */
                const char *pargv[9] = {"XREADGROUP", "GROUP",   durable,   durable, "COUNT",
                                        countbuf,     "STREAMS", cf->group, last};
                rc_redis_format(&cmd, 9, pargv, NULL);
            } else {
                rc_redis_format(&cmd, 11, argv, NULL);
            }
        } else {
            const char *argv[8] = {"XREAD", "COUNT",   countbuf,  "BLOCK",
                                   "2000",  "STREAMS", cf->group, last};
            rc_redis_format(&cmd, 8, argv, NULL);
        }
        rc = rc_redis_call(c, cf, &cmd, blocking, stop, &r, err);
        if (rc) break;
        if (r->type == REDIS_REPLY_ERROR) {
            rc = rc_err_set(err, RC_E_SERVER, "%s: reading stream %s: %s", cf->name, cf->group,
                            r->str);
            break;
        }
        redisReply *es = rc_redis_entries(r);
        if (durable && pending && (!es || !es->elements)) {
            pending = 0; /* the pending list is done: now the new entries */
            snprintf(last, lastsz, ">");
        }
        rc_buf ack;
        rc_buf_init(&ack);
        const char *ackargv[3] = {"XACK", cf->group, durable ? durable : ""};
        for (size_t i = 0; es && i < es->elements && !rc; i++) {
            redisReply *e = es->element[i];
            if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) continue;
            redisReply *id = e->element[0], *f = e->element[1];
            int w = RC_SINK_DONE;
            if (f->type == REDIS_REPLY_ARRAY)
                for (size_t k = 0; k + 1 < f->elements; k += 2)
                    if (f->element[k]->type == REDIS_REPLY_STRING &&
                        !strcmp(f->element[k]->str, "event")) {
                        w = on_event(ctx, f->element[k + 1]->str, f->element[k + 1]->len, err);
                        if (w < 0) rc = -1;
                        ++*count;
                        break;
                    }
            /* An entry trimmed away while pending has no fields: it is
             * acknowledged without printing (with what is held before it). */
            if (!rc && id->type == REDIS_REPLY_STRING) {
                if (!durable || pending) snprintf(last, lastsz, "%s", id->str);
                rc_buf_put(&ids, id->str, id->len + 1);
                nids++;
                if (w == RC_SINK_DONE) ndone = nids, done_len = ids.len;
            }
            if (max && *count >= max) break;
            if (*stop) break;
        }
        freeReplyObject(r);
        r = NULL;
        /* The batch is done: a consumer that holds entries may make them
         * durable now and let them be acknowledged (rc_sink.h). */
        if (durable && !rc && nids > ndone && on_event != rc_redis_print) {
            int w = on_event(ctx, NULL, 0, err);
            if (w < 0) rc = -1;
            if (w == RC_SINK_DONE) ndone = nids, done_len = ids.len;
        }
        if (!durable) nids = ndone = done_len = ids.len = 0;
        if (durable && ndone && rc >= 0) {
            size_t nack = ndone;
            /* XACK key group id...: after printing, so a crash in between
             * prints an event again rather than never. */
            const char **argv = rc_xmalloc((nack + 3) * sizeof *argv);
            argv[0] = ackargv[0], argv[1] = ackargv[1], argv[2] = ackargv[2];
            size_t off = 0;
            for (size_t i = 0; i < nack; i++) {
                argv[3 + i] = ids.data + off;
                off += strlen(ids.data + off) + 1;
            }
            rc_redis_format(&ack, (int)(nack + 3), argv, NULL);
            free(argv);
            volatile int never = 0;
            int arc = rc_redis_call(c, cf, &ack, 0, &never, &r, err);
            if (arc) rc = arc;
            if (r) freeReplyObject(r);
            r = NULL;
            memmove(ids.data, ids.data + done_len, ids.len - done_len);
            ids.len -= done_len;
            nids -= ndone;
            ndone = done_len = 0;
        }
        rc_buf_free(&ack);
        if (!rc && ((max && *count >= max) || *stop)) rc = 1;
    }
    rc_buf_free(&cmd);
    rc_buf_free(&ids);
    return rc;
}

static int rc_redis_run(const rc_url *url, const char *durable, uint64_t max_events,
                        rc_sink_on_event on_event, void *ctx, volatile int *stop, rc_err *err)
{
    rc_redis_conf cf;
    if (rc_redis_conf_parse(url, &cf, err) < 0) return -1;
    if (cf.mode == RC_REDIS_KV) {
        rc_err_set(err, RC_E_USAGE,
                   "%s: redis kv mode cannot be subscribed (read the keys %s:SCHEMA.TABLE:[KEY] "
                   "instead)",
                   cf.name, cf.group);
        rc_redis_conf_free(&cf);
        return -1;
    }
    if (durable && cf.mode != RC_REDIS_STREAM) {
        rc_err_set(err, RC_E_USAGE,
                   "%s: --durable needs mode=stream (pub/sub keeps nothing for a subscriber "
                   "that is away)",
                   cf.name);
        rc_redis_conf_free(&cf);
        return -1;
    }
    uint64_t count = 0;
    char last[64] = "0-0";
    if (durable) snprintf(last, sizeof last, "0");
    int code = RC_E_CONNECT, rc = 0, backoff = 200;
    while (!*stop) {
        redisContext *c = rc_redis_connect(&cf, code, err);
        if (c) {
            backoff = 200;
            if (durable) snprintf(last, sizeof last, "0"); /* pending ones again */
            rc = cf.mode == RC_REDIS_PUBSUB
                     ? rc_redis_sub_pubsub(c, &cf, max_events, &count, on_event, ctx, stop, err)
                     : rc_redis_sub_stream(c, &cf, durable, max_events, &count, last, sizeof last,
                                           on_event, ctx, stop, err);
            redisFree(c);
            if (rc >= 0 || err->code != RC_E_LOST) break;
        } else if (code == RC_E_CONNECT || err->code != RC_E_LOST) {
            rc = -1; /* unreachable at start, or refused: say so and stop */
            break;
        }
        /* The broker went away: come back with backoff. Pub/sub misses what
         * was published meanwhile; a stream reader continues after `last`. */
        code = RC_E_LOST;
        rc_warn("%s; reconnecting in %d ms", err->msg, backoff);
        for (int waited = 0; waited < backoff && !*stop; waited += 50)
            usleep(50 * 1000);
        if (backoff < 5000) backoff *= 2;
        rc = 0;
    }
    rc_redis_conf_free(&cf);
    return rc < 0 ? -1 : 0;
}

static int rc_redis_subscribe(const rc_url *url, const char *durable, uint64_t max_events,
                              volatile int *stop, rc_err *err)
{
    return rc_redis_run(url, durable, max_events, rc_redis_print, NULL, stop, err);
}

static int rc_redis_consume(const rc_url *url, const char *durable, rc_sink_on_event on_event,
                            void *ctx, volatile int *stop, rc_err *err)
{
    return rc_redis_run(url, durable, 0, on_event, ctx, stop, err);
}

const rc_sink_ops rc_sink_redis = {
    .scheme = "redis",
    .open = rc_redis_open,
    .send = rc_redis_send,
    .flush = rc_redis_flush,
    .close = rc_redis_close,
    .subscribe = rc_redis_subscribe,
    .consume = rc_redis_consume,
};
