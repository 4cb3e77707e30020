/* rc_trigddl: the SQL of trigger capture (`rowcast triggers`, the seed's
 * smpl-repl), for servers whose binlog cannot be read.
 *
 * For each table, AFTER INSERT, AFTER UPDATE and AFTER DELETE triggers that
 * write the seed's event (schema, table, timestamp, operation, primary,
 * keys, columns, new, old, plus rowcast's position, gtid, server_id, xid,
 * commit) built with JSON_OBJECT into an outbox table; `rowcast stream
 * --source mysql-outbox://...` (rc_outbox.c) publishes and deletes its rows.
 * Values follow SPEC.md §2 as far as the server's own functions allow;
 * docs/triggers.md lists every difference from binlog capture.
 *
 * Every trigger body is one statement, so the output can be piped into the
 * mysql/mariadb client without DELIMITER. Names are quoted with backquotes
 * (a backquote doubled); names inside string literals are hex literals when
 * they hold a quote, a backslash or a control character, so the text means
 * the same under any sql_mode (NO_BACKSLASH_ESCAPES, ANSI_QUOTES).
 *
 * Pure text generation: no I/O. Everything is appended to the caller's
 * buffer (not NUL-terminated). */
#ifndef RC_TRIGDDL_H
#define RC_TRIGDDL_H

#include "core/rc_buf.h"
#include "mysql/rc_schema.h"

#define RC_TRIGDDL_OUTBOX "rowcast_outbox"
#define RC_TRIGDDL_GROUP  "replication"

typedef struct rc_trigddl_opts {
    const char *schema; /* of the tables; the outbox lives there too */
    const char *group;  /* the group events go to (default "replication") */
    const char *outbox; /* the outbox table's name (default "rowcast_outbox") */
} rc_trigddl_opts;

/* `name` with backquotes doubled. */
void rc_trigddl_ident(rc_buf *b, const char *name);
/* A string literal for s: 'text' when that is safe in every sql_mode, else
 * _utf8mb4 X'hex'. */
void rc_trigddl_string(rc_buf *b, const char *s);
/* The trigger's name, unquoted: the seed's TABLE_trigger_OP ("test_trigger_insert").
 * A name that would pass MySQL's 64-character limit keeps the start of the
 * table name and adds a hash of the whole, so it stays unique. */
void rc_trigddl_trigger_name(rc_buf *b, const char *table, const char *op);
/* The SQL expression that renders column c of row ("NEW" or "OLD") as
 * SPEC.md §2 wants it inside JSON_OBJECT. */
void rc_trigddl_value(rc_buf *b, const char *row, const rc_schema_col *c);

/* CREATE TABLE IF NOT EXISTS for the outbox. */
void rc_trigddl_outbox(rc_buf *b, const rc_trigddl_opts *o);
/* DROP TRIGGER IF EXISTS and CREATE TRIGGER for the three operations. */
void rc_trigddl_create(rc_buf *b, const rc_trigddl_opts *o, const char *table,
                       const rc_schema_table *t);
/* DROP TRIGGER IF EXISTS for the three operations. */
void rc_trigddl_drop(rc_buf *b, const rc_trigddl_opts *o, const char *table);

#endif
