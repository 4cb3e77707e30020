/* rc_binlog: the binlog event decoder, bytes in, rc_change values out.
 *
 * The decoder is fed one whole event at a time (from a file, or from the
 * replica stream) and calls the rc_handler for each row change, statement
 * and transaction end. It keeps the state a binlog needs between events: the
 * format description, the checksum algorithm, the table maps, the current
 * file, the transaction's GTID and the GTID state.
 *
 * Ownership: the decoder owns every rc_table it builds; values passed to the
 * handler point into the event or into decoder scratch and are valid only
 * during the callback. */
#ifndef RC_BINLOG_H
#define RC_BINLOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"
#include "event/rc_event.h"

/* Event type codes (MySQL and MariaDB). */
enum {
    RC_EV_START_V3 = 1,
    RC_EV_QUERY = 2,
    RC_EV_STOP = 3,
    RC_EV_ROTATE = 4,
    RC_EV_INTVAR = 5,
    RC_EV_SLAVE = 7,
    RC_EV_APPEND_BLOCK = 9,
    RC_EV_DELETE_FILE = 11,
    RC_EV_RAND = 13,
    RC_EV_USER_VAR = 14,
    RC_EV_FORMAT_DESCRIPTION = 15,
    RC_EV_XID = 16,
    RC_EV_BEGIN_LOAD_QUERY = 17,
    RC_EV_EXECUTE_LOAD_QUERY = 18,
    RC_EV_TABLE_MAP = 19,
    RC_EV_WRITE_ROWS_V1 = 23,
    RC_EV_UPDATE_ROWS_V1 = 24,
    RC_EV_DELETE_ROWS_V1 = 25,
    RC_EV_INCIDENT = 26,
    RC_EV_HEARTBEAT = 27,
    RC_EV_IGNORABLE = 28,
    RC_EV_ROWS_QUERY = 29,
    RC_EV_WRITE_ROWS = 30,
    RC_EV_UPDATE_ROWS = 31,
    RC_EV_DELETE_ROWS = 32,
    RC_EV_GTID = 33,
    RC_EV_ANONYMOUS_GTID = 34,
    RC_EV_PREVIOUS_GTIDS = 35,
    RC_EV_TRANSACTION_CONTEXT = 36,
    RC_EV_VIEW_CHANGE = 37,
    RC_EV_XA_PREPARE = 38,
    RC_EV_PARTIAL_UPDATE_ROWS = 39,
    RC_EV_TRANSACTION_PAYLOAD = 40,
    RC_EV_HEARTBEAT_V2 = 41,
    RC_EV_GTID_TAGGED = 42,
    RC_EV_MARIA_ANNOTATE_ROWS = 160,
    RC_EV_MARIA_BINLOG_CHECKPOINT = 161,
    RC_EV_MARIA_GTID = 162,
    RC_EV_MARIA_GTID_LIST = 163,
    RC_EV_MARIA_START_ENCRYPTION = 164,
    RC_EV_MARIA_QUERY_COMPRESSED = 165,
    RC_EV_MARIA_WRITE_ROWS_COMPRESSED_V1 = 166,
    RC_EV_MARIA_UPDATE_ROWS_COMPRESSED_V1 = 167,
    RC_EV_MARIA_DELETE_ROWS_COMPRESSED_V1 = 168,
    RC_EV_MARIA_WRITE_ROWS_COMPRESSED = 169,
    RC_EV_MARIA_UPDATE_ROWS_COMPRESSED = 170,
    RC_EV_MARIA_DELETE_ROWS_COMPRESSED = 171,
};

#define RC_EV_HEADER_LEN 19

typedef struct rc_decoder rc_decoder;

typedef struct rc_decoder_opts {
    /* Checksum algorithm to assume before the first FORMAT_DESCRIPTION (the
     * replica stream starts with an artificial ROTATE): -1 unknown (guess by
     * trying the CRC), 0 none, 1 CRC32. */
    int checksum_hint;
    /* Fills what the table map lacks (names, signedness, labels without FULL
     * metadata; unique keys always) from the server. NULL in `rowcast read`:
     * then keys are the primary key the map carries. m is the TABLE_MAP
     * event's. Returns -1 with err set to stop decoding. */
    int (*resolve)(void *ctx, rc_table *t, const rc_meta *m, rc_err *err);
    /* A DDL statement passed: cached definitions of `schema` may be stale. */
    void (*ddl)(void *ctx, const char *schema, const char *query, size_t len, const rc_meta *m);
    void *ctx;
    /* Offer rows undecoded (rc_change.raw) to a consumer that can write them
     * without their values (the seed encoder); whoever needs the values
     * decodes them through rc_change_values. */
    int lazy_rows;
} rc_decoder_opts;

rc_decoder *rc_decoder_new(const rc_decoder_opts *opts, const rc_handler *h);
void rc_decoder_free(rc_decoder *d);

/* Decodes one whole event of len bytes (header included) that starts at
 * `offset` in the current binlog file. Errors are RC_E_CORRUPT with
 * "offset N: what", or whatever a handler or resolver returned. */
int rc_decoder_event(rc_decoder *d, const uint8_t *ev, size_t len, uint64_t offset, rc_err *err);

/* The binlog file the decoder is in (set by ROTATE or by the caller). */
void rc_decoder_set_file(rc_decoder *d, const char *file);
const char *rc_decoder_file(const rc_decoder *d);

/* The GTID state after the last complete transaction, as text:
 * MariaDB "0-1-42,1-1-7"; MySQL "uuid:1-42,uuid2:1-3". Empty if none. */
void rc_decoder_gtid_state(const rc_decoder *d, rc_buf *out);
/* Seeds the GTID state (from a checkpoint or --start gtid:SET). */
int rc_decoder_set_gtid_state(rc_decoder *d, const char *text, rc_err *err);

/* True between the start of a transaction and its end. */
int rc_decoder_in_txn(const rc_decoder *d);

/* Forgets cached key information so the next table map resolves again. */
void rc_decoder_invalidate_tables(rc_decoder *d);

/* Reads a length-encoded ("packed") integer as the binlog uses them. */
int rc_read_packed(const uint8_t **p, const uint8_t *end, uint64_t *out);

#endif
