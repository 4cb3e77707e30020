/* rc_binlog: one event in, dispatched by type. Owns the format description,
 * checksums, transaction boundaries and positions; rows and table maps are
 * in rc_rows.c and rc_tablemap.c. */
#include "decode/rc_binlog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* libdeflate's CRC32 (folding with carry-less multiply where the CPU has
 * it) is several times zlib's table-driven one, and every event is checked;
 * zlib stays for MariaDB's compressed events (rc_rows.c). Same polynomial,
 * same results. */
#include <libdeflate.h>
#include <zstd.h>

#include "core/rc_log.h"
#include "decode/rc_decode_int.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "rc_rd.h reads little-endian hosts only");

int rc_dec_unzip(rc_decoder *d, const uint8_t *p, size_t n, const uint8_t **out, size_t *outlen);

int rc_dec_corrupt(rc_err *err, uint64_t off, const char *what)
{
    return rc_err_set(err, RC_E_CORRUPT, "offset %llu: %s", (unsigned long long)off, what);
}

rc_decoder *rc_decoder_new(const rc_decoder_opts *opts, const rc_handler *h)
{
    rc_decoder *d = rc_xcalloc(1, sizeof *d);
    if (opts)
        d->opts = *opts;
    else
        d->opts.checksum_hint = -1;
    if (h) d->h = *h;
    d->checksum = d->opts.checksum_hint > 0 ? 1 : 0;
    /* Post-header lengths before any FORMAT_DESCRIPTION: those of v4. */
    d->post_header[RC_EV_QUERY - 1] = 13;
    d->post_header[RC_EV_ROTATE - 1] = 8;
    d->post_header[RC_EV_TABLE_MAP - 1] = 8;
    d->meta.file = d->file;
    rc_buf_init(&d->unzip);
    rc_buf_init(&d->scratch);
    rc_buf_init(&d->vtext);
    const char *cc = getenv("ROWCAST_ROWS_CROSSCHECK");
    d->lazy.check = cc && *cc && strcmp(cc, "0");
    return d;
}

void rc_decoder_free(rc_decoder *d)
{
    if (!d) return;
    rc_dec_free_tables(d);
    rc_gtid_free(&d->gtid);
    rc_buf_free(&d->unzip);
    rc_buf_free(&d->scratch);
    rc_buf_free(&d->vtext);
    rc_buf_free(&d->difftext);
    rc_buf_free(&d->diffout);
    rc_buf_free(&d->jdiff);
    rc_buf_free(&d->jents);
    rc_buf_free(&d->window);
    if (d->zstd) ZSTD_freeDCtx(d->zstd);
    free(d->fix);
    rc_buf_free(&d->lazy.copy);
    free(d->lazy.clen);
    free(d->lazy.fixed_before);
    free(d->lazy.nvar_before);
    free(d->lazy.vars);
    free(d->lazy.var_acc[0]);
    free(d->lazy.var_acc[1]);
    free(d->lazy.off[0]);
    free(d->lazy.off[1]);
    free(d);
}

void rc_decoder_set_file(rc_decoder *d, const char *file)
{
    snprintf(d->file, sizeof d->file, "%s", file);
}

const char *rc_decoder_file(const rc_decoder *d)
{
    return d->file;
}

void rc_decoder_gtid_state(const rc_decoder *d, rc_buf *out)
{
    rc_gtid_format(&d->gtid, out);
}

int rc_decoder_set_gtid_state(rc_decoder *d, const char *text, rc_err *err)
{
    return rc_gtid_parse(&d->gtid, text, err);
}

int rc_decoder_in_txn(const rc_decoder *d)
{
    return d->in_txn;
}

/* ---- transactions ---- */

static void begin_txn(rc_decoder *d)
{
    d->in_txn = 1;
}

static int end_txn(rc_decoder *d, uint64_t next, int has_xid, uint64_t xid)
{
    if (d->pend_kind == 1)
        rc_gtid_add_maria(&d->gtid, d->pend_domain, d->pend_server, d->pend_seq);
    else if (d->pend_kind == 2)
        rc_gtid_add_mysql(&d->gtid, d->pend_sid, d->pend_seq, d->pend_seq);
    d->pend_kind = 0;
    d->in_txn = 0;
    d->gtid_pending = 0;
    if (d->in_payload) next = d->payload_next;
    rc_txn_end t = {.meta = &d->meta, .next_offset = next, .has_xid = has_xid, .xid = xid};
    int rc = d->h.txn_end ? d->h.txn_end(d->h.ctx, &t) : 0;
    d->gtid_text[0] = 0;
    d->meta.gtid = NULL;
    return rc;
}

