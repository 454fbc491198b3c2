#include "querylens/advise/workload.h"

#include <fmt/format.h>

#include "querylens/sql/literal_slots.h"

namespace querylens::advise {

std::optional<std::string> keep_invariant_literals(std::string_view sample,
                                                   const stats::LiteralInvariance& literals) {
  if (literals.calls < 2 || literals.same == 0) return std::nullopt;
  // One slot more than expected tells a longer statement from one that fits.
  std::vector<sql::LiteralSlot> slots(static_cast<size_t>(literals.positions) + 1);
  const sql::SlotScan scan = sql::scan_literal_slots(sample, slots);
  if (!scan.ok || scan.count != literals.positions) return std::nullopt;
  slots.resize(scan.count);
  std::string out;
  out.reserve(sample.size() + 16);
  size_t copied = 0, kept = 0;
  int next = 1;
  for (size_t i = 0; i < slots.size(); ++i) {
    const sql::LiteralSlot& slot = slots[i];
    if (literals.invariant(i)) {
      // The sample is one of the calls: an invariant position holds the same literal.
      if (slot.kind != sql::SlotKind::kLiteral || i >= literals.first.size() ||
          slot.hash != literals.first[i])
        return std::nullopt;
      ++kept;
      continue;
    }
    out.append(sample.substr(copied, slot.begin - copied));
    out += slot.kind == sql::SlotKind::kList ? fmt::format("(${})", next++)
                                             : fmt::format("${}", next++);
    copied = slot.end;
  }
  if (kept == 0) return std::nullopt;
  out.append(sample.substr(copied));
  return out;
}

std::vector<WorkloadQuery> workload_from_rows(const std::vector<report::QueryRow>& rows) {
  std::vector<WorkloadQuery> workload;
  workload.reserve(rows.size());
  for (const report::QueryRow& row : rows) {
    // Calls known only in aggregate (pg_stat_statements) were never compared: the invariance
    // must cover every call of the shape.
    if (row.literals.calls == row.calls) {
      if (std::optional<std::string> sql = keep_invariant_literals(row.sample, row.literals)) {
        WorkloadQuery q =
            make_workload_query(std::move(*sql), row.calls, row.total_ms, row.fingerprint);
        // A typed literal parameterised (`interval $1`) does not parse: plan the shape then.
        if (q.model.analyzed) {
          q.constant_calls = row.literals.calls;
          q.sample = row.sample;
          workload.push_back(std::move(q));
          continue;
        }
      }
    }
    workload.push_back(make_workload_query(row.parsed ? row.query : row.sample, row.calls,
                                           row.total_ms, row.fingerprint));
    workload.back().sample = row.sample;
  }
  return workload;
}

}  // namespace querylens::advise
