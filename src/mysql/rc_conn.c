/* rc_conn: where the bytes come in. A libmariadb connection does the login
 * (auth plugins, TLS, compression); on top of it this file runs the checks
 * that decide whether capture can work (preflight), and the replica side of
 * the binlog protocol: session variables, COM_BINLOG_DUMP(_GTID), and a
 * packet loop that hands each event's raw bytes to the decoder.
 *
 * We drive the dump ourselves instead of libmariadb's mariadb_rpl API so the
 * stream keeps every event byte as the server sent it (checksum included),
 * and so errors map onto rowcast's codes. Sending goes through the
 * connection's own command method and reading through mysql_net_read_packet,
 * so TLS and compression work unchanged.
 *
 * Every message that reaches the user says what to do about it. */
#include "mysql/rc_conn.h"

#include <ctype.h>
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <errmsg.h>
#include <ma_pvio.h>
#include <mysqld_error.h>

#include "core/rc_buf.h"
#include "core/rc_log.h"

/* Protocol constants of the replica side (MySQL and MariaDB agree). */
enum {
    RC_COM_BINLOG_DUMP = 0x12,
    RC_COM_BINLOG_DUMP_GTID = 0x1e, /* MySQL 5.6+ only */
    RC_DUMP_NON_BLOCK = 0x01,       /* EOF at the end of the binlog instead of waiting */
    RC_DUMP_ANNOTATE_ROWS = 0x02,   /* MariaDB: send ANNOTATE_ROWS (the SQL text) */
    RC_DUMP_THROUGH_GTID = 0x04,    /* MySQL COM_BINLOG_DUMP_GTID: a SID set follows */
    RC_MARIA_CAP_GTID = 4,          /* @mariadb_slave_capability: GTID-aware replica */
};

/* Event types the packet loop looks at (to tell a start-up failure from
 * a failure mid-stream); decoding proper is decode/'s job. */
enum {
    EV_ROTATE = 4,
    EV_FORMAT_DESCRIPTION = 15,
    EV_HEARTBEAT = 27,
    EV_PREVIOUS_GTIDS = 35,
    EV_BINLOG_CHECKPOINT = 161,
    EV_GTID_LIST = 163,
};

/* A read timeout this long means "wait for ever": without heartbeats a quiet
 * server sends nothing, and silence is not a fault. (It must stay below
 * INT_MAX milliseconds inside libmariadb.) */
#define RC_NO_TIMEOUT_S (24 * 24 * 3600)
/* Queries (preflight, information_schema, apply) may legitimately take a
 * while on a busy server, but not for ever. */
#define RC_QUERY_TIMEOUT_S   120
#define RC_CONNECT_TIMEOUT_S 10

struct rc_conn {
    MYSQL *mysql;
    char *user;         /* login name from the URL */
    char where[300];    /* "HOST:PORT" (or the socket path) for messages */
    char grant_to[300]; /* "'user'@'host'" from CURRENT_USER(), for GRANT hints */
    rc_server_info info;

    /* dump state */
    int dumping;
    int pending; /* 1: an event read by rc_dump_start waits; 2: an EOF */
    size_t pending_len;
    int streaming; /* a real binlog event has arrived (not a start-up one) */
    char start_desc[600];
    uint32_t heartbeat_ms;
    int read_timeout_s;
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_failed;

/* mysql_library_init is not thread-safe; sinks may open connections from
 * their own threads, so run it exactly once. */
static void lib_init(void)
{
    lib_failed = mysql_library_init(0, NULL, NULL) != 0;
}

/* ---- error mapping ---- */

static int errno_is_auth(unsigned e)
{
    switch (e) {
    case ER_DBACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_ERROR:
    case ER_HOST_NOT_PRIVILEGED:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
    case ER_MUST_CHANGE_PASSWORD_LOGIN:
    case ER_ACCOUNT_HAS_BEEN_LOCKED: /* MariaDB 4151 */
    case 3118:                       /* MySQL ER_ACCOUNT_HAS_BEEN_LOCKED */
    case 3955:                       /* MySQL: account blocked by failed logins */
    case 1251:                       /* ER_NOT_SUPPORTED_AUTH_MODE */
    case CR_AUTH_PLUGIN_CANNOT_LOAD:
    case CR_AUTH_PLUGIN_ERR: return 1;
    default: return 0;
    }
}

static int errno_is_lost(unsigned e)
{
    switch (e) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case ER_SERVER_SHUTDOWN:
    /* MariaDB: KILL, or a replica with our server id connected */
    case ER_CONNECTION_KILLED:
    /* MySQL: ER_SESSION_WAS_KILLED; disconnected by the server (idle timeout) */
    case 3169:
    case 4031: return 1;
    default: return 0;
    }
}

static int errno_is_priv(unsigned e)
{
    switch (e) {
    case ER_DBACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    /* ER_COLUMNACCESS_DENIED_ERROR, ER_PROCACCESS_DENIED_ERROR */
    case 1143:
    case 1370: return 1;
    default: return 0;
    }
}

/* The user-facing form of whatever the last call on c->mysql failed with. */
static int conn_error(rc_conn *c, rc_err *err)
{
    unsigned e = mysql_errno(c->mysql);
    const char *msg = mysql_error(c->mysql);
    if (errno_is_lost(e))
        return rc_err_set(err, RC_E_LOST, "lost the connection to %s: %s", c->where, msg);
    if (errno_is_priv(e))
        return rc_err_set(err, RC_E_PRIV, "user '%s' is not allowed to do this on %s: %s", c->user,
                          c->where, msg);
    if (e >= 2000 && e < 3000)
        return rc_err_set(err, RC_E_SERVER, "error %u talking to %s: %s", e, c->where, msg);
    return rc_err_set(err, RC_E_SERVER, "server error %u: %s", e, msg);
}

