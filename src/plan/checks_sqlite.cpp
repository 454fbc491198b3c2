// SQLite plan checks: full scans of large tables, automatic indexes, temp B-trees for sorting
// and correlated subqueries.
//
// EXPLAIN QUERY PLAN prints no estimates, so "large" comes from plan.table_rows (sqlite_stat1
// or count(*), filled by the runner) and, after a real run, from the statement's counters,
// which SQLite keeps for the statement as a whole, not per node.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "plan/checks_engine.h"
#include "querylens/sql/quote.h"

namespace querylens::plan::detail {
namespace {

using sql::ColumnRole;

// Rows in `table` when the runner could tell, -1 otherwise.
int64_t rows_of(const Plan& plan, const std::string& table) {
  auto it = plan.table_rows.find(table);
  return it == plan.table_rows.end() ? -1 : it->second;
}

std::string rows_text(int64_t rows) { return rows < 0 ? "unknown" : fmt::format("{}", rows); }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// SQLite's CREATE INDEX needs a name; create_index_sql() writes PostgreSQL's nameless form,
// which SQLite rejects. Same key, named as `querylens advise` names it (<table>_<columns>_idx).
std::string sqlite_index_sql(const std::string& table, const std::vector<std::string>& columns) {
  if (table.empty() || columns.empty()) return {};
  std::vector<std::string> parts{table};
  std::string cols;
  for (const std::string& c : columns) {
    parts.push_back(c);
    cols += (cols.empty() ? "" : ", ") + quote_identifier(c);
  }
  return fmt::format("CREATE INDEX {} ON {} ({});", quote_identifier(sql::index_name(parts)),
                     quote_identifier(table), cols);
}

// Names a plan SCANs that are not tables: the results of CO-ROUTINE / MATERIALIZE lines and
// the CTEs and FROM-subqueries the statement names. No index can be created on those.
std::set<std::string> derived_names(const Plan& plan, const sql::StatementModel* model) {
  std::set<std::string> names;
  for (const PlanNode& n : plan.nodes) {
    if ((n.node_type == "CO-ROUTINE" || n.node_type == "MATERIALIZE") && !n.subplan_name.empty()) {
      names.insert(n.subplan_name);
    }
  }
  if (model != nullptr) {
    for (const sql::TableRef& t : model->tables) {
      if (t.source == sql::TableSource::kTable) continue;
      if (!t.name.empty()) names.insert(t.name);
      if (!t.alias.empty()) names.insert(t.alias);
    }
  }
  return names;
}

PlanFinding finding_at(const PlanNode& node, std::string_view rule, Severity severity) {
  PlanFinding f;
  f.node = node.id;
  f.finding.rule = std::string(rule);
  f.finding.severity = severity;
  f.finding.plan_nodes.push_back(node.label());
  if (!node.relation.empty()) f.finding.tables.push_back(node.relation);
  return f;
}

// sqlite-full-scan: every row of a large table read, where an index could have searched.
void check_full_scans(const Plan& plan, const sql::StatementModel* model,
                      const CheckOptions& options, const std::set<std::string>& derived,
                      std::vector<PlanFinding>& out) {
  const int64_t steps = plan.analyzed && plan.sqlite ? plan.sqlite->fullscan_steps : 0;
  for (const PlanNode& n : plan.nodes) {
    // "USING INDEX i" (a scan in index order) and "USING COVERING INDEX" (count(*) reading
    // the smallest index) are SQLite's deliberate choices; a virtual table scans itself.
    if (n.node_type != "SCAN" || n.relation.empty() || !n.index.empty() || n.covering_index ||
        derived.count(n.relation) > 0 || n.detail.find(" VIRTUAL TABLE") != std::string::npos) {
      continue;
    }
    const int64_t rows = rows_of(plan, n.relation);
    const bool large = rows >= options.large_table_rows;
    const bool stepped = steps >= options.sqlite_full_scan_steps && steps > 0;
    if (!large && !stepped) continue;
    const std::vector<std::string> key = index_key_for(model, n.relation);
    const bool high = !key.empty() && rows >= options.large_table_rows * 10;
    PlanFinding f = finding_at(n, "sqlite-full-scan", high ? Severity::kHigh : Severity::kMedium);
    f.finding.title = fmt::format("Full scan of {} ({} rows)", n.relation, rows_text(rows));
    f.finding.detail =
        fmt::format("{}: SQLite reads every row of {} ({} rows; large from {}).", n.label(),
                    n.relation, rows_text(rows), options.large_table_rows);
    if (plan.analyzed && plan.sqlite) {
      f.finding.detail += fmt::format(" The run stepped {} time(s) through full scans.", steps);
    }
    if (key.empty()) {
      f.finding.recommendation = fmt::format(
          "The statement does not filter {} by a column an index could serve: add a selective "
          "condition, or accept the scan if it needs every row.",
          n.relation);
    } else {
      f.finding.recommendation = fmt::format(
          "Index {} on ({}) — the columns the statement filters it by — so SQLite can SEARCH "
          "the rows it needs instead of reading them all.",
          n.relation, join(key));
      f.finding.fix_sql = sqlite_index_sql(n.relation, key);
    }
    out.push_back(std::move(f));
  }
}

// sqlite-automatic-index: SQLite found no index for a lookup and builds one on every run.
void check_automatic_indexes(const Plan& plan, const std::set<std::string>& derived,
                             std::vector<PlanFinding>& out) {
  const int64_t autoindex_rows = plan.analyzed && plan.sqlite ? plan.sqlite->autoindex_rows : 0;
  const Severity severity = autoindex_rows >= 10000 ? Severity::kHigh : Severity::kMedium;
  const std::string counted =
      autoindex_rows > 0
          ? fmt::format(" This run put {} row(s) into automatic indexes.", autoindex_rows)
          : "";
  bool any = false;
  for (const PlanNode& n : plan.nodes) {
    if (!n.automatic_index) continue;
    any = true;
    PlanFinding f = finding_at(n, "sqlite-automatic-index", severity);
    // Before 3.36 a FROM-subquery read "SEARCH SUBQUERY 1 USING AUTOMATIC …": no table.
    const std::string& target = n.relation.empty() ? n.subplan_name : n.relation;
    const std::string cols = join(n.index_columns);
    f.finding.title =
        fmt::format("SQLite builds a throwaway index on {} ({}) on every run", target, cols);
    f.finding.detail = fmt::format(
        "{}: no index on {} serves the lookup on ({}), so SQLite reads all of it into a "
        "temporary index each time the statement runs, then drops it.{}",
        n.label(), target, cols, counted);
    if (n.relation.empty() || derived.count(n.relation) > 0) {
      f.finding.recommendation = fmt::format(
          "{} is a subquery or CTE result, which cannot be indexed: join the base table "
          "directly so an index on it can serve the lookup.",
          target);
    } else if (n.index_columns.empty()) {
      f.finding.recommendation =
          fmt::format("Create an index on {} for the column(s) the join looks up.", target);
    } else {
      f.finding.recommendation = fmt::format("Create the index once: {} on ({}).", target, cols);
      f.finding.fix_sql = sqlite_index_sql(n.relation, n.index_columns);
    }
    out.push_back(std::move(f));
  }
  if (any || autoindex_rows == 0) return;
  // The counters saw one the plan did not print: report it on the plan as a whole.
  PlanFinding f;
  f.finding.rule = "sqlite-automatic-index";
  f.finding.severity = severity;
  f.finding.title = "SQLite built a throwaway index while running the statement";
  f.finding.detail = fmt::format("The plan shows none, yet{}", counted);
  f.finding.recommendation =
      "Look for a join or IN on a column without an index and create that index.";
  out.push_back(std::move(f));
}

// The one table `columns` of `role` name in the model; empty when none or several.
std::string sort_table(const sql::StatementModel* model, ColumnRole role) {
  std::set<std::string> tables;
  if (model == nullptr) return {};
  for (const sql::ColumnUse& c : model->columns) {
    if (c.role == role && !c.table.empty()) tables.insert(c.table);
  }
  return tables.size() == 1 ? *tables.begin() : std::string();
}

// The index that returns rows already in order: equality columns, then the sort columns.
std::vector<std::string> sort_key(const sql::StatementModel* model, const std::string& table,
                                  ColumnRole role) {
  std::vector<std::string> key;
  if (model == nullptr || table.empty()) return key;
  auto add = [&](const sql::ColumnUse& c) {
    if (c.table != table || c.negated || c.column.empty() || c.column == "*") return;
    if (std::find(key.begin(), key.end(), c.column) == key.end()) key.push_back(c.column);
  };
  for (const sql::ColumnUse& c : model->columns) {
    if (c.role == ColumnRole::kEqualityFilter) add(c);
  }
  const size_t equalities = key.size();
  for (const sql::ColumnUse& c : model->columns) {
    if (c.role == role) add(c);
  }
  if (key.size() == equalities) key.clear();  // no sort column of its own: nothing to recommend
  return key;
}

// sqlite-temp-btree: rows sorted (or de-duplicated) in a temporary B-tree on every run.
void check_temp_btrees(const Plan& plan, const sql::StatementModel* model,
                       const CheckOptions& options, std::vector<PlanFinding>& out) {
  for (const PlanNode& n : plan.nodes) {
    if (n.node_type != "USE TEMP B-TREE") continue;
    const std::string_view line = n.detail;
    const bool order_by = line.find("ORDER BY") != std::string_view::npos;
    const bool group_by = line.find("GROUP BY") != std::string_view::npos;
    const bool distinct = line.find("DISTINCT") != std::string_view::npos;
    if (!order_by && !group_by && !distinct) continue;
    // "RIGHT PART OF ORDER BY" / "LAST TERM(S) OF ORDER BY": an index already orders the
    // leading terms, SQLite sorts only within groups of equal leading values.
    const bool partial = line.find("RIGHT PART") != std::string_view::npos ||
                         line.find("LAST ") != std::string_view::npos;
    const std::string_view what = group_by ? "GROUP BY" : order_by ? "ORDER BY" : "DISTINCT";
    std::string table;
    std::vector<std::string> key;
    if (!distinct) {
      const ColumnRole role = group_by ? ColumnRole::kGroupBy : ColumnRole::kOrderBy;
      table = sort_table(model, role);
      key = sort_key(model, table, role);
    }
    const int64_t rows = table.empty() ? -1 : rows_of(plan, table);
    const bool sorted = plan.analyzed && plan.sqlite && plan.sqlite->sorts > 0;
    const Severity severity =
        !partial && sorted && rows >= options.large_table_rows ? Severity::kMedium : Severity::kLow;
    PlanFinding f = finding_at(n, "sqlite-temp-btree", severity);
    if (!table.empty()) f.finding.tables.push_back(table);
    f.finding.title = partial
                          ? fmt::format("SQLite sorts part of the {} in a temporary B-tree", what)
                          : fmt::format("SQLite sorts for {} in a temporary B-tree", what);
    f.finding.detail = fmt::format(
        "{}: the rows are put into a temporary B-tree and read back in {} order on every "
        "run{}.",
        n.label(), what,
        table.empty() ? "" : fmt::format(" ({} has {} rows)", table, rows_text(rows)));
    if (sorted) f.finding.detail += fmt::format(" The run sorted {} time(s).", plan.sqlite->sorts);
    if (key.empty()) {
      f.finding.recommendation = fmt::format(
          "An index whose key starts with the equality-filtered columns and continues with "
          "the {} columns lets SQLite read rows already in order.",
          what);
    } else {
      f.finding.recommendation = fmt::format(
          "Index {} on ({}): equality columns first, then the {} columns, so SQLite reads "
          "the rows already in order and skips the sort.",
          table, join(key), what);
      f.finding.fix_sql = sqlite_index_sql(table, key);
    }
    out.push_back(std::move(f));
  }
}

// sqlite-correlated-subquery: a subquery SQLite re-runs for every row of the outer query.
void check_correlated_subqueries(const Plan& plan, const sql::StatementModel* model,
                                 const std::set<std::string>& derived,
                                 std::vector<PlanFinding>& out) {
  for (const PlanNode& n : plan.nodes) {
    if (!n.node_type.starts_with("CORRELATED ")) continue;
    // Its own lines follow it, deeper, in pre-order: the first table it reads.
    const PlanNode* inner = nullptr;
    for (size_t i = static_cast<size_t>(n.id) + 1;
         i < plan.nodes.size() && plan.nodes[i].depth > n.depth; ++i) {
      const PlanNode& c = plan.nodes[i];
      if ((c.node_type == "SCAN" || c.node_type == "SEARCH") && !c.relation.empty()) {
        inner = &c;
        break;
      }
    }
    PlanFinding f = finding_at(n, "sqlite-correlated-subquery", Severity::kMedium);
    const bool scans = inner != nullptr && inner->node_type == "SCAN" && inner->index.empty() &&
                       !inner->covering_index && derived.count(inner->relation) == 0;
    if (inner != nullptr) f.finding.tables.push_back(inner->relation);
    f.finding.title = fmt::format("{} runs once for every outer row", n.label());
    if (inner == nullptr) {
      f.finding.detail = fmt::format(
          "{}: SQLite evaluates the subquery again for each row of the outer "
          "query, because it refers to that row.",
          n.label());
    } else {
      f.finding.detail = fmt::format(
          "{}: SQLite evaluates the subquery again for each row of the outer query, each time "
          "{} {} ({} rows).",
          n.label(), scans ? "reading every row of" : "searching", inner->relation,
          rows_text(rows_of(plan, inner->relation)));
    }
    std::vector<std::string> key;
    if (scans) key = index_key_for(model, inner->relation);
    f.finding.recommendation =
        "Rewrite it as a JOIN (with GROUP BY for an aggregate) so SQLite reads the inner table "
        "once";
    if (!key.empty()) {
      f.finding.recommendation += fmt::format(
          ", or index {} on ({}), the subquery's lookup column(s), so each run "
          "is a search instead of a scan.",
          inner->relation, join(key));
      f.finding.fix_sql = sqlite_index_sql(inner->relation, key);
    } else {
      f.finding.recommendation += ", or make sure the subquery's lookup column is indexed.";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

void check_sqlite_plan(const Plan& plan, const sql::StatementModel* model,
                       const CheckOptions& options, std::vector<PlanFinding>& out) {
  const std::set<std::string> derived = derived_names(plan, model);
  check_full_scans(plan, model, options, derived, out);
  check_automatic_indexes(plan, derived, out);
  check_temp_btrees(plan, model, options, out);
  check_correlated_subqueries(plan, model, derived, out);
}

}  // namespace querylens::plan::detail
