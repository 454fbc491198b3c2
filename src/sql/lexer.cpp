#include "querylens/sql/lexer.h"

#include <array>
#include <cstdint>

namespace querylens::sql {
namespace {

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
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kCharClasses = make_char_classes();

inline bool has_class(unsigned char c, CharClass k) { return (kCharClasses[c] & k) != 0; }
inline bool is_digit(unsigned char c) { return has_class(c, kDigit); }
inline bool is_space(unsigned char c) { return has_class(c, kSpace); }
inline bool is_xdigit(unsigned char c) { return has_class(c, kXDigit); }
inline bool is_ident_start(unsigned char c) { return has_class(c, kIdentStart); }
inline bool is_ident_char(unsigned char c) { return has_class(c, kIdentChar); }
inline bool is_op_char(char c) { return has_class(static_cast<unsigned char>(c), kOpChar); }
inline char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  void run(LexResult& out) {
    out.tokens.clear();
    out.ok = true;
    out.error_offset = 0;
    while (true) {
      skip_space_and_comments(out);
      if (!out.ok || i_ >= s_.size()) break;
      size_t start = i_;
      TokenKind kind = next(out);
      if (!out.ok) break;
      out.tokens.push_back(Token{kind, s_.substr(start, i_ - start), start});
    }
  }

 private:
  char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  void fail(LexResult& out, size_t where) {
    out.ok = false;
    out.error_offset = where;
    i_ = s_.size();
  }

  void skip_space_and_comments(LexResult& out) {
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
        if (depth != 0) return fail(out, start);
      } else {
        return;
      }
    }
  }

  // A quoted run closed by `quote`, where a doubled quote is an escaped one. `backslash`
  // enables E'…' escapes.
  void quoted(LexResult& out, size_t start, char quote, bool backslash) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (backslash && c == '\\') {
        i_ += 2;
      } else if (c == quote) {
        if (at(i_ + 1) == quote) {
          i_ += 2;
        } else {
          ++i_;
          return;
        }
      } else {
        ++i_;
      }
    }
    fail(out, start);
  }

  // $tag$…$tag$ when s_[i_] == '$' starts one; returns false when it is not a dollar quote.
  bool dollar_quote(LexResult& out) {
    size_t j = i_ + 1;
    while (j < s_.size() && s_[j] != '$') {
      unsigned char c = static_cast<unsigned char>(s_[j]);
      if (!(j == i_ + 1 ? is_ident_start(c) : is_ident_char(c)) || c == '$') return false;
      ++j;
    }
    if (j >= s_.size()) return false;
    std::string_view tag = s_.substr(i_, j - i_ + 1);
    size_t close = s_.find(tag, j + 1);
    if (close == std::string_view::npos) {
      fail(out, i_);
      return true;
    }
    i_ = close + tag.size();
    return true;
  }

  void number() {
    if (s_[i_] == '0' && (at(i_ + 1) == 'x' || at(i_ + 1) == 'X') &&
        is_xdigit(static_cast<unsigned char>(at(i_ + 2)))) {
      i_ += 2;
      while (is_xdigit(static_cast<unsigned char>(at(i_)))) ++i_;
      return;
    }
    while (is_digit(at(i_)) || at(i_) == '_') ++i_;
    if (at(i_) == '.' && at(i_ + 1) != '.') {
      ++i_;
      while (is_digit(at(i_))) ++i_;
    }
    if ((at(i_) == 'e' || at(i_) == 'E') &&
        (is_digit(at(i_ + 1)) ||
         ((at(i_ + 1) == '+' || at(i_ + 1) == '-') && is_digit(at(i_ + 2))))) {
      i_ += 2;
      while (is_digit(at(i_))) ++i_;
    }
  }

  TokenKind next(LexResult& out) {
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
    if (c == '\'') {
      quoted(out, start, '\'', false);
      return TokenKind::kString;
    }
    if ((c == 'E' || c == 'e') && n1 == '\'') {
      ++i_;
      quoted(out, start, '\'', true);
      return TokenKind::kString;
    }
    if ((c == 'N' || c == 'n') && n1 == '\'') {
      ++i_;
      quoted(out, start, '\'', false);
      return TokenKind::kString;
    }
    if ((c == 'U' || c == 'u') && n1 == '&' && at(i_ + 2) == '\'') {
      i_ += 2;
      quoted(out, start, '\'', false);
      return TokenKind::kString;
    }
    if ((c == 'X' || c == 'x' || c == 'B' || c == 'b') && n1 == '\'') {
      ++i_;
      quoted(out, start, '\'', false);
      return TokenKind::kBlob;
    }
    if (c == '"' || c == '`') {
      quoted(out, start, c, false);
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
      if (dollar_quote(out)) return TokenKind::kString;
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
};

}  // namespace

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
  Lexer(sql).run(out);
  return out;
}

void lex(std::string_view sql, LexResult* out) { Lexer(sql).run(*out); }

ParamStyle param_style(const Token& param) {
  std::string_view t = param.text;
  if (t[0] == '$' && t.size() > 1 && is_digit(static_cast<unsigned char>(t[1])))
    return ParamStyle::kDollarNumber;
  if (t == "?") return ParamStyle::kQuestion;
  if (t[0] == '?') return ParamStyle::kQuestionNumber;
  return ParamStyle::kNamed;
}

}  // namespace querylens::sql
