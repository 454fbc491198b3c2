#include "querylens/capture/pglog_prefix.h"

#include <fmt/format.h>

#include <atomic>
#include <bit>
#include <cctype>
#include <cstring>

#include "capture/same_bytes.h"
#include "querylens/core/clock.h"

namespace querylens::capture {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int two(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// The first `c` in `s`, or npos. Values in a prefix are a few bytes long (a user, a database):
// a loop finds them before a call to memchr has started (memchr was ~7% of a log digest).
size_t find_char(std::string_view s, char c) {
  size_t near = s.size() < 32 ? s.size() : 32;
  for (size_t i = 0; i < near; ++i) {
    if (s[i] == c) return i;
  }
  if (near == s.size()) return std::string_view::npos;
  const void* at = std::memchr(s.data() + near, c, s.size() - near);
  return at == nullptr ? std::string_view::npos
                       : static_cast<size_t>(static_cast<const char*>(at) - s.data());
}

// Three overlapping 8-byte loads: memcmp's call costs more than the comparison.
bool same_19_bytes(const char* a, const char* b) {
  uint64_t a0, a1, a2, b0, b1, b2;
  std::memcpy(&a0, a, 8);
  std::memcpy(&a1, a + 8, 8);
  std::memcpy(&a2, a + 11, 8);
  std::memcpy(&b0, b, 8);
  std::memcpy(&b1, b + 8, 8);
  std::memcpy(&b2, b + 11, 8);
  return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
}

// match_severity() needs an upper-case letter first: most lines after %q are not a severity
// ("app@shop LOG:"), and this saves the call.
bool could_be_severity(std::string_view text) {
  return !text.empty() && text[0] >= 'A' && text[0] <= 'Z';
}

// Severity words PostgreSQL writes (untranslated). DEBUG1..5 are matched by their stem.
constexpr std::string_view kSeverities[] = {"LOG",     "ERROR",     "FATAL", "PANIC",   "WARNING",
                                            "NOTICE",  "INFO",      "DEBUG", "DETAIL",  "HINT",
                                            "CONTEXT", "STATEMENT", "QUERY", "LOCATION"};

// What the last timestamp read was: consecutive lines mostly share their second, and a log has
// one zone (two around a DST change). Starts as a valid time whose value is known.
struct TimeCache {
  char head[19] = {'1', '9', '7', '0', '-', '0', '1', '-', '0', '1',
                   ' ', '0', '0', ':', '0', '0', ':', '0', '0'};
  int64_t seconds = 0;
  char zone[8] = {};  // " UTC", with its space
  size_t zone_size = 0;
  int64_t zone_offset = 0;
};
thread_local TimeCache time_cache;

// The last "user@database " read by match_user_at_database(): consecutive lines mostly have
// the same one, and a comparison is cheaper than finding the '@' and the space again. Per
// thread, as the time cache: the threads of -j N share one LogLinePrefix.
struct UserAtDatabaseCache {
  char text[16] = {};
  size_t size = 0;  // 0: none yet
  size_t at = 0;    // where the '@' is
};
thread_local UserAtDatabaseCache user_at_database_cache;

// The last line's head as match_time_pid() read it, from its first byte through the literal
// after %p ("2024-03-05 00:00:00.002 UTC [10007] "): an entry's DETAIL line repeats it, and
// the next line of another backend mostly repeats its time up to the pid but for %m's
// millisecond. Comparing those bytes costs less than reading the time and the pid again.
// Per thread, as the time cache; only lines of the prefix `prefix_id` compare with it.
struct HeadCache {
  static constexpr size_t kRoom = 48;  // stored by one fixed-size copy from lines this long
  char text[kRoom] = {};
  uint64_t prefix_id = 0;  // 0: nothing remembered
  size_t time_size = 0;    // the time and the literal before %p: 24 to 32 bytes
  size_t size = 0;         // ... and the pid and the literal after it: at most 16 more
  // The time is compared by 8-byte words at 0, 8, time_size - 16 and time_size - 8; with %m's
  // three digits of milliseconds (bytes 20 to 22) left out of the last two by these masks.
  uint64_t mask2 = ~uint64_t{0}, mask3 = ~uint64_t{0};
  bool ms_digits = false;  // the masks leave them out: they are read (as a full parse would)
  int64_t base_us = 0;     // the time without the milliseconds of ms_digits
  int64_t pid = 0;
  // The pids met lately, when the head's time repeats and its pid does not: a log's lines
  // come from a few dozen backends. A slot holds the 8 bytes where a line's pid started (its
  // digits, the literal after them and what followed), found by their hash, and `size`, the
  // bytes of digits and literal, the only ones compared (0: empty).
  struct PidSlot {
    uint64_t word = 0, mask = 0;
    int64_t pid = 0;
    size_t size = 0;
  };
  static constexpr int kPidSlotBits = 8;
  PidSlot pids[1 << kPidSlotBits];
  static size_t pid_slot(uint64_t word) {
    return static_cast<size_t>((word * 0x9e3779b97f4a7c15) >> (64 - kPidSlotBits));
  }
};
thread_local HeadCache head_cache;

// The mask of an 8-byte word loaded from `at` that leaves out the bytes [from, to).
uint64_t mask_without(size_t at, size_t from, size_t to) {
  uint64_t mask = ~uint64_t{0};
  for (size_t j = 0; j < 8; ++j) {
    if (at + j >= from && at + j < to) mask &= ~(uint64_t{0xff} << (8 * j));
  }
  return mask;
}

// The first time_size bytes at `a` are the remembered head's, but for the masked ones: four
// 8-byte loads a side, the last two overlapping as needed, no loop.
inline bool same_time_bytes(const char* a, const HeadCache& last) {
  const char* b = last.text;
  size_t n = last.time_size;
  uint64_t a0, a1, a2, a3, b0, b1, b2, b3;
  std::memcpy(&a0, a, 8);
  std::memcpy(&a1, a + 8, 8);
  std::memcpy(&a2, a + n - 16, 8);
  std::memcpy(&a3, a + n - 8, 8);
  std::memcpy(&b0, b, 8);
  std::memcpy(&b1, b + 8, 8);
  std::memcpy(&b2, b + n - 16, 8);
  std::memcpy(&b3, b + n - 8, 8);
  return ((a0 ^ b0) | (a1 ^ b1) | ((a2 ^ b2) & last.mask2) | ((a3 ^ b3) & last.mask3)) == 0;
}

bool is_zone_char(char c) {
  return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '+' || c == '-';
}

// The first `n` (<= 8) bytes of `a` and `b` are the same. One masked 8-byte comparison when
// `a` has 8 bytes to read: a call to memcmp cost more than the comparison (callgrind).
bool same_head(const char* a, size_t a_size, const char* b, size_t n) {
  if (std::endian::native == std::endian::little && a_size >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    uint64_t mask = n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
    return ((x ^ y) & mask) == 0;
  }
  for (size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return false;
  }
  return true;
}

// parse_pg_timestamp() for the common line, inline in the prefix matcher: the cached second,
// no fraction or %m's three digits, the cached zone. 0 when the line is not that (the caller
// then parses it fully); otherwise what parse_pg_timestamp() gives.
inline size_t parse_cached_timestamp(std::string_view s, int64_t* unix_us) {
  const TimeCache& cache = time_cache;
  const char* p = s.data();
  size_t zs = cache.zone_size;
  // the 19 bytes, ".ddd" and the zone; one more byte to see where the zone ends
  if (zs == 0 || s.size() < 24 + zs || !same_19_bytes(cache.head, p)) return 0;
  size_t i = 19;
  int64_t micros = 0;
  if (p[19] == '.') {
    if (!is_digit(p[20]) || !is_digit(p[21]) || !is_digit(p[22]) || is_digit(p[23])) return 0;
    micros = (two(p + 20) * 10 + (p[22] - '0')) * 1000;
    i = 23;
  }
  if (!same_head(p + i, s.size() - i, cache.zone, zs) || is_zone_char(p[i + zs])) return 0;
  *unix_us = (cache.seconds - cache.zone_offset) * 1'000'000 + micros;
  return i + zs;
}

}  // namespace

size_t parse_pg_timestamp(std::string_view s, int64_t* unix_us) {
  if (s.size() < 19) return 0;
  const char* p = s.data();
  TimeCache& cache = time_cache;
  // When the 19 bytes up to the fraction are the last ones read, so are their validity and
  // value (one comparison instead of a parse).
  int64_t seconds;
  if (same_19_bytes(cache.head, p)) {
    seconds = cache.seconds;
  } else {
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
      if (!is_digit(p[i])) return 0;
    }
    if (p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') || p[13] != ':' ||
        p[16] != ':')
      return 0;
    int y = two(p) * 100 + two(p + 2), m = two(p + 5), d = two(p + 8);
    if (m < 1 || m > 12 || d < 1 || d > 31) return 0;
    int64_t days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    seconds = days * 86400 + two(p + 11) * 3600 + two(p + 14) * 60 + two(p + 17);
    std::memcpy(cache.head, p, 19);
    cache.seconds = seconds;
  }
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i + 3 < s.size() && is_digit(p[i]) && is_digit(p[i + 1]) && is_digit(p[i + 2]) &&
        !is_digit(p[i + 3])) {  // %m: milliseconds, as the loop below would read them
      micros = (two(p + i) * 10 + (p[i + 2] - '0')) * 1000;
      i += 3;
    } else {
      int64_t scale = 100000;
      while (i < s.size() && is_digit(s[i])) {
        micros += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
    }
  }
  // The zone: " UTC", " CET", " +02", " -0330". Only letters, digits and signs, so a
  // following ':' or ',' is left for the prefix's next literal. The last one read is
  // remembered with its offset.
  size_t zs = cache.zone_size;
  if (zs > 0 && i + zs <= s.size() && same_head(p + i, s.size() - i, cache.zone, zs) &&
      (i + zs == s.size() || !is_zone_char(s[i + zs]))) {
    seconds -= cache.zone_offset;
    i += zs;
  } else if (i + 1 < s.size() && s[i] == ' ' && s[i + 1] != ' ' && !is_digit(s[i + 1]) &&
             s[i + 1] != '[') {
    size_t z = i + 1;
    while (z < s.size() && is_zone_char(s[z])) ++z;
    std::string_view zone = s.substr(i + 1, z - i - 1);
    int64_t offset = 0;
    if (!zone.empty() && (zone[0] == '+' || zone[0] == '-') && zone.size() >= 3 &&
        is_digit(zone[1]) && is_digit(zone[2])) {
      offset = two(zone.data() + 1) * 3600;
      if (zone.size() >= 5 && is_digit(zone[3]) && is_digit(zone[4]))
        offset += two(zone.data() + 3) * 60;
      if (zone[0] == '-') offset = -offset;
    }
    seconds -= offset;
    if (!zone.empty()) {
      if (z - i <= sizeof cache.zone) {
        std::memcpy(cache.zone, s.data() + i, z - i);
        cache.zone_size = z - i;
        cache.zone_offset = offset;
      }
      i = z;
    }
  }
  *unix_us = seconds * 1'000'000 + micros;
  return i;
}

