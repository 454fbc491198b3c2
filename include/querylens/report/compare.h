// Baseline versus current: two JSON reports (docs/report-json.md), compared shape by shape.
//
// Shapes are matched by fingerprint. A shape is regressed or improved when its metric (mean
// by default) changed by more than `threshold_pct` percent AND by more than `min_change_ms`
// milliseconds: the absolute floor keeps noise on sub-millisecond queries out of the result.
// Shapes only in the current report are "new", only in the baseline "gone". A report lists
// only its top shapes, so a shape that merely left the top list looks "gone": compare reports
// written with --top 0 (the comparison says when a report is truncated).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/report/render.h"

namespace querylens::report {

// What a comparison needs of one listed shape.
struct ReportedShape {
  std::string fingerprint;
  std::string query;
  uint64_t calls = 0;
  bool timed = false;  // false: the report has null times for it (timed_calls 0)
  double total_ms = 0, mean_ms = 0, p95_ms = 0, p99_ms = 0;
};

// What a comparison needs of one report.json.
struct ReportFile {
  std::string name;  // as given (used in messages)
  std::string generated_at;
  uint64_t events = 0;
  uint64_t shapes = 0;  // summary.shapes: all shapes captured, listed or not
  double total_ms = 0;
  std::vector<ReportedShape> queries;

  bool truncated() const { return queries.size() < shapes; }
};

// Parses a report.json. Throws Error(kInput) naming `name`: invalid JSON (with line and
// column), a schema_version other than kReportSchemaVersion, a missing or mistyped field
// (named by its path, e.g. "queries[3].fingerprint").
ReportFile parse_report_file(std::string_view json_text, const std::string& name);
// Reads `path` and parses it; an unreadable file throws Error(kInput) naming it.
ReportFile load_report_file(const std::string& path);

enum class Metric { kMean, kP95, kP99 };
// "mean" / "p95" / "p99"; nullopt when unknown.
std::optional<Metric> parse_metric(std::string_view text);
std::string_view to_string(Metric metric);

enum class Change { kRegressed, kImproved, kNew, kGone, kUnchanged };
std::string_view to_string(Change change);

struct CompareOptions {
  Metric metric = Metric::kMean;
  double threshold_pct = 10;  // relative change needed, in percent
  double min_change_ms = 1;   // absolute change needed, in milliseconds
};

struct ShapeDelta {
  std::string fingerprint;
  std::string query;
  Change change = Change::kUnchanged;
  std::optional<ReportedShape> before, after;  // absent for new / gone
  // The metric's change, after - before: absent for new and gone shapes and when either side
  // is untimed (then the shape is unchanged). change_pct is absent when before is 0.
  std::optional<double> change_ms, change_pct;
};

struct Comparison {
  ReportFile before, after;
  CompareOptions options;
  // Regressed (largest slowdown in ms first), improved (largest gain first), new and gone
  // (by total time), unchanged (by fingerprint).
  std::vector<ShapeDelta> shapes;

  size_t count(Change change) const;
  bool has_regression() const { return count(Change::kRegressed) > 0; }
};

Comparison compare_reports(const ReportFile& before, const ReportFile& after,
                           const CompareOptions& options);

// Text, JSON (docs/report-json.md, "Comparing two reports") or Markdown; kHtml gives text
// (the CLI does not offer it).
std::string render_comparison(const Comparison& comparison, Format format);

}  // namespace querylens::report
