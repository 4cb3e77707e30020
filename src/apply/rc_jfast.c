/* rc_jfast: see rc_jfast.h.
 *
 * While parsing, the arena may move as it grows, so strings are recorded as
 * offsets (cast into the pointer fields) and turned into pointers once the
 * event is read. Every rule here mirrors one of rc_jevent.c's parser, which
 * stays the reference: a difference in what is accepted would make the
 * applier's two paths disagree, which tests/unit/test_jfast.c looks for. */
#include "apply/rc_jfast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/rc_json.h"
#include "filter/rc_jevent.h"

/* A string of the arena while parsing: offset and length. */
typedef struct rc_jf_pend {
    size_t off, n;
} rc_jf_pend;

/* A key of an object being parsed, for the duplicate check. */
typedef struct rc_jf_key {
    size_t off, n;
} rc_jf_key;

enum { CTX_SKIP, CTX_IMAGE_VALUE };

typedef struct rc_jf_p {
    rc_jfast *f;
    const unsigned char *s, *p, *end;
    int depth;
    int bad, other;
} rc_jf_p;

/* Field offsets during the parse (the struct's pointers are filled last). */
typedef struct rc_jf_top {
    size_t off[6];
    int set[6];
    size_t listoff[RC_JL_N], listn[RC_JL_N]; /* ranges of f->pend */
    size_t imgoff[2], imgn[2];               /* ranges of the image store */
} rc_jf_top;

void rc_jfast_init(rc_jfast *f)
{
    memset(f, 0, sizeof *f);
    rc_buf_init(&f->arena);
}

void rc_jfast_free(rc_jfast *f)
{
    rc_buf_free(&f->arena);
    free(f->pend);
    free(f->keys);
    free(f->slots);
    for (int i = 0; i < RC_JL_N; i++)
        free(f->list[i].items);
    free(f->img_new.cols);
    free(f->img_old.cols);
    free(f->cols);
    memset(f, 0, sizeof *f);
}

static void rc_jf_ws(rc_jf_p *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

/* Bytes that stand for themselves in a JSON string: ASCII but the quote,
 * the backslash and control characters (one lookup per byte: most of a
 * parse is strings). */
#define RC_JF_P(c)   ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\')
#define RC_JF_R4(i)  RC_JF_P(i), RC_JF_P(i + 1), RC_JF_P(i + 2), RC_JF_P(i + 3)
#define RC_JF_R16(i) RC_JF_R4(i), RC_JF_R4(i + 4), RC_JF_R4(i + 8), RC_JF_R4(i + 12)
#define RC_JF_R64(i) RC_JF_R16(i), RC_JF_R16(i + 16), RC_JF_R16(i + 32), RC_JF_R16(i + 48)
static const unsigned char rc_jf_plain[256] = {RC_JF_R64(0), RC_JF_R64(64), RC_JF_R64(128),
                                               RC_JF_R64(192)};
#undef RC_JF_R64
#undef RC_JF_R16
#undef RC_JF_R4
#undef RC_JF_P

/* At the opening quote: the decoded string goes to out (NUL-terminated,
 * the NUL not counted in *n). -1 on a malformed string. *nul: it holds a
 * NUL byte (from \u0000). */
static int rc_jf_unescape(const unsigned char **pp, const unsigned char *end, rc_buf *out,
                          size_t *n, int *nul)
{
    const unsigned char *p = *pp + 1;
    size_t start = out->len;
    for (;;) {
        const unsigned char *q = p;
        while (q < end) {
            unsigned c = *q;
            if (rc_jf_plain[c]) {
                q++;
                continue;
            }
            if (c < 0x80) break; /* quote, backslash, control character */
            size_t u = rc_jevent_utf8_len(q, end);
            if (!u) return -1;
            q += u;
        }
        rc_buf_put(out, p, (size_t)(q - p));
        p = q;
        if (p >= end || *p < 0x20) return -1;
        if (*p == '"') break;
        if (p + 1 >= end) return -1;
        unsigned e = p[1];
        p += 2;
        char c;
        switch (e) {
        case '"': c = '"'; break;
        case '\\': c = '\\'; break;
        case '/': c = '/'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (rc_jevent_hex4(p, end, &cp) < 0) return -1;
            p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
                    rc_jevent_hex4(p + 2, end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) *nul = 1;
            rc_buf_reserve(out, 4);
            out->len += rc_jevent_utf8_put(out->data + out->len, cp);
            continue;
        }
        default: return -1;
        }
        rc_buf_putc(out, c);
    }
    *n = out->len - start;
    rc_buf_putc(out, '\0');
    *pp = p + 1;
    return 0;
}

