/* rc_trigddl: see rc_trigddl.h. */
#include "triggers/rc_trigddl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rc_trigddl_ident(rc_buf *b, const char *name)
{
    rc_buf_putc(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`') rc_buf_putc(b, '`');
        rc_buf_putc(b, *p);
    }
    rc_buf_putc(b, '`');
}

void rc_trigddl_string(rc_buf *b, const char *s)
{
    /* A quote or backslash reads differently with and without
     * NO_BACKSLASH_ESCAPES, and a control character could end a line the
     * client treats as a command: such names go as hex, which every mode
     * reads alike. */
    int plain = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '\'' || *p == '\\' || *p == '"' || *p < 0x20 || *p == 0x7f) plain = 0;
    if (plain) {
        rc_buf_putc(b, '\'');
        rc_buf_puts(b, s);
        rc_buf_putc(b, '\'');
        return;
    }
    static const char hex[] = "0123456789ABCDEF";
    RC_BUF_LIT(b, "_utf8mb4 X'");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        rc_buf_putc(b, hex[*p >> 4]);
        rc_buf_putc(b, hex[*p & 15]);
    }
    rc_buf_putc(b, '\'');
}

/* Characters, not bytes: MySQL's identifier limit counts characters. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80) n++;
    return n;
}

static size_t utf8_prefix_bytes(const char *s, size_t chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    for (; *p; p++) {
        if ((*p & 0xc0) != 0x80) {
            if (n == chars) break;
            n++;
        }
    }
    return (size_t)(p - (const unsigned char *)s);
}

#define RC_NAME_MAX 64

void rc_trigddl_trigger_name(rc_buf *b, const char *table, const char *op)
{
    size_t suffix = strlen("_trigger_") + strlen(op);
    if (utf8_chars(table) + suffix <= RC_NAME_MAX) {
        rc_buf_puts(b, table);
    } else {
        /* FNV-1a of the whole name keeps two long names with one prefix apart. */
        uint32_t h = 2166136261u;
        for (const unsigned char *p = (const unsigned char *)table; *p; p++)
            h = (h ^ *p) * 16777619u;
        size_t keep = RC_NAME_MAX - suffix - 9;
        rc_buf_put(b, table, utf8_prefix_bytes(table, keep));
        rc_buf_printf(b, "_%08x", h);
    }
    rc_buf_printf(b, "_trigger_%s", op);
}

/* The fraction digits of a temporal COLUMN_TYPE ("timestamp(3)" -> 3). */
static int fsp_of(const char *column_type)
{
    const char *p = strchr(column_type, '(');
    return p ? atoi(p + 1) : 0;
}

static int is_one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list)) return 1;
    return 0;
}

static void col_ref(rc_buf *b, const char *row, const char *name)
{
    rc_buf_puts(b, row);
    rc_buf_putc(b, '.');
    rc_trigddl_ident(b, name);
}

