/* bench/rpl_loop: reads a server's whole binlog once through libmariadb's
 * replication API (mariadb_rpl_fetch, which parses every event into structs)
 * and once through rowcast's own packet loop (rc_dump_next, raw bytes), and
 * prints events per second for each. It measures transport only, no rowcast
 * decoding, to decide which to build on (docs/design.md).
 *
 * usage: rpl_loop mysql://USER:PASS@HOST:PORT FIRST_BINLOG_FILE */
#include <mysql.h>
#include <mariadb_rpl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mysql/rc_conn.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_api(const rc_url *u, const char *file)
{
    rc_err err;
    rc_conn *c;
    if (rc_conn_open(&c, u, &err) < 0 ||
        rc_conn_exec(c, "SET @master_binlog_checksum = @@global.binlog_checksum", &err) < 0 ||
        rc_conn_exec(c, "SET @mariadb_slave_capability = 4", &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    MARIADB_RPL *rpl = mariadb_rpl_init((MYSQL *)rc_conn_mysql(c));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, file, strlen(file));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, 4);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, 12345);
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, MARIADB_RPL_BINLOG_DUMP_NON_BLOCK);
    if (mariadb_rpl_open(rpl)) {
        fprintf(stderr, "rpl_open: %s\n", mysql_error((MYSQL *)rc_conn_mysql(c)));
        return 1;
    }
    double t0 = now_s();
    unsigned long n = 0;
    MARIADB_RPL_EVENT *ev = NULL;
    while ((ev = mariadb_rpl_fetch(rpl, ev)))
        n++;
    double t = now_s() - t0;
    printf("mariadb_rpl_fetch: %lu events in %.3f s = %.0f events/s\n", n, t, n / t);
    mariadb_free_rpl_event(ev);
    mariadb_rpl_close(rpl);
    rc_conn_close(c);
    return 0;
}

static int run_loop(const rc_url *u, const char *file)
{
    rc_err err;
    rc_conn *c;
    if (rc_conn_open(&c, u, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    rc_dump_opts o = {.server_id = 12346, .file = file, .pos = 4, .non_block = 1};
    if (rc_dump_start(c, &o, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t0 = now_s();
    unsigned long n = 0;
    const uint8_t *p;
    size_t len;
    int r;
    while ((r = rc_dump_next(c, &p, &len, &err)) == 1)
        n++;
    double t = now_s() - t0;
    if (r < 0) fprintf(stderr, "%s\n", err.msg);
    printf("rowcast packet loop: %lu events in %.3f s = %.0f events/s\n", n, t, n / t);
    rc_conn_close(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: rpl_loop URL FIRST_BINLOG\n");
        return 2;
    }
    rc_url u;
    rc_err err;
    if (rc_url_parse(argv[1], &u, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    for (int i = 0; i < 3; i++) {
        if (run_api(&u, argv[2]) || run_loop(&u, argv[2])) return 1;
    }
    return 0;
}
