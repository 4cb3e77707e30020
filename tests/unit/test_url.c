/* Unit tests of src/mysql/ that need no server: URL parsing (rc_url), the
 * replica requests rc_dump_start sends (COM_BINLOG_DUMP and MySQL's
 * COM_BINLOG_DUMP_GTID with its binary GTID set), GTID text checks, and the
 * ENUM/SET label parser of the schema cache. */
#include "rc_test.h"

#include "mysql/rc_conn.h"
#include "mysql/rc_schema.h"
#include "mysql/rc_url.h"

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- rc_url ---- */

RC_TEST(url_full)
{
    rc_url u;
    rc_err err = {0};
    CHECK_INT(rc_url_parse("mysql://repl:secret@db.example.com:3307/shop?ssl=1&x=a%20b", &u, &err),
              0);
    CHECK_STR(u.scheme, "mysql");
    CHECK_STR(u.user, "repl");
    CHECK_STR(u.password, "secret");
    CHECK_STR(u.host, "db.example.com");
    CHECK_INT(u.port, 3307);
    CHECK_STR(u.path, "shop");
    CHECK_STR(u.query, "ssl=1&x=a%20b");
    char *v = rc_url_param(&u, "x");
    CHECK_STR(v, "a b");
    free(v);
    v = rc_url_param(&u, "ssl");
    CHECK_STR(v, "1");
    free(v);
    CHECK(rc_url_param(&u, "nope") == NULL);
    CHECK(rc_url_param(&u, "ss") == NULL);
    rc_url_free(&u);
}

RC_TEST(url_defaults)
{
    rc_url u;
    rc_err err = {0};
    CHECK_INT(rc_url_parse("MySQL://root@localhost", &u, &err), 0);
    CHECK_STR(u.scheme, "mysql");
    CHECK_STR(u.user, "root");
    CHECK(u.password == NULL);
    CHECK_STR(u.host, "localhost");
    CHECK_INT(u.port, 3306);
    CHECK_STR(u.path, "");
    CHECK_STR(u.query, "");
    rc_url_free(&u);

    CHECK_INT(rc_url_parse("mysql://root:@h:1/", &u, &err), 0);
    CHECK_STR(u.password, "");
    CHECK_INT(u.port, 1);
    CHECK_STR(u.path, "");
    rc_url_free(&u);

    CHECK_INT(rc_url_parse("nats://127.0.0.1/orders.events", &u, &err), 0);
    CHECK_STR(u.user, "");
    CHECK_INT(u.port, 4222);
    CHECK_STR(u.path, "orders.events");
    rc_url_free(&u);
}

RC_TEST(url_percent_decoding)
{
    rc_url u;
    rc_err err = {0};
    CHECK_INT(rc_url_parse("mysql://us%65r%40corp:p%40ss%3Aw%2Frd%25@h:3306", &u, &err), 0);
    CHECK_STR(u.user, "user@corp");
    CHECK_STR(u.password, "p@ss:w/rd%");
    CHECK_STR(u.host, "h");
    rc_url_free(&u);
}

RC_TEST(url_raw_specials_in_password)
{
    rc_url u;
    rc_err err = {0};
    /* Unescaped '@', ':' and '/' in a password still parse. */
    CHECK_INT(rc_url_parse("mysql://at:a@b:c/d@127.0.0.1:33061/db?k=v", &u, &err), 0);
    CHECK_STR(u.user, "at");
    CHECK_STR(u.password, "a@b:c/d");
    CHECK_STR(u.host, "127.0.0.1");
    CHECK_INT(u.port, 33061);
    CHECK_STR(u.path, "db");
    CHECK_STR(u.query, "k=v");
    rc_url_free(&u);

    /* An '@' in the query is not a user part. */
    CHECK_INT(rc_url_parse("mysql://u@h:1/p?mail=a@b", &u, &err), 0);
    CHECK_STR(u.user, "u");
    CHECK_STR(u.host, "h");
    char *v = rc_url_param(&u, "mail");
    CHECK_STR(v, "a@b");
    free(v);
    rc_url_free(&u);
}

