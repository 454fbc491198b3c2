// Telling a PostgreSQL log's format and log_line_prefix from its first bytes.
#include <fmt/format.h>

#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_prefix.h"

namespace querylens::capture {
namespace {

// Common settings, the more specific first (a tie goes to the earlier one): PostgreSQL's
// default, Debian's, pgBadger's recommended ones, Amazon RDS's. Anything else: --prefix.
constexpr std::string_view kCommonPrefixes[] = {
    "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
    "%m [%p]: user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: [%l-1] user=%u,db=%d ",
    "%m [%p]: [%l-1] user=%u,db=%d ",
    "%m [%p] %q[user=%u,db=%d,app=%a] ",
    "%m [%p] %q%u@%d ",
    "%t [%p] %q%u@%d ",
    "%m [%p-%l] %q%u@%d ",
    "%t [%p-%l] %q%u@%d ",
    "%t:%r:%u@%d:[%p]:",
    "%m:%r:%u@%d:[%p]:",
    "%t [%p]: [%l-1] ",
    "%m [%p]: [%l-1] ",
    "%m [%p]: ",
    "%t [%p]: ",
    "%m [%p] ",
    "%t [%p] ",
    "%m [%c] ",
    "%m ",
    "%t ",
    "",
};

// Complete lines of `head` that start a log entry (not the tab-led continuation lines).
template <typename F>
void for_each_entry_line(std::string_view head, size_t limit, F&& f) {
  size_t n = 0;
  while (!head.empty() && n < limit) {
    size_t nl = head.find('\n');
    // The last line may be cut short by the peek: use it only when it is all there is (a
    // statement of many MB on the first line).
    if (nl == std::string_view::npos && n > 0) break;
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '\t') continue;
    f(line);
    ++n;
  }
}

// Where a severity keyword ("LOG:  ") starts in `line`, or npos.
size_t find_severity(std::string_view line) {
  std::string_view severity;
  for (size_t at = line.find(":  "); at != std::string_view::npos && at < 400;
       at = line.find(":  ", at + 1)) {
    size_t start = at;
    while (start > 0 && ((line[start - 1] >= 'A' && line[start - 1] <= 'Z') ||
                         (line[start - 1] >= '0' && line[start - 1] <= '9'))) {
      --start;
    }
    if (start < at && match_severity(line.substr(start), &severity) > 0) return start;
  }
  return std::string_view::npos;
}

bool looks_like_time(std::string_view text) {
  int64_t us;
  for (size_t i = 0; i + 19 <= text.size(); ++i) {
    if (parse_pg_timestamp(text.substr(i), &us) > 0) return true;
  }
  return false;
}

}  // namespace

bool detect_log_line_prefix(std::string_view head, std::string* prefix, std::string* error) {
  constexpr size_t kSample = 200;
  size_t lines = 0, best = 0;
  std::string_view example;
  for_each_entry_line(head, kSample, [&](std::string_view line) {
    if (example.empty()) example = line;
    ++lines;
  });
  if (lines == 0) {
    *error = "no complete log line in the first bytes";
    return false;
  }
  for (std::string_view candidate : kCommonPrefixes) {
    LogLinePrefix compiled;
    std::string ignored;
    if (!LogLinePrefix::compile(candidate, &compiled, &ignored)) continue;
    size_t hits = 0;
    for_each_entry_line(head, kSample, [&](std::string_view line) {
      PrefixFields fields;
      std::string_view severity;
      size_t n = compiled.match(line, &fields);
      hits += n != std::string_view::npos && match_severity(line.substr(n), &severity) > 0;
    });
    // Most lines must match: a prefix that fits one line in ten is a coincidence.
    if (hits > best && hits * 2 >= lines) {
      best = hits;
      *prefix = std::string(candidate);
    }
  }
  if (best > 0) return true;
  // Say what the lines look like, so the user knows what to pass as --prefix.
  size_t at = find_severity(example);
  if (at == std::string_view::npos) {
    *error = fmt::format(
        "no line looks like a PostgreSQL log line (no 'LOG:  ' or 'ERROR:  '); the first is '{}'",
        example.substr(0, 120));
    return false;
  }
  std::string_view seen = example.substr(0, at);
  std::string lacks;
  if (!looks_like_time(seen)) lacks = "; it has no time (%m, %t or %n)";
  bool has_bracket_number = false;
  for (size_t i = seen.find('['); i != std::string_view::npos; i = seen.find('[', i + 1)) {
    has_bracket_number |= i + 1 < seen.size() && seen[i + 1] >= '0' && seen[i + 1] <= '9';
  }
  if (!has_bracket_number) lacks += "; no process id in brackets (%p)";
  *error = fmt::format(
      "cannot recognise the log_line_prefix: lines start with '{}' which no common setting "
      "matches{}; pass the "
      "server's setting (SHOW log_line_prefix) with --prefix",
      seen, lacks);
  return false;
}

std::optional<PgLogFormat> sniff_pg_log(std::string_view head) {
  size_t i = 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r')) ++i;
  head.remove_prefix(i);
  if (head.empty()) return std::nullopt;
  std::string_view first = head.substr(0, head.find('\n'));
  // jsonlog: every line is an object with the server's own keys.
  if (first[0] == '{') {
    if (first.find("\"error_severity\":") != std::string_view::npos &&
        first.find("\"timestamp\":") != std::string_view::npos) {
      return PgLogFormat::kJson;
    }
    return std::nullopt;
  }
  // csvlog: the first field is the time, written as "2024-03-05 14:22:01.123 UTC".
  int64_t us;
  size_t n = parse_pg_timestamp(first, &us);
  if (n > 0 && n < first.size() && first[n] == ',' &&
      first.find(",\"", n) != std::string_view::npos) {
    return PgLogFormat::kCsv;
  }
  // stderr: a known prefix, or at least a severity keyword near the start of most lines.
  std::string prefix, error;
  if (detect_log_line_prefix(head, &prefix, &error)) return PgLogFormat::kStderr;
  size_t lines = 0, with_severity = 0;
  for_each_entry_line(head, 50, [&](std::string_view line) {
    ++lines;
    size_t at = find_severity(line);
    with_severity += at != std::string_view::npos && at < 200;
  });
  if (lines > 0 && with_severity * 2 > lines && looks_like_time(first.substr(0, 64)))
    return PgLogFormat::kStderr;
  return std::nullopt;
}

}  // namespace querylens::capture

namespace querylens::capture {

SourceStats read_pg_log(InputFile& input, PgLogFormat format, const std::string& log_line_prefix,
                        QueryObserver& out, Diagnostics& diagnostics) {
  switch (format) {
    case PgLogFormat::kStderr:
      return read_pg_stderr(input, log_line_prefix, out, diagnostics);
    case PgLogFormat::kCsv:
      return read_pg_csv(input, out, diagnostics);
    case PgLogFormat::kJson:
      return read_pg_json(input, out, diagnostics);
  }
  return {};
}

}  // namespace querylens::capture
