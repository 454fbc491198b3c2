// SQLite's EXPLAIN QUERY PLAN rows → Plan.
//
// The lines are English that changed wording over the years: 3.24–3.35 print "SCAN TABLE
// posts AS p" and "SEARCH TABLE posts USING INDEX i (a=?)", 3.36+ print only the name the
// query used ("SCAN p"), older ones prefix subqueries with "EXECUTE". Each line is read by
// its leading words (a fixed table) and, for SCAN / SEARCH, by the USING clause after the
// name. Anything else is kept as a node named by its leading words: a new SQLite wording
// degrades to a node the checks ignore, never to an error.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "querylens/plan/parse.h"

namespace querylens::plan {
namespace {

using std::string_view;

string_view trim(string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// `s` begins with the words `prefix`, followed by a space or the end (so "UNION" does not
// match "UNIONS").
bool starts_with_words(string_view s, string_view prefix) {
  return s.starts_with(prefix) && (s.size() == prefix.size() || s[prefix.size()] == ' ');
}

// Removes `prefix` (and the spaces after it) from the front of `s` when it is there.
bool consume(string_view& s, string_view prefix) {
  if (!starts_with_words(s, prefix)) return false;
  s = trim(s.substr(prefix.size()));
  return true;
}

// The next space-separated word, removed from `s`.
string_view take_word(string_view& s) {
  s = trim(s);
  size_t end = std::min(s.find(' '), s.size());
  string_view word = s.substr(0, end);
  s = trim(s.substr(end));
  return word;
}

bool is_number(string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The leading words of a line nobody taught us: uppercase words, as SQLite writes its own.
std::string leading_words(string_view line) {
  std::string out;
  string_view rest = line;
  while (!rest.empty()) {
    string_view copy = rest;
    string_view word = take_word(copy);
    bool upper = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || c == '-';
    });
    if (!upper) break;
    if (!out.empty()) out += ' ';
    out += word;
    rest = copy;
  }
  if (out.empty()) out = std::string(take_word(rest));  // "its first word", whatever it is
  if (out.empty()) out = "UNKNOWN";                     // a blank line
  return out;
}

// "(a=? AND b>? AND b<?)" → {"a", "b"}; "(ANY(a) AND b=?)" → {"a", "b"}; "(rowid=?)" →
// {"rowid"}. `text` starts at the '('; the group ends at its matching ')'.
std::vector<std::string> index_columns(string_view text) {
  std::vector<std::string> columns;
  if (text.empty() || text.front() != '(') return columns;
  int depth = 0;
  size_t end = 0;
  for (; end < text.size(); ++end) {
    if (text[end] == '(') ++depth;
    if (text[end] == ')' && --depth == 0) break;
  }
  string_view inside = text.substr(1, end - 1);  // end may be size(): unbalanced, read it all
  while (!inside.empty()) {
    size_t and_at = inside.find(" AND ");
    string_view term = trim(inside.substr(0, and_at));
    inside = and_at == string_view::npos ? string_view() : inside.substr(and_at + 5);
    if (term.starts_with("ANY(")) term.remove_prefix(4);  // skip-scan over a leading column
    size_t stop = term.find_first_of("=<>!) ");
    string_view column = term.substr(0, stop);
    // "~100 rows" (3.7 estimates) and "<expr>" (an index on an expression) name no column.
    if (column.empty() || column.front() == '~' || column.front() == '<') continue;
    if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
      columns.emplace_back(column);
    }
  }
  return columns;
}

// What follows "SCAN " / "SEARCH ": "[TABLE] name [AS alias] [VIRTUAL TABLE INDEX …]
// [USING [AUTOMATIC] [PARTIAL] [COVERING] INDEX [name] | [INTEGER] PRIMARY KEY] [(terms)]".
void read_scan(string_view rest, PlanNode& node) {
  consume(rest, "TABLE");           // 3.24–3.35
  if (consume(rest, "SUBQUERY")) {  // before 3.36: "SCAN SUBQUERY 1 [AS x]"
    string_view number = take_word(rest);
    node.subplan_name = "SUBQUERY " + std::string(number);
  } else {
    node.relation = std::string(take_word(rest));
  }
  if (consume(rest, "AS")) node.alias = std::string(take_word(rest));
  if (!consume(rest, "USING")) return;  // a plain scan, or a virtual table's own index
  size_t paren = rest.find('(');
  string_view how = trim(rest.substr(0, paren));
  string_view words = how;
  while (!words.empty()) {
    string_view word = take_word(words);
    if (word == "AUTOMATIC") node.automatic_index = true;
    if (word == "COVERING") node.covering_index = true;
    // The automatic index has no name: the word after INDEX is then the "(".
    if (word == "INDEX" && !words.empty()) node.index = std::string(take_word(words));
  }
  if (node.index.empty() && !node.automatic_index) {
    if (how.starts_with("INTEGER PRIMARY KEY")) {
      node.index = "INTEGER PRIMARY KEY";
    } else if (how.starts_with("PRIMARY KEY")) {
      node.index = "PRIMARY KEY";  // a WITHOUT ROWID table's key
    }
  }
  if (paren != string_view::npos) node.index_columns = index_columns(rest.substr(paren));
}

// Reads one line into `node` (node_type, relation, alias, index, …); detail is set by the
// caller.
void read_line(string_view line, PlanNode& node) {
  // Before 3.24 a subquery line read "EXECUTE [CORRELATED] SCALAR SUBQUERY 1".
  consume(line, "EXECUTE");
  // Leading words, longest first where one is the start of another.
  static constexpr string_view kKinds[] = {
      "SCAN CONSTANT ROW",
      "USE TEMP B-TREE",
      "CORRELATED SCALAR SUBQUERY",
      "CORRELATED LIST SUBQUERY",
      "SCALAR SUBQUERY",
      "LIST SUBQUERY",
      "CO-ROUTINE",
      "MATERIALIZE",
      "COMPOUND QUERY",
      "COMPOUND SUBQUERIES",
      "LEFT-MOST SUBQUERY",
      "UNION ALL",
      "UNION",
      "INTERSECT",
      "EXCEPT",
      "MULTI-INDEX OR",
      "BLOOM FILTER ON",
      "RIGHT-JOIN",
      "RECURSIVE STEP",
      "SETUP",
      "INDEX",
      "SCAN",
      "SEARCH",
  };
  string_view kind;
  for (string_view k : kKinds) {
    if (starts_with_words(line, k)) {
      kind = k;
      break;
    }
  }
  if (kind.empty()) {
    node.node_type = leading_words(line);
    return;
  }
  string_view rest = trim(line.substr(kind.size()));
  node.node_type = std::string(kind == "BLOOM FILTER ON" ? "BLOOM FILTER" : kind);
  if (kind == "SCAN" || kind == "SEARCH") {
    read_scan(rest, node);
  } else if (kind.ends_with("SUBQUERY") && kind != "LEFT-MOST SUBQUERY") {
    // "CORRELATED SCALAR SUBQUERY 2": the number ties it to the subquery's own lines.
    if (is_number(rest)) node.subplan_name = "SUBQUERY " + std::string(rest);
  } else if (kind == "CO-ROUTINE" || kind == "MATERIALIZE") {
    node.subplan_name = std::string(take_word(rest));  // later lines SCAN it by this name
  } else if (kind == "BLOOM FILTER ON" || kind == "RIGHT-JOIN") {
    node.relation = std::string(take_word(rest));
    if (!rest.empty() && rest.front() == '(') node.index_columns = index_columns(rest);
  }
}

}  // namespace

