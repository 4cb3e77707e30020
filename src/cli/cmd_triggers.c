/* rowcast triggers: the seed's smpl-repl. Reads the tables' structure from
 * information_schema and prints the DDL of trigger capture (the outbox and,
 * per table, AFTER INSERT/UPDATE/DELETE triggers; rc_trigddl.c), or with
 * --drop the DDL that removes the triggers again. The output is meant for a
 * pipe into the mysql/mariadb client, as in the seed:
 *
 *   rowcast triggers -u root -p pw -s test -t test | mariadb -u root -ppw test
 *
 * Nothing is changed on the server by this command. */
#include <getopt.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "mysql/rc_conn.h"
#include "mysql/rc_schema.h"
#include "triggers/rc_trigddl.h"

typedef struct names {
    char **v;
    size_t n;
} names;

static void names_add(names *l, const char *s, size_t n)
{
    l->v = rc_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = rc_xstrndup(s, n);
}

static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* The seed's -t takes a space-delimited list; the flag may also repeat. */
static void names_split(names *l, const char *arg)
{
    const char *p = arg;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t' && *e != ',')
            e++;
        if (e > p) names_add(l, p, (size_t)(e - p));
        p = e;
    }
}

/* Runs the query made of parts: text at even indexes, values at odd ones
 * (escaped, for inside quotes). Returns the rows, or NULL with err filled. */
static MYSQL_RES *lookup(rc_conn *c, const char *const *parts, size_t n, rc_err *err)
{
    MYSQL *m = rc_conn_mysql(c);
    rc_buf sql;
    rc_buf_init(&sql);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(parts[i]);
        if (i % 2 == 0) {
            rc_buf_put(&sql, parts[i], len);
            continue;
        }
        rc_buf_reserve(&sql, 2 * len + 1);
        sql.len += mysql_real_escape_string(m, sql.data + sql.len, parts[i], (unsigned long)len);
    }
    MYSQL_RES *r = NULL;
    if (mysql_real_query(m, sql.data, (unsigned long)sql.len) || !(r = mysql_store_result(m)))
        rc_err_set(err, RC_E_SERVER, "cannot read information_schema on %s: %s", rc_conn_where(c),
                   mysql_error(m));
    rc_buf_free(&sql);
    return r;
}

/* Every base table of the schema but the outbox, by name. */
static int list_tables(rc_conn *c, const char *schema, const char *outbox, names *out, rc_err *err)
{
    const char *q[] = {"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '",
                       schema, "' AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '", outbox,
                       "' ORDER BY TABLE_NAME"};
    MYSQL_RES *r = lookup(c, q, 5, err);
    if (!r) return -1;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r)))
        if (row[0]) names_add(out, row[0], strlen(row[0]));
    mysql_free_result(r);
    return 0;
}

static int schema_exists(rc_conn *c, const char *schema, rc_err *err)
{
    const char *q[] = {"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '", schema,
                       "'"};
    MYSQL_RES *r = lookup(c, q, 3, err);
    if (!r) return -1;
    int found = mysql_num_rows(r) > 0;
    mysql_free_result(r);
    return found;
}

/* Without a PRIMARY KEY the server takes the first UNIQUE key on NOT NULL
 * columns as the primary one (COLUMN_KEY 'PRI'), and so does the binlog's
 * table map: the events name it the same way. Fills pk (t->ncols entries)
 * and returns the count, or -1. */
static int implicit_primary(rc_conn *c, const char *schema, const char *table,
                            const rc_schema_table *t, uint32_t *pk, rc_err *err)
{
    const char *q[] = {"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '",
                       schema, "' AND TABLE_NAME = '", table,
                       "' AND COLUMN_KEY = 'PRI' ORDER BY ORDINAL_POSITION"};
    MYSQL_RES *r = lookup(c, q, 5, err);
    if (!r) return -1;
    int n = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r)))
        for (uint32_t i = 0; i < t->ncols && row[0]; i++)
            if (!strcmp(t->cols[i].name, row[0]) && (uint32_t)n < t->ncols) pk[n++] = i;
    mysql_free_result(r);
    return n;
}

static int write_all(const rc_buf *b, rc_err *err)
{
    size_t off = 0;
    while (off < b->len) {
        ssize_t k = write(1, b->data + off, b->len - off);
        if (k < 0) return rc_err_set(err, RC_E_IO, "cannot write the DDL to stdout");
        off += (size_t)k;
    }
    return 0;
}

