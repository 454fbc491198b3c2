// `querylens explain`: plans (and with --analyze, safe runs) of statements, of the costliest
// shapes of a digest (--top N --from …), or two forms side by side (--compare A B).
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/report_args.h"
#include "querylens/analyze/pipeline.h"
#include "querylens/capture/input_file.h"
#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "querylens/explain/compare.h"
#include "querylens/explain/sections.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/splitter.h"

namespace querylens::cli {
namespace {

struct ExplainArgs {
  std::vector<std::string> statements;
  std::vector<std::string> files;
  std::vector<std::string> plans;  // saved EXPLAIN (FORMAT JSON) output
  std::string db_url;
  bool analyze = false;
  bool allow_writes = false;
  int64_t timeout_ms = 30000;
  std::vector<std::string> params;
  size_t top = 0;
  std::vector<std::string> from;
  bool compare = false;
  int runs = 5;
  int64_t large_table_rows = 10000;
  std::string format = "text";
  std::string output;
  std::string fail_on;
};

// Every statement of every --file, in order; a file that cannot be read stops the command
// (exit 3), a statement the splitter cannot read is named by file and line.
std::vector<std::string> read_statements(const ExplainArgs& args) {
  std::vector<std::string> out = args.statements;
  for (const std::string& path : args.files) {
    capture::InputFile in(path);
    std::string script = in.read_all();
    sql::ScriptSplit split = sql::split_script(script);
    for (const sql::ScriptStatement& s : split.statements) out.emplace_back(s.text);
    if (!split.error.empty()) {
      throw Error(ErrorKind::kInput, fmt::format("{}:{}:{}: {}", in.name(), split.error_line,
                                                 split.error_column, split.error));
    }
  }
  return out;
}

}  // namespace

Runner setup_explain(CLI::App& sub) {
  auto args = std::make_shared<ExplainArgs>();
  sub.add_option("statements", args->statements,
                 "SQL statements to explain (quote each); see also --file and --top");
  sub.add_option("--file", args->files, "Read statements from FILE ('-' for standard input)");
  sub.add_option("--db", args->db_url,
                 "Database URL (postgresql://…, libpq key=value, sqlite:PATH)");
  sub.add_option("--plan", args->plans,
                 "Check a saved PostgreSQL plan (EXPLAIN (FORMAT JSON) output; '-' for standard "
                 "input) — no database needed");
  sub.add_flag("--analyze", args->analyze,
               "Run the statement (inside a transaction that is always rolled back) for actual "
               "rows and times");
  sub.add_flag("--allow-writes", args->allow_writes,
               "With --analyze / --compare: allow running INSERT / UPDATE / DELETE (still "
               "rolled back)");
  sub.add_option("--timeout", args->timeout_ms,
                 "Statement timeout in milliseconds for --analyze and --compare (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--param", args->params,
                 "Value of $1, $2, … in order (text; the database casts it); unset ones are NULL");
  sub.add_option("--top", args->top, "Explain the N costliest query shapes of the --from sources");
  sub.add_option("--from", args->from,
                 "With --top: sources to digest (.sql, JSON lines, PostgreSQL logs, 'pgss')");
  sub.add_flag("--compare", args->compare,
               "Two statements A B: same rows?, timings (median, p95) and both plans");
  sub.add_option("--runs", args->runs, "--compare: measured runs of each statement")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sub.add_option("--large-table-rows", args->large_table_rows,
                 "Tables with at least this many rows are large (seq-scan-large-table, "
                 "sqlite-full-scan)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  sub.add_option("--output,-o", args->output,
                 "Write the result to FILE instead of standard output");
  add_fail_on_option(sub, args->fail_on);
  return [args]() -> int {
    explain::ExplainOptions options;
    options.analyze = args->analyze;
    options.allow_writes = args->allow_writes;
    options.timeout_ms = args->timeout_ms;
    for (const std::string& p : args->params) options.params.emplace_back(p);
    options.checks.large_table_rows = args->large_table_rows;

    std::vector<std::string> statements = read_statements(*args);
    std::vector<report::PlanSection> sections;
    bool failed = false, refused = false;
    for (const std::string& path : args->plans) {
      // A plan someone saved or pasted (as pev2 and depesz take them): checked without a
      // database, so without table sizes or the statement's columns.
      capture::InputFile in(path);
      report::PlanSection s;
      s.sql = "(plan from " + in.name() + ")";
      try {
        s.plan = plan::parse_postgres_plan(in.read_all());
        s.findings = plan::check_plan(s.plan, nullptr, options.checks);
      } catch (const Error& e) {
        s.error = fmt::format("{}: {}", in.name(), e.what());
        std::fprintf(stderr, "querylens: error: %s\n", s.error.c_str());
        failed = true;
      }
      sections.push_back(std::move(s));
    }
    if (args->db_url.empty()) {
      if (!statements.empty() || args->top > 0)
        throw Error(ErrorKind::kUsage, "--db URL is required to explain statements");
      if (args->plans.empty())
        throw Error(ErrorKind::kUsage,
                    "nothing to explain: give --db URL and a statement, --file FILE, or --top N "
                    "--from FILE…; or --plan FILE");
      write_output(args->output, args->format == "json" ? report::render_plans_json(sections)
                                                        : report::render_plans_text(sections));
      if (failed) return kExitInputOrDatabase;
      return exit_code_for(explain::section_findings(sections), args->fail_on);
    }
    if (args->top > 0 && args->from.empty())
      throw Error(ErrorKind::kUsage, "--top needs the sources to digest: --from FILE…");
    if (args->top == 0 && statements.empty() && args->plans.empty())
      throw Error(ErrorKind::kUsage,
                  "nothing to explain: give a statement, --file FILE, or --top N --from FILE…");
    if (args->compare && statements.size() != 2)
      throw Error(ErrorKind::kUsage,
                  fmt::format("--compare takes exactly two statements, got {}", statements.size()));

    std::unique_ptr<db::Database> database = db::Database::open_existing(args->db_url);
    db::PooledConnection conn = database->connect();
    if (args->compare) {
      explain::Comparison c =
          explain::compare_statements(*conn, statements[0], statements[1], options, args->runs);
      write_output(args->output, args->format == "json" ? explain::render_comparison_json(c)
                                                        : explain::render_comparison_text(c));
      return c.same_rows ? kExitOk : kExitFindings;
    }
    if (options.analyze && options.allow_writes) {
      std::fprintf(stderr,
                   "querylens: --analyze --allow-writes: statements that write run inside a "
                   "transaction that is rolled back; their effects are never committed\n");
    }
    for (const std::string& sql : statements) {
      report::PlanSection s = explain::explain_section(*conn, sql, options);
      if (!s.error.empty()) {
        std::fprintf(stderr, "querylens: error: %s\n", s.error.c_str());
        (s.refused ? refused : failed) = true;
      }
      sections.push_back(std::move(s));
    }
    if (args->top > 0) {
      analyze::PipelineOptions pipeline;
      pipeline.sources = args->from;
      pipeline.db_url = args->db_url;
      pipeline.run_analyzers = false;
      pipeline.report.top = args->top;
      Diagnostics diagnostics;
      analyze::PipelineResult digest = analyze::run_pipeline(pipeline, diagnostics);
      for (const Diagnostic& d : diagnostics.kept())
        std::fprintf(stderr, "querylens: warning: %s\n", d.to_string().c_str());
      if (!digest.failed_sources.empty()) failed = true;
      auto top = explain::explain_top_shapes(*conn, digest.report.queries, args->top, options);
      for (auto& s : top) sections.push_back(std::move(s));
    }
    write_output(args->output, args->format == "json" ? report::render_plans_json(sections)
                                                      : report::render_plans_text(sections));
    if (failed) return kExitInputOrDatabase;
    if (refused) return kExitUsage;
    return exit_code_for(explain::section_findings(sections), args->fail_on);
  };
}

}  // namespace querylens::cli
