// Catalog — what advise needs to know about the user's database, read once, read-only:
// the tables the workload touches (rows, columns, write rate) and every index on them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "querylens/advise/index_def.h"

namespace querylens::db {
class Connection;
}

namespace querylens::advise {

struct TableInfo {
  std::string schema;  // PostgreSQL only
  std::string name;    // as the catalog spells it
  int64_t rows = 0;    // PostgreSQL: reltuples (0 when never analyzed); SQLite: count(*)
  // The table's own pages, indexes not counted: PostgreSQL pg_table_size (heap and TOAST),
  // SQLite dbstat; 0 when unknown (dbstat missing, a partitioned parent).
  int64_t bytes = 0;
  std::vector<std::string> columns;
  // PostgreSQL pg_stat_user_tables since the last stats reset (both 0 on SQLite): tuples
  // written (n_tup_ins + n_tup_upd + n_tup_del) and scans (seq_scan + idx_scan).
  int64_t tuples_written = 0;
  int64_t scans = 0;
  // SQLite: the INTEGER PRIMARY KEY column (an alias of the rowid, which every index already
  // holds and which is itself the table's b-tree key); empty when there is none.
  std::string rowid_column;
  // Foreign-key column lists declared on this table (each a list of columns, in order).
  std::vector<std::vector<std::string>> foreign_keys;

  // The column as the catalog spells it, matched case-insensitively; nullopt when absent.
  std::optional<std::string> column(const std::string& name) const;
};

struct ExistingIndex {
  IndexDef def;                  // keys; include; name; schema / table
  std::string method = "btree";  // PostgreSQL access method
  std::string predicate;         // partial index: the WHERE clause as the catalog prints it
  bool expression = false;       // some key is an expression the catalog does not map to keys
  bool unique = false;
  bool primary = false;
  bool backs_constraint = false;  // PRIMARY KEY / UNIQUE / EXCLUDE constraint (drop is refused)
  bool valid = true;              // PostgreSQL indisvalid
  std::optional<int64_t> scans;   // PostgreSQL idx_scan; SQLite: unknown
  int64_t size_bytes = 0;
};

struct Catalog {
  Engine engine = Engine::kSqlite;
  std::map<std::string, TableInfo> tables;  // keyed by lower-case table name
  std::vector<ExistingIndex> indexes;       // on those tables
  std::string stats_reset;                  // PostgreSQL: pg_stat_database.stats_reset, if any

  const TableInfo* table(const std::string& name) const;
};

// Reads the tables named in `tables` (lower-case names; "schema.table" or plain, resolved on
// the search_path on PostgreSQL) that exist, and all their indexes. Only SELECTs on catalog
// views (PostgreSQL) or pragmas, sqlite_master, count(*) and dbstat (SQLite): nothing is
// written. Throws Error(kDatabase) when the catalog cannot be read.
Catalog read_catalog(db::Connection& connection, const std::set<std::string>& tables);

}  // namespace querylens::advise
