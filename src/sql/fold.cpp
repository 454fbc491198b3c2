#include "querylens/sql/fold.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sql/fold_memo.h"
#include "sql/lexer_scan.h"

namespace querylens::sql {
namespace {

bool is_value(const Token& t) { return t.is_literal() || t.kind == TokenKind::kParam; }

// If tokens[i] is `IN` followed by `( value , value … )`, returns the index of the `)`.
// Returns 0 otherwise.
size_t in_list_end(const std::vector<Token>& tokens, size_t i, size_t* values) {
  if (i + 2 >= tokens.size() || !tokens[i].is_word("in") || !tokens[i + 1].is("(")) return 0;
  size_t j = i + 2;
  size_t n = 0;
  while (j < tokens.size()) {
    // A value may carry a sign or a cast: -5, 'x'::text.
    if (tokens[j].is("-") || tokens[j].is("+")) ++j;
    if (j >= tokens.size() || !is_value(tokens[j])) return 0;
    ++j;
    ++n;
    if (j + 1 < tokens.size() && tokens[j].is("::") && tokens[j + 1].kind == TokenKind::kWord)
      j += 2;
    if (j >= tokens.size()) return 0;
    if (tokens[j].is(")")) {
      *values = n;
      return j;
    }
    if (!tokens[j].is(",")) return 0;
    ++j;
  }
  return 0;
}

constexpr std::array<char, 256> make_ascii_lower() {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<size_t>(c)] = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  }
  return t;
}
constexpr std::array<char, 256> kAsciiLower = make_ascii_lower();

// Writes sql.substr(i, n) lower-cased (ASCII) at `out` and returns the end of what it wrote.
// May write 16 bytes at `out` whatever n is: the caller leaves that much room. With SSE2 (every
// x86-64) one load lower-cases a word: the byte loop was a seventh of fold_key's instructions.
// (Finding the word's end the same way did not pay: words are ~5 bytes, and classifying 16
// bytes takes as many instructions as the byte loop over five.)
char* put_lower(char* out, std::string_view sql, size_t i, size_t n) {
#if defined(__SSE2__)
  if (n <= 16 && i + 16 <= sql.size()) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sql.data() + i));
    // One signed compare for the range: adding 0x80 - 'A' (wrapping) moves 'A'..'Z', and only
    // them, to -128..-103. (Two compares and an and compiled to four instructions and a
    // zeroed register.)
    __m128i biased = _mm_add_epi8(x, _mm_set1_epi8(static_cast<char>(0x80 - 'A')));
    __m128i upper = _mm_cmplt_epi8(biased, _mm_set1_epi8(static_cast<char>(-128 + 26)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                     _mm_or_si128(x, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    return out + n;
  }
#endif
  for (size_t k = 0; k < n; ++k) *out++ = kAsciiLower[static_cast<unsigned char>(sql[i + k])];
  return out;
}

// scanner.next() for the tokens most IN-lists are made of (`( ) ,`, plain strings, numbers),
// read as its scan() reads them but without its dispatch; the scanner itself for the rest
// (and for a string that is not closed, so that it fails as it does). An IN-list of strings
// cost ~100 instructions a token through the scanner (callgrind).
[[gnu::always_inline]] inline bool next_in_list(detail::Scanner& scanner, std::string_view sql,
                                                Token* t) {
  size_t i = scanner.position();
  const size_t n = sql.size();
  while (i < n && detail::is_space(static_cast<unsigned char>(sql[i]))) ++i;
  if (i < n) {
    const unsigned char c = static_cast<unsigned char>(sql[i]);
    size_t end = std::string_view::npos;
    TokenKind kind = TokenKind::kPunct;
    if (c == ',' || c == ')' || c == '(') {
      end = i + 1;
    } else if (c == '\'') {
      end = detail::Scanner::quoted_end(sql, i, '\'', false);
      kind = TokenKind::kString;
    } else if (detail::is_digit(c) || (c == '.' && i + 1 < n &&
                                       detail::is_digit(static_cast<unsigned char>(sql[i + 1])))) {
      end = detail::Scanner::number_end(sql, i);
      kind = TokenKind::kNumber;
    }
    if (end != std::string_view::npos) {
      *t = Token{kind, sql.substr(i, end - i), i};
      scanner = detail::Scanner(sql, end);
      return true;
    }
  }
  return scanner.next(t);
}

// in_list_end() over a scanner placed just after an `IN` word: true (the scanner after the `)`)
// when `( value , value … )` follows, with *literals set when a value is a literal.
bool skip_in_list(detail::Scanner& scanner, std::string_view sql, bool* literals) {
  Token t;
  if (!next_in_list(scanner, sql, &t) || !t.is("(")) return false;
  bool any_literal = false;
  while (true) {
    if (!next_in_list(scanner, sql, &t)) return false;
    if ((t.is("-") || t.is("+")) && !next_in_list(scanner, sql, &t)) return false;
    if (!is_value(t)) return false;
    any_literal |= t.is_literal();
    if (!next_in_list(scanner, sql, &t)) return false;
    if (t.is("::")) {  // a cast of the value: 'x'::text
      if (!next_in_list(scanner, sql, &t) || t.kind != TokenKind::kWord ||
          !next_in_list(scanner, sql, &t))
        return false;
    }
    if (t.is(")")) {
      *literals |= any_literal;
      return true;
    }
    if (!t.is(",")) return false;
  }
}

// After an `IN` word, `ahead` placed just past it: when a list of values follows, writes
// `in (?)` at *p and moves *i past the list. Either way *far covers what the lookahead read
// (the fold memo resumes only before it).
inline bool fold_in_list(detail::Scanner ahead, std::string_view sql, bool* literals, size_t* far,
                         char** p, size_t* i) {
  bool list = skip_in_list(ahead, sql, literals);
  *far = std::max(*far, ahead.position() + 3);
  if (!list) return false;
  std::memcpy(*p, "in (?)", 6);
  *p += 6;
  *i = ahead.position();
  return true;
}

}  // namespace

