/* Internal state shared by the files of the decoder (rc_binlog.c,
 * rc_tablemap.c, rc_rows.c, rc_gtid.c). Not for other modules. */
#ifndef RC_DECODE_INT_H
#define RC_DECODE_INT_H

#include "decode/rc_binlog.h"
#include "decode/rc_rd.h"

/* A table map slot: the public rc_table plus what the decoder needs. */
typedef struct rc_tmap {
    rc_table t;
    struct rc_tmap *next; /* hash chain */
    uint8_t *raw;         /* the table map body, to recognise a repeat cheaply */
    size_t rawlen;
    char *strings;    /* schema, table, names, labels: one allocation */
    rc_value *before; /* ncols values each */
    rc_value *after;
    uint64_t resolved_epoch; /* decoder ddl_epoch when resolve() last ran */
} rc_tmap;

/* MariaDB keeps one GTID per replication domain; MySQL a set of intervals
 * per source UUID (tag included, as "uuid:tag"). */
typedef struct rc_gtid_dom {
    uint32_t domain, server;
    uint64_t seq;
} rc_gtid_dom;

typedef struct rc_gtid_ival {
    uint64_t lo, hi; /* inclusive */
} rc_gtid_ival;

typedef struct rc_gtid_sid {
    char name[80]; /* "uuid" or "uuid:tag" */
    rc_gtid_ival *iv;
    size_t niv, cap;
} rc_gtid_sid;

typedef struct rc_gtid_state {
    int kind; /* 0 none, 1 MariaDB, 2 MySQL */
    rc_gtid_dom *doms;
    size_t ndoms, domcap;
    rc_gtid_sid *sids;
    size_t nsids, sidcap;
} rc_gtid_state;

/* What a rows event says of its rows: the columns in each image. */
typedef struct rc_rowsev {
    const uint8_t *present, *present_after; /* after: updates only */
    uint32_t nb, na;                        /* columns in each */
} rc_rowsev;

/* The row offered undecoded (opts.lazy_rows) and, once decoded, its values. */
typedef struct rc_lazy {
    rc_rawrow raw;
    rc_tmap *m;
    int type;
    rc_rowsev ev;
    uint64_t evoff;
    size_t decoded; /* the row's length once decode_lazy ran, else 0 */
    rc_change full;
    /* value_lazy: where each column's bytes start in each image (offsets
     * from raw.p; RC_LAZY_NULL, RC_LAZY_MISSING), once walked */
    uint32_t *off[2];
    uint32_t offcap;
    size_t walked; /* the row's length once walked, else 0 */
    /* per column of the table walked last: its fixed length, or
     * RC_LAZY_PREFIX | the bytes of its length prefix, or 0 (cell_len) */
    uint32_t *clen;
    /* for a full image without NULLs: bytes of the fixed-length columns
     * before each column, how many prefixed ones precede it, their list */
    uint32_t *fixed_before, *nvar_before, *vars, *var_acc[2];
    /* per image, as walked: 0 absent, 1 by the shortcut (start: where its
     * values begin; var_acc), 2 column by column (off) */
    int img_kind[2];
    uint32_t img_start[2];
    uint32_t nvars, fixed_sum;
    int no_shortcut; /* a column needs cell_len: walk column by column */
    uint32_t clencap;
    const rc_table *clen_t;
    uint64_t clen_gen;
    rc_value one; /* the column value_lazy decoded last */
    rc_buf copy;  /* its text, when checked (ROWCAST_ROWS_CROSSCHECK) */
    int check;    /* ROWCAST_ROWS_CROSSCHECK */
} rc_lazy;
#define RC_LAZY_PREFIX  0x80000000u
#define RC_LAZY_NULL    UINT32_MAX
#define RC_LAZY_MISSING (UINT32_MAX - 1)

struct rc_decoder {
    rc_decoder_opts opts;
    rc_handler h;

    /* FORMAT_DESCRIPTION */
    int have_fde;
    int checksum; /* 0 none, 1 CRC32 */
    uint16_t binlog_version;
    uint8_t post_header[256];
    int is_mariadb;

    char file[512];
    rc_meta meta; /* of the event being decoded */

    /* transaction */
    int in_txn;
    char gtid_text[128]; /* GTID of the current transaction, "" if none */
    int gtid_pending;    /* a GTID event announced the transaction */
    int gtid_standalone; /* MariaDB FL_STANDALONE: ends after one statement */
    /* MariaDB: GTID of the transaction not yet folded into gtid_state */
    uint32_t pend_domain, pend_server;
    uint64_t pend_seq;
    int pend_kind; /* 0 none, 1 MariaDB, 2 MySQL */
    char pend_sid[80];

    rc_gtid_state gtid;

    /* TRANSACTION_PAYLOAD: the inner events' stream (zstd), decoded a window
     * at a time; while inside, transaction ends report the outer event's end. */
    void *zstd; /* ZSTD_DCtx, made on first use */
    rc_buf window;
    int in_payload;
    uint64_t payload_next;

    /* table maps by id */
    rc_tmap **tmaps;
    size_t ntmap_buckets;
    rc_tmap *last_tmap;
    uint64_t ddl_epoch;

    /* scratch: decompressed events, formatted values of a row */
    rc_buf unzip;
    rc_buf scratch;
    /* Text of unbounded length made from a row's values (JSON documents,
     * WKT, vectors). It may move while a row grows it, so values record an
     * offset and are pointed at it once the row is done (fix/nfix). */
    rc_buf vtext;
    rc_value **fix;
    size_t nfix, fixcap;
    /* partial JSON updates: diff values as text, the applied document, the
     * diffs of columns that could not be applied */
    rc_buf difftext, diffout, jdiff, jents;
    rc_lazy lazy;
};

/* rc_tablemap.c */
int rc_dec_table_map(rc_decoder *d, rc_rd *r, uint64_t evoff, rc_err *err);
rc_tmap *rc_dec_find_table(rc_decoder *d, uint64_t id);
void rc_dec_free_tables(rc_decoder *d);

/* rc_rows.c: r covers the post-header and body (checksum removed). */
int rc_dec_rows(rc_decoder *d, int type, rc_rd *r, uint64_t evoff, rc_err *err);

/* rc_gtid.c */
void rc_gtid_add_maria(rc_gtid_state *g, uint32_t domain, uint32_t server, uint64_t seq);
void rc_gtid_add_mysql(rc_gtid_state *g, const char *sid, uint64_t lo, uint64_t hi);
void rc_gtid_clear(rc_gtid_state *g);
void rc_gtid_format(const rc_gtid_state *g, rc_buf *out);
int rc_gtid_parse(rc_gtid_state *g, const char *text, rc_err *err);
void rc_gtid_free(rc_gtid_state *g);

/* Formats "offset N: " errors for corrupt input. */
int rc_dec_corrupt(rc_err *err, uint64_t off, const char *what);

#endif