/* A string into the arena: its offset, or (size_t)-1 when malformed. */
static size_t rc_jf_string(rc_jf_p *j, size_t *n, int *nul)
{
    size_t off = j->f->arena.len;
    int z = 0;
    if (rc_jf_unescape(&j->p, j->end, &j->f->arena, n, &z) < 0) {
        j->bad = 1;
        return (size_t)-1;
    }
    if (nul) *nul = z;
    return off;
}

/* The number at p: its type as rc_jevent gives it (RC_JV_INT, RC_JV_FLOAT,
 * RC_JV_STR), -1 when malformed. *len: its text's length. */
static int rc_jf_number(const unsigned char *s, const unsigned char *end, size_t *len)
{
    const unsigned char *p = s;
    int neg = 0, is_int = 1, sig = 0, started = 0, overflow = 0, exp = 0;
    uint64_t mag = 0;
    if (*p == '-') neg = 1, p++;
    if (p >= end || *p < '0' || *p > '9') return -1;
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9') return -1;
    } else {
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            unsigned d = *p - '0';
            if (mag > (UINT64_MAX - d) / 10) overflow = 1;
            if (!overflow) mag = mag * 10 + d;
            started = 1;
            sig++;
        }
    }
    if (p < end && *p == '.') {
        is_int = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') return -1;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (*p != '0') started = 1;
            if (started) sig++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_int = 0;
        exp = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return -1;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    *len = (size_t)(p - s);
    if (is_int && !overflow && (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX))
        return RC_JV_INT;
    if (!is_int && sig <= 15) {
        /* Without an exponent, 15 digits are always a finite double. */
        if (!exp) return RC_JV_FLOAT;
        char buf[128];
        double d;
        if (*len < sizeof buf) {
            memcpy(buf, s, *len);
            buf[*len] = 0;
            d = strtod(buf, NULL);
        } else {
            char *t = rc_xstrndup((const char *)s, *len);
            d = strtod(t, NULL);
            free(t);
        }
        if (isfinite(d)) return RC_JV_FLOAT;
    }
    return RC_JV_STR;
}

static int rc_jf_value(rc_jf_p *j, int ctx, rc_jval *v);

static int rc_jf_enter(rc_jf_p *j)
{
    if (++j->depth > RC_JEVENT_MAX_DEPTH) {
        j->bad = 1;
        return -1;
    }
    return 0;
}

static int rc_jf_key_eq(const rc_jfast *f, const rc_jf_key *a, const rc_jf_key *b)
{
    return a->n == b->n && !memcmp(f->arena.data + a->off, f->arena.data + b->off, a->n);
}

/* Are two of the keys from index `from` on the same? Few keys: compared
 * pairwise; more: a hash set whose slots are stamped with a generation, so
 * it is never cleared. */
