// PostgreSQL plan checks. Thresholds follow pev2 and explain.depesz.com; each finding names
// its node and the fix. Row counts from EXPLAIN ANALYZE are per loop: totals multiply by loops.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "plan/checks_engine.h"

namespace querylens::plan::detail {
namespace {

bool is_scan(const PlanNode& n) { return n.node_type.find("Scan") != std::string::npos; }

std::optional<int64_t> table_rows(const Plan& plan, const std::string& relation) {
  auto it = plan.table_rows.find(relation);
  if (it == plan.table_rows.end()) return std::nullopt;
  return it->second;
}

PlanFinding make(const PlanNode& n, std::string rule, Severity severity, std::string title) {
  PlanFinding f;
  f.node = n.id;
  f.finding.rule = std::move(rule);
  f.finding.severity = severity;
  f.finding.title = std::move(title);
  f.finding.plan_nodes.push_back(n.label());
  if (!n.relation.empty()) f.finding.tables.push_back(n.relation);
  return f;
}

std::string mb_for_kb(double kb) {
  // Round up to a power of two of megabytes, at least 8 MB: what a DBA would type.
  double mb = std::max(8.0, kb / 1024.0);
  double p = 8;
  while (p < mb && p < 65536) p *= 2;
  return fmt::format("{}MB", static_cast<int64_t>(p));
}

// Index advice for a node scanning `relation`, from the statement's own predicates.
// The inner side of a Nested Loop: a scan run once per outer row, looking rows up by the
// join key (possibly through Materialize / Memoize).
bool nested_loop_inner(const Plan& plan, const PlanNode& n) {
  int child = n.id;
  for (int p = n.parent; p >= 0; child = p, p = plan.nodes[static_cast<size_t>(p)].parent) {
    const PlanNode& a = plan.nodes[static_cast<size_t>(p)];
    if (a.node_type == "Materialize" || a.node_type == "Memoize") continue;
    return a.node_type == "Nested Loop" && a.children.size() >= 2 && a.children[1] == child;
  }
  return false;
}

void recommend_index(PlanFinding& f, const Plan& plan, const sql::StatementModel* model,
                     const PlanNode& n, std::string_view fallback) {
  std::vector<std::string> key = index_key_for(model, n.relation, nested_loop_inner(plan, n));
  f.finding.fix_sql = create_index_sql(n.relation, key);
  if (!key.empty()) {
    f.finding.recommendation = fmt::format(
        "An index on {} ({}) lets PostgreSQL fetch only the matching rows. Build it with "
        "CREATE INDEX CONCURRENTLY on a live table.",
        n.relation, fmt::join(key, ", "));
  } else {
    f.finding.recommendation = std::string(fallback);
  }
}

// ---- seq-scan-large-table ---------------------------------------------------------------
bool seq_scan_large_table(const Plan& plan, const PlanNode& n, const sql::StatementModel* model,
                          const CheckOptions& o, std::vector<PlanFinding>& out) {
  if (n.node_type != "Seq Scan" || n.relation.empty() || n.filter.empty()) return false;
  std::optional<int64_t> table = table_rows(plan, n.relation);
  double read = 0, kept = 0;
  if (n.has_actuals && !n.never_executed) {
    read = (n.actual_rows + n.rows_removed_by_filter) * n.actual_loops;
    kept = n.total_rows;
  } else if (table && *table > 0) {
    read = static_cast<double>(*table);
    kept = n.plan_rows;
  } else {
    return false;
  }
  double per_loop = n.has_actuals && n.actual_loops > 0 ? read / n.actual_loops : read;
  if (per_loop < static_cast<double>(o.large_table_rows) || read <= 0) return false;
  double fraction = kept / read;
  if (fraction > o.selective_fraction) return false;
  bool huge = per_loop >= 100.0 * static_cast<double>(o.large_table_rows);
  Severity sev = huge || n.exclusive_share >= 0.5 ? Severity::kHigh : Severity::kMedium;
  PlanFinding f = make(n, "seq-scan-large-table", sev,
                       fmt::format("Sequential scan of {} keeps {:.2g}% of the rows it reads",
                                   n.relation, fraction * 100));
  f.finding.detail =
      n.has_actuals
          ? fmt::format("Read {:.0f} row(s) to return {:.0f} (filter: {}){}.", read, kept, n.filter,
                        n.actual_loops > 1 ? fmt::format(", over {:.0f} loops", n.actual_loops)
                                           : std::string())
          : fmt::format(
                "The table holds about {} rows; the planner expects {:.0f} to pass "
                "the filter ({}).",
                table.value_or(0), kept, n.filter);
  recommend_index(f, plan, model, n,
                  fmt::format("Index the columns of the filter ({}) so PostgreSQL can fetch "
                              "the matching rows instead of reading the whole table.",
                              n.filter));
  out.push_back(std::move(f));
  return true;
}

// ---- filter-waste -----------------------------------------------------------------------
void filter_waste(const PlanNode& n, const CheckOptions& o, std::vector<PlanFinding>& out) {
  if (!n.has_actuals || n.never_executed) return;
  double removed = 0;
  std::string what;
  if (is_scan(n) && n.rows_removed_by_filter > 0) {
    removed = n.rows_removed_by_filter * n.actual_loops;
    what = n.filter;
  } else if (n.rows_removed_by_join_filter > 0) {
    removed = n.rows_removed_by_join_filter * n.actual_loops;
    what = n.join_filter;
  }
  if (removed < static_cast<double>(o.filter_waste_min_rows)) return;
  double share = removed / (removed + n.total_rows);
  if (share <= o.filter_waste_fraction) return;
  Severity sev = n.exclusive_share >= 0.3 ? Severity::kHigh : Severity::kMedium;
  PlanFinding f =
      make(n, "filter-waste", sev,
           fmt::format("{} discards {:.1f}% of the rows it reads", n.label(), share * 100));
  f.finding.detail = fmt::format("{:.0f} row(s) removed by the filter ({}), {:.0f} kept.", removed,
                                 what, n.total_rows);
  f.finding.recommendation =
      n.index.empty() ? "Move the filter into an index condition: index the filtered columns."
                      : fmt::format(
                            "Index {} finds rows the filter then throws away: extend its key with "
                            "the filtered columns, or use a partial index.",
                            n.index);
  out.push_back(std::move(f));
}

// ---- misestimate ------------------------------------------------------------------------
// +1: the planner expected too few rows (under-estimate), -1: too many, 0: fine.
int misestimate_direction(const PlanNode& n, const CheckOptions& o, double* factor) {
  if (!n.has_actuals || n.never_executed) return 0;
  double est = n.plan_rows, act = n.actual_rows;
  double big = std::max(est, act), small = std::max(1.0, std::min(est, act));
  *factor = big / small;
  if (*factor < o.misestimate_factor) return 0;
  if (big * std::max(1.0, n.actual_loops) < static_cast<double>(o.misestimate_min_rows)) return 0;
  return act > est ? 1 : -1;
}

// Nodes that stop reading early (under LIMIT, a merge join, a semi / anti join) return fewer
// rows than planned by design: their over-estimates are not mistakes.
bool stops_early(const Plan& plan, const PlanNode& n) {
  for (int p = n.parent; p >= 0; p = plan.nodes[static_cast<size_t>(p)].parent) {
    const PlanNode& a = plan.nodes[static_cast<size_t>(p)];
    if (a.node_type == "Limit" || a.node_type == "Merge Join" || a.join_type == "Semi" ||
        a.join_type == "Anti") {
      return true;
    }
    if (a.node_type == "Sort" || a.node_type == "Hash" || a.node_type == "Aggregate") break;
  }
  return false;
}

void misestimate(const Plan& plan, const PlanNode& n, const sql::StatementModel* model,
                 const CheckOptions& o, std::vector<PlanFinding>& out) {
  double factor = 0;
  int dir = misestimate_direction(n, o, &factor);
  if (dir == 0 || (dir < 0 && stops_early(plan, n))) return;
  // Report where the error starts: a node whose child is already off the same way inherits it.
  for (int c : n.children) {
    double cf = 0;
    if (misestimate_direction(plan.nodes[static_cast<size_t>(c)], o, &cf) == dir &&
        cf >= factor / 10)
      return;
  }
  Severity sev = factor >= 1000  ? Severity::kCritical
                 : factor >= 100 ? Severity::kHigh
                                 : Severity::kMedium;
  PlanFinding f = make(n, "misestimate", sev,
                       fmt::format("{}: planner {} rows {:.0f}×", n.label(),
                                   dir > 0 ? "under-estimated" : "over-estimated", factor));
  f.finding.detail = fmt::format(
      "Estimated {:.0f} row(s) per loop, got {:.0f}{}. Plans above this node were chosen for "
      "the wrong row count.",
      n.plan_rows, n.actual_rows,
      n.actual_loops > 1 ? fmt::format(" ({:.0f} loops)", n.actual_loops) : std::string());
  std::vector<std::string> cols;
  if (!n.relation.empty() && model != nullptr) {
    for (const sql::ColumnUse& c : model->columns) {
      bool eq = c.role == sql::ColumnRole::kEqualityFilter ||
                c.role == sql::ColumnRole::kRangeFilter || c.role == sql::ColumnRole::kInList;
      std::string_view t = c.table;
      if (size_t dot = t.rfind('.'); dot != std::string_view::npos) t = t.substr(dot + 1);
      if (eq && t == n.relation && std::find(cols.begin(), cols.end(), c.column) == cols.end())
        cols.push_back(c.column);
    }
  }
  if (!n.relation.empty()) {
    f.finding.fix_sql = fmt::format("ANALYZE {};", quote_identifier(n.relation));
    if (cols.size() >= 2) {
      std::vector<std::string> quoted;
      for (const std::string& c : cols) quoted.push_back(quote_identifier(c));
      f.finding.fix_sql += fmt::format(
          "\nCREATE STATISTICS {} (dependencies, ndistinct, mcv) ON {} FROM {};\nANALYZE {};",
          quote_identifier(n.relation + "_" + fmt::format("{}", fmt::join(cols, "_")) + "_stats"),
          fmt::join(quoted, ", "), quote_identifier(n.relation), quote_identifier(n.relation));
    }
    f.finding.recommendation =
        cols.size() >= 2
            ? "Refresh the statistics; the filter combines correlated columns, which the "
              "planner assumes independent: extended statistics teach it otherwise."
            : "Refresh the table's statistics (ANALYZE); if the estimate stays off, raise the "
              "column's statistics target or add extended statistics.";
  } else {
    f.finding.recommendation =
        "ANALYZE the tables below this node; a join or aggregate estimate that stays off "
        "usually means correlated columns (CREATE STATISTICS) or a condition the planner "
        "cannot estimate (an expression, a function).";
  }
  out.push_back(std::move(f));
}

// ---- disk-spill -------------------------------------------------------------------------
void disk_spill(const PlanNode& n, const sql::StatementModel* model,
                std::vector<PlanFinding>& out) {
  double need_kb = 0;
  std::string what;
  if (n.node_type == "Sort" &&
      (n.sort_space_type == "Disk" || n.sort_method.rfind("external", 0) == 0)) {
    what = fmt::format("sorts on disk ({}, {} kB)", n.sort_method, n.sort_space_kb);
    need_kb = 2.0 * static_cast<double>(n.sort_space_kb);  // in memory it takes about twice
  } else if (n.node_type == "Hash" && (n.hash_batches > 1 || n.original_hash_batches > 1)) {
    what = fmt::format("hashes in {} batches (peak {} kB per batch)", n.hash_batches,
                       n.peak_memory_kb);
    need_kb = static_cast<double>(n.peak_memory_kb) * static_cast<double>(n.hash_batches);
  } else if (n.node_type == "Aggregate" && (n.disk_usage_kb > 0 || n.hashagg_batches > 1)) {
    what = fmt::format("aggregates on disk ({} kB written, {} batches)", n.disk_usage_kb,
                       n.hashagg_batches);
    need_kb = static_cast<double>(n.peak_memory_kb + n.disk_usage_kb);
  } else {
    return;
  }
  Severity sev = n.exclusive_share >= 0.3 ? Severity::kHigh : Severity::kMedium;
  PlanFinding f = make(n, "disk-spill", sev, fmt::format("{} {}", n.node_type, what));
  f.finding.detail = fmt::format(
      "work_mem was too small for this {}: it wrote temporary files{}.", n.node_type,
      n.buffers.temp_written > 0 ? fmt::format(" ({} blocks)", n.buffers.temp_written) : "");
  f.finding.fix_sql = fmt::format("SET work_mem = '{}';  -- this session only", mb_for_kb(need_kb));
  f.finding.recommendation =
      "Give this query more work_mem (per session or per role, not globally: every sort and "
      "hash of every connection may use it)";
  if (n.node_type == "Sort" && model != nullptr) {
    bool ordered =
        std::any_of(model->columns.begin(), model->columns.end(),
                    [](const sql::ColumnUse& c) { return c.role == sql::ColumnRole::kOrderBy; });
    if (ordered) f.finding.recommendation += ", or an index that returns the rows already in order";
  }
  f.finding.recommendation += ".";
  out.push_back(std::move(f));
}

// ---- lossy-bitmap -----------------------------------------------------------------------
void lossy_bitmap(const PlanNode& n, const CheckOptions& o, std::vector<PlanFinding>& out) {
  if (n.node_type != "Bitmap Heap Scan") return;
  double rechecked = n.rows_removed_by_index_recheck * std::max(1.0, n.actual_loops);
  if (n.lossy_heap_blocks == 0 && rechecked < static_cast<double>(o.lossy_min_rows)) return;
  PlanFinding f =
      make(n, "lossy-bitmap", Severity::kMedium,
           fmt::format("{} rechecks {} lossy block(s)", n.label(), n.lossy_heap_blocks));
  f.finding.detail = fmt::format(
      "The bitmap did not fit in work_mem and degraded to whole pages: {} exact and {} lossy "
      "heap blocks, {:.0f} row(s) removed by the index recheck ({}).",
      n.exact_heap_blocks, n.lossy_heap_blocks, rechecked, n.recheck_cond);
  f.finding.fix_sql = "SET work_mem = '64MB';  -- this session only";
  f.finding.recommendation =
      "Raise work_mem for this query so the bitmap stays exact, or make the index more "
      "selective so fewer pages qualify.";
  out.push_back(std::move(f));
}

// ---- nested-loop-blowup -----------------------------------------------------------------
void nested_loop_blowup(const Plan& plan, const PlanNode& n, const sql::StatementModel* model,
                        const CheckOptions& o, std::vector<PlanFinding>& out) {
  if (n.node_type != "Nested Loop" || n.children.size() < 2) return;
  const PlanNode& outer = plan.nodes[static_cast<size_t>(n.children[0])];
  const PlanNode* inner = &plan.nodes[static_cast<size_t>(n.children[1])];
  // Look through Materialize / Memoize to the scan they wrap.
  while ((inner->node_type == "Materialize" || inner->node_type == "Memoize") &&
         !inner->children.empty()) {
    inner = &plan.nodes[static_cast<size_t>(inner->children[0])];
  }
  if (!is_scan(*inner)) return;
  double loops = inner->has_actuals ? inner->actual_loops : outer.plan_rows;
  if (loops < static_cast<double>(o.nested_loop_min_loops)) return;
  bool seq = inner->node_type == "Seq Scan";
  Severity sev = !inner->has_actuals ? Severity::kLow
                 : seq || loops >= 100.0 * static_cast<double>(o.nested_loop_min_loops)
                     ? Severity::kHigh
                     : Severity::kMedium;
  PlanFinding f = make(*inner, "nested-loop-blowup", sev,
                       fmt::format("Nested loop runs {} {:.0f} times", inner->label(), loops));
  f.finding.plan_nodes.insert(f.finding.plan_nodes.begin(), n.label());
  f.finding.detail =
      inner->has_actuals
          ? fmt::format(
                "The inner side ran {:.0f} times ({:.3f} ms in all), once per outer row "
                "of {}.",
                loops, inner->inclusive_ms, outer.label())
          : fmt::format(
                "The planner expects {:.0f} outer rows from {}: the inner scan runs "
                "once for each.",
                loops, outer.label());
  if (seq) {
    recommend_index(f, plan, model, *inner,
                    "Index the inner table's join column, or let the planner hash the inner "
                    "side once (check the outer estimate with ANALYZE).");
  } else {
    f.finding.recommendation =
        "Each loop is cheap but there are many: check the outer row estimate (ANALYZE); a "
        "hash or merge join reads the inner side once.";
  }
  out.push_back(std::move(f));
}

// ---- heap-fetches -----------------------------------------------------------------------
void heap_fetches(const PlanNode& n, const CheckOptions& o, std::vector<PlanFinding>& out) {
  if (n.node_type != "Index Only Scan" || n.heap_fetches < o.heap_fetches_min) return;
  double rows = std::max(1.0, n.total_rows);
  double ratio = static_cast<double>(n.heap_fetches) / rows;
  if (ratio < 0.1) return;
  PlanFinding f = make(n, "heap-fetches", ratio >= 0.5 ? Severity::kMedium : Severity::kLow,
                       fmt::format("{} visits the heap for {:.0f}% of its rows", n.label(),
                                   std::min(100.0, ratio * 100)));
  f.finding.detail = fmt::format(
      "{} heap fetches for {:.0f} row(s): pages not marked all-visible in the visibility map "
      "must be read from the table, so the index-only scan is not index-only.",
      n.heap_fetches, n.total_rows);
  f.finding.fix_sql = fmt::format("VACUUM (ANALYZE) {};", quote_identifier(n.relation));
  f.finding.recommendation =
      "VACUUM the table to refresh its visibility map; if it changes often, make autovacuum "
      "visit it sooner (autovacuum_vacuum_scale_factor for this table).";
  out.push_back(std::move(f));
}

// ---- planning-overhead / jit-overhead ---------------------------------------------------
void plan_level(const Plan& plan, const CheckOptions& o, std::vector<PlanFinding>& out) {
  if (!plan.analyzed || !plan.execution_ms) return;
  double exec = *plan.execution_ms;
  if (plan.planning_ms && *plan.planning_ms > exec && *plan.planning_ms >= o.planning_min_ms) {
    PlanFinding f;
    f.finding.rule = "planning-overhead";
    f.finding.severity = *plan.planning_ms >= 10 ? Severity::kMedium : Severity::kLow;
    f.finding.title = fmt::format("Planning ({:.3f} ms) takes longer than execution ({:.3f} ms)",
                                  *plan.planning_ms, exec);
    f.finding.detail = "Each call pays the planner again unless the statement is prepared.";
    f.finding.recommendation =
        "Use a prepared statement (server-side) so the plan is reused; with many partitions "
        "or joins, check partition pruning and join_collapse_limit.";
    out.push_back(std::move(f));
  }
  if (plan.jit_ms && exec > 0 && *plan.jit_ms > o.jit_share * exec) {
    double share = *plan.jit_ms / exec;
    PlanFinding f;
    f.finding.rule = "jit-overhead";
    f.finding.severity = share >= 0.5 ? Severity::kMedium : Severity::kLow;
    f.finding.title =
        fmt::format("JIT compilation takes {:.0f}% of the execution time", share * 100);
    f.finding.detail = fmt::format("{:.3f} ms compiling {} function(s) for a {:.3f} ms execution.",
                                   *plan.jit_ms, plan.jit_functions, exec);
    f.finding.fix_sql = "SET jit = off;  -- this session only";
    f.finding.recommendation =
        "JIT pays off on long analytic queries only: turn it off for this workload, or raise "
        "jit_above_cost so short queries are not compiled.";
    out.push_back(std::move(f));
  }
}

}  // namespace

void check_postgres_plan(const Plan& plan, const sql::StatementModel* model,
                         const CheckOptions& options, std::vector<PlanFinding>& out) {
  for (const PlanNode& n : plan.nodes) {
    bool seq = seq_scan_large_table(plan, n, model, options, out);
    if (!seq) filter_waste(n, options, out);
    misestimate(plan, n, model, options, out);
    disk_spill(n, model, out);
    lossy_bitmap(n, options, out);
    nested_loop_blowup(plan, n, model, options, out);
    heap_fetches(n, options, out);
  }
  plan_level(plan, options, out);
}

}  // namespace querylens::plan::detail
