// SQLite catalog: sqlite_master, the table-valued pragmas, count(*) and dbstat. All reads:
// the caller opened the user's database with PRAGMA query_only, so a write would fail anyway.
#include <fmt/format.h>

#include "advise/catalog_engine.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/sql/quote.h"

namespace querylens::advise::detail {
namespace {

// The pages of one table or index. dbstat is an optional virtual table
// (SQLITE_ENABLE_DBSTAT_VTAB): 0 when it is missing.
int64_t object_size(db::Connection& conn, const std::string& name) {
  try {
    db::ResultSet rs =
        conn.query("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?", {name});
    return rs.rows.empty() ? 0 : as_int(rs.rows[0][0]);
  } catch (const Error&) {
    return 0;
  }
}

void read_indexes(db::Connection& conn, const TableInfo& table, Catalog& catalog) {
  db::ResultSet list =
      conn.query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name",
                 {table.name});
  for (const auto& row : list.rows) {
    ExistingIndex index;
    index.def.table = table.name;
    index.def.name = as_text(row[0]);
    index.unique = as_int(row[1]) != 0;
    const std::string origin = as_text(row[2]);
    index.primary = origin == "pk";
    index.backs_constraint = origin == "pk" || origin == "u";
    // SQLite keeps a partial index's predicate only inside its CREATE text; without parsing
    // that, partial indexes are marked so the duplicate checks leave them alone.
    if (as_int(row[3]) != 0) index.predicate = "(partial)";
    db::ResultSet keys = conn.query(
        "SELECT cid, name, \"desc\" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
        {index.def.name});
    for (const auto& k : keys.rows) {
      IndexKey key;
      key.descending = as_int(k[2]) != 0;
      if (as_int(k[0]) == -2) {  // an expression: pragma_index_xinfo does not print it
        index.expression = true;
        key.function = "expr";
        key.column = fmt::format("expression {}", index.def.keys.size() + 1);
      } else {
        key.column = as_text(k[1]);
      }
      index.def.keys.push_back(std::move(key));
    }
    index.size_bytes = object_size(conn, index.def.name);
    catalog.indexes.push_back(std::move(index));
  }
}

}  // namespace

Catalog read_sqlite_catalog(db::Connection& conn, const std::set<std::string>& wanted) {
  Catalog catalog;
  catalog.engine = Engine::kSqlite;
  db::ResultSet tables = conn.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
      "ESCAPE '\\' ORDER BY name");
  for (const auto& row : tables.rows) {
    TableInfo info;
    info.name = as_text(row[0]);
    const std::string key = lower(info.name);
    if (!wanted.count(key) || catalog.tables.count(key)) continue;
    try {
      info.rows =
          as_int(conn.query("SELECT count(*) FROM " + sql::quote_identifier(info.name)).rows[0][0]);
    } catch (const Error&) {
      continue;  // a virtual table whose module is missing: nothing to index
    }
    int key_columns = 0;
    std::string integer_key;
    for (const auto& c :
         conn.query("SELECT name, pk, upper(type) FROM pragma_table_info(?) ORDER BY cid",
                    {info.name})
             .rows) {
      info.columns.push_back(as_text(c[0]));
      if (as_int(c[1]) > 0) {
        ++key_columns;
        if (as_text(c[2]) == "INTEGER") integer_key = as_text(c[0]);
      }
    }
    // A lone INTEGER PRIMARY KEY is the rowid (in a WITHOUT ROWID table it is the primary
    // key's own index, which serves the same lookups).
    if (key_columns == 1) info.rowid_column = integer_key;
    int64_t current = -1;
    for (const auto& fk : conn.query("SELECT id, \"from\" FROM pragma_foreign_key_list(?) "
                                     "ORDER BY id, seq",
                                     {info.name})
                              .rows) {
      if (as_int(fk[0]) != current) {
        info.foreign_keys.emplace_back();
        current = as_int(fk[0]);
      }
      info.foreign_keys.back().push_back(as_text(fk[1]));
    }
    info.bytes = object_size(conn, info.name);
    read_indexes(conn, info, catalog);
    catalog.tables.emplace(key, std::move(info));
  }
  return catalog;
}

}  // namespace querylens::advise::detail
