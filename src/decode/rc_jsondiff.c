/* rc_jsondiff: the decode stage's applier of MySQL partial JSON updates.
 *
 * A PARTIAL_UPDATE_ROWS after-image carries, for a JSON column, the diffs
 * MySQL applied instead of the new document. The row decoder renders the
 * before-image and the diffs' values as text; this file parses that text
 * into a small tree, applies the diffs the way MySQL's own applier does
 * (apply_json_diffs in sql/json_diff.cc: exact paths, no auto-wrapping),
 * and writes the document back out compactly.
 *
 * All input is hostile: the parser is strict, bounds-checked and stops at
 * 100 nested containers (MySQL's JSON_DOCUMENT_MAX_DEPTH), and a diff that
 * would nest the result deeper is refused, so the recursive writer's depth
 * stays bounded too. */
#include "decode/rc_jsondiff.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/rc_arena.h"
#include "decode/rc_jsonb.h"
#include "encode/rc_json.h"

enum { RC_JN_SCALAR, RC_JN_OBJECT, RC_JN_ARRAY };

typedef struct rc_jnode rc_jnode;
struct rc_jnode {
    int kind;
    int depth;       /* containers in this subtree along its deepest branch */
    const char *txt; /* scalar: its source text (string with quotes, number, literal) */
    size_t txt_len;
    rc_jnode *head;      /* container: children in order */
    size_t count;        /* container: number of children */
    rc_jnode *next;      /* next sibling */
    const char *key_txt; /* member: key's quoted source text; NULL for a key from a path */
    size_t key_txt_len;
    const char *key; /* member: key bytes, escapes resolved (what MySQL compares) */
    size_t key_len;
};

typedef struct rc_jparse {
    const char *base, *p, *end;
    rc_arena *arena;
    const char *what; /* "document" or "value of diff N" (for messages) */
    rc_err *err;
} rc_jparse;

typedef struct rc_jleg {
    int member;       /* 1: `.name`; 0: `[index]` */
    const char *name; /* member: bytes, escapes resolved */
    size_t name_len;
    size_t index; /* cell: the number written (saturated) */
    int from_end; /* cell: written as `last` or `last-N` */
} rc_jleg;

/* ---- strings ---------------------------------------------------------- */

static int rc_jd_hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Length of the well-formed UTF-8 sequence at p, or 0 (overlongs,
 * surrogates and code points past U+10FFFF are not well-formed). */
static size_t rc_jd_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned cp, min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

static size_t rc_jd_put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Reads the JSON string whose opening quote is at *pp: on success *pp is
 * past the closing quote and, if dst is not NULL, the string's bytes with
 * escapes resolved are in dst (never longer than the quoted text: no escape
 * expands) and their count in *dst_len. Keys are read twice (validate to
 * find the length, then decode) so the arena never holds more than the
 * text. Returns NULL or a description of the fault, *pp at it. */
