/* The subcommands and what they share. Each cmd_* returns the process exit
 * status; errors are printed by rc_cli_fail as one line on stderr. */
#ifndef RC_CLI_H
#define RC_CLI_H

#include <stddef.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"
#include "encode/rc_enc.h"
#include "filter/rc_filter.h"
#include "mysql/rc_url.h"

int cmd_read(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_subscribe(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_triggers(int argc, char **argv);

/* Prints "rowcast: msg" and returns the exit status for err. */
int rc_cli_fail(const rc_err *err);
int rc_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rc_cli_parse_format(const char *s, rc_format *out);

/* Writes the complete events in out to fd and removes them from out. */
int rc_cli_flush(int fd, rc_buf *out, rc_enc *enc, rc_err *err);

/* Filter options shared by stream and read (values for getopt_long). */
enum {
    RC_OPT_FILTER = 1000,
    RC_OPT_INCLUDE,
    RC_OPT_EXCLUDE,
    RC_OPT_EXCLUDE_COLUMN,
    RC_OPT_OPERATIONS,
};
#define RC_CLI_FILTER_OPTIONS                                                                      \
    {"filter", required_argument, 0, RC_OPT_FILTER},                                               \
        {"include", required_argument, 0, RC_OPT_INCLUDE},                                         \
        {"exclude", required_argument, 0, RC_OPT_EXCLUDE},                                         \
        {"exclude-column", required_argument, 0, RC_OPT_EXCLUDE_COLUMN},                           \
    {                                                                                              \
        "operations", required_argument, 0, RC_OPT_OPERATIONS                                      \
    }

typedef struct rc_cli_filters {
    rc_fchain *capture;
    rc_fchain *publish; /* of the one sink this version has: stdout */
    int used;           /* an option added a rule or a script */
} rc_cli_filters;

int rc_cli_filters_init(rc_cli_filters *f);
void rc_cli_filters_free(rc_cli_filters *f);
int rc_cli_filters_option(rc_cli_filters *f, int opt, const char *arg, rc_err *err);
/* Capture, then publish: 1 keep (*out), 0 discard, -1 error. */
int rc_cli_filters_run(rc_cli_filters *f, const rc_change *c, const rc_change **out, rc_err *err);

/* rowcast stream with a mysql-outbox:// source (trigger capture): polls the
 * outbox instead of reading the binlog. sinks: nsinks URLs (stdout: when 0). */
int cmd_stream_outbox(const rc_url *url, const char *const *sinks, int nsinks,
                      const rc_enc_opts *eo, rc_cli_filters *filters, int stop_at_end);

#endif