static int is_mariadb_10_5(const rc_conn *c)
{
    return c->info.flavor == RC_FLAVOR_MARIADB && c->info.version >= 100502;
}

/* MariaDB 10.5.2 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name
 * is still accepted by GRANT, SHOW GRANTS prints the new one). */
static const char *client_priv_name(const rc_conn *c)
{
    return is_mariadb_10_5(c) ? "BINLOG MONITOR" : "REPLICATION CLIENT";
}

/* The name users know first, with MariaDB's new name beside it. */
static const char *client_priv_label(const rc_conn *c)
{
    return is_mariadb_10_5(c) ? "REPLICATION CLIENT (BINLOG MONITOR)" : "REPLICATION CLIENT";
}

static int priv_error(rc_conn *c, int no_slave, int no_client, rc_err *err)
{
    char what[128];
    if (no_slave && no_client)
        snprintf(what, sizeof what, "REPLICATION SLAVE and %s privileges", client_priv_label(c));
    else
        snprintf(what, sizeof what, "%s privilege",
                 no_slave ? "REPLICATION SLAVE" : client_priv_label(c));
    return rc_err_set(err, RC_E_PRIV,
                      "user '%s' lacks the %s: GRANT REPLICATION SLAVE, %s ON *.* TO %s", c->user,
                      what, client_priv_name(c), c->grant_to);
}

/* ---- small query helpers ---- */

/* Runs sql; returns 0 or the server's error number (err not filled, so the
 * caller can treat some numbers as expected). res may be NULL. */
static unsigned run(rc_conn *c, const char *sql, MYSQL_RES **res)
{
    if (res) *res = NULL;
    if (mysql_real_query(c->mysql, sql, (unsigned long)strlen(sql))) return mysql_errno(c->mysql);
    MYSQL_RES *r = mysql_store_result(c->mysql);
    if (!r && mysql_field_count(c->mysql)) return mysql_errno(c->mysql);
    /* Drain any further result sets so the connection stays in sync. */
    while (mysql_more_results(c->mysql)) {
        if (mysql_next_result(c->mysql) > 0) {
            mysql_free_result(r);
            return mysql_errno(c->mysql);
        }
        MYSQL_RES *more = mysql_store_result(c->mysql);
        mysql_free_result(more);
    }
    if (res)
        *res = r;
    else
        mysql_free_result(r);
    return 0;
}

/* Copies src (NULL -> ""), cut to fit: the fields it fills are short
 * names ("ROW", "CRC32") with room to spare. */
static void copy_field(char *dst, size_t dstsz, const char *src)
{
    size_t n = src ? strnlen(src, dstsz - 1) : 0;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

/* One row of one query, copied into NUL-terminated strings (NULL -> "").
 * Returns 0 with *found set (0 or 1), else the error number. */
static unsigned one_row(rc_conn *c, const char *sql, int *found, char (*vals)[128], int nvals)
{
    MYSQL_RES *r;
    unsigned e = run(c, sql, &r);
    *found = 0;
    if (e) return e;
    if (!r) return 0;
    MYSQL_ROW row = mysql_fetch_row(r);
    if (row) {
        unsigned nf = mysql_num_fields(r);
        for (int i = 0; i < nvals; i++)
            copy_field(vals[i], 128, (unsigned)i < nf ? row[i] : NULL);
        *found = 1;
    }
    mysql_free_result(r);
    return 0;
}

static unsigned long parse_version(const char *v)
{
    unsigned long part[3] = {0, 0, 0};
    if (!strncmp(v, "5.5.5-", 6) && strstr(v, "MariaDB")) v += 6; /* old MariaDB handshake prefix */
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*v)) break;
        part[i] = strtoul(v, (char **)&v, 10);
        if (*v == '.')
            v++;
        else
            break;
    }
    return part[0] * 10000 + part[1] * 100 + part[2];
}

static void set_version(rc_conn *c, const char *text)
{
    copy_field(c->info.version_text, sizeof c->info.version_text, text);
    c->info.version = parse_version(text);
    c->info.flavor = strstr(text, "MariaDB") ? RC_FLAVOR_MARIADB : RC_FLAVOR_MYSQL;
}

/* ---- open / close ---- */

static int param_true(const rc_url *url, const char *key)
{
    char *v = rc_url_param(url, key);
    int on = v && (!*v || !strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "on") ||
                   !strcasecmp(v, "yes") || !strcasecmp(v, "required"));
    free(v);
    return on;
}

