// The point-lookup workload both instrumentation measurements share (instrumentation_bench.cpp
// times it, instrumentation_count.cpp counts its instructions).
#pragma once

#include <cstdint>
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
