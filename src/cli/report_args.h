// Options shared by the commands that produce a report, and writing it out.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "querylens/core/finding.h"
#include "querylens/report/render.h"
#include "querylens/stats/digest.h"

namespace querylens::cli {

struct ReportArgs {
  std::string format = "text";
  std::string output;  // empty: stdout
  std::string sort = "total";
  size_t top = 20;
  std::string fail_on;  // empty: never

  void add_to(CLI::App& sub, bool with_fail_on);
  report::Format parsed_format() const;
  stats::RankBy parsed_sort() const;
  std::optional<Severity> parsed_fail_on() const;
};

// Writes `text` to `path` (or stdout when empty). Throws Error(kInput) naming the file.
void write_output(const std::string& path, const std::string& text);
// Terminal width of stdout, or `fallback` when it is not a terminal.
size_t terminal_width(size_t fallback);
bool stderr_is_terminal();

// 1 when any finding is at or above `threshold`.
int exit_code_for(const std::vector<Finding>& findings, std::optional<Severity> threshold);

// `--fail-on SEVERITY` into `value` (empty: never); every command that finds things has it.
void add_fail_on_option(CLI::App& sub, std::string& value);
// exit_code_for() with the threshold as --fail-on gave it.
int exit_code_for(const std::vector<Finding>& findings, const std::string& fail_on);

}  // namespace querylens::cli
