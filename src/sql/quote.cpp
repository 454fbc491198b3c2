#include "querylens/sql/quote.h"

namespace querylens::sql {

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_qualified(std::string_view dotted) {
  std::string out;
  while (true) {
    size_t dot = dotted.find('.');
    if (!out.empty()) out += '.';
    out += quote_identifier(dotted.substr(0, dot));
    if (dot == std::string_view::npos) return out;
    dotted = dotted.substr(dot + 1);
  }
}

}  // namespace querylens::sql
