/* test_enc_maxwell: `--format maxwell` against Maxwell's documented output.
 *
 * Tables and rows are built by hand (no binlog), so each test states the
 * exact line a consumer of Maxwell would receive. The shapes follow
 * Maxwell's README and docs/dataformat.md; values follow its column types
 * where they differ from SPEC.md §2 (see the table in rc_enc_maxwell.c). */
#include "rc_test.h"

#include "encode/rc_enc.h"
#include "event/rc_event.h"

#define UTF8MB4 255 /* utf8mb4_0900_ai_ci */

static rc_column cols[16];
static rc_table T;
static uint32_t pk0 = 0;

static void table(const char *schema, const char *name, uint32_t ncols)
{
    memset(&T, 0, sizeof T);
    memset(cols, 0, sizeof cols);
    T.schema = schema;
    T.name = name;
    T.ncols = ncols;
    T.cols = cols;
    T.npk = 1;
    T.pk = &pk0;
    T.has_names = 1;
}

static void col(uint32_t i, const char *name, uint8_t type)
{
    cols[i].name = name;
    cols[i].type = type;
    cols[i].real_type = type;
    cols[i].collation = UTF8MB4;
    cols[i].nullable = 1;
    if (i == 0) cols[i].in_primary = cols[i].in_key = 1;
}

static rc_value I(int64_t i)
{
    rc_value v = {.kind = RC_V_INT};
    v.v.i = i;
    return v;
}
static rc_value U(uint64_t u)
{
    rc_value v = {.kind = RC_V_UINT};
    v.v.u = u;
    return v;
}
static rc_value D(double d)
{
    rc_value v = {.kind = RC_V_DOUBLE};
    v.v.d = d;
    return v;
}
static rc_value F(float f)
{
    rc_value v = {.kind = RC_V_FLOAT};
    v.v.f = f;
    return v;
}
static rc_value S_(uint8_t kind, uint16_t cs, const char *s, size_t n)
{
    rc_value v = {.kind = kind, .cs = cs, .len = (uint32_t)n};
    v.v.s = s;
    return v;
}
#define TXT(lit)   S_(RC_V_TEXT, UTF8MB4, lit, sizeof(lit) - 1)
#define ASC(lit)   S_(RC_V_TEXT, RC_CS_ASCII, lit, sizeof(lit) - 1)
#define NUM(lit)   S_(RC_V_NUMBER, 0, lit, sizeof(lit) - 1)
#define BYTES(lit) S_(RC_V_BYTES, 63, lit, sizeof(lit) - 1)
#define JSONV(lit) S_(RC_V_JSON, 0, lit, sizeof(lit) - 1)
static const rc_value NUL = {.kind = RC_V_NULL};
static const rc_value MISS = {.kind = RC_V_MISSING};

static rc_meta M = {
    .timestamp = 1449786310, .server_id = 1, .file = "mysql-bin.000001", .offset = 4711};

static rc_buf out;
static rc_enc *enc;

static void start(void)
{
    rc_enc_opts o = {.format = RC_FMT_MAXWELL};
    out.len = 0;
    enc = rc_enc_new(&o, &out);
}

static int emit(rc_op op, const rc_value *before, const rc_value *after)
{
    rc_change c = {.op = op, .meta = &M, .table = &T, .before = before, .after = after};
    rc_err err;
    return rc_enc_change(enc, &c, &err);
}

static void commit_xid(uint64_t xid)
{
    rc_txn_end t = {.meta = &M, .has_xid = 1, .xid = xid};
    rc_enc_txn_end(enc, &t);
}

/* The output so far as a C string; frees the encoder and the table's cache. */
static const char *done(void)
{
    rc_enc_free(enc);
    rc_table_drop_enc_caches(&T);
    rc_buf_putc(&out, 0);
    out.len--;
    return out.data;
}

/* README: insert into `test`.`maxwell` set id = 1, daemon = 'Stanislaw Lem';
 *   {"database":"test","table":"maxwell","type":"insert","ts":1449786310,
 *    "xid":940752,"commit":true,"data":{"id":1,"daemon":"Stanislaw Lem"}}
 * plus "position" and "server_id", which rowcast always writes (Maxwell's
 * output_binlog_position and output_server_id). */
