/* rc_jfast: the applier's own reading of a JSON event when no script runs
 * on it. rc_jevent builds a Lua table per event so that scripts can change
 * it; the applier alone only needs a few fields, the column lists and the
 * two row images, so this parser reads them straight into a reusable C
 * structure (no allocation per event once the buffers have grown).
 *
 * It accepts exactly what rc_jevent_push accepts (strict JSON, valid UTF-8,
 * no duplicate keys, nesting up to RC_JEVENT_MAX_DEPTH) and gives each value
 * the type rc_jevent would (integers that fit int64, floats of at most 15
 * significant digits, longer numbers as their text, strings unescaped).
 * An event whose shape the applier's Lua reading treats in a way this one
 * does not copy (a JSON object as a column value, a non-string column name,
 * a NUL inside a name, ...) is answered RC_JF_OTHER: the caller takes the
 * Lua path for it, so the SQL written never depends on which path ran. */
#ifndef RC_JFAST_H
#define RC_JFAST_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_buf.h"

enum {
    RC_JV_NULL, /* null, or absent */
    RC_JV_TRUE,
    RC_JV_FALSE,
    RC_JV_INT,   /* fits int64: text as in the JSON */
    RC_JV_FLOAT, /* a Lua float in rc_jevent: text as in the JSON */
    RC_JV_STR,   /* a string, or a number kept as its text */
    RC_JV_ARRAY, /* a JSON array: the raw text of it */
};

/* A value; s points into the arena (strings, numbers) or into the input
 * (arrays). Strings of the arena are NUL-terminated too. */
typedef struct rc_jval {
    int type;
    const char *s;
    size_t n;
} rc_jval;

/* One member of a row image. */
typedef struct rc_jcol {
    const char *name;
    size_t namelen;
    rc_jval v;
} rc_jcol;

/* A list of names (`columns`, `primary`, `keys`, `missing`, `missing_old`). */
typedef struct rc_jlist {
    const char **items;
    size_t n, cap;
    int present; /* 1: an array; 2 (`primary` only): a string, the one item */
} rc_jlist;

typedef struct rc_jimage {
    rc_jcol *cols;
    size_t n, cap;
    int present; /* a JSON object */
} rc_jimage;

enum { RC_JL_COLUMNS, RC_JL_PRIMARY, RC_JL_KEYS, RC_JL_MISSING, RC_JL_MISSING_OLD, RC_JL_N };

typedef struct rc_jfast {
    /* String fields; NULL when absent or not a string (as rc_apply reads them). */
    const char *schema, *table, *operation, *query, *position, *gtid;
    size_t querylen;
    int commit; /* truthy as Lua sees it: present, not null, not false */
    rc_jlist list[RC_JL_N];
    rc_jimage img_new, img_old;
    /* Private: reusable storage. */
    rc_buf arena;
    struct rc_jf_pend *pend;
    size_t npend, pendcap;
    rc_jcol *cols; /* both images while parsing */
    size_t ncols, colcap;
    struct rc_jf_key *keys;
    size_t nkeys, keycap;
    uint32_t *slots;
    size_t nslots;
    uint32_t gen;
} rc_jfast;

enum { RC_JF_OK = 0, RC_JF_BAD = -1, RC_JF_OTHER = 1 };

void rc_jfast_init(rc_jfast *f);
void rc_jfast_free(rc_jfast *f);

/* Parses one event (json, n bytes). RC_JF_OK with f filled (pointers valid
 * until the next parse, and into json), RC_JF_BAD for what rc_jevent_push
 * refuses, RC_JF_OTHER for an event to read the Lua way. */
int rc_jfast_parse(rc_jfast *f, const char *json, size_t n);

/* The value of column name (a C string) in image, or NULL when the image
 * has no such member (or it is null: both read as SQL NULL). hint: the
 * index where it likely is (images list columns in `columns` order). */
const rc_jval *rc_jfast_col(const rc_jimage *img, const char *name, size_t hint);

/* Is name (a C string) an item of the list? */
int rc_jfast_listed(const rc_jlist *l, const char *name);

/* The text rc_jevent_serialize writes for the array value v (its items as
 * rc_jevent would parse and write them back), appended to out. */
void rc_jfast_array_json(const rc_jval *v, rc_buf *out);

/* Appends the text Lua's "%.15g" then, if that does not read back, "%.17g"
 * gives for the double of the number text (how rc_apply writes a Lua
 * float): the common plain decimals without printf. */
void rc_jfast_float_sql(const char *s, size_t n, rc_buf *out);

#endif
