// The JSON form: the public, versioned schema documented in docs/report-json.md.
#include <cmath>
#include <nlohmann/json.hpp>

#include "querylens/report/plans.h"
#include "querylens/report/render.h"
#include "report/format_numbers.h"

namespace querylens::report {
namespace {

using Json = nlohmann::ordered_json;

// Whole nanoseconds, so values stay short (1.234, not 1.2340000000000002 after arithmetic).
Json milliseconds(double ms) { return std::round(ms * 1e6) / 1e6; }

Json time_or_null(const QueryRow& row, double ms) {
  return row.timed_calls > 0 ? milliseconds(ms) : Json(nullptr);
}

Json timestamp_or_null(int64_t unix_us) {
  return unix_us == 0 ? Json(nullptr) : Json(iso8601_or_empty(unix_us));
}

Json summary_json(const Summary& s) {
  Json j;
  j["events"] = s.events;
  j["shapes"] = s.shapes;
  j["errors"] = s.errors;
  j["total_ms"] = milliseconds(s.total_ms);
  j["first_seen"] = timestamp_or_null(s.first_seen_us);
  j["last_seen"] = timestamp_or_null(s.last_seen_us);
  j["sources"] = s.sources;
  j["skipped_inputs"] = s.skipped_inputs;
  j["ranked_by"] = s.ranked_by;
  return j;
}

Json query_json(const QueryRow& row) {
  Json j;
  j["rank"] = row.rank;
  j["fingerprint"] = row.fingerprint;
  j["query"] = row.query;
  j["parsed"] = row.parsed;
  j["calls"] = row.calls;
  j["timed_calls"] = row.timed_calls;
  j["total_ms"] = time_or_null(row, row.total_ms);
  j["mean_ms"] = time_or_null(row, row.mean_ms);
  j["min_ms"] = time_or_null(row, row.min_ms);
  j["max_ms"] = time_or_null(row, row.max_ms);
  j["p50_ms"] = time_or_null(row, row.p50_ms);
  j["p95_ms"] = time_or_null(row, row.p95_ms);
  j["p99_ms"] = time_or_null(row, row.p99_ms);
  j["share"] = std::round(row.share * 1e6) / 1e6;
  j["rows"] = row.rows;
  j["errors"] = row.errors;
  j["sample"] = row.sample;
  j["first_seen"] = timestamp_or_null(row.first_seen_us);
  j["last_seen"] = timestamp_or_null(row.last_seen_us);
  j["latency"] = Json::array();
  for (const LatencyBar& bar : row.latency) {
    j["latency"].push_back({{"lower_ms", milliseconds(bar.lower_ms)},
                            {"upper_ms", milliseconds(bar.upper_ms)},
                            {"count", bar.count}});
  }
  return j;
}

Json minute_json(const MinuteRow& m) {
  Json j;
  j["minute"] = timestamp_or_null(m.minute_start_us);
  j["calls"] = m.calls;
  j["errors"] = m.errors;
  j["slow"] = m.slow;
  j["mean_ms"] = milliseconds(m.mean_ms);
  j["p95_ms"] = milliseconds(m.p95_ms);
  j["p99_ms"] = milliseconds(m.p99_ms);
  return j;
}

Json finding_json(const Finding& f) {
  Json j;
  j["rule"] = f.rule;
  j["severity"] = std::string(to_string(f.severity));
  j["title"] = f.title;
  j["detail"] = f.detail;
  j["fingerprints"] = f.fingerprints;
  j["tables"] = f.tables;
  j["plan_nodes"] = f.plan_nodes;
  j["recommendation"] = f.recommendation;
  j["fix_sql"] = f.fix_sql.empty() ? Json(nullptr) : Json(f.fix_sql);
  return j;
}

Json optional_ms(const std::optional<double>& ms) { return ms ? milliseconds(*ms) : Json(nullptr); }

Json node_json(const plan::PlanNode& n, const plan::Plan& plan) {
  Json j;
  j["id"] = n.id;
  j["parent"] = n.parent >= 0 ? Json(n.parent) : Json(nullptr);
  j["node_type"] = n.node_type;
  j["label"] = n.label();
  auto text = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  text("relation", n.relation);
  text("alias", n.alias);
  text("index", n.index);
  text("parent_relationship", n.parent_relationship);
  text("subplan_name", n.subplan_name);
  text("join_type", n.join_type);
  text("strategy", n.strategy);
  text("detail", n.detail);
  text("filter", n.filter);
  text("index_cond", n.index_cond);
  text("recheck_cond", n.recheck_cond);
  text("join_filter", n.join_filter);
  text("hash_cond", n.hash_cond);
  text("merge_cond", n.merge_cond);
  if (!n.sort_keys.empty()) j["sort_keys"] = n.sort_keys;
  if (!n.group_keys.empty()) j["group_keys"] = n.group_keys;
  if (!n.index_columns.empty()) j["index_columns"] = n.index_columns;
  if (n.automatic_index) j["automatic_index"] = true;
  if (n.covering_index) j["covering_index"] = true;
  if (plan.engine == plan::Engine::kPostgres) {
    j["estimated"] = {{"rows", n.plan_rows},
                      {"startup_cost", n.startup_cost},
                      {"total_cost", n.total_cost},
                      {"width", n.plan_width}};
  }
  if (n.has_actuals) {
    Json a;
    a["rows"] = n.actual_rows;
    a["loops"] = n.actual_loops;
    a["total_rows"] = n.total_rows;
    a["startup_ms"] = milliseconds(n.actual_startup_ms);
    a["total_ms"] = milliseconds(n.actual_total_ms);
    a["inclusive_ms"] = milliseconds(n.inclusive_ms);
    a["exclusive_ms"] = milliseconds(n.exclusive_ms);
    a["exclusive_share"] = std::round(n.exclusive_share * 1e4) / 1e4;
    a["rows_removed_by_filter"] = n.rows_removed_by_filter;
    a["rows_removed_by_join_filter"] = n.rows_removed_by_join_filter;
    a["rows_removed_by_index_recheck"] = n.rows_removed_by_index_recheck;
    if (n.heap_fetches) a["heap_fetches"] = n.heap_fetches;
    if (n.exact_heap_blocks || n.lossy_heap_blocks) {
      a["exact_heap_blocks"] = n.exact_heap_blocks;
      a["lossy_heap_blocks"] = n.lossy_heap_blocks;
    }
    j["actual"] = a;
  }
  if (!n.sort_method.empty()) {
    j["sort"] = {{"method", n.sort_method},
                 {"space_type", n.sort_space_type},
                 {"space_kb", n.sort_space_kb}};
  }
  if (n.hash_batches > 0) {
    j["hash"] = {{"buckets", n.hash_buckets},
                 {"batches", n.hash_batches},
                 {"original_batches", n.original_hash_batches},
                 {"peak_memory_kb", n.peak_memory_kb}};
  }
  if (n.disk_usage_kb > 0 || n.hashagg_batches > 0) {
    j["hash_aggregate"] = {{"disk_usage_kb", n.disk_usage_kb}, {"batches", n.hashagg_batches}};
  }
  if (n.buffers.any()) {
    j["buffers"] = {
        {"shared_hit", n.buffers.shared_hit},         {"shared_read", n.buffers.shared_read},
        {"shared_dirtied", n.buffers.shared_dirtied}, {"shared_written", n.buffers.shared_written},
        {"temp_read", n.buffers.temp_read},           {"temp_written", n.buffers.temp_written}};
  }
  j["children"] = n.children;
  return j;
}

Json plan_section_json(const PlanSection& s) {
  Json j;
  j["fingerprint"] = s.fingerprint.empty() ? Json(nullptr) : Json(s.fingerprint);
  j["sql"] = s.sql;
  if (!s.error.empty()) {
    j["error"] = s.error;
    return j;
  }
  const plan::Plan& p = s.plan;
  j["engine"] = std::string(plan::to_string(p.engine));
  j["analyzed"] = p.analyzed;
  j["generic_plan"] = s.generic_plan;
  j["note"] = s.note.empty() ? Json(nullptr) : Json(s.note);
  j["planning_ms"] = optional_ms(p.planning_ms);
  j["execution_ms"] = optional_ms(p.execution_ms);
  j["jit_ms"] = optional_ms(p.jit_ms);
  if (p.sqlite) {
    j["sqlite_counters"] = {{"rows", p.sqlite->rows},
                            {"fullscan_steps", p.sqlite->fullscan_steps},
                            {"sorts", p.sqlite->sorts},
                            {"autoindex_rows", p.sqlite->autoindex_rows},
                            {"vm_steps", p.sqlite->vm_steps}};
  }
  if (!p.table_rows.empty()) j["table_rows"] = p.table_rows;
  if (!p.settings.empty()) {
    Json settings = Json::object();
    for (const auto& [k, v] : p.settings) settings[k] = v;
    j["settings"] = settings;
  }
  j["nodes"] = Json::array();
  for (const plan::PlanNode& n : p.nodes) j["nodes"].push_back(node_json(n, p));
  j["findings"] = Json::array();
  for (const plan::PlanFinding& f : s.findings) {
    Json fj = finding_json(f.finding);
    fj["node"] = f.node >= 0 ? Json(f.node) : Json(nullptr);
    j["findings"].push_back(fj);
  }
  return j;
}

std::string dump(const Json& j) {
  // Statements come from logs and files: invalid UTF-8 becomes U+FFFD instead of throwing.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_plans_json(const std::vector<PlanSection>& sections) {
  Json j;
  j["schema_version"] = kReportSchemaVersion;
  j["tool"] = {{"name", "querylens"}, {"version", std::string(kToolVersion)}};
  j["plans"] = Json::array();
  for (const PlanSection& s : sections) j["plans"].push_back(plan_section_json(s));
  return dump(j);
}

std::string render_json(const Report& report) {
  Json j;
  j["schema_version"] = kReportSchemaVersion;
  j["tool"] = {{"name", "querylens"}, {"version", report.summary.tool_version}};
  j["generated_at"] = report.summary.generated_at;
  j["summary"] = summary_json(report.summary);
  j["queries"] = Json::array();
  for (const QueryRow& row : report.queries) j["queries"].push_back(query_json(row));
  j["findings"] = Json::array();
  for (const Finding& f : report.findings) j["findings"].push_back(finding_json(f));
  j["timeline"] = Json::array();
  for (const MinuteRow& m : report.timeline) j["timeline"].push_back(minute_json(m));
  j["plans"] = Json::array();
  for (const PlanSection& s : report.plans) j["plans"].push_back(plan_section_json(s));
  return dump(j);
}

}  // namespace querylens::report
