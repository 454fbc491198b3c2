// The lines of an EXPLAIN text plan, and where its tree starts: shared by the parser and the
// query-text reader (which stops at the tree).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::plan {

struct TextPlanLines {
  std::vector<std::string_view> lines;  // views into the text
  bool has_query_text = false;          // auto_explain's "Query Text: " came first
  std::string query_text;               // its lines, joined with '\n'
  bool found_tree = false;
  size_t tree_begin = 0;   // index in `lines` of the root node line
  size_t tree_column = 0;  // the root line's indentation (psql indents by one)
};

// Splits `text` into lines; after "Query Text: " the query runs up to the first line that is
// a node line at the left margin ("Name  (cost=…" / "(actual …" / "(never executed)"), skipping
// a "Query Parameters: " line. Without "Query Text: ", the first such line is the root (or,
// when none has costs, the first non-blank line that is not psql's "QUERY PLAN" header).
TextPlanLines split_text_plan(std::string_view text);

// Where a node line's name ends: the "  (" of its costs or actuals; npos when it has neither.
size_t text_plan_label_end(std::string_view line);

}  // namespace querylens::plan