/* ---- FORMAT_DESCRIPTION ---- */

/* Servers from MySQL 5.6.1 and MariaDB 5.3 end the FDE with a checksum
 * algorithm byte (and a CRC32 of the FDE), whatever the algorithm. */
static int fde_has_alg(const char *ver)
{
    unsigned a = 0, b = 0, c = 0;
    if (sscanf(ver, "%u.%u.%u", &a, &b, &c) < 2) return 0;
    if (strstr(ver, "MariaDB")) return a > 5 || (a == 5 && b >= 3);
    if (a != 5) return a > 5;
    if (b != 6) return b > 6;
    return c >= 1;
}

static int on_fde(rc_decoder *d, const uint8_t *ev, size_t len, uint64_t off, rc_err *err)
{
    rc_rd r;
    rc_rd_init(&r, ev + RC_EV_HEADER_LEN, len - RC_EV_HEADER_LEN);
    uint16_t ver;
    const uint8_t *sv;
    uint8_t hlen;
    RD_U16(&r, ver);
    RD_PTR(&r, sv, 50);
    RD_SKIP(&r, 4);
    RD_U8(&r, hlen);
    if (ver != 4 || hlen != RC_EV_HEADER_LEN)
        return rc_err_set(err, RC_E_CORRUPT,
                          "offset %llu: binlog format version %u (header %u bytes) is not "
                          "supported (MySQL 5.0 and later write version 4)",
                          (unsigned long long)off, ver, hlen);
    char vers[51];
    memcpy(vers, sv, 50);
    vers[50] = 0;
    d->is_mariadb = strstr(vers, "MariaDB") != NULL;
    size_t n = rc_rd_left(&r);
    int alg = 0;
    if (fde_has_alg(vers)) {
        if (n < 5) goto bad;
        alg = r.p[n - 5];
        n -= 5;
        if (alg != 0 && alg != 1)
            return rc_err_set(err, RC_E_CORRUPT, "offset %llu: unknown binlog checksum %d",
                              (unsigned long long)off, alg);
        if (alg == 1) {
            /* The FDE's CRC covers the event with LOG_EVENT_BINLOG_IN_USE_F
             * cleared: the server sets that flag after writing the CRC. */
            uint8_t hdr[RC_EV_HEADER_LEN];
            memcpy(hdr, ev, sizeof hdr);
            hdr[17] &= (uint8_t)~1u;
            uint32_t crc = libdeflate_crc32(0, hdr, sizeof hdr);
            crc = libdeflate_crc32(crc, ev + sizeof hdr, len - 4 - sizeof hdr);
            if (crc != rc_le32(ev + len - 4))
                return rc_dec_corrupt(err, off, "checksum mismatch in FORMAT_DESCRIPTION event");
        }
    }
    memset(d->post_header, 0, sizeof d->post_header);
    memcpy(d->post_header, r.p, n < sizeof d->post_header ? n : sizeof d->post_header);
    d->checksum = alg;
    d->have_fde = 1;
    d->binlog_version = ver;
    /* A new FDE starts a new server run or file: table ids restart. */
    rc_dec_free_tables(d);
    /* A transaction cannot span a FORMAT_DESCRIPTION; one left open was cut off
     * (the server crashed mid-write) and is not replayed by the server either. */
    d->in_txn = 0;
    d->pend_kind = 0;
    return 0;
bad:
    return rc_dec_corrupt(err, off, "FORMAT_DESCRIPTION event is malformed");
}

/* ---- statements ---- */

static int is_word(const char *q, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n < k || strncasecmp(q, w, k)) return 0;
    return n == k || (!isalnum((unsigned char)q[k]) && q[k] != '_');
}

static void skip_space(const char **q, size_t *n)
{
    while (*n) {
        if (isspace((unsigned char)**q)) {
            (*q)++, (*n)--;
        } else if (*n >= 2 && (*q)[0] == '/' && (*q)[1] == '*' &&
                   !(*n >= 3 && ((*q)[2] == '!' || (*q)[2] == 'M'))) {
            /* plain comment (not a versioned or MariaDB-executable one) */
            const char *e = memmem(*q + 2, *n - 2, "*/", 2);
            size_t adv = e ? (size_t)(e - *q) + 2 : *n;
            *q += adv, *n -= adv;
        } else
            break;
    }
}

