#include "report/format_numbers.h"

#include <fmt/format.h>

#include <cmath>

#include "querylens/core/clock.h"

namespace querylens::report {

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_count(int64_t n) {
  if (n >= 0) return format_count(static_cast<uint64_t>(n));
  // -(n + 1) + 1 avoids overflow on INT64_MIN.
  // fmt, not "-" + string: g++ 12 -O2 reports a false -Wrestrict on the latter (GCC bug 105329).
  return fmt::format("-{}", format_count(static_cast<uint64_t>(-(n + 1)) + 1));
}

namespace {

// Compact: one decimal below 100 of a unit, none above, and no ".0" ("45 µs", "12.3 ms").
std::string compact(double value, const char* unit) {
  if (value >= 99.95) return fmt::format("{:.0f} {}", value, unit);
  std::string digits = fmt::format("{:.1f}", value);
  if (digits.size() > 2 && digits.compare(digits.size() - 2, 2, ".0") == 0)
    digits.resize(digits.size() - 2);
  return digits + " " + unit;
}

}  // namespace

std::string format_duration_ms(double ms) {
  if (!std::isfinite(ms)) return "?";
  if (ms < 0) return fmt::format("-{}", format_duration_ms(-ms));
  if (ms == 0) return "0 ms";
  // Thresholds sit just below the next unit so a rounded "1000 ms" becomes "1 s".
  const double ns = ms * 1e6;
  if (ns < 999.5) return fmt::format("{:.0f} ns", ns);
  if (ns < 999'500) return compact(ns / 1e3, "µs");
  if (ms < 999.5) return compact(ms, "ms");
  const double s = ms / 1e3;
  if (s < 59.95) return compact(s, "s");
  const double min = s / 60;
  if (min < 59.95) return compact(min, "min");
  return compact(min / 60, "h");
}

std::string format_share(double share) {
  if (!std::isfinite(share) || share <= 0) return "0%";
  const double pct = share * 100;
  if (pct < 0.05) return "<0.1%";
  if (pct >= 99.95) return pct > 100.05 ? fmt::format("{:.0f}%", pct) : "100%";
  return fmt::format("{:.1f}%", pct);
}

std::string_view ranked_by_label(std::string_view ranked_by) {
  if (ranked_by == "total") return "total time";
  if (ranked_by == "mean") return "mean time";
  if (ranked_by == "p99") return "p99 latency";
  return ranked_by;
}

std::string iso8601_or_empty(int64_t unix_us) {
  return unix_us == 0 ? std::string() : format_iso8601_us(unix_us);
}

std::string format_timestamp(int64_t unix_us) {
  if (unix_us == 0) return "";
  // "2026-11-21T10:15:02.123456Z" → "2026-11-21 10:15:02 UTC"
  std::string iso = format_iso8601_us(unix_us);
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
}

std::string format_time_span(int64_t first_us, int64_t last_us) {
  if (first_us == 0 || last_us == 0) return "";
  const std::string a = format_iso8601_us(first_us);
  const std::string b = format_iso8601_us(last_us);
  std::string out = a.substr(0, 10) + " " + a.substr(11, 8) + " → ";
  if (b.substr(0, 10) != a.substr(0, 10)) out += b.substr(0, 10) + " ";
  out += b.substr(11, 8) + " UTC";
  const double span_ms = static_cast<double>(last_us - first_us) / 1e3;
  out += " (" + format_duration_ms(span_ms) + ")";
  return out;
}

}  // namespace querylens::report
