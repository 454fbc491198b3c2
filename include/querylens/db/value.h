// Value — one bound parameter or one cell of a result, for both engines.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace querylens::db {

// NULL, integer, floating point, or text (blobs travel as text bytes).
using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Params = std::vector<Value>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }
// For messages and reports: NULL, 42, 1.5, 'text' (quotes doubled).
std::string to_display(const Value& v);

// A fully read result: column names and rows of values.
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  int64_t rows_affected = 0;  // INSERT / UPDATE / DELETE
};

}  // namespace querylens::db
