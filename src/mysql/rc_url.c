/* rc_url: the first thing rowcast reads from the user. Every connection
 * (stream source, apply target, the schema cache) starts from one of these
 * URLs, so a mistake here is reported in the user's own words: the message
 * quotes the URL (password masked) and shows the expected shape.
 *
 * Accepted: SCHEME://[USER[:PASSWORD]@]HOST[:PORT][/PATH][?QUERY]
 *   - USER and PASSWORD may use percent-escapes (%40 for '@', %3A for ':').
 *     A password may also hold a raw '@' or '/': the user part ends at the
 *     last '@' before the query ('?'), so a raw '?' must be written %3F.
 *   - HOST may be an IPv6 literal in brackets: [::1]:3306.
 *   - mysql* schemes require a user (the replica protocol always logs in). */
#include "mysql/rc_url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/rc_buf.h"

static int is_mysql_scheme(const char *scheme, size_t n)
{
    return n >= 5 && !strncasecmp(scheme, "mysql", 5);
}

/* The shape shown after a parse error, by scheme. */
static const char *expected_shape(const char *scheme, size_t n)
{
    if (is_mysql_scheme(scheme, n)) return "mysql://USER[:PASSWORD]@HOST:PORT";
    return "SCHEME://[USER[:PASSWORD]@]HOST[:PORT][/PATH]";
}

/* The '@' that ends the user part: the last one before the query. */
static const char *at_sign(const char *rest)
{
    size_t n = strcspn(rest, "?");
    const char *at = NULL;
    for (const char *p = rest; p < rest + n; p++)
        if (*p == '@') at = p;
    return at;
}

/* The URL as it may appear in an error message: the password replaced with
 * "***" so it never reaches a terminal or a log. */
