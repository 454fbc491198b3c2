// Equality of two short texts of the same length without a loop: the log's repeated fields
// ("app", "shop", "LOG", a params list's start) are a few bytes, and the byte loop that
// compared them ran ~6 instructions a byte (callgrind on `querylens digest`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace querylens::capture {

// a[0, n) == b[0, n). Up to 8 bytes by two overlapping loads (or three bytes) a side; longer
// texts by memcmp. Reads nothing outside the two ranges.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  if (n >= 4 && n <= 8) {
    uint32_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n < 4) {  // 0 to 3 bytes: the first, middle and last cover them all
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
  }
  return std::memcmp(a, b, n) == 0;
}

// same_bytes() for texts of 9 to 16 bytes too ("app@shop "), by two overlapping 8-byte loads.
// Apart: the extra case made same_bytes() dearer where its texts are shorter (callgrind).
inline bool same_bytes_16(const char* a, const char* b, size_t n) {
  if (n > 8 && n <= 16) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return same_bytes(a, b, n);
}

}  // namespace querylens::capture
