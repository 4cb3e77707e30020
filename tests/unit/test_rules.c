/* Unit tests of src/filter/rc_rules: the script-free filter rules the CLI
 * builds from --include/--exclude/--exclude-column/--operations and the
 * capture stage asks per table map and per change. */
#include "rc_test.h"

#include "filter/rc_rules.h"

/* A table as the decoder would hand it over: only what the rules read. */
typedef struct tbl {
    rc_table t;
    rc_column cols[8];
} tbl;

static void tbl_init(tbl *x, const char *schema, const char *name, const char *const *cols,
                     uint32_t ncols)
{
    memset(x, 0, sizeof *x);
    x->t.schema = schema;
    x->t.name = name;
    x->t.ncols = ncols;
    x->t.cols = x->cols;
    for (uint32_t i = 0; i < ncols; i++)
        x->cols[i].name = cols[i];
}

static int want(rc_rules *r, const char *schema, const char *table)
{
    return rc_rules_table_wanted(r, schema, table);
}

/* ---- tables ---- */

RC_TEST(test_no_rules_keeps_everything)
{
    rc_rules *r = rc_rules_new();
    CHECK_INT(want(r, "shop", "orders"), 1);
    CHECK_INT(want(r, "", ""), 1);
    CHECK_INT(rc_rules_query_wanted(r, "shop", 4), 1);
    CHECK_INT(rc_rules_query_wanted(r, "", 0), 1);
    for (int op = RC_OP_INSERT; op <= RC_OP_QUERY; op++)
        CHECK_INT(rc_rules_op_wanted(r, op), 1);
    CHECK_INT(rc_rules_op_wanted(r, 4), 0);
    CHECK_INT(rc_rules_op_wanted(r, -1), 0);
    static const char *const cols[] = {"id", "password"};
    tbl x;
    tbl_init(&x, "shop", "users", cols, 2);
    CHECK_INT(rc_rules_table_wanted_t(r, &x.t), 1);
    CHECK(rc_rules_column_mask(r, &x.t) == NULL);
    rc_rules_free(r);
    rc_rules_free(NULL);
}

RC_TEST(test_wildcards)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "shop.ord*", &err), 0);
    CHECK_INT(rc_rules_include(r, "crm_?.acc?unt_*s", &err), 0);
    CHECK_INT(rc_rules_include(r, "*.audit", &err), 0);
    CHECK_INT(want(r, "shop", "orders"), 1);
    CHECK_INT(want(r, "shop", "ord"), 1); /* * matches none */
    CHECK_INT(want(r, "shop", "items"), 0);
    CHECK_INT(want(r, "shopx", "orders"), 0);
    CHECK_INT(want(r, "Shop", "orders"), 0); /* case-sensitive */
    CHECK_INT(want(r, "crm_1", "account_lines"), 1);
    CHECK_INT(want(r, "crm_12", "account_lines"), 0); /* ? is one character */
    CHECK_INT(want(r, "crm_1", "acct_lines"), 0);
    CHECK_INT(want(r, "crm_1", "account_s"), 1);
    CHECK_INT(want(r, "crm_1", "account_"), 0);
    CHECK_INT(want(r, "anything", "audit"), 1);
    CHECK_INT(want(r, "anything", "audits"), 0);
    CHECK_INT(want(r, "", "audit"), 1);
    rc_rules_free(r);

    /* Backtracking: several stars and repeated prefixes. */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "*.*a*ab*b", &err), 0);
    CHECK_INT(want(r, "s", "aaabab"), 1);
    CHECK_INT(want(r, "s", "ab"), 0);
    CHECK_INT(want(r, "s", "aabxb"), 1);
    CHECK_INT(want(r, "s", "aabba"), 0);
    rc_rules_free(r);

    /* A part never spans the pattern's dot: `a*` is the schema part only. */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "a*.t", &err), 0);
    CHECK_INT(want(r, "abc", "t"), 1);
    CHECK_INT(want(r, "abc", "xt"), 0);
    rc_rules_free(r);
}

RC_TEST(test_schema_only_pattern)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "shop", &err), 0);
    CHECK_INT(want(r, "shop", "orders"), 1);
    CHECK_INT(want(r, "shop", "x"), 1);
    CHECK_INT(want(r, "shop2", "x"), 0);
    rc_rules_free(r);
}