int rc_conn_open(rc_conn **out, const rc_url *url, rc_err *err)
{
    *out = NULL;
    if (!url || !url->host || !*url->host)
        return rc_err_set(err, RC_E_USAGE, "bad source URL: no host");
    pthread_once(&lib_once, lib_init);
    if (lib_failed) return rc_err_set(err, RC_E_INTERNAL, "cannot initialise libmariadb");

    rc_conn *c = rc_xcalloc(1, sizeof *c);
    c->user = rc_xstrndup(url->user ? url->user : "", url->user ? strlen(url->user) : 0);
    char *sock = rc_url_param(url, "socket");
    if (sock && *sock)
        snprintf(c->where, sizeof c->where, "%s", sock);
    else if (strchr(url->host, ':'))
        snprintf(c->where, sizeof c->where, "[%s]:%u", url->host, url->port);
    else
        snprintf(c->where, sizeof c->where, "%s:%u", url->host, url->port);
    snprintf(c->grant_to, sizeof c->grant_to, "'%s'@'%%'", c->user);

    c->mysql = mysql_init(NULL);
    if (!c->mysql) {
        free(sock);
        rc_conn_close(c);
        return rc_err_set(err, RC_E_INTERNAL, "out of memory (mysql_init)");
    }
    MYSQL *m = c->mysql;
    unsigned int connect_timeout = RC_CONNECT_TIMEOUT_S, rw_timeout = RC_QUERY_TIMEOUT_S;
    /* Row events can be as large as the server's max_allowed_packet (1 GiB at
     * most); the client must accept at least that much. */
    unsigned long max_packet = 1UL << 30;
    my_bool off = 0, on = 1;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
    mysql_optionsv(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
    /* A silent reconnect would lose the session variables the dump relies on;
     * the caller reconnects explicitly on RC_E_LOST. */
    mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* SPEC §2: values as the server shows them with time_zone '+00:00'. */
    mysql_optionsv(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    if (sock && *sock) {
        unsigned int proto = MYSQL_PROTOCOL_SOCKET;
        mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto);
    } else {
        /* libmariadb turns "localhost" into the default Unix socket and then
         * ignores the port; a URL with a port means TCP to that port. */
        unsigned int proto = MYSQL_PROTOCOL_TCP;
        mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto);
    }
    static const struct {
        const char *key;
        enum mysql_option opt;
    } tls_files[] = {
        {"ssl-ca", MYSQL_OPT_SSL_CA},
        {"ssl-cert", MYSQL_OPT_SSL_CERT},
        {"ssl-key", MYSQL_OPT_SSL_KEY},
    };
    int want_tls = param_true(url, "ssl") || param_true(url, "tls");
    for (size_t i = 0; i < sizeof tls_files / sizeof tls_files[0]; i++) {
        char *v = rc_url_param(url, tls_files[i].key);
        if (v && *v) {
            mysql_optionsv(m, tls_files[i].opt, v);
            want_tls = 1;
        }
        free(v);
    }
    if (want_tls) mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
    if (param_true(url, "ssl-verify")) mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    if (param_true(url, "compress")) mysql_optionsv(m, MYSQL_OPT_COMPRESS, NULL);

    const char *db = url->path && *url->path ? url->path : NULL;
    if (!mysql_real_connect(m, url->host, c->user, url->password, db, url->port,
                            sock && *sock ? sock : NULL, CLIENT_MULTI_RESULTS)) {
        unsigned e = mysql_errno(m);
        int rc;
        if (errno_is_auth(e))
            rc = rc_err_set(err, RC_E_AUTH, "login refused for user '%s' at %s: %s", c->user,
                            c->where, mysql_error(m));
        else
            rc =
                rc_err_set(err, RC_E_CONNECT, "cannot connect to %s: %s", c->where, mysql_error(m));
        free(sock);
        rc_conn_close(c);
        return rc;
    }
    free(sock);
    set_version(c, mysql_get_server_info(m));

    /* The account the server matched (it can differ from the login name,
     * e.g. 'rc'@'%' vs 'rc'@'localhost'): the target of GRANT hints. */
    char v[1][128];
    int found;
    if (!one_row(c, "SELECT CURRENT_USER()", &found, v, 1) && found) {
        char *at = strrchr(v[0], '@');
        if (at) {
            *at = 0;
            snprintf(c->grant_to, sizeof c->grant_to, "'%s'@'%s'", v[0], at + 1);
        }
    }
    *out = c;
    return 0;
}

void rc_conn_close(rc_conn *c)
{
    if (!c) return;
    if (c->mysql) mysql_close(c->mysql);
    free(c->user);
    free(c);
}

void *rc_conn_mysql(rc_conn *c)
{
    return c ? c->mysql : NULL;
}
const rc_server_info *rc_conn_info(const rc_conn *c)
{
    return c ? &c->info : NULL;
}
const char *rc_conn_where(const rc_conn *c)
{
    return c ? c->where : "";
}

/* ---- preflight ---- */

static int is_on(const char *v)
{
    return !strcasecmp(v, "ON") || !strcmp(v, "1");
}

/* Reads the optional variables one by one when the combined query meets a
 * server that lacks one of them (ER_UNKNOWN_SYSTEM_VARIABLE). */
static int read_optional_vars(rc_conn *c, char (*vals)[128], rc_err *err)
{
    static const char *const names[] = {"@@binlog_format", "@@binlog_checksum",
                                        "@@binlog_row_image", "@@binlog_row_metadata"};
    char sql[256];
    int found;
    snprintf(sql, sizeof sql, "SELECT %s, %s, %s, %s", names[0], names[1], names[2], names[3]);
    unsigned e = one_row(c, sql, &found, vals, 4);
    if (!e) return 0;
    if (e != ER_UNKNOWN_SYSTEM_VARIABLE) return conn_error(c, err);
    for (int i = 0; i < 4; i++) {
        snprintf(sql, sizeof sql, "SELECT %s", names[i]);
        vals[i][0] = 0;
        e = one_row(c, sql, &found, vals + i, 1);
        if (e == ER_UNKNOWN_SYSTEM_VARIABLE)
            vals[i][0] = 0;
        else if (e)
            return conn_error(c, err);
    }
    return 0;
}

