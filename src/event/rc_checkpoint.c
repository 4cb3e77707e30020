/* rc_checkpoint: see rc_checkpoint.h. The reader accepts only what the
 * writer writes; anything else is an error that names the file. */
#include "event/rc_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rc_buf.h"

static void put_str(rc_buf *b, const char *s)
{
    rc_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') rc_buf_putc(b, '\\');
        if ((unsigned char)*s < 0x20) continue; /* names and GTIDs never hold controls */
        rc_buf_putc(b, *s);
    }
    rc_buf_putc(b, '"');
}

int rc_checkpoint_save(const char *path, const rc_checkpoint *cp, rc_err *err)
{
    rc_buf b;
    rc_buf_init(&b);
    RC_BUF_LIT(&b, "{\"file\":");
    put_str(&b, cp->file);
    rc_buf_printf(&b, ",\"pos\":%llu,\"gtid\":", (unsigned long long)cp->pos);
    put_str(&b, cp->gtid);
    RC_BUF_LIT(&b, "}\n");

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) goto fail;
    size_t off = 0;
    while (off < b.len) {
        ssize_t k = write(fd, b.data + off, b.len - off);
        if (k < 0) {
            if (errno == EINTR) continue;
            close(fd);
            goto fail;
        }
        off += (size_t)k;
    }
    if (fsync(fd) < 0 || close(fd) < 0) goto fail;
    if (rename(tmp, path) < 0) goto fail;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc_buf_free(&b);
    return 0;
fail:
    rc_buf_free(&b);
    return rc_err_set(err, RC_E_IO, "cannot write checkpoint %s: %s", path, strerror(errno));
}

/* Reads "key":"string" or "key":number from a flat JSON object. */
static int get_field(const char *text, const char *key, char *out, size_t outsz, int is_str)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(text, pat);
    if (!p) return -1;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    size_t n = 0;
    if (is_str) {
        if (*p++ != '"') return -1;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1]) p++;
            if (n + 1 >= outsz) return -1;
            out[n++] = *p++;
        }
        if (*p != '"') return -1;
    } else {
        while (*p >= '0' && *p <= '9') {
            if (n + 1 >= outsz) return -1;
            out[n++] = *p++;
        }
        if (!n) return -1;
    }
    out[n] = 0;
    return 0;
}

int rc_checkpoint_load(const char *path, rc_checkpoint *cp, rc_err *err)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT) return 0;
        return rc_err_set(err, RC_E_IO, "cannot read checkpoint %s: %s", path, strerror(errno));
    }
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char num[32];
    memset(cp, 0, sizeof *cp);
    if (get_field(text, "file", cp->file, sizeof cp->file, 1) < 0 ||
        get_field(text, "pos", num, sizeof num, 0) < 0 ||
        get_field(text, "gtid", cp->gtid, sizeof cp->gtid, 1) < 0)
        return rc_err_set(err, RC_E_USAGE,
                          "checkpoint %s is not a rowcast checkpoint (expected "
                          "{\"file\":...,\"pos\":...,\"gtid\":...})",
                          path);
    cp->pos = strtoull(num, NULL, 10);
    return 1;
}
