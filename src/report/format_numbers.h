// Compact, human-readable numbers for the text and Markdown reports (private to src/report).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace querylens::report {

// 1234567 → "1,234,567"; negative values keep their sign.
std::string format_count(int64_t n);
std::string format_count(uint64_t n);
// A duration in milliseconds, compact, in the largest unit that keeps it ≥ 1: one decimal
// below 100, none from 100 on, no trailing ".0":
// "0 ms", "850 ns", "45 µs", "1.2 ms", "12.3 ms", "123 ms", "1.5 s", "12.3 min", "2.5 h".
std::string format_duration_ms(double ms);
// A 0..1 fraction as a percentage: "45.2%", "100%", "<0.1%" (tiny but not zero), "0%".
std::string format_share(double share);
// "2026-11-21 10:15:02 UTC" (whole seconds); "" when unix_us is 0 (unknown).
std::string format_timestamp(int64_t unix_us);
// "2026-11-21 10:15:02 → 10:20:05 UTC (5.1 min)"; the end carries its date only when it
// differs from the start's. "" when either end is unknown.
std::string format_time_span(int64_t first_us, int64_t last_us);
// Summary::ranked_by as a phrase: "total" → "total time", "p99" → "p99 latency".
std::string_view ranked_by_label(std::string_view ranked_by);
// ISO 8601 (core/clock.h) or "" when unix_us is 0.
std::string iso8601_or_empty(int64_t unix_us);

}  // namespace querylens::report
