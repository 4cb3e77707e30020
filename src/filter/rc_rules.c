/* rc_rules: --include/--exclude/--exclude-column/--operations without a
 * script. The CLI compiles the flags here once; the capture stage asks per
 * TABLE_MAP (answers cached per table definition) and per change (an
 * operation bit test). Semantics are documented in rc_rules.h. */
#include "filter/rc_rules.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/rc_buf.h"

/* One compiled pattern: either a regex over the joined name, or 2 (table)
 * or 3 (column) glob parts. */
typedef struct rc_rule {
    int is_regex;
    regex_t re;
    int nparts;
    char *part[3];   /* glob with literal '*', '?' and '\' escaped by '\' */
    uint8_t star[3]; /* the part is only '*': matches any name, skip it */
} rc_rule;

typedef struct rc_rule_list {
    rc_rule *v;
    size_t n, cap;
} rc_rule_list;

/* A cached answer for one table definition. Keyed by the pointer; the rest
 * checks it is still the same definition (the decoder can free a table and
 * reuse its address). */
typedef struct rc_rules_entry {
    const rc_table *t; /* NULL: empty slot */
    uint64_t generation;
    uint64_t name_hash; /* of schema and name */
    uint32_t ncols;
    int8_t wanted;    /* -1 not computed yet */
    uint8_t mask_set; /* mask computed (mask may still be NULL) */
    uint8_t *mask;
} rc_rules_entry;

typedef struct rc_rules_cache {
    rc_rules_entry *e;
    size_t cap, n; /* cap is a power of two, or 0 */
} rc_rules_cache;

/* Past this many definitions the cache starts over; the previous table is
 * kept one more round so masks handed out recently stay valid. */
#define RC_RULES_CACHE_MAX 65536

#define RC_OPS_ALL 0x0Fu

struct rc_rules {
    rc_rule_list inc, exc, col;
    unsigned ops;  /* bit per rc_op */
    int ops_given; /* an --operations list replaced the default */
    rc_rules_cache cache, retired;
};

static const char *const rc_op_words[] = {"insert", "update", "delete", "query"};
#define RC_OP_VALID "insert, update, delete, query"

rc_rules *rc_rules_new(void)
{
    rc_rules *r = rc_xcalloc(1, sizeof *r);
    r->ops = RC_OPS_ALL;
    return r;
}

static void rc_rule_list_free(rc_rule_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        rc_rule *ru = &l->v[i];
        if (ru->is_regex) regfree(&ru->re);
        for (int k = 0; k < 3; k++)
            free(ru->part[k]);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void rc_cache_free(rc_rules_cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->e[i].mask);
    free(c->e);
    memset(c, 0, sizeof *c);
}

void rc_rules_cache_clear(rc_rules *r)
{
    rc_cache_free(&r->cache);
    rc_cache_free(&r->retired);
}

void rc_rules_free(rc_rules *r)
{
    if (!r) return;
    rc_rule_list_free(&r->inc);
    rc_rule_list_free(&r->exc);
    rc_rule_list_free(&r->col);
    rc_rules_cache_clear(r);
    free(r);
}

/* ---- globs ---- */

/* Bytes of the UTF-8 character at s[i] (1 for a stray byte), so that `?`
 * and the backtracking of `*` step over whole characters. */
static size_t rc_char_len(const char *s, size_t i, size_t n)
{
    size_t k = 1;
    if ((unsigned char)s[i] < 0xC0) return 1;
    while (i + k < n && k < 4 && ((unsigned char)s[i + k] & 0xC0) == 0x80)
        k++;
    return k;
}

/* Matches a compiled glob against all n bytes of s. One-star backtracking:
 * on a mismatch, the most recent `*` absorbs one more character. That is
 * enough (an earlier star never needs to grow once a later one matched) and
 * keeps the cost at O(len(p) * n) with no recursion. */
static int rc_glob_match(const char *p, const char *s, size_t n)
{
    const char *star_p = NULL;
    size_t star_i = 0, i = 0;
    while (i < n) {
        if (*p == '*') {
            star_p = ++p;
            star_i = i;
            continue;
        }
        if (*p == '?') {
            p++;
            i += rc_char_len(s, i, n);
            continue;
        }
        if (*p) {
            int esc = *p == '\\';
            if (p[esc] == s[i]) {
                p += 1 + esc;
                i++;
                continue;
            }
        }
        if (!star_p) return 0;
        p = star_p;
        star_i += rc_char_len(s, star_i, n);
        i = star_i;
    }
    while (*p == '*')
        p++;
    return *p == 0;
}

static int rc_part_match(const rc_rule *ru, int k, const char *s, size_t n)
{
    return ru->star[k] || rc_glob_match(ru->part[k], s, n);
}

