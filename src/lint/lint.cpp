// The rule table, options, and linting a whole script (splitting, locations, ignore comments).
#include "querylens/lint/lint.h"

#include <algorithm>
#include <cstring>

#include "querylens/sql/lexer.h"
#include "querylens/sql/splitter.h"

namespace querylens::lint {
namespace {

constexpr std::string_view kIgnore = "querylens-ignore";

// Rule ids named by `-- querylens-ignore a, b` comments in `text` (comment text only: the gaps
// between tokens, so a string literal that contains the words does not count). "*" = all.
void ignores_in(std::string_view text, bool whole_text_is_comments, std::vector<std::string>* out) {
  if (text.find(kIgnore) == std::string_view::npos) return;
  std::vector<std::string_view> comments;
  if (whole_text_is_comments) {
    comments.push_back(text);
  } else {
    sql::LexResult lexed = sql::lex(text);
    size_t prev = 0;
    for (const sql::Token& t : lexed.tokens) {
      comments.push_back(text.substr(prev, t.offset - prev));
      prev = t.offset + t.text.size();
    }
    comments.push_back(text.substr(prev));
  }
  for (std::string_view c : comments) {
    for (size_t at = c.find(kIgnore); at != std::string_view::npos; at = c.find(kIgnore, at + 1)) {
      size_t p = at + kIgnore.size();
      bool any = false;
      while (p < c.size() && c[p] != '\n' &&
             !(c[p] == '*' && p + 1 < c.size() && c[p + 1] == '/')) {
        size_t b = p;
        while (p < c.size() && (std::isalnum(static_cast<unsigned char>(c[p])) || c[p] == '-')) ++p;
        if (p > b) {
          out->emplace_back(c.substr(b, p - b));
          any = true;
        } else {
          ++p;
        }
      }
      if (!any) out->emplace_back("*");
    }
  }
}

int64_t line_of(std::string_view text, size_t offset, int64_t* column) {
  int64_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  *column = static_cast<int64_t>(offset - line_start) + 1;
  return line;
}

}  // namespace

const std::vector<RuleInfo>& rules() {
  static const std::vector<RuleInfo> table = {
      {"select-star", Severity::kLow, "* in the outermost target list"},
      {"leading-wildcard-like", Severity::kMedium, "LIKE / ILIKE pattern starting with % or _"},
      {"non-sargable-predicate", Severity::kMedium,
       "function or cast applied to a compared column"},
      {"or-across-columns", Severity::kMedium, "OR between predicates on different columns"},
      {"not-in-subquery", Severity::kHigh, "NOT IN (SELECT …): NULL trap, no anti-join"},
      {"in-subquery", Severity::kLow, "IN (SELECT …) where EXISTS states the semi-join"},
      {"correlated-subquery", Severity::kMedium, "scalar subquery re-run for every outer row"},
      {"order-by-random", Severity::kMedium, "ORDER BY random()"},
      {"large-offset", Severity::kMedium, "deep OFFSET paging instead of keyset pagination"},
      {"count-for-existence", Severity::kMedium, "count(*) compared with 0 instead of EXISTS"},
      {"union-without-all", Severity::kLow, "UNION where duplicates cannot occur or do not matter"},
      {"missing-join-condition", Severity::kHigh, "tables in FROM with no join condition"},
      {"distinct-with-join", Severity::kMedium, "DISTINCT undoing a join's fan-out"},
      {"implicit-insert-columns", Severity::kLow, "INSERT without a column list"},
      {"too-many-joins", Severity::kMedium, "more joins than the threshold"},
      {"order-without-limit", Severity::kMedium, "ORDER BY without LIMIT on a large table (--db)"},
  };
  return table;
}

bool is_rule(std::string_view id) {
  const auto& r = rules();
  return std::any_of(r.begin(), r.end(), [&](const RuleInfo& i) { return i.id == id; });
}

bool LintOptions::enabled(std::string_view rule) const {
  std::string id(rule);
  return (only.empty() || only.count(id) > 0) && disabled.count(id) == 0;
}

void lint_script(std::string_view script, const std::string& file, const LintOptions& options,
                 LintResult& result) {
  sql::ScriptSplit split = sql::split_script(script);
  if (!split.error.empty()) {
    result.errors.push_back(file + ":" + std::to_string(split.error_line) + ": " + split.error);
  }
  size_t prev_end = 0;
  for (size_t i = 0; i < split.statements.size(); ++i) {
    const sql::ScriptStatement& st = split.statements[i];
    size_t end = st.offset + st.text.size();
    // Comments before the statement (after the previous one's line) and after it on its
    // last line belong to it.
    std::vector<std::string> ignored;
    size_t before = prev_end;
    if (i > 0) {
      size_t nl = script.find('\n', prev_end);
      before = nl == std::string_view::npos || nl > st.offset ? st.offset : nl;
    }
    ignores_in(script.substr(before, st.offset - before), true, &ignored);
    ignores_in(st.text, false, &ignored);
    size_t next = i + 1 < split.statements.size() ? split.statements[i + 1].offset : script.size();
    size_t eol = script.find('\n', end);
    size_t after_end = std::min(next, eol == std::string_view::npos ? script.size() : eol);
    ignores_in(script.substr(end, after_end - end), true, &ignored);
    prev_end = end;

    ++result.statements;
    sql::StatementModel model = sql::build_statement_model(st.text);
    if (!model.analyzed) {
      NotAnalyzed n{file, i + 1, st.line, st.column, model.error};
      if (model.error_location >= 0) {
        int64_t col = 0;
        int64_t line = line_of(st.text, static_cast<size_t>(model.error_location), &col);
        n.line = st.line + line - 1;
        n.column = line == 1 ? st.column + col - 1 : col;
      }
      result.not_analyzed.push_back(std::move(n));
      continue;
    }
    for (StatementFinding& f : lint_statement(st.text, model, options)) {
      if (std::find(ignored.begin(), ignored.end(), f.finding.rule) != ignored.end() ||
          std::find(ignored.begin(), ignored.end(), "*") != ignored.end()) {
        continue;
      }
      int64_t col = 0;
      int64_t line = line_of(st.text, static_cast<size_t>(f.offset), &col);
      LintFinding out{std::move(f.finding), file, i + 1, st.line + line - 1,
                      line == 1 ? st.column + col - 1 : col};
      result.findings.push_back(std::move(out));
    }
  }
}

}  // namespace querylens::lint
