// The stderr log: a prefix on each entry's first line, tab-led continuation lines, and the
// DETAIL / STATEMENT lines of the same entry on lines of their own with the same prefix.
#include <fmt/format.h>

#include "capture/pglog_split.h"
#include "capture/same_bytes.h"
#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_prefix.h"
#include "querylens/core/error.h"

namespace querylens::capture {
namespace {

// `to` = `from`, copied only when it differs; `view` (the record's) follows `to` when it does.
[[gnu::always_inline]] inline void keep(std::string* to, std::string_view from,
                                        std::string_view* view) {
  if (to->size() == from.size() && same_bytes(to->data(), from.data(), from.size())) return;
  to->assign(from);
  *view = *to;
}

// The entry being assembled. The repeated prefix fields are copied out of the line buffer
// into strings reused from entry to entry (no allocation once they are warm); the message,
// DETAIL and STATEMENT stay views of their lines while the input's buffer holds them (most
// entries are flushed before it is refilled), and are copied when they gain a continuation
// line or the buffer is about to be refilled (own_parts()).
class Entry {
 public:
  Entry() = default;
  // The record's views point into the strings (short ones inside the objects): not movable.
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  bool open() const { return open_; }
  int64_t pid() const { return record_.pid; }

  void start(int64_t line, const PrefixFields& f, std::string_view severity,
             std::string_view message) {
    open_ = true;
    record_.line = line;
    record_.time_us = f.time_us;
    record_.pid = f.pid;
    // These repeat from line to line ("app", "shop", "LOG"): a comparison is cheaper than
    // the copy.
    keep(&session_, f.session, &record_.session);
    keep(&user_, f.user, &record_.user);
    keep(&database_, f.database, &record_.database);
    keep(&application_, f.application, &record_.application);
    keep(&client_, f.client, &record_.client);
    keep(&severity_, severity, &record_.severity);
    record_.message = message;
    record_.detail = {};
    record_.statement = {};
    continuing_ = &message_;
  }

  // DETAIL:, STATEMENT:, HINT:, ... of the same entry.
  void attach(std::string_view severity, std::string_view text) {
    continuing_ = nullptr;
    if (severity == "DETAIL") continuing_ = &detail_;
    if (severity == "STATEMENT") continuing_ = &statement_;
    if (continuing_ != nullptr) *continuing_->view = text;
  }

  // A tab-led line continues the last part (a multi-line statement keeps its newlines).
  void continue_with(std::string_view text) {
    if (continuing_ == nullptr) return;
    Part& part = *continuing_;
    part.own();
    part.text.push_back('\n');
    part.text.append(text);
    *part.view = part.text;
  }

  // Before the input's buffer is refilled: the parts that are views of it are copied.
  void own_parts() {
    if (!open_) return;
    message_.own();
    detail_.own();
    statement_.own();
  }

  int64_t line() const { return record_.line; }
  // Hands the entry to `events`; nullptr, or what was wrong with it.
  const char* flush(PgLogEvents& events) {
    if (!open_) return nullptr;
    open_ = false;
    // session .. severity are set by keep() when they change: the strings do not move (the
    // entry stays where it is), and unchanged, their views stay valid. The parts are set as
    // their lines come.
    return events.add(record_);
  }

 private:
  // The message, DETAIL or STATEMENT: the record's view of it (`view`), of its line or of
  // `text`, its copy.
  struct Part {
    std::string text;
    std::string_view* view;
    void own() {
      if (view->data() == text.data()) return;  // the copy already
      text.assign(*view);
      *view = text;
    }
  };

