/* --format debezium: exact bytes for create/update/delete events, every
 * value rule of rc_enc_debezium.c's table, source.row counting, and the
 * shape of the create event in Debezium's MySQL connector documentation
 * ("Data change events" > "create events"), whose payload reads:
 *
 *   "op": "c", "ts_ms": 1465491411815, "before": null,
 *   "after": {"id": 1004, "first_name": "Anne", "last_name": "Kretchmar",
 *             "email": "annek@noanswer.org"},
 *   "source": {"version": ..., "connector": "mysql", "name": "mysql-server-1",
 *              "ts_ms": 0, "snapshot": false, "db": "inventory",
 *              "table": "customers", "server_id": 0, "gtid": null,
 *              "file": "mysql-bin.000003", "pos": 154, "row": 0, "thread": 7,
 *              "query": "INSERT INTO customers ..."}
 */
#include "rc_test.h"

#include "encode/rc_enc.h"
#include "encode/rc_enc_int.h"

#define UTF8MB4 45

static rc_column col(const char *name, uint8_t type, uint16_t meta, uint16_t collation,
                     uint8_t nullable)
{
    rc_column c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.type = c.real_type = type;
    c.meta = meta;
    c.collation = collation;
    c.nullable = nullable;
    return c;
}

static rc_value vi(int64_t i)
{
    rc_value v = {.kind = RC_V_INT};
    v.v.i = i;
    return v;
}
static rc_value vu(uint64_t u)
{
    rc_value v = {.kind = RC_V_UINT};
    v.v.u = u;
    return v;
}
static rc_value vs(uint8_t kind, const char *s, uint16_t cs)
{
    rc_value v = {.kind = kind, .cs = cs, .len = (uint32_t)strlen(s)};
    v.v.s = s;
    return v;
}
static rc_value vnull(void)
{
    rc_value v = {.kind = RC_V_NULL};
    return v;
}

static rc_column customers_cols[4];
static rc_table customers;

static void customers_init(void)
{
    customers_cols[0] = col("id", RC_T_LONG, 0, 0, 0);
    customers_cols[1] = col("first_name", RC_T_VARCHAR, 1020, UTF8MB4, 0);
    customers_cols[2] = col("last_name", RC_T_VARCHAR, 1020, UTF8MB4, 0);
    customers_cols[3] = col("email", RC_T_VARCHAR, 1020, UTF8MB4, 0);
    memset(&customers, 0, sizeof customers);
    customers.schema = "inventory";
    customers.name = "customers";
    customers.ncols = 4;
    customers.cols = customers_cols;
}

static const char *encode(rc_buf *out, const rc_change *c)
{
    rc_enc_opts o = {.format = RC_FMT_DEBEZIUM};
    rc_enc *e = rc_enc_new(&o, out);
    rc_err err;
    memset(&err, 0, sizeof err);
    int r = rc_enc_change(e, c, &err);
    int open = rc_enc_has_open(e);
    size_t complete = rc_enc_complete(e);
    rc_enc_free(e);
    if (r < 0 || open || complete != out->len) return "(encode failed)";
    rc_buf_putc(out, 0);
    out->len--;
    return out->data;
}

#define SRC(ts, pos, row)                                                                          \
    ",\"source\":{\"version\":\"rowcast\",\"connector\":\"mysql\",\"name\":\"rowcast\","           \
    "\"ts_ms\":" ts ",\"snapshot\":\"false\",\"db\":\"inventory\",\"sequence\":null,"              \
    "\"table\":\"customers\",\"server_id\":223344,\"gtid\":null,\"file\":\"mysql-bin.000003\","    \
    "\"pos\":" pos ",\"row\":" row ",\"thread\":null,\"query\":null}"

RC_TEST(docs_create_event)
{
    customers_init();
    rc_meta m = {
        .timestamp = 1465491411, .server_id = 223344, .file = "mysql-bin.000003", .offset = 154};
    rc_value after[4] = {vi(1004), vs(RC_V_TEXT, "Anne", UTF8MB4),
                         vs(RC_V_TEXT, "Kretchmar", UTF8MB4),
                         vs(RC_V_TEXT, "annek@noanswer.org", UTF8MB4)};
    rc_change c = {.op = RC_OP_INSERT, .meta = &m, .table = &customers, .after = after};
    rc_buf out;
    rc_buf_init(&out);
    const char *got = encode(&out, &c);
    const char *want = "{\"before\":null,\"after\":{\"id\":1004,\"first_name\":\"Anne\","
                       "\"last_name\":\"Kretchmar\",\"email\":\"annek@noanswer.org\"}" SRC(
                           "1465491411000", "154", "0") ",\"op\":\"c\",\"ts_ms\":1465491411000,"
                                                        "\"transaction\":null}\n";
    int ok = !strcmp(got, want);
    if (!ok) printf("  got  %s  want %s", got, want);
    rc_buf_free(&out);
    rc_table_drop_enc_caches(&customers);
    CHECK(ok);
}

