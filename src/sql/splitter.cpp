#include "querylens/sql/splitter.h"

#include <algorithm>

#include "querylens/sql/lexer.h"
#include "sql/pg_query_api.h"

namespace querylens::sql {
namespace {

// Maps byte offsets to line / column; offsets must be asked in increasing order.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  void locate(size_t offset, int64_t* line, int64_t* column) {
    offset = std::min(offset, text_.size());
    for (; pos_ < offset; ++pos_) {
      if (text_[pos_] == '\n') {
        ++line_;
        line_start_ = pos_ + 1;
      }
    }
    *line = line_;
    *column = static_cast<int64_t>(offset - line_start_) + 1;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int64_t line_ = 1;
};

// Adds [begin, end) as a statement if it holds a token; `first_token` is its first token's
// offset in the script.
void add_statement(std::string_view script, size_t first_token, size_t end, LineCounter& lines,
                   ScriptSplit& out) {
  ScriptStatement st;
  st.offset = first_token;
  // Trim trailing whitespace (comments after the last token stay: they may be hints).
  while (end > first_token && std::isspace(static_cast<unsigned char>(script[end - 1]))) --end;
  st.text = script.substr(first_token, end - first_token);
  lines.locate(first_token, &st.line, &st.column);
  out.statements.push_back(st);
}

// Splits on top-level `;` tokens (not inside parentheses), stopping at a lexing error.
void split_with_lexer(std::string_view script, const LexResult& lexed, LineCounter& lines,
                      ScriptSplit& out) {
  int depth = 0;
  size_t first = std::string_view::npos;
  size_t last_end = 0;
  for (const Token& t : lexed.tokens) {
    if (t.is(";") && depth == 0) {
      if (first != std::string_view::npos) add_statement(script, first, last_end, lines, out);
      first = std::string_view::npos;
      continue;
    }
    if (t.is("(")) ++depth;
    if (t.is(")") && depth > 0) --depth;
    if (first == std::string_view::npos) first = t.offset;
    last_end = t.offset + t.text.size();
  }
  if (first != std::string_view::npos) add_statement(script, first, last_end, lines, out);
}

bool has_backtick_identifier(const LexResult& lexed) {
  for (const Token& t : lexed.tokens) {
    if (t.kind == TokenKind::kQuotedIdent && t.text[0] == '`') return true;
  }
  return false;
}

}  // namespace

ScriptSplit split_script(std::string_view script) {
  ScriptSplit out;
  LineCounter lines(script);
  std::string text(script);
  bool has_nul = text.find('\0') != std::string::npos;
  // PostgreSQL's scanner does not know SQLite's `quoted` identifiers and would split inside
  // them: scripts that use them are split on the lexer's tokens.
  bool sqlite_quotes = text.find('`') != std::string::npos && has_backtick_identifier(lex(script));
  pgq::Split split;
  if (!has_nul && !sqlite_quotes) split = pgq::split(text);
  if (!has_nul && !sqlite_quotes && !split.error.failed()) {
    for (const pgq::SplitStatement& s : split.statements) {
      std::string_view span = script.substr(s.offset, s.length);
      LexResult lexed = lex(span);
      if (lexed.tokens.empty()) continue;  // only comments
      add_statement(script, s.offset + lexed.tokens.front().offset, s.offset + s.length, lines,
                    out);
    }
    return out;
  }
  // libpg_query's scanner refused the script: keep what the lexer can split before the error.
  LexResult lexed = lex(script);
  size_t error_offset = script.size();
  if (has_nul) {
    out.error = "the input contains a NUL byte";
    error_offset = text.find('\0');
  } else if (!lexed.ok) {
    out.error =
        split.error.message.empty() ? "unterminated quoted string or comment" : split.error.message;
    error_offset = lexed.error_offset;
  } else {
    // The lexer reads what PostgreSQL's scanner does not (SQLite's `quoted` identifiers):
    // its split is complete, so there is nothing to report.
    split_with_lexer(script, lexed, lines, out);
    return out;
  }
  if (!lexed.ok) {
    // Statements that end before the broken construct are intact.
    auto& tokens = lexed.tokens;
    while (!tokens.empty() && !tokens.back().is(";")) tokens.pop_back();
  }
  split_with_lexer(script, lexed, lines, out);
  LineCounter error_lines(script);
  error_lines.locate(error_offset, &out.error_line, &out.error_column);
  return out;
}

}  // namespace querylens::sql
