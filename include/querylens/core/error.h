// querylens::Error — the one error type that crosses the library boundary.
//
// Every failure the library reports is an Error (or derived from it): it says what kind of
// failure it is (so the CLI can map it to an exit code) and, for input errors, where in the
// input it happened. Messages never contain passwords: code that builds a message from a
// connection string passes it through db/url.h's redact_url() first.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace querylens {

enum class ErrorKind {
  kUsage,     // the caller asked for something that cannot be done (bad option, bad URL form)
  kInput,     // a file or stream could not be read or parsed
  kDatabase,  // the database refused, failed or could not be reached
  kInternal,  // a bug in querylens
};

// Where in an input something happened. line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int64_t line = 0;
  int64_t column = 0;

  bool known() const { return !file.empty() || line > 0; }
  // "file:line:column", "file:line", "file" or "line N" — whatever is known.
  std::string to_string() const;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, SourceLocation where = {});

  ErrorKind kind() const { return kind_; }
  const SourceLocation& where() const { return where_; }
  // The message without the location prefix that what() carries.
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  std::string message_;
  SourceLocation where_;
};

}  // namespace querylens
