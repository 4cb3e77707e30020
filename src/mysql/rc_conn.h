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
    unsigned long version; /* e.g. 101119 for 10.11.19 */
    char version_text[64];
    char binlog_checksum[16]; /* "CRC32" or "NONE" */
    char row_metadata[16];    /* binlog_row_metadata: "FULL", "MINIMAL", "NO_LOG" or "" */
    char row_image[16];       /* binlog_row_image */
    uint32_t server_id;
} rc_server_info;

/* Connects and authenticates. Errors: RC_E_CONNECT (cannot reach HOST:PORT),
 * RC_E_AUTH (login refused), RC_E_USAGE (bad URL parts).
 * The session gets charset utf8mb4 and time_zone '+00:00'; the client accepts
 * packets up to 1 GiB; connect timeout 10 s, query read/write timeout 120 s;
 * no automatic reconnect (the caller reconnects on RC_E_LOST). TCP is used
 * even for "localhost" unless the URL says ?socket=PATH. Other URL
 * parameters: ssl=1 (require TLS), ssl-ca=, ssl-cert=, ssl-key=, ssl-verify=1
 * (check the server certificate), compress=1. url is not kept: the caller
 * may free it after the call. *out is freed with rc_conn_close. */
int rc_conn_open(rc_conn **out, const rc_url *url, rc_err *err);
void rc_conn_close(rc_conn *c);  /* NULL is fine */
void *rc_conn_mysql(rc_conn *c); /* the MYSQL *, owned by c */
/* Filled by rc_conn_open (flavor, version) and rc_conn_preflight (the rest). */
const rc_server_info *rc_conn_info(const rc_conn *c);
/* "HOST:PORT" as used in messages ("[::1]:3306", or the socket path). */
const char *rc_conn_where(const rc_conn *c);

/* Checks that the server can be captured from and fills rc_conn_info():
 * binlog on (RC_E_CONFIG), binlog_format ROW (RC_E_CONFIG naming the value and
 * what to set), REPLICATION SLAVE and REPLICATION CLIENT (BINLOG MONITOR on
 * MariaDB) granted (RC_E_PRIV naming the missing one and the GRANT to run).
 * Warns once on stderr when binlog_row_metadata or binlog_row_image is not FULL.
 * Messages (after "rowcast: "):
 *   binary logging is off on HOST:PORT: start the server with log_bin and binlog_format=ROW
 *   binlog_format is STATEMENT on HOST:PORT, rowcast needs ROW: SET GLOBAL binlog_format='ROW'
 *     and set binlog_format=ROW in the server's configuration   (one line)
 *   user 'U' lacks the REPLICATION SLAVE privilege: GRANT REPLICATION SLAVE, BINLOG MONITOR
 *     ON *.* TO 'U'@'HOST'   (one line; "... and BINLOG MONITOR privileges" when both miss)
 * REPLICATION SLAVE is read from SHOW GRANTS (an account holding roles is
 * given the benefit of the doubt: rc_dump_start reports it then); the client
 * privilege is tested by running SHOW MASTER STATUS. */
int rc_conn_preflight(rc_conn *c, rc_err *err);

/* Runs one statement (no multi-statements) and discards any result.
 * Errors: RC_E_LOST, RC_E_PRIV ("user 'U' is not allowed to do this on
 * HOST:PORT: <server message>"), RC_E_SERVER ("server error NNNN: msg"). */
int rc_conn_exec(rc_conn *c, const char *sql, rc_err *err);

/* Current end of the binlog (SHOW MASTER STATUS / SHOW BINARY LOG STATUS). */
int rc_conn_binlog_end(rc_conn *c, char *file, size_t filesz, uint64_t *pos, rc_err *err);
/* Oldest binlog file still on the server (first row of SHOW BINARY LOGS). */
int rc_conn_binlog_first(rc_conn *c, char *file, size_t filesz, rc_err *err);
/* Server's current GTID state as text (@@gtid_binlog_pos on MariaDB,
 * @@gtid_executed on MySQL); "" if none. */
int rc_conn_gtid_current(rc_conn *c, char *buf, size_t bufsz, rc_err *err);

