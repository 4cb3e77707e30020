/* rowcast stream: the replica. Connects, checks the server, asks for the
 * binlog from the start position and turns every event into JSON lines.
 *
 * Output is flushed at transaction ends when no more bytes are waiting on
 * the socket (or when 256 KiB are buffered), so a busy stream is written in
 * large blocks and an idle one without delay. The checkpoint names the end
 * of the last transaction whose events were all written; it is saved at
 * those flushes, at most once per --checkpoint-interval, and at exit.
 *
 * After a lost connection it reconnects with backoff and asks again from the
 * start of the transaction it was in, skipping the changes of that
 * transaction it had already written: nothing is lost or repeated. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "cli/rc_cli.h"
#include "core/rc_log.h"
#include "decode/rc_binlog.h"
#include "decode/rc_coltype.h"
#include "decode/rc_rd.h"
#include "event/rc_checkpoint.h"
#include "mysql/rc_conn.h"
#include "mysql/rc_schema.h"
#include "sink/rc_outputs.h"

typedef struct stream {
    /* options */
    const char *source;
    const char *start;
    const char *cp_path;
    uint32_t server_id;
    int stop_at_end;
    double heartbeat_s;
    double cp_interval_s;
    rc_enc_opts eo;
    rc_cli_filters filters;

    rc_url url;
    rc_conn *conn;
    rc_schema *schema;
    rc_decoder *dec;
    rc_outputs *outs;
    const char *sinks[16];
    int nsinks;
    rc_err *err;
    /* transactions written but not yet confirmed by every sink, oldest first */
    struct cpq_entry {
        uint64_t seq;  /* the last change of the transaction */
        uint32_t file; /* index into files */
        uint64_t next;
        rc_buf gtid;
    } * cpq;
    size_t cpq_cap, cpq_head, cpq_len;
    char **files;
    uint32_t nfiles;

    /* where the last transaction every sink confirmed ended (the checkpoint
     * candidate), with the GTID state there */
    char txn_file[512];
    uint64_t txn_next;
    char txn_gtid[4096];
    /* where the last transaction read ended (a reconnect resumes there) */
    char read_file[512];
    uint64_t read_next;
    /* changes of the current transaction passed to the encoder, and how many
     * of those to skip after a reconnect (already written) */
    uint64_t txn_changes;
    uint64_t skip_changes;
    /* what the checkpoint on disk says */
    char cp_file[512];
    uint64_t cp_pos;
    double cp_time;
    /* time of the newest DDL statement the stream has passed */
    uint32_t last_ddl_ts;
    /* --stop-at-end target */
    char end_file[512];
    uint64_t end_pos;
    int done;
} stream;

static volatile sig_atomic_t g_stop;
static volatile int g_sock = -1;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    /* Wake the blocking read; the loop then flushes and checkpoints. */
    if (g_sock >= 0) shutdown(g_sock, SHUT_RDWR);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Binlog names sort by their numeric suffix; compare as the server would. */
static int file_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* ---- the checkpoint queue ----
 * A transaction's end is queued when its last change went to the sinks, and
 * leaves the queue once every sink confirmed that change; the newest to
 * leave is what the checkpoint may say (SPEC.md §3). */

static uint32_t file_index(stream *s, const char *file)
{
    if (s->nfiles && !strcmp(s->files[s->nfiles - 1], file)) return s->nfiles - 1;
    s->files = rc_xrealloc(s->files, (s->nfiles + 1) * sizeof *s->files);
    s->files[s->nfiles] = rc_xstrndup(file, strlen(file));
    return s->nfiles++;
}

static void cpq_push(stream *s, uint64_t seq, const char *file, uint64_t next)
{
    if (s->cpq_len == s->cpq_cap) {
        size_t cap = s->cpq_cap ? s->cpq_cap * 2 : 64;
        struct cpq_entry *q = rc_xcalloc(cap, sizeof *q);
        for (size_t i = 0; i < s->cpq_len; i++)
            q[i] = s->cpq[(s->cpq_head + i) % s->cpq_cap];
        free(s->cpq);
        s->cpq = q;
        s->cpq_cap = cap;
        s->cpq_head = 0;
    }
    struct cpq_entry *e = &s->cpq[(s->cpq_head + s->cpq_len) % s->cpq_cap];
    s->cpq_len++;
    e->seq = seq;
    e->file = file_index(s, file);
    e->next = next;
    e->gtid.len = 0;
    rc_decoder_gtid_state(s->dec, &e->gtid);
    rc_buf_putc(&e->gtid, 0);
}

