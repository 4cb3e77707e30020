/* rc_err: the error a caller can act on.
 *
 * Every fallible function takes an rc_err * and returns -1 after filling it
 * (0 on success). The message is one line, already worded for the user: the
 * CLI prints it as "rowcast: <msg>" and exits with the code's exit status. */
#ifndef RC_ERR_H
#define RC_ERR_H

#include <stddef.h>

typedef enum rc_errcode {
    RC_OK = 0,
    RC_E_USAGE,    /* bad command line, bad URL */
    RC_E_CONNECT,  /* server unreachable */
    RC_E_AUTH,     /* login refused */
    RC_E_PRIV,     /* missing privilege */
    RC_E_CONFIG,   /* server misconfigured for capture (binlog off, not ROW, ...) */
    RC_E_POSITION, /* start position not on the server */
    RC_E_CORRUPT,  /* bad bytes in a binlog file or stream */
    RC_E_IO,       /* local file or pipe error */
    RC_E_SERVER,   /* the server said something else went wrong */
    RC_E_LOST,     /* connection lost: the caller may reconnect */
    RC_E_SCHEMA,   /* table definition does not match the row */
    RC_E_INTERNAL,
} rc_errcode;

typedef struct rc_err {
    rc_errcode code;
    char msg[1024];
} rc_err;

/* Fills err (if not NULL) and returns -1, so callers can `return rc_err_set(...)`. */
int rc_err_set(rc_err *err, rc_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Exit status for an error code: 2 usage, 3 connection/auth/privilege/config,
 * 4 position, 5 corrupt input, 1 anything else. */
int rc_err_exit_status(rc_errcode code);

#endif
