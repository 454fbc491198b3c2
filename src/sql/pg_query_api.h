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
// The raw parse tree as libpg_query's JSON. JSON, not protobuf: on typical ORM statements
// pg_query_parse costs ~6 µs and simdjson reads its output in ~1.3 µs more, while
// pg_query_parse_protobuf alone costs ~27 µs (libpg_query 15-4.0, one core; measured for issue 4).
struct ParseTree {
  std::string json;  // capacity >= size() + kJsonPadding, so simdjson can read it in place
  ParseError error;
};
inline constexpr size_t kJsonPadding = 64;

// REQUIRES: `sql` contains no NUL byte (libpg_query takes C strings); callers check.
Fingerprint fingerprint(const std::string& sql);
Normalized normalize(const std::string& sql);
Split split(const std::string& sql);
ParseTree parse(const std::string& sql);

}  // namespace querylens::sql::pgq
