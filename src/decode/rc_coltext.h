/* rc_coltext: binlog encodings of DECIMAL and temporal columns turned into
 * the text the server shows in a SELECT (SPEC.md §2). Pure functions over
 * bounds-checked input: each takes the bytes available and returns the
 * number it consumed, or 0 if the input is too short or invalid. */
#ifndef RC_COLTEXT_H
#define RC_COLTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a NEWDECIMAL(precision, scale) value occupies in a row image. */
size_t rc_decimal_size(unsigned precision, unsigned scale);
/* Text of a NEWDECIMAL value: "-" if negative, integer part without leading
 * zeros ("0" if empty), then "." and exactly `scale` digits if scale > 0.
 * out needs precision + 3 bytes. *outlen gets the text length. */
size_t rc_decimal_text(const uint8_t *p, size_t avail, unsigned precision, unsigned scale,
                       char *out, size_t *outlen);

/* Each writes text into out (>= 40 bytes) and returns the bytes consumed
 * (0 on short input); *outlen gets the text length.
 * fsp = fractional digits (0..6) of the column (metadata of the *2 types). */
size_t rc_date_text(const uint8_t *p, size_t avail, char *out, size_t *outlen); /* 3 bytes */
size_t rc_time_text(const uint8_t *p, size_t avail, char *out,
                    size_t *outlen); /* old TIME, 3 bytes */
size_t rc_time2_text(const uint8_t *p, size_t avail, unsigned fsp, char *out, size_t *outlen);
size_t rc_datetime_text(const uint8_t *p, size_t avail, char *out,
                        size_t *outlen); /* old DATETIME, 8 bytes */
size_t rc_datetime2_text(const uint8_t *p, size_t avail, unsigned fsp, char *out, size_t *outlen);
/* TIMESTAMP (old, 4 bytes, no fraction) and TIMESTAMP2: in UTC. Epoch 0 is
 * "0000-00-00 00:00:00" (with fraction digits as the column has). */
size_t rc_timestamp_text(const uint8_t *p, size_t avail, char *out, size_t *outlen);
size_t rc_timestamp2_text(const uint8_t *p, size_t avail, unsigned fsp, char *out, size_t *outlen);

/* "YYYY-MM-DD HH:MM:SS" (19 bytes, no terminator) of seconds since the
 * epoch, in UTC: the event header's time. Returns 19. */
size_t rc_epoch_text(uint32_t secs, char *out);

#endif
