/* libFuzzer target: any bytes as a binlog file through the decoder and the
 * seed encoder. The decoder must end in events or an error, never a crash,
 * an out-of-bounds read, a hang or unbounded memory. */
#include <stddef.h>
#include <stdint.h>

#include "decode/rc_file.h"
#include "encode/rc_enc.h"

typedef struct fz {
    rc_enc *enc;
    rc_buf out;
    rc_err *err;
} fz;

static int on_change(void *p, const rc_change *c)
{
    fz *f = p;
    if (rc_enc_change(f->enc, c, f->err) < 0) return -1;
    if (f->out.len > (1u << 20)) {
        rc_enc_finish(f->enc);
        rc_enc_consumed(f->enc, rc_enc_complete(f->enc));
        f->out.len = 0;
    }
    return 0;
}

static int on_txn_end(void *p, const rc_txn_end *t)
{
    rc_enc_txn_end(((fz *)p)->enc, t);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rc_err err = {0};
    fz f = {.err = &err};
    rc_buf_init(&f.out);
    f.enc = rc_enc_new(NULL, &f.out);
    rc_handler h = {.ctx = &f, .change = on_change, .txn_end = on_txn_end};
    rc_decoder_opts o = {.checksum_hint = -1};
    rc_decoder *d = rc_decoder_new(&o, &h);
    rc_mem_decode("fuzz", data, size, d, &err);
    rc_enc_finish(f.enc);
    rc_decoder_free(d);
    rc_enc_free(f.enc);
    rc_buf_free(&f.out);
    return 0;
}