RC_TEST(test_regex)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "/shop\\.(orders|items)/", &err), 0);
    CHECK_INT(rc_rules_include(r, "/crm[0-9]+\\.[a-z_]+/", &err), 0);
    CHECK_INT(want(r, "shop", "orders"), 1);
    CHECK_INT(want(r, "shop", "items"), 1);
    CHECK_INT(want(r, "shop", "orders2"), 0); /* anchored at the end */
    CHECK_INT(want(r, "xshop", "orders"), 0); /* and at the start */
    CHECK_INT(want(r, "crm42", "deals"), 1);
    CHECK_INT(want(r, "crm", "deals"), 0);
    CHECK_INT(want(r, "crm42", "Deals"), 0);
    rc_rules_free(r);

    /* Leftmost-longest: a|ab must still cover "ab". */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "/s\\.(a|ab)/", &err), 0);
    CHECK_INT(want(r, "s", "ab"), 1);
    CHECK_INT(want(r, "s", "a"), 1);
    CHECK_INT(want(r, "s", "abc"), 0);
    rc_rules_free(r);

    /* User anchors and the /i flag. */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "/^shop\\..*$/i", &err), 0);
    CHECK_INT(want(r, "SHOP", "Orders"), 1);
    CHECK_INT(want(r, "shops", "x"), 0);
    rc_rules_free(r);
}

RC_TEST(test_include_exclude)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    /* Exclude wins whatever the order. */
    CHECK_INT(rc_rules_exclude(r, "shop.tmp_*", &err), 0);
    CHECK_INT(rc_rules_include(r, "shop.*", &err), 0);
    CHECK_INT(rc_rules_include(r, "shop.tmp_keep", &err), 0);
    CHECK_INT(want(r, "shop", "orders"), 1);
    CHECK_INT(want(r, "shop", "tmp_x"), 0);
    CHECK_INT(want(r, "shop", "tmp_keep"), 0);
    CHECK_INT(want(r, "crm", "deals"), 0);
    rc_rules_free(r);

    /* Exclude alone: everything but what it names. */
    r = rc_rules_new();
    CHECK_INT(rc_rules_exclude(r, "mysql", &err), 0);
    CHECK_INT(rc_rules_exclude(r, "/.*\\._.*/", &err), 0);
    CHECK_INT(want(r, "mysql", "user"), 0);
    CHECK_INT(want(r, "shop", "orders"), 1);
    CHECK_INT(want(r, "shop", "_orders_gho"), 0);
    rc_rules_free(r);
}

RC_TEST(test_query_events)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "shop.orders", &err), 0);
    CHECK_INT(rc_rules_include(r, "crm*.*", &err), 0);
    CHECK_INT(rc_rules_exclude(r, "crm_old", &err), 0);
    CHECK_INT(rc_rules_exclude(r, "crm1.secret", &err), 0);
    CHECK_INT(rc_rules_query_wanted(r, "shop", 4), 1);     /* schema part matches */
    CHECK_INT(rc_rules_query_wanted(r, "shopping", 4), 1); /* length is honoured */
    CHECK_INT(rc_rules_query_wanted(r, "shopping", 8), 0);
    CHECK_INT(rc_rules_query_wanted(r, "crm1", 4), 1);    /* one excluded table: kept */
    CHECK_INT(rc_rules_query_wanted(r, "crm_old", 7), 0); /* whole schema excluded */
    CHECK_INT(rc_rules_query_wanted(r, "other", 5), 0);
    CHECK_INT(rc_rules_query_wanted(r, "", 0), 0);
    CHECK_INT(rc_rules_query_wanted(r, NULL, 0), 0);
    rc_rules_free(r);

    /* A regex include could match any schema's table: queries are kept. */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "/shop\\.orders/", &err), 0);
    CHECK_INT(rc_rules_query_wanted(r, "other", 5), 1);
    CHECK_INT(rc_rules_exclude(r, "oth*.*", &err), 0);
    CHECK_INT(rc_rules_query_wanted(r, "other", 5), 0);
    rc_rules_free(r);

    /* No default database: only a `*` schema part matches "". */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "*.orders", &err), 0);
    CHECK_INT(rc_rules_query_wanted(r, "", 0), 1);
    rc_rules_free(r);
}

