#include "querylens/analyze/pipeline.h"

#include "querylens/analyze/analysis.h"
#include "querylens/core/error.h"
#include "querylens/sql/shape_registry.h"

namespace querylens::analyze {

PipelineResult run_pipeline(const PipelineOptions& options, Diagnostics& diagnostics) {
  sql::ShapeRegistry shapes;
  Analysis analysis(shapes, options.analyze, options.run_analyzers);
  analysis.set_alerts(options.alerts);
  PipelineResult result;
  for (const std::string& source : options.sources) {
    try {
      capture::SourceStats stats = capture::read_source(source, options.kind, analysis, diagnostics);
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
  result.report = analysis.report(report);
  result.alerts = analysis.fired_alerts();
  return result;
}

}  // namespace querylens::analyze
