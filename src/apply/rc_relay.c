/* rc_relay: the relay log's records and segments (see rc_relay.h).
 *
 * Every read of a length or field is checked against the bytes that are
 * there: the decoder is given attacker-grade input (a file anyone may have
 * damaged) and must say where it went wrong rather than read past it. */
#include "apply/rc_relay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>

#include "core/rc_log.h"

static const char rc_relay_magic[8] = {'R', 'C', 'R', 'E', 'L', 'A', 'Y', '1'};
#define RC_RELAY_HDR   8u
#define RC_RELAY_CHUNK (1u << 20)

/* ---- records ------------------------------------------------------------- */

static void rc_put_le(rc_buf *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        rc_buf_putc(b, (char)(v >> (8 * i)));
}

static uint64_t rc_get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t rc_crc(const void *p, size_t n)
{
    return (uint32_t)libdeflate_crc32(0, p, n);
}

void rc_relay_encode(rc_buf *b, const rc_relay_rec *r)
{
    size_t plen = 1 + 2 + r->poslen + 2 + r->gtidlen + 4 + r->bodylen;
    size_t start = b->len;
    rc_buf_reserve(b, RC_RELAY_FRAME + plen);
    b->len += RC_RELAY_FRAME;
    size_t p0 = b->len;
    rc_buf_putc(b, (char)r->flags);
    /* A field of length 0 may come with a NULL pointer: memcpy must not see it. */
    rc_put_le(b, r->poslen, 2);
    if (r->poslen) rc_buf_put(b, r->pos, r->poslen);
    rc_put_le(b, r->gtidlen, 2);
    if (r->gtidlen) rc_buf_put(b, r->gtid, r->gtidlen);
    rc_put_le(b, r->bodylen, 4);
    if (r->bodylen) rc_buf_put(b, r->body, r->bodylen);
    uint8_t *h = (uint8_t *)b->data + start;
    uint32_t crc = rc_crc(b->data + p0, plen);
    for (int i = 0; i < 4; i++) {
        h[i] = (uint8_t)(plen >> (8 * i));
        h[4 + i] = (uint8_t)(crc >> (8 * i));
    }
    uint32_t hcrc = rc_crc(h, 8);
    for (int i = 0; i < 4; i++)
        h[8 + i] = (uint8_t)(hcrc >> (8 * i));
}

int rc_relay_decode(const uint8_t *p, size_t n, rc_relay_rec *r, size_t *used, rc_err *err)
{
    *used = 0;
    if (n < RC_RELAY_FRAME) return 0;
    uint32_t len = (uint32_t)rc_get_le(p, 4);
    if (rc_crc(p, 8) != (uint32_t)rc_get_le(p + 8, 4))
        return rc_err_set(err, RC_E_CORRUPT, "the record header's checksum does not match");
    if (len > RC_RELAY_MAX_PAYLOAD || len < 9)
        return rc_err_set(err, RC_E_CORRUPT, "impossible record length %" PRIu32, len);
    *used = RC_RELAY_FRAME + (size_t)len;
    if (n - RC_RELAY_FRAME < len) return 0;
    const uint8_t *q = p + RC_RELAY_FRAME, *end = q + len;
    if (rc_crc(q, len) != (uint32_t)rc_get_le(p + 4, 4))
        return rc_err_set(err, RC_E_CORRUPT, "the record's checksum does not match");
    memset(r, 0, sizeof *r);
    r->flags = *q++;
    size_t f;
    /* Each field: its length, then that many bytes, all inside the payload. */
    f = (size_t)rc_get_le(q, 2), q += 2;
    if ((size_t)(end - q) < f + 2) goto bad;
    r->pos = (const char *)q, r->poslen = f, q += f;
    f = (size_t)rc_get_le(q, 2), q += 2;
    if ((size_t)(end - q) < f + 4) goto bad;
    r->gtid = (const char *)q, r->gtidlen = f, q += f;
    f = (size_t)rc_get_le(q, 4), q += 4;
    if ((size_t)(end - q) != f) goto bad;
    r->body = (const char *)q, r->bodylen = f;
    if (r->flags & ~(RC_RELAY_COMMIT | RC_RELAY_DISCARDED)) goto bad;
    return 1;
bad:
    return rc_err_set(err, RC_E_CORRUPT, "the record's fields do not fit its length");
}

