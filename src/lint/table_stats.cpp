#include "querylens/lint/table_stats.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>
#include <variant>

#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "querylens/db/url.h"
#include "querylens/lint/lint.h"
#include "querylens/lint/schema.h"
#include "querylens/sql/quote.h"

namespace querylens::lint {
namespace {

std::optional<int64_t> as_int(const db::Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) {
    if (!std::isfinite(*d)) return std::nullopt;
    return static_cast<int64_t>(std::llround(*d));
  }
  return std::nullopt;
}

std::string as_text(const db::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// sqlite_stat1.stat is "ROWS [per-column averages…]": the first number.
std::optional<int64_t> stat1_rows(std::string_view stat) {
  int64_t rows = 0;
  auto [end, ec] = std::from_chars(stat.data(), stat.data() + stat.size(), rows);
  if (ec != std::errc() || end == stat.data()) return std::nullopt;
  return rows;
}

std::map<std::string, int64_t> postgres_rows(db::Connection& conn) {
  // reltuples is float4; -1 (PostgreSQL 14+) means never analyzed.
  db::ResultSet rs = conn.query(
      "SELECT n.nspname, c.relname, c.reltuples::float8, pg_catalog.pg_table_is_visible(c.oid) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' "
      "AND n.nspname <> 'information_schema'");
  std::map<std::string, int64_t> out;
  for (const auto& row : rs.rows) {
    if (row.size() < 4) continue;
    std::optional<int64_t> rows = as_int(row[2]);
    if (!rows || *rows < 0) continue;
    std::string schema = as_text(row[0]), name = as_text(row[1]);
    out[schema + "." + name] = *rows;
    std::optional<int64_t> visible = as_int(row[3]);
    if (visible && *visible != 0) out[name] = *rows;
  }
  return out;
}

std::map<std::string, int64_t> sqlite_rows(db::Connection& conn) {
  db::ResultSet tables = conn.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
      "ESCAPE '\\'");
  std::map<std::string, int64_t> stats;
  db::ResultSet has_stat1 =
      conn.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'");
  if (!has_stat1.rows.empty()) {
    for (const auto& row : conn.query("SELECT tbl, stat FROM sqlite_stat1").rows) {
      if (row.size() < 2) continue;
      std::optional<int64_t> rows = stat1_rows(as_text(row[1]));
      if (rows) stats.emplace(ascii_lower(as_text(row[0])), *rows);
    }
  }
  std::map<std::string, int64_t> out;
  for (const auto& row : tables.rows) {
    if (row.empty()) continue;
    std::string name = as_text(row[0]);
    std::optional<int64_t> rows;
    if (auto it = stats.find(ascii_lower(name)); it != stats.end()) {
      rows = it->second;
    } else {
      try {
        db::ResultSet count = conn.query("SELECT count(*) FROM " + sql::quote_identifier(name));
        if (!count.rows.empty() && !count.rows[0].empty()) rows = as_int(count.rows[0][0]);
      } catch (const Error&) {
        // A virtual table whose module this build lacks: its size stays unknown.
      }
    }
    if (!rows) continue;
    out[name] = *rows;
    out[ascii_lower(name)] = *rows;
  }
  return out;
}

}  // namespace

std::map<std::string, int64_t> read_table_rows(db::Connection& connection) {
  return connection.backend() == db::Backend::kPostgres ? postgres_rows(connection)
                                                        : sqlite_rows(connection);
}

namespace {

// Opens an existing database (an SQLite file is never created here) and runs `read` on it,
// naming the redacted URL in any error.
template <class F>
void with_database(std::string_view url, F read) {
  std::string shown = db::redact_url(url);
  std::unique_ptr<db::Database> database = db::Database::open_existing(url);
  try {
    db::PooledConnection conn = database->connect();
    read(*conn);
  } catch (const Error& e) {
    throw Error(ErrorKind::kDatabase,
                fmt::format("cannot read table sizes from {}: {}", shown, e.what()));
  }
}

}  // namespace

std::map<std::string, int64_t> load_table_rows(std::string_view url) {
  std::map<std::string, int64_t> out;
  with_database(url, [&](db::Connection& conn) { out = read_table_rows(conn); });
  return out;
}

void load_database_facts(std::string_view url, LintOptions& options) {
  with_database(url, [&](db::Connection& conn) {
    options.table_rows = read_table_rows(conn);
    options.schema = read_table_schema(conn);
  });
}

}  // namespace querylens::lint
