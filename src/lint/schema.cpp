// Columns and leading index columns, from PostgreSQL's catalog or SQLite's pragmas.
#include "querylens/lint/schema.h"

#include <cctype>
#include <variant>

#include "querylens/db/connection.h"

namespace querylens::lint {
namespace {

std::string text_of(const db::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool truthy(const db::Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i != 0;
  if (const auto* s = std::get_if<std::string>(&v)) return *s == "t" || *s == "true";
  return false;
}

// Rows of (schema, table, column, visible on the search_path).
void add_postgres(const db::ResultSet& rs, bool index, std::map<std::string, TableSchema>& out) {
  for (const auto& row : rs.rows) {
    if (row.size() < 4) continue;
    std::string schema = lower(text_of(row[0])), table = lower(text_of(row[1]));
    std::string column = lower(text_of(row[2]));
    for (const std::string& key : {schema + "." + table, table}) {
      if (key == table && !truthy(row[3])) continue;
      TableSchema& t = out[key];
      (index ? t.indexed_columns : t.columns).insert(column);
    }
  }
}

std::map<std::string, TableSchema> postgres_schema(db::Connection& conn) {
  std::map<std::string, TableSchema> out;
  static constexpr const char* kUserTables =
      "c.relkind IN ('r', 'p', 'm') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";
  add_postgres(
      conn.query(
          std::string(
              "SELECT n.nspname, c.relname, a.attname, pg_catalog.pg_table_is_visible(c.oid) "
              "FROM pg_catalog.pg_attribute a "
              "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
              "WHERE a.attnum > 0 AND NOT a.attisdropped AND ") +
          kUserTables),
      false, out);
  // indkey[0] = 0: the first key is an expression, which names no column.
  add_postgres(
      conn.query(
          std::string(
              "SELECT n.nspname, c.relname, a.attname, pg_catalog.pg_table_is_visible(c.oid) "
              "FROM pg_catalog.pg_index i "
              "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
              "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
              "WHERE i.indisvalid AND i.indpred IS NULL AND ") +
          kUserTables),
      true, out);
  return out;
}

std::map<std::string, TableSchema> sqlite_schema(db::Connection& conn) {
  std::map<std::string, TableSchema> out;
  // The table-valued pragma functions take the name as a bound value: nothing is spliced.
  db::ResultSet columns = conn.query(
      "SELECT m.name, p.name, p.pk FROM sqlite_master m, pragma_table_info(m.name) p "
      "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  for (const auto& row : columns.rows) {
    if (row.size() < 3) continue;
    TableSchema& t = out[lower(text_of(row[0]))];
    std::string column = lower(text_of(row[1]));
    t.columns.insert(column);
    if (const auto* pk = std::get_if<int64_t>(&row[2]); pk && *pk == 1) {
      t.indexed_columns.insert(column);  // the primary key (or rowid alias) is a b-tree key
    }
  }
  // seqno 0 of each index: its leading column (NULL name: an expression). Partial indexes
  // (`partial` = 1) serve only their predicate and are left out.
  db::ResultSet leading = conn.query(
      "SELECT m.name, ii.name FROM sqlite_master m, pragma_index_list(m.name) il, "
      "pragma_index_info(il.name) ii WHERE m.type = 'table' AND il.partial = 0 "
      "AND ii.seqno = 0 AND ii.name IS NOT NULL");
  for (const auto& row : leading.rows) {
    if (row.size() < 2) continue;
    out[lower(text_of(row[0]))].indexed_columns.insert(lower(text_of(row[1])));
  }
  return out;
}

}  // namespace

std::map<std::string, TableSchema> read_table_schema(db::Connection& connection) {
  return connection.backend() == db::Backend::kPostgres ? postgres_schema(connection)
                                                        : sqlite_schema(connection);
}

}  // namespace querylens::lint