RC_TEST(test_backquotes_and_odd_names)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "`my.db`.`t.1`", &err), 0);
    CHECK_INT(rc_rules_include(r, "`we*rd`.x", &err), 0);    /* quoted * is literal */
    CHECK_INT(rc_rules_include(r, "`a``b`.c", &err), 0);     /* `` is one backquote */
    CHECK_INT(rc_rules_include(r, "`pre.`_*.t", &err), 0);   /* quoted and bare mixed */
    CHECK_INT(rc_rules_include(r, "db_2024.t_01", &err), 0); /* underscores, digits */
    CHECK_INT(rc_rules_include(r, "магазин.заказ?", &err), 0);
    CHECK_INT(rc_rules_include(r, "b\\s.t", &err), 0); /* a backslash is literal */
    CHECK_INT(want(r, "my.db", "t.1"), 1);
    CHECK_INT(want(r, "my", "db"), 0);
    CHECK_INT(want(r, "we*rd", "x"), 1);
    CHECK_INT(want(r, "weird", "x"), 0);
    CHECK_INT(want(r, "a`b", "c"), 1);
    CHECK_INT(want(r, "pre._x", "t"), 1);
    CHECK_INT(want(r, "pre._", "t"), 1);
    CHECK_INT(want(r, "prex_x", "t"), 0);
    CHECK_INT(want(r, "db_2024", "t_01"), 1);
    CHECK_INT(want(r, "db_2024", "t_011"), 0);
    CHECK_INT(want(r, "магазин", "заказы"), 1); /* ? is one UTF-8 character */
    CHECK_INT(want(r, "магазин", "заказ"), 0);
    CHECK_INT(want(r, "магазин", "заказыы"), 0);
    CHECK_INT(want(r, "b\\s", "t"), 1);
    CHECK_INT(want(r, "bs", "t"), 0);
    rc_rules_free(r);

    /* `*` backtracks over whole characters and a name's own dot. */
    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "*é*.*", &err), 0);
    CHECK_INT(want(r, "caféé", "t"), 1);
    CHECK_INT(want(r, "cafe", "t"), 0);
    CHECK_INT(rc_rules_exclude(r, "*.*", &err), 0);
    CHECK_INT(want(r, "café", "t"), 0);
    rc_rules_free(r);

    r = rc_rules_new();
    CHECK_INT(rc_rules_include(r, "s.*", &err), 0);
    CHECK_INT(want(r, "s", "a.b"), 1);
    rc_rules_free(r);
}

RC_TEST(test_bad_patterns)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "/x(/", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK(!strncmp(err.msg, "bad --include pattern '/x(/': ", 30));
    CHECK(strlen(err.msg) > 31);
    CHECK_INT(rc_rules_exclude(r, "/x[/", &err), -1);
    CHECK(!strncmp(err.msg, "bad --exclude pattern '/x[/': ", 30));
    CHECK_INT(rc_rules_include(r, "/abc", &err), -1);
    CHECK_STR(err.msg, "bad --include pattern '/abc': /regex/ is not closed");
    CHECK_INT(rc_rules_include(r, "/", &err), -1);
    CHECK_INT(rc_rules_include(r, "//", &err), -1);
    CHECK_STR(err.msg, "bad --include pattern '//': empty regex");
    CHECK_INT(rc_rules_include(r, "", &err), -1);
    CHECK_INT(rc_rules_include(r, NULL, &err), -1);
    CHECK_INT(rc_rules_include(r, "a..b", &err), -1);
    CHECK_STR(err.msg, "bad --include pattern 'a..b': empty name");
    CHECK_INT(rc_rules_include(r, "shop.", &err), -1);
    CHECK_INT(rc_rules_include(r, ".t", &err), -1);
    CHECK_INT(rc_rules_include(r, "``.t", &err), -1);
    CHECK_INT(rc_rules_include(r, "`a.t", &err), -1);
    CHECK_STR(err.msg, "bad --include pattern '`a.t': unclosed backquote");
    CHECK_INT(rc_rules_include(r, "a.b.c", &err), -1);
    CHECK_STR(err.msg, "bad --include pattern 'a.b.c': expected schema.table or schema "
                       "(columns go to --exclude-column)");
    CHECK_INT(rc_rules_include(r, "a.b.c.d", &err), -1);
    CHECK_INT(rc_rules_exclude_column(r, "a.b", &err), -1);
    CHECK_STR(err.msg, "bad --exclude-column pattern 'a.b': expected schema.table.column");
    CHECK_INT(rc_rules_exclude_column(r, "a.b.c.d", &err), -1);
    CHECK_INT(rc_rules_exclude_column(r, "/(/", &err), -1);
    CHECK(!strncmp(err.msg, "bad --exclude-column pattern '/(/': ", 35));
    /* Nothing was added: everything is still wanted. */
    CHECK_INT(want(r, "any", "thing"), 1);
    rc_rules_free(r);
}