/* ---- segments ------------------------------------------------------------ */

struct rc_relay {
    char *dir;
    uint64_t seg_size;
    int max_segs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Under mu: what both threads look at. */
    uint64_t oldest; /* oldest segment on disk */
    uint64_t wseg;   /* the segment being written */
    uint64_t wend;   /* its bytes, all of them readable */
    uint64_t rseg;   /* the segment being read */
    int wake;
    /* The writer's. */
    int wfd;
    uint64_t unsynced;
    rc_buf wbuf;
    char last_pos[320];
    int last_open; /* the last record found on open is not its transaction's last */
    /* The reader's. */
    int rfd;
    uint64_t rfile; /* file offset just after the bytes in rbuf */
    uint64_t roff;  /* file offset of rbuf[rpos] */
    rc_buf rbuf;
    size_t rpos;
};

static void rc_seg_path(const rc_relay *r, uint64_t n, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/relay.%06" PRIu64, r->dir, n);
}

static int rc_io_err(rc_err *err, const char *what, const char *path)
{
    return rc_err_set(err, RC_E_IO, "relay log %s: %s: %s", path, what, strerror(errno));
}

static int rc_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The directory's entry for a new or removed file must reach the disk too. */
static int rc_sync_dir(const rc_relay *r, rc_err *err)
{
    int fd = open(r->dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) < 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        errno = e;
        return rc_io_err(err, "fsync", r->dir);
    }
    close(fd);
    return 0;
}

/* Makes segment n with its magic; the write fd in *fd. */
static int rc_seg_create(rc_relay *r, uint64_t n, int *fd, rc_err *err)
{
    char path[4200];
    rc_seg_path(r, n, path, sizeof path);
    *fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (*fd < 0) return rc_io_err(err, "create", path);
    if (rc_write_all(*fd, rc_relay_magic, sizeof rc_relay_magic) < 0 || fdatasync(*fd) < 0)
        return rc_io_err(err, "write", path);
    return rc_sync_dir(r, err);
}

static int rc_all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/* Reads segment n through, keeping the last record's position. For the
 * newest segment (tail = 1) a torn record at its end is cut off and a
 * segment shorter than its magic is begun again. */
