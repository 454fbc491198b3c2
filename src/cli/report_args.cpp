#include "cli/report_args.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "querylens/core/error.h"

namespace querylens::cli {

void ReportArgs::add_to(CLI::App& sub, bool with_fail_on) {
  sub.add_option("--format,-f", format, "Report format")
      ->check(CLI::IsMember({"text", "json", "md", "markdown", "html"}))
      ->capture_default_str();
  sub.add_option("--output,-o", output, "Write the report to FILE instead of standard output");
  sub.add_option("--sort", sort, "Rank query shapes by")
      ->check(CLI::IsMember({"total", "calls", "mean", "p99"}))
      ->capture_default_str();
  sub.add_option("--top", top, "How many query shapes to list (0: all)")->capture_default_str();
  if (with_fail_on) add_fail_on_option(sub, fail_on);
}

report::Format ReportArgs::parsed_format() const { return *report::parse_format(format); }

stats::RankBy ReportArgs::parsed_sort() const {
  stats::RankBy by = stats::RankBy::kTotal;
  stats::parse_rank_by(sort, &by);
  return by;
}

std::optional<Severity> ReportArgs::parsed_fail_on() const {
  if (fail_on.empty()) return std::nullopt;
  return parse_severity(fail_on);
}

void add_fail_on_option(CLI::App& sub, std::string& value) {
  sub.add_option("--fail-on", value, "Exit with 1 when a finding is at or above this severity")
      ->check(CLI::IsMember({"low", "medium", "high", "critical"}));
}

int exit_code_for(const std::vector<Finding>& findings, const std::string& fail_on) {
  std::optional<Severity> threshold;
  if (!fail_on.empty()) threshold = parse_severity(fail_on);
  return exit_code_for(findings, threshold);
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  // Write to a temporary name and rename, so a reader never sees half a report.
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "we");
  if (f == nullptr)
    throw Error(ErrorKind::kInput, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorKind::kInput, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
}

size_t terminal_width(size_t fallback) {
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    return ws.ws_col;
  return fallback;
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO); }

int exit_code_for(const std::vector<Finding>& findings, std::optional<Severity> threshold) {
  if (!threshold) return kExitOk;
  for (const Finding& f : findings) {
    if (f.severity >= *threshold) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace querylens::cli
