/* rowcast apply --from URL --target mysql://...: the receiving end of a
 * replication pipeline. Subscribes to a group on any transport that can be
 * read back (the transport's consume op) and hands each event to rc_apply,
 * which filters it (receive, apply points) and writes it into the target
 * database exactly once. docs/apply.md. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "apply/rc_apply.h"
#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "sink/rc_sink.h"

static volatile int g_apply_stop;

/* A whole number in [lo, hi]. */
static int rc_cli_number(const char *s, unsigned long long lo, unsigned long long hi,
                         unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi || *s == '-') return -1;
    *out = v;
    return 0;
}

static void rc_apply_on_stop(int sig)
{
    (void)sig;
    g_apply_stop = 1;
}

int cmd_apply(int argc, char **argv)
{
    enum {
        OPT_FROM = 1,
        OPT_TARGET,
        OPT_FILTER,
        OPT_DURABLE,
        OPT_CONFLICT,
        OPT_DEBUG,
        OPT_RELAY,
        OPT_RELAY_SIZE,
        OPT_RELAY_SEGS,
        OPT_WORKERS
    };
    static const struct option longopts[] = {
        {"from", required_argument, 0, OPT_FROM},
        {"target", required_argument, 0, OPT_TARGET},
        {"filter", required_argument, 0, OPT_FILTER},
        {"durable", required_argument, 0, OPT_DURABLE},
        {"on-conflict", required_argument, 0, OPT_CONFLICT},
        {"debug", no_argument, 0, OPT_DEBUG},
        {"relay-log", required_argument, 0, OPT_RELAY},
        {"relay-log-size", required_argument, 0, OPT_RELAY_SIZE},
        {"relay-log-segments", required_argument, 0, OPT_RELAY_SEGS},
        {"workers", required_argument, 0, OPT_WORKERS},
        {0, 0, 0, 0}};
    const char *from = NULL, *target = NULL, *durable = NULL, *relay = NULL;
    unsigned long long relay_size = 16ull << 20, relay_segs = 64, workers = 1;
    const char **receive = NULL, **apply = NULL;
    int nreceive = 0, napply = 0, bad = 0, ch;
    rc_conflict conflict = RC_CONFLICT_STOP;
    opterr = 0;
    while (!bad && (ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_FROM: from = optarg; break;
        case OPT_TARGET: target = optarg; break;
        case OPT_DURABLE: durable = optarg; break;
        case OPT_CONFLICT:
            if (rc_conflict_parse(optarg, &conflict) < 0)
                bad = rc_cli_usage("--on-conflict '%s': expected stop, overwrite or skip", optarg);
            break;
        case OPT_FILTER:
            /* POINT=FILE.lua, the points of this side of the pipeline. */
            if (!strncmp(optarg, "receive=", 8) && optarg[8]) {
                receive = rc_xrealloc(receive, (size_t)(nreceive + 1) * sizeof *receive);
                receive[nreceive++] = optarg + 8;
            } else if (!strncmp(optarg, "apply=", 6) && optarg[6]) {
                apply = rc_xrealloc(apply, (size_t)(napply + 1) * sizeof *apply);
                apply[napply++] = optarg + 6;
            } else {
                bad = rc_cli_usage("--filter '%s': expected receive=FILE.lua or apply=FILE.lua "
                                   "(capture and publish scripts run in rowcast stream)",
                                   optarg);
            }
            break;
        case OPT_DEBUG: rc_log_min = RC_LOG_DEBUG; break;
        case OPT_RELAY: relay = optarg; break;
        case OPT_RELAY_SIZE:
            if (rc_cli_number(optarg, 4096, 1ull << 40, &relay_size) < 0)
                bad =
                    rc_cli_usage("--relay-log-size '%s': a number of bytes, 4096 or more", optarg);
            break;
        case OPT_RELAY_SEGS:
            if (rc_cli_number(optarg, 2, 100000, &relay_segs) < 0)
                bad = rc_cli_usage("--relay-log-segments '%s': a number, 2 or more", optarg);
            break;
        case OPT_WORKERS:
            if (rc_cli_number(optarg, 1, 64, &workers) < 0)
                bad = rc_cli_usage("--workers '%s': a number from 1 to 64", optarg);
            break;
        default: bad = rc_cli_usage("apply: unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (!bad && optind < argc) bad = rc_cli_usage("apply: unexpected argument '%s'", argv[optind]);
    if (!bad && (!from || !target))
        bad = rc_cli_usage("apply needs --from URL (nats://, jetstream://, redis://) and "
                           "--target mysql://USER[:PASSWORD]@HOST:PORT");
    const rc_sink_ops *ops = NULL;
    if (!bad) {
        ops = rc_sink_find(from);
        if (!ops)
            bad = rc_cli_usage("apply: unknown transport in '%s'", from);
        else if (!ops->consume)
            bad = rc_cli_usage("apply: %s: events written there cannot be subscribed to",
                               ops->scheme);
    }
    if (bad) {
        free(receive);
        free(apply);
        return bad;
    }

    rc_err err = {0};
    rc_url furl = {0}, turl = {0};
    rc_apply *a = NULL;
    int rc = -1;
    if (rc_url_parse_as(from, "subscribe", &furl, &err) < 0 ||
        rc_url_parse_as(target, "target", &turl, &err) < 0)
        goto out;
    if (strncmp(turl.scheme, "mysql", 5)) {
        rc_err_set(&err, RC_E_USAGE, "--target must be mysql://USER[:PASSWORD]@HOST:PORT");
        goto out;
    }
    rc_apply_opts o = {.name = durable,
                       .on_conflict = conflict,
                       .receive = receive,
                       .nreceive = nreceive,
                       .apply = apply,
                       .napply = napply,
                       .relay_dir = relay,
                       .relay_segment_size = relay_size,
                       .relay_max_segments = (int)relay_segs,
                       .workers = (int)workers,
                       .stop = &g_apply_stop};
    struct sigaction sa = {.sa_handler = rc_apply_on_stop};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    a = rc_apply_open(&turl, &o, &err);
    if (!a) goto out;
    rc = rc_apply_run(a, ops, &furl, durable, &err);
    const rc_apply_stats *st = rc_apply_stats_of(a);
    rc_info("apply: %llu events received, %llu applied, %llu discarded by filters, %llu already "
            "on the target, %llu conflicts, %llu transactions, %llu reconnects",
            (unsigned long long)st->received, (unsigned long long)st->applied,
            (unsigned long long)st->discarded, (unsigned long long)st->duplicates,
            (unsigned long long)st->conflicts, (unsigned long long)st->transactions,
            (unsigned long long)st->reconnects);
out:
    rc_apply_close(a);
    rc_url_free(&furl);
    rc_url_free(&turl);
    free(receive);
    free(apply);
    return rc < 0 ? rc_cli_fail(&err) : 0;
}
