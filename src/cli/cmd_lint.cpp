// `querylens lint [FILE…|-]`: statement-level anti-patterns (the rules live in src/lint/).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/report_args.h"
#include "querylens/capture/input_file.h"
#include "querylens/core/error.h"
#include "querylens/lint/lint.h"
#include "querylens/lint/render.h"
#include "querylens/lint/table_stats.h"

namespace querylens::cli {
namespace {

struct LintArgs {
  std::vector<std::string> files;
  std::string format = "text";
  std::string output;
  std::string fail_on;
  std::vector<std::string> rules;
  std::vector<std::string> disable;
  int64_t offset_threshold = 1000;
  int max_joins = 6;
  std::string db_url;
  int64_t large_table_rows = 100000;
};

std::set<std::string> rule_set(const std::vector<std::string>& ids, const char* option) {
  std::set<std::string> out;
  for (const std::string& id : ids) {
    if (!lint::is_rule(id))
      throw Error(ErrorKind::kUsage, fmt::format("{}: unknown rule '{}'", option, id));
    out.insert(id);
  }
  return out;
}

}  // namespace

Runner setup_lint(CLI::App& sub) {
  auto args = std::make_shared<LintArgs>();
  sub.add_option("files", args->files, "SQL scripts to check; '-' (or none) for standard input");
  sub.add_option("--format,-f", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  sub.add_option("--output,-o", args->output,
                 "Write the result to FILE instead of standard output");
  add_fail_on_option(sub, args->fail_on);
  sub.add_option("--rules", args->rules, "Only these rule ids (comma-separated)")->delimiter(',');
  sub.add_option("--disable", args->disable, "Skip these rule ids (comma-separated)")
      ->delimiter(',');
  sub.add_option("--offset-threshold", args->offset_threshold,
                 "large-offset: OFFSET above this is reported")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--max-joins", args->max_joins,
                 "too-many-joins: more joins than this are reported")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--db", args->db_url,
                 "Database URL (postgresql://…, libpq key=value, sqlite:PATH) whose table sizes "
                 "order-without-limit uses");
  sub.add_option("--large-table-rows", args->large_table_rows,
                 "order-without-limit: tables with at least this many (estimated) rows are large")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  return [args]() -> int {
    lint::LintOptions options;
    options.only = rule_set(args->rules, "--rules");
    options.disabled = rule_set(args->disable, "--disable");
    options.offset_threshold = args->offset_threshold;
    options.max_joins = args->max_joins;
    options.large_table_rows = args->large_table_rows;
    // Errors opening or reading the database propagate: exit 3, URL redacted (app.cpp).
    if (!args->db_url.empty()) lint::load_database_facts(args->db_url, options);
    std::vector<std::string> files =
        args->files.empty() ? std::vector<std::string>{"-"} : args->files;
    lint::LintResult result;
    bool failed = false;
    for (const std::string& path : files) {
      try {
        capture::InputFile in(path);
        std::string script = in.read_all();
        lint::lint_script(script, in.name(), options, result);
      } catch (const Error& e) {
        std::fprintf(stderr, "querylens: error: %s\n", e.what());
        failed = true;
      }
    }
    write_output(args->output, lint::render(result, *lint::parse_lint_format(args->format)));
    if (failed || !result.errors.empty()) return kExitInputOrDatabase;
    std::vector<Finding> findings;
    for (const lint::LintFinding& f : result.findings) findings.push_back(f.finding);
    return exit_code_for(findings, args->fail_on);
  };
}

}  // namespace querylens::cli
