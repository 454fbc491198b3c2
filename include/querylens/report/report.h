// Report — what every renderer renders: a summary, the ranked query shapes, the findings.
//
// Built from a Digest and the analyzers' Findings by build_report(); renderers (render.h) turn
// it into text, JSON or Markdown. The JSON form is a public, versioned schema: docs/report-json.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/core/finding.h"
#include "querylens/report/plans.h"
#include "querylens/stats/digest.h"

namespace querylens::report {

inline constexpr int kReportSchemaVersion = 1;
// The querylens release that writes reports (Summary::tool_version, JSON "tool.version").
inline constexpr std::string_view kToolVersion = "0.1.0";

// One bar of a latency histogram: [lower_ms, upper_ms) held `count` calls.
struct LatencyBar {
  double lower_ms = 0;
  double upper_ms = 0;
  uint64_t count = 0;
};

// One minute of the whole workload (all shapes): the per-minute trend.
struct MinuteRow {
  int64_t minute_start_us = 0;  // Unix microseconds, a whole minute
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t slow = 0;  // calls slower than the slow-query threshold
  double mean_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
};

struct QueryRow {
  int rank = 0;
  std::string fingerprint;  // 16 hex digits
  std::string query;        // normalized text
  bool parsed = false;      // libpg_query parsed it (false: token-level shape)
  uint64_t calls = 0;
  uint64_t timed_calls = 0;
  double total_ms = 0, mean_ms = 0, min_ms = 0, max_ms = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  double share = 0;  // of the total time of all shapes, 0..1
  int64_t rows = 0;
  uint64_t errors = 0;
  std::string sample;  // slowest statement (redacted: see build_report)
  // Which of the shape's literals never varied (when the digest tracked them, for the index
  // advisor; not in the rendered reports). The sample is one of the calls, so an invariant
  // position holds the same literal in the sample.
  stats::LiteralInvariance literals;
  int64_t first_seen_us = 0, last_seen_us = 0;
  // The shape's latency distribution, merged to at most ~24 bars (for charts); empty when untimed.
  std::vector<LatencyBar> latency;
};

struct Summary {
  std::string tool_version;
  std::string generated_at;          // ISO 8601 UTC
  std::vector<std::string> sources;  // files / URLs read (redacted)
  uint64_t events = 0;
  uint64_t shapes = 0;
  uint64_t errors = 0;
  double total_ms = 0;
  int64_t first_seen_us = 0, last_seen_us = 0;
  uint64_t skipped_inputs = 0;  // lines / statements that could not be read
  std::string ranked_by = "total";
};

struct Report {
  Summary summary;
  std::vector<QueryRow> queries;
  std::vector<Finding> findings;    // ordered by severity (highest first)
  std::vector<MinuteRow> timeline;  // per-minute trend of timed, timestamped events (may be empty)
  std::vector<PlanSection> plans;   // the costliest shapes explained (analyze --explain-top)
};

struct ReportOptions {
  stats::RankBy rank_by = stats::RankBy::kTotal;
  size_t top = 20;  // 0 = all shapes
  std::vector<std::string> sources;
  uint64_t skipped_inputs = 0;
};

// Ranks the digest's shapes (options.rank_by, options.top), converts times to milliseconds and
// orders findings by severity (highest first), then rule, then title. Secrets never reach the
// report: sources go through db::redact_url(), samples through db::redact_secrets(), and a
// sample whose shape sets a password (CREATE/ALTER ROLE ... PASSWORD) is replaced by the
// normalized text, in which the password is a $n placeholder.
Report build_report(const stats::Digest& digest, std::vector<Finding> findings,
                    const ReportOptions& options);

}  // namespace querylens::report
