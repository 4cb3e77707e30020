/* rc_charset: text in a MySQL/MariaDB character set -> UTF-8, for the
 * encode stage. rc_json_str_cs (rc_json.c) keeps the UTF-8, ascii and latin1
 * fast paths itself and hands every other charset here, then JSON-escapes
 * the UTF-8 this writes. */
#ifndef RC_CHARSET_H
#define RC_CHARSET_H

#include <stddef.h>

#include "core/rc_buf.h"

typedef struct rc_charset rc_charset;

/* The converter for a charset by its MySQL name ("gbk", "cp1251", "utf16",
 * ...), ready to use: its iconv descriptor is open (or its table built).
 * NULL if the name is unknown here or the C library cannot convert it.
 * Call once per charset and keep the result: the lookup is not for the hot
 * path. utf8mb3, utf8mb4, ascii, latin1 and binary are not here. */
const rc_charset *rc_charset_get(const char *name);

/* Appends n bytes of text in charset cs to out as UTF-8. A byte that is not
 * valid in cs becomes U+FFFD and conversion resumes at the next byte (for
 * ucs2/utf16/utf32: at the next code unit); nothing else is lost. Allocates
 * only when out must grow. Not thread-safe: one converter state per charset
 * (the encoder runs on one thread). */
void rc_charset_to_utf8(const rc_charset *cs, rc_buf *out, const char *s, size_t n);

#endif