size_t match_severity_general(std::string_view text, std::string_view* severity) {
  size_t n = 0;
  while (n < text.size() && n < 10 && text[n] >= 'A' && text[n] <= 'Z') ++n;
  if (n < 3 || n + 3 > text.size() || text[n] != ':' || text[n + 1] != ' ' || text[n + 2] != ' ') {
    // DEBUG1..DEBUG5
    if (!(n == 5 && text.size() >= 9 && text.substr(0, 5) == "DEBUG" && is_digit(text[5]) &&
          text[6] == ':' && text[7] == ' ' && text[8] == ' ')) {
      return 0;
    }
    *severity = text.substr(0, 6);
    return 9;
  }
  std::string_view word = text.substr(0, n);
  bool known = false;
  for (std::string_view s : kSeverities) known |= s == word;
  if (!known) return 0;
  *severity = word;
  size_t skip = n + 3;
  // log_error_verbosity = verbose: "LOG:  00000: message".
  if (text.size() >= skip + 7 && text[skip + 5] == ':' && text[skip + 6] == ' ') {
    bool code = true;
    for (size_t i = skip; i < skip + 5; ++i)
      code &= is_digit(text[i]) || (text[i] >= 'A' && text[i] <= 'Z');
    if (code) skip += 7;
  }
  return skip;
}

