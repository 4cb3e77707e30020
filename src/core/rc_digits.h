/* rc_digits: the table of two-digit pairs "00".."99" that the number
 * writers of the decoder (DECIMAL, dates and times) and of the JSON encoder
 * (integers, shortest doubles) share: storing pairs halves the divisions of
 * a digit-at-a-time loop. rc_digits2[2 * v] and [2 * v + 1] are v's digits. */
#ifndef RC_DIGITS_H
#define RC_DIGITS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rc_digits_swar8 stores digits in little-endian byte order"
#endif

extern const char rc_digits2[201];

/* v < 10^4 in as many digits as it has (1 to 4); returns the count. */
static inline size_t rc_digits_u4(char *out, uint32_t v)
{
    if (v < 100) {
        if (v < 10) {
            out[0] = (char)('0' + v);
            return 1;
        }
        memcpy(out, rc_digits2 + v * 2, 2);
        return 2;
    }
    uint32_t hi = v / 100, lo = v % 100;
    if (hi < 10) {
        out[0] = (char)('0' + hi);
        memcpy(out + 1, rc_digits2 + lo * 2, 2);
        return 3;
    }
    memcpy(out, rc_digits2 + hi * 2, 2);
    memcpy(out + 2, rc_digits2 + lo * 2, 2);
    return 4;
}

/* The 8 decimal digits of v < 10^8 as byte values 0..9, the first digit in
 * the lowest byte (memory order on a little-endian machine). All four pairs
 * and then all eight digits are split at once, each lane of the 64-bit word
 * holding one part: a multiplication by a scaled reciprocal divides every
 * lane together, and no lane's product reaches the next (10^4 * 10486 <
 * 2^32, 100 * 103 < 2^16). */
static inline uint64_t rc_digits_swar8(uint32_t v)
{
    uint64_t hi = (uint64_t)v / 10000, lo = v - hi * 10000;
    uint64_t x = hi | lo << 32;                               /* 2 lanes of 32 bits, < 10^4 */
    uint64_t t = ((x * 10486) >> 20) & 0x0000007F0000007FULL; /* each / 100 */
    x = t | (x - t * 100) << 16;                              /* 4 lanes of 16 bits, < 100 */
    t = ((x * 103) >> 10) & 0x000F000F000F000FULL;            /* each / 10 */
    return t | (x - t * 10) << 8;                             /* 8 lanes of 8 bits */
}

/* v < 10^8 as exactly 8 digits (zero-padded). */
static inline void rc_digits_put8(char *out, uint32_t v)
{
    uint64_t d = rc_digits_swar8(v) + 0x3030303030303030ULL;
    memcpy(out, &d, 8);
}

/* v < 10^8 in as many digits as it has; returns the count. Below 10^4 a
 * few branches and table loads; above, the eight digits at once and the
 * leading zeros dropped by shifting them out (8 bytes are stored: out
 * needs room for 8). */
static inline size_t rc_digits_u8(char *out, uint32_t v)
{
    if (v < 10000) return rc_digits_u4(out, v);
    uint64_t d = rc_digits_swar8(v);
    unsigned lz = (unsigned)__builtin_ctzll(d) / 8; /* leading zero digits; v > 0 */
    d = (d + 0x3030303030303030ULL) >> (8 * lz);
    memcpy(out, &d, 8);
    return 8 - lz;
}

#endif
