/* Unit tests of src/apply/rc_relay.c: the record coder on whole, cut and
 * damaged records (every prefix, every flipped byte), and the segment files:
 * a torn last record is cut on open, a damaged one in the middle stops it,
 * segments roll over and are removed once released. */
#include "rc_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "apply/rc_relay.h"

static rc_relay_rec rec_of(const char *pos, unsigned flags, const char *body)
{
    rc_relay_rec r = {.flags = flags,
                      .pos = pos,
                      .poslen = strlen(pos),
                      .gtid = "0-1-7",
                      .gtidlen = 5,
                      .body = body,
                      .bodylen = strlen(body)};
    return r;
}

RC_TEST(relay_record_round_trip)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_relay_rec in = rec_of("mysql-bin.000001:420:3", RC_RELAY_COMMIT, "{\"a\":1}");
    rc_relay_encode(&b, &in);
    rc_relay_rec out;
    size_t used = 0;
    rc_err err = {0};
    CHECK_INT(rc_relay_decode((const uint8_t *)b.data, b.len, &out, &used, &err), 1);
    CHECK_INT(used, b.len);
    CHECK_INT(out.flags, RC_RELAY_COMMIT);
    CHECK_MEM(out.pos, out.poslen, "mysql-bin.000001:420:3");
    CHECK_MEM(out.gtid, out.gtidlen, "0-1-7");
    CHECK_MEM(out.body, out.bodylen, "{\"a\":1}");
    rc_buf_free(&b);
}

/* Every proper prefix of a record is "not all there yet", never a record
 * and never a read past the bytes given (ASan watches the copies). */
RC_TEST(relay_record_every_prefix_is_incomplete)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_relay_rec in = rec_of("f.000002:4:0", 0, "{\"operation\":\"insert\"}");
    rc_relay_encode(&b, &in);
    for (size_t n = 0; n < b.len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, b.data, n);
        rc_relay_rec out;
        size_t used = 99;
        rc_err err = {0};
        int d = rc_relay_decode(copy, n, &out, &used, &err);
        free(copy);
        if (d != 0) RC_FAIL("prefix of %zu bytes decoded as %d", n, d);
        if (n >= RC_RELAY_FRAME && used != b.len) RC_FAIL("prefix %zu: used %zu", n, used);
    }
    rc_buf_free(&b);
}

/* Any one damaged byte is found: a header byte by the header's checksum, a
 * payload byte by the payload's. */
RC_TEST(relay_record_every_flipped_byte_is_corrupt)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_relay_rec in = rec_of("f.000002:4:0", RC_RELAY_COMMIT, "{\"x\":[1,2,3]}");
    rc_relay_encode(&b, &in);
    for (size_t i = 0; i < b.len; i++) {
        uint8_t *copy = malloc(b.len);
        memcpy(copy, b.data, b.len);
        copy[i] ^= 0x20;
        rc_relay_rec out;
        size_t used = 0;
        rc_err err = {0};
        int d = rc_relay_decode(copy, b.len, &out, &used, &err);
        free(copy);
        if (d != -1) RC_FAIL("byte %zu flipped: decoded as %d", i, d);
        if (err.code != RC_E_CORRUPT) RC_FAIL("byte %zu: code %d", i, (int)err.code);
    }
    rc_buf_free(&b);
}

/* A payload whose checksum is right but whose fields claim more bytes than
 * it has (a writer bug, or a forged file) is refused, not followed. */
