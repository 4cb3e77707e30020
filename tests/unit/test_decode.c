/* The decoder and the seed encoder on every binlog fixture of
 * ../shared/fixtures, in process, so that the sanitizer build (build-san)
 * runs the whole decoder under ASan and UBSan. Values are compared with the
 * expected files by tests/integration/test_fixtures.py; here each file must
 * end as its notes say (events, or the named error) with the expected number
 * of row changes, and every event must be one line of JSON. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/rc_file.h"
#include "encode/rc_enc.h"
#include "rc_test.h"

#define FIXTURES "../shared/fixtures/binlogs/"

typedef struct ctx {
    rc_enc *enc;
    rc_buf out;
    rc_err *err;
    long rows, queries;
} ctx;

static int on_change(void *p, const rc_change *c)
{
    ctx *x = p;
    if (c->op == RC_OP_QUERY)
        x->queries++;
    else
        x->rows++;
    return rc_enc_change(x->enc, c, x->err);
}

static int on_txn_end(void *p, const rc_txn_end *t)
{
    rc_enc_txn_end(((ctx *)p)->enc, t);
    return 0;
}

/* Decodes one file, with rows decoded by the decoder or (lazy) handed to
 * the encoder undecoded; returns rows, or -1 (err says why). */
static long decode_path(const char *path, int lazy, rc_err *err, rc_buf *out)
{
    ctx x = {.err = err};
    rc_buf_init(&x.out);
    x.enc = rc_enc_new(NULL, &x.out);
    rc_handler h = {.ctx = &x, .change = on_change, .txn_end = on_txn_end};
    rc_decoder_opts o = {.checksum_hint = -1, .lazy_rows = lazy};
    rc_decoder *d = rc_decoder_new(&o, &h);
    int rc = rc_file_decode(path, d, err);
    rc_enc_finish(x.enc);
    rc_decoder_free(d);
    rc_enc_free(x.enc);
    *out = x.out;
    return rc < 0 ? -1 : x.rows;
}

/* Decodes one fixture; returns rows, or -1 (err says why). */
static long decode(const char *name, rc_err *err, rc_buf *out)
{
    char path[512];
    snprintf(path, sizeof path, FIXTURES "%s", name);
    return decode_path(path, 0, err, out);
}

/* Every line is a JSON object that opens with {"schema": and ends with }. */
static int lines_ok(const rc_buf *b, long *lines)
{
    *lines = 0;
    size_t i = 0;
    while (i < b->len) {
        const char *nl = memchr(b->data + i, '\n', b->len - i);
        if (!nl) return 0;
        size_t n = (size_t)(nl - (b->data + i));
        if (n < 12 || memcmp(b->data + i, "{\"schema\":", 10) || b->data[i + n - 1] != '}')
            return 0;
        i += n + 1;
        (*lines)++;
    }
    return 1;
}

#define DECODES(fn, file, nrows)                                                                   \
    RC_TEST(fn)                                                                                    \
    {                                                                                              \
        rc_err err = {0};                                                                          \
        rc_buf out;                                                                                \
        long rows = decode(file, &err, &out);                                                      \
        long lines;                                                                                \
        int ok = lines_ok(&out, &lines);                                                           \
        rc_buf_free(&out);                                                                         \
        if (rows < 0) RC_FAIL("%s: %s", file, err.msg);                                            \
        CHECK(ok);                                                                                 \
        CHECK_INT(rows, nrows);                                                                    \
    }

#define FAILS(fn, file, ecode, phrase, nrows)                                                      \
    RC_TEST(fn)                                                                                    \
    {                                                                                              \
        rc_err err = {0};                                                                          \
        rc_buf out;                                                                                \
        long rows = decode(file, &err, &out);                                                      \
        long lines;                                                                                \
        int ok = lines_ok(&out, &lines);                                                           \
        rc_buf_free(&out);                                                                         \
        CHECK_INT(rows, -1);                                                                       \
        CHECK_INT(err.code, ecode);                                                                \
        if (!strstr(err.msg, phrase)) RC_FAIL("'%s' not in '%s'", phrase, err.msg);                \
        CHECK(ok);                                                                                 \
        CHECK(lines >= nrows);                                                                     \
    }