static const char *rc_jd_string(const char **pp, const char *end, char *dst, size_t *dst_len)
{
    const char *p = *pp + 1;
    size_t n = 0;
    for (;;) {
        if (p >= end) {
            *pp = p;
            return "unterminated string";
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c < 0x20) {
            *pp = p;
            return "control character in a string";
        }
        if (c != '\\') {
            size_t k = rc_jd_utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (!k) {
                *pp = p;
                return "invalid UTF-8 in a string";
            }
            if (dst) memcpy(dst + n, p, k);
            n += k;
            p += k;
            continue;
        }
        if (end - p < 2) {
            *pp = p;
            return "unterminated string";
        }
        char e = p[1], r;
        switch (e) {
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        case '/': r = '/'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u': r = 0; break;
        default: *pp = p; return "bad escape in a string";
        }
        if (e != 'u') {
            if (dst) dst[n] = r;
            n++;
            p += 2;
            continue;
        }
        unsigned cp;
        if (rc_jd_hex4(p + 2, end, &cp) < 0) {
            *pp = p;
            return "bad \\u escape in a string";
        }
        p += 6;
        if (cp >= 0xdc00 && cp <= 0xdfff) {
            *pp = p - 6;
            return "lone surrogate in a string";
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            unsigned lo;
            if (end - p < 2 || p[0] != '\\' || p[1] != 'u' || rc_jd_hex4(p + 2, end, &lo) < 0 ||
                lo < 0xdc00 || lo > 0xdfff) {
                *pp = p - 6;
                return "lone surrogate in a string";
            }
            p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (dst)
            n += rc_jd_put_utf8(dst + n, cp);
        else
            n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    *pp = p + 1;
    if (dst_len) *dst_len = n;
    return NULL;
}

/* ---- parser ----------------------------------------------------------- */

static int rc_jd_bad(rc_jparse *c, const char *why)
{
    return rc_err_set(c->err, RC_E_CORRUPT, "JSON partial update: %s: %s at offset %zu", c->what,
                      why, (size_t)(c->p - c->base));
}

static void rc_jd_ws(rc_jparse *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int rc_jd_digits(rc_jparse *c)
{
    const char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > s ? 0 : -1;
}

/* JSON's number grammar exactly; the text is kept, not converted, so a
 * DECIMAL's or a big integer's digits survive. */
static int rc_jd_number(rc_jparse *c)
{
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (rc_jd_digits(c) < 0)
        return rc_jd_bad(c, "bad number");
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (rc_jd_digits(c) < 0) return rc_jd_bad(c, "bad number");
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (rc_jd_digits(c) < 0) return rc_jd_bad(c, "bad number");
    }
    return 0;
}

static rc_jnode *rc_jd_value(rc_jparse *c, int depth);

/* Appends child after *tail (the container's last link). */
static void rc_jd_append(rc_jnode *parent, rc_jnode ***tail, rc_jnode *child)
{
    **tail = child;
    *tail = &child->next;
    parent->count++;
    if (child->depth + 1 > parent->depth) parent->depth = child->depth + 1;
}

static rc_jnode *rc_jd_container(rc_jparse *c, int depth)
{
    int object = *c->p == '{';
    char close = object ? '}' : ']';
    if (depth > RC_JSONB_MAX_DEPTH) {
        rc_jd_bad(c, "nested deeper than 100 levels");
        return NULL;
    }
    rc_jnode *node = rc_arena_alloc(c->arena, sizeof *node);
    node->kind = object ? RC_JN_OBJECT : RC_JN_ARRAY;
    node->depth = 1;
    rc_jnode **tail = &node->head;
    c->p++;
    rc_jd_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return node;
    }
    for (;;) {
        const char *key = NULL, *key_dec = NULL;
        size_t key_len = 0, key_dec_len = 0;
        if (object) {
            if (c->p >= c->end || *c->p != '"') {
                rc_jd_bad(c, "expected a member name");
                return NULL;
            }
            key = c->p;
            const char *why = rc_jd_string(&c->p, c->end, NULL, &key_dec_len);
            if (why) {
                rc_jd_bad(c, why);
                return NULL;
            }
            key_len = (size_t)(c->p - key);
            char *d = rc_arena_alloc(c->arena, key_dec_len + 1);
            const char *q = key;
            rc_jd_string(&q, c->end, d, NULL); /* validated above: cannot fail */
            key_dec = d;
            rc_jd_ws(c);
            if (c->p >= c->end || *c->p != ':') {
                rc_jd_bad(c, "expected ':'");
                return NULL;
            }
            c->p++;
            rc_jd_ws(c);
        }
        rc_jnode *child = rc_jd_value(c, depth);
        if (!child) return NULL;
        child->key_txt = key;
        child->key_txt_len = key_len;
        child->key = key_dec;
        child->key_len = key_dec_len;
        rc_jd_append(node, &tail, child);
        rc_jd_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            rc_jd_ws(c);
            continue;
        }
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return node;
        }
        rc_jd_bad(c, object ? "expected ',' or '}'" : "expected ',' or ']'");
        return NULL;
    }
}