/* ---- operations ---- */

RC_TEST(test_operations)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_operations(r, "insert, UPDATE", &err), 0);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_INSERT), 1);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_UPDATE), 1);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_DELETE), 0);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_QUERY), 0);
    /* A later flag adds. */
    CHECK_INT(rc_rules_operations(r, "query", &err), 0);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_QUERY), 1);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_DELETE), 0);
    /* Errors name the valid words and change nothing. */
    CHECK_INT(rc_rules_operations(r, "delete,upsert", &err), -1);
    CHECK_INT(err.code, RC_E_USAGE);
    CHECK_STR(err.msg, "unknown operation 'upsert' in --operations (valid: insert, update, "
                       "delete, query)");
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_DELETE), 0);
    CHECK_INT(rc_rules_operations(r, "insert,,delete", &err), -1);
    CHECK_STR(err.msg, "empty operation in --operations 'insert,,delete' (valid: insert, "
                       "update, delete, query)");
    CHECK_INT(rc_rules_operations(r, "", &err), -1);
    CHECK_INT(rc_rules_operations(r, "insert,", &err), -1);
    CHECK_INT(rc_rules_operations(r, "inserts", &err), -1);
    CHECK_INT(rc_rules_operations(r, "ins", &err), -1);
    rc_rules_free(r);

    r = rc_rules_new();
    CHECK_INT(rc_rules_operations(r, " delete\t", &err), 0);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_DELETE), 1);
    CHECK_INT(rc_rules_op_wanted(r, RC_OP_INSERT), 0);
    rc_rules_free(r);
}

/* ---- columns and the per-table cache ---- */

RC_TEST(test_column_masks)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_exclude_column(r, "*.*.password", &err), 0);
    CHECK_INT(rc_rules_exclude_column(r, "shop.users.ssn_*", &err), 0);
    CHECK_INT(rc_rules_exclude_column(r, "/crm\\.[a-z]+\\.(note|memo)/", &err), 0);
    CHECK_INT(rc_rules_exclude_column(r, "`odd.db`.t.`c.1`", &err), 0);

    static const char *const ucols[] = {"id", "password", "ssn_last4", "name"};
    tbl users;
    tbl_init(&users, "shop", "users", ucols, 4);
    const uint8_t *m = rc_rules_column_mask(r, &users.t);
    CHECK(m != NULL);
    CHECK_INT(m[0], 0);
    CHECK_INT(m[1], 1);
    CHECK_INT(m[2], 1);
    CHECK_INT(m[3], 0);

    static const char *const ocols[] = {"id", "total"};
    tbl orders;
    tbl_init(&orders, "shop", "orders", ocols, 2);
    CHECK(rc_rules_column_mask(r, &orders.t) == NULL);

    static const char *const ccols[] = {"note", "memo", "notes", "password"};
    tbl deals;
    tbl_init(&deals, "crm", "deals", ccols, 4);
    m = rc_rules_column_mask(r, &deals.t);
    CHECK(m != NULL);
    CHECK_INT(m[0], 1);
    CHECK_INT(m[1], 1);
    CHECK_INT(m[2], 0);
    CHECK_INT(m[3], 1);

    static const char *const dcols[] = {"c.1", "c", "@3"};
    tbl odd;
    tbl_init(&odd, "odd.db", "t", dcols, 3);
    m = rc_rules_column_mask(r, &odd.t);
    CHECK(m != NULL);
    CHECK_INT(m[0], 1);
    CHECK_INT(m[1], 0);
    CHECK_INT(m[2], 0);

    /* Column rules do not touch table selection. */
    CHECK_INT(rc_rules_table_wanted_t(r, &users.t), 1);
    rc_rules_free(r);
}

