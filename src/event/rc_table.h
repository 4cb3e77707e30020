/* rc_table: what a TABLE_MAP event (plus information_schema, where the map
 * lacks it) says about a table. Built by the decoder, read-only for everyone
 * else. One rc_table lives until a later TABLE_MAP with the same id differs,
 * so encoders may cache per-table renderings keyed by its address and
 * `generation`. */
#ifndef RC_TABLE_H
#define RC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_arena.h"

/* Column type codes as they appear on the wire (MySQL's enum_field_types). */
enum {
    RC_T_DECIMAL = 0,
    RC_T_TINY = 1,
    RC_T_SHORT = 2,
    RC_T_LONG = 3,
    RC_T_FLOAT = 4,
    RC_T_DOUBLE = 5,
    RC_T_NULL = 6,
    RC_T_TIMESTAMP = 7,
    RC_T_LONGLONG = 8,
    RC_T_INT24 = 9,
    RC_T_DATE = 10,
    RC_T_TIME = 11,
    RC_T_DATETIME = 12,
    RC_T_YEAR = 13,
    RC_T_NEWDATE = 14,
    RC_T_VARCHAR = 15,
    RC_T_BIT = 16,
    RC_T_TIMESTAMP2 = 17,
    RC_T_DATETIME2 = 18,
    RC_T_TIME2 = 19,
    RC_T_TYPED_ARRAY = 20,
    RC_T_VECTOR = 242,
    RC_T_INVALID = 243,
    RC_T_BOOL = 244,
    RC_T_JSON = 245,
    RC_T_NEWDECIMAL = 246,
    RC_T_ENUM = 247,
    RC_T_SET = 248,
    RC_T_TINY_BLOB = 249,
    RC_T_MEDIUM_BLOB = 250,
    RC_T_LONG_BLOB = 251,
    RC_T_BLOB = 252,
    RC_T_VAR_STRING = 253,
    RC_T_STRING = 254,
    RC_T_GEOMETRY = 255,
};

#define RC_COLLATION_BINARY 63
#define RC_TABLE_ENC_SLOTS  4

typedef struct rc_column {
    const char *name;    /* from metadata or information_schema; "@N" (1-based) if unknown */
    uint8_t type;        /* wire type from the table map */
    uint8_t real_type;   /* STRING columns: ENUM, SET or STRING from the metadata */
    uint16_t meta;       /* type metadata from the table map (see rc_tablemap.c) */
    uint16_t collation;  /* collation id; 0 unknown; 63 binary */
    uint8_t is_unsigned; /* from SIGNEDNESS metadata or information_schema */
    uint8_t nullable;
    uint8_t in_primary;   /* part of the primary key */
    uint8_t in_key;       /* part of the primary key or a unique key */
    uint8_t is_json_text; /* MariaDB JSON alias (LONGTEXT with json_valid) */
    uint32_t nlabels;     /* ENUM/SET labels */
    const char **labels;
    const uint32_t *label_lens;
} rc_column;

typedef struct rc_table {
    uint64_t id;         /* table id from the server; changes after DDL or a reopen */
    uint64_t generation; /* unique per definition in the process: a cache key with the address */
    const char *schema;
    const char *name;
    uint32_t ncols;
    rc_column *cols;
    uint32_t npk; /* primary key columns, in key order */
    uint32_t *pk;
    uint8_t has_names;     /* names came from the table map (FULL metadata) */
    uint8_t keys_known;    /* in_key/in_primary are from information_schema or the map */
    rc_arena arena;        /* owns names, labels and anything a resolver adds */
    uint32_t scratch_need; /* bytes of formatted text one row can need */
    /* One slot per output format (rc_format), owned by that format's encoder:
     * pre-rendered fragments. Freed and cleared when the table changes. */
    void *enc_cache[RC_TABLE_ENC_SLOTS];
    void (*enc_cache_free[RC_TABLE_ENC_SLOTS])(void *);
} rc_table;

/* Frees what encoders cached for t (the table's definition changed). */
void rc_table_drop_enc_caches(rc_table *t);

#endif
