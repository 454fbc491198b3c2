#include "querylens/analyze/analysis.h"

namespace querylens::analyze {

Analysis::Analysis(sql::ShapeRegistry& shapes, AnalyzeOptions options, bool run_analyzers)
    : shapes_(shapes), options_(options), digest_(shapes) {
  if (run_analyzers) analyzers_ = default_analyzers(options_);
}

Analysis::~Analysis() = default;

void Analysis::on_query(const QueryEvent& event) {
  std::lock_guard lock(mutex_);
  QueryEvent classified = event;
  if (classified.shape == nullptr) classified.shape = shapes_.classify(event.sql);
  digest_.add(classified);
  for (auto& analyzer : analyzers_) analyzer->observe(classified);
}

report::Report Analysis::report(const report::ReportOptions& options) {
  std::lock_guard lock(mutex_);
  std::vector<Finding> findings;
  AnalysisInput input{digest_, options_};
  for (auto& analyzer : analyzers_) analyzer->analyze(input, findings);
  sort_findings(findings);
  return report::build_report(digest_, std::move(findings), options);
}

uint64_t Analysis::events() const {
  std::lock_guard lock(mutex_);
  return digest_.total_calls();
}

}  // namespace querylens::analyze
