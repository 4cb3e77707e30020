/* rc_json: the JSON writing primitives of the hot path. No allocation:
 * each reserves the worst case in the output buffer and writes. */
#ifndef RC_JSON_H
#define RC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"

/* A quoted JSON string from UTF-8 input. Invalid UTF-8 (bad sequences,
 * overlongs, surrogates, > U+10FFFF, truncated) becomes U+FFFD per maximal
 * invalid subpart; control characters are escaped (\n \t \" \\ \uXXXX). */
void rc_json_str(rc_buf *b, const char *s, size_t n);

/* A quoted JSON string from text in the character set of a collation id,
 * converted to UTF-8 (every charset MariaDB 10.11 and MySQL 8/9 offer; see
 * rc_charset.c). Details of the fast paths:
 * UTF-8 (utf8mb3/utf8mb4) passes through rc_json_str; latin1 (which MySQL
 * defines as cp1252) is converted; ascii keeps 00..7F and makes each other
 * byte U+FFFD; 0 (unknown) is treated as UTF-8.
 * Returns 0, or -1 if the collation's charset is not supported here (caller
 * decides). */
int rc_json_str_cs(rc_buf *b, const char *s, size_t n, uint16_t collation);
/* 1 if the collation's charset is utf8mb3 or utf8mb4 (rc_json_str_cs then
 * is rc_json_str). */
int rc_collation_is_utf8(uint16_t collation);

/* Name of the character set of a collation id ("utf8mb4", "latin1", "binary",
 * ...), or NULL if unknown. Covers MariaDB 10.x/11.x and MySQL 8/9 ids. */
const char *rc_collation_charset(uint16_t collation);

/* A quoted base64 (RFC 4648, padded) string of n bytes. */
void rc_json_base64(rc_buf *b, const void *p, size_t n);

void rc_json_i64(rc_buf *b, int64_t v);
void rc_json_u64(rc_buf *b, uint64_t v);
/* The shortest decimal text that reads back to the same double / float
 * (as a JSON number: no "inf"/"nan": those are written as null). */
void rc_json_double(rc_buf *b, double d);
void rc_json_float(rc_buf *b, float f);

/* Digits of v into out (>= 20 bytes); returns the length. No terminator. */
size_t rc_fmt_u64(char *out, uint64_t v);
size_t rc_fmt_i64(char *out, int64_t v);

#endif