/* depth: containers already open around this value. */
static rc_jnode *rc_jd_value(rc_jparse *c, int depth)
{
    if (c->p >= c->end) {
        rc_jd_bad(c, "unexpected end");
        return NULL;
    }
    if (*c->p == '{' || *c->p == '[') return rc_jd_container(c, depth + 1);
    const char *s = c->p;
    if (*c->p == '"') {
        const char *why = rc_jd_string(&c->p, c->end, NULL, NULL);
        if (why) {
            rc_jd_bad(c, why);
            return NULL;
        }
    } else if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) {
        if (rc_jd_number(c) < 0) return NULL;
    } else {
        static const char *const lits[] = {"true", "false", "null"};
        size_t i;
        for (i = 0; i < 3; i++) {
            size_t l = strlen(lits[i]);
            if ((size_t)(c->end - c->p) >= l && !memcmp(c->p, lits[i], l)) {
                c->p += l;
                break;
            }
        }
        if (i == 3) {
            rc_jd_bad(c, "unexpected character");
            return NULL;
        }
    }
    rc_jnode *node = rc_arena_alloc(c->arena, sizeof *node);
    node->kind = RC_JN_SCALAR;
    node->txt = s;
    node->txt_len = (size_t)(c->p - s);
    return node;
}

/* A whole text: one value, optional whitespace around it, nothing else. */
static rc_jnode *rc_jd_parse(rc_arena *a, const char *s, size_t n, const char *what, rc_err *err)
{
    if (!s) {
        if (n) {
            rc_err_set(err, RC_E_CORRUPT, "JSON partial update: %s: no text", what);
            return NULL;
        }
        s = ""; /* so that s + n below is defined */
    }
    rc_jparse c = {.base = s, .p = s, .end = s + n, .arena = a, .what = what, .err = err};
    rc_jd_ws(&c);
    rc_jnode *node = rc_jd_value(&c, 0);
    if (!node) return NULL;
    rc_jd_ws(&c);
    if (c.p != c.end) {
        rc_jd_bad(&c, "text after the value");
        return NULL;
    }
    return node;
}

/* ---- paths ------------------------------------------------------------ */

static int rc_jd_ident_byte(unsigned char ch, int first)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '$') return 1;
    if (ch >= 0x80) return 1; /* non-ASCII identifier letters; UTF-8 checked after */
    return !first && ch >= '0' && ch <= '9';
}

/* Parses MySQL path text into legs. MySQL writes a member unquoted only
 * when it is an ECMAScript identifier, else as a JSON string; it allows
 * whitespace between legs, so this does too. Returns the number of legs,
 * or -1 with *why set. */
static long rc_jd_path(rc_arena *a, const char *s, size_t n, rc_jleg **legs_out, const char **why)
{
    const char *p = s, *end = s + n;
#define RC_JD_WS()                                                                                 \
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))                       \
    p++
    RC_JD_WS();
    if (p >= end || *p != '$') {
        *why = "path does not start with '$'";
        return -1;
    }
    p++;
    /* Every leg takes at least two bytes, so n / 2 + 1 bounds the count. */
    rc_jleg *legs = rc_arena_alloc(a, (n / 2 + 1) * sizeof *legs);
    long k = 0;
    for (;;) {
        RC_JD_WS();
        if (p >= end) break;
        rc_jleg *l = &legs[k];
        if (*p == '.') {
            p++;
            RC_JD_WS();
            l->member = 1;
            if (p < end && *p == '"') {
                const char *q = p;
                size_t dl;
                if ((*why = rc_jd_string(&q, end, NULL, &dl)) != NULL) return -1;
                char *d = rc_arena_alloc(a, dl + 1);
                rc_jd_string(&p, end, d, NULL);
                l->name = d;
                l->name_len = dl;
            } else {
                const char *b = p;
                while (p < end && rc_jd_ident_byte((unsigned char)*p, p == b))
                    p++;
                if (p == b) {
                    *why = "bad member name in path (wildcards are not allowed)";
                    return -1;
                }
                for (const char *u = b; u < p;) {
                    size_t ul = rc_jd_utf8_len((const unsigned char *)u, (const unsigned char *)p);
                    if (!ul) {
                        *why = "invalid UTF-8 in path";
                        return -1;
                    }
                    u += ul;
                }
                l->name = b;
                l->name_len = (size_t)(p - b);
            }
        } else if (*p == '[') {
            p++;
            RC_JD_WS();
            l->member = 0;
            if ((size_t)(end - p) >= 4 && !memcmp(p, "last", 4)) {
                l->from_end = 1;
                p += 4;
                RC_JD_WS();
                if (p < end && *p == '-') {
                    p++;
                    RC_JD_WS();
                } else {
                    l->index = 0;
                    goto close;
                }
            }
            if (p >= end || *p < '0' || *p > '9') {
                *why = "bad array index in path (wildcards and ranges are not allowed)";
                return -1;
            }
            /* An index past any real array behaves the same whatever its
             * size (not found, or append), so a huge one saturates. */
            for (l->index = 0; p < end && *p >= '0' && *p <= '9'; p++) {
                size_t dgt = (size_t)(*p - '0');
                l->index = l->index > (SIZE_MAX - dgt) / 10 ? SIZE_MAX : l->index * 10 + dgt;
            }
        close:
            RC_JD_WS();
            if (p >= end || *p != ']') {
                *why = "expected ']' in path";
                return -1;
            }
            p++;
        } else {
            *why = "unexpected character in path";
            return -1;
        }
        k++;
    }
