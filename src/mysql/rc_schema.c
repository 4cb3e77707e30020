/* rc_schema: the information_schema side of table definitions. The decoder
 * asks here once per table-map change (not per row) for what the binlog
 * itself does not carry: unique keys always, and column names, signedness
 * and ENUM/SET labels when binlog_row_metadata is not FULL.
 *
 * The cache is a small chained hash keyed by "schema\0table". Misses are
 * cached too (a dropped table is asked about by every old transaction that
 * touched it); DDL in the stream invalidates entries. The connection is its
 * own, opened on first use and reopened once when the server has closed it
 * meanwhile (an idle connection outlives wait_timeout in a quiet daemon). */
#include "mysql/rc_schema.h"

#include <ctype.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"
#include "mysql/rc_conn.h"

typedef struct entry {
    char *schema, *table;
    int exists;
    rc_schema_table t;
    struct entry *next;
} entry;

struct rc_schema {
    rc_url url; /* a deep copy: the caller's may go away */
    rc_conn *conn;
    entry **buckets;
    size_t nbuckets, count;
    int warned_missing;
};

static char *dup0(const char *s)
{
    return rc_xstrndup(s ? s : "", s ? strlen(s) : 0);
}

rc_schema *rc_schema_new(const rc_url *url)
{
    rc_schema *s = rc_xcalloc(1, sizeof *s);
    /* The default database of a source URL does not matter here; it is kept
     * anyway, so a URL that can only log in with it still works. */
    rc_url_copy(&s->url, url);
    s->nbuckets = 64;
    s->buckets = rc_xcalloc(s->nbuckets, sizeof *s->buckets);
    return s;
}

static void table_free(rc_schema_table *t)
{
    for (uint32_t i = 0; i < t->ncols; i++) {
        rc_schema_col *c = &t->cols[i];
        free(c->name);
        free(c->data_type);
        free(c->column_type);
        for (uint32_t j = 0; j < c->nlabels; j++)
            free(c->labels[j]);
        free(c->labels);
    }
    free(t->cols);
    free(t->pk);
    memset(t, 0, sizeof *t);
}

static void entry_free(entry *e)
{
    free(e->schema);
    free(e->table);
    table_free(&e->t);
    free(e);
}

void rc_schema_free(rc_schema *s)
{
    if (!s) return;
    rc_schema_invalidate(s, NULL, NULL);
    free(s->buckets);
    rc_conn_close(s->conn);
    if (s->url.password) memset(s->url.password, 0, strlen(s->url.password));
    rc_url_free(&s->url);
    free(s);
}