/* Splits pattern into glob parts at unquoted dots, resolving backquotes.
 * Returns the number of parts (up to 3, so a fourth is reported) or -1. */
static int rc_glob_parse(rc_rule *ru, const char *pat, const char *flag, rc_err *err)
{
    size_t len = strlen(pat);
    const char *s = pat;
    int np = 0;
    char *cur = rc_xmalloc(2 * len + 1);
    size_t cl = 0;
    for (;;) {
        char c = *s;
        if (c == '`') {
            for (s++;; s++) {
                if (!*s) {
                    free(cur);
                    return rc_err_set(err, RC_E_USAGE, "bad %s pattern '%s': unclosed backquote",
                                      flag, pat);
                }
                if (*s == '`') {
                    if (s[1] != '`') break;
                    s++; /* `` is one literal backquote */
                }
                if (*s == '*' || *s == '?' || *s == '\\') cur[cl++] = '\\';
                cur[cl++] = *s;
            }
            s++;
            continue;
        }
        if (c == '.' || c == 0) {
            if (cl == 0) {
                free(cur);
                return rc_err_set(err, RC_E_USAGE, "bad %s pattern '%s': empty name", flag, pat);
            }
            if (np == 3) {
                free(cur);
                return 4;
            }
            cur[cl] = 0;
            ru->part[np] = rc_xstrndup(cur, cl);
            ru->star[np] = strspn(cur, "*") == cl;
            np++;
            cl = 0;
            if (c == 0) break;
            s++;
            continue;
        }
        if (c == '\\') cur[cl++] = '\\';
        cur[cl++] = c;
        s++;
    }
    free(cur);
    return np;
}

/* ---- regexes ---- */

/* The body of a /regex/ or /regex/i pattern into ru. */
static int rc_regex_parse(rc_rule *ru, const char *pat, const char *flag, rc_err *err)
{
    size_t len = strlen(pat);
    int icase = 0;
    size_t body;
    if (len >= 2 && pat[len - 1] == '/') {
        body = len - 2;
    } else if (len >= 3 && pat[len - 2] == '/' && pat[len - 1] == 'i') {
        body = len - 3;
        icase = 1;
    } else {
        return rc_err_set(err, RC_E_USAGE, "bad %s pattern '%s': /regex/ is not closed", flag, pat);
    }
    if (body == 0)
        return rc_err_set(err, RC_E_USAGE, "bad %s pattern '%s': empty regex", flag, pat);
    char *src = rc_xstrndup(pat + 1, body);
    int rc = regcomp(&ru->re, src, REG_EXTENDED | (icase ? REG_ICASE : 0));
    free(src);
    if (rc != 0) {
        char why[256];
        regerror(rc, &ru->re, why, sizeof why);
        return rc_err_set(err, RC_E_USAGE, "bad %s pattern '%s': %s", flag, pat, why);
    }
    ru->is_regex = 1;
    return 0;
}

/* The regex must cover all of s. POSIX matching is leftmost-longest, so if
 * any whole-string match exists the reported match is it; no need to
 * rewrite the user's expression with anchors (which would shift their
 * group numbers for back-references). */
static int rc_regex_whole(const rc_rule *ru, const char *s, size_t n)
{
    regmatch_t m;
    if (regexec(&ru->re, s, 1, &m, 0) != 0) return 0;
    return m.rm_so == 0 && (size_t)m.rm_eo == n;
}

/* ---- adding rules ---- */

