/* rc_file: see rc_file.h. */
#include "decode/rc_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/rc_rd.h"

#define RC_FILE_CHUNK (1u << 20)
#define RC_MAX_EVENT  (1u << 30) /* max_allowed_packet's ceiling */

typedef struct reader {
    int fd;
    uint8_t *buf;
    size_t cap, start, end; /* valid bytes are buf[start..end) */
    int eof;
} reader;

/* Makes at least n bytes available at buf+start, unless the file ends. */
static int fill(reader *r, size_t n)
{
    if (r->end - r->start >= n || r->fd < 0) return 0; /* fd < 0: all in memory */
    if (r->start) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (n > r->cap) {
        size_t cap = r->cap;
        while (cap < n)
            cap *= 2;
        r->buf = rc_xrealloc(r->buf, cap);
        r->cap = cap;
    }
    while (r->end < n && !r->eof) {
        ssize_t k = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (k == 0) r->eof = 1;
        r->end += (size_t)k;
    }
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int decode_all(reader *rp, const char *path, rc_decoder *d, rc_err *err)
{
    reader r = *rp;
    int rc = -1;
    uint64_t off = 0;

    if (fill(&r, 4) < 0) goto io;
    if (r.end < 4 || memcmp(r.buf,
                            "\xfe"
                            "bin",
                            4)) {
        rc_err_set(err, RC_E_CORRUPT, "%s: bad magic (not a binlog file)", path);
        goto out;
    }
    r.start = 4;
    off = 4;
    rc_decoder_set_file(d, base_name(path));
    for (;;) {
        if (fill(&r, RC_EV_HEADER_LEN) < 0) goto io;
        size_t have = r.end - r.start;
        if (have == 0) break;
        if (have < RC_EV_HEADER_LEN) {
            rc_err_set(err, RC_E_CORRUPT,
                       "%s: truncated event header at offset %llu (%zu of %d bytes)", path,
                       (unsigned long long)off, have, RC_EV_HEADER_LEN);
            goto out;
        }
        uint32_t size = rc_le32(r.buf + r.start + 9);
        if (size < RC_EV_HEADER_LEN || size > RC_MAX_EVENT) {
            rc_err_set(err, RC_E_CORRUPT, "%s: offset %llu: event size %u is impossible", path,
                       (unsigned long long)off, size);
            goto out;
        }
        if (fill(&r, size) < 0) goto io;
        have = r.end - r.start;
        if (have < size) {
            rc_err_set(err, RC_E_CORRUPT,
                       "%s: truncated event at offset %llu: its header says %u bytes, the file "
                       "has %zu",
                       path, (unsigned long long)off, size, have);
            goto out;
        }
        if (rc_decoder_event(d, r.buf + r.start, size, off, err) < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            rc_err_set(err, err->code, "%s: %s", path, msg);
            goto out;
        }
        r.start += size;
        off += size;
    }
    rc = 0;
    goto out;
io:
    rc_err_set(err, RC_E_IO, "%s: offset %llu: %s", path, (unsigned long long)off, strerror(errno));
out:
    *rp = r;
    return rc;
}

int rc_file_decode(const char *path, rc_decoder *d, rc_err *err)
{
    reader r = {.fd = open(path, O_RDONLY | O_CLOEXEC)};
    if (r.fd < 0) return rc_err_set(err, RC_E_IO, "%s: %s", path, strerror(errno));
    r.cap = RC_FILE_CHUNK;
    r.buf = rc_xmalloc(r.cap);
    int rc = decode_all(&r, path, d, err);
    close(r.fd);
    free(r.buf);
    return rc;
}

int rc_mem_decode(const char *name, const uint8_t *p, size_t n, rc_decoder *d, rc_err *err)
{
    reader r = {.fd = -1, .buf = (uint8_t *)p, .cap = n, .end = n, .eof = 1};
    return decode_all(&r, name, d, err);
}
