/* rc_jevent: an event as a Lua script sees it at the receive and apply
 * points of `rowcast apply` (SPEC.md §4), where events arrive as the JSON
 * text of SPEC.md §1 (docs/events.md) rather than as decoded changes; and
 * `rowcast filter`, which runs any point's scripts over JSON lines.
 *
 * The event is a plain Lua table built from the JSON, with the same names
 * and value types as the capture side (rc_fevent.c): an integer that fits
 * int64 is a Lua integer; another number is a Lua float when its text has at
 * most 15 significant digits and its exact text as a string otherwise (an
 * unsigned BIGINT above 2^63-1, a long DECIMAL); strings are strings;
 * true/false are booleans; null is nil, so a NULL column is an absent key.
 *
 * Serializing writes the table back as one JSON line. What Lua cannot hold is
 * remembered on the side (weak tables in the registry, keyed by the tables
 * the parse made) so that an event the script did not touch comes out as it
 * came in: number texts ("1.50", 18446744073709551615) are written again as
 * the same bare numbers while their value is unchanged; a null that the
 * script left alone is written as null again, while a key the script set to
 * nil is left out (a column dropped); empty arrays stay arrays. Key order:
 * the seed's order of fields at the top, the order of `columns` in `new` and
 * `old`, the input's order in other objects; keys the script added come
 * after, sorted. */
#ifndef RC_JEVENT_H
#define RC_JEVENT_H

#include <stddef.h>

#include <lua.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"

/* Parses one JSON object (json, n bytes; surrounding whitespace allowed)
 * and pushes it as a table. Strict JSON (RFC 8259): no trailing commas,
 * comments, NaN or duplicate keys; strings must be valid UTF-8; nesting
 * deeper than RC_JEVENT_MAX_DEPTH is refused. Runs protected, so it may be
 * called outside a Lua call. Returns 0 with the table on top of the stack,
 * or -1 with nothing pushed and err filled: RC_E_CORRUPT "column N:
 * what", or RC_E_USAGE when the state's memory cap is reached. */
int rc_jevent_push(lua_State *L, const char *json, size_t n, rc_err *err);

/* Appends the table at idx to out as one line of JSON (no newline). Returns
 * 0, or -1 with out unchanged and err filled (RC_E_USAGE) naming the value
 * that cannot be JSON: "event.new.x: a function cannot be written as JSON". */
int rc_jevent_serialize(lua_State *L, int idx, rc_buf *out, rc_err *err);

#define RC_JEVENT_MAX_DEPTH 100

/* The parser's rules, shared with the applier's C reading (rc_jfast) so
 * that both accept the same strings. The length of the valid UTF-8
 * sequence at p (lead byte >= 0x80), 0 if none (no surrogates, nothing
 * above U+10FFFF, no overlong forms). */
size_t rc_jevent_utf8_len(const unsigned char *p, const unsigned char *end);
/* The four hex digits at p (of a \u escape) into *out; -1 if they are not. */
int rc_jevent_hex4(const unsigned char *p, const unsigned char *end, unsigned *out);
/* The code point cp (at most U+10FFFF) as UTF-8 into u[4]; its length. */
size_t rc_jevent_utf8_put(char *u, unsigned cp);

#endif
