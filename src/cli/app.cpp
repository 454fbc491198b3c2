#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "querylens/core/error.h"
#include "querylens/db/url.h"

namespace querylens::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"demo",
       "Build a sample SQLite blog database, run a realistic request mix through the "
       "instrumented pool, and report what it captured (no set-up needed)",
       setup_demo},
      {"analyze",
       "Read query sources, aggregate them by shape, run every analyzer, report findings",
       setup_analyze},
      {"digest",
       "Read query sources and report the top query shapes (calls, total, mean, p95, p99)",
       setup_digest},
      {"compare",
       "Compare two JSON reports (baseline, current) shape by shape: regressions, improvements, "
       "new and gone shapes",
       setup_compare},
      {"lint", "Check SQL statements for anti-patterns, with the rewritten SQL where one exists",
       setup_lint},
      {"explain",
       "Plan (and with --analyze, run and roll back) statements on PostgreSQL or SQLite; flag "
       "the plan problems that cost time, with their fix",
       setup_explain},
      {"advise", "Recommend indexes for a workload from what-if plans (the database is only read)",
       setup_advise},
  };
  return table;
}

int run(int argc, char** argv) {
  CLI::App app{"querylens — find, explain and fix slow SQL on PostgreSQL and SQLite"};
  app.set_version_flag("--version", "querylens 0.1.0");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error, 3 input or database "
      "error.\n"
      "Run 'querylens <command> --help' for a command's options.");
  Runner runner;
  for (const Command& command : commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.help));
    Runner r = command.setup(*sub);
    sub->callback([&runner, r] { runner = r; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help / version / the error
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    return runner ? runner() : kExitUsage;
  } catch (const Error& e) {
    // Messages may quote connection strings: never print a password.
    std::fprintf(stderr, "querylens: error: %s\n", db::redact_secrets(e.what()).c_str());
    return e.kind() == ErrorKind::kUsage ? kExitUsage : kExitInputOrDatabase;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "querylens: internal error: %s\n", db::redact_secrets(e.what()).c_str());
    return kExitInputOrDatabase;
  }
}

}  // namespace querylens::cli
