// PlanSection — one explained statement as reports carry it, and the renderers of plans:
// `querylens explain` prints these; `analyze --explain-top N` adds them to the Report.
#pragma once

#include <string>
#include <vector>

#include "querylens/plan/checks.h"
#include "querylens/plan/plan.h"

namespace querylens::report {

struct PlanSection {
  std::string fingerprint;    // of the query shape, when the statement came from a digest
  std::string sql;            // the statement explained (redacted like report samples)
  bool generic_plan = false;  // PostgreSQL generic plan of a $n statement
  std::string note;           // e.g. "planned only: …" when analyze could not run it
  plan::Plan plan;
  std::vector<plan::PlanFinding> findings;
  std::string error;     // explaining failed: why (plan is empty)
  bool refused = false;  // the error is explain's safety rules saying no, not the database
};

// The plan as an indented tree for a terminal: per node its label, estimated rows and cost,
// actual rows × loops, inclusive and exclusive time with its share, conditions, sort / hash
// details, buffers, and the ids of the findings on it ("◀ seq-scan-large-table"). Then the
// plan-level figures (planning, execution, JIT; SQLite's counters).
std::string render_plan_tree(const plan::Plan& plan,
                             const std::vector<plan::PlanFinding>& findings);

// Every section: the statement, its tree, its findings with their fixes.
std::string render_plans_text(const std::vector<PlanSection>& sections);
// {"schema_version": 1, "plans": [...]}: the same objects as the report's "plans"
// (docs/explain-json.md).
std::string render_plans_json(const std::vector<PlanSection>& sections);

}  // namespace querylens::report
