// The JSON form: the public, versioned schema documented in docs/report-json.md.
#include <cmath>
#include <nlohmann/json.hpp>

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

}  // namespace

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
  // Statements come from logs and files: invalid UTF-8 becomes U+FFFD instead of throwing.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace querylens::report