RC_TEST(update_delete_and_row_index)
{
    customers_init();
    rc_meta m = {
        .timestamp = 1465581029, .server_id = 223344, .file = "mysql-bin.000003", .offset = 484};
    rc_value before[4] = {vi(1004), vs(RC_V_TEXT, "Anne", UTF8MB4),
                          vs(RC_V_TEXT, "Kretchmar", UTF8MB4),
                          vs(RC_V_TEXT, "annek@noanswer.org", UTF8MB4)};
    rc_value after[4] = {vi(1004), vs(RC_V_TEXT, "Anne Marie", UTF8MB4),
                         vs(RC_V_TEXT, "Kretchmar", UTF8MB4),
                         vs(RC_V_TEXT, "annek@noanswer.org", UTF8MB4)};
    rc_buf out;
    rc_buf_init(&out);
    rc_enc_opts o = {.format = RC_FMT_DEBEZIUM};
    rc_enc *e = rc_enc_new(&o, &out);
    rc_err err;
    memset(&err, 0, sizeof err);
    rc_change u = {
        .op = RC_OP_UPDATE, .meta = &m, .table = &customers, .before = before, .after = after};
    rc_change d = {.op = RC_OP_DELETE, .meta = &m, .table = &customers, .before = after};
    rc_change q = {.op = RC_OP_QUERY,
                   .meta = &m,
                   .schema = "inventory",
                   .schema_len = 9,
                   .query = "ALTER TABLE customers ADD x INT",
                   .query_len = 31};
    int r = rc_enc_change(e, &u, &err); /* row 0 of the event at 484 */
    r |= rc_enc_change(e, &u, &err);    /* row 1 of the same event */
    r |= rc_enc_change(e, &q, &err);    /* left out */
    rc_meta m2 = m;
    m2.offset = 805;
    m2.timestamp = 1465581902;
    d.meta = &m2;
    r |= rc_enc_change(e, &d, &err); /* a new event: row 0 */
    unsigned long long n = rc_enc_count(e);
    rc_enc_free(e);
    rc_buf_putc(&out, 0);
    const char *row = "\"id\":1004,\"first_name\":\"Anne Marie\",\"last_name\":\"Kretchmar\","
                      "\"email\":\"annek@noanswer.org\"}";
    char want[4096];
    snprintf(
        want, sizeof want,
        "{\"before\":{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
        "\"email\":\"annek@noanswer.org\"},\"after\":{%s" SRC(
            "1465581029000", "484",
            "0") ",\"op\":\"u\",\"ts_ms\":1465581029000,"
                 "\"transaction\":null}\n"
                 "{\"before\":{\"id\":1004,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
                 "\"email\":\"annek@noanswer.org\"},\"after\":{%s" SRC(
                     "1465581029000", "484", "1") ",\"op\":\"u\",\"ts_ms\":1465581029000,"
                                                  "\"transaction\":null}\n"
                                                  "{\"before\":{%s,\"after\":null" SRC(
                                                      "1465581902000", "805",
                                                      "0") ",\"op\":\"d\",\"ts_ms\":1465581902000,"
                                                           "\"transaction\":null}\n",
        row, row, row);
    int ok = !strcmp(out.data, want);
    if (!ok) printf("  got  %s  want %s", out.data, want);
    rc_buf_free(&out);
    rc_table_drop_enc_caches(&customers);
    CHECK_INT(r, 0);
    /* rc_enc counts every change whose ops->change returned 0, the left-out
     * statement too (rc_enc.c, not this format's to decide). */
    CHECK_INT(n, 3); /* the statement is left out and not counted */
    CHECK(ok);
}

/* One column, one value: the JSON of that value in "after". */
static int one(const rc_column *cin, rc_value v, const char *want)
{
    rc_column c = *cin;
    rc_table t;
    memset(&t, 0, sizeof t);
    t.schema = "s";
    t.name = "t";
    t.ncols = 1;
    t.cols = &c;
    rc_meta m = {.timestamp = 1, .server_id = 1, .file = "f", .offset = 4};
    rc_change ch = {.op = RC_OP_INSERT, .meta = &m, .table = &t, .after = &v};
    rc_buf out;
    rc_buf_init(&out);
    const char *got = encode(&out, &ch);
    const char *p = strstr(got, "\"after\":{\"v\":");
    const char *q = p ? strstr(p, "},\"source\"") : NULL;
    int ok =
        p && q && (size_t)(q - (p + 13)) == strlen(want) && !memcmp(p + 13, want, q - (p + 13));
    if (!ok) printf("  type %u meta %u: got %s  want %s\n", c.type, c.meta, got, want);
    rc_buf_free(&out);
    rc_table_drop_enc_caches(&t);
    return ok;
}