std::string fold_key(const LexResult& lexed) {
  std::string key;
  fold_key(lexed, &key);
  return key;
}

// Written through a pointer into a buffer sized once: a push_back or append per token (each
// with its capacity check) was most of this function's cost (callgrind on `querylens digest`).
void fold_key(const LexResult& lexed, std::string* out) {
  const auto& tokens = lexed.tokens;
  std::string& key = *out;
  key.clear();
  if (tokens.empty()) return;
  // Every token keeps at most its own length plus a separator; `?` replaces at least one
  // character and "in (?)" at least the four tokens `in ( v )`.
  const Token& last = tokens.back();
  key.resize(last.offset + last.text.size() - tokens.front().offset + tokens.size() + 8);
  char* begin = key.data();
  char* p = begin;
  auto put = [&p](std::string_view text) {
    std::memcpy(p, text.data(), text.size());
    p += text.size();
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (p != begin) *p++ = ' ';
    size_t values = 0;
    // Cheap test first: in_list_end() is only worth calling on a two-letter word.
    bool maybe_in = t.kind == TokenKind::kWord && t.text.size() == 2 && (t.text[0] | 0x20) == 'i';
    if (size_t end = maybe_in ? in_list_end(tokens, i, &values) : 0) {
      put("in (?)");
      i = end;
    } else if (is_value(t)) {
      *p++ = '?';
    } else if (t.kind == TokenKind::kWord) {
      for (char c : t.text) *p++ = kAsciiLower[static_cast<unsigned char>(c)];
    } else {
      put(t.text);
    }
  }
  key.resize(static_cast<size_t>(p - begin));
}

// The tokens come from the scanner one at a time, as lex() would list them, and the key is
// written as the token-vector version writes it; an IN-list is recognised by scanning ahead
// from a copy of the scanner. tests/sql/fold_test.cpp holds the two versions equal.
void fold_key(std::string_view sql, std::string* out, bool* has_literals) {
  out->resize(fold_key_room(sql.size()));
  out->resize(fold_key(sql, out->data(), has_literals));
}

