// Finding — what an analyzer concluded, with the evidence and, where possible, the fix.
//
// Rule ids are a public contract (kebab-case, stable across releases, documented in
// docs/rules.md); reports, --fail-on and suppressions key on them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace querylens {

enum class Severity { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };

std::string_view to_string(Severity s);
// Parses "low" / "medium" / "high" / "critical" (case-insensitive).
std::optional<Severity> parse_severity(std::string_view text);

struct Finding {
  std::string rule;  // stable kebab-case id, e.g. "n-plus-one"
  Severity severity = Severity::kLow;
  std::string title;                      // one line
  std::string detail;                     // what was seen, with numbers
  std::vector<std::string> fingerprints;  // evidence: query shapes (16-hex fingerprints)
  std::vector<std::string> tables;        // evidence: tables involved
  std::vector<std::string> plan_nodes;    // evidence: plan nodes ("Seq Scan on posts")
  std::string recommendation;             // what to do
  std::string fix_sql;                    // a concrete fix, when one can be written out
};

}  // namespace querylens
