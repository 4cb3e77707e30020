/* Unit tests of src/triggers/rc_trigddl.c: quoting of names as identifiers
 * and as string literals, trigger names within MySQL's 64-character limit,
 * the value expression per column type, and the shape of the generated
 * triggers for composite keys and tables without a key. (The SQL is run
 * against a real MariaDB by tests/integration/test_triggers.py.) */
#include "rc_test.h"

#include "triggers/rc_trigddl.h"

/* The buffer as a C string (the generator does not terminate it). */
static const char *str(rc_buf *b)
{
    rc_buf_putc(b, 0);
    b->len--;
    return b->data;
}

RC_TEST(ident_doubles_backquotes)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_trigddl_ident(&b, "a`b``c");
    CHECK_STR(str(&b), "`a``b````c`");
    b.len = 0;
    rc_trigddl_ident(&b, "select; -- x");
    CHECK_STR(str(&b), "`select; -- x`");
    rc_buf_free(&b);
}

RC_TEST(string_plain_or_hex)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_trigddl_string(&b, "test_id ü;");
    CHECK_STR(str(&b), "'test_id ü;'");
    b.len = 0;
    rc_trigddl_string(&b, "x'y");
    CHECK_STR(str(&b), "_utf8mb4 X'782779'");
    b.len = 0;
    rc_trigddl_string(&b, "a\\b");
    CHECK_STR(str(&b), "_utf8mb4 X'615C62'");
    b.len = 0;
    rc_trigddl_string(&b, "l\n");
    CHECK_STR(str(&b), "_utf8mb4 X'6C0A'");
    rc_buf_free(&b);
}

RC_TEST(trigger_names)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_trigddl_trigger_name(&b, "test", "insert");
    CHECK_STR(str(&b), "test_trigger_insert"); /* the seed's name */
    /* 49 characters + "_trigger_insert" = 64: still the plain name */
    const char *t49 = "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeee";
    b.len = 0;
    rc_trigddl_trigger_name(&b, t49, "insert");
    CHECK_INT(b.len, 64);
    CHECK(!strncmp(str(&b), t49, 49));
    /* one more: shortened with a hash, 64 characters */
    char t50[64];
    snprintf(t50, sizeof t50, "%sX", t49);
    b.len = 0;
    rc_trigddl_trigger_name(&b, t50, "insert");
    CHECK_INT(b.len, 64);
    rc_buf c;
    rc_buf_init(&c);
    snprintf(t50, sizeof t50, "%sY", t49);
    rc_trigddl_trigger_name(&c, t50, "insert");
    CHECK_INT(c.len, 64);
    CHECK(strcmp(str(&b), str(&c))); /* two long names stay apart */
    /* characters, not bytes, count; a cut never splits a character */
    const char *wide = "ééééééééééééééééééééééééééééééééééééééééééééééééééé"; /* 51 */
    b.len = 0;
    rc_trigddl_trigger_name(&b, wide, "delete");
    size_t chars = 0;
    for (size_t i = 0; i < b.len; i++)
        if (((unsigned char)b.data[i] & 0xc0) != 0x80) chars++;
    CHECK_INT(chars, 64);
    CHECK(!strncmp(str(&b), wide, 80)); /* 40 whole characters kept */
    CHECK(((unsigned char)b.data[80]) == '_');
    rc_buf_free(&b);
    rc_buf_free(&c);
}

static rc_schema_col col(const char *name, const char *type, const char *column_type)
{
    rc_schema_col c = {0};
    c.name = (char *)name;
    c.data_type = (char *)type;
    c.column_type = (char *)column_type;
    return c;
}