size_t fold_key(std::string_view sql, char* begin, bool* has_literals) {
  char* p = begin;
  bool literals = false;
  const auto* s = reinterpret_cast<const unsigned char*>(sql.data());
  const size_t n = sql.size();
  // The fold of a recent text that starts the same way is resumed where the two part
  // (sql/fold_memo.h): log statements of one template differ in their literals only.
  FoldMemo& memo = fold_memo;
  FoldMemo::Slot* slot = memo.slot(sql);
  FoldMemo::Checkpoint* marks = nullptr;
  size_t marked = 0;
  size_t far = 0;  // one past the furthest byte an IN-list lookahead read, plus 2
  size_t i = 0;
  if (slot == nullptr) {
    marks = memo.scratch(n);
  } else {
    size_t k = slot->resume_at(sql);
    if (k > 0) {  // the state at checkpoint k, as this text's own scan would reach it
      const FoldMemo::Checkpoint c = slot->marks[k];
      std::memcpy(begin, slot->key.get(), c.key_size);
      marked = k;
      i = c.at;
      p = begin + c.key_size;
      literals = c.literals;
      far = c.horizon;
    }
    marks = slot->prepare(n, k, fold_key_room(n));  // after the key is read: it may move
  }
  // Guards found once per text, so that the two commonest scans test no bound per byte:
  // whitespace before `solid_end` (one past the last non-space byte) ends before it, and a
  // word whose tail starts at or before `word_guard` (a byte that is not an identifier
  // character; 0 when there is none, or only s[0]) ends at or before it.
  size_t solid_end = n;
  while (solid_end > 0 && detail::is_space(s[solid_end - 1])) --solid_end;
  size_t word_guard = n;
  while (word_guard > 0 && detail::is_ident_char(s[word_guard - 1])) --word_guard;
  word_guard = word_guard > 0 ? word_guard - 1 : 0;
  Token t;
  while (true) {
    // Where the text could be resumed: a token reads at most 2 bytes past its end.
    marks[marked++] = {static_cast<uint32_t>(i), static_cast<uint32_t>(p - begin),
                       static_cast<uint32_t>(std::max(far, i + 3)), literals};
    // Whitespace, words, strings, numbers, one-character punctuation and operators, read here
    // as the scanner reads them but without its dispatch and token: they are most of a
    // statement, and the scanner's per-token overhead was most of this function's
    // instructions (callgrind).
    if (i >= solid_end) break;  // nothing but whitespace left
    while (detail::is_space(s[i])) ++i;
    const unsigned char c = s[i];
    const unsigned char n1 = i + 1 < n ? s[i + 1] : 0;
    if (detail::is_ident_start(c)) {
      if (n1 != '\'' && n1 != '&') {  // else E'', U&'' ...: the scanner's
        size_t end = i + 1;
        if (end <= word_guard) {
          while (detail::is_ident_char(s[end])) ++end;
        } else {
          while (end < n && detail::is_ident_char(s[end])) ++end;
        }
        if (p != begin) *p++ = ' ';
        if (end - i == 2 && (c | 0x20) == 'i' && (n1 | 0x20) == 'n' &&
            fold_in_list(detail::Scanner(sql, end), sql, &literals, &far, &p, &i)) {
          continue;
        }
        p = put_lower(p, sql, i, end - i);
        i = end;
        continue;
      }
    } else if (c == '\'') {  // a string
      i = detail::Scanner::quoted_end(sql, i, '\'', false);
      if (i == std::string_view::npos) break;  // not closed: the scanner stops there too
      if (p != begin) *p++ = ' ';
      *p++ = '?';
      literals = true;
      continue;
    } else if (detail::is_digit(c) || (c == '.' && detail::is_digit(n1))) {  // a number
      if (p != begin) *p++ = ' ';
      *p++ = '?';
      literals = true;
      i = detail::Scanner::number_end(sql, i);
      continue;
    } else if (detail::has_class(c, detail::kPunctChar) ||
               (c == '.' && !detail::is_digit(n1)) ||  // not a number's: u.name
               // a one-character operator (=, +, >): not @name, not the start of a longer
               // operator or of a comment (-- and /* run into an operator character)
               (detail::is_op_char(static_cast<char>(c)) && c != '@' &&
                !detail::is_op_char(static_cast<char>(n1)))) {
      if (p != begin) *p++ = ' ';
      *p++ = static_cast<char>(c);
      ++i;
      continue;
    }
    // Anything else (comments, literals, parameters, operators): one token from the scanner.
    detail::Scanner scanner(sql, i);
    if (!scanner.next(&t)) break;
    i = scanner.position();
    if (p != begin) *p++ = ' ';
    if (t.kind == TokenKind::kWord) {
      if (t.text.size() == 2 && (t.text[0] | 0x20) == 'i' && (t.text[1] | 0x20) == 'n' &&
          fold_in_list(scanner, sql, &literals, &far, &p, &i)) {
        continue;
      }
      p = put_lower(p, sql, t.offset, t.text.size());
    } else if (is_value(t)) {
      *p++ = '?';
      literals |= t.is_literal();
    } else if (t.text.size() == 1) {  // most punctuation: ( ) , = .
      *p++ = t.text[0];
    } else {
      std::memcpy(p, t.text.data(), t.text.size());
      p += t.text.size();
    }
  }
  *has_literals = literals;
  if (slot != nullptr) {
    slot->keep(sql, std::string_view(begin, static_cast<size_t>(p - begin)), marked);
  } else {
    memo.trim_scratch();  // a 10 MB statement must not leave its checkpoints behind
  }
  return static_cast<size_t>(p - begin);
}

