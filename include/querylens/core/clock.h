// Time for events: a monotonic clock for durations and a wall clock for timestamps.
//
// The instrumented layer reads the monotonic clock twice per statement and derives the wall
// timestamp from it with an offset taken once per process, so one statement costs two vDSO
// clock reads, not three.
#pragma once

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
// Wall-clock microseconds since the Unix epoch that correspond to a monotonic_ns() reading.
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
