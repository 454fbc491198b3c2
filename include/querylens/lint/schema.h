// What lint --db learns about tables beyond their size: their columns (to resolve an
// unqualified column to the one table of the statement that has it) and which columns lead an
// index (a predicate that wraps such a column defeats an index that exists: higher severity).
// Catalog reads only.
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
};

// Keyed like LintOptions::table_rows: lower-case "table" (PostgreSQL: visible on the
// search_path; "schema.table" too). Throws Error(kDatabase) when the catalog cannot be read.
std::map<std::string, TableSchema> read_table_schema(db::Connection& connection);

}  // namespace querylens::lint
