#include "querylens/sql/literal_slots.h"

#include "sql/lexer_scan.h"

namespace querylens::sql {
namespace {

bool is_value(const Token& t) { return t.is_literal() || t.kind == TokenKind::kParam; }

// FNV-1a continued over `text` (sql::hash64 is the same function from its offset basis).
uint64_t fnv_byte(uint64_t h, unsigned char c) { return (h ^ c) * 1099511628211ull; }
uint64_t fnv_more(uint64_t h, std::string_view text) {
  for (unsigned char c : text) h = fnv_byte(h, c);
  return h;
}

// TRUE, FALSE and NULL: words to the lexer, constants to libpg_query, which folds them into
// $n like any literal (`is_published = true` and `= false` are one shape).
bool is_constant_word(const Token& t) {
  return t.kind == TokenKind::kWord &&
         (t.is_word("true") || t.is_word("false") || t.is_word("null"));
}

// What fold_key() squashes to `in (?)`: a scanner just after an `IN` word, positioned after
// the `)` when `( value , value … )` follows (values may carry a sign or a ::type cast).
bool skip_in_list(detail::Scanner& scanner, size_t* open, size_t* close) {
  Token t;
  if (!scanner.next(&t) || !t.is("(")) return false;
  *open = t.offset;
  while (true) {
    if (!scanner.next(&t)) return false;
    if ((t.is("-") || t.is("+")) && !scanner.next(&t)) return false;
    if (!is_value(t)) return false;
    if (!scanner.next(&t)) return false;
    if (t.is("::")) {
      if (!scanner.next(&t) || t.kind != TokenKind::kWord || !scanner.next(&t)) return false;
    }
    if (t.is(")")) {
      *close = t.offset + 1;
      return true;
    }
    if (!t.is(",")) return false;
  }
}

}  // namespace

SlotScan scan_literal_slots(std::string_view sql, std::span<LiteralSlot> out) {
  SlotScan scan;
  detail::Scanner scanner(sql);
  Token t;
  std::string_view sign;  // the operator right before this token, when it ends in - or +
  while (scanner.next(&t)) {
    std::string_view before = sign;
    sign = {};
    LiteralSlot slot;
    if (t.kind == TokenKind::kWord && t.text.size() == 2 && (t.text[0] | 0x20) == 'i' &&
        (t.text[1] | 0x20) == 'n') {
      detail::Scanner ahead = scanner;
      size_t open = 0, close = 0;
      if (!skip_in_list(ahead, &open, &close)) continue;
      scanner = ahead;
      slot = {SlotKind::kList, open, close, 0};
    } else if (t.is_literal() || is_constant_word(t)) {
      uint64_t h = fnv_more(1469598103934665603ull, before);
      if (t.kind == TokenKind::kWord) {
        for (char c : t.text) h = fnv_byte(h, static_cast<unsigned char>(detail::to_lower(c)));
      } else {
        h = fnv_more(h, t.text);
      }
      slot = {SlotKind::kLiteral, t.offset, t.offset + t.text.size(), h};
    } else if (t.kind == TokenKind::kParam) {
      slot = {SlotKind::kParam, t.offset, t.offset + t.text.size(), 0};
    } else {
      if (t.kind == TokenKind::kOperator && (t.text.back() == '-' || t.text.back() == '+'))
        sign = t.text;
      continue;
    }
    if (scan.count < out.size()) out[scan.count] = slot;
    ++scan.count;
  }
  scan.ok = scanner.ok();
  return scan;
}

}  // namespace querylens::sql
