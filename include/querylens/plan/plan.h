// Plan — one execution plan tree for both engines, as plain data.
//
// PostgreSQL plans come from `EXPLAIN (FORMAT JSON …)` (parse_postgres_plan); SQLite plans
// from the rows of `EXPLAIN QUERY PLAN` plus, after a real run, the statement's counters
// (parse_sqlite_plan). Nodes live in one vector in pre-order: nodes[0] is the root, a node's
// children follow it, `parent` and `children` are indices into the same vector.
//
// Times are milliseconds. PostgreSQL reports a node's actual rows and time *per loop*; the
// model keeps those as given and derives the totals (rows × loops, inclusive and exclusive
// time) once, in derive_metrics(), so every check and renderer reads the same numbers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace querylens::plan {

enum class Engine { kPostgres, kSqlite };
std::string_view to_string(Engine engine);

struct Buffers {
  int64_t shared_hit = 0, shared_read = 0, shared_dirtied = 0, shared_written = 0;
  int64_t local_hit = 0, local_read = 0;
  int64_t temp_read = 0, temp_written = 0;
  bool any() const {
    return shared_hit || shared_read || shared_dirtied || shared_written || local_hit ||
           local_read || temp_read || temp_written;
  }
};

struct PlanNode {
  int id = 0;  // index in Plan::nodes
  int parent = -1;
  int depth = 0;
  std::vector<int> children;

  // PostgreSQL: "Seq Scan", "Index Scan", "Hash Join", "Sort", …
  // SQLite: "SCAN", "SEARCH", "USE TEMP B-TREE", "CORRELATED SCALAR SUBQUERY", "CO-ROUTINE",
  //   "MATERIALIZE", "COMPOUND QUERY", "MULTI-INDEX OR", … (the line's leading words).
  std::string node_type;
  std::string relation;  // table scanned, when the node scans one
  std::string alias;
  std::string index;                // index used
  std::string parent_relationship;  // PostgreSQL: "Outer", "Inner", "SubPlan", "InitPlan", …
  std::string subplan_name;         // "SubPlan 1", "CTE x"
  std::string join_type;            // "Inner", "Left", "Semi", "Anti", …
  std::string strategy;             // Aggregate: "Plain", "Sorted", "Hashed", "Mixed"
  std::string detail;               // SQLite: the whole plan line, as printed
  bool automatic_index = false;     // SQLite: an index built for this statement only
  bool covering_index = false;      // SQLite: USING COVERING INDEX; PostgreSQL: Index Only Scan
  std::vector<std::string> index_columns;  // SQLite: "(a=? AND b>?)" → {"a", "b"}

  // Conditions, as the engine printed them (never re-parsed as SQL).
  std::string filter, index_cond, recheck_cond, join_filter, hash_cond, merge_cond;
  std::vector<std::string> sort_keys, group_keys;
  std::vector<std::string> output;  // PostgreSQL EXPLAIN VERBOSE: the node's Output expressions

  // Estimates.
  double startup_cost = 0, total_cost = 0;
  double plan_rows = 0;  // per loop
  int64_t plan_width = 0;

  // Actuals (EXPLAIN ANALYZE): per loop, as the engine reports them.
  bool has_actuals = false;
  bool never_executed = false;  // actual loops = 0
  double actual_startup_ms = 0, actual_total_ms = 0;
  double actual_rows = 0;
  double actual_loops = 0;

  // Per loop, like actual_rows (PostgreSQL divides these counts by the loops it ran).
  double rows_removed_by_filter = 0;
  double rows_removed_by_join_filter = 0;
  double rows_removed_by_index_recheck = 0;
  // Totals over all loops.
  int64_t heap_fetches = 0;
  int64_t exact_heap_blocks = 0, lossy_heap_blocks = 0;

  std::string sort_method;      // "quicksort", "top-N heapsort", "external merge", …
  std::string sort_space_type;  // "Memory" / "Disk"
  int64_t sort_space_kb = 0;
  int64_t hash_batches = 0, original_hash_batches = 0, hash_buckets = 0;
  int64_t peak_memory_kb = 0;
  int64_t disk_usage_kb = 0;  // HashAggregate spilled to disk
  int64_t hashagg_batches = 0;
  int workers_planned = 0, workers_launched = 0;
  Buffers buffers;

  // Derived by derive_metrics() (0 without actuals).
  double total_rows = 0;       // actual_rows × loops
  double inclusive_ms = 0;     // actual_total_ms × loops (/ workers for parallel nodes)
  double exclusive_ms = 0;     // inclusive minus the children's inclusive, floored at 0
  double exclusive_share = 0;  // of the plan's execution time, 0..1

  // "Seq Scan on posts p", "Index Scan using posts_pkey on posts", "SEARCH users USING …".
  std::string label() const;
};

// What a real SQLite run counted (sqlite3_stmt_status), the whole statement at once.
struct SqliteCounters {
  int64_t fullscan_steps = 0;  // SQLITE_STMTSTATUS_FULLSCAN_STEP
  int64_t sorts = 0;           // SQLITE_STMTSTATUS_SORT
  int64_t autoindex_rows = 0;  // SQLITE_STMTSTATUS_AUTOINDEX: rows put in automatic indexes
  int64_t vm_steps = 0;        // SQLITE_STMTSTATUS_VM_STEP
  int64_t rows = 0;            // rows the statement returned (or changed)
};

struct Plan {
  Engine engine = Engine::kPostgres;
  bool analyzed = false;   // actual times and rows are present
  std::string query_text;  // "Query Text" when the plan carries it (auto_explain)
  std::vector<PlanNode> nodes;

  std::optional<double> planning_ms;
  std::optional<double> execution_ms;  // PostgreSQL: "Execution Time"; SQLite: wall time of the run
  std::optional<double> jit_ms;  // JIT total (generation + inlining + optimization + emission)
  int64_t jit_functions = 0;
  std::vector<std::pair<std::string, std::string>> settings;  // EXPLAIN (SETTINGS)
  std::optional<SqliteCounters> sqlite;                       // SQLite, analyzed

  // Estimated rows of the tables the plan touches, when known (from the database's catalog):
  // lets checks tell a large table from a small one without ANALYZE.
  std::map<std::string, int64_t> table_rows;

  const PlanNode& root() const { return nodes.front(); }
  bool empty() const { return nodes.empty(); }
};

// Fills the derived fields of every node (total_rows, inclusive / exclusive time and share)
// from the actuals; a plan without actuals gets zeros. Parsers call it; call it again after
// editing nodes by hand (tests).
void derive_metrics(Plan& plan);

}  // namespace querylens::plan