RC_TEST(insert_readme_example)
{
    table("test", "maxwell", 2);
    col(0, "id", RC_T_LONG);
    col(1, "daemon", RC_T_VARCHAR);
    rc_value row[] = {I(1), TXT("Stanislaw Lem")};
    start();
    CHECK_INT(emit(RC_OP_INSERT, NULL, row), 0);
    CHECK(rc_enc_has_open(enc));
    commit_xid(940752);
    CHECK_STR(done(), "{\"database\":\"test\",\"table\":\"maxwell\",\"type\":\"insert\","
                      "\"ts\":1449786310,\"xid\":940752,\"commit\":true,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"id\":1,\"daemon\":\"Stanislaw Lem\"}}\n");
}

/* README: update test.maxwell set daemon = 'firebus!  firebus!' where id = 1;
 *   ..."type":"update",...,"data":{"id":1,"daemon":"Firebus!  Firebus!"},
 *   "old":{"daemon":"Stanislaw Lem"}  -- only the changed column in "old". */
RC_TEST(update_readme_example)
{
    table("test", "maxwell", 2);
    col(0, "id", RC_T_LONG);
    col(1, "daemon", RC_T_VARCHAR);
    rc_value before[] = {I(1), TXT("Stanislaw Lem")};
    rc_value after[] = {I(1), TXT("Firebus!  Firebus!")};
    M.timestamp = 1449786341;
    start();
    CHECK_INT(emit(RC_OP_UPDATE, before, after), 0);
    commit_xid(940786);
    M.timestamp = 1449786310;
    CHECK_STR(done(), "{\"database\":\"test\",\"table\":\"maxwell\",\"type\":\"update\","
                      "\"ts\":1449786341,\"xid\":940786,\"commit\":true,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"id\":1,\"daemon\":\"Firebus!  Firebus!\"},"
                      "\"old\":{\"daemon\":\"Stanislaw Lem\"}}\n");
}

/* docs/dataformat.md: test.e (id int, m double, c timestamp(6), comment
 * varchar latin1); update m and c: "data" the whole new row, "old" m and c:
 *   "data":{"id":1,"m":5.444,"c":"2016-10-21 05:33:54.631000",
 *           "comment":"I am a creature of light."},
 *   "old":{"m":4.2341,"c":"2016-10-21 05:33:37.523000"} */
RC_TEST(update_dataformat_example)
{
    table("test", "e", 4);
    col(0, "id", RC_T_LONG);
    col(1, "m", RC_T_DOUBLE);
    col(2, "c", RC_T_TIMESTAMP2);
    col(3, "comment", RC_T_VARCHAR);
    cols[3].collation = 8; /* latin1_swedish_ci */
    rc_value before[] = {I(1), D(4.2341), ASC("2016-10-21 05:33:37.523000"),
                         S_(RC_V_TEXT, 8, "I am a creature of light.", 25)};
    rc_value after[] = {I(1), D(5.444), ASC("2016-10-21 05:33:54.631000"),
                        S_(RC_V_TEXT, 8, "I am a creature of light.", 25)};
    M.server_id = 23042;
    M.file = "master.000006";
    M.offset = 800911;
    start();
    emit(RC_OP_UPDATE, before, after);
    commit_xid(23396);
    M.server_id = 1;
    M.file = "mysql-bin.000001";
    M.offset = 4711;
    CHECK_STR(done(), "{\"database\":\"test\",\"table\":\"e\",\"type\":\"update\","
                      "\"ts\":1449786310,\"xid\":23396,\"commit\":true,"
                      "\"position\":\"master.000006:800911\",\"server_id\":23042,"
                      "\"data\":{\"id\":1,\"m\":5.444,\"c\":\"2016-10-21 05:33:54.631000\","
                      "\"comment\":\"I am a creature of light.\"},"
                      "\"old\":{\"m\":4.2341,\"c\":\"2016-10-21 05:33:37.523000\"}}\n");
}

/* docs/dataformat.md: after a DELETE, "data" holds the row as it was. */
RC_TEST(delete_puts_row_in_data)
{
    table("test", "e", 2);
    col(0, "id", RC_T_LONG);
    col(1, "m", RC_T_DOUBLE);
    rc_value before[] = {I(1), D(5.444)};
    start();
    emit(RC_OP_DELETE, before, NULL);
    commit_xid(7);
    CHECK_STR(done(), "{\"database\":\"test\",\"table\":\"e\",\"type\":\"delete\","
                      "\"ts\":1449786310,\"xid\":7,\"commit\":true,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"id\":1,\"m\":5.444}}\n");
}

/* docs/dataformat.md: "row with no commit, xid=142 ... row with commit=true".
 * Rows before the last have no "commit" key; rowcast knows the xid only at
 * the end, so it is on the last row only. */
