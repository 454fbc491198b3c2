// PostgreSQL's EXPLAIN (FORMAT JSON) → Plan. nlohmann::json, not simdjson: a plan is a few
// kilobytes read once per statement, and the DOM lets each key be optional without ceremony.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "querylens/core/error.h"
#include "querylens/plan/parse.h"

namespace querylens::plan {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 500;  // deeper than any real plan; a hostile input cannot recurse far

std::string text(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double number(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return 0;
  double v = it->get<double>();
  return std::isfinite(v) ? v : 0;
}

int64_t integer(const json& o, const char* key) {
  double v = number(o, key);
  if (v > 9.0e18 || v < -9.0e18) return 0;
  return static_cast<int64_t>(v);
}

bool has(const json& o, const char* key) { return o.find(key) != o.end(); }

std::vector<std::string> strings(const json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return out;
  for (const json& e : *it) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

void read_buffers(const json& o, Buffers& b) {
  b.shared_hit = integer(o, "Shared Hit Blocks");
  b.shared_read = integer(o, "Shared Read Blocks");
  b.shared_dirtied = integer(o, "Shared Dirtied Blocks");
  b.shared_written = integer(o, "Shared Written Blocks");
  b.local_hit = integer(o, "Local Hit Blocks");
  b.local_read = integer(o, "Local Read Blocks");
  b.temp_read = integer(o, "Temp Read Blocks");
  b.temp_written = integer(o, "Temp Written Blocks");
}

void read_node(const json& o, int parent, int depth, Plan& plan) {
  if (!o.is_object()) throw Error(ErrorKind::kInput, "a plan node is not a JSON object");
  if (depth > kMaxDepth) throw Error(ErrorKind::kInput, "plan nested deeper than 500 nodes");
  int id = static_cast<int>(plan.nodes.size());
  plan.nodes.emplace_back();
  {
    PlanNode& n = plan.nodes.back();
    n.id = id;
    n.parent = parent;
    n.depth = depth;
    n.node_type = text(o, "Node Type");
    if (n.node_type.empty()) throw Error(ErrorKind::kInput, "a plan node has no \"Node Type\"");
    n.relation = text(o, "Relation Name");
    if (n.relation.empty()) n.relation = text(o, "Function Name");
    n.alias = text(o, "Alias");
    n.index = text(o, "Index Name");
    n.parent_relationship = text(o, "Parent Relationship");
    n.subplan_name = text(o, "Subplan Name");
    if (n.subplan_name.empty()) n.subplan_name = text(o, "CTE Name");
    n.join_type = text(o, "Join Type");
    n.strategy = text(o, "Strategy");
    n.covering_index = n.node_type == "Index Only Scan";
    n.filter = text(o, "Filter");
    n.index_cond = text(o, "Index Cond");
    n.recheck_cond = text(o, "Recheck Cond");
    n.join_filter = text(o, "Join Filter");
    n.hash_cond = text(o, "Hash Cond");
    n.merge_cond = text(o, "Merge Cond");
    n.sort_keys = strings(o, "Sort Key");
    n.group_keys = strings(o, "Group Key");
    n.output = strings(o, "Output");
    n.startup_cost = number(o, "Startup Cost");
    n.total_cost = number(o, "Total Cost");
    n.plan_rows = number(o, "Plan Rows");
    n.plan_width = integer(o, "Plan Width");
    if (has(o, "Actual Loops")) {
      n.has_actuals = true;
      n.actual_loops = number(o, "Actual Loops");
      n.never_executed = n.actual_loops == 0;
      n.actual_rows = number(o, "Actual Rows");
      n.actual_startup_ms = number(o, "Actual Startup Time");
      n.actual_total_ms = number(o, "Actual Total Time");
      plan.analyzed = true;
    }
    n.rows_removed_by_filter = number(o, "Rows Removed by Filter");
    n.rows_removed_by_join_filter = number(o, "Rows Removed by Join Filter");
    n.rows_removed_by_index_recheck = number(o, "Rows Removed by Index Recheck");
    n.heap_fetches = integer(o, "Heap Fetches");
    n.exact_heap_blocks = integer(o, "Exact Heap Blocks");
    n.lossy_heap_blocks = integer(o, "Lossy Heap Blocks");
    n.sort_method = text(o, "Sort Method");
    n.sort_space_type = text(o, "Sort Space Type");
    n.sort_space_kb = integer(o, "Sort Space Used");
    n.hash_batches = integer(o, "Hash Batches");
    n.original_hash_batches = integer(o, "Original Hash Batches");
    n.hash_buckets = integer(o, "Hash Buckets");
    n.peak_memory_kb = integer(o, "Peak Memory Usage");
    n.disk_usage_kb = integer(o, "Disk Usage");
    n.hashagg_batches = integer(o, "HashAgg Batches");
    n.workers_planned = static_cast<int>(integer(o, "Workers Planned"));
    n.workers_launched = static_cast<int>(integer(o, "Workers Launched"));
    read_buffers(o, n.buffers);
  }
  auto it = o.find("Plans");
  if (it == o.end()) return;
  if (!it->is_array()) throw Error(ErrorKind::kInput, "\"Plans\" is not an array");
  for (const json& child : *it) {
    int child_id = static_cast<int>(plan.nodes.size());
    plan.nodes[static_cast<size_t>(id)].children.push_back(child_id);
    read_node(child, id, depth + 1, plan);
  }
}

}  // namespace

Plan parse_postgres_plan(std::string_view input) {
  json doc = json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    throw Error(ErrorKind::kInput, "not JSON: expected the output of EXPLAIN (FORMAT JSON)");
  }
  if (doc.is_array()) {
    if (doc.empty()) throw Error(ErrorKind::kInput, "an empty JSON array: no plan in it");
    doc = doc.front();
  }
  if (!doc.is_object() || !has(doc, "Plan")) {
    throw Error(ErrorKind::kInput,
                "no \"Plan\" object: expected the output of EXPLAIN (FORMAT JSON)");
  }
  Plan plan;
  plan.engine = Engine::kPostgres;
  read_node(doc["Plan"], -1, 0, plan);
  plan.query_text = text(doc, "Query Text");
  if (has(doc, "Planning Time")) plan.planning_ms = number(doc, "Planning Time");
  if (has(doc, "Execution Time")) plan.execution_ms = number(doc, "Execution Time");
  if (auto jit = doc.find("JIT"); jit != doc.end() && jit->is_object()) {
    plan.jit_functions = integer(*jit, "Functions");
    if (auto timing = jit->find("Timing"); timing != jit->end() && timing->is_object()) {
      auto it = timing->find("Total");
      if (it != timing->end() && it->is_number()) plan.jit_ms = number(*timing, "Total");
    }
  }
  if (auto s = doc.find("Settings"); s != doc.end() && s->is_object()) {
    for (auto it = s->begin(); it != s->end(); ++it) {
      plan.settings.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    }
  }
  derive_metrics(plan);
  return plan;
}

}  // namespace querylens::plan
