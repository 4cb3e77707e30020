/* The filter options `stream` and `read` share: --filter POINT=FILE.lua for
 * the capture and publish points, and the plain rules. The receive and
 * apply points belong to `rowcast apply`. */
#include <string.h>

#include "cli/rc_cli.h"

int rc_cli_filters_init(rc_cli_filters *f)
{
    f->used = 0;
    f->capture = rc_fchain_new("capture");
    f->publish = rc_fchain_new("publish");
    return 0;
}

void rc_cli_filters_free(rc_cli_filters *f)
{
    rc_fchain_free(f->capture);
    rc_fchain_free(f->publish);
}

int rc_cli_filters_option(rc_cli_filters *f, int opt, const char *arg, rc_err *err)
{
    rc_rules *r = rc_fchain_rules(f->capture);
    f->used = 1; /* (an option that fails ends the command) */
    int rc;
    switch (opt) {
    case RC_OPT_FILTER: {
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg || !eq[1])
            return rc_err_set(
                err, RC_E_USAGE,
                "--filter '%s': expected POINT=FILE.lua (POINT is capture or publish)", arg);
        size_t n = (size_t)(eq - arg);
        if (n == 7 && !strncmp(arg, "capture", 7))
            return rc_fchain_add_script(f->capture, eq + 1, err);
        if (n == 7 && !strncmp(arg, "publish", 7))
            return rc_fchain_add_script(f->publish, eq + 1, err);
        if ((n == 7 && !strncmp(arg, "receive", 7)) || (n == 5 && !strncmp(arg, "apply", 5)))
            return rc_err_set(err, RC_E_USAGE,
                              "--filter '%s': the %.*s point belongs to rowcast apply, not here",
                              arg, (int)n, arg);
        return rc_err_set(err, RC_E_USAGE,
                          "--filter '%s': unknown point '%.*s' (capture, publish, receive, apply)",
                          arg, (int)n, arg);
    }
    case RC_OPT_INCLUDE: rc = rc_rules_include(r, arg, err); break;
    case RC_OPT_EXCLUDE: rc = rc_rules_exclude(r, arg, err); break;
    case RC_OPT_EXCLUDE_COLUMN: rc = rc_rules_exclude_column(r, arg, err); break;
    case RC_OPT_OPERATIONS: rc = rc_rules_operations(r, arg, err); break;
    default: return rc_err_set(err, RC_E_INTERNAL, "unknown filter option %d", opt);
    }
    if (rc == 0) rc_fchain_rules_used(f->capture);
    return rc;
}

int rc_cli_filters_run(rc_cli_filters *f, const rc_change *c, const rc_change **out, rc_err *err)
{
    if (!f->used) { /* nothing to run: the common case costs a test */
        *out = c;
        return 1;
    }
    const rc_change *mid;
    int rc = rc_fchain_run(f->capture, c, &mid, err);
    if (rc <= 0) return rc;
    return rc_fchain_run(f->publish, mid, out, err);
}
