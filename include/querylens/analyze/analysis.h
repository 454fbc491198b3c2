// Analysis — the spine's back half as one observer: classify each event's shape, add it to
// the digest, show it to every analyzer; then build the report with their findings.
//
// Attach it to an EventHub (the instrumented database layer) or feed it from file sources;
// on_query() is thread-safe (one lock per event: the CLI has one thread, and an application's
// pool threads serialize only for the few hundred nanoseconds an event takes).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "querylens/analyze/alerts.h"
#include "querylens/analyze/analyzer.h"
#include "querylens/capture/observer.h"
#include "querylens/report/report.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"
#include "querylens/stats/timeline.h"

namespace querylens::analyze {

class Analysis : public QueryObserver {
 public:
  // `shapes` must outlive the analysis. run_analyzers = false: digest only.
  Analysis(sql::ShapeRegistry& shapes, AnalyzeOptions options, bool run_analyzers = true);
  ~Analysis() override;

  void on_query(const QueryEvent& event) override;
  // Calls known only in aggregate (pg_stat_statements): digest only, analyzers see no events.
  void add_aggregate(std::string_view sample, const stats::AggregateStats& stats);

  // Alert rules to evaluate when the report is built (their alerts become findings).
  void set_alerts(AlertConfig config);
  // Runs each analyzer's conclusion over the digest so far and builds the report.
  report::Report report(const report::ReportOptions& options);
  // The alerts that fired in the last report().
  std::vector<Alert> fired_alerts() const;
  uint64_t events() const;

 private:
  mutable std::mutex mutex_;
  sql::ShapeRegistry& shapes_;
  AnalyzeOptions options_;
  stats::Digest digest_;
  stats::Timeline timeline_;
  stats::LatencyHistogram workload_latency_;
  AlertConfig alerts_;
  std::vector<Alert> fired_;
  std::vector<std::unique_ptr<Analyzer>> analyzers_;
};

}  // namespace querylens::analyze