static int on_query(rc_decoder *d, int type, rc_rd *r, uint64_t off, uint64_t next, rc_err *err)
{
    uint8_t phl = d->post_header[RC_EV_QUERY - 1];
    if (phl < 11) phl = 11;
    uint8_t dblen;
    uint16_t svlen = 0;
    const uint8_t *db, *ph;
    RD_PTR(r, ph, phl);
    dblen = ph[8];
    if (phl >= 13) svlen = rc_le16(ph + 11);
    if (rc_rd_left(r) < (size_t)svlen + dblen + 1)
        return rc_dec_corrupt(err, off,
                              "QUERY event: status variables and database name run "
                              "past the end of the event");
    RD_SKIP(r, svlen);
    RD_PTR(r, db, (size_t)dblen + 1);
    const char *q = (const char *)r->p;
    size_t qlen = rc_rd_left(r);
    if (type == RC_EV_MARIA_QUERY_COMPRESSED) {
        const uint8_t *u;
        size_t ulen;
        if (rc_dec_unzip(d, r->p, qlen, &u, &ulen) < 0)
            return rc_dec_corrupt(err, off, "compressed QUERY event does not inflate");
        q = (const char *)u;
        qlen = ulen;
    }
    const char *w = q;
    size_t wn = qlen;
    skip_space(&w, &wn);
    if (is_word(w, wn, "BEGIN") || is_word(w, wn, "XA START")) {
        begin_txn(d);
        return 0;
    }
    if (is_word(w, wn, "COMMIT") || is_word(w, wn, "ROLLBACK") || is_word(w, wn, "XA END") ||
        is_word(w, wn, "XA COMMIT") || is_word(w, wn, "XA ROLLBACK")) {
        if (is_word(w, wn, "XA END")) return 0; /* XA PREPARE follows */
        return end_txn(d, next, 0, 0);
    }
    if (is_word(w, wn, "CREATE") || is_word(w, wn, "ALTER") || is_word(w, wn, "DROP") ||
        is_word(w, wn, "RENAME") || is_word(w, wn, "TRUNCATE")) {
        rc_decoder_invalidate_tables(d);
        if (d->opts.ddl) d->opts.ddl(d->opts.ctx, (const char *)db, q, qlen, &d->meta);
    }
    rc_change c = {.op = RC_OP_QUERY,
                   .meta = &d->meta,
                   .schema = (const char *)db,
                   .schema_len = dblen,
                   .query = q,
                   .query_len = qlen};
    if (d->h.change && d->h.change(d->h.ctx, &c) < 0) return -1;
    /* Outside BEGIN ... COMMIT a statement is its own transaction (DDL). */
    if (!d->in_txn || d->gtid_standalone) return end_txn(d, next, 0, 0);
    return 0;
bad:
    return rc_dec_corrupt(err, off, "QUERY event is malformed");
}

/* ---- GTIDs ---- */

static int on_maria_gtid(rc_decoder *d, rc_rd *r, uint64_t off, rc_err *err)
{
    uint64_t seq;
    uint32_t domain;
    uint8_t flags;
    RD_U64(r, seq);
    RD_U32(r, domain);
    RD_U8(r, flags);
    d->pend_kind = 1;
    d->pend_domain = domain;
    d->pend_server = d->meta.server_id;
    d->pend_seq = seq;
    snprintf(d->gtid_text, sizeof d->gtid_text, "%u-%u-%llu", domain, d->meta.server_id,
             (unsigned long long)seq);
    d->gtid_pending = 1;
    d->gtid_standalone = flags & 1; /* FL_STANDALONE: one statement, no COMMIT follows */
    begin_txn(d);
    return 0;
bad:
    return rc_dec_corrupt(err, off, "GTID event is malformed");
}

static void uuid_text(const uint8_t *u, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0, k = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
        out[k++] = hx[u[i] >> 4];
        out[k++] = hx[u[i] & 15];
        out[k] = 0;
    }
}

