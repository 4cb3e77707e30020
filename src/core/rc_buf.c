/* rc_buf: growth and the allocation wrappers every module uses. */
#include "rc_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void oom(void)
{
    fputs("rowcast: out of memory\n", stderr);
    abort();
}

void *rc_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *rc_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *rc_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

char *rc_xstrndup(const char *s, size_t n)
{
    char *p = rc_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void rc_buf_init(rc_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void rc_buf_free(rc_buf *b)
{
    free(b->data);
    rc_buf_init(b);
}

void rc_buf_grow(rc_buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < need) {
        if (cap > SIZE_MAX / 2) oom();
        cap *= 2;
    }
    b->data = rc_xrealloc(b->data, cap);
    b->cap = cap;
}

void rc_buf_printf(rc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    rc_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