/* Saves the newest confirmed transaction end (at most once per interval
 * unless forced). */
static int save_checkpoint(stream *s, int force)
{
    uint64_t acked = rc_outputs_acked(s->outs);
    struct cpq_entry *last = NULL;
    while (s->cpq_len && s->cpq[s->cpq_head].seq <= acked) {
        last = &s->cpq[s->cpq_head];
        /* keep the newest confirmed as the candidate, in txn_file/txn_next */
        snprintf(s->txn_file, sizeof s->txn_file, "%s", s->files[last->file]);
        s->txn_next = last->next;
        snprintf(s->txn_gtid, sizeof s->txn_gtid, "%s", last->gtid.data ? last->gtid.data : "");
        s->cpq_head = (s->cpq_head + 1) % s->cpq_cap;
        s->cpq_len--;
    }
    if (!s->cp_path || !s->txn_file[0]) return 0;
    if (!strcmp(s->cp_file, s->txn_file) && s->cp_pos == s->txn_next) return 0;
    double t = now_s();
    if (!force && t - s->cp_time < s->cp_interval_s) return 0;
    rc_checkpoint cp = {0};
    snprintf(cp.file, sizeof cp.file, "%s", s->txn_file);
    cp.pos = s->txn_next;
    snprintf(cp.gtid, sizeof cp.gtid, "%s", s->txn_gtid);
    if (rc_checkpoint_save(s->cp_path, &cp, s->err) < 0) return -1;
    snprintf(s->cp_file, sizeof s->cp_file, "%s", s->txn_file);
    s->cp_pos = s->txn_next;
    s->cp_time = t;
    return 0;
}

/* Sends what is complete to the sinks and collects their confirmations
 * (waiting for all of them when forced); then maybe checkpoints. */
static int flush(stream *s, int force_cp)
{
    if (rc_outputs_flush(s->outs, force_cp ? -1 : 0, s->err) < 0) return -1;
    return save_checkpoint(s, force_cp);
}

static int socket_idle(void)
{
    if (g_sock < 0) return 1;
    struct pollfd p = {.fd = g_sock, .events = POLLIN};
    return poll(&p, 1, 0) <= 0;
}

static int on_change(void *p, const rc_change *c)
{
    stream *s = p;
    s->txn_changes++;
    if (s->skip_changes) {
        s->skip_changes--;
        return 0;
    }
    const rc_change *out = c;
    int keep = rc_cli_filters_run(&s->filters, c, &out, s->err);
    if (keep < 0) return -1;
    if (keep && rc_outputs_change(s->outs, out, s->err) < 0) return -1;
    return 0;
}

static int on_txn_end(void *p, const rc_txn_end *t)
{
    stream *s = p;
    if (rc_outputs_txn_end(s->outs, t, s->err) < 0) return -1;
    snprintf(s->read_file, sizeof s->read_file, "%s", t->meta->file);
    s->read_next = t->next_offset;
    cpq_push(s, rc_outputs_seq(s->outs), s->read_file, s->read_next);
    s->txn_changes = 0;
    s->skip_changes = 0;
    if (s->stop_at_end && s->end_file[0] &&
        (file_cmp(s->read_file, s->end_file) > 0 ||
         (!strcmp(s->read_file, s->end_file) && s->read_next >= s->end_pos)))
        s->done = 1;
    if (s->done || socket_idle()) return flush(s, s->done);
    return 0;
}

/* Fills from information_schema what the table map does not say. */
#define FULL_HINT                                                                                  \
    "set binlog_row_metadata=FULL on the server (SET GLOBAL binlog_row_metadata=FULL, and in its " \
    "configuration) so the binlog names every column"

/* Without column names in the binlog, information_schema's definition is
 * used only if it can be the one the row was written with: the same count
 * and types, and not changed since the event was written (a swap of two
 * columns of one type would pass the type check). */