RC_TEST(url_ipv6)
{
    rc_url u;
    rc_err err = {0};
    CHECK_INT(rc_url_parse("mysql://u:p@[::1]:3307", &u, &err), 0);
    CHECK_STR(u.host, "::1");
    CHECK_INT(u.port, 3307);
    rc_url_free(&u);
    CHECK_INT(rc_url_parse("mysql://u@[fe80::1%25eth0]", &u, &err), 0);
    CHECK_STR(u.host, "fe80::1%eth0");
    CHECK_INT(u.port, 3306);
    rc_url_free(&u);
}

RC_TEST(url_errors)
{
    rc_url u;
    rc_err err = {0};
    CHECK_INT(rc_url_parse("rc@127.0.0.1:3306", &u, &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_STR(err.msg,
              "bad source URL 'rc@127.0.0.1:3306': expected mysql://USER[:PASSWORD]@HOST:PORT");

    CHECK_INT(rc_url_parse("mysql://u:secret@h:99999", &u, &err), -1);
    CHECK_STR(err.msg, "bad source URL 'mysql://u:***@h:99999': port '99999' is not a number "
                       "from 1 to 65535; expected mysql://USER[:PASSWORD]@HOST:PORT");
    CHECK(strstr(err.msg, "secret") == NULL);

    CHECK_INT(rc_url_parse("mysql://u@h:abc", &u, &err), -1);
    CHECK(strstr(err.msg, "port 'abc'") != NULL);
    CHECK_INT(rc_url_parse("mysql://u@h:", &u, &err), -1);
    CHECK_INT(rc_url_parse("mysql://u@h:0", &u, &err), -1);

    CHECK_INT(rc_url_parse("mysql://127.0.0.1:3306", &u, &err), -1);
    CHECK_STR(err.msg, "bad source URL 'mysql://127.0.0.1:3306': no user name; expected "
                       "mysql://USER[:PASSWORD]@HOST:PORT");

    CHECK_INT(rc_url_parse("mysql://u:p@:3306", &u, &err), -1);
    CHECK(strstr(err.msg, "no host") != NULL);
    CHECK_INT(rc_url_parse("mysql://u:p@[::1:3306", &u, &err), -1);
    CHECK(strstr(err.msg, "without closing ']'") != NULL);
    CHECK_INT(rc_url_parse("mysql://u:pa%zzss@h", &u, &err), -1);
    CHECK(strstr(err.msg, "percent-escape in the password") != NULL);
    CHECK_INT(rc_url_parse("", &u, &err), -1);
    CHECK_INT(rc_url_parse("://u@h", &u, &err), -1);

    /* The caller names the URL. */
    CHECK_INT(rc_url_parse_as("mysql://h", "target", &u, &err), -1);
    CHECK(!strncmp(err.msg, "bad target URL 'mysql://h'", 26));
    rc_url_free(&u); /* harmless after an error */
}

/* ---- MySQL GTID set encoding ---- */

RC_TEST(gtid_encode_one)
{
    uint8_t *b;
    size_t n;
    rc_err err = {0};
    CHECK_INT(rc_gtid_mysql_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", &b, &n, &err), 0);
    CHECK_INT(n, 8 + 16 + 8 + 16);
    CHECK_INT(le(b, 8), 1);
    static const uint8_t uuid[16] = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1,
                                     0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};
    CHECK(!memcmp(b + 8, uuid, 16));
    CHECK_INT(le(b + 24, 8), 1);
    CHECK_INT(le(b + 32, 8), 1); /* start */
    CHECK_INT(le(b + 40, 8), 6); /* end is exclusive */
    free(b);
}

RC_TEST(gtid_encode_many)
{
    uint8_t *b;
    size_t n;
    rc_err err = {0};
    /* Two servers, given out of order, with overlapping and adjacent
     * intervals, single numbers, and MySQL's line breaks. */
    const char *set = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb:7:1-3,\n"
                      "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:10-20:5,"
                      " bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb:4-5:9";
    CHECK_INT(rc_gtid_mysql_encode(set, &b, &n, &err), 0);
    CHECK_INT(le(b, 8), 2);
    const uint8_t *p = b + 8;
    CHECK_INT(p[0], 0xaa);
    CHECK_INT(le(p + 16, 8), 2);
    CHECK_INT(le(p + 24, 8), 5);
    CHECK_INT(le(p + 32, 8), 6);
    CHECK_INT(le(p + 40, 8), 10);
    CHECK_INT(le(p + 48, 8), 21);
    p += 24 + 2 * 16;
    CHECK_INT(p[0], 0xbb);
    CHECK_INT(le(p + 16, 8), 3); /* 1-3 and 4-5 merge into [1,6), then [7,8), [9,10) */
    CHECK_INT(le(p + 24, 8), 1);
    CHECK_INT(le(p + 32, 8), 6);
    CHECK_INT(le(p + 40, 8), 7);
    CHECK_INT(le(p + 48, 8), 8);
    CHECK_INT(le(p + 56, 8), 9);
    CHECK_INT(le(p + 64, 8), 10);
    p += 24 + 3 * 16;
    CHECK_INT((size_t)(p - b), n);
    free(b);
}

RC_TEST(gtid_encode_empty_and_errors)
{
    uint8_t *b;
    size_t n;
    rc_err err = {0};
    CHECK_INT(rc_gtid_mysql_encode("", &b, &n, &err), 0);
    CHECK_INT(n, 8);
    CHECK_INT(le(b, 8), 0);
    free(b);

    CHECK_INT(rc_gtid_mysql_encode("0-1-5", &b, &n, &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK(strstr(err.msg, "bad GTID set '0-1-5' for MySQL") != NULL);
    CHECK_INT(rc_gtid_mysql_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:5-1", &b, &n, &err), -1);
    CHECK_INT(rc_gtid_mysql_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:0", &b, &n, &err), -1);
    CHECK_INT(rc_gtid_mysql_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562", &b, &n, &err), -1);
    CHECK_INT(rc_gtid_mysql_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:", &b, &n, &err), -1);
    CHECK_INT(rc_gtid_mysql_encode("3E11FA47-71CA-11E1-9E33-C80AA9429562:tag:1-2", &b, &n, &err),
              -1);
    CHECK(strstr(err.msg, "tagged GTIDs") != NULL);
}

RC_TEST(gtid_mariadb_check)
{
    rc_err err = {0};
    CHECK_INT(rc_gtid_mariadb_check("0-1-5", &err), 0);
    CHECK_INT(rc_gtid_mariadb_check("0-1-5,1-2-900", &err), 0);
    CHECK_INT(rc_gtid_mariadb_check("", &err), 0);
    CHECK_INT(rc_gtid_mariadb_check("0-1", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_INT(rc_gtid_mariadb_check("0-1-5;", &err), -1);
    CHECK_INT(rc_gtid_mariadb_check("0-1-5'; DROP TABLE x", &err), -1);
    CHECK_INT(rc_gtid_mariadb_check("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", &err), -1);
}

/* ---- dump requests ---- */

RC_TEST(dump_command_file_pos)
{
    rc_err err = {0};
    rc_dump_opts o = {
        .server_id = 0x01020304, .file = "mysql-bin.000003", .pos = 4711, .non_block = 1};
    int cmd;
    uint8_t *b;
    size_t n;
    CHECK_INT(rc_dump_command(RC_FLAVOR_MARIADB, &o, &cmd, &b, &n, &err), 0);
    CHECK_INT(cmd, 0x12);
    CHECK_INT(n, 10 + 16);
    CHECK_INT(le(b, 4), 4711);
    CHECK_INT(le(b + 4, 2), 1 | 2); /* non-block, ANNOTATE_ROWS */
    CHECK_INT(le(b + 6, 4), 0x01020304);
    CHECK_MEM(b + 10, 16, "mysql-bin.000003");
    free(b);

    o.non_block = 0;
    CHECK_INT(rc_dump_command(RC_FLAVOR_MYSQL, &o, &cmd, &b, &n, &err), 0);
    CHECK_INT(cmd, 0x12);
    CHECK_INT(le(b + 4, 2), 0); /* MySQL: no MariaDB flag */
    free(b);

    o.pos = 5000000000ULL;
    CHECK_INT(rc_dump_command(RC_FLAVOR_MYSQL, &o, &cmd, &b, &n, &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);

    /* No file: the server's first binlog, from 4. */
    rc_dump_opts first = {.server_id = 9};
    CHECK_INT(rc_dump_command(RC_FLAVOR_MARIADB, &first, &cmd, &b, &n, &err), 0);
    CHECK_INT(n, 10);
    CHECK_INT(le(b, 4), 4);
    free(b);
}

RC_TEST(dump_command_gtid)
{
    rc_err err = {0};
    int cmd;
    uint8_t *b;
    size_t n;
    /* MariaDB: the GTID goes in @slave_connect_state; the request has no
     * file and position 4, whatever the options say. */
    rc_dump_opts m = {.server_id = 7, .file = "x.000001", .pos = 99, .gtid = "0-1-5"};
    CHECK_INT(rc_dump_command(RC_FLAVOR_MARIADB, &m, &cmd, &b, &n, &err), 0);
    CHECK_INT(cmd, 0x12);
    CHECK_INT(n, 10);
    CHECK_INT(le(b, 4), 4);
    free(b);
    m.gtid = "uuid:1";
    CHECK_INT(rc_dump_command(RC_FLAVOR_MARIADB, &m, &cmd, &b, &n, &err), -1);

    rc_dump_opts y = {
        .server_id = 7, .gtid = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", .non_block = 1};
    CHECK_INT(rc_dump_command(RC_FLAVOR_MYSQL, &y, &cmd, &b, &n, &err), 0);
    CHECK_INT(cmd, 0x1e);
    CHECK_INT(n, 22 + 48);
    CHECK_INT(le(b, 2), 1 | 4); /* non-block, THROUGH_GTID */
    CHECK_INT(le(b + 2, 4), 7);
    CHECK_INT(le(b + 6, 4), 0);  /* name length */
    CHECK_INT(le(b + 10, 8), 4); /* position */
    CHECK_INT(le(b + 18, 4), 48);
    CHECK_INT(le(b + 22, 8), 1);
    CHECK_INT(b[30], 0x3e);
    free(b);
}

/* ---- ENUM/SET labels ---- */

RC_TEST(labels)
{
    char **l;
    uint32_t n = rc_schema_parse_labels("enum('a','b''c','d\\\\e','\xc3\xbc','','q\"r')", &l);
    CHECK_INT(n, 6);
    if (n != 6) return;
    CHECK_STR(l[0], "a");
    CHECK_STR(l[1], "b'c");
    CHECK_STR(l[2], "d\\e");
    CHECK_STR(l[3], "\xc3\xbc");
    CHECK_STR(l[4], "");
    CHECK_STR(l[5], "q\"r");
    for (uint32_t i = 0; i < n; i++)
        free(l[i]);
    free(l);

    n = rc_schema_parse_labels("set('x,y','z')", &l);
    CHECK_INT(n, 2);
    CHECK_STR(l[0], "x,y");
    for (uint32_t i = 0; i < n; i++)
        free(l[i]);
    free(l);

    CHECK_INT(rc_schema_parse_labels("int(11)", &l), 0);
    CHECK(l == NULL);
    n = rc_schema_parse_labels("enum('ok','broken", &l);
    CHECK_INT(n, 1);
    for (uint32_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

RC_TEST_MAIN(RC_T(url_full), RC_T(url_defaults), RC_T(url_percent_decoding),
             RC_T(url_raw_specials_in_password), RC_T(url_ipv6), RC_T(url_errors),
             RC_T(gtid_encode_one), RC_T(gtid_encode_many), RC_T(gtid_encode_empty_and_errors),
             RC_T(gtid_mariadb_check), RC_T(dump_command_file_pos), RC_T(dump_command_gtid),
             RC_T(labels))
