/* rc_value: one decoded column value, the unit every stage after the decoder
 * reads (encoders, Lua filters, sinks, the applier).
 *
 * Values never own memory: string and byte values point into the event
 * buffer or into the decoder's per-row scratch text, both valid until the
 * next event is decoded. Whoever needs a value longer must copy it. */
#ifndef RC_VALUE_H
#define RC_VALUE_H

#include <stdint.h>

typedef enum rc_vkind {
    RC_V_MISSING = 0, /* column not in this row image (MINIMAL/NOBLOB images) */
    RC_V_NULL,
    RC_V_INT,    /* .i: signed integer (TINYINT..BIGINT, YEAR) */
    RC_V_UINT,   /* .u: unsigned integer (UNSIGNED ints, BIT) */
    RC_V_FLOAT,  /* .f: FLOAT, rendered as the shortest text for binary32 */
    RC_V_DOUBLE, /* .d: DOUBLE */
    RC_V_NUMBER, /* .s/.len: exact decimal text, written as a JSON number (DECIMAL) */
    RC_V_TEXT,   /* .s/.len: text in charset .cs (a collation id), written as a JSON string */
    RC_V_BYTES,  /* .s/.len: binary bytes, written as base64 */
    RC_V_JSON,   /* .s/.len: a JSON document (UTF-8), embedded as is */
} rc_vkind;

/* RC_V_TEXT charsets beyond collation ids. */
#define RC_CS_UNKNOWN 0      /* no metadata: UTF-8 if it is valid UTF-8, else written as bytes */
#define RC_CS_ASCII   0xffff /* text rowcast formatted itself (dates, labels known UTF-8) */

typedef struct rc_value {
    uint8_t kind; /* rc_vkind */
    uint16_t cs;  /* RC_V_TEXT: collation id of the bytes, or one of RC_CS_* */
    uint32_t len; /* bytes at .s */
    union {
        int64_t i;
        uint64_t u;
        double d;
        float f;
        const char *s;
    } v;
} rc_value;

#endif