static int check_definition(const stream *s, const rc_table *t, const rc_schema_table *st,
                            const rc_meta *m, rc_err *err)
{
    if (st->ncols != t->ncols)
        return rc_err_set(err, RC_E_SCHEMA,
                          "%s.%s has %u columns now but %u in the binlog at %s:%llu: the stream "
                          "is behind a later ALTER TABLE and the binlog does not name its "
                          "columns; " FULL_HINT,
                          t->schema, t->name, st->ncols, t->ncols, m->file,
                          (unsigned long long)m->offset);
    for (uint32_t i = 0; i < t->ncols; i++)
        if (rc_coltype_matches(st->cols[i].data_type, &t->cols[i]) == 0)
            return rc_err_set(err, RC_E_SCHEMA,
                              "%s.%s column %u is %s now but %s in the binlog at %s:%llu: the "
                              "stream is behind a later ALTER TABLE and the binlog does not name "
                              "its columns; " FULL_HINT,
                              t->schema, t->name, i + 1, st->cols[i].data_type,
                              rc_coltype_name(&t->cols[i]), m->file, (unsigned long long)m->offset);
    /* The definition was written after this event by a DDL statement the
     * stream has not reached yet: the row may have had other columns. (One
     * the stream has passed, in the same second, is the row's own.) */
    if (st->defined_at > s->last_ddl_ts && m->timestamp <= st->defined_at)
        return rc_err_set(err, RC_E_SCHEMA,
                          "%s.%s was altered after the event at %s:%llu was written, and the "
                          "binlog does not name its columns, so the columns of that time are "
                          "unknown; " FULL_HINT,
                          t->schema, t->name, m->file, (unsigned long long)m->offset);
    return 0;
}

static int resolve(void *p, rc_table *t, const rc_meta *m, rc_err *err)
{
    stream *s = p;
    const rc_schema_table *st = NULL;
    if (rc_schema_get(s->schema, t->schema, t->name, &st, err) < 0) return -1;
    if (!st) {
        if (!t->has_names)
            return rc_err_set(err, RC_E_SCHEMA,
                              "%s.%s no longer exists and the binlog does not name its columns "
                              "(at %s:%llu); " FULL_HINT,
                              t->schema, t->name, m->file, (unsigned long long)m->offset);
        return 0; /* dropped since: the map's names are enough */
    }
    if (!t->has_names) {
        if (check_definition(s, t, st, m, err) < 0) return -1;
        for (uint32_t i = 0; i < t->ncols; i++) {
            rc_column *c = &t->cols[i];
            c->name = rc_arena_strndup(&t->arena, st->cols[i].name, strlen(st->cols[i].name));
            c->is_unsigned = st->cols[i].is_unsigned;
            if (!c->collation) c->collation = st->cols[i].collation ? st->cols[i].collation : 0;
            if (!c->labels && st->cols[i].nlabels) {
                uint32_t n = st->cols[i].nlabels;
                const char **l = rc_arena_alloc(&t->arena, n * sizeof(char *));
                uint32_t *ll = rc_arena_alloc(&t->arena, n * sizeof(uint32_t));
                for (uint32_t k = 0; k < n; k++) {
                    ll[k] = (uint32_t)strlen(st->cols[i].labels[k]);
                    l[k] = rc_arena_strndup(&t->arena, st->cols[i].labels[k], ll[k]);
                }
                c->labels = l;
                c->label_lens = ll;
                c->nlabels = n;
            }
        }
    }
    /* Keys by name: the map's columns are those of the binlog's time. */
    for (uint32_t i = 0; i < t->ncols; i++)
        t->cols[i].in_key = t->cols[i].in_primary;
    uint32_t *pk = rc_arena_alloc(&t->arena, sizeof(uint32_t) * (t->ncols + 1));
    uint32_t npk = 0;
    for (uint32_t k = 0; k < st->npk; k++) {
        const char *name = st->cols[st->pk[k]].name;
        for (uint32_t i = 0; i < t->ncols; i++)
            if (!strcmp(t->cols[i].name, name)) {
                pk[npk++] = i;
                t->cols[i].in_primary = t->cols[i].in_key = 1;
            }
    }
    if (npk || !t->npk) {
        t->pk = pk;
        t->npk = npk;
    }
    for (uint32_t k = 0; k < st->ncols; k++) {
        if (!st->cols[k].in_key) continue;
        for (uint32_t i = 0; i < t->ncols; i++)
            if (!strcmp(t->cols[i].name, st->cols[k].name)) t->cols[i].in_key = 1;
    }
    t->keys_known = 1;
    return 0;
}

static void on_ddl(void *p, const char *schema, const char *q, size_t n, const rc_meta *m)
{
    stream *s = p;
    (void)q, (void)n, (void)schema;
    if (m->timestamp > s->last_ddl_ts) s->last_ddl_ts = m->timestamp;
    /* Which table a statement changes is not worth parsing SQL for: DDL is
     * rare, so every cached definition is looked up again. */
    rc_schema_invalidate(s->schema, NULL, NULL);
}

