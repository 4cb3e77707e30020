/* rc_coltype: which binlog type each SQL type is written as. Used only when
 * the binlog lacks column names (binlog_row_metadata not FULL), to refuse a
 * definition that cannot be the one the row was written with. */
#include "decode/rc_coltype.h"

#include <string.h>

typedef struct map {
    const char *sql;
    uint8_t a, b; /* the binlog types it may be written as (real types) */
} map;

static const map maps[] = {
    {"tinyint", RC_T_TINY, RC_T_TINY},
    {"bool", RC_T_TINY, RC_T_TINY},
    {"boolean", RC_T_TINY, RC_T_TINY},
    {"smallint", RC_T_SHORT, RC_T_SHORT},
    {"mediumint", RC_T_INT24, RC_T_INT24},
    {"int", RC_T_LONG, RC_T_LONG},
    {"integer", RC_T_LONG, RC_T_LONG},
    {"bigint", RC_T_LONGLONG, RC_T_LONGLONG},
    {"decimal", RC_T_NEWDECIMAL, RC_T_DECIMAL},
    {"numeric", RC_T_NEWDECIMAL, RC_T_DECIMAL},
    {"float", RC_T_FLOAT, RC_T_FLOAT},
    {"double", RC_T_DOUBLE, RC_T_DOUBLE},
    {"real", RC_T_DOUBLE, RC_T_DOUBLE},
    {"bit", RC_T_BIT, RC_T_BIT},
    {"date", RC_T_DATE, RC_T_NEWDATE},
    {"datetime", RC_T_DATETIME2, RC_T_DATETIME},
    {"timestamp", RC_T_TIMESTAMP2, RC_T_TIMESTAMP},
    {"time", RC_T_TIME2, RC_T_TIME},
    {"year", RC_T_YEAR, RC_T_YEAR},
    {"char", RC_T_STRING, RC_T_STRING},
    {"binary", RC_T_STRING, RC_T_STRING},
    {"varchar", RC_T_VARCHAR, RC_T_VAR_STRING},
    {"varbinary", RC_T_VARCHAR, RC_T_VAR_STRING},
    {"enum", RC_T_ENUM, RC_T_ENUM},
    {"set", RC_T_SET, RC_T_SET},
    {"tinytext", RC_T_BLOB, RC_T_BLOB},
    {"text", RC_T_BLOB, RC_T_BLOB},
    {"mediumtext", RC_T_BLOB, RC_T_BLOB},
    {"longtext", RC_T_BLOB, RC_T_BLOB}, /* also MariaDB's JSON */
    {"tinyblob", RC_T_BLOB, RC_T_BLOB},
    {"blob", RC_T_BLOB, RC_T_BLOB},
    {"mediumblob", RC_T_BLOB, RC_T_BLOB},
    {"longblob", RC_T_BLOB, RC_T_BLOB},
    {"json", RC_T_JSON, RC_T_BLOB},
    {"geometry", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"point", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"linestring", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"polygon", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"multipoint", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"multilinestring", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"multipolygon", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"geometrycollection", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"geomcollection", RC_T_GEOMETRY, RC_T_GEOMETRY},
    {"vector", RC_T_VECTOR, RC_T_VECTOR},
};

int rc_coltype_matches(const char *data_type, const rc_column *c)
{
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (!strcmp(maps[i].sql, data_type))
            return c->real_type == maps[i].a || c->real_type == maps[i].b;
    return -1;
}

const char *rc_coltype_name(const rc_column *c)
{
    switch (c->real_type) {
    case RC_T_DECIMAL: return "DECIMAL";
    case RC_T_TINY: return "TINY";
    case RC_T_SHORT: return "SHORT";
    case RC_T_LONG: return "LONG";
    case RC_T_FLOAT: return "FLOAT";
    case RC_T_DOUBLE: return "DOUBLE";
    case RC_T_TIMESTAMP: return "TIMESTAMP";
    case RC_T_LONGLONG: return "LONGLONG";
    case RC_T_INT24: return "INT24";
    case RC_T_DATE: return "DATE";
    case RC_T_TIME: return "TIME";
    case RC_T_DATETIME: return "DATETIME";
    case RC_T_YEAR: return "YEAR";
    case RC_T_NEWDATE: return "NEWDATE";
    case RC_T_VARCHAR: return "VARCHAR";
    case RC_T_BIT: return "BIT";
    case RC_T_TIMESTAMP2: return "TIMESTAMP2";
    case RC_T_DATETIME2: return "DATETIME2";
    case RC_T_TIME2: return "TIME2";
    case RC_T_VECTOR: return "VECTOR";
    case RC_T_JSON: return "JSON";
    case RC_T_NEWDECIMAL: return "NEWDECIMAL";
    case RC_T_ENUM: return "ENUM";
    case RC_T_SET: return "SET";
    case RC_T_BLOB: return "BLOB";
    case RC_T_VAR_STRING: return "VAR_STRING";
    case RC_T_STRING: return "STRING";
    case RC_T_GEOMETRY: return "GEOMETRY";
    default: return "UNKNOWN";
    }
}
