/* rc_log: diagnostics on stderr. Events go to sinks, never here.
 * The level comes from --debug / --quiet or ROWCAST_LOG=debug|info|warn|error. */
#ifndef RC_LOG_H
#define RC_LOG_H

typedef enum { RC_LOG_DEBUG, RC_LOG_INFO, RC_LOG_WARN, RC_LOG_ERROR } rc_log_level;

extern rc_log_level rc_log_min;

void rc_log_init_from_env(void);
void rc_log(rc_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define rc_debug(...)                                                                              \
    do {                                                                                           \
        if (rc_log_min <= RC_LOG_DEBUG) rc_log(RC_LOG_DEBUG, __VA_ARGS__);                         \
    } while (0)
#define rc_info(...) rc_log(RC_LOG_INFO, __VA_ARGS__)
#define rc_warn(...) rc_log(RC_LOG_WARN, __VA_ARGS__)

#endif
