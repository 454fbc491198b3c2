#include "querylens/analyze/parted_analysis.h"

namespace querylens::analyze {

PartedAnalysis::PartedAnalysis(Analysis& main, sql::ShapeRegistry& shapes, AnalyzeOptions options,
                               bool run_analyzers)
    : main_(main), shapes_(shapes), options_(options), run_analyzers_(run_analyzers) {}

// Each part is read by one thread, and merged once that thread is done (read_source and
// capture/pglog_parallel.cpp): its analysis needs no lock per event.
QueryObserver& PartedAnalysis::part(size_t index) {
  if (index == 0) return main_.single_feeder();
  if (parts_.size() <= index) parts_.resize(index + 1);
  parts_[index] = std::make_unique<Analysis>(shapes_, options_, run_analyzers_);
  parts_[index]->start_mid_stream();
  return parts_[index]->single_feeder();
}

void PartedAnalysis::merge_part(size_t index) {
  if (index == 0 || index >= parts_.size() || !parts_[index]) return;
  main_.merge(*parts_[index]);
  parts_[index].reset();
}

}  // namespace querylens::analyze
