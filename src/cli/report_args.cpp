#include "cli/report_args.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

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

namespace {

[[noreturn]] void cannot_write(const std::string& path) {
  throw Error(ErrorKind::kInput, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
}

}  // namespace

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  // A regular file (or a new one) is replaced through a temporary name and a rename, so a
  // reader never sees half a report; a symbolic link is followed, so the file it names is
  // replaced and the link stays. Anything else — /dev/null, a FIFO, a terminal — is written in
  // place: a rename over it would put a regular file where the device or pipe was.
  std::error_code ec;
  std::filesystem::path target = path;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(target, ec))) {
    std::filesystem::path resolved = std::filesystem::weakly_canonical(target, ec);
    if (!ec) target = resolved;
  }
  const std::filesystem::file_status status = std::filesystem::status(target, ec);
  const bool in_place =
      std::filesystem::exists(status) && !std::filesystem::is_regular_file(status);
  const std::string destination = target.string();
  const std::string written = in_place ? destination : destination + ".tmp";
  std::FILE* f = std::fopen(written.c_str(), "we");
  if (f == nullptr) cannot_write(path);
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (in_place) {
    if (!ok) cannot_write(path);
    return;
  }
  if (!ok || std::rename(written.c_str(), destination.c_str()) != 0) {
    const int error = errno;
    std::remove(written.c_str());
    errno = error;
    cannot_write(path);
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
