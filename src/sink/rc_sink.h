/* rc_sink: where events go. One interface, one file per transport
 * (sink_stdout.c, sink_file.c, sink_nats.c, sink_redis.c, ...); a new
 * transport is a new file and one line in rc_sink.c's table.
 *
 * The stream hands each sink whole events (already filtered and encoded in
 * the sink's format) with a sequence number. A sink confirms them in order
 * by advancing `acked`: every event with seq <= acked is delivered as far as
 * the transport can promise (written to the fd; accepted by the broker's
 * socket; acknowledged by JetStream; XADD replied). The checkpoint moves
 * only past events every sink has confirmed (docs/sinks.md). */
#ifndef RC_SINK_H
#define RC_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "event/rc_event.h"
#include "mysql/rc_url.h"

/* One event for one sink. All pointers are valid only during send(): a
 * sink that queues the event copies what it keeps. */
typedef struct rc_sink_msg {
    const char *data; /* the encoded event, one JSON document, no newline */
    size_t len;
    const char *group; /* subject / channel / stream key for this event, resolved */
    const char *msgid; /* stable across restarts: "FILE:OFFSET:ROW" of the change */
    uint64_t seq;      /* increasing; gaps are events this sink does not get */
    rc_op op;
    /* "schema.table" ("" for a statement), for messages that name it */
    const char *table;
} rc_sink_msg;

typedef struct rc_sink rc_sink;

/* What a consumer does with one received event (data, len: one JSON
 * document, valid during the call). Returns
 *   RC_SINK_DONE (0): the event is dealt with for good: the transport
 *     acknowledges it, and every event held before it (JetStream ack, XACK);
 *   RC_SINK_HOLD (1): kept but not yet durable (an applier inside an open
 *     transaction): not acknowledged until a later event returns DONE, so a
 *     crash before that delivers it again;
 *   -1 with err filled: consuming stops with that error; nothing held is
 *     acknowledged.
 * When a transport has nothing more at hand right now (the end of a
 * fetched batch while the consumer holds events: JetStream, Redis streams
 * with a durable name; nothing queued: core NATS, Redis pub/sub) it calls
 * on_event with data NULL, len 0, a pause. DONE then acknowledges
 * everything held (the consumer made it durable: one fsync or one commit
 * per batch instead of per event), HOLD keeps it held. */
typedef int (*rc_sink_on_event)(void *ctx, const char *data, size_t len, rc_err *err);
#define RC_SINK_DONE 0
#define RC_SINK_HOLD 1

typedef struct rc_sink_ops {
    const char *scheme; /* "stdout", "file", "nats", "jetstream", "redis", ... */
    /* Connects/opens for url (settings in its query, see docs/sinks.md).
     * Errors: RC_E_USAGE for bad settings, RC_E_CONNECT when the broker
     * cannot be reached at start. */
    int (*open)(rc_sink *s, const rc_url *url, rc_err *err);
    /* Line-oriented sinks (stdout, file) set this instead of send: a block
     * of whole events, one per line, the last with sequence number last_seq,
     * written before it returns (then acked = last_seq). */
    int (*send_block)(rc_sink *s, const char *data, size_t len, uint64_t last_seq, rc_err *err);
    /* Queues or sends one event. -1 with RC_E_LOST when the broker went
     * away (the caller retries the same event later, after flush succeeds),
     * other codes are fatal. */
    int (*send)(rc_sink *s, const rc_sink_msg *m, rc_err *err);
    /* Pushes what is queued and collects confirmations, waiting up to
     * timeout_ms (0: do not wait) for progress; advances s->acked. -1 with
     * RC_E_LOST while the broker is away (the caller backs off and calls
     * again; nothing queued is dropped). */
    int (*flush)(rc_sink *s, int timeout_ms, rc_err *err);
    void (*close)(rc_sink *s);
    /* `rowcast subscribe URL`: writes each event of url's group to stdout as
     * one JSON line (flushed per event) until *stop becomes non-zero
     * (SIGINT/SIGTERM) or, with max_events > 0, that many were printed.
     * durable: a consumer name, so a restarted subscriber continues where
     * it stopped (JetStream, Redis Streams), or NULL. NULL for transports
     * that cannot be read back (stdout, file). */
    int (*subscribe)(const rc_url *url, const char *durable, uint64_t max_events,
                     volatile int *stop, rc_err *err);
    /* The callback form behind subscribe, for programs that do something
     * with each event (`rowcast apply`): calls on_event for each event of
     * url's group, in the order the transport delivers them, until *stop
     * becomes non-zero. Same transports and durable rules as subscribe. */
    int (*consume)(const rc_url *url, const char *durable, rc_sink_on_event on_event, void *ctx,
                   volatile int *stop, rc_err *err);
} rc_sink_ops;

struct rc_sink {
    const rc_sink_ops *ops;
    void *impl;          /* the transport's own state */
    char *name;          /* the URL as given, password masked: for messages */
    uint64_t sent;       /* highest seq handed to send() */
    uint64_t acked;      /* every seq <= acked is confirmed */
    char *default_group; /* set by open (e.g. the URL's subject), or NULL: "replication" */
};

/* The transport for a URL's scheme ("nats" in nats://...), or NULL. */
const rc_sink_ops *rc_sink_find(const char *url);

/* Finds the transport for url's scheme and opens it. */
rc_sink *rc_sink_open(const char *url, rc_err *err);
void rc_sink_close(rc_sink *s);

/* The transports (one file each). */
extern const rc_sink_ops rc_sink_stdout;
extern const rc_sink_ops rc_sink_file;
extern const rc_sink_ops rc_sink_nats;
extern const rc_sink_ops rc_sink_jetstream;
extern const rc_sink_ops rc_sink_redis;

#endif