RC_TEST(transaction_commit_only_on_last)
{
    table("d", "t", 1);
    col(0, "id", RC_T_LONG);
    rc_value r1[] = {I(1)}, r2[] = {I(2)}, r3[] = {I(3)};
    start();
    emit(RC_OP_INSERT, NULL, r1);
    emit(RC_OP_INSERT, NULL, r2);
    emit(RC_OP_DELETE, r3, NULL);
    commit_xid(142);
    CHECK_INT(rc_enc_count(enc), 3);
    CHECK_STR(done(),
              "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
              "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,\"data\":{\"id\":1}}\n"
              "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
              "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,\"data\":{\"id\":2}}\n"
              "{\"database\":\"d\",\"table\":\"t\",\"type\":\"delete\",\"ts\":1449786310,"
              "\"xid\":142,\"commit\":true,"
              "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,\"data\":{\"id\":3}}\n");
}

/* A MyISAM transaction ends with a COMMIT statement, no xid: Maxwell writes
 * "commit":true and no "xid". Input ending mid-transaction: neither. */
RC_TEST(commit_without_xid_and_unfinished)
{
    table("d", "t", 1);
    col(0, "id", RC_T_LONG);
    rc_value r1[] = {I(1)};
    start();
    emit(RC_OP_INSERT, NULL, r1);
    rc_txn_end t = {.meta = &M, .has_xid = 0};
    rc_enc_txn_end(enc, &t);
    emit(RC_OP_INSERT, NULL, r1);
    rc_enc_finish(enc);
    CHECK_STR(done(),
              "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
              "\"commit\":true,"
              "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,\"data\":{\"id\":1}}\n"
              "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
              "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,\"data\":{\"id\":1}}\n");
}

/* The xid slot is found from the event's end, so a sink taking the complete
 * bytes off the front between change and commit does not move it. */
RC_TEST(xid_slot_survives_consumed)
{
    table("d", "t", 1);
    col(0, "id", RC_T_LONG);
    rc_value r1[] = {I(1)}, r2[] = {I(2)};
    start();
    emit(RC_OP_INSERT, NULL, r1);
    emit(RC_OP_INSERT, NULL, r2);
    size_t n = rc_enc_complete(enc);
    memmove(out.data, out.data + n, out.len - n);
    out.len -= n;
    rc_enc_consumed(enc, n);
    commit_xid(9);
    CHECK_STR(done(),
              "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
              "\"xid\":9,\"commit\":true,"
              "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,\"data\":{\"id\":2}}\n");
}

/* GTID known: "gtid" as output_gtid_position writes it, after "position". */
RC_TEST(gtid_when_known)
{
    table("d", "t", 1);
    col(0, "id", RC_T_LONG);
    rc_value r1[] = {I(1)};
    M.gtid = "3E11FA47-71CA-11E1-9E33-C80AA9429562:23";
    start();
    emit(RC_OP_INSERT, NULL, r1);
    commit_xid(1);
    M.gtid = NULL;
    CHECK_STR(done(), "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
                      "\"xid\":1,\"commit\":true,\"position\":\"mysql-bin.000001:4711\","
                      "\"gtid\":\"3E11FA47-71CA-11E1-9E33-C80AA9429562:23\",\"server_id\":1,"
                      "\"data\":{\"id\":1}}\n");
}

/* Statements (DDL) are Maxwell's output_ddl, off by default: no output. */
RC_TEST(query_writes_nothing)
{
    table("d", "t", 1);
    start();
    rc_change c = {.op = RC_OP_QUERY,
                   .meta = &M,
                   .schema = "d",
                   .schema_len = 1,
                   .query = "create table t (id int)",
                   .query_len = 23};
    rc_err err;
    CHECK_INT(rc_enc_change(enc, &c, &err), 0);
    CHECK(!rc_enc_has_open(enc));
    CHECK_STR(done(), "");
}

/* NULLs are written in "data" (output_nulls=true) and in "old" when a value
 * changed from NULL; an update that changed nothing has no "old". */
