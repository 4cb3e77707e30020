/* rc_relay: the applier's relay log (`rowcast apply --relay-log DIR`), the
 * file between the receive and the apply points, as a MySQL replica's IO
 * thread writes its relay log and its SQL thread reads it.
 *
 * One writer thread appends records as events arrive (after the receive
 * scripts); one reader thread reads them back to apply them. The directory
 * holds segments relay.000001, relay.000002, ...: each starts with the
 * 8-byte magic "RCRELAY1", then framed records:
 *
 *   u32 len | u32 crc32(payload) | u32 crc32(the 8 bytes before) | payload
 *   payload: u8 flags | u16 n + position | u16 n + gtid | u32 n + event JSON
 *
 * little-endian. The header's own checksum tells a length that a crash cut
 * short (torn: the record reaches past the end of the file) from one that
 * was damaged (corrupt). On open, a torn record at the end of the newest
 * segment is cut off; anything else that does not decode is an error.
 *
 * A segment is removed once the reader has gone past it and the applier
 * says everything read is committed on the target (rc_relay_release); the
 * target's stored position, not the relay log, decides what is applied. */
#ifndef RC_RELAY_H
#define RC_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"

#define RC_RELAY_COMMIT    1u /* the last event of its source transaction */
#define RC_RELAY_DISCARDED 2u /* a receive script discarded it: no body */

/* Larger records are refused (and a length field above it is damage). */
#define RC_RELAY_MAX_PAYLOAD (1u << 30)
#define RC_RELAY_FRAME       12u

/* One record. The pointers borrow: from the caller (append) or from the
 * relay's read buffer, valid until the next rc_relay_next (decode: from p). */
typedef struct rc_relay_rec {
    unsigned flags;
    const char *pos; /* "FILE:OFFSET:ROW"; poslen 0 when the event had none */
    size_t poslen;
    const char *gtid;
    size_t gtidlen;
    const char *body; /* the event's JSON text */
    size_t bodylen;
} rc_relay_rec;

/* Appends one framed record to b. */
void rc_relay_encode(rc_buf *b, const rc_relay_rec *r);

/* Decodes the record at the start of p[0..n). Returns 1 with *r and *used
 * (frame and payload bytes); 0 when p holds only the beginning of a record
 * (fewer than 12 bytes, or a sound header whose payload goes past n: *used
 * is then the whole record's size, or 0 when even the header is short);
 * -1 with err when the bytes are damaged: a header whose checksum fails
 * (*used 0), a payload whose checksum fails or whose fields do not fit
 * (*used the record's size). Reads nothing outside p[0..n). */
int rc_relay_decode(const uint8_t *p, size_t n, rc_relay_rec *r, size_t *used, rc_err *err);

typedef struct rc_relay rc_relay;

typedef struct rc_relay_opts {
    const char *dir;       /* created if missing */
    uint64_t segment_size; /* a new segment begins once one holds this many bytes */
    int max_segments;      /* the writer waits while this many are not yet applied */
} rc_relay_opts;

/* Opens (creating) the relay log in o->dir, cuts a torn last record (one
 * warning line) and finds the last record. Errors: RC_E_IO (the directory or
 * a file), RC_E_CORRUPT ("relay log DIR/relay.000002: record at offset N:
 * ..."). o is not kept. */
int rc_relay_open(rc_relay **out, const rc_relay_opts *o, rc_err *err);

/* The position of the last record found by rc_relay_open ("" when none). */
const char *rc_relay_last_pos(const rc_relay *r);
/* Is that record inside a source transaction (not flagged as its last)? */
int rc_relay_last_open(const rc_relay *r);

/* Writer. Appends one record (not yet durable); waits while max_segments
 * segments are unapplied, until *stop. 0, or -1 (RC_E_IO, or RC_E_USAGE for
 * a record too large). */
int rc_relay_append(rc_relay *r, const rc_relay_rec *rec, volatile int *stop, rc_err *err);
/* Makes everything appended durable (fdatasync). */
int rc_relay_sync(rc_relay *r, rc_err *err);
/* Bytes appended since the last sync. */
uint64_t rc_relay_unsynced(const rc_relay *r);

/* Reader (one thread, may be another than the writer's). 1 with the next
 * record in *rec; 0 when none arrived within timeout_ms; -1 with err
 * (RC_E_CORRUPT naming the file and offset, RC_E_IO). */
int rc_relay_next(rc_relay *r, rc_relay_rec *rec, int timeout_ms, rc_err *err);
/* Has the reader finished segments that rc_relay_release would remove? */
int rc_relay_releasable(rc_relay *r);
/* Removes the segments the reader has finished: call only when everything
 * read so far is committed on the target. */
int rc_relay_release(rc_relay *r, rc_err *err);

/* Wakes a writer waiting for room and a reader waiting for records. */
void rc_relay_wake(rc_relay *r);

/* Closes the files (nothing is removed); NULL is a no-op. */
void rc_relay_close(rc_relay *r);

#endif
