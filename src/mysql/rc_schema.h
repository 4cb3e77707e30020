/* rc_schema: table definitions from information_schema, for what the
 * table map does not carry (unique keys always; names, signedness and
 * ENUM/SET labels when binlog_row_metadata is not FULL).
 *
 * A cache keyed by schema.table; entries are dropped when a DDL statement
 * for that table passes in the stream (rc_schema_invalidate) and loaded again
 * on next use. Uses its own connection: the dump connection is busy. */
#ifndef RC_SCHEMA_H
#define RC_SCHEMA_H

#include <stdint.h>

#include "core/rc_err.h"
#include "mysql/rc_url.h"

typedef struct rc_schema_col {
    char *name;
    char *data_type;   /* information_schema DATA_TYPE, lower case: "int", "enum", ... */
    char *column_type; /* COLUMN_TYPE: "int(10) unsigned", "enum('a','b')" */
    uint8_t is_unsigned;
    uint8_t nullable;
    uint8_t in_primary;
    uint8_t in_key;     /* primary or unique key */
    uint16_t collation; /* collation id, 0 if none */
    uint32_t nlabels;   /* ENUM/SET labels parsed from column_type */
    char **labels;
} rc_schema_col;

typedef struct rc_schema_table {
    uint32_t ncols; /* in ORDINAL_POSITION order */
    rc_schema_col *cols;
    uint32_t npk; /* primary key columns in key order (indexes into cols) */
    uint32_t *pk;
    uint64_t defined_at; /* CREATE_TIME: when the definition was last written
                            (CREATE, ALTER), seconds since the epoch; 0 unknown */
} rc_schema_table;

typedef struct rc_schema rc_schema;

/* The cache connects lazily, with url's credentials, on first lookup; it
 * keeps its own copy of url. A connection the server closed meanwhile
 * (wait_timeout) is reopened once per lookup. Freed with rc_schema_free,
 * which also frees every table handed out. */
rc_schema *rc_schema_new(const rc_url *url);
void rc_schema_free(rc_schema *s); /* NULL is fine */

/* Looks up schema.table (cached). *out stays owned by the cache and is valid
 * until the next invalidate. Returns 0 and *out = NULL if the table does not
 * exist (any more) or the user cannot see it (warned once on stderr); that
 * answer is cached too. -1 on a connection or server error (RC_E_CONNECT,
 * RC_E_AUTH, RC_E_LOST, RC_E_SERVER); nothing is cached then. Key columns:
 * in_primary/pk from PRIMARY KEY, in_key from it and every UNIQUE key. */
int rc_schema_get(rc_schema *s, const char *schema, const char *table, const rc_schema_table **out,
                  rc_err *err);
/* Drops the cached entry for schema.table; table NULL drops the whole schema;
 * schema NULL drops everything. */
void rc_schema_invalidate(rc_schema *s, const char *schema, const char *table);

/* The labels of an ENUM or SET COLUMN_TYPE as information_schema prints it
 * ("enum('a','it''s')": doubled quotes and backslash escapes undone), in
 * order. Returns the count; *labels is a malloc'ed array of malloc'ed
 * strings (NULL when 0), the caller frees each and the array. */
uint32_t rc_schema_parse_labels(const char *column_type, char ***labels);

#endif