RC_TEST(nulls_and_unchanged_update)
{
    table("d", "t", 3);
    col(0, "id", RC_T_LONG);
    col(1, "a", RC_T_VARCHAR);
    col(2, "b", RC_T_LONG);
    rc_value before[] = {I(1), NUL, I(5)};
    rc_value after[] = {I(1), TXT("x"), NUL};
    start();
    emit(RC_OP_UPDATE, before, after);
    emit(RC_OP_UPDATE, after, after);
    commit_xid(2);
    CHECK_STR(done(), "{\"database\":\"d\",\"table\":\"t\",\"type\":\"update\",\"ts\":1449786310,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"id\":1,\"a\":\"x\",\"b\":null},\"old\":{\"a\":null,\"b\":5}}\n"
                      "{\"database\":\"d\",\"table\":\"t\",\"type\":\"update\",\"ts\":1449786310,"
                      "\"xid\":2,\"commit\":true,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"id\":1,\"a\":\"x\",\"b\":null}}\n");
}

/* binlog_row_image=MINIMAL: absent columns are left out; a column only in
 * the before image (the key) joins "data" after the after-image columns,
 * as Maxwell does. */
RC_TEST(minimal_image)
{
    table("d", "t", 3);
    col(0, "id", RC_T_LONG);
    col(1, "a", RC_T_LONG);
    col(2, "b", RC_T_LONG);
    rc_value before[] = {I(1), MISS, MISS};
    rc_value after[] = {MISS, I(7), MISS};
    rc_value ins[] = {I(2), MISS, I(3)};
    start();
    emit(RC_OP_UPDATE, before, after);
    emit(RC_OP_INSERT, NULL, ins);
    emit(RC_OP_DELETE, before, NULL);
    commit_xid(3);
    CHECK_STR(done(), "{\"database\":\"d\",\"table\":\"t\",\"type\":\"update\",\"ts\":1449786310,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"a\":7,\"id\":1}}\n"
                      "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"id\":2,\"b\":3}}\n"
                      "{\"database\":\"d\",\"table\":\"t\",\"type\":\"delete\",\"ts\":1449786310,"
                      "\"xid\":3,\"commit\":true,\"position\":\"mysql-bin.000001:4711\","
                      "\"server_id\":1,\"data\":{\"id\":1}}\n");
}

/* One column of each type, as Maxwell writes it. docs/dataformat.md "sets":
 *   setcol set('a_val','b_val','c_val') = 'b_val,c_val'
 *   <maxwell { "table":"test_sets", "type":"insert", "data": { "setcol": ["b_val", "c_val"] } }
 * and "blob": BLOB, BINARY and VARBINARY as base64. */
RC_TEST(value_types)
{
    static const char *set_labels[] = {"a_val", "b_val", "c_val"};
    static const uint32_t set_lens[] = {5, 5, 5};
    static const char *enum_labels[] = {"", "on"};
    static const uint32_t enum_lens[] = {0, 2};
    table("d", "types", 16);
    col(0, "i", RC_T_LONGLONG);
    col(1, "u", RC_T_LONGLONG);
    cols[1].is_unsigned = 1;
    col(2, "dec", RC_T_NEWDECIMAL);
    col(3, "f", RC_T_FLOAT);
    col(4, "dt", RC_T_DATETIME2);
    col(5, "d", RC_T_DATE);
    col(6, "t", RC_T_TIME2);
    col(7, "y", RC_T_YEAR);
    col(8, "bit1", RC_T_BIT);
    col(9, "bit64", RC_T_BIT);
    col(10, "bin", RC_T_STRING);
    cols[10].collation = 63;
    col(11, "blob", RC_T_BLOB);
    cols[11].collation = 63;
    col(12, "js", RC_T_JSON);
    col(13, "e", RC_T_ENUM);
    cols[13].labels = enum_labels;
    cols[13].label_lens = enum_lens;
    cols[13].nlabels = 2;
    col(14, "s", RC_T_SET);
    cols[14].labels = set_labels;
    cols[14].label_lens = set_lens;
    cols[14].nlabels = 3;
    col(15, "g", RC_T_GEOMETRY);
    rc_value row[] = {
        I(-9223372036854775807LL - 1),
        U(18446744073709551615ULL),
        NUM("1.50"),
        F(1.1f),
        ASC("0000-00-00 00:00:00"),
        ASC("2024-02-29"),
        ASC("-838:59:59.000000"),
        I(2024),
        U(1),
        U(18446744073709551615ULL),
        BYTES("a\0\0\0"),
        BYTES("\x01\x02"),
        JSONV("{\"k\":[1,2]}"),
        TXT("on"),
        TXT("b_val,c_val"),
        ASC("POLYGON((0 0,1 0,1 1,0 0))"),
    };
    start();
    emit(RC_OP_INSERT, NULL, row);
    commit_xid(4);
    CHECK_STR(done(),
              "{\"database\":\"d\",\"table\":\"types\",\"type\":\"insert\",\"ts\":1449786310,"
              "\"xid\":4,\"commit\":true,\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
              "\"data\":{\"i\":-9223372036854775808,\"u\":18446744073709551615,\"dec\":1.50,"
              "\"f\":1.1,\"dt\":\"0000-00-00 00:00:00\",\"d\":\"2024-02-29\","
              "\"t\":\"-838:59:59.000000\",\"y\":2024,\"bit1\":1,\"bit64\":18446744073709551615,"
              "\"bin\":\"YQ==\",\"blob\":\"AQI=\",\"js\":{\"k\":[1,2]},\"e\":\"on\","
              "\"s\":[\"b_val\",\"c_val\"],\"g\":\"POLYGON ((0 0, 1 0, 1 1, 0 0))\"}}\n");
}