static int parse_start(stream *s, char *file, size_t filesz, uint64_t *pos, char **gtid)
{
    const char *st = s->start ? s->start : "now";
    *gtid = NULL;
    if (!strcmp(st, "beginning")) return rc_conn_binlog_first(s->conn, file, filesz, s->err);
    if (!strcmp(st, "now")) return rc_conn_binlog_end(s->conn, file, filesz, pos, s->err);
    if (!strncmp(st, "gtid:", 5)) {
        *gtid = strdup(st + 5);
        return rc_decoder_set_gtid_state(s->dec, st + 5, s->err);
    }
    const char *colon = strrchr(st, ':');
    char *end = NULL;
    if (colon && colon != st && colon[1]) {
        unsigned long long v = strtoull(colon + 1, &end, 10);
        if (*end == 0 && (size_t)(colon - st) < filesz) {
            memcpy(file, st, (size_t)(colon - st));
            file[colon - st] = 0;
            *pos = v < 4 ? 4 : v;
            return 0;
        }
    }
    return rc_err_set(s->err, RC_E_USAGE,
                      "bad --start '%s': expected beginning, now, FILE:POS or gtid:SET", st);
}

static int connect_and_check(stream *s)
{
    if (rc_conn_open(&s->conn, &s->url, s->err) < 0) return -1;
    if (rc_conn_preflight(s->conn, s->err) < 0) return -1;
    MYSQL *m = rc_conn_mysql(s->conn);
    g_sock = (int)mysql_get_socket(m);
    return 0;
}

/* One dump session: returns 0 when done, -1 on error (s->err). */
static int run_dump(stream *s, const char *file, uint64_t pos, const char *gtid)
{
    rc_dump_opts o = {.server_id = s->server_id,
                      .file = file,
                      .pos = pos,
                      .gtid = gtid,
                      .non_block = s->stop_at_end,
                      .heartbeat_ms = (uint32_t)(s->heartbeat_s * 1000)};
    if (rc_dump_start(s->conn, &o, s->err) < 0) return -1;
    if (file && file[0]) rc_decoder_set_file(s->dec, file);
    while (!g_stop && !s->done) {
        const uint8_t *ev = NULL;
        size_t len = 0;
        int r = rc_dump_next(s->conn, &ev, &len, s->err);
        if (r < 0) return -1;
        if (r == 0) { /* the server's EOF in non-blocking mode: the end */
            s->done = 1;
            break;
        }
        if (len < RC_EV_HEADER_LEN)
            return rc_err_set(s->err, RC_E_CORRUPT, "short event (%zu bytes) from the server", len);
        uint8_t type = ev[4];
        uint32_t log_pos = rc_le32(ev + 13);
        uint64_t off = log_pos >= len ? log_pos - len : 0;
        if (type == RC_EV_HEARTBEAT || type == RC_EV_HEARTBEAT_V2) {
            if (flush(s, 1) < 0) return -1;
            continue;
        }
        if (rc_decoder_event(s->dec, ev, len, off, s->err) < 0) return -1;
    }
    return 0;
}

