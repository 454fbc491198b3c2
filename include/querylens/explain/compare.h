// `explain --compare A B`: two forms of one query (the seeds' strategy benchmark), checked to
// return the same rows, timed over several alternating runs, with both plans.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "querylens/explain/explain.h"
#include "querylens/report/plans.h"

namespace querylens::explain {

struct TimedStatement {
  std::string sql;
  std::vector<double> run_ms;  // one per measured run (after one warm-up run)
  double median_ms = 0;
  double p95_ms = 0;
  int64_t rows = 0;          // rows returned by a run
  uint64_t rows_digest = 0;  // order-insensitive hash of the rows returned
  report::PlanSection plan;  // with actuals when options.analyze
};

struct Comparison {
  TimedStatement a, b;
  bool same_rows = false;  // the same multiset of rows (row order ignored)
  double speedup = 0;      // a.median / b.median: > 1 means B is faster
};

// Runs A and B alternately (a warm-up each, then `runs` measured each), every run inside a
// transaction that is rolled back, under options.timeout_ms. Writes need
// options.allow_writes, as for explain. Throws Error(kUsage) for what the safety rules refuse
// and Error(kDatabase) when a statement fails.
Comparison compare_statements(db::Connection& connection, const std::string& a,
                              const std::string& b, const ExplainOptions& options, int runs = 5);

std::string render_comparison_text(const Comparison& comparison);
std::string render_comparison_json(const Comparison& comparison);

}  // namespace querylens::explain
