#include <fmt/format.h>

#include <algorithm>

#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_parallel.h"
#include "querylens/capture/source.h"
#include "querylens/core/error.h"
#include "querylens/sql/splitter.h"

namespace querylens::capture {

bool parse_source_kind(std::string_view text, SourceKind* out) {
  if (text == "auto")
    *out = SourceKind::kAuto;
  else if (text == "sql")
    *out = SourceKind::kSql;
  else if (text == "jsonl" || text == "ndjson")
    *out = SourceKind::kJsonl;
  else if (text == "pg-stderr" || text == "stderr")
    *out = SourceKind::kPgStderr;
  else if (text == "pg-csv" || text == "csvlog")
    *out = SourceKind::kPgCsv;
  else if (text == "pg-json" || text == "jsonlog")
    *out = SourceKind::kPgJson;
  else
    return false;
  return true;
}

std::string_view to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::kAuto:
      return "auto";
    case SourceKind::kSql:
      return "sql";
    case SourceKind::kJsonl:
      return "jsonl";
    case SourceKind::kPgStderr:
      return "pg-stderr";
    case SourceKind::kPgCsv:
      return "pg-csv";
    case SourceKind::kPgJson:
      return "pg-json";
  }
  return "auto";
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// By name first (foo.sql, foo.jsonl.gz), then by content: a PostgreSQL log (jsonlog, csvlog,
// stderr with a recognisable prefix: capture/pglog.h) before the rest, because a log's first
// line can start with a word; a JSON object on the first non-blank line is a capture; text that
// starts like SQL (a word or a comment) is a script.
SourceKind detect(const std::string& path, InputFile& input) {
  std::string_view name = path;
  if (ends_with(name, ".gz")) name.remove_suffix(3);
  if (ends_with(name, ".sql")) return SourceKind::kSql;
  if (ends_with(name, ".jsonl") || ends_with(name, ".ndjson")) return SourceKind::kJsonl;
  if (std::optional<PgLogFormat> log = sniff_pg_log(input.peek(64 * 1024))) {
    switch (*log) {
      case PgLogFormat::kStderr:
        return SourceKind::kPgStderr;
      case PgLogFormat::kCsv:
        return SourceKind::kPgCsv;
      case PgLogFormat::kJson:
        return SourceKind::kPgJson;
    }
  }
  std::string_view head = input.peek(4096);
  size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i == head.size()) return SourceKind::kSql;  // empty: nothing to misread
  char c = head[i];
  if (c == '{') return SourceKind::kJsonl;
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '(' || c == '-' || c == '/')
    return SourceKind::kSql;
  throw Error(ErrorKind::kInput, fmt::format("cannot tell what kind of input {} is; name it with "
                                             "--input-format sql|jsonl|pg-stderr|pg-csv|pg-json",
                                             input.name()));
}

// Reports progress from InputFile's chunk reads, so no reader's loop pays for it: at most once
// per kStep bytes, and a last `finished` report when reading ends (returns or throws).
class ProgressReporter {
 public:
  ProgressReporter(InputFile& input, const ProgressCallback& callback)
      : input_(input), callback_(callback) {
    if (!callback_) return;
    report(false);
    input_.set_on_read([this] {
      if (input_.bytes_consumed() >= last_ + kStep) report(false);
    });
  }
  ~ProgressReporter() {
    if (!callback_) return;
    input_.set_on_read({});
    try {
      report(true);
    } catch (...) {  // a callback must not throw; a progress bar is not worth a terminate
    }
  }
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  static constexpr uint64_t kStep = 64 * 1024;

  void report(bool finished) {
    last_ = std::max(last_, input_.bytes_consumed());
    callback_(Progress{input_.name(), last_, input_.total_bytes(), finished});
  }

  InputFile& input_;
  const ProgressCallback& callback_;
  uint64_t last_ = 0;
};

}  // namespace

SourceStats read_sql_script(std::string_view script, const std::string& name, QueryObserver& out,
                            Diagnostics& diagnostics) {
  SourceStats stats;
  stats.bytes = script.size();
  sql::ScriptSplit split = sql::split_script(script);
  for (const sql::ScriptStatement& statement : split.statements) {
    QueryEvent event;
    event.sql = statement.text;
    out.on_query(event);
    ++stats.events;
  }
  if (!split.error.empty()) {
    ++stats.skipped;
    diagnostics.report(SourceLocation{name, split.error_line, split.error_column},
                       fmt::format("{}; the rest of the file was not read", split.error));
  }
  return stats;
}

SourceStats read_source(const std::string& path, SourceKind kind, PartedObserver& out, size_t jobs,
                        Diagnostics& diagnostics, const std::string& log_line_prefix,
                        const ProgressCallback& progress) {
  if (jobs > 1 && can_read_in_parts(path)) {
    if (kind == SourceKind::kAuto) {
      InputFile input(path);
      kind = detect(path, input);
    }
    std::optional<PgLogFormat> format = kind == SourceKind::kPgStderr ? PgLogFormat::kStderr
                                        : kind == SourceKind::kPgCsv  ? PgLogFormat::kCsv
                                        : kind == SourceKind::kPgJson
                                            ? PgLogFormat::kJson
                                            : std::optional<PgLogFormat>();
    if (format) {
      return read_pg_log_parallel(path, *format, log_line_prefix, jobs, out, diagnostics, progress);
    }
  }
  SourceStats stats = read_source(path, kind, out.part(0), diagnostics, log_line_prefix, progress);
  return stats;
}

SourceStats read_source(const std::string& path, SourceKind kind, QueryObserver& out,
                        Diagnostics& diagnostics, const std::string& log_line_prefix,
                        const ProgressCallback& progress) {
  InputFile input(path);
  ProgressReporter reporter(input, progress);
  if (kind == SourceKind::kAuto) kind = detect(path, input);
  switch (kind) {
    case SourceKind::kPgStderr:
      return read_pg_log(input, PgLogFormat::kStderr, log_line_prefix, out, diagnostics);
    case SourceKind::kPgCsv:
      return read_pg_log(input, PgLogFormat::kCsv, {}, out, diagnostics);
    case SourceKind::kPgJson:
      return read_pg_log(input, PgLogFormat::kJson, {}, out, diagnostics);
    default:
      break;
  }
  if (kind == SourceKind::kSql) {
    std::string script = input.read_all();
    return read_sql_script(script, input.name(), out, diagnostics);
  }
  SourceStats stats;
  JsonlEventParser parser;
  std::string_view line;
  std::string error;
  QueryEvent event;
  while (input.next_line(&line)) {
    stats.bytes += line.size() + 1;
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;  // blank lines are allowed
    if (!parser.parse(line, &event, &error)) {
      ++stats.skipped;
      diagnostics.report(SourceLocation{input.name(), input.line_number(), 0}, error);
      continue;
    }
    out.on_query(event);
    ++stats.events;
  }
  return stats;
}

}  // namespace querylens::capture
