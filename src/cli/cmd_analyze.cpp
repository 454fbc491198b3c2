// `querylens analyze` and `querylens digest`: the same pipeline, with and without analyzers.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/report_args.h"
#include "querylens/advise/advise.h"
#include "querylens/advise/workload.h"
#include "querylens/analyze/pipeline.h"
#include "querylens/capture/progress.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/db/url.h"

namespace querylens::cli {
namespace {

struct SourceArgs {
  std::vector<std::string> sources;
  std::string input_format = "auto";
  std::string prefix;  // log_line_prefix of PostgreSQL stderr logs; "" = detect
  bool strict = false;
  double slow_ms = 100;
  std::string alerts;  // alert rules file
  std::string db_url;
  int interval = 0;
  size_t explain_top = 5;
  bool advise = false;
  bool quiet = false;     // no progress bar
  bool progress = false;  // a progress bar even when stderr is not a terminal
  size_t jobs = 1;
  ReportArgs report;
};

void print_diagnostics(const Diagnostics& diagnostics) {
  for (const Diagnostic& d : diagnostics.kept())
    std::fprintf(stderr, "querylens: warning: %s\n", d.to_string().c_str());
  uint64_t hidden = diagnostics.count() - diagnostics.kept().size();
  if (hidden > 0)
    std::fprintf(stderr, "querylens: warning: … and %llu more input problems\n",
                 static_cast<unsigned long long>(hidden));
}

// analyze --advise: the workload-level index advice on the report's shapes, as findings.
void add_advice(report::Report& report, const std::string& db_url) {
  std::vector<advise::WorkloadQuery> workload = advise::workload_from_rows(report.queries);
  std::unique_ptr<db::Connection> conn = advise::open_read_only(db_url);
  advise::AdviseResult advice = advise::advise(*conn, std::move(workload));
  for (Finding& f : advise::advice_findings(advice)) {
    // The existing-index checks may already be in the report (explain's index rules).
    const bool known =
        std::any_of(report.findings.begin(), report.findings.end(), [&f](const Finding& g) {
          return g.rule == f.rule && g.fix_sql == f.fix_sql && g.title == f.title;
        });
    if (!known) report.findings.push_back(std::move(f));
  }
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
}

Runner setup(CLI::App& sub, bool analyzers) {
  auto args = std::make_shared<SourceArgs>();
  sub.add_option(
         "sources", args->sources,
         "Inputs: .sql scripts, JSON-lines event captures (docs/events-jsonl.md), PostgreSQL logs, "
         "'-' for stdin (gzip is read transparently), or 'pgss' for pg_stat_statements of --db")
      ->required();
  sub.add_option("--input-format", args->input_format,
                 "Kind of the inputs (auto: by name, then content)")
      ->check(CLI::IsMember({"auto", "sql", "jsonl", "pg-stderr", "pg-csv", "pg-json"}))
      ->capture_default_str();
  sub.add_option(
      "--prefix", args->prefix,
      "log_line_prefix of PostgreSQL stderr logs (SHOW log_line_prefix); detected when omitted");
  sub.add_option("-j,--jobs", args->jobs,
                 "Threads per PostgreSQL log file (stderr, csvlog, jsonlog): the file is split at "
                 "log entry starts and the parts merged, with the same result as one thread. "
                 "Gzip files and stdin are read by one thread")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub.add_flag("--strict", args->strict, "Exit with 3 when any input line could not be read");
  sub.add_option(
      "--db", args->db_url,
      "Database URL (postgresql://…, libpq key=value, sqlite:PATH); the source 'pgss' reads "
      "pg_stat_statements from it");
  sub.add_option(
         "--interval", args->interval,
         "With the pgss source: take two snapshots SECONDS apart and report what ran in between")
      ->check(CLI::Range(1, 86400));
  if (analyzers) {
    sub.add_option("--explain-top", args->explain_top,
                   "With --db: EXPLAIN (plan only, nothing is run) the N costliest shapes and add "
                   "their plans and plan findings to the report (0: none)")
        ->capture_default_str();
  }
  if (analyzers) {
    sub.add_flag("--advise", args->advise,
                 "With --db: add the index advice (querylens advise, read-only) as findings: "
                 "missing-index with its CREATE INDEX, and the existing-index checks");
  }
  auto* quiet = sub.add_flag("--quiet,-q", args->quiet, "No progress bar on stderr");
  sub.add_flag("--progress", args->progress,
               "Show the progress bar (bytes, rate, ETA) even when stderr is not a terminal")
      ->excludes(quiet);
  if (analyzers) {
    sub.add_option("--slow-ms", args->slow_ms, "slow-query: p95 threshold in milliseconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub.add_option(
        "--alerts", args->alerts,
        "Alert rules (JSON, docs/alerts.md): thresholds over the workload, each minute or each "
        "shape; "
        "fired alerts are findings and go to the rules' handlers (print, command, POST)");
  }
  args->report.add_to(sub, analyzers);
  return [args, analyzers]() -> int {
    if (args->advise && args->db_url.empty())
      throw Error(ErrorKind::kUsage, "--advise needs --db: the database the advice is for");
    analyze::PipelineOptions options;
    options.sources = args->sources;
    options.db_url = args->db_url;
    options.interval_seconds = args->interval;
    if (analyzers) options.explain_top = args->explain_top;
    capture::parse_source_kind(args->input_format, &options.kind);
    options.log_line_prefix = args->prefix;
    options.jobs = args->jobs;
    options.run_analyzers = analyzers;
    options.analyze.slow_p95_ns = static_cast<int64_t>(args->slow_ms * 1e6);
    options.analyze.track_literals = args->advise;  // for partial indexes (advise/workload.h)
    options.report.rank_by = args->report.parsed_sort();
    options.report.top = args->report.top;
    if (!args->alerts.empty()) options.alerts = analyze::load_alert_config(args->alerts);
    // On a terminal unless --quiet; the bar is erased before anything else is printed.
    std::optional<capture::ProgressWriter> bar;
    if (args->progress || (!args->quiet && stderr_is_terminal())) {
      bar.emplace(stderr, capture::terminal_columns(STDERR_FILENO, 80));
      options.progress = bar->callback();
    }
    Diagnostics diagnostics;
    analyze::PipelineResult result = analyze::run_pipeline(options, diagnostics);
    bar.reset();
    if (args->advise && result.failed_sources.empty()) add_advice(result.report, args->db_url);
    if (!result.alerts.empty())
      analyze::dispatch_alerts(result.alerts, options.alerts, diagnostics);
    print_diagnostics(diagnostics);
    report::TextOptions text;
    text.width = args->report.output.empty() ? terminal_width(120) : 160;
    write_output(args->report.output,
                 report::render(result.report, args->report.parsed_format(), text));
    if (!result.failed_sources.empty()) return kExitInputOrDatabase;
    if (result.skipped > 0 && (args->strict || result.events == 0)) return kExitInputOrDatabase;
    return exit_code_for(result.report.findings, args->report.parsed_fail_on());
  };
}

}  // namespace

Runner setup_digest(CLI::App& sub) { return setup(sub, false); }
Runner setup_analyze(CLI::App& sub) { return setup(sub, true); }

}  // namespace querylens::cli
