// Internal: finding clauses in a statement's tokens, for the rewrites that splice its text
// (lint/rewrite.h). Positions come from the statement model; tokens only find where a clause
// the model located ends.
#pragma once

#include <cctype>
#include <span>
#include <string_view>

#include "querylens/sql/lexer.h"

namespace querylens::lint {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

inline size_t end_of(const sql::Token& t) { return t.offset + t.text.size(); }

// Index of the token starting at `offset`, or -1.
int token_at(const sql::LexResult& lexed, int offset);

// Index of the ')' closing the '(' at `open`, or -1.
int matching_paren(const sql::LexResult& lexed, int open);

// First token in [begin, end) that is `word` outside parentheses, or -1.
int find_top_level(const sql::LexResult& lexed, int begin, int end, std::string_view word);

// First token in [begin, end) outside parentheses and CASE … END that is one of `words` (or
// `punct`, when given); `end` when none.
int next_top_level(const sql::LexResult& lexed, int begin, int end,
                   std::span<const std::string_view> words, std::string_view punct = {});

}  // namespace querylens::lint
