// The demo's index advice: `querylens advise --verify` run on the workload the demo captured,
// measured on a scratch copy of the demo file (the file itself is only read, so the next demo
// run shows the same thing).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "querylens/advise/advise.h"
#include "querylens/db/value.h"
#include "querylens/report/report.h"

namespace querylens::demo {

// Values for the `?` markers of a captured statement, taken from the data, so that a shape the
// instrumented layer captured without literals can still be timed. Per marker, by the text
// before it: `col = ?`, `col >= ?` … → the value of that column in the middle row (by rowid)
// of the first of the query's tables that has it (alias.col resolved through FROM / JOIN);
// `col LIKE ?` → '%word%' with the first word of that value; `LIMIT ?` → 20; `OFFSET ?` → 100.
// nullopt when a marker fits none of these (the query is then not timed, and the advice says so).
std::optional<db::Params> values_from_data(db::Connection& conn, const advise::WorkloadQuery& query,
                                           const std::string& sql);

struct AdviceRun {
  advise::AdviseResult result;
  size_t measured = 0;  // (index, query) timings made before and after
  double seconds = 0;
};

// advise on `queries` (the captured digest) against the demo file at `path`, then --verify on
// a temporary copy of it with values_from_data binding the markers; `runs` timed runs per query.
AdviceRun run_demo_advice(const std::string& path, const std::vector<report::QueryRow>& queries,
                          int runs = 3);

}  // namespace querylens::demo