static int rc_rule_add(rc_rules *r, rc_rule_list *l, const char *pat, int column, const char *flag,
                       rc_err *err)
{
    rc_rule ru;
    memset(&ru, 0, sizeof ru);
    if (!pat || !*pat) return rc_err_set(err, RC_E_USAGE, "bad %s pattern '': empty", flag);
    if (pat[0] == '/') {
        if (rc_regex_parse(&ru, pat, flag, err) < 0) return -1;
    } else {
        int np = rc_glob_parse(&ru, pat, flag, err);
        int ok = column ? np == 3 : np >= 1 && np <= 2;
        if (!ok) {
            for (int k = 0; k < 3; k++)
                free(ru.part[k]);
            if (np < 0) return -1;
            if (column)
                return rc_err_set(err, RC_E_USAGE,
                                  "bad %s pattern '%s': expected schema.table.column", flag, pat);
            return rc_err_set(err, RC_E_USAGE,
                              "bad %s pattern '%s': expected schema.table or schema "
                              "(columns go to --exclude-column)",
                              flag, pat);
        }
        if (np == 1) { /* `shop` means `shop.*` */
            ru.part[1] = rc_xstrndup("*", 1);
            ru.star[1] = 1;
            np = 2;
        }
        ru.nparts = np;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->v = rc_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = ru;
    /* Cached answers were computed under the old rules. */
    rc_rules_cache_clear(r);
    return 0;
}

int rc_rules_include(rc_rules *r, const char *pattern, rc_err *err)
{
    return rc_rule_add(r, &r->inc, pattern, 0, "--include", err);
}

int rc_rules_exclude(rc_rules *r, const char *pattern, rc_err *err)
{
    return rc_rule_add(r, &r->exc, pattern, 0, "--exclude", err);
}

int rc_rules_exclude_column(rc_rules *r, const char *pattern, rc_err *err)
{
    return rc_rule_add(r, &r->col, pattern, 1, "--exclude-column", err);
}

int rc_rules_operations(rc_rules *r, const char *csv, rc_err *err)
{
    unsigned ops = 0;
    const char *s = csv ? csv : "";
    for (;;) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *w = s;
        while (n && (*w == ' ' || *w == '\t'))
            w++, n--;
        while (n && (w[n - 1] == ' ' || w[n - 1] == '\t'))
            n--;
        if (n == 0)
            return rc_err_set(err, RC_E_USAGE,
                              "empty operation in --operations '%s' (valid: " RC_OP_VALID ")",
                              csv ? csv : "");
        size_t k = 0;
        while (k < 4 && !(strlen(rc_op_words[k]) == n && !strncasecmp(w, rc_op_words[k], n)))
            k++;
        if (k == 4)
            return rc_err_set(err, RC_E_USAGE,
                              "unknown operation '%.*s' in --operations (valid: " RC_OP_VALID ")",
                              (int)n, w);
        ops |= 1u << k;
        if (!end) break;
        s = end + 1;
    }
    /* All or nothing: a bad list leaves the previous state alone. */
    r->ops = r->ops_given ? r->ops | ops : ops;
    r->ops_given = 1;
    return 0;
}

/* ---- questions ---- */

int rc_rules_op_wanted(const rc_rules *r, int op)
{
    if (op < RC_OP_INSERT || op > RC_OP_QUERY) return 0;
    return (int)(r->ops >> op & 1u);
}

/* "schema.table" (or with ".column") for regex rules, built only when a
 * regex needs it. Falls back to the heap for names longer than MySQL's. */
typedef struct rc_joined {
    char small[512];
    char *s;
    size_t n;
} rc_joined;

static const char *rc_join(rc_joined *j, const char *a, const char *b, const char *c)
{
    size_t na = strlen(a), nb = strlen(b), nc = c ? strlen(c) : 0;
    size_t n = na + 1 + nb + (c ? 1 + nc : 0);
    char *p = n < sizeof j->small ? j->small : rc_xmalloc(n + 1);
    memcpy(p, a, na);
    p[na] = '.';
    memcpy(p + na + 1, b, nb);
    if (c) {
        p[na + 1 + nb] = '.';
        memcpy(p + na + 2 + nb, c, nc);
    }
    p[n] = 0;
    j->s = p;
    j->n = n;
    return p;
}

static void rc_join_done(rc_joined *j)
{
    if (j->s && j->s != j->small) free(j->s);
    j->s = NULL;
}

/* Does ru match schema.table? j caches the joined string across rules. */
static int rc_rule_table(const rc_rule *ru, const char *schema, const char *table, rc_joined *j)
{
    if (ru->is_regex) {
        if (!j->s) rc_join(j, schema, table, NULL);
        return rc_regex_whole(ru, j->s, j->n);
    }
    return rc_part_match(ru, 0, schema, strlen(schema)) &&
           rc_part_match(ru, 1, table, strlen(table));
}

int rc_rules_table_wanted(const rc_rules *r, const char *schema, const char *table)
{
    rc_joined j = {.s = NULL};
    int wanted = r->inc.n == 0;
    for (size_t i = 0; i < r->inc.n && !wanted; i++)
        wanted = rc_rule_table(&r->inc.v[i], schema, table, &j);
    for (size_t i = 0; i < r->exc.n && wanted; i++)
        if (rc_rule_table(&r->exc.v[i], schema, table, &j)) wanted = 0;
    rc_join_done(&j);
    return wanted;
}

int rc_rules_query_wanted(const rc_rules *r, const char *schema, size_t schema_len)
{
    if (!schema) schema_len = 0, schema = "";
    for (size_t i = 0; i < r->exc.n; i++) {
        const rc_rule *ru = &r->exc.v[i];
        if (!ru->is_regex && ru->star[1] && rc_part_match(ru, 0, schema, schema_len)) return 0;
    }
    if (r->inc.n == 0) return 1;
    for (size_t i = 0; i < r->inc.n; i++) {
        const rc_rule *ru = &r->inc.v[i];
        if (ru->is_regex || rc_part_match(ru, 0, schema, schema_len)) return 1;
    }
    return 0;
}

