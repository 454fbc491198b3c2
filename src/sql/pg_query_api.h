// The only place that calls libpg_query. Each call's result is copied out and freed at once
// (RAII by value), and errors carry their cursor position.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::sql::pgq {

struct ParseError {
  std::string message;
  int cursor = 0;  // 1-based character position in the input, 0 when unknown
  bool failed() const { return !message.empty(); }
};

struct Fingerprint {
  uint64_t value = 0;
  ParseError error;
};
struct Normalized {
  std::string text;
  ParseError error;
};
struct SplitStatement {
  size_t offset = 0;  // byte offset into the input
  size_t length = 0;  // bytes, without the terminating ';'
};
struct Split {
  std::vector<SplitStatement> statements;
  ParseError error;
};

// REQUIRES: `sql` contains no NUL byte (libpg_query takes C strings); callers check.
Fingerprint fingerprint(const std::string& sql);
Normalized normalize(const std::string& sql);
Split split(const std::string& sql);

}  // namespace querylens::sql::pgq