/* Whether one privilege of a comma-separated list (as SHOW GRANTS prints
 * it, "REPLICATION SLAVE, BINLOG MONITOR" or MySQL's dynamic
 * "BACKUP_ADMIN,BINLOG_ADMIN") is exactly name. Whole items only: MariaDB
 * also has REPLICATION SLAVE ADMIN, which is not REPLICATION SLAVE. */
static int list_has(const char *list, size_t n, const char *name)
{
    size_t nl = strlen(name);
    const char *p = list, *end = list + n;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ','))
            p++;
        const char *q = p;
        while (q < end && *q != ',')
            q++;
        const char *e = q;
        while (e > p && e[-1] == ' ')
            e--;
        if ((size_t)(e - p) == nl && !strncasecmp(p, name, nl)) return 1;
        p = q;
    }
    return 0;
}

/* Looks for REPLICATION SLAVE in the global grants. *roles is set when the
 * account holds roles, whose privileges SHOW GRANTS may not spell out. */
static unsigned grants_have_slave(rc_conn *c, int *has, int *roles)
{
    MYSQL_RES *r;
    *has = *roles = 0;
    unsigned e = run(c, "SHOW GRANTS FOR CURRENT_USER()", &r);
    if (e) return e;
    MYSQL_ROW row;
    while (r && (row = mysql_fetch_row(r))) {
        const char *g = row[0];
        if (!g || strncasecmp(g, "GRANT ", 6)) continue;
        const char *on = strstr(g, " ON ");
        if (!on) {
            *roles = 1; /* "GRANT `role` TO `user`@`host`" */
            continue;
        }
        if (strncmp(on, " ON *.* ", 8)) continue; /* replication privileges are global */
        const char *list = g + 6;
        size_t n = (size_t)(on - list);
        if (list_has(list, n, "REPLICATION SLAVE") || list_has(list, n, "ALL PRIVILEGES") ||
            list_has(list, n, "ALL"))
            *has = 1;
    }
    mysql_free_result(r);
    return 0;
}

static const char *status_sql(const rc_conn *c)
{
    /* MySQL 8.2 added SHOW BINARY LOG STATUS and 8.4 removed SHOW MASTER
     * STATUS; MariaDB keeps SHOW MASTER STATUS. */
    if (c->info.flavor == RC_FLAVOR_MYSQL && c->info.version >= 80200)
        return "SHOW BINARY LOG STATUS";
    return "SHOW MASTER STATUS";
}

int rc_conn_preflight(rc_conn *c, rc_err *err)
{
    static int warned_metadata, warned_image;
    char base[3][128], opt[4][128];
    int found;
    unsigned e = one_row(c, "SELECT @@version, @@log_bin, @@server_id", &found, base, 3);
    if (e) return conn_error(c, err);
    if (!found) return rc_err_set(err, RC_E_SERVER, "server %s returned no variables", c->where);
    set_version(c, base[0]);
    c->info.server_id = (uint32_t)strtoul(base[2], NULL, 10);
    if (read_optional_vars(c, opt, err)) return -1;
    copy_field(c->info.binlog_checksum, sizeof c->info.binlog_checksum, *opt[1] ? opt[1] : "NONE");
    copy_field(c->info.row_image, sizeof c->info.row_image, opt[2]);
    copy_field(c->info.row_metadata, sizeof c->info.row_metadata, opt[3]);

    if (!is_on(base[1]))
        return rc_err_set(err, RC_E_CONFIG,
                          "binary logging is off on %s: start the server with log_bin and "
                          "binlog_format=ROW",
                          c->where);
    /* A server without binlog_format (a future MySQL) only writes ROW. */
    if (*opt[0] && strcasecmp(opt[0], "ROW"))
        return rc_err_set(err, RC_E_CONFIG,
                          "binlog_format is %s on %s, rowcast needs ROW: SET GLOBAL "
                          "binlog_format='ROW' and set binlog_format=ROW in the server's "
                          "configuration",
                          opt[0], c->where);

    /* REPLICATION SLAVE can only be proven by a dump, so read the grants.
     * The client privilege is proven by using it: SHOW MASTER STATUS needs
     * exactly that (REPLICATION CLIENT, BINLOG MONITOR on MariaDB 10.5+,
     * or SUPER where it still implies it). */
    int has_slave = 0, roles = 0;
    e = grants_have_slave(c, &has_slave, &roles);
    if (e && errno_is_lost(e)) return conn_error(c, err);
    if (e || roles) has_slave = 1; /* cannot tell here: the dump will say */
    MYSQL_RES *r;
    e = run(c, status_sql(c), &r);
    mysql_free_result(r);
    int has_client = 1;
    if (e) {
        if (errno_is_priv(e))
            has_client = 0;
        else if (e == ER_NO_BINARY_LOGGING)
            return rc_err_set(err, RC_E_CONFIG,
                              "binary logging is off on %s: start the server with log_bin and "
                              "binlog_format=ROW",
                              c->where);
        else
            return conn_error(c, err);
    }
    if (!has_slave || !has_client) return priv_error(c, !has_slave, !has_client, err);

    if (strcasecmp(c->info.row_metadata, "FULL") && !warned_metadata) {
        warned_metadata = 1;
        rc_warn("binlog_row_metadata is %s on %s: column names, signedness and ENUM/SET labels "
                "will come from information_schema, which describes the table as it is now, not "
                "as it was when an older row was written; SET GLOBAL binlog_row_metadata=FULL "
                "(MariaDB 10.5+, MySQL 8.0.1+) puts them in the binlog itself",
                *c->info.row_metadata ? c->info.row_metadata : "not available", c->where);
    }
    if (*c->info.row_image && strcasecmp(c->info.row_image, "FULL") && !warned_image) {
        warned_image = 1;
        rc_warn("binlog_row_image is %s on %s: row events carry only some columns; SET GLOBAL "
                "binlog_row_image=FULL for whole rows in \"old\" and \"new\"",
                c->info.row_image, c->where);
    }
    return 0;
}

