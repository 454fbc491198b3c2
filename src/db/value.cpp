#include "querylens/db/value.h"

#include <fmt/format.h>

#include "querylens/sql/quote.h"

namespace querylens::db {

std::string to_display(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(int64_t i) const { return fmt::format("{}", i); }
    // fmt prints the shortest text that reads back as the same double (1.5, 0.1, 1e+300).
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return sql::quote_literal(s); }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace querylens::db
