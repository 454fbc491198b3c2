#include "querylens/sql/lexer.h"

#include "sql/lexer_scan.h"

namespace querylens::sql {

using detail::is_digit;
using detail::to_lower;

bool Token::is_word(std::string_view lower_keyword) const {
  if (kind != TokenKind::kWord || text.size() != lower_keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (to_lower(text[i]) != lower_keyword[i]) return false;
  }
  return true;
}

LexResult lex(std::string_view sql) {
  LexResult out;
  out.tokens.reserve(sql.size() / 4 + 4);
  lex(sql, &out);
  return out;
}

void lex(std::string_view sql, LexResult* out) {
  out->tokens.clear();
  detail::Scanner scanner(sql);
  Token t;
  while (scanner.next(&t)) out->tokens.push_back(t);
  out->ok = scanner.ok();
  out->error_offset = scanner.error_offset();
}

ParamStyle param_style(const Token& param) {
  std::string_view t = param.text;
  if (t[0] == '$' && t.size() > 1 && is_digit(static_cast<unsigned char>(t[1])))
    return ParamStyle::kDollarNumber;
  if (t == "?") return ParamStyle::kQuestion;
  if (t[0] == '?') return ParamStyle::kQuestionNumber;
  return ParamStyle::kNamed;
}

}  // namespace querylens::sql
