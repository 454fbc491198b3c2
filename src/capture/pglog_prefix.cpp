#include "querylens/capture/pglog_prefix.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

#include "querylens/core/clock.h"

namespace querylens::capture {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int two(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// Severity words PostgreSQL writes (untranslated). DEBUG1..5 are matched by their stem.
constexpr std::string_view kSeverities[] = {"LOG",     "ERROR",     "FATAL", "PANIC",   "WARNING",
                                            "NOTICE",  "INFO",      "DEBUG", "DETAIL",  "HINT",
                                            "CONTEXT", "STATEMENT", "QUERY", "LOCATION"};

}  // namespace

size_t parse_pg_timestamp(std::string_view s, int64_t* unix_us) {
  if (s.size() < 19) return 0;
  const char* p = s.data();
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!is_digit(p[i])) return 0;
  }
  if (p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') || p[13] != ':' || p[16] != ':')
    return 0;
  // One date per file most of the time: remember the last one's day number.
  static thread_local char cached_date[10] = {};
  static thread_local int64_t cached_days = 0;
  int64_t days;
  if (std::memcmp(cached_date, p, 10) == 0) {
    days = cached_days;
  } else {
    int y = two(p) * 100 + two(p + 2), m = two(p + 5), d = two(p + 8);
    if (m < 1 || m > 12 || d < 1 || d > 31) return 0;
    days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    std::memcpy(cached_date, p, 10);
    cached_days = days;
  }
  int64_t seconds = days * 86400 + two(p + 11) * 3600 + two(p + 14) * 60 + two(p + 17);
  size_t i = 19;
  int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000;
    while (i < s.size() && is_digit(s[i])) {
      micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  // The zone: " UTC", " CET", " +02", " -0330". Only letters, digits and signs, so a
  // following ':' or ',' is left for the prefix's next literal.
  if (i + 1 < s.size() && s[i] == ' ' && s[i + 1] != ' ' && !is_digit(s[i + 1]) &&
      s[i + 1] != '[') {
    size_t z = i + 1;
    while (z < s.size() && (is_digit(s[z]) || ((s[z] | 0x20) >= 'a' && (s[z] | 0x20) <= 'z') ||
                            s[z] == '+' || s[z] == '-'))
      ++z;
    std::string_view zone = s.substr(i + 1, z - i - 1);
    if (!zone.empty() && (zone[0] == '+' || zone[0] == '-') && zone.size() >= 3 &&
        is_digit(zone[1]) && is_digit(zone[2])) {
      int64_t offset = two(zone.data() + 1) * 3600;
      if (zone.size() >= 5 && is_digit(zone[3]) && is_digit(zone[4]))
        offset += two(zone.data() + 3) * 60;
      seconds -= zone[0] == '-' ? -offset : offset;
    }
    if (!zone.empty()) i = z;
  }
  *unix_us = seconds * 1'000'000 + micros;
  return i;
}

size_t match_severity(std::string_view text, std::string_view* severity) {
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
  }
  *out = std::move(p);
  return true;
}

size_t LogLinePrefix::match(std::string_view line, PrefixFields* f) const {
  size_t pos = 0;
  std::string_view unused;
  for (const Token& t : tokens_) {
    std::string_view rest = line.substr(pos);
    std::string_view value;
    switch (t.kind) {
      case Kind::kLiteral:
        if (rest.size() < t.literal.size() ||
            std::memcmp(rest.data(), t.literal.data(), t.literal.size()) != 0) {
          return std::string_view::npos;
        }
        pos += t.literal.size();
        continue;
      case Kind::kStopIfBackground:
        if (match_severity(rest, &unused) > 0) return pos;
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
        if (!t.literal.empty()) {
          n = rest.find(t.literal);
          if (n == std::string_view::npos) return std::string_view::npos;
        } else {  // the prefix's last escape: the value ends at the first space
          n = rest.find(' ');
          if (n == std::string_view::npos) return std::string_view::npos;
        }
        value = rest.substr(0, n);
        pos += n;
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
