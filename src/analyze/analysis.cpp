#include "querylens/analyze/analysis.h"

namespace querylens::analyze {

Analysis::Analysis(sql::ShapeRegistry& shapes, AnalyzeOptions options, bool run_analyzers)
    : shapes_(shapes), options_(options), digest_(shapes), timeline_(options.slow_p95_ns) {
  if (run_analyzers) analyzers_ = default_analyzers(options_);
}

Analysis::~Analysis() = default;

void Analysis::on_query(const QueryEvent& event) {
  std::lock_guard lock(mutex_);
  QueryEvent classified = event;
  if (classified.shape == nullptr) classified.shape = shapes_.classify(event.sql);
  digest_.add(classified);
  timeline_.add(classified);
  if (classified.timed()) workload_latency_.record(classified.duration_ns);
  for (auto& analyzer : analyzers_) analyzer->observe(classified);
}

report::Report Analysis::report(const report::ReportOptions& options) {
  std::lock_guard lock(mutex_);
  std::vector<Finding> findings;
  AnalysisInput input{digest_, options_};
  for (auto& analyzer : analyzers_) analyzer->analyze(input, findings);
  fired_ = evaluate_alerts(alerts_,
                           AlertInput{digest_, timeline_, workload_latency_, options_.slow_p95_ns});
  for (const Alert& alert : fired_) findings.push_back(alert.to_finding());
  sort_findings(findings);
  report::Report report = report::build_report(digest_, std::move(findings), options);
  for (const auto& [minute, m] : timeline_.minutes()) {
    report::MinuteRow row;
    row.minute_start_us = minute;
    row.calls = m.calls;
    row.errors = m.errors;
    row.slow = m.slow;
    row.mean_ms =
        m.calls ? static_cast<double>(m.total_ns) / static_cast<double>(m.calls) / 1e6 : 0;
    row.p95_ms = static_cast<double>(m.latency.quantile(0.95)) / 1e6;
    row.p99_ms = static_cast<double>(m.latency.quantile(0.99)) / 1e6;
    report.timeline.push_back(row);
  }
  return report;
}

void Analysis::add_aggregate(std::string_view sample, const stats::AggregateStats& stats) {
  std::lock_guard lock(mutex_);
  digest_.add_aggregate(sample, stats);
}

void Analysis::set_alerts(AlertConfig config) {
  std::lock_guard lock(mutex_);
  alerts_ = std::move(config);
}

std::vector<Alert> Analysis::fired_alerts() const {
  std::lock_guard lock(mutex_);
  return fired_;
}

uint64_t Analysis::events() const {
  std::lock_guard lock(mutex_);
  return digest_.total_calls();
}

}  // namespace querylens::analyze