int cmd_triggers(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"host", required_argument, 0, 'h'},     {"port", required_argument, 0, 'P'},
        {"user", required_argument, 0, 'u'},     {"passwd", required_argument, 0, 'p'},
        {"password", required_argument, 0, 'p'}, {"schema", required_argument, 0, 's'},
        {"tables", required_argument, 0, 't'},   {"table", required_argument, 0, 't'},
        {"group", required_argument, 0, 'g'},    {"outbox", required_argument, 0, 'o'},
        {"socket", required_argument, 0, 'S'},   {"drop", no_argument, 0, 'D'},
        {"debug", no_argument, 0, 'd'},          {0, 0, 0, 0}};
    rc_url url = {
        .scheme = "mysql", .user = "", .host = "localhost", .port = 3306, .path = "", .query = ""};
    rc_trigddl_opts o = {.group = RC_TRIGDDL_GROUP, .outbox = RC_TRIGDDL_OUTBOX};
    names tables = {0}, all = {0};
    const char *socket_path = NULL;
    int drop = 0, ch;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((ch = getopt_long(argc, argv, "h:P:u:p:s:t:g:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': url.host = optarg; break;
        case 'P': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || !v || v > 65535) {
                names_free(&tables);
                return rc_cli_usage("--port must be a number from 1 to 65535, not '%s'", optarg);
            }
            url.port = (unsigned)v;
            break;
        }
        case 'u': url.user = optarg; break;
        case 'p': url.password = optarg; break;
        case 's': o.schema = optarg; break;
        case 't': names_split(&tables, optarg); break;
        case 'g': o.group = optarg; break;
        case 'o': o.outbox = optarg; break;
        case 'S': socket_path = optarg; break;
        case 'D': drop = 1; break;
        case 'd': rc_log_min = RC_LOG_DEBUG; break;
        default:
            names_free(&tables);
            return rc_cli_usage("triggers: unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    const char *bad = NULL;
    if (optind < argc)
        bad = "triggers: unexpected argument";
    else if (!o.schema || !*o.schema)
        bad = "triggers needs -s/--schema SCHEMA";
    else if (!*url.user)
        bad = "triggers needs -u/--user USER";
    else if (!*o.group)
        bad = "--group must not be empty";
    else if (!*o.outbox)
        bad = "--outbox must not be empty";
    if (bad) {
        names_free(&tables);
        return optind < argc ? rc_cli_usage("%s '%s'", bad, argv[optind]) : rc_cli_usage("%s", bad);
    }
    for (size_t i = 0; i < tables.n; i++)
        if (!strcmp(tables.v[i], o.outbox)) {
            int st = rc_cli_usage("-t names the outbox table '%s': it gets no triggers", o.outbox);
            names_free(&tables);
            return st;
        }

    rc_err err = {0};
    rc_buf query;
    rc_buf_init(&query);
    if (socket_path) {
        /* rc_conn reads the socket from the URL's query, percent-decoded */
        RC_BUF_LIT(&query, "socket=");
        for (const char *p = socket_path; *p; p++)
            if (*p == '%' || *p == '&' || *p == '=')
                rc_buf_printf(&query, "%%%02X", (unsigned char)*p);
            else
                rc_buf_putc(&query, *p);
        rc_buf_putc(&query, 0);
        url.query = query.data;
    }
    rc_conn *conn = NULL;
    rc_schema *sc = NULL;
    rc_buf out;
    rc_buf_init(&out);
    int status = 0;
    if (rc_conn_open(&conn, &url, &err) < 0) goto fail;
    int have = schema_exists(conn, o.schema, &err);
    if (have < 0) goto fail;
    if (!have) {
        rc_err_set(&err, RC_E_USAGE,
                   "schema '%s' does not exist on %s (or user '%s' cannot see it)", o.schema,
                   rc_conn_where(conn), url.user);
        goto fail;
    }
    if (list_tables(conn, o.schema, o.outbox, &all, &err) < 0) goto fail;
    for (size_t i = 0; i < tables.n; i++) {
        size_t k = 0;
        while (k < all.n && strcmp(all.v[k], tables.v[i]))
            k++;
        if (k == all.n) {
            rc_err_set(&err, RC_E_USAGE, "table '%s.%s' does not exist on %s (or is a view)",
                       o.schema, tables.v[i], rc_conn_where(conn));
            goto fail;
        }
    }
    if (!tables.n) {
        tables = all;
        all = (names){0};
    }
    if (!tables.n) {
        rc_err_set(&err, RC_E_USAGE, "schema '%s' has no tables to capture", o.schema);
        goto fail;
    }
    RC_BUF_LIT(&out, "-- rowcast triggers: trigger capture (docs/triggers.md)\n");
    RC_BUF_LIT(&out, "SET NAMES utf8mb4;\n");
    if (drop) {
        for (size_t i = 0; i < tables.n; i++)
            rc_trigddl_drop(&out, &o, tables.v[i]);
        RC_BUF_LIT(&out, "-- The outbox stays: drop it once `rowcast stream` has emptied it:\n-- "
                         "DROP TABLE ");
        rc_trigddl_ident(&out, o.schema);
        rc_buf_putc(&out, '.');
        rc_trigddl_ident(&out, o.outbox);
        RC_BUF_LIT(&out, ";\n");
    } else {
        rc_trigddl_outbox(&out, &o);
        sc = rc_schema_new(&url);
        for (size_t i = 0; i < tables.n; i++) {
            const rc_schema_table *t = NULL;
            if (rc_schema_get(sc, o.schema, tables.v[i], &t, &err) < 0) goto fail;
            if (!t) {
                rc_err_set(&err, RC_E_USAGE, "table '%s.%s' does not exist on %s", o.schema,
                           tables.v[i], rc_conn_where(conn));
                goto fail;
            }
            rc_schema_table keyed = *t;
            uint32_t *pk = NULL;
            if (!t->npk) {
                pk = rc_xcalloc(t->ncols, sizeof *pk);
                int n = implicit_primary(conn, o.schema, tables.v[i], t, pk, &err);
                if (n < 0) {
                    free(pk);
                    goto fail;
                }
                keyed.pk = pk;
                keyed.npk = (uint32_t)n;
            }
            RC_BUF_LIT(&out, "\n-- table ");
            rc_trigddl_ident(&out, tables.v[i]);
            rc_buf_putc(&out, '\n');
            rc_trigddl_create(&out, &o, tables.v[i], &keyed);
            free(pk);
        }
    }
    /* All or nothing: a failure half-way leaves stdout empty, so a pipe into
     * the client never installs part of the triggers. */
    if (write_all(&out, &err) < 0) goto fail;
    goto done;
fail:
    status = rc_cli_fail(&err);
done:
    rc_buf_free(&out);
    rc_schema_free(sc);
    rc_conn_close(conn);
    names_free(&tables);
    names_free(&all);
    rc_buf_free(&query);
    return status;
}
