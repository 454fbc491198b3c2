// Analysis — the spine's back half as one observer: classify each event's shape, add it to
// the digest, show it to every analyzer; then build the report with their findings.
//
// Attach it to an EventHub (the instrumented database layer) or feed it from file sources;
// on_query() is thread-safe (one lock per event: the CLI has one thread, and an application's
// pool threads serialize only for the few hundred nanoseconds an event takes).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
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
  // This analysis as the observer of one feeding thread, whose events take no lock: a reader
  // of a file (or of one part of it, -j N) is the only caller while it reads, and the lock's
  // two calls per event were ~2% of a log digest (callgrind). REQUIRES: no other thread calls
  // this analysis while that observer is fed (PartedAnalysis merges a part after its reader's
  // thread is joined). Plans still go through on_plan().
  QueryObserver& single_feeder() { return single_feeder_; }
  // A logged plan (auto_explain): the slowest per shape is kept, and report() puts the plans
  // of the ranked shapes, checked, into Report::plans. A shape the log timed only through
  // its plans (auto_explain without log_min_duration_statement) enters the digest as an
  // aggregate of those runs when report() first runs. Unreadable plans are counted.
  void on_plan(const CapturedPlan& plan) override;
  uint64_t unreadable_plans() const;
  // Calls known only in aggregate (pg_stat_statements): digest only, analyzers see no events.
  void add_aggregate(std::string_view sample, const stats::AggregateStats& stats);

  // Reading in parts (-j N, PartedAnalysis): this analysis sees a part that starts in the
  // middle of the stream (call before any event).
  void start_mid_stream();
  // Folds in the analysis of the part that follows what this one has seen (same registry and
  // options): digest, timeline, logged plans and each analyzer's state, as if this one had
  // seen its events too. `later` is left spent.
  void merge(Analysis& later);

  // Alert rules to evaluate when the report is built (their alerts become findings).
  void set_alerts(AlertConfig config);
  // Runs each analyzer's conclusion over the digest so far and builds the report.
  report::Report report(const report::ReportOptions& options);
  // The alerts that fired in the last report().
  std::vector<Alert> fired_alerts() const;
  uint64_t events() const;

 private:
  void add_event(const QueryEvent& event);              // REQUIRES: mutex_ held, or one feeder
  void add_logged_plans(report::Report& report) const;  // REQUIRES: mutex_ held
  void digest_plan_only_shapes();                       // REQUIRES: mutex_ held

  class SingleFeeder : public QueryObserver {
   public:
    explicit SingleFeeder(Analysis& analysis) : analysis_(analysis) {}
    void on_query(const QueryEvent& event) override { analysis_.add_event(event); }
    void on_plan(const CapturedPlan& plan) override { analysis_.on_plan(plan); }

   private:
    Analysis& analysis_;
  };

  mutable std::mutex mutex_;
  SingleFeeder single_feeder_{*this};
  sql::ShapeRegistry& shapes_;
  // Events are classified through a front cache, used under mutex_: its hits take no lock of
  // the registry's (two per event otherwise, ~4% of a log digest; and a part read by its own
  // thread (-j N) does not contend with the others for it).
  std::unique_ptr<sql::ShapeRegistry::LocalCache> local_shapes_;
  AnalyzeOptions options_;
  stats::Digest digest_;
  stats::Timeline timeline_;
  stats::LatencyHistogram workload_latency_;
  AlertConfig alerts_;
  std::vector<Alert> fired_;
  std::vector<std::unique_ptr<Analyzer>> analyzers_;
  struct KeptPlan {
    int64_t duration_ns = kUnknown;  // of the kept (slowest) plan
    std::string json;                // the plan as logged: JSON, or EXPLAIN text when `text`
    bool text = false;
    std::string query_text;
    stats::AggregateStats runs;  // every logged plan of the shape
    bool in_digest = false;      // added as an aggregate (the log had no statement line for it)
  };
  std::unordered_map<uint64_t, KeptPlan> plans_;  // by shape fingerprint; bounded (see .cpp)
  uint64_t unreadable_plans_ = 0;
};

}  // namespace querylens::analyze
