/* libFuzzer target: any bytes as a binlog file through the decoder and the
 * seed encoder. The decoder must end in events or an error, never a crash,
 * an out-of-bounds read, a hang or unbounded memory.
 *
 * Each input is decoded twice: rows decoded into values, and rows handed to
 * the encoder undecoded (rc_rowjson, what `read` and `stream` do) with
 * ROWCAST_ROWS_CROSSCHECK on. Both must write the same bytes and end the
 * same way; a difference aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/rc_file.h"
#include "encode/rc_enc.h"

typedef struct fz {
    rc_enc *enc;
    rc_buf out;
    rc_err *err;
    uint64_t hash, bytes; /* of everything written, as it is let go */
} fz;

static void absorb(fz *f, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        f->hash = (f->hash ^ (uint8_t)p[i]) * 0x100000001b3ULL;
    f->bytes += n;
}

static int on_change(void *p, const rc_change *c)
{
    fz *f = p;
    if (rc_enc_change(f->enc, c, f->err) < 0) return -1;
    if (f->out.len > (1u << 20)) {
        size_t n = rc_enc_complete(f->enc);
        absorb(f, f->out.data, n);
        memmove(f->out.data, f->out.data + n, f->out.len - n);
        f->out.len -= n;
        rc_enc_consumed(f->enc, n);
    }
    return 0;
}

static int on_txn_end(void *p, const rc_txn_end *t)
{
    rc_enc_txn_end(((fz *)p)->enc, t);
    return 0;
}

typedef struct run {
    uint64_t hash, bytes;
    rc_err err;
} run;

static void decode(const uint8_t *data, size_t size, int lazy, run *r)
{
    memset(r, 0, sizeof *r);
    fz f = {.err = &r->err, .hash = 0xcbf29ce484222325ULL};
    rc_buf_init(&f.out);
    f.enc = rc_enc_new(NULL, &f.out);
    rc_handler h = {.ctx = &f, .change = on_change, .txn_end = on_txn_end};
    rc_decoder_opts o = {.checksum_hint = -1, .lazy_rows = lazy};
    rc_decoder *d = rc_decoder_new(&o, &h);
    rc_mem_decode("fuzz", data, size, d, &r->err);
    rc_enc_finish(f.enc);
    absorb(&f, f.out.data, f.out.len);
    r->hash = f.hash;
    r->bytes = f.bytes;
    rc_decoder_free(d);
    rc_enc_free(f.enc);
    rc_buf_free(&f.out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("ROWCAST_ROWS_CROSSCHECK", "1", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run eager, lazy;
    decode(data, size, 0, &eager);
    decode(data, size, 1, &lazy);
    if (lazy.err.code == RC_E_INTERNAL || eager.hash != lazy.hash || eager.bytes != lazy.bytes ||
        eager.err.code != lazy.err.code || strcmp(eager.err.msg, lazy.err.msg)) {
        fprintf(stderr, "raw rows differ from decoded rows: %llu bytes '%s' vs %llu bytes '%s'\n",
                (unsigned long long)eager.bytes, eager.err.msg, (unsigned long long)lazy.bytes,
                lazy.err.msg);
        abort();
    }
    return 0;
}
