// The lexer's scanner (internal to sql/): the character classes and the token scanner behind
// lex() (sql/lexer.h), shared with the one-pass fold_key() (sql/fold.h) so both read exactly
// the same tokens.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "querylens/sql/lexer.h"

namespace querylens::sql::detail {

// ASCII classification from one 256-entry table: the <cctype> functions are out-of-line and
// locale-aware (they were half the lexer's time), and a chain of comparisons per character
// was most of what remained (callgrind on `querylens digest`). SQL keywords and operators are
// ASCII; bytes >= 0x80 (UTF-8) are identifier characters.
enum CharClass : uint8_t {
  kAlpha = 1,
  kDigit = 2,
  kSpace = 4,
  kIdentStart = 8,
  kIdentChar = 16,
  kXDigit = 32,
  kOpChar = 64,
  kPunctChar = 128,  // ( ) , ; [ ]: always a token of one character
};

constexpr std::array<uint8_t, 256> make_char_classes() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t k = 0;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha) k |= kAlpha;
    if (digit) k |= kDigit;
    if (c == ' ' || (c >= '\t' && c <= '\r')) k |= kSpace;
    if (alpha || c == '_' || c >= 0x80) k |= kIdentStart;
    if (alpha || digit || c == '_' || c == '$' || c >= 0x80) k |= kIdentChar;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) k |= kXDigit;
    for (char op : {'+', '-', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|'}) {
      if (c == op) k |= kOpChar;
    }
    for (char punct : {'(', ')', ',', ';', '[', ']'}) {
      if (c == punct) k |= kPunctChar;
    }
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}
inline constexpr std::array<uint8_t, 256> kCharClasses = make_char_classes();

inline bool has_class(unsigned char c, CharClass k) { return (kCharClasses[c] & k) != 0; }
inline bool is_digit(unsigned char c) { return has_class(c, kDigit); }
inline bool is_space(unsigned char c) { return has_class(c, kSpace); }
inline bool is_xdigit(unsigned char c) { return has_class(c, kXDigit); }
inline bool is_ident_start(unsigned char c) { return has_class(c, kIdentStart); }
inline bool is_ident_char(unsigned char c) { return has_class(c, kIdentChar); }
inline bool is_op_char(char c) { return has_class(static_cast<unsigned char>(c), kOpChar); }
inline char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