bool LogLinePrefix::compile(std::string_view prefix, LogLinePrefix* out, std::string* error) {
  LogLinePrefix p;
  p.text_ = std::string(prefix);
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = prefix[i];
    if (c != '%' || i + 1 == prefix.size()) {
      if (p.tokens_.empty() || p.tokens_.back().kind != Kind::kLiteral)
        p.tokens_.push_back({Kind::kLiteral});
      p.tokens_.back().literal.push_back(c);
      continue;
    }
    ++i;
    bool padded = false;
    if (prefix[i] == '-' || is_digit(prefix[i])) {  // %-10u: a padding width
      padded = true;
      while (i < prefix.size() && (prefix[i] == '-' || is_digit(prefix[i]))) ++i;
      if (i == prefix.size()) break;
    }
    Token t{Kind::kText};
    t.padded = padded;
    switch (prefix[i]) {
      case '%':
        if (p.tokens_.empty() || p.tokens_.back().kind != Kind::kLiteral)
          p.tokens_.push_back({Kind::kLiteral});
        p.tokens_.back().literal.push_back('%');
        continue;
      case 'm':
      case 't':
        t = {Kind::kTime, Field::kTime};
        p.has_time_ = true;
        break;
      case 's':
        t = {Kind::kSessionStart};
        break;
      case 'n':
        t = {Kind::kEpoch, Field::kTime};
        p.has_time_ = true;
        break;
      case 'p':
        t.kind = Kind::kNumber;
        t.field = Field::kPid;
        p.has_process_ = true;
        break;
      case 'l':
      case 'x':
      case 'P':
      case 'Q':
        t.kind = Kind::kNumber;
        break;
      case 'c':
        t = {Kind::kSessionId, Field::kSession};
        p.has_process_ = true;
        break;
      case 'u':
        t.field = Field::kUser;
        break;
      case 'd':
        t.field = Field::kDatabase;
        break;
      case 'a':
        t.field = Field::kApplication;
        break;
      case 'h':
      case 'r':
        t.field = Field::kClient;
        break;
      case 'q':
        t = {Kind::kStopIfBackground};
        break;
      default:
        break;  // %b %e %i %v and unknown escapes: text to skip
    }
    // A padded value is spaces plus its text: read it as text up to the next literal.
    if (padded && t.kind != Kind::kStopIfBackground) t.kind = Kind::kText;
    p.tokens_.push_back(std::move(t));
  }
  // Each text escape ends where the next literal starts: remember that literal.
  for (size_t i = 0; i < p.tokens_.size(); ++i) {
    if (p.tokens_[i].kind != Kind::kText) continue;
    size_t j = i + 1;
    while (j < p.tokens_.size() && p.tokens_[j].kind == Kind::kStopIfBackground) ++j;
    if (j < p.tokens_.size() && p.tokens_[j].kind != Kind::kLiteral) {
      *error =
          fmt::format("log_line_prefix '{}': two escapes in a row cannot be told apart", prefix);
      return false;
    }
    if (j < p.tokens_.size()) p.tokens_[i].literal = p.tokens_[j].literal;
    p.tokens_[i].then_literal = j == i + 1 && j < p.tokens_.size();
  }
  const auto& t = p.tokens_;
  p.time_pid_head_ = t.size() >= 4 && t[0].kind == Kind::kTime && t[1].kind == Kind::kLiteral &&
                     t[2].kind == Kind::kNumber && t[2].field == Field::kPid &&
                     t[3].kind == Kind::kLiteral;
  auto text_to = [](const Token& x, Field field, std::string_view end) {
    return x.kind == Kind::kText && x.field == field && !x.padded && x.then_literal &&
           x.literal == end;
  };
  p.user_at_database_tail_ =
      p.time_pid_head_ && t.size() == 9 && t[4].kind == Kind::kStopIfBackground &&
      text_to(t[5], Field::kUser, "@") && text_to(t[7], Field::kDatabase, " ");
  static std::atomic<uint64_t> compiled{0};
  p.id_ = ++compiled;
  *out = std::move(p);
  return true;
}

