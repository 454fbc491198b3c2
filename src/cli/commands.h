// The CLI is a table of subcommands over the library: each entry adds its options to a
// CLI11 subcommand and returns the function that runs it. No analysis logic lives here.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string_view>
#include <vector>

namespace querylens::cli {

// Exit codes (a public contract, documented in README.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInputOrDatabase = 3;

using Runner = std::function<int()>;

struct Command {
  std::string_view name;
  std::string_view help;
  // Adds the command's options to `sub`; the returned runner runs it after parsing.
  Runner (*setup)(CLI::App& sub);
};

Runner setup_digest(CLI::App& sub);
Runner setup_analyze(CLI::App& sub);
Runner setup_demo(CLI::App& sub);
Runner setup_compare(CLI::App& sub);
Runner setup_lint(CLI::App& sub);
Runner setup_explain(CLI::App& sub);
Runner setup_advise(CLI::App& sub);

const std::vector<Command>& commands();
int run(int argc, char** argv);

}  // namespace querylens::cli
