#include "querylens/capture/pgss.h"

#include <unordered_map>

#include "querylens/core/error.h"

namespace querylens::capture {

PgssSnapshot take_pgss_snapshot(db::Connection& connection) {
  if (connection.backend() != db::Backend::kPostgres) {
    throw Error(ErrorKind::kUsage, "pg_stat_statements needs a PostgreSQL --db URL");
  }
  db::ResultSet installed = connection.query(
      "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'");
  if (installed.rows.empty()) {
    throw Error(
        ErrorKind::kDatabase,
        "pg_stat_statements is not installed in this database: add it to shared_preload_libraries "
        "(postgresql.conf), restart the server, and run CREATE EXTENSION pg_stat_statements");
  }
  // Text columns for the big counters: libpq hands them over as text either way, and numeric
  // keeps 64-bit values exact.
  db::ResultSet rs = connection.query(
      "SELECT userid::text || '/' || dbid::text || '/' || coalesce(queryid::text, '') || '/' || "
      "toplevel::text, query, calls, total_exec_time, min_exec_time, max_exec_time, rows, "
      "shared_blks_hit, shared_blks_read, temp_blks_written, wal_bytes::bigint "
      "FROM pg_stat_statements");
  PgssSnapshot snapshot;
  auto as_int = [](const db::Value& v) -> int64_t {
    if (auto* i = std::get_if<int64_t>(&v)) return *i;
    if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    if (auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
    return 0;
  };
  auto as_double = [](const db::Value& v) -> double {
    if (auto* d = std::get_if<double>(&v)) return *d;
    if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    if (auto* s = std::get_if<std::string>(&v)) return std::stod(*s);
    return 0;
  };
  for (const auto& row : rs.rows) {
    const std::string* query = std::get_if<std::string>(&row[1]);
    if (query == nullptr || *query == "<insufficient privilege>") {
      ++snapshot.hidden;
      continue;
    }
    PgssEntry e;
    e.key = std::get<std::string>(row[0]);
    e.query = *query;
    e.calls = static_cast<uint64_t>(as_int(row[2]));
    e.total_ms = as_double(row[3]);
    e.min_ms = as_double(row[4]);
    e.max_ms = as_double(row[5]);
    e.rows = as_int(row[6]);
    e.shared_blks_hit = as_int(row[7]);
    e.shared_blks_read = as_int(row[8]);
    e.temp_blks_written = as_int(row[9]);
    e.wal_bytes = as_int(row[10]);
    snapshot.entries.push_back(std::move(e));
  }
  return snapshot;
}

PgssSnapshot pgss_difference(const PgssSnapshot& before, const PgssSnapshot& after) {
  std::unordered_map<std::string, const PgssEntry*> earlier;
  for (const PgssEntry& e : before.entries) earlier.emplace(e.key, &e);
  PgssSnapshot out;
  out.hidden = after.hidden;
  for (const PgssEntry& a : after.entries) {
    PgssEntry d = a;
    auto it = earlier.find(a.key);
    if (it != earlier.end() && it->second->calls <= a.calls) {
      const PgssEntry& b = *it->second;
      d.calls = a.calls - b.calls;
      d.total_ms = a.total_ms - b.total_ms;
      d.rows = a.rows - b.rows;
      d.shared_blks_hit = a.shared_blks_hit - b.shared_blks_hit;
      d.shared_blks_read = a.shared_blks_read - b.shared_blks_read;
      d.temp_blks_written = a.temp_blks_written - b.temp_blks_written;
      d.wal_bytes = a.wal_bytes - b.wal_bytes;
    }
    if (d.calls > 0) out.entries.push_back(std::move(d));
  }
  return out;
}

}  // namespace querylens::capture