static int on_mysql_gtid(rc_decoder *d, int type, rc_rd *r, uint64_t off, rc_err *err)
{
    uint8_t flags;
    const uint8_t *sid;
    uint64_t gno;
    RD_U8(r, flags);
    (void)flags;
    RD_PTR(r, sid, 16);
    RD_U64(r, gno);
    if (type == RC_EV_ANONYMOUS_GTID) {
        d->gtid_text[0] = 0;
        d->pend_kind = 0;
    } else {
        uuid_text(sid, d->pend_sid);
        d->pend_kind = 2;
        d->pend_seq = gno;
        snprintf(d->gtid_text, sizeof d->gtid_text, "%s:%llu", d->pend_sid,
                 (unsigned long long)gno);
    }
    d->gtid_pending = 1;
    d->gtid_standalone = 0;
    return 0;
bad:
    return rc_dec_corrupt(err, off, "GTID event is malformed");
}

/* MySQL's serialization format (GTID_TAGGED, 8.3+): an unsigned integer
 * takes 1 to 9 bytes; the count of trailing one bits in the first byte is
 * the count of bytes that follow, and the little-endian value is shifted
 * right by that count plus one. Signed fields are zigzag-coded. */
static int read_varlen(rc_rd *r, uint64_t *out)
{
    if (!rc_rd_left(r)) return -1;
    uint8_t f = r->p[0];
    unsigned n = 0;
    while (n < 8 && (f >> n & 1))
        n++;
    if (rc_rd_left(r) < n + 1u) return -1;
    if (n == 8) {
        *out = rc_le64(r->p + 1);
    } else {
        uint64_t v = rc_le_n(r->p, n + 1);
        *out = v >> (n + 1);
    }
    r->p += n + 1;
    return 0;
}

static int on_gtid_tagged(rc_decoder *d, rc_rd *r, uint64_t off, rc_err *err)
{
    uint64_t version, size, last_required, id, v;
    uint8_t uuid[16];
    char tag[40] = "";
    uint64_t gno = 0;
    int have_uuid = 0, have_gno = 0;
    if (read_varlen(r, &version) < 0 || read_varlen(r, &size) < 0 ||
        read_varlen(r, &last_required) < 0)
        goto bad;
    /* Fields come in id order; 0 flags, 1 source uuid, 2 gno, 3 tag are all
     * rowcast needs, and the types of later ones need not be known. */
    while (rc_rd_left(r)) {
        if (read_varlen(r, &id) < 0) goto bad;
        if (id > 3) break;
        if (id == 1) {
            for (int i = 0; i < 16; i++) {
                if (read_varlen(r, &v) < 0 || v > 255) goto bad;
                uuid[i] = (uint8_t)v;
            }
            have_uuid = 1;
        } else if (id == 3) {
            if (read_varlen(r, &v) < 0 || v >= sizeof tag || v > rc_rd_left(r)) goto bad;
            memcpy(tag, r->p, v);
            tag[v] = 0;
            r->p += v;
        } else {
            if (read_varlen(r, &v) < 0) goto bad;
            if (id == 2) {
                gno = (v >> 1) ^ (0 - (v & 1)); /* zigzag */
                have_gno = 1;
            }
        }
    }
    if (!have_uuid || !have_gno) goto bad;
    uuid_text(uuid, d->pend_sid);
    if (tag[0]) {
        size_t n = strlen(d->pend_sid);
        snprintf(d->pend_sid + n, sizeof d->pend_sid - n, ":%s", tag);
    }
    d->pend_kind = 2;
    d->pend_seq = gno;
    snprintf(d->gtid_text, sizeof d->gtid_text, "%s:%llu", d->pend_sid, (unsigned long long)gno);
    d->gtid_pending = 1;
    d->gtid_standalone = 0;
    (void)version, (void)size, (void)last_required;
    return 0;
bad:
    return rc_dec_corrupt(err, off, "GTID_TAGGED event is malformed");
}

/* The GTID set of everything before this binlog file. The first 8 bytes
 * hold the count of source ids, with the format (1 = tagged) in the top
 * byte; a tagged set has a tag after each uuid. Intervals are [start, end). */
