// Canonical forms of SQL expressions: two expressions with the same canonical form compute the
// same value from the same row. Used to tell whether an index whose key is an expression (an
// "expression index", `CREATE INDEX … ((lower(email)))`) serves a predicate written over that
// very expression (lint --db, non-sargable-predicate).
//
// The form is read from libpg_query's parse tree, never from the text: it ignores spacing,
// comments, the case of unquoted names, redundant parentheses, column qualifiers (the caller
// has already matched the table), a `pg_catalog.` schema on functions, and a `::text` /
// `::varchar` cast of a column or string literal (PostgreSQL casts to text implicitly where a
// function wants text, and pg_get_indexdef writes those casts out: `lower((email)::text)` for a
// varchar column). Anything else — another function, argument, cast or constant — makes the
// forms differ. It is a comparison key, not SQL to show anyone.
#pragma once

#include <string>
#include <string_view>

namespace querylens::sql {

// The canonical form of the first key of a `CREATE INDEX` statement (SQLite's sqlite_master.sql,
// PostgreSQL's pg_get_indexdef) when that key is an expression. "" when the first key is a plain
// column, carries its own COLLATE, the index is partial (WHERE) or the statement does not parse.
std::string index_leading_expression(std::string_view create_index_sql);

}  // namespace querylens::sql