RC_TEST(relay_record_fields_are_bounds_checked)
{
    uint8_t rec[RC_RELAY_FRAME + 9 + 3];
    uint8_t *p = rec + RC_RELAY_FRAME;
    memset(rec, 0, sizeof rec);
    p[0] = 0;
    p[1] = 200; /* poslen 200 in a 12-byte payload */
    uint32_t len = 12;
    uint32_t crc = (uint32_t)libdeflate_crc32(0, p, len);
    for (int i = 0; i < 4; i++) {
        rec[i] = (uint8_t)(len >> (8 * i));
        rec[4 + i] = (uint8_t)(crc >> (8 * i));
    }
    uint32_t hcrc = (uint32_t)libdeflate_crc32(0, rec, 8);
    for (int i = 0; i < 4; i++)
        rec[8 + i] = (uint8_t)(hcrc >> (8 * i));
    rc_relay_rec out;
    size_t used = 0;
    rc_err err = {0};
    CHECK_INT(rc_relay_decode(rec, sizeof rec, &out, &used, &err), -1);
    CHECK(strstr(err.msg, "do not fit") != NULL);
    /* A length below the smallest payload, with a sound header checksum. */
    len = 3;
    for (int i = 0; i < 4; i++)
        rec[i] = (uint8_t)(len >> (8 * i));
    hcrc = (uint32_t)libdeflate_crc32(0, rec, 8);
    for (int i = 0; i < 4; i++)
        rec[8 + i] = (uint8_t)(hcrc >> (8 * i));
    CHECK_INT(rc_relay_decode(rec, sizeof rec, &out, &used, &err), -1);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/rc-relay-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static void rmdir_all(const char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", d);
}

/* Closes the relay log (NULL is fine), removes its directory d, frees d. */
static void finish(rc_relay *r, char *d)
{
    rc_relay_close(r);
    rmdir_all(d);
    free(d);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void append_bytes(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd >= 0) {
        if (write(fd, p, n) != (ssize_t)n) fprintf(stderr, "short write\n");
        close(fd);
    }
}

/* Three records into a new relay log in a new directory (returned, or
 * NULL); seg gets its segment's path. */
static char *relay_with_three(char *seg, size_t segsz)
{
    char *dir = tmpdir();
    if (!dir) return NULL;
    snprintf(seg, segsz, "%s/relay.000001", dir);
    rc_relay_opts o = {.dir = dir, .segment_size = 1 << 20, .max_segments = 4};
    rc_relay *r;
    rc_err err = {0};
    volatile int stop = 0;
    if (rc_relay_open(&r, &o, &err) < 0) return dir;
    const char *pos[] = {"b.000001:100:0", "b.000001:200:0", "b.000001:300:0"};
    for (int i = 0; i < 3; i++) {
        rc_relay_rec rec = rec_of(pos[i], RC_RELAY_COMMIT, "{\"n\":1}");
        if (rc_relay_append(r, &rec, &stop, &err) < 0) break;
    }
    rc_relay_sync(r, &err);
    rc_relay_close(r);
    return dir; /* the tests check what is in it */
}

RC_TEST(relay_torn_last_record_is_cut)
{
    char seg[600];
    char *d = relay_with_three(seg, sizeof seg);
    CHECK(d != NULL);
    off_t whole = file_size(seg);
    /* Half of a fourth record, as a crash in the middle of write() leaves. */
    rc_buf b;
    rc_buf_init(&b);
    rc_relay_rec rec = rec_of("b.000001:400:0", RC_RELAY_COMMIT, "{\"n\":4}");
    rc_relay_encode(&b, &rec);
    append_bytes(seg, b.data, b.len / 2);
    rc_buf_free(&b);
    rc_relay_opts o = {.dir = d, .segment_size = 1 << 20, .max_segments = 4};
    rc_relay *r = NULL;
    rc_err err = {0};
    CHECK_INT(rc_relay_open(&r, &o, &err), 0);
    CHECK_STR(rc_relay_last_pos(r), "b.000001:300:0");
    CHECK_INT(file_size(seg), whole);
    int n = 0;
    rc_relay_rec out;
    while (rc_relay_next(r, &out, 10, &err) == 1)
        n++;
    CHECK_INT(n, 3);
    finish(r, d);
}

RC_TEST(relay_damaged_record_in_the_middle_stops_open)
{
    char seg[600];
    char *d = relay_with_three(seg, sizeof seg);
    CHECK(d != NULL);
    /* One byte of the second record's payload. */
    off_t whole = file_size(seg);
    off_t one = (whole - 8) / 3;
    int fd = open(seg, O_RDWR);
    CHECK(fd >= 0);
    char c;
    CHECK_INT(pread(fd, &c, 1, 8 + one + 20), 1);
    c ^= 1;
    CHECK_INT(pwrite(fd, &c, 1, 8 + one + 20), 1);
    close(fd);
    rc_relay_opts o = {.dir = d, .segment_size = 1 << 20, .max_segments = 4};
    rc_relay *r = NULL;
    rc_err err = {0};
    CHECK_INT(rc_relay_open(&r, &o, &err), -1);
    CHECK_INT(err.code, RC_E_CORRUPT);
    char want[700];
    snprintf(want, sizeof want, "relay.000001: record at offset %lld is damaged (",
             (long long)(8 + one));
    if (!strstr(err.msg, want)) RC_FAIL("message: %s", err.msg);
    CHECK_INT(file_size(seg), whole); /* nothing cut */
    finish(NULL, d);
}

RC_TEST(relay_segments_roll_over_and_are_removed)
{
    char *d = tmpdir();
    CHECK(d != NULL);
    rc_relay_opts o = {.dir = d, .segment_size = 200, .max_segments = 100};
    rc_relay *r = NULL;
    rc_err err = {0};
    volatile int stop = 0;
    CHECK_INT(rc_relay_open(&r, &o, &err), 0);
    char pos[40], body[80];
    for (int i = 0; i < 20; i++) {
        snprintf(pos, sizeof pos, "b.000001:%d:0", 100 + i);
        snprintf(body, sizeof body, "{\"i\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", i);
        rc_relay_rec rec = rec_of(pos, RC_RELAY_COMMIT, body);
        CHECK_INT(rc_relay_append(r, &rec, &stop, &err), 0);
    }
    CHECK_INT(rc_relay_sync(r, &err), 0);
    char seg[600];
    snprintf(seg, sizeof seg, "%s/relay.000003", d);
    CHECK(file_size(seg) > 0);
    rc_relay_rec out;
    for (int i = 0; i < 20; i++) {
        CHECK_INT(rc_relay_next(r, &out, 10, &err), 1);
        snprintf(pos, sizeof pos, "b.000001:%d:0", 100 + i);
        CHECK_MEM(out.pos, out.poslen, pos);
    }
    CHECK_INT(rc_relay_next(r, &out, 10, &err), 0);
    CHECK(rc_relay_releasable(r));
    CHECK_INT(rc_relay_release(r, &err), 0);
    snprintf(seg, sizeof seg, "%s/relay.000001", d);
    CHECK_INT(file_size(seg), -1);
    rc_relay_close(r);
    /* Reopened: the newest segment is still there and knows the last record. */
    CHECK_INT(rc_relay_open(&r, &o, &err), 0);
    CHECK_STR(rc_relay_last_pos(r), "b.000001:119:0");
    finish(r, d);
}

/* A crash between the events of one transaction: the reopened relay log
 * says its last record is not the transaction's last. */
RC_TEST(relay_knows_a_transaction_left_open)
{
    char seg[600];
    char *d = relay_with_three(seg, sizeof seg);
    CHECK(d != NULL);
    rc_relay_opts o = {.dir = d, .segment_size = 1 << 20, .max_segments = 4};
    rc_relay *r = NULL;
    rc_err err = {0};
    volatile int stop = 0;
    CHECK_INT(rc_relay_open(&r, &o, &err), 0);
    CHECK_INT(rc_relay_last_open(r), 0);
    rc_relay_rec rec = rec_of("b.000001:400:0", 0, "{\"n\":4}");
    CHECK_INT(rc_relay_append(r, &rec, &stop, &err), 0);
    CHECK_INT(rc_relay_sync(r, &err), 0);
    rc_relay_close(r);
    CHECK_INT(rc_relay_open(&r, &o, &err), 0);
    CHECK_STR(rc_relay_last_pos(r), "b.000001:400:0");
    CHECK_INT(rc_relay_last_open(r), 1);
    finish(r, d);
}

RC_TEST_MAIN(RC_T(relay_record_round_trip), RC_T(relay_record_every_prefix_is_incomplete),
             RC_T(relay_record_every_flipped_byte_is_corrupt),
             RC_T(relay_record_fields_are_bounds_checked), RC_T(relay_torn_last_record_is_cut),
             RC_T(relay_damaged_record_in_the_middle_stops_open),
             RC_T(relay_segments_roll_over_and_are_removed),
             RC_T(relay_knows_a_transaction_left_open))