// The literal `lit` at line[pos]. Literals are a few bytes ("] ", "@"): a loop, not a call to
// memcmp.
static bool literal_at(std::string_view line, size_t pos, const std::string& lit) {
  size_t n = lit.size();
  if (line.size() - pos < n) return false;
  for (size_t k = 0; k < n; ++k) {
    if (line[pos + k] != lit[k]) return false;
  }
  return true;
}

// '%q%u@%d ' as the token loop reads it: a background process's line stops at its severity,
// the user ends at the first '@', the database at the next space. The same bytes as the last
// line's "user@database " read the same: the cached text has no '@' before `at` and no space
// between it and its last byte, and it does not start with a capital (so could_be_severity()
// is false for both). Only that comparison here; the rest out of line, so that the common
// line saves no registers.
size_t LogLinePrefix::match_user_at_database(std::string_view line, size_t pos,
                                             PrefixFields* f) const {
  const UserAtDatabaseCache& last = user_at_database_cache;
  const char* rest = line.data() + pos;
  if (last.size != 0 && line.size() - pos >= last.size &&
      same_bytes_16(rest, last.text, last.size)) {
    f->user = std::string_view(rest, last.at);
    f->database = std::string_view(rest + last.at + 1, last.size - last.at - 2);
    return pos + last.size;
  }
  return read_user_at_database(line, pos, f);
}