static int rc_jf_dups(rc_jfast *f, size_t from)
{
    size_t n = f->nkeys - from;
    const rc_jf_key *k = f->keys + from;
    if (n < 2) return 0;
    if (n <= 12) {
        for (size_t a = 1; a < n; a++)
            for (size_t b = 0; b < a; b++)
                if (rc_jf_key_eq(f, &k[a], &k[b])) return 1;
        return 0;
    }
    size_t want = 16;
    while (want < 2 * n)
        want *= 2;
    if (f->nslots < want) {
        free(f->slots);
        f->slots = rc_xcalloc(want * 2, sizeof *f->slots);
        f->nslots = want;
        f->gen = 0;
    }
    if (++f->gen == 0) { /* wrapped: old stamps could match */
        memset(f->slots, 0, f->nslots * 2 * sizeof *f->slots);
        f->gen = 1;
    }
    size_t mask = f->nslots - 1;
    for (size_t a = 0; a < n; a++) {
        uint64_t h = 1469598103934665603ull;
        const unsigned char *s = (const unsigned char *)f->arena.data + k[a].off;
        for (size_t i = 0; i < k[a].n; i++)
            h = (h ^ s[i]) * 1099511628211ull;
        for (size_t at = h & mask;; at = (at + 1) & mask) {
            uint32_t *slot = f->slots + 2 * at;
            if (slot[0] != f->gen) {
                slot[0] = f->gen;
                slot[1] = (uint32_t)a;
                break;
            }
            if (rc_jf_key_eq(f, &k[a], &k[slot[1]])) return 1;
        }
    }
    return 0;
}

static void rc_jf_push_key(rc_jfast *f, size_t off, size_t n)
{
    if (f->nkeys == f->keycap) {
        f->keycap = f->keycap ? 2 * f->keycap : 64;
        f->keys = rc_xrealloc(f->keys, f->keycap * sizeof *f->keys);
    }
    f->keys[f->nkeys++] = (rc_jf_key){off, n};
}

/* The member separator or the end of an object/array: 1 for more, 0 at
 * the end, -1 when malformed. */
static int rc_jf_next(rc_jf_p *j, char close)
{
    rc_jf_ws(j);
    if (j->p < j->end && *j->p == ',') {
        j->p++;
        rc_jf_ws(j);
        return 1;
    }
    if (j->p < j->end && *j->p == (unsigned char)close) {
        j->p++;
        return 0;
    }
    j->bad = 1;
    return -1;
}

/* Called for each member of an object by rc_jf_object: the key is the
 * arena string at (off, n), j->p at its value. */
typedef int (*rc_jf_member_fn)(rc_jf_p *j, void *ctx, size_t off, size_t n, int nul);

/* At '{': every member through fn, keys checked for duplicates. */
static int rc_jf_object(rc_jf_p *j, rc_jf_member_fn fn, void *ctx)
{
    rc_jfast *f = j->f;
    if (rc_jf_enter(j) < 0) return -1;
    j->p++;
    size_t kfrom = f->nkeys;
    rc_jf_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            if (j->p >= j->end || *j->p != '"') return j->bad = 1, -1;
            size_t n;
            int nul = 0;
            size_t off = rc_jf_string(j, &n, &nul);
            if (off == (size_t)-1) return -1;
            rc_jf_push_key(f, off, n);
            rc_jf_ws(j);
            if (j->p >= j->end || *j->p != ':') return j->bad = 1, -1;
            j->p++;
            rc_jf_ws(j);
            if (fn(j, ctx, off, n, nul) < 0) return -1;
            int more = rc_jf_next(j, '}');
            if (more < 0) return -1;
            if (!more) break;
        }
    }
    int dup = rc_jf_dups(f, kfrom);
    f->nkeys = kfrom;
    if (dup) return j->bad = 1, -1;
    j->depth--;
    return 0;
}

static int rc_jf_skip_member(rc_jf_p *j, void *ctx, size_t off, size_t n, int nul)
{
    return rc_jf_value(j, CTX_SKIP, NULL);
}

/* At '[': every item checked. */
static int rc_jf_array(rc_jf_p *j)
{
    if (rc_jf_enter(j) < 0) return -1;
    j->p++;
    rc_jf_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
    } else {
        for (;;) {
            if (rc_jf_value(j, CTX_SKIP, NULL) < 0) return -1;
            int more = rc_jf_next(j, ']');
            if (more < 0) return -1;
            if (!more) break;
        }
    }
    j->depth--;
    return 0;
}

