#include "querylens/core/error.h"

#include <fmt/format.h>

namespace querylens {

std::string SourceLocation::to_string() const {
  if (file.empty()) return line > 0 ? fmt::format("line {}", line) : std::string();
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

static std::string with_location(const std::string& message, const SourceLocation& where) {
  return where.known() ? where.to_string() + ": " + message : message;
}

Error::Error(ErrorKind kind, const std::string& message, SourceLocation where)
    : std::runtime_error(with_location(message, where)),
      kind_(kind),
      message_(message),
      where_(std::move(where)) {}

}  // namespace querylens