void rc_trigddl_value(rc_buf *b, const char *row, const rc_schema_col *c)
{
    static const char *const binary[] = {"binary",     "varbinary", "tinyblob", "blob",
                                         "mediumblob", "longblob",  NULL};
    static const char *const geometry[] = {
        "geometry",        "point",        "linestring",         "polygon",        "multipoint",
        "multilinestring", "multipolygon", "geometrycollection", "geomcollection", NULL};
    static const char *const text[] = {"char",       "varchar",  "tinytext", "text",
                                       "mediumtext", "longtext", NULL};
    const char *t = c->data_type;
    if (!strcmp(t, "bit")) {
        /* A BIT value is a binary string to JSON_OBJECT; §2 wants its number. */
        RC_BUF_LIT(b, "CAST(");
        col_ref(b, row, c->name);
        RC_BUF_LIT(b, " AS UNSIGNED)");
    } else if (!strcmp(t, "timestamp")) {
        /* NEW.ts reads in the writer's session time zone; §2 wants UTC.
         * UNIX_TIMESTAMP of the field is the stored instant (no trip through
         * local time, so no DST ambiguity), and the epoch plus that many
         * seconds is the UTC text. The zero timestamp (epoch 0 is not a valid
         * TIMESTAMP; inside a trigger UNIX_TIMESTAMP of it is NULL) keeps the
         * server's zero text. */
        int fsp = fsp_of(c->column_type);
        RC_BUF_LIT(b, "IF(COALESCE(UNIX_TIMESTAMP(");
        col_ref(b, row, c->name);
        RC_BUF_LIT(b, "), 0) = 0, CAST(");
        col_ref(b, row, c->name);
        RC_BUF_LIT(b, " AS CHAR), CAST(CAST(TIMESTAMP'1970-01-01 00:00:00' + INTERVAL "
                      "UNIX_TIMESTAMP(");
        col_ref(b, row, c->name);
        rc_buf_printf(b, ") SECOND AS DATETIME(%d)) AS CHAR))", fsp);
    } else if (is_one_of(t, binary)) {
        /* TO_BASE64 breaks lines every 76 characters; §2 wants one string. */
        RC_BUF_LIT(b, "REPLACE(TO_BASE64(");
        col_ref(b, row, c->name);
        RC_BUF_LIT(b, "), CHAR(10 USING ascii), '')");
    } else if (is_one_of(t, text)) {
        /* MariaDB's JSON is a LONGTEXT that JSON_OBJECT would embed as a
         * document; binlog capture writes its text (SPEC.md §2), and so does
         * a cast. */
        RC_BUF_LIT(b, "CAST(");
        col_ref(b, row, c->name);
        RC_BUF_LIT(b, " AS CHAR)");
    } else if (is_one_of(t, geometry)) {
        RC_BUF_LIT(b, "ST_AsText(");
        col_ref(b, row, c->name);
        rc_buf_putc(b, ')');
    } else {
        /* Numbers, DECIMAL (digits kept), dates and times, ENUM and SET labels, MySQL's JSON
         * (embedded): JSON_OBJECT renders these as §2 wants (FLOAT and DOUBLE with the server's
         * digits: docs/triggers.md). */
        col_ref(b, row, c->name);
    }
}

static const char *const op_names[3] = {"insert", "update", "delete"};

static void qualified(rc_buf *b, const char *schema, const char *name)
{
    rc_trigddl_ident(b, schema);
    rc_buf_putc(b, '.');
    rc_trigddl_ident(b, name);
}

void rc_trigddl_outbox(rc_buf *b, const rc_trigddl_opts *o)
{
    /* InnoDB: a rolled-back change must take its event with it. The id
     * orders events and makes their message ids; db, tbl and op let the
     * reader route and filter without parsing the event. */
    RC_BUF_LIT(b, "CREATE TABLE IF NOT EXISTS ");
    qualified(b, o->schema, o->outbox);
    RC_BUF_LIT(b, " (\n"
                  "  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
                  "  `grp` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n"
                  "  `db` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n"
                  "  `tbl` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n"
                  "  `op` VARCHAR(6) CHARACTER SET ascii NOT NULL,\n"
                  "  `event` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n"
                  "  PRIMARY KEY (`id`)\n"
                  ") ENGINE=InnoDB;\n");
}

static void name_list(rc_buf *b, const rc_schema_table *t, int keys_only)
{
    RC_BUF_LIT(b, "JSON_ARRAY(");
    int first = 1;
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (keys_only && !t->cols[i].in_key) continue;
        if (!first) RC_BUF_LIT(b, ", ");
        first = 0;
        rc_trigddl_string(b, t->cols[i].name);
    }
    rc_buf_putc(b, ')');
}

static void row_object(rc_buf *b, const char *row, const rc_schema_table *t)
{
    RC_BUF_LIT(b, "JSON_OBJECT(");
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i) RC_BUF_LIT(b, ",\n      ");
        rc_trigddl_string(b, t->cols[i].name);
        RC_BUF_LIT(b, ", ");
        rc_trigddl_value(b, row, &t->cols[i]);
    }
    rc_buf_putc(b, ')');
}

