/* rowcast filter --point POINT --filter FILE.lua...: runs filter scripts over
 * JSON events (the seed format, one per line on stdin) and writes the events
 * they keep, as the scripts left them, to stdout. The receive and apply
 * points of `rowcast apply` see events this way (rc_jevent); capture and
 * publish scripts run here through the same JSON binding, so any point's
 * script can be tried on saved output without a server.
 *
 * Each script has its own Lua state (its globals live across events); the
 * event passes from one script to the next as JSON text, since a table
 * cannot move between states. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "filter/rc_jscript.h"
#include "filter/rc_lua.h"

static int rc_write_all(rc_buf *out, rc_err *err)
{
    size_t off = 0;
    while (off < out->len) {
        ssize_t k = write(1, out->data + off, out->len - off);
        if (k < 0) {
            if (errno == EINTR) continue;
            return rc_err_set(err, RC_E_IO, "cannot write events: %s", strerror(errno));
        }
        off += (size_t)k;
    }
    out->len = 0;
    return 0;
}

/* Runs every script on one event (text, n). Returns 1 with the event's new
 * text in *res (a buffer of its own) to keep it, 0 to drop it, -1 on error;
 * *bad_input is set when the input itself is not a JSON event. */
static int rc_run_scripts(rc_lua **scripts, int n, const char *text, size_t len, rc_buf *a,
                          rc_buf *b, rc_buf **res, int *bad_input, rc_err *err)
{
    rc_buf *cur = NULL;
    for (int i = 0; i < n; i++) {
        cur = cur == a ? b : a;
        int rc = rc_jscript_run(scripts[i], text, len, cur, NULL, err);
        if (rc == -2) {
            *bad_input = i == 0 && err->code == RC_E_CORRUPT;
            if (!*bad_input) {
                char msg[sizeof err->msg];
                memcpy(msg, err->msg, sizeof msg);
                rc_err_set(err, err->code, "%s: %s", rc_lua_path(scripts[i]), msg);
            }
            return -1;
        }
        if (rc <= 0) return rc;
        text = cur->data;
        len = cur->len;
    }
    *res = cur;
    return 1;
}

int cmd_filter(int argc, char **argv)
{
    static const struct option longopts[] = {{"point", required_argument, 0, 'p'},
                                             {"filter", required_argument, 0, 'f'},
                                             {"debug", no_argument, 0, 'd'},
                                             {0, 0, 0, 0}};
    const char *point = NULL;
    const char **paths = NULL;
    int npaths = 0;
    int ch;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': point = optarg; break;
        case 'f':
            paths = rc_xrealloc(paths, (size_t)(npaths + 1) * sizeof *paths);
            paths[npaths++] = optarg;
            break;
        case 'd': rc_log_min = RC_LOG_DEBUG; break;
        default:
            free(paths);
            return rc_cli_usage("filter: unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    int bad = 0;
    if (optind < argc)
        bad = rc_cli_usage("filter: unexpected argument '%s' (events come on stdin)", argv[optind]);
    else if (!point)
        bad = rc_cli_usage("filter needs --point capture|publish|receive|apply");
    else if (strcmp(point, "capture") && strcmp(point, "publish") && strcmp(point, "receive") &&
             strcmp(point, "apply"))
        bad = rc_cli_usage("unknown --point '%s' (expected capture, publish, receive or apply)",
                           point);
    else if (!npaths)
        bad = rc_cli_usage("filter needs at least one --filter FILE.lua");
    if (bad) {
        free(paths);
        return bad;
    }

    rc_err err = {0};
    rc_lua **scripts = rc_xcalloc((size_t)npaths, sizeof *scripts);
    int status = 0;
    for (int i = 0; i < npaths && !status; i++) {
        scripts[i] = rc_lua_open(paths[i], point, NULL, &err);
        if (!scripts[i]) status = -1;
    }
    rc_buf out, a, b;
    rc_buf_init(&out);
    rc_buf_init(&a);
    rc_buf_init(&b);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long long lineno = 0;
    while (!status && (got = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        size_t sp = 0;
        while (sp < len && (line[sp] == ' ' || line[sp] == '\t'))
            sp++;
        if (sp == len) continue; /* blank lines carry no event */
        rc_buf *res = NULL;
        int bad_input = 0;
        int keep = rc_run_scripts(scripts, npaths, line, len, &a, &b, &res, &bad_input, &err);
        if (keep < 0) {
            char msg[sizeof err.msg];
            memcpy(msg, err.msg, sizeof msg);
            if (bad_input)
                rc_err_set(&err, RC_E_CORRUPT, "stdin:%llu: bad JSON event: %s", lineno, msg);
            else
                rc_err_set(&err, err.code, "%s (event on stdin line %llu)", msg, lineno);
            status = -1;
            break;
        }
        if (keep) {
            rc_buf_put(&out, res->data, res->len);
            rc_buf_putc(&out, '\n');
            if (out.len >= (64u << 10) && rc_write_all(&out, &err) < 0) status = -1;
        }
    }
    if (!status && ferror(stdin)) {
        rc_err_set(&err, RC_E_IO, "cannot read events from stdin: %s", strerror(errno));
        status = -1;
    }
    /* Events kept before an error are written before it is reported. */
    rc_err ferr = {0};
    if (rc_write_all(&out, &ferr) < 0 && !status) {
        err = ferr;
        status = -1;
    }
    free(line);
    rc_buf_free(&out);
    rc_buf_free(&a);
    rc_buf_free(&b);
    for (int i = 0; i < npaths; i++)
        rc_lua_close(scripts[i]);
    free(scripts);
    free(paths);
    return status ? rc_cli_fail(&err) : 0;
}
