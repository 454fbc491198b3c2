// The point-lookup workload both instrumentation measurements share (instrumentation_bench.cpp
// times it, instrumentation_count.cpp counts its instructions).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "querylens/db/connection.h"

namespace querylens::bench {

constexpr int kRows = 100'000;
constexpr const char* kLookup = "SELECT id, username, email FROM users WHERE id = ?";

inline std::string schema_and_rows() {
  return "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, email TEXT NOT NULL);"
         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(kRows) +
         ") INSERT INTO users SELECT i, 'user' || i, 'user' || i || '@example.com' FROM n;";
}

// A cheap deterministic walk over the ids so lookups are not all cache-identical.
inline int64_t next_id(uint64_t& state) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return static_cast<int64_t>((state >> 33) % kRows) + 1;
}

// The raw side: the table in an in-memory database opened with the same flags querylens uses
// (the pool hands a connection to one thread at a time), and the lookup prepared on it.
struct RawLookup {
  RawLookup() {
    sqlite3_open_v2(":memory:", &db,
                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (sqlite3_exec(db, schema_and_rows().c_str(), nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v3(db, kLookup, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
            SQLITE_OK) {
      std::string message = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error(message);
    }
  }
  ~RawLookup() {
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  RawLookup(const RawLookup&) = delete;
  RawLookup& operator=(const RawLookup&) = delete;

  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
};

// One lookup through the plain sqlite3 API. Text is read the way an application reads it: the
// pointer, then its length (as Statement::get_text does); reading only the length would skip
// SQLite's text fetch.
inline int64_t raw_lookup_once(sqlite3_stmt* stmt, uint64_t& rng) {
  int64_t checksum = 0;
  sqlite3_bind_int64(stmt, 1, next_id(rng));
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    checksum += sqlite3_column_int64(stmt, 0);
    checksum += sqlite3_column_text(stmt, 1) != nullptr ? sqlite3_column_bytes(stmt, 1) : 0;
    checksum += sqlite3_column_text(stmt, 2) != nullptr ? sqlite3_column_bytes(stmt, 2) : 0;
  }
  sqlite3_reset(stmt);
  return checksum;
}

// One lookup through querylens::db, the row read as an application reads it; returns a
// checksum so nothing is optimized away.
inline int64_t lookup_once(querylens::db::Statement& stmt, uint64_t& rng) {
  int64_t checksum = 0;
  stmt.bind(1, next_id(rng));
  while (stmt.step()) {
    checksum += stmt.get_int(0);
    checksum += static_cast<int64_t>(stmt.get_text(1).size());
    checksum += static_cast<int64_t>(stmt.get_text(2).size());
  }
  stmt.reset();
  return checksum;
}

}  // namespace querylens::bench
