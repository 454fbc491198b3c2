#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
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

// Charts need a few dozen bars, not the histogram's up-to-1,376 buckets. Buckets are grouped
// by equal slices of log(latency) between the lowest and highest touched bucket, so the bars
// sit evenly on a log-scale axis; empty slices produce no bar (the chart shows the gap).
std::vector<LatencyBar> latency_bars(const stats::LatencyHistogram& histogram) {
  constexpr size_t kMaxBars = 24;
  const std::vector<std::pair<int, uint64_t>> buckets = histogram.nonempty_buckets();
  if (buckets.empty()) return {};
  // After halving (histogram.h), weights are relative: scale them back to calls.
  uint64_t weight = 0;
  for (const auto& [bucket, w] : buckets) weight += w;
  const double scale = static_cast<double>(histogram.count()) / static_cast<double>(weight);

  using H = stats::LatencyHistogram;
  // Bucket 0 holds 0 ns: a log axis starts at 1 ns.
  auto log_of = [](int64_t ns) { return std::log(static_cast<double>(std::max<int64_t>(ns, 1))); };
  const double lo = log_of(H::bucket_lower(buckets.front().first));
  const double hi = log_of(H::bucket_upper(buckets.back().first));
  const double slice = (hi - lo) / kMaxBars;

  std::vector<LatencyBar> bars;
  size_t current_slice = SIZE_MAX;
  double weight_in_bar = 0;
  for (const auto& [bucket, w] : buckets) {
    size_t s = buckets.size() <= kMaxBars || slice <= 0
                   ? static_cast<size_t>(bucket)  // few buckets: one bar each
                   : std::min(kMaxBars - 1,
                              static_cast<size_t>((log_of(H::bucket_lower(bucket)) - lo) / slice));
    if (bars.empty() || s != current_slice) {
      if (!bars.empty())
        bars.back().count = static_cast<uint64_t>(std::llround(weight_in_bar * scale));
      bars.push_back({ns_to_ms(H::bucket_lower(bucket)), 0, 0});
      current_slice = s;
      weight_in_bar = 0;
    }
    bars.back().upper_ms = ns_to_ms(H::bucket_upper(bucket));
    weight_in_bar += static_cast<double>(w);
  }
  bars.back().count = static_cast<uint64_t>(std::llround(weight_in_bar * scale));
  return bars;
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
    row.min_ms = ns_to_ms(stats.min_ns);
    row.max_ms = ns_to_ms(stats.max_ns);
    // Aggregates (pg_stat_statements) carry no distribution: their quantiles are unknown (NaN,
    // rendered as null / "?"), never a made-up number.
    const double unknown = std::numeric_limits<double>::quiet_NaN();
    row.p50_ms = stats.has_distribution() ? ns_to_ms(stats.latency.quantile(0.50)) : unknown;
    row.p95_ms = stats.has_distribution() ? ns_to_ms(stats.latency.quantile(0.95)) : unknown;
    row.p99_ms = stats.has_distribution() ? ns_to_ms(stats.latency.quantile(0.99)) : unknown;
    row.latency = latency_bars(stats.latency);
  }
  if (digest_total_ns > 0) {
    row.share = static_cast<double>(stats.total_ns) / static_cast<double>(digest_total_ns);
  }
  row.rows = stats.rows;
  row.errors = stats.errors;
  row.sample = safe_sample(stats);
  row.literals = stats.literals;
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

  // By severity, then by rule; within one rule the analyzer's own order (most costly first)
  // is kept — an alphabetical title order would put "p95 160 ms" before "p95 190 ms".
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.rule < b.rule;
  });
  report.findings = std::move(findings);
  return report;
}

}  // namespace querylens::report