size_t LogLinePrefix::read_user_at_database(std::string_view line, size_t pos,
                                            PrefixFields* f) const {
  std::string_view rest = line.substr(pos), unused;
  UserAtDatabaseCache& last = user_at_database_cache;
  if (could_be_severity(rest) && match_severity(rest, &unused) > 0) return pos;
  size_t at = find_char(rest, '@');
  if (at == std::string_view::npos) return at;
  f->user = rest.substr(0, at);
  size_t space = find_char(rest.substr(at + 1), ' ');
  if (space == std::string_view::npos) return space;
  f->database = rest.substr(at + 1, space);
  size_t size = at + 1 + space + 1;
  if (size <= sizeof last.text && !could_be_severity(rest)) {
    std::memcpy(last.text, rest.data(), size);
    last.size = size;
    last.at = at;
  }
  return pos + size;
}

// The digits of %p at line[pos]: their end (pos when there are none) and value. (Eight bytes
// at once by SWAR cost as many instructions as this loop over a 5-digit pid: measured.)
static size_t read_pid(std::string_view line, size_t pos, int64_t* pid) {
  size_t n = pos;
  int64_t value = 0;
  // One subtraction tells a digit and gives its value (a byte below '0' wraps around).
  for (unsigned d; n < line.size() && (d = static_cast<unsigned char>(line[n]) - 48u) < 10; ++n)
    value = value * 10 + d;
  *pid = value;
  return n;
}

// A line whose head repeats the last one's bytes (HeadCache) takes the time, and the pid too
// when those repeat, from there. Why that is exact: the time was read from bytes
// [0, time_size) and at most one byte past them (the zone's test of what follows the time),
// the first digit of the pid, which the new line must have too; %m's milliseconds, when
// they are all that differs, are three digits followed by the same byte, so read the same
// way; the pid's digits end where the literal after them starts, inside [time_size, size).
// Lines that differ elsewhere are read in full, by read_time_pid().
size_t LogLinePrefix::match_time_pid(std::string_view line, PrefixFields* f) const {
  HeadCache& last = head_cache;
  if (last.prefix_id != id_ || line.size() < last.size || !same_time_bytes(line.data(), last))
    return read_time_pid(line, false, 0, f);
  int64_t us = last.base_us;
  if (last.ms_digits) {
    const char* ms = line.data() + 20;
    unsigned d0 = static_cast<unsigned char>(ms[0]) - 48u;
    unsigned d1 = static_cast<unsigned char>(ms[1]) - 48u;
    unsigned d2 = static_cast<unsigned char>(ms[2]) - 48u;
    if (d0 > 9 || d1 > 9 || d2 > 9) return read_time_pid(line, false, 0, f);
    us += (d0 * 100 + d1 * 10 + d2) * 1000;
  }
  size_t pos = last.time_size;
  if (same_bytes_16(line.data() + pos, last.text + pos, last.size - pos)) {
    f->time_us = us;
    f->pid = last.pid;
    return last.size;
  }
  if (line.size() - pos >= 8) {  // another backend's pid, met lately
    uint64_t word;
    std::memcpy(&word, line.data() + pos, 8);
    const HeadCache::PidSlot& slot = last.pids[HeadCache::pid_slot(word)];
    if (slot.size != 0 && ((word ^ slot.word) & slot.mask) == 0) {
      if (line.size() - pos >= 16) {  // the head's pid from now on (an entry's DETAIL follows)
        std::memcpy(last.text + pos, line.data() + pos, 16);
        last.size = pos + slot.size;
        last.pid = slot.pid;
      }
      f->time_us = us;
      f->pid = slot.pid;
      return pos + slot.size;
    }
  }
  return read_time_pid(line, true, us, f);
}

