/* sink_stdout and sink_file: JSON lines on standard output or appended to a
 * file. Blocks of events are written as they come from the encoder, with no
 * copy; a block is confirmed once write() took all of it (for file:, after
 * fsync too when `fsync=1`). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rc_buf.h"
#include "sink/rc_sink.h"

typedef struct fd_sink {
    int fd;
    int own; /* close it at the end */
    int do_fsync;
} fd_sink;

static int write_all(rc_sink *s, const char *p, size_t n, rc_err *err)
{
    fd_sink *f = s->impl;
    while (n) {
        ssize_t k = write(f->fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return rc_err_set(err, RC_E_IO, "%s: cannot write events: %s", s->name,
                              strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int fd_block(rc_sink *s, const char *data, size_t len, uint64_t last_seq, rc_err *err)
{
    fd_sink *f = s->impl;
    if (write_all(s, data, len, err) < 0) return -1;
    if (f->do_fsync && fsync(f->fd) < 0 && errno != EINVAL)
        return rc_err_set(err, RC_E_IO, "%s: fsync: %s", s->name, strerror(errno));
    s->acked = last_seq;
    return 0;
}

static int fd_flush(rc_sink *s, int timeout_ms, rc_err *err)
{
    (void)timeout_ms, (void)err;
    s->acked = s->sent;
    return 0;
}

static void fd_close(rc_sink *s)
{
    fd_sink *f = s->impl;
    if (f && f->own) close(f->fd);
    free(f);
}

static int stdout_open(rc_sink *s, const rc_url *url, rc_err *err)
{
    (void)url, (void)err;
    fd_sink *f = rc_xcalloc(1, sizeof *f);
    f->fd = 1;
    s->impl = f;
    return 0;
}

static int file_open(rc_sink *s, const rc_url *url, rc_err *err)
{
    const char *path = url->path;
    if (!path || !*path)
        return rc_err_set(err, RC_E_USAGE, "--sink '%s': expected file:PATH", s->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return rc_err_set(err, RC_E_IO, "--sink '%s': %s", s->name, strerror(errno));
    fd_sink *f = rc_xcalloc(1, sizeof *f);
    f->fd = fd;
    f->own = 1;
    char *fs = rc_url_param(url, "fsync");
    f->do_fsync = fs && !strcmp(fs, "1");
    free(fs);
    s->impl = f;
    return 0;
}

const rc_sink_ops rc_sink_stdout = {
    .scheme = "stdout",
    .open = stdout_open,
    .send_block = fd_block,
    .flush = fd_flush,
    .close = fd_close,
};

const rc_sink_ops rc_sink_file = {
    .scheme = "file",
    .open = file_open,
    .send_block = fd_block,
    .flush = fd_flush,
    .close = fd_close,
};
