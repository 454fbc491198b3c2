// Plan checks — the plan problems that cost time, each a stable rule id (docs/rules.md), each
// finding pointing at its node and saying what to do. Thresholds follow the public plan tools
// (pev2, explain.depesz.com) and are all options.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "querylens/core/finding.h"
#include "querylens/plan/plan.h"

namespace querylens::sql {
struct StatementModel;
}

namespace querylens::plan {

struct CheckOptions {
  int64_t large_table_rows = 10000;    // seq-scan-large-table, sqlite-full-scan: a large table
  double selective_fraction = 0.10;    // a scan keeping at most this share of rows is selective
  double misestimate_factor = 10;      // medium; ×10 high, ×100 critical
  int64_t misestimate_min_rows = 100;  // ignore when both sides are below this (total rows)
  double filter_waste_fraction = 0.90;
  int64_t filter_waste_min_rows = 1000;  // rows removed, all loops
  int64_t nested_loop_min_loops = 1000;
  int64_t heap_fetches_min = 100;
  int64_t lossy_min_rows = 100;  // rows removed by index recheck
  double hot_node_share = 0.5;   // of execution time
  double hot_node_min_ms = 1.0;
  double planning_min_ms = 1.0;  // planning-overhead only above this
  double jit_share = 0.10;       // of execution time
  int64_t sqlite_full_scan_steps = 1000;
};

struct PlanFinding {
  Finding finding;
  int node = -1;  // index into Plan::nodes; -1: the plan as a whole
};

// Runs every check that applies to the plan's engine. `model` (may be null) is the statement's
// model: it names the columns a recommended index should cover. Findings come in node order.
std::vector<PlanFinding> check_plan(const Plan& plan, const sql::StatementModel* model,
                                    const CheckOptions& options = {});

// Every plan rule id, PostgreSQL's then SQLite's.
const std::vector<std::string_view>& plan_rule_ids();

}  // namespace querylens::plan
