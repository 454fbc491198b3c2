// Workload-level selection: greedy by net benefit per byte. Each round adds the candidate
// whose Σ calls × (cost now − cost with it), minus its write overhead, divided by its size,
// is highest; stops at the budgets, when the next index gains less than a threshold share
// of the workload's remaining cost, or (size_weight) when its gain does not pay for its bytes.
// After each addition, an index made useless by the new one (a multicolumn index replacing two
// single-column ones) is taken out again, and each chosen index is offered merged with every
// candidate led by the same key (its keys and covering columns added), measured in its place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "querylens/advise/candidates.h"
#include "querylens/advise/whatif.h"

namespace querylens::advise {

struct SelectOptions {
  size_t max_indexes = 10;
  int64_t max_size_bytes = 0;  // 0: no limit on the total size of new indexes
  double min_gain = 0.01;      // stop when the next index saves less than this share of the cost
                               // the workload still has (with the indexes picked so far)
  double write_weight = 1.0;   // multiplies the write penalty (0: ignore writes)
  // Bytes: an index is taken only when the share of the remaining cost it saves is at least
  // size_weight × its share of the advice's bytes (its added bytes over those of the set so far
  // plus its own). 0: bytes only rank the candidates, never stop the selection.
  double size_weight = 0;
  // A merge of a chosen index with another candidate led by the same key has at most this many
  // columns (keys and covering columns).
  size_t max_merged_columns = 10;
};

struct QueryEffect {
  size_t query = 0;                        // index into the workload
  double cost_before = 0, cost_after = 0;  // per call, existing indexes vs. all recommendations
  std::string plan_before, plan_after;
};

struct Recommendation {
  IndexDef index;
  std::string reason;
  int64_t size_bytes = 0;
  double writes = 0;          // estimated rows written to the table over the workload
  double write_overhead = 0;  // writes × the cost of maintaining one more index
  double gain = 0;            // marginal: workload cost without it − with it (all others kept)
  double share = 0;           // gain / the workload's total gain: the part lost without it
  double cost_before = 0, cost_after = 0;  // Σ calls × cost over the queries it serves
  std::vector<QueryEffect> queries;        // the queries whose final plan uses it
};

struct Selection {
  std::vector<Recommendation> chosen;      // in the order picked
  double cost_before = 0, cost_after = 0;  // the whole workload, Σ calls × cost
  std::vector<std::string> notes;          // replaced indexes, unplannable queries
};

Selection select_indexes(const std::vector<WorkloadQuery>& workload,
                         const std::vector<Candidate>& candidates, const Catalog& catalog,
                         CostCache& cache, const SelectOptions& options);

}  // namespace querylens::advise
