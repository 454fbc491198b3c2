// What fold_key() on text remembers between calls, per thread: the last texts folded (one per
// slot, by their first 16 bytes), each with its key and the scan's state at every token
// boundary. Log statements of one template differ only in their literals, mostly near the
// end: a text that starts as a remembered one does is folded from the last boundary both share,
// its key prefix copied (callgrind: the scan was a quarter of a log digest's instructions).
//
// A boundary is usable when the texts agree on every byte the scan read before it: the bytes
// up to 2 past the token that ends there (numbers look that far), and as far as an IN-list
// lookahead before it went (`horizon`). Past that, the scan of both texts is the same.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace querylens::sql {

class FoldMemo {
 public:
  // The scan's state at the top of its loop. (32-bit: remembered texts are short.)
  struct Checkpoint {
    uint32_t at;        // the text position the loop continues from
    uint32_t key_size;  // the key written so far
    uint32_t horizon;   // bytes [0, horizon) of the text decided everything before
    bool literals;
  };

  // Buffers that only grow: a steady stream of texts allocates nothing, and nothing is
  // zero-filled. The fold writes its checkpoints straight into the slot's (those before
  // where it resumes are the same), and copies the text and key in when done.
  struct Slot {
    std::unique_ptr<char[]> text, key;
    std::unique_ptr<Checkpoint[]> marks;
    size_t text_size = 0, text_room = 0, key_room = 0, marks_size = 0, marks_room = 0;

    // The last checkpoint of this slot's fold usable for `sql`, 0 when none but the start.
    size_t resume_at(std::string_view sql) const {
      size_t common = common_prefix(sql, std::string_view(text.get(), text_size));
      // horizons never decrease: the last one within `common`
      const Checkpoint* first = marks.get();
      const Checkpoint* it =
          std::upper_bound(first, first + marks_size, common,
                           [](size_t c, const Checkpoint& m) { return c < m.horizon; });
      return it == first ? 0 : static_cast<size_t>(it - first) - 1;
    }

    // Room for the checkpoints of a text of n bytes (one per byte at most, and the end) and
    // for its key, keeping the first `keep` checkpoints (not the key: read it first); forgets
    // the text meanwhile (so that an interrupted fold leaves nothing inconsistent behind).
    Checkpoint* prepare(size_t n, size_t keep, size_t key_room) {
      text_size = marks_size = 0;
      if (n + 2 > marks_room) {
        size_t room = std::max(n + 2, 2 * marks_room);
        auto bigger = std::make_unique_for_overwrite<Checkpoint[]>(room);
        if (keep > 0) std::memcpy(bigger.get(), marks.get(), keep * sizeof(Checkpoint));
        marks = std::move(bigger);
        marks_room = room;
      }
      if (n > text_room) {
        text_room = std::max(n, 2 * text_room);
        text = std::make_unique_for_overwrite<char[]>(text_room);
      }
      if (key_room > this->key_room) {
        this->key_room = std::max(key_room, 2 * this->key_room);
        key = std::make_unique_for_overwrite<char[]>(this->key_room);
      }
      return marks.get();
    }

    void keep(std::string_view sql, std::string_view folded, size_t marked) {
      std::memcpy(text.get(), sql.data(), sql.size());
      std::memcpy(key.get(), folded.data(), folded.size());
      text_size = sql.size();
      marks_size = marked;
    }
  };

  // Texts longer than this are folded without a slot: a slot's buffers only grow, and a slot
  // that once held a 10 MB statement would keep ~16 bytes per byte of it for the rest of the
  // run. Log statements of one template are far shorter.
  static constexpr size_t kMaxRemembered = size_t{64} << 10;

  // Room for the checkpoints of a text that no slot keeps.
  Checkpoint* scratch(size_t n) {
    if (n + 2 > room_) {
      room_ = std::max(n + 2, 2 * room_);
      scratch_ = std::make_unique_for_overwrite<Checkpoint[]>(room_);
    }
    return scratch_.get();
  }

  // Frees the scratch checkpoints when a long text made them large.
  void trim_scratch() {
    if (room_ > kMaxRemembered + 2) {
      scratch_.reset();
      room_ = 0;
    }
  }

  // The slot for `sql`, by its first 16 bytes; null for shorter texts (cheap to fold anyway)
  // and for those longer than kMaxRemembered.
  Slot* slot(std::string_view sql) {
    if (sql.size() < 16 || sql.size() > kMaxRemembered) return nullptr;
    uint64_t a, b;
    std::memcpy(&a, sql.data(), 8);
    std::memcpy(&b, sql.data() + 8, 8);
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ b * 0xC2B2AE3D27D4EB4Full;
    return &slots_[(h ^ (h >> 29)) >> 60];
  }

  // The length of the longest common prefix of a and b.
  static size_t common_prefix(std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size()), i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a.data() + i));
      __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.data() + i));
      unsigned same = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)));
      if (same != 0xFFFF) return i + static_cast<size_t>(__builtin_ctz(~same));
    }
#endif
    while (i < n && a[i] == b[i]) ++i;
    return i;
  }

 private:
  std::array<Slot, 16> slots_;
  std::unique_ptr<Checkpoint[]> scratch_;
  size_t room_ = 0;
};

inline thread_local FoldMemo fold_memo;

}  // namespace querylens::sql
