/* rc_gtid: the GTID state a checkpoint records. MariaDB keeps the last GTID
 * of each replication domain ("0-1-42,1-3-7"); MySQL keeps, per source UUID,
 * the set of transaction numbers executed ("uuid:1-42:45-50"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/rc_decode_int.h"

void rc_gtid_add_maria(rc_gtid_state *g, uint32_t domain, uint32_t server, uint64_t seq)
{
    g->kind = 1;
    for (size_t i = 0; i < g->ndoms; i++)
        if (g->doms[i].domain == domain) {
            g->doms[i].server = server;
            g->doms[i].seq = seq;
            return;
        }
    if (g->ndoms == g->domcap) {
        g->domcap = g->domcap ? g->domcap * 2 : 4;
        g->doms = rc_xrealloc(g->doms, g->domcap * sizeof *g->doms);
    }
    g->doms[g->ndoms++] = (rc_gtid_dom){domain, server, seq};
}

static rc_gtid_sid *find_sid(rc_gtid_state *g, const char *sid)
{
    for (size_t i = 0; i < g->nsids; i++)
        if (!strcmp(g->sids[i].name, sid)) return &g->sids[i];
    if (g->nsids == g->sidcap) {
        g->sidcap = g->sidcap ? g->sidcap * 2 : 4;
        g->sids = rc_xrealloc(g->sids, g->sidcap * sizeof *g->sids);
    }
    rc_gtid_sid *s = &g->sids[g->nsids++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", sid);
    return s;
}

/* Adds [lo, hi] to the sid's sorted, disjoint intervals, merging neighbours. */
void rc_gtid_add_mysql(rc_gtid_state *g, const char *sid, uint64_t lo, uint64_t hi)
{
    g->kind = 2;
    rc_gtid_sid *s = find_sid(g, sid);
    size_t i = 0;
    while (i < s->niv && s->iv[i].hi + 1 < lo)
        i++;
    if (i < s->niv && s->iv[i].lo <= hi + 1) {
        if (lo < s->iv[i].lo) s->iv[i].lo = lo;
        if (hi > s->iv[i].hi) s->iv[i].hi = hi;
        while (i + 1 < s->niv && s->iv[i + 1].lo <= s->iv[i].hi + 1) {
            if (s->iv[i + 1].hi > s->iv[i].hi) s->iv[i].hi = s->iv[i + 1].hi;
            memmove(&s->iv[i + 1], &s->iv[i + 2], (s->niv - i - 2) * sizeof *s->iv);
            s->niv--;
        }
        return;
    }
    if (s->niv == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->iv = rc_xrealloc(s->iv, s->cap * sizeof *s->iv);
    }
    memmove(&s->iv[i + 1], &s->iv[i], (s->niv - i) * sizeof *s->iv);
    s->iv[i] = (rc_gtid_ival){lo, hi};
    s->niv++;
}

void rc_gtid_clear(rc_gtid_state *g)
{
    for (size_t i = 0; i < g->nsids; i++)
        free(g->sids[i].iv);
    g->nsids = 0;
    g->ndoms = 0;
    g->kind = 0;
}

void rc_gtid_free(rc_gtid_state *g)
{
    rc_gtid_clear(g);
    free(g->sids);
    free(g->doms);
    memset(g, 0, sizeof *g);
}

void rc_gtid_format(const rc_gtid_state *g, rc_buf *out)
{
    if (g->kind == 1) {
        for (size_t i = 0; i < g->ndoms; i++)
            rc_buf_printf(out, "%s%u-%u-%llu", i ? "," : "", g->doms[i].domain, g->doms[i].server,
                          (unsigned long long)g->doms[i].seq);
    } else if (g->kind == 2) {
        for (size_t i = 0; i < g->nsids; i++) {
            const rc_gtid_sid *s = &g->sids[i];
            rc_buf_printf(out, "%s%s", i ? "," : "", s->name);
            for (size_t k = 0; k < s->niv; k++) {
                if (s->iv[k].lo == s->iv[k].hi)
                    rc_buf_printf(out, ":%llu", (unsigned long long)s->iv[k].lo);
                else
                    rc_buf_printf(out, ":%llu-%llu", (unsigned long long)s->iv[k].lo,
                                  (unsigned long long)s->iv[k].hi);
            }
        }
    }
}

static int is_uuid(const char *s, size_t n)
{
    if (n != 36) return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return 0;
        } else if (!strchr("0123456789abcdefABCDEF", s[i]))
            return 0;
    }
    return 1;
}

/* Parses either form; the first element decides which. */
int rc_gtid_parse(rc_gtid_state *g, const char *text, rc_err *err)
{
    rc_gtid_clear(g);
    const char *p = text;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\n')
            p++;
        if (!*p) break;
        size_t n = strcspn(p, ",");
        char item[512];
        if (n >= sizeof item) goto bad;
        memcpy(item, p, n);
        item[n] = 0;
        p += n;
        unsigned dom, srv;
        unsigned long long seq;
        int used = 0;
        if (sscanf(item, "%u-%u-%llu%n", &dom, &srv, &seq, &used) == 3 && item[used] == 0) {
            if (g->kind == 2) goto bad;
            rc_gtid_add_maria(g, dom, srv, seq);
            continue;
        }
        /* uuid[:tag]:interval[:interval...] */
        char *colon = strchr(item, ':');
        if (!colon || !is_uuid(item, (size_t)(colon - item)) || g->kind == 1) goto bad;
        char sid[80];
        snprintf(sid, sizeof sid, "%.*s", (int)(colon - item), item);
        char *q = colon + 1;
        while (*q) {
            unsigned long long lo, hi;
            int k = 0;
            if (sscanf(q, "%llu-%llu%n", &lo, &hi, &k) == 2 && (q[k] == ':' || !q[k])) {
            } else if (sscanf(q, "%llu%n", &lo, &k) == 1 && (q[k] == ':' || !q[k])) {
                hi = lo;
            } else {
                /* a tag (MySQL 8.4+): letters, digits, underscore */
                size_t tl = strcspn(q, ":");
                if (tl == 0 || tl > 32 || strlen(sid) + 1 + tl >= sizeof sid) goto bad;
                snprintf(sid + 36, sizeof sid - 36, ":%.*s", (int)tl, q);
                q += tl;
                if (*q == ':') q++;
                continue;
            }
            if (lo == 0 || hi < lo) goto bad;
            rc_gtid_add_mysql(g, sid, lo, hi);
            q += k;
            if (*q == ':') q++;
        }
    }
    return 0;
bad:
    return rc_err_set(err, RC_E_USAGE,
                      "bad GTID set '%s': expected MariaDB DOMAIN-SERVER-SEQ[,...] or MySQL "
                      "UUID:N[-M][,...]",
                      text);
}