static int rc_jf_lit(rc_jf_p *j, const char *lit, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n)) return j->bad = 1, -1;
    j->p += n;
    return 0;
}

/* One value. With v, it is described there (strings and numbers copied
 * into the arena); without, only checked (the arena is left as it was).
 * A JSON object is described as RC_JV_NULL with j->other set: the caller
 * decides whether that matters. */
static int rc_jf_value(rc_jf_p *j, int ctx, rc_jval *v)
{
    rc_jfast *f = j->f;
    size_t mark = f->arena.len;
    int rc = 0;
    if (v) *v = (rc_jval){RC_JV_NULL, NULL, 0};
    if (j->p >= j->end) return j->bad = 1, -1;
    switch (*j->p) {
    case '{':
        rc = rc_jf_object(j, rc_jf_skip_member, NULL);
        if (v) v->type = -1; /* an object: the caller's call */
        break;
    case '[': {
        const unsigned char *at = j->p;
        rc = rc_jf_array(j);
        if (v) *v = (rc_jval){RC_JV_ARRAY, (const char *)(at - j->s), (size_t)(j->p - at)};
        break;
    }
    case '"': {
        size_t n;
        size_t off = rc_jf_string(j, &n, NULL);
        if (off == (size_t)-1) return -1;
        if (v) {
            *v = (rc_jval){RC_JV_STR, (const char *)off, n};
            return 0;
        }
        break;
    }
    case 't':
        rc = rc_jf_lit(j, "true", 4);
        if (v) v->type = RC_JV_TRUE;
        break;
    case 'f':
        rc = rc_jf_lit(j, "false", 5);
        if (v) v->type = RC_JV_FALSE;
        break;
    case 'n': rc = rc_jf_lit(j, "null", 4); break;
    default: {
        if (*j->p != '-' && (*j->p < '0' || *j->p > '9')) return j->bad = 1, -1;
        size_t n;
        int ty = rc_jf_number(j->p, j->end, &n);
        if (ty < 0) return j->bad = 1, -1;
        if (v) {
            size_t off = f->arena.len;
            rc_buf_put(&f->arena, j->p, n);
            rc_buf_putc(&f->arena, '\0');
            *v = (rc_jval){ty, (const char *)off, n};
            j->p += n;
            return 0;
        }
        j->p += n;
        break;
    }
    }
    if (!v || v->type == RC_JV_ARRAY || v->type == -1) f->arena.len = mark;
    return rc;
}

/* ---- the event ------------------------------------------------------------ */

enum { F_SCHEMA, F_TABLE, F_OPERATION, F_QUERY, F_POSITION, F_GTID };

typedef struct rc_jf_ev {
    rc_jf_top top;
    int which_img; /* for image members: 0 new, 1 old */
} rc_jf_ev;

static void rc_jf_pend_add(rc_jfast *f, size_t off, size_t n)
{
    if (f->npend == f->pendcap) {
        f->pendcap = f->pendcap ? 2 * f->pendcap : 64;
        f->pend = rc_xrealloc(f->pend, f->pendcap * sizeof *f->pend);
    }
    f->pend[f->npend++] = (rc_jf_pend){off, n};
}

static void rc_jf_col_add(rc_jfast *f, size_t off, size_t n, const rc_jval *v)
{
    if (f->ncols == f->colcap) {
        f->colcap = f->colcap ? 2 * f->colcap : 64;
        f->cols = rc_xrealloc(f->cols, f->colcap * sizeof *f->cols);
    }
    f->cols[f->ncols++] = (rc_jcol){(const char *)off, n, *v};
}

static int rc_jf_image_member(rc_jf_p *j, void *ctx, size_t off, size_t n, int nul)
{
    rc_jval v;
    if (rc_jf_value(j, CTX_IMAGE_VALUE, &v) < 0) return -1;
    if (v.type == -1) { /* a JSON document object: rc_jevent writes it its own way */
        j->other = 1;
        v.type = RC_JV_NULL;
    }
    rc_jf_col_add(j->f, off, n, &v);
    return 0;
}

