#include "querylens/analyze/pipeline.h"

#include "querylens/core/error.h"
#include "querylens/stats/digest.h"

namespace querylens::analyze {
namespace {

// Feeds a Digest directly: single-threaded, so no lock per event.
class DigestFeeder : public QueryObserver {
 public:
  explicit DigestFeeder(stats::Digest& digest) : digest_(digest) {}
  void on_query(const QueryEvent& event) override { digest_.add(event); }

 private:
  stats::Digest& digest_;
};

}  // namespace

report::Report analyze_digest(const stats::Digest& digest, bool run, const AnalyzeOptions& analyze,
                              const report::ReportOptions& report) {
  std::vector<Finding> findings;
  if (run) findings = run_analyzers(AnalysisInput{digest, analyze});
  return report::build_report(digest, std::move(findings), report);
}

PipelineResult run_pipeline(const PipelineOptions& options, Diagnostics& diagnostics) {
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  DigestFeeder feeder(digest);
  PipelineResult result;
  for (const std::string& source : options.sources) {
    try {
      capture::SourceStats stats = capture::read_source(source, options.kind, feeder, diagnostics);
      result.events += stats.events;
      result.skipped += stats.skipped;
    } catch (const Error& e) {
      diagnostics.report(e.where().known() ? e.where() : SourceLocation{source == "-" ? "<stdin>" : source, 0, 0},
                         e.message());
      result.failed_sources.push_back(source);
    }
  }
  report::ReportOptions report = options.report;
  report.sources = options.sources;
  report.skipped_inputs = result.skipped;
  result.report = analyze_digest(digest, options.run_analyzers, options.analyze, report);
  return result;
}

}  // namespace querylens::analyze