/* Maxwell edge values: an empty SET is [], the server's invalid ENUM member
 * (index 0) is null while a real '' label stays "", NULL SET is null. */
RC_TEST(set_enum_edges)
{
    static const char *enum_labels[] = {"", "on"};
    static const uint32_t enum_lens[] = {0, 2};
    static const char *set_labels[] = {"a", "ab", "b"};
    static const uint32_t set_lens[] = {1, 2, 1};
    table("d", "t", 5);
    col(0, "e0", RC_T_ENUM);
    col(1, "e1", RC_T_ENUM);
    for (int i = 0; i < 2; i++) {
        cols[i].labels = enum_labels;
        cols[i].label_lens = enum_lens;
        cols[i].nlabels = 2;
    }
    for (int i = 2; i < 5; i++) {
        col((uint32_t)i, i == 2 ? "s0" : i == 3 ? "s1" : "s2", RC_T_SET);
        cols[i].labels = set_labels;
        cols[i].label_lens = set_lens;
        cols[i].nlabels = 3;
    }
    rc_value row[] = {ASC(""), TXT(""), TXT(""), TXT("ab,b"), NUL};
    start();
    emit(RC_OP_INSERT, NULL, row);
    rc_enc_finish(enc);
    CHECK_STR(done(), "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1449786310,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"e0\":null,\"e1\":\"\",\"s0\":[],\"s1\":[\"ab\",\"b\"],"
                      "\"s2\":null}}\n");
}

/* GEOMETRY: Maxwell writes JTS's WKT (a space before "(", ", " between
 * members) where ST_AsText has none. */
RC_TEST(geometry_jts_spelling)
{
    table("d", "g", 1);
    col(0, "g", RC_T_GEOMETRY);
    rc_value row[] = {ASC("GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1.5 -1))")};
    start();
    emit(RC_OP_INSERT, NULL, row);
    rc_enc_finish(enc);
    CHECK_STR(done(), "{\"database\":\"d\",\"table\":\"g\",\"type\":\"insert\",\"ts\":1449786310,"
                      "\"position\":\"mysql-bin.000001:4711\",\"server_id\":1,"
                      "\"data\":{\"g\":\"GEOMETRYCOLLECTION (POINT (1 2), "
                      "LINESTRING (0 0, 1.5 -1))\"}}\n");
}

/* A text value in a charset rowcast does not support fails the change and
 * leaves no partial event behind. */
RC_TEST(error_leaves_nothing)
{
    table("d", "t", 2);
    col(0, "id", RC_T_LONG);
    col(1, "s", RC_T_VARCHAR);
    cols[1].collation = 1000; /* no such collation */
    rc_value row[] = {I(1), S_(RC_V_TEXT, 1000, "x", 1)};
    start();
    CHECK_INT(emit(RC_OP_INSERT, NULL, row), -1);
    CHECK(!rc_enc_has_open(enc));
    CHECK_STR(done(), "");
}

RC_TEST_MAIN(RC_T(insert_readme_example), RC_T(update_readme_example),
             RC_T(update_dataformat_example), RC_T(delete_puts_row_in_data),
             RC_T(transaction_commit_only_on_last), RC_T(commit_without_xid_and_unfinished),
             RC_T(xid_slot_survives_consumed), RC_T(gtid_when_known), RC_T(query_writes_nothing),
             RC_T(nulls_and_unchanged_update), RC_T(minimal_image), RC_T(value_types),
             RC_T(set_enum_edges), RC_T(geometry_jts_spelling), RC_T(error_leaves_nothing))