/* The columns of t the rules drop, or NULL if none. */
static uint8_t *rc_mask_compute(const rc_rules *r, const rc_table *t)
{
    uint8_t *mask = NULL;
    const char *schema = t->schema ? t->schema : "", *name = t->name ? t->name : "";
    size_t ns = strlen(schema), nt = strlen(name);
    for (size_t i = 0; i < r->col.n; i++) {
        const rc_rule *ru = &r->col.v[i];
        if (!ru->is_regex && !(rc_part_match(ru, 0, schema, ns) && rc_part_match(ru, 1, name, nt)))
            continue;
        for (uint32_t c = 0; c < t->ncols; c++) {
            const char *cn = t->cols[c].name ? t->cols[c].name : "";
            int hit;
            if (ru->is_regex) {
                rc_joined j = {.s = NULL};
                rc_join(&j, schema, name, cn);
                hit = rc_regex_whole(ru, j.s, j.n);
                rc_join_done(&j);
            } else {
                hit = rc_part_match(ru, 2, cn, strlen(cn));
            }
            if (!hit) continue;
            if (!mask) mask = rc_xcalloc(t->ncols, 1);
            mask[c] = 1;
        }
    }
    return mask;
}

/* ---- the per-table cache ---- */

static uint64_t rc_name_hash(const rc_table *t)
{
    /* FNV-1a over schema, a separator, name. */
    uint64_t h = 1469598103934665603ull;
    const char *parts[2] = {t->schema ? t->schema : "", t->name ? t->name : ""};
    for (int k = 0; k < 2; k++) {
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
        h = (h ^ 0xFFu) * 1099511628211ull; /* 0xFF never occurs in UTF-8 */
    }
    return h;
}

static size_t rc_ptr_slot(const rc_table *t, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)t;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static void rc_cache_grow(rc_rules_cache *c)
{
    size_t ncap = c->cap ? 2 * c->cap : 64;
    rc_rules_entry *ne = rc_xcalloc(ncap, sizeof *ne);
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->e[i].t) continue;
        size_t s = rc_ptr_slot(c->e[i].t, ncap);
        while (ne[s].t)
            s = (s + 1) & (ncap - 1);
        ne[s] = c->e[i];
    }
    free(c->e);
    c->e = ne;
    c->cap = ncap;
}

static rc_rules_entry *rc_entry_fill(rc_rules_entry *e, const rc_table *t, uint64_t h)
{
    e->t = t;
    e->generation = t->generation;
    e->name_hash = h;
    e->ncols = t->ncols;
    e->wanted = -1;
    e->mask_set = 0;
    e->mask = NULL;
    return e;
}

/* The entry for t's current definition, created empty if new. */
static rc_rules_entry *rc_cache_get(rc_rules *r, const rc_table *t)
{
    rc_rules_cache *c = &r->cache;
    uint64_t h = rc_name_hash(t);
    if (c->cap) {
        for (size_t s = rc_ptr_slot(t, c->cap); c->e[s].t; s = (s + 1) & (c->cap - 1)) {
            rc_rules_entry *e = &c->e[s];
            if (e->t != t) continue;
            if (e->generation == t->generation && e->name_hash == h && e->ncols == t->ncols)
                return e;
            /* Same address, another definition: the old one is gone. */
            free(e->mask);
            return rc_entry_fill(e, t, h);
        }
    }
    if (c->n >= RC_RULES_CACHE_MAX) {
        /* Start over, keeping this round's masks alive one more round. */
        rc_cache_free(&r->retired);
        r->retired = *c;
        memset(c, 0, sizeof *c);
    }
    if ((c->n + 1) * 4 > c->cap * 3) rc_cache_grow(c);
    size_t s = rc_ptr_slot(t, c->cap);
    while (c->e[s].t)
        s = (s + 1) & (c->cap - 1);
    c->n++;
    return rc_entry_fill(&c->e[s], t, h);
}

int rc_rules_table_wanted_t(rc_rules *r, const rc_table *t)
{
    if (r->inc.n == 0 && r->exc.n == 0) return 1;
    rc_rules_entry *e = rc_cache_get(r, t);
    if (e->wanted < 0)
        e->wanted =
            (int8_t)rc_rules_table_wanted(r, t->schema ? t->schema : "", t->name ? t->name : "");
    return e->wanted;
}

const uint8_t *rc_rules_column_mask(rc_rules *r, const rc_table *t)
{
    if (r->col.n == 0 || t->ncols == 0) return NULL;
    rc_rules_entry *e = rc_cache_get(r, t);
    if (!e->mask_set) {
        e->mask = rc_mask_compute(r, t);
        e->mask_set = 1;
    }
    return e->mask;
}