static int rc_seg_scan(rc_relay *r, uint64_t n, int tail, uint64_t *size_out, rc_err *err)
{
    char path[4200];
    rc_seg_path(r, n, path, sizeof path);
    int fd = open(path, (tail ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return rc_io_err(err, "open", path);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return rc_io_err(err, "stat", path);
    }
    uint64_t size = (uint64_t)st.st_size;
    rc_buf b;
    rc_buf_init(&b);
    int rc = 0;
    uint8_t magic[RC_RELAY_HDR];
    ssize_t got = size >= RC_RELAY_HDR ? pread(fd, magic, sizeof magic, 0) : 0;
    if (size < RC_RELAY_HDR && tail) {
        /* Created, and the writer stopped before its magic was down. */
        if (ftruncate(fd, 0) < 0 || pwrite(fd, rc_relay_magic, 8, 0) != 8 || fdatasync(fd) < 0)
            rc = rc_io_err(err, "rewrite", path);
        size = RC_RELAY_HDR;
        goto out;
    }
    if (got != (ssize_t)sizeof magic || memcmp(magic, rc_relay_magic, sizeof magic)) {
        rc = rc_err_set(err, RC_E_CORRUPT, "relay log %s: not a rowcast relay log segment", path);
        goto out;
    }
    uint64_t off = RC_RELAY_HDR, file = RC_RELAY_HDR; /* record start; read up to */
    size_t pos = 0;
    for (;;) {
        rc_relay_rec rec;
        size_t used = 0;
        rc_err derr;
        int d = rc_relay_decode((const uint8_t *)b.data + pos, b.len - pos, &rec, &used, &derr);
        if (d == 1) {
            if (rec.poslen) {
                size_t k = rec.poslen < sizeof r->last_pos ? rec.poslen : sizeof r->last_pos - 1;
                memcpy(r->last_pos, rec.pos, k);
                r->last_pos[k] = 0;
            }
            r->last_open = !(rec.flags & RC_RELAY_COMMIT);
            pos += used;
            off += used;
            continue;
        }
        if (d == 0 && file < size) {
            /* More bytes are needed: at least what the header asks for. */
            if (pos) memmove(b.data, b.data + pos, b.len - pos);
            b.len -= pos;
            pos = 0;
            size_t want = used > b.len ? used - b.len : 0;
            if (want < RC_RELAY_CHUNK) want = RC_RELAY_CHUNK;
            if (want > size - file) want = (size_t)(size - file);
            rc_buf_reserve(&b, want);
            ssize_t k = pread(fd, b.data + b.len, want, (off_t)file);
            if (k <= 0) {
                rc = rc_io_err(err, "read", path);
                goto out;
            }
            b.len += (size_t)k;
            file += (uint64_t)k;
            continue;
        }
        if (d == 0 && b.len == pos) break; /* the end, on a record boundary */
        /* The end of the file is inside a record, or a record is damaged.
         * A crash mid-append leaves the newest segment's last record short
         * (or, after a machine crash, zeros or a bad checksum right up to
         * the end): cut it. Anything else is damage to stop for. */
        size_t left = b.len - pos;
        int torn = tail && (d == 0 || (used == 0 && rc_all_zero((uint8_t *)b.data + pos, left)) ||
                            (used > 0 && off + used == size));
        if (!torn) {
            rc = rc_err_set(err, RC_E_CORRUPT,
                            "relay log %s: record at offset %" PRIu64 " is damaged (%s)", path, off,
                            d == 0 ? "the file ends inside it" : derr.msg);
            goto out;
        }
        rc_warn("relay log %s: cut a torn last record at offset %" PRIu64 " (%" PRIu64
                " bytes; the applier stopped while writing it)",
                path, off, size - off);
        if (ftruncate(fd, (off_t)off) < 0 || fdatasync(fd) < 0) {
            rc = rc_io_err(err, "truncate", path);
            goto out;
        }
        size = off;
        break;
    }
out:
    rc_buf_free(&b);
    close(fd);
    if (size_out) *size_out = size;
    return rc < 0 ? -1 : 0;
}

static int rc_seg_number(const char *name, uint64_t *n)
{
    if (strncmp(name, "relay.", 6) || !name[6]) return 0;
    uint64_t v = 0;
    for (const char *p = name + 6; *p; p++) {
        if (*p < '0' || *p > '9' || v > UINT64_MAX / 10 - 10) return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *n = v;
    return v > 0;
}

int rc_relay_open(rc_relay **out, const rc_relay_opts *o, rc_err *err)
{
    *out = NULL;
    rc_relay *r = rc_xcalloc(1, sizeof *r);
    r->dir = rc_xstrndup(o->dir, strlen(o->dir));
    r->seg_size = o->segment_size ? o->segment_size : 16u << 20;
    r->max_segs = o->max_segments < 2 ? 2 : o->max_segments;
    r->wfd = r->rfd = -1;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    rc_buf_init(&r->wbuf);
    rc_buf_init(&r->rbuf);
    if (mkdir(r->dir, 0755) < 0 && errno != EEXIST) {
        rc_io_err(err, "mkdir", r->dir);
        goto fail;
    }
    DIR *d = opendir(r->dir);
    if (!d) {
        rc_io_err(err, "open", r->dir);
        goto fail;
    }
    uint64_t lo = 0, hi = 0, count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t n;
        if (!rc_seg_number(de->d_name, &n)) continue;
        if (!lo || n < lo) lo = n;
        if (n > hi) hi = n;
        count++;
    }
    closedir(d);
    char path[4200];
    if (!count) {
        r->oldest = r->wseg = 1;
        if (rc_seg_create(r, 1, &r->wfd, err) < 0) goto fail;
        r->wend = RC_RELAY_HDR;
    } else {
        if (count != hi - lo + 1) {
            rc_err_set(err, RC_E_CORRUPT,
                       "relay log %s: segments relay.%06" PRIu64 " to relay.%06" PRIu64
                       " are not all there",
                       r->dir, lo, hi);
            goto fail;
        }
        r->oldest = lo;
        r->wseg = hi;
        if (rc_seg_scan(r, hi, 1, &r->wend, err) < 0) goto fail;
        /* The newest may hold no record yet: the last one is further back. */
        for (uint64_t n = hi; !r->last_pos[0] && n > lo; n--)
            if (rc_seg_scan(r, n - 1, 0, NULL, err) < 0) goto fail;
        rc_seg_path(r, hi, path, sizeof path);
        r->wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (r->wfd < 0) {
            rc_io_err(err, "open", path);
            goto fail;
        }
    }
    r->rseg = r->oldest;
    *out = r;
    return 0;
fail:
    rc_relay_close(r);
    return -1;
}

const char *rc_relay_last_pos(const rc_relay *r)
{
    return r->last_pos;
}

int rc_relay_last_open(const rc_relay *r)
{
    return r->last_open;
}

static void rc_relay_timedwait(rc_relay *r, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&r->cv, &r->mu, &ts);
}

