// Analyzer — one capability that turns what was captured into Findings.
//
// An analyzer may watch the event stream as it goes by (observe(): every event, in source
// order, with its shape filled in — what sequence-based checks such as N+1 need) and then
// concludes over the finished digest (analyze()). `querylens analyze` and `demo` run every
// analyzer default_analyzers() returns; later capabilities (lint, explain, advise, doctor)
// plug in there.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "querylens/core/finding.h"
#include "querylens/core/query_event.h"
#include "querylens/stats/digest.h"

namespace querylens::analyze {

struct AnalyzeOptions {
  // slow-query: a shape is slow when its p95 exceeds this...
  int64_t slow_p95_ns = 100'000'000;
  // ...or when it takes at least this share of all query time (and runs at least min_calls).
  double heavy_share = 0.5;
  uint64_t heavy_min_calls = 10;
  // n-plus-one: the same shape repeated at least this often in a row in one session, after
  // the query that produced the parent rows, taking at least this long in total (Sentry's
  // performance-issue detector uses the same defaults).
  int n_plus_one_min_repeats = 5;
  int64_t n_plus_one_min_total_ns = 50'000'000;
  // The digest compares each shape's literals across its calls (stats/literal_invariance.h):
  // for the index advisor's partial indexes; off by default (it lexes every statement again).
  bool track_literals = false;
};

struct AnalysisInput {
  const stats::Digest& digest;
  const AnalyzeOptions& options;
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  virtual std::string_view name() const = 0;
  // Every event in source order, shape set. Called from one thread at a time.
  virtual void observe(const QueryEvent& event) { (void)event; }
  virtual void analyze(const AnalysisInput& input, std::vector<Finding>& out) = 0;

  // Reading in parts (-j N): each part of a file has its own analyzers, and the later parts'
  // are merged into the first in file order. An analyzer that keeps state across events must
  // make the merged result what one analyzer shown the whole stream would have found.
  // This analyzer's events start in the middle of the stream (called before any event).
  virtual void start_mid_stream() {}
  // Takes over `later` (the same type, of the part that follows what this one has seen).
  virtual void merge(Analyzer& later) { (void)later; }
};

std::vector<std::unique_ptr<Analyzer>> default_analyzers(const AnalyzeOptions& options);

// Orders findings by severity (highest first), keeping each analyzer's own order within one.
void sort_findings(std::vector<Finding>& findings);

}  // namespace querylens::analyze