DECODES(sakila, "mysql-bin.sakila", 47273)
DECODES(crc32, "mysql-bin.checksum-crc32", 63)
DECODES(decimals, "tcb-eval002c-bin.003320", 17)
DECODES(mariadb_10_5, "mariadb-bin.000001", 2)
DECODES(invisible_columns, "binlog-invisible-columns.000001", 3)
DECODES(enum_set, "mysql-enum-string-set.000001", 3)
DECODES(bit, "mysql_type_bit.000001", 1)
DECODES(time2, "time_issue.000001", 1)
DECODES(minimal, "minimal_row_metadata.000001", 1)
DECODES(gtid_tagged, "binlog_transaction_with_GTID_TAG.000001", 1)
DECODES(checksum_none, "ver_trunk_row_v2.001", 5)
DECODES(ndb_partial, "update-partial-row.binlog", 7)
FAILS(bad_magic, "non-binlog", RC_E_CORRUPT, "bad magic", 0)
FAILS(truncated_header, "binlog_truncated_event.000001", RC_E_CORRUPT,
      "truncated event header at offset 4", 0)
FAILS(truncated_second, "binlog_truncated_prev_gtid_event.000001", RC_E_CORRUPT,
      "truncated event header at offset 120", 0)
FAILS(corrupt_query, "corrupt-relay-bin.000624", RC_E_CORRUPT, "offset 91204", 100)
DECODES(payload, "mysql-bin.compressed", 1)
DECODES(payload_json, "mysql-bin.000057", 3)
DECODES(json_opaque, "json-opaque.binlog", 8)
DECODES(vector, "vector.binlog", 10)
DECODES(partial_json, "json.binlog.000001", 18)

/* Rows written straight from their bytes (rc_rowjson, what `read` and
 * `stream` do) and rows decoded into values first must give the same bytes
 * and the same end on every fixture, the broken ones included. The lazy
 * run also checks each row on its own (ROWCAST_ROWS_CROSSCHECK), so a
 * difference is reported at the row that has it. */
RC_TEST(raw_rows_match_decoded_rows)
{
    DIR *dir = opendir(FIXTURES);
    if (!dir) RC_FAIL("cannot open %s", FIXTURES);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, FIXTURES "%s", de->d_name);
        rc_err e1 = {0}, e2 = {0};
        rc_buf o1, o2;
        unsetenv("ROWCAST_ROWS_CROSSCHECK");
        long r1 = decode_path(path, 0, &e1, &o1);
        setenv("ROWCAST_ROWS_CROSSCHECK", "1", 1);
        long r2 = decode_path(path, 1, &e2, &o2);
        unsetenv("ROWCAST_ROWS_CROSSCHECK");
        int same = o1.len == o2.len && (!o1.len || !memcmp(o1.data, o2.data, o1.len));
        rc_buf_free(&o1);
        rc_buf_free(&o2);
        if (e2.code == RC_E_INTERNAL) RC_FAIL("%s: %s", de->d_name, e2.msg);
        if (!same) RC_FAIL("%s: the raw path's output differs", de->d_name);
        if (r1 != r2 || e1.code != e2.code || strcmp(e1.msg, e2.msg))
            RC_FAIL("%s: ends differ: %ld '%s' vs %ld '%s'", de->d_name, r1, e1.msg, r2, e2.msg);
        files++;
    }
    closedir(dir);
    CHECK(files >= 20);
}

/* The regressions the fuzzer found, replayed from memory: they must end in
 * an error, not a hang or a crash. */
RC_TEST(fuzz_regressions)
{
    static const char *const files[] = {"tests/fuzz/regressions/rows-no-columns-present",
                                        "tests/fuzz/regressions/query-before-any-file-name",
                                        "tests/fuzz/regressions/partial-json-short-length"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) RC_FAIL("cannot open %s", files[i]);
        uint8_t buf[65536];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        rc_err err = {0};
        ctx x = {.err = &err};
        rc_buf_init(&x.out);
        x.enc = rc_enc_new(NULL, &x.out);
        rc_handler h = {.ctx = &x, .change = on_change, .txn_end = on_txn_end};
        rc_decoder *d = rc_decoder_new(NULL, &h);
        rc_mem_decode(files[i], buf, n, d, &err);
        rc_decoder_free(d);
        rc_enc_free(x.enc);
        rc_buf_free(&x.out);
    }
}

RC_TEST_MAIN(RC_T(sakila), RC_T(crc32), RC_T(decimals), RC_T(mariadb_10_5), RC_T(invisible_columns),
             RC_T(enum_set), RC_T(bit), RC_T(time2), RC_T(minimal), RC_T(gtid_tagged),
             RC_T(checksum_none), RC_T(ndb_partial), RC_T(bad_magic), RC_T(truncated_header),
             RC_T(truncated_second), RC_T(corrupt_query), RC_T(payload), RC_T(payload_json),
             RC_T(json_opaque), RC_T(vector), RC_T(partial_json), RC_T(raw_rows_match_decoded_rows),
             RC_T(fuzz_regressions))
