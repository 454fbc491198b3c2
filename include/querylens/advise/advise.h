// advise — a workload-level index advisor: candidates from the workload's statement models,
// what-if costs (HypoPG on PostgreSQL, an in-memory copy with sampled statistics on SQLite),
// greedy selection under budgets, and checks of the indexes that already exist.
//
// Safety contract: the user's database is only read. SQLite is opened with PRAGMA query_only
// (the engine refuses any write); PostgreSQL sessions run with default_transaction_read_only
// and hypothetical indexes only (HypoPG keeps them in the session's memory; hypopg_reset()
// clears them at the start and the end). Nothing is created, analyzed or dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/advise/candidates.h"
#include "querylens/advise/existing.h"
#include "querylens/advise/select.h"
#include "querylens/advise/whatif.h"
#include "querylens/core/finding.h"

namespace querylens::db {
class Connection;
}

namespace querylens::advise {

struct AdviseOptions {
  SelectOptions select;
  CandidateOptions candidates;
  SqliteWhatIfOptions sqlite;
};

// --verify: one query timed before and after the recommended indexes were built (on a scratch
// copy of an SQLite file, or on the PostgreSQL database named by --verify-db).
struct QueryTiming {
  size_t query = 0;                    // index into the workload
  std::string sql;                     // the statement that was run
  double before_ms = 0, after_ms = 0;  // medians of the runs
  double speedup = 0;                  // before / after; 0 when not timed
  std::string skipped;                 // why it was not timed ("" when it was)
};

struct Verification {
  bool ran = false;
  std::string target;  // where it ran: "a temporary copy of PATH", or the redacted --verify-db
  int runs = 0;        // timed runs per query and configuration (the median is kept)
  std::vector<std::vector<QueryTiming>> indexes;  // parallel to AdviseResult::indexes
  std::vector<std::string> notes;
};

struct AdviseResult {
  Engine engine = Engine::kSqlite;
  std::string database;  // redacted URL, for the report
  std::vector<WorkloadQuery> workload;
  size_t candidates = 0;
  std::vector<Recommendation> indexes;
  std::vector<DropSuggestion> drops;
  std::vector<Finding> findings;           // the existing-index checks
  double cost_before = 0, cost_after = 0;  // the workload, Σ calls × cost
  std::string cost_unit;
  int64_t whatif_calls = 0;        // planner calls made under a hypothetical configuration
  int64_t cache_hits = 0;          // questions answered from the cost cache
  double whatif_ms = 0;            // time spent planning and sizing what-if configurations
  std::vector<std::string> notes;  // e.g. HypoPG missing: how to install it
  Verification verification;       // filled by verify() (verify.h)
};

// Opens `url` for reading only: an SQLite file must exist and gets PRAGMA query_only; a
// PostgreSQL session gets default_transaction_read_only. Throws Error(kUsage) for a bad URL
// and Error(kDatabase) naming the redacted URL when it cannot be opened.
std::unique_ptr<db::Connection> open_read_only(std::string_view url);

// Advises on `workload` against the database behind `connection` (opened by open_read_only).
// When the what-if cannot run (HypoPG missing), the existing-index checks still run and
// `notes` says what to install.
AdviseResult advise(db::Connection& connection, std::vector<WorkloadQuery> workload,
                    const AdviseOptions& options = {});

// The advice as report findings (analyze --advise): one `missing-index` finding per
// recommended index (fix_sql: its DDL; evidence: the shapes it serves and the table), then the
// existing-index findings. Severity: high when the index carries at least half of the gain,
// medium otherwise.
std::vector<Finding> advice_findings(const AdviseResult& result);

// Renderers: aligned text for a terminal; JSON (indexes[], drop[], findings[], whatif_calls);
// a maintenance script (CREATE statements, DROPs commented out, ANALYZE).
std::string render_text(const AdviseResult& result);
std::string render_json(const AdviseResult& result);
std::string render_script(const AdviseResult& result);

}  // namespace querylens::advise