RC_TEST(values_by_type)
{
    rc_buf b;
    rc_buf_init(&b);
    rc_schema_col c = col("n`m", "int", "int(11)");
    rc_trigddl_value(&b, "NEW", &c);
    CHECK_STR(str(&b), "NEW.`n``m`");
    b.len = 0;
    c = col("b", "bit", "bit(12)");
    rc_trigddl_value(&b, "OLD", &c);
    CHECK_STR(str(&b), "CAST(OLD.`b` AS UNSIGNED)");
    b.len = 0;
    c = col("ts", "timestamp", "timestamp(3)");
    rc_trigddl_value(&b, "NEW", &c);
    CHECK_STR(str(&b), "IF(COALESCE(UNIX_TIMESTAMP(NEW.`ts`), 0) = 0, CAST(NEW.`ts` AS CHAR), "
                       "CAST(CAST(TIMESTAMP'1970-01-01 00:00:00' + INTERVAL "
                       "UNIX_TIMESTAMP(NEW.`ts`) SECOND AS DATETIME(3)) AS CHAR))");
    b.len = 0;
    c = col("bl", "mediumblob", "mediumblob");
    rc_trigddl_value(&b, "NEW", &c);
    CHECK_STR(str(&b), "REPLACE(TO_BASE64(NEW.`bl`), CHAR(10 USING ascii), '')");
    b.len = 0;
    c = col("g", "multipolygon", "multipolygon");
    rc_trigddl_value(&b, "NEW", &c);
    CHECK_STR(str(&b), "ST_AsText(NEW.`g`)");
    b.len = 0;
    c = col("j", "longtext", "longtext");
    rc_trigddl_value(&b, "NEW", &c);
    CHECK_STR(str(&b), "CAST(NEW.`j` AS CHAR)");
    b.len = 0;
    c = col("d", "decimal", "decimal(5,2)");
    rc_trigddl_value(&b, "NEW", &c);
    CHECK_STR(str(&b), "NEW.`d`");
    rc_buf_free(&b);
}

RC_TEST(create_composite_and_keyless)
{
    rc_schema_col cols[3] = {col("a", "int", "int(11)"), col("b'", "varchar", "varchar(3)"),
                             col("c", "int", "int(11)")};
    cols[0].in_key = cols[1].in_key = 1;
    uint32_t pk[2] = {1, 0}; /* key order differs from table order */
    rc_schema_table t = {.ncols = 3, .cols = cols, .npk = 2, .pk = pk};
    rc_trigddl_opts o = {.schema = "s`1", .group = "g", .outbox = "ob"};
    rc_buf b;
    rc_buf_init(&b);
    rc_trigddl_create(&b, &o, "t", &t);
    const char *s = str(&b);
    CHECK(strstr(s, "CREATE TRIGGER `s``1`.`t_trigger_insert`\nAFTER INSERT ON `s``1`.`t`"));
    CHECK(strstr(s, "CREATE TRIGGER `s``1`.`t_trigger_update`\nAFTER UPDATE ON `s``1`.`t`"));
    CHECK(strstr(s, "CREATE TRIGGER `s``1`.`t_trigger_delete`\nAFTER DELETE ON `s``1`.`t`"));
    CHECK(strstr(s, "'primary', JSON_ARRAY(_utf8mb4 X'6227', 'a')"));
    CHECK(strstr(s, "'keys', JSON_ARRAY('a', _utf8mb4 X'6227')"));
    CHECK(strstr(s, "'columns', JSON_ARRAY('a', _utf8mb4 X'6227', 'c')"));
    CHECK(strstr(s, "INSERT INTO `s``1`.`ob` (`grp`, `db`, `tbl`, `op`, `event`)"));
    CHECK(strstr(s, "VALUES ('g', 's`1', 't', 'insert',"));
    /* no DELIMITER: each trigger is one statement */
    CHECK(!strstr(s, "DELIMITER") && !strstr(s, "BEGIN"));
    /* the insert has only new, the delete only old */
    const char *upd = strstr(s, "-- update"), *del = strstr(s, "-- delete");
    CHECK(upd && del);
    CHECK(!memmem(s, (size_t)(upd - s), "'old'", 5));
    CHECK(!strstr(del, "'new'"));
    b.len = 0;
    t.npk = 0;
    cols[0].in_key = cols[1].in_key = 0;
    rc_trigddl_create(&b, &o, "t", &t);
    s = str(&b);
    CHECK(strstr(s, "'primary', NULL,\n  'keys', JSON_ARRAY()"));
    b.len = 0;
    rc_trigddl_drop(&b, &o, "t");
    CHECK_STR(str(&b), "DROP TRIGGER IF EXISTS `s``1`.`t_trigger_insert`;\n"
                       "DROP TRIGGER IF EXISTS `s``1`.`t_trigger_update`;\n"
                       "DROP TRIGGER IF EXISTS `s``1`.`t_trigger_delete`;\n");
    rc_buf_free(&b);
}

RC_TEST_MAIN(RC_T(ident_doubles_backquotes), RC_T(string_plain_or_hex), RC_T(trigger_names),
             RC_T(values_by_type), RC_T(create_composite_and_keyless))