static int on_previous_gtids(rc_decoder *d, rc_rd *r, uint64_t off, rc_err *err)
{
    uint64_t head, nsids;
    RD_U64(r, head);
    int tagged = (head >> 56) == 1;
    nsids = tagged ? (head >> 8) & 0xffffffffffffull : head & 0xffffffffffffffull;
    if (nsids > rc_rd_left(r) / 24) goto bad;
    for (uint64_t i = 0; i < nsids; i++) {
        const uint8_t *u;
        char sid[80];
        RD_PTR(r, u, 16);
        uuid_text(u, sid);
        if (tagged) {
            uint64_t tl;
            if (read_varlen(r, &tl) < 0 || tl > 32 || tl > rc_rd_left(r)) goto bad;
            if (tl) {
                size_t n = strlen(sid);
                snprintf(sid + n, sizeof sid - n, ":%.*s", (int)tl, (const char *)r->p);
            }
            r->p += tl;
        }
        uint64_t niv;
        RD_U64(r, niv);
        if (niv > rc_rd_left(r) / 16) goto bad;
        for (uint64_t k = 0; k < niv; k++) {
            uint64_t lo, hi;
            RD_U64(r, lo);
            RD_U64(r, hi);
            if (lo == 0 || hi <= lo) goto bad;
            rc_gtid_add_mysql(&d->gtid, sid, lo, hi - 1);
        }
    }
    return 0;
bad:
    return rc_dec_corrupt(err, off, "PREVIOUS_GTIDS event is malformed");
}

static int on_gtid_list(rc_decoder *d, rc_rd *r, uint64_t off, rc_err *err)
{
    uint32_t n;
    RD_U32(r, n);
    n &= 0x0fffffff; /* the top 4 bits are flags */
    if ((uint64_t)n * 16 > rc_rd_left(r)) goto bad;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t dom, srv;
        uint64_t seq;
        RD_U32(r, dom);
        RD_U32(r, srv);
        RD_U64(r, seq);
        rc_gtid_add_maria(&d->gtid, dom, srv, seq);
    }
    return 0;
bad:
    return rc_dec_corrupt(err, off, "GTID_LIST event is malformed");
}

/* ---- TRANSACTION_PAYLOAD (MySQL 8.0.20+ binlog_transaction_compression) ---- */

enum { PL_END = 0, PL_SIZE = 1, PL_COMPRESSION = 2, PL_UNCOMPRESSED_SIZE = 3 };
enum { PL_ZSTD = 0, PL_NONE = 255 };

/* Feeds the complete events at the front of the window to the decoder;
 * what remains is the start of an event still being inflated. */
static int drain_window(rc_decoder *d, uint64_t off, rc_err *err)
{
    size_t pos = 0;
    int rc = 0;
    while (d->window.len - pos >= RC_EV_HEADER_LEN) {
        const uint8_t *ev = (const uint8_t *)d->window.data + pos;
        uint32_t size = rc_le32(ev + 9);
        if (size < RC_EV_HEADER_LEN || size > (1u << 30)) {
            rc = rc_dec_corrupt(err, off, "TRANSACTION_PAYLOAD holds an event of impossible size");
            break;
        }
        if (d->window.len - pos < size) break;
        if (ev[4] == RC_EV_TRANSACTION_PAYLOAD) {
            rc = rc_dec_corrupt(err, off, "TRANSACTION_PAYLOAD nested in another");
            break;
        }
        if ((rc = rc_decoder_event(d, ev, size, off, err)) < 0) break;
        pos += size;
    }
    memmove(d->window.data, d->window.data + pos, d->window.len - pos);
    d->window.len -= pos;
    return rc;
}

