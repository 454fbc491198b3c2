#include "lint/token_scan.h"

namespace querylens::lint {

int token_at(const sql::LexResult& lexed, int offset) {
  for (size_t i = 0; i < lexed.tokens.size(); ++i) {
    if (static_cast<int>(lexed.tokens[i].offset) == offset) return static_cast<int>(i);
  }
  return -1;
}

int matching_paren(const sql::LexResult& lexed, int open) {
  int depth = 0;
  for (size_t i = static_cast<size_t>(open); i < lexed.tokens.size(); ++i) {
    if (lexed.tokens[i].is("(")) ++depth;
    if (lexed.tokens[i].is(")") && --depth == 0) return static_cast<int>(i);
  }
  return -1;
}

int find_top_level(const sql::LexResult& lexed, int begin, int end, std::string_view word) {
  int depth = 0;
  for (int i = begin; i < end; ++i) {
    const sql::Token& t = lexed.tokens[i];
    if (t.is("(")) ++depth;
    if (t.is(")")) --depth;
    if (depth == 0 && t.kind == sql::TokenKind::kWord && t.is_word(word)) return i;
  }
  return -1;
}

int next_top_level(const sql::LexResult& lexed, int begin, int end,
                   std::span<const std::string_view> words, std::string_view punct) {
  int depth = 0;
  for (int i = begin; i < end; ++i) {
    const sql::Token& t = lexed.tokens[i];
    if (t.is("(") || t.is_word("case")) ++depth;
    if (t.is(")") || t.is_word("end")) --depth;
    if (depth != 0) continue;
    for (std::string_view w : words) {
      if (t.is_word(w)) return i;
    }
    if (!punct.empty() && t.is(punct)) return i;
  }
  return end;
}

}  // namespace querylens::lint