int rc_conn_exec(rc_conn *c, const char *sql, rc_err *err)
{
    if (run(c, sql, NULL)) return conn_error(c, err);
    return 0;
}

/* ---- binlog coordinates ---- */

static int binlog_query_error(rc_conn *c, unsigned e, rc_err *err)
{
    if (errno_is_priv(e)) return priv_error(c, 0, 1, err);
    if (e == ER_NO_BINARY_LOGGING)
        return rc_err_set(err, RC_E_CONFIG,
                          "binary logging is off on %s: start the server with log_bin and "
                          "binlog_format=ROW",
                          c->where);
    return conn_error(c, err);
}

int rc_conn_binlog_end(rc_conn *c, char *file, size_t filesz, uint64_t *pos, rc_err *err)
{
    char v[2][128];
    int found;
    unsigned e = one_row(c, status_sql(c), &found, v, 2);
    if (e) return binlog_query_error(c, e, err);
    if (!found)
        return rc_err_set(err, RC_E_CONFIG,
                          "binary logging is off on %s: start the server with log_bin and "
                          "binlog_format=ROW",
                          c->where);
    snprintf(file, filesz, "%s", v[0]);
    *pos = strtoull(v[1], NULL, 10);
    return 0;
}

int rc_conn_binlog_first(rc_conn *c, char *file, size_t filesz, rc_err *err)
{
    char v[1][128];
    int found;
    unsigned e = one_row(c, "SHOW BINARY LOGS", &found, v, 1);
    if (e) return binlog_query_error(c, e, err);
    if (!found)
        return rc_err_set(err, RC_E_CONFIG,
                          "binary logging is off on %s: start the server with log_bin and "
                          "binlog_format=ROW",
                          c->where);
    snprintf(file, filesz, "%s", v[0]);
    return 0;
}

int rc_conn_gtid_current(rc_conn *c, char *buf, size_t bufsz, rc_err *err)
{
    const char *sql = c->info.flavor == RC_FLAVOR_MARIADB ? "SELECT @@GLOBAL.gtid_binlog_pos"
                                                          : "SELECT @@GLOBAL.gtid_executed";
    MYSQL_RES *r;
    unsigned e = run(c, sql, &r);
    if (bufsz) buf[0] = 0;
    if (e == ER_UNKNOWN_SYSTEM_VARIABLE) return 0; /* a server without GTIDs */
    if (e) return conn_error(c, err);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    unsigned long *lens = row ? mysql_fetch_lengths(r) : NULL;
    if (row && row[0]) {
        /* MySQL breaks long sets over lines ("uuid:1-5,\nuuid2:1-3"). */
        size_t o = 0;
        for (unsigned long i = 0; i < lens[0]; i++) {
            char ch = row[0][i];
            if (ch == '\n' || ch == '\r' || ch == ' ') continue;
            if (o + 1 >= bufsz) {
                mysql_free_result(r);
                return rc_err_set(err, RC_E_INTERNAL,
                                  "the GTID state of %s is longer than %zu bytes", c->where, bufsz);
            }
            buf[o++] = ch;
        }
        buf[o] = 0;
    }
    mysql_free_result(r);
    return 0;
}

/* ---- GTID text ---- */

int rc_gtid_mariadb_check(const char *set, rc_err *err)
{
    const char *p = set;
    if (!set) return rc_err_set(err, RC_E_USAGE, "no GTID position given");
    while (*p == ' ')
        p++;
    if (!*p) return 0; /* empty state: from the start of the binlog */
    for (;;) {
        for (int part = 0; part < 3; part++) {
            if (!isdigit((unsigned char)*p)) goto bad;
            while (isdigit((unsigned char)*p))
                p++;
            if (part < 2) {
                if (*p != '-') goto bad;
                p++;
            }
        }
        while (*p == ' ')
            p++;
        if (!*p) return 0;
        if (*p != ',') goto bad;
        p++;
        while (*p == ' ' || *p == '\n')
            p++;
    }
bad:
    return rc_err_set(err, RC_E_USAGE,
                      "bad GTID position '%s' for MariaDB: expected DOMAIN-SERVER-SEQ[,...] "
                      "such as 0-1-42",
                      set);
}

typedef struct gtid_iv {
    uint8_t uuid[16];
    uint64_t start, end; /* [start, end) */
} gtid_iv;

static int iv_cmp(const void *a, const void *b)
{
    const gtid_iv *x = a, *y = b;
    int c = memcmp(x->uuid, y->uuid, 16);
    if (c) return c;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int parse_u64(const char **pp, uint64_t *v)
{
    const char *p = *pp;
    uint64_t x = 0;
    if (!isdigit((unsigned char)*p)) return -1;
    while (isdigit((unsigned char)*p)) {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10) return -1;
        x = x * 10 + d;
        p++;
    }
    *pp = p;
    *v = x;
    return 0;
}