// What the token loop does for the first four tokens, less its dispatch per token and with
// the usual timestamp read inline; `same_time`: the line's time and the literal before %p
// read as the remembered head's, `us`. Remembers the head it read.
size_t LogLinePrefix::read_time_pid(std::string_view line, bool same_time, int64_t us,
                                    PrefixFields* f) const {
  constexpr size_t npos = std::string_view::npos;
  const std::string& close = tokens_[3].literal;
  HeadCache& last = head_cache;
  if (same_time) {
    size_t pos = last.time_size;
    int64_t pid;
    size_t n = read_pid(line, pos, &pid);
    if (n != pos && literal_at(line, n, close) && n + close.size() - pos <= 16) {
      size_t end = n + close.size();
      // The new pid and literal, and the bytes after them (unused: `size` ends the compare);
      // time_size <= 32, so the 16 bytes fit.
      if (line.size() >= pos + 16) {
        std::memcpy(last.text + pos, line.data() + pos, 16);
        last.size = end;
        last.pid = pid;
      }
      if (line.size() - pos >= 8 && end - pos <= 8) remember_pid(line, pos, end, pid);
      f->time_us = us;
      f->pid = pid;
      return end;
    }
  }
  size_t pos = parse_cached_timestamp(line, &us);
  if (pos == 0 && (pos = parse_pg_timestamp(line, &us)) == 0) return npos;
  f->time_us = us;
  const std::string& open = tokens_[1].literal;
  if (!literal_at(line, pos, open)) return npos;
  pos += open.size();
  int64_t pid;
  size_t n = read_pid(line, pos, &pid);
  if (n == pos) return npos;
  f->pid = pid;
  if (!literal_at(line, n, close)) return npos;
  size_t end = n + close.size();
  if (line.size() >= HeadCache::kRoom && pos >= 24 && pos <= 32 && end - pos <= 16) {
    remember_head(line, pos, end, us, pid);
  }
  return end;
}

// A pid slot of HeadCache from the line whose pid and literal are [pos, end), at most 8 bytes,
// with 8 to read.
void LogLinePrefix::remember_pid(std::string_view line, size_t pos, size_t end, int64_t pid) {
  uint64_t word;
  std::memcpy(&word, line.data() + pos, 8);
  HeadCache::PidSlot& slot = head_cache.pids[HeadCache::pid_slot(word)];
  slot.word = word;
  slot.mask = mask_without(0, end - pos, 8);
  slot.pid = pid;
  slot.size = end - pos;
}

// HeadCache from a line read in full: `time_size` bytes of time and literal, `size` through
// the literal after the pid.
void LogLinePrefix::remember_head(std::string_view line, size_t time_size, size_t size, int64_t us,
                                  int64_t pid) const {
  HeadCache& last = head_cache;
  std::memcpy(last.text, line.data(), HeadCache::kRoom);
  if (last.prefix_id != id_) {  // another prefix's pids end with another literal
    for (HeadCache::PidSlot& slot : last.pids) slot = {};
  }
  last.prefix_id = id_;
  last.time_size = time_size;
  last.size = size;
  last.pid = pid;
  // "hh:mm:ss.ddd" and then not a digit (a zone or the literal), inside the time's bytes.
  const char* p = line.data();
  last.ms_digits = std::endian::native == std::endian::little && time_size > 23 && p[19] == '.' &&
                   is_digit(p[20]) && is_digit(p[21]) && is_digit(p[22]) && !is_digit(p[23]);
  last.mask2 = last.ms_digits ? mask_without(time_size - 16, 20, 23) : ~uint64_t{0};
  last.mask3 = last.ms_digits ? mask_without(time_size - 8, 20, 23) : ~uint64_t{0};
  last.base_us =
      last.ms_digits ? us - ((p[20] - '0') * 100 + (p[21] - '0') * 10 + (p[22] - '0')) * 1000 : us;
}

