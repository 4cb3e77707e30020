/* rc_conn: a connection to a MySQL/MariaDB server through libmariadb
 * (Connector/C), with the checks rowcast needs before it can capture, and
 * the replica side of the binlog protocol (COM_BINLOG_DUMP and the packet
 * loop) run over that same authenticated connection.
 *
 * Error messages are the ones the user sees; each says what to do. */
#ifndef RC_CONN_H
#define RC_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "mysql/rc_url.h"

typedef struct rc_conn rc_conn;

typedef enum { RC_FLAVOR_MARIADB = 1, RC_FLAVOR_MYSQL = 2 } rc_flavor;

/* What the server told us at preflight. */
typedef struct rc_server_info {
    rc_flavor flavor;
    unsigned long version;   /* e.g. 101119 for 10.11.19 */
    char version_text[64];
    char binlog_checksum[16]; /* "CRC32" or "NONE" */
    char row_metadata[16];    /* binlog_row_metadata: "FULL", "MINIMAL", "NO_LOG" or "" */
    char row_image[16];       /* binlog_row_image */
    uint32_t server_id;
} rc_server_info;

/* Connects and authenticates. Errors: RC_E_CONNECT (cannot reach HOST:PORT),
 * RC_E_AUTH (login refused), RC_E_USAGE (bad URL parts). */
int rc_conn_open(rc_conn **out, const rc_url *url, rc_err *err);
void rc_conn_close(rc_conn *c);
void *rc_conn_mysql(rc_conn *c); /* the MYSQL * */
const rc_server_info *rc_conn_info(const rc_conn *c);

/* Checks that the server can be captured from and fills rc_conn_info():
 * binlog on (RC_E_CONFIG), binlog_format ROW (RC_E_CONFIG naming the value and
 * what to set), REPLICATION SLAVE and REPLICATION CLIENT (BINLOG MONITOR on
 * MariaDB) granted (RC_E_PRIV naming the missing one and the GRANT to run).
 * Warns once on stderr when binlog_row_metadata is not FULL. */
int rc_conn_preflight(rc_conn *c, rc_err *err);

/* Runs a statement and discards any result. */
int rc_conn_exec(rc_conn *c, const char *sql, rc_err *err);

/* Current end of the binlog (SHOW MASTER STATUS / SHOW BINARY LOG STATUS). */
int rc_conn_binlog_end(rc_conn *c, char *file, size_t filesz, uint64_t *pos, rc_err *err);
/* Oldest binlog file still on the server (first row of SHOW BINARY LOGS). */
int rc_conn_binlog_first(rc_conn *c, char *file, size_t filesz, rc_err *err);
/* Server's current GTID state as text (@@gtid_binlog_pos on MariaDB,
 * @@gtid_executed on MySQL); "" if none. */
int rc_conn_gtid_current(rc_conn *c, char *buf, size_t bufsz, rc_err *err);

typedef struct rc_dump_opts {
    uint32_t server_id;      /* replica server id, non-zero */
    const char *file;        /* start file; NULL or "" with gtid */
    uint64_t pos;            /* start offset (>= 4) */
    const char *gtid;        /* start GTID set, or NULL: MariaDB "0-1-5,1-2-9",
                                MySQL "uuid:1-5:7,uuid2:1-3" */
    int non_block;           /* server ends the stream with EOF at the end of the binlog */
    uint32_t heartbeat_ms;   /* server heartbeat period; 0 = none */
} rc_dump_opts;

/* Sets up the session (checksum, capabilities, heartbeat, GTID state) and
 * sends COM_BINLOG_DUMP (or COM_BINLOG_DUMP_GTID on MySQL with a GTID set).
 * Errors: RC_E_POSITION (file or GTID no longer on the server), RC_E_PRIV, RC_E_LOST. */
int rc_dump_start(rc_conn *c, const rc_dump_opts *o, rc_err *err);

/* Reads the next binlog event. Returns 1 with *ev/*len set to the event's
 * bytes (header first, checksum trailer included; the leading OK byte of the
 * packet is stripped), valid until the next call; 0 at EOF (non_block end);
 * -1 on error: RC_E_LOST when the connection broke or timed out (the caller
 * reconnects), RC_E_POSITION when the server says the position is gone,
 * RC_E_SERVER for any other error the server sends. */
int rc_dump_next(rc_conn *c, const uint8_t **ev, size_t *len, rc_err *err);

#endif