int rc_gtid_mysql_encode(const char *set, uint8_t **out, size_t *outlen, rc_err *err)
{
    *out = NULL;
    *outlen = 0;
    if (!set) set = "";
    size_t cap = 8, n = 0;
    gtid_iv *iv = rc_xmalloc(cap * sizeof *iv);
    const char *p = set;
    const char *why = "expected UUID:N[-M][:N[-M]...][,UUID:...]";

    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')
            p++;
        if (!*p) break;
        uint8_t uuid[16];
        int nib = 0;
        while (nib < 32) {
            int c = (unsigned char)*p;
            if (c == '-') {
                p++;
                continue;
            }
            int h = isdigit(c)               ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (h < 0) break;
            if (nib % 2 == 0)
                uuid[nib / 2] = (uint8_t)(h << 4);
            else
                uuid[nib / 2] |= (uint8_t)h;
            nib++;
            p++;
        }
        if (nib != 32 || *p != ':') {
            why = "a GTID set names each server by a UUID of 32 hex digits followed by ':'";
            goto bad;
        }
        int any = 0;
        while (*p == ':') {
            p++;
            uint64_t a, b;
            if (parse_u64(&p, &a)) {
                /* MySQL 8.3+ tagged GTIDs (uuid:tag:1-5) use another encoding. */
                why = isalpha((unsigned char)*p) || *p == '_'
                          ? "tagged GTIDs (UUID:TAG:N) are not supported yet"
                          : "expected a transaction number after ':'";
                goto bad;
            }
            b = a;
            if (*p == '-') {
                p++;
                if (parse_u64(&p, &b)) {
                    why = "expected a number after '-'";
                    goto bad;
                }
            }
            if (a == 0 || b < a || b == UINT64_MAX) {
                why = "an interval N-M needs 1 <= N <= M";
                goto bad;
            }
            if (n == cap) iv = rc_xrealloc(iv, (cap *= 2) * sizeof *iv);
            memcpy(iv[n].uuid, uuid, 16);
            iv[n].start = a;
            iv[n].end = b + 1;
            n++;
            any = 1;
        }
        if (!any) {
            why = "expected a transaction number after ':'";
            goto bad;
        }
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (*p && *p != ',') {
            why = "expected ',' between servers";
            goto bad;
        }
    }

    /* Canonical form: sorted by UUID, intervals sorted and merged (the
     * server merges too, but a set that is already canonical is easier to
     * check in a packet capture). */
    qsort(iv, n, sizeof *iv, iv_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && !memcmp(iv[m - 1].uuid, iv[i].uuid, 16) && iv[i].start <= iv[m - 1].end) {
            if (iv[i].end > iv[m - 1].end) iv[m - 1].end = iv[i].end;
        } else {
            iv[m++] = iv[i];
        }
    }
    size_t nsids = 0;
    for (size_t i = 0; i < m; i++)
        if (!i || memcmp(iv[i - 1].uuid, iv[i].uuid, 16)) nsids++;

    size_t len = 8 + nsids * (16 + 8) + m * 16;
    uint8_t *b = rc_xmalloc(len), *w = b;
    put_u64(w, nsids);
    w += 8;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && !memcmp(iv[j].uuid, iv[i].uuid, 16))
            j++;
        memcpy(w, iv[i].uuid, 16);
        w += 16;
        put_u64(w, j - i);
        w += 8;
        for (; i < j; i++) {
            put_u64(w, iv[i].start);
            put_u64(w + 8, iv[i].end);
            w += 16;
        }
    }
    free(iv);
    *out = b;
    *outlen = len;
    return 0;
bad:
    free(iv);
    return rc_err_set(err, RC_E_USAGE, "bad GTID set '%s' for MySQL: %s", set, why);
}

/* ---- the dump ---- */

int rc_dump_command(rc_flavor flavor, const rc_dump_opts *o, int *command, uint8_t **out,
                    size_t *outlen, rc_err *err)
{
    *out = NULL;
    *outlen = 0;
    uint16_t flags = o->non_block ? RC_DUMP_NON_BLOCK : 0;
    int gtid = o->gtid != NULL;
    const char *file = o->file ? o->file : "";
    uint64_t pos = o->pos < 4 ? 4 : o->pos;

    if (gtid && flavor == RC_FLAVOR_MYSQL) {
        uint8_t *sids;
        size_t nsids;
        if (rc_gtid_mysql_encode(o->gtid, &sids, &nsids, err)) return -1;
        if (nsids > UINT32_MAX) {
            free(sids);
            return rc_err_set(err, RC_E_USAGE, "GTID set too large");
        }
        /* flags u16, server_id u32, name length u32, name, pos u64,
         * SID-set size u32, SID set. The server finds the file itself. */
        size_t len = 2 + 4 + 4 + 8 + 4 + nsids;
        uint8_t *b = rc_xmalloc(len);
        put_u16(b, (uint16_t)(flags | RC_DUMP_THROUGH_GTID));
        put_u32(b + 2, o->server_id);
        put_u32(b + 6, 0);
        put_u64(b + 10, 4);
        put_u32(b + 18, (uint32_t)nsids);
        memcpy(b + 22, sids, nsids);
        free(sids);
        *command = RC_COM_BINLOG_DUMP_GTID;
        *out = b;
        *outlen = len;
        return 0;
    }
    if (gtid) {
        /* MariaDB: the GTID state travels in @slave_connect_state; the
         * command names no file and position 4. */
        if (rc_gtid_mariadb_check(o->gtid, err)) return -1;
        file = "";
        pos = 4;
    }
    if (flavor == RC_FLAVOR_MARIADB) flags |= RC_DUMP_ANNOTATE_ROWS;
    if (pos > UINT32_MAX)
        return rc_err_set(err, RC_E_USAGE,
                          "position %llu is past the 4 GiB a binlog dump can start from",
                          (unsigned long long)pos);
    /* pos u32, flags u16, server_id u32, file name (rest of the packet;
     * empty = the server's first binlog). */
    size_t fl = strlen(file);
    uint8_t *b = rc_xmalloc(10 + fl);
    put_u32(b, (uint32_t)pos);
    put_u16(b + 4, flags);
    put_u32(b + 6, o->server_id);
    memcpy(b + 10, file, fl);
    *command = RC_COM_BINLOG_DUMP;
    *out = b;
    *outlen = 10 + fl;
    return 0;
}

