#include "querylens/stats/literal_invariance.h"

#include <algorithm>
#include <array>

#include "querylens/sql/literal_slots.h"

namespace querylens::stats {

void LiteralInvariance::observe(std::string_view sql) {
  const bool first_call = calls++ == 0;
  // Once every position has varied there is nothing left to learn: no scan.
  if (!first_call && same == 0) return;
  std::array<sql::LiteralSlot, kMaxPositions> slots;
  const sql::SlotScan scan = sql::scan_literal_slots(sql, slots);
  const size_t tracked = std::min(scan.count, kMaxPositions);
  if (first_call) {
    positions = static_cast<uint32_t>(scan.count);
    first.resize(tracked);
    for (size_t i = 0; i < tracked; ++i) {
      first[i] = slots[i].hash;
      if (slots[i].kind == sql::SlotKind::kLiteral) same |= uint64_t{1} << i;
    }
    if (!scan.ok) same = 0;
    return;
  }
  if (!scan.ok || scan.count != positions) {
    same = 0;
    return;
  }
  for (size_t i = 0; i < tracked; ++i) {
    if (slots[i].kind != sql::SlotKind::kLiteral || slots[i].hash != first[i])
      same &= ~(uint64_t{1} << i);
  }
}

void LiteralInvariance::merge(const LiteralInvariance& other) {
  if (other.calls == 0) return;
  if (calls == 0) {
    *this = other;
    return;
  }
  calls += other.calls;
  if (other.positions != positions) {
    same = 0;
    return;
  }
  uint64_t agree = 0;
  for (size_t i = 0; i < first.size() && i < other.first.size(); ++i) {
    if (first[i] == other.first[i]) agree |= uint64_t{1} << i;
  }
  same &= other.same & agree;
}

}  // namespace querylens::stats
