// SQLite: EXPLAIN QUERY PLAN, the sizes of the tables the plan reads, and with --analyze a
// real run inside a transaction that is always rolled back, measured with sqlite3_stmt_status.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "explain/engine.h"
#include "plan/checks_engine.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/plan/parse.h"

namespace querylens::explain::detail {
namespace {

int64_t as_int(const db::Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    int64_t n = 0;
    for (char c : *s) {
      if (c < '0' || c > '9' || n > INT64_MAX / 10 - 9) break;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return 0;
}

std::string as_text(const db::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return db::is_null(value) ? std::string() : db::to_display(value);
}

int column_of(const db::ResultSet& rs, std::string_view name, int fallback) {
  auto it = std::find(rs.columns.begin(), rs.columns.end(), name);
  return it == rs.columns.end() ? fallback : static_cast<int>(it - rs.columns.begin());
}

// EXPLAIN QUERY PLAN only plans: unbound parameters are fine, nothing runs.
plan::Plan query_plan(db::Connection& connection, const std::string& sql) {
  db::ResultSet rs = connection.query("EXPLAIN QUERY PLAN " + sql);
  const int last = static_cast<int>(rs.columns.size()) - 1;
  const int id = column_of(rs, "id", 0), parent = column_of(rs, "parent", 1);
  const int detail = column_of(rs, "detail", last);
  std::vector<plan::SqlitePlanRow> rows;
  for (const std::vector<db::Value>& row : rs.rows) {
    auto cell = [&](int c) {
      return c >= 0 && c < static_cast<int>(row.size()) ? row[c] : db::Value{};
    };
    rows.push_back({static_cast<int>(as_int(cell(id))), static_cast<int>(as_int(cell(parent))),
                    as_text(cell(detail))});
  }
  return plan::parse_sqlite_plan(rows);
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Since 3.36 a plan line names a table by the alias the query gave it ("SCAN p"): put the
// table back in `relation` (and the alias in `alias`) so checks and the statement model
// agree on names. Older versions printed both ("SCAN TABLE posts AS p").
void resolve_aliases(plan::Plan& plan, const sql::StatementModel& model) {
  for (plan::PlanNode& node : plan.nodes) {
    if (node.relation.empty() || !node.alias.empty()) continue;
    auto is_name = [&](const sql::TableRef& t) { return same_name(t.name, node.relation); };
    if (std::any_of(model.tables.begin(), model.tables.end(), is_name)) continue;
    for (const sql::TableRef& t : model.tables) {
      if (!t.name.empty() && same_name(t.alias, node.relation)) {
        node.alias = node.relation;
        node.relation = t.name;
        break;
      }
    }
  }
}

// Rows in `table`: what ANALYZE stored in sqlite_stat1 (the first number of a stat line is
// the rows of that index, so of the table), else count(*), which reads the table's smallest
// index: cheap next to a statement worth explaining. nullopt when neither can be read
// (a CTE or subquery name, a table in another schema).
std::optional<int64_t> table_rows(db::Connection& connection, const std::string& table,
                                  bool have_stat1) {
  try {
    if (have_stat1) {
      db::ResultSet stats = connection.query(
          "SELECT stat FROM sqlite_stat1 WHERE tbl = ? COLLATE NOCASE", {db::Value(table)});
      int64_t most = -1;  // a partial index holds fewer rows than its table: take the largest
      for (const auto& row : stats.rows) most = std::max(most, as_int(row.front()));
      if (most >= 0) return most;
    }
    db::ResultSet count =
        connection.query("SELECT count(*) FROM " + plan::detail::quote_identifier(table));
    if (!count.rows.empty() && !count.rows.front().empty()) return as_int(count.rows[0][0]);
  } catch (const Error&) {
    // Not a table after all: the checks go without its size.
  }
  return std::nullopt;
}

void read_table_rows(db::Connection& connection, plan::Plan& plan) {
  std::set<std::string> relations;
  for (const plan::PlanNode& node : plan.nodes) {
    if (!node.relation.empty()) relations.insert(node.relation);
  }
  if (relations.empty()) return;
  // Asked first so a database never analyzed does not fail a query per table.
  const bool have_stat1 = !connection
                               .query(
                                   "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                   "name = 'sqlite_stat1'")
                               .rows.empty();
  for (const std::string& relation : relations) {
    if (std::optional<int64_t> rows = table_rows(connection, relation, have_stat1)) {
      plan.table_rows[relation] = *rows;
    }
  }
}

// The connection's own timeout comes back however the run ends.
class TimeoutScope {
 public:
  TimeoutScope(db::Connection& connection, int64_t ms)
      : connection_(connection), previous_(connection.statement_timeout()) {
    connection_.set_statement_timeout(ms);
  }
  ~TimeoutScope() {
    try {
      connection_.set_statement_timeout(previous_);
    } catch (...) {
      // Destructors must not throw; SQLite's setter cannot fail for a value it held before.
    }
  }
  TimeoutScope(const TimeoutScope&) = delete;
  TimeoutScope& operator=(const TimeoutScope&) = delete;

 private:
  db::Connection& connection_;
  int64_t previous_;
};

// Leaves the cached statement reusable (and its execution finished) however the run ends.
class ResetOnExit {
 public:
  explicit ResetOnExit(db::Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  db::Statement& statement_;
};

// Values for the statement's parameters: $n by name where the statement uses $n (SQLite
// numbers named parameters in order of appearance, so "$2 … $1" makes $2 index 1), else
// by position; NULL for any value not given.
void bind_params(db::Statement& statement, const ExplainOptions& options, int max_param) {
  const int count = statement.parameter_count();
  for (int n = 1; n <= max_param; ++n) {
    int index = statement.parameter_index(fmt::format("${}", n));
    if (index == 0) index = n;
    if (index > count) continue;  // ":a … :a" counts twice in max_param, once in SQLite
    const size_t i = static_cast<size_t>(n - 1);
    if (i < options.params.size() && options.params[i]) {
      statement.bind(index, db::Value(*options.params[i]));
    } else {
      statement.bind(index, db::Value{});
    }
  }
}

// Counters are 32-bit inside SQLite and wrap; the difference modulo 2^32 stays right for any
// run shorter than 4 billion steps.
int64_t grew(int64_t before, int64_t after) {
  return static_cast<int64_t>(static_cast<uint32_t>(after) - static_cast<uint32_t>(before));
}

void run_analyzed(db::Connection& connection, const ExplainOptions& options,
                  ExplainResult& result) {
  db::Statement& statement = connection.prepare(result.sql);
  // The statement model reads SQL as PostgreSQL does; SQLite has the last word on whether
  // its own statement writes.
  if (!result.safety.writes && !statement.read_only()) {
    result.safety.writes = true;
    result.safety.reason = "a statement SQLite says may write (sqlite3_stmt_readonly)";
    if (!options.allow_writes) {
      throw Error(ErrorKind::kUsage,
                  fmt::format("--analyze would run {} (inside a transaction that is rolled "
                              "back); add --allow-writes to let it, or drop --analyze to only "
                              "plan it",
                              result.safety.reason));
    }
  }
  TimeoutScope timeout(connection, options.timeout_ms);
  db::Transaction transaction(connection);  // rolls back in its destructor if we throw
  int64_t rows = 0;
  double elapsed_ms = 0;
  std::optional<db::Statement::EngineCounters> before, after;
  {
    ResetOnExit reset(statement);
    bind_params(statement, options, result.safety.max_param);
    before = statement.engine_counters();
    const auto start = std::chrono::steady_clock::now();
    while (statement.step()) ++rows;
    elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    after = statement.engine_counters();
    if (statement.column_count() == 0) rows = statement.rows_affected();
  }
  transaction.rollback();

  plan::SqliteCounters counters;
  counters.rows = rows;
  if (before && after) {
    counters.fullscan_steps = grew(before->fullscan_steps, after->fullscan_steps);
    counters.sorts = grew(before->sorts, after->sorts);
    counters.autoindex_rows = grew(before->autoindex_rows, after->autoindex_rows);
    counters.vm_steps = grew(before->vm_steps, after->vm_steps);
  }
  result.plan.analyzed = true;
  result.plan.execution_ms = elapsed_ms;
  result.plan.sqlite = counters;
  plan::derive_metrics(result.plan);
}

}  // namespace

void run_sqlite(db::Connection& connection, const ExplainOptions& options, ExplainResult& result) {
  result.plan = query_plan(connection, result.sql);
  resolve_aliases(result.plan, result.model);
  read_table_rows(connection, result.plan);
  if (options.analyze) run_analyzed(connection, options, result);
}

}  // namespace querylens::explain::detail