/* libmariadb fixes the read timeout at connect time; the dump wants its own
 * (a multiple of the heartbeat), so set it on the live transport through
 * its method table. */
static void set_read_timeout(rc_conn *c, int seconds)
{
    MARIADB_PVIO *pvio = c->mysql->net.pvio;
    if (pvio && pvio->methods && pvio->methods->set_timeout)
        pvio->methods->set_timeout(pvio, PVIO_READ_TIMEOUT, seconds);
    c->read_timeout_s = seconds;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An error packet or a broken read during the dump, in the user's terms. */
static int dump_error(rc_conn *c, double waited, rc_err *err)
{
    unsigned e = mysql_errno(c->mysql);
    const char *msg = mysql_error(c->mysql);
    c->dumping = 0;
    c->pending = 0;
    if (e == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
        if (strstr(msg, "Binary log is not open"))
            return rc_err_set(err, RC_E_CONFIG,
                              "binary logging is off on %s: start the server with log_bin and "
                              "binlog_format=ROW",
                              c->where);
        if (!c->streaming)
            return rc_err_set(err, RC_E_POSITION,
                              "start position %s is not on the server (purged or never "
                              "written): %s",
                              c->start_desc, msg);
        return rc_err_set(err, RC_E_SERVER, "server error %u: %s", e, msg);
    }
    if (e == ER_SPECIFIC_ACCESS_DENIED_ERROR || e == ER_ACCESS_DENIED_ERROR)
        return priv_error(c, 1, 0, err);
    if (errno_is_lost(e)) {
        if (e == CR_SERVER_LOST && c->read_timeout_s > 0 && waited >= c->read_timeout_s - 1 &&
            c->heartbeat_ms)
            return rc_err_set(err, RC_E_LOST,
                              "lost the connection to %s: nothing received for %d s although "
                              "a heartbeat was due every %u ms",
                              c->where, c->read_timeout_s, c->heartbeat_ms);
        if (e == ER_CONNECTION_KILLED)
            return rc_err_set(err, RC_E_LOST,
                              "lost the connection to %s: %s (killed, or another replica "
                              "connected with the same server id)",
                              c->where, msg);
        return rc_err_set(err, RC_E_LOST, "lost the connection to %s: %s", c->where, msg);
    }
    if (e >= 2000 && e < 3000)
        return rc_err_set(err, RC_E_LOST, "lost the connection to %s: %s (error %u)", c->where, msg,
                          e);
    return rc_err_set(err, RC_E_SERVER, "server error %u: %s", e, msg);
}

/* Reads one packet of the dump. 1 = event (len bytes at read_pos), 0 = EOF,
 * -1 = error. */
static int read_packet(rc_conn *c, size_t *len, rc_err *err)
{
    double t0 = now_s();
    unsigned long n = mysql_net_read_packet(c->mysql);
    /* packet_error is (unsigned int)-1, not (unsigned long)-1. */
    if (n == packet_error || n == 0) return dump_error(c, now_s() - t0, err);
    const uint8_t *p = c->mysql->net.read_pos;
    /* 0xFE is the end of a non-blocking dump (an EOF packet, or an OK packet
     * in EOF's place when the client deprecates EOF); an event packet always
     * starts with 0x00. */
    if (p[0] == 0xFE) return 0;
    if (p[0] == 0xFF) {
        /* libmariadb normally turns an error packet into mysql_errno; this
         * is the fallback: errno u16, '#' + SQLSTATE, message. */
        unsigned e = n >= 3 ? (unsigned)(p[1] | p[2] << 8) : 0;
        const char *m = n > 3 ? (const char *)p + 3 : "";
        size_t ml = n > 3 ? n - 3 : 0;
        if (ml >= 6 && m[0] == '#') m += 6, ml -= 6;
        c->dumping = 0;
        if (e == ER_MASTER_FATAL_ERROR_READING_BINLOG && !c->streaming)
            return rc_err_set(err, RC_E_POSITION,
                              "start position %s is not on the server (purged or never "
                              "written): %.*s",
                              c->start_desc, (int)ml, m);
        return rc_err_set(err, RC_E_SERVER, "server error %u: %.*s", e, (int)ml, m);
    }
    if (p[0] != 0x00) {
        c->dumping = 0;
        return rc_err_set(err, RC_E_CORRUPT,
                          "unexpected packet 0x%02x in the binlog stream from %s", p[0], c->where);
    }
    if (n < 1 + 19) {
        c->dumping = 0;
        return rc_err_set(err, RC_E_CORRUPT,
                          "binlog event of %lu bytes from %s is shorter than its header", n - 1,
                          c->where);
    }
    *len = n - 1;
    /* Start-up events (the fake ROTATE and FORMAT_DESCRIPTION with
     * log_pos 0, GTID lists, heartbeats) do not prove the position was
     * readable; anything else does. */
    uint8_t type = p[1 + 4];
    uint32_t log_pos = (uint32_t)p[1 + 13] | (uint32_t)p[1 + 14] << 8 | (uint32_t)p[1 + 15] << 16 |
                       (uint32_t)p[1 + 16] << 24;
    if (!c->streaming && log_pos != 0 && type != EV_ROTATE && type != EV_FORMAT_DESCRIPTION &&
        type != EV_HEARTBEAT && type != EV_GTID_LIST && type != EV_PREVIOUS_GTIDS &&
        type != EV_BINLOG_CHECKPOINT)
        c->streaming = 1;
    return 1;
}

int rc_dump_start(rc_conn *c, const rc_dump_opts *o, rc_err *err)
{
    if (c->dumping) return rc_err_set(err, RC_E_INTERNAL, "a binlog dump is already running");
    if (!o->server_id) return rc_err_set(err, RC_E_USAGE, "the replica server id must not be 0");
    int mariadb = c->info.flavor == RC_FLAVOR_MARIADB;
    if (o->gtid && *o->gtid)
        snprintf(c->start_desc, sizeof c->start_desc, "gtid:%s", o->gtid);
    else if (o->file && *o->file)
        snprintf(c->start_desc, sizeof c->start_desc, "%s:%llu", o->file,
                 (unsigned long long)(o->pos < 4 ? 4 : o->pos));
    else
        snprintf(c->start_desc, sizeof c->start_desc, "(first binlog):%llu",
                 (unsigned long long)(o->pos < 4 ? 4 : o->pos));

    int command;
    uint8_t *pkt;
    size_t pktlen;
    if (rc_dump_command(c->info.flavor, o, &command, &pkt, &pktlen, err)) return -1;

    /* Tell the server we understand checksums (else it refuses to send a
     * CRC32 binlog); MySQL 8.0.26+ reads the @source_ name, older servers
     * and MariaDB the @master_ one. */
    unsigned e = run(c,
                     "SET @master_binlog_checksum = @@global.binlog_checksum, "
                     "@source_binlog_checksum = @@global.binlog_checksum",
                     NULL);
    if (e && e != ER_UNKNOWN_SYSTEM_VARIABLE) goto sql_failed;

    char sql[4096];
    if (o->heartbeat_ms) {
        unsigned long long ns = (unsigned long long)o->heartbeat_ms * 1000000ULL;
        snprintf(sql, sizeof sql,
                 "SET @master_heartbeat_period = %llu, @source_heartbeat_period = %llu", ns, ns);
        if ((e = run(c, sql, NULL))) goto sql_failed;
    }
    if (mariadb) {
        snprintf(sql, sizeof sql, "SET @mariadb_slave_capability = %d", RC_MARIA_CAP_GTID);
        if ((e = run(c, sql, NULL))) goto sql_failed;
        if (o->gtid) {
            size_t gl = strlen(o->gtid);
            char *esc = rc_xmalloc(gl * 2 + 1);
            mysql_real_escape_string(c->mysql, esc, o->gtid, (unsigned long)gl);
            rc_buf b;
            rc_buf_init(&b);
            rc_buf_printf(&b,
                          "SET @slave_connect_state = '%s', @slave_gtid_strict_mode = 0, "
                          "@slave_gtid_ignore_duplicates = 0",
                          esc);
            rc_buf_putc(&b, 0);
            free(esc);
            e = run(c, b.data, NULL);
            rc_buf_free(&b);
            if (e) goto sql_failed;
        }
    }

    c->heartbeat_ms = o->heartbeat_ms;
    set_read_timeout(c, o->heartbeat_ms ? (int)((3ULL * o->heartbeat_ms + 999) / 1000) + 5
                                        : RC_NO_TIMEOUT_S);
    c->dumping = 1;
    c->streaming = 0;
    c->pending = 0;
    int rc = c->mysql->methods->db_command(c->mysql, (enum enum_server_command)command,
                                           (const char *)pkt, pktlen, 1, NULL);
    free(pkt);
    if (rc) return dump_error(c, 0, err);

    /* The server answers a good request at once (a fake ROTATE first) and a
     * bad one with an error; read that first packet here so a wrong start
     * position is reported by rc_dump_start, and keep it for rc_dump_next. */
    size_t len = 0;
    int r = read_packet(c, &len, err);
    if (r < 0) return -1;
    c->pending = r == 1 ? 1 : 2;
    c->pending_len = len;
    return 0;

sql_failed:
    free(pkt);
    return conn_error(c, err);
}

int rc_dump_next(rc_conn *c, const uint8_t **ev, size_t *len, rc_err *err)
{
    if (c->pending) {
        int p = c->pending;
        c->pending = 0;
        if (p == 2) {
            c->dumping = 0;
            return 0;
        }
        *ev = c->mysql->net.read_pos + 1;
        *len = c->pending_len;
        return 1;
    }
    if (!c->dumping) return rc_err_set(err, RC_E_INTERNAL, "no binlog dump is running");
    int r = read_packet(c, len, err);
    if (r == 1) *ev = c->mysql->net.read_pos + 1;
    if (r == 0) c->dumping = 0;
    return r;
}