bool has_sqlite_only_params(const LexResult& lexed) {
  for (const Token& t : lexed.tokens) {
    if (t.kind != TokenKind::kParam) continue;
    ParamStyle style = param_style(t);
    if (style == ParamStyle::kQuestionNumber || (style == ParamStyle::kNamed && t.text[0] != '@'))
      return true;
  }
  return false;
}

bool has_any_sqlite_params(const LexResult& lexed) {
  for (const Token& t : lexed.tokens) {
    if (t.kind == TokenKind::kParam && param_style(t) != ParamStyle::kDollarNumber) return true;
  }
  return false;
}

std::optional<std::string> rewrite_sqlite_params(std::string_view sql, const LexResult& lexed) {
  if (!has_any_sqlite_params(lexed)) return std::nullopt;
  std::string out;
  out.reserve(sql.size() + 16);
  std::map<std::string_view, int> named;
  int next = 1;
  size_t copied = 0;
  for (const Token& t : lexed.tokens) {
    if (t.kind != TokenKind::kParam) continue;
    int number = 0;
    switch (param_style(t)) {
      case ParamStyle::kDollarNumber:
        continue;
      case ParamStyle::kQuestion:
        number = next++;
        break;
      case ParamStyle::kQuestionNumber: {
        number = std::atoi(std::string(t.text.substr(1)).c_str());
        if (number >= next) next = number + 1;
        break;
      }
      case ParamStyle::kNamed: {
        auto [it, inserted] = named.emplace(t.text, next);
        if (inserted) ++next;
        number = it->second;
        break;
      }
    }
    out.append(sql.substr(copied, t.offset - copied));
    out += '$';
    out += std::to_string(number);
    copied = t.offset + t.text.size();
  }
  out.append(sql.substr(copied));
  return out;
}

std::string squash_in_lists(std::string_view normalized) {
  LexResult lexed = lex(normalized);
  if (!lexed.ok) return std::string(normalized);
  const auto& tokens = lexed.tokens;
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    size_t values = 0;
    size_t end = in_list_end(tokens, i, &values);
    if (end == 0) continue;
    if (values >= 2) {
      // Keep `IN (` and the first value, replace the rest of the list.
      size_t first_value = i + 2;
      if (tokens[first_value].is("-") || tokens[first_value].is("+")) ++first_value;
      size_t keep_until = tokens[first_value].offset + tokens[first_value].text.size();
      out.append(normalized.substr(copied, keep_until - copied));
      out += " /*, ... */";
      copied = tokens[end].offset;
    }
    i = end;
  }
  out.append(normalized.substr(copied));
  return out;
}

std::string fallback_normalize(std::string_view sql, const LexResult& lexed) {
  (void)sql;
  const auto& tokens = lexed.tokens;
  std::string out;
  out.reserve(tokens.size() * 5);
  auto glue_left = [](const Token& t) {
    return t.is(",") || t.is(")") || t.is(".") || t.is(";") || t.is("]");
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    bool after_open =
        i > 0 && (tokens[i - 1].is("(") || tokens[i - 1].is(".") || tokens[i - 1].is("["));
    if (!out.empty() && !glue_left(t) && !after_open &&
        !(t.is("(") && tokens[i - 1].kind == TokenKind::kWord && !tokens[i - 1].is_word("in"))) {
      out.push_back(' ');
    }
    size_t values = 0;
    // Cheap test first: in_list_end() is only worth calling on a two-letter word.
    bool maybe_in = t.kind == TokenKind::kWord && t.text.size() == 2 && (t.text[0] | 0x20) == 'i';
    if (size_t end = maybe_in ? in_list_end(tokens, i, &values) : 0) {
      out += t.text;
      out += values >= 2 ? " (? /*, ... */)" : " (?)";
      i = end;
    } else if (is_value(t)) {
      out.push_back('?');
    } else {
      out += t.text;
    }
  }
  return out;
}

uint64_t hash64(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace querylens::sql