#define ONE(type, meta, nullable, val, want)                                                       \
    do {                                                                                           \
        rc_column _c = col("v", (type), (meta), UTF8MB4, (nullable));                              \
        if (!one(&_c, (val), (want))) failed++;                                                    \
    } while (0)

RC_TEST(value_integers_and_floats)
{
    int failed = 0;
    ONE(RC_T_TINY, 0, 1, vi(-5), "-5");
    ONE(RC_T_LONG, 0, 1, vu(4294967295u), "4294967295");
    ONE(RC_T_LONGLONG, 0, 1, vi(INT64_MIN), "-9223372036854775808");
    /* bigint.unsigned.handling.mode=long: 2^64-1 is Java's long -1 */
    ONE(RC_T_LONGLONG, 0, 1, vu(UINT64_MAX), "-1");
    ONE(RC_T_LONGLONG, 0, 1, vu(9223372036854775808u), "-9223372036854775808");
    ONE(RC_T_LONGLONG, 0, 1, vu(42), "42");
    ONE(RC_T_YEAR, 0, 1, vi(2024), "2024");
    rc_value f = {.kind = RC_V_FLOAT};
    f.v.f = 1.5f;
    ONE(RC_T_FLOAT, 4, 1, f, "1.5");
    rc_value d = {.kind = RC_V_DOUBLE};
    d.v.d = 0.1;
    ONE(RC_T_DOUBLE, 8, 1, d, "0.1");
    ONE(RC_T_LONG, 0, 1, vnull(), "null");
    rc_value miss = {.kind = RC_V_MISSING};
    ONE(RC_T_LONG, 0, 1, miss, "null");
    CHECK_INT(failed, 0);
}

RC_TEST(value_decimal)
{
    int failed = 0;
    /* unscaled big-endian two's complement, minimal (BigInteger.toByteArray) */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 2, 1, vs(RC_V_NUMBER, "1.50", 0), "\"AJY=\"");   /* 00 96 */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 2, 1, vs(RC_V_NUMBER, "-12.50", 0), "\"+x4=\""); /* fb 1e */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 2, 1, vs(RC_V_NUMBER, "0.00", 0), "\"AA==\"");   /* 00 */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 2, 1, vs(RC_V_NUMBER, "-0.01", 0), "\"/w==\"");  /* ff */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 0, 1, vs(RC_V_NUMBER, "-128", 0), "\"gA==\"");   /* 80 */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 0, 1, vs(RC_V_NUMBER, "-129", 0), "\"/38=\"");   /* ff 7f */
    ONE(RC_T_NEWDECIMAL, 5 << 8 | 0, 1, vs(RC_V_NUMBER, "127", 0), "\"fw==\"");    /* 7f */
    /* 10^64 - 1 (DECIMAL(65,1) max is 9...9.9): 27 bytes, first byte 0x18 */
    ONE(RC_T_NEWDECIMAL, 65 << 8 | 1, 1,
        vs(RC_V_NUMBER, "999999999999999999999999999999999999999999999999999999999999999.9", 0),
        "\"GE8D6T/59Nqnl+1uOO1kv2ofAP//////////\"");
    CHECK_INT(failed, 0);
}

RC_TEST(value_bits_bytes_strings)
{
    int failed = 0;
    ONE(RC_T_BIT, 1, 1, vu(1), "true");
    ONE(RC_T_BIT, 1, 1, vu(0), "false");
    ONE(RC_T_BIT, 10, 1, vu(0x201), "\"AQI=\""); /* little-endian: 01 02 */
    ONE(RC_T_BIT, 64, 1, vu(1), "\"AQAAAAAAAAA=\"");
    rc_value blob = {.kind = RC_V_BYTES, .len = 3};
    blob.v.s = "\x00\x01\x02";
    ONE(RC_T_BLOB, 2, 1, blob, "\"AAEC\"");
    ONE(RC_T_VARCHAR, 100, 1, vs(RC_V_TEXT, "h\xc3\xa9\"", UTF8MB4), "\"h\xc3\xa9\\\"\"");
    rc_column e = col("v", RC_T_STRING, 1, UTF8MB4, 1);
    e.real_type = RC_T_ENUM;
    if (!one(&e, vs(RC_V_TEXT, "red", UTF8MB4), "\"red\"")) failed++;
    e.real_type = RC_T_SET;
    if (!one(&e, vs(RC_V_TEXT, "a,b", UTF8MB4), "\"a,b\"")) failed++;
    /* JSON: io.debezium.data.Json, a string holding the document's text */
    ONE(RC_T_JSON, 4, 1, vs(RC_V_JSON, "{\"a\": [1, \"x\"]}", 0),
        "\"{\\\"a\\\": [1, \\\"x\\\"]}\"");
    rc_column mj = col("v", RC_T_BLOB, 4, UTF8MB4, 1);
    mj.is_json_text = 1;
    if (!one(&mj, vs(RC_V_JSON, "[1]", 0), "\"[1]\"")) failed++;
    CHECK_INT(failed, 0);
}

