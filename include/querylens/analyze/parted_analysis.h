// PartedAnalysis — an Analysis fed by a file read in parts (-j N, capture/pglog_parallel.h).
//
// Part 0 is the analysis the pipeline reports from; every other part gets an Analysis of its
// own (same registry, same options, started mid-stream), folded into part 0 in file order by
// Analysis::merge. Digest, timeline, logged plans and the N+1 runs per session come out as
// one Analysis reading the whole file would have made them.
#pragma once

#include <memory>
#include <vector>

#include "querylens/analyze/analysis.h"
#include "querylens/capture/source.h"

namespace querylens::analyze {

class PartedAnalysis : public capture::PartedObserver {
 public:
  // `main` and `shapes` must outlive this; `main` must have been built with `shapes`.
  PartedAnalysis(Analysis& main, sql::ShapeRegistry& shapes, AnalyzeOptions options,
                 bool run_analyzers);

  QueryObserver& part(size_t index) override;
  void merge_part(size_t index) override;  // frees the part's analysis

 private:
  Analysis& main_;
  sql::ShapeRegistry& shapes_;
  AnalyzeOptions options_;
  bool run_analyzers_;
  std::vector<std::unique_ptr<Analysis>> parts_;  // [0] unused: part 0 is main_
};

}  // namespace querylens::analyze