/* A list field: an array of strings (or, for `primary`, a string). */
static int rc_jf_list(rc_jf_p *j, rc_jf_ev *e, int which)
{
    rc_jfast *f = j->f;
    if (j->p < j->end && *j->p == '"' && which == RC_JL_PRIMARY) {
        size_t n;
        int nul = 0;
        size_t off = rc_jf_string(j, &n, &nul);
        if (off == (size_t)-1) return -1;
        if (nul) j->other = 1;
        e->top.listoff[which] = f->npend;
        e->top.listn[which] = 1;
        rc_jf_pend_add(f, off, n);
        f->list[which].present = 2;
        return 0;
    }
    if (j->p >= j->end || *j->p != '[') {
        /* Not an array: rc_apply reads no list (and for `primary`, no key)
         * from a string, number, boolean or null; but an object (a table
         * to Lua), or a number or boolean as `primary`, is read in ways
         * not copied here. */
        unsigned c = j->p < j->end ? *j->p : 0;
        if (c == '{' || (which == RC_JL_PRIMARY && c != 'n')) j->other = 1;
        return rc_jf_value(j, CTX_SKIP, NULL);
    }
    if (rc_jf_enter(j) < 0) return -1;
    j->p++;
    e->top.listoff[which] = f->npend;
    f->list[which].present = 1;
    rc_jf_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
    } else {
        for (;;) {
            if (j->p < j->end && *j->p == '"') {
                size_t n;
                int nul = 0;
                size_t off = rc_jf_string(j, &n, &nul);
                if (off == (size_t)-1) return -1;
                if (nul) j->other = 1; /* a name cut short by its NUL in C */
                rc_jf_pend_add(f, off, n);
            } else {
                j->other = 1; /* Lua makes a name of a number; a null is a hole */
                if (rc_jf_value(j, CTX_SKIP, NULL) < 0) return -1;
            }
            int more = rc_jf_next(j, ']');
            if (more < 0) return -1;
            if (!more) break;
        }
    }
    e->top.listn[which] = f->npend - e->top.listoff[which];
    j->depth--;
    return 0;
}

/* The fields rc_apply reads, by name. */
enum { T_FIELD, T_LIST, T_COMMIT, T_IMAGE };
typedef struct rc_jf_name {
    const char *name;
    unsigned char len, what, which;
} rc_jf_name;
static const rc_jf_name rc_jf_names[] = {
    {"schema", 6, T_FIELD, F_SCHEMA},
    {"table", 5, T_FIELD, F_TABLE},
    {"operation", 9, T_FIELD, F_OPERATION},
    {"query", 5, T_FIELD, F_QUERY},
    {"position", 8, T_FIELD, F_POSITION},
    {"gtid", 4, T_FIELD, F_GTID},
    {"columns", 7, T_LIST, RC_JL_COLUMNS},
    {"primary", 7, T_LIST, RC_JL_PRIMARY},
    {"keys", 4, T_LIST, RC_JL_KEYS},
    {"missing", 7, T_LIST, RC_JL_MISSING},
    {"missing_old", 11, T_LIST, RC_JL_MISSING_OLD},
    {"commit", 6, T_COMMIT, 0},
    {"new", 3, T_IMAGE, 0},
    {"old", 3, T_IMAGE, 1},
};

