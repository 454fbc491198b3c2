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

// Monotonic nanoseconds (CLOCK_MONOTONIC), for durations.
int64_t monotonic_ns();
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
