// log_line_prefix: what PostgreSQL writes before each stderr log line, compiled into a matcher.
//
// A prefix such as '%m [%p] %q%u@%d ' becomes a token list matched left to right with
// memcmp / digit scans (no regex): the hot loop of the stderr reader runs it once per line.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/core/query_event.h"

namespace querylens::capture {

// What a matched prefix said about its line. Views point into the line.
struct PrefixFields {
  int64_t time_us = 0;  // %m, %t or %n; 0 = not in the prefix
  int64_t pid = kUnknown;
  std::string_view session;                              // %c
  std::string_view user, database, application, client;  // %u, %d, %a, %h or %r
};

class LogLinePrefix {
 public:
  LogLinePrefix() = default;
  // False (with *error) when `prefix` cannot be matched (two text escapes in a row).
  static bool compile(std::string_view prefix, LogLinePrefix* out, std::string* error);

  // Length of the prefix at the start of `line` (the message follows), or npos. After %q the
  // rest is optional, as in the server: background processes stop there. Inline: it only
  // picks the path, once per line (a call of its own was ~1% of a log digest).
  size_t match(std::string_view line, PrefixFields* fields) const {
    if (!time_pid_head_) return match_tokens(line, 0, 0, fields);
    size_t pos = match_time_pid(line, fields);
    if (pos == std::string_view::npos) return pos;
    if (user_at_database_tail_) return match_user_at_database(line, pos, fields);
    return match_tokens(line, 4, pos, fields);
  }
  // match() by the token loop alone, without the path compiled for prefixes that start with
  // '%m [%p]' (or %t, other literals): the tests hold the two equal.
  size_t match_general(std::string_view line, PrefixFields* fields) const {
    return match_tokens(line, 0, 0, fields);
  }

  const std::string& text() const { return text_; }
  bool has_time() const { return has_time_; }
  bool has_process() const { return has_process_; }
  // "no time (%m, %t or %n)", "no process id (%p or %c)", joined by "; " — "" when complete.
  std::string missing() const;

 private:
  enum class Kind : uint8_t {
    kLiteral,
    kTime,
    kSessionStart,
    kEpoch,
    kNumber,
    kSessionId,
    kText,
    kStopIfBackground
  };
  enum class Field : uint8_t {
    kNone,
    kTime,
    kPid,
    kSession,
    kUser,
    kDatabase,
    kApplication,
    kClient
  };
  struct Token {
    Token(Kind k, Field f = Field::kNone) : kind(k), field(f) {}
    Kind kind;
    Field field = Field::kNone;
    std::string literal;        // kLiteral: the text; kText: the literal that ends it ("" = none)
    bool padded = false;        // %-10u: space-padded to a width
    bool then_literal = false;  // kText: the next token is its `literal`, matched with it
  };
  // The tokens from `first` on, the line matched up to `pos`.
  size_t match_tokens(std::string_view line, size_t first, size_t pos, PrefixFields* f) const;
  size_t match_time_pid(std::string_view line, PrefixFields* f) const;
  // match_time_pid() for a line whose head is not the one remembered (or whose pid is not):
  // out of line, so that its code and registers stay off the remembered head's path.
  [[gnu::noinline]] size_t read_time_pid(std::string_view line, bool same_time, int64_t us,
                                         PrefixFields* f) const;
  void remember_head(std::string_view line, size_t time_size, size_t size, int64_t us,
                     int64_t pid) const;
  static void remember_pid(std::string_view line, size_t pos, size_t end, int64_t pid);
  size_t match_user_at_database(std::string_view line, size_t pos, PrefixFields* f) const;
  // match_user_at_database() for a line that does not repeat the last "user@database ".
  [[gnu::noinline]] size_t read_user_at_database(std::string_view line, size_t pos,
                                                 PrefixFields* f) const;

  std::string text_;
  std::vector<Token> tokens_;
  bool has_time_ = false, has_process_ = false;
  // tokens_ start with %m or %t, a literal, %p and a literal ('%m [%p] ', '%t [%p]: '): the
  // shape of most servers' prefixes, matched by match_time_pid() without the token loop.
  bool time_pid_head_ = false;
  // ... followed by '%q%u@%d ' (Debian's default prefix): matched by match_user_at_database().
  bool user_at_database_tail_ = false;
  // Which compiled prefix this is (copies share it): match_time_pid() remembers the last head
  // it read per thread, and a head is only the same under the same literals.
  uint64_t id_ = 0;
};

// The prefix of a stderr log from its first bytes: the common settings are tried (see
// docs/sources-pglog.md) and the one that matches most lines wins. False with *error saying
// what the lines look like and which escapes they lack.
bool detect_log_line_prefix(std::string_view head, std::string* prefix, std::string* error);

// "LOG:  " / "ERROR:  " (and "LOG:  00000: " of log_error_verbosity = verbose) at the start of
// `text`: the length to skip to reach the message, with the level in *severity; 0 when none.
size_t match_severity_general(std::string_view text, std::string_view* severity);
// Inline for the line most of a log's lines are, "LOG:  message" (a call and the general
// scan were ~2.5% of a log digest); anything else, the general function.
inline size_t match_severity(std::string_view text, std::string_view* severity) {
  // memcmp of a constant length: a 4- and a 2-byte load, inlined.
  if (text.size() >= 6 && std::memcmp(text.data(), "LOG:  ", 6) == 0 &&
      !(text.size() >= 13 && text[11] == ':' && text[12] == ' ')) {  // no "00000: "
    *severity = text.substr(0, 3);
    return 6;
  }
  return match_severity_general(text, severity);
}

// "2024-03-05 14:22:01[.123][ UTC|+02|-0330]" at the start of `text`: microseconds since the
// epoch in *unix_us and the length consumed; 0 when it is not one. Zone names other than
// UTC / GMT / numeric offsets are read as UTC (the log's local wall time).
size_t parse_pg_timestamp(std::string_view text, int64_t* unix_us);

}  // namespace querylens::capture
