/* rc_url: source/target URLs, mysql://USER[:PASSWORD]@HOST[:PORT][/DB][?k=v&...].
 * Percent-escapes in user and password are decoded. Default port 3306. */
#ifndef RC_URL_H
#define RC_URL_H

#include "core/rc_err.h"

typedef struct rc_url {
    char *scheme;   /* "mysql", "mysql-outbox", ... */
    char *user;     /* "" if absent */
    char *password; /* NULL if absent */
    char *host;
    unsigned port;
    char *path;     /* after the first '/' of the path, without it; "" if none */
    char *query;    /* raw text after '?', "" if none */
} rc_url;

/* Parses text into out (which the caller frees with rc_url_free). */
int rc_url_parse(const char *text, rc_url *out, rc_err *err);
/* Value of key in url->query (malloc'ed), or NULL. */
char *rc_url_param(const rc_url *url, const char *key);
void rc_url_free(rc_url *url);

#endif