#undef RC_JD_WS
    *legs_out = legs;
    return k;
}

/* The array position a cell leg names (MySQL's Json_array_index): `[N]`
 * clamps to len (so INSERT past the end appends), `[last-N]` counts from
 * the end and clamps to 0; *within says whether an element is there. */
static size_t rc_jd_pos(const rc_jleg *l, size_t len, int *within)
{
    *within = l->index < len;
    if (l->from_end) return l->index < len ? len - 1 - l->index : 0;
    return l->index < len ? l->index : len;
}

/* The link (pointer in the parent) to the child leg l names, or NULL when
 * there is none (wrong container kind, no such member, index out of range).
 * Exact match only: unlike JSON_EXTRACT, a scalar is not auto-wrapped. */
static rc_jnode **rc_jd_child(rc_jnode *parent, const rc_jleg *l)
{
    rc_jnode **link = &parent->head;
    if (parent->kind == RC_JN_OBJECT && l->member) {
        for (; *link; link = &(*link)->next)
            if ((*link)->key_len == l->name_len && !memcmp((*link)->key, l->name, l->name_len))
                return link;
        return NULL;
    }
    if (parent->kind == RC_JN_ARRAY && !l->member) {
        int within;
        size_t pos = rc_jd_pos(l, parent->count, &within);
        if (!within) return NULL;
        while (pos--)
            link = &(*link)->next;
        return link;
    }
    return NULL;
}

/* MySQL's binary JSON stores an object's keys shorter first, equal lengths
 * bytewise (Json_key_comparator), and SELECT prints them in that order. */
static int rc_jd_key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) return an < bn ? -1 : 1;
    return memcmp(a, b, an);
}

/* ---- writer ----------------------------------------------------------- */

static void rc_jd_write(rc_buf *out, const rc_jnode *node)
{
    if (node->kind == RC_JN_SCALAR) {
        rc_buf_put(out, node->txt, node->txt_len);
        return;
    }
    int object = node->kind == RC_JN_OBJECT;
    rc_buf_putc(out, object ? '{' : '[');
    for (const rc_jnode *ch = node->head; ch; ch = ch->next) {
        if (ch != node->head) rc_buf_putc(out, ',');
        if (object) {
            if (ch->key_txt)
                rc_buf_put(out, ch->key_txt, ch->key_txt_len);
            else
                rc_json_str(out, ch->key, ch->key_len);
            rc_buf_putc(out, ':');
        }
        rc_jd_write(out, ch);
    }
    rc_buf_putc(out, object ? '}' : ']');
}

/* ---- applier ---------------------------------------------------------- */