static void masked(const char *text, char *out, size_t outsz)
{
    const char *rest = strstr(text, "://");
    const char *at, *colon = NULL;
    rest = rest ? rest + 3 : text; /* "user:pw@host" without a scheme too */
    at = at_sign(rest);
    if (at) colon = memchr(rest, ':', (size_t)(at - rest));
    if (colon && at) {
        snprintf(out, outsz, "%.*s:***%s", (int)(colon - text), text, at);
    } else {
        snprintf(out, outsz, "%s", text);
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into a new string; NULL on a bad escape. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = rc_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

static void url_zero(rc_url *u)
{
    memset(u, 0, sizeof *u);
}

static unsigned default_port(const char *scheme)
{
    if (is_mysql_scheme(scheme, strlen(scheme))) return 3306;
    if (!strcasecmp(scheme, "nats")) return 4222;
    return 0;
}

int rc_url_parse_as(const char *text, const char *what, rc_url *out, rc_err *err)
{
    char shown[512];
    url_zero(out);
    if (!what || !*what) what = "source";
    if (!text) text = "";
    masked(text, shown, sizeof shown);

    /* scheme */
    const char *sep = strstr(text, "://");
    size_t slen = sep ? (size_t)(sep - text) : 0;
    int scheme_ok = slen > 0 && isalpha((unsigned char)text[0]);
    for (size_t i = 0; scheme_ok && i < slen; i++) {
        int c = (unsigned char)text[i];
        if (!isalnum(c) && c != '+' && c != '-' && c != '.') scheme_ok = 0;
    }
    if (!scheme_ok) {
        /* Without a scheme we cannot know the shape; a bare host:port is the
         * usual slip, so show the mysql one. */
        return rc_err_set(err, RC_E_USAGE, "bad %s URL '%s': expected %s", what, shown,
                          expected_shape("mysql", 5));
    }
    const char *shape = expected_shape(text, slen);
    const char *rest = sep + 3;

    /* The user part ends at the last '@' before the query, so a password
     * may hold a raw '@' or '/'; the authority then runs to the first '/'
     * or '?' after it. A '?' in a password must be written %3F. */
    const char *at = at_sign(rest);
    size_t auth_end = at ? (size_t)(at + 1 - rest) + strcspn(at + 1, "/?") : strcspn(rest, "/?");

    out->scheme = rc_xstrndup(text, slen);
    for (char *p = out->scheme; *p; p++)
        *p = (char)tolower((unsigned char)*p);

    const char *hostpart = rest;
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        size_t ulen = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
        out->user = pct_decode(rest, ulen);
        if (!out->user) {
            rc_url_free(out);
            return rc_err_set(err, RC_E_USAGE,
                              "bad %s URL '%s': bad percent-escape in the user name "
                              "(write %%XX with two hex digits)",
                              what, shown);
        }
        if (colon) {
            out->password = pct_decode(colon + 1, (size_t)(at - colon - 1));
            if (!out->password) {
                rc_url_free(out);
                return rc_err_set(err, RC_E_USAGE,
                                  "bad %s URL '%s': bad percent-escape in the password "
                                  "(write %%XX with two hex digits, %%25 for '%%')",
                                  what, shown);
            }
        }
        hostpart = at + 1;
    } else {
        out->user = rc_xstrndup("", 0);
    }
    const char *auth_stop = rest + auth_end;

    /* host */
    const char *h = hostpart, *hend;
    const char *portp = NULL;
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(auth_stop - h));
        if (!close) {
            rc_url_free(out);
            return rc_err_set(err, RC_E_USAGE,
                              "bad %s URL '%s': IPv6 address without closing ']'; expected %s",
                              what, shown, shape);
        }
        /* A zone id is written %25 in URLs (RFC 6874): fe80::1%25eth0. */
        out->host = pct_decode(h + 1, (size_t)(close - h - 1));
        if (!out->host) out->host = rc_xstrndup(h + 1, (size_t)(close - h - 1));
        hend = close + 1;
        if (hend < auth_stop) {
            if (*hend != ':') {
                rc_url_free(out);
                return rc_err_set(err, RC_E_USAGE,
                                  "bad %s URL '%s': unexpected text after ']'; expected %s", what,
                                  shown, shape);
            }
            portp = hend + 1;
        }
    } else {
        const char *colon = memchr(h, ':', (size_t)(auth_stop - h));
        hend = colon ? colon : auth_stop;
        out->host = rc_xstrndup(h, (size_t)(hend - h));
        if (colon) portp = colon + 1;
    }
    if (!*out->host || strchr(out->host, '@')) {
        rc_url_free(out);
        return rc_err_set(err, RC_E_USAGE, "bad %s URL '%s': no host; expected %s", what, shown,
                          shape);
    }

    /* port */
    out->port = default_port(out->scheme);
    if (portp) {
        size_t pn = (size_t)(auth_stop - portp);
        unsigned long v = 0;
        int ok = pn > 0 && pn <= 5;
        for (size_t i = 0; ok && i < pn; i++) {
            if (!isdigit((unsigned char)portp[i]))
                ok = 0;
            else
                v = v * 10 + (unsigned long)(portp[i] - '0');
        }
        if (!ok || v == 0 || v > 65535) {
            rc_url_free(out);
            return rc_err_set(err, RC_E_USAGE,
                              "bad %s URL '%s': port '%.*s' is not a number from 1 to 65535; "
                              "expected %s",
                              what, shown, (int)pn, portp, shape);
        }
        out->port = (unsigned)v;
    }

    if (is_mysql_scheme(out->scheme, strlen(out->scheme)) && !*out->user) {
        rc_url_free(out);
        return rc_err_set(err, RC_E_USAGE, "bad %s URL '%s': no user name; expected %s", what,
                          shown, shape);
    }

    /* path and query */
    const char *p = auth_stop;
    const char *q = strchr(p, '?');
    const char *pend = q ? q : p + strlen(p);
    if (*p == '/') p++;
    out->path = rc_xstrndup(p, p < pend ? (size_t)(pend - p) : 0);
    out->query = rc_xstrndup(q ? q + 1 : "", q ? strlen(q + 1) : 0);
    return 0;
}

int rc_url_parse(const char *text, rc_url *out, rc_err *err)
{
    return rc_url_parse_as(text, "source", out, err);
}

char *rc_url_param(const rc_url *url, const char *key)
{
    if (!url || !url->query || !key) return NULL;
    size_t klen = strlen(key);
    const char *p = url->query;
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t kn = eq ? (size_t)(eq - p) : n;
        if (kn == klen && !memcmp(p, key, klen)) {
            if (!eq) return rc_xstrndup("", 0);
            char *v = pct_decode(eq + 1, n - kn - 1);
            /* A bad escape in a value: hand back the raw text rather than
             * pretend the key is absent. */
            return v ? v : rc_xstrndup(eq + 1, n - kn - 1);
        }
        p += n;
        if (*p == '&') p++;
    }
    return NULL;
}

void rc_url_free(rc_url *url)
{
    if (!url) return;
    free(url->scheme);
    free(url->user);
    free(url->password);
    free(url->host);
    free(url->path);
    free(url->query);
    url_zero(url);
}

static char *copy0(const char *s)
{
    return rc_xstrndup(s ? s : "", s ? strlen(s) : 0);
}

void rc_url_copy(rc_url *dst, const rc_url *src)
{
    dst->scheme = copy0(src->scheme);
    dst->user = copy0(src->user);
    dst->password = src->password ? copy0(src->password) : NULL;
    dst->host = copy0(src->host);
    dst->port = src->port;
    dst->path = copy0(src->path);
    dst->query = copy0(src->query);
}
