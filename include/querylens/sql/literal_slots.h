// The value positions of a statement, in token order, as the literal folding sees them: each
// literal (string, blob, number) or parameter marker outside an IN-list is one position, and
// each IN-list of values (`IN (1, 2, 3)`, squashed by the fold to one `?`) is one position,
// so statements with the same fold key have the same positions whatever their lists' lengths.
// The words TRUE, FALSE and NULL are literal positions too: libpg_query folds them into $n
// as it folds literals, so `= true` and `= false` are calls of one shape.
//
// The digest compares the literals at each position across the calls of a shape (which stay
// the same: stats/literal_invariance.h), and the advisor rebuilds a statement keeping those
// and parameterising the rest. Token-level only (sql/lexer.h), no grammar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace querylens::sql {

enum class SlotKind : uint8_t {
  kLiteral,  // string, blob, number, or the word TRUE, FALSE or NULL
  kParam,    // $1, ?, :name … (its value is not in the text)
  kList,     // an IN-list of values: one position, never a single constant
};

struct LiteralSlot {
  SlotKind kind = SlotKind::kLiteral;
  // kLiteral, kParam: the token's bytes (a sign before a number is not included: `x - 5` has
  // a binary minus). kList: from the `(` to the `)` included.
  size_t begin = 0, end = 0;
  // kLiteral: hash of the literal's text, together with an operator right before it that ends
  // in '-' or '+' (`= -5`, `=-5`), so 5 and -5 never hash alike (TRUE / FALSE / NULL in
  // lower case). 0 for the other kinds.
  uint64_t hash = 0;
};

struct SlotScan {
  size_t count = 0;  // positions in the whole text (may exceed what `out` holds)
  bool ok = true;    // false: an unterminated string, identifier or comment
};

// Writes the first out.size() positions of `sql` into `out` and counts them all.
SlotScan scan_literal_slots(std::string_view sql, std::span<LiteralSlot> out);

}  // namespace querylens::sql