static int rc_jf_top_member(rc_jf_p *j, void *ctx, size_t off, size_t n, int nul)
{
    rc_jf_ev *e = ctx;
    rc_jfast *f = j->f;
    const char *k = f->arena.data + off;
    const rc_jf_name *nm = NULL;
    /* Compared by length and first byte before the bytes: one key in a
     * few instructions (a strcmp per name was a tenth of the parse). */
    for (size_t i = 0; !nul && i < sizeof rc_jf_names / sizeof rc_jf_names[0]; i++)
        if (rc_jf_names[i].len == n && rc_jf_names[i].name[0] == k[0] &&
            !memcmp(rc_jf_names[i].name, k, n)) {
            nm = &rc_jf_names[i];
            break;
        }
    if (!nm) return rc_jf_value(j, CTX_SKIP, NULL);
    if (nm->what == T_FIELD) {
        int i = nm->which;
        if (j->p < j->end && *j->p == '"') {
            size_t sn;
            size_t so = rc_jf_string(j, &sn, NULL);
            if (so == (size_t)-1) return -1;
            e->top.off[i] = so;
            e->top.set[i] = 1;
            if (i == F_QUERY) f->querylen = sn;
            return 0;
        }
        if (i == F_QUERY && j->p < j->end && (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')))
            j->other = 1; /* Lua turns a number into the statement's text */
        return rc_jf_value(j, CTX_SKIP, NULL);
    }
    if (nm->what == T_LIST) return rc_jf_list(j, e, nm->which);
    if (nm->what == T_COMMIT) {
        f->commit = j->p < j->end && *j->p != 'n' && *j->p != 'f';
        return rc_jf_value(j, CTX_SKIP, NULL);
    }
    int img = nm->which;
    if (j->p < j->end && *j->p == '{') {
        (img ? &f->img_old : &f->img_new)->present = 1;
        e->top.imgoff[img] = f->ncols;
        int rc = rc_jf_object(j, rc_jf_image_member, e);
        e->top.imgn[img] = f->ncols - e->top.imgoff[img];
        return rc;
    }
    if (j->p < j->end && *j->p == '[') j->other = 1; /* an array is a table too */
    return rc_jf_value(j, CTX_SKIP, NULL);
}

int rc_jfast_parse(rc_jfast *f, const char *json, size_t n)
{
    rc_jf_p j = {.f = f, .s = (const unsigned char *)json, .p = (const unsigned char *)json};
    j.end = j.s + n;
    rc_jf_ev e;
    memset(&e, 0, sizeof e);
    f->arena.len = 0;
    f->npend = f->nkeys = f->ncols = 0;
    f->commit = 0;
    f->querylen = 0;
    for (int i = 0; i < RC_JL_N; i++)
        f->list[i].present = 0, f->list[i].n = 0;
    f->img_new.present = f->img_old.present = 0;
    f->img_new.n = f->img_old.n = 0;
    rc_jf_ws(&j);
    if (j.p >= j.end || *j.p != '{') return RC_JF_BAD;
    if (rc_jf_object(&j, rc_jf_top_member, &e) < 0 || j.bad) return RC_JF_BAD;
    rc_jf_ws(&j);
    if (j.p != j.end) return RC_JF_BAD;
    if (j.other) return RC_JF_OTHER;
    /* The arena no longer moves: offsets become pointers. */
    const char *base = f->arena.data;
    const char **fp[6] = {&f->schema, &f->table, &f->operation, &f->query, &f->position, &f->gtid};
    for (int i = 0; i < 6; i++)
        *fp[i] = e.top.set[i] ? base + e.top.off[i] : NULL;
    if (!f->query) f->querylen = 0;
    for (int i = 0; i < RC_JL_N; i++) {
        rc_jlist *l = &f->list[i];
        size_t cnt = e.top.listn[i];
        if (l->present && l->cap < cnt) {
            l->cap = cnt;
            l->items = rc_xrealloc(l->items, cnt * sizeof *l->items);
        }
        l->n = l->present ? cnt : 0;
        for (size_t k = 0; k < l->n; k++)
            l->items[k] = base + f->pend[e.top.listoff[i] + k].off;
    }
    for (int i = 0; i < 2; i++) {
        rc_jimage *im = i ? &f->img_old : &f->img_new;
        size_t cnt = e.top.imgn[i];
        if (im->cap < cnt) {
            im->cap = cnt;
            im->cols = rc_xrealloc(im->cols, cnt * sizeof *im->cols);
        }
        im->n = im->present ? cnt : 0;
        for (size_t k = 0; k < im->n; k++) {
            rc_jcol c = f->cols[e.top.imgoff[i] + k];
            c.name = base + (size_t)c.name;
            if (c.v.type == RC_JV_ARRAY)
                c.v.s = json + (size_t)c.v.s;
            else if (c.v.type != RC_JV_NULL && c.v.type != RC_JV_TRUE && c.v.type != RC_JV_FALSE)
                c.v.s = base + (size_t)c.v.s;
            im->cols[k] = c;
        }
    }
    return RC_JF_OK;
}

const rc_jval *rc_jfast_col(const rc_jimage *img, const char *name, size_t hint)
{
    size_t n = strlen(name);
    const rc_jcol *c = img->cols;
    if (hint < img->n && c[hint].namelen == n && !memcmp(c[hint].name, name, n))
        return c[hint].v.type == RC_JV_NULL ? NULL : &c[hint].v;
    for (size_t i = 0; i < img->n; i++)
        if (c[i].namelen == n && !memcmp(c[i].name, name, n))
            return c[i].v.type == RC_JV_NULL ? NULL : &c[i].v;
    return NULL;
}

int rc_jfast_listed(const rc_jlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], name)) return 1;
    return 0;
}

