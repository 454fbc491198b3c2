#include "querylens/analyze/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "querylens/analyze/analysis.h"
#include "querylens/analyze/parted_analysis.h"
#include "querylens/capture/pgss.h"
#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "querylens/explain/sections.h"
#include "querylens/sql/shape_registry.h"

namespace querylens::analyze {

namespace {

// A pg_stat_statements snapshot (or interval difference) into the analysis; returns the calls.
uint64_t read_pgss(const PipelineOptions& options, Analysis& analysis, Diagnostics& diagnostics) {
  if (options.db_url.empty())
    throw Error(ErrorKind::kUsage, "the pgss source needs --db URL (a PostgreSQL database)");
  auto db = db::Database::open(options.db_url, db::PoolOptions{.pool_size = 1, .max_overflow = 0});
  auto connection = db->connect();
  capture::PgssSnapshot snapshot = capture::take_pgss_snapshot(*connection);
  if (options.interval_seconds > 0) {
    std::fprintf(stderr, "querylens: sampling pg_stat_statements of %s for %d s…\n",
                 db->redacted_url().c_str(), options.interval_seconds);
    std::this_thread::sleep_for(std::chrono::seconds(options.interval_seconds));
    snapshot = capture::pgss_difference(snapshot, capture::take_pgss_snapshot(*connection));
  }
  if (snapshot.hidden > 0) {
    diagnostics.report(
        SourceLocation{"pgss", 0, 0},
        fmt::format("{} statements hidden: this role may not read other users' query texts "
                    "(grant it pg_read_all_stats)",
                    snapshot.hidden));
  }
  uint64_t calls = 0;
  for (const capture::PgssEntry& e : snapshot.entries) {
    stats::AggregateStats a;
    a.calls = e.calls;
    a.total_ns = static_cast<int64_t>(e.total_ms * 1e6);
    a.min_ns = static_cast<int64_t>(e.min_ms * 1e6);
    a.max_ns = static_cast<int64_t>(e.max_ms * 1e6);
    a.rows = e.rows;
    analysis.add_aggregate(e.query, a);
    calls += e.calls;
  }
  return calls;
}

// Plain EXPLAIN (never ANALYZE: analyze runs nothing on the user's database) of the costliest
// shapes; their findings join the report's, ordered by severity like the rest.
void explain_costliest(const PipelineOptions& options, report::Report& report,
                       Diagnostics& diagnostics) {
  std::unique_ptr<db::Database> db;
  try {
    db = db::Database::open_existing(options.db_url,
                                     db::PoolOptions{.pool_size = 1, .max_overflow = 0});
  } catch (const Error& e) {
    diagnostics.report(SourceLocation{"explain", 0, 0}, e.message());
    return;
  }
  auto connection = db->connect();
  explain::ExplainOptions explain;
  explain.checks = options.plan_checks;
  report.plans =
      explain::explain_top_shapes(*connection, report.queries, options.explain_top, explain);
  for (Finding& f : explain::section_findings(report.plans))
    report.findings.push_back(std::move(f));
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
}

}  // namespace

PipelineResult run_pipeline(const PipelineOptions& options, Diagnostics& diagnostics) {
  sql::ShapeRegistry shapes;
  Analysis analysis(shapes, options.analyze, options.run_analyzers);
  analysis.set_alerts(options.alerts);
  PartedAnalysis parted(analysis, shapes, options.analyze, options.run_analyzers);
  PipelineResult result;
  for (const std::string& source : options.sources) {
    try {
      if (source == "pgss") {
        result.events += read_pgss(options, analysis, diagnostics);
        continue;
      }
      capture::SourceStats stats =
          capture::read_source(source, options.kind, parted, std::max<size_t>(1, options.jobs),
                               diagnostics, options.log_line_prefix, options.progress);
      result.events += stats.events;
      result.skipped += stats.skipped;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kUsage) throw;
      diagnostics.report(
          e.where().known() ? e.where() : SourceLocation{source == "-" ? "<stdin>" : source, 0, 0},
          e.message());
      result.failed_sources.push_back(source);
    }
  }
  report::ReportOptions report = options.report;
  report.sources = options.sources;
  report.skipped_inputs = result.skipped;
  result.report = analysis.report(report);
  result.alerts = analysis.fired_alerts();
  if (options.explain_top > 0 && !options.db_url.empty() && !result.report.queries.empty()) {
    explain_costliest(options, result.report, diagnostics);
  }
  return result;
}

}  // namespace querylens::analyze
