/* rowcast: entry point; dispatches to a subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"

#define RC_VERSION "0.1.0"

static void usage(FILE *f)
{
    fputs("usage: rowcast COMMAND [OPTIONS]\n"
          "\n"
          "  stream --source mysql://USER[:PASSWORD]@HOST:PORT [--start "
          "beginning|now|FILE:POS|gtid:SET]\n"
          "         [--server-id N] [--stop-at-end] [--checkpoint PATH] [--format "
          "seed|maxwell|debezium]\n"
          "         [--no-queries] [--heartbeat SECONDS] [--sink URL]...\n"
          "         [--filter capture|publish=FILE.lua]... [--include|--exclude PATTERN]...\n"
          "         [--exclude-column PATTERN]... [--operations LIST]\n"
          "      capture every row change from the server's binlog as JSON events to the\n"
          "      sinks (stdout:, file:PATH, nats://, jetstream://, redis://; stdout by default)\n"
          "  stream --source mysql-outbox://USER[:PASSWORD]@HOST:PORT/SCHEMA [--sink URL]...\n"
          "         [--stop-at-end] [--filter capture|publish=FILE.lua]...\n"
          "      publish and empty the outbox that `rowcast triggers` fills (trigger capture)\n"
          "  read [--format seed|maxwell|debezium] FILE...\n"
          "      decode binlog files on disk to the same JSON lines\n"
          "  subscribe URL [--durable NAME] [--count N]\n"
          "      print the events of a group (nats://, jetstream://, redis://) as JSON lines\n"
          "  filter --point capture|publish|receive|apply --filter FILE.lua...\n"
          "      run Lua filter scripts over JSON events on stdin; kept events to stdout\n"
          "  apply --from URL --target mysql://USER[:PASSWORD]@HOST:PORT [--durable NAME]\n"
          "        [--filter receive|apply=FILE.lua]... [--on-conflict stop|overwrite|skip]\n"
          "      apply the events of a group to another database, exactly once\n"
          "  triggers -u USER [-p PASSWORD] [-h HOST] [-P PORT] [--socket PATH] -s SCHEMA\n"
          "           [-t 'TABLE ...'] [-g GROUP] [--outbox NAME] [--drop]\n"
          "      print trigger-capture DDL (the seed's smpl-repl) for servers whose binlog\n"
          "      cannot be read; stream it with --source mysql-outbox://USER@HOST:PORT/SCHEMA\n"
          "  version\n"
          "\n"
          "Errors print one line on stderr and exit non-zero (2 usage, 3 connection or\n"
          "server setup, 4 start position, 5 corrupt input). ROWCAST_LOG=debug for detail.\n",
          f);
}

int rc_cli_fail(const rc_err *err)
{
    fprintf(stderr, "rowcast: %s\n", err->msg);
    return rc_err_exit_status(err->code);
}

int rc_cli_usage(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rowcast: %s (see rowcast --help)\n", msg);
    return 2;
}

int rc_cli_parse_format(const char *s, rc_format *out)
{
    return rc_format_parse(s, out);
}

int rc_cli_flush(int fd, rc_buf *out, rc_enc *enc, rc_err *err)
{
    size_t n = rc_enc_complete(enc), off = 0;
    while (off < n) {
        ssize_t k = write(fd, out->data + off, n - off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return rc_err_set(err, RC_E_IO, "cannot write events: %s", strerror(errno));
        }
        off += (size_t)k;
    }
    if (n) memmove(out->data, out->data + n, out->len - n);
    out->len -= n;
    rc_enc_consumed(enc, n);
    return 0;
}

int main(int argc, char **argv)
{
    rc_log_init_from_env();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "stream")) return cmd_stream(argc - 1, argv + 1);
    if (!strcmp(cmd, "read")) return cmd_read(argc - 1, argv + 1);
    if (!strcmp(cmd, "subscribe")) return cmd_subscribe(argc - 1, argv + 1);
    if (!strcmp(cmd, "filter")) return cmd_filter(argc - 1, argv + 1);
    if (!strcmp(cmd, "apply")) return cmd_apply(argc - 1, argv + 1);
    if (!strcmp(cmd, "triggers")) return cmd_triggers(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        puts("rowcast " RC_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    return rc_cli_usage("unknown command '%s'", cmd);
}
