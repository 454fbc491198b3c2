#include "plan/text_plan_lines.h"

namespace querylens::plan {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

std::string_view without_cr(std::string_view s) {
  while (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

size_t text_plan_label_end(std::string_view line) {
  for (size_t at = line.find("  ("); at != std::string_view::npos; at = line.find("  (", at + 1)) {
    std::string_view rest = line.substr(at + 3);
    if (starts_with(rest, "cost=") || starts_with(rest, "actual ") ||
        starts_with(rest, "never executed)"))
      return at;
  }
  return std::string_view::npos;
}

TextPlanLines split_text_plan(std::string_view text) {
  TextPlanLines out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  size_t i = 0;
  while (i < out.lines.size() && blank(out.lines[i])) ++i;
  if (i < out.lines.size() && starts_with(out.lines[i], "Query Text: ")) {
    out.has_query_text = true;
    out.query_text = without_cr(out.lines[i].substr(12));
    for (++i; i < out.lines.size(); ++i) {
      std::string_view line = without_cr(out.lines[i]);
      if (starts_with(line, "Query Parameters: ")) {  // PostgreSQL 16+: the root follows
        ++i;
        break;
      }
      if (!line.empty() && line[0] != ' ' && text_plan_label_end(line) != std::string_view::npos)
        break;
      out.query_text += '\n';
      out.query_text += line;
    }
    while (i < out.lines.size() && blank(out.lines[i])) ++i;
    if (i < out.lines.size() && text_plan_label_end(out.lines[i]) != std::string_view::npos) {
      out.found_tree = true;
      out.tree_begin = i;
    }
  } else {
    for (size_t k = i; k < out.lines.size(); ++k) {
      if (text_plan_label_end(out.lines[k]) != std::string_view::npos) {
        out.found_tree = true;
        out.tree_begin = k;
        break;
      }
    }
    // Without costs (EXPLAIN (COSTS OFF)): the first line that is not psql's header.
    for (size_t k = i; !out.found_tree && k < out.lines.size(); ++k) {
      std::string_view line = without_cr(out.lines[k]);
      std::string_view t = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
      if (blank(line) || t == "QUERY PLAN" || t.find_first_not_of('-') == std::string_view::npos)
        continue;
      out.found_tree = true;
      out.tree_begin = k;
    }
  }
  if (out.found_tree) {
    std::string_view root = out.lines[out.tree_begin];
    size_t column = root.find_first_not_of(' ');
    out.tree_column = column == std::string_view::npos ? 0 : column;
  }
  return out;
}

}  // namespace querylens::plan
