// The pipeline the file-reading commands share: sources → Analysis → report.
#pragma once

#include <string>
#include <vector>

#include "querylens/analyze/alerts.h"
#include "querylens/analyze/analyzer.h"
#include "querylens/capture/source.h"
#include "querylens/core/diagnostics.h"
#include "querylens/plan/checks.h"
#include "querylens/report/report.h"

namespace querylens::analyze {

struct PipelineOptions {
  // Paths, "-" for stdin, or "pgss": a pg_stat_statements snapshot of db_url (or, with
  // interval_seconds, what ran during that interval).
  std::vector<std::string> sources;
  std::string db_url;
  int interval_seconds = 0;
  capture::SourceKind kind = capture::SourceKind::kAuto;
  std::string log_line_prefix;  // PostgreSQL stderr logs: "" = detect
  bool run_analyzers = true;    // false: digest only
  AnalyzeOptions analyze;
  AlertConfig alerts;  // rules evaluated over the workload, each minute, each shape
  report::ReportOptions report;
  // With db_url: EXPLAIN (plan only, never run) the N costliest shapes into Report::plans.
  size_t explain_top = 0;
  plan::CheckOptions plan_checks;
  capture::ProgressCallback progress;  // hears how far each file source is read; empty: none
  // Threads per PostgreSQL log file (uncompressed regular files; the rest is read by one):
  // capture/pglog_parallel.h says what is exact.
  size_t jobs = 1;
};

struct PipelineResult {
  report::Report report;
  uint64_t events = 0;
  uint64_t skipped = 0;                     // unreadable lines / statements (see diagnostics)
  std::vector<std::string> failed_sources;  // could not be opened or recognised (see diagnostics)
  std::vector<Alert> alerts;                // fired (also among the report's findings)
};

// Reads every source (a source that fails is reported to `diagnostics` and the others are
// still read), digests, analyzes and builds the report.
PipelineResult run_pipeline(const PipelineOptions& options, Diagnostics& diagnostics);

}  // namespace querylens::analyze
