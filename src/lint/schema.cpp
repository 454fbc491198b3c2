// Columns and leading index keys, from PostgreSQL's catalog or SQLite's pragmas.
#include "querylens/lint/schema.h"

#include <cctype>
#include <variant>

#include "querylens/db/connection.h"
#include "querylens/sql/canonical_expression.h"

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

// An index whose first key is an expression: its definition is read back through libpg_query
// (the same parser that reads the predicates it is compared with). A definition libpg_query
// rejects (SQLite-only syntax) serves nothing we can prove.
void add_expression(TableSchema& table, const std::string& index, const std::string& definition) {
  std::string expression = sql::index_leading_expression(definition);
  if (!expression.empty()) table.indexed_expressions.emplace(expression, index);
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
  // Expression keys: b-tree only (a hash, GIN or GiST index on lower(email) is no ordered
  // key), valid, not partial. pg_get_indexdef writes the definition as CREATE INDEX would.
  db::ResultSet expressions =
      conn.query(std::string("SELECT n.nspname, c.relname, ic.relname, "
                             "pg_catalog.pg_get_indexdef(i.indexrelid), "
                             "pg_catalog.pg_table_is_visible(c.oid) "
                             "FROM pg_catalog.pg_index i "
                             "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
                             "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                             "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
                             "JOIN pg_catalog.pg_am am ON am.oid = ic.relam "
                             "WHERE i.indkey[0] = 0 AND i.indisvalid AND i.indpred IS NULL "
                             "AND am.amname = 'btree' AND ") +
                 kUserTables);
  for (const auto& row : expressions.rows) {
    if (row.size() < 5) continue;
    std::string schema = lower(text_of(row[0])), table = lower(text_of(row[1]));
    for (const std::string& key : {schema + "." + table, table}) {
      if (key == table && !truthy(row[4])) continue;
      add_expression(out[key], text_of(row[2]), text_of(row[3]));
    }
  }
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
  // Expression keys: cid -2 in index_xinfo; the expression itself is only in the index's SQL.
  db::ResultSet expressions = conn.query(
      "SELECT m.name, il.name, s.sql FROM sqlite_master m, pragma_index_list(m.name) il, "
      "pragma_index_xinfo(il.name) ix, sqlite_master s WHERE m.type = 'table' "
      "AND il.partial = 0 AND ix.seqno = 0 AND ix.cid = -2 AND s.type = 'index' "
      "AND s.name = il.name AND s.sql IS NOT NULL");
  for (const auto& row : expressions.rows) {
    if (row.size() < 3) continue;
    add_expression(out[lower(text_of(row[0]))], text_of(row[1]), text_of(row[2]));
  }
  return out;
}

}  // namespace

std::map<std::string, TableSchema> read_table_schema(db::Connection& connection) {
  return connection.backend() == db::Backend::kPostgres ? postgres_schema(connection)
                                                        : sqlite_schema(connection);
}

}  // namespace querylens::lint
