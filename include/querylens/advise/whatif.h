// What-if planning: the cost of a query as if some indexes existed, without building them on
// the user's database.
//  - PostgreSQL: HypoPG hypothetical indexes (backend-local, invisible to other sessions,
//    gone with hypopg_reset() or the session), and plain EXPLAIN (generic plans for $n).
//  - SQLite: an in-memory copy of the schema, given sqlite_stat1 statistics sampled from the
//    real data with read-only queries; candidates are created on its empty tables (instant)
//    and EXPLAIN QUERY PLAN says which indexes the planner takes. SQLite prints no costs, so
//    the cost is estimated from the plan and the statistics (rows visited, sorts).
// WhatIf is the seam: CostCache in front of it counts and caches the calls.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "querylens/advise/candidates.h"
#include "querylens/advise/catalog.h"

namespace querylens::db {
class Connection;
}

namespace querylens::advise {

struct Evaluation {
  double cost = 0;
  std::vector<std::string> used;  // IndexDef::key() of the hypothetical indexes the plan uses
  std::vector<std::string> existing_used;  // names of existing indexes the plan uses
  std::string plan;                        // a one-line plan summary
  std::string error;                       // the query could not be planned (cost 0)
};

class WhatIf {
 public:
  virtual ~WhatIf() = default;
  // Plans `query` as if the existing indexes plus `hypothetical` existed.
  virtual Evaluation evaluate(const WorkloadQuery& query,
                              const std::vector<IndexDef>& hypothetical) = 0;
  virtual int64_t estimated_size(const IndexDef& index) = 0;
  // What one written row costs one more index, in the same unit as Evaluation::cost.
  virtual double write_cost(const TableInfo& table) const = 0;
  virtual std::string cost_unit() const = 0;
  // The columns `query` reads, per table, named as the engine resolved them; nullopt when
  // the engine cannot say (the default). Candidates read it for covering variants.
  virtual std::optional<ColumnsRead> columns_read(const WorkloadQuery& /*query*/) {
    return std::nullopt;
  }
};

// Caches evaluations per (query, the candidate indexes on that query's tables, as a sorted
// set): the greedy selection asks the same question many times.
class CostCache {
 public:
  explicit CostCache(WhatIf& whatif) : whatif_(whatif) {}
  const Evaluation& evaluate(size_t query_id, const WorkloadQuery& query,
                             const std::vector<const IndexDef*>& set);
  int64_t size(const IndexDef& index);
  int64_t calls() const { return calls_; }  // what-if planner calls made (cache misses)
  int64_t hits() const { return hits_; }
  WhatIf& whatif() { return whatif_; }

 private:
  WhatIf& whatif_;
  std::map<std::string, Evaluation> cache_;
  std::map<std::string, int64_t> sizes_;
  int64_t calls_ = 0, hits_ = 0;
};

// Throws Error(kDatabase) when HypoPG is missing, saying how to install it
// (apt-get install postgresql-<major>-hypopg, then CREATE EXTENSION hypopg).
// REQUIRES: `connection` outlives the result and is not used by anyone else meanwhile.
std::unique_ptr<WhatIf> make_postgres_whatif(db::Connection& connection, const Catalog& catalog);

struct SqliteWhatIfOptions {
  int64_t sample_rows = 100000;  // statistics from at most about this many rows per table
};
// `user_db` is only read (the caller sets PRAGMA query_only). The copy lives in memory.
std::unique_ptr<WhatIf> make_sqlite_whatif(db::Connection& user_db, const Catalog& catalog,
                                           const SqliteWhatIfOptions& options = {});

}  // namespace querylens::advise
