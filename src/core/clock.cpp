#include "querylens/core/clock.h"

#include <fmt/format.h>
#include <time.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace querylens {
namespace {

// The instrumented layer reads the clock twice per statement. On this project's VMs
// clock_gettime costs ~35 ns and a bare rdtsc ~20 ns — on a ~1.3 µs SQLite point lookup that
// difference is 2% of the 5% budget (bench/: BM_MonotonicClock). With an invariant TSC (the
// CPUID bit that says it ticks at a constant rate, in every power state) the counter is read
// directly and scaled by a rate measured once against CLOCK_MONOTONIC; without one, the
// system clock is used.
detail::TscScale calibrate_tsc() {
  detail::TscScale scale;
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007) return scale;
  __get_cpuid(0x80000007, &a, &b, &c, &d);
  if ((d & (1u << 8)) == 0) return scale;  // no invariant TSC
  // Calibrate over ~2 ms. Each end is a pair read with nothing between it: a clock read
  // bracketed by two counter reads. The bracket's width bounds the pair's error, and the rate's
  // error is that over the 2 ms: the tightest of up to 64 tries is kept (usually ~100 ticks,
  // ~20 ppm). A loose bracket once made the rate 0.4% off (event timestamps
  // 168 ms off in one long test process), and a thread preempted between the reads once made the
  // rate 16x too high, so that a 200 ms statement timeout fired after 12 ms.
  auto pair = [](uint64_t* tsc, int64_t* mono) {
    uint64_t best = UINT64_MAX;
    for (int attempt = 0; attempt < 64 && best > 400; ++attempt) {
      uint64_t before = __rdtsc();
      int64_t m = detail::clock_monotonic_ns();
      uint64_t after = __rdtsc();
      if (after - before < best) {
        best = after - before;
        *tsc = before + (after - before) / 2;
        *mono = m;
      }
    }
    return best < 20'000;  // ~10 us at any plausible TSC rate
  };
  uint64_t tsc0 = 0, tsc1 = 0;
  int64_t mono0 = 0, mono1 = 0;
  if (!pair(&tsc0, &mono0)) return scale;
  do {
    if (!pair(&tsc1, &mono1)) return scale;
  } while (mono1 - mono0 < 2'000'000);
  if (tsc1 <= tsc0) return scale;
  double ns_per_tick = static_cast<double>(mono1 - mono0) / static_cast<double>(tsc1 - tsc0);
  if (!(ns_per_tick > 0 && ns_per_tick < 100)) return scale;
  scale.tsc0 = tsc0;
  scale.mono0 = mono0;
  scale.ns_per_tick_q32 = static_cast<uint64_t>(ns_per_tick * 4294967296.0);
  scale.usable = true;
#endif
  return scale;
}

}  // namespace

namespace detail {

int64_t clock_monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Filled during static initialization; reads before that (another file's static
// initializer) find it unusable and take the system clock.
const TscScale tsc_scale = calibrate_tsc();

}  // namespace detail

int64_t wall_now_us() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

namespace detail {

WallAnchor wall_anchor;

void refresh_wall_anchor(int64_t now_ns) noexcept {
  // Both clocks read back to back; a step of the wall clock moves later timestamps, never
  // durations (those come from monotonic_ns() alone).
  int64_t mono_us = monotonic_ns() / 1000;
  wall_anchor.offset_us.store(wall_now_us() - mono_us, std::memory_order_relaxed);
  wall_anchor.refresh_at_ns.store(now_ns + WallAnchor::kPeriodNs, std::memory_order_relaxed);
}

}  // namespace detail

int64_t wall_us_from_monotonic(int64_t monotonic) {
  return wall_us_from_monotonic(monotonic, monotonic_ns());
}

std::string format_iso8601_us(int64_t unix_us) {
  time_t seconds = static_cast<time_t>(unix_us / 1'000'000);
  int64_t micros = unix_us % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  tm utc;
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
}

}  // namespace querylens

namespace querylens {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

// Howard Hinnant's algorithm.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_iso8601_us(std::string_view s, int64_t* unix_us) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, &mo) ||
      s[7] != '-' || !digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
      !digits(s, 11, 2, &h) || s[13] != ':' || !digits(s, 14, 2, &mi) || s[16] != ':' ||
      !digits(s, 17, 2, &sec)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    int64_t scale = 100000;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 0) micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  int64_t offset_s = 0;
  if (i < s.size() && s[i] == ' ') ++i;  // "10:15:02 +0200" and PostgreSQL's "10:15:02.1 UTC"
  if (i < s.size()) {
    if (s[i] == 'Z' || s.substr(i) == "UTC" || s.substr(i) == "GMT") {
      i = s.size();
    } else if (s[i] == '+' || s[i] == '-') {
      int oh = 0, om = 0;
      if (!digits(s, i + 1, 2, &oh)) return false;
      size_t j = i + 3;
      if (j < s.size() && s[j] == ':') ++j;
      if (j < s.size() && !digits(s, j, 2, &om)) return false;
      if (j < s.size()) j += 2;
      offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
      i = j;
    }
    if (i != s.size()) return false;
  }
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  *unix_us = seconds * 1'000'000 + micros;
  return true;
}

}  // namespace querylens