/* ---- writing values back --------------------------------------------------- */

void rc_jfast_array_json(const rc_jval *v, rc_buf *out)
{
    const unsigned char *p = (const unsigned char *)v->s, *end = p + v->n;
    rc_buf tmp;
    rc_buf_init(&tmp);
    while (p < end) {
        unsigned c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p++;
        } else if (c == '"') {
            /* Checked by the parse: the text as rc_jevent writes a string. */
            size_t n;
            int nul = 0;
            tmp.len = 0;
            if (rc_jf_unescape(&p, end, &tmp, &n, &nul) < 0) break;
            rc_json_str(out, tmp.data, n);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t n;
            int ty = rc_jf_number(p, end, &n);
            if (ty < 0) break;
            /* An integer is written from its value: -0 is 0. */
            if (ty == RC_JV_INT && n == 2 && p[0] == '-' && p[1] == '0')
                rc_buf_putc(out, '0');
            else
                rc_buf_put(out, p, n);
            p += n;
        } else {
            rc_buf_putc(out, (char)c);
            p++;
        }
    }
    rc_buf_free(&tmp);
}

void rc_jfast_float_sql(const char *s, size_t n, rc_buf *out)
{
    /* A plain decimal of at most 15 significant digits (the parse said so)
     * whose first one is at most 4 places after the point: "%.15g" writes
     * it in fixed notation, as it is less its trailing zeros. */
    const char *dot = memchr(s, '.', n);
    int plain = dot && !memchr(s, 'e', n) && !memchr(s, 'E', n);
    if (plain) {
        const char *d = s + (s[0] == '-');
        size_t zeros = 0;
        int zero_int = dot - d == 1 && d[0] == '0', allzero = 1;
        for (const char *q = dot + 1; q < s + n; q++)
            if (*q != '0') {
                allzero = 0;
                break;
            }
        if (zero_int && !allzero) {
            for (const char *q = dot + 1; q < s + n && *q == '0'; q++)
                zeros++;
            if (zeros >= 4) plain = 0; /* %g turns to 1e-05 style */
        }
        if (plain) {
            if (zero_int && allzero) {
                /* The value 0 (or -0): "0", "-0" */
                if (s[0] == '-') rc_buf_putc(out, '-');
                rc_buf_putc(out, '0');
                return;
            }
            const char *e = s + n;
            while (e > dot + 1 && e[-1] == '0')
                e--;
            if (e == dot + 1) e = dot;
            rc_buf_put(out, s, (size_t)(e - s));
            return;
        }
    }
    char buf[128], t[40];
    char *num = n < sizeof buf ? buf : rc_xmalloc(n + 1);
    memcpy(num, s, n);
    num[n] = 0;
    double d = strtod(num, NULL);
    if (num != buf) free(num);
    snprintf(t, sizeof t, "%.15g", d);
    if (strtod(t, NULL) != d) snprintf(t, sizeof t, "%.17g", d);
    rc_buf_puts(out, t);
}
