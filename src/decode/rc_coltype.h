/* rc_coltype: names and compatibility of column types, for checking a
 * table definition from information_schema against a table map. */
#ifndef RC_COLTYPE_H
#define RC_COLTYPE_H

#include "event/rc_table.h"

/* 1 if a column whose information_schema DATA_TYPE is data_type (lower
 * case) is written to the binlog as c's type; 0 if not; -1 if data_type is
 * one rowcast does not know (no verdict). */
int rc_coltype_matches(const char *data_type, const rc_column *c);

/* The binlog type's name ("LONG", "VARCHAR", "ENUM", ...). */
const char *rc_coltype_name(const rc_column *c);

#endif
