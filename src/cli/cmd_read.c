/* rowcast read FILE...: binlog files on disk to JSON lines on stdout.
 * With no server, keys are the primary key the table map carries
 * (binlog_row_metadata=FULL); see docs/read.md. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "decode/rc_file.h"

typedef struct read_ctx {
    rc_enc *enc;
    rc_cli_filters filters;
    rc_buf out;
    rc_err *err;
} read_ctx;

static int on_change(void *p, const rc_change *c)
{
    read_ctx *x = p;
    const rc_change *out = c;
    int keep = rc_cli_filters_run(&x->filters, c, &out, x->err);
    if (keep < 0) return -1;
    if (keep && rc_enc_change(x->enc, out, x->err) < 0) return -1;
    if (rc_enc_complete(x->enc) >= (256u << 10)) return rc_cli_flush(1, &x->out, x->enc, x->err);
    return 0;
}

static int on_txn_end(void *p, const rc_txn_end *t)
{
    read_ctx *x = p;
    rc_enc_txn_end(x->enc, t);
    return 0;
}

int cmd_read(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, 0, 'f'},
                                             {"no-queries", no_argument, 0, 'Q'},
                                             {"debug", no_argument, 0, 'd'},
                                             RC_CLI_FILTER_OPTIONS,
                                             {0, 0, 0, 0}};
    rc_enc_opts eo = {0};
    read_ctx x = {0};
    rc_err err = {0};
    rc_cli_filters_init(&x.filters);
    int ch;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (rc_cli_parse_format(optarg, &eo.format) < 0)
                return rc_cli_usage("unknown --format '%s'", optarg);
            break;
        case 'Q': eo.no_queries = 1; break;
        case 'd': rc_log_min = RC_LOG_DEBUG; break;
        case RC_OPT_FILTER:
        case RC_OPT_INCLUDE:
        case RC_OPT_EXCLUDE:
        case RC_OPT_EXCLUDE_COLUMN:
        case RC_OPT_OPERATIONS:
            if (rc_cli_filters_option(&x.filters, ch, optarg, &err) < 0) {
                rc_cli_filters_free(&x.filters);
                return rc_cli_fail(&err);
            }
            break;
        default: return rc_cli_usage("read: unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (optind >= argc) return rc_cli_usage("read needs at least one binlog FILE");

    x.err = &err;
    rc_buf_init(&x.out);
    x.enc = rc_enc_new(&eo, &x.out);
    rc_handler h = {.ctx = &x, .change = on_change, .txn_end = on_txn_end};
    /* Rows reach the encoder undecoded; filters and formats that read values
     * decode them (rc_change_values). */
    rc_decoder_opts dopts = {.checksum_hint = -1, .lazy_rows = 1};
    rc_decoder *d = rc_decoder_new(&dopts, &h);
    int status = 0;
    for (int i = optind; i < argc; i++) {
        if (rc_file_decode(argv[i], d, &err) < 0) {
            status = -1;
            break;
        }
    }
    rc_enc_finish(x.enc);
    rc_err ferr = {0};
    /* Events decoded before an error are written before it is reported. */
    if (rc_cli_flush(1, &x.out, x.enc, &ferr) < 0 && status == 0) {
        err = ferr;
        status = -1;
    }
    rc_decoder_free(d);
    rc_enc_free(x.enc);
    rc_cli_filters_free(&x.filters);
    rc_buf_free(&x.out);
    return status < 0 ? rc_cli_fail(&err) : 0;
}
