// `querylens demo`: the main job on an embedded SQLite database, with no set-up.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "cli/commands.h"
#include "cli/report_args.h"
#include "querylens/advise/advise.h"
#include "querylens/analyze/analysis.h"
#include "querylens/demo/advice.h"
#include "querylens/demo/demo.h"
#include "querylens/explain/sections.h"
#include "querylens/stats/digest.h"

namespace querylens::cli {
namespace {

struct DemoArgs {
  demo::DemoOptions demo;
  std::string report_dir = ".";
  bool quiet = false;
  std::string fail_on;
  std::string sort = "total";
  size_t top = 15;
  bool no_advice = false;
};

// A one-line progress display on a terminal; nothing when stderr is not one.
demo::Progress progress_printer(bool enabled) {
  if (!enabled) return {};
  return [](std::string_view phase, double fraction) {
    std::fprintf(stderr, "\r\033[K%.*s %3.0f%%", static_cast<int>(phase.size()), phase.data(),
                 fraction * 100);
    if (fraction >= 1.0) std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  };
}

}  // namespace

Runner setup_demo(CLI::App& sub) {
  auto args = std::make_shared<DemoArgs>();
  sub.add_option("--path", args->demo.path, "The demo database file (reused when already built)")
      ->capture_default_str();
  sub.add_option("--users", args->demo.users, "Users to generate")
      ->check(CLI::Range(10, 10'000'000))
      ->capture_default_str();
  sub.add_option("--posts", args->demo.posts, "Posts to generate")
      ->check(CLI::Range(10, 100'000'000))
      ->capture_default_str();
  sub.add_option("--seed", args->demo.seed, "Seed of the generated data")->capture_default_str();
  sub.add_option("--rounds", args->demo.rounds, "How often the request mix runs")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sub.add_option("--report-dir", args->report_dir, "Where report.json and report.md are written")
      ->capture_default_str();
  sub.add_option("--top", args->top, "How many query shapes to list")->capture_default_str();
  sub.add_option("--sort", args->sort, "Rank query shapes by")
      ->check(CLI::IsMember({"total", "calls", "mean", "p99"}))
      ->capture_default_str();
  add_fail_on_option(sub, args->fail_on);
  sub.add_flag("--quiet,-q", args->quiet, "Print only the report");
  sub.add_flag("--no-advice", args->no_advice,
               "Skip the index advice (advise --verify on a scratch copy of the demo file)");
  return [args]() -> int {
    bool chatty = !args->quiet;
    auto progress = progress_printer(chatty && stderr_is_terminal());
    demo::DatasetInfo dataset = demo::ensure_demo_database(args->demo, progress);
    if (chatty) {
      std::fprintf(
          stderr, "querylens demo: %s %s (%lld users, %lld posts)%s\n",
          dataset.reused ? "reusing" : "built", args->demo.path.c_str(),
          static_cast<long long>(dataset.users), static_cast<long long>(dataset.posts),
          dataset.reused ? "" : fmt::format(" in {:.1f} s", dataset.build_seconds).c_str());
    }
    auto db = db::Database::open("sqlite:" + args->demo.path,
                                 db::PoolOptions{.pool_size = 4, .max_overflow = 4});
    analyze::AnalyzeOptions analyze_options;
    // The advice keeps the constants that never varied within a shape (partial indexes).
    analyze_options.track_literals = !args->no_advice;
    auto analysis = std::make_shared<analyze::Analysis>(db->shapes(), analyze_options);
    db->events().add(analysis);
    demo::WorkloadInfo workload = demo::run_demo_workload(*db, args->demo, progress);
    if (chatty) {
      std::fprintf(stderr,
                   "querylens demo: ran %lld requests (%lld statements) in %.1f s, captured by the "
                   "instrumented pool\n\n",
                   static_cast<long long>(workload.requests),
                   static_cast<long long>(workload.statements), workload.seconds);
    }
    report::ReportOptions options;
    stats::parse_rank_by(args->sort, &options.rank_by);
    options.top = args->top;
    options.sources = {"demo workload on " + args->demo.path};
    report::ReportOptions all = options;
    all.top = 0;  // the files hold every shape; the terminal shows the top ones
    report::Report full = analysis->report(all);
    {
      // The costliest shapes' plans, from real runs: the demo's own file, read-only statements
      // (writes would be refused), every run rolled back.
      auto plain = db::Database::open("sqlite:" + args->demo.path);
      auto conn = plain->connect();
      explain::ExplainOptions explain;
      explain.analyze = true;
      full.plans = explain::explain_top_shapes(*conn, full.queries, 3, explain);
      for (Finding& f : explain::section_findings(full.plans))
        full.findings.push_back(std::move(f));
      std::stable_sort(full.findings.begin(), full.findings.end(),
                       [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
    }
    report::Report shown = full;
    if (options.top && shown.queries.size() > options.top) shown.queries.resize(options.top);
    report::TextOptions text;
    text.width = terminal_width(120);
    write_output("", report::render_text(shown, text));
    if (!args->no_advice) {
      // The indexes advise recommends for the captured workload, measured: built on a
      // temporary copy of the demo file (the file itself is only read, so the next run shows
      // the same), each query they serve timed before and after (median of 3 runs).
      demo::AdviceRun advice = demo::run_demo_advice(args->demo.path, full.queries, 3);
      write_output("", fmt::format("\nIndex advice for the captured workload (querylens advise "
                                   "--verify, {:.1f} s):\n\n{}",
                                   advice.seconds, advise::render_text(advice.result)));
    }
    std::filesystem::path dir(args->report_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);  // a failure is reported by write_output
    write_output((dir / "report.json").string(), report::render_json(full));
    write_output((dir / "report.md").string(), report::render_markdown(full));
    if (chatty)
      std::fprintf(stderr, "\nquerylens demo: wrote %s and %s\n", (dir / "report.json").c_str(),
                   (dir / "report.md").c_str());
    return exit_code_for(full.findings, args->fail_on);
  };
}

}  // namespace querylens::cli