/* `schema`.`TABLE_trigger_OP` */
static void trigger_ref(rc_buf *b, const rc_trigddl_opts *o, const char *table, int op)
{
    rc_buf name;
    rc_buf_init(&name);
    rc_trigddl_trigger_name(&name, table, op_names[op]);
    rc_buf_putc(&name, 0);
    qualified(b, o->schema, name.data);
    rc_buf_free(&name);
}

static void drop_one(rc_buf *b, const rc_trigddl_opts *o, const char *table, int op)
{
    RC_BUF_LIT(b, "DROP TRIGGER IF EXISTS ");
    trigger_ref(b, o, table, op);
    RC_BUF_LIT(b, ";\n");
}

void rc_trigddl_drop(rc_buf *b, const rc_trigddl_opts *o, const char *table)
{
    for (int op = 0; op < 3; op++)
        drop_one(b, o, table, op);
}

void rc_trigddl_create(rc_buf *b, const rc_trigddl_opts *o, const char *table,
                       const rc_schema_table *t)
{
    for (int op = 0; op < 3; op++) {
        rc_buf_printf(b, "\n-- %s\n", op_names[op]);
        drop_one(b, o, table, op);
        RC_BUF_LIT(b, "CREATE TRIGGER ");
        trigger_ref(b, o, table, op);
        rc_buf_printf(b, "\nAFTER %s ON ", op == 0 ? "INSERT" : op == 1 ? "UPDATE" : "DELETE");
        qualified(b, o->schema, table);
        RC_BUF_LIT(b, "\nFOR EACH ROW\nINSERT INTO ");
        qualified(b, o->schema, o->outbox);
        RC_BUF_LIT(b, " (`grp`, `db`, `tbl`, `op`, `event`)\nVALUES (");
        rc_trigddl_string(b, o->group);
        RC_BUF_LIT(b, ", ");
        rc_trigddl_string(b, o->schema);
        RC_BUF_LIT(b, ", ");
        rc_trigddl_string(b, table);
        rc_buf_printf(b, ", '%s',\nJSON_OBJECT(\n  'schema', ", op_names[op]);
        rc_trigddl_string(b, o->schema);
        RC_BUF_LIT(b, ",\n  'table', ");
        rc_trigddl_string(b, table);
        /* The statement's time, not the commit's: a trigger runs before the
         * commit (docs/triggers.md). */
        rc_buf_printf(b, ",\n  'timestamp', UTC_TIMESTAMP(),\n  'operation', '%s',\n  'primary', ",
                      op_names[op]);
        if (t->npk == 0) {
            RC_BUF_LIT(b, "NULL");
        } else if (t->npk == 1) {
            rc_trigddl_string(b, t->cols[t->pk[0]].name);
        } else {
            RC_BUF_LIT(b, "JSON_ARRAY(");
            for (uint32_t k = 0; k < t->npk; k++) {
                if (k) RC_BUF_LIT(b, ", ");
                rc_trigddl_string(b, t->cols[t->pk[k]].name);
            }
            rc_buf_putc(b, ')');
        }
        RC_BUF_LIT(b, ",\n  'keys', ");
        name_list(b, t, 1);
        RC_BUF_LIT(b, ",\n  'columns', ");
        name_list(b, t, 0);
        if (op != 2) {
            RC_BUF_LIT(b, ",\n  'new', ");
            row_object(b, "NEW", t);
        }
        if (op != 0) {
            RC_BUF_LIT(b, ",\n  'old', ");
            row_object(b, "OLD", t);
        }
        /* rowcast's fields, always present: a trigger knows no binlog
         * position, GTID or xid, nor whether its row is a transaction's last. */
        RC_BUF_LIT(b, ",\n  'position', NULL, 'gtid', NULL, 'server_id', @@server_id, "
                      "'xid', NULL, 'commit', NULL));\n");
    }
}
