// The advisor's workload from a report's query shapes (`querylens advise`, `analyze
// --advise`, the demo): one WorkloadQuery per shape, weighted by its calls.
//
// A shape is planned in its normalized form ($n for every constant), unless the digest
// tracked its literals (AnalyzeOptions::track_literals) and some never varied over at least
// two calls: then its sample is planned with those literals kept and every other value
// position a parameter, so `is_published = 1` stays a constant a partial index can be built
// for, exactly as when the workload is given as literal statements.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/advise/candidates.h"
#include "querylens/report/report.h"
#include "querylens/stats/literal_invariance.h"

namespace querylens::advise {

// `sample` with each value position that is not known invariant replaced by a parameter
// ($1, $2 … in order; an IN-list by `($k)`), the invariant literals kept as written. nullopt
// when no literal is invariant, or when the sample does not line up with the tracked
// positions (another number of positions, or an invariant position holding another text: a
// redacted sample).
std::optional<std::string> keep_invariant_literals(std::string_view sample,
                                                   const stats::LiteralInvariance& literals);

// One WorkloadQuery per row, in the rows' order (WorkloadQuery::sample = the row's sample).
std::vector<WorkloadQuery> workload_from_rows(const std::vector<report::QueryRow>& rows);

}  // namespace querylens::advise
