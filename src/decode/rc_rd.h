/* rc_rd: a bounds-checked cursor over wire bytes.
 *
 * Every read checks the bytes left first and, when they are not there, jumps
 * to the enclosing function's `bad:` label, so a decoder written with these
 * cannot read past its buffer and has one place that reports where it went
 * wrong (the idea of librdkafka's rd_kafka_buf read macros). The cursor keeps
 * the start so errors can name an offset. */
#ifndef RC_RD_H
#define RC_RD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rc_rd {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
} rc_rd;

static inline void rc_rd_init(rc_rd *r, const uint8_t *p, size_t n)
{
    r->start = r->p = p;
    r->end = p + n;
}
static inline size_t rc_rd_left(const rc_rd *r)
{
    return (size_t)(r->end - r->p);
}
static inline size_t rc_rd_off(const rc_rd *r)
{
    return (size_t)(r->p - r->start);
}

static inline uint16_t rc_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t rc_le24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
static inline uint32_t rc_le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v; /* x86/arm little-endian hosts only; see the static assert in rc_binlog.c */
}
static inline uint64_t rc_le48(const uint8_t *p)
{
    return (uint64_t)rc_le32(p) | (uint64_t)rc_le16(p + 4) << 32;
}
static inline uint64_t rc_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline uint64_t rc_be_n(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}
static inline uint64_t rc_le_n(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* Checks that n bytes are left, else goto bad. */
#define RD_NEED(r, n)                                                                              \
    do {                                                                                           \
        if ((size_t)((r)->end - (r)->p) < (size_t)(n)) goto bad;                                   \
    } while (0)
#define RD_SKIP(r, n)                                                                              \
    do {                                                                                           \
        RD_NEED(r, n);                                                                             \
        (r)->p += (n);                                                                             \
    } while (0)
#define RD_U8(r, dst)                                                                              \
    do {                                                                                           \
        RD_NEED(r, 1);                                                                             \
        (dst) = *(r)->p++;                                                                         \
    } while (0)
#define RD_U16(r, dst)                                                                             \
    do {                                                                                           \
        RD_NEED(r, 2);                                                                             \
        (dst) = rc_le16((r)->p);                                                                   \
        (r)->p += 2;                                                                               \
    } while (0)
#define RD_U32(r, dst)                                                                             \
    do {                                                                                           \
        RD_NEED(r, 4);                                                                             \
        (dst) = rc_le32((r)->p);                                                                   \
        (r)->p += 4;                                                                               \
    } while (0)
#define RD_U64(r, dst)                                                                             \
    do {                                                                                           \
        RD_NEED(r, 8);                                                                             \
        (dst) = rc_le64((r)->p);                                                                   \
        (r)->p += 8;                                                                               \
    } while (0)
/* Points dst at the next n bytes and skips them. */
#define RD_PTR(r, dst, n)                                                                          \
    do {                                                                                           \
        RD_NEED(r, n);                                                                             \
        (dst) = (r)->p;                                                                            \
        (r)->p += (n);                                                                             \
    } while (0)
/* MySQL length-encoded integer (1, 3, 4 or 9 bytes). */
#define RD_LENENC(r, dst)                                                                          \
    do {                                                                                           \
        uint8_t _b;                                                                                \
        RD_U8(r, _b);                                                                              \
        if (_b < 0xfb)                                                                             \
            (dst) = _b;                                                                            \
        else if (_b == 0xfc) {                                                                     \
            RD_NEED(r, 2);                                                                         \
            (dst) = rc_le16((r)->p);                                                               \
            (r)->p += 2;                                                                           \
        } else if (_b == 0xfd) {                                                                   \
            RD_NEED(r, 3);                                                                         \
            (dst) = rc_le24((r)->p);                                                               \
            (r)->p += 3;                                                                           \
        } else if (_b == 0xfe) {                                                                   \
            RD_NEED(r, 8);                                                                         \
            (dst) = rc_le64((r)->p);                                                               \
            (r)->p += 8;                                                                           \
        } else                                                                                     \
            goto bad;                                                                              \
    } while (0)

#endif