static int on_payload(rc_decoder *d, rc_rd *r, uint64_t off, uint64_t next, rc_err *err)
{
    uint64_t psize = UINT64_MAX, ctype = PL_ZSTD, usize = 0;
    for (;;) {
        uint64_t type, len, val;
        if (rc_read_packed(&r->p, r->end, &type) < 0) goto bad;
        if (type == PL_END) break;
        if (rc_read_packed(&r->p, r->end, &len) < 0 || len > rc_rd_left(r)) goto bad;
        const uint8_t *vend = r->p + len;
        if (rc_read_packed(&r->p, vend, &val) < 0) goto bad;
        r->p = vend;
        if (type == PL_SIZE)
            psize = val;
        else if (type == PL_COMPRESSION)
            ctype = val;
        else if (type == PL_UNCOMPRESSED_SIZE)
            usize = val;
    }
    (void)usize; /* not trusted for memory: the stream is inflated a window at a time */
    if (psize == UINT64_MAX || psize > rc_rd_left(r)) goto bad;
    if (ctype != PL_ZSTD && ctype != PL_NONE)
        return rc_err_set(err, RC_E_CORRUPT,
                          "offset %llu: TRANSACTION_PAYLOAD compressed with unknown method %llu",
                          (unsigned long long)off, (unsigned long long)ctype);

    /* Inner events carry no checksum and log_pos 0; their positions are the
     * outer event's, and a transaction ending inside ends at its end. */
    int saved_crc = d->checksum;
    d->checksum = 0;
    d->in_payload = 1;
    d->payload_next = next;
    d->window.len = 0;
    int rc = 0;
    if (ctype == PL_NONE) {
        rc_buf_put(&d->window, r->p, psize);
        rc = drain_window(d, off, err);
    } else {
        if (!d->zstd) d->zstd = ZSTD_createDCtx();
        if (!d->zstd) {
            rc = rc_err_set(err, RC_E_INTERNAL, "out of memory for zstd");
            goto done;
        }
        ZSTD_DCtx_reset(d->zstd, ZSTD_reset_session_only);
        ZSTD_inBuffer in = {r->p, psize, 0};
        for (;;) {
            /* Room for at least the rest of the event at the window's front. */
            size_t want = 1u << 16;
            if (d->window.len >= RC_EV_HEADER_LEN) {
                uint32_t size = rc_le32((const uint8_t *)d->window.data + 9);
                if (size > d->window.len && size - d->window.len > want)
                    want = size - d->window.len;
            }
            rc_buf_reserve(&d->window, want);
            ZSTD_outBuffer out = {d->window.data + d->window.len, d->window.cap - d->window.len, 0};
            size_t z = ZSTD_decompressStream(d->zstd, &out, &in);
            if (ZSTD_isError(z)) {
                rc = rc_err_set(err, RC_E_CORRUPT,
                                "offset %llu: TRANSACTION_PAYLOAD does not inflate: %s",
                                (unsigned long long)off, ZSTD_getErrorName(z));
                goto done;
            }
            d->window.len += out.pos;
            if ((rc = drain_window(d, off, err)) < 0) goto done;
            if (z == 0 && in.pos == in.size) break; /* frame complete, input used */
            if (out.pos == 0 && in.pos == in.size) {
                rc = rc_dec_corrupt(err, off, "TRANSACTION_PAYLOAD ends inside its zstd frame");
                goto done;
            }
        }
    }
    if (rc == 0 && d->window.len)
        rc = rc_dec_corrupt(err, off, "TRANSACTION_PAYLOAD ends inside an event");
done:
    d->checksum = saved_crc;
    d->in_payload = 0;
    d->window.len = 0;
    return rc;
bad:
    return rc_dec_corrupt(err, off, "TRANSACTION_PAYLOAD header is malformed");
}

/* ---- dispatch ---- */