size_t LogLinePrefix::match_tokens(std::string_view line, size_t first, size_t pos,
                                   PrefixFields* f) const {
  std::string_view unused;
  for (size_t ti = first; ti < tokens_.size(); ++ti) {
    const Token& t = tokens_[ti];
    std::string_view rest = line.substr(pos);
    std::string_view value;
    switch (t.kind) {
      case Kind::kLiteral: {
        // Literals are a few bytes ("] ", "@"): a loop, not a call to memcmp.
        size_t n = t.literal.size();
        if (rest.size() < n) return std::string_view::npos;
        for (size_t k = 0; k < n; ++k) {
          if (rest[k] != t.literal[k]) return std::string_view::npos;
        }
        pos += n;
        continue;
      }
      case Kind::kStopIfBackground:
        if (could_be_severity(rest) && match_severity(rest, &unused) > 0) return pos;
        continue;
      case Kind::kTime:
      case Kind::kSessionStart: {
        int64_t us = 0;
        size_t n = parse_pg_timestamp(rest, &us);
        if (n == 0) return std::string_view::npos;
        if (t.kind == Kind::kTime) f->time_us = us;
        pos += n;
        continue;
      }
      case Kind::kEpoch: {
        size_t n = 0;
        int64_t seconds = 0, micros = 0, scale = 100000;
        while (n < rest.size() && is_digit(rest[n])) seconds = seconds * 10 + (rest[n++] - '0');
        if (n == 0) return std::string_view::npos;
        if (n < rest.size() && rest[n] == '.') {
          for (++n; n < rest.size() && is_digit(rest[n]); ++n, scale /= 10)
            micros += (rest[n] - '0') * scale;
        }
        f->time_us = seconds * 1'000'000 + micros;
        pos += n;
        continue;
      }
      case Kind::kNumber: {
        size_t n = 0;
        int64_t number = 0;
        while (n < rest.size() && is_digit(rest[n])) number = number * 10 + (rest[n++] - '0');
        if (t.field == Field::kPid) {
          if (n == 0) return std::string_view::npos;
          f->pid = number;
        }
        pos += n;
        continue;
      }
      case Kind::kSessionId: {
        size_t n = 0;
        while (n < rest.size() &&
               (std::isxdigit(static_cast<unsigned char>(rest[n])) || rest[n] == '.'))
          ++n;
        if (n == 0) return std::string_view::npos;
        value = rest.substr(0, n);
        pos += n;
        break;
      }
      case Kind::kText: {
        size_t n;
        if (t.literal.size() > 1) {
          n = rest.find(t.literal);
          if (n == std::string_view::npos) return std::string_view::npos;
        } else {  // one character ("@"); the prefix's last escape ends at the first space
          n = find_char(rest, t.literal.empty() ? ' ' : t.literal[0]);
          if (n == std::string_view::npos) return std::string_view::npos;
        }
        value = rest.substr(0, n);
        pos += n;
        if (t.then_literal) {  // found where it starts: the literal is matched
          pos += t.literal.size();
          ++ti;
        }
        if (t.padded) {
          while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
          while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
          if (t.field == Field::kPid) {
            int64_t number = 0;
            for (char c : value) number = is_digit(c) ? number * 10 + (c - '0') : number;
            f->pid = value.empty() ? kUnknown : number;
          }
        }
        break;
      }
    }
    switch (t.field) {
      case Field::kSession:
        f->session = value;
        break;
      case Field::kUser:
        f->user = value;
        break;
      case Field::kDatabase:
        f->database = value;
        break;
      case Field::kApplication:
        f->application = value;
        break;
      case Field::kClient:
        f->client = value;
        break;
      default:
        break;
    }
  }
  return pos;
}

std::string LogLinePrefix::missing() const {
  std::string out;
  if (!has_time_) out = "no time (%m, %t or %n)";
  if (!has_process_) out += fmt::format("{}no process id (%p or %c)", out.empty() ? "" : "; ");
  return out;
}

}  // namespace querylens::capture
