/* rc_rules: the plain filter rules that need no script (--include,
 * --exclude, --exclude-column, --operations).
 *
 * Place in the pipeline: the CLI builds one rc_rules from its flags at
 * start-up; the capture stage asks it, once per TABLE_MAP (not per row),
 * whether a table is wanted and which of its columns to drop, and per change
 * whether the operation is wanted. The module is pure: no I/O, no globals.
 *
 * Patterns (--include, --exclude):
 *   schema.table   each part is a glob: `*` any run of characters (also
 *                  none), `?` one character (one UTF-8 character), anything
 *                  else literal. Parts are split at dots and a wildcard never
 *                  crosses the dot of the pattern (a name that itself holds a
 *                  dot is still matched by `*`).
 *   schema         a pattern without a dot names a whole schema: `shop` is
 *                  `shop.*`.
 *   `a.b`.t        backquotes quote a name as in SQL: inside them a dot, `*`
 *                  and `?` are literal, and a doubled backquote is one
 *                  backquote. Quoted and bare text may be mixed in one part
 *                  (`my.db`_* is "my.db_" followed by anything).
 *   /regex/        a POSIX extended regular expression (glibc regcomp) that
 *                  must match the whole string "schema.table"; /regex/i
 *                  ignores case. A schema or table whose name holds a dot
 *                  makes that string ambiguous; use backquoted globs for such
 *                  names.
 * Matching is byte-exact (case-sensitive), as MySQL names are on Linux with
 * lower_case_table_names=0; servers with lower_case_table_names=1 report
 * lowercase names, so write lowercase patterns (or /regex/i).
 *
 * Column patterns (--exclude-column) are schema.table.column with the same
 * glob parts and quoting (all three parts are required: `*.*.password`), or
 * a /regex/ matched against the whole "schema.table.column".
 *
 * Which tables are wanted (Debezium's rule): with no include rule every
 * table is included; include rules restrict to the tables that match at
 * least one of them; a table that matches any exclude rule is dropped, so
 * exclude always wins, whatever the order of the flags.
 *
 * Statement (query) events have a schema (the default database, "" if none)
 * but no table. Such an event is kept unless the rules prove that no table
 * of that schema is wanted:
 *   - it is dropped if an exclude rule covers the whole schema (a glob whose
 *     table part is only `*`, e.g. `shop` or `sh*.*`, and whose schema part
 *     matches);
 *   - with include rules, it is kept only if some include rule could match a
 *     table of the schema: a glob whose schema part matches, or any regex
 *     (a regex cannot be split into schema and table, so it is assumed it
 *     could).
 * A statement with no default database has schema "", which only a schema
 * part of `*` matches.
 *
 * Threads: an rc_rules caches per table and is not thread-safe; give each
 * thread its own or lock around it. */
#ifndef RC_RULES_H
#define RC_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc_err.h"
#include "event/rc_event.h"

typedef struct rc_rules rc_rules;

/* A rule set that keeps everything. Never NULL (aborts on out of memory).
 * Free with rc_rules_free (NULL is accepted). */
rc_rules *rc_rules_new(void);
void rc_rules_free(rc_rules *r);

/* Add a table pattern (see above). The pattern is copied. Returns 0, or -1
 * with RC_E_USAGE ("bad --include pattern 'PAT': why"). Adding rules drops
 * every cached answer. */
int rc_rules_include(rc_rules *r, const char *pattern, rc_err *err);
int rc_rules_exclude(rc_rules *r, const char *pattern, rc_err *err);
int rc_rules_exclude_column(rc_rules *r, const char *pattern, rc_err *err);

/* Restrict the operations to a comma-separated list of insert, update,
 * delete, query (case-insensitive, blanks around words ignored). Without a
 * call every operation is wanted; the first call replaces that default and
 * later calls add to the list (so repeated --operations flags accumulate).
 * An unknown or empty word is RC_E_USAGE naming the valid words. */
int rc_rules_operations(rc_rules *r, const char *csv, rc_err *err);

/* 1 if op (an rc_op) is wanted, else 0 (also for values outside rc_op). */
int rc_rules_op_wanted(const rc_rules *r, int op);

/* 1 if the table is wanted, else 0. Not cached: for the hot path use
 * rc_rules_table_wanted_t. */
int rc_rules_table_wanted(const rc_rules *r, const char *schema, const char *table);

/* The same for a decoded table, cached by the rc_table pointer and its
 * generation (checked against schema, name and column count, since a freed
 * table's address can be reused). */
int rc_rules_table_wanted_t(rc_rules *r, const rc_table *t);

/* 1 if a statement event run with this default database is wanted (see
 * above); schema need not be NUL-terminated. */
int rc_rules_query_wanted(const rc_rules *r, const char *schema, size_t schema_len);

/* NULL when no column of t is excluded, else t->ncols bytes, 1 = drop the
 * column. Computed once per table definition and cached like
 * rc_rules_table_wanted_t. The array belongs to r: it stays valid until r
 * sees the same rc_table pointer with another definition, until
 * rc_rules_cache_clear, a rule is added, or rc_rules_free, and for at least
 * the next 65536 distinct table definitions looked up. */
const uint8_t *rc_rules_column_mask(rc_rules *r, const rc_table *t);

/* Forget every cached answer (call it when the decoder that owns the
 * rc_table values is discarded, since a new one restarts generations). */
void rc_rules_cache_clear(rc_rules *r);

#endif