  bool open_ = false;
  PgLogRecord record_;
  std::string session_, user_, database_, application_, client_, severity_;
  Part message_{{}, &record_.message}, detail_{{}, &record_.detail},
      statement_{{}, &record_.statement};
  Part* continuing_ = nullptr;
};

// By length first: every line asks, and most say "LOG" (no word of the list has 3 letters).
inline bool is_part_of_entry(std::string_view severity) {
  switch (severity.size()) {
    case 4:
      return severity == "HINT";
    case 5:
      return severity == "QUERY";
    case 6:
      return severity == "DETAIL";
    case 7:
      return severity == "CONTEXT";
    case 8:
      return severity == "LOCATION";
    case 9:
      return severity == "STATEMENT";
    default:
      return false;
  }
}

}  // namespace

LogLinePrefix stderr_log_prefix(InputFile& input, const std::string& log_line_prefix,
                                Diagnostics& diagnostics) {
  std::string prefix_text = log_line_prefix, error;
  if (prefix_text.empty() &&
      !detect_log_line_prefix(input.peek(256 * 1024), &prefix_text, &error)) {
    throw Error(ErrorKind::kInput, error, SourceLocation{input.name(), 0, 0});
  }
  LogLinePrefix prefix;
  if (!LogLinePrefix::compile(prefix_text, &prefix, &error)) {
    throw Error(ErrorKind::kInput, error, SourceLocation{input.name(), 0, 0});
  }
  if (!prefix.missing().empty()) {
    diagnostics.report(
        SourceLocation{input.name(), 0, 0},
        fmt::format(
            "log_line_prefix '{}' has {}: events have no {}; set e.g. '%m [%p] ' on the server",
            prefix.text(), prefix.missing(),
            prefix.has_time()      ? "session"
            : prefix.has_process() ? "time"
                                   : "time or session"));
  }
  return prefix;
}

bool is_pg_stderr_entry_start(const LogLinePrefix& prefix, std::string_view line) {
  if (line.empty() || line[0] == '\t') return false;
  PrefixFields fields;
  std::string_view severity;
  size_t n = prefix.match(line, &fields);
  return n != std::string_view::npos && match_severity(line.substr(n), &severity) > 0 &&
         !is_part_of_entry(severity);
}

SourceStats read_pg_stderr_records(InputFile& input, const LogLinePrefix& prefix, bool detected,
                                   PgLogEvents& events, Diagnostics& diagnostics) {
  SourceStats stats;
  Entry entry;
  std::string_view line, severity;
  auto skip_at = [&](int64_t at, std::string_view why) {
    ++stats.skipped;
    diagnostics.report(SourceLocation{input.name(), at, 0}, std::string(why));
  };
  auto skip = [&](std::string_view why) { skip_at(input.line_number(), why); };
  auto flush = [&] {
    if (const char* problem = entry.flush(events)) skip_at(entry.line(), problem);
  };
  while (true) {
    if (!input.next_line_in_buffer(&line)) {
      entry.own_parts();  // the buffer's bytes may move
      if (!input.next_line(&line)) break;
    }
    stats.bytes += line.size() + 1;
    if (line.empty()) continue;
    if (line[0] == '\t') {
      if (entry.open()) {
        entry.continue_with(line.substr(1));
      } else {
        skip("a continuation line (tab) with no log line before it");
      }
      continue;
    }
    PrefixFields fields;
    size_t n = prefix.match(line, &fields);
    size_t skip_severity =
        n == std::string_view::npos ? 0 : match_severity(line.substr(n), &severity);
    if (skip_severity == 0) {
      skip(fmt::format("not a log line with log_line_prefix '{}'{}: '{}'", prefix.text(),
                       detected ? " (detected; --prefix sets it)" : "", line.substr(0, 80)));
      continue;
    }
    std::string_view text = line.substr(n + skip_severity);
    if (entry.open() && is_part_of_entry(severity) && fields.pid == entry.pid()) {
      entry.attach(severity, text);
      continue;
    }
    flush();
    entry.start(input.line_number(), fields, severity, text);
  }
  flush();
  return stats;
}

SourceStats read_pg_stderr(InputFile& input, const std::string& log_line_prefix, QueryObserver& out,
                           Diagnostics& diagnostics) {
  LogLinePrefix prefix = stderr_log_prefix(input, log_line_prefix, diagnostics);
  PgLogEvents events(out);
  SourceStats stats =
      read_pg_stderr_records(input, prefix, log_line_prefix.empty(), events, diagnostics);
  events.finish();
  stats.events = events.events();
  return stats;
}

}  // namespace querylens::capture
