#include <algorithm>
#include <cctype>
#include <string_view>

#include "querylens/core/clock.h"
#include "querylens/db/url.h"
#include "querylens/report/report.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

double ns_to_ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string_view rank_by_name(stats::RankBy by) {
  switch (by) {
    case stats::RankBy::kTotal:
      return "total";
    case stats::RankBy::kCalls:
      return "calls";
    case stats::RankBy::kMean:
      return "mean";
    case stats::RankBy::kP99:
      return "p99";
  }
  return "total";
}

bool mentions_password(std::string_view text) {
  constexpr std::string_view kWord = "password";
  auto it = std::search(text.begin(), text.end(), kWord.begin(), kWord.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

// The sample is a real statement with its constants: a password set by CREATE/ALTER ROLE would
// be printed verbatim. The normalized text has it as a $n placeholder, so show that instead.
std::string safe_sample(const stats::ShapeStats& stats) {
  if (stats.shape && mentions_password(stats.sample)) return stats.shape->normalized;
  return db::redact_secrets(stats.sample);
}

QueryRow make_row(const stats::ShapeStats& stats, int rank, int64_t digest_total_ns) {
  QueryRow row;
  row.rank = rank;
  if (stats.shape) {
    row.fingerprint = stats.shape->fingerprint_hex();
    row.query = stats.shape->normalized;
    row.parsed = stats.shape->parsed;
  }
  row.calls = stats.calls;
  row.timed_calls = stats.timed_calls;
  if (stats.timed_calls > 0) {
    row.total_ms = ns_to_ms(stats.total_ns);
    row.mean_ms = ns_to_ms(stats.mean_ns());
    row.min_ms = ns_to_ms(stats.latency.min());
    row.max_ms = ns_to_ms(stats.latency.max());
    row.p50_ms = ns_to_ms(stats.latency.quantile(0.50));
    row.p95_ms = ns_to_ms(stats.latency.quantile(0.95));
    row.p99_ms = ns_to_ms(stats.latency.quantile(0.99));
  }
  if (digest_total_ns > 0) {
    row.share = static_cast<double>(stats.total_ns) / static_cast<double>(digest_total_ns);
  }
  row.rows = stats.rows;
  row.errors = stats.errors;
  row.sample = safe_sample(stats);
  row.first_seen_us = stats.first_seen_us;
  row.last_seen_us = stats.last_seen_us;
  return row;
}

}  // namespace

Report build_report(const stats::Digest& digest, std::vector<Finding> findings,
                    const ReportOptions& options) {
  Report report;
  Summary& s = report.summary;
  s.tool_version = std::string(kToolVersion);
  s.generated_at = format_iso8601_us(wall_now_us());
  for (const std::string& source : options.sources) s.sources.push_back(db::redact_url(source));
  s.events = digest.total_calls();
  s.shapes = digest.shape_count();
  s.errors = digest.total_errors();
  s.total_ms = ns_to_ms(digest.total_ns());
  s.first_seen_us = digest.first_seen_us();
  s.last_seen_us = digest.last_seen_us();
  s.skipped_inputs = options.skipped_inputs;
  s.ranked_by = std::string(rank_by_name(options.rank_by));

  int rank = 0;
  for (const stats::ShapeStats* stats : digest.ranked(options.rank_by, options.top)) {
    report.queries.push_back(make_row(*stats, ++rank, digest.total_ns()));
  }

  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.rule != b.rule) return a.rule < b.rule;
    return a.title < b.title;
  });
  report.findings = std::move(findings);
  return report;
}

}  // namespace querylens::report
