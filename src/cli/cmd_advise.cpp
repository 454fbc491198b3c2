// `querylens advise SOURCE… --db URL`: a workload-level index advisor (src/advise/).
#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/report_args.h"
#include "querylens/advise/advise.h"
#include "querylens/advise/verify.h"
#include "querylens/advise/workload.h"
#include "querylens/analyze/pipeline.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/db/url.h"

namespace querylens::cli {
namespace {

struct AdviseArgs {
  std::vector<std::string> sources;
  std::string db_url;
  size_t max_indexes = 10;
  std::string max_size;
  double min_gain_percent = 1.0;
  double size_weight = advise::SelectOptions{}.size_weight;
  double write_weight = 1.0;
  size_t top = 200;
  int64_t sample_rows = 100000;
  std::string format = "text";
  std::string output;
  std::string script;
  bool verify = false;
  std::string verify_db;
  int verify_runs = 5;
  bool apply = false;
};

// "500MB", "2 GiB", "1048576": bytes (k / M / G are powers of 1024, as PostgreSQL's sizes).
int64_t parse_size(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) throw Error(ErrorKind::kUsage, fmt::format("--max-size: '{}' is not a size", text));
  double value = std::stod(text.substr(0, i));
  std::string unit;
  for (char c : text.substr(i)) {
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (unit.empty() || unit == "b") return static_cast<int64_t>(value);
  const char prefix = unit[0];
  if ((prefix != 'k' && prefix != 'm' && prefix != 'g') ||
      (unit.size() > 1 && unit != std::string(1, prefix) + "b" &&
       unit != std::string(1, prefix) + "ib"))
    throw Error(ErrorKind::kUsage,
                fmt::format("--max-size: unknown unit '{}' (use B, kB, MB, GB)", text.substr(i)));
  const double scale = prefix == 'k'   ? 1024.0
                       : prefix == 'm' ? 1024.0 * 1024
                                       : 1024.0 * 1024 * 1024;
  return static_cast<int64_t>(value * scale);
}

}  // namespace

Runner setup_advise(CLI::App& sub) {
  auto args = std::make_shared<AdviseArgs>();
  sub.add_option("sources", args->sources,
                 "Workload: .sql scripts, JSON lines, PostgreSQL logs, or 'pgss' "
                 "(pg_stat_statements of --db); '-' for standard input")
      ->required();
  sub.add_option("--db", args->db_url,
                 "Database URL (postgresql://…, libpq key=value, sqlite:PATH); only read")
      ->required();
  sub.add_option("--max-indexes", args->max_indexes, "Recommend at most N new indexes")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--max-size", args->max_size,
                 "Total size budget of the new indexes (e.g. 500MB, 2GB); default: none");
  sub.add_option("--min-gain", args->min_gain_percent,
                 "Stop when the next index saves less than this percentage of the workload cost")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  sub.add_option("--size-weight", args->size_weight,
                 "Take an index only when the share of the remaining cost it saves is at least "
                 "W times its share of the bytes of the tables read; 0: no such rule")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--write-weight", args->write_weight,
                 "Weight of the write penalty (index maintenance per written row); 0 ignores it")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--top", args->top, "Consider the N costliest query shapes (0: all)")
      ->capture_default_str();
  sub.add_option("--sample-rows", args->sample_rows,
                 "SQLite: sample at most about N rows per table for statistics")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub.add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  sub.add_option("--output,-o", args->output,
                 "Write the result to FILE instead of standard output");
  sub.add_option("--script", args->script,
                 "Also write a maintenance script to FILE: CREATE statements, DROPs commented "
                 "out, ANALYZE");
  sub.add_flag("--verify", args->verify,
               "Measure the recommendations: time the queries they serve before and after "
               "building them on a temporary copy (SQLite) or on --verify-db (PostgreSQL)");
  sub.add_option("--verify-db", args->verify_db,
                 "PostgreSQL: the separate database (a copy) where --verify creates, times and "
                 "drops the indexes");
  sub.add_option("--verify-runs", args->verify_runs,
                 "--verify: timed runs per query and configuration (the median is reported)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sub.add_flag("--apply", args->apply,
               "Create the recommended indexes on --db (PostgreSQL: CONCURRENTLY, one at a "
               "time), printing each statement first; stops at the first failure");
  return [args]() -> int {
    if (!args->verify_db.empty() && !args->verify)
      throw Error(ErrorKind::kUsage, "--verify-db is only used with --verify");
    if (args->verify && db::parse_database_url(args->db_url).backend == db::Backend::kPostgres &&
        args->verify_db.empty()) {
      // Refused before any work: verify() says the same, but only after the advice ran.
      advise::AdviseResult none;
      advise::verify(none, args->db_url, {});
    }
    advise::AdviseOptions options;
    options.select.max_indexes = args->max_indexes;
    if (!args->max_size.empty()) options.select.max_size_bytes = parse_size(args->max_size);
    options.select.min_gain = args->min_gain_percent / 100.0;
    options.select.write_weight = args->write_weight;
    options.select.size_weight = args->size_weight;
    options.sqlite.sample_rows = args->sample_rows;

    analyze::PipelineOptions pipeline;
    pipeline.sources = args->sources;
    pipeline.db_url = args->db_url;
    pipeline.run_analyzers = false;
    // Constants that never varied within a shape make partial indexes (advise/workload.h).
    pipeline.analyze.track_literals = true;
    pipeline.report.top = args->top;
    Diagnostics diagnostics;
    analyze::PipelineResult digest = analyze::run_pipeline(pipeline, diagnostics);
    for (const Diagnostic& d : diagnostics.kept())
      std::fprintf(stderr, "querylens: warning: %s\n", d.to_string().c_str());
    if (!digest.failed_sources.empty()) return kExitInputOrDatabase;

    std::vector<advise::WorkloadQuery> workload = advise::workload_from_rows(digest.report.queries);
    std::unique_ptr<db::Connection> conn = advise::open_read_only(args->db_url);
    advise::AdviseResult result = advise::advise(*conn, std::move(workload), options);
    result.database = db::redact_url(args->db_url);
    conn.reset();
    if (args->verify) {
      advise::VerifyOptions verify;
      verify.runs = args->verify_runs;
      verify.verify_db = args->verify_db;
      advise::verify(result, args->db_url, verify);
    }
    write_output(args->output, args->format == "json" ? advise::render_json(result)
                                                      : advise::render_text(result));
    if (!args->script.empty()) write_output(args->script, advise::render_script(result));
    if (args->apply) {
      // Statements go to stderr: stdout may carry the JSON result.
      const size_t n = advise::apply(result, args->db_url, [](const std::string& sql) {
        std::fprintf(stderr, "querylens: applying: %s\n", sql.c_str());
      });
      std::fprintf(stderr, "querylens: applied %zu index%s to %s\n", n, n == 1 ? "" : "es",
                   result.database.c_str());
    }
    return kExitOk;
  };
}

}  // namespace querylens::cli