/* The path, printable and short, for a one-line message. */
static const char *rc_jd_show(char *buf, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && s; i++) {
        if (o + 4 >= cap) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char ch = (unsigned char)s[i];
        buf[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    buf[o] = 0;
    return buf;
}

static const char *const rc_jd_op_names[] = {"REPLACE", "INSERT", "REMOVE"};

static int rc_jd_apply_one(rc_arena *a, rc_jnode **root, const rc_jdiff *d, size_t i, rc_err *err)
{
    char shown[128];
    const char *opn = (unsigned)d->op <= RC_JDIFF_REMOVE ? rc_jd_op_names[d->op] : "?";
#define RC_JD_FAIL(what)                                                                           \
    rc_err_set(err, RC_E_CORRUPT, "JSON partial update: diff %zu (%s %s): %s", i + 1, opn,         \
               rc_jd_show(shown, sizeof shown, d->path, d->path_len), what)

    if ((unsigned)d->op > RC_JDIFF_REMOVE)
        return rc_err_set(err, RC_E_CORRUPT, "JSON partial update: diff %zu: unknown operation %d",
                          i + 1, (int)d->op);
    if (!d->path && d->path_len) return RC_JD_FAIL("no path text");
    rc_jleg *legs = NULL;
    const char *why = NULL;
    long nlegs = rc_jd_path(a, d->path ? d->path : "", d->path_len, &legs, &why);
    if (nlegs < 0) return RC_JD_FAIL(why);

    rc_jnode *val = NULL;
    if (d->op != RC_JDIFF_REMOVE) {
        char what[48];
        snprintf(what, sizeof what, "value of diff %zu", i + 1);
        val = rc_jd_parse(a, d->value, d->value_len, what, err);
        if (!val) return -1;
        /* The value sits inside nlegs containers; MySQL refuses documents
         * nested deeper than 100, and the writer recurses on this depth. */
        if ((long)val->depth + nlegs > RC_JSONB_MAX_DEPTH)
            return RC_JD_FAIL("result nested deeper than 100 levels");
    }

    if (nlegs == 0) {
        /* MySQL never logs a diff on the root (it logs the whole value). */
        if (d->op != RC_JDIFF_REPLACE) return RC_JD_FAIL("cannot insert or remove the root");
        *root = val;
        return 0;
    }

    rc_jnode *parent = *root;
    for (long k = 0; k < nlegs - 1; k++) {
        rc_jnode **link = rc_jd_child(parent, &legs[k]);
        if (!link) return RC_JD_FAIL("path not found");
        parent = *link;
    }
    const rc_jleg *last = &legs[nlegs - 1];
    rc_jnode **link = rc_jd_child(parent, last);

    switch (d->op) {
    case RC_JDIFF_REPLACE:
        if (!link) return RC_JD_FAIL("path not found");
        val->key_txt = (*link)->key_txt;
        val->key_txt_len = (*link)->key_txt_len;
        val->key = (*link)->key;
        val->key_len = (*link)->key_len;
        val->next = (*link)->next;
        *link = val;
        return 0;
    case RC_JDIFF_REMOVE:
        if (!link) return RC_JD_FAIL("path not found");
        *link = (*link)->next;
        parent->count--;
        return 0;
    case RC_JDIFF_INSERT:
        if (parent->kind == RC_JN_OBJECT && last->member) {
            if (link) return RC_JD_FAIL("member already exists");
            val->key = last->name;
            val->key_len = last->name_len;
            rc_jnode **at = &parent->head;
            while (*at && rc_jd_key_cmp((*at)->key, (*at)->key_len, val->key, val->key_len) < 0)
                at = &(*at)->next;
            val->next = *at;
            *at = val;
            parent->count++;
            return 0;
        }
        if (parent->kind == RC_JN_ARRAY && !last->member) {
            int within;
            size_t pos = rc_jd_pos(last, parent->count, &within);
            rc_jnode **at = &parent->head;
            while (pos--)
                at = &(*at)->next;
            val->next = *at;
            *at = val;
            parent->count++;
            return 0;
        }
        return RC_JD_FAIL("path does not name a member of an object or a cell of an array");
    }
    return RC_JD_FAIL("unknown operation");
#undef RC_JD_FAIL
}

int rc_jsondiff_apply(const char *doc, size_t doc_len, const rc_jdiff *diffs, size_t n, rc_buf *out,
                      rc_err *err)
{
    rc_arena arena = {0};
    int rc = -1;
    rc_jnode *root = rc_jd_parse(&arena, doc, doc_len, "document", err);
    if (!root) goto done;
    for (size_t i = 0; i < n; i++)
        if (rc_jd_apply_one(&arena, &root, &diffs[i], i, err) < 0) goto done;
    /* Written only once every diff applied, so a failure leaves out as it was. */
    rc_jd_write(out, root);
    rc = 0;
done:
    rc_arena_free(&arena);
    return rc;
}