int cmd_stream(int argc, char **argv)
{
    static const struct option longopts[] = {{"source", required_argument, 0, 's'},
                                             {"start", required_argument, 0, 'S'},
                                             {"server-id", required_argument, 0, 'i'},
                                             {"stop-at-end", no_argument, 0, 'e'},
                                             {"checkpoint", required_argument, 0, 'c'},
                                             {"format", required_argument, 0, 'f'},
                                             {"no-queries", no_argument, 0, 'Q'},
                                             {"heartbeat", required_argument, 0, 'H'},
                                             {"checkpoint-interval", required_argument, 0, 'I'},
                                             {"sink", required_argument, 0, 'k'},
                                             {"debug", no_argument, 0, 'd'},
                                             RC_CLI_FILTER_OPTIONS,
                                             {0, 0, 0, 0}};
    stream s = {.heartbeat_s = 5, .cp_interval_s = 1};
    rc_err err = {0};
    s.err = &err;
    rc_cli_filters_init(&s.filters);
    int ch;
    const char *binlog_only = NULL; /* an option the outbox source does not take */
    int format_set = 0;
    opterr = 0; /* one line of our own instead of getopt's */
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'S': binlog_only = "--start"; break;
        case 'i': binlog_only = "--server-id"; break;
        case 'c': binlog_only = "--checkpoint"; break;
        case 'H': binlog_only = "--heartbeat"; break;
        case 'I': binlog_only = "--checkpoint-interval"; break;
        case RC_OPT_EXCLUDE_COLUMN: binlog_only = "--exclude-column"; break;
        default: break;
        }
        if (ch == 'f') format_set = 1;
        switch (ch) {
        case 's': s.source = optarg; break;
        case 'S': s.start = optarg; break;
        case 'i': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v == 0 || v > UINT32_MAX)
                return rc_cli_usage("--server-id must be a number from 1 to 4294967295");
            s.server_id = (uint32_t)v;
            break;
        }
        case 'e': s.stop_at_end = 1; break;
        case 'c': s.cp_path = optarg; break;
        case 'f':
            if (rc_cli_parse_format(optarg, &s.eo.format) < 0)
                return rc_cli_usage("unknown --format '%s'", optarg);
            break;
        case 'Q': s.eo.no_queries = 1; break;
        case 'H': s.heartbeat_s = atof(optarg); break;
        case 'I': s.cp_interval_s = atof(optarg); break;
        case 'k':
            if (s.nsinks == (int)(sizeof s.sinks / sizeof s.sinks[0]))
                return rc_cli_usage("too many --sink options");
            s.sinks[s.nsinks++] = optarg;
            break;
        case 'd': rc_log_min = RC_LOG_DEBUG; break;
        case RC_OPT_FILTER:
        case RC_OPT_INCLUDE:
        case RC_OPT_EXCLUDE:
        case RC_OPT_EXCLUDE_COLUMN:
        case RC_OPT_OPERATIONS:
            if (rc_cli_filters_option(&s.filters, ch, optarg, &err) < 0) {
                rc_cli_filters_free(&s.filters);
                return rc_cli_fail(&err);
            }
            break;
        default:
            return rc_cli_usage("stream: unknown option or missing value: %s", argv[optind - 1]);
        }
    }
    if (!s.source) return rc_cli_usage("stream needs --source mysql://USER[:PASSWORD]@HOST:PORT");
    if (s.start && strcmp(s.start, "beginning") && strcmp(s.start, "now") &&
        strncmp(s.start, "gtid:", 5)) {
        const char *colon = strrchr(s.start, ':');
        char *end = NULL;
        if (!colon || colon == s.start || !colon[1] || (strtoull(colon + 1, &end, 10), *end))
            return rc_cli_usage("bad --start '%s': expected beginning, now, FILE:POS or gtid:SET",
                                s.start);
    }
    if (rc_url_parse(s.source, &s.url, &err) < 0) {
        rc_cli_filters_free(&s.filters);
        return rc_cli_fail(&err);
    }
    if (!strcmp(s.url.scheme, "mysql-outbox")) {
        int st;
        if (binlog_only)
            st = rc_cli_usage("%s does not apply to a mysql-outbox:// source (trigger capture)",
                              binlog_only);
        else if (format_set && s.eo.format != RC_FMT_SEED)
            st = rc_cli_usage("--format: events from the outbox are in the seed format");
        else
            st = cmd_stream_outbox(&s.url, s.sinks, s.nsinks, &s.eo, &s.filters, s.stop_at_end);
        rc_url_free(&s.url);
        rc_cli_filters_free(&s.filters);
        return st;
    }
    if (strcmp(s.url.scheme, "mysql")) {
        rc_url_free(&s.url);
        rc_cli_filters_free(&s.filters);
        return rc_cli_usage("--source '%s': expected a mysql:// or mysql-outbox:// URL", s.source);
    }
    if (!s.server_id) {
        /* Two instances must not share an id (the server drops the older
         * connection): derive one from the pid and time, away from the small
         * ids people give real replicas. */
        s.server_id = 0x40000000u | (((uint32_t)getpid() << 12) ^ (uint32_t)time(NULL));
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 0;
    char file[512] = "";
    uint64_t pos = 4;
    char *gtid = NULL;
    s.outs = rc_outputs_new(&g_stop);
    if (!s.nsinks) s.sinks[s.nsinks++] = "stdout:";
    for (int i = 0; i < s.nsinks; i++)
        if (rc_outputs_add(s.outs, s.sinks[i], &s.eo, s.filters.publish, &err) < 0) goto fail;
    s.schema = rc_schema_new(&s.url);

    if (connect_and_check(&s) < 0) goto fail;
    const rc_server_info *info = rc_conn_info(s.conn);
    rc_decoder_opts dopts = {.checksum_hint = strcmp(info->binlog_checksum, "CRC32") ? 0 : 1,
                             .resolve = resolve,
                             .ddl = on_ddl,
                             .ctx = &s,
                             .lazy_rows = 1};
    rc_handler h = {.ctx = &s, .change = on_change, .txn_end = on_txn_end};
    s.dec = rc_decoder_new(&dopts, &h);

    rc_checkpoint cp;
    int have_cp = 0;
    if (s.cp_path) {
        have_cp = rc_checkpoint_load(s.cp_path, &cp, &err);
        if (have_cp < 0) goto fail;
    }
    if (have_cp) {
        snprintf(file, sizeof file, "%s", cp.file);
        pos = cp.pos;
        if (cp.gtid[0] && rc_decoder_set_gtid_state(s.dec, cp.gtid, &err) < 0) goto fail;
        snprintf(s.cp_file, sizeof s.cp_file, "%s", cp.file);
        s.cp_pos = cp.pos;
        rc_info("resuming from checkpoint %s:%" PRIu64, file, pos);
    } else if (parse_start(&s, file, sizeof file, &pos, &gtid) < 0) {
        goto fail;
    }
    snprintf(s.txn_file, sizeof s.txn_file, "%s", file);
    s.txn_next = pos;
    snprintf(s.read_file, sizeof s.read_file, "%s", file);
    s.read_next = pos;
    {
        rc_buf g;
        rc_buf_init(&g);
        rc_decoder_gtid_state(s.dec, &g);
        snprintf(s.txn_gtid, sizeof s.txn_gtid, "%.*s", (int)g.len, g.data ? g.data : "");
        rc_buf_free(&g);
    }
    if (s.stop_at_end) {
        if (rc_conn_binlog_end(s.conn, s.end_file, sizeof s.end_file, &s.end_pos, &err) < 0)
            goto fail;
        /* Already at the end: nothing to wait for. (A later file is left to the
         * server to judge: it says whether that file exists.) */
        if (file[0] && !strcmp(file, s.end_file) && pos >= s.end_pos) s.done = 1;
    }

    double backoff = 0.5;
    while (!s.done && !g_stop) {
        if (run_dump(&s, file, pos, gtid) == 0) break;
        if (g_stop) break;
        if (err.code != RC_E_LOST) goto fail;
        /* Lost the server: keep what is complete, resume at the start of
         * the open transaction and skip every change of it decoded so far.
         * They are skipped before the filters, so a script sees each change
         * once; the event held open for the transaction's end stays open,
         * since the rest of its transaction follows. */
        if (rc_outputs_flush(s.outs, 0, &err) < 0) goto fail;
        s.skip_changes = s.txn_changes;
        s.txn_changes = 0;
        snprintf(file, sizeof file, "%s", s.read_file);
        pos = s.read_next;
        free(gtid);
        gtid = NULL;
        for (;;) {
            rc_warn("%s; reconnecting in %.1fs (resuming at %s:%" PRIu64 ")", err.msg, backoff,
                    file, pos);
            struct timespec ts = {(time_t)backoff, (long)((backoff - (time_t)backoff) * 1e9)};
            nanosleep(&ts, NULL);
            if (g_stop) break;
            backoff = backoff * 2 > 30 ? 30 : backoff * 2;
            rc_conn_close(s.conn);
            s.conn = NULL;
            g_sock = -1;
            if (connect_and_check(&s) == 0) break;
            if (err.code != RC_E_CONNECT && err.code != RC_E_LOST) goto fail;
        }
        backoff = 0.5;
    }
    rc_outputs_finish(s.outs);
    if (flush(&s, 1) < 0) goto fail;
    goto out;
fail:
    if (s.outs) rc_outputs_flush(s.outs, 0, &(rc_err){0});
    status = rc_cli_fail(&err);
out:
    free(gtid);
    rc_decoder_free(s.dec);
    rc_outputs_free(s.outs);
    for (size_t i = 0; i < s.cpq_cap; i++)
        rc_buf_free(&s.cpq[i].gtid);
    free(s.cpq);
    for (uint32_t i = 0; i < s.nfiles; i++)
        free(s.files[i]);
    free(s.files);
    rc_schema_free(s.schema);
    rc_conn_close(s.conn);
    rc_url_free(&s.url);
    rc_cli_filters_free(&s.filters);
    return status;
}
