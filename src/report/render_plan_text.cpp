// Plans as text: the tree a person reads in a terminal (after explain.depesz.com's layout:
// exclusive time and its share first, so the expensive node stands out).
#include <fmt/format.h>

#include <map>

#include "querylens/report/plans.h"
#include "report/format_numbers.h"
#include "report/text_utf8.h"

namespace querylens::report {
namespace {

std::string rows(double r) { return format_count(static_cast<int64_t>(r + (r >= 0 ? 0.5 : -0.5))); }

void node_lines(const plan::Plan& plan, const plan::PlanNode& n,
                const std::multimap<int, const plan::PlanFinding*>& by_node, std::string& out) {
  std::string indent(static_cast<size_t>(n.depth) * 3, ' ');
  std::string head = indent + (n.depth > 0 ? "-> " : "");
  std::string line = head + n.label();
  if (plan.engine == plan::Engine::kPostgres) {
    line += fmt::format("  (est {} rows, cost {:.2f})", rows(n.plan_rows), n.total_cost);
    if (n.never_executed) {
      line += "  never executed";
    } else if (n.has_actuals) {
      line += fmt::format("  actual {} rows", rows(n.actual_rows));
      if (n.actual_loops > 1) line += fmt::format(" × {} loops", rows(n.actual_loops));
      line += fmt::format(", {} (self {}, {})", format_duration_ms(n.inclusive_ms),
                          format_duration_ms(n.exclusive_ms), format_share(n.exclusive_share));
    }
  }
  auto [first, last] = by_node.equal_range(n.id);
  for (auto it = first; it != last; ++it) {
    line += (it == first ? "  ◀ " : ", ") + it->second->finding.rule;
  }
  out += line + "\n";
  std::string more = indent + (n.depth > 0 ? "   " : "") + "   ";
  auto detail = [&](std::string_view label, const std::string& value) {
    if (!value.empty()) out += fmt::format("{}{}: {}\n", more, label, value);
  };
  detail("Index Cond", n.index_cond);
  detail("Recheck Cond", n.recheck_cond);
  detail("Hash Cond", n.hash_cond);
  detail("Merge Cond", n.merge_cond);
  detail("Join Filter", n.join_filter);
  detail("Filter", n.filter);
  if (n.rows_removed_by_filter > 0)
    detail("Rows Removed by Filter",
           rows(n.rows_removed_by_filter * std::max(1.0, n.actual_loops)));
  if (n.rows_removed_by_join_filter > 0)
    detail("Rows Removed by Join Filter",
           rows(n.rows_removed_by_join_filter * std::max(1.0, n.actual_loops)));
  if (n.rows_removed_by_index_recheck > 0)
    detail("Rows Removed by Index Recheck", rows(n.rows_removed_by_index_recheck));
  if (!n.sort_keys.empty()) detail("Sort Key", fmt::format("{}", fmt::join(n.sort_keys, ", ")));
  if (!n.sort_method.empty())
    detail("Sort Method", fmt::format("{}  {}: {} kB", n.sort_method, n.sort_space_type,
                                      format_count(n.sort_space_kb)));
  if (n.hash_batches > 0)
    detail("Hash", fmt::format("{} buckets, {} batches, {} kB peak", format_count(n.hash_buckets),
                               n.hash_batches, format_count(n.peak_memory_kb)));
  if (n.disk_usage_kb > 0)
    detail("Disk Usage",
           fmt::format("{} kB, {} batches", format_count(n.disk_usage_kb), n.hashagg_batches));
  if (n.heap_fetches > 0) detail("Heap Fetches", format_count(n.heap_fetches));
  if (n.lossy_heap_blocks > 0 || n.exact_heap_blocks > 0)
    detail("Heap Blocks",
           fmt::format("exact={} lossy={}", n.exact_heap_blocks, n.lossy_heap_blocks));
  if (n.buffers.any()) {
    std::string b =
        fmt::format("shared hit={} read={}", n.buffers.shared_hit, n.buffers.shared_read);
    if (n.buffers.temp_read || n.buffers.temp_written)
      b += fmt::format(", temp read={} written={}", n.buffers.temp_read, n.buffers.temp_written);
    detail("Buffers", b);
  }
}

}  // namespace

std::string render_plan_tree(const plan::Plan& plan,
                             const std::vector<plan::PlanFinding>& findings) {
  std::multimap<int, const plan::PlanFinding*> by_node;
  for (const plan::PlanFinding& f : findings) by_node.emplace(f.node, &f);
  std::string out;
  for (const plan::PlanNode& n : plan.nodes) node_lines(plan, n, by_node, out);
  std::vector<std::string> totals;
  if (plan.planning_ms) totals.push_back("planning " + format_duration_ms(*plan.planning_ms));
  if (plan.execution_ms) totals.push_back("execution " + format_duration_ms(*plan.execution_ms));
  if (plan.jit_ms)
    totals.push_back(
        fmt::format("JIT {} ({} functions)", format_duration_ms(*plan.jit_ms), plan.jit_functions));
  if (plan.sqlite) {
    const plan::SqliteCounters& c = *plan.sqlite;
    totals.push_back(
        fmt::format("rows {}, full-scan steps {}, sorts {}, auto-index rows {}, VM steps {}",
                    format_count(c.rows), format_count(c.fullscan_steps), c.sorts,
                    format_count(c.autoindex_rows), format_count(c.vm_steps)));
  }
  if (!totals.empty()) out += fmt::format("{}\n", fmt::join(totals, " · "));
  return out;
}

std::string render_plans_text(const std::vector<PlanSection>& sections) {
  std::string out;
  for (const PlanSection& s : sections) {
    if (!out.empty()) out += "\n";
    std::string sql = truncate_to_width(one_line(s.sql), 400);
    out += fmt::format("== {}{}\n", s.fingerprint.empty() ? "" : s.fingerprint + "  ", sql);
    if (!s.error.empty()) {
      out += "   could not explain: " + s.error + "\n";
      continue;
    }
    if (s.generic_plan) out += "   (generic plan: parameters not known when planning)\n";
    if (!s.note.empty()) out += "   (" + s.note + ")\n";
    out += "\n" + render_plan_tree(s.plan, s.findings);
    if (s.findings.empty()) {
      out += "\nNo plan problems found.\n";
      continue;
    }
    out += "\n";
    for (const plan::PlanFinding& f : s.findings) {
      out += fmt::format("[{}] {}: {}\n", to_string(f.finding.severity), f.finding.rule,
                         f.finding.title);
      if (!f.finding.detail.empty()) out += "    " + f.finding.detail + "\n";
      if (!f.finding.recommendation.empty()) out += "    → " + f.finding.recommendation + "\n";
      if (!f.finding.fix_sql.empty()) {
        std::string fix = f.finding.fix_sql;
        for (size_t p = 0; (p = fix.find('\n', p)) != std::string::npos; p += 5)
          fix.replace(p, 1, "\n    ");
        out += "    " + fix + "\n";
      }
    }
  }
  // Conditions and statements come from the database and the input: no terminal escapes.
  std::string safe;
  for (const std::string& line : sanitized_lines(out)) safe += line + "\n";
  return safe;
}

}  // namespace querylens::report
