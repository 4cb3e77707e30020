/* rowcast subscribe URL: the seed README's first sample client. Prints each
 * event of a group as one JSON line on stdout, for any transport that can be
 * read back (docs/sinks.md). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "sink/rc_sink.h"

static volatile int g_sub_stop;

static void on_stop(int sig)
{
    (void)sig;
    g_sub_stop = 1;
}

int cmd_subscribe(int argc, char **argv)
{
    static const struct option longopts[] = {{"durable", required_argument, 0, 'D'},
                                             {"count", required_argument, 0, 'n'},
                                             {"debug", no_argument, 0, 'd'},
                                             {0, 0, 0, 0}};
    const char *durable = NULL;
    uint64_t count = 0;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'D': durable = optarg; break;
        case 'n': {
            char *end;
            count = strtoull(optarg, &end, 10);
            if (*end || !count) return rc_cli_usage("--count must be a positive number");
            break;
        }
        case 'd': rc_log_min = RC_LOG_DEBUG; break;
        default:
            return rc_cli_usage("subscribe: unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return rc_cli_usage("subscribe needs one URL, e.g. nats://HOST:PORT/SUBJECT");
    const char *text = argv[optind];
    rc_err err = {0};
    const rc_sink_ops *ops = rc_sink_find(text);
    if (!ops) return rc_cli_usage("subscribe: unknown transport in '%s'", text);
    if (!ops->subscribe)
        return rc_cli_usage("subscribe: %s: events written there cannot be subscribed to",
                            ops->scheme);
    rc_url url;
    if (rc_url_parse_as(text, "subscribe", &url, &err) < 0) return rc_cli_fail(&err);
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = ops->subscribe(&url, durable, count, &g_sub_stop, &err);
    rc_url_free(&url);
    return rc < 0 ? rc_cli_fail(&err) : 0;
}
