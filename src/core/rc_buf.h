/* rc_buf: a growable byte buffer, the output side of the hot path.
 *
 * Encoders reserve once per value and then write with the unchecked
 * rc_buf_putc_unsafe/rc_buf_put_unsafe, so the per-byte cost is a store.
 * Memory grows to the largest event seen and is then reused: after warm-up
 * the hot path allocates nothing. Out of memory is fatal (abort with a line
 * on stderr): a CDC daemon that cannot hold one event cannot make progress. */
#ifndef RC_BUF_H
#define RC_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rc_buf {
    char *data;
    size_t len;
    size_t cap;
} rc_buf;

void rc_buf_init(rc_buf *b);
void rc_buf_free(rc_buf *b);
void rc_buf_grow(rc_buf *b, size_t need); /* ensures cap >= len + need */

static inline void rc_buf_reserve(rc_buf *b, size_t need)
{
    if (b->cap - b->len <= need) rc_buf_grow(b, need + 1); /* never leaves data NULL */
}
static inline void rc_buf_put_unsafe(rc_buf *b, const void *p, size_t n)
{
    memcpy(b->data + b->len, p, n);
    b->len += n;
}
static inline void rc_buf_putc_unsafe(rc_buf *b, char c)
{
    b->data[b->len++] = c;
}
static inline void rc_buf_put(rc_buf *b, const void *p, size_t n)
{
    rc_buf_reserve(b, n);
    rc_buf_put_unsafe(b, p, n);
}
static inline void rc_buf_putc(rc_buf *b, char c)
{
    rc_buf_reserve(b, 1);
    rc_buf_putc_unsafe(b, c);
}
static inline void rc_buf_puts(rc_buf *b, const char *s)
{
    rc_buf_put(b, s, strlen(s));
}
#define RC_BUF_LIT(b, lit) rc_buf_put((b), (lit), sizeof(lit) - 1)

/* Pre-rendered fragments copied once per event: a call to memcpy for a
 * length known only at run time costs more than the copy of a few dozen
 * bytes. rc_buf_pad makes the 16 bytes past src's end readable (zeros);
 * rc_buf_put_blocks then copies whole 16-byte blocks, which the compiler
 * turns into plain loads and stores. Pad again after src grows. */
static inline void rc_buf_pad(rc_buf *b)
{
    rc_buf_reserve(b, 16);
    memset(b->data + b->len, 0, 16);
}
static inline void rc_buf_put_blocks(rc_buf *b, const char *src, size_t n)
{
    rc_buf_reserve(b, n + 16);
    char *o = b->data + b->len;
    for (size_t i = 0; i < n; i += 16)
        memcpy(o + i, src + i, 16);
    b->len += n;
}
void rc_buf_printf(rc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Aborts the process with "rowcast: out of memory". */
void *rc_xmalloc(size_t n);
void *rc_xcalloc(size_t n, size_t size);
void *rc_xrealloc(void *p, size_t n);
char *rc_xstrndup(const char *s, size_t n);

#endif
