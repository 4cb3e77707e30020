/* rc_log: one line per message on stderr, prefixed so it can be told from
 * a subscriber's output when both share a terminal. */
#include "rc_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rc_log_level rc_log_min = RC_LOG_INFO;

void rc_log_init_from_env(void)
{
    const char *v = getenv("ROWCAST_LOG");
    if (!v) return;
    if (!strcmp(v, "debug"))
        rc_log_min = RC_LOG_DEBUG;
    else if (!strcmp(v, "info"))
        rc_log_min = RC_LOG_INFO;
    else if (!strcmp(v, "warn"))
        rc_log_min = RC_LOG_WARN;
    else if (!strcmp(v, "error"))
        rc_log_min = RC_LOG_ERROR;
}

void rc_log(rc_log_level lvl, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    if (lvl < rc_log_min) return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rowcast: %s: %s\n", names[lvl], line);
}
