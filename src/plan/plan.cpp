#include "querylens/plan/plan.h"

#include <algorithm>

namespace querylens::plan {

std::string_view to_string(Engine engine) {
  return engine == Engine::kPostgres ? "postgresql" : "sqlite";
}

std::string PlanNode::label() const {
  if (!detail.empty()) return detail;  // SQLite prints its own sentence
  std::string out = node_type;
  if (!index.empty() && relation.empty()) return out + " on " + index;  // Bitmap Index Scan
  if (!index.empty()) out += " using " + index;
  if (!relation.empty()) {
    out += " on " + relation;
    if (!alias.empty() && alias != relation) out += " " + alias;
  } else if (!subplan_name.empty() && node_type == "CTE Scan") {
    out += " (" + subplan_name + ")";
  }
  return out;
}

void derive_metrics(Plan& plan) {
  // Children follow their parent in pre-order, so one backward pass sees every child first.
  for (PlanNode& n : plan.nodes) {
    n.total_rows = 0;
    n.inclusive_ms = 0;
    n.exclusive_ms = 0;
    n.exclusive_share = 0;
    if (!n.has_actuals) continue;
    n.total_rows = n.actual_rows * n.actual_loops;
    double loops = n.actual_loops;
    // A parallel node's loops count every worker, each running in parallel: the wall time it
    // holds is one loop's worth per process (pev2 and depesz divide the same way).
    if (n.workers_launched > 0) loops = std::max(1.0, loops / (n.workers_launched + 1));
    n.inclusive_ms = n.actual_total_ms * loops;
  }
  double total = 0;
  for (auto it = plan.nodes.rbegin(); it != plan.nodes.rend(); ++it) {
    PlanNode& n = *it;
    double children = 0;
    for (int c : n.children) {
      const PlanNode& child = plan.nodes[static_cast<size_t>(c)];
      // InitPlans and SubPlans run under their parent and are part of its inclusive time too;
      // CTE scans re-read a CTE whose time is charged where it is first read: both subtract.
      children += child.inclusive_ms;
    }
    n.exclusive_ms = std::max(0.0, n.inclusive_ms - children);
  }
  if (plan.execution_ms && *plan.execution_ms > 0) {
    total = *plan.execution_ms;
  } else if (!plan.nodes.empty()) {
    total = plan.nodes.front().inclusive_ms;
  }
  if (total > 0) {
    for (PlanNode& n : plan.nodes) n.exclusive_share = std::min(1.0, n.exclusive_ms / total);
  }
}

}  // namespace querylens::plan
