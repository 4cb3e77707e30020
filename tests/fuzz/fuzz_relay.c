/* libFuzzer target: the applier's relay-log record reader (rc_relay_decode).
 * Two views of each input: the bytes as a stream of framed records, as a
 * damaged segment would hold them; and the bytes as one record's payload
 * under a frame with correct checksums, so that the payload's fields are
 * reached at all (random bytes almost never pass a CRC). Either way the
 * reader must return a record, "need more" or an error, and never read
 * outside the buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "apply/rc_relay.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

static void decode_all(const uint8_t *p, size_t n)
{
    while (n) {
        rc_relay_rec r;
        size_t used = 0;
        rc_err err = {0};
        int rc = rc_relay_decode(p, n, &r, &used, &err);
        if (rc <= 0 || used == 0 || used > n) return;
        /* touch what the record points at: it must lie inside p */
        volatile size_t sum = r.poslen + r.gtidlen + r.bodylen;
        if (r.poslen) sum += (uint8_t)r.pos[r.poslen - 1];
        if (r.gtidlen) sum += (uint8_t)r.gtid[r.gtidlen - 1];
        if (r.bodylen) sum += (uint8_t)r.body[r.bodylen - 1];
        (void)sum;
        p += used;
        n -= used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_all(data, size);

    uint8_t *f = malloc(RC_RELAY_FRAME + size + 1);
    if (!f) return 0;
    memcpy(f + RC_RELAY_FRAME, data, size);
    put32(f, (uint32_t)size);
    put32(f + 4, (uint32_t)libdeflate_crc32(0, data, size));
    put32(f + 8, (uint32_t)libdeflate_crc32(0, f, 8));
    decode_all(f, RC_RELAY_FRAME + size);
    free(f);
    return 0;
}
