#include "report/text_utf8.h"

#include <cstdint>

namespace querylens::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Decodes one code point at text[i]; returns its length in bytes (0 = invalid byte).
size_t decode(std::string_view text, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
  if (*cp < min || (*cp >= 0xD800 && *cp <= 0xDFFF) || *cp > 0x10FFFF) return 0;
  return len;
}

bool is_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v';
}
bool is_control(char32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

// Visits each code point of `text` as (bytes, code point); invalid bytes as (U+FFFD, 0xFFFD).
template <typename F>
void for_each_code_point(std::string_view text, F&& f) {
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t len = decode(text, i, &cp);
    if (len == 0) {
      f(kReplacement, char32_t{0xFFFD});
      ++i;
    } else {
      f(text.substr(i, len), cp);
      i += len;
    }
  }
}

}  // namespace

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for_each_code_point(text, [&](std::string_view bytes, char32_t cp) {
    if (is_space(cp)) {
      pending_space = !out.empty();
      return;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += is_control(cp) ? kReplacement : bytes;
  });
  return out;
}

std::vector<std::string> sanitized_lines(std::string_view text) {
  std::vector<std::string> lines;
  if (text.empty()) return lines;
  lines.emplace_back();
  for_each_code_point(text, [&](std::string_view bytes, char32_t cp) {
    if (cp == '\n') {
      lines.emplace_back();
    } else if (cp == '\r') {
      // dropped: CRLF is a line break, a lone CR would move the cursor
    } else if (is_space(cp)) {
      lines.back() += ' ';
    } else {
      lines.back() += is_control(cp) ? kReplacement : bytes;
    }
  });
  for (std::string& line : lines) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
  }
  return lines;
}

size_t display_width(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;  // count lead bytes only
  }
  return n;
}

std::string truncate_to_width(std::string_view utf8, size_t width) {
  if (display_width(utf8) <= width) return std::string(utf8);
  if (width == 0) return "";
  // Keep width - 1 code points, then the ellipsis; never cut inside a sequence.
  size_t kept = 0, end = 0;
  while (end < utf8.size()) {
    if ((static_cast<unsigned char>(utf8[end]) & 0xC0) != 0x80) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  std::string out(utf8.substr(0, end));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "…";
}

std::string pad_right(std::string_view utf8, size_t width) {
  std::string out(utf8);
  const size_t w = display_width(utf8);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string pad_left(std::string_view utf8, size_t width) {
  const size_t w = display_width(utf8);
  std::string out(w < width ? width - w : 0, ' ');
  out += utf8;
  return out;
}

}  // namespace querylens::report
