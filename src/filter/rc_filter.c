/* rc_filter: see rc_filter.h. */
#include "filter/rc_filter.h"

#include <stdlib.h>
#include <string.h>

#include "core/rc_buf.h"
#include "filter/rc_derive.h"
#include "filter/rc_fevent.h"
#include "filter/rc_jscript.h"
#include "filter/rc_lua.h"

typedef struct script {
    rc_lua *lua;
    rc_fevent *fe;
    char *path;
    rc_change out;
} script;

struct rc_fchain {
    char *point;
    rc_rules *rules;
    int rules_used;
    rc_derive *derive; /* tables with excluded columns cut */
    rc_change cut;
    script *scripts;
    size_t nscripts;
    rc_buf jtext[2], jgroup, jtmp; /* rc_fchain_run_json's event and group */
};

rc_fchain *rc_fchain_new(const char *point)
{
    rc_fchain *f = rc_xcalloc(1, sizeof *f);
    f->point = rc_xstrndup(point, strlen(point));
    f->rules = rc_rules_new();
    f->derive = rc_derive_new();
    return f;
}

void rc_fchain_free(rc_fchain *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->nscripts; i++) {
        rc_fevent_free(f->scripts[i].fe);
        rc_lua_close(f->scripts[i].lua);
        free(f->scripts[i].path);
    }
    free(f->scripts);
    rc_buf_free(&f->jtext[0]);
    rc_buf_free(&f->jtext[1]);
    rc_buf_free(&f->jgroup);
    rc_buf_free(&f->jtmp);
    rc_rules_free(f->rules);
    rc_derive_free(f->derive);
    free(f->point);
    free(f);
}

rc_rules *rc_fchain_rules(rc_fchain *f)
{
    return f->rules;
}
void rc_fchain_rules_used(rc_fchain *f)
{
    f->rules_used = 1;
}
int rc_fchain_active(const rc_fchain *f)
{
    return f->rules_used || f->nscripts;
}

int rc_fchain_add_script(rc_fchain *f, const char *path, rc_err *err)
{
    rc_lua *L = rc_lua_open(path, f->point, NULL, err);
    if (!L) return -1;
    f->scripts = rc_xrealloc(f->scripts, (f->nscripts + 1) * sizeof *f->scripts);
    script *s = &f->scripts[f->nscripts++];
    memset(s, 0, sizeof *s);
    s->lua = L;
    s->fe = rc_fevent_new(rc_lua_state(L));
    s->path = rc_xstrndup(path, strlen(path));
    return 0;
}

static int rules_pass(rc_fchain *f, const rc_change *c, const rc_change **out, rc_err *err)
{
    const rc_rules *r = f->rules;
    if (!rc_rules_op_wanted(r, c->op)) return 0;
    if (c->op == RC_OP_QUERY) {
        *out = c;
        return rc_rules_query_wanted(r, c->schema, c->schema_len);
    }
    if (!rc_rules_table_wanted_t(f->rules, c->table)) return 0;
    const uint8_t *mask = rc_rules_column_mask(f->rules, c->table);
    if (!mask) {
        *out = c;
        return 1;
    }
    /* cutting columns needs the values (a row not decoded yet is decoded) */
    if (rc_change_values(c, &c, err) < 0) return -1;
    rc_shape shape = {mask, NULL, NULL};
    rc_derived *dt = rc_derive_table(f->derive, c->table, &shape);
    rc_derive_change(dt, c, &f->cut);
    *out = &f->cut;
    return 1;
}

int rc_fchain_run(rc_fchain *f, const rc_change *c, const rc_change **out, rc_err *err)
{
    *out = c;
    if (f->rules_used) {
        int pass = rules_pass(f, c, out, err);
        if (pass <= 0) return pass;
    }
    /* A row not decoded yet stays so: a script decodes the columns it reads
     * (rc_fevent), and one it keeps unchanged reaches the encoder as bytes. */
    for (size_t i = 0; i < f->nscripts; i++) {
        script *s = &f->scripts[i];
        int discard = 0;
        rc_fevent_begin(s->fe, *out);
        int rc = rc_lua_call_ref(s->lua, rc_fevent_ref(s->fe), &discard, err);
        int changed = rc_fevent_end(s->fe, &s->out, rc < 0 ? NULL : err);
        if (rc < 0 || changed < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            const rc_meta *m = c->meta;
            return rc_err_set(err, RC_E_USAGE, "%s (event at %s:%llu)", msg, m->file,
                              (unsigned long long)m->offset);
        }
        if (discard) return 0;
        if (changed) *out = &s->out;
    }
    return 1;
}

int rc_fchain_run_json(rc_fchain *f, const rc_fjson *ev, const char **out, size_t *outlen,
                       const char **group, rc_err *err)
{
    *out = ev->text;
    *outlen = ev->len;
    *group = NULL;
    if (f->rules_used && (!rc_rules_op_wanted(f->rules, ev->op) ||
                          !rc_rules_table_wanted(f->rules, ev->schema, ev->table)))
        return 0;
    rc_buf *cur = NULL;
    for (size_t i = 0; i < f->nscripts; i++) {
        cur = cur == &f->jtext[0] ? &f->jtext[1] : &f->jtext[0];
        int rc = rc_jscript_run(f->scripts[i].lua, *out, *outlen, cur, &f->jtmp, err);
        if (rc < 0) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            return rc_err_set(err, rc == -2 ? RC_E_CORRUPT : RC_E_USAGE, "%s%s (event %s)",
                              rc == -2 ? "not a JSON event: " : "", msg, ev->where);
        }
        if (rc == 0) return 0;
        if (f->jtmp.len) { /* a later script's routing wins */
            f->jgroup.len = 0;
            rc_buf_put(&f->jgroup, f->jtmp.data, f->jtmp.len + 1);
            *group = f->jgroup.data;
        }
        *out = cur->data;
        *outlen = cur->len;
    }
    return 1;
}