/* FNV-1a over schema, a NUL, and table. */
static uint64_t key_hash(const char *schema, const char *table)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = schema; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = h * 1099511628211ULL;
    for (const char *p = table; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static void grow(rc_schema *s)
{
    size_t n = s->nbuckets * 2;
    entry **b = rc_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < s->nbuckets; i++) {
        entry *e = s->buckets[i];
        while (e) {
            entry *next = e->next;
            size_t k = key_hash(e->schema, e->table) & (n - 1);
            e->next = b[k];
            b[k] = e;
            e = next;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

void rc_schema_invalidate(rc_schema *s, const char *schema, const char *table)
{
    if (!s) return;
    for (size_t i = 0; i < s->nbuckets; i++) {
        entry **pp = &s->buckets[i];
        while (*pp) {
            entry *e = *pp;
            if ((!schema || !strcmp(e->schema, schema)) && (!table || !strcmp(e->table, table))) {
                *pp = e->next;
                entry_free(e);
                s->count--;
            } else {
                pp = &e->next;
            }
        }
    }
}

/* ---- ENUM/SET labels ---- */

/* Splits the labels of "enum('a','b''c')" / "set(...)" as information_schema
 * prints them: quotes doubled, and the backslash escapes the server adds for
 * \\, NUL, newline, CR and Ctrl-Z. Returns the count; *out is malloc'ed. */
uint32_t rc_schema_parse_labels(const char *column_type, char ***out)
{
    *out = NULL;
    const char *p = strchr(column_type, '(');
    if (!p) return 0;
    p++;
    uint32_t n = 0, cap = 0;
    char **labels = NULL;
    rc_buf b;
    rc_buf_init(&b);
    while (*p == '\'') {
        p++;
        b.len = 0;
        for (;;) {
            if (!*p) goto done; /* unterminated: keep what was complete */
            if (*p == '\'') {
                if (p[1] == '\'') {
                    rc_buf_putc(&b, '\'');
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            if (*p == '\\' && p[1]) {
                char c = p[1];
                switch (c) {
                case '0': c = 0; break;
                case 'n': c = '\n'; break;
                case 'r': c = '\r'; break;
                case 'Z': c = 26; break;
                case 't': c = '\t'; break;
                case 'b': c = '\b'; break;
                default: break; /* \\ \' \" and anything else: the character */
                }
                rc_buf_putc(&b, c);
                p += 2;
                continue;
            }
            rc_buf_putc(&b, *p++);
        }
        if (n == cap) labels = rc_xrealloc(labels, (cap = cap ? cap * 2 : 8) * sizeof *labels);
        labels[n++] = rc_xstrndup(b.data ? b.data : "", b.len);
        if (*p == ',') p++;
    }
done:
    rc_buf_free(&b);
    *out = labels;
    return n;
}

/* ---- loading ---- */

static int connect_if_needed(rc_schema *s, rc_err *err)
{
    if (s->conn) return 0;
    return rc_conn_open(&s->conn, &s->url, err);
}

/* Runs sql on the cache's connection; on a connection the server has
 * dropped meanwhile, reconnects once and retries. */
static int query(rc_schema *s, const char *sql, MYSQL_RES **res, rc_err *err)
{
    for (int attempt = 0;; attempt++) {
        if (connect_if_needed(s, err)) return -1;
        MYSQL *m = rc_conn_mysql(s->conn);
        if (!mysql_real_query(m, sql, (unsigned long)strlen(sql)) &&
            (*res = mysql_store_result(m)) != NULL)
            return 0;
        unsigned e = mysql_errno(m);
        if (!e) { /* a statement without a result set: not ours */
            return rc_err_set(err, RC_E_INTERNAL, "information_schema query returned no rows");
        }
        if ((e == 2006 || e == 2013) && attempt == 0) {
            rc_debug("schema connection to %s was closed (%s); reconnecting",
                     rc_conn_where(s->conn), mysql_error(m));
            rc_conn_close(s->conn);
            s->conn = NULL;
            continue;
        }
        int rc = rc_err_set(err, e == 2006 || e == 2013 ? RC_E_LOST : RC_E_SERVER,
                            "reading table definitions from information_schema on %s: error %u: %s",
                            rc_conn_where(s->conn), e, mysql_error(m));
        if (e == 2006 || e == 2013) {
            rc_conn_close(s->conn);
            s->conn = NULL;
        }
        return rc;
    }
}

static char *escaped(rc_schema *s, const char *v)
{
    size_t n = strlen(v);
    char *out = rc_xmalloc(n * 2 + 1);
    mysql_real_escape_string(rc_conn_mysql(s->conn), out, v, (unsigned long)n);
    return out;
}

static int col_index(const rc_schema_table *t, const char *name)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name)) return (int)i;
    /* Column names compare case-insensitively in MySQL. */
    for (uint32_t i = 0; i < t->ncols; i++)
        if (!strcasecmp(t->cols[i].name, name)) return (int)i;
    return -1;
}

static int load(rc_schema *s, const char *schema, const char *table, entry *e, rc_err *err)
{
    if (connect_if_needed(s, err)) return -1;
    const rc_server_info *in = rc_conn_info(s->conn);
    char *es = escaped(s, schema), *et = escaped(s, table);
    rc_buf sql;
    rc_buf_init(&sql);
    /* Collation ids: MariaDB 10.10+ names collations per character set
     * ("utf8mb4_uca1400_ai_ci") in COLUMNS while COLLATIONS lists the
     * short name, so its id comes from the applicability table there. */
    int maria_full = in->flavor == RC_FLAVOR_MARIADB && in->version >= 101000;
    rc_buf_printf(&sql,
                  "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, "
                  "COALESCE(co.ID, 0) FROM information_schema.COLUMNS c "
                  "LEFT JOIN information_schema.%s co ON co.%s = c.COLLATION_NAME "
                  "WHERE c.TABLE_SCHEMA = '%s' AND c.TABLE_NAME = '%s' "
                  "ORDER BY c.ORDINAL_POSITION",
                  maria_full ? "COLLATION_CHARACTER_SET_APPLICABILITY" : "COLLATIONS",
                  maria_full ? "FULL_COLLATION_NAME" : "COLLATION_NAME", es, et);
    rc_buf_putc(&sql, 0);
    MYSQL_RES *r = NULL;
    int rc = query(s, sql.data, &r, err);
    if (rc) goto out;

    rc_schema_table *t = &e->t;
    uint64_t nrows = mysql_num_rows(r);
    t->cols = rc_xcalloc(nrows ? (size_t)nrows : 1, sizeof *t->cols);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        rc_schema_col *c = &t->cols[t->ncols++];
        c->name = dup0(row[0]);
        c->data_type = dup0(row[1]);
        for (char *p = c->data_type; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        c->column_type = dup0(row[2]);
        c->is_unsigned = strstr(c->column_type, " unsigned") != NULL;
        c->nullable = row[3] && !strcasecmp(row[3], "YES");
        c->collation = (uint16_t)(row[4] ? strtoul(row[4], NULL, 10) : 0);
        if (!strcmp(c->data_type, "enum") || !strcmp(c->data_type, "set"))
            c->nlabels = rc_schema_parse_labels(c->column_type, &c->labels);
    }
    mysql_free_result(r);
    r = NULL;
    e->exists = t->ncols > 0;
    if (!e->exists) goto out;

    /* Primary first, then unique keys; columns of each in key order. Parts
     * without a column (MySQL functional key parts) are skipped. */
    sql.len = 0;
    rc_buf_printf(&sql,
                  "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                  "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' AND NON_UNIQUE = 0 "
                  "AND COLUMN_NAME IS NOT NULL "
                  "ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
                  es, et);
    rc_buf_putc(&sql, 0);
    rc = query(s, sql.data, &r, err);
    if (rc) goto out;
    t->pk = rc_xcalloc(t->ncols, sizeof *t->pk);
    while ((row = mysql_fetch_row(r))) {
        if (!row[0] || !row[1]) continue;
        int i = col_index(t, row[1]);
        if (i < 0) continue; /* changed between the two queries: next DDL reloads */
        t->cols[i].in_key = 1;
        if (!strcmp(row[0], "PRIMARY") && !t->cols[i].in_primary && t->npk < t->ncols) {
            t->cols[i].in_primary = 1;
            t->pk[t->npk++] = (uint32_t)i;
        }
    }
    mysql_free_result(r);
    r = NULL;

    /* When the definition was last written (CREATE or ALTER): a binlog event
     * older than that may have had other columns. */
    sql.len = 0;
    rc_buf_printf(&sql,
                  "SELECT UNIX_TIMESTAMP(CREATE_TIME) FROM information_schema.TABLES "
                  "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s'",
                  es, et);
    rc_buf_putc(&sql, 0);
    rc = query(s, sql.data, &r, err);
    if (rc) goto out;
    if ((row = mysql_fetch_row(r)) && row[0]) t->defined_at = strtoull(row[0], NULL, 10);
    mysql_free_result(r);
out:
    rc_buf_free(&sql);
    free(es);
    free(et);
    return rc;
}

int rc_schema_get(rc_schema *s, const char *schema, const char *table, const rc_schema_table **out,
                  rc_err *err)
{
    *out = NULL;
    uint64_t h = key_hash(schema, table);
    for (entry *e = s->buckets[h & (s->nbuckets - 1)]; e; e = e->next) {
        if (!strcmp(e->schema, schema) && !strcmp(e->table, table)) {
            *out = e->exists ? &e->t : NULL;
            return 0;
        }
    }
    entry *e = rc_xcalloc(1, sizeof *e);
    e->schema = dup0(schema);
    e->table = dup0(table);
    if (load(s, schema, table, e, err)) {
        entry_free(e); /* not cached: the next lookup tries again */
        return -1;
    }
    if (!e->exists && !s->warned_missing) {
        s->warned_missing = 1;
        rc_warn("table `%s`.`%s` is not in information_schema on %s: it was dropped since, or "
                "user '%s' cannot see it (it needs SELECT on the captured tables); further "
                "tables like it are not reported",
                schema, table, rc_conn_where(s->conn), s->url.user);
    }
    if (s->count + 1 > s->nbuckets) grow(s);
    size_t k = h & (s->nbuckets - 1);
    e->next = s->buckets[k];
    s->buckets[k] = e;
    s->count++;
    *out = e->exists ? &e->t : NULL;
    return 0;
}
