/* rc_err: formatting of user-facing errors (see rc_err.h). */
#include "rc_err.h"

#include <stdarg.h>
#include <stdio.h>

int rc_err_set(rc_err *err, rc_errcode code, const char *fmt, ...)
{
    if (!err) return -1;
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int rc_err_exit_status(rc_errcode code)
{
    switch (code) {
    case RC_OK: return 0;
    case RC_E_USAGE: return 2;
    case RC_E_CONNECT:
    case RC_E_AUTH:
    case RC_E_PRIV:
    case RC_E_CONFIG: return 3;
    case RC_E_POSITION: return 4;
    case RC_E_CORRUPT: return 5;
    default: return 1;
    }
}
