// Per-shape literal invariance: which literal positions of a shape's statements had the same
// text in every call (`is_published = 1` in all of them, `user_id = 42` not).
//
// The digest folds every constant to `$n`, so by itself a shape cannot say that a constant
// never varied; the index advisor needs that to propose a partial index (`WHERE is_published
// = 1`) from a log or capture. Positions are those of sql/literal_slots.h (token order; an
// IN-list is one position and always varies; a parameter marker varies: its value is not in
// the text). Only the first kMaxPositions positions are tracked. Off unless the digest is
// asked for it (Digest::track_literals): pg_stat_statements aggregates carry no constants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace querylens::stats {

struct LiteralInvariance {
  static constexpr size_t kMaxPositions = 64;

  uint64_t calls = 0;      // statements compared (0: none, or tracking off)
  uint32_t positions = 0;  // value positions of the first statement, all of them
  // Bit i: position i (< kMaxPositions) is a literal whose text was first[i] in every call
  // compared. Statements of the shape with another number of positions (the fold key differs
  // while the fingerprint does not) clear every bit: the positions may not line up.
  uint64_t same = 0;
  std::vector<uint64_t> first;  // the text hash at each tracked position, as first seen

  // Compares one statement of the shape. An unlexable statement clears every bit.
  void observe(std::string_view sql);
  // Adds the calls another digest compared (the parts of a log read with -j N).
  void merge(const LiteralInvariance& other);
  // Position i was the same literal in at least two calls (one call proves nothing).
  bool invariant(size_t i) const {
    return calls >= 2 && i < kMaxPositions && ((same >> i) & 1) != 0;
  }
};

}  // namespace querylens::stats