// One token at a time from the text: lex() collects them, fold_key() on text writes its key
// from them directly. A copy is a saved position (the IN-list lookahead uses one).
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  // A scanner whose next token starts at or after s[at] (fold_key's fast paths hand it the
  // tokens they do not take).
  Scanner(std::string_view s, size_t at) : s_(s), i_(at) {}

  // The next token, skipping whitespace and comments; false at the end of the text or at an
  // unterminated construct (then ok() is false and error_offset() says where it starts).
  [[gnu::always_inline]] bool next(Token* t) {
    skip_space_and_comments();
    if (!ok_ || i_ >= s_.size()) return false;
    size_t start = i_;
    TokenKind kind = scan();
    if (!ok_) return false;
    *t = Token{kind, std::string_view(s_.data() + start, i_ - start), start};
    return true;
  }
  bool ok() const { return ok_; }
  size_t error_offset() const { return error_offset_; }
  size_t position() const { return i_; }  // where the last token ended

  // The end of the number that starts at s[i] (a digit, or '.' and a digit). Static: the fold
  // key's own loop reads numbers with it.
  static size_t number_end(std::string_view s, size_t i) {
    auto at = [s](size_t k) { return k < s.size() ? s[k] : '\0'; };
    if (s[i] == '0' && (at(i + 1) == 'x' || at(i + 1) == 'X') &&
        is_xdigit(static_cast<unsigned char>(at(i + 2)))) {
      i += 2;
      while (is_xdigit(static_cast<unsigned char>(at(i)))) ++i;
      return i;
    }
    while (is_digit(at(i)) || at(i) == '_') ++i;
    if (at(i) == '.' && at(i + 1) != '.') {
      ++i;
      while (is_digit(at(i))) ++i;
    }
    if ((at(i) == 'e' || at(i) == 'E') &&
        (is_digit(at(i + 1)) || ((at(i + 1) == '+' || at(i + 1) == '-') && is_digit(at(i + 2))))) {
      i += 2;
      while (is_digit(at(i))) ++i;
    }
    return i;
  }

  // The end of the quoted run opened at s[open]; npos when it is not closed. Out of line, and
  // static for fold_key's own loop.
  [[gnu::noinline]] static size_t quoted_end(std::string_view s, size_t open, char quote,
                                             bool backslash) {
    size_t i = open + 1;  // opening quote
    while (i < s.size()) {
      char c = s[i];
      if (backslash && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < s.size() && s[i + 1] == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        ++i;
      }
    }
    return std::string_view::npos;
  }

 private:
  char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  void fail(size_t where) {
    ok_ = false;
    error_offset_ = where;
    i_ = s_.size();
  }

  [[gnu::always_inline]] void skip_space_and_comments() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (is_space(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (c == '-' && at(i_ + 1) == '-') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (c == '/' && at(i_ + 1) == '*') {
        size_t start = i_;
        int depth = 0;  // PostgreSQL nests block comments
        while (i_ < s_.size()) {
          if (s_[i_] == '/' && at(i_ + 1) == '*') {
            ++depth;
            i_ += 2;
          } else if (s_[i_] == '*' && at(i_ + 1) == '/') {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            ++i_;
          }
        }
        if (depth != 0) return fail(start);
      } else {
        return;
      }
    }
  }

  // A quoted run closed by `quote`, where a doubled quote is an escaped one. `backslash`
  // enables E'…' escapes.
  void quoted(size_t start, char quote, bool backslash) {
    size_t end = quoted_end(s_, i_, quote, backslash);
    if (end == std::string_view::npos) return fail(start);
    i_ = end;
  }

  // $tag$…$tag$ when s_[i_] == '$' starts one; returns false when it is not a dollar quote.
  bool dollar_quote() {
    size_t end = dollar_quote_end(s_, i_);
    if (end == 0) return false;
    if (end == std::string_view::npos) {
      fail(i_);
      return true;
    }
    i_ = end;
    return true;
  }

  // The rare, longer scans are out of line and take the text, not the scanner (as quoted_end()
  // does): a scanner whose address never escapes stays in registers in the loops that inline
  // next(). The end of the dollar quote starting at s[i] == '$'; 0 when it is not one, npos when it
  // is not closed.
  [[gnu::noinline]] static size_t dollar_quote_end(std::string_view s, size_t i) {
    size_t j = i + 1;
    while (j < s.size() && s[j] != '$') {
      unsigned char c = static_cast<unsigned char>(s[j]);
      if (!(j == i + 1 ? is_ident_start(c) : is_ident_char(c)) || c == '$') return 0;
      ++j;
    }
    if (j >= s.size()) return 0;
    std::string_view tag = s.substr(i, j - i + 1);
    size_t close = s.find(tag, j + 1);
    if (close == std::string_view::npos) return std::string_view::npos;
    return close + tag.size();
  }

  void number() { i_ = number_end(s_, i_); }

  [[gnu::always_inline]] TokenKind scan() {
    size_t start = i_;
    char c = s_[i_];
    unsigned char uc = static_cast<unsigned char>(c);
    char n1 = at(i_ + 1);
    // Most tokens are words: take them before the prefixed-string forms (E'', N'', U&'',
    // X'', B''), which all have a quote or an ampersand as their second character.
    if (is_ident_start(uc) && n1 != '\'' && n1 != '&') {
      ++i_;
      while (i_ < s_.size() && is_ident_char(static_cast<unsigned char>(s_[i_]))) ++i_;
      return TokenKind::kWord;
    }
    // Next come commas and parentheses, which no other branch below takes: one test, not the
    // dozen comparisons before the last line (a fifth of the tokens of logged statements).
    if (has_class(uc, kPunctChar)) {
      ++i_;
      return TokenKind::kPunct;
    }
    if (c == '\'') {
      quoted(start, '\'', false);
      return TokenKind::kString;
    }
    if ((c == 'E' || c == 'e') && n1 == '\'') {
      ++i_;
      quoted(start, '\'', true);
      return TokenKind::kString;
    }
    if ((c == 'N' || c == 'n') && n1 == '\'') {
      ++i_;
      quoted(start, '\'', false);
      return TokenKind::kString;
    }
    if ((c == 'U' || c == 'u') && n1 == '&' && at(i_ + 2) == '\'') {
      i_ += 2;
      quoted(start, '\'', false);
      return TokenKind::kString;
    }
    if ((c == 'X' || c == 'x' || c == 'B' || c == 'b') && n1 == '\'') {
      ++i_;
      quoted(start, '\'', false);
      return TokenKind::kBlob;
    }
    if (c == '"' || c == '`') {
      quoted(start, c, false);
      return TokenKind::kQuotedIdent;
    }
    if (is_digit(uc) || (c == '.' && is_digit(static_cast<unsigned char>(n1)))) {
      number();
      return TokenKind::kNumber;
    }
    if (is_ident_start(uc)) {
      while (i_ < s_.size() && is_ident_char(static_cast<unsigned char>(s_[i_]))) ++i_;
      return TokenKind::kWord;
    }
    if (c == '$') {
      if (is_digit(static_cast<unsigned char>(n1))) {
        ++i_;
        while (is_digit(at(i_))) ++i_;
        return TokenKind::kParam;
      }
      if (dollar_quote()) return TokenKind::kString;
      if (is_ident_start(static_cast<unsigned char>(n1))) {  // SQLite $name
        ++i_;
        while (i_ < s_.size() && is_ident_char(static_cast<unsigned char>(s_[i_])) && s_[i_] != '$')
          ++i_;
        return TokenKind::kParam;
      }
      ++i_;
      return TokenKind::kOperator;
    }
    if (c == '?') {
      if (n1 == '|' || n1 == '&') {  // jsonb ?| and ?& operators
        i_ += 2;
        return TokenKind::kOperator;
      }
      ++i_;
      while (is_digit(at(i_))) ++i_;
      return TokenKind::kParam;
    }
    if (c == ':') {
      if (n1 == ':') {
        i_ += 2;
        return TokenKind::kOperator;
      }
      if (is_ident_start(static_cast<unsigned char>(n1))) {
        ++i_;
        while (i_ < s_.size() && is_ident_char(static_cast<unsigned char>(s_[i_]))) ++i_;
        return TokenKind::kParam;
      }
      ++i_;
      return TokenKind::kPunct;
    }
    if (c == '@' && is_ident_start(static_cast<unsigned char>(n1))) {
      ++i_;
      while (i_ < s_.size() && is_ident_char(static_cast<unsigned char>(s_[i_]))) ++i_;
      return TokenKind::kParam;
    }
    if (is_op_char(c)) {
      // A run of operator characters, stopping where a comment starts.
      while (i_ < s_.size() && is_op_char(s_[i_])) {
        if (i_ > start &&
            ((s_[i_] == '-' && at(i_ + 1) == '-') || (s_[i_] == '/' && at(i_ + 1) == '*')))
          break;
        ++i_;
      }
      return TokenKind::kOperator;
    }
    ++i_;  // ( ) [ ] , ; . and anything else, one character
    return TokenKind::kPunct;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool ok_ = true;
  size_t error_offset_ = 0;
};

}  // namespace querylens::sql::detail
