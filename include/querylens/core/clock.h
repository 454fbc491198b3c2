// Time for events: a monotonic clock for durations and a wall clock for timestamps.
//
// The instrumented layer reads the monotonic clock twice per statement and derives the wall
// timestamp from it with an offset between the clocks taken again every second, so one
// statement costs two counter reads, not three clock reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace querylens {

namespace detail {
// The invariant TSC's scale, measured against CLOCK_MONOTONIC once at start-up (clock.cpp).
// Zero — not usable — until then and on machines without one: monotonic_ns() then reads the
// system clock, which the scale was calibrated against, so readings of either kind compare.
struct TscScale {
  bool usable = false;
  uint64_t tsc0 = 0;
  int64_t mono0 = 0;
  uint64_t ns_per_tick_q32 = 0;  // nanoseconds per tick, fixed point with 32 fraction bits
};
extern const TscScale tsc_scale;
int64_t clock_monotonic_ns();
}  // namespace detail

// Monotonic nanoseconds (CLOCK_MONOTONIC's timeline), for durations. Inline and integer-only:
// the instrumented layer reads it twice per statement (docs/PERFORMANCE.md, BM_MonotonicClock).
inline int64_t monotonic_ns() {
#if defined(__x86_64__)
  const detail::TscScale& s = detail::tsc_scale;
  if (s.usable) [[likely]] {
    uint64_t ticks = __builtin_ia32_rdtsc() - s.tsc0;
    __extension__ using u128 = unsigned __int128;
    return s.mono0 + static_cast<int64_t>((static_cast<u128>(ticks) * s.ns_per_tick_q32) >> 32);
  }
#endif
  return detail::clock_monotonic_ns();
}
namespace detail {
// The wall clock's offset from monotonic_ns(), and when to take it again (clock.cpp).
struct WallAnchor {
  static constexpr int64_t kPeriodNs = 1'000'000'000;
  std::atomic<int64_t> offset_us{0};
  std::atomic<int64_t> refresh_at_ns{0};  // a monotonic_ns() time; 0: not taken yet
};
extern WallAnchor wall_anchor;
void refresh_wall_anchor(int64_t now_ns) noexcept;
}  // namespace detail

// Wall-clock microseconds since the Unix epoch of `monotonic`, a monotonic_ns() reading taken
// shortly before `now` (another one). The offset between the two clocks is taken again every
// second: monotonic_ns() ticks at the TSC's rate as calibrated at start-up (within ~20 ppm)
// and NTP slews the wall clock, so an offset taken once would drift by seconds a day. Inline:
// the instrumented layer calls it once per statement (two loads and a compare).
inline int64_t wall_us_from_monotonic(int64_t monotonic, int64_t now) {
  if (now >= detail::wall_anchor.refresh_at_ns.load(std::memory_order_relaxed)) [[unlikely]]
    detail::refresh_wall_anchor(now);
  // Unsigned: the monotonic clock is never negative, and an unsigned division by a constant
  // is half the instructions of a signed one.
  return detail::wall_anchor.offset_us.load(std::memory_order_relaxed) +
         static_cast<int64_t>(static_cast<uint64_t>(monotonic) / 1000);
}
// The same for a reading taken just now.
int64_t wall_us_from_monotonic(int64_t monotonic);
// Wall-clock microseconds since the Unix epoch, now.
int64_t wall_now_us();
// "2026-11-21T10:15:02.123456Z" (UTC, microseconds).
std::string format_iso8601_us(int64_t unix_us);

}  // namespace querylens

namespace querylens {
// Parses "2026-11-21T10:15:02Z", "2026-11-21 10:15:02.5+02:00", "2026-11-21T10:15:02.123456"
// (no zone: UTC) into microseconds since the Unix epoch; false when the text is not one.
bool parse_iso8601_us(std::string_view text, int64_t* unix_us);
// Days since 1970-01-01 of a proleptic Gregorian date (month and day 1-based).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
}  // namespace querylens
