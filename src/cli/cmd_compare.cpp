// `querylens compare BEFORE.json AFTER.json`: baseline versus current, shape by shape.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/report_args.h"
#include "querylens/report/compare.h"

namespace querylens::cli {
namespace {

struct CompareArgs {
  std::string before, after;
  std::string metric = "mean";
  double threshold_pct = 10;
  double min_change_ms = 1;
  std::string format = "text";
  std::string output;
  bool fail_on_regression = false;
};

}  // namespace

Runner setup_compare(CLI::App& sub) {
  auto args = std::make_shared<CompareArgs>();
  sub.add_option("before", args->before, "The baseline: a report written with --format json")
      ->required();
  sub.add_option("after", args->after,
                 "The current report (--format json); write both with --top 0 "
                 "to compare every shape")
      ->required();
  sub.add_option("--metric", args->metric, "Latency that decides improved / regressed")
      ->check(CLI::IsMember({"mean", "p95", "p99"}))
      ->capture_default_str();
  sub.add_option("--threshold", args->threshold_pct, "Relative change (percent) needed to count")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--min-change-ms", args->min_change_ms,
                 "Absolute change (ms) also needed, so noise on fast queries is not reported")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--format,-f", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "md", "markdown"}))
      ->capture_default_str();
  sub.add_option("--output,-o", args->output,
                 "Write the comparison to FILE instead of standard output");
  sub.add_flag("--fail-on-regression", args->fail_on_regression,
               "Exit with 1 when any shape regressed");
  return [args]() -> int {
    // Errors (unreadable file, invalid JSON, wrong schema_version) are Error(kInput) naming the
    // file: the runner in app.cpp prints them and exits with 3.
    const report::ReportFile before = report::load_report_file(args->before);
    const report::ReportFile after = report::load_report_file(args->after);
    report::CompareOptions options;
    options.metric = *report::parse_metric(args->metric);
    options.threshold_pct = args->threshold_pct;
    options.min_change_ms = args->min_change_ms;
    const report::Comparison comparison = report::compare_reports(before, after, options);
    write_output(args->output,
                 report::render_comparison(comparison, *report::parse_format(args->format)));
    return args->fail_on_regression && comparison.has_regression() ? kExitFindings : kExitOk;
  };
}

}  // namespace querylens::cli
