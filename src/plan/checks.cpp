// check_plan(): the engine's checks, then hot-node; and the helpers every check shares.
#include "querylens/plan/checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "plan/checks_engine.h"
#include "querylens/sql/quote.h"
#include "querylens/sql/statement_model.h"

namespace querylens::plan {
namespace detail {
namespace {

std::string_view last_part(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

bool same_name(std::string_view a, std::string_view b) {
  a = last_part(a);
  b = last_part(b);
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string quote_identifier(std::string_view name) { return sql::quote_identifier(name); }

std::vector<std::string> index_key_for(const sql::StatementModel* model, std::string_view table,
                                       bool join_keys) {
  std::vector<std::string> key;
  if (model == nullptr || !model->analyzed) return key;
  auto add = [&](const std::string& column) {
    if (column.empty() || column == "*") return;
    if (std::find(key.begin(), key.end(), column) == key.end()) key.push_back(column);
  };
  auto on_table = [&](const sql::ColumnUse& c) { return same_name(c.table, table); };
  using sql::ColumnRole;
  // Equality-like predicates first: any order of them serves the lookup.
  for (const sql::ColumnUse& c : model->columns) {
    if (!on_table(c)) continue;
    if (c.role == ColumnRole::kEqualityFilter || (join_keys && c.role == ColumnRole::kJoinKey) ||
        c.role == ColumnRole::kInList || (c.role == ColumnRole::kIsNull && !c.negated)) {
      if (!c.negated) add(c.column);
    }
  }
  // Then one range column: the index can only range-scan on the last column it uses.
  bool ranged = false;
  for (const sql::ColumnUse& c : model->columns) {
    if (on_table(c) && !c.negated &&
        (c.role == ColumnRole::kRangeFilter || c.role == ColumnRole::kLikePrefix)) {
      add(c.column);
      ranged = true;
      break;
    }
  }
  // Without a range, the ORDER BY columns let the index return rows in order.
  if (!ranged) {
    for (const sql::ColumnUse& c : model->columns) {
      if (on_table(c) && c.role == ColumnRole::kOrderBy) add(c.column);
    }
  }
  if (key.size() > 4) key.resize(4);
  return key;
}

std::string create_index_sql(std::string_view table, const std::vector<std::string>& columns) {
  if (columns.empty()) return {};
  std::string cols;
  for (const std::string& c : columns) {
    if (!cols.empty()) cols += ", ";
    cols += quote_identifier(c);
  }
  std::string target = sql::quote_qualified(table);
  return fmt::format("CREATE INDEX ON {} ({});", target, cols);
}

}  // namespace detail

namespace {

// hot-node: where the time goes, the place to look first (pev2's "slowest node").
void check_hot_node(const Plan& plan, const CheckOptions& options, std::vector<PlanFinding>& out) {
  if (!plan.analyzed || plan.nodes.size() < 2) return;
  const PlanNode* hot = nullptr;
  for (const PlanNode& n : plan.nodes) {
    if (hot == nullptr || n.exclusive_ms > hot->exclusive_ms) hot = &n;
  }
  if (hot == nullptr || hot->exclusive_share < options.hot_node_share ||
      hot->exclusive_ms < options.hot_node_min_ms) {
    return;
  }
  PlanFinding f;
  f.node = hot->id;
  f.finding.rule = "hot-node";
  f.finding.severity = hot->exclusive_share >= 0.9 ? Severity::kMedium : Severity::kLow;
  f.finding.title = fmt::format("{} takes {:.0f}% of the execution time", hot->label(),
                                hot->exclusive_share * 100);
  f.finding.detail = fmt::format(
      "{:.3f} ms of {:.3f} ms is spent in this node itself (not counting its children), {} "
      "row(s) over {} loop(s).",
      hot->exclusive_ms, plan.execution_ms.value_or(plan.root().inclusive_ms), hot->total_rows,
      hot->actual_loops);
  f.finding.recommendation =
      "Start here: the other findings on this node say what makes it slow; a faster plan "
      "elsewhere cannot save more than the remaining share.";
  f.finding.plan_nodes.push_back(hot->label());
  if (!hot->relation.empty()) f.finding.tables.push_back(hot->relation);
  out.push_back(std::move(f));
}

}  // namespace

std::vector<PlanFinding> check_plan(const Plan& plan, const sql::StatementModel* model,
                                    const CheckOptions& options) {
  std::vector<PlanFinding> out;
  if (plan.empty()) return out;
  if (plan.engine == Engine::kPostgres) {
    detail::check_postgres_plan(plan, model, options, out);
  } else {
    detail::check_sqlite_plan(plan, model, options, out);
  }
  check_hot_node(plan, options, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const PlanFinding& a, const PlanFinding& b) { return a.node < b.node; });
  return out;
}

const std::vector<std::string_view>& plan_rule_ids() {
  static const std::vector<std::string_view> ids = {
      "seq-scan-large-table", "misestimate",
      "filter-waste",         "disk-spill",
      "lossy-bitmap",         "nested-loop-blowup",
      "heap-fetches",         "hot-node",
      "planning-overhead",    "jit-overhead",
      "sqlite-full-scan",     "sqlite-automatic-index",
      "sqlite-temp-btree",    "sqlite-correlated-subquery"};
  return ids;
}

}  // namespace querylens::plan
