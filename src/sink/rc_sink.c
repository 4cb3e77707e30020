/* rc_sink: the transport table and what all sinks share. */
#include "sink/rc_sink.h"

#include <stdlib.h>
#include <string.h>

#include "core/rc_buf.h"

static const rc_sink_ops *const transports[] = {
    &rc_sink_stdout, &rc_sink_file, &rc_sink_nats, &rc_sink_jetstream, &rc_sink_redis,
};

const rc_sink_ops *rc_sink_find(const char *text)
{
    const char *colon = strchr(text, ':');
    if (!colon) return NULL;
    size_t n = (size_t)(colon - text);
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
        if (strlen(transports[i]->scheme) == n && !strncmp(transports[i]->scheme, text, n))
            return transports[i];
    return NULL;
}

rc_sink *rc_sink_open(const char *text, rc_err *err)
{
    rc_url url;
    memset(&url, 0, sizeof url);
    const rc_sink_ops *ops = rc_sink_find(text);
    if (!ops) {
        const char *colon = strchr(text, ':');
        rc_err_set(err, RC_E_USAGE,
                   "--sink '%s': unknown transport '%.*s' (stdout:, file:PATH, "
                   "nats://HOST:PORT/SUBJECT, jetstream://..., redis://...)",
                   text, colon ? (int)(colon - text) : (int)strlen(text), text);
        return NULL;
    }
    const char *colon = strchr(text, ':');
    size_t n = (size_t)(colon - text);
    if (!strcmp(ops->scheme, "stdout") || !strcmp(ops->scheme, "file")) {
        url.scheme = rc_xstrndup(text, n);
        const char *q = strchr(colon + 1, '?');
        size_t plen = q ? (size_t)(q - (colon + 1)) : strlen(colon + 1);
        url.path = rc_xstrndup(colon + 1, plen);
        url.query = q ? rc_xstrndup(q + 1, strlen(q + 1)) : rc_xstrndup("", 0);
        url.user = rc_xstrndup("", 0);
        url.host = rc_xstrndup("", 0);
    } else if (rc_url_parse_as(text, "sink", &url, err) < 0) {
        return NULL;
    }
    rc_sink *s = rc_xcalloc(1, sizeof *s);
    s->ops = ops;
    s->name = rc_xstrndup(text, strlen(text));
    if (ops->open(s, &url, err) < 0) {
        rc_url_free(&url);
        free(s->name);
        free(s);
        return NULL;
    }
    rc_url_free(&url);
    return s;
}

void rc_sink_close(rc_sink *s)
{
    if (!s) return;
    s->ops->close(s);
    free(s->default_group);
    free(s->name);
    free(s);
}