typedef struct rc_dump_opts {
    uint32_t server_id;    /* replica server id, non-zero */
    const char *file;      /* start file; NULL or "" with gtid */
    uint64_t pos;          /* start offset (>= 4) */
    const char *gtid;      /* start GTID set, or NULL: MariaDB "0-1-5,1-2-9",
                              MySQL "uuid:1-5:7,uuid2:1-3" */
    int non_block;         /* server ends the stream with EOF at the end of the binlog */
    uint32_t heartbeat_ms; /* server heartbeat period; 0 = none */
} rc_dump_opts;

/* Sets up the session (checksum, capabilities, heartbeat, GTID state) and
 * sends COM_BINLOG_DUMP (or COM_BINLOG_DUMP_GTID on MySQL with a GTID set).
 * file NULL or "" without gtid starts at the server's first binlog.
 * It reads the server's first answer, so a bad start is reported here:
 * RC_E_POSITION "start position FILE:POS is not on the server (purged or
 * never written): <server message>" (FILE:POS reads gtid:SET for a GTID
 * start), RC_E_PRIV (REPLICATION SLAVE missing, with the GRANT to run),
 * RC_E_CONFIG (binary logging off), RC_E_LOST, RC_E_USAGE (bad GTID text,
 * server_id 0).
 * While waiting for events the read timeout is 3 heartbeats + 5 s (none
 * without heartbeats). After the dump the connection serves no queries:
 * close it when done. o is not kept. */
int rc_dump_start(rc_conn *c, const rc_dump_opts *o, rc_err *err);

/* Reads the next binlog event. Returns 1 with *ev and *len set to the event's
 * bytes (header first, checksum trailer included; the leading OK byte of the
 * packet is stripped), valid until the next call; 0 at EOF (non_block end);
 * -1 on error: RC_E_LOST when the connection broke or timed out (the caller
 * reconnects), RC_E_POSITION when the server says the position is gone,
 * RC_E_SERVER for any other error the server sends, RC_E_CORRUPT for a
 * packet that is not an event. A lost connection after a heartbeat period
 * reads "lost the connection to HOST:PORT: nothing received for N s although
 * a heartbeat was due every M ms". */
int rc_dump_next(rc_conn *c, const uint8_t **ev, size_t *len, rc_err *err);

/* Building blocks of the dump, public so unit tests can check the bytes
 * without a server. */

/* The payload (after the command byte) of the dump request rc_dump_start
 * sends for flavor: *command is 0x12 (COM_BINLOG_DUMP) or 0x1e
 * (COM_BINLOG_DUMP_GTID, MySQL with o->gtid). COM_BINLOG_DUMP: pos u32,
 * flags u16 (1 non-block, 2 ANNOTATE_ROWS on MariaDB), server_id u32, file.
 * COM_BINLOG_DUMP_GTID: flags u16 (| 4 THROUGH_GTID), server_id u32, name
 * length u32 (0), pos u64 (4), SID-set size u32, SID set. *out is malloc'ed;
 * the caller frees it. */
int rc_dump_command(rc_flavor flavor, const rc_dump_opts *o, int *command, uint8_t **out,
                    size_t *outlen, rc_err *err);
/* MySQL GTID set text ("uuid:1-5:7,uuid2:1-3"; spaces and newlines allowed)
 * to the binary SID set of COM_BINLOG_DUMP_GTID: n_sids u64, then per UUID
 * (sorted) 16 bytes, n_intervals u64, intervals as [start, end+1) u64 pairs,
 * sorted and merged. Little-endian. *out is malloc'ed; the caller frees it.
 * RC_E_USAGE on bad text (tagged GTIDs of MySQL 8.3+ are refused). */
int rc_gtid_mysql_encode(const char *set, uint8_t **out, size_t *outlen, rc_err *err);
/* Checks MariaDB GTID list text "D-S-N[,D-S-N...]" ("" is valid: from the
 * start); RC_E_USAGE otherwise. */
int rc_gtid_mariadb_check(const char *set, rc_err *err);

#endif
