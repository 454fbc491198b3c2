// A token-level view of SQL text, for both PostgreSQL and SQLite dialects.
//
// This is a lexer, not a grammar: it knows strings (including E'…', X'…', dollar quotes),
// quoted identifiers ("…", `…`), comments (--, nested /* */), numbers, parameter markers
// ($1, ?, ?3, :name, @name, $name) and operators, which is what literal folding, SQLite
// parameter rewriting and the fallback shape need. Everything that needs structure goes to
// libpg_query (sql/parse_result.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::sql {

enum class TokenKind {
  kWord,         // keyword or unquoted identifier
  kQuotedIdent,  // "name" or `name`
  kString,       // '…', E'…', N'…', U&'…', $tag$…$tag$
  kBlob,         // X'…' or B'…'
  kNumber,       // 42, 1.5e3, .5, 0x1F
  kParam,        // $1, ?, ?3, :name, @name, $name
  kOperator,     // + - * / < > = ~ ! @ # % ^ & | and runs of them, ::, ?| ?&
  kPunct,        // ( ) [ ] , ; . :
};

struct Token {
  TokenKind kind;
  std::string_view text;  // a view into the lexed input
  size_t offset;          // byte offset in the input

  bool is_literal() const {
    return kind == TokenKind::kString || kind == TokenKind::kBlob || kind == TokenKind::kNumber;
  }
  bool is(std::string_view punct_or_op) const {
    return (kind == TokenKind::kPunct || kind == TokenKind::kOperator) && text == punct_or_op;
  }
  // Case-insensitive keyword test for kWord tokens.
  bool is_word(std::string_view lower_keyword) const;
};

struct LexResult {
  std::vector<Token> tokens;
  bool ok = true;           // false: unterminated string, identifier or comment
  size_t error_offset = 0;  // where the unterminated construct starts
};

// Tokens of `sql`, without whitespace and comments. The views point into `sql`.
LexResult lex(std::string_view sql);
// The same into `out`, reusing its storage (the hot path of shape classification).
void lex(std::string_view sql, LexResult* out);

// Which parameter dialect a kParam token is in.
enum class ParamStyle { kDollarNumber, kQuestion, kQuestionNumber, kNamed };
ParamStyle param_style(const Token& param);

}  // namespace querylens::sql