RC_TEST(test_cache_reuse)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_exclude_column(r, "shop.*.secret", &err), 0);
    CHECK_INT(rc_rules_exclude(r, "shop.hidden", &err), 0);

    static const char *const cols[] = {"id", "secret"};
    tbl x;
    tbl_init(&x, "shop", "users", cols, 2);
    const uint8_t *m1 = rc_rules_column_mask(r, &x.t);
    CHECK(m1 && m1[1] == 1 && m1[0] == 0);
    CHECK_INT(rc_rules_table_wanted_t(r, &x.t), 1);

    /* Same definition: the very same array, even if the column names (which
     * the rules only read on a new definition) change under it. */
    x.cols[1].name = "other";
    CHECK(rc_rules_column_mask(r, &x.t) == m1);

    /* A new generation at the same address is recomputed. */
    x.t.generation++;
    CHECK(rc_rules_column_mask(r, &x.t) == NULL);
    x.cols[1].name = "secret";
    x.t.generation++;
    const uint8_t *m2 = rc_rules_column_mask(r, &x.t);
    CHECK(m2 && m2[1] == 1);

    /* Another table reusing the address with the same generation (a new
     * decoder): caught by the name check. */
    x.t.name = "hidden";
    CHECK_INT(rc_rules_table_wanted_t(r, &x.t), 0);
    x.t.name = "users";
    CHECK_INT(rc_rules_table_wanted_t(r, &x.t), 1);

    /* Many tables: the cache grows and answers stay right. */
    enum { N = 300 };
    tbl *many = calloc(N, sizeof *many);
    static const char *const mcols[] = {"secret", "id"};
    char names[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "t%d", i);
        tbl_init(&many[i], i % 2 ? "shop" : "crm", i == 7 ? "hidden" : names[i], mcols, 2);
    }
    const uint8_t *first[N];
    for (int i = 0; i < N; i++) {
        first[i] = rc_rules_column_mask(r, &many[i].t);
        if (i % 2) {
            if (!first[i] || first[i][0] != 1 || first[i][1] != 0) {
                free(many);
                RC_FAIL("table %d: wrong mask", i);
            }
        } else if (first[i]) {
            free(many);
            RC_FAIL("table %d: unexpected mask", i);
        }
    }
    int bad = 0;
    for (int i = 0; i < N; i++) {
        if (rc_rules_column_mask(r, &many[i].t) != first[i]) bad++;
        if (rc_rules_table_wanted_t(r, &many[i].t) != (i != 7)) bad++;
    }
    free(many);
    CHECK_INT(bad, 0);

    rc_rules_cache_clear(r);
    CHECK_INT(rc_rules_table_wanted_t(r, &x.t), 1);
    rc_rules_free(r);
}

RC_TEST(test_table_wanted_t_matches_uncached)
{
    rc_rules *r = rc_rules_new();
    rc_err err = {0};
    CHECK_INT(rc_rules_include(r, "shop", &err), 0);
    CHECK_INT(rc_rules_exclude(r, "/shop\\.tmp.*/", &err), 0);
    static const char *const cols[] = {"id"};
    tbl a, b, c;
    tbl_init(&a, "shop", "orders", cols, 1);
    tbl_init(&b, "shop", "tmp1", cols, 1);
    tbl_init(&c, "crm", "orders", cols, 1);
    for (int round = 0; round < 2; round++) {
        CHECK_INT(rc_rules_table_wanted_t(r, &a.t), 1);
        CHECK_INT(rc_rules_table_wanted_t(r, &b.t), 0);
        CHECK_INT(rc_rules_table_wanted_t(r, &c.t), 0);
    }
    /* Adding a rule drops cached answers. */
    CHECK_INT(rc_rules_exclude(r, "shop.orders", &err), 0);
    CHECK_INT(rc_rules_table_wanted_t(r, &a.t), 0);
    rc_rules_free(r);
}

RC_TEST_MAIN(RC_T(test_no_rules_keeps_everything), RC_T(test_wildcards),
             RC_T(test_schema_only_pattern), RC_T(test_regex), RC_T(test_include_exclude),
             RC_T(test_query_events), RC_T(test_backquotes_and_odd_names), RC_T(test_bad_patterns),
             RC_T(test_operations), RC_T(test_column_masks), RC_T(test_cache_reuse),
             RC_T(test_table_wanted_t_matches_uncached))