RC_TEST(value_temporal)
{
    int failed = 0;
    ONE(RC_T_DATE, 0, 1, vs(RC_V_TEXT, "2018-06-20", RC_CS_ASCII), "17702");
    ONE(RC_T_DATE, 0, 1, vs(RC_V_TEXT, "1970-01-01", RC_CS_ASCII), "0");
    ONE(RC_T_DATE, 0, 1, vs(RC_V_TEXT, "0001-01-01", RC_CS_ASCII), "-719162");
    ONE(RC_T_DATE, 0, 1, vs(RC_V_TEXT, "0000-00-00", RC_CS_ASCII), "null");
    ONE(RC_T_DATE, 0, 0, vs(RC_V_TEXT, "0000-00-00", RC_CS_ASCII), "0");
    /* the docs' example: DATETIME 2018-06-20 06:37:03 becomes 1529476623000 */
    ONE(RC_T_DATETIME2, 0, 1, vs(RC_V_TEXT, "2018-06-20 06:37:03", RC_CS_ASCII), "1529476623000");
    ONE(RC_T_DATETIME, 0, 1, vs(RC_V_TEXT, "2018-06-20 06:37:03", RC_CS_ASCII), "1529476623000");
    ONE(RC_T_DATETIME2, 3, 1, vs(RC_V_TEXT, "2018-06-20 06:37:03.120", RC_CS_ASCII),
        "1529476623120");
    ONE(RC_T_DATETIME2, 1, 1, vs(RC_V_TEXT, "2018-06-20 06:37:03.5", RC_CS_ASCII), "1529476623500");
    ONE(RC_T_DATETIME2, 4, 1, vs(RC_V_TEXT, "2018-06-20 06:37:03.1234", RC_CS_ASCII),
        "1529476623123400");
    ONE(RC_T_DATETIME2, 6, 1, vs(RC_V_TEXT, "2018-06-20 06:37:03.123456", RC_CS_ASCII),
        "1529476623123456");
    ONE(RC_T_DATETIME2, 0, 1, vs(RC_V_TEXT, "1969-12-31 23:59:59", RC_CS_ASCII), "-1000");
    ONE(RC_T_DATETIME2, 0, 1, vs(RC_V_TEXT, "0000-00-00 00:00:00", RC_CS_ASCII), "null");
    ONE(RC_T_DATETIME2, 0, 0, vs(RC_V_TEXT, "0000-00-00 00:00:00", RC_CS_ASCII), "0");
    /* the docs' example: TIMESTAMP shown in UTC as 2018-06-20T13:37:03Z */
    ONE(RC_T_TIMESTAMP2, 0, 1, vs(RC_V_TEXT, "2018-06-20 13:37:03", RC_CS_ASCII),
        "\"2018-06-20T13:37:03Z\"");
    ONE(RC_T_TIMESTAMP, 0, 1, vs(RC_V_TEXT, "2018-06-20 13:37:03", RC_CS_ASCII),
        "\"2018-06-20T13:37:03Z\"");
    ONE(RC_T_TIMESTAMP2, 6, 1, vs(RC_V_TEXT, "2023-01-11 12:30:00.000000", RC_CS_ASCII),
        "\"2023-01-11T12:30:00.000000Z\"");
    ONE(RC_T_TIMESTAMP2, 3, 1, vs(RC_V_TEXT, "0000-00-00 00:00:00.000", RC_CS_ASCII), "null");
    ONE(RC_T_TIMESTAMP2, 3, 0, vs(RC_V_TEXT, "0000-00-00 00:00:00.000", RC_CS_ASCII),
        "\"1970-01-01T00:00:00.000Z\"");
    ONE(RC_T_TIME2, 0, 1, vs(RC_V_TEXT, "01:02:03", RC_CS_ASCII), "3723000000");
    ONE(RC_T_TIME2, 1, 1, vs(RC_V_TEXT, "01:02:03.5", RC_CS_ASCII), "3723500000");
    ONE(RC_T_TIME2, 6, 1, vs(RC_V_TEXT, "-838:59:59.000000", RC_CS_ASCII), "-3020399000000");
    ONE(RC_T_TIME, 0, 1, vs(RC_V_TEXT, "-00:00:01", RC_CS_ASCII), "-1000000");
    CHECK_INT(failed, 0);
}

RC_TEST_MAIN(RC_T(docs_create_event), RC_T(update_delete_and_row_index),
             RC_T(value_integers_and_floats), RC_T(value_decimal), RC_T(value_bits_bytes_strings),
             RC_T(value_temporal))
