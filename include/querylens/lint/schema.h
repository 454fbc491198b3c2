// What lint --db learns about tables beyond their size: their columns (to resolve an
// unqualified column to the one table of the statement that has it), which columns lead an
// index (a predicate that wraps such a column defeats an index that exists: higher severity)
// and which expressions lead one (a predicate on that very expression is served by it).
// Catalog reads only. Partial indexes serve only their WHERE and are left out.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace querylens::db {
class Connection;
}

namespace querylens::lint {

struct TableSchema {
  std::set<std::string> columns;          // lower-case
  std::set<std::string> indexed_columns;  // lower-case; the first key column of some index
  // The first key of some b-tree index when it is an expression, in canonical form
  // (sql::index_leading_expression) → that index's name.
  std::map<std::string, std::string> indexed_expressions;
};

// Keyed like LintOptions::table_rows: lower-case "table" (PostgreSQL: visible on the
// search_path; "schema.table" too). Throws Error(kDatabase) when the catalog cannot be read.
std::map<std::string, TableSchema> read_table_schema(db::Connection& connection);

}  // namespace querylens::lint
