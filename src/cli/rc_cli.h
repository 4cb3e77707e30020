/* The subcommands and what they share. Each cmd_* returns the process exit
 * status; errors are printed by rc_cli_fail as one line on stderr. */
#ifndef RC_CLI_H
#define RC_CLI_H

#include <stddef.h>

#include "core/rc_buf.h"
#include "core/rc_err.h"
#include "encode/rc_enc.h"

int cmd_read(int argc, char **argv);
int cmd_stream(int argc, char **argv);

/* Prints "rowcast: msg" and returns the exit status for err. */
int rc_cli_fail(const rc_err *err);
int rc_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rc_cli_parse_format(const char *s, rc_format *out);

/* Writes the complete events in out to fd and removes them from out. */
int rc_cli_flush(int fd, rc_buf *out, rc_enc *enc, rc_err *err);

#endif
