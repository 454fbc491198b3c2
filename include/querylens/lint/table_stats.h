// Table sizes for `order-without-limit`: estimated rows per table, read from a live database
// (`querylens lint --db URL`). Catalog statistics only, never a scan of a large table where
// the engine keeps an estimate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace querylens::db {
class Connection;
}

namespace querylens::lint {

// Estimated rows per table, keyed the way a statement names the table (LintOptions::table_rows):
//  PostgreSQL: pg_class.reltuples (as of the last ANALYZE, VACUUM or CREATE INDEX) of every
//    ordinary and partitioned table outside pg_* and information_schema, under "schema.table"
//    and, when the table is visible on the search_path, under the plain "table" too. A table
//    never analyzed (reltuples < 0) is left out: its size is unknown, not small.
//  SQLite: the row count sqlite_stat1 records for the table (after ANALYZE), else count(*) of
//    the table; under the name as created and its ASCII lower-case form (SQLite names ignore
//    case, libpg_query lower-cases unquoted ones). A table that cannot be counted (a virtual
//    table whose module is missing) is left out.
// Throws Error(kDatabase) when the catalog cannot be read.
std::map<std::string, int64_t> read_table_rows(db::Connection& connection);

// Opens `url` (db::parse_database_url forms), reads its table sizes and closes it. An SQLite
// file that does not exist is an error here (the db layer would create it). Throws
// Error(kUsage) for an unrecognised URL and Error(kDatabase), naming the redacted URL, when
// the database cannot be opened or read.
std::map<std::string, int64_t> load_table_rows(std::string_view url);

struct LintOptions;
// Opens `url` once and fills what `lint --db` knows: options.table_rows and options.schema
// (lint/schema.h). Same errors as load_table_rows().
void load_database_facts(std::string_view url, LintOptions& options);

}  // namespace querylens::lint