int rc_relay_append(rc_relay *r, const rc_relay_rec *rec, volatile int *stop, rc_err *err)
{
    if (1 + 2 + rec->poslen + 2 + rec->gtidlen + 4 + rec->bodylen > RC_RELAY_MAX_PAYLOAD ||
        rec->poslen > 0xffff || rec->gtidlen > 0xffff)
        return rc_err_set(err, RC_E_USAGE, "relay log: an event of %zu bytes is too large for it",
                          rec->bodylen);
    char path[4200];
    pthread_mutex_lock(&r->mu);
    uint64_t wend = r->wend;
    if (wend >= r->seg_size) {
        /* Backpressure: while the reader is max_segs - 1 segments behind,
         * a new segment waits (the transport keeps the events meanwhile). */
        while (r->wseg - r->rseg + 1 >= (uint64_t)r->max_segs && !*stop && !r->wake)
            rc_relay_timedwait(r, 200);
    }
    r->wake = 0;
    pthread_mutex_unlock(&r->mu);
    if (*stop) return rc_err_set(err, RC_E_IO, "relay log: stopped");
    if (wend >= r->seg_size) {
        /* The full segment is made durable before the next one begins, so
         * only the newest can ever end in a torn record. */
        rc_seg_path(r, r->wseg, path, sizeof path);
        if (fdatasync(r->wfd) < 0) return rc_io_err(err, "fsync", path);
        int fd;
        if (rc_seg_create(r, r->wseg + 1, &fd, err) < 0) return -1;
        close(r->wfd);
        r->wfd = fd;
        r->unsynced = 0;
        pthread_mutex_lock(&r->mu);
        r->wseg++;
        r->wend = RC_RELAY_HDR;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    r->wbuf.len = 0;
    rc_relay_encode(&r->wbuf, rec);
    if (rc_write_all(r->wfd, r->wbuf.data, r->wbuf.len) < 0) {
        rc_seg_path(r, r->wseg, path, sizeof path);
        return rc_io_err(err, "write", path);
    }
    r->unsynced += r->wbuf.len;
    pthread_mutex_lock(&r->mu);
    r->wend += r->wbuf.len;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return 0;
}

int rc_relay_sync(rc_relay *r, rc_err *err)
{
    if (!r->unsynced) return 0;
    if (fdatasync(r->wfd) < 0) {
        char path[4200];
        rc_seg_path(r, r->wseg, path, sizeof path);
        return rc_io_err(err, "fsync", path);
    }
    r->unsynced = 0;
    return 0;
}

uint64_t rc_relay_unsynced(const rc_relay *r)
{
    return r->unsynced;
}

static int rc_relay_open_read(rc_relay *r, rc_err *err)
{
    char path[4200];
    rc_seg_path(r, r->rseg, path, sizeof path);
    r->rfd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->rfd < 0) return rc_io_err(err, "open", path);
    uint8_t magic[RC_RELAY_HDR];
    if (pread(r->rfd, magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
        memcmp(magic, rc_relay_magic, sizeof magic))
        return rc_err_set(err, RC_E_CORRUPT, "relay log %s: not a rowcast relay log segment", path);
    r->rfile = r->roff = RC_RELAY_HDR;
    r->rbuf.len = r->rpos = 0;
    return 0;
}

int rc_relay_next(rc_relay *r, rc_relay_rec *rec, int timeout_ms, rc_err *err)
{
    char path[4200];
    int waited = 0;
    for (;;) {
        if (r->rfd < 0 && rc_relay_open_read(r, err) < 0) return -1;
        size_t avail = r->rbuf.len - r->rpos, used = 0;
        int d =
            avail ? rc_relay_decode((const uint8_t *)r->rbuf.data + r->rpos, avail, rec, &used, err)
                  : 0;
        if (d == 1) {
            r->rpos += used;
            r->roff += used;
            return 1;
        }
        if (d < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            rc_seg_path(r, r->rseg, path, sizeof path);
            return rc_err_set(err, RC_E_CORRUPT,
                              "relay log %s: record at offset %" PRIu64 " is damaged (%s)", path,
                              r->roff, msg);
        }
        pthread_mutex_lock(&r->mu);
        int closed = r->rseg < r->wseg;
        uint64_t end = closed ? UINT64_MAX : r->wend;
        pthread_mutex_unlock(&r->mu);
        if (r->rfile < end) {
            if (r->rpos && avail) memmove(r->rbuf.data, r->rbuf.data + r->rpos, avail);
            r->rbuf.len = avail;
            r->rpos = 0;
            size_t want = used > avail ? used - avail : 0;
            if (want < RC_RELAY_CHUNK) want = RC_RELAY_CHUNK;
            if (!closed && want > end - r->rfile) want = (size_t)(end - r->rfile);
            rc_buf_reserve(&r->rbuf, want);
            ssize_t k = pread(r->rfd, r->rbuf.data + r->rbuf.len, want, (off_t)r->rfile);
            if (k < 0) {
                rc_seg_path(r, r->rseg, path, sizeof path);
                return rc_io_err(err, "read", path);
            }
            if (k > 0) {
                r->rbuf.len += (size_t)k;
                r->rfile += (uint64_t)k;
                continue;
            }
        }
        if (closed) {
            /* The end of a finished segment: on to the next one. */
            if (avail) {
                rc_seg_path(r, r->rseg, path, sizeof path);
                return rc_err_set(err, RC_E_CORRUPT,
                                  "relay log %s: record at offset %" PRIu64
                                  " is damaged (the file ends inside it)",
                                  path, r->roff);
            }
            close(r->rfd);
            r->rfd = -1;
            pthread_mutex_lock(&r->mu);
            r->rseg++;
            pthread_cond_broadcast(&r->cv);
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        if (waited) return 0;
        pthread_mutex_lock(&r->mu);
        if (r->wend == end && !r->wake && r->rseg == r->wseg) rc_relay_timedwait(r, timeout_ms);
        r->wake = 0;
        pthread_mutex_unlock(&r->mu);
        waited = 1;
    }
}

int rc_relay_releasable(rc_relay *r)
{
    pthread_mutex_lock(&r->mu);
    int yes = r->rseg > r->oldest;
    pthread_mutex_unlock(&r->mu);
    return yes;
}

int rc_relay_release(rc_relay *r, rc_err *err)
{
    pthread_mutex_lock(&r->mu);
    uint64_t from = r->oldest, to = r->rseg;
    pthread_mutex_unlock(&r->mu);
    char path[4200];
    for (uint64_t n = from; n < to; n++) {
        rc_seg_path(r, n, path, sizeof path);
        if (unlink(path) < 0 && errno != ENOENT) return rc_io_err(err, "remove", path);
        rc_debug("relay log %s: applied, removed", path);
        pthread_mutex_lock(&r->mu);
        r->oldest = n + 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    return from < to ? rc_sync_dir(r, err) : 0;
}

void rc_relay_wake(rc_relay *r)
{
    pthread_mutex_lock(&r->mu);
    r->wake = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void rc_relay_close(rc_relay *r)
{
    if (!r) return;
    if (r->wfd >= 0) close(r->wfd);
    if (r->rfd >= 0) close(r->rfd);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    rc_buf_free(&r->wbuf);
    rc_buf_free(&r->rbuf);
    free(r->dir);
    free(r);
}
