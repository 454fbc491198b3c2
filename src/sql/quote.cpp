#include "querylens/sql/quote.h"

namespace querylens::sql {

namespace {

// `text` between `quote`s, each `quote` inside doubled.
std::string enclose(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string quote_identifier(std::string_view name) { return enclose(name, '"'); }

std::string quote_literal(std::string_view text) { return enclose(text, '\''); }

std::string index_name(const std::vector<std::string>& parts) {
  std::string name;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!name.empty()) name += '_';
    name += part;
  }
  name += "_idx";
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!keep) c = '_';
  }
  constexpr size_t kMaxName = 63;
  if (name.size() > kMaxName) name = name.substr(0, kMaxName - 4) + "_idx";
  return name;
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
