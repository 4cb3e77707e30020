/* rc_url: source/target URLs, SCHEME://[USER[:PASSWORD]@]HOST[:PORT][/PATH][?k=v&...],
 * e.g. mysql://USER[:PASSWORD]@HOST[:PORT][/DB][?k=v&...].
 * Percent-escapes in user and password are decoded. A raw '@' or '/' in a
 * password also works (the user part ends at the last '@' before any '?');
 * a '?' in a password must be written %3F. HOST may be an IPv6 literal in
 * brackets ([::1]:3306); url->host holds it without brackets.
 * Default port: 3306 for mysql* schemes, 4222 for nats, else 0.
 * mysql* schemes require a user. Errors are RC_E_USAGE, quote the URL with
 * the password masked, and show the expected shape, e.g.
 * "bad source URL 'x': expected mysql://USER[:PASSWORD]@HOST:PORT". */
#ifndef RC_URL_H
#define RC_URL_H

#include "core/rc_err.h"

typedef struct rc_url {
    char *scheme;   /* lower case: "mysql", "mysql-outbox", ... */
    char *user;     /* "" if absent */
    char *password; /* NULL if absent */
    char *host;
    unsigned port;
    char *path;  /* after the first '/' of the path, without it; "" if none */
    char *query; /* raw text after '?', "" if none */
} rc_url;

/* Parses text into out (which the caller frees with rc_url_free; on error out
 * holds nothing and freeing it is harmless). Messages say "bad source URL". */
int rc_url_parse(const char *text, rc_url *out, rc_err *err);
/* The same; what names the URL in messages: "target" -> "bad target URL ...". */
int rc_url_parse_as(const char *text, const char *what, rc_url *out, rc_err *err);
/* Value of key in url->query, percent-decoded (malloc'ed, the caller frees);
 * "" for a key without '='; NULL if absent. */
char *rc_url_param(const rc_url *url, const char *key);
void rc_url_free(rc_url *url);
/* A deep copy of src into dst (freed with rc_url_free), for a module that
 * keeps a URL beyond its caller's (reconnects). */
void rc_url_copy(rc_url *dst, const rc_url *src);

#endif