Plan parse_sqlite_plan(const std::vector<SqlitePlanRow>& rows) {
  // Parent links by id. A parent is only looked for among the rows before: SQLite prints in
  // pre-order, and refusing forward links makes cycles impossible on any input.
  const int n = static_cast<int>(rows.size());
  std::vector<std::vector<int>> kids(static_cast<size_t>(n));
  std::vector<int> top;
  std::map<int, int> row_by_id;
  for (int i = 0; i < n; ++i) {
    const SqlitePlanRow& row = rows[static_cast<size_t>(i)];
    auto it = row.parent == 0 ? row_by_id.end() : row_by_id.find(row.parent);
    if (it == row_by_id.end()) {
      top.push_back(i);  // parent 0, or one never printed: hang it at the top
    } else {
      kids[static_cast<size_t>(it->second)].push_back(i);
    }
    row_by_id[row.id] = i;  // a repeated id: later rows mean the latest
  }

  Plan plan;
  plan.engine = Engine::kSqlite;
  plan.nodes.reserve(rows.size() + 1);
  // One top-level line is the root; several (or none) hang under a synthetic "QUERY PLAN",
  // as the sqlite3 shell draws them.
  bool synthetic = top.size() != 1;
  if (synthetic) {
    PlanNode root;
    root.node_type = "QUERY PLAN";
    plan.nodes.push_back(std::move(root));
  }
  // Pre-order without recursion: a hostile, deep chain of rows cannot exhaust the stack.
  // Stack entries: (row index, parent node index).
  std::vector<std::pair<int, int>> stack;
  for (auto it = top.rbegin(); it != top.rend(); ++it) stack.emplace_back(*it, synthetic ? 0 : -1);
  while (!stack.empty()) {
    auto [row_index, parent] = stack.back();
    stack.pop_back();
    PlanNode node;
    node.id = static_cast<int>(plan.nodes.size());
    node.parent = parent;
    node.depth = parent < 0 ? 0 : plan.nodes[static_cast<size_t>(parent)].depth + 1;
    node.detail = std::string(trim(rows[static_cast<size_t>(row_index)].detail));
    read_line(node.detail, node);
    if (parent >= 0) plan.nodes[static_cast<size_t>(parent)].children.push_back(node.id);
    const std::vector<int>& children = kids[static_cast<size_t>(row_index)];
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      stack.emplace_back(*it, node.id);
    }
    plan.nodes.push_back(std::move(node));
  }
  derive_metrics(plan);
  return plan;
}

}  // namespace querylens::plan
