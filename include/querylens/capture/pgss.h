// pg_stat_statements as a source: a snapshot of the server's own per-statement statistics, or
// the difference of two snapshots taken an interval apart (what ran in between).
//
// The rows are aggregates, not events: calls, total / min / max time, rows, shared and temp
// blocks, WAL — no latency distribution, so quantiles of these shapes are unknown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "querylens/db/connection.h"

namespace querylens::capture {

struct PgssEntry {
  std::string key;    // userid/dbid/queryid/toplevel: what identifies a row across snapshots
  std::string query;  // normalized by the server ($1, $2, …)
  uint64_t calls = 0;
  double total_ms = 0;
  double min_ms = 0;  // since the last reset: a difference keeps the later snapshot's
  double max_ms = 0;
  int64_t rows = 0;
  int64_t shared_blks_hit = 0;
  int64_t shared_blks_read = 0;
  int64_t temp_blks_written = 0;
  int64_t wal_bytes = 0;
};

struct PgssSnapshot {
  std::vector<PgssEntry> entries;
  uint64_t hidden = 0;  // rows whose text this role may not read (needs pg_read_all_stats)
};

// Reads pg_stat_statements (PostgreSQL 14 or later). Throws Error(kDatabase) saying how to
// install it when the extension is missing.
PgssSnapshot take_pgss_snapshot(db::Connection& connection);

// What ran between two snapshots: per key, after − before; rows without new calls are
// dropped. A row whose counters went down (a reset in between) counts from zero.
PgssSnapshot pgss_difference(const PgssSnapshot& before, const PgssSnapshot& after);

}  // namespace querylens::capture