int rc_decoder_event(rc_decoder *d, const uint8_t *ev, size_t len, uint64_t off, rc_err *err)
{
    if (len < RC_EV_HEADER_LEN) return rc_dec_corrupt(err, off, "truncated event header");
    uint8_t type = ev[4];
    uint32_t size = rc_le32(ev + 9);
    if (size != len) return rc_dec_corrupt(err, off, "event size does not match its header");
    /* process-wide, so that no two decoders (a reconnect makes a new one)
     * hand the same value to an encoder that outlives them */
    static uint64_t event_seq;
    d->meta.event_seq = __atomic_add_fetch(&event_seq, 1, __ATOMIC_RELAXED);
    d->meta.timestamp = rc_le32(ev);
    d->meta.server_id = rc_le32(ev + 5);
    d->meta.offset = off;
    d->meta.gtid = d->gtid_text[0] ? d->gtid_text : NULL;
    uint64_t next = off + len;

    if (type == RC_EV_FORMAT_DESCRIPTION) return on_fde(d, ev, len, off, err);

    size_t body = len;
    int crc = d->checksum;
    if (d->opts.checksum_hint < 0 && !d->have_fde && len >= RC_EV_HEADER_LEN + 4) {
        /* Before any FDE with no hint: the trailer is a CRC if it matches. */
        crc = libdeflate_crc32(0, ev, len - 4) == rc_le32(ev + len - 4);
    }
    if (crc && type != RC_EV_HEARTBEAT && type != RC_EV_HEARTBEAT_V2) {
        if (len < RC_EV_HEADER_LEN + 4)
            return rc_dec_corrupt(err, off, "event too short for CRC32");
        body = len - 4;
        if (libdeflate_crc32(0, ev, body) != rc_le32(ev + body))
            return rc_dec_corrupt(err, off, "checksum mismatch (CRC32)");
    }
    rc_rd r;
    rc_rd_init(&r, ev + RC_EV_HEADER_LEN, body - RC_EV_HEADER_LEN);

    switch (type) {
    case RC_EV_ROTATE: {
        uint64_t pos;
        RD_U64(&r, pos);
        size_t n = rc_rd_left(&r);
        char name[sizeof d->file];
        if (n == 0 || n >= sizeof name) goto bad;
        memcpy(name, r.p, n);
        name[n] = 0;
        rc_decoder_set_file(d, name);
        if (d->h.rotate && d->h.rotate(d->h.ctx, name, pos) < 0) return -1;
        return 0;
    }
    case RC_EV_QUERY:
    case RC_EV_MARIA_QUERY_COMPRESSED: return on_query(d, type, &r, off, next, err);
    case RC_EV_XID: {
        uint64_t xid;
        RD_U64(&r, xid);
        return end_txn(d, next, 1, xid);
    }
    case RC_EV_TABLE_MAP: return rc_dec_table_map(d, &r, off, err);
    case RC_EV_WRITE_ROWS_V1:
    case RC_EV_UPDATE_ROWS_V1:
    case RC_EV_DELETE_ROWS_V1:
    case RC_EV_WRITE_ROWS:
    case RC_EV_UPDATE_ROWS:
    case RC_EV_DELETE_ROWS:
    case RC_EV_MARIA_WRITE_ROWS_COMPRESSED_V1:
    case RC_EV_MARIA_UPDATE_ROWS_COMPRESSED_V1:
    case RC_EV_MARIA_DELETE_ROWS_COMPRESSED_V1:
    case RC_EV_MARIA_WRITE_ROWS_COMPRESSED:
    case RC_EV_MARIA_UPDATE_ROWS_COMPRESSED:
    case RC_EV_MARIA_DELETE_ROWS_COMPRESSED:
        if (!d->in_txn) begin_txn(d); /* v1 files without BEGIN (MyISAM-only writers) */
        return rc_dec_rows(d, type, &r, off, err);
    case RC_EV_MARIA_GTID: return on_maria_gtid(d, &r, off, err);
    case RC_EV_GTID:
    case RC_EV_ANONYMOUS_GTID: return on_mysql_gtid(d, type, &r, off, err);
    case RC_EV_MARIA_GTID_LIST: return on_gtid_list(d, &r, off, err);
    case RC_EV_GTID_TAGGED: return on_gtid_tagged(d, &r, off, err);
    case RC_EV_PREVIOUS_GTIDS: return on_previous_gtids(d, &r, off, err);
    case RC_EV_STOP:
        /* The server stopped: a transaction left open will never complete. */
        d->in_txn = 0;
        return 0;
    case RC_EV_MARIA_ANNOTATE_ROWS:
    case RC_EV_MARIA_BINLOG_CHECKPOINT:
    case RC_EV_HEARTBEAT:
    case RC_EV_HEARTBEAT_V2:
    case RC_EV_ROWS_QUERY:
    case RC_EV_INTVAR:
    case RC_EV_RAND:
    case RC_EV_USER_VAR:
    case RC_EV_IGNORABLE:
    case RC_EV_TRANSACTION_CONTEXT:
    case RC_EV_VIEW_CHANGE: return 0;
    case RC_EV_TRANSACTION_PAYLOAD: return on_payload(d, &r, off, next, err);
    case RC_EV_PARTIAL_UPDATE_ROWS:
        if (!d->in_txn) begin_txn(d);
        return rc_dec_rows(d, type, &r, off, err);
    case RC_EV_MARIA_START_ENCRYPTION:
        /* These carry row changes; skipping them would lose data silently. */
        return rc_err_set(err, RC_E_CORRUPT,
                          "offset %llu: event type %u (%s) is not supported by this version",
                          (unsigned long long)off, type, "encrypted binlog");
    default:
        rc_debug("offset %llu: skipping event type %u", (unsigned long long)off, type);
        return 0;
    }
bad:
    return rc_dec_corrupt(err, off, "event is malformed");
}
